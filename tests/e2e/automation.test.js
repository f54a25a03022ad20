// Administration › Automation, as an administrator meets it: webhooks to a receiver the
// test runs on 127.0.0.1. A webhook to http://10.0.0.1/ (and to the receiver) is refused
// beside its URL until the address is on the allow-list; the allow-list set in
// "Outgoing requests" (a bad entry and an out-of-range number refused beside their
// inputs first); a webhook for contacts created, its page with the signing secret (the
// receiver checks the signature the page explains); a contact created through the API
// arrives, signed, and is in the delivery log as delivered with 200; its row opens on
// the body, pretty-printed; Send test and its outcome; a receiver answering 500 — the
// webhook pauses (the reason shown), Redeliver on the failed row, Resume, delivered;
// an edit (a bad URL refused, an event added); the tab in Chinese (no English left);
// a sales rep sees no Administration and no tab. An accessible name on every control;
// no CSP violation or script error (a webhook's name and a receiver's answer hold
// markup). Each step saves a screenshot to $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { startServer, loginAdmin, createUser, createTeam, create, login, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('automation');
const { step, signIn, go } = ui;
let srv, admin, page, receiver, recv;
const HOOK = '联系人同步';
const FAILING = '失败的接收方 <img src=x onerror=alert(1)>';
const HOSTILE_ANSWER = '<img src=x onerror=alert(2)> busy, try later';
const SAM_PASSWORD = 'sam-pass-12345';
const ids = {};
let secret;
let failing = true;
const received = []; // {path, headers, body (Buffer)}

// A timestamped HMAC-SHA256 signature, checked as the webhook page tells receivers to.
function signed(header, body) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  if (!m || Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const mac = crypto.createHmac('sha256', secret).update(`${m[1]}.`).update(body).digest('hex');
  return mac === m[2];
}

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Words the same in both languages, and the data's own texts.
const ALLOWED = new Set(['Rapport', 'Webhook', 'URL', 'ID', 'JSON', 'http', 'https', 'Ctrl']);
// The visible texts of the page's main region outside code and inputs (and text marked
// as another language on purpose) with English words in them.
async function english() {
  const texts = await page.evaluate(() => {
    const out = [];
    const root = document.querySelector('main');
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!n.nodeValue.trim() || el.closest('textarea, code, kbd, samp, script, style') || !el.checkVisibility()) continue;
      if (el.closest('[lang]') && el.closest('[lang]').lang !== document.documentElement.lang) continue;
      out.push(n.nodeValue.trim());
    }
    for (const el of root.querySelectorAll('[placeholder], [title], [aria-label]')) {
      for (const a of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
    }
    return out;
  });
  return texts.filter((x) => x !== HOOK && x !== FAILING)
    .filter((x) => (x.match(/[A-Za-z]{3,}/g) || []).some((w) => !ALLOWED.has(w)));
}

describe('automation: webhooks UI', () => {
  before(async () => {
    receiver = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        if (req.url === '/fail' && failing) {
          res.writeHead(500, { 'content-type': 'text/html' });
          res.end(HOSTILE_ANSWER);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('thanks');
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    recv = `http://127.0.0.1:${receiver.address().port}`;
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const north = await createTeam(admin, 'North');
    await createUser(admin, { username: 'sam', password: SAM_PASSWORD, role: 'sales', team_ids: [north.id], display_name: 'Sam Sales' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
    receiver?.close();
  });

  step('an administrator opens Administration › Automation', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Admin', exact: true }).click();
    const tabs = page.getByRole('navigation', { name: 'Administration' });
    await tabs.getByRole('link', { name: 'Automation' }).click();
    await page.getByRole('heading', { name: 'Automation', level: 2 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/automation');
    assert.equal(await tabs.getByRole('link', { name: 'Automation' }).getAttribute('aria-current'), 'page');
    await page.getByRole('region', { name: 'Webhooks' }).getByText('No webhooks yet.').waitFor();
    const out = page.getByRole('form', { name: 'Outgoing requests' });
    assert.equal(await out.getByLabel('Allowed private addresses').inputValue(), '');
    assert.equal(await out.getByLabel('First wait before trying again (seconds)').inputValue(), '10');
    assert.equal(await out.getByLabel('Attempts per delivery').inputValue(), '10');
  });

  step('a private address is refused beside the URL until it is on the allow-list', async () => {
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/automation/new');
    // The kinds of record, by their names; the webhooks' own are not among them.
    const kinds = await form.getByLabel('Records').locator('option').allTextContents();
    for (const x of ['Accounts', 'Contacts', 'Leads', 'Cases']) assert.ok(kinds.includes(x), `${x} in ${kinds}`);
    assert.ok(!kinds.some((x) => /webhook/i.test(x)), String(kinds));
    // Nothing filled in: every required input says so, before anything is sent.
    await form.getByRole('button', { name: 'Create webhook' }).click();
    for (const f of ['Name', 'URL', 'Records', 'Events']) await form.getByText(`${f} is required`).waitFor();

    await form.getByLabel('Name', { exact: true }).fill(HOOK);
    await form.getByLabel('URL', { exact: true }).fill('http://10.0.0.1/');
    await form.getByLabel('Records').selectOption({ label: 'Contacts' });
    await form.getByLabel('Created', { exact: true }).check();
    assert.equal(await form.getByText('Events is required').count(), 0);
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await form.getByText('URL is a private address: an administrator must add it to the allow-list of the automation settings first').waitFor();
    await form.getByRole('alert').filter({ hasText: 'Some fields need your attention.' }).waitFor();
    const url = form.getByLabel('URL', { exact: true });
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.match(await url.getAttribute('aria-describedby'), /\bau-f-url-error\b/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'au-f-url', 'the URL has the focus');
    // The receiver on this machine is refused as well; the input keeps what was typed.
    await url.fill(`${recv}/hook`);
    assert.equal(await form.getByText(/^URL is a private address/).count(), 0, 'typing clears the error');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await form.getByText(/^URL is a loopback address: an administrator must add it to the allow-list/).waitFor();
    assert.equal(await url.inputValue(), `${recv}/hook`);
    assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), HOOK);
    assert.equal((await admin.get('/webhooks')).body.data.length, 0);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Automation', level: 2 }).waitFor();
  });

  step('Outgoing requests: a bad entry and an attempt count out of range refused, then the allow-list saved', async () => {
    const out = page.getByRole('form', { name: 'Outgoing requests' });
    await out.getByText('One entry per line', { exact: false }).waitFor();
    await out.getByLabel('Allowed private addresses').fill('127.0.0.1\nhost!');
    await out.getByLabel('Attempts per delivery').fill('99');
    await out.getByRole('button', { name: 'Save settings' }).click();
    await out.getByText('Allowed private addresses "host!" is not an address, a range (10.0.0.0/8) or a host name', { exact: false }).waitFor();
    await out.getByText('Attempts per delivery must be a whole number from 1 to 30').waitFor();
    assert.equal(await out.getByLabel('Attempts per delivery').getAttribute('aria-invalid'), 'true');
    assert.equal((await admin.get('/automation/settings')).body.allow_list, '', 'nothing saved');

    await out.getByLabel('Allowed private addresses').fill('127.0.0.1');
    await out.getByLabel('Attempts per delivery').fill(''); // the default
    await out.getByLabel('First wait before trying again (seconds)').fill('2');
    await out.getByRole('button', { name: 'Save settings' }).click();
    await out.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.deepEqual((await admin.get('/automation/settings')).body, { allow_list: '127.0.0.1', retry_base_s: 2, max_attempts: 10 });
    assert.equal(await out.getByLabel('Attempts per delivery').inputValue(), '10');
    assert.equal(await out.getByText(/must be a whole number/).count(), 0);
  });

  step('a webhook for contacts created: its page with the signing secret', async () => {
    await page.getByRole('button', { name: 'New webhook' }).click();
    const form = page.getByRole('form', { name: 'New webhook' });
    await form.getByLabel('Name', { exact: true }).fill(HOOK);
    await form.getByLabel('URL', { exact: true }).fill(`${recv}/hook`);
    await form.getByLabel('Records').selectOption({ label: 'Contacts' });
    await form.getByLabel('Created', { exact: true }).check();
    await form.getByLabel('Description').fill('同步到邮件营销工具');
    await form.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('heading', { name: HOOK, level: 2 }).waitFor();
    const m = /^\/admin\/automation\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname);
    assert.ok(m, page.url());
    ids.hook = m[1];
    await page.getByText(`Webhook “${HOOK}” created.`).waitFor();
    const hook = (await admin.get(`/webhooks/${ids.hook}`)).body;
    assert.deepEqual([hook.entity, hook.events, hook.active, hook.url], ['contacts', ['created'], true, `${recv}/hook`]);

    const settings = page.getByRole('region', { name: 'Settings' });
    await settings.getByText('Contacts', { exact: true }).waitFor();
    await settings.getByText('Created', { exact: true }).waitFor();
    await settings.getByText('同步到邮件营销工具').waitFor();
    await page.getByRole('region', { name: 'Deliveries' }).getByText('Active', { exact: true }).waitFor();

    const box = page.getByRole('region', { name: 'Signing secret' });
    secret = await box.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.match(secret, /^whsec_[0-9a-f]{48}$/);
    assert.equal(secret, hook.secret);
    await box.getByText(/is the hexadecimal HMAC-SHA256 of <t>\.<body>/).waitFor();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
    await box.getByRole('button', { name: 'Copy signing secret' }).click();
    const said = box.getByRole('status').filter({ hasText: /Copied to the clipboard\.|Selected: press Ctrl\+C/ });
    await said.waitFor();
    if (/Copied/.test(await said.textContent())) assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await page.getByRole('region', { name: 'Delivery log' }).getByText('No deliveries yet.').waitFor();
  });

  step('a contact created through the API arrives signed and is logged as delivered with 200', async () => {
    const contact = await create(admin, 'contacts', { first_name: '雷', last_name: '李', email: 'li.lei@example.com' });
    ids.contact = contact.id;
    const got = await until('the delivery', () => received.find((r) => r.path === '/hook'));
    assert.equal(got.headers['x-rapport-event'], 'created');
    assert.equal(got.headers['x-rapport-webhook'], ids.hook);
    assert.ok(signed(got.headers['x-rapport-signature'], got.body), 'the signature checks out as the page explains it');
    const body = JSON.parse(got.body.toString('utf8'));
    assert.deepEqual([body.event, body.entity, body.record.id, body.record.last_name], ['created', 'contacts', contact.id, '李']);
    ids.delivery = got.headers['x-rapport-delivery'];

    const log = page.getByRole('region', { name: 'Delivery log' });
    const row = log.locator('tr[data-delivery]').filter({ hasText: '李雷' });
    await until('the row in the log', async () => {
      if (await row.filter({ hasText: 'Delivered' }).count()) return true;
      await log.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(300);
      return false;
    });
    assert.equal(await row.count(), 1);
    await row.getByRole('cell', { name: 'Created', exact: true }).waitFor();
    await row.getByRole('cell', { name: '200', exact: true }).waitFor();
    await row.getByRole('cell', { name: '1', exact: true }).first().waitFor(); // one attempt
    assert.equal(await row.getByRole('link', { name: '李雷' }).getAttribute('href'), `/r/contacts/${contact.id}`);
    assert.equal(await row.getByRole('button', { name: /^Redeliver/ }).count(), 0, 'a delivered row is not sent again');
    // The webhook's own tally, read again with the log.
    await page.getByRole('region', { name: 'Deliveries' }).getByText('200', { exact: true }).waitFor();
  });

  step('a delivery opened: its body pretty-printed, its answer and id', async () => {
    const log = page.getByRole('region', { name: 'Delivery log' });
    const open = log.locator('tr[data-delivery]').filter({ hasText: '李雷' }).getByRole('button', { name: /^Details of the delivery of / });
    assert.equal(await open.getAttribute('aria-expanded'), 'false');
    await open.click();
    assert.equal(await open.getAttribute('aria-expanded'), 'true');
    const detail = log.getByRole('region', { name: /^Details of the delivery of / });
    const text = await detail.locator('pre code').textContent();
    assert.match(text, /^\{\n {2}"event": "created",\n {2}"entity": "contacts",\n/);
    assert.match(text, /\n {4}"last_name": "李",\n/);
    const sent = received.find((r) => r.path === '/hook');
    assert.deepEqual(JSON.parse(text), JSON.parse(sent.body.toString('utf8')), 'the body the receiver got');
    await detail.getByText('thanks', { exact: true }).waitFor();
    await detail.getByText(ids.delivery, { exact: true }).waitFor();
  });

  step('Send test: the outcome shown, the test in the log', async () => {
    const before = received.length;
    const panel = page.getByRole('region', { name: 'Test', exact: true });
    await panel.getByRole('button', { name: 'Send test' }).click();
    await panel.getByRole('status').filter({ hasText: /^Test delivered: answer 200 in \d+ ms\./ }).waitFor();
    const test = received.slice(before).find((r) => r.headers['x-rapport-event'] === 'test');
    assert.ok(test, 'the receiver got the test');
    assert.ok(signed(test.headers['x-rapport-signature'], test.body));
    assert.equal(JSON.parse(test.body.toString('utf8')).webhook_id, ids.hook);
    const row = page.getByRole('region', { name: 'Delivery log' }).locator('tr[data-delivery]').filter({ hasText: 'Test' });
    await row.filter({ hasText: 'Delivered' }).waitFor();
    await row.getByRole('cell', { name: '200', exact: true }).waitFor();
    assert.equal(await row.getByRole('button', { name: /^Redeliver/ }).count(), 0);
    // The status filter: no failed delivery yet.
    await page.getByLabel('Show deliveries').selectOption({ label: 'Failed' });
    await page.getByText('No deliveries with this status.').waitFor();
    await page.getByLabel('Show deliveries').selectOption({ label: 'Delivered' });
    await page.getByRole('region', { name: 'Delivery log' }).locator('tr[data-delivery]').filter({ hasText: '李雷' }).waitFor();
    await page.getByLabel('Show deliveries').selectOption({ label: 'All' });
  });

  step('New secret: confirmed, shown, and the next test is signed with it', async () => {
    const box = page.getByRole('region', { name: 'Signing secret' });
    const old = secret;
    page.once('dialog', (d) => d.accept());
    await box.getByRole('button', { name: 'New secret' }).click();
    await page.getByText('A new secret signs every request from now on.').waitFor();
    secret = await box.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.match(secret, /^whsec_[0-9a-f]{48}$/);
    assert.notEqual(secret, old);
    const before = received.length;
    await page.getByRole('region', { name: 'Test', exact: true }).getByRole('button', { name: 'Send test' }).click();
    await until('the second test', async () => received.slice(before).some((r) => r.headers['x-rapport-event'] === 'test'));
    const test = received.slice(before).find((r) => r.headers['x-rapport-event'] === 'test');
    assert.ok(signed(test.headers['x-rapport-signature'], test.body), 'signed with the new secret');
  });

  step('a receiver answering 500: the webhook pauses; Redeliver, Resume, delivered', async () => {
    assert.equal((await admin.patch('/automation/settings', { max_attempts: 1 })).status, 200);
    const bad = await create(admin, 'webhooks', { name: FAILING, url: `${recv}/fail`, entity: 'contacts', events: ['updated'] });
    ids.failing = bad.id;
    assert.equal((await admin.patch(`/contacts/${ids.contact}`, { title: 'Buyer' })).status, 200);
    await until('the pause', async () => (await admin.get(`/webhooks/${bad.id}`)).body.status === 'paused');

    await go('/admin/automation');
    const list = page.getByRole('region', { name: 'Webhooks' });
    const badRow = list.getByRole('row').filter({ hasText: FAILING });
    await badRow.getByText('Paused', { exact: true }).waitFor();
    await badRow.getByRole('cell', { name: /^500 · / }).waitFor();
    assert.equal(await badRow.getByRole('link', { name: FAILING }).getAttribute('href'), `/admin/automation/${bad.id}`);
    // The administrators' notification of the pause links to the webhook as a record:
    // that address opens the webhook's page here.
    await go(`/r/webhooks/${bad.id}`);
    await page.getByRole('heading', { name: FAILING, level: 2 }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/admin/automation/${bad.id}`);
    assert.equal(await page.locator('main img').count(), 0, 'the name is text');
    const paused = page.getByText(/^This webhook is paused: its deliveries wait until it is resumed\. Why: delivery [0-9a-f-]{36} failed 1 times, last: HTTP 500$/);
    await paused.waitFor();

    const log = page.getByRole('region', { name: 'Delivery log' });
    const row = log.locator('tr[data-delivery]').filter({ hasText: 'Updated' });
    await row.getByText('Failed', { exact: true }).waitFor();
    await row.getByRole('cell', { name: '500', exact: true }).waitFor();
    await row.getByRole('button', { name: /^Details of the delivery of / }).click();
    await log.getByRole('region', { name: /^Details of the delivery of / }).getByText(HOSTILE_ANSWER).waitFor();
    assert.equal(await page.locator('main img').count(), 0, 'the answer is text');

    // The receiver mended: Redeliver makes the failed delivery wait for the webhook,
    // Resume sends it; the log is read again by itself while it is pending.
    failing = false;
    await row.getByRole('button', { name: /^Redeliver the delivery of / }).click();
    await log.getByRole('status').filter({ hasText: /goes again once the webhook is resumed\./ }).waitFor();
    await row.getByText('Pending', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByText('Resumed: its waiting deliveries go again.').waitFor();
    assert.equal(await paused.count(), 0);
    await row.getByText('Delivered', { exact: true }).waitFor();
    await row.getByRole('cell', { name: '200', exact: true }).waitFor();
    assert.equal(await row.getByRole('button', { name: /^Redeliver/ }).count(), 0);
    const tries = received.filter((r) => r.path === '/fail');
    assert.equal(tries.length, 2);
    assert.equal(tries[0].headers['x-rapport-delivery'], tries[1].headers['x-rapport-delivery'], 'the same delivery');
    const hook = (await admin.get(`/webhooks/${bad.id}`)).body;
    assert.deepEqual([hook.status, hook.failures, hook.last_code, hook.paused_reason], ['active', 0, 200, null]);
    await page.getByRole('region', { name: 'Deliveries' }).getByText('200', { exact: true }).waitFor();
  });

  step('the list: records, events, status and last answer', async () => {
    await page.getByRole('link', { name: 'All webhooks' }).click();
    const list = page.getByRole('region', { name: 'Webhooks' });
    await list.getByRole('row').filter({ hasText: HOOK }).waitFor();
    const head = await list.getByRole('columnheader').allTextContents();
    assert.deepEqual(head, ['Name', 'Records', 'Events', 'Status', 'Last answer']);
    const row = list.getByRole('row').filter({ hasText: HOOK });
    await row.getByRole('cell', { name: 'Contacts', exact: true }).waitFor();
    await row.getByRole('cell', { name: 'Created', exact: true }).waitFor();
    await row.getByText('Active', { exact: true }).waitFor();
    await row.getByText('200', { exact: true }).waitFor();
    await row.getByText(`${recv}/hook`).waitFor();
    await list.getByRole('row').filter({ hasText: FAILING }).getByRole('cell', { name: 'Updated', exact: true }).waitFor();
  });

  step('edit a webhook: a bad URL refused beside its input, an event added', async () => {
    await page.getByRole('link', { name: HOOK }).click();
    await page.getByRole('heading', { name: HOOK, level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: `Edit webhook ${HOOK}` });
    assert.equal(await form.getByLabel('URL', { exact: true }).inputValue(), `${recv}/hook`);
    assert.equal(await form.getByLabel('Records').inputValue(), 'contacts');
    assert.ok(await form.getByLabel('Created', { exact: true }).isChecked());
    await form.getByLabel('URL', { exact: true }).fill('ftp://files.example.com/drop');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('URL must be an http:// or https:// address').waitFor();
    await form.getByLabel('URL', { exact: true }).fill(`${recv}/hook`);
    await form.getByLabel('Updated', { exact: true }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('region', { name: 'Settings' }).getByText('Created, Updated', { exact: true }).waitFor();
    await page.getByText('Saved.').waitFor();
    assert.deepEqual((await admin.get(`/webhooks/${ids.hook}`)).body.events, ['created', 'updated']);
  });

  step('every control has an accessible name', async () => {
    await page.getByRole('region', { name: 'Delivery log' }).getByRole('button', { name: /^Details of the delivery of / }).first().click();
    assert.deepEqual(await ui.unnamedControls(), []);
    await go('/admin/automation/new');
    await page.getByRole('form', { name: 'New webhook' }).waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
    await go('/admin/automation');
    await page.getByRole('form', { name: 'Outgoing requests' }).waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('the tab in Chinese', async () => {
    await page.getByRole('banner').getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
    const tabs = page.getByRole('navigation', { name: '系统管理' });
    assert.equal(await tabs.getByRole('link', { name: '自动化' }).getAttribute('aria-current'), 'page');
    await page.getByRole('heading', { name: '自动化', level: 2 }).waitFor();
    const list = page.getByRole('region', { name: 'Webhook', exact: true });
    await list.getByRole('row').filter({ hasText: HOOK }).waitFor();
    assert.deepEqual(await list.getByRole('columnheader').allTextContents(), ['名称', '记录类型', '事件', '状态', '最近应答']);
    const row = list.getByRole('row').filter({ hasText: HOOK });
    await row.getByRole('cell', { name: '联系人', exact: true }).waitFor();
    await row.getByRole('cell', { name: '创建, 更新', exact: true }).waitFor();
    await row.getByText('运行中', { exact: true }).waitFor();
    await page.getByRole('button', { name: '新建 Webhook' }).waitFor();
    const out = page.getByRole('form', { name: '外发请求' });
    assert.equal(await out.getByLabel('允许的私有地址').inputValue(), '127.0.0.1');
    await out.getByLabel('首次重试前等待（秒）').waitFor();
    await out.getByLabel('每次投递的尝试次数').waitFor();
    await out.getByRole('button', { name: '保存设置' }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await english(), [], 'no English on the list');

    await row.getByRole('link', { name: HOOK }).click();
    await page.getByRole('heading', { name: HOOK, level: 2 }).waitFor();
    await page.getByRole('region', { name: '设置' }).getByText('创建, 更新', { exact: true }).waitFor();
    await page.getByRole('region', { name: '投递情况' }).getByText('运行中', { exact: true }).waitFor();
    await page.getByRole('region', { name: '签名密钥' }).getByRole('button', { name: '复制签名密钥' }).waitFor();
    await page.getByRole('region', { name: '测试', exact: true }).getByRole('button', { name: '发送测试' }).waitFor();
    const log = page.getByRole('region', { name: '投递记录' });
    await log.locator('tr[data-delivery]').first().waitFor();
    assert.deepEqual((await log.getByRole('columnheader').allTextContents()).slice(0, 7),
      ['时间', '事件', '记录', '状态', '尝试次数', '应答', '耗时（毫秒）']);
    const first = log.locator('tr[data-delivery]').filter({ hasText: '李雷' });
    await first.getByText('已投递', { exact: true }).waitFor();
    await first.getByRole('button', { name: /^.+ 的投递详情$/ }).click();
    await log.getByRole('heading', { name: '内容' }).waitFor();
    await page.getByLabel('显示投递').selectOption({ label: '失败' });
    await page.getByText('没有此状态的投递。').waitFor();
    await page.getByLabel('显示投递').selectOption({ label: '全部' });
    await first.waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await english(), [], 'no English on the webhook page');

    await page.getByRole('link', { name: '全部 Webhook' }).click();
    await page.getByRole('button', { name: '新建 Webhook' }).click();
    const form = page.getByRole('form', { name: '新建 Webhook' });
    await form.getByLabel('名称', { exact: true }).fill('内网');
    await form.getByLabel('URL', { exact: true }).fill('http://10.0.0.1/');
    await form.getByLabel('记录类型').selectOption({ label: '客户' });
    await form.getByLabel('创建', { exact: true }).check();
    await form.getByRole('button', { name: '创建 Webhook' }).click();
    // The server's message in Chinese, beside the input.
    await form.getByText(/^URL 是.*地址：须先由管理员加入自动化设置的允许列表$/).waitFor();
    await form.getByRole('alert').filter({ hasText: '有些字段需要修改。' }).waitFor();
    assert.equal(await page.title(), '系统管理 · Rapport');
  });

  step('a sales rep sees neither Administration nor the tab', async () => {
    await page.getByRole('banner').getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await ui.signOut();
    await signIn('sam', SAM_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Home' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Admin', exact: true }).count(), 0);
    await go('/admin/automation');
    await page.getByText('You are not allowed to do that.').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Automation' }).count(), 0);
    assert.equal(await page.getByText(HOOK).count(), 0);
    const sam = await login(srv.base, 'sam', SAM_PASSWORD);
    assert.equal((await sam.get('/automation/settings')).status, 403);
    assert.equal((await sam.get('/webhooks')).status, 403);
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
