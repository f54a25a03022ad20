// The knowledge base: articles and categories through the generic record routes, the
// rendered HTML (safe whatever the Markdown holds), versions from the history (list,
// read one, restore by PATCH), feedback once per reader, views, suggestions ranked by
// text match in the caller's language first, Chinese search, who may do what, and the
// demo's articles.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BIN, startServer, login, loginAdmin, createUser, createTeam, create, assertProblem, uniq, dropDb, freshDb,
} from './helpers.js';

let srv;
let admin;
const c = {}; // clients by role
const u = {}; // users by role

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const team = await createTeam(admin, 'KB Team');
  for (const role of ['support', 'sales', 'partner', 'readonly']) {
    u[role] = await createUser(admin, { username: `kb_${role}`, password: `pw-${role}-12345678`, role, team_ids: [team.id] });
    c[role] = await login(srv.base, `kb_${role}`, `pw-${role}-12345678`);
  }
  u.support2 = await createUser(admin, { username: 'kb_support2', password: 'pw-support2-12345678', role: 'support', team_ids: [team.id] });
  c.support2 = await login(srv.base, 'kb_support2', 'pw-support2-12345678');
});
after(async () => { await srv?.stop(); });

const article = (client, body) => create(client, 'kb_articles', { status: 'published', body: 'Some text.', ...body });

describe('articles and categories', () => {
  test('support writes an article in a category of a tree; the record holds its counts at zero', async () => {
    const top = await create(c.support, 'kb_categories', { name: 'Hardware', name_zh: '硬件' });
    const sub = await create(c.support, 'kb_categories', { name: 'Printers', name_zh: '打印机', parent_id: top.id });
    const a = await article(c.support, { title: 'Printer offline', body: '# Steps\n\n1. Restart', category_id: sub.id,
      tags: 'printer, offline', visibility: 'public' });
    assert.equal(a.status, 'published');
    assert.equal(a.language, 'en');
    assert.equal(a.visibility, 'public');
    assert.equal(a.helpful_count, 0);
    assert.equal(a.not_helpful_count, 0);
    assert.equal(a.views, 0);
    const d = await create(c.support, 'kb_articles', { title: 'Just a draft' });
    assert.equal(d.status, 'draft');
    assert.equal(d.visibility, 'internal');
  });

  test('a category cannot be inside itself, directly or further down', async () => {
    const a = await create(c.support, 'kb_categories', { name: uniq('A') });
    const b = await create(c.support, 'kb_categories', { name: uniq('B'), parent_id: a.id });
    const self = await c.support.patch(`/kb_categories/${a.id}`, { parent_id: a.id });
    assert.equal(assertProblem(self, 422).errors[0].field, 'parent_id');
    const loop = await c.support.patch(`/kb_categories/${a.id}`, { parent_id: b.id });
    assert.equal(assertProblem(loop, 422).errors[0].field, 'parent_id');
    assert.equal((await c.support.get(`/kb_categories/${a.id}`)).body.parent_id, null);
  });

  test('a published article needs a body; bad values are refused and change nothing', async () => {
    const r = await c.support.post('/kb_articles', { title: 'Empty', status: 'published' });
    assert.equal(assertProblem(r, 422).errors[0].field, 'body');
    const lang = await c.support.post('/kb_articles', { title: 'Klingon', language: 'tlh' });
    assert.equal(assertProblem(lang, 422).errors[0].field, 'language');
    const ro = await c.support.post('/kb_articles', { title: 'Cheat', helpful_count: 99 });
    assert.equal(ro.status, 422, ro.text);
    const n = (await admin.get('/kb_articles?q=Klingon&count=true')).body.total;
    assert.equal(n, 0);
  });

  test('a translation links to its original, in another language, never to a translation', async () => {
    const en = await article(c.support, { title: 'Reset a password', body: 'Choose **Forgot password**.' });
    const zh = await article(c.support, { title: '重置密码', body: '选择**忘记密码**。', language: 'zh-CN', translation_of: en.id });
    assert.equal(zh.translation_of, en.id);
    const same = await c.support.post('/kb_articles', { title: 'Same language', translation_of: en.id });
    assert.equal(assertProblem(same, 422).errors[0].field, 'translation_of');
    const chain = await c.support.post('/kb_articles', { title: 'Chain', translation_of: zh.id });
    assert.equal(assertProblem(chain, 422).errors[0].field, 'translation_of');
    const self = await c.support.patch(`/kb_articles/${en.id}`, { translation_of: en.id, language: 'zh-CN' });
    assert.equal(assertProblem(self, 422).errors[0].field, 'translation_of');
    const list = await c.sales.get(`/kb_articles?translation_of=${en.id}`);
    assert.deepEqual(list.body.data.map((x) => x.id), [zh.id]);
  });

  test('labels and enum labels come in English and Chinese', async () => {
    const m = (await c.sales.get('/meta')).body;
    const e = m.entities.find((x) => x.name === 'kb_articles');
    assert.equal(e.label_zh, '知识文章');
    const status = e.fields.find((f) => f.name === 'status');
    assert.deepEqual(status.enum_labels_zh, { draft: '草稿', published: '已发布', archived: '已归档' });
    const zh = await c.support.post('/kb_articles', { title: 'x', status: 'published' }, { headers: { 'accept-language': 'zh-CN' } });
    assert.equal(assertProblem(zh, 422).errors[0].message, '已发布的文章必须有正文');
  });
});

describe('rendering', () => {
  test('the body renders as HTML with cmark', async () => {
    const a = await article(c.support, { title: 'Render me', body: '# Title\n\nSome *emphasis*, a [link](https://example.com).' });
    const r = await c.sales.get(`/kb_articles/${a.id}/html`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.html, '<h1>Title</h1>\n<p>Some <em>emphasis</em>, a <a href="https://example.com">link</a>.</p>\n');
    assert.equal(r.body.title, 'Render me');
  });

  test('hostile Markdown renders without scripts, handlers or script URLs', async () => {
    const body = [
      '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[a](javascript:alert(1))',
      '[b](JAVASCRIPT:alert(1))', '[c](java&#x73;cript:alert(1))', '![d](javascript:alert(1))',
      '![e](data:image/svg+xml;base64,PHN2Zz4=)', '<javascript:alert(1)>', '[f](vbscript:x)',
      '<a href="javascript:alert(1)">g</a>', '<iframe src="https://evil.example"></iframe>',
      '[h](https://ok.example/" onmouseover="alert(1))',
    ].join('\n\n');
    const a = await article(c.support, { title: 'Hostile', body });
    const { html } = (await c.support.get(`/kb_articles/${a.id}/html`)).body;
    assert.doesNotMatch(html, /<script|<iframe|<img src="x"|(href|src)="(javascript|vbscript|data):/i);
    const tags = (html.match(/<[^>]*>/g) || []).map((t) => t.replace(/"[^"]*"/g, '""')).join(' ');
    assert.doesNotMatch(tags, /\son\w+=/i, 'no event handler attributes');
    const preview = await c.support.post('/kb/render', { body });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.html, html);
  });

  test('the preview takes Markdown text only', async () => {
    assertProblem(await c.support.post('/kb/render', { body: 12 }), 422);
    assertProblem(await c.support.post('/kb/render', { body: 'x', extra: 1 }), 422);
    assertProblem(await c.support.post('/kb/render', '{'), 400);
  });
});

describe('versions', () => {
  test('each edit of the title or the body is a version; others are not; an old one can be read and restored', async () => {
    const a = await article(c.support, { title: 'V1 title', body: 'first body' });
    let r = await c.support.patch(`/kb_articles/${a.id}`, { body: 'second body' });
    assert.equal(r.status, 200, r.text);
    r = await c.support.patch(`/kb_articles/${a.id}`, { tags: 'not a version' });
    assert.equal(r.status, 200, r.text);
    r = await c.support2.patch(`/kb_articles/${a.id}`, { title: 'V3 title', body: 'third **body**' });
    assert.equal(r.status, 200, r.text);
    const v = await c.sales.get(`/kb_articles/${a.id}/versions`);
    assert.equal(v.status, 200, v.text);
    assert.deepEqual(v.body.data.map((x) => [x.version, x.title, x.changed.join()]),
      [[3, 'V3 title', 'title,body'], [2, 'V1 title', 'body'], [1, 'V1 title', 'title,body']]);
    assert.equal(v.body.data[0].user_id, u.support2.id);
    assert.equal(v.body.data[2].user_id, u.support.id);
    const one = await c.sales.get(`/kb_articles/${a.id}/versions/1`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.body, 'first body');
    assert.equal(one.body.html, '<p>first body</p>\n');
    const three = await c.sales.get(`/kb_articles/${a.id}/versions/3`);
    assert.equal(three.body.html, '<p>third <strong>body</strong></p>\n');
    assertProblem(await c.sales.get(`/kb_articles/${a.id}/versions/4`), 404);
    assertProblem(await c.sales.get(`/kb_articles/${a.id}/versions/zero`), 400);
    // Restoring version 1 is a PATCH with its title and body: a new version.
    r = await c.support.patch(`/kb_articles/${a.id}`, { title: one.body.title, body: one.body.body });
    assert.equal(r.status, 200, r.text);
    const after = (await c.sales.get(`/kb_articles/${a.id}/versions`)).body.data;
    assert.equal(after.length, 4);
    assert.equal(after[0].title, 'V1 title');
    assert.equal((await c.sales.get(`/kb_articles/${a.id}/versions/4`)).body.body, 'first body');
  });
});

describe('feedback and views', () => {
  test('each reader votes once per article; a second vote replaces the first', async () => {
    const a = await article(c.support, { title: uniq('Vote') });
    let r = await c.sales.post(`/kb_articles/${a.id}/feedback`, { helpful: true });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.helpful_count, r.body.not_helpful_count], [1, 0]);
    r = await c.sales.post(`/kb_articles/${a.id}/feedback`, { helpful: true });
    assert.deepEqual([r.body.helpful_count, r.body.not_helpful_count], [1, 0]);
    r = await c.sales.post(`/kb_articles/${a.id}/feedback`, { helpful: false });
    assert.deepEqual([r.body.helpful_count, r.body.not_helpful_count], [0, 1]);
    r = await c.support.post(`/kb_articles/${a.id}/feedback`, { helpful: true });
    assert.deepEqual([r.body.helpful_count, r.body.not_helpful_count], [1, 1]);
    const rec = (await c.sales.get(`/kb_articles/${a.id}`)).body;
    assert.deepEqual([rec.helpful_count, rec.not_helpful_count, rec.version], [1, 1, a.version],
      'counts are not edits: the version stays');
    const mine = await c.sales.get(`/kb_feedback?article_id=${a.id}`);
    assert.equal(mine.body.data.length, 1);
    // The record route keeps one vote per reader too.
    const dup = await c.sales.post('/kb_feedback', { article_id: a.id, helpful: true });
    assertProblem(dup, 409);
    assert.equal((await c.support.get(`/kb_feedback?article_id=${a.id}&count=true`)).body.total, 2);
  });

  test('feedback takes helpful as true or false and nothing else', async () => {
    const a = await article(c.support, { title: uniq('Vote') });
    assertProblem(await c.sales.post(`/kb_articles/${a.id}/feedback`, { helpful: 'yes' }), 422);
    assertProblem(await c.sales.post(`/kb_articles/${a.id}/feedback`, { helpful: true, stars: 5 }), 422);
    assertProblem(await c.sales.post(`/kb_articles/${a.id}/feedback`, {}), 422);
    assertProblem(await c.sales.post('/kb_articles/00000000-0000-7000-8000-000000000000/feedback', { helpful: true }), 404);
    assert.equal((await c.sales.get(`/kb_articles/${a.id}`)).body.helpful_count, 0);
  });

  test('views count every opening without a new version', async () => {
    const a = await article(c.support, { title: uniq('Views') });
    assert.equal((await c.sales.post(`/kb_articles/${a.id}/view`)).body.views, 1);
    assert.equal((await c.readonly.post(`/kb_articles/${a.id}/view`)).body.views, 2);
    const rec = (await c.sales.get(`/kb_articles/${a.id}`)).body;
    assert.deepEqual([rec.views, rec.version], [2, a.version]);
  });
});

describe('search and suggestions', () => {
  let en;
  let zh;
  let draft;
  before(async () => {
    en = await article(c.support, { title: 'Laserjet shows offline', body: 'Turn the laserjet off and on, check the cable.', tags: 'laserjet' });
    zh = await article(c.support, { title: '激光打印机显示脱机', body: '关闭激光打印机再重新打开，检查网线。', language: 'zh-CN', translation_of: en.id });
    await article(c.support, { title: 'Paper jam', body: 'Open the laserjet door and pull the paper out.' });
    await article(c.support, { title: 'Wi-Fi drops', body: 'Move closer to the router.' });
    draft = await create(c.support, 'kb_articles', { title: 'Laserjet offline draft', body: 'laserjet offline', status: 'draft' });
  });

  test('full-text search finds Chinese words and single Chinese characters', async () => {
    const two = await c.sales.get(`/kb_articles?q=${encodeURIComponent('脱机')}`);
    assert.deepEqual(two.body.data.map((x) => x.id), [zh.id]);
    const one = await c.sales.get(`/kb_articles?q=${encodeURIComponent('网')}`);
    assert.ok(one.body.data.some((x) => x.id === zh.id), one.text);
  });

  test('suggestions: published only, best match first, the caller\'s language first', async () => {
    let r = await c.sales.get(`/kb/suggest?q=${encodeURIComponent('my laserjet is offline')}`);
    assert.equal(r.status, 200, r.text);
    const ids = r.body.data.map((x) => x.id);
    assert.equal(ids[0], en.id, r.text);
    assert.ok(!ids.includes(draft.id), 'drafts are not suggested');
    r = await c.sales.get(`/kb/suggest?q=${encodeURIComponent('激光打印机脱机了')}`, { headers: { 'accept-language': 'zh-CN' } });
    assert.equal(r.body.data[0].id, zh.id, r.text);
    r = await c.sales.get(`/kb/suggest?q=${encodeURIComponent('laserjet offline 激光打印机')}&language=zh-CN`);
    assert.deepEqual(r.body.data.slice(0, 2).map((x) => x.id), [zh.id, en.id], r.text);
    assert.equal(r.body.data[0].language, 'zh-CN');
    r = await c.sales.get('/kb/suggest?q=laserjet&limit=1');
    assert.equal(r.body.data.length, 1);
    r = await c.sales.get('/kb/suggest?q=a');
    assert.deepEqual(r.body.data, []);
  });

  test('a word in more articles than suggestions weigh still finds the best match', async () => {
    // Each word weighs its newest 500 articles (KB_SUGGEST_CANDIDATES): an older article
    // holding a common word and a rare one is still found through the rare one, first.
    const best = await article(c.support, { title: 'Gasket kit for the quenchrotor', body: 'quenchrotor gasket' });
    for (let i = 0; i < 520; i += 40) {
      await Promise.all(Array.from({ length: 40 }, (_, k) =>
        article(c.support, { title: `Quenchrotor note ${i + k}`, body: 'quenchrotor service note' })));
    }
    let r = await c.sales.get(`/kb/suggest?q=${encodeURIComponent('quenchrotor gasket')}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data[0].id, best.id, r.text);
    r = await c.sales.get('/kb/suggest?q=quenchrotor&limit=20');
    assert.equal(r.body.data.length, 20);
    assert.ok(r.body.data.every((x) => /Quenchrotor/i.test(x.title)), r.text);
  });

  test('suggestions refuse bad parameters', async () => {
    assertProblem(await c.sales.get('/kb/suggest'), 400);
    assertProblem(await c.sales.get('/kb/suggest?q=x&language=fr'), 400);
    assertProblem(await c.sales.get('/kb/suggest?q=x&limit=0'), 400);
    assertProblem(await c.sales.get('/kb/suggest?q=x&limit=21'), 400);
    assertProblem(await c.sales.get('/kb/suggest?q=x&sort=title'), 400);
  });
});

describe('permissions', () => {
  test('sales and read-only users read and vote but do not write; partners see nothing', async () => {
    const a = await article(c.support, { title: uniq('Perm') });
    assert.equal((await c.sales.get(`/kb_articles/${a.id}`)).status, 200);
    assertProblem(await c.sales.post('/kb_articles', { title: 'no' }), 403);
    assertProblem(await c.sales.patch(`/kb_articles/${a.id}`, { title: 'no' }), 403);
    assertProblem(await c.readonly.post(`/kb_articles/${a.id}/feedback`, { helpful: true }), 403);
    assert.equal((await c.readonly.get(`/kb_articles/${a.id}/html`)).status, 200);
    assertProblem(await c.partner.get(`/kb_articles/${a.id}`), 404);
    assertProblem(await c.partner.get('/kb/suggest?q=perm'), 403);
    assertProblem(await c.partner.get(`/kb_articles/${a.id}/html`), 404);
    assertProblem(await c.partner.get(`/kb_articles/${a.id}/versions`), 404);
    assertProblem(await c.partner.post(`/kb_articles/${a.id}/view`), 404);
    assert.equal((await c.sales.get(`/kb_articles/${a.id}`)).body.views, 0);
  });

  test('support edits any article and deletes its own', async () => {
    const a = await article(c.support, { title: uniq('Mine') });
    assert.equal((await c.support2.patch(`/kb_articles/${a.id}`, { body: 'edited by a colleague' })).status, 200);
    assertProblem(await c.support2.del(`/kb_articles/${a.id}`), 403);
    assert.equal((await c.support.del(`/kb_articles/${a.id}`)).status, 204);
  });
});

describe('rapport demo', () => {
  test('holds 40 articles in both languages across a tree of categories, each Chinese one a translation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-kb-demo-'));
    const db = freshDb(dir);
    execFileSync(BIN, ['demo', '--db', db], { env: { ...process.env, RAPPORT_ADMIN_PASSWORD: 'admin-pass-123' }, encoding: 'utf8' });
    const demo = await startServer({ dir, keepDir: true });
    try {
      const a = await loginAdmin(demo.base);
      const en = (await a.get('/kb_articles?language=en&limit=100')).body.data;
      const zh = (await a.get('/kb_articles?language=zh-CN&limit=100')).body.data;
      assert.deepEqual([en.length, zh.length], [20, 20]);
      assert.ok(zh.every((x) => en.some((y) => y.id === x.translation_of)), 'every Chinese article translates an English one');
      const cats = (await a.get('/kb_categories?limit=100')).body.data;
      assert.ok(cats.length >= 5 && cats.some((c) => c.parent_id), 'a tree of categories');
      assert.ok(new Set(en.map((x) => x.category_id)).size >= 5, 'articles across the categories');
      assert.ok(en.some((x) => x.status === 'draft') && en.some((x) => x.visibility === 'public'));
      const s = await a.get(`/kb/suggest?q=${encodeURIComponent('打印机脱机')}`, { headers: { 'accept-language': 'zh-CN' } });
      assert.equal(s.body.data[0].title, '打印机显示脱机');
    } finally {
      await demo.stop();
      dropDb(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
