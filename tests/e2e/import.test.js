// The import wizard in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve` on a temporary database: from the contacts list, a
// CSV with Chinese and English headers is mapped the way the server reads it (姓名 to
// the full name, Email, Company to the account), an unknown column is given a field by
// hand, a dry run names the bad row by its line, the import runs with its progress
// bar, and the result offers the errors as a file; the fixed row imported again joins
// them; a GBK file is read as GBK; an Excel workbook with Chinese headers and a bad row
// is checked, imported, its errors downloaded, fixed and imported again; rows naming a
// company that does not exist create it when asked (dry run first); the wizard in
// Chinese; no CSP violation or script error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when
// it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
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
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FILE = 'File (CSV, Excel or vCard)';
// A workbook of these rows (the first the header).
async function workbook(rows) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名单');
  for (const row of rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
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
    await page.getByLabel(FILE).setInputFiles(file('people.csv', CSV));
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
    await page.getByLabel(FILE).setInputFiles(file('people.csv', CSV.replace('not an e-mail', 'grace@navy.example')));
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
    await page.getByLabel(FILE).setInputFiles(file('gbk.csv', gbk));
    await page.getByRole('table', { name: 'Columns' }).getByText('李娜').waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Field for 邮箱' }).inputValue(), 'email');
  });

  const PEOPLE = [
    ['姓', '名', '邮箱', '公司', '生日'],
    ['居里', '玛丽', 'marie@radium.example', 'Analytical Engines', new Date(Date.UTC(1967, 10, 7))],
    ['Noether', 'Emmy', 'emmy at algebra', 'Analytical Engines', new Date(Date.UTC(1982, 2, 23))],
    ['Hamilton', 'Margaret', 'margaret@apollo.example', null, null],
  ];

  step('an Excel workbook with a bad row: checked, imported, its errors downloaded', async () => {
    await go('/import?entity=contacts');
    await page.getByLabel(FILE).setInputFiles(file('people.xlsx', await workbook(PEOPLE), XLSX));
    await page.getByRole('table', { name: 'Columns' }).getByText('居里 · Noether · Hamilton').waitFor();
    assert.equal(await page.getByLabel('Encoding').count(), 0, 'a workbook has no encoding to choose');
    const fieldFor = (col) => page.getByRole('combobox', { name: `Field for ${col}` });
    assert.equal(await fieldFor('姓').inputValue(), 'last_name');
    assert.equal(await fieldFor('邮箱').inputValue(), 'email');
    assert.equal(await fieldFor('生日').inputValue(), 'birthday');
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const dry = page.getByRole('region', { name: 'Dry run' });
    await dry.getByText('1 rows would fail').waitFor();
    assert.match(await dry.getByRole('table', { name: 'Row errors' }).getByRole('row').nth(1).textContent(), /^3email/);
    await page.getByRole('button', { name: 'Import Contacts' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByRole('link', { name: 'Download the errors (CSV)' }).waitFor();
    assert.match(await result.locator('dl.counts').textContent(), /Rows3.*Imported2.*Failed1/);
    const download = page.waitForEvent('download');
    await result.getByRole('link', { name: 'Download the errors (CSV)' }).click();
    const csv = Buffer.concat(await (await (await download).createReadStream()).toArray()).toString('utf8');
    assert.match(csv, /^\ufeff"Line","Field","Problem"\r\n"3","email",/);
    const marie = (await admin.get('/contacts?email=marie@radium.example')).body.data[0];
    assert.deepEqual([marie.last_name, marie.first_name, marie.birthday], ['居里', '玛丽', '1967-11-07']);
  });

  step('the workbook fixed and imported again: the fixed row joins, the others are skipped', async () => {
    const fixed = PEOPLE.map((r) => r.map((v) => (v === 'emmy at algebra' ? 'emmy@algebra.example' : v)));
    await page.getByLabel(FILE).setInputFiles(file('people.xlsx', await workbook(fixed), XLSX));
    await page.getByRole('table', { name: 'Columns' }).waitFor();
    await page.getByRole('button', { name: 'Import Contacts' }).click();
    const counts = page.getByRole('region', { name: 'Result' }).locator('dl.counts');
    await counts.waitFor();
    assert.match(await counts.textContent(), /Imported1.*Skipped \(duplicates\)2/);
    const emmy = (await admin.get('/contacts?email=emmy@algebra.example')).body.data[0];
    assert.equal(emmy.birthday, '1982-03-23');
  });

  step('rows naming a company that does not exist create it, when asked', async () => {
    const csv = 'Name,Email,Company\nKatherine Johnson,katherine@nasa.example,Langley Research\n' +
      'Dorothy Vaughan,dorothy@nasa.example,Langley Research\n';
    await page.getByLabel(FILE).setInputFiles(file('nasa.csv', csv));
    await page.getByLabel('Encoding').selectOption('utf-8'); /* GBK was chosen above */
    await page.getByRole('table', { name: 'Columns' }).getByText('Katherine Johnson · Dorothy Vaughan').waitFor();
    const box = page.getByRole('checkbox', { name: 'Create the Accounts that rows name and that do not exist yet' });
    await box.check();
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const dry = page.getByRole('region', { name: 'Dry run' });
    await dry.getByText('Every row can be imported.').waitFor();
    // The panel shows the dry run while it runs: its counts settle when it is done.
    const counts = async () => dry.locator('dl.counts').textContent();
    for (let i = 0; i < 100 && !/Rows2/.test(await counts()); i++) await page.waitForTimeout(100);
    assert.match(await counts(), /Rows2.*Imported2.*Accounts to create1/);
    assert.equal((await admin.get('/accounts?name=Langley%20Research')).body.data.length, 0);
    await page.getByRole('button', { name: 'Import Contacts' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await result.getByRole('link', { name: 'Open Contacts' }).waitFor();
    assert.match(await result.locator('dl.counts').textContent(), /Imported2.*Accounts created1/);
    const langley = (await admin.get('/accounts?name=Langley%20Research')).body.data;
    assert.equal(langley.length, 1);
    const people = (await admin.get(`/contacts?account_id=${langley[0].id}`)).body.data;
    assert.equal(people.length, 2);
  });

  step('the wizard in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await go('/import?entity=accounts');
    await page.getByRole('heading', { name: '导入客户', level: 1 }).waitFor();
    await page.getByLabel('文件（CSV、Excel 或 vCard）').waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
