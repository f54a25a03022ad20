// The record page: fields in panels by group with inline edit (If-Match on every
// change), related lists found from the metadata, the timeline, the field history,
// and the modules' record panels (web/src/mod/index.js: the customer card, a user's
// actions, sharing).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, request } from './api.js';
import { About, effectiveField, FieldInput, FieldValue, groupFields, RefName, shownFor, validate } from './fields.jsx';
import { Conflicts, Duplicates, RecordForm, saveRecord } from './form.jsx';
import { entityLabel, enumLabel, fieldLabel, formatDateTime, groupLabel, sentence, t } from './i18n.js';
import { ListView } from './list.jsx';
import { navigate, listPath, recordPath, Link } from './router.js';
import { RECORD_PANELS } from './mod/index.js';
import { assignable, canRead, entityMeta, fieldMeta, recordTitle, rememberTitle, session, systemField, useAll } from './state.js';
import { errorText, flash, Loading, markPainted, Notice, useFetch, usePageTitle } from './ui.jsx';

// The owner, shown with the fields: its labels are /meta's (system_fields). On e's
// record page, it offers only the users the role may give the record to, and is not
// editable with the own scope.
const ownerField = (e, teams) => systemField('owner_id', {
  type: 'ref', ref: 'users', group: 'system',
  readonly: e && !['team', 'team_and_below', 'all'].includes(e.permissions.edit),
  only: (users) => (e ? assignable(e, users, teams) || [] : users),
});
const isEmpty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);

// hideEmpty: a field without a value is not shown until the user asks for empty fields.
function InlineField({ e, f, record, onSaved, mayEdit, hideEmpty }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(record[f.name]);
  const [error, setError] = useState(null); // text beside the field
  const [problem, setProblem] = useState(null);
  const [base, setBase] = useState(record);
  const editable = !f.readonly && mayEdit && f.type !== 'password';
  const id = `i-${f.name}`;

  useEffect(() => { if (!editing) { setValue(record[f.name]); setBase(record); } }, [record, editing]);

  async function save(flags = {}) {
    const msg = validate(f, value);
    if (msg) { setError(`${fieldLabel(f)} ${msg}`); return; }
    try {
      const saved = await saveRecord(e, base, { [f.name]: value ?? '' }, flags);
      setEditing(false); setError(null); setProblem(null);
      onSaved(saved);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setProblem(err);
      setError(err.status === 422 ? `${fieldLabel(f)} ${err.fields[f.name] || err.problem.detail}` : null);
    }
  }
  async function reload() {
    const fresh = await api.get(`/${e.name}/${record.id}`);
    setBase(fresh); setProblem(null);
    onSaved(fresh, true);
  }

  const p = problem?.problem || {};
  if (hideEmpty && !editing && !problem && isEmpty(record[f.name])) return null;
  return (
    <div class={`field ${f.type === 'text' ? 'wide' : ''} ${error ? 'has-error' : ''}`}>
      {editing ? <label for={id}>{fieldLabel(f)}</label> : <span class="label">{fieldLabel(f)}</span>}
      {editing ? (
        <form class="inline" onSubmit={(ev) => { ev.preventDefault(); save(); }}
          onKeyDown={(ev) => { if (ev.key === 'Escape') setEditing(false); }}>
          <FieldInput id={id} field={effectiveField(f, record)} value={value} invalid={!!error} onChange={setValue}
            describedBy={f.help ? `${id}-help` : undefined} />
          <button type="submit" class="primary">{t('rec.save')}</button>
          <button type="button" onClick={() => { setEditing(false); setError(null); setProblem(null); }}>{t('rec.cancel')}</button>
        </form>
      ) : (
        <div class="value">
          <FieldValue field={f} record={record} />
          {editable && (
            <button type="button" class="link edit" aria-label={t('rec.editField', { field: fieldLabel(f) })}
              onClick={() => { setEditing(true); setTimeout(() => document.getElementById(id)?.focus(), 0); }}>✎</button>
          )}
        </div>
      )}
      {editing && f.help && <p class="help" id={`${id}-help`}>{f.help}</p>}
      {error && <p class="field-error">{error}</p>}
      {problem?.status === 409 && p.duplicates && (
        <Duplicates e={e} list={p.duplicates} anywayLabel={t('form.dupSaveAnyway')} onAnyway={() => save({ allowDuplicate: true })}
          mergeWith={record.id} />
      )}
      {problem?.status === 409 && p.conflicts && <Conflicts list={p.conflicts} onAnyway={() => save({ allowConflict: true })} />}
      {problem?.status === 412 && (
        <Notice kind="warn">{t('rec.stale')} <button type="button" onClick={reload}>{t('rec.reload')}</button></Notice>
      )}
      {problem && ![409, 412, 422].includes(problem.status) && <Notice kind="error">{errorText(problem)}</Notice>}
    </div>
  );
}

function Timeline({ e, id, record }) {
  const [items, setItems] = useState(null);
  const [before, setBefore] = useState(null);
  const page = (b) => api.get(`/${e.name}/${id}/timeline`, { limit: 20, before: b || undefined });
  const show = (b) => (r) => { setItems((old) => (b ? [...old, ...r.data] : r.data)); setBefore(r.next_before || null); };
  useFetch(() => page(null), [id], show(null), () => setItems([]));
  const more = () => page(before).then(show(before), () => {});
  if (!items) return <Loading />;
  if (!items.length) return <p class="muted">{t('rec.none')}</p>;
  return (
    <>
      <ol class="timeline">
        {items.map((it) => {
          const re = entityMeta(it.entity);
          const rec = it.record;
          return (
            <li>
              <time>{formatDateTime(it.at)}</time>{' '}
              {rec && re ? (
                <span>{it.kind === 'created' ? t('rec.createdEvent', { entity: entityLabel(re, false), title: '' }) : `${entityLabel(re, false)}: `}
                  <Link href={recordPath(it.entity, rec.id)}>{recordTitle(re, rec) || rec.subject || rec.id}</Link>
                  {rec.type && it.entity === 'activities' ? ` (${enumLabel(fieldMeta('activities', 'type'), rec.type)})` : ''}
                  {it.kind === 'activity' && <About e={re} record={rec} home={{ entity: e.name, id }} sep=" — " />}</span>
              ) : (
                <span><Change e={e} h={{ ...it, action: it.action || it.kind }} record={record} /></span>
              )}
            </li>
          );
        })}
      </ol>
      {before && <button type="button" onClick={more}>{t('rec.more')}</button>}
    </>
  );
}

// A value as the history stored it (text), shown as the record page shows it: names
// for references, labels for enums, formatted money and dates. `record` (the record as
// it is now) gives what the value is read with: the entity an X_id names (X_type), the
// currency of an amount.
function Value({ f, v, record }) {
  if (v === null || v === undefined || v === '') return <span class="muted">—</span>;
  if (!f) return v;
  if (f.type === 'multi_ref' || f.type === 'multi_enum') {
    let list;
    try { list = JSON.parse(v); } catch { return v; }
    return <FieldValue field={f} record={{ ...record, [f.name]: list }} />;
  }
  if (f.type === 'password') return '•••';
  return <FieldValue field={f} record={{ ...record, [f.name]: v }} />;
}

// An action of the history in words ("convert" → "converted it"); an action this UI
// does not know shows as it is stored.
function actionLabel(a) {
  const key = `hist.action.${a}`;
  const s = t(key);
  return s === key ? enumLabel(null, a) : s;
}

// One entry of the history, as a sentence: who did what — "moved it from Prospecting
// to Proposal", "transferred it from Bob to Dora", "changed Phone from … to …"; a share
// names the user or team ("user:<id>", "team:<id>") and the access given or taken back.
function Change({ e, h, record }) {
  // A change a workflow rule made for the user says so: "Ann (by rule “Won deals”)".
  const rule = /^rule: (.*)$/.exec(h.via || '');
  const via = h.via && <span class="hist-via"> ({rule ? t('hist.via_rule').replace('{rule}', rule[1]) : h.via})</span>;
  const who = <><RefName entity="users" id={h.user_id} />{via}</>;
  const share = /^(user|team):(.+)$/.exec(h.field || '');
  if (share && (h.action === 'share' || h.action === 'unshare')) {
    return (
      <>
        {who} {t(`rec.${h.action}`)} <RefName entity={`${share[1]}s`} id={share[2]} />
        {' '}({t(`share.access.${h.new || h.old}`)})
      </>
    );
  }
  if (h.action === 'merge' || h.action === 'merged_into') {
    return sentence(`hist.${h.action}`, { who, other: <Link href={recordPath(e.name, h.new)}><RefName entity={e.name} id={h.new} /></Link> });
  }
  if (!h.field) return sentence(['create', 'delete', 'restore'].includes(h.action) ? `hist.${h.action}` : 'hist.other', { who, action: actionLabel(h.action) });
  const f = h.field === 'owner_id' ? ownerField()
    : e.fields.find((x) => x.name === h.field) || session.meta?.system_fields?.find((x) => x.name === h.field);
  const parts = { who, field: f ? fieldLabel(f) : h.field, old: <Value f={f} v={h.old} record={record} />, new: <Value f={f} v={h.new} record={record} /> };
  const empty = (v) => v === null || v === undefined || v === '';
  if (h.field === 'owner_id' && !empty(h.old)) return sentence('hist.owner', parts);
  if (h.field === 'stage' && !empty(h.old)) return sentence('hist.stage', parts);
  if (empty(h.old)) return sentence('hist.set', parts);
  if (empty(h.new)) return sentence('hist.cleared', parts);
  return sentence('hist.changed', parts);
}

function History({ e, id, version, record }) {
  const [rows, setRows] = useState(null);
  useFetch(() => api.get(`/${e.name}/${id}/history`), [id, version], (r) => setRows(r.data), () => setRows([]));
  if (!rows) return <Loading />;
  if (!rows.length) return <p class="muted">{t('rec.none')}</p>;
  return (
    <ol class="history">
      {rows.slice(0, 50).map((h) => (
        <li><time>{formatDateTime(h.at)}</time> <Change e={e} h={h} record={record} /></li>
      ))}
    </ol>
  );
}

// Entities with a reference to this one, and activities through related_type/_id; the
// records that roll up to this one (an account's activities: about it, its contacts,
// deals and converted leads) are listed through that link, and one created from here is
// about this record (`create`). An entity with a reference of its own to this one (an
// e-mail's contact_id) is listed through that reference only.
export function relatedLists(e) {
  const out = [];
  for (const other of session.meta.entities) {
    if (!canRead(other)) continue;
    const rt = other.fields.find((f) => f.name === 'related_type');
    const about = rt && (rt.enum || []).includes(e.name) && other.fields.some((f) => f.name === 'related_id')
      ? { field: 'related_id', extra: { related_type: e.name } } : null;
    const up = about && other.fields.find((f) => f.rollup && f.ref === e.name);
    for (const f of other.fields) {
      if (f === up) out.push({ other, field: f.name, create: about, label: null });
      else if (f.type === 'ref' && f.ref === e.name) out.push({ other, field: f.name, label: f.label === e.label ? null : fieldLabel(f) });
    }
    const direct = other.fields.some((f) => f.type === 'ref' && f.ref === e.name);
    if (about && !up && !direct) out.push({ other, ...about });
  }
  return out;
}

// Takes a record out of the recycle bin and opens it.
async function restoreRecord(e, id) {
  try {
    await api.post(`/${e.name}/${id}/restore`);
    navigate(recordPath(e.name, id));
    flash(t('rec.restored'));
  } catch (err) {
    flash(errorText(err), { kind: 'error' });
  }
}

// Quick creation of a related record, pre-filled with this one: "+ Contact", "+ Deal";
// activities: "Log call" and "Schedule meeting".
function QuickCreate({ rel, id }) {
  const { other } = rel;
  const { field, extra } = rel.create || rel;
  if (other.permissions.create === 'none') return null;
  const base = new URLSearchParams({ [field]: id, ...(extra || {}) });
  const href = (more = {}) => {
    const q = new URLSearchParams(base);
    for (const [k, v] of Object.entries(more)) q.set(k, v);
    return `/r/${other.name}/new?${q}`;
  };
  const types = other.fields.find((f) => f.name === 'type')?.enum || [];
  if (other.name === 'activities' && types.includes('call') && types.includes('meeting')) {
    // A call logged just now took the last quarter of an hour; a meeting is planned for
    // the next full hour.
    const minute = 60000, now = Math.floor(Date.now() / minute) * minute;
    const hour = Math.ceil((now + 1) / (60 * minute)) * 60 * minute;
    const iso = (ms) => new Date(ms).toISOString();
    return (
      <>
        <Link class="button" href={href({ type: 'call', status: 'held', start_at: iso(now - 15 * minute), end_at: iso(now) })}>
          {t('rec.logCall')}</Link>
        <Link class="button" href={href({ type: 'meeting', start_at: iso(hour), end_at: iso(hour + 60 * minute) })}>
          {t('rec.scheduleMeeting')}</Link>
      </>
    );
  }
  return <Link class="button" href={href()}>{t('rec.addRelated', { entity: entityLabel(other, false) })}</Link>;
}

function relKey(rel) { return `${rel.other.name}.${rel.field}`; }

// A related list; folded away (hidden, still loaded) while it has no rows.
function RelatedPanel({ rel, id, empty, onRows }) {
  const { other, field, extra, label } = rel;
  return (
    <section class="panel related" hidden={empty} aria-label={`${t('rec.related')}: ${entityLabel(other)}${label ? ` (${label})` : ''}`}>
      <div class="related-head">
        <h2>{entityLabel(other)}{label ? <span class="muted"> ({label})</span> : null}</h2>
        <div class="quick"><QuickCreate rel={rel} id={id} /></div>
      </div>
      <ListView e={other} compact fixed={{ [field]: id, ...(extra || {}) }} onRows={onRows} />
    </section>
  );
}

export function RecordPage({ e, id }) {
  const [record, setRecord] = useState(null);
  const [allow, setAllow] = useState(''); // what the server says the user may do with it
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(null);
  const [tab, setTab] = useState('timeline');
  const [showEmpty, setShowEmpty] = useState(false);
  const [emptyRels, setEmptyRels] = useState(() => new Set()); // related lists without rows
  const teams = useAll(e.permissions.edit === 'team_and_below' ? 'teams' : null); // whom the owner may be
  usePageTitle(record ? recordTitle(e, record) : entityLabel(e));

  useFetch(() => {
    setRecord(null); setError(null); setEditing(false);
    return request('GET', `/${e.name}/${id}`);
  }, [e.name, id], (r) => { setRecord(r.body); setAllow(r.allow || ''); }, setError);
  useEffect(() => { if (record) markPainted('rapport:record-painted'); }, [record]);

  if (error) return <Notice kind="error">{error.status === 404 ? t('rec.notFound') : errorText(error)}</Notice>;
  if (!record) return <Loading />;
  const onSaved = (r, reloaded) => {
    setRecord(r);
    rememberTitle(e.name, r.id, recordTitle(e, r));
    setNotice(reloaded ? null : t('rec.saved'));
  };
  if (editing) {
    return <RecordForm e={e} record={record} onCancel={() => setEditing(false)}
      onSaved={(r) => { setEditing(false); onSaved(r); }} />;
  }
  const remove = async () => {
    if (!window.confirm(t('rec.deleteConfirm', { title: recordTitle(e, record) || entityLabel(e, false) }))) return;
    try {
      await api.del(`/${e.name}/${id}`, { version: record.version });
      navigate(listPath(e.name));
      flash(t('rec.deleted'), { action: { label: t('rec.undo'), run: () => restoreRecord(e, id) } });
    } catch (err) { setNotice(null); setError(err); }
  };
  // The role's scope for this very record (owner, team, a share): never a form that
  // fails on save.
  const mayEdit = /\bPATCH\b/.test(allow);
  const mayDelete = /\bDELETE\b/.test(allow);
  const shownPanels = RECORD_PANELS.filter((x) => x.when(e, record));
  const panels = (place) => shownPanels.filter((x) => x.place === place).map((x) => x.component);
  const inPanels = new Set(shownPanels.flatMap((x) => x.fields || []));
  const relInPanels = new Set(shownPanels.flatMap((x) => x.related || []));
  const hasTimeline = e.timeline;
  const rels = relatedLists(e).filter((rel) => !relInPanels.has(relKey(rel)));
  const fields = e.fields.filter((f) => f.type !== 'password' && shownFor(f, record) && !inPanels.has(f.name));
  const groups = groupFields(e.name === 'users' || e.name === 'teams' || e.name === 'pipeline_stages' ? fields : [...fields, ownerField(e, teams)]);
  return (
    <article class="record">
      <header class="record-head">
        <div>
          <p class="crumb"><Link href={listPath(e.name)}>{entityLabel(e)}</Link></p>
          <h1>{recordTitle(e, record) || '—'}</h1>
          <p class="muted small">{t('rec.updated', { at: formatDateTime(record.updated_at), v: record.version })}</p>
        </div>
        <div class="actions">
          {e.permissions.edit !== 'none' && (
            <button type="button" disabled={!mayEdit} title={mayEdit ? undefined : t('rec.mayNotEdit')}
              onClick={() => setEditing(true)}>{t('rec.edit')}</button>
          )}
          {e.permissions.delete !== 'none' && e.deletable && (
            <button type="button" class="danger" disabled={!mayDelete} title={mayDelete ? undefined : t('rec.mayNotDelete')}
              onClick={remove}>{t('rec.delete')}</button>
          )}
        </div>
      </header>
      {notice && <Notice onClose={() => setNotice(null)}>{notice}</Notice>}
      {panels('head').map((P) => <P e={e} record={record} onSaved={onSaved} />)}
      <div class="record-body">
        <div class="record-main">
          <div class="show-empty">
            <button type="button" class="link" aria-pressed={showEmpty} onClick={() => setShowEmpty(!showEmpty)}>
              {showEmpty ? t('rec.hideEmpty') : t('rec.showEmpty')}</button>
          </div>
          {groups.filter(([, fs]) => showEmpty || fs.some((f) => !isEmpty(record[f.name]))).map(([group, fs]) => (
            <section class="panel" aria-labelledby={`g-${group}`}>
              <h2 id={`g-${group}`}>{groupLabel(e, group)}</h2>
              <div class="grid">
                {fs.map((f) => <InlineField e={e} f={f} record={record} onSaved={onSaved} mayEdit={mayEdit} hideEmpty={!showEmpty} />)}
              </div>
            </section>
          ))}
          {rels.map((rel) => (
            <RelatedPanel rel={rel} id={id} empty={emptyRels.has(relKey(rel))} onRows={(n) => setEmptyRels((old) => {
              const next = new Set(old);
              if (n) next.delete(relKey(rel)); else next.add(relKey(rel));
              return next;
            })} />
          ))}
          {rels.some((rel) => emptyRels.has(relKey(rel))) && (
            <section class="panel add-related" aria-label={t('rec.addTitle')}>
              <span class="muted">{t('rec.addTitle')}</span>
              {rels.filter((rel) => emptyRels.has(relKey(rel))).map((rel) => <QuickCreate rel={rel} id={id} />)}
            </section>
          )}
        </div>
        <aside class="record-side">
          {panels('side').map((P) => <P e={e} record={record} onSaved={onSaved} />)}
          <div class="tabs" role="tablist">
            {hasTimeline && <button role="tab" type="button" aria-selected={tab === 'timeline'} onClick={() => setTab('timeline')}>{t('rec.timeline')}</button>}
            <button role="tab" type="button" aria-selected={tab === 'history' || !hasTimeline} onClick={() => setTab('history')}>{t('rec.history')}</button>
          </div>
          <div role="tabpanel">
            {tab === 'timeline' && hasTimeline ? <Timeline e={e} id={id} record={record} key={record.version} /> : <History e={e} id={id} version={record.version} record={record} />}
          </div>
        </aside>
      </div>
    </article>
  );
}
