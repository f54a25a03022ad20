// Operations: health, metrics, concurrency (no lost updates), durability across a
// restart, graceful shutdown.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, login, loginAdmin, create, createUser, assertProblem, ADMIN_PASSWORD,
} from './helpers.js';

let srv;
let admin;

before(async () => {
  srv = await startServer({ keepDir: true });
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

function metricValue(text, name, labels = null) {
  let total = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:\\.|[^"\\])*")*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    if (labels && !labels.every((l) => (m[2] || '').includes(l))) continue;
    total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

describe('health and metrics', () => {
  test('GET /healthz → 200 {"status":"ok"} without auth', async () => {
    const r = await fetch(srv.base + '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await r.json(), { status: 'ok' });
  });

  test('HEAD /healthz → 200 without a body (HEAD is supported wherever GET is)', async () => {
    const r = await fetch(srv.base + '/healthz', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), '');
  });

  test('GET /metrics is Prometheus text with the documented metrics', async () => {
    const r = await fetch(srv.base + '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain/);
    const text = await r.text();
    for (const name of ['rapport_http_requests_total', 'rapport_db_size_bytes', 'rapport_active_sessions']) {
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'), `# TYPE ${name}`);
      assert.ok(metricValue(text, name) !== null, `${name} has a sample`);
    }
    assert.match(text, /^# TYPE rapport_http_requests_total counter$/m);
    assert.ok(metricValue(text, 'rapport_db_size_bytes') > 0, 'db size > 0');
    assert.ok(metricValue(text, 'rapport_active_sessions') >= 1, 'admin session counted');
    // every non-comment line is a valid sample
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?\d+)?$/, line);
    }
    assert.ok(text.endsWith('\n'));
  });

  test('the database metrics: backend, the server written to, replica lag and counters', async () => {
    const text = await (await fetch(srv.base + '/metrics')).text();
    const pg = !!process.env.RAPPORT_TEST_PG;
    // SQLite: no servers to name; PostgreSQL (make pg-test): the socket directory and port.
    assert.match(text, pg ? /^rapport_db_info\{backend="postgres",writes_to="\/[^"]+:\d+",reads_from=""\} 1$/m
      : /^rapport_db_info\{backend="sqlite",writes_to="",reads_from=""\} 1$/m);
    assert.equal(metricValue(text, 'rapport_db_replica_lag_bytes'), -1, 'no replica');
    for (const name of ['rapport_db_reconnects_total', 'rapport_db_unavailable_total',
      'rapport_db_replica_reads_total', 'rapport_db_replica_fallbacks_total']) {
      assert.match(text, new RegExp(`^# TYPE ${name} counter$`, 'm'));
      assert.equal(metricValue(text, name), 0, name);
    }
  });

  test('GET /system/status: the same figures as JSON, for administrators only', async () => {
    const r = await admin.get('/system/status');
    assert.equal(r.status, 200, r.text);
    const pg = !!process.env.RAPPORT_TEST_PG;
    assert.equal(r.body.backend, pg ? 'postgres' : 'sqlite');
    assert.ok(r.body.db_bytes > 0);
    assert.ok(r.body.active_sessions >= 1);
    if (pg) assert.match(r.body.writes_to, /^\/.+:\d+$/);
    else assert.equal(r.body.writes_to, null);
    assert.equal(r.body.reads_from, null);
    assert.equal(r.body.replica_lag_bytes, null);
    for (const k of ['reconnects', 'unavailable', 'replica_reads', 'replica_fallbacks']) assert.equal(r.body[k], 0, k);
    await createUser(admin, { username: 'status-sales', password: 'status-pass-123', role: 'sales' });
    const sales = await login(srv.base, 'status-sales', 'status-pass-123');
    assertProblem(await sales.get('/system/status'), 403, 'only administrators see the system status');
    assertProblem(await new Client(srv.base).get('/system/status'), 401);
  });

  test('serve refuses a read replica it cannot use, and a staleness bound out of range', async () => {
    const pgUrl = 'postgres://127.0.0.1:1/rapport';
    if (!process.env.RAPPORT_TEST_PG) {
      await assert.rejects(startServer({ args: ['--db-read', pgUrl] }),
        /--db-read needs PostgreSQL: --db and --db-read both postgres/);
    }
    for (const bad of ['5', '3600001', 'soon']) {
      await assert.rejects(startServer({ args: ['--db-read', pgUrl, '--db-read-max-lag', bad] }),
        /--db-read-max-lag takes milliseconds, from 10 to 3600000/);
    }
  });

  test('request counter grows; session gauge follows logins and logouts', async () => {
    const m1 = await (await fetch(srv.base + '/metrics')).text();
    for (let i = 0; i < 5; i++) await admin.get('/accounts');
    const c = await loginAdmin(srv.base);
    const m2 = await (await fetch(srv.base + '/metrics')).text();
    const before0 = metricValue(m1, 'rapport_http_requests_total');
    const after0 = metricValue(m2, 'rapport_http_requests_total');
    assert.ok(after0 >= before0 + 6, `requests_total ${before0} → ${after0}\n${m1}\n----\n${m2}`);
    assert.equal(metricValue(m2, 'rapport_active_sessions'), metricValue(m1, 'rapport_active_sessions') + 1);
    assert.equal((await c.post('/auth/logout')).status, 204);
    const m3 = await (await fetch(srv.base + '/metrics')).text();
    assert.equal(metricValue(m3, 'rapport_active_sessions'), metricValue(m1, 'rapport_active_sessions'));
  });

  test('metrics do not leak secrets', async () => {
    const text = await (await fetch(srv.base + '/metrics')).text();
    assert.ok(!text.includes(ADMIN_PASSWORD));
    assert.ok(!text.includes(admin.cookie.split('=')[1]));
  });
});

describe('concurrency', () => {
  test('50 parallel creates all succeed with distinct ids', async () => {
    const rs = await Promise.all([...Array(50).keys()].map((i) =>
      admin.post('/accounts', { name: `Parallel ${String(i).padStart(2, '0')}`, billing_city: 'ParCity', annual_revenue: '0.01' })));
    for (const r of rs) assert.equal(r.status, 201, r.text);
    assert.equal(new Set(rs.map((r) => r.body.id)).size, 50);
    const l = await admin.get('/accounts?billing_city=ParCity&count=true&sum=annual_revenue');
    assert.equal(l.body.total, 50);
    assert.equal(l.body.sum.annual_revenue, '0.50');
  });

  test('parallel PATCHes with the same If-Match: exactly one wins, the rest 412', async () => {
    const a = await create(admin, 'accounts', { name: 'Contended' });
    const rs = await Promise.all([...Array(12).keys()].map((i) =>
      admin.patch(`/accounts/${a.id}`, { description: `writer ${i}` }, { headers: { 'if-match': '"1"' } })));
    const ok = rs.filter((r) => r.status === 200);
    const stale = rs.filter((r) => r.status === 412);
    assert.equal(ok.length, 1, `winners: ${rs.map((r) => r.status)}`);
    assert.equal(stale.length, 11, `412s: ${rs.map((r) => r.status)}`);
    const g = await admin.get(`/accounts/${a.id}`);
    assert.equal(g.body.version, 2);
    assert.equal(g.body.description, ok[0].body.description);
  });

  test('parallel PATCHes without If-Match each bump the version once', async () => {
    const a = await create(admin, 'accounts', { name: 'Counter' });
    const rs = await Promise.all([...Array(10).keys()].map((i) =>
      admin.patch(`/accounts/${a.id}`, { description: `w${i}` })));
    for (const r of rs) assert.equal(r.status, 200, r.text);
    assert.deepEqual(rs.map((r) => r.body.version).sort((x, y) => x - y), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const h = await admin.get(`/accounts/${a.id}/history`);
    assert.equal(h.body.data.filter((e) => e.action === 'update').length, 10);
  });
});

describe('durability', () => {
  test('data, sessions and tokens survive a restart; the admin password is not reset', async () => {
    const a = await create(admin, 'accounts', { name: 'Survivor 北京', annual_revenue: '42.42' });
    const t = await admin.post('/tokens', { name: 'survivor' });
    assert.equal(t.status, 201);
    const pw = await admin.patch(`/users/${admin.user.id}`, { password: 'changed-admin-pass' });
    assert.equal(pw.status, 200, pw.text);
    const sess = await login(srv.base, 'admin', 'changed-admin-pass');
    const { dir } = srv;
    await srv.stop(); // asserts exit code 0 after SIGTERM
    srv = await startServer({ dir, keepDir: false });
    // admin password from the environment is only for the first start
    assertProblem(await new Client(srv.base).login('admin', ADMIN_PASSWORD), 401);
    const again = await login(srv.base, 'admin', 'changed-admin-pass');
    const g = await again.get(`/accounts/${a.id}`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.name, 'Survivor 北京');
    assert.equal(g.body.annual_revenue, '42.42');
    const tc = new Client(srv.base, { token: t.body.token });
    assert.equal((await tc.get(`/accounts/${a.id}`)).status, 200, 'token survives');
    sess.base = srv.base;
    assert.equal((await sess.get('/auth/me')).status, 200, 'session survives (stored in the database)');
  });
});
