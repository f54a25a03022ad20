// The web UI's files: served from the binary (or --web-dir) at / and /assets/, with
// index.html for client-side routes but never for /api/, a strict CSP, ETag/304,
// gzip, and long caching for content-hashed assets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, startServer } from './helpers.js';

// A raw GET (node's fetch would decompress and hide Content-Encoding).
function get(base, p, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request(base + p, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web UI files', () => {
  let srv;
  let index;
  before(async () => {
    srv = await startServer();
    index = await get(srv.base, '/');
  });
  after(() => srv.stop());

  test('/ is the app shell: HTML, no inline script or style, strict CSP', () => {
    assert.equal(index.status, 200);
    assert.match(index.headers['content-type'], /^text\/html; charset=utf-8$/);
    const html = index.body.toString();
    assert.match(html, /<div id="app"><\/div>/);
    assert.match(html, /<script type="module" src="\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|style=/, 'no inline style');
    const csp = index.headers['content-security-policy'];
    assert.match(csp, /default-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.headers.etag, /^"[0-9a-f]+"$/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
  });

  test('client-side routes answer the same shell; files that do not exist answer 404', async () => {
    for (const p of ['/r/accounts', '/r/accounts/01a208af-57ca-7465-bc65-fc9022214a7e', '/pipeline', '/search?q=%E5%AE%A2']) {
      const r = await get(srv.base, p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.etag, index.headers.etag, p);
    }
    for (const p of ['/assets/app-NOPE.js', '/favicon.ico', '/index.php']) {
      const r = await get(srv.base, p);
      assert.equal(r.status, 404, p);
      assert.match(r.headers['content-type'], /problem\+json/, p);
    }
  });

  test('/api/ paths never fall back to the shell', async () => {
    for (const p of ['/api', '/api/', '/api/v1', '/api/v1/', '/api/v2/accounts', '/api/v1/accounts/x/y/z/w']) {
      const r = await get(srv.base, p);
      assert.notEqual(r.status, 200, p);
      assert.match(r.headers['content-type'], /problem\+json/, p);
    }
    const post = await get(srv.base, '/', {}, 'POST');
    assert.notEqual(post.status, 200);
  });

  test('assets: type, year-long caching, ETag/304, gzip that unpacks to the same bytes', async () => {
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(index.body.toString())[1];
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(index.body.toString())[1];
    const plain = await get(srv.base, js);
    assert.equal(plain.status, 200);
    assert.match(plain.headers['content-type'], /^text\/javascript/);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.length > 1000);
    const gz = await get(srv.base, js, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.ok(gz.body.length < plain.body.length);
    assert.deepEqual(gunzipSync(gz.body), plain.body);
    const again = await get(srv.base, js, { 'if-none-match': plain.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const other = await get(srv.base, js, { 'if-none-match': '"stale"' });
    assert.equal(other.status, 200);
    const c = await get(srv.base, css);
    assert.match(c.headers['content-type'], /^text\/css/);
    const head = await get(srv.base, '/', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });
});

describe('--web-dir', () => {
  let srv;
  let dir;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rapport-webdir-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>dev</title>');
    writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
    srv = await startServer({ args: ['--web-dir', dir] });
  });
  after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the files of the directory as they are now', async () => {
    const r = await get(srv.base, '/r/contacts');
    assert.equal(r.body.toString(), '<!doctype html><title>dev</title>');
    const js = await get(srv.base, '/app.js', { 'accept-encoding': 'gzip' });
    assert.equal(js.body.toString(), 'console.log(1)');
    assert.equal(js.headers['cache-control'], 'no-cache');
    writeFileSync(path.join(dir, 'app.js'), 'console.log(2)');
    assert.equal((await get(srv.base, '/app.js')).body.toString(), 'console.log(2)');
  });

  test('a missing directory is refused at start', () => {
    const r = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', `sqlite:${path.join(dir, 'x.db')}`,
      '--web-dir', path.join(dir, 'nope')], { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--web-dir .* is not a directory/);
  });
});
