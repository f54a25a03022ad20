// Service agreements in a real browser: the service lead finds "Service agreements" in
// the navigation and records one for a customer — three cases of support this year; its
// page says all three are left. An agent on the phone with that customer opens "New
// case" on the customer card: the form says which agreement applies and what is left;
// once saved, the case page says two are left. The customer card lists the agreement.
// For a customer without one, the form warns "No active service agreement" — and the
// case is saved all the same. No CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('service-agreements');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};
const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);

describe('service agreements', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    ids.covered = await create(admin, 'accounts', { name: 'Harbour Logistics' });
    ids.bare = await create(admin, 'accounts', { name: 'Quayside Traders' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('"Service agreements" is in the navigation; a new one for three cases', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Service agreements' }).click();
    await page.getByRole('heading', { name: 'Service agreements', level: 1 }).waitFor();
    await go('/r/service_agreements/new');
    await page.locator('#f-name').fill('Harbour support 2026');
    await page.locator('#f-account_id').fill('Harbour');
    await page.getByRole('option', { name: 'Harbour Logistics' }).click();
    await page.locator('#f-start_date').fill(day(-30));
    await page.locator('#f-end_date').fill(day(335));
    await page.locator('#f-entitlement_type').selectOption('cases');
    await page.locator('#f-entitlement_amount').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Harbour support 2026', level: 1 }).waitFor();
    ids.agreement = (await admin.get(`/service_agreements?account_id=${ids.covered.id}`)).body.data[0];
    assert.match(ids.agreement.number, /^SA-\d{6}$/);
    const usage = page.getByRole('status', { name: 'Service agreement' });
    await usage.getByText(`Agreement ${ids.agreement.number}: 3 of 3 cases left`).waitFor();
  });

  step('"New case" on the card says which agreement applies and what is left', async () => {
    await go(`/r/accounts/${ids.covered.id}`);
    await page.getByRole('heading', { name: 'Harbour Logistics', level: 1 }).waitFor();
    await page.getByRole('main').getByRole('button', { name: 'New case' }).click();
    const form = page.getByRole('form', { name: 'New case for Harbour Logistics' });
    await form.getByText(`Agreement ${ids.agreement.number}: 3 of 3 cases left`).waitFor();
    await page.keyboard.type('Forklift scanner offline');
    await form.locator('#qc-subject').press('Control+Enter');
    await page.getByRole('heading', { name: 'Forklift scanner offline', level: 1 }).waitFor();
    const made = (await admin.get('/cases?subject=Forklift scanner offline')).body.data[0];
    assert.equal(made.agreement_id, ids.agreement.id);
  });

  step('the case page shows the entitlement left, counting the case', async () => {
    const notice = page.getByRole('status', { name: 'Service agreement' });
    await notice.getByText(`Agreement ${ids.agreement.number}: 2 of 3 cases left`).waitFor();
  });

  step('the customer card lists its agreements with their entitlement left', async () => {
    await go(`/r/accounts/${ids.covered.id}`);
    const panel = page.getByRole('region', { name: 'Service entitlement' });
    await panel.getByRole('link', { name: `${ids.agreement.number} · Harbour support 2026` }).waitFor();
    assert.match(await panel.textContent(), /2 of 3 cases left/);
  });

  step('a customer without an agreement: a warning, and the case is saved anyway', async () => {
    await go(`/r/accounts/${ids.bare.id}`);
    await page.getByRole('heading', { name: 'Quayside Traders', level: 1 }).waitFor();
    await page.getByRole('main').getByRole('button', { name: 'New case' }).click();
    const form = page.getByRole('form', { name: 'New case for Quayside Traders' });
    await form.getByText('No active service agreement').waitFor();
    await page.keyboard.type('Wrong invoice address');
    await form.locator('#qc-subject').press('Control+Enter');
    await page.getByRole('heading', { name: 'Wrong invoice address', level: 1 }).waitFor();
    await page.getByRole('status', { name: 'Service agreement' }).getByText('No active service agreement').waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
