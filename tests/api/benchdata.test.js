// `rapport bench-data`: the benchmark's generator writes what it says, through the
// engine (the API reads it back, scoped by team), deterministically by seed, and
// refuses bad options and a database that already holds bench data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BIN, ADMIN_PASSWORD, startServer, login, loginAdmin, listAll, freshDb, dropDb, dbQuery, PG,
} from './helpers.js';

const COUNTS = { accounts: 12, contacts: 40, leads: 9, opportunities: 30, activities: 50 };

function generate(dir, seed) {
  const args = ['bench-data', '--db', freshDb(dir), '--seed', String(seed)];
  for (const [k, v] of Object.entries(COUNTS)) args.push(`--${k}`, String(v));
  return spawnSync(BIN, args, {
    encoding: 'utf8',
    env: { ...process.env, RAPPORT_ADMIN_PASSWORD: ADMIN_PASSWORD },
    timeout: 120000,
  });
}

// The generated values in a stable order (ids and timestamps differ between runs).
async function snapshot(admin) {
  const contacts = (await listAll(admin, 'contacts', 'limit=500&sort=email')).data;
  const deals = (await listAll(admin, 'opportunities', 'limit=500&sort=name')).data;
  return {
    contacts: contacts.map((c) => [c.first_name, c.last_name, c.email, c.phone_work, c.city]),
    deals: deals.map((o) => [o.name, o.amount, o.stage, o.currency]),
  };
}

test('bench-data: counts, team scope, same seed same data, refuses a second run', async () => {
  const dirs = [mkdtempSync(path.join(tmpdir(), 'rapport-bench-')), mkdtempSync(path.join(tmpdir(), 'rapport-bench-'))];
  try {
    for (const d of dirs) {
      const r = generate(d, 7);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /contacts +40 in/);
      // The load ends with fresh planner statistics (ANALYZE).
      const stats = PG ? "SELECT count(*) FROM pg_stats WHERE tablename = 'activities'"
        : "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'activities'";
      assert.ok(Number(dbQuery(d, stats)) > 0, 'planner statistics after bench-data');
    }
    const again = generate(dirs[0], 7);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds bench users/);

    const snaps = [];
    for (const d of dirs) {
      const srv = await startServer({ dir: d, keepDir: true });
      try {
        const admin = await loginAdmin(srv.base);
        for (const [res, n] of Object.entries(COUNTS)) {
          const r = await admin.get(`/${res}?count=true&limit=1`);
          assert.equal(r.body.total, n, `${res} total`);
        }
        // 4 teams of a manager and 5 reps, plus the administrator.
        assert.equal((await admin.get('/users?count=true&limit=1')).body.total, 25);
        snaps.push(await snapshot(admin));
        // A rep sees its own team's contacts only.
        const rep = await login(srv.base, 'bench-sales-1-1', 'bench-password-2026');
        const mine = (await rep.get('/contacts?count=true&limit=1')).body.total;
        assert.ok(mine > 0 && mine < COUNTS.contacts, `team scope: ${mine} of ${COUNTS.contacts}`);
        // Chinese names are searchable through the full-text index the engine kept.
        const zh = snaps.at(-1).contacts.find((c) => /[\u4e00-\u9fff]/.test(c[1]));
        assert.ok(zh, 'some contacts have Chinese names');
        const found = await admin.get(`/contacts?q=${encodeURIComponent(zh[4])}&limit=500`);
        assert.ok(found.body.data.some((c) => c.email === zh[2]), `search ${zh[4]}`);
      } finally {
        await srv.stop();
      }
    }
    assert.deepEqual(snaps[0], snaps[1]);
  } finally {
    for (const d of dirs) {
      dropDb(d);
      rmSync(d, { recursive: true, force: true });
    }
  }
});

test('bench-data --version: the generator version that make bench keeps data under', () => {
  const r = spawnSync(BIN, ['bench-data', '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[1-9][0-9]*\n$/);
});

test('bench-data: bad options are refused with the usage', () => {
  for (const args of [['--contacts', '-1'], ['--contacts', 'many'], ['--bogus', '1'], ['--seed'],
    ['--version', '--seed', '1']]) {
    const r = spawnSync(BIN, ['bench-data', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage: rapport bench-data/);
  }
});
