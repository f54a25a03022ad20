// Lists in a real browser (Debian's chromium through playwright-core) against a real
// `rapport serve` on a temporary database: a filter, a search and a sort chosen in the
// list are in the address, in the API's own parameters; a reload, the back button after
// opening a record, and the link opened afresh all show the same list; the total is at
// the top; on a phone-wide screen the rows are cards (the title, two key fields with
// their labels, the owner) instead of a squeezed table; a phone number typed in the
// global search finds its contact whatever the spelling, shown with a key field, the
// owner and the field that matched; no CSP violation or script error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when
// it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('lists');
const { step, signIn, go } = ui;
let srv, admin, page;

// In-app navigation changes the address without a load: wait for the parameter.
const addressHas = (k, v) => page.waitForFunction(([key, value]) => new URLSearchParams(location.search).get(key) === value, [k, v]);
const names = async () => page.locator('table.records tbody td.title').allTextContents();

describe('list state and phone cards', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    for (const [name, type, city] of [['Alder Partners', 'partner', 'Oslo'], ['Birch Partners', 'partner', 'Bergen'],
      ['Cedar Customers', 'customer', 'Oslo'], ['Dogwood Partners', 'partner', 'Oslo'], ['Elm Customers', 'customer', 'Turku']]) {
      assert.equal((await admin.post('/accounts', { name, type, billing_city: city, phone: '+47 2200 0000' })).status, 201);
    }
    assert.equal((await admin.post('/contacts', { last_name: '王', first_name: '芳' })).status, 201);
    assert.equal((await admin.post('/contacts', { last_name: 'Zhang', first_name: 'Wei', title: 'Buyer',
      phone_mobile: '+86 138 5526 0424' })).status, 201);
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

  step('the total is at the top', async () => {
    await go('/r/accounts');
    await page.getByText('5 in all').waitFor();
  });

  step('filter, search and sort go into the address', async () => {
    await page.getByRole('combobox', { name: 'Filter Type' }).selectOption('partner');
    await page.getByText('3 in all').waitFor();
    await page.getByRole('searchbox', { name: 'Search Accounts' }).fill('partners');
    await addressHas('q', 'partners');
    // A search shows the newest matches first: the first click sorts by name, the
    // second turns it round.
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await addressHas('sort', 'name');
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await addressHas('sort', '-name');
    const url = new URL(page.url());
    assert.equal(url.pathname, '/r/accounts');
    assert.equal(url.searchParams.get('type'), 'partner');
    await page.waitForFunction(() => document.querySelectorAll('table.records tbody tr').length === 3);
    assert.deepEqual(await names(), ['Dogwood Partners', 'Birch Partners', 'Alder Partners']);
  });

  step('a reload shows the same list, its inputs filled in', async () => {
    await page.reload();
    await page.getByText('3 in all').waitFor();
    assert.deepEqual(await names(), ['Dogwood Partners', 'Birch Partners', 'Alder Partners']);
    assert.equal(await page.getByRole('combobox', { name: 'Filter Type' }).inputValue(), 'partner');
    assert.equal(await page.getByRole('searchbox', { name: 'Search Accounts' }).inputValue(), 'partners');
    assert.equal(await page.getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort'), 'descending');
  });

  step('back from a record comes back to the same list', async () => {
    await page.getByRole('link', { name: 'Birch Partners' }).click();
    await page.getByRole('heading', { name: 'Birch Partners', level: 1 }).waitFor();
    await page.goBack();
    await page.getByText('3 in all').waitFor();
    assert.deepEqual(await names(), ['Dogwood Partners', 'Birch Partners', 'Alder Partners']);
  });

  step('the link opened afresh shows the same list; a city filter narrows it', async () => {
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await page.getByText('3 in all').waitFor();
    await page.getByRole('searchbox', { name: 'Filter Billing city' }).fill('oslo');
    await page.getByText('2 in all').waitFor();
    await addressHas('billing_city[like]', '*oslo*');
    assert.deepEqual(await names(), ['Dogwood Partners', 'Alder Partners']);
  });

  step('one Chinese character searches: a surname finds its people', async () => {
    await page.getByRole('searchbox', { name: 'Search everything' }).fill('王');
    await page.getByRole('searchbox', { name: 'Search everything' }).press('Enter');
    await page.getByRole('link', { name: /王/ }).first().waitFor();
    assert.equal(await page.getByText('Type at least two characters').count(), 0);
  });

  step('a phone number typed with dashes finds the contact and says the mobile matched', async () => {
    await page.getByRole('searchbox', { name: 'Search everything' }).fill('138-5526-0424');
    await page.getByRole('searchbox', { name: 'Search everything' }).press('Enter');
    await page.getByRole('link', { name: 'Wei Zhang' }).waitFor();
    const hit = page.locator('li.hit', { has: page.getByRole('link', { name: 'Wei Zhang' }) });
    assert.equal(await page.getByRole('heading', { name: /Contacts/ }).count(), 1);
    assert.match(await hit.locator('.hit-key').innerText(), /Title: Buyer/);
    assert.match(await hit.locator('.hit-owner').innerText(), /Owner: Administrator/);
    assert.match(await hit.locator('.hit-match').innerText(), /Matched Mobile phone: \+86 138 5526 0424/);
    // A number with one-digit parts is looked up too, not refused as too short.
    await go('/search?q=' + encodeURIComponent('0086 138 5526 0424'));
    await page.getByRole('link', { name: 'Wei Zhang' }).waitFor();
  });

  step('on a phone, rows are cards: title, two key fields and the owner', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await go('/r/accounts');
    await page.getByText('5 in all').waitFor();
    assert.equal(await page.locator('table.records thead').isVisible(), false);
    const card = page.locator('table.records tbody tr').first();
    const shown = await card.locator('td').evaluateAll((tds) => tds.filter((td) => getComputedStyle(td).display !== 'none')
      .map((td) => `${td.className.trim().split(/\s+/)[0]}:${td.dataset.label}`));
    assert.equal(shown.filter((x) => x.startsWith('title:')).length, 1);
    assert.equal(shown.filter((x) => x.startsWith('key:')).length, 2);
    assert.equal(shown.filter((x) => x.startsWith('owner:')).length, 1);
    assert.ok(!shown.some((x) => x.startsWith('extra:')), shown.join(', '));
    // The key fields carry their labels; the card is no wider than the screen.
    const label = await card.locator('td.key').first().evaluate((td) => getComputedStyle(td, '::before').content);
    assert.match(label, /:/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide`);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  step('a column the server cannot sort by offers no sort', async () => {
    // E-mails list their recipients, a text of up to 2,000 characters: /meta says it
    // is not sortable, and its header is a plain label.
    await page.goto(`${srv.base}/r/emails`);
    await page.getByRole('button', { name: 'Sort by Subject' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sort by To' }).count(), 0);
    await page.getByRole('columnheader', { name: 'To', exact: true }).waitFor();
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
