// The recycle bin: who deleted a record (deleted_by: set on delete and merge, cleared on
// restore, filled from the history for a database from before the column), and purging
// for good (administrators only): one record, or an entity's bin emptied; a record live
// records still refer to stays; references from records in the bin are cleared; the
// record's history goes, the security log keeps the purge.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  startServer, login, loginAdmin, createUser, create, assertProblem, uniq, dbQuery,
  dbShellCommand, dropDb, PG,
} from './helpers.js';

let srv;
let admin;
let rep;
let repUser;

before(async () => {
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  repUser = await createUser(admin, { username: 'binrep', password: 'pw-binrep-12345678', role: 'sales' });
  rep = await login(srv.base, 'binrep', 'pw-binrep-12345678');
});
after(async () => { await srv?.stop(); });

const inBin = async (client, res, id) => (await client.get(`/${res}?deleted=only&id=${id}`)).body.data[0];

describe('deleted by', () => {
  test('a delete records who deleted; the bin answers it; a restore clears it', async () => {
    const acc = await create(rep, 'accounts', { name: uniq('Bin Deleted By') });
    assert.equal(acc.deleted_by, undefined, 'a live record carries no deleted_by');
    assert.equal((await rep.del(`/accounts/${acc.id}`)).status, 204);
    const gone = await inBin(rep, 'accounts', acc.id);
    assert.equal(gone.deleted_by, repUser.id);
    assert.ok(gone.deleted_at);
    const back = await rep.post(`/accounts/${acc.id}/restore`);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.deleted_by, undefined);
    assert.equal(back.body.deleted_at, undefined);
    // Deleted again by someone else: the last delete counts.
    assert.equal((await admin.del(`/accounts/${acc.id}`)).status, 204);
    assert.equal((await inBin(admin, 'accounts', acc.id)).deleted_by, admin.user.id);
    assert.equal(dbQuery(srv.dir, `SELECT deleted_by FROM accounts WHERE id = '${acc.id}'`), admin.user.id);
  });

  test('a merge records the merging user on the merged records', async () => {
    const keep = await create(admin, 'accounts', { name: uniq('Bin Keep') });
    const from = await create(rep, 'accounts', { name: uniq('Bin Merged') });
    const m = await admin.post(`/accounts/${keep.id}/merge`, { from: [from.id] });
    assert.equal(m.status, 200, m.text);
    assert.equal((await inBin(admin, 'accounts', from.id)).deleted_by, admin.user.id);
  });

  test('deleted_by is read-only and not a name a custom field may take', async () => {
    const acc = await create(admin, 'accounts', { name: uniq('Bin RO') });
    const p = assertProblem(await admin.patch(`/accounts/${acc.id}`, { deleted_by: admin.user.id }), 422);
    assert.deepEqual(p.errors.map((e) => e.field), ['deleted_by']);
    assertProblem(await admin.post('/meta/entities/accounts/fields', { name: 'deleted_by', type: 'string', label: 'X' }), 422);
  });
});

describe('purge', () => {
  test('only administrators purge: a rep gets 403 with the reason and the record stays', async () => {
    const acc = await create(rep, 'accounts', { name: uniq('Bin Rep Purge') });
    assert.equal((await rep.del(`/accounts/${acc.id}`)).status, 204);
    assertProblem(await rep.post(`/accounts/${acc.id}/purge`), 403, 'only administrators');
    assertProblem(await rep.post('/accounts/purge', { older_than_days: 0 }), 403, 'only administrators');
    assert.ok(await inBin(rep, 'accounts', acc.id), 'still in the bin');
  });

  test('a live record is not purged (409), an unknown one is 404', async () => {
    const acc = await create(admin, 'accounts', { name: uniq('Bin Live') });
    assertProblem(await admin.post(`/accounts/${acc.id}/purge`), 409, 'not in the recycle bin');
    assert.equal((await admin.get(`/accounts/${acc.id}`)).status, 200);
    assertProblem(await admin.post('/accounts/01900000-0000-7000-8000-000000000000/purge'), 404);
  });

  test('a purge removes the row, its shares, search entry and history, and is in the security log', async () => {
    const name = uniq('Bin Purged Zq');
    const acc = await create(admin, 'accounts', { name });
    const s = await admin.post(`/accounts/${acc.id}/shares`, { user_id: repUser.id, access: 'read' });
    assert.equal(s.status, 201, s.text);
    assert.equal((await admin.patch(`/accounts/${acc.id}`, { industry: 'retail' })).status, 200);
    assert.equal((await admin.del(`/accounts/${acc.id}`)).status, 204);
    const r = await admin.post(`/accounts/${acc.id}/purge`);
    assert.equal(r.status, 204, r.text);
    assert.equal(await inBin(admin, 'accounts', acc.id), undefined);
    assertProblem(await admin.post(`/accounts/${acc.id}/restore`), 404);
    assertProblem(await admin.get(`/accounts/${acc.id}/history`), 404);
    for (const [table, col] of [['accounts', 'id'], ['record_shares', 'record_id'], ['audit_log', 'record_id'], ['dedup_keys', 'record_id']]) {
      assert.equal(dbQuery(srv.dir, `SELECT count(*) FROM ${table} WHERE ${col} = '${acc.id}'`), '0', table);
    }
    const ev = (await admin.get('/security-events?action=record_purge')).body.data;
    assert.ok(ev.some((e) => e.object_type === 'accounts' && e.object_id === acc.id &&
      e.actor_id === admin.user.id && e.detail === name), JSON.stringify(ev));
  });

  test('a record live records refer to stays (409 with their number); records in the bin let go of it', async () => {
    const acc = await create(admin, 'accounts', { name: uniq('Bin Referred') });
    const live = await create(admin, 'contacts', { last_name: uniq('Live'), account_id: acc.id });
    const deal = await create(admin, 'opportunities', { name: uniq('Deal'), account_id: acc.id, amount: '10' });
    const binned = await create(admin, 'contacts', { last_name: uniq('Binned'), account_id: acc.id });
    for (const [res, id] of [['accounts', acc.id], ['contacts', binned.id]]) {
      assert.equal((await admin.del(`/${res}/${id}`)).status, 204);
    }
    const p = assertProblem(await admin.post(`/accounts/${acc.id}/purge`), 409, '2 live records still refer');
    assert.match(p.detail, /1 Contact, 1 Opportunity/);
    assert.ok(await inBin(admin, 'accounts', acc.id), 'still in the bin');
    assert.equal((await inBin(admin, 'contacts', binned.id)).account_id, acc.id, 'nothing changed');
    // Pointed elsewhere and deleted, the live ones let it go.
    assert.equal((await admin.patch(`/contacts/${live.id}`, { account_id: '' })).status, 200);
    assert.equal((await admin.del(`/opportunities/${deal.id}`)).status, 204);
    const r = await admin.post(`/accounts/${acc.id}/purge`);
    assert.equal(r.status, 204, r.text);
    for (const [res, id] of [['contacts', binned.id], ['opportunities', deal.id]]) {
      const rec = await inBin(admin, res, id);
      assert.equal(rec.account_id, null, `${res} in the bin no longer points at the purged account`);
    }
    const row = dbQuery(srv.dir, `SELECT old_value FROM audit_log WHERE record_id = '${binned.id}' AND field = 'account_id'`);
    assert.equal(row, acc.id, 'the cleared reference has a history row');
  });

  test('an activity about a record, or a meeting it attends, holds it too', async () => {
    const acc = await create(admin, 'accounts', { name: uniq('Bin Activity') });
    const con = await create(admin, 'contacts', { last_name: uniq('Attendee') });
    const call = await create(admin, 'activities', { type: 'task', subject: uniq('About it'), related_type: 'accounts', related_id: acc.id });
    const meet = await admin.post('/activities?allow_conflict=true', { type: 'meeting', subject: uniq('Meet'),
      start_at: '2031-05-01T09:00:00Z', end_at: '2031-05-01T10:00:00Z', attendee_contact_ids: [con.id] });
    assert.equal(meet.status, 201, meet.text);
    for (const [res, id] of [['accounts', acc.id], ['contacts', con.id]]) assert.equal((await admin.del(`/${res}/${id}`)).status, 204);
    assert.match(assertProblem(await admin.post(`/accounts/${acc.id}/purge`), 409).detail,
      /^a live record still refers to this Account \(1 Activity\)/);
    assert.match(assertProblem(await admin.post(`/contacts/${con.id}/purge`), 409).detail, /\(1 Activity\)/);
    const zh = await admin.post(`/accounts/${acc.id}/purge`, undefined, { headers: { 'accept-language': 'zh-CN' } });
    assert.match(assertProblem(zh, 409).detail, /^仍有 1 条有效记录引用此客户（1 活动）/);
    // In the bin, the meeting lets go of its attendee when the contact is purged.
    for (const id of [call.id, meet.body.id]) assert.equal((await admin.del(`/activities/${id}`)).status, 204);
    assert.equal((await admin.post(`/contacts/${con.id}/purge`)).status, 204);
    assert.deepEqual((await inBin(admin, 'activities', meet.body.id)).attendee_contact_ids, []);
    assert.equal((await admin.post(`/accounts/${acc.id}/purge`)).status, 204);
    assert.equal((await inBin(admin, 'activities', call.id)).related_id, null);
  });

  test('emptying a bin purges what was deleted long enough ago, keeps what live records need', async () => {
    const old = await create(admin, 'leads', { last_name: uniq('Old Lead') });
    const recent = await create(admin, 'leads', { last_name: uniq('Recent Lead') });
    for (const l of [old, recent]) assert.equal((await admin.del(`/leads/${l.id}`)).status, 204);
    // Deleted 40 days ago.
    const back = new Date(Date.now() - 40 * 86400000).toISOString();
    const [cmd, args] = dbShellCommand(srv.dir);
    const q = `UPDATE leads SET deleted_at = '${back}' WHERE id = '${old.id}'`;
    execFileSync(cmd, [...args.filter((a) => a !== '-readonly'), ...(PG ? ['-c', q] : [q])]);
    for (const body of [{}, { older_than_days: -1 }, { older_than_days: '30' }, { older_than_days: 30, all: true }]) {
      assertProblem(await admin.post('/leads/purge', body), 422);
    }
    const r = await admin.post('/leads/purge', { older_than_days: 30 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { purged: 1, kept: 0, more: false });
    assert.equal(await inBin(admin, 'leads', old.id), undefined);
    assert.ok(await inBin(admin, 'leads', recent.id));
    // Everything: an account a live contact needs stays.
    const acc = await create(admin, 'accounts', { name: uniq('Bin Needed') });
    await create(admin, 'contacts', { last_name: uniq('Needs'), account_id: acc.id });
    assert.equal((await admin.del(`/accounts/${acc.id}`)).status, 204);
    const all = await admin.post('/accounts/purge', { older_than_days: 0 });
    assert.equal(all.status, 200, all.text);
    assert.equal(all.body.kept, 1);
    assert.ok(all.body.purged >= 1, all.text);
    assert.deepEqual((await admin.get('/accounts?deleted=only')).body.data.map((a) => a.id), [acc.id]);
    assert.equal((await admin.post('/leads/purge', { older_than_days: 0 })).body.purged, 1);
    assert.deepEqual((await admin.get('/leads?deleted=only')).body.data, []);
  });
});

test('a database from before deleted_by gets the column, filled from the history', async () => {
  let srv1 = await startServer({ keepDir: true });
  const { dir } = srv1;
  try {
    const a1 = await loginAdmin(srv1.base);
    const acc = await create(a1, 'accounts', { name: uniq('Old Bin') });
    const live = await create(a1, 'accounts', { name: uniq('Old Live') });
    assert.equal((await a1.del(`/accounts/${acc.id}`)).status, 204);
    await srv1.stop();
    // The database as an earlier version left it: no deleted_by column.
    const [cmd, args] = dbShellCommand(dir);
    for (const t of ['accounts', 'contacts']) {
      const q = `ALTER TABLE ${t} DROP COLUMN deleted_by`;
      execFileSync(cmd, [...args.filter((a) => a !== '-readonly'), ...(PG ? ['-c', q] : [q])]);
    }
    srv1 = await startServer({ dir, keepDir: true });
    const a2 = await loginAdmin(srv1.base);
    assert.equal((await inBin(a2, 'accounts', acc.id)).deleted_by, a2.user.id);
    assert.equal((await a2.get(`/accounts/${live.id}`)).body.deleted_by, undefined);
    const c = await create(a2, 'contacts', { last_name: uniq('New') });
    assert.equal((await a2.del(`/contacts/${c.id}`)).status, 204);
    assert.equal((await inBin(a2, 'contacts', c.id)).deleted_by, a2.user.id);
  } finally {
    await srv1.stop();
    dropDb(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
