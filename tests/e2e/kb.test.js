// The knowledge base in a real browser, as the people who use it: a support agent
// writes an article in Markdown, previews it, saves it and sees it rendered; a sales rep
// finds it by searching and by its category, reads it and says it helped; the agent
// edits it, looks at the first version and restores it, and translates it into
// Chinese, which the article then links. No CSP violation or script error on the way.
// Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, createUser } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('kb');
const { step, signIn, signOut, go } = ui;
let srv, admin, page;
const ids = {};
const body = () => page.getByTestId('kb-body');

describe('knowledge base', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await createUser(admin, { username: 'sam', password: 'support-pass-123', role: 'support' });
    await createUser(admin, { username: 'rita', password: 'sales-pass-1234', role: 'sales' });
    ids.hardware = (await create(admin, 'kb_categories', { name: 'Hardware', name_zh: '硬件' })).id;
    ids.printers = (await create(admin, 'kb_categories', { name: 'Printers', name_zh: '打印机', parent_id: ids.hardware })).id;
    ids.network = (await create(admin, 'kb_categories', { name: 'Network', name_zh: '网络' })).id;
    await create(admin, 'kb_articles', { title: 'Wi-Fi drops', body: 'Move closer to the router.', status: 'published', category_id: ids.network });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('a support agent opens the knowledge base from the navigation', async () => {
    await page.goto(srv.base + '/');
    await signIn('sam', 'support-pass-123');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Knowledge base' }).click();
    await page.getByRole('heading', { name: 'Knowledge base', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Printers' }).waitFor();
    // Articles, categories and votes are worked here, not as lists of the navigation.
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const name of ['Knowledge articles', 'Knowledge categories', 'Article feedback']) {
      assert.equal(await nav.getByRole('link', { name }).count(), 0, `${name} is not in the navigation`);
    }
  });

  step('categories are managed from the knowledge base', async () => {
    await page.getByRole('link', { name: 'Manage categories' }).click();
    await page.getByRole('heading', { name: 'Knowledge categories', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Printers' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Knowledge base', level: 1 }).waitFor();
  });

  step('writes an article in Markdown, previews it and saves it', async () => {
    await page.getByRole('link', { name: 'New article' }).click();
    await page.getByLabel('Title').fill('Printer shows offline');
    await page.getByLabel('Category').selectOption({ label: 'Printers' });
    await page.getByLabel('Status').selectOption({ label: 'Published' });
    await page.getByLabel('Body (Markdown)').fill('## Steps\n\n1. Turn the printer **off** and on\n2. Check the cable\n\n[Vendor help](https://example.com/help)');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('kb-preview');
    await preview.getByRole('heading', { name: 'Steps' }).waitFor();
    assert.equal(await preview.locator('strong').textContent(), 'off');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Printer shows offline', level: 1 }).waitFor();
    await body().getByRole('heading', { name: 'Steps' }).waitFor();
    assert.deepEqual(await body().locator('li').allTextContents(), ['Turn the printer off and on', 'Check the cable']);
    const link = body().getByRole('link', { name: 'Vendor help' });
    assert.equal(await link.getAttribute('href'), 'https://example.com/help');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    ids.article = page.url().split('/').pop();
    await signOut();
  });

  step('a sales rep finds it by searching and by its category', async () => {
    await signIn('rita', 'sales-pass-1234');
    await go('/kb');
    await page.getByRole('button', { name: 'New article' }).or(page.getByRole('link', { name: 'New article' })).count()
      .then((n) => assert.equal(n, 0, 'a sales rep writes no articles'));
    await page.getByRole('searchbox', { name: 'Search articles' }).fill('offline');
    await page.getByRole('button', { name: 'Search' }).click();
    const list = page.getByRole('region', { name: 'Articles' });
    await list.getByRole('link', { name: 'Printer shows offline' }).waitFor();
    assert.equal(await list.getByRole('link', { name: 'Wi-Fi drops' }).count(), 0);
    await go('/kb');
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Network' }).click();
    await list.getByRole('link', { name: 'Wi-Fi drops' }).waitFor();
    assert.equal(await list.getByRole('link', { name: 'Printer shows offline' }).count(), 0);
  });

  step('reads the article and says it helped, once', async () => {
    await go(`/kb/a/${ids.article}`);
    await body().getByRole('heading', { name: 'Steps' }).waitFor();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('1 found it helpful, 0 did not').waitFor();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByText('Thank you for your feedback.').waitFor();
    assert.equal(await page.getByText('1 found it helpful, 0 did not').count(), 1);
    const r = (await admin.get(`/kb_articles/${ids.article}`)).body;
    assert.equal(r.helpful_count, 1);
    assert.ok(r.views >= 1, 'opening the article counted a view');
    await signOut();
  });

  step('the agent edits it, shows the first version and restores it', async () => {
    await signIn('sam', 'support-pass-123');
    await go(`/kb/a/${ids.article}`);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Body (Markdown)').fill('Call the vendor.');
    await page.getByRole('button', { name: 'Save' }).click();
    await body().getByText('Call the vendor.').waitFor();
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByRole('link', { name: 'Version 2' }).waitFor();
    await versions.getByRole('link', { name: 'Version 1' }).click();
    await page.getByText('You are looking at version 1.').waitFor();
    await body().getByRole('heading', { name: 'Steps' }).waitFor();
    await page.getByRole('button', { name: 'Restore this version' }).click();
    await page.getByText('Version 1 restored as a new version.').waitFor();
    await versions.getByRole('link', { name: 'Version 3' }).waitFor();
    await body().getByRole('heading', { name: 'Steps' }).waitFor();
  });

  step('translates it into Chinese, and the two link each other', async () => {
    await page.getByRole('link', { name: 'Translate into Chinese (Simplified)' }).click();
    await page.getByLabel('Title').fill('打印机显示脱机');
    await page.getByLabel('Status').selectOption({ label: 'Published' });
    await page.getByLabel('Body (Markdown)').fill('## 步骤\n\n关闭打印机再重新打开。');
    await page.getByRole('button', { name: 'Save' }).click();
    await body().getByRole('heading', { name: '步骤' }).waitFor();
    const tr = page.getByRole('region', { name: 'Translations' });
    await tr.getByRole('link', { name: 'Printer shows offline (Original)' }).click();
    await page.getByRole('region', { name: 'Translations' }).getByRole('link', { name: '打印机显示脱机' }).waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
