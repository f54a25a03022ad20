// Concurrency (issue 7 item 2): 100 PATCHes of one record sent at once with the same
// If-Match → exactly one 200 and 99 412, nothing lost; SQLITE_BUSY never reaches a
// client, even while another process holds the database's write lock for a while.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { create, loginAdmin, startServer } from '../api/helpers.js';
import { sql } from './db.js';

describe('concurrency', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('100 concurrent PATCHes with the same If-Match: one 200, 99 412', async () => {
    const acct = await create(admin, 'accounts', { name: 'contended' });
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      admin.patch(`/accounts/${acct.id}`, { description: `writer ${i}` }, { headers: { 'if-match': '"1"' } })));
    const by = {};
    for (const r of rs) by[r.status] = (by[r.status] || 0) + 1;
    assert.deepEqual(by, { 200: 1, 412: 99 }, JSON.stringify(by));
    const winner = rs.find((r) => r.status === 200).body;
    const now = await admin.get(`/accounts/${acct.id}`);
    assert.equal(now.body.version, 2);
    assert.equal(now.body.description, winner.description, 'the winner is what is stored');
    const h = await admin.get(`/accounts/${acct.id}/history`);
    assert.equal(h.body.data.filter((x) => x.action === 'update').length, 1, 'one change audited');
    // Then 100 PATCHes without If-Match: every one applies, none is lost.
    const rs2 = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      admin.patch(`/accounts/${acct.id}`, { description: `blind ${i}` })));
    assert.ok(rs2.every((r) => r.status === 200), rs2.map((r) => r.status).join(','));
    assert.equal((await admin.get(`/accounts/${acct.id}`)).body.version, 102);
  });

  test('another process holding the write lock: writers wait, never see SQLITE_BUSY', async () => {
    const db = path.join(srv.dir, 'rapport.db');
    // The sqlite3 shell takes the write lock and keeps it for 1.5 s.
    const holder = spawn('sqlite3', [db], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    holder.stderr.on('data', (d) => { err += d; });
    holder.stdin.write("BEGIN IMMEDIATE; INSERT INTO login_throttle VALUES ('lock-holder', 0, 0);\n");
    await new Promise((r) => setTimeout(r, 300));
    const writes = Promise.all(Array.from({ length: 20 }, (_, i) => admin.post('/accounts', { name: `while locked ${i}` })));
    await new Promise((r) => setTimeout(r, 1200));
    holder.stdin.end('COMMIT;\n');
    await new Promise((r) => holder.on('exit', r));
    assert.equal(err, '', 'the lock holder ran');
    const rs = await writes;
    assert.deepEqual([...new Set(rs.map((r) => r.status))], [201], rs.map((r) => r.text).find((t) => !t.includes('"id"')));
    assert.equal(sql(db, "SELECT count(*) AS n FROM accounts WHERE name LIKE 'while locked %'")[0].n, 20);
  });
});
