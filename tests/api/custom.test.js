// Custom fields and custom entities, added by an administrator while the server runs:
// POST /meta/entities/{entity}/fields, PATCH and DELETE /meta/entities/{entity}/fields/{field},
// POST /meta/entities.
//
//  1. a custom field of every type on accounts, through create, get, patch, list filters,
//     sort, search, CSV export, history, /meta and /openapi.json (still valid OpenAPI);
//     Chinese values; password fields never shown, filtered, exported or in history;
//  2. definitions that are refused (422, the member named in errors[]) change nothing;
//  3. the data-loss guards: required/unique over existing rows, type changes, enum
//     values in use, maxlen; PATCH of built-in / unknown fields;
//  4. DELETE of a field: gone everywhere at once, its values kept in history, its name
//     not reusable;
//  5. a custom entity through every generic route (CRUD with If-Match, recycle bin,
//     history, q search, export, shares); roles as on permissions_like, or administrators
//     only without it; metadata routes for administrators only;
//  6. two servers on one database: metadata changed on one is used on the other at its
//     next request, without a restart;
//  7. CSV import into custom fields and a custom entity.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import {
  startServer, loginAdmin, login, createUser, create, assertProblem, runImport, dropDb, uniq, parseCsv,
} from './helpers.js';

let srv;
let admin;
let rep; // a sales user: no administrator
let repUser;

before(async () => {
  srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '50' } });
  admin = await loginAdmin(srv.base);
  repUser = await createUser(admin, { username: 'cf-rep', role: 'sales' });
  rep = await login(srv.base, 'cf-rep', 'password-123');
});
after(async () => { await srv?.stop(); });

// ---- helpers ----

const fieldsPath = (entity) => `/meta/entities/${entity}/fields`;

async function addField(entity, def, client = admin) {
  const r = await client.post(fieldsPath(entity), def);
  assert.equal(r.status, 201, `add ${entity}.${def.name}: ${r.status} ${r.text}`);
  return r.body;
}

async function metaEntity(name, client = admin) {
  const r = await client.get('/meta');
  assert.equal(r.status, 200, r.text);
  return r.body.entities.find((e) => e.name === name);
}

async function metaField(entity, name, client = admin) {
  return (await metaEntity(entity, client))?.fields.find((f) => f.name === name);
}

const errorFields = (problem) => (problem.errors || []).map((e) => e.field);

// A 422 whose errors name `member`.
function assertFieldError(r, member, msg = '') {
  const p = assertProblem(r, 422, msg);
  assert.ok(errorFields(p).includes(member), `${msg} errors name ${member}: ${JSON.stringify(p.errors)}`);
  return p;
}

async function openapi(client = admin) {
  const r = await client.get('/openapi.json');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.body;
}

async function assertValidOpenapi(doc) {
  const v = new Validator();
  const res = await v.validate(doc);
  assert.ok(res.valid, `invalid OpenAPI: ${String(JSON.stringify(res.errors, null, 1)).slice(0, 3000)}`);
}


// The bytes are read as they are: Response.text() would drop the byte-order mark.
async function exportCsv(client, res, query = '') {
  // Keys unless the query asks for labels: these tests look columns up by field name.
  const headers = query.includes('headers=') ? '' : '&headers=keys';
  const r = await fetch(`${client.base}/api/v1/${res}/export?format=csv${headers}${query ? '&' + query : ''}`,
    { headers: { cookie: client.cookie } });
  const text = Buffer.from(await r.arrayBuffer()).toString('utf8');
  assert.equal(r.status, 200, text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  return { text, rows: parseCsv(text) };
}

async function history(client, res, id) {
  const r = await client.get(`/${res}/${id}/history`);
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

async function list(client, res, query) {
  const r = await client.get(`/${res}?limit=200${query ? '&' + query : ''}`);
  assert.equal(r.status, 200, `${res}?${query}: ${r.text}`);
  return r.body.data;
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// ---- 1. a custom field of every type ----

describe('a custom field of every type on accounts', () => {
  const TAG = `cf-every-${Date.now().toString(36)}`;
  const SECRETS = ['first-long-secret-1', 'second-long-secret-2', 'third-long-secret-3', 'patched-long-secret-4'];
  const parents = []; // accounts, in id order
  const contacts = []; // contacts, in id order
  // type → definition extras, three values in ascending order (as the server answers
  // them), the inputs when they differ, and a value for the PATCH of the first record.
  const TYPES = {
    string: { def: { maxlen: 80, searchable: true, label_zh: '地区', help: '销售区域' },
      values: ['a 华东区', 'b 华北区', 'c 西南区'], patch: 'd 华中区' },
    text: { values: ['第一行\nline two', 'plain text', '华东 long text'], patch: '改了 text' },
    email: { values: ['a@example.cn', 'b@example.cn', 'c@example.cn'], patch: 'd@example.cn' },
    phone: { values: ['+86 10 1111 1111', '+86 10 2222 2222', '+86 10 3333 3333'], patch: '+86 21 4444 4444' },
    url: { values: ['https://a.example.cn/华东', 'https://b.example.cn/', 'https://c.example.cn/x'],
      patch: 'https://d.example.cn/' },
    int: { def: { min: -100, max: 100 }, values: [-5, 7, 42], patch: 99 },
    money: { def: { min: '-10.00', max: '5000.00' }, values: ['-1.50', '12.30', '1000.00'],
      inputs: ['-1.5', '12.3', '1000'], patch: '4999.99' },
    percent: { values: [0, 50, 100], patch: 75 },
    date: { values: ['2023-01-31', '2024-02-29', '2025-12-01'], patch: '2026-06-30' },
    datetime: { values: ['2023-01-31T09:30:00.000Z', '2024-02-29T23:59:59.000Z', '2025-12-01T00:00:00.123Z'],
      patch: '2026-06-30T12:00:00.000Z' },
    bool: { values: [false, true, true], patch: true },
    enum: { def: { enum_values: ['a华东', 'b华北', 'c华南'] }, values: ['a华东', 'b华北', 'c华南'], patch: 'c华南' },
    multi_enum: { def: { enum_values: ['x', 'y', '华东'] }, values: [['x'], ['x', '华东'], ['y']], patch: ['y', '华东'] },
    ref: { def: { ref_entity: 'accounts' }, values: () => parents.map((p) => p.id), patch: () => parents[2].id },
    multi_ref: { def: { ref_entity: 'contacts' }, values: () => [[contacts[0].id], [contacts[0].id, contacts[1].id], [contacts[1].id]],
      patch: () => [contacts[1].id] },
    json: { values: [{ k: 1 }, { 地区: '华东', list: [1, 2] }, [1, 'two']], patch: { changed: true } },
    password: { values: SECRETS.slice(0, 3), patch: SECRETS[3] },
  };
  // Sort keys travel whole in cursors: long texts (text, and url at its default maxlen
  // of 2048) are filtered, not sorted.
  const UNSORTABLE = new Set(['text', 'url', 'json', 'multi_enum', 'multi_ref', 'password']);
  const NO_EQ_FILTER = new Set(['json', 'multi_enum', 'multi_ref']); // [null] only
  const MULTI = new Set(['multi_enum', 'multi_ref']); // empty is [], never null
  const RANGED = new Set(['int', 'money', 'percent', 'date', 'datetime']);
  const fname = (type) => `cf_${type}`;
  const valuesOf = (type) => (typeof TYPES[type].values === 'function' ? TYPES[type].values() : TYPES[type].values);
  const patchOf = (type) => (typeof TYPES[type].patch === 'function' ? TYPES[type].patch() : TYPES[type].patch);
  const num = (type, v) => (type === 'money' ? Number(v) : v);
  const cmp = (type, a, b) => {
    const x = num(type, a), y = num(type, b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  // History keeps values as text: JSON for lists and objects.
  const histText = (v) => (v === null ? null : typeof v === 'object' ? v : String(v));
  const histValue = (type, t) => (t !== null && (type === 'json' || type.startsWith('multi')) ? JSON.parse(t) : t);
  const recs = [];
  let bare; // a tagged record with no custom value

  before(async () => {
    for (const n of ['P1', 'P2', 'P3']) parents.push(await create(admin, 'accounts', { name: `${TAG} parent ${n}` }));
    for (const n of ['王', '李']) contacts.push(await create(admin, 'contacts', { last_name: `${n} ${TAG}` }));
  });

  test('adding a field of each type answers 201 with the field as /meta describes it', async () => {
    for (const [type, t] of Object.entries(TYPES)) {
      const f = await addField('accounts', { name: fname(type), type, label: `CF ${type}`, ...(t.def || {}) });
      assert.equal(f.name, fname(type));
      assert.equal(f.type, type);
      assert.equal(f.label, `CF ${type}`);
      assert.equal(f.custom, true);
      assert.equal(f.group, 'custom');
      for (const k of ['required', 'unique', 'indexed', 'searchable', 'readonly', 'list']) assert.equal(typeof f[k], 'boolean', `${type}.${k}`);
      assert.deepEqual(await metaField('accounts', fname(type)), f, `${type}: /meta says the same`);
    }
    const s = await metaField('accounts', 'cf_string');
    assert.equal(s.label_zh, '地区');
    assert.equal(s.help, '销售区域');
    assert.equal(s.maxlen, 80);
    assert.equal(s.searchable, true);
    const i = await metaField('accounts', 'cf_int');
    assert.deepEqual([i.min, i.max], [-100, 100]);
    const m = await metaField('accounts', 'cf_money');
    assert.deepEqual([m.min, m.max], ['-10.00', '5000.00']);
    assert.deepEqual((await metaField('accounts', 'cf_enum')).enum, ['a华东', 'b华北', 'c华南']);
    assert.deepEqual((await metaField('accounts', 'cf_multi_enum')).enum, ['x', 'y', '华东']);
    assert.equal((await metaField('accounts', 'cf_ref')).ref, 'accounts');
    assert.equal((await metaField('accounts', 'cf_multi_ref')).ref, 'contacts');
  });

  test('/openapi.json stays valid and describes every new field in the accounts schema', async () => {
    const doc = await openapi();
    await assertValidOpenapi(doc);
    const props = doc.components.schemas.accounts.properties;
    for (const type of Object.keys(TYPES)) assert.ok(props[fname(type)], `schema has ${fname(type)}`);
    assert.equal(props.cf_password.writeOnly, true, 'a password is write-only');
    assert.ok(props.cf_enum.enum.includes('b华北'));
    assert.deepEqual(props.cf_multi_enum.items.enum, ['x', 'y', '华东']);
    assert.equal(props.cf_string.maxLength, 80);
  });

  test('create and get: every value round-trips, Chinese included; a password is never shown', async () => {
    for (let i = 0; i < 3; i++) {
      const body = { name: `${TAG} rec ${i}`, description: TAG };
      for (const [type, t] of Object.entries(TYPES)) body[fname(type)] = t.inputs ? t.inputs[i] : valuesOf(type)[i];
      const c = await create(admin, 'accounts', body);
      const g = await admin.get(`/accounts/${c.id}`);
      assert.equal(g.status, 200, g.text);
      assert.deepEqual(g.body, c);
      for (const type of Object.keys(TYPES)) {
        if (type === 'password') continue;
        assert.deepEqual(c[fname(type)], valuesOf(type)[i], `${type} value ${i}`);
      }
      assert.ok(!('cf_password' in c), 'no password member');
      assert.ok(!g.text.includes(SECRETS[i]), 'the password is not in the record');
      recs.push(c);
    }
    bare = await create(admin, 'accounts', { name: `${TAG} bare`, description: TAG });
    for (const type of Object.keys(TYPES)) {
      if (type !== 'password') assert.deepEqual(bare[fname(type)], MULTI.has(type) ? [] : null, `${type} when not given`);
    }
  });

  test('create validates custom values: enum, bounds, types', async () => {
    const bad = {
      cf_enum: 'nope', cf_multi_enum: ['x', 'nope'], cf_int: 101, cf_money: '5000.01', cf_percent: 101,
      cf_email: 'not-mail', cf_url: 'ftp://x', cf_date: '2024-02-30', cf_datetime: 'soon', cf_bool: 'yes',
      cf_ref: '00000000-0000-7000-8000-000000000000', cf_string: 'x'.repeat(81), cf_password: 'short',
    };
    for (const [k, v] of Object.entries(bad)) {
      assertFieldError(await admin.post('/accounts', { name: `${TAG} bad`, description: TAG, [k]: v }), k, `${k}=${JSON.stringify(v)}`);
    }
    assert.equal((await list(admin, 'accounts', `description=${TAG}&name=${encodeURIComponent(`${TAG} bad`)}`)).length, 0);
  });

  test('list filters on each type: eq, ranges, null', async () => {
    const names = async (q) => (await list(admin, 'accounts', `description=${TAG}&${q}`)).map((x) => x.name).sort();
    const want = (pred) => recs.filter(pred).map((x) => x.name).sort();
    for (const type of Object.keys(TYPES)) {
      if (type === 'password') continue;
      const f = fname(type);
      const v = valuesOf(type)[1];
      if (MULTI.has(type)) {
        // An empty list is [] rather than null, as on the built-in lists (users.team_ids).
        const got = await names(`${f}[null]=false`);
        for (const r of recs) assert.ok(got.includes(r.name), `${f}[null]=false has ${r.name}`);
        continue;
      }
      assert.deepEqual(await names(`${f}[null]=false`), want(() => true), `${f}[null]=false`);
      assert.deepEqual(await names(`${f}[null]=true`), [bare.name], `${f}[null]=true`);
      if (NO_EQ_FILTER.has(type)) continue;
      const text = encodeURIComponent(String(v));
      assert.deepEqual(await names(`${f}=${text}`), want((r) => r[f] === v), `${f}=${v}`);
      if (RANGED.has(type)) {
        assert.deepEqual(await names(`${f}[gte]=${text}`), want((r) => cmp(type, r[f], v) >= 0), `${f}[gte]=${v}`);
        assert.deepEqual(await names(`${f}[lt]=${text}`), want((r) => cmp(type, r[f], v) < 0), `${f}[lt]=${v}`);
      }
    }
    assert.deepEqual(await names(`cf_enum[in]=${encodeURIComponent('a华东,c华南')}`), want((r) => r.cf_enum !== 'b华北'));
    assert.deepEqual(await names(`cf_text[like]=${encodeURIComponent('*华东*')}`), [recs[2].name]);
    assert.deepEqual(await names(`cf_string[like]=${encodeURIComponent('b 华*')}`), [recs[1].name]);
    // A password is write-only: not even its emptiness can be asked.
    assertProblem(await admin.get(`/accounts?cf_password[null]=false`), 400);
    assertProblem(await admin.get(`/accounts?cf_password=${SECRETS[0]}`), 400);
  });

  test('sort on each sortable type, both ways; the others are refused', async () => {
    for (const type of Object.keys(TYPES)) {
      const f = fname(type);
      if (UNSORTABLE.has(type)) {
        assertProblem(await admin.get(`/accounts?description=${TAG}&sort=${f}`), 400, `sort=${f}`);
        continue;
      }
      const sorted = [...valuesOf(type)].sort((a, b) => cmp(type, a, b));
      const asc = (await list(admin, 'accounts', `description=${TAG}&${f}[null]=false&sort=${f}`)).map((x) => x[f]);
      assert.deepEqual(asc, sorted, `sort=${f}`);
      const desc = (await list(admin, 'accounts', `description=${TAG}&${f}[null]=false&sort=-${f}`)).map((x) => x[f]);
      assert.deepEqual(desc, [...sorted].reverse(), `sort=-${f}`);
    }
  });

  test('full-text search finds a searchable custom field, by list q and by /search', async () => {
    const q = await list(admin, 'accounts', `q=${encodeURIComponent('华北区')}`);
    assert.deepEqual(q.map((x) => x.id), [recs[1].id]);
    const s = await admin.get(`/search?q=${encodeURIComponent('西南区')}`);
    assert.equal(s.status, 200, s.text);
    assert.ok(s.body.data.some((x) => x.entity === 'accounts' && x.id === recs[2].id), JSON.stringify(s.body));
    // cf_text is not searchable (yet)
    assert.deepEqual(await list(admin, 'accounts', `q=${encodeURIComponent('plain')}&description=${TAG}`), []);
  });

  test('making a text field searchable indexes the values it already has', async () => {
    const p = await admin.patch(`${fieldsPath('accounts')}/cf_text`, { searchable: true });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.searchable, true);
    let found = [];
    for (let i = 0; i < 100 && !found.length; i++) {
      found = (await admin.get(`/search?q=plain`)).body.data.filter((x) => x.id === recs[1].id);
      if (!found.length) await sleep(100);
    }
    assert.equal(found.length, 1, 'the record is found by its cf_text after the reindex');
    assert.deepEqual((await list(admin, 'accounts', `q=plain&description=${TAG}`)).map((x) => x.id), [recs[1].id]);
  });

  test('CSV export has a column per custom field (never the password) with the values', async () => {
    const { text, rows } = await exportCsv(admin, 'accounts', `description=${TAG}&sort=name`);
    const head = rows[0];
    for (const type of Object.keys(TYPES)) {
      if (type === 'password') assert.ok(!head.includes(fname(type)), 'no password column');
      else assert.ok(head.includes(fname(type)), `column ${fname(type)}`);
    }
    for (const s of SECRETS) assert.ok(!text.includes(s), 'no password value');
    assert.ok(!text.includes('$argon2'), 'no password hash');
    const row = rows.find((r) => r[head.indexOf('name')] === recs[1].name);
    assert.equal(row[head.indexOf('cf_string')], 'b 华北区');
    assert.equal(row[head.indexOf('cf_money')], '12.30');
    assert.equal(row[head.indexOf('cf_enum')], 'b华北');
    assert.equal(row[head.indexOf('cf_date')], '2024-02-29');
    assert.equal(row[head.indexOf('cf_bool')], 'true');
    assert.equal(row[head.indexOf('cf_int')], '7');
  });

  test('labelled exports head custom fields with their labels: Chinese when the field has one', async () => {
    const en = (await exportCsv(admin, 'accounts', `description=${TAG}&sort=name&headers=labels`)).rows;
    for (const h of ['CF string', 'CF text', 'CF ref ID', 'CF ref', 'CF multi_ref ID', 'CF multi_ref']) {
      assert.ok(en[0].includes(h), `${h} in ${en[0].join()}`);
    }
    assert.ok(!en[0].includes('CF password'));
    assert.equal((await admin.patch('/auth/me', { locale: 'zh-CN' })).status, 200);
    try {
      const zh = (await exportCsv(admin, 'accounts', `description=${TAG}&sort=name&headers=labels`)).rows;
      assert.ok(zh[0].includes('地区'), 'label_zh heads the column');
      assert.ok(!zh[0].includes('CF string'));
      assert.ok(zh[0].includes('CF text'), 'without label_zh, the English label');
      assert.ok(zh[0].includes('名称') && zh[0].includes('负责人'));
      assert.deepEqual(zh.slice(1), en.slice(1));
      // The names of the referenced records sit next to their ids.
      const row = zh.find((r) => r[zh[0].indexOf('名称')] === recs[1].name);
      assert.equal(row[zh[0].indexOf('CF ref ID')], parents[1].id);
      assert.equal(row[zh[0].indexOf('CF ref')], parents[1].name);
    } finally {
      assert.equal((await admin.patch('/auth/me', { locale: 'en' })).status, 200);
    }
  });

  test('PATCH of every custom field, then history shows each change (a password only as changed)', async () => {
    const body = {};
    for (const type of Object.keys(TYPES)) body[fname(type)] = patchOf(type);
    const r = await admin.patch(`/accounts/${recs[0].id}`, body, { headers: { 'if-match': `"${recs[0].version}"` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.version, recs[0].version + 1);
    for (const type of Object.keys(TYPES)) {
      if (type !== 'password') assert.deepEqual(r.body[fname(type)], patchOf(type), `${type} patched`);
    }
    assert.deepEqual((await admin.get(`/accounts/${recs[0].id}`)).body, r.body);
    const h = await history(admin, 'accounts', recs[0].id);
    for (const type of Object.keys(TYPES)) {
      const f = fname(type);
      const upd = h.find((e) => e.action === 'update' && e.field === f);
      const made = h.find((e) => e.action === 'create' && e.field === f);
      assert.ok(upd, `update row for ${f}`);
      assert.ok(made, `create row for ${f}`);
      if (type === 'password') {
        for (const e of [upd, made]) assert.deepEqual([e.old, e.new], [null, null], 'a password is never in history');
        continue;
      }
      assert.deepEqual(histValue(type, upd.old), histText(valuesOf(type)[0]), `${f} old`);
      assert.deepEqual(histValue(type, upd.new), histText(patchOf(type)), `${f} new`);
      assert.deepEqual(histValue(type, made.new), histText(valuesOf(type)[0]), `${f} created`);
    }
    const all = JSON.stringify(h);
    for (const s of SECRETS) assert.ok(!all.includes(s), 'no password value in history');
    assert.ok(!all.includes('$argon2'), 'no password hash in history');
  });

  test('a PATCH out of bounds or off the enum is refused and changes nothing', async () => {
    const before = (await admin.get(`/accounts/${recs[1].id}`)).body;
    for (const [k, v] of [['cf_int', -101], ['cf_money', '-10.01'], ['cf_enum', 'd'], ['cf_multi_enum', ['z']], ['cf_percent', -1]]) {
      assertFieldError(await admin.patch(`/accounts/${recs[1].id}`, { [k]: v }), k, `${k}=${v}`);
    }
    assert.deepEqual((await admin.get(`/accounts/${recs[1].id}`)).body, before);
  });
});

// ---- 2. definitions that are refused ----

describe('refused definitions change nothing', () => {
  before(async () => {
    await addField('accounts', { name: 'cf_taken', type: 'string', label: 'Taken' });
  });

  // [what, definition, member named in errors]; cf_bad becomes a name of its own per case
  // (cf_bad1, cf_bad2, …), so that one wrongly accepted definition cannot mask the others.
  const CASES = [
    ['reserved word select', { name: 'select', type: 'string', label: 'x' }, 'name'],
    ['reserved word limit', { name: 'limit', type: 'string', label: 'x' }, 'name'],
    ['reserved word owner_id', { name: 'owner_id', type: 'string', label: 'x' }, 'name'],
    ['a built-in field', { name: 'billing_city', type: 'string', label: 'x' }, 'name'],
    ['a custom field', { name: 'cf_taken', type: 'int', label: 'x' }, 'name'],
    ['a one-letter name', { name: 'a', type: 'string', label: 'x' }, 'name'],
    ['upper case', { name: 'Region', type: 'string', label: 'x' }, 'name'],
    ['a digit first', { name: '1region', type: 'string', label: 'x' }, 'name'],
    ['a dash', { name: 'bad-name', type: 'string', label: 'x' }, 'name'],
    ['41 characters', { name: 'r'.repeat(41), type: 'string', label: 'x' }, 'name'],
    ['no name', { type: 'string', label: 'x' }, 'name'],
    ['an unknown type', { name: 'cf_retry', type: 'float', label: 'x' }, 'type'],
    ['no type', { name: 'cf_bad', label: 'x' }, 'type'],
    ['no label', { name: 'cf_bad', type: 'string' }, 'label'],
    ['an empty label', { name: 'cf_bad', type: 'string', label: '' }, 'label'],
    ['an enum without values', { name: 'cf_bad', type: 'enum', label: 'x' }, 'enum_values'],
    ['an enum with an empty list', { name: 'cf_bad', type: 'multi_enum', label: 'x', enum_values: [] }, 'enum_values'],
    ['an enum value twice', { name: 'cf_bad', type: 'enum', label: 'x', enum_values: ['华东', '华东'] }, 'enum_values'],
    ['enum values on a string', { name: 'cf_bad', type: 'string', label: 'x', enum_values: ['a'] }, 'enum_values'],
    ['min above max', { name: 'cf_bad', type: 'int', label: 'x', min: 10, max: 5 }, 'min'],
    ['money min above max', { name: 'cf_bad', type: 'money', label: 'x', min: '10.00', max: '9.99' }, 'min'],
    ['min on a string', { name: 'cf_bad', type: 'string', label: 'x', min: 1 }, 'min'],
    ['maxlen on an int', { name: 'cf_bad', type: 'int', label: 'x', maxlen: 10 }, 'maxlen'],
    ['searchable on an int', { name: 'cf_bad', type: 'int', label: 'x', searchable: true }, 'searchable'],
    ['unique on JSON', { name: 'cf_bad', type: 'json', label: 'x', unique: true }, 'unique'],
    ['a flag that is not a boolean', { name: 'cf_bad', type: 'string', label: 'x', required: 'true' }, 'required'],
    ['a ref without ref_entity', { name: 'cf_bad', type: 'ref', label: 'x' }, 'ref_entity'],
    ['a ref to no entity', { name: 'cf_bad', type: 'ref', label: 'x', ref_entity: 'nopes' }, 'ref_entity'],
    ['an unknown member', { name: 'cf_bad', type: 'string', label: 'x', colour: 'red' }, 'colour'],
    ['an int default that is text', { name: 'cf_bad', type: 'int', label: 'x', default: 'abc' }, 'default'],
    ['an int default out of bounds', { name: 'cf_bad', type: 'int', label: 'x', min: 0, max: 5, default: 9 }, 'default'],
    ['a money default with 3 decimals', { name: 'cf_bad', type: 'money', label: 'x', default: '1.234' }, 'default'],
    ['an impossible date default', { name: 'cf_bad', type: 'date', label: 'x', default: '2024-13-45' }, 'default'],
    ['an enum default off the list', { name: 'cf_bad', type: 'enum', label: 'x', enum_values: ['华东'], default: '华北' }, 'default'],
    ['an e-mail default that is not one', { name: 'cf_bad', type: 'email', label: 'x', default: 'nobody' }, 'default'],
    ['a default longer than maxlen', { name: 'cf_bad', type: 'string', label: 'x', maxlen: 5, default: '华东华北华南' }, 'default'],
    ['a default on a multi_enum', { name: 'cf_bad', type: 'multi_enum', label: 'x', enum_values: ['a'], default: 'a' }, 'default'],
    ['a bool default that is not true or false', { name: 'cf_bad', type: 'bool', label: 'x', default: 'yes' }, 'default'],
    ['a percent max above 100', { name: 'cf_bad', type: 'percent', label: 'x', max: 150 }, 'max'],
    ['a money min that is not an amount', { name: 'cf_bad', type: 'money', label: 'x', min: 'abc' }, 'min'],
  ];
  CASES.forEach(([what, def, member], i) => {
    test(`${what} → 422 on ${member}, /meta unchanged`, async () => {
      const body = def.name === 'cf_bad' ? { ...def, name: `cf_bad${i}` } : def;
      const before = await metaEntity('accounts');
      assertFieldError(await admin.post(fieldsPath('accounts'), body), member, what);
      assert.deepEqual(await metaEntity('accounts'), before, `${what}: /meta changed`);
    });
  });

  test('a refused name is still free afterwards, and an unknown entity → 404', async () => {
    await addField('accounts', { name: 'cf_retry', type: 'string', label: 'Fine now' });
    assertProblem(await admin.post(fieldsPath('nopes'), { name: 'cf_x', type: 'string', label: 'x' }), 404);
  });
});

// ---- 3. data-loss guards ----

describe('changes that could lose data are refused (422)', () => {
  const ENT = 'cf_guards';
  let recs;
  const FP = (f) => `${fieldsPath(ENT)}/${f}`;
  before(async () => {
    const r = await admin.post('/meta/entities', {
      name: ENT, label: 'Guard', label_plural: 'Guards',
      fields: [
        { name: 'title', type: 'string', label: 'Title' },
        { name: 'notes', type: 'text', label: 'Notes' },
        { name: 'code', type: 'string', label: 'Code', maxlen: 20 },
        { name: 'mail', type: 'email', label: 'Mail' },
        { name: 'zone', type: 'enum', label: 'Zone', enum_values: ['华东', 'north', 'south'], default: 'north' },
        { name: 'tags', type: 'multi_enum', label: 'Tags', enum_values: ['x', 'y', 'z'] },
        { name: 'qty', type: 'int', label: 'Qty', min: 0, max: 10 },
      ],
    });
    assert.equal(r.status, 201, r.text);
    recs = [
      await create(admin, ENT, { title: 'g1', notes: '华东 notes', code: 'same', mail: 'a@example.cn', zone: '华东', tags: ['x', 'y'] }),
      await create(admin, ENT, { title: 'g2', code: 'same', qty: 3 }),
    ];
  });

  // A refused PATCH of a field: 422 on member, and the field as it was.
  async function refused(field, body, member) {
    const was = await metaField(ENT, field);
    assertFieldError(await admin.patch(FP(field), body), member, `${field} ${JSON.stringify(body)}`);
    assert.deepEqual(await metaField(ENT, field), was, `${field} unchanged`);
  }

  test('a required field without default on an entity with records → 422; with a default → filled', async () => {
    const was = await metaEntity(ENT);
    assertFieldError(await admin.post(fieldsPath(ENT), { name: 'region', type: 'string', label: 'R', required: true }), 'required');
    assertFieldError(await admin.post(fieldsPath('accounts'), { name: 'cf_req', type: 'string', label: 'R', required: true }), 'required');
    assert.deepEqual(await metaEntity(ENT), was);
    const f = await addField(ENT, { name: 'region', type: 'string', label: 'R', required: true, default: '华东' });
    assert.equal(f.required, true);
    assert.equal(f.default, '华东');
    for (const r of recs) assert.equal((await admin.get(`/${ENT}/${r.id}`)).body.region, '华东', 'existing records get the default');
    assertFieldError(await admin.post(`/${ENT}`, { title: 'g3', region: null }), 'region');
  });

  test('a unique field with a default over several records → 422', async () => {
    const was = await metaEntity(ENT);
    assertFieldError(await admin.post(fieldsPath(ENT), { name: 'serial', type: 'string', label: 'S', unique: true, default: 'X-1' }), 'unique');
    assert.deepEqual(await metaEntity(ENT), was);
  });

  test('type changes: only string/email/phone/url to string or text', async () => {
    await refused('notes', { type: 'int' }, 'type');
    await refused('notes', { type: 'string' }, 'type');
    await refused('code', { type: 'int' }, 'type');
    await refused('qty', { type: 'string' }, 'type');
    await refused('zone', { type: 'string' }, 'type');
    const t = await admin.patch(FP('mail'), { type: 'text' });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.body.type, 'text');
    assert.equal((await admin.get(`/${ENT}/${recs[0].id}`)).body.mail, 'a@example.cn', 'value kept');
    assert.equal((await metaField(ENT, 'mail')).type, 'text');
  });

  test('removing an enum value still used → 422; an unused one goes', async () => {
    await refused('zone', { enum_values: ['north', 'south'] }, 'enum_values');
    await refused('tags', { enum_values: ['x', 'z'] }, 'enum_values');
    await refused('zone', { enum_values: ['华东', 'south'] }, 'default'); // the default is north
    const z = await admin.patch(FP('zone'), { enum_values: ['华东', 'north', 'west'] });
    assert.equal(z.status, 200, z.text);
    assert.deepEqual(z.body.enum, ['华东', 'north', 'west']);
    const t = await admin.patch(FP('tags'), { enum_values: ['x', 'y', '华南'] });
    assert.equal(t.status, 200, t.text);
    assertFieldError(await admin.post(`/${ENT}`, { title: 'g4', zone: 'south' }), 'zone');
    assert.equal((await create(admin, ENT, { title: 'g5', zone: 'west', tags: ['华南'] })).zone, 'west');
  });

  test('required while some records have no value → 422; once filled → 200 and enforced', async () => {
    await refused('qty', { required: true }, 'required');
    for (const r of await list(admin, ENT, 'qty[null]=true')) {
      assert.equal((await admin.patch(`/${ENT}/${r.id}`, { qty: 1 })).status, 200);
    }
    const p = await admin.patch(FP('qty'), { required: true });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.required, true);
    assertFieldError(await admin.post(`/${ENT}`, { title: 'g6' }), 'qty');
    assertFieldError(await admin.patch(`/${ENT}/${recs[1].id}`, { qty: null }), 'qty');
  });

  test('unique while values repeat → 422; once distinct → 200, then duplicates are 409', async () => {
    await refused('code', { unique: true }, 'unique');
    assert.equal((await admin.patch(`/${ENT}/${recs[1].id}`, { code: 'other' })).status, 200);
    const p = await admin.patch(FP('code'), { unique: true });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.unique, true);
    assertProblem(await admin.post(`/${ENT}`, { title: 'g7', qty: 1, code: 'other' }), 409);
    assertProblem(await admin.patch(`/${ENT}/${recs[0].id}`, { code: 'other' }), 409);
    assert.equal((await admin.get(`/${ENT}/${recs[0].id}`)).body.code, 'same');
  });

  test('a smaller maxlen → 422; a larger one → 200', async () => {
    await refused('code', { maxlen: 10 }, 'maxlen');
    const p = await admin.patch(FP('code'), { maxlen: 40 });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.maxlen, 40);
  });

  test('bad changes: min above max, a new name, a label that is not text → 422', async () => {
    await refused('qty', { min: 20 }, 'min');
    await refused('code', { name: 'code2' }, 'name');
    await refused('code', { label: 5 }, 'label');
  });

  test('a bound that is not a number → 422 on max', async () => {
    await refused('qty', { max: 'many' }, 'max');
  });

  test('labels, help, default and bounds change; a new default applies to new records', async () => {
    const p = await admin.patch(FP('qty'), { label: '数量', label_zh: '数量', help: '件数', default: 4, max: 20 });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual([p.body.label, p.body.label_zh, p.body.help, p.body.default, p.body.max], ['数量', '数量', '件数', '4', 20]);
    assert.deepEqual(await metaField(ENT, 'qty'), p.body);
    assert.equal((await create(admin, ENT, { title: 'g8' })).qty, 4);
    assert.equal((await create(admin, ENT, { title: 'g9', qty: 20 })).qty, 20);
  });

  test('built-in fields → 400, unknown fields or entities → 404', async () => {
    assertProblem(await admin.patch(`${fieldsPath('accounts')}/name`, { label: 'x' }), 400);
    assertProblem(await admin.del(`${fieldsPath('accounts')}/name`), 400);
    assertProblem(await admin.patch(`${fieldsPath('accounts')}/no_such_field`, { label: 'x' }), 404);
    assertProblem(await admin.del(`${fieldsPath('accounts')}/no_such_field`), 404);
    assertProblem(await admin.patch(`${fieldsPath('nopes')}/qty`, { label: 'x' }), 404);
    assertProblem(await admin.del(`${fieldsPath('nopes')}/qty`), 404);
  });
});

// ---- 4. deleting a field ----

describe('DELETE of a custom field', () => {
  const TAG = `cf-del-${Date.now().toString(36)}`;
  const PIN = 'a-very-secret-passphrase';
  let withValue, withPin, without;
  before(async () => {
    await addField('accounts', { name: 'cf_gone', type: 'string', label: 'Gone', searchable: true });
    await addField('accounts', { name: 'cf_pin', type: 'password', label: 'PIN' });
    withValue = await create(admin, 'accounts', { name: `${TAG} 1`, description: TAG, cf_gone: '华东 旧值' });
    withPin = await create(admin, 'accounts', { name: `${TAG} 2`, description: TAG, cf_gone: 'second', cf_pin: PIN });
    without = await create(admin, 'accounts', { name: `${TAG} 3`, description: TAG });
  });

  test('→ 204; gone at once from /meta, records, lists, filters, exports, /openapi.json and writes', async () => {
    const r = await admin.del(`${fieldsPath('accounts')}/cf_gone`);
    assert.equal(r.status, 204, r.text);
    assert.equal(await metaField('accounts', 'cf_gone'), undefined);
    assert.ok(!('cf_gone' in (await admin.get(`/accounts/${withValue.id}`)).body));
    for (const x of await list(admin, 'accounts', `description=${TAG}`)) assert.ok(!('cf_gone' in x));
    assertProblem(await admin.get(`/accounts?cf_gone=second`), 400);
    assertProblem(await admin.get(`/accounts?sort=cf_gone`), 400);
    assert.ok(!(await exportCsv(admin, 'accounts', `description=${TAG}`)).rows[0].includes('cf_gone'));
    const doc = await openapi();
    assert.ok(!('cf_gone' in doc.components.schemas.accounts.properties));
    await assertValidOpenapi(doc);
    assertFieldError(await admin.post('/accounts', { name: `${TAG} 4`, cf_gone: 'x' }), 'cf_gone');
    assertFieldError(await admin.patch(`/accounts/${without.id}`, { cf_gone: 'x' }), 'cf_gone');
  });

  test('the values of a removed searchable field are no longer found by search', async () => {
    // Allow an asynchronous reindex a few seconds to run.
    let q, s;
    for (let i = 0; i < 30; i++) {
      q = await list(admin, 'accounts', `q=${encodeURIComponent('旧值')}`);
      s = (await admin.get(`/search?q=${encodeURIComponent('旧值')}`)).body.data;
      if (!q.length && !s.length) break;
      await sleep(100);
    }
    assert.deepEqual(q.map((x) => x.id), [], 'accounts?q= finds a record by a removed field');
    assert.deepEqual(s, [], '/search finds a record by a removed field');
  });

  test('each record\'s history keeps the old value (action field_delete)', async () => {
    for (const [rec, old] of [[withValue, '华东 旧值'], [withPin, 'second']]) {
      const h = await history(admin, 'accounts', rec.id);
      const row = h.find((e) => e.action === 'field_delete' && e.field === 'cf_gone');
      assert.ok(row, `field_delete row: ${JSON.stringify(h.slice(0, 3))}`);
      assert.equal(row.old, old);
      assert.equal(row.new, null);
      assert.equal(row.user_id, admin.user.id);
      assert.equal(h[0], row, 'the newest row');
    }
  });

  test('the name cannot be used again (422 on name); a second DELETE or PATCH → 404', async () => {
    assertFieldError(await admin.post(fieldsPath('accounts'), { name: 'cf_gone', type: 'string', label: 'Again' }), 'name');
    assertFieldError(await admin.post(fieldsPath('accounts'), { name: 'cf_gone', type: 'int', label: 'Again' }), 'name');
    assertProblem(await admin.del(`${fieldsPath('accounts')}/cf_gone`), 404);
    assertProblem(await admin.patch(`${fieldsPath('accounts')}/cf_gone`, { label: 'x' }), 404);
    assert.equal(await metaField('accounts', 'cf_gone'), undefined);
  });

  test('deleting a password field puts no password (nor its hash) in history', async () => {
    const r = await admin.del(`${fieldsPath('accounts')}/cf_pin`);
    assert.equal(r.status, 204, r.text);
    const h = await history(admin, 'accounts', withPin.id);
    for (const e of h.filter((x) => x.field === 'cf_pin')) {
      assert.deepEqual([e.old, e.new], [null, null], `history row ${JSON.stringify(e)}`);
    }
    const all = JSON.stringify(h);
    assert.ok(!all.includes(PIN) && !all.includes('$argon2'), `a password value in history: ${all.slice(0, 400)}`);
  });
});

// ---- 5. a custom entity ----

describe('a custom entity through every generic route', () => {
  const ENT = 'cf_projects';
  let parent;
  let proj;
  before(async () => {
    parent = await create(admin, 'accounts', { name: uniq('Parent Co') });
  });

  const DEF = () => ({
    name: ENT, label: 'Project', label_plural: 'Projects', label_zh: '项目', label_plural_zh: '项目列表',
    permissions_like: 'accounts',
    fields: [
      { name: 'title', type: 'string', label: 'Title', required: true, searchable: true },
      { name: 'budget', type: 'money', label: 'Budget', min: '0.00' },
      { name: 'account_id', type: 'ref', label: 'Account', ref_entity: 'accounts' },
      { name: 'stage', type: 'enum', label: 'Stage', label_zh: '阶段', enum_values: ['plan', '执行', 'done'], default: 'plan' },
    ],
  });

  test('refused entity definitions → 422 and nothing changes', async () => {
    const before = (await admin.get('/meta')).body;
    const cases = [
      [{ name: 'accounts' }, 'name'], [{ name: 'pipeline' }, 'name'], [{ name: 'search' }, 'name'],
      [{ name: 'meta' }, 'name'], [{ name: 'calendar' }, 'name'], [{ name: 'select' }, 'name'],
      [{ name: 'Projects' }, 'name'], [{ name: undefined }, 'name'],
      [{ label: undefined }, 'label'], [{ label_plural: undefined }, 'label_plural'],
      [{ fields: [] }, 'fields'], [{ fields: undefined }, 'fields'],
      [{ permissions_like: 'nopes' }, 'permissions_like'],
      [{ title_field: 'budget' }, 'title_field'],
      [{ fields: [{ name: 'qty', type: 'int', label: 'Q' }] }, 'title_field'],
      [{ fields: [{ name: 'title', type: 'string', label: 'T' }, { name: 'qty', type: 'int', label: 'Q', maxlen: 3 }] }, 'fields[1].maxlen'],
      [{ fields: [{ name: 'title', type: 'string', label: 'T' }, { name: 'qty', type: 'enum', label: 'Q' }] }, 'fields[1].enum_values'],
    ];
    for (const [change, member] of cases) {
      const body = { ...DEF(), ...change };
      assertFieldError(await admin.post('/meta/entities', body), member, JSON.stringify(change));
    }
    assert.deepEqual((await admin.get('/meta')).body, before, '/meta unchanged');
    assertProblem(await admin.get(`/${ENT}`), 404);
  });

  test('a bad field name in an entity definition is reported on fields[i].name, not on the entity\'s name', async () => {
    const before = (await admin.get('/meta')).body;
    for (const [fields, member] of [
      [[{ name: 'title', type: 'string', label: 'T' }, { name: 'title', type: 'string', label: 'T2' }], 'fields[1].name'],
      [[{ name: 'select', type: 'string', label: 'T' }], 'fields[0].name'],
      [[{ name: 'title', type: 'string', label: 'T' }, { name: 'Bad-Name', type: 'int', label: 'Q' }], 'fields[1].name'],
    ]) {
      assertFieldError(await admin.post('/meta/entities', { ...DEF(), fields }), member, JSON.stringify(fields));
    }
    assert.deepEqual((await admin.get('/meta')).body, before, '/meta unchanged');
  });

  test('POST /meta/entities → 201 with the entity as /meta describes it; in /openapi.json', async () => {
    const r = await admin.post('/meta/entities', DEF());
    assert.equal(r.status, 201, r.text);
    const e = r.body;
    assert.equal(e.name, ENT);
    assert.equal(e.label, 'Project');
    assert.equal(e.label_plural_zh, '项目列表');
    assert.equal(e.custom, true);
    assert.equal(e.title_field, 'title');
    assert.deepEqual(e.fields.map((f) => [f.name, f.type, f.custom]),
      [['title', 'string', true], ['budget', 'money', true], ['account_id', 'ref', true], ['stage', 'enum', true]]);
    assert.deepEqual(await metaEntity(ENT), e);
    assertFieldError(await admin.post('/meta/entities', DEF()), 'name', 'an entity already');
    const doc = await openapi();
    await assertValidOpenapi(doc);
    for (const p of [`/api/v1/${ENT}`, `/api/v1/${ENT}/{id}`, `/api/v1/${ENT}/{id}/history`,
      `/api/v1/${ENT}/{id}/restore`, `/api/v1/${ENT}/export`, `/api/v1/${ENT}/{id}/shares`]) {
      assert.ok(doc.paths[p], `path ${p}`);
    }
    assert.deepEqual(Object.keys(doc.components.schemas[ENT].properties).filter((k) => ['title', 'budget', 'account_id', 'stage'].includes(k)),
      ['title', 'budget', 'account_id', 'stage']);
  });

  test('with permissions_like, every role gets on it what it has on that entity', async () => {
    const mine = await metaEntity(ENT, rep);
    assert.ok(mine, 'a sales user sees the entity');
    assert.deepEqual(mine.permissions, (await metaEntity('accounts', rep)).permissions);
  });

  test('without permissions_like, only administrators reach it (fail closed)', async () => {
    const r = await admin.post('/meta/entities', {
      name: 'cf_closed', label: 'Closed', label_plural: 'Closed ones', fields: [{ name: 'title', type: 'string', label: 'T' }],
    });
    assert.equal(r.status, 201, r.text);
    const rec = await create(admin, 'cf_closed', { title: 'admin only' });
    assert.equal(await metaEntity('cf_closed', rep), undefined, 'not in a sales user\'s /meta');
    assertProblem(await rep.get('/cf_closed'), 403);
    assertProblem(await rep.post('/cf_closed', { title: 'x' }), 403);
    assertProblem(await rep.get(`/cf_closed/${rec.id}`), 404);
  });

  test('POST validates (required, enum, min, ref) and applies the default', async () => {
    assertFieldError(await admin.post(`/${ENT}`, { budget: '1' }), 'title');
    assertFieldError(await admin.post(`/${ENT}`, { title: 'x', stage: 'nope' }), 'stage');
    assertFieldError(await admin.post(`/${ENT}`, { title: 'x', budget: '-0.01' }), 'budget');
    assertFieldError(await admin.post(`/${ENT}`, { title: 'x', account_id: '00000000-0000-7000-8000-000000000000' }), 'account_id');
    assertFieldError(await admin.post(`/${ENT}`, { title: 'x', bogus: 1 }), 'bogus');
    const r = await admin.post(`/${ENT}`, { title: '华东 rollout 项目', budget: '1000.5', account_id: parent.id });
    assert.equal(r.status, 201, r.text);
    assert.ok((r.headers.get('location') || '').endsWith(`/api/v1/${ENT}/${r.body.id}`));
    proj = r.body;
    assert.deepEqual([proj.title, proj.budget, proj.account_id, proj.stage, proj.version],
      ['华东 rollout 项目', '1000.50', parent.id, 'plan', 1]);
    assert.equal(proj.owner_id, admin.user.id);
  });

  test('GET with ETag, PATCH with If-Match, stale If-Match → 412', async () => {
    const g = await admin.get(`/${ENT}/${proj.id}`);
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('etag'), '"1"');
    assert.deepEqual(g.body, proj);
    const p = await admin.patch(`/${ENT}/${proj.id}`, { stage: '执行' }, { headers: { 'if-match': '"1"' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.stage, '执行');
    assert.equal(p.body.version, 2);
    assertProblem(await admin.patch(`/${ENT}/${proj.id}`, { stage: 'done' }, { headers: { 'if-match': '"1"' } }), 412);
    const again = await admin.get(`/${ENT}/${proj.id}`);
    assert.equal(again.headers.get('etag'), '"2"');
    assert.equal(again.body.stage, '执行');
    proj = again.body;
  });

  test('lists: filters, sort, q search, /search', async () => {
    await create(admin, ENT, { title: 'Second 项目', budget: '5' });
    assert.deepEqual((await list(admin, ENT, `stage=${encodeURIComponent('执行')}`)).map((x) => x.id), [proj.id]);
    assert.deepEqual((await list(admin, ENT, 'budget[gte]=100')).map((x) => x.id), [proj.id]);
    assert.deepEqual((await list(admin, ENT, `account_id=${parent.id}`)).map((x) => x.id), [proj.id]);
    assert.deepEqual((await list(admin, ENT, 'sort=-budget')).map((x) => x.budget), ['1000.50', '5.00']);
    assert.deepEqual((await list(admin, ENT, 'sort=budget')).map((x) => x.budget), ['5.00', '1000.50']);
    assert.deepEqual((await list(admin, ENT, `q=${encodeURIComponent('华东')}`)).map((x) => x.id), [proj.id]);
    assert.equal((await list(admin, ENT, `q=${encodeURIComponent('项目')}`)).length, 2);
    const s = await admin.get(`/search?q=rollout`);
    assert.equal(s.status, 200, s.text);
    const hit = s.body.data.find((x) => x.id === proj.id);
    assert.deepEqual(hit, { entity: ENT, id: proj.id, title: '华东 rollout 项目', owner_id: proj.owner_id,
      owner_name: 'Administrator', key: null, matched: { field: 'title', label: 'Title', value: '华东 rollout 项目' } });
  });

  test('a field added to it later works at once', async () => {
    const f = await addField(ENT, { name: 'priority', type: 'int', label: 'Priority', min: 1, max: 5 });
    assert.equal(f.custom, true);
    const p = await admin.patch(`/${ENT}/${proj.id}`, { priority: 2 });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.priority, 2);
    assertFieldError(await admin.patch(`/${ENT}/${proj.id}`, { priority: 6 }), 'priority');
    assert.deepEqual((await list(admin, ENT, 'priority=2')).map((x) => x.id), [proj.id]);
    proj = p.body;
    assertProblem(await admin.del(`${fieldsPath(ENT)}/title`), 400, 'the title field stays');
  });

  test('CSV export', async () => {
    const { rows } = await exportCsv(admin, ENT, 'sort=title');
    const head = rows[0];
    for (const c of ['title', 'budget', 'account_id', 'stage', 'priority']) assert.ok(head.includes(c), `column ${c}`);
    const row = rows.find((r) => r[head.indexOf('title')] === '华东 rollout 项目');
    assert.ok(row, JSON.stringify(rows));
    assert.equal(row[head.indexOf('budget')], '1000.50');
    assert.equal(row[head.indexOf('stage')], '执行');
    assert.equal(rows.length, 3);
  });

  test('shares: a sales user who could not see it reads it once shared, and may not change it', async () => {
    assertProblem(await rep.get(`/${ENT}/${proj.id}`), 404);
    assert.ok(!(await list(rep, ENT, '')).some((x) => x.id === proj.id));
    const s = await admin.post(`/${ENT}/${proj.id}/shares`, { user_id: repUser.id });
    assert.equal(s.status, 201, s.text);
    assert.equal(s.body.user_id, repUser.id);
    assert.equal(s.body.access, 'read');
    const l = await admin.get(`/${ENT}/${proj.id}/shares`);
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.body.data.map((x) => x.id), [s.body.id]);
    const g = await rep.get(`/${ENT}/${proj.id}`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.title, proj.title);
    assert.ok((await list(rep, ENT, '')).some((x) => x.id === proj.id), 'in the user\'s list');
    assertProblem(await rep.patch(`/${ENT}/${proj.id}`, { stage: 'done' }), 403);
  });

  test('DELETE → recycle bin → restore', async () => {
    assert.equal((await admin.del(`/${ENT}/${proj.id}`)).status, 204);
    assertProblem(await admin.get(`/${ENT}/${proj.id}`), 404);
    assert.ok(!(await list(admin, ENT, '')).some((x) => x.id === proj.id));
    assert.ok((await list(admin, ENT, 'deleted=only')).some((x) => x.id === proj.id), 'in the bin');
    const r = await admin.post(`/${ENT}/${proj.id}/restore`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.title, proj.title);
    assert.ok((await list(admin, ENT, '')).some((x) => x.id === proj.id));
    assert.ok(!(await list(admin, ENT, 'deleted=only')).some((x) => x.id === proj.id));
  });

  test('history: create, update, share, delete, restore, newest first', async () => {
    const h = await history(admin, ENT, proj.id);
    assert.deepEqual([h[0].action, h[1].action], ['restore', 'delete']);
    assert.equal(h[h.length - 1].action, 'create');
    const stage = h.find((e) => e.action === 'update' && e.field === 'stage');
    assert.deepEqual([stage.old, stage.new], ['plan', '执行']);
    assert.ok(h.find((e) => e.action === 'create' && e.field === 'title' && e.new === '华东 rollout 项目'));
    assert.ok(h.some((e) => e.action === 'share'));
    for (let i = 1; i < h.length; i++) assert.ok(h[i - 1].at >= h[i].at, 'newest first');
  });

  test('a non-administrator gets 403 on every metadata route and nothing changes', async () => {
    const before = (await admin.get('/meta')).body;
    assertProblem(await rep.post('/meta/entities', { ...DEF(), name: 'cf_rep_ent' }), 403);
    assertProblem(await rep.post(fieldsPath('accounts'), { name: 'cf_rep', type: 'string', label: 'x' }), 403);
    assertProblem(await rep.post(fieldsPath(ENT), { name: 'cf_rep', type: 'string', label: 'x' }), 403);
    assertProblem(await rep.patch(`${fieldsPath(ENT)}/budget`, { label: 'x' }), 403);
    assertProblem(await rep.patch(`${fieldsPath('accounts')}/cf_string`, { label: 'x' }), 403);
    assertProblem(await rep.del(`${fieldsPath(ENT)}/budget`), 403);
    assertProblem(await rep.del(`${fieldsPath('accounts')}/cf_string`), 403);
    assert.deepEqual((await admin.get('/meta')).body, before);
  });
});

// ---- 6. two servers on one database ----

describe('two servers on one database', () => {
  let a, b, adminA, adminB;
  before(async () => {
    a = await startServer({ keepDir: true });
    b = await startServer({ dir: a.dir, keepDir: true }); // the same SQLite file or PG database
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
    // B has loaded the metadata before A changes it.
    assert.equal((await metaField('accounts', 'cf_remote', adminB)), undefined);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test('a field added on A is in B\'s /meta and /openapi.json, and usable on B, at once', async () => {
    const f = await addField('accounts', { name: 'cf_remote', type: 'enum', label: 'Remote', enum_values: ['华东', '华西'] }, adminA);
    assert.deepEqual(await metaField('accounts', 'cf_remote', adminB), f);
    assert.ok((await openapi(adminB)).components.schemas.accounts.properties.cf_remote);
    const made = await create(adminB, 'accounts', { name: uniq('via B'), cf_remote: '华东' });
    assert.equal(made.cf_remote, '华东');
    assertFieldError(await adminB.post('/accounts', { name: 'x', cf_remote: '华南' }), 'cf_remote');
    assert.equal((await adminA.get(`/accounts/${made.id}`)).body.cf_remote, '华东');
    assert.deepEqual((await list(adminB, 'accounts', `cf_remote=${encodeURIComponent('华东')}`)).map((x) => x.id), [made.id]);
  });

  test('a change and a delete on A reach B', async () => {
    const p = await adminA.patch(`${fieldsPath('accounts')}/cf_remote`, { enum_values: ['华东', '华西', '华南'], label: '远程' });
    assert.equal(p.status, 200, p.text);
    assert.equal((await metaField('accounts', 'cf_remote', adminB)).label, '远程');
    assert.equal((await create(adminB, 'accounts', { name: uniq('via B'), cf_remote: '华南' })).cf_remote, '华南');
    assert.equal((await adminA.del(`${fieldsPath('accounts')}/cf_remote`)).status, 204);
    assert.equal(await metaField('accounts', 'cf_remote', adminB), undefined);
    assertFieldError(await adminB.post('/accounts', { name: 'x', cf_remote: '华东' }), 'cf_remote');
    assertFieldError(await adminB.post(fieldsPath('accounts'), { name: 'cf_remote', type: 'string', label: 'x' }), 'name');
  });

  test('an entity created on A is usable on B at once', async () => {
    const r = await adminA.post('/meta/entities', {
      name: 'cf_remote_things', label: 'Thing', label_plural: 'Things',
      fields: [{ name: 'title', type: 'string', label: 'Title', searchable: true }, { name: 'qty', type: 'int', label: 'Qty' }],
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(await metaEntity('cf_remote_things', adminB), await metaEntity('cf_remote_things', adminA));
    const t = await create(adminB, 'cf_remote_things', { title: '远程 thing', qty: 3 });
    assert.deepEqual((await list(adminA, 'cf_remote_things', '')).map((x) => x.id), [t.id]);
    assert.deepEqual((await list(adminB, 'cf_remote_things', `q=${encodeURIComponent('远程')}`)).map((x) => x.id), [t.id]);
    assert.ok((await openapi(adminB)).paths['/api/v1/cf_remote_things']);
  });
});

// ---- 7. CSV import ----

describe('CSV import into custom fields', () => {
  const TAG = `cf-imp-${Date.now().toString(36)}`;
  before(async () => {
    await addField('accounts', { name: 'cf_imp_region', type: 'string', label: 'Region' });
    await addField('accounts', { name: 'cf_imp_level', type: 'enum', label: 'Level', enum_values: ['高', '中', '低'] });
    await addField('accounts', { name: 'cf_imp_cap', type: 'money', label: 'Cap' });
    const r = await admin.post('/meta/entities', {
      name: 'cf_imported', label: 'Imported', label_plural: 'Imported ones', permissions_like: 'accounts',
      fields: [
        { name: 'title', type: 'string', label: 'Title' },
        { name: 'budget', type: 'money', label: 'Budget' },
        { name: 'stage', type: 'enum', label: 'Stage', enum_values: ['plan', 'done'], default: 'plan' },
      ],
    });
    assert.equal(r.status, 201, r.text);
  });

  test('a CSV with the custom columns imports into them; a bad enum value fails its row', async () => {
    const csv = `name,description,cf_imp_region,cf_imp_level,cf_imp_cap\n` +
      `${TAG} one,${TAG},华东,高,12.3\n` +
      `${TAG} two,${TAG},"华北, 北京",低,\n` +
      `${TAG} bad,${TAG},华南,极高,1\n`;
    const job = await runImport(admin, 'entity=accounts&on_duplicate=create', csv);
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.deepEqual([job.rows_imported, job.rows_failed], [2, 1], JSON.stringify(job));
    const got = await list(admin, 'accounts', `description=${TAG}&sort=name`);
    assert.deepEqual(got.map((x) => [x.name, x.cf_imp_region, x.cf_imp_level, x.cf_imp_cap]), [
      [`${TAG} one`, '华东', '高', '12.30'],
      [`${TAG} two`, '华北, 北京', '低', null],
    ]);
    assert.deepEqual((await list(admin, 'accounts', `cf_imp_level=${encodeURIComponent('高')}`)).map((x) => x.name), [`${TAG} one`]);
  });

  test('a custom entity imports too', async () => {
    const job = await runImport(admin, 'entity=cf_imported', 'title,budget,stage\nImported 项目,99.9,done\nNo stage,1,\n');
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.rows_imported, 2, JSON.stringify(job));
    const got = await list(admin, 'cf_imported', 'sort=title');
    assert.deepEqual(got.map((x) => [x.title, x.budget, x.stage]), [
      ['Imported 项目', '99.90', 'done'],
      ['No stage', '1.00', 'plan'], // the default applies to an empty cell
    ]);
  });
});
