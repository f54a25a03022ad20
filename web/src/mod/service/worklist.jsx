// "My cases / queue" (GET /cases/worklist): the open cases of the user, or of a queue
// they choose, the most urgent first, each with the working time left to its nearest
// target (or how long it is overdue, or that it is paused); the 50 most urgent, and on
// request up to 200 (the server's bounds).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, fieldLabel, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { fieldMeta, useAll } from '../../state.js';
import { errorText, Loading, Notice, useFetch, usePageTitle } from '../../ui.jsx';
import { clockText } from './sla.jsx';

// The clock that matters: the first response while it runs, else the resolution.
const FIRST = 50;
const MOST = 200;
const nearest = (sla) => (sla?.first_response && !sla.first_response.done_at ? sla.first_response : sla?.resolution);

export function WorklistPage() {
  usePageTitle(t('svc.worklist'));
  const queues = useAll('case_queues');
  const [queue, setQueue] = useState('');
  const [limit, setLimit] = useState(FIRST);
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  useFetch(() => api.get('/cases/worklist', { limit, ...(queue ? { queue_id: queue } : {}) }), [queue, limit],
    (r) => { setRows(r.data); setError(null); }, (err) => setError(errorText(err)));
  const status = fieldMeta('cases', 'status');
  const priority = fieldMeta('cases', 'priority');
  return (
    <section class="page worklist">
      <h1>{t('svc.worklist')}</h1>
      <div class="toolbar">
        <label for="wl-queue">{t('svc.queue')}</label>
        <select id="wl-queue" value={queue} onChange={(ev) => { setQueue(ev.currentTarget.value); setLimit(FIRST); }}>
          <option value="">{t('svc.mine')}</option>
          {(queues || []).map((q) => <option value={q.id}>{q.name}</option>)}
        </select>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {!rows && !error && <Loading />}
      {rows && rows.length === 0 && <p class="muted">{t('svc.none')}</p>}
      {rows && rows.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              {['number', 'subject', 'priority', 'status'].map((n) => <th>{fieldLabel(fieldMeta('cases', n))}</th>)}
              <th>{t('svc.timeLeft')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const k = nearest(r.sla);
              const [text, kind] = k ? clockText(k) : ['—', 'none'];
              return (
                <tr>
                  <td>{r.number}</td>
                  <td><Link href={recordPath('cases', r.id)}>{r.subject}</Link></td>
                  <td>{enumLabel(priority, r.priority)}</td>
                  <td>{enumLabel(status, r.status)}</td>
                  <td class={`sla-${kind}`}>{text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {rows && rows.length === limit && (
        <p class="muted">{t('svc.mostUrgent', { n: limit })}{' '}
          {limit < MOST && <button type="button" onClick={() => setLimit(MOST)}>{t('svc.showMore', { n: MOST })}</button>}
        </p>
      )}
    </section>
  );
}
