// The server speaks the UI's language, in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve`: a sales rep who works in Chinese
// saves a new account with a phone number and a website the server refuses, and reads
// both field errors in Chinese beside the fields; an administrator restores a team from
// the recycle bin while another team holds its name, and reads why not in Chinese;
// switched back to English, the same mistakes read in English. No CSP violation or
// script error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, createTeam, createUser } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('server-zh');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

describe('server messages in Chinese', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await createUser(admin, { username: 'li', password: 'li-pass-123456', role: 'sales', display_name: '李小明', locale: 'zh-CN' });
    ids.old = await createTeam(admin, '华东');
    assert.equal((await admin.del(`/teams/${ids.old.id}`)).status, 204);
    await createTeam(admin, '华东');
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('a rep whose language is Chinese signs in', async () => {
    await page.goto(srv.base + '/');
    await page.getByLabel('Username').fill('li');
    await page.getByLabel('Password').fill('li-pass-123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: '退出' }).waitFor();
  });

  step('a new account with a bad phone and website: the server says why, in Chinese', async () => {
    await go('/r/accounts/new');
    await page.locator('#f-name').fill('东方贸易');
    await page.locator('#f-phone').fill('call me maybe');
    await page.locator('#f-website').fill('ftp://example.com');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('#f-phone-err').getByText('电话 不是有效的电话号码').waitFor();
    await page.locator('#f-website-err').getByText('网站 必须是 http:// 或 https:// 地址').waitFor();
    assert.equal((await admin.get('/accounts?name=东方贸易')).body.data.length, 0, 'nothing saved');
  });

  step('fixed, it saves', async () => {
    await page.locator('#f-phone').fill('+86 21 5555 0101');
    await page.locator('#f-website').fill('https://example.com');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('heading', { name: '东方贸易', level: 1 }).waitFor();
  });

  step('an administrator in Chinese: a team whose name is taken cannot come back, and says so', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.goto(srv.base + '/');
    await signIn('admin', 'admin-pass-123');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await go('/recycle-bin?entity=teams');
    await page.getByRole('heading', { name: '回收站', level: 1 }).waitFor();
    await page.getByRole('button', { name: '恢复 华东' }).click();
    await page.getByRole('alert').getByText('现有的一个团队已占用此记录的某个唯一值').waitFor();
    assert.equal((await admin.get(`/teams/${ids.old.id}`)).status, 404, 'still in the bin');
  });

  step('in English, the same refusal reads in English', async () => {
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await go('/recycle-bin?entity=teams');
    await page.getByRole('button', { name: 'Restore 华东' }).click();
    await page.getByRole('alert').getByText("a live Team now holds one of this record's unique values").waitFor();
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
