// Recurring activities (docs/api.md, "Recurring activities"): a series with an RRULE in
// its time zone, its occurrences in the calendar across a DST change, bad rules refused
// with 422 and nothing stored, changes and deletes of one occurrence, it and the
// following, or all, conflicts both ways, permissions, and the iCalendar export parsed
// and expanded by ical.js.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { startServer, login, loginAdmin, createUser, createTeam, assertProblem } from './helpers.js';

let srv;
let admin;
const u = {};
const c = {};

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const t1 = await createTeam(admin, 'Recur Team One');
  const t2 = await createTeam(admin, 'Recur Team Two');
  for (const [name, team] of [['ann', t1], ['bob', t1], ['eve', t2]]) {
    u[name] = await createUser(admin, { username: name, password: `pw-${name}-12345678`, role: 'sales', team_ids: [team.id] });
    c[name] = await login(srv.base, name, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

// A weekly Monday/Wednesday stand-up at 09:00–09:30 New York time from Monday 2 March
// 2026, ten times: nine in March (the clocks move on 8 March), the tenth on 1 April.
const standup = (extra = {}) => ({
  type: 'meeting', subject: 'Stand-up', start_at: '2026-03-02T14:00:00Z', end_at: '2026-03-02T14:30:00Z',
  timezone: 'America/New_York', rrule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10', ...extra,
});

async function calendar(client, from, to, users) {
  const q = new URLSearchParams({ from, to });
  if (users) q.set('user_ids', users.join(','));
  const r = await client.get(`/calendar?${q}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}
const starts = (list, id) => list.filter((a) => a.id === id).map((a) => a.start_at);
const iso = (s) => new Date(s).toISOString();
const occ = (id, start) => `/activities/${id}/occurrences/${encodeURIComponent(iso(start))}`;

async function count(client) {
  const r = await client.get('/activities?count=true&limit=1');
  assert.equal(r.status, 200, r.text);
  return r.body.total;
}

describe('a series in the calendar', () => {
  test('occurrences keep 09:00 New York time across the DST change, each marked with its original start', async () => {
    const r = await c.ann.post('/activities', standup());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.repeat_until, '2026-04-01T13:30:00.000Z', 'the tenth occurrence ends the series');
    const list = await calendar(c.ann, '2026-03-01', '2026-04-01');
    const s = starts(list, r.body.id);
    assert.deepEqual(s, [
      '2026-03-02T14:00:00.000Z', '2026-03-04T14:00:00.000Z',
      '2026-03-09T13:00:00.000Z', '2026-03-11T13:00:00.000Z', '2026-03-16T13:00:00.000Z',
      '2026-03-18T13:00:00.000Z', '2026-03-23T13:00:00.000Z', '2026-03-25T13:00:00.000Z',
      '2026-03-30T13:00:00.000Z',
    ]);
    for (const a of list.filter((x) => x.id === r.body.id)) {
      assert.equal(a.recurrence_id, a.start_at, 'recurrence_id names the occurrence');
      assert.equal(Date.parse(a.end_at) - Date.parse(a.start_at), 30 * 60000);
      assert.equal(a.rrule, 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10');
    }
    // A range in the middle, and after the end.
    assert.deepEqual(starts(await calendar(c.ann, '2026-04-01', '2026-04-02'), r.body.id), ['2026-04-01T13:00:00.000Z']);
    assert.deepEqual(starts(await calendar(c.ann, '2026-04-02', '2026-06-01'), r.body.id), []);
    await c.ann.del(`/activities/${r.body.id}`);
  });

  test('monthly on the 2nd Tuesday in Berlin, without end, for any range', async () => {
    const r = await c.ann.post('/activities', {
      type: 'meeting', subject: 'Board', start_at: '2026-01-13T09:00:00Z', end_at: '2026-01-13T10:00:00Z',
      timezone: 'Europe/Berlin', rrule: 'FREQ=MONTHLY;BYDAY=2TU',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.repeat_until, '9999-12-31T23:59:59.999Z', 'a series without end');
    const s = starts(await calendar(c.ann, '2026-03-01', '2026-05-01'), r.body.id);
    assert.deepEqual(s, ['2026-03-10T09:00:00.000Z', '2026-04-14T08:00:00.000Z'], '10:00 Berlin, summer time from 29 March');
    assert.deepEqual(starts(await calendar(c.ann, '2031-07-01', '2031-08-01'), r.body.id), ['2031-07-08T08:00:00.000Z'], 'years ahead');
    await c.ann.del(`/activities/${r.body.id}`);
  });

  test('a daily series over a month view is one row expanded, listed once in the activities list', async () => {
    const r = await c.bob.post('/activities', {
      type: 'call', subject: 'Daily check', start_at: '2026-05-01T08:00:00Z', end_at: '2026-05-01T08:15:00Z',
      rrule: 'FREQ=DAILY;UNTIL=20260531T235959Z',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(starts(await calendar(c.bob, '2026-05-01', '2026-06-01'), r.body.id).length, 31);
    const l = await c.bob.get(`/activities?subject=${encodeURIComponent('Daily check')}`);
    assert.equal(l.body.data.length, 1, 'the list shows the series once');
    await c.bob.del(`/activities/${r.body.id}`);
  });
});

describe('bad rules', () => {
  const cases = [
    ['FREQ=SECONDLY', 'rrule', 'repeats more often than daily'],
    ['FREQ=HOURLY;COUNT=3', 'rrule', 'hourly'],
    ['not a rule', 'rrule', 'not an RRULE'],
    ['FREQ=WEEKLY;BYHOUR=9,10', 'rrule', 'a part the calendar does not take'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20260401T000000Z', 'rrule', 'COUNT with UNTIL'],
    ['FREQ=DAILY;COUNT=1000000', 'rrule', 'a huge COUNT'],
    ['FREQ=DAILY;UNTIL=20260101T000000Z', 'rrule', 'UNTIL before the start'],
    ['FREQ=WEEKLY;BYDAY=TU', 'start_at', 'a start that is not the first occurrence'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'rrule', 'no occurrence at all'],
  ];
  for (const [rule, field, why] of cases) {
    test(`${why}: 422 on ${field}, nothing stored`, async () => {
      const before = await count(admin);
      const r = await c.ann.post('/activities', standup({ rrule: rule }));
      const p = assertProblem(r, 422, rule);
      assert.ok(p.errors.some((e) => e.field === field), `${rule}: ${r.text}`);
      assert.equal(await count(admin), before);
    });
  }

  test('an unknown time zone, and a rule without a start', async () => {
    let r = await c.ann.post('/activities', standup({ timezone: 'Mars/Olympus' }));
    assert.ok(assertProblem(r, 422).errors.some((e) => e.field === 'timezone'), r.text);
    r = await c.ann.post('/activities', { type: 'task', subject: 'x', due_at: '2026-03-02T10:00:00Z', rrule: 'FREQ=DAILY' });
    assert.ok(assertProblem(r, 422).errors.some((e) => e.field === 'start_at'), r.text);
  });

  test('an exception must name an occurrence of a series', async () => {
    const s = (await c.ann.post('/activities', standup({ subject: 'Exceptions' }))).body;
    let r = await c.ann.post('/activities', { ...standup(), rrule: null, series_id: s.id, recurrence_id: '2026-03-03T14:00:00Z' });
    assert.ok(assertProblem(r, 422).errors.some((e) => e.field === 'recurrence_id'), r.text);
    r = await c.ann.post('/activities', { ...standup(), rrule: null, series_id: s.id });
    assert.ok(assertProblem(r, 422).errors.some((e) => e.field === 'recurrence_id'), r.text);
    r = await c.ann.patch(`${occ(s.id, '2026-03-04T14:00:00Z')}?scope=sometimes`, { subject: 'x' });
    assertProblem(r, 400);
    r = await c.ann.patch(`${occ(s.id, '2026-03-05T14:00:00Z')}?scope=this`, { subject: 'x' });
    assertProblem(r, 404);
    await c.ann.del(`/activities/${s.id}`);
  });
});

describe('changing and deleting occurrences', () => {
  test('this, this and following, all', async () => {
    const s = (await c.ann.post('/activities', standup({ subject: 'Weekly' }))).body;
    // This: the 11 March occurrence moves to 15:00 UTC.
    let r = await c.ann.patch(`${occ(s.id, '2026-03-11T13:00:00Z')}?scope=this`, { start_at: '2026-03-11T15:00:00Z', end_at: '2026-03-11T15:30:00Z' });
    assert.equal(r.status, 200, r.text);
    const ex = r.body;
    assert.equal(ex.series_id, s.id);
    assert.equal(ex.recurrence_id, '2026-03-11T13:00:00.000Z');
    assert.equal(ex.subject, 'Weekly', 'the exception copies the series');
    let list = await calendar(c.ann, '2026-03-09', '2026-03-16');
    assert.deepEqual(starts(list, s.id), ['2026-03-09T13:00:00.000Z'], 'the original slot is free');
    assert.deepEqual(starts(list, ex.id), ['2026-03-11T15:00:00.000Z']);
    r = await c.ann.get(occ(s.id, '2026-03-11T13:00:00Z'));
    assert.equal(r.body.id, ex.id, 'the occurrence is its exception now');
    // Changing it again changes the exception.
    r = await c.ann.patch(`${occ(s.id, '2026-03-11T13:00:00Z')}?scope=this`, { subject: 'Weekly (moved)' });
    assert.equal(r.body.id, ex.id);

    // All: a new location for every occurrence; the exception stays.
    r = await c.ann.patch(`${occ(s.id, '2026-03-16T13:00:00Z')}?scope=all`, { location: 'Room 4' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, s.id);
    list = await calendar(c.ann, '2026-03-01', '2026-04-02');
    assert.ok(list.filter((a) => a.id === s.id).every((a) => a.location === 'Room 4'));
    assert.equal(starts(list, ex.id).length, 1, 'the exception is kept');

    // This and following from 18 March: half an hour later, renamed.
    r = await c.ann.patch(`${occ(s.id, '2026-03-18T13:00:00Z')}?scope=following`, {
      subject: 'Weekly (later)', start_at: '2026-03-18T13:30:00Z', end_at: '2026-03-18T14:00:00Z',
    });
    assert.equal(r.status, 200, r.text);
    const next = r.body;
    assert.notEqual(next.id, s.id);
    assert.equal(next.rrule, 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5', 'what is left of COUNT=10');
    const old = (await c.ann.get(`/activities/${s.id}`)).body;
    assert.match(old.rrule, /UNTIL=20260318T125959Z/);
    list = await calendar(c.ann, '2026-03-01', '2026-04-02');
    assert.deepEqual(starts(list, s.id), ['2026-03-02T14:00:00.000Z', '2026-03-04T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
    assert.deepEqual(starts(list, next.id), ['2026-03-18T13:30:00.000Z', '2026-03-23T13:30:00.000Z', '2026-03-25T13:30:00.000Z', '2026-03-30T13:30:00.000Z', '2026-04-01T13:30:00.000Z']);
    assert.ok(list.filter((a) => a.id === next.id).every((a) => a.subject === 'Weekly (later)' && a.location === 'Room 4'));

    // Delete this (an EXDATE), delete following (UNTIL), delete all (with exceptions).
    r = await c.ann.del(`${occ(next.id, '2026-03-23T13:30:00Z')}?scope=this`);
    assert.equal(r.status, 204, r.text);
    assert.equal((await c.ann.get(`/activities/${next.id}`)).body.exdates, '2026-03-23T13:30:00.000Z');
    r = await c.ann.del(`${occ(next.id, '2026-03-30T13:30:00Z')}?scope=following`);
    assert.equal(r.status, 204, r.text);
    list = await calendar(c.ann, '2026-03-01', '2026-04-02');
    assert.deepEqual(starts(list, next.id), ['2026-03-18T13:30:00.000Z', '2026-03-25T13:30:00.000Z']);
    r = await c.ann.del(`${occ(s.id, '2026-03-09T13:00:00Z')}?scope=all`);
    assert.equal(r.status, 204, r.text);
    assert.equal((await c.ann.get(`/activities/${ex.id}`)).status, 404, 'the exception went with its series');
    list = await calendar(c.ann, '2026-03-01', '2026-04-02');
    assert.deepEqual(starts(list, s.id), []);
    await c.ann.del(`/activities/${next.id}`);
  });

  test('a change of the whole series drops the exceptions that no longer fit', async () => {
    const s = (await c.ann.post('/activities', standup({ subject: 'Reshaped' }))).body;
    const ex = (await c.ann.patch(`${occ(s.id, '2026-03-04T14:00:00Z')}?scope=this`, { subject: 'Wednesday special' })).body;
    const keep = (await c.ann.patch(`${occ(s.id, '2026-03-09T13:00:00Z')}?scope=this`, { subject: 'Monday special' })).body;
    const r = await c.ann.patch(`/activities/${s.id}`, { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=5' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.ann.get(`/activities/${ex.id}`)).status, 404, 'no Wednesdays any more');
    assert.equal((await c.ann.get(`/activities/${keep.id}`)).status, 200, 'Mondays still are');
    await c.ann.del(`/activities/${s.id}`);
  });
});

describe('conflicts', () => {
  test('a meeting on the 5th occurrence of a weekly series, and a series over an existing meeting', async () => {
    const s = (await c.bob.post('/activities', {
      type: 'meeting', subject: 'Weekly 1:1', start_at: '2026-06-01T10:00:00Z', end_at: '2026-06-01T11:00:00Z', rrule: 'FREQ=WEEKLY',
    })).body;
    let r = await c.bob.post('/activities', { type: 'meeting', subject: 'Clash', start_at: '2026-06-29T10:30:00Z', end_at: '2026-06-29T11:30:00Z' });
    let p = assertProblem(r, 409);
    assert.deepEqual(p.conflicts.map((x) => [x.id, x.start_at]), [[s.id, '2026-06-29T10:00:00.000Z']]);
    // A colleague inviting bob sees that he is busy, not what with.
    r = await c.eve.post('/activities', { type: 'meeting', subject: 'Invite', start_at: '2026-06-29T10:30:00Z', end_at: '2026-06-29T11:30:00Z', attendee_user_ids: [u.bob.id] });
    p = assertProblem(r, 409);
    assert.deepEqual(Object.keys(p.conflicts[0]).sort(), ['end_at', 'start_at']);
    // The next day is free; a deleted occurrence frees its slot.
    r = await c.bob.post('/activities', { type: 'meeting', subject: 'Free', start_at: '2026-06-30T10:30:00Z', end_at: '2026-06-30T11:30:00Z' });
    assert.equal(r.status, 201, r.text);
    assert.equal((await c.bob.del(`${occ(s.id, '2026-07-06T10:00:00Z')}?scope=this`)).status, 204);
    r = await c.bob.post('/activities', { type: 'meeting', subject: 'Now free', start_at: '2026-07-06T10:00:00Z', end_at: '2026-07-06T11:00:00Z' });
    assert.equal(r.status, 201, r.text);
    // A series over an existing meeting: found months ahead.
    const m = (await c.ann.post('/activities', { type: 'meeting', subject: 'Offsite', start_at: '2026-09-15T09:00:00Z', end_at: '2026-09-15T17:00:00Z' })).body;
    r = await c.ann.post('/activities', { type: 'meeting', subject: 'Daily', start_at: '2026-08-03T12:00:00Z', end_at: '2026-08-03T12:30:00Z', rrule: 'FREQ=DAILY' });
    p = assertProblem(r, 409);
    assert.deepEqual(p.conflicts.map((x) => x.id), [m.id]);
    r = await c.ann.post('/activities?allow_conflict=true', { type: 'meeting', subject: 'Daily', start_at: '2026-08-03T12:00:00Z', end_at: '2026-08-03T12:30:00Z', rrule: 'FREQ=DAILY' });
    assert.equal(r.status, 201, r.text);
    // Moving one occurrence onto its own series' next one is no clash with itself.
    r = await c.ann.patch(`${occ(r.body.id, '2026-08-04T12:00:00Z')}?scope=this`, { start_at: '2026-08-04T12:15:00Z', end_at: '2026-08-04T12:45:00Z' });
    assert.equal(r.status, 200, r.text);
  });
});

describe('permissions', () => {
  test('a series of another team is not seen, changed or deleted', async () => {
    const s = (await c.ann.post('/activities', standup({ subject: 'Private series', start_at: '2026-10-05T13:00:00Z', end_at: '2026-10-05T13:30:00Z', rrule: 'FREQ=WEEKLY;BYDAY=MO' }))).body;
    assert.deepEqual(starts(await calendar(c.eve, '2026-10-01', '2026-11-01', [u.ann.id]), s.id), []);
    assert.equal(starts(await calendar(c.bob, '2026-10-01', '2026-11-01', [u.ann.id]), s.id).length, 4, 'a team mate sees it');
    assert.equal((await c.eve.get(occ(s.id, '2026-10-12T13:00:00Z'))).status, 404);
    assert.equal((await c.eve.patch(`${occ(s.id, '2026-10-12T13:00:00Z')}?scope=this`, { subject: 'x' })).status, 404);
    assert.equal((await c.eve.del(`${occ(s.id, '2026-10-12T13:00:00Z')}?scope=all`)).status, 404);
    // Sales edit their own only: bob reads ann's series but may not change it.
    assert.equal((await c.bob.patch(`${occ(s.id, '2026-10-12T13:00:00Z')}?scope=this`, { subject: 'x' })).status, 403);
    assert.equal((await c.bob.del(`${occ(s.id, '2026-10-12T13:00:00Z')}?scope=this`)).status, 403);
    await c.ann.del(`/activities/${s.id}`);
  });
});

describe('iCalendar', () => {
  test('the export carries RRULE, EXDATE and the exceptions with RECURRENCE-ID; ical.js expands it as the calendar does', async () => {
    const s = (await c.ann.post('/activities', standup({ subject: 'Exported', start_at: '2026-11-02T14:00:00Z', end_at: '2026-11-02T14:30:00Z' }))).body;
    await c.ann.del(`${occ(s.id, '2026-11-04T14:00:00Z')}?scope=this`);
    const ex = (await c.ann.patch(`${occ(s.id, '2026-11-09T14:00:00Z')}?scope=this`, { subject: 'Moved', start_at: '2026-11-09T16:00:00Z', end_at: '2026-11-09T16:30:00Z' })).body;
    const r = await c.ann.get(`/activities/export?format=ics&subject[in]=Exported,Moved`);
    assert.equal(r.status, 200, r.text);
    const cal = new ICAL.Component(ICAL.parse(r.text));
    for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
    const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const master = events.find((e) => !e.isRecurrenceException());
    const moved = events.find((e) => e.isRecurrenceException());
    assert.equal(master.uid, `${s.id}@rapport`);
    assert.equal(moved.uid, master.uid, 'the exception shares the UID');
    assert.equal(master.component.getFirstProperty('dtstart').getParameter('tzid'), 'America/New_York');
    assert.match(r.text, /RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO,WE|RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10/);
    assert.match(r.text, /EXDATE;TZID=America\/New_York:20261104T090000/);
    assert.match(r.text, /RECURRENCE-ID;TZID=America\/New_York:20261109T090000/);
    master.relateException(moved);
    const it = master.iterator();
    const fromIcal = [];
    for (let next = it.next(); next; next = it.next()) {
      const d = master.getOccurrenceDetails(next);
      fromIcal.push(d.startDate.toJSDate().toISOString());
    }
    const ours = (await calendar(c.ann, '2026-11-01', '2026-12-31')).filter((a) => a.id === s.id || a.id === ex.id).map((a) => a.start_at);
    assert.deepEqual(fromIcal.sort(), ours.sort());
    assert.equal(fromIcal.length, 9);
    await c.ann.del(`/activities/${s.id}`);
  });
});
