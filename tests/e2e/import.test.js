// The import wizard in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve` on a temporary database: from the contacts list, a
// CSV with Chinese and English headers is mapped the way the server reads it (姓名 to
// the full name, Email, Company to the account), an unknown column is given a field by
// hand, a dry run names the bad row by its line, the import runs with its progress
// bar, and the result offers the errors as a file; the fixed row imported again joins
// them; a GBK file is read as GBK; the wizard in Chinese; no CSP violation or script
// error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when
// it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('import');
const { step, signIn, go } = ui;
let srv, admin, page;

const CSV = '姓名,Email,Company,Our remarks\n' +
  'Ada Lovelace,ada@engine.example,Analytical Engines,Met at the fair\n' +
  'Charles Babbage,charles@engine.example,Analytical Engines,Wants a quote\n' +
  'Grace Hopper,not an e-mail,Analytical Engines,Typo in the address\n' +
  'Alan Turing,alan@bletchley.example,,Call in May\n';
const file = (name, text, mimeType = 'text/csv') => ({ name, mimeType, buffer: Buffer.isBuffer(text) ? text : Buffer.from(text) });

describe('import wizard', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await create(admin, 'accounts', { name: 'Analytical Engines' });
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

  step('the columns as the server reads them, one mapped by hand', async () => {
    await go('/r/contacts');
    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Import Contacts', level: 1 }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(file('people.csv', CSV));
    const mapping = page.getByRole('table', { name: 'Columns' });
    await mapping.waitFor();
    const fieldFor = (col) => page.getByRole('combobox', { name: `Field for ${col}` });
    assert.equal(await fieldFor('姓名').inputValue(), 'full_name');
    assert.equal(await fieldFor('Email').inputValue(), 'email');
    assert.equal(await fieldFor('Company').inputValue(), 'account_id');
    assert.equal(await fieldFor('Our remarks').inputValue(), '');
    await mapping.getByText('Ada Lovelace · Charles Babbage · Grace Hopper').waitFor();
    await fieldFor('Our remarks').selectOption('description');
  });

  step('a dry run names the bad row by its line and writes nothing', async () => {
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const dry = page.getByRole('region', { name: 'Dry run' });
    await dry.getByText('1 rows would fail').waitFor();
    const row = dry.getByRole('table', { name: 'Row errors' }).getByRole('row').nth(1);
    assert.match(await row.textContent(), /^4email/);
    assert.equal((await admin.get('/contacts?count=true')).body.total, 0);
  });

  step('the import runs, and its errors come as a file', async () => {
    await page.getByRole('button', { name: 'Import Contacts' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByRole('link', { name: 'Download the errors (CSV)' }).waitFor();
    assert.equal(await result.getByRole('progressbar').getAttribute('value'), '4');
    const counts = await result.locator('dl.counts').textContent();
    assert.match(counts, /Rows4/);
    assert.match(counts, /Imported3/);
    assert.match(counts, /Failed1/);
    const download = page.waitForEvent('download');
    await result.getByRole('link', { name: 'Download the errors (CSV)' }).click();
    const text = await (await (await download).createReadStream()).toArray();
    const csv = Buffer.concat(text).toString('utf8');
    assert.match(csv, /^\ufeff"Line","Field","Problem"\r\n"4","email",/);
    const ada = (await admin.get('/contacts?email=ada@engine.example')).body.data[0];
    assert.deepEqual([ada.first_name, ada.last_name, ada.description], ['Ada', 'Lovelace', 'Met at the fair']);
    const acc = (await admin.get('/accounts?name=Analytical%20Engines')).body.data[0];
    assert.equal(ada.account_id, acc.id);
  });

  step('the fixed row imported again joins the others; the rest are skipped', async () => {
    await page.getByLabel('CSV file').setInputFiles(file('people.csv', CSV.replace('not an e-mail', 'grace@navy.example')));
    await page.getByRole('table', { name: 'Columns' }).waitFor();
    await page.getByRole('combobox', { name: 'Field for Our remarks' }).selectOption('description');
    await page.getByRole('button', { name: 'Import Contacts' }).click();
    const counts = page.getByRole('region', { name: 'Result' }).locator('dl.counts');
    await counts.waitFor();
    assert.match(await counts.textContent(), /Imported1.*Skipped \(duplicates\)3/);
    assert.equal((await admin.get('/contacts?count=true')).body.total, 4);
  });

  step('a GBK file is read as GBK', async () => {
    // "姓名,邮箱\n李娜,li.na@example.com\n" in GBK.
    const gbk = Buffer.concat([Buffer.from([0xD0, 0xD5, 0xC3, 0xFB]), Buffer.from(','), Buffer.from([0xD3, 0xCA, 0xCF, 0xE4]),
      Buffer.from('\n'), Buffer.from([0xC0, 0xEE, 0xC4, 0xC8]), Buffer.from(',li.na@example.com\n')]);
    await page.getByLabel('Encoding').selectOption('gb18030');
    await page.getByLabel('CSV file').setInputFiles(file('gbk.csv', gbk));
    await page.getByRole('table', { name: 'Columns' }).getByText('李娜').waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Field for 邮箱' }).inputValue(), 'email');
  });

  step('the wizard in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await go('/import?entity=accounts');
    await page.getByRole('heading', { name: '导入客户', level: 1 }).waitFor();
    await page.getByLabel('CSV 文件').waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
