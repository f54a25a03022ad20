// Latency from a notification's commit to its arrival on an open event stream
// (GET /api/v1/notifications/stream), over 200 notifications: the administrator
// assigns an account to a user whose stream is open, one at a time; each latency runs
// from the moment the POST is answered (the write, and its notification, committed)
// to the moment the stream's event is read. Prints p50, p90, p99 and max.
//
//   node bench/notify-latency.mjs                  # build/rapport on a temporary SQLite file
//   RAPPORT_BIN=build/san/rapport node bench/notify-latency.mjs
//   N=500 node bench/notify-latency.mjs
//   BASE=http://127.0.0.1:8080 ADMIN_PASSWORD=… node bench/notify-latency.mjs  # a running server
//   TWO=1 node bench/notify-latency.mjs           # stream on a second server, same database
//
// On one server the commit wakes the server's watcher at once; from another server's
// write it learns within its 100 ms poll (docs/design.md, "Push to open browsers").
// A second figure starts the clock before the POST is sent (the request's own time
// included), an upper bound of commit → arrival.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
process.env.RAPPORT_BIN ||= path.join(HERE, '..', 'build', 'rapport');
const { Client, createUser, login, loginAdmin, startServer } = await import('../tests/api/helpers.js');
const { openStream } = await import('../tests/api/sse.js');

const N = Number(process.env.N || 200);
let srv = null, second = null;
let base = process.env.BASE;
if (!base) {
  srv = await startServer({ keepDir: !!process.env.TWO });
  base = srv.base;
}
if (process.env.TWO && srv) second = await startServer({ dir: srv.dir });
const admin = process.env.BASE ? new Client(base) : await loginAdmin(base);
if (process.env.BASE) await admin.login('admin', process.env.ADMIN_PASSWORD);
const username = `bench_${Date.now()}`;
const user = await createUser(admin, { username, password: 'bench-pass-12345' });
const reader = await login(second ? second.base : base, username, 'bench-pass-12345');
const stream = await openStream(reader);
await stream.next((e) => e.event === 'unread');

const fromAnswer = [];
const fromSend = [];
for (let i = 0; i < N; i++) {
  // A random pause, so that writes fall anywhere in the watcher's poll period rather
  // than just after the look that delivered the previous one.
  await new Promise((r) => setTimeout(r, Math.random() * 100));
  const sent = performance.now();
  const r = await admin.post('/accounts?allow_duplicate=true', { name: `Latency ${i}`, owner_id: user.id });
  const answered = performance.now();
  if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
  await stream.notification((n) => n.record_id === r.body.id, 10000);
  const arrived = performance.now();
  fromAnswer.push(Math.max(0, arrived - answered));
  fromSend.push(arrived - sent);
}
stream.close();
await second?.stop();
await srv?.stop();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const line = (label, xs) => console.log(`${label}: p50 ${pct(xs, 50).toFixed(1)} ms  p90 ${pct(xs, 90).toFixed(1)} ms` +
  `  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms  (n=${xs.length})`);
console.log(`notification commit → SSE arrival, ${N} notifications, ${process.env.RAPPORT_BIN}` +
  (second ? ', the stream on a second server' : ''));
line('from the POST answered', fromAnswer);
line('from the POST sent    ', fromSend);
