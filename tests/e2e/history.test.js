// A record's history in words, in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve` on a temporary database: names
// instead of ids (who, owners, references), stage labels instead of keys, money as
// money, and sentences — "transferred it from Bob to Dora", "moved it from Prospecting
// to Proposal", "changed Amount from … to …", "set … to …", "moved it to the recycle
// bin" — in English and in Chinese; no CSP violation or script error. Each step saves
// a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, createUser, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('history');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

const historyText = async () => {
  await page.getByRole('tab', { name: /History|修改历史/ }).click();
  await page.locator('ol.history li').first().waitFor();
  return (await page.locator('ol.history li').allTextContents()).join('\n');
};

describe('history in words', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    ids.bob = await createUser(admin, { username: 'bob', role: 'sales', display_name: 'Bob Brown' });
    ids.dora = await createUser(admin, { username: 'dora', role: 'sales', display_name: 'Dora Diaz' });
    ids.acc = await create(admin, 'accounts', { name: 'Harbour Freight' });
    ids.deal = await create(admin, 'opportunities', { name: 'Harbour cranes', amount: '1000.00', stage: 'prospecting', owner_id: ids.bob.id });
    const patch = async (body) => {
      const cur = (await admin.get(`/opportunities/${ids.deal.id}`)).body;
      const r = await admin.patch(`/opportunities/${ids.deal.id}`, body, { headers: { 'if-match': `"${cur.version}"` } });
      assert.equal(r.status, 200, r.text);
    };
    await patch({ owner_id: ids.dora.id });
    await patch({ stage: 'proposal' });
    await patch({ amount: '2500.50', account_id: ids.acc.id });
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

  step('the history speaks in names and sentences', async () => {
    await go(`/r/opportunities/${ids.deal.id}`);
    await page.getByRole('heading', { name: 'Harbour cranes', level: 1 }).waitFor();
    const text = await historyText();
    for (const line of ['Administrator transferred it from Bob Brown to Dora Diaz',
      'Administrator moved it from Prospecting to Proposal',
      'Administrator set Account to Harbour Freight',
      'Administrator created it']) {
      assert.ok(text.includes(line), `"${line}" in:\n${text}`);
    }
    assert.match(text, /Administrator changed Amount from \S*1,000\.00 to \S*2,500\.50/);
    // No ids anywhere.
    for (const id of [ids.bob.id, ids.dora.id, ids.acc.id]) assert.ok(!text.includes(id), `id ${id} shown`);
  });

  step('deleting and restoring are told too', async () => {
    const acc = await create(admin, 'accounts', { name: 'Short Lived' });
    assert.equal((await admin.del(`/accounts/${acc.id}`)).status, 204);
    assert.equal((await admin.post(`/accounts/${acc.id}/restore`)).status, 200);
    await go(`/r/accounts/${acc.id}`);
    await page.getByRole('heading', { name: 'Short Lived', level: 1 }).waitFor();
    const text = await historyText();
    assert.ok(text.includes('Administrator moved it to the recycle bin'), text);
    assert.ok(text.includes('Administrator restored it from the recycle bin'), text);
  });

  step('the same history in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await go(`/r/opportunities/${ids.deal.id}`);
    await page.getByRole('heading', { name: 'Harbour cranes', level: 1 }).waitFor();
    const text = await historyText();
    assert.ok(text.includes('将它从 Bob Brown 转给 Dora Diaz'), text);
    assert.ok(text.includes('创建了这条记录'), text);
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
