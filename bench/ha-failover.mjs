// Failover times for bench/ha.sh: `node bench/ha-failover.mjs FORMATION BASE TOKEN N`.
// Eight writers create accounts through the Rapport server at BASE without pause; N
// times the primary's machine dies (scripts/ha.sh kill, or crash every other time),
// and the figure is the time from the kill to the answer of the first create sent after
// it and answered 201 (service back), with the time the monitor took to promote the standby; then the old
// primary is started again and rejoins as the standby before the next kill. Prints one
// JSON line: {"cycles":[{how, promotion_ms, back_ms}], "writes", "unavailable",
// "lost"} — lost: creates answered 201 missing from the primary at the end.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../tests/mail/sink.js';

const [formation, base, token, n] = process.argv.slice(2);
const HA = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'scripts', 'ha.sh');
const ha = (...args) => execFileSync('bash', [HA, ...args], { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const primary = () => ha('primary', formation).trim() || null;

const acked = [];
let unavailable = 0;
let writes = 0;
let stopping = false;
let seq = 0;
async function writer() {
  while (!stopping) {
    const name = `ha-bench ${process.pid} ${seq++}`;
    const sent = Date.now();
    try {
      const res = await fetch(`${base}/api/v1/accounts?allow_duplicate=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
        signal: AbortSignal.timeout(30000),
      });
      await res.arrayBuffer();
      if (res.status === 201) { acked.push([sent, Date.now(), name]); writes++; continue; }
      unavailable++;
    } catch { unavailable++; }
    await sleep(20);
  }
}

const work = Array.from({ length: 8 }, writer);
const cycles = [];
try {
  for (let i = 0; i < Number(n); i++) {
    await sleep(2000);
    const victim = primary();
    const how = i % 2 ? 'crash' : 'kill';
    const killed = Date.now();
    ha(how, path.join(formation, victim));
    await waitFor(() => { const p = primary(); return p && p !== victim; }, 90000, 'promotion');
    const promoted = Date.now();
    // the first create sent after the kill and answered 201
    await waitFor(() => acked.some(([sent]) => sent > promoted), 60000, 'a write after the promotion');
    const back = acked.find(([sent]) => sent > killed)[1];
    cycles.push({ how, promotion_ms: promoted - killed, back_ms: back - killed });
    ha('start', path.join(formation, victim));
    await waitFor(() => ha('role', formation, victim).trim() === 'secondary', 180000, 'rejoin');
    process.stderr.write(`bench-ha: failover ${i + 1}/${n}: ${JSON.stringify(cycles.at(-1))}\n`);
  }
} finally {
  stopping = true;
  await Promise.all(work);
}
const db = ha('uri', formation).match(/^db=(.*)$/m)[1];
const present = new Set(execFileSync('psql', ['-X', '-A', '-t', '-d', db, '-c',
  "SELECT name FROM accounts WHERE name LIKE 'ha-bench %'"], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n'));
const lost = acked.filter(([, , name]) => !present.has(name)).length;
console.log(JSON.stringify({ cycles, writes, unavailable, lost }));
