// The products-and-quotes benchmark (`make bench-commerce`, bench/commerce.sh): a release
// server on a fresh SQLite database; N products (default 100,000) and a price list for
// everyone with three volume prices for each (1, 10, 100 units), imported as CSV; a
// tier-A list over every tenth product and one account's list over every hundredth.
// Then, one client at a time (latencies, not throughput): LOOKUPS price lookups of
// random products, quantities and buyers; quotes of 1 and 500 lines created with every
// price looked up, and with every price given (the pricing is the difference); a
// 50-line quote's PDF; an account with ORDERS orders (default 10,000: paid ones in two
// currencies over a year, with exchange rates) opening its card — the record, its
// summary and its quotes, orders and contracts in the base currency. Prints medians and
// p99 against the issue's targets.
import { startServer, loginAdmin, create, runImport } from '../tests/api/helpers.js';

const N = Number(process.env.N || 100000);
const LOOKUPS = Number(process.env.LOOKUPS || 5000);
const ROUNDS = Number(process.env.ROUNDS || 30);
const ORDERS = Number(process.env.ORDERS || 10000);

const srv = await startServer({ env: { RAPPORT_LOG_LEVEL: 'warn', RAPPORT_JOB_POLL_MS: '20' } });
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
const stats = (t) => { t.sort((a, b) => a - b); return { p50: pct(t, 0.5), p99: pct(t, 0.99) }; };
const row = (k, v, target) => console.log(`${k.padEnd(44)} ${v.padStart(18)}  ${target}`);
let rng = 12345;
const rand = (n) => { rng = (rng * 1103515245 + 12345) % 2147483648; return rng % n; };
try {
  const admin = await loginAdmin(srv.base);
  let t0 = performance.now();
  const csv = ['sku,name,name_zh,list_price,currency,tax_rate'];
  for (let i = 0; i < N; i++) csv.push(`B-${i},Bench part ${i},基准零件 ${i},${(10 + (i % 990)).toFixed(2)},USD,1300`);
  let job = await runImport(admin, 'entity=products', `${csv.join('\n')}\n`);
  if (job.status !== 'done') throw new Error(JSON.stringify(job));
  const importS = (performance.now() - t0) / 1000;
  // The ids, in SKU order, through the list API.
  const ids = new Array(N);
  let cursor = null;
  do {
    const r = await admin.get(`/products?limit=500&sort=sku${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const p of r.body.data) ids[Number(p.sku.slice(2))] = p.id;
    cursor = r.body.next_cursor;
  } while (cursor);
  const account = await create(admin, 'accounts', { name: '基准客户 Bench', tier: 'A' });
  const lists = [
    [await create(admin, 'price_lists', { name: 'Bench default', currency: 'USD' }), 1, [0, 5, 10]],
    [await create(admin, 'price_lists', { name: 'Bench tier A', currency: 'USD', account_tier: 'A' }), 10, [8]],
    [await create(admin, 'price_lists', { name: 'Bench account', currency: 'USD', account_id: account.id }), 100, [12]],
  ];
  t0 = performance.now();
  let entries = 0;
  for (const [list, every, offs] of lists) {
    const rows = ['price_list_id,product_id,min_quantity,unit_price'];
    for (let i = 0; i < N; i += every) {
      offs.forEach((off, k) => rows.push(`${list.id},${ids[i]},${[1, 10, 100][k]},${((10 + (i % 990)) * (100 - off) / 100).toFixed(2)}`));
    }
    entries += rows.length - 1;
    job = await runImport(admin, 'entity=price_list_items', `${rows.join('\n')}\n`);
    if (job.status !== 'done') throw new Error(JSON.stringify(job));
  }
  const entriesS = (performance.now() - t0) / 1000;

  const lookups = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const q = `/prices?product_id=${ids[rand(N)]}&quantity=${1 + rand(150)}${i % 2 ? `&account_id=${account.id}` : ''}`;
    const s = performance.now();
    const r = await admin.get(q);
    lookups.push(performance.now() - s);
    if (r.status !== 200 || !r.body.data.found) throw new Error(r.text);
  }
  const lines = (n, priced) => Array.from({ length: n }, (_, i) => ({
    product_id: ids[rand(N)], quantity: 1 + rand(150), discount_percent: i % 4 ? '0' : '7.5', ...(priced ? { unit_price: '12.34' } : {}),
  }));
  const quote = async (n, priced) => {
    const body = { name: 'Bench quote', account_id: account.id, lines: lines(n, priced) };
    const s = performance.now();
    const r = await admin.post('/quotes', body);
    const ms = performance.now() - s;
    if (r.status !== 201) throw new Error(r.text);
    return [ms, r.body];
  };
  const times = { 1: [], 500: [], given: [] };
  for (let i = 0; i < ROUNDS; i++) {
    times[1].push((await quote(1, false))[0]);
    times[500].push((await quote(500, false))[0]);
    times.given.push((await quote(500, true))[0]);
  }
  const [, q50] = await quote(50, false);
  const pdf = [];
  let bytes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const s = performance.now();
    const r = await admin.get(`/quotes/${q50.id}/pdf`);
    pdf.push(performance.now() - s);
    if (r.status !== 200) throw new Error(`pdf ${r.status}`);
    bytes = Number(r.headers.get('content-length') || r.text.length);
  }
  // An account with ORDERS orders, a third in CNY, over the last year; daily CNY rates.
  const big = await create(admin, 'accounts', { name: '万单客户 Big buyer' });
  t0 = performance.now();
  for (let d = 0; d <= 366; d++) {
    const r = await admin.post('/exchange_rates', { currency: 'CNY', valid_from: new Date(Date.now() - d * 86400e3).toISOString().slice(0, 10), rate: `0.${1370 + (d % 20)}` });
    if (r.status !== 201) throw new Error(r.text);
  }
  let made = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (made < ORDERS) {
      const k = made++;
      const day = new Date(Date.now() - (k % 365) * 86400e3).toISOString().slice(0, 10);
      const r = await admin.put(`/orders/external/BIG-${k}`, {
        name: `Order ${k}`, account_id: big.id, order_date: day, currency: k % 3 ? 'USD' : 'CNY',
        status: k % 5 ? 'paid' : 'confirmed', lines: [{ description: 'Parts', quantity: 1 + (k % 7), unit_price: '99.50' }],
      });
      if (r.status !== 201) throw new Error(r.text);
    }
  }));
  const ordersS = (performance.now() - t0) / 1000;
  const card = { commerce: [], record: [], summary: [] };
  let base = null;
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, path] of [['record', `/accounts/${big.id}`], ['summary', `/accounts/${big.id}/summary`], ['commerce', `/accounts/${big.id}/commerce`]]) {
      const s0 = performance.now();
      const r = await admin.get(path);
      card[k].push(performance.now() - s0);
      if (r.status !== 200) throw new Error(r.text);
      if (k === 'commerce') base = r.body.data.lifetime_value;
    }
  }
  const l = stats(lookups); const q1 = stats(times[1]); const q500 = stats(times[500]); const qg = stats(times.given); const p = stats(pdf);
  const ms = (x) => `${x.toFixed(2)} ms`;
  console.log(`commerce benchmark: ${N} products, ${entries} price list entries, SQLite, release build, one client`);
  row('products imported (s)', importS.toFixed(1), '');
  row('price list entries imported (s)', entriesS.toFixed(1), '');
  row(`price lookup p50 / p99 (${LOOKUPS})`, `${ms(l.p50)} / ${ms(l.p99)}`, `target p99 < 5 ms: ${l.p99 < 5 ? 'met' : 'NOT met'}`);
  row('1-line quote created, p50 / p99', `${ms(q1.p50)} / ${ms(q1.p99)}`, '');
  row('500-line quote, prices looked up, p50 / p99', `${ms(q500.p50)} / ${ms(q500.p99)}`, '');
  row('500-line quote, prices given, p50 / p99', `${ms(qg.p50)} / ${ms(qg.p99)}`, '');
  const pricing = q500.p50 - qg.p50;
  row('pricing 500 lines (the difference of p50s)', ms(pricing), `target < 5 ms: ${pricing < 5 ? 'met' : 'NOT met'}`);
  row('50-line quote PDF p50 / p99', `${ms(p.p50)} / ${ms(p.p99)}`, `target < 100 ms: ${p.p99 < 100 ? 'met' : 'NOT met'}`);
  row('50-line quote PDF size (bytes)', String(bytes), '');
  row(`${ORDERS} orders upserted by external_id (s)`, ordersS.toFixed(1), '');
  const cc = stats(card.commerce); const cr = stats(card.record); const cs = stats(card.summary);
  row('card: the account, p50 / p99', `${ms(cr.p50)} / ${ms(cr.p99)}`, '');
  row('card: its summary, p50 / p99', `${ms(cs.p50)} / ${ms(cs.p99)}`, '');
  row('card: quotes, orders, contracts, p50 / p99', `${ms(cc.p50)} / ${ms(cc.p99)}`, '');
  const open = cr.p50 + cs.p50 + cc.p50;
  row('card opened (the three, one after another)', ms(open), `target < 50 ms: ${open < 50 ? 'met' : 'NOT met'}`);
  row('lifetime value in USD', String(base.base_total), `(${base.by_currency.map((x) => `${x.count} ${x.currency}`).join(', ')})`);
} finally {
  await srv.stop();
}
