// Cases and knowledge articles: a case links articles (kb_articles), the links read both
// ways — the case's articles, an article's cases — each side showing only what the
// caller may read; a link names only an article its writer may read; and a resolved case
// becomes a draft article linked back to it (POST /cases/{id}/article), its text quoted
// as Markdown, in the caller's language, in one transaction that a refusal leaves
// unwritten. Runs on SQLite and, with RAPPORT_TEST_PG, on PostgreSQL.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, loginAdmin, createUser, createTeam, create, assertProblem } from './helpers.js';

let srv, admin;
const u = {};
const c = {};
const pw = (name) => `pw-${name}-12345678`;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const desk = await createTeam(admin, 'Desk');
  const field = await createTeam(admin, 'Field');
  // Reads and works every case, but of the knowledge base only the articles it wrote.
  const r = await admin.post('/roles', { key: 'case_clerk', label: 'Case clerk', grants: {
    cases: { read: 'all', create: 'all', edit: 'all' }, kb_articles: { read: 'own', create: 'own', edit: 'own' },
  } });
  assert.equal(r.status, 201, r.text);
  const defs = { agent: ['support', desk.id], boss: ['manager', desk.id], rep: ['sales', field.id],
    mark: ['marketing', field.id], clerk: ['case_clerk', desk.id], lin: ['support', desk.id, 'zh-CN'] };
  for (const [name, [role, team, locale]] of Object.entries(defs)) {
    u[name] = await createUser(admin, { username: name, password: pw(name), role, team_ids: [team], ...(locale ? { locale } : {}) });
    c[name] = await login(srv.base, name, pw(name));
  }
});
after(async () => { await srv?.stop(); });

const article = (client, title, extra = {}) => create(client, 'kb_articles', { title, body: `About ${title}`, status: 'published', ...extra });
const ids = (r) => r.body.data.map((x) => x.id);

describe('links between cases and articles', () => {
  test('a case links articles on create and by PATCH; both sides list them', async () => {
    const a1 = await article(c.agent, 'Printer offline');
    const a2 = await article(c.agent, 'Paper jam');
    const k = await create(c.agent, 'cases', { subject: 'Printer will not print', kb_articles: [a1.id] });
    assert.deepEqual(k.kb_articles, [a1.id]);
    let r = await c.agent.get(`/cases/${k.id}/articles`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.data, [{ id: a1.id, title: 'Printer offline', language: 'en', status: 'published',
      visibility: 'internal', category_id: null }]);

    r = await c.agent.patch(`/cases/${k.id}`, { kb_articles: [a1.id, a2.id] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(await c.agent.get(`/cases/${k.id}/articles`)), [a1.id, a2.id]);
    r = await c.agent.get(`/kb_articles/${a2.id}/cases`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.data.length, 1);
    assert.equal(r.body.data[0].id, k.id);
    assert.equal(r.body.data[0].number, k.number);
    assert.equal(r.body.data[0].subject, 'Printer will not print');

    // Unlinking: the article no longer lists the case; the change is in the history.
    r = await c.agent.patch(`/cases/${k.id}`, { kb_articles: [a2.id] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(await c.agent.get(`/kb_articles/${a1.id}/cases`)), []);
    const h = (await c.agent.get(`/cases/${k.id}/history`)).body.data;
    assert.ok(h.some((x) => x.field === 'kb_articles'), JSON.stringify(h));

    // A deleted article drops out of the case's list; restored, it is back.
    const d = await c.agent.del(`/kb_articles/${a2.id}`);
    assert.equal(d.status, 204, d.text);
    assert.deepEqual(ids(await c.agent.get(`/cases/${k.id}/articles`)), []);
    await c.agent.post(`/kb_articles/${a2.id}/restore`);
    assert.deepEqual(ids(await c.agent.get(`/cases/${k.id}/articles`)), [a2.id]);
  });

  test('a link must name an article; at most 40; nothing changes otherwise', async () => {
    const k = await create(c.agent, 'cases', { subject: 'Bad links' });
    const other = await create(c.agent, 'accounts', { name: 'Not an article Ltd' });
    assertProblem(await c.agent.patch(`/cases/${k.id}`, { kb_articles: [other.id] }), 422);
    assertProblem(await c.agent.patch(`/cases/${k.id}`, { kb_articles: ['nope'] }), 422);
    assertProblem(await c.agent.patch(`/cases/${k.id}`, { kb_articles: 'x' }), 422);
    const many = await Promise.all(Array.from({ length: 41 }, (_, i) => article(c.agent, `Bulk ${i}`)));
    const r = await c.agent.patch(`/cases/${k.id}`, { kb_articles: many.map((a) => a.id) });
    assertProblem(r, 422);
    assert.match(JSON.stringify(r.body.errors), /at most 40/);
    const ok = await c.agent.patch(`/cases/${k.id}`, { kb_articles: many.slice(0, 40).map((a) => a.id) });
    assert.equal(ok.status, 200, ok.text);
    const now = (await c.agent.get(`/cases/${k.id}`)).body;
    assert.equal(now.version, k.version + 1, 'only the good change was written');
    assert.equal(ids(await c.agent.get(`/cases/${k.id}/articles`)).length, 40);
  });

  test('each side shows only what the caller may read', async () => {
    const theirs = await article(c.agent, 'Internal escalation path');
    const mine = await article(c.clerk, 'Clerk notes');
    const k = await create(c.agent, 'cases', { subject: 'Mixed links', kb_articles: [theirs.id, mine.id] });
    // The clerk reads the case, and of its articles only their own.
    let r = await c.clerk.get(`/cases/${k.id}/articles`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(r), [mine.id]);
    assert.doesNotMatch(r.text, /Internal escalation path/);
    assertProblem(await c.clerk.get(`/kb_articles/${theirs.id}/cases`), 404);
    // Linking an article they cannot read is as if it did not exist.
    const k2 = await create(c.clerk, 'cases', { subject: 'Clerk case' });
    r = await c.clerk.patch(`/cases/${k2.id}`, { kb_articles: [theirs.id] });
    assertProblem(r, 422);
    assert.match(JSON.stringify(r.body.errors), /kb_articles/);

    // Marketing reads articles and no case: an article's cases are none.
    r = await c.mark.get(`/kb_articles/${theirs.id}/cases`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.data, []);
    assertProblem(await c.mark.get(`/cases/${k.id}/articles`), 404);

    // A sales rep sees the cases of their customers only.
    const acc = await create(c.rep, 'accounts', { name: 'Rep Customer Co' });
    const theirCase = await create(c.agent, 'cases', { subject: 'Rep customer case', account_id: acc.id, kb_articles: [theirs.id] });
    r = await c.rep.get(`/kb_articles/${theirs.id}/cases`);
    assert.deepEqual(ids(r), [theirCase.id]);
    assert.deepEqual(ids(await c.agent.get(`/kb_articles/${theirs.id}/cases`)).sort(), [k.id, theirCase.id].sort());
  });
});

describe('an article from a resolved case', () => {
  const resolve = async (client, k, resolution) => {
    const r = await client.patch(`/cases/${k.id}`, { status: 'resolved', resolution });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };

  test('makes a draft in the caller\'s language, its text quoted, linked both ways', async () => {
    const kb = await article(c.agent, 'Already linked');
    const k = await create(c.agent, 'cases', { subject: 'Label printer prints *blank* labels',
      description: '# Customer says\nlabels come out blank <b>every</b> time\n\n1. since Monday', kb_articles: [kb.id] });
    assertProblem(await c.agent.post(`/cases/${k.id}/article`), 409, 'an open case');
    const done = await resolve(c.agent, k, 'Replaced the ribbon_cartridge.\n- then a test print');
    const r = await c.agent.post(`/cases/${k.id}/article`);
    assert.equal(r.status, 201, r.text);
    const a = r.body;
    assert.equal(r.headers.get('location'), `/api/v1/kb_articles/${a.id}`);
    assert.equal(a.title, 'Label printer prints *blank* labels');
    assert.equal(a.status, 'draft');
    assert.equal(a.language, 'en');
    assert.equal(a.owner_id, u.agent.id);
    assert.equal(a.body, '## Problem\n\n\\# Customer says\\\nlabels come out blank \\<b\\>every\\</b\\> time\n\n'
      + '1\\. since Monday\n\n## Solution\n\nReplaced the ribbon\\_cartridge.\\\n\\- then a test print\n');
    const html = (await c.agent.get(`/kb_articles/${a.id}/html`)).body.html;
    assert.match(html, /<h2>Problem<\/h2>/);
    assert.match(html, /# Customer says<br \/>\nlabels come out blank &lt;b&gt;every&lt;\/b&gt; time/);
    const after = (await c.agent.get(`/cases/${k.id}`)).body;
    assert.deepEqual(after.kb_articles, [kb.id, a.id]);
    assert.equal(after.version, done.version + 1);
    assert.deepEqual(ids(await c.agent.get(`/kb_articles/${a.id}/cases`)), [k.id]);
  });

  test('in Chinese for a Chinese-speaking agent; a closed case too; a long subject is cut', async () => {
    const k = await create(c.lin, 'cases', { subject: '打印机'.repeat(85), description: '无法连接' });
    await resolve(c.lin, k, '重新安装驱动');
    const closed = await c.lin.patch(`/cases/${k.id}`, { status: 'closed' });
    assert.equal(closed.status, 200, closed.text);
    const r = await c.lin.post(`/cases/${k.id}/article`);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.language, 'zh-CN');
    assert.equal([...r.body.title].length, 200);
    assert.equal(r.body.body, '## 问题\n\n无法连接\n\n## 解决方法\n\n重新安装驱动\n');
  });

  test('refused without the right to edit the case or write articles; nothing is written', async () => {
    const k = await create(c.agent, 'cases', { subject: 'Managers do not write articles' });
    const done = await resolve(c.agent, k, 'Fixed');
    const before = (await admin.get('/kb_articles?count=true&limit=1')).body.total;
    // A manager edits cases but writes no article: the case is left as it was.
    assertProblem(await c.boss.post(`/cases/${k.id}/article`), 403);
    // A sales rep reads only their own cases and edits none.
    const own = await create(c.agent, 'cases', { subject: 'A rep\'s case', owner_id: u.rep.id });
    await resolve(c.agent, own, 'Fixed');
    assertProblem(await c.rep.post(`/cases/${own.id}/article`), 403);
    assertProblem(await c.rep.post(`/cases/${k.id}/article`), 404);
    assertProblem(await c.mark.post(`/cases/${k.id}/article`), 404);
    assertProblem(await c.agent.post('/cases/00000000-0000-7000-8000-000000000000/article'), 404);
    assert.equal((await admin.get('/kb_articles?count=true&limit=1')).body.total, before);
    assert.equal((await admin.get(`/cases/${k.id}`)).body.version, done.version);
    // Refused in Chinese too.
    const zh = await c.boss.post(`/cases/${k.id}/article`, undefined, { headers: { 'accept-language': 'zh-CN' } });
    assertProblem(zh, 403);
  });
});
