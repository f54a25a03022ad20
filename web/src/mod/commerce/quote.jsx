// A quote's page (record panels, web/src/mod/index.js): its number, version and status
// with the moves its status allows — a draft is sent; a sent quote is accepted,
// rejected or marked expired; one no longer a draft gets a new version (POST
// /quotes/{id}/revise, a draft with the same number) — its totals, the PDF in either
// paper size, and its lines as the server priced them.
import { useState } from 'preact/hooks';
import { api, ApiError, urlOf } from '../../api.js';
import { enumLabel, formatDateTime, t } from '../../i18n.js';
import { Link, navigate, recordPath } from '../../router.js';
import { fieldMeta } from '../../state.js';
import { errorText, flash, Notice, useFetch } from '../../ui.jsx';
import { LinesTable, Totals } from './lines.jsx';
import { parseMinor } from './money.js';

// The moves from each status (src/mod/commerce/quotes.c, may_move).
const MOVES = {
  draft: [['sent', 'cm.send', 'primary']],
  sent: [['accepted', 'cm.accept', 'primary'], ['rejected', 'cm.reject', ''], ['expired', 'cm.expire', '']],
};

// What the server said was wrong: its field messages, else its detail.
function problemText(err) {
  if (!(err instanceof ApiError)) return errorText(err);
  const fields = Object.values(err.fields);
  return fields.length ? fields.join(' ') : errorText(err);
}

const minor = (v) => parseMinor(v ?? '0') ?? 0n;

export function QuotePanel({ e, record, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [newer, setNewer] = useState(null); // the version made from this one
  const draft = record.status === 'draft';
  useFetch(() => (draft ? null : api.get('/quotes', { previous_version_id: record.id, limit: 1 })),
    [record.id, record.version], (r) => setNewer(r.data[0] || null), () => setNewer(null));
  const mayEdit = e.permissions.edit !== 'none';
  const mayCreate = e.permissions.create !== 'none';

  async function move(status) {
    setBusy(true);
    try {
      onSaved(await api.patch(`/quotes/${record.id}`, { status }, { version: record.version }));
      setError(null);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }
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
        </div>
      </div>
      {error && <Notice kind="error" onClose={() => setError(null)}>{error}</Notice>}
      <Totals sums={sums} currency={record.currency} />
      <p class="actions cm-pdf">
        <a class="button" href={urlOf(`/quotes/${record.id}/pdf`, { paper: 'a4' })} download={file('a4')}>{t('cm.pdfA4')}</a>
        <a class="button" href={urlOf(`/quotes/${record.id}/pdf`, { paper: 'letter' })} download={file('letter')}>{t('cm.pdfLetter')}</a>
      </p>
    </section>
  );
}

export function QuoteLines({ record }) {
  return (
    <section class="panel cm-quote-lines" aria-label={t('cm.lines')}>
      <h2>{t('cm.lines')}</h2>
      <LinesTable lines={record.lines} currency={record.currency} />
    </section>
  );
}
