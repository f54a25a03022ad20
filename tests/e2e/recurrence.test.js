// Recurring meetings in a real browser: a new meeting repeats every other week on
// Monday and Wednesday, six times (the editor says so in words); the calendar shows
// each occurrence with the repeat mark; one occurrence is renamed alone ("this
// occurrence") and becomes its own record; the later ones are deleted from one on
// ("this and following"); the series reads in Chinese; no CSP violation or script error.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('recurrence');
const { step, signIn, go } = ui;
let srv, admin, page, seriesId;

// Next Monday 09:00 UTC (the browser runs in UTC) and the dates of the series.
const DAY = 86400000;
const today = new Date(); today.setUTCHours(0, 0, 0, 0);
const monday = new Date(today.getTime() + (((8 - today.getUTCDay()) % 7) || 7) * DAY + 9 * 3600000);
const at = (days) => new Date(monday.getTime() + days * DAY).toISOString();

async function occurrences(subject) {
  const r = await admin.get(`/calendar?from=${at(-1)}&to=${at(40)}`);
  return r.body.data.filter((a) => a.subject === subject).map((a) => a.start_at);
}

describe('recurring meetings', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
  });

  step('the repeat editor writes the rule and says it in words', async () => {
    const q = new URLSearchParams({ type: 'meeting', start_at: at(0), end_at: at(0).replace('T09', 'T10') });
    await go(`/r/activities/new?${q}`);
    await page.locator('#f-subject').fill('Sprint sync');
    const repeat = page.getByRole('group', { name: 'Repeat' });
    await repeat.getByLabel('Repeat', { exact: true }).selectOption('weekly');
    await repeat.getByLabel('Every … weeks').fill('2');
    // Monday is the start's day; Wednesday is added.
    assert.equal(await repeat.getByRole('checkbox', { name: 'Mon' }).isChecked(), true);
    await repeat.getByRole('checkbox', { name: 'Wed' }).check();
    await repeat.getByRole('radio', { name: 'After' }).check();
    await repeat.getByRole('spinbutton', { name: 'occurrences' }).fill('6');
    await repeat.getByText('Every 2 weeks on Mon, Wed, 6 times').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Sprint sync', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Repeats' }).getByText('Every 2 weeks on Mon, Wed, 6 times').waitFor();
    seriesId = page.url().split('/').pop();
    const r = await admin.get(`/activities/${seriesId}`);
    assert.equal(r.body.rrule, 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=6');
    assert.equal(r.body.timezone, 'UTC');
    assert.deepEqual(await occurrences('Sprint sync'), [at(0), at(2), at(14), at(16), at(28), at(30)]);
  });

  step('the calendar shows every occurrence with the repeat mark', async () => {
    await go('/calendar');
    await page.getByRole('button', { name: 'Next' }).click();
    const events = page.locator('.event', { hasText: 'Sprint sync' });
    await events.nth(1).waitFor();
    assert.equal(await events.count(), 2, 'Monday and Wednesday of the first week');
    assert.equal(await events.first().getByRole('img', { name: 'Repeats' }).count(), 1);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.event', { hasText: 'Sprint sync' }).first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('.event', { hasText: 'Sprint sync' }).count(), 0, 'the week in between is free');
  });

  step('one occurrence renamed alone: "this occurrence"', async () => {
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.event', { hasText: 'Sprint sync' }).nth(1).getByRole('link').click();
    await page.getByText(/^Occurrence of /).waitFor();
    await page.getByRole('button', { name: 'Change occurrence' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change which occurrences?' });
    await dialog.getByRole('radio', { name: 'This occurrence' }).check();
    await dialog.getByRole('button', { name: 'Continue' }).click();
    const form = page.getByRole('dialog', { name: 'Change this occurrence' });
    await form.getByLabel('Subject').fill('Sprint sync (demo day)');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Sprint sync (demo day)', level: 1 }).waitFor();
    await page.getByText(/Changed occurrence of a repeating activity/).waitFor();
    assert.deepEqual(await occurrences('Sprint sync (demo day)'), [at(2)]);
    assert.deepEqual(await occurrences('Sprint sync'), [at(0), at(14), at(16), at(28), at(30)]);
  });

  step('the later occurrences deleted: "this and following"', async () => {
    await go(`/r/activities/${seriesId}?occurrence=${encodeURIComponent(at(16))}`);
    await page.getByRole('button', { name: 'Delete occurrence' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete which occurrences?' });
    await dialog.getByRole('radio', { name: 'This and following occurrences' }).check();
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /^Calendar/ }).waitFor();
    assert.deepEqual(await occurrences('Sprint sync'), [at(0), at(14)]);
  });

  step('the series and the choice in Chinese', async () => {
    await go(`/r/activities/${seriesId}?occurrence=${encodeURIComponent(at(14))}`);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('region', { name: '重复' }).getByText(/每 2 周的周一、周三，直到 /).waitFor();
    await page.getByRole('button', { name: '删除这一次' }).click();
    const dialog = page.getByRole('dialog', { name: '要删除哪些重复？' });
    await dialog.getByRole('radio', { name: '仅此一次' }).waitFor();
    await dialog.getByRole('radio', { name: '此次及以后各次' }).waitFor();
    await dialog.getByRole('radio', { name: '所有重复' }).waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  });

  step('no CSP violation or script error', async () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
