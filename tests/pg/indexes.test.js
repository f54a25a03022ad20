// PostgreSQL indexes order NULLs as the lists do (first ascending, last descending, as
// SQLite): a list of one name walks contacts__list in order and stops after its page,
// instead of reading every contact of that name and sorting them. A database made by
// an earlier version gets its indexes rebuilt so at the next start. The search
// tables' text keeps finer statistics, so the planner knows how many rows a term
// matches. Runs in the PostgreSQL pass (make pg-test).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { PG, dbQuery, dropDb, startServer } from '../api/helpers.js';

// Non-unique indexes of a table with their definitions, one per line.
const indexes = (dir, table) => dbQuery(dir, 'SELECT indexname || \' \' || indexdef FROM pg_indexes'
  + ` WHERE tablename = '${table}' AND indexdef LIKE 'CREATE INDEX %' ORDER BY 1`).split('\n');

// The plan of a list page of one last name in the engine's order (crm/query.c writes
// every sort key's NULL placement), with the table scans that would hide a sort off.
const listPlan = (dir) => dbQuery(dir, 'SET enable_seqscan = off; SET enable_bitmapscan = off;'
  + " EXPLAIN SELECT * FROM contacts t WHERE t.last_name = 'Lee'"
  + ' ORDER BY t.first_name NULLS FIRST, t.seq NULLS FIRST LIMIT 21');

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
