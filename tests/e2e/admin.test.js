// The administration screens in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve` on a temporary database: custom
// fields added on accounts through the Fields screen (a string with a Chinese label and
// help, an enum, money), filled in the account form, shown on the record page and used
// as a list filter, then changed and removed; a custom entity created through the
// Entities screen and a record of it; a team with a parent team; a role edited in the
// permission grid and its field rules, given to a user who then sees only what it
// grants; a record shared from the Sharing panel, seen by the user it is shared with,
// refused to someone who may not share it, then unshared; the same screens in Chinese;
// an accessible name on every control; no CSP violation or script error. Each step saves
// a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createTeam, createUser, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('admin');
const { step, signIn, signOut, go } = ui;
let srv, admin, page;
const ids = {};

// Answers the next confirm() with OK and resolves with its message.
function confirmNext() {
  return new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.accept(); }));
}

const metaField = async (entity, name) =>
  (await admin.get('/meta')).body.entities.find((e) => e.name === entity)?.fields.find((f) => f.name === name);

describe('administration UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const east = await createTeam(admin, 'East');
    ids.east = east;
    ids.sam = await createUser(admin, { username: 'sam', password: 'sam-pass-1234', role: 'sales', team_ids: [east.id], display_name: 'Sam Sales' });
    // A field removed in a later step.
    assert.equal((await admin.post('/meta/entities/accounts/fields', { name: 'obsolete', type: 'string', label: 'Obsolete' })).status, 201);
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in as admin', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('add custom fields to accounts on the Fields screen', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Fields' }).click();
    await page.getByRole('combobox', { name: 'Entity' }).selectOption('accounts');
    // Built-in fields are listed, not editable.
    await page.getByRole('row', { name: /Annual revenue/ }).getByText('built in').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit field Annual revenue' }).count(), 0);

    // A one-line text with a Chinese label and help.
    await page.getByRole('button', { name: 'New field' }).click();
    const form = page.getByRole('form', { name: 'New field of Accounts' });
    await form.getByLabel('Name in the API').fill('nickname');
    await form.getByLabel('Label', { exact: true }).fill('Nickname');
    await form.getByLabel('Chinese label').fill('昵称');
    await form.getByLabel('Help text').fill('What the customer calls itself');
    await form.getByLabel('Maximum length').fill('60');
    await form.getByLabel('Shown in lists').check();
    await form.getByRole('button', { name: 'Add field' }).click();
    await page.getByText('Field “Nickname” added.').waitFor();

    // An enum: the form shows the values editor for it, and no maximum length.
    await page.getByRole('button', { name: 'New field' }).click();
    await form.getByLabel('Name in the API').fill('region');
    await form.getByLabel('Type').selectOption('enum');
    assert.equal(await form.getByLabel('Maximum length').count(), 0);
    await form.getByLabel('Label', { exact: true }).fill('Region');
    await form.getByLabel('Chinese label').fill('区域');
    // Without values the form says so before asking the server.
    await form.getByRole('button', { name: 'Add field' }).click();
    await form.getByText('Values needs at least one value').waitFor();
    for (const v of ['north', 'south', 'east']) {
      await form.getByLabel('Values').fill(v);
      await form.getByRole('button', { name: 'Add value' }).click();
    }
    await form.getByRole('button', { name: 'Remove value east' }).click();
    await form.getByLabel('Default').selectOption('north');
    await form.getByLabel('Shown in lists').check();
    await form.getByRole('button', { name: 'Add field' }).click();
    await page.getByText('Field “Region” added.').waitFor();

    // Money, with bounds; the server's refusal (a name taken) shows beside the field.
    await page.getByRole('button', { name: 'New field' }).click();
    await form.getByLabel('Name in the API').fill('region');
    await form.getByLabel('Type').selectOption('money');
    assert.equal(await form.getByLabel('Values').count(), 0);
    await form.getByLabel('Label', { exact: true }).fill('Budget');
    await form.getByLabel('Minimum').fill('0');
    await form.getByRole('button', { name: 'Add field' }).click();
    await form.getByText('Name in the API Accounts already have a field region').waitFor();
    await form.getByLabel('Name in the API').fill('budget');
    await form.getByRole('button', { name: 'Add field' }).click();
    await page.getByText('Field “Budget” added.').waitFor();

    const nick = await metaField('accounts', 'nickname');
    assert.equal(nick.label_zh, '昵称');
    assert.equal(nick.help, 'What the customer calls itself');
    assert.equal(nick.maxlen, 60);
    assert.equal(nick.custom, true);
    const region = await metaField('accounts', 'region');
    assert.deepEqual(region.enum, ['north', 'south']);
    assert.equal(region.default, 'north');
    assert.equal(region.list, true);
    const budget = await metaField('accounts', 'budget');
    assert.equal(budget.type, 'money');
    assert.equal(budget.min, '0.00');
    // The table lists them as custom, editable fields.
    await page.getByRole('button', { name: 'Edit field Region' }).waitFor();
    await page.getByRole('row', { name: /Budget/ }).getByText('custom').waitFor();
  });

  step('fill the custom fields in the account form and see them on the record page', async () => {
    // The navigation and the form have them at once (the metadata was reloaded).
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'New Account' }).click();
    await page.getByRole('group', { name: 'Custom fields' }).waitFor();
    await page.locator('#f-name').fill('Custom Fields Co');
    await page.getByLabel('Nickname').fill('CFC');
    // The help text is under the input, and describes it.
    assert.equal(await page.locator('#f-nickname-help').textContent(), 'What the customer calls itself');
    assert.equal(await page.locator('#f-nickname').getAttribute('aria-describedby'), 'f-nickname-help');
    assert.equal(await page.getByLabel('Region').inputValue(), 'north', 'the default');
    await page.getByLabel('Region').selectOption('south');
    await page.getByLabel('Budget').fill('-5');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Budget must be between 0.00 and').waitFor();
    await page.getByLabel('Budget').fill('1234.5');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Custom Fields Co', level: 1 }).waitFor();
    ids.account = page.url().split('/').pop();
    const r = await admin.get(`/accounts/${ids.account}`);
    assert.equal(r.body.nickname, 'CFC');
    assert.equal(r.body.region, 'south');
    assert.equal(r.body.budget, '1234.50');
    const panel = page.getByRole('region', { name: 'Custom fields' });
    await panel.getByText('Nickname').waitFor();
    await panel.getByText('CFC').waitFor();
    await panel.getByText('south').waitFor();
    await panel.getByText('1,234.50').waitFor();
    // Inline edit of a custom field.
    await page.getByRole('button', { name: 'Edit Nickname' }).click();
    await page.locator('#i-nickname').fill('Custom Co');
    await page.locator('#i-nickname').press('Enter');
    await page.getByText('Saved.').waitFor();
    assert.equal((await admin.get(`/accounts/${ids.account}`)).body.nickname, 'Custom Co');
  });

  step('filter the accounts list by the custom enum field', async () => {
    await create(admin, 'accounts', { name: 'Northern Light Ltd', region: 'north' });
    await go('/r/accounts');
    const rows = page.locator('section.list tbody tr');
    await page.getByRole('link', { name: 'Northern Light Ltd' }).waitFor();
    await page.getByRole('button', { name: 'Sort by Region' }).waitFor();
    await page.getByRole('combobox', { name: 'Filter Region' }).selectOption('south');
    await page.getByText('1 of 1').waitFor();
    assert.deepEqual(await rows.locator('td:nth-child(2) a').allTextContents(), ['Custom Fields Co']);
    await page.getByRole('combobox', { name: 'Filter Region' }).selectOption('north');
    await page.getByRole('link', { name: 'Northern Light Ltd' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Custom Fields Co' }).count(), 0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  step('change a custom field and remove another', async () => {
    await go('/admin/fields/accounts');
    await page.getByRole('button', { name: 'Edit field Region' }).click();
    const form = page.getByRole('form', { name: 'Change field Region' });
    // Name and type stay; values may be added.
    assert.equal(await form.getByLabel('Name in the API').count(), 0);
    await form.getByLabel('Values').fill('west');
    await form.getByRole('button', { name: 'Add value' }).click();
    await form.getByLabel('Help text').fill('Sales region');
    // A value in use cannot go: the server says so.
    await form.getByRole('button', { name: 'Remove value south' }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText(/south is the value of 1 Account/).waitFor();
    await form.getByLabel('Values').fill('south');
    await form.getByRole('button', { name: 'Add value' }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Field “Region” changed.').waitFor();
    const region = await metaField('accounts', 'region');
    assert.deepEqual(region.enum, ['north', 'west', 'south']);
    assert.equal(region.help, 'Sales region');

    const asked = confirmNext();
    await page.getByRole('button', { name: 'Remove field Obsolete' }).click();
    assert.match(await asked, /history for 30 days/);
    await page.getByText('Field “Obsolete” removed.').waitFor();
    assert.equal(await metaField('accounts', 'obsolete'), undefined);
    assert.equal(await page.getByRole('row', { name: /Obsolete/ }).count(), 0);
  });

  step('create a custom entity on the Entities screen, and a record of it', async () => {
    await go('/admin/entities');
    await page.getByText('No custom entities yet.').waitFor();
    await page.getByRole('button', { name: 'New entity' }).click();
    const ent = page.getByRole('group', { name: 'Entity' });
    await ent.getByLabel('Name in the API').fill('projects');
    await ent.getByLabel('Name (singular)', { exact: true }).fill('Project');
    await ent.getByLabel('Name (plural)', { exact: true }).fill('Projects');
    await ent.getByLabel('Chinese name (singular)').fill('项目');
    await ent.getByLabel('Chinese name (plural)').fill('项目');
    // The first field is ready (a required name); a second one is added.
    const f1 = page.getByRole('group', { name: 'Field 1' });
    assert.equal(await f1.getByLabel('Name in the API').inputValue(), 'name');
    await page.getByRole('button', { name: 'Add another field' }).click();
    const f2 = page.getByRole('group', { name: 'Field 2' });
    await f2.getByLabel('Name in the API').fill('stage');
    await f2.getByLabel('Type').selectOption('enum');
    await f2.getByLabel('Label', { exact: true }).fill('Stage');
    await f2.getByLabel('Chinese label').fill('阶段');
    for (const v of ['planned', 'running']) {
      await f2.getByLabel('Values').fill(v);
      await f2.getByRole('button', { name: 'Add value' }).click();
    }
    await f2.getByLabel('Shown in lists').check();
    await page.getByRole('button', { name: 'Add another field' }).click();
    const f3 = page.getByRole('group', { name: 'Field 3' });
    await f3.getByLabel('Name in the API').fill('account_id');
    await f3.getByLabel('Type').selectOption('ref');
    await f3.getByLabel('Label', { exact: true }).fill('Account');
    await f3.getByLabel('Links to').selectOption('accounts');
    await page.getByRole('button', { name: 'Create entity' }).click();
    await page.getByText('Projects created.').waitFor();
    const meta = (await admin.get('/meta')).body.entities.find((e) => e.name === 'projects');
    assert.equal(meta.custom, true);
    assert.equal(meta.label_plural_zh, '项目');
    assert.deepEqual(meta.fields.map((f) => f.name), ['name', 'stage', 'account_id']);
    await page.getByRole('row', { name: /projects/ }).getByRole('link', { name: 'Projects', exact: true }).waitFor();

    // In the navigation at once; its list, form and record page come from /meta.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New Project' }).click();
    await page.locator('#f-name').fill('Moon base');
    await page.locator('#f-stage').selectOption('running');
    await page.locator('#f-account_id').fill('Custom');
    await page.getByRole('option', { name: 'Custom Fields Co' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Moon base', level: 1 }).waitFor();
    ids.project = page.url().split('/').pop();
    const p = await admin.get(`/projects/${ids.project}`);
    assert.equal(p.body.stage, 'running');
    assert.equal(p.body.account_id, ids.account);
    await page.getByRole('region', { name: 'Details' }).getByRole('link', { name: 'Custom Fields Co' }).waitFor();
    // The account lists its projects.
    await go(`/r/accounts/${ids.account}`);
    await page.getByRole('region', { name: 'Related: Projects' }).getByRole('link', { name: 'Moon base' }).waitFor();
  });

  step('a team with a parent team', async () => {
    await go('/admin/teams');
    await page.getByRole('button', { name: 'New Team' }).click();
    await page.locator('#f-name').fill('East North');
    await page.getByLabel('Parent team').selectOption({ label: 'East' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'East North', level: 1 }).waitFor();
    const team = (await admin.get('/teams?name=East%20North')).body.data[0];
    assert.equal(team.parent_id, ids.east.id);
    await page.locator('.record-main').getByRole('link', { name: 'East', exact: true }).waitFor();
    // and the history names it too
    await page.getByRole('tabpanel').getByText('Administrator set Parent team to East').waitFor();
  });

  step('create a role, edit it in the grid and give it to a user', async () => {
    await go('/admin/roles');
    // Built-in roles are listed with their users; the admin role administers everything.
    await page.getByRole('row', { name: /sales/ }).getByRole('link', { name: 'Sam Sales' }).waitFor();
    await page.getByRole('row', { name: /admin/ }).getByText('administers everything').waitFor();
    await page.getByRole('button', { name: 'New role' }).click();
    await page.getByLabel('Key').fill('auditor');
    await page.getByLabel('Name', { exact: true }).fill('Auditor');
    await page.getByLabel('Chinese name').fill('审计员');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('heading', { name: /Role: Auditor/ }).waitFor();
    // A new role starts with no access at all.
    assert.equal(await page.getByRole('combobox', { name: 'Accounts: Read' }).inputValue(), 'none');
    await page.getByRole('combobox', { name: 'Accounts: Read' }).selectOption('own');
    await page.getByRole('combobox', { name: 'Projects: Read' }).selectOption('all');
    await page.getByRole('combobox', { name: 'Entity', exact: true }).selectOption('accounts');
    await page.getByRole('combobox', { name: 'Access to Phone' }).selectOption('hidden');
    await page.getByRole('combobox', { name: 'Access to Nickname' }).selectOption('readonly');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const role = (await admin.get('/roles?key=auditor')).body.data[0];
    ids.role = role;
    assert.equal(role.grants.accounts.read, 'own');
    assert.equal(role.grants.accounts.edit, 'none');
    assert.equal(role.grants.projects.read, 'all');
    assert.deepEqual(role.field_rules, { accounts: { phone: 'hidden', nickname: 'readonly' } });
    assert.equal(role.label_zh, '审计员');

    // The admin role has no grid.
    await go('/admin/roles');
    await page.getByRole('link', { name: 'Edit role Administrator' }).click();
    await page.getByText('This role administers everything').waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Accounts: Read' }).count(), 0);

    // Give it to a new user; the role picker names the role.
    await go('/admin/users');
    await page.getByRole('button', { name: 'New User' }).click();
    await page.locator('#f-username').fill('olga');
    await page.locator('#f-display_name').fill('Olga Audit');
    await page.locator('#f-password').fill('olga-pass-1234');
    await page.locator('#f-role').selectOption({ label: 'Auditor' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Olga Audit', level: 1 }).waitFor();
    ids.olga = (await admin.get('/users?username=olga')).body.data[0];
    // The Users list shows usernames in its Username column, not display names.
    await go('/admin/users');
    await page.getByRole('link', { name: 'olga', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Olga Audit', exact: true }).count(), 0);
    assert.equal(ids.olga.role, 'auditor');
    await create(admin, 'accounts', { name: 'Olga Own Ltd', owner_id: ids.olga.id, phone: '+1 555 0199', nickname: 'OOL' });

    // A role in use cannot be deleted: the server's reason is shown.
    await go('/admin/roles');
    const asked = confirmNext();
    await page.getByRole('button', { name: 'Delete role Auditor' }).click();
    await asked;
    await page.getByRole('alert').filter({ hasText: 'The role “Auditor” cannot be deleted: the role is in use by 1 user' }).waitFor();
    assert.equal((await admin.get(`/roles/${role.id}`)).status, 200);
  });

  step('the user with the new role sees what it grants', async () => {
    await signOut();
    await signIn('olga', 'olga-pass-1234');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Accounts' }).waitFor();
    await nav.getByRole('link', { name: 'Projects' }).waitFor();
    for (const name of ['Contacts', 'Opportunities', 'Pipeline', 'Admin']) assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 0, name);
    await nav.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Olga Own Ltd' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Custom Fields Co' }).count(), 0, 'not her own');
    assert.equal(await page.getByRole('button', { name: 'Sort by Phone' }).count(), 0, 'phone hidden');
    assert.equal(await page.getByRole('button', { name: 'New Account' }).count(), 0, 'may not create');
    await page.getByRole('link', { name: 'Olga Own Ltd' }).click();
    await page.getByRole('heading', { name: 'Olga Own Ltd', level: 1 }).waitFor();
    assert.equal(await page.getByText('+1 555 0199').count(), 0);
    await page.getByText('OOL').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit Nickname' }).count(), 0, 'read-only');
    assert.equal(await page.getByRole('button', { name: 'Edit', exact: true }).count(), 0);
    // A direct link to someone else's account is refused.
    await go(`/r/accounts/${ids.account}`);
    await page.getByText('This record does not exist or you may not see it.').waitFor();
    await signOut();
  });

  step('share a record from the Sharing panel; the user sees it; unshare it', async () => {
    await signIn('admin', ADMIN_PASSWORD);
    await go(`/r/accounts/${ids.account}`);
    const sharing = page.getByRole('region', { name: 'Sharing' });
    await sharing.getByText('Not shared with anyone.').waitFor();
    await sharing.getByLabel('Share with').selectOption({ label: 'Olga Audit' });
    await sharing.getByLabel('Access').selectOption('read');
    await sharing.getByRole('button', { name: 'Share' }).click();
    await sharing.getByText('Shared.').waitFor();
    await sharing.getByRole('listitem').filter({ hasText: 'Olga Audit' }).getByText('can read').waitFor();
    await sharing.getByLabel('Share with').selectOption({ label: 'Sam Sales' });
    await sharing.getByRole('button', { name: 'Share' }).click();
    await sharing.getByRole('listitem').filter({ hasText: 'Sam Sales' }).waitFor();
    const shares = (await admin.get(`/accounts/${ids.account}/shares`)).body.data;
    assert.deepEqual(shares.map((s) => s.user_id).sort(), [ids.olga.id, ids.sam.id].sort());
    await signOut();

    // Olga sees it now, in her list and on its page; her role may edit nothing, so the
    // panel has no controls.
    await signIn('olga', 'olga-pass-1234');
    await go('/r/accounts');
    await page.getByRole('link', { name: 'Custom Fields Co' }).click();
    await page.getByRole('heading', { name: 'Custom Fields Co', level: 1 }).waitFor();
    const hers = page.getByRole('region', { name: 'Sharing' });
    await hers.getByText('can read').first().waitFor();
    assert.equal(await hers.getByLabel('Share with').count(), 0);
    assert.equal(await hers.getByRole('button', { name: /Stop sharing/ }).count(), 0);
    await signOut();

    // Sam's role may edit his own records: the controls show, and the server's refusal
    // for this one (shared to read) is shown.
    await signIn('sam', 'sam-pass-1234');
    await go(`/r/accounts/${ids.account}`);
    const his = page.getByRole('region', { name: 'Sharing' });
    await his.getByLabel('Share with').selectOption({ label: 'Olga Audit' });
    await his.getByRole('button', { name: 'Share' }).click();
    await his.getByRole('alert').filter({ hasText: 'You may not share this record' }).waitFor();
    await signOut();

    await signIn('admin', ADMIN_PASSWORD);
    await go(`/r/accounts/${ids.account}`);
    await page.getByRole('button', { name: 'Stop sharing with Olga Audit' }).click();
    await sharing.getByText('No longer shared with Olga Audit.').waitFor();
    await page.getByRole('button', { name: 'Stop sharing with Sam Sales' }).click();
    await sharing.getByText('Not shared with anyone.').waitFor();
    const olga = await login(srv.base, 'olga', 'olga-pass-1234');
    assert.equal((await olga.get(`/accounts/${ids.account}`)).status, 404);
  });

  step('the administration screens in Chinese', async () => {
    // Built-in entity and field labels are metadata now (label_zh in /meta): no page
    // may fall back to a dictionary key.
    const noRawKeys = async (where) => {
      await page.waitForLoadState('networkidle');
      assert.doesNotMatch(await page.locator('body').innerText(), /\b(field|entity|group)\.[a-z_]+/, where);
    };
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    const nav = page.getByRole('navigation', { name: '主导航' });
    await nav.getByRole('link', { name: '项目' }).waitFor();
    await nav.getByRole('link', { name: '管理' }).click();
    const tabs = page.getByRole('navigation', { name: '系统管理' });
    await tabs.getByRole('link', { name: '字段' }).click();
    await page.getByRole('heading', { name: '字段' }).waitFor();
    await page.getByRole('combobox', { name: '实体' }).selectOption('accounts');
    await page.getByRole('row', { name: /昵称/ }).getByText('自定义').waitFor();
    await page.getByRole('row', { name: /区域/ }).waitFor();
    await noRawKeys('fields');
    await page.getByRole('button', { name: '新建字段' }).click();
    await page.getByLabel('中文标签').waitFor();
    await page.getByRole('combobox', { name: '类型' }).selectOption('enum');
    await page.getByRole('button', { name: '添加选项值' }).waitFor();
    await page.getByRole('button', { name: '取消' }).click();

    await tabs.getByRole('link', { name: '角色' }).click();
    await page.getByRole('button', { name: '新建角色' }).waitFor();
    await page.getByRole('link', { name: '审计员' }).first().click();
    await page.getByRole('heading', { name: /角色：审计员/ }).waitFor();
    const cell = page.getByRole('combobox', { name: '客户：读取' });
    assert.equal(await cell.inputValue(), 'own');
    assert.equal(await cell.locator('option:checked').textContent(), '自己的');
    await page.getByRole('heading', { name: '字段规则' }).waitFor();
    // The field rules list the entity's built-in fields by their Chinese labels.
    await page.getByRole('combobox', { name: '年收入的访问' }).waitFor();
    await noRawKeys('role');

    await tabs.getByRole('link', { name: '实体' }).click();
    await page.getByRole('heading', { name: '自定义实体' }).waitFor();
    await page.getByRole('button', { name: '新建实体' }).click();
    await page.getByRole('group', { name: '字段 1' }).waitFor();
    await page.getByRole('button', { name: '取消' }).click();

    // Custom labels in Chinese on the record page and the form; the Sharing panel.
    await go(`/r/accounts/${ids.account}`);
    await page.getByRole('region', { name: '自定义字段' }).getByText('昵称').waitFor();
    await page.getByRole('region', { name: '共享' }).getByText('尚未共享给任何人。').waitFor();
    await go(`/r/projects/${ids.project}`);
    await page.getByRole('region', { name: '详情' }).getByText('阶段').waitFor();
    await noRawKeys('project');
    await go('/r/accounts/new');
    await page.getByLabel('昵称').waitFor();
    await page.getByLabel('年收入').waitFor();
    await noRawKeys('new account');
    for (const p of [`/r/accounts/${ids.account}`, '/r/contacts', '/r/users', '/r/opportunities']) {
      await go(p);
      await noRawKeys(p);
    }
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  });

  step('every control has an accessible name', async () => {
    const check = async (where) => {
      const unnamed = await ui.unnamedControls();
      assert.deepEqual(unnamed, [], where);
    };
    for (const p of ['/admin/fields/accounts', '/admin/roles', `/admin/roles/${ids.role.id}`, '/admin/entities',
      `/r/accounts/${ids.account}`, `/r/projects/${ids.project}`, '/r/teams/new']) {
      await go(p);
      await check(p);
    }
    await go('/admin/fields/accounts');
    await page.getByRole('button', { name: 'New field' }).click();
    for (const type of ['enum', 'money', 'ref', 'bool', 'string']) {
      await page.getByLabel('Type').selectOption(type);
      await check(`new field (${type})`);
    }
    await go('/admin/entities');
    await page.getByRole('button', { name: 'New entity' }).click();
    await check('new entity');
    await go('/admin/roles');
    await page.getByRole('button', { name: 'New role' }).click();
    await check('new role');
  });

  step('no CSP violations and no script errors', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
