// Discount approval, the configurator, orders, the customer card and contracts in a
// real browser. A sales rep's quote with a 15 % discount (over the sales limit of 10 %)
// cannot be sent — Send says why — so she requests approval; her team's manager
// approves it on the quote's page (Approved by names him) and she sends it. A
// configurable pump is configured step by step from a quote line's "Configure": one
// group at a time with Next and Back, the price (base, each option's change, unit
// price, total) following every choice, a broken rule listed as the server names it and
// gone once mended; the chosen options show under the line and the saved quote prices
// it base plus options. The product page's "Configure" names a quantity rule. The
// accepted quote becomes an order ("Create order"), whose status moves forward with
// each move in its history (when, who), and which gets a shipment from the quick form;
// the quote then links to its order. The account's card adds up open quotes, orders,
// the lifetime value and active contracts per currency, in the base currency where
// every rate is known, names the currency without one, and links each figure to its
// list. A contract's term panel: days left, the reminder date, the contract that
// renews it. Then the same pages in Chinese. Accessible names, no CSP violation or
// script error. Data that is not what a step is about is made through the API.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, create, createUser, createTeam, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('commerce-orders');
const { step, signIn, signOut, go } = ui;
let srv, admin, rep, page;
const ids = {};
const REP = { username: 'rita', password: 'rita-pass-1234' };
const MANAGER = { username: 'max', password: 'max-pass-1234' };

// Waits until a locator's text matches re.
async function untilText(locator, re) {
  for (let i = 0; i < 100 && !re.test(await locator.textContent()); i++) await page.waitForTimeout(100);
  assert.match(await locator.textContent(), re);
}
const quotePanel = (number) => page.getByRole('region', { name: `Quote ${number}` });
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

// The pump's configuration model: housing and motor required, extras optional (two at
// most); the heater needs the stainless housing and comes in quantities up to 5.
const PUMP_OPTIONS = {
  groups: [
    { key: 'housing', name: 'Housing', name_zh: '泵壳', required: true, options: [
      { key: 'cast', name: 'Cast iron', name_zh: '铸铁', price: '0' },
      { key: 'steel', name: 'Stainless steel', name_zh: '不锈钢', price: '250.00' },
    ] },
    { key: 'motor', name: 'Motor', name_zh: '电机', required: true, options: [
      { key: 'std', name: 'Standard motor', name_zh: '标准电机', price: '0' },
      { key: 'exd', name: 'Explosion-proof motor', name_zh: '防爆电机', percent: '15' },
    ] },
    { key: 'extras', name: 'Extras', name_zh: '附件', max: 2, options: [
      { key: 'heater', name: 'Heater', name_zh: '加热器', price: '120.00' },
      { key: 'cable', name: 'Sealed cable', name_zh: '密封电缆', price: '40.00' },
    ] },
  ],
  rules: [
    { kind: 'requires', option: 'heater', other: 'steel' },
    { kind: 'quantity', option: 'heater', min: 1, max: 5 },
  ],
};

describe('discount approval, the configurator, orders and the customer card', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const east = await createTeam(admin, 'East');
    ids.rep = (await createUser(admin, { ...REP, role: 'sales', team_ids: [east.id], display_name: 'Rita Chen' })).id;
    ids.manager = (await createUser(admin, { ...MANAGER, role: 'manager', team_ids: [east.id], display_name: 'Max Weber' })).id;
    rep = await login(srv.base, REP.username, REP.password);
    ids.account = (await create(admin, 'accounts', { name: 'Northwind Pumps', owner_id: ids.rep })).id;
    ids.pump = (await create(admin, 'products', {
      sku: 'PMP-200', name: 'Centrifugal pump', name_zh: '离心泵', list_price: '1000.00', currency: 'USD', tax_rate: 1300,
      options: PUMP_OPTIONS,
    })).id;
    // Yuan converts into dollars; euros have no rate.
    await create(admin, 'exchange_rates', { currency: 'CNY', valid_from: '2020-01-01', rate: '0.14' });
    // The rep's quote: 15 % off, over her role's 10 %.
    const q = await create(rep, 'quotes', {
      name: 'Pumps for the north yard', account_id: ids.account, currency: 'USD',
      lines: [{ description: 'Pump overhaul', quantity: 2, unit_price: '500.00', discount_percent: '15' }],
    });
    assert.equal(q.approval, 'needed');
    ids.quote = q.id;
    ids.number = q.number;
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('the rep\'s quote over her limit: Send says why not, she requests approval', async () => {
    await page.goto(srv.base + '/');
    await signIn(REP.username, REP.password);
    await go(`/r/quotes/${ids.quote}`);
    const head = quotePanel(ids.number);
    const approval = head.getByRole('group', { name: 'Discount approval' });
    await untilText(approval, /Discount approval\s*Needed\s*Largest discount\s*15\.00%/);
    await approval.getByText('The discount is over the owner\'s limit').waitFor();
    await head.getByRole('button', { name: 'Send', exact: true }).click();
    await head.getByRole('alert').getByText('the discount is over the owner\'s limit: a manager approves it before the quote is sent').waitFor();
    assert.equal((await rep.get(`/quotes/${ids.quote}`)).body.status, 'draft');
    // The rep approves nothing herself.
    assert.equal(await approval.getByRole('button', { name: 'Approve' }).count(), 0);
    await approval.getByRole('button', { name: 'Request approval' }).click();
    await untilText(approval, /Discount approval\s*Requested/);
    await page.getByText('Approval requested: the approvers have a task.').waitFor();
    assert.equal(await approval.getByRole('button', { name: 'Request approval' }).count(), 0);
    assert.deepEqual(await ui.unnamedControls(), []);
    await signOut();
  });

  step('the team\'s manager approves the discount on the quote\'s page (and keeps the catalogue)', async () => {
    await signIn(MANAGER.username, MANAGER.password);
    // His task names the quote.
    const tasks = (await (await login(srv.base, MANAGER.username, MANAGER.password)).get('/activities?type=task')).body.data;
    assert.ok(tasks.some((x) => x.subject.includes(ids.number) && x.related_id === ids.quote), JSON.stringify(tasks));
    await go(`/r/quotes/${ids.quote}`);
    const approval = quotePanel(ids.number).getByRole('group', { name: 'Discount approval' });
    await approval.getByRole('button', { name: 'Reject discount' }).waitFor();
    await approval.getByRole('button', { name: 'Approve' }).click();
    await untilText(approval, /Discount approval\s*Approved\s*Largest discount\s*15\.00%\s*Approved by\s*Max Weber/);
    await approval.getByRole('link', { name: 'Max Weber' }).waitFor();
    const q = (await rep.get(`/quotes/${ids.quote}`)).body;
    assert.deepEqual([q.approval, q.approved_by], ['approved', ids.manager]);
    // The catalogue is his to keep: the pump's options stay a JSON field of the form,
    // the sealed cable made dearer there.
    await go(`/r/products/${ids.pump}`);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const json = page.locator('#f-options');
    await json.fill((await json.inputValue()).replace('"price":"40.00"', '"price":"45.00"'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const cable = (await admin.get(`/products/${ids.pump}`)).body.options.groups[2].options[1];
    assert.deepEqual([cable.key, cable.price], ['cable', '45.00']);
    await signOut();
  });

  step('the rep sends the approved quote, and the customer accepts it', async () => {
    await signIn(REP.username, REP.password);
    await go(`/r/quotes/${ids.quote}`);
    const head = quotePanel(ids.number);
    await untilText(head, /Approved by\s*Max Weber/);
    await head.getByRole('button', { name: 'Send', exact: true }).click();
    await untilText(head, /Status\s*Sent/);
    await head.getByRole('button', { name: 'Accept' }).click();
    await untilText(head, /Status\s*Accepted/);
  });

  step('a configurable pump configured step by step in the quote\'s lines', async () => {
    await go('/r/quotes/new');
    await page.locator('#f-name').fill('Pump with options');
    await page.locator('#f-account_id').fill('Northwind');
    await page.getByRole('option', { name: 'Northwind Pumps' }).click();
    await page.getByLabel('Product of line 1').fill('pump');
    await page.getByRole('option', { name: 'PMP-200 · Centrifugal pump' }).click();
    await page.getByText('Not configured yet').waitFor();
    await page.getByRole('button', { name: 'Configure line 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Configure line 1: Centrifugal pump' });
    const price = dialog.getByRole('status', { name: 'Price of this configuration' });
    const use = dialog.getByRole('button', { name: 'Use this configuration' });
    // Step 1: the housing. Next waits for a choice.
    await dialog.getByRole('group', { name: 'Step 1 of 3: Housing' }).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await untilText(price, /Base price\s*\$1,000\.00\s*Unit price\s*\$1,000\.00\s*Total for 1\s*\$1,000\.00/);
    await dialog.getByLabel(/Cast iron/).check();
    await dialog.getByRole('button', { name: 'Next' }).click();
    // Step 2: the motor, 15 % of the base.
    await dialog.getByRole('group', { name: 'Step 2 of 3: Motor' }).waitFor();
    await dialog.getByLabel(/Explosion-proof motor/).check();
    await untilText(price, /Explosion-proof motor\s*\+\$150\.00\s*Unit price\s*\$1,150\.00/);
    await dialog.getByRole('button', { name: 'Next' }).click();
    // Step 3: the heater needs the stainless housing — the server says so.
    await dialog.getByRole('group', { name: 'Step 3 of 3: Extras' }).waitFor();
    await dialog.getByLabel(/Heater/).check();
    const broken = dialog.getByRole('alert', { name: 'This configuration breaks these rules:' });
    await broken.getByText('Heater requires Stainless steel').waitFor();
    await untilText(price, /Unit price\s*\$1,270\.00/);
    assert.equal(await use.isDisabled(), true);
    // Back to the housing: stainless.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByRole('group', { name: 'Step 1 of 3: Housing' }).waitFor();
    await dialog.getByLabel(/Stainless steel/).check();
    await broken.waitFor({ state: 'detached' });
    await untilText(price, /Base price\s*\$1,000\.00\s*Stainless steel\s*\+\$250\.00\s*Explosion-proof motor\s*\+\$150\.00\s*Heater\s*\+\$120\.00\s*Unit price\s*\$1,520\.00\s*Total for 1\s*\$1,520\.00/);
    // The steps list jumps to the review.
    await dialog.getByRole('button', { name: /Review/ }).click();
    await untilText(dialog.getByRole('region', { name: 'Review' }), /Housing\s*Stainless steel\s*Motor\s*Explosion-proof motor\s*Extras\s*Heater/);
    assert.deepEqual(await ui.unnamedControls(), []);
    await use.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Stainless steel; Explosion-proof motor; Heater').waitFor();
    // Two pumps: 3,040.00, tax 13 % 395.20.
    await page.getByLabel('Quantity of line 1').fill('2');
    await page.getByRole('status', { name: 'Totals' }).getByText('$3,435.20').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Pump with options', level: 1 }).waitFor();
    ids.configured = page.url().split('/').pop();
    const q = (await rep.get(`/quotes/${ids.configured}`)).body;
    assert.deepEqual(q.lines[0].options, ['steel', 'exd', 'heater']);
    assert.equal(q.lines[0].unit_price, '1520.00');
    assert.equal(q.total, '3435.20');
    const lines = page.getByRole('table', { name: 'Quote lines' });
    await lines.getByText('Stainless steel; Explosion-proof motor; Heater').waitFor();
  });

  step('the configured line opens on its review; Cancel leaves it as it was', async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByText('Stainless steel; Explosion-proof motor; Heater').waitFor();
    await page.getByRole('button', { name: 'Configure line 1' }).click();
    const dialog = page.getByRole('dialog', { name: /Configure line 1/ });
    await dialog.getByRole('region', { name: 'Review' }).waitFor();
    // Without the heater: 1,400.00.
    await dialog.getByRole('button', { name: /Extras/ }).click();
    await dialog.getByLabel(/Heater/).uncheck();
    await untilText(dialog.getByRole('status', { name: 'Price of this configuration' }), /Unit price\s*\$1,400\.00/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // Cancelled: the line is as it was.
    await page.getByText('Stainless steel; Explosion-proof motor; Heater').waitFor();
    await page.getByRole('status', { name: 'Totals' }).getByText('$3,435.20').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  step('the product page\'s configurator names a quantity rule', async () => {
    await go(`/r/products/${ids.pump}`);
    const panel = page.getByRole('region', { name: 'Configure' });
    await panel.getByRole('group', { name: 'Step 1 of 3: Housing' }).waitFor();
    await panel.getByLabel(/Stainless steel/).check();
    await panel.getByRole('button', { name: 'Next' }).click();
    await panel.getByLabel(/Standard motor/).check();
    await panel.getByRole('button', { name: 'Next' }).click();
    await panel.getByLabel(/Heater/).check();
    await panel.getByLabel(/Sealed cable/).check();
    // The cable at the price the manager gave it in the form.
    await panel.getByRole('group', { name: 'Step 3 of 3: Extras' }).getByText('+$45.00').waitFor();
    await untilText(panel.getByRole('status', { name: 'Price of this configuration' }), /Unit price\s*\$1,415\.00\s*Total for 1\s*\$1,415\.00/);
    await panel.getByLabel('Quantity').fill('6');
    await panel.getByRole('alert').getByText('Heater comes in quantities from 1 to 5').waitFor();
    await untilText(panel.getByRole('status', { name: 'Price of this configuration' }), /Total for 6\s*\$8,490\.00/);
    await panel.getByLabel('Quantity').fill('5');
    await panel.getByRole('alert').waitFor({ state: 'detached' });
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('the accepted quote becomes an order; its status moves with its history', async () => {
    await go(`/r/quotes/${ids.quote}`);
    await quotePanel(ids.number).getByRole('button', { name: 'Create order' }).click();
    const order = page.getByRole('region', { name: /^Order SO-\d{6}$/ });
    await order.waitFor();
    ids.order = page.url().split('/').pop();
    ids.orderNumber = (await rep.get(`/orders/${ids.order}`)).body.number;
    await page.getByText(`Order ${ids.orderNumber} is made from the quote.`).waitFor();
    await untilText(order, /Status\s*Confirmed\s*From quote\s*Pumps for the north yard/);
    // The quote's lines and totals, read-only; the form says why they do not change.
    await page.getByRole('table', { name: 'Order lines' }).getByText('Pump overhaul').waitFor();
    await order.getByRole('status', { name: 'Totals' }).getByText('$850.00').first().waitFor();
    const moves = order.getByRole('group', { name: 'Move to' });
    assert.deepEqual(await moves.getByRole('button').allTextContents(),
      ['In production', 'Partially shipped', 'Shipped', 'Delivered', 'Invoiced', 'Paid', 'Cancel order']);
    await moves.getByRole('button', { name: 'In production' }).click();
    await untilText(order, /Status\s*In production/);
    // Partially shipped skipped.
    await moves.getByRole('button', { name: 'Shipped', exact: true }).click();
    await untilText(order, /Status\s*Shipped/);
    assert.deepEqual(await moves.getByRole('button').allTextContents(), ['Delivered', 'Invoiced', 'Paid', 'Cancel order']);
    const history = order.getByRole('region', { name: 'Status history' });
    const items = history.getByRole('listitem');
    assert.equal(await items.count(), 3);
    assert.match(await items.nth(0).textContent(), /\d{4}.*Confirmed\s*Rita Chen/);
    assert.match(await items.nth(1).textContent(), /In production\s*Rita Chen/);
    assert.match(await items.nth(2).textContent(), /Shipped\s*Rita Chen/);
    const log = (await rep.get(`/orders/${ids.order}`)).body.status_log;
    assert.deepEqual(log.map((x) => x.status), ['confirmed', 'in_production', 'shipped']);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByText('This order was made from a quote: its lines are the quote\'s as accepted').waitFor();
    assert.equal(await page.getByLabel('Quantity of line 1').count(), 0);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  step('a shipment added from the order\'s page', async () => {
    const shipments = page.getByRole('region', { name: 'Shipments' });
    await shipments.getByText('Not shipped yet.').waitFor();
    // The generic related list is left out: the panel shows the shipments.
    assert.equal(await page.getByRole('region', { name: /^Related: Shipments/ }).count(), 0);
    await shipments.getByLabel('Carrier').selectOption('dhl');
    await shipments.getByLabel('Tracking number').fill('JD0001234');
    await shipments.getByRole('button', { name: 'Add shipment' }).click();
    const row = shipments.getByRole('table').locator('tbody tr');
    await untilText(row, /DHL\s*JD0001234.*\d{4}.*Delivered now/);
    await shipments.getByRole('button', { name: 'Mark shipment JD0001234 delivered now' }).click();
    await untilText(row, /DHL\s*JD0001234.*\d{4}.*\d{4}/);
    const s = (await rep.get(`/shipments?order_id=${ids.order}`)).body.data;
    assert.equal(s.length, 1);
    assert.equal(s[0].carrier, 'dhl');
    assert.equal(s[0].account_id, ids.account);
    assert.ok(s[0].shipped_at && s[0].delivered_at);
    // The quote now links to its order.
    await go(`/r/quotes/${ids.quote}`);
    await quotePanel(ids.number).getByRole('link', { name: `Order ${ids.orderNumber}` }).click();
    await page.getByRole('region', { name: `Order ${ids.orderNumber}` }).waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('the account\'s card: open quotes, orders, lifetime value, active contracts', async () => {
    // An order in yuan placed directly, paid; a contract in euros (no rate).
    const cny = await create(rep, 'orders', {
      name: 'Spare parts', account_id: ids.account, currency: 'CNY',
      lines: [{ description: 'Impellers', quantity: 10, unit_price: '1000.00' }],
    });
    assert.equal((await rep.patch(`/orders/${cny.id}`, { status: 'paid' })).status, 200);
    ids.contract = (await create(rep, 'contracts', {
      name: 'Maintenance 2026', account_id: ids.account, status: 'active', currency: 'EUR', value: '12000.00',
      start_date: day(-30), end_date: day(60), renewal_notice_days: 30,
    })).id;
    await go(`/r/accounts/${ids.account}`);
    const card = page.getByRole('region', { name: 'Quotes, orders and contracts' });
    // Open: the configured draft (3,435.20); orders: 850.00 and ¥10,000.00 = $1,400.00.
    await untilText(card, /Open quotes\s*\$3,435\.20\s*1 quote/);
    await untilText(card, /Orders\s*CN¥10,000\.00\s*1 order\s*\$850\.00\s*1 order\s*In all: \$2,250\.00/);
    await untilText(card, /Lifetime value \(paid\)\s*CN¥10,000\.00\s*1 order\s*In all: \$1,400\.00/);
    await untilText(card, /Active contracts\s*€12,000\.00\s*1 contract\s*No total: Euro has no exchange rate/);
    // Each figure links to its list.
    await card.getByRole('link', { name: 'Lifetime value (paid)' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    assert.match(page.url(), new RegExp(`/r/orders\\?account_id=${ids.account}&status=paid$`));
    const rows = page.getByRole('main').locator('tbody tr');
    await untilText(rows.first(), /Spare parts/);
    assert.equal(await rows.count(), 1);
    await page.goBack();
    await card.getByRole('link', { name: 'Active contracts' }).click();
    await page.getByRole('main').getByText('Maintenance 2026').waitFor();
    assert.match(page.url(), /\/r\/contracts\?account_id=[^&]+&status=active$/);
  });

  step('a contract\'s term: days left, the reminder, the contract renewing it', async () => {
    await go(`/r/contracts/${ids.contract}`);
    const term = page.getByRole('region', { name: /^Contract CT-\d{6}$/ });
    await untilText(term, /Status\s*Active\s*Term\s*.+–.+Time left\s*60 days left\s*Renewal reminder\s*.+Renews automatically\s*No/);
    // One that ended renews itself with the sweep (an administrator's job).
    const old = await create(admin, 'contracts', {
      name: 'Support 2025', account_id: ids.account, status: 'active', currency: 'USD', value: '900.00', auto_renew: true,
      start_date: day(-400), end_date: day(-36), owner_id: ids.rep,
    });
    const job = (await admin.post('/jobs', { kind: 'contracts.renew' })).body;
    for (let i = 0; i < 100 && (await admin.get(`/jobs/${job.id}`)).body.state !== 'done'; i++) await page.waitForTimeout(100);
    const renewed = (await admin.get(`/contracts/${old.id}`)).body;
    assert.equal(renewed.status, 'renewed', JSON.stringify(renewed));
    const next = (await admin.get(`/contracts/${renewed.renewed_by_id}`)).body;
    await go(`/r/contracts/${old.id}`);
    const panel = page.getByRole('region', { name: `Contract ${old.number}` });
    await panel.getByRole('link', { name: new RegExp(`^${next.number}: `) }).click();
    await page.getByRole('region', { name: `Contract ${next.number}` }).waitFor();
  });

  step('an order placed directly: its lines edited while confirmed, frozen once in production', async () => {
    await go('/r/orders/new');
    await page.locator('#f-name').fill('Seals restock');
    await page.locator('#f-account_id').fill('Northwind');
    await page.getByRole('option', { name: 'Northwind Pumps' }).click();
    await page.getByLabel('Description of line 1').fill('Seal kit');
    await page.getByLabel('Quantity of line 1').fill('3');
    await page.getByLabel('Unit price of line 1').fill('40');
    await page.getByRole('status', { name: 'Totals' }).getByText('$120.00').first().waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    const order = page.getByRole('region', { name: /^Order SO-\d{6}$/ });
    await untilText(order, /Status\s*Confirmed/);
    await page.getByRole('table', { name: 'Order lines' }).getByText('Seal kit').waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Quantity of line 1').fill('4');
    await page.getByRole('status', { name: 'Totals' }).getByText('$160.00').first().waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await order.getByRole('status', { name: 'Totals' }).getByText('$160.00').first().waitFor();
    await order.getByRole('group', { name: 'Move to' }).getByRole('button', { name: 'In production' }).click();
    await untilText(order, /Status\s*In production/);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByText('This order is no longer confirmed: its lines no longer change.').waitFor();
    assert.equal(await page.getByLabel('Quantity of line 1').count(), 0);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  step('in Chinese: approval, the configurator, the order and the card', async () => {
    await page.getByRole('combobox', { name: 'Language' }).first().selectOption('zh-CN');
    await go(`/r/quotes/${ids.quote}`);
    const head = page.getByRole('region', { name: `报价 ${ids.number}` });
    const approval = head.getByRole('group', { name: '折扣审批' });
    await untilText(approval, /折扣审批\s*已批准\s*最大折扣\s*15\.00%\s*审批人\s*Max Weber/);
    await head.getByRole('link', { name: `订单 ${ids.orderNumber}` }).waitFor();
    // The configurator, step by step.
    await go(`/r/quotes/${ids.configured}`);
    await page.getByRole('button', { name: '编辑', exact: true }).click();
    await page.getByText('不锈钢; 防爆电机; 加热器').waitFor();
    await page.getByRole('button', { name: '配置第 1 行' }).click();
    const dialog = page.getByRole('dialog', { name: '配置第 1 行：离心泵' });
    await dialog.getByRole('region', { name: '确认' }).waitFor();
    await dialog.getByRole('button', { name: /泵壳/ }).click();
    await dialog.getByRole('group', { name: '第 1 步，共 3 步：泵壳' }).waitFor();
    await dialog.getByLabel(/铸铁/).check();
    await dialog.getByRole('alert', { name: '此配置违反以下规则：' }).getByText('加热器 需要同时选择 不锈钢').waitFor();
    await untilText(dialog.getByRole('status', { name: '此配置的价格' }), /基础价格\s*US\$1,000\.00.*单价\s*US\$1,270\.00\s*2 件合计\s*US\$2,540\.00/);
    assert.doesNotMatch((await dialog.textContent()).replace(/US\$/g, ''), /[A-Za-z]{3,}/);
    await dialog.getByRole('button', { name: '取消' }).click();
    await page.getByRole('button', { name: '取消' }).click();
    // The order.
    await go(`/r/orders/${ids.order}`);
    const order = page.getByRole('region', { name: `订单 ${ids.orderNumber}` });
    await untilText(order, /状态\s*已发货/);
    await order.getByRole('group', { name: '变更为' }).getByRole('button', { name: '已送达' }).waitFor();
    await order.getByRole('region', { name: '状态记录' }).getByText('生产中').waitFor();
    assert.doesNotMatch((await order.textContent()).replace(/US\$|Rita Chen|Pumps for the north yard|SO-\d+/g, ''), /[A-Za-z]{3,}/);
    const shipments = page.getByRole('region', { name: '发货' });
    await shipments.getByRole('button', { name: '添加发货' }).waitFor();
    await shipments.getByRole('cell', { name: 'DHL' }).waitFor();
    // The card.
    await go(`/r/accounts/${ids.account}`);
    const card = page.getByRole('region', { name: '报价、订单与合同' });
    await untilText(card, /未结报价.*订单.*累计成交额（已付款）.*合计：US\$1,400\.00.*生效合同.*无法合计：欧元缺少其中某日的汇率。/);
    assert.doesNotMatch((await card.textContent()).replace(/US\$|CN¥/g, ''), /[A-Za-z]{3,}/);
    await go(`/r/contracts/${ids.contract}`);
    await untilText(page.getByRole('region', { name: /^合同 CT-\d{6}$/ }), /期限.*剩余时间\s*还剩 60 天\s*续约提醒日期/);
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('region', { name: 'Quotes, orders and contracts' }).or(page.getByRole('region', { name: /^Contract/ })).first().waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
