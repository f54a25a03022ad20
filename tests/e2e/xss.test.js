// Stored XSS sweep (issue 7 item 10). Hostile payloads go into every text field of
// every entity the UI shows — found from /meta, so a new entity or field is swept
// without touching this file — and into the places that render server text; then
// chromium visits every page that shows them. The sweep fails when
//  * a payload runs: each payload calls __xss(n), a trap installed in every frame
//    before any page script (the browser context bypasses the CSP, so this tests the
//    output encoding itself; the CSP is the second wall, docs/security.md §9);
//  * a dialog opens, or the page throws;
//  * the DOM holds markup a payload would create: an on* attribute, an inline or
//    foreign script, an iframe/object/embed/base/meta/style/link in the body, or a
//    javascript:/vbscript:/data: URL in href, src, action, formaction, data;
//  * a record page does not show its title verbatim (so the sweep saw the data).
// Workflow rules named and written with payloads show them inert on the rules' list,
// a rule's page (tried on a hostile record, its run log) and its form.
// The recycle bin lists deleted payload-named records of every entity; the duplicates,
// merge and lead conversion screens show them too, and the import wizard a hostile file
// (a CSV and an Excel workbook with a hostile sheet name).
// Website fields holding javascript: URLs cannot be written through the API (422); the
// sweep writes them into the database behind the server's back and checks that the UI
// does not link them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { ADMIN_PASSWORD, API, PG, createUser, login, startServer, loginAdmin } from '../api/helpers.js';
import { launch, shotPath } from './browser.js';

// n → a payload that calls __xss(n) when it runs. Template-ish, unicode and very long
// variants included; every one is stored as is (cut to the field's maximum length).
const TEMPLATES = [
  (n) => `<script>__xss(${n})</script>`,
  (n) => `<img src=x onerror=__xss(${n})>`,
  (n) => `"><svg onload=__xss(${n})>`,
  (n) => `'><img src=x onerror=__xss(${n})>`,
  (n) => `javascript:__xss(${n})`,
  (n) => `{{constructor.constructor('__xss(${n})')()}}`,
  (n) => `\${__xss(${n})}`,
  (n) => `<iframe srcdoc="<script>parent.__xss(${n})</script>"></iframe>`,
  (n) => `<body onload=__xss(${n})>`,
  (n) => `<details open ontoggle=__xss(${n})>`,
  (n) => `<a href="javascript:__xss(${n})">link</a>`,
  (n) => `<svg><script>__xss(${n})</script></svg>`,
  (n) => `<math><mtext><table><mglyph><style><img src=x onerror=__xss(${n})>`,
  (n) => `<input autofocus onfocus=__xss(${n})>`,
  (n) => `<video><source onerror=__xss(${n})></video>`,
  (n) => `<object data="javascript:__xss(${n})"></object>`,
  (n) => `<embed src="javascript:__xss(${n})">`,
  (n) => `<marquee onstart=__xss(${n})>m</marquee>`,
  (n) => `</textarea><img src=x onerror=__xss(${n})>`,
  (n) => `</title><img src=x onerror=__xss(${n})>`,
  (n) => `</option></select><img src=x onerror=__xss(${n})>`,
  (n) => `<!--<img src="--><img src=x onerror=__xss(${n})//">`,
  (n) => `<scr<script>ipt>__xss(${n})</scr</script>ipt>`,
  (n) => `&lt;img src=x onerror=__xss(${n})&gt;`,
  (n) => `\u202e<img src=x onerror=__xss(${n})>\u202c`,
  (n) => `\u200b<script>__xss(${n})</script>\u200b`,
  (n) => `<img src=x onerror=&#95;&#95;xss(${n})>`,
  (n) => `<svg><animate onbegin=__xss(${n}) attributeName=x dur=1s>`,
  (n) => `<form><button formaction=javascript:__xss(${n})>x</button></form>`,
  (n) => `<meta http-equiv="refresh" content="0;url=javascript:__xss(${n})">`,
  (n) => `<base href="javascript:__xss(${n})//">`,
  (n) => `<style>@import 'javascript:__xss(${n})';</style>`,
  (n) => `<template><img src=x onerror=__xss(${n})></template><img src=x onerror=__xss(${n})>`,
  (n) => `"-__xss(${n})-"`,
  (n) => `';__xss(${n});//`,
  (n) => `</script><script>__xss(${n})</script>`,
  (n) => `<img src=x onerror=__xss(${n})>${'A'.repeat(5000)}`,
  (n) => `客户<img src=x onerror=__xss(${n})>名称`,
  (n) => `%3Cscript%3E__xss(${n})%3C/script%3E`,
  (n) => `data:text/html,<script>__xss(${n})</script>`,
  (n) => `<svg/onload=__xss(${n})>`,
  (n) => `<x contenteditable autofocus onfocus=__xss(${n})>x</x>`,
  (n) => `#{__xss(${n})} <%= __xss(${n}) %> [[__xss(${n})]]`,
  (n) => `<a href=" &#14;javascript:__xss(${n})">x</a>`,
  (n) => `<img srcset=",,,,,x" onerror=__xss(${n})>`,
  (n) => `\u0645\u0631\u062d\u0628\u0627 <svg onload=__xss(${n})> \u05e9\u05dc\u05d5\u05dd`,
];
const P = TEMPLATES.length;
const payload = (i) => TEMPLATES[i % P](i % P);
// Values the validators of typed fields accept, still hostile.
const URLS = [
  (n) => `https://x.example/"><img src=x onerror=__xss(${n})>`,
  (n) => `https://x.example/?q=<script>__xss(${n})</script>`,
  (n) => `http://x.example/\${__xss(${n})}`,
  (n) => `https://x.example/#'-__xss(${n})-'`,
  (n) => `https://x.example/{{constructor.constructor('__xss(${n})')()}}`,
  (n) => `https://例子.中国/"onmouseover="__xss(${n})`,
];
const EMAILS = [
  (n) => `javascript:__xss(${n})//@x.example`,
  (n) => `"onmouseover=__xss(${n})"@x.example`,
  (n) => `{{constructor.constructor('__xss(${n})')()}}@x.example`,
  (n) => `\${__xss(${n})}@x.example`,
  (n) => `'-__xss(${n})-'@x.example`,
  (n) => `客户"onfocus=__xss(${n})@例子.中国`,
];
// Fields whose validator leaves no room for markup: they get a valid plain value.
const PLAIN = { phone: (k) => `+1 (555) 01${String(k).padStart(2, '0')} x${k}` };
const RESTRICTED = new Set(['users.username', 'pipeline_stages.key']);
// Text with a grammar the server checks (an RRULE, an IANA zone, a list of date-times):
// no markup is ever stored there, so the sweep leaves them empty.
const GRAMMAR = new Set(['activities.rrule', 'activities.timezone', 'activities.exdates']);
const TEXTUAL = new Set(['string', 'text', 'email', 'url', 'phone']);
// Creation order: what a record refers to exists first (a price list entry its list
// and product, a shipment its order). The commerce module's configuration — discount
// limits, currencies, exchange rates — holds no free text.
const ORDER = ['teams', 'users', 'pipeline_stages', 'accounts', 'contacts', 'leads', 'opportunities', 'activities',
  'kb_categories', 'kb_articles', 'service_agreements', 'cases', 'product_categories', 'products', 'price_lists',
  'price_list_items', 'letterheads', 'quotes', 'orders', 'shipments', 'contracts'];
// References the sweep leaves empty: an order from a quote must be from an accepted one,
// once (its lines are then the quote's).
const UNSET = new Set(['orders.quote_id']);
// The longest description of a quote's or an order's line.
const LINE_MAX = 2000;
// Markdown that would run script if its HTML were trusted: raw HTML, event handlers and
// script URLs in every disguise (the knowledge base renders articles' Markdown).
const MARKDOWN = [
  '<script>__xss(950)</script>', '<img src=x onerror=__xss(951)>', '<svg onload=__xss(952)>',
  '[link](javascript:__xss(953))', '[link](JaVaScRiPt:__xss(954))', '[link](java&#x73;cript:__xss(955))',
  '[link](<java\tscript:__xss(956)>)', '![image](javascript:__xss(957))', '<javascript:__xss(958)>',
  '[ref][r]\n\n[r]: javascript:__xss(959)', '[x](https://x.example/" onmouseover="__xss(960))',
  '<a href="javascript:__xss(961)">raw link</a>', '<iframe srcdoc="<script>__xss(962)</script>"></iframe>',
  '![x" onerror="__xss(963)](https://x.example/i.png)', '[data](data:text/html,<script>__xss(964)</script>)',
].join('\n\n');
// javascript: URLs the API refuses, written into the database directly.
const JS_URLS = ['javascript:__xss(901)', 'JavaScript:__xss(902)', ' javascript:__xss(903)',
  'java\tscript:__xss(904)', 'data:text/html,<script>__xss(905)</script>', 'vbscript:__xss(906)'];

const codepoints = (s, max) => (max ? [...s].slice(0, max).join('') : s);

let srv, admin, browser, page;
const meta = {};
const records = {};          // entity → [record]
const tokenNames = [];       // the admin's API tokens
const hits = [];             // __xss(n) calls, with the page they ran on
const dialogs = [];
const pageErrors = [];
let inflight = 0;
let pagesChecked = 0;
let fieldsSwept = 0;

// Installed in every frame before any page script: __xss(n) (called or assigned)
// reports to the test.
function trap() {
  const report = (v) => { try { window.__xssReport(String(v)); } catch { /* reported by the parent frame */ } };
  Object.defineProperty(window, '__xss', { get: () => report, set: report, configurable: false });
}

// In the page: markup a payload would have created, or a dangerous URL.
function scanDom() {
  const bad = [];
  const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'poster', 'srcdoc']);
  const FOREIGN = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'marquee', 'isindex',
    'math', 'mglyph', 'template', 'video', 'audio', 'source', 'animate', 'set', 'x', 'img']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    if (FOREIGN.has(tag)) bad.push(`<${tag}> element`);
    if (['meta', 'style', 'link', 'title'].includes(tag) && !document.head.contains(el)) bad.push(`<${tag}> in the body`);
    if (tag === 'script' && (!el.src || new URL(el.src).origin !== location.origin || !document.head.contains(el))) {
      bad.push(`script ${el.src || el.textContent.slice(0, 60)}`);
    }
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on')) bad.push(`<${tag} ${n}="${a.value.slice(0, 60)}">`);
      // Browsers ignore control characters and whitespace around and inside a scheme.
      const v = a.value.replace(/[\u0000-\u0020\u007f-\u00a0\u200b-\u200f\u202a-\u202e\ufeff]/g, '').toLowerCase();
      if (URL_ATTRS.has(n) && /^(javascript|vbscript|data):/.test(v)) bad.push(`<${tag} ${n}="${a.value.slice(0, 60)}">`);
    }
  }
  return bad;
}

// Waits until the page has no request in flight for a moment (the app fetches after
// every navigation).
async function settle() {
  let quiet = 0;
  for (let i = 0; i < 500 && quiet < 3; i++) {
    await page.waitForTimeout(30);
    quiet = inflight === 0 ? quiet + 1 : 0;
  }
}

async function check(where) {
  await settle();
  pagesChecked++;
  assert.deepEqual(hits, [], `payload ran on ${where}`);
  assert.deepEqual(dialogs, [], `dialog opened on ${where}`);
  assert.deepEqual(pageErrors, [], `script error on ${where}`);
  assert.deepEqual(await page.evaluate(scanDom), [], `injected markup on ${where}`);
}

// In-app navigation, the way a user moves (no reload).
async function go(p) {
  await page.evaluate((to) => { history.pushState(null, '', to); dispatchEvent(new PopStateEvent('popstate')); }, p);
}

function step(name, fn) {
  test(name, { timeout: 15 * 60 * 1000 }, async () => {
    try {
      await fn();
    } catch (err) {
      const file = shotPath(`xss-${name}`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      err.message += `\n(screenshot: ${file})`;
      throw err;
    }
  });
}

// Two payloads per value: the sweep needs R = P/2 records per entity for every field
// to hold every payload (a field too short for both holds the first, cut to fit).
const PER_VALUE = 2;
const R = Math.ceil(P / PER_VALUE);
const pair = (i, max) => {
  const both = payload(i) + ' ' + payload(i + 1);
  return max && [...both].length > max ? codepoints(payload(i), max) : both;
};

// The body creating record k of entity e: payloads 2k + j and 2k + j + 1 in its j-th
// text field, so that every field holds every payload across the R records.
function bodyFor(e, k) {
  const body = {};
  let j = 0;
  for (const f of e.fields) {
    if (f.readonly) continue;
    const v = (PER_VALUE * k + j++) % P;
    if (f.type === 'password') body[f.name] = `Sweep-pass-${k}-qwzx`;
    else if (f.type === 'url') body[f.name] = URLS[v % URLS.length](v);
    else if (f.type === 'email') body[f.name] = EMAILS[v % EMAILS.length](v);
    else if (f.type === 'phone') body[f.name] = PLAIN.phone(k);
    else if (f.type === 'string' && f.name === 'related_id') continue;
    else if (GRAMMAR.has(`${e.name}.${f.name}`) || UNSET.has(`${e.name}.${f.name}`)) continue;
    // A quote's or an order's lines (JSON): free-text lines, each with its price, whose
    // descriptions hold payloads too (the lines table and the lines editor show them).
    else if (f.type === 'json' && f.name === 'lines') {
      body.lines = [0, 1].map((l) => ({ description: pair((v + l * R) % P, LINE_MAX), quantity: 1 + l,
        unit_price: `${10 + k}.50` }));
    }
    else if (f.type === 'string' || f.type === 'text') body[f.name] = pair(v, f.maxlen);
    else if (f.type === 'ref' && records[f.ref]?.[k]) body[f.name] = records[f.ref][k].id;
    else if (f.type === 'enum' && f.name === 'stage' && records.pipeline_stages?.[k]) body[f.name] = records.pipeline_stages[k].key;
    else if (f.type === 'enum' && f.name === 'related_type') {
      body.related_type = 'accounts';
      body.related_id = records.accounts[k].id;
    } else if (f.required && f.type === 'enum') body[f.name] = f.default ?? f.enum[0];
    else if (f.required && (f.type === 'int' || f.type === 'percent')) body[f.name] = f.type === 'percent' ? k % 100 : 1000 + k;
    else if (f.required && f.type === 'money') body[f.name] = `${100 + k}.00`;
    else if (f.required && f.type === 'date') body[f.name] = f.name === 'end_date' ? '2099-12-31' : '2020-01-01';
    else if (f.type === 'datetime' && f.name === 'start_at') {
      const day = new Date(); day.setUTCHours(0, 0, 0, 0);
      body.start_at = new Date(day.getTime() + k * 30 * 60000).toISOString();
      body.end_at = new Date(day.getTime() + k * 30 * 60000 + 25 * 60000).toISOString();
    }
  }
  if (e.name === 'activities') body.type = 'meeting';
  return body;
}

describe('stored XSS sweep', { skip: PG ? 'writes the SQLite database directly' : false }, () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    // The admin's own display name is shown in the shell on every page.
    const me = await admin.patch('/auth/me', { display_name: payload(1) });
    assert.equal(me.status, 200, me.text);
    // API tokens named with every payload (a name is 100 characters at most), and the
    // calendar feed's: My settings lists them.
    for (const name of [...TEMPLATES.keys()].map((i) => codepoints(payload(i), 100)).concat('Calendar feed')) {
      const r = await admin.post('/tokens', { name });
      assert.equal(r.status, 201, r.text);
      tokenNames.push(name);
    }
    const refresh = async () => {
      const m = await admin.get('/meta');
      for (const e of m.body.entities) meta[e.name] = e;
    };
    await refresh();
    for (const name of ORDER) {
      const e = meta[name];
      assert.ok(e, `entity ${name} in /meta`);
      records[name] = [];
      for (let k = 0; k < R; k++) {
        const body = bodyFor(e, k);
        let r = await admin.post(`/${name}${name === 'activities' ? '?allow_conflict=true' : ''}`, body);
        // Restricted identifiers (user names, stage keys) refuse markup by design.
        if (r.status === 422) {
          for (const err of r.body.errors || []) {
            assert.ok(RESTRICTED.has(`${name}.${err.field}`), `${name}.${err.field} refused a payload: ${err.message}`);
            body[err.field] = `sweep_${name.slice(0, 4)}_${k}`;
          }
          r = await admin.post(`/${name}`, body);
        }
        assert.equal(r.status, 201, `create ${name} #${k}: ${r.text.slice(0, 500)}`);
        records[name].push(r.body);
      }
      fieldsSwept += e.fields.filter((f) => TEXTUAL.has(f.type) && !f.readonly && !GRAMMAR.has(`${name}.${f.name}`)).length;
      if (name === 'pipeline_stages') await refresh(); // opportunities use the new stage keys
    }
    // History rows: change one text field of every record to another payload.
    for (const name of ORDER) {
      const free = meta[name].fields.filter((x) => !x.readonly && !x.unique && (x.type === 'text' || x.type === 'string'));
      const f = free.find((x) => x.type === 'text') || free[0];
      if (!f) continue; // price list entries: their name is the system's, their key unique
      for (const [k, rec] of records[name].entries()) {
        const r = await admin.patch(`/${name}/${rec.id}`, { [f.name]: pair(PER_VALUE * k + 5, f.maxlen) },
          { headers: { 'if-match': `"${rec.version}"` } });
        assert.equal(r.status, 200, `patch ${name} #${k}: ${r.text.slice(0, 300)}`);
        records[name][k] = r.body;
      }
    }
    // The API refuses javascript: URLs; put some into the database behind its back.
    const refused = await admin.post('/accounts', { name: 'js url', website: 'javascript:__xss(900)' });
    assert.equal(refused.status, 422, refused.text);
    const db = path.join(srv.dir, 'rapport.db');
    const sets = JS_URLS.map((u, i) => `UPDATE accounts SET website = '${u.replace(/'/g, "''")}' WHERE id = '${records.accounts[i].id}';` +
      `UPDATE leads SET website = '${u.replace(/'/g, "''")}' WHERE id = '${records.leads[i].id}';`).join('');
    execFileSync('sqlite3', ['-bail', '-cmd', '.timeout 10000', db, sets]);

    browser = await launch({ bypassCSP: true });
    await browser.context.exposeBinding('__xssReport', (src, v) => hits.push(`${v} at ${src.frame.url()}`));
    await browser.context.addInitScript(trap);
    page = await browser.context.newPage();
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The notification event stream stays open for as long as the page: not a load.
    const counted = (r) => r.resourceType() !== 'eventsource';
    page.on('request', (r) => { if (counted(r)) inflight++; });
    page.on('requestfinished', (r) => { if (counted(r)) inflight--; });
    page.on('requestfailed', (r) => { if (counted(r)) inflight--; });
    await page.goto(srv.base + '/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
    console.log(`xss sweep: ${P} payloads, ${fieldsSwept} text fields in ${ORDER.length} entities, ` +
      `${ORDER.length * R} records, ${pagesChecked} page states checked`);
  });

  step('the detector sees an injected payload (the sweep can fail)', async () => {
    await check('the home page before the self-test');
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend',
      '<img id="selftest" src="x" onerror="__xss(\'self-test\')"><a id="selftest2" href="javascript:void 0">x</a>'));
    await page.waitForFunction(() => document.getElementById('selftest'));
    await settle();
    await page.waitForTimeout(200);
    assert.ok(hits.some((h) => h.startsWith('self-test')), `the trap fired: ${hits}`);
    const found = await page.evaluate(scanDom);
    assert.ok(found.some((x) => x.includes('onerror')) && found.some((x) => x.includes('javascript:')), String(found));
    hits.length = 0;
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await check('the home page after the self-test');
  });

  step('home, pipeline, calendar, my cases, service reports, search, settings and admin pages', async () => {
    for (const p of ['/', '/pipeline', '/calendar', '/worklist', '/service-reports', '/settings', '/calendar-sync', '/admin/users', '/admin/teams', '/admin/roles', '/admin/stages',
      `/search?q=${encodeURIComponent('客户')}`, `/search?q=${encodeURIComponent('xss')}`, `/search?q=${encodeURIComponent(payload(1))}`]) {
      await go(p);
      await check(p);
    }
    // The board, the calendar and My settings really show the payloads.
    const shows = async (p, texts) => {
      await go(p);
      await settle();
      const main = await page.evaluate(() => document.querySelector('main').textContent);
      for (const x of texts) assert.ok(main.includes(x), `${p} shows ${JSON.stringify(x.slice(0, 80))}`);
    };
    await shows('/pipeline', [records.opportunities[0].name, records.pipeline_stages[0].label]);
    await shows('/calendar', [records.activities[0].subject]);
    for (const view of ['Day', 'Month']) {
      await page.getByRole('button', { name: view, exact: true }).click();
      await check(`/calendar (${view})`);
    }
    await shows('/worklist', [records.cases[0].subject]);
    await shows('/service-reports', [records.cases[0].product]);
    await shows('/settings', tokenNames);
    // A token made on the page shows its name over its secret.
    await page.getByLabel('Name of a new token').fill(payload(2));
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('button', { name: 'Copy token' }).waitFor();
    await check('/settings with a new token');
  });

  step('every list and every record page, timeline and history', async () => {
    for (const name of ORDER) {
      const e = meta[name];
      await go(`/r/${name}`);
      await check(`/r/${name}`);
      for (const [k, rec] of records[name].entries()) {
        await go(`/r/${name}/${rec.id}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await check(`/r/${name}/${rec.id} (#${k})`);
        const title = rec[e.title_field] ?? rec.name;
        if (typeof title === 'string' && !RESTRICTED.has(`${name}.${e.title_field}`)) {
          const shown = await page.evaluate(() => document.querySelector('main').textContent);
          assert.ok(shown.includes(title), `${name} #${k}: the title is shown verbatim`);
        }
        if (Array.isArray(rec.lines)) {
          const shown = await page.evaluate(() => document.querySelector('main').textContent);
          for (const l of rec.lines) assert.ok(shown.includes(l.description), `${name} #${k}: the lines are shown verbatim`);
        }
        const history = page.getByRole('tab', { name: 'History' });
        if (await history.count()) { await history.click(); await check(`/r/${name}/${rec.id} history`); }
      }
    }
  });

  step('edit forms hold payloads as values', async () => {
    for (const name of ORDER) {
      const rec = records[name][3];
      await go(`/r/${name}/${rec.id}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.locator('form.record-form').waitFor();
      await check(`edit form of ${name} #3`);
      if (Array.isArray(rec.lines)) {
        // The lines editor holds each line's description as a value.
        const values = await page.evaluate(() => [...document.querySelectorAll('form.record-form input, form.record-form textarea')]
          .map((x) => x.value));
        for (const l of rec.lines) assert.ok(values.includes(l.description), `edit form of ${name} #3: the lines editor holds the lines`);
      }
    }
  });

  step('server answers that echo text: duplicates, 422, 409, reflected URLs', async () => {
    // Duplicate warning listing the payload-named candidates.
    await go('/r/accounts/new');
    await page.locator('#f-name').fill(records.accounts[2].name);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'This looks like a duplicate of:' }).waitFor();
    await check('duplicate warning');
    // A value the client lets through and the server refuses (422).
    await go('/r/accounts/new');
    await page.locator('#f-name').fill(payload(3));
    await page.locator('#f-email').fill('"><img src=x onerror=__xss(990)>@x.example');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').first().waitFor();
    await check('422 on the new account form');
    // A unique name taken (409).
    await go('/r/teams/new');
    await page.locator('#f-name').fill(records.teams[4].name);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').first().waitFor();
    await check('409 on the new team form');
    // Payloads in the address: prefilled forms, search, unknown routes, list filters.
    for (const p of [`/r/accounts/new?name=${encodeURIComponent(payload(2))}&description=${encodeURIComponent(payload(0))}`,
      `/r/${encodeURIComponent(payload(1))}`, `/r/accounts/${encodeURIComponent(payload(4))}`,
      `/r/accounts?q=${encodeURIComponent(payload(10))}`, `/search?q=${encodeURIComponent(payload(36))}`]) {
      await go(p);
      await check(p);
    }
    await go('/r/accounts');
    await settle();
    await page.locator('#q-accounts').fill(payload(2));
    await check('list search for a payload');
  });

  step('the recycle bin lists payload-named records, restores one and names it', async () => {
    const deleted = {};
    // What refers to a record goes first (a team with users or a stage in use stays).
    for (const name of ['activities', 'opportunities', 'leads', 'contacts', 'accounts']) {
      deleted[name] = records[name].slice(R - 3);
      for (const rec of deleted[name]) assert.equal((await admin.del(`/${name}/${rec.id}`)).status, 204);
    }
    for (const [name, recs] of Object.entries(deleted)) {
      await go(`/recycle-bin?entity=${name}`);
      await page.getByRole('table').waitFor();
      await check(`/recycle-bin?entity=${name}`);
      const e = meta[name];
      const title = recs[0][e.title_field];
      if (typeof title === 'string' && !RESTRICTED.has(`${name}.${e.title_field}`)) {
        const shown = await page.evaluate(() => document.querySelector('main').textContent);
        assert.ok(shown.includes(title), `the bin of ${name} shows the title verbatim`);
      }
    }
    await go('/recycle-bin?entity=accounts');
    await page.getByRole('button', { name: /^Restore / }).first().click();
    await page.getByText(/^Restored /).waitFor();
    await check('the recycle bin after a restore');
  });

  step('duplicates, merge and lead conversion with payload-named records', async () => {
    const twins = [];
    for (let i = 0; i < 2; i++) {
      const r = await admin.post('/accounts?allow_duplicate=true', { name: `Twin ${payload(7)}`, phone: PLAIN.phone(90 + i) });
      assert.equal(r.status, 201, r.text);
      twins.push(r.body.id);
    }
    for (const p of ['/duplicates?entity=accounts', '/duplicates?entity=contacts', '/duplicates?entity=leads',
      `/merge?entity=accounts&ids=${twins.join(',')}`, `/merge?entity=accounts&ids=${encodeURIComponent(payload(3))},${twins[0]}`]) {
      await go(p);
      await check(p);
    }
    await go(`/merge?entity=accounts&ids=${twins.join(',')}`);
    await page.getByRole('button', { name: /^Merge 1 into / }).waitFor();
    const shown = await page.evaluate(() => document.querySelector('main').textContent);
    assert.ok(shown.includes(`Twin ${payload(7)}`), 'the merge screen shows the names verbatim');
    const lead = records.leads.find((l) => l.status !== 'converted');
    await go(`/r/leads/${lead.id}`);
    await page.getByRole('button', { name: 'Convert lead' }).click();
    await page.getByRole('form', { name: /^Convert / }).waitFor();
    await check('the conversion dialog of a payload-named lead');
  });

  step('the import wizard shows a hostile file\'s headers, cells and row errors inert', async () => {
    const q = (v) => `"${v.replace(/"/g, '""')}"`;
    const header = [payload(1), 'Email', payload(11)].map(q).join(',');
    const rows = [0, 2, 5].map((i) => [payload(i), `${payload(i + 3)}@x`, payload(i + 6)].map(q).join(','));
    await go('/import?entity=contacts');
    await page.getByLabel('File (CSV, Excel or vCard)').setInputFiles({ name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${rows.join('\n')}\n`) });
    await page.getByRole('table', { name: 'Columns' }).waitFor();
    await check('the import wizard\'s columns of a hostile file');
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByRole('region', { name: 'Dry run' }).waitFor();
    await check('the import wizard\'s dry run of a hostile file');
    // The same in a workbook: a hostile sheet name, headers and cells.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('<img src=x>');
    ws.addRow([payload(1), 'E-mail', payload(11)]);
    for (const i of [0, 2, 5]) ws.addRow([payload(i), `${payload(i + 3)}@x`, payload(i + 6)]);
    await page.getByLabel('File (CSV, Excel or vCard)').setInputFiles({ name: 'x.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await page.getByRole('rowheader', { name: 'E-mail', exact: true }).waitFor();
    await check('the import wizard\'s columns of a hostile workbook');
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByRole('region', { name: 'Dry run' }).waitFor();
    await check('the import wizard\'s dry run of a hostile workbook');
  });

  step('knowledge-base articles render hostile Markdown inert: list, article, versions, editor preview', async () => {
    const hostile = await admin.post('/kb_articles', { title: payload(4), body: MARKDOWN, status: 'published' });
    assert.equal(hostile.status, 201, hostile.text);
    const articles = [hostile.body, ...records.kb_articles];
    await go('/kb');
    await page.getByRole('heading', { name: 'Knowledge base', level: 1 }).waitFor();
    await check('/kb');
    await go(`/kb?q=${encodeURIComponent('xss')}`);
    await check('/kb search');
    for (const [k, rec] of articles.entries()) {
      await go(`/kb/a/${rec.id}`);
      await page.getByTestId('kb-body').waitFor();
      await check(`/kb/a/${rec.id} (#${k})`);
      const shown = await page.evaluate(() => document.querySelector('main').textContent);
      assert.ok(shown.includes(rec.title), `kb article #${k}: the title is shown verbatim`);
    }
    await go(`/kb/a/${records.kb_articles[0].id}?version=1`);
    await page.getByText('You are looking at version 1.').waitFor();
    await check('an article\'s first version');
    await go(`/kb/a/${hostile.body.id}/edit`);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('kb-preview').waitFor();
    await check('the editor\'s preview of hostile Markdown');
    assert.equal(await page.getByTestId('kb-preview').getByRole('link', { name: 'raw link' }).count(), 0);
    assert.ok((await page.getByTestId('kb-preview').textContent()).includes('link'), 'unlinked text stays');
  });

  step('the notification centre shows hostile titles and names inert: page, bell panel', async () => {
    await createUser(admin, { username: 'xss-notifier', password: 'xss-notifier-pass-1', display_name: payload(5) });
    const writer = await login(srv.base, 'xss-notifier', 'xss-notifier-pass-1');
    const note = await writer.post('/activities', { type: 'note', subject: payload(6), description: `@admin ${payload(7)}` });
    assert.equal(note.status, 201, note.text);
    await go('/notifications');
    await settle();
    await page.getByRole('link', { name: /mentioned you in/ }).first().waitFor();
    const main = await page.evaluate(() => document.querySelector('main').textContent);
    assert.ok(main.includes(note.body.subject), '/notifications shows the payload subject');
    await check('/notifications');
    await page.getByRole('banner').getByRole('button', { name: /^Notifications/ }).click();
    await page.getByRole('region', { name: 'Notifications' }).waitFor();
    await check('/notifications with the bell panel open');
  });

  step('fast case entry, a case\'s articles and an article\'s cases show hostile text inert', async () => {
    const art = await admin.post('/kb_articles', { title: `${payload(6)} xss`, body: payload(7), status: 'published' });
    assert.equal(art.status, 201, art.text);
    const kase = records.cases[0];
    const linked = await admin.patch(`/cases/${kase.id}`, { kb_articles: [art.body.id, records.kb_articles[0].id],
      status: 'resolved', resolution: pair(8) });
    assert.equal(linked.status, 200, linked.text);
    await go(`/r/cases/${kase.id}`);
    await page.getByRole('region', { name: 'Knowledge articles' }).getByRole('link', { name: art.body.title }).waitFor();
    await check('a case linking hostile articles');
    await go(`/kb/a/${art.body.id}`);
    await page.getByRole('region', { name: 'Linked cases' }).getByRole('link', { name: kase.number }).waitFor();
    await check('an article listing a hostile case');
    // "New case" on a hostile account found by search: its name, open cases, suggestions.
    await go(`/search?q=${encodeURIComponent('xss')}`);
    await page.getByRole('region', { name: 'Accounts' }).getByRole('button', { name: /^New case:/ }).first().click();
    await page.locator('.qc-open').waitFor();
    await page.locator('#qc-subject').fill('xss script');
    await page.locator('.qc-suggest').waitFor();
    await check('the quick case form with a hostile customer and suggestions');
    await page.keyboard.press('Escape');
    // A draft from the hostile resolved case, in the editor.
    await go(`/r/cases/${kase.id}`);
    await page.getByRole('button', { name: 'Create an article from this case' }).click();
    await page.getByRole('heading', { name: 'Edit article', level: 1 }).waitFor();
    await check('the editor of an article made from a hostile case');
  });

  step('workflow rules show hostile names, definitions, records and run messages inert', async () => {
    const tag = codepoints(payload(9), 100);
    const hostile = await admin.post('/workflows', {
      name: codepoints(payload(10), 100), entity: 'contacts', trigger: 'field_changed', trigger_field: 'title',
      trigger_value: codepoints(payload(11), 255), description: payload(12),
      conditions: `last_name=${encodeURIComponent(payload(13))}\nfirst_name[like]=${encodeURIComponent(payload(14))}`,
      actions: [
        { type: 'set_fields', values: { title: `${payload(15)} {{last_name}}` } },
        { type: 'create_task', subject: payload(16), due_in_days: 1 },
        { type: 'notify', message: payload(17), to: 'owner' },
        { type: 'webhook', url: URLS[0](18) },
        { type: 'create_record', entity: 'activities', link_field: 'related_id', values: { related_type: 'contacts', subject: payload(19) } },
      ],
    });
    assert.equal(hostile.status, 201, hostile.text);
    // A rule that runs on a payload-named contact, one of its values refused (a message).
    const runs = await admin.post('/workflows', {
      name: codepoints(payload(20), 100), entity: 'contacts', trigger: 'created', conditions: `last_name=${encodeURIComponent(tag)}`,
      actions: [{ type: 'set_fields', values: { email: payload(21) } }, { type: 'set_fields', values: { department: payload(22) } }],
    });
    assert.equal(runs.status, 201, runs.text);
    const con = await admin.post('/contacts', { first_name: codepoints(payload(23), 100), last_name: tag });
    assert.equal(con.status, 201, con.text);
    for (const r of [hostile.body, runs.body]) {
      await go('/admin/automation/rules');
      await page.locator(`tr[data-rule="${r.id}"]`).waitFor();
      await check('the rules list');
      await go(`/admin/automation/rules/${r.id}`);
      await page.getByRole('heading', { name: r.name, level: 2 }).waitFor();
      await check(`the rule page of ${r.id}`);
      const shown = await page.evaluate(() => document.querySelector('main').textContent);
      assert.ok(shown.includes(r.name), 'the rule\'s name is shown verbatim');
      await page.locator('.wf-pick button').first().click();
      await page.locator('.wf-result .notice').waitFor();
      await check(`the rule ${r.id} tried on a hostile contact`);
      await go(`/admin/automation/rules/${r.id}/edit`);
      await page.locator('form.wf-form').waitFor();
      await check(`the form of the rule ${r.id}`);
    }
    await go(`/admin/automation/rules/${runs.body.id}`);
    await page.locator('tr[data-run]').first().waitFor();
    await check('a run log with a hostile record and messages');
  });

  step('javascript: URLs written behind the API are not linked', async () => {
    for (const name of ['accounts', 'leads']) {
      for (let i = 0; i < JS_URLS.length; i++) {
        const id = records[name][i].id;
        const r = await admin.get(`${API}/${name}/${id}`);
        assert.equal(r.body.website, JS_URLS[i], 'the database holds the javascript: URL');
        await go(`/r/${name}/${id}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await check(`/r/${name}/${id} with website ${JSON.stringify(JS_URLS[i])}`);
      }
    }
  });
});
