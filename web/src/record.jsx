// The record page: fields in panels by group with inline edit (If-Match on every
// change), related lists found from the metadata, the timeline, the field history,
// and the modules' record panels (web/src/mod/index.js: the customer card, a user's
// actions, sharing).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, request } from './api.js';
import { effectiveField, FieldInput, FieldValue, groupFields, RefName, validate } from './fields.jsx';
import { Conflicts, Duplicates, RecordForm, saveRecord } from './form.jsx';
import { entityLabel, enumLabel, fieldLabel, formatDateTime, groupLabel, t } from './i18n.js';
import { ListView } from './list.jsx';
import { navigate, listPath, recordPath, Link } from './router.js';
import { RECORD_PANELS } from './mod/index.js';
import { canRead, entityMeta, recordTitle, rememberTitle, session, systemField } from './state.js';
import { errorText, flash, Loading, Notice, useFetch, usePageTitle } from './ui.jsx';

// The owner, shown with the fields: its labels are /meta's (system_fields).
const ownerField = () => systemField('owner_id', { type: 'ref', ref: 'users', group: 'system' });

function InlineField({ e, f, record, onSaved, mayEdit }) {
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
        <Duplicates e={e} list={p.duplicates} anywayLabel={t('form.dupSaveAnyway')} onAnyway={() => save({ allowDuplicate: true })} />
      )}
      {problem?.status === 409 && p.conflicts && <Conflicts list={p.conflicts} onAnyway={() => save({ allowConflict: true })} />}
      {problem?.status === 412 && (
        <Notice kind="warn">{t('rec.stale')} <button type="button" onClick={reload}>{t('rec.reload')}</button></Notice>
      )}
      {problem && ![409, 412, 422].includes(problem.status) && <Notice kind="error">{errorText(problem)}</Notice>}
    </div>
  );
}

function Timeline({ e, id }) {
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
                <span>{it.kind === 'created' ? t('rec.createdEvent', { entity: entityLabel(re, false), title: '' }) : `${enumLabel(it.kind)}: `}
                  <Link href={recordPath(it.entity, rec.id)}>{recordTitle(re, rec) || rec.subject || rec.id}</Link>
                  {rec.type && it.entity === 'activities' ? ` (${enumLabel(rec.type)})` : ''}</span>
              ) : (
                <span><Change e={e} h={{ ...it, action: it.action || it.kind }} /></span>
              )}
            </li>
          );
        })}
      </ol>
      {before && <button type="button" onClick={more}>{t('rec.more')}</button>}
    </>
  );
}

const fieldName = (e, name) => {
  const f = e.fields.find((x) => x.name === name) || session.meta?.system_fields?.find((x) => x.name === name);
  return f ? fieldLabel(f) : name;
};

// One entry of the history: who did what, and to which field; a share names the user
// or team ("user:<id>", "team:<id>") and the access given or taken back.
function Change({ e, h }) {
  const share = /^(user|team):(.+)$/.exec(h.field || '');
  if (share && (h.action === 'share' || h.action === 'unshare')) {
    return (
      <>
        <RefName entity="users" id={h.user_id} /> {t(`rec.${h.action}`)} <RefName entity={`${share[1]}s`} id={share[2]} />
        {' '}({t(`share.access.${h.new || h.old}`)})
      </>
    );
  }
  return (
    <>
      <RefName entity="users" id={h.user_id} /> {enumLabel(h.action)}
      {h.field ? <> — {t('rec.changed', { field: fieldName(e, h.field), old: h.old ?? '—', new: h.new ?? '—' })}</> : null}
    </>
  );
}

function History({ e, id, version }) {
  const [rows, setRows] = useState(null);
  useFetch(() => api.get(`/${e.name}/${id}/history`), [id, version], (r) => setRows(r.data), () => setRows([]));
  if (!rows) return <Loading />;
  if (!rows.length) return <p class="muted">{t('rec.none')}</p>;
  return (
    <ol class="history">
      {rows.slice(0, 50).map((h) => (
        <li><time>{formatDateTime(h.at)}</time> <Change e={e} h={h} /></li>
      ))}
    </ol>
  );
}

// Entities with a reference to this one, and activities through related_type/_id.
function relatedLists(e) {
  const out = [];
  for (const other of session.meta.entities) {
    if (!canRead(other)) continue;
    for (const f of other.fields) {
      if (f.type === 'ref' && f.ref === e.name) out.push({ other, field: f.name, label: f.label === e.label ? null : fieldLabel(f) });
    }
    const rt = other.fields.find((f) => f.name === 'related_type');
    if (rt && (rt.enum || []).includes(e.name) && other.fields.some((f) => f.name === 'related_id')) {
      out.push({ other, field: 'related_id', extra: { related_type: e.name } });
    }
  }
  return out;
}

// Takes a record out of the recycle bin and opens it.
export async function restoreRecord(e, id) {
  try {
    await api.post(`/${e.name}/${id}/restore`);
    navigate(recordPath(e.name, id));
    flash(t('rec.restored'));
  } catch (err) {
    flash(errorText(err), { kind: 'error' });
  }
}

export function RecordPage({ e, id }) {
  const [record, setRecord] = useState(null);
  const [allow, setAllow] = useState(''); // what the server says the user may do with it
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState(null);
  const [tab, setTab] = useState('timeline');
  usePageTitle(record ? recordTitle(e, record) : entityLabel(e));

  useFetch(() => {
    setRecord(null); setError(null); setEditing(false);
    return request('GET', `/${e.name}/${id}`);
  }, [e.name, id], (r) => { setRecord(r.body); setAllow(r.allow || ''); }, setError);

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
  const panels = (place) => RECORD_PANELS.filter((x) => x.place === place && x.when(e, record)).map((x) => x.component);
  const hasTimeline = ['accounts', 'contacts', 'leads', 'opportunities'].includes(e.name);
  const fields = e.fields.filter((f) => f.type !== 'password');
  const groups = groupFields(e.name === 'users' || e.name === 'teams' || e.name === 'pipeline_stages' ? fields : [...fields, ownerField()]);
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
          {groups.map(([group, fs]) => (
            <section class="panel" aria-labelledby={`g-${group}`}>
              <h2 id={`g-${group}`}>{groupLabel(e, group)}</h2>
              <div class="grid">
                {fs.map((f) => <InlineField e={e} f={f} record={record} onSaved={onSaved} mayEdit={mayEdit} />)}
              </div>
            </section>
          ))}
          {relatedLists(e).map(({ other, field, extra, label }) => (
            <section class="panel related" aria-label={`${t('rec.related')}: ${entityLabel(other)}${label ? ` (${label})` : ''}`}>
              <h2>{entityLabel(other)}{label ? <span class="muted"> ({label})</span> : null}</h2>
              <ListView e={other} compact fixed={{ [field]: id, ...(extra || {}) }} />
            </section>
          ))}
        </div>
        <aside class="record-side">
          {panels('side').map((P) => <P e={e} record={record} onSaved={onSaved} />)}
          <div class="tabs" role="tablist">
            {hasTimeline && <button role="tab" type="button" aria-selected={tab === 'timeline'} onClick={() => setTab('timeline')}>{t('rec.timeline')}</button>}
            <button role="tab" type="button" aria-selected={tab === 'history' || !hasTimeline} onClick={() => setTab('history')}>{t('rec.history')}</button>
          </div>
          <div role="tabpanel">
            {tab === 'timeline' && hasTimeline ? <Timeline e={e} id={id} key={record.version} /> : <History e={e} id={id} version={record.version} />}
          </div>
        </aside>
      </div>
    </article>
  );
}
