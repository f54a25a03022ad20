// Phone numbers as data: GET /phone/lookup?number= and the global search find records by
// any spelling of a number (spaces, dashes, +86, 0086, full-width digits, an extension),
// across contacts, leads, accounts and custom entities, as the caller may read them; the
// keys follow creates, updates, deletes, restores, merges and imports, and are rebuilt at
// start when the home country (--phone-country) changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, assertProblem, create, createTeam, createUser, login, loginAdmin, runImport, startServer, uniq,
} from './helpers.js';

// A Chinese mobile number no other test uses: 139 and eight digits.
let serial = 0;
function mobile() {
  serial += 1;
  const n = String((Date.now() * 7 + serial * 7919) % 100000000).padStart(8, '0');
  return `139${n}`;
}
// The spellings people type for one 11-digit mobile.
const spellings = (m) => [
  m,
  `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
  `0086-${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
  `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
  `86${m}`,
  [...m].map((d) => String.fromCharCode(0xff10 + Number(d))).join(''), // full-width digits
];

describe('phone lookup', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await loginAdmin(srv.base);
  });
  after(async () => { await srv.stop(); });

  const lookup = async (client, number) => {
    const r = await client.get(`/phone/lookup?number=${encodeURIComponent(number)}`);
    assert.equal(r.status, 200, `${number}: ${r.text}`);
    return r.body;
  };
  const ids = (body) => body.data.map((h) => h.id).sort();

  test('every spelling of a mobile finds the same contact, with what matched and its owner', async () => {
    const m = mobile();
    const c = await create(admin, 'contacts', {
      first_name: '小明', last_name: '李', title: 'CTO',
      phone_mobile: `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
    });
    for (const s of spellings(m)) {
      const body = await lookup(admin, s);
      assert.equal(body.number, `+86${m}`, s);
      assert.equal(body.extension, null);
      assert.deepEqual(ids(body), [c.id], s);
      const [hit] = body.data;
      assert.equal(hit.entity, 'contacts');
      assert.equal(hit.title, '李小明');
      assert.equal(hit.owner_id, c.owner_id);
      assert.equal(hit.owner_name, 'Administrator');
      assert.equal(hit.matched.field, 'phone_mobile');
      assert.equal(hit.matched.label, 'Mobile phone');
      assert.equal(hit.matched.value, c.phone_mobile);
      assert.deepEqual(hit.key, { field: 'title', label: 'Title', value: 'CTO' });
    }
  });

  test('a lead and an account with the same number come back together; extensions aside', async () => {
    const m = mobile();
    const lead = await create(admin, 'leads', { last_name: uniq('Lead'), status: 'new', mobile: `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}` });
    const acc = await create(admin, 'accounts', { name: uniq('Acct'), phone: `0086 ${m} 转 808` });
    const body = await lookup(admin, m);
    assert.deepEqual(ids(body), [acc.id, lead.id].sort());
    assert.deepEqual(body.data.map((h) => `${h.entity}:${h.matched.field}`).sort(), ['accounts:phone', 'leads:mobile']);
    const ext = await lookup(admin, `+86 ${m} ext. 12`);
    assert.equal(ext.extension, '12');
    assert.deepEqual(ids(ext), ids(body));
    // A North American number with its extension, found by its ten digits after +1.
    const us = await create(admin, 'contacts', { last_name: uniq('Us'), phone_work: '+1 (415) 555-0163 x12' });
    assert.deepEqual(ids(await lookup(admin, '+1 415-555-0163')), [us.id]);
    assert.deepEqual(ids(await lookup(admin, '001 415 555 0163')), [us.id]);
  });

  test('what is not a phone number is a 400 problem', async () => {
    for (const junk of ['abc', '12345', '1385526o424', '12345678', '+0 123 456 789', '']) {
      assertProblem(await admin.get(`/phone/lookup?number=${encodeURIComponent(junk)}`), 400, junk);
    }
    assertProblem(await admin.get('/phone/lookup'), 400);
    assertProblem(await admin.get('/phone/lookup?number=13855260424&limit=5'), 400);
    assertProblem(await new Client(srv.base).get('/phone/lookup?number=13855260424'), 401);
  });

  test("a rep does not find a colleague's record they may not read", async () => {
    const t1 = await createTeam(admin, uniq('East'));
    const t2 = await createTeam(admin, uniq('West'));
    const ua = await createUser(admin, { username: uniq('rep_a').replace(/-/g, '_'), password: 'rep-pass-1234', role: 'sales', team_ids: [t1.id] });
    const ub = await createUser(admin, { username: uniq('rep_b').replace(/-/g, '_'), password: 'rep-pass-1234', role: 'sales', team_ids: [t2.id] });
    const a = await login(srv.base, ua.username, 'rep-pass-1234');
    const b = await login(srv.base, ub.username, 'rep-pass-1234');
    const m = mobile();
    const mine = await create(b, 'contacts', { last_name: uniq('Private'), phone_mobile: m });
    assert.deepEqual(ids(await lookup(b, m)), [mine.id]);
    assert.deepEqual(ids(await lookup(a, m)), [], 'the other team does not see it');
    assert.deepEqual(ids(await lookup(admin, m)), [mine.id]);
    // Nor through the search box.
    const s = await a.get(`/search?q=${encodeURIComponent(m)}`);
    assert.equal(s.status, 200, s.text);
    assert.ok(!s.body.data.some((h) => h.id === mine.id), 'search leaks the record');
  });

  test('a changed number is found by the new one only; deleted records are not, restored ones are', async () => {
    const m1 = mobile();
    const m2 = mobile();
    const c = await create(admin, 'contacts', { last_name: uniq('Mover'), phone_work: m1 });
    const r = await admin.patch(`/contacts/${c.id}`, { phone_work: `+86 ${m2}` });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(await lookup(admin, m1)), []);
    assert.deepEqual(ids(await lookup(admin, m2)), [c.id]);
    assert.equal((await admin.del(`/contacts/${c.id}`)).status, 204);
    assert.deepEqual(ids(await lookup(admin, m2)), []);
    assert.equal((await admin.post(`/contacts/${c.id}/restore`)).status, 200);
    assert.deepEqual(ids(await lookup(admin, m2)), [c.id]);
    // A number removed from the record stops finding it.
    assert.equal((await admin.patch(`/contacts/${c.id}`, { phone_work: null })).status, 200);
    assert.deepEqual(ids(await lookup(admin, m2)), []);
  });

  test('merged-away records are not found; the survivor is', async () => {
    const m = mobile();
    const keep = await create(admin, 'accounts', { name: uniq('Keep') });
    const gone = await create(admin, 'accounts', { name: uniq('Gone'), phone: m });
    const r = await admin.post(`/accounts/${keep.id}/merge`, { from: [gone.id], fields: { phone: m } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(await lookup(admin, m)), [keep.id]);
  });

  test('imported records are found', async () => {
    const m = mobile();
    const name = uniq('Imported');
    const job = await runImport(admin, 'entity=contacts&on_duplicate=create',
      `last_name,phone_mobile\n${name},"(+86) ${m.slice(0, 3)} ${m.slice(3)}"\n`);
    assert.equal(job.status, 'done', JSON.stringify(job));
    const body = await lookup(admin, m);
    assert.deepEqual(body.data.map((h) => h.title), [name]);
  });

  test('custom phone fields and custom entities are looked up too', async () => {
    const f = await admin.post('/meta/entities/accounts/fields', { name: 'cf_hotline', type: 'phone', label: 'Hotline', label_zh: '热线' });
    assert.equal(f.status, 201, f.text);
    const e = await admin.post('/meta/entities', {
      name: 'cf_suppliers', label: 'Supplier', label_plural: 'Suppliers',
      fields: [{ name: 'title', type: 'string', label: 'Title' }, { name: 'fax', type: 'phone', label: 'Fax' }],
    });
    assert.equal(e.status, 201, e.text);
    const m = mobile();
    const acc = await create(admin, 'accounts', { name: uniq('Hotline'), cf_hotline: m });
    const sup = await create(admin, 'cf_suppliers', { title: uniq('Supplier'), fax: `+86-${m}` });
    const body = await lookup(admin, `${m.slice(0, 3)} ${m.slice(3)}`);
    assert.deepEqual(body.data.map((h) => `${h.entity}:${h.id}:${h.matched.field}`).sort(),
      [`accounts:${acc.id}:cf_hotline`, `cf_suppliers:${sup.id}:fax`].sort());
  });

  test('the global search finds records by phone in any spelling and says what matched', async () => {
    const m = mobile();
    const c = await create(admin, 'contacts', { last_name: uniq('Searched'), email: `${uniq('s')}@example.com`,
      phone_mobile: `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}` });
    for (const q of [m, `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`, `0086 ${m}`, `+86 ${m.slice(0, 3)} ${m.slice(3)}`]) {
      const r = await admin.get(`/search?q=${encodeURIComponent(q)}`);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      const hit = r.body.data.find((h) => h.id === c.id);
      assert.ok(hit, `${q} does not find the contact`);
      assert.equal(hit.entity, 'contacts');
      assert.equal(hit.owner_name, 'Administrator');
      assert.deepEqual(hit.matched, { field: 'phone_mobile', label: 'Mobile phone', value: c.phone_mobile });
      assert.equal(r.body.data.filter((h) => h.id === c.id).length, 1, 'found once');
    }
    // Text search says what matched too, and gives a key field; labels in the user's language.
    const r = await admin.get(`/search?q=${encodeURIComponent(c.email)}`);
    const hit = r.body.data.find((h) => h.id === c.id);
    assert.deepEqual(hit.matched, { field: 'email', label: 'Email', value: c.email });
    assert.deepEqual(hit.key, null, 'the key field is another list column with a value: none here');
    const zh = await admin.patch('/auth/me', { locale: 'zh-CN' });
    assert.equal(zh.status, 200, zh.text);
    const r2 = await admin.get(`/search?q=${m}`);
    assert.equal(r2.body.data.find((h) => h.id === c.id).matched.label, '手机');
    assert.equal((await admin.patch('/auth/me', { locale: 'en' })).status, 200);
    // Text that is no number searches as before; short number-like terms are not refused.
    assert.equal((await admin.get('/search?q=1 415 555 0163')).status, 200);
    assertProblem(await admin.get('/search?q=1'), 400);
  });
});

describe('phone keys at start', () => {
  test('a database keyed in one country is rebuilt for another, once, and remembers it', async () => {
    const first = await startServer({ keepDir: true });
    let admin = await loginAdmin(first.base);
    const c = await create(admin, 'contacts', { last_name: uniq('Local'), phone_work: '(415) 555-0142' });
    // China: ten digits without a trunk '0' are no number there.
    assertProblem(await admin.get('/phone/lookup?number=415-555-0142'), 400);
    await first.stop();

    const us = await startServer({ dir: first.dir, keepDir: true, args: ['--phone-country', 'US'] });
    admin = await loginAdmin(us.base);
    let r = await admin.get('/phone/lookup?number=415-555-0142');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.number, '+14155550142');
    assert.deepEqual(r.body.data.map((h) => h.id), [c.id]);
    assert.match(us.stderr(), /writing the phone keys of every record \(1 US\)/);
    await us.stop();

    // Without the option the database's country stays, and nothing is rebuilt.
    const again = await startServer({ dir: first.dir });
    admin = await loginAdmin(again.base);
    r = await admin.get('/phone/lookup?number=(415) 555 0142');
    assert.deepEqual(r.body.data.map((h) => h.id), [c.id]);
    assert.doesNotMatch(again.stderr(), /writing the phone keys/);
    await again.stop();
  });

  test('an unknown country is refused at start', async () => {
    await assert.rejects(startServer({ args: ['--phone-country', 'XX'] }), /--phone-country takes one of CN US/);
  });
});
