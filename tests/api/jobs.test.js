// Background jobs: administrators queue known kinds; the server's runner claims and
// runs them (tests/pg/scaleout.test.js shows exactly-once with two servers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, createUser, login, loginAdmin, startServer } from './helpers.js';

describe('jobs', () => {
  let srv, admin;
  before(async () => {
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '50' } });
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv?.stop(); });

  test('a queued retier job runs once and records its result', async () => {
    const r = await admin.post('/jobs', { kind: 'accounts.retier', payload: '30' });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.kind, 'accounts.retier');
    assert.ok(['queued', 'running', 'done'].includes(r.body.state));
    let j = r.body;
    for (let i = 0; i < 600 && (j.state === 'queued' || j.state === 'running'); i++) {
      await new Promise((res) => setTimeout(res, 50));
      j = (await admin.get(`/jobs/${r.body.id}`)).body;
    }
    assert.equal(j.state, 'done', JSON.stringify(j));
    assert.equal(j.attempts, 1);
    assert.equal(JSON.parse(j.result).window_days, 30);
    assert.match(j.claimed_by, /:\d+$/);
  });

  test('bad jobs are refused and nothing is queued', async () => {
    assertProblem(await admin.post('/jobs', { kind: 'rm -rf' }), 400);
    assertProblem(await admin.post('/jobs', { kind: 'accounts.retier', payload: 'soon' }), 400);
    assertProblem(await admin.post('/jobs', { kind: 'accounts.retier', payload: '0' }), 400);
    assertProblem(await admin.post('/jobs', { payload: '30' }), 422);
    assertProblem(await admin.get('/jobs/not-an-id'), 404);
    assertProblem(await admin.get('/jobs/0190a0b0-0000-7000-8000-000000000000'), 404);
  });

  test('only administrators queue and read jobs', async () => {
    const queued = await admin.post('/jobs', { kind: 'accounts.retier' });
    await createUser(admin, { username: 'jobs-sales', password: 'password-123' });
    const sales = await login(srv.base, 'jobs-sales', 'password-123');
    assertProblem(await sales.post('/jobs', { kind: 'accounts.retier' }), 403);
    assertProblem(await sales.get(`/jobs/${queued.body.id}`), 403);
  });
});
