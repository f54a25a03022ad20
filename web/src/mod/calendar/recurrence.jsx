// Recurring activities (docs/api.md, "Recurring activities"): the repeat editor of the
// activity form (it writes the RFC 5545 rrule and the time zone), the summary of a rule
// in words, and the panel of a series or an exception on its page with the choice of
// "this occurrence / this and following / all" for changing or deleting one occurrence.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, request } from '../../api.js';
import { fromLocalInput, toLocalInput } from '../../fields.jsx';
import { formatDateTime, getLang, t } from '../../i18n.js';
import { Link, navigate, useLocation } from '../../router.js';
import { errorText, flash, Notice, useFetch } from '../../ui.jsx';
import './recurrence.css';

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const FREQS = ['none', 'daily', 'weekly', 'monthly', 'yearly'];
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// A weekday's short name in the UI's language (5 January 2026 was a Monday).
const dayName = (code) => new Intl.DateTimeFormat(getLang(), { weekday: 'short' })
  .format(new Date(2026, 0, 5 + DAYS.indexOf(code)));
const longDay = (code) => new Intl.DateTimeFormat(getLang(), { weekday: 'long' })
  .format(new Date(2026, 0, 5 + DAYS.indexOf(code)));
const dateText = (d) => new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium' }).format(d);
const codeOf = (d) => DAYS[(d.getDay() + 6) % 7];
const nthOf = (d) => Math.ceil(d.getDate() / 7);

// "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20261231T235959Z" -> the editor's state; custom: parts
// the editor does not show (set elsewhere, by a calendar program).
export function parseRule(rule) {
  const st = { freq: 'none', interval: 1, days: [], monthly: 'date', ends: 'never', count: 10, until: '', custom: false };
  if (!rule) return st;
  for (const part of rule.split(';')) {
    const [k, v = ''] = part.split('=');
    if (k === 'FREQ') st.freq = v.toLowerCase();
    else if (k === 'INTERVAL') st.interval = Number(v) || 1;
    else if (k === 'COUNT') { st.ends = 'count'; st.count = Number(v); }
    else if (k === 'UNTIL') {
      st.ends = 'until';
      const m = /^(\d{4})(\d{2})(\d{2})(T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(v);
      if (m) {
        const d = m[4] ? new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[5], +m[6], +m[7])) : new Date(+m[1], m[2] - 1, +m[3]);
        st.until = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      }
    } else if (k === 'BYDAY') {
      const days = v.split(',');
      const nth = /^(-?\d)([A-Z]{2})$/.exec(days[0]);
      if (nth && days.length === 1 && st.freq !== 'weekly') { st.monthly = 'weekday'; st.nth = Number(nth[1]); st.days = [nth[2]]; }
      else if (days.every((d) => DAYS.includes(d))) st.days = days;
      else st.custom = true;
    } else if (k === 'BYMONTHDAY') st.monthly = 'date';
    else if (k !== 'WKST') st.custom = true;
  }
  if (!FREQS.includes(st.freq)) st.custom = true;
  return st;
}

// The editor's state and the start -> the rule text ('' when it does not repeat).
export function buildRule(st, start) {
  if (st.freq === 'none') return '';
  const s = start ? new Date(start) : new Date();
  const parts = [`FREQ=${st.freq.toUpperCase()}`];
  if (st.interval > 1) parts.push(`INTERVAL=${st.interval}`);
  if (st.freq === 'weekly') {
    const days = st.days.length ? st.days : [codeOf(s)];
    parts.push(`BYDAY=${DAYS.filter((d) => days.includes(d)).join(',')}`);
  }
  if (st.freq === 'monthly') {
    parts.push(st.monthly === 'weekday' ? `BYDAY=${nthOf(s)}${codeOf(s)}` : `BYMONTHDAY=${s.getDate()}`);
  }
  if (st.ends === 'count') parts.push(`COUNT=${Math.max(1, st.count | 0)}`);
  if (st.ends === 'until' && st.until) {
    // The end of that day where the user is, in UTC (RFC 5545 with a time zone).
    const u = new Date(`${st.until}T23:59:59`).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    parts.push(`UNTIL=${u}`);
  }
  return parts.join(';');
}

// A rule in words: "Every 2 weeks on Mon, Wed until 31 Dec 2026".
export function summary(rule, start) {
  if (!rule) return '';
  const st = parseRule(rule);
  if (st.custom) return t('rsum.custom', { rule });
  const s = start ? new Date(start) : new Date();
  const n = st.interval;
  const list = (codes) => codes.map(dayName).join(t('rsum.sep'));
  let text;
  if (st.freq === 'daily') text = n > 1 ? t('rsum.everyDays', { n }) : t('rsum.daily');
  else if (st.freq === 'weekly') {
    const days = list(st.days.length ? st.days : [codeOf(s)]);
    text = n > 1 ? t('rsum.everyWeeks', { n, days }) : t('rsum.weekly', { days });
  } else if (st.freq === 'monthly' && st.monthly === 'weekday') {
    const args = { n, nth: t(`nth.${st.nth ?? nthOf(s)}`), wd: longDay(st.days[0] ?? codeOf(s)) };
    text = n > 1 ? t('rsum.everyMonthsNth', args) : t('rsum.monthlyNth', args);
  } else if (st.freq === 'monthly') {
    const m = /BYMONTHDAY=(\d+)/.exec(rule);
    const d = m ? Number(m[1]) : s.getDate();
    text = n > 1 ? t('rsum.everyMonthsDate', { n, d }) : t('rsum.monthlyDate', { d });
  } else text = n > 1 ? t('rsum.everyYears', { n }) : t('rsum.yearly');
  if (st.ends === 'count') return t(st.count === 1 ? 'rsum.once' : 'rsum.count', { rule: text, n: st.count });
  if (st.ends === 'until' && st.until) return t('rsum.until', { rule: text, date: dateText(new Date(`${st.until}T12:00:00`)) });
  return text;
}

export function RepeatIcon() {
  return <span class="repeat" role="img" aria-label={t('rep.repeats')} title={t('rep.repeats')}>↻</span>;
}

// The activity form's "Repeat" group: owns rrule, timezone, exdates, series_id and
// recurrence_id (web/src/mod/index.js, FIELD_EDITORS).
export function RecurrenceEditor({ values, set, errors }) {
  const [st, setSt] = useState(() => parseRule(values.rrule));
  // A new start moves what the rule takes from it (the weekday, the day of the month);
  // the stored rule is left as it is until then.
  const shownStart = useRef(values.start_at);
  useEffect(() => {
    if (shownStart.current === values.start_at) return;
    shownStart.current = values.start_at;
    if (st.freq !== 'none' && !st.custom && values.rrule) set('rrule', buildRule(st, values.start_at));
  }, [values.start_at]);
  if (values.series_id) return <p class="muted">{t('rep.exception')}</p>;
  const update = (patch) => {
    const next = { ...st, ...patch };
    setSt(next);
    set('rrule', buildRule(next, values.start_at));
    if (next.freq !== 'none' && !values.timezone) set('timezone', localZone());
  };
  const start = values.start_at ? new Date(values.start_at) : new Date();
  const err = errors.rrule || errors.timezone || errors.exdates;
  return (
    <div class="recurrence">
      <div class="grid">
        <div class="field">
          <label for="f-repeat">{t('rep.repeat')}</label>
          <select id="f-repeat" value={st.custom ? 'custom' : st.freq} onChange={(ev) => update({ freq: ev.target.value, custom: false })}>
            {st.custom && <option value="custom">{t('rep.custom')}</option>}
            {FREQS.map((f) => <option value={f}>{t(`rep.${f}`)}</option>)}
          </select>
        </div>
        {st.freq !== 'none' && !st.custom && (
          <div class="field">
            <label for="f-interval">{t('rep.every', { unit: t(`rep.unit.${st.freq}`) })}</label>
            <input id="f-interval" type="number" min="1" max="99" value={st.interval}
              onInput={(ev) => update({ interval: Math.max(1, Number(ev.target.value) || 1) })} />
          </div>
        )}
      </div>
      {st.freq === 'weekly' && !st.custom && (
        <fieldset class="days">
          <legend>{t('rep.onDays')}</legend>
          {DAYS.map((d) => {
            const on = (st.days.length ? st.days : [codeOf(start)]).includes(d);
            return (
              <label><input type="checkbox" checked={on} onChange={() => {
                const cur = st.days.length ? st.days : [codeOf(start)];
                update({ days: on ? cur.filter((x) => x !== d) : [...cur, d] });
              }} /> {dayName(d)}</label>
            );
          })}
        </fieldset>
      )}
      {st.freq === 'monthly' && !st.custom && (
        <fieldset class="monthly">
          <legend>{t('rep.monthlyOn')}</legend>
          <label><input type="radio" name="monthly" checked={st.monthly === 'date'} onChange={() => update({ monthly: 'date' })} /> {t('rep.byDate', { d: start.getDate() })}</label>
          <label><input type="radio" name="monthly" checked={st.monthly === 'weekday'} onChange={() => update({ monthly: 'weekday', nth: nthOf(start), days: [codeOf(start)] })} /> {t('rep.byWeekday', { nth: t(`nth.${nthOf(start)}`), wd: longDay(codeOf(start)) })}</label>
        </fieldset>
      )}
      {st.freq !== 'none' && !st.custom && (
        <fieldset class="ends">
          <legend>{t('rep.ends')}</legend>
          <label><input type="radio" name="ends" checked={st.ends === 'never'} onChange={() => update({ ends: 'never' })} /> {t('rep.never')}</label>
          <label><input type="radio" name="ends" checked={st.ends === 'count'} onChange={() => update({ ends: 'count' })} /> {t('rep.after')}</label>
          <input type="number" min="1" max="5000" aria-label={t('rep.times')} value={st.count} disabled={st.ends !== 'count'}
            onInput={(ev) => update({ count: Number(ev.target.value) || 1 })} /> {t('rep.times')}
          <label><input type="radio" name="ends" checked={st.ends === 'until'} onChange={() => update({ ends: 'until' })} /> {t('rep.onDate')}</label>
          <input type="date" aria-label={t('rep.onDate')} value={st.until} disabled={st.ends !== 'until'}
            onInput={(ev) => update({ until: ev.target.value })} />
        </fieldset>
      )}
      {values.rrule && <p class="summary" aria-live="polite"><RepeatIcon /> {summary(values.rrule, values.start_at)}</p>}
      {err && <p class="field-error">{t('rep.repeat')} {err}</p>}
    </div>
  );
}

// Which occurrences a change or delete applies to.
function ScopeDialog({ title, onPick, onClose }) {
  const [scope, setScope] = useState('this');
  return (
    <div class="overlay" onMouseDown={(ev) => { if (ev.target === ev.currentTarget) onClose(); }}>
      <div class="dialog panel" role="dialog" aria-modal="true" aria-labelledby="occ-scope-h">
        <h2 id="occ-scope-h">{title}</h2>
        <div role="radiogroup" aria-labelledby="occ-scope-h">
          {['this', 'following', 'all'].map((s) => (
            <label class="choice"><input type="radio" name="occ-scope" value={s} checked={scope === s} onChange={() => setScope(s)} /> {t(`occ.${s}`)}</label>
          ))}
        </div>
        <div class="actions">
          <button type="button" class="primary" onClick={() => onPick(scope)}>{t('occ.ok')}</button>
          <button type="button" onClick={onClose}>{t('rec.cancel')}</button>
        </div>
      </div>
    </div>
  );
}

// The few fields one occurrence is usually changed in.
function OccurrenceForm({ occ, scope, path, onDone, onClose }) {
  const [v, setV] = useState({ subject: occ.subject || '', start_at: occ.start_at, end_at: occ.end_at || '', location: occ.location || '' });
  const [problem, setProblem] = useState(null);
  const field = (name, input) => (
    <div class="field"><label for={`occ-${name}`}>{t(`occ.f.${name}`)}</label>{input}</div>
  );
  const save = async (allowConflict = false) => {
    const body = {};
    for (const k of Object.keys(v)) if ((v[k] || '') !== (occ[k] || '')) body[k] = v[k];
    try {
      onDone(await api.patch(path, body, { query: { scope, ...(allowConflict ? { allow_conflict: 'true' } : {}) } }));
    } catch (err) { setProblem(err); }
  };
  return (
    <div class="overlay">
      <form class="dialog panel record-form" role="dialog" aria-modal="true" aria-labelledby="occ-form-h"
        onSubmit={(ev) => { ev.preventDefault(); save(); }}>
        <h2 id="occ-form-h">{t(`occ.editing.${scope}`)}</h2>
        {problem && <Notice kind="error">{errorText(problem)}</Notice>}
        {problem?.status === 409 && problem.problem?.conflicts && (
          <button type="button" onClick={() => save(true)}>{t('occ.anyway')}</button>
        )}
        <div class="grid">
          {field('subject', <input id="occ-subject" value={v.subject} onInput={(ev) => setV({ ...v, subject: ev.target.value })} />)}
          {field('location', <input id="occ-location" value={v.location} onInput={(ev) => setV({ ...v, location: ev.target.value })} />)}
          {field('start_at', <input id="occ-start_at" type="datetime-local" value={toLocalInput(v.start_at)} onInput={(ev) => setV({ ...v, start_at: fromLocalInput(ev.target.value) })} />)}
          {occ.end_at && field('end_at', <input id="occ-end_at" type="datetime-local" value={toLocalInput(v.end_at)} onInput={(ev) => setV({ ...v, end_at: fromLocalInput(ev.target.value) })} />)}
        </div>
        <div class="actions">
          <button type="submit" class="primary">{t('rec.save')}</button>
          <button type="button" onClick={onClose}>{t('rec.cancel')}</button>
        </div>
      </form>
    </div>
  );
}

// The record page's head panel of a series (its rule in words, and one occurrence —
// ?occurrence=<original start>, as the calendar links it — to change or delete) or of
// an exception (the series it belongs to).
export function SeriesPanel({ record }) {
  const { query } = useLocation();
  const at = query.get('occurrence');
  const [step, setStep] = useState(null); // {action: 'edit'|'delete'} then {scope}
  const [occ, setOcc] = useState(null);
  const [error, setError] = useState(null);
  const path = at ? `/activities/${record.id}/occurrences/${encodeURIComponent(at)}` : null;
  useFetch(() => (path ? api.get(path) : Promise.resolve(null)), [path], setOcc, setError);
  if (record.series_id) {
    return (
      <Notice><RepeatIcon /> {t('rep.exceptionOf', { at: formatDateTime(record.recurrence_id) })}{' '}
        <Link href={`/r/activities/${record.series_id}?occurrence=${encodeURIComponent(record.recurrence_id)}`}>{t('occ.series')}</Link></Notice>
    );
  }
  const picked = async (scope) => {
    if (step.action === 'edit') { setStep({ ...step, scope }); return; }
    setStep(null);
    try {
      await request('DELETE', path, { query: { scope } });
      flash(t('occ.deleted'));
      navigate('/calendar');
    } catch (err) { setError(err); }
  };
  const done = (saved) => {
    setStep(null);
    flash(t('rec.saved'));
    navigate(`/r/activities/${saved.id}${saved.id === record.id ? `?occurrence=${encodeURIComponent(saved.recurrence_id || record.start_at)}` : ''}`, { replace: true });
  };
  return (
    <section class="panel series" aria-label={t('rep.repeats')}>
      <p><RepeatIcon /> {summary(record.rrule, record.start_at)}</p>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {at && occ && (
        <div class="occurrence">
          <strong>{t('occ.title', { at: formatDateTime(occ.start_at) })}</strong>{' '}
          <button type="button" onClick={() => setStep({ action: 'edit' })}>{t('occ.edit')}</button>{' '}
          <button type="button" class="danger" onClick={() => setStep({ action: 'delete' })}>{t('occ.delete')}</button>
        </div>
      )}
      {step && !step.scope && (
        <ScopeDialog title={t(step.action === 'edit' ? 'occ.scopeEdit' : 'occ.scopeDelete')} onPick={picked} onClose={() => setStep(null)} />
      )}
      {step?.scope && occ && <OccurrenceForm occ={occ} scope={step.scope} path={path} onDone={done} onClose={() => setStep(null)} />}
    </section>
  );
}
