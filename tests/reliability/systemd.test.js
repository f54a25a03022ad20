// The systemd unit (issue 17: a crash must not be an outage), scripts/rapport.service:
//  * `systemd-analyze verify` accepts it without a word about the unit: a misspelt key,
//    a value systemd cannot parse (it would ignore such a line and run the service
//    without that protection) or a missing section fails the test. The copy that is
//    verified runs $RAPPORT_BIN, because verify checks that the executable exists.
//    Skipped, with a message, where systemd-analyze is not installed (scripts/deps.sh
//    installs it with the package systemd).
//  * its settings restart the server soon after a crash, keep the hardening that
//    docs/operations.md describes, and leave the database's directory writable;
//  * its command line and environment start the server, and its stop signal stops the
//    server cleanly (exit status 0: a stop, not a failure to restart) well within
//    TimeoutStopSec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, REPO, startServer } from '../api/helpers.js';

const UNIT = path.join(REPO, 'scripts', 'rapport.service');
const TEXT = readFileSync(UNIT, 'utf8');

// {section: {key: [values in order]}}; comments and blank lines dropped.
function parseUnit(text) {
  const out = {};
  let section = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) {
      section = out[m[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `unit line outside a section or without '=': ${line}`);
    (section[line.slice(0, eq).trim()] ??= []).push(line.slice(eq + 1).trim());
  }
  return out;
}

const unit = parseUnit(TEXT);
const service = unit.Service ?? {};
// The last value of a key, as systemd takes it for single-valued settings.
const one = (key) => service[key]?.at(-1);

// Environment= lines as an object (values here have no quotes or spaces).
const unitEnv = Object.fromEntries((service.Environment ?? []).flatMap((v) => v.split(/\s+/))
  .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

function seconds(v) {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/.exec(v ?? '');
  assert.ok(m, `not a time span this test reads: ${v}`);
  return Number(m[1]) * { ms: 0.001, s: 1, min: 60 }[m[2] ?? 's'];
}

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const noAnalyze = analyze.error
  ? `systemd-analyze is not installed (${analyze.error.code}); scripts/deps.sh installs the package systemd`
  : false;

test('systemd-analyze verify: no error or warning about the unit', { skip: noAnalyze }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-unit-'));
  try {
    const exec = /^ExecStart=(\S+)/m.exec(TEXT);
    assert.ok(exec, 'the unit has an ExecStart= line');
    assert.equal(exec[1], '/usr/local/bin/rapport', 'the shipped unit runs /usr/local/bin/rapport');
    const copy = path.join(dir, 'rapport.service');
    writeFileSync(copy, TEXT.replace(/^ExecStart=\S+/m, `ExecStart=${BIN}`));
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    const output = `${r.stdout}${r.stderr}`;
    // verify may also talk about other units of the machine: keep what names ours.
    const ours = output.split('\n').filter((l) => l.includes('rapport.service'));
    assert.deepEqual(ours, [], `systemd-analyze verify ${copy}:\n${output}`);
    assert.equal(r.status, 0, `systemd-analyze verify exited ${r.status}:\n${output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash is a quick restart; a server that keeps failing is left failed', () => {
  assert.equal(one('Restart'), 'on-failure');
  assert.ok(seconds(one('RestartSec')) <= 1, `RestartSec=${one('RestartSec')}: a restart within a second`);
  assert.ok(Number(unit.Unit?.StartLimitBurst?.at(-1)) >= 5, 'StartLimitBurst allows a few crashes');
  assert.ok(seconds(unit.Unit?.StartLimitIntervalSec?.at(-1)) > 0, 'StartLimitIntervalSec is set');
  assert.equal(one('KillSignal'), 'SIGTERM');
  // The server lets requests in flight finish for up to 10 s (src/main.c), then stops its
  // job runner and closes the database.
  assert.ok(seconds(one('TimeoutStopSec')) >= 20, `TimeoutStopSec=${one('TimeoutStopSec')} lets the server drain`);
});

test('hardening options are on, and the database directory stays writable', () => {
  const want = {
    NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes',
    PrivateDevices: 'yes', ProtectKernelTunables: 'yes', ProtectKernelModules: 'yes',
    ProtectControlGroups: 'yes', RestrictNamespaces: 'yes', LockPersonality: 'yes',
    MemoryDenyWriteExecute: 'yes', RestrictRealtime: 'yes', RestrictSUIDSGID: 'yes',
    SystemCallArchitectures: 'native', CapabilityBoundingSet: '', UMask: '0077',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX', User: 'rapport',
  };
  for (const [key, value] of Object.entries(want)) assert.equal(one(key), value, `${key}=`);

  const data = path.posix.join('/var/lib', one('StateDirectory'));
  assert.equal(data, '/var/lib/rapport');
  assert.equal(one('WorkingDirectory'), data);
  const db = /^sqlite:(\/.+)$/.exec(unitEnv.RAPPORT_DB ?? '');
  assert.ok(db, `RAPPORT_DB=${unitEnv.RAPPORT_DB}: a SQLite database at an absolute path`);
  const writable = (service.ReadWritePaths ?? []).flatMap((v) => v.split(/\s+/))
    .map((p) => p.replace(/^-/, '').replace(/\/+$/, ''));
  for (const p of [data, path.posix.dirname(db[1])]) {
    assert.ok(writable.some((w) => p === w || p.startsWith(`${w}/`)),
      `ReadWritePaths=${writable.join(' ')} covers ${p}`);
  }
  // A --db or --listen flag would win over RAPPORT_DB and RAPPORT_LISTEN from the
  // environment file, and PostgreSQL could not be chosen there.
  assert.doesNotMatch(one('ExecStart'), /--db|--listen/);
  assert.equal(one('EnvironmentFile'), '-/etc/rapport/rapport.env');
});

test("the unit's command line and environment start the server; SIGTERM stops it cleanly", async () => {
  const args = one('ExecStart').split(/\s+/).slice(1);
  assert.equal(args[0], 'serve');
  const { RAPPORT_DB, RAPPORT_LISTEN, ...env } = unitEnv; // a temporary database, a free port
  const srv = await startServer({ env, args: args.slice(1) });
  const res = await fetch(`${srv.base}/healthz`);
  assert.equal(res.status, 200);
  const t0 = Date.now();
  await srv.stop(); // SIGTERM; asserts exit status 0
  assert.ok(Date.now() - t0 < seconds(one('TimeoutStopSec')) * 1000, 'stopped within TimeoutStopSec');
});
