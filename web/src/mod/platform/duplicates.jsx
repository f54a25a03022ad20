// Finding and merging duplicates, for entities with duplicate checks (`duplicates` in
// /meta: accounts, contacts, leads). /duplicates?entity= lists the groups the server
// finds (GET /{res}/duplicates: only records the user can see); /merge?entity=&ids=
// puts the records side by side: the user picks the one that stays and, field by field,
// the value to keep, sees what moves to it (the related records they can see), and
// confirms (POST /{res}/{id}/merge). The duplicate warning of a record's inline edit
// opens the merge screen too.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { FieldValue, RefName } from '../../fields.jsx';
import { entityLabel, fieldLabel, formatDateTime, t } from '../../i18n.js';
import { relatedLists } from '../../record.jsx';
import { Link, navigate, recordPath, useLocation } from '../../router.js';
import { entityMeta, recordTitle } from '../../state.js';
import { dupEntities } from '../index.js';
import { errorText, flash, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';

const mergePath = (e, ids) => `/merge?entity=${e}&ids=${ids.join(',')}`;
const reasonText = (r) => t('form.reasons', { r: t(`dup.reason.${r}`) });
// Fields a merge may take from either record: what the user can write, not the system's.
const mergeable = (e) => e.fields.filter((f) => !f.readonly && f.type !== 'password');

export function DuplicatesPage() {
  const { query } = useLocation();
  const ents = dupEntities();
  const e = ents.find((x) => x.name === query.get('entity')) || ents[0];
  const [groups, setGroups] = useState(null);
  const [error, setError] = useState(null);
  usePageTitle(t('dups.title'));
  useFetch(() => { setGroups(null); setError(null); return e ? api.get(`/${e.name}/duplicates`) : null; },
    [e?.name], (r) => setGroups(r.data), setError);
  if (!e) return <Notice>{t('dups.none')}</Notice>;
  return (
    <section aria-labelledby="dups-h">
      <h1 id="dups-h">{t('dups.title')}</h1>
      <div class="toolbar">
        <label for="dups-entity">{t('dups.entity')}</label>
        <select id="dups-entity" value={e.name} onChange={(ev) => navigate(`/duplicates?entity=${ev.target.value}`, { replace: true })}>
          {ents.map((x) => <option value={x.name}>{entityLabel(x)}</option>)}
        </select>
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!groups && !error && <Loading />}
      {groups && !groups.length && <p class="muted">{t('dups.empty', { entity: entityLabel(e) })}</p>}
      {groups && groups.map((g, i) => (
        <section class="card dup-group" aria-label={t('dups.group', { n: i + 1 })}>
          <h2>{t('dups.groupTitle', { n: g.records.length, reason: reasonText(g.reason) })}</h2>
          <ul>
            {g.records.map((r) => (
              <li>
                <Link href={recordPath(e.name, r.id)}>{recordTitle(e, r) || r.id}</Link>
                {' '}<span class="muted">· {t('dup.owner')} <RefName entity="users" id={r.owner_id} /> · {formatDateTime(r.created_at)}</span>
              </li>
            ))}
          </ul>
          <Link href={mergePath(e.name, g.records.map((r) => r.id))} class="button">{t('dups.merge')}</Link>
        </section>
      ))}
    </section>
  );
}

// What moves to the surviving record: per merged record, the related records the user
// can see (contacts, deals, activities …), counted.
function useMoves(e, ids) {
  const [moves, setMoves] = useState(null);
  useFetch(() => {
    const lists = relatedLists(e);
    const count = (id, { other, field, extra }) =>
      api.get(`/${other.name}`, { [field]: id, ...(extra || {}), count: 'true', limit: 1 })
        .then((r) => ({ other, n: r.total }), () => ({ other, n: 0 }));
    return Promise.all(ids.map((id) => Promise.all(lists.map((l) => count(id, l)))
      .then((counts) => [id, counts.filter((c) => c.n > 0)])));
  }, [e.name, ids.join(',')], (r) => setMoves(Object.fromEntries(r)), () => setMoves({}));
  return moves;
}

export function MergePage() {
  const { query } = useLocation();
  const e = entityMeta(query.get('entity') || '');
  const ids = (query.get('ids') || '').split(',').filter(Boolean);
  const [records, setRecords] = useState(null);
  const [error, setError] = useState(null);
  const [keep, setKeep] = useState(ids[0]);
  const [pick, setPick] = useState({}); // field → id of the record whose value stays
  const [busy, setBusy] = useState(false);
  usePageTitle(t('merge.title'));
  // Other records (a link from another merge): start over.
  useFetch(() => {
    setRecords(null); setError(null); setKeep(ids[0]); setPick({});
    return e && e.duplicates && ids.length >= 2 ? Promise.all(ids.map((id) => api.get(`/${e.name}/${id}`))) : null;
  }, [e?.name, ids.join(',')], setRecords, setError);
  const moves = useMoves(e || { name: '' }, e ? ids : []);
  if (!e || !e.duplicates || ids.length < 2) return <Notice kind="error">{t('merge.bad')}</Notice>;
  if (error) return <Notice kind="error">{error.status === 404 ? t('rec.notFound') : errorText(error)}</Notice>;
  if (!records) return <Loading />;

  const byId = Object.fromEntries(records.map((r) => [r.id, r]));
  const survivor = byId[keep];
  const empty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);
  const same = (f) => records.every((r) => JSON.stringify(r[f.name] ?? null) === JSON.stringify(records[0][f.name] ?? null));
  const fields = mergeable(e).filter((f) => !same(f));
  // The value a field keeps: the user's pick, else the survivor's, else the first set.
  const chosen = (f) => pick[f.name] || (!empty(survivor[f.name]) ? keep : records.find((r) => !empty(r[f.name]))?.id || keep);
  const others = ids.filter((id) => id !== keep);

  async function merge() {
    const title = recordTitle(e, survivor) || keep;
    if (!window.confirm(t('merge.confirm', { n: others.length, title }))) return;
    const values = {};
    for (const f of fields) if (chosen(f) !== keep) values[f.name] = byId[chosen(f)][f.name] ?? '';
    setBusy(true);
    try {
      await api.post(`/${e.name}/${keep}/merge`, { from: others, fields: values });
      navigate(recordPath(e.name, keep));
      flash(t('merge.done', { n: others.length }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="merge-h" class="merge">
      <h1 id="merge-h">{t('merge.heading', { entity: entityLabel(e) })}</h1>
      <p class="muted">{t('merge.intro')}</p>
      <div class="table-wrap">
        <table aria-label={t('merge.table')}>
          <thead>
            <tr>
              <th scope="col">{t('merge.field')}</th>
              {records.map((r) => (
                <th scope="col">
                  <label class="keep">
                    <input type="radio" name="merge-keep" checked={keep === r.id} onChange={() => { setKeep(r.id); setPick({}); }}
                      aria-label={t('merge.keepOne', { title: recordTitle(e, r) || r.id })} />
                    {' '}<Link href={recordPath(e.name, r.id)}>{recordTitle(e, r) || r.id}</Link>
                  </label>
                  <div class="muted small">{keep === r.id ? t('merge.stays') : t('merge.goes')}</div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => (
              <tr>
                <th scope="row">{fieldLabel(f)}</th>
                {records.map((r) => (
                  <td class={chosen(f) === r.id ? 'chosen' : ''}>
                    <label>
                      <input type="radio" name={`merge-${f.name}`} checked={chosen(f) === r.id}
                        onChange={() => setPick({ ...pick, [f.name]: r.id })}
                        aria-label={t('merge.takeValue', { field: fieldLabel(f), title: recordTitle(e, r) || r.id })} />
                      {' '}{empty(r[f.name]) ? <span class="muted">—</span> : <FieldValue field={f} record={r} />}
                    </label>
                  </td>
                ))}
              </tr>
            ))}
            {!fields.length && <tr><td colSpan={records.length + 1} class="muted">{t('merge.allSame')}</td></tr>}
          </tbody>
        </table>
      </div>
      <section class="card" aria-labelledby="moves-h">
        <h2 id="moves-h">{t('merge.moves', { title: recordTitle(e, survivor) || keep })}</h2>
        {!moves ? <Loading /> : (
          <ul>
            {others.map((id) => (
              <li>
                {recordTitle(e, byId[id]) || id}:{' '}
                {(moves[id] || []).length
                  ? moves[id].map((m) => t('merge.count', { n: m.n, entity: entityLabel(m.other) })).join(', ')
                  : t('merge.nothing')}
              </li>
            ))}
          </ul>
        )}
        <p class="muted small">{t('merge.hidden')}</p>
      </section>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={merge}>
          {t('merge.submit', { n: others.length, title: recordTitle(e, survivor) || keep })}
        </button>
        <Link href={`/duplicates?entity=${e.name}`}>{t('merge.back')}</Link>
      </div>
    </section>
  );
}
