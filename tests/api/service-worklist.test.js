// The worklist's order from the stored next due time (due_at): the cases with a running
// clock by due time, then those without one (waiting on the customer, no policy) oldest
// first; due_at is the earlier of the two running due times; and cases saved before
// due_at existed get it at the next start.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, loginAdmin, create, dbShellCommand, PG } from './helpers.js';

let srv;
let admin;
before(async () => {
  srv = await startServer({ keepDir: true });
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

const hoursAgo = (h) => new Date(Date.now() - h * 3600e3).toISOString();
const earlier = (a, b) => (a == null ? b : b == null ? a : (a < b ? a : b));

// Runs one writing statement on the database of a stopped server's dir.
function dbWrite(dir, sql) {
  const [cmd, args] = dbShellCommand(dir);
  execFileSync(cmd, [...args.filter((a) => a !== '-readonly'), ...(PG ? ['-c', sql] : [sql])]);
}

describe('worklist order', () => {
  const ids = {};
  test('due_at is the earlier running due time; the queue lists by it, then the unclocked oldest first', async () => {
    const pol = await create(admin, 'sla_policies', { name: 'Round the clock', p1_response: 60, p1_resolution: 240,
      p2_response: 240, p2_resolution: 1440, p3_response: 480, p3_resolution: 2880 });
    const none = await create(admin, 'sla_policies', { name: 'No targets' });
    const queue = await create(admin, 'case_queues', { name: 'Worklist order', match_product: 'worklist-order' });
    const mk = (subject, extra) => create(admin, 'cases', { subject, queue_id: queue.id, sla_policy_id: pol.id, ...extra });
    ids.later = await mk('p3 an hour ago', { priority: 'p3', reported_at: hoursAgo(1) });
    ids.soon = await mk('p1 an hour ago', { priority: 'p1', reported_at: hoursAgo(1) });
    ids.mid = await mk('p2 three hours ago', { priority: 'p2', reported_at: hoursAgo(3) });
    ids.nopolicy = await mk('no targets', { priority: 'p2', sla_policy_id: none.id });
    ids.paused = await mk('waits on the customer', { priority: 'p1' });
    for (const s of ['in_progress', 'waiting_on_customer']) {
      const r = await admin.patch(`/cases/${ids.paused.id}`, { status: s });
      assert.equal(r.status, 200, r.text);
    }
    ids.done = await mk('resolved', { priority: 'p1' });
    for (const s of ['in_progress', 'resolved']) {
      const r = await admin.patch(`/cases/${ids.done.id}`, { status: s, resolution: 'fixed' });
      assert.equal(r.status, 200, r.text);
    }
    for (const k of ['later', 'soon', 'mid']) {
      const x = (await admin.get(`/cases/${ids[k].id}`)).body;
      assert.ok(x.due_at, `${k} has a due time`);
      assert.equal(x.due_at, earlier(x.response_due_at, x.resolution_due_at), k);
    }
    for (const k of ['nopolicy', 'paused', 'done']) {
      assert.equal((await admin.get(`/cases/${ids[k].id}`)).body.due_at ?? null, null, `${k} has none`);
    }
    const w = await admin.get(`/cases/worklist?queue_id=${queue.id}`);
    assert.equal(w.status, 200, w.text);
    assert.deepEqual(w.body.data.map((x) => x.subject),
      ['p1 an hour ago', 'p2 three hours ago', 'p3 an hour ago', 'no targets', 'waits on the customer']);
    ids.queue = queue.id;
  });

  test('cases saved before due_at existed get it at the next start', async () => {
    const { dir } = srv;
    await srv.stop();
    dbWrite(dir, 'UPDATE cases SET due_at = NULL');
    srv = await startServer({ dir, keepDir: false });
    admin = await loginAdmin(srv.base);
    for (const k of ['later', 'soon', 'mid']) {
      const x = (await admin.get(`/cases/${ids[k].id}`)).body;
      assert.equal(x.due_at, earlier(x.response_due_at, x.resolution_due_at), k);
    }
    assert.equal((await admin.get(`/cases/${ids.paused.id}`)).body.due_at ?? null, null);
    const w = await admin.get(`/cases/worklist?queue_id=${ids.queue}`);
    assert.deepEqual(w.body.data.map((x) => x.subject),
      ['p1 an hour ago', 'p2 three hours ago', 'p3 an hour ago', 'no targets', 'waits on the customer']);
  });
});
