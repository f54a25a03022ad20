// Finding and merging duplicates in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve` on a temporary database: a sales rep
// opens "Find duplicates" from the accounts list, sees two look-alike accounts grouped
// with the reason in words, opens the merge screen, keeps the first record but the
// second's phone, sees what moves (a contact and a deal), confirms, and lands on the
// survivor: the phone is the chosen one, the contact and the deal point at it, the other
// account is in the recycle bin. An inline edit that makes a contact a look-alike offers
// "Merge with this one…" and opens the same screen; the screens in Chinese; no CSP
// violation or script error. Each step saves a screenshot to $RAPPORT_E2E_SHOTS
// (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createTeam, createUser } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('merge');
const { step, signIn, go } = ui;
let srv, admin, rep, page;
const ids = {};

// Creates through the API, look-alikes allowed (the set-up makes duplicates on purpose).
async function make(res, body) {
  const r = await rep.post(`/${res}?allow_duplicate=true`, body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describe('duplicates and merge UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const team = await createTeam(admin, 'South');
    await createUser(admin, { username: 'mona', password: 'mona-pass-1234', role: 'sales', team_ids: [team.id], display_name: 'Mona Merge' });
    rep = await login(srv.base, 'mona', 'mona-pass-1234');
    ids.keep = await make('accounts', { name: 'Acme Anvil Corp', phone: '+1 555 0100', website: 'https://acme.example' });
    ids.twin = await make('accounts', { name: 'ACME Anvil Corporation Inc', phone: '+1 555 0199' });
    ids.contact = await make('contacts', { first_name: 'Wile', last_name: 'Coyote', account_id: ids.twin.id });
    ids.deal = await make('opportunities', { name: 'Rocket skates', amount: '120.00', stage: 'prospecting', account_id: ids.twin.id });
    ids.ann = await make('contacts', { first_name: 'Ann', last_name: 'Able', email: 'ann@able.example' });
    ids.anne = await make('contacts', { first_name: 'Anne', last_name: 'Abel', email: 'anne@abel.example' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in as a sales rep', async () => {
    await page.goto(srv.base + '/');
    await signIn('mona', 'mona-pass-1234');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('Find duplicates from the accounts list: one group, the reason in words', async () => {
    await go('/r/accounts');
    await page.getByRole('link', { name: 'Find duplicates' }).click();
    await page.getByRole('heading', { name: 'Find duplicates', level: 1 }).waitFor();
    const group = page.getByRole('region', { name: 'Group 1' });
    await group.getByRole('heading', { name: '2 records with the same name' }).waitFor();
    await group.getByRole('link', { name: 'Acme Anvil Corp', exact: true }).waitFor();
    await group.getByRole('link', { name: 'ACME Anvil Corporation Inc' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Group 2' }).count(), 0);
  });

  step('the merge screen: keep the first, take the second\'s phone, see what moves', async () => {
    await page.getByRole('link', { name: 'Merge…' }).click();
    await page.getByRole('heading', { name: 'Merge Accounts', level: 1 }).waitFor();
    assert.equal(await page.getByRole('radio', { name: 'Keep Acme Anvil Corp', exact: true }).isChecked(), true);
    // Only fields that differ; the survivor's values are chosen first, a value only the
    // other has is taken from it.
    assert.equal(await page.getByRole('radio', { name: 'Phone from Acme Anvil Corp', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: 'Website from Acme Anvil Corp', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('rowheader', { name: 'Industry' }).count(), 0, 'equal fields are not offered');
    assert.deepEqual(await ui.unnamedControls(), [], 'every control of the merge screen has a name');
    await page.getByRole('radio', { name: 'Phone from ACME Anvil Corporation Inc' }).check();
    const moves = page.getByRole('region', { name: 'What moves to Acme Anvil Corp', exact: true });
    await moves.getByText('Contacts: 1').waitFor();
    await moves.getByText('Opportunities: 1').waitFor();
  });

  step('confirm: the survivor keeps the chosen values and gets what pointed at the other', async () => {
    const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.accept(); }));
    await page.getByRole('button', { name: 'Merge 1 into Acme Anvil Corp' }).click();
    assert.equal(await asked, 'Merge 1 record(s) into “Acme Anvil Corp”? They go to the recycle bin.');
    await page.getByText('Merged: 1 record(s) moved to the recycle bin.').waitFor();
    await page.getByRole('heading', { name: 'Acme Anvil Corp', level: 1, exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/r/accounts/${ids.keep.id}`);
    const kept = (await rep.get(`/accounts/${ids.keep.id}`)).body;
    assert.deepEqual([kept.phone, kept.website], ['+1 555 0199', 'https://acme.example']);
    assert.equal((await rep.get(`/contacts/${ids.contact.id}`)).body.account_id, ids.keep.id);
    assert.equal((await rep.get(`/opportunities/${ids.deal.id}`)).body.account_id, ids.keep.id);
    assert.equal((await rep.get(`/accounts/${ids.twin.id}`)).status, 404);
    const bin = (await rep.get('/accounts?deleted=only')).body.data.map((a) => a.id);
    assert.deepEqual(bin, [ids.twin.id]);
    await go('/duplicates?entity=accounts');
    await page.getByText('No likely duplicates among the Accounts you can see.').waitFor();
  });

  step('an inline edit that makes a look-alike offers the merge screen', async () => {
    await go(`/r/contacts/${ids.anne.id}`);
    await page.getByRole('heading', { name: 'Anne Abel', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit Email' }).click();
    await page.locator('#i-email').fill('ann@able.example');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('This looks like a duplicate of:').waitFor();
    assert.match(await page.getByRole('alert').textContent(), /same e-mail/);
    await page.getByRole('link', { name: 'Merge with this one…' }).click();
    await page.getByRole('heading', { name: 'Merge Contacts', level: 1 }).waitFor();
    await page.getByRole('radio', { name: 'Keep Anne Abel', exact: true }).waitFor();
    await page.getByRole('radio', { name: 'Keep Ann Able', exact: true }).waitFor();
  });

  step('the screens in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '合并联系人', level: 1 }).waitFor();
    await go('/duplicates?entity=contacts');
    await page.getByRole('heading', { name: '查找重复', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
