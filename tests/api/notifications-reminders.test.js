// Reminders: an activity's reminder_at fires a notification (kind reminder) for its
// owner within 30 s, exactly once — also with two servers on one database, and for
// reminders that fell due while no server ran (fired late, "was due at"). Snoozing
// fires it again later; dismissing marks it read. Several servers' event streams see
// notifications written by the others.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { assertProblem, create, createUser, dropDb, login, loginAdmin, startServer } from './helpers.js';
import { eventually, openStream } from './sse.js';

const iso = (ms) => new Date(ms).toISOString();
const reminders = async (c, recordId) =>
  (await c.get('/notifications?limit=100')).body.data.filter((n) => n.kind === 'reminder' && n.record_id === recordId);

describe('reminders on one server', () => {
  let srv, admin, ann, annUser;
  let dir;
  before(async () => {
    srv = await startServer({ keepDir: true });
    dir = srv.dir;
    admin = await loginAdmin(srv.base);
    annUser = await createUser(admin, { username: 'ann' });
    ann = await login(srv.base, 'ann', 'password-123');
  });
  after(async () => {
    await srv?.stop();
    if (dir) {
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a reminder fires once, within 30 s of its time, and reaches the open stream', async () => {
    const s = await openStream(ann);
    const due = Date.now() + 1500;
    const act = await create(ann, 'activities', { type: 'task', subject: 'Send the contract', reminder_at: iso(due) });
    const ev = await s.notification((n) => n.record_id === act.id, 30000);
    assert.equal(ev.json.kind, 'reminder');
    assert.ok(ev.at >= due - 50 && ev.at - due < 30000, `fired ${ev.at - due} ms after its time`);
    assert.equal(ev.json.text, 'Reminder: Send the contract');
    assert.equal(ev.json.late, false);
    assert.equal(ev.json.due_at, iso(due));
    await new Promise((r) => setTimeout(r, 5000)); // two more sweeps
    assert.equal((await reminders(ann, act.id)).length, 1, 'once');
    s.close();
  });

  test('a new reminder time fires again; a reminder long past says when it was due', async () => {
    const act = await create(ann, 'activities', { type: 'task', subject: 'Call back', reminder_at: iso(Date.now() - 3 * 60000) });
    const [late] = await eventually(async () => { const r = await reminders(ann, act.id); return r.length && r; }, 15000, 'late reminder');
    assert.equal(late.late, true);
    assert.match(late.text, /^Reminder: Call back \(was due at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)$/);
    const zh = (await ann.get('/notifications', { headers: { 'accept-language': 'zh-CN' } })).body.data.find((n) => n.id === late.id);
    assert.match(zh.text, /^提醒：Call back（原定于 .* UTC）$/);
    await ann.patch(`/activities/${act.id}`, { reminder_at: iso(Date.now() + 500) });
    await eventually(async () => (await reminders(ann, act.id)).length === 2, 15000, 'second reminder');
  });

  test('snooze: read now, back after the minutes; dismiss marks it read', async () => {
    const act = await create(ann, 'activities', { type: 'task', subject: 'Snoozed task', reminder_at: iso(Date.now()) });
    const [n] = await eventually(async () => { const r = await reminders(ann, act.id); return r.length && r; }, 15000, 'reminder');
    assertProblem(await ann.post(`/notifications/${n.id}/snooze`, { minutes: 0 }), 422);
    assertProblem(await ann.post(`/notifications/${n.id}/snooze`, { minutes: 10081 }), 422);
    assertProblem(await ann.post(`/notifications/${n.id}/snooze`, { minutes: '5' }), 422);
    assertProblem(await ann.post(`/notifications/${n.id}/snooze`, { minutes: 5, until: 'x' }), 422);
    assert.equal((await reminders(ann, act.id))[0].snoozed_until, null, 'refused snoozes change nothing');
    const s = await ann.post(`/notifications/${n.id}/snooze`, { minutes: 1 });
    assert.equal(s.status, 200, s.text);
    assert.ok(s.body.read_at);
    const back = Date.parse(s.body.snoozed_until) - Date.now();
    assert.ok(back > 50000 && back <= 60000, `snoozed for ${back} ms`);
    const stream = await openStream(ann);
    const again = await stream.notification((x) => x.record_id === act.id && x.id !== n.id, 90000);
    assert.equal(again.json.kind, 'reminder');
    assert.equal(again.json.read_at, null);
    stream.close();
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal((await reminders(ann, act.id)).length, 2, 'the snooze fires once');
    const d = await ann.post(`/notifications/${again.json.id}/read`);
    assert.equal(d.status, 200);
    assert.equal((await reminders(ann, act.id)).filter((x) => !x.read_at).length, 0);
  });

  test('reminders that fell due while the server was down fire once after it starts', async () => {
    const act = await create(ann, 'activities', { type: 'task', subject: 'While down', reminder_at: iso(Date.now() + 2500) });
    await srv.stop();
    srv = null;
    await new Promise((r) => setTimeout(r, 4000));
    srv = await startServer({ dir, keepDir: true });
    ann = await login(srv.base, 'ann', 'password-123');
    const got = await eventually(async () => { const r = await reminders(ann, act.id); return r.length && r; }, 15000, 'reminder after start');
    assert.equal(got.length, 1);
    assert.ok(Date.parse(got[0].created_at) > Date.parse(got[0].due_at), 'fired after its time');
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal((await reminders(ann, act.id)).length, 1, 'once');
    assert.equal(got[0].record_id, act.id);
    assert.ok(annUser.id);
  });
});

describe('two servers on one database', () => {
  let a, b, adminA, adminB, bob;
  before(async () => {
    a = await startServer({ keepDir: true });
    b = await startServer({ dir: a.dir, keepDir: true });
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
    await createUser(adminA, { username: 'bob' });
    bob = await login(b.base, 'bob', 'password-123');
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test('a notification written through one server reaches a stream on the other', async () => {
    const s = await openStream(bob);
    await s.next((e) => e.event === 'unread');
    const bobId = bob.user.id;
    const t0 = Date.now();
    const acc = await create(adminA, 'accounts', { name: 'Across servers', owner_id: bobId });
    const ev = await s.notification((n) => n.record_id === acc.id, 5000);
    assert.ok(ev.at - t0 < 5000);
    s.close();
  });

  test('each reminder fires exactly once however many servers sweep', async () => {
    const due = Date.now() + 1500;
    const acts = [];
    for (let i = 0; i < 6; i++) {
      acts.push(await create(i % 2 ? adminA : adminB, 'activities',
        { type: 'task', subject: `Shared ${i}`, owner_id: bob.user.id, reminder_at: iso(due + i * 200) }));
    }
    await eventually(async () => {
      const all = (await bob.get('/notifications?limit=100')).body.data.filter((n) => n.kind === 'reminder');
      return acts.every((x) => all.some((n) => n.record_id === x.id));
    }, 30000, 'every reminder');
    await new Promise((r) => setTimeout(r, 5000));
    const all = (await bob.get('/notifications?limit=100')).body.data.filter((n) => n.kind === 'reminder');
    for (const x of acts) assert.equal(all.filter((n) => n.record_id === x.id).length, 1, x.subject);
  });
});
