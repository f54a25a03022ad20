// Record CRUD: create/read/update/delete/restore, versions and ETags, field validation,
// money, enums, references, history.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, loginAdmin, create, assertProblem, UUID_RE, RFC3339_Z_RE, uniq,
} from './helpers.js';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

function fieldErrors(problem) {
  assert.ok(Array.isArray(problem.errors), `errors[] present: ${JSON.stringify(problem)}`);
  for (const e of problem.errors) {
    assert.equal(typeof e.field, 'string');
    assert.equal(typeof e.message, 'string');
  }
  return problem.errors.map((e) => e.field);
}

async function countAccounts(query = '') {
  const r = await admin.get(`/accounts?count=true&limit=1${query ? '&' + query : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.body.total;
}

describe('accounts CRUD', () => {
  let acc;

  test('POST → 201 with the full record and a Location header', async () => {
    const name = uniq('Acme');
    const r = await admin.post('/accounts', {
      name, type: 'customer', industry: 'technology', tier: 'A', billing_city: 'Berlin',
      annual_revenue: '1234.5', website: 'https://acme.example.com',
    });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    acc = r.body;
    assert.match(acc.id, UUID_RE, 'id is a UUIDv7');
    assert.equal(acc.name, name);
    assert.equal(acc.type, 'customer');
    assert.equal(acc.industry, 'technology');
    assert.equal(acc.tier, 'A');
    assert.equal(acc.billing_city, 'Berlin');
    assert.equal(acc.annual_revenue, '1234.50');
    assert.equal(acc.website, 'https://acme.example.com');
    assert.equal(acc.version, 1);
    assert.match(acc.created_at, RFC3339_Z_RE);
    assert.match(acc.updated_at, RFC3339_Z_RE);
    assert.equal(acc.created_by, admin.user.id);
    assert.equal(acc.owner_id, admin.user.id);
    const loc = r.headers.get('location');
    assert.ok(loc, 'Location header');
    assert.ok(loc.endsWith(`/api/v1/accounts/${acc.id}`), `Location ${loc}`);
  });

  test('ids are unique and time-ordered', async () => {
    const a = await create(admin, 'accounts', { name: uniq('order-a') });
    const b = await create(admin, 'accounts', { name: uniq('order-b') });
    assert.notEqual(a.id, b.id);
    assert.ok(a.id < b.id, `${a.id} < ${b.id}`);
  });

  test('GET → 200 with ETag "<version>" and the same record', async () => {
    const r = await admin.get(`/accounts/${acc.id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('etag'), '"1"');
    assert.deepEqual(r.body, acc);
  });

  test('PATCH is partial and bumps version', async () => {
    const r = await admin.patch(`/accounts/${acc.id}`, { billing_city: 'Hamburg' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.billing_city, 'Hamburg');
    assert.equal(r.body.name, acc.name, 'untouched field kept');
    assert.equal(r.body.tier, 'A');
    assert.equal(r.body.annual_revenue, '1234.50');
    assert.equal(r.body.version, 2);
    assert.equal(r.body.created_at, acc.created_at);
    assert.equal(r.body.created_by, acc.created_by);
    assert.ok(r.body.updated_at >= acc.updated_at);
    const g = await admin.get(`/accounts/${acc.id}`);
    assert.equal(g.headers.get('etag'), '"2"');
    assert.equal(g.body.billing_city, 'Hamburg');
    acc = g.body;
  });

  test('PATCH with a matching If-Match → 200', async () => {
    const r = await admin.patch(`/accounts/${acc.id}`, { tier: 'B' }, { headers: { 'if-match': '"2"' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, 3);
    assert.equal(r.body.tier, 'B');
    acc = r.body;
  });

  test('PATCH with a stale If-Match → 412 and nothing changes', async () => {
    const r = await admin.patch(`/accounts/${acc.id}`, { tier: 'C', billing_city: 'Paris' },
      { headers: { 'if-match': '"2"' } });
    assertProblem(r, 412);
    const g = await admin.get(`/accounts/${acc.id}`);
    assert.equal(g.body.version, 3);
    assert.equal(g.body.tier, 'B');
    assert.equal(g.body.billing_city, 'Hamburg');
    assert.equal(g.headers.get('etag'), '"3"');
  });

  test('PATCH setting a field to null clears it', async () => {
    const r = await admin.patch(`/accounts/${acc.id}`, { billing_city: null });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.billing_city === null || r.body.billing_city === undefined || r.body.billing_city === '',
      `cleared: ${JSON.stringify(r.body.billing_city)}`);
    assert.equal(r.body.version, 4);
    acc = r.body;
  });

  test('PATCH that clears a required field → 422, nothing changes', async () => {
    assertProblem(await admin.patch(`/accounts/${acc.id}`, { name: null }), 422);
    assertProblem(await admin.patch(`/accounts/${acc.id}`, { name: '' }), 422);
    const g = await admin.get(`/accounts/${acc.id}`);
    assert.equal(g.body.name, acc.name);
    assert.equal(g.body.version, acc.version);
  });

  test('PATCH of server-managed fields is refused or ignored', async () => {
    const r = await admin.patch(`/accounts/${acc.id}`, { version: 99, created_by: '00000000-0000-7000-8000-000000000000' });
    assert.ok([400, 422].includes(r.status) || r.status === 200, `status ${r.status}`);
    const g = await admin.get(`/accounts/${acc.id}`);
    assert.notEqual(g.body.version, 99);
    assert.equal(g.body.created_by, admin.user.id);
  });

  test('DELETE → 204, then GET/PATCH → 404; listed with deleted=only', async () => {
    const r = await admin.del(`/accounts/${acc.id}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    assertProblem(await admin.get(`/accounts/${acc.id}`), 404);
    assertProblem(await admin.patch(`/accounts/${acc.id}`, { tier: 'C' }), 404);
    const l = await admin.get(`/accounts?name=${encodeURIComponent(acc.name)}`);
    assert.equal(l.body.data.length, 0, 'not in the normal list');
    const d = await admin.get(`/accounts?deleted=only&limit=500`);
    assert.equal(d.status, 200, d.text);
    assert.ok(d.body.data.some((x) => x.id === acc.id), 'in the recycle bin');
    assert.ok(d.body.data.every((x) => x.id !== undefined));
    const all = await admin.get(`/accounts?limit=500`);
    assert.ok(!all.body.data.some((x) => x.id === acc.id));
  });

  test('DELETE of a deleted record → 404', async () => {
    assertProblem(await admin.del(`/accounts/${acc.id}`), 404);
  });

  test('POST restore → 200; back in lists, out of the bin', async () => {
    const r = await admin.post(`/accounts/${acc.id}/restore`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, acc.id);
    assert.equal(r.body.name, acc.name);
    const g = await admin.get(`/accounts/${acc.id}`);
    assert.equal(g.status, 200);
    const d = await admin.get(`/accounts?deleted=only&limit=500`);
    assert.ok(!d.body.data.some((x) => x.id === acc.id));
    const l = await admin.get(`/accounts?name=${encodeURIComponent(acc.name)}`);
    assert.equal(l.body.data.length, 1);
  });

  test('restore of a record that is not deleted → 404 or 409', async () => {
    const r = await admin.post(`/accounts/${acc.id}/restore`);
    assert.ok([404, 409].includes(r.status), `got ${r.status}`);
  });

  test('history lists create/update/delete/restore newest first', async () => {
    const r = await admin.get(`/accounts/${acc.id}/history`);
    assert.equal(r.status, 200, r.text);
    const h = r.body.data;
    assert.ok(Array.isArray(h) && h.length >= 5, `history entries: ${h.length}`);
    for (const e of h) {
      assert.match(e.at, RFC3339_Z_RE);
      assert.equal(e.user_id, admin.user.id);
      assert.ok(['create', 'update', 'delete', 'restore', 'transfer'].includes(e.action), e.action);
    }
    for (let i = 1; i < h.length; i++) assert.ok(h[i - 1].at >= h[i].at, 'newest first');
    assert.equal(h[0].action, 'restore');
    assert.equal(h[1].action, 'delete');
    assert.equal(h[h.length - 1].action, 'create');
    const city = h.find((e) => e.action === 'update' && e.field === 'billing_city' && e.old === 'Berlin');
    assert.ok(city, 'billing_city Berlin → Hamburg recorded');
    assert.equal(city.new, 'Hamburg');
    const tier = h.find((e) => e.action === 'update' && e.field === 'tier');
    assert.ok(tier);
    assert.equal(tier.old, 'A');
    assert.equal(tier.new, 'B');
    // the refused stale update left no trace
    assert.ok(!h.some((e) => e.field === 'tier' && e.new === 'C'));
    assert.ok(!h.some((e) => e.field === 'billing_city' && e.new === 'Paris'));
  });

  test('history of a create shows one row per field set, with the exact values', async () => {
    // Stored as one audit row holding the initial values; read back field by field.
    const description = 'line 1\nline 2\t"quoted" back\\slash 中文 😀';
    const r = await admin.post('/contacts', {
      last_name: '李 "Quote"', first_name: 'Ann\\e', description, do_not_call: true,
      email: 'ann.history@example.com',
    });
    assert.equal(r.status, 201, r.text);
    const h = (await admin.get(`/contacts/${r.body.id}/history`)).body.data;
    assert.ok(h.every((e) => e.action === 'create' && e.old === null && e.user_id === admin.user.id));
    assert.equal(h[h.length - 1].field, null, 'the record-level row comes last');
    assert.equal(h[h.length - 1].new, null);
    const fields = h.slice(0, -1).map((e) => [e.field, e.new]).reverse();
    assert.deepEqual(fields, [
      ['first_name', 'Ann\\e'], ['last_name', '李 "Quote"'], ['email', 'ann.history@example.com'],
      ['do_not_call', 'true'], ['description', description],
    ]);
  });

  test('history of an unknown id → 404', async () => {
    assertProblem(await admin.get('/accounts/00000000-0000-7000-8000-000000000000/history'), 404);
  });

  test('GET/PATCH/DELETE of unknown or malformed ids → 404', async () => {
    for (const id of ['00000000-0000-7000-8000-000000000000', 'nope', '12345']) {
      assertProblem(await admin.get(`/accounts/${id}`), 404, id);
      assertProblem(await admin.patch(`/accounts/${id}`, { name: 'x' }), 404, id);
      assertProblem(await admin.del(`/accounts/${id}`), 404, id);
    }
  });

  test('unicode round-trips exactly', async () => {
    const name = '北京重要客户有限公司 ' + uniq('ü');
    const desc = 'Grüße 👋 — “quotes” \\ backslash \n newline';
    const a = await create(admin, 'accounts', { name, description: desc });
    const g = await admin.get(`/accounts/${a.id}`);
    assert.equal(g.body.name, name);
    assert.equal(g.body.description, desc);
  });
});

describe('field validation', () => {
  test('missing required name → 422 with errors[].field = name; nothing created', async () => {
    const before = await countAccounts();
    const r = await admin.post('/accounts', { billing_city: 'Nowhere' });
    const p = assertProblem(r, 422);
    assert.ok(fieldErrors(p).includes('name'));
    assertProblem(await admin.post('/accounts', { name: '' }), 422);
    assert.equal(await countAccounts(), before);
  });

  test('unknown field → 422 naming the field', async () => {
    const r = await admin.post('/accounts', { name: uniq('unk'), colour: 'blue' });
    const p = assertProblem(r, 422);
    assert.ok(fieldErrors(p).includes('colour'), JSON.stringify(p.errors));
  });

  test('several problems are reported together', async () => {
    const r = await admin.post('/accounts', { type: 'bogus', tier: 'Z', bogus_field: 1 });
    const p = assertProblem(r, 422);
    const f = fieldErrors(p);
    for (const x of ['name', 'type', 'tier', 'bogus_field']) assert.ok(f.includes(x), `${x} in ${f}`);
  });

  test('enum fields accept only their values', async () => {
    const ok = await create(admin, 'accounts', {
      name: uniq('enum-ok'), type: 'distributor', industry: 'banking', credit_rating: 'fair',
      status: 'on_hold', tier: 'C',
    });
    assert.equal(ok.credit_rating, 'fair');
    assert.equal(ok.status, 'on_hold');
    for (const [field, value] of [['type', 'client'], ['industry', 'Technology'], ['credit_rating', 'great'],
      ['status', 'ACTIVE'], ['tier', 'a'], ['tier', 'D'], ['type', 1], ['type', ['customer']]]) {
      const r = await admin.post('/accounts', { name: uniq('enum-bad'), [field]: value });
      const p = assertProblem(r, 422, `${field}=${JSON.stringify(value)}`);
      assert.ok(fieldErrors(p).includes(field));
    }
    const r = await admin.patch(`/accounts/${ok.id}`, { tier: 'Q' });
    assertProblem(r, 422);
    assert.equal((await admin.get(`/accounts/${ok.id}`)).body.tier, 'C');
  });

  test('money accepts strings and numbers, answers 2-decimal strings', async () => {
    const cases = [['1234.5', '1234.50'], [1234.5, '1234.50'], [100, '100.00'], ['0.10', '0.10'],
      ['99999999.99', '99999999.99'], [0, '0.00'], ['7', '7.00']];
    for (const [input, want] of cases) {
      const a = await create(admin, 'accounts', { name: uniq('money'), annual_revenue: input });
      assert.equal(a.annual_revenue, want, `input ${JSON.stringify(input)}`);
      const g = await admin.get(`/accounts/${a.id}`);
      assert.equal(g.body.annual_revenue, want);
    }
  });

  test('money with more than 2 decimals or non-numeric → 422', async () => {
    const before = await countAccounts();
    for (const bad of ['1.234', 1.234, '0.001', 'abc', '12,50', true, {}]) {
      const r = await admin.post('/accounts', { name: uniq('money-bad'), annual_revenue: bad });
      const p = assertProblem(r, 422, `annual_revenue=${JSON.stringify(bad)}`);
      assert.ok(fieldErrors(p).includes('annual_revenue'));
    }
    assert.equal(await countAccounts(), before);
  });

  test('money from JSON numbers is rounded exactly (no binary float artefacts)', async () => {
    for (const [input, want] of [[0.29, '0.29'], [4.35, '4.35'], [1.15, '1.15'], [0.1, '0.10'], [19.99, '19.99'],
      [1005.05, '1005.05'], ['0.29', '0.29'], ['4.35', '4.35']]) {
      const a = await create(admin, 'accounts', { name: uniq('float'), annual_revenue: input });
      assert.equal(a.annual_revenue, want, `input ${JSON.stringify(input)}`);
    }
  });

  test('money out of range → 422, never wrapped or truncated', async () => {
    for (const bad of ['100000000000000000000.00', '92233720368547758.08', 1e30, '9'.repeat(40)]) {
      const r = await admin.post('/accounts', { name: uniq('huge'), annual_revenue: bad });
      assertProblem(r, 422, `annual_revenue=${bad}`);
    }
  });

  test('numbers outside their field\'s bounds → 422 naming the field, nothing saved', async () => {
    const before0 = await countAccounts();
    const cases = [
      ['accounts', { name: uniq('neg'), annual_revenue: -5 }, 'annual_revenue'],
      ['accounts', { name: uniq('neg'), annual_revenue: '-0.01' }, 'annual_revenue'],
      ['opportunities', { name: uniq('neg'), amount: -5 }, 'amount'],
      ['opportunities', { name: uniq('neg'), amount: '-1.00' }, 'amount'],
      ['opportunities', { name: uniq('p'), probability: -1 }, 'probability'],
      ['opportunities', { name: uniq('p'), probability: 101 }, 'probability'],
      ['activities', { type: 'call', subject: 's', start_at: '2031-01-01T09:00:00Z', end_at: '2031-01-01T09:30:00Z', duration_minutes: -2147483648 }, 'duration_minutes'],
      ['activities', { type: 'call', subject: 's', start_at: '2031-01-01T09:00:00Z', end_at: '2031-01-01T09:30:00Z', duration_minutes: -1 }, 'duration_minutes'],
      ['activities', { type: 'call', subject: 's', start_at: '2031-01-01T09:00:00Z', end_at: '2031-01-01T09:30:00Z', duration_minutes: 44641 }, 'duration_minutes'],
      ['activities', { type: 'call', subject: 's', start_at: '2031-01-01T09:00:00Z', end_at: '2031-01-01T09:30:00Z', duration_minutes: 9007199254740991 }, 'duration_minutes'],
      ['pipeline_stages', { key: 'neg_order', label: 'x', probability: 5, sort_order: -1 }, 'sort_order'],
    ];
    for (const [res, body, field] of cases) {
      const p = assertProblem(await admin.post(`/${res}`, body), 422, `${res} ${JSON.stringify(body)}`);
      assert.deepEqual(fieldErrors(p), [field], JSON.stringify(p));
      assert.match(p.errors[0].message, /between/);
    }
    assert.equal(await countAccounts(), before0);
    // The edges are fine; a PATCH is held to the same bounds.
    const d = await create(admin, 'opportunities', { name: uniq('edge'), amount: '0.00', probability: 100 });
    assertProblem(await admin.patch(`/opportunities/${d.id}`, { amount: -1 }), 422);
    const call = await create(admin, 'activities', { type: 'note', subject: 's', duration_minutes: 44640 });
    assert.equal(call.duration_minutes, 44640);
    assert.equal((await admin.get(`/opportunities/${d.id}`)).body.version, 1);
    // The bounds are in the metadata the UI validates with.
    const meta = (await admin.get('/meta')).body.entities;
    const field = (e, f) => meta.find((x) => x.name === e).fields.find((x) => x.name === f);
    assert.deepEqual([field('opportunities', 'amount').min, field('activities', 'duration_minutes').max], ['0.00', 44640]);
    assert.deepEqual([field('opportunities', 'probability').min, field('opportunities', 'probability').max], [0, 100]);
  });

  test('date-times outside the years 0001-9999 UTC → 422, also through an offset', async () => {
    for (const at of ['9999-12-31T23:59:59-23:59', '9999-12-31T23:59:59.999-00:01', '0001-01-01T00:00:00+00:01', '10000-01-01T00:00:00Z']) {
      const p = assertProblem(await admin.post('/activities', { type: 'meeting', subject: 's', start_at: at, end_at: '9999-12-31T23:59:59Z' }), 422, at);
      assert.ok(fieldErrors(p).includes('start_at'), JSON.stringify(p));
      assertProblem(await admin.get(`/activities?start_at[gt]=${encodeURIComponent(at)}`), 400, `filter ${at}`);
    }
    const edge = await create(admin, 'activities', { type: 'task', subject: 'edge', due_at: '9999-12-31T23:59:59.999Z' });
    assert.equal(edge.due_at, '9999-12-31T23:59:59.999Z');
    const early = await create(admin, 'activities', { type: 'task', subject: 'edge', due_at: '0001-01-01T08:00:00+08:00' });
    assert.equal(early.due_at, '0001-01-01T00:00:00.000Z');
  });

  test('website must be an http(s) URL; email must be an e-mail', async () => {
    for (const bad of ['ftp://example.com', 'javascript:alert(1)', 'example', 'http://']) {
      const p = assertProblem(await admin.post('/accounts', { name: uniq('url'), website: bad }), 422, bad);
      assert.ok(fieldErrors(p).includes('website'));
    }
    const ok = await create(admin, 'accounts', { name: uniq('url-ok'), website: 'http://example.org/a?b=c' });
    assert.equal(ok.website, 'http://example.org/a?b=c');
    const p = assertProblem(await admin.post('/accounts', { name: uniq('mail'), email: 'not-an-email' }), 422);
    assert.ok(fieldErrors(p).includes('email'));
  });

  test('string over its length limit → 422', async () => {
    const p = assertProblem(await admin.post('/accounts', { name: 'x'.repeat(5000) }), 422);
    assert.ok(fieldErrors(p).includes('name'));
  });

  test('wrong JSON types → 422 (string field given an object or number)', async () => {
    assertProblem(await admin.post('/accounts', { name: { a: 1 } }), 422);
    assertProblem(await admin.post('/accounts', { name: 12345 }), 422);
  });

  test('a body that is not an object → 400 or 422', async () => {
    for (const body of ['[]', '"name"', '42', 'null']) {
      const r = await admin.post('/accounts', body);
      assert.ok([400, 422].includes(r.status), `${body}: ${r.status}`);
    }
  });

  test('parent_id must reference an existing account', async () => {
    const parent = await create(admin, 'accounts', { name: uniq('parent') });
    const child = await create(admin, 'accounts', { name: uniq('child'), parent_id: parent.id });
    assert.equal(child.parent_id, parent.id);
    const p = assertProblem(await admin.post('/accounts',
      { name: uniq('orphan'), parent_id: '00000000-0000-7000-8000-000000000000' }), 422);
    assert.ok(fieldErrors(p).includes('parent_id'));
  });
});

describe('contacts', () => {
  let account;
  test('create with account reference and typed fields', async () => {
    account = await create(admin, 'accounts', { name: uniq('contact-home') });
    const r = await admin.post('/contacts', {
      salutation: 'ms', first_name: 'Ada', last_name: 'Lovelace', account_id: account.id,
      email: 'ada@example.com', birthday: '1990-12-10', lead_source: 'referral', do_not_call: true,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.last_name, 'Lovelace');
    assert.equal(r.body.account_id, account.id);
    assert.equal(r.body.birthday, '1990-12-10');
    assert.equal(r.body.lead_source, 'referral');
    assert.equal(r.body.do_not_call, true);
    assert.equal(r.body.version, 1);
    assert.match(r.body.id, UUID_RE);
    const boss = r.body;
    const sub = await create(admin, 'contacts', { last_name: 'Babbage', reports_to_id: boss.id });
    assert.equal(sub.reports_to_id, boss.id);
  });

  test('missing last_name → 422 with field last_name', async () => {
    const p = assertProblem(await admin.post('/contacts', { first_name: 'Only' }), 422);
    assert.ok(fieldErrors(p).includes('last_name'));
  });

  test('account_id must exist → 422', async () => {
    const before0 = (await admin.get('/contacts?count=true&limit=1')).body.total;
    const p = assertProblem(await admin.post('/contacts',
      { last_name: 'Ghost', account_id: '00000000-0000-7000-8000-000000000000' }), 422);
    assert.ok(fieldErrors(p).includes('account_id'));
    const p2 = assertProblem(await admin.post('/contacts', { last_name: 'Ghost', account_id: 'garbage' }), 422);
    assert.ok(fieldErrors(p2).includes('account_id'));
    assert.equal((await admin.get('/contacts?count=true&limit=1')).body.total, before0, 'no contact created');
    assert.equal((await admin.get('/contacts?last_name=Ghost')).body.data.length, 0);
  });

  test('account_id pointing at a deleted account → 422', async () => {
    const gone = await create(admin, 'accounts', { name: uniq('gone') });
    assert.equal((await admin.del(`/accounts/${gone.id}`)).status, 204);
    const p = assertProblem(await admin.post('/contacts', { last_name: 'Ghost', account_id: gone.id }), 422);
    assert.ok(fieldErrors(p).includes('account_id'));
  });

  test('reports_to_id must reference a contact (not an account)', async () => {
    const p = assertProblem(await admin.post('/contacts', { last_name: 'X', reports_to_id: account.id }), 422);
    assert.ok(fieldErrors(p).includes('reports_to_id'));
  });

  test('a contact cannot report to itself (422)', async () => {
    const me = await create(admin, 'contacts', { last_name: 'Selfish' });
    const p = assertProblem(await admin.patch(`/contacts/${me.id}`, { reports_to_id: me.id }), 422);
    assert.ok(fieldErrors(p).includes('reports_to_id'));
    const acc = await create(admin, 'accounts', { name: uniq('self-parent') });
    assertProblem(await admin.patch(`/accounts/${acc.id}`, { parent_id: acc.id }), 422);
  });

  test('birthday must be a real YYYY-MM-DD date', async () => {
    for (const bad of ['1990-02-30', '1990-13-01', '10/12/1990', '1990-1-1', '1990-12-10T00:00:00Z']) {
      const p = assertProblem(await admin.post('/contacts', { last_name: 'Bday', birthday: bad }), 422, bad);
      assert.ok(fieldErrors(p).includes('birthday'));
    }
    const leap = await create(admin, 'contacts', { last_name: 'Leap', birthday: '2000-02-29' });
    assert.equal(leap.birthday, '2000-02-29');
  });

  test('bool and enum fields are type-checked', async () => {
    for (const [f, v] of [['do_not_call', 'yes'], ['do_not_call', 1], ['lead_source', 'tv'], ['email', 'a@'],
      ['email_secondary', '@b.c']]) {
      const p = assertProblem(await admin.post('/contacts', { last_name: 'T', [f]: v }), 422, `${f}=${v}`);
      assert.ok(fieldErrors(p).includes(f));
    }
  });
});

describe('teams', () => {
  test('create, get, patch, unique name', async () => {
    const name = uniq('Team');
    const t = await create(admin, 'teams', { name, description: 'first' });
    assert.equal(t.name, name);
    assert.equal(t.version, 1);
    assert.match(t.id, UUID_RE);
    const dup = await admin.post('/teams', { name });
    assert.ok([409, 422].includes(dup.status), `duplicate team name: ${dup.status}`);
    assert.match(dup.headers.get('content-type') || '', /problem\+json/);
    const p = await admin.patch(`/teams/${t.id}`, { description: 'second' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.description, 'second');
    assert.equal(p.body.version, 2);
    const missing = assertProblem(await admin.post('/teams', { description: 'no name' }), 422);
    assert.ok(fieldErrors(missing).includes('name'));
  });
});

describe('the same record contract for every resource', () => {
  const samples = {
    accounts: () => ({ name: uniq('gen-acc') }),
    contacts: () => ({ last_name: uniq('gen-ct') }),
    teams: () => ({ name: uniq('gen-team') }),
    users: () => ({ username: uniq('gen-user'), password: 'password-123', role: 'sales' }),
  };
  const patches = {
    accounts: { description: 'patched' },
    contacts: { description: 'patched' },
    teams: { description: 'patched' },
    users: { display_name: 'patched' },
  };
  for (const res of Object.keys(samples)) {
    test(`${res}: create → get (ETag) → patch → stale 412 → delete/restore → history`, async () => {
      const c = await admin.post(`/${res}`, samples[res]());
      assert.equal(c.status, 201, c.text);
      const rec = c.body;
      assert.match(rec.id, UUID_RE);
      assert.ok((c.headers.get('location') || '').endsWith(`/api/v1/${res}/${rec.id}`), `Location for ${res}`);
      for (const f of ['created_at', 'updated_at']) assert.match(rec[f], RFC3339_Z_RE, f);
      assert.equal(rec.version, 1);
      assert.equal(rec.created_by, admin.user.id);
      assert.equal(typeof rec.owner_id, 'string');
      const g = await admin.get(`/${res}/${rec.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.headers.get('etag'), '"1"');
      const p = await admin.patch(`/${res}/${rec.id}`, patches[res], { headers: { 'if-match': '"1"' } });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.version, 2);
      assertProblem(await admin.patch(`/${res}/${rec.id}`, patches[res], { headers: { 'if-match': '"1"' } }), 412);
      const l = await admin.get(`/${res}?limit=500`);
      assert.ok(l.body.data.some((x) => x.id === rec.id), 'listed');
      if (res === 'users') {
        assertProblem(await admin.del(`/${res}/${rec.id}`), 405);
      } else {
        assert.equal((await admin.del(`/${res}/${rec.id}`)).status, 204);
        assertProblem(await admin.get(`/${res}/${rec.id}`), 404);
        const bin = await admin.get(`/${res}?deleted=only&limit=500`);
        assert.ok(bin.body.data.some((x) => x.id === rec.id), 'in bin');
        assert.equal((await admin.post(`/${res}/${rec.id}/restore`)).status, 200);
      }
      const h = await admin.get(`/${res}/${rec.id}/history`);
      assert.equal(h.status, 200, h.text);
      assert.equal(h.body.data[h.body.data.length - 1].action, 'create');
      assert.ok(h.body.data.some((e) => e.action === 'update'));
      assertProblem(await admin.post(`/${res}`, { ...samples[res](), bogus_field: 1 }), 422);
    });
  }
});
