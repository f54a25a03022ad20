// Cases by e-mail, against a REAL IMAP server (Dovecot, tests/mail/imap.js) and a REAL
// SMTP server (aiosmtpd, tests/mail/sink.js): a support mailbox that logs every message
// feeds a queue, so a new message becomes a case of that queue (assigned by its rules),
// a reply naming the case's number goes on that case (moving it on when it waited on the
// customer) instead of making a new one, a stranger's message makes a case without a
// contact, and a mailbox feeding no queue makes none. A reply written on the case goes
// to its contact with the number in its subject and shows on the case's timeline.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, loginAdmin, login, createUser, create, assertProblem, dropDb } from './helpers.js';
import { startImap } from '../mail/imap.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';

const KEY = 'c'.repeat(64);
const ENV = { RAPPORT_JOB_POLL_MS: '100' };

describe('cases by e-mail', () => {
  let srv, imap, sink, admin, agent, agentId, account, contact, queue, support, other;
  before(async () => {
    imap = await startImap({ 'support@rapport.test': 'imap-pass-1', 'sales@rapport.test': 'imap-pass-2' });
    sink = await startSink();
    srv = await startServer({ env: ENV, keepDir: true });
    mkdirSync(path.join(srv.dir, 'data'), { recursive: true });
    writeFileSync(path.join(srv.dir, 'data', 'secret.key'), `${KEY}\n`);
    admin = await loginAdmin(srv.base);
    agentId = (await createUser(admin, { username: 'mailagent', password: 'pw-mailagent-1234', role: 'support' })).id;
    agent = await login(srv.base, 'mailagent', 'pw-mailagent-1234');
    account = await create(admin, 'accounts', { name: '上海精密仪器' });
    contact = await create(admin, 'contacts', { first_name: '芳', last_name: '李', email: 'li.fang@precision.example', account_id: account.id });
    const r = await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, security: 'none', from_address: 'support@rapport.test', from_name: 'Support' });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    await srv?.stop();
    if (srv) {
      dropDb(srv.dir);
      rmSync(srv.dir, { recursive: true, force: true });
    }
    await imap?.stop();
    await sink?.stop();
  });

  async function mailbox(username, password, body) {
    const r = await admin.post('/mailboxes', { name: username, host: '127.0.0.1', port: imap.port, security: 'none', username, shared: true, ...body });
    assert.equal(r.status, 201, r.text);
    assert.equal((await admin.put(`/mailboxes/${r.body.id}/password`, { password })).status, 200);
    return r.body;
  }
  async function fetchNow(id) {
    const before = (await admin.get(`/mailboxes/${id}`)).body.last_fetch_at;
    const r = await admin.post(`/mailboxes/${id}/fetch`, {});
    assert.equal(r.status, 202, r.text);
    const m = await waitFor(async () => {
      const b = (await admin.get(`/mailboxes/${id}`)).body;
      return b.last_fetch_at && b.last_fetch_at !== before && !b.claimed_by ? b : null;
    }, 30000, 'the mailbox read');
    assert.equal(m.last_error, null, m.last_error_detail);
    return m;
  }
  const casesOf = async (q) => (await admin.get(`/cases?${q}&limit=100`)).body.data;
  const emailOf = async (mid) => (await admin.get(`/emails?message_id=${encodeURIComponent(mid)}`)).body.data[0];

  test('a queue names the mailbox that feeds it; a mailbox logs every message when told', async () => {
    support = await mailbox('support@rapport.test', 'imap-pass-1', { log_all: true });
    other = await mailbox('sales@rapport.test', 'imap-pass-2', { log_all: true });
    assert.equal(support.log_all, true);
    queue = await create(admin, 'case_queues', { name: 'E-mail support', rule_order: 5, member_ids: [agentId],
      mailbox_id: support.id, match_product: 'only-by-mail' });
    assert.equal(queue.mailbox_id, support.id);
    const r = await admin.post('/case_queues', { name: 'Bad', mailbox_id: '00000000-0000-7000-8000-000000000000' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['mailbox_id']);
  });

  let first;
  test('a new message to the support mailbox becomes a case of its queue, assigned to its agent', async () => {
    imap.append('support@rapport.test', 'INBOX', [
      'From: =?UTF-8?B?5p2O6Iqz?= <li.fang@precision.example>\nTo: support@rapport.test\n'
        + 'Subject: =?UTF-8?B?5Luq5Zmo5peg5rOV5ZCv5Yqo?=\nMessage-ID: <m1@precision.example>\n'
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThe gauge shows no reading.\n',
    ]);
    const m = await fetchNow(support.id);
    assert.equal(m.messages_logged, 1);
    const made = await casesOf(`queue_id=${queue.id}`);
    assert.equal(made.length, 1);
    first = made[0];
    assert.equal(first.subject, '仪器无法启动');
    assert.equal(first.description.trim(), 'The gauge shows no reading.');
    assert.equal(first.channel, 'email');
    assert.equal(first.contact_id, contact.id);
    assert.equal(first.account_id, account.id);
    assert.equal(first.owner_id, agentId);
    assert.equal(first.status, 'assigned');
    const mail = await emailOf('<m1@precision.example>');
    assert.equal(mail.related_type, 'cases');
    assert.equal(mail.related_id, first.id);
    // The agent working the case reads the message, on the case's timeline too.
    const tl = await agent.get(`/cases/${first.id}/timeline?limit=50`);
    assert.equal(tl.status, 200, tl.text);
    assert.ok(tl.body.data.some((x) => x.entity === 'emails' && x.record.id === mail.id), JSON.stringify(tl.body.data));
  });

  test('a reply naming the case goes on that case, and a case waiting on the customer moves on', async () => {
    let r = await agent.patch(`/cases/${first.id}`, { status: 'waiting_on_customer' });
    assert.equal(r.status, 200, r.text);
    imap.append('support@rapport.test', 'INBOX', [
      `From: li.fang@precision.example\nTo: support@rapport.test\nSubject: Re: [${first.number}] 仪器无法启动\n`
        + 'Message-ID: <m2@precision.example>\nIn-Reply-To: <m1@precision.example>\n'
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nStill broken.\n',
      // The number written short and in lower case names the same case.
      `From: li.fang@precision.example\nTo: support@rapport.test\nSubject: about cs-${Number(first.number.slice(3))} again\n`
        + 'Message-ID: <m3@precision.example>\n\nPhoto attached later.\n',
    ]);
    await fetchNow(support.id);
    assert.equal((await casesOf(`queue_id=${queue.id}`)).length, 1, 'no new case');
    for (const mid of ['<m2@precision.example>', '<m3@precision.example>']) {
      const mail = await emailOf(mid);
      assert.equal(mail.related_id, first.id, mid);
    }
    r = await agent.get(`/cases/${first.id}`);
    assert.equal(r.body.status, 'in_progress');
  });

  test('a stranger\'s message makes a case without a contact; a number of no case makes a new one', async () => {
    imap.append('support@rapport.test', 'INBOX', [
      'From: Nobody <nobody@unknown.example>\nTo: support@rapport.test\nSubject: Help with CS-999999\n'
        + 'Message-ID: <s1@unknown.example>\n\nWho can help?\n',
      'From: nobody@unknown.example\nTo: support@rapport.test\nMessage-ID: <s2@unknown.example>\n\nNo subject here\n',
    ]);
    await fetchNow(support.id);
    const made = await casesOf(`queue_id=${queue.id}&sort=created_at`);
    assert.equal(made.length, 3);
    assert.equal(made[1].subject, 'Help with CS-999999');
    assert.equal(made[1].contact_id, null);
    assert.equal(made[1].account_id, null);
    assert.equal(made[2].subject, '(no subject)');
    const mail = await emailOf('<s1@unknown.example>');
    assert.equal(mail.contact_id, null);
    assert.equal(mail.related_id, made[1].id);
  });

  test('a mailbox that feeds no queue makes no case', async () => {
    const count = (await casesOf('limit=100')).length;
    imap.append('sales@rapport.test', 'INBOX', [
      'From: li.fang@precision.example\nTo: sales@rapport.test\nSubject: Price list please\nMessage-ID: <p1@precision.example>\n\nThanks\n',
    ]);
    const m = await fetchNow(other.id);
    assert.equal(m.messages_logged, 1);
    assert.equal((await casesOf('limit=100')).length, count);
    const mail = await emailOf('<p1@precision.example>');
    assert.equal(mail.related_type, null);
    assert.equal(mail.contact_id, contact.id);
  });

  test('a reply from the case goes to its contact with the case number in its subject, on its timeline', async () => {
    let r = await agent.post('/emails', { related_type: 'cases', related_id: first.id, contact_id: contact.id,
      subject: 'Re: 仪器无法启动', body_text: 'Please restart it twice.' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.subject, `[${first.number}] Re: 仪器无法启动`);
    assert.equal(r.body.to_addresses, 'li.fang@precision.example');
    const id = r.body.id;
    const sent = await waitFor(async () => {
      const e = (await agent.get(`/emails/${id}`)).body;
      return e.status === 'sent' ? e : null;
    }, 15000, 'the reply sent');
    const file = sink.files().find((f) => parseMail(f).message_id === sent.message_id);
    assert.ok(file, 'the sink has the reply');
    const got = parseMail(file);
    assert.equal(got.subject, `[${first.number}] Re: 仪器无法启动`);
    const tl = (await agent.get(`/cases/${first.id}/timeline?limit=50`)).body.data;
    assert.ok(tl.some((x) => x.entity === 'emails' && x.record.id === id));
    // A subject that names the case already keeps it as it is.
    r = await agent.post('/emails', { related_type: 'cases', related_id: first.id, contact_id: contact.id,
      subject: `Your case ${first.number}`, body_text: 'Done.' });
    assert.equal(r.body.subject, `Your case ${first.number}`);
  });

  test('a queue with an acknowledgement template answers a new case\'s sender once, never a machine', async () => {
    const tpl = await create(admin, 'email_templates', { name: 'Case received', subject: 'We have your request',
      body_text: 'Dear {{contact.first_name|customer}}, we are on it.' });
    let r = await admin.patch(`/case_queues/${queue.id}`, { ack_template_id: tpl.id });
    assert.equal(r.status, 200, r.text);
    imap.append('support@rapport.test', 'INBOX', [
      'From: li.fang@precision.example\nTo: support@rapport.test\nSubject: Printer jams\n'
        + 'Message-ID: <a1@precision.example>\n\nPage 3 jams every time.\n',
      // An out-of-office answer (RFC 3834) and a list's message make cases, unanswered.
      'From: away@unknown.example\nTo: support@rapport.test\nSubject: Out of office\n'
        + 'Auto-Submitted: auto-replied\nMessage-ID: <a2@unknown.example>\n\nBack on Monday.\n',
      'From: news@list.example\nTo: support@rapport.test\nSubject: Weekly digest\n'
        + 'List-Id: Digest <digest.list.example>\nPrecedence: bulk\nMessage-ID: <a3@list.example>\n\nNews.\n',
    ]);
    await fetchNow(support.id);
    const made = await casesOf(`queue_id=${queue.id}&sort=-created_at&limit=3`);
    const bySubject = Object.fromEntries(made.slice(0, 3).map((c) => [c.subject, c]));
    const jam = bySubject['Printer jams'];
    assert.ok(jam && bySubject['Out of office'] && bySubject['Weekly digest'], JSON.stringify(made.map((c) => c.subject)));
    const mails = async (c) => (await admin.get(`/emails?related_id=${c.id}&sort=created_at`)).body.data;
    const onJam = await mails(jam);
    assert.equal(onJam.length, 2, JSON.stringify(onJam));
    const [inbound, ack] = onJam;
    assert.equal(inbound.automatic, false);
    assert.equal(ack.direction, 'outbound');
    assert.equal(ack.automatic, true);
    assert.equal(ack.to_addresses, 'li.fang@precision.example');
    assert.equal(ack.subject, `[${jam.number}] We have your request`);
    assert.equal(ack.in_reply_to, '<a1@precision.example>');
    assert.equal(ack.thread_id, inbound.thread_id);
    assert.equal(ack.owner_id, jam.owner_id);
    const sent = await waitFor(async () => {
      const e = (await admin.get(`/emails/${ack.id}`)).body;
      return e.status === 'sent' ? e : null;
    }, 15000, 'the acknowledgement sent');
    const file = sink.files().find((f) => parseMail(f).message_id === sent.message_id);
    assert.ok(file, 'the sink has the acknowledgement');
    const got = parseMail(file);
    assert.deepEqual(got.to_addrs, ['li.fang@precision.example']);
    assert.equal(got.subject, `[${jam.number}] We have your request`);
    assert.equal(got.raw_headers['Auto-Submitted'], 'auto-replied');
    assert.equal(got.raw_headers['In-Reply-To'], '<a1@precision.example>');
    assert.equal(got.raw_headers.References, '<a1@precision.example>');
    assert.equal(got.parts[0].body.trim(), 'Dear 芳, we are on it.');
    for (const subject of ['Out of office', 'Weekly digest']) {
      const on = await mails(bySubject[subject]);
      assert.equal(on.length, 1, `${subject}: ${JSON.stringify(on)}`);
      assert.equal(on[0].automatic, true, subject);
    }
    // The customer's answer goes on the case and is not acknowledged again.
    imap.append('support@rapport.test', 'INBOX', [
      `From: li.fang@precision.example\nTo: support@rapport.test\nSubject: Re: [${jam.number}] We have your request\n`
        + 'Message-ID: <a4@precision.example>\nIn-Reply-To: ' + `${sent.message_id}\n\nThanks!\n`,
    ]);
    await fetchNow(support.id);
    assert.deepEqual((await mails(jam)).map((e) => e.direction), ['inbound', 'outbound', 'inbound']);
    r = await admin.patch(`/case_queues/${queue.id}`, { ack_template_id: null });
    assert.equal(r.status, 200, r.text);
  });

  test('a message must relate to a record that exists and is given whole', async () => {
    let r = await agent.post('/emails', { related_type: 'cases', contact_id: contact.id, subject: 's', body_text: 'b' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['related_id']);
    r = await agent.post('/emails', { related_type: 'cases', related_id: '00000000-0000-7000-8000-000000000000',
      contact_id: contact.id, subject: 's', body_text: 'b' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['related_id']);
    r = await agent.post('/emails', { related_type: 'widgets', related_id: first.id, contact_id: contact.id, subject: 's', body_text: 'b' });
    assertProblem(r, 422);
    r = await agent.post('/emails', { related_type: 'cases', related_id: first.id, contact_id: contact.id,
      subject: 'x'.repeat(250), body_text: 'b' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['subject']);
  });
});
