// My settings in a real browser (Debian's chromium through playwright-core) against a
// real `rapport serve` on a temporary database: a sales rep opens the page from her name
// in the top bar, changes her display name (the top bar follows) and is told beside the
// input when the server refuses her e-mail address; a password change with a wrong
// current password is refused beside its input; she creates a calendar subscription
// URL, which the test reads as iCalendar (ical.js) and finds her meeting in, replaces it
// (the old address stops working) and revokes it (401); she creates an API token
// "script", which lists accounts as a bearer token until she revokes it (401); the page
// in Chinese; an accessible name on every control; no CSP violation or script error.
// Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { startServer, loginAdmin, login, createTeam, createUser, create } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('settings');
const { step, signIn, go } = ui;
let srv, admin, sue, page;
const SUE_PASSWORD = 'sue-pass-12345';
const MEETING = 'Demo for Acme, 演示';
const feeds = {}; // the subscription URLs made, in order

// Answers the next confirm() with OK and resolves with its message.
function confirmNext() {
  return new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.accept(); }));
}

// The subscription URL's answer: its status, and the summaries of its events when 200.
async function readFeed(url) {
  const r = await fetch(url);
  if (r.status !== 200) return { status: r.status };
  assert.match(r.headers.get('content-type'), /^text\/calendar/);
  const cal = new ICAL.Component(ICAL.parse(await r.text()));
  assert.equal(cal.name, 'vcalendar');
  return { status: 200, summaries: cal.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e).summary) };
}

const accountsWith = (token) =>
  fetch(`${srv.base}/api/v1/accounts`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

describe('my settings UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const north = await createTeam(admin, 'North');
    await createUser(admin, { username: 'sue', password: SUE_PASSWORD, role: 'sales', team_ids: [north.id], display_name: 'Sue Sales', email: 'sue@example.com' });
    sue = await login(srv.base, 'sue', SUE_PASSWORD);
    // Her meeting tomorrow, for the calendar feed to hold.
    const start = new Date(Date.now() + 86400000);
    start.setUTCHours(10, 0, 0, 0);
    await create(sue, 'activities', { type: 'meeting', subject: MEETING, start_at: start.toISOString(), end_at: new Date(start.getTime() + 3600000).toISOString() });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('a sales rep opens My settings from her name in the top bar', async () => {
    await page.goto(srv.base + '/');
    await signIn('sue', SUE_PASSWORD);
    await page.getByRole('banner').getByRole('link', { name: 'Sue Sales' }).click();
    await page.getByRole('heading', { name: 'My settings', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/settings');
    assert.equal(await page.getByRole('banner').getByRole('link', { name: 'Sue Sales' }).getAttribute('aria-current'), 'page');
    // Not in the navigation: it is reached from the name.
    assert.equal(await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'My settings' }).count(), 0);
    const profile = page.getByRole('form', { name: 'Profile' });
    assert.equal(await profile.getByLabel('Display name').inputValue(), 'Sue Sales');
    // The e-mail address comes from her user record, after the page shows.
    await page.waitForFunction(() => document.getElementById('me-email')?.value === 'sue@example.com');
    assert.equal(await profile.getByLabel('Language').inputValue(), 'en');
  });

  step('change the display name: the top bar follows; a bad e-mail is refused beside its input', async () => {
    const profile = page.getByRole('form', { name: 'Profile' });
    await profile.getByLabel('Display name').fill('Sue Q. Sales');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Saved.').waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Sue Q. Sales' }).waitFor();
    assert.equal((await sue.get('/auth/me')).body.user.display_name, 'Sue Q. Sales');

    // The server decides what an e-mail address is (422), and says so beside the input.
    await profile.getByLabel('E-mail').fill('not-an-address');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('E-mail is not a valid e-mail address').waitFor();
    await profile.getByRole('alert').filter({ hasText: 'Some fields need your attention.' }).waitFor();
    assert.equal(await profile.getByLabel('E-mail').getAttribute('aria-invalid'), 'true');
    assert.equal(await profile.getByLabel('E-mail').getAttribute('aria-describedby'), 'me-email-error');
    assert.equal((await admin.get(`/users/${sue.user.id}`)).body.email, 'sue@example.com', 'unchanged');
    // Typing again clears the error; the address she had is not sent again.
    await profile.getByLabel('E-mail').fill('sue@example.com');
    assert.equal(await profile.getByText('E-mail is not a valid e-mail address').count(), 0);
  });

  step('a password change with a wrong current password is refused beside its input', async () => {
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Keep my API tokens and calendar subscription working').waitFor();
    // The repetition is checked before anything is sent.
    await form.getByLabel('Current password').fill('not-my-password-at-all');
    await form.getByLabel('New password', { exact: true }).fill('a-new-long-passphrase-42');
    await form.getByLabel('Repeat the new password').fill('a-new-long-passphrase-24');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Repeat the new password does not match the new password').waitFor();
    // The server refuses the wrong current password.
    await form.getByLabel('Repeat the new password').fill('a-new-long-passphrase-42');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Current password is wrong').waitFor();
    assert.equal(await form.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    assert.equal(await form.getByText('does not match').count(), 0);
    // Nothing changed: the old password still signs in, and her session goes on.
    await login(srv.base, 'sue', SUE_PASSWORD);
    assert.equal((await sue.get('/auth/me')).status, 200);
  });

  step('create a calendar subscription URL; the feed holds her meeting', async () => {
    const cal = page.getByRole('region', { name: 'Calendar subscription' });
    await cal.getByText('You have no subscription URL yet.').waitFor();
    await cal.getByRole('button', { name: 'Create subscription URL' }).click();
    const input = cal.getByLabel('Subscription URL', { exact: true });
    await input.waitFor();
    feeds.first = await input.inputValue();
    assert.match(feeds.first, new RegExp(`^${srv.base.replace(/\./g, '\\.')}/api/v1/calendar\\.ics\\?token=rpt_[A-Za-z0-9_-]+$`));
    assert.equal(await input.getAttribute('readonly'), '');
    await cal.getByText('Copy this address now: it is shown only this once.').waitFor();
    await cal.getByText(/Outlook under Add calendar › Subscribe from web, in Google Calendar under Other calendars › From URL, or in Thunderbird/).waitFor();
    assert.deepEqual(await readFeed(feeds.first), { status: 200, summaries: [MEETING] });

    // Copy: to the clipboard where the browser allows it, else the address is selected.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
    await cal.getByRole('button', { name: 'Copy subscription URL' }).click();
    const said = cal.getByRole('status').filter({ hasText: /Copied to the clipboard\.|Selected: press Ctrl\+C/ });
    await said.waitFor();
    if (/Copied/.test(await said.textContent())) {
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), feeds.first);
    } else {
      assert.equal(await page.evaluate(() => String(getSelection()) || document.activeElement.value.slice(
        document.activeElement.selectionStart, document.activeElement.selectionEnd)), feeds.first);
    }

    // The token is listed among her API tokens, labelled as the calendar's.
    const row = page.getByRole('region', { name: 'API tokens' }).getByRole('row', { name: /Calendar feed/ });
    await row.getByText('calendar subscription').waitFor();
    await row.getByText('Active').waitFor();
    await cal.getByRole('button', { name: 'Revoke subscription URL' }).waitFor();
  });

  step('a new subscription URL ends the old one', async () => {
    // Away and back: the secret is not shown again, only that it exists.
    await go('/');
    await go('/settings');
    const cal = page.getByRole('region', { name: 'Calendar subscription' });
    // Read once by the test above: the page says when it was last used.
    await cal.getByText(/^A subscription URL exists \(made .+, last used (?!never).+\)\. It cannot be shown again/).waitFor();
    assert.equal(await cal.getByLabel('Subscription URL', { exact: true }).count(), 0);
    const asked = confirmNext();
    await cal.getByRole('button', { name: 'Create a new subscription URL (ends the current one)' }).click();
    assert.match(await asked, /current one stops working at once/);
    const input = cal.getByLabel('Subscription URL', { exact: true });
    await input.waitFor();
    feeds.second = await input.inputValue();
    assert.notEqual(feeds.second, feeds.first);
    assert.equal((await readFeed(feeds.first)).status, 401, 'the old address is revoked');
    assert.deepEqual(await readFeed(feeds.second), { status: 200, summaries: [MEETING] });
    const tokens = (await sue.get('/tokens')).body.data.filter((x) => x.name === 'Calendar feed');
    assert.equal(tokens.length, 2);
    assert.deepEqual(tokens.map((x) => x.revoked_at === null), [true, false]);
    const rows = page.getByRole('region', { name: 'API tokens' }).getByRole('row', { name: /Calendar feed/ });
    await rows.filter({ hasText: /Revoked / }).waitFor();
    await rows.filter({ hasText: 'Active' }).waitFor();
  });

  step('an API token: created, used as a bearer token, revoked', async () => {
    const tokens = page.getByRole('region', { name: 'API tokens' });
    await tokens.getByRole('button', { name: 'Create token' }).click();
    await tokens.getByText('Name of a new token is required').waitFor();
    await tokens.getByLabel('Name of a new token').fill('script');
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const secret = tokens.getByLabel('Token “script”', { exact: true });
    await secret.waitFor();
    const token = await secret.inputValue();
    assert.match(token, /^rpt_[A-Za-z0-9_-]+$/);
    await tokens.getByText('Copy this token now: it will not be shown again.').waitFor();
    assert.equal(await tokens.getByLabel('Name of a new token').inputValue(), '');
    const row = tokens.getByRole('row', { name: /^script / });
    await row.getByText('never').waitFor();
    await row.getByText('Active').waitFor();

    assert.equal(await accountsWith(token), 200);

    const asked = confirmNext();
    await tokens.getByRole('button', { name: 'Revoke token script' }).click();
    assert.match(await asked, /Revoke the token “script”\?/);
    await tokens.getByText('Token “script” revoked.').waitFor();
    await row.getByText(/^Revoked /).waitFor();
    assert.equal(await row.getByRole('button').count(), 0, 'no revoke button on a revoked token');
    assert.equal(await tokens.getByLabel('Token “script”', { exact: true }).count(), 0, 'the secret of a revoked token is gone');
    // Used once, above: the list says when.
    assert.equal(await row.getByText('never').count(), 0);
    assert.equal(await accountsWith(token), 401);
  });

  step('revoke the calendar subscription: its URL answers 401', async () => {
    const cal = page.getByRole('region', { name: 'Calendar subscription' });
    const asked = confirmNext();
    await cal.getByRole('button', { name: 'Revoke subscription URL' }).click();
    assert.match(await asked, /Calendars subscribed to it stop updating/);
    await cal.getByText('The subscription URL was revoked.').waitFor();
    await cal.getByText('You have no subscription URL yet.').waitFor();
    assert.equal(await cal.getByLabel('Subscription URL', { exact: true }).count(), 0);
    assert.equal((await readFeed(feeds.second)).status, 401);
    assert.ok((await sue.get('/tokens')).body.data.every((x) => x.revoked_at), 'every token revoked');
  });

  step('every control has an accessible name', async () => {
    // With a secret on show, so its input and Copy button are checked too.
    await page.getByRole('region', { name: 'API tokens' }).getByLabel('Name of a new token').fill('for the check');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByLabel('Token “for the check”', { exact: true }).waitFor();
    const unnamed = await ui.unnamedControls();
    assert.deepEqual(unnamed, []);
  });

  step('My settings in Chinese, chosen in the profile', async () => {
    const profile = page.getByRole('form', { name: 'Profile' });
    await profile.getByLabel('Language').selectOption('zh-CN');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('heading', { name: '我的设置', level: 1 }).waitFor();
    for (const name of ['个人资料', '修改密码', '日历订阅', 'API 令牌']) {
      await page.getByRole('heading', { name, level: 2 }).waitFor();
    }
    await page.getByRole('form', { name: '个人资料' }).getByText('已保存。').waitFor();
    assert.equal(await page.getByRole('banner').getByRole('combobox', { name: '语言' }).inputValue(), 'zh-CN');
    assert.equal((await sue.get('/auth/me')).body.user.locale, 'zh-CN');
    const tokens = page.getByRole('region', { name: 'API 令牌' });
    await tokens.getByRole('columnheader', { name: '最近使用' }).waitFor();
    await tokens.getByRole('row', { name: /^script / }).getByText(/^已于 .+ 撤销$/).waitFor();
    await tokens.getByRole('button', { name: '撤销令牌 for the check' }).waitFor();
    await page.getByRole('region', { name: '日历订阅' }).getByRole('button', { name: '创建订阅地址' }).waitFor();
    // A wrong current password, in Chinese.
    const pw = page.getByRole('form', { name: '修改密码' });
    await pw.getByLabel('当前密码').fill('still-not-my-password');
    await pw.getByLabel('新密码', { exact: true }).fill('another-long-passphrase-7');
    await pw.getByLabel('再次输入新密码').fill('another-long-passphrase-7');
    await pw.getByRole('button', { name: '修改密码' }).click();
    await pw.getByText('当前密码 不正确').waitFor();
    assert.equal(await page.title(), '我的设置 · Rapport');
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
