// PATCH /auth/me: a user changes their own name, e-mail, language and password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertProblem, createUser, login, loginAdmin, startServer, uniq } from './helpers.js';

describe('self-service profile', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('a sales user changes their own language and display name', async () => {
    const name = uniq('me');
    const u = await createUser(admin, { username: name, role: 'sales' });
    const me = await login(srv.base, name, 'password-123');
    const r = await me.patch('/auth/me', { locale: 'zh-CN', display_name: '王小明' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.locale, 'zh-CN');
    assert.equal(r.body.display_name, '王小明');
    assert.equal(r.body.role, 'sales');
    assert.ok(!('password' in r.body));
    const who = await me.get('/auth/me');
    assert.equal(who.body.user.locale, 'zh-CN');
    const h = await admin.get(`/users/${u.id}/history`);
    const row = h.body.data.find((x) => x.field === 'locale');
    assert.equal(row.user_id, u.id, 'the change is audited as the user');
    assert.equal(row.new, 'zh-CN');
  });

  test('role, active and username cannot be changed here; nothing changes', async () => {
    const name = uniq('me');
    await createUser(admin, { username: name, role: 'sales' });
    const me = await login(srv.base, name, 'password-123');
    const r = await me.patch('/auth/me', { role: 'admin', locale: 'zh-CN' });
    const p = assertProblem(r, 422);
    assert.ok(p.errors.some((e) => e.field === 'role'));
    const who = await me.get('/auth/me');
    assert.equal(who.body.user.role, 'sales');
    assert.equal(who.body.user.locale, 'en');
  });

  test('a new password needs the current one; other sessions end, this one stays', async () => {
    const name = uniq('me');
    await createUser(admin, { username: name, role: 'sales' });
    const me = await login(srv.base, name, 'password-123');
    const other = await login(srv.base, name, 'password-123');
    assertProblem(await me.patch('/auth/me', { password: 'new-password-456' }), 422);
    const wrong = await me.patch('/auth/me', { password: 'new-password-456', current_password: 'nope-nope' });
    assert.ok(assertProblem(wrong, 422).errors.some((e) => e.field === 'current_password'));
    assert.equal((await other.get('/auth/me')).status, 200, 'failed attempts change nothing');
    const ok = await me.patch('/auth/me', { password: 'new-password-456', current_password: 'password-123' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await me.get('/auth/me')).status, 200, 'the changing session stays signed in');
    assert.equal((await other.get('/auth/me')).status, 401, 'other sessions are signed out');
    await login(srv.base, name, 'new-password-456');
  });

  // A stolen token must not outlive its revocation: it can neither mint another token
  // nor change the password, and a new password ends every token unless kept.
  test('an API token can neither create tokens nor change the password', async () => {
    const name = uniq('me');
    const u = await createUser(admin, { username: name, role: 'sales' });
    const me = await login(srv.base, name, 'password-123');
    const tok = (await me.post('/tokens', { name: 'integration' })).body;
    const bearer = new Client(srv.base, { token: tok.token });
    assert.equal((await bearer.get('/auth/me')).status, 200);
    assertProblem(await bearer.post('/tokens', { name: 'second' }), 403);
    assert.equal((await me.get('/tokens')).body.data.length, 1, 'no token was minted');
    assertProblem(await bearer.patch('/auth/me', { password: 'new-password-456', current_password: 'password-123' }), 403);
    await login(srv.base, name, 'password-123'); // the password is unchanged
    // What a token may still do for itself: its profile and revoking.
    assert.equal((await bearer.patch('/auth/me', { locale: 'zh-CN' })).status, 200);
    const h = (await admin.get(`/users/${u.id}/history`)).body.data;
    assert.ok(!h.some((x) => x.field === 'password' && x.action === 'update'), 'no password change in the history');
  });

  test('a new password revokes the user\'s API tokens, unless keep_tokens', async () => {
    const name = uniq('me');
    const u = await createUser(admin, { username: name, role: 'sales' });
    const me = await login(srv.base, name, 'password-123');
    const t1 = (await me.post('/tokens', { name: 'one' })).body;
    const t2 = (await me.post('/tokens', { name: 'two' })).body;
    assertProblem(await me.patch('/auth/me', { password: 'new-password-456', current_password: 'password-123', keep_tokens: 'yes' }), 422);
    const kept = await me.patch('/auth/me', { password: 'new-password-456', current_password: 'password-123', keep_tokens: true });
    assert.equal(kept.status, 200, kept.text);
    assert.equal((await new Client(srv.base, { token: t1.token }).get('/auth/me')).status, 200, 'kept');
    const ok = await me.patch('/auth/me', { password: 'new-password-789', current_password: 'new-password-456' });
    assert.equal(ok.status, 200, ok.text);
    for (const t of [t1, t2]) {
      assertProblem(await new Client(srv.base, { token: t.token }).get('/auth/me'), 401);
    }
    const list = (await me.get('/tokens')).body.data;
    assert.ok(list.every((t) => typeof t.revoked_at === 'string'), JSON.stringify(list));
    const ev = (await admin.get('/security-events?action=token_revoke')).body.data;
    assert.ok(ev.some((e) => e.object_id === u.id && e.actor_id === u.id && /password change/.test(e.detail)), JSON.stringify(ev));
  });

  test('an administrator setting a user\'s password revokes that user\'s tokens', async () => {
    const name = uniq('me');
    const u = await createUser(admin, { username: name, role: 'sales' });
    const me = await login(srv.base, name, 'password-123');
    const t = (await me.post('/tokens', { name: 'one' })).body;
    assert.equal((await admin.patch(`/users/${u.id}`, { password: 'reset-password-123' })).status, 200);
    assertProblem(await new Client(srv.base, { token: t.token }).get('/auth/me'), 401);
  });
});
