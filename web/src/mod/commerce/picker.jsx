// A product picked by searching its name or SKU (GET /products?q=), for a quote's line
// and a bundle's component; and a product's name in the UI's language.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { getLang, t } from '../../i18n.js';
import { searchable } from '../../state.js';

// The product's name as the user reads it: the Chinese one in Chinese when it has one.
export const productName = (p) => (p && ((getLang() === 'zh-CN' && p.name_zh) || p.name)) || '';
export const productLabel = (p) => [p.sku, productName(p)].filter(Boolean).join(' · ');

// value: the product picked ({id, sku, name, name_zh, …}) or null; onPick(product) with
// the product as GET /products lists it; exclude: an id never offered (the bundle itself).
export function ProductPicker({ id, label, value, onPick, onClear, clearLabel, exclude, invalid }) {
  const [text, setText] = useState('');
  const [options, setOptions] = useState([]);
  const seq = useRef(0);
  useEffect(() => {
    if (!searchable(text)) { setOptions([]); return undefined; }
    const n = ++seq.current;
    const timer = setTimeout(() => {
      api.get('/products', { q: text.trim(), active: 'true', limit: 10 }).then((r) => {
        if (n === seq.current) setOptions(r.data.filter((p) => p.id !== exclude));
      }).catch(() => {});
    }, 150);
    return () => clearTimeout(timer);
  }, [text]);
  const pick = (p) => { onPick(p); setText(''); setOptions([]); };
  if (value) {
    return (
      <div class="refpick cm-picked">
        <span>{productLabel(value)}</span>
        <button type="button" class="link" aria-label={clearLabel} onClick={onClear}>×</button>
      </div>
    );
  }
  return (
    <div class="refpick">
      <input id={id} type="search" value={text} autocomplete="off" aria-label={label} placeholder={t('cm.searchProduct')}
        aria-invalid={invalid} onInput={(ev) => setText(ev.target.value)}
        // Enter takes the first product found rather than saving the form.
        onKeyDown={(ev) => { if (ev.key === 'Enter') { ev.preventDefault(); if (options[0]) pick(options[0]); } }} />
      {options.length > 0 && (
        <ul class="options" role="listbox">
          {options.map((p) => <li><button type="button" role="option" onClick={() => pick(p)}>{productLabel(p)}</button></li>)}
        </ul>
      )}
    </div>
  );
}
