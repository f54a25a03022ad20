// Online backup (issue 7 item 3): `rapport backup FILE` while writers go on. The copy
// passes integrity_check, is one moment of the database (every account it holds has
// its audit rows, and it has every account acknowledged before the backup started),
// and an existing file is never overwritten.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BIN, loginAdmin, startServer } from '../api/helpers.js';
import { sql } from './db.js';

const run = promisify(execFile);

describe('rapport backup', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('a consistent, checked copy while 4 writers create accounts', async () => {
    const db = path.join(srv.dir, 'rapport.db');
    const copy = path.join(srv.dir, 'copy.db');
    const acked = [];
    let running = true;
    const writer = async (n) => {
      for (let i = 0; running; i++) {
        const r = await admin.post('/accounts', { name: `backup w${n} ${i}`, description: '数据 '.repeat(200) });
        assert.equal(r.status, 201, r.text);
        acked.push(r.body.id);
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 20));
    const before = acked.slice();
    const { stdout } = await run(BIN, ['backup', copy, '--db', `sqlite:${db}`]);
    const afterCount = acked.length;
    await new Promise((r) => setTimeout(r, 200));
    running = false;
    await Promise.all(writers);
    assert.match(stdout, /integrity ok/);
    assert.ok(!existsSync(copy + '.partial'), 'no partial file left');
    assert.ok(!existsSync(copy + '-wal'), 'the copy stands alone');
    assert.deepEqual(sql(copy, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    const ids = new Set(sql(copy, "SELECT id FROM accounts WHERE name LIKE 'backup w%'").map((r) => r.id));
    for (const id of before) assert.ok(ids.has(id), `account ${id}, acknowledged before the backup, is in the copy`);
    assert.ok(ids.size >= before.length && ids.size <= afterCount + 4, `${before.length} <= ${ids.size} <= ${afterCount + 4}`);
    // One moment: the audit log of the copy matches its records exactly.
    const audit = sql(copy, `SELECT count(DISTINCT record_id) AS n FROM audit_log WHERE entity = 'accounts' AND action = 'create'
      AND record_id IN (SELECT id FROM accounts)`)[0].n;
    const all = sql(copy, 'SELECT count(*) AS n FROM accounts')[0].n;
    const logged = sql(copy, "SELECT count(DISTINCT record_id) AS n FROM audit_log WHERE entity = 'accounts' AND action = 'create'")[0].n;
    assert.equal(audit, all);
    assert.equal(logged, all);
    // The copy is a working database: a server starts on it and finds the records.
    const s2 = await startServer({ args: ['--db', `sqlite:${copy}`] });
    try {
      const a2 = await loginAdmin(s2.base);
      const r = await a2.get(`/accounts/${before[0]}`);
      assert.equal(r.status, 200);
      const q = await a2.get('/accounts?q=数据&count=true&limit=1');
      assert.equal(q.body.total, all, 'full-text index copied with the rows');
    } finally {
      await s2.stop();
    }
  });

  test('an existing file is refused and left as it was; bad usage exits 2', async () => {
    const db = path.join(srv.dir, 'rapport.db');
    const file = path.join(srv.dir, 'precious.txt');
    writeFileSync(file, 'keep me');
    await assert.rejects(run(BIN, ['backup', file, '--db', `sqlite:${db}`]), (e) => e.code === 1 && /exists/.test(e.stderr));
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
    await assert.rejects(run(BIN, ['backup']), (e) => e.code === 2 && /usage/.test(e.stderr));
  });
});
