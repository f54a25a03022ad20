// Webhooks and time-based workflow rules with two servers on one PostgreSQL database (run
// by the PostgreSQL pass: bash tests/pg/cluster.sh run …): changes written on either
// server reach the receiver once each and in order per record, whichever server's job
// runner takes the subscription; a time-based rule swept by both servers at once fires
// once per record.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { rmSync } from 'node:fs';
import { startServer, loginAdmin, create, PG, dropDb } from './helpers.js';

const N = 60; // records, each created and updated twice: 180 deliveries

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runJob(admin, kind) {
  const r = await admin.post('/jobs', { kind });
  assert.equal(r.status, 202, r.text);
  await waitFor(async () => ['done', 'failed'].includes((await admin.get(`/jobs/${r.body.id}`)).body.state), 30000, kind);
  const j = await admin.get(`/jobs/${r.body.id}`);
  assert.equal(j.body.state, 'done', j.text);
}

describe('two servers on one PostgreSQL database', { skip: !PG && 'needs RAPPORT_TEST_PG' }, () => {
  let a, b, adminA, adminB, receiver, port;
  const got = []; // [delivery id, record id, version, event, signature ok]
  let secret = '';
  before(async () => {
    receiver = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const [t, v1] = String(req.headers['x-rapport-signature']).split(',').map((p) => p.split('=')[1]);
        const ok = crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex') === v1;
        const doc = JSON.parse(body);
        got.push([req.headers['x-rapport-delivery'], doc.record.id, doc.record.version, doc.event, ok]);
        res.end('ok');
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    port = receiver.address().port;
    a = await startServer({ env: { RAPPORT_JOB_POLL_MS: '20' }, keepDir: true });
    b = await startServer({ env: { RAPPORT_JOB_POLL_MS: '20' }, dir: a.dir, keepDir: true });
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
    const s = await adminA.patch('/automation/settings', { allow_list: '127.0.0.1' });
    assert.equal(s.status, 200, s.text);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    receiver?.close();
    receiver?.closeAllConnections();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test(`changes on both servers reach the receiver once each, in order per record`, async () => {
    const hook = await create(adminA, 'webhooks', { name: 'Two servers', url: `http://127.0.0.1:${port}/h`,
      entity: 'contacts', events: ['created', 'updated'] });
    secret = hook.secret;
    await Promise.all([adminA, adminB].map(async (c, k) => {
      for (let i = k; i < N; i += 2) {
        const con = await create(c, 'contacts', { first_name: 'Pg', last_name: `Twice ${i}` });
        // The updates from the other server: the record's versions cross servers.
        const other = k ? adminA : adminB;
        for (const title of ['one', 'two']) {
          const r = await other.patch(`/contacts/${con.id}`, { title });
          assert.equal(r.status, 200, r.text);
        }
      }
    }));
    await waitFor(() => got.length >= 3 * N, 60000, 'every delivery');
    await new Promise((r) => setTimeout(r, 500)); // nothing more comes
    assert.equal(got.length, 3 * N);
    assert.equal(new Set(got.map((g) => g[0])).size, 3 * N, 'no delivery twice');
    assert.ok(got.every((g) => g[4]), 'every signature verifies');
    const versions = new Map();
    for (const [, id, version, event] of got) {
      const seen = versions.get(id) || [];
      seen.push(version);
      versions.set(id, seen);
      assert.equal(event, version === 1 ? 'created' : 'updated');
    }
    assert.equal(versions.size, N);
    for (const [id, v] of versions) assert.deepEqual(v, [1, 2, 3], `record ${id} in order`);
    const log = await adminB.get(`/webhook_deliveries?webhook_id=${hook.id}&status=delivered&count=true&limit=1`);
    assert.equal(log.body.total, 3 * N);
  });

  test('a time-based rule swept by both servers at once fires once per record', async () => {
    const rule = await create(adminA, 'workflows', { name: 'Due in five', entity: 'activities', trigger: 'date',
      trigger_field: 'due_at', offset_amount: 5, offset_unit: 'minutes', offset_direction: 'before',
      actions: [{ type: 'notify', message: '{{subject}} is due soon' }] });
    const due = new Date(Date.now() + 5 * 60000 + 1500).toISOString();
    const ids = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await create(i % 2 ? adminA : adminB, 'activities', { type: 'task', subject: `Twice due ${i}`,
        status: 'planned', priority: 'normal', due_at: due })).id);
    }
    await new Promise((r) => setTimeout(r, 2500));
    // Both servers sweep, three times each, at the same moments.
    for (let k = 0; k < 3; k++) await Promise.all([runJob(adminA, 'workflows.timed'), runJob(adminB, 'workflows.timed')]);
    const runs = await adminA.get(`/workflow_runs?workflow_id=${rule.id}&limit=100`);
    assert.equal(runs.status, 200, runs.text);
    assert.deepEqual(runs.body.data.map((r) => r.record_id).sort(), [...ids].sort(), 'each record once');
    assert.ok(runs.body.data.every((r) => r.status === 'done'), runs.text);
    const w = await adminB.get(`/workflows/${rule.id}`);
    assert.equal(w.body.runs, 20);
  });
});
