// The customer card in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve` on a temporary database: a new account's empty
// related lists fold into one "Add…" row; "+ Contact" opens the contact form with the
// account filled in, and the contact then shows in the account's contacts panel with
// its full name once and no Account column; "Log call" opens a call already linked to
// the account; a call logged on the account's deal and a meeting with its contact show
// on the account's activities, timeline and card, each saying what it is about, in
// English and Chinese; empty fields wait behind "Show empty fields"; no CSP violation or
// script error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when
// it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('card');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

describe('customer card', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    ids.acc = await create(admin, 'accounts', { name: 'Fjord Fisheries', phone: '+47 5500 0000' });
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

  step('empty related lists fold into one "Add…" row; empty fields wait', async () => {
    await go(`/r/accounts/${ids.acc.id}`);
    await page.getByRole('heading', { name: 'Fjord Fisheries', level: 1 }).waitFor();
    const add = page.getByRole('region', { name: 'Add…' });
    await add.getByRole('link', { name: '+ Contact' }).waitFor();
    await add.getByRole('link', { name: '+ Opportunity' }).waitFor();
    await add.getByRole('link', { name: 'Log call' }).waitFor();
    await add.getByRole('link', { name: 'Schedule meeting' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Related: Contacts' }).isVisible(), false);
    // The phone is set and shown; the empty website is not, until asked for.
    await page.getByText('+47 5500 0000').waitFor();
    assert.equal(await page.getByText('Website', { exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Show empty fields' }).click();
    await page.getByText('Website', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Hide empty fields' }).click();
  });

  step('"+ Contact" opens the form with the account filled in', async () => {
    await page.getByRole('region', { name: 'Add…' }).getByRole('link', { name: '+ Contact' }).click();
    await page.locator('#f-first_name').fill('Solveig');
    await page.locator('#f-last_name').fill('Strand');
    await page.locator('.refpick', { hasText: 'Fjord Fisheries' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Solveig Strand', level: 1 }).waitFor();
    const c = (await admin.get('/contacts?last_name=Strand')).body.data[0];
    assert.equal(c.account_id, ids.acc.id);
    ids.contact = c;
  });

  step('the contacts panel: the full name once, no Account column', async () => {
    await go(`/r/accounts/${ids.acc.id}`);
    const panel = page.getByRole('region', { name: 'Related: Contacts' });
    await panel.getByRole('link', { name: 'Solveig Strand' }).waitFor();
    const headers = await panel.getByRole('columnheader').allTextContents();
    assert.ok(headers.includes('Name'), headers.join('|'));
    assert.ok(!headers.includes('Account') && !headers.includes('First name'), headers.join('|'));
    assert.equal(await panel.getByText('Solveig', { exact: true }).count(), 0, 'the first name is not repeated');
    // Contacts are no longer offered in the "Add…" row; their panel has its own "+".
    assert.equal(await page.getByRole('region', { name: 'Add…' }).getByRole('link', { name: '+ Contact' }).count(), 0);
    await panel.getByRole('link', { name: '+ Contact' }).waitFor();
  });

  step('"Log call" opens a held call linked to the account', async () => {
    await page.getByRole('region', { name: 'Add…' }).getByRole('link', { name: 'Log call' }).click();
    assert.equal(await page.locator('#f-type').inputValue(), 'call');
    assert.equal(await page.locator('#f-status').inputValue(), 'held');
    assert.notEqual(await page.locator('#f-start_at').inputValue(), '', 'the call has a time');
    await page.locator('#f-direction').waitFor(); // a call's own fields
    await page.locator('#f-subject').fill('Talked about cod quotas');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Talked about cod quotas', level: 1 }).waitFor();
    const a = (await admin.get('/activities?subject=Talked%20about%20cod%20quotas')).body.data[0];
    assert.deepEqual([a.related_type, a.related_id, a.type], ['accounts', ids.acc.id, 'call']);
    await go(`/r/accounts/${ids.acc.id}`);
    await page.getByRole('region', { name: 'Related: Activities' }).getByText('Talked about cod quotas').waitFor();
  });

  step('a call logged on a deal shows on the account card, saying what it is about', async () => {
    ids.deal = await create(admin, 'opportunities', { name: 'Big Order', account_id: ids.acc.id, amount: '900.00' });
    await go(`/r/opportunities/${ids.deal.id}`);
    await page.getByRole('heading', { name: 'Big Order', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Add…' }).getByRole('link', { name: 'Log call' }).click();
    await page.locator('#f-subject').fill('Haggled over the price');
    // Earlier in the day than the call above (not a clash with it).
    await page.locator('#f-start_at').fill('2024-03-04T09:00');
    await page.locator('#f-end_at').fill('2024-03-04T09:20');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Haggled over the price', level: 1 }).waitFor();
    const a = (await admin.get('/activities?subject=Haggled%20over%20the%20price')).body.data[0];
    assert.deepEqual([a.related_type, a.related_id, a.account_id], ['opportunities', ids.deal.id, ids.acc.id]);
    // A meeting with the contact, booked elsewhere, belongs to the account too.
    await create(admin, 'activities', { type: 'meeting', subject: 'Tour of the plant', start_at: '2030-05-02T09:00:00Z',
      end_at: '2030-05-02T10:00:00Z', related_type: 'contacts', related_id: ids.contact.id });
    await go(`/r/accounts/${ids.acc.id}`);
    const panel = page.getByRole('region', { name: 'Related: Activities' });
    const call = panel.getByRole('row', { name: /Haggled over the price/ });
    await call.getByText('re: Opportunity Big Order').waitFor();
    await panel.getByRole('row', { name: /Tour of the plant/ }).getByText('with Solveig Strand (contact)').waitFor();
    // The call logged on the account itself says nothing more.
    assert.equal(await panel.getByRole('row', { name: /Talked about cod quotas/ }).locator('.about').count(), 0);
    assert.ok((await panel.getByRole('columnheader').allTextContents()).includes('About'));
    const timeline = page.locator('ol.timeline');
    await timeline.locator('li', { hasText: 'Haggled over the price' }).getByText('— re: Opportunity Big Order').waitFor();
    await timeline.locator('li', { hasText: 'Tour of the plant' }).getByText('— with Solveig Strand (contact)').waitFor();
    const card = page.getByRole('region', { name: 'Customer card' });
    assert.equal(await card.locator('div', { has: page.getByText('Activities', { exact: true }) }).locator('dd').textContent(), '3');
    assert.match(await card.locator('div', { has: page.getByText('Next activity', { exact: true }) }).locator('dd').textContent(), /2030/);
    // "Log call" here still relates the call to the account.
    const log = await panel.getByRole('link', { name: 'Log call' }).getAttribute('href');
    const q = new URL(log, srv.base).searchParams;
    assert.deepEqual([q.get('related_type'), q.get('related_id'), q.get('account_id')], ['accounts', ids.acc.id, null]);
  });

  step('the same card in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    const panel = page.getByRole('region', { name: '相关记录: 活动' });
    await panel.getByRole('row', { name: /Haggled over the price/ }).getByText('关于商机：Big Order').waitFor();
    await panel.getByRole('row', { name: /Tour of the plant/ }).getByText('与Solveig Strand（联系人）').waitFor();
    assert.ok((await panel.getByRole('columnheader').allTextContents()).includes('关于'));
    await page.locator('ol.timeline li', { hasText: 'Haggled over the price' }).getByText('— 关于商机：Big Order').waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
