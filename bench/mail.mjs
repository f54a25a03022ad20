// The outgoing e-mail benchmark (`make bench-mail`, bench/mail.sh): a release server on
// a fresh SQLite database and the local SMTP sink (tests/mail/smtp_sink.py, aiosmtpd);
// N templated e-mails (default 10,000) queued as a mailing (POST /mail/batch, BATCH
// messages a request and transaction, default 2,500: the API's JSON limit of 10,000
// values allows up to about 5,000), or with BATCH=0 one POST /emails each by
// CONNS clients at once, then sent by the job runner to the sink. Prints the queueing
// time and rate, and the delivery rate (first message queued to last one sent), against
// the targets: queued in < 2 s, delivered at >= 300 messages/s.
import { startServer, loginAdmin, create } from '../tests/api/helpers.js';
import { startSink, waitFor } from '../tests/mail/sink.js';

const N = Number(process.env.N || 10000);
const CONNS = Number(process.env.CONNS || 16);
const BATCH = Number(process.env.BATCH ?? 2500);

const sink = await startSink();
const srv = await startServer({ env: { RAPPORT_SECRET_KEY: 'd'.repeat(64), RAPPORT_JOB_POLL_MS: '20', RAPPORT_LOG_LEVEL: 'warn' } });
try {
  const admin = await loginAdmin(srv.base);
  let r = await admin.patch('/mail/settings', { host: '127.0.0.1', port: sink.port, from_address: 'bench@example.com', from_name: '基准 Bench' });
  if (r.status !== 200) throw new Error(r.text);
  const tpl = await create(admin, 'email_templates', { name: 'Bench', language: 'zh-CN', subject: '{{contact.first_name|朋友}}，{{account.name}}的报价',
    body_text: '您好 {{contact.first_name}}：\n{{account.name}} 的报价见下。\n{{user.display_name}}', body_html: '<p>您好 <b>{{contact.first_name}}</b></p>' });
  const acc = await create(admin, 'accounts', { name: '长城贸易' });
  const con = await create(admin, 'contacts', { first_name: '丽', last_name: '张', email: 'li@example.cn', account_id: acc.id });
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  if (BATCH > 0) {
    for (let i = 0; i < N; i += BATCH) {
      const n = Math.min(BATCH, N - i);
      const x = await admin.post('/mail/batch', { template_id: tpl.id, messages: Array.from({ length: n }, () => ({ contact_id: con.id })) });
      if (x.status !== 201) { failed += n; console.error(x.status, x.text.slice(0, 300)); }
    }
  } else {
    await Promise.all(Array.from({ length: CONNS }, async () => {
      while (next < N) {
        next++;
        const x = await admin.post('/emails', { template_id: tpl.id, contact_id: con.id });
        if (x.status !== 201) failed++;
      }
    }));
  }
  const queued = (performance.now() - t0) / 1000;
  await waitFor(async () => (await admin.get('/emails?status=queued&count=true&limit=1')).body.total === 0, 600000, 'the outbox empty');
  const all = (performance.now() - t0) / 1000;
  const sent = (await admin.get('/emails?status=sent&count=true&limit=1')).body.total;
  const arrived = sink.files().length;
  const row = (k, v, target) => console.log(`${k.padEnd(34)} ${String(v).padStart(12)}  ${target}`);
  const how = BATCH > 0 ? `POST /mail/batch of ${Math.min(BATCH, N)}` : `POST /emails, ${CONNS} clients`;
  console.log(`mail benchmark: ${N} templated e-mails (Chinese template, text + HTML), ${how}, SQLite, release build`);
  row('queued in (s)', queued.toFixed(2), `target < 2 s: ${queued < 2 ? 'met' : 'NOT met'}`);
  row('queued per second', Math.round(N / queued), '');
  row('all sent after (s)', all.toFixed(2), '');
  row('delivered per second', Math.round(sent / all), `target >= 300/s: ${sent / all >= 300 ? 'met' : 'NOT met'}`);
  row('sent / arrived at the sink / failed', `${sent}/${arrived}/${failed}`, '');
  if (failed || sent !== N || arrived !== N) process.exitCode = 1;
} finally {
  await srv.stop();
  await sink.stop();
}
