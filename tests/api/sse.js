// A Server-Sent Events reader over fetch, as a browser's EventSource reads the stream:
// events are split on blank lines, `id:`, `event:` and `data:` fields are read, and the
// last id is kept for a reconnection with Last-Event-ID.
import assert from 'node:assert/strict';

export async function openStream(client, { lastEventId = null, path = '/api/v1/notifications/stream' } = {}) {
  const ctrl = new AbortController();
  const headers = { accept: 'text/event-stream' };
  if (client.cookie) headers.cookie = client.cookie;
  if (lastEventId !== null) headers['last-event-id'] = String(lastEventId);
  const res = await fetch(client.base + path, { headers, signal: ctrl.signal });
  const events = [];
  const waiters = [];
  const stream = { res, events, lastId: null, closed: false };
  function settle() {
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i];
      const hit = events.find((e, k) => k >= w.from && w.pred(e));
      if (hit) { waiters.splice(i--, 1); clearTimeout(w.timer); w.resolve(hit); }
    }
  }
  if (res.status === 200) {
    (async () => {
      const dec = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body) {
          buf += dec.decode(chunk, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = { id: null, event: 'message', data: '', at: Date.now() };
            let data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) { ev.comment = true; continue; }
              const c = line.indexOf(':');
              const field = c < 0 ? line : line.slice(0, c);
              const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
              if (field === 'id') ev.id = value;
              else if (field === 'event') ev.event = value;
              else if (field === 'data') data.push(value);
              else if (field === 'retry') ev.retry = Number(value);
            }
            ev.data = data.join('\n');
            if (ev.data) ev.json = JSON.parse(ev.data);
            if (ev.id !== null) stream.lastId = ev.id;
            events.push(ev);
            settle();
          }
        }
      } catch (e) {
        if (e.name !== 'AbortError') throw e;
      } finally {
        stream.closed = true;
      }
    })();
  }
  // The first event (from index `from`) matching pred, within timeoutMs.
  stream.next = (pred, timeoutMs = 5000, from = 0) => new Promise((resolve, reject) => {
    const w = { pred, from, resolve, timer: null };
    w.timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(w), 1);
      reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`));
    }, timeoutMs);
    waiters.push(w);
    settle();
  });
  stream.notification = (pred = () => true, timeoutMs = 5000) =>
    stream.next((e) => e.event === 'notification' && pred(e.json), timeoutMs);
  stream.close = () => ctrl.abort();
  return stream;
}

// Waits until fn() answers something truthy, polling every 100 ms for up to ms.
export async function eventually(fn, ms = 10000, what = 'condition') {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < until, `${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
