// Permissions by role: records out of scope are invisible everywhere (404, lists,
// counts, sums, search, history); writes outside the role's scope are refused.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem,
} from './helpers.js';

let srv;
let admin;
let team1;
let team2;
const u = {}; // user records
const c = {}; // clients
const r = {}; // records
const CITY = 'Permcity' + Date.now().toString(36);
const WORD = 'Permword';

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  team1 = await createTeam(admin, 'Team One');
  team2 = await createTeam(admin, 'Team Two');
  const defs = {
    salesA: ['sales', [team1.id]],
    salesA2: ['sales', [team1.id]],
    salesB: ['sales', [team2.id]],
    manager1: ['manager', [team1.id]],
    readonly: ['readonly', []],
  };
  for (const [name, [role, teams]] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name.toLowerCase(), password: `pw-${name}-12345678`, role, team_ids: teams });
    c[name] = await login(srv.base, name.toLowerCase(), `pw-${name}-12345678`);
  }
  r.A = await create(c.salesA, 'accounts', { name: `${WORD} Alpha`, billing_city: CITY, annual_revenue: '1.00' });
  r.A2 = await create(c.salesA2, 'accounts', { name: `${WORD} Alpha Two`, billing_city: CITY, annual_revenue: '2.00' });
  r.B = await create(c.salesB, 'accounts', { name: `${WORD} Bravo`, billing_city: CITY, annual_revenue: '4.00' });
  r.Bgone = await create(c.salesB, 'accounts', { name: `${WORD} Bravo Gone`, billing_city: CITY + 'x' });
  assert.equal((await admin.del(`/accounts/${r.Bgone.id}`)).status, 204);
  r.Agone = await create(c.salesA, 'accounts', { name: `${WORD} Alpha Gone`, billing_city: CITY + 'x' });
  assert.equal((await c.salesA.del(`/accounts/${r.Agone.id}`)).status, 204);
  r.Bcontact = await create(c.salesB, 'contacts', { last_name: `${WORD}Contact`, account_id: r.B.id });
});
after(async () => { await srv?.stop(); });

async function visibleIds(client, query = '') {
  const res = await client.get(`/accounts?billing_city=${CITY}&limit=500${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body.data.map((x) => x.id).sort();
}
const ids = (...recs) => recs.map((x) => x.id).sort();

describe('ownership defaults', () => {
  test('a record is owned by and created by its creator', () => {
    assert.equal(r.A.owner_id, u.salesA.id);
    assert.equal(r.A.created_by, u.salesA.id);
    assert.equal(r.B.owner_id, u.salesB.id);
  });
});

describe('sales user A (team 1) vs record of sales user B (team 2)', () => {
  test('GET → 404 (not 403)', async () => {
    assertProblem(await c.salesA.get(`/accounts/${r.B.id}`), 404);
    assertProblem(await c.salesA.get(`/contacts/${r.Bcontact.id}`), 404);
  });

  test('list, count and sum exclude it', async () => {
    assert.deepEqual(await visibleIds(c.salesA), ids(r.A, r.A2));
    const res = await c.salesA.get(`/accounts?billing_city=${CITY}&count=true&sum=annual_revenue`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.total, 2);
    assert.equal(res.body.sum.annual_revenue, '3.00');
    const all = await c.salesA.get('/accounts?count=true&limit=500');
    assert.ok(!all.body.data.some((x) => x.id === r.B.id));
    assert.equal(all.body.total, all.body.data.length);
    const ct = await c.salesA.get('/contacts?count=true');
    assert.equal(ct.body.total, 0);
    assert.deepEqual(ct.body.data, []);
  });

  test('filters and sorts cannot reveal it', async () => {
    assert.deepEqual((await c.salesA.get(`/accounts?name=${encodeURIComponent(r.B.name)}`)).body.data, []);
    assert.deepEqual((await c.salesA.get(`/accounts?owner_id=${u.salesB.id}`)).body.data, []);
    const gt = await c.salesA.get(`/accounts?billing_city=${CITY}&annual_revenue[gt]=3&count=true`);
    assert.equal(gt.body.total, 0);
    const { body } = await c.salesA.get(`/accounts?billing_city=${CITY}&sort=-annual_revenue&limit=1`);
    assert.equal(body.data[0].id, r.A2.id);
  });

  test('q and /search exclude it', async () => {
    const q = await c.salesA.get(`/accounts?q=Bravo`);
    assert.equal(q.status, 200);
    assert.deepEqual(q.body.data, []);
    const s = await c.salesA.get(`/search?q=${WORD}`);
    assert.equal(s.status, 200, s.text);
    const found = s.body.data.map((x) => x.id);
    assert.ok(found.includes(r.A.id), 'own record found');
    assert.ok(!found.includes(r.B.id), 'B record not found');
    assert.ok(!found.includes(r.Bcontact.id), 'B contact not found');
    assert.ok(!JSON.stringify(s.body).includes('Bravo'));
  });

  test('history → 404', async () => {
    assertProblem(await c.salesA.get(`/accounts/${r.B.id}/history`), 404);
  });

  test('PATCH and DELETE → 404, nothing changes', async () => {
    assertProblem(await c.salesA.patch(`/accounts/${r.B.id}`, { name: 'hijacked' }), 404);
    assertProblem(await c.salesA.patch(`/accounts/${r.B.id}`, { name: 'hijacked' }, { headers: { 'if-match': '"1"' } }), 404);
    assertProblem(await c.salesA.del(`/accounts/${r.B.id}`), 404);
    const g = await admin.get(`/accounts/${r.B.id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, r.B);
  });

  test('recycle bin: the other team\'s deleted record is invisible and cannot be restored', async () => {
    const bin = await c.salesA.get('/accounts?deleted=only&limit=500');
    assert.equal(bin.status, 200, bin.text);
    const binIds = bin.body.data.map((x) => x.id);
    assert.ok(!binIds.includes(r.Bgone.id));
    assert.ok(binIds.includes(r.Agone.id), 'own deleted record in own bin');
    assertProblem(await c.salesA.post(`/accounts/${r.Bgone.id}/restore`), 404);
    assertProblem(await admin.get(`/accounts/${r.Bgone.id}`), 404, 'still deleted');
  });

  test('a contact cannot reference an invisible account → 422', async () => {
    const res = await c.salesA.post('/contacts', { last_name: 'Sneaky', account_id: r.B.id });
    assertProblem(res, 422);
    assert.ok(res.body.errors.some((e) => e.field === 'account_id'));
    const p = await c.salesA.post('/accounts', { name: 'Child of B', parent_id: r.B.id });
    assertProblem(p, 422);
  });

  test('PATCH of an own contact to point at an invisible account → 422, nothing changes', async () => {
    const own = await create(c.salesA, 'contacts', { last_name: 'Own contact', account_id: r.A.id });
    const res = await c.salesA.patch(`/contacts/${own.id}`, { account_id: r.B.id });
    assertProblem(res, 422);
    assert.equal((await admin.get(`/contacts/${own.id}`)).body.account_id, r.A.id);
  });

  test('ids in the 404 answer do not differ from a non-existent id (no existence leak)', async () => {
    const a = await c.salesA.get(`/accounts/${r.B.id}`);
    const b = await c.salesA.get('/accounts/00000000-0000-7000-8000-000000000000');
    assert.equal(a.status, b.status);
    assert.equal(a.body.title, b.body.title);
    assert.ok(!a.text.includes('Bravo'));
  });

  test('B likewise cannot see A', async () => {
    assert.deepEqual(await visibleIds(c.salesB), ids(r.B));
    assertProblem(await c.salesB.get(`/accounts/${r.A.id}`), 404);
  });
});

describe('sales: read team, write own', () => {
  test('A reads the team mate\'s record', async () => {
    const g = await c.salesA.get(`/accounts/${r.A2.id}`);
    assert.equal(g.status, 200, g.text);
    const h = await c.salesA.get(`/accounts/${r.A2.id}/history`);
    assert.equal(h.status, 200);
  });

  test('GET tells in Allow what the caller may do with the record: the UI offers only that', async () => {
    assert.equal((await c.salesA.get(`/accounts/${r.A2.id}`)).headers.get('allow'), 'GET');
    assert.equal((await c.salesA.get(`/accounts/${r.A.id}`)).headers.get('allow'), 'GET, PATCH, DELETE');
    assert.equal((await c.manager1.get(`/accounts/${r.A2.id}`)).headers.get('allow'), 'GET, PATCH, DELETE');
    assert.equal((await c.readonly.get(`/accounts/${r.A.id}`)).headers.get('allow'), 'GET');
    // Users are deactivated, never deleted.
    assert.equal((await admin.get(`/users/${u.salesA.id}`)).headers.get('allow'), 'GET, PATCH');
    // A record shared for editing may be changed, not deleted.
    const shared = await create(c.salesB, 'accounts', { name: 'Shared with A for editing' });
    assert.equal((await c.salesB.post(`/accounts/${shared.id}/shares`, { user_id: u.salesA.id, access: 'edit' })).status, 201);
    assert.equal((await c.salesA.get(`/accounts/${shared.id}`)).headers.get('allow'), 'GET, PATCH');
    assert.equal((await c.salesA.patch(`/accounts/${shared.id}`, { tier: 'C' })).status, 200);
    assertProblem(await c.salesA.del(`/accounts/${shared.id}`), 403);
  });

  test('A cannot edit or delete the team mate\'s record (403), nothing changes', async () => {
    assertProblem(await c.salesA.patch(`/accounts/${r.A2.id}`, { name: 'edited by A' }), 403);
    assertProblem(await c.salesA.del(`/accounts/${r.A2.id}`), 403);
    const g = await admin.get(`/accounts/${r.A2.id}`);
    assert.deepEqual(g.body, r.A2);
  });

  test('A edits and deletes own records', async () => {
    const own = await create(c.salesA, 'accounts', { name: 'A own temp' });
    const p = await c.salesA.patch(`/accounts/${own.id}`, { tier: 'B' });
    assert.equal(p.status, 200, p.text);
    assert.equal((await c.salesA.del(`/accounts/${own.id}`)).status, 204);
    assert.equal((await c.salesA.post(`/accounts/${own.id}/restore`)).status, 200);
  });

  test('creating a record owned by someone else → 403; by self → 201', async () => {
    const before0 = await admin.get('/accounts?count=true&limit=1');
    assertProblem(await c.salesA.post('/accounts', { name: 'For B', owner_id: u.salesB.id }), 403);
    assertProblem(await c.salesA.post('/accounts', { name: 'For A2', owner_id: u.salesA2.id }), 403);
    const after0 = await admin.get('/accounts?count=true&limit=1');
    assert.equal(after0.body.total, before0.body.total);
    const ok = await c.salesA.post('/accounts', { name: 'For me', owner_id: u.salesA.id });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.owner_id, u.salesA.id);
  });

  test('giving away an own record by PATCH owner_id → 403', async () => {
    const own = await create(c.salesA, 'accounts', { name: 'A keeps' });
    assertProblem(await c.salesA.patch(`/accounts/${own.id}`, { owner_id: u.salesB.id }), 403);
    assert.equal((await admin.get(`/accounts/${own.id}`)).body.owner_id, u.salesA.id);
  });

  test('A may link an own contact to a team mate\'s (readable) account', async () => {
    const ct = await c.salesA.post('/contacts', { last_name: 'Linked', account_id: r.A2.id });
    assert.equal(ct.status, 201, ct.text);
  });

  test('A cannot restore a team mate\'s deleted record (403), nor see it restored', async () => {
    const tmp = await create(c.salesA2, 'accounts', { name: 'A2 bin item' });
    assert.equal((await c.salesA2.del(`/accounts/${tmp.id}`)).status, 204);
    const res = await c.salesA.post(`/accounts/${tmp.id}/restore`);
    assert.ok([403, 404].includes(res.status), `got ${res.status}`);
    assertProblem(await admin.get(`/accounts/${tmp.id}`), 404, 'still deleted');
  });

  test('owner_id must reference an existing user', async () => {
    const res = await admin.post('/accounts', { name: 'Nobody owns', owner_id: '00000000-0000-7000-8000-000000000000' });
    assertProblem(res, 422);
  });
});

describe('manager of team 1', () => {
  test('sees team-1 records, not team-2 ones', async () => {
    assert.deepEqual(await visibleIds(c.manager1), ids(r.A, r.A2));
    assertProblem(await c.manager1.get(`/accounts/${r.B.id}`), 404);
    const s = await c.manager1.get(`/accounts?billing_city=${CITY}&count=true&sum=annual_revenue`);
    assert.equal(s.body.total, 2);
    assert.equal(s.body.sum.annual_revenue, '3.00');
    const search = await c.manager1.get(`/search?q=${WORD}`);
    assert.ok(!search.body.data.some((x) => x.id === r.B.id));
    assertProblem(await c.manager1.patch(`/accounts/${r.B.id}`, { tier: 'A' }), 404);
    assertProblem(await c.manager1.del(`/accounts/${r.B.id}`), 404);
  });

  test('edits and deletes team-1 records', async () => {
    const p = await c.manager1.patch(`/accounts/${r.A.id}`, { tier: 'A' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.tier, 'A');
    r.A = p.body;
    const tmp = await create(c.salesA2, 'accounts', { name: 'Manager deletes this' });
    assert.equal((await c.manager1.del(`/accounts/${tmp.id}`)).status, 204);
    assert.equal((await c.manager1.post(`/accounts/${tmp.id}/restore`)).status, 200);
  });

  test('cannot create records for users outside the team (403)', async () => {
    assertProblem(await c.manager1.post('/accounts', { name: 'For team 2', owner_id: u.salesB.id }), 403);
    const ok = await c.manager1.post('/accounts', { name: 'For team mate', owner_id: u.salesA.id });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.owner_id, u.salesA.id);
    assert.equal(ok.body.created_by, u.manager1.id);
  });

  test('can reassign within the team', async () => {
    const tmp = await create(c.salesA, 'accounts', { name: 'Reassign me' });
    const p = await c.manager1.patch(`/accounts/${tmp.id}`, { owner_id: u.salesA2.id });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.owner_id, u.salesA2.id);
    const h = await admin.get(`/accounts/${tmp.id}/history`);
    assert.ok(h.body.data.some((e) => e.field === 'owner_id' && e.old === u.salesA.id && e.new === u.salesA2.id));
  });
});

describe('admin and readonly', () => {
  test('admin sees everything', async () => {
    assert.deepEqual(await visibleIds(admin), ids(r.A, r.A2, r.B));
    const s = await admin.get(`/accounts?billing_city=${CITY}&sum=annual_revenue&count=true`);
    assert.equal(s.body.total, 3);
    assert.equal(s.body.sum.annual_revenue, '7.00');
    const search = await admin.get(`/search?q=${WORD}`);
    const found = search.body.data.map((x) => x.id);
    for (const x of [r.A, r.A2, r.B, r.Bcontact]) assert.ok(found.includes(x.id), `admin search finds ${x.id}`);
  });

  test('readonly reads all', async () => {
    assert.deepEqual(await visibleIds(c.readonly), ids(r.A, r.A2, r.B));
    assert.equal((await c.readonly.get(`/accounts/${r.B.id}`)).status, 200);
    assert.equal((await c.readonly.get(`/contacts/${r.Bcontact.id}`)).status, 200);
  });

  test('readonly cannot write (403) and nothing changes', async () => {
    const before0 = await admin.get('/accounts?count=true&limit=1');
    assertProblem(await c.readonly.post('/accounts', { name: 'RO create' }), 403);
    assertProblem(await c.readonly.post('/contacts', { last_name: 'RO' }), 403);
    assertProblem(await c.readonly.patch(`/accounts/${r.B.id}`, { name: 'RO edit' }), 403);
    assertProblem(await c.readonly.del(`/accounts/${r.B.id}`), 403);
    assertProblem(await c.readonly.post(`/accounts/${r.Bgone.id}/restore`), 403);
    const after0 = await admin.get('/accounts?count=true&limit=1');
    assert.equal(after0.body.total, before0.body.total);
    assert.deepEqual((await admin.get(`/accounts/${r.B.id}`)).body, r.B);
  });

  test('readonly reads through an API token too, still no writes', async () => {
    const t = await c.readonly.post('/tokens', { name: 'ro token' });
    assert.equal(t.status, 201, t.text);
    const { Client } = await import('./helpers.js');
    const tc = new Client(srv.base, { token: t.body.token });
    assert.equal((await tc.get(`/accounts/${r.B.id}`)).status, 200);
    assertProblem(await tc.post('/accounts', { name: 'RO via token' }), 403);
  });
});

describe('tokens carry the user\'s permissions', () => {
  test('sales A token sees what A sees', async () => {
    const t = await c.salesA.post('/tokens', { name: 'A token' });
    assert.equal(t.status, 201, t.text);
    const { Client } = await import('./helpers.js');
    const tc = new Client(srv.base, { token: t.body.token });
    assertProblem(await tc.get(`/accounts/${r.B.id}`), 404);
    assert.equal((await tc.get(`/accounts/${r.A.id}`)).status, 200);
  });
});

describe('team changes take effect at once', () => {
  test('moving B into team 1 makes B\'s records visible to A and the manager; moving back hides them', async () => {
    const p = await admin.patch(`/users/${u.salesB.id}`, { team_ids: [team1.id] });
    assert.equal(p.status, 200, p.text);
    assert.equal((await c.salesA.get(`/accounts/${r.B.id}`)).status, 200);
    assert.deepEqual(await visibleIds(c.manager1), ids(r.A, r.A2, r.B));
    const back = await admin.patch(`/users/${u.salesB.id}`, { team_ids: [team2.id] });
    assert.equal(back.status, 200, back.text);
    assertProblem(await c.salesA.get(`/accounts/${r.B.id}`), 404);
    assert.deepEqual(await visibleIds(c.manager1), ids(r.A, r.A2));
  });

  test('a role change takes effect at once (sales → readonly cannot write)', async () => {
    const p = await admin.patch(`/users/${u.salesA2.id}`, { role: 'readonly' });
    assert.equal(p.status, 200, p.text);
    assertProblem(await c.salesA2.post('/accounts', { name: 'after demotion' }), 403);
    assert.equal((await c.salesA2.get(`/accounts/${r.B.id}`)).status, 200, 'readonly reads all');
  });
});
