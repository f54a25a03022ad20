// Import formats and options beyond CSV: Excel workbooks (.xlsx written by exceljs, with
// Chinese headers, dates, numbers, blanks and bad rows; hostile files refused with a
// clear problem), vCards (hand-written 2.1 with quoted-printable and charsets, 3.0 and
// 4.0 with folded lines, Chinese names; the contacts' vCard export imports back
// unchanged), the readers' problems in the caller's language, and create_accounts
// (accounts rows name that do not exist are created once, counted, not in a dry run,
// undone with a row that fails, and only for a caller who may create accounts); the
// CLI picks the format by the file's extension.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import {
  ADMIN_PASSWORD, BIN, assertProblem, create, createUser, dbQuery, dropDb, freshDb, login, loginAdmin,
  runImport, startServer,
} from './helpers.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const VCF = 'text/vcard';

// A workbook whose first sheet has these rows (arrays; null leaves a cell out); the
// sheet's name and a second sheet are there to be ignored. cellStyle(row, col) may
// give a numFmt.
async function workbook(rows, { sheetName = 'Data', numFmts = {} } = {}) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  rows.forEach((row, r) => {
    row.forEach((v, c) => {
      if (v === null || v === undefined) return;
      const cell = ws.getCell(r + 1, c + 1);
      cell.value = v;
      if (numFmts[`${r + 1},${c + 1}`]) cell.numFmt = numFmts[`${r + 1},${c + 1}`];
    });
  });
  wb.addWorksheet('Other').getCell(1, 1).value = 'not read';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function getText(client, p) {
  const headers = {};
  if (client.cookie) headers.cookie = client.cookie;
  const res = await fetch(client.base + '/api/v1' + p, { headers });
  return res.text();
}

describe('xlsx', () => {
  let srv, admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await create(admin, 'accounts', { name: '北京重要客户有限公司' });
  });
  after(async () => { await srv.stop(); });

  test('a workbook imports like a CSV: Chinese headers, dates, numbers, blanks, rich text; errors by sheet row', async () => {
    const day = (y, m, d) => new Date(Date.UTC(y, m - 1, d));
    const xlsx = await workbook([
      ['姓', '名', '邮箱', '公司', '生日', '手机', '备注'],
      ['王', '芳', 'wang.fang@example.cn', '北京重要客户有限公司', day(1985, 5, 6), 13800138000, 'VIP'],
      ['Smith', { richText: [{ text: 'Jo' }, { text: 'hn', font: { bold: true } }] }, 'john@example.com', null, null, null, 42],
      [],
      ['Bad', 'Mail', 'not-an-email', null, null, null, null],
      ['李', '雷', 'li.lei@example.cn', '没有这个公司', '1990/1/2', '+86 139 0000 1111', null],
      ['赵', null, null, null, day(2000, 2, 29), null, { formula: '1+1', result: 2 }],
    ], { numFmts: { '2,5': 'yyyy"年"m"月"d"日"', '7,5': 'yyyy-mm-dd' } });
    const pv = await admin.post('/imports/preview?entity=contacts', xlsx, { contentType: XLSX });
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual(pv.body.columns.map((c) => c.field),
      ['last_name', 'first_name', 'email', 'account_id', 'birthday', 'phone_mobile', 'description']);
    assert.deepEqual(pv.body.rows[0], ['王', '芳', 'wang.fang@example.cn', '北京重要客户有限公司', '1985-05-06', '13800138000', 'VIP']);
    assert.deepEqual(pv.body.rows[1], ['Smith', 'John', 'john@example.com', '', '', '', '42']);
    assert.equal(Number(dbQuery(srv.dir, 'SELECT count(*) FROM contacts')), 0, 'a preview imports nothing');

    const job = await runImport(admin, 'entity=contacts', xlsx, XLSX);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.format, 'xlsx');
    assert.deepEqual([job.rows_total, job.rows_imported, job.rows_failed], [5, 3, 2]);
    // Line numbers are the sheet's row numbers (row 4 is empty).
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[5, 'email'], [6, 'account_id']]);
    const wang = (await admin.get('/contacts?email=wang.fang@example.cn')).body.data[0];
    assert.equal(wang.birthday, '1985-05-06');
    assert.equal(wang.phone_mobile, '13800138000');
    assert.ok(wang.account_id);
    const john = (await admin.get('/contacts?email=john@example.com')).body.data[0];
    assert.equal(john.first_name, 'John');
    assert.equal(john.description, '42');
    const zhao = (await admin.get('/contacts?last_name=赵')).body.data[0];
    assert.equal(zhao.birthday, '2000-02-29');
    assert.equal(zhao.description, '2', 'a formula gives its value');
  });

  test('deals from a workbook: money columns as the CSV path reads them, dates, accounts by name', async () => {
    const xlsx = await workbook([
      ['Name', 'Account', 'Amount', '预计成交日期', 'Probability'],
      ['Big deal', '北京重要客户有限公司', 1234567.89, new Date(Date.UTC(2026, 0, 5)), 0.3],
      ['Formatted', '北京重要客户有限公司', 1500, new Date(Date.UTC(2026, 11, 31)), 50],
      ['Float noise', '北京重要客户有限公司', 0.1 + 0.2, null, null],
      ['Text amount', '北京重要客户有限公司', '2,500.50', null, null],
      ['Bad amount', '北京重要客户有限公司', 'lots', null, null],
    ], { numFmts: { '3,3': '#,##0.00', '2,4': 'yyyy-mm-dd', '3,4': 'mm/dd/yyyy', '2,5': '0%' } });
    const job = await runImport(admin, 'entity=opportunities', xlsx, XLSX);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[6, 'amount']]);
    const get = async (name) => (await admin.get(`/opportunities?name=${encodeURIComponent(name)}`)).body.data[0];
    assert.equal((await get('Big deal')).amount, '1234567.89');
    assert.equal((await get('Big deal')).expected_close_date, '2026-01-05');
    assert.equal((await get('Big deal')).probability, 30, 'a percentage cell reads as shown');
    assert.equal((await get('Formatted')).probability, 50);
    assert.equal((await get('Formatted')).amount, '1500.00');
    assert.equal((await get('Formatted')).expected_close_date, '2026-12-31');
    assert.equal((await get('Float noise')).amount, '0.30');
    assert.equal((await get('Text amount')).amount, '2500.50');
  });

  test('hostile and broken files are refused with a clear 4xx, and change nothing', async () => {
    const before = dbQuery(srv.dir, 'SELECT count(*) FROM leads');
    const refused = async (body, re) => {
      const r = await admin.post('/imports/preview?entity=leads', body, { contentType: XLSX });
      assertProblem(r, 400);
      assert.match(r.body.detail, re);
      const job = await runImport(admin, 'entity=leads', body, XLSX);
      assert.equal(job.status, 'failed');
      assert.match(job.error, re);
      assert.match(job.error, /nothing was imported/);
    };
    await refused(Buffer.from('last_name\nLee\n'), /not an \.xlsx workbook/);
    // An encrypted workbook is an OLE compound file, as an old .xls is.
    await refused(Buffer.concat([Buffer.from([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]), Buffer.alloc(512)]),
      /encrypted workbook or an old \.xls/);
    const good = await workbook([['last_name'], ['Lee']]);
    await refused(good.subarray(0, good.length - 40), /damaged/);
    // A zip bomb: styles of 9 MiB of spaces, a few KiB packed.
    const bomb = await JSZip.loadAsync(good);
    bomb.file('xl/styles.xml', '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      ' '.repeat(9 * 1024 * 1024) + '</styleSheet>');
    const bombBytes = await bomb.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    assert.ok(bombBytes.length < 200 * 1024);
    await refused(bombBytes, /xl\/styles\.xml unpacks to more than 8 MiB/);
    // Entity expansion (billion laughs): any DTD is refused.
    const laughs = await JSZip.loadAsync(good);
    laughs.file('xl/sharedStrings.xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' +
      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>');
    await refused(await laughs.generateAsync({ type: 'nodebuffer' }), /declares a DTD/);
    assertProblem(await admin.post('/imports?entity=leads', good, { contentType: 'application/vnd.ms-excel' }), 415);
    assert.equal(dbQuery(srv.dir, 'SELECT count(*) FROM leads'), before);
  });

  test('a row wider than its header, and the sheet\'s name, are reported as they are', async () => {
    const xlsx = await workbook([['last_name', 'email'], ['Wide', 'w@example.com', 'extra']],
      { sheetName: '<img src=x onerror=alert(1)>' });
    const job = await runImport(admin, 'entity=leads', xlsx, XLSX);
    assert.equal(job.status, 'done');
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[2, null]]);
    assert.match(job.errors[0].message, /3 columns, the header has 2/);
  });
});

// A vCard 2.1 card in GBK, quoted-printable with a soft line break; 3.0 and 4.0 cards
// with folding, escapes, groups and Chinese names; bad cards.
const CARDS = [
  'BEGIN:VCARD',                                                       // 1
  'VERSION:2.1',
  'N;CHARSET=GBK;ENCODING=QUOTED-PRINTABLE:=D5=C5;=C8=FD;;;',          // 张三
  'TEL;CELL;PREF:+86 139 0000 1111',
  'TEL;WORK;VOICE:010-12345678',
  'EMAIL;INTERNET:zhang.san@example.cn',
  'ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=8C=97=E4=BA=AC=E9=87=8D=E8=A6=81=E5=AE=A2=E6=88=B7=E6=9C=89=E9=99=90=',
  '=E5=85=AC=E5=8F=B8',                                                 // 北京重要客户有限公司
  'NOTE;ENCODING=QUOTED-PRINTABLE:first=0D=0Asecond',
  'END:VCARD',
  'BEGIN:VCARD',                                                       // 11
  'VERSION:3.0',
  'N:Schmidt;Anna;;Ms.;',
  'FN:Anna Schmidt',
  'item1.EMAIL;TYPE=INTERNET,pref:anna@example.de',
  'TITLE:Head of Sales\\, EMEA',
  'ADR;TYPE=work:;;Main Street 1;Berlin;BE;10115;Germany',
  'NOTE:A long note that is folded over two lines because it is longer than seventy-',
  ' five octets.',
  'BDAY:1980-01-05',
  'END:VCARD',
  'BEGIN:VCARD',                                                       // 22
  'VERSION:4.0',
  'FN:欧阳小明',
  'TEL;VALUE=uri;TYPE="voice,cell":tel:+86-138-5526-0424',
  'EMAIL:ouyang@example.cn',
  'END:VCARD',
  'BEGIN:VCARD',                                                       // 28
  'VERSION:4.0',
  'N:Broken;Mail;;;',
  'EMAIL:not-an-email',
  'END:VCARD',
  'BEGIN:VCARD',                                                       // 33
  'VERSION:2.1',
  'N;CHARSET=NO-SUCH-CHARSET:x;y',
  'END:VCARD',
].join('\r\n') + '\r\n';

describe('vcard', () => {
  let srv, admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await create(admin, 'accounts', { name: '北京重要客户有限公司' });
  });
  after(async () => { await srv.stop(); });

  const body = () => Buffer.from(CARDS);

  test('contacts from vCards 2.1, 3.0 and 4.0; errors on the lines their cards begin', async () => {
    const pv = await admin.post('/imports/preview?entity=contacts', body(), { contentType: VCF });
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual(pv.body.rows[0].slice(0, 2), ['张', '三']);
    const job = await runImport(admin, 'entity=contacts', body(), VCF);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.format, 'vcf');
    assert.deepEqual([job.rows_total, job.rows_imported, job.rows_failed], [5, 3, 2]);
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[28, 'email'], [33, null]]);
    assert.match(job.errors[1].message, /line 35: the N value is not readable as CHARSET=NO-SUCH-CHARSET/);
    const zhang = (await admin.get('/contacts?email=zhang.san@example.cn')).body.data[0];
    assert.deepEqual([zhang.last_name, zhang.first_name, zhang.phone_mobile, zhang.phone_work, zhang.description],
      ['张', '三', '+86 139 0000 1111', '010-12345678', 'first\r\nsecond']);
    const acc = (await admin.get(`/accounts/${zhang.account_id}`)).body;
    assert.equal(acc.name, '北京重要客户有限公司');
    const anna = (await admin.get('/contacts?email=anna@example.de')).body.data[0];
    assert.deepEqual([anna.salutation, anna.title, anna.street, anna.city, anna.postcode, anna.country, anna.birthday],
      ['ms', 'Head of Sales, EMEA', 'Main Street 1', 'Berlin', '10115', 'Germany', '1980-01-05']);
    assert.match(anna.description, /seventy-five octets\.$/);
    const ouyang = (await admin.get('/contacts?email=ouyang@example.cn')).body.data[0];
    assert.deepEqual([ouyang.last_name, ouyang.first_name, ouyang.phone_mobile], ['欧阳', '小明', '+86-138-5526-0424']);
    // Again: every card is a duplicate now.
    const again = await runImport(admin, 'entity=contacts', body(), VCF);
    assert.deepEqual([again.rows_imported, again.rows_skipped], [0, 3]);
  });

  test('leads from vCards: ORG is the company, phones by type', async () => {
    const job = await runImport(admin, 'entity=leads&dry_run=false', body(), VCF);
    assert.equal(job.rows_imported, 3, JSON.stringify(job.errors));
    const zhang = (await admin.get('/leads?email=zhang.san@example.cn')).body.data[0];
    assert.deepEqual([zhang.company, zhang.mobile, zhang.phone], ['北京重要客户有限公司', '+86 139 0000 1111', '010-12345678']);
  });

  test('vCards go into people only; an empty or card-less file is refused', async () => {
    const r = await admin.post('/imports?entity=accounts', body(), { contentType: VCF });
    assertProblem(r, 400);
    assert.match(r.body.detail, /Accounts do not take vCards/);
    const none = await runImport(admin, 'entity=contacts', 'just some text\r\n', 'text/x-vcard');
    assert.equal(none.status, 'failed');
    assert.match(none.error, /the file has no vCard/);
  });

  test('in Chinese: a file refused as a whole, and a card\'s problem in the job of a user who reads Chinese', async () => {
    const ZH = { 'accept-language': 'zh-CN' };
    const notXlsx = await admin.post('/imports/preview?entity=contacts', Buffer.from('last_name\nLee\n'),
      { headers: ZH, contentType: XLSX });
    assert.equal(assertProblem(notXlsx, 400).detail, '该文件不是 .xlsx 工作簿（ZIP 压缩包）');
    const noCard = await admin.post('/imports/preview?entity=contacts', 'just some text\r\n',
      { headers: ZH, contentType: VCF });
    assert.equal(assertProblem(noCard, 400).detail, '文件中没有 vCard（BEGIN:VCARD … END:VCARD）');
    await createUser(admin, { username: 'zh-cards', password: 'zh-cards-pass-1', role: 'sales', locale: 'zh-CN' });
    const zh = await login(srv.base, 'zh-cards', 'zh-cards-pass-1');
    const job = await runImport(zh, 'entity=contacts&dry_run=true', body(), VCF);
    const card = job.errors.find((e) => e.line === 33);
    assert.equal(card?.message, '第 35 行：N 的值无法按 CHARSET=NO-SUCH-CHARSET 读取', JSON.stringify(job.errors));
  });

  test('the contacts\' vCard export imports back unchanged, into another database and its own', async () => {
    const home = await startServer();
    const other = await startServer();
    try {
      const admin = await loginAdmin(home.base);
      await create(admin, 'contacts', { first_name: 'Ann', last_name: 'Lee', salutation: 'dr', email: 'ann.lee@example.com',
        phone_work: '+1 415 555 0100', phone_mobile: '+1 415 555 0101', title: 'CFO, Americas', department: 'Finance',
        street: '1 Main St; Suite 2', city: 'San Francisco', state: 'CA', postcode: '94105', country: 'USA',
        birthday: '1970-12-31', description: 'Line one\nLine two, with a comma; and \\ a backslash',
        account_id: (await create(admin, 'accounts', { name: 'Acme, Inc.' })).id });
      await create(admin, 'contacts', { last_name: '李小明', email: 'li@example.cn' });
      const strip = (v) => v.split('\r\n').filter((l) => !/^(UID|REV):/.test(l)).join('\r\n');
      const sorted = (v) => strip(v).split('END:VCARD').map((c) => c.trim()).sort().join('\n');
      const out1 = await getText(admin, '/contacts/export?format=vcf');
      const dst = await loginAdmin(other.base);
      const job = await runImport(dst, 'entity=contacts&create_accounts=true', out1, VCF);
      assert.equal(job.rows_failed, 0, JSON.stringify(job.errors));
      assert.equal(job.accounts_created, 1, JSON.stringify(job));
      const out2 = await getText(dst, '/contacts/export?format=vcf');
      assert.equal(sorted(out2), sorted(out1));
      // Into its own database: each card is the record it came from, and updating it changes nothing.
      const versions = dbQuery(home.dir, 'SELECT sum(version) FROM contacts');
      const back = await runImport(admin, 'entity=contacts&on_duplicate=update', out1, VCF);
      assert.equal(back.rows_failed, 0, JSON.stringify(back.errors));
      assert.equal(back.rows_updated, 2);
      assert.equal(await getText(admin, '/contacts/export?format=vcf').then(sorted), sorted(out1));
      assert.equal(dbQuery(home.dir, 'SELECT sum(version) FROM contacts'), versions);
    } finally {
      await home.stop();
      await other.stop();
    }
  });
});

describe('create_accounts', () => {
  let srv, admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await create(admin, 'accounts', { name: 'Existing Co' });
  });
  after(async () => { await srv.stop(); });

  const accounts = () => Number(dbQuery(srv.dir, 'SELECT count(*) FROM accounts'));
  const CSV = 'last_name,email,account\r\n' +
    'One,one@example.com,Neu GmbH\r\n' +
    'Two,two@example.com,Neu GmbH\r\n' +
    'Three,three@example.com,Existing Co\r\n' +
    'Bad,not-an-email,Never Made Ltd\r\n' +
    'Four,four@example.com,新公司\r\n';

  test('without it a missing account is the row\'s error', async () => {
    const job = await runImport(admin, 'entity=contacts&dry_run=true', CSV);
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[2, 'account_id'], [3, 'account_id'], [5, 'account_id'], [6, 'account_id']]);
    assert.equal(job.accounts_created, 0);
    assert.equal(job.create_accounts, false);
  });

  test('a dry run says what it would create and creates nothing', async () => {
    const n = accounts();
    const job = await runImport(admin, 'entity=contacts&dry_run=true&create_accounts=true', CSV);
    assert.equal(job.status, 'done');
    assert.equal(job.create_accounts, true);
    assert.deepEqual([job.rows_imported, job.rows_failed, job.accounts_created], [4, 1, 2]);
    assert.equal(accounts(), n);
  });

  test('each missing account is created once; a row that fails creates none', async () => {
    const n = accounts();
    const job = await runImport(admin, 'entity=contacts&create_accounts=true', CSV);
    assert.deepEqual([job.rows_imported, job.rows_failed, job.accounts_created], [4, 1, 2]);
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[5, 'email']]);
    assert.equal(accounts(), n + 2);
    const neu = (await admin.get('/accounts?name=Neu GmbH')).body.data;
    assert.equal(neu.length, 1);
    assert.equal(neu[0].owner_id, admin.user.id);
    const people = (await admin.get(`/contacts?account_id=${neu[0].id}`)).body.data.map((c) => c.last_name).sort();
    assert.deepEqual(people, ['One', 'Two']);
    assert.equal((await admin.get('/accounts?name=Never Made Ltd')).body.data.length, 0);
    assert.equal((await admin.get('/accounts?name=新公司')).body.data.length, 1);
    // Deals too; the accounts made above are found by name now.
    const deals = await runImport(admin, 'entity=opportunities&create_accounts=true',
      'name,account,amount\r\nD1,Neu GmbH,100\r\nD2,Brand New AG,200\r\n');
    assert.deepEqual([deals.rows_imported, deals.accounts_created], [2, 1]);
  });

  test('only for a caller whose role may create accounts', async () => {
    const key = `no_acc_${Date.now()}`;
    const r = await admin.post('/roles', { key, label: 'Importer without accounts',
      grants: { contacts: { read: 'all', create: 'all', edit: 'all', import: 'all' }, accounts: { read: 'all' } } });
    assert.equal(r.status, 201, r.text);
    await createUser(admin, { username: 'importer-na', role: key });
    const u = await login(srv.base, 'importer-na', 'password-123');
    const n = accounts();
    const denied = await u.post('/imports?entity=contacts&create_accounts=true', CSV, { contentType: 'text/csv' });
    assertProblem(denied, 403);
    assert.match(denied.body.detail, /may not create Accounts/);
    assertProblem(await u.post('/imports/preview?entity=contacts&create_accounts=true', CSV, { contentType: 'text/csv' }), 403);
    assertProblem(await admin.post('/imports?entity=contacts&create_accounts=maybe', CSV, { contentType: 'text/csv' }), 400);
    const ok = await runImport(u, 'entity=contacts', 'last_name,account\r\nFive,Existing Co\r\n');
    assert.equal(ok.rows_imported, 1);
    assert.equal(accounts(), n);
  });
});

describe('cli', () => {
  test('rapport import reads .xlsx and .vcf files by their extension, or --format; --create-accounts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-cli-'));
    try {
      const db = freshDb(dir);
      const env = { ...process.env, RAPPORT_ADMIN_PASSWORD: ADMIN_PASSWORD };
      const run = (args) => spawnSync(BIN, args, { env, encoding: 'utf8' });
      const xlsx = path.join(dir, 'people.xlsx');
      writeFileSync(xlsx, await workbook([['姓名', '邮箱', '公司'], ['王 芳', 'wf@example.cn', '华为'], ['Bad', 'nope', null]]));
      let r = run(['import', 'contacts', xlsx, '--db', db, '--dry-run', '--create-accounts']);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stdout, /dry run \(nothing committed\) contacts: 2 rows, 1 imported/);
      assert.match(r.stdout, /accounts that would be created: 1/);
      assert.match(r.stdout, /line 3, email: is not a valid e-mail address/);
      r = run(['import', 'contacts', xlsx, '--db', db, '--create-accounts']);
      assert.match(r.stdout, /accounts created: 1/);
      const vcf = path.join(dir, 'cards.txt');
      writeFileSync(vcf, 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n');
      r = run(['import', 'contacts', vcf, '--db', db]);
      assert.equal(r.status, 3, 'a .txt is read as a CSV');
      assert.match(r.stdout, /0 imported/);
      r = run(['import', 'contacts', vcf, '--db', db, '--format', 'vcf']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /1 rows, 1 imported/);
      r = run(['import', 'contacts', vcf, '--db', db, '--format', 'pdf']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--format takes csv, xlsx or vcf/);
      writeFileSync(path.join(dir, 'bad.xlsx'), 'name\nx\n');
      r = run(['import', 'contacts', path.join(dir, 'bad.xlsx'), '--db', db]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /not an \.xlsx workbook.*nothing was imported/);
    } finally {
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
