// Deleting and getting it back, in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve` on a temporary database: a sales rep
// deletes an account from its page (asked first, naming it), undoes it from the message
// on the list, deletes it again and a contact too, finds both in the Recycle bin (most
// recently deleted first, with when and whose), filters by name, restores the account
// and opens it; a colleague's deleted record in another team is not in the bin; on a
// team mate's account (readable, not hers to change) Edit and Delete are disabled with
// the reason on hover and no field offers inline editing; she cannot give her own
// account away (no owner edit, no bulk reassign), a manager only to the team; she is
// offered no permanent deletion; the page in Chinese; the administrator sees who deleted
// each record, deletes one permanently (asked first, naming it) and empties the leads'
// bin, keeping an account a live contact still needs; no CSP violation or script error. Each step saves a screenshot to
// $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, login, createTeam, createUser, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('recycle');
const { step, signIn, go } = ui;
let srv, admin, rep, page;
const ids = {};

// Answers the next confirm() (OK or Cancel) and resolves with its message.
function confirmNext(accept = true) {
  return new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); accept ? d.accept() : d.dismiss(); }));
}

const binRows = () => page.getByRole('table', { name: 'Deleted Accounts' }).getByRole('row');

describe('recycle bin UI', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const east = await createTeam(admin, 'East');
    const west = await createTeam(admin, 'West');
    await createUser(admin, { username: 'rita', password: 'rita-pass-1234', role: 'sales', team_ids: [east.id], display_name: 'Rita Rep' });
    const erin = await createUser(admin, { username: 'erin', password: 'erin-pass-1234', role: 'sales', team_ids: [east.id], display_name: 'Erin East' });
    ids.mates = await create(admin, 'accounts', { name: 'Mates Mill', owner_id: erin.id });
    await createUser(admin, { username: 'max', password: 'max-pass-12345', role: 'manager', team_ids: [east.id], display_name: 'Max Manager' });
    await createUser(admin, { username: 'wes', password: 'wes-pass-12345', role: 'sales', team_ids: [west.id], display_name: 'Wes West' });
    rep = await login(srv.base, 'rita', 'rita-pass-1234');
    ids.acme = await create(rep, 'accounts', { name: 'Acme Anvils' });
    ids.other = await create(rep, 'accounts', { name: 'Bolt Brothers' });
    ids.contact = await create(rep, 'contacts', { first_name: 'Carla', last_name: 'Cole', account_id: ids.acme.id });
    // A colleague in another team deletes one of theirs: not Rita's to see.
    const wes = await login(srv.base, 'wes', 'wes-pass-12345');
    ids.secret = await create(wes, 'accounts', { name: 'Westward Secrets' });
    assert.equal((await wes.del(`/accounts/${ids.secret.id}`)).status, 204);
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in as a sales rep', async () => {
    await page.goto(srv.base + '/');
    await signIn('rita', 'rita-pass-1234');
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('deleting asks first, naming the record; Cancel keeps it', async () => {
    await go(`/r/accounts/${ids.acme.id}`);
    await page.getByRole('heading', { name: 'Acme Anvils', level: 1 }).waitFor();
    const asked = confirmNext(false);
    await page.getByRole('button', { name: 'Delete' }).click();
    assert.equal(await asked, 'Move “Acme Anvils” to the recycle bin?');
    await page.getByRole('heading', { name: 'Acme Anvils', level: 1 }).waitFor();
    assert.equal((await rep.get(`/accounts/${ids.acme.id}`)).status, 200);
  });

  step('delete, then Undo from the message on the list', async () => {
    const asked = confirmNext();
    await page.getByRole('button', { name: 'Delete' }).click();
    await asked;
    await page.getByText('Moved to the recycle bin.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/r/accounts');
    assert.equal((await rep.get(`/accounts/${ids.acme.id}`)).status, 404);
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Restored from the recycle bin.').waitFor();
    await page.getByRole('heading', { name: 'Acme Anvils', level: 1 }).waitFor();
    assert.equal((await rep.get(`/accounts/${ids.acme.id}`)).status, 200);
  });

  step('the message goes when the user moves on', async () => {
    const asked = confirmNext();
    await page.getByRole('button', { name: 'Delete' }).click();
    await asked;
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    await go(`/r/contacts/${ids.contact.id}`);
    await page.getByRole('heading', { name: 'Carla Cole', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Undo' }).count(), 0);
    const asked2 = confirmNext();
    await page.getByRole('button', { name: 'Delete' }).click();
    assert.equal(await asked2, 'Move “Carla Cole” to the recycle bin?');
    await page.getByText('Moved to the recycle bin.').waitFor();
  });

  step('the Recycle bin lists what the user deleted, not a colleague\'s from another team', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Recycle bin' }).click();
    await page.getByRole('heading', { name: 'Recycle bin', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Deleted' }).selectOption('accounts');
    await page.getByRole('table', { name: 'Deleted Accounts' }).waitFor();
    const rows = binRows();
    assert.equal(await rows.count(), 2); // the header and Acme
    const row = rows.nth(1);
    assert.match(await row.textContent(), /Acme Anvils/);
    // Name, deleted, deleted by, owner.
    await row.getByRole('cell').nth(2).getByText('Rita Rep', { exact: true }).waitFor();
    await row.getByRole('cell').nth(3).getByText('Rita Rep', { exact: true }).waitFor();
    assert.equal(await page.getByRole('columnheader', { name: 'Deleted by' }).count(), 1);
    // Permanent deletion is for administrators: she is not offered it.
    assert.equal(await page.getByRole('button', { name: 'Delete Acme Anvils permanently' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Empty recycle bin…' }).count(), 0);
    assert.equal(await page.getByText('Westward Secrets').count(), 0);
    // The entity is in the address: a reload keeps it.
    assert.equal(new URL(page.url()).search, '?entity=accounts');
    await page.reload();
    await page.getByRole('table', { name: 'Deleted Accounts' }).waitFor();
    // Contacts have their own list.
    await page.getByRole('combobox', { name: 'Deleted' }).selectOption('contacts');
    await page.getByRole('table', { name: 'Deleted Contacts' }).getByText('Carla Cole').waitFor();
  });

  step('filter by name, restore, and open the restored record', async () => {
    await page.getByRole('combobox', { name: 'Deleted' }).selectOption('accounts');
    const filter = page.getByRole('searchbox', { name: 'Filter by name' });
    await filter.fill('nothing like it');
    await filter.press('Enter');
    await page.getByText('No deleted Accounts.').waitFor();
    await filter.fill('acme');
    await filter.press('Enter');
    await page.getByRole('button', { name: 'Restore Acme Anvils' }).click();
    await page.getByText('Restored Acme Anvils.').waitFor();
    await page.getByText('No deleted Accounts.').waitFor();
    assert.equal((await rep.get(`/accounts/${ids.acme.id}`)).status, 200);
    await page.getByRole('link', { name: 'Open it' }).click();
    await page.getByRole('heading', { name: 'Acme Anvils', level: 1 }).waitFor();
  });

  step('a team mate\'s account: Edit and Delete disabled, with the reason', async () => {
    await go(`/r/accounts/${ids.mates.id}`);
    await page.getByRole('heading', { name: 'Mates Mill', level: 1 }).waitFor();
    const edit = page.getByRole('button', { name: 'Edit', exact: true });
    assert.equal(await edit.isDisabled(), true);
    assert.match(await edit.getAttribute('title'), /may not change this record/);
    const del = page.getByRole('button', { name: 'Delete' });
    assert.equal(await del.isDisabled(), true);
    assert.match(await del.getAttribute('title'), /may not delete/);
    assert.equal(await page.getByRole('button', { name: /^Edit Name/ }).count(), 0);
    // Her own account keeps both, and the inline edit.
    await go(`/r/accounts/${ids.other.id}`);
    await page.getByRole('heading', { name: 'Bolt Brothers', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit', exact: true }).isDisabled(), false);
    await page.getByRole('button', { name: /^Edit Name/ }).waitFor();
  });

  step('a rep cannot give her account away: no owner edit, no bulk reassign', async () => {
    await go(`/r/accounts/${ids.other.id}`);
    await page.getByRole('heading', { name: 'Bolt Brothers', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^Edit Name/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit Owner' }).count(), 0);
    await go('/r/accounts');
    await page.getByRole('checkbox', { name: /Bolt Brothers/ }).check();
    await page.getByRole('region', { name: '1 selected' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Reassign to…' }).count(), 0);
  });

  step('a manager may give it only to the members of the team', async () => {
    await ui.signOut();
    await signIn('max', 'max-pass-12345');
    await go(`/r/accounts/${ids.other.id}`);
    await page.getByRole('button', { name: 'Edit Owner' }).click();
    const options = (await page.locator('#i-owner_id option').allTextContents()).filter((o) => !o.startsWith('—'));
    assert.deepEqual(options.sort(), ['Erin East', 'Max Manager', 'Rita Rep']);
    await page.keyboard.press('Escape');
    await ui.signOut();
    await signIn('rita', 'rita-pass-1234');
  });

  step('the administrator sees every deleted record', async () => {
    const r = await admin.get('/accounts?deleted=only');
    assert.deepEqual(r.body.data.map((a) => a.name), ['Westward Secrets']);
  });

  step('the recycle bin in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await go('/recycle-bin?entity=contacts');
    await page.getByRole('heading', { name: '回收站', level: 1 }).waitFor();
    await page.getByRole('button', { name: '恢复 Carla Cole' }).waitFor();
    await page.getByRole('columnheader', { name: '删除人' }).waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('the administrator sees who deleted it and deletes it permanently, asked first', async () => {
    await ui.signOut();
    await signIn('admin', ADMIN_PASSWORD);
    await go('/recycle-bin?entity=accounts');
    const row = binRows().filter({ hasText: 'Westward Secrets' });
    await row.getByRole('cell').nth(2).getByText('Wes West', { exact: true }).waitFor();
    const no = confirmNext(false);
    await page.getByRole('button', { name: 'Delete Westward Secrets permanently' }).click();
    assert.equal(await no, 'Delete “Westward Secrets” permanently? Its history goes with it. This cannot be undone.');
    assert.equal((await admin.get(`/accounts?deleted=only&id=${ids.secret.id}`)).body.data.length, 1);
    const yes = confirmNext();
    await page.getByRole('button', { name: 'Delete Westward Secrets permanently' }).click();
    await yes;
    await page.getByText('Deleted Westward Secrets permanently.').waitFor();
    await page.getByText('No deleted Accounts.').waitFor();
    assert.equal((await admin.get(`/accounts?deleted=only&id=${ids.secret.id}`)).body.data.length, 0);
  });

  step('the administrator empties a bin; what live records need stays, and the message says so', async () => {
    const needed = await create(admin, 'accounts', { name: 'Needed Nails' });
    await create(admin, 'contacts', { last_name: 'Still Here', account_id: needed.id });
    const gone = await create(admin, 'accounts', { name: 'Gone Gears' });
    for (const a of [needed, gone]) assert.equal((await admin.del(`/accounts/${a.id}`)).status, 204);
    await page.reload();
    await binRows().filter({ hasText: 'Gone Gears' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Which deleted records' }).inputValue(), '0');
    const asked = confirmNext();
    await page.getByRole('button', { name: 'Empty recycle bin…' }).click();
    assert.equal(await asked, 'Delete all deleted Accounts permanently? This cannot be undone.');
    await page.getByText('1 deleted permanently; 1 kept because live records still refer to them.').waitFor();
    const rows = binRows();
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1);
    assert.match(await rows.nth(1).textContent(), /Needed Nails/);
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
