// Several servers, one database: two `rapport serve` processes on one PostgreSQL
// database share sessions, never lose an update under concurrent If-Match PATCHes,
// and run each background job exactly once. Runs in the PostgreSQL pass (make pg-test).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Client, PG, create, dropDb, loginAdmin, startServer } from '../api/helpers.js';

const POLL = { RAPPORT_JOB_POLL_MS: '50' };

describe('two servers on one PostgreSQL database', { skip: !PG && 'needs RAPPORT_TEST_PG' }, () => {
  let a, b, adminA, adminB;
  before(async () => {
    a = await startServer({ env: POLL, keepDir: true });
    b = await startServer({ env: POLL, dir: a.dir, keepDir: true }); // same db-url
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test('a session created on one server is valid on the other, and so is its logout', async () => {
    const viaB = new Client(b.base);
    viaB.cookie = adminA.cookie;
    viaB.csrf = adminA.csrf;
    const me = await viaB.get('/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.username, 'admin');
    const made = await viaB.post('/accounts', { name: 'Made on B with A\'s session' });
    assert.equal(made.status, 201, made.text);
    assert.equal((await adminA.get(`/accounts/${made.body.id}`)).status, 200);
    assert.equal((await viaB.post('/auth/logout')).status, 204);
    assert.equal((await adminA.get('/auth/me')).status, 401, 'signed out everywhere');
    adminA = await loginAdmin(a.base);
  });

  test('concurrent If-Match PATCHes through both servers: exactly one wins each version', async () => {
    const acc = await create(adminA, 'accounts', { name: 'Contended' });
    const tries = 12;
    const res = await Promise.all(Array.from({ length: tries }, (_, i) =>
      (i % 2 ? adminA : adminB).patch(`/accounts/${acc.id}`, { billing_city: `City ${i}` },
        { headers: { 'if-match': `"${acc.version}"` } })));
    const won = res.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `statuses: ${res.map((r) => r.status)}`);
    assert.ok(res.every((r) => r.status === 200 || r.status === 412), `statuses: ${res.map((r) => r.status)}`);
    const g = await adminB.get(`/accounts/${acc.id}`);
    assert.equal(g.body.version, acc.version + 1);
    assert.equal(g.body.billing_city, won[0].body.billing_city);
  });

  test('read-modify-write loops on both servers lose no update', async () => {
    const acc = await create(adminA, 'accounts', { name: 'Counter', description: '' });
    const writers = 6, rounds = 4;
    async function writer(w) {
      const client = w % 2 ? adminA : adminB;
      for (let r = 0; r < rounds; r++) {
        for (;;) {
          const g = await client.get(`/accounts/${acc.id}`);
          const p = await client.patch(`/accounts/${acc.id}`,
            { description: `${g.body.description ?? ''} w${w}r${r}` },
            { headers: { 'if-match': g.headers.get('etag') } });
          if (p.status === 200) break;
          assert.equal(p.status, 412, p.text);
        }
      }
    }
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    const g = await adminA.get(`/accounts/${acc.id}`);
    assert.equal(g.body.version, acc.version + writers * rounds);
    for (let w = 0; w < writers; w++)
      for (let r = 0; r < rounds; r++)
        assert.ok(g.body.description.includes(` w${w}r${r}`), `lost update w${w}r${r}`);
  });

  test('each job is processed exactly once by one of the servers', async () => {
    const ids = [];
    for (let i = 0; i < 30; i++) {
      const r = await (i % 2 ? adminA : adminB).post('/jobs', { kind: 'accounts.retier', payload: '365' });
      assert.equal(r.status, 202, r.text);
      ids.push(r.body.id);
    }
    const deadline = Date.now() + 120000;
    const done = new Map();
    while (done.size < ids.length) {
      assert.ok(Date.now() < deadline, `jobs still pending: ${ids.length - done.size}`);
      for (const id of ids) {
        if (done.has(id)) continue;
        const g = await adminA.get(`/jobs/${id}`);
        assert.equal(g.status, 200, g.text);
        if (g.body.state !== 'queued' && g.body.state !== 'running') done.set(id, g.body);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const workers = new Set();
    for (const j of done.values()) {
      assert.equal(j.state, 'done', JSON.stringify(j));
      assert.equal(j.attempts, 1, `claimed more than once: ${JSON.stringify(j)}`);
      assert.match(j.result, /"window_days":365/);
      workers.add(j.claimed_by);
    }
    assert.ok(workers.size >= 1 && workers.size <= 2, [...workers].join(', '));
  });
});
