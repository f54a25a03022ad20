// The pipeline board and the money totals, in a real browser (Debian's chromium through
// playwright-core) against a real `rapport serve` on a temporary database: a stage
// holding deals in two currencies shows each total with its currency, never one number
// adding dollars to yuan; so do the weighted value, the customer card and the home
// page's charts (one currency at a time, chosen when there are several). In a wide
// window the columns share the width; in a narrow one the board scrolls sideways and
// says so: a fade and a "Show later stages" button on the right, which brings the last
// stage into view, then the cue moves to the left. No CSP violation or script error.
// Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('pipeline');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

// Whether the element's box lies inside the board's visible part.
async function inView(locator) {
  return page.evaluate((el) => {
    const board = el.closest('.board').getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.left >= board.left - 1 && r.right <= board.right + 1;
  }, await locator.elementHandle());
}

const column = (name) => page.getByRole('region', { name, exact: true });

describe('pipeline board and totals', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    ids.acc = await create(admin, 'accounts', { name: 'Two Currency Traders' });
    for (const [name, amount, currency, stage] of [
      ['Dollar deal', '12000.00', 'USD', 'prospecting'], ['Yuan deal', '50000.00', 'CNY', 'prospecting'],
      ['Won dollars', '700.00', 'USD', 'closed_won'],
    ]) {
      await create(admin, 'opportunities', { name, amount, currency, stage, probability: 10, account_id: ids.acc.id, expected_close_date: '2031-01-15' });
    }
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('a stage with dollars and yuan shows each total with its currency', async () => {
    await go('/pipeline');
    const col = column('Prospecting');
    await col.getByText('Yuan deal').waitFor();
    assert.equal(await col.locator('.stage-sum').textContent(), 'CN¥50,000.00 · $12,000.00');
    assert.equal(await col.getByText(/^weighted/).textContent(), 'weighted CN¥5,000.00 · $1,200.00');
    assert.equal(await column('Closed won').locator('.stage-sum').textContent(), '$700.00');
  });

  step('in a wide window the columns share the width and nothing scrolls', async () => {
    await page.setViewportSize({ width: 1900, height: 900 });
    await go('/pipeline');
    await column('Closed lost').waitFor();
    assert.equal(await inView(column('Closed lost')), true);
    assert.equal(await page.getByRole('button', { name: 'Show later stages' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Show earlier stages' }).count(), 0);
  });

  step('in a narrow window the board says more stages are to the right', async () => {
    await page.setViewportSize({ width: 640, height: 860 });
    await go('/pipeline');
    await column('Closed lost').waitFor();
    const right = page.getByRole('button', { name: 'Show later stages' });
    await right.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Show earlier stages' }).count(), 0);
    assert.equal(await inView(column('Closed lost')), false);
    assert.match(await page.locator('.board-frame').getAttribute('class'), /more-right/);
    // The fade is drawn on the right edge (once its short transition ends), not the left.
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.board-frame'), '::after').opacity === '1');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.board-frame'), '::before').opacity), '0');
  });

  step('the button brings the last stage into view, and the cue moves to the left', async () => {
    const right = page.getByRole('button', { name: 'Show later stages' });
    for (let i = 0; i < 10 && await right.count(); i++) {
      await right.click();
      await page.waitForTimeout(400); // the smooth scroll
    }
    assert.equal(await right.count(), 0, 'no more to the right');
    assert.equal(await inView(column('Closed lost')), true);
    assert.doesNotMatch(await page.locator('.board-frame').getAttribute('class'), /more-right/);
    const left = page.getByRole('button', { name: 'Show earlier stages' });
    await left.waitFor();
    // Reachable by keyboard: focus it and press Enter.
    await left.focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(400);
    await page.getByRole('button', { name: 'Show later stages' }).waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  step('the customer card gives each amount with its currency', async () => {
    await go(`/r/accounts/${ids.acc.id}`);
    const card = page.getByRole('region', { name: 'Customer card' });
    await card.getByText('CN¥50,000.00 · $12,000.00').waitFor();
    await card.getByText('$700.00', { exact: true }).waitFor();
  });

  step('the home page charts one currency at a time, chosen when there are several', async () => {
    await go('/');
    await page.getByRole('heading', { name: 'Pipeline by stage (US dollar)' }).waitFor();
    await page.getByRole('heading', { name: 'Forecast by month (US dollar)' }).waitFor();
    await page.getByRole('combobox', { name: 'Currency' }).selectOption('CNY');
    await page.getByRole('heading', { name: 'Pipeline by stage (Chinese yuan)' }).waitFor();
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
