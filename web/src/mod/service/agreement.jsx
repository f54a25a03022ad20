// Service agreements on the screens where a case is logged or worked: the agreement that
// applies and the entitlement it has left ("Agreement SA-000012: 3 of 10 cases left"),
// or a warning — no active agreement, it expired, its entitlement is used up. A case is
// never refused for it: the agent sees it and decides. From GET
// /service_agreements/check (a new case of an account) and /service_agreements/{id}/usage
// (a case's own agreement, an agreement's page); the account card lists its agreements.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, formatDate, formatNumber, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta } from '../../state.js';
import { useFetch } from '../../ui.jsx';

const WARNINGS = {
  no_agreement: 'agr.none', not_covered: 'agr.notCovered', expired: 'agr.expired',
  inactive: 'agr.inactive', exhausted: 'agr.exhausted',
};

const readsAgreements = () => canRead(entityMeta('service_agreements'));

// What is left of an agreement's entitlement, in words.
function left(c) {
  const e = c.entitlement;
  const number = c.agreement.number;
  if (!e || e.remaining === null) return t('agr.applies', { number, name: c.agreement.name });
  const remaining = Math.max(e.remaining, 0);
  const key = e.type === 'hours' ? 'agr.hoursLeft' : 'agr.casesLeft';
  return t(key, { number, n: formatNumber(remaining), of: formatNumber(e.amount) });
}

// One answer of the check or usage routes as a notice: the warning when there is one,
// else what is left.
function CheckNotice({ c }) {
  if (!c) return null;
  const w = c.warning;
  const text = w ? t(WARNINGS[w.code] || 'agr.none', { number: c.agreement?.number ?? '' }) : left(c);
  // Used up: how far past its amount.
  const more = w?.code === 'exhausted' && c.entitlement ? t('agr.used', { n: formatNumber(c.entitlement.used), of: formatNumber(c.entitlement.amount) }) : '';
  return (
    <div class={`notice ${w ? 'warn' : ''} agreement-check`} role="status" aria-label={t('agr.title')}>
      <div>
        {c.agreement ? <Link href={recordPath('service_agreements', c.agreement.id)}>{text}</Link> : text}
        {more && ` · ${more}`}
      </div>
    </div>
  );
}

// In the "New case" form of an account: the check as the case would be logged now.
export function AgreementCheck({ account, product = '' }) {
  const [c, setC] = useState(null);
  const ok = readsAgreements();
  useFetch(() => (ok ? api.get('/service_agreements/check', { account_id: account.id, ...(product ? { product } : {}) }) : null),
    [account.id, product, ok], setC, () => setC(null));
  return ok ? <CheckNotice c={c} /> : null;
}

// On a case's page: its agreement and what is left, or why there is none.
export function CaseAgreement({ record }) {
  const [c, setC] = useState(null);
  const ok = readsAgreements() && (record.agreement_id || record.account_id);
  useFetch(() => {
    if (!ok) return null;
    if (record.agreement_id) return api.get(`/service_agreements/${record.agreement_id}/usage`);
    const q = { account_id: record.account_id, date: (record.reported_at || record.created_at).slice(0, 10) };
    if (record.product) q.product = record.product;
    return api.get('/service_agreements/check', q);
  }, [record.id, record.version, ok], setC, () => setC(null));
  return ok ? <CheckNotice c={c} /> : null;
}

// On an agreement's page: what its cases used.
export function AgreementUsage({ record }) {
  const [c, setC] = useState(null);
  useFetch(() => api.get(`/service_agreements/${record.id}/usage`), [record.id, record.version], setC, () => setC(null));
  return <CheckNotice c={c} />;
}

// On the account card: its agreements, each with its entitlement left.
export function AccountAgreements({ record }) {
  const [rows, setRows] = useState(null);
  const ok = readsAgreements();
  useFetch(async () => {
    if (!ok) return null;
    const list = await api.get('/service_agreements', { account_id: record.id, limit: 20 });
    return Promise.all(list.data.map((a) => api.get(`/service_agreements/${a.id}/usage`)));
  }, [record.id, record.version, ok], setRows, () => setRows(null));
  if (!rows || rows.length === 0) return null;
  const status = fieldMeta('service_agreements', 'status');
  return (
    <section class="card summary agreements" aria-label={t('agr.list')}>
      <h2>{t('agr.list')}</h2>
      <ul class="plain">
        {rows.map((c) => (
          <li>
            <Link href={recordPath('service_agreements', c.agreement.id)}>{c.agreement.number} · {c.agreement.name}</Link>
            {' '}<span class="muted">{enumLabel(status, c.agreement.status)} · {formatDate(c.agreement.start_date)} – {formatDate(c.agreement.end_date)}</span>
            <br /><span class={c.warning ? 'sla-warn' : ''}>{c.warning ? t(WARNINGS[c.warning.code], { number: c.agreement.number }) : left(c)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
