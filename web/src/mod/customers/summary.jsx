// The customer card on an account's page: contacts, open, won and lost deals with their
// amounts (per currency), the activities with the last and the next one — its contacts',
// deals' and converted leads' included (GET /accounts/{id}/summary). A record panel of the
// customers module (web/src/mod/index.js).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { formatDateTime, formatMoneyByCurrency, formatNumber, t } from '../../i18n.js';
import { useFetch } from '../../ui.jsx';

export function AccountSummary({ record }) {
  const id = record.id;
  const [s, setS] = useState(null);
  useFetch(() => api.get(`/accounts/${id}/summary`), [id, record.version], setS, () => setS(null));
  if (!s) return null;
  // Each amount with its currency; none where the caller's role hides the amounts.
  const money = (key) => (s.by_currency ? formatMoneyByCurrency(s.by_currency, key) : '');
  const items = [
    ['sum.contacts', formatNumber(s.contacts)], ['sum.open', formatNumber(s.open_deals)],
    ['sum.openAmount', money('open_amount')], ['sum.weighted', money('weighted')],
    ['sum.won', formatNumber(s.won_deals)], ['sum.wonAmount', money('won_amount')],
    ['sum.lost', formatNumber(s.lost_deals)], ['sum.activities', formatNumber(s.activities)],
    ['sum.last', formatDateTime(s.last_activity_at) || '—'],
    ['sum.next', formatDateTime(s.next_activity_at) || '—'],
  ];
  return (
    <section class="card summary" aria-label={t('sum.title')}>
      <h2>{t('sum.title')}</h2>
      <dl>{items.map(([k, v]) => <div><dt>{t(k)}</dt><dd>{v}</dd></div>)}</dl>
    </section>
  );
}
