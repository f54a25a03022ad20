// A quote's page (record panels, web/src/mod/index.js): its number, version and status
// with the moves its status allows — a draft is sent; a sent quote is accepted,
// rejected or marked expired; one no longer a draft gets a new version (POST
// /quotes/{id}/revise, a draft with the same number) — its totals, the PDF in either
// paper size, and its lines as the server priced them. Its discount approval
// (src/mod/commerce/approval.c): the largest discount, whether it needs approving and
// who decided; the owner asks for it, a manager or an administrator approves or rejects
// it, and until then Send answers why not. An accepted quote becomes an order (POST
// /quotes/{id}/order), once: then its page links to the order.
import { useState } from 'preact/hooks';
import { api, ApiError, urlOf } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { enumLabel, formatDateTime, t } from '../../i18n.js';
import { Link, navigate, recordPath } from '../../router.js';
import { entityMeta, fieldMeta, isAdmin, session } from '../../state.js';
import { errorText, flash, Notice, useFetch } from '../../ui.jsx';
import { LinesTable, Totals } from './lines.jsx';
import { formatMinor, parseMinor } from './money.js';

// The moves from each status (src/mod/commerce/quotes.c, may_move).
const MOVES = {
  draft: [['sent', 'cm.send', 'primary']],
  sent: [['accepted', 'cm.accept', 'primary'], ['rejected', 'cm.reject', ''], ['expired', 'cm.expire', '']],
};

// What the server said was wrong: its field messages, else its detail.
export function problemText(err) {
  if (!(err instanceof ApiError)) return errorText(err);
  const fields = Object.values(err.fields);
  return fields.length ? fields.join(' ') : errorText(err);
}

const minor = (v) => parseMinor(v ?? '0') ?? 0n;

// Whether the signed-in user may change a record of e by their role's edit scope (the
// server decides; this only offers what it would allow): own — their own records.
export function mayChange(e, record) {
  const scope = e.permissions.edit;
  return scope !== 'none' && (scope !== 'own' || record.owner_id === session.user?.id);
}

// Basis points as a percent: 1500 → "15.00%".
const percentOf = (bp) => `${formatMinor(BigInt(bp || 0))}%`;
const NEEDS = new Set(['needed', 'requested', 'rejected']);

// The discount's approval: its state, the largest discount, who decided, and the moves
// the user may make — ask (who may edit the quote, while it needs one or was
// rejected), approve or reject (a manager or an administrator who is not its owner,
// once it is asked for).
function Approval({ record, onSaved, busy, run }) {
  const state = record.approval || 'not_needed';
  const owner = record.owner_id === session.user?.id;
  const decider = !owner && (isAdmin() || session.user?.role === 'manager');
  const draft = record.status === 'draft';
  const may = mayChange(entityMeta('quotes'), record);
  return (
    <div class="cm-approval" role="group" aria-label={t('cm.approval')}>
      <dl class="cm-facts">
        <div><dt>{t('cm.approval')}</dt><dd><span class={`tag cm-approval-${state}`}>{enumLabel(fieldMeta('quotes', 'approval'), state)}</span></dd></div>
        <div><dt>{t('cm.maxDiscount')}</dt><dd>{percentOf(record.max_discount)}</dd></div>
        {record.approved_by && (
          <div><dt>{t(state === 'rejected' ? 'cm.rejectedBy' : 'cm.approvedBy')}</dt><dd><RefName entity="users" id={record.approved_by} /></dd></div>
        )}
      </dl>
      {draft && NEEDS.has(state) && <p class="help cm-approval-why">{t(`cm.approvalWhy.${state}`)}</p>}
      <div class="actions">
        {draft && may && (state === 'needed' || state === 'rejected') && (
          <button type="button" disabled={busy} onClick={() => run(() => api.post(`/quotes/${record.id}/request-approval`), onSaved, 'cm.requested')}>
            {t('cm.requestApproval')}</button>
        )}
        {draft && decider && state === 'requested' && (
          <>
            <button type="button" class="primary" disabled={busy}
              onClick={() => run(() => api.post(`/quotes/${record.id}/approval`, { approve: true }), onSaved, 'cm.approvedNote')}>{t('cm.approve')}</button>
            <button type="button" class="danger" disabled={busy}
              onClick={() => run(() => api.post(`/quotes/${record.id}/approval`, { approve: false }), onSaved, 'cm.rejectedNote')}>{t('cm.rejectApproval')}</button>
          </>
        )}
      </div>
    </div>
  );
}

// An accepted quote's order: a link to it once made, else "Create order".
function QuoteOrder({ record, busy, setBusy, setError }) {
  const [order, setOrder] = useState(undefined); // undefined: not known yet
  const orders = entityMeta('orders');
  const reads = orders && orders.permissions.read !== 'none';
  useFetch(() => (reads ? api.get('/orders', { quote_id: record.id, limit: 1 }) : null), [record.id, record.version],
    (r) => setOrder(r.data[0] || null), () => setOrder(null));
  if (!reads || order === undefined) return null;
  if (order) return <Link class="button" href={recordPath('orders', order.id)}>{t('cm.orderLink', { number: order.number })}</Link>;
  if (orders.permissions.create === 'none') return null;
  async function make() {
    setBusy(true);
    try {
      const o = await api.post(`/quotes/${record.id}/order`);
      navigate(recordPath('orders', o.id));
      flash(t('cm.orderMade', { number: o.number }));
    } catch (err) {
      setError(problemText(err));
      setBusy(false);
    }
  }
  return <button type="button" class="primary" disabled={busy} onClick={make}>{t('cm.createOrder')}</button>;
}

export function QuotePanel({ e, record, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [newer, setNewer] = useState(null); // the version made from this one
  const draft = record.status === 'draft';
  useFetch(() => (draft ? null : api.get('/quotes', { previous_version_id: record.id, limit: 1 })),
    [record.id, record.version], (r) => setNewer(r.data[0] || null), () => setNewer(null));
  const mayEdit = e.permissions.edit !== 'none';
  const mayCreate = e.permissions.create !== 'none';

  // A call that answers the quote as it is now; note: what happened, said instead of
  // the record page's "Saved.".
  async function run(call, done, note) {
    setBusy(true);
    try {
      const r = await call();
      done(r, !!note);
      setError(null);
      if (note) flash(t(note));
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }
  const move = (status) => run(() => api.patch(`/quotes/${record.id}`, { status }, { version: record.version }), onSaved);
  async function revise() {
    setBusy(true);
    try {
      const r = await api.post(`/quotes/${record.id}/revise`);
      navigate(recordPath('quotes', r.id));
      flash(t('cm.revised', { n: r.revision }));
    } catch (err) {
      setError(problemText(err));
      setBusy(false);
    }
  }

  const status = fieldMeta('quotes', 'status');
  const file = (paper) => `${record.number || 'quote'}-v${record.revision}-${paper}.pdf`;
  const sums = { gross: minor(record.subtotal), discount: minor(record.discount_total), tax: minor(record.tax_total), total: minor(record.total) };
  return (
    <section class="card cm-quote" aria-label={t('cm.quote', { number: record.number })}>
      <div class="cm-quote-head">
        <dl class="cm-facts">
          <div><dt>{t('cm.number')}</dt><dd>{record.number}</dd></div>
          <div><dt>{t('cm.version')}</dt><dd>{record.revision}</dd></div>
          <div><dt>{t('cm.status')}</dt><dd><span class={`tag cm-status-${record.status}`}>{enumLabel(status, record.status)}</span></dd></div>
          {record.sent_at && <div><dt>{t('cm.sentAt')}</dt><dd>{formatDateTime(record.sent_at)}</dd></div>}
          {record.decided_at && <div><dt>{t('cm.decidedAt')}</dt><dd>{formatDateTime(record.decided_at)}</dd></div>}
        </dl>
        <div class="actions">
          {mayEdit && (MOVES[record.status] || []).map(([to, label, cls]) => (
            <button type="button" class={cls} disabled={busy} onClick={() => move(to)}>{t(label)}</button>
          ))}
          {!draft && mayCreate && !newer && <button type="button" disabled={busy} onClick={revise}>{t('cm.revise')}</button>}
          {newer && <Link class="button" href={recordPath('quotes', newer.id)}>{t('cm.newerVersion', { n: newer.revision })}</Link>}
          {record.status === 'accepted' && <QuoteOrder record={record} busy={busy} setBusy={setBusy} setError={setError} />}
        </div>
      </div>
      {error && <Notice kind="error" onClose={() => setError(null)}>{error}</Notice>}
      <Approval record={record} onSaved={onSaved} busy={busy} run={run} />
      <Totals sums={sums} currency={record.currency} />
      <p class="actions cm-pdf">
        <a class="button" href={urlOf(`/quotes/${record.id}/pdf`, { paper: 'a4' })} download={file('a4')}>{t('cm.pdfA4')}</a>
        <a class="button" href={urlOf(`/quotes/${record.id}/pdf`, { paper: 'letter' })} download={file('letter')}>{t('cm.pdfLetter')}</a>
      </p>
    </section>
  );
}

// The lines of a quote or an order, read-only.
export function QuoteLines({ e, record }) {
  const label = t(e?.name === 'orders' ? 'cm.orderLines' : 'cm.lines');
  return (
    <section class="panel cm-quote-lines" aria-label={label}>
      <h2>{label}</h2>
      <LinesTable lines={record.lines} currency={record.currency} label={label} />
    </section>
  );
}
