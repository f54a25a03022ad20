// Roles as records (GET/POST /roles, GET/PATCH/DELETE /roles/{id}, restore, history):
// the built-in roles and their default grants, CRUD and validation of a custom role,
// who may change roles, deleting a role in use / the admin role / an unused one; a user
// with a custom role gets exactly its grants, and a change to the role applies to their
// live session at the next request (session and API token); edits to built-in roles
// survive a restart; field rules (hidden, read-only) on every path, a hidden field
// being no search criterion either; team_and_below through teams.parent_id (three
// levels, re-parenting, loops refused).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq, Client, dropDb,
} from './helpers.js';

const PW = 'pw-roles-12345678';
const ACTIONS = ['read', 'create', 'edit', 'delete', 'export', 'import'];
const NOSUCH_ID = '00000000-0000-7000-8000-000000000000';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

// A role key that is valid and unique: [a-z][a-z0-9_]*.
const roleKey = (p = 'r') => uniq(p).replace(/-/g, '_');

// A new custom role (admin); returns the record.
async function newRole(body) {
  const r = await admin.post('/roles', { key: roleKey(), label: 'Test role', ...body });
  assert.equal(r.status, 201, `create role: ${r.status} ${r.text}`);
  return r.body;
}

// Changes a role as admin; returns the new record.
async function patchRole(role, body) {
  const r = await admin.patch(`/roles/${role.id}`, body);
  assert.equal(r.status, 200, `patch role ${role.key}: ${r.status} ${r.text}`);
  return r.body;
}

// A new user with the role and teams, signed in: {user, c}.
async function person(role, team_ids = []) {
  const username = uniq('ru');
  const user = await createUser(admin, { username, password: PW, role, team_ids });
  return { user, c: await login(srv.base, username, PW) };
}

async function roleCount() {
  const r = await admin.get('/roles?count=true&limit=1');
  assert.equal(r.status, 200, r.text);
  return r.body.total;
}

// The ids a client lists (sorted) for a query on accounts, with the count it reports.
async function listed(client, query) {
  const r = await client.get(`/accounts?${query}&count=true&limit=500`);
  assert.equal(r.status, 200, `list accounts?${query}: ${r.status} ${r.text}`);
  assert.equal(r.body.total, r.body.data.length, 'count equals the listed rows');
  return r.body.data.map((x) => x.id).sort();
}
const ids = (...recs) => recs.map((x) => x.id).sort();

// The caller's entity in /meta (undefined when absent).
async function metaEntity(client, name) {
  const r = await client.get('/meta');
  assert.equal(r.status, 200, r.text);
  return r.body.entities.find((e) => e.name === name);
}

// A CSV export as text (BOM stripped) with its status.
async function exportCsv(client, p) {
  const res = await fetch(`${client.base}/api/v1${p}`, { headers: { cookie: client.cookie } });
  const text = await res.text();
  return { status: res.status, text: text.replace(/^\uFEFF/, '') };
}

describe('built-in roles', () => {
  // docs/api.md, "Permissions": read, create, edit, delete, export per role.
  const DOC = {
    admin: 'all all all all all',
    manager: 'team team team team team',
    sales: 'team own own own own',
    support: 'all own own none none',
    marketing: 'all own own own all',
    partner: 'own own own none none',
    readonly: 'all none none none none',
  };

  test('the seven built-in roles exist from the first start, built in, admin only for admin', async () => {
    const r = await admin.get('/roles?limit=500');
    assert.equal(r.status, 200, r.text);
    const byKey = Object.fromEntries(r.body.data.map((x) => [x.key, x]));
    for (const key of Object.keys(DOC)) {
      assert.ok(byKey[key], `built-in role ${key} exists`);
      assert.equal(byKey[key].builtin, true, `${key}.builtin`);
      assert.equal(byKey[key].admin, key === 'admin', `${key}.admin`);
    }
  });

  test('their grants match the documented defaults on every customer entity', async () => {
    const r = await admin.get('/roles?limit=500');
    const byKey = Object.fromEntries(r.body.data.map((x) => [x.key, x]));
    const wrong = [];
    for (const [key, scopes] of Object.entries(DOC)) {
      if (key === 'admin') continue; // an administrator has every scope, whatever its grants say
      const want = scopes.split(' ');
      for (const ent of ['accounts', 'contacts', 'leads', 'opportunities', 'activities']) {
        for (let i = 0; i < want.length; i++) {
          const got = byKey[key].grants?.[ent]?.[ACTIONS[i]] ?? 'none';
          if (got !== want[i]) wrong.push(`${key}.${ent}.${ACTIONS[i]} = ${got}, documented ${want[i]}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    // The spot checks of the brief, spelled out.
    assert.equal(byKey.sales.grants.accounts.read, 'team');
    assert.equal(byKey.sales.grants.accounts.create, 'own');
    assert.equal(byKey.partner.grants?.users?.read ?? 'none', 'none', 'partner: no read on users');
    assert.equal(byKey.sales.grants.users.read, 'all', 'sales reads the user directory');
  });

  test('a signed-in user gets the built-in grants (/meta permissions, partner without users)', async () => {
    const s = await person('sales');
    const acc = await metaEntity(s.c, 'accounts');
    assert.deepEqual(acc.permissions,
      { read: 'team', create: 'own', edit: 'own', delete: 'own', export: 'own', import: 'own' });
    const p = await person('partner');
    assert.equal(await metaEntity(p.c, 'users'), undefined, 'partner /meta has no users');
    assertProblem(await p.c.get('/users'), 403);
    assertProblem(await p.c.get(`/users/${s.user.id}`), 404, 'a record of an entity one may not read: 404');
    const mine = await create(p.c, 'accounts', { name: uniq('Partner own') });
    assert.equal((await p.c.get(`/accounts/${mine.id}`)).status, 200);
    assert.deepEqual((await metaEntity(p.c, 'accounts')).permissions,
      { read: 'own', create: 'own', edit: 'own', delete: 'none', export: 'none', import: 'none' });
  });

  test('edits to built-in roles survive a restart (an entity taken out of the grants stays none)', async () => {
    // A separate server: this one restarts on its own database.
    let s2 = await startServer({ keepDir: true });
    let restarted = false;
    try {
      let a2 = await loginAdmin(s2.base);
      const sales = (await a2.get('/roles?key=sales')).body.data[0];
      const grants = { ...sales.grants, accounts: { ...sales.grants.accounts, read: 'own' } };
      delete grants.leads; // a missing entity means none
      const p = await a2.patch(`/roles/${sales.id}`, { grants });
      assert.equal(p.status, 200, p.text);
      const mk = (await a2.get('/roles?key=marketing')).body.data[0];
      assert.equal((await a2.del(`/roles/${mk.id}`)).status, 204, 'an unused built-in role may be deleted');
      await createUser(a2, { username: 'restart-rep', password: PW, role: 'sales' });
      const rep = await login(s2.base, 'restart-rep', PW);
      assertProblem(await rep.get('/leads'), 403, 'before the restart');

      const dir = s2.dir;
      await s2.stop();
      s2 = await startServer({ dir });
      restarted = true;
      a2 = await loginAdmin(s2.base);
      const after0 = (await a2.get('/roles?key=sales')).body.data[0];
      assert.equal(after0.grants.accounts.read, 'own', 'a changed scope survives');
      assert.equal(after0.grants.leads?.read ?? 'none', 'none',
        `leads was taken out of the sales grants, the restart gave back ${JSON.stringify(after0.grants.leads)}`);
      assert.equal(after0.version, p.body.version, 'the restart does not change the role');
      assert.equal((await a2.get('/roles?key=marketing&count=true')).body.total, 0, 'a deleted built-in role stays deleted');
      const rep2 = await login(s2.base, 'restart-rep', PW);
      assertProblem(await rep2.get('/leads'), 403, 'after the restart');
    } finally {
      await s2.stop();
      if (!restarted) { dropDb(s2.dir); rmSync(s2.dir, { recursive: true, force: true }); }
    }
  });

  test('built-in roles are editable and stay built in; admin keeps admin=true', async () => {
    const list = (await admin.get('/roles?key=support')).body.data;
    assert.equal(list.length, 1);
    const support = list[0];
    const p = await patchRole(support, { description: 'Helps customers', label_zh: '支持' });
    assert.equal(p.description, 'Helps customers');
    assert.equal(p.label_zh, '支持');
    assert.equal(p.builtin, true);
    assert.equal(p.version, support.version + 1);
    assertProblem(await admin.patch(`/roles/${support.id}`, { builtin: false }), 422);
    assert.equal((await admin.get(`/roles/${support.id}`)).body.builtin, true);

    const adm = (await admin.get('/roles?key=admin')).body.data[0];
    const r = await admin.patch(`/roles/${adm.id}`, { admin: false });
    assertProblem(r, 422);
    assert.ok(r.body.errors.some((e) => e.field === 'admin'), r.text);
    const g = await admin.get(`/roles/${adm.id}`);
    assert.equal(g.body.admin, true);
    assert.equal(g.body.version, adm.version);
    // Still an administrator: the admin user still manages roles.
    assert.equal((await admin.get('/security-events?limit=1')).status, 200);
  });
});

describe('custom roles: CRUD and validation', () => {
  test('create, read, list, change, history', async () => {
    const key = roleKey('crud');
    const grants = { accounts: { read: 'team', create: 'own', edit: 'own', delete: 'none', export: 'own', import: 'own' } };
    const field_rules = { accounts: { annual_revenue: 'hidden', phone: 'readonly' } };
    const r = await admin.post('/roles', { key, label: 'Field sales', label_zh: '外勤销售', description: 'd', grants, field_rules });
    assert.equal(r.status, 201, r.text);
    const role = r.body;
    assert.equal(role.key, key);
    assert.equal(role.label, 'Field sales');
    assert.equal(role.label_zh, '外勤销售');
    assert.equal(role.admin, false, 'admin defaults to false');
    assert.equal(role.builtin, false);
    assert.deepEqual(role.grants, grants);
    assert.deepEqual(role.field_rules, field_rules);
    assert.equal(role.version, 1);
    assert.deepEqual((await admin.get(`/roles/${role.id}`)).body, role);
    const l = await admin.get(`/roles?key=${key}&count=true`);
    assert.equal(l.body.total, 1);
    assert.deepEqual(l.body.data[0], role);

    const grants2 = { accounts: { read: 'all' }, leads: { read: 'own', create: 'own' } };
    const p = await patchRole(role, { label: 'Field sales 2', grants: grants2 });
    assert.equal(p.label, 'Field sales 2');
    assert.deepEqual(p.grants, grants2);
    assert.deepEqual(p.field_rules, field_rules, 'field_rules untouched');
    assert.equal(p.version, 2);
    const h = await admin.get(`/roles/${role.id}/history`);
    assert.equal(h.status, 200, h.text);
    assert.ok(h.body.data.some((e) => e.action === 'create'), 'create row');
    assert.ok(h.body.data.some((e) => e.action === 'update' && e.field === 'label' &&
      e.old === 'Field sales' && e.new === 'Field sales 2'), JSON.stringify(h.body.data));
    assert.ok(h.body.data.some((e) => e.action === 'update' && e.field === 'grants'));

    // key is create-only, builtin read-only: 422 and nothing changes.
    for (const body of [{ key: roleKey() }, { builtin: true }]) {
      const bad = await admin.patch(`/roles/${role.id}`, body);
      assertProblem(bad, 422, JSON.stringify(body));
      assert.ok(bad.body.errors.some((e) => e.field === Object.keys(body)[0]), bad.text);
    }
    assert.deepEqual((await admin.get(`/roles/${role.id}`)).body, p);
  });

  test('the users.role enum comes from the roles (/meta enum_source, any role key accepted)', async () => {
    const role = await newRole({ grants: {} });
    const f = (await metaEntity(admin, 'users')).fields.find((x) => x.name === 'role');
    assert.equal(f.enum_source, 'roles');
    for (const k of ['admin', 'sales', 'partner', 'readonly', role.key]) assert.ok(f.enum.includes(k), `enum has ${k}`);
    const u = await createUser(admin, { username: uniq('enum'), password: PW, role: role.key });
    assert.equal(u.role, role.key);
    const bad = await admin.post('/users', { username: uniq('enum'), password: PW, role: 'no_such_role' });
    assertProblem(bad, 422);
    assert.ok(bad.body.errors.some((e) => e.field === 'role'), bad.text);
    const bp = await admin.patch(`/users/${u.id}`, { role: 'no_such_role' });
    assertProblem(bp, 422);
    assert.equal((await admin.get(`/users/${u.id}`)).body.role, role.key);
  });

  test('validation errors → 422 on the field, nothing created', async () => {
    const before0 = await roleCount();
    const k = () => roleKey('v');
    const cases = [
      [{ label: 'No key' }, 'key'],
      [{ key: k() }, 'label'],
      [{ key: 'Upper_case', label: 'x' }, 'key'],
      [{ key: '1starts_with_digit', label: 'x' }, 'key'],
      [{ key: '_underscore_first', label: 'x' }, 'key'],
      [{ key: 'a', label: 'x' }, 'key'],
      [{ key: 'a'.repeat(41), label: 'x' }, 'key'],
      [{ key: 'has-dash', label: 'x' }, 'key'],
      [{ key: 'has space', label: 'x' }, 'key'],
      [{ key: 'ünicode', label: 'x' }, 'key'],
      [{ key: k(), label: 'x', admin: 'yes' }, 'admin'],
      [{ key: k(), label: 'x', builtin: true }, 'builtin'],
      [{ key: k(), label: 'x', grants: 'all' }, 'grants'],
      [{ key: k(), label: 'x', grants: ['accounts'] }, 'grants'],
      [{ key: k(), label: 'x', grants: { no_such_entity: { read: 'all' } } }, 'grants'],
      [{ key: k(), label: 'x', grants: { accounts: { approve: 'all' } } }, 'grants'],
      [{ key: k(), label: 'x', grants: { accounts: { read: 'everyone' } } }, 'grants'],
      [{ key: k(), label: 'x', grants: { accounts: { read: 'Team' } } }, 'grants'],
      [{ key: k(), label: 'x', grants: { accounts: { read: 3 } } }, 'grants'],
      [{ key: k(), label: 'x', grants: { accounts: 'all' } }, 'grants'],
      [{ key: k(), label: 'x', field_rules: { accounts: { no_such_field: 'hidden' } } }, 'field_rules'],
      [{ key: k(), label: 'x', field_rules: { accounts: { phone: 'secret' } } }, 'field_rules'],
      [{ key: k(), label: 'x', field_rules: { no_such_entity: { phone: 'hidden' } } }, 'field_rules'],
      [{ key: k(), label: 'x', field_rules: { accounts: ['phone'] } }, 'field_rules'],
      [{ key: k(), label: 'x', colour: 'red' }, 'colour'],
    ];
    const wrong = [];
    for (const [body, field] of cases) {
      const r = await admin.post('/roles', body);
      const fields = (r.body?.errors || []).map((e) => e.field);
      if (r.status !== 422 || !fields.includes(field)) {
        wrong.push(`POST /roles ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(fields)}, want 422 on ${field}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(await roleCount(), before0, 'no role created');

    const role = await newRole({ grants: { accounts: { read: 'own' } } });
    assertProblem(await admin.post('/roles', { key: role.key, label: 'Same key' }), 409);
    for (const body of [{ grants: { accounts: { read: 'most' } } }, { field_rules: { accounts: { nope: 'hidden' } } },
      { label: null }, { grants: { accounts: { fly: 'all' } } }]) {
      const r = await admin.patch(`/roles/${role.id}`, body);
      assertProblem(r, 422, JSON.stringify(body));
      assert.ok(r.body.errors.some((e) => e.field === Object.keys(body)[0]), r.text);
    }
    assert.deepEqual((await admin.get(`/roles/${role.id}`)).body, role, 'role unchanged');
  });

  test('only administrators change roles; non-partner roles read the directory', async () => {
    const role = await newRole({ grants: { accounts: { read: 'own' } } });
    const before0 = await roleCount();
    for (const r of ['sales', 'manager', 'readonly']) {
      const { c } = await person(r);
      const l = await c.get('/roles?limit=500');
      assert.equal(l.status, 200, `${r} lists roles: ${l.text}`);
      assert.ok(l.body.data.some((x) => x.id === role.id));
      assert.equal((await c.get(`/roles/${role.id}`)).status, 200);
      assertProblem(await c.post('/roles', { key: roleKey(), label: 'Mine' }), 403, `${r} POST`);
      assertProblem(await c.patch(`/roles/${role.id}`, { label: 'Hijacked' }), 403, `${r} PATCH`);
      assertProblem(await c.del(`/roles/${role.id}`), 403, `${r} DELETE`);
      const sales = (await c.get('/roles?key=sales')).body.data[0];
      assertProblem(await c.patch(`/roles/${sales.id}`, { grants: { accounts: { read: 'all' } } }), 403, `${r} PATCH sales`);
    }
    const p = await person('partner');
    assertProblem(await p.c.get('/roles'), 403);
    assertProblem(await p.c.get(`/roles/${role.id}`), 404);
    assertProblem(await p.c.post('/roles', { key: roleKey(), label: 'Mine' }), 403);
    assert.equal(await roleCount(), before0);
    assert.deepEqual((await admin.get(`/roles/${role.id}`)).body, role);
    const sales = (await admin.get('/roles?key=sales')).body.data[0];
    assert.equal(sales.grants.accounts.read, 'team');
  });
});

describe('deleting roles', () => {
  test('a role in use → 409 (a deactivated user counts), the admin role → 409', async () => {
    const role = await newRole({ grants: { accounts: { read: 'own' } } });
    const u = await createUser(admin, { username: uniq('inuse'), password: PW, role: role.key });
    const r = await admin.del(`/roles/${role.id}`);
    assertProblem(r, 409);
    assert.equal((await admin.get(`/roles/${role.id}`)).status, 200);
    assert.equal((await admin.patch(`/users/${u.id}`, { active: false })).status, 200);
    assertProblem(await admin.del(`/roles/${role.id}`), 409, 'deactivated user still holds the role');
    assert.equal((await admin.patch(`/users/${u.id}`, { role: 'readonly' })).status, 200);
    assert.equal((await admin.del(`/roles/${role.id}`)).status, 204, 'unused now');

    const adm = (await admin.get('/roles?key=admin')).body.data[0];
    assertProblem(await admin.del(`/roles/${adm.id}`), 409);
    assert.equal((await admin.get(`/roles/${adm.id}`)).status, 200);
    // Also with no user left holding it besides the bootstrap admin, and for a built-in in use.
    const sales = (await admin.get('/roles?key=sales')).body.data[0];
    await createUser(admin, { username: uniq('s'), password: PW, role: 'sales' });
    assertProblem(await admin.del(`/roles/${sales.id}`), 409);
    assert.equal((await admin.get(`/roles/${sales.id}`)).status, 200);
  });

  test('an unused role → 204, gone from lists and the enum, restorable', async () => {
    const role = await newRole({ grants: { accounts: { read: 'all' } } });
    assert.equal((await admin.del(`/roles/${role.id}`)).status, 204);
    assertProblem(await admin.get(`/roles/${role.id}`), 404);
    assert.equal((await admin.get(`/roles?key=${role.key}&count=true`)).body.total, 0);
    const bin = await admin.get(`/roles?deleted=only&key=${role.key}`);
    assert.equal(bin.status, 200, bin.text);
    assert.deepEqual(bin.body.data.map((x) => x.id), [role.id]);
    const f = (await metaEntity(admin, 'users')).fields.find((x) => x.name === 'role');
    assert.ok(!f.enum.includes(role.key), 'deleted role not in the enum');
    assertProblem(await admin.post('/users', { username: uniq('gone'), password: PW, role: role.key }), 422);

    const res = await admin.post(`/roles/${role.id}/restore`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.key, role.key);
    assert.deepEqual(res.body.grants, role.grants);
    assert.equal((await admin.get(`/roles/${role.id}`)).status, 200);
    const { c } = await person(role.key);
    assert.deepEqual((await metaEntity(c, 'accounts')).permissions.read, 'all', 'restored role works');
  });

  test('deleting a role is for administrators only', async () => {
    const role = await newRole({});
    const { c } = await person('manager');
    assertProblem(await c.del(`/roles/${role.id}`), 403);
    assert.equal((await admin.del(`/roles/${role.id}`)).status, 204);
    assertProblem(await c.post(`/roles/${role.id}/restore`), 403);
    assertProblem(await admin.get(`/roles/${role.id}`), 404, 'still deleted');
  });
});

describe('a user with a custom role gets exactly its grants, live', () => {
  let team, role, me, mate, other, mine, mates, others, CITY;
  before(async () => {
    CITY = uniq('Rolecity');
    team = await createTeam(admin, uniq('Live team'));
    const team2 = await createTeam(admin, uniq('Other team'));
    role = await newRole({ grants: { accounts: { read: 'own' } } });
    me = await person(role.key, [team.id]);
    mate = await person('sales', [team.id]);
    other = await person('sales', [team2.id]);
    mine = await create(admin, 'accounts', { name: uniq('Mine'), billing_city: CITY, owner_id: me.user.id });
    mates = await create(mate.c, 'accounts', { name: uniq('Mates'), billing_city: CITY });
    others = await create(other.c, 'accounts', { name: uniq('Others'), billing_city: CITY });
  });

  test('read own only: own record, not a colleague\'s; every other action refused', async () => {
    assert.equal((await me.c.get(`/accounts/${mine.id}`)).status, 200);
    assertProblem(await me.c.get(`/accounts/${mates.id}`), 404);
    assertProblem(await me.c.get(`/accounts/${others.id}`), 404);
    assert.deepEqual(await listed(me.c, `billing_city=${CITY}`), ids(mine));
    const before0 = (await admin.get(`/accounts?billing_city=${CITY}&count=true`)).body.total;
    assertProblem(await me.c.post('/accounts', { name: 'create none' }), 403);
    assertProblem(await me.c.post('/accounts', { name: 'create none', owner_id: me.user.id }), 403);
    assertProblem(await me.c.patch(`/accounts/${mine.id}`, { tier: 'A' }), 403);
    assertProblem(await me.c.del(`/accounts/${mine.id}`), 403);
    assertProblem(await me.c.get('/accounts/export'), 403);
    assert.equal((await admin.get(`/accounts?billing_city=${CITY}&count=true`)).body.total, before0);
    assert.deepEqual((await admin.get(`/accounts/${mine.id}`)).body, mine);
    // Entities the role does not mention are none.
    assertProblem(await me.c.get('/contacts'), 403);
    assertProblem(await me.c.post('/contacts', { last_name: 'x' }), 403);
    assertProblem(await me.c.get('/users'), 403);
    const m = await me.c.get('/meta');
    assert.deepEqual(m.body.entities.map((e) => e.name), ['accounts']);
    assert.deepEqual(m.body.entities[0].permissions,
      { read: 'own', create: 'none', edit: 'none', delete: 'none', export: 'none', import: 'none' });
  });

  test('widening the role applies to the live session at the next request', async () => {
    role = await patchRole(role, { grants: { accounts: { read: 'team', create: 'own', edit: 'own' }, contacts: { read: 'own' } } });
    assert.equal((await me.c.get(`/accounts/${mates.id}`)).status, 200, 'team mate\'s record now visible');
    assertProblem(await me.c.get(`/accounts/${others.id}`), 404);
    assert.deepEqual(await listed(me.c, `billing_city=${CITY}`), ids(mine, mates));
    const made = await me.c.post('/accounts', { name: uniq('Now allowed'), billing_city: CITY + 'x' });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.owner_id, me.user.id);
    const p = await me.c.patch(`/accounts/${mine.id}`, { tier: 'B' });
    assert.equal(p.status, 200, p.text);
    assertProblem(await me.c.patch(`/accounts/${mates.id}`, { tier: 'B' }), 403, 'edit own only');
    assert.equal((await me.c.get('/contacts')).status, 200);
    assert.deepEqual((await metaEntity(me.c, 'accounts')).permissions,
      { read: 'team', create: 'own', edit: 'own', delete: 'none', export: 'none', import: 'none' });

    role = await patchRole(role, { grants: { accounts: { read: 'all', export: 'all' } } });
    assert.deepEqual(await listed(me.c, `billing_city=${CITY}`), ids(mine, mates, others));
    const ex = await exportCsv(me.c, `/accounts/export?billing_city=${CITY}`);
    assert.equal(ex.status, 200, ex.text);
    for (const x of [mine, mates, others]) assert.ok(ex.text.includes(x.name), `export has ${x.name}`);
    assertProblem(await me.c.post('/accounts', { name: 'create none again' }), 403, 'create dropped');
    assertProblem(await me.c.get('/contacts'), 403, 'contacts dropped');
  });

  test('narrowing the role applies at the next request too', async () => {
    role = await patchRole(role, { grants: { accounts: { read: 'own' } } });
    assertProblem(await me.c.get(`/accounts/${others.id}`), 404);
    assertProblem(await me.c.get(`/accounts/${mates.id}`), 404);
    assert.deepEqual(await listed(me.c, `billing_city=${CITY}`), ids(mine));
    const s = await me.c.get(`/search?q=${encodeURIComponent(others.name)}`);
    assert.equal(s.status, 200, s.text);
    assert.ok(!s.body.data.some((x) => x.id === others.id));
    assertProblem(await me.c.get(`/accounts/${mates.id}/history`), 404);
    assertProblem(await me.c.get('/accounts/export'), 403);

    role = await patchRole(role, { grants: {} });
    assertProblem(await me.c.get('/accounts'), 403);
    assertProblem(await me.c.get(`/accounts/${mine.id}`), 404, 'read none: not even own');
    assert.deepEqual((await me.c.get('/meta')).body.entities, []);
    const srch = await me.c.get(`/search?q=${encodeURIComponent(mine.name)}`);
    assert.ok(srch.status !== 200 || !srch.body.data.some((x) => x.id === mine.id), srch.text);

    role = await patchRole(role, { grants: { accounts: { read: 'own' } } });
    assert.equal((await me.c.get(`/accounts/${mine.id}`)).status, 200, 'back again, same session');
  });

  test('an API token of the user follows the role at once too', async () => {
    const t = await me.c.post('/tokens', { name: 'live token' });
    assert.equal(t.status, 201, t.text);
    const tc = new Client(srv.base, { token: t.body.token });
    assertProblem(await tc.get(`/accounts/${others.id}`), 404);
    role = await patchRole(role, { grants: { accounts: { read: 'all' } } });
    assert.equal((await tc.get(`/accounts/${others.id}`)).status, 200);
    role = await patchRole(role, { grants: { accounts: { read: 'own' } } });
    assertProblem(await tc.get(`/accounts/${others.id}`), 404);
  });

  test('making the role an administrator applies at once, and undoing it', async () => {
    role = await patchRole(role, { admin: true });
    assert.equal((await me.c.get(`/accounts/${others.id}`)).status, 200, 'administrators read all');
    const made = await me.c.post('/roles', { key: roleKey('byme'), label: 'Made by a new admin' });
    assert.equal(made.status, 201, made.text);
    assert.equal((await me.c.get('/security-events?limit=1')).status, 200);
    role = await patchRole(role, { admin: false });
    assertProblem(await me.c.get(`/accounts/${others.id}`), 404);
    assertProblem(await me.c.post('/roles', { key: roleKey('byme'), label: 'Not any more' }), 403);
    assertProblem(await me.c.get('/security-events?limit=1'), 403);
    // Its grants name no roles: the directory is closed to it again (a record there: 404).
    assertProblem(await me.c.get('/roles'), 403);
    assertProblem(await me.c.del(`/roles/${made.body.id}`), 404);
    assert.equal((await admin.get(`/roles/${made.body.id}`)).status, 200);
  });

  test('changing a user\'s role to a custom one applies at once as well', async () => {
    const wide = await newRole({ grants: { accounts: { read: 'all' } } });
    assert.equal((await admin.patch(`/users/${mate.user.id}`, { role: wide.key })).status, 200);
    assert.equal((await mate.c.get(`/accounts/${others.id}`)).status, 200);
    assertProblem(await mate.c.post('/accounts', { name: 'no create' }), 403);
    assert.equal((await admin.patch(`/users/${mate.user.id}`, { role: 'sales' })).status, 200);
    assertProblem(await mate.c.get(`/accounts/${others.id}`), 404);
  });
});

describe('field rules', () => {
  let role, fr, acc, mineMade;
  const REV = '4321.09';
  const PHONE = '+86 10 6552 9988';
  before(async () => {
    role = await newRole({
      grants: { accounts: { read: 'all', create: 'own', edit: 'own', export: 'all' } },
      field_rules: { accounts: { annual_revenue: 'hidden', phone: 'readonly' } },
    });
    fr = await person(role.key);
    acc = await create(admin, 'accounts', { name: uniq('Fieldrules'), owner_id: fr.user.id, annual_revenue: '1.00', phone: PHONE });
    const p = await admin.patch(`/accounts/${acc.id}`, { annual_revenue: REV, industry: 'retail' });
    assert.equal(p.status, 200, p.text);
    acc = p.body;
  });

  test('hidden: absent from GET, lists, q and search answers; admins see it', async () => {
    const g = await fr.c.get(`/accounts/${acc.id}`);
    assert.equal(g.status, 200, g.text);
    assert.ok(!('annual_revenue' in g.body), 'GET has no annual_revenue');
    assert.equal(g.body.phone, PHONE, 'read-only fields show');
    assert.ok(!g.text.includes(REV));
    for (const q of [`name=${encodeURIComponent(acc.name)}`, `q=${encodeURIComponent(acc.name)}`, 'limit=500']) {
      const l = await fr.c.get(`/accounts?${q}`);
      assert.equal(l.status, 200, l.text);
      assert.ok(l.body.data.some((x) => x.id === acc.id), q);
      assert.ok(l.body.data.every((x) => !('annual_revenue' in x)), `list ${q} has no annual_revenue`);
    }
    const s = await fr.c.get(`/search?q=${encodeURIComponent(acc.name)}`);
    assert.ok(!s.text.includes(REV));
    const a = await admin.get(`/accounts/${acc.id}`);
    assert.equal(a.body.annual_revenue, REV, 'admin sees it');
  });

  test('hidden: absent from the calendar (rows a module reads itself)', async () => {
    const r = await newRole({ grants: { activities: { read: 'all', create: 'own', edit: 'own' } },
      field_rules: { activities: { location: 'hidden' } } });
    const p = await person(r.key);
    const m = await create(admin, 'activities', { type: 'meeting', subject: uniq('Hidden place'),
      start_at: '2031-05-06T09:00:00Z', end_at: '2031-05-06T10:00:00Z', location: 'Secret room 42',
      owner_id: p.user.id });
    const cal = await p.c.get(`/calendar?from=2031-05-06&to=2031-05-07&user_ids=${p.user.id}`);
    assert.equal(cal.status, 200, cal.text);
    assert.ok(cal.body.data.some((x) => x.id === m.id), cal.text);
    assert.ok(!cal.text.includes('Secret room 42'), 'the calendar leaves the hidden field out');
    assert.ok(cal.body.data.every((x) => !('location' in x)));
  });

  test('hidden: refused in writes (422 on the field), absent from create/update answers', async () => {
    const before0 = (await admin.get('/accounts?count=true&limit=1')).body.total;
    const c1 = await fr.c.post('/accounts', { name: uniq('Hidden write'), annual_revenue: '5.00' });
    assertProblem(c1, 422);
    assert.ok(c1.body.errors.some((e) => e.field === 'annual_revenue'), c1.text);
    assert.equal((await admin.get('/accounts?count=true&limit=1')).body.total, before0, 'nothing created');
    const made = await fr.c.post('/accounts', { name: uniq('Hidden ok') });
    assert.equal(made.status, 201, made.text);
    assert.ok(!('annual_revenue' in made.body), 'create answer has no annual_revenue');
    mineMade = made.body;
    const p1 = await fr.c.patch(`/accounts/${acc.id}`, { annual_revenue: '0.01' });
    assertProblem(p1, 422);
    assert.ok(p1.body.errors.some((e) => e.field === 'annual_revenue'), p1.text);
    const p2 = await fr.c.patch(`/accounts/${acc.id}`, { tier: 'A' });
    assert.equal(p2.status, 200, p2.text);
    assert.ok(!('annual_revenue' in p2.body), 'update answer has no annual_revenue');
    const a = (await admin.get(`/accounts/${acc.id}`)).body;
    assert.equal(a.annual_revenue, REV, 'value kept');
    assert.equal(a.tier, 'A');
    acc = a;
  });

  test('hidden: refused as a filter, sort or sum (as a field that does not exist)', async () => {
    for (const q of ['annual_revenue=1.00', 'annual_revenue[gt]=0', 'annual_revenue[null]=false',
      `annual_revenue[in]=${REV}`, 'count=true&annual_revenue[gte]=0']) {
      const r = await fr.c.get(`/accounts?${q}`);
      assertProblem(r, 400, q);
      assert.match(r.body.detail, /unknown parameter or field/, q);
    }
    for (const [q, nosuch] of [['sort=annual_revenue', 'sort=no_such_field'], ['sort=-annual_revenue', 'sort=-no_such_field'],
      ['sum=annual_revenue', 'sum=no_such_field'], ['count=true&sum=annual_revenue', 'count=true&sum=no_such_field']]) {
      const r = await fr.c.get(`/accounts?${q}`);
      assertProblem(r, 400, q);
      const n = await fr.c.get(`/accounts?${nosuch}`);
      assert.equal(r.body.detail, n.body.detail.replace('no_such_field', 'annual_revenue'), `${q}: same answer as a missing field`);
    }
    const ok = await admin.get(`/accounts?sort=-annual_revenue&sum=annual_revenue&annual_revenue[gt]=0&count=true`);
    assert.equal(ok.status, 200, 'admin may');
  });

  test('hidden: absent from /meta, the CSV export, history and the timeline', async () => {
    const m = await metaEntity(fr.c, 'accounts');
    const names = m.fields.map((f) => f.name);
    assert.ok(!names.includes('annual_revenue'), '/meta has no annual_revenue');
    assert.ok(names.includes('phone'));
    assert.equal(m.fields.find((f) => f.name === 'phone').readonly, true, 'phone read-only in /meta');
    assert.equal(m.fields.find((f) => f.name === 'name').readonly, false);
    assert.ok((await metaEntity(admin, 'accounts')).fields.some((f) => f.name === 'annual_revenue'));

    const ex = await exportCsv(fr.c, `/accounts/export?headers=keys&name=${encodeURIComponent(acc.name)}`);
    assert.equal(ex.status, 200, ex.text);
    const header = ex.text.split('\r\n')[0].split(',');
    assert.ok(header.includes('name') && header.includes('phone'), header.join(','));
    assert.ok(!header.includes('annual_revenue'), 'export header has no annual_revenue');
    assert.ok(ex.text.includes(acc.name));
    assert.ok(!ex.text.includes(REV), 'export has no revenue value');
    const aex = await exportCsv(admin, `/accounts/export?headers=keys&name=${encodeURIComponent(acc.name)}`);
    assert.ok(aex.text.split('\r\n')[0].split(',').includes('annual_revenue'), 'admin export has it');

    const h = await fr.c.get(`/accounts/${acc.id}/history`);
    assert.equal(h.status, 200, h.text);
    assert.ok(h.body.data.some((e) => e.field === 'industry'), 'other rows are there');
    assert.ok(!h.body.data.some((e) => e.field === 'annual_revenue'), 'no annual_revenue history rows');
    assert.ok(!h.text.includes(REV));
    const ah = await admin.get(`/accounts/${acc.id}/history`);
    assert.ok(ah.body.data.some((e) => e.field === 'annual_revenue' && e.new === REV), 'admin history has it');
    const t = await fr.c.get(`/accounts/${acc.id}/timeline?limit=100`);
    assert.equal(t.status, 200, t.text);
    assert.ok(!t.body.data.some((e) => e.field === 'annual_revenue'), 'no annual_revenue timeline rows');
    assert.ok(!t.text.includes(REV));
  });

  test('hidden: not a search criterion either (?q= and /search do not match on it)', async () => {
    // A hidden searchable field must not answer "does the value contain X?": that would
    // reveal it as surely as a filter, which is refused. The full-text index holds every
    // searchable field's text, so ?q= on the entity is refused for the role (400) and
    // /search leaves the entity out.
    const secret = uniq('zebrasecret').replace(/-/g, '');
    const r2 = await newRole({
      grants: { accounts: { read: 'all' } },
      field_rules: { accounts: { description: 'hidden', email: 'hidden' } },
    });
    const h = await person(r2.key);
    const a = await create(admin, 'accounts', { name: uniq('Plain name'), description: `about ${secret}`, email: `${secret}@example.com` });
    const ctl = await admin.get(`/accounts?q=${secret}`);
    assert.deepEqual(ctl.body.data.map((x) => x.id), [a.id], 'control: the admin finds it by q');
    assert.equal((await h.c.get(`/accounts/${a.id}`)).status, 200, 'the record itself is readable');
    const wrong = [];
    for (const q of [secret, `${secret}@example.com`]) {
      const l = await h.c.get(`/accounts?q=${encodeURIComponent(q)}&count=true`);
      assert.equal(l.status, 400, l.text);
      assert.match(l.body.detail, /cannot be searched with your role/);
      const s = await h.c.get(`/search?q=${encodeURIComponent(q)}`);
      assert.equal(s.status, 200, s.text);
      if (s.body.data.some((x) => x.id === a.id)) wrong.push(`GET /search?q=${q} matches through a hidden field`);
    }
    assert.deepEqual(wrong, []);
  });

  test('read-only: shows, a change → 422 "is read-only for your role", the same value passes', async () => {
    const p = await fr.c.patch(`/accounts/${acc.id}`, { phone: '+86 10 1111 2222' });
    assertProblem(p, 422);
    const e = p.body.errors.find((x) => x.field === 'phone');
    assert.ok(e, p.text);
    assert.match(e.message, /is read-only for your role/);
    const cleared = await fr.c.patch(`/accounts/${acc.id}`, { phone: null });
    assertProblem(cleared, 422, 'clearing it is a change');
    assert.equal((await admin.get(`/accounts/${acc.id}`)).body.phone, PHONE, 'unchanged');
    const same = await fr.c.patch(`/accounts/${acc.id}`, { phone: PHONE, description: 'same phone' });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.body.phone, PHONE);
    assert.equal(same.body.description, 'same phone');
    const c1 = await fr.c.post('/accounts', { name: uniq('RO phone'), phone: '+86 10 3333 4444' });
    assertProblem(c1, 422, 'a new record may not set it either');
    assert.ok(c1.body.errors.some((x) => x.field === 'phone'), c1.text);
    // The admin changes it freely.
    const a = await admin.patch(`/accounts/${mineMade.id}`, { phone: '+86 10 5555 6666' });
    assert.equal(a.status, 200, a.text);
  });

  test('rules change live; an administrator\'s role never hides anything', async () => {
    role = await patchRole(role, { field_rules: { accounts: { phone: 'hidden' } } });
    const g = await fr.c.get(`/accounts/${acc.id}`);
    assert.equal(g.body.annual_revenue, REV, 'revenue visible at the next request');
    assert.ok(!('phone' in g.body), 'phone hidden at the next request');
    const w = await fr.c.patch(`/accounts/${acc.id}`, { annual_revenue: '7.77' });
    assert.equal(w.status, 200, w.text);
    role = await patchRole(role, { field_rules: { accounts: { annual_revenue: 'hidden', phone: 'readonly' } } });
    assert.ok(!('annual_revenue' in (await fr.c.get(`/accounts/${acc.id}`)).body));

    const adm = (await admin.get('/roles?key=admin')).body.data[0];
    const p = await patchRole(adm, { field_rules: { accounts: { annual_revenue: 'hidden', phone: 'readonly' } } });
    try {
      const g2 = await admin.get(`/accounts/${acc.id}`);
      assert.equal(g2.body.annual_revenue, '7.77', 'admin still sees hidden fields');
      assert.ok((await metaEntity(admin, 'accounts')).fields.some((f) => f.name === 'annual_revenue'));
      const w2 = await admin.patch(`/accounts/${acc.id}`, { phone: '+86 10 7777 8888' });
      assert.equal(w2.status, 200, w2.text);
    } finally {
      await patchRole(p, { field_rules: null });
    }
  });
});

describe('team_and_below through teams.parent_id', () => {
  let top, mid, low, side, below, plain;
  const T = {}; // team records
  const P = {}; // people
  const A = {}; // accounts
  let CITY;
  before(async () => {
    CITY = uniq('Treecity');
    T.top = await createTeam(admin, uniq('Top'));
    T.mid = await createTeam(admin, uniq('Mid'), { parent_id: T.top.id });
    T.low = await createTeam(admin, uniq('Low'), { parent_id: T.mid.id });
    T.side = await createTeam(admin, uniq('Side'));
    below = await newRole({ grants: { accounts: { read: 'team_and_below', edit: 'team_and_below' } } });
    plain = await newRole({ grants: { accounts: { read: 'team', edit: 'team' } } });
    for (const t of ['top', 'mid', 'low', 'side']) {
      P[t] = await person('sales', [T[t].id]);
      A[t] = await create(P[t].c, 'accounts', { name: uniq(`Tree ${t}`), billing_city: CITY });
    }
    P.topBelow = await person(below.key, [T.top.id]);
    P.topPlain = await person(plain.key, [T.top.id]);
    P.midBelow = await person(below.key, [T.mid.id]);
    [top, mid, low, side] = ['top', 'mid', 'low', 'side'].map((t) => A[t]);
  });

  // Puts the hierarchy back as built (top > mid > low, side apart), whatever a test did.
  async function tree() {
    for (const [t, parent] of [['side', null], ['low', T.mid.id], ['mid', T.top.id], ['top', null]]) {
      const r = await admin.patch(`/teams/${T[t].id}`, { parent_id: parent });
      assert.equal(r.status, 200, r.text);
    }
    const r = await admin.patch(`/users/${P.side.user.id}`, { team_ids: [T.side.id] });
    assert.equal(r.status, 200, r.text);
  }

  test('team_and_below on the top team sees all three levels; plain team only its own', async () => {
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid, low));
    assert.equal((await P.topBelow.c.get(`/accounts/${low.id}`)).status, 200);
    assertProblem(await P.topBelow.c.get(`/accounts/${side.id}`), 404);
    assert.deepEqual(await listed(P.topPlain.c, `billing_city=${CITY}`), ids(top));
    assertProblem(await P.topPlain.c.get(`/accounts/${mid.id}`), 404);
    assertProblem(await P.topPlain.c.get(`/accounts/${low.id}`), 404);
    assert.deepEqual(await listed(P.midBelow.c, `billing_city=${CITY}`), ids(mid, low), 'from the middle: mid and low');
    assertProblem(await P.midBelow.c.get(`/accounts/${top.id}`), 404, 'not upwards');
    // Search and edits follow the same scope.
    const s = await P.topBelow.c.get(`/search?q=${encodeURIComponent(low.name)}`);
    assert.ok(s.body.data.some((x) => x.id === low.id), 'search finds the grandchild team\'s record');
    const e = await P.topBelow.c.patch(`/accounts/${low.id}`, { tier: 'B' });
    assert.equal(e.status, 200, e.text);
    assertProblem(await P.topBelow.c.patch(`/accounts/${side.id}`, { tier: 'B' }), 404);
    assertProblem(await P.topPlain.c.patch(`/accounts/${low.id}`, { tier: 'C' }), 404);
    assert.deepEqual((await metaEntity(P.topBelow.c, 'accounts')).permissions.read, 'team_and_below');
  });

  test('changing a team\'s parent_id changes what they see at once', async () => {
    await tree();
    let r = await admin.patch(`/teams/${T.low.id}`, { parent_id: null });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid));
    assert.deepEqual(await listed(P.midBelow.c, `billing_city=${CITY}`), ids(mid));
    assertProblem(await P.topBelow.c.get(`/accounts/${low.id}`), 404);

    r = await admin.patch(`/teams/${T.side.id}`, { parent_id: T.low.id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid), 'low is detached: side below it stays out');

    r = await admin.patch(`/teams/${T.low.id}`, { parent_id: T.mid.id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid, low, side), 'four levels now');
    assert.deepEqual(await listed(P.midBelow.c, `billing_city=${CITY}`), ids(mid, low, side));
    assert.deepEqual(await listed(P.topPlain.c, `billing_city=${CITY}`), ids(top), 'plain team unaffected');
    assert.equal((await P.topBelow.c.get(`/accounts/${side.id}`)).status, 200);

    r = await admin.patch(`/teams/${T.side.id}`, { parent_id: null });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid, low));
  });

  test('a user moving into a team below is seen at once', async () => {
    await tree();
    assert.equal((await admin.patch(`/users/${P.side.user.id}`, { team_ids: [T.side.id, T.low.id] })).status, 200);
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid, low, side));
    assert.equal((await admin.patch(`/users/${P.side.user.id}`, { team_ids: [T.side.id] })).status, 200);
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid, low));
  });

  test('a loop of parents is refused (422 on parent_id), nothing changes', async () => {
    await tree();
    const cases = [[T.top, T.low], [T.top, T.mid], [T.mid, T.low], [T.top, T.top], [T.low, T.low]];
    for (const [team, parent] of cases) {
      const r = await admin.patch(`/teams/${team.id}`, { parent_id: parent.id });
      assertProblem(r, 422, `${team.name} under ${parent.name}`);
      assert.ok(r.body.errors.some((e) => e.field === 'parent_id'), r.text);
    }
    assert.equal((await admin.get(`/teams/${T.top.id}`)).body.parent_id, null);
    assert.equal((await admin.get(`/teams/${T.mid.id}`)).body.parent_id, T.top.id);
    assert.equal((await admin.get(`/teams/${T.low.id}`)).body.parent_id, T.mid.id);
    assertProblem(await admin.post('/teams', { name: uniq('Orphan'), parent_id: NOSUCH_ID }), 422);
    // The hierarchy still works after the refusals.
    assert.deepEqual(await listed(P.topBelow.c, `billing_city=${CITY}`), ids(top, mid, low));
  });
});
