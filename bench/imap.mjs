// The incoming e-mail benchmark (`make bench-imap`, bench/imap.sh): a release server on
// a fresh SQLite database and a real IMAP server (Dovecot, tests/mail/imap.js) whose
// INBOX holds N messages (default 10,000, filled over IMAP APPEND), every one from a
// known contact, so every one is parsed and logged. Prints the first reading's time,
// an unchanged mailbox's, and the server's resident memory before, after and at its
// peak, against the targets: < 60 s the first time, < 1 s unchanged, memory
// flat.
import { readFileSync } from 'node:fs';
import { startServer, loginAdmin, create } from '../tests/api/helpers.js';
import { waitFor } from '../tests/mail/sink.js';
import { startImap } from '../tests/mail/imap.js';

const N = Number(process.env.N || 10000);

function memory(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const imap = await startImap({ 'bench@rapport.test': 'imap-bench' });
const srv = await startServer({ env: { RAPPORT_SECRET_KEY: 'd'.repeat(64), RAPPORT_JOB_POLL_MS: '20', RAPPORT_LOG_LEVEL: 'warn' } });
try {
  const t0 = performance.now();
  imap.generate('bench@rapport.test', 'INBOX', N, 'customer@example.cn');
  const filled = (performance.now() - t0) / 1000;
  const admin = await loginAdmin(srv.base);
  await create(admin, 'contacts', { first_name: '丽', last_name: '张', email: 'customer@example.cn' });
  const box = await create(admin, 'mailboxes', { name: 'Bench', host: '127.0.0.1', port: imap.port, security: 'none', username: 'bench@rapport.test', enabled: false });
  await admin.put(`/mailboxes/${box.id}/password`, { password: 'imap-bench' });
  const read = async () => {
    const before = (await admin.get(`/mailboxes/${box.id}`)).body.last_fetch_at;
    const t = performance.now();
    await admin.post(`/mailboxes/${box.id}/fetch`, {});
    const m = await waitFor(async () => {
      const x = (await admin.get(`/mailboxes/${box.id}`)).body;
      return x.last_fetch_at !== before && !x.claimed_by ? x : null;
    }, 900000, 'the mailbox read');
    return { s: (performance.now() - t) / 1000, m };
  };
  const mem0 = memory(srv.pid);
  const first = await read();
  const mem1 = memory(srv.pid);
  const again = await read();
  const logged = (await admin.get('/emails?status=received&count=true&limit=1')).body.total;
  const row = (k, v, target = '') => console.log(`${k.padEnd(38)} ${String(v).padStart(10)}  ${target}`);
  console.log(`IMAP benchmark: ${N} messages of ~2 KB in one folder (Dovecot on 127.0.0.1), each from a known contact; SQLite, release build`);
  row('mailbox filled over APPEND in (s)', filled.toFixed(1));
  row('first reading (s)', first.s.toFixed(2), `target < 60 s: ${first.s < 60 ? 'met' : 'NOT met'}`);
  row('messages logged', logged, logged === N ? '' : `NOT all (${first.m.last_error || 'no error'}: ${first.m.last_error_detail})`);
  row('rate (messages/s)', (N / first.s).toFixed(0));
  row('unchanged mailbox read again (s)', again.s.toFixed(3), `target < 1 s: ${again.s < 1 ? 'met' : 'NOT met'}`);
  row('server RSS before / after (MiB)', `${mem0.rss.toFixed(0)} / ${mem1.rss.toFixed(0)}`);
  row('server RSS peak (MiB)', mem1.peak.toFixed(0), 'flat: compare the peak at another N');
} finally {
  await srv.stop();
  await imap.stop();
}
