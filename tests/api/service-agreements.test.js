// Service agreements: records and their rules, the agreement a new case gets (and its
// SLA policy), the check an agent sees — none, in force with entitlement left, used
// up, expired, product not covered —, entitlement counted in cases or hours, the
// permissions of each role, and the renewal reminder: once, also with two servers on
// one PostgreSQL database.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq, PG, dropDb,
} from './helpers.js';

const ZH = { headers: { 'accept-language': 'zh-CN' } };
let srv;
let admin;
const u = {};
const c = {};

const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const desk = await createTeam(admin, 'Service desk');
  const field = await createTeam(admin, 'Field sales');
  const defs = { agent: ['support', desk.id], lead: ['manager', desk.id], rep: ['sales', field.id],
    rep2: ['sales', field.id], viewer: ['readonly', desk.id], mkt: ['marketing', field.id],
    partner: ['partner', field.id] };
  for (const [name, [role, t]] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name, password: `pw-${name}-12345678`, role, team_ids: [t] });
    c[name] = await login(srv.base, name, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

async function runRenewal(client = admin) {
  const r = await client.post('/jobs', { kind: 'service_agreements.renew' });
  assert.equal(r.status, 202, r.text);
  let j = r.body;
  for (let i = 0; i < 600 && (j.state === 'queued' || j.state === 'running'); i++) {
    await new Promise((res) => setTimeout(res, 50));
    j = (await client.get(`/jobs/${r.body.id}`)).body;
  }
  assert.equal(j.state, 'done', JSON.stringify(j));
  return JSON.parse(j.result);
}

const account = (name, owner) => create(admin, 'accounts', { name: `${name} ${uniq('a')}`,
  ...(owner ? { owner_id: owner } : {}) });
const agreement = (acc, extra = {}) => create(admin, 'service_agreements', { name: 'Premium support',
  account_id: acc.id, start_date: day(-30), end_date: day(300), ...extra });
const check = (client, acc, q = '') => client.get(`/service_agreements/check?account_id=${acc.id}${q}`);

describe('agreements', () => {
  test('are numbered SA-nnnnnn and compute their reminder day', async () => {
    const acc = await account('Numbered');
    const a = await agreement(acc, { end_date: '2027-03-31', renewal_reminder_days: 31 });
    assert.match(a.number, /^SA-\d{6}$/);
    assert.equal(a.status, 'active');
    assert.equal(a.entitlement_type, 'none');
    assert.equal(a.remind_on, '2027-02-28');
    const b = await agreement(acc);
    assert.equal(Number(b.number.slice(3)), Number(a.number.slice(3)) + 1);
    let r = await admin.patch(`/service_agreements/${a.id}`, { renewal_reminder_days: 0 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.remind_on, '2027-03-31');
    assertProblem(await admin.patch(`/service_agreements/${a.id}`, { number: 'SA-999999' }), 422);
    r = await admin.del(`/service_agreements/${b.id}`);
    assert.equal(r.status, 204);
    assert.equal((await admin.post(`/service_agreements/${b.id}/restore`)).status, 200);
  });

  test('bad agreements are 422 with the field and an English message, and change nothing', async () => {
    const acc = await account('Invalid');
    let r = await admin.post('/service_agreements', { name: 'x', account_id: acc.id,
      start_date: '2026-05-01', end_date: '2026-04-30' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors, [{ field: 'end_date', message: 'must not be before the start date' }]);
    r = await admin.post('/service_agreements', { name: 'x', account_id: acc.id, start_date: '2026-05-01',
      end_date: '2026-04-30' }, ZH);
    assert.equal(r.body.errors[0].message, '不能早于开始日期');
    r = await admin.post('/service_agreements', { name: 'x', start_date: '2026-01-01', end_date: '2026-12-31' });
    assertProblem(r, 422);
    assert.equal(r.body.errors[0].field, 'account_id');
    r = await admin.post('/service_agreements', { name: 'x', account_id: acc.id, start_date: '2026-01-01',
      end_date: '2026-12-31', entitlement_type: 'cases' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors, [{ field: 'entitlement_amount',
      message: 'is required for an entitlement of cases or hours' }]);
    for (const bad of [{ entitlement_amount: 0 }, { status: 'paused' }, { renewal_reminder_days: -1 },
      { end_date: '2026-02-30' }]) {
      assertProblem(await admin.post('/service_agreements', { name: 'x', account_id: acc.id,
        start_date: '2026-01-01', end_date: '2026-12-31', ...bad }), 422);
    }
    const a = await agreement(acc);
    assertProblem(await admin.patch(`/service_agreements/${a.id}`, { end_date: day(-60) }), 422);
    const list = await admin.get(`/service_agreements?account_id=${acc.id}&count=true`);
    assert.equal(list.body.total, 1);
  });
});

describe('the check and the agreement of a case', () => {
  test('an account without an agreement: a warning, and the case is still made', async () => {
    const acc = await account('Nothing');
    let r = await check(admin, acc);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.agreement, null);
    assert.deepEqual(r.body.warning, { code: 'no_agreement', message: 'No active service agreement' });
    r = await admin.get(`/service_agreements/check?account_id=${acc.id}`, ZH);
    assert.equal(r.body.warning.message, '没有有效的服务协议');
    const k = await create(admin, 'cases', { subject: 'No contract', account_id: acc.id });
    assert.equal(k.agreement_id, null);
    const def = (await admin.get('/sla_policies?is_default=true')).body.data[0];
    assert.equal(k.sla_policy_id, def.id, 'the default policy as before');
  });

  test('an agreement with cases left; entitlement used as cases are logged; exhausted is a warning', async () => {
    const acc = await account('Counted');
    const a = await agreement(acc, { entitlement_type: 'cases', entitlement_amount: 3 });
    let r = await check(admin, acc);
    assert.equal(r.body.agreement.id, a.id);
    assert.deepEqual(r.body.entitlement, { type: 'cases', amount: 3, used: 0, remaining: 3, cases: 0, minutes: 0 });
    assert.equal(r.body.warning, null);
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(await create(admin, 'cases', { subject: `Counted ${i}`, account_id: acc.id }));
      assert.equal(made[i].agreement_id, a.id);
    }
    r = await check(admin, acc);
    assert.equal(r.body.entitlement.used, 3);
    assert.equal(r.body.entitlement.remaining, 0);
    assert.deepEqual(r.body.warning, { code: 'exhausted', message: 'Entitlement exhausted' });
    assert.equal((await admin.get(`/service_agreements/check?account_id=${acc.id}`, ZH)).body.warning.message,
      '服务权益已用完');
    // Not refused: the fourth case is logged against it too.
    const fourth = await create(admin, 'cases', { subject: 'Counted 3', account_id: acc.id });
    assert.equal(fourth.agreement_id, a.id);
    r = await admin.get(`/service_agreements/${a.id}/usage`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.entitlement.used, 4);
    assert.equal(r.body.entitlement.remaining, -1);
    // A case in the recycle bin does not count.
    assert.equal((await admin.del(`/cases/${fourth.id}`)).status, 204);
    assert.equal((await admin.del(`/cases/${made[0].id}`)).status, 204);
    r = await check(admin, acc);
    assert.equal(r.body.entitlement.used, 2);
    assert.equal(r.body.warning, null);
  });

  test('hours: the time spent of the linked cases adds up', async () => {
    const acc = await account('Hours');
    const a = await agreement(acc, { entitlement_type: 'hours', entitlement_amount: 10 });
    const k1 = await create(admin, 'cases', { subject: 'Long one', account_id: acc.id, time_spent_min: 90 });
    await create(admin, 'cases', { subject: 'Short one', account_id: acc.id, time_spent_min: 45 });
    assert.equal(k1.agreement_id, a.id);
    let r = await check(admin, acc);
    assert.deepEqual(r.body.entitlement, { type: 'hours', amount: 10, used: 2.25, remaining: 7.75, cases: 2, minutes: 135 });
    await admin.patch(`/cases/${k1.id}`, { time_spent_min: 600 });
    r = await check(admin, acc);
    assert.equal(r.body.warning.code, 'exhausted');
    assertProblem(await admin.post('/cases', { subject: 'x', time_spent_min: -5 }), 422);
  });

  test('expired, not in force and not covered', async () => {
    const acc = await account('Ended');
    const old = await agreement(acc, { start_date: day(-400), end_date: day(-5) });
    let r = await check(admin, acc);
    assert.equal(r.body.agreement.id, old.id);
    assert.deepEqual(r.body.warning, { code: 'expired', message: 'The service agreement has expired' });
    const k = await create(admin, 'cases', { subject: 'After the end', account_id: acc.id });
    assert.equal(k.agreement_id, null);
    // On a day it was in force, it applied.
    r = await check(admin, acc, `&date=${day(-10)}`);
    assert.equal(r.body.agreement.id, old.id);
    assert.equal(r.body.warning, null);
    // Products: a list; other products are not covered.
    const scanners = await agreement(acc, { covered_products: 'Scanner, Label printer\n打印机' });
    r = await check(admin, acc, '&product=label PRINTER');
    assert.equal(r.body.agreement.id, scanners.id);
    r = await check(admin, acc, `&product=${encodeURIComponent('打印机')}`);
    assert.equal(r.body.agreement.id, scanners.id);
    r = await check(admin, acc, '&product=Router');
    assert.equal(r.body.agreement, null);
    assert.equal(r.body.warning.code, 'not_covered');
    const draft = await agreement(await account('Draft'), { status: 'draft' });
    r = await admin.get(`/service_agreements/${draft.id}/usage`);
    assert.equal(r.body.warning.code, 'inactive');
  });

  test('bad checks are 400; an unknown account 404', async () => {
    assertProblem(await admin.get('/service_agreements/check'), 400);
    assertProblem(await admin.get('/service_agreements/check?account_id=nope'), 400);
    const acc = await account('Dates');
    assertProblem(await admin.get(`/service_agreements/check?account_id=${acc.id}&date=2026-13-01`), 400);
    assertProblem(await admin.get(`/service_agreements/check?account_id=${acc.id}&product=${'x'.repeat(900)}`), 400);
    assertProblem(await admin.get('/service_agreements/check?account_id=01890000-0000-7000-8000-000000000000'), 404);
  });

  test('the SLA policy comes from the agreement; an agent may pick another agreement of the account', async () => {
    const gold = await create(admin, 'sla_policies', { name: `Gold ${uniq('p')}`, p3_response: 30, p3_resolution: 240 });
    const acc = await account('Gold customer');
    const a = await agreement(acc, { sla_policy_id: gold.id });
    const spare = await agreement(acc, { name: 'Spare', end_date: day(500) });
    const k = await create(admin, 'cases', { subject: 'Gold case', account_id: acc.id });
    assert.equal(k.agreement_id, a.id, 'the one ending first');
    assert.equal(k.sla_policy_id, gold.id);
    assert.equal((await admin.get(`/cases/${k.id}/sla`)).body.first_response.target_minutes, 30);
    // A policy given with the case wins.
    const std = (await admin.get('/sla_policies?is_default=true')).body.data[0];
    const own = await create(admin, 'cases', { subject: 'Own policy', account_id: acc.id, sla_policy_id: std.id });
    assert.equal(own.sla_policy_id, std.id);
    // Another agreement of the same account: yes; of another account: no.
    let r = await admin.patch(`/cases/${k.id}`, { agreement_id: spare.id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.agreement_id, spare.id);
    const other = await agreement(await account('Other'));
    r = await admin.patch(`/cases/${k.id}`, { agreement_id: other.id });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors, [{ field: 'agreement_id', message: 'must be an agreement of the case\'s account' }]);
    assertProblem(await admin.post('/cases', { subject: 'x', agreement_id: a.id }), 422);
    // Moving the case to another account takes that account's agreement.
    const acc2 = await account('Moved to');
    const a2 = await agreement(acc2);
    r = await admin.patch(`/cases/${k.id}`, { account_id: acc2.id });
    assert.equal(r.body.agreement_id, a2.id);
    r = await admin.patch(`/cases/${k.id}`, { account_id: null });
    assert.equal(r.body.agreement_id, null);
  });
});

describe('permissions', () => {
  let acc;
  let a;
  before(async () => {
    acc = await account('Rep customer', u.rep.id);
    a = await agreement(acc, { entitlement_type: 'cases', entitlement_amount: 5 });
  });

  test('support keeps agreements; managers read and amend them', async () => {
    const mine = await create(c.agent, 'service_agreements', { name: 'By support', account_id: acc.id,
      start_date: day(0), end_date: day(10) });
    assert.equal((await c.agent.patch(`/service_agreements/${mine.id}`, { description: 'x' })).status, 200);
    assert.equal((await c.agent.del(`/service_agreements/${mine.id}`)).status, 204);
    assert.equal((await c.lead.get(`/service_agreements/${a.id}`)).status, 200);
    assert.equal((await c.lead.patch(`/service_agreements/${a.id}`, { description: 'amended' })).status, 200);
    assertProblem(await c.lead.post('/service_agreements', { name: 'x', account_id: acc.id,
      start_date: day(0), end_date: day(1) }), 403);
    assertProblem(await c.lead.del(`/service_agreements/${a.id}`), 403);
  });

  test('sales reps read their accounts\' agreements only; read-only users read; others none', async () => {
    assert.equal((await c.rep.get(`/service_agreements/${a.id}`)).status, 200);
    assertProblem(await c.rep.patch(`/service_agreements/${a.id}`, { description: 'x' }), 403);
    assertProblem(await c.rep2.get(`/service_agreements/${a.id}`), 404);
    let r = await check(c.rep, acc);
    assert.equal(r.body.agreement.id, a.id);
    assert.equal(r.body.entitlement.remaining, 5);
    assert.equal((await c.viewer.get(`/service_agreements/${a.id}/usage`)).status, 200);
    assertProblem(await c.viewer.patch(`/service_agreements/${a.id}`, { description: 'x' }), 403);
    for (const who of [c.mkt, c.partner]) {
      assertProblem(await who.get('/service_agreements'), 403);
      assertProblem(await who.get(`/service_agreements/${a.id}`), 404);
      assertProblem(await who.get(`/service_agreements/${a.id}/usage`), 404);
    }
    // The rep's colleague reads the account, not its agreement: no agreement to show.
    r = await check(c.rep2, acc);
    if (r.status === 200) assert.equal(r.body.agreement, null);
    else assertProblem(r, 404);
  });
});

describe('renewal', () => {
  test('a reminder task for the account owner, once; agreements past their end expire', async () => {
    const acc = await account('Renewing', u.rep.id);
    const soon = await agreement(acc, { name: 'Ends soon', end_date: day(10), renewal_reminder_days: 30 });
    const later = await agreement(acc, { name: 'Ends later', end_date: day(200), renewal_reminder_days: 30 });
    const over = await agreement(acc, { name: 'Over', start_date: day(-100), end_date: day(-1) });
    const first = await runRenewal();
    assert.ok(first.reminded >= 1 && first.expired >= 1, JSON.stringify(first));
    let s = (await admin.get(`/service_agreements/${soon.id}`)).body;
    assert.ok(s.reminded_at);
    assert.equal((await admin.get(`/service_agreements/${later.id}`)).body.reminded_at, null);
    assert.equal((await admin.get(`/service_agreements/${over.id}`)).body.status, 'expired');
    const tasks = async () => (await admin.get(`/activities?related_id=${acc.id}&type=task`)).body.data;
    let t = await tasks();
    assert.equal(t.length, 1);
    assert.equal(t[0].owner_id, u.rep.id);
    assert.equal(t[0].related_type, 'accounts');
    assert.equal(t[0].subject, `Renew service agreement ${soon.number}: it ends on ${day(10)}`);
    assert.equal(Date.parse(t[0].due_at), Date.parse(`${day(10)}T09:00:00Z`));
    // The rep sees it on the account's timeline.
    const tl = (await c.rep.get(`/accounts/${acc.id}/timeline`)).body.data;
    assert.ok(tl.some((x) => x.record?.id === t[0].id), JSON.stringify(tl));
    // Once.
    const again = await runRenewal();
    assert.equal(again.reminded, 0);
    assert.equal((await tasks()).length, 1);
    // A new term: a new reminder, in the owner's language.
    assert.equal((await c.rep.patch('/auth/me', { locale: 'zh-CN' })).status, 200);
    const r = await admin.patch(`/service_agreements/${soon.id}`, { end_date: day(20) });
    assert.equal(r.body.reminded_at, null);
    await runRenewal();
    t = await tasks();
    assert.equal(t.length, 2);
    assert.ok(t.some((x) => x.subject === `续签服务协议 ${soon.number}：将于 ${day(20)} 到期`), JSON.stringify(t));
    s = (await admin.get(`/service_agreements/${soon.id}/history`)).body.data;
    assert.equal(s.filter((x) => x.field === 'reminded_at' && x.new).length, 2);
  });

  test('an owner who left gets no task; the reminder is kept and the sweep goes on', async () => {
    const gone = await createUser(admin, { username: uniq('gone').replace(/-/g, '_'), password: 'pw-gone-12345678', role: 'sales' });
    const acc = await account('Left behind', gone.id);
    const a = await agreement(acc, { end_date: day(5) });
    assert.equal((await admin.patch(`/users/${gone.id}`, { active: false })).status, 200);
    const done = await runRenewal();
    assert.ok(done.reminded >= 1, JSON.stringify(done));
    assert.ok((await admin.get(`/service_agreements/${a.id}`)).body.reminded_at);
    assert.equal((await admin.get(`/activities?related_id=${acc.id}&type=task`)).body.data.length, 0);
  });

  test('the job takes no payload', async () => {
    const r = await admin.post('/jobs', { kind: 'service_agreements.renew', payload: 'x' });
    assertProblem(r, 400);
  });
});

describe('two servers on one PostgreSQL database', { skip: !PG && 'needs RAPPORT_TEST_PG' }, () => {
  let a;
  let b;
  let adminA;
  let adminB;
  before(async () => {
    a = await startServer({ env: { RAPPORT_JOB_POLL_MS: '50' }, keepDir: true });
    b = await startServer({ env: { RAPPORT_JOB_POLL_MS: '50' }, dir: a.dir, keepDir: true });
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test('renewal run on both servers at once reminds once', async () => {
    const acc = await create(adminA, 'accounts', { name: `Both ${uniq('a')}` });
    await create(adminA, 'service_agreements', { name: 'Both', account_id: acc.id, start_date: day(-10),
      end_date: day(5), renewal_reminder_days: 30 });
    const done = await Promise.all([adminA, adminB, adminA, adminB].map((x) => runRenewal(x)));
    assert.equal(done.reduce((n, d) => n + d.reminded, 0), 1, JSON.stringify(done));
    const t = (await adminB.get(`/activities?related_id=${acc.id}&type=task`)).body.data;
    assert.equal(t.length, 1);
  });
});
