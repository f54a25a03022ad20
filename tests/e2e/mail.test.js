// Outgoing e-mail in a real browser, delivered to a real SMTP server (aiosmtpd): the
// administrator opens "Mail settings", points Rapport at the server, sets the sender
// and sends a test message, which arrives. A template with merge fields is written on
// the templates screen. On a contact's page, "Write e-mail" with that template shows
// the merged message in the preview; Send queues it, the contact's e-mails list it as
// queued and then sent, and the message that reaches the server carries the merged
// Chinese subject. On the contacts' list, two selected contacts get one template each
// ("Send e-mail" in the selection bar, a mailing written in one request), in English
// and in Chinese. No CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';
import { appPage } from './browser.js';

const ui = appPage('mail');
const { step, signIn, go } = ui;
let srv, admin, page, sink;
const ids = {};

describe('outgoing e-mail', () => {
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100', RAPPORT_SECRET_KEY: 'b'.repeat(64) } });
    admin = await loginAdmin(srv.base);
    ids.account = await create(admin, 'accounts', { name: 'Harbour Logistics' });
    ids.contact = await create(admin, 'contacts', { first_name: '丽', last_name: '张', email: 'li@example.cn', account_id: ids.account.id });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
    await sink?.stop();
  });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('"Mail settings": the server, a password kept encrypted, the sender', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mail settings' }).click();
    await page.getByRole('heading', { name: 'Mail settings', level: 1 }).waitFor();
    await page.getByLabel('Server name').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(sink.port));
    await page.getByLabel('Security').selectOption('none');
    await page.getByLabel('Password', { exact: true }).fill('smtp-secret');
    await page.getByLabel('From address').fill('crm@example.com');
    await page.getByLabel('From name').fill('Harbour CRM');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mail settings saved.').waitFor();
    await page.getByText('A password is kept (encrypted).').waitFor();
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    const s = (await admin.get('/mail/settings')).body;
    assert.equal(s.host, '127.0.0.1');
    assert.equal(s.password_set, true);
    // No user name: no AUTH, which the test server does not offer.
  });

  step('a test message reaches the server', async () => {
    await page.getByLabel('Test recipient').fill('ops@example.com');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText(/The server accepted the test message: 250/).waitFor();
    await waitFor(() => sink.files().length >= 1, 10000, 'the test message');
    assert.equal(parseMail(sink.files()[0]).subject, 'Rapport test message');
  });

  step('a template with merge fields, written on the templates screen', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'E-mail templates' }).click();
    await page.getByRole('heading', { name: 'E-mail templates', level: 1 }).waitFor();
    await page.getByText('{{contact.first_name|there}}').waitFor();
    await go('/r/email_templates/new');
    await page.locator('#f-name').fill('Quote follow-up');
    await page.locator('#f-language').selectOption('zh-CN');
    await page.locator('#f-subject').fill('{{contact.first_name|朋友}}，{{account.name}}的报价');
    await page.locator('#f-body_text').fill('您好 {{contact.first_name}}，报价已发出。{{user.display_name}}');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Quote follow-up', level: 1 }).waitFor();
  });

  step('"Write e-mail" on the contact: the template merged in the preview', async () => {
    await go(`/r/contacts/${ids.contact.id}`);
    const panel = page.getByRole('region', { name: 'E-mails' });
    await panel.getByText('No e-mails yet.').waitFor();
    await panel.getByRole('button', { name: 'Write e-mail' }).click();
    const form = page.getByRole('form', { name: 'New e-mail' });
    await form.getByLabel('Template').selectOption({ label: 'Quote follow-up (Chinese (Simplified))' });
    const preview = form.getByRole('region', { name: 'Preview' });
    await preview.getByText('丽，Harbour Logistics的报价').waitFor();
    await preview.getByText('li@example.cn').waitFor();
    await preview.getByText('Harbour CRM <crm@example.com>').waitFor();
  });

  step('Send: queued, then sent; the server got the merged Chinese subject', async () => {
    const form = page.getByRole('form', { name: 'New e-mail' });
    await form.getByRole('button', { name: 'Send' }).click();
    await page.getByText('E-mail queued for sending.').waitFor();
    const panel = page.getByRole('region', { name: 'E-mails' });
    await panel.getByRole('link', { name: '丽，Harbour Logistics的报价' }).waitFor();
    const mail = await waitFor(async () => {
      const r = (await admin.get(`/emails?contact_id=${ids.contact.id}`)).body.data[0];
      return r?.status === 'sent' ? r : null;
    }, 30000, 'the e-mail sent');
    await page.reload();
    // The status cell (the list may also have a "Sent" column: the time it was sent).
    await page.getByRole('region', { name: 'E-mails' }).getByRole('cell', { name: 'Sent', exact: true }).waitFor();
    const m = sink.files().map(parseMail).find((x) => x.message_id === mail.message_id);
    assert.equal(m.subject, '丽，Harbour Logistics的报价');
    assert.match(m.raw_headers.Subject, /=\?UTF-8\?B\?/);
    assert.equal(m.parts[0].body.trim(), '您好 丽，报价已发出。Administrator');
  });

  step('the e-mail is on the account\'s timeline', async () => {
    await go(`/r/accounts/${ids.account.id}`);
    await page.locator('.timeline').getByRole('link', { name: '丽，Harbour Logistics的报价' }).waitFor();
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });

  step('a mailing from the contacts\' list: the selected contacts get the template', async () => {
    await create(admin, 'email_templates', { name: 'Spring offer', subject: 'Spring offer for {{contact.first_name}}', body_text: 'Hello {{contact.first_name}}' });
    const mia = await create(admin, 'contacts', { first_name: 'Mia', last_name: 'Mailing', email: 'mia@example.com' });
    const max = await create(admin, 'contacts', { first_name: 'Max', last_name: 'Mailing', email: 'max@example.com' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts', exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select Mia Mailing' }).check();
    await page.getByRole('checkbox', { name: 'Select Max Mailing' }).check();
    const bar = page.getByRole('region', { name: '2 selected' });
    await bar.getByRole('button', { name: 'Send e-mail' }).click();
    const form = bar.getByRole('form', { name: 'Send e-mail' });
    await form.getByLabel('Template for the 2 selected').selectOption({ label: 'Spring offer (English)' });
    await form.getByRole('button', { name: 'Send 2 e-mails' }).click();
    await page.getByText('2 e-mails queued for sending.').waitFor();
    const got = await waitFor(() => {
      const subjects = sink.files().map(parseMail).map((m) => m.subject);
      return ['Spring offer for Mia', 'Spring offer for Max'].every((x) => subjects.includes(x)) ? subjects : null;
    }, 30000, 'the mailing delivered');
    assert.ok(got);
    for (const c of [mia, max]) assert.equal((await admin.get(`/emails?contact_id=${c.id}`)).body.data.length, 1);
    // The same bar in Chinese.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('checkbox', { name: '选择 Mia Mailing' }).check();
    await page.getByRole('region', { name: '已选 1 条' }).getByRole('button', { name: '发送邮件' }).click();
    await page.getByLabel('给所选 1 位使用的模板').waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
