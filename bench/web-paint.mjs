// First meaningful paint of three screens, measured in chromium through the Performance
// API: the contacts list, a contact's record page and the dashboard. The UI marks each
// in the first animation frame after its content is rendered (web/src/ui.jsx,
// markPainted: "rapport:list-painted" once the first page of rows is in, "rapport:
// record-painted" once the record is, "rapport:dashboard-painted" once every card has
// its data); the mark's startTime is the time since navigation start. Every load is
// cold (cache disabled). Also prints the gzipped size of what a page downloads first
// and of the lazily loaded chunks.
//
//   make bench-web                   # the benchmark's full-size data (bench/web.sh)
//   RAPPORT_BIN=build/rapport node bench/web-paint.mjs          # the demo company
//   BASE=http://127.0.0.1:8080 WEB_USER=… WEB_PASSWORD=… node bench/web-paint.mjs  # a server
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { REPO } from '../tests/api/helpers.js';
import { launch } from '../tests/e2e/browser.js';
import { signInContext, startDemoServer } from '../tests/e2e/demo.js';

const RUNS = Number(process.env.RUNS || 15);
const BUDGET_MS = 300;
const BUNDLE_BUDGET_KIB = 150;

const dist = path.join(REPO, 'web', 'dist');
const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = ['index.html', ...[...index.matchAll(/(?:href|src)="\/(assets\/[^"]+)"/g)].map((m) => m[1])];
const gz = (f) => gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length;
const lazy = readdirSync(path.join(dist, 'assets')).map((f) => `assets/${f}`).filter((f) => !initial.includes(f));

const srv = process.env.BASE ? null : await startDemoServer();
const base = process.env.BASE || srv.base;
const username = process.env.WEB_USER || 'alice';
const password = process.env.WEB_PASSWORD || 'demo-pass-123';

// A contact the user may read, for the record page.
async function someContact() {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const cookie = (/rapport_session=[^;]+/.exec(login.headers.get('set-cookie') || '') || [])[0];
  const r = await fetch(`${base}/api/v1/contacts?limit=1&sort=-updated_at`, { headers: { cookie } });
  const id = (await r.json()).data?.[0]?.id;
  if (!id) throw new Error(`no contact visible to ${username}`);
  return id;
}

const screens = [
  { name: 'contacts list', path: '/r/contacts', mark: 'rapport:list-painted', check: () => document.querySelectorAll('tbody tr').length > 0 },
  { name: 'record page (a contact)', path: `/r/contacts/${await someContact()}`, mark: 'rapport:record-painted', check: () => !!document.querySelector('article.record h1') },
  { name: 'dashboard', path: '/', mark: 'rapport:dashboard-painted', check: () => !!document.querySelector('section.dashboard') },
];

const browser = await launch();
const results = [];
try {
  await signInContext(browser.context, base, username, password);
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  for (const s of screens) {
    const paints = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${base}${s.path}${s.path.includes('?') ? '&' : '?'}run=${i}`);
      const paint = await page.waitForFunction((m) => {
        const e = performance.getEntriesByName(m)[0];
        return e && e.startTime;
      }, s.mark, { timeout: 30000 }).then((h) => h.jsonValue());
      if (!(await page.evaluate(s.check))) throw new Error(`${s.name}: marked painted with nothing shown`);
      paints.push(paint);
    }
    results.push({ ...s, paints });
  }
} finally {
  await browser.close();
  await srv?.stop();
}

const sorted = (a) => [...a].sort((x, y) => x - y);
const pct = (a, p) => sorted(a)[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`first meaningful paint, ${RUNS} cold loads each, signed in as ${username} on ${srv ? 'the demo company' : base}` +
  ` (budget ${BUDGET_MS} ms):`);
let failed = false;
for (const r of results) {
  const median = pct(r.paints, 50);
  failed ||= median > BUDGET_MS;
  console.log(`  ${r.name.padEnd(24)} median ${median.toFixed(0)} ms, min ${Math.min(...r.paints).toFixed(0)} ms, ` +
    `p90 ${pct(r.paints, 90).toFixed(0)} ms, max ${Math.max(...r.paints).toFixed(0)} ms${median > BUDGET_MS ? '  OVER BUDGET' : ''}`);
}
console.log(`  load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
console.log('bundle (gzip -9):');
for (const f of initial) console.log(`  ${f.padEnd(34)} ${kb(gz(f))}`);
const total = initial.reduce((s, f) => s + gz(f), 0);
console.log(`  ${'initial total'.padEnd(34)} ${kb(total)} (budget ${BUNDLE_BUDGET_KIB} KiB)`);
for (const f of lazy) console.log(`  ${(f + ' (lazy)').padEnd(34)} ${kb(gz(f))}`);
if (failed || total > BUNDLE_BUDGET_KIB * 1024) {
  console.log('FAIL: over budget');
  process.exitCode = 1;
}
