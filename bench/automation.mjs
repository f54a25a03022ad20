// The webhooks benchmark (`make bench-automation`, bench/automation.sh): a release server
// on a fresh SQLite database and a node receiver on 127.0.0.1 (allowed by the automation
// settings) that answers 200 at once over kept-open connections.
//  1. Throughput: a webhook on contacts/created, then N contacts (default 10,000)
//     imported as one CSV — N deliveries written in the import's transactions — and the
//     time from the import's start to the last delivery received, checked: each
//     exactly once, valid signatures.
//  2. What subscriptions and rules cost a write: CREATES contacts created one at a time
//     (one client, mean) with nothing, with ten webhooks on other entities (they match
//     nothing), with one on contacts (a delivery row per create), with ten workflow
//     rules on contacts whose triggers do not match (a field that is not set), and with
//     ten whose trigger matches and whose conditions do not (each runs its conditions'
//     query); rounds in one run whose order rotates, compared as ratios of the
//     median of each variant's means.
import crypto from 'node:crypto';
import http from 'node:http';
import { startServer, loginAdmin, create, runImport } from '../tests/api/helpers.js';

const N = Number(process.env.N || 10000);
const CREATES = Number(process.env.CREATES || 400);
const ROUNDS = Number(process.env.ROUNDS || 5);

const seen = new Map();
let badSig = 0;
let secret = '';
let last = 0;
const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const [t, v1] = String(req.headers['x-rapport-signature'] || '').split(',').map((p) => p.split('=')[1]);
    const want = crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
    if (v1 !== want) badSig++;
    const id = req.headers['x-rapport-delivery'];
    seen.set(id, (seen.get(id) || 0) + 1);
    last = performance.now();
    res.end('ok');
  });
});
receiver.keepAliveTimeout = 60000;
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const port = receiver.address().port;

const srv = await startServer({ env: { RAPPORT_LOG_LEVEL: 'warn', RAPPORT_JOB_POLL_MS: '20' } });
const row = (k, v, target) => console.log(`${k.padEnd(52)} ${v.padStart(16)}  ${target}`);
try {
  const admin = await loginAdmin(srv.base);
  await admin.patch('/automation/settings', { allow_list: '127.0.0.1' });

  // 2 first, on an empty log: the cost of subscriptions on a create.
  const others = ['accounts', 'leads', 'opportunities', 'activities', 'cases', 'products', 'quotes', 'orders',
    'contracts', 'emails'];
  const quiet = [];
  const timeCreates = async (label) => {
    const t = [];
    for (let i = 0; i < CREATES; i++) {
      const t0 = performance.now();
      const r = await admin.post('/contacts', { first_name: 'Bench', last_name: `${label} ${i}` });
      t.push(performance.now() - t0);
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    }
    t.sort((a, b) => a - b);
    return { p50: t[Math.floor(t.length / 2)], mean: t.reduce((a, b) => a + b, 0) / t.length };
  };
  const res = { none: [], ten: [], one: [], rules: [], conds: [] };
  const rules = [];
  const addRules = async (body) => {
    for (let i = 0; i < 10; i++) rules.push(await create(admin, 'workflows', { name: `bench ${i}`, entity: 'contacts', ...body(i) }));
  };
  const dropRules = async () => { for (const r of rules.splice(0)) await admin.del(`/workflows/${r.id}`); };
  const notify = [{ type: 'notify', message: 'bench' }];
  let hook = null;
  // Each variant: set up, time, take down. Rounds rotate the order, so that each variant
  // takes each place once in five rounds (the first of a round runs on a database whose
  // writer has just been busy with the set-up of others).
  const variants = {
    none: { up: async () => {}, down: async () => {} },
    ten: {
      up: async () => {
        for (const e of others) {
          quiet.push(await create(admin, 'webhooks', { name: `quiet ${e}`, url: `http://127.0.0.1:${port}/q`, entity: e, events: ['created', 'updated'] }));
        }
      },
      down: async () => { for (const h of quiet.splice(0)) await admin.del(`/webhooks/${h.id}`); },
    },
    one: {
      up: async () => {
        hook = await create(admin, 'webhooks', { name: 'one', url: `http://127.0.0.1:${port}/one`, entity: 'contacts', events: ['created'] });
        secret = hook.secret;
      },
      down: async () => { await admin.del(`/webhooks/${hook.id}`); hook = null; },
    },
    rules: {
      up: () => addRules((i) => ({ trigger: 'field_changed', trigger_field: 'email', trigger_value: `never${i}@bench.example`, actions: notify })),
      down: dropRules,
    },
    conds: {
      up: () => addRules((i) => ({ trigger: 'created', conditions: `last_name=nobody ${i}`, actions: notify })),
      down: dropRules,
    },
  };
  const names = Object.keys(variants);
  await timeCreates('warm-up'); // the server's caches and the table's first pages
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      await variants[name].up();
      res[name].push(await timeCreates(name));
      await variants[name].down();
    }
  }
  const med = (a, k) => a.map((x) => x[k]).sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = med(res.none, 'mean');

  // 1: throughput.
  seen.clear();
  badSig = 0;
  hook = await create(admin, 'webhooks', { name: 'bench', url: `http://127.0.0.1:${port}/hook`, entity: 'contacts', events: ['created'] });
  secret = hook.secret;
  const csv = ['first_name,last_name,email'];
  for (let i = 0; i < N; i++) csv.push(`Hook,Bench ${i},hook${i}@bench.example`);
  let t0 = performance.now();
  const job = await runImport(admin, 'entity=contacts', `${csv.join('\n')}\n`);
  if (job.status !== 'done') throw new Error(JSON.stringify(job));
  const importS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const deadline = t1 + 600000;
  while (seen.size < N && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const totalS = (Math.max(last, t1) - t0) / 1000; // import start to the last delivery
  const dup = [...seen.values()].filter((n) => n > 1).length;

  console.log(`webhooks benchmark: ${N} deliveries, ${CREATES} creates x ${ROUNDS} rounds`);
  row(`import of ${N} contacts (writes the deliveries)`, `${importS.toFixed(1)} s`, '');
  row('deliveries received', `${seen.size} / ${N}`, 'all, once each');
  row('duplicates / bad signatures', `${dup} / ${badSig}`, '0 / 0');
  row('deliveries / s, import start to the last received', `${(N / totalS).toFixed(0)} /s`, '>= 500/s');
  row('create, no webhook (mean)', `${base.toFixed(2)} ms`, '');
  row('create, 10 webhooks on other entities (ratio)', `${(med(res.ten, 'mean') / base).toFixed(3)}`, '< 1.10');
  row('create, 1 webhook on contacts (ratio)', `${(med(res.one, 'mean') / base).toFixed(3)}`, '');
  row('create, 10 rules whose trigger does not match (ratio)', `${(med(res.rules, 'mean') / base).toFixed(3)}`, '< 1.10');
  row('create, 10 rules whose conditions do not hold (ratio)', `${(med(res.conds, 'mean') / base).toFixed(3)}`, '');
} finally {
  await srv.stop();
  receiver.close();
  receiver.closeAllConnections();
}
