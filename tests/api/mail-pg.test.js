// Outgoing e-mail with two servers on one PostgreSQL database (run by the PostgreSQL
// pass: bash tests/pg/cluster.sh run …): messages written on either server are sent by
// whichever job runner claims them, and every one reaches the SMTP server exactly once.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startServer, loginAdmin, create, PG, dropDb } from './helpers.js';
import { startSink, parseMail, waitFor } from '../mail/sink.js';

const N = 120;

describe('two servers on one PostgreSQL database send each message once', { skip: !PG && 'needs RAPPORT_TEST_PG' }, () => {
  let a, b, sink, adminA, adminB;
  before(async () => {
    sink = await startSink();
    a = await startServer({ env: { RAPPORT_JOB_POLL_MS: '20' }, keepDir: true });
    b = await startServer({ env: { RAPPORT_JOB_POLL_MS: '20' }, dir: a.dir, keepDir: true });
    adminA = await loginAdmin(a.base);
    adminB = await loginAdmin(b.base);
    mkdirSync(path.join(a.dir, 'data'), { recursive: true });
    writeFileSync(path.join(a.dir, 'data', 'secret.key'), 'c'.repeat(64));
    const r = await adminA.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, from_address: 'crm@example.com' });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await sink?.stop();
    if (a) {
      dropDb(a.dir);
      rmSync(a.dir, { recursive: true, force: true });
    }
  });

  test(`${N} messages written on both servers arrive once each`, async () => {
    const con = await create(adminA, 'contacts', { last_name: 'Twice', email: 'twice@example.com' });
    await Promise.all([adminA, adminB].map(async (c, k) => {
      for (let i = k; i < N; i += 2) await create(c, 'emails', { contact_id: con.id, subject: `Once ${i}`, body_text: 'x' });
    }));
    await waitFor(async () => (await adminB.get('/emails?status=sent&count=true&limit=1')).body.total === N, 60000, 'every message sent');
    const got = sink.files().map((f) => parseMail(f).message_id);
    assert.equal(got.length, N);
    assert.equal(new Set(got).size, N, 'no message sent twice');
    // (B: A's keep-alive connection may have idled out while B was polled.)
    const log = (await adminB.get('/email_deliveries?count=true&limit=1')).body.total;
    assert.equal(log, N, 'one attempt each');
  });
});
