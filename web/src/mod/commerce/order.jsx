// An order's page (src/mod/commerce/orders.c): its number and status with the moves
// the status allows — forward from confirmed to paid, steps skipped as the business
// goes, or cancelled before it is paid, never back — the history of its statuses
// (status_log: when, and who), its totals; and its shipments (carrier, tracking
// number, shipped and delivered) with a quick form to add one.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { fromLocalInput, RefName, toLocalInput } from '../../fields.jsx';
import { enumLabel, formatDateTime, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta } from '../../state.js';
import { Notice, useFetch } from '../../ui.jsx';
import { Totals } from './lines.jsx';
import { parseMinor } from './money.js';
import { mayChange, problemText } from './quote.jsx';
import './commerce.css';

// The statuses in their order (STATUS in orders.c); cancelled stands apart.
const FORWARD = ['confirmed', 'in_production', 'partially_shipped', 'shipped', 'delivered', 'invoiced', 'paid'];
const minor = (v) => parseMinor(v ?? '0') ?? 0n;

// The statuses an order may move to from `status`: every later one, and cancelled
// until it is paid.
export function movesFrom(status) {
  const i = FORWARD.indexOf(status);
  if (i < 0) return [];
  return [...FORWARD.slice(i + 1), ...(status === 'paid' ? [] : ['cancelled'])];
}

const listOf = (v) => {
  if (typeof v === 'string') {
    try { return JSON.parse(v); } catch { return []; }
  }
  return Array.isArray(v) ? v : [];
};

// The status history, the oldest first: each status with when and who (the system
// when nobody: an ERP's key, a job).
function StatusLog({ log }) {
  const status = fieldMeta('orders', 'status');
  if (!log.length) return null;
  return (
    <section class="cm-status-log" aria-labelledby="cm-status-log-h">
      <h3 id="cm-status-log-h">{t('cm.statusHistory')}</h3>
      <ol class="cm-log">
        {log.map((x) => (
          <li>
            <time dateTime={x.at}>{formatDateTime(x.at)}</time>{' '}
            <span class={`tag cm-order-${x.status}`}>{enumLabel(status, x.status)}</span>{' '}
            <span class="muted">{x.by ? <RefName entity="users" id={x.by} /> : t('cm.bySystem')}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function OrderPanel({ e, record, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const status = fieldMeta('orders', 'status');
  const may = mayChange(e, record);
  async function move(to) {
    if (to === 'cancelled' && !window.confirm(t('cm.cancelConfirm', { number: record.number }))) return;
    setBusy(true);
    try {
      onSaved(await api.patch(`/orders/${record.id}`, { status: to }, { version: record.version }));
      setError(null);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }
  const moves = movesFrom(record.status);
  const sums = { gross: minor(record.subtotal), discount: minor(record.discount_total), tax: minor(record.tax_total), total: minor(record.total) };
  return (
    <section class="card cm-quote cm-order" aria-label={t('cm.order', { number: record.number })}>
      <div class="cm-quote-head">
        <dl class="cm-facts">
          <div><dt>{t('cm.number')}</dt><dd>{record.number}</dd></div>
          <div><dt>{t('cm.status')}</dt><dd><span class={`tag cm-order-${record.status}`}>{enumLabel(status, record.status)}</span></dd></div>
          {record.quote_id && (
            <div><dt>{t('cm.fromQuote')}</dt><dd><RefName entity="quotes" id={record.quote_id} /></dd></div>
          )}
        </dl>
      </div>
      {may && moves.length > 0 && (
        <div class="actions cm-moves" role="group" aria-label={t('cm.moveTo')}>
          <span class="muted">{t('cm.moveTo')}</span>
          {moves.map((to, i) => (
            <button type="button" class={to === 'cancelled' ? 'danger' : i === 0 ? 'primary' : ''} disabled={busy} onClick={() => move(to)}>
              {to === 'cancelled' ? t('cm.cancelOrder') : enumLabel(status, to)}</button>
          ))}
        </div>
      )}
      {error && <Notice kind="error" onClose={() => setError(null)}>{error}</Notice>}
      <StatusLog log={listOf(record.status_log)} />
      <Totals sums={sums} currency={record.currency} />
    </section>
  );
}

// A shipment just sent: the carrier the form offers first, shipped now.
const freshShipment = () => ({ carrier: '', tracking_number: '', shipped_at: new Date().toISOString() });

// The quick form of a new shipment: carrier, tracking number, when it left.
function AddShipment({ order, onAdded }) {
  const [v, setV] = useState(freshShipment);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const carrier = fieldMeta('shipments', 'carrier');
  const set = (k) => (ev) => setV({ ...v, [k]: ev.target.value });
  async function submit(ev) {
    ev.preventDefault();
    setBusy(true);
    try {
      const body = { order_id: order.id, tracking_number: v.tracking_number.trim(), carrier: v.carrier || carrier.default || 'other' };
      if (v.shipped_at) body.shipped_at = v.shipped_at;
      onAdded(await api.post('/shipments', body));
      setV(freshShipment());
      setError(null);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="cm-add-shipment" onSubmit={submit} aria-labelledby="cm-ship-h">
      <h3 id="cm-ship-h">{t('cm.addShipment')}</h3>
      {error && <Notice kind="error" onClose={() => setError(null)}>{error}</Notice>}
      <div class="grid">
        <div class="field">
          <label for="cm-ship-carrier">{t('cm.carrier')}</label>
          <select id="cm-ship-carrier" value={v.carrier || carrier.default || ''} onChange={set('carrier')}>
            {(carrier.enum || []).map((x) => <option value={x}>{enumLabel(carrier, x)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="cm-ship-tracking">{t('cm.trackingNumber')}</label>
          <input id="cm-ship-tracking" type="text" maxlength={60} required value={v.tracking_number} onInput={set('tracking_number')} />
        </div>
        <div class="field">
          <label for="cm-ship-at">{t('cm.shippedAt')}</label>
          <input id="cm-ship-at" type="datetime-local" value={toLocalInput(v.shipped_at)}
            onInput={(ev) => setV({ ...v, shipped_at: fromLocalInput(ev.target.value) })} />
        </div>
      </div>
      <div class="actions"><button type="submit" class="primary" disabled={busy || !v.tracking_number.trim()}>{t('cm.addShipment')}</button></div>
    </form>
  );
}

export function OrderShipments({ record }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const se = entityMeta('shipments');
  const ok = canRead(se);
  useFetch(() => (ok ? api.get('/shipments', { order_id: record.id, sort: 'created_at', limit: 100 }) : null),
    [record.id, tick, ok], (r) => setRows(r.data), () => setRows([]));
  if (!ok) return null;
  const carrier = fieldMeta('shipments', 'carrier');
  const mayAdd = se.permissions.create !== 'none' && record.status !== 'cancelled';
  // Delivered now: the one change a shipment usually gets after it left.
  async function delivered(s) {
    try {
      await api.patch(`/shipments/${s.id}`, { delivered_at: new Date().toISOString() }, { version: s.version });
      setError(null);
      setTick((n) => n + 1);
    } catch (err) {
      setError(problemText(err));
    }
  }
  return (
    <section class="panel cm-shipments" aria-labelledby="cm-shipments-h">
      <h2 id="cm-shipments-h">{t('cm.shipments')}</h2>
      {error && <Notice kind="error" onClose={() => setError(null)}>{error}</Notice>}
      {rows && rows.length === 0 && <p class="muted">{t('cm.noShipments')}</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table aria-labelledby="cm-shipments-h">
            <thead><tr><th>{t('cm.carrier')}</th><th>{t('cm.trackingNumber')}</th><th>{t('cm.shippedAt')}</th><th>{t('cm.deliveredAt')}</th></tr></thead>
            <tbody>
              {rows.map((s) => (
                <tr>
                  <td>{enumLabel(carrier, s.carrier)}</td>
                  <td><Link href={recordPath('shipments', s.id)}>{s.tracking_number}</Link></td>
                  <td>{s.shipped_at ? formatDateTime(s.shipped_at) : '—'}</td>
                  <td>{s.delivered_at ? formatDateTime(s.delivered_at) : se.permissions.edit !== 'none' ? (
                    <button type="button" class="link" aria-label={t('cm.markDeliveredOf', { tracking: s.tracking_number })}
                      onClick={() => delivered(s)}>{t('cm.markDelivered')}</button>
                  ) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {mayAdd && <AddShipment order={record} onAdded={() => setTick((n) => n + 1)} />}
    </section>
  );
}
