// Customer service: case numbers (unique, gap-free, also under concurrent creates), the
// status state machine, permissions of support staff and sales reps, queues and
// assignment, reassignment with a reason, the SLA answer and escalation.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq, PG, dropDb,
} from './helpers.js';

let srv;
let admin;
const u = {};
const c = {};

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const team = await createTeam(admin, 'Service desk');
  const sales = await createTeam(admin, 'Field sales');
  const defs = { agent1: ['support', team.id], agent2: ['support', team.id],
    agent3: ['support', team.id], rep: ['sales', sales.id], rep2: ['sales', sales.id] };
  for (const [name, [role, t]] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name, password: `pw-${name}-12345678`, role, team_ids: [t] });
    c[name] = await login(srv.base, name, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

const hoursAgo = (h) => new Date(Date.now() - h * 3600e3).toISOString();

async function runEscalation() {
  const r = await admin.post('/jobs', { kind: 'cases.escalate' });
  assert.equal(r.status, 202, r.text);
  let j = r.body;
  for (let i = 0; i < 600 && (j.state === 'queued' || j.state === 'running'); i++) {
    await new Promise((res) => setTimeout(res, 50));
    j = (await admin.get(`/jobs/${r.body.id}`)).body;
  }
  assert.equal(j.state, 'done', JSON.stringify(j));
  return JSON.parse(j.result).escalated;
}

describe('cases', () => {
  test('numbers are CS-nnnnnn, unique and without gaps, also under concurrent creates', async () => {
    const first = await create(admin, 'cases', { subject: 'Printer on fire' });
    assert.match(first.number, /^CS-\d{6}$/);
    assert.equal(first.status, 'new');
    const start = Number(first.number.slice(3));
    // A refused create gives its number back.
    assertProblem(await admin.post('/cases', { subject: 'x', status: 'closed' }), 422);
    const made = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      admin.post('/cases', { subject: `Concurrent ${i}` })));
    for (const r of made) assert.equal(r.status, 201, r.text);
    const nums = made.map((r) => Number(r.body.number.slice(3))).sort((a, b) => a - b);
    assert.deepEqual(nums, Array.from({ length: 60 }, (_, i) => start + 1 + i));
    // The number is the system's.
    assertProblem(await admin.patch(`/cases/${first.id}`, { number: 'CS-999999' }), 422);
  });

  test('the status follows the state machine; other moves are 422 with the allowed ones', async () => {
    const k = await create(admin, 'cases', { subject: 'Cannot log in', priority: 'p2' });
    let r = await admin.patch(`/cases/${k.id}`, { status: 'reopened' });
    assertProblem(r, 422);
    assert.match(JSON.stringify(r.body.errors), /in_progress/);
    r = await admin.patch(`/cases/${k.id}`, { status: 'in_progress' });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.first_response_at);
    assertProblem(await admin.patch(`/cases/${k.id}`, { status: 'resolved' }), 422); // no resolution
    r = await admin.patch(`/cases/${k.id}`, { status: 'resolved', resolution: 'Reset the password' });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.resolved_at);
    assertProblem(await admin.patch(`/cases/${k.id}`, { status: 'in_progress' }), 422);
    r = await admin.patch(`/cases/${k.id}`, { status: 'closed' });
    assert.equal(r.status, 200, r.text);
    r = await admin.patch(`/cases/${k.id}`, { status: 'reopened' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.resolved_at, null);
  });

  test('satisfaction is 1 to 5; a case cannot be reported in the future', async () => {
    assertProblem(await admin.post('/cases', { subject: 'x', satisfaction: 6 }), 422);
    assertProblem(await admin.post('/cases', { subject: 'x', reported_at: '2999-01-01T00:00:00Z' }), 422);
  });

  test('support works cases; sales reps read their customers\' cases only', async () => {
    const acc = await create(c.rep, 'accounts', { name: `Customer ${uniq('a')}` });
    const k = await create(c.agent1, 'cases', { subject: 'Invoice wrong', account_id: acc.id });
    assert.equal((await c.agent2.get(`/cases/${k.id}`)).status, 200);
    assert.equal((await c.agent2.patch(`/cases/${k.id}`, { product: 'Billing' })).status, 200);
    assert.equal((await c.rep.get(`/cases/${k.id}`)).status, 200);
    assertProblem(await c.rep.patch(`/cases/${k.id}`, { product: 'x' }), 403);
    assertProblem(await c.rep2.get(`/cases/${k.id}`), 404);
    assertProblem(await c.rep.post('/cases', { subject: 'by a rep' }), 403);
  });

  test('reassignment needs a reason, which is in the history', async () => {
    const k = await create(c.agent1, 'cases', { subject: 'Slow app', owner_id: u.agent1.id });
    assertProblem(await c.agent1.patch(`/cases/${k.id}`, { owner_id: u.agent2.id }), 422);
    const r = await c.agent1.patch(`/cases/${k.id}`, { owner_id: u.agent2.id, reassign_reason: 'On leave' });
    assert.equal(r.status, 200, r.text);
    const h = (await admin.get(`/cases/${k.id}/history`)).body.data;
    assert.ok(h.some((x) => x.field === 'owner_id' && x.new === u.agent2.id));
    assert.ok(h.some((x) => x.field === 'reassign_reason' && x.new === 'On leave'));
  });
});

describe('queues and assignment', () => {
  let vip;
  let general;
  test('rules pick the queue, round robin picks the agent', async () => {
    vip = await create(admin, 'case_queues', { name: 'VIP', rule_order: 1, match_tiers: ['A'],
      member_ids: [u.agent1.id, u.agent2.id], method: 'round_robin' });
    general = await create(admin, 'case_queues', { name: 'General', rule_order: 50,
      member_ids: [u.agent3.id, u.agent2.id], method: 'least_open' });
    const acc = await create(admin, 'accounts', { name: `Big one ${uniq('a')}`, tier: 'A' });
    const owners = [];
    for (let i = 0; i < 4; i++) {
      const k = await create(admin, 'cases', { subject: `VIP ${i}`, account_id: acc.id });
      assert.equal(k.queue_id, vip.id);
      assert.equal(k.status, 'assigned');
      owners.push(k.owner_id);
    }
    assert.deepEqual(owners, [u.agent1.id, u.agent2.id, u.agent1.id, u.agent2.id]);
  });

  test('least-open gives the case to the agent with the fewest open cases', async () => {
    const OPEN = ['new', 'assigned', 'in_progress', 'waiting_on_customer', 'waiting_on_third_party', 'reopened'];
    const members = [u.agent3.id, u.agent2.id]; // the queue's order breaks ties
    const openOf = async (id) => (await admin.get(`/cases?owner_id=${id}&limit=200`)).body.data
      .filter((k) => OPEN.includes(k.status)).length;
    const expected = async () => {
      const n = await Promise.all(members.map(openOf));
      return members[n[1] < n[0] ? 1 : 0];
    };
    const k = await create(admin, 'cases', { subject: 'Plain question' });
    assert.equal(k.queue_id, general.id);
    assert.equal(k.owner_id, u.agent3.id); // agent2 holds VIP cases
    const mine = [k];
    for (let i = 0; i < 5; i++) {
      const want = await expected();
      const next = await create(admin, 'cases', { subject: `Plain question ${i}` });
      assert.equal(next.owner_id, want, `case ${i}`);
      if (want === u.agent3.id) mine.push(next);
    }
    // agent3's cases resolved, closed or deleted no longer count.
    assert.ok(mine.length >= 3);
    let r = await admin.patch(`/cases/${mine[0].id}`, { status: 'resolved', resolution: 'Answered' });
    assert.equal(r.status, 200, r.text);
    r = await admin.patch(`/cases/${mine[1].id}`, { status: 'closed' });
    assert.equal(r.status, 200, r.text);
    for (const x of mine.slice(2)) assert.equal((await admin.del(`/cases/${x.id}`)).status, 204);
    assert.equal(await openOf(u.agent3.id), 0);
    const after = await create(admin, 'cases', { subject: 'Plain question, later' });
    assert.equal(after.owner_id, u.agent3.id);
    // Restored, a deleted case counts again.
    for (const x of mine.slice(2)) assert.equal((await admin.post(`/cases/${x.id}/restore`)).status, 200);
    for (let i = 0; i < 3; i++) {
      const want = await expected();
      const next = await create(admin, 'cases', { subject: `Plain question, last ${i}` });
      assert.equal(next.owner_id, want, `last case ${i}`);
    }
  });

  test('a queue can take the cases of customers who speak a language', async () => {
    const zh = await create(admin, 'case_queues', { name: `中文支持 ${uniq('q')}`, rule_order: 2,
      match_languages: ['zh-CN'], member_ids: [u.agent1.id], method: 'round_robin' });
    const k = await create(admin, 'cases', { subject: '打印机无法连接', language: 'zh-CN' });
    assert.equal(k.queue_id, zh.id);
    assert.equal(k.owner_id, u.agent1.id);
    for (const language of ['en', null]) {
      const other = await create(admin, 'cases', { subject: 'Printer offline', language });
      assert.equal(other.queue_id, general.id, String(language));
    }
    assertProblem(await admin.post('/cases', { subject: 'x', language: 'fr' }), 422);
    assertProblem(await admin.patch(`/case_queues/${zh.id}`, { match_languages: ['klingon'] }), 422);
    assert.equal((await admin.del(`/case_queues/${zh.id}`)).status, 204);
  });

  test('members who were deactivated get no cases', async () => {
    const gone = await createUser(admin, { username: uniq('gone'), password: 'pw-gone-12345678', role: 'support' });
    const q = await create(admin, 'case_queues', { name: `Night shift ${uniq('q')}`, rule_order: 3,
      match_product: 'Night line', member_ids: [gone.id, u.agent3.id], method: 'round_robin' });
    assert.equal((await admin.patch(`/users/${gone.id}`, { active: false })).status, 200);
    for (let i = 0; i < 2; i++) {
      const k = await create(admin, 'cases', { subject: `Night call ${i}`, product: 'Night line' });
      assert.equal(k.queue_id, q.id);
      assert.equal(k.owner_id, u.agent3.id);
    }
    assert.equal((await admin.del(`/case_queues/${q.id}`)).status, 204);
  });

  test('a case made out for someone keeps that owner', async () => {
    const k = await create(admin, 'cases', { subject: 'For agent2', owner_id: u.agent2.id });
    assert.equal(k.owner_id, u.agent2.id);
    assert.equal(k.status, 'new');
  });
});

describe('SLA and escalation', () => {
  let cal;
  let pol;
  let esc;
  test('a case answers its clocks; waiting on the customer pauses them', async () => {
    cal = await create(admin, 'business_calendars', { name: 'Always', time_zone: 'UTC',
      hours_mon: '00:00-24:00', hours_tue: '00:00-24:00', hours_wed: '00:00-24:00',
      hours_thu: '00:00-24:00', hours_fri: '00:00-24:00', hours_sat: '00:00-24:00', hours_sun: '00:00-24:00' });
    pol = await create(admin, 'sla_policies', { name: 'Tight', calendar_id: cal.id,
      p3_response: 60, p3_resolution: 600, p2_response: 30, p2_resolution: 300 });
    const k = await create(admin, 'cases', { subject: 'Timed', sla_policy_id: pol.id, owner_id: u.agent3.id,
      reported_at: hoursAgo(2) });
    let s = (await admin.get(`/cases/${k.id}/sla`)).body;
    assert.equal(s.policy_id, pol.id);
    assert.equal(s.first_response.target_minutes, 60);
    assert.equal(s.first_response.breached, true);
    assert.ok(s.first_response.overdue_seconds >= 3590 && s.first_response.overdue_seconds < 3700);
    assert.ok(s.resolution.remaining_seconds > 7.9 * 3600 && s.resolution.remaining_seconds <= 8 * 3600);
    assert.equal(s.resolution.paused, false);
    await admin.patch(`/cases/${k.id}`, { status: 'waiting_on_customer' });
    s = (await admin.get(`/cases/${k.id}/sla`)).body;
    assert.equal(s.resolution.paused, true);
    assert.equal(s.resolution.due_at, null);
  });

  test('bad calendars are refused', async () => {
    assertProblem(await admin.post('/business_calendars', { name: 'x', time_zone: 'Mars/Base' }), 422);
    assertProblem(await admin.post('/business_calendars', { name: 'y', hours_mon: '17:00-09:00' }), 422);
    assertProblem(await admin.post('/business_calendars', { name: 'z', holidays: '2026-13-01' }), 422);
  });

  test('escalation applies each level once, catching up on missed ones', async () => {
    const boss = await createUser(admin, { username: uniq('boss'), password: 'pw-boss-12345678', role: 'support', locale: 'zh-CN' });
    esc = await create(admin, 'case_queues', { name: 'Escalations', rule_order: 900, match_product: 'never-matches',
      manager_id: boss.id });
    const q = await create(admin, 'case_queues', { name: 'Tier 1', rule_order: 999, match_product: 'never-either',
      escalation_queue_id: esc.id });
    // 80% of the resolution target passed, not the target.
    const warn = await create(admin, 'cases', { subject: 'Warn me', sla_policy_id: pol.id, priority: 'p3',
      owner_id: u.agent3.id, queue_id: q.id, reported_at: hoursAgo(8.5) });
    await admin.patch(`/cases/${warn.id}`, { status: 'in_progress' });
    // Past both points while "the servers were down".
    const late = await create(admin, 'cases', { subject: 'Breached', sla_policy_id: pol.id, priority: 'p3',
      owner_id: u.agent3.id, queue_id: q.id, reported_at: hoursAgo(20) });
    assert.ok(await runEscalation() >= 3);
    let w = (await admin.get(`/cases/${warn.id}`)).body;
    assert.equal(w.escalation_level, 1);
    assert.equal(w.priority, 'p3');
    let l = (await admin.get(`/cases/${late.id}`)).body;
    assert.equal(l.escalation_level, 2);
    assert.equal(l.priority, 'p2');
    assert.equal(l.queue_id, esc.id);
    // Once only.
    await runEscalation();
    w = (await admin.get(`/cases/${warn.id}`)).body;
    l = (await admin.get(`/cases/${late.id}`)).body;
    assert.equal(w.escalation_level, 1);
    assert.equal(l.escalation_level, 2);
    assert.equal(l.priority, 'p2');
    const h = (await admin.get(`/cases/${late.id}/history`)).body.data;
    assert.deepEqual(h.filter((x) => x.field === 'escalation_level' && x.action === 'update')
      .map((x) => x.new).sort(), ['1', '2']);
    // The owner was told of the warning and of the breach, once each, in their language.
    const alerts = (await c.agent3.get('/notifications?limit=100')).body.data
      .filter((n) => n.kind === 'alert');
    const about = (k) => alerts.filter((n) => n.record_id === k.id).map((n) => n.title).sort();
    assert.deepEqual(about(warn), [`Case ${warn.number} has used 80% of its SLA target`]);
    assert.deepEqual(about(late), [`Case ${late.number} has used 80% of its SLA target`,
      `Case ${late.number} missed its SLA target and was escalated`]);
    // The manager of the escalation queue, in Chinese; nothing of the warning.
    const bossC = await login(srv.base, boss.username, 'pw-boss-12345678');
    const theirs = (await bossC.get('/notifications?limit=100')).body.data.filter((n) => n.kind === 'alert');
    assert.deepEqual(theirs.map((n) => [n.record_id, n.title]), [[late.id, `工单 ${late.number} 已超出服务等级目标并被升级`]]);
    // The API's text is the alert itself (not dressed as a reminder).
    assert.deepEqual(theirs.map((n) => n.text), [`工单 ${late.number} 已超出服务等级目标并被升级`]);
  });

  test('the worklist sorts open cases by urgency, with their clocks', async () => {
    const r = await c.agent3.get('/cases/worklist');
    assert.equal(r.status, 200, r.text);
    const due = r.body.data.map((x) => x.resolution_due_at).filter(Boolean);
    assert.ok(r.body.data.length >= 2);
    assert.deepEqual([...due].sort(), due);
    assert.ok(r.body.data.every((x) => x.owner_id === u.agent3.id && 'sla' in x));
    assertProblem(await c.agent3.get('/cases/worklist?queue_id=nope'), 400);
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

  test('200 concurrent creates through both servers: numbers unique and gap-free', async () => {
    const res = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? adminA : adminB).post('/cases', { subject: `Both servers ${i}` })));
    for (const r of res) assert.equal(r.status, 201, r.text);
    const nums = res.map((r) => Number(r.body.number.slice(3))).sort((x, y) => x - y);
    const lo = nums[0];
    assert.deepEqual(nums, Array.from({ length: 200 }, (_, i) => lo + i));
  });

  test('escalation run on both servers at once applies each level once', async () => {
    const pol = await create(adminA, 'sla_policies', { name: 'Two servers', p3_response: 60, p3_resolution: 600 });
    const k = await create(adminA, 'cases', { subject: 'Late on both', sla_policy_id: pol.id, reported_at: hoursAgo(20) });
    const jobs = await Promise.all([adminA, adminB, adminA, adminB].map((x) => x.post('/jobs', { kind: 'cases.escalate' })));
    for (const j of jobs) assert.equal(j.status, 202, j.text);
    for (const j of jobs) {
      let s = j.body;
      for (let i = 0; i < 600 && (s.state === 'queued' || s.state === 'running'); i++) {
        await new Promise((res) => setTimeout(res, 50));
        s = (await adminA.get(`/jobs/${j.body.id}`)).body;
      }
      assert.equal(s.state, 'done', JSON.stringify(s));
    }
    const h = (await adminB.get(`/cases/${k.id}/history`)).body.data;
    assert.deepEqual(h.filter((x) => x.field === 'escalation_level' && x.action === 'update')
      .map((x) => x.new).sort(), ['1', '2']);
    assert.equal((await adminB.get(`/cases/${k.id}`)).body.priority, 'p2');
  });
});
