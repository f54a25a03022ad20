// Activities: validation, scheduling conflicts (owner and attendees, back-to-back,
// cancelled, allow_conflict, moving by PATCH) and the calendar with its permissions.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, runImport,
} from './helpers.js';

let srv;
let admin;
const u = {}; // user records
const c = {}; // clients

const rnd = () => randomBytes(6).toString('hex');

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const team1 = await createTeam(admin, 'Calendar Team One');
  const team2 = await createTeam(admin, 'Calendar Team Two');
  const defs = { rep1: [team1.id], rep1b: [team1.id], rep2: [team2.id] };
  for (const [name, teams] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name, password: `pw-${name}-12345678`, role: 'sales', team_ids: teams });
    c[name] = await login(srv.base, name, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

function fieldErrors(problem) {
  assert.ok(Array.isArray(problem.errors), `errors[] present: ${JSON.stringify(problem)}`);
  return problem.errors.map((e) => e.field);
}

async function countActivities() {
  const r = await admin.get('/activities?count=true&limit=1');
  assert.equal(r.status, 200, r.text);
  return r.body.total;
}

// A meeting (or call) on `day` (YYYY-MM-DD) from `from` to `to` (HH:MM, UTC).
function slot(day, from, to, extra = {}) {
  return { type: 'meeting', subject: `Meet ${rnd()}`, start_at: `${day}T${from}:00Z`, end_at: `${day}T${to}:00Z`, ...extra };
}

const ts = (s) => Date.parse(s);

// 409 with conflicts[]; returns the conflict list.
function assertConflict(r, ids, msg = '') {
  const p = assertProblem(r, 409, msg);
  assert.ok(Array.isArray(p.conflicts), `${msg} conflicts[]: ${r.text}`);
  assert.deepEqual(p.conflicts.map((x) => x.id).sort(), [...ids].sort(), `${msg} conflicting ids`);
  return p.conflicts;
}

// A conflict with an activity the caller may not read shows its times and nothing
// else: no id, type, owner or dates of the record (docs/api.md, "Conflicts").
function assertRedacted(x, secret) {
  assert.deepEqual(Object.keys(x).sort(), ['end_at', 'start_at'], `redacted conflict: ${JSON.stringify(x)}`);
  assert.ok(!JSON.stringify(x).includes(secret), 'subject not leaked');
}

// 409 whose conflicts are all activities the caller may not read.
function assertHiddenConflicts(r, n, msg = '') {
  const p = assertProblem(r, 409, msg);
  assert.ok(Array.isArray(p.conflicts), `${msg} conflicts[]: ${r.text}`);
  assert.equal(p.conflicts.length, n, `${msg} conflicts: ${r.text}`);
  return p.conflicts;
}

describe('validation', () => {
  const D = '2032-01-02';

  test('defaults; tasks and notes need no times', async () => {
    const m = await create(c.rep1, 'activities', slot(D, '09:00', '10:00'));
    assert.equal(m.status, 'planned');
    assert.equal(m.priority, 'normal');
    assert.equal(m.owner_id, u.rep1.id);
    assert.deepEqual(m.attendee_user_ids, []);
    assert.equal(ts(m.start_at), ts(`${D}T09:00:00Z`));
    assert.match(m.start_at, /Z$/);
    const t = await create(c.rep1, 'activities', { type: 'task', subject: 'Do it', due_at: `${D}T17:00:00Z` });
    assert.equal(t.start_at, null);
    await create(c.rep1, 'activities', { type: 'note', subject: 'Noted' });
  });

  test('bad activities → 422, nothing created', async () => {
    const before0 = await countActivities();
    const acc2 = await create(c.rep2, 'accounts', { name: `Hidden co ${rnd()}` });
    const cases = [
      [{ subject: 'no type' }, 'type'],
      [{ type: 'party', subject: 'x' }, 'type'],
      [{ type: 'task' }, 'subject'],
      [{ type: 'meeting', subject: 'no times' }, null],
      [{ type: 'meeting', subject: 'no end', start_at: `${D}T11:00:00Z` }, null],
      [{ type: 'call', subject: 'no start', end_at: `${D}T11:00:00Z` }, null],
      [slot(D, '12:00', '11:00'), null],
      [{ type: 'meeting', subject: 'too long', start_at: `${D}T09:00:00Z`, end_at: '2032-02-05T09:00:01Z' }, 'end_at'],
      [slot(D, '11:00', '12:00', { status: 'done' }), 'status'],
      [slot(D, '11:00', '12:00', { priority: 'urgent' }), 'priority'],
      [slot(D, '11:00', '12:00', { start_at: 'tomorrow' }), 'start_at'],
      [slot(D, '11:00', '12:00', { attendee_user_ids: ['00000000-0000-7000-8000-000000000000'] }), 'attendee_user_ids'],
      [{ type: 'note', subject: 'x', related_type: 'accounts' }, null],
      [{ type: 'note', subject: 'x', related_id: acc2.id }, null],
      [{ type: 'note', subject: 'x', related_type: 'users', related_id: u.rep1.id }, null],
      [{ type: 'note', subject: 'x', related_type: 'accounts', related_id: acc2.id }, null],
    ];
    for (const [body, field] of cases) {
      const r = await c.rep1.post('/activities', body);
      const p = assertProblem(r, 422, JSON.stringify(body));
      if (field) assert.ok(fieldErrors(p).includes(field), `${JSON.stringify(body)}: errors ${JSON.stringify(p.errors)}`);
    }
    assert.equal(await countActivities(), before0);
  });

  test('related records: a visible one is accepted; type is create-only', async () => {
    const opp = await create(c.rep1, 'opportunities', { name: `Rel ${rnd()}` });
    const a = await create(c.rep1, 'activities', { type: 'call', subject: 'Call about deal', start_at: `${D}T13:00:00Z`, end_at: `${D}T13:15:00Z`, related_type: 'opportunities', related_id: opp.id });
    assert.equal(a.related_type, 'opportunities');
    assert.equal(a.related_id, opp.id);
    const p = await c.rep1.patch(`/activities/${a.id}`, { type: 'meeting' });
    assert.ok(fieldErrors(assertProblem(p, 422)).includes('type'));
    const e = await c.rep1.patch(`/activities/${a.id}`, { end_at: `${D}T12:59:00Z` });
    assertProblem(e, 422, 'PATCH end before start');
    // At most 31 days long (the calendar's index range relies on it); 31 days exactly is fine.
    const long = await c.rep1.patch(`/activities/${a.id}`, { end_at: '2032-12-31T00:00:00Z' });
    assert.ok(fieldErrors(assertProblem(long, 422)).includes('end_at'));
    const month = await create(c.rep1, 'activities', { type: 'meeting', subject: 'Offsite', start_at: '2033-03-01T09:00:00Z', end_at: '2033-04-01T09:00:00Z' });
    const cal = await c.rep1.get(`/calendar?from=2033-03-31&to=2033-04-02&user_ids=${u.rep1.id}`);
    assert.ok(cal.body.data.some((x) => x.id === month.id), 'a month-long meeting shows on its last day');
    assert.deepEqual((await c.rep1.get(`/activities/${a.id}`)).body, a);
  });
});

describe('conflicts of the owner', () => {
  const D = '2032-01-05';
  let A;

  before(async () => { A = await create(c.rep1, 'activities', slot(D, '09:00', '10:00', { subject: 'Owner base' })); });

  test('partial and full overlaps → 409 listing the other meeting; nothing created', async () => {
    const before0 = await countActivities();
    for (const [from, to] of [['09:30', '10:30'], ['08:30', '09:30'], ['08:00', '11:00'], ['09:15', '09:45'], ['09:00', '10:00'], ['09:59', '10:01']]) {
      const conf = assertConflict(await c.rep1.post('/activities', slot(D, from, to)), [A.id], `${from}-${to}`);
      assert.equal(conf[0].subject, 'Owner base', 'own activity shown in full');
    }
    assertConflict(await c.rep1.post('/activities', slot(D, '09:30', '10:30', { type: 'call' })), [A.id], 'a call');
    assert.equal(await countActivities(), before0);
  });

  test('offsets are honoured: 10:30+01:00 is 09:30Z → conflict', async () => {
    const r = await c.rep1.post('/activities', { type: 'meeting', subject: 'tz', start_at: `${D}T10:30:00+01:00`, end_at: `${D}T11:30:00+01:00` });
    assertConflict(r, [A.id]);
  });

  test('back-to-back meetings do not conflict', async () => {
    const after = await c.rep1.post('/activities', slot(D, '10:00', '11:00'));
    assert.equal(after.status, 201, after.text);
    const beforeM = await c.rep1.post('/activities', slot(D, '08:00', '09:00'));
    assert.equal(beforeM.status, 201, beforeM.text);
  });

  test('tasks, notes and other people\'s unrelated meetings do not conflict', async () => {
    const t = await c.rep1.post('/activities', { type: 'task', subject: 'task', due_at: `${D}T09:30:00Z` });
    assert.equal(t.status, 201, t.text);
    const o = await c.rep1b.post('/activities', slot(D, '09:00', '10:00'));
    assert.equal(o.status, 201, o.text);
    const o2 = await c.rep2.post('/activities', slot(D, '09:00', '10:00'));
    assert.equal(o2.status, 201, o2.text);
  });

  test('allow_conflict=true saves it; allow_conflict=false does not', async () => {
    const before0 = await countActivities();
    assertConflict(await c.rep1.post('/activities?allow_conflict=false', slot(D, '09:30', '09:40')), [A.id]);
    assert.equal(await countActivities(), before0);
    const r = await c.rep1.post('/activities?allow_conflict=true', slot(D, '09:30', '09:40', { subject: 'Forced' }));
    assert.equal(r.status, 201, r.text);
    assert.equal((await c.rep1.get(`/activities/${r.body.id}`)).body.subject, 'Forced');
    assert.equal(await countActivities(), before0 + 1);
    // Now both A and the forced one are in the way.
    assertConflict(await c.rep1.post('/activities', slot(D, '09:35', '09:50')), [A.id, r.body.id]);
  });

  test('cancelled meetings do not conflict', async () => {
    const X = await create(c.rep1, 'activities', slot(D, '15:00', '16:00', { status: 'cancelled' }));
    assert.equal(X.status, 'cancelled');
    const Y = await create(c.rep1, 'activities', slot(D, '17:00', '18:00'));
    assertConflict(await c.rep1.post('/activities', slot(D, '17:30', '18:30')), [Y.id]);
    const p = await c.rep1.patch(`/activities/${Y.id}`, { status: 'cancelled' });
    assert.equal(p.status, 200, p.text);
    const ok = await c.rep1.post('/activities', slot(D, '15:30', '17:30'));
    assert.equal(ok.status, 201, ok.text);
  });
});

describe('deleted activities', () => {
  const D = '2032-01-09';
  test('a meeting in the recycle bin neither conflicts nor shows in the calendar', async () => {
    const A = await create(c.rep1, 'activities', slot(D, '09:00', '10:00'));
    assert.equal((await c.rep1.del(`/activities/${A.id}`)).status, 204);
    const r = await c.rep1.post('/activities', slot(D, '09:30', '10:30'));
    assert.equal(r.status, 201, r.text);
    const cal = await c.rep1.get(`/calendar?from=${D}&to=2032-01-10`);
    assert.equal(cal.status, 200, cal.text);
    assert.deepEqual(cal.body.data.map((x) => x.id), [r.body.id]);
    // restoring it into a taken slot is a conflict like any new meeting
    const res = await c.rep1.post(`/activities/${A.id}/restore`);
    assert.equal(res.status, 409, `restore → ${res.status} ${res.text}`);
    assert.deepEqual(res.body.conflicts.map((x) => x.id), [r.body.id]);
    assert.equal((await c.rep1.get(`/activities/${A.id}`)).status, 404, 'still in the recycle bin');
    const forced = await c.rep1.post(`/activities/${A.id}/restore?allow_conflict=true`);
    assert.equal(forced.status, 200, forced.text);
  });
});

describe('conflicts of attendees', () => {
  const D = '2032-01-06';
  let A;

  before(async () => { A = await create(c.rep1, 'activities', slot(D, '14:00', '15:00', { subject: 'Secret strategy' })); });

  test('inviting a busy team mate → 409 with their meeting in full', async () => {
    const before0 = await countActivities();
    const conf = assertConflict(await c.rep1b.post('/activities', slot(D, '14:30', '15:30', { attendee_user_ids: [u.rep1.id] })), [A.id]);
    assert.equal(conf[0].subject, 'Secret strategy');
    assert.equal(await countActivities(), before0);
  });

  test('inviting a busy user of another team → 409, their meeting redacted to its times', async () => {
    const before0 = await countActivities();
    const r = await c.rep2.post('/activities', slot(D, '13:30', '14:30', { attendee_user_ids: [u.rep1.id] }));
    const [x] = assertHiddenConflicts(r, 1);
    assertRedacted(x, 'Secret strategy');
    assert.equal(ts(x.start_at), ts(`${D}T14:00:00Z`));
    assert.equal(ts(x.end_at), ts(`${D}T15:00:00Z`));
    assert.ok(!r.text.includes('Secret strategy'));
    assert.equal(await countActivities(), before0);
  });

  test('the owner is busy as an attendee of someone else\'s meeting → 409', async () => {
    const B = await create(c.rep1b, 'activities', slot(D, '16:00', '17:00', { attendee_user_ids: [u.rep1.id] }));
    assertConflict(await c.rep1.post('/activities', slot(D, '16:30', '17:30')), [B.id]);
    // back to back with it is fine
    const ok = await c.rep1.post('/activities', slot(D, '17:00', '17:30'));
    assert.equal(ok.status, 201, ok.text);
  });

  test('two meetings sharing a busy attendee → 409 (redacted when the caller cannot read it)', async () => {
    const C = await create(admin, 'activities', slot(D, '18:00', '19:00', { subject: 'Board only', attendee_user_ids: [u.rep1b.id] }));
    const [x] = assertHiddenConflicts(await c.rep1.post('/activities', slot(D, '18:30', '19:30', { attendee_user_ids: [u.rep1b.id] })), 1);
    assertRedacted(x, 'Board only');
  });

  test('a cancelled meeting frees its attendees', async () => {
    const p = await c.rep1.patch(`/activities/${A.id}`, { status: 'cancelled' });
    assert.equal(p.status, 200, p.text);
    const r = await c.rep2.post('/activities', slot(D, '13:30', '14:30', { attendee_user_ids: [u.rep1.id] }));
    assert.equal(r.status, 201, r.text);
  });
});

describe('moving a meeting by PATCH', () => {
  const D = '2032-01-07';
  let A;
  let B;

  before(async () => {
    A = await create(c.rep1, 'activities', slot(D, '09:00', '10:00'));
    B = await create(c.rep1, 'activities', slot(D, '11:00', '12:00'));
  });

  test('moving into a conflict → 409 and nothing changes', async () => {
    assertConflict(await c.rep1.patch(`/activities/${B.id}`, { start_at: `${D}T09:30:00Z`, end_at: `${D}T10:30:00Z` }), [A.id], 'both ends');
    assertConflict(await c.rep1.patch(`/activities/${B.id}`, { start_at: `${D}T09:59:00Z` }), [A.id], 'start only');
    assertConflict(await c.rep1.patch(`/activities/${B.id}`, { start_at: `${D}T09:30:00Z`, end_at: `${D}T10:30:00Z`, subject: 'moved' }, { headers: { 'if-match': '"1"' } }), [A.id], 'with If-Match');
    const g = await c.rep1.get(`/activities/${B.id}`);
    assert.deepEqual(g.body, B);
    const h = await c.rep1.get(`/activities/${B.id}/history`);
    assert.equal(h.status, 200, h.text);
    assert.ok(!h.body.data.some((e) => e.action !== 'create'), `no change rows: ${JSON.stringify(h.body.data)}`);
  });

  test('un-cancelling a meeting into a conflict → 409', async () => {
    const X = await create(c.rep1, 'activities', slot(D, '09:30', '10:30', { status: 'cancelled' }));
    assertConflict(await c.rep1.patch(`/activities/${X.id}`, { status: 'planned' }), [A.id]);
    assert.equal((await c.rep1.get(`/activities/${X.id}`)).body.status, 'cancelled');
  });

  test('a meeting never conflicts with itself when moved within its own slot', async () => {
    const S = await create(c.rep1, 'activities', slot(D, '16:00', '17:00', { attendee_user_ids: [u.rep1.id] }));
    const p = await c.rep1.patch(`/activities/${S.id}`, { start_at: `${D}T16:15:00Z`, end_at: `${D}T17:15:00Z` });
    assert.equal(p.status, 200, p.text);
    const q = await c.rep1.patch(`/activities/${S.id}`, { end_at: `${D}T17:30:00Z` });
    assert.equal(q.status, 200, q.text);
  });

  test('extending only the end into another meeting → 409', async () => {
    const G = await create(c.rep1, 'activities', slot(D, '19:00', '20:00'));
    const H = await create(c.rep1, 'activities', slot(D, '18:00', '19:00'));
    assertConflict(await c.rep1.patch(`/activities/${H.id}`, { end_at: `${D}T19:01:00Z` }), [G.id]);
    assert.equal(ts((await c.rep1.get(`/activities/${H.id}`)).body.end_at), ts(`${D}T19:00:00Z`));
  });

  test('moving back-to-back is fine; allow_conflict=true moves into the conflict', async () => {
    const p = await c.rep1.patch(`/activities/${B.id}`, { start_at: `${D}T10:00:00Z`, end_at: `${D}T11:00:00Z` });
    assert.equal(p.status, 200, p.text);
    const q = await c.rep1.patch(`/activities/${B.id}?allow_conflict=true`, { start_at: `${D}T09:30:00Z`, end_at: `${D}T10:30:00Z` });
    assert.equal(q.status, 200, q.text);
    assert.equal(ts(q.body.start_at), ts(`${D}T09:30:00Z`));
  });

  test('a patch that does not move an already conflicting meeting is not refused', async () => {
    const r = await c.rep1.patch(`/activities/${B.id}`, { subject: 'Renamed', location: 'Room 2' });
    assert.equal(r.status, 200, r.text);
  });

  test('the other party of a PATCH conflict: inviting a busy attendee by PATCH → 409', async () => {
    const E = await create(c.rep1b, 'activities', slot(D, '13:00', '14:00'));
    const F = await create(c.rep1, 'activities', slot(D, '13:00', '14:00'));
    assertConflict(await c.rep1.patch(`/activities/${F.id}`, { attendee_user_ids: [u.rep1b.id] }), [E.id]);
    assert.deepEqual((await c.rep1.get(`/activities/${F.id}`)).body.attendee_user_ids, []);
  });
});

describe('calendar', () => {
  const D = '2032-02-10';
  const D2 = '2032-02-11';
  const a = {};

  before(async () => {
    a.morning = await create(c.rep1, 'activities', slot(D, '09:00', '10:00', { subject: 'R1 morning' }));
    a.task = await create(c.rep1, 'activities', { type: 'task', subject: 'R1 task', due_at: `${D}T12:00:00Z` });
    a.invited = await create(c.rep1b, 'activities', slot(D, '13:00', '14:00', { subject: 'R1b with R1', attendee_user_ids: [u.rep1.id] }));
    a.mate = await create(c.rep1b, 'activities', slot(D, '15:00', '16:00', { subject: 'R1b alone' }));
    a.late = await create(c.rep1, 'activities', slot(D, '23:30', '23:59', { type: 'call', subject: 'R1 late call', end_at: `${D2}T00:30:00Z` }));
    a.other = await create(c.rep2, 'activities', slot(D, '09:00', '10:00', { subject: 'R2 secret' }));
    a.later = await create(c.rep1, 'activities', slot('2032-02-12', '09:00', '10:00', { subject: 'R1 later' }));
  });

  async function cal(client, query) {
    const r = await client.get(`/calendar?${query}`);
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    assert.ok(Array.isArray(r.body.data));
    return r;
  }
  const idsOf = (r) => r.body.data.map((x) => x.id);

  test('a calendar too large to show → 400: more than 2,000 activities, or 16 MiB of their text', async () => {
    // Tasks (no conflict check) imported on two days of their own, owned by the admin.
    const csv = (day, n, description) => 'type,subject,due_at,description\n'
      + Array.from({ length: n }, (_, i) => `task,${day} ${i},${day}T10:00:00Z,${description}`).join('\n') + '\n';
    const many = await runImport(admin, 'entity=activities&on_duplicate=create', csv('2032-06-01', 2001, 'x'));
    assert.equal(many.rows_imported, 2001, JSON.stringify(many));
    const fat = await runImport(admin, 'entity=activities&on_duplicate=create', csv('2032-06-03', 70, '😀'.repeat(65536)));
    assert.equal(fat.rows_imported, 70, JSON.stringify(fat));
    let r = await admin.get('/calendar?from=2032-06-01&to=2032-06-02');
    assert.match(assertProblem(r, 400).detail, /more than 2000 activities in range/);
    r = await admin.get('/calendar?from=2032-06-03&to=2032-06-04');
    assert.match(assertProblem(r, 400).detail, /too much text to show at once: ask for a shorter period/);
  });

  test('own calendar: owned and attended activities in the range, ordered by time (tasks by due_at)', async () => {
    const r = await cal(c.rep1, `from=${D}&to=${D2}`);
    assert.deepEqual(idsOf(r), [a.morning.id, a.task.id, a.invited.id, a.late.id]);
    const r2 = await cal(c.rep1, `from=${D2}&to=2032-02-12`);
    assert.deepEqual(idsOf(r2), [a.late.id], 'an activity spanning midnight shows on both days');
  });

  test('RFC 3339 ranges: overlap, not touching', async () => {
    assert.deepEqual(idsOf(await cal(c.rep1, `from=${D}T09:30:00Z&to=${D}T09:45:00Z`)), [a.morning.id]);
    assert.deepEqual(idsOf(await cal(c.rep1, `from=${D}T10:00:00Z&to=${D}T11:00:00Z`)), [],
      'a meeting ending exactly at `from` (09:00-10:00 vs [10:00, 11:00)) does not overlap');
    assert.deepEqual(idsOf(await cal(c.rep1, `from=${D}T08:00:00Z&to=${D}T09:00:00Z`)), [],
      'a meeting starting exactly at `to` does not overlap');
    assert.deepEqual(idsOf(await cal(c.rep1, `from=${encodeURIComponent(`${D}T10:30:00+01:00`)}&to=${encodeURIComponent(`${D}T11:00:00+01:00`)}`)), [a.morning.id]);
  });

  test('a rep of team 2 is invisible to a rep of team 1, even when listed in user_ids', async () => {
    const r = await cal(c.rep1, `from=${D}&to=${D2}&user_ids=${u.rep1.id},${u.rep2.id}`);
    assert.deepEqual(idsOf(r), [a.morning.id, a.task.id, a.invited.id, a.late.id]);
    assert.ok(!r.text.includes('R2 secret'));
    const only2 = await cal(c.rep1, `from=${D}&to=${D2}&user_ids=${u.rep2.id}`);
    assert.deepEqual(only2.body.data, []);
    const back = await cal(c.rep2, `from=${D}&to=${D2}&user_ids=${u.rep1.id},${u.rep1b.id}`);
    assert.deepEqual(back.body.data, []);
  });

  test('a team mate\'s calendar is readable; admin reads everyone\'s', async () => {
    const r = await cal(c.rep1, `from=${D}&to=${D2}&user_ids=${u.rep1b.id}`);
    assert.deepEqual(idsOf(r), [a.invited.id, a.mate.id]);
    const both = await cal(c.rep1, `from=${D}&to=${D2}&user_ids=${u.rep1.id},${u.rep1b.id}`);
    assert.deepEqual(idsOf(both), [a.morning.id, a.task.id, a.invited.id, a.mate.id, a.late.id], 'each activity once');
    const adm = await cal(admin, `from=${D}&to=${D2}&user_ids=${u.rep1.id},${u.rep2.id}`);
    const got = idsOf(adm);
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    assert.deepEqual(new Set(got), new Set([a.morning.id, a.other.id, a.task.id, a.invited.id, a.late.id]));
    const times = adm.body.data.map((x) => ts(x.start_at ?? x.due_at));
    for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1], 'ordered by time');
    assert.deepEqual((await cal(admin, `from=${D}&to=${D2}`)).body.data, [], 'admin\'s own calendar is empty');
  });

  test('bad ranges → 400', async () => {
    for (const q of ['', `from=${D}`, `to=${D2}`, `from=${D2}&to=${D}`, `from=${D}&to=${D}`,
      `from=yesterday&to=${D2}`, `from=${D}&to=2032-13-01`]) {
      assertProblem(await c.rep1.get(`/calendar?${q}`), 400, q);
    }
  });
});
