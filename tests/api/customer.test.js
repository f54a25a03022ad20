// Timelines, the account summary, and `rapport demo`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, Client, assertProblem, dropDb, freshDb, login, loginAdmin, startServer, uniq } from './helpers.js';

describe('customer 360', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('timeline: activities, records created under it and changes, newest first, paged', async () => {
    const acc = (await admin.post('/accounts', { name: uniq('TL') })).body;
    await admin.post('/contacts', { last_name: uniq('c'), account_id: acc.id });
    await admin.post('/opportunities', { name: 'tl deal', account_id: acc.id, amount: '1.00' });
    await admin.post('/activities', { type: 'note', subject: 'hello', related_type: 'accounts', related_id: acc.id });
    await admin.patch(`/accounts/${acc.id}`, { industry: 'retail' });
    const all = await admin.get(`/accounts/${acc.id}/timeline?limit=50`);
    assert.equal(all.status, 200, all.text);
    const kinds = all.body.data.map((x) => x.kind);
    for (const k of ['activity', 'created', 'change']) assert.ok(kinds.includes(k), `has ${k}: ${kinds}`);
    const ats = all.body.data.map((x) => x.at);
    assert.deepEqual([...ats].sort().reverse(), ats, 'newest first');
    assert.equal(all.body.next_before, null);
    const p1 = await admin.get(`/accounts/${acc.id}/timeline?limit=2`);
    assert.equal(p1.body.data.length, 2);
    assert.equal(typeof p1.body.next_before, 'string');
    const p2 = await admin.get(`/accounts/${acc.id}/timeline?limit=50&before=${encodeURIComponent(p1.body.next_before)}`);
    assert.ok(p2.body.data.every((x) => x.at < p1.body.next_before));
    assertProblem(await admin.get(`/users/${admin.user.id}/timeline`), 404);
    assertProblem(await admin.get(`/accounts/${acc.id}/timeline?limit=0`), 400);
  });

  test('summary: open, weighted, won and lost deals, contacts, activities', async () => {
    const acc = (await admin.post('/accounts', { name: uniq('Sum') })).body;
    await admin.post('/contacts', { last_name: uniq('c'), account_id: acc.id });
    await admin.post('/opportunities', { name: 'a', account_id: acc.id, amount: '100.00', stage: 'proposal' });
    await admin.post('/opportunities', { name: 'b', account_id: acc.id, amount: '50.00', stage: 'closed_won' });
    await admin.post('/opportunities', { name: 'c', account_id: acc.id, amount: '70.00', stage: 'closed_lost' });
    await admin.post('/activities', { type: 'call', subject: 'past', start_at: '2020-01-01T10:00:00Z', end_at: '2020-01-01T10:10:00Z', related_type: 'accounts', related_id: acc.id });
    const s = await admin.get(`/accounts/${acc.id}/summary`);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(
      { ...s.body, next_activity_at: null },
      { contacts: 1, open_deals: 1, open_amount: '100.00', weighted: '60.00', won_deals: 1, won_amount: '50.00', lost_deals: 1, last_activity_at: '2020-01-01T10:00:00.000Z', next_activity_at: null,
        by_currency: [{ currency: 'USD', open_amount: '100.00', weighted: '60.00', won_amount: '50.00' }] });
    assertProblem(await admin.get('/accounts/01a20000-0000-7000-8000-000000000000/summary'), 404);
  });

  test('retier: Pareto tiers by won revenue; managers and admins only', async () => {
    const big = (await admin.post('/accounts', { name: uniq('Big') })).body;
    const small = (await admin.post('/accounts', { name: uniq('Small') })).body;
    const today = new Date().toISOString().slice(0, 10);
    await admin.post('/opportunities', { name: 'w1', account_id: big.id, amount: '1000000.00', stage: 'closed_won', expected_close_date: today });
    await admin.post('/opportunities', { name: 'w2', account_id: small.id, amount: '1.00', stage: 'closed_won', expected_close_date: today });
    const r = await admin.post('/accounts/retier');
    assert.equal(r.status, 200, r.text);
    assert.equal((await admin.get(`/accounts/${big.id}`)).body.tier_computed, 'A');
    assert.equal((await admin.get(`/accounts/${small.id}`)).body.tier_computed, 'C');
    assertProblem(await admin.post('/accounts/retier?window_days=0'), 400);
    assertProblem(await admin.patch(`/accounts/${big.id}`, { tier_computed: 'B' }), 422);
  });
});

describe('rapport demo', () => {
  test('loads a company into a new database, refuses a used one, and the server serves it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-demo-'));
    const db = freshDb(dir);
    const env = { ...process.env, RAPPORT_ADMIN_PASSWORD: 'admin-pass-123' };
    const out = execFileSync(BIN, ['demo', '--db', db], { env, encoding: 'utf8' });
    assert.match(out, /demo data loaded/);
    assert.throws(() => execFileSync(BIN, ['demo', '--db', db], { env, stdio: 'pipe' }));
    const srv = await startServer({ dir, keepDir: true });
    try {
      const bob = await login(srv.base, 'bob', 'demo-pass-123');
      const accts = await bob.get('/accounts?count=true&limit=1');
      assert.ok(accts.body.total > 0 && accts.body.total < 200, `bob sees his team's share: ${accts.body.total}`);
      const admin = await loginAdmin(srv.base);
      assert.equal((await admin.get('/accounts?count=true&limit=1')).body.total, 200);
      assert.ok((await admin.get('/accounts?q=有限公司&count=true&limit=1')).body.total > 0);
      const pipe = await admin.get('/pipeline');
      assert.ok(pipe.body.stages.reduce((n, s) => n + s.count, 0) === 200);
    } finally {
      await srv.stop();
      dropDb(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without RAPPORT_ADMIN_PASSWORD the demo leaves the administrator to the first serve, which takes the variable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-demo-'));
    const db = freshDb(dir);
    const env = { ...process.env };
    delete env.RAPPORT_ADMIN_PASSWORD;
    const out = execFileSync(BIN, ['demo', '--db', db], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /first `rapport serve` creates admin/);
    const srv = await startServer({ dir, keepDir: true }); // with RAPPORT_ADMIN_PASSWORD
    try {
      const admin = await loginAdmin(srv.base);
      assert.equal(admin.user.role, 'admin');
      assert.equal((await admin.get('/accounts?count=true&limit=1')).body.total, 200);
    } finally {
      await srv.stop();
    }
    // A later start with another RAPPORT_ADMIN_PASSWORD changes nothing, and says so.
    const again = await startServer({ dir, keepDir: true, env: { RAPPORT_ADMIN_PASSWORD: 'another-pass-456' } });
    try {
      await loginAdmin(again.base);
      assert.equal((await new Client(again.base).request('POST', '/auth/login',
        { body: { username: 'admin', password: 'another-pass-456' } })).status, 401);
      assert.match(again.stderr(), /RAPPORT_ADMIN_PASSWORD is not used/);
    } finally {
      await again.stop();
      dropDb(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
