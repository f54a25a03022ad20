// Users and teams administration: create, validation, passwords, deactivation,
// transfer of ownership.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, login, loginAdmin, createUser, createTeam, create, assertProblem, UUID_RE,
} from './helpers.js';

let srv;
let admin;
let team;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  team = await createTeam(admin, 'Sales EMEA');
});
after(async () => { await srv?.stop(); });

function noSecrets(text, ...secrets) {
  assert.ok(!/password_hash|argon2/i.test(text), 'no password hash in response');
  for (const s of secrets) assert.ok(!text.includes(s), `secret ${s} not in response`);
}

describe('create users', () => {
  test('admin creates a user; password is never returned', async () => {
    const r = await admin.post('/users', {
      username: 'alice', password: 'alice-secret-1', role: 'sales', team_ids: [team.id],
      display_name: 'Alice A.', email: 'alice@example.com', locale: 'zh-CN',
    });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.id, UUID_RE);
    assert.equal(r.body.username, 'alice');
    assert.equal(r.body.role, 'sales');
    assert.deepEqual(r.body.team_ids, [team.id]);
    assert.equal(r.body.active, true);
    assert.equal(r.body.locale, 'zh-CN');
    assert.equal(r.body.version, 1);
    assert.ok(!('password' in r.body));
    noSecrets(r.text, 'alice-secret-1');
    const g = await admin.get(`/users/${r.body.id}`);
    assert.equal(g.status, 200);
    noSecrets(g.text, 'alice-secret-1');
    const l = await admin.get('/users?limit=500');
    noSecrets(l.text, 'alice-secret-1');
    const h = await admin.get(`/users/${r.body.id}/history`);
    assert.equal(h.status, 200, h.text);
    noSecrets(h.text, 'alice-secret-1');
    const c = await login(srv.base, 'alice', 'alice-secret-1');
    assert.equal(c.user.id, r.body.id);
    assert.equal(c.user.display_name, 'Alice A.');
  });

  test('defaults: active true, locale en, team_ids always an array', async () => {
    const r = await admin.post('/users', { username: 'bob', password: 'bob-pass-123', role: 'support' });
    assert.equal(r.status, 201, r.text);
    const u = r.body;
    assert.equal(u.active, true);
    assert.equal(u.locale, 'en');
    assert.deepEqual(u.team_ids, []);
    const me = await admin.get(`/users/${admin.user.id}`);
    assert.ok(Array.isArray(me.body.team_ids), `admin team_ids: ${JSON.stringify(me.body.team_ids)}`);
  });

  test('validation: short password, bad role, bad locale, unknown team, missing username → 422', async () => {
    const cases = [
      [{ username: 'shorty', password: 'short', role: 'sales' }, 'password'],
      [{ username: 'shorty', password: '1234567', role: 'sales' }, 'password'],
      [{ username: 'roley', password: 'password-123', role: 'superuser' }, 'role'],
      [{ username: 'locy', password: 'password-123', role: 'sales', locale: 'fr' }, 'locale'],
      [{ username: 'teamy', password: 'password-123', role: 'sales', team_ids: ['00000000-0000-7000-8000-000000000000'] }, 'team_ids'],
      [{ username: 'teamy2', password: 'password-123', role: 'sales', team_ids: 'not-an-array' }, 'team_ids'],
      [{ password: 'password-123', role: 'sales' }, 'username'],
      [{ username: 'activey', password: 'password-123', role: 'sales', active: 'yes' }, 'active'],
    ];
    for (const [body, field] of cases) {
      const p = assertProblem(await admin.post('/users', body), 422, JSON.stringify(body));
      assert.ok(p.errors.some((e) => e.field === field), `${field} in ${JSON.stringify(p.errors)}`);
    }
    const l = await admin.get('/users?username[in]=shorty,roley,locy,teamy,teamy2,activey&count=true');
    assert.equal(l.body.total, 0, 'nothing created');
  });

  test('password policy: 12 to 128 characters (not bytes), common passwords refused', async () => {
    const refused = ['eleven-char', 'x'.repeat(129), 'Password1234', 'qwertyuiop123', 'aaaaaaaaaaaaaa',
      '我的密码是很长的一句'];
    for (const password of refused) {
      const p = assertProblem(await admin.post('/users', { username: 'weak', password, role: 'sales' }), 422, password);
      assert.ok(p.errors.some((e) => e.field === 'password'), JSON.stringify(p.errors));
    }
    assert.equal((await admin.get('/users?username=weak&count=true')).body.total, 0);
    for (const [username, password] of [['twelve', 'amber-violet'], ['long', 'y'.repeat(127) + 'z'],
      ['zh', '我的密码是很长的一句话啊']]) {
      const u = await createUser(admin, { username, password });
      assert.equal(u.username, username);
      await login(srv.base, username, password);
    }
  });

  test('duplicate username → 409 or 422', async () => {
    const r = await admin.post('/users', { username: 'alice', password: 'another-pass-1', role: 'sales' });
    assert.ok([409, 422].includes(r.status), `got ${r.status}`);
    assert.match(r.headers.get('content-type'), /problem\+json/);
    const l = await admin.get('/users?username=alice&count=true');
    assert.equal(l.body.total, 1);
  });

  test('non-admins cannot create users or teams (403)', async () => {
    await createUser(admin, { username: 'mgr', password: 'manager-pass-1', role: 'manager', team_ids: [team.id] });
    const m = await login(srv.base, 'mgr', 'manager-pass-1');
    const s = await login(srv.base, 'alice', 'alice-secret-1');
    for (const c of [m, s]) {
      assertProblem(await c.post('/users', { username: 'evil', password: 'evil-pass-123', role: 'admin' }), 403);
      assertProblem(await c.post('/teams', { name: 'Evil team' }), 403);
    }
    const l = await admin.get('/users?username=evil&count=true');
    assert.equal(l.body.total, 0);
  });

  test('a non-admin cannot make themselves admin', async () => {
    const s = await login(srv.base, 'alice', 'alice-secret-1');
    const r = await s.patch(`/users/${s.user.id}`, { role: 'admin' });
    assert.ok([403, 404].includes(r.status), `got ${r.status}`);
    assert.equal((await admin.get(`/users/${s.user.id}`)).body.role, 'sales');
    const me = await s.get('/auth/me');
    assert.equal(me.body.user.role, 'sales');
  });

  test('users cannot be deleted (405)', async () => {
    const u = await createUser(admin, { username: 'undeletable' });
    const r = await admin.del(`/users/${u.id}`);
    assertProblem(r, 405);
    assert.equal((await admin.get(`/users/${u.id}`)).status, 200);
  });
});

describe('passwords and deactivation', () => {
  test('changing the password: new works, old does not', async () => {
    const u = await createUser(admin, { username: 'carol', password: 'carol-old-pass' });
    const r = await admin.patch(`/users/${u.id}`, { password: 'carol-new-pass' });
    assert.equal(r.status, 200, r.text);
    noSecrets(r.text, 'carol-new-pass', 'carol-old-pass');
    assertProblem(await new Client(srv.base).login('carol', 'carol-old-pass'), 401);
    await login(srv.base, 'carol', 'carol-new-pass');
    const h = await admin.get(`/users/${u.id}/history`);
    noSecrets(h.text, 'carol-new-pass', 'carol-old-pass');
    assertProblem(await admin.patch(`/users/${u.id}`, { password: 'short' }), 422);
    await login(srv.base, 'carol', 'carol-new-pass');
  });

  test('active:false revokes sessions and tokens, and blocks login', async () => {
    const u = await createUser(admin, { username: 'dave', password: 'dave-pass-123' });
    const s1 = await login(srv.base, 'dave', 'dave-pass-123');
    const s2 = await login(srv.base, 'dave', 'dave-pass-123');
    const t = await s1.post('/tokens', { name: 'dave token' });
    assert.equal(t.status, 201, t.text);
    const tc = new Client(srv.base, { token: t.body.token });
    assert.equal((await tc.get('/auth/me')).status, 200);
    const kept = await create(s1, 'accounts', { name: 'Dave keeps this' });
    const r = await admin.patch(`/users/${u.id}`, { active: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.active, false);
    assertProblem(await s1.get('/auth/me'), 401);
    assertProblem(await s2.get('/accounts'), 401);
    assertProblem(await s2.post('/accounts', { name: 'by inactive' }), 401);
    assertProblem(await tc.get('/auth/me'), 401);
    assertProblem(await tc.post('/accounts', { name: 'by inactive token' }), 401);
    assertProblem(await new Client(srv.base).login('dave', 'dave-pass-123'), 401);
    const g = await admin.get(`/accounts/${kept.id}`);
    assert.equal(g.status, 200, 'records of a deactivated user are kept');
    assert.equal(g.body.owner_id, u.id);
    // reactivating allows a fresh login, but the revoked sessions/tokens stay dead
    const re = await admin.patch(`/users/${u.id}`, { active: true });
    assert.equal(re.status, 200, re.text);
    await login(srv.base, 'dave', 'dave-pass-123');
    assertProblem(await s1.get('/auth/me'), 401);
    assertProblem(await tc.get('/auth/me'), 401);
  });
});

describe('transfer', () => {
  let from;
  let to;
  let recs;
  before(async () => {
    from = await createUser(admin, { username: 'leaver', password: 'leaver-pass-1', team_ids: [team.id] });
    to = await createUser(admin, { username: 'heir', password: 'heir-pass-123', team_ids: [team.id] });
    const c = await login(srv.base, 'leaver', 'leaver-pass-1');
    recs = [];
    for (let i = 0; i < 3; i++) recs.push(['accounts', await create(c, 'accounts', { name: `Leaver account ${i}` })]);
    recs.push(['contacts', await create(c, 'contacts', { last_name: 'Leaver contact' })]);
    const gone = await create(c, 'accounts', { name: 'Leaver deleted account' });
    assert.equal((await c.del(`/accounts/${gone.id}`)).status, 204);
  });

  test('non-admin transfer → 403, nothing moves', async () => {
    const m = await login(srv.base, 'mgr', 'manager-pass-1');
    assertProblem(await m.post(`/users/${from.id}/transfer`, { to_user_id: to.id }), 403);
    for (const [res, rec] of recs) assert.equal((await admin.get(`/${res}/${rec.id}`)).body.owner_id, from.id);
  });

  test('transfer to an unknown user → 404 or 422, nothing moves', async () => {
    const r = await admin.post(`/users/${from.id}/transfer`, { to_user_id: '00000000-0000-7000-8000-000000000000' });
    assert.ok([404, 422].includes(r.status), `got ${r.status}`);
    const r2 = await admin.post(`/users/${from.id}/transfer`, {});
    assertProblem(r2, 422);
    for (const [res, rec] of recs) assert.equal((await admin.get(`/${res}/${rec.id}`)).body.owner_id, from.id);
  });

  test('admin transfer moves every record and records history "transfer"', async () => {
    const r = await admin.post(`/users/${from.id}/transfer`, { to_user_id: to.id });
    assert.ok([200, 204].includes(r.status), `${r.status} ${r.text}`);
    for (const [res, rec] of recs) {
      const g = await admin.get(`/${res}/${rec.id}`);
      assert.equal(g.body.owner_id, to.id, `${res} ${rec.id} moved`);
      assert.equal(g.body.version, rec.version + 1, 'version bumped');
      const h = await admin.get(`/${res}/${rec.id}/history`);
      const e = h.body.data[0];
      assert.equal(e.action, 'transfer');
      assert.equal(e.field, 'owner_id');
      assert.equal(e.old, from.id);
      assert.equal(e.new, to.id);
      assert.equal(e.user_id, admin.user.id);
    }
    const left = await admin.get(`/accounts?owner_id=${from.id}&count=true`);
    assert.equal(left.body.total, 0);
    const leftC = await admin.get(`/contacts?owner_id=${from.id}&count=true`);
    assert.equal(leftC.body.total, 0);
    const bin = await admin.get(`/accounts?deleted=only&owner_id=${from.id}&count=true`);
    assert.equal(bin.status, 200, bin.text);
    assert.equal(bin.body.total, 0, 'records in the recycle bin move too');
    const heir = await login(srv.base, 'heir', 'heir-pass-123');
    const p = await heir.patch(`/accounts/${recs[0][1].id}`, { tier: 'A' });
    assert.equal(p.status, 200, 'the heir can now edit as owner');
  });
});

describe('teams', () => {
  test('team list and user team membership', async () => {
    const t2 = await createTeam(admin, 'Sales APAC');
    const u = await createUser(admin, { username: 'multi', team_ids: [team.id, t2.id] });
    assert.deepEqual([...u.team_ids].sort(), [team.id, t2.id].sort());
    const p = await admin.patch(`/users/${u.id}`, { team_ids: [t2.id] });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.body.team_ids, [t2.id]);
    const l = await admin.get('/teams');
    assert.equal(l.status, 200);
    assert.ok(l.body.data.some((x) => x.name === 'Sales APAC'));
  });
});
