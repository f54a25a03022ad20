// Meeting invitations in a real browser: with outgoing e-mail set up (a real SMTP
// server, tests/mail/smtp_sink.py), a meeting's page shows each invited attendee —
// a contact and a user — as not answered yet; once the contact's answer is in (as the
// answer path writes it: the REPLY itself is tested in tests/unit/test_itip.c) it shows
// them accepted, with when; a meeting that sends no invitations says so; the panel
// reads in Chinese; no CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, loginAdmin, ADMIN_PASSWORD, createUser, create, dbShellCommand, PG } from '../api/helpers.js';
import { startSink } from '../mail/sink.js';
import { appPage } from './browser.js';

const ui = appPage('invitations');

// One SQL statement written to the server's database (the shell of dbShellCommand,
// but writing: SQLite in WAL mode takes a second writer between the server's).
function dbWrite(dir, sql) {
  const [cmd, args] = dbShellCommand(dir);
  if (PG) execFileSync(cmd, [...args, '-c', sql]);
  else execFileSync(cmd, ['-batch', '-cmd', '.timeout 5000', path.join(dir, 'rapport.db'), sql]);
}
const { step, signIn, go } = ui;
let srv, sink, admin, page, meeting, quiet, contact;

describe('meeting invitations', () => {
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
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
    // What the answer path writes when Carla's REPLY (PARTSTAT=ACCEPTED) is received.
    const inv = (await admin.get(`/activities/${meeting.id}`)).body.invitations;
    for (const a of inv.attendees) {
      if (a.contact_id) Object.assign(a, { status: 'accepted', answered_at: '2027-02-20T08:30:00.000Z' });
    }
    dbWrite(srv.dir, `UPDATE activities SET invitations = '${JSON.stringify(inv)}' WHERE id = '${meeting.id}'`);
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
