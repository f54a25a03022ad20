// Record shares (GET/POST /{res}/{id}/shares, DELETE /{res}/{id}/shares/{share_id}):
// a record shared with a user, or a team they are in, is visible to them on every path
// (GET, list, count, ?q=, /search, history, timeline, shares, CSV export, pipeline
// totals) and disappears from all of them once the share is removed; read vs edit
// access (an edit share never deletes, nor takes the record over); re-sharing
// replaces; team shares follow team membership; who may share; validation; the
// share/unshare history rows; a user with 1,000 shares still lists, counts and exports
// correctly (the export, more than one page, is the file's last test).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq, listAll,
  UUID_RE, RFC3339_Z_RE,
} from './helpers.js';

const PW = 'pw-shares-12345678';
const NOSUCH_ID = '00000000-0000-7000-8000-000000000000';
// One search token (letters and digits only) that only this file's records carry.
const WORD = `Shr${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

let srv;
let admin;
const T = {}; // teams
const U = {}; // user records
const C = {}; // their clients
let acc;      // A's account, shared with B in the first suite
let opp;      // A's opportunity (the only one A owns), under acc

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  for (const t of ['X', 'Y', 'Z']) T[t] = await createTeam(admin, uniq(`Team ${t}`));
  const noRead = await admin.post('/roles', {
    key: uniq('leads_only').replace(/-/g, '_'), label: 'Leads only',
    grants: { leads: { read: 'own', create: 'own', edit: 'own' } },
  });
  assert.equal(noRead.status, 201, noRead.text);
  const people = {
    A: ['sales', [T.X.id]],      // the owner
    A2: ['sales', [T.X.id]],     // A's team mate: reads A's records, edits own only
    MGR: ['manager', [T.X.id]],  // edits the team's records
    B: ['sales', [T.Y.id]],      // the one shared with
    B2: ['sales', [T.Y.id]],     // B's team mate (team shares)
    C: ['sales', [T.Z.id]],      // never shared with
    RO: ['readonly', []],
    NOACC: [noRead.body.key, [T.Y.id]], // may not read accounts at all
  };
  for (const [name, [role, teams]] of Object.entries(people)) {
    const username = uniq(name.toLowerCase());
    U[name] = await createUser(admin, { username, password: PW, role, team_ids: teams });
    C[name] = await login(srv.base, username, PW);
  }
  acc = await create(C.A, 'accounts', { name: `${WORD} Account One` });
  opp = await create(C.A, 'opportunities', {
    name: `${WORD} Deal`, amount: '4321.09', stage: 'negotiation', account_id: acc.id,
  });
});
after(async () => { await srv?.stop(); });

// A CSV export as text (BOM stripped) with its status.
async function exportCsv(client, p) {
  const res = await fetch(`${client.base}/api/v1${p}`, { headers: { cookie: client.cookie } });
  return { status: res.status, text: (await res.text()).replace(/^\uFEFF/, '') };
}

// 200 → true, 404 → false, anything else → the status (a mismatch either way).
const seen = (r) => (r.status === 200 ? true : r.status === 404 ? false : `status ${r.status}`);

// Whether `client` sees `rec` of `res`, path by path.
async function paths(client, res, rec) {
  const out = {};
  const id = rec.id;
  out.get = seen(await client.get(`/${res}/${id}`));
  const l = await client.get(`/${res}?limit=500`);
  out.list = l.status === 200 ? l.body.data.some((x) => x.id === id) : `status ${l.status}`;
  const n = await client.get(`/${res}?name=${encodeURIComponent(rec.name)}&count=true`);
  out.count = n.status === 200 ? [0, 1].includes(n.body.total) ? n.body.total === 1 : `total ${n.body.total}` : `status ${n.status}`;
  const q = await client.get(`/${res}?q=${WORD}&limit=500&count=true`);
  out.q = q.status === 200 ? q.body.data.some((x) => x.id === id) : `status ${q.status}`;
  const s = await client.get(`/search?q=${WORD}`);
  out.search = s.status === 200 ? s.body.data.some((x) => x.id === id && x.entity === res) : `status ${s.status}`;
  out.history = seen(await client.get(`/${res}/${id}/history`));
  out.timeline = seen(await client.get(`/${res}/${id}/timeline`));
  out.shares = seen(await client.get(`/${res}/${id}/shares`));
  const ex = await exportCsv(client, `/${res}/export`);
  out.export = ex.status === 200 ? ex.text.includes(rec.name) : `status ${ex.status}`;
  if (res === 'opportunities') {
    const sum = await client.get(`/opportunities?name=${encodeURIComponent(rec.name)}&sum=amount`);
    out.sum = sum.status === 200 ? sum.body.sum.amount === rec.amount : `status ${sum.status}`;
    // A owns exactly one opportunity: the pipeline of A's deals, as client sees it.
    const pl = await client.get(`/pipeline?owner_id=${rec.owner_id}`);
    if (pl.status !== 200) out.pipeline = `status ${pl.status}`;
    else {
      const st = pl.body.stages.find((x) => x.stage === rec.stage);
      const total = pl.body.stages.reduce((k, x) => k + x.count, 0);
      out.pipeline = total === 1 && st.count === 1 && st.amount === rec.amount ? true
        : total === 0 && pl.body.stages.every((x) => x.amount === '0.00') ? false : JSON.stringify(pl.body.stages);
    }
  }
  return out;
}

// Asserts that every path answers `want` (true: visible, false: invisible).
async function expectPaths(client, res, rec, want, msg) {
  const got = await paths(client, res, rec);
  const expected = Object.fromEntries(Object.keys(got).map((k) => [k, want]));
  assert.deepEqual(got, expected, `${msg}: ${res} ${rec.id} should be ${want ? 'visible' : 'invisible'} on every path`);
}

async function share(client, res, rec, body) {
  const r = await client.post(`/${res}/${rec.id}/shares`, body);
  assert.equal(r.status, 201, `share ${res}: ${r.status} ${r.text}`);
  return r.body;
}

async function sharesOf(res, rec) {
  const r = await admin.get(`/${res}/${rec.id}/shares`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

async function historyOf(res, rec) {
  const r = await admin.get(`/${res}/${rec.id}/history`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

describe('an account shared with a user', () => {
  let s1;
  let s2;

  test('before sharing, B (another team) sees it on no path; neither does C', async () => {
    await expectPaths(C.B, 'accounts', acc, false, 'B before');
    await expectPaths(C.C, 'accounts', acc, false, 'C before');
    await expectPaths(C.MGR, 'accounts', acc, true, 'control: the manager of A\'s team');
  });

  test('A shares it (read by default): 201 with the share; B sees it on every path, C still not', async () => {
    const r = await C.A.post(`/accounts/${acc.id}/shares`, { user_id: U.B.id });
    assert.equal(r.status, 201, r.text);
    s1 = r.body;
    assert.match(s1.id, UUID_RE);
    assert.deepEqual(Object.keys(s1).sort(), ['access', 'created_at', 'created_by', 'id', 'team_id', 'user_id']);
    assert.equal(s1.user_id, U.B.id);
    assert.equal(s1.team_id, null);
    assert.equal(s1.access, 'read');
    assert.equal(s1.created_by, U.A.id);
    assert.match(s1.created_at, RFC3339_Z_RE);
    for (const who of [C.A, C.B, admin]) {
      const l = await who.get(`/accounts/${acc.id}/shares`);
      assert.equal(l.status, 200, l.text);
      assert.deepEqual(l.body, { data: [s1] });
    }
    await expectPaths(C.B, 'accounts', acc, true, 'B shared');
    await expectPaths(C.C, 'accounts', acc, false, 'C not shared');
    await expectPaths(C.B2, 'accounts', acc, false, 'B\'s team mate: a user share is not a team share');
  });

  test('the share opens that record only: its unshared deal stays out of B\'s timeline and lists', async () => {
    const t = await C.B.get(`/accounts/${acc.id}/timeline?limit=100`);
    assert.equal(t.status, 200, t.text);
    assert.ok(!t.text.includes(opp.id) && !t.text.includes(opp.name), 'the deal under the shared account does not leak');
    assertProblem(await C.B.get(`/opportunities/${opp.id}`), 404);
    const s = await C.B.get(`/accounts/${acc.id}/summary`);
    if (s.status === 200) assert.ok(!s.text.includes('4321.09'), `summary leaks the unshared deal: ${s.text}`);
  });

  test('read access: B may not PATCH, DELETE, share further or unshare (403); nothing changes', async () => {
    const before0 = (await admin.get(`/accounts/${acc.id}`)).body;
    assertProblem(await C.B.patch(`/accounts/${acc.id}`, { industry: 'retail' }), 403);
    assertProblem(await C.B.del(`/accounts/${acc.id}`), 403);
    assertProblem(await C.B.post(`/accounts/${acc.id}/shares`, { user_id: U.C.id }), 403);
    assertProblem(await C.B.post(`/accounts/${acc.id}/shares`, { user_id: U.B.id, access: 'edit' }), 403, 'nor upgrade itself');
    assertProblem(await C.B.del(`/accounts/${acc.id}/shares/${s1.id}`), 403);
    assert.deepEqual((await admin.get(`/accounts/${acc.id}`)).body, before0);
    assert.deepEqual(await sharesOf('accounts', acc), [s1]);
    await expectPaths(C.C, 'accounts', acc, false, 'C after B\'s attempt');
  });

  test('sharing again with the same user replaces the share; edit: B may PATCH, never DELETE', async () => {
    s2 = await share(C.A, 'accounts', acc, { user_id: U.B.id, access: 'edit' });
    assert.notEqual(s2.id, s1.id);
    assert.equal(s2.access, 'edit');
    assert.deepEqual(await sharesOf('accounts', acc), [s2], 'one share for B, the new one');
    assertProblem(await C.A.del(`/accounts/${acc.id}/shares/${s1.id}`), 404, 'the replaced share is gone');
    const p = await C.B.patch(`/accounts/${acc.id}`, { industry: 'retail' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.industry, 'retail');
    assert.equal(p.body.owner_id, U.A.id, 'owner unchanged');
    assertProblem(await C.B.del(`/accounts/${acc.id}`), 403);
    assert.equal((await admin.get(`/accounts/${acc.id}`)).status, 200, 'not deleted');
    await expectPaths(C.B, 'accounts', acc, true, 'B with edit');
  });

  test('an edit share does not let B take the record over (owner_id), and so delete it', async () => {
    // A record of its own, so that a failure here leaves the other tests alone.
    const own = await create(C.A, 'accounts', { name: `${WORD} Keep Account` });
    await share(C.A, 'accounts', own, { user_id: U.B.id, access: 'edit' });
    const r = await C.B.patch(`/accounts/${own.id}`, { owner_id: U.B.id });
    try {
      assertProblem(r, 403, 'PATCH owner_id to the grantee');
      assert.equal((await admin.get(`/accounts/${own.id}`)).body.owner_id, U.A.id);
      assert.equal((await C.A.get(`/accounts/${own.id}`)).status, 200, 'A keeps the record');
    } finally {
      if (r.status === 200) await admin.patch(`/accounts/${own.id}`, { owner_id: U.A.id });
    }
    assertProblem(await C.B.patch(`/accounts/${own.id}`, { owner_id: U.C.id }), 403, 'nor hand it to a third user');
    assertProblem(await C.B.del(`/accounts/${own.id}`), 403);
    assert.equal((await admin.get(`/accounts/${own.id}`)).body.owner_id, U.A.id);
  });

  test('with edit access B may share it on and take that share back', async () => {
    const sc = await share(C.B, 'accounts', acc, { user_id: U.C.id });
    assert.equal(sc.created_by, U.B.id);
    assert.equal((await C.C.get(`/accounts/${acc.id}`)).status, 200);
    assert.equal((await C.B.del(`/accounts/${acc.id}/shares/${sc.id}`)).status, 204);
    await expectPaths(C.C, 'accounts', acc, false, 'C after B took the share back');
  });

  test('removing the share: 204; B sees it on no path again', async () => {
    assert.equal((await C.A.del(`/accounts/${acc.id}/shares/${s2.id}`)).status, 204);
    assert.deepEqual(await sharesOf('accounts', acc), []);
    await expectPaths(C.B, 'accounts', acc, false, 'B after removal');
    assertProblem(await C.B.patch(`/accounts/${acc.id}`, { industry: 'banking' }), 404);
    assertProblem(await C.A.del(`/accounts/${acc.id}/shares/${s2.id}`), 404, 'already removed');
  });

  test('the record\'s history has the share and unshare rows, by whom, for whom', async () => {
    const h = await historyOf('accounts', acc);
    const rows = h.filter((e) => e.action === 'share' || e.action === 'unshare')
      .map((e) => [e.action, e.field, e.old, e.new, e.user_id]).reverse();
    assert.deepEqual(rows, [
      ['share', `user:${U.B.id}`, null, 'read', U.A.id],
      ['share', `user:${U.B.id}`, null, 'edit', U.A.id],
      ['share', `user:${U.C.id}`, null, 'read', U.B.id],
      ['unshare', `user:${U.C.id}`, 'read', null, U.B.id],
      ['unshare', `user:${U.B.id}`, 'edit', null, U.A.id],
    ]);
    const ah = await C.A.get(`/accounts/${acc.id}/history`);
    assert.ok(ah.body.data.some((e) => e.action === 'share'), 'the owner sees them too');
  });
});

describe('an opportunity shared with a user (pipeline totals)', () => {
  test('before, with read, with edit, and after removal', async () => {
    await expectPaths(C.B, 'opportunities', opp, false, 'B before');
    const s = await share(C.A, 'opportunities', opp, { user_id: U.B.id });
    await expectPaths(C.B, 'opportunities', opp, true, 'B with read');
    await expectPaths(C.C, 'opportunities', opp, false, 'C');
    assertProblem(await C.B.patch(`/opportunities/${opp.id}`, { probability: 90 }), 403);
    assertProblem(await C.B.del(`/opportunities/${opp.id}`), 403);
    const e = await share(C.A, 'opportunities', opp, { user_id: U.B.id, access: 'edit' });
    assert.deepEqual((await sharesOf('opportunities', opp)).map((x) => [x.id, x.access]), [[e.id, 'edit']]);
    assert.notEqual(e.id, s.id);
    const p = await C.B.patch(`/opportunities/${opp.id}`, { next_step: 'Call back' });
    assert.equal(p.status, 200, p.text);
    assertProblem(await C.B.del(`/opportunities/${opp.id}`), 403);
    // The account is not shared: B may not see it through the deal.
    assertProblem(await C.B.get(`/accounts/${acc.id}`), 404);
    assert.equal((await C.A.del(`/opportunities/${opp.id}/shares/${e.id}`)).status, 204);
    await expectPaths(C.B, 'opportunities', opp, false, 'B after removal');
    const h = (await historyOf('opportunities', opp)).filter((x) => x.action !== 'create' && x.action !== 'update');
    assert.deepEqual(h.map((x) => [x.action, x.field, x.new ?? x.old]).reverse(), [
      ['share', `user:${U.B.id}`, 'read'], ['share', `user:${U.B.id}`, 'edit'], ['unshare', `user:${U.B.id}`, 'edit'],
    ]);
  });
});

describe('team shares', () => {
  let rec;
  before(async () => {
    rec = await create(C.A, 'accounts', { name: `${WORD} Team Account` });
  });

  test('shared with team Y: both members see it on every path, others not', async () => {
    const s = await share(C.A, 'accounts', rec, { team_id: T.Y.id });
    assert.equal(s.team_id, T.Y.id);
    assert.equal(s.user_id, null);
    assert.equal(s.access, 'read');
    await expectPaths(C.B, 'accounts', rec, true, 'B in Y');
    await expectPaths(C.B2, 'accounts', rec, true, 'B2 in Y');
    await expectPaths(C.C, 'accounts', rec, false, 'C in Z');
    assertProblem(await C.B2.patch(`/accounts/${rec.id}`, { industry: 'retail' }), 403);
  });

  test('a user taken out of Y no longer sees it (at once); put back, sees it again', async () => {
    assert.equal((await admin.patch(`/users/${U.B2.id}`, { team_ids: [T.Z.id] })).status, 200);
    await expectPaths(C.B2, 'accounts', rec, false, 'B2 out of Y');
    assert.equal((await C.B.get(`/accounts/${rec.id}`)).status, 200, 'B still in Y');
    assert.equal((await admin.patch(`/users/${U.C.id}`, { team_ids: [T.Z.id, T.Y.id] })).status, 200);
    assert.equal((await C.C.get(`/accounts/${rec.id}`)).status, 200, 'C joined Y');
    assert.equal((await admin.patch(`/users/${U.C.id}`, { team_ids: [T.Z.id] })).status, 200);
    assertProblem(await C.C.get(`/accounts/${rec.id}`), 404, 'C left Y');
    assert.equal((await admin.patch(`/users/${U.B2.id}`, { team_ids: [T.Y.id] })).status, 200);
    assert.equal((await C.B2.get(`/accounts/${rec.id}`)).status, 200, 'B2 back in Y');
  });

  test('re-sharing with the team replaces; a user share and a team share add up', async () => {
    const e = await share(C.A, 'accounts', rec, { team_id: T.Y.id, access: 'edit' });
    const u = await share(C.A, 'accounts', rec, { user_id: U.B.id, access: 'read' });
    const list = await sharesOf('accounts', rec);
    assert.deepEqual(list.map((x) => x.id).sort(), [e.id, u.id].sort(), 'one team share, one user share');
    // B: read as a user, edit through the team → edit.
    const p = await C.B.patch(`/accounts/${rec.id}`, { industry: 'banking' });
    assert.equal(p.status, 200, p.text);
    assert.equal((await C.A.del(`/accounts/${rec.id}/shares/${e.id}`)).status, 204);
    assertProblem(await C.B.patch(`/accounts/${rec.id}`, { industry: 'retail' }), 403, 'read only now');
    assert.equal((await C.B.get(`/accounts/${rec.id}`)).status, 200, 'still shared as a user');
    await expectPaths(C.B2, 'accounts', rec, false, 'B2: the team share is gone');
    assert.equal((await C.A.del(`/accounts/${rec.id}/shares/${u.id}`)).status, 204);
    await expectPaths(C.B, 'accounts', rec, false, 'B: no share left');
    const h = (await historyOf('accounts', rec)).filter((x) => x.field?.startsWith('team:'));
    assert.ok(h.some((x) => x.action === 'share' && x.field === `team:${T.Y.id}` && x.new === 'read'), JSON.stringify(h));
    assert.ok(h.some((x) => x.action === 'unshare' && x.field === `team:${T.Y.id}` && x.old === 'edit'), JSON.stringify(h));
  });
});

describe('who may share', () => {
  let rec;
  before(async () => {
    rec = await create(C.A, 'accounts', { name: `${WORD} Who Account` });
  });

  test('the owner, a manager of the owner\'s team and an administrator may', async () => {
    for (const who of [C.A, C.MGR, admin]) {
      const s = await share(who, 'accounts', rec, { user_id: U.B.id });
      assert.equal(s.created_by, who.user.id);
      assert.equal((await who.del(`/accounts/${rec.id}/shares/${s.id}`)).status, 204);
    }
    assertProblem(await C.B.get(`/accounts/${rec.id}`), 404);
  });

  test('a readonly user and a team mate who may read but not edit → 403; an outsider → 404', async () => {
    const s = await share(C.A, 'accounts', rec, { user_id: U.B.id });
    const h0 = (await historyOf('accounts', rec)).length;
    for (const [who, status] of [[C.RO, 403], [C.A2, 403], [C.C, 404]]) {
      assertProblem(await who.post(`/accounts/${rec.id}/shares`, { user_id: U.C.id }), status, who.user.username);
      assertProblem(await who.del(`/accounts/${rec.id}/shares/${s.id}`), status, who.user.username);
    }
    assertProblem(await C.C.get(`/accounts/${rec.id}/shares`), 404);
    assert.equal((await C.RO.get(`/accounts/${rec.id}/shares`)).status, 200, 'whoever reads it lists its shares');
    assert.deepEqual(await sharesOf('accounts', rec), [s]);
    assert.equal((await historyOf('accounts', rec)).length, h0, 'no history rows for refused attempts');
    assertProblem(await C.C.get(`/accounts/${rec.id}`), 404);
    assert.equal((await C.A.del(`/accounts/${rec.id}/shares/${s.id}`)).status, 204);
  });

  test('a role that may not read the entity sees nothing of it, shared or not', async () => {
    const r = await C.A.post(`/accounts/${rec.id}/shares`, { user_id: U.NOACC.id, access: 'edit' });
    assert.ok([201, 422].includes(r.status), `${r.status} ${r.text}`);
    const r2 = await C.A.post(`/accounts/${rec.id}/shares`, { team_id: T.Y.id, access: 'edit' });
    assert.equal(r2.status, 201, r2.text);
    const n = C.NOACC;
    assertProblem(await n.get(`/accounts/${rec.id}`), 404);
    assertProblem(await n.get('/accounts'), 403);
    assertProblem(await n.get(`/accounts/${rec.id}/history`), 404);
    assertProblem(await n.patch(`/accounts/${rec.id}`, { industry: 'retail' }), 404);
    const s = await n.get(`/search?q=${WORD}`);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.body.data.filter((x) => x.entity === 'accounts'), []);
    assert.ok(!(await n.get('/meta')).body.entities.some((e) => e.name === 'accounts'));
    for (const x of await sharesOf('accounts', rec)) assert.equal((await C.A.del(`/accounts/${rec.id}/shares/${x.id}`)).status, 204);
  });
});

describe('validation and routes', () => {
  let rec;
  let other;
  let kept;
  before(async () => {
    rec = await create(C.A, 'accounts', { name: `${WORD} Valid Account` });
    other = await create(C.A, 'accounts', { name: `${WORD} Other Account` });
    kept = await share(C.A, 'accounts', rec, { user_id: U.B.id });
  });

  test('bad bodies → 422 on the member, nothing changes', async () => {
    const h0 = await historyOf('accounts', rec);
    const cases = [
      [{}, 'user_id'],
      [{ access: 'read' }, 'user_id'],
      [{ user_id: U.C.id, team_id: T.Z.id }, ['user_id', 'team_id']],
      [{ user_id: NOSUCH_ID }, 'user_id'],
      [{ user_id: 'not-an-id' }, 'user_id'],
      [{ user_id: 42 }, 'user_id'],
      [{ user_id: T.Z.id }, 'user_id'],
      [{ team_id: NOSUCH_ID }, 'team_id'],
      [{ team_id: U.C.id }, 'team_id'],
      [{ user_id: U.C.id, access: 'write' }, 'access'],
      [{ user_id: U.C.id, access: 'EDIT' }, 'access'],
      [{ user_id: U.C.id, access: '' }, 'access'],
      [{ user_id: U.C.id, access: true }, 'access'],
      [{ user_id: U.C.id, note: 'hi' }, 'note'],
      [{ user_id: U.C.id, record_id: other.id }, 'record_id'],
    ];
    const wrong = [];
    for (const [body, field] of cases) {
      const r = await C.A.post(`/accounts/${rec.id}/shares`, body);
      const fields = (r.body?.errors || []).map((e) => e.field);
      if (r.status !== 422 || ![field].flat().some((f) => fields.includes(f))) wrong.push(`${JSON.stringify(body)} → ${r.status} ${JSON.stringify(fields)}, want 422 on ${field}`);
    }
    assert.deepEqual(wrong, []);
    for (const raw of ['[]', '"user"', '{"user_id":']) {
      const r = await C.A.post(`/accounts/${rec.id}/shares`, raw);
      assert.ok([400, 422].includes(r.status), `${raw} → ${r.status}`);
    }
    assert.deepEqual(await sharesOf('accounts', rec), [kept]);
    assert.deepEqual(await historyOf('accounts', rec), h0, 'no history rows');
    await expectPaths(C.C, 'accounts', rec, false, 'C after the refused shares');
  });

  test('a share id belongs to its record; unknown ids → 404', async () => {
    assertProblem(await C.A.del(`/accounts/${other.id}/shares/${kept.id}`), 404, 'share of another record');
    assertProblem(await C.A.del(`/accounts/${rec.id}/shares/${NOSUCH_ID}`), 404);
    assertProblem(await C.A.del(`/accounts/${rec.id}/shares/not-an-id`), 404);
    assertProblem(await C.A.get(`/accounts/${NOSUCH_ID}/shares`), 404);
    assertProblem(await C.A.post(`/accounts/${NOSUCH_ID}/shares`, { user_id: U.B.id }), 404);
    assert.deepEqual(await sharesOf('accounts', rec), [kept]);
    assert.deepEqual(await sharesOf('accounts', other), []);
  });

  test('not available on users, teams, roles, pipeline stages, service configuration (404)', async () => {
    const role = (await admin.get('/roles?key=sales')).body.data[0];
    const stage = (await admin.get('/pipeline_stages?limit=1')).body.data[0];
    for (const [res, id] of [['users', U.B.id], ['teams', T.Y.id], ['roles', role.id], ['pipeline_stages', stage.id]]) {
      assertProblem(await admin.get(`/${res}/${id}/shares`), 404, `GET ${res}`);
      assertProblem(await admin.post(`/${res}/${id}/shares`, { user_id: U.B.id }), 404, `POST ${res}`);
      assertProblem(await admin.del(`/${res}/${id}/shares/${kept.id}`), 404, `DELETE ${res}`);
    }
    const m = (await admin.get('/meta')).body.entities;
    const config = ['users', 'teams', 'roles', 'pipeline_stages', 'case_queues', 'sla_policies', 'business_calendars',
      'discount_limits', 'currencies', 'exchange_rates', 'webhooks', 'webhook_deliveries', 'workflows', 'workflow_runs'];
    for (const e of m) assert.equal(e.shareable, !config.includes(e.name), e.name);
  });

  test('a deleted record\'s shares stop working; restoring brings them back', async () => {
    assert.equal((await C.B.get(`/accounts/${rec.id}`)).status, 200);
    assert.equal((await C.A.del(`/accounts/${rec.id}`)).status, 204);
    assertProblem(await C.B.get(`/accounts/${rec.id}`), 404);
    assertProblem(await C.A.post(`/accounts/${rec.id}/shares`, { user_id: U.C.id }), 404);
    assert.equal((await C.A.post(`/accounts/${rec.id}/restore`)).status, 200);
    assert.equal((await C.B.get(`/accounts/${rec.id}`)).status, 200);
  });
});

describe('a user with 1,000 shares', () => {
  const N = 1000;
  const TAG = `bulk${WORD}`;
  let D;
  let E;
  let sharedIds;
  let viaTeam;
  let own;

  before(async () => {
    const tW = await createTeam(admin, uniq('Team W'));
    const tV = await createTeam(admin, uniq('Team V'));
    const mk = async (name, team) => {
      const username = uniq(name);
      const user = await createUser(admin, { username, password: PW, role: 'sales', team_ids: [team.id] });
      return { user, c: await login(srv.base, username, PW) };
    };
    D = await mk('d', tW);
    E = await mk('e', tV);
    // E's accounts, created through the API in parallel batches; D's own three.
    const names = Array.from({ length: N + 20 }, (_, i) => `${TAG} ${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 25) {
      const rs = await Promise.all(names.slice(i, i + 25).map((name) => E.c.post('/accounts', { name, description: TAG })));
      for (const r of rs) assert.equal(r.status, 201, r.text);
    }
    const { data } = await listAll(E.c, 'accounts', `description=${TAG}&limit=500&sort=name`);
    assert.equal(data.length, N + 20);
    sharedIds = data.slice(0, N).map((x) => x.id);
    viaTeam = data.slice(N, N + 10).map((x) => x.id); // 10 shared with D's team only
    own = [];
    for (let i = 0; i < 3; i++) own.push((await create(D.c, 'accounts', { name: `${TAG} own ${i}`, description: TAG })).id);
    // N user shares in parallel batches, then team shares: 10 new ones and 10 on records already shared with D.
    const jobs = [
      ...sharedIds.map((id) => ({ id, body: { user_id: D.user.id } })),
      ...[...viaTeam, ...sharedIds.slice(0, 10)].map((id) => ({ id, body: { team_id: tW.id } })),
    ];
    for (let i = 0; i < jobs.length; i += 25) {
      const rs = await Promise.all(jobs.slice(i, i + 25).map((j) => E.c.post(`/accounts/${j.id}/shares`, j.body)));
      for (const r of rs) assert.equal(r.status, 201, r.text);
    }
  });

  test('lists (every page, no duplicates) and counts exactly what is shared plus own', async () => {
    const want = [...sharedIds, ...viaTeam, ...own].sort();
    for (const q of [`description=${TAG}&limit=500`, `description=${TAG}&limit=97&sort=-name`, `q=${TAG}&limit=250&sort=created_at`]) {
      const { data, pages } = await listAll(D.c, 'accounts', q);
      const got = data.map((x) => x.id);
      assert.equal(new Set(got).size, got.length, `${q}: no duplicates`);
      assert.deepEqual(got.sort(), want, `${q}: exactly the shared and own records`);
      assert.ok(pages > 1, `${q}: paged`);
    }
    const n = await D.c.get(`/accounts?description=${TAG}&count=true&limit=1`);
    assert.equal(n.status, 200, n.text);
    assert.equal(n.body.total, N + 10 + 3);
    const all = await D.c.get('/accounts?count=true&limit=1');
    assert.equal(all.body.total, N + 10 + 3, 'nothing else is visible');
    const nq = await D.c.get(`/accounts?q=${TAG}&count=true&limit=1`);
    assert.equal(nq.body.total, N + 10 + 3);
    const ne = await D.c.get(`/accounts?description=${TAG}&owner_id=${E.user.id}&count=true&limit=1`);
    assert.equal(ne.body.total, N + 10, 'filters combine with shares');
  });

  test('others still see none of them; removing shares updates the count at once', async () => {
    const other = await C.C.get(`/accounts?description=${TAG}&count=true&limit=1`);
    assert.equal(other.body.total, 0);
    const dup = sharedIds[0]; // shared with D and with D's team
    const only = sharedIds[500]; // shared with D alone
    for (const id of [dup, only]) {
      const l = (await E.c.get(`/accounts/${id}/shares`)).body.data.filter((x) => x.user_id === D.user.id);
      assert.equal(l.length, 1);
      assert.equal((await E.c.del(`/accounts/${id}/shares/${l[0].id}`)).status, 204);
    }
    const n = await D.c.get(`/accounts?description=${TAG}&count=true&limit=1`);
    assert.equal(n.body.total, N + 10 + 3 - 1, 'the record also shared with the team stays');
    assert.equal((await D.c.get(`/accounts/${dup}`)).status, 200);
    assertProblem(await D.c.get(`/accounts/${only}`), 404);
  });

  // Last in the file: an export of more than one page (500 rows) by a user in a team.
  test('the CSV export has every visible row, across export pages', async () => {
    const ex = await exportCsv(D.c, `/accounts/export?description=${TAG}`);
    assert.equal(ex.status, 200);
    const rows = ex.text.split('\r\n').filter((x) => x !== '');
    assert.equal(rows.length - 1, N + 10 + 3 - 1, 'export rows');
    assert.equal(new Set(rows).size, rows.length, 'no row twice');
    const e = await exportCsv(E.c, `/accounts/export?description=${TAG}`);
    assert.equal(e.text.split('\r\n').filter((x) => x !== '').length - 1, N + 20, 'the owner\'s export');
  });
});
