// The paged logs of the Automation tab — a webhook's deliveries, a rule's runs: newest
// first, LOG_PAGE at a time with "load more", filtered by status, and read again whole
// (as many rows as are shown) while some wait for the background.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';

export const LOG_PAGE = 20;
const LOG_MAX = 200; // rows read again at once while some are pending

// path: the log's list ('/workflow_runs'); filter: its owner ({workflow_id}); key: what
// starts the log over when it changes (the owner's id). The answer: rows (null while the
// first page loads), setRows, cursor, error, status and setStatus, and
// load({keep, more}) — keep: read again the rows shown; more: the next page.
export function useLog(path, filter, key) {
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const seq = useRef(0);
  const shown = useRef(0);

  async function load({ keep = false, more = false } = {}) {
    const n = ++seq.current;
    try {
      const limit = keep ? Math.min(Math.max(LOG_PAGE, shown.current), LOG_MAX) : LOG_PAGE;
      const r = await api.get(path, { ...filter, status: status || undefined, sort: '-created_at', limit,
        cursor: more ? cursor : undefined });
      if (n !== seq.current) return;
      setError(null);
      setRows((old) => {
        const next = more ? [...old, ...r.data] : r.data;
        shown.current = next.length;
        return next;
      });
      setCursor(r.next_cursor);
    } catch (err) {
      if (n === seq.current) setError(err);
    }
  }
  useEffect(() => { setRows(null); shown.current = 0; load(); }, [key, status]);
  return { rows, setRows, cursor, error, status, setStatus, load };
}
