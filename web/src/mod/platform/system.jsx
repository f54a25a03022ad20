// Administration › System: GET /system/status — the database (SQLite or PostgreSQL),
// its size and the signed-in sessions; on PostgreSQL the server this process writes to
// (the primary: it changes after a failover), the read replica and how far behind it
// is, and since this process started: reconnects, answers of 503 because the database
// was unreachable, reads served by the replica and those sent to the primary because it
// lagged (docs/ha.md). Read again every few seconds while the tab is open.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatNumber, formatTime, t } from '../../i18n.js';
import { errorText, Loading, Notice } from '../../ui.jsx';

const REFRESH_MS = 5000;

function bytes(n) {
  if (n < 1024 * 1024) return t('sys.kib', { n: formatNumber(Math.ceil(n / 1024)) });
  return t('sys.mib', { n: formatNumber(Math.round(n / (1024 * 1024))) });
}

export function SystemAdmin() {
  const [st, setSt] = useState(null);
  const [problem, setProblem] = useState(null);
  const [at, setAt] = useState(null);

  async function load() {
    try {
      setSt(await api.get('/system/status'));
      setProblem(null);
      setAt(new Date());
    } catch (err) {
      setProblem(err);
    }
  }
  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  if (!st) return problem ? <Notice kind="error">{errorText(problem)}</Notice> : <Loading />;
  const pg = st.backend === 'postgres';
  const rows = [
    ['sys.backend', pg ? 'PostgreSQL' : 'SQLite'],
    ['sys.size', bytes(st.db_bytes)],
    ['sys.sessions', formatNumber(st.active_sessions)],
  ];
  if (pg) {
    rows.push(
      ['sys.writesTo', st.writes_to],
      ['sys.readsFrom', st.reads_from || t('sys.noReplica')],
      ['sys.lag', st.replica_lag_bytes === null ? '—' : bytes(st.replica_lag_bytes)],
      ['sys.reconnects', formatNumber(st.reconnects)],
      ['sys.unavailable', formatNumber(st.unavailable)],
      ['sys.replicaReads', formatNumber(st.replica_reads)],
      ['sys.fallbacks', formatNumber(st.replica_fallbacks)],
    );
  }
  return (
    <section class="panel system" aria-labelledby="sys-h">
      <h3 id="sys-h">{t('sys.title')}</h3>
      {problem && <Notice kind="error">{errorText(problem)}</Notice>}
      <p class="muted">{pg ? t('sys.notePg') : t('sys.noteSqlite')}</p>
      <dl class="counts">
        {rows.map(([k, v]) => [<dt>{t(k)}</dt>, <dd data-key={k}>{v}</dd>])}
      </dl>
      <p class="muted">{t('sys.at', { time: formatTime(at) })}</p>
    </section>
  );
}
