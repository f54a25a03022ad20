// Regenerates docs/screenshots/*.png from the running UI on the demo company
// (`make screenshots`). Not a test: it fails only when a page does not render.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { REPO, ADMIN_PASSWORD } from '../api/helpers.js';
import { launch } from './browser.js';
import { startDemoServer } from './demo.js';

const OUT = path.join(REPO, 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });

const srv = await startDemoServer();
const browser = await launch();
try {
  const page = await browser.context.newPage();
  const shot = async (name, ready) => {
    await ready();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(OUT, `${name}.png`) });
    console.log(`screenshots: ${name}.png`);
  };
  await page.goto(srv.base + '/');
  await shot('sign-in', () => page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor());
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await shot('dashboard', () => page.locator('canvas').nth(2).waitFor());
  await page.goto(srv.base + '/r/accounts');
  await shot('list', () => page.locator('table tbody tr').nth(10).waitFor());
  await page.locator('table tbody tr a').first().click();
  await shot('record', () => page.getByRole('region', { name: 'Customer card' }).waitFor());
  await page.goto(srv.base + '/r/quotes?status=sent&sort=-total');
  await page.locator('table tbody tr a').first().click();
  await shot('quote', () => page.getByRole('table', { name: 'Quote lines' }).locator('tbody tr').nth(1).waitFor());
  await page.goto(srv.base + '/pipeline');
  await shot('pipeline', () => page.locator('li.deal').nth(5).waitFor());
  await page.goto(srv.base + '/calendar');
  await page.getByText('Show colleagues').click();
  for (const name of ['Alice Manager', 'Bob Sales', 'Emil Sales']) await page.getByLabel(name).check();
  await page.getByText('Show colleagues').click();
  await page.getByRole('button', { name: 'Month' }).click();
  if (!await page.locator('.event').count()) await page.getByRole('button', { name: 'Next' }).click();
  await shot('calendar', () => page.locator('.event').first().waitFor());
  await page.goto(srv.base + '/search?q=' + encodeURIComponent('科技'));
  await shot('search', () => page.locator('.search-results li').first().waitFor());
  await page.goto(srv.base + '/admin/users');
  await shot('admin', () => page.locator('table tbody tr').nth(3).waitFor());
  await page.goto(srv.base + '/r/leads');
  await page.locator('table tbody tr a').first().click();
  await page.getByRole('button', { name: 'Convert lead' }).click();
  await shot('convert', () => page.getByRole('form', { name: /^Convert / }).waitFor());
  await page.goto(srv.base + '/duplicates?entity=accounts');
  await shot('duplicates', () => page.getByRole('heading', { name: 'Find duplicates', level: 1 }).waitFor());
  await page.goto(srv.base + '/import?entity=contacts');
  await page.getByLabel('File (CSV, Excel or vCard)').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv',
    buffer: Buffer.from('姓名,Email,公司,Notes\nAda Lovelace,ada@engine.example,Analytical Engines,Met at the fair\n' +
      '王芳,wang.fang@example.cn,上海海运,Wants a quote\n') });
  await shot('import', () => page.getByRole('table', { name: 'Columns' }).waitFor());
  await page.goto(srv.base + '/r/contacts');
  await page.locator('table tbody tr a').first().click();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await shot('deleted', () => page.getByRole('button', { name: 'Undo' }).waitFor());
  await page.goto(srv.base + '/recycle-bin?entity=contacts');
  await shot('recycle-bin', () => page.getByRole('table', { name: 'Deleted Contacts' }).waitFor());
  await page.goto(srv.base + '/settings');
  await shot('settings', () => page.getByRole('heading', { level: 1 }).waitFor());
  await page.getByRole('combobox', { name: 'Language' }).first().selectOption('zh-CN');
  await page.goto(srv.base + '/r/opportunities');
  await shot('list-zh', () => page.locator('table tbody tr').nth(10).waitFor());
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(srv.base + '/r/contacts');
  await shot('phone', () => page.locator('table tbody tr').nth(3).waitFor());
} finally {
  await browser.close();
  await srv.stop();
}
