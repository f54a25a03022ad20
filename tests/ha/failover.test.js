// PostgreSQL high availability (issue 30): a pg_auto_failover formation on 127.0.0.1
// (scripts/ha.sh local: a monitor and two data nodes in a temp dir, synchronous
// replication), two Rapport servers on it with --db (both hosts,
// target_session_attrs=read-write) and --db-read (prefer-standby), writers creating and
// changing accounts through both, and readers listing through both (lists read the
// replica). Each cycle kills the primary — its whole "machine" (SIGKILL of pg_autoctl,
// the postmaster and its backends), or in other cycles pg_autoctl's SIGKILL and
// `pg_ctl stop -m immediate` of its postgres — waits for the monitor to promote the
// standby, then starts the old primary again, which rejoins as the standby; the next
// cycle kills the new primary, so the roles fail back and forth. Checked:
//  * every write answered 2xx is on the new primary exactly once, with its content;
//  * a write answered 503 (or whose answer was lost) is absent or there whole (the
//    record with its audit rows), never half;
//  * both servers write again within 10 s of the promotion, without a restart;
//  * a list read never misses a write acknowledged more than --db-read-max-lag before
//    the read began; with the standby's replay paused, both servers' lists read the
//    primary (the fence); exports, search and reports read the replica too.
// CYCLES=N sets the number of failovers (3 by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, loginAdmin, startServer } from '../api/helpers.js';
import { pgSql } from '../reliability/db.js';
import { waitFor } from '../mail/sink.js';

const CYCLES = Number(process.env.CYCLES || 3);
const HA = path.join(REPO, 'scripts', 'ha.sh');
const MAX_LAG_MS = 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ha = (...args) => execFileSync('bash', [HA, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// Three free consecutive ports: the monitor's and the two nodes'.
async function freeBase() {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    if ((await portFree(base)) && (await portFree(base + 1)) && (await portFree(base + 2))) return base;
  }
}

// The data node that is primary now, or null; a node's settled state.
const primary = (dir) => ha('primary', dir).trim() || null;
const role = (dir, node) => ha('role', dir, node).trim();

test(`failover: ${CYCLES} primaries killed under writers on two servers`, { timeout: 20 * 60 * 1000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-ha-'));
  chmodSync(dir, 0o755);
  const servers = [];
  let stopping = false;
  try {
    const base = await freeBase();
    const uris = Object.fromEntries(ha('local', path.join(dir, 'formation'), String(base)).trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
    const formation = path.join(dir, 'formation');
    for (const name of ['a', 'b']) {
      const sdir = path.join(dir, name);
      execFileSync('mkdir', ['-p', sdir]);
      writeFileSync(path.join(sdir, 'db-url'), uris.db);
      servers.push(await startServer({ dir: sdir, keepDir: true, args: ['--db-read', uris.db_read, '--db-read-max-lag', String(MAX_LAG_MS)] }));
    }
    const admin = await loginAdmin(servers[0].base);
    const t = await admin.post('/tokens', { name: 'failover test' });
    assert.equal(t.status, 201, t.text);
    const token = t.body.token;

    const acked = new Map(); // id -> {name, description, version, history: [{version, at}]}
    const unsure = [];       // writes answered 503 or not at all
    const okAt = [[], []];   // per server: times of 2xx writes (sent, answered)
    let seq = 0;
    let reads = 0;
    let staleChecks = 0;

    async function call(s, method, p, body, headers = {}) {
      const sent = Date.now();
      try {
        const res = await fetch(servers[s].base + '/api/v1' + p, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          body: body && JSON.stringify(body),
          signal: AbortSignal.timeout(30000),
        });
        const text = await res.text();
        return { sent, status: res.status, body: text ? JSON.parse(text) : null, retryAfter: res.headers.get('retry-after') };
      } catch (e) {
        return { sent, status: 0, error: String(e) };
      }
    }

    async function writer(s, n) {
      const mine = [];
      while (!stopping) {
        const k = `s${s}-w${n}-${seq++}`;
        const own = mine.filter((id) => acked.has(id));
        let w;
        if (own.length && Math.random() < 0.4) {
          const id = own[Math.floor(Math.random() * own.length)];
          const version = acked.get(id).version;
          w = { kind: 'patch', id, version, body: { description: `patched ${k} 变更` } };
          w.r = await call(s, 'PATCH', `/accounts/${id}`, w.body, { 'if-match': `"${version}"` });
        } else {
          w = { kind: 'create', body: { name: `ha ${k}`, description: `written by ${k} — 客户` } };
          w.r = await call(s, 'POST', '/accounts?allow_duplicate=true', w.body);
        }
        const r = w.r;
        if (r.status === 201 || r.status === 200) {
          okAt[s].push([r.sent, Date.now()]);
          const at = Date.now();
          if (w.kind === 'create') {
            assert.equal(r.body.name, w.body.name);
            acked.set(r.body.id, { name: w.body.name, description: w.body.description, version: 1, history: [{ version: 1, at }] });
            mine.push(r.body.id);
          } else {
            assert.equal(r.body.version, w.version + 1);
            const a = acked.get(w.id);
            Object.assign(a, { description: w.body.description, version: w.version + 1 });
            a.history.push({ version: a.version, at });
          }
        } else if (r.status === 503 || r.status === 0) {
          if (r.status === 503) assert.ok(r.retryAfter, '503 without Retry-After');
          unsure.push(w);
          await sleep(100);
        } else if (r.status === 412 && w.kind === 'patch') {
          // an earlier PATCH of this record answered 503 but committed: its version moved on
          unsure.push(w);
        } else {
          assert.fail(`${w.kind} ${k}: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }
    }

    // Lists read the replica: a record must be there, at least at the version it had
    // MAX_LAG_MS before the read began.
    async function reader(s) {
      while (!stopping) {
        const ids = [...acked.keys()];
        if (!ids.length) { await sleep(50); continue; }
        const id = ids[Math.floor(Math.random() * ids.length)];
        const a = acked.get(id);
        const sent = Date.now();
        const need = a.history.filter((h) => h.at <= sent - MAX_LAG_MS).reduce((v, h) => Math.max(v, h.version), 0);
        const r = await call(s, 'GET', `/accounts?name=${encodeURIComponent(a.name)}&limit=5`);
        if (r.status !== 200) { await sleep(100); continue; }
        reads++;
        const row = r.body.data.find((x) => x.id === id);
        if (need) {
          staleChecks++;
          assert.ok(row, `server ${s}: a list missed ${id}, acknowledged more than ${MAX_LAG_MS} ms earlier`);
          assert.ok(row.version >= need, `server ${s}: a list showed ${id} at version ${row.version}, older than ${need}`);
        }
        await sleep(20);
      }
    }

    // The fence: with the standby's replay paused (commits still return: synchronous
    // commit waits for the standby's flush, not its replay), a list through the server
    // that wrote reads the primary at once, and one through the other server does once
    // its last sample of the primary is newer than the write; both see the record.
    {
      const fallbacks = async (s) => Number(/rapport_db_replica_fallbacks_total (\d+)/.exec(await (await fetch(servers[s].base + '/metrics')).text())[1]);
      const standbyUrl = uris.db.replace('target_session_attrs=read-write', 'target_session_attrs=standby');
      pgSql(standbyUrl, 'SELECT pg_wal_replay_pause()', { raw: true });
      try {
        const before = [await fallbacks(0), await fallbacks(1)];
        const r = await call(0, 'POST', '/accounts', { name: 'ha fence 围栏' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        await sleep(50);
        const replayed = pgSql(standbyUrl, 'SELECT 1 AS n FROM accounts WHERE id = ' + `'${r.body.id}'`);
        assert.deepEqual(replayed, [], 'the standby has not replayed the write');
        const mine = await call(0, 'GET', `/accounts?name=${encodeURIComponent('ha fence 围栏')}`);
        assert.deepEqual(mine.body.data.map((x) => x.id), [r.body.id], 'the writing server sees its write');
        await sleep(MAX_LAG_MS + 100);
        const other = await call(1, 'GET', `/accounts?name=${encodeURIComponent('ha fence 围栏')}`);
        assert.deepEqual(other.body.data.map((x) => x.id), [r.body.id], `the other server sees it after ${MAX_LAG_MS} ms`);
        assert.ok((await fallbacks(0)) > before[0] && (await fallbacks(1)) > before[1], 'both read the primary');
        acked.set(r.body.id, { name: 'ha fence 围栏', description: null, version: 1, history: [{ version: 1, at: Date.now() }] });
      } finally {
        pgSql(standbyUrl, 'SELECT pg_wal_replay_resume()', { raw: true });
      }
    }

    // The other routes that read the replica answer from it too: an export, a search,
    // the pipeline report, once the replica has replayed the record above.
    {
      const replicaReads = async () => Number(/rapport_db_replica_reads_total (\d+)/.exec(await (await fetch(servers[1].base + '/metrics')).text())[1]);
      const get = async (p) => {
        const r = await fetch(servers[1].base + '/api/v1' + p, { headers: { authorization: `Bearer ${token}` } });
        return { status: r.status, text: await r.text() };
      };
      await sleep(MAX_LAG_MS);
      const before = await replicaReads();
      const csv = await get(`/accounts/export?format=csv&name=${encodeURIComponent('ha fence 围栏')}`);
      assert.equal(csv.status, 200, csv.text);
      assert.match(csv.text, /ha fence 围栏/);
      const found = await get(`/search?q=${encodeURIComponent('围栏')}`);
      assert.equal(found.status, 200, found.text);
      assert.match(found.text, /ha fence 围栏/);
      const pipeline = await get('/pipeline');
      assert.equal(pipeline.status, 200, pipeline.text);
      assert.ok((await replicaReads()) >= before + 3, 'the export, the search and the report read the replica');
    }

    const work = [writer(0, 0), writer(0, 1), writer(1, 0), writer(1, 1), reader(0), reader(1)];
    const figures = [];
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        await sleep(3000);
        const victim = primary(formation);
        assert.ok(victim, 'a primary before the kill');
        const how = cycle % 2 ? 'crash' : 'kill';
        const killedAt = Date.now();
        ha(how, path.join(formation, victim));
        const promoted = await waitFor(() => { const p = primary(formation); return p && p !== victim ? p : null; }, 60000, 'promotion');
        const promotedAt = Date.now();
        // Both servers write again, without a restart, within 10 s of the promotion.
        const back = [];
        for (let s = 0; s < 2; s++) {
          const at = await waitFor(() => okAt[s].find(([sent]) => sent >= promotedAt)?.[1], 30000, `server ${s} writing again`);
          back.push(at - promotedAt);
          assert.ok(at - promotedAt < 10000, `server ${s} wrote again ${at - promotedAt} ms after the promotion`);
        }
        const firstOk = Math.min(...[0, 1].map((s) => okAt[s].find(([sent]) => sent >= killedAt)?.[1] ?? Infinity));
        figures.push({ cycle, how, victim, promoted, promotion_ms: promotedAt - killedAt, first_write_ms: firstOk - killedAt, servers_back_ms: back });
        // The old primary comes back as the standby (rewound), and takes sync commits again.
        ha('start', path.join(formation, victim));
        await waitFor(() => role(formation, victim) === 'secondary', 120000, `${victim} back as standby`);
        await waitFor(() => role(formation, promoted) === 'primary', 60000, 'primary with its standby');
      }
      await sleep(2000);
    } finally {
      stopping = true;
      await Promise.all(work);
    }

    // What is on the primary now.
    const url = uris.db;
    const rows = new Map(pgSql(url, "SELECT id, name, description, version FROM accounts WHERE name LIKE 'ha %'").map((r) => [r.id, r]));
    const byName = new Map();
    for (const r of rows.values()) byName.set(r.name, (byName.get(r.name) || 0) + 1);
    for (const [id, want] of acked) {
      const got = rows.get(id);
      assert.ok(got, `acknowledged record ${id} (${want.name}) is missing after the failovers`);
      assert.equal(byName.get(want.name), 1, `${want.name} is there ${byName.get(want.name)} times`);
      assert.ok(got.version >= want.version, `${id}: version ${got.version}, acknowledged ${want.version}`);
      if (got.version === want.version) assert.equal(got.description, want.description, `${id}: description`);
    }
    for (const w of unsure.filter((x) => x.kind === 'create')) {
      assert.ok((byName.get(w.body.name) || 0) <= 1, `an unanswered create is there twice: ${w.body.name}`);
    }
    // Whole or absent: every record with all its audit rows, no audit row without its record.
    const broken = pgSql(url, `SELECT * FROM (SELECT a.id, a.version,
        (SELECT count(*) FROM audit_log l WHERE l.entity = 'accounts' AND l.record_id = a.id AND l.action = 'create' AND l.field IS NULL) AS creates,
        (SELECT count(*) FROM audit_log l WHERE l.entity = 'accounts' AND l.record_id = a.id AND l.action = 'update') AS updates
      FROM accounts a WHERE a.name LIKE 'ha %') x WHERE creates <> 1 OR updates <> version - 1`);
    assert.deepEqual(broken, [], 'records without all their audit rows');
    // (an export's own audit row names the export, not a record)
    const orphans = pgSql(url, `SELECT count(*) AS n FROM audit_log l WHERE l.entity = 'accounts'
      AND l.action <> 'export' AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.record_id)`);
    assert.equal(Number(orphans[0].n), 0, 'audit rows of records that do not exist');
    // Every record on the primary was acknowledged, or was an unanswered create.
    const unsureNames = new Set(unsure.filter((x) => x.kind === 'create').map((x) => x.body.name));
    for (const r of rows.values()) {
      assert.ok(acked.has(r.id) || unsureNames.has(r.name), `${r.name} was never written`);
    }
    // The metrics name the node written to and the replica.
    const metrics = await (await fetch(servers[1].base + '/metrics')).text();
    assert.match(metrics, /rapport_db_info\{backend="postgres",writes_to="127\.0\.0\.1:\d+",reads_from="127\.0\.0\.1:\d+"\} 1/);
    const reconnects = Number(/rapport_db_reconnects_total (\d+)/.exec(metrics)[1]);
    assert.ok(reconnects >= 1, `reconnects: ${reconnects}`);
    // The lists were read from the replica (and not all from the primary).
    const replicaReads = Number(/rapport_db_replica_reads_total (\d+)/.exec(metrics)[1]);
    assert.ok(replicaReads > 20, `replica reads: ${replicaReads}`);
    assert.ok(staleChecks > 20, `replica reads checked: ${staleChecks}`);
    for (const s of servers) await s.stop();
    console.log(`failover: ${JSON.stringify(figures)}; ${acked.size} records acknowledged, ` +
      `${unsure.length} writes unanswered or 503, ${reads} list reads (${staleChecks} checked for staleness, ` +
      `${replicaReads} read transactions on the replica through server b)`);
  } finally {
    for (const s of servers) await s.kill();
    try { ha('down', path.join(dir, 'formation')); } catch { /* already down */ }
    rmSync(dir, { recursive: true, force: true });
  }
});
