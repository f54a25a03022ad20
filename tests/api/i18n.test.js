// Messages in the caller's language: a client that sends Accept-Language: zh-CN (the web
// UI sends its language on every request) reads problem titles, details, field errors
// and import row errors in Simplified Chinese; a client that sends nothing, or English,
// reads the English text unchanged. What programs read never changes: the type, the
// status, field names, JSON keys.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, loginAdmin, login, createUser, create, createTeam, assertProblem, runImport, uniq,
} from './helpers.js';

const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };
const EN = { 'accept-language': 'en-US,en;q=0.9' };
const NO_SUCH_ID = '01930000-0000-7000-8000-000000000000';

let srv;
let admin;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
});
after(async () => { await srv?.stop(); });

// The same request three ways: in Chinese, in English, and with no header at all.
async function threeWays(send) {
  return { zh: await send(ZH), en: await send(EN), none: await send({}) };
}

// Everything but the human-readable texts is the same in both languages.
function sameMachineParts(a, b) {
  assert.equal(a.type, b.type);
  assert.equal(a.status, b.status);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  assert.deepEqual((a.errors || []).map((e) => e.field), (b.errors || []).map((e) => e.field));
}

describe('field errors (422)', () => {
  test('a new account with a missing name and a bad e-mail: Chinese, English, English', async () => {
    const r = await threeWays((headers) =>
      admin.post('/accounts', { email: 'not-an-email', annual_revenue: '1.234' }, { headers }));
    const zh = assertProblem(r.zh, 422);
    const en = assertProblem(r.en, 422);
    const none = assertProblem(r.none, 422);
    assert.equal(zh.title, '无法处理的内容');
    assert.equal(zh.detail, '部分字段无效');
    const byField = Object.fromEntries(zh.errors.map((e) => [e.field, e.message]));
    assert.equal(byField.name, '为必填项');
    assert.equal(byField.email, '不是有效的电子邮件地址');
    assert.equal(byField.annual_revenue, '必须是最多两位小数的金额，例如 1234.50');
    assert.equal(en.title, 'Unprocessable Content');
    assert.equal(en.detail, 'some fields are invalid');
    assert.deepEqual(Object.fromEntries(en.errors.map((e) => [e.field, e.message])), {
      name: 'is required', email: 'is not a valid e-mail address',
      annual_revenue: 'must be an amount with at most 2 decimals, like 1234.50',
    });
    assert.deepEqual(none, en, 'no header: the English answer, unchanged');
    sameMachineParts(zh, en);
    assert.match(r.zh.headers.get('vary') || '', /Accept-Language/i);
  });

  test("an entity's label in a message is in the same language", async () => {
    const r = await threeWays((headers) =>
      admin.post('/contacts', { last_name: 'Li', account_id: NO_SUCH_ID }, { headers }));
    const zh = assertProblem(r.zh, 422);
    const en = assertProblem(r.en, 422);
    assert.deepEqual(zh.errors, [{ field: 'account_id', message: '没有此 ID 的客户' }]);
    assert.deepEqual(en.errors, [{ field: 'account_id', message: 'no Account with this id' }]);
    sameMachineParts(zh, en);
  });

  test('a number with its arguments: the translation carries them', async () => {
    const r = await admin.post('/accounts', { name: 'x'.repeat(5000) }, { headers: ZH });
    const p = assertProblem(r, 422);
    assert.match(p.errors[0].message, /^最多 \d+ 个字符$/);
  });

  test('a member an action does not take is named, in the caller\'s language, and nothing changes', async () => {
    const acc = await create(admin, 'accounts', { name: uniq('Options') });
    const art = await create(admin, 'kb_articles', { title: uniq('Options'), body: 'x', status: 'published' });
    const lead = await create(admin, 'leads', { first_name: 'Opt', last_name: uniq('Ion') });
    await admin.del(`/accounts/${acc.id}`);
    for (const [path, body, en, zh] of [
      [`/accounts/${acc.id}/merge`, { from: [], colour: 1 }, 'is not a merge option', '不是合并选项'],
      [`/leads/${lead.id}/convert`, { colour: 1 }, 'is not a conversion option', '不是转换选项'],
      [`/leads/${lead.id}/shares`, { access: 'read', colour: 1 }, 'is not part of a share', '不是共享的属性'],
      ['/accounts/purge', { older_than_days: 0, colour: 1 }, 'is not an option of emptying the recycle bin', '不是清空回收站的选项'],
      ['/kb/render', { body: 'x', colour: 1 }, 'is not a render option', '不是渲染选项'],
      [`/kb_articles/${art.id}/feedback`, { helpful: true, colour: 1 }, 'is not a feedback option', '不是反馈选项'],
    ]) {
      for (const [headers, want] of [[EN, en], [ZH, zh]]) {
        const p = assertProblem(await admin.post(path, body, { headers }), 422);
        assert.deepEqual(p.errors.filter((e) => e.field === 'colour').map((e) => e.message), [want], path);
      }
    }
    assert.equal((await admin.post(`/accounts/${acc.id}/restore`)).status, 200, 'the refused purge kept the account in the bin');
    assert.equal((await admin.get(`/kb_articles/${art.id}`)).body.helpful_count, 0, 'no vote counted');
  });
});

describe('other problems', () => {
  test('404: absent, in Chinese or English; the title too', async () => {
    const r = await threeWays((headers) => admin.get(`/accounts/${NO_SUCH_ID}`, { headers }));
    const zh = assertProblem(r.zh, 404);
    const en = assertProblem(r.en, 404);
    assert.deepEqual([zh.title, zh.detail], ['未找到', '记录不存在']);
    assert.deepEqual([en.title, en.detail], ['Not Found', 'no such record']);
    assert.deepEqual(assertProblem(r.none, 404), en);
    sameMachineParts(zh, en);
  });

  test('403: a read-only user may not create accounts', async () => {
    const name = uniq('ro');
    await createUser(admin, { username: name, password: 'read-only-pass-1', role: 'readonly' });
    const ro = await login(srv.base, name, 'read-only-pass-1');
    const r = await threeWays((headers) => ro.post('/accounts', { name: 'Nope' }, { headers }));
    const zh = assertProblem(r.zh, 403);
    const en = assertProblem(r.en, 403);
    assert.equal(zh.title, '禁止访问');
    assert.equal(zh.detail, '您的角色不能创建客户');
    assert.equal(en.detail, 'your role may not create Accounts');
    assert.deepEqual(assertProblem(r.none, 403), en);
    sameMachineParts(zh, en);
  });

  test('409: a team cannot come back from the recycle bin while another holds its name', async () => {
    const name = uniq('团队');
    const first = await createTeam(admin, name);
    assert.equal((await admin.del(`/teams/${first.id}`)).status, 204);
    await createTeam(admin, name);
    const r = await threeWays((headers) => admin.post(`/teams/${first.id}/restore`, {}, { headers }));
    const zh = assertProblem(r.zh, 409);
    const en = assertProblem(r.en, 409);
    assert.equal(zh.title, '冲突');
    assert.equal(zh.detail, '现有的一个团队已占用此记录的某个唯一值');
    assert.equal(en.detail, "a live Team now holds one of this record's unique values");
    sameMachineParts(zh, en);
  });

  test('400: a bad list parameter names it the same way in both languages', async () => {
    const r = await threeWays((headers) => admin.get('/accounts?colour=red', { headers }));
    assert.equal(assertProblem(r.zh, 400).detail, '未知的参数或字段“colour”');
    assert.equal(assertProblem(r.en, 400).detail, "unknown parameter or field 'colour'");
  });

  test('400 from the API layer and 405 from the router', async () => {
    const bad = await admin.post('/accounts', '{"name":', { headers: ZH });
    assert.match(assertProblem(bad, 400).detail, /^JSON 格式错误（第 1 行第 \d+ 列）：/);
    const del = await admin.del(`/users/${admin.user.id}`, { headers: ZH });
    assert.equal(assertProblem(del, 405).detail, 'DELETE 不适用于 users');
  });

  test('401: sign-in failures', async () => {
    const r = await admin.post('/auth/login', { username: 'admin', password: 'wrong-password' },
      { headers: ZH, cookie: false, csrf: false });
    const p = assertProblem(r, 401);
    assert.deepEqual([p.title, p.detail], ['未登录', '用户名或密码错误']);
  });
});

describe('Accept-Language', () => {
  const cases = [
    ['zh', '记录不存在'], ['zh-CN', '记录不存在'], ['zh-Hans-CN', '记录不存在'],
    ['en;q=0.5, zh-CN;q=0.8', '记录不存在'], ['fr-FR, zh;q=0.3', '记录不存在'],
    ['zh-TW', 'no such record'], ['zh-CN;q=0', 'no such record'], ['en, zh', 'no such record'],
    ['fr', 'no such record'], ['*', 'no such record'], ['zh-CN;q=banana', 'no such record'],
  ];
  for (const [header, want] of cases) {
    test(`"${header}" → ${want}`, async () => {
      const r = await admin.get(`/accounts/${NO_SUCH_ID}`, { headers: { 'accept-language': header } });
      assert.equal(assertProblem(r, 404).detail, want);
    });
  }
});

describe('import row errors', () => {
  test("a job's row errors are in the language of the user who posted it", async () => {
    const name = uniq('zhuser');
    await createUser(admin, { username: name, password: 'zh-user-pass-1', role: 'sales', locale: 'zh-CN' });
    const zhUser = await login(srv.base, name, 'zh-user-pass-1');
    const csv = 'Last name,E-mail,Account\r\nGood,good@example.com,\r\nBad,not-an-email,\r\n' +
      'Lost,lost@example.com,Nobody Ltd\r\n';
    const zh = await runImport(zhUser, 'entity=contacts&dry_run=true', csv);
    const en = await runImport(admin, 'entity=contacts&dry_run=true', csv);
    assert.deepEqual(zh.errors.map((e) => [e.line, e.field]), en.errors.map((e) => [e.line, e.field]));
    assert.deepEqual(zh.errors.map((e) => e.message), ['不是有效的电子邮件地址', '客户“Nobody Ltd”不存在']);
    assert.deepEqual(en.errors.map((e) => e.message),
      ['is not a valid e-mail address', 'no Account named "Nobody Ltd"']);
  });

  test("a preview's problem with the file is in the caller's language", async () => {
    const r = await threeWays((headers) => admin.post('/imports/preview?entity=contacts', 'a,"b\r\n',
      { headers, contentType: 'text/csv' }));
    assert.equal(assertProblem(r.zh, 400).detail, '第 1 行：带引号的字段到文件结尾仍未闭合');
    assert.equal(assertProblem(r.en, 400).detail, 'line 1: a quoted field is not closed before the end of the file');
  });

  test('a record made through the API in Chinese is stored as sent: data is never translated', async () => {
    const a = await create(admin, 'accounts', { name: 'Plain Name Ltd' });
    const g = await admin.get(`/accounts/${a.id}`, { headers: ZH });
    assert.equal(g.body.name, 'Plain Name Ltd');
  });
});
