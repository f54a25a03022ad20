// rapport migrate: a demo company on SQLite moves to PostgreSQL, verified table by
// table, and the server on PostgreSQL then answers exactly as the one on SQLite did:
// same records, same orders (byte-wise collation), same search hits, same history.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, PG, dropDb, freshDb, login, startServer } from '../api/helpers.js';

const env = { ...process.env, RAPPORT_ADMIN_PASSWORD: 'admin-pass-123' };

async function snapshot(base) {
  const bob = await login(base, 'bob', 'demo-pass-123');
  const admin = await login(base, 'admin', 'admin-pass-123');
  const ids = async (c, q) => {
    const r = await c.get(q);
    assert.equal(r.status, 200, r.text);
    return r.body.data.map((x) => x.id);
  };
  const first = (await admin.get('/accounts?sort=name&limit=1')).body.data[0];
  return {
    byName: await ids(admin, '/accounts?sort=name&limit=200'),
    byRevenue: await ids(admin, '/accounts?sort=-annual_revenue,name&limit=200'),
    contacts: await ids(admin, '/contacts?sort=last_name,first_name&limit=500'),
    bobSees: (await bob.get('/accounts?count=true&limit=1')).body.total,
    search: await ids(admin, '/accounts?q=有限公司&limit=200&sort=name'),
    searchAscii: await ids(admin, '/contacts?q=li&limit=500&sort=last_name'),
    pipeline: (await admin.get('/pipeline')).body,
    history: (await admin.get(`/accounts/${first.id}/history`)).body,
  };
}

describe('rapport migrate', { skip: !PG && 'needs RAPPORT_TEST_PG' }, () => {
  test('copies a whole workspace from SQLite to PostgreSQL and verifies it', async () => {
    const from = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-mig-'));
    const to = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-mig-'));
    const src = `sqlite:${path.join(from, 'rapport.db')}`;
    try {
      execFileSync(BIN, ['demo', '--db', src], { env, encoding: 'utf8' });
      fs.writeFileSync(path.join(from, 'db-url'), src); // startServer serves this one
      const sq = await startServer({ dir: from, keepDir: true });
      const before = await snapshot(sq.base);
      await sq.stop();

      const dst = freshDb(to); // a new, empty PostgreSQL database
      const out = execFileSync(BIN, ['migrate', '--from', src, '--to', dst], { env, encoding: 'utf8' });
      assert.match(out, /migrated and verified/);
      for (const t of ['accounts', 'contacts', 'users', 'teams', 'audit_log', 'dedup_keys', 'phone_keys', 'sessions', 'api_tokens'])
        assert.match(out, new RegExp(`^${t} .* verified$`, 'm'), out);
      assert.doesNotMatch(out, /MISMATCH/);
      assert.match(out, /^accounts\s+search\s+200 rows/m);

      // Into a database that holds records: refused, nothing changes.
      const again = spawnSync(BIN, ['migrate', '--from', src, '--to', dst], { env, encoding: 'utf8' });
      assert.equal(again.status, 1);
      assert.match(again.stderr, /already holds records/);

      const pg = await startServer({ dir: to, keepDir: true });
      try {
        const after = await snapshot(pg.base);
        assert.deepEqual(after, before);
        // The phone keys came with the data, made in the same country: none rebuilt.
        assert.doesNotMatch(pg.stderr(), /writing the phone keys/);
        assert.equal(after.byName.length, 200);
        assert.ok(after.search.length > 0 && after.searchAscii.length > 0);
        assert.ok(after.history.data?.length > 0 || after.history.length > 0);
      } finally {
        await pg.stop();
      }
    } finally {
      dropDb(to);
      fs.rmSync(from, { recursive: true, force: true });
      fs.rmSync(to, { recursive: true, force: true });
    }
  });

  test('bad arguments are refused', () => {
    const r = spawnSync(BIN, ['migrate', '--from', 'sqlite:/nonexistent-dir/x.db'], { env, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: rapport migrate/);
    const same = spawnSync(BIN, ['migrate', '--from', 'sqlite:a.db', '--to', 'sqlite:a.db'], { env, encoding: 'utf8' });
    assert.equal(same.status, 2);
  });
});
