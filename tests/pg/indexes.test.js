// PostgreSQL indexes order NULLs as the lists do (first ascending, last descending, as
// SQLite): a list of one name walks contacts__list in order and stops after its page,
// instead of reading every contact of that name and sorting them. A database made by
// an earlier version gets its indexes rebuilt so at the next start. The search
// tables' text keeps finer statistics, so the planner knows how many rows a term
// matches. Runs in the PostgreSQL pass (make pg-test).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { PG, create, dbQuery, dropDb, loginAdmin, startServer, uniq } from '../api/helpers.js';

// Non-unique indexes of a table with their definitions, one per line.
const indexes = (dir, table) => dbQuery(dir, 'SELECT indexname || \' \' || indexdef FROM pg_indexes'
  + ` WHERE tablename = '${table}' AND indexdef LIKE 'CREATE INDEX %' ORDER BY 1`).split('\n');

// The plan of a list page of one last name in the engine's order (crm/query.c writes
// every sort key's NULL placement), with the table scans that would hide a sort off.
const listPlan = (dir) => dbQuery(dir, 'SET enable_seqscan = off; SET enable_bitmapscan = off;'
  + " EXPLAIN SELECT * FROM contacts t WHERE t.last_name = 'Lee'"
  + ' ORDER BY t.first_name NULLS FIRST, t.seq NULLS FIRST LIMIT 21');

// The plans auto_explain logged to the cluster's log after byte `from`, each with its
// query text: only a database the test set up so logs them.
const loggedPlans = (from) => readFileSync(path.join(PG, 'postgres.log'), 'utf8')
  .slice(from).split(/LOG: {2}duration: /).slice(1);

// The statistics target of a search table's text (pg_schema.c, FTS_STATISTICS).
const ftsTarget = (dir) => dbQuery(dir, 'SELECT attstattarget FROM pg_attribute'
  + " WHERE attrelid = 'contacts_fts'::regclass AND attname = 'body'");

describe('PostgreSQL index order and statistics', { skip: !PG && 'needs RAPPORT_TEST_PG' }, () => {
  test('every index of a record table is NULLS FIRST, so a list page needs no sort', async () => {
    let srv = await startServer({ keepDir: true });
    const { dir } = srv;
    try {
      const defs = indexes(dir, 'contacts');
      assert.ok(defs.length >= 10, defs.join('\n'));
      for (const d of defs) assert.match(d, /NULLS FIRST/, d);
      let plan = listPlan(dir);
      assert.match(plan, /Index Scan using contacts__list/, plan);
      assert.doesNotMatch(plan, /Sort/, plan);

      // An earlier version's index, in the default order, is rebuilt at the next start.
      await srv.stop();
      dbQuery(dir, 'DROP INDEX contacts__list; CREATE INDEX contacts__list ON contacts'
        + ' (last_name, first_name, seq) INCLUDE (owner_id, workspace_id, deleted_at)');
      assert.match(listPlan(dir), /Sort/, 'the old order needs a sort');
      srv = await startServer({ dir, keepDir: true });
      const list = indexes(dir, 'contacts').find((d) => d.startsWith('contacts__list '));
      assert.match(list, /\(last_name NULLS FIRST, first_name NULLS FIRST, seq NULLS FIRST\)/, list);
      plan = listPlan(dir);
      assert.doesNotMatch(plan, /Sort/, plan);
    } finally {
      await srv.stop();
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the engine\'s list pages read contacts__list in its order, with no sort', async () => {
    // auto_explain logs the plan of every statement the server runs on this database;
    // with table scans off, the planner reads the list index and sorts its rows only
    // if the ORDER BY (crm/query.c) and the index order NULLs differently.
    let srv = await startServer({ keepDir: true });
    const { dir } = srv;
    try {
      const admin = await loginAdmin(srv.base);
      const tag = uniq('Order');
      for (let i = 0; i < 30; i++) {
        await create(admin, 'contacts', i % 5 ? { first_name: `F${i % 7}`, last_name: tag } : { last_name: tag });
      }
      await srv.stop();
      const db = readFileSync(path.join(dir, 'db-url'), 'utf8').match(/^postgresql:\/\/\/([^?]+)/)[1];
      for (const set of ["session_preload_libraries = 'auto_explain'", 'auto_explain.log_min_duration = 0',
        'enable_seqscan = off', 'enable_bitmapscan = off']) {
        dbQuery(dir, `ALTER DATABASE ${db} SET ${set}`);
      }
      const from = statSync(path.join(PG, 'postgres.log')).size;
      srv = await startServer({ dir, keepDir: true });
      const c = await loginAdmin(srv.base);
      for (const sort of ['first_name', '-first_name']) {
        const first = await c.get(`/contacts?last_name=${tag}&sort=${sort}&limit=10`);
        assert.equal(first.status, 200, first.text);
        const next = await c.get(`/contacts?last_name=${tag}&sort=${sort}&limit=10&cursor=${first.body.next_cursor}`);
        assert.equal(next.status, 200, next.text);
        assert.equal(first.body.data.length + next.body.data.length, 20);
      }
      const lists = loggedPlans(from).filter((p) => /FROM contacts t WHERE[^\n]*ORDER BY t\.first_name/.test(p));
      assert.ok(lists.length >= 4, `${lists.length} list plans logged`);
      for (const p of lists) {
        assert.match(p, /Index Scan (Backward )?using contacts__list/, p);
        assert.doesNotMatch(p, /Sort/, p);
      }
    } finally {
      await srv.stop();
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('search text has 1,000 statistics bins, also in a database of an earlier version', async () => {
    // With the default 100 the planner guessed 100 matches for a 3-letter term that
    // 14,849 contacts hold, and read and sorted them all (0.6 s at a million).
    let srv = await startServer({ keepDir: true });
    const { dir } = srv;
    try {
      assert.equal(ftsTarget(dir), '1000');
      await srv.stop();
      dbQuery(dir, 'ALTER TABLE contacts_fts ALTER COLUMN body SET STATISTICS -1');
      assert.equal(ftsTarget(dir), '-1');
      srv = await startServer({ dir, keepDir: true });
      assert.equal(ftsTarget(dir), '1000');
    } finally {
      await srv.stop();
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
