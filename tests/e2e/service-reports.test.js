// Service reports in a real browser: a support agent opens "Service reports" from the
// navigation and reads, in the tables beside the charts, how many cases are open by age
// and priority, how each queue met its SLA targets, how long first responses took, and
// the cases by product; then picks one queue and the figures are that queue's; a range
// of days too long for the backlog is refused in the backlog's place only. Every
// control has a name; no CSP violation or script error. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, createUser } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('service-reports');
const { step, signIn, go } = ui;
let srv, admin, page;
const hoursAgo = (h) => new Date(Date.now() - h * 3600e3).toISOString();

// The cells of a table's row, by the row's header.
async function row(table, header) {
  const r = page.getByRole('table', { name: table }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: header, exact: true }) });
  return r.locator('td').allTextContents();
}

describe('service reports', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await createUser(admin, { username: 'agent', password: 'agent-pass-12345', role: 'support' });
    // Clocks on every hour of the week, so the figures do not depend on the day the test runs.
    for (const p of (await admin.get('/sla_policies?is_default=true')).body.data) {
      await admin.patch(`/sla_policies/${p.id}`, { is_default: false });
    }
    const cal = await create(admin, 'business_calendars', { name: 'Around the clock', hours_mon: '00:00-24:00',
      hours_tue: '00:00-24:00', hours_wed: '00:00-24:00', hours_thu: '00:00-24:00', hours_fri: '00:00-24:00',
      hours_sat: '00:00-24:00', hours_sun: '00:00-24:00' });
    const pol = await create(admin, 'sla_policies', { name: 'Desk', calendar_id: cal.id, p3_response: 60, p3_resolution: 600 });
    const hw = await create(admin, 'case_queues', { name: 'Hardware desk', match_product: 'never' });
    const bill = await create(admin, 'case_queues', { name: 'Billing desk', match_product: 'never' });
    const base = { sla_policy_id: pol.id, priority: 'p3' };
    const jam = await create(admin, 'cases', { ...base, subject: 'Printer jams', queue_id: hw.id, product: 'Printer', reported_at: hoursAgo(2) });
    await admin.patch(`/cases/${jam.id}`, { status: 'in_progress' });
    await create(admin, 'cases', { ...base, subject: 'Printer offline', queue_id: hw.id, product: 'Printer', reported_at: hoursAgo(0.5) });
    const inv = await create(admin, 'cases', { ...base, subject: 'Invoice twice', queue_id: bill.id, product: 'Invoices', reported_at: hoursAgo(50) });
    await admin.patch(`/cases/${inv.id}`, { status: 'resolved', resolution: 'Refunded' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('a support agent opens Service reports from the navigation', async () => {
    await page.goto(srv.base + '/');
    await signIn('agent', 'agent-pass-12345');
    await page.getByRole('link', { name: 'Service reports' }).click();
    await page.getByRole('heading', { name: 'Service reports', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Open cases by age: the figures' }).waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('each report is a chart with its figures in a table', async () => {
    for (const name of ['Open cases by age', 'SLA compliance', 'First-response and resolution times',
      'Cases by product', 'Cases by type', 'Cases by channel', 'Backlog']) {
      await page.getByRole('img', { name }).waitFor();
      await page.getByRole('table', { name: `${name}: the figures` }).waitFor();
    }
    // Two open cases, both under a day old and of priority P3.
    assert.deepEqual(await row('Open cases by age: the figures', 'Under 1 day'), ['0', '0', '2', '0', '2']);
    assert.deepEqual(await row('Open cases by age: the figures', 'Total'), ['0', '0', '2', '0', '2']);
    // Hardware: two cases; one first response late, one still in time. Billing: one
    // case answered and resolved after 50 hours, both targets missed.
    const sla = 'SLA compliance: the figures';
    assert.deepEqual(await row(sla, 'Hardware desk'), ['2', '0', '1', '1', '0', '0%', '0', '0', '2', '0', '—']);
    assert.deepEqual(await row(sla, 'Billing desk'), ['1', '0', '1', '0', '0', '0%', '0', '1', '0', '0', '0%']);
    assert.deepEqual(await row('First-response and resolution times: the figures', 'Cases measured'), ['2', '1']);
    assert.deepEqual(await row('First-response and resolution times: the figures', '1–4 hours'), ['1', '0']);
    assert.deepEqual(await row('First-response and resolution times: the figures', '1–3 days'), ['1', '1']);
    assert.deepEqual(await row('Cases by product: the figures', 'Printer'), ['2', '2']);
    assert.deepEqual(await row('Cases by product: the figures', 'Invoices'), ['1', '0']);
  });

  step('picking a queue shows that queue\'s figures', async () => {
    await page.getByLabel('Queue').selectOption({ label: 'Billing desk' });
    await page.getByRole('table', { name: 'Cases by product: the figures' }).getByRole('rowheader', { name: 'Printer' }).waitFor({ state: 'detached' });
    assert.deepEqual(await row('Cases by product: the figures', 'Invoices'), ['1', '0']);
    assert.deepEqual(await row('Open cases by age: the figures', 'Total'), ['0', '0', '0', '0', '0']);
    assert.deepEqual(await row('SLA compliance: the figures', 'Total'), ['1', '0', '1', '0', '0', '0%', '0', '1', '0', '0', '0%']);
  });

  step('a range too long for the backlog is refused there alone', async () => {
    await page.getByLabel('Reported from').fill('2020-01-01');
    await page.getByText('a backlog covers at most 731 days').waitFor();
    assert.equal(await page.getByRole('table', { name: 'Backlog: the figures' }).count(), 0);
    assert.deepEqual(await row('Cases by product: the figures', 'Invoices'), ['1', '0']);
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
