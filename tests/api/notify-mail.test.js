// Notification e-mails: a user who chose "email" or "both" for a kind gets each such
// notification as an e-mail, through the outbox, to the REAL SMTP sink
// (tests/mail/smtp_sink.py, aiosmtpd), read back with Python's email package: sent to
// the user's address, in the user's language, with a link to the record; a reminder
// that fired late says when it was due. "in_app" and "off" send nothing; a user
// without an address is skipped; with two servers on one database each notification
// is e-mailed once; a notification whose job was lost (a server stopped) is e-mailed by
// the next server's minutely look.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startServer, loginAdmin, login, createUser, create, dbQuery, dbShellCommand, dropDb, PG } from './helpers.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';

const WEB = 'http://crm.example.com';
const iso = (ms) => new Date(ms).toISOString();
// One statement that writes, on a stopped server's database.
function dbWrite(dir, sql) {
  const [cmd, args] = dbShellCommand(dir);
  execFileSync(cmd, [...args.filter((a) => a !== '-readonly'), ...(PG ? ['-c', sql] : [sql])]);
}
const state = (dir, recordId) =>
  dbQuery(dir, `SELECT email_state FROM notifications WHERE record_id = '${recordId}' ORDER BY seq`);

// The messages that arrived for addr whose subject matches re, parsed.
function mailsTo(sink, addr, re) {
  return sink.files().map(parseMail).filter((m) => m.to_addrs.includes(addr) && re.test(m.subject));
}
async function oneMailTo(sink, addr, re) {
  const [m] = await waitFor(async () => { const x = mailsTo(sink, addr, re); return x.length && x; }, 20000, `a message to ${addr} matching ${re}`);
  return m;
}
const text = (m) => m.parts.find((p) => p.type === 'text/plain').body;

describe('notification e-mails', () => {
  let srv, sink, admin, ann, li, nomail;
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100', RAPPORT_PUBLIC_URL: `${WEB}/` } });
    admin = await loginAdmin(srv.base);
    const r = await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, from_address: 'crm@example.com', from_name: 'Rapport' });
    assert.equal(r.status, 200, r.text);
    await createUser(admin, { username: 'nm_ann', role: 'support', email: 'ann@example.com', display_name: 'Ann Smith' });
    await createUser(admin, { username: 'nm_li', role: 'sales', email: 'li@example.cn', display_name: '李雷', locale: 'zh-CN' });
    await createUser(admin, { username: 'nm_nomail', role: 'sales' });
    ann = await login(srv.base, 'nm_ann', 'password-123');
    li = await login(srv.base, 'nm_li', 'password-123');
    nomail = await login(srv.base, 'nm_nomail', 'password-123');
  });
  after(async () => {
    await srv?.stop();
    await sink?.stop();
  });

  test('an assignment e-mailed to an English user: address, subject, link; not in the centre with "email"', async () => {
    assert.equal((await ann.put('/notifications/preferences', { assigned: 'email' })).status, 200);
    const acc = await create(admin, 'accounts', { name: 'Acme Tools', owner_id: ann.user.id });
    const m = await oneMailTo(sink, 'ann@example.com', /Acme Tools/);
    assert.match(m.subject, /^.+ assigned you: Acme Tools$/);
    assert.equal(m.from_addr, 'crm@example.com');
    assert.deepEqual(m.defects, []);
    assert.ok(text(m).includes(`Open it: ${WEB}/r/accounts/${acc.id}`), text(m));
    assert.ok(text(m).includes(`${WEB}/notifications`));
    assert.equal(state(srv.dir, acc.id), 'queued');
    const centre = (await ann.get('/notifications?limit=100')).body.data;
    assert.ok(!centre.some((n) => n.record_id === acc.id), 'e-mail only: not in the centre');
    // The message is in the outbox like any other, and was sent.
    await waitFor(async () => (await admin.get('/emails?status=sent&limit=100')).body.data
      .some((e) => e.subject === m.subject), 15000, 'the outbox row sent');
  });

  test('a Chinese user gets Chinese, and "both" also shows it in the centre', async () => {
    assert.equal((await li.put('/notifications/preferences', { assigned: 'both' })).status, 200);
    const deal = await create(admin, 'accounts', { name: '长城贸易', owner_id: li.user.id });
    const m = await oneMailTo(sink, 'li@example.cn', /长城贸易/);
    assert.match(m.subject, /^.+ 将此分配给您：长城贸易$/);
    assert.ok(text(m).includes(`打开： ${WEB}/r/accounts/${deal.id}`), text(m));
    assert.ok(text(m).includes('您收到此邮件，是因为您的通知设置'));
    const centre = (await li.get('/notifications?limit=100')).body.data;
    assert.ok(centre.some((n) => n.record_id === deal.id), 'both: in the centre too');
  });

  test('a reminder that fired late says when it was due, in the recipient\'s language', async () => {
    assert.equal((await li.put('/notifications/preferences', { reminder: 'email' })).status, 200);
    const act = await create(li, 'activities', { type: 'task', subject: '回访客户', reminder_at: iso(Date.now() - 3 * 60000) });
    const m = await oneMailTo(sink, 'li@example.cn', /回访客户/);
    assert.match(m.subject, /^提醒：回访客户（原定于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC）$/);
    assert.ok(text(m).includes(`${WEB}/r/activities/${act.id}`));
  });

  test('an alert (a case near its SLA target) is e-mailed with its own text', async () => {
    assert.equal((await ann.put('/notifications/preferences', { alert: 'both' })).status, 200);
    const pol = await create(admin, 'sla_policies', { name: 'Mail alert', p3_response: 60, p3_resolution: 600 });
    const k = await create(admin, 'cases', { subject: 'Printer on fire', sla_policy_id: pol.id, owner_id: ann.user.id,
      reported_at: iso(Date.now() - 20 * 3600e3) });
    const r = await admin.post('/jobs', { kind: 'cases.escalate' });
    assert.equal(r.status, 202, r.text);
    const m = await oneMailTo(sink, 'ann@example.com', new RegExp(`^Case ${k.number} `));
    assert.match(m.subject, /SLA target/);
    assert.ok(text(m).includes(`${WEB}/r/cases/${k.id}`));
  });

  test('"in_app" and "off" send nothing; a user without an address is skipped', async () => {
    assert.equal((await ann.put('/notifications/preferences', { assigned: 'in_app' })).status, 200);
    assert.equal((await li.put('/notifications/preferences', { assigned: 'off' })).status, 200);
    assert.equal((await nomail.put('/notifications/preferences', { assigned: 'email' })).status, 200);
    const a = await create(admin, 'accounts', { name: 'Quiet In App', owner_id: ann.user.id });
    const b = await create(admin, 'accounts', { name: 'Quiet Off', owner_id: li.user.id });
    const c = await create(admin, 'accounts', { name: 'Quiet No Address', owner_id: nomail.user.id });
    await waitFor(async () => state(srv.dir, c.id) === 'skipped', 15000, 'the row without an address skipped');
    // A later e-mail arrives, so the runner went past the quiet ones.
    assert.equal((await ann.put('/notifications/preferences', { assigned: 'email' })).status, 200);
    await create(admin, 'accounts', { name: 'Loud After', owner_id: ann.user.id });
    await oneMailTo(sink, 'ann@example.com', /Loud After/);
    assert.equal(mailsTo(sink, 'ann@example.com', /Quiet/).length, 0);
    assert.equal(mailsTo(sink, 'li@example.cn', /Quiet/).length, 0);
    assert.equal(state(srv.dir, a.id), '');
    assert.equal(state(srv.dir, b.id), '');
    assert.equal((await admin.get('/emails?count=true&limit=1&q=Quiet')).body.total, 0);
  });
});

describe('notification e-mails with two servers on one database', () => {
  let a, b, sink, adminA, adminB, bo;
  const N = 20;
  before(async () => {
    sink = await startSink();
    a = await startServer({ env: { RAPPORT_JOB_POLL_MS: '20' }, keepDir: true });
    b = await startServer({ env: { RAPPORT_JOB_POLL_MS: '20' }, dir: a.dir, keepDir: true });
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
    const r = await adminA.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, from_address: 'crm@example.com' });
    assert.equal(r.status, 200, r.text);
    await createUser(adminA, { username: 'nm_bo', email: 'bo@example.com' });
    bo = await login(b.base, 'nm_bo', 'password-123');
    assert.equal((await bo.put('/notifications/preferences', { assigned: 'email' })).status, 200);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await sink?.stop();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test(`${N} assignments written on both servers are e-mailed once each`, async () => {
    await Promise.all([adminA, adminB].map(async (c, k) => {
      for (let i = k; i < N; i += 2) await create(c, 'accounts', { name: `Shared ${i}`, owner_id: bo.user.id });
    }));
    await waitFor(async () => mailsTo(sink, 'bo@example.com', /Shared/).length >= N, 30000, 'every e-mail');
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show now
    const subjects = mailsTo(sink, 'bo@example.com', /Shared/).map((m) => m.subject);
    assert.equal(subjects.length, N);
    assert.equal(new Set(subjects).size, N, 'none twice');
  });
});

describe('a notification e-mail whose job was lost', () => {
  let srv, sink, dir, admin, cy;
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' }, keepDir: true });
    dir = srv.dir;
    admin = await loginAdmin(srv.base);
    const r = await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, from_address: 'crm@example.com' });
    assert.equal(r.status, 200, r.text);
    cy = await createUser(admin, { username: 'nm_cy', email: 'cy@example.com' });
  });
  after(async () => {
    await srv?.stop();
    await sink?.stop();
    if (dir) {
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('is sent by the next server within its minutely look', { timeout: 120000 }, async () => {
    const acc = await create(admin, 'accounts', { name: 'Left behind' });
    await srv.stop();
    srv = null;
    // As a server that stopped mid-job leaves it: the row pending, its job gone.
    dbWrite(dir, `INSERT INTO notifications(id, user_id, kind, entity, record_id, title, created_at, in_app, email_state)
      VALUES ('0190a000-0000-7000-8000-000000000001', '${cy.id}', 'assigned', 'accounts', '${acc.id}', 'Left behind',
      '${iso(Date.now())}', 0, 'pending')`);
    srv = await startServer({ dir, keepDir: true, env: { RAPPORT_JOB_POLL_MS: '100' } });
    const m = await waitFor(async () => { const x = mailsTo(sink, 'cy@example.com', /Left behind/); return x.length && x[0]; }, 100000, 'the e-mail after the restart');
    assert.equal(m.subject, 'Assigned to you: Left behind');
    assert.equal(state(dir, acc.id), 'queued');
  });
});
