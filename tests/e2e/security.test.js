// The Security tab of the administration in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve` on a temporary database: the alert
// threshold set through its settings form (a value out of bounds refused first, the
// server's message beside the input); a support user of one team opening three accounts
// owned by a user of another team; then, as administrator, the customer-data alert
// naming that user, the three views linking to the accounts, the notice at the top of
// the other administration pages, the tab in Chinese, an accessible name on every
// control, and no CSP violation or script error. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, createTeam, createUser, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('security');
const { step, signIn, signOut, go } = ui;
let srv, admin, page;
const ids = {};

const setting = async (key) => (await admin.get('/settings')).body.data.find((s) => s.key === key);
const events = async (action) => (await admin.get(`/security-events?action=${action}&limit=50`)).body.data;

describe('administration: security', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const north = await createTeam(admin, 'North');
    const south = await createTeam(admin, 'South');
    ids.owner = await createUser(admin, { username: 'nora', password: 'nora-pass-1234', role: 'sales', team_ids: [north.id], display_name: 'Nora North' });
    ids.support = await createUser(admin, { username: 'simon', password: 'simon-pass-1234', role: 'support', team_ids: [south.id], display_name: 'Simon Support' });
    ids.accounts = [];
    for (const name of ['Aurora Mining', 'Borealis Freight', 'Cascade Timber']) {
      ids.accounts.push(await create(admin, 'accounts', { name, owner_id: ids.owner.id }));
    }
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('no alert yet: no notice, empty tables', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'nora', exact: true }).waitFor();
    assert.equal(await page.getByText('Customer-data alerts in the last 24 hours').count(), 0);
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security', level: 2 }).waitFor();
    await page.getByText('No alerts.').waitFor();
    await page.getByText('No such views.').waitFor();
  });

  step('set the alert threshold on the Security tab; a value out of bounds is refused', async () => {
    const form = page.getByRole('form', { name: 'Settings' });
    const threshold = form.getByLabel('Alert threshold (customer records)');
    assert.equal(await threshold.inputValue(), '200');
    assert.equal(await form.getByLabel('Alert window (minutes)').inputValue(), '60');
    // The explanation and the default describe the input.
    const help = page.locator('#set-data_alert_threshold-help');
    assert.match(await help.textContent(), /before administrators are alerted; 0: never alert\. Default: 200/);
    assert.equal(await threshold.getAttribute('aria-describedby'), 'set-data_alert_threshold-help');

    await threshold.fill('-1');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Alert threshold (customer records) must be a whole number from 0 to 1000000').waitFor();
    assert.equal(await threshold.getAttribute('aria-invalid'), 'true');
    assert.equal((await setting('data_alert_threshold')).value, 200, 'unchanged');

    await threshold.fill('2');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Saved.').waitFor();
    assert.equal(await form.getByText('must be a whole number').count(), 0);
    assert.equal((await setting('data_alert_threshold')).value, 2);
    assert.equal((await setting('data_alert_window_minutes')).value, 60, 'not sent, not changed');

    // An empty input restores the default (null); then back to 2.
    await threshold.fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.querySelector('#set-data_alert_threshold').value === '200');
    assert.equal((await setting('data_alert_threshold')).value, 200);
    await threshold.fill('2');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.querySelector('#set-data_alert_threshold').value === '2');
    assert.equal((await setting('data_alert_threshold')).value, 2);
    await signOut();
  });

  step('a support user of another team opens three accounts', async () => {
    await signIn('simon', 'simon-pass-1234');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0);
    await nav.getByRole('link', { name: 'Accounts' }).click();
    for (const a of ids.accounts) {
      await go('/r/accounts');
      await page.getByRole('link', { name: a.name }).click();
      await page.getByRole('heading', { name: a.name, level: 1 }).waitFor();
    }
    // The Security tab is not his.
    await go('/admin/security');
    await page.getByRole('alert').filter({ hasText: 'You are not allowed to do that.' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Security' }).count(), 0);
    await signOut();
    const alerts = await events('data_alert');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].object_id, ids.support.id);
    const views = (await events('record_view')).filter((v) => v.actor_id === ids.support.id);
    assert.deepEqual([...new Set(views.map((v) => v.object_id))].sort(), ids.accounts.map((a) => a.id).sort());
  });

  step('the administrator sees the notice, the alert and the views', async () => {
    await signIn('admin', ADMIN_PASSWORD);
    await go('/admin');
    const notice = page.getByRole('status').filter({ hasText: 'Customer-data alerts in the last 24 hours: 1.' });
    await notice.waitFor();
    await notice.getByRole('link', { name: 'Review them on the Security tab' }).click();
    await page.getByRole('heading', { name: 'Security', level: 2 }).waitFor();
    assert.equal(await page.getByText('Customer-data alerts in the last 24 hours').count(), 0, 'not on the Security tab');

    const alerts = page.getByRole('table', { name: 'Customer-data alerts' });
    const alertRows = alerts.locator('tbody tr');
    await alertRows.first().getByRole('link', { name: 'Simon Support' }).waitFor();
    assert.equal(await alertRows.count(), 1);
    await alertRows.first().getByText('3 customer records opened outside the team or exported in 60 minutes (threshold 2)').waitFor();
    // The time in the user's locale (en-US, UTC here).
    const at = (await events('data_alert'))[0].at;
    const shown = await page.evaluate((v) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(v)), at);
    assert.equal(await alertRows.first().locator('time').textContent(), shown);
    assert.equal(await alertRows.first().locator('time').getAttribute('datetime'), at);

    const views = page.getByRole('table', { name: 'Customer records viewed outside the owner\'s team' });
    for (const a of ids.accounts) {
      const row = views.locator('tbody tr').filter({ hasText: a.name });
      await row.first().getByRole('link', { name: 'Simon Support' }).waitFor();
      assert.equal(await row.first().getByRole('link', { name: a.name }).getAttribute('href'), `/r/accounts/${a.id}`);
    }
    assert.equal(await views.locator('tbody tr').count(), 3);
    // A view's record link opens the record.
    await views.getByRole('link', { name: 'Aurora Mining' }).click();
    await page.getByRole('heading', { name: 'Aurora Mining', level: 1 }).waitFor();
  });

  step('the Security tab in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '管理' }).click();
    const notice = page.getByRole('status').filter({ hasText: '过去 24 小时内的客户数据警报：1 条。' });
    await notice.getByRole('link', { name: '在“安全”标签页查看' }).waitFor();
    await page.getByRole('navigation', { name: '系统管理' }).getByRole('link', { name: '安全' }).click();
    await page.getByRole('heading', { name: '安全', level: 2 }).waitFor();
    const form = page.getByRole('form', { name: '设置' });
    assert.equal(await form.getByLabel('警报阈值（客户记录数）').inputValue(), '2');
    await form.getByLabel('警报时间窗口（分钟）').waitFor();
    await form.getByText('默认值：200（留空即恢复默认）').waitFor();
    await form.getByRole('button', { name: '保存' }).waitFor();
    const alerts = page.getByRole('table', { name: '客户数据警报' });
    await alerts.getByRole('columnheader', { name: '时间' }).waitFor();
    await alerts.getByRole('columnheader', { name: '用户' }).waitFor();
    await alerts.getByText('60 分钟内在本团队之外打开或导出了 3 条客户记录（阈值 2）').waitFor();
    const views = page.getByRole('table', { name: '在负责人团队之外查看的客户记录' });
    await views.getByRole('columnheader', { name: '查看人' }).waitFor();
    await views.getByRole('columnheader', { name: '记录' }).waitFor();
    await views.getByText('客户').first().waitFor();
    // No English string of the tab is left.
    const text = await page.locator('section.security-admin').textContent();
    for (const en of ['Settings', 'Alert threshold', 'Default', 'Customer-data alerts', 'Viewed by', 'customer records opened']) {
      assert.ok(!text.includes(en), `English left: ${en}`);
    }
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  });

  step('every control has an accessible name', async () => {
    const check = async (where) => {
      const unnamed = await ui.unnamedControls();
      assert.deepEqual(unnamed, [], where);
    };
    for (const p of ['/admin', '/admin/security']) {
      await go(p);
      await check(p);
    }
    // With an error shown.
    await page.getByLabel('Alert window (minutes)').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Alert window (minutes) must be a whole number from 1 to 10080').waitFor();
    await check('/admin/security with an error');
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
