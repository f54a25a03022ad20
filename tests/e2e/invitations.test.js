// Meeting invitations in a real browser: with outgoing e-mail set up (a real SMTP
// server, tests/mail/smtp_sink.py), a meeting's page shows each invited attendee —
// a contact and a user — as not answered yet; once the contact's answer (a REPLY
// e-mailed back) is read from the organiser's mailbox on a real IMAP server (Dovecot)
// it shows them accepted, with when; a meeting that sends no invitations says so; the panel
// reads in Chinese; no CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, ADMIN_PASSWORD, createUser, create } from '../api/helpers.js';
import { startSink, waitFor } from '../mail/sink.js';
import { startImap } from '../mail/imap.js';
import { appPage } from './browser.js';

const ui = appPage('invitations');

const { step, signIn, go } = ui;
let srv, sink, imap, admin, page, meeting, quiet, contact;

describe('meeting invitations', () => {
  before(async () => {
    sink = await startSink();
    imap = await startImap({ 'admin@example.com': 'imap-admin' });
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100', RAPPORT_SECRET_KEY: 'f'.repeat(64) } });
    admin = await loginAdmin(srv.base);
    await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, security: 'none', from_address: 'crm@example.com' });
    await admin.patch(`/users/${admin.user.id}`, { email: 'admin@example.com' });
    const adam = await createUser(admin, { username: 'eadam', role: 'sales', email: 'adam@example.com', display_name: 'Adam Attendee' });
    contact = await create(admin, 'contacts', { first_name: 'Carla', last_name: 'Contact', email: 'carla@customer.example' });
    meeting = await create(admin, 'activities', {
      type: 'meeting', subject: 'Contract review', start_at: '2027-03-01T09:00:00Z', end_at: '2027-03-01T10:00:00Z',
      attendee_user_ids: [adam.id], attendee_contact_ids: [contact.id],
    });
    quiet = await create(admin, 'activities', {
      type: 'meeting', subject: 'Internal prep', start_at: '2027-03-02T09:00:00Z', end_at: '2027-03-02T10:00:00Z',
      attendee_contact_ids: [contact.id], send_invitations: false,
    });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
    await sink?.stop();
    await imap?.stop();
  });

  const panel = () => page.getByRole('region', { name: 'Invitations' });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
  });

  step('the meeting shows each invited attendee as not answered yet', async () => {
    await go(`/r/activities/${meeting.id}`);
    await page.getByRole('heading', { name: 'Contract review', level: 1 }).waitFor();
    const carla = panel().getByRole('listitem').filter({ hasText: 'carla@customer.example' });
    await carla.getByText('Not answered').waitFor();
    await carla.getByRole('link', { name: 'Carla Contact' }).waitFor();
    await panel().getByRole('listitem').filter({ hasText: 'Adam Attendee' }).getByText('Not answered').waitFor();
  });

  step('once the contact accepts, the page shows it, with when', async () => {
    // Carla's calendar program answers; the organiser's mailbox is read.
    const reply = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Carla//Client//EN', 'METHOD:REPLY', 'BEGIN:VEVENT',
      `UID:${meeting.id}@rapport`, 'SEQUENCE:0', 'DTSTAMP:20270220T083000Z', 'DTSTART:20270301T090000Z',
      'ORGANIZER:mailto:admin@example.com', 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:carla@customer.example',
      'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    imap.append('admin@example.com', 'INBOX', [
      'From: Carla Contact <carla@customer.example>\nTo: admin@example.com\nSubject: Accepted: Contract review\n'
        + 'Message-ID: <carla-accepts@customer.example>\nMIME-Version: 1.0\n'
        + `Content-Type: text/calendar; charset=utf-8; method=REPLY\n\n${reply}`,
    ]);
    const box = await create(admin, 'mailboxes', { name: 'Admin', host: '127.0.0.1', port: imap.port, security: 'none', username: 'admin@example.com' });
    await admin.put(`/mailboxes/${box.id}/password`, { password: 'imap-admin' });
    await admin.post(`/mailboxes/${box.id}/fetch`, {});
    await waitFor(async () => (await admin.get(`/activities/${meeting.id}`)).body.invitations.attendees
      .some((a) => a.contact_id && a.status === 'accepted'), 30000, 'the answer read');
    await page.reload();
    const carla = panel().getByRole('listitem').filter({ hasText: 'carla@customer.example' });
    await carla.getByText('Accepted').waitFor();
    await carla.getByText(/answered/).waitFor();
    await panel().getByRole('listitem').filter({ hasText: 'Adam Attendee' }).getByText('Not answered').waitFor();
    // The raw field is not shown again by the generic panels.
    assert.equal(await page.getByText('"sequence"').count(), 0);
  });

  step('a meeting that sends no invitations says so', async () => {
    await go(`/r/activities/${quiet.id}`);
    await panel().getByText('Invitations are not sent for this meeting.').waitFor();
  });

  step('the invitations in Chinese', async () => {
    await go(`/r/activities/${meeting.id}`);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    const zh = page.getByRole('region', { name: '邀请' });
    await zh.getByRole('listitem').filter({ hasText: 'carla@customer.example' }).getByText('已接受').waitFor();
    await zh.getByRole('listitem').filter({ hasText: 'Adam Attendee' }).getByText('未答复').waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
