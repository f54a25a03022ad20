// Notifications: a record assigned to me, a mention in a note, a record of mine changed
// by someone else (opt-in), marking read, paging, preferences, and the event stream
// (Server-Sent Events) that brings them to an open browser. Reminders and several
// servers are in notifications-reminders.test.js.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProblem, create, createTeam, createUser, dbQuery, login, loginAdmin, startServer, UUID_RE } from './helpers.js';
import { eventually, openStream } from './sse.js';

describe('notifications', () => {
  let srv, admin, ann, dave, carol, users;
  const mine = async (c, q = '') => (await c.get(`/notifications${q}`)).body;

  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const team = await createTeam(admin, 'Notify team');
    users = {
      ann: await createUser(admin, { username: 'ann', team_ids: [team.id] }),
      dave: await createUser(admin, { username: 'dave', team_ids: [team.id] }),
      carol: await createUser(admin, { username: 'carol' }),
    };
    ann = await login(srv.base, 'ann', 'password-123');
    dave = await login(srv.base, 'dave', 'password-123');
    carol = await login(srv.base, 'carol', 'password-123');
  });
  after(async () => { await srv?.stop(); });

  test('a record assigned to me by someone else notifies me, and only me', async () => {
    const acc = await create(admin, 'accounts', { name: 'Assigned Ltd', owner_id: users.ann.id });
    const page = await mine(ann);
    assert.equal(page.unread, 1);
    const n = page.data[0];
    assert.match(n.id, UUID_RE);
    assert.equal(n.kind, 'assigned');
    assert.equal(n.entity, 'accounts');
    assert.equal(n.record_id, acc.id);
    assert.equal(n.title, 'Assigned Ltd');
    assert.equal(n.actor_id, admin.user.id);
    assert.equal(n.text, 'Administrator assigned you: Assigned Ltd');
    assert.equal(n.read_at, null);
    assert.equal((await mine(admin)).data.length, 0, 'the actor is not notified');
    assert.equal((await mine(dave)).data.length, 0);
    // Reassigned to dave: dave is told; taking one's own record tells nobody.
    await admin.patch(`/accounts/${acc.id}`, { owner_id: users.dave.id });
    assert.equal((await mine(dave)).data[0].record_id, acc.id);
    await create(ann, 'accounts', { name: 'My own' });
    assert.equal((await mine(ann)).data.length, 1);
  });

  test('a case assigned automatically by its queue notifies the agent', async () => {
    await create(admin, 'case_queues', { name: 'Notify queue', rule_order: 0, match_product: 'notify-widget',
      member_ids: [users.dave.id], method: 'round_robin' });
    const k = await create(admin, 'cases', { subject: 'Widget broken', product: 'notify-widget' });
    assert.equal(k.owner_id, users.dave.id);
    const n = (await mine(dave)).data.find((x) => x.record_id === k.id);
    assert.equal(n.kind, 'assigned');
    assert.equal(n.entity, 'cases');
  });

  test('the answer is in the caller\'s language', async () => {
    const r = await ann.get('/notifications', { headers: { 'accept-language': 'zh-CN' } });
    assert.equal(r.body.data[0].text, 'Administrator 将此分配给您：Assigned Ltd');
  });

  test('marking read, all read, and another user\'s notification is not there (404)', async () => {
    await create(admin, 'accounts', { name: 'Second', owner_id: users.ann.id });
    let page = await mine(ann);
    assert.equal(page.unread, 2);
    const [first] = page.data;
    const r = await ann.post(`/notifications/${first.id}/read`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.read_at, /Z$/);
    assert.equal((await mine(ann)).unread, 1);
    assertProblem(await dave.post(`/notifications/${first.id}/read`), 404);
    assertProblem(await dave.post(`/notifications/${first.id}/snooze`, { minutes: 5 }), 404);
    assertProblem(await ann.post('/notifications/not-an-id/read'), 404);
    assertProblem(await ann.post('/notifications/0190a0b0-0000-7000-8000-000000000000/read'), 404);
    assertProblem(await ann.post(`/notifications/${first.id}/snooze`, { minutes: 5 }), 400, 'only reminders');
    const daveUnread = (await mine(dave)).unread;
    assert.ok(daveUnread > 0);
    const all = await ann.post('/notifications/read-all');
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.updated, 1);
    page = await mine(ann);
    assert.equal(page.unread, 0);
    assert.ok(page.data.every((n) => n.read_at));
    assert.equal((await mine(dave)).unread, daveUnread, 'another user\'s stay unread');
  });

  test('pages go newest first with a cursor', async () => {
    for (let i = 0; i < 5; i++) await create(admin, 'contacts', { last_name: `Paged ${i}`, owner_id: users.carol.id });
    const p1 = await mine(carol, '?limit=2');
    assert.deepEqual(p1.data.map((n) => n.title), ['Paged 4', 'Paged 3']);
    assert.ok(p1.next_cursor);
    const p2 = await mine(carol, `?limit=2&cursor=${p1.next_cursor}`);
    assert.deepEqual(p2.data.map((n) => n.title), ['Paged 2', 'Paged 1']);
    const p3 = await mine(carol, `?limit=2&cursor=${p2.next_cursor}`);
    assert.deepEqual(p3.data.map((n) => n.title), ['Paged 0']);
    assert.equal(p3.next_cursor, null);
    assertProblem(await carol.get('/notifications?limit=0'), 400);
    assertProblem(await carol.get('/notifications?limit=101'), 400);
    assertProblem(await carol.get('/notifications?cursor=abc'), 400);
  });

  test('a mention in a note notifies those who may read it, and nobody else', async () => {
    const acc = await create(ann, 'accounts', { name: 'Mention Co' });
    const before = { dave: (await mine(dave)).data.length, carol: (await mine(carol)).data.length };
    const note = await create(ann, 'activities', {
      type: 'note', subject: 'Call notes', related_type: 'accounts', related_id: acc.id,
      description: 'Spoke to the buyer. @dave please send the quote; cc @carol @nobody ann@example.com',
    });
    const d = (await mine(dave)).data;
    assert.equal(d.length, before.dave + 1);
    assert.equal(d[0].kind, 'mention');
    assert.equal(d[0].entity, 'activities');
    assert.equal(d[0].record_id, note.id);
    assert.equal(d[0].text, 'ann mentioned you in: Call notes');
    assert.equal((await mine(carol)).data.length, before.carol, 'carol may not read the note: not told');
    assert.equal((await mine(ann)).data.filter((n) => n.kind === 'mention').length, 0, 'not for oneself');
    // Editing the note with the same mention tells nobody again; a new one does.
    await ann.patch(`/activities/${note.id}`, { description: `${note.description} (sent)` });
    assert.equal((await mine(dave)).data.length, before.dave + 1);
    await admin.patch(`/activities/${note.id}`, { description: `${note.description} @ann` });
    assert.ok((await mine(ann)).data.some((n) => n.kind === 'mention' && n.record_id === note.id));
  });

  test('preferences: defaults, choices per kind, and bad input changes nothing', async () => {
    const g = await dave.get('/notifications/preferences');
    assert.equal(g.status, 200);
    const byKind = Object.fromEntries(g.body.data.map((p) => [p.kind, p.channel]));
    assert.deepEqual(byKind, { assigned: 'in_app', mention: 'in_app', reminder: 'in_app', changed: 'off', alert: 'in_app', invitation: 'in_app' });
    assertProblem(await dave.put('/notifications/preferences', { assigned: 'pigeon' }), 422);
    assertProblem(await dave.put('/notifications/preferences', { assigned: 'email', gossip: 'both' }), 422);
    assertProblem(await dave.put('/notifications/preferences', { assigned: 3 }), 422);
    assertProblem(await dave.put('/notifications/preferences', '[1]'), 400);
    const same = await dave.get('/notifications/preferences');
    assert.deepEqual(same.body, g.body, 'refused changes change nothing');
    const p = await dave.put('/notifications/preferences', { changed: 'in_app', assigned: 'email' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.data.find((x) => x.kind === 'changed').channel, 'in_app');
    assert.equal(p.body.data.find((x) => x.kind === 'assigned').channel, 'email');
    // The others' preferences are theirs.
    assert.equal((await ann.get('/notifications/preferences')).body.data.find((x) => x.kind === 'changed').channel, 'off');
  });

  test('a record of mine changed by someone else, once I opted in; e-mail-only goes to the mail module', async () => {
    const acc = await create(dave, 'accounts', { name: 'Watched' });
    const n0 = (await mine(dave)).data.length;
    await admin.patch(`/accounts/${acc.id}`, { description: 'changed by the admin' });
    const d = (await mine(dave)).data;
    assert.equal(d.length, n0 + 1);
    assert.equal(d[0].kind, 'changed');
    assert.equal(d[0].text, 'Administrator changed: Watched');
    await dave.patch(`/accounts/${acc.id}`, { description: 'my own change' });
    assert.equal((await mine(dave)).data.length, n0 + 1, 'one\'s own changes tell nothing');
    // Assigned is e-mail only for dave: nothing in the centre, an e-mail row that the
    // mail module takes at once — and skips, as no SMTP server is set up here
    // (notify-mail.test.js sends them).
    const gift = await create(admin, 'accounts', { name: 'By mail', owner_id: users.dave.id });
    assert.ok(!(await mine(dave)).data.some((n) => n.record_id === gift.id));
    const row = () => dbQuery(srv.dir, `SELECT kind, in_app, email_state FROM notifications WHERE record_id = '${gift.id}'`).trim();
    for (let i = 0; i < 100 && row() !== 'assigned|0|skipped'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(row(), 'assigned|0|skipped');
  });

  test('a notification about a record I can no longer read is not shown', async () => {
    const acc = await create(admin, 'accounts', { name: 'Given away', owner_id: users.carol.id });
    assert.ok((await mine(carol)).data.some((n) => n.record_id === acc.id));
    await admin.patch(`/accounts/${acc.id}`, { owner_id: users.ann.id });
    assertProblem(await carol.get(`/accounts/${acc.id}`), 404);
    assert.ok(!(await mine(carol, '?limit=100')).data.some((n) => n.record_id === acc.id));
  });

  test('the event stream brings a new notification to an open browser, in time', async () => {
    const s = await openStream(carol);
    assert.equal(s.res.status, 200);
    assert.match(s.res.headers.get('content-type'), /^text\/event-stream/);
    const hello = await s.next((e) => e.event === 'unread');
    assert.equal(typeof hello.json.unread, 'number');
    const t0 = Date.now();
    const acc = await create(admin, 'accounts', { name: 'Live one', owner_id: users.carol.id });
    const ev = await s.notification((n) => n.record_id === acc.id, 5000);
    assert.ok(ev.at - t0 < 5000, `arrived after ${ev.at - t0} ms`);
    assert.equal(ev.json.kind, 'assigned');
    assert.equal(ev.json.unread, (await mine(carol)).unread);
    assert.ok(Number(ev.id) > 0, 'events carry ids');
    // Nothing of anyone else's.
    await create(admin, 'accounts', { name: 'Not carol\'s', owner_id: users.dave.id });
    const mark = await create(admin, 'accounts', { name: 'Carol again', owner_id: users.carol.id });
    await s.notification((n) => n.record_id === mark.id);
    assert.ok(s.events.every((e) => e.event !== 'notification' || e.json.title !== 'Not carol\'s'));
    s.close();
  });

  test('a reconnection with Last-Event-ID gets what it missed', async () => {
    const s = await openStream(carol);
    await s.next((e) => e.event === 'unread');
    const a = await create(admin, 'accounts', { name: 'Before the cut', owner_id: users.carol.id });
    await s.notification((n) => n.record_id === a.id);
    const last = s.lastId;
    s.close();
    const missed1 = await create(admin, 'accounts', { name: 'Missed 1', owner_id: users.carol.id });
    const missed2 = await create(admin, 'accounts', { name: 'Missed 2', owner_id: users.carol.id });
    const again = await openStream(carol, { lastEventId: last });
    await again.notification((n) => n.record_id === missed2.id);
    const got = again.events.filter((e) => e.event === 'notification').map((e) => e.json.record_id);
    assert.deepEqual(got, [missed1.id, missed2.id]);
    again.close();
    assertProblem(await carol.get('/notifications/stream', { headers: { 'last-event-id': 'soon' } }), 400);
  });

  test('streams: signed-in users only, and a limit per user', async () => {
    const anon = await fetch(`${srv.base}/api/v1/notifications/stream`);
    assert.equal(anon.status, 401);
    const open = [];
    for (let i = 0; i < 8; i++) {
      const s = await openStream(dave);
      assert.equal(s.res.status, 200);
      open.push(s);
    }
    const ninth = await dave.get('/notifications/stream');
    assertProblem(ninth, 429);
    const annStream = await openStream(ann);
    assert.equal(annStream.res.status, 200, 'other users are not limited by dave\'s');
    annStream.close();
    // A waiting stream learns that its browser left at its next heartbeat (15 s).
    open.pop().close();
    await eventually(async () => {
      const s = await openStream(dave);
      if (s.res.status !== 200) return false;
      open.push(s);
      return true;
    }, 25000, 'a closed stream frees its place');
    for (const s of open) s.close();
  });
});
