// Calendar & contacts sync in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve`: a sales rep opens the page from the navigation, reads
// her server address, user name, CalDAV and CardDAV addresses, makes an app password
// and a calendar program signs in with it (a PROPFIND of the address the page showed
// answers 207 with her meeting); the steps for Thunderbird, Apple and DAVx⁵ are there;
// the page in Chinese; an accessible name on every control; no CSP violation or script
// error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createTeam, createUser, create } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('dav-sync');
const { step, signIn } = ui;
let srv, sue, page, meeting;
const PASSWORD = 'sue-pass-12345';

describe('calendar and contacts sync UI', () => {
  before(async () => {
    srv = await startServer();
    const admin = await loginAdmin(srv.base);
    const team = await createTeam(admin, 'North');
    await createUser(admin, { username: 'sue', password: PASSWORD, role: 'sales', team_ids: [team.id], display_name: 'Sue Sales' });
    sue = await login(srv.base, 'sue', PASSWORD);
    const start = new Date(Date.now() + 86400000);
    meeting = await create(sue, 'activities', { type: 'meeting', subject: 'Demo for Acme', start_at: start.toISOString(), end_at: new Date(start.getTime() + 3600000).toISOString() });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('a sales rep opens the sync page from the navigation and reads her addresses', async () => {
    await page.goto(srv.base + '/');
    await signIn('sue', PASSWORD);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Calendar & contacts sync' }).click();
    await page.getByRole('heading', { name: 'Calendar & contacts sync', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/calendar-sync');
    assert.equal(await page.getByRole('textbox', { name: 'Server address', exact: true }).inputValue(), `${srv.base}/dav/`);
    assert.equal(await page.getByRole('textbox', { name: 'User name', exact: true }).inputValue(), 'sue');
    assert.equal(await page.getByRole('textbox', { name: 'Calendar (CalDAV) address', exact: true }).inputValue(), `${srv.base}/dav/calendars/sue/default/`);
    assert.equal(await page.getByRole('textbox', { name: 'Contacts (CardDAV) address', exact: true }).inputValue(), `${srv.base}/dav/addressbooks/sue/default/`);
    for (const h of ['Thunderbird (Windows, macOS, Linux)', 'Apple Calendar and Contacts (macOS, iPhone, iPad)', 'Android (DAVx⁵)']) {
      await page.getByRole('heading', { name: h }).waitFor();
    }
  });

  step('she makes an app password, and a calendar program signs in with it', async () => {
    await page.getByText('App passwords made for syncing so far: 0.').waitFor();
    await page.getByRole('button', { name: 'Make an app password' }).click();
    await page.getByText('Copy this app password now: it is shown only this once.').waitFor();
    await page.getByText('App passwords made for syncing so far: 1.').waitFor();
    const token = await page.getByRole('textbox', { name: 'App password', exact: true }).inputValue();
    assert.match(token, /^rpt_/);
    const url = await page.getByRole('textbox', { name: 'Calendar (CalDAV) address', exact: true }).inputValue();
    const r = await fetch(url, {
      method: 'PROPFIND',
      headers: { depth: '1', authorization: `Basic ${Buffer.from(`sue:${token}`).toString('base64')}` },
    });
    assert.equal(r.status, 207);
    assert.ok((await r.text()).includes(`${meeting.id}.ics`), 'her meeting is in the calendar');
    // The token is one of hers, listed under My settings by the page's name for it.
    const names = (await sue.get('/tokens')).body.data.map((x) => x.name);
    assert.deepEqual(names, ['Calendar & contacts sync']);
  });

  step('every control has an accessible name; no CSP violation or script error', async () => {
    assert.deepEqual(await ui.unnamedControls(), []);
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });

  step('the page in Chinese', async () => {
    assert.equal((await sue.patch('/auth/me', { locale: 'zh-CN' })).status, 200);
    await page.reload();
    await page.getByRole('heading', { name: '日历和联系人同步', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: '日历（CalDAV）地址', exact: true }).waitFor();
    await page.getByRole('button', { name: '生成应用密码' }).waitFor();
    await page.getByRole('heading', { name: 'Android（DAVx⁵）' }).waitFor();
  });
});
