// The recycle bin: the deleted records of one entity at a time (the entity is in the
// address, so reload and links keep it), most recently deleted first, filtered by name,
// each restored with one button. What a user sees and may restore is what their role
// allows: the server checks the delete permission on each record.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { entityLabel, formatDateTime, t } from '../../i18n.js';
import { Link, navigate, recordPath, useLocation } from '../../router.js';
import { binEntities } from '../index.js';
import { recordTitle } from '../../state.js';
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
              {e.name !== 'teams' && e.name !== 'pipeline_stages' && <th scope="col">{t('bin.owner')}</th>}
              <th scope="col"><span class="sr-only">{t('bin.actions')}</span></th>
            </tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{title(r)}</td>
                  <td><time dateTime={r.deleted_at}>{formatDateTime(r.deleted_at)}</time></td>
                  {e.name !== 'teams' && e.name !== 'pipeline_stages' && <td><RefName entity="users" id={r.owner_id} /></td>}
                  <td>
                    {mayRestore && (
                      <button type="button" aria-label={t('bin.restoreOne', { title: title(r) })} onClick={() => restore(r)}>
                        {t('bin.restore')}
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
