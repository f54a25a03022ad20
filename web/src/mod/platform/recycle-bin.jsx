// The recycle bin: the deleted records of one entity at a time (the entity is in the
// address, so reload and links keep it), most recently deleted first, filtered by name,
// each restored with one button, with who deleted it (empty for records deleted before
// Rapport kept it and nobody's delete is in their history). What a user sees and may
// restore is what their role allows: the server checks the delete permission on each
// record. Administrators also delete a record permanently, or empty the entity's bin
// (everything, or what was deleted more than so many days ago); a record live records
// still refer to stays, and the message says why.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { entityLabel, formatDateTime, t } from '../../i18n.js';
import { Link, navigate, recordPath, useLocation } from '../../router.js';
import { binEntities } from '../index.js';
import { isAdmin, recordTitle } from '../../state.js';
import { errorText, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';

export function RecycleBin() {
  const { query } = useLocation();
  const ents = binEntities();
  const e = ents.find((x) => x.name === query.get('entity')) || ents[0];
  const [typed, setTyped] = useState(''); // the filter as typed, applied on Enter
  const [filter, setFilter] = useState('');
  const [rows, setRows] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [msg, setMsg] = useState(null);
  const [age, setAge] = useState('0'); // empty the bin of what was deleted more than `age` days ago
  usePageTitle(t('bin.title'));
  const titleField = e && (e.fields.find((f) => f.name === e.title_field) ? e.title_field : null);
  const page = (cursor) => api.get(`/${e.name}`, {
    deleted: 'only', sort: '-updated_at', limit: 50, cursor: cursor || undefined,
    ...(filter.trim() && titleField ? { [`${titleField}[like]`]: `*${filter.trim()}*` } : {}),
  });
  useFetch(() => {
    setRows(null); setError(null);
    return e ? page(null) : null;
  }, [e?.name, filter], (r) => { setRows(r.data); setNext(r.next_cursor); }, setError);

  if (!e) return <Notice>{t('bin.nothing')}</Notice>;
  const more = () => page(next).then((r) => { setRows([...rows, ...r.data]); setNext(r.next_cursor); }, setError);
  const title = (r) => recordTitle(e, r) || r.id;
  const restore = (r) => api.post(`/${e.name}/${r.id}/restore`).then(() => {
    setRows(rows.filter((x) => x.id !== r.id));
    setMsg({ kind: 'info', id: r.id, text: t('bin.restored', { title: title(r) }) });
  }, (err) => setMsg({ kind: 'error', text: err.status === 409 ? err.message : errorText(err) }));
  const mayRestore = e.permissions.delete !== 'none';
  const admin = isAdmin();
  const purge = (r) => {
    if (!window.confirm(t('bin.purgeConfirm', { title: title(r) }))) return;
    api.post(`/${e.name}/${r.id}/purge`).then(() => {
      setRows(rows.filter((x) => x.id !== r.id));
      setMsg({ kind: 'info', text: t('bin.purged', { title: title(r) }) });
    }, (err) => setMsg({ kind: 'error', text: errorText(err) }));
  };
  // One call purges at most 10,000 records: call again while the server says there are more.
  const emptyBin = async () => {
    const ask = age === '0' ? t('bin.emptyConfirmAll', { entity: entityLabel(e) })
      : t('bin.emptyConfirmOlder', { entity: entityLabel(e), days: age });
    if (!window.confirm(ask)) return;
    let purged = 0;
    let kept = 0;
    try {
      for (;;) {
        const r = await api.post(`/${e.name}/purge`, { older_than_days: Number(age) });
        purged += r.purged;
        kept = r.kept;
        if (!r.more || r.purged === 0) break;
      }
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
      return;
    }
    setMsg({ kind: 'info', text: kept ? t('bin.emptiedKept', { n: purged, kept }) : t('bin.emptied', { n: purged }) });
    page(null).then((r) => { setRows(r.data); setNext(r.next_cursor); }, setError);
  };
  return (
    <section aria-labelledby="bin-h">
      <h1 id="bin-h">{t('bin.title')}</h1>
      <p class="muted">{t('bin.intro')}</p>
      <div class="toolbar">
        <label for="bin-entity">{t('bin.entity')}</label>
        <select id="bin-entity" value={e.name} onChange={(ev) => navigate(`/recycle-bin?entity=${ev.target.value}`, { replace: true })}>
          {ents.map((x) => <option value={x.name}>{entityLabel(x)}</option>)}
        </select>
        {titleField && (
          <input type="search" aria-label={t('bin.filter')} placeholder={t('bin.filter')} value={typed}
            onInput={(ev) => setTyped(ev.target.value)} onChange={(ev) => setFilter(ev.target.value)} />
        )}
        {admin && rows && rows.length > 0 && (
          <span class="bin-empty">
            <select aria-label={t('bin.emptyAge')} value={age} onChange={(ev) => setAge(ev.target.value)}>
              <option value="0">{t('bin.ageAll')}</option>
              {['30', '90', '365'].map((d) => <option value={d}>{t('bin.ageOlder', { days: d })}</option>)}
            </select>
            <button type="button" class="danger" onClick={emptyBin}>{t('bin.emptyBin')}</button>
          </span>
        )}
      </div>
      {msg && (
        <Notice kind={msg.kind} onClose={() => setMsg(null)}>
          {msg.text}{msg.id && <> <Link href={recordPath(e.name, msg.id)}>{t('bin.open')}</Link></>}
        </Notice>
      )}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!rows && !error && <Loading />}
      {rows && !rows.length && <p class="muted">{t('bin.empty', { entity: entityLabel(e) })}</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table aria-label={t('bin.tableOf', { entity: entityLabel(e) })}>
            <thead><tr>
              <th scope="col">{t('bin.name')}</th>
              <th scope="col">{t('bin.deletedAt')}</th>
              <th scope="col">{t('bin.deletedBy')}</th>
              {e.name !== 'teams' && e.name !== 'pipeline_stages' && <th scope="col">{t('bin.owner')}</th>}
              <th scope="col"><span class="sr-only">{t('bin.actions')}</span></th>
            </tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{title(r)}</td>
                  <td><time dateTime={r.deleted_at}>{formatDateTime(r.deleted_at)}</time></td>
                  <td><RefName entity="users" id={r.deleted_by} /></td>
                  {e.name !== 'teams' && e.name !== 'pipeline_stages' && <td><RefName entity="users" id={r.owner_id} /></td>}
                  <td>
                    {mayRestore && (
                      <button type="button" aria-label={t('bin.restoreOne', { title: title(r) })} onClick={() => restore(r)}>
                        {t('bin.restore')}
                      </button>
                    )}
                    {admin && (
                      <button type="button" class="danger" aria-label={t('bin.purgeOne', { title: title(r) })} onClick={() => purge(r)}>
                        {t('bin.purge')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <button type="button" onClick={more}>{t('list.loadMore')}</button>}
    </section>
  );
}
