// List views from metadata: columns, header sorting, a filter per column, full-text
// search, keyset paging with "load more", row selection with bulk reassign/delete, and
// saved views (kept in this browser per user: the API has no place for them yet).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, urlOf } from './api.js';
import { About, EnumName, FieldValue, RefName, refOf, SMALL } from './fields.jsx';
import { entityLabel, fieldLabel, formatNumber, getLang, t } from './i18n.js';
import { Link, navigate, recordPath, useLocation } from './router.js';
import { assignable, isPerson, recordTitle, searchable, session, systemField, useAll } from './state.js';
import { errorText, Loading, markPainted, Notice, usePageTitle } from './ui.jsx';
import { LIST_ACTIONS } from './mod/index.js';

export const LIST_PAGE = 50;
// The owner column: its labels are /meta's (system_fields).
const ownerColumn = () => systemField('owner_id', { type: 'ref', ref: 'users', list: true });
const TEXTUAL = new Set(['string', 'email', 'phone', 'url', 'text']);
const RANGE = new Set(['money', 'int', 'percent', 'date', 'datetime']);

// The columns of e's list; `fixed` (a related list's filter, {account_id: …}) drops
// the column every row has the same value in. People (contacts, leads) show their full
// name once, in the title column. The records rolling up to one (an account's
// activities) say what each is about, after the title: an "about" column whose `about`
// is the record they roll up to.
export function listColumns(e, fixed = null) {
  const person = isPerson(e);
  const cols = e.fields.filter((f) => f.list && f.type !== 'password' && f.type !== 'json' &&
    !(fixed && f.name in fixed) && !(person && f.name === 'first_name'));
  const up = fixed && e.fields.find((f) => f.rollup && f.name in fixed);
  if (up) {
    cols.splice(cols.findIndex((f) => f.name === e.title_field) + 1, 0,
      { name: 'about', type: 'about', about: { entity: up.ref, id: fixed[up.name] } });
  }
  return e.name === 'users' || e.name === 'teams' || e.name === 'pipeline_stages' ? cols : [...cols, ownerColumn()];
}

// UI filter values → API query parameters.
export function filterParams(fields, filters) {
  const q = {};
  for (const f of fields) {
    const v = filters[f.name];
    if (v === undefined || v === null || v === '') continue;
    if (RANGE.has(f.type)) {
      const dt = f.type === 'datetime';
      if (v.from) q[`${f.name}[gte]`] = dt ? `${v.from}T00:00:00Z` : v.from;
      if (v.to) q[`${f.name}[lte]`] = dt ? `${v.to}T23:59:59Z` : v.to;
    } else if (TEXTUAL.has(f.type)) {
      q[`${f.name}[like]`] = `*${v}*`;
    } else {
      q[f.name] = v;
    }
  }
  return q;
}

// API query parameters → UI filter values: the inverse of filterParams, for a list
// whose state is in the address.
export function filtersFromQuery(fields, query) {
  const out = {};
  for (const f of fields) {
    if (RANGE.has(f.type)) {
      const day = (v) => (v && f.type === 'datetime' ? v.slice(0, 10) : v);
      const from = day(query.get(`${f.name}[gte]`)), to = day(query.get(`${f.name}[lte]`));
      if (from || to) out[f.name] = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
    } else if (TEXTUAL.has(f.type)) {
      const like = /^\*(.*)\*$/.exec(query.get(`${f.name}[like]`) || '');
      if (like && like[1]) out[f.name] = like[1];
    } else if (query.get(f.name)) {
      out[f.name] = query.get(f.name);
    }
  }
  return out;
}

function ColumnFilter({ f, value, onChange }) {
  const id = `flt-${f.name}`;
  const label = t('list.filter', { field: fieldLabel(f) });
  const owners = useAll(refOf(f) && SMALL.has(refOf(f)) ? refOf(f) : null);
  if (RANGE.has(f.type)) {
    const type = f.type === 'date' || f.type === 'datetime' ? 'date' : 'text';
    const v = value || {};
    const upd = (k, x) => onChange({ ...v, [k]: x });
    return (
      <div class="range">
        <input id={id} type={type} inputmode={type === 'text' ? 'decimal' : undefined} aria-label={`${label} ${t('list.from')}`}
          placeholder={t('list.from')} value={v.from || ''} onChange={(ev) => upd('from', ev.target.value)} />
        <input type={type} inputmode={type === 'text' ? 'decimal' : undefined} aria-label={`${label} ${t('list.to')}`}
          placeholder={t('list.to')} value={v.to || ''} onChange={(ev) => upd('to', ev.target.value)} />
      </div>
    );
  }
  if (f.type === 'enum' || f.type === 'bool' || owners) {
    const opts = f.type === 'bool' ? [['true', t('yes')], ['false', t('no')]]
      : owners ? owners.map((u) => [u.id, recordTitle(session.byName[refOf(f)], u)]) : (f.enum || []).map((x) => [x, <EnumName field={f} value={x} />]);
    return (
      <select id={id} aria-label={label} value={value || ''} onChange={(ev) => onChange(ev.target.value)}>
        <option value="">{t('list.any')}</option>
        {opts.map(([k, l]) => <option value={k}>{l}</option>)}
      </select>
    );
  }
  if (TEXTUAL.has(f.type)) {
    return <DebouncedInput id={id} label={label} value={value || ''} onChange={onChange} />;
  }
  return null;
}

function DebouncedInput({ id, label, value, onChange, type = 'search', placeholder }) {
  const [v, setV] = useState(value);
  const timer = useRef(null);
  useEffect(() => setV(value), [value]);
  return (
    <input id={id} type={type} aria-label={label} placeholder={placeholder} value={v}
      onInput={(ev) => {
        const x = ev.target.value;
        setV(x);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => onChange(x), 250);
      }} />
  );
}

const viewsKey = (e) => `rapport.views.${session.user.id}.${e.name}`;
function loadViews(e) {
  try { return JSON.parse(localStorage.getItem(viewsKey(e))) || []; } catch { return []; }
}

// onRows(n): told how many rows the first page has (a record page folds an empty
// related list away).
export function ListView({ e, fixed = null, compact = false, onRows }) {
  const cols = useMemo(() => listColumns(e, fixed), [e, JSON.stringify(fixed)]);
  // A page's list keeps its sort, filters and search in the address (reload, back and
  // shared links keep them), in the API's own parameters; a related list on a record
  // page keeps them to itself.
  const { query } = useLocation();
  const [own, setOwn] = useState({ sort: '', filters: {}, q: '' });
  const state = compact ? own : { sort: query.get('sort') || '', filters: filtersFromQuery(cols, query), q: query.get('q') || '' };
  const { sort, filters, q } = state; // sort '': the server's order
  // change: the new parts, or a function of the state as it is now — read from the
  // address when the call is made, not when the page rendered (a debounced search
  // would otherwise undo a sort clicked meanwhile).
  function setState(change) {
    const merge = (now) => ({ ...now, ...(typeof change === 'function' ? change(now) : change) });
    if (compact) { setOwn(merge); return; }
    const cur = new URLSearchParams(location.search);
    const next = merge({ sort: cur.get('sort') || '', filters: filtersFromQuery(cols, cur), q: cur.get('q') || '' });
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(filterParams(cols, next.filters))) qs.set(k, v);
    if (next.q) qs.set('q', next.q);
    if (next.sort) qs.set('sort', next.sort);
    const s = qs.toString();
    navigate(`/r/${e.name}${s ? `?${s}` : ''}`, { replace: true, keepScroll: true });
  }
  const setQ = (v) => setState({ q: v });
  const setFilters = (v) => setState((now) => ({ filters: typeof v === 'function' ? v(now.filters) : v }));
  const [rows, setRows] = useState(null);
  const [total, setTotal] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(new Set());
  const [listAction, setListAction] = useState(null); // a module's form for the selection (LIST_ACTIONS)
  const [notice, setNotice] = useState(null);
  const [views, setViews] = useState(() => loadViews(e));
  const [reassignTo, setReassignTo] = useState('');
  const users = useAll(selected.size ? 'users' : null);
  const teams = useAll(selected.size && e.permissions.edit === 'team_and_below' ? 'teams' : null);
  // Whom the selection may be given to (null: the role gives records to nobody else).
  const assignees = assignable(e, users || [], teams);
  const seq = useRef(0);
  usePageTitle(compact ? undefined : entityLabel(e));

  // The default sort is left to the server, so the first page's URL is the one main.jsx
  // primes while the metadata loads. Its order is the entity's default sort, or for a
  // search the newest matches first.
  const searching = searchable(q);
  const shownSort = sort || (searching ? '' : e.default_sort);
  const params = () => ({ ...filterParams(cols, filters), ...(fixed || {}), q: searching ? q.trim() : undefined,
    sort: sort || undefined });

  // The total comes from its own request so that counting a big table never delays
  // the first rows.
  async function load(more = false) {
    const n = ++seq.current;
    try {
      const page = api.get(`/${e.name}`, { ...params(), limit: compact ? 10 : LIST_PAGE, cursor: more ? cursor : undefined });
      if (!more) {
        setTotal(null);
        api.get(`/${e.name}`, { ...params(), limit: 1, count: 'true' })
          .then((c) => { if (n === seq.current) setTotal(c.total); }, () => {});
      }
      const r = await page;
      if (n !== seq.current) return;
      setError(null);
      setRows((old) => (more ? [...old, ...r.data] : r.data));
      if (!more) onRows?.(r.data.length);
      if (!more) setSelected(new Set());
      setCursor(r.next_cursor);
      if (!compact) markPainted('rapport:list-painted');
    } catch (err) {
      if (n === seq.current) setError(err);
    }
  }
  // A layout effect: the first request leaves before the browser paints the shell.
  useLayoutEffect(() => { setRows(null); load(); }, [e.name, sort, JSON.stringify(filters), q, JSON.stringify(fixed)]);

  const toggleSort = (f) => setState((now) => {
    const cur = (now.sort || (searchable(now.q) ? '' : e.default_sort)).split(',')[0];
    return { sort: cur === f.name ? `-${f.name}` : f.name };
  });
  const sortState = (f) => {
    const cur = shownSort.split(',')[0];
    return cur === f.name ? 'ascending' : cur === `-${f.name}` ? 'descending' : 'none';
  };

  async function bulk(action) {
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => {
      const r = rows.find((x) => x.id === id);
      return action === 'delete' ? api.del(`/${e.name}/${id}`, { version: r.version })
        : api.patch(`/${e.name}/${id}`, { owner_id: reassignTo }, { version: r.version });
    }));
    const failed = results.filter((x) => x.status === 'rejected');
    setNotice({ kind: failed.length ? 'error' : 'info',
      text: t('list.bulkDone', { ok: ids.length - failed.length, failed: failed.length }) +
        (failed.length ? ` — ${errorText(failed[0].reason)}` : '') });
    load();
  }

  function saveView() {
    const name = window.prompt(t('list.viewName'));
    if (!name) return;
    const next = [...views.filter((v) => v.name !== name), { name, sort, filters, q }];
    localStorage.setItem(viewsKey(e), JSON.stringify(next));
    setViews(next);
  }
  function applyView(name) {
    const v = views.find((x) => x.name === name);
    if (!v) return;
    setState({ sort: v.sort, filters: v.filters, q: v.q });
  }
  function deleteView(name) {
    const next = views.filter((v) => v.name !== name);
    localStorage.setItem(viewsKey(e), JSON.stringify(next));
    setViews(next);
  }

  const allChecked = rows && rows.length > 0 && rows.every((r) => selected.has(r.id));
  const canCreate = e.permissions.create !== 'none';
  // The list as it is shown (filters, search, sort), every row the user may export.
  const canExport = e.permissions.export !== 'none';
  const canBulk = !compact && (e.permissions.delete !== 'none' || e.permissions.edit !== 'none') && e.name !== 'users';
  const titleCol = cols.find((f) => f.name === e.title_field) || cols[0];
  // A person's title column holds the full name.
  const colLabel = (f) => (isPerson(e) && f === titleCol ? t('list.name') : f.about ? t('about.column') : fieldLabel(f));
  // On a phone a row is a card: the title, two key fields and the owner (app.css).
  const keyCols = cols.filter((f) => f !== titleCol && f.name !== 'owner_id').slice(0, 2);
  const role = (f) => (f === titleCol ? 'title' : f.name === 'owner_id' ? 'owner' : keyCols.includes(f) ? 'key' : 'extra');
  // The rows only change with the data, the selection and the columns; a new total or
  // notice re-renders the page without diffing every cell again.
  const body = useMemo(() => rows && rows.map((r) => (
      <tr class={selected.has(r.id) ? 'selected' : ''}>
        {canBulk && <td class="sel"><input type="checkbox" aria-label={t('list.selectRow', { name: recordTitle(e, r) })}
          checked={selected.has(r.id)} onChange={(ev) => {
            const next = new Set(selected);
            if (ev.target.checked) next.add(r.id); else next.delete(r.id);
            setSelected(next);
          }} /></td>}
        {cols.map((f) => (
          <td data-label={colLabel(f)} class={`${role(f)} ${f.type === 'money' || f.type === 'int' || f.type === 'percent' ? 'num' : ''}`}>
            {f === titleCol ? <Link href={recordPath(e.name, r.id)}>{(e.name === 'users' ? r.username : recordTitle(e, r)) || '—'}</Link>
              : f.name === 'owner_id' ? <RefName entity="users" id={r.owner_id} />
              : f.about ? <About e={e} record={r} home={f.about} /> : <FieldValue field={f} record={r} />}
          </td>
        ))}
      </tr>
  )), [rows, selected, cols, canBulk, titleCol, getLang()]);

  return (
    <section class="list" aria-label={entityLabel(e)}>
      {!compact && (
        <div class="toolbar">
          <h1>{entityLabel(e)}</h1>
          {total !== null && total !== undefined && <span class="muted total">{t('list.total', { n: formatNumber(total) })}</span>}
          <DebouncedInput id={`q-${e.name}`} label={t('list.search', { entity: entityLabel(e) })}
            placeholder={t('list.search', { entity: entityLabel(e) })} value={q} onChange={setQ} />
          {views.length > 0 && (
            <select aria-label={t('list.views')} value="" onChange={(ev) => applyView(ev.target.value)}>
              <option value="">{t('list.views')}</option>
              {views.map((v) => <option value={v.name}>{v.name}</option>)}
            </select>
          )}
          <button type="button" onClick={saveView}>{t('list.saveView')}</button>
          {views.length > 0 && (
            <select aria-label={t('list.deleteView')} value="" onChange={(ev) => deleteView(ev.target.value)}>
              <option value="">{t('list.deleteView')}</option>
              {views.map((v) => <option value={v.name}>{v.name}</option>)}
            </select>
          )}
          {Object.keys(filters).length > 0 && <button type="button" onClick={() => setFilters({})}>{t('list.clear')}</button>}
          {e.duplicates && <Link class="button" href={`/duplicates?entity=${e.name}`}>{t('list.findDups')}</Link>}
          {e.importable && e.permissions.import !== 'none' && <Link class="button" href={`/import?entity=${e.name}`}>{t('list.import')}</Link>}
          {canExport && ['csv', 'xlsx'].map((format) => (
            <a class="button" href={urlOf(`/${e.name}/export`, { ...params(), format })} download>
              {t(`list.export.${format}`)}</a>
          ))}
          {canCreate && <button type="button" class="primary" onClick={() => navigate(`/r/${e.name}/new`)}>{t('list.new', { entity: entityLabel(e, false) })}</button>}
        </div>
      )}
      {notice && <Notice kind={notice.kind} onClose={() => setNotice(null)}>{notice.text}</Notice>}
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {canBulk && selected.size > 0 && (
        <div class="bulk" role="region" aria-label={t('list.selected', { n: selected.size })}>
          <span>{t('list.selected', { n: selected.size })}</span>
          {assignees && (
            <>
              <select aria-label={t('list.reassign')} value={reassignTo} onChange={(ev) => setReassignTo(ev.target.value)}>
                <option value="">{t('list.reassign')}</option>
                {assignees.filter((u) => u.active).map((u) => <option value={u.id}>{recordTitle(session.byName.users, u)}</option>)}
              </select>
              <button type="button" disabled={!reassignTo} onClick={() => bulk('reassign')}>{t('list.reassignGo')}</button>
            </>
          )}
          {e.permissions.delete !== 'none' && e.deletable && (
            <button type="button" class="danger" onClick={() => window.confirm(t('list.deleteConfirm', { n: selected.size })) && bulk('delete')}>
              {t('list.delete')}</button>
          )}
          {!listAction && LIST_ACTIONS.filter((x) => x.when(e)).map((x) => (
            <button type="button" onClick={() => setListAction(x)}>{t(x.label)}</button>
          ))}
          {listAction && <listAction.component e={e} ids={[...selected]} onClose={() => setListAction(null)}
            onDone={() => { setListAction(null); setSelected(new Set()); }} />}
        </div>
      )}
      <div class="table-wrap">
        <table class="records">
          <thead>
            <tr>
              {canBulk && <th class="sel"><input type="checkbox" aria-label={t('list.selectAll')} checked={allChecked}
                onChange={(ev) => setSelected(ev.target.checked ? new Set(rows.map((r) => r.id)) : new Set())} /></th>}
              {cols.map((f) => (
                <th aria-sort={sortState(f)} scope="col">
                  {compact || f.sortable === false ? colLabel(f) : (
                    <button type="button" class="sort" aria-label={t('list.sortBy', { field: colLabel(f) })} onClick={() => toggleSort(f)}>
                      {colLabel(f)} <span aria-hidden="true">{{ ascending: '▲', descending: '▼', none: '' }[sortState(f)]}</span>
                    </button>
                  )}
                </th>
              ))}
            </tr>
            {!compact && (
              <tr class="filters">
                {canBulk && <th />}
                {cols.map((f) => (
                  <th><ColumnFilter f={f} value={filters[f.name]} onChange={(v) => setFilters((old) => {
                    const next = { ...old };
                    const empty = v === '' || v === null || (typeof v === 'object' && !v.from && !v.to);
                    if (empty) delete next[f.name]; else next[f.name] = v;
                    return next;
                  })} /></th>
                ))}
              </tr>
            )}
          </thead>
          <tbody>{body}</tbody>
        </table>
      </div>
      {!rows && !error && <Loading />}
      {rows && rows.length === 0 && <p class="muted">{t('list.empty')}</p>}
      <div class="list-foot">
        {rows && total !== null && total !== undefined && <span class="muted">{t('list.shown', { shown: formatNumber(rows.length), n: formatNumber(total) })}</span>}
        {cursor && <button type="button" onClick={() => load(true)}>{t('list.loadMore')}</button>}
      </div>
    </section>
  );
}
