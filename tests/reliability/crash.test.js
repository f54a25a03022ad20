// Crash safety (issue 7 item 1): four writers with client-chosen idempotency keys
// create and change accounts while the server is killed with SIGKILL at random moments
// and restarted on the same database. After every crash:
//  * PRAGMA integrity_check answers ok;
//  * every acknowledged write is there with its content (creates and PATCHes);
//  * every record has its audit rows — all or none: one "create" row per record and
//    one "update" row per version after the first;
//  * a write whose answer was lost is retried with the same key after the restart and
//    is applied exactly once (the stored answer is replayed, or it runs for the first
//    time).
// CYCLES=N sets the number of crashes (50 by default; LONG=1 makes it 500).
//
// On PostgreSQL (RAPPORT_TEST_PG: `make pg-reliability-test` runs it on a cluster with
// fsync on, `tests/pg/cluster.sh run --durable`) each cycle crashes, at random, the
// server (SIGKILL), the database cluster (`pg_ctl stop -m immediate`, then crash
// recovery) while the server stays up and must reconnect, or both. An answer lost to
// the cluster's death (a 5xx) is an unknown outcome, retried like a lost connection.
// Consistency is checked with amcheck (every table's heap, every B-tree index against
// its table) instead of integrity_check. 25 cycles by default there (LONG=1: 250).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PG, REPO, dropDb, loginAdmin, startServer } from '../api/helpers.js';
import { pgSql, sql } from './db.js';

const CYCLES = Number(process.env.CYCLES || (process.env.LONG ? 10 : 1) * (PG ? 25 : 50));
const WRITERS = 4;
const CLUSTER = path.join(REPO, 'tests', 'pg', 'cluster.sh');

// The database of a server's dir, read behind its back: rows(query), and check() —
// the storage engine's own consistency check.
function database(dir) {
  if (!PG) {
    const db = path.join(dir, 'rapport.db');
    return {
      rows: (q) => sql(db, q),
      check: () => assert.deepEqual(sql(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]),
    };
  }
  const url = readFileSync(path.join(dir, 'db-url'), 'utf8');
  pgSql(url, 'CREATE EXTENSION IF NOT EXISTS amcheck', { raw: true });
  return {
    rows: (q) => pgSql(url, q),
    check() {
      const heap = pgSql(url, `SELECT c.relname, v.blkno, v.msg FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL verify_heapam(c.oid) v
        WHERE n.nspname = 'public' AND c.relkind = 'r'`);
      assert.deepEqual(heap, [], 'verify_heapam');
      // bt_index_check raises on a corrupt index, or one missing a row of its table.
      const n = pgSql(url, `SELECT count(bt_index_check(c.oid, true)::text) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
        JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public' AND a.amname = 'btree'`, { raw: true });
      assert.ok(Number(n) > 10, `B-tree indexes checked: ${n}`);
    },
  };
}

const cluster = (cmd) => execFileSync('bash', [CLUSTER, cmd, PG], { stdio: ['ignore', 'ignore', 'inherit'] });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One keyed write. Returns the parsed answer, or null when the connection died first
// (or, while the database is down, the server answered 5xx).
let dbDown = false;
async function send(base, token, method, p, body, key, headers = {}) {
  try {
    const res = await fetch(base + '/api/v1' + p, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key, ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 500 && dbDown) return null;
    return { status: res.status, body: text ? JSON.parse(text) : null, replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch {
    return null; // killed mid-request: the outcome is unknown until the retry
  }
}

test(`crash safety${PG ? " (PostgreSQL)" : ""}: ${CYCLES} crashes under ${WRITERS} concurrent writers`, { timeout: 60 * 60 * 1000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-crash-'));
  const acked = new Map();    // id -> {name, description, version}
  const pending = [];         // writes whose answer was lost: retried after the restart
  let seq = 0;
  let replays = 0;
  let retried = 0;
  let token;
  let srv;
  let db;
  const crashes = { server: 0, database: 0, both: 0 };
  try {
    srv = await startServer({ dir, keepDir: true });
    const admin = await loginAdmin(srv.base);
    const t = await admin.post('/tokens', { name: 'crash test' });
    assert.equal(t.status, 201, t.text);
    token = t.body.token;
    db = database(dir);

    // Applies an answer to the model of what must be in the database.
    const settle = (w, r) => {
      if (w.kind === 'create') {
        assert.equal(r.status, 201, `create ${w.key}: ${r.status} ${JSON.stringify(r.body)}\nserver log: ${srv.stderr().slice(-2000)}`);
        assert.equal(r.body.name, w.body.name);
        assert.ok(!acked.has(r.body.id) || r.replayed, `a retried create made a second record (${w.key})`);
        acked.set(r.body.id, { name: w.body.name, description: w.body.description, version: 1 });
      } else {
        assert.equal(r.status, 200, `patch ${w.key}: ${r.status} ${JSON.stringify(r.body)}\nserver log: ${srv.stderr().slice(-2000)}`);
        assert.equal(r.body.description, w.body.description);
        acked.set(w.id, { ...acked.get(w.id), description: w.body.description, version: w.version + 1 });
      }
      if (r.replayed) replays++;
    };

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Retry what the last crash left unanswered, with the same keys and bodies.
      while (pending.length) {
        const w = pending.shift();
        retried++;
        const r = await send(srv.base, token, w.method, w.path, w.body, w.key, w.headers);
        assert.ok(r, `retry of ${w.key} after restart got no answer`);
        settle(w, r);
      }
      let running = true;
      const writer = async (n) => {
        const mine = [];
        while (running) {
          const k = `c${cycle}-w${n}-${seq++}`;
          let w;
          const own = mine.filter((id) => acked.has(id));
          if (own.length && Math.random() < 0.4) {
            const id = own[Math.floor(Math.random() * own.length)];
            const version = acked.get(id).version;
            w = { kind: 'patch', method: 'PATCH', path: `/accounts/${id}`, id, version, key: k,
                  headers: { 'if-match': `"${version}"` }, body: { description: `patched ${k} 变更` } };
          } else {
            w = { kind: 'create', method: 'POST', path: '/accounts?allow_duplicate=true', key: k, headers: {},
                  body: { name: `crash ${k}`, description: `written by ${k} — 客户 ${'x'.repeat(Math.floor(Math.random() * 2000))}` } };
          }
          const r = await send(srv.base, token, w.method, w.path, w.body, w.key, w.headers);
          if (!r) { pending.push(w); return; }
          settle(w, r);
          if (w.kind === 'create') mine.push(r.body.id);
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, n) => writer(n));
      await sleep(50 + Math.random() * 400);
      // What dies: the server; on PostgreSQL also the cluster alone, or both.
      const what = PG ? ['server', 'database', 'both'][Math.floor(Math.random() * 3)] : 'server';
      crashes[what]++;
      if (what !== 'server') { dbDown = true; cluster('crash'); }
      if (what !== 'database') await srv.kill();
      running = false;
      await Promise.all(writers);
      if (what !== 'server') { cluster('start'); dbDown = false; }

      // The database as the crash left it (opening it replays the WAL, as a restart
      // does; PostgreSQL ran its crash recovery).
      try { db.check(); } catch (err) { err.message = `cycle ${cycle}: ${err.message}`; throw err; }
      const rows = new Map(db.rows('SELECT id, name, description, version FROM accounts').map((r) => [r.id, r]));
      // A PATCH whose answer was lost may or may not have been applied: either state
      // is right until its retry settles it.
      const unsure = new Map(pending.filter((w) => w.kind === 'patch').map((w) => [w.id, w]));
      for (const [id, want] of acked) {
        const got = rows.get(id);
        assert.ok(got, `cycle ${cycle}: acknowledged record ${id} is missing`);
        assert.equal(got.name, want.name, `cycle ${cycle}: ${id} name`);
        const p = unsure.get(id);
        if (p && got.version === want.version + 1) {
          assert.equal(got.description, p.body.description, `cycle ${cycle}: ${id} half-applied PATCH`);
        } else {
          assert.equal(got.description, want.description, `cycle ${cycle}: ${id} description`);
          assert.equal(got.version, want.version, `cycle ${cycle}: ${id} version`);
        }
      }
      const broken = db.rows(`SELECT * FROM (SELECT a.id, a.version,
          (SELECT count(*) FROM audit_log l WHERE l.entity = 'accounts' AND l.record_id = a.id AND l.action = 'create' AND l.field IS NULL) AS creates,
          (SELECT count(*) FROM audit_log l WHERE l.entity = 'accounts' AND l.record_id = a.id AND l.action = 'update') AS updates
        FROM accounts a) x WHERE creates <> 1 OR updates <> version - 1`);
      assert.deepEqual(broken, [], `cycle ${cycle}: records without all their audit rows`);
      const orphans = db.rows(`SELECT count(*) AS n FROM audit_log l WHERE l.entity = 'accounts'
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.record_id)`);
      assert.equal(orphans[0].n, 0, `cycle ${cycle}: audit rows of records that do not exist`);
      if (what !== 'database') srv = await startServer({ dir, keepDir: true });
    }
    while (pending.length) {
      const w = pending.shift();
      settle(w, await send(srv.base, token, w.method, w.path, w.body, w.key, w.headers));
    }
    // Every record the server holds was acknowledged to a writer: nothing appeared twice.
    const total = db.rows("SELECT count(*) AS n FROM accounts WHERE name LIKE 'crash %'")[0].n;
    assert.equal(total, acked.size, 'records in the database = distinct acknowledged creates');
    await srv.stop();
    console.log(`crash safety${PG ? ' (PostgreSQL)' : ''}: ${CYCLES} cycles (crashed: ${JSON.stringify(crashes)}), ` +
      `${acked.size} records, ${retried} lost answers retried, ${replays} of them replayed`);
  } finally {
    await srv?.kill(); // after a failure: never leave a server running
    if (dbDown) cluster('start');
    dropDb(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
