// Administration › Automation › Rules, as an administrator meets it: the sub-navigation
// between webhooks and rules; a rule built through the guided form on contacts —
// trigger "created", one condition group (last name is a unique tag), set the title to
// "VIP {{first_name}}" and create a task "Call {{first_name}}" due in 2 days — saved as
// the API's text and JSON; a contact created through the API that matches and one that
// does not: one run in the rule's log (done, both actions), the contact's title and its
// history "by rule “…”"; "Try on a record": the other contact did not match, the
// matching one would change its title; an edit adding a second group (a pattern with a
// space and an ampersand, URL-encoded) and moving an action, both groups back after a
// reload; conditions the rows cannot show edited as text; a date trigger without an
// amount refused beside it (and gaps caught before sending), the date rule saved and
// the time-based check run; switched off and deleted; the screens in Chinese (no
// English left). A rule's name holds markup: shown as text. An accessible name on
// every control; no CSP violation or script error. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('workflows');
const { step, signIn, go } = ui;
let srv, admin, page;
const RULE = 'VIP 联系人 <img src=x onerror=alert(1)>';
const DATED = '生日祝福 <b>bold</b>';
// Tags of this run: Chinese and digits, so that the Chinese screens show no English.
const n = String(Date.now()).slice(-8);
const TAG = `贵宾${n}`;
const OTHER = `普通${n}`;
const PATTERN = 'Zed & Co*';
const ids = {};
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const optionsOf = (select) => select.locator('option').allTextContents();
const valuesOf = (select) => select.locator('option').evaluateAll((os) => os.map((o) => o.value));

// Words the same in both languages, and the data's own texts (the title and subject
// the rule writes, as the brief has them).
const ALLOWED = new Set(['Rapport', 'Webhook', 'URL', 'ID', 'JSON', 'http', 'https', 'VIP', 'Call', 'Zed']);
const DATA = new Set([RULE, DATED, 'Administrator']);
// The visible texts of the page's main region outside code and inputs (and text marked
// as another language on purpose) with English words in them.
async function english() {
  await page.waitForLoadState('networkidle');
  const texts = await page.evaluate(() => {
    const out = [];
    const root = document.querySelector('main');
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const shown = (el) => (el.closest('select') ? el.closest('select').checkVisibility() : el.checkVisibility());
    for (let x = walk.nextNode(); x; x = walk.nextNode()) {
      const el = x.parentElement;
      if (!x.nodeValue.trim() || el.closest('textarea, code, kbd, samp, script, style') || !shown(el)) continue;
      if (el.closest('[lang]') && el.closest('[lang]').lang !== document.documentElement.lang) continue;
      out.push(x.nodeValue.trim());
    }
    for (const el of root.querySelectorAll('[placeholder], [title], [aria-label]')) {
      for (const a of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
    }
    return out;
  });
  return texts.filter((x) => !DATA.has(x) && ![...DATA].some((d) => x.includes(d)))
    .filter((x) => (x.match(/[A-Za-z]{3,}/g) || []).some((w) => !ALLOWED.has(w)));
}

describe('automation: workflow rules UI', () => {
  before(async () => {
    srv = await startServer({ env: { RAPPORT_JOB_POLL_MS: '100' } });
    admin = await loginAdmin(srv.base);
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('Administration › Automation: the sub-navigation leads to the rules and back to the webhooks', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await go('/admin/automation');
    const parts = page.getByRole('navigation', { name: 'Parts of automation' });
    assert.equal(await parts.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current'), 'page');
    await page.getByRole('region', { name: 'Webhooks' }).getByText('No webhooks yet.').waitFor();
    await parts.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('region', { name: 'Workflow rules' }).getByText('No rules yet.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/automation/rules');
    assert.equal(await parts.getByRole('link', { name: 'Rules' }).getAttribute('aria-current'), 'page');
    assert.equal(await parts.getByRole('link', { name: 'Webhooks' }).getAttribute('aria-current'), null);
    const tabs = page.getByRole('navigation', { name: 'Administration' });
    assert.equal(await tabs.getByRole('link', { name: 'Automation' }).getAttribute('aria-current'), 'page');
    await page.getByRole('button', { name: 'Run time-based rules now' }).waitFor();
    // The webhook routes still work.
    await parts.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'New webhook' }).click();
    await page.getByRole('form', { name: 'New webhook' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/automation/new');
    await parts.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('region', { name: 'Workflow rules' }).waitFor();
  });

  step('a rule built through the form: contacts created, one condition group, set the title, create a task', async () => {
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/automation/rules/new');
    await form.getByText('Choose the records first').waitFor();
    // The kinds of record, by name; the automation module's own are not among them.
    const kinds = await optionsOf(form.getByLabel('Records'));
    for (const x of ['Accounts', 'Contacts', 'Opportunities', 'Cases']) assert.ok(kinds.includes(x), `${x} in ${kinds}`);
    assert.ok(!kinds.some((x) => /webhook|rule/i.test(x)), String(kinds));
    // Nothing filled in: the name and the records are asked for before anything is sent.
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.getByText('Name is required').waitFor();
    await form.getByText('Records is required').waitFor();

    await form.getByLabel('Name', { exact: true }).fill(RULE);
    await form.getByLabel('Records').selectOption({ label: 'Contacts' });
    assert.equal(await form.getByText('Name is required').count(), 0);
    const trigger = form.getByLabel('Trigger', { exact: true });
    assert.deepEqual(await optionsOf(trigger), ['Record created', 'Record updated', 'A field changed', 'Record deleted',
      'Record restored', 'Before or after a date', 'No activity for a while']);
    await form.getByText('In words: When a Contact is created').waitFor();
    // A field changed: the field (the owner too) and the value it changes to, with the
    // field's own choices.
    await trigger.selectOption({ label: 'A field changed' });
    const field = form.getByRole('group', { name: 'When' }).getByLabel('Field', { exact: true });
    const fields = await optionsOf(field);
    for (const x of ['Salutation', 'Last name', 'Birthday', 'Owner']) assert.ok(fields.includes(x), `${x} in ${fields}`);
    await field.selectOption({ label: 'Salutation' });
    const to = form.getByLabel('Changed to');
    assert.deepEqual(await optionsOf(to), ['— any value —', 'Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.']);
    await form.getByText('In words: When a Contact\'s Salutation changes').waitFor();
    await to.selectOption({ label: 'Dr.' });
    await form.getByText('In words: When a Contact\'s Salutation changes to Dr.').waitFor();
    await trigger.selectOption({ label: 'Record created' });
    assert.equal(await form.getByLabel('Changed to').count(), 0);

    // The condition group.
    const group = form.getByRole('group', { name: 'Group 1: all of these' });
    const cond = group.getByRole('group', { name: 'Condition 1' });
    await cond.getByLabel('Field', { exact: true }).selectOption({ label: 'Last name' });
    assert.deepEqual(await optionsOf(cond.getByLabel('Operator')), ['is', 'is not', 'is less than', 'is at most',
      'is more than', 'is at least', 'is one of', 'matches', 'is empty or not']);
    await cond.getByLabel('Value', { exact: true }).fill(TAG);

    // The actions: set the title, then a task.
    await form.getByLabel('Next action').selectOption({ label: 'Set fields' });
    await form.getByRole('button', { name: 'Add action' }).click();
    const set = form.getByRole('group', { name: 'Action 1: Set fields' });
    await page.waitForFunction(() => document.activeElement?.closest('[data-action]') !== null); // the new action has the focus
    const row = set.getByRole('group', { name: 'Value 1' });
    await row.getByLabel('Field', { exact: true }).selectOption({ label: 'Title' });
    await row.getByLabel('Value', { exact: true }).fill('VIP {{first_name}}');
    await form.getByLabel('Next action').selectOption({ label: 'Create a task' });
    await form.getByRole('button', { name: 'Add action' }).click();
    const task = form.getByRole('group', { name: 'Action 2: Create a task' });
    // Nothing but the kind: the gap is named before sending.
    await form.getByRole('button', { name: 'Create rule' }).click();
    await task.getByText('The task needs a subject.').waitFor();
    await task.getByLabel('Subject').fill('Call {{first_name}}');
    assert.ok(await task.getByLabel('In a number of days').isChecked());
    await task.getByLabel('Days from now').fill('2');
    const then = form.getByRole('group', { name: 'Then' });
    await then.getByText('The placeholders of Contacts').click();
    await then.locator('ul.wf-ph li').filter({ hasText: '{{first_name}} First name' }).waitFor();

    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { name: RULE, level: 2 }).waitFor();
    const m = new RegExp(`^/admin/automation/rules/(${UUID})$`).exec(new URL(page.url()).pathname);
    assert.ok(m, page.url());
    ids.rule = m[1];
    await page.getByText(`Rule “${RULE}” created.`).waitFor();
    const rule = (await admin.get(`/workflows/${ids.rule}`)).body;
    assert.deepEqual(
      [rule.name, rule.entity, rule.active, rule.trigger, rule.trigger_field, rule.trigger_value, rule.conditions],
      [RULE, 'contacts', true, 'created', null, null, `last_name=${encodeURIComponent(TAG)}`],
    );
    assert.deepEqual(rule.actions, [
      { type: 'set_fields', values: { title: 'VIP {{first_name}}' } },
      { type: 'create_task', subject: 'Call {{first_name}}', due_in_days: 2 },
    ]);
    // The rule in words.
    const def = page.getByRole('region', { name: 'What it does' });
    await def.getByText('When a Contact is created').waitFor();
    await def.getByText(`Last name is ${TAG}`).waitFor();
    await def.getByText('Set Title to VIP {{first_name}}').waitFor();
    await def.getByText('Create the task Call {{first_name}}, due in 2 days, for its owner').waitFor();
    assert.equal(await page.locator('main img').count(), 0, 'the name is text');
    await page.getByRole('region', { name: 'Run log' }).getByText('No runs yet.').waitFor();
  });

  step('contacts created through the API: the matching one gets its title, and one run is logged', async () => {
    const match = await create(admin, 'contacts', { first_name: '安', last_name: TAG });
    const other = await create(admin, 'contacts', { first_name: '博', last_name: OTHER });
    ids.match = match.id;
    ids.other = other.id;
    assert.equal(match.title, 'VIP 安', 'the create\'s own answer shows the rule\'s change');
    assert.equal(other.title, null);

    const log = page.getByRole('region', { name: 'Run log' });
    const row = log.locator('tr[data-run]');
    await until('the run, done', async () => {
      if (await row.filter({ hasText: 'Done' }).count()) return true;
      await log.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(300);
      return false;
    });
    assert.equal(await row.count(), 1, 'the other contact did not fire it');
    assert.equal(await row.getByRole('link', { name: `${TAG}安` }).getAttribute('href'), `/r/contacts/${match.id}`);
    await row.getByRole('cell', { name: 'Record created', exact: true }).waitFor();
    await row.getByRole('cell', { name: '0', exact: true }).waitFor(); // depth
    const detail = await row.locator('ul.wf-detail li').allTextContents();
    assert.deepEqual(detail.map((x) => x.trim()), ['Set fields done', 'Create a task done']);
    // The filter.
    await page.getByLabel('Show runs').selectOption({ label: 'Failed' });
    await log.getByText('No runs with this status.').waitFor();
    await page.getByLabel('Show runs').selectOption({ label: 'All' });
    await row.first().waitFor();
    // The run count, on the page (read again once the run settled) and in the list.
    await page.getByRole('region', { name: 'What it does' }).locator('dd').filter({ hasText: /^1$/ }).waitFor();
    const runs = (await admin.get(`/workflow_runs?workflow_id=${ids.rule}`)).body.data;
    assert.deepEqual(runs.map((r) => [r.record_id, r.status, r.trigger, r.depth]), [[match.id, 'done', 'created', 0]]);
    ids.run = runs[0].id;
    // A rule or a run opened as a record goes to the rule's page.
    await go(`/r/workflow_runs/${runs[0].id}`);
    await until('the rule page', async () => new URL(page.url()).pathname === `/admin/automation/rules/${ids.rule}`);
    await page.getByRole('heading', { name: RULE, level: 2 }).waitFor();
    await go(`/r/workflows/${ids.rule}`);
    await until('the rule page', async () => new URL(page.url()).pathname === `/admin/automation/rules/${ids.rule}`);
    await page.getByRole('region', { name: 'Run log' }).locator('tr[data-run]').waitFor();
    const tasks = (await admin.get(`/activities?related_id=${match.id}`)).body.data;
    assert.deepEqual(tasks.map((x) => [x.type, x.subject]), [['task', 'Call 安']]);
    assert.ok(Math.abs(Date.parse(tasks[0].due_at) - Date.now() - 2 * 86400000) < 86400000, tasks[0].due_at);

    await page.getByRole('link', { name: 'All rules' }).click();
    const list = page.getByRole('region', { name: 'Workflow rules' });
    const item = list.locator(`tr[data-rule="${ids.rule}"]`);
    await item.waitFor();
    assert.deepEqual(await list.getByRole('columnheader').allTextContents(), ['Name', 'Records', 'When', 'Active', 'Runs', 'Last run']);
    await item.getByRole('cell', { name: 'Contacts', exact: true }).waitFor();
    await item.getByRole('cell', { name: 'When a Contact is created', exact: true }).waitFor();
    await item.getByText('Active', { exact: true }).waitFor();
    await item.getByRole('cell', { name: '1', exact: true }).waitFor();
    assert.equal(await item.getByRole('link', { name: RULE }).getAttribute('href'), `/admin/automation/rules/${ids.rule}`);
    assert.equal(await page.locator('main img').count(), 0);
  });

  step('the contact: its title, and in its history the change made by the rule', async () => {
    await go(`/r/contacts/${ids.match}`);
    await page.getByRole('heading', { name: `${TAG}安`, level: 1 }).waitFor();
    await page.getByRole('main').locator('.field').filter({ hasText: 'Title' }).getByText('VIP 安').waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    const change = page.locator('ol.history li').filter({ hasText: 'VIP 安' });
    await change.filter({ hasText: `by rule “${RULE}”` }).first().waitFor();
    assert.equal(await page.locator('main img').count(), 0, 'the rule\'s name is text in the history');
  });

  step('Try on a record: the other contact did not match; the matching one would change its title', async () => {
    // The title changed by hand: the rule would set it again.
    assert.equal((await admin.patch(`/contacts/${ids.match}`, { title: 'Buyer' })).status, 200);
    await go(`/admin/automation/rules/${ids.rule}`);
    const box = page.getByRole('region', { name: 'Try on a record' });
    await box.getByText('The ones changed last are listed').waitFor();
    await box.getByRole('button', { name: `Try the rule on ${OTHER}博` }).waitFor(); // the newest, before any search
    await box.getByLabel('Find among Contacts').fill(OTHER);
    await box.getByRole('button', { name: `Try the rule on ${OTHER}博` }).click();
    await box.getByRole('status').filter({ hasText: /did not match: its conditions do not hold, so the rule would do nothing\./ }).waitFor();
    assert.equal(await box.getByRole('status').getByRole('link', { name: `${OTHER}博` }).getAttribute('href'), `/r/contacts/${ids.other}`);

    await box.getByLabel('Find among Contacts').fill(TAG);
    await box.getByRole('button', { name: `Try the rule on ${TAG}安` }).click();
    const said = box.getByRole('status').filter({ hasText: 'matched: the rule would do this.' });
    await said.waitFor();
    const changes = said.getByRole('table', { name: `What would change on ${TAG}安` });
    assert.deepEqual(await changes.locator('tbody tr').allInnerTexts(), ['Title\tBuyer\tVIP 安']);
    const acts = (await said.locator('ul.wf-detail li').allTextContents()).map((x) => x.trim());
    assert.deepEqual(acts, ['Set fields would work', 'Create a task would work (in the background, after the change is saved)']);
    // Nothing saved, nothing logged.
    assert.equal((await admin.get(`/contacts/${ids.match}`)).body.title, 'Buyer');
    assert.equal((await admin.get(`/workflow_runs?workflow_id=${ids.rule}`)).body.data.length, 1);
  });

  step('edit: a second condition group and an action moved; both groups come back after a reload', async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: `Edit rule ${RULE}` });
    await form.waitFor();
    assert.equal(new URL(page.url()).pathname, `/admin/automation/rules/${ids.rule}/edit`);
    // As saved.
    assert.equal(await form.getByLabel('Records').inputValue(), 'contacts');
    const first = form.getByRole('group', { name: 'Group 1: all of these' }).getByRole('group', { name: 'Condition 1' });
    assert.equal(await first.getByLabel('Field', { exact: true }).inputValue(), 'last_name');
    assert.equal(await first.getByLabel('Operator').inputValue(), 'eq');
    assert.equal(await first.getByLabel('Value', { exact: true }).inputValue(), TAG);
    const set = form.getByRole('group', { name: 'Action 1: Set fields' });
    assert.equal(await set.getByLabel('Value', { exact: true }).inputValue(), 'VIP {{first_name}}');
    assert.equal(await form.getByRole('group', { name: 'Action 2: Create a task' }).getByLabel('Days from now').inputValue(), '2');

    await form.getByRole('button', { name: 'Add another group (or)' }).click();
    const second = form.getByRole('group', { name: 'Group 2: all of these' }).getByRole('group', { name: 'Condition 1' });
    await second.getByLabel('Field', { exact: true }).selectOption({ label: 'First name' });
    await second.getByLabel('Operator').selectOption({ label: 'matches' });
    await second.getByText('A pattern: * stands for any text.').waitFor();
    await second.getByLabel('Value', { exact: true }).fill(PATTERN);
    await form.getByRole('button', { name: 'Move action 2 up' }).click();
    await form.getByRole('group', { name: 'Action 1: Create a task' }).waitFor();
    assert.ok(await form.getByRole('button', { name: 'Move action 1 up' }).isDisabled());
    await form.getByRole('button', { name: 'Save' }).click();

    await page.getByRole('heading', { name: RULE, level: 2 }).waitFor();
    await page.getByText('Saved.').waitFor();
    const rule = (await admin.get(`/workflows/${ids.rule}`)).body;
    assert.equal(rule.conditions, `last_name=${encodeURIComponent(TAG)}\nfirst_name[like]=Zed%20%26%20Co*`);
    assert.deepEqual(rule.actions.map((a) => a.type), ['create_task', 'set_fields']);
    await page.reload();
    const def = page.getByRole('region', { name: 'What it does' });
    await def.getByText('One of these:').waitFor();
    assert.deepEqual((await def.locator('ul.wf-groups li').allTextContents()).map((x) => x.trim()),
      [`Last name is ${TAG}`, `or First name matches ${PATTERN}`]);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const again = page.getByRole('form', { name: `Edit rule ${RULE}` });
    const back = again.getByRole('group', { name: 'Group 2: all of these' }).getByRole('group', { name: 'Condition 1' });
    assert.equal(await back.getByLabel('Field', { exact: true }).inputValue(), 'first_name');
    assert.equal(await back.getByLabel('Operator').inputValue(), 'like');
    assert.equal(await back.getByLabel('Value', { exact: true }).inputValue(), PATTERN);
    assert.equal(await again.getByRole('group', { name: 'Group 1: all of these' }).getByLabel('Value', { exact: true }).inputValue(), TAG);
    await again.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: RULE, level: 2 }).waitFor();
  });

  step('conditions the rows cannot show are edited as text', async () => {
    const r = await admin.post('/workflows', {
      name: '按编号排除', entity: 'contacts', trigger: 'updated', active: false,
      conditions: `id[ne]=${ids.other}&last_name=${encodeURIComponent(TAG)}`, actions: [{ type: 'notify', message: '更新了 {{last_name}}' }],
    });
    assert.equal(r.status, 201, r.text);
    ids.raw = r.body.id;
    await go(`/admin/automation/rules/${ids.raw}`);
    await page.getByRole('region', { name: 'What it does' }).locator('pre code').filter({ hasText: `id[ne]=${ids.other}` }).waitFor();
    await page.getByText('Switched off: this rule does nothing.').waitFor();
    await go(`/admin/automation/rules/${ids.raw}/edit`);
    const form = page.getByRole('form', { name: 'Edit rule 按编号排除' });
    const raw = form.getByLabel('Conditions as list filters');
    assert.equal(await raw.inputValue(), `id[ne]=${ids.other}&last_name=${encodeURIComponent(TAG)}`);
    await form.getByRole('button', { name: 'Edit as groups' }).click();
    await form.getByRole('status').filter({ hasText: 'These conditions cannot be shown as rows; edit them as text.' }).waitFor();
    // A bad filter typed there: the server's message beside the text.
    await raw.fill('last_name[zz]=1');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText(/^line 1: /).waitFor();
    assert.equal(await raw.getAttribute('aria-invalid'), 'true');
    await raw.fill(`last_name=${encodeURIComponent(OTHER)}`);
    await form.getByRole('button', { name: 'Edit as groups' }).click();
    const cond = form.getByRole('group', { name: 'Group 1: all of these' }).getByRole('group', { name: 'Condition 1' });
    assert.equal(await cond.getByLabel('Value', { exact: true }).inputValue(), OTHER);
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: '按编号排除', level: 2 }).waitFor();
    assert.equal((await admin.get(`/workflows/${ids.raw}`)).body.conditions, `last_name=${encodeURIComponent(OTHER)}`);
  });

  step('a date trigger without an amount is refused beside it; then saved, and the time-based check run', async () => {
    await go('/admin/automation/rules/new');
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name', { exact: true }).fill(DATED);
    await form.getByLabel('Records').selectOption({ label: 'Contacts' });
    await form.getByLabel('Trigger', { exact: true }).selectOption({ label: 'Before or after a date' });
    const field = form.getByRole('group', { name: 'When' }).getByLabel('Field', { exact: true });
    const dates = await optionsOf(field);
    assert.ok(dates.includes('Birthday'), String(dates));
    assert.ok(!dates.includes('Last name'), 'date fields only');
    await field.selectOption({ label: 'Birthday' });
    assert.deepEqual(await optionsOf(form.getByLabel('Unit')), ['Minutes', 'Hours', 'Days']);
    assert.deepEqual(await optionsOf(form.getByLabel('Before or after')), ['Before', 'After']);
    await form.getByText('In words: … before Birthday').waitFor();
    await form.getByLabel('Next action').selectOption({ label: 'Notify people' });
    await form.getByRole('button', { name: 'Add action' }).click();
    const notify = form.getByRole('group', { name: 'Action 1: Notify people' });
    await notify.getByLabel('Message').fill('{{first_name}} 的生日快到了');
    // A related record: only fields a client may write are offered; an activity's
    // "related to" brings its type with it.
    await form.getByLabel('Next action').selectOption({ label: 'Create a related record' });
    await form.getByRole('button', { name: 'Add action' }).click();
    const rec = form.getByRole('group', { name: 'Action 2: Create a related record' });
    await rec.getByLabel('Kind of record').selectOption({ label: 'Activities' });
    const links = await valuesOf(rec.getByLabel('Link field'));
    assert.ok(links.includes('related_id') && links.includes('series_id') && !links.includes('account_id'), String(links));
    await rec.getByLabel('Link field').selectOption('related_id');
    const typeRow = rec.getByRole('group', { name: 'Value 1' });
    assert.equal(await typeRow.getByLabel('Field', { exact: true }).inputValue(), 'related_type');
    assert.equal(await typeRow.getByLabel('Value', { exact: true }).inputValue(), 'contacts');
    await rec.getByRole('button', { name: 'Add a field' }).click();
    const subjectRow = rec.getByRole('group', { name: 'Value 2' });
    const writable = await valuesOf(subjectRow.getByLabel('Field', { exact: true }));
    assert.ok(writable.includes('subject') && !writable.includes('account_id') && !writable.includes('invitations'), String(writable));
    await subjectRow.getByLabel('Field', { exact: true }).selectOption({ label: 'Subject' });
    await subjectRow.getByLabel('Value', { exact: true }).fill('准备 {{first_name}} 的生日礼物');
    // An e-mail without a template: named before sending; removed again.
    await form.getByLabel('Next action').selectOption({ label: 'Send an e-mail' });
    await form.getByRole('button', { name: 'Add action' }).click();
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.getByRole('group', { name: 'Action 3: Send an e-mail' }).getByText('Choose a template.').waitFor();
    await form.getByRole('button', { name: 'Remove action 3' }).click();
    assert.equal(await form.getByRole('group', { name: /^Action 3/ }).count(), 0);

    const before = (await admin.get('/workflows?count=true&limit=1')).body.total;
    await form.getByRole('button', { name: 'Create rule' }).click();
    const amount = form.getByLabel('How long');
    await form.getByText('How long is needed for a time-based rule').waitFor();
    await form.getByRole('alert').filter({ hasText: 'Some fields need your attention.' }).waitFor();
    assert.equal(await amount.getAttribute('aria-invalid'), 'true');
    assert.match(await amount.getAttribute('aria-describedby'), /\bwf-f-offset_amount-error\b/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'wf-f-offset_amount', 'the amount has the focus');
    assert.equal((await admin.get('/workflows?count=true&limit=1')).body.total, before, 'nothing saved');
    await amount.fill('3');
    assert.equal(await form.getByText('How long is needed for a time-based rule').count(), 0, 'typing clears the error');
    await form.getByText('In words: 3 days before Birthday').waitFor();
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { name: DATED, level: 2 }).waitFor();
    ids.dated = /rules\/([0-9a-f-]{36})$/.exec(page.url())[1];
    const rule = (await admin.get(`/workflows/${ids.dated}`)).body;
    assert.deepEqual([rule.trigger, rule.trigger_field, rule.offset_amount, rule.offset_unit, rule.offset_direction, rule.conditions],
      ['date', 'birthday', 3, 'days', 'before', null]);
    assert.deepEqual(rule.actions, [
      { type: 'notify', message: '{{first_name}} 的生日快到了', to: 'owner' },
      { type: 'create_record', entity: 'activities', link_field: 'related_id',
        values: { related_type: 'contacts', subject: '准备 {{first_name}} 的生日礼物' } },
    ]);
    const def = page.getByRole('region', { name: 'What it does' });
    await def.getByText('3 days before Birthday').waitFor();
    await def.getByText('Always: on every record.').waitFor();
    await def.getByText('Notify its owner: {{first_name}} 的生日快到了').waitFor();
    await def.getByText(/^Create an Activity, with Related to \(type\) to Contact, Subject to 准备 \{\{first_name\}\} 的生日礼物, its Related to pointing at this record$/).waitFor();
    assert.equal(await page.locator('main b').count(), 0, 'the name is text');

    await page.getByRole('link', { name: 'All rules' }).click();
    const timed = page.getByRole('region', { name: 'Time-based rules' });
    await timed.getByRole('button', { name: 'Run time-based rules now' }).click();
    await timed.getByRole('status').filter({ hasText: 'Done: the time-based rules were checked, and those that fell due have run.' }).waitFor();
  });

  step('switched off and on, then deleted (and undone)', async () => {
    await go(`/admin/automation/rules/${ids.dated}`);
    await page.getByRole('heading', { name: DATED, level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Switch off' }).click();
    await page.getByText('Switched off: the rule does nothing until it is switched on.').waitFor();
    await page.getByText('Switched off: this rule does nothing.').waitFor();
    assert.equal((await admin.get(`/workflows/${ids.dated}`)).body.active, false);
    await page.getByRole('button', { name: 'Switch on' }).click();
    await page.getByText('Switched on: the rule acts from now on.').waitFor();
    assert.equal((await admin.get(`/workflows/${ids.dated}`)).body.active, true);
    page.once('dialog', (d) => {
      assert.equal(d.message(), `Delete the rule “${DATED}”? It stops acting at once.`);
      d.accept();
    });
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Moved to the recycle bin.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/automation/rules');
    const list = page.getByRole('region', { name: 'Workflow rules' });
    await list.locator(`tr[data-rule="${ids.rule}"]`).waitFor();
    assert.equal(await list.locator(`tr[data-rule="${ids.dated}"]`).count(), 0);
    assert.equal((await admin.get(`/workflows/${ids.dated}`)).status, 404);
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('heading', { name: DATED, level: 2 }).waitFor();
    assert.equal((await admin.get(`/workflows/${ids.dated}`)).status, 200);
  });

  step('every control has an accessible name', async () => {
    await go(`/admin/automation/rules/${ids.rule}`);
    await page.getByRole('region', { name: 'Try on a record' }).getByRole('button', { name: `Try the rule on ${TAG}安` }).click();
    await page.getByRole('region', { name: 'Try on a record' }).getByRole('status').filter({ hasText: 'matched' }).waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
    await go('/admin/automation/rules/new');
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Records').selectOption({ label: 'Opportunities' });
    await form.getByLabel('Trigger', { exact: true }).selectOption({ label: 'A field changed' });
    await form.getByRole('group', { name: 'When' }).getByLabel('Field', { exact: true }).selectOption({ label: 'Stage' });
    await form.getByLabel('Changed to').selectOption({ label: 'Closed won' });
    await form.getByText('In words: When an Opportunity\'s Stage changes to Closed won').waitFor();
    for (const kind of ['Set fields', 'Assign', 'Create a task', 'Send an e-mail', 'Notify people', 'Call another system', 'Create a related record']) {
      await form.getByLabel('Next action').selectOption({ label: kind });
      await form.getByRole('button', { name: 'Add action' }).click();
    }
    await form.getByRole('group', { name: 'Action 2: Assign' }).getByLabel('A team\'s members').check();
    await form.getByRole('group', { name: 'Action 5: Notify people' }).getByLabel('These users').check();
    await form.getByRole('group', { name: 'Action 5: Notify people' }).getByLabel('Administrator').check();
    assert.deepEqual(await ui.unnamedControls(), []);
    await go(`/admin/automation/rules/${ids.rule}/edit`);
    await page.getByRole('form', { name: `Edit rule ${RULE}` }).waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('the rules in Chinese', async () => {
    await page.getByRole('banner').getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
    await go('/admin/automation/rules');
    const parts = page.getByRole('navigation', { name: '自动化分类' });
    assert.equal(await parts.getByRole('link', { name: '规则' }).getAttribute('aria-current'), 'page');
    await parts.getByRole('link', { name: 'Webhook' }).waitFor();
    const list = page.getByRole('region', { name: '工作流规则' });
    const item = list.locator(`tr[data-rule="${ids.rule}"]`);
    await item.waitFor();
    assert.deepEqual(await list.getByRole('columnheader').allTextContents(), ['名称', '记录类型', '触发条件', '启用', '运行次数', '最近运行']);
    await item.getByRole('cell', { name: '联系人', exact: true }).waitFor();
    await item.getByRole('cell', { name: '联系人创建时', exact: true }).waitFor();
    await item.getByText('已启用', { exact: true }).waitFor();
    await list.locator(`tr[data-rule="${ids.dated}"]`).getByRole('cell', { name: '生日之前 3 天', exact: true }).waitFor();
    await page.getByRole('button', { name: '新建规则' }).waitFor();
    await page.getByRole('region', { name: '定时规则' }).getByRole('button', { name: '立即运行定时规则' }).waitFor();
    assert.deepEqual(await english(), [], 'no English on the list');

    await item.getByRole('link', { name: RULE }).click();
    await page.getByRole('heading', { name: RULE, level: 2 }).waitFor();
    const def = page.getByRole('region', { name: '规则内容' });
    await def.getByText('满足以下任一组：').waitFor();
    await def.getByText(`姓为${TAG}`).waitFor();
    await page.getByRole('button', { name: '编辑' }).waitFor();
    await page.getByRole('button', { name: '停用' }).waitFor();
    const log = page.getByRole('region', { name: '运行记录' });
    const run = log.locator('tr[data-run]');
    await run.getByText('完成', { exact: true }).waitFor();
    assert.deepEqual(await log.getByRole('columnheader').allTextContents(), ['时间', '记录', '触发', '状态', '嵌套层级', '执行情况']);
    await run.getByRole('cell', { name: '记录创建', exact: true }).waitFor();
    const box = page.getByRole('region', { name: '在记录上试运行' });
    await box.getByLabel('在联系人中查找').fill(OTHER);
    await box.getByRole('button', { name: `在 ${OTHER}博 上试运行规则` }).click();
    await box.getByRole('status').filter({ hasText: '不符合：其条件不成立，规则不会执行任何操作。' }).waitFor();
    assert.deepEqual(await english(), [], 'no English on the rule page');

    await page.getByRole('button', { name: '编辑' }).click();
    const form = page.getByRole('form', { name: `编辑规则 ${RULE}` });
    await form.getByRole('group', { name: '条件组 2（须全部满足）' }).waitFor();
    await form.getByRole('group', { name: '动作 1：创建任务' }).getByLabel('主题').waitFor();
    assert.deepEqual(await english(), [], 'no English in the form');

    await go('/admin/automation/rules/new');
    const blank = page.getByRole('form', { name: '新建规则' });
    await blank.getByLabel('记录类型').selectOption({ label: '联系人' });
    await blank.getByLabel('触发方式').selectOption({ label: '日期之前或之后' });
    for (const kind of ['设置字段', '分配负责人', '创建任务', '发送邮件', '发送通知', '调用其他系统', '创建关联记录']) {
      await blank.getByLabel('下一个动作').selectOption({ label: kind });
      await blank.getByRole('button', { name: '添加动作' }).click();
    }
    await blank.getByRole('button', { name: '创建规则' }).click();
    await blank.getByText('请选择要设置的字段。').waitFor();
    assert.deepEqual(await english(), [], 'no English in a new rule\'s form, its gaps named');
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
