// A contract's term at a glance (src/mod/commerce/contracts.c): from when to when, how
// many days are left (or since when it ended), when its owner is reminded to renew it
// (remind_on: the end less the notice days; the hourly sweep leaves the task), whether
// it renews by itself, and — once renewed — the contract that follows it.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, formatDate, formatNumber, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { fieldMeta } from '../../state.js';
import { useFetch } from '../../ui.jsx';
import './commerce.css';

// Days from today (UTC, as the server's dates are) to a date "YYYY-MM-DD".
function daysUntil(day) {
  const [y, m, d] = day.split('-').map(Number);
  const now = new Date();
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / 86400000);
}

function left(record) {
  if (!record.end_date) return t('cm.noEnd');
  const n = daysUntil(record.end_date);
  if (n > 0) return t('cm.daysLeft', { n: formatNumber(n) });
  if (n === 0) return t('cm.endsToday');
  return t('cm.endedAgo', { n: formatNumber(-n) });
}

// The contract that follows a renewed one, by its number and term (it has the same
// title).
function Next({ id }) {
  const [c, setC] = useState(null);
  useFetch(() => api.get(`/contracts/${id}`), [id], setC, () => setC(null));
  if (!c) return <span class="muted">…</span>;
  return <Link href={recordPath('contracts', id)}>{t('cm.nextContract', { number: c.number, from: formatDate(c.start_date), to: formatDate(c.end_date) })}</Link>;
}

export function ContractTerm({ record }) {
  const status = fieldMeta('contracts', 'status');
  const reminded = record.reminded_for && record.reminded_for === record.end_date;
  return (
    <section class="card cm-quote cm-contract" aria-label={t('cm.contractTerm', { number: record.number })}>
      <dl class="cm-facts">
        <div><dt>{t('cm.number')}</dt><dd>{record.number}</dd></div>
        <div><dt>{t('cm.status')}</dt><dd><span class={`tag cm-contract-${record.status}`}>{enumLabel(status, record.status)}</span></dd></div>
        <div>
          <dt>{t('cm.term')}</dt>
          <dd>{record.start_date || record.end_date ? `${formatDate(record.start_date) || '…'} – ${formatDate(record.end_date) || '…'}` : '—'}</dd>
        </div>
        {record.status === 'active' && <div><dt>{t('cm.timeLeft')}</dt><dd>{left(record)}</dd></div>}
        {record.remind_on && (
          <div>
            <dt>{t('cm.remindOn')}</dt>
            <dd>{formatDate(record.remind_on)}{reminded && <span class="muted small"> {t('cm.reminded')}</span>}</dd>
          </div>
        )}
        <div><dt>{t('cm.autoRenew')}</dt><dd>{record.auto_renew ? t('yes') : t('no')}</dd></div>
        {record.renewed_by_id && (
          <div><dt>{t('cm.renewedBy')}</dt><dd><Next id={record.renewed_by_id} /></dd></div>
        )}
      </dl>
    </section>
  );
}
