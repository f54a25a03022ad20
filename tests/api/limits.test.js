// Requests at the edges of the limits get a clear 4xx, never a 500 or a partial query.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  BIN, PG, assertProblem, create, createTeam, createUser, dbQuery, listAll, login, loginAdmin, runImport,
  startServer, uniq,
} from './helpers.js';

describe('query limits', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('60 in-filters of 100 values each → 400 "too complex" or results, never 500', async () => {
    const params = [];
    for (let f = 0; f < 60; f++) {
      const vals = Array.from({ length: 100 }, (_, i) => `v${f}x${i}`).join(',');
      params.push(`name[in]=${vals}`);
    }
    const r = await admin.get(`/accounts?${params.join('&')}`);
    assert.ok(r.status === 400 || r.status === 200 || r.status === 414 || r.status === 431, `status ${r.status}`);
    assert.notEqual(r.status, 500);
    if (r.status === 200) assert.equal(r.body.data.length, 0, 'no account has those names');
  });

  test('the write-only password cannot be filtered or sorted on', async () => {
    assertProblem(await admin.get('/users?password[null]=false'), 400);
    assertProblem(await admin.get('/users?password=x'), 400);
    assertProblem(await admin.get('/users?sort=password'), 400);
  });

  test('long text and web addresses are not sort keys', async () => {
    assertProblem(await admin.get('/accounts?sort=description'), 400);
    assertProblem(await admin.get('/accounts?sort=website'), 400);
  });

  test('a sum beyond 64 bits → 400, not 500', async () => {
    const big = '92233720368547.00';
    const tag = uniq('sum');
    for (let i = 0; i < 1002; i += 1) {
      // The limit per value is INT64_MAX/1000 minor units: about 1,001 of them overflow.
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      const r = await admin.post('/accounts', { name: `${tag}-${i}`, annual_revenue: big, tax_id: tag });
      assert.equal(r.status, 201, r.text);
    }
    const r = await admin.get(`/accounts?tax_id=${tag}&sum=annual_revenue`);
    assertProblem(r, 400);
    // With more than 500 rows, a larger limit is clamped to 500 and paging goes on.
    const page = await admin.get(`/accounts?tax_id=${tag}&limit=100000`);
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.data.length, 500);
    assert.equal(typeof page.body.next_cursor, 'string');
  });

  test('a page of records at the longest text ends early with a cursor; paging finds them all', async () => {
    // 70 descriptions of 65,536 four-byte characters (256 KiB each): a page stops
    // once its rows hold 16 MiB of text (RP_MAX_PAGE_TEXT), so 500 such records
    // never make an answer past the server's response limit.
    const tag = uniq('fat');
    const rows = Array.from({ length: 70 }, (_, i) => `${tag} ${String(i).padStart(2, '0')},${'😀'.repeat(65536)}`);
    const job = await runImport(admin, 'entity=accounts&on_duplicate=create', `name,description\n${rows.join('\n')}\n`);
    assert.equal(job.rows_imported, 70, JSON.stringify(job));
    const first = await admin.get(`/accounts?name[like]=${tag}*&sort=name&limit=500`);
    assert.equal(first.status, 200, first.text.slice(0, 300));
    assert.equal(first.body.data.length, 64);
    assert.equal(first.body.data[63].description, '😀'.repeat(65536));
    assert.equal(typeof first.body.next_cursor, 'string');
    const all = await listAll(admin, 'accounts', `name[like]=${tag}*&sort=name&limit=500`);
    assert.equal(all.pages, 2);
    assert.deepEqual(all.data.map((a) => a.name), rows.map((r) => r.split(',')[0]));
  });

  test('team scope holds with a large team (one subquery, not one parameter per member)', async () => {
    const team = await createTeam(admin, uniq('big'));
    const mgrName = uniq('mgr');
    await createUser(admin, { username: mgrName, role: 'manager', team_ids: [team.id] });
    const repName = uniq('rep');
    const rep = await createUser(admin, { username: repName, role: 'sales', team_ids: [team.id] });
    const repClient = await login(srv.base, repName, 'password-123');
    const acct = await create(repClient, 'accounts', { name: uniq('team-acct') });
    const mgr = await login(srv.base, mgrName, 'password-123');
    const r = await mgr.get(`/accounts?owner_id=${rep.id}&count=true`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.total, 1);
    assert.equal(r.body.data[0].id, acct.id);
    // Deleting the team ends the shared scope.
    assert.equal((await admin.del(`/teams/${team.id}`)).status, 204);
    assertProblem(await mgr.get(`/accounts/${acct.id}`), 404);
  });
});

describe('public URL', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--public-url', 'https://crm.example.com'] }); });
  after(async () => { await srv.stop(); });

  test('an https public URL makes the session cookie Secure', async () => {
    const c = await loginAdmin(srv.base);
    assert.match(c.lastSetCookie, /;\s*Secure/i);
    assert.match(c.lastSetCookie, /HttpOnly/);
    assert.match(c.lastSetCookie, /SameSite=Lax/);
  });
});

describe('statement time limit', () => {
  // A like pattern of 197 a's then a b, over descriptions of 60,000 a's and a b, is
  // tried at every place of every description: about 12 million character comparisons
  // a row. (The b is there so the full-text index, which finds the pattern's words,
  // cannot rule the rows out.) Any user may send it; the server stops such a query at
  // its time limit.
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({ args: ['--statement-timeout', '100'] });
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('a query past --statement-timeout → 503 problem; the server and writes go on', async () => {
    const tag = uniq('slow');
    const rows = Array.from({ length: 100 }, (_, i) => `${tag} ${i},${'a'.repeat(60000)}b`);
    const job = await runImport(admin, 'entity=accounts&on_duplicate=create', `name,description\n${rows.join('\n')}\n`);
    assert.equal(job.rows_imported, 100, JSON.stringify(job));
    const slow = `/accounts?name[like]=${tag}*&description[like]=*${'a'.repeat(197)}b*&count=true`;
    const p = assertProblem(await admin.get(slow), 503);
    assert.match(p.detail, /ran longer than 100 ms and was stopped/);

    // The server goes on: the threads that stopped a query answer, and writes work.
    for (let i = 0; i < 4; i++) {
      const r = await admin.get(`/accounts?name[like]=${tag}*&count=true&limit=1`);
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.equal(r.body.total, 100);
    }
    await create(admin, 'accounts', { name: `${tag} after`, description: 'a'.repeat(60000) });
    const all = await admin.get(`/accounts?name[like]=${tag}*&count=true&limit=1`);
    assert.equal(all.body.total, 101);
    // A write lifts the limit for its own transaction only: reads after it are
    // limited again (PostgreSQL: SET LOCAL, not SET).
    assertProblem(await admin.get(slow), 503);
  });

  test('PostgreSQL: a query cancelled by the database before the limit is busy, not slow', { skip: !PG }, async () => {
    const tag = uniq('cancel');
    const rows = Array.from({ length: 400 }, (_, i) => `${tag} ${i},${'a'.repeat(60000)}`);
    const job = await runImport(admin, 'entity=accounts&on_duplicate=create', `name,description\n${rows.join('\n')}\n`);
    assert.equal(job.rows_imported, 400, JSON.stringify(job));
    const other = await startServer({ dir: srv.dir, keepDir: true, args: ['--statement-timeout', '60000'] });
    try {
      const client = await loginAdmin(other.base);
      const answer = client.get(`/accounts?name[like]=${tag}*&description[like]=*${'a'.repeat(197)}b*&count=true`);
      let cancelled = '';
      for (let i = 0; i < 100 && cancelled !== 't'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        cancelled = dbQuery(srv.dir, 'SELECT pg_cancel_backend(pid) FROM pg_stat_activity'
          + " WHERE state = 'active' AND query LIKE '%description%LIKE%' AND pid <> pg_backend_pid()");
      }
      assert.equal(cancelled, 't', 'the slow query was seen running');
      const p = assertProblem(await answer, 503);
      assert.equal(p.detail, 'the database is busy, try again');
    } finally {
      await other.stop();
    }
  });

  test('a like pattern over 200 characters → 400', async () => {
    const r = await admin.get(`/accounts?description[like]=*${'a'.repeat(200)}*`);
    assert.match(assertProblem(r, 400).detail, /like patterns are at most 200 characters/);
  });

  test('--statement-timeout takes milliseconds from 0 to 3600000', () => {
    for (const bad of ['-1', 'soon', '3600001']) {
      const r = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--statement-timeout', bad],
        { encoding: 'utf8', timeout: 10000 });
      assert.equal(r.status, 2, `--statement-timeout ${bad}`);
      assert.match(r.stderr, /--statement-timeout takes milliseconds/);
    }
  });
});
