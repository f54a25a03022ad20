// A mailing in one request (POST /mail/batch) against the REAL SMTP sink
// (tests/mail/smtp_sink.py, aiosmtpd), read back with Python's email package: every
// message written as POST /emails would write it (template merged per contact,
// permissions, checks), all or none; bad input is a 422 naming the message and field,
// with nothing queued (a contact the caller may not read among them); a mailing larger than one job's share is sent once each (jobs
// send up to 50 due messages over several connections); the per-domain limit holds
// back what passes it without an attempt.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createUser, create, assertProblem } from './helpers.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';

describe('mailings', () => {
  let srv, sink, admin, rep, rep2, viewer, tpl, contacts;
  const total = async (q) => (await admin.get(`/emails?count=true&limit=1&${q}`)).body.total;
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
    admin = await loginAdmin(srv.base);
    const r = await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, from_address: 'news@example.com', retry_base_s: 1 });
    assert.equal(r.status, 200, r.text);
    await createUser(admin, { username: 'mb_rep', role: 'sales' });
    await createUser(admin, { username: 'mb_rep2', role: 'sales' });
    await createUser(admin, { username: 'mb_view', role: 'readonly' });
    rep = await login(srv.base, 'mb_rep', 'password-123');
    rep2 = await login(srv.base, 'mb_rep2', 'password-123');
    viewer = await login(srv.base, 'mb_view', 'password-123');
    tpl = await create(admin, 'email_templates', { name: 'News', language: 'zh-CN', subject: '{{contact.first_name|朋友}}，本月新闻',
      body_text: '您好 {{contact.first_name}}：\n新闻见下。' });
    contacts = [];
    for (const [first, email] of [['丽', 'li@news.example.cn'], ['Bob', 'bob@news.example.com'], [null, 'anon@news.example.com']]) {
      contacts.push(await create(rep, 'contacts', { first_name: first, last_name: 'Reader', email }));
    }
  });
  after(async () => {
    await srv?.stop();
    await sink?.stop();
  });

  test('a mailing writes each message from the template and its contact, and each arrives once', async () => {
    const r = await rep.post('/mail/batch', { template_id: tpl.id, messages: contacts.map((c) => ({ contact_id: c.id })) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.created, 3);
    assert.equal(r.body.ids.length, 3);
    await waitFor(async () => (await total('status=sent')) === 3, 20000, 'three sent');
    const got = sink.files().map(parseMail);
    assert.deepEqual(got.map((m) => m.subject).sort(), ['Bob，本月新闻', '丽，本月新闻', '朋友，本月新闻'].sort());
    const li = got.find((m) => m.to_addrs[0] === 'li@news.example.cn');
    assert.equal(li.parts[0].body.replace(/\r\n/g, '\n'), '您好 丽：\n新闻见下。');
    // Written by the caller, on the contacts' timelines, as POST /emails would.
    const mine = await rep.get(`/emails/${r.body.ids[0]}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.owner_id, rep.user.id);
    assert.equal(mine.body.contact_id, contacts[0].id);
  });

  test('bad input names the message and field, and queues nothing', async () => {
    const before = await total('');
    let r = await admin.post('/mail/batch', { subject: 'x', body_text: 'y' });
    assertProblem(r, 422);
    assert.equal(r.body.errors[0].field, 'messages');
    assertProblem(await admin.post('/mail/batch', { messages: [] }), 422);
    r = await admin.post('/mail/batch', { messages: Array.from({ length: 5001 }, () => 1) });
    assertProblem(r, 422, '5000');
    r = await admin.post('/mail/batch', { subject: 'Fine', body_text: 'y', messages: [{ to_addresses: 'a@example.com' }, 'oops'] });
    assertProblem(r, 422);
    assert.equal(r.body.errors[0].field, 'messages[1]');
    r = await admin.post('/mail/batch', { body_text: 'y', messages: [
      { to_addresses: 'a@example.com', subject: 'Fine' },
      { to_addresses: 'b@example.com', subject: 'Evil\r\nBcc: x@example.com' }] });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['messages[1].subject']);
    r = await admin.post('/mail/batch', { subject: 's', body_text: 'y', messages: [{ to_addresses: 'a@example.com', colour: 'red' }] });
    assertProblem(r, 422);
    assert.equal(r.body.errors[0].field, 'messages[0].colour');
    assert.equal(await total(''), before, 'nothing queued');
  });

  test('a role that may not write e-mails writes no mailing; no one merges a contact they may not read', async () => {
    const before = await total('');
    assertProblem(await viewer.post('/mail/batch', { subject: 's', body_text: 'y', messages: [{ to_addresses: 'a@example.com' }] }), 403);
    // rep2 may write e-mails but not read rep's contacts: not even after a message of
    // the same mailing read one of its own.
    const own = await create(rep2, 'contacts', { last_name: 'Mine', email: 'mine@example.com' });
    const r = await rep2.post('/mail/batch', { template_id: tpl.id, messages: [{ contact_id: own.id }, { contact_id: contacts[0].id }] });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['messages[1].contact_id']);
    assert.equal(await total(''), before);
  });

  test('a mailing larger than one job\'s share is sent once each', async () => {
    const N = 130;
    const sentBefore = await total('status=sent');
    const files = sink.files().length;
    const r = await admin.post('/mail/batch', { subject: 'Big mailing', body_text: 'hello',
      messages: Array.from({ length: N }, (_, i) => ({ to_addresses: `r${i}@big.example.com` })) });
    assert.equal(r.status, 201, r.text);
    await waitFor(async () => (await total('status=sent')) === sentBefore + N, 30000, 'every message sent');
    const arrived = sink.files().slice(files).map((f) => sink.envelope(f).to[0]);
    assert.equal(arrived.length, N);
    assert.equal(new Set(arrived).size, N, 'none twice');
    const log = (await admin.get('/email_deliveries?count=true&limit=1&outcome=sent')).body.total;
    assert.equal(log, sentBefore + N, 'one attempt each');
  });

  test('the per-domain limit holds back what passes it, without an attempt', async () => {
    assert.equal((await admin.patch('/mail/settings', { domain_per_minute: 3 })).status, 200);
    const r = await admin.post('/mail/batch', { subject: 'Throttled', body_text: 'x',
      messages: Array.from({ length: 5 }, (_, i) => ({ to_addresses: `t${i}@slow.example.org` })) });
    assert.equal(r.status, 201, r.text);
    await waitFor(async () => (await total('status=sent&to_domain=slow.example.org')) === 3, 20000, 'three sent');
    await new Promise((res) => setTimeout(res, 1500));
    const held = (await admin.get('/emails?status=queued&to_domain=slow.example.org&limit=10')).body.data;
    assert.equal(held.length, 2);
    for (const m of held) {
      assert.equal(m.attempts, 0);
      assert.ok(Date.parse(m.next_attempt_at) > Date.now(), 'put back for later');
    }
    assert.equal((await admin.patch('/mail/settings', { domain_per_minute: 0 })).status, 200);
  });
});
