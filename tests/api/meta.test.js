// Metadata (/meta) and the OpenAPI document (/openapi.json).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startServer, loginAdmin, Client } from './helpers.js';

let srv;
let admin;
let meta;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

const entity = (name) => meta.entities.find((e) => e.name === name);
const field = (ent, name) => entity(ent).fields.find((f) => f.name === name);

describe('/meta', () => {
  test('lists the entities with labels and fields', async () => {
    const r = await admin.get('/meta');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    meta = r.body;
    assert.ok(Array.isArray(meta.entities));
    for (const name of ['accounts', 'contacts', 'users', 'teams']) {
      const e = entity(name);
      assert.ok(e, `entity ${name}`);
      assert.equal(typeof e.label, 'string');
      assert.equal(typeof e.label_plural, 'string');
      assert.ok(Array.isArray(e.fields) && e.fields.length > 0);
      for (const f of e.fields) {
        assert.equal(typeof f.name, 'string');
        assert.equal(typeof f.type, 'string');
        assert.equal(typeof f.label, 'string');
        assert.equal(typeof f.required, 'boolean', `${name}.${f.name}.required`);
      }
    }
    assert.equal(entity('accounts').label, 'Account');
    // Whether a list may sort by the field, and the server agrees: a list column of long
    // text is shown but not sorted.
    assert.equal(field('contacts', 'title').sortable, true);
    assert.equal(field('contacts', 'description').sortable, false);
    const long = field('emails', 'to_addresses');
    assert.equal(long.list, true);
    assert.equal(long.sortable, false);
    assert.equal((await admin.get('/emails?sort=to_addresses')).status, 400);
    assert.equal((await admin.get('/contacts?sort=-title')).status, 200);
    assert.equal(entity('accounts').label_plural, 'Accounts');
  });

  test('each entity tells what it offers: recycle bin, sharing, duplicates, timeline, imports', () => {
    const offers = (name) => {
      const e = entity(name);
      return [e.deletable, e.shareable, e.duplicates, e.timeline, e.importable];
    };
    // deletable, shareable, duplicates, timeline, importable
    assert.deepEqual(offers('accounts'), [true, true, true, true, true]);
    assert.deepEqual(offers('leads'), [true, true, true, true, true]);
    assert.deepEqual(offers('opportunities'), [true, true, false, true, true]);
    assert.deepEqual(offers('activities'), [true, true, false, false, true]);
    assert.deepEqual(offers('users'), [false, false, false, false, false]);
    assert.deepEqual(offers('teams'), [true, false, false, false, false]);
    // An import may create accounts from the names rows give (create_accounts), nothing else.
    assert.deepEqual(meta.entities.filter((e) => e.create_by_name).map((e) => e.name), ['accounts']);
    // The administration (the automation tab among it), the knowledge base's and the mail
    // module's screens show these, not the navigation's lists.
    assert.deepEqual(meta.entities.filter((e) => !e.nav).map((e) => e.name).sort(),
      ['email_deliveries', 'email_templates', 'emails', 'kb_articles', 'kb_categories', 'kb_feedback', 'mailboxes', 'pipeline_stages',
        'price_list_items', 'roles', 'shipments', 'teams', 'users', 'webhook_deliveries', 'webhooks', 'workflow_runs',
        'workflows']);
  });

  test('a call\'s own fields are shown only on calls', () => {
    for (const name of ['direction', 'duration_minutes', 'outcome']) {
      assert.deepEqual(field('activities', name).shown_when, { field: 'type', value: 'call' }, name);
    }
    assert.equal(field('activities', 'subject').shown_when, undefined);
    assert.ok(field('activities', 'type').enum.includes('call'));
  });

  test('accounts fields carry types, required flags, enums and refs', () => {
    assert.equal(field('accounts', 'name').required, true);
    assert.equal(field('accounts', 'name').type, 'string');
    assert.equal(field('accounts', 'billing_city').required, false);
    assert.deepEqual(field('accounts', 'type').enum,
      ['customer', 'prospect', 'partner', 'distributor', 'supplier', 'competitor', 'bank', 'other']);
    assert.equal(field('accounts', 'type').type, 'enum');
    assert.deepEqual(field('accounts', 'credit_rating').enum, ['excellent', 'good', 'fair', 'poor', 'unknown']);
    assert.deepEqual(field('accounts', 'status').enum, ['active', 'inactive', 'on_hold', 'closed']);
    assert.deepEqual(field('accounts', 'tier').enum, ['A', 'B', 'C']);
    for (const v of ['technology', 'banking', 'retail', 'manufacturing']) {
      assert.ok(field('accounts', 'industry').enum.includes(v), `industry ${v}`);
    }
    assert.equal(field('accounts', 'annual_revenue').type, 'money');
    assert.equal(field('accounts', 'website').type, 'url');
    assert.equal(field('accounts', 'parent_id').ref, 'accounts');
  });

  test('every built-in enum labels each of its values in English and Chinese', () => {
    let checked = 0;
    for (const e of meta.entities.filter((x) => !x.custom)) {
      for (const f of e.fields.filter((x) => x.enum && !x.custom && !x.enum_source)) {
        const where = `${e.name}.${f.name}`;
        assert.deepEqual(Object.keys(f.enum_labels || {}), f.enum, `${where} enum_labels`);
        assert.deepEqual(Object.keys(f.enum_labels_zh || {}), f.enum, `${where} enum_labels_zh`);
        for (const v of f.enum) {
          assert.ok(f.enum_labels[v].length > 0, `${where}.${v}`);
          // Proper words, not the key: "Not held", never "not_held".
          assert.ok(!f.enum_labels[v].includes('_'), `${where}.${v}: ${f.enum_labels[v]}`);
          assert.match(f.enum_labels_zh[v], /[\u4e00-\u9fff]|^[A-C]$|^[\d–]+ 人|人以上$/, `${where}.${v} zh: ${f.enum_labels_zh[v]}`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 20, `${checked} enums`);
    assert.equal(field('activities', 'status').enum_labels.not_held, 'Not held');
    assert.equal(field('activities', 'status').enum_labels_zh.not_held, '未举行');
    assert.equal(field('accounts', 'industry').enum_labels.manufacturing, 'Manufacturing');
    assert.equal(field('accounts', 'industry').enum_labels_zh.manufacturing, '制造业');
    assert.equal(field('activities', 'related_type').enum_labels_zh.opportunities, '商机');
    assert.equal(field('opportunities', 'lead_source').enum_labels.cold_call, 'Cold call');
    // Values named by records (a stage, a role) are named by those records instead.
    assert.equal(field('opportunities', 'stage').enum_labels, undefined);
    assert.equal(field('pipeline_stages', 'outcome').enum_labels_zh.won, '赢单');
  });

  test('contacts, users, teams fields', () => {
    assert.equal(field('contacts', 'last_name').required, true);
    assert.equal(field('contacts', 'first_name').required, false);
    assert.equal(field('contacts', 'account_id').ref, 'accounts');
    assert.equal(field('contacts', 'reports_to_id').ref, 'contacts');
    assert.equal(field('contacts', 'birthday').type, 'date');
    assert.equal(field('contacts', 'do_not_call').type, 'bool');
    assert.deepEqual(field('contacts', 'lead_source').enum,
      ['web', 'referral', 'campaign', 'cold_call', 'trade_show', 'partner', 'email', 'other']);
    assert.equal(field('users', 'username').required, true);
    // The roles are records: the built-in ones, by key.
    assert.deepEqual(field('users', 'role').enum,
      ['admin', 'manager', 'marketing', 'partner', 'readonly', 'sales', 'support']);
    assert.equal(field('users', 'role').enum_source, 'roles');
    assert.deepEqual(field('users', 'locale').enum, ['en', 'zh-CN']);
    assert.ok(!entity('users').fields.some((f) => f.name === 'password_hash'), 'no password_hash in meta');
    assert.equal(field('teams', 'name').required, true);
  });

  test('every writable field in /meta is accepted by the API and every enum value round-trips', async () => {
    // create an account setting every enum field to its last value
    const body = { name: 'Meta roundtrip' };
    for (const f of entity('accounts').fields) if (f.enum && !f.readonly) body[f.name] = f.enum[f.enum.length - 1];
    const r = await admin.post('/accounts', body);
    assert.equal(r.status, 201, r.text);
    for (const [k, v] of Object.entries(body)) assert.equal(r.body[k], v, k);
    // every meta field appears on the record
    for (const f of entity('accounts').fields) assert.ok(f.name in r.body, `record has ${f.name}`);
  });

  test('/meta needs a signed-in user or answers the same to everyone', async () => {
    const r = await new Client(srv.base).get('/meta');
    assert.ok([200, 401].includes(r.status), `got ${r.status}`);
  });
});

describe('/openapi.json', () => {
  let doc;
  test('is served as JSON', async () => {
    let r = await new Client(srv.base).get('/openapi.json');
    if (r.status === 401) r = await admin.get('/openapi.json');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.headers.get('content-type'), /json/);
    doc = r.body;
    assert.match(doc.openapi, /^3\.1\.\d+$/);
  });

  test('is a valid OpenAPI 3.1 document', async () => {
    const v = new Validator();
    const res = await v.validate(doc);
    assert.equal(v.version, '3.1');
    assert.ok(res.valid, `invalid OpenAPI: ${String(JSON.stringify(res.errors, null, 1)).slice(0, 3000)}`);
  });

  test('documents the record endpoints for each entity', () => {
    const paths = Object.keys(doc.paths);
    const has = (p) => paths.some((x) => x === p || x === '/api/v1' + p || x.endsWith(p));
    for (const res of ['accounts', 'contacts', 'users', 'teams']) {
      assert.ok(has(`/${res}`), `path /${res}`);
      const item = paths.find((x) => new RegExp(`/${res}/\\{[^}]+\\}$`).test(x));
      assert.ok(item, `item path for ${res}`);
      assert.ok(doc.paths[item].get && doc.paths[item].patch, `${res} item get+patch`);
    }
    for (const p of ['/jobs', '/jobs/{id}', '/imports', '/imports/{id}', '/calendar.ics', '/contacts/export']) {
      assert.ok(has(p), `path ${p}`);
    }
    const acc = paths.find((x) => /\/accounts$/.test(x));
    assert.ok(doc.paths[acc].get && doc.paths[acc].post, 'accounts list get+post');
    const users = paths.find((x) => /\/users\/\{[^}]+\}$/.test(x));
    assert.ok(!doc.paths[users].delete, 'users have no DELETE');
  });

  test('$refs resolve and the schemas reflect the metadata', async () => {
    const v = new Validator();
    await v.validate(doc);
    assert.doesNotThrow(() => v.resolveRefs());
    const json = JSON.stringify(doc);
    for (const m of json.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      let node = doc;
      for (const part of m[1].split('/')) node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      assert.ok(node !== undefined, `$ref #/${m[1]} resolves`);
    }
    assert.ok(json.includes('"distributor"'), 'account type enum present');
    assert.ok(json.includes('annual_revenue'));
    assert.ok(!/password_hash/.test(json));
  });
});

describe('/openapi.json path parameters', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv.stop(); });

  test('every templated path declares its {id} parameter', async () => {
    const doc = await (await fetch(`${srv.base}/api/v1/openapi.json`)).json();
    const templated = Object.keys(doc.paths).filter((p) => p.includes('{id}'));
    assert.ok(templated.includes('/api/v1/leads/{id}/convert'));
    for (const p of templated) {
      const item = doc.paths[p];
      const params = [...(item.parameters || []),
        ...Object.values(item).flatMap((op) => (op && op.parameters) || [])];
      assert.ok(params.some((x) => x.name === 'id' && x.in === 'path' && x.required), `${p} declares id`);
    }
  });
});
