// Customer-service reports (GET /cases/reports/...): a known set of ten cases — their
// queues, agents, priorities, products, types and channels, reported hours or days ago
// and then answered, resolved, closed, paused or reopened — and the exact figures of
// every report: open cases by age, SLA compliance by queue, agent and month, first-
// response and resolution times, the breakdown by product, type and channel, and the
// backlog by day and by week. A sales rep sees the figures of their customers' cases
// only; list filters narrow every report; bad parameters are 400 in English and Chinese.
//
// The server has no clock to set: a case's start is set through reported_at (hours
// ago), and its first response and resolution happen "now". The expected times are
// taken from what the cases record (first_response_at minus reported_at), so the
// figures are compared exactly; bucket bounds are far from every case's time.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem,
} from './helpers.js';

const ZH = { 'accept-language': 'zh-CN,zh;q=0.9' };
const H = 3600;

let srv;
let admin;
const u = {};
const c = {};
const q = {};
let policy;

// The cases: where they are, when they were reported (hours ago), what happened to them
// since, and how each target of the policy "Tight" (24 × 7; P1 15/120 min, P2 30/300, P3
// 60/600, no P4 targets) stands: met, breached, open_in_time, open_breached, or null
// (no target). H has no policy at all (the default policy is made not the default).
const CASES = {
  A: { queue: 'q1', owner: 'agent1', priority: 'p3', product: 'Billing', type: 'question', channel: 'phone',
    hours: 0.5, steps: ['in_progress'], resp: 'met', resol: 'open_in_time' },
  B: { queue: 'q1', owner: 'agent1', priority: 'p3', product: 'Billing', type: 'problem', channel: 'email',
    hours: 2, steps: ['in_progress', 'resolved'], resp: 'breached', resol: 'met' },
  C: { queue: 'q1', owner: 'agent2', priority: 'p2', product: 'Router', type: 'incident', channel: 'web',
    hours: 50, steps: [], resp: 'open_breached', resol: 'open_breached' },
  D: { queue: 'q2', owner: 'agent2', priority: 'p3', product: 'Router', type: 'request', channel: 'chat',
    hours: 120, steps: ['waiting_on_customer'], resp: 'breached', resol: 'open_breached' },
  E: { queue: 'q2', owner: 'agent1', priority: 'p4', product: null, type: 'question', channel: null,
    hours: 240, steps: ['in_progress'], resp: null, resol: null },
  F: { queue: null, owner: 'agent2', priority: 'p3', product: 'Billing', type: 'problem', channel: 'phone',
    hours: 960, steps: ['closed'], resp: 'breached', resol: 'breached' },
  G: { queue: null, owner: 'agent1', priority: 'p1', product: 'Billing', type: 'incident', channel: 'phone',
    hours: 1080, steps: [], resp: 'open_breached', resol: 'open_breached' },
  H: { queue: 'q1', owner: 'agent1', priority: 'p3', product: 'Printer', type: 'question', channel: 'portal',
    hours: 1, steps: [], resp: null, resol: null, noPolicy: true },
  I: { queue: 'q2', owner: 'agent2', priority: 'p3', product: 'Router', type: 'problem', channel: 'email',
    hours: 3, steps: ['in_progress', 'resolved'], resp: 'breached', resol: 'met', repAccount: true },
  J: { queue: 'q1', owner: 'agent1', priority: 'p3', product: 'Billing', type: 'question', channel: 'phone',
    hours: 6, steps: ['in_progress', 'resolved', 'reopened'], resp: 'breached', resol: 'open_in_time' },
};
const rec = {}; // letter -> the case as read back after its steps
const OPEN = (k) => !['resolved', 'closed'].includes(rec[k].status);
const KINDS = ['met', 'breached', 'open_in_time', 'open_breached'];

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const desk = await createTeam(admin, 'Service desk');
  const field = await createTeam(admin, 'Field sales');
  const defs = { agent1: ['support', desk.id], agent2: ['support', desk.id], rep: ['sales', field.id],
    rep2: ['sales', field.id], marketer: ['marketing', field.id] };
  for (const [name, [role, t]] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name, password: `pw-${name}-12345678`, role, team_ids: [t] });
    c[name] = await login(srv.base, name, `pw-${name}-12345678`);
  }
  // No default policy: a case without one has no targets.
  const std = (await admin.get('/sla_policies?is_default=true')).body.data;
  for (const p of std) assert.equal((await admin.patch(`/sla_policies/${p.id}`, { is_default: false })).status, 200);
  const cal = await create(admin, 'business_calendars', { name: 'Every hour', time_zone: 'UTC',
    hours_mon: '00:00-24:00', hours_tue: '00:00-24:00', hours_wed: '00:00-24:00', hours_thu: '00:00-24:00',
    hours_fri: '00:00-24:00', hours_sat: '00:00-24:00', hours_sun: '00:00-24:00' });
  policy = await create(admin, 'sla_policies', { name: 'Tight', calendar_id: cal.id, p1_response: 15,
    p1_resolution: 120, p2_response: 30, p2_resolution: 300, p3_response: 60, p3_resolution: 600 });
  // Queues whose rules take no case: cases go where they are put.
  q.q1 = await create(admin, 'case_queues', { name: 'Reports one', match_product: 'never-matches' });
  q.q2 = await create(admin, 'case_queues', { name: 'Reports two', match_product: 'never-matches' });
  const account = await create(c.rep, 'accounts', { name: 'Rep customer' });
  for (const [k, x] of Object.entries(CASES)) {
    const body = { subject: `Case ${k}`, priority: x.priority, product: x.product, type: x.type,
      channel: x.channel, owner_id: u[x.owner].id, queue_id: x.queue ? q[x.queue].id : null,
      reported_at: new Date(Date.now() - x.hours * H * 1000).toISOString() };
    if (!x.noPolicy) body.sla_policy_id = policy.id;
    if (x.repAccount) body.account_id = account.id;
    const made = await create(admin, 'cases', body);
    for (const s of x.steps) {
      const r = await admin.patch(`/cases/${made.id}`, s === 'resolved' ? { status: s, resolution: 'Fixed' } : { status: s });
      assert.equal(r.status, 200, r.text);
    }
    rec[k] = (await admin.get(`/cases/${made.id}`)).body;
  }
});
after(async () => { await srv?.stop(); });

const report = (client, name, query = {}, opts) =>
  client.get(`/cases/reports/${name}?${new URLSearchParams(query)}`, opts);
const ok = async (client, name, query) => {
  const r = await report(client, name, query);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const secs = (a, b) => Math.trunc((Date.parse(a) - Date.parse(b)) / 1000);
const day = (iso) => iso.slice(0, 10);

describe('what a case records', () => {
  test('the wall-clock seconds to its first response and resolution, and each missed target', () => {
    for (const [k, x] of Object.entries(CASES)) {
      const r = rec[k];
      assert.equal(r.response_s, r.first_response_at ? secs(r.first_response_at, r.reported_at) : null, k);
      const end = r.resolved_at || (r.status === 'closed' ? r.closed_at : null);
      assert.equal(r.resolution_s, end ? secs(end, r.reported_at) : null, k);
      const flag = (s) => (s === null ? null : s === 'breached' || s === 'open_breached');
      // An open clock past its due time counts as breached whatever the flag said at
      // its last change; the cases here were already past it then.
      assert.equal(r.response_breached, flag(x.resp), `${k} response`);
      assert.equal(r.resolution_breached, flag(x.resol), `${k} resolution`);
    }
    assert.equal(rec.J.status, 'reopened');
    assert.equal(rec.J.resolution_s, null);
    assert.ok(Math.abs(rec.D.response_s - 120 * H) < 120);
  });

  test('the fields are the system\'s', async () => {
    assertProblem(await admin.patch(`/cases/${rec.A.id}`, { response_s: 1 }), 422);
    assertProblem(await admin.post('/cases', { subject: 'x', resolution_breached: true }), 422);
  });
});

describe('open cases by age', () => {
  test('buckets by priority; resolved and closed cases are not open', async () => {
    const b = await ok(admin, 'age');
    assert.deepEqual(b.priorities, ['p1', 'p2', 'p3', 'p4']);
    assert.deepEqual(b.buckets.map((x) => [x.bucket, x.total, x.by_priority]), [
      ['lt_1d', 3, { p1: 0, p2: 0, p3: 3, p4: 0 }], // A, H, J
      ['1_3d', 1, { p1: 0, p2: 1, p3: 0, p4: 0 }], // C
      ['3_7d', 1, { p1: 0, p2: 0, p3: 1, p4: 0 }], // D
      ['7_30d', 1, { p1: 0, p2: 0, p3: 0, p4: 1 }], // E
      ['gt_30d', 1, { p1: 1, p2: 0, p3: 0, p4: 0 }], // G
    ]);
    assert.equal(b.total, 7);
    assert.match(b.as_of, /Z$/);
  });

  test('list filters narrow it: one queue, reported since a date', async () => {
    let b = await ok(admin, 'age', { queue_id: q.q1.id });
    assert.deepEqual(b.buckets.map((x) => x.total), [3, 1, 0, 0, 0]);
    b = await ok(admin, 'age', { 'reported_at[gte]': new Date(Date.now() - 100 * H * 1000).toISOString() });
    assert.deepEqual(b.buckets.map((x) => x.total), [3, 1, 0, 0, 0]);
    b = await ok(admin, 'age', { priority: 'p3', q: 'Case' });
    assert.equal(b.total, 4);
  });
});

// The expected SLA rows of a grouping, from the table above (the cases `only` keeps).
function expectedSla(keyOf, only = () => true) {
  const rows = new Map();
  const blank = () => ({ cases: 0, first_response: Object.fromEntries(KINDS.map((x) => [x, 0])),
    resolution: Object.fromEntries(KINDS.map((x) => [x, 0])) });
  const total = blank();
  for (const [k, x] of Object.entries(CASES).filter(([, x]) => only(x))) {
    const key = keyOf(k, x);
    if (!rows.has(key)) rows.set(key, blank());
    for (const row of [rows.get(key), total]) {
      row.cases++;
      if (x.resp) row.first_response[x.resp]++;
      if (x.resol) row.resolution[x.resol]++;
    }
  }
  const pct = (t) => (t.met + t.breached ? (Math.round((t.met * 1000) / (t.met + t.breached)) / 10).toFixed(1) : null);
  for (const row of [...rows.values(), total]) {
    for (const t of [row.first_response, row.resolution]) t.compliance_percent = pct(t);
  }
  const keys = [...rows.keys()].sort((a, b) => (a === null) - (b === null) || (a < b ? -1 : a > b ? 1 : 0));
  return { rows: keys.map((key) => ({ key, ...rows.get(key) })), total };
}

describe('SLA compliance', () => {
  test('by queue (the default): met, breached, open in time, open and breached, and the share met', async () => {
    const b = await ok(admin, 'sla');
    assert.equal(b.group, 'queue');
    const want = expectedSla((k, x) => (x.queue ? q[x.queue].id : null));
    assert.deepEqual(b.rows, want.rows);
    assert.deepEqual(b.total, want.total);
    // By hand, for the reader: one first response of six done was in time; two of three
    // resolutions.
    assert.equal(b.total.first_response.compliance_percent, '16.7');
    assert.equal(b.total.resolution.compliance_percent, '66.7');
    assert.deepEqual(b.rows.find((r) => r.key === q.q1.id).first_response,
      { met: 1, breached: 2, open_in_time: 0, open_breached: 1, compliance_percent: '33.3' });
  });

  test('by agent and by month (of the report, UTC)', async () => {
    let b = await ok(admin, 'sla', { group: 'owner' });
    assert.deepEqual(b.rows, expectedSla((k, x) => u[x.owner].id).rows);
    b = await ok(admin, 'sla', { group: 'month' });
    assert.deepEqual(b.rows, expectedSla((k) => rec[k].reported_at.slice(0, 7)).rows);
  });

  test('with a filter', async () => {
    const b = await ok(admin, 'sla', { group: 'owner', queue_id: q.q2.id });
    const want = expectedSla((k, x) => u[x.owner].id, (x) => x.queue === 'q2');
    assert.deepEqual(b.rows, want.rows);
    assert.deepEqual(b.total, want.total);
  });
});

// Nearest rank: the value at rank ceil(n * p / 100) of the sorted values.
const rank = (sorted, p) => sorted[Math.ceil((sorted.length * p) / 100) - 1];
const BOUNDS = [1, 4, 8, 24, 72, 168].map((h) => h * H);
const BUCKETS = ['lt_1h', '1_4h', '4_8h', '8_24h', '1_3d', '3_7d', 'gt_7d'];
function expectedTimes(values) {
  const v = [...values].sort((a, b) => a - b);
  const counts = BUCKETS.map(() => 0);
  for (const x of v) counts[BOUNDS.findIndex((b) => x < b) === -1 ? BOUNDS.length : BOUNDS.findIndex((b) => x < b)]++;
  return {
    count: v.length,
    average_seconds: v.length ? Math.round(v.reduce((a, b) => a + b, 0) / v.length) : null,
    median_seconds: v.length ? rank(v, 50) : null,
    p90_seconds: v.length ? rank(v, 90) : null,
    buckets: BUCKETS.map((bucket, i) => ({ bucket, count: counts[i] })),
  };
}

describe('first-response and resolution times', () => {
  test('distributions in wall-clock hours, with the median and the 90th percentile', async () => {
    const b = await ok(admin, 'times');
    assert.equal(b.clock, 'wall');
    const resp = Object.keys(CASES).map((k) => rec[k].response_s).filter((x) => x !== null);
    const resol = Object.keys(CASES).map((k) => rec[k].resolution_s).filter((x) => x !== null);
    assert.deepEqual(b.first_response, expectedTimes(resp));
    assert.deepEqual(b.resolution, expectedTimes(resol));
    // By hand: A; B and I; J; D; E and F. The median is J's six hours, the 90th
    // percentile F's forty days.
    assert.deepEqual(b.first_response.buckets.map((x) => x.count), [1, 2, 1, 0, 0, 1, 2]);
    assert.equal(b.first_response.median_seconds, rec.J.response_s);
    assert.equal(b.first_response.p90_seconds, rec.F.response_s);
    assert.deepEqual(b.resolution.buckets.map((x) => x.count), [0, 2, 0, 0, 0, 0, 1]);
    assert.equal(b.resolution.median_seconds, rec.I.resolution_s);
  });

  test('nothing measured: zeros and nulls', async () => {
    const b = await ok(admin, 'times', { product: 'Printer' });
    assert.deepEqual(b.first_response, expectedTimes([]));
    assert.equal(b.first_response.median_seconds, null);
  });
});

describe('breakdown', () => {
  test('by product (most first, none last), by type and by channel (in their order, none last)', async () => {
    const b = await ok(admin, 'breakdown');
    assert.deepEqual(b.by_product, [
      { key: 'Billing', total: 5, open: 3 }, { key: 'Router', total: 3, open: 2 },
      { key: 'Printer', total: 1, open: 1 }, { key: null, total: 1, open: 1 },
    ]);
    assert.equal(b.other_products, null);
    assert.deepEqual(b.by_type, [
      { key: 'question', total: 4, open: 4 }, { key: 'problem', total: 3, open: 0 },
      { key: 'incident', total: 2, open: 2 }, { key: 'request', total: 1, open: 1 },
    ]);
    assert.deepEqual(b.by_channel, [
      { key: 'phone', total: 4, open: 3 }, { key: 'email', total: 2, open: 0 },
      { key: 'web', total: 1, open: 1 }, { key: 'portal', total: 1, open: 1 },
      { key: 'chat', total: 1, open: 1 }, { key: null, total: 1, open: 1 },
    ]);
    for (const k of Object.keys(CASES)) assert.equal(OPEN(k), !['B', 'F', 'I'].includes(k), k);
  });
});

const dateOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const addDays = (d, n) => dateOf(Date.parse(`${d}T00:00:00Z`) + n * 86400e3);
// Opened and resolved per UTC day, from what the cases record.
function perDay() {
  const opened = new Map();
  const resolved = new Map();
  for (const k of Object.keys(CASES)) {
    const r = rec[k];
    opened.set(day(r.reported_at), (opened.get(day(r.reported_at)) || 0) + 1);
    const end = r.resolved_at || r.closed_at;
    if (end) resolved.set(day(end), (resolved.get(day(end)) || 0) + 1);
  }
  return { opened, resolved };
}

describe('backlog', () => {
  test('per day: opened, resolved and open at the end of each UTC day', async () => {
    const to = dateOf(Date.now());
    const from = addDays(to, -59);
    const b = await ok(admin, 'backlog', { from, to });
    assert.equal(b.period, 'day');
    assert.equal(b.from, from);
    assert.equal(b.to, to);
    assert.equal(b.open_before, 0);
    assert.equal(b.periods.length, 60);
    const { opened, resolved } = perDay();
    let open = 0;
    b.periods.forEach((p, i) => {
      const d = addDays(from, i);
      open += (opened.get(d) || 0) - (resolved.get(d) || 0);
      assert.deepEqual(p, { start: d, opened: opened.get(d) || 0, resolved: resolved.get(d) || 0, open_at_end: open });
    });
    assert.equal(open, 7); // the seven open cases of the age report
    assert.equal(b.periods.reduce((s, p) => s + p.opened, 0), 10);
    assert.equal(b.periods.reduce((s, p) => s + p.resolved, 0), 3); // B, I, and F closed
  });

  test('what happened before the range is the backlog it starts with', async () => {
    const to = dateOf(Date.now());
    const b = await ok(admin, 'backlog', { from: addDays(to, -20), to });
    assert.equal(b.open_before, 2); // F and G, reported 40 and 45 days ago
    assert.equal(b.periods.at(-1).open_at_end, 7);
  });

  test('per week, Monday to Sunday; by default the last 12 weeks', async () => {
    const b = await ok(admin, 'backlog', { period: 'week' });
    assert.equal(b.periods.length, 12);
    assert.equal(new Date(`${b.from}T00:00:00Z`).getUTCDay(), 1);
    assert.equal(new Date(`${b.to}T00:00:00Z`).getUTCDay(), 0);
    assert.ok(b.to >= dateOf(Date.now()) && addDays(b.to, -7) < dateOf(Date.now()));
    const { opened, resolved } = perDay();
    let open = b.open_before;
    for (const p of b.periods) {
      let o = 0;
      let r = 0;
      for (let i = 0; i < 7; i++) {
        o += opened.get(addDays(p.start, i)) || 0;
        r += resolved.get(addDays(p.start, i)) || 0;
      }
      open += o - r;
      assert.deepEqual(p, { start: p.start, opened: o, resolved: r, open_at_end: open });
    }
    assert.equal(open, 7);
    const d = await ok(admin, 'backlog');
    assert.equal(d.periods.length, 30);
    assert.equal(d.to, dateOf(Date.now()));
  });

  test('a queue\'s backlog', async () => {
    const to = dateOf(Date.now());
    const b = await ok(admin, 'backlog', { from: addDays(to, -59), to, queue_id: q.q2.id });
    assert.equal(b.periods.reduce((s, p) => s + p.opened, 0), 3);
    assert.equal(b.periods.at(-1).open_at_end, 2); // D and E
  });
});

describe('who sees what', () => {
  test('a sales rep counts their customers\' cases only; another rep none', async () => {
    let b = await ok(c.rep, 'sla');
    assert.deepEqual(b.rows.map((r) => r.key), [q.q2.id]);
    assert.equal(b.total.cases, 1);
    assert.deepEqual(b.total.first_response, { met: 0, breached: 1, open_in_time: 0, open_breached: 0, compliance_percent: '0.0' });
    assert.deepEqual(b.total.resolution, { met: 1, breached: 0, open_in_time: 0, open_breached: 0, compliance_percent: '100.0' });
    b = await ok(c.rep, 'breakdown');
    assert.deepEqual(b.by_product, [{ key: 'Router', total: 1, open: 0 }]);
    b = await ok(c.rep, 'times');
    assert.equal(b.first_response.count, 1);
    assert.equal(b.first_response.median_seconds, rec.I.response_s);
    assert.equal((await ok(c.rep, 'age')).total, 0);
    const to = dateOf(Date.now());
    b = await ok(c.rep, 'backlog', { from: addDays(to, -9), to });
    assert.equal(b.periods.reduce((s, p) => s + p.opened, 0), 1);
    b = await ok(c.rep2, 'breakdown');
    assert.deepEqual(b.by_product, []);
    assert.equal((await ok(c.rep2, 'sla')).total.cases, 0);
  });

  test('support agents see every case; a role without cases is refused', async () => {
    assert.equal((await ok(c.agent2, 'sla')).total.cases, 10);
    for (const name of ['age', 'sla', 'times', 'breakdown', 'backlog']) {
      assertProblem(await report(c.marketer, name), 403, name);
    }
  });
});

describe('bad parameters', () => {
  const cases = [
    ['sla', { group: 'team' }, /group must be queue, owner or month/, /group 必须是/],
    ['backlog', { period: 'month' }, /period must be day or week/, /period 必须是/],
    ['backlog', { from: '2026-13-01' }, /from must be a date like 2026-01-31/, /from 必须是/],
    ['backlog', { to: 'yesterday' }, /to must be a date like 2026-01-31/, /to 必须是/],
    ['backlog', { from: '2026-03-02', to: '2026-03-01' }, /from must not be after to/, /from 不能晚于 to/],
    ['backlog', { from: '2020-01-01', to: '2026-01-01' }, /at most 731 days/, /最多涵盖 731 天/],
    ['age', { nope: '1' }, /nope/, /nope/],
    ['times', { 'priority[zz]': 'p1' }, /zz/, /zz/],
    ['breakdown', { status: 'sleeping' }, /status/, /status/],
  ];
  for (const [name, query, en, zh] of cases) {
    test(`${name} ${JSON.stringify(query)}: 400 in English and Chinese`, async () => {
      const e = assertProblem(await report(admin, name, query), 400);
      assert.match(e.detail, en);
      const z = assertProblem(await report(admin, name, query, { headers: ZH }), 400);
      assert.match(z.detail, zh);
      assert.doesNotMatch(z.detail, / must /);
    });
  }
});
