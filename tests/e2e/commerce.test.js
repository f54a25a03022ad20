// Products and quotes in a real browser. A product with a volume price and a price list
// are made through the API; the client's arithmetic (web/src/mod/commerce/money.js) is
// checked line by line against the server's on a quote of random lines. Then a sales
// manager writes a quote in the form: a product found by its name (its price looked up
// as the quantity changes, from the price list's volume tier), and a free-text line
// with a price, a discount and a tax rate typed; the totals change before anything is
// saved, and the saved quote shows the server's same figures on its page. Sent, the
// quote's lines are frozen (the form shows them, no input); "New version" makes a draft
// with the same number, version 2; both PDF links answer a PDF. The product's page
// answers "Price for a customer" with the list that won (a customer's own list once the
// customer is picked), and a bundle lists its components by name. The quote and the
// product in Chinese: labels and the product's Chinese name. Accessible names, no CSP
// violation or script error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAdmin, create, ADMIN_PASSWORD } from '../api/helpers.js';
import { addLines, formatMinor, parseMinor, parsePercent, priceLine } from '../../web/src/mod/commerce/money.js';
import { appPage } from './browser.js';

const ui = appPage('commerce');
const { step, signIn, go } = ui;
let srv, admin, page;
const ids = {};
// The quote's panel on its page.
const quotePanel = (number) => page.getByRole('region', { name: `Quote ${number}` });
// Waits until a locator's text matches re.
async function untilText(locator, re) {
  for (let i = 0; i < 100 && !re.test(await locator.textContent()); i++) await page.waitForTimeout(100);
  assert.match(await locator.textContent(), re);
}

describe('products and quotes', () => {
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
    ids.account = (await create(admin, 'accounts', { name: 'Harbour Logistics' })).id;
    ids.valve = (await create(admin, 'products', {
      sku: 'VLV-100', name: 'Ball valve DN50', name_zh: '球阀 DN50', list_price: '120.00', currency: 'USD', tax_rate: 1300,
    })).id;
    ids.seal = (await create(admin, 'products', {
      sku: 'SEAL-7', name: 'Seal kit', name_zh: '密封件套装', list_price: '8.50', currency: 'USD', tax_rate: 1300,
    })).id;
    ids.bundle = (await create(admin, 'products', {
      sku: 'VLV-KIT', name: 'Valve service kit', name_zh: '阀门维修套件', list_price: '150.00', currency: 'USD', unit: 'set',
      components: [{ product_id: ids.valve, quantity: 1 }, { product_id: ids.seal, quantity: 2 }],
    })).id;
    ids.list = (await create(admin, 'price_lists', { name: 'Distributor 2026', currency: 'USD' })).id;
    await create(admin, 'price_list_items', { price_list_id: ids.list, product_id: ids.valve, unit_price: '95.00' });
    await create(admin, 'price_list_items', { price_list_id: ids.list, product_id: ids.valve, unit_price: '88.00', min_quantity: 10 });
    ids.other = (await create(admin, 'accounts', { name: 'Quayside Traders' })).id;
    ids.own = (await create(admin, 'price_lists', { name: 'Quayside contract prices', currency: 'USD', account_id: ids.other })).id;
    await create(admin, 'price_list_items', { price_list_id: ids.own, product_id: ids.valve, unit_price: '81.00' });
    page = await ui.open();
  });

  after(async () => {
    await ui.close();
    await srv?.stop();
  });

  test('the browser prices a line as the server does (random lines, per line and in total)', async () => {
    let seed = 7;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const cents = (c) => formatMinor(BigInt(c));
    const lines = [];
    for (let i = 0; i < 60; i++) {
      const l = { description: `Line ${i}`, quantity: 1 + rnd(i % 3 ? 40 : 5000), unit_price: cents(rnd(i % 4 ? 100000 : 999)) };
      if (i % 3 === 0) l.discount_percent = `${rnd(100)}.${String(rnd(100)).padStart(2, '0')}`;
      else if (i % 3 === 1) l.discount_amount = cents(rnd(50));
      l.tax_rate = `${rnd(25)}.${String(rnd(100)).padStart(2, '0')}`;
      lines.push(l);
    }
    const q = (await admin.post('/quotes', { name: 'Arithmetic check', currency: 'USD', lines })).body;
    assert.ok(q.lines, JSON.stringify(q));
    const mine = lines.map((l) => priceLine({
      quantity: BigInt(l.quantity), unitPrice: parseMinor(l.unit_price), taxBp: parsePercent(l.tax_rate),
      discountBp: l.discount_percent ? parsePercent(l.discount_percent) : 0n,
      discountAmount: l.discount_amount ? parseMinor(l.discount_amount) : 0n,
    }));
    q.lines.forEach((s, i) => {
      for (const k of ['gross', 'discount', 'net', 'tax', 'total']) assert.equal(formatMinor(mine[i][k]), s[k], `line ${i + 1} ${k}`);
    });
    const t = addLines(mine);
    assert.deepEqual([t.gross, t.discount, t.tax, t.total].map(formatMinor), [q.subtotal, q.discount_total, q.tax_total, q.total]);
    assert.equal((await admin.del(`/quotes/${q.id}`)).status, 204);
  });

  step('sign in', async () => {
    await page.goto(srv.base + '/');
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
  });

  step('a new quote: a product found by name, priced from the price list as the quantity changes', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Quotes' }).click();
    await page.getByRole('heading', { name: 'Quotes', level: 1 }).waitFor();
    await go('/r/quotes/new');
    await page.locator('#f-name').fill('Valves for the east quay');
    await page.locator('#f-account_id').fill('Harbour');
    await page.getByRole('option', { name: 'Harbour Logistics' }).click();
    await page.getByLabel('Product of line 1').fill('valve');
    await page.getByRole('option', { name: 'VLV-100 · Ball valve DN50' }).click();
    const price = page.getByLabel('Unit price of line 1');
    // The price list for everyone: 95.00 for one, 88.00 from ten (shown greyed: taken
    // from the list on save).
    await page.waitForFunction(() => document.querySelector('[aria-label="Unit price of line 1"]')?.placeholder === '95.00');
    await page.getByLabel('Quantity of line 1').fill('12');
    await page.waitForFunction(() => document.querySelector('[aria-label="Unit price of line 1"]')?.placeholder === '88.00');
    assert.equal(await price.inputValue(), '');
    assert.equal(await page.getByLabel('Tax rate of line 1 (%)').getAttribute('placeholder'), '13');
    const totals = page.getByRole('status', { name: 'Totals' });
    // 12 × 88.00 = 1,056.00; tax 13 % = 137.28.
    await totals.getByText('$1,193.28').waitFor();
  });

  step('a free-text line with its price, discount and tax: the totals change before saving', async () => {
    await page.getByRole('button', { name: 'Add line' }).click();
    await page.getByLabel('Description of line 2').fill('On-site installation');
    await page.getByLabel('Unit price of line 2').fill('450');
    const totals = page.getByRole('status', { name: 'Totals' });
    await totals.getByText('$1,506.00').waitFor(); // subtotal
    await page.getByLabel('Discount of line 2').fill('10');
    await page.getByLabel('Tax rate of line 2 (%)').fill('6');
    // Line 2: 450.00 − 10 % = 405.00, tax 6 % = 24.30. Totals: subtotal 1,506.00,
    // discounts 45.00, tax 161.58, total 1,622.58.
    await totals.getByText('$1,622.58').waitFor();
    assert.match(await totals.textContent(), /Subtotal\$1,506\.00Discounts\$45\.00Tax\$161\.58Total\$1,622\.58/);
    // An amount off instead of a percent: 10.00 off, net 440.00, tax 26.40.
    await page.getByLabel('Discount type of line 2').selectOption('amount');
    await totals.getByText('$1,659.68').waitFor();
    await page.getByLabel('Discount type of line 2').selectOption('percent');
    await totals.getByText('$1,622.58').waitFor();
    // Lines move: the installation first, then back.
    await page.getByRole('button', { name: 'Move line 2 up' }).click();
    assert.equal(await page.getByLabel('Description of line 1').inputValue(), 'On-site installation');
    await page.getByRole('button', { name: 'Move line 1 down' }).click();
    assert.equal(await page.getByLabel('Description of line 2').inputValue(), 'On-site installation');
    // A third line added and removed again leaves the totals as they were.
    await page.getByRole('button', { name: 'Add line' }).click();
    await page.getByLabel('Description of line 3').fill('Scrap');
    await page.getByLabel('Unit price of line 3').fill('1');
    await totals.getByText('$1,623.58').waitFor();
    await page.getByRole('button', { name: 'Remove line 3' }).click();
    await totals.getByText('$1,622.58').waitFor();
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('saved: the quote page shows the server\'s totals and lines', async () => {
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Valves for the east quay', level: 1 }).waitFor();
    const q = (await admin.get('/quotes?name=Valves for the east quay')).body.data[0];
    ids.quote = q.id;
    ids.number = q.number;
    assert.equal(q.total, '1622.58');
    assert.deepEqual([q.subtotal, q.discount_total, q.tax_total], ['1506.00', '45.00', '161.58']);
    assert.equal(q.lines[0].price_source, 'price_list');
    const head = quotePanel(q.number);
    await untilText(head, /Number\s*Q-\d{6}\s*Version\s*1\s*Status\s*Draft/);
    assert.match(await head.getByRole('status', { name: 'Totals' }).textContent(), /Subtotal\$1,506\.00Discounts\$45\.00Tax\$161\.58Total\$1,622\.58/);
    const lines = page.getByRole('table', { name: 'Quote lines' });
    await lines.getByRole('link', { name: 'Ball valve DN50' }).waitFor();
    await lines.getByRole('link', { name: 'Distributor 2026' }).waitFor();
    assert.match(await lines.locator('tbody tr').nth(1).textContent(), /On-site installation.*\$450\.00.*10% \(\$45\.00\).*6%.*\$405\.00.*\$429\.30/);
    // The generic panels leave out what the quote's panels show.
    assert.equal(await page.getByText('"product_id"').count(), 0);
  });

  step('sent: the next moves are offered and the lines are frozen', async () => {
    const head = quotePanel(ids.number);
    await head.getByRole('button', { name: 'Send', exact: true }).click();
    await untilText(head, /Status\s*Sent\s*Sent on/);
    for (const name of ['Accept', 'Reject', 'Mark expired', 'New version']) await head.getByRole('button', { name }).waitFor();
    assert.equal(await head.getByRole('button', { name: 'Send', exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByText('This quote has been sent: its lines no longer change.').waitFor();
    await page.getByRole('table', { name: 'Quote lines' }).getByText('On-site installation').waitFor();
    assert.equal(await page.getByLabel('Quantity of line 1').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Add line' }).count(), 0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    const r = await admin.patch(`/quotes/${ids.quote}`, { lines: [] });
    assert.equal(r.status, 422);
  });

  step('both PDF links answer a PDF', async () => {
    for (const name of ['Download PDF (A4)', 'Download PDF (Letter)']) {
      const href = await page.getByRole('link', { name }).getAttribute('href');
      const res = await page.context().request.get(srv.base + href);
      assert.equal(res.status(), 200, name);
      assert.equal(res.headers()['content-type'], 'application/pdf');
      assert.equal((await res.body()).subarray(0, 5).toString(), '%PDF-');
    }
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download PDF (A4)' }).click();
    const file = await download;
    // The server names the file (Content-Disposition wins over the link's download name).
    assert.match(file.suggestedFilename(), new RegExp(`^${ids.number}-v1(-a4)?\\.pdf$`));
    const bytes = Buffer.concat(await (await file.createReadStream()).toArray());
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  });

  step('"New version": a draft with the same number, version 2; the sent one links to it', async () => {
    const number = (await admin.get(`/quotes/${ids.quote}`)).body.number;
    await page.getByRole('button', { name: 'New version' }).click();
    await page.getByText('Version 2 is a new draft of the quote.').waitFor();
    const head = quotePanel(number);
    await untilText(head, /Version\s*2\s*Status\s*Draft/);
    ids.v2 = page.url().split('/').pop();
    assert.notEqual(ids.v2, ids.quote);
    const v2 = (await admin.get(`/quotes/${ids.v2}`)).body;
    assert.equal(v2.number, number);
    assert.equal(v2.revision, 2);
    assert.equal(v2.total, '1622.58');
    await head.getByRole('button', { name: 'Send', exact: true }).waitFor();
    // The draft's lines edit again, as saved; changing nothing sends no lines.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    assert.equal(await page.getByLabel('Quantity of line 1').inputValue(), '12');
    await page.getByRole('status', { name: 'Totals' }).getByText('$1,622.58').waitFor();
    await page.getByLabel('Quantity of line 1').fill('2');
    // 2 × 95.00 (no volume price under ten): 190.00 + tax 24.70.
    await page.getByRole('status', { name: 'Totals' }).getByText('$644.00').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await head.getByRole('status', { name: 'Totals' }).getByText('$644.00').waitFor();
    assert.equal((await admin.get(`/quotes/${ids.v2}`)).body.lines[0].unit_price, '95.00');
    await go(`/r/quotes/${ids.quote}`);
    await page.getByRole('link', { name: 'Newer version: 2' }).click();
    await quotePanel(ids.number).getByText('$644.00').waitFor();
  });

  step('the product\'s price for a customer names the price list that won', async () => {
    await go(`/r/products/${ids.valve}`);
    const panel = page.getByRole('region', { name: 'Price for a customer' });
    await panel.getByRole('link', { name: 'Distributor 2026' }).waitFor();
    await panel.getByText('$95.00').waitFor();
    await panel.getByLabel('Quantity').fill('10');
    await panel.getByText('$88.00').waitFor();
    await panel.getByText('from 10 units', { exact: true }).waitFor();
    await panel.locator('#cm-price-account').fill('Quayside');
    await panel.getByRole('option', { name: 'Quayside Traders' }).click();
    await panel.getByRole('link', { name: 'Quayside contract prices' }).waitFor();
    await panel.getByText('$81.00').waitFor();
    assert.match(await panel.textContent(), /the price list for this account/);
    assert.deepEqual(await ui.unnamedControls(), []);
  });

  step('a bundle lists its components; the form picks them with their quantities', async () => {
    await go(`/r/products/${ids.bundle}`);
    const bundle = page.getByRole('region', { name: 'Bundle of' });
    await bundle.getByRole('link', { name: 'Ball valve DN50' }).waitFor();
    assert.match(await bundle.textContent(), /Seal kit SEAL-7 × 2/);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Quantity of component 2').fill('4');
    await page.getByRole('button', { name: 'Remove component 1' }).click();
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByLabel('Product of component 2').fill('valve');
    // The bundle itself is never offered.
    await page.getByRole('option', { name: 'VLV-100 · Ball valve DN50' }).click();
    assert.equal(await page.getByRole('option', { name: /VLV-KIT/ }).count(), 0);
    await page.getByRole('button', { name: 'Save' }).click();
    await bundle.getByText('Seal kit').waitFor();
    await page.getByText('Saved.').waitFor();
    const p = (await admin.get(`/products/${ids.bundle}`)).body;
    assert.deepEqual(p.components, [{ product_id: ids.seal, quantity: 4 }, { product_id: ids.valve, quantity: 1 }]);
  });

  step('in Chinese: the quote\'s labels and the product\'s Chinese name', async () => {
    await go(`/r/quotes/${ids.v2}`);
    await quotePanel(ids.number).waitFor();
    await page.getByRole('combobox', { name: 'Language' }).first().selectOption('zh-CN');
    const head = page.getByRole('region', { name: `报价 ${ids.number}` });
    await untilText(head, /编号\s*Q-\d{6}\s*版本\s*2\s*状态\s*草稿/);
    for (const text of ['小计', '折扣', '税额', '总计']) await head.getByText(text, { exact: true }).waitFor();
    await head.getByRole('button', { name: '发送' }).waitFor();
    await head.getByRole('link', { name: '下载 PDF（A4）' }).waitFor();
    await head.getByRole('link', { name: '下载 PDF（美式信纸）' }).waitFor();
    const lines = page.getByRole('table', { name: '报价明细' });
    await lines.getByRole('link', { name: '球阀 DN50' }).waitFor();
    const heads = await lines.locator('thead th').allTextContents();
    assert.deepEqual(heads, ['#', '产品或描述', '数量', '单价', '折扣', '税率 %', '净额', '合计']);
    assert.doesNotMatch((await head.textContent()).replace(/PDF/g, ''), /[A-Za-z]{3,}/);
    // The form's editor.
    await page.getByRole('button', { name: '编辑', exact: true }).click();
    await page.getByRole('group', { name: '明细' }).waitFor();
    await page.getByLabel('第 1 行的数量').waitFor();
    await page.getByRole('button', { name: '添加一行' }).click();
    await page.getByLabel('第 2 行的产品').fill('球阀');
    await page.getByRole('option', { name: 'VLV-100 · 球阀 DN50' }).click();
    await page.getByRole('status', { name: '合计' }).getByText('总计').waitFor();
    await page.getByRole('button', { name: '取消' }).click();
    // The product's page.
    await go(`/r/products/${ids.bundle}`);
    await page.getByRole('region', { name: '客户价格' }).getByText('产品标价', { exact: true }).waitFor();
    await page.getByRole('region', { name: '组合包含' }).getByRole('link', { name: '密封件套装' }).waitFor();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await page.getByRole('region', { name: 'Price for a customer' }).waitFor();
  });

  step('no CSP violation or script error', () => {
    assert.deepEqual(ui.cspErrors, []);
    assert.deepEqual(ui.pageErrors, []);
  });
});
