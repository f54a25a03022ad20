// The mail tests' SMTP server: tests/mail/smtp_sink.py (Debian python3-aiosmtpd) on a
// free port of 127.0.0.1, writing what it accepts into a temporary directory, and
// tests/mail/parse_mail.py, which reads a message back with Python's email package.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// Starts the sink (on `port` when given: a restart on the same port); resolves once it
// listens. stop() ends it and removes its directory unless keep.
export async function startSink({ port = null, dir = null } = {}) {
  const p = port || await freePort();
  const d = dir || mkdtempSync(path.join(tmpdir(), 'rapport-smtp-'));
  const child = spawn(PYTHON, [path.join(HERE, 'smtp_sink.py'), String(p), d], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (x) => { err += x; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`smtp sink did not start: ${err}`)), 15000);
    child.stdout.on('data', (x) => { if (String(x).includes('ready')) { clearTimeout(timer); resolve(); } });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`smtp sink exited ${code}: ${err}`)); });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    port: p,
    dir: d,
    // Files of the accepted messages, oldest first.
    files: () => readdirSync(d).filter((f) => f.endsWith('.eml')).sort().map((f) => path.join(d, f)),
    envelope: (file) => JSON.parse(readFileSync(file.replace(/\.eml$/, '.json'), 'utf8')),
    // "reject" (550), "tempfail" (451) or "" (accept).
    mode: (m) => writeFileSync(path.join(d, 'mode'), m),
    async stop({ keep = false } = {}) {
      child.kill('SIGTERM');
      await exited;
      if (!keep) rmSync(d, { recursive: true, force: true });
    },
  };
}

// A message file parsed by Python's email package (tests/mail/parse_mail.py).
export function parseMail(file) {
  return JSON.parse(execFileSync(PYTHON, [path.join(HERE, 'parse_mail.py'), file], { encoding: 'utf8' }));
}

// Waits until check() is truthy (polling), or fails after ms.
export async function waitFor(check, ms = 15000, what = 'condition') {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
