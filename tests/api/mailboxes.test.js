// Incoming e-mail against a REAL IMAP server (Debian's Dovecot, tests/mail/imap.js),
// filled over IMAP APPEND by Python's imaplib: a user's mailbox with a write-only
// encrypted password, messages from and to known contacts and leads logged on their
// timelines (with their account and, for a reply to a message sent from a deal, the
// deal), threads by In-Reply-To/References, Chinese in GB2312 and UTF-8, attachments
// listed, nothing logged twice (again, after a restart, with two mailboxes holding the
// same message), flags left as they were, a changed UIDVALIDITY, a vanished folder, a
// wrong password, and the owners a shared mailbox gives its messages.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, loginAdmin, login, createUser, create, assertProblem, listAll, dropDb } from './helpers.js';
import { startImap } from '../mail/imap.js';
import { waitFor } from '../mail/sink.js';

const KEY = 'b'.repeat(64);
const ENV = { RAPPORT_JOB_POLL_MS: '100' };

describe('incoming e-mail', () => {
  let srv, imap, admin, rep, rep2, repId, rep2Id;
  let account, contact, lead, otherContact;
  before(async () => {
    imap = await startImap({ 'rep@rapport.test': 'imap-pass-1', support: 'imap-pass-2' });
    srv = await startServer({ env: ENV, keepDir: true });
    mkdirSync(path.join(srv.dir, 'data'), { recursive: true });
    writeFileSync(path.join(srv.dir, 'data', 'secret.key'), `${KEY}\n`);
    admin = await loginAdmin(srv.base);
    repId = (await createUser(admin, { username: 'inrep', role: 'sales', email: 'rep@rapport.test' })).id;
    rep2Id = (await createUser(admin, { username: 'inrep2', role: 'sales' })).id;
    rep = await login(srv.base, 'inrep', 'password-123');
    rep2 = await login(srv.base, 'inrep2', 'password-123');
    account = await create(rep, 'accounts', { name: '华为技术' });
    contact = await create(rep, 'contacts', { first_name: '伟', last_name: '王', email: 'wang.wei@huawei.example', account_id: account.id });
    lead = await create(rep, 'leads', { first_name: 'Lena', last_name: 'Lead', company: 'Prospect Ltd', email: 'lena@prospect.example' });
    otherContact = await create(rep2, 'contacts', { first_name: 'Olga', last_name: 'Other', email: 'olga@other.example' });
  });
  after(async () => {
    await srv?.stop();
    if (srv) {
      dropDb(srv.dir);
      rmSync(srv.dir, { recursive: true, force: true });
    }
    await imap?.stop();
  });

  async function fetchNow(client, id) {
    const before = (await client.get(`/mailboxes/${id}`)).body.last_fetch_at;
    const r = await client.post(`/mailboxes/${id}/fetch`, {});
    assert.equal(r.status, 202, r.text);
    return waitFor(async () => {
      const m = (await client.get(`/mailboxes/${id}`)).body;
      return m.last_fetch_at && m.last_fetch_at !== before && !m.claimed_by ? m : null;
    }, 30000, 'the mailbox read');
  }
  const emailsOf = async (client, q) => (await client.get(`/emails?${q}&limit=100`)).body.data;

  let box;
  test('a mailbox is created without its password; the password is write-only and encrypted', async () => {
    let r = await rep.post('/mailboxes', { name: 'My inbox', host: '127.0.0.1', port: imap.port, security: 'none', username: 'rep@rapport.test' });
    assert.equal(r.status, 201, r.text);
    box = r.body;
    assert.equal(box.password_set, false);
    assert.equal(box.folder, 'INBOX');
    assert.equal(box.owner_id, repId);
    r = await rep.put(`/mailboxes/${box.id}/password`, { password: 'imap-pass-1' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.password_set, true);
    assert.ok(!JSON.stringify(r.body).includes('imap-pass-1'));
    assert.ok(!JSON.stringify((await rep.get(`/mailboxes/${box.id}`)).body).includes('imap-pass-1'));
    // Others cannot see it, set its password, or read it.
    assertProblem(await rep2.get(`/mailboxes/${box.id}`), 404);
    assertProblem(await rep2.put(`/mailboxes/${box.id}/password`, { password: 'x' }), 404);
    assertProblem(await rep2.post(`/mailboxes/${box.id}/fetch`, {}), 404);
  });

  test('bad settings and passwords are field errors and change nothing', async () => {
    let r = await rep.post('/mailboxes', { name: 'Bad', host: 'h', port: 70000, username: 'u\r\nA1 LOGOUT' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['port', 'username']);
    r = await rep.post('/mailboxes', { name: 'Bad', host: 'evil.example/x', username: 'u', folder: 'IN"BOX' });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['folder', 'host']);
    r = await rep.put(`/mailboxes/${box.id}/password`, { password: 'a\r\nb' });
    assertProblem(r, 422);
    r = await rep.put(`/mailboxes/${box.id}/password`, { password: '', colour: 'red' });
    assertProblem(r, 422);
    r = await rep.post('/mailboxes', { name: 'RO', host: 'h', username: 'u', last_uid: 5 });
    assertProblem(r, 422);
    assert.equal((await listAll(rep, 'mailboxes')).data.length, 1);
  });

  test('messages from and to known customers are logged on their timelines, others are not', async () => {
    imap.append('rep@rapport.test', 'INBOX', [
      // From a contact, Chinese subject in GB2312, with an attachment.
      'From: =?GB2312?B?zfXOsA==?= <wang.wei@huawei.example>\nTo: Rep <rep@rapport.test>\n'
        + 'Subject: =?GB2312?B?sai82w==?=\nDate: Mon, 7 Dec 2026 09:30:00 +0800\nMessage-ID: <q1@huawei.example>\n'
        + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n'
        + 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n5oql5Lu35Y2V6KeB6ZmE5Lu244CC\n'
        + '--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8\'\'%E6%8A%A5%E4%BB%B7.pdf\n'
        + 'Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--XX--\n',
      // To a lead, written by the mailbox's owner from another mail client.
      'From: rep@rapport.test\nTo: Lena <LENA@prospect.example>\nSubject: Our offer\nMessage-ID: <o1@rapport.test>\n\nHello Lena\n',
      // Nobody the CRM knows.
      'From: spam@nowhere.example\nTo: rep@rapport.test\nSubject: Win\nMessage-ID: <s1@nowhere.example>\n\nClick\n',
      // Not a message at all: skipped, the reading goes on.
      '\n\n',
    ]);
    const m = await fetchNow(rep, box.id);
    assert.equal(m.last_error, null, m.last_error_detail);
    assert.equal(m.messages_logged, 2);
    assert.equal(m.last_uid, 4);
    const fromContact = (await emailsOf(rep, `contact_id=${contact.id}`))[0];
    assert.equal(fromContact.subject, '报价');
    assert.equal(fromContact.direction, 'inbound');
    assert.equal(fromContact.status, 'received');
    assert.equal(fromContact.from_name, '王伟');
    assert.equal(fromContact.from_address, 'wang.wei@huawei.example');
    assert.equal(fromContact.account_id, account.id);
    assert.equal(fromContact.owner_id, repId);
    assert.equal(fromContact.mailbox_id, box.id);
    assert.equal(fromContact.body_text, '报价单见附件。');
    assert.match(fromContact.attachments, /^报价\.pdf \(application\/pdf, 9 B\)$/);
    assert.equal(fromContact.sent_at, '2026-12-07T01:30:00.000Z');
    assert.equal(fromContact.thread_id, '<q1@huawei.example>');
    const toLead = (await emailsOf(rep, `lead_id=${lead.id}`))[0];
    assert.equal(toLead.direction, 'outbound');
    assert.equal(toLead.subject, 'Our offer');
    assert.equal((await emailsOf(admin, 'message_id=<s1@nowhere.example>')).length, 0);
    // On the timelines of the contact and the account.
    const tl = (await rep.get(`/contacts/${contact.id}/timeline`)).body.data;
    assert.ok(tl.some((x) => x.entity === "emails" && x.record?.id === fromContact.id), JSON.stringify(tl.slice(0, 3)));
    const atl = (await rep.get(`/accounts/${account.id}/timeline`)).body.data;
    assert.ok(atl.some((x) => x.entity === "emails" && x.record?.id === fromContact.id));
    // The messages are still unread in the mailbox (the reading took \Seen back).
    const flags = imap.flags('rep@rapport.test', 'INBOX');
    for (const f of Object.values(flags)) assert.ok(!f.includes('\\Seen'), JSON.stringify(flags));
  });

  test('a reply joins the thread of the message sent from a deal, and lands on the deal', async () => {
    const deal = await create(rep, 'opportunities', { name: 'Phones', account_id: account.id, contact_id: contact.id });
    // A message this CRM sent (queued: no SMTP server here) carries its Message-ID.
    const sent = await rep.post('/emails', { deal_id: deal.id, subject: 'Quote', body_text: 'Here it is' });
    assert.equal(sent.status, 201, sent.text);
    const mid = sent.body.message_id;
    imap.append('rep@rapport.test', 'INBOX', [
      `From: wang.wei@huawei.example\nTo: rep@rapport.test\nSubject: Re: Quote\nMessage-ID: <r1@huawei.example>\nIn-Reply-To: ${mid}\nReferences: ${mid}\n\nThanks!\n`,
      `From: wang.wei@huawei.example\nTo: rep@rapport.test\nSubject: Re: Re: Quote\nMessage-ID: <r2@huawei.example>\nIn-Reply-To: <r1@huawei.example>\nReferences: ${mid} <r1@huawei.example>\n\nOne more thing\n`,
    ]);
    await fetchNow(rep, box.id);
    const thread = await emailsOf(rep, `thread_id=${encodeURIComponent(mid)}&sort=created_at`);
    assert.deepEqual(thread.map((e) => e.subject), ['Quote', 'Re: Quote', 'Re: Re: Quote']);
    for (const e of thread.slice(1)) {
      assert.equal(e.deal_id, deal.id);
      assert.equal(e.in_reply_to !== null, true);
    }
    const dtl = (await rep.get(`/opportunities/${deal.id}/timeline`)).body.data;
    assert.equal(dtl.filter((x) => x.entity === 'emails').length, 3);
  });

  test('nothing is logged twice: again, after a restart, and from a second mailbox', async () => {
    const count = async () => (await admin.get('/emails?count=true&status=received')).body.total;
    const n = await count();
    await fetchNow(rep, box.id);
    assert.equal(await count(), n);
    await srv.stop();
    srv = await startServer({ env: ENV, dir: srv.dir, keepDir: true });
    admin = await loginAdmin(srv.base);
    rep = await login(srv.base, 'inrep', 'password-123');
    rep2 = await login(srv.base, 'inrep2', 'password-123');
    await fetchNow(rep, box.id);
    assert.equal(await count(), n);
    // A shared mailbox holding the same message and a new one for another rep's contact:
    // only the new one is logged, owned by that contact's owner.
    imap.append('support', 'INBOX', [
      'From: wang.wei@huawei.example\nTo: support@rapport.test\nSubject: =?UTF-8?B?5oql5Lu3?=\nMessage-ID: <q1@huawei.example>\n\nsame\n',
      'From: Olga <olga@other.example>\nTo: support@rapport.test\nSubject: Help\nMessage-ID: <h1@other.example>\n\nPlease help\n',
    ]);
    const shared = await create(admin, 'mailboxes', { name: 'Support', host: '127.0.0.1', port: imap.port, security: 'none', username: 'support', shared: true });
    assert.equal((await admin.put(`/mailboxes/${shared.id}/password`, { password: 'imap-pass-2' })).status, 200);
    const m = await fetchNow(admin, shared.id);
    assert.equal(m.messages_logged, 1);
    assert.equal(await count(), n + 1);
    const help = (await emailsOf(rep2, `contact_id=${otherContact.id}`))[0];
    assert.equal(help.subject, 'Help');
    assert.equal(help.owner_id, rep2Id);
    // rep does not see rep2's customer's mail.
    assert.equal((await emailsOf(rep, `contact_id=${otherContact.id}`)).length, 0);
  });

  test('two servers reading the same mailbox at once log each message once', async () => {
    const count = async () => (await admin.get('/emails?count=true&status=received')).body.total;
    const n = await count();
    const other = await startServer({ env: ENV, dir: srv.dir, keepDir: true });
    try {
      const rep2nd = await login(other.base, 'inrep', 'password-123');
      imap.append('rep@rapport.test', 'INBOX', Array.from({ length: 30 }, (_, i) =>
        `From: wang.wei@huawei.example\nTo: rep@rapport.test\nSubject: Both ${i}\nMessage-ID: <both-${i}@huawei.example>\n\nx\n`));
      const before = (await rep.get(`/mailboxes/${box.id}`)).body.last_fetch_at;
      const [a, b] = await Promise.all([rep.post(`/mailboxes/${box.id}/fetch`, {}), rep2nd.post(`/mailboxes/${box.id}/fetch`, {})]);
      assert.equal(a.status, 202);
      assert.equal(b.status, 202);
      await waitFor(async () => {
        const m = (await rep.get(`/mailboxes/${box.id}`)).body;
        return m.last_fetch_at !== before && !m.claimed_by && (await count()) === n + 30;
      }, 30000, 'both readings over');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await count(), n + 30);
      const subjects = (await emailsOf(rep, 'status=received&q=Both')).map((e) => e.subject);
      assert.equal(new Set(subjects).size, subjects.length);
    } finally {
      await other.stop();
    }
  });

  test('a changed UIDVALIDITY reads the folder again without duplicates', async () => {
    const n = (await admin.get('/emails?count=true&status=received')).body.total;
    // Recreating the folder gives it a new UIDVALIDITY; the old messages come back too.
    imap.createFolder('rep@rapport.test', 'Work');
    const msg = 'From: wang.wei@huawei.example\nTo: rep@rapport.test\nSubject: In Work\nMessage-ID: <w1@huawei.example>\n\nx\n';
    imap.append('rep@rapport.test', 'Work', [msg]);
    let r = await rep.patch(`/mailboxes/${box.id}`, { folder: 'Work' });
    assert.equal(r.status, 200, r.text);
    let m = await fetchNow(rep, box.id);
    const first = m.uidvalidity;
    assert.equal(m.last_uid, 1);
    imap.deleteFolder('rep@rapport.test', 'Work');
    imap.createFolder('rep@rapport.test', 'Work');
    imap.append('rep@rapport.test', 'Work', [msg, msg.replace(/w1@/g, 'w2@').replace('In Work', 'In Work 2')]);
    m = await fetchNow(rep, box.id);
    assert.notEqual(m.uidvalidity, first);
    assert.equal(m.last_uid, 2);
    assert.equal((await admin.get('/emails?count=true&status=received')).body.total, n + 2);
  });

  test('a vanished folder, a wrong password and a server that is gone are the mailbox\'s error', async () => {
    imap.deleteFolder('rep@rapport.test', 'Work');
    let m = await fetchNow(rep, box.id);
    assert.equal(m.last_error, 'folder');
    await rep.put(`/mailboxes/${box.id}/password`, { password: 'wrong' });
    await rep.patch(`/mailboxes/${box.id}`, { folder: 'INBOX' });
    m = await fetchNow(rep, box.id);
    assert.equal(m.last_error, 'login');
    await rep.put(`/mailboxes/${box.id}/password`, { password: 'imap-pass-1' });
    m = await fetchNow(rep, box.id);
    assert.equal(m.last_error, null);
    // The Chinese label of the error for the UI.
    const meta = (await rep.get('/meta', { headers: { 'Accept-Language': 'zh-CN' } })).body;
    const f = meta.entities.find((e) => e.name === 'mailboxes').fields.find((x) => x.name === 'last_error');
    assert.ok(JSON.stringify(f).includes('找不到文件夹'));
  });

  test('a deleted mailbox forgets its password; restored, it asks for it again', async () => {
    const tmp = await create(rep, 'mailboxes', { name: 'Tmp', host: '127.0.0.1', port: imap.port, security: 'none', username: 'rep@rapport.test' });
    await rep.put(`/mailboxes/${tmp.id}/password`, { password: 'imap-pass-1' });
    assert.equal((await rep.del(`/mailboxes/${tmp.id}`)).status, 204);
    const back = await rep.post(`/mailboxes/${tmp.id}/restore`, {});
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.password_set, false);
    const m = await fetchNow(rep, tmp.id);
    assert.equal(m.last_error, 'no_password');
  });
});
