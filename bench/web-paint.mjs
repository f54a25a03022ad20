// First meaningful paint of the list page on the demo company, measured in chromium
// through the Performance API: the UI sets the mark "rapport:list-painted" in the first
// animation frame after the first page of rows is rendered; its startTime is the time
// since navigation start. Every run is a cold load (cache disabled). Also prints the
// gzipped size of what the list page downloads and of the lazily loaded chart chunk.
//
//   make bench-web      (RAPPORT_BIN=build/rapport node bench/web-paint.mjs)
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { REPO } from '../tests/api/helpers.js';
import { launch } from '../tests/e2e/browser.js';
import { signInContext, startDemoServer } from '../tests/e2e/demo.js';

const RUNS = Number(process.env.RUNS || 15);
const BUDGET_MS = 300;

const dist = path.join(REPO, 'web', 'dist');
const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
const initial = ['index.html', ...[...index.matchAll(/(?:href|src)="\/(assets\/[^"]+)"/g)].map((m) => m[1])];
const gz = (f) => gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length;
const lazy = readdirSync(path.join(dist, 'assets')).map((f) => `assets/${f}`).filter((f) => !initial.includes(f));

const srv = await startDemoServer();
const browser = await launch();
const paints = [];
const fcps = [];
try {
  await signInContext(browser.context, srv.base, 'alice', 'demo-pass-123');
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${srv.base}/r/accounts?run=${i}`);
    const t = await page.waitForFunction(() => {
      const m = performance.getEntriesByName('rapport:list-painted')[0];
      const f = performance.getEntriesByName('first-contentful-paint')[0];
      return m && { paint: m.startTime, fcp: f ? f.startTime : null, rows: document.querySelectorAll('tbody tr').length };
    }, null, { timeout: 20000 }).then((h) => h.jsonValue());
    if (t.rows < 1) throw new Error('the list rendered no rows');
    paints.push(t.paint);
    if (t.fcp !== null) fcps.push(t.fcp);
  }
} finally {
  await browser.close();
  await srv.stop();
}

const sorted = (a) => [...a].sort((x, y) => x - y);
const pct = (a, p) => sorted(a)[Math.min(a.length - 1, Math.floor((a.length * p) / 100))];
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`list page (accounts, demo data, ${RUNS} cold loads, signed in as alice)`);
console.log(`  first meaningful paint: median ${pct(paints, 50).toFixed(0)} ms, min ${Math.min(...paints).toFixed(0)} ms, ` +
  `p90 ${pct(paints, 90).toFixed(0)} ms, max ${Math.max(...paints).toFixed(0)} ms (budget ${BUDGET_MS} ms)`);
console.log(`  load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
if (fcps.length) console.log(`  first contentful paint: median ${pct(fcps, 50).toFixed(0)} ms`);
console.log('bundle (gzip -9):');
for (const f of initial) console.log(`  ${f.padEnd(34)} ${kb(gz(f))}`);
console.log(`  ${'initial total'.padEnd(34)} ${kb(initial.reduce((s, f) => s + gz(f), 0))}`);
for (const f of lazy) console.log(`  ${(f + ' (lazy)').padEnd(34)} ${kb(gz(f))}`);
if (pct(paints, 50) > BUDGET_MS) {
  console.log(`FAIL: median paint over ${BUDGET_MS} ms`);
  process.exitCode = 1;
}
