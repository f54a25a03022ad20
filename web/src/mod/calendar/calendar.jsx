// Day, week and month views of the activities of the signed-in user and chosen
// colleagues (GET /calendar). A click on a slot opens a new meeting there; meetings
// and calls that overlap for a shared person are marked as conflicts.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, formatTime, getLang, t } from '../../i18n.js';
import { Link, navigate, recordPath } from '../../router.js';
import { fieldMeta, recordTitle, session, useAll } from '../../state.js';
import { errorText, Notice, useFetch, usePageTitle } from '../../ui.jsx';
import { RepeatIcon } from './recurrence.jsx';

const DAY = 86400000;
const HOURS = Array.from({ length: 13 }, (_, i) => i + 7); // 07:00 – 19:00

function startOfDay(d) { const x = new Date(d); x.setHours(0, 0, 0, 0); return x; }
function addDays(d, n) { const x = new Date(d); x.setDate(x.getDate() + n); return x; }
function monday(d) { const x = startOfDay(d); return addDays(x, -((x.getDay() + 6) % 7)); }
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function range(view, anchor) {
  if (view === 'day') { const s = startOfDay(anchor); return [s, addDays(s, 1)]; }
  if (view === 'week') { const s = monday(anchor); return [s, addDays(s, 7)]; }
  const first = new Date(anchor.getFullYear(), anchor.getMonth(), 1);
  const s = monday(first);
  return [s, addDays(s, 42)];
}

const busy = (a) => (a.type === 'meeting' || a.type === 'call') && a.start_at && a.end_at;
const people = (a) => new Set([a.owner_id, ...(a.attendee_user_ids || [])].filter(Boolean));

// An entry of the calendar: an activity, or one occurrence of a series (the series' id
// and the occurrence's original start, recurrence_id).
export const keyOf = (a) => (a.rrule ? `${a.id}@${a.recurrence_id}` : a.id);
const pathOf = (a) => recordPath('activities', a.id) + (a.rrule ? `?occurrence=${encodeURIComponent(a.recurrence_id)}` : '');

// Keys of activities that overlap another for a person they share.
export function conflicts(list) {
  const out = new Set();
  const b = list.filter(busy);
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length; j++) {
      const x = b[i], y = b[j];
      if (x.start_at < y.end_at && y.start_at < x.end_at && [...people(x)].some((p) => people(y).has(p))) {
        out.add(keyOf(x)); out.add(keyOf(y));
      }
    }
  }
  return out;
}

function Event({ a, clash }) {
  const label = a.subject || t('form.busy');
  return (
    <div class={`event ${a.type || ''} ${clash ? 'conflict' : ''}`}>
      <span class="time">{a.start_at ? formatTime(a.start_at) : a.due_at ? formatTime(a.due_at) : ''}</span>{' '}
      {(a.rrule || a.series_id) && <RepeatIcon />}
      {a.subject ? <Link href={pathOf(a)}>{label}</Link> : <span>{label}</span>}
      {clash && <span class="badge">{t('cal.conflict')}</span>}
    </div>
  );
}

export function CalendarPage() {
  usePageTitle(t('cal.title'));
  const [view, setView] = useState('week');
  const [anchor, setAnchor] = useState(() => new Date());
  const [others, setOthers] = useState([]);
  const [items, setItems] = useState([]);
  const [error, setError] = useState(null);
  const users = useAll('users');
  const [from, to] = range(view, anchor);

  useFetch(() => api.get('/calendar', { from: from.toISOString(), to: to.toISOString(), user_ids: [session.user.id, ...others].join(',') }),
    [view, from.getTime(), others.join(',')], (r) => { setItems(r.data); setError(null); }, setError);

  const clash = conflicts(items);
  const at = (a) => new Date(a.start_at || a.due_at);
  const onDay = (d) => items.filter((a) => (a.start_at || a.due_at) && startOfDay(at(a)).getTime() === d.getTime());
  const newAt = (d, hour) => {
    const s = new Date(d); s.setHours(hour, 0, 0, 0);
    const e = new Date(s.getTime() + 3600000);
    const q = new URLSearchParams({ type: 'meeting', start_at: s.toISOString(), end_at: e.toISOString() });
    if (others.length) q.set('attendee_user_ids', others.join(','));
    navigate(`/r/activities/new?${q}`);
  };
  const step = (n) => setAnchor(view === 'day' ? addDays(anchor, n) : view === 'week' ? addDays(anchor, 7 * n)
    : new Date(anchor.getFullYear(), anchor.getMonth() + n, 1));
  const days = [];
  for (let d = from; d < to; d = addDays(d, 1)) days.push(d);
  const dayName = (d) => new Intl.DateTimeFormat(getLang(), { weekday: 'short', day: 'numeric', month: view === 'month' ? undefined : 'short' }).format(d);
  const title = new Intl.DateTimeFormat(getLang(), view === 'month' ? { year: 'numeric', month: 'long' } : { dateStyle: 'medium' }).format(view === 'week' ? from : anchor);

  return (
    <section class="calendar">
      <div class="toolbar">
        <h1>{t('cal.title')}: {title}</h1>
        <div class="seg" role="group" aria-label={t('cal.title')}>
          {['day', 'week', 'month'].map((v) => (
            <button type="button" aria-pressed={view === v} onClick={() => setView(v)}>{t(`cal.${v}`)}</button>
          ))}
        </div>
        <button type="button" aria-label={t('cal.prev')} onClick={() => step(-1)}>‹</button>
        <button type="button" onClick={() => setAnchor(new Date())}>{t('cal.today')}</button>
        <button type="button" aria-label={t('cal.next')} onClick={() => step(1)}>›</button>
        <details class="people">
          <summary>{t('cal.people')}</summary>
          {(users || []).filter((u) => u.id !== session.user.id && u.active).map((u) => (
            <label><input type="checkbox" checked={others.includes(u.id)}
              onChange={(ev) => setOthers(ev.target.checked ? [...others, u.id] : others.filter((x) => x !== u.id))} /> {recordTitle(session.byName.users, u)}</label>
          ))}
        </details>
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {view === 'month' ? (
        <div class="month" role="grid">
          {days.map((d) => (
            <div role="gridcell" class={`day ${d.getMonth() !== anchor.getMonth() ? 'other' : ''} ${ymd(d) === ymd(new Date()) ? 'today' : ''}`}>
              <button type="button" class="slot" aria-label={t('cal.newAt', { at: `${ymd(d)} 09:00` })} onClick={() => newAt(d, 9)}>{d.getDate()}</button>
              {onDay(d).map((a) => <Event a={a} clash={clash.has(keyOf(a))} />)}
            </div>
          ))}
        </div>
      ) : (
        <div class="table-wrap">
          <table class={`hours ${view}`}>
            <thead><tr><th scope="col"><span class="sr-only">{t('cal.time')}</span></th>{days.map((d) => <th scope="col" class={ymd(d) === ymd(new Date()) ? 'today' : ''}>{dayName(d)}</th>)}</tr></thead>
            <tbody>
              {HOURS.map((h) => (
                <tr>
                  <th scope="row">{String(h).padStart(2, '0')}:00</th>
                  {days.map((d) => {
                    const here = onDay(d).filter((a) => { const x = at(a).getHours(); return x === h || (h === HOURS[0] && x < h) || (h === HOURS.at(-1) && x > h); });
                    return (
                      <td>
                        <button type="button" class="slot" aria-label={t('cal.newAt', { at: `${ymd(d)} ${String(h).padStart(2, '0')}:00` })}
                          onClick={() => newAt(d, h)}>+</button>
                        {here.map((a) => <Event a={a} clash={clash.has(keyOf(a))} />)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">{items.length} · {[...new Set(items.map((a) => enumLabel(fieldMeta('activities', 'type'), a.type)))].join(', ')}</p>
    </section>
  );
}
