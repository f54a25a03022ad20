// A server on a fresh database holding the demo company (`rapport demo`), for the
// screenshots and the paint benchmark.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, BIN, startServer } from '../api/helpers.js';

export async function startDemoServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-demo-'));
  execFileSync(BIN, ['demo', '--db', `sqlite:${path.join(dir, 'rapport.db')}`], {
    cwd: dir, env: { ...process.env, RAPPORT_ADMIN_PASSWORD: ADMIN_PASSWORD }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  return startServer({ dir });
}

// Signs the browser context in through the API (the session cookie of the server).
export async function signInContext(context, base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in ${username}: ${res.status}`);
  const m = /rapport_session=([^;]+)/.exec(res.headers.get('set-cookie') || '');
  await context.addCookies([{ name: 'rapport_session', value: m[1], url: base }]);
}
