// A quote's lines (the JSON field `lines`, src/mod/commerce/quotes.c): the quote form's
// editor — a product found by name or SKU or a free-text description, quantity, unit
// price (empty: the price list's on save, looked up now with GET /prices and shown
// greyed), a discount as a percent or an amount, a tax rate; lines added, removed and
// moved; each line's figures and the quote's totals computed as they are typed
// (money.js: the server's rule) — and the table of a saved quote's lines, read-only, on
// its page and in the form of a quote that was sent (frozen). The server prices the
// lines again when it saves them: its figures are the quote's. A configurable product's
// line has "Configure" (configure.jsx): the chosen options' keys go into the line's
// `options`, its price is the base plus their changes, and their names show under it.
// Orders (src/mod/commerce/orders.c) have the same lines: the same editor while an order
// placed directly is confirmed, the same table once it is in production or when it
// came from a quote.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { RefName } from '../../fields.jsx';
import { enumLabel, formatMoney, formatNumber, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta } from '../../state.js';
import { Notice } from '../../ui.jsx';
import { chosenText, ConfigureDialog } from './configure.jsx';
import { addLines, formatMinor, parseMinor, parsePercent, priceLine, trimZeros } from './money.js';
import { modelOf, priceOf } from './options.js';
import { ProductPicker, productName } from './picker.jsx';
import './commerce.css';

const isZero = (s) => !s || /^0*(\.0*)?$/.test(String(s));
const money = (minor, currency) => formatMoney(formatMinor(minor), currency || undefined);
const unitLabel = (unit) => (unit ? enumLabel(fieldMeta('products', 'unit'), unit) : '');

// Where a line's price came from, in words; the price list by name when the user reads
// price lists.
function Source({ line }) {
  if (line.price_source === 'price_list') {
    return (
      <div class="muted small">{t('cm.fromPriceList')}
        {line.price_list_id && canRead(entityMeta('price_lists')) && <>: <RefName entity="price_lists" id={line.price_list_id} /></>}
      </div>
    );
  }
  if (line.price_source === 'list_price') return <div class="muted small">{t('cm.fromListPrice')}</div>;
  return null;
}

function discountText(l, currency) {
  if (!isZero(l.discount_percent)) return `${trimZeros(l.discount_percent)}% (${formatMoney(l.discount, currency)})`;
  if (!isZero(l.discount)) return formatMoney(l.discount, currency);
  return '—';
}

// The lines of a saved quote or order, as the server priced them; label: the table's
// name.
export function LinesTable({ lines, currency, label = t('cm.lines') }) {
  const list = Array.isArray(lines) ? lines : [];
  if (!list.length) return <p class="muted">{t('cm.noLines')}</p>;
  return (
    <div class="table-wrap">
      <table class="cm-lines" aria-label={label}>
        <thead>
          <tr>
            <th class="num">#</th><th>{t('cm.item')}</th><th class="num">{t('cm.quantity')}</th>
            <th class="num">{t('cm.unitPrice')}</th><th class="num">{t('cm.discount')}</th>
            <th class="num">{t('cm.taxRate')}</th><th class="num">{t('cm.net')}</th><th class="num">{t('cm.total')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((l, i) => (
            <tr>
              <td class="num">{i + 1}</td>
              <td>
                {l.product_id && (
                  <div><Link href={recordPath('products', l.product_id)}>{productName(l) || l.sku}</Link>
                    {l.sku && <> <span class="muted small cm-sku">{l.sku}</span></>}</div>
                )}
                {l.options_text && <div class="small cm-options">{l.options_text}</div>}
                {l.description && <div class="pre">{l.description}</div>}
              </td>
              <td class="num">{formatNumber(l.quantity)}{l.unit && <span class="muted small"> {unitLabel(l.unit)}</span>}</td>
              <td class="num">{formatMoney(l.unit_price, currency)}<Source line={l} /></td>
              <td class="num">{discountText(l, currency)}</td>
              <td class="num">{trimZeros(l.tax_rate)}%</td>
              <td class="num">{formatMoney(l.net, currency)}</td>
              <td class="num">{formatMoney(l.total, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// A configurable product's line: what is chosen (or that nothing is yet) and
// "Configure".
function LineOptions({ r, n, onConfigure }) {
  const model = r.product && modelOf(r.product.options);
  if (!model && !r.options?.length) return null;
  const text = model ? chosenText(model, r.options || []) : r.saved?.options_text;
  const required = model && model.groups.some((g) => g.min > 0);
  return (
    <div class="cm-line-options">
      {text ? <span class="small cm-options">{text}</span>
        : <span class={`small ${required ? 'cm-unconfigured' : 'muted'}`}>{t(required ? 'cm.notConfigured' : 'cm.noOptions')}</span>}
      {model && <> <button type="button" class="link" aria-label={t('cm.configureOf', { n })} onClick={onConfigure}>{t('cm.configure')}</button></>}
    </div>
  );
}

// The quote's totals: figures in minor units ({gross, discount, tax, total}).
export function Totals({ sums, currency, note }) {
  const items = [['cm.subtotal', sums.gross], ['cm.discounts', sums.discount], ['cm.tax', sums.tax], ['cm.grandTotal', sums.total]];
  return (
    <div class="summary cm-totals" role="status" aria-label={t('cm.totals')}>
      <dl>{items.map(([k, v]) => <div><dt>{t(k)}</dt><dd class={k === 'cm.grandTotal' ? 'cm-grand' : ''}>{money(v, currency)}</dd></div>)}</dl>
      {note && <p class="muted small">{note}</p>}
    </div>
  );
}

let lastKey = 0;
// options: the chosen options' keys of a configurable product, null until configured.
const blankRow = () => ({ key: ++lastKey, product: null, description: '', quantity: '1', unit_price: '', discount: '', kind: 'percent', tax_rate: '', options: null, saved: null });

// A line as the server saved it → a row of the editor. A price the server took from a
// price list stays empty (it is looked up again when the line changes); one typed is
// kept as typed.
function rowOf(l) {
  const pct = !isZero(l.discount_percent);
  return {
    key: ++lastKey,
    product: l.product_id ? { id: l.product_id, sku: l.sku, name: l.name, name_zh: l.name_zh, unit: l.unit } : null,
    description: l.description || '',
    quantity: String(l.quantity ?? 1),
    unit_price: l.price_source === 'manual' || !l.product_id ? l.unit_price || '' : '',
    discount: pct ? trimZeros(l.discount_percent) : isZero(l.discount_amount) ? '' : l.discount_amount,
    kind: pct || isZero(l.discount_amount) ? 'percent' : 'amount',
    tax_rate: l.tax_rate === undefined || l.tax_rate === null ? '' : trimZeros(l.tax_rate),
    options: Array.isArray(l.options) ? l.options : null,
    saved: l,
  };
}

function rowsOf(v) {
  let list = v;
  if (typeof v === 'string') {
    try { list = v.trim() ? JSON.parse(v) : []; } catch { list = []; }
  }
  return Array.isArray(list) && list.length ? list.filter((l) => l && typeof l === 'object').map(rowOf) : [blankRow()];
}

const blank = (r) => !r.product && !r.description.trim() && !r.unit_price.trim() && !r.discount.trim();
const wholeQuantity = (r) => (/^\d{1,10}$/.test(r.quantity.trim()) ? BigInt(r.quantity.trim()) : null);

// A row's line as the server takes it (docs/api.md): a price list's price kept as it
// was saved while the product, the quantity and the quote's currency, customer and
// price list are those it was found for; otherwise none, and the server looks it up.
function lineOf(r, auto) {
  const l = {};
  if (r.product) l.product_id = r.product.id;
  if (r.product && r.options) l.options = r.options;
  if (r.description.trim()) l.description = r.description.trim();
  const q = r.quantity.trim();
  l.quantity = /^\d{1,10}$/.test(q) ? Number(q) : q;
  if (r.unit_price.trim()) l.unit_price = r.unit_price.trim();
  else if (auto?.kept) {
    l.unit_price = auto.unit_price;
    l.price_source = auto.source;
    if (auto.list) l.price_list_id = auto.list;
  }
  if (r.discount.trim()) l[r.kind === 'percent' ? 'discount_percent' : 'discount_amount'] = r.discount.trim();
  if (r.tax_rate.trim()) l.tax_rate = r.tax_rate.trim();
  return l;
}

// A looked-up price with the row's options added (the server's rule: base plus each
// option's change); undefined while the product's options are not loaded yet. A price
// kept as saved has them already.
function configured(r, auto) {
  const base = parseMinor(auto.unit_price);
  if (auto.kept || !r.options?.length || base === null) return base;
  const model = modelOf(r.product.options);
  return model ? priceOf(model, r.options, base).unit : undefined;
}

// What a row comes to now: the figures of priceLine, or {error: 'input' | 'unpriced' |
// 'discount' | 'range'}.
function figures(r, auto) {
  const q = wholeQuantity(r);
  const typed = r.unit_price.trim();
  let unit = 0n;
  if (typed) unit = parseMinor(typed);
  else if (r.product) unit = auto?.found ? configured(r, auto) : undefined;
  const d = r.discount.trim();
  const discount = !d ? 0n : r.kind === 'percent' ? parsePercent(d) : parseMinor(d);
  const taxText = r.tax_rate.trim();
  const tax = taxText ? parsePercent(taxText) : BigInt(r.product?.tax_rate ?? 0);
  if (q === null || unit === null || discount === null || tax === null) return { error: 'input' };
  if (unit === undefined) return { error: 'unpriced' };
  if (unit < 0n) return { error: 'input' };
  return priceLine({
    quantity: q, unitPrice: unit, taxBp: tax,
    discountBp: r.kind === 'percent' ? discount : 0n, discountAmount: r.kind === 'amount' ? discount : 0n,
  });
}

// The form's editor of a quote's `lines` (FIELD_EDITORS): a sent quote's lines only show.
export function LinesEditor({ values, set, errors, record }) {
  if (record && record.status !== 'draft') {
    return (
      <div class="cm-lines-edit">
        <Notice kind="warn">{t('cm.frozen')}</Notice>
        <LinesTable lines={record.lines} currency={record.currency} />
      </div>
    );
  }
  return <DraftLines values={values} set={set} errors={errors} record={record} />;
}

// An order's: lines of its own while it is confirmed; those of the quote it came from
// (copied by the server as accepted, never changed) or of an order in production only
// show.
export function OrderLinesEditor({ values, set, errors, record }) {
  const fromQuote = record ? !!record.quote_id : !!values.quote_id;
  if (fromQuote || (record && record.status !== 'confirmed')) {
    return (
      <div class="cm-lines-edit">
        <Notice kind="warn">{t(fromQuote ? (record ? 'cm.orderFromQuote' : 'cm.orderTakesQuote') : 'cm.orderFrozen')}</Notice>
        {record && <LinesTable lines={record.lines} currency={record.currency} label={t('cm.orderLines')} />}
      </div>
    );
  }
  return <DraftLines values={values} set={set} errors={errors} record={record} />;
}

const norm = (v) => v || '';

function DraftLines({ values, set, errors, record }) {
  const [rows, setRows] = useState(() => rowsOf(values.lines));
  const [touched, setTouched] = useState(false);
  const [configuring, setConfiguring] = useState(null); // the key of the row whose options are chosen
  const [, setTick] = useState(0);
  const prices = useRef({}); // lookup key → GET /prices's answer, or 'loading'
  const currency = norm(values.currency);
  const account = norm(values.account_id);
  const list = norm(values.price_list_id);
  // A new currency, customer or price list prices every line again (the server does).
  const moved = !!record && (currency !== norm(record.currency) || account !== norm(record.account_id) || list !== norm(record.price_list_id));
  const keyOf = (r) => `${r.product.id}|${r.quantity.trim()}|${currency}|${account}|${list}`;

  // The price a row without a typed one gets: the one saved (unchanged), or the lookup's.
  function auto(r) {
    if (!r.product || r.unit_price.trim()) return null;
    const s = r.saved;
    if (s && s.price_source !== 'manual' && s.product_id === r.product.id && String(s.quantity) === r.quantity.trim() && !moved &&
        JSON.stringify(s.options || null) === JSON.stringify(r.options || null)) {
      return { found: true, unit_price: s.unit_price, source: s.price_source, list: s.price_list_id, kept: true };
    }
    const p = prices.current[keyOf(r)];
    return p && p !== 'loading' ? p : null;
  }

  // The products of saved lines: their tax rates, for a rate cleared in the editor, and
  // their options (a configurable product's line is configured again).
  useEffect(() => {
    const ids = [...new Set(rows.filter((r) => r.product && r.product.tax_rate === undefined).map((r) => r.product.id))];
    if (!ids.length) return;
    api.get('/products', { 'id[in]': ids.join(','), limit: 100 }).then((res) => {
      const by = new Map(res.data.map((p) => [p.id, p]));
      setRows((old) => old.map((r) => (r.product && by.has(r.product.id) && r.product.tax_rate === undefined
        ? { ...r, product: { ...r.product, tax_rate: by.get(r.product.id).tax_rate, options: by.get(r.product.id).options } } : r)));
    }).catch(() => {});
  }, []);

  // Prices of product lines without one typed, looked up as the server will on save.
  useEffect(() => {
    if (!currency) return undefined;
    const want = [...new Set(rows.filter((r) => r.product && !r.unit_price.trim() && wholeQuantity(r) > 0n && !auto(r))
      .map(keyOf))].filter((k) => !prices.current[k]);
    if (!want.length) return undefined;
    const timer = setTimeout(() => {
      for (const k of want) {
        const [productId, quantity] = k.split('|');
        prices.current[k] = 'loading';
        api.get('/prices', { product_id: productId, quantity, currency, account_id: account, price_list_id: list }).then((res) => {
          const p = res.data;
          prices.current[k] = { found: p.found, unit_price: p.unit_price, source: p.price_list ? 'price_list' : 'list_price', reason: p.reason };
        }, () => { prices.current[k] = { found: false }; }).finally(() => setTick((n) => n + 1));
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [rows, currency, account, list]);

  // The form sends the lines once the user changed them (or what prices them); back to
  // the saved ones when what prices them is back as it was.
  const sent = useRef(false);
  useEffect(() => {
    if (touched || moved) {
      set('lines', rows.filter((r) => !blank(r)).map((r) => lineOf(r, auto(r))));
      sent.current = true;
    } else if (sent.current) {
      set('lines', record.lines);
      sent.current = false;
    }
  }, [rows, touched, moved]);

  const change = (next) => { setRows(next); setTouched(true); };
  const update = (i, patch) => change(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  const move = (i, by) => {
    const next = [...rows];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    change(next);
  };
  const remove = (i) => change(rows.length > 1 ? rows.filter((_, k) => k !== i) : [blankRow()]);

  const figs = rows.map((r) => (blank(r) ? null : figures(r, auto(r))));
  const sums = addLines(figs);
  const unpriced = figs.some((f) => f?.error === 'unpriced');
  const cfg = rows.findIndex((r) => r.key === configuring && r.product);
  return (
    <div class="cm-lines-edit">
      {errors.lines && <p class="field-error" role="alert">{errors.lines}</p>}
      <div class="table-wrap">
        <table class="cm-lines" aria-label={t('cm.lines')}>
          <thead>
            <tr>
              <th class="num">#</th><th>{t('cm.item')}</th><th>{t('cm.quantity')}</th><th>{t('cm.unitPrice')}</th>
              <th>{t('cm.discount')}</th><th>{t('cm.taxRate')}</th><th class="num">{t('cm.net')}</th>
              <th class="num">{t('cm.total')}</th><th><span class="sr-only">{t('cm.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const n = i + 1;
              const a = auto(r);
              const f = figs[i];
              const loading = r.product && !r.unit_price.trim() && !a;
              const price = a?.found ? configured(r, a) : null;
              const placeholder = !r.product ? '0.00' : a ? (a.found ? (price === undefined || price === null ? '…' : formatMinor(price)) : t('cm.noPrice')) : '…';
              const message = f?.error === 'unpriced' && a ? t('cm.noPriceFor', { cur: currency })
                : f?.error === 'discount' ? t('cm.discountTooLarge') : f?.error && f.error !== 'unpriced' ? t('cm.badLine') : '';
              return (
                <Fragment key={r.key}>
                  <tr class={message ? 'cm-bad' : ''}>
                    <td class="num">{n}</td>
                    <td class="cm-item">
                      <ProductPicker id={`cm-product-${n}`} label={t('cm.productOf', { n })} value={r.product}
                        onPick={(p) => update(i, { product: p, unit_price: '', tax_rate: '', options: null, saved: null })}
                        onClear={() => update(i, { product: null, options: null, saved: null })} clearLabel={t('cm.clearProduct', { n })} />
                      <LineOptions r={r} n={n} onConfigure={() => setConfiguring(r.key)} />
                      <input type="text" class="cm-desc" aria-label={t('cm.descriptionOf', { n })} maxlength={2000} value={r.description}
                        placeholder={r.product ? t('cm.description') : t('cm.orText')} onInput={(ev) => update(i, { description: ev.target.value })} />
                    </td>
                    <td>
                      <input type="text" inputmode="numeric" class="cm-qty" aria-label={t('cm.quantityOf', { n })} value={r.quantity}
                        aria-invalid={wholeQuantity(r) === null || wholeQuantity(r) < 1n} onInput={(ev) => update(i, { quantity: ev.target.value })} />
                      {r.product?.unit && <span class="muted small"> {unitLabel(r.product.unit)}</span>}
                    </td>
                    <td>
                      <input type="text" inputmode="decimal" class="cm-money" aria-label={t('cm.unitPriceOf', { n })} value={r.unit_price}
                        placeholder={placeholder} title={a?.reason} aria-busy={loading ? 'true' : undefined}
                        aria-invalid={!!r.unit_price.trim() && parseMinor(r.unit_price) === null}
                        onInput={(ev) => update(i, { unit_price: ev.target.value })} />
                      {a?.found && <Source line={{ price_source: a.source }} />}
                    </td>
                    <td class="cm-discount">
                      <input type="text" inputmode="decimal" class="cm-rate" aria-label={t('cm.discountOf', { n })} value={r.discount}
                        onInput={(ev) => update(i, { discount: ev.target.value })} />
                      <select aria-label={t('cm.discountKindOf', { n })} value={r.kind} onChange={(ev) => update(i, { kind: ev.target.value })}>
                        <option value="percent">{t('cm.percent')}</option>
                        <option value="amount">{t('cm.amountOff')}</option>
                      </select>
                    </td>
                    <td>
                      <input type="text" inputmode="decimal" class="cm-rate" aria-label={t('cm.taxRateOf', { n })} value={r.tax_rate}
                        placeholder={r.product?.tax_rate !== undefined && r.product?.tax_rate !== null ? trimZeros(formatMinor(BigInt(r.product.tax_rate))) : '0'}
                        onInput={(ev) => update(i, { tax_rate: ev.target.value })} />
                    </td>
                    <td class="num" data-label="net">{f && !f.error ? money(f.net, currency) : '—'}</td>
                    <td class="num" data-label="total">{f && !f.error ? money(f.total, currency) : '—'}</td>
                    <td class="row-actions">
                      <button type="button" class="link" aria-label={t('cm.up', { n })} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                      <button type="button" class="link" aria-label={t('cm.down', { n })} disabled={i === rows.length - 1} onClick={() => move(i, 1)}>↓</button>
                      <button type="button" class="link" aria-label={t('cm.removeLine', { n })} onClick={() => remove(i)}>×</button>
                    </td>
                  </tr>
                  {message && <tr class="cm-bad"><td /><td colSpan={8} class="field-error">{message}</td></tr>}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {cfg >= 0 && (
        <ConfigureDialog n={cfg + 1} product={rows[cfg].product} keys={rows[cfg].options} quantity={rows[cfg].quantity} account={account}
          currency={currency} priceList={list} onClose={() => setConfiguring(null)}
          onDone={(keys) => { update(cfg, { options: keys }); setConfiguring(null); }} />
      )}
      <div class="cm-lines-foot">
        <button type="button" onClick={() => change([...rows, blankRow()])}>{t('cm.addLine')}</button>
        <p class="help">{t('cm.hint')}</p>
      </div>
      <Totals sums={sums} currency={currency} note={unpriced ? t('cm.unpriced') : ''} />
    </div>
  );
}
