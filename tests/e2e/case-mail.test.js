// Answering a case by e-mail in a real browser, delivered to a real SMTP server
// (aiosmtpd): a support agent opens a case of a customer, presses "Write e-mail" on the
// case page, writes the answer and sends it; it goes to the case's contact with the
// case number in brackets before the subject (so the customer's reply comes back to
// the case), and shows in the case's e-mails and on its timeline. A Chinese-speaking
// agent does the same in Chinese. Before that, an administrator picks the template a
// queue answers each new case's sender with. No CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, createUser, ADMIN_PASSWORD } from '../api/helpers.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';
import { appPage } from './browser.js';

const ui = appPage('case-mail');
const { step, signIn, signOut, go } = ui;
let srv, admin, page, sink;
const ids = {};

// The message the server accepted with this subject, parsed.
const delivered = (subject) => waitFor(() => sink.files().map(parseMail).find((m) => m.subject === subject),
  30000, `the message "${subject}" delivered`);

describe('answering a case by e-mail', () => {
  before(async () => {
    sink = await startSink();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
    admin = await loginAdmin(srv.base);
    const r = await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, security: 'none', from_address: 'support@harbour.example', from_name: 'Harbour support' });
    assert.equal(r.status, 200, r.text);
    await createUser(admin, { username: 'sam', password: 'support-pass-123', role: 'support' });
    await createUser(admin, { username: 'wei', password: 'support-pass-456', role: 'support', display_name: '魏客服', locale: 'zh-CN' });
    ids.acc = await create(admin, 'accounts', { name: 'Harbour Logistics' });
    ids.contact = await create(admin, 'contacts', { first_name: 'Ana', last_name: 'Silva', email: 'ana@harbour.example', account_id: ids.acc.id });
    ids.case = await create(admin, 'cases', { subject: 'Label printer jams', account_id: ids.acc.id, contact_id: ids.contact.id });
    ids.queue = await create(admin, 'case_queues', { name: 'Harbour desk', rule_order: 7, match_product: 'harbour-only' });
    ids.tpl = await create(admin, 'email_templates', { name: 'We have your request', subject: 'Received',
      body_text: 'Dear {{contact.first_name|customer}}, we are on it.' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
    await sink?.stop();
  });

  step('an administrator has a queue answer each new case\'s sender with a template', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await go(`/r/case_queues/${ids.queue.id}`);
    await page.getByRole('heading', { name: 'Harbour desk', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Acknowledgement e-mail').fill('We have');
    await page.getByRole('option', { name: 'We have your request' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'We have your request' }).first().waitFor();
    assert.equal((await admin.get(`/case_queues/${ids.queue.id}`)).body.ack_template_id, ids.tpl.id);
    await signOut();
  });

  step('the agent writes to the customer from the case page', async () => {
    await signIn('sam', 'support-pass-123');
    await go(`/r/cases/${ids.case.id}`);
    await page.getByRole('heading', { name: 'Label printer jams', level: 1 }).waitFor();
    const panel = page.getByRole('region', { name: 'E-mails' });
    await panel.getByText('No e-mails yet.').waitFor();
    await panel.getByRole('button', { name: 'Write e-mail' }).click();
    const form = page.getByRole('form', { name: 'New e-mail' });
    await form.getByLabel('Subject').fill('Your label printer');
    await form.getByLabel('Text').fill('Please open the lid and remove the jammed label.');
    // The preview shows it goes to the case's contact.
    await form.getByRole('region', { name: 'Preview' }).getByText('ana@harbour.example').waitFor();
    await form.getByRole('button', { name: 'Send' }).click();
    await page.getByText('E-mail queued for sending.').waitFor();
  });

  step('it arrives with the case number in its subject, and is on the case', async () => {
    const subject = `[${ids.case.number}] Your label printer`;
    const m = await delivered(subject);
    assert.match(m.raw_headers.To, /ana@harbour\.example/);
    await page.getByRole('region', { name: 'E-mails' }).getByRole('link', { name: subject }).waitFor();
    await page.reload();
    await page.locator('ol.timeline').getByRole('link', { name: subject }).waitFor();
    await signOut();
  });

  step('a Chinese-speaking agent answers the case in Chinese', async () => {
    // Signed in in Chinese: the page speaks Chinese from here on.
    await page.getByLabel('Username').fill('wei');
    await page.getByLabel('Password').fill('support-pass-456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: '退出' }).waitFor();
    await go(`/r/cases/${ids.case.id}`);
    const panel = page.getByRole('region', { name: '邮件' });
    await panel.getByRole('button', { name: '写邮件' }).click();
    const form = page.getByRole('form', { name: '新邮件' });
    await form.getByLabel('主题').fill('打印机已修复');
    await form.getByLabel('正文', { exact: true }).fill('请再试一次。');
    await form.getByRole('button', { name: '发送' }).click();
    await page.getByText('邮件已进入发送队列。').waitFor();
    const subject = `[${ids.case.number}] 打印机已修复`;
    await delivered(subject);
    await panel.getByRole('link', { name: subject }).waitFor();
    await page.reload();
    await page.locator('ol.timeline').getByRole('link', { name: subject }).waitFor();
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
