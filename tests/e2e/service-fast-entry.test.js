// Fast case entry in a real browser, as a support agent on the phone works it:
//   * on the home page she presses Alt+Shift+C; the case form opens over the page with
//     the focus in the subject; she types the caller's number, the customer fills in and
//     the customer's open cases show; she types the subject, the knowledge base suggests
//     an article, she links it, picks the priority and saves with Ctrl+Enter; the new case
//     opens with the article linked;
//   * a number two customers share offers both to pick from; Esc closes the form;
//   * from the global search, "New case" on a contact opens the form with the contact and
//     their account filled in;
//   * on the case page she unlinks an article and links another by searching;
//   * on a resolved case, "Create an article from this case" lands in the knowledge base's
//     editor with the draft prefilled, and the saved article lists the case it came from.
// No CSP violation or script error on the way. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, createUser } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('fast-entry');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};
const dialog = () => page.getByRole('dialog', { name: 'New case' });

describe('fast case entry', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await createUser(admin, { username: 'sam', password: 'support-pass-123', role: 'support' });
    ids.harbour = await create(admin, 'accounts', { name: 'Harbour Logistics', phone: '+86 139 1234 5678' });
    ids.mei = await create(admin, 'contacts', { first_name: 'Mei', last_name: 'Chen', account_id: ids.harbour.id,
      phone_mobile: '+86 137 5555 0101' });
    await create(admin, 'accounts', { name: 'North Depot', phone: '+86 139 0000 1111' });
    ids.south = await create(admin, 'accounts', { name: 'South Depot', phone: '+86 139 0000 1111' });
    ids.open = await create(admin, 'cases', { subject: 'Scanner offline', account_id: ids.harbour.id });
    const done = await create(admin, 'cases', { subject: 'Old resolved question', account_id: ids.harbour.id });
    await admin.patch(`/cases/${done.id}`, { status: 'resolved', resolution: 'Answered' });
    ids.labels = await create(admin, 'kb_articles', { title: 'Label printer prints blank labels',
      body: 'Replace the ribbon.', status: 'published' });
    ids.wifi = await create(admin, 'kb_articles', { title: 'Warehouse Wi-Fi drops', body: 'Restart the access point.',
      status: 'published' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('the agent signs in and lands on the home page', async () => {
    await page.goto(srv.base + '/');
    await signIn('sam', 'support-pass-123');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    const button = page.getByRole('banner').getByRole('button', { name: 'New case' });
    assert.equal(await button.getAttribute('aria-keyshortcuts'), 'Alt+Shift+C');
  });

  step('Alt+Shift+C opens the case form with the focus in the subject', async () => {
    await page.keyboard.press('Alt+Shift+C');
    await dialog().waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'qc-subject');
  });

  step('the caller\'s number fills in the customer and shows their open cases', async () => {
    await dialog().getByLabel('Caller\'s number').fill('139-1234-5678');
    await dialog().getByLabel('Caller\'s number').press('Enter');
    await page.getByRole('form', { name: 'New case for Harbour Logistics' }).waitFor();
    const open = dialog().getByRole('region', { name: 'Open cases of this customer' });
    await open.getByRole('link', { name: ids.open.number }).waitFor();
    assert.match(await open.textContent(), /Scanner offline/);
    assert.doesNotMatch(await open.textContent(), /Old resolved question/, 'resolved cases are not open');
  });

  step('typing the subject brings a knowledge-base suggestion, which she links', async () => {
    await dialog().getByLabel('Subject').fill('Label printer blank');
    const tips = dialog().getByRole('region', { name: 'Knowledge base suggestions' });
    const link = tips.getByRole('link', { name: 'Label printer prints blank labels' });
    await link.waitFor();
    assert.equal(await link.getAttribute('target'), '_blank', 'an article opens beside the form');
    await tips.getByRole('button', { name: 'Link Label printer prints blank labels' }).click();
    await tips.getByRole('button', { name: 'Unlink Label printer prints blank labels', pressed: true }).waitFor();
  });

  step('Ctrl+Enter saves; the new case opens with the article linked', async () => {
    await dialog().getByLabel('Priority').selectOption('p2');
    await dialog().getByLabel('Subject').press('Control+Enter');
    await page.getByRole('heading', { name: 'Label printer blank', level: 1 }).waitFor();
    assert.equal(await dialog().count(), 0, 'the form closed');
    const panel = page.getByRole('region', { name: 'Knowledge articles' });
    await panel.getByRole('link', { name: 'Label printer prints blank labels' }).waitFor();
    // The panel shows the linked articles; the page does not list them a second time.
    assert.equal(await page.getByRole('link', { name: 'Label printer prints blank labels' }).count(), 1);
    const made = (await admin.get('/cases?subject=Label printer blank')).body.data[0];
    assert.equal(made.account_id, ids.harbour.id);
    assert.equal(made.priority, 'p2');
    assert.deepEqual(made.kb_articles, [ids.labels.id]);
    ids.made = made;
  });

  step('a number two customers share offers both; Esc closes the form', async () => {
    await page.keyboard.press('Alt+Shift+C');
    await dialog().getByLabel('Caller\'s number').fill('13900001111');
    await dialog().getByRole('button', { name: 'Look up' }).click();
    const pick = dialog().getByRole('list', { name: 'Customers with this number' });
    await pick.getByRole('button', { name: /North Depot/ }).waitFor();
    await pick.getByRole('button', { name: /South Depot/ }).click();
    await page.getByRole('form', { name: 'New case for South Depot' }).waitFor();
    await dialog().getByLabel('Subject').press('Escape');
    await dialog().waitFor({ state: 'detached' });
  });

  step('from the global search, "New case" on a contact fills the contact and their account', async () => {
    await page.getByRole('search').getByLabel('Search').fill('Mei Chen');
    await page.getByRole('search').getByLabel('Search').press('Enter');
    await page.getByRole('button', { name: 'New case: Mei Chen' }).click();
    const form = page.getByRole('form', { name: 'New case for Harbour Logistics' });
    await form.waitFor();
    await form.locator('.refpick', { hasText: 'Mei Chen' }).waitFor();
    await page.keyboard.type('Customs label missing');
    await page.keyboard.press('Control+Enter');
    await page.getByRole('heading', { name: 'Customs label missing', level: 1 }).waitFor();
    const made = (await admin.get('/cases?subject=Customs label missing')).body.data[0];
    assert.equal(made.contact_id, ids.mei.id);
    assert.equal(made.account_id, ids.harbour.id);
  });

  step('on the case page, an article is unlinked and another linked by searching', async () => {
    await go(`/r/cases/${ids.made.id}`);
    const panel = page.getByRole('region', { name: 'Knowledge articles' });
    await panel.getByRole('button', { name: 'Unlink Label printer prints blank labels' }).click();
    await panel.getByText('No articles linked yet.').waitFor();
    await panel.getByLabel('Link an article').fill('Wi-Fi');
    await panel.getByRole('option', { name: 'Warehouse Wi-Fi drops' }).click();
    await panel.getByRole('link', { name: 'Warehouse Wi-Fi drops' }).waitFor();
    assert.deepEqual((await admin.get(`/cases/${ids.made.id}`)).body.kb_articles, [ids.wifi.id]);
  });

  step('on a resolved case, "Create an article" lands in the editor, prefilled', async () => {
    const k = await create(admin, 'cases', { subject: 'Labels print *blank*', account_id: ids.harbour.id,
      description: 'Every label comes out blank.\n1. since Monday' });
    const r = await admin.patch(`/cases/${k.id}`, { status: 'resolved', resolution: 'Replaced the <ribbon>.' });
    assert.equal(r.status, 200, r.text);
    await go(`/r/cases/${k.id}`);
    await page.getByRole('button', { name: 'Create an article from this case' }).click();
    await page.getByRole('heading', { name: 'Edit article', level: 1 }).waitFor();
    const editor = page.getByRole('main');
    assert.equal(await editor.getByLabel('Title').inputValue(), 'Labels print *blank*');
    assert.equal(await editor.getByLabel('Status').inputValue(), 'draft');
    assert.equal(await editor.getByLabel('Language').inputValue(), 'en');
    assert.equal(await editor.getByLabel('Body (Markdown)').inputValue(),
      '## Problem\n\nEvery label comes out blank.\\\n1\\. since Monday\n\n## Solution\n\nReplaced the \\<ribbon\\>.\n');
    ids.resolved = k;
  });

  step('the saved article shows the case it came from', async () => {
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Labels print *blank*', level: 1 }).waitFor();
    const cases = page.getByRole('region', { name: 'Linked cases' });
    await cases.getByRole('link', { name: ids.resolved.number }).click();
    await page.getByRole('heading', { name: 'Labels print *blank*', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Knowledge articles' }).getByRole('link', { name: 'Labels print *blank*' }).waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
