// The whole UI in Simplified Chinese (issue 19 item 9): an administrator with a few
// records of every entity (Chinese or digit-only values, every enum set) switches to
// 简体中文 and visits every page — home, each list, a record of each entity with its
// History tab, a new-record form of each, the pipeline, the calendar's day, week and
// month, the "New case" form of the customer card and over any page (Alt+Shift+C), My cases, the service reports, search, the recycle bin, duplicates, import, My settings, the
// notifications page and every
// administration tab (and Automation's rules: the list, a rule tried on a record with
// its run log, its form, a new rule's form with every kind of action) — and no visible text of the header, the navigation or the page
// (nor a placeholder, title or accessible name) may be English. The same walk in English
// may show no dictionary key (t() answers a missing key with the key itself). People's
// names: a Chinese name reads family name first (李小明), a Western one "First Last".
// Each step saves a screenshot to $RAPPORT_E2E_SHOTS (default: a temp dir) when it fails.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { appPage } from './browser.js';

const ui = appPage('zh');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};

// Words that are the same in both languages: the product, formats and encodings, and
// the built-in tiers and page sizes the UI shows as they are.
const ALLOWED = new Set(['Rapport', 'CSV', 'XLSX', 'UTF', 'GBK', 'ID', 'URL', 'API', 'Excel',
  'vCard', 'iCalendar', 'ICS', 'JSON', 'PDF', 'SQLite', 'PostgreSQL',
  // Products and protocol words the settings name as they are written.
  'Outlook', 'Google', 'Thunderbird', 'Authorization', 'Bearer',
  // The calendar and contacts sync page's products and protocols.
  'Apple', 'macOS', 'iPhone', 'iPad', 'Android', 'DAVx', 'Droid', 'Play', 'Windows', 'Linux',
  'CalDAV', 'CardDAV', 'https', 'http',
  // The knowledge base's text format, named in its body's label.
  'Markdown',
  // Keys as their caps name them, in a shortcut's hint (新建工单 (Alt+Shift+C)).
  'Alt', 'Shift',
  // The automation module's webhooks, so named in Chinese too (their /meta label).
  'Webhook']);

// The texts a person reads on the page: visible text nodes of the header, navigation and
// main region (not inside inputs or code: identifiers such as a field's API name), the
// options of its selects, and placeholders, titles and accessible names.
async function visibleTexts() {
  return page.evaluate(() => {
    const out = [];
    const roots = [...document.querySelectorAll('header, nav, main, [role=banner], [role=navigation], [role=main], [role=dialog]')];
    const shown = (el) => el && (el.closest('select') ? el.closest('select').checkVisibility() : el.checkVisibility());
    for (const root of roots) {
      const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const el = n.parentElement;
        if (!n.nodeValue.trim() || el.closest('textarea, code, kbd, samp, script, style') || !shown(el)) continue;
        // A text marked as another language on purpose (each language's own name in
        // the language menu) is in that language.
        if (el.closest('[lang]') && el.closest('[lang]').lang !== document.documentElement.lang) continue;
        out.push(n.nodeValue.trim());
      }
      for (const el of root.querySelectorAll('[placeholder], [title], [aria-label]')) {
        if (!el.checkVisibility()) continue;
        for (const a of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
      }
    }
    return [...new Set(out)];
  });
}

// Waits until the page has loaded what it shows (no "Loading…" left).
async function settled() {
  await page.waitForLoadState('networkidle');
  for (let i = 0; i < 50; i++) {
    const busy = await page.locator('main').getByText(/^(Loading…|加载中…)$/).count();
    if (!busy) break;
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(150);
}

// The data's own texts, which may hold ASCII letters: the administrator's username, the
// display name the first start gave them (in their History, before it was changed) and
// the keys of the default stages (identifiers, in the Stages screen's Key column), and the
// names the first start gives the default SLA policy and its calendar (a case names its
// policy), which an administrator renames.
const DATA = new Set(['admin', 'Administrator', 'prospecting', 'qualification', 'needs_analysis', 'proposal', 'negotiation',
  'closed_won', 'closed_lost', 'Standard', 'Office hours']);

async function noEnglish(where) {
  await settled();
  const bad = [];
  for (const text of await visibleTexts()) {
    if (DATA.has(text)) continue;
    const words = (text.match(/[A-Za-z]{3,}/g) || []).filter((w) => !ALLOWED.has(w) && !DATA.has(w));
    // A record's id where its name belongs is no text for people either (whether its
    // hex digits happen to spell three letters or not).
    if (words.length || UUID.test(text)) bad.push(text);
  }
  return bad.map((x) => `${where}: ${x}`);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

async function noKeys(where) {
  await settled();
  const bad = (await visibleTexts()).filter((x) => (/\b[a-z]+\.[a-zA-Z_.]*[a-zA-Z]\b/.test(x) && !/@|https?:/.test(x)) || UUID.test(x));
  return bad.map((x) => `${where}: ${x}`);
}

const ENTITIES = ['accounts', 'contacts', 'leads', 'opportunities', 'activities', 'kb_categories', 'kb_articles', 'cases',
  'service_agreements'];

// Every page of the walk, as [name, path, what to do there (optional)].
function pages() {
  const list = [['home', '/']];
  for (const e of ENTITIES) {
    list.push([`${e} list`, `/r/${e}`]);
    list.push([`${e} record`, `/r/${e}/${ids[e]}`]);
    list.push([`${e} history`, `/r/${e}/${ids[e]}`, async () => {
      await page.getByRole('tab', { name: /^(History|修改历史)$/ }).click();
    }]);
    list.push([`${e} form`, `/r/${e}/new`]);
  }
  list.push(['lead conversion', `/r/leads/${ids.leads}`, async () => {
    await page.getByRole('button', { name: /^(Convert lead|转换线索)$/ }).click();
  }]);
  list.push(['new case on the customer card', `/r/accounts/${ids.accounts}`, async () => {
    await page.getByRole('main').getByRole('button', { name: /^(New case|新建工单)$/ }).click();
  }]);
  list.push(['new case anywhere, with suggestions and a caller not found', '/', async () => {
    await page.keyboard.press('Alt+Shift+C');
    await page.locator('#qc-subject').fill('打印机无法连接');
    await page.locator('.qc-suggest').waitFor();
    await page.locator('#qc-phone').fill('13900009999');
    await page.locator('#qc-phone').press('Enter');
    await page.locator('.qc-customer p.muted').waitFor();
  }]);
  list.push(['resolved case (create an article)', `/r/cases/${ids.resolvedCase}`]);
  list.push(['user record', `/r/users/${ids.user}`]);
  list.push(['pipeline', '/pipeline']);
  list.push(['my cases', '/worklist']);
  list.push(['service reports', '/service-reports']);
  for (const [v, en, zh] of [['day', 'Day', '日'], ['week', 'Week', '周'], ['month', 'Month', '月']]) {
    list.push([`calendar ${v}`, '/calendar', async () => {
      await page.getByRole('button', { name: new RegExp(`^(${en}|${zh})$`) }).click();
    }]);
  }
  list.push(['knowledge base', '/kb']);
  list.push(['knowledge base article', `/kb/a/${ids.kb_articles}`]);
  list.push(['knowledge base version', `/kb/a/${ids.kb_articles}?version=1`]);
  list.push(['knowledge base editor', `/kb/a/${ids.kb_articles}/edit`, async () => {
    await page.getByRole('button', { name: /^(Preview|预览)$/ }).click();
    await page.getByTestId('kb-preview').waitFor();
  }]);
  list.push(['knowledge base new article', '/kb/new']);
  list.push(['search', `/search?q=${encodeURIComponent('华信')}`]);
  for (const p of ['/recycle-bin', '/duplicates', '/import', '/settings', '/calendar-sync', '/notifications']) list.push([p, p]);
  for (const tab of ['users', 'teams', 'roles', 'stages', 'fields', 'entities', 'security', 'automation']) list.push([`admin ${tab}`, `/admin/${tab}`]);
  list.push(['a role', `/admin/roles/${ids.role}`]);
  // Automation › Rules: the list, a rule (tried on a record, its run log), its form, and
  // a new rule's form with one action of every kind.
  list.push(['admin automation rules', '/admin/automation/rules']);
  list.push(['a workflow rule, tried on a record', `/admin/automation/rules/${ids.rule}`, async () => {
    await page.locator('.wf-pick button').first().click();
    await page.locator('.wf-result .notice').waitFor();
  }]);
  list.push(['a workflow rule\'s form', `/admin/automation/rules/${ids.rule}/edit`]);
  list.push(['a new workflow rule', '/admin/automation/rules/new', async () => {
    await page.locator('#wf-f-entity').selectOption('contacts');
    await page.locator('#wf-f-trigger').selectOption('date');
    for (const kind of ['set_fields', 'assign', 'create_task', 'send_email', 'notify', 'webhook', 'create_record']) {
      await page.locator('#wf-add-kind').selectOption(kind);
      await page.locator('.wf-add button').click();
    }
  }]);
  return list;
}

async function walk(check) {
  const found = [];
  for (const [name, path, act] of pages()) {
    await page.goto(srv.base + path);
    await page.getByRole('button', { name: /^(Sign out|退出)$/ }).waitFor();
    await settled();
    if (act) await act();
    await settled();
    // The page shows something to check (the walk is not looking at an empty page).
    assert.ok((await visibleTexts()).length >= 8, `${name}: ${(await visibleTexts()).join(' | ')}`);
    found.push(...await check(name));
  }
  return found;
}

describe('the UI in Simplified Chinese', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    const me = (await admin.get('/auth/me')).body.user;
    ids.user = me.id;
    ids.role = (await admin.get('/roles?key=sales')).body.data[0].id;
    assert.equal((await admin.patch('/auth/me', { display_name: '管理员' })).status, 200);
    const acc = await create(admin, 'accounts', {
      name: '华信科技', type: 'customer', industry: 'manufacturing', size: '51-200', payment_method: 'bank_transfer',
      credit_rating: 'good', category: 'key', status: 'on_hold', tier: 'A', billing_city: '上海', phone: '+86 21 5555 0100',
    });
    ids.accounts = acc.id;
    await create(admin, 'accounts', { name: '华信科技集团', type: 'partner', industry: 'retail', status: 'active' });
    // A workflow rule (Administration › Automation › Rules) that the first contact fires.
    ids.rule = (await create(admin, 'workflows', {
      name: '上海新联系人', entity: 'contacts', trigger: 'field_changed', trigger_field: 'lead_source', trigger_value: 'cold_call',
      conditions: `city=${encodeURIComponent('上海')}\nlast_name[like]=${encodeURIComponent('李*')}&do_not_call=false`,
      actions: [{ type: 'set_fields', values: { department: '重点 {{first_name}}' } }, { type: 'create_task', subject: '回访 {{first_name}}', due_in_days: 2 }],
    })).id;
    const con = await create(admin, 'contacts', {
      salutation: 'mr', first_name: '小明', last_name: '李', account_id: acc.id, lead_source: 'cold_call', city: '上海',
    });
    ids.contacts = con.id;
    // A duplicate pair for the duplicates screen.
    await create(admin, 'contacts', { first_name: '小明', last_name: '李', phone_mobile: '13800000000' }).catch(() => {});
    const lead = await create(admin, 'leads', {
      salutation: 'ms', first_name: '芳', last_name: '王', company: '东方贸易', source: 'trade_show', status: 'contacted', rating: 'hot',
    });
    ids.leads = lead.id;
    const opp = await create(admin, 'opportunities', {
      name: '年度合同', account_id: acc.id, contact_id: con.id, amount: '120000.00', currency: 'CNY', stage: 'qualification',
      lead_source: 'web', expected_close_date: new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10),
    });
    ids.opportunities = opp.id;
    // History: a stage move and an enum change.
    assert.equal((await admin.patch(`/opportunities/${opp.id}`, { stage: 'needs_analysis' })).status, 200);
    assert.equal((await admin.patch(`/accounts/${acc.id}`, { industry: 'finance' })).status, 200);
    const start = new Date();
    start.setHours(10, 0, 0, 0);
    const end = new Date(start.getTime() + 3600000);
    const call = await create(admin, 'activities', {
      type: 'call', subject: '电话回访', status: 'not_held', priority: 'high', direction: 'outbound',
      related_type: 'accounts', related_id: acc.id, start_at: start.toISOString(), end_at: end.toISOString(),
    });
    ids.activities = call.id;
    const today = new Date().toISOString().slice(0, 10);
    ids.service_agreements = (await create(admin, 'service_agreements', {
      name: '年度维保协议', account_id: acc.id, start_date: today, end_date: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
      entitlement_type: 'cases', entitlement_amount: 10, covered_products: '打印机',
    })).id;
    const kase = await create(admin, 'cases', {
      subject: '打印机卡纸', account_id: acc.id, contact_id: con.id, type: 'problem', priority: 'p2', channel: 'phone',
    });
    assert.equal((await admin.patch(`/cases/${kase.id}`, { status: 'in_progress' })).status, 200);
    ids.cases = kase.id;
    await create(admin, 'activities', {
      type: 'meeting', subject: '季度评审', status: 'planned', priority: 'normal', related_type: 'opportunities',
      related_id: opp.id, start_at: new Date(end.getTime() + 3600000).toISOString(), end_at: new Date(end.getTime() + 7200000).toISOString(),
    });
    await create(admin, 'activities', { type: 'task', subject: '准备报价', status: 'planned', priority: 'low', due_at: end.toISOString() });
    // The knowledge base: a category under another, a Chinese article with a vote and a
    // second version.
    const hw = await create(admin, 'kb_categories', { name: '硬件', name_zh: '硬件' });
    ids.kb_categories = (await create(admin, 'kb_categories', { name: '打印机', name_zh: '打印机', parent_id: hw.id })).id;
    const art = await create(admin, 'kb_articles', {
      title: '打印机显示脱机', body: '## 步骤\n\n1. 关闭打印机\n2. 检查网线', status: 'published', language: 'zh-CN',
      visibility: 'public', category_id: ids.kb_categories, tags: '打印机',
    });
    ids.kb_articles = art.id;
    assert.equal((await admin.patch(`/kb_articles/${art.id}`, { body: '## 步骤\n\n重新启动打印机。' })).status, 200);
    assert.equal((await admin.post(`/kb_articles/${art.id}/feedback`, { helpful: true })).status, 200);
    // The case links the article (the case's articles, the article's cases), and one
    // resolved case offers to become an article.
    assert.equal((await admin.patch(`/cases/${ids.cases}`, { kb_articles: [art.id] })).status, 200);
    const solved = await create(admin, 'cases', { subject: '标签打印空白', type: 'problem', priority: 'p3' });
    assert.equal((await admin.patch(`/cases/${solved.id}`, { status: 'resolved', resolution: '更换色带' })).status, 200);
    ids.resolvedCase = solved.id;
    // Something in the recycle bin.
    const gone = await create(admin, 'accounts', { name: '旧客户', type: 'other' });
    assert.equal((await admin.del(`/accounts/${gone.id}`)).status, 204);
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  step('sign in and switch to 简体中文', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('navigation', { name: '主导航' }).waitFor();
  });

  step('enum values and stages show their Chinese labels', async () => {
    await go(`/r/accounts/${ids.accounts}`);
    await page.getByText('制造业').or(page.getByText('金融')).first().waitFor();
    await page.getByText('暂停').first().waitFor();
    await page.getByText('银行转账').first().waitFor();
    await go(`/r/activities/${ids.activities}`);
    await page.getByText('未举行').first().waitFor();
    await go(`/r/opportunities/${ids.opportunities}`);
    await page.getByText('需求分析').first().waitFor();
    await page.getByRole('tab', { name: '历史' }).click();
    // The history names the stages and values as the page does.
    await page.getByText(/从\s*需求确认\s*改为\s*需求分析|需求确认.*需求分析/).first().waitFor();
    await go('/pipeline');
    await page.getByRole('heading', { name: '初步接洽' }).waitFor();
    await page.getByRole('heading', { name: '赢单' }).waitFor();
    // A new deal's form offers the stages by their Chinese names.
    await go('/r/opportunities/new');
    const stage = page.getByLabel('阶段');
    assert.ok((await stage.locator('option').allTextContents()).includes('商务谈判'));
    assert.ok((await page.getByLabel('线索来源').locator('option').allTextContents()).includes('陌生拜访'));
  });

  step('a Chinese name reads family name first', async () => {
    await go(`/r/contacts/${ids.contacts}`);
    await page.getByRole('heading', { name: '李小明' }).waitFor();
    await go(`/r/leads/${ids.leads}`);
    await page.getByRole('heading', { name: '王芳' }).waitFor();
  });

  step('no page shows English in Chinese', async () => {
    const found = await walk((name) => noEnglish(name));
    assert.deepEqual(found, [], `English in the Chinese UI:\n${found.join('\n')}`);
  });

  step('no page shows a dictionary key in English', async () => {
    await page.goto(srv.base + '/');
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    const found = await walk((name) => noKeys(name));
    assert.deepEqual(found, [], `untranslated keys:\n${found.join('\n')}`);
    // Western names stay "First Last"; enum values read as words.
    const w = await create(admin, 'contacts', { first_name: 'Anna', last_name: 'Berg' });
    await go(`/r/contacts/${w.id}`);
    await page.getByRole('heading', { name: 'Anna Berg' }).waitFor();
    await go(`/r/activities/${ids.activities}`);
    await page.getByText('Not held').first().waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
