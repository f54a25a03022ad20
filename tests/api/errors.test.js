// Error handling: malformed bodies, sizes, content types, unknown routes, security
// headers, SQL injection attempts, malformed raw HTTP.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, loginAdmin, create, assertProblem, rawRequest, uniq,
} from './helpers.js';

let srv;
let admin;
let anchor; // a record whose state is checked after every failed request

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  anchor = await create(admin, 'accounts', { name: 'Anchor Account', tier: 'A', annual_revenue: '10.00' });
});
after(async () => { await srv?.stop(); });

async function snapshot() {
  const r = await admin.get('/accounts?limit=500&count=true&sort=name');
  assert.equal(r.status, 200, r.text);
  return JSON.stringify(r.body);
}

async function assertAnchorIntact() {
  const g = await admin.get(`/accounts/${anchor.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body, anchor);
}

describe('request bodies', () => {
  test('malformed JSON → 400 problem; nothing changes', async () => {
    const before0 = await snapshot();
    for (const body of ['{', '{"name": }', "{'name':'x'}", '{"name":"x",}', '{"name":"x"} trailing', '',
      '{"name":"x"\n', 'nul', '{"name":"\\x41"}']) {
      assertProblem(await admin.post('/accounts', body), 400, `POST ${JSON.stringify(body)}`);
      assertProblem(await admin.patch(`/accounts/${anchor.id}`, body), 400, `PATCH ${JSON.stringify(body)}`);
    }
    assert.equal(await snapshot(), before0);
    await assertAnchorIntact();
  });

  test('duplicate keys in a JSON object → 400 or 422, never silently picking one', async () => {
    const r = await admin.post('/accounts', '{"name":"Dup A","name":"Dup B"}');
    assert.ok([400, 422].includes(r.status), `got ${r.status}`);
  });

  test('invalid UTF-8 in the body → 400; nothing changes', async () => {
    const before0 = await snapshot();
    const bad = [
      Buffer.concat([Buffer.from('{"name":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"name":"overlong '), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"name":"surrogate '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"name":"truncated '), Buffer.from([0xe4, 0xb8]), Buffer.from('"}')]),
    ];
    for (const b of bad) {
      assertProblem(await admin.post('/accounts', b), 400, b.toString('hex'));
      assertProblem(await admin.patch(`/accounts/${anchor.id}`, b), 400, b.toString('hex'));
    }
    // escaped lone surrogate is not valid Unicode text either
    const r = await admin.post('/accounts', '{"name":"lone \\ud800 surrogate"}');
    assert.ok([400, 422].includes(r.status), `escaped lone surrogate: ${r.status}`);
    assert.equal(await snapshot(), before0);
  });

  test('deeply nested JSON → 400/422, no crash', async () => {
    for (const body of ['['.repeat(100000), '{"a":'.repeat(50000), `{"name":"deep","description":${'['.repeat(5000)}${']'.repeat(5000)}}`]) {
      const r = await admin.post('/accounts', body);
      assert.ok([400, 413, 422].includes(r.status), `nested: ${r.status}`);
    }
    const h = await fetch(srv.base + '/healthz');
    assert.equal(h.status, 200);
  });

  test('out-of-range JSON numbers and escapes', async () => {
    const r = await admin.post('/accounts', '{"name":"bignum","annual_revenue":1e400}');
    assert.ok([400, 422].includes(r.status), `1e400: ${r.status}`);
    const e = await admin.post('/accounts', '{"name":"Caf\\u00e9 \\ud83d\\ude00 esc"}');
    assert.equal(e.status, 201, e.text);
    assert.equal(e.body.name, 'Café 😀 esc');
  });

  test('NUL inside a string is refused', async () => {
    const r = await admin.post('/accounts', '{"name":"nul\\u0000byte"}');
    assert.ok([400, 422].includes(r.status), `got ${r.status}`);
  });

  test('body over 1 MiB → 413; just under is not 413', async () => {
    const before0 = await snapshot();
    const big = JSON.stringify({ name: 'big', description: 'x'.repeat(1024 * 1024 + 10) });
    const r = await admin.post('/accounts', big);
    assertProblem(r, 413);
    const p = await admin.patch(`/accounts/${anchor.id}`, big);
    assertProblem(p, 413);
    assert.equal(await snapshot(), before0);
    const under = JSON.stringify({ name: uniq('under'), description: 'y'.repeat(1024 * 1024 - 200) });
    const u = await admin.post('/accounts', under);
    assert.notEqual(u.status, 413);
    assert.ok([201, 422].includes(u.status), `just under 1 MiB: ${u.status}`);
  });

  test('Content-Type other than application/json on POST/PATCH → 415', async () => {
    const before0 = await snapshot();
    const body = JSON.stringify({ name: uniq('ct') });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
      'application/jsonx', 'text/json']) {
      assertProblem(await admin.post('/accounts', body, { contentType: ct }), 415, ct);
      assertProblem(await admin.patch(`/accounts/${anchor.id}`, body, { contentType: ct }), 415, ct);
    }
    // no Content-Type at all
    const r = await fetch(srv.base + '/api/v1/accounts', {
      method: 'POST', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf }, body: new Uint8Array(Buffer.from(body)),
    });
    assert.equal(r.status, 415);
    assert.equal(await snapshot(), before0);
  });

  test('application/json with charset parameter is accepted', async () => {
    const r = await admin.post('/accounts', { name: uniq('charset') }, { contentType: 'application/json; charset=utf-8' });
    assert.equal(r.status, 201, r.text);
    const r2 = await admin.post('/accounts', { name: uniq('charset') }, { contentType: 'Application/JSON' });
    assert.equal(r2.status, 201, r2.text);
  });

  test('a failed validation in PATCH changes nothing, including version', async () => {
    const r = await admin.patch(`/accounts/${anchor.id}`, { name: 'New name', tier: 'nope' });
    assertProblem(r, 422);
    await assertAnchorIntact();
    const h = await admin.get(`/accounts/${anchor.id}/history`);
    assert.ok(h.body.data.length >= 1);
    assert.ok(h.body.data.every((e) => e.action === 'create'), 'only the create in history');
  });
});

describe('routing, auth, headers', () => {
  test('unknown route → 404 problem+json', async () => {
    for (const p of ['/api/v1/nope', '/api/v1/accounts/x/y/z', '/api/v2/accounts', '/api/v1/']) {
      assertProblem(await admin.get(p), 404, p);
    }
  });

  test('very long URL → 4xx or close, server alive', async () => {
    // raw socket: the server may answer 414 and close before reading the whole request
    const r = await rawRequest(srv.base, `GET /api/v1/accounts?name=${'a'.repeat(200000)} HTTP/1.1\r\nHost: x\r\n` +
      `Cookie: ${admin.cookie}\r\nConnection: close\r\n\r\n`);
    assert.ok(r.status === null ? r.closed : (r.status >= 400 && r.status < 500), `long query: ${r.status}`);
    assert.equal((await fetch(srv.base + '/healthz')).status, 200);
  });

  test('many query parameters → an answer (or close) within 5 s, not a hang', async () => {
    // a short (7 KB) URL with 500 parameters
    for (const n of [200, 500, 2000]) {
      const many = Array.from({ length: n }, (_, i) => `name[ne]=v${i}`).join('&');
      const r2 = await rawRequest(srv.base, `GET /api/v1/accounts?${many} HTTP/1.1\r\nHost: x\r\n` +
        `Cookie: ${admin.cookie}\r\nConnection: close\r\n\r\n`);
      assert.ok([200, 400, 414, 431].includes(r2.status) || (r2.status === null && r2.closed),
        `${n} filters: status ${r2.status}, closed ${r2.closed}`);
    }
    assert.equal((await fetch(srv.base + '/healthz')).status, 200);
  });

  test('path traversal does not escape the web root', async () => {
    for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd',
      '/static/../../../etc/passwd', '/api/v1/../../../etc/passwd']) {
      const res = await rawRequest(srv.base, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(!res.text.includes('root:'), `${p} leaked /etc/passwd`);
      assert.ok(res.status === null || res.status >= 400 || res.status === 200, `${p}: ${res.status}`);
    }
  });

  test('unsupported method on a known route → 405 with Allow', async () => {
    const r = await admin.put(`/accounts/${anchor.id}`, { name: 'x' });
    assertProblem(r, 405);
    assert.ok(r.headers.get('allow'), 'Allow header');
    await assertAnchorIntact();
  });

  test('a method the records refuse: 405 with the methods they take; a path they lack: 404', async () => {
    const me = (await admin.get('/auth/me')).body.user;
    const r = await admin.del(`/users/${me.id}`);
    assertProblem(r, 405);
    assert.equal(r.headers.get('allow'), 'GET, PATCH');
    assertProblem(await admin.post(`/users/${me.id}/restore`), 404);
    assert.equal((await admin.get(`/users/${me.id}`)).body.active, true);
  });

  test('unauthenticated record requests → 401 problem', async () => {
    const anon = new Client(srv.base);
    for (const [m, p, b] of [['GET', '/accounts'], ['GET', `/accounts/${anchor.id}`], ['POST', '/accounts', { name: 'x' }],
      ['PATCH', `/accounts/${anchor.id}`, { name: 'x' }], ['DELETE', `/accounts/${anchor.id}`], ['GET', '/contacts'],
      ['GET', '/users'], ['GET', '/teams'], ['GET', '/search?q=Anchor'], ['GET', '/tokens'],
      ['GET', `/accounts/${anchor.id}/history`], ['POST', `/accounts/${anchor.id}/restore`]]) {
      assertProblem(await anon.request(m, p, { body: b }), 401, `${m} ${p}`);
    }
    await assertAnchorIntact();
  });

  test('security headers on every kind of response', async () => {
    const anon = new Client(srv.base);
    const responses = [
      await admin.get('/accounts'),
      await admin.get(`/accounts/${anchor.id}`),
      await admin.get('/api/v1/nope'),
      await anon.get('/accounts'),
      await admin.post('/accounts', '{'),
      await anon.get('/healthz', { root: true }),
      await anon.get('/metrics', { root: true }),
      await anon.get('/openapi.json'),
      await admin.del('/accounts/00000000-0000-7000-8000-000000000000'),
    ];
    for (const r of responses) {
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `status ${r.status}`);
      const csp = r.headers.get('content-security-policy') || '';
      assert.match(csp, /frame-ancestors 'none'/, `CSP on ${r.status}: ${csp}`);
    }
  });

  test('JSON responses declare charset-utf-8 JSON; errors are problem+json', async () => {
    const r = await admin.get('/accounts');
    assert.match(r.headers.get('content-type'), /^application\/json(;\s*charset=utf-8)?$/i);
    const e = await admin.get('/accounts/nope');
    assert.match(e.headers.get('content-type'), /^application\/problem\+json/);
  });
});

describe('SQL injection attempts are harmless', () => {
  const payloads = ["' OR 1=1 --", "'; DROP TABLE accounts; --", '") OR 1=1 --', "1' OR '1'='1",
    'x%27%20OR%201=1', "name' --", '\\', "'", '"', ';', '*/', '/*', "' UNION SELECT password_hash FROM users --"];

  test('filter values', async () => {
    for (const p of payloads) {
      for (const f of ['name', 'name[eq]', 'name[like]', 'name[ne]', 'tier[in]', 'annual_revenue[gt]']) {
        const r = await admin.get(`/accounts?${f}=${encodeURIComponent(p)}`);
        assert.ok([200, 400].includes(r.status), `${f}=${p}: ${r.status} ${r.text}`);
        if (r.status === 200 && f !== 'name[ne]') assert.equal(r.body.data.length, 0, `${f}=${p} matched rows`);
        if (r.status === 200 && f === 'name[ne]') assert.ok(r.body.data.length >= 1);
      }
    }
    await assertAnchorIntact();
  });

  test('filter field names and operators', async () => {
    for (const p of ['name;DROP TABLE accounts', "name'", 'name)--', '1=1', 'name[eq];--', "name[eq' OR 1=1]"]) {
      const r = await admin.get(`/accounts?${encodeURIComponent(p)}=x`);
      assertProblem(r, 400, p);
    }
    assertProblem(await admin.get(`/accounts?name[${encodeURIComponent("eq' OR '1'='1")}]=x`), 400);
  });

  test('sort', async () => {
    for (const s of ['name;DROP TABLE accounts', 'name desc', '(select 1)', "name'", 'name,', 'name--', '1']) {
      assertProblem(await admin.get(`/accounts?sort=${encodeURIComponent(s)}`), 400, s);
    }
  });

  test('q', async () => {
    for (const p of payloads) {
      const r = await admin.get(`/accounts?q=${encodeURIComponent(p)}`);
      assert.ok([200, 400].includes(r.status), `q=${p}: ${r.status}`);
      if (r.status === 200) assert.ok(!r.body.data.some((x) => x.id === anchor.id), `q=${p} returned anchor`);
      const s = await admin.get(`/search?q=${encodeURIComponent(p)}`);
      assert.ok([200, 400].includes(s.status), `search q=${p}: ${s.status}`);
    }
  });

  test('cursor', async () => {
    for (const p of payloads) {
      assertProblem(await admin.get(`/accounts?cursor=${encodeURIComponent(p)}`), 400, p);
      const b64 = Buffer.from(p).toString('base64url');
      assertProblem(await admin.get(`/accounts?cursor=${b64}`), 400, `b64 ${p}`);
    }
  });

  test('ids', async () => {
    for (const p of payloads.concat([`${'x'.repeat(40)}' OR '1'='1`])) {
      const id = encodeURIComponent(p);
      const g = await admin.get(`/accounts/${id}`);
      assert.ok([400, 404].includes(g.status), `GET ${p}: ${g.status}`);
      const pa = await admin.patch(`/accounts/${id}`, { name: 'pwned' });
      assert.ok([400, 404].includes(pa.status), `PATCH ${p}: ${pa.status}`);
      const d = await admin.del(`/accounts/${id}`);
      assert.ok([400, 404].includes(d.status), `DELETE ${p}: ${d.status}`);
      const h = await admin.get(`/accounts/${id}/history`);
      assert.ok([400, 404].includes(h.status), `history ${p}: ${h.status}`);
    }
    await assertAnchorIntact();
  });

  test('values are stored literally', async () => {
    const evil = "Robert'); DROP TABLE accounts;--";
    const a = await create(admin, 'accounts', { name: evil, description: '" OR 1=1 --' });
    const g = await admin.get(`/accounts/${a.id}`);
    assert.equal(g.body.name, evil);
    const f = await admin.get(`/accounts?name=${encodeURIComponent(evil)}`);
    assert.deepEqual(f.body.data.map((x) => x.id), [a.id]);
    await assertAnchorIntact();
    const all = await admin.get('/accounts?count=true');
    assert.ok(all.body.total >= 2);
  });
});

describe('malformed raw HTTP', () => {
  async function assertAlive() {
    const r = await fetch(srv.base + '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ok' });
  }
  function badOrClosed(res, what) {
    assert.ok(res.status === 400 || (res.status === null && res.closed),
      `${what}: status ${res.status}, closed ${res.closed}, text ${JSON.stringify(res.text.slice(0, 200))}`);
  }

  test('garbage request line → 400 or close', async () => {
    badOrClosed(await rawRequest(srv.base, 'THIS IS NOT HTTP\r\n\r\n'), 'garbage');
    await assertAlive();
    const v = await rawRequest(srv.base, 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n');
    assert.ok(v.status === 400 || v.status === 505 || (v.status === null && v.closed), `bad version: ${v.status}`);
    await assertAlive();
    badOrClosed(await rawRequest(srv.base, 'GET\r\n\r\n'), 'method only');
    await assertAlive();
  });

  test('binary garbage request line: never a success, never blocks other clients', async () => {
    // libmicrohttpd 0.9.75 reads a request line that starts with NUL as an empty line and
    // waits for more until the 30 s idle timeout closes the connection — the same as any
    // slow client. What must hold: no success answer, and everyone else is still served.
    const pending = rawRequest(srv.base, Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]),
      { timeoutMs: 2000 });
    await assertAlive();
    const res = await pending;
    assert.ok(res.status === null || res.status >= 400, `binary: status ${res.status}`);
    await assertAlive();
  });

  test('header line without a colon → 400 or close', async () => {
    badOrClosed(await rawRequest(srv.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'), 'no colon');
    await assertAlive();
  });

  test('huge header → 4xx or close, not a crash', async () => {
    const res = await rawRequest(srv.base, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200000)}\r\n\r\n`);
    assert.ok(res.status === null || (res.status >= 400 && res.status < 500), `status ${res.status}`);
    await assertAlive();
  });

  test('bogus Content-Length / truncated body → no crash', async () => {
    const body = '{"name":"trunc"}';
    await rawRequest(srv.base, `POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\n` +
      `X-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n${body}`,
    { timeoutMs: 1500 });
    const r2 = await rawRequest(srv.base, 'POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n');
    assert.ok(r2.status === null || r2.status === 400, `negative length: ${r2.status}`);
    await assertAlive();
    const l = await admin.get('/accounts?name=trunc');
    assert.equal(l.body.data.length, 0, 'truncated request created nothing');
  });

  test('chunked body over 1 MiB → 413 (or close), nothing created', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    let body = '';
    const parts = ['{"name":"chunked-big","description":"'];
    for (let i = 0; i < 20; i++) parts.push(chunk);
    parts.push('"}');
    for (const p of parts) body += `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`;
    body += '0\r\n\r\n';
    const res = await rawRequest(srv.base, `POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\n` +
      `X-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n` +
      `Connection: close\r\n\r\n${body}`, { timeoutMs: 10000 });
    assert.ok(res.status === 413 || (res.status === null && res.closed), `chunked: ${res.status} ${res.text.slice(0, 200)}`);
    await assertAlive();
    const l = await admin.get('/accounts?name=chunked-big');
    assert.equal(l.body.data.length, 0);
  });

  test('Expect: 100-continue with a too-large Content-Length → 413 without sending the body', async () => {
    const res = await rawRequest(srv.base, `POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\n` +
      `X-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n` +
      'Expect: 100-continue\r\n\r\n', { timeoutMs: 3000 });
    assert.equal(res.status, 413, `got ${res.status}: ${res.text.slice(0, 200)}`);
    await assertAlive();
  });

  test('keep-alive: two pipelined requests on one connection get two answers', async () => {
    const res = await rawRequest(srv.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const answers = res.text.match(/HTTP\/1\.1 200/g) || [];
    assert.equal(answers.length, 2, res.text.slice(0, 500));
    const first = res.text.slice(0, res.text.indexOf('\r\n\r\n'));
    assert.ok(!/^connection: close/im.test(first), 'first answer keeps the connection open');
  });

  // RFC 9112 §6.3: framing two parsers could read differently is refused with 400 and
  // the connection closed, so nothing sent after the head (a smuggled request) is
  // ever answered or run.
  const SMUGGLED = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  function assertRefusedAndClosed(res, status, what) {
    assert.equal(res.status, status, `${what}: ${res.text.slice(0, 300)}`);
    assert.ok(res.closed, `${what}: the connection is closed`);
    assert.match(res.text, /^connection: close/im, `${what}: says Connection: close`);
    assert.equal((res.text.match(/HTTP\/1\.1 \d{3}/g) || []).length, 1, `${what}: one answer only: ${res.text}`);
  }

  test('two Content-Length headers → 400 and close, the rest is not run', async () => {
    const name = uniq('smuggled');
    const inner = JSON.stringify({ name });
    const smuggledPost = `POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\n` +
      `X-CSRF-Token: ${admin.csrf}\r\nContent-Type: application/json\r\nContent-Length: ${inner.length}\r\n\r\n${inner}`;
    const body = `{"a":1}${smuggledPost}`;
    for (const [a, b] of [[7, body.length], [body.length, 7], [7, 7]]) {
      const res = await rawRequest(srv.base, `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${a}\r\nContent-Length: ${b}\r\n\r\n${body}`);
      assertRefusedAndClosed(res, 400, `Content-Length ${a} and ${b}`);
    }
    assert.equal((await admin.get(`/accounts?name=${name}`)).body.data.length, 0, 'the smuggled create did not run');
    await assertAlive();
  });

  test('Content-Length with Transfer-Encoding: chunked → 400 and close', async () => {
    for (const head of ['Content-Length: 4\r\nTransfer-Encoding: chunked', 'Transfer-Encoding: chunked\r\nContent-Length: 4',
      'content-length: 4\r\ntransfer-encoding: CHUNKED']) {
      const res = await rawRequest(srv.base, `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n` +
        `Content-Type: application/json\r\n${head}\r\n\r\n0\r\n\r\n${SMUGGLED}`);
      assertRefusedAndClosed(res, 400, head);
    }
    const two = await rawRequest(srv.base, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n' +
      `Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`);
    assertRefusedAndClosed(two, 400, 'two Transfer-Encoding headers');
    const gzip = await rawRequest(srv.base, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n' +
      `Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`);
    assertRefusedAndClosed(gzip, 501, 'a transfer coding other than chunked');
    await assertAlive();
  });

  test('bare CR in a header value and obsolete line folding → 400 and close', async () => {
    for (const [what, line] of [['bare CR', 'X-A: a\rX-B: b'], ['folded with a space', 'X-A: a\r\n b'],
      ['folded with a tab', 'X-A: a\r\n\tb'], ['folded Cookie', `Cookie: x=1\r\n ${admin.cookie}`],
      ['space in a name', 'X A: a'], ['DEL in a value', 'X-A: a\x7f']]) {
      const res = await rawRequest(srv.base, `GET /healthz HTTP/1.1\r\nHost: x\r\n${line}\r\n\r\n${SMUGGLED}`);
      assertRefusedAndClosed(res, 400, what);
    }
    await assertAlive();
  });

  test('ordinary heads still pass: one Content-Length, chunked alone, blanks, empty values, bare LF', async () => {
    const ok = await rawRequest(srv.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A:   a \t\r\nX-Empty:\r\n' +
      'User-Agent: Mozilla/5.0 (X11)\r\n\r\nGET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n');
    assert.equal((ok.text.match(/HTTP\/1\.1 200/g) || []).length, 2, ok.text);
    const chunked = await rawRequest(srv.base, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
    assert.equal(chunked.status, 422, chunked.text.slice(0, 300));
  });

  test('a well-formed raw request works and keeps security headers', async () => {
    const res = await rawRequest(srv.base, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200);
    assert.match(res.text, /x-content-type-options: nosniff/i);
  });
});
