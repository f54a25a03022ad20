// Customer service in a real browser: an agent on the phone opens the customer's card,
// presses "New case", types the subject (the focus is already there), picks the type
// and priority and saves with Ctrl+Enter; the new case opens with its number and its
// service-level clocks (time left of the first response and of the resolution); once
// the case waits on the customer the clocks say they are paused; a call logged on the
// case shows on its timeline with the status change; "My cases" lists the
// agent's open cases, the most urgent first, and a queue's on request. No CSP violation
// or script error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('service');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

describe('customer service', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    ids.acc = await create(admin, 'accounts', { name: 'Harbour Logistics' });
    ids.queue = await create(admin, 'case_queues', { name: 'Hardware desk', match_product: 'printer' });
    ids.old = await create(admin, 'cases', { subject: 'Old overdue case', priority: 'p2',
      reported_at: new Date(Date.now() - 5 * 86400e3).toISOString() });
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

  step('"New case" on the customer card: three fields, Ctrl+Enter saves', async () => {
    await go(`/r/accounts/${ids.acc.id}`);
    await page.getByRole('heading', { name: 'Harbour Logistics', level: 1 }).waitFor();
    await page.getByRole('main').getByRole('button', { name: 'New case' }).click();
    const form = page.getByRole('form', { name: 'New case for Harbour Logistics' });
    await form.waitFor();
    await page.keyboard.type('Label printer jams');
    assert.equal(await form.locator('#qc-subject').inputValue(), 'Label printer jams', 'the subject has the focus');
    await form.locator('#qc-type').selectOption('problem');
    await form.locator('#qc-priority').selectOption('p2');
    await form.locator('#qc-subject').press('Control+Enter');
    await page.getByRole('heading', { name: 'Label printer jams', level: 1 }).waitFor();
    const made = (await admin.get('/cases?subject=Label printer jams')).body.data[0];
    assert.equal(made.account_id, ids.acc.id);
    assert.equal(made.type, 'problem');
    assert.equal(made.priority, 'p2');
    assert.match(made.number, /^CS-\d{6}$/);
    ids.made = made;
  });

  step('the case page shows its clocks', async () => {
    const sla = page.getByRole('region', { name: 'Service level' });
    await sla.getByText('First response').waitFor();
    await sla.getByText('Resolution').waitFor();
    assert.match(await sla.textContent(), /left/);
  });

  step('waiting on the customer pauses the clocks', async () => {
    const r = await admin.patch(`/cases/${ids.made.id}`, { status: 'waiting_on_customer' });
    assert.equal(r.status, 200, r.text);
    await page.reload();
    const sla = page.getByRole('region', { name: 'Service level' });
    await sla.getByText('Paused: waiting on the customer').first().waitFor();
  });

  step('a call logged on the case is on its timeline, with the status change', async () => {
    await go(`/r/cases/${ids.made.id}`);
    await page.getByRole('heading', { name: 'Label printer jams', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Add…' }).getByRole('link', { name: 'Log call' }).click();
    await page.locator('#f-subject').fill('Walked the customer through a reset');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Walked the customer through a reset', level: 1 }).waitFor();
    const call = (await admin.get('/activities?subject=Walked%20the%20customer%20through%20a%20reset')).body.data[0];
    assert.deepEqual([call.related_type, call.related_id], ['cases', ids.made.id]);
    await go(`/r/cases/${ids.made.id}`);
    const timeline = page.locator('ol.timeline');
    await timeline.locator('li', { hasText: 'Walked the customer through a reset' }).waitFor();
    await timeline.locator('li', { hasText: 'Waiting on customer' }).first().waitFor();
  });

  step('"My cases" lists open cases, the most urgent first; a queue on request', async () => {
    await go('/worklist');
    await page.getByRole('heading', { name: 'My cases and queues' }).waitFor();
    const rows = page.locator('table.list tbody tr');
    await rows.first().waitFor();
    const subjects = await rows.locator('td:nth-child(2)').allTextContents();
    assert.equal(subjects[0], 'Old overdue case', subjects.join('|'));
    assert.match(await rows.first().textContent(), /overdue/);
    assert.equal(subjects.at(-1), 'Label printer jams', 'the paused case comes last');
    await page.getByLabel('Queue').selectOption({ label: 'Hardware desk' });
    await page.getByText('No open cases here.').waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
