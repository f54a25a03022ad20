// Webhooks (src/mod/automation/): every change of a subscribed entity posted, signed,
// to a REAL node http receiver on 127.0.0.1 (allowed through the automation settings'
// allow-list): created/updated/deleted/restored bodies, headers and HMAC-SHA256
// signatures checked with node:crypto, `changes` on updates, unsubscribed events, other
// entities and inactive webhooks sending nothing; a receiver outage (503s, then the port
// closed) after which every delivery arrives exactly once and in order; pausing after
// max_attempts with the administrators' alert, redeliver and resume; server-side request
// forgery refused — a table of loopback, private, link-local and IPv4-mapped spellings
// either refused on create (literals) or refused when called (names), with a trap
// listening on every local address that must see no connection — non-http schemes and
// a redirect not followed; administrators only; settings validation.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  startServer, loginAdmin, login, createUser, create, assertProblem, uniq, RFC3339_Z_RE, UUID_RE,
} from './helpers.js';
import { eventually } from './sse.js';

// ---- a receiver: a real HTTP server that logs every request and answers as told ----

class Receiver {
  constructor(host = '127.0.0.1') {
    this.host = host;
    this.port = 0;
    this.hits = [];        // {path, method, headers, raw (Buffer), status (answered), at}
    this.connections = 0;  // TCP connections accepted, requests or not
    this.answers = new Map(); // path → () => {status, headers, body}
    this.server = null;
  }

  async start() {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        const path = req.url.split('?')[0];
        const how = this.answers.get(path);
        const a = how ? how() : { status: 200 };
        this.hits.push({ path, method: req.method, headers: req.headers, raw: Buffer.concat(chunks), status: a.status, at: Date.now() });
        res.writeHead(a.status, { 'content-type': 'text/plain', ...(a.headers || {}) });
        res.end(a.body ?? (a.status < 300 ? 'ok' : `answer ${a.status}`));
      });
    });
    server.on('connection', () => { this.connections++; });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    this.port = server.address().port;
    return this;
  }

  // Closes the port (and every kept-open connection): callers get "connection refused".
  async stop() {
    const s = this.server;
    if (!s) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }

  url(path) { return `http://127.0.0.1:${this.port}${path}`; }
  at(path) { return this.hits.filter((h) => h.path === path); }
}

// X-Rapport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the secret>.
function signatureValid(secret, header, raw) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.`).update(raw).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}

function signatureTime(header) {
  return Number(/^t=(\d+),/.exec(header)[1]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = Number(process.env.WEBHOOK_OUTAGE_MS || 60000);

// The refusal texts of the guarded client (outbound.c): a resolved address judged, or
// the socket callback's last check.
const REFUSED = /is an? [^:]+ address: not called unless an administrator allows it|connection went to an address that is not allowed/;

describe('webhooks', () => {
  let srv, admin, rep, repUser, rx, trap, other;

  before(async () => {
    rx = await new Receiver().start();
    // The trap listens on every local address (dual-stack ::, or 0.0.0.0 without IPv6):
    // any connection a refused URL made to this machine at its port would land here.
    trap = new Receiver('::');
    try { await trap.start(); } catch { trap = await new Receiver('0.0.0.0').start(); }
    other = await new Receiver().start(); // a redirect's target
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
    admin = await loginAdmin(srv.base);
    repUser = await createUser(admin, { username: 'whrep', role: 'sales' });
    rep = await login(srv.base, 'whrep', 'password-123');
  });

  after(async () => {
    await srv?.stop();
    await rx?.stop();
    await trap?.stop();
    await other?.stop();
  });

  const settings = (body) => admin.patch('/automation/settings', body);
  const getSettings = async () => (await admin.get('/automation/settings')).body;
  const hook = (body) => admin.post('/webhooks', { name: uniq('hook'), entity: 'contacts', events: ['created', 'updated', 'deleted', 'restored'], ...body });
  async function log(webhookId) {
    const r = await admin.get(`/webhook_deliveries?webhook_id=${webhookId}&limit=200`);
    assert.equal(r.status, 200, r.text);
    return r.body.data;
  }
  // Waits until webhookId's log has n rows, all with status `status`; returns them.
  function settled(webhookId, n, status = 'delivered', ms = 15000) {
    return eventually(async () => {
      const rows = await log(webhookId);
      return rows.length === n && rows.every((d) => d.status === status) ? rows : null;
    }, ms, `${n} deliveries of ${webhookId} ${status}`);
  }
  const contact = (client, last) => create(client, 'contacts', { last_name: last });

  // ---- settings ----

  test('settings: defaults, validation (422 naming the fields, nothing changed), a good change', async () => {
    const defaults = { allow_list: '', retry_base_s: 10, max_attempts: 10 };
    assert.deepEqual(await getSettings(), defaults);

    let r = await settings({ allow_list: '127.0.0.1, not a host!', retry_base_s: 0 });
    assertProblem(r, 422);
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['allow_list', 'retry_base_s']);
    assert.match(r.body.errors.find((e) => e.field === 'allow_list').message, /host!/);
    // All or nothing: a good value next to a bad one is not kept either.
    assertProblem(await settings({ max_attempts: 5, retry_base_s: 0 }), 422);
    for (const [body, field] of [
      [{ retry_base_s: 3601 }, 'retry_base_s'],
      [{ retry_base_s: -1 }, 'retry_base_s'],
      [{ retry_base_s: 1.5 }, 'retry_base_s'],
      [{ retry_base_s: '5' }, 'retry_base_s'],
      [{ max_attempts: 0 }, 'max_attempts'],
      [{ max_attempts: 31 }, 'max_attempts'],
      [{ allow_list: 5 }, 'allow_list'],
      [{ allow_list: '10.0.0.0/33' }, 'allow_list'],
      [{ allow_list: 'fd00::/129' }, 'allow_list'],
      [{ allow_list: 'http://127.0.0.1/' }, 'allow_list'],
      [{ allow_list: 'a'.repeat(5000) }, 'allow_list'],
      [{ allow_list: Array.from({ length: 65 }, (_, i) => `10.0.0.${i}`).join(',') }, 'allow_list'],
      [{ colour: 'red' }, 'colour'],
    ]) {
      r = await settings(body);
      assertProblem(r, 422, JSON.stringify(body).slice(0, 80));
      assert.deepEqual(r.body.errors.map((e) => e.field), [field], JSON.stringify(body).slice(0, 80));
    }
    assert.deepEqual(await getSettings(), defaults, 'nothing changed');

    // Addresses, ranges and names separated by commas, spaces and line breaks.
    const allow = '127.0.0.1, 10.0.0.0/8\nfd00::/8 hooks.example.internal;192.168.7.7';
    r = await settings({ allow_list: allow, retry_base_s: 3600, max_attempts: 30 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { allow_list: allow, retry_base_s: 3600, max_attempts: 30 });
    // A partial change leaves the rest; null empties the allow-list.
    r = await settings({ allow_list: null, retry_base_s: 10, max_attempts: 10 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await getSettings(), defaults);
  });

  test('non-administrators: settings 403, webhooks and their log neither listed, read nor written', async () => {
    const h = (await hook({ url: 'https://example.com/hook', active: false })).body;
    assert.ok(h.id, 'created');
    assertProblem(await rep.get('/automation/settings'), 403);
    assertProblem(await rep.patch('/automation/settings', { allow_list: '127.0.0.1' }), 403);
    assertProblem(await rep.get('/webhooks'), 403);
    assertProblem(await rep.post('/webhooks', { name: 'mine', url: 'https://example.com/x', entity: 'contacts', events: ['created'] }), 403);
    assertProblem(await rep.get('/webhook_deliveries'), 403);
    assertProblem(await rep.get(`/webhook_deliveries?webhook_id=${h.id}`), 403);
    for (const [m, p, body] of [
      ['GET', `/webhooks/${h.id}`],
      ['PATCH', `/webhooks/${h.id}`, { url: 'https://evil.example.com/' }],
      ['DELETE', `/webhooks/${h.id}`],
      ['POST', `/webhooks/${h.id}/test`],
      ['POST', `/webhooks/${h.id}/resume`],
      ['POST', `/webhook_deliveries/${h.id}/redeliver`],
    ]) {
      const r = await rep.request(m, p, { body });
      assert.ok([403, 404].includes(r.status), `${m} ${p}: ${r.status} ${r.text}`);
      assertProblem(r, r.status, `${m} ${p}`);
    }
    assertProblem(await rep.patch('/automation/settings', { max_attempts: 1 }), 403);
    assert.equal((await getSettings()).max_attempts, 10);
    const now = (await admin.get(`/webhooks/${h.id}`)).body;
    assert.equal(now.url, 'https://example.com/hook');
    assert.equal(now.version, h.version);
    assert.equal((await admin.del(`/webhooks/${h.id}`)).status, 204);
  });

  test('webhook fields: a generated secret, read-only state, unknown entities and events refused', async () => {
    const r = await hook({ url: 'https://example.com/hook', active: false, description: 'CRM → ERP' });
    assert.equal(r.status, 201, r.text);
    const h = r.body;
    assert.match(h.secret, /^whsec_[0-9a-f]{48}$/);
    assert.equal(h.status, 'active');
    assert.equal(h.paused_reason, null);
    const h2 = (await hook({ url: 'https://example.com/hook2', active: false })).body;
    assert.notEqual(h2.secret, h.secret, 'each webhook its own secret');
    for (const [body, field] of [
      [{ secret: 'whsec_mine' }, 'secret'],
      [{ status: 'paused' }, 'status'],
      [{ failures: 0 }, 'failures'],
      [{ paused_reason: 'x' }, 'paused_reason'],
    ]) {
      assert.ok(assertProblem(await admin.patch(`/webhooks/${h.id}`, body), 422).errors.some((e) => e.field === field), field);
    }
    for (const [body, field] of [
      [{ entity: 'spaceships' }, 'entity'],
      [{ entity: 'webhooks' }, 'entity'],
      [{ entity: 'webhook_deliveries' }, 'entity'],
      [{ events: ['exploded'] }, 'events'],
      [{ secret: 'whsec_x' }, 'secret'],
    ]) {
      const e = assertProblem(await hook({ url: 'https://example.com/x', active: false, ...body }), 422);
      assert.ok(e.errors.some((x) => x.field === field), `${JSON.stringify(body)}: ${JSON.stringify(e.errors)}`);
    }
    assert.equal((await admin.get(`/webhooks/${h.id}`)).body.secret, h.secret, 'the secret kept');
    assert.equal((await admin.del(`/webhooks/${h.id}`)).status, 204);
    assert.equal((await admin.del(`/webhooks/${h2.id}`)).status, 204);
  });

  // ---- server-side request forgery ----

  // trap port: every spelling that names this machine points at the trap, so a
  // connection that got through would be seen. must422: a literal address (judged on
  // create). resolveMayFail: a name the resolver here may not know (then "could not
  // be resolved" is refusal enough).
  const P = () => trap.port;
  const SSRF = () => [
    // loopback, literal
    { url: 'http://127.0.0.1/', must422: true },
    { url: `http://127.0.0.1:${P()}/`, must422: true },
    { url: `https://127.0.0.1:${P()}/`, must422: true },
    { url: `HTTP://127.0.0.1:${P()}/hook`, must422: true },
    { url: `http://127.255.255.254:${P()}/`, must422: true },
    { url: `http://user:pass@127.0.0.1:${P()}/`, must422: true },
    { url: `http://example.com@127.0.0.1:${P()}/`, must422: true },
    { url: `http://127.0.0.1:${P()}#@example.com/`, must422: true },
    { url: `http://[::1]:${P()}/`, must422: true },
    { url: 'http://[::1]/', must422: true },
    { url: `http://[0:0:0:0:0:0:0:1]:${P()}/`, must422: true },
    { url: `http://[0000::1]:${P()}/`, must422: true },
    { url: `http://[::ffff:127.0.0.1]:${P()}/`, must422: true },
    { url: 'http://[::ffff:127.0.0.1]/', must422: true },
    { url: `http://[::ffff:7f00:1]:${P()}/`, must422: true },
    { url: `http://[0:0:0:0:0:ffff:127.0.0.1]:${P()}/`, must422: true },
    { url: `http://[::127.0.0.1]:${P()}/`, must422: true },        // IPv4-compatible
    { url: `http://[64:ff9b::127.0.0.1]:${P()}/`, must422: true }, // NAT64
    { url: `http://[2002:7f00:1::]:${P()}/`, must422: true },      // 6to4
    // loopback, numeric shorthands (curl's URL parser may or may not normalise them)
    { url: `http://127.1:${P()}/` },
    { url: 'http://127.1/' },
    { url: `http://127.0.1:${P()}/` },
    { url: `http://2130706433:${P()}/` },
    { url: 'http://2130706433/' },
    { url: `http://0x7f000001:${P()}/` },
    { url: `http://0x7f.1:${P()}/` },
    { url: 'http://0x7f.1/' },
    { url: `http://0X7F.0.0.1:${P()}/` },
    { url: `http://0177.0.0.1:${P()}/` },
    { url: 'http://0177.0.0.1/' },
    { url: `http://017700000001:${P()}/` },
    { url: `http://127.000.000.001:${P()}/` },
    { url: `http://127.0.0.1.:${P()}/`, resolveMayFail: true },
    // this network / unspecified
    { url: `http://0.0.0.0:${P()}/`, must422: true },
    { url: `http://0:${P()}/` },
    { url: `http://[::]:${P()}/`, must422: true },
    // private
    { url: 'http://10.0.0.1/', must422: true },
    { url: 'http://10.255.255.255:8080/x', must422: true },
    { url: 'http://172.16.5.4/', must422: true },
    { url: 'http://172.31.255.1/', must422: true },
    { url: 'http://192.168.1.1/', must422: true },
    { url: 'http://192.168.0.1:8080/admin', must422: true },
    { url: 'http://[::ffff:10.0.0.1]/', must422: true },
    { url: 'http://[::ffff:192.168.1.1]/', must422: true },
    { url: 'http://100.64.0.1/', must422: true },
    { url: 'http://192.0.0.1/', must422: true },
    // link-local and the metadata service
    { url: 'http://169.254.169.254/latest/meta-data', must422: true },
    { url: 'http://169.254.169.254/computeMetadata/v1/', must422: true },
    { url: 'http://[::ffff:169.254.169.254]/latest/meta-data', must422: true },
    { url: 'http://[::ffff:a9fe:a9fe]/latest/meta-data', must422: true },
    { url: 'http://0xa9fea9fe/latest/meta-data' },
    { url: 'http://2852039166/latest/meta-data' },
    { url: 'http://169.254.43518/latest/meta-data' },
    { url: 'http://[fe80::1]/', must422: true },
    { url: 'http://[fe80::1%25eth0]/', must422: true },
    // unique-local, site-local, multicast, broadcast
    { url: 'http://[fc00::1]/', must422: true },
    { url: 'http://[fd12:3456::1]/', must422: true },
    { url: 'http://[fec0::1]/', must422: true },
    { url: 'http://224.0.0.1/', must422: true },
    { url: 'http://[ff02::1]/', must422: true },
    { url: 'http://255.255.255.255/', must422: true },
    // names, resolved only when called
    { url: `http://localhost:${P()}/` },
    { url: `http://localhost.:${P()}/`, resolveMayFail: true },
    { url: `http://LOCALHOST:${P()}/` },
    { url: `http://LocalHost.:${P()}/hook`, resolveMayFail: true },
    { url: 'http://localhost/' },
    { url: `http://ip6-localhost:${P()}/`, resolveMayFail: true },
    { url: `http://ip6-loopback:${P()}/`, resolveMayFail: true },
    { url: `http://①②⑦.0.0.1:${P()}/`, resolveMayFail: true },
  ];

  test('SSRF: loopback/private/link-local/mapped spellings are refused on create, or refused when called', async () => {
    assert.equal((await getSettings()).allow_list, '');
    const table = SSRF();
    assert.ok(table.length >= 40);
    const created = [];
    const outcome = [];
    for (const v of table) {
      const r = await admin.post('/webhooks', { name: uniq('ssrf'), url: v.url, entity: 'products', events: ['created'], active: false });
      if (r.status === 422) {
        assertProblem(r, 422, v.url);
        assert.ok(r.body.errors.some((e) => e.field === 'url'), `${v.url}: ${r.text}`);
        outcome.push(`${v.url} → 422`);
        continue;
      }
      assert.equal(r.status, 201, `${v.url}: ${r.status} ${r.text}`);
      assert.ok(!v.must422, `${v.url} is a literal private address and must be refused on create`);
      created.push({ ...v, hook: r.body });
      outcome.push(`${v.url} → created, judged when called`);
    }
    // The names (at least) got through the create: they are judged when called.
    assert.ok(created.some((v) => /localhost/i.test(v.url)), outcome.join('\n'));

    // Called for real: each becomes active, a product is created, each delivery is
    // refused at once (no retry helps), and its webhook pauses.
    for (const v of created) {
      const r = await admin.patch(`/webhooks/${v.hook.id}`, { active: true });
      assert.equal(r.status, 200, r.text);
    }
    await create(admin, 'products', { sku: uniq('SSRF'), name: 'SSRF bait', list_price: '1.00' });
    for (const v of created) {
      const [d] = await settled(v.hook.id, 1, 'failed');
      assert.equal(d.attempts, 1, `${v.url}: a refusal is not retried`);
      assert.equal(d.response_code, null, v.url);
      const refusal = v.resolveMayFail ? new RegExp(`${REFUSED.source}|could not be resolved`) : REFUSED;
      assert.match(d.response || '', refusal, `${v.url}: ${d.response}`);
      const h = (await admin.get(`/webhooks/${v.hook.id}`)).body;
      assert.equal(h.status, 'paused', v.url);
    }
    // "Send test" to the same URLs (its answer is checked in a test of its own).
    for (const v of created) await admin.post(`/webhooks/${v.hook.id}/test`);
    assert.equal(trap.connections, 0, `the trap was reached: ${trap.hits.map((h) => h.headers.host).join(', ')}`);
    assert.equal(trap.hits.length, 0);
    for (const v of created) assert.equal((await admin.del(`/webhooks/${v.hook.id}`)).status, 204);
  });

  test('SSRF: other schemes and malformed URLs are 422; a URL changed to a private address is 422', async () => {
    for (const url of [
      'gopher://127.0.0.1:70/_GET%20/', 'gopher://example.com/', 'file:///etc/passwd', 'file://localhost/etc/passwd',
      'ftp://example.com/x', 'dict://127.0.0.1:11211/stats', 'ldap://example.com/', 'javascript:alert(1)',
      'data:text/plain,hi', '//example.com/hook', 'example.com/hook', 'http://', '',
      `telnet://127.0.0.1:${P()}`, 'ws://example.com/', 'https//example.com',
    ]) {
      const r = await admin.post('/webhooks', { name: uniq('scheme'), url, entity: 'contacts', events: ['created'], active: false });
      assertProblem(r, 422, url);
      assert.ok(r.body.errors.some((e) => e.field === 'url'), `${url}: ${r.text}`);
    }
    const h = (await hook({ url: 'https://example.com/hook', active: false })).body;
    for (const url of ['http://10.0.0.1/', 'http://[::1]/', `http://127.0.0.1:${P()}/`, 'http://169.254.169.254/']) {
      const r = await admin.patch(`/webhooks/${h.id}`, { url });
      assertProblem(r, 422, url);
      assert.deepEqual(r.body.errors.map((e) => e.field), ['url']);
    }
    assert.equal((await admin.get(`/webhooks/${h.id}`)).body.url, 'https://example.com/hook');
    assert.equal((await admin.del(`/webhooks/${h.id}`)).status, 204);
  });

  test('the allow-list lets exactly the listed addresses and ranges through', async () => {
    assert.equal((await settings({ allow_list: '10.0.0.0/8 fd00::/8 192.168.7.7' })).status, 200);
    try {
      const ok = [];
      for (const url of ['http://10.1.2.3/', 'http://10.255.0.1:8080/x', 'http://[fd00::5]/', 'http://192.168.7.7/']) {
        const r = await hook({ url, active: false });
        assert.equal(r.status, 201, `${url}: ${r.text}`);
        ok.push(r.body.id);
      }
      for (const url of ['http://192.168.7.8/', 'http://172.16.0.1/', 'http://127.0.0.1/', 'http://[fc00::1]/', 'http://169.254.169.254/']) {
        assertProblem(await hook({ url, active: false }), 422, url);
      }
      for (const id of ok) assert.equal((await admin.del(`/webhooks/${id}`)).status, 204);
    } finally {
      assert.equal((await settings({ allow_list: null })).status, 200);
    }
  });

  // ---- deliveries to a real receiver ----

  let A, B, C, D;        // webhooks of the delivery test
  let c1, c1Versions;    // its contact and the versions the API answered

  test('deliveries: created/updated/deleted/restored signed, with headers, bodies and changes; nothing unsubscribed', async () => {
    assert.equal((await settings({ allow_list: '127.0.0.1', retry_base_s: 1, max_attempts: 10 })).status, 200);
    const mk = async (body) => { const r = await hook(body); assert.equal(r.status, 201, r.text); return r.body; };
    A = await mk({ url: rx.url('/a') });
    B = await mk({ url: rx.url('/b'), events: ['deleted'] });
    C = await mk({ url: rx.url('/c'), active: false });
    D = await mk({ url: rx.url('/d'), entity: 'accounts', events: ['created', 'updated'] });
    const t0 = Math.floor(Date.now() / 1000);

    c1 = await contact(admin, 'Hook');
    c1Versions = [c1.version];
    let r = await admin.patch(`/contacts/${c1.id}`, { last_name: 'Hooked', city: '上海' });
    assert.equal(r.status, 200, r.text);
    c1Versions.push(r.body.version);
    // An update that changes nothing sends nothing.
    r = await admin.patch(`/contacts/${c1.id}`, { last_name: 'Hooked' });
    assert.equal(r.status, 200, r.text);
    assert.equal((await admin.del(`/contacts/${c1.id}`)).status, 204);
    r = await admin.post(`/contacts/${c1.id}/restore`);
    assert.equal(r.status, 200, r.text);
    c1Versions.push(r.body.version);
    const c2 = await contact(rep, 'By the rep');
    const acc = await create(admin, 'accounts', { name: uniq('Hook account') });
    assert.equal((await admin.del(`/accounts/${acc.id}`)).status, 204); // D is not subscribed to deleted

    const logA = await settled(A.id, 5);
    const logB = await settled(B.id, 1);
    const logD = await settled(D.id, 1);
    assert.deepEqual(await log(C.id), [], 'an inactive webhook gets no deliveries');

    const expected = [
      ['created', c1.id, admin.user.id], ['updated', c1.id, admin.user.id], ['deleted', c1.id, admin.user.id],
      ['restored', c1.id, admin.user.id], ['created', c2.id, repUser.id],
    ];
    const hitsA = rx.at('/a');
    assert.equal(hitsA.length, 5, 'each delivery posted once');
    assert.deepEqual(hitsA.map((h) => [h.headers['x-rapport-event'], JSON.parse(h.raw).record.id]), expected.map(([e, id]) => [e, id]));
    const byId = new Map(logA.map((d) => [d.id, d]));
    for (const [i, h] of hitsA.entries()) {
      const [event, recordId, actor] = expected[i];
      const what = `delivery ${i} (${event})`;
      assert.equal(h.method, 'POST');
      assert.equal(h.headers['content-type'], 'application/json; charset=utf-8', what);
      assert.equal(h.headers['x-rapport-event'], event, what);
      assert.equal(h.headers['x-rapport-webhook'], A.id, what);
      assert.match(h.headers['x-rapport-delivery'], UUID_RE, what);
      assert.match(h.headers['user-agent'], /Rapport/);
      assert.ok(signatureValid(A.secret, h.headers['x-rapport-signature'], h.raw), `${what}: signature ${h.headers['x-rapport-signature']}`);
      const t = signatureTime(h.headers['x-rapport-signature']);
      assert.ok(t >= t0 - 1 && t <= Math.ceil(h.at / 1000) + 1, `${what}: t=${t} is now`);
      // The signature is of exactly these bytes under exactly this secret.
      assert.ok(!signatureValid(B.secret, h.headers['x-rapport-signature'], h.raw));
      assert.ok(!signatureValid(A.secret, h.headers['x-rapport-signature'], Buffer.concat([h.raw, Buffer.from(' ')])));

      const body = JSON.parse(h.raw.toString('utf8'));
      assert.deepEqual(Object.keys(body), ['event', 'entity', 'occurred_at', 'actor_id', 'changes', 'record'], what);
      assert.equal(body.event, event, what);
      assert.equal(body.entity, 'contacts', what);
      assert.match(body.occurred_at, RFC3339_Z_RE);
      assert.ok(Math.abs(Date.parse(body.occurred_at) - h.at) < 15000, what);
      assert.equal(body.actor_id, actor, what);
      assert.equal(body.record.id, recordId, what);
      assert.equal(typeof body.record.version, 'number', what);
      if (event === 'updated') {
        assert.deepEqual(body.changes, { last_name: { old: 'Hook', new: 'Hooked' }, city: { old: null, new: '上海' } });
        assert.equal(body.record.last_name, 'Hooked');
        assert.equal(body.record.city, '上海');
        assert.equal(body.record.version, c1Versions[1]);
      } else {
        assert.equal(body.changes, null, what);
      }
      if (event === 'created' && recordId === c1.id) assert.deepEqual(body.record, c1, 'the record as the API showed it');
      if (recordId === c2.id) assert.deepEqual(body.record, c2);

      // The log row of this delivery.
      const d = byId.get(h.headers['x-rapport-delivery']);
      assert.ok(d, `${what}: X-Rapport-Delivery names a logged delivery`);
      assert.equal(d.webhook_id, A.id);
      assert.equal(d.event, event);
      assert.equal(d.entity, 'contacts');
      assert.equal(d.record_id, recordId);
      assert.equal(d.record_version, body.record.version, what);
      assert.equal(d.status, 'delivered');
      assert.equal(d.attempts, 1);
      assert.equal(d.response_code, 200);
      assert.equal(d.response, 'ok');
      assert.equal(typeof d.duration_ms, 'number');
      assert.ok(d.duration_ms >= 0);
      assert.equal(d.next_attempt_at, null);
      assert.match(d.delivered_at, RFC3339_Z_RE);
      assert.equal(d.payload, h.raw.toString('utf8'), 'the log keeps the exact body');
    }
    // B: only the deletion; D: the account's creation, not its deletion nor any contact.
    assert.deepEqual(rx.at('/b').map((h) => [h.headers['x-rapport-event'], JSON.parse(h.raw).record.id]), [['deleted', c1.id]]);
    assert.equal(logB[0].event, 'deleted');
    assert.ok(signatureValid(B.secret, rx.at('/b')[0].headers['x-rapport-signature'], rx.at('/b')[0].raw));
    const hitsD = rx.at('/d');
    assert.equal(hitsD.length, 1);
    assert.equal(hitsD[0].headers['x-rapport-event'], 'created');
    const bodyD = JSON.parse(hitsD[0].raw);
    assert.equal(bodyD.entity, 'accounts');
    assert.equal(bodyD.record.id, acc.id);
    assert.equal(logD[0].record_id, acc.id);
    assert.equal(rx.at('/c').length, 0, 'the inactive webhook sent nothing');
    // No contact reached the accounts' webhook, no account the contacts' ones.
    assert.ok(rx.hits.filter((h) => ['/a', '/b'].includes(h.path)).every((h) => JSON.parse(h.raw).entity === 'contacts'));

    // The webhook's tally.
    const a = (await admin.get(`/webhooks/${A.id}`)).body;
    assert.equal(a.status, 'active');
    assert.equal(a.last_code, 200);
    assert.equal(a.failures, 0);
    assert.match(a.last_delivery_at, RFC3339_Z_RE);

    // The delivery is written in the change's transaction: a change refused or rolled back
    // (a stale If-Match after the delete hook ran, a field error) leaves none.
    assertProblem(await admin.del(`/contacts/${c2.id}`, { headers: { 'if-match': '"99"' } }), 412);
    assertProblem(await admin.patch(`/contacts/${c2.id}`, { email: 'not an address' }), 422);
    assert.equal((await admin.get(`/contacts/${c2.id}`)).status, 200);
    assert.equal((await log(A.id)).length, 5, 'no delivery for what was not committed');

    // Switched off (or deleted), a webhook sends nothing more: the change writes no delivery.
    for (const h of [A, B, D]) assert.equal((await admin.patch(`/webhooks/${h.id}`, { active: false })).status, 200);
    const gone = (await hook({ url: rx.url('/gone') })).body;
    assert.equal((await admin.del(`/webhooks/${gone.id}`)).status, 204);
    const c3 = await contact(admin, 'Unseen');
    assert.equal((await admin.patch(`/contacts/${c3.id}`, { last_name: 'Still unseen' })).status, 200);
    for (const h of [A, B, C]) assert.equal((await log(h.id)).length, h === A ? 5 : h === B ? 1 : 0);
    assert.equal((await log(gone.id)).length, 0);
  });

  test('deleted and restored bodies carry the record version after the change (increasing per record)',
    async () => {
      assert.ok(c1, 'needs the delivery test');
      const bodies = rx.at('/a').map((h) => JSON.parse(h.raw)).filter((b) => b.record.id === c1.id);
      const versions = bodies.map((b) => b.record.version);
      for (let i = 1; i < versions.length; i++) {
        assert.ok(versions[i] > versions[i - 1], `record.version increasing: ${bodies.map((b) => `${b.event}:${b.record.version}`).join(' ')}`);
      }
      const restored = bodies.find((b) => b.event === 'restored');
      assert.equal(restored.record.version, c1Versions.at(-1), 'the restored record as the API answered the restore');
    });

  test('send test: a signed "test" event posted now, answered with its logged delivery',
    async () => {
      const before = rx.at('/a').length;
      const r = await admin.post(`/webhooks/${A.id}/test`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.event, 'test');
      assert.equal(r.body.webhook_id, A.id);
      assert.equal(r.body.status, 'delivered');
      assert.equal(r.body.response_code, 200);
      assert.equal(r.body.attempts, 1);
      const hits = rx.at('/a').slice(before);
      assert.equal(hits.length, 1);
      const h = hits[0];
      assert.equal(h.headers['x-rapport-event'], 'test');
      assert.equal(h.headers['x-rapport-delivery'], r.body.id, 'X-Rapport-Delivery is the logged delivery');
      assert.ok(signatureValid(A.secret, h.headers['x-rapport-signature'], h.raw));
      const body = JSON.parse(h.raw);
      assert.equal(body.event, 'test');
      assert.equal(r.body.payload, h.raw.toString('utf8'));
      assert.ok((await log(A.id)).some((d) => d.id === r.body.id), 'in the log');
      assertProblem(await admin.post(`/webhook_deliveries/${r.body.id}/redeliver`), 409);
    });

  test('send test to names of this machine: failed with a refusal, nothing connects',
    async () => {
      assert.equal((await settings({ allow_list: null })).status, 200);
      try {
        for (const url of [`http://localhost:${P()}/`, `http://localhost.:${P()}/`, `http://LOCALHOST:${P()}/`, `http://127.1:${P()}/`, `http://0x7f.1:${P()}/`]) {
          const c = await admin.post('/webhooks', { name: uniq('name'), url, entity: 'products', events: ['created'], active: false });
          if (c.status === 422) continue; // a literal after all: refused on create
          assert.equal(c.status, 201, c.text);
          const r = await admin.post(`/webhooks/${c.body.id}/test`);
          assert.equal(r.status, 200, `${url}: ${r.text}`);
          assert.equal(r.body.status, 'failed', url);
          assert.equal(r.body.response_code, null, url);
          assert.match(r.body.response, url.includes('.:') ? new RegExp(`${REFUSED.source}|could not be resolved`) : REFUSED, url);
          await admin.del(`/webhooks/${c.body.id}`);
        }
        assert.equal(trap.connections, 0);
      } finally {
        assert.equal((await settings({ allow_list: '127.0.0.1' })).status, 200);
      }
    });

  test('send test to a receiver that redirects: not followed, failed with 302',
    async () => {
      rx.answers.set('/redirect-test', () => ({ status: 302, headers: { location: other.url('/stolen') } }));
      const h = (await hook({ url: rx.url('/redirect-test'), active: false })).body;
      const r = await admin.post(`/webhooks/${h.id}/test`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.status, 'failed');
      assert.equal(r.body.response_code, 302);
      assert.equal(rx.at('/redirect-test').length, 1);
      assert.equal(other.connections, 0, 'the redirect target got nothing');
      await admin.del(`/webhooks/${h.id}`);
    });

  test('receiver outage of a minute (503s, then the port closed): every delivery arrives once, in order, the first after several attempts', async () => {
    assert.equal((await settings({ allow_list: '127.0.0.1', retry_base_s: 1, max_attempts: 10 })).status, 200);
    rx.answers.set('/e', () => ({ status: 503, body: 'down for maintenance' }));
    const E = (await hook({ url: rx.url('/e') })).body;
    const outageStart = Date.now();
    const expected = []; // [event, record id, version] in the order of the changes
    const x = await contact(admin, 'X0');
    expected.push(['created', x.id, x.version]);
    const y = await contact(admin, 'Y0');
    expected.push(['created', y.id, y.version]);
    const update = async (rec, name) => {
      const r = await admin.patch(`/contacts/${rec.id}`, { last_name: name });
      assert.equal(r.status, 200, r.text);
      expected.push(['updated', rec.id, r.body.version]);
    };
    await update(x, 'X1');
    await update(y, 'Y1');
    await update(x, 'X2');
    await update(y, 'Y2');
    await update(x, 'X3');

    // Two 503s for the first delivery; nothing later goes before it.
    await eventually(() => rx.at('/e').length >= 2, 10000, 'two 503 answers');
    // Then the port closes: the next attempt finds no one listening.
    const port = rx.port;
    await rx.stop();
    const firstId = rx.at('/e')[0].headers['x-rapport-delivery'];
    const refusedRow = await eventually(async () => {
      const d = (await log(E.id)).find((row) => row.id === firstId);
      return d && d.attempts >= 3 ? d : null;
    }, 10000, 'an attempt while the port is closed');
    assert.equal(refusedRow.status, 'pending');
    assert.equal(refusedRow.response_code, null, 'no answer while the port is closed');
    assert.ok(refusedRow.response && refusedRow.response.length > 0, 'the connection error is logged');
    assert.match(refusedRow.next_attempt_at, RFC3339_Z_RE);
    assert.ok(Date.parse(refusedRow.next_attempt_at) > Date.now() - 1000, 'a retry is scheduled');
    // More changes while it is down.
    await update(y, 'Y3');
    await update(x, 'X4');
    // Down for a minute in all (the issue's outage; WEBHOOK_OUTAGE_MS shortens it).
    const until = outageStart + OUTAGE_MS;
    if (Date.now() < until) await sleep(until - Date.now());
    // Back up, answering 200.
    rx.port = port;
    rx.answers.delete('/e');
    await rx.start();
    // The next try comes at most one doubled wait (32 s after a minute) later.
    const rows = await settled(E.id, expected.length, 'delivered', 60000);
    const outage = Date.now() - outageStart;

    const hits = rx.at('/e');
    const failedHits = hits.filter((h) => h.status !== 200);
    const okHits = hits.filter((h) => h.status === 200);
    // While it failed only the first delivery was tried.
    assert.ok(failedHits.length >= 2);
    assert.ok(failedHits.every((h) => h.headers['x-rapport-delivery'] === firstId), 'later deliveries waited behind the first');
    // Exactly once each: every logged delivery once among the accepted posts, nothing else.
    const counts = new Map();
    for (const h of okHits) counts.set(h.headers['x-rapport-delivery'], (counts.get(h.headers['x-rapport-delivery']) || 0) + 1);
    assert.deepEqual([...counts.values()], rows.map(() => 1), `each accepted once: ${JSON.stringify([...counts])}`);
    assert.deepEqual([...counts.keys()].sort(), rows.map((d) => d.id).sort());
    // In the order of the changes, so per record by increasing version.
    const bodies = okHits.map((h) => JSON.parse(h.raw));
    assert.deepEqual(bodies.map((b) => [b.event, b.record.id, b.record.version]), expected);
    for (const id of [x.id, y.id]) {
      const v = bodies.filter((b) => b.record.id === id).map((b) => b.record.version);
      assert.deepEqual(v, [...v].sort((p, q) => p - q), `versions of ${id} increase`);
      assert.equal(new Set(v).size, v.length);
    }
    for (const h of okHits) assert.ok(signatureValid(E.secret, h.headers['x-rapport-signature'], h.raw));
    // The log: the first took several attempts, the rest went at the first try.
    const first = rows.find((d) => d.id === firstId);
    assert.ok(first.attempts > 1, `attempts ${first.attempts}`);
    assert.ok(first.attempts >= failedHits.length + 2, `every attempt counted: ${first.attempts} (503s ${failedHits.length}, refused, 200)`);
    assert.equal(first.response_code, 200);
    for (const d of rows) if (d.id !== firstId) assert.equal(d.attempts, 1, `${d.event} ${d.record_id}`);
    const e = (await admin.get(`/webhooks/${E.id}`)).body;
    assert.equal(e.status, 'active');
    assert.equal(e.failures, 0);
    assert.equal(e.last_code, 200);
    assert.ok(outage < OUTAGE_MS + 45000, `outage handled in ${outage} ms`);
    assert.equal((await admin.patch(`/webhooks/${E.id}`, { active: false })).status, 200);
  });

  // A webhook that fails every post until told otherwise, paused after max_attempts 2.
  async function pausedHook(path, name) {
    assert.equal((await settings({ allow_list: '127.0.0.1', retry_base_s: 1, max_attempts: 2 })).status, 200);
    rx.answers.set(path, () => ({ status: 500, body: 'receiver broken' }));
    const h = (await hook({ name, url: rx.url(path), events: ['created', 'updated'] })).body;
    const rec = await contact(admin, 'Z0');
    const paused = await eventually(async () => {
      const x = (await admin.get(`/webhooks/${h.id}`)).body;
      return x.status === 'paused' ? x : null;
    }, 15000, 'the webhook paused');
    const [d1] = await settled(h.id, 1, 'failed');
    return { h, rec, paused, d1 };
  }

  test('pause after max_attempts: paused_reason, the administrators alerted; resume and redeliver deliver it', async () => {
    const name = uniq('Pausing hook');
    const { h: Ph, rec: z, paused, d1 } = await pausedHook('/p', name);
    assert.equal(d1.attempts, 2);
    assert.equal(d1.response_code, 500);
    assert.equal(d1.response, 'receiver broken');
    assert.equal(d1.next_attempt_at, null);
    assert.equal(d1.delivered_at, null);
    assert.equal(d1.record_id, z.id);
    assert.match(paused.paused_reason, new RegExp(d1.id));
    assert.match(paused.paused_reason, /2 times/);
    assert.match(paused.paused_reason, /HTTP 500/);
    assert.equal(paused.failures, 2);
    assert.equal(paused.last_code, 500);
    const tries = rx.at('/p');
    assert.equal(tries.length, 2, 'max_attempts posts, no more');
    assert.ok(tries.every((x) => x.headers['x-rapport-delivery'] === d1.id));
    assert.ok(tries[1].at - tries[0].at >= 900, `retried after retry_base_s (${tries[1].at - tries[0].at} ms)`);

    // The administrators' alert, once.
    const alerts = await eventually(async () => {
      const n = (await admin.get('/notifications?limit=100')).body.data.filter((x) => x.record_id === Ph.id);
      return n.length ? n : null;
    }, 5000, 'an alert');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].kind, 'alert');
    assert.equal(alerts[0].entity, 'webhooks');
    assert.ok(alerts[0].text.includes(name), alerts[0].text);
    assert.match(alerts[0].text, /paused/);
    assert.ok(!(await rep.get('/notifications?limit=100')).body.data.some((x) => x.record_id === Ph.id), 'not for a sales rep');

    assertProblem(await admin.post('/webhook_deliveries/01a24f85-0000-7000-8000-000000000000/redeliver'), 404);
    assertProblem(await rep.post(`/webhook_deliveries/${d1.id}/redeliver`), 403);
    assertProblem(await rep.post(`/webhooks/${Ph.id}/resume`), 403);
    assert.equal((await admin.get(`/webhooks/${Ph.id}`)).body.status, 'paused');

    // The receiver is fixed; resume, then the failed delivery goes again.
    rx.answers.set('/p', () => ({ status: 204 }));
    let r = await admin.post(`/webhooks/${Ph.id}/resume`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'active');
    assert.equal(r.body.paused_reason, null);
    assert.equal(r.body.failures, 0);
    r = await admin.post(`/webhook_deliveries/${d1.id}/redeliver`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, d1.id);
    assert.ok(['pending', 'delivered'].includes(r.body.status), r.body.status);
    const [done] = await settled(Ph.id, 1, 'delivered', 10000);
    assert.equal(done.response_code, 204);
    assert.equal(done.attempts, 1, 'attempts counted afresh');
    const ok = rx.at('/p').filter((x) => x.status === 204);
    assert.deepEqual(ok.map((x) => x.headers['x-rapport-delivery']), [d1.id]);
    assert.ok(signatureValid(Ph.secret, ok[0].headers['x-rapport-signature'], ok[0].raw));
    assert.equal(ok[0].raw.toString('utf8'), tries[0].raw.toString('utf8'), 'the same body again');
    assertProblem(await admin.post(`/webhook_deliveries/${d1.id}/redeliver`), 409, 'a delivered one');
    const after = (await admin.get(`/webhooks/${Ph.id}`)).body;
    assert.equal(after.status, 'active');
    assert.equal(after.last_code, 204);
    assert.equal((await admin.patch(`/webhooks/${Ph.id}`, { active: false })).status, 200);
  });

  let Q; // the webhook of the next two tests: paused, a change made meanwhile
  test('while paused a change is logged, not sent; redeliver + resume send the failed one, then the change, at once',
    async () => {
      const { h, rec, d1 } = await pausedHook('/q', uniq('Paused twice'));
      Q = { h, d1 };
      assert.equal((await admin.patch(`/contacts/${rec.id}`, { last_name: 'Z1' })).status, 200);
      const d2 = (await log(h.id)).find((d) => d.id !== d1.id);
      assert.ok(d2, 'the change is logged');
      assert.equal(d2.status, 'pending');
      Q.d2 = d2;
      assertProblem(await admin.post(`/webhook_deliveries/${d2.id}/redeliver`), 409, 'a pending delivery');
      await sleep(1500); // the job runner polls every 100 ms: long enough for a wrong post
      assert.equal(rx.at('/q').length, 2, 'nothing posted while paused');
      rx.answers.set('/q', () => ({ status: 200 }));
      let r = await admin.post(`/webhook_deliveries/${d1.id}/redeliver`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.status, 'pending');
      assert.equal(r.body.attempts, 0);
      await sleep(500);
      assert.equal(rx.at('/q').length, 2, 'still paused: nothing posted');
      r = await admin.post(`/webhooks/${h.id}/resume`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.status, 'active');
      Q.resumed = Date.now();
      await settled(h.id, 2, 'delivered', 5000);
    });

  test('a paused webhook resumed: at the latest the sweep delivers its backlog, the redelivered one first', async () => {
    assert.ok(Q?.resumed, 'needs the previous test to have resumed the webhook');
    // The server's upkeep runs the schedules (the sweep among them) every 60 s.
    const rows = await settled(Q.h.id, 2, 'delivered', 75000);
    const ok = rx.at('/q').filter((x) => x.status === 200);
    assert.deepEqual(ok.map((x) => x.headers['x-rapport-delivery']), [Q.d1.id, Q.d2.id], 'in order, once each');
    assert.deepEqual(rows.map((d) => d.attempts).sort(), [1, 1]);
    assert.equal((await admin.patch(`/webhooks/${Q.h.id}`, { active: false })).status, 200);
  });

  test('a redirect is not followed: its target gets nothing and the delivery fails with 302', async () => {
    assert.equal((await settings({ allow_list: '127.0.0.1', retry_base_s: 1, max_attempts: 2 })).status, 200);
    rx.answers.set('/r', () => ({ status: 302, headers: { location: other.url('/stolen') } }));
    const R = (await hook({ url: rx.url('/r'), events: ['created'] })).body;
    await contact(admin, 'Redirected');
    const [d] = await settled(R.id, 1, 'failed');
    assert.equal(d.response_code, 302);
    assert.equal(d.attempts, 2);
    assert.equal(rx.at('/r').length, 2);
    assert.equal(other.connections, 0, 'the redirect target was never called');
    assert.equal(other.hits.length, 0);
    const h = (await admin.get(`/webhooks/${R.id}`)).body;
    assert.equal(h.status, 'paused');
    assert.match(h.paused_reason, /HTTP 302/);
    assert.equal((await admin.del(`/webhooks/${R.id}`)).status, 204);
    assert.equal((await settings({ max_attempts: 10 })).status, 200);
  });

  test('rotating the secret: deliveries after it are signed with the new one; no secret in the history', async () => {
    assert.equal((await settings({ allow_list: '127.0.0.1', retry_base_s: 1, max_attempts: 3 })).status, 200);
    const S = (await hook({ url: rx.url('/s'), events: ['created'] })).body;
    const r = await admin.post(`/webhooks/${S.id}/rotate-secret`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.secret, /^whsec_[0-9a-f]{48}$/);
    assert.notEqual(r.body.secret, S.secret);
    assert.equal(r.body.version, S.version + 1);
    await contact(admin, 'Rotated');
    await settled(S.id, 1, 'delivered');
    const [got] = rx.at('/s');
    assert.ok(signatureValid(r.body.secret, got.headers['x-rapport-signature'], got.raw), 'the new secret signs');
    assert.ok(!signatureValid(S.secret, got.headers['x-rapport-signature'], got.raw), 'the old one does not');
    const hist = await admin.get(`/webhooks/${S.id}/history`);
    assert.ok(!hist.text.includes(r.body.secret), 'the new secret is not in the history');
    assertProblem(await rep.post(`/webhooks/${S.id}/rotate-secret`), 403);
    assert.equal((await admin.del(`/webhooks/${S.id}`)).status, 204);
  });
});
