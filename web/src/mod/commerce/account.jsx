// The customer card's business with us (GET /accounts/{id}/commerce, orders.c
// cm_account_summary): open quotes (draft and sent), orders (not cancelled), the
// lifetime value (paid orders) and active contracts — each per currency with how many,
// never added across currencies, and all of it in the base currency at the rates of
// the records' days, or which currency has no rate for that. Each figure links to the
// list it counts. A record panel of the commerce module on accounts.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { enumLabel, formatMoney, formatNumber, t } from '../../i18n.js';
import { Link } from '../../router.js';
import { canRead, entityMeta, fieldMeta } from '../../state.js';
import { useFetch } from '../../ui.jsx';
import './commerce.css';

// The figures, and the list each links to (list.jsx keeps a list's filters in its
// address: a status of the list's own filters, the account as a related list's). Open
// quotes are two statuses and orders all but cancelled, which one filter cannot say:
// those link to all of the account's.
const PARTS = [
  { key: 'open_quotes', label: 'cm.openQuotes', entity: 'quotes', count: 'cm.nQuotes' },
  { key: 'orders', label: 'cm.orders', entity: 'orders', count: 'cm.nOrders' },
  { key: 'lifetime_value', label: 'cm.lifetimeValue', entity: 'orders', status: 'paid', count: 'cm.nOrders' },
  { key: 'active_contracts', label: 'cm.activeContracts', entity: 'contracts', status: 'active', count: 'cm.nContracts' },
];

const listHref = (p, account) => `/r/${p.entity}?${new URLSearchParams({ account_id: account, ...(p.status ? { status: p.status } : {}) })}`;
const currencyName = (code) => enumLabel(fieldMeta('quotes', 'currency'), code);

// One figure: each currency's count and sum, and the sum in the base currency.
function Figure({ p, sums, base, account }) {
  const list = sums.by_currency || [];
  const count = list.reduce((n, x) => n + x.count, 0);
  // All in the base currency already: its total would say the same again.
  const onlyBase = list.length === 1 && list[0].currency === base;
  return (
    <div class="cm-figure">
      <dt><Link href={listHref(p, account)}>{t(p.label)}</Link></dt>
      <dd>
        {list.length === 0 && <span class="muted">{t('cm.noneYet')}</span>}
        {list.map((x) => (
          <div class="cm-by-currency">{formatMoney(x.total, x.currency)} <span class="muted small">{t(`${p.count}.${x.count === 1 ? 'one' : 'other'}`, { n: formatNumber(x.count) })}</span></div>
        ))}
        {count > 0 && base && (sums.base_total !== null
          ? !onlyBase && <div class="cm-base-total small">{t('cm.inBase', { amount: formatMoney(sums.base_total, base) })}</div>
          : <div class="cm-missing-rate small">{t('cm.missingRate', { currency: currencyName(sums.missing_rate) })}</div>)}
      </dd>
    </div>
  );
}

export function AccountCommerce({ record }) {
  const [s, setS] = useState(null);
  useFetch(() => api.get(`/accounts/${record.id}/commerce`), [record.id, record.version], (r) => setS(r.data), () => setS(null));
  if (!s) return null;
  const parts = PARTS.filter((p) => canRead(entityMeta(p.entity)));
  if (!parts.length) return null;
  return (
    <section class="card summary cm-account" aria-label={t('cm.business')}>
      <h2>{t('cm.business')}</h2>
      <dl>{parts.map((p) => <Figure p={p} sums={s[p.key]} base={s.base_currency} account={record.id} />)}</dl>
    </section>
  );
}
