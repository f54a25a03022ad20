// Builds the web UI into web/dist: app-[hash].js (plus lazily loaded chunks) and
// app-[hash].css bundled and minified by esbuild from src/main.jsx, and an index.html that loads them (no inline
// script or style, so it runs under a strict Content-Security-Policy).
//
//   node build.mjs            production build
//   node build.mjs --dev      unminified, with source maps
import * as esbuild from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.join(HERE, 'dist');
const dev = process.argv.includes('--dev');

rmSync(DIST, { recursive: true, force: true });
mkdirSync(path.join(DIST, 'assets'), { recursive: true });

const result = await esbuild.build({
  absWorkingDir: HERE,
  entryPoints: { app: path.join(HERE, 'src', 'main.jsx') },
  bundle: true,
  minify: !dev,
  sourcemap: dev,
  format: 'esm',
  target: ['es2020'],
  outdir: path.join(DIST, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  splitting: true, // Chart.js is loaded only by the dashboard
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
});

const outputs = Object.entries(result.metafile.outputs);
const rel = (p) => path.relative(DIST, p);
// The entry's own output: lazily imported modules are entry points of the metafile too.
const js = outputs.filter(([, o]) => o.entryPoint?.endsWith('main.jsx')).map(([p]) => rel(p)).find((p) => p.endsWith('.js'));
const css = outputs.map(([p]) => rel(p)).find((p) => p.endsWith('.css'));
// Chunks the entry imports statically are fetched at once instead of after the entry,
// and so are the two API answers every page starts with: fewer round trips to paint.
const entryOut = outputs.find(([p]) => rel(p) === js)[1];
const preload = entryOut.imports.filter((i) => i.kind === 'import-statement')
  .map((i) => `<link rel="modulepreload" href="/${path.relative(DIST, path.resolve(HERE, i.path))}">\n`).join('') +
  '<link rel="preload" href="/api/v1/auth/me" as="fetch" crossorigin="anonymous">\n' +
  '<link rel="preload" href="/api/v1/meta" as="fetch" crossorigin="anonymous">\n';
if (!js || !css) throw new Error(`build: expected a .js and a .css output, got ${outputs.map(([p]) => rel(p)).join(', ')}`);

writeFileSync(path.join(DIST, 'index.html'), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/${css}">
<script type="module" src="/${js}"></script>
${preload}
</head>
<body>
<div id="app"></div>
<noscript>Rapport needs JavaScript.</noscript>
</body>
</html>
`);
writeFileSync(path.join(DIST, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="6" fill="#2d5fc4"/><path d="M10 24V8h7a5 5 0 0 1 0 10h-7m7 0 5 6" ' +
  'stroke="#fff" stroke-width="3" fill="none"/></svg>\n');
console.log(`web: built ${js}, ${css}`);
