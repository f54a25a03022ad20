// The web UI in a real browser (Debian's chromium through playwright-core) against a
// real `rapport serve` on a temporary database. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createTeam, createUser, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('ui');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

describe('web UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const east = await createTeam(admin, 'East');
    const west = await createTeam(admin, 'West');
    ids.sales = await createUser(admin, { username: 'sally', password: 'sally-pass-123', role: 'sales', team_ids: [east.id], display_name: 'Sally East' });
    ids.west = await createUser(admin, { username: 'walt', password: 'walt-pass-123', role: 'sales', team_ids: [west.id], display_name: 'Walt West' });
    const walt = await login(srv.base, 'walt', 'walt-pass-123');
    ids.westAccount = await create(walt, 'accounts', { name: 'Westside Secret Holdings' });
    await create(admin, 'accounts', { name: 'Eastern Partner Ltd', owner_id: ids.sales.id });
    ids.cn = await create(admin, 'accounts', { name: '北京测试科技有限公司' });
    ids.deal = await create(admin, 'opportunities', { name: 'Dragged Deal', amount: '12345.00', stage: 'prospecting' });
    ids.deal2 = await create(admin, 'opportunities', { name: 'Stale Deal', amount: '500.00', stage: 'prospecting' });
    for (let i = 1; i <= 60; i++) {
      await create(admin, 'accounts', { name: `Bulk ${String(i).padStart(2, '0')}`, type: i % 20 === 0 ? 'partner' : 'customer' });
    }
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong username or password.').waitFor();
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.getByRole('heading', { name: 'Pipeline by stage' }).waitFor();
  });

  step('create an account and a contact', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'New Account' }).click();
    await page.locator('#f-name').fill('Globex Corporation');
    await page.locator('#f-type').selectOption('customer');
    await page.locator('#f-annual_revenue').fill('not money');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Annual revenue is not a number').waitFor();
    assert.equal(await page.locator('#f-name').inputValue(), 'Globex Corporation', 'typed input kept');
    await page.locator('#f-annual_revenue').fill('2500000.50');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Globex Corporation', level: 1 }).waitFor();
    ids.account = page.url().split('/').pop();
    const r = await admin.get(`/accounts/${ids.account}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.annual_revenue, '2500000.50');
    await page.getByText('2,500,000.50').first().waitFor();

    await go('/r/contacts/new');
    await page.locator('#f-first_name').fill('Hank');
    await page.locator('#f-last_name').fill('Scorpio');
    await page.locator('#f-email').fill('hank@globex.example');
    await page.locator('#f-account_id').fill('Globex');
    await page.getByRole('option', { name: 'Globex Corporation' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Hank Scorpio', level: 1 }).waitFor();
    const c = await admin.get(`/contacts/${page.url().split('/').pop()}`);
    assert.equal(c.body.account_id, ids.account);
    // The account page lists it among its contacts.
    await page.getByRole('link', { name: 'Globex Corporation' }).first().click();
    await page.getByRole('region', { name: 'Related: Contacts' }).getByRole('link', { name: 'Hank Scorpio' }).waitFor();
  });

  step('see the duplicate warning', async () => {
    await go('/r/accounts/new');
    await page.locator('#f-name').fill('Globex Corp');
    await page.getByRole('button', { name: 'Save' }).click();
    const warn = page.getByRole('alert').filter({ hasText: 'This looks like a duplicate of:' });
    await warn.waitFor();
    const link = warn.getByRole('link', { name: 'Globex Corporation' });
    assert.equal(await link.getAttribute('href'), `/r/accounts/${ids.account}`);
    assert.equal((await admin.get('/accounts?name=Globex%20Corp')).body.data.length, 0, 'nothing created yet');
    await page.getByRole('button', { name: 'Create anyway' }).click();
    await page.getByRole('heading', { name: 'Globex Corp', level: 1 }).waitFor();
    assert.equal((await admin.get('/accounts?name=Globex%20Corp')).body.data.length, 1);
  });

  step('edit inline, and a stale version explained', async () => {
    await go(`/r/accounts/${ids.account}`);
    // Empty fields wait behind "Show empty fields".
    await page.getByRole('button', { name: 'Show empty fields' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit Phone' }).count(), 0);
    await page.getByRole('button', { name: 'Show empty fields' }).click();
    await page.getByRole('button', { name: 'Edit Phone' }).click();
    await page.locator('#i-phone').fill('+1 415 555 0100');
    await page.locator('#i-phone').press('Enter');
    // "Globex Corp" was created anyway above: a change is checked against it too.
    await page.getByRole('alert').filter({ hasText: 'This looks like a duplicate of:' }).waitFor();
    await page.getByRole('button', { name: 'Save anyway' }).click();
    await page.getByText('Saved.').waitFor();
    const r0 = await admin.get(`/accounts/${ids.account}`);
    assert.equal(r0.body.phone, '+1 415 555 0100');

    // Someone else changes a record; our next inline edit meets 412 and keeps the input.
    await go(`/r/accounts/${ids.cn.id}`);
    await page.getByRole('heading', { name: ids.cn.name, level: 1 }).waitFor();
    const version = ids.cn.version;
    await admin.patch(`/accounts/${ids.cn.id}`, { website: 'https://globex.example' });
    await page.getByRole('button', { name: 'Show empty fields' }).click();
    await page.getByRole('button', { name: 'Edit Industry' }).click();
    await page.locator('#i-industry').selectOption('energy');
    await page.locator('form.inline').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Someone else changed this record').waitFor();
    assert.equal(await page.locator('#i-industry').inputValue(), 'energy', 'input kept');
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.locator('form.inline').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const r = await admin.get(`/accounts/${ids.cn.id}`);
    assert.equal(r.body.industry, 'energy');
    assert.equal(r.body.website, 'https://globex.example', 'the other change survives');
    assert.equal(r.body.version, version + 2);
  });

  step('list: search, load more, sort, filter, saved view, bulk reassign and delete', async () => {
    await go('/r/accounts');
    const rows = page.locator('section.list tbody tr');
    await page.getByRole('searchbox', { name: 'Search Accounts' }).fill('Bulk');
    await page.getByText('50 of 60').waitFor();
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('60 of 60').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
    // A search lists the newest matches first: no column claims the order.
    assert.equal(await page.locator('th[aria-sort="ascending"], th[aria-sort="descending"]').count(), 0);
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Name' }).waitFor();
    await page.waitForFunction(() => document.querySelector('section.list tbody tr a')?.textContent === 'Bulk 01');
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'Name' }).waitFor();
    await page.waitForFunction(() => document.querySelector('section.list tbody tr a')?.textContent === 'Bulk 60');
    await page.getByRole('combobox', { name: 'Filter Type' }).selectOption('partner');
    await page.getByText('3 of 3').waitFor();
    assert.deepEqual(await rows.locator('td:nth-child(2) a').allTextContents(), ['Bulk 60', 'Bulk 40', 'Bulk 20']);
    // Export takes the list as shown: the same search, filter and sort.
    const exportHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (h) => (await fetch(h)).text(), exportHref);
    const names = csv.trim().split(/\r?\n/).slice(1).map((l) => l.split(',')).map((c) => c.find((x) => /^Bulk \d+$/.test(x)));
    assert.deepEqual(names, ['Bulk 60', 'Bulk 40', 'Bulk 20'], csv.slice(0, 300));
    assert.match(await page.getByRole('link', { name: 'Export Excel' }).getAttribute('href'), /format=xlsx/);

    page.once('dialog', (d) => d.accept('Partners'));
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Saved views' }).selectOption('Partners');
    await page.getByText('3 of 3').waitFor();
    assert.equal(await page.getByRole('searchbox', { name: 'Search Accounts' }).inputValue(), 'Bulk');

    await page.getByRole('checkbox', { name: 'Select all rows' }).check();
    await page.getByText('3 selected').waitFor();
    await page.getByRole('combobox', { name: 'Reassign to…' }).selectOption({ label: 'Sally East' });
    await page.getByRole('button', { name: 'Reassign', exact: true }).click();
    await page.getByText('3 done, 0 failed').waitFor();
    const partners = (await admin.get('/accounts?type=partner&name[like]=Bulk*')).body.data;
    assert.deepEqual(partners.map((a) => a.owner_id), [ids.sales.id, ids.sales.id, ids.sales.id]);

    await page.getByRole('checkbox', { name: 'Select Bulk 20' }).check();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('1 done, 0 failed').waitFor();
    await page.getByText('2 of 2').waitFor();
    const bin = (await admin.get('/accounts?deleted=only&name=Bulk%2020')).body.data;
    assert.equal(bin.length, 1, 'in the recycle bin');
  });

  step('drag a deal across stages and see the sums change', async () => {
    await go('/pipeline');
    const col = (s) => page.locator(`section.column[data-stage="${s}"]`);
    const card = page.locator(`li.deal[data-id="${ids.deal.id}"]`);
    await card.waitFor();
    const sum = async (s) => (await col(s).locator('.stage-sum').textContent()).trim();
    assert.equal(await sum('prospecting'), '$12,845.00'); // US dollars, the deals' currency
    assert.equal(await sum('qualification'), '0.00');
    await card.dragTo(col('qualification'));
    await page.getByText('Dragged Deal moved to Qualification.').waitFor();
    await col('qualification').locator(`li.deal[data-id="${ids.deal.id}"]`).waitFor();
    await page.waitForFunction(() => document.querySelector('section.column[data-stage="qualification"] .stage-sum').textContent.trim() === '$12,345.00');
    assert.equal(await sum('prospecting'), '$500.00');
    assert.match(await col('qualification').locator('.stage-count').textContent(), /1 deals/);
    assert.equal((await admin.get(`/opportunities/${ids.deal.id}`)).body.stage, 'qualification');

    // A failed move snaps back with the error: the deal changed underneath us (412).
    await admin.patch(`/opportunities/${ids.deal2.id}`, { next_step: 'call' });
    await page.locator(`li.deal[data-id="${ids.deal2.id}"]`).dragTo(col('proposal'));
    await page.getByRole('alert').filter({ hasText: 'Something went wrong' }).waitFor();
    await col('prospecting').locator(`li.deal[data-id="${ids.deal2.id}"]`).waitFor();
    assert.equal(await col('proposal').locator('li.deal').count(), 0);
    assert.equal((await admin.get(`/opportunities/${ids.deal2.id}`)).body.stage, 'prospecting');

    // Moving a deal to a lost stage asks why; Cancel leaves it where it was.
    await page.reload();
    await card.waitFor();
    let asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.dismiss(); }));
    await card.getByRole('combobox').selectOption('closed_lost');
    assert.equal(await asked, 'Why was “Dragged Deal” lost?');
    assert.equal((await admin.get(`/opportunities/${ids.deal.id}`)).body.stage, 'qualification');
    await page.waitForFunction((id) => document.querySelector(`li.deal[data-id="${id}"] select`).value === 'qualification', ids.deal.id);
    asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.accept('Budget cut'); }));
    await card.getByRole('combobox').selectOption('closed_lost');
    await asked;
    await page.getByText('Dragged Deal moved to Closed lost.').waitFor();
    const lost = (await admin.get(`/opportunities/${ids.deal.id}`)).body;
    assert.deepEqual([lost.stage, lost.lost_reason], ['closed_lost', 'Budget cut']);
  });

  step('create a meeting and see a conflict', async () => {
    const d = new Date(Date.now() + 86400000);
    const day = d.toISOString().slice(0, 10);
    await create(admin, 'activities', { type: 'meeting', subject: 'Board review', start_at: `${day}T10:00:00Z`, end_at: `${day}T11:00:00Z` });
    await go('/calendar');
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Board review').waitFor();
    await page.getByRole('button', { name: `New meeting at ${day} 10:00` }).click();
    assert.equal(await page.locator('#f-type').inputValue(), 'meeting');
    // A meeting's form has no call fields; they come with the type.
    assert.equal(await page.locator('#f-direction').count(), 0);
    await page.locator('#f-type').selectOption('call');
    await page.locator('#f-direction').waitFor();
    await page.locator('#f-type').selectOption('meeting');
    assert.equal(await page.locator('#f-direction').count(), 0);
    await page.locator('#f-subject').fill('Pricing call with Globex');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'This clashes with:' });
    await alert.waitFor();
    // The clashing meeting is readable: linked, with its owner.
    await alert.getByRole('link', { name: 'Board review' }).waitFor();
    assert.match(await alert.textContent(), /owner Administrator/);
    await page.getByRole('button', { name: 'Save anyway' }).click();
    await page.getByRole('heading', { name: 'Pricing call with Globex', level: 1 }).waitFor();
    await go('/calendar');
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.event.conflict', { hasText: 'Pricing call with Globex' }).waitFor();
    assert.equal(await page.locator('.event.conflict').count(), 2);
  });

  step('search in Chinese with the / shortcut', async () => {
    await go('/');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.locator('body').press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'gsearch');
    await page.keyboard.type('测试科技');
    await page.keyboard.press('Enter');
    const group = page.getByRole('region', { name: /Accounts/ });
    await group.getByRole('link', { name: '北京测试科技有限公司' }).click();
    await page.getByRole('heading', { name: '北京测试科技有限公司', level: 1 }).waitFor();
  });

  step('switch language, remembered after a reload', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '客户' }).waitFor();
    await page.getByRole('button', { name: '退出' }).waitFor();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.reload();
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '首页' }).waitFor();
    assert.equal((await admin.get('/auth/me')).body.user.locale, 'zh-CN');
    // Entity and field labels come from /meta: the list's columns in Chinese, no raw
    // dictionary key anywhere, and the export it links to headed the same way.
    await go('/r/accounts');
    await page.getByRole('heading', { name: '客户', level: 1 }).waitFor();
    await page.getByRole('button', { name: '按名称排序' }).waitFor();
    await page.locator('section.list th', { hasText: '负责人' }).waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /\b(field|entity)\.[a-z_]+/);
    const href = await page.getByRole('link', { name: '导出 CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (h) => (await fetch(h)).text(), href);
    const head = csv.replace(/^\uFEFF/, '').split('\r\n')[0].split(',');
    assert.ok(['名称', '类型', '上级 ID', '上级', '负责人 ID', '负责人'].every((h) => head.includes(h)), head.join());
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  });

  step('a navigation while the page changes language is not lost', async () => {
    await go(`/r/accounts/${ids.cn.id}`);
    await page.getByRole('heading', { name: '北京测试科技有限公司', level: 1 }).waitFor();
    // The moment the page has re-rendered in Chinese (before its effects run), go to
    // Globex: the router must still see that navigation.
    await page.evaluate((to) => {
      new MutationObserver((_, seen) => {
        seen.disconnect();
        history.pushState(null, '', to);
        dispatchEvent(new PopStateEvent('popstate'));
      }).observe(document.getElementById('app'), { childList: true, subtree: true });
    }, `/r/accounts/${ids.account}`);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: 'Globex Corporation', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  });

  step('a late answer for an earlier search does not replace the newer one', async () => {
    let release;
    const held = new Promise((r) => { release = r; });
    const url = '**/api/v1/search?q=Globex*';
    await page.route(url, async (route) => { await held; await route.continue(); });
    const asked = page.waitForRequest((r) => r.url().includes('/search?q=Globex'));
    await go('/search?q=Globex');
    await asked;
    await go(`/search?q=${encodeURIComponent('测试科技')}`);
    const group = page.getByRole('region', { name: /Accounts/ });
    await group.getByRole('link', { name: '北京测试科技有限公司' }).waitFor();
    const answered = page.waitForEvent('requestfinished', (r) => r.url().includes('/search?q=Globex'));
    release();
    await answered;
    // Time for the page to read the late answer and render what it would do with it.
    await page.evaluate(() => new Promise((r) => { setTimeout(r, 200); }));
    assert.equal(await group.getByRole('link', { name: 'Globex Corporation' }).count(), 0);
    await group.getByRole('link', { name: '北京测试科技有限公司' }).waitFor();
    await page.unroute(url);
  });

  step('an expired session returns to the same page after signing in', async () => {
    await go(`/r/accounts/${ids.account}`);
    await page.getByRole('heading', { name: 'Globex Corporation', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Related: Contacts' }).getByRole('link', { name: 'Hank Scorpio' }).waitFor();
    await page.context().clearCookies();
    await go('/r/contacts');
    await page.getByText('Your session has ended').waitFor();
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/r/contacts');
  });

  step('sign out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
    await page.goto(srv.base + '/r/accounts');
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
  });

  step("a sales user does not see another team's records", async () => {
    await signIn('sally', 'sally-pass-123');
    await go('/r/accounts');
    await page.getByRole('link', { name: 'Eastern Partner Ltd' }).waitFor();
    assert.equal(await page.getByText('Westside Secret Holdings').count(), 0);
    await page.locator('#gsearch').fill('Westside');
    await page.keyboard.press('Enter');
    await page.getByText('Nothing found.').waitFor();
    await go(`/r/accounts/${ids.westAccount.id}`);
    await page.getByText('This record does not exist or you may not see it.').waitFor();
    // No admin entry for a sales rep.
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
  });

  step('phone width: navigation behind the menu button', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await signIn('admin', ADMIN_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    assert.equal(await nav.isVisible(), false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.getByRole('link', { name: 'Opportunities' }).click();
    await page.getByRole('heading', { name: 'Opportunities', level: 1 }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), 'no horizontal page scroll');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  step('admin: create a user, deactivate another and transfer their records', async () => {
    await go('/admin/users');
    await page.getByRole('button', { name: 'New User' }).click();
    await page.locator('#f-username').fill('nora');
    await page.locator('#f-display_name').fill('Nora New');
    await page.locator('#f-password').fill('nora-pass-123');
    await page.locator('#f-role').selectOption('sales');
    await page.getByRole('checkbox', { name: 'West' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Nora New', level: 1 }).waitFor();
    const nora = (await admin.get('/users?username=nora')).body.data[0];
    assert.equal(nora.role, 'sales');
    await go(`/r/users/${ids.west.id}`);
    await page.getByRole('button', { name: 'Deactivate user' }).click();
    await page.getByRole('button', { name: 'Reactivate user' }).waitFor();
    assert.equal((await admin.get(`/users/${ids.west.id}`)).body.active, false);
    await page.getByRole('combobox', { name: 'Transfer records to…' }).selectOption({ label: 'Nora New' });
    await page.getByRole('button', { name: 'Transfer', exact: true }).click();
    await page.getByText('1 records moved.').waitFor();
    assert.equal((await admin.get(`/accounts/${ids.westAccount.id}`)).body.owner_id, nora.id);
    await go('/admin/roles');
    await page.getByRole('row', { name: /sales/ }).getByRole('link', { name: 'Nora New' }).waitFor();
  });

  step('every control has an accessible name', async () => {
    for (const p of ['/', '/r/accounts', '/r/activities/new', '/r/users/new', '/pipeline', '/calendar', '/admin/roles',
      `/r/accounts/${ids.account}`, '/recycle-bin', '/duplicates', '/import?entity=accounts']) {
      await go(p);
      const unnamed = await ui.unnamedControls();
      assert.deepEqual(unnamed, [], p);
    }
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
