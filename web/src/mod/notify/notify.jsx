// The notification centre: the bell in the top bar with the unread count, its panel
// (newest first, each linking to its record; mark read, mark all read), reminder
// pop-ups with snooze and dismiss, and the page of all notifications with the
// preferences. New notifications arrive over Server-Sent Events
// (GET /api/v1/notifications/stream): the browser's EventSource reconnects by itself
// and resumes after the last event it saw (Last-Event-ID).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, request } from '../../api.js';
import { formatDateTime, t } from '../../i18n.js';
import { Link, recordPath, useLocation } from '../../router.js';
import { errorText, flash, Loading, Notice, usePageTitle } from '../../ui.jsx';

// What a notification says, in the UI's language and time zone.
export function notificationText(n) {
  const p = { who: n.actor_name, title: n.title, at: formatDateTime(n.due_at) };
  if (n.kind === 'reminder') return t(n.late ? 'ntf.reminderLate' : 'ntf.reminder', p);
  if (['assigned', 'mention', 'changed'].includes(n.kind)) return t(n.actor_name ? `ntf.${n.kind}` : `ntf.${n.kind}Sys`, p);
  return n.title;
}

const SNOOZE = [5, 10, 30, 60, 1440];
const snoozeLabel = (m) => (m === 60 ? t('ntf.hour') : m === 1440 ? t('ntf.day') : t('ntf.min', { n: m }));

// One live connection per signed-in page; listeners get every event. EventSource
// reconnects by itself after a network error; after a refusal (a session that ended,
// signed in again in place) it gives up, so the page opens a new one a little later.
const listeners = new Set();
let source = null;
function connect() {
  source = new EventSource('/api/v1/notifications/stream');
  for (const type of ['notification', 'unread']) {
    source.addEventListener(type, (ev) => {
      let data;
      try { data = JSON.parse(ev.data); } catch { return; }
      for (const l of listeners) l(type, data);
    });
  }
  const mine = source;
  source.addEventListener('error', () => {
    if (mine.readyState !== EventSource.CLOSED || source !== mine) return;
    source = null;
    setTimeout(() => { if (listeners.size && !source) connect(); }, 5000);
  });
}
function subscribe(fn) {
  listeners.add(fn);
  if (!source) connect();
  return () => {
    listeners.delete(fn);
    if (!listeners.size && source) { source.close(); source = null; }
  };
}

function Toast({ n, onDone }) {
  const [minutes, setMinutes] = useState(10);
  const [error, setError] = useState(null);
  async function act(path, body) {
    try {
      const r = await api.post(`/notifications/${n.id}/${path}`, body);
      if (path === 'snooze') flash(t('ntf.snoozed', { at: formatDateTime(r.snoozed_until) }));
      onDone(r);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <div class="ntf-toast" role="alertdialog" aria-label={t('ntf.reminder', { title: n.title })}>
      <p class="ntf-text">{notificationText(n)}</p>
      {error && <Notice kind="error">{error}</Notice>}
      <div class="ntf-actions">
        <Link href={recordPath(n.entity, n.record_id)} onClick={() => act('read')}>{t('ntf.open')}</Link>
        <label class="sr-only" for={`snz-${n.id}`}>{t('ntf.snoozeFor')}</label>
        <select id={`snz-${n.id}`} value={minutes} onChange={(ev) => setMinutes(Number(ev.target.value))}>
          {SNOOZE.map((m) => <option value={m}>{snoozeLabel(m)}</option>)}
        </select>
        <button type="button" onClick={() => act('snooze', { minutes })}>{t('ntf.snooze')}</button>
        <button type="button" onClick={() => act('read')}>{t('ntf.dismiss')}</button>
      </div>
    </div>
  );
}

function Item({ n, onRead }) {
  return (
    <li class={n.read_at ? 'ntf-item' : 'ntf-item unread'}>
      <Link href={recordPath(n.entity, n.record_id)} onClick={() => !n.read_at && onRead(n)}>{notificationText(n)}</Link>
      <span class="muted small">{formatDateTime(n.created_at)}{!n.read_at && <> · <strong>{t('ntf.unread')}</strong></>}</span>
      {!n.read_at && <button type="button" class="link" onClick={() => onRead(n)}>{t('ntf.read')}</button>}
    </li>
  );
}

// The items and unread count of a list kept up to date by the live connection.
function useNotifications(limit) {
  const [items, setItems] = useState(null);
  const [unread, setUnread] = useState(0);
  const [next, setNext] = useState(null);
  const [toasts, setToasts] = useState([]);
  useEffect(() => {
    let live = true;
    api.get('/notifications', { limit }).then((r) => {
      if (!live) return;
      setItems((old) => merge(r.data, old || []));
      setUnread(r.unread);
      setNext(r.next_cursor);
      setToasts((old) => merge(old, r.data.filter((n) => n.kind === 'reminder' && !n.read_at).slice(0, 3)));
    }, () => {});
    const off = subscribe((type, d) => {
      setUnread(d.unread);
      if (type !== 'notification') return;
      setItems((old) => merge([d], old || []));
      if (d.kind === 'reminder') setToasts((old) => merge([d], old));
    });
    return () => { live = false; off(); };
  }, []);
  const read = async (n) => {
    const r = await api.post(`/notifications/${n.id}/read`);
    setItems((old) => (old || []).map((x) => (x.id === r.id ? r : x)));
    setUnread((u) => Math.max(0, u - (n.read_at ? 0 : 1)));
  };
  const readAll = async () => {
    await api.post('/notifications/read-all');
    setItems((old) => (old || []).map((x) => (x.read_at ? x : { ...x, read_at: new Date().toISOString() })));
    setUnread(0);
  };
  const more = async () => {
    const r = await api.get('/notifications', { limit, cursor: next });
    setItems((old) => merge(old || [], r.data));
    setNext(r.next_cursor);
  };
  const done = (r) => {
    setToasts((old) => old.filter((x) => x.id !== r.id));
    setItems((old) => (old || []).map((x) => (x.id === r.id ? r : x)));
    if (r.read_at) setUnread((u) => Math.max(0, u - 1));
  };
  return { items, unread, next, toasts, read, readAll, more, done };
}

// Newest first, each notification once.
function merge(a, b) {
  const seen = new Set();
  return [...a, ...b].filter((n) => !seen.has(n.id) && seen.add(n.id))
    .sort((x, y) => (x.created_at < y.created_at ? 1 : x.created_at > y.created_at ? -1 : 0));
}

export function NotificationBell() {
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const box = useRef(null);
  const s = useNotifications(10);
  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return undefined;
    const away = (ev) => { if (box.current && !box.current.contains(ev.target)) setOpen(false); };
    const esc = (ev) => { if (ev.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => { document.removeEventListener('mousedown', away); document.removeEventListener('keydown', esc); };
  }, [open]);
  return (
    <div class="ntf" ref={box}>
      <button type="button" class="ntf-bell" aria-expanded={open} aria-controls="ntf-panel"
        aria-label={s.unread ? t('ntf.bellUnread', { n: s.unread }) : t('ntf.bell')} onClick={() => setOpen(!open)}>
        <svg class="ntf-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
        </svg>
        {s.unread > 0 && <span class="ntf-count" aria-hidden="true">{s.unread > 99 ? '99+' : s.unread}</span>}
      </button>
      {open && (
        <section id="ntf-panel" class="ntf-panel" aria-label={t('ntf.title')}>
          <header>
            <h2>{t('ntf.title')}</h2>
            {s.unread > 0 && <button type="button" class="link" onClick={s.readAll}>{t('ntf.readAll')}</button>}
          </header>
          {!s.items ? <Loading /> : s.items.length === 0 ? <p class="muted">{t('ntf.none')}</p> : (
            <ul>{s.items.slice(0, 10).map((n) => <Item n={n} onRead={s.read} />)}</ul>
          )}
          <Link href="/notifications">{t('ntf.all')}</Link>
        </section>
      )}
      <div class="ntf-toasts" aria-live="polite">
        {s.toasts.map((n) => <Toast key={n.id} n={n} onDone={s.done} />)}
      </div>
    </div>
  );
}

function Preferences() {
  const [prefs, setPrefs] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { api.get('/notifications/preferences').then((r) => setPrefs(r.data), (e) => setError(errorText(e))); }, []);
  async function save(ev) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = Object.fromEntries(prefs.map((p) => [p.kind, p.channel]));
      const res = await request('PUT', '/notifications/preferences', { body });
      setPrefs(res.body.data);
      flash(t('ntf.saved'));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  if (!prefs) return error ? <Notice kind="error">{error}</Notice> : <Loading />;
  return (
    <form class="ntf-prefs" onSubmit={save} aria-labelledby="ntf-prefs-h">
      <h2 id="ntf-prefs-h">{t('ntf.prefs')}</h2>
      <p class="muted">{t('ntf.prefsHelp')}</p>
      {error && <Notice kind="error">{error}</Notice>}
      <table>
        <thead><tr><th scope="col">{t('ntf.kind')}</th><th scope="col">{t('ntf.channel')}</th></tr></thead>
        <tbody>
          {prefs.map((p) => (
            <tr>
              <th scope="row"><label for={`pref-${p.kind}`}>{t(`ntf.kind.${p.kind}`)}</label></th>
              <td>
                <select id={`pref-${p.kind}`} value={p.channel}
                  onChange={(ev) => setPrefs(prefs.map((x) => (x.kind === p.kind ? { ...x, channel: ev.target.value } : x)))}>
                  {['in_app', 'email', 'both', 'off'].map((c) => <option value={c}>{t(`ntf.ch.${c}`)}</option>)}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="submit" class="primary" disabled={busy}>{t('ntf.save')}</button>
    </form>
  );
}

export function NotificationsPage() {
  usePageTitle(t('ntf.title'));
  const s = useNotifications(25);
  return (
    <div class="ntf-page">
      <h1>{t('ntf.title')}</h1>
      {s.unread > 0 && <button type="button" onClick={s.readAll}>{t('ntf.readAll')}</button>}
      {!s.items ? <Loading /> : s.items.length === 0 ? <p class="muted">{t('ntf.none')}</p> : (
        <ul class="ntf-list">{s.items.map((n) => <Item n={n} onRead={s.read} />)}</ul>
      )}
      {s.next && <button type="button" onClick={s.more}>{t('ntf.loadMore')}</button>}
      <Preferences />
    </div>
  );
}
