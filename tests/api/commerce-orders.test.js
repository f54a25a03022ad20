// After the quote: orders (from an accepted quote, frozen as accepted, or placed and
// priced directly; statuses forward only, each with its time and user), shipments on
// the account's timeline, contracts and their renewal sweep (a reminder once,
// auto-renewal, expiry), an account's sums per currency as far as the caller sees,
// upserts by another system's key (idempotent, one record when callers race), the
// approval of a discount over a role's limit, and the configurator's rules.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq, runImport,
} from './helpers.js';

const ZH = { headers: { 'accept-language': 'zh-CN' } };
let srv;
let admin;
const u = {};
const c = {};
const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const east = await createTeam(admin, 'East sales');
  const west = await createTeam(admin, 'West sales');
  const defs = { rep: ['sales', east.id], rep2: ['sales', east.id], boss: ['manager', east.id],
    other_boss: ['manager', west.id], westrep: ['sales', west.id], partner: ['partner', west.id] };
  for (const [name, [role, t]] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: `co_${name}`, password: `pw-${name}-12345678`, role, team_ids: [t] });
    c[name] = await login(srv.base, `co_${name}`, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

const product = (extra = {}) => create(admin, 'products', { sku: uniq('SKU'), name: uniq('Part'), list_price: '100.00', ...extra });
const account = (owner, extra = {}) => create(admin, 'accounts', { name: uniq('Buyer'), ...(owner ? { owner_id: owner } : {}), ...extra });

async function runJob(kind) {
  const r = await admin.post('/jobs', { kind });
  assert.equal(r.status, 202, r.text);
  let j = r.body;
  for (let i = 0; i < 600 && (j.state === 'queued' || j.state === 'running'); i++) {
    await new Promise((res) => setTimeout(res, 50));
    j = (await admin.get(`/jobs/${r.body.id}`)).body;
  }
  assert.equal(j.state, 'done', JSON.stringify(j));
  return JSON.parse(j.result);
}

// An accepted quote of `client` for acc with one line of p.
async function acceptedQuote(client, acc, p, line = {}) {
  const q = await create(client, 'quotes', { name: 'Accepted', account_id: acc.id, lines: [{ product_id: p.id, quantity: 3, ...line }] });
  for (const status of ['sent', 'accepted']) {
    const r = await client.patch(`/quotes/${q.id}`, { status });
    assert.equal(r.status, 200, r.text);
  }
  return (await client.get(`/quotes/${q.id}`)).body;
}

describe('orders', () => {
  test('an accepted quote becomes one order with its lines and totals as accepted', async () => {
    const p = await product({ tax_rate: 1300 });
    const acc = await account(u.rep.id);
    const q = await acceptedQuote(c.rep, acc, p, { discount_percent: '5' });
    const r = await c.rep.post(`/quotes/${q.id}/order`);
    assert.equal(r.status, 201, r.text);
    const o = r.body;
    assert.match(o.number, /^SO-\d{6}$/);
    assert.equal(o.status, 'confirmed');
    assert.equal(o.quote_id, q.id);
    assert.equal(o.account_id, acc.id);
    assert.deepEqual(o.lines, q.lines);
    for (const f of ['subtotal', 'discount_total', 'tax_total', 'total']) assert.equal(o[f], q[f], f);
    assert.equal(o.order_date, day(0));
    assert.equal(o.status_log.length, 1);
    assert.equal(o.status_log[0].status, 'confirmed');
    assert.equal(o.status_log[0].by, u.rep.id);
    // A second order of the same quote, or the lines changed on it, are refused.
    assert.equal(assertProblem(await c.rep.post(`/quotes/${q.id}/order`), 422).errors[0].field, 'quote_id');
    const change = await c.rep.patch(`/orders/${o.id}`, { lines: [{ description: 'More', quantity: 1, unit_price: '1.00' }] });
    assert.equal(assertProblem(change, 422).errors[0].field, 'lines');
    // POST /orders naming the quote makes the same order: the quote's customer and all.
    const q2 = await acceptedQuote(c.rep, acc, p);
    const o2 = await create(c.rep, 'orders', { name: 'Named', quote_id: q2.id });
    assert.deepEqual([o2.account_id, o2.total, o2.currency], [acc.id, q2.total, q2.currency]);
    // A quote not accepted is no order.
    const draft = await create(c.rep, 'quotes', { name: 'Draft', lines: [{ product_id: p.id, quantity: 1 }] });
    assert.equal(assertProblem(await c.rep.post(`/quotes/${draft.id}/order`), 422).errors[0].field, 'quote_id');
  });

  test('an order placed directly is priced; statuses go forward only, each logged with who and when', async () => {
    const p = await product();
    const acc = await account(u.rep.id);
    const o = await create(c.rep, 'orders', { name: 'Direct', account_id: acc.id, lines: [{ product_id: p.id, quantity: 2 }, { description: 'Freight', quantity: 1, unit_price: '15.50' }] });
    assert.equal(o.total, '215.50');
    assert.equal(o.lines[0].price_source, 'list_price');
    // While confirmed its lines may change; in production they may not.
    let r = await c.rep.patch(`/orders/${o.id}`, { lines: [{ product_id: p.id, quantity: 1 }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.total, '100.00');
    r = await c.rep.patch(`/orders/${o.id}`, { status: 'in_production' });
    assert.equal(r.status, 200, r.text);
    assertProblem(await c.rep.patch(`/orders/${o.id}`, { lines: [] }), 422);
    r = await admin.patch(`/orders/${o.id}`, { status: 'delivered' }); // steps may be skipped
    assert.equal(r.status, 200, r.text);
    const back = await c.rep.patch(`/orders/${o.id}`, { status: 'shipped' });
    assert.equal(assertProblem(back, 422).errors[0].field, 'status');
    r = await c.rep.patch(`/orders/${o.id}`, { status: 'paid' });
    assert.equal(r.status, 200, r.text);
    assertProblem(await c.rep.patch(`/orders/${o.id}`, { status: 'cancelled' }), 422);
    const log = r.body.status_log;
    assert.deepEqual(log.map((e) => e.status), ['confirmed', 'in_production', 'delivered', 'paid']);
    assert.deepEqual(log.map((e) => e.by), [u.rep.id, u.rep.id, (await admin.get('/auth/me')).body.user.id, u.rep.id]);
    for (let i = 1; i < log.length; i++) assert.ok(log[i].at >= log[i - 1].at);
    const ro = await c.rep.patch(`/orders/${o.id}`, { status_log: [] });
    assertProblem(ro, 422);
  });

  test('shipments: a tracking number on the order, on the account timeline; none for a cancelled order', async () => {
    const acc = await account(u.rep.id);
    const o = await create(c.rep, 'orders', { name: 'Ship me', account_id: acc.id, lines: [{ description: 'Pump', quantity: 1, unit_price: '10.00' }] });
    const s = await create(c.rep, 'shipments', { order_id: o.id, carrier: 'sf_express', tracking_number: 'SF1234567890', shipped_at: new Date().toISOString() });
    assert.equal(s.account_id, acc.id);
    const tl = (await c.rep.get(`/accounts/${acc.id}/timeline`)).body;
    const ids = JSON.stringify(tl);
    assert.ok(ids.includes(o.id), 'the order is on the timeline');
    assert.ok(ids.includes(s.id), 'the shipment is on the timeline');
    const gone = await create(c.rep, 'orders', { name: 'Cancel me', lines: [{ description: 'X', quantity: 1, unit_price: '1.00' }] });
    assert.equal((await c.rep.patch(`/orders/${gone.id}`, { status: 'cancelled' })).status, 200);
    const r = await c.rep.post('/shipments', { order_id: gone.id, tracking_number: 'NOPE' });
    assert.equal(assertProblem(r, 422).errors[0].field, 'order_id');
  });
});

describe('contracts', () => {
  test('are numbered, keep their dates in order, and an active one has both', async () => {
    const acc = await account(u.rep.id);
    const k = await create(c.rep, 'contracts', { name: 'Supply', account_id: acc.id, start_date: '2026-01-01', end_date: '2026-12-31', value: '1200.00' });
    assert.match(k.number, /^CT-\d{6}$/);
    assert.equal(k.status, 'draft');
    assert.equal(k.remind_on, '2026-12-01');
    assert.equal(assertProblem(await c.rep.post('/contracts', { name: 'Back', account_id: acc.id, start_date: '2026-02-01', end_date: '2026-01-01' }), 422).errors[0].field, 'end_date');
    assert.equal(assertProblem(await c.rep.post('/contracts', { name: 'Open', account_id: acc.id, status: 'active', start_date: '2026-02-01' }), 422).errors[0].field, 'end_date');
  });

  test('the sweep reminds once, renews an auto-renewing contract for the same term, and expires the rest', async () => {
    const acc = await account(u.rep.id);
    const soon = await create(c.rep, 'contracts', { name: 'Soon', account_id: acc.id, status: 'active', start_date: day(-355), end_date: day(10), renewal_notice_days: 30 });
    const later = await create(c.rep, 'contracts', { name: 'Later', account_id: acc.id, status: 'active', start_date: day(-10), end_date: day(200) });
    const auto = await create(c.rep, 'contracts', { name: 'Auto', account_id: acc.id, status: 'active', start_date: day(-366), end_date: day(-1), auto_renew: true, value: '500.00' });
    const ended = await create(c.rep, 'contracts', { name: 'Ended', account_id: acc.id, status: 'active', start_date: day(-100), end_date: day(-2) });
    const first = await runJob('contracts.renew');
    assert.ok(first.reminded >= 1 && first.renewed >= 1 && first.expired >= 1, JSON.stringify(first));
    const again = await runJob('contracts.renew');
    assert.equal(again.reminded + again.renewed + again.expired, 0, 'nothing twice');
    const get = async (k) => (await c.rep.get(`/contracts/${k.id}`)).body;
    assert.equal((await get(soon)).reminded_for, day(10));
    assert.equal((await get(later)).reminded_for, null);
    assert.equal((await get(ended)).status, 'expired');
    const old = await get(auto);
    assert.equal(old.status, 'renewed');
    const next = (await c.rep.get(`/contracts/${old.renewed_by_id}`)).body;
    assert.equal(next.status, 'active');
    assert.equal(next.start_date, day(0));
    assert.equal(next.end_date, day(365));
    assert.equal(next.value, '500.00');
    assert.equal(next.account_id, acc.id);
    const tasks = (await c.rep.get(`/activities?related_type=contracts&related_id=${soon.id}`)).body.data;
    assert.equal(tasks.length, 1);
    assert.match(tasks[0].subject, new RegExp(`${soon.number}`));
    assert.equal(tasks[0].owner_id, u.rep.id);
  });
});

describe("an account's card", () => {
  test('sums open quotes, orders, lifetime value and active contracts per currency, as far as the caller sees', async () => {
    const acc = await account(u.rep.id);
    const p = await product();
    await create(c.rep, 'quotes', { name: 'Open USD', account_id: acc.id, lines: [{ product_id: p.id, quantity: 2 }] });
    await create(c.rep, 'quotes', { name: 'Open CNY', account_id: acc.id, currency: 'CNY', lines: [{ description: '服务', quantity: 1, unit_price: '88.00' }] });
    const paid = await create(c.rep, 'orders', { name: 'Paid', account_id: acc.id, lines: [{ description: 'A', quantity: 1, unit_price: '40.00' }] });
    await c.rep.patch(`/orders/${paid.id}`, { status: 'paid' });
    await create(c.rep, 'orders', { name: 'Open order', account_id: acc.id, lines: [{ description: 'B', quantity: 1, unit_price: '60.00' }] });
    const cancelled = await create(c.rep, 'orders', { name: 'Cancelled', account_id: acc.id, lines: [{ description: 'C', quantity: 1, unit_price: '999.00' }] });
    await c.rep.patch(`/orders/${cancelled.id}`, { status: 'cancelled' });
    await create(c.rep, 'contracts', { name: 'Live', account_id: acc.id, status: 'active', start_date: day(-1), end_date: day(100), value: '700.00' });
    // A team mate's order of the same account counts for the rep (team read) …
    await create(c.rep2, 'orders', { name: 'Mate', account_id: acc.id, lines: [{ description: 'D', quantity: 1, unit_price: '5.00' }] });
    // … another team's does not.
    await create(admin, 'orders', { name: 'Hidden', account_id: acc.id, owner_id: u.westrep.id, lines: [{ description: 'E', quantity: 1, unit_price: '1000.00' }] });
    const r = await c.rep.get(`/accounts/${acc.id}/commerce`);
    assert.equal(r.status, 200, r.text);
    const d = r.body.data;
    assert.equal(d.base_currency, 'USD');
    assert.deepEqual(d.open_quotes.by_currency, [{ currency: 'CNY', count: 1, total: '88.00' }, { currency: 'USD', count: 1, total: '200.00' }]);
    assert.equal(d.open_quotes.missing_rate, 'CNY'); // no rate of CNY yet: no total in USD
    assert.equal(d.open_quotes.base_total, null);
    assert.deepEqual(d.orders.by_currency, [{ currency: 'USD', count: 3, total: '105.00' }]);
    assert.equal(d.orders.base_total, '105.00');
    assert.deepEqual(d.lifetime_value.by_currency, [{ currency: 'USD', count: 1, total: '40.00' }]);
    assert.deepEqual(d.active_contracts.by_currency, [{ currency: 'USD', count: 1, total: '700.00' }]);
    const all = (await admin.get(`/accounts/${acc.id}/commerce`)).body.data;
    assert.deepEqual(all.orders.by_currency, [{ currency: 'USD', count: 4, total: '1105.00' }]);
    // With a rate of the quote's day, the CNY quote counts in USD: 88.00 × 0.1379 = 12.1352.
    const rate = await admin.post('/exchange_rates', { currency: 'CNY', valid_from: day(-30), rate: '0.1379' });
    assert.equal(rate.status, 201, rate.text);
    const withRate = (await c.rep.get(`/accounts/${acc.id}/commerce`)).body.data;
    assert.equal(withRate.open_quotes.missing_rate, null);
    assert.equal(withRate.open_quotes.base_total, '212.14');
    assertProblem(await c.westrep.get(`/accounts/${acc.id}/commerce`), 404);
  });
});

describe('upserts by external_id', () => {
  test('the same PUT twice creates, then changes nothing; a change updates the same record', async () => {
    const key = uniq('ERP');
    const body = { name: 'ERP order', lines: [{ description: 'Valve', quantity: 4, unit_price: '12.25' }] };
    const a = await admin.put(`/orders/external/${key}`, body);
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.external_id, key);
    assert.equal(a.body.total, '49.00');
    const b = await admin.put(`/orders/external/${key}`, body);
    assert.equal(b.status, 200, b.text);
    assert.equal(b.body.id, a.body.id);
    assert.equal(b.headers.get('etag'), a.headers.get('etag'), 'no new version');
    const hist = (await admin.get(`/orders/${a.body.id}/history`)).body.data;
    const st = await admin.put(`/orders/external/${key}`, { status: 'shipped' });
    assert.equal(st.status, 200, st.text);
    assert.equal(st.body.status, 'shipped');
    assert.ok((await admin.get(`/orders/${a.body.id}/history`)).body.data.length > hist.length);
    assert.equal((await admin.get(`/orders?external_id=${key}&count=true`)).body.total, 1);
    // The body may repeat the key, never name another.
    assert.equal((await admin.put(`/orders/external/${key}`, { external_id: key })).status, 200);
    assert.equal(assertProblem(await admin.put(`/orders/external/${key}`, { external_id: 'other' }), 422).errors[0].field, 'external_id');
  });

  test('eight callers upserting one new key at once make one product', async () => {
    const key = uniq('P');
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => admin.put(`/products/external/${key}`, { sku: `${key}-${i}`, name: 'Raced', list_price: '1.00' })));
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201], rs.map((r) => r.text).join('\n'));
    assert.equal(new Set(rs.map((r) => r.body.id)).size, 1);
    assert.equal((await admin.get(`/products?external_id=${key}&count=true`)).body.total, 1);
  });

  test('price lists and their entries too; and what the caller may not create stays refused', async () => {
    const list = await admin.put('/price_lists/external/PL-1', { name: 'ERP list', currency: 'USD' });
    assert.equal(list.status, 201, list.text);
    const p = await product();
    const e = await admin.put('/price_list_items/external/PL-1-A', { price_list_id: list.body.id, product_id: p.id, unit_price: '7.00' });
    assert.equal(e.status, 201, e.text);
    assert.equal((await admin.put('/price_list_items/external/PL-1-A', { unit_price: '6.50' })).body.unit_price, '6.50');
    assertProblem(await c.rep.put('/products/external/REP-1', { sku: uniq('R'), name: 'No', list_price: '1.00' }), 403);
    assertProblem(await c.rep.put('/quotes/external/Q-1', { name: 'No' }), 404);
  });
});

describe('discount approval', () => {
  test("a rep's quote over the limit is sent only once a manager of the rep's team approves", async () => {
    const p = await product();
    const limits = (await c.rep.get('/discount_limits?role=sales')).body.data;
    assert.equal(limits[0].max_discount, 1000);
    const q = await create(c.rep, 'quotes', { name: 'Deep cut', lines: [{ product_id: p.id, quantity: 1, discount_percent: '15' }] });
    assert.equal(q.approval, 'needed');
    assert.equal(q.max_discount, 1500);
    assert.equal(assertProblem(await c.rep.patch(`/quotes/${q.id}`, { status: 'sent' }), 422).errors[0].field, 'status');
    assertProblem(await c.rep.post(`/quotes/${q.id}/approval`, { approve: true }), 403);
    let r = await c.rep.post(`/quotes/${q.id}/request-approval`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.approval, 'requested');
    const tasks = (await c.boss.get(`/activities?related_type=quotes&related_id=${q.id}`)).body.data;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].owner_id, u.boss.id);
    assert.match(tasks[0].subject, /15\.00%/);
    const notes = (await c.boss.get('/notifications')).body.data;
    assert.ok(notes.some((n) => JSON.stringify(n).includes(q.id)), 'the manager is notified');
    assertProblem(await c.other_boss.post(`/quotes/${q.id}/approval`, { approve: true }), 404); // another team
    assertProblem(await c.rep2.post(`/quotes/${q.id}/approval`, { approve: true }), 403); // a team mate, not a manager
    assertProblem(await c.boss.post(`/quotes/${q.id}/approval`, { approve: 'yes' }), 422);
    r = await c.boss.post(`/quotes/${q.id}/approval`, { approve: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.approval, 'approved');
    assert.equal(r.body.approved_by, u.boss.id);
    const done = (await c.boss.get(`/activities?related_type=quotes&related_id=${q.id}`)).body.data;
    assert.deepEqual(done.map((t) => t.status), ['completed'], 'the approver\'s task is done');
    // A change of the lines asks again; within the limit needs nothing.
    r = await c.rep.patch(`/quotes/${q.id}`, { lines: [{ product_id: p.id, quantity: 2, discount_percent: '20' }] });
    assert.equal(r.body.approval, 'needed');
    r = await c.rep.patch(`/quotes/${q.id}`, { lines: [{ product_id: p.id, quantity: 2, discount_percent: '10' }] });
    assert.equal(r.body.approval, 'not_needed');
    r = await c.rep.patch(`/quotes/${q.id}`, { status: 'sent' });
    assert.equal(r.status, 200, r.text);
    // A request for a quote that needs none is refused.
    assertProblem(await c.rep.post(`/quotes/${q.id}/request-approval`), 409);
  });

  test('an amount off counts as its share of the line, rounded up; a rejection notifies the owner', async () => {
    const p = await product({ list_price: '3.00' });
    const q = await create(c.rep, 'quotes', { name: 'Amount off', lines: [{ product_id: p.id, quantity: 1, discount_amount: '0.31' }] });
    assert.equal(q.max_discount, 1034); // 0.31 of 3.00 = 10.33 %, up
    assert.equal(q.approval, 'needed');
    await c.rep.post(`/quotes/${q.id}/request-approval`);
    const r = await c.boss.post(`/quotes/${q.id}/approval`, { approve: false });
    assert.equal(r.body.approval, 'rejected');
    assertProblem(await c.rep.patch(`/quotes/${q.id}`, { status: 'sent' }), 422);
    const notes = (await c.rep.get('/notifications')).body.data;
    assert.ok(notes.some((n) => JSON.stringify(n).includes(q.id)), 'the owner is notified');
  });
});

describe('the configurator', () => {
  const OPTIONS = {
    groups: [
      { key: 'size', name: 'Size', name_zh: '尺寸', required: true, options: [{ key: 's', name: 'Small', price: '0' }, { key: 'l', name: 'Large', name_zh: '大', price: '50.00' }] },
      { key: 'finish', name: 'Finish', name_zh: '表面', required: true, options: [{ key: 'paint', name: 'Painted', price: '0' }, { key: 'steel', name: 'Stainless', name_zh: '不锈钢', percent: '10' }] },
      { key: 'extras', name: 'Extras', name_zh: '附加', max: 1, options: [{ key: 'heater', name: 'Heater', name_zh: '加热器', price: '30.00' }, { key: 'fan', name: 'Fan', price: '20.00' }] },
    ],
    rules: [
      { kind: 'requires', option: 'heater', other: 'steel' },
      { kind: 'excludes', option: 'l', other: 'fan' },
      { kind: 'quantity', option: 'heater', min: 1, max: 5 },
    ],
  };
  let p;
  before(async () => { p = await product({ list_price: '200.00', options: OPTIONS }); });

  test('a valid configuration is priced: the base plus each option, a percent of the base', async () => {
    const r = await admin.post(`/products/${p.id}/configure`, { options: ['l', 'steel', 'heater'], quantity: 2 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.base_price, '200.00');
    assert.deepEqual(r.body.data.options.map((o) => [o.key, o.delta]), [['l', '50.00'], ['steel', '20.00'], ['heater', '30.00']]);
    assert.equal(r.body.data.unit_price, '300.00');
    assert.equal(r.body.data.total, '600.00');
  });

  test('each rule kind is checked, and a configuration breaking three names all three', async () => {
    const one = async (options, quantity = 1) => assertProblem(await admin.post(`/products/${p.id}/configure`, { options, quantity }), 422).errors.map((e) => e.message);
    assert.deepEqual(await one(['s']), ['Finish: choose at least 1']);
    assert.deepEqual(await one(['s', 'paint', 'heater', 'fan']), ['Extras: choose at most 1', 'Heater requires Stainless']);
    assert.deepEqual(await one(['l', 'paint', 'fan']), ['Large excludes Fan']);
    assert.deepEqual(await one(['s', 'steel', 'heater'], 6), ['Heater comes in quantities from 1 to 5']);
    assert.deepEqual(await one(['s', 'paint', 'nope']), ['nope is not an option of this product']);
    const three = await one(['l', 'steel', 'heater', 'fan'], 9);
    assert.deepEqual(three, ['Extras: choose at most 1', 'Large excludes Fan', 'Heater comes in quantities from 1 to 5']);
    const broke = assertProblem(await admin.post(`/products/${p.id}/configure`, { options: ['l', 'paint', 'heater', 'fan'], quantity: 9 }, ZH), 422).errors.map((e) => e.message);
    assert.deepEqual(broke, ['附加：最多选择 1 项', '加热器 需要同时选择 不锈钢', '大 不能与 Fan 同时选择', '加热器 的数量须在 1 到 5 之间']);
  });

  test('a quote line with options is priced by them and names them; a broken rule names the line', async () => {
    const q = await create(admin, 'quotes', { name: 'Configured', lines: [{ product_id: p.id, quantity: 2, options: ['s', 'steel', 'heater'] }] });
    assert.equal(q.lines[0].unit_price, '250.00');
    assert.equal(q.lines[0].options_text, 'Small; Stainless; Heater');
    assert.deepEqual(q.lines[0].options, ['s', 'steel', 'heater']);
    const bad = await admin.post('/quotes', { name: 'Broken', lines: [{ description: 'x', quantity: 1, unit_price: '1.00' }, { product_id: p.id, quantity: 1, options: ['s', 'paint', 'heater'] }] });
    assert.deepEqual(assertProblem(bad, 422).errors.map((e) => [e.field, e.message]), [['lines', 'line 2: Heater requires Stainless']]);
  });

  test('a line of a configurable product is configured; option amounts follow the quote currency', async () => {
    const bare = await admin.post('/quotes', { name: 'Bare', lines: [{ product_id: p.id, quantity: 1 }] });
    assert.deepEqual(assertProblem(bare, 422).errors.map((e) => e.message), ['line 1: Size: choose at least 1', 'line 1: Finish: choose at least 1']);
    // In CNY with a CNY list price of 1400.00 and 1 USD = 7 CNY (USD base: 1 CNY = 0.142857 USD):
    // Large's 50.00 USD is 350.00 CNY; Stainless is 10 % of the CNY base.
    const cny = await create(admin, 'price_lists', { name: uniq('CNY'), currency: 'CNY' });
    await create(admin, 'price_list_items', { price_list_id: cny.id, product_id: p.id, unit_price: '1400.00' });
    await create(admin, 'exchange_rates', { currency: 'CNY', valid_from: day(0), rate: '0.142857' }); // the latest rate
    const r = await admin.post(`/products/${p.id}/configure`, { options: ['l', 'steel'], currency: 'CNY' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.data.options.map((o) => o.delta), ['350.00', '140.00']);
    assert.equal(r.body.data.unit_price, '1890.00');
    const noRate = await admin.post(`/products/${p.id}/configure`, { options: ['l', 'paint'], currency: 'EUR' });
    assertProblem(noRate, 422);
  });

  test('a product saved with a broken model is refused', async () => {
    const bad = [
      { groups: [] },
      { groups: [{ key: 'Bad Key', name: 'X', options: [{ key: 'a', name: 'A', price: '1' }] }] },
      { groups: [{ key: 'g', name: 'G', options: [{ key: 'a', name: 'A', price: '1', percent: '2' }] }] },
      { groups: [{ key: 'g', name: 'G', options: [{ key: 'a', name: 'A', price: '1' }] }], rules: [{ kind: 'requires', option: 'a', other: 'zz' }] },
      { groups: [{ key: 'g', name: 'G', min: 2, max: 1, options: [{ key: 'a', name: 'A', price: '1' }] }] },
    ];
    for (const options of bad) {
      const r = await admin.post('/products', { sku: uniq('BAD'), name: 'Bad model', list_price: '1.00', options });
      assert.equal(assertProblem(r, 422).errors[0].field, 'options', JSON.stringify(options));
    }
    assertProblem(await admin.post(`/products/${(await product()).id}/configure`, { options: [] }), 422);
  });
});

describe('currencies and exchange rates', () => {
  test('documents only in enabled currencies; one base currency, which stays', async () => {
    const cur = (await admin.get('/currencies')).body.data;
    assert.deepEqual(cur.map((x) => [x.code, x.is_base, x.enabled]), [['CNY', false, true], ['EUR', false, true], ['USD', true, true]]);
    const jpy = await c.rep.post('/quotes', { name: 'Yen', currency: 'JPY' });
    assert.match(assertProblem(jpy, 422).errors.find((e) => e.field === 'currency').message, /JPY is not enabled/);
    assertProblem(await c.boss.post('/currencies', { code: 'JPY', decimals: 0 }), 403);
    const j = await create(admin, 'currencies', { code: 'JPY', decimals: 0 });
    assert.equal((await c.rep.post('/quotes', { name: 'Yen', currency: 'JPY' })).status, 201);
    assert.equal((await admin.patch(`/currencies/${j.id}`, { enabled: false })).status, 200);
    assertProblem(await c.rep.post('/products', { sku: uniq('Y'), name: 'Yen part', currency: 'JPY', list_price: '100' }), 403); // reps write no products
    assert.equal(assertProblem(await admin.post('/products', { sku: uniq('Y'), name: 'Yen part', currency: 'JPY', list_price: '100' }), 422).errors[0].field, 'currency');
    // Making CNY the base makes USD not; the base cannot go, nor be disabled.
    const cny = cur.find((x) => x.code === 'CNY');
    const usd = cur.find((x) => x.code === 'USD');
    assert.equal((await admin.patch(`/currencies/${cny.id}`, { is_base: true })).status, 200);
    assert.equal((await admin.get(`/currencies/${usd.id}`)).body.is_base, false);
    assertProblem(await admin.del(`/currencies/${cny.id}`), 409);
    assertProblem(await admin.patch(`/currencies/${cny.id}`, { enabled: false }), 422);
    assert.equal((await admin.patch(`/currencies/${usd.id}`, { is_base: true })).status, 200);
  });

  test('rates by day, converted at the rate of the day, through the base currency', async () => {
    assert.equal(assertProblem(await admin.post('/exchange_rates', { currency: 'EUR', valid_from: '2026-01-01', rate: 'abc' }), 422).errors[0].field, 'rate');
    assertProblem(await admin.post('/exchange_rates', { currency: 'EUR', valid_from: '2026-01-01', rate: '1.1234567' }), 422);
    await create(admin, 'exchange_rates', { currency: 'EUR', valid_from: '2026-01-01', rate: '1.10' });
    await create(c.boss, 'exchange_rates', { currency: 'EUR', valid_from: '2026-06-01', rate: '1.20' });
    await create(admin, 'exchange_rates', { currency: 'GBP', valid_from: '2026-01-01', rate: '1.25' });
    assert.equal(assertProblem(await admin.post('/exchange_rates', { currency: 'EUR', valid_from: '2026-06-01', rate: '1.3' }), 422).errors[0].field, 'valid_from');
    assertProblem(await c.rep.post('/exchange_rates', { currency: 'EUR', valid_from: '2026-07-01', rate: '1.3' }), 403);
    const conv = async (q) => (await admin.get(`/exchange_rates/convert?${q}`)).body.data;
    assert.equal((await conv('amount=100&currency=EUR&date=2026-03-15')).converted, '110.00');
    assert.equal((await conv('amount=100&currency=EUR&date=2026-06-01')).converted, '120.00');
    assert.equal((await conv('amount=100&currency=USD&to=EUR&date=2026-03-15')).converted, '90.91');
    assert.equal((await conv('amount=100.00&currency=GBP&to=EUR&date=2026-07-01')).converted, '104.17');
    const before = await admin.get('/exchange_rates/convert?amount=1&currency=EUR&date=2025-12-31');
    assertProblem(before, 409);
    assertProblem(await admin.get('/exchange_rates/convert?amount=x&currency=EUR'), 422);
    assertProblem(await admin.get('/exchange_rates/convert?amount=1&currency=XXX'), 422);
    assertProblem(await admin.get('/exchange_rates/convert?amount=1&currency=EUR&when=now'), 400);
  });
});

describe('prices a quote keeps', () => {
  test('a price sent back is kept while the lookup gives it, looked up anew when the currency changes, and a claimed source is checked', async () => {
    const p = await product({ list_price: '10.00' });
    const usd = await create(admin, 'price_lists', { name: uniq('USD list'), currency: 'USD' });
    const cny = await create(admin, 'price_lists', { name: uniq('CNY list'), currency: 'CNY' });
    await create(admin, 'price_list_items', { price_list_id: usd.id, product_id: p.id, unit_price: '9.00' });
    const entry = await create(admin, 'price_list_items', { price_list_id: cny.id, product_id: p.id, unit_price: '65.00' });
    assert.equal(entry.name, `${p.name} ≥ 1`);
    const q = await create(admin, 'quotes', { name: 'Reprice', lines: [{ product_id: p.id, quantity: 1 }] });
    assert.deepEqual([q.lines[0].unit_price, q.lines[0].price_source], ['9.00', 'price_list']);
    // Sent back as read: unchanged, still from the list.
    let r = await admin.patch(`/quotes/${q.id}`, { lines: q.lines, name: 'Reprice 2' });
    assert.deepEqual([r.body.lines[0].unit_price, r.body.lines[0].price_source], ['9.00', 'price_list']);
    // Another currency: the CNY list's price.
    r = await admin.patch(`/quotes/${q.id}`, { currency: 'CNY' });
    assert.deepEqual([r.body.lines[0].unit_price, r.body.lines[0].price_source, r.body.lines[0].price_list_id], ['65.00', 'price_list', cny.id]);
    // A price the lookup does not give, claimed to come from a list, is the user's own.
    r = await admin.patch(`/quotes/${q.id}`, { lines: [{ product_id: p.id, quantity: 1, unit_price: '0.01', price_source: 'price_list', price_list_id: 'not-a-list' }] });
    assert.deepEqual([r.body.lines[0].unit_price, r.body.lines[0].price_source, r.body.lines[0].price_list_id], ['0.01', 'manual', null]);
    // A currency without a price for a looked-up line is an error on the line.
    const q2 = await create(admin, 'quotes', { name: 'No EUR', lines: [{ product_id: p.id, quantity: 1 }] });
    assert.match(assertProblem(await admin.patch(`/quotes/${q2.id}`, { currency: 'EUR' }), 422).errors[0].message, /line 1: no price for this product in EUR/);
    const pdf = await admin.get(`/quotes/${q.id}/pdf`);
    assert.equal(pdf.headers.get('content-disposition'), `inline; filename="${q.number}-v1-a4.pdf"`);
  });
});

describe('who may bind a deal, and what a new version carries', () => {
  test("a team mate may read a sent quote but not make its next version", async () => {
    const q = await create(c.rep, 'quotes', { name: 'Mine', lines: [{ description: 'A', quantity: 1, unit_price: '5.00' }] });
    assert.equal((await c.rep.patch(`/quotes/${q.id}`, { status: 'sent' })).status, 200);
    assertProblem(await c.rep2.post(`/quotes/${q.id}/revise`), 403);
    assert.equal((await c.rep.post(`/quotes/${q.id}/revise`)).status, 201);
  });

  test("a quote made primary needs the right to change its deal; a restored primary takes its deal back", async () => {
    const deal = await create(c.rep2, 'opportunities', { name: uniq('Deal'), amount: '1000.00' });
    const line = [{ description: 'x', quantity: 1, unit_price: '5.00' }];
    const r = await c.rep.post('/quotes', { name: 'Hijack', opportunity_id: deal.id, is_primary: true, lines: line });
    assert.equal(assertProblem(r, 422).errors[0].field, 'is_primary');
    assert.equal((await c.rep2.get(`/opportunities/${deal.id}`)).body.amount, '1000.00');
    const a = await create(c.rep2, 'quotes', { name: 'A', opportunity_id: deal.id, is_primary: true, lines: line });
    assert.equal((await c.rep2.del(`/quotes/${a.id}`)).status, 204);
    const b = await create(c.rep2, 'quotes', { name: 'B', opportunity_id: deal.id, is_primary: true, lines: [{ description: 'y', quantity: 1, unit_price: '7.00' }] });
    assert.equal((await c.rep2.get(`/opportunities/${deal.id}`)).body.amount, '7.00');
    assert.equal((await c.rep2.post(`/quotes/${a.id}/restore`)).status, 200);
    assert.equal((await c.rep2.get(`/quotes/${b.id}`)).body.is_primary, false);
    assert.equal((await c.rep2.get(`/opportunities/${deal.id}`)).body.amount, '5.00');
  });

  test('a new version of a quote whose product was deleted names it in a free-text line', async () => {
    const p = await product({ name: uniq('Gone') });
    const q = await create(admin, 'quotes', { name: 'Old', lines: [{ product_id: p.id, quantity: 2 }] });
    assert.equal((await admin.patch(`/quotes/${q.id}`, { status: 'sent' })).status, 200);
    assert.equal((await admin.del(`/products/${p.id}`)).status, 204);
    const r = await admin.post(`/quotes/${q.id}/revise`);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.lines[0].product_id, null);
    assert.equal(r.body.lines[0].description, `${p.name} (${p.sku})`);
    assert.equal(r.body.total, q.total);
  });

  test('no new line of a product no longer sold, nor a free-text line without a price', async () => {
    const p = await product({ active: false });
    assert.match(assertProblem(await admin.post('/quotes', { name: 'Off', lines: [{ product_id: p.id, quantity: 1 }] }), 422).errors[0].message, /is no longer sold/);
    assert.match(assertProblem(await admin.post('/quotes', { name: 'Free', lines: [{ description: 'Work', quantity: 1 }] }), 422).errors[0].message, /needs a unit_price/);
    assertProblem(await admin.get(`/prices?product_id=${p.id}&price_list_id=01a24ed7-85fd-7074-91d5-e28906e64ad2`), 404);
  });

  test('a bundle inside itself is refused however deep', async () => {
    const chain = [await product()];
    for (let i = 1; i < 8; i++) chain.push(await product({ components: [{ product_id: chain[i - 1].id, quantity: 1 }] }));
    const r = await admin.patch(`/products/${chain[0].id}`, { components: [{ product_id: chain[7].id, quantity: 1 }] });
    assert.match(assertProblem(r, 422).errors[0].message, /cannot contain itself/);
  });
});

describe('imports', () => {
  // A hook's memo (the currencies, read once per write transaction) lives in the
  // import's row memory, which is released every 64 rows within one transaction: the
  // memo must go with it (AddressSanitizer caught a use after free here).
  test('two hundred products in one import, each currency checked', async () => {
    const tag = uniq('IMP');
    const rows = ['sku,name,list_price,currency'];
    for (let i = 0; i < 200; i++) rows.push(`${tag}-${i},Imported ${i},${i + 1}.00,${i % 2 ? 'USD' : 'CNY'}`);
    rows.push(`${tag}-bad,Refused,1.00,JPY`);
    const job = await runImport(admin, 'entity=products', `${rows.join('\n')}\n`);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.deepEqual([job.rows_total, job.rows_imported, job.rows_failed], [201, 200, 1]);
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[202, 'currency']]);
    assert.equal((await admin.get(`/products?sku[like]=${tag}*&count=true`)).body.total, 200);
  });
});
