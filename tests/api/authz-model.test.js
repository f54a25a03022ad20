// The generated authorization pass (docs/security.md section 5), next to the
// hand-written matrix of the built-in roles (authz.test.js, tests/authz/matrix.tsv):
// expected answers computed by an independent model of the rules, in JS, for every
// record route of /openapi.json and every custom role, team hierarchy and share.
//
// Set-up, through the API as an administrator: a team hierarchy top → mid → leaf and
// an unrelated team side, with an owner of records in each; four custom roles
// (reader_own, lead_below, no_contacts, masked — the last hides and write-protects
// fields), a custom field accounts.matrix_tier and a custom entity gadgets (a string and
// a ref field), granted to the custom roles by PATCHing them; callers with the custom
// roles and two built-in ones (sales, readonly), all in team mid; for each caller and
// each shareable entity a record per relation: own, team (mid), below (leaf), above
// (top), other (side), and side records shared with the caller to read, to edit, and
// with team mid to edit.
//
// The model (scope, canRead, canEdit, … below) knows: scopes none/own/team/
// team_and_below/all per entity and action; owner in the caller's teams, or in teams
// below them through teams.parent_id; shares (to a user or a team, read or edit) open
// a record to read, or to edit, within entities the role may read at all, never to
// delete; field rules hide fields (absent from output, refused as filters, sorts and
// values) or make them read-only (a changed value is 422). Roles are read back from
// /roles, so the built-in roles are modelled from their grants too.
//
// Checks:
//   1. every record route of /openapi.json (/api/v1/<entity>…, custom entities included)
//      has a rule in the model: a new route fails here until it gets one;
//   2. with the shares: every cell (route × caller × relation) answers as the model
//      says; every refused write leaves the database unchanged (tests/authz/db.js);
//      no successful read mentions the id, or the unique tag in the title, of a record
//      the model says the caller may not read, nor the value of a field their role
//      hides; lists (id[in] of the caller's records, with count=true), exports and
//      search hold exactly the records the model says; hidden fields are absent;
//   3. field rules: filters and sorts on hidden fields 400, writes of hidden or
//      changed read-only fields 422;
//   4. every share is removed through the API, and the cells of the shared relations
//      answer again as the same cells of an unshared record did in 2, and as the model
//      says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, loginAdmin, login, createUser, createTeam, uniq,
} from './helpers.js';
import { Shell, snapshot as dbSnapshot } from '../authz/db.js';

const PASSWORD = 'model-pass-4921';
const MARK = 'zqxmodel';
const SCOPES = ['none', 'own', 'team', 'team_and_below', 'all'];
const UUID_G = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TAG_G = /zqm\d+n/g;
const lower = (s) => s.replace(/-/g, '_').toLowerCase();

// Values that fixtures carry, so a hidden field's value can be looked for in answers.
const PHONE = '+1 555 0100';
const EMAIL = 'zq.hidden.mail@example.com';
const SECRETS = {
  'accounts.annual_revenue': '987654321',
  'accounts.matrix_tier': 'tier_zqgold',
  'contacts.email': EMAIL,
};
// Values to write to a field with a rule: `same` is what every record is made with.
const FIELD_VALUES = {
  'accounts.annual_revenue': { new: '5.00' },
  'accounts.phone': { same: PHONE, new: '+1 555 0199' },
  'accounts.matrix_tier': { same: 'tier_zqgold', new: 'tier_zqsilver' },
  'contacts.email': { same: EMAIL, new: 'other.zq@example.com' },
  'gadgets.account_id': { new: (c) => c.ownAccount },
};

const ENTITY = 'gadgets'; // the custom entity

// The custom roles: grants (the custom entity's are PATCHed in after it exists) and
// field rules.
const CUSTOM_ROLES = {
  reader_own: {
    grants: { accounts: { read: 'own' }, contacts: { read: 'own' } },
    custom: { read: 'own' },
    field_rules: { accounts: { matrix_tier: 'hidden' } },
  },
  lead_below: {
    grants: {
      accounts: { read: 'team_and_below', create: 'own', edit: 'team_and_below', delete: 'own', export: 'team_and_below' },
      contacts: { read: 'team', create: 'own', edit: 'own', delete: 'own', export: 'own' },
      leads: { read: 'team_and_below', create: 'team_and_below', edit: 'team', delete: 'none', export: 'none' },
      opportunities: { read: 'all', create: 'own', edit: 'team_and_below', delete: 'team', export: 'own' },
      activities: { read: 'own', create: 'own', edit: 'own', delete: 'own' },
      users: { read: 'all' },
      teams: { read: 'all' },
    },
    custom: { read: 'team_and_below', create: 'team_and_below', edit: 'own', delete: 'team_and_below', export: 'team_and_below' },
  },
  no_contacts: {
    grants: {
      contacts: { read: 'none', create: 'none', edit: 'none', delete: 'none', export: 'none', import: 'none' },
      accounts: { read: 'all', create: 'own', edit: 'own', delete: 'own', export: 'own' },
      leads: { read: 'team', create: 'own', edit: 'team', delete: 'own', export: 'team' },
      opportunities: { read: 'own', create: 'all', edit: 'all', delete: 'all', export: 'own' },
      activities: { read: 'team', create: 'own', edit: 'own', delete: 'none', export: 'team' },
      pipeline_stages: { read: 'all' },
      roles: { read: 'all' },
    },
    custom: { read: 'all', create: 'own', edit: 'own', delete: 'own', export: 'all' },
  },
  masked: {
    grants: {
      accounts: { read: 'team_and_below', create: 'own', edit: 'team_and_below', delete: 'own', export: 'all' },
      contacts: { read: 'all', create: 'own', edit: 'team', delete: 'none', export: 'team' },
      leads: { read: 'team', create: 'own', edit: 'own', delete: 'own', export: 'own' },
      opportunities: { read: 'team', create: 'own', edit: 'own', delete: 'own', export: 'own' },
      activities: { read: 'team', create: 'own', edit: 'own', delete: 'own', export: 'own' },
      users: { read: 'all' },
    },
    custom: { read: 'all', create: 'own', edit: 'team', delete: 'none', export: 'all' },
    field_rules: {
      accounts: { annual_revenue: 'hidden', phone: 'readonly', matrix_tier: 'readonly' },
      contacts: { email: 'hidden' },
      [ENTITY]: { account_id: 'hidden' },
    },
  },
};
const CALLER_ROLES = [...Object.keys(CUSTOM_ROLES), 'sales', 'readonly'];

// Relations of a record to a caller (who are all in team mid): its owner, and the
// shares it is made with.
const RELS = {
  own: { owner: (c) => c.id },
  team: { owner: () => owners.mid.id },
  below: { owner: () => owners.leaf.id },
  above: { owner: () => owners.top.id },
  other: { owner: () => owners.side.id },
  share_read: { owner: () => owners.side.id, share: (c) => ({ user_id: c.id, access: 'read' }) },
  share_edit: { owner: () => owners.side.id, share: (c) => ({ user_id: c.id, access: 'edit' }) },
  team_edit: { owner: () => owners.side.id, share: () => ({ team_id: teams.mid.id, access: 'edit' }) },
};
const SHARED_RELS = Object.keys(RELS).filter((r) => RELS[r].share);
const OWNER_RELS = Object.keys(RELS).filter((r) => !RELS[r].share);

// The model's rule for each record route, by its template.
const RULES = {
  'GET /api/v1/{res}': 'list',
  'POST /api/v1/{res}': 'create',
  'GET /api/v1/{res}/export': 'export',
  'GET /api/v1/{res}/duplicates': 'duplicates',
  'GET /api/v1/{res}/{id}': 'read',
  'GET /api/v1/{res}/{id}/history': 'read',
  'GET /api/v1/{res}/{id}/timeline': 'read',
  'GET /api/v1/{res}/{id}/shares': 'read',
  'GET /api/v1/{res}/{id}/summary': 'read',
  'GET /api/v1/{res}/{id}/stages': 'read',
  'GET /api/v1/{res}/{id}/sla': 'read',
  'GET /api/v1/{res}/{id}/usage': 'read',
  'GET /api/v1/{res}/check': 'check',
  'GET /api/v1/{res}/worklist': 'worklist',
  'GET /api/v1/{res}/reports/age': 'report',
  'GET /api/v1/{res}/reports/sla': 'report',
  'GET /api/v1/{res}/reports/times': 'report',
  'GET /api/v1/{res}/reports/breakdown': 'report',
  'GET /api/v1/{res}/reports/backlog': 'report',
  'PATCH /api/v1/{res}/{id}': 'edit',
  'DELETE /api/v1/{res}/{id}': 'delete',
  'POST /api/v1/{res}/{id}/restore': 'restore',
  'POST /api/v1/{res}/{id}/purge': 'purge',
  'POST /api/v1/{res}/purge': 'empty_bin',
  'POST /api/v1/{res}/{id}/merge': 'merge',
  'POST /api/v1/{res}/{id}/shares': 'share',
  'DELETE /api/v1/{res}/{id}/shares/{share_id}': 'unshare',
  'POST /api/v1/{res}/{id}/convert': 'convert',
  'POST /api/v1/{res}/retier': 'retier',
  'POST /api/v1/{res}/{id}/transfer': 'transfer',
  'GET /api/v1/{res}/{id}/html': 'read',
  'GET /api/v1/{res}/{id}/versions': 'read',
  'GET /api/v1/{res}/{id}/versions/{version}': 'read',
  'POST /api/v1/{res}/{id}/view': 'view',
  'POST /api/v1/{res}/{id}/feedback': 'vote',
  'GET /api/v1/{res}/{id}/articles': 'read',
  'GET /api/v1/{res}/{id}/cases': 'read',
  'POST /api/v1/{res}/{id}/article': 'article',
  // Activities are daily series of three here: an occurrence is read as the series is,
  // and changed or deleted alone as the series is edited (docs/api.md).
  'GET /api/v1/{res}/{id}/occurrences/{start}': 'read',
  'PATCH /api/v1/{res}/{id}/occurrences/{start}': 'occ_edit',
  'DELETE /api/v1/{res}/{id}/occurrences/{start}': 'occ_delete',
  // A quote's PDF is read as the quote is; a new version of a sent quote is a change of
  // it (the caller edits it) that makes a quote of the caller's (their create scope).
  'GET /api/v1/{res}/{id}/pdf': 'read',
  'POST /api/v1/{res}/{id}/revise': 'revise',
  // An account's commerce figures are read as the account is; a configuration is
  // priced for whoever reads the product (it writes nothing).
  'GET /api/v1/{res}/{id}/commerce': 'read',
  'POST /api/v1/{res}/{id}/configure': 'configure',
  // Another system's key: the record holding it updated as a PATCH would, a key held by
  // a record the caller cannot see taken (409) for whoever may create.
  'PUT /api/v1/{res}/external/{external_id}': 'upsert',
  // The order of an accepted quote the caller reads: an order of theirs (create scope).
  'POST /api/v1/{res}/{id}/order': 'order',
  // Asking for a discount's approval changes the quote (edit); approving it is for an
  // approver — an administrator, or a manager of one of the owner's teams whose own
  // limit covers it (docs/api.md) — never its owner.
  'POST /api/v1/{res}/{id}/request-approval': 'request_approval',
  'POST /api/v1/{res}/{id}/approval': 'approve',
  // A conversion reads the rates whoever asks (signed in).
  'GET /api/v1/{res}/convert': 'convert_rate',
  // A webhook's test and resumption, a delivery's redelivery, a workflow rule's dry
  // run: administrators only, refused before the record is looked at.
  'POST /api/v1/{res}/{id}/test': 'admin_action',
  'POST /api/v1/{res}/{id}/resume': 'admin_action',
  'POST /api/v1/{res}/{id}/rotate-secret': 'admin_action',
  'POST /api/v1/{res}/{id}/redeliver': 'admin_action',
  'POST /api/v1/{res}/{id}/try': 'admin_action',
};
// The discount limits of the first start, and a line over every one of them.
const LIMITS = { sales: 1000, marketing: 1000, partner: 500 };
const DISCOUNT = 2000;
const DISCOUNTED = [{ description: `${MARK} line`, quantity: 1, unit_price: '100.00', discount_percent: '20' }];
// A configurable product's options: one required group of two.
const OPTIONS = { groups: [{ key: 'size', name: 'Size', required: true, options: [
  { key: 'small', name: 'Small', price: '0.00' }, { key: 'large', name: 'Large', price: '5.00' }] }], rules: [] };
// The second occurrence of every activity the model makes (NEW.activities).
const OCCURRENCE = '2026-11-03T09:00:00.000Z';
const COLLECTION = new Set(['list', 'export', 'duplicates', 'retier', 'empty_bin', 'worklist', 'report', 'check',
  'convert_rate']);

// ---- the world ----

let srv, admin, shell;
const teams = {};        // top, mid, leaf, side
const owners = {};       // top, mid, leaf, side: users (role sales) who own records
const callers = [];      // {key, role, id, teams, client, index, ownAccount}
const userTeams = new Map(); // user id -> team ids
const userRoles = new Map(); // user id -> role key
const teamParent = new Map(); // team id -> parent id
const roles = new Map(); // role key -> {admin, grants, field_rules}, as /roles answers
let entities = new Map(); // name -> /meta entity (admin's view)
let routes = [];          // {method, path, entity, template, rule}
const recs = new Map();   // record id -> {id, entity, owner, shares: [{id, user, team, access}], deleted, tag}
const tagHolders = new Map(); // tag -> ids of the records whose text carries it
const refs = new Map();       // record id -> ids of the records that refer to it (ref fields)
const fixtures = new Map();   // `${caller}:${entity}:${rel}` -> record
const sortable = new Set();   // `${entity}.${field}` an administrator may sort by
let tagSeq = 0;

const NEW = {
  accounts: (t) => ({ name: t, annual_revenue: '987654321.00', phone: PHONE, matrix_tier: 'tier_zqgold',
    description: 'model account' }),
  contacts: (t) => ({ last_name: t, email: EMAIL }),
  leads: (t) => ({ last_name: t, company: `${MARK} firm ${uniq('co')}`, status: 'new' }),
  opportunities: (t) => ({ name: t, stage: 'prospecting', amount: '100.00', expected_close_date: '2026-12-01' }),
  activities: (t) => ({ type: 'task', subject: t, status: 'planned', priority: 'normal',
    start_at: '2026-11-02T09:00:00Z', due_at: '2026-11-02T10:00:00Z', rrule: 'FREQ=DAILY;COUNT=3' }),
  [ENTITY]: (t, c) => ({ title: t, account_id: c.ownAccount }),
  users: () => ({ username: lower(uniq('mu')), password: PASSWORD, role: 'sales', team_ids: [] }),
  teams: () => ({ name: uniq('mteam') }),
  roles: () => ({ key: lower(uniq('mrole')), label: 'Role', grants: { accounts: { read: 'own' } } }),
  pipeline_stages: () => ({ key: lower(uniq('mst')), label: 'Stage', probability: 50, sort_order: 500,
    outcome: 'open' }),
  kb_categories: (t) => ({ name: t }),
  kb_articles: (t) => ({ title: t, body: `${MARK} body`, status: 'published' }),
  // A vote on an article of its own (one vote per reader and article), the administrator's.
  kb_feedback: async (t) => ({ article_id: (await ok(await admin.post('/kb_articles', { title: `${MARK} voted`, body: 'x',
    status: 'published' }), 201, 'article to vote on')).id, helpful: true, comment: t }),
  cases: (t) => ({ subject: t }),
  // On an account of the agreement's owner: an agreement is shared with its account's
  // owner, which would be a share the model did not make. Far off dates: no renewal
  // sweep writes during the run.
  service_agreements: async (t, c, owner) => {
    const acc = await ok(await admin.post('/accounts', { name: `${MARK} covered ${uniq('a')}`,
      ...(owner ? { owner_id: owner } : {}) }), 201, 'covered account');
    track('accounts', acc);
    return { name: t, start_date: '2090-01-01', end_date: '2099-12-31', account_id: acc.id };
  },
  case_queues: (t) => ({ name: t, match_product: 'model-only' }),
  sla_policies: (t) => ({ name: t }),
  business_calendars: (t) => ({ name: t }),
  product_categories: (t) => ({ name: t }),
  products: (t) => ({ sku: uniq('msku'), name: t, list_price: '10.00' }),
  price_lists: (t) => ({ name: t }),
  letterheads: (t) => ({ company_name: t, is_default: false }),
  quotes: (t) => ({ name: t, lines: [{ description: `${MARK} line`, quantity: 1, unit_price: '1.00' }] }),
  orders: (t) => ({ name: t, lines: [{ description: `${MARK} line`, quantity: 1, unit_price: '1.00' }] }),
  // A shipment of an order of the shipment's owner.
  shipments: async (t, c, owner) => {
    const order = await ok(await admin.post('/orders', { name: `${MARK} shipped ${uniq('o')}`,
      lines: [{ description: `${MARK} line`, quantity: 1, unit_price: '1.00' }], ...(owner ? { owner_id: owner } : {}) }),
    201, 'order to ship');
    track('orders', order);
    return { order_id: order.id, tracking_number: t, carrier: 'dhl' };
  },
  contracts: (t, c) => ({ name: t, account_id: c.ownAccount }),
  // One limit per role: a role of its own.
  discount_limits: async () => ({ role: (await ok(await admin.post('/roles', NEW.roles()), 201, 'role')).key,
    max_discount: 1500 }),
  // One per code, and few codes: the first is the shared record's, the others' are
  // deleted and purged before the next is made.
  currencies: async () => {
    if (!currencyFixture) return { code: (currencyFixture = 'GBP'), enabled: false };
    await clearCurrencies(['USD', 'CNY', 'EUR', currencyFixture]);
    return { code: 'JPY', enabled: false };
  },
  // One rate per currency and day, long before the rates conversions use.
  exchange_rates: () => ({ currency: 'EUR', valid_from: nextRateDay(), rate: '1.080000' }),
  // A receiver nobody answers on (127.0.0.1 is on the set-up's allow-list), inactive:
  // no change of its entity writes a delivery meanwhile.
  webhooks: (t) => ({ name: t, url: 'http://127.0.0.1:9/model', entity: 'kb_categories', events: ['created'],
    active: false }),
  // Only the system writes the delivery log (make: failedDelivery): the body of a
  // refused POST, naming a webhook of its own.
  webhook_deliveries: async (t) => {
    const hook = await ok(await admin.post('/webhooks', NEW.webhooks(t)), 201, 'webhook');
    track('webhooks', hook);
    return { webhook_id: hook.id, event: 'created' };
  },
  // A rule on new categories that sets their description, inactive: it fires for no
  // other category.
  workflows: (t) => ({ name: t, entity: 'kb_categories', trigger: 'created', active: false,
    actions: [{ type: 'set_fields', values: { description: `${MARK} ruled` } }] }),
  // Only the system writes the run log (make: ruleRun): the body of a refused POST.
  workflow_runs: async (t) => {
    const rule = await ok(await admin.post('/workflows', NEW.workflows(t)), 201, 'workflow rule');
    track('workflows', rule);
    return { workflow_id: rule.id, entity: 'kb_categories' };
  },
};
let currencyFixture = null;
async function clearCurrencies(kept) {
  const live = await ok(await admin.get('/currencies?limit=100'), 200, 'currencies');
  for (const cur of live.data.filter((x) => !kept.includes(x.code))) await ok(await admin.del(`/currencies/${cur.id}`), 204, 'delete currency');
  await ok(await admin.post('/currencies/purge', { older_than_days: 0 }), 200, 'empty the currencies\' bin');
}
let rateDays = 0;
const nextRateDay = () => new Date(Date.UTC(1990, 0, 1) + 86400000 * rateDays++).toISOString().slice(0, 10);
const PATCH = {
  accounts: () => ({ description: 'changed' }),
  contacts: () => ({ title: 'changed' }),
  leads: () => ({ title: 'changed' }),
  opportunities: () => ({ description: 'changed' }),
  activities: () => ({ description: 'changed' }),
  [ENTITY]: () => ({ title: `${MARK} changed` }),
  users: () => ({ display_name: 'changed' }),
  teams: () => ({ name: uniq('mteam') }),
  roles: () => ({ description: 'changed' }),
  pipeline_stages: () => ({ label: 'changed' }),
  kb_categories: () => ({ description: 'changed' }),
  kb_articles: () => ({ body: 'changed' }),
  kb_feedback: () => ({ comment: `${MARK} changed` }),
  cases: () => ({ description: 'changed' }),
  service_agreements: () => ({ description: 'changed' }),
  case_queues: () => ({ description: 'changed' }),
  sla_policies: () => ({ description: 'changed' }),
  business_calendars: () => ({ holidays: '2026-12-25' }),
  product_categories: () => ({ description: 'changed' }),
  products: () => ({ description: 'changed' }),
  price_lists: () => ({ description: 'changed' }),
  letterheads: () => ({ footer: 'changed' }),
  quotes: () => ({ terms: 'changed' }),
  orders: () => ({ notes: 'changed' }),
  shipments: () => ({ notes: 'changed' }),
  contracts: () => ({ description: 'changed' }),
  discount_limits: () => ({ max_discount: 1200 }),
  currencies: () => ({ decimals: 0 }),
  exchange_rates: () => ({ source: 'changed' }),
  webhooks: () => ({ description: 'changed' }),
  webhook_deliveries: () => ({ response: 'changed' }),
  workflows: () => ({ description: 'changed' }),
  workflow_runs: () => ({ trigger: 'changed' }),
};

// ---- the model ----

const roleOf = (c) => roles.get(c.role);
function scope(c, entity, action) {
  const r = roleOf(c);
  if (r.admin) return 'all';
  return r.grants?.[entity]?.[action] ?? 'none';
}
function fieldRule(c, entity, field) {
  const r = roleOf(c);
  return r.admin ? 'open' : r.field_rules?.[entity]?.[field] ?? 'open';
}
function below(teamIds) {
  const out = new Set(teamIds);
  for (let grew = true; grew;) {
    grew = false;
    for (const [t, parent] of teamParent) {
      if (parent && out.has(parent) && !out.has(t)) { out.add(t); grew = true; }
    }
  }
  return out;
}
function ownerIn(c, sc, owner) {
  if (sc === 'all') return true;
  if (sc === 'none' || !owner) return false;
  if (owner === c.id) return true;
  if (sc === 'own') return false;
  const mine = sc === 'team' ? new Set(c.teams) : below(c.teams);
  return (userTeams.get(owner) ?? []).some((t) => mine.has(t));
}
// 0 none, 1 read, 2 edit: the best share of rec for c, to them or to one of their teams.
function shareAccess(c, rec) {
  let best = 0;
  for (const s of rec.shares) {
    if (s.user === c.id || (s.team && c.teams.includes(s.team))) best = Math.max(best, s.access === 'edit' ? 2 : 1);
  }
  return best;
}
const readsAtAll = (c, e) => scope(c, e, 'read') !== 'none';
const canRead = (c, rec) => ownerIn(c, scope(c, rec.entity, 'read'), rec.owner) ||
  (readsAtAll(c, rec.entity) && shareAccess(c, rec) >= 1);
const canEdit = (c, rec) => ownerIn(c, scope(c, rec.entity, 'edit'), rec.owner) ||
  (readsAtAll(c, rec.entity) && shareAccess(c, rec) >= 2);
const canDelete = (c, rec) => ownerIn(c, scope(c, rec.entity, 'delete'), rec.owner);
// An export holds what the caller may read, in their export scope or shared with them.
const canExport = (c, rec) => scope(c, rec.entity, 'export') !== 'none' && canRead(c, rec) &&
  (ownerIn(c, scope(c, rec.entity, 'export'), rec.owner) || shareAccess(c, rec) >= 1);

// The expected status of a cell: rule, caller, the record(s) it acts on.
function expected(rule, c, { entity, rec, from, owner }) {
  switch (rule) {
    case 'list': case 'worklist': case 'report': return readsAtAll(c, entity) ? 200 : 403;
    // The agreement of the caller's own account: the account first (404), then the agreements.
    case 'check':
      if (!readsAtAll(c, 'accounts')) return 404;
      return readsAtAll(c, entity) ? 200 : 403;
    case 'export': return scope(c, entity, 'export') === 'none' ? 403 : 200;
    case 'duplicates': return 200; // like search: the groups of records the caller reads
    case 'retier': return SCOPES.indexOf(scope(c, 'accounts', 'edit')) >= SCOPES.indexOf('team') ? 200 : 403;
    case 'transfer': case 'empty_bin': return roleOf(c).admin ? 200 : 403;
    case 'purge': return roleOf(c).admin ? 204 : 403; // before whether the caller sees it
    case 'create': {
      const sc = scope(c, entity, 'create');
      if (sc === 'none' || (owner && !ownerIn(c, sc, owner))) return 403;
      return 201;
    }
    case 'read': return canRead(c, rec) ? 200 : 404;
    case 'edit': case 'share': case 'unshare': case 'occ_edit': case 'occ_delete':
      if (!canRead(c, rec)) return 404;
      if (!canEdit(c, rec)) return 403;
      return { edit: 200, share: 201, unshare: 204, occ_edit: 200, occ_delete: 204 }[rule];
    case 'delete': case 'restore':
      if (!canRead(c, rec)) return 404;
      if (!canDelete(c, rec)) return 403;
      return rule === 'delete' ? 204 : 200;
    case 'merge':
      if (!canRead(c, rec)) return 404;
      return canEdit(c, rec) && canEdit(c, from) && canDelete(c, from) ? 200 : 403;
    case 'convert':
      if (!canRead(c, rec)) return 404;
      if (scope(c, 'accounts', 'create') === 'none' || scope(c, 'contacts', 'create') === 'none') return 403;
      return canEdit(c, rec) ? 200 : 403;
    // An article's views are counted for whoever reads it; a vote is a kb_feedback
    // record the voter makes (their create scope).
    case 'view': return canRead(c, rec) ? 200 : 404;
    case 'vote':
      if (!canRead(c, rec)) return 404;
      return scope(c, 'kb_feedback', 'create') === 'none' ? 403 : 200;
    // An article from a resolved case: the caller edits the case and creates the
    // article (their own).
    case 'article':
      if (!canRead(c, rec)) return 404;
      return canEdit(c, rec) && scope(c, 'kb_articles', 'create') !== 'none' ? 201 : 403;
    case 'revise':
      if (!canRead(c, rec)) return 404;
      return canEdit(c, rec) && scope(c, rec.entity, 'create') !== 'none' ? 201 : 403;
    case 'convert_rate': return 200;
    case 'configure': return canRead(c, rec) ? 200 : 404;
    case 'upsert':
      if (!canRead(c, rec)) return scope(c, rec.entity, 'create') === 'none' ? 403 : 409;
      return canEdit(c, rec) ? 200 : 403;
    case 'order':
      if (!canRead(c, rec)) return 404;
      return scope(c, 'orders', 'create') === 'none' ? 403 : 201;
    // Needed while the discount is over the owner's role's limit (a role without one
    // has none); asked of administrators at least.
    case 'request_approval':
      if (!canRead(c, rec)) return 404;
      if (!canEdit(c, rec)) return 403;
      return (LIMITS[userRoles.get(rec.owner)] ?? Infinity) < DISCOUNT ? 200 : 409;
    case 'approve': {
      if (!canRead(c, rec)) return 404;
      if (rec.owner === c.id) return 403;
      const theirs = userTeams.get(rec.owner) ?? [];
      const approver = roleOf(c).admin || (c.role === 'manager' && c.teams.some((t) => theirs.includes(t)));
      return approver ? 200 : 403;
    }
    case 'admin_action': return roleOf(c).admin ? 200 : 403;
    default: throw new Error(`no rule ${rule}`);
  }
}

// ---- records ----

function track(entity, body, tag = null, refersTo = []) {
  const rec = { id: body.id, entity, owner: body.owner_id ?? null, shares: [], deleted: false, tag };
  recs.set(rec.id, rec);
  if (tag) {
    if (!tagHolders.has(tag)) tagHolders.set(tag, []);
    tagHolders.get(tag).push(rec.id);
  }
  for (const id of refersTo.filter(Boolean)) refer(rec.id, id);
  return rec;
}

function refer(from, to) {
  if (!refs.has(to)) refs.set(to, []);
  refs.get(to).push(from);
}

async function share(rec, s) {
  const r = await admin.post(`/${rec.entity}/${rec.id}/shares`, s);
  assert.equal(r.status, 201, `set-up: share ${rec.entity}: ${r.text}`);
  rec.shares.push({ id: r.body.id, user: s.user_id ?? null, team: s.team_id ?? null, access: s.access });
  return r.body.id;
}

async function unshare(rec, sid) {
  const r = await admin.del(`/${rec.entity}/${rec.id}/shares/${sid}`);
  assert.equal(r.status, 204, `set-up: unshare ${rec.entity}: ${r.text}`);
  rec.shares = rec.shares.filter((s) => s.id !== sid);
}

const shareable = (e) => entities.get(e).shareable;
// The ref fields of the records this test makes (their values may be ids of records
// the reader of the referring record cannot read).
const REFS = ['account_id', 'related_id', 'order_id', 'quote_id'];

// A webhook delivery that failed for good (only the system writes the log): a
// subscription to kb_categories, active for one new category named `label` (which the
// delivery's body holds, so the tag is the webhook's, the category's and the
// delivery's); with one attempt (max_attempts 1 in the set-up) and nobody listening,
// the delivery fails at once and pauses the webhook, which is then made inactive:
// nothing more is delivered, and a redelivered one stays pending.
async function failedDelivery(label, tag) {
  const hook = await ok(await admin.post('/webhooks', { ...NEW.webhooks(label), active: true }), 201, 'webhook');
  track('webhooks', hook, tag);
  const cat = track('kb_categories', await ok(await admin.post('/kb_categories', { name: label }), 201, 'category'), tag);
  let d = null;
  for (let i = 0; i < 300 && d?.status !== 'failed'; i++) {
    if (i) await new Promise((res) => setTimeout(res, 20));
    [d] = (await ok(await admin.get(`/webhook_deliveries?webhook_id=${hook.id}`), 200, 'deliveries')).data;
  }
  assert.equal(d?.status, 'failed', `set-up: the delivery of webhook ${hook.id} fails`);
  const off = await ok(await admin.patch(`/webhooks/${hook.id}`, { active: false }), 200, 'deactivate webhook');
  assert.equal(off.status, 'paused', 'set-up: a failed delivery pauses its webhook');
  const rec = track('webhook_deliveries', d, tag, [hook.id, cat.id]);
  rec.rel = 'admin';
  return rec;
}

// A run of a workflow rule (only the system writes the log): the rule, active for one
// new category named `label`, sets its description in the category's transaction and
// logs the run ("done"); then it is made inactive. The tag is the rule's and the
// category's (the run holds none of its own).
async function ruleRun(label, tag) {
  const rule = await ok(await admin.post('/workflows', { ...NEW.workflows(label), active: true }), 201, 'workflow rule');
  track('workflows', rule, tag);
  const cat = track('kb_categories', await ok(await admin.post('/kb_categories', { name: label }), 201, 'category'), tag);
  const runs = (await ok(await admin.get(`/workflow_runs?workflow_id=${rule.id}`), 200, 'runs')).data;
  assert.equal(runs.length, 1, `set-up: one run of workflow rule ${rule.id}`);
  assert.equal(runs[0].status, 'done', `set-up: the run of workflow rule ${rule.id} is done`);
  await ok(await admin.patch(`/workflows/${rule.id}`, { active: false }), 200, 'deactivate workflow rule');
  const rec = track('workflow_runs', runs[0], null, [rule.id, cat.id]);
  rec.rel = 'admin';
  return rec;
}

// A record made by the administrator: owned by `owner` (shareable entities), with the
// shares of the relation; `unshared` removes them again (the cells after removal).
async function make(entity, c, rel, { token = null, unshared = false, extra = {} } = {}) {
  const tag = `zqm${++tagSeq}n`;
  const label = `${MARK} ${tag}${token ? ` ${token}` : ''}`;
  if (entity === 'webhook_deliveries') return failedDelivery(label, tag);
  if (entity === 'workflow_runs') return ruleRun(label, tag);
  const owner = shareable(entity) ? RELS[rel].owner(c) : undefined;
  const body = { ...(await NEW[entity](label, c, owner)), ...extra };
  if (owner !== undefined) body.owner_id = owner;
  const r = await admin.post(`/${entity}?allow_conflict=true`, body);
  assert.equal(r.status, 201, `set-up: create ${entity}: ${r.status} ${r.text}`);
  const rec = track(entity, r.body, tag, REFS.map((f) => r.body[f]));
  rec.rel = rel;
  if (RELS[rel]?.share) {
    const sid = await share(rec, RELS[rel].share(c));
    if (unshared) await unshare(rec, sid);
  }
  return rec;
}

const relsOf = (entity) => (shareable(entity) ? Object.keys(RELS) : ['admin']);
const token = (c, rel) => `zqc${c.index}r${Object.keys(RELS).indexOf(rel)}k`;

// ---- cells ----

// The request of one cell, and what the model expects of it; creates what it needs.
// phase 'shared' (the shares in place) or 'unshared' (after they were removed).
async function build(route, c, rel, phase) {
  const { entity: e, rule } = route;
  const unshared = phase === 'unshared';
  const fresh = () => make(e, c, rel, { unshared });
  const suffix = route.template.replace('/api/v1/{res}', '');
  switch (rule) {
    case 'list':
      return { method: 'GET', p: `/${e}?limit=500&count=true`, want: expected(rule, c, { entity: e }), list: true };
    case 'export':
      return { method: 'GET', p: `/${e}/export?format=csv&headers=keys`, want: expected(rule, c, { entity: e }), csv: true };
    case 'duplicates':
      return { method: 'GET', p: `/${e}/duplicates`, want: expected(rule, c, { entity: e }) };
    case 'worklist':
      return { method: 'GET', p: `/${e}/worklist`, want: expected(rule, c, { entity: e }) };
    case 'report':
      return { method: 'GET', p: `/${e}${suffix}`, want: expected(rule, c, { entity: e }) };
    case 'check':
      return { method: 'GET', p: `/${e}/check?account_id=${c.ownAccount}`, want: expected(rule, c, { entity: e }) };
    case 'retier':
      return { method: 'POST', p: `/${e}/retier`, want: expected(rule, c, { entity: e }) };
    case 'empty_bin': // only what was deleted a century ago: nothing the other cells use
      return { method: 'POST', p: `/${e}/purge`, body: { older_than_days: 36500 }, want: expected(rule, c, { entity: e }) };
    case 'create': {
      const owner = rel === '-' ? null : RELS[rel].owner(c);
      // Without the fields the caller's role hides or protects (the field rule cells
      // send those).
      const body = { ...(await NEW[e](`${MARK} ${uniq('new')}`, c, owner ?? c.id)), ...(owner ? { owner_id: owner } : {}) };
      for (const f of Object.keys(roleOf(c).field_rules?.[e] ?? {})) delete body[f];
      return { method: 'POST', p: `/${e}?allow_conflict=true`, body, want: expected(rule, c, { entity: e, owner }),
        ok: (res) => track(e, res.body, null, REFS.map((f) => res.body[f])) };
    }
    case 'read': {
      const rec = fixtures.get(`${c.key}:${e}:${rel}`);
      return { method: 'GET', p: `/${e}/${rec.id}${suffix.replace('/{id}', '').replace('{version}', '1').replace('{start}', OCCURRENCE)}`,
        want: expected(rule, c, { rec }), rec };
    }
    case 'view': {
      const rec = fixtures.get(`${c.key}:${e}:${rel}`);
      return { method: 'POST', p: `/${e}/${rec.id}/view`, want: expected(rule, c, { rec }) };
    }
    case 'vote': {
      const rec = await fresh();
      return { method: 'POST', p: `/${e}/${rec.id}/feedback`, body: { helpful: true }, want: expected(rule, c, { rec }) };
    }
    case 'article': {
      const rec = await fresh();
      const d = await admin.patch(`/${e}/${rec.id}`, { status: 'resolved', resolution: `${MARK} fixed` });
      assert.equal(d.status, 200, `set-up: resolve ${e}: ${d.text}`);
      return { method: 'POST', p: `/${e}/${rec.id}/article`, want: expected(rule, c, { rec }),
        ok: (res) => { track('kb_articles', res.body); refer(rec.id, res.body.id); } };
    }
    case 'revise': {
      // Only a sent quote gets a new version: the administrator sends it first.
      const rec = await fresh();
      const d = await admin.patch(`/${e}/${rec.id}`, { status: 'sent' });
      assert.equal(d.status, 200, `set-up: send ${e}: ${d.text}`);
      // The new version names the old one (previous_version_id), which may be a record
      // the caller stops reading once a share is removed.
      return { method: 'POST', p: `/${e}/${rec.id}/revise`, want: expected(rule, c, { rec }),
        ok: (res) => track(e, res.body, rec.tag, [...REFS.map((f) => res.body[f]), rec.id]) };
    }
    case 'configure': {
      const rec = await make(e, c, rel, { unshared, extra: { options: OPTIONS } });
      return { method: 'POST', p: `/${e}/${rec.id}/configure`, body: { options: ['large'], quantity: 2 },
        want: expected(rule, c, { rec }) };
    }
    case 'upsert': {
      const key = uniq('mext');
      const rec = await make(e, c, rel, { unshared, extra: { external_id: key } });
      // What another system sends: the fields a new record needs too (an order's name).
      const body = { ...(e === 'orders' ? { name: `${MARK} ${uniq('erp')}` } : {}), ...PATCH[e]() };
      return { method: 'PUT', p: `/${e}/external/${key}`, body, want: expected(rule, c, { rec }) };
    }
    case 'order': {
      const rec = await fresh();
      for (const status of ['sent', 'accepted']) {
        const d = await admin.patch(`/${e}/${rec.id}`, { status });
        assert.equal(d.status, 200, `set-up: ${status} ${e}: ${d.text}`);
      }
      return { method: 'POST', p: `/${e}/${rec.id}/order`, want: expected(rule, c, { rec }),
        // The order takes the quote's name, and so its tag.
        ok: (res) => track('orders', res.body, rec.tag, [...REFS.map((f) => res.body[f]), rec.id]) };
    }
    case 'request_approval':
    case 'approve': {
      const rec = await make(e, c, rel, { unshared, extra: { lines: DISCOUNTED } });
      return { method: 'POST', p: `/${e}/${rec.id}/${rule === 'approve' ? 'approval' : 'request-approval'}`,
        body: rule === 'approve' ? { approve: true } : undefined, want: expected(rule, c, { rec }) };
    }
    case 'convert_rate':
      return { method: 'GET', p: `/${e}/convert?amount=100.00&currency=CNY&to=EUR&date=2026-06-01`,
        want: expected(rule, c, { entity: e }) };
    case 'edit': {
      const rec = await fresh();
      return { method: 'PATCH', p: `/${e}/${rec.id}`, body: PATCH[e](), want: expected(rule, c, { rec }) };
    }
    case 'occ_edit': {
      // The occurrence's exception: a record of the series' owner with its text.
      const rec = await fresh();
      return { method: 'PATCH', p: `/${e}/${rec.id}/occurrences/${OCCURRENCE}?scope=this`, body: PATCH[e](),
        want: expected(rule, c, { rec }), ok: (res) => track(e, res.body, rec.tag, REFS.map((f) => res.body[f])) };
    }
    case 'occ_delete': {
      const rec = await fresh();
      return { method: 'DELETE', p: `/${e}/${rec.id}/occurrences/${OCCURRENCE}?scope=this`, want: expected(rule, c, { rec }) };
    }
    case 'delete': {
      const rec = await fresh();
      return { method: 'DELETE', p: `/${e}/${rec.id}`, want: expected(rule, c, { rec }),
        ok: () => { rec.deleted = true; } };
    }
    case 'restore': {
      const rec = await fresh();
      const d = await admin.del(`/${e}/${rec.id}`);
      assert.equal(d.status, 204, `set-up: delete ${e}: ${d.text}`);
      rec.deleted = true;
      return { method: 'POST', p: `/${e}/${rec.id}/restore`, want: expected(rule, c, { rec }),
        ok: () => { rec.deleted = false; } };
    }
    case 'purge': {
      const rec = await fresh();
      const d = await admin.del(`/${e}/${rec.id}`);
      assert.equal(d.status, 204, `set-up: delete ${e}: ${d.text}`);
      rec.deleted = true;
      return { method: 'POST', p: `/${e}/${rec.id}/purge`, want: expected(rule, c, { rec }) };
    }
    case 'merge': {
      const rec = await fresh();
      const from = await fresh();
      return { method: 'POST', p: `/${e}/${rec.id}/merge`, body: { from: [from.id] },
        want: expected(rule, c, { rec, from }), ok: () => { from.deleted = true; } };
    }
    case 'share': {
      const rec = await fresh();
      return { method: 'POST', p: `/${e}/${rec.id}/shares`, body: { user_id: owners.top.id, access: 'read' },
        want: expected(rule, c, { rec }),
        ok: (res) => rec.shares.push({ id: res.body.id, user: owners.top.id, team: null, access: 'read' }) };
    }
    case 'unshare': {
      const rec = await fresh();
      const sid = await share(rec, { user_id: owners.top.id, access: 'read' });
      return { method: 'DELETE', p: `/${e}/${rec.id}/shares/${sid}`, want: expected(rule, c, { rec }),
        ok: () => { rec.shares = rec.shares.filter((s) => s.id !== sid); } };
    }
    case 'convert': {
      const rec = await fresh();
      return { method: 'POST', p: `/${e}/${rec.id}/convert?allow_duplicate=true`, body: {},
        want: expected(rule, c, { rec }),
        ok: (res) => {
          // The new account and contact are the caller's; the contact carries the lead's name.
          track('accounts', { id: res.body.account_id, owner_id: c.id });
          track('contacts', { id: res.body.contact_id, owner_id: c.id }, rec.tag, [res.body.account_id]);
          refer(rec.id, res.body.account_id);
          refer(rec.id, res.body.contact_id);
        } };
    }
    case 'admin_action': {
      const rec = await fresh();
      // A dry run names the record to try the rule on: a category of the administrator's.
      const body = suffix.endsWith('/try')
        ? { record_id: track('kb_categories', await ok(await admin.post('/kb_categories', { name: `${MARK} tried` }), 201, 'category')).id }
        : undefined;
      return { method: 'POST', p: `/${e}/${rec.id}${suffix.replace('/{id}', '')}`, body, want: expected(rule, c, { rec }) };
    }
    case 'transfer': {
      const rec = fixtures.get(`${c.key}:${e}:${rel}`);
      return { method: 'POST', p: `/${e}/${rec.id}/transfer`, body: { to_user_id: owners.top.id },
        want: expected(rule, c, { rec }) };
    }
    default:
      throw new Error(`no request builder for rule ${rule}`);
  }
}

// What a successful read of caller c says that it must not: ids and tags of records
// the model keeps from c (an id may show as the value of a reference held by a record
// c reads), values of fields c's role hides.
function leaks(c, text) {
  const out = new Set();
  for (const id of text.match(UUID_G) ?? []) {
    const rec = recs.get(id);
    if (rec && !canRead(c, rec) && !(refs.get(id) ?? []).some((from) => canRead(c, recs.get(from)))) {
      out.add(`${rec.entity} ${id}`);
    }
  }
  for (const tag of text.match(TAG_G) ?? []) {
    const ids = tagHolders.get(tag);
    if (ids && ids.every((id) => !canRead(c, recs.get(id)))) out.add(`the title of ${recs.get(ids[0]).entity} ${ids[0]}`);
  }
  for (const [ef, value] of Object.entries(SECRETS)) {
    const [e, f] = ef.split('.');
    if (fieldRule(c, e, f) === 'hidden' && text.includes(value)) out.add(`the value of hidden field ${ef}`);
  }
  return [...out];
}

const few = (list) => (list.length <= 3 ? list.join(', ') : `${list.slice(0, 3).join(', ')} and ${list.length - 3} more`);

const hiddenFields = (c, e) => Object.entries(roleOf(c).field_rules?.[e] ?? {})
  .filter(([, r]) => r === 'hidden').map(([f]) => f);

// The caller's fixtures of an entity, for presence checks.
const fixturesOf = (c, e) => Object.keys(RELS).map((rel) => fixtures.get(`${c.key}:${e}:${rel}`)).filter(Boolean);

// Checks the answer of a successful read (status 200 GET) beyond its status.
async function checkRead(c, route, rq, res, fail) {
  const e = route.entity;
  const leaked = leaks(c, res.text);
  if (leaked.length) fail(`mentions what the caller may not read: ${few(leaked)}`);
  const hidden = hiddenFields(c, e);
  if (rq.rec && route.template === '/api/v1/{res}/{id}') {
    for (const f of hidden) if (f in res.body) fail(`shows hidden field ${f}`);
    for (const ef of Object.keys(SECRETS)) {
      const [se, f] = ef.split('.');
      if (se === e && !hidden.includes(f) && !(f in res.body)) fail(`lacks field ${f}, which the role does not hide`);
    }
  }
  if (rq.list) {
    const { total, data } = res.body;
    if (total !== data.length && data.length < 500) fail(`total ${total} but ${data.length} rows`);
    for (const row of data) for (const f of hidden) if (f in row) { fail(`list shows hidden field ${f}`); break; }
    if (shareable(e)) {
      const mine = fixturesOf(c, e);
      const r = await c.client.get(`/${e}?id[in]=${mine.map((x) => x.id).join(',')}&count=true&limit=500`);
      if (r.status !== 200) { fail(`id[in] list: ${r.status} ${r.text.slice(0, 120)}`); return; }
      const got = new Set(r.body.data.map((x) => x.id));
      for (const rec of mine) {
        if (canRead(c, rec) !== got.has(rec.id)) fail(`list ${canRead(c, rec) ? 'lacks' : 'shows'} the ${rec.rel} record`);
      }
      if (r.body.total !== r.body.data.length) fail(`id[in] list: total ${r.body.total} but ${r.body.data.length} rows`);
    }
  }
  if (rq.csv) {
    const head = res.text.split('\n')[0].split(',');
    for (const f of hidden) if (head.includes(f)) fail(`export has hidden column ${f}`);
    if (shareable(e)) {
      for (const rel of Object.keys(RELS)) {
        const rec = fixtures.get(`${c.key}:${e}:${rel}`);
        if (canExport(c, rec) !== res.text.includes(rec.tag)) {
          fail(`export ${canExport(c, rec) ? 'lacks' : 'holds'} the ${rel} record`);
        }
      }
    }
  }
}

// Runs cells one after the other (a refused write is compared with the database before
// and after it, so nothing else may write meanwhile); returns failure lines.
async function runCells(cells, results = null) {
  const failures = [];
  let n = 0;
  let denials = 0;
  for (const { route, c, rel, phase } of cells) {
    const rq = await build(route, c, rel, phase);
    const where = `${c.key} ${rel} ${route.method} ${route.template} (${route.entity})`;
    const fail = (msg) => failures.push(`${where}: ${msg}`);
    const writes = rq.method !== 'GET';
    const before0 = writes && rq.want >= 300 ? await snapshot() : null;
    const res = await c.client.request(rq.method, rq.p, { body: rq.body });
    n++;
    results?.set(`${c.key} ${rel} ${route.method} ${route.path}`, res.status);
    if (res.status !== rq.want) {
      fail(`expected ${rq.want}, got ${res.status} ${res.text.slice(0, 160)}`);
      continue;
    }
    if (before0 !== null) {
      denials++;
      if ((await snapshot()) !== before0) fail(`refused with ${res.status} but the database changed`);
    }
    if (res.status < 300) rq.ok?.(res);
    if (res.status === 200 && rq.method === 'GET') await checkRead(c, route, rq, res, fail);
  }
  return { failures, n, denials };
}

const snapshot = () => dbSnapshot(shell, [ENTITY]);

// Whether c's role hides a searchable field of e: then full-text search of e would
// tell what the field holds, so ?q= is refused and /search leaves e out.
const hidesSearchable = (c, e) => entities.get(e).fields
  .some((f) => f.searchable && fieldRule(c, e, f.name) === 'hidden');

// Search for each relation's token: the caller's records of that relation are found
// exactly when the model lets them read them (and search their entity).
async function checkSearch(c) {
  const failures = [];
  for (const rel of Object.keys(RELS)) {
    const r = await c.client.get(`/search?q=${token(c, rel)}`);
    if (r.status !== 200) { failures.push(`${c.key} search ${rel}: ${r.status}`); continue; }
    const leaked = leaks(c, r.text);
    if (leaked.length) failures.push(`${c.key} search ${rel}: mentions ${few(leaked)}`);
    const got = new Set(r.body.data.map((h) => h.id));
    for (const e of entities.keys()) {
      const rec = fixtures.get(`${c.key}:${e}:${rel}`);
      const found = rec && canRead(c, rec) && !hidesSearchable(c, e);
      if (rec && found !== got.has(rec.id)) {
        failures.push(`${c.key} search ${rel}: ${found ? 'lacks' : 'finds'} the ${e} record`);
      }
    }
  }
  return failures;
}

// ---- set-up ----

async function ok(r, status, what) {
  assert.equal(r.status, status, `set-up: ${what}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}

before(async () => {
  srv = await startServer();
  shell = new Shell(srv.dir);
  admin = await loginAdmin(srv.base);
  const me = (await admin.get('/auth/me')).body.user;
  userTeams.set(me.id, me.team_ids ?? []);

  teams.top = await createTeam(admin, uniq('top'));
  teams.mid = await createTeam(admin, uniq('mid'), { parent_id: teams.top.id });
  teams.leaf = await createTeam(admin, uniq('leaf'), { parent_id: teams.mid.id });
  teams.side = await createTeam(admin, uniq('side'));
  for (const t of Object.values(teams)) teamParent.set(t.id, t.parent_id ?? null);
  for (const k of Object.keys(teams)) {
    owners[k] = await createUser(admin, { username: `mo_${k}`, password: PASSWORD, role: 'sales', team_ids: [teams[k].id] });
    userTeams.set(owners[k].id, [teams[k].id]);
    userRoles.set(owners[k].id, 'sales');
  }

  // The custom field, the custom roles, the custom entity and its grants.
  await ok(await admin.post('/meta/entities/accounts/fields', { name: 'matrix_tier', type: 'enum', label: 'Tier',
    enum_values: ['tier_zqgold', 'tier_zqsilver'] }), 201, 'custom field');
  const fieldRulesNow = (def) => Object.fromEntries(Object.entries(def.field_rules ?? {}).filter(([e]) => e !== ENTITY));
  const roleIds = {};
  for (const [key, def] of Object.entries(CUSTOM_ROLES)) {
    const r = await ok(await admin.post('/roles', { key, label: key, grants: def.grants,
      field_rules: fieldRulesNow(def) }), 201, `role ${key}`);
    roleIds[key] = r.id;
  }
  await ok(await admin.post('/meta/entities', { name: ENTITY, label: 'Gadget', label_plural: 'Gadgets', fields: [
    { name: 'title', type: 'string', label: 'Title', searchable: true },
    { name: 'account_id', type: 'ref', ref_entity: 'accounts', label: 'Account' }] }), 201, 'custom entity');
  for (const [key, def] of Object.entries(CUSTOM_ROLES)) {
    const cur = await ok(await admin.get(`/roles/${roleIds[key]}`), 200, `role ${key}`);
    await ok(await admin.patch(`/roles/${roleIds[key]}`, { grants: { ...cur.grants, [ENTITY]: def.custom },
      field_rules: def.field_rules ?? null }), 200, `grant ${ENTITY} to ${key}`);
  }
  for (const r of (await ok(await admin.get('/roles?limit=500'), 200, 'roles')).data) roles.set(r.key, r);
  for (const [key, def] of Object.entries(CUSTOM_ROLES)) {
    assert.deepEqual(roles.get(key).grants, { ...def.grants, [ENTITY]: def.custom }, `role ${key}: grants as given`);
  }
  entities = new Map((await ok(await admin.get('/meta'), 200, 'meta')).entities.map((e) => [e.name, e]));
  // The mail module's entities are left to the matrix (authz.test.js): a message is sent
  // in the background after it is written, and its fields are written once; a mailbox
  // is read in the background.
  for (const e of ['emails', 'email_templates', 'email_deliveries', 'mailboxes']) entities.delete(e);
  // Price list entries carry no text of their own to hold a record's tag (search and
  // exports are checked by it; their name is their product's and the volume): they are
  // left to the matrix too.
  entities.delete('price_list_items');

  // The callers, in team mid.
  for (const [i, role] of CALLER_ROLES.entries()) {
    const u = await createUser(admin, { username: `mc_${role}`, password: PASSWORD, role, team_ids: [teams.mid.id] });
    userTeams.set(u.id, [teams.mid.id]);
    userRoles.set(u.id, role);
    callers.push({ key: role, role, id: u.id, teams: [teams.mid.id], index: i,
      client: await login(srv.base, u.username, PASSWORD) });
  }

  // The routes: every operation of /openapi.json on /api/v1/<entity>….
  const doc = (await admin.get('/openapi.json')).body;
  for (const [p, ops] of Object.entries(doc.paths)) {
    const m = /^\/api\/v1\/([a-z][a-z0-9_]*)(\/.*)?$/.exec(p);
    if (!m || !entities.has(m[1])) continue;
    for (const method of Object.keys(ops).filter((k) => ['get', 'post', 'patch', 'delete', 'put'].includes(k))) {
      const template = `/api/v1/{res}${m[2] ?? ''}`;
      const M = method.toUpperCase();
      routes.push({ method: M, path: p, entity: m[1], template, rule: RULES[`${M} ${template}`] });
    }
  }

  // Webhooks to 127.0.0.1 (nobody listens on port 9), each delivery tried once.
  await ok(await admin.patch('/automation/settings', { allow_list: '127.0.0.1', max_attempts: 1 }), 200,
    'automation settings');

  // The rates a conversion uses (USD is the base).
  for (const [currency, rate] of [['CNY', '0.140000'], ['EUR', '1.080000']]) {
    await ok(await admin.post('/exchange_rates', { currency, valid_from: '2000-01-01', rate }), 201, `rate of ${currency}`);
  }

  // The records: per caller, entity and relation (shareable entities), each caller's
  // own account first (the custom entity's records refer to it); one record per
  // platform entity, shared by every caller.
  for (const c of callers) {
    const acc = await make('accounts', c, 'own', { token: token(c, 'own') });
    fixtures.set(`${c.key}:accounts:own`, acc);
    c.ownAccount = acc.id;
    // Others' records hanging off it: its timeline and summary must not show them.
    const act = await admin.post('/activities?allow_conflict=true', { ...NEW.activities(`${MARK} foreign`),
      owner_id: owners.side.id, related_type: 'accounts', related_id: acc.id });
    track('activities', await ok(act, 201, 'foreign activity'), null, [acc.id]);
    const con = await admin.post('/contacts', { ...NEW.contacts(`${MARK} foreign`), owner_id: owners.side.id,
      account_id: acc.id });
    track('contacts', await ok(con, 201, 'foreign contact'), null, [acc.id]);
  }
  for (const c of callers) {
    for (const e of entities.keys()) {
      if (!shareable(e)) continue;
      for (const rel of Object.keys(RELS)) {
        if (!fixtures.has(`${c.key}:${e}:${rel}`)) fixtures.set(`${c.key}:${e}:${rel}`, await make(e, c, rel, { token: token(c, rel) }));
      }
    }
  }
  for (const e of entities.keys()) {
    if (shareable(e)) continue;
    const rec = await make(e, callers[0], 'admin');
    for (const c of callers) fixtures.set(`${c.key}:${e}:admin`, rec);
  }

  // Which fields with rules an administrator may sort by (so a 400 for a role that
  // hides one is about the rule).
  for (const r of roles.values()) {
    for (const [e, rules] of Object.entries(r.field_rules ?? {})) {
      for (const f of Object.keys(rules)) {
        if ((await admin.get(`/${e}?sort=${f}&limit=1`)).status === 200) sortable.add(`${e}.${f}`);
      }
    }
  }
});

after(async () => {
  shell?.close();
  await srv?.stop();
});

// ---- the tests ----

test('every record route of /openapi.json has a rule in the model', () => {
  assert.ok(routes.length > 60, `record routes read from /openapi.json (${routes.length})`);
  assert.ok(routes.some((r) => r.entity === ENTITY), 'the custom entity has routes');
  const missing = routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(missing, [], 'record routes without a rule in tests/api/authz-model.test.js (RULES)');
});

test('the model agrees with the set-up, and the filters it refuses work for an administrator', async () => {
  const lb = callers.find((c) => c.key === 'lead_below');
  const f = (rel) => fixtures.get(`lead_below:accounts:${rel}`);
  assert.deepEqual(Object.keys(RELS).map((rel) => canRead(lb, f(rel))),
    [true, true, true, false, false, true, true, true], 'lead_below reads accounts of own, team, below and shared');
  assert.deepEqual(Object.keys(RELS).map((rel) => canEdit(lb, f(rel))),
    [true, true, true, false, false, false, true, true], 'and edits them but for the read share');
  for (const r of roles.values()) {
    for (const [e, rules] of Object.entries(r.field_rules ?? {})) {
      for (const fl of Object.keys(rules)) {
        const res = await admin.get(`/${e}?${fl}[null]=true&limit=1`);
        assert.equal(res.status, 200, `admin filters ${e} by ${fl}: ${res.text.slice(0, 200)}`);
      }
    }
  }
  const s0 = await snapshot();
  const rec = fixtures.get('sales:accounts:other');
  await share(rec, { user_id: owners.top.id, access: 'read' });
  assert.notEqual(await snapshot(), s0, 'a share changes the snapshot');
});

function cellsOf(phase) {
  const cells = [];
  for (const c of callers) {
    for (const route of routes.filter((r) => r.rule)) {
      let rels;
      if (COLLECTION.has(route.rule)) rels = ['-'];
      else if (route.rule === 'create') rels = shareable(route.entity) ? OWNER_RELS : ['-'];
      else rels = relsOf(route.entity);
      if (phase === 'unshared') {
        if (route.rule === 'create' || route.rule === 'retier') continue;
        if (!COLLECTION.has(route.rule)) rels = rels.filter((r) => SHARED_RELS.includes(r));
      }
      for (const rel of rels) cells.push({ route, c, rel, phase });
    }
  }
  return cells;
}

const phaseA = new Map(); // `${caller} ${rel} ${method} ${path}` -> status, with the shares

test('with custom roles, team hierarchy and shares every record route answers as the model says, ' +
  'denials change nothing and reads leak nothing', async () => {
  const { failures, n, denials } = await runCells(cellsOf('shared'), phaseA);
  for (const c of callers) failures.push(...await checkSearch(c));
  console.log(`authz model: ${n} cells, ${denials} refused writes checked against the database`);
  assert.deepEqual(failures, [], `${failures.length} of ${n} cells failed:\n${failures.join('\n')}`);
});

test('field rules: hidden fields cannot be filtered, sorted or written, read-only ones not changed', async () => {
  const cells = [];
  for (const c of callers) {
    for (const [e, rules] of Object.entries(roleOf(c).field_rules ?? {})) {
      if (!entities.has(e)) continue;
      for (const [f, rule] of Object.entries(rules)) {
        const v = FIELD_VALUES[`${e}.${f}`];
        assert.ok(v, `no value to write to ${e}.${f} (FIELD_VALUES)`);
        const nv = typeof v.new === 'function' ? v.new(c) : v.new;
        if (rule === 'hidden' && readsAtAll(c, e)) {
          cells.push({ c, what: `filter ${e} by ${f}`, build: async () => ({ method: 'GET', p: `/${e}?${f}[null]=true`, want: 400 }) });
          if (sortable.has(`${e}.${f}`)) {
            cells.push({ c, what: `sort ${e} by ${f}`, build: async () => ({ method: 'GET', p: `/${e}?sort=${f}`, want: 400 }) });
          }
        }
        if (rule !== 'hidden' && rule !== 'readonly') continue;
        const createWant = scope(c, e, 'create') === 'none' ? 403 : 422;
        cells.push({ c, what: `create ${e} with ${rule} ${f}`, build: async () => ({ method: 'POST', p: `/${e}?allow_conflict=true`,
          body: { ...NEW[e](`${MARK} ${uniq('fr')}`, c), [f]: nv, owner_id: c.id }, want: createWant }) });
        for (const rel of relsOf(e)) {
          const edit = (rec, ok) => (!canRead(c, rec) ? 404 : !canEdit(c, rec) ? 403 : ok);
          cells.push({ c, rel, what: `change ${rule} ${e}.${f}`, build: async () => {
            const rec = await make(e, c, rel);
            return { method: 'PATCH', p: `/${e}/${rec.id}`, body: { [f]: nv }, want: edit(rec, 422) };
          } });
          if (rule === 'readonly') {
            cells.push({ c, rel, what: `send back readonly ${e}.${f} unchanged`, build: async () => {
              const rec = await make(e, c, rel);
              return { method: 'PATCH', p: `/${e}/${rec.id}`, body: { [f]: v.same, ...PATCH[e]() }, want: edit(rec, 200) };
            } });
          }
        }
      }
    }
  }
  // ?q= of every entity the caller reads: refused when the role hides a searchable field.
  for (const c of callers) {
    for (const e of entities.keys()) {
      if (!readsAtAll(c, e) || !entities.get(e).fields.some((f) => f.searchable)) continue;
      const want = hidesSearchable(c, e) ? 400 : 200;
      cells.push({ c, what: `search ${e} with q`, build: async () => ({ method: 'GET', p: `/${e}?q=${MARK}&limit=5`, want }) });
    }
  }
  assert.ok(cells.length > 30, `field rule cells (${cells.length})`);
  const failures = [];
  for (const { c, rel = '-', what, build: b } of cells) {
    const rq = await b();
    const before0 = rq.method !== 'GET' && rq.want >= 300 ? await snapshot() : null;
    const res = await c.client.request(rq.method, rq.p, { body: rq.body });
    const where = `${c.key} ${rel} ${what}`;
    if (res.status !== rq.want) failures.push(`${where}: expected ${rq.want}, got ${res.status} ${res.text.slice(0, 160)}`);
    else if (before0 !== null && (await snapshot()) !== before0) failures.push(`${where}: refused but the database changed`);
    else if (res.status === 200 && rq.method === 'GET' && leaks(c, res.text).length) {
      failures.push(`${where}: mentions what the caller may not read: ${few(leaks(c, res.text))}`);
    }
  }
  console.log(`authz model: ${cells.length} field rule cells`);
  assert.deepEqual(failures, [], `${failures.length} of ${cells.length} cells failed:\n${failures.join('\n')}`);
});

test('once every share is removed, the same cells answer as without them', async () => {
  // Every share, through the API (but those of records in the recycle bin, which
  // answer 404 like every path under a deleted record, and grant nothing there).
  let kept = 0;
  for (const rec of recs.values()) {
    if (rec.deleted) kept += rec.shares.length;
    else for (const s of [...rec.shares]) await unshare(rec, s.id);
  }
  assert.equal((await shell.query('SELECT count(*) FROM record_shares;')).trim(), String(kept),
    'no share is left but on records in the recycle bin');
  const phaseB = new Map();
  const { failures, n, denials } = await runCells(cellsOf('unshared'), phaseB);
  // And as the same cells of a record that was never shared (relation other) did.
  for (const [key, status] of phaseB) {
    const [caller, rel, ...rest] = key.split(' ');
    if (!SHARED_RELS.includes(rel)) continue;
    const other = phaseA.get([caller, 'other', ...rest].join(' '));
    if (status !== other) failures.push(`${key}: ${status} once unshared, but ${other} for a record never shared`);
  }
  for (const c of callers) failures.push(...await checkSearch(c));
  console.log(`authz model, shares removed: ${n} cells, ${denials} refused writes checked against the database`);
  assert.deepEqual(failures, [], `${failures.length} of ${n} cells failed:\n${failures.join('\n')}`);
});
