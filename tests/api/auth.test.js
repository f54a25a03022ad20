// Authentication: login/logout/me, session cookie, CSRF, login throttling, API tokens.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, login, loginAdmin, createUser, assertProblem, ADMIN_PASSWORD, uniq,
} from './helpers.js';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

describe('login', () => {
  test('admin login answers user + csrf_token and sets a session cookie', async () => {
    const c = new Client(srv.base);
    const r = await c.login('admin', ADMIN_PASSWORD);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    assert.equal(typeof r.body.csrf_token, 'string');
    assert.ok(r.body.csrf_token.length >= 16, 'csrf token is long enough');
    assert.equal(r.body.user.username, 'admin');
    assert.equal(r.body.user.role, 'admin');
    assert.equal(typeof r.body.user.id, 'string');
    assert.ok('display_name' in r.body.user, 'user.display_name present');
    assert.ok(!('password' in r.body.user), 'no password in user');
    assert.ok(!('password_hash' in r.body.user), 'no password_hash in user');
    assert.ok(!/argon2/i.test(r.text), 'no password hash leaked');
    const sc = c.lastSetCookie;
    assert.ok(sc, 'Set-Cookie rapport_session present');
    assert.match(sc, /^rapport_session=[^;]{16,}/);
    assert.match(sc, /;\s*HttpOnly/i);
    assert.match(sc, /;\s*SameSite=Lax/i);
    assert.match(sc, /;\s*Path=\//i);
  });

  test('login always issues a fresh session id (no session fixation)', async () => {
    const c = new Client(srv.base);
    c.cookie = 'rapport_session=attacker-chosen-value-1234567890';
    const r = await c.login('admin', ADMIN_PASSWORD);
    assert.equal(r.status, 200);
    assert.notEqual(c.cookie, 'rapport_session=attacker-chosen-value-1234567890');
    const a = await loginAdmin(srv.base);
    const old = a.cookie;
    await a.login('admin', ADMIN_PASSWORD);
    assert.notEqual(a.cookie, old, 'a second login on a signed-in client rotates the id');
  });

  test('two logins get different sessions and CSRF tokens', async () => {
    const a = await loginAdmin(srv.base);
    const b = await loginAdmin(srv.base);
    assert.notEqual(a.cookie, b.cookie);
    assert.notEqual(a.csrf, b.csrf);
  });

  test('wrong password → 401 problem, no session cookie', async () => {
    const c = new Client(srv.base);
    const r = await c.login('admin', 'not-the-password');
    assertProblem(r, 401);
    assert.equal(c.cookie, null);
    assert.equal(r.body.csrf_token, undefined);
  });

  test('unknown user → 401 (same answer as a wrong password)', async () => {
    const c = new Client(srv.base);
    const r = await c.login('no-such-user-' + uniq(), 'whatever-123');
    assertProblem(r, 401);
    assert.equal(c.cookie, null);
  });

  test('login with a malformed body → 400, non-JSON type → 415', async () => {
    const c = new Client(srv.base);
    assertProblem(await c.post('/auth/login', '{"username":'), 400);
    assertProblem(await c.post('/auth/login', 'username=admin&password=x',
      { contentType: 'application/x-www-form-urlencoded' }), 415);
  });

  test('login with missing password is rejected (400/401/422), never 200', async () => {
    const c = new Client(srv.base);
    const r = await c.post('/auth/login', { username: 'admin' });
    assert.ok([400, 401, 422].includes(r.status), `got ${r.status}`);
    assert.equal(c.cookie, null);
  });
});

describe('me / logout', () => {
  test('GET /auth/me with a session → 200 user', async () => {
    const r = await admin.get('/auth/me');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.user.username, 'admin');
    assert.equal(r.body.user.role, 'admin');
    assert.ok(!('password' in r.body.user));
  });

  test('GET /auth/me without a session → 401 problem', async () => {
    const r = await new Client(srv.base).get('/auth/me');
    assertProblem(r, 401);
  });

  test('a forged session cookie → 401', async () => {
    const c = new Client(srv.base);
    c.cookie = 'rapport_session=' + 'A'.repeat(43);
    assertProblem(await c.get('/auth/me'), 401);
    const tampered = new Client(srv.base);
    tampered.cookie = admin.cookie.slice(0, -2) + (admin.cookie.endsWith('xx') ? 'yy' : 'xx');
    assertProblem(await tampered.get('/auth/me'), 401);
  });

  test('logout → 204; the session no longer works', async () => {
    const c = await loginAdmin(srv.base);
    const oldCookie = c.cookie;
    assert.equal((await c.get('/auth/me')).status, 200);
    const r = await c.post('/auth/logout');
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    // the client may have been told to clear the cookie; replay the old one regardless
    const replay = new Client(srv.base);
    replay.cookie = oldCookie;
    replay.csrf = c.csrf;
    assertProblem(await replay.get('/auth/me'), 401);
    assertProblem(await replay.get('/accounts'), 401);
    assertProblem(await replay.post('/accounts', { name: 'after logout' }), 401);
    // nothing was created
    const list = await admin.get('/accounts?name=' + encodeURIComponent('after logout'));
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 0);
  });

  test('logout does not end the other sessions of the same user', async () => {
    const a = await loginAdmin(srv.base);
    const b = await loginAdmin(srv.base);
    assert.equal((await a.post('/auth/logout')).status, 204);
    assert.equal((await b.get('/auth/me')).status, 200);
  });
});

describe('CSRF', () => {
  test('cookie-authenticated POST without X-CSRF-Token → 403, nothing created', async () => {
    const name = uniq('csrf-none');
    const r = await admin.post('/accounts', { name }, { csrf: false });
    assertProblem(r, 403);
    const l = await admin.get('/accounts?name=' + encodeURIComponent(name));
    assert.equal(l.status, 200);
    assert.equal(l.body.data.length, 0);
  });

  test('wrong X-CSRF-Token → 403', async () => {
    const name = uniq('csrf-bad');
    assertProblem(await admin.post('/accounts', { name }, { csrf: 'not-the-token' }), 403);
    assertProblem(await admin.post('/accounts', { name }, { csrf: '' }), 403);
  });

  test("another session's CSRF token → 403", async () => {
    const other = await loginAdmin(srv.base);
    const name = uniq('csrf-other');
    assertProblem(await admin.post('/accounts', { name }, { csrf: other.csrf }), 403);
  });

  test('PATCH and DELETE without CSRF → 403 and nothing changes', async () => {
    const created = await admin.post('/accounts', { name: uniq('csrf-target') });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    assertProblem(await admin.patch(`/accounts/${id}`, { name: 'changed' }, { csrf: false }), 403);
    assertProblem(await admin.del(`/accounts/${id}`, { csrf: false }), 403);
    const g = await admin.get(`/accounts/${id}`);
    assert.equal(g.status, 200);
    assert.equal(g.body.name, created.body.name);
    assert.equal(g.body.version, 1);
  });

  test('logout without CSRF → 403 and the session keeps working', async () => {
    const c = await loginAdmin(srv.base);
    assertProblem(await c.post('/auth/logout', undefined, { csrf: false }), 403);
    assert.equal((await c.get('/auth/me')).status, 200);
  });

  test('GET needs no CSRF token', async () => {
    const r = await admin.get('/accounts', { csrf: false });
    assert.equal(r.status, 200);
  });

  test('with the right token the POST succeeds', async () => {
    const r = await admin.post('/accounts', { name: uniq('csrf-ok') });
    assert.equal(r.status, 201, r.text);
  });
});

describe('login throttling', () => {
  test('more than 10 failures → 429 with Retry-After, even with the right password', async () => {
    const username = 'throttle-' + Date.now().toString(36);
    const password = 'right-password-1';
    await createUser(admin, { username, password, role: 'sales' });
    const c = new Client(srv.base);
    for (let i = 1; i <= 10; i++) {
      const r = await c.login(username, 'wrong-password-' + i);
      assertProblem(r, 401, `failure #${i}`);
    }
    const eleventh = await c.login(username, 'wrong-password-11');
    assert.ok([401, 429].includes(eleventh.status), `11th attempt: ${eleventh.status}`);
    const r = await c.login(username, 'wrong-password-12');
    assertProblem(r, 429, '12th attempt');
    const ra = r.headers.get('retry-after');
    assert.ok(ra, 'Retry-After header present');
    assert.match(ra, /^\d+$/);
    assert.ok(Number(ra) > 0 && Number(ra) <= 15 * 60, `Retry-After ${ra} within 15 min`);
    const good = await c.login(username, password);
    assertProblem(good, 429, 'right password while throttled');
    assert.ok(good.headers.get('retry-after'));
    assert.equal(c.cookie, null, 'no session while throttled');
  });

  test('parallel failures cannot slip past the limit (atomic counting)', async () => {
    const username = 'race-' + Date.now().toString(36);
    await createUser(admin, { username, password: 'race-password-1', role: 'sales' });
    const rs = await Promise.all([...Array(30).keys()].map((i) =>
      new Client(srv.base).login(username, 'wrong-' + i)));
    const statuses = rs.map((r) => r.status);
    for (const st of statuses) assert.ok([401, 429].includes(st), `status ${st}`);
    const checked = statuses.filter((st) => st === 401).length;
    assert.ok(checked <= 11, `${checked} password checks answered 401 (limit is 10): ${statuses}`);
    assertProblem(await new Client(srv.base).login(username, 'race-password-1'), 429);
  });

  test('throttling one username does not block another', async () => {
    const c = await loginAdmin(srv.base);
    assert.equal((await c.get('/auth/me')).status, 200);
  });
});

describe('API tokens', () => {
  let tok;

  test('POST /tokens → 201 with the secret once', async () => {
    const r = await admin.post('/tokens', { name: 'integration one' });
    assert.equal(r.status, 201, r.text);
    assert.equal(typeof r.body.id, 'string');
    assert.equal(r.body.name, 'integration one');
    assert.equal(typeof r.body.token, 'string');
    assert.ok(r.body.token.length >= 20, 'token is long');
    tok = r.body;
  });

  test('GET /tokens lists it without the secret', async () => {
    const r = await admin.get('/tokens');
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.body.data));
    const t = r.body.data.find((x) => x.id === tok.id);
    assert.ok(t, 'token listed');
    assert.equal(t.name, 'integration one');
    assert.ok('created_at' in t && 'last_used_at' in t && 'revoked_at' in t);
    assert.equal(t.revoked_at, null);
    assert.ok(!('token' in t), 'secret not listed');
    assert.ok(!r.text.includes(tok.token), 'secret not anywhere in the list');
  });

  test('Bearer token authenticates, and needs no CSRF token', async () => {
    const b = new Client(srv.base, { token: tok.token });
    const me = await b.get('/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.username, 'admin');
    const r = await b.post('/accounts', { name: uniq('via-token') });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.created_by, me.body.user.id);
  });

  test('last_used_at is set after use', async () => {
    const r = await admin.get('/tokens');
    const t = r.body.data.find((x) => x.id === tok.id);
    assert.equal(typeof t.last_used_at, 'string');
    assert.match(t.last_used_at, /Z$/);
  });

  test('a wrong or malformed Bearer token → 401', async () => {
    assertProblem(await new Client(srv.base, { token: tok.token + 'x' }).get('/accounts'), 401);
    assertProblem(await new Client(srv.base, { token: 'garbage' }).get('/accounts'), 401);
    const r = await fetch(srv.base + '/api/v1/accounts', { headers: { authorization: 'Basic YWRtaW46eA==' } });
    assert.equal(r.status, 401);
  });

  test('another user does not see my tokens and cannot revoke them', async () => {
    const username = uniq('tok-user');
    await createUser(admin, { username, password: 'password-123', role: 'sales' });
    const u = await login(srv.base, username, 'password-123');
    const l = await u.get('/tokens');
    assert.equal(l.status, 200, l.text);
    assert.ok(!l.body.data.some((x) => x.id === tok.id), 'not listed for another user');
    const d = await u.del(`/tokens/${tok.id}`);
    assert.ok([403, 404].includes(d.status), `got ${d.status}`);
    assert.equal((await new Client(srv.base, { token: tok.token }).get('/auth/me')).status, 200);
  });

  test('DELETE /tokens/{id} → 204; the token then answers 401', async () => {
    const r = await admin.del(`/tokens/${tok.id}`);
    assert.equal(r.status, 204, r.text);
    assertProblem(await new Client(srv.base, { token: tok.token }).get('/auth/me'), 401);
    assertProblem(await new Client(srv.base, { token: tok.token }).post('/accounts', { name: 'x' }), 401);
    const l = await admin.get('/tokens');
    const t = l.body.data.find((x) => x.id === tok.id);
    if (t) assert.equal(typeof t.revoked_at, 'string', 'revoked_at set');
  });

  test('DELETE of an unknown token → 404', async () => {
    assertProblem(await admin.del('/tokens/00000000-0000-7000-8000-000000000000'), 404);
  });

  test('POST /tokens without a name → 422', async () => {
    const r = await admin.post('/tokens', {});
    assertProblem(r, 422);
  });
});
