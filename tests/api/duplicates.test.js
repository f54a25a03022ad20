// Duplicate detection (409 with candidates) and merge, with English and Chinese data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UUID_RE, assertProblem, createTeam, createUser, login, loginAdmin, startServer, uniq } from './helpers.js';

const D = { dupCheck: true };

describe('duplicates', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  async function make(res, body) {
    const r = await admin.post(`/${res}`, body, D);
    assert.equal(r.status, 201, r.text);
    return r.body;
  }

  async function expectDup(res, body, id, reason) {
    const r = await admin.post(`/${res}`, body, D);
    const p = assertProblem(r, 409);
    const hit = p.duplicates.find((d) => d.id === id);
    assert.ok(hit, `expected ${id} among ${JSON.stringify(p.duplicates.map((d) => d.id))}`);
    assert.ok(hit.reasons.includes(reason), `reasons ${hit.reasons}`);
    assert.ok(hit.score >= 85 && hit.score <= 100);
    assert.equal(hit.record.id, id);
    return p;
  }

  test('Chinese company names match without their legal form', async () => {
    const a = await make('accounts', { name: '深圳华信科技有限公司' });
    await expectDup('accounts', { name: '深圳华信科技' }, a.id, 'name');
    await expectDup('accounts', { name: '深圳华信科技股份有限公司' }, a.id, 'name');
  });

  test('English names: case, punctuation and legal forms ignored, small typos caught', async () => {
    const a = await make('accounts', { name: 'Vandelay Industries Inc.' });
    await expectDup('accounts', { name: 'VANDELAY INDUSTRIES, LLC' }, a.id, 'name');
    await expectDup('accounts', { name: 'Vandelay Industriess' }, a.id, 'name');
    const other = await admin.post('/accounts', { name: 'Kramerica Holdings' }, D);
    assert.equal(other.status, 201, 'an unrelated name is no duplicate');
  });

  test('phones in three spellings, tax IDs and e-mails', async () => {
    const a = await make('accounts', { name: uniq('Phone Co'), phone: '+86 138-0013-8000', tax_id: '91-4403-00X' });
    await expectDup('accounts', { name: uniq('Other'), phone: '8613800138000' }, a.id, 'phone');
    await expectDup('accounts', { name: uniq('Other'), phone: '13800138000' }, a.id, 'phone');
    await expectDup('accounts', { name: uniq('Other'), tax_id: '914403 00x' }, a.id, 'tax_id');
    const c = await make('contacts', { last_name: uniq('Li'), email: 'Li.Wei+crm@gmail.com' });
    await expectDup('contacts', { last_name: uniq('Lee'), email: 'liwei@googlemail.com' }, c.id, 'email');
    const l = await make('leads', { last_name: uniq('Zh'), email: 'buyer@example.com' });
    await expectDup('leads', { last_name: uniq('Zh'), email: 'BUYER@Example.com' }, l.id, 'email');
  });

  test('allow_duplicate=true saves; a failed check saves nothing', async () => {
    const a = await make('accounts', { name: 'Prestige Worldwide GmbH' });
    const before = (await admin.get('/accounts?count=true&limit=1')).body.total;
    await expectDup('accounts', { name: 'Prestige Worldwide' }, a.id, 'name');
    assert.equal((await admin.get('/accounts?count=true&limit=1')).body.total, before);
    const ok = await admin.post('/accounts?allow_duplicate=true', { name: 'Prestige Worldwide' }, D);
    assert.equal(ok.status, 201);
    const g = await admin.get('/accounts/duplicates');
    assert.equal(g.status, 200);
    assert.ok(g.body.data.some((grp) => grp.records.some((r) => r.id === a.id)));
  });

  test('an invisible look-alike does not leak or block', async () => {
    const t1 = await createTeam(admin, uniq('t1'));
    const t2 = await createTeam(admin, uniq('t2'));
    const u1 = uniq('rep'); const u2 = uniq('rep');
    await createUser(admin, { username: u1, role: 'sales', team_ids: [t1.id] });
    await createUser(admin, { username: u2, role: 'sales', team_ids: [t2.id] });
    const c1 = await login(srv.base, u1, 'password-123');
    const c2 = await login(srv.base, u2, 'password-123');
    const name = `Secretive ${uniq('Corp')}`;
    assert.equal((await c1.post('/accounts', { name }, D)).status, 201);
    const r = await c2.post('/accounts', { name }, D);
    assert.equal(r.status, 201, 'a record the caller cannot see is not reported');
  });

  test('merge keeps everything reachable from the survivor and records it', async () => {
    const keep = await make('accounts', { name: uniq('Keep Ltd') });
    const gone = await admin.post('/accounts?allow_duplicate=true', { name: uniq('Gone Ltd') }, D);
    const g = gone.body;
    const contact = (await admin.post('/contacts?allow_duplicate=true', { last_name: uniq('C'), account_id: g.id }, D)).body;
    const deal = (await admin.post('/opportunities', { name: 'Deal', account_id: g.id, amount: '5.00' })).body;
    const act = (await admin.post('/activities', { type: 'note', subject: 'n', related_type: 'accounts', related_id: g.id })).body;
    const child = (await admin.post('/accounts?allow_duplicate=true', { name: uniq('Child'), parent_id: g.id }, D)).body;
    const r = await admin.post(`/accounts/${keep.id}/merge`, { from: [g.id], fields: { tier: 'A' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.tier, 'A');
    assert.equal((await admin.get(`/contacts/${contact.id}`)).body.account_id, keep.id);
    assert.equal((await admin.get(`/opportunities/${deal.id}`)).body.account_id, keep.id);
    assert.equal((await admin.get(`/activities/${act.id}`)).body.related_id, keep.id);
    assert.equal((await admin.get(`/accounts/${child.id}`)).body.parent_id, keep.id);
    assertProblem(await admin.get(`/accounts/${g.id}`), 404);
    const bin = await admin.get(`/accounts?deleted=only&id=${g.id}`);
    assert.equal(bin.body.data.length, 1, 'the merged record is in the recycle bin');
    const h = (await admin.get(`/accounts/${keep.id}/history`)).body.data;
    assert.ok(h.some((x) => x.action === 'merge' && x.new === g.id));
    const hg = (await admin.get(`/accounts/${g.id}/history`)).body.data;
    assert.ok(hg.some((x) => x.action === 'merged_into' && x.new === keep.id));
  });

  test('merge needs edit rights on the survivor and on every merged record', async () => {
    const team = await createTeam(admin, uniq('merge-team'));
    const me = uniq('rep'); const mate = uniq('rep');
    await createUser(admin, { username: me, role: 'sales', team_ids: [team.id] });
    await createUser(admin, { username: mate, role: 'sales', team_ids: [team.id] });
    const rep = await login(srv.base, me, 'password-123');
    const other = await login(srv.base, mate, 'password-123');
    const mine = (await rep.post('/accounts?allow_duplicate=true', { name: uniq('Mine Co') }, D)).body;
    const contact = (await rep.post('/contacts?allow_duplicate=true', { last_name: uniq('M'), account_id: mine.id }, D)).body;
    const theirs = (await other.post('/accounts?allow_duplicate=true', { name: uniq('Theirs Co') }, D)).body;
    assert.equal((await rep.get(`/accounts/${theirs.id}`)).status, 200, 'a teammate\'s account is readable');
    // Onto a teammate's account: 403 with or without fields, and nothing moves.
    for (const body of [{ from: [mine.id] }, { from: [mine.id], fields: { tier: 'A' } }]) {
      assertProblem(await rep.post(`/accounts/${theirs.id}/merge`, body), 403);
    }
    // A teammate's account merged away into mine: 403 too.
    assertProblem(await rep.post(`/accounts/${mine.id}/merge`, { from: [theirs.id] }), 403);
    assert.equal((await rep.get(`/contacts/${contact.id}`)).body.account_id, mine.id);
    assert.equal((await rep.get(`/accounts/${mine.id}`)).body.version, 1);
    assert.equal((await rep.get(`/accounts/${theirs.id}`)).body.version, 1);
    // Their own two records merge.
    const mine2 = (await rep.post('/accounts?allow_duplicate=true', { name: uniq('Mine Two') }, D)).body;
    const ok = await rep.post(`/accounts/${mine2.id}/merge`, { from: [mine.id] });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await rep.get(`/contacts/${contact.id}`)).body.account_id, mine2.id);
  });

  test('merge errors change nothing', async () => {
    const keep = await make('accounts', { name: uniq('K2') });
    assertProblem(await admin.post(`/accounts/${keep.id}/merge`, { from: [keep.id] }), 422);
    assertProblem(await admin.post(`/accounts/${keep.id}/merge`, { from: [] }), 422);
    assertProblem(await admin.post(`/accounts/${keep.id}/merge`, { from: ['01a20000-0000-7000-8000-000000000000'] }), 422);
    assertProblem(await admin.post(`/accounts/${keep.id}/merge`, { from: [keep.id], bogus: 1 }), 422);
    assertProblem(await admin.post(`/users/${keep.id}/merge`, { from: [keep.id] }), 404);
    assert.equal((await admin.get(`/accounts/${keep.id}`)).body.version, 1);
  });
});

// Groups whose members are partly hidden from the caller: a group left with one visible
// record (or none) is dropped, and must not leave a zeroed record behind for the next
// group (that crashed the server for a sales rep and a manager).
describe('duplicate groups as every role, some members hidden', () => {
  let srv;
  let admin;
  const ROLES = ['admin', 'manager', 'sales', 'support', 'marketing', 'partner', 'readonly'];
  const clients = {};
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const t1 = await createTeam(admin, uniq('t1'));
    const t2 = await createTeam(admin, uniq('t2'));
    const owners = {};
    for (const [name, team] of [['repA', t1], ['repB', t1], ['repC', t2]]) {
      owners[name] = (await createUser(admin, { username: uniq(name.toLowerCase()), role: 'sales', team_ids: [team.id] })).id;
    }
    owners.admin = (await admin.get('/auth/me')).body.user.id;
    for (const role of ROLES) {
      const username = uniq(role);
      await createUser(admin, { username, role, team_ids: [t1.id] });
      clients[role] = await login(srv.base, username, 'password-123');
      owners[role] = (await clients[role].get('/auth/me')).body.user.id;
    }
    // Owners of each group's members, in an order that alternates kept and dropped
    // groups for team t1 (keys sort by the group's letter).
    const groups = [
      ['admin', 'repC'], ['repA', 'repC'], ['repA', 'repB'], ['repC', 'admin', 'repA'],
      ['repA', 'repB', 'repC'], ['partner', 'repC'], ['partner', 'partner', 'repA'],
      ['repC', 'repC'], ['repB', 'repA'],
    ];
    const letters = 'bcdfghjkl';
    for (let g = 0; g < groups.length; g++) {
      const tag = `${letters[g]}${letters[g]}q${g}`;
      for (const who of groups[g]) {
        const owner_id = owners[who];
        const q = '?allow_duplicate=true';
        assert.equal((await admin.post(`/accounts${q}`, { name: `${tag} Trading ${g}`, owner_id }, D)).status, 201);
        assert.equal((await admin.post(`/contacts${q}`, { last_name: `${tag}-c`, email: `${tag}@dup.example`, owner_id }, D)).status, 201);
        assert.equal((await admin.post(`/leads${q}`, { last_name: `${tag}-l`, email: `${tag}@lead.example`, owner_id }, D)).status, 201);
      }
    }
  });
  after(async () => { await srv.stop(); });

  for (const res of ['accounts', 'contacts', 'leads']) {
    test(`/${res}/duplicates answers every role with whole, visible groups only`, async () => {
      for (const role of ROLES) {
        const c = clients[role];
        const r = await c.get(`/${res}/duplicates`);
        assert.equal(r.status, 200, `${role}: ${r.status} ${r.text.slice(0, 200)}`);
        for (const g of r.body.data) {
          assert.ok(g.records.length >= 2, `${role}: a group of ${g.records.length}`);
          for (const rec of g.records) {
            assert.match(rec.id ?? '', UUID_RE, `${role}: a record without an id in ${JSON.stringify(g)}`);
            assert.equal((await c.get(`/${res}/${rec.id}`)).status, 200, `${role} sees ${rec.id}`);
          }
        }
        // Every group the caller can see whole is there: compare with what admin sees.
        const all = (await admin.get(`/${res}/duplicates`)).body.data;
        let expected = 0;
        for (const g of all) {
          let visible = 0;
          for (const rec of g.records) visible += (await c.get(`/${res}/${rec.id}`)).status === 200 ? 1 : 0;
          if (visible >= 2) expected++;
        }
        assert.equal(r.body.data.length, expected, `${role}: groups`);
      }
      assert.equal((await fetch(`${srv.base}/healthz`)).status, 200, 'the server is alive');
    });
  }
});
