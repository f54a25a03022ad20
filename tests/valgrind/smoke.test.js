// A short tour of the API against the release binary running under valgrind
// (make test-valgrind): sign-in, records, lists, search, history, tokens, the security
// log, errors and a clean stop. The server must exit 0 — valgrind's exit code is 99 on
// any memory error or definite leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, create, loginAdmin, rawRequest, startServer } from '../api/helpers.js';

test('API smoke run under valgrind', { timeout: 10 * 60 * 1000 }, async () => {
  const srv = await startServer();
  try {
    const admin = await loginAdmin(srv.base);
    const acct = await create(admin, 'accounts', { name: '北京重要客户有限公司', annual_revenue: '125000.00' });
    const p = await admin.patch(`/accounts/${acct.id}`, { tier: 'A' }, { headers: { 'if-match': '"1"', 'idempotency-key': 'vg-1' } });
    assert.equal(p.status, 200, p.text);
    assert.equal((await admin.get(`/accounts?q=客户&count=true&sort=-annual_revenue`)).body.total, 1);
    assert.equal((await admin.get(`/search?q=重要`)).status, 200);
    assert.equal((await admin.get(`/accounts/${acct.id}/history`)).status, 200);
    assert.equal((await admin.get(`/accounts/${acct.id}/timeline`)).status, 200);
    const t = await admin.post('/tokens', { name: 'vg' });
    assert.equal(t.status, 201);
    assert.equal((await admin.get('/security-events')).status, 200);
    assertProblem(await admin.post('/accounts', '{"name":'), 400);
    assertProblem(await admin.get('/accounts?limit=abc'), 400);
    assert.equal((await admin.del(`/accounts/${acct.id}`)).status, 204);
    assert.equal((await rawRequest(srv.base, 'GET / HTTP/2.0\r\nHost: x\r\n\r\n')).status, 505);
    assert.equal((await admin.get('/metrics', { root: true })).status, 200);
  } finally {
    await srv.stop();
  }
});
