// Products and quotes: products (unique SKUs, Chinese names and search, bundles without
// cycles) in a tree of categories; price lists and the price lookup, rule by rule from a
// table (default, category, tier, account; the stronger match over a cheaper weaker one,
// the later valid_from, the lower price on an exact tie, volume tiers, validity dates,
// inactive lists and other currencies ignored, the list price, nothing found); bad
// lookups; quotes whose totals equal an oracle in BigInt over random quotes (exact
// halves rounded away from zero), lines priced from the lists, free-text lines, bad
// lines naming their number, statuses, frozen quotes, versions, the primary quote
// setting its deal's amount, an accepted quote kept, who reads what; and the PDF read
// back with poppler's pdftotext and pdfinfo.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq,
} from './helpers.js';

let srv;
let admin;
const c = {}; // clients by name
const u = {}; // users by name
const ZH = { headers: { 'accept-language': 'zh-CN' } };
const NO_ID = '00000000-0000-7000-8000-000000000000';

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const t1 = await createTeam(admin, 'Commerce One');
  const t2 = await createTeam(admin, 'Commerce Two');
  const who = {
    manager: ['manager', t1], rep1: ['sales', t1], rep1b: ['sales', t1], rep2: ['sales', t2],
    partner: ['partner', t1], readonly: ['readonly', t1], support: ['support', t1],
  };
  for (const [name, [role, team]] of Object.entries(who)) {
    u[name] = await createUser(admin, { username: `cm_${name}`, password: `pw-${name}-12345678`, role, team_ids: [team.id] });
    c[name] = await login(srv.base, `cm_${name}`, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

// ---- money in integer minor units (BigInt) ----

const cents = (s) => {
  assert.match(s, /^\d+\.\d{2}$/, `money ${JSON.stringify(s)}`);
  const [i, f] = s.split('.');
  return BigInt(i) * 100n + BigInt(f);
};
const money = (v) => `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;
// round(n × bp / 10000) half away from zero, for n, bp >= 0.
const applyBp = (n, bp) => {
  const p = n * bp;
  const q = p / 10000n;
  return (p % 10000n) * 2n >= 10000n ? q + 1n : q;
};
// A percent in basis points as the API takes it: "12.5", "12.50", "7", or sometimes a
// JSON number.
function percentText(bp, rnd) {
  const whole = bp / 100n;
  const frac = bp % 100n;
  const r = rnd();
  if (r < 0.15 && Number.isSafeInteger(Number(bp))) return Number(bp) / 100; // a JSON number
  if (frac === 0n && r < 0.5) return String(whole);
  if (frac % 10n === 0n && r < 0.7) return `${whole}.${frac / 10n}`;
  return `${whole}.${String(frac).padStart(2, '0')}`;
}

// The oracle: a line's figures and a quote's totals from the rounding rule.
function priceLine({ quantity, unit, discountBp = 0n, discountAmount = 0n, taxBp = 0n }) {
  const gross = BigInt(quantity) * unit;
  const discount = discountAmount || applyBp(gross, discountBp);
  const net = gross - discount;
  const tax = applyBp(net, taxBp);
  return { gross, discount, net, tax, total: net + tax };
}
function totalsOf(lines) {
  const t = { subtotal: 0n, discount_total: 0n, tax_total: 0n, total: 0n };
  for (const l of lines) {
    t.subtotal += l.gross;
    t.discount_total += l.discount;
    t.tax_total += l.tax;
    t.total += l.total;
  }
  return t;
}

// A small deterministic generator (mulberry32), so that a failure can be run again.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const big = (rnd, max) => BigInt(Math.floor(rnd() * (max + 1)));

const fetchPdf = async (client, id, query = '', headers = {}) => {
  const res = await fetch(`${srv.base}/api/v1/quotes/${id}/pdf${query}`, { headers: { cookie: client.cookie, ...headers } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
};
function pdfTools(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-pdf-'));
  try {
    const file = path.join(dir, 'quote.pdf');
    fs.writeFileSync(file, bytes);
    // pdftotext warns about libharu's ToUnicode CMap on stderr: ignored.
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { text, info };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const product = (client, body) => create(client, 'products', { sku: uniq('SKU'), name: uniq('Product'), list_price: '10.00', ...body });

describe('products and categories', () => {
  test('a product is created, read, listed, changed and deleted; money comes back as amounts', async () => {
    const cat = await create(c.manager, 'product_categories', { name: 'Printers', name_zh: '打印机' });
    const p = await create(c.manager, 'products', { sku: 'PRN-100', name: 'Office printer', name_zh: '办公打印机',
      category_id: cat.id, list_price: '1234.50', cost: '800', currency: 'CNY', tax_rate: 1300, unit: 'piece' });
    assert.deepEqual([p.sku, p.list_price, p.cost, p.currency, p.tax_rate, p.active, p.components],
      ['PRN-100', '1234.50', '800.00', 'CNY', 1300, true, null]);
    assert.equal((await c.rep1.get(`/products/${p.id}`)).body.name_zh, '办公打印机');
    const listed = await c.rep1.get(`/products?category_id=${cat.id}`);
    assert.deepEqual(listed.body.data.map((x) => x.id), [p.id]);
    const r = await c.manager.patch(`/products/${p.id}`, { list_price: '1299.00', active: false });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.list_price, r.body.active], ['1299.00', false]);
    assertProblem(await c.manager.patch(`/products/${p.id}`, { tax_rate: 10001 }), 422);
    assertProblem(await c.manager.post('/products', { sku: uniq('S'), name: 'No price' }), 422);
    assert.equal((await c.manager.del(`/products/${p.id}`)).status, 204);
    assertProblem(await c.manager.get(`/products/${p.id}`), 404);
  });

  test('a SKU is unique: a second product with it, or a change to it, is a conflict', async () => {
    const sku = uniq('DUP');
    const a = await product(c.manager, { sku });
    assertProblem(await c.manager.post('/products', { sku, name: 'Again', list_price: '1.00' }), 409);
    const b = await product(c.manager, {});
    assertProblem(await c.manager.patch(`/products/${b.id}`, { sku }), 409);
    assert.equal((await c.manager.get(`/products/${b.id}`)).body.sku, b.sku);
    assert.equal((await c.manager.get(`/products?sku=${encodeURIComponent(sku)}&count=true`)).body.total, 1);
    assert.equal(a.sku, sku);
  });

  test('search finds a product by its Chinese name', async () => {
    const p = await product(c.manager, { name: 'Thermal label printer', name_zh: '热敏标签打印机' });
    await product(c.manager, { name: 'Barcode scanner', name_zh: '条码扫描枪' });
    const r = await c.rep1.get(`/products?q=${encodeURIComponent('标签打印')}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.data.map((x) => x.id), [p.id]);
    const en = await c.rep1.get('/products?q=thermal');
    assert.deepEqual(en.body.data.map((x) => x.id), [p.id]);
  });

  test('a bundle lists existing products once each, never itself, directly or through another bundle', async () => {
    const a = await product(c.manager, { name: 'Drum unit' });
    const b = await product(c.manager, { name: 'Toner' });
    const kit = await product(c.manager, { name: 'Service kit', components: [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 1 }] });
    assert.deepEqual(kit.components, [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 1 }]);
    const field = async (r) => assertProblem(r, 422).errors.map((e) => e.field);
    const bad = (components) => c.manager.post('/products', { sku: uniq('B'), name: 'Bad bundle', list_price: '1.00', components });
    assert.deepEqual(await field(await bad([{ product_id: NO_ID, quantity: 1 }])), ['components'], 'an unknown product');
    assert.deepEqual(await field(await bad([{ product_id: a.id, quantity: 1 }, { product_id: a.id, quantity: 3 }])), ['components'], 'twice');
    assert.deepEqual(await field(await bad([{ product_id: a.id, quantity: 0 }])), ['components'], 'quantity 0');
    assert.deepEqual(await field(await bad([{ product_id: a.id }])), ['components'], 'no quantity');
    assert.deepEqual(await field(await bad({ product_id: a.id, quantity: 1 })), ['components'], 'not a list');
    // Itself.
    assert.deepEqual(await field(await c.manager.patch(`/products/${a.id}`, { components: [{ product_id: a.id, quantity: 1 }] })), ['components']);
    // A cycle: the kit holds a; a holding the kit would put a inside itself.
    const cyc = await c.manager.patch(`/products/${a.id}`, { components: [{ product_id: kit.id, quantity: 1 }] });
    assert.deepEqual(await field(cyc), ['components']);
    // Two levels down: top holds kit, kit holds a; a holding top is a cycle too.
    const top = await product(c.manager, { name: 'Top bundle', components: [{ product_id: kit.id, quantity: 1 }] });
    assert.deepEqual(await field(await c.manager.patch(`/products/${a.id}`, { components: [{ product_id: top.id, quantity: 1 }] })), ['components']);
    assert.equal((await c.manager.get(`/products/${a.id}`)).body.components, null, 'nothing changed');
    // A bundle of bundles without a cycle is fine.
    const ok = await c.manager.patch(`/products/${b.id}`, { components: [{ product_id: a.id, quantity: 5 }] });
    assert.equal(ok.status, 200, ok.text);
  });

  test('categories make a tree: a category cannot be inside itself, directly or further down', async () => {
    const a = await create(c.manager, 'product_categories', { name: uniq('A'), name_zh: '硬件' });
    const b = await create(c.manager, 'product_categories', { name: uniq('B'), parent_id: a.id });
    const cc = await create(c.manager, 'product_categories', { name: uniq('C'), parent_id: b.id });
    const field = (r) => assertProblem(r, 422).errors[0].field;
    assert.equal(field(await c.manager.patch(`/product_categories/${a.id}`, { parent_id: a.id })), 'parent_id');
    assert.equal(field(await c.manager.patch(`/product_categories/${a.id}`, { parent_id: b.id })), 'parent_id');
    assert.equal(field(await c.manager.patch(`/product_categories/${a.id}`, { parent_id: cc.id })), 'parent_id');
    assert.equal(field(await c.manager.post('/product_categories', { name: 'Orphan', parent_id: NO_ID })), 'parent_id');
    assert.equal((await c.manager.get(`/product_categories/${a.id}`)).body.parent_id, null);
    const moved = await c.manager.patch(`/product_categories/${cc.id}`, { parent_id: a.id });
    assert.equal(moved.status, 200, moved.text);
  });

  test('the catalogue is kept by managers and read by everyone, partners included', async () => {
    assertProblem(await c.rep1.post('/products', { sku: uniq('S'), name: 'x', list_price: '1.00' }), 403);
    assertProblem(await c.rep1.post('/product_categories', { name: 'x' }), 403);
    const p = await product(c.manager, {});
    assertProblem(await c.rep1.patch(`/products/${p.id}`, { name: 'x' }), 403);
    for (const who of ['rep1', 'partner', 'readonly', 'support']) {
      assert.equal((await c[who].get(`/products/${p.id}`)).status, 200, who);
    }
  });
});

describe('price lists and the price lookup', () => {
  let accA; // tier A, category key
  let accB; // tier B, category standard
  before(async () => {
    accA = await create(c.rep1, 'accounts', { name: uniq('Tier A Key'), tier: 'A', category: 'key' });
    accB = await create(c.rep1, 'accounts', { name: uniq('Tier B Std'), tier: 'B', category: 'standard' });
  });

  // Makes the lists of a case for one new product: each list is
  // {name, target?: 'account'|'accountB'|'tier'|'category', currency?, valid_from?,
  // valid_to?, active?, prices: [[min_quantity, unit_price], ...]}.
  async function world(lists, productBody = {}) {
    const p = await product(c.manager, { list_price: '100.00', currency: 'USD', ...productBody });
    const ids = {};
    for (const l of lists) {
      const body = { name: `${l.name} ${uniq('pl')}`, currency: l.currency || 'USD' };
      if (l.target === 'account') body.account_id = accA.id;
      if (l.target === 'accountB') body.account_id = accB.id;
      if (l.target === 'tier') body.account_tier = l.tier || 'A';
      if (l.target === 'category') body.account_category = l.category || 'key';
      for (const k of ['valid_from', 'valid_to', 'active']) if (k in l) body[k] = l[k];
      const pl = await create(c.manager, 'price_lists', body);
      ids[l.name] = pl.id;
      for (const [min, price] of l.prices) {
        await create(c.manager, 'price_list_items', { price_list_id: pl.id, product_id: p.id, min_quantity: min, unit_price: price });
      }
    }
    return { p, ids };
  }

  const lookup = async (client, p, q = {}) => {
    const qs = new URLSearchParams({ product_id: p.id, ...q });
    const r = await client.get(`/prices?${qs}`);
    assert.equal(r.status, 200, r.text);
    return r.body.data;
  };

  // Each case: the lists, the query (account: 'A', 'B' or none), and what must win.
  const CASES = [
    { name: 'a list for everyone', lists: [{ name: 'all', prices: [[1, '90.00']] }],
      q: {}, want: { price: '90.00', match: 'default', list: 'all', considered: 1 } },
    { name: 'a list for the account\'s category beats a cheaper list for everyone',
      lists: [{ name: 'all', prices: [[1, '70.00']] }, { name: 'key', target: 'category', prices: [[1, '80.00']] }],
      q: { account: 'A' }, want: { price: '80.00', match: 'category', list: 'key', considered: 2 } },
    { name: 'a list for the account\'s tier beats a cheaper category list',
      lists: [{ name: 'key', target: 'category', prices: [[1, '60.00']] }, { name: 'tierA', target: 'tier', prices: [[1, '75.00']] },
        { name: 'all', prices: [[1, '50.00']] }],
      q: { account: 'A' }, want: { price: '75.00', match: 'tier', list: 'tierA', considered: 3 } },
    { name: 'a list for the account itself beats a cheaper tier list',
      lists: [{ name: 'tierA', target: 'tier', prices: [[1, '40.00']] }, { name: 'acme', target: 'account', prices: [[1, '85.00']] }],
      q: { account: 'A' }, want: { price: '85.00', match: 'account', list: 'acme', considered: 2 } },
    { name: 'lists for another account, tier and category do not apply',
      lists: [{ name: 'other', target: 'accountB', prices: [[1, '10.00']] }, { name: 'tierB', target: 'tier', tier: 'B', prices: [[1, '11.00']] },
        { name: 'small', target: 'category', category: 'small', prices: [[1, '12.00']] }, { name: 'all', prices: [[1, '95.00']] }],
      q: { account: 'A' }, want: { price: '95.00', match: 'default', list: 'all', considered: 4 } },
    { name: 'without an account only lists for everyone apply',
      lists: [{ name: 'acme', target: 'account', prices: [[1, '10.00']] }, { name: 'tierA', target: 'tier', prices: [[1, '11.00']] },
        { name: 'all', prices: [[1, '92.00']] }],
      q: {}, want: { price: '92.00', match: 'default', list: 'all', considered: 3 } },
    { name: 'the tier list of tier B for the tier B account',
      lists: [{ name: 'tierA', target: 'tier', prices: [[1, '30.00']] }, { name: 'tierB', target: 'tier', tier: 'B', prices: [[1, '33.00']] }],
      q: { account: 'B' }, want: { price: '33.00', match: 'tier', list: 'tierB', considered: 2 } },
    { name: 'of two lists of one strength, the one valid from the later day wins though dearer',
      lists: [{ name: 'january', valid_from: '2026-01-01', prices: [[1, '80.00']] }, { name: 'february', valid_from: '2026-02-01', prices: [[1, '88.00']] },
        { name: 'always', prices: [[1, '70.00']] }],
      q: { date: '2026-03-15' }, want: { price: '88.00', match: 'default', list: 'february', considered: 3 } },
    { name: 'the later list is not chosen before it is valid',
      lists: [{ name: 'january', valid_from: '2026-01-01', prices: [[1, '80.00']] }, { name: 'february', valid_from: '2026-02-01', prices: [[1, '88.00']] }],
      q: { date: '2026-01-31' }, want: { price: '80.00', match: 'default', list: 'january', considered: 1 } },
    { name: 'an exact tie (same strength, same valid_from) takes the lower price',
      lists: [{ name: 'dear', target: 'tier', valid_from: '2026-01-01', prices: [[1, '81.00']] },
        { name: 'cheap', target: 'tier', valid_from: '2026-01-01', prices: [[1, '79.99']] }],
      q: { account: 'A', date: '2026-06-01' }, want: { price: '79.99', match: 'tier', list: 'cheap', considered: 2 } },
    { name: 'an exact tie of lists valid always takes the lower price',
      lists: [{ name: 'cheap', prices: [[1, '50.00']] }, { name: 'dear', prices: [[1, '50.01']] }],
      q: {}, want: { price: '50.00', match: 'default', list: 'cheap', considered: 2 } },
    ...[[1, '9.00', 1], [9, '9.00', 1], [10, '8.00', 10], [99, '8.00', 10], [100, '7.00', 100], [5000, '7.00', 100]].map(([qty, price, min]) => ({
      name: `volume tiers 1, 10 and 100: ${qty} units take the tier from ${min}`,
      lists: [{ name: 'volume', prices: [[100, '7.00'], [1, '9.00'], [10, '8.00']] }],
      q: { quantity: String(qty) }, want: { price, match: 'default', list: 'volume', min, considered: 1 } })),
    { name: 'a stronger list without a volume tier at the quantity leaves it to a weaker one',
      lists: [{ name: 'acme', target: 'account', prices: [[50, '60.00']] }, { name: 'all', prices: [[1, '90.00']] }],
      q: { account: 'A', quantity: '10' }, want: { price: '90.00', match: 'default', list: 'all', considered: 1 } },
    ...[['2026-02-28', null], ['2026-03-01', 'march'], ['2026-03-31', 'march'], ['2026-04-01', null]].map(([date, list]) => ({
      name: `a list valid in March on ${date}`,
      lists: [{ name: 'march', valid_from: '2026-03-01', valid_to: '2026-03-31', prices: [[1, '66.00']] }],
      q: { date }, want: list ? { price: '66.00', match: 'default', list, considered: 1 } : { price: '100.00', match: 'list_price', list: null, considered: 0 } })),
    { name: 'an inactive list is ignored',
      lists: [{ name: 'off', active: false, prices: [[1, '1.00']] }, { name: 'on', prices: [[1, '99.00']] }],
      q: {}, want: { price: '99.00', match: 'default', list: 'on', considered: 1 } },
    { name: 'a list in another currency is ignored',
      lists: [{ name: 'euro', currency: 'EUR', target: 'account', prices: [[1, '1.00']] }],
      q: { account: 'A' }, want: { price: '100.00', match: 'list_price', list: null, considered: 0 } },
    { name: 'a lookup in that currency finds it',
      lists: [{ name: 'euro', currency: 'EUR', target: 'account', prices: [[1, '1.00']] }, { name: 'usd', target: 'account', prices: [[1, '2.00']] }],
      q: { account: 'A', currency: 'EUR' }, want: { price: '1.00', match: 'account', list: 'euro', considered: 1 } },
    { name: 'no list: the product\'s list price in its own currency',
      lists: [], q: { account: 'A', quantity: '7' }, want: { price: '100.00', match: 'list_price', list: null, considered: 0 } },
    { name: 'no list in another currency: nothing found',
      lists: [{ name: 'usd', prices: [[1, '2.00']] }], q: { currency: 'CNY' }, want: { found: false } },
    { name: 'price_list_id limits the lookup to one list, even a weaker one',
      lists: [{ name: 'acme', target: 'account', prices: [[1, '20.00']] }, { name: 'all', prices: [[1, '90.00']] }],
      q: { account: 'A', price_list_id: 'all' }, want: { price: '90.00', match: 'default', list: 'all', considered: 1 } },
  ];

  for (const k of CASES) {
    test(`price rule: ${k.name}`, async () => {
      const { p, ids } = await world(k.lists);
      const q = {};
      if (k.q.account) q.account_id = k.q.account === 'A' ? accA.id : accB.id;
      for (const key of ['quantity', 'date', 'currency']) if (k.q[key]) q[key] = k.q[key];
      if (k.q.price_list_id) q.price_list_id = ids[k.q.price_list_id];
      const d = await lookup(c.rep1, p, q);
      assert.equal(d.product_id, p.id);
      assert.equal(d.quantity, Number(k.q.quantity || 1));
      if (k.want.found === false) {
        assert.deepEqual([d.found, d.unit_price, d.match, d.price_list, d.min_quantity], [false, null, null, null, null]);
        assert.equal(typeof d.reason, 'string');
        return;
      }
      assert.equal(d.found, true, JSON.stringify(d));
      assert.equal(d.unit_price, k.want.price, JSON.stringify(d));
      assert.equal(d.match, k.want.match, JSON.stringify(d));
      assert.equal(d.price_list?.id ?? null, k.want.list ? ids[k.want.list] : null, JSON.stringify(d));
      if (k.want.list) assert.match(d.price_list.name, new RegExp(`^${k.want.list} `));
      assert.equal(d.min_quantity, k.want.min ?? 1);
      assert.equal(d.considered, k.want.considered, JSON.stringify(d));
      assert.ok(d.reason.length > 10, d.reason);
      if (k.q.date) assert.equal(d.date, k.q.date);
    });
  }

  test('the reason says why, in the caller\'s language', async () => {
    const { p } = await world([{ name: 'tierA', target: 'tier', prices: [[1, '75.00'], [10, '70.00']] }]);
    const en = await lookup(c.rep1, p, { account_id: accA.id, quantity: '12' });
    assert.match(en.reason, /tier A/);
    assert.match(en.reason, /10 units/);
    const zh = await c.rep1.get(`/prices?product_id=${p.id}&account_id=${accA.id}`, ZH);
    assert.match(zh.body.data.reason, /价格表/);
  });

  test('a list is for one target at most, valid_to is not before valid_from, the currency stays', async () => {
    const field = (r) => assertProblem(r, 422).errors.map((e) => e.field);
    assert.deepEqual(field(await c.manager.post('/price_lists', { name: 'Two', account_id: accA.id, account_tier: 'A' })), ['account_id']);
    assert.deepEqual(field(await c.manager.post('/price_lists', { name: 'Two', account_tier: 'B', account_category: 'key' })), ['account_id']);
    assert.deepEqual(field(await c.manager.post('/price_lists', { name: 'Back', valid_from: '2026-05-01', valid_to: '2026-04-30' })), ['valid_to']);
    const ok = await create(c.manager, 'price_lists', { name: 'One day', valid_from: '2026-05-01', valid_to: '2026-05-01', currency: 'EUR' });
    assert.deepEqual(field(await c.manager.patch(`/price_lists/${ok.id}`, { account_tier: 'A', account_id: accA.id })), ['account_id']);
    assert.deepEqual(field(await c.manager.patch(`/price_lists/${ok.id}`, { valid_to: '2026-04-01' })), ['valid_to']);
    assertProblem(await c.manager.patch(`/price_lists/${ok.id}`, { currency: 'USD' }), 422);
    const now = (await c.manager.get(`/price_lists/${ok.id}`)).body;
    assert.deepEqual([now.currency, now.valid_to, now.account_tier, now.account_id], ['EUR', '2026-05-01', null, null]);
  });

  test('an entry takes its list\'s currency; one product once per list and volume', async () => {
    const p = await product(c.manager, {});
    const pl = await create(c.manager, 'price_lists', { name: uniq('Euro'), currency: 'EUR' });
    const e1 = await create(c.manager, 'price_list_items', { price_list_id: pl.id, product_id: p.id, unit_price: '1000.00' });
    assert.deepEqual([e1.currency, e1.min_quantity], ['EUR', 1]);
    const dup = await c.manager.post('/price_list_items', { price_list_id: pl.id, product_id: p.id, min_quantity: 1, unit_price: '900.00' });
    assert.equal(assertProblem(dup, 422).errors[0].field, 'min_quantity');
    const e10 = await create(c.manager, 'price_list_items', { price_list_id: pl.id, product_id: p.id, min_quantity: 10, unit_price: '900.00' });
    assert.equal(assertProblem(await c.manager.patch(`/price_list_items/${e10.id}`, { min_quantity: 1 }), 422).errors[0].field, 'min_quantity');
    assertProblem(await c.manager.post('/price_list_items', { price_list_id: pl.id, product_id: p.id, min_quantity: 0, unit_price: '1.00' }), 422);
    assertProblem(await c.manager.post('/price_list_items', { price_list_id: NO_ID, product_id: p.id, unit_price: '1.00' }), 422);
    assertProblem(await c.manager.post('/price_list_items', { price_list_id: pl.id, product_id: p.id, min_quantity: 20, unit_price: '1.00', currency: 'USD' }), 422);
    // Another list may price it at the same volume; a deleted entry frees its place.
    const pl2 = await create(c.manager, 'price_lists', { name: uniq('Euro2'), currency: 'EUR' });
    await create(c.manager, 'price_list_items', { price_list_id: pl2.id, product_id: p.id, unit_price: '950.00' });
    assert.equal((await c.manager.del(`/price_list_items/${e1.id}`)).status, 204);
    await create(c.manager, 'price_list_items', { price_list_id: pl.id, product_id: p.id, unit_price: '990.00' });
    const d = await lookup(c.rep1, p, { currency: 'EUR' });
    assert.deepEqual([d.unit_price, d.considered], ['950.00', 2]);
  });

  test('a deleted list no longer prices anything', async () => {
    const { p, ids } = await world([{ name: 'all', prices: [[1, '42.00']] }]);
    assert.equal((await lookup(c.rep1, p)).unit_price, '42.00');
    assert.equal((await c.manager.del(`/price_lists/${ids.all}`)).status, 204);
    const d = await lookup(c.rep1, p);
    assert.deepEqual([d.unit_price, d.match], ['100.00', 'list_price']);
  });

  test('bad parameters are refused as problems', async () => {
    const p = await product(c.manager, {});
    const field = (r) => assertProblem(r, 422).errors.map((e) => e.field);
    assertProblem(await c.rep1.get(`/prices?product_id=${p.id}&colour=red`), 400);
    assertProblem(await c.rep1.get(`/prices?product_id=${p.id}&account=${accA.id}`), 400);
    assert.deepEqual(field(await c.rep1.get('/prices')), ['product_id']);
    assert.deepEqual(field(await c.rep1.get('/prices?quantity=3')), ['product_id']);
    for (const q of ['0', '-1', '1.5', 'ten', '1000000001']) {
      assert.deepEqual(field(await c.rep1.get(`/prices?product_id=${p.id}&quantity=${q}`)), ['quantity'], q);
    }
    for (const d of ['2026-13-01', '2026-02-30', 'tomorrow', '20260101']) {
      assert.deepEqual(field(await c.rep1.get(`/prices?product_id=${p.id}&date=${d}`)), ['date'], d);
    }
    assert.deepEqual(field(await c.rep1.get(`/prices?product_id=${p.id}&currency=XXX`)), ['currency']);
    assert.deepEqual(field(await c.rep1.get(`/prices?product_id=${p.id}&currency=usd`)), ['currency']);
    assertProblem(await c.rep1.get(`/prices?product_id=${NO_ID}`), 404);
    assertProblem(await c.rep1.get(`/prices?product_id=${p.id}&account_id=${NO_ID}`), 404);
    // Chinese problems too.
    const zh = await c.rep1.get(`/prices?product_id=${p.id}&quantity=0`, ZH);
    assert.equal(assertProblem(zh, 422).errors[0].field, 'quantity');
  });

  test('a sales rep prices only for accounts they read; partners read no price list', async () => {
    const { p } = await world([{ name: 'all', prices: [[1, '55.00']] }]);
    const theirs = await create(c.rep2, 'accounts', { name: uniq('Rep2 customer') });
    assertProblem(await c.rep1.get(`/prices?product_id=${p.id}&account_id=${theirs.id}`), 404);
    assertProblem(await c.partner.get('/price_lists'), 403);
    assertProblem(await c.partner.get('/price_list_items'), 403);
    assertProblem(await c.partner.get('/letterheads'), 403);
    assert.equal((await c.partner.get('/products')).status, 200);
    assert.equal((await c.partner.get('/product_categories')).status, 200);
    // A partner's lookup gets the list price: no list is theirs to see.
    const d = await lookup(c.partner, p);
    assert.deepEqual([d.unit_price, d.match, d.price_list], ['100.00', 'list_price', null]);
    assertProblem(await c.rep1.post('/price_lists', { name: 'mine' }), 403);
    assert.equal((await c.readonly.get('/price_lists')).status, 200);
  });
});

describe('quotes', () => {
  let acc;
  before(async () => {
    acc = await create(c.rep1, 'accounts', { name: uniq('Quote customer'), tier: 'A' });
  });

  const quote = (client, body) => create(client, 'quotes', { name: uniq('Quote'), account_id: acc.id, ...body });

  function assertTotals(q, expected, msg) {
    const t = totalsOf(expected);
    for (const k of ['subtotal', 'discount_total', 'tax_total', 'total']) {
      assert.equal(q[k], money(t[k]), `${msg} ${k}`);
    }
    assert.equal(q.lines.length, expected.length, `${msg} lines`);
    expected.forEach((e, i) => {
      for (const k of ['gross', 'discount', 'net', 'tax', 'total']) {
        assert.equal(q.lines[i][k], money(e[k]), `${msg} line ${i + 1} ${k}`);
      }
    });
  }

  test('exact halves round away from zero, per line', async () => {
    // [line, discount, tax, total]
    const cases = [
      [{ quantity: 1, unit_price: '0.01', tax_rate: '50' }, '0.00', '0.01', '0.02'],
      [{ quantity: 1, unit_price: '0.01', discount_percent: '50' }, '0.01', '0.00', '0.00'],
      [{ quantity: 3, unit_price: '0.05', tax_rate: '10' }, '0.00', '0.02', '0.17'],
      [{ quantity: 1, unit_price: '0.25', discount_percent: '10' }, '0.03', '0.00', '0.22'],
      [{ quantity: 1, unit_price: '1.00', tax_rate: '0.5' }, '0.00', '0.01', '1.01'],
      [{ quantity: 1, unit_price: '0.01', tax_rate: '49.99' }, '0.00', '0.00', '0.01'],
      [{ quantity: 1, unit_price: '1.50', discount_percent: '33', tax_rate: '0.01' }, '0.50', '0.00', '1.00'],
      [{ quantity: 2, unit_price: '10.00', discount_amount: '0.01', tax_rate: '12.5' }, '0.01', '2.50', '22.49'],
    ];
    for (const [line, discount, tax, total] of cases) {
      const q = await quote(c.rep1, { lines: [{ description: 'half', ...line }] });
      const l = q.lines[0];
      assert.deepEqual([l.discount, l.tax, l.total], [discount, tax, total], JSON.stringify(line));
      assert.deepEqual([q.discount_total, q.tax_total, q.total], [discount, tax, total]);
    }
    // Rounded per line, not on the sum: two lines of 0.005 tax are 0.02, not 0.01.
    const two = await quote(c.rep1, { lines: [1, 2].map(() => ({ description: 'half', quantity: 1, unit_price: '0.01', tax_rate: '50' })) });
    assert.deepEqual([two.tax_total, two.total], ['0.02', '0.04']);
  });

  test('totals of 40 random quotes equal an oracle computed in BigInt', async () => {
    const seed = Number(process.env.COMMERCE_SEED || 0x5eed2026);
    const rnd = generator(seed);
    for (let n = 0; n < 40; n++) {
      const count = 1 + Math.floor(rnd() * 20);
      const lines = [];
      const expected = [];
      for (let i = 0; i < count; i++) {
        const r = rnd();
        const quantity = r < 0.1 ? 1 + Math.floor(rnd() * 1000000) : 1 + Math.floor(rnd() * 200);
        // Prices in cents, odd cents and halves often: up to 1,000,000.00.
        const unit = rnd() < 0.3 ? big(rnd, 99) : big(rnd, rnd() < 0.1 ? 100000000 : 5000000);
        const line = { description: `Line ${i + 1} 第${i + 1}行`, quantity: rnd() < 0.2 ? String(quantity) : quantity, unit_price: money(unit) };
        const gross = BigInt(quantity) * unit;
        const oracle = { quantity, unit };
        const d = rnd();
        if (d < 0.35) {
          oracle.discountBp = rnd() < 0.2 ? 5000n : big(rnd, 10000);
          line.discount_percent = percentText(oracle.discountBp, rnd);
        } else if (d < 0.65 && gross > 0n) {
          oracle.discountAmount = BigInt(Math.floor(rnd() * Number(gross + 1n)));
          if (oracle.discountAmount > gross) oracle.discountAmount = gross;
          line.discount_amount = money(oracle.discountAmount);
        }
        const t = rnd();
        oracle.taxBp = t < 0.2 ? 5000n : t < 0.3 ? 0n : big(rnd, 10000);
        if (oracle.taxBp || rnd() < 0.5) line.tax_rate = percentText(oracle.taxBp, rnd);
        lines.push(line);
        expected.push(priceLine(oracle));
      }
      const q = await quote(c.rep1, { lines, currency: 'CNY' });
      assertTotals(q, expected, `seed ${seed} quote ${n + 1} (${count} lines)`);
      // Read back the same.
      const again = (await c.rep1.get(`/quotes/${q.id}`)).body;
      assert.deepEqual([again.subtotal, again.discount_total, again.tax_total, again.total],
        [q.subtotal, q.discount_total, q.tax_total, q.total]);
    }
  });

  test('lines without a unit price take the price list\'s price or the list price, and the product\'s tax', async () => {
    const listed = await product(c.manager, { name: 'Listed', name_zh: '有价', list_price: '100.00', tax_rate: 1300 });
    const plain = await product(c.manager, { name: 'Plain', list_price: '19.99', tax_rate: 600 });
    const pl = await create(c.manager, 'price_lists', { name: uniq('Tier A'), account_tier: 'A' });
    await create(c.manager, 'price_list_items', { price_list_id: pl.id, product_id: listed.id, unit_price: '80.00' });
    await create(c.manager, 'price_list_items', { price_list_id: pl.id, product_id: listed.id, min_quantity: 10, unit_price: '75.00' });
    const q = await quote(c.rep1, { lines: [
      { product_id: listed.id, quantity: 2 },
      { product_id: listed.id, quantity: 12, discount_percent: '5' },
      { product_id: plain.id, quantity: 3 },
      { product_id: plain.id, quantity: 1, unit_price: '15.00', tax_rate: '0' },
      { description: 'Installation, on site', quantity: 1, unit_price: '250.00' },
    ] });
    const l = q.lines;
    assert.deepEqual(l.map((x) => [x.unit_price, x.price_source, x.price_list_id, x.tax_rate]), [
      ['80.00', 'price_list', pl.id, '13.00'],
      ['75.00', 'price_list', pl.id, '13.00'],
      ['19.99', 'list_price', null, '6.00'],
      ['15.00', 'manual', null, '0.00'],
      ['250.00', 'manual', null, '0.00'],
    ]);
    assert.deepEqual([l[0].sku, l[0].name, l[0].name_zh, l[0].unit], [listed.sku, 'Listed', '有价', 'piece']);
    assert.deepEqual([l[4].product_id, l[4].sku, l[4].description], [null, null, 'Installation, on site']);
    assertTotals(q, [
      priceLine({ quantity: 2, unit: 8000n, taxBp: 1300n }),
      priceLine({ quantity: 12, unit: 7500n, discountBp: 500n, taxBp: 1300n }),
      priceLine({ quantity: 3, unit: 1999n, taxBp: 600n }),
      priceLine({ quantity: 1, unit: 1500n }),
      priceLine({ quantity: 1, unit: 25000n }),
    ], 'priced');
    // A quote for no account takes no tier list; in another currency no list price.
    const none = await create(c.rep1, 'quotes', { name: 'No account', lines: [{ product_id: listed.id, quantity: 1 }] });
    assert.deepEqual([none.lines[0].unit_price, none.lines[0].price_source], ['100.00', 'list_price']);
    const eur = await c.rep1.post('/quotes', { name: 'Euro', currency: 'EUR', lines: [{ description: 'ok', quantity: 1, unit_price: '1.00' }, { product_id: plain.id, quantity: 1 }] });
    assert.match(assertProblem(eur, 422).errors[0].message, /line 2/);
    // A line sent back as it was read keeps its price, though the list changes.
    const item = (await c.manager.get(`/price_list_items?price_list_id=${pl.id}&min_quantity=1`)).body.data[0];
    assert.equal((await c.manager.patch(`/price_list_items/${item.id}`, { unit_price: '1.00' })).status, 200);
    const back = await c.rep1.patch(`/quotes/${q.id}`, { lines: q.lines });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.total, q.total);
    assert.deepEqual(back.body.lines, q.lines);
    // A new line without a price takes today's.
    const fresh = await c.rep1.patch(`/quotes/${q.id}`, { lines: [...q.lines, { product_id: listed.id, quantity: 1 }] });
    assert.equal(fresh.body.lines[5].unit_price, '1.00');
  });

  test('a price said to be looked up is checked; a draft changing currency or customer is priced anew', async () => {
    const p = await product(c.manager, { list_price: '100.00' });
    const usd = await create(c.manager, 'price_lists', { name: uniq('USD all') });
    await create(c.manager, 'price_list_items', { price_list_id: usd.id, product_id: p.id, unit_price: '80.00' });
    const eur = await create(c.manager, 'price_lists', { name: uniq('EUR all'), currency: 'EUR' });
    await create(c.manager, 'price_list_items', { price_list_id: eur.id, product_id: p.id, unit_price: '70.00' });
    const tierA = await create(c.manager, 'price_lists', { name: uniq('Tier A'), account_tier: 'A' });
    await create(c.manager, 'price_list_items', { price_list_id: tierA.id, product_id: p.id, unit_price: '50.00' });
    // A price the lists do not give is the user's own, whatever the line says.
    const forged = await create(c.rep1, 'quotes', { name: 'Forged', lines: [{ product_id: p.id, quantity: 1, unit_price: '0.01',
      price_source: 'price_list', price_list_id: usd.id }] });
    assert.deepEqual([forged.lines[0].unit_price, forged.lines[0].price_source, forged.lines[0].price_list_id], ['0.01', 'manual', null]);
    const q = await create(c.rep1, 'quotes', { name: 'Moving', lines: [{ product_id: p.id, quantity: 2 }] });
    assert.deepEqual([q.lines[0].unit_price, q.lines[0].price_list_id, q.total], ['80.00', usd.id, '160.00']);
    const inEur = await c.rep1.patch(`/quotes/${q.id}`, { currency: 'EUR' });
    assert.equal(inEur.status, 200, inEur.text);
    assert.deepEqual([inEur.body.lines[0].unit_price, inEur.body.lines[0].price_list_id, inEur.body.total], ['70.00', eur.id, '140.00']);
    const forA = await c.rep1.patch(`/quotes/${q.id}`, { currency: 'USD', account_id: acc.id });
    assert.deepEqual([forA.body.lines[0].unit_price, forA.body.lines[0].price_list_id, forA.body.total], ['50.00', tierA.id, '100.00']);
    // Another currency without a list or a list price: the line needs a price.
    const cny = await c.rep1.patch(`/quotes/${q.id}`, { currency: 'CNY' });
    assert.match(assertProblem(cny, 422).errors[0].message, /line 1/);
    assert.equal((await c.rep1.get(`/quotes/${q.id}`)).body.total, '100.00');
  });

  test('bad lines are refused on the field lines, naming the line; nothing is stored', async () => {
    const p = await product(c.manager, {});
    const good = { description: 'fine', quantity: 1, unit_price: '1.00' };
    const before0 = (await c.rep1.get('/quotes?count=true&limit=1')).body.total;
    const bad = [
      [{ quantity: 1, unit_price: '1.00' }, 2, 'no product or description'],
      [{ description: '', quantity: 1, unit_price: '1.00' }, 2, 'an empty description'],
      [{ description: 'x', quantity: 0, unit_price: '1.00' }, 2, 'quantity 0'],
      [{ description: 'x', quantity: 1.5, unit_price: '1.00' }, 2, 'a fractional quantity'],
      [{ description: 'x', unit_price: '1.00' }, 2, 'no quantity'],
      [{ description: 'x', quantity: 1, unit_price: '10.00', discount_percent: '5', discount_amount: '1.00' }, 2, 'both discounts'],
      [{ description: 'x', quantity: 2, unit_price: '10.00', discount_amount: '20.01' }, 2, 'a discount over the gross'],
      [{ description: 'x', quantity: 1, unit_price: '10.00', discount_percent: '100.01' }, 2, 'over 100 %'],
      [{ description: 'x', quantity: 1, unit_price: '10.00', discount_percent: '12.345' }, 2, 'three decimals'],
      [{ description: 'x', quantity: 1, unit_price: '10.00', tax_rate: '-1' }, 2, 'a negative tax'],
      [{ description: 'x', quantity: 1, unit_price: '-1.00' }, 2, 'a negative price'],
      [{ description: 'x', quantity: 1, unit_price: '1.001' }, 2, 'a price in tenths of cents'],
      [{ description: 'x', quantity: 1, unit_price: '1.00', colour: 'red' }, 2, 'an unknown member'],
      [{ product_id: NO_ID, quantity: 1 }, 2, 'an unknown product'],
      [{ product_id: 42, quantity: 1 }, 2, 'a product id that is no text'],
      [{ description: 'x', quantity: 1000000000, unit_price: '99999999999.99' }, 2, 'amounts too large'],
      ['a line', 2, 'not an object'],
    ];
    for (const [line, no, what] of bad) {
      const r = await c.rep1.post('/quotes', { name: 'Bad', account_id: acc.id, lines: [good, line] });
      const e = assertProblem(r, 422, what).errors;
      assert.deepEqual(e.map((x) => x.field), ['lines'], what);
      assert.match(e[0].message, new RegExp(`line ${no}\\b`), `${what}: ${e[0].message}`);
    }
    assertProblem(await c.rep1.post('/quotes', { name: 'Bad', lines: { description: 'x' } }), 422);
    assertProblem(await c.rep1.post('/quotes', { name: 'Bad', subtotal: '1.00' }), 422);
    assertProblem(await c.rep1.post('/quotes', { name: 'Bad', number: 'Q-999999' }), 422);
    assertProblem(await c.rep1.post('/quotes', { name: 'Bad', status: 'sent', lines: [good] }), 422);
    const zh = await c.rep1.post('/quotes', { name: 'Bad', lines: [good, { description: 'x', quantity: 0 }] }, ZH);
    assert.equal(assertProblem(zh, 422).errors[0].field, 'lines');
    assert.equal((await c.rep1.get('/quotes?count=true&limit=1')).body.total, before0, 'no quote stored');
    // A PATCH with a bad line changes nothing.
    const q = await quote(c.rep1, { lines: [good, { product_id: p.id, quantity: 2 }] });
    assertProblem(await c.rep1.patch(`/quotes/${q.id}`, { lines: [good, { description: 'x', quantity: -1 }] }), 422);
    const now = (await c.rep1.get(`/quotes/${q.id}`)).body;
    assert.deepEqual([now.total, now.version, now.lines.length], [q.total, q.version, 2]);
  });

  test('numbers are Q-000001 style, one per quote, unique under concurrent creates', async () => {
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      create(i % 2 ? c.rep1 : c.rep1b, 'quotes', { name: `Concurrent ${i}` })));
    const numbers = made.map((q) => q.number);
    assert.ok(numbers.every((n) => /^Q-\d{6}$/.test(n)), numbers.join());
    assert.equal(new Set(numbers).size, 20);
    const values = numbers.map((n) => Number(n.slice(2))).sort((a, b) => a - b);
    assert.equal(values[19] - values[0], 19, 'consecutive');
    assert.ok(made.every((q) => q.status === 'draft' && q.revision === 1 && q.total === '0.00'));
  });

  test('status: draft to sent (with a line), then accepted; a sent quote is frozen', async () => {
    const empty = await quote(c.rep1, {});
    assert.equal(assertProblem(await c.rep1.patch(`/quotes/${empty.id}`, { status: 'sent' }), 422).errors[0].field, 'lines');
    const q = await quote(c.rep1, { lines: [{ description: 'Consulting day', quantity: 2, unit_price: '800.00' }] });
    assert.equal(assertProblem(await c.rep1.patch(`/quotes/${q.id}`, { status: 'accepted' }), 422).errors[0].field, 'status');
    assert.equal(assertProblem(await c.rep1.patch(`/quotes/${q.id}`, { status: 'rejected' }), 422).errors[0].field, 'status');
    const sent = await c.rep1.patch(`/quotes/${q.id}`, { status: 'sent' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.status, 'sent');
    assert.ok(sent.body.sent_at, 'sent_at set');
    assert.equal(sent.body.decided_at, null);
    for (const change of [{ name: 'Renamed' }, { lines: [] }, { currency: 'EUR' }, { terms: 'New terms' }, { valid_until: '2030-01-01' }]) {
      const r = await c.rep1.patch(`/quotes/${q.id}`, change);
      assert.equal(assertProblem(r, 422).errors[0].field, Object.keys(change)[0]);
    }
    assert.equal(assertProblem(await c.rep1.patch(`/quotes/${q.id}`, { status: 'draft' }), 422).errors[0].field, 'status');
    const acc2 = await c.rep1.patch(`/quotes/${q.id}`, { status: 'accepted' });
    assert.equal(acc2.status, 200, acc2.text);
    assert.ok(acc2.body.decided_at >= sent.body.sent_at, 'decided_at set');
    assert.equal(assertProblem(await c.rep1.patch(`/quotes/${q.id}`, { status: 'rejected' }), 422).errors[0].field, 'status');
    const final = (await c.rep1.get(`/quotes/${q.id}`)).body;
    assert.deepEqual([final.name, final.total, final.status], [q.name, '1600.00', 'accepted']);
    // Rejected and expired are ends too.
    const r2 = await quote(c.rep1, { lines: [{ description: 'x', quantity: 1, unit_price: '1.00' }] });
    await c.rep1.patch(`/quotes/${r2.id}`, { status: 'sent' });
    const rej = await c.rep1.patch(`/quotes/${r2.id}`, { status: 'rejected' });
    assert.ok(rej.body.decided_at);
    assertProblem(await c.rep1.patch(`/quotes/${r2.id}`, { status: 'accepted' }), 422);
  });

  test('an accepted quote cannot be deleted; a draft can', async () => {
    const q = await quote(c.rep1, { lines: [{ description: 'x', quantity: 1, unit_price: '1.00' }] });
    await c.rep1.patch(`/quotes/${q.id}`, { status: 'sent' });
    await c.rep1.patch(`/quotes/${q.id}`, { status: 'accepted' });
    assertProblem(await c.rep1.del(`/quotes/${q.id}`), 409);
    assertProblem(await admin.del(`/quotes/${q.id}`), 409);
    assert.equal((await c.rep1.get(`/quotes/${q.id}`)).status, 200);
    const d = await quote(c.rep1, {});
    assert.equal((await c.rep1.del(`/quotes/${d.id}`)).status, 204);
  });

  test('revise: a new draft keeps the number, is revision 2 and names the old one; the old one is revised once', async () => {
    const q = await quote(c.rep1, { terms: 'Net 30', valid_until: '2030-06-30',
      lines: [{ description: 'Licence', quantity: 10, unit_price: '99.00', discount_percent: '10', tax_rate: '6' }] });
    assert.equal(assertProblem(await c.rep1.post(`/quotes/${q.id}/revise`), 422).errors[0].field, 'previous_version_id', 'a draft is not revised');
    await c.rep1.patch(`/quotes/${q.id}`, { status: 'sent' });
    const r = await c.rep1.post(`/quotes/${q.id}/revise`);
    assert.equal(r.status, 201, r.text);
    const v2 = r.body;
    assert.notEqual(v2.id, q.id);
    assert.deepEqual([v2.number, v2.revision, v2.previous_version_id, v2.status, v2.sent_at],
      [q.number, 2, q.id, 'draft', null]);
    assert.deepEqual([v2.name, v2.account_id, v2.terms, v2.valid_until, v2.total], [q.name, acc.id, 'Net 30', '2030-06-30', q.total]);
    assert.deepEqual(v2.lines, q.lines);
    assert.equal(v2.owner_id, u.rep1.id);
    assert.equal(assertProblem(await c.rep1.post(`/quotes/${q.id}/revise`), 422).errors[0].field, 'previous_version_id');
    // The new draft changes; the old one does not.
    const ch = await c.rep1.patch(`/quotes/${v2.id}`, { lines: [{ description: 'Licence', quantity: 12, unit_price: '99.00' }] });
    assert.equal(ch.body.total, '1188.00');
    assert.equal((await c.rep1.get(`/quotes/${q.id}`)).body.total, q.total);
    await c.rep1.patch(`/quotes/${v2.id}`, { status: 'sent' });
    const v3 = await c.rep1.post(`/quotes/${v2.id}/revise`);
    assert.deepEqual([v3.status, v3.body.number, v3.body.revision, v3.body.previous_version_id], [201, q.number, 3, v2.id]);
    const all = await c.rep1.get(`/quotes?number=${q.number}&sort=revision`);
    assert.deepEqual(all.body.data.map((x) => x.revision), [1, 2, 3]);
    assertProblem(await c.rep1.post(`/quotes/${NO_ID}/revise`), 404);
  });

  test('the primary quote sets its deal\'s amount and currency; a new primary takes over', async () => {
    const deal = await create(c.rep1, 'opportunities', { name: uniq('Deal'), stage: 'prospecting', amount: '1.00', currency: 'USD', account_id: acc.id });
    const a = await quote(c.rep1, { opportunity_id: deal.id, currency: 'EUR', is_primary: true,
      lines: [{ description: 'x', quantity: 3, unit_price: '1000.00', tax_rate: '19' }] });
    assert.equal(a.total, '3570.00');
    let d = (await c.rep1.get(`/opportunities/${deal.id}`)).body;
    assert.deepEqual([d.amount, d.currency], ['3570.00', 'EUR']);
    // A change of its lines follows.
    const a2 = await c.rep1.patch(`/quotes/${a.id}`, { lines: [{ description: 'x', quantity: 2, unit_price: '1000.00', tax_rate: '19' }] });
    assert.equal(a2.body.total, '2380.00');
    d = (await c.rep1.get(`/opportunities/${deal.id}`)).body;
    assert.deepEqual([d.amount, d.currency], ['2380.00', 'EUR']);
    // Another quote, not primary, changes nothing.
    const b = await quote(c.rep1, { opportunity_id: deal.id, currency: 'CNY', lines: [{ description: 'y', quantity: 1, unit_price: '12345.67' }] });
    d = (await c.rep1.get(`/opportunities/${deal.id}`)).body;
    assert.deepEqual([d.amount, d.currency], ['2380.00', 'EUR']);
    // Made primary, it takes over and the first one stops being primary.
    const bp = await c.rep1.patch(`/quotes/${b.id}`, { is_primary: true });
    assert.equal(bp.status, 200, bp.text);
    d = (await c.rep1.get(`/opportunities/${deal.id}`)).body;
    assert.deepEqual([d.amount, d.currency], ['12345.67', 'CNY']);
    assert.equal((await c.rep1.get(`/quotes/${a.id}`)).body.is_primary, false);
    assert.equal((await c.rep1.get(`/quotes/${b.id}`)).body.is_primary, true);
    // A sent primary quote may stop being primary (frozen otherwise), and a revision
    // of a primary quote is the primary one.
    await c.rep1.patch(`/quotes/${b.id}`, { status: 'sent' });
    const v2 = (await c.rep1.post(`/quotes/${b.id}/revise`)).body;
    assert.equal(v2.is_primary, true);
    assert.equal((await c.rep1.get(`/quotes/${b.id}`)).body.is_primary, false);
    const v2b = await c.rep1.patch(`/quotes/${v2.id}`, { lines: [{ description: 'y', quantity: 2, unit_price: '12345.67' }] });
    assert.equal(v2b.body.total, '24691.34');
    d = (await c.rep1.get(`/opportunities/${deal.id}`)).body;
    assert.deepEqual([d.amount, d.currency], ['24691.34', 'CNY']);
    const primaries = (await c.rep1.get(`/quotes?opportunity_id=${deal.id}&is_primary=true`)).body.data;
    assert.deepEqual(primaries.map((x) => x.id), [v2.id]);
  });

  test('racing writers: one new version of a quote, one primary quote of a deal', async () => {
    const q = await quote(c.rep1, { lines: [{ description: 'x', quantity: 1, unit_price: '1.00' }] });
    await c.rep1.patch(`/quotes/${q.id}`, { status: 'sent' });
    const rs = await Promise.all(Array.from({ length: 12 }, () => c.rep1.post(`/quotes/${q.id}/revise`)));
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, ...Array(11).fill(422)], rs.map((r) => r.status).join());
    const versions = (await c.rep1.get(`/quotes?previous_version_id=${q.id}&count=true`)).body;
    assert.equal(versions.total, 1);
    const deal = await create(c.rep1, 'opportunities', { name: uniq('Raced deal'), stage: 'prospecting', amount: '1.00' });
    const qs = await Promise.all(Array.from({ length: 8 }, (_, i) => quote(c.rep1, { opportunity_id: deal.id,
      lines: [{ description: 'x', quantity: 1, unit_price: `${i + 1}.00` }] })));
    const ps = await Promise.all(qs.map((x) => c.rep1.patch(`/quotes/${x.id}`, { is_primary: true })));
    assert.ok(ps.every((r) => r.status === 200), ps.map((r) => r.text).join('\n'));
    const prim = (await c.rep1.get(`/quotes?opportunity_id=${deal.id}&is_primary=true`)).body.data;
    assert.equal(prim.length, 1, 'one primary quote');
    assert.equal((await c.rep1.get(`/opportunities/${deal.id}`)).body.amount, prim[0].total);
  });

  test('who reads quotes: a team, not another team; partners their own', async () => {
    const q = await quote(c.rep1, { lines: [{ description: 'x', quantity: 1, unit_price: '5.00' }] });
    assert.equal((await c.rep1b.get(`/quotes/${q.id}`)).status, 200);
    assertProblem(await c.rep1b.patch(`/quotes/${q.id}`, { name: 'mine now' }), 403);
    assertProblem(await c.rep2.get(`/quotes/${q.id}`), 404);
    assertProblem(await c.rep2.patch(`/quotes/${q.id}`, { name: 'x' }), 404);
    assertProblem(await c.rep2.post(`/quotes/${q.id}/revise`), 404);
    assert.ok(!(await c.rep2.get('/quotes?limit=500')).text.includes(q.id));
    assert.equal((await c.manager.get(`/quotes/${q.id}`)).status, 200);
    assert.equal((await c.readonly.get(`/quotes/${q.id}`)).status, 200);
    assertProblem(await c.readonly.post('/quotes', { name: 'x' }), 403);
    assertProblem(await c.partner.get(`/quotes/${q.id}`), 404);
    const mine = await create(c.partner, 'quotes', { name: uniq('Partner quote') });
    assert.equal((await c.partner.get(`/quotes/${mine.id}`)).status, 200);
  });
});

describe('the quote PDF', () => {
  let q;
  let p;
  before(async () => {
    await create(c.manager, 'letterheads', { company_name: 'Rapport Demo Trading Ltd', address: '1 Harbour Road, Wan Chai',
      phone: '+852 2123 4567', email: 'sales@example.com', tax_id: 'HK-889900', footer: 'Thank you for your business.' });
    p = await product(c.manager, { name: 'Laser printer', name_zh: '激光打印机', list_price: '1234.50', tax_rate: 0 });
    const acc = await create(c.rep1, 'accounts', { name: uniq('PDF customer') });
    q = await create(c.rep1, 'quotes', { name: 'Printers for the new office', account_id: acc.id, terms: 'Payment within 30 days.',
      lines: [{ product_id: p.id, quantity: 1 }, { product_id: p.id, quantity: 1000, unit_price: '1234.50' },
        { description: 'Delivery and set-up', quantity: 1, unit_price: '500.00' }] });
    assert.equal(q.total, '1236234.50');
  });

  test('in English: the number, the English name, totals with thousands separators, A4', async () => {
    const r = await fetchPdf(c.rep1, q.id);
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/pdf/);
    assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
    const { text, info } = pdfTools(r.bytes);
    assert.ok(text.includes(q.number), text);
    assert.ok(text.includes('Laser printer'), text);
    assert.ok(!text.includes('激光打印机'), 'no Chinese name in English');
    assert.ok(text.includes('1,234.50'), text);
    assert.ok(text.includes('1,234,500.00'), text);
    assert.ok(text.includes('1,236,234.50'), text);
    assert.ok(text.includes('Rapport Demo Trading Ltd'), text);
    assert.ok(text.includes('Delivery and set-up'), text);
    assert.ok(text.includes('Payment within 30 days.'), text);
    assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
    const a4 = await fetchPdf(c.rep1, q.id, '?paper=a4');
    assert.match(pdfTools(a4.bytes).info, /\(A4\)/);
  });

  test('in Chinese with Accept-Language: zh-CN: the Chinese name', async () => {
    const r = await fetchPdf(c.rep1, q.id, '', { 'accept-language': 'zh-CN' });
    assert.equal(r.status, 200);
    const { text } = pdfTools(r.bytes);
    assert.ok(text.includes('激光打印机'), text);
    assert.ok(text.includes(q.number), text);
    assert.ok(text.includes('1,236,234.50'), text);
  });

  test('paper=letter is 612 x 792 points; another paper or parameter is a 400', async () => {
    const r = await fetchPdf(c.rep1, q.id, '?paper=letter');
    assert.equal(r.status, 200);
    assert.match(pdfTools(r.bytes).info, /Page size:\s+612 x 792 pts/);
    assertProblem(await c.rep1.get(`/quotes/${q.id}/pdf?paper=a3`), 400);
    assertProblem(await c.rep1.get(`/quotes/${q.id}/pdf?paper=`), 400);
    assertProblem(await c.rep1.get(`/quotes/${q.id}/pdf?size=letter`), 400);
  });

  test('many lines run over several pages, the last one and the total on the last page', async () => {
    const lines = Array.from({ length: 90 }, (_, i) => ({ description: `Item number ${i + 1}`, quantity: 1, unit_price: '1000.00' }));
    const long = await create(c.rep1, 'quotes', { name: 'Long quote', lines });
    const { text, info } = pdfTools((await fetchPdf(c.rep1, long.id, '?paper=letter')).bytes);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
    assert.ok(pages >= 2, info);
    assert.ok(text.includes('Item number 1\n') || text.includes('Item number 1 '), 'first line');
    assert.ok(text.includes('Item number 90'), 'last line');
    assert.ok(text.includes('90,000.00'), 'total');
  });

  test('only readers of the quote get its PDF', async () => {
    assertProblem(await c.rep2.get(`/quotes/${q.id}/pdf`), 404);
    assertProblem(await c.partner.get(`/quotes/${q.id}/pdf`), 404);
    assertProblem(await c.rep1.get(`/quotes/${NO_ID}/pdf`), 404);
    assert.equal((await fetchPdf(c.rep1b, q.id)).status, 200);
  });
});
