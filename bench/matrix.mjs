// The sort and filter matrix (issue 20): every list the UI can ask for, as the list
// view asks for it (web/src/list.jsx), a page of 20 at a time. For each entity, over its
// list columns (the fields marked `list`, and the owner): each column's sort in both
// directions alone, each with each column's filter, and the default sort with each
// column's filter. A filter is what the column's filter box sends: a contains pattern
// for text (*abc*), a from–to range for numbers and dates, one value for enums, yes/no
// and small references (users). Values are drawn at random from rows of the data for
// every request. Each cell runs N requests on 16 connections (CONNS) and reports its
// p99; the run prints the worst cells and the worst p99 per entity, and fails on any
// answer that is not 2xx.
//
//   BASE=http://127.0.0.1:8080 TOKEN=… node bench/matrix.mjs [entity…]
//   N=160 CONNS=16 CELL_SECONDS=3 OUT=matrix.json MD=matrix.md …
import fs from 'node:fs';

const BASE = process.env.BASE;
const TOKEN = process.env.TOKEN;
const N = Number(process.env.N || 160);
const CONNS = Number(process.env.CONNS || 16);
const CELL_MS = 1000 * Number(process.env.CELL_SECONDS || 3);
const PAGE = 20;
const ENTITIES = process.argv.slice(2).length ? process.argv.slice(2) : ['contacts', 'opportunities', 'activities'];
if (!BASE || !TOKEN) {
  console.error('matrix: BASE and TOKEN are required');
  process.exit(2);
}

const TEXTUAL = new Set(['string', 'email', 'phone', 'url', 'text']);
const RANGE = new Set(['money', 'int', 'percent', 'date', 'datetime']);
const SMALL = new Set(['users', 'teams', 'pipeline_stages']);

async function get(path) {
  const r = await fetch(BASE + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

// Rows spread over the whole table: ids are UUIDv7, so a page sorted by id from a random
// point between the first and last id's time is a random stretch of the data.
async function sample(entity) {
  const first = (await get(`/api/v1/${entity}?limit=1&sort=id`)).data[0];
  const last = (await get(`/api/v1/${entity}?limit=1&sort=-id`)).data[0];
  if (!first) return [];
  const ms = (id) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  const a = ms(first.id), b = ms(last.id);
  const rows = [];
  for (let i = 0; i < 20; i++) {
    const t = Math.floor(a + Math.random() * (b - a + 1)).toString(16).padStart(12, '0');
    const from = `${t.slice(0, 8)}-${t.slice(8, 12)}-0000-0000-000000000000`;
    rows.push(...(await get(`/api/v1/${entity}?limit=25&sort=id&id[gte]=${from}`)).data);
  }
  return rows;
}

// The query parameters of column f's filter, with values from the sample (filterParams
// in web/src/list.jsx); null when the list view offers no filter for the column.
function filterMaker(f, rows, users) {
  const values = rows.map((r) => r[f.name]).filter((v) => v !== null && v !== undefined && v !== '');
  if (RANGE.has(f.type)) {
    if (!values.length) return null;
    const day = (v) => String(v).slice(0, 10);
    return () => {
      let [x, y] = [pick(values), pick(values)];
      if (f.type === 'date' || f.type === 'datetime') {
        [x, y] = [day(x), day(y)].sort();
        return f.type === 'datetime'
          ? { [`${f.name}[gte]`]: `${x}T00:00:00Z`, [`${f.name}[lte]`]: `${y}T23:59:59Z` }
          : { [`${f.name}[gte]`]: x, [`${f.name}[lte]`]: y };
      }
      [x, y] = [Number(x), Number(y)].sort((p, q) => p - q);
      return { [`${f.name}[gte]`]: String(x), [`${f.name}[lte]`]: String(y) };
    };
  }
  if (f.type === 'bool') return () => ({ [f.name]: pick(['true', 'false']) });
  if (f.type === 'enum' && f.enum?.length) return () => ({ [f.name]: pick(f.enum) });
  if (f.type === 'ref' && f.ref === 'users') return () => ({ [f.name]: pick(users) });
  if (f.type === 'ref' && SMALL.has(f.ref)) {
    return values.length ? () => ({ [f.name]: pick(values) }) : null;
  }
  if (TEXTUAL.has(f.type)) {
    if (!values.length) return null;
    // What a user types: three to five letters of a value, from anywhere in it.
    return () => {
      const v = String(pick(values));
      const len = Math.min(v.length, 3 + Math.floor(Math.random() * 3));
      const at = Math.floor(Math.random() * (v.length - len + 1));
      return { [`${f.name}[like]`]: `*${v.slice(at, at + len).replace(/[*\\]/g, '\\$&')}*` };
    };
  }
  return null;
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// Runs one cell: N requests (or as many as CELL_MS allows, at least CONNS) on CONNS
// connections, each with fresh parameters from make().
async function cell(entity, make) {
  const lat = [];
  const errors = [];
  const start = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < N && (issued < CONNS || performance.now() - start < CELL_MS)) {
      issued++;
      const qs = new URLSearchParams({ limit: String(PAGE), ...make() });
      const t0 = performance.now();
      const r = await fetch(`${BASE}/api/v1/${entity}?${qs}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = await r.text();
      lat.push(performance.now() - t0);
      if (r.status !== 200) errors.push(`${r.status} ${qs}: ${body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONNS }, worker));
  return { n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat), errors };
}

const meta = await get('/api/v1/meta');
const users = (await get('/api/v1/users?limit=100')).data.map((u) => u.id);
const ownerField = { name: 'owner_id', type: 'ref', ref: 'users' };
const report = { n: N, conns: CONNS, entities: {} };
let failed = 0;

for (const name of ENTITIES) {
  const e = meta.entities.find((x) => x.name === name);
  if (!e) throw new Error(`no entity ${name} in /meta`);
  const person = e.fields.some((f) => f.name === 'first_name') && e.fields.some((f) => f.name === 'last_name');
  const cols = [...e.fields.filter((f) => f.list && f.type !== 'password' && f.type !== 'json' &&
    !(person && f.name === 'first_name')), ownerField];
  const rows = await sample(name);
  const filters = new Map(cols.map((f) => [f.name, filterMaker(f, rows, users)]).filter(([, m]) => m));
  const sorts = [];
  for (const f of cols) sorts.push(f.name, `-${f.name}`);
  const cells = [];
  const run = async (label, sort, fname) => {
    const fm = fname ? filters.get(fname) : null;
    const r = await cell(name, () => ({ ...(sort ? { sort } : {}), ...(fm ? fm() : {}) }));
    cells.push({ label, ...r });
    if (r.errors.length) {
      failed += r.errors.length;
      console.error(`matrix: ${name} ${label}: ${r.errors.length} failed, first: ${r.errors[0]}`);
    }
  };
  for (const s of sorts) {
    await run(`sort=${s}`, s, null);
    for (const f of filters.keys()) await run(`sort=${s} & ${f}`, s, f);
  }
  for (const f of filters.keys()) await run(`default sort (${e.default_sort}) & ${f}`, null, f);
  cells.sort((a, b) => b.p99 - a.p99);
  const worst = cells[0];
  const over = cells.filter((c) => c.p99 >= 20);
  report.entities[name] = { columns: cols.map((f) => f.name), filters: [...filters.keys()], cells };
  console.log(`${name}: ${cells.length} cells (${sorts.length} sorts × (none + ${filters.size} filters) + default sort × ${filters.size}), ` +
    `${rows.length} sampled rows; worst p99 ${worst.p99.toFixed(1)} ms (${worst.label}); ${over.length} cells at or over 20 ms`);
  for (const c of cells.slice(0, 8)) {
    console.log(`  p99 ${c.p99.toFixed(1).padStart(7)} ms  p50 ${c.p50.toFixed(1).padStart(6)} ms  n ${String(c.n).padStart(3)}  ${c.label}`);
  }
}
if (process.env.OUT) fs.writeFileSync(process.env.OUT, JSON.stringify(report, null, 1));
// MD: a Markdown table of each entity's figures, for bench/results.md.
if (process.env.MD) {
  const lines = ['| entity | cells | p99 ≥ 20 ms | median p99 ms | worst p99 ms | worst cell |', '|---|---|---|---|---|---|'];
  for (const [name, e] of Object.entries(report.entities)) {
    const p99s = e.cells.map((c) => c.p99);
    lines.push(`| ${name} | ${e.cells.length} | ${p99s.filter((x) => x >= 20).length} | ${pct(p99s, 50).toFixed(1)} | ` +
      `${e.cells[0].p99.toFixed(1)} | \`${e.cells[0].label}\` |`);
  }
  fs.writeFileSync(process.env.MD, `${lines.join('\n')}\n`);
}
if (failed) {
  console.error(`matrix: ${failed} answers were not 200`);
  process.exit(1);
}
