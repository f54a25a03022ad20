// Outgoing e-mail against a REAL SMTP server (tests/mail/smtp_sink.py, Debian
// python3-aiosmtpd), with what arrived read back by Python's email package: settings
// with a write-only encrypted password, templates with merge fields, compose and
// preview, the outbox (retries while the server is down, 5xx failures with the answer
// in the delivery log), CR/LF refused, timelines and permissions.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, loginAdmin, login, createUser, create, assertProblem } from './helpers.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';

const KEY = 'a'.repeat(64);

describe('outgoing e-mail', () => {
  let srv, sink, admin, rep, viewer, rep2;
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
    admin = await loginAdmin(srv.base);
    await createUser(admin, { username: 'mrep', role: 'sales', email: 'rep@example.com', display_name: '王小明' });
    await createUser(admin, { username: 'mrep2', role: 'sales' });
    await createUser(admin, { username: 'mview', role: 'readonly' });
    rep = await login(srv.base, 'mrep', 'password-123');
    rep2 = await login(srv.base, 'mrep2', 'password-123');
    viewer = await login(srv.base, 'mview', 'password-123');
  });
  after(async () => {
    await srv?.stop();
    await sink?.stop();
  });

  const settings = (body) => admin.patch('/mail/settings', body);
  async function sentMessage(id) {
    return waitFor(async () => {
      const r = await admin.get(`/emails/${id}`);
      return r.body.status === 'sent' ? r.body : null;
    }, 15000, `e-mail ${id} sent`);
  }
  // The accepted message whose Message-ID is mid, parsed.
  function arrived(mid) {
    for (const f of sink.files()) {
      const m = parseMail(f);
      if (m.message_id === mid) return { ...m, envelope: sink.envelope(f) };
    }
    return null;
  }

  test('a password is refused without a secret key, then kept encrypted and never returned', async () => {
    assertProblem(await settings({ password: 'smtp-secret' }), 422, 'secret key');
    mkdirSync(path.join(srv.dir, 'data'), { recursive: true });
    writeFileSync(path.join(srv.dir, 'data', 'secret.key'), `${KEY}\n`);
    const r = await settings({
      host: '127.0.0.1', port: sink.port, security: 'none', password: 'smtp-secret',
      from_address: 'crm@example.com', from_name: '销售部 Sales', retry_base_s: 1, max_attempts: 5,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.password_set, true);
    assert.equal(r.body.secret_key, true);
    assert.ok(!('password' in r.body));
    assert.ok(!JSON.stringify((await admin.get('/mail/settings')).body).includes('smtp-secret'));
    // No user is set, so no AUTH: the sink takes mail without it.
    assert.equal((await settings({ user: null })).status, 200);
  });

  test('bad settings are field errors and change nothing', async () => {
    const r = await settings({ port: 70000, security: 'ssl', from_address: 'not an address', colour: 'red', from_name: 'x\r\nBcc: evil@example.com' });
    assertProblem(r, 422);
    const fields = r.body.errors.map((e) => e.field).sort();
    assert.deepEqual(fields, ['colour', 'from_address', 'from_name', 'port', 'security']);
    assert.equal((await admin.get('/mail/settings')).body.port, sink.port);
  });

  test('only administrators read or change the settings and send test messages', async () => {
    assertProblem(await rep.get('/mail/settings'), 403);
    assertProblem(await rep.patch('/mail/settings', { host: 'evil.example.com' }), 403);
    assertProblem(await rep.post('/mail/test', { to: 'x@example.com' }), 403);
  });

  test('a test message arrives at the SMTP server', async () => {
    const r = await admin.post('/mail/test', { to: 'ops@example.com' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.sent, true, r.body.answer);
    assert.match(r.body.answer, /^250/);
    const m = await waitFor(() => sink.files().map(parseMail).find((x) => x.to_addrs.includes('ops@example.com')));
    assert.equal(m.subject, 'Rapport test message');
  });

  test('a template with an unknown or malformed merge field is refused', async () => {
    let r = await admin.post('/email_templates', { name: 'Bad', subject: 'Hi {{contact.shoe_size}}', body_text: 'x' });
    assertProblem(r, 422);
    assert.equal(r.body.errors[0].field, 'subject');
    r = await admin.post('/email_templates', { name: 'Bad', subject: 'Hi', body_text: 'Dear {{contact.first_name' });
    assertProblem(r, 422);
    r = await admin.post('/email_templates', { name: 'Bad', subject: 'Hi', body_text: '{{user.password}}' });
    assertProblem(r, 422);
  });

  test('compose from a contact with a Chinese template: RFC 2047 subject, merged and escaped bodies', async () => {
    const tpl = await create(admin, 'email_templates', {
      name: '跟进', language: 'zh-CN',
      subject: '{{contact.first_name|朋友}}，关于{{account.name}}的报价',
      body_text: '您好 {{contact.first_name|朋友}}：\n\n这是{{account.name}}的报价。\n{{user.display_name}}',
      body_html: '<p>您好 <b>{{contact.first_name|朋友}}</b>：{{account.name}}</p><p>{{user.display_name}}</p>',
    });
    const acc = await create(rep, 'accounts', { name: '长城 & <Great Wall>' });
    const con = await create(rep, 'contacts', { first_name: '丽', last_name: '张', email: 'li.zhang@example.cn', account_id: acc.id });
    const deal = await create(rep, 'opportunities', { name: 'Deal 1', account_id: acc.id, contact_id: con.id });
    // The preview renders the same without queueing anything.
    const before = (await admin.get('/emails?count=true')).body.total;
    const pv = await rep.post('/mail/preview', { template_id: tpl.id, deal_id: deal.id });
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.body.subject, '丽，关于长城 & <Great Wall>的报价');
    assert.equal(pv.body.to_addresses, 'li.zhang@example.cn');
    assert.match(pv.body.body_html, /长城 &amp; &lt;Great Wall&gt;/);
    assert.equal((await admin.get('/emails?count=true')).body.total, before);

    const r = await rep.post('/emails', { template_id: tpl.id, deal_id: deal.id, cc_addresses: '"Boss, Big" <boss@example.com>' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.status, 'queued');
    assert.equal(r.body.contact_id, con.id);
    assert.equal(r.body.account_id, acc.id);
    const sent = await sentMessage(r.body.id);
    assert.match(sent.last_answer, /^250/);
    const m = arrived(sent.message_id);
    assert.ok(m, 'the message reached the SMTP server');
    assert.deepEqual(m.defects, []);
    assert.match(m.raw_headers.Subject, /=\?UTF-8\?B\?/);
    assert.equal(m.subject, '丽，关于长城 & <Great Wall>的报价');
    assert.equal(m.from_name, '销售部 Sales');
    assert.equal(m.from_addr, 'crm@example.com');
    assert.deepEqual(m.envelope.to.sort(), ['boss@example.com', 'li.zhang@example.cn']);
    assert.match(m.cc, /boss@example.com/);
    assert.equal(m.content_type, 'multipart/alternative');
    const [text, html] = m.parts;
    assert.equal(text.type, 'text/plain');
    assert.equal(text.charset, 'utf-8');
    assert.equal(text.body.replace(/\r\n/g, '\n'), '您好 丽：\n\n这是长城 & <Great Wall>的报价。\n王小明');
    assert.equal(text.cte, 'base64');
    assert.equal(html.type, 'text/html');
    assert.match(html.body, /<b>丽<\/b>：长城 &amp; &lt;Great Wall&gt;/);
    assert.match(m.message_id, /^<[0-9a-f-]{36}@example\.com>$/);
    assert.ok(Math.abs(m.date_ts * 1000 - Date.parse(sent.created_at)) < 2000);
    assert.ok(m.max_line <= 998);
    assert.equal(m.bare_lf, false);

    // On the timelines of the contact, the account and the deal.
    for (const [res, id] of [['contacts', con.id], ['accounts', acc.id], ['opportunities', deal.id]]) {
      const tl = await rep.get(`/${res}/${id}/timeline?limit=50`);
      assert.equal(tl.status, 200, tl.text);
      assert.ok(tl.body.data.some((it) => it.entity === 'emails' && it.record.id === sent.id), `${res} timeline`);
    }
    // The delivery log.
    const log = await rep.get(`/email_deliveries?email_id=${sent.id}`);
    assert.equal(log.body.data.length, 1);
    assert.equal(log.body.data[0].outcome, 'sent');
    assert.equal(log.body.data[0].smtp_code, 250);
  });

  test('a missing value takes the default; typed bodies are sent as they are', async () => {
    const tpl = await create(admin, 'email_templates', { name: 'Hello', subject: 'Hello {{ contact.first_name | there }}', body_text: 'Hi {{contact.first_name|there}}!' });
    const con = await create(rep, 'contacts', { last_name: 'Nofirst', email: 'nf@example.org' });
    const pv = await rep.post('/mail/preview', { template_id: tpl.id, contact_id: con.id, body_text: 'typed' });
    assert.equal(pv.body.subject, 'Hello there');
    assert.equal(pv.body.body_text, 'typed');
    const long = `Long subject ${'word '.repeat(40)}end`;
    const r = await rep.post('/emails', { contact_id: con.id, subject: long, body_text: 'plain body = line\n.dot line' });
    assert.equal(r.status, 201, r.text);
    const sent = await sentMessage(r.body.id);
    const m = arrived(sent.message_id);
    assert.equal(m.subject, long.trim());
    assert.ok(m.max_line <= 78, `header lines folded (${m.max_line})`);
    assert.equal(m.content_type, 'text/plain');
    assert.equal(m.parts[0].cte, 'quoted-printable');
    assert.equal(m.parts[0].body.replace(/\r\n/g, '\n'), 'plain body = line\n.dot line\n');
  });

  test('CR/LF in a header value is a 422 and nothing is queued', async () => {
    const con = await create(rep, 'contacts', { last_name: 'Inject', email: 'inj@example.org' });
    const count = async () => (await admin.get('/emails?count=true')).body.total;
    const before = await count();
    for (const body of [
      { contact_id: con.id, subject: 'Hello\r\nBcc: victim@example.com', body_text: 'x' },
      { contact_id: con.id, subject: 'Hello\nX: y', body_text: 'x' },
      { to_addresses: 'a@example.com\r\nRCPT TO:<b@example.com>', subject: 'Hi', body_text: 'x' },
      { cc_addresses: 'x@example.com>\r\n', contact_id: con.id, subject: 'Hi', body_text: 'x' },
      { to_addresses: 'not-an-address', subject: 'Hi', body_text: 'x' },
    ]) {
      const r = await rep.post('/emails', body);
      assertProblem(r, 422);
      assertProblem(await rep.post('/mail/preview', body), 422);
    }
    const t = await admin.post('/email_templates', { name: 'Inj', subject: 'a\r\nb', body_text: 'x' });
    assertProblem(t, 422);
    assert.equal(await count(), before);
  });

  test('the SMTP server down: retried, then sent when it comes back', async () => {
    const port = sink.port;
    await sink.stop({ keep: true });
    const con = await create(rep, 'contacts', { last_name: 'Later', email: 'later@example.net' });
    const r = await rep.post('/emails', { contact_id: con.id, subject: 'While down', body_text: 'x' });
    assert.equal(r.status, 201, r.text);
    await waitFor(async () => (await admin.get(`/email_deliveries?email_id=${r.body.id}`)).body.data.length >= 1, 15000, 'a failed attempt');
    const mid = (await admin.get(`/emails/${r.body.id}`)).body;
    assert.equal(mid.status, 'queued');
    assert.ok(mid.attempts >= 1);
    assert.ok(mid.next_attempt_at);
    const first = (await admin.get(`/email_deliveries?email_id=${r.body.id}`)).body.data.at(-1);
    assert.equal(first.outcome, 'retry');
    assert.ok(first.answer);
    sink = await startSink({ port, dir: sink.dir });
    const sent = await sentMessage(r.body.id);
    assert.ok(sent.attempts >= 2);
    assert.ok(arrived(sent.message_id));
  });

  test('a 5xx answer fails the message for good, with the answer in the log', async () => {
    sink.mode('reject');
    try {
      const con = await create(rep, 'contacts', { last_name: 'Rejected', email: 'rej@example.net' });
      const r = await rep.post('/emails', { contact_id: con.id, subject: 'Rejected', body_text: 'x' });
      const failed = await waitFor(async () => {
        const e = (await admin.get(`/emails/${r.body.id}`)).body;
        return e.status === 'failed' ? e : null;
      }, 15000, 'a failed message');
      assert.equal(failed.attempts, 1);
      assert.match(failed.last_answer, /550 5\.7\.1 rejected/);
      const log = (await rep.get(`/email_deliveries?email_id=${r.body.id}`)).body.data;
      assert.equal(log.length, 1);
      assert.equal(log[0].outcome, 'failed');
      assert.equal(log[0].smtp_code, 550);
    } finally {
      sink.mode('');
    }
  });

  test('a 4xx answer is retried', async () => {
    sink.mode('tempfail');
    const con = await create(rep, 'contacts', { last_name: 'Temp', email: 'temp@example.net' });
    const r = await rep.post('/emails', { contact_id: con.id, subject: 'Temp', body_text: 'x' });
    await waitFor(async () => (await admin.get(`/email_deliveries?email_id=${r.body.id}`)).body.data.some((d) => d.smtp_code === 451), 15000, 'a 451');
    sink.mode('');
    const sent = await sentMessage(r.body.id);
    assert.ok(sent.attempts >= 2);
  });

  test('permissions: who may compose, read e-mails and see the log', async () => {
    const con = await create(rep, 'contacts', { last_name: 'Mine', email: 'mine@example.org' });
    // A read-only user writes no e-mail and previews none.
    assertProblem(await viewer.post('/emails', { to_addresses: 'a@example.com', subject: 's', body_text: 'b' }), 403);
    assertProblem(await viewer.post('/mail/preview', { to_addresses: 'a@example.com', subject: 's', body_text: 'b' }), 403);
    // Another rep may not mail from a contact they cannot read.
    const other = await rep2.post('/emails', { contact_id: con.id, subject: 's', body_text: 'b' });
    assert.ok([404, 422].includes(other.status), other.text);
    const mine = await create(rep, 'emails', { contact_id: con.id, subject: 'Mine', body_text: 'b' });
    assertProblem(await rep2.get(`/emails/${mine.id}`), 404);
    // Nobody edits a message once written; the delivery log is the system's.
    assertProblem(await rep.patch(`/emails/${mine.id}`, { subject: 'changed' }), 403);
    assertProblem(await rep.post('/email_deliveries', { email_id: mine.id }), 403);
    await sentMessage(mine.id);
  });

  test('the delivery log goes to the recycle bin with its message, comes back with it, and is purged with it', async () => {
    const con = await create(rep, 'contacts', { last_name: 'Binned', email: 'bin@example.org' });
    const mail = await create(rep, 'emails', { contact_id: con.id, subject: 'To the bin', body_text: 'b' });
    await sentMessage(mail.id);
    const log = async () => (await admin.get(`/email_deliveries?email_id=${mail.id}`)).body.data.length;
    assert.equal(await log(), 1);
    assert.equal((await rep.del(`/emails/${mail.id}`)).status, 204);
    assert.equal(await log(), 0);
    assert.equal((await rep.post(`/emails/${mail.id}/restore`)).status, 200);
    assert.equal(await log(), 1);
    assert.equal((await rep.del(`/emails/${mail.id}`)).status, 204);
    assert.equal((await admin.post(`/emails/${mail.id}/purge`)).status, 204);
    assertProblem(await admin.get(`/emails/${mail.id}`), 404);
  });

  test('--secret-key-file names the key; a file that is not a key is refused', async () => {
    const other = await startServer({ args: ['--secret-key-file', 'keys/mail.key'] });
    try {
      const a = await loginAdmin(other.base);
      assertProblem(await a.patch('/mail/settings', { password: 'x' }), 422, 'secret key');
      mkdirSync(path.join(other.dir, 'keys'));
      writeFileSync(path.join(other.dir, 'keys', 'mail.key'), 'too short');
      assert.equal((await a.get('/mail/settings')).body.secret_key, false);
      writeFileSync(path.join(other.dir, 'keys', 'mail.key'), Buffer.alloc(32, 7).toString('base64'));
      assert.equal((await a.get('/mail/settings')).body.secret_key, true);
      assert.equal((await a.patch('/mail/settings', { password: 'x' })).status, 200);
    } finally {
      await other.stop();
    }
  });

  test('per-user From when the settings allow it', async () => {
    assert.equal((await settings({ per_user_from: true })).status, 200);
    try {
      const con = await create(rep, 'contacts', { last_name: 'Own', email: 'own@example.org' });
      const r = await create(rep, 'emails', { contact_id: con.id, subject: 'From me', body_text: 'b' });
      assert.equal(r.from_address, 'rep@example.com');
      const sent = await sentMessage(r.id);
      const m = arrived(sent.message_id);
      assert.equal(m.from_name, '王小明');
      assert.equal(m.from_addr, 'rep@example.com');
    } finally {
      await settings({ per_user_from: false });
    }
  });
});
