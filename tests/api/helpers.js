// Shared helpers for the black-box API tests (node --test).
//
// Every test file starts its own server on a fresh database (startServer): SQLite in
// a temporary directory, or, when RAPPORT_TEST_PG names the socket directory of the
// throwaway cluster that tests/pg/cluster.sh runs, a new PostgreSQL database on it, talks to it over real HTTP with a tiny cookie-keeping
// client (Client), and stops it at the end, asserting a clean exit (status 0).
//
// The binary is $RAPPORT_BIN, or build/san/rapport at the repository root.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const BIN = process.env.RAPPORT_BIN
  ? path.resolve(process.env.RAPPORT_BIN)
  : path.join(REPO, 'build', 'san', 'rapport');
export const ADMIN_PASSWORD = 'admin-pass-123';
export const API = '/api/v1';

// Generous under valgrind (make test-valgrind sets RAPPORT_TIMEOUT_MS).
const START_TIMEOUT_MS = Number(process.env.RAPPORT_TIMEOUT_MS || 20000);
const STOP_TIMEOUT_MS = Number(process.env.RAPPORT_TIMEOUT_MS || 15000);
// The PostgreSQL pass: socket directory of the cluster, and its client binaries.
export const PG = process.env.RAPPORT_TEST_PG || null;
const PGBIN = process.env.PGBIN || '';
let dbCount = 0;

// A database URL for a new server or command using dir: SQLite in dir, or a new
// PostgreSQL database whose URL is remembered in dir (so a restart reuses it).
export function freshDb(dir) {
  const kept = path.join(dir, 'db-url');
  if (existsSync(kept)) return readFileSync(kept, 'utf8');
  if (!PG) return `sqlite:${path.join(dir, 'rapport.db')}`;
  const name = `rapport_${process.pid}_${++dbCount}`;
  execFileSync(path.join(PGBIN, 'createdb'), ['-h', PG, '-U', 'postgres', name]);
  const url = `postgresql:///${name}?host=${PG}&user=postgres`;
  writeFileSync(kept, url);
  return url;
}

// The command line of a read-only SQL shell (one statement per line in, one row per
// line out, columns separated by '|') on the database of a server's dir: sqlite3, or
// psql on PostgreSQL.
export function dbShellCommand(dir) {
  if (!PG) return ['sqlite3', ['-readonly', '-batch', path.join(dir, 'rapport.db')]];
  const url = readFileSync(path.join(dir, 'db-url'), 'utf8');
  return [path.join(PGBIN, 'psql'), ['-X', '-q', '-A', '-t', '-d', url]];
}

// Every row of the PostgreSQL database of a server's dir, as pg_dump writes it.
export function dumpDb(dir) {
  const url = readFileSync(path.join(dir, 'db-url'), 'utf8');
  return execFileSync(path.join(PGBIN, 'pg_dump'), ['-d', url], { maxBuffer: 1 << 30 });
}

// The text output of one query on the database of a server's dir (rows on lines,
// columns separated by '|'), with the shell of dbShellCommand.
export function dbQuery(dir, sql) {
  const [cmd, args] = dbShellCommand(dir);
  return execFileSync(cmd, [...args, ...(PG ? ['-c', sql] : [sql])], { encoding: 'utf8', maxBuffer: 1 << 30 }).trim();
}

// SQL text that concatenates expr over rows with sep, in either dialect.
export function sqlConcat(expr, sep) {
  return PG ? `string_agg(${expr}, '${sep}')` : `group_concat(${expr}, '${sep}')`;
}

// Drops the PostgreSQL database of dir, if it has one.
export function dropDb(dir) {
  const kept = path.join(dir, 'db-url');
  if (!PG || !existsSync(kept)) return;
  const name = /^postgresql:\/\/\/([^?]+)/.exec(readFileSync(kept, 'utf8'))[1];
  execFileSync(path.join(PGBIN, 'dropdb'), ['-h', PG, '-U', 'postgres', '--if-exists', name]);
}

// Start `rapport serve` on a fresh database and a free port.
// Returns {base, stop(), stderr(), dir}: base is "http://127.0.0.1:PORT".
// Options: env (extra environment), args (extra CLI args), dir (reuse an existing data
// directory, e.g. to restart on the same database), keepDir (do not delete it on stop).
export async function startServer({ env = {}, args = [], dir: reuse = null, keepDir = false } = {}) {
  if (!existsSync(BIN)) throw new Error(`server binary not found: ${BIN} (set RAPPORT_BIN)`);
  const dir = reuse || mkdtempSync(path.join(tmpdir(), 'rapport-api-'));
  const child = spawn(
    BIN,
    ['serve', '--db', freshDb(dir), '--listen', '127.0.0.1:0', ...args],
    {
      cwd: dir,
      env: { ...process.env, RAPPORT_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.setEncoding('utf8');

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print "listening on" within ${START_TIMEOUT_MS} ms\n` +
        `stdout: ${stdout}\nstderr: ${stderr}`));
    }, START_TIMEOUT_MS);
    const onData = (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      const first = stdout.slice(0, nl).trim();
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume(); // keep draining stdout so the server never blocks on a full pipe
      const m = /^listening on (http:\/\/[^\s/]+)\/?$/.exec(first);
      if (!m) {
        child.kill('SIGKILL');
        reject(new Error(`unexpected first stdout line: ${JSON.stringify(first)}\nstderr: ${stderr}`));
      } else {
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  let base;
  try {
    base = await started;
  } catch (err) {
    // A server that never started (a test of a bad option): its fresh directory and
    // database go now, as stop() would have removed them.
    if (!reuse && !keepDir) {
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
    throw err;
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    try {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer;
      const res = await Promise.race([
        exited,
        new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      if (res === null) {
        child.kill('SIGKILL');
        await exited;
        assert.fail(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\nstderr: ${stderr.slice(-4000)}`);
      }
      assert.equal(res.code, 0,
        `server exit: code ${res.code}, signal ${res.signal}\nstderr (tail): ${stderr.slice(-6000)}`);
      const san = /(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)/.exec(stderr);
      assert.ok(!san, `sanitizer report in server stderr:\n${stderr.slice(Math.max(0, (san?.index ?? 0) - 200), (san?.index ?? 0) + 4000)}`);
    } finally {
      if (!keepDir) {
        dropDb(dir);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  // Crash the server (SIGKILL: no clean shutdown) and wait for it to be gone. The data
  // directory stays for a restart on the same database.
  async function kill() {
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  return { base, stop, kill, stderr: () => stderr, stdout: () => stdout, dir, pid: child.pid };
}

// Parsed response: {status, headers, text, body (JSON or null), ok}.
async function wrap(res) {
  const text = await res.text();
  let body = null;
  const ct = res.headers.get('content-type') || '';
  if (text.length && (ct.includes('json') || /^[\s]*[[{]/.test(text))) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  return { status: res.status, headers: res.headers, text, body, ok: res.ok };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// A tiny HTTP client: keeps the rapport_session cookie, sends X-CSRF-Token on unsafe
// methods, or an Authorization: Bearer token when given one.
export class Client {
  constructor(base, { token = null } = {}) {
    this.base = base;
    this.cookie = null; // "rapport_session=..."
    this.csrf = null;
    this.token = token;
    this.user = null;
    this.lastSetCookie = null;
  }

  // path: starting with "/" — "/api/v1" is prefixed unless the path already starts
  // with it or opts.root is true (for /healthz, /metrics).
  // opts: {body (object → JSON; string/Buffer → sent as is), headers, csrf (false to
  // omit, string to override), cookie (false to omit), contentType}
  async request(method, p, opts = {}) {
    // Most tests create look-alike records on purpose (sort ties, paging); the duplicate
    // check would refuse them. It is off unless a test asks for it ({dupCheck: true});
    // tests/api/duplicates.test.js does.
    const rel = p.startsWith(API) ? p.slice(API.length) : p;
    if (!opts.dupCheck && !opts.root && (method === 'POST' || method === 'PATCH') &&
        /^\/(accounts|contacts|leads)(\/[0-9a-f-]{36})?(\?|$)/.test(rel) && !rel.includes('allow_duplicate')) {
      p = p + (p.includes('?') ? '&' : '?') + 'allow_duplicate=true';
    }
    const url = this.base + (opts.root || p.startsWith(API) ? p : API + p);
    const headers = { accept: 'application/json', ...(opts.headers || {}) };
    let body;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body) || opts.body instanceof Uint8Array) {
        body = opts.body;
      } else {
        body = JSON.stringify(opts.body);
      }
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = opts.contentType || 'application/json';
      }
    }
    if (this.cookie && opts.cookie !== false) headers.cookie = this.cookie;
    if (this.token && opts.auth !== false) headers.authorization = `Bearer ${this.token}`;
    if (UNSAFE.has(method.toUpperCase()) && opts.csrf !== false) {
      const t = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
      if (t) headers['x-csrf-token'] = t;
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    const sc = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
    for (const c of sc) {
      const m = /^rapport_session=([^;]*)/.exec(c);
      if (m) {
        this.lastSetCookie = c;
        this.cookie = m[1] ? `rapport_session=${m[1]}` : null;
      }
    }
    return wrap(res);
  }

  get(p, opts) { return this.request('GET', p, opts); }
  post(p, body, opts = {}) { return this.request('POST', p, { ...opts, body }); }
  patch(p, body, opts = {}) { return this.request('PATCH', p, { ...opts, body }); }
  put(p, body, opts = {}) { return this.request('PUT', p, { ...opts, body }); }
  del(p, opts) { return this.request('DELETE', p, opts); }

  async login(username, password) {
    const r = await this.post('/auth/login', { username, password });
    if (r.status === 200 && r.body) {
      this.csrf = r.body.csrf_token;
      this.user = r.body.user;
    }
    return r;
  }
}

// Log in and return a Client; fails the test if the login does not answer 200.
export async function login(base, username, password) {
  const c = new Client(base);
  const r = await c.login(username, password);
  assert.equal(r.status, 200, `login ${username}: ${r.status} ${r.text}`);
  assert.ok(c.cookie, `login ${username}: no rapport_session cookie set`);
  assert.equal(typeof c.csrf, 'string', 'login: csrf_token missing');
  return c;
}

export function loginAdmin(base) { return login(base, 'admin', ADMIN_PASSWORD); }

// Create a user as admin; returns the created user record.
export async function createUser(admin, { username, password = 'password-123', role = 'sales', team_ids = [], ...rest }) {
  const r = await admin.post('/users', { username, password, role, team_ids, ...rest });
  assert.equal(r.status, 201, `create user ${username}: ${r.status} ${r.text}`);
  return r.body;
}

export async function createTeam(admin, name, extra = {}) {
  const r = await admin.post('/teams', { name, ...extra });
  assert.equal(r.status, 201, `create team ${name}: ${r.status} ${r.text}`);
  return r.body;
}

// Create a record and assert 201; returns the record.
export async function create(client, res, body) {
  const r = await client.post(`/${res}`, body);
  assert.equal(r.status, 201, `create ${res}: ${r.status} ${r.text}`);
  return r.body;
}

// Fetch every page of a list; returns the concatenated data and the number of pages.
export async function listAll(client, res, query = '') {
  const out = [];
  let cursor = null;
  let pages = 0;
  for (;;) {
    const sep = query ? '&' : '';
    const q = query + (cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : '');
    const r = await client.get(`/${res}${q ? '?' + q : ''}`);
    assert.equal(r.status, 200, `list ${res}?${q}: ${r.status} ${r.text}`);
    assert.ok(Array.isArray(r.body.data), 'data is an array');
    out.push(...r.body.data);
    pages++;
    assert.ok(pages < 1000, 'too many pages: cursor loop?');
    if (r.body.next_cursor === null || r.body.next_cursor === undefined) {
      assert.ok('next_cursor' in r.body, 'next_cursor key present');
      break;
    }
    assert.equal(typeof r.body.next_cursor, 'string');
    cursor = r.body.next_cursor;
  }
  return { data: out, pages };
}

// Posts an import (a CSV, or the body as contentType says) and waits for the job to
// finish; returns the job.
export async function runImport(client, query, csv, contentType = 'text/csv') {
  const r = await client.post(`/imports?${query}`, csv, { contentType });
  assert.equal(r.status, 202, r.text);
  assert.match(r.body.id, /^[0-9a-f-]{36}$/);
  assert.equal(r.headers.get('location'), `/api/v1/imports/${r.body.id}`);
  const deadline = Date.now() + 120000;
  for (;;) {
    const j = await client.get(`/imports/${r.body.id}`);
    assert.equal(j.status, 200, j.text);
    assert.ok(['queued', 'running', 'done', 'failed'].includes(j.body.status));
    if (j.body.status === 'done' || j.body.status === 'failed') return j.body;
    assert.ok(Date.now() < deadline, `import ${r.body.id} still ${j.body.status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

// Assert a problem+json error answer with the given status.
export function assertProblem(r, status, msg = '') {
  assert.equal(r.status, status, `${msg} expected ${status}, got ${r.status}: ${r.text.slice(0, 500)}`);
  const ct = r.headers.get('content-type') || '';
  assert.match(ct, /^application\/problem\+json/, `${msg} content-type ${ct}`);
  assert.ok(r.body && typeof r.body === 'object', `${msg} problem body is JSON: ${r.text.slice(0, 200)}`);
  assert.equal(r.body.status, status, `${msg} problem.status`);
  assert.equal(typeof r.body.title, 'string', `${msg} problem.title`);
  assert.ok('type' in r.body, `${msg} problem.type`);
  return r.body;
}

// Send raw bytes over TCP and collect the response until the server closes the
// connection or `timeoutMs` passes. Returns {text, closed, status (number|null), error}.
export function rawRequest(base, bytes, { timeoutMs = 5000 } = {}) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const chunks = [];
    let done = false;
    const sock = net.connect({ host: u.hostname, port: Number(u.port) });
    const finish = (closed, error = null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, closed, status: m ? Number(m[1]) : null, error });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', (e) => finish(true, e));
  });
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const RFC3339_Z_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function uniq(prefix = 'x') {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// An export's CSV (a byte-order mark, RFC 4180 quoting, CRLF rows) as rows of cells.
export function parseCsv(text) {
  assert.ok(text.startsWith('\uFEFF'), 'exports start with a byte-order mark');
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}
