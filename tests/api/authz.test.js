// The authorization matrix of the built-in roles (tests/authz/matrix.tsv,
// docs/security.md section 5) run against a live server: every route × method ×
// variant × role × relation to the record. Custom roles, the team hierarchy and shares
// are the generated pass's (authz-model.test.js). Checks that
//   1. every route of the server has a row, and every row a route: the routes are read
//      from /openapi.json, which the server builds from its one route table (the API's
//      own and every module's), each {res} route once per entity it applies to (the
//      check runs first: the custom entity an administrator's cell adds brings routes
//      of its own);
//   2. every cell answers its expected status — record shares (list, add, remove) as
//      reads and edits of the record, settings and custom entities and fields for
//      administrators only;
//   3. every refused write left the database unchanged (records, versions, owners,
//      recycle bin, record audit rows, sessions, tokens, shares, custom fields and
//      entities, settings, the metadata generation, the status of webhooks and their
//      deliveries — tests/authz/db.js, read with the sqlite3 shell, or psql in the
//      PostgreSQL pass), and so did an administrator's dry run of a workflow rule;
//   4. no successful read (lists, counts, search, phone lookup, duplicates, history, timeline,
//      shares, calendar, reports, knowledge-base suggestions, a case's articles and an
//      article's cases) mentions the id of a record the role may not read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  startServer, loginAdmin, login, createUser, createTeam, Client, REPO, ADMIN_PASSWORD, uniq,
} from './helpers.js';
import { Shell, snapshot as dbSnapshot } from '../authz/db.js';

const ROLES = ['admin', 'manager', 'sales', 'support', 'marketing', 'partner', 'readonly'];
const CALLERS = [...ROLES, 'anonymous'];
const RELS = ['own', 'team', 'other'];
const PASSWORD = 'matrix-pass-4921';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MARK = 'zqxauthz'; // in every record's title, so one search finds them all
// In every account and contact, so one lookup finds them all (not in leads: the contact a
// conversion makes would look like all the others).
const PHONE = '+86 139 0000 4242';

// ---- the table ----

function loadMatrix() {
  const lines = readFileSync(path.join(REPO, 'tests', 'authz', 'matrix.tsv'), 'utf8')
    .split('\n').filter((l) => l && !l.startsWith('#'));
  const head = lines.shift().split('\t');
  assert.deepEqual(head, ['route', 'method', 'variant', ...CALLERS], 'matrix.tsv header');
  return lines.map((l) => {
    const f = l.split('\t');
    assert.equal(f.length, head.length, `matrix.tsv: bad row ${l}`);
    const row = { route: f[0], method: f[1], variant: f[2], cells: {} };
    CALLERS.forEach((c, i) => {
      const v = f[3 + i].split('/').map(Number);
      assert.ok(v.every((s) => s >= 100 && s < 600) && (v.length === 1 || v.length === 3),
        `matrix.tsv: bad cell ${f[3 + i]} in ${l}`);
      row.cells[c] = v;
    });
    return row;
  });
}
const MATRIX = loadMatrix();
const expected = (row, caller, rel) => {
  const v = row.cells[caller];
  return v.length === 1 ? v[0] : v[RELS.indexOf(rel)];
};
const relational = (row) => CALLERS.some((c) => row.cells[c].length === 3);

const segs = (p) => p.split('/').filter(Boolean);

// ---- the world ----

let srv, admin, teamA, teamB;
const users = {};     // role -> user record; also mate, far, heir
const clients = {};   // role -> signed-in Client; anonymous -> Client without a session
const owners = new Map(); // CRM record id -> {entity, owner}
let mateClient, farClient;

const NEW = {
  accounts: () => ({ name: `${MARK} ${uniq('acc')}`, description: `${MARK} account`, phone: PHONE }),
  contacts: () => ({ last_name: `${MARK} ${uniq('con')}`, phone_mobile: PHONE }),
  leads: () => ({ last_name: `${MARK} ${uniq('lead')}`, company: `${MARK} ${uniq('co')}`, status: 'new' }),
  opportunities: () => ({ name: `${MARK} ${uniq('opp')}`, stage: 'prospecting', amount: '100.00',
    expected_close_date: '2026-12-01' }),
  activities: () => ({ type: 'task', subject: `${MARK} ${uniq('act')}`, status: 'planned',
    priority: 'normal', start_at: '2026-11-02T09:00:00Z', due_at: '2026-11-02T10:00:00Z' }),
  users: () => ({ username: uniq('u').replace(/-/g, '_'), password: PASSWORD, role: 'sales',
    team_ids: [teamA.id] }),
  teams: () => ({ name: uniq('team') }),
  pipeline_stages: () => ({ key: uniq('st').replace(/-/g, '_'), label: 'Stage', probability: 50,
    sort_order: 500, outcome: 'open' }),
  roles: () => ({ key: uniq('role').replace(/-/g, '_').toLowerCase(), label: 'Role',
    grants: { accounts: { read: 'own' } } }),
  kb_categories: () => ({ name: `${MARK} ${uniq('cat')}` }),
  kb_articles: () => ({ title: `${MARK} ${uniq('art')}`, body: `${MARK} body`, status: 'published' }),
  // A vote on an article of its own: one vote per reader and article.
  kb_feedback: async () => ({ article_id: await make('kb_articles'), helpful: true, comment: `${MARK} ${uniq('fb')}` }),
  cases: () => ({ subject: `${MARK} ${uniq('case')}` }),
  // Far off dates: no renewal sweep writes while the matrix runs.
  service_agreements: async () => ({ name: `${MARK} ${uniq('sa')}`, account_id: await make('accounts'),
    start_date: '2090-01-01', end_date: '2099-12-31' }),
  case_queues: () => ({ name: uniq('queue'), match_product: 'matrix-only' }),
  sla_policies: () => ({ name: uniq('sla'), p3_resolution: 600 }),
  business_calendars: () => ({ name: uniq('cal'), time_zone: 'Europe/Berlin' }),
  // With no SMTP server and one attempt, each message fails at once and is left alone.
  emails: () => ({ to_addresses: 'matrix@example.com', subject: `${MARK} ${uniq('mail')}`, body_text: MARK }),
  email_templates: () => ({ name: `${MARK} ${uniq('tpl')}`, subject: 'Hi {{contact.first_name|there}}', body_text: MARK }),
  // Only the system writes the delivery log: the body of a refused POST.
  email_deliveries: async () => ({ email_id: await make('emails') }),
  // A server nobody answers on: a reading fails at once; not read on the minute (the
  // poll would write while other cells are checked).
  mailboxes: () => ({ name: `${MARK} ${uniq('mbx')}`, host: '127.0.0.1', port: 9, security: 'none', username: 'matrix', enabled: false }),
  product_categories: () => ({ name: `${MARK} ${uniq('pcat')}` }),
  products: () => ({ sku: uniq('sku'), name: `${MARK} ${uniq('prod')}`, list_price: '10.00' }),
  price_lists: () => ({ name: `${MARK} ${uniq('plist')}` }),
  // An entry of a list and a product of its own: one entry per list, product and volume.
  price_list_items: async () => ({ price_list_id: await make('price_lists'), product_id: await make('products'), unit_price: '9.00' }),
  // Not the letterhead of the PDFs: is_default false.
  letterheads: () => ({ company_name: `${MARK} ${uniq('lh')}`, is_default: false }),
  quotes: () => ({ name: `${MARK} ${uniq('quote')}`, lines: [{ description: MARK, quantity: 1, unit_price: '1.00' }] }),
  orders: () => ({ name: `${MARK} ${uniq('order')}`, lines: [{ description: MARK, quantity: 1, unit_price: '1.00' }] }),
  // A shipment of an order of its own owner's (a shipment names its order: one the
  // reader of the shipment reads too).
  shipments: async (owner) => ({ order_id: await make('orders', owner ?? users.mate.id),
    tracking_number: `${MARK}-${uniq('trk')}`, carrier: 'dhl' }),
  // On its owner's account (the account is required, and named by the contract).
  contracts: async (owner) => ({ name: `${MARK} ${uniq('ct')}`, account_id: await sharedRecord('accounts', owner ?? users.mate.id) }),
  // One limit per role: a role of its own.
  discount_limits: async () => ({ role: await freshRole(), max_discount: 1500 }),
  // One per code, and few codes: the previous cells' currencies go first.
  currencies: async () => { await clearCurrencies(); return { code: 'GBP', enabled: false }; },
  // One rate per currency and day, long before the rates the conversion uses.
  exchange_rates: () => ({ currency: 'EUR', valid_from: nextRateDay(), rate: '1.080000' }),
  // A receiver nobody answers on (127.0.0.1 is on the set-up's allow-list), inactive:
  // no change of its entity writes a delivery while other cells are checked.
  webhooks: () => ({ name: `${MARK} ${uniq('hook')}`, url: 'http://127.0.0.1:9/matrix', entity: 'kb_categories',
    events: ['created'], active: false }),
  // Only the system writes the delivery log: the body of a refused POST.
  webhook_deliveries: async () => ({ webhook_id: await make('webhooks'), event: 'created' }),
  // A rule on new categories that sets their description (nothing queued), inactive:
  // it fires for no other cell's category.
  workflows: () => ({ name: `${MARK} ${uniq('rule')}`, entity: 'kb_categories', trigger: 'created', active: false,
    actions: [{ type: 'set_fields', values: { description: `${MARK} ruled` } }] }),
  // Only the system writes the run log: the body of a refused POST.
  workflow_runs: async () => ({ workflow_id: await make('workflows'), entity: 'kb_categories' }),
};
const PATCH = {
  accounts: { description: 'changed' }, contacts: { title: 'changed' }, leads: { title: 'changed' },
  opportunities: { description: 'changed' }, activities: { description: 'changed' },
  users: { display_name: 'changed' }, teams: () => ({ name: uniq('team') }),
  pipeline_stages: { label: 'changed' }, roles: { description: 'changed' },
  kb_categories: { description: 'changed' }, kb_articles: { body: 'changed' }, kb_feedback: { comment: 'changed' },
  cases: { description: 'changed' }, service_agreements: { description: 'changed' }, case_queues: { description: 'changed' },
  sla_policies: { description: 'changed' }, business_calendars: { holidays: '2026-12-25' },
  emails: { subject: 'changed' }, email_templates: { subject: 'changed' }, email_deliveries: { answer: 'changed' },
  mailboxes: { name: 'changed' },
  product_categories: { description: 'changed' }, products: { description: 'changed' },
  price_lists: { description: 'changed' }, price_list_items: { unit_price: '8.00' }, letterheads: { footer: 'changed' },
  quotes: { terms: 'changed' }, orders: { notes: 'changed' }, shipments: { notes: 'changed' },
  contracts: { description: 'changed' }, discount_limits: { max_discount: 1200 }, currencies: { decimals: 0 },
  exchange_rates: { source: 'changed' }, webhooks: { description: 'changed' },
  webhook_deliveries: { response: 'changed' }, workflows: { description: 'changed' },
  workflow_runs: { trigger: 'changed' },
};

// Entities without owners that matter: records made by the administrator.
const CONFIG = ['users', 'teams', 'pipeline_stages', 'roles', 'case_queues', 'sla_policies',
  'business_calendars', 'discount_limits', 'currencies', 'exchange_rates', 'webhooks', 'webhook_deliveries',
  'workflows', 'workflow_runs'];
// The administrators' alone: every id of theirs is one no other role may see.
const ADMIN_ONLY = ['webhooks', 'webhook_deliveries', 'workflows', 'workflow_runs'];

// The currencies of the first start, and those of every document here.
const KEPT_CURRENCIES = ['USD', 'CNY', 'EUR'];

// Deletes every other currency and empties the currencies' recycle bin.
async function clearCurrencies() {
  const live = await admin.get('/currencies?limit=100');
  assert.equal(live.status, 200, `set-up: currencies: ${live.text}`);
  for (const cur of live.body.data.filter((x) => !KEPT_CURRENCIES.includes(x.code))) {
    const d = await admin.del(`/currencies/${cur.id}`);
    assert.equal(d.status, 204, `set-up: delete currency ${cur.code}: ${d.text}`);
  }
  const p = await admin.post('/currencies/purge', { older_than_days: 0 });
  assert.equal(p.status, 200, `set-up: empty the currencies' bin: ${p.text}`);
}

async function freshRole() {
  const r = await admin.post('/roles', NEW.roles());
  assert.equal(r.status, 201, `set-up: role: ${r.text}`);
  return r.body.key;
}

let retryBase = 10;
const nextRetryBase = () => (retryBase = retryBase >= 3600 ? 11 : retryBase + 1);

let rateDays = 0;
const nextRateDay = () => new Date(Date.UTC(1990, 0, 1) + 86400000 * rateDays++).toISOString().slice(0, 10);

// A quote line over every built-in limit (sales and marketing 10 %, partners 5 %): its
// approval is needed when its owner has one of those roles.
const DISCOUNTED = [{ description: MARK, quantity: 1, unit_price: '100.00', discount_percent: '20' }];
// A configurable product's options: one required group of two.
const OPTIONS = { groups: [{ key: 'size', name: 'Size', required: true, options: [
  { key: 'small', name: 'Small', price: '0.00' }, { key: 'large', name: 'Large', price: '5.00' }] }], rules: [] };

const passwordOf = (caller) => (caller === 'admin' ? ADMIN_PASSWORD : PASSWORD);

function ownerOf(caller, rel) {
  if (rel === 'team') return users.mate.id;
  if (rel === 'other') return users.far.id;
  return caller === 'anonymous' ? users.mate.id : users[caller].id;
}

// Waits until the background send of message id is over (it fails: no SMTP server),
// so that no later cell sees its writes.
async function settled(id) {
  for (let i = 0; i < 300; i++) {
    const r = await admin.get(`/emails/${id}`);
    if (r.status !== 200 || r.body.status !== 'queued') return;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.fail(`set-up: e-mail ${id} still queued`);
}

// A delivery that failed for good, and its webhook, paused and inactive: a subscription
// to kb_categories, made active for one new category; with one attempt (max_attempts 1
// in the set-up) and nobody listening, the delivery fails at once. Once inactive,
// nothing more is delivered, and a redelivered one stays pending.
async function failedDelivery() {
  const hook = await admin.post('/webhooks', { ...NEW.webhooks(), active: true });
  assert.equal(hook.status, 201, `set-up: webhook: ${hook.text}`);
  owners.set(hook.body.id, { entity: 'webhooks', owner: hook.body.owner_id });
  const cat = await admin.post('/kb_categories', { name: `${MARK} ${uniq('hooked')}` });
  assert.equal(cat.status, 201, `set-up: category: ${cat.text}`);
  let d = null;
  for (let i = 0; i < 300 && d?.status !== 'failed'; i++) {
    if (i) await new Promise((res) => setTimeout(res, 20));
    const log = await admin.get(`/webhook_deliveries?webhook_id=${hook.body.id}`);
    assert.equal(log.status, 200, `set-up: deliveries of ${hook.body.id}: ${log.text}`);
    [d] = log.body.data;
  }
  assert.equal(d?.status, 'failed', `set-up: the delivery of webhook ${hook.body.id} fails`);
  const off = await admin.patch(`/webhooks/${hook.body.id}`, { active: false });
  assert.equal(off.status, 200, `set-up: deactivate webhook: ${off.text}`);
  assert.equal(off.body.status, 'paused', 'set-up: a failed delivery pauses its webhook');
  owners.set(d.id, { entity: 'webhook_deliveries', owner: d.owner_id });
  return { id: d.id, hook: hook.body.id };
}

// A run of a workflow rule (only the system writes the log): the rule, active for one
// new category, sets its description in the category's own transaction and logs the
// run there ("done"); then it is made inactive.
async function ruleRun() {
  const rule = await admin.post('/workflows', { ...NEW.workflows(), active: true });
  assert.equal(rule.status, 201, `set-up: workflow rule: ${rule.text}`);
  owners.set(rule.body.id, { entity: 'workflows', owner: rule.body.owner_id });
  const cat = await admin.post('/kb_categories', { name: `${MARK} ${uniq('ruled')}` });
  assert.equal(cat.status, 201, `set-up: category: ${cat.text}`);
  const log = await admin.get(`/workflow_runs?workflow_id=${rule.body.id}`);
  assert.equal(log.body.data?.length, 1, `set-up: runs of ${rule.body.id}: ${log.text}`);
  assert.equal(log.body.data[0].status, 'done', `set-up: run of ${rule.body.id}: ${log.text}`);
  const off = await admin.patch(`/workflows/${rule.body.id}`, { active: false });
  assert.equal(off.status, 200, `set-up: deactivate workflow rule: ${off.text}`);
  owners.set(log.body.data[0].id, { entity: 'workflow_runs', owner: log.body.data[0].owner_id });
  return log.body.data[0].id;
}

async function make(entity, owner, extra = {}) {
  if (entity === 'webhook_deliveries') return (await failedDelivery()).id;
  if (entity === 'workflow_runs') return ruleRun();
  if (entity === 'email_deliveries') {
    const mail = await make('emails', owner);
    await settled(mail);
    const log = await admin.get(`/email_deliveries?email_id=${mail}`);
    assert.equal(log.body.data.length, 1, `set-up: delivery log of ${mail}: ${log.text}`);
    owners.set(log.body.data[0].id, { entity, owner: log.body.data[0].owner_id });
    return log.body.data[0].id;
  }
  const body = { ...(await NEW[entity](owner)), ...extra };
  if (owner && !CONFIG.includes(entity)) body.owner_id = owner;
  const r = await admin.post(`/${entity}?allow_conflict=true`, body);
  assert.equal(r.status, 201, `set-up: create ${entity}: ${r.status} ${r.text}`);
  if (body.owner_id) owners.set(r.body.id, { entity, owner: body.owner_id });
  if (ADMIN_ONLY.includes(entity)) owners.set(r.body.id, { entity, owner: r.body.owner_id });
  if (entity === 'emails') await settled(r.body.id);
  return r.body.id;
}

// Shared records for the read-only cells, one set per entity and owner.
const shared = new Map();
async function sharedRecord(entity, owner) {
  const key = `${entity}:${owner}`;
  if (!shared.has(key)) shared.set(key, await make(entity, owner));
  return shared.get(key);
}

const series = new Map();
async function sharedSeries(entity, owner, extra) {
  const key = `${entity}:${owner}`;
  if (!series.has(key)) series.set(key, await make(entity, owner, extra));
  return series.get(key);
}

const configurable = new Map(); // owner -> a product with options

let shell;
const snapshot = () => dbSnapshot(shell);

// A name for a custom entity or field: [a-z][a-z0-9_]{1,39}.
const lowerName = (prefix) => uniq(prefix).replace(/-/g, '_').toLowerCase();

// A custom field of accounts that the cells of PATCH and DELETE …/fields/{field} use,
// made again after a DELETE removed it.
let field = null;
async function customField() {
  if (!field) {
    const name = lowerName('mxf');
    const r = await admin.post('/meta/entities/accounts/fields', { name, type: 'string', label: 'Matrix' });
    assert.equal(r.status, 201, `set-up: custom field: ${r.text}`);
    field = name;
  }
  return field;
}

// A reminder notification of a user (whose client reads it), one per user: a task of
// theirs whose reminder time has passed fires within a few seconds.
const reminders = new Map();
async function reminderOf(userId, client) {
  if (!reminders.has(userId)) {
    const act = await make('activities', userId, { reminder_at: new Date(Date.now() - 60000).toISOString() });
    for (let i = 0; i < 150 && !reminders.has(userId); i++) {
      const r = await client.get('/notifications?limit=100');
      const n = r.body.data?.find((x) => x.kind === 'reminder' && x.record_id === act);
      if (n) reminders.set(userId, n.id);
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(reminders.has(userId), 'set-up: a reminder fires');
  }
  return reminders.get(userId);
}

// Waits until a mailbox's reading (queued by POST /mailboxes/{id}/fetch) is over, so
// that its write does not fall into another cell's snapshot.
async function readOnce(id) {
  for (let i = 0; i < 300; i++) {
    const m = (await admin.get(`/mailboxes/${id}`)).body;
    if (m.last_fetch_at && !m.claimed_by) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.fail(`set-up: mailbox ${id} was not read`);
}

// Builds the request of one cell; may create what it needs first.
async function cell(row, caller, rel) {
  const e = segs(row.route)[2];
  const c = clients[caller];
  const owner = ownerOf(caller, rel);
  const crm = e in PATCH && !CONFIG.includes(e);
  const id = async () => {
    if (!crm) return make(e);
    return UNSAFE.has(row.method) ? make(e, owner) : sharedRecord(e, owner);
  };
  const r = e in NEW ? row.route.replace(`/api/v1/${e}`, '/api/v1/{res}') : row.route;
  const M = `${row.method} ${r} ${row.variant}`;
  switch (M) {
    case 'GET /api/v1/{res} -':
      return { c, method: 'GET', p: `/${e}?limit=500&count=true`, list: true };
    case 'POST /api/v1/{res} owner=rel':
      return { c, method: 'POST', p: `/${e}?allow_conflict=true`, body: { ...(await NEW[e](owner)), owner_id: owner },
        after: (res) => (e === 'emails' && res.status === 201 ? settled(res.body.id) : null) };
    case 'POST /api/v1/{res} -':
      return { c, method: 'POST', p: `/${e}`, body: await NEW[e]() };
    case 'GET /api/v1/{res}/{id} -':
    case 'GET /api/v1/{res}/{id}/shares -':
    case 'GET /api/v1/{res}/{id}/history -':
    case 'GET /api/v1/{res}/{id}/timeline -':
    case 'GET /api/v1/{res}/{id}/stages -':
    case 'GET /api/v1/{res}/{id}/summary -':
    case 'GET /api/v1/{res}/{id}/html -':
    case 'GET /api/v1/{res}/{id}/versions -':
    case 'GET /api/v1/{res}/{id}/sla -':
    case 'GET /api/v1/{res}/{id}/usage -':
    case 'GET /api/v1/{res}/{id}/articles -':
    case 'GET /api/v1/{res}/{id}/cases -':
    case 'GET /api/v1/{res}/{id}/pdf -':
    case 'GET /api/v1/{res}/{id}/commerce -':
      return { c, method: 'GET', p: row.route.replace('/api/v1', '').replace('{id}', await id()) };
    case 'GET /api/v1/{res}/{id}/occurrences/{start} -':
    case 'PATCH /api/v1/{res}/{id}/occurrences/{start} scope=this':
    case 'DELETE /api/v1/{res}/{id}/occurrences/{start} scope=this': {
      // A daily series of three (tasks have no conflicts); its second occurrence.
      const extra = { start_at: '2026-03-02T09:00:00Z', rrule: 'FREQ=DAILY;COUNT=3' };
      const sid = UNSAFE.has(row.method) ? await make(e, owner, extra) : await sharedSeries(e, owner, extra);
      const p = `/${e}/${sid}/occurrences/2026-03-03T09:00:00.000Z`;
      if (row.method === 'GET') return { c, method: 'GET', p };
      return { c, method: row.method, p: `${p}?scope=this`, body: row.method === 'PATCH' ? { description: 'changed' } : undefined };
    }
    case 'GET /api/v1/{res}/{id}/versions/{version} -':
      return { c, method: 'GET', p: `/${e}/${await id()}/versions/1` };
    case 'POST /api/v1/{res}/{id}/feedback -':
      return { c, method: 'POST', p: `/${e}/${await id()}/feedback`, body: { helpful: true } };
    case 'POST /api/v1/{res}/{id}/article resolved': {
      const rid = await id();
      const d = await admin.patch(`/${e}/${rid}`, { status: 'resolved', resolution: `${MARK} fixed` });
      assert.equal(d.status, 200, `set-up: resolve ${e}: ${d.text}`);
      return { c, method: 'POST', p: `/${e}/${rid}/article`, entity: 'kb_articles' };
    }
    case 'POST /api/v1/{res}/{id}/revise sent': {
      // Only a sent quote gets a new version: one sent for the cell.
      const rid = await make(e, owner);
      const d = await admin.patch(`/${e}/${rid}`, { status: 'sent' });
      assert.equal(d.status, 200, `set-up: send ${e}: ${d.text}`);
      return { c, method: 'POST', p: `/${e}/${rid}/revise`, entity: e };
    }
    case 'POST /api/v1/{res}/{id}/order accepted':
    case 'POST /api/v1/{res}/{id}/order -': {
      // An order is made of an accepted quote; a draft's is refused (422).
      const rid = await make(e, owner);
      for (const status of row.variant === 'accepted' ? ['sent', 'accepted'] : []) {
        const d = await admin.patch(`/${e}/${rid}`, { status });
        assert.equal(d.status, 200, `set-up: ${status} ${e}: ${d.text}`);
      }
      return { c, method: 'POST', p: `/${e}/${rid}/order`, entity: 'orders' };
    }
    case 'POST /api/v1/{res}/{id}/request-approval needed':
    case 'POST /api/v1/{res}/{id}/approval needed': {
      // A discount over its owner's limit (none for administrators and managers).
      const rid = await make(e, owner, { lines: DISCOUNTED });
      const approval = row.route.endsWith('/approval');
      return { c, method: 'POST', p: `/${e}/${rid}/${approval ? 'approval' : 'request-approval'}`,
        body: approval ? { approve: true } : undefined };
    }
    case 'POST /api/v1/{res}/{id}/configure -': {
      // Nothing is written: one configurable product per owner.
      if (!configurable.has(owner)) configurable.set(owner, await make(e, owner, { options: OPTIONS }));
      const pid = configurable.get(owner);
      return { c, method: 'POST', p: `/${e}/${pid}/configure`, body: { options: ['large'], quantity: 2 } };
    }
    case 'PUT /api/v1/{res}/external/{external_id} owner=rel':
      return { c, method: 'PUT', p: `/${e}/external/${uniq('ext')}`, body: { ...(await NEW[e](owner)), owner_id: owner } };
    case 'PUT /api/v1/{res}/external/{external_id} existing': {
      // A record holding the key: updated by whoever may edit it; a key held by a record
      // the caller cannot read is taken (409) for whoever may create.
      const key = uniq('ext');
      await make(e, owner, { external_id: key });
      // What another system sends: the fields a new record needs too (an order's name).
      const body = { ...(e === 'orders' ? { name: `${MARK} ${uniq('erp')}` } : {}),
        ...(typeof PATCH[e] === 'function' ? PATCH[e]() : PATCH[e]) };
      return { c, method: 'PUT', p: `/${e}/external/${key}`, body };
    }
    case 'GET /api/v1/{res}/convert -':
      return { c, method: 'GET', p: `/${e}/convert?amount=100.00&currency=CNY&to=EUR&date=2026-06-01` };
    case 'GET /api/v1/prices -':
      return { c, method: 'GET', p: `/prices?product_id=${await sharedRecord('products', users.mate.id)}&quantity=2` };
    case 'POST /api/v1/{res}/{id}/view -':
      return { c, method: 'POST', p: `/${e}/${await id()}/view` };
    case 'GET /api/v1/{res}/check -':
      return { c, method: 'GET', p: `/${e}/check?account_id=${await sharedRecord('accounts', users.mate.id)}` };
    case 'GET /api/v1/kb/suggest -':
      return { c, method: 'GET', p: `/kb/suggest?q=${MARK}` };
    case 'POST /api/v1/kb/render -':
      return { c, method: 'POST', p: '/kb/render', body: { body: `# ${MARK}` } };
    case 'PATCH /api/v1/{res}/{id} -': {
      const body = typeof PATCH[e] === 'function' ? PATCH[e]() : PATCH[e];
      return { c, method: 'PATCH', p: `/${e}/${await id()}`, body };
    }
    case 'PATCH /api/v1/{res}/{id} own,owner=rel':
      return { c, method: 'PATCH', p: `/${e}/${await make(e, ownerOf(caller, 'own'))}`, body: { owner_id: owner } };
    case 'PATCH /api/v1/{res}/{id} role=admin':
      return { c, method: 'PATCH', p: `/${e}/${await id()}`, body: { role: 'admin' } };
    case 'PATCH /api/v1/{res}/{id} team_ids=B':
      return { c, method: 'PATCH', p: `/${e}/${await id()}`, body: { team_ids: [teamB.id] } };
    case 'PATCH /api/v1/{res}/{id} active=false':
      return { c, method: 'PATCH', p: `/${e}/${await id()}`, body: { active: false } };
    case 'DELETE /api/v1/{res}/{id} -':
      return { c, method: 'DELETE', p: `/${e}/${await id()}` };
    case 'POST /api/v1/{res}/{id}/restore deleted': {
      const rid = await id();
      const d = await admin.del(`/${e}/${rid}`);
      assert.equal(d.status, 204, `set-up: delete ${e}: ${d.text}`);
      return { c, method: 'POST', p: `/${e}/${rid}/restore` };
    }
    case 'POST /api/v1/{res}/{id}/purge deleted': {
      const rid = await id();
      const d = await admin.del(`/${e}/${rid}`);
      assert.equal(d.status, 204, `set-up: delete ${e}: ${d.text}`);
      return { c, method: 'POST', p: `/${e}/${rid}/purge` };
    }
    case 'POST /api/v1/{res}/purge older_than_days=36500':
      return { c, method: 'POST', p: `/${e}/purge`, body: { older_than_days: 36500 } };
    case 'POST /api/v1/{res}/{id}/merge from=same-owner': {
      const keep = await id();
      return { c, method: 'POST', p: `/${e}/${keep}/merge`, body: { from: [await make(e, owner)] } };
    }
    case 'POST /api/v1/{res}/{id}/shares -':
      return { c, method: 'POST', p: `/${e}/${await id()}/shares`, body: { user_id: users.heir.id, access: 'read' } };
    case 'DELETE /api/v1/{res}/{id}/shares/{share_id} by=admin': {
      const rid = await id();
      const s = await admin.post(`/${e}/${rid}/shares`, { user_id: users.heir.id, access: 'read' });
      assert.equal(s.status, 201, `set-up: share ${e}: ${s.text}`);
      return { c, method: 'DELETE', p: `/${e}/${rid}/shares/${s.body.id}` };
    }
    case 'GET /api/v1/settings -':
      return { c, method: 'GET', p: '/settings' };
    case 'PATCH /api/v1/settings -':
      return { c, method: 'PATCH', p: '/settings', body: { data_alert_threshold: 200 } };
    case 'POST /api/v1/meta/entities -':
      return { c, method: 'POST', p: '/meta/entities', body: { name: lowerName('mxe'), label: 'Matrix thing',
        label_plural: 'Matrix things', fields: [{ name: 'title', type: 'string', label: 'Title' }] } };
    case 'POST /api/v1/meta/entities/{entity}/fields -':
      return { c, method: 'POST', p: '/meta/entities/accounts/fields',
        body: { name: lowerName('mxf'), type: 'string', label: 'X' } };
    case 'PATCH /api/v1/meta/entities/{entity}/fields/{field} -':
      return { c, method: 'PATCH', p: `/meta/entities/accounts/fields/${await customField()}`, body: { label: 'Y' } };
    case 'DELETE /api/v1/meta/entities/{entity}/fields/{field} -': {
      const f = await customField();
      return { c, method: 'DELETE', p: `/meta/entities/accounts/fields/${f}`,
        after: (res) => { if (res.status === 204) field = null; } };
    }
    case 'GET /api/v1/{res}/export -':
      return { c, method: 'GET', p: `/${e}/export?format=csv` };
    case 'POST /api/v1/imports dry_run':
      return { c, method: 'POST', p: '/imports?entity=contacts&dry_run=true', contentType: 'text/csv',
        body: 'first_name,last_name\nAda,Matrix\n' };
    case 'POST /api/v1/imports/preview -':
      return { c, method: 'POST', p: '/imports/preview?entity=contacts', contentType: 'text/csv',
        body: 'first_name,last_name\nAda,Matrix\n' };
    case 'GET /api/v1/imports/{id} by=admin': {
      const j = await clients.admin.post('/imports?entity=contacts&dry_run=true', 'first_name,last_name\nAda,Matrix\n',
        { contentType: 'text/csv' });
      assert.equal(j.status, 202, `set-up: import: ${j.text}`);
      return { c, method: 'GET', p: `/imports/${j.body.id}` };
    }
    case 'GET /api/v1/calendar.ics token=own': {
      if (caller === 'anonymous') return { c, method: 'GET', p: '/calendar.ics' };
      const t = await c.post('/tokens', { name: 'calendar feed' });
      assert.equal(t.status, 201, `set-up: token: ${t.text}`);
      return { c: new Client(srv.base), method: 'GET', p: `/calendar.ics?token=${t.body.token}` };
    }
    case 'GET /api/v1/{res}/duplicates -':
      return { c, method: 'GET', p: `/${e}/duplicates` };
    case 'POST /api/v1/{res}/{id}/convert -':
      return { c, method: 'POST', p: `/leads/${await id()}/convert`, body: {} };
    case 'POST /api/v1/{res}/retier -':
      return { c, method: 'POST', p: '/accounts/retier' };
    case 'POST /api/v1/{res}/{id}/transfer -': {
      const from = await make('users');
      await make('accounts', from);
      return { c, method: 'POST', p: `/users/${from}/transfer`, body: { to_user_id: users.heir.id } };
    }
    case 'POST /api/v1/auth/login -': {
      const fresh = new Client(srv.base);
      const u = caller === 'anonymous' ? users.sales.username : users[caller].username;
      return { c: fresh, method: 'POST', p: '/auth/login',
        body: { username: u, password: caller === 'anonymous' ? 'wrong-password-1' : passwordOf(caller) } };
    }
    case 'POST /api/v1/auth/logout -':
      return { c: caller === 'anonymous' ? c : await login(srv.base, users[caller].username, passwordOf(caller)),
        method: 'POST', p: '/auth/logout' };
    case 'GET /api/v1/auth/me -':
    case 'GET /api/v1/tokens -':
    case 'GET /api/v1/security-events -':
    case 'GET /api/v1/system/status -':
    case 'GET /api/v1/meta -':
    case 'GET /api/v1/pipeline -':
    case 'GET /api/v1/{res}/worklist -':
    case 'GET /api/v1/{res}/reports/age -':
    case 'GET /api/v1/{res}/reports/sla -':
    case 'GET /api/v1/{res}/reports/times -':
    case 'GET /api/v1/{res}/reports/breakdown -':
    case 'GET /api/v1/{res}/reports/backlog -':
    case 'GET /api/v1/forecast -':
      return { c, method: 'GET', p: row.route };
    case 'POST /api/v1/jobs -':
      return { c, method: 'POST', p: '/jobs', body: { kind: 'accounts.retier' } };
    case 'GET /api/v1/jobs/{id} -': {
      const j = await clients.admin.post('/jobs', { kind: 'accounts.retier' });
      assert.equal(j.status, 202, `set-up: job: ${j.text}`);
      return { c, method: 'GET', p: `/jobs/${j.body.id}` };
    }
    case 'GET /api/v1/search -':
      return { c, method: 'GET', p: `/search?q=${MARK}` };
    case 'GET /api/v1/phone/lookup -':
      return { c, method: 'GET', p: '/phone/lookup?number=13900004242' };
    case 'GET /api/v1/calendar -':
      return { c, method: 'GET',
        p: `/calendar?from=2026-11-01T00:00:00Z&to=2026-11-30T00:00:00Z&user_ids=${users.mate.id},${users.far.id}` };
    case 'PATCH /api/v1/auth/me -':
      return { c, method: 'PATCH', p: '/auth/me', body: { display_name: 'Changed Name' } };
    case 'PATCH /api/v1/auth/me role=admin':
      return { c, method: 'PATCH', p: '/auth/me', body: { role: 'admin' } };
    case 'PATCH /api/v1/auth/me team_ids=B':
      return { c, method: 'PATCH', p: '/auth/me', body: { team_ids: [teamB.id] } };
    case 'POST /api/v1/tokens -':
      return { c, method: 'POST', p: '/tokens', body: { name: 'matrix' } };
    case 'DELETE /api/v1/tokens/{id} -': {
      const maker = rel === 'team' ? mateClient : rel === 'other' || caller === 'anonymous' ? farClient : c;
      const t = await maker.post('/tokens', { name: 'to revoke' });
      assert.equal(t.status, 201, `set-up: token: ${t.text}`);
      return { c, method: 'DELETE', p: `/tokens/${t.body.id}` };
    }
    case 'GET /api/v1/notifications -':
    case 'GET /api/v1/notifications/preferences -':
      return { c, method: 'GET', p: row.route };
    case 'GET /api/v1/notifications/stream last_event_id=bad':
      return { c, method: 'GET', p: row.route, headers: { 'last-event-id': 'bad' } };
    case 'PUT /api/v1/notifications/preferences -':
      return { c, method: 'PUT', p: row.route, body: { changed: 'off' } };
    case 'POST /api/v1/notifications/read-all -':
      return { c, method: 'POST', p: row.route };
    case 'POST /api/v1/notifications/{id}/read -':
    case 'POST /api/v1/notifications/{id}/snooze -': {
      const to = rel === 'team' ? ['mate', mateClient] : rel === 'other' || caller === 'anonymous'
        ? ['far', farClient] : [caller, c];
      const id = await reminderOf(users[to[0]].id, to[1]);
      return { c, method: 'POST', p: row.route.replace('{id}', id), body: row.route.endsWith('snooze') ? { minutes: 5 } : undefined };
    }
    case 'GET /healthz -':
    case 'GET /metrics -':
      return { c, method: 'GET', p: row.route, root: true };
    case 'GET /api/v1/openapi.json -':
      return { c, method: 'GET', p: '/openapi.json' };
    case 'GET /api/v1/mail/settings -':
      return { c, method: 'GET', p: '/mail/settings' };
    case 'PATCH /api/v1/mail/settings -':
      return { c, method: 'PATCH', p: '/mail/settings', body: { from_name: `${MARK} mail` } };
    case 'POST /api/v1/mail/test -':
      return { c, method: 'POST', p: '/mail/test', body: { to: 'matrix@example.com' } };
    case 'PUT /api/v1/{res}/{id}/password -':
      return { c, method: 'PUT', p: `/${e}/${await id()}/password`, body: { password: 'matrix-pass' } };
    case 'POST /api/v1/{res}/{id}/fetch -': {
      const mid = await id();
      return { c, method: 'POST', p: `/${e}/${mid}/fetch`, body: {}, after: (res) => (res.status === 202 ? readOnce(mid) : null) };
    }
    case 'POST /api/v1/mail/preview -':
      return { c, method: 'POST', p: '/mail/preview', body: { to_addresses: 'matrix@example.com', subject: MARK, body_text: MARK } };
    case 'GET /api/v1/automation/settings -':
      return { c, method: 'GET', p: '/automation/settings' };
    case 'PATCH /api/v1/automation/settings -':
      // A value not set yet: a refused change would show in the settings' snapshot.
      return { c, method: 'PATCH', p: '/automation/settings', body: { retry_base_s: nextRetryBase() } };
    case 'POST /api/v1/{res}/{id}/test -':
      return { c, method: 'POST', p: `/${e}/${await id()}/test`, entity: 'webhook_deliveries' };
    case 'POST /api/v1/{res}/{id}/rotate-secret -':
      return { c, method: 'POST', p: `/${e}/${await id()}/rotate-secret` };
    case 'POST /api/v1/{res}/{id}/resume paused':
      return { c, method: 'POST', p: `/${e}/${(await failedDelivery()).hook}/resume` };
    case 'POST /api/v1/{res}/{id}/redeliver failed':
      return { c, method: 'POST', p: `/${e}/${await id()}/redeliver` };
    case 'POST /api/v1/{res}/{id}/redeliver pending': {
      // Delivered again once already: pending (its webhook is inactive), not failed.
      const did = await id();
      const d = await admin.post(`/${e}/${did}/redeliver`);
      assert.equal(d.status, 200, `set-up: redeliver ${did}: ${d.text}`);
      return { c, method: 'POST', p: `/${e}/${did}/redeliver` };
    }
    case 'POST /api/v1/{res}/{id}/try -':
      // A dry run on a category whose description the rule would set: nothing is saved.
      return { c, method: 'POST', p: `/${e}/${await id()}/try`, unchanged: true,
        body: { record_id: await sharedRecord('kb_categories', users.mate.id) } };
    case 'POST /api/v1/mail/batch -':
      return { c, method: 'POST', p: '/mail/batch', body: { subject: MARK, body_text: MARK, messages: [{ to_addresses: 'matrix@example.com' }] },
        after: async (res) => { for (const mid of res.status === 201 ? res.body.ids : []) await settled(mid); } };
    default:
      throw new Error(`matrix.tsv row without a request builder: ${M}`);
  }
}

// Ids the caller must never see: records whose GET cell says 404 for the caller.
function invisibleTo(caller) {
  const out = [];
  for (const [rid, { entity, owner }] of owners) {
    const row = MATRIX.find((r) => r.route === `/api/v1/${entity}/{id}` && r.method === 'GET');
    const rel = owner === users[caller]?.id ? 'own' : owner === users.far.id ? 'other' : 'team';
    if (caller !== 'anonymous' && expected(row, caller, rel) === 404) out.push(rid);
  }
  return out;
}

before(async () => {
  srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '50', RAPPORT_SECRET_KEY: 'c'.repeat(64) } });
  shell = new Shell(srv.dir);
  admin = await loginAdmin(srv.base);
  assert.equal((await admin.patch('/mail/settings', { max_attempts: 1 })).status, 200);
  // Webhooks to 127.0.0.1 (nobody listens on port 9), each delivery tried once.
  const auto = await admin.patch('/automation/settings', { allow_list: '127.0.0.1', max_attempts: 1 });
  assert.equal(auto.status, 200, `set-up: automation settings: ${auto.text}`);
  teamA = await createTeam(admin, uniq('Team A'));
  teamB = await createTeam(admin, uniq('Team B'));
  for (const role of ROLES) {
    users[role] = role === 'admin' ? (await admin.get('/auth/me')).body.user
      : await createUser(admin, { username: `m_${role}`, password: PASSWORD, role, team_ids: [teamA.id] });
  }
  users.admin.username = 'admin';
  users.mate = await createUser(admin, { username: 'm_mate', password: PASSWORD, role: 'sales', team_ids: [teamA.id] });
  users.heir = await createUser(admin, { username: 'm_heir', password: PASSWORD, role: 'sales', team_ids: [teamA.id] });
  users.far = await createUser(admin, { username: 'm_far', password: PASSWORD, role: 'sales', team_ids: [teamB.id] });
  // Team B's manager: the approver of a discount on a quote of far's (else the
  // administrators would be, among them the one a cell makes of a team A user, whose
  // task about far's quote team A reads).
  users.farboss = await createUser(admin, { username: 'm_farboss', password: PASSWORD, role: 'manager', team_ids: [teamB.id] });
  clients.admin = admin;
  for (const role of ROLES.slice(1)) clients[role] = await login(srv.base, users[role].username, PASSWORD);
  clients.anonymous = new Client(srv.base);
  mateClient = await login(srv.base, 'm_mate', PASSWORD);
  farClient = await login(srv.base, 'm_far', PASSWORD);
  // Foreign records hanging off each role's own account: the timeline, summary and
  // duplicate views of a visible record must not show them.
  for (const role of ROLES) {
    const acc = await sharedRecord('accounts', users[role].id);
    await make('activities', users.far.id, { related_type: 'accounts', related_id: acc });
    await make('contacts', users.far.id, { account_id: acc });
    await make('quotes', users.far.id, { account_id: acc });
    await make('contracts', users.far.id, { account_id: acc });
    const order = await make('orders', users.far.id, { account_id: acc });
    await make('shipments', users.far.id, { order_id: order });
  }
  // The rates GET /exchange_rates/convert converts at (USD is the base).
  for (const [currency, rate] of [['CNY', '0.140000'], ['EUR', '1.080000']]) {
    const r = await admin.post('/exchange_rates', { currency, valid_from: '2000-01-01', rate });
    assert.equal(r.status, 201, `set-up: rate of ${currency}: ${r.text}`);
  }
});

after(async () => {
  shell?.close();
  await srv?.stop();
});

test('every route of the server has a row in the matrix, and every row a route', async () => {
  const doc = (await admin.get('/openapi.json')).body;
  const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops)
    .filter((k) => ['get', 'post', 'patch', 'delete', 'put'].includes(k))
    .map((m) => ({ method: m.toUpperCase(), route: p })));
  assert.ok(routes.length > 20, `routes read from /openapi.json (${routes.length})`);
  for (const rt of routes) {
    assert.ok(MATRIX.some((row) => row.method === rt.method && row.route === rt.route),
      `route ${rt.method} ${rt.route} has no row in tests/authz/matrix.tsv`);
  }
  // A row without a route must say the method is refused (DELETE of users: 405).
  const refused = (row) => ROLES.every((r) => row.cells[r].every((s) => s === 405));
  for (const row of MATRIX.filter((r) => !refused(r))) {
    assert.ok(routes.some((rt) => rt.method === row.method && rt.route === row.route),
      `matrix row ${row.method} ${row.route} matches no route of the server`);
  }
});

test('the snapshot sees a write, and the leak check looks for ids that exist', async () => {
  const id = await sharedRecord('accounts', users.far.id);
  const s0 = await snapshot();
  const r = await admin.patch(`/accounts/${id}`, { description: 'seen by the snapshot' });
  assert.equal(r.status, 200);
  assert.notEqual(await snapshot(), s0, 'a write must change the snapshot');
  const hidden = invisibleTo('sales');
  assert.ok(hidden.includes(id), 'a team B record is invisible to sales');
  const all = await admin.get('/accounts?limit=500');
  assert.ok(all.text.includes(id), 'and it is in the admin list');
  assert.ok(!(await clients.sales.get('/accounts?limit=500')).text.includes(id), 'but not in the sales list');
});

test('every cell of the matrix answers as expected, denials change nothing and reads leak nothing', async () => {
  const failures = [];
  let cells = 0;
  let denials = 0;
  for (const caller of CALLERS) {
    for (const row of MATRIX) {
      for (const rel of relational(row) ? RELS : ['-']) {
        const want = expected(row, caller, rel);
        const rq = await cell(row, caller, rel);
        const writes = UNSAFE.has(rq.method);
        // Refused writes, and the writes that must save nothing (a dry run).
        const before0 = writes && (want >= 300 || rq.unchanged) ? await snapshot() : null;
        const res = await rq.c.request(rq.method, rq.p, { body: rq.body, root: rq.root, contentType: rq.contentType,
          headers: rq.headers });
        cells++;
        await rq.after?.(res);
        const where = `${caller} ${rel} ${row.method} ${row.route} [${row.variant}]`;
        if (res.status !== want) {
          failures.push(`${where}: expected ${want}, got ${res.status} ${res.text.slice(0, 160)}`);
          continue;
        }
        if (before0 !== null) {
          if (want >= 300) denials++;
          if ((await snapshot()) !== before0) {
            failures.push(`${where}: ${res.status < 300 ? 'a dry run' : 'refused'} with ${res.status} but the database changed`);
          }
        }
        const rec = res.body && typeof res.body === 'object' ? res.body : null;
        if (res.status < 300 && rec?.id && rec.owner_id && (owners.has(rec.id) || ['POST', 'PUT'].includes(rq.method))) {
          owners.set(rec.id, { entity: rq.entity || segs(row.route)[2], owner: rec.owner_id });
        }
        if (res.status === 200 && rq.method === 'GET') {
          const leaked = invisibleTo(caller).filter((rid) => res.text.includes(rid));
          if (leaked.length) {
            const which = leaked.slice(0, 3).map((rid) => `${owners.get(rid).entity} ${rid}`).join(', ');
            failures.push(`${where}: answer mentions ${leaked.length} record(s) the caller may not read (${which})`);
          }
          if (rq.list && res.body.total !== res.body.data.length) {
            failures.push(`${where}: total ${res.body.total} but ${res.body.data.length} visible rows`);
          }
        }
      }
    }
  }
  test.diagnostic?.(`${cells} cells, ${denials} refused writes checked against the database`);
  console.log(`authz matrix: ${cells} cells, ${denials} refused writes checked against the database`);
  assert.deepEqual(failures, [], `${failures.length} of ${cells} cells failed:\n${failures.join('\n')}`);
});
