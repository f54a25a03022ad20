// The configurator (src/mod/commerce/configure.c): a configurable product's option
// groups chosen one at a time — a step per group, in the model's order, with Back and
// Next, then a review — while the price follows every choice (the base price for the
// buyer, each option's change, the unit price and the total) and every rule the server
// names as broken is listed (POST /products/{id}/configure answers 422 with one error
// per broken rule). The same chooser is the product page's "Configure" panel and, in a
// dialog, a quote or order line's "Configure".
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { FieldInput } from '../../fields.jsx';
import { formatMoney, formatNumber, getLang, t } from '../../i18n.js';
import { canRead, entityMeta } from '../../state.js';
import { errorText } from '../../ui.jsx';
import { formatMinor, parseMinor } from './money.js';
import { deltaOf, findOption, groupCount, groupDone, modelOf, parseSigned, priceOf } from './options.js';
import './commerce.css';

// A group's or an option's name in the UI's language, as the server names it.
export const optName = (x) => (x && ((getLang() === 'zh-CN' && x.name_zh) || x.name)) || '';
const money = (minor, currency) => formatMoney(formatMinor(minor), currency || undefined);
const signed = (minor, currency) => (minor < 0n ? money(minor, currency) : `+${money(minor, currency)}`);
const whole = (q) => (/^\s*\d{1,10}\s*$/.test(String(q)) && Number(q) >= 1 ? Number(q) : null);

// The chosen options' names, in the model's order: what a line's options_text says.
export function chosenText(model, keys) {
  return model.groups.flatMap((g) => g.options.filter((o) => keys.includes(o.key)).map(optName)).join('; ');
}

// What a group asks for, in words.
function asks(g) {
  if (g.min === g.max) return t('cm.cfgChooseN', { n: g.min });
  if (g.min === 0) return g.max === 1 ? t('cm.cfgOptionalOne') : t('cm.cfgUpTo', { n: g.max });
  return t('cm.cfgBetween', { min: g.min, max: g.max });
}

// An option's price change as the model gives it: an amount, or a percent (with what it
// comes to on the base price, once known).
function changeText(o, base, currency) {
  if (o.percent !== undefined && o.percent !== null) {
    const pct = `${String(o.percent).trim().startsWith('-') ? '' : '+'}${String(o.percent).trim()}%`;
    const d = base === null ? null : deltaOf(o, base);
    return d === null ? pct : `${pct} (${signed(d, currency)})`;
  }
  const d = deltaOf(o, 0n);
  return d ? signed(d, currency) : t('cm.cfgIncluded');
}

// One group's step: a radio per option when one may be chosen (with "None" when the
// group is optional), else a checkbox per option, those past the group's most disabled.
function GroupStep({ g, index, count, keys, onChange, base, currency, idBase, model }) {
  const single = g.max === 1;
  const n = groupCount(g, keys);
  // The keys stay in the model's order, whatever the order of the clicks: the options'
  // names read the same way on the line (options_text) and in the price.
  const pick = (key, on) => {
    const mine = new Set(g.options.map((o) => o.key));
    const next = new Set(keys.filter((k) => !mine.has(k) || (!single && k !== key)));
    if (on && key) next.add(key);
    onChange(model.groups.flatMap((x) => x.options.map((o) => o.key)).filter((k) => next.has(k)));
  };
  const name = `${idBase}-g${index}`;
  return (
    <fieldset class="cm-config-step">
      <legend>{t('cm.cfgStepOf', { n: index + 1, of: count, name: optName(g) })}</legend>
      <p class="help">{asks(g)}</p>
      {single && g.min === 0 && (
        <label class="choice"><input type="radio" name={name} checked={n === 0} onChange={() => pick(null, false)} /> {t('cm.cfgNone')}</label>
      )}
      {g.options.map((o) => {
        const on = keys.includes(o.key);
        return (
          <label class={`choice ${on ? 'on' : ''}`}>
            <input type={single ? 'radio' : 'checkbox'} name={name} checked={on}
              disabled={!single && !on && n >= g.max} onChange={(ev) => pick(o.key, single || ev.target.checked)} />
            {' '}{optName(o)} <span class="muted small">{changeText(o, base, currency)}</span>
          </label>
        );
      })}
    </fieldset>
  );
}

// The price of the configuration: the server's once it answered for these choices, else
// the same figures computed here from the base price (the server answers 422 until the
// choice is complete).
function ConfigPrice({ figures, currency, quantity }) {
  if (!figures) return <div class="cm-config-price muted" role="status" aria-label={t('cm.cfgPrice')}>{t('cm.cfgNoPrice')}</div>;
  const { base, deltas, unit } = figures;
  return (
    <div class="cm-config-price summary" role="status" aria-live="polite" aria-label={t('cm.cfgPrice')}>
      <table>
        <tbody>
          <tr><th scope="row">{t('cm.cfgBase')}</th><td class="num">{money(base, currency)}</td></tr>
          {deltas.map((d) => <tr><th scope="row" class="cm-config-opt">{d.name}</th><td class="num">{signed(d.delta, currency)}</td></tr>)}
          <tr class="cm-config-unit"><th scope="row">{t('cm.unitPrice')}</th><td class="num">{money(unit, currency)}</td></tr>
          <tr class="cm-config-total">
            <th scope="row">{t('cm.cfgTotal', { n: formatNumber(quantity) })}</th>
            <td class="num">{unit * BigInt(quantity) >= 0n ? money(unit * BigInt(quantity), currency) : '—'}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

// The guided chooser. product: {id, options, currency}; value: the chosen keys;
// onChange(keys); quantity, account (id or ''), currency and priceList (a quote's price
// list: the line is priced from it, which the configure route does not take — then the
// figures are computed here from that list's price) price it; onState({ok}) is told
// whether the server accepts the choice as it is.
export function Chooser({ product, value, onChange, quantity, account = '', currency, priceList = '', onState, idBase = 'cm-cfg' }) {
  const model = modelOf(product.options);
  const count = model ? model.groups.length : 0;
  // A configuration already made opens on its review; a new one on its first group.
  const [step, setStep] = useState(() => (value.length ? count : 0));
  const [seen, setSeen] = useState(() => (value.length ? count : 0)); // the furthest step reached
  const [answer, setAnswer] = useState(null); // {keys, data} of the last 200
  const [errors, setErrors] = useState([]);
  const [base, setBase] = useState(null); // BigInt, the lookup's base price
  const seq = useRef(0);
  const stepRef = useRef(null);
  const q = whole(quantity);
  const cur = currency || product.currency;

  // The base price for the buyer, as the server prices a line: its figures while the
  // choice is incomplete.
  useEffect(() => {
    setBase(null);
    if (!q) return undefined;
    let live = true;
    api.get('/prices', { product_id: product.id, quantity: q, currency: cur, account_id: account, price_list_id: priceList })
      .then((r) => { if (live) setBase(r.data.found ? parseMinor(r.data.unit_price) : null); }, () => {});
    return () => { live = false; };
  }, [product.id, q, cur, account, priceList]);

  // The server checks and prices every change (after a short pause while clicking).
  const keyText = JSON.stringify(value);
  useEffect(() => {
    if (!q) { setErrors([t('cm.cfgBadQty')]); onState?.({ ok: false }); return undefined; }
    const n = ++seq.current;
    onState?.({ ok: false });
    const timer = setTimeout(() => {
      api.post(`/products/${product.id}/configure`, { options: value, quantity: q, currency: cur, ...(account ? { account_id: account } : {}) })
        .then((r) => {
          if (n !== seq.current) return;
          setAnswer({ keys: keyText, data: r.data });
          setErrors([]);
          onState?.({ ok: true });
        }, (err) => {
          if (n !== seq.current) return;
          setAnswer(null);
          const list = err instanceof ApiError && err.problem.errors?.length ? err.problem.errors.map((e) => e.message) : [errorText(err)];
          setErrors(list);
          onState?.({ ok: false });
        });
    }, 150);
    return () => clearTimeout(timer);
  }, [product.id, keyText, q, cur, account]);

  // Keyboard users land on the step they moved to.
  const moved = useRef(false);
  useEffect(() => {
    if (moved.current) stepRef.current?.querySelector('input, button')?.focus();
    moved.current = false;
  }, [step]);

  if (!model) return <p class="muted">{t('cm.cfgNotConfigurable')}</p>;
  const go = (i) => { moved.current = true; setStep(i); setSeen((s) => Math.max(s, i)); };
  const g = model.groups[step];
  // The review once every group was reached and is answered.
  const reviewable = seen >= count || (seen >= count - 1 && model.groups.every((x) => groupDone(x, value)));
  // A group not reached yet, or the one on screen not answered yet, is no mistake: its
  // step asks for the choice (the server names a group's count "Housing: choose at least
  // 1", in the UI's language).
  const quiet = model.groups.filter((x, i) => i > seen || (i === step && !groupDone(x, value))).map(optName);
  const shown = errors.filter((m) => !quiet.some((name) => m.startsWith(`${name}:`) || m.startsWith(`${name}：`)));
  const server = answer && answer.keys === keyText && !priceList ? answer.data : null;
  let figures = null;
  if (server) {
    figures = { base: parseMinor(server.base_price), unit: parseSigned(server.unit_price),
      deltas: server.options.map((o) => ({ name: optName(findOption(model, o.key)?.option) || o.name, delta: parseSigned(o.delta) })) };
  } else if (base !== null) {
    const p = priceOf(model, value, base);
    figures = { base, unit: p.unit, deltas: p.deltas.map((d) => ({ name: optName(d.option), delta: d.delta })) };
  }
  return (
    <div class="cm-config">
      <ol class="cm-steps" aria-label={t('cm.cfgSteps')}>
        {model.groups.map((x, i) => {
          const chosen = x.options.filter((o) => value.includes(o.key)).map(optName).join(', ');
          const state = i === step ? 'current' : groupDone(x, value) && i <= seen ? 'done' : 'todo';
          return (
            <li class={`cm-step-${state}`}>
              <button type="button" class="link" aria-current={i === step ? 'step' : undefined} disabled={i > seen} onClick={() => go(i)}>
                <span class="cm-step-n" aria-hidden="true">{state === 'done' ? '✓' : i + 1}</span> {optName(x)}
              </button>
              <span class="muted small"> {chosen || (i <= seen ? t('cm.cfgNone') : asks(x))}</span>
            </li>
          );
        })}
        <li class={step === count ? 'cm-step-current' : 'cm-step-todo'}>
          <button type="button" class="link" aria-current={step === count ? 'step' : undefined} disabled={!reviewable} onClick={() => go(count)}>
            <span class="cm-step-n" aria-hidden="true">{count + 1}</span> {t('cm.cfgReview')}
          </button>
        </li>
      </ol>
      <div class="cm-config-body">
        <div ref={stepRef}>
          {g ? (
            <GroupStep g={g} index={step} count={count} keys={value} onChange={onChange} base={base} currency={cur} idBase={idBase} model={model} />
          ) : (
            <section class="cm-config-step" aria-label={t('cm.cfgReview')}>
              <h3>{t('cm.cfgReview')}</h3>
              <dl class="cm-facts cm-review">
                {model.groups.map((x) => (
                  <div><dt>{optName(x)}</dt><dd>{x.options.filter((o) => value.includes(o.key)).map(optName).join(', ') || t('cm.cfgNone')}</dd></div>
                ))}
              </dl>
            </section>
          )}
          <div class="actions cm-config-nav">
            <button type="button" disabled={step === 0} onClick={() => go(step - 1)}>{t('cm.cfgBack')}</button>
            {g && (
              <button type="button" class="primary" disabled={!groupDone(g, value)} onClick={() => go(step + 1)}>
                {step === count - 1 ? t('cm.cfgToReview') : t('cm.cfgNext')}</button>
            )}
          </div>
        </div>
        <ConfigPrice figures={figures} currency={cur} quantity={q || 1} />
      </div>
      {shown.length > 0 && (
        <div class="notice error stack cm-config-errors" role="alert" aria-label={t('cm.cfgBroken')}>
          <p>{t('cm.cfgBroken')}</p>
          <ul>{shown.map((m) => <li>{m}</li>)}</ul>
        </div>
      )}
    </div>
  );
}

// The product page's head panel: the chooser for a quantity and a customer.
export function ProductConfigure({ record }) {
  const [keys, setKeys] = useState([]);
  const [quantity, setQuantity] = useState('1');
  const [account, setAccount] = useState('');
  const accountField = { name: 'account_id', type: 'ref', ref: 'accounts', label: t('cm.customer') };
  return (
    <section class="card cm-configure" aria-label={t('cm.configure')}>
      <h2>{t('cm.configure')}</h2>
      <div class="grid">
        <div class="field">
          <label for="cm-cfg-qty">{t('cm.quantity')}</label>
          <input id="cm-cfg-qty" type="number" min="1" step="1" value={quantity} aria-invalid={!whole(quantity)}
            onInput={(ev) => setQuantity(ev.target.value)} />
        </div>
        {canRead(entityMeta('accounts')) && (
          <div class="field">
            <label for="cm-cfg-account">{t('cm.customer')}</label>
            <FieldInput id="cm-cfg-account" field={accountField} value={account} onChange={setAccount} describedBy="cm-cfg-account-help" />
            <p class="help" id="cm-cfg-account-help">{t('cm.anyCustomer')}</p>
          </div>
        )}
      </div>
      <Chooser key={record.version} product={record} value={keys} onChange={setKeys} quantity={quantity} account={account} idBase="cm-cfg" />
    </section>
  );
}

// A line's chooser in a dialog: "Use this configuration" once the server accepts it.
export function ConfigureDialog({ n, product, keys, quantity, account, currency, priceList, onDone, onClose }) {
  const [value, setValue] = useState(keys || []);
  const [ok, setOk] = useState(false);
  const ref = useRef(null);
  useEffect(() => { ref.current?.querySelector('input, button:not([disabled])')?.focus(); }, []);
  return (
    <div class="overlay" onMouseDown={(ev) => { if (ev.target === ev.currentTarget) onClose(); }}>
      <div class="dialog panel cm-config-dialog" role="dialog" aria-modal="true" aria-labelledby="cm-cfg-dialog-h" ref={ref}
        onKeyDown={(ev) => { if (ev.key === 'Escape') { ev.stopPropagation(); onClose(); } }}>
        <h2 id="cm-cfg-dialog-h">{t('cm.configureLine', { n, name: optName(product) })}</h2>
        <Chooser product={product} value={value} onChange={setValue} quantity={quantity} account={account} currency={currency}
          priceList={priceList} onState={(s) => setOk(s.ok)} idBase={`cm-cfg-${n}`} />
        <div class="actions">
          <button type="button" class="primary" disabled={!ok} onClick={() => onDone(value)}>{t('cm.cfgUse')}</button>
          <button type="button" onClick={onClose}>{t('rec.cancel')}</button>
        </div>
      </div>
    </div>
  );
}
