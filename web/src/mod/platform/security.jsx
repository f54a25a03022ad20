// Administration › Security: the settings (GET/PATCH /settings: whole numbers with a
// default and bounds; an empty input sends null, which restores the default; a value
// out of bounds is a 422 whose message shows beside its input), and from the security
// log (GET /security-events) the customer-data alerts ("data_alert": object_id is the
// user whose count passed the threshold) and the views of customer records outside
// their owner's team ("record_view": actor_id viewed object_type/object_id), newest
// first, 50 a page. AlertNotice, shown at the top of the other administration pages,
// says when there was an alert in the last 24 hours.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { entityLabel, formatDateTime, formatNumber, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { entityMeta, useTitle } from '../../state.js';
import { errorText, Loading, Notice, useFetch } from '../../ui.jsx';

const PAGE = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
// Settings this screen has words for; another one shows with its key and the server's help.
const KNOWN = new Set(['data_alert_threshold', 'data_alert_window_minutes']);
const settingLabel = (s) => (KNOWN.has(s.key) ? t(`sec.set.${s.key}`) : s.key);
const settingHelp = (s) => (KNOWN.has(s.key) ? t(`sec.set.${s.key}.help`) : s.help);

// The alert's detail is "records=N window_minutes=M threshold=T" (the security log's
// key=value form); it is told in the user's language, or shown as it came.
function alertDetail(ev) {
  const v = Object.fromEntries((ev.detail || '').split(' ').map((kv) => kv.split('=')));
  if (!v.records || !v.window_minutes || !v.threshold) return ev.detail || '';
  return t('sec.alertDetail', {
    n: formatNumber(v.records), minutes: formatNumber(v.window_minutes), threshold: formatNumber(v.threshold),
  });
}

function Settings() {
  const [rows, setRows] = useState(null);
  const [draft, setDraft] = useState({}); // key → the input's text
  const [badInput, setBadInput] = useState({}); // key → the input holds no number
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);

  const show = (data) => {
    setRows(data);
    setDraft(Object.fromEntries(data.map((s) => [s.key, String(s.value)])));
    setBadInput({});
  };
  useFetch(() => api.get('/settings'), [], (r) => show(r.data), setProblem);

  async function submit(ev) {
    ev.preventDefault();
    setNotice(null);
    setProblem(null);
    const body = {};
    const errs = {};
    for (const s of rows) {
      const raw = (draft[s.key] ?? '').trim();
      if (badInput[s.key]) errs[s.key] = t('form.number');
      else if (raw !== String(s.value)) body[s.key] = raw === '' ? null : Number(raw);
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (!Object.keys(body).length) { setNotice(t('rec.saved')); return; }
    setBusy(true);
    try {
      const r = await api.patch('/settings', body);
      show(r.data);
      setNotice(t('rec.saved'));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 422 && Object.keys(err.fields).length) setErrors(err.fields);
      else setProblem(err);
    } finally {
      setBusy(false);
    }
  }

  if (problem && !rows) return <Notice kind="error">{errorText(problem)}</Notice>;
  if (!rows) return <Loading />;
  return (
    <form class="panel settings" noValidate onSubmit={submit} aria-labelledby="sec-settings-h">
      <h3 id="sec-settings-h">{t('sec.settings')}</h3>
      {notice && <Notice onClose={() => setNotice(null)}>{notice}</Notice>}
      {problem && <Notice kind="error">{errorText(problem)}</Notice>}
      {Object.keys(errors).some((k) => !rows.some((s) => s.key === k)) && (
        <Notice kind="error">{Object.entries(errors).filter(([k]) => !rows.some((s) => s.key === k))
          .map(([k, v]) => `${k} ${v}`).join('; ')}</Notice>
      )}
      <div class="grid">
        {rows.map((s) => {
          const id = `set-${s.key}`;
          const label = settingLabel(s);
          const err = errors[s.key];
          return (
            <div class={`field ${err ? 'has-error' : ''}`}>
              <label for={id}>{label}</label>
              <input id={id} type="number" inputMode="numeric" step="1" min={s.min} max={s.max}
                value={draft[s.key] ?? ''} aria-invalid={!!err}
                aria-describedby={`${id}-help${err ? ` ${id}-error` : ''}`}
                onInput={(ev) => {
                  const { value, validity } = ev.currentTarget;
                  setDraft((d) => ({ ...d, [s.key]: value }));
                  setBadInput((b) => ({ ...b, [s.key]: validity.badInput }));
                }} />
              <p class="help" id={`${id}-help`}>
                {settingHelp(s)}{' '}
                {t('sec.default', { v: formatNumber(s.default), min: formatNumber(s.min), max: formatNumber(s.max) })}
              </p>
              {err && <p class="field-error" id={`${id}-error`}>{label} {err}</p>}
            </div>
          );
        })}
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('rec.save')}</button>
      </div>
    </form>
  );
}

// One action's events, newest first, a page at a time.
function useEvents(action) {
  const [rows, setRows] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  useFetch(() => api.get('/security-events', { action, limit: PAGE }), [action],
    (r) => { setRows(r.data); setNext(r.next_before); }, setError);
  async function more() {
    try {
      const r = await api.get('/security-events', { action, limit: PAGE, before: next });
      setRows((old) => [...old, ...r.data]);
      setNext(r.next_before);
    } catch (err) { setError(err); }
  }
  return { rows, next, error, more };
}

function When({ at }) {
  return <time datetime={at}>{formatDateTime(at)}</time>;
}

// A record of the log: a link to its page named by its title (its id while it loads,
// or when the record is gone or not an entity of /meta), and its entity.
function RecordLink({ type, id }) {
  const e = entityMeta(type);
  const title = useTitle(e ? type : null, id);
  if (!id) return <span class="muted">—</span>;
  return (
    <>
      <Link href={recordPath(type, id)}>{title || id}</Link>
      {e && <span class="muted small"> · {entityLabel(e, false)}</span>}
    </>
  );
}

function EventTable({ id, title, note, empty, head, row, action }) {
  const { rows, next, error, more } = useEvents(action);
  return (
    <section class="panel" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p class="muted small">{note}</p>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {!rows ? (!error && <Loading />) : !rows.length ? <p class="muted">{empty}</p> : (
        <div class="table-wrap">
          <table aria-labelledby={id}>
            <thead><tr>{head.map((h) => <th scope="col">{h}</th>)}</tr></thead>
            <tbody>{rows.map(row)}</tbody>
          </table>
        </div>
      )}
      {rows && next !== null && next !== undefined && (
        <div class="actions"><button type="button" onClick={more}>{t('list.loadMore')}</button></div>
      )}
    </section>
  );
}

export function SecurityAdmin() {
  return (
    <section class="security-admin" aria-labelledby="sec-h">
      <div class="toolbar"><h2 id="sec-h">{t('sec.title')}</h2></div>
      <p class="muted">{t('sec.note')}</p>
      <Settings />
      <EventTable id="sec-alerts-h" action="data_alert" title={t('sec.alerts')} note={t('sec.alertsNote')}
        empty={t('sec.noAlerts')} head={[t('sec.when'), t('sec.user'), t('sec.detail')]}
        row={(ev) => (
          <tr>
            <td><When at={ev.at} /></td>
            <td><RefName entity="users" id={ev.object_id} /></td>
            <td>{alertDetail(ev)}</td>
          </tr>
        )} />
      <EventTable id="sec-views-h" action="record_view" title={t('sec.views')} note={t('sec.viewsNote')}
        empty={t('sec.noViews')} head={[t('sec.when'), t('sec.viewer'), t('sec.record')]}
        row={(ev) => (
          <tr>
            <td><When at={ev.at} /></td>
            <td><RefName entity="users" id={ev.actor_id} /></td>
            <td><RecordLink type={ev.object_type} id={ev.object_id} /></td>
          </tr>
        )} />
    </section>
  );
}

// At the top of the administration pages: the customer-data alerts of the last 24
// hours, if any, with a link to the Security tab.
export function AlertNotice() {
  const [n, setN] = useState(0);
  useFetch(() => api.get('/security-events', { action: 'data_alert', limit: PAGE }), [], (r) => {
    const since = Date.now() - DAY_MS;
    setN(r.data.filter((ev) => Date.parse(ev.at) >= since).length);
  }, () => setN(0));
  if (!n) return null;
  return (
    <Notice kind="warn">
      {t('sec.recent', { n: formatNumber(n) })} <Link href="/admin/security">{t('sec.review')}</Link>
    </Notice>
  );
}
