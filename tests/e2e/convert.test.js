// Converting a lead in a real browser (Debian's chromium through playwright-core)
// against a real `rapport serve` on a temporary database: a sales rep converts a fresh
// lead into a new account, contact and opportunity and lands on the account with links
// to the others; a lead whose company and e-mail match existing records is offered the
// look-alikes one after the other (owner and reason in words) and joins them with "use
// this one", creating nothing new; another is converted into new records anyway; a bad
// amount is caught beside its field; a converted lead offers no conversion; the dialog
// in Chinese; no CSP violation or script error. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createTeam, createUser, create } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('convert');
const { step, signIn, go } = ui;
let srv, admin, rep, page;
const ids = {};

const count = async (res) => (await rep.get(`/${res}?count=true&limit=1`)).body.total;
const dialog = () => page.getByRole('form', { name: /^Convert / });

describe('lead conversion UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const team = await createTeam(admin, 'North');
    await createUser(admin, { username: 'lena', password: 'lena-pass-1234', role: 'sales', team_ids: [team.id], display_name: 'Lena Lead' });
    await createUser(admin, { username: 'otto', password: 'otto-pass-1234', role: 'sales', team_ids: [team.id], display_name: 'Otto Owner' });
    rep = await login(srv.base, 'lena', 'lena-pass-1234');
    const otto = await login(srv.base, 'otto', 'otto-pass-1234');
    ids.fresh = await create(rep, 'leads', { first_name: 'Mia', last_name: 'Moss', company: 'Mossy Rocks Ltd', email: 'mia@mossy.example' });
    // Otto's account and contact: the second lead is the same company and person.
    ids.granite = await create(otto, 'accounts', { name: 'Granite Works' });
    ids.gina = await create(otto, 'contacts', { first_name: 'Gina', last_name: 'Stone', email: 'gina@granite.example', account_id: ids.granite.id });
    ids.twin = await create(rep, 'leads', { first_name: 'Gina', last_name: 'Stone', company: 'Granite Works', email: 'gina@granite.example' });
    ids.anyway = await create(rep, 'leads', { first_name: 'Hal', last_name: 'Granite', company: 'Granite Works Inc' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in as a sales rep', async () => {
    await page.goto(srv.base + '/');
    await signIn('lena', 'lena-pass-1234');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('a bad amount is caught beside its field, and nothing is created', async () => {
    await go(`/r/leads/${ids.fresh.id}`);
    await page.getByRole('heading', { name: 'Mia Moss', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Convert lead' }).click();
    const form = dialog();
    await form.getByRole('radio', { name: 'Create a new account “Mossy Rocks Ltd”' }).waitFor();
    assert.equal(await form.getByRole('radio', { name: 'Create a new account “Mossy Rocks Ltd”' }).isChecked(), true);
    assert.equal(await form.getByRole('radio', { name: 'Create a new contact “Mia Moss”' }).isChecked(), true);
    assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), 'Mossy Rocks Ltd deal');
    assert.deepEqual(await ui.unnamedControls(), [], 'every control of the dialog has a name');
    await form.getByLabel('Amount').fill('lots');
    const accounts = await count('accounts');
    await form.getByRole('button', { name: 'Convert', exact: true }).click();
    await form.getByText('Amount is not a number').waitFor();
    assert.equal(await count('accounts'), accounts);
  });

  step('convert into a new account, contact and opportunity; land on the account', async () => {
    const form = dialog();
    await form.getByLabel('Amount').fill('5000.00');
    await form.getByRole('button', { name: 'Convert', exact: true }).click();
    await page.getByText('Lead converted.').waitFor();
    await page.getByRole('heading', { name: 'Mossy Rocks Ltd', level: 1 }).waitFor();
    const lead = (await rep.get(`/leads/${ids.fresh.id}`)).body;
    assert.equal(lead.status, 'converted');
    assert.equal(new URL(page.url()).pathname, `/r/accounts/${lead.converted_account_id}`);
    const contact = (await rep.get(`/contacts/${lead.converted_contact_id}`)).body;
    assert.deepEqual([contact.first_name, contact.last_name, contact.account_id], ['Mia', 'Moss', lead.converted_account_id]);
    await page.getByRole('link', { name: 'Open the opportunity' }).click();
    await page.getByRole('heading', { name: 'Mossy Rocks Ltd deal', level: 1 }).waitFor();
    const deal = (await rep.get(`/opportunities/${lead.converted_opportunity_id}`)).body;
    assert.deepEqual([deal.amount, deal.account_id, deal.contact_id], ['5000.00', lead.converted_account_id, lead.converted_contact_id]);
  });

  step('a converted lead offers no conversion', async () => {
    await go(`/r/leads/${ids.fresh.id}`);
    await page.getByRole('heading', { name: 'Mia Moss', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Convert lead' }).count(), 0);
  });

  step('look-alikes are offered one after the other; "use this one" joins them', async () => {
    const before0 = [await count('accounts'), await count('contacts')];
    await go(`/r/leads/${ids.twin.id}`);
    await page.getByRole('heading', { name: 'Gina Stone', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Convert lead' }).click();
    const form = dialog();
    await form.getByRole('checkbox', { name: 'Create an opportunity' }).uncheck();
    await form.getByRole('button', { name: 'Convert', exact: true }).click();
    const accAlert = form.getByRole('alert');
    await accAlert.getByText('The new account looks like one that exists:').waitFor();
    // Whose it is, and why, in words.
    await accAlert.getByText('Otto Owner').waitFor();
    assert.match(await accAlert.textContent(), /same name/);
    await accAlert.getByRole('button', { name: 'Use Granite Works' }).click();
    const conAlert = form.getByRole('alert');
    await conAlert.getByText('The new contact looks like one that exists:').waitFor();
    assert.match(await conAlert.textContent(), /same e-mail/);
    await conAlert.getByRole('button', { name: 'Use Gina Stone' }).click();
    await page.getByText('Lead converted.').waitFor();
    await page.getByRole('heading', { name: 'Granite Works', level: 1 }).waitFor();
    const lead = (await rep.get(`/leads/${ids.twin.id}`)).body;
    assert.deepEqual([lead.converted_account_id, lead.converted_contact_id, lead.converted_opportunity_id],
      [ids.granite.id, ids.gina.id, null]);
    assert.deepEqual([await count('accounts'), await count('contacts')], before0, 'nothing new');
  });

  step('"create new anyway" makes new records beside the look-alike', async () => {
    const accounts = await count('accounts');
    await go(`/r/leads/${ids.anyway.id}`);
    await page.getByRole('heading', { name: 'Hal Granite', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Convert lead' }).click();
    const form = dialog();
    await form.getByRole('checkbox', { name: 'Create an opportunity' }).uncheck();
    await form.getByRole('button', { name: 'Convert', exact: true }).click();
    await form.getByRole('alert').getByText('The new account looks like one that exists:').waitFor();
    await form.getByRole('button', { name: 'Create new anyway' }).click();
    await page.getByRole('heading', { name: 'Granite Works Inc', level: 1 }).waitFor();
    assert.equal(await count('accounts'), accounts + 1);
  });

  step('the dialog in Chinese', async () => {
    const lead = await create(rep, 'leads', { first_name: '小明', last_name: '李', company: '北京测试有限公司' });
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await go(`/r/leads/${lead.id}`);
    await page.getByRole('button', { name: '转换线索' }).click();
    await page.getByRole('radio', { name: '新建客户“北京测试有限公司”' }).waitFor();
    await page.getByRole('checkbox', { name: '同时创建商机' }).waitFor();
    await page.getByRole('button', { name: '转换', exact: true }).waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
