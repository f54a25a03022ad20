// A case's SLA clocks (GET /cases/{id}/sla), a record panel of cases: for the first
// response and the resolution, the target, the due time, and the working time left or
// overdue — or that the clock is paused while the case waits on its customer, or met.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatDateTime, t } from '../../i18n.js';
import { useFetch } from '../../ui.jsx';

// Seconds of working time as people read them: 2 d 3 h, 4 h 5 min, 12 min.
export function duration(s) {
  const m = Math.floor(Math.abs(s) / 60);
  if (m >= 24 * 60) return t('svc.d', { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) });
  if (m >= 60) return t('svc.hm', { h: Math.floor(m / 60), m: m % 60 });
  return t('svc.m', { m });
}

// One clock's state in words, and its class (ok, warn, late, paused, done).
export function clockText(k) {
  if (k.done_at) return [t(k.breached ? 'svc.metLate' : 'svc.met', { at: formatDateTime(k.done_at) }), k.breached ? 'late' : 'done'];
  if (k.paused) return [t('svc.paused'), 'paused'];
  if (k.remaining_seconds < 0) return [t('svc.overdue', { t: duration(k.remaining_seconds) }), 'late'];
  const warn = k.remaining_seconds < k.target_minutes * 60 * 0.2;
  return [t('svc.left', { t: duration(k.remaining_seconds) }), warn ? 'warn' : 'ok'];
}

function Clock({ name, k }) {
  if (!k) return null;
  const [text, kind] = clockText(k);
  return (
    <div class={`sla-clock sla-${kind}`}>
      <dt>{t(name)}</dt>
      <dd>
        <strong>{text}</strong>
        <span class="muted"> · {t('svc.target')}: {t('svc.minutes', { n: k.target_minutes })}
          {k.due_at ? ` · ${t('svc.due')}: ${formatDateTime(k.due_at)}` : ''}</span>
      </dd>
    </div>
  );
}

export function CaseSla({ record }) {
  const [s, setS] = useState(null);
  useFetch(() => api.get(`/cases/${record.id}/sla`), [record.id, record.version], setS, () => setS(null));
  if (!s) return null;
  return (
    <section class="card summary sla" aria-label={t('svc.sla')}>
      <h2>{t('svc.sla')}</h2>
      {s.policy_id ? (
        <dl>
          <Clock name="svc.response" k={s.first_response} />
          <Clock name="svc.resolution" k={s.resolution} />
        </dl>
      ) : <p class="muted">{t('svc.noPolicy')}</p>}
    </section>
  );
}
