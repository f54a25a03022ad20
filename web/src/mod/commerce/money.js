// A quote line's arithmetic in the browser, the server's rule exactly (src/mod/commerce/
// money.c): integer minor units (BigInt), rates in basis points, per line gross =
// quantity × unit price, the discount an amount or round(gross × percent / 100), net =
// gross − discount, tax = round(net × rate / 100), total = net + tax, each rounding half
// away from zero. It shows the figures while they are typed; the saved quote's are the
// server's. No imports: tests/e2e/commerce.test.js checks it against the server.

const BP = 10000n;
// The largest amount the server keeps (META_MONEY_MAX: INT64_MAX / 1000), in minor units.
export const MONEY_MAX = 9223372036854775n;
export const MAX_QUANTITY = 1000000000n;

// "1234.5" → 123450n; null when the text is no amount with at most 2 decimals.
export function parseMinor(s) {
  const m = /^\s*(\d{1,16})(?:\.(\d{1,2}))?\s*$/.exec(String(s ?? ''));
  if (!m) return null;
  return BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0'));
}

// 123450n → "1234.50" (the API's form of an amount).
export function formatMinor(n) {
  const neg = n < 0n;
  const a = neg ? -n : n;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

// A percent with at most 2 decimals → basis points ("13" → 1300n); null when it is not
// one from 0 to 100.
export function parsePercent(s) {
  const bp = parseMinor(s);
  return bp === null || bp > BP ? null : bp;
}

// "13.00" → "13", "12.50" → "12.5": a rate or amount as people type it.
export function trimZeros(s) {
  if (s === null || s === undefined) return '';
  return String(s).replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');
}

// round(num × bp / 10000), half away from zero (cm_apply_bp).
export function applyBp(num, bp) {
  const p = num * bp;
  let q = p / BP;
  const r = p % BP;
  if (r * 2n >= BP) q += 1n;
  else if (r * 2n <= -BP) q -= 1n;
  return q;
}

// One line: {quantity, unitPrice, discountBp, discountAmount, taxBp} as BigInt →
// {gross, discount, net, tax, total}, or {error: 'discount' | 'range' | 'input'} where
// the server would refuse the line (cm_price_line).
export function priceLine({ quantity, unitPrice, discountBp = 0n, discountAmount = 0n, taxBp = 0n }) {
  if (quantity < 1n || quantity > MAX_QUANTITY || unitPrice < 0n || unitPrice > MONEY_MAX ||
      discountBp < 0n || discountBp > BP || discountAmount < 0n || taxBp < 0n || taxBp > BP ||
      (discountBp && discountAmount)) return { error: 'input' };
  const gross = quantity * unitPrice;
  if (gross > MONEY_MAX) return { error: 'range' };
  if (discountAmount > gross) return { error: 'discount' };
  const discount = discountAmount ? discountAmount : applyBp(gross, discountBp);
  const net = gross - discount;
  const tax = applyBp(net, taxBp);
  const total = net + tax;
  return total > MONEY_MAX ? { error: 'range' } : { gross, discount, net, tax, total };
}

// The sums of priced lines (cm_add_line); lines with an error are left out.
export function addLines(lines) {
  const t = { gross: 0n, discount: 0n, net: 0n, tax: 0n, total: 0n };
  for (const l of lines) {
    if (!l || l.error) continue;
    for (const k of Object.keys(t)) t[k] += l[k];
  }
  return t;
}
