// Timelines, the account summary, activities rolled up to the account, and `rapport demo`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BIN, Client, PG, assertProblem, create, createTeam, createUser, dbQuery, dbShellCommand, dropDb, freshDb,
  login, loginAdmin, startServer, uniq,
} from './helpers.js';

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

  test('activities relate to any entity with a timeline: a call logged on a case is on the case\'s timeline', async () => {
    const meta = (await admin.get('/meta')).body;
    const rt = meta.entities.find((e) => e.name === 'activities').fields.find((f) => f.name === 'related_type');
    const withTimeline = meta.entities.filter((e) => e.timeline).map((e) => e.name);
    assert.deepEqual(rt.enum, withTimeline, 'related types are the entities with a timeline');
    assert.ok(rt.enum.includes('cases'));
    assert.equal(rt.enum_labels.cases, 'Case');
    assert.equal(rt.enum_labels_zh.cases, '服务工单');
    const acc = (await admin.post('/accounts', { name: uniq('TLCase') })).body;
    const kase = (await admin.post('/cases', { subject: 'printer jams', account_id: acc.id })).body;
    const call = (await admin.post('/activities', { type: 'call', subject: 'called back', start_at: '2026-03-02T10:00:00Z', end_at: '2026-03-02T10:05:00Z', related_type: 'cases', related_id: kase.id })).body;
    assert.equal(call.account_id ?? null, null, 'a case is no roll-up source: the call stays on the case');
    await admin.patch(`/cases/${kase.id}`, { status: 'in_progress' });
    const tl = await admin.get(`/cases/${kase.id}/timeline?limit=50`);
    assert.equal(tl.status, 200, tl.text);
    const acts = tl.body.data.filter((x) => x.kind === 'activity').map((x) => x.record.id);
    assert.deepEqual(acts, [call.id]);
    assert.ok(tl.body.data.some((x) => x.kind === 'change' && x.field === 'status'), JSON.stringify(tl.body.data));
    // The account's timeline shows the case it was created with, not the case's call.
    const onAcc = (await admin.get(`/accounts/${acc.id}/timeline?limit=50`)).body.data;
    assert.ok(onAcc.some((x) => x.kind === 'created' && x.record.id === kase.id));
    assert.ok(!onAcc.some((x) => x.record?.id === call.id));
    // An entity without a timeline is no related type.
    const queue = (await admin.get('/case_queues?limit=1')).body.data[0]
      ?? (await admin.post('/case_queues', { name: uniq('Q') })).body;
    assertProblem(await admin.post('/activities', { type: 'note', subject: 'x', related_type: 'case_queues', related_id: queue.id }), 422);
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
      { contacts: 1, open_deals: 1, open_amount: '100.00', weighted: '60.00', won_deals: 1, won_amount: '50.00', lost_deals: 1, activities: 1, last_activity_at: '2020-01-01T10:00:00.000Z', next_activity_at: null,
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

// An activity relates to one record (related_type/related_id); the server derives the
// account it belongs to (account_id, read-only), so the account's card lists, counts
// and shows on its timeline the activities of its contacts, deals and converted leads.
describe('activities roll up to the account', () => {
  let srv;
  let admin;
  let rep1;
  let u1;
  let u2;
  const post = (c, res, body) => c.post(`/${res}?allow_duplicate=true`, body);
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const t1 = await createTeam(admin, uniq('Rollup One'));
    const t2 = await createTeam(admin, uniq('Rollup Two'));
    u1 = await createUser(admin, { username: uniq('roll1'), password: 'pw-roll-12345678', team_ids: [t1.id] });
    u2 = await createUser(admin, { username: uniq('roll2'), password: 'pw-roll-12345678', team_ids: [t2.id] });
    rep1 = await login(srv.base, u1.username, 'pw-roll-12345678');
  });
  after(async () => { await srv.stop(); });

  const account = async (name, extra = {}) => (await post(admin, 'accounts', { name: uniq(name), ...extra })).body;
  // A call at the same time as the others (they are not what these tests are about).
  const call = (related_type, related_id, subject, extra = {}) => create(admin, 'activities?allow_conflict=true',
    { type: 'call', subject, start_at: '2020-03-01T10:00:00Z', end_at: '2020-03-01T10:15:00Z', related_type, related_id, ...extra });
  const listed = async (client, acc) => {
    const r = await client.get(`/activities?account_id=${acc.id}&limit=100`);
    assert.equal(r.status, 200, r.text);
    return r.body.data.map((a) => a.subject).sort();
  };
  const onTimeline = async (client, acc) => {
    const r = await client.get(`/accounts/${acc.id}/timeline?limit=100`);
    assert.equal(r.status, 200, r.text);
    return r.body.data.filter((x) => x.kind === 'activity').map((x) => x.record.subject).sort();
  };

  test('an activity on a contact, a deal or the account itself shows under the account: list, summary, timeline', async () => {
    const acc = await account('Rollup Fisheries');
    const other = await account('Rollup Elsewhere');
    const ana = (await post(admin, 'contacts', { first_name: 'Ana', last_name: uniq('Li'), account_id: acc.id })).body;
    const deal = await create(admin, 'opportunities', { name: 'Big Order', account_id: acc.id, amount: '10.00' });
    const a1 = await call('contacts', ana.id, 'with Ana');
    const a2 = await call('opportunities', deal.id, 're deal', { start_at: '2099-01-01T09:00:00Z', end_at: '2099-01-01T09:30:00Z' });
    const a3 = await call('accounts', acc.id, 'the account');
    await call('accounts', other.id, 'another account');
    assert.deepEqual([a1.account_id, a2.account_id, a3.account_id], [acc.id, acc.id, acc.id]);
    assert.deepEqual(await listed(admin, acc), ['re deal', 'the account', 'with Ana']);
    const s = (await admin.get(`/accounts/${acc.id}/summary`)).body;
    assert.deepEqual([s.activities, s.last_activity_at, s.next_activity_at],
      [3, '2020-03-01T10:00:00.000Z', '2099-01-01T09:00:00.000Z']);
    assert.deepEqual(await onTimeline(admin, acc), ['re deal', 'the account', 'with Ana']);
    // The contact's and the deal's own timelines keep theirs.
    assert.deepEqual((await admin.get(`/contacts/${ana.id}/timeline`)).body.data.filter((x) => x.kind === 'activity').map((x) => x.record.id), [a1.id]);
    // The link is the server's: a client may not set it, on create or later.
    assertProblem(await admin.post('/activities', { type: 'note', subject: 'x', account_id: acc.id }), 422);
    assertProblem(await admin.patch(`/activities/${a1.id}`, { account_id: other.id }), 422);
    // What it is about changes: so does the account.
    const moved = await admin.patch(`/activities/${a1.id}`, { related_type: 'accounts', related_id: other.id });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.account_id, other.id);
    const none = await admin.patch(`/activities/${a1.id}`, { related_type: null, related_id: null });
    assert.equal(none.body.account_id, null);
  });

  test('a contact or a deal moving to another account takes its activities along, the recycle bin\'s too', async () => {
    const from = await account('Rollup From');
    const to = await account('Rollup To');
    const bo = (await post(admin, 'contacts', { last_name: uniq('Berg'), account_id: from.id })).body;
    const deal = await create(admin, 'opportunities', { name: 'Moving deal', account_id: from.id, amount: '1.00' });
    await call('contacts', bo.id, 'c1');
    await call('contacts', bo.id, 'c2');
    const binned = await create(admin, 'activities', { type: 'note', subject: 'c3', related_type: 'contacts', related_id: bo.id });
    await call('opportunities', deal.id, 'd1');
    assert.equal((await admin.del(`/activities/${binned.id}`)).status, 204);
    assert.deepEqual(await listed(admin, from), ['c1', 'c2', 'd1']);
    assert.equal((await admin.patch(`/contacts/${bo.id}`, { account_id: to.id })).status, 200);
    assert.equal((await admin.patch(`/opportunities/${deal.id}`, { account_id: to.id })).status, 200);
    assert.deepEqual(await listed(admin, from), []);
    assert.deepEqual(await listed(admin, to), ['c1', 'c2', 'd1']);
    assert.equal((await admin.get(`/accounts/${from.id}/summary`)).body.activities, 0);
    assert.equal((await admin.get(`/accounts/${to.id}/summary`)).body.activities, 3);
    assert.deepEqual(await onTimeline(admin, to), ['c1', 'c2', 'd1']);
    // The change is in the activity's history, in the name of whoever moved the contact.
    const h = (await admin.get(`/activities/${(await admin.get(`/activities?subject=c1`)).body.data[0].id}/history`)).body.data;
    assert.ok(h.some((x) => x.field === 'account_id' && x.old === from.id && x.new === to.id && x.user_id === admin.user.id), JSON.stringify(h));
    // Restored, the binned one comes back on the contact's new account.
    const back = await admin.post(`/activities/${binned.id}/restore`);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.account_id, to.id);
    // A contact leaving every account leaves its activities without one.
    await admin.patch(`/contacts/${bo.id}`, { account_id: null });
    assert.deepEqual(await listed(admin, to), ['d1']);
  });

  test('converting a lead rolls its activities up to the new account', async () => {
    const lead = await create(admin, 'leads', { first_name: 'Lea', last_name: uniq('Lead'), company: uniq('Rollup Lead Co') });
    const a = await call('leads', lead.id, 'qualifying call');
    assert.equal(a.account_id, null, 'a lead not yet converted belongs to no account');
    const r = await admin.post(`/leads/${lead.id}/convert?allow_duplicate=true`, {});
    assert.equal(r.status, 200, r.text);
    const acc = { id: r.body.account_id };
    assert.equal((await admin.get(`/activities/${a.id}`)).body.account_id, acc.id);
    assert.deepEqual(await listed(admin, acc), ['qualifying call']);
    assert.deepEqual(await onTimeline(admin, acc), ['qualifying call']);
    assert.equal((await admin.get(`/accounts/${acc.id}/summary`)).body.activities, 1);
    // Activities logged on the converted lead later go to its account too.
    assert.equal((await call('leads', lead.id, 'after')).account_id, acc.id);
  });

  test('merging accounts moves the activities of both onto the survivor', async () => {
    const keep = await account('Rollup Keep');
    const gone = await account('Rollup Gone');
    const c1 = (await post(admin, 'contacts', { last_name: uniq('Merged'), account_id: gone.id })).body;
    await call('contacts', c1.id, 'm1');
    await call('accounts', gone.id, 'm2');
    const r = await admin.post(`/accounts/${keep.id}/merge`, { from: [gone.id] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await listed(admin, keep), ['m1', 'm2']);
    assert.equal((await admin.get(`/accounts/${keep.id}/summary`)).body.activities, 2);
  });

  test('a rep sees a rolled-up activity only when they may read it', async () => {
    const acc = await account('Rollup Visible', { owner_id: u1.id });
    const con = (await post(admin, 'contacts', { last_name: uniq('Seen'), account_id: acc.id, owner_id: u1.id })).body;
    await call('contacts', con.id, 'mine', { owner_id: u1.id });
    const theirs = await call('contacts', con.id, 'theirs', { owner_id: u2.id, start_at: '2099-02-01T09:00:00Z', end_at: '2099-02-01T09:30:00Z' });
    assert.deepEqual(await listed(admin, acc), ['mine', 'theirs']);
    assert.deepEqual(await listed(rep1, acc), ['mine']);
    assert.deepEqual(await onTimeline(rep1, acc), ['mine']);
    const s = (await rep1.get(`/accounts/${acc.id}/summary`)).body;
    assert.deepEqual([s.activities, s.next_activity_at], [1, null]);
    assertProblem(await rep1.get(`/activities/${theirs.id}`), 404);
  });

  test('a role that hides the link sees on the card the activities about the account itself', async () => {
    const key = `hide_link_${Date.now()}`;
    const role = await admin.post('/roles', { key, label: 'No rollup',
      grants: { accounts: { read: 'all' }, contacts: { read: 'all' }, activities: { read: 'all' } },
      field_rules: { activities: { account_id: 'hidden' } } });
    assert.equal(role.status, 201, role.text);
    const user = await createUser(admin, { username: uniq('nolink'), password: 'pw-nolink-12345678', role: key });
    const c = await login(srv.base, user.username, 'pw-nolink-12345678');
    const acc = await account('Rollup Hidden');
    const con = (await post(admin, 'contacts', { last_name: uniq('Hid'), account_id: acc.id })).body;
    await call('accounts', acc.id, 'direct');
    await call('contacts', con.id, 'via contact');
    assert.equal((await c.get(`/accounts/${acc.id}/summary`)).body.activities, 1);
    assert.deepEqual(await onTimeline(c, acc), ['direct']);
    assertProblem(await c.get(`/activities?account_id=${acc.id}`), 400);
  });

  test('a database from before the link gets it at start, once', async () => {
    let srv1 = await startServer({ keepDir: true });
    const { dir } = srv1;
    try {
      const a1 = await loginAdmin(srv1.base);
      const acc = (await post(a1, 'accounts', { name: uniq('Rollup Old') })).body;
      const con = (await post(a1, 'contacts', { last_name: uniq('Old'), account_id: acc.id })).body;
      const deal = await create(a1, 'opportunities', { name: 'Old deal', account_id: acc.id, amount: '1.00' });
      const lead = await create(a1, 'leads', { last_name: uniq('Old lead'), company: uniq('Old Co') });
      const conv = await a1.post(`/leads/${lead.id}/convert?allow_duplicate=true`, { account_id: acc.id });
      assert.equal(conv.status, 200, conv.text);
      const lone = await create(a1, 'leads', { last_name: uniq('Lone lead') });
      const at = { start_at: '2020-03-01T10:00:00Z', end_at: '2020-03-01T10:15:00Z' };
      const acts = [];
      for (const [type, id] of [['accounts', acc.id], ['contacts', con.id], ['opportunities', deal.id], ['leads', lead.id], ['leads', lone.id]]) {
        acts.push(await create(a1, 'activities?allow_conflict=true', { type: 'call', subject: `old ${type}`, related_type: type, related_id: id, ...at }));
      }
      acts.push(await create(a1, 'activities', { type: 'task', subject: 'old task' }));
      const binned = await create(a1, 'activities', { type: 'note', subject: 'old binned', related_type: 'contacts', related_id: con.id });
      assert.equal((await a1.del(`/activities/${binned.id}`)).status, 204);
      await srv1.stop();
      // The database as the previous version left it: activities had no account_id.
      const [cmd, args] = dbShellCommand(dir);
      for (const q of ['DROP INDEX IF EXISTS activities_account_id', 'ALTER TABLE activities DROP COLUMN account_id']) {
        execFileSync(cmd, [...args.filter((a) => a !== '-readonly'), ...(PG ? ['-c', q] : [q])]);
      }
      srv1 = await startServer({ dir, keepDir: true });
      const a2 = await loginAdmin(srv1.base);
      const got = await Promise.all(acts.map(async (a) => (await a2.get(`/activities/${a.id}`)).body));
      assert.deepEqual(got.map((a) => a.account_id), [acc.id, acc.id, acc.id, acc.id, null, null]);
      assert.deepEqual(got.map((a) => a.version), acts.map((a) => a.version), 'filled in, not edited');
      assert.equal((await a2.get(`/accounts/${acc.id}/summary`)).body.activities, 4);
      assert.match(srv1.stderr(), /activities: 5 linked to their customer's account/);
      const back = await a2.post(`/activities/${binned.id}/restore`);
      assert.equal(back.body.account_id, acc.id, 'the recycle bin\'s too');
      await srv1.stop();
      // A second start finds nothing to do.
      srv1 = await startServer({ dir, keepDir: true });
      assert.doesNotMatch(srv1.stderr(), /linked to their customer's account/);
      assert.equal(dbQuery(dir, "SELECT count(*) FROM activities WHERE account_id IS NULL"), '2');
    } finally {
      await srv1.stop();
      dropDb(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
