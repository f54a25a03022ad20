// Builds the web UI into web/dist: app-[hash].js and app-[hash].css bundled and
// minified by esbuild from src/main.jsx, and an index.html that loads them (no inline
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
  entryPoints: { app: path.join(HERE, 'src', 'main.jsx') },
  bundle: true,
  minify: !dev,
  sourcemap: dev,
  format: 'esm',
  target: ['es2020'],
  outdir: path.join(DIST, 'assets'),
  entryNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(DIST, p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) throw new Error(`build: expected a .js and a .css output, got ${outputs.join(', ')}`);

writeFileSync(path.join(DIST, 'index.html'), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport</title>
<link rel="stylesheet" href="/${css}">
<script type="module" src="/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>Rapport needs JavaScript.</noscript>
</body>
</html>
`);
console.log(`web: built ${js}, ${css}`);
