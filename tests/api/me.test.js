// PATCH /auth/me: a user changes their own name, e-mail, language and password.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, createUser, login, loginAdmin, startServer, uniq } from './helpers.js';

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
});
