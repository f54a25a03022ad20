// Incoming e-mail in a real browser, from a real IMAP server (Dovecot): a sales rep
// opens "Mailboxes", adds their mailbox, types its password (kept, never shown again)
// and reads it now. The message a contact wrote is on the contact's page, received; a
// reply to it that came in too is shown with it as one conversation on the e-mail's
// page. A wrong password is said plainly, in Chinese for a Chinese reader. No CSP
// violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, createUser } from '../api/helpers.js';
import { startImap } from '../mail/imap.js';
import { appPage } from './browser.js';

const ui = appPage('mailboxes');
const { step, signIn, go } = ui;
let srv, admin, page, imap;
const ids = {};

describe('incoming e-mail', () => {
  before(async () => {
    imap = await startImap({ 'mei@rapport.test': 'imap-secret' });
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100', RAPPORT_SECRET_KEY: 'd'.repeat(64) } });
    admin = await loginAdmin(srv.base);
    await createUser(admin, { username: 'mei', role: 'sales', email: 'mei@rapport.test', display_name: '梅' });
    ids.contact = await create(admin, 'contacts', { first_name: 'Tom', last_name: 'Baker', email: 'tom@bakery.example' });
    await admin.patch(`/contacts/${ids.contact.id}`, { owner_id: (await admin.get('/users?username=mei')).body.data[0].id });
    imap.append('mei@rapport.test', 'INBOX', [
      'From: Tom Baker <tom@bakery.example>\nTo: mei@rapport.test\nSubject: Bread order for Monday\n'
        + 'Message-ID: <order-1@bakery.example>\nDate: Mon, 7 Dec 2026 08:00:00 +0000\n\nTwo hundred rolls, please.\n',
      'From: Tom Baker <tom@bakery.example>\nTo: mei@rapport.test\nSubject: Re: Bread order for Monday\n'
        + 'Message-ID: <order-2@bakery.example>\nIn-Reply-To: <order-1@bakery.example>\n'
        + 'References: <order-1@bakery.example>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\n\nMake it 250.\n',
    ]);
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
    await imap?.stop();
  });

  step('sign in as the rep', async () => {
    await page.goto(srv.base + '/');
    await signIn('mei', 'password-123');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('"Mailboxes": add the rep\'s mailbox', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailboxes' }).click();
    await page.getByRole('heading', { name: 'Mailboxes', level: 1 }).waitFor();
    await page.getByText(/nothing is marked as read/).waitFor();
    await go('/r/mailboxes/new');
    await page.locator('#f-name').fill('My inbox');
    await page.locator('#f-host').fill('127.0.0.1');
    await page.locator('#f-port').fill(String(imap.port));
    await page.locator('#f-security').selectOption('none');
    await page.locator('#f-username').fill('mei@rapport.test');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'My inbox', level: 1 }).waitFor();
    await page.getByText('No password is kept yet').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Read now' }).isDisabled(), true);
  });

  step('a wrong password: the reading says so', async () => {
    const panel = page.getByRole('region', { name: 'Reading this mailbox' });
    await panel.getByLabel('Password').fill('not-it');
    await panel.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('Password saved.').waitFor();
    await panel.getByText('A password is kept (encrypted); it is never shown.').waitFor();
    assert.equal(await panel.getByLabel('New password').inputValue(), '');
    await panel.getByRole('button', { name: 'Read now' }).click();
    await panel.getByText(/Sign-in refused/).waitFor({ timeout: 30000 });
  });

  step('the right password: read now, two messages logged', async () => {
    const panel = page.getByRole('region', { name: 'Reading this mailbox' });
    await panel.getByLabel('New password').fill('imap-secret');
    await panel.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('Password saved.').waitFor();
    await panel.getByRole('button', { name: 'Read now' }).click();
    await panel.getByText(/2 messages logged in all/).waitFor({ timeout: 30000 });
    assert.equal(await panel.getByText(/Sign-in refused/).count(), 0);
  });

  step('the contact\'s page lists the received messages; the conversation is on the e-mail', async () => {
    assert.equal((await admin.get(`/emails?contact_id=${ids.contact.id}`)).body.data.length, 2);
    await go(`/r/contacts/${ids.contact.id}`);
    const panel = page.locator('section.mail-panel');
    await panel.getByRole('link', { name: 'Re: Bread order for Monday' }).waitFor();
    await panel.getByText('From Tom Baker').first().waitFor();
    await panel.getByRole('link', { name: 'Bread order for Monday', exact: true }).click();
    const thread = page.getByRole('region', { name: 'Conversation (2 messages)' });
    await thread.getByRole('link', { name: 'Re: Bread order for Monday' }).waitFor();
    await thread.getByText('Bread order for Monday', { exact: true }).waitFor();
    await page.getByText('Two hundred rolls, please.').first().waitFor();
  });

  step('in Chinese: the mailbox\'s error and its reading', async () => {
    const box = (await admin.get('/mailboxes')).body.data[0];
    await admin.put(`/mailboxes/${box.id}/password`, { password: 'wrong-again' });
    await admin.post(`/mailboxes/${box.id}/fetch`, {});
    for (let i = 0; i < 100 && !(await admin.get(`/mailboxes/${box.id}`)).body.last_error; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await go(`/r/mailboxes/${box.id}`);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    const panel = page.getByRole('region', { name: '读取此邮箱' });
    await panel.getByText(/登录被拒绝/).waitFor();
    await panel.getByRole('button', { name: '立即读取' }).waitFor();
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
