// Import and export: import jobs (POST/GET /imports), row errors, dry runs, duplicates,
// malformed files; exports (CSV, XLSX read back with exceljs, vCard and the iCalendar
// feed read back with ical.js) with filters, permissions, audit rows and formula
// neutralisation; exports people can read (headers as labels in the user's language or
// as keys, the owner's and referenced records' names next to their ids, XLSX frozen
// header and autofilter); the export → import → export round trip with labels in
// English and Chinese, and by id into the same database; the CLI (--headers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import ICAL from 'ical.js';
import { parseString } from '@fast-csv/parse';
import {
  ADMIN_PASSWORD, BIN, Client, assertProblem, create, createTeam, createUser, login, loginAdmin, startServer,
  dbQuery, freshDb, dropDb, runImport, parseCsv,
} from './helpers.js';

const CSV = { contentType: 'text/csv' };

// GET with the client's credentials, as bytes.
async function getBytes(client, p) {
  const headers = {};
  if (client.cookie) headers.cookie = client.cookie;
  if (client.token) headers.authorization = `Bearer ${client.token}`;
  const res = await fetch(client.base + '/api/v1' + p, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

function sql(dbDir, query) {
  return dbQuery(dbDir, query);
}

// An export's audit row is written when its stream ends, just after the client has the
// last byte: wait for it (generously; there is no timing assertion here).
async function eventually(dbDir, query, want) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const got = sql(dbDir, query);
    if (got === want || Date.now() > deadline) return got;
    await new Promise((res) => setTimeout(res, 50));
  }
}


describe('imports', () => {
  let srv, admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    await create(admin, 'accounts', { name: '北京重要客户有限公司' });
  });
  after(async () => { await srv.stop(); });

  test('a job imports rows, reports each rejected row by line and field, and is audited', async () => {
    const csv = '\uFEFF姓名,公司,电话,邮箱\r\n' +
      '王伟,北京重要客户有限公司,+86 138 0013 8000,wang.wei@example.com\r\n' +
      '"Smith, Jr.",北京重要客户有限公司,,"js@example.com"\r\n' +
      'Bad Mail,,,not-an-email\r\n' +
      'Short,row\r\n' +
      'No Account,没有这个公司,,na@example.com\r\n';
    const job = await runImport(admin, 'entity=contacts', csv);
    assert.equal(job.status, 'done');
    assert.equal(job.entity, 'contacts');
    assert.deepEqual([job.rows_total, job.rows_done, job.rows_imported, job.rows_skipped, job.rows_failed], [5, 5, 2, 0, 3]);
    assert.deepEqual(job.errors.map((e) => [e.line, e.field]), [[4, 'email'], [5, null], [6, 'account_id']]);
    for (const e of job.errors) assert.ok(typeof e.message === 'string' && e.message.length > 5);
    const list = await admin.get('/contacts?email=wang.wei@example.com');
    assert.equal(list.body.data.length, 1);
    assert.equal(list.body.data[0].last_name, '王伟');
    assert.ok(list.body.data[0].account_id);
    assert.equal(sql(srv.dir, "SELECT count(*) FROM audit_log WHERE action = 'import' AND entity = 'contacts'" +
      ` AND user_id = '${admin.user.id}' AND new_value LIKE '%imported=2%'`), '1');
    const ev = (await admin.get('/security-events?action=import')).body.data;
    assert.ok(ev.some((e) => e.object_type === 'contacts' && e.actor_id === admin.user.id &&
      e.outcome === 'success' && /imported=2/.test(e.detail)), JSON.stringify(ev));
  });

  test('a dry run commits nothing; skip makes a re-import a no-op', async () => {
    const csv = 'first_name,last_name,email\nAnn,Lee,ann.lee@example.com\nBob,Ray,bob.ray@example.com\n';
    const dry = await runImport(admin, 'entity=contacts&dry_run=true', csv);
    assert.equal(dry.dry_run, true);
    assert.equal(dry.rows_imported, 2);
    let c = await admin.get('/contacts?last_name[in]=Lee,Ray&count=true');
    assert.equal(c.body.total, 0);
    const first = await runImport(admin, 'entity=contacts&on_duplicate=skip', csv);
    assert.equal(first.rows_imported, 2);
    const again = await runImport(admin, 'entity=contacts&on_duplicate=skip', csv);
    assert.deepEqual([again.rows_imported, again.rows_skipped, again.rows_failed], [0, 2, 0]);
    c = await admin.get('/contacts?last_name[in]=Lee,Ray&count=true');
    assert.equal(c.body.total, 2);
    const upd = await runImport(admin, 'entity=contacts&on_duplicate=update',
      'first_name,last_name,email,title\nAnn,Lee,ann.lee@example.com,CFO\n');
    assert.equal(upd.rows_updated, 1);
    c = await admin.get('/contacts?title=CFO');
    assert.equal(c.body.data.length, 1);
  });

  test('malformed files fail clearly and write nothing', async () => {
    const before = (await admin.get('/leads?count=true')).body.total;
    const quote = await runImport(admin, 'entity=leads', 'last_name,email\nLee,a@example.com\nRay,"b@example.com\n');
    assert.equal(quote.status, 'failed');
    assert.match(quote.error, /line 3: a quoted field is not closed/);
    assert.equal(quote.rows_imported, 0);
    const big = 'last_name,description\nLee,"' + 'x'.repeat(10 * 1024 * 1024) + '"\nRay,short\n';
    const huge = await runImport(admin, 'entity=leads', big);
    assert.equal(huge.status, 'failed');
    assert.match(huge.error, /line 2: a field is longer than 1 MiB/);
    const bytes = Buffer.concat([Buffer.from('last_name,title\nLee,'), Buffer.from([0xC3, 0x28]), Buffer.from('\nRay,ok\n')]);
    const utf = await runImport(admin, 'entity=leads', bytes);
    assert.equal(utf.status, 'done');
    assert.deepEqual([utf.rows_imported, utf.rows_failed], [1, 1]);
    assert.equal(utf.errors[0].line, 2);
    assert.equal(utf.errors[0].field, 'title');
    assert.match(utf.errors[0].message, /UTF-8/);
    assert.equal((await admin.get('/leads?count=true')).body.total, before + 1);
  });

  test('GBK files import with encoding=gbk', async () => {
    // "姓名,邮箱\n李娜,li.na@example.com\n" in GBK.
    const gbk = Buffer.concat([Buffer.from([0xD0, 0xD5, 0xC3, 0xFB]), Buffer.from(','), Buffer.from([0xD3, 0xCA, 0xCF, 0xE4]),
      Buffer.from('\n'), Buffer.from([0xC0, 0xEE, 0xC4, 0xC8]), Buffer.from(',li.na@example.com\n')]);
    const job = await runImport(admin, 'entity=contacts&encoding=gbk', gbk);
    assert.equal(job.rows_imported, 1, JSON.stringify(job));
    const c = await admin.get('/contacts?email=li.na@example.com');
    assert.equal(c.body.data[0].last_name, '李娜');
  });

  test('bad requests, permissions and visibility of jobs', async () => {
    assertProblem(await admin.post('/imports?entity=contacts', 'a,b\n', { contentType: 'application/json' }), 415);
    assertProblem(await admin.post('/imports', 'a,b\n', CSV), 400);
    assertProblem(await admin.post('/imports?entity=users', 'a,b\n', CSV), 400);
    assertProblem(await admin.post('/imports?entity=contacts&on_duplicate=merge', 'a,b\n', CSV), 400);
    assertProblem(await admin.post('/imports?entity=contacts&map=Name=shoe_size', 'Name\nx\n', CSV), 422);
    await createUser(admin, { username: 'ro-importer', role: 'readonly' });
    const ro = await login(srv.base, 'ro-importer', 'password-123');
    assertProblem(await ro.post('/imports?entity=contacts', 'last_name\nX\n', CSV), 403);
    await createUser(admin, { username: 'rep-importer', role: 'sales' });
    const rep = await login(srv.base, 'rep-importer', 'password-123');
    const mine = await runImport(rep, 'entity=accounts&map=Firma=name', 'Firma\nRep Co\n');
    assert.equal(mine.rows_imported, 1);
    const r = await admin.post('/imports?entity=accounts', 'name\nAdmin Co\n', CSV);
    assertProblem(await rep.get(`/imports/${r.body.id}`), 404);
    assert.equal((await admin.get(`/imports/${mine.id}`)).status, 200);
    assertProblem(await rep.get('/imports/not-an-id'), 404);
    const acc = await rep.get('/accounts?name=Rep Co');
    assert.equal(acc.body.data[0].owner_id, rep.user.id);
  });

  test('preview: how the columns map and the first rows, nothing imported', async () => {
    const before0 = (await admin.get('/contacts?count=true')).body.total;
    const rows = Array.from({ length: 8 }, (_, i) => `Person ${i},p${i}@example.com,Owner note ${i},x`).join('\n');
    const csv = `姓名,Email,Notes of ours,Shoe size\n${rows}\n`;
    let r = await admin.post('/imports/preview?entity=contacts', csv, CSV);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.columns, [
      { header: '姓名', field: 'full_name' }, { header: 'Email', field: 'email' },
      { header: 'Notes of ours', field: null }, { header: 'Shoe size', field: null }]);
    assert.equal(r.body.rows.length, 5, 'the first five rows');
    assert.deepEqual(r.body.rows[0], ['Person 0', 'p0@example.com', 'Owner note 0', 'x']);
    // A mapping given by the user wins; an empty one ignores the column.
    r = await admin.post('/imports/preview?entity=contacts&map=Notes of ours=description&map=Email=', csv, CSV);
    assert.deepEqual(r.body.columns.map((c) => c.field), ['full_name', null, 'description', null]);
    // A header may hold "=": the field follows the last one.
    r = await admin.post('/imports/preview?entity=contacts&map=a=b=last_name', 'a=b\nLee\n', CSV);
    assert.deepEqual(r.body.columns, [{ header: 'a=b', field: 'last_name' }]);
    // A short row has nulls past its end; GBK is read as GBK.
    r = await admin.post('/imports/preview?entity=contacts', 'last_name,email,title\nLee\n', CSV);
    assert.deepEqual(r.body.rows, [['Lee', null, null]]);
    const gbk = Buffer.concat([Buffer.from([0xD0, 0xD5, 0xC3, 0xFB]), Buffer.from('\n'), Buffer.from([0xC0, 0xEE, 0xC4, 0xC8]), Buffer.from('\n')]);
    r = await admin.post('/imports/preview?entity=contacts&encoding=gbk', gbk, CSV);
    assert.deepEqual([r.body.columns, r.body.rows], [[{ header: '姓名', field: 'full_name' }], [['李娜']]]);
    // Bad files and requests, as for an import.
    assertProblem(await admin.post('/imports/preview?entity=contacts', '', CSV), 400, 'empty');
    assertProblem(await admin.post('/imports/preview?entity=contacts', 'a,b\n"x,y\n', CSV), 400, 'quote');
    assertProblem(await admin.post('/imports/preview?entity=contacts', 'a,b\n', { contentType: 'application/json' }), 415);
    assertProblem(await admin.post('/imports/preview?entity=users', 'a\n', CSV), 400);
    assertProblem(await admin.post('/imports/preview?entity=contacts&map=Name=shoe_size', 'Name\nx\n', CSV), 422);
    await createUser(admin, { username: 'ro-previewer', role: 'readonly' });
    const ro = await login(srv.base, 'ro-previewer', 'password-123');
    assertProblem(await ro.post('/imports/preview?entity=contacts', 'last_name\nX\n', CSV), 403);
    assert.equal((await admin.get('/contacts?count=true')).body.total, before0, 'nothing imported');
  });

  test('an upload above the import limit is 413', async () => {
    const r = await fetch(`${srv.base}/api/v1/imports?entity=contacts`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'text/csv', 'content-length': String(65 * 1024 * 1024) },
      body: 'x',
      duplex: 'half',
    }).catch((e) => e);
    if (r instanceof Error) return; // the server may close before the client finishes sending
    assert.equal(r.status, 413);
  });
});

describe('exports', () => {
  let srv, admin, rep, repAccount;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const team = await createTeam(admin, 'Export team');
    await createUser(admin, { username: 'rep-export', role: 'sales', team_ids: [team.id] });
    await createUser(admin, { username: 'rep-peer', role: 'sales', team_ids: [team.id] });
    rep = await login(srv.base, 'rep-export', 'password-123');
    const peer = await login(srv.base, 'rep-peer', 'password-123');
    repAccount = await create(rep, 'accounts', { name: 'Rep Own Co', type: 'customer', annual_revenue: '1200.50' });
    await create(peer, 'accounts', { name: 'Peer Co', type: 'customer' });
    await create(admin, 'accounts', { name: '=HYPERLINK("http://evil")', type: 'prospect', annual_revenue: '5.00' });
    await create(admin, 'accounts', { name: 'Big Customer', type: 'customer', annual_revenue: '99999.99', website: 'https://big.example.com' });
  });
  after(async () => { await srv.stop(); });

  test('CSV export takes the list filters and sort, neutralises formulas, and is audited', async () => {
    const r = await getBytes(admin, '/accounts/export?format=csv&type=customer&sort=-annual_revenue&headers=keys');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="accounts.csv"/);
    const rows = parseCsv(r.body.toString('utf8'));
    const name = rows[0].indexOf('name');
    assert.deepEqual(rows.slice(1).map((x) => x[name]), ['Big Customer', 'Rep Own Co', 'Peer Co']);
    assert.equal(rows[1][rows[0].indexOf('annual_revenue')], '99999.99');
    const all = parseCsv((await getBytes(admin, '/accounts/export?headers=keys')).body.toString('utf8'));
    const evil = all.find((x) => x[name].includes('HYPERLINK'));
    assert.equal(evil[name], '\'=HYPERLINK("http://evil")');
    assert.equal(evil[rows[0].indexOf('annual_revenue')], '5.00');
    assert.equal(await eventually(srv.dir, "SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'accounts'" +
      ` AND user_id = '${admin.user.id}' AND field = 'csv' AND new_value = '3' AND old_value LIKE '%type=customer%'`, '1'), '1');
    const ev = (await admin.get('/security-events?action=export')).body.data;
    assert.ok(ev.some((e) => e.object_type === 'accounts' && e.actor_id === admin.user.id &&
      e.detail === 'format=csv rows=3'), JSON.stringify(ev));
  });

  test('CSV and Excel exports neutralise every formula shape and leave phone numbers alone', async () => {
    // [stored name, neutralised?]: what a spreadsheet would run after skipping blanks and
    // invisible characters, full-width forms included.
    const cases = [
      ['=1+2', true], ['-5 Main St', true], ['@SUM(A1)', true], ['|calc', true],
      [' =1+2', true], ['\t=1+2', true], ['  |calc', true], ['\u00a0=1+2', true],
      ['\u200b=1+2', true], ['\ufeff=1+2', true], ['\u3000=1+2', true],
      ['\uff1dSUM(1)', true], ['\uff0bx', true], ['\uff0d1', true], ['\uff20x', true],
      ["'=x", true], ['+1+2', true], ['+SUM(1)', true],
      ['+86 138-0013-8000', false], ['+1 (555) 123-4567', false], [' +86 10 1234 5678', false],
      ['plain', false], ['a=b', false], ['客户 +86', false],
    ];
    const tag = `nz${Date.now().toString(36)}`;
    for (const [name] of cases) {
      const r = await admin.post('/accounts?allow_duplicate=true', { name, description: tag });
      assert.equal(r.status, 201, `${JSON.stringify(name)}: ${r.text}`);
    }
    await create(admin, 'accounts', { name: `${tag} phone`, description: tag, phone: '+86 138-0013-8000' });
    const want = (name, neutral) => (neutral ? `'${name}` : name);
    // CSV, read back with a parser of its own (fast-csv).
    const csv = (await getBytes(admin, `/accounts/export?format=csv&headers=keys&description=${tag}`)).body.toString('utf8');
    const rows = await new Promise((resolve, reject) => {
      const out = [];
      parseString(csv.replace(/^\uFEFF/, ''), { headers: true, ignoreEmpty: true })
        .on('error', reject).on('data', (row) => out.push(row)).on('end', () => resolve(out));
    });
    assert.equal(rows.length, cases.length + 1);
    const csvNames = rows.map((row) => row.name);
    for (const [name, neutral] of cases) {
      assert.ok(csvNames.includes(want(name, neutral)), `CSV cell of ${JSON.stringify(name)} in ${JSON.stringify(csvNames)}`);
    }
    assert.equal(rows.find((row) => row.name === `${tag} phone`).phone, '+86 138-0013-8000', 'a phone number is exported as it is');
    // Excel, read back with exceljs: text cells, the same neutralisation.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await getBytes(admin, `/accounts/export?format=xlsx&headers=keys&description=${tag}`)).body);
    const ws = wb.worksheets[0];
    const head = ws.getRow(1).values;
    const cells = new Map();
    ws.eachRow((row, n) => { if (n > 1) cells.set(row.getCell(head.indexOf('name')).value, row); });
    for (const [name, neutral] of cases) {
      const row = cells.get(want(name, neutral));
      assert.ok(row, `Excel cell of ${JSON.stringify(name)} in ${JSON.stringify([...cells.keys()])}`);
      assert.equal(row.getCell(head.indexOf('name')).type, ExcelJS.ValueType.String);
    }
    assert.equal(cells.get(`${tag} phone`).getCell(head.indexOf('phone')).value, '+86 138-0013-8000');
    // The round trip: the exported file imported again creates the same names.
    const again = await runImport(admin, 'entity=accounts&on_duplicate=create', csv);
    assert.equal(again.status, 'done', JSON.stringify(again));
    const names = (await admin.get(`/accounts?description=${tag}&limit=500`)).body.data.map((a) => a.name);
    for (const [name] of cases) {
      assert.equal(names.filter((n) => n === name).length, 2, `round trip of ${JSON.stringify(name)}`);
    }
    // The other tests here count the company's accounts: these go to the recycle bin.
    for (const a of (await admin.get(`/accounts?description=${tag}&limit=500`)).body.data) {
      assert.equal((await admin.del(`/accounts/${a.id}`)).status, 204);
    }
  });

  test('export is a permission of its own and sees only exportable records', async () => {
    // sales: read = team, export = own
    const list = await rep.get('/accounts');
    assert.ok(list.body.data.some((a) => a.name === 'Peer Co'));
    const rows = parseCsv((await getBytes(rep, '/accounts/export?headers=keys')).body.toString('utf8'));
    assert.deepEqual(rows.slice(1).map((x) => x[rows[0].indexOf('name')]), ['Rep Own Co']);
    await createUser(admin, { username: 'ro-export', role: 'readonly' });
    const ro = await login(srv.base, 'ro-export', 'password-123');
    assertProblem(await ro.get('/accounts/export'), 403);
    assertProblem(await admin.get('/accounts/export?limit=10'), 400);
    assertProblem(await admin.get('/accounts/export?format=pdf'), 400);
    assertProblem(await admin.get('/accounts/export?format=vcf'), 400);
    assertProblem(await admin.get('/accounts/export?shoe_size=3'), 400);
    assertProblem(await admin.get('/accounts/export?headers=names'), 400);
    assertProblem(await admin.get('/nothing/export'), 404);
    assert.equal(repAccount.owner_id, rep.user.id);
  });

  test('XLSX export opens in a real reader with typed cells', async () => {
    const r = await getBytes(admin, '/accounts/export?format=xlsx&sort=name&headers=keys');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body);
    const ws = wb.worksheets[0];
    const header = ws.getRow(1).values.slice(1);
    assert.equal(header[0], 'name');
    const names = [];
    ws.eachRow((row, i) => { if (i > 1) names.push(row.getCell(1).value); });
    assert.deepEqual(names, ['\'=HYPERLINK("http://evil")', 'Big Customer', 'Peer Co', 'Rep Own Co']);
    const rev = header.indexOf('annual_revenue') + 1;
    assert.equal(ws.getRow(3).getCell(rev).value, 99999.99);
    assert.equal(typeof ws.getRow(3).getCell(rev).value, 'number');
    assert.equal(ws.getRow(3).getCell(rev).numFmt, '#,##0.00');
  });

  test('vCard export parses with ical.js', async () => {
    const acc = await create(admin, 'accounts', { name: '上海华信科技有限公司' });
    await create(admin, 'contacts', {
      first_name: '伟', last_name: '王', email: 'wei@example.com', phone_work: '+86 21 5555 0100',
      account_id: acc.id, title: 'Director, Sales; East', birthday: '1985-04-12', city: '上海',
      description: 'line one\nline two ' + 'long '.repeat(30),
    });
    const r = await getBytes(admin, '/contacts/export?format=vcf&last_name=王');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/vcard/);
    const text = r.body.toString('utf8');
    for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
    const comp = new ICAL.Component(ICAL.parse(text));
    assert.equal(comp.name, 'vcard');
    assert.equal(comp.getFirstPropertyValue('version'), '4.0');
    // A Chinese name reads family name first, without a space.
    assert.equal(comp.getFirstPropertyValue('fn'), '王伟');
    assert.deepEqual(comp.getFirstPropertyValue('n'), ['王', '伟', '', '', '']);
    assert.equal(comp.getFirstPropertyValue('email'), 'wei@example.com');
    assert.equal(comp.getFirstPropertyValue('title'), 'Director, Sales; East');
    assert.deepEqual(comp.getFirstPropertyValue('org'), '上海华信科技有限公司');
    assert.match(comp.getFirstPropertyValue('note'), /^line one\nline two long/);
  });

  test('vCard FN: Western names "First Last", Chinese ones family name first, one part alone', async () => {
    await create(admin, 'contacts', { first_name: 'Anna', last_name: 'Vcardberg' });
    await create(admin, 'contacts', { first_name: '小明', last_name: '李' });
    await create(admin, 'contacts', { first_name: 'Ming', last_name: '李' });
    await create(admin, 'contacts', { last_name: 'Onlylastvc' });
    const fn = async (q) => {
      const r = await getBytes(admin, `/contacts/export?format=vcf&${q}`);
      assert.equal(r.status, 200);
      // One card parses to a component, several to a list of them.
      const parsed = ICAL.parse(r.body.toString('utf8'));
      const cards = (typeof parsed[0] === 'string' ? [parsed] : parsed).map((j) => new ICAL.Component(j));
      return cards.map((c) => c.getFirstPropertyValue('fn')).sort();
    };
    assert.deepEqual(await fn('last_name=Vcardberg'), ['Anna Vcardberg']);
    assert.deepEqual(await fn(`last_name=${encodeURIComponent('李')}`), ['李Ming', '李小明']);
    assert.deepEqual(await fn('last_name=Onlylastvc'), ['Onlylastvc']);
  });

  test('the calendar feed is iCalendar for the token\'s user', async () => {
    const t = await admin.post('/tokens', { name: 'calendar' });
    const start = new Date(Date.now() + 86400000);
    start.setUTCMinutes(0, 0, 0);
    const end = new Date(start.getTime() + 3600000);
    await create(admin, 'activities', { type: 'meeting', subject: 'Quarterly review, 季度评审', start_at: start.toISOString(), end_at: end.toISOString(), location: 'Room 1' });
    await create(rep, 'activities', { type: 'meeting', subject: 'Not for admin', start_at: start.toISOString(), end_at: end.toISOString() });
    const r = await fetch(`${srv.base}/api/v1/calendar.ics?token=${encodeURIComponent(t.body.token)}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    const cal = new ICAL.Component(ICAL.parse(await r.text()));
    assert.equal(cal.name, 'vcalendar');
    const events = cal.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    assert.deepEqual(events.map((e) => e.summary), ['Quarterly review, 季度评审']);
    assert.equal(events[0].startDate.toJSDate().getTime(), start.getTime());
    assert.equal(events[0].endDate.toJSDate().getTime(), end.getTime());
    assert.equal(events[0].location, 'Room 1');
    assertProblem(await new Client(srv.base).get('/calendar.ics?token=rpt_nope'), 401);
    assertProblem(await new Client(srv.base).get('/calendar.ics'), 401);
  });
});

// The columns an export gives a reference's (and the owner's) ids, by their header
// under labels in one language: they differ from one database to another.
async function idHeaders(client, res, zh) {
  const e = (await client.get('/meta')).body.entities.find((x) => x.name === res);
  const label = (f) => (zh && f.label_zh) || f.label;
  const refs = e.fields.filter((f) => f.ref);
  return new Set([...refs.map((f) => `${label(f)} ID`), zh ? '负责人 ID' : 'Owner ID']);
}

// An exported CSV without the columns named in `drop`.
function withoutColumns(text, drop) {
  const rows = parseCsv(text);
  const keep = rows[0].map((h, i) => (drop.has(h) ? -1 : i)).filter((i) => i >= 0);
  return rows.map((r) => keep.map((i) => r[i]));
}

describe('round trip', () => {
  // People's exports (labels, in English and in Chinese) import into an empty database
  // and export again the same, but for the ids, which are the new database's: the
  // contacts find their accounts there by name.
  test('export with labels → import into an empty database → the same export, in English and Chinese', async () => {
    const a = await startServer();
    const b = await startServer();
    const c = await startServer();
    try {
      const src = await loginAdmin(a.base);
      const acc = await create(src, 'accounts', { name: 'Acme, "The" Company', type: 'customer', industry: 'retail', annual_revenue: '1234.56', phone: '+1 415 555 0100', description: 'multi\nline' });
      await create(src, 'accounts', { name: '深圳新宇物流有限公司', type: 'partner', tax_id: '91440300MA5F', parent_id: acc.id });
      await create(src, 'contacts', { first_name: 'Ann', last_name: '=Lee', account_id: acc.id, email: 'ann@example.com', birthday: '1990-02-28', do_not_call: true, lead_source: 'web' });
      await create(src, 'contacts', { last_name: '张伟', phone_mobile: '13800138000', title: '@home -x' });
      for (const [server, locale] of [[b, 'en'], [c, 'zh-CN']]) {
        const dst = await loginAdmin(server.base);
        for (const client of [src, dst]) {
          assert.equal((await client.patch('/auth/me', { locale })).status, 200);
        }
        for (const res of ['accounts', 'contacts']) {
          const out1 = (await getBytes(src, `/${res}/export`)).body.toString('utf8');
          assert.ok(parseCsv(out1)[0].includes(locale === 'en' ? 'Owner' : '负责人'), out1);
          const job = await runImport(dst, `entity=${res}`, out1);
          assert.equal(job.status, 'done', JSON.stringify(job));
          assert.equal(job.rows_failed, 0, JSON.stringify(job.errors));
          assert.equal(job.rows_imported, parseCsv(out1).length - 1);
          const out2 = (await getBytes(dst, `/${res}/export`)).body.toString('utf8');
          const ids = await idHeaders(src, res, locale !== 'en');
          assert.deepEqual(withoutColumns(out2, ids), withoutColumns(out1, ids), `${res} round trip (${locale})`);
        }
        const ann = (await dst.get('/contacts?email=ann@example.com')).body.data[0];
        const acme = (await dst.get(`/accounts/${ann.account_id}`)).body;
        assert.equal(acme.name, 'Acme, "The" Company');
        const sz = (await dst.get('/accounts?type=partner')).body.data[0];
        assert.equal(sz.parent_id, acme.id, 'a reference to the same entity finds its record too');
      }
    } finally {
      await a.stop();
      await b.stop();
      await c.stop();
    }
  });

  test('export → import into an empty database → export gives identical CSV (keys, no references)', async () => {
    const a = await startServer();
    const b = await startServer();
    try {
      const src = await loginAdmin(a.base);
      await create(src, 'accounts', { name: 'Acme, "The" Company', type: 'customer', industry: 'retail', annual_revenue: '1234.56', phone: '+1 415 555 0100', description: 'multi\nline' });
      await create(src, 'contacts', { first_name: 'Ann', last_name: '=Lee', email: 'ann@example.com', birthday: '1990-02-28', do_not_call: true, lead_source: 'web' });
      const dst = await loginAdmin(b.base);
      for (const res of ['accounts', 'contacts']) {
        const out1 = (await getBytes(src, `/${res}/export?headers=keys`)).body;
        const job = await runImport(dst, `entity=${res}`, out1);
        assert.equal(job.rows_failed, 0, JSON.stringify(job.errors));
        const out2 = (await getBytes(dst, `/${res}/export?headers=keys`)).body.toString('utf8');
        const ids = new Set(['owner_id']);
        assert.deepEqual(withoutColumns(out2, ids), withoutColumns(out1.toString('utf8'), ids), `${res} round trip`);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('exports people can read', () => {
  let srv, admin, lin, rep, acme, twin, meta;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const team = await createTeam(admin, 'Readers');
    await createUser(admin, { username: 'lin', role: 'admin', display_name: '林经理' });
    lin = await login(srv.base, 'lin', 'password-123');
    // The user's own language, as the UI's language menu saves it.
    assert.equal((await lin.patch('/auth/me', { locale: 'zh-CN' })).status, 200);
    await createUser(admin, { username: 'rep-read', role: 'sales', team_ids: [team.id] });
    rep = await login(srv.base, 'rep-read', 'password-123');
    acme = await create(admin, 'accounts', { name: 'Acme 上海' });
    await create(admin, 'accounts', { name: 'Twin Co' });
    twin = await create(admin, 'accounts', { name: 'Twin Co' });
    await create(admin, 'contacts', { first_name: 'Ann', last_name: 'Zhou', account_id: acme.id, email: 'zhou@example.com' });
    await create(admin, 'contacts', { first_name: 'Bo', last_name: 'Twin', account_id: twin.id, email: 'twin@example.com' });
    // The rep's own contact, at an account they may not read (it is not their team's).
    await create(admin, 'contacts', { last_name: 'RepOwn', account_id: acme.id, owner_id: rep.user.id });
    meta = (await admin.get('/meta')).body;
  });
  after(async () => { await srv.stop(); });

  test('/meta carries the Chinese label of every built-in entity and field, and of the owner', async () => {
    for (const e of meta.entities) {
      assert.ok(e.label_zh && e.label_plural_zh, `${e.name} has Chinese labels`);
      for (const f of e.fields) assert.ok(f.label_zh, `${e.name}.${f.name} has a Chinese label`);
    }
    const owner = meta.system_fields.find((f) => f.name === 'owner_id');
    assert.deepEqual([owner.label, owner.label_zh, owner.ref], ['Owner', '负责人', 'users']);
    assert.equal(meta.entities.find((e) => e.name === 'contacts').fields.find((f) => f.name === 'account_id').label_zh, '客户');
  });

  test('headers: labels in the user\'s language, or keys; the owner and referenced records named next to their ids', async () => {
    const get = async (client, q) => parseCsv((await getBytes(client, `/contacts/export?last_name=Zhou${q}`)).body.toString('utf8'));
    const en = await get(admin, '');
    const zh = await get(lin, '');
    const keys = await get(lin, '&headers=keys');
    const contacts = meta.entities.find((e) => e.name === 'contacts');
    // Every field, in field order; a reference's ids then its names; the owner last.
    const want = (label, idSuffix) => [...contacts.fields.flatMap((f) => (f.ref ? [idSuffix(label(f)), label(f)] : [label(f)])),
      idSuffix(label(meta.system_fields.find((f) => f.name === 'owner_id'))), label(meta.system_fields.find((f) => f.name === 'owner_id'))];
    assert.deepEqual(en[0], want((f) => f.label, (l) => `${l} ID`));
    assert.deepEqual(zh[0], want((f) => f.label_zh, (l) => `${l} ID`));
    assert.deepEqual(keys[0], [...contacts.fields.flatMap((f) => (f.ref ? [f.name, `${f.name}.name`] : [f.name])), 'owner_id', 'owner_id.name']);
    assert.ok(en[0].includes('Last name') && zh[0].includes('姓') && zh[0].includes('客户 ID') && zh[0].includes('负责人'));
    // Only the header row differs.
    assert.deepEqual(zh.slice(1), en.slice(1));
    assert.deepEqual(keys.slice(1), en.slice(1));
    assert.equal(en.length, 2);
    const row = Object.fromEntries(en[0].map((h, i) => [h, en[1][i]]));
    const me = (await admin.get('/auth/me')).body.user;
    assert.equal(row['Account ID'], acme.id);
    assert.equal(row.Account, 'Acme 上海');
    assert.equal(row['Owner ID'], admin.user.id);
    assert.equal(row.Owner, me.display_name || me.username);
    assert.ok(row.Owner.length > 0);
    // The owner's display name, in any language; a user without one by username.
    await create(lin, 'contacts', { last_name: 'LinOwn' });
    const lr = parseCsv((await getBytes(lin, '/contacts/export?last_name=LinOwn&headers=keys')).body.toString('utf8'));
    assert.equal(lr[1][lr[0].indexOf('owner_id.name')], '林经理');
    assert.equal(lr[1][lr[0].indexOf('owner_id')], lin.user.id);
  });

  test('a referenced record the user may not read shows its id, not its name', async () => {
    assert.equal((await rep.get(`/accounts/${acme.id}`)).status, 404);
    const rows = parseCsv((await getBytes(rep, '/contacts/export?headers=keys')).body.toString('utf8'));
    assert.equal(rows.length, 2);
    const row = Object.fromEntries(rows[0].map((h, i) => [h, rows[1][i]]));
    assert.equal(row.last_name, 'RepOwn');
    assert.equal(row.account_id, acme.id);
    assert.equal(row['account_id.name'], '');
    assert.equal(row.owner_id, rep.user.id);
    assert.equal(row['owner_id.name'], 'rep-read');
  });

  test('XLSX: labelled header row, frozen, with filter buttons over the data', async () => {
    const r = await getBytes(lin, '/contacts/export?format=xlsx&sort=last_name');
    assert.equal(r.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body);
    const ws = wb.worksheets[0];
    assert.equal(ws.name, '联系人');
    const head = ws.getRow(1).values.slice(1);
    assert.equal(head[0], '称呼');
    assert.ok(head.includes('客户 ID') && head.includes('客户') && head.includes('负责人'));
    const n = (await lin.get('/contacts?count=true')).body.total;
    assert.equal(ws.rowCount, n + 1);
    assert.equal(ws.views[0].state, 'frozen');
    assert.equal(ws.views[0].ySplit, 1);
    assert.equal(ws.views[0].xSplit ?? 0, 0);
    const lastCol = ws.getRow(1).getCell(head.length).address.replace(/\d+$/, '');
    assert.equal(ws.autoFilter, `A1:${lastCol}${n + 1}`);
    const names = [];
    ws.eachRow((row, i) => { if (i > 1) names.push(row.getCell(head.indexOf('客户') + 1).value); });
    assert.ok(names.includes('Acme 上海'), JSON.stringify(names));
    // Keys: the same columns, the entity's name for the sheet.
    const k = new ExcelJS.Workbook();
    await k.xlsx.load((await getBytes(lin, '/contacts/export?format=xlsx&headers=keys')).body);
    assert.equal(k.worksheets[0].name, 'contacts');
    assert.equal(k.worksheets[0].getRow(1).values.length, ws.getRow(1).values.length);
    assert.equal(k.worksheets[0].autoFilter, ws.autoFilter);
  });

  test('a labelled export imports back into its own database by id, in English and Chinese', async () => {
    // Two accounts are called Twin Co: a name cannot tell them apart, the id does.
    for (const [client, tag] of [[admin, 'en'], [lin, 'zh']]) {
      const csv = (await getBytes(client, '/contacts/export?email=twin@example.com&sort=created_at')).body;
      const before = (await admin.get('/contacts?email=twin@example.com&count=true')).body.total;
      const job = await runImport(client, 'entity=contacts&on_duplicate=create', csv);
      assert.equal(job.status, 'done', JSON.stringify(job));
      assert.equal(job.rows_failed, 0, `${tag}: ${JSON.stringify(job.errors)}`);
      assert.equal(job.rows_imported, before);
      const all = (await admin.get('/contacts?email=twin@example.com&limit=100')).body.data;
      assert.equal(all.length, 2 * before);
      for (const c of all) assert.equal(c.account_id, twin.id, tag);
    }
  });
});

describe('cli', () => {
  test('rapport import and export work on a database file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-cli-'));
    try {
      const db = freshDb(dir);
      const env = { ...process.env, RAPPORT_ADMIN_PASSWORD: ADMIN_PASSWORD };
      const csv = path.join(dir, 'c.csv');
      writeFileSync(csv, 'Name,Email,Notes\nAnn Lee,ann@example.com,"=2+3"\nBad,nope,\n');
      const run = (args) => spawnSync(BIN, args, { env, encoding: 'utf8' });
      let r = run(['import', 'contacts', csv, '--db', db, '--dry-run']);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stdout, /dry run \(nothing committed\) contacts: 2 rows, 1 imported/);
      assert.match(r.stdout, /line 3, email: is not a valid e-mail address/);
      assert.match(r.stderr, /import: 2\/2 rows \(100%\)/); // plain progress lines off a terminal
      r = run(['import', 'contacts', csv, '--db', db, '--map', 'Notes=description']);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stdout, /1 imported/);
      r = run(['import', 'contacts', csv, '--db', db]);
      assert.match(r.stdout, /0 imported \(0 updated\), 1 skipped/);
      const out = path.join(dir, 'out.csv');
      r = run(['export', 'contacts', '--db', db, '--filter', 'last_name[like]=L*', '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      const rows = parseCsv(readFileSync(out, 'utf8'));
      assert.equal(rows.length, 2);
      // Scripts read the CLI's exports: keys by default, labels when asked.
      assert.equal(rows[0][0], 'salutation');
      assert.equal(rows[1][rows[0].indexOf('description')], '\'=2+3');
      assert.equal(rows[1][rows[0].indexOf('owner_id.name')], 'Administrator');
      r = run(['export', 'contacts', '--db', db, '--filter', 'last_name[like]=L*', '--headers', 'labels']);
      assert.equal(r.status, 0, r.stderr);
      const labelled = parseCsv(r.stdout);
      assert.deepEqual(labelled.slice(1), rows.slice(1));
      assert.ok(labelled[0].includes('Description') && labelled[0].includes('Account ID') && labelled[0].includes('Owner'), labelled[0].join());
      r = run(['export', 'contacts', '--db', db, '--headers', 'fancy']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--headers takes keys or labels/);
      r = run(['export', 'contacts', '--db', db, '--format', 'xlsx']);
      assert.equal(r.status, 2);
      r = run(['import', 'users', csv, '--db', db]);
      assert.equal(r.status, 2);
      r = run(['import', 'contacts', path.join(dir, 'missing.csv'), '--db', db]);
      assert.equal(r.status, 1);
      writeFileSync(csv, 'last_name\n"open\n');
      r = run(['import', 'contacts', csv, '--db', db]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /nothing was imported/);
    } finally {
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
