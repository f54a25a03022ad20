// The notification centre in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve`: Bob has the app open when the administrator assigns
// him an account; the bell's count rises without a reload and its panel links to the
// account. A reminder of his call pops up as it falls due; he snoozes it (it comes back
// later, the server says when) and dismisses the next one. On the notifications page he
// opts in to "someone else changes a record of mine". The page and the pop-up in
// Chinese; an accessible name on every control; no CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { create, createUser, login, loginAdmin, startServer } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('notifications');
const { step, signIn } = ui;
let srv, admin, bob, bobUser, page;
const bell = () => page.getByRole('banner').getByRole('button', { name: /^Notifications/ });

describe('notification centre UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    bobUser = await createUser(admin, { username: 'bob', password: 'bob-pass-12345', display_name: 'Bob Builder' });
    bob = await login(srv.base, 'bob', 'bob-pass-12345');
    page = await ui.open();
  });
  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('Bob signs in: the bell has nothing unread', async () => {
    await page.goto(srv.base + '/');
    await signIn('bob', 'bob-pass-12345');
    await bell().waitFor();
    assert.equal(await bell().getAttribute('aria-label'), 'Notifications');
  });

  step('the administrator assigns him an account: the count rises without a reload', async () => {
    await page.evaluate(() => { window.notReloaded = true; });
    const acc = await create(admin, 'accounts', { name: 'Acme Rockets', owner_id: bobUser.id });
    await page.getByRole('banner').getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 5000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    await bell().click();
    const panel = page.getByRole('region', { name: 'Notifications' });
    const link = panel.getByRole('link', { name: 'Administrator assigned you: Acme Rockets' });
    await link.click();
    await page.getByRole('heading', { name: 'Acme Rockets', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/r/accounts/${acc.id}`);
    await page.getByRole('banner').getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    assert.equal((await bob.get('/notifications')).body.unread, 0);
  });

  step('a reminder pops up when it falls due; he snoozes it', async () => {
    const act = await create(bob, 'activities', { type: 'task', subject: 'Call Ada back', reminder_at: new Date(Date.now() + 1000).toISOString() });
    const popup = page.getByRole('alertdialog', { name: 'Reminder: Call Ada back' });
    await popup.waitFor({ timeout: 30000 });
    await popup.getByLabel('Snooze for').selectOption('30');
    await popup.getByRole('button', { name: 'Snooze' }).click();
    await popup.waitFor({ state: 'detached' });
    await page.getByText(/^Snoozed until /).waitFor();
    const n = (await bob.get('/notifications')).body.data.find((x) => x.record_id === act.id);
    assert.ok(n.read_at);
    const later = Date.parse(n.snoozed_until) - Date.now();
    assert.ok(later > 28 * 60000 && later <= 30 * 60000, `back in ${later} ms`);
  });

  step('the next reminder is dismissed', async () => {
    const act = await create(bob, 'activities', { type: 'task', subject: 'Send the offer', reminder_at: new Date().toISOString() });
    const popup = page.getByRole('alertdialog', { name: 'Reminder: Send the offer' });
    await popup.waitFor({ timeout: 30000 });
    await popup.getByRole('button', { name: 'Dismiss' }).click();
    await popup.waitFor({ state: 'detached' });
    const n = (await bob.get('/notifications')).body.data.find((x) => x.record_id === act.id);
    assert.ok(n.read_at);
    assert.equal(n.snoozed_until, null);
  });

  step('on the notifications page he opts in to changes of his records by others', async () => {
    await bell().click();
    await page.getByRole('region', { name: 'Notifications' }).getByRole('link', { name: 'All notifications and settings' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Reminder: Send the offer' }).waitFor();
    const prefs = page.getByRole('form', { name: 'How you are told' });
    assert.equal(await prefs.getByLabel('Someone else changes a record of mine').inputValue(), 'off');
    await prefs.getByLabel('Someone else changes a record of mine').selectOption('in_app');
    await prefs.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const p = (await bob.get('/notifications/preferences')).body.data.find((x) => x.kind === 'changed');
    assert.equal(p.channel, 'in_app');
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('in Chinese: the page, the bell and a reminder pop-up', async () => {
    await page.getByRole('banner').getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '通知', level: 1 }).waitFor();
    await page.getByRole('form', { name: '通知方式' }).getByLabel('他人修改了我的记录').waitFor();
    await create(bob, 'activities', { type: 'task', subject: '回电话', reminder_at: new Date().toISOString() });
    const popup = page.getByRole('alertdialog', { name: '提醒：回电话' });
    await popup.waitFor({ timeout: 30000 });
    await popup.getByRole('button', { name: '稍后提醒' }).waitFor();
    await popup.getByRole('button', { name: '关闭' }).click();
    await popup.waitFor({ state: 'detached' });
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
