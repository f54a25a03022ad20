// Meeting invitations by e-mail (iTIP, RFC 5546) against a REAL SMTP server
// (tests/mail/smtp_sink.py, Debian python3-aiosmtpd): each delivered message is read
// back with Python's email package and its text/calendar part with python3-icalendar
// (tests/mail/parse_invite.py) and with ical.js. A new meeting invites its attendees
// (REQUEST), a change sends an update with a higher SEQUENCE, an attendee taken off and
// a cancelled or deleted meeting get CANCEL; nothing is sent while mail is not set up
// or when the meeting says not to. An answer (REPLY) e-mailed back to the organiser is
// read from their mailbox on a REAL IMAP server (Dovecot, tests/mail/imap.js) and marks
// the attendee; forged answers are in tests/unit/test_itip.c.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';
import { startServer, loginAdmin, login, createUser, create, assertProblem } from './helpers.js';
import { startSink, waitFor } from '../mail/sink.js';
import { startImap } from '../mail/imap.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const parsed = new Map();
function parseInvite(file) {
  if (!parsed.has(file)) {
    parsed.set(file, JSON.parse(execFileSync('/usr/bin/python3', [path.join(HERE, '..', 'mail', 'parse_invite.py'), file], { encoding: 'utf8' })));
  }
  return parsed.get(file);
}

describe('meeting invitations', () => {
  let srv, sink, admin, org, orgZh, contact, attUserId, orgId;
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100', RAPPORT_SECRET_KEY: 'e'.repeat(64) } });
    admin = await loginAdmin(srv.base);
    orgId = (await createUser(admin, { username: 'iorg', role: 'sales', email: 'olivia@example.com', display_name: 'Olivia Organiser' })).id;
    await createUser(admin, { username: 'iorgzh', role: 'sales', email: 'wang@example.com', display_name: '王经理', locale: 'zh-CN' });
    attUserId = (await createUser(admin, { username: 'iatt', role: 'sales', email: 'adam@example.com', display_name: 'Adam Attendee' })).id;
    org = await login(srv.base, 'iorg', 'password-123');
    orgZh = await login(srv.base, 'iorgzh', 'password-123');
    contact = await create(org, 'contacts', { first_name: 'Carla', last_name: 'Contact', email: 'carla@customer.example' });
  });
  after(async () => {
    await srv?.stop();
    await sink?.stop();
  });

  const configure = () => admin.patch('/mail/settings', {
    host: '127.0.0.1', port: sink.port, security: 'none', from_address: 'crm@example.com', from_name: 'CRM',
  });
  // Each meeting on a day of its own (the attendees' meetings must not overlap).
  let day = 0;
  const meeting = (client, body = {}) => {
    day += 1;
    const d = `2027-03-${String(day).padStart(2, '0')}`;
    return create(client, 'activities', {
      type: 'meeting', subject: 'Quarterly review', start_at: `${d}T09:00:00Z`, end_at: `${d}T10:00:00Z`,
      location: 'Room 1', attendee_user_ids: [attUserId, orgId], attendee_contact_ids: [contact.id], ...body,
    });
  };
  // The delivered invitation to `to` about meeting id with SEQUENCE seq (and METHOD).
  const delivered = (to, id, seq, method) => waitFor(() => {
    for (const f of sink.files()) {
      const m = parseInvite(f);
      const c = m.calendar;
      if (c && m.to_addrs.includes(to) && c.uid === `${id}@rapport` && c.sequence === seq && c.method === method) return m;
    }
    return null;
  }, 15000, `${method} ${seq} of ${id} to ${to}`);
  const count = (id) => sink.files().filter((f) => parseInvite(f).calendar?.uid === `${id}@rapport`).length;
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  test('nothing is sent while outgoing mail is not set up: the meeting says so (invitations null)', async () => {
    const m = await meeting(org);
    assert.equal(m.send_invitations, true);
    assert.equal(m.invitations, null);
    const emails = await admin.get(`/emails?contact_id=${contact.id}`);
    assert.equal(emails.body.data.length, 0);
  });

  test('a new meeting invites its contact and user attendees, not the organiser (REQUEST, SEQUENCE 0)', async () => {
    assert.equal((await configure()).status, 200);
    const m = await meeting(org);
    assert.equal(m.invitations.sequence, 0);
    assert.deepEqual(m.invitations.attendees.map((a) => [a.email, a.status]).sort(),
      [['adam@example.com', 'needs_action'], ['carla@customer.example', 'needs_action']]);
    assert.equal(m.invitations.attendees.find((a) => a.contact_id).contact_id, contact.id);
    for (const to of ['carla@customer.example', 'adam@example.com']) {
      const msg = await delivered(to, m.id, 0, 'REQUEST');
      assert.equal(msg.subject, 'Invitation: Quarterly review');
      assert.equal(msg.content_type, 'multipart/alternative');
      assert.deepEqual(msg.parts, ['text/plain', 'text/calendar']);
      assert.deepEqual(msg.defects, []);
      assert.match(msg.text, /Olivia Organiser invites you to: Quarterly review/);
      const c = msg.calendar;
      assert.equal(c.method_param, 'REQUEST');
      assert.equal(c.charset, 'utf-8');
      assert.equal(c.dtstart, '2027-03-02T09:00:00+00:00');
      assert.equal(c.summary, 'Quarterly review');
      assert.equal(c.location, 'Room 1');
      assert.equal(c.organizer.toLowerCase(), 'mailto:olivia@example.com');
      assert.equal(c.organizer_cn, 'Olivia Organiser');
      assert.deepEqual(c.attendees.map((a) => [a.addr.toLowerCase(), a.partstat, a.rsvp]).sort(), [
        ['mailto:adam@example.com', 'NEEDS-ACTION', 'TRUE'], ['mailto:carla@customer.example', 'NEEDS-ACTION', 'TRUE']]);
      // A second parser agrees.
      const comp = new ICAL.Component(ICAL.parse(c.raw));
      assert.equal(comp.getFirstPropertyValue('method'), 'REQUEST');
      const ev = new ICAL.Event(comp.getFirstSubcomponent('vevent'));
      assert.equal(ev.uid, `${m.id}@rapport`);
      assert.equal(ev.sequence, 0);
      assert.equal(ev.startDate.toJSDate().toISOString(), '2027-03-02T09:00:00.000Z');
      assert.equal(ev.organizer.toLowerCase(), 'mailto:olivia@example.com');
      assert.equal(ev.attendees.length, 2);
      assert.ok(ev.attendees.every((a) => a.getParameter('partstat') === 'NEEDS-ACTION'));
    }
    // The contact's message is on their timeline.
    const emails = await org.get(`/emails?contact_id=${contact.id}`);
    assert.equal(emails.body.data.length, 1);
    assert.equal(emails.body.data[0].subject, 'Invitation: Quarterly review');
  });

  test('a change of place sends an update with a higher SEQUENCE; a change of description sends none', async () => {
    const m = await meeting(org, { subject: 'Planning' });
    await delivered('adam@example.com', m.id, 0, 'REQUEST');
    const r = await org.patch(`/activities/${m.id}`, { location: 'Room 2' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.invitations.sequence, 1);
    for (const to of ['carla@customer.example', 'adam@example.com']) {
      const msg = await delivered(to, m.id, 1, 'REQUEST');
      assert.equal(msg.subject, 'Updated invitation: Planning');
      assert.equal(msg.calendar.location, 'Room 2');
    }
    const before = count(m.id);
    const d = await org.patch(`/activities/${m.id}`, { description: 'Agenda to follow' });
    assert.equal(d.body.invitations.sequence, 1);
    await settle();
    assert.equal(count(m.id), before);
  });

  test('an attendee taken off gets CANCEL; the others an update without them', async () => {
    const m = await meeting(org, { subject: 'Contract talk' });
    await delivered('carla@customer.example', m.id, 0, 'REQUEST');
    const r = await org.patch(`/activities/${m.id}`, { attendee_contact_ids: [] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.invitations.attendees.map((a) => a.email), ['adam@example.com']);
    const gone = await delivered('carla@customer.example', m.id, 1, 'CANCEL');
    assert.equal(gone.subject, 'Cancelled: Contract talk');
    assert.equal(gone.calendar.method_param, 'CANCEL');
    assert.deepEqual(gone.calendar.attendees.map((a) => a.addr.toLowerCase()), ['mailto:carla@customer.example']);
    const upd = await delivered('adam@example.com', m.id, 1, 'REQUEST');
    assert.deepEqual(upd.calendar.attendees.map((a) => a.addr.toLowerCase()), ['mailto:adam@example.com']);
  });

  test('a cancelled meeting and a deleted one send CANCEL to every attendee', async () => {
    const m = await meeting(org, { subject: 'Site visit' });
    await delivered('adam@example.com', m.id, 0, 'REQUEST');
    assert.equal((await org.patch(`/activities/${m.id}`, { status: 'cancelled' })).status, 200);
    for (const to of ['carla@customer.example', 'adam@example.com']) {
      const msg = await delivered(to, m.id, 1, 'CANCEL');
      assert.equal(msg.calendar.status, 'CANCELLED');
      const comp = new ICAL.Component(ICAL.parse(msg.calendar.raw));
      assert.equal(comp.getFirstPropertyValue('method'), 'CANCEL');
    }
    const d = await meeting(org, { subject: 'Lunch' });
    await delivered('adam@example.com', d.id, 0, 'REQUEST');
    assert.equal((await org.del(`/activities/${d.id}`)).status, 204);
    for (const to of ['carla@customer.example', 'adam@example.com']) {
      const msg = await delivered(to, d.id, 1, 'CANCEL');
      assert.equal(msg.subject, 'Cancelled: Lunch');
    }
  });

  test('a repeating meeting carries its RRULE, and a deleted occurrence an EXDATE in the update', async () => {
    const m = await meeting(org, {
      subject: 'Weekly sync', start_at: '2027-04-05T08:00:00Z', end_at: '2027-04-05T08:30:00Z',
      rrule: 'FREQ=WEEKLY;COUNT=4', timezone: 'Europe/Berlin',
    });
    const first = await delivered('adam@example.com', m.id, 0, 'REQUEST');
    assert.equal(first.calendar.rrule, 'FREQ=WEEKLY;COUNT=4');
    assert.match(first.calendar.raw, /BEGIN:VTIMEZONE/);
    const r = await org.del(`/activities/${m.id}/occurrences/${encodeURIComponent('2027-04-12T08:00:00.000Z')}?scope=this`);
    assert.equal(r.status, 204, r.text);
    const upd = await delivered('adam@example.com', m.id, 1, 'REQUEST');
    assert.deepEqual(upd.calendar.exdates, ['2027-04-12T10:00:00+02:00']);
    const ev = new ICAL.Event(new ICAL.Component(ICAL.parse(upd.calendar.raw)).getFirstSubcomponent('vevent'));
    assert.ok(ev.isRecurring());
  });

  test('in the organiser\'s language: a Chinese organiser\'s invitation', async () => {
    const m = await meeting(orgZh, { subject: '季度回顾', attendee_user_ids: [attUserId], attendee_contact_ids: [] });
    const msg = await delivered('adam@example.com', m.id, 0, 'REQUEST');
    assert.equal(msg.subject, '邀请：季度回顾');
    assert.match(msg.text, /王经理 邀请您参加：季度回顾/);
    assert.equal(msg.calendar.summary, '季度回顾');
    assert.equal(msg.calendar.organizer_cn, '王经理');
  });

  test('an attendee named twice, or a contact sharing a user\'s address, is invited once', async () => {
    const twin = await create(org, 'contacts', { first_name: 'Adam', last_name: 'Twin', email: 'ADAM@example.com' });
    const m = await meeting(org, { subject: 'Once', attendee_user_ids: [attUserId, attUserId], attendee_contact_ids: [twin.id] });
    assert.deepEqual(m.invitations.attendees.map((a) => a.email), ['adam@example.com']);
    const msg = await delivered('adam@example.com', m.id, 0, 'REQUEST');
    assert.equal(msg.calendar.attendees.length, 1);
    await settle();
    assert.equal(count(m.id), 1);
  });

  test('send_invitations false sends nothing; invitations cannot be written by a client', async () => {
    const m = await meeting(org, { subject: 'Quiet', send_invitations: false });
    assert.equal(m.invitations, null);
    await settle();
    assert.equal(count(m.id), 0);
    assertProblem(await org.patch(`/activities/${m.id}`, { invitations: { sequence: 9, attendees: [] } }), 422);
    assert.equal((await org.get(`/activities/${m.id}`)).body.invitations, null);
    const bad = await org.post('/activities', { type: 'meeting', subject: 'Forged', start_at: '2027-05-01T09:00:00Z', invitations: { sequence: 0, attendees: [] } });
    assertProblem(bad, 422);
  });

  test('an answer e-mailed back is read from the organiser\'s mailbox (IMAP) and marks the attendee', async () => {
    const imap = await startImap({ 'olivia@example.com': 'imap-olivia' });
    try {
      const m = await meeting(org, { subject: 'Answer me' });
      const inv = await delivered('carla@customer.example', m.id, 0, 'REQUEST');
      const start = m.start_at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      // What Carla's calendar program sends back: METHOD:REPLY, her PARTSTAT, the UID.
      const reply = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Carla//Client//EN', 'METHOD:REPLY', 'BEGIN:VEVENT',
        `UID:${inv.calendar.uid}`, 'SEQUENCE:0', 'DTSTAMP:20270201T080000Z', `DTSTART:${start}`,
        'ORGANIZER:mailto:olivia@example.com', 'ATTENDEE;PARTSTAT=ACCEPTED;CN=Carla Contact:mailto:carla@customer.example',
        'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
      imap.append('olivia@example.com', 'INBOX', [
        'From: Carla Contact <carla@customer.example>\nTo: olivia@example.com\nSubject: Accepted: Answer me\n'
          + `Message-ID: <reply-${m.id}@customer.example>\nMIME-Version: 1.0\n`
          + 'Content-Type: multipart/alternative; boundary=b1\n\n--b1\nContent-Type: text/plain; charset=utf-8\n\n'
          + 'Carla has accepted.\n--b1\nContent-Type: text/calendar; charset=utf-8; method=REPLY\n\n'
          + `${reply}\n--b1--\n`,
      ]);
      const box = await create(org, 'mailboxes', { name: 'Olivia', host: '127.0.0.1', port: imap.port, security: 'none', username: 'olivia@example.com' });
      assert.equal((await org.put(`/mailboxes/${box.id}/password`, { password: 'imap-olivia' })).status, 200);
      assert.equal((await org.post(`/mailboxes/${box.id}/fetch`, {})).status, 202);
      const got = await waitFor(async () => {
        const a = (await org.get(`/activities/${m.id}`)).body.invitations?.attendees?.find((x) => x.contact_id === contact.id);
        return a?.status === 'accepted' ? a : null;
      }, 30000, 'the answer applied');
      assert.ok(got.answered_at);
      // The answer is on the contact's timeline as a received e-mail, and told to Olivia.
      const mail = (await org.get(`/emails?contact_id=${contact.id}&status=received`)).body.data;
      assert.ok(mail.some((x) => x.subject === 'Accepted: Answer me' && x.calendar_part.includes('METHOD:REPLY')));
      const notes = (await org.get('/notifications?limit=50')).body.data;
      assert.ok(notes.some((n) => n.kind === 'invitation' && n.record_id === m.id), JSON.stringify(notes.slice(0, 3)));
    } finally {
      await imap.stop();
    }
  });
});
