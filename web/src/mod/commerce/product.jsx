// A product's page and form (web/src/mod/index.js): "Price for a customer" — the answer
// of GET /prices for a customer (or none), a quantity and a currency: the unit price,
// the price list that won and why — the products a bundle is made of, and the form's
// editor of a bundle's components (the JSON field `components`: [{product_id,
// quantity}], src/mod/commerce/products.c).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { FieldInput } from '../../fields.jsx';
import { enumLabel, formatMoney, formatNumber, t } from '../../i18n.js';
import { Link, recordPath } from '../../router.js';
import { canRead, entityMeta, fieldMeta } from '../../state.js';
import { errorText, Notice, useFetch } from '../../ui.jsx';
import { ProductPicker, productName } from './picker.jsx';
import './commerce.css';

const listOf = (v) => {
  if (typeof v === 'string') {
    try { return v.trim() ? JSON.parse(v) : []; } catch { return []; }
  }
  return Array.isArray(v) ? v : [];
};

export function ProductPrice({ record }) {
  const [account, setAccount] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [currency, setCurrency] = useState(record.currency);
  const [answer, setAnswer] = useState(null);
  const [error, setError] = useState(null);
  const whole = /^\s*\d{1,10}\s*$/.test(quantity) && Number(quantity) >= 1;
  useFetch(() => (whole ? api.get('/prices', { product_id: record.id, account_id: account, quantity: quantity.trim(), currency }) : null),
    [record.id, record.version, account, quantity, currency], (r) => { setAnswer(r.data); setError(null); }, setError);
  const currencies = fieldMeta('products', 'currency');
  const accountField = { name: 'account_id', type: 'ref', ref: 'accounts', label: t('cm.customer') };
  const a = answer;
  return (
    <section class="card cm-price" aria-label={t('cm.priceFor')}>
      <h2>{t('cm.priceFor')}</h2>
      <div class="grid">
        {canRead(entityMeta('accounts')) && (
          <div class="field">
            <label for="cm-price-account">{t('cm.customer')}</label>
            <FieldInput id="cm-price-account" field={accountField} value={account} onChange={setAccount} describedBy="cm-price-account-help" />
            <p class="help" id="cm-price-account-help">{t('cm.anyCustomer')}</p>
          </div>
        )}
        <div class="field">
          <label for="cm-price-qty">{t('cm.quantity')}</label>
          <input id="cm-price-qty" type="number" min="1" step="1" value={quantity} aria-invalid={!whole}
            onInput={(ev) => setQuantity(ev.target.value)} />
        </div>
        <div class="field">
          <label for="cm-price-cur">{t('cm.currency')}</label>
          <select id="cm-price-cur" value={currency} onChange={(ev) => setCurrency(ev.target.value)}>
            {(currencies?.enum || []).map((c) => <option value={c}>{enumLabel(currencies, c)}</option>)}
          </select>
        </div>
      </div>
      {error && <Notice kind="error">{errorText(error)}</Notice>}
      {a && whole && !error && (
        <div class="cm-price-answer" role="status" aria-live="polite">
          <dl class="cm-facts">
            <div><dt>{t('cm.unitPrice')}</dt><dd>{a.found ? formatMoney(a.unit_price, a.currency) : t('cm.notFound')}</dd></div>
            <div>
              <dt>{t('cm.priceList')}</dt>
              <dd>{a.price_list ? <Link href={recordPath('price_lists', a.price_list.id)}>{a.price_list.name}</Link>
                : a.found ? t('cm.listPriceOf') : '—'}</dd>
            </div>
            {a.min_quantity > 1 && <div><dt>{t('cm.volumeFrom')}</dt><dd>{t('cm.volume', { n: formatNumber(a.min_quantity) })}</dd></div>}
          </dl>
          <p class="cm-reason"><span class="muted">{t('cm.why')}</span> {a.reason}</p>
        </div>
      )}
    </section>
  );
}

// The products a bundle is made of, with their quantities, named in the UI's language.
export function BundleComponents({ record }) {
  const list = listOf(record.components);
  const [products, setProducts] = useState(null); // id → product
  const ids = list.map((c) => c.product_id).join(',');
  useFetch(() => (ids ? api.get('/products', { 'id[in]': ids, limit: 100 }) : null), [ids],
    (r) => setProducts(new Map(r.data.map((p) => [p.id, p]))), () => setProducts(new Map()));
  if (!list.length) return null;
  return (
    <section class="card cm-bundle" aria-label={t('cm.bundle')}>
      <h2>{t('cm.bundle')}</h2>
      <ul class="plain">
        {list.map((c) => {
          const p = products?.get(c.product_id);
          return (
            <li>
              {p ? <><Link href={recordPath('products', p.id)}>{productName(p)}</Link> <span class="muted small">{p.sku}</span></>
                : <span class="muted">{products ? c.product_id.slice(0, 8) : '…'}</span>}
              {' '}× {formatNumber(c.quantity)}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

let lastKey = 0;

// The form's editor of a bundle's components (FIELD_EDITORS).
export function ComponentsEditor({ values, set, errors, record }) {
  const [rows, setRows] = useState(() => listOf(values.components).map((c) => ({
    key: ++lastKey, product: { id: c.product_id, sku: '…', loading: true }, quantity: String(c.quantity ?? 1),
  })));
  const [touched, setTouched] = useState(false);
  // The saved components' products, by name and SKU.
  useEffect(() => {
    const ids = rows.filter((r) => r.product?.loading).map((r) => r.product.id);
    if (!ids.length) return;
    const done = (found) => setRows((old) => old.map((r) => (r.product?.loading
      ? { ...r, product: found.get(r.product.id) || { id: r.product.id, sku: r.product.id.slice(0, 8) } } : r)));
    api.get('/products', { 'id[in]': ids.join(','), limit: 100 })
      .then((res) => done(new Map(res.data.map((p) => [p.id, p]))), () => done(new Map()));
  }, []);
  useEffect(() => {
    if (!touched) return;
    set('components', rows.filter((r) => r.product).map((r) => {
      const q = r.quantity.trim();
      return { product_id: r.product.id, quantity: /^\d{1,10}$/.test(q) ? Number(q) : q };
    }));
  }, [rows, touched]);
  const change = (next) => { setRows(next); setTouched(true); };
  const update = (i, patch) => change(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <div class="cm-components">
      {errors.components && <p class="field-error" role="alert">{errors.components}</p>}
      {rows.length === 0 && <p class="muted">{t('cm.noComponents')}</p>}
      {rows.length > 0 && (
        <table aria-label={t('cm.bundle')}>
          <thead><tr><th class="num">#</th><th>{t('cm.product')}</th><th>{t('cm.quantity')}</th><th><span class="sr-only">{t('cm.actions')}</span></th></tr></thead>
          <tbody>
            {rows.map((r, i) => {
              const n = i + 1;
              return (
                <tr key={r.key}>
                  <td class="num">{n}</td>
                  <td>
                    <ProductPicker id={`cm-component-${n}`} label={t('cm.componentOf', { n })} value={r.product}
                      exclude={record?.id} onPick={(p) => update(i, { product: p })} onClear={() => update(i, { product: null })}
                      clearLabel={t('cm.changeComponent', { n })} />
                  </td>
                  <td>
                    <input type="number" min="1" step="1" class="cm-qty" aria-label={t('cm.componentQtyOf', { n })} value={r.quantity}
                      onInput={(ev) => update(i, { quantity: ev.target.value })} />
                  </td>
                  <td class="row-actions">
                    <button type="button" class="link" aria-label={t('cm.removeComponent', { n })}
                      onClick={() => change(rows.filter((_, k) => k !== i))}>×</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => change([...rows, { key: ++lastKey, product: null, quantity: '1' }])}>{t('cm.addComponent')}</button>
    </div>
  );
}
