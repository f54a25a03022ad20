// Sales: pipeline stages, opportunities (stage → probability, stage history), leads and
// their conversion (one transaction), and the pipeline / forecast aggregates, which must
// equal the sums computed from the caller's visible opportunities one by one.
// Activities, conflicts and the calendar are in activities.test.js.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, listAll,
  RFC3339_Z_RE, dbShellCommand, dropDb, PG,
} from './helpers.js';

let srv;
let admin;
let team1;
let team2;
const u = {}; // user records
const c = {}; // clients

// Names distinct enough not to trip duplicate detection (similar company / person names).
const rnd = () => randomBytes(6).toString('hex');

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  team1 = await createTeam(admin, 'Sales Team One');
  team2 = await createTeam(admin, 'Sales Team Two');
  const defs = { rep1: [team1.id], rep1b: [team1.id], rep2: [team2.id] };
  for (const [name, teams] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name, password: `pw-${name}-12345678`, role: 'sales', team_ids: teams });
    c[name] = await login(srv.base, name, `pw-${name}-12345678`);
  }
});
after(async () => { await srv?.stop(); });

function fieldErrors(problem) {
  assert.ok(Array.isArray(problem.errors), `errors[] present: ${JSON.stringify(problem)}`);
  return problem.errors.map((e) => e.field);
}

async function count(res, query = '') {
  const r = await admin.get(`/${res}?count=true&limit=1${query ? '&' + query : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.body.total;
}

async function counts() {
  return {
    accounts: await count('accounts'),
    contacts: await count('contacts'),
    opportunities: await count('opportunities'),
  };
}

// ---- money in integer cents (BigInt) ----
function cents(s) {
  if (s === null || s === undefined) return 0n;
  assert.match(s, /^-?\d+\.\d{2}$/, `money string ${JSON.stringify(s)}`);
  const neg = s.startsWith('-');
  const [i, f] = s.replace('-', '').split('.');
  const v = BigInt(i) * 100n + BigInt(f);
  return neg ? -v : v;
}
function money(v) {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
// centsTimesProb: Σ cents × probability (units of 1/100 cent). Returns the set of
// acceptable rounded values in cents (both neighbours on an exact half, since the
// tie-breaking rule is not specified).
function roundedWeighted(centsTimesProb) {
  const q = centsTimesProb / 100n;
  const r = centsTimesProb % 100n;
  if (r < 50n) return [money(q)];
  if (r > 50n) return [money(q + 1n)];
  return [money(q), money(q + 1n)];
}

async function stagesConfig() {
  const r = await admin.get('/pipeline_stages?limit=500');
  assert.equal(r.status, 200, r.text);
  return [...r.body.data].sort((a, b) => a.sort_order - b.sort_order);
}

// The currencies of some deals, in order.
const currenciesOf = (opps) => [...new Set(opps.map((o) => o.currency))].sort();

// Expected pipeline from the records the client can list, one by one: every stage's
// figures over all currencies (as earlier versions answered) and per currency.
function expectedPipeline(stages, opps) {
  const figures = (mine) => {
    let amount = 0n;
    let w = 0n;
    for (const o of mine) {
      amount += cents(o.amount);
      w += cents(o.amount) * BigInt(o.probability ?? 0);
    }
    return { count: mine.length, amount: money(amount), weighted: roundedWeighted(w) };
  };
  return stages.map((s) => {
    const mine = opps.filter((o) => o.stage === s.key);
    return { stage: s.key, label: s.label, ...figures(mine),
      by_currency: currenciesOf(mine).map((cur) => ({ currency: cur, ...figures(mine.filter((o) => o.currency === cur)) })) };
  });
}

function assertFigures(a, e, keys, msg) {
  for (const k of keys) assert.equal(a[k], e[k], `${msg} ${k}`);
  assert.ok(e.weighted.includes(a.weighted), `${msg} weighted ${a.weighted}, expected ${e.weighted.join(' or ')}`);
  assert.deepEqual((a.by_currency ?? []).map((x) => x.currency), (e.by_currency ?? []).map((x) => x.currency), `${msg} currencies`);
  (e.by_currency ?? []).forEach((x, i) => assertFigures(a.by_currency[i], x, keys, `${msg} ${x.currency}`));
}

function assertPipeline(actual, expected, msg) {
  assert.ok(actual && Array.isArray(actual.stages), `${msg}: stages[] ${JSON.stringify(actual)}`);
  assert.deepEqual(actual.stages.map((s) => s.stage), expected.map((s) => s.stage), `${msg}: stage order`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual.stages[i];
    const e = expected[i];
    assert.equal(a.label, e.label, `${msg}: ${e.stage} label`);
    assertFigures(a, e, ['count', 'amount'], `${msg}: ${e.stage}`);
  }
}

function expectedForecast(stages, opps, perCurrency = true) {
  const outcome = Object.fromEntries(stages.map((s) => [s.key, s.outcome]));
  const per = new Map();
  const dated = opps.filter((o) => o.expected_close_date);
  for (const o of opps) {
    if (!o.expected_close_date) continue;
    const p = o.expected_close_date.slice(0, 7);
    if (!per.has(p)) per.set(p, { count: 0, won: 0n, commit: 0n, best: 0n, w: 0n });
    const g = per.get(p);
    g.count++;
    const amt = cents(o.amount);
    const out = outcome[o.stage];
    assert.ok(out, `stage ${o.stage} configured`);
    if (out === 'won') {
      g.won += amt; g.commit += amt; g.best += amt; g.w += amt * 100n;
    } else if (out === 'open') {
      if ((o.probability ?? 0) >= 80) g.commit += amt;
      g.best += amt;
      g.w += amt * BigInt(o.probability ?? 0);
    }
  }
  return [...per.keys()].sort().map((p) => {
    const g = per.get(p);
    const mine = dated.filter((o) => o.expected_close_date.startsWith(p));
    return { period: p, count: g.count, won: money(g.won), commit: money(g.commit), best_case: money(g.best), weighted: roundedWeighted(g.w),
      ...(perCurrency ? { by_currency: currenciesOf(mine).map((cur) => ({ currency: cur,
        ...expectedForecast(stages, mine.filter((o) => o.currency === cur), false)[0] })) } : {}) };
  });
}

function assertForecast(actual, expected, msg) {
  assert.equal(actual.period, 'month', `${msg}: period`);
  assert.ok(Array.isArray(actual.periods), `${msg}: periods[]`);
  assert.deepEqual(actual.periods.map((p) => p.period), expected.map((p) => p.period), `${msg}: periods`);
  for (let i = 0; i < expected.length; i++) {
    assertFigures(actual.periods[i], expected[i], ['count', 'won', 'commit', 'best_case'], `${msg}: ${expected[i].period}`);
  }
}

// ------------------------------------------------------------------------------------

describe('pipeline stages', () => {
  test('seeded stages in order, readable by a sales rep', async () => {
    const r = await c.rep1.get('/pipeline_stages?limit=500');
    assert.equal(r.status, 200, r.text);
    const got = [...r.body.data].sort((a, b) => a.sort_order - b.sort_order)
      .map((s) => [s.key, s.probability, s.outcome]);
    assert.deepEqual(got, [
      ['prospecting', 10, 'open'], ['qualification', 20, 'open'], ['needs_analysis', 40, 'open'],
      ['proposal', 60, 'open'], ['negotiation', 80, 'open'], ['closed_won', 100, 'won'],
      ['closed_lost', 0, 'lost'],
    ]);
  });

  test('non-admins cannot add, change or delete stages (403), nothing changes', async () => {
    const before0 = await stagesConfig();
    assertProblem(await c.rep1.post('/pipeline_stages', { key: 'rep_stage', label: 'Rep', probability: 50, sort_order: 45, outcome: 'open' }), 403);
    assertProblem(await c.rep1.patch(`/pipeline_stages/${before0[0].id}`, { probability: 11 }), 403);
    assertProblem(await c.rep1.del(`/pipeline_stages/${before0[0].id}`), 403);
    assert.deepEqual(await stagesConfig(), before0);
  });

  test('invalid stage definitions → 422; duplicate key → 409', async () => {
    const bad = [
      { key: 'too_likely', label: 'X', probability: 101, sort_order: 1, outcome: 'open' },
      { key: 'neg_prob', label: 'X', probability: -1, sort_order: 1, outcome: 'open' },
      { key: 'Not Snake', label: 'X', probability: 5, sort_order: 1, outcome: 'open' },
      { key: 'bad_outcome', label: 'X', probability: 5, sort_order: 1, outcome: 'maybe' },
      { key: 'proposal', label: 'Again', probability: 5, sort_order: 1, outcome: 'open', want: 409 },
    ];
    const wrong = [];
    for (const { want = 422, ...body } of bad) {
      const r = await admin.post('/pipeline_stages', body);
      if (r.status !== want) {
        wrong.push(`POST /pipeline_stages ${JSON.stringify(body)} → ${r.status}, want ${want}`);
        // keep the stage list clean for the tests that follow
        if (r.status === 201) assert.equal((await admin.del(`/pipeline_stages/${r.body.id}`)).status, 204);
      } else {
        assertProblem(r, want, JSON.stringify(body));
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('an invalid opportunity stage → 422 on create and on PATCH', async () => {
    const r = await c.rep1.post('/opportunities', { name: 'Bad stage', stage: 'nonexistent' });
    assert.deepEqual(fieldErrors(assertProblem(r, 422)), ['stage']);
    const o = await create(c.rep1, 'opportunities', { name: 'Good stage' });
    const p = await c.rep1.patch(`/opportunities/${o.id}`, { stage: 'verbal_commit' });
    assert.deepEqual(fieldErrors(assertProblem(p, 422)), ['stage']);
    const g = await c.rep1.get(`/opportunities/${o.id}`);
    assert.equal(g.body.stage, 'prospecting');
    assert.equal(g.body.version, 1);
  });

  test('a custom stage added by an admin becomes valid at once, with its default probability', async () => {
    const s = await admin.post('/pipeline_stages', { key: 'verbal_commit', label: 'Verbal commit', probability: 90, sort_order: 55, outcome: 'open' });
    assert.equal(s.status, 201, s.text);
    assert.equal(s.body.key, 'verbal_commit');
    const o = await c.rep1.post('/opportunities', { name: 'Custom stage deal', amount: '1000.00', stage: 'verbal_commit' });
    assert.equal(o.status, 201, o.text);
    assert.equal(o.body.stage, 'verbal_commit');
    assert.equal(o.body.probability, 90);
    const meta = await c.rep1.get('/meta');
    const opp = meta.body.entities.find((e) => e.name === 'opportunities');
    const stage = opp.fields.find((f) => f.name === 'stage');
    assert.ok(stage.enum.includes('verbal_commit'), `meta enum ${JSON.stringify(stage.enum)}`);
    const pl = await c.rep1.get('/pipeline');
    assert.equal(pl.status, 200, pl.text);
    const keys = pl.body.stages.map((x) => x.stage);
    assert.deepEqual(keys, ['prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation',
      'verbal_commit', 'closed_won', 'closed_lost']);
  });

  test('the stage key is create-only', async () => {
    const st = (await stagesConfig()).find((s) => s.key === 'verbal_commit');
    const p = await admin.patch(`/pipeline_stages/${st.id}`, { key: 'renamed_commit' });
    assertProblem(p, 422);
    assert.equal((await admin.get(`/pipeline_stages/${st.id}`)).body.key, 'verbal_commit');
  });
});

describe('opportunities', () => {
  test('defaults: stage prospecting, probability from the stage, USD, stage_changed_at set', async () => {
    const o = await create(c.rep1, 'opportunities', { name: 'Defaults', amount: 12.5 });
    assert.equal(o.stage, 'prospecting');
    assert.equal(o.probability, 10);
    assert.equal(o.currency, 'USD');
    assert.equal(o.amount, '12.50');
    assert.match(o.stage_changed_at, RFC3339_Z_RE);
    assert.equal(o.owner_id, u.rep1.id);
    const p = await create(c.rep1, 'opportunities', { name: 'Explicit', stage: 'proposal', probability: 65 });
    assert.equal(p.probability, 65, 'an explicit probability wins over the stage default');
  });

  test('validation: name required, bad money / enum / date / probability → 422', async () => {
    const before0 = await count('opportunities');
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/opportunities', { amount: '1.00' }), 422)).includes('name'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/opportunities', { name: 'x', amount: '1.234' }), 422)).includes('amount'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/opportunities', { name: 'x', currency: 'XXX' }), 422)).includes('currency'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/opportunities', { name: 'x', expected_close_date: '2030-02-30' }), 422)).includes('expected_close_date'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/opportunities', { name: 'x', probability: 101 }), 422)).includes('probability'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/opportunities', { name: 'x', stage_changed_at: '2030-01-01T00:00:00Z' }), 422)).includes('stage_changed_at'));
    assert.equal(await count('opportunities'), before0);
  });

  test('stage change sets probability, stage_changed_at, and appears in /stages', async () => {
    const o = await create(c.rep1, 'opportunities', { name: 'Mover', amount: '500.00' });
    const hist0 = await c.rep1.get(`/opportunities/${o.id}/stages`);
    assert.equal(hist0.status, 200, hist0.text);
    assert.equal(hist0.body.data.length, 1);
    assert.equal(hist0.body.data[0].from, null);
    assert.equal(hist0.body.data[0].to, 'prospecting');
    assert.equal(hist0.body.data[0].user_id, u.rep1.id);

    await new Promise((res) => setTimeout(res, 1100)); // so seconds_in_previous ≥ 1
    const p1 = await c.rep1.patch(`/opportunities/${o.id}`, { stage: 'proposal' });
    assert.equal(p1.status, 200, p1.text);
    assert.equal(p1.body.probability, 60);
    assert.ok(p1.body.stage_changed_at > o.stage_changed_at, 'stage_changed_at moves on');

    // A change that does not touch the stage keeps probability and stage_changed_at.
    const p2 = await c.rep1.patch(`/opportunities/${o.id}`, { next_step: 'Send quote', probability: 55 });
    assert.equal(p2.status, 200, p2.text);
    assert.equal(p2.body.probability, 55);
    assert.equal(p2.body.stage_changed_at, p1.body.stage_changed_at);

    // Stage with an explicit probability in the same request keeps the explicit one.
    const p3 = await c.rep1.patch(`/opportunities/${o.id}`, { stage: 'negotiation', probability: 70 });
    assert.equal(p3.status, 200, p3.text);
    assert.equal(p3.body.probability, 70);

    // Setting the same stage again is not a change.
    const p4 = await c.rep1.patch(`/opportunities/${o.id}`, { stage: 'negotiation', name: 'Mover 2' });
    assert.equal(p4.status, 200, p4.text);

    const p5 = await c.rep1.patch(`/opportunities/${o.id}`, { stage: 'closed_won' });
    assert.equal(p5.status, 200, p5.text);
    assert.equal(p5.body.probability, 100);

    const h = await c.rep1.get(`/opportunities/${o.id}/stages`);
    assert.equal(h.status, 200, h.text);
    const d = h.body.data;
    assert.deepEqual(d.map((e) => [e.from, e.to]), [
      [null, 'prospecting'], ['prospecting', 'proposal'], ['proposal', 'negotiation'], ['negotiation', 'closed_won'],
    ]);
    for (const e of d) {
      assert.match(e.at, RFC3339_Z_RE);
      assert.equal(e.user_id, u.rep1.id);
    }
    for (let i = 1; i < d.length; i++) assert.ok(d[i].at >= d[i - 1].at, 'oldest first');
    assert.equal(d[0].seconds_in_previous, null);
    assert.ok(Number.isInteger(d[1].seconds_in_previous) && d[1].seconds_in_previous >= 1, `seconds ${d[1].seconds_in_previous}`);
    assert.ok(Number.isInteger(d[2].seconds_in_previous) && d[2].seconds_in_previous >= 0);
    assert.equal(d[1].at, p1.body.stage_changed_at);
  });

  test('stage history of an invisible deal → 404', async () => {
    const o = await create(c.rep1, 'opportunities', { name: 'Hidden history' });
    assertProblem(await c.rep2.get(`/opportunities/${o.id}/stages`), 404);
    assertProblem(await c.rep1.get('/opportunities/00000000-0000-7000-8000-000000000000/stages'), 404);
    assert.equal((await c.rep1b.get(`/opportunities/${o.id}/stages`)).status, 200, 'team mate reads it');
  });

  test('references to an invisible account → 422', async () => {
    const acc = await create(c.rep2, 'accounts', { name: `Team two co ${rnd()}` });
    const r = await c.rep1.post('/opportunities', { name: 'Sneaky', account_id: acc.id });
    assert.ok(fieldErrors(assertProblem(r, 422)).includes('account_id'));
  });
});

describe('leads and conversion', () => {
  test('lead defaults and validation; converted_* fields are read-only', async () => {
    const l = await create(c.rep1, 'leads', { first_name: 'Lia', last_name: `L${rnd()}`, source: 'web', rating: 'hot' });
    assert.equal(l.status, 'new');
    assert.equal(l.converted_account_id, null);
    assert.equal(l.converted_at, null);
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/leads', { first_name: 'No last' }), 422)).includes('last_name'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/leads', { last_name: `L${rnd()}`, source: 'tv' }), 422)).includes('source'));
    assert.ok(fieldErrors(assertProblem(await c.rep1.post('/leads', { last_name: `L${rnd()}`, status: 'won' }), 422)).includes('status'));
    const acc = await create(c.rep1, 'accounts', { name: `Ro co ${rnd()}` });
    for (const [k, v] of [['converted_account_id', acc.id], ['converted_contact_id', acc.id],
      ['converted_opportunity_id', acc.id], ['converted_at', '2030-01-01T00:00:00Z']]) {
      assert.ok(fieldErrors(assertProblem(await c.rep1.post('/leads', { last_name: `L${rnd()}`, [k]: v }), 422, k)).includes(k));
      assert.ok(fieldErrors(assertProblem(await c.rep1.patch(`/leads/${l.id}`, { [k]: v }), 422, k)).includes(k));
    }
    const g = await c.rep1.get(`/leads/${l.id}`);
    assert.deepEqual(g.body, l);
  });

  test('convert with an opportunity: account = company, contact linked, lead marked converted', async () => {
    const company = `Convco ${rnd()}`;
    const last = `K${rnd()}`;
    const lead = await create(c.rep1, 'leads', {
      first_name: 'Kim', last_name: last, company, email: `kim.${rnd()}@example.com`, title: 'CTO',
    });
    const before0 = await counts();
    const r = await c.rep1.post(`/leads/${lead.id}/convert`, {
      opportunity: { name: `${company} deal`, amount: '2500.00', stage: 'qualification', expected_close_date: '2031-05-20' },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['account_id', 'contact_id', 'opportunity_id']);
    const after0 = await counts();
    assert.deepEqual(after0, { accounts: before0.accounts + 1, contacts: before0.contacts + 1, opportunities: before0.opportunities + 1 });

    const acc = await c.rep1.get(`/accounts/${r.body.account_id}`);
    assert.equal(acc.status, 200, acc.text);
    assert.equal(acc.body.name, company);
    const ct = await c.rep1.get(`/contacts/${r.body.contact_id}`);
    assert.equal(ct.status, 200, ct.text);
    assert.equal(ct.body.first_name, 'Kim');
    assert.equal(ct.body.last_name, last);
    assert.equal(ct.body.account_id, r.body.account_id);
    const op = await c.rep1.get(`/opportunities/${r.body.opportunity_id}`);
    assert.equal(op.status, 200, op.text);
    assert.equal(op.body.amount, '2500.00');
    assert.equal(op.body.stage, 'qualification');
    assert.equal(op.body.probability, 20);
    assert.equal(op.body.account_id, r.body.account_id);

    const l2 = (await c.rep1.get(`/leads/${lead.id}`)).body;
    assert.equal(l2.status, 'converted');
    assert.equal(l2.converted_account_id, r.body.account_id);
    assert.equal(l2.converted_contact_id, r.body.contact_id);
    assert.equal(l2.converted_opportunity_id, r.body.opportunity_id);
    assert.match(l2.converted_at, RFC3339_Z_RE);
  });

  test('convert without company or opportunity: account named "first last", opportunity_id null', async () => {
    const last = `N${rnd()}`;
    const lead = await create(c.rep1, 'leads', { first_name: 'Noa', last_name: last });
    const before0 = await counts();
    const r = await c.rep1.post(`/leads/${lead.id}/convert`, {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.opportunity_id, null);
    assert.equal((await c.rep1.get(`/accounts/${r.body.account_id}`)).body.name, `Noa ${last}`);
    const after0 = await counts();
    assert.deepEqual(after0, { accounts: before0.accounts + 1, contacts: before0.contacts + 1, opportunities: before0.opportunities });
  });

  test('convert without company: a Chinese name names the account family name first', async () => {
    const given = `小${rnd().replace(/[0-9]/g, '').slice(0, 3)}明`;
    const lead = await create(c.rep1, 'leads', { first_name: given, last_name: '欧阳' });
    const r = await c.rep1.post(`/leads/${lead.id}/convert`, {});
    assert.equal(r.status, 200, r.text);
    assert.equal((await c.rep1.get(`/accounts/${r.body.account_id}`)).body.name, `欧阳${given}`);
  });

  test('convert onto an existing account and contact creates neither', async () => {
    const acc = await create(c.rep1, 'accounts', { name: `Existing co ${rnd()}` });
    const ct = await create(c.rep1, 'contacts', { first_name: 'Eve', last_name: `E${rnd()}`, account_id: acc.id });
    const lead = await create(c.rep1, 'leads', { first_name: 'Eve', last_name: `E${rnd()}`, company: `Other co ${rnd()}` });
    const before0 = await counts();
    const r = await c.rep1.post(`/leads/${lead.id}/convert`, { account_id: acc.id, contact_id: ct.id, opportunity: { name: 'Upsell' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.account_id, acc.id);
    assert.equal(r.body.contact_id, ct.id);
    assert.deepEqual(await counts(), { ...before0, opportunities: before0.opportunities + 1 });
    const l2 = (await c.rep1.get(`/leads/${lead.id}`)).body;
    assert.equal(l2.converted_account_id, acc.id);
    assert.equal(l2.converted_contact_id, ct.id);
  });

  test('convert onto an existing account only: the new contact is linked to it', async () => {
    const acc = await create(c.rep1, 'accounts', { name: `Given co ${rnd()}` });
    const lead = await create(c.rep1, 'leads', { first_name: 'Gus', last_name: `G${rnd()}`, company: `Ignored co ${rnd()}` });
    const before0 = await counts();
    const r = await c.rep1.post(`/leads/${lead.id}/convert`, { account_id: acc.id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.account_id, acc.id);
    assert.deepEqual(await counts(), { ...before0, contacts: before0.contacts + 1 });
    assert.equal((await c.rep1.get(`/contacts/${r.body.contact_id}`)).body.account_id, acc.id);
  });

  test('a conversion that would create a duplicate → 409 with the look-alikes, unless allow_duplicate=true', async () => {
    const company = `Twin Traders ${rnd()}`;
    const existing = await create(c.rep1, 'accounts', { name: company });
    const lead = await create(c.rep1, 'leads', { first_name: 'Tia', last_name: `T${rnd()}`, company });
    const before0 = await counts();
    const dup = assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, {}), 409);
    assert.ok(dup.duplicates.some((d) => d.id === existing.id), JSON.stringify(dup));
    assert.ok(dup.duplicates.every((d) => d.entity === 'accounts'), 'the account is the look-alike');
    assert.deepEqual(await counts(), before0, 'nothing created');
    assertProblem(await c.rep1.post(`/leads/${lead.id}/convert?allow_duplicate=false`, {}), 409);
    const r = await c.rep1.post(`/leads/${lead.id}/convert?allow_duplicate=true`, {});
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.body.account_id, existing.id);
    assert.equal((await c.rep1.get(`/accounts/${r.body.account_id}`)).body.name, company);
    assert.equal((await c.rep1.get(`/leads/${lead.id}`)).body.status, 'converted');
  });

  test('joining an existing account, the new contact may be the look-alike: entity says so', async () => {
    const acc = await create(c.rep1, 'accounts', { name: `Known Corp ${rnd()}` });
    const email = `kim.${rnd()}@known.example`;
    const person = await create(c.rep1, 'contacts', { first_name: 'Kim', last_name: 'Known', email, account_id: acc.id });
    const lead = await create(c.rep1, 'leads', { first_name: 'Kim', last_name: 'Known', email, company: acc.name });
    const dup = assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, { account_id: acc.id }), 409);
    assert.deepEqual(dup.duplicates.map((d) => [d.entity, d.id]), [['contacts', person.id]]);
    const r = await c.rep1.post(`/leads/${lead.id}/convert`, { account_id: acc.id, contact_id: person.id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.account_id, r.body.contact_id], [acc.id, person.id]);
  });

  test('conversion is all-or-nothing: an invalid opportunity → 422 and nothing is created', async () => {
    const lead = await create(c.rep1, 'leads', { first_name: 'Ada', last_name: `A${rnd()}`, company: `Atomic co ${rnd()}` });
    const before0 = await counts();
    for (const opportunity of [
      { name: 'Bad amount', amount: '1.234' },
      { name: 'Bad stage', stage: 'nonexistent' },
      { amount: '10.00' }, // name missing
      { name: 'Bad date', expected_close_date: 'soon' },
    ]) {
      const r = await c.rep1.post(`/leads/${lead.id}/convert`, { opportunity });
      assertProblem(r, 422, JSON.stringify(opportunity));
      assert.deepEqual(await counts(), before0, `nothing created for ${JSON.stringify(opportunity)}`);
    }
    const l2 = (await c.rep1.get(`/leads/${lead.id}`)).body;
    assert.deepEqual(l2, lead, 'the lead is unchanged');
    // Afterwards a valid conversion still works.
    const ok = await c.rep1.post(`/leads/${lead.id}/convert`, { opportunity: { name: 'Good', amount: '1.23' } });
    assert.equal(ok.status, 200, ok.text);
  });

  test('unknown body keys → 422, nothing created', async () => {
    const lead = await create(c.rep1, 'leads', { first_name: 'Uma', last_name: `U${rnd()}`, company: `Unknown co ${rnd()}` });
    const before0 = await counts();
    assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, { acount_id: null }), 422);
    assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, { opportunity: { name: 'x', colour: 'red' } }), 422);
    assert.deepEqual(await counts(), before0);
    assert.equal((await c.rep1.get(`/leads/${lead.id}`)).body.status, 'new');
  });

  test('converting twice → 409, nothing created the second time', async () => {
    const lead = await create(c.rep1, 'leads', { first_name: 'Tia', last_name: `T${rnd()}`, company: `Twice co ${rnd()}` });
    const first = await c.rep1.post(`/leads/${lead.id}/convert`, { opportunity: { name: 'Once' } });
    assert.equal(first.status, 200, first.text);
    const l1 = (await c.rep1.get(`/leads/${lead.id}`)).body;
    const before0 = await counts();
    assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, { opportunity: { name: 'Twice' } }), 409);
    assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, {}), 409);
    assertProblem(await admin.post(`/leads/${lead.id}/convert`, {}), 409, 'admin too');
    assert.deepEqual(await counts(), before0);
    assert.deepEqual((await c.rep1.get(`/leads/${lead.id}`)).body, l1);
  });

  test('converting an invisible lead → 404; referencing an invisible account → 422; nothing created', async () => {
    const lead = await create(c.rep1, 'leads', { first_name: 'Ivy', last_name: `I${rnd()}`, company: `Invisible co ${rnd()}` });
    const before0 = await counts();
    assertProblem(await c.rep2.post(`/leads/${lead.id}/convert`, {}), 404);
    assertProblem(await c.rep1.post('/leads/00000000-0000-7000-8000-000000000000/convert', {}), 404);
    const acc2 = await create(c.rep2, 'accounts', { name: `Rep two co ${rnd()}` });
    const before1 = await counts();
    assert.deepEqual(before1, { ...before0, accounts: before0.accounts + 1 });
    assertProblem(await c.rep1.post(`/leads/${lead.id}/convert`, { account_id: acc2.id }), 422);
    assert.deepEqual(await counts(), before1);
    assert.equal((await c.rep1.get(`/leads/${lead.id}`)).body.status, 'new');
  });

  test('a team mate may not convert a lead they cannot edit (403), nothing created', async () => {
    const lead = await create(c.rep1, 'leads', { first_name: 'Mae', last_name: `M${rnd()}`, company: `Mate co ${rnd()}` });
    const before0 = await counts();
    assertProblem(await c.rep1b.post(`/leads/${lead.id}/convert`, {}), 403);
    assert.deepEqual(await counts(), before0);
  });
});

describe('pipeline and forecast', () => {
  const made = { team1: [], team2: [], admin: [] };
  before(async () => {
    // Deals for reps in two teams and for the admin, in several months and stages,
    // with odd cents and probabilities so that rounding per deal would differ from
    // rounding once at the end.
    const spec = [
      ['rep1', { stage: 'prospecting', amount: '0.07', expected_close_date: '2031-01-10' }],
      ['rep1', { stage: 'prospecting', amount: '0.07', expected_close_date: '2031-01-11' }],
      ['rep1', { stage: 'prospecting', amount: '0.07', expected_close_date: '2031-01-31' }],
      ['rep1', { stage: 'proposal', amount: '1234.56', probability: 85, expected_close_date: '2031-02-01' }],
      ['rep1', { stage: 'negotiation', amount: '999.99', probability: 79, expected_close_date: '2031-02-28' }],
      ['rep1', { stage: 'negotiation', amount: '333.33', expected_close_date: '2031-02-14' }],
      ['rep1', { stage: 'closed_won', amount: '5000.00', expected_close_date: '2031-02-15' }],
      ['rep1', { stage: 'closed_lost', amount: '777.77', expected_close_date: '2031-02-16' }],
      ['rep1', { stage: 'needs_analysis', amount: '42.42', currency: 'CNY' }], // no date: not in the forecast
      ['rep1b', { stage: 'qualification', amount: '10.01', currency: 'EUR', expected_close_date: '2031-03-03' }],
      ['rep1b', { stage: 'closed_won', amount: '0.01', currency: 'GBP', expected_close_date: '2031-03-04' }],
      ['rep1b', { stage: 'proposal' }], // no amount
      ['rep2', { stage: 'negotiation', amount: '100000.00', currency: 'CNY', expected_close_date: '2031-02-10' }],
      ['rep2', { stage: 'closed_won', amount: '31337.00', expected_close_date: '2031-04-01' }],
      ['rep2', { stage: 'prospecting', amount: '0.03', expected_close_date: '2031-01-12' }],
      ['admin', { stage: 'qualification', amount: '123.45', expected_close_date: '2031-01-05' }],
      ['admin', { stage: 'closed_lost', amount: '9.99', expected_close_date: '2031-05-05' }],
    ];
    for (const [who, body] of spec) {
      const client = who === 'admin' ? admin : c[who];
      const o = await create(client, 'opportunities', { name: `Pipe ${who} ${rnd()}`, ...body });
      made[who === 'rep2' ? 'team2' : who === 'admin' ? 'admin' : 'team1'].push(o);
    }
  });

  async function check(client, query, msg) {
    const stages = await stagesConfig();
    const { data } = await listAll(client, 'opportunities', `limit=500${query ? '&' + query : ''}`);
    const pl = await client.get(`/pipeline${query ? '?' + query : ''}`);
    assert.equal(pl.status, 200, `${msg}: ${pl.text}`);
    assertPipeline(pl.body, expectedPipeline(stages, data), `${msg} pipeline`);
    const fc = await client.get(`/forecast?period=month${query ? '&' + query : ''}`);
    assert.equal(fc.status, 200, `${msg}: ${fc.text}`);
    assertForecast(fc.body, expectedForecast(stages, data), `${msg} forecast`);
    return data;
  }

  test('admin: pipeline and forecast equal the one-by-one sums over every deal', async () => {
    const data = await check(admin, '', 'admin');
    const ids = new Set(data.map((o) => o.id));
    for (const o of [...made.team1, ...made.team2, ...made.admin]) assert.ok(ids.has(o.id));
  });

  test('admin: end-rounded weighted value (3 × 0.07 at 10% → 0.02 in January, not 0.03)', async () => {
    const fc = await admin.get('/forecast?period=month&owner_id=' + u.rep1.id + '&expected_close_date[lte]=2031-01-31');
    assert.equal(fc.status, 200, fc.text);
    assert.deepEqual(fc.body.periods, [
      { period: '2031-01', count: 3, won: '0.00', commit: '0.00', best_case: '0.21', weighted: '0.02',
        by_currency: [{ currency: 'USD', count: 3, won: '0.00', commit: '0.00', best_case: '0.21', weighted: '0.02' }] },
    ]);
    const pl = await admin.get(`/pipeline?owner_id=${u.rep1.id}&expected_close_date[lte]=2031-01-31`);
    assert.equal(pl.status, 200, pl.text);
    const p = pl.body.stages.find((s) => s.stage === 'prospecting');
    assert.deepEqual(p, { stage: 'prospecting', label: 'Prospecting', label_zh: '初步接洽', outcome: 'open', count: 3, amount: '0.21', weighted: '0.02',
      by_currency: [{ currency: 'USD', count: 3, amount: '0.21', weighted: '0.02' }] });
    for (const s of pl.body.stages) {
      if (s.stage !== 'prospecting') assert.deepEqual([s.count, s.amount, s.weighted, s.by_currency], [0, '0.00', '0.00', []], s.stage);
    }
  });

  test('admin: February forecast by hand (won, commit by probability ≥ 80, lost only counted)', async () => {
    const fc = await admin.get(`/forecast?period=month&owner_id=${u.rep1.id}&expected_close_date[gte]=2031-02-01&expected_close_date[lte]=2031-02-28`);
    assert.equal(fc.status, 200, fc.text);
    // won 5000.00; commit = 5000 + 1234.56 (85%) + 333.33 (80%) — not 999.99 at 79%;
    // best = 5000 + 1234.56 + 999.99 + 333.33; weighted = 5000 + 1049.376 + 789.9921 + 266.664 = 7106.0321
    assert.deepEqual(fc.body.periods, [
      { period: '2031-02', count: 5, won: '5000.00', commit: '6567.89', best_case: '7567.88', weighted: '7106.03',
        by_currency: [{ currency: 'USD', count: 5, won: '5000.00', commit: '6567.89', best_case: '7567.88', weighted: '7106.03' }] },
    ]);
  });

  test('sales rep: pipeline and forecast equal the sums of the team-scope deals only', async () => {
    const data = await check(c.rep1, '', 'rep1');
    const ids = new Set(data.map((o) => o.id));
    for (const o of made.team1) assert.ok(ids.has(o.id), 'team-1 deal visible');
    for (const o of [...made.team2, ...made.admin]) assert.ok(!ids.has(o.id), 'team-2 / admin deal invisible');
    for (const o of data) assert.ok([u.rep1.id, u.rep1b.id].includes(o.owner_id), `owner ${o.owner_id}`);
    const fc = (await c.rep1.get('/forecast?period=month')).body;
    assert.ok(!fc.periods.some((p) => p.period === '2031-04'), 'rep2-only month absent');
    assert.ok(!JSON.stringify(fc).includes('100000') && !JSON.stringify(fc).includes('31337'));

    const data2 = await check(c.rep2, '', 'rep2');
    assert.deepEqual(data2.map((o) => o.id).sort(), made.team2.map((o) => o.id).sort());
  });

  test('filters: owner_id, team_id, expected_close_date ranges, stage', async () => {
    await check(admin, `owner_id=${u.rep1b.id}`, 'admin owner_id');
    await check(admin, `team_id=${team2.id}`, 'admin team_id=2');
    await check(admin, `team_id=${team1.id}&expected_close_date[gte]=2031-02-01&expected_close_date[lte]=2031-03-31`, 'admin team1 Feb-Mar');
    await check(c.rep1, 'expected_close_date[gte]=2031-02-01', 'rep1 from Feb');
    await check(c.rep1, `owner_id=${u.rep2.id}`, 'rep1 asking for rep2');
    await check(c.rep1, `team_id=${team2.id}`, 'rep1 asking for team 2');
    const t2 = await c.rep1.get(`/pipeline?team_id=${team2.id}`);
    assert.ok(t2.body.stages.every((s) => s.count === 0 && s.amount === '0.00' && s.weighted === '0.00'), JSON.stringify(t2.body));
    const adminT2 = await admin.get(`/pipeline?team_id=${team2.id}`);
    const total = adminT2.body.stages.reduce((n, s) => n + s.count, 0);
    assert.equal(total, made.team2.length);
  });

  test('a deleted deal leaves the pipeline; restoring brings it back', async () => {
    const o = made.team1[3];
    assert.equal((await c.rep1.del(`/opportunities/${o.id}`)).status, 204);
    const data = await check(c.rep1, '', 'after delete');
    assert.ok(!data.some((x) => x.id === o.id));
    assert.equal((await c.rep1.post(`/opportunities/${o.id}/restore`)).status, 200);
    await check(c.rep1, '', 'after restore');
  });

  test('stage, amount, probability and owner changes move a deal between the totals', async () => {
    const o = made.team1[4];
    const p = await admin.patch(`/opportunities/${o.id}`, { stage: 'proposal', amount: '1.11', probability: 33 });
    assert.equal(p.status, 200, p.text);
    await check(c.rep1, '', 'after the stage change');
    const moved = await admin.patch(`/opportunities/${o.id}`, { owner_id: u.rep2.id });
    assert.equal(moved.status, 200, moved.text);
    await check(c.rep1, '', 'rep1 after the deal moved to rep2');
    await check(c.rep2, '', 'rep2 after the deal moved to rep2');
    await check(admin, '', 'admin after the move');
    assert.equal((await admin.patch(`/opportunities/${o.id}`, { owner_id: u.rep1.id })).status, 200);
  });

  test('a currency change moves a deal between the currencies\' totals', async () => {
    const o = made.team1[3];
    const p = await admin.patch(`/opportunities/${o.id}`, { currency: 'CNY' });
    assert.equal(p.status, 200, p.text);
    await check(c.rep1, '', 'after the currency change');
    await check(c.rep1, 'stage=proposal', 'filtered, after the currency change');
    assert.equal((await admin.patch(`/opportunities/${o.id}`, { currency: 'USD' })).status, 200);
    await check(admin, '', 'admin after the change back');
  });

  test('list sums of amounts come per currency too', async () => {
    const { data } = await listAll(c.rep1, 'opportunities', 'limit=500');
    const r = await c.rep1.get('/opportunities?sum=amount&limit=1');
    assert.equal(r.status, 200, r.text);
    const total = (xs) => money(xs.reduce((t, o) => t + cents(o.amount), 0n));
    assert.equal(r.body.sum.amount, total(data), 'the sum over all, as before');
    assert.deepEqual(r.body.sum_by_currency, {
      amount: currenciesOf(data).map((cur) => ({ currency: cur, sum: total(data.filter((o) => o.currency === cur)) })),
    }, 'per currency, and only for money with a currency');
    assert.ok(r.body.sum_by_currency.amount.length >= 2, r.text);
    const f = await c.rep1.get('/opportunities?sum=amount&currency=EUR&limit=1');
    assert.deepEqual(f.body.sum_by_currency.amount.map((x) => x.currency), ['EUR']);
    const none = await c.rep1.get('/accounts?sum=annual_revenue&limit=1');
    assert.equal(none.status, 200, none.text);
    assert.equal(none.body.sum_by_currency, undefined, 'annual revenue has no currency field');
  });

  test('the customer card\'s amounts come per currency', async () => {
    const acc = await create(c.rep1, 'accounts', { name: `Card ${rnd()}` });
    const deals = [
      { stage: 'proposal', amount: '100.00', probability: 50, currency: 'USD' },
      { stage: 'proposal', amount: '300.00', probability: 10, currency: 'CNY' },
      { stage: 'closed_won', amount: '20.00', currency: 'USD' },
      { stage: 'closed_lost', amount: '99.00', currency: 'EUR' },
    ];
    for (const d of deals) await create(c.rep1, 'opportunities', { name: `Card deal ${rnd()}`, account_id: acc.id, ...d });
    const r = await c.rep1.get(`/accounts/${acc.id}/summary`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.open_amount, '400.00', 'all currencies, as before');
    assert.deepEqual(r.body.by_currency, [
      { currency: 'CNY', open_amount: '300.00', weighted: '30.00', won_amount: '0.00' },
      { currency: 'USD', open_amount: '100.00', weighted: '50.00', won_amount: '20.00' },
    ]);
    assert.equal(r.body.lost_deals, 1);
  });

  test('a deal that would carry the totals beyond a number is refused and changes nothing', async () => {
    const before = (await c.rep2.get('/pipeline')).body;
    const big = { name: `Huge ${rnd()}`, stage: 'closed_won', amount: '90000000000000.00' };
    let refused = null;
    for (let i = 0; i < 2000 && !refused; i++) {
      const r = await c.rep2.post('/opportunities', big);
      if (r.status !== 201) refused = r;
      else made.team2.push(r.body);
    }
    assert.ok(refused, 'the totals overflowed at some point');
    assertProblem(refused, 400);
    assert.match(refused.body.detail, /beyond the range of a number/);
    for (const o of made.team2.splice(3)) assert.equal((await admin.del(`/opportunities/${o.id}`)).status, 204);
    assert.deepEqual((await c.rep2.get('/pipeline')).body, before);
  });

  test('a stage still used by deals cannot silently drop them from the pipeline', async () => {
    const st = await admin.post('/pipeline_stages', { key: 'on_hold', label: 'On hold', probability: 5, sort_order: 58, outcome: 'open' });
    assert.equal(st.status, 201, st.text);
    const o = await create(c.rep1, 'opportunities', { name: `Held ${rnd()}`, amount: '64.00', stage: 'on_hold', expected_close_date: '2031-06-01' });
    await check(c.rep1, '', 'with on_hold');
    const d = await admin.del(`/pipeline_stages/${st.body.id}`);
    // Either the delete is refused (409/422) or the deal must still be accounted for.
    const keys = (await stagesConfig()).map((x) => x.key);
    const g = await c.rep1.get(`/opportunities/${o.id}`);
    assert.ok(keys.includes(g.body.stage),
      `DELETE /pipeline_stages/{on_hold} → ${d.status}; opportunity still has stage ${g.body.stage}, which is no longer configured`);
    await check(c.rep1, '', 'after deleting on_hold');
    await check(admin, '', 'admin after deleting on_hold');
  });

  test('bad parameters → 400', async () => {
    assertProblem(await admin.get('/forecast?period=quarter'), 400);
    assertProblem(await admin.get('/forecast?period=month&nosuchfield=1'), 400);
    assertProblem(await admin.get('/pipeline?nosuchfield=1'), 400);
    assertProblem(await admin.get('/pipeline?expected_close_date[gte]=notadate'), 400);
  });
});

describe('lead status', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  test('"converted" is set by conversion only', async () => {
    const bad = await admin.post('/leads', { last_name: 'Status', status: 'converted' });
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.body.errors.some((e) => e.field === 'status'));
    const l = (await admin.post('/leads', { last_name: 'Status2' })).body;
    assert.equal((await admin.patch(`/leads/${l.id}`, { status: 'converted' })).status, 422);
    assert.equal((await admin.post(`/leads/${l.id}/convert`, {})).status, 200);
    assert.equal((await admin.get(`/leads/${l.id}`)).body.status, 'converted');
  });
});

describe('stage names in Chinese', () => {
  const ZH = {
    prospecting: '初步接洽', qualification: '需求确认', needs_analysis: '需求分析', proposal: '方案报价',
    negotiation: '商务谈判', closed_won: '赢单', closed_lost: '输单',
  };

  test('the default stages are seeded with label_zh, and /pipeline sends it', async () => {
    const srv1 = await startServer();
    try {
      const admin1 = await loginAdmin(srv1.base);
      const r = await admin1.get('/pipeline_stages?limit=500');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.fromEntries(r.body.data.map((s) => [s.key, s.label_zh])), ZH);
      const p = await admin1.get('/pipeline');
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(Object.fromEntries(p.body.stages.map((s) => [s.stage, s.label_zh])), ZH);
      // An administrator's own stage may have one or not.
      const mine = await admin1.post('/pipeline_stages', { key: 'demo_done', label: 'Demo done', probability: 50, sort_order: 35, outcome: 'open' });
      assert.equal(mine.status, 201, mine.text);
      assert.equal(mine.body.label_zh, null);
      const named = await admin1.patch(`/pipeline_stages/${mine.body.id}`, { label_zh: '已演示' }, { version: mine.body.version });
      assert.equal(named.status, 200, named.text);
      assert.equal((await admin1.get('/pipeline')).body.stages.find((s) => s.stage === 'demo_done').label_zh, '已演示');
    } finally {
      await srv1.stop();
    }
  });

  test('a database from before label_zh gets the column, and the default stages nobody renamed their Chinese name', async () => {
    let srv1 = await startServer({ keepDir: true });
    const { dir } = srv1;
    try {
      await srv1.stop();
      // The database as an earlier version left it: no label_zh column; one default
      // stage renamed by its administrator.
      const [cmd, args] = dbShellCommand(dir);
      const sql = ['DROP INDEX IF EXISTS pipeline_stages__label_zh_seq',
        'ALTER TABLE pipeline_stages DROP COLUMN label_zh',
        "UPDATE pipeline_stages SET label = 'First call' WHERE key = 'prospecting'"];
      for (const q of sql) {
        execFileSync(cmd, [...args.filter((a) => a !== '-readonly'), ...(PG ? ['-c', q] : [q])]);
      }
      srv1 = await startServer({ dir, keepDir: true });
      const admin1 = await loginAdmin(srv1.base);
      const r = await admin1.get('/pipeline_stages?limit=500');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.fromEntries(r.body.data.map((s) => [s.key, s.label_zh])), { ...ZH, prospecting: null });
      // Search reads the new column too.
      const q = await admin1.get(`/pipeline_stages?q=${encodeURIComponent('赢单')}`);
      assert.equal(q.status, 200, q.text);
      assert.deepEqual(q.body.data.map((s) => s.key), ['closed_won']);
      await srv1.stop();
      // A second start changes nothing more.
      srv1 = await startServer({ dir, keepDir: true });
      const again = await (await loginAdmin(srv1.base)).get('/pipeline_stages?limit=500');
      assert.deepEqual(again.body.data.map((s) => [s.key, s.label_zh, s.version]), r.body.data.map((s) => [s.key, s.label_zh, s.version]));
    } finally {
      await srv1.stop();
      dropDb(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
