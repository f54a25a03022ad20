// Administration › System in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve`: the database, its size and the signed-in sessions;
// on PostgreSQL (make pg-test) also the server written to, the read replica (none here:
// lists read the primary) and the counters of reconnects and replica reads; the tab in
// Chinese, an accessible name on every control, and no CSP violation or script error.
// The failover itself, with the counters moving, is tests/ha/failover.test.js.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PG, startServer, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('system');
const { step, signIn } = ui;
let srv, page;

const value = (key) => page.locator(`dd[data-key="${key}"]`).textContent();

describe('administration: system status', () => {
  before(async () => {
    srv = await startServer();
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('the System tab shows the database', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'System status' }).waitFor();
    assert.equal(await value('sys.backend'), PG ? 'PostgreSQL' : 'SQLite');
    assert.match(await value('sys.size'), /^[\d,]+ (KiB|MiB)$/);
    assert.equal(await value('sys.sessions'), '1');
    if (PG) {
      // The cluster of make pg-test listens on a unix socket: its directory, and the port.
      assert.match(await value('sys.writesTo'), /^\/.+:\d+$/);
      assert.equal(await value('sys.readsFrom'), 'the primary (no read replica)');
      assert.equal(await value('sys.reconnects'), '0');
      assert.equal(await value('sys.replicaReads'), '0');
    } else {
      assert.equal(await page.locator('dd[data-key="sys.writesTo"]').count(), 0, 'no primary on SQLite');
      await page.getByText('SQLite: one file on this machine.').waitFor();
    }
  });

  step('the System tab in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '系统状态' }).waitFor();
    await page.getByRole('navigation', { name: '系统管理' }).getByRole('link', { name: '系统' }).waitFor();
    const text = await page.locator('section.system').textContent();
    for (const zh of ['数据库', '大小', '已登录会话', '每 5 秒刷新一次']) assert.ok(text.includes(zh), `missing: ${zh}`);
    for (const en of ['Database', 'Size', 'Signed-in sessions', 'As of', 'AM', 'PM']) assert.ok(!text.includes(en), `English left: ${en}`);
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('heading', { name: 'System status' }).waitFor();
  });

  step('every control has an accessible name', async () => {
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
