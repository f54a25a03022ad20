// Workflow rules (src/mod/automation/workflows.c, rules.c): every trigger — created,
// updated (a save that changes nothing fires nothing), field_changed with and without a
// value, deleted, restored (no field changes then), a date-time and a date field before
// a due time (once per due time, never for what was due before the rule existed), no
// activity for a minute (a record touched by an activity left alone); conditions in the
// list filter language with lines OR-ed; every action — set_fields in the change's own
// answer and transaction with "via" in the history (a refused value logged, the save
// kept), assign to a user, round robin alternating between a team's two members, least
// loaded, create_task (due in days or from a date field, its owner and priority),
// send_email to the record and to its owner, notify the owner or a list of users,
// a webhook call to a REAL node http receiver (refused until the allow-list names
// 127.0.0.1, then the body checked), create_record with its link field (and the depth
// it carries to the rules the new record fires); the depth limit (a rule changing its
// own record, and two rules flipping a field); the dry run saving nothing; 422s naming
// trigger_field, conditions ("line N") and actions ("action N"); administrators only;
// inactive and deleted rules doing nothing; the run log and the rule's run count.
//
// The no-activity and date-field rules need a real minute to pass: they are set up by
// early tests and checked by the last one, so the waits overlap the rest of the file.
import { test, before, after, afterEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startServer, loginAdmin, login, createUser, createTeam, create, assertProblem, uniq,
  RFC3339_Z_RE, UUID_RE,
} from './helpers.js';
import { eventually } from './sse.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MIN = 60000;
const DAY = 86400000;

// A real HTTP receiver on 127.0.0.1 logging every request.
class Receiver {
  constructor() { this.hits = []; this.server = null; this.port = 0; }
  async start() {
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        this.hits.push({ path: req.url, method: req.method, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        const status = req.url === '/fail' ? 500 : 200;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'broken');
      });
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }
  async stop() {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    this.server = null;
  }
  url(p) { return `http://127.0.0.1:${this.port}${p}`; }
  at(p) { return this.hits.filter((h) => h.path === p); }
}

describe('workflow rules', () => {
  let srv, admin, rep, repUser, rep2User, m1, m2, team, rx;
  // Rules made by a test are switched off after it (so later tests' records do not fire
  // them), unless kept for the last test.
  let made = [];

  before(async () => {
    rx = await new Receiver().start();
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
    admin = await loginAdmin(srv.base);
    repUser = await createUser(admin, { username: 'wfrep', role: 'sales', email: 'wfrep@example.com', display_name: 'Rep One' });
    rep2User = await createUser(admin, { username: 'wfrep2', role: 'sales' });
    rep = await login(srv.base, 'wfrep', 'password-123');
    team = await createTeam(admin, 'Workflow team');
    m1 = await createUser(admin, { username: 'wfm1', role: 'sales', team_ids: [team.id] });
    m2 = await createUser(admin, { username: 'wfm2', role: 'sales', team_ids: [team.id] });
  });

  after(async () => {
    await srv?.stop();
    await rx?.stop();
  });

  afterEach(async () => {
    for (const id of made) {
      const r = await admin.patch(`/workflows/${id}`, { active: false });
      assert.equal(r.status, 200, r.text);
    }
    made = [];
  });

  // Creates a rule (201), switched off after the test unless keep.
  async function rule(body, { keep = false } = {}) {
    const r = await admin.post('/workflows', { name: uniq('rule'), ...body });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.id, UUID_RE);
    if (!keep) made.push(r.body.id);
    return r.body;
  }
  async function runsOf(ruleId, q = '') {
    const r = await admin.get(`/workflow_runs?workflow_id=${ruleId}&limit=200${q}`);
    assert.equal(r.status, 200, r.text);
    return r.body.data;
  }
  async function runsOn(recordId) {
    const r = await admin.get(`/workflow_runs?record_id=${recordId}&limit=200`);
    assert.equal(r.status, 200, r.text);
    return r.body.data;
  }
  // Waits until rule ruleId has n runs, none of them queued; returns them oldest first.
  function settled(ruleId, n, ms = 15000) {
    return eventually(async () => {
      const runs = await runsOf(ruleId);
      if (runs.length !== n || runs.some((x) => x.status === 'queued')) return null;
      return runs.sort((x, y) => x.created_at.localeCompare(y.created_at) || x.depth - y.depth);
    }, ms, `${n} settled runs of rule ${ruleId}`);
  }
  // Runs the time-based rules' sweep now and waits for the job.
  async function sweep() {
    const r = await admin.post('/jobs', { kind: 'workflows.timed' });
    assert.equal(r.status, 202, r.text);
    const j = await eventually(async () => {
      const g = await admin.get(`/jobs/${r.body.id}`);
      assert.equal(g.status, 200, g.text);
      return ['done', 'failed'].includes(g.body.state) ? g.body : null;
    }, 20000, 'the sweep job');
    assert.equal(j.state, 'done', JSON.stringify(j));
  }
  async function history(res, id) {
    const r = await admin.get(`/${res}/${id}/history`);
    assert.equal(r.status, 200, r.text);
    return r.body.data;
  }
  const notes = async (client) => (await client.get('/notifications?limit=100')).body.data;

  // ---- set up early, checked by the last test (each needs a minute to pass) ----

  let idle; // {rule, quiet, busy, touch (a promise), start}
  let dated; // {rule, deal, early (a deal whose due time passed before the rule)}

  test('set-up: a no-activity rule of one minute and a date rule falling due within a minute', async () => {
    const tag = uniq('Idle');
    const r = await rule({
      entity: 'contacts', trigger: 'no_activity', offset_amount: 1, offset_unit: 'minutes',
      conditions: `last_name=${tag}`,
      actions: [{ type: 'notify', message: 'Nobody touched {{first_name}} {{last_name}}', to: [repUser.id] }],
    }, { keep: true });
    assert.ok(r.swept_to, 'a time-based rule starts looking from its creation');
    const start = Date.now();
    const quiet = await create(admin, 'contacts', { first_name: 'Quiet', last_name: tag, owner_id: repUser.id });
    const busy = await create(admin, 'contacts', { first_name: 'Busy', last_name: tag, owner_id: repUser.id });
    // Busy gets an activity half-way: its idle spell starts again.
    const touch = sleep(30000).then(() => create(admin, 'activities', {
      type: 'note', subject: 'Talked to Busy', related_type: 'contacts', related_id: busy.id,
    }));
    touch.catch(() => {}); // awaited by the last test
    idle = { rule: r, quiet, busy, touch, start };

    // A date field (no time): counted from 00:00 UTC. The rule fires `before` that many
    // whole minutes that tomorrow's midnight falls due within the next minute.
    const now = Date.now();
    const tomorrow = new Date(now + DAY).toISOString().slice(0, 10);
    const toMidnight = Date.parse(`${tomorrow}T00:00:00Z`) - now;
    const minutes = Math.floor(toMidnight / MIN);
    if (minutes < 2) return; // a minute before midnight UTC: not checked today
    const dr = await rule({
      entity: 'opportunities', trigger: 'date', trigger_field: 'expected_close_date',
      offset_amount: minutes, offset_unit: 'minutes', offset_direction: 'before',
      conditions: 'name[like]=Dated deal*',
      actions: [{ type: 'set_fields', values: { next_step: 'Due {{expected_close_date}}' } }],
    }, { keep: true });
    const deal = await create(admin, 'opportunities', { name: 'Dated deal 1', expected_close_date: tomorrow });
    // Its due moment (today's midnight minus the offset) is long past: never fires.
    const early = await create(admin, 'opportunities', {
      name: 'Dated deal early', expected_close_date: new Date(now).toISOString().slice(0, 10),
    });
    dated = { rule: dr, deal, early, due: Date.parse(`${tomorrow}T00:00:00Z`) - minutes * MIN };
    await sweep();
    assert.deepEqual(await runsOf(dr.id), [], 'not due yet');
  });

  // ---- administrators only ----

  test('only administrators write, read and try rules', async () => {
    const body = { name: 'Mine', entity: 'contacts', trigger: 'created', actions: [{ type: 'notify', message: 'x' }] };
    assertProblem(await rep.post('/workflows', body), 403);
    const r = await rule({ entity: 'contacts', trigger: 'created', conditions: 'last_name=Nobody at all', actions: [{ type: 'notify', message: 'x' }] });
    assertProblem(await rep.get('/workflows'), 403);
    // One rule by id: not there for them (403 or 404), and unchanged.
    for (const x of [await rep.get(`/workflows/${r.id}`), await rep.patch(`/workflows/${r.id}`, { active: false }), await rep.del(`/workflows/${r.id}`)]) {
      assert.ok(x.status === 403 || x.status === 404, `${x.status} ${x.text}`);
    }
    assert.equal((await admin.get(`/workflows/${r.id}`)).body.active, true);
    assertProblem(await rep.get('/workflow_runs'), 403);
    const con = await create(rep, 'contacts', { last_name: 'Rep own' });
    assertProblem(await rep.post(`/workflows/${r.id}/try`, { record_id: con.id }), 403);
    assertProblem(await rep.post('/workflow_runs', { workflow_id: r.id }), 403);
    // Even an administrator writes no run and no count by hand.
    assertProblem(await admin.post('/workflow_runs', { workflow_id: r.id, status: 'done' }), 422);
    assert.notEqual((await admin.post('/workflow_runs', {})).status, 201);
    assertProblem(await admin.patch(`/workflows/${r.id}`, { runs: 5 }), 422);
    assert.equal((await runsOf(r.id)).length, 0);
  });

  // ---- validation ----

  test('bad definitions are 422s naming the field, the line and the action; nothing is saved', async () => {
    const count = async () => (await admin.get('/workflows?count=true&limit=1')).body.total;
    const before = await count();
    const errs = async (body) => {
      const r = await admin.post('/workflows', { name: 'Bad', entity: 'contacts', trigger: 'created', actions: [{ type: 'notify', message: 'x' }], ...body });
      assertProblem(r, 422, JSON.stringify(body));
      return r.body.errors || [];
    };
    const one = async (body, field, re) => {
      const e = await errs(body);
      assert.ok(e.some((x) => x.field === field && re.test(x.message)),
        `${JSON.stringify(body)} → ${JSON.stringify(e)} (wanted ${field} ${re})`);
    };
    // The entity.
    await one({ entity: 'contactz' }, 'entity', /kind of record/);
    await one({ entity: 'workflows' }, 'entity', /kind of record/);
    await one({ entity: 'webhook_deliveries' }, 'entity', /kind of record/);
    // The trigger.
    await one({ trigger: 'sometimes' }, 'trigger', /./);
    await one({ trigger: 'field_changed' }, 'trigger_field', /must be a field of/);
    await one({ trigger: 'field_changed', trigger_field: 'shoe_size' }, 'trigger_field', /must be a field of/);
    await one({ trigger: 'date', trigger_field: 'last_name', offset_amount: 1 }, 'trigger_field', /date field/);
    await one({ trigger: 'date', offset_amount: 1 }, 'trigger_field', /date field/);
    await one({ trigger: 'date', trigger_field: 'birthday' }, 'offset_amount', /needed/);
    await one({ trigger: 'no_activity', offset_amount: 0 }, 'offset_amount', /at least 1/);
    await one({ trigger: 'no_activity' }, 'offset_amount', /needed/);
    await one({ trigger: 'date', trigger_field: 'birthday', offset_amount: -1 }, 'offset_amount', /./);
    await one({ trigger: 'date', trigger_field: 'birthday', offset_amount: 1, offset_unit: 'weeks' }, 'offset_unit', /./);
    await one({ trigger: 'date', trigger_field: 'birthday', offset_amount: 1, offset_direction: 'around' }, 'offset_direction', /./);
    // The conditions, by line.
    await one({ conditions: 'shoe_size=42' }, 'conditions', /^line 1: /);
    await one({ conditions: 'last_name=Lee\nlast_name[zz]=Lee' }, 'conditions', /^line 2: /);
    await one({ conditions: 'last_name=Lee\n\njustaword' }, 'conditions', /^line 3: .*field=value/);
    await one({ conditions: 'limit=5' }, 'conditions', /^line 1: limit is not a condition/);
    await one({ conditions: 'last_name=a&sort=last_name' }, 'conditions', /^line 1: sort is not a condition/);
    await one({ conditions: Array.from({ length: 11 }, (_, i) => `last_name=a${i}`).join('\n') }, 'conditions', /at most 10 lines/);
    await one({ conditions: Array.from({ length: 21 }, (_, i) => `last_name[ne]=a${i}`).join('&') }, 'conditions', /^line 1: .*at most 20/);
    await one({ conditions: 'birthday[gte]=not a date' }, 'conditions', /^line 1: /);
    // The actions, by number.
    await one({ actions: [] }, 'actions', /1 to 10 actions/);
    await one({ actions: Array.from({ length: 11 }, () => ({ type: 'notify', message: 'x' })) }, 'actions', /1 to 10 actions/);
    await one({ actions: { type: 'notify', message: 'x' } }, 'actions', /1 to 10 actions/);
    await one({ actions: [{ type: 'notify', message: 'x' }, { type: 'explode' }] }, 'actions', /^action 2: type must be/);
    await one({ actions: ['notify'] }, 'actions', /^action 1: type must be/);
    await one({ actions: [{ type: 'set_fields' }] }, 'actions', /^action 1: set_fields needs values/);
    await one({ actions: [{ type: 'set_fields', values: {} }] }, 'actions', /^action 1: set_fields needs values/);
    await one({ actions: [{ type: 'set_fields', values: { shoe_size: 42 } }] }, 'actions', /^action 1: shoe_size is not a field a rule may set/);
    await one({ actions: [{ type: 'set_fields', values: { created_at: '2020-01-01T00:00:00Z' } }] }, 'actions', /^action 1: created_at is not/);
    await one({ actions: [{ type: 'assign' }] }, 'actions', /^action 1: assign needs a user_id or a team_id/);
    await one({ actions: [{ type: 'assign', team_id: team.id, mode: 'random' }] }, 'actions', /^action 1: mode must be/);
    await one({ actions: [{ type: 'create_task' }] }, 'actions', /^action 1: create_task needs a subject/);
    await one({ actions: [{ type: 'create_task', subject: 'x', due_field: 'last_name' }] }, 'actions', /^action 1: due_field must be a date field/);
    await one({ actions: [{ type: 'send_email' }] }, 'actions', /^action 1: send_email needs a template_id/);
    await one({ actions: [{ type: 'send_email', template_id: 'x', to: 'everyone' }] }, 'actions', /^action 1: to must be record or owner/);
    await one({ actions: [{ type: 'notify' }] }, 'actions', /^action 1: notify needs a message/);
    await one({ actions: [{ type: 'webhook' }] }, 'actions', /^action 1: webhook needs a url/);
    await one({ actions: [{ type: 'create_record' }] }, 'actions', /^action 1: create_record needs an entity/);
    await one({ actions: [{ type: 'create_record', entity: 'workflow_runs' }] }, 'actions', /^action 1: create_record needs an entity/);
    await one({ actions: [{ type: 'create_record', entity: 'activities', link_field: 'shoe_id' }] }, 'actions', /^action 1: shoe_id is not a field of activities/);
    await one({ actions: [{ type: 'create_record', entity: 'activities', values: { shoe: 1 } }] }, 'actions', /^action 1: shoe is not a field of activities/);
    await one({ actions: [{ type: 'create_record', entity: 'activities', values: 'subject=x' }] }, 'actions', /^action 1: values must be an object/);
    // Several at once.
    const all = await errs({ trigger: 'date', trigger_field: 'first_name', conditions: 'a=b', actions: [{ type: 'x' }] });
    assert.deepEqual(all.map((e) => e.field).sort(), ['actions', 'conditions', 'offset_amount', 'trigger_field']);
    // A valid rule made invalid by an edit is refused too, and stays as it was.
    const ok = await rule({ entity: 'contacts', trigger: 'created', conditions: 'last_name=Nobody at all', actions: [{ type: 'notify', message: 'x' }] });
    assertProblem(await admin.patch(`/workflows/${ok.id}`, { conditions: 'last_name[zz]=x' }), 422);
    assertProblem(await admin.patch(`/workflows/${ok.id}`, { actions: [{ type: 'set_fields', values: { name: 'x' } }] }), 422, 'contacts have no name');
    assert.equal((await admin.get(`/workflows/${ok.id}`)).body.conditions, 'last_name=Nobody at all');
    assert.equal(await count(), before + 1);
  });

  // ---- triggers ----

  test('created: set_fields in the create\'s own answer, "via" the rule in the history, the run logged', async () => {
    const tag = uniq('Created');
    const r = await rule({
      name: 'Welcome title', entity: 'contacts', trigger: 'created', conditions: `last_name=${tag}`,
      actions: [{ type: 'set_fields', values: { title: 'Hello {{first_name}} ({{id}})', do_not_call: true } }],
    });
    assert.equal(r.runs, null);
    const c = await create(rep, 'contacts', { first_name: '丽', last_name: tag });
    assert.equal(c.title, `Hello 丽 (${c.id})`, 'the answer shows the rule\'s change');
    assert.equal(c.do_not_call, true);
    assert.equal(c.owner_id, repUser.id);
    const got = (await admin.get(`/contacts/${c.id}`)).body;
    assert.equal(got.title, c.title);
    assert.equal(got.version, c.version);
    const h = await history('contacts', c.id);
    const title = h.find((x) => x.field === 'title');
    assert.equal(title.action, 'update');
    assert.equal(title.new, c.title);
    assert.equal(title.via, 'rule: Welcome title');
    assert.equal(title.user_id, repUser.id, 'made for the user, via the rule');
    assert.equal(h.find((x) => x.field === 'do_not_call' && x.action === 'update').via, 'rule: Welcome title');
    // The user's own rows carry no via.
    assert.ok(h.filter((x) => x.action === 'create').every((x) => x.via == null), JSON.stringify(h));
    // The run.
    const [run] = await settled(r.id, 1);
    assert.equal(run.workflow_id, r.id);
    assert.equal(run.entity, 'contacts');
    assert.equal(run.record_id, c.id);
    assert.equal(run.trigger, 'created');
    assert.equal(run.status, 'done');
    assert.equal(run.depth, 0);
    assert.equal(run.fire_key, null);
    assert.deepEqual(run.detail, [{ action: 'set_fields', ok: true }]);
    const w = (await admin.get(`/workflows/${r.id}`)).body;
    assert.equal(w.runs, 1);
    assert.match(w.last_run_at, RFC3339_Z_RE);
    // An update does not fire a created rule.
    await rep.patch(`/contacts/${c.id}`, { department: 'Sales' });
    assert.equal((await runsOf(r.id)).length, 1);
  });

  test('updated: fires on a change, not on the create, not on a save that changes nothing', async () => {
    const tag = uniq('Updated');
    const r = await rule({
      entity: 'contacts', trigger: 'updated', conditions: `last_name=${tag}`,
      actions: [{ type: 'set_fields', values: { description: 'edited: {{department}}' } }],
    });
    const c = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c.description, null);
    assert.equal((await runsOf(r.id)).length, 0);
    const p = await admin.patch(`/contacts/${c.id}`, { department: 'Ops' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.description, 'edited: Ops', 'the PATCH answer shows the rule\'s change');
    // The rule's own change is an update too: it fires the rule once more, one level
    // deeper, which sets the same value — no change, so the chain ends there.
    const runs = (await settled(r.id, 2)).sort((x, y) => x.depth - y.depth);
    assert.deepEqual(runs.map((x) => [x.trigger, x.depth, x.status]), [['updated', 0, 'done'], ['updated', 1, 'done']]);
    assert.equal(p.body.version, c.version + 2, 'the user\'s change and the rule\'s');
    // A PATCH with the same values changes nothing and fires nothing.
    const n = runs.length;
    const same = await admin.patch(`/contacts/${c.id}`, { department: 'Ops' });
    assert.equal(same.status, 200);
    assert.equal(same.body.version, p.body.version);
    assert.equal((await runsOf(r.id)).length, n);
  });

  test('field_changed without a value: any change of the field (given on a create counts), not of others', async () => {
    const tag = uniq('Stage');
    const r = await rule({
      entity: 'opportunities', trigger: 'field_changed', trigger_field: 'stage', conditions: `name=${tag}`,
      actions: [{ type: 'notify', message: '{{name}} moved to {{stage}}', to: [repUser.id] }],
    });
    const d = await create(admin, 'opportunities', { name: tag, stage: 'qualification', owner_id: repUser.id });
    await settled(r.id, 1);
    await admin.patch(`/opportunities/${d.id}`, { amount: '100.00', next_step: 'Call' });
    await sleep(300);
    assert.equal((await runsOf(r.id)).length, 1, 'another field changed: nothing');
    await admin.patch(`/opportunities/${d.id}`, { stage: 'negotiation' });
    const runs = await settled(r.id, 2);
    assert.deepEqual(runs.map((x) => x.trigger), ['created', 'updated']);
    assert.ok(runs.every((x) => x.status === 'done'), JSON.stringify(runs));
    const texts = (await notes(rep)).filter((x) => x.record_id === d.id && x.kind === 'alert').map((x) => x.text);
    assert.deepEqual(texts.sort(), [`${tag} moved to negotiation`, `${tag} moved to qualification`]);
    // A create without the field given (the default is not "given")... is not checked:
    // the stage has a default. A text field left empty on a create fires nothing.
    const t = await rule({
      entity: 'contacts', trigger: 'field_changed', trigger_field: 'title', conditions: `last_name=${tag}`,
      actions: [{ type: 'set_fields', values: { department: 'title is {{title}}' } }],
    });
    const c = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c.department, null);
    const p = await admin.patch(`/contacts/${c.id}`, { title: 'CFO' });
    assert.equal(p.body.department, 'title is CFO');
    const p2 = await admin.patch(`/contacts/${c.id}`, { title: null });
    assert.equal(p2.body.department, 'title is ', 'cleared is a change too');
    assert.equal((await settled(t.id, 2)).length, 2);
  });

  test('field_changed to a value: only when it changes to that value', async () => {
    const tag = uniq('Won');
    const r = await rule({
      entity: 'opportunities', trigger: 'field_changed', trigger_field: 'stage', trigger_value: 'closed_won',
      conditions: `name=${tag}`,
      actions: [{ type: 'set_fields', values: { next_step: 'Hand over to delivery' } }],
    });
    const d = await create(admin, 'opportunities', { name: tag, stage: 'proposal' });
    assert.equal(d.next_step, null);
    let p = await admin.patch(`/opportunities/${d.id}`, { stage: 'negotiation' });
    assert.equal(p.body.next_step, null);
    p = await admin.patch(`/opportunities/${d.id}`, { stage: 'closed_won' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.next_step, 'Hand over to delivery');
    // Staying won while something else changes: no second run.
    p = await admin.patch(`/opportunities/${d.id}`, { next_step: 'Invoice', amount: '5.00' });
    assert.equal(p.body.next_step, 'Invoice');
    const runs = await settled(r.id, 1);
    assert.equal(runs[0].trigger, 'updated');
    // Created at once with that value: fires.
    const d2 = await create(admin, 'opportunities', { name: tag, stage: 'closed_won' });
    assert.equal(d2.next_step, 'Hand over to delivery');
    // A boolean in its text form.
    const tag2 = uniq('Dnc');
    await rule({
      entity: 'contacts', trigger: 'field_changed', trigger_field: 'do_not_call', trigger_value: 'true',
      conditions: `last_name=${tag2}`, actions: [{ type: 'set_fields', values: { description: 'do not call!' } }],
    });
    const c = await create(admin, 'contacts', { last_name: tag2 });
    assert.equal(c.description, null, 'false by default: not "true"');
    assert.equal((await admin.patch(`/contacts/${c.id}`, { do_not_call: true })).body.description, 'do not call!');
  });

  test('field_changed on owner_id (a reassignment) is accepted and fires',
    async () => {
      const tag = uniq('Owner');
      const r = await admin.post('/workflows', {
        name: uniq('rule'), entity: 'contacts', trigger: 'field_changed', trigger_field: 'owner_id',
        conditions: `last_name=${tag}`, actions: [{ type: 'set_fields', values: { department: 'reassigned' } }],
      });
      assert.equal(r.status, 201, r.text);
      made.push(r.body.id);
      const c = await create(admin, 'contacts', { last_name: tag });
      const p = await admin.patch(`/contacts/${c.id}`, { owner_id: repUser.id });
      assert.equal(p.body.department, 'reassigned');
    });

  test('field_changed on a create: a default the create did not give is no change',
    async () => {
      const tag = uniq('Default');
      const r = await rule({
        entity: 'contacts', trigger: 'field_changed', trigger_field: 'do_not_call', conditions: `last_name=${tag}`,
        actions: [{ type: 'set_fields', values: { title: 'fired' } }],
      });
      const c = await create(admin, 'contacts', { last_name: tag });
      assert.equal(c.do_not_call, false);
      assert.equal(c.title, null, 'not given: no change');
      const c2 = await create(admin, 'contacts', { last_name: tag, do_not_call: true });
      assert.equal(c2.title, 'fired');
      assert.equal((await runsOf(r.id)).length, 1);
    });

  test('deleted and restored: rules fire with the record in the bin, without field changes', async () => {
    const tag = uniq('Binned');
    const del = await rule({
      entity: 'contacts', trigger: 'deleted', conditions: `last_name=${tag}`,
      actions: [
        { type: 'set_fields', values: { description: 'never' } },
        { type: 'notify', message: 'Deleted: {{first_name}} {{last_name}}', to: 'owner' },
      ],
    });
    const res = await rule({
      entity: 'contacts', trigger: 'restored', conditions: `last_name=${tag}`,
      actions: [
        { type: 'set_fields', values: { description: 'never' } },
        { type: 'create_task', subject: 'Welcome back {{first_name}}', due_in_days: 1 },
      ],
    });
    const c = await create(admin, 'contacts', { first_name: 'Bo', last_name: tag, owner_id: repUser.id });
    assert.equal((await runsOn(c.id)).length, 0, 'a create fires neither');
    assert.equal((await admin.del(`/contacts/${c.id}`)).status, 204);
    const [d] = await settled(del.id, 1);
    assert.equal(d.trigger, 'deleted');
    assert.equal(d.record_id, c.id);
    assert.equal(d.status, 'done');
    assert.deepEqual(d.detail, [{ action: 'notify', ok: true }], 'no set_fields on a deleted record');
    // The owner was told, but a notification about a record in the bin is hidden.
    assert.ok(!(await notes(rep)).some((x) => x.record_id === c.id && x.kind === 'alert'));
    assert.equal((await runsOf(res.id)).length, 0);

    const back = await admin.post(`/contacts/${c.id}/restore`);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.description, null);
    const [rr] = await settled(res.id, 1);
    assert.equal(rr.trigger, 'restored');
    assert.equal(rr.status, 'done');
    assert.deepEqual(rr.detail, [{ action: 'create_task', ok: true }]);
    const tasks = (await admin.get(`/activities?related_type=contacts&related_id=${c.id}`)).body.data;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].subject, 'Welcome back Bo');
    assert.equal(tasks[0].owner_id, repUser.id);
    assert.equal((await admin.get(`/contacts/${c.id}`)).body.description, null);
    assert.equal((await runsOf(del.id)).length, 1);
    // Back from the bin: the deletion's notification shows.
    const n = (await notes(rep)).find((x) => x.record_id === c.id && x.kind === 'alert');
    assert.ok(n, 'the owner was told of the deletion');
    assert.equal(n.text, `Deleted: Bo ${tag}`);
  });

  test('date: a task\'s due time 5 minutes ahead fires once, not what fell due before the rule, not what is far off', async () => {
    const tag = uniq('Due');
    const r = await rule({
      entity: 'activities', trigger: 'date', trigger_field: 'due_at',
      offset_amount: 5, offset_unit: 'minutes', offset_direction: 'before',
      conditions: `subject[like]=${tag}*`,
      actions: [
        { type: 'set_fields', values: { priority: 'high' } },
        { type: 'notify', message: '{{subject}} is due soon', to: [repUser.id] },
      ],
    });
    const now = Date.now();
    const soon = await create(admin, 'activities', { type: 'task', subject: `${tag} soon`, owner_id: repUser.id, due_at: new Date(now + 5 * MIN + 2000).toISOString() });
    const past = await create(admin, 'activities', { type: 'task', subject: `${tag} past`, owner_id: repUser.id, due_at: new Date(now + 4 * MIN).toISOString() });
    const far = await create(admin, 'activities', { type: 'task', subject: `${tag} far`, owner_id: repUser.id, due_at: new Date(now + 60 * MIN).toISOString() });
    const other = await create(admin, 'activities', { type: 'task', subject: 'Unrelated soon', due_at: new Date(now + 5 * MIN + 1000).toISOString() });
    await sleep(Math.max(0, now + 3000 - Date.now()));
    assertProblem(await admin.post('/jobs', { kind: 'workflows.timed', payload: 'now' }), 400);
    assertProblem(await rep.post('/jobs', { kind: 'workflows.timed' }), 403);
    await sweep();
    const runs = await settled(r.id, 1);
    assert.equal(runs[0].record_id, soon.id);
    assert.equal(runs[0].trigger, 'date');
    assert.equal(runs[0].status, 'done');
    assert.equal(runs[0].depth, 0);
    assert.ok(runs[0].fire_key, 'a time-based firing has its key');
    assert.ok(runs[0].fire_key.includes(soon.id), runs[0].fire_key);
    assert.deepEqual(runs[0].detail, [{ action: 'set_fields', ok: true }, { action: 'notify', ok: true }]);
    const got = (await admin.get(`/activities/${soon.id}`)).body;
    assert.equal(got.priority, 'high');
    assert.equal((await history('activities', soon.id)).find((x) => x.field === 'priority').via, `rule: ${r.name}`);
    assert.ok((await notes(rep)).some((x) => x.record_id === soon.id && x.text === `${tag} soon is due soon`));
    for (const x of [past, far, other]) {
      assert.equal((await admin.get(`/activities/${x.id}`)).body.priority, 'normal');
      assert.deepEqual(await runsOn(x.id), []);
    }
    // Swept again: nothing more.
    await sweep();
    await sleep(300);
    assert.equal((await runsOf(r.id)).length, 1);
    assert.equal((await admin.get(`/workflows/${r.id}`)).body.runs, 1);
  });

  // ---- conditions ----

  test('conditions: all of a line must hold, any line may match', async () => {
    const tag = uniq('Cond');
    const r = await rule({
      entity: 'contacts', trigger: 'created',
      conditions: `last_name=${tag}&title=VP&department[ne]=Ops\r\n  last_name=${tag}&title[in]=CEO,CTO&email[null]=false  \n\n`,
      actions: [{ type: 'set_fields', values: { description: 'matched' } }],
    });
    const cases = [
      [{ title: 'VP', department: 'Sales' }, true],
      [{ title: 'VP' }, true], // as the list says: an empty department is "not Ops"
      [{ title: 'VP', department: 'Ops' }, false],
      [{ title: 'CEO', email: 'ceo@example.com' }, true],
      [{ title: 'CTO', email: 'cto@example.com', department: 'Ops' }, true],
      [{ title: 'CEO' }, false],
      [{ title: 'Intern', email: 'i@example.com' }, false],
    ];
    // Query-string decoding: %26 is '&', '+' a space.
    const amp = await rule({
      entity: 'contacts', trigger: 'created', conditions: `last_name=${tag}+%26+Co`,
      actions: [{ type: 'set_fields', values: { description: 'and co' } }],
    });
    assert.equal((await create(admin, 'contacts', { last_name: `${tag} & Co` })).description, 'and co');
    assert.equal((await settled(amp.id, 1)).length, 1);
    const got = [];
    for (const [body] of cases) {
      const c = await create(admin, 'contacts', { last_name: tag, ...body });
      got.push([body, c.description === 'matched']);
    }
    assert.deepEqual(got, cases.map(([b, want]) => [b, want]));
    const runs = await settled(r.id, cases.filter((x) => x[1]).length);
    assert.ok(runs.every((x) => x.status === 'done'));
    // The same lines as lists give the same records.
    const listed = new Set();
    for (const q of [`last_name=${tag}&title=VP&department[ne]=Ops`, `last_name=${tag}&title[in]=CEO,CTO&email[null]=false`]) {
      for (const x of (await admin.get(`/contacts?${q}`)).body.data) listed.add(x.id);
    }
    assert.deepEqual(new Set(runs.map((x) => x.record_id)), listed);
    // A rule whose line no longer holds after an edit of the record does not fire on it:
    // runs are logged only when the conditions held.
    const c = await create(admin, 'contacts', { last_name: tag, title: 'Nobody' });
    assert.equal(c.description, null);
    assert.deepEqual(await runsOn(c.id), []);
  });

  test('conditions on the record a reference points to (account.industry of a deal)', async () => {
    const tag = uniq('Ref');
    const r = await rule({
      entity: 'opportunities', trigger: 'created',
      conditions: `name=${tag}&account.industry=technology&account.annual_revenue[gte]=1000000\nname=${tag}&account_id.tier=A`,
      actions: [{ type: 'set_fields', values: { next_step: 'Call the tech lead' } }],
    });
    const tech = await create(admin, 'accounts', { name: uniq('Tech'), industry: 'technology', annual_revenue: '5000000.00' });
    const small = await create(admin, 'accounts', { name: uniq('Small'), industry: 'technology', annual_revenue: '10.00' });
    const farm = await create(admin, 'accounts', { name: uniq('Farm'), industry: 'agriculture', annual_revenue: '9000000.00' });
    const deal = (account) => create(admin, 'opportunities', { name: tag, amount: '10.00', stage: 'prospecting',
      expected_close_date: '2027-01-01', ...(account ? { account_id: account.id } : {}) });
    assert.equal((await deal(tech)).next_step, 'Call the tech lead');
    assert.equal((await deal(small)).next_step, null);
    assert.equal((await deal(farm)).next_step, null);
    assert.equal((await deal(null)).next_step, null, 'no account: its filters do not hold');
    assert.equal((await settled(r.id, 1)).length, 1);
    // Checked when saved: a reference the entity does not have, a field its target lacks.
    for (const conditions of ['nope.industry=x', 'account.nofield=1', 'owner.x=1']) {
      const bad = await admin.post('/workflows', { name: uniq('bad'), entity: 'opportunities', trigger: 'created',
        conditions, actions: [{ type: 'notify', message: 'x' }] });
      assert.equal(bad.status, 422, `${conditions}: ${bad.text}`);
      assert.equal(bad.body.errors[0].field, 'conditions');
      assert.match(bad.body.errors[0].message, /^line 1: /);
    }
  });

  // ---- actions ----

  test('a value the record refuses is skipped and logged; the user\'s save is kept', async () => {
    const tag = uniq('Refused');
    const r = await rule({
      entity: 'contacts', trigger: 'created', conditions: `last_name=${tag}`,
      actions: [
        { type: 'set_fields', values: { email: 'not an address' } },
        { type: 'set_fields', values: { title: 'Still set' } },
      ],
    });
    const c = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c.email, null);
    assert.equal(c.title, 'Still set');
    const [run] = await settled(r.id, 1);
    assert.equal(run.status, 'failed');
    assert.equal(run.detail.length, 2);
    assert.equal(run.detail[0].action, 'set_fields');
    assert.equal(run.detail[0].ok, false);
    assert.match(run.detail[0].message, /email/);
    assert.deepEqual(run.detail[1], { action: 'set_fields', ok: true });
  });

  test('assign: to a user, in the create\'s answer, with the assignee told', async () => {
    const tag = uniq('Assign');
    await rule({
      name: 'To the rep', entity: 'contacts', trigger: 'created', conditions: `last_name=${tag}`,
      actions: [{ type: 'assign', user_id: repUser.id }],
    });
    const c = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c.owner_id, repUser.id);
    assert.equal((await rep.get(`/contacts/${c.id}`)).status, 200, 'the rep reads it now');
    const h = await history('contacts', c.id);
    assert.equal(h.find((x) => x.field === 'owner_id' && x.action !== 'create')?.via, 'rule: To the rep', JSON.stringify(h));
    assert.equal((await notes(rep)).filter((x) => x.record_id === c.id && x.kind === 'assigned').length, 1, 'one "assigned" notification');
  });

  test('assign round robin: a team\'s two members in turn', async () => {
    const tag = uniq('Robin');
    const r = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name[like]=${tag}-a*`,
      actions: [{ type: 'assign', team_id: team.id, mode: 'round_robin' }],
    });
    const owners = [];
    for (let i = 0; i < 5; i++) owners.push((await create(admin, 'accounts', { name: `${tag}-a ${i}` })).owner_id);
    assert.deepEqual(new Set(owners), new Set([m1.id, m2.id]), JSON.stringify(owners));
    for (let i = 1; i < owners.length; i++) assert.notEqual(owners[i], owners[i - 1], `alternates: ${owners}`);
    // The default mode is round robin too, and the turn is the rule's own.
    const r2 = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name[like]=${tag}-b*`,
      actions: [{ type: 'assign', team_id: team.id }],
    });
    const b = [];
    for (let i = 0; i < 2; i++) b.push((await create(admin, 'accounts', { name: `${tag}-b ${i}` })).owner_id);
    assert.notEqual(b[0], b[1]);
    assert.equal((await settled(r.id, 5)).length, 5);
    assert.equal((await settled(r2.id, 2)).length, 2);
    // A team with nobody active: the run says so, the record keeps its owner.
    const empty = await createTeam(admin, uniq('Empty team'));
    const r3 = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name[like]=${tag}-c*`,
      actions: [{ type: 'assign', team_id: empty.id, mode: 'round_robin' }],
    });
    const c = await create(admin, 'accounts', { name: `${tag}-c` });
    const runs = await settled(r3.id, 1);
    assert.equal(runs[0].status, 'failed');
    assert.deepEqual(runs[0].detail, [{ action: 'assign', ok: false, message: 'the team has no active member' }]);
    assert.equal(c.owner_id, admin.user.id);
  });

  test('assign round robin under concurrent creates: still in turn, half each', async () => {
    const tag = uniq('RobinRace');
    const r = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name[like]=${tag}*`,
      actions: [{ type: 'assign', team_id: team.id, mode: 'round_robin' }],
    });
    const made10 = await Promise.all(Array.from({ length: 10 }, (_, i) => create(admin, 'accounts', { name: `${tag} ${i}` })));
    const per = {};
    for (const a of made10) per[a.owner_id] = (per[a.owner_id] || 0) + 1;
    assert.deepEqual(per, { [m1.id]: 5, [m2.id]: 5 });
    assert.equal((await settled(r.id, 10)).length, 10);
  });

  test('assign least loaded: the member owning the fewest records of the entity', async () => {
    const tag = uniq('Least');
    // m1 owns two leads, m2 none.
    await create(admin, 'leads', { last_name: `${tag} pre1`, owner_id: m1.id });
    await create(admin, 'leads', { last_name: `${tag} pre2`, owner_id: m1.id });
    await rule({
      entity: 'leads', trigger: 'created', conditions: `last_name[like]=${tag} new*`,
      actions: [{ type: 'assign', team_id: team.id, mode: 'least_loaded' }],
    });
    const a = await create(admin, 'leads', { last_name: `${tag} new1` });
    assert.equal(a.owner_id, m2.id);
    const b = await create(admin, 'leads', { last_name: `${tag} new2` });
    assert.equal(b.owner_id, m2.id, 'm2 has one, m1 two');
    const c = await create(admin, 'leads', { last_name: `${tag} new3` });
    assert.ok([m1.id, m2.id].includes(c.owner_id));
    const d = await create(admin, 'leads', { last_name: `${tag} new4` });
    assert.notEqual(d.owner_id, c.owner_id, 'two each, then the other');
  });

  test('assign least loaded counts the members\' records whoever made the change (a rep who cannot see them)',
    async () => {
      const tag = uniq('LeastRep');
      const count = async (id) => (await admin.get(`/leads?owner_id=${id}&count=true&limit=1`)).body.total;
      // m1 clearly heavier than m2.
      while (await count(m1.id) <= await count(m2.id) + 1) await create(admin, 'leads', { last_name: `${tag} load`, owner_id: m1.id });
      await rule({
        entity: 'leads', trigger: 'created', conditions: `last_name[like]=${tag} new*`,
        actions: [{ type: 'assign', team_id: team.id, mode: 'least_loaded' }],
      });
      const l = await create(rep, 'leads', { last_name: `${tag} new` });
      assert.equal(l.owner_id, m2.id, 'm2 owns fewer leads');
    });

  test('create_task: due in days or from a date field, subject merged, owner or a user, priority', async () => {
    const tag = uniq('Task');
    const r = await rule({
      entity: 'opportunities', trigger: 'created', conditions: `name=${tag}`,
      actions: [
        { type: 'create_task', subject: 'Call about {{name}}', due_in_days: 2, priority: 'high' },
        { type: 'create_task', subject: 'Before close of {{name}}', due_field: 'expected_close_date', due_offset_days: -3, assign_to: m1.id },
        { type: 'create_task', subject: 'Bad priority', priority: 'extreme' },
      ],
    });
    const t0 = Date.now();
    const d = await create(admin, 'opportunities', { name: tag, expected_close_date: '2031-05-20', owner_id: repUser.id });
    const [run] = await settled(r.id, 1);
    assert.equal(run.status, 'failed', 'one action refused');
    assert.deepEqual(run.detail.map((x) => [x.action, x.ok]), [['create_task', true], ['create_task', true], ['create_task', false]]);
    assert.match(run.detail[2].message, /priority/);
    const tasks = (await admin.get(`/activities?related_type=opportunities&related_id=${d.id}&sort=due_at`)).body.data;
    assert.equal(tasks.length, 2, JSON.stringify(tasks));
    const [call, close] = tasks;
    assert.equal(call.type, 'task');
    assert.equal(call.subject, `Call about ${tag}`);
    assert.equal(call.priority, 'high');
    assert.equal(call.status, 'planned');
    assert.equal(call.owner_id, repUser.id, 'the record\'s owner');
    const due = Date.parse(call.due_at);
    assert.ok(due >= t0 + 2 * DAY - 1000 && due <= Date.now() + 2 * DAY + 1000, call.due_at);
    assert.equal(close.subject, `Before close of ${tag}`);
    assert.equal(close.owner_id, m1.id);
    assert.equal(close.priority, 'normal');
    assert.equal(Date.parse(close.due_at), Date.parse('2031-05-17T09:00:00Z'), 'a date counts from 09:00 UTC');
    // The tasks were made via the rule.
    assert.equal((await history('activities', call.id)).find((x) => x.action === 'create').via, `rule: ${r.name}`);
  });

  test('send_email: an e-mail from a template to the record\'s person and to its owner', async () => {
    const tpl = await create(admin, 'email_templates', { name: uniq('tpl'), subject: 'Welcome {{contact.first_name}}', body_text: 'Hello {{contact.first_name}}' });
    const tag = uniq('Mail');
    const r = await rule({
      entity: 'contacts', trigger: 'created', conditions: `last_name=${tag}`,
      actions: [
        { type: 'send_email', template_id: tpl.id, to: 'record' },
        { type: 'send_email', template_id: tpl.id, to: 'owner' },
      ],
    });
    const c = await create(admin, 'contacts', { first_name: 'Mia', last_name: tag, email: 'mia@example.org', owner_id: repUser.id });
    const [run] = await settled(r.id, 1);
    assert.equal(run.status, 'done', JSON.stringify(run.detail));
    const mails = (await admin.get(`/emails?contact_id=${c.id}`)).body.data;
    assert.deepEqual(mails.map((m) => m.to_addresses).sort(), ['mia@example.org', 'wfrep@example.com']);
    for (const m of mails) {
      assert.equal(m.subject, 'Welcome Mia');
      assert.equal(m.owner_id, repUser.id);
    }
    // An owner without an address: that action fails, the other goes.
    const c2 = await create(admin, 'contacts', { first_name: 'Noa', last_name: tag, email: 'noa@example.org', owner_id: rep2User.id });
    const runs = await settled(r.id, 2);
    const last = runs[1];
    assert.equal(last.record_id, c2.id);
    assert.equal(last.status, 'failed');
    assert.deepEqual(last.detail, [
      { action: 'send_email', ok: true },
      { action: 'send_email', ok: false, message: 'the record\'s owner has no e-mail address' },
    ]);
    assert.deepEqual((await admin.get(`/emails?contact_id=${c2.id}`)).body.data.map((m) => m.to_addresses), ['noa@example.org']);
    // A deal's e-mail goes to its contact ("record" is the default); an account without
    // a contact has nobody to write to: the run says why.
    const rd = await rule({
      entity: 'opportunities', trigger: 'created', conditions: `name=${tag}`,
      actions: [{ type: 'send_email', template_id: tpl.id }],
    });
    const ra = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name=${tag}`,
      actions: [{ type: 'send_email', template_id: tpl.id, to: 'record' }],
    });
    const acc = await create(admin, 'accounts', { name: tag });
    const [ar] = await settled(ra.id, 1);
    assert.equal(ar.status, 'failed');
    assert.equal(ar.detail[0].ok, false);
    assert.match(ar.detail[0].message, /to_addresses/);
    const deal = await create(admin, 'opportunities', { name: tag, account_id: acc.id, contact_id: c.id });
    const [dr] = await settled(rd.id, 1);
    assert.equal(dr.status, 'done', JSON.stringify(dr.detail));
    assert.deepEqual((await admin.get(`/emails?deal_id=${deal.id}`)).body.data.map((m) => [m.to_addresses, m.subject]), [['mia@example.org', 'Welcome Mia']]);
  });

  test('notify: the owner, or a list of users, with the record\'s fields in the message', async () => {
    const tag = uniq('Notify');
    const r = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name=${tag}`,
      actions: [
        { type: 'notify', message: 'New account {{name}} in {{billing_city}}', to: 'owner' },
        { type: 'notify', message: 'FYI: {{name}}', to: [m1.id, m2.id] },
      ],
    });
    const a = await create(admin, 'accounts', { name: tag, billing_city: '上海', owner_id: repUser.id });
    const mine = await eventually(async () => (await notes(rep)).find((x) => x.record_id === a.id && x.kind === 'alert'), 10000, 'the owner\'s alert');
    assert.equal(mine.text, `New account ${tag} in 上海`);
    assert.equal(mine.entity, 'accounts');
    // m1 is told about the rep's account only if m1 may read it.
    const c1 = await login(srv.base, 'wfm1', 'password-123');
    await settled(r.id, 1);
    const reads = (await c1.get(`/accounts/${a.id}`)).status === 200;
    assert.equal((await notes(c1)).some((x) => x.record_id === a.id), reads);
    // An account they may read (their own) reaches them.
    const own = await create(admin, 'accounts', { name: tag, owner_id: m1.id });
    const n1 = await eventually(async () => (await notes(c1)).find((x) => x.record_id === own.id && x.text === `FYI: ${tag}`), 10000, 'm1 told');
    assert.equal(n1.kind, 'alert');
  });

  test('webhook: refused until the allow-list names 127.0.0.1, then the rule\'s body posted', async () => {
    const tag = uniq('Hook');
    const r = await rule({
      name: 'Tell the ERP', entity: 'accounts', trigger: 'created', conditions: `name=${tag}`,
      actions: [{ type: 'webhook', url: rx.url('/rule') }],
    });
    assert.equal((await admin.patch('/automation/settings', { allow_list: null })).status, 200);
    const a = await create(admin, 'accounts', { name: tag });
    let [run] = await settled(r.id, 1);
    assert.equal(run.status, 'failed');
    assert.equal(run.detail[0].action, 'webhook');
    assert.equal(run.detail[0].ok, false);
    assert.match(run.detail[0].message, /not called unless an administrator allows it|not allowed/);
    assert.equal(rx.at('/rule').length, 0, 'nothing reached the receiver');

    assert.equal((await admin.patch('/automation/settings', { allow_list: '127.0.0.1' })).status, 200);
    const b = await create(admin, 'accounts', { name: tag, billing_city: '北京' });
    const runs = await settled(r.id, 2);
    assert.equal(runs[1].record_id, b.id);
    assert.equal(runs[1].detail[0].message, 'HTTP 200');
    const hits = rx.at('/rule');
    assert.equal(hits.length, 1);
    assert.equal(hits[0].method, 'POST');
    assert.match(hits[0].headers['content-type'], /^application\/json/);
    assert.equal(hits[0].headers['x-rapport-event'], 'rule');
    const body = JSON.parse(hits[0].raw);
    assert.deepEqual(Object.keys(body), ['event', 'rule_id', 'rule', 'entity', 'occurred_at', 'record']);
    assert.equal(body.event, 'rule');
    assert.equal(body.rule_id, r.id);
    assert.equal(body.rule, 'Tell the ERP');
    assert.equal(body.entity, 'accounts');
    assert.match(body.occurred_at, RFC3339_Z_RE);
    assert.equal(body.record.id, b.id);
    assert.equal(body.record.name, tag);
    assert.equal(body.record.billing_city, '北京');
    assert.notEqual(body.record.id, a.id);

    // A receiver answering 500: the run failed, with the answer.
    const f = await rule({ entity: 'accounts', trigger: 'created', conditions: `name=${tag}-fail`, actions: [{ type: 'webhook', url: rx.url('/fail') }] });
    await create(admin, 'accounts', { name: `${tag}-fail` });
    const [fr] = await settled(f.id, 1);
    assert.equal(fr.status, 'failed');
    assert.deepEqual(fr.detail, [{ action: 'webhook', ok: false, message: 'HTTP 500' }]);
    assert.equal(rx.at('/fail').length, 1, 'called once, not retried');
  });

  test('webhook: a 2xx answer is a success in the run log',
    async () => {
      assert.equal((await admin.patch('/automation/settings', { allow_list: '127.0.0.1' })).status, 200);
      const tag = uniq('Hook ok');
      const r = await rule({ entity: 'accounts', trigger: 'created', conditions: `name=${tag}`, actions: [{ type: 'webhook', url: rx.url('/ok') }] });
      await create(admin, 'accounts', { name: tag });
      const [run] = await settled(r.id, 1);
      assert.equal(rx.at('/ok').length, 1);
      assert.deepEqual(run.detail, [{ action: 'webhook', ok: true, message: 'HTTP 200' }]);
      assert.equal(run.status, 'done');
    });

  test('create_record: a related record with the link field, its owner, and the depth it carries', async () => {
    const tag = uniq('Spawn');
    const r = await rule({
      entity: 'accounts', trigger: 'created', conditions: `name=${tag}`,
      actions: [
        { type: 'create_record', entity: 'contacts', values: { last_name: 'Buyer at {{name}}', title: 'Buyer' }, link_field: 'account_id' },
        { type: 'create_record', entity: 'opportunities', values: { name: 'First order of {{name}}', amount: 1000 }, link_field: 'account_id' },
        { type: 'create_record', entity: 'accounts', values: {} },
      ],
    });
    // The new contact fires the contacts' rules in turn, one level deeper.
    const child = await rule({
      entity: 'contacts', trigger: 'created', conditions: `last_name=Buyer at ${tag}`,
      actions: [{ type: 'set_fields', values: { department: 'Purchasing' } }],
    });
    const a = await create(admin, 'accounts', { name: tag, owner_id: repUser.id });
    const [run] = await settled(r.id, 1);
    assert.equal(run.status, 'failed', 'the account without a name is refused');
    assert.deepEqual(run.detail.map((x) => [x.action, x.ok]), [['create_record', true], ['create_record', true], ['create_record', false]]);
    assert.match(run.detail[2].message, /name/);
    const contacts = (await admin.get(`/contacts?account_id=${a.id}`)).body.data;
    assert.equal(contacts.length, 1);
    assert.equal(contacts[0].last_name, `Buyer at ${tag}`);
    assert.equal(contacts[0].title, 'Buyer');
    assert.equal(contacts[0].owner_id, repUser.id, 'owned by the record\'s owner');
    assert.equal(contacts[0].department, 'Purchasing');
    const deals = (await admin.get(`/opportunities?account_id=${a.id}`)).body.data;
    assert.equal(deals.length, 1);
    assert.equal(deals[0].name, `First order of ${tag}`);
    assert.equal(deals[0].amount, '1000.00');
    const [cr] = await settled(child.id, 1);
    assert.equal(cr.record_id, contacts[0].id);
    assert.equal(cr.depth, 1, 'the job carries the run\'s depth');
    assert.equal((await history('contacts', contacts[0].id)).find((x) => x.field === 'department').via, `rule: ${child.name}`);
  });

  // ---- depth ----

  test('depth limit: a rule changing its own record stops at depth 3 with a depth_limit run', async () => {
    const tag = uniq('Deep');
    const r = await rule({
      entity: 'contacts', trigger: 'updated', conditions: `last_name=${tag}`,
      actions: [{ type: 'set_fields', values: { description: '{{description}}+' } }],
    });
    const c = await create(admin, 'contacts', { last_name: tag, description: 'd' });
    const p = await admin.patch(`/contacts/${c.id}`, { title: 'Go' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.description, 'd+++', 'three levels of changes, in the answer');
    const runs = (await settled(r.id, 4)).sort((x, y) => x.depth - y.depth);
    assert.deepEqual(runs.map((x) => [x.depth, x.status]), [[0, 'done'], [1, 'done'], [2, 'done'], [3, 'depth_limit']]);
    assert.deepEqual(runs[3].detail, [{ action: 'stop', ok: false, message: 'rules fired by rules stop at this depth' }]);
    assert.equal((await admin.get(`/contacts/${c.id}`)).body.description, 'd+++');
    const via = (await history('contacts', c.id)).filter((x) => x.field === 'description' && x.action === 'update');
    assert.equal(via.length, 3);
    assert.ok(via.every((x) => x.via === `rule: ${r.name}`));
    assert.equal((await admin.get(`/workflows/${r.id}`)).body.runs, 4);
  });

  test('depth limit: two rules flipping a field back and forth stop too', async () => {
    const tag = uniq('Flip');
    const a = await rule({
      entity: 'contacts', trigger: 'updated', conditions: `last_name=${tag}&department=ping`,
      actions: [{ type: 'set_fields', values: { department: 'pong' } }],
    });
    const b = await rule({
      entity: 'contacts', trigger: 'updated', conditions: `last_name=${tag}&department=pong`,
      actions: [{ type: 'set_fields', values: { department: 'ping' } }],
    });
    const c = await create(admin, 'contacts', { last_name: tag });
    const p = await admin.patch(`/contacts/${c.id}`, { department: 'ping' });
    assert.equal(p.status, 200, p.text);
    assert.ok(['ping', 'pong'].includes(p.body.department));
    await sleep(200);
    const runs = [...await runsOf(a.id), ...await runsOf(b.id)];
    assert.ok(runs.length >= 4, JSON.stringify(runs.map((x) => [x.depth, x.status])));
    assert.ok(runs.every((x) => x.depth <= 3));
    assert.ok(runs.some((x) => x.status === 'depth_limit'));
    assert.ok(runs.filter((x) => x.status === 'depth_limit').every((x) => x.depth === 3));
    assert.ok(runs.filter((x) => x.depth < 3).every((x) => x.status === 'done'));
    assert.equal((await admin.get(`/contacts/${c.id}`)).body.department, p.body.department);
  });

  // ---- dry run ----

  test('try: what a rule would do on a record, nothing saved, logged, queued or told', async () => {
    const tag = uniq('Try');
    const r = await rule({
      entity: 'contacts', trigger: 'field_changed', trigger_field: 'title', conditions: `last_name=${tag}&title=CEO`,
      actions: [
        { type: 'set_fields', values: { department: 'Board of {{last_name}}', do_not_call: true } },
        { type: 'assign', user_id: repUser.id },
        { type: 'notify', message: 'x', to: [repUser.id] },
        { type: 'create_task', subject: 'x' },
      ],
    });
    const c = await create(admin, 'contacts', { last_name: tag, title: 'CEO', department: 'Sales' });
    assert.equal(c.department, `Board of ${tag}`, 'fired on the create (the title given)');
    await settled(r.id, 1);
    // Make it look as before, with the rule off, then try it.
    await admin.patch(`/workflows/${r.id}`, { active: false });
    const base = (await admin.patch(`/contacts/${c.id}`, { department: 'Sales', do_not_call: false, owner_id: admin.user.id })).body;
    const runsBefore = await runsOf(r.id);
    const hBefore = await history('contacts', c.id);
    const notesBefore = (await notes(rep)).length;
    const tasksBefore = (await admin.get('/activities?count=true&limit=1')).body.total;
    const wBefore = (await admin.get(`/workflows/${r.id}`)).body;

    const t = await admin.post(`/workflows/${r.id}/try`, { record_id: c.id });
    assert.equal(t.status, 200, t.text);
    assert.equal(t.body.matched, true, 'an inactive rule can be tried');
    assert.deepEqual(t.body.changes, {
      department: { old: 'Sales', new: `Board of ${tag}` },
      do_not_call: { old: 'false', new: 'true' },
      owner_id: { old: admin.user.id, new: repUser.id },
    });
    assert.deepEqual(t.body.actions, [
      { action: 'set_fields', ok: true },
      { action: 'assign', ok: true },
      { action: 'notify', ok: true, message: 'would run after the change is saved' },
      { action: 'create_task', ok: true, message: 'would run after the change is saved' },
    ]);
    await sleep(500);
    const now = (await admin.get(`/contacts/${c.id}`)).body;
    assert.deepEqual(now, base, 'the record is unchanged');
    assert.deepEqual(await history('contacts', c.id), hBefore);
    assert.deepEqual(await runsOf(r.id), runsBefore);
    assert.equal((await notes(rep)).length, notesBefore);
    assert.equal((await admin.get('/activities?count=true&limit=1')).body.total, tasksBefore);
    const wAfter = (await admin.get(`/workflows/${r.id}`)).body;
    assert.equal(wAfter.runs, wBefore.runs);
    assert.equal(wAfter.last_run_at, wBefore.last_run_at);

    // Not matching: nothing would happen.
    const other = await create(admin, 'contacts', { last_name: tag, title: 'Intern' });
    const t2 = await admin.post(`/workflows/${r.id}/try`, { record_id: other.id });
    assert.equal(t2.status, 200, t2.text);
    assert.deepEqual(t2.body, { matched: false, actions: [], changes: {} });

    // A time-based rule, whatever its trigger; a set_fields the record refuses.
    const timed = await rule({
      entity: 'contacts', trigger: 'date', trigger_field: 'birthday', offset_amount: 1,
      actions: [{ type: 'set_fields', values: { email: 'nope' } }, { type: 'set_fields', values: { title: 'Tried' } }],
    });
    const t3 = await admin.post(`/workflows/${timed.id}/try`, { record_id: other.id });
    assert.equal(t3.status, 200, t3.text);
    assert.equal(t3.body.matched, true);
    assert.equal(t3.body.actions[0].ok, false);
    assert.match(t3.body.actions[0].message, /email/);
    assert.deepEqual(t3.body.changes, { title: { old: 'Intern', new: 'Tried' } });
    assert.equal((await admin.get(`/contacts/${other.id}`)).body.title, 'Intern');
    assert.deepEqual(await runsOf(timed.id), []);

    // Bad calls.
    assertProblem(await admin.post(`/workflows/${r.id}/try`, {}), 422);
    let e = await admin.post(`/workflows/${r.id}/try`, { record_id: '0190a0b0-0000-7000-8000-000000000000' });
    assertProblem(e, 422);
    assert.equal(e.body.errors[0].field, 'record_id');
    e = await admin.post(`/workflows/${r.id}/try`, { record_id: c.id, save: true });
    assertProblem(e, 422);
    assertProblem(await admin.post('/workflows/0190a0b0-0000-7000-8000-000000000000/try', { record_id: c.id }), 404);
    const acc = await create(admin, 'accounts', { name: uniq('Not a contact') });
    assertProblem(await admin.post(`/workflows/${r.id}/try`, { record_id: acc.id }), 422, 'a record of another entity');
  });

  // ---- inactive, deleted ----

  test('an inactive rule does nothing until switched on; a deleted rule nothing at all', async () => {
    const tag = uniq('Off');
    const r = await rule({
      entity: 'contacts', trigger: 'created', active: false, conditions: `last_name=${tag}`,
      actions: [{ type: 'set_fields', values: { title: 'on' } }, { type: 'notify', message: 'on', to: [repUser.id] }],
    });
    assert.equal(r.active, false);
    const c = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c.title, null);
    await sleep(300);
    assert.deepEqual(await runsOf(r.id), []);
    assert.ok(!(await notes(rep)).some((x) => x.record_id === c.id));
    assert.equal((await admin.get(`/workflows/${r.id}`)).body.runs, null);
    assert.equal((await admin.patch(`/workflows/${r.id}`, { active: true })).status, 200);
    const c2 = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c2.title, 'on');
    await settled(r.id, 1);
    assert.equal((await admin.del(`/workflows/${r.id}`)).status, 204);
    const c3 = await create(admin, 'contacts', { last_name: tag });
    assert.equal(c3.title, null);
    await sleep(300);
    assert.equal((await runsOf(r.id)).length, 1);
    made = made.filter((id) => id !== r.id);
  });

  // ---- the minute has passed ----

  test('no_activity after a minute: the idle record fires once, the one touched by an activity does not; the date field rule fires once', async () => {
    const { rule: r, quiet, busy, touch, start } = idle;
    const note = await touch;
    assert.equal(note.related_id, busy.id);
    await sleep(Math.max(0, start + MIN + 2000 - Date.now()));
    await sweep();
    const runs = await settled(r.id, 1);
    assert.equal(runs[0].record_id, quiet.id);
    assert.equal(runs[0].trigger, 'no_activity');
    assert.equal(runs[0].status, 'done');
    assert.ok(runs[0].fire_key.includes(quiet.id), runs[0].fire_key);
    assert.deepEqual(runs[0].detail, [{ action: 'notify', ok: true }]);
    const told = (await notes(rep)).filter((x) => x.record_id === quiet.id && x.kind === 'alert');
    assert.deepEqual(told.map((x) => x.text), [`Nobody touched Quiet ${quiet.last_name}`]);
    // Busy's idle spell began with its note: whatever fires later fires for that spell.
    assert.ok((await runsOn(busy.id)).every((x) => !x.fire_key.includes(busy.updated_at)), 'not for the spell before the note');
    await sweep();
    await sleep(300);
    assert.equal((await runsOf(r.id)).filter((x) => x.record_id === quiet.id).length, 1, 'once per idle spell');

    if (!dated) return;
    const { rule: dr, deal, early, due } = dated;
    await sleep(Math.max(0, due + 1000 - Date.now()));
    await sweep();
    const dr1 = await settled(dr.id, 1);
    assert.equal(dr1[0].record_id, deal.id);
    assert.ok(dr1[0].fire_key.includes(deal.expected_close_date), dr1[0].fire_key);
    assert.equal((await admin.get(`/opportunities/${deal.id}`)).body.next_step, `Due ${deal.expected_close_date}`);
    assert.deepEqual(await runsOn(early.id), []);
    await sweep();
    assert.equal((await runsOf(dr.id)).length, 1);
  });
});
