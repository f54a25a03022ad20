// CalDAV and CardDAV (docs/dav.md) with real clients from Debian: the python3-caldav
// scenario of dav/client.py run against Rapport and against Radicale, the reference
// server, giving the same answers; vdirsyncer syncing both ways into a directory;
// bad input (malformed iCalendar and vCard, stale ETags, Depth infinity, an oversized
// body, a DOCTYPE, a rule the calendar refuses); recurring activities both ways
// (a CRM series with a moved occurrence read by python3-caldav, a client's series with
// an EXDATE in the CRM's calendar); authentication (Basic with the password or an API
// token, never a cookie); and what each role sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { promisify } from 'node:util';
import {
  startServer, loginAdmin, login, createUser, createTeam, REPO, uniq,
} from './helpers.js';

const run = promisify(execFile);
const PY = '/usr/bin/python3';
const CLIENT = path.join(REPO, 'tests', 'api', 'dav', 'client.py');
const READ = path.join(REPO, 'tests', 'api', 'dav', 'read.py');
const PASSWORD = 'dav-pass-4921';

let srv;
let admin;
let tmp;
const users = {};

function basic(user, pass = PASSWORD) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

// A raw DAV request as `user` (Basic with their password unless auth is given).
async function dav(method, p, { user = 'rep', auth, body, headers = {} } = {}) {
  const h = { ...headers };
  if (auth !== null) h.authorization = auth || basic(users[user].username);
  const res = await fetch(srv.base + p, { method, headers: h, body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'rapport-dav-'));
  srv = await startServer();
  admin = await loginAdmin(srv.base);
  const east = await createTeam(admin, uniq('east'));
  const west = await createTeam(admin, uniq('west'));
  for (const [key, role, team] of [['rep', 'sales', east], ['mate', 'sales', east],
    ['far', 'sales', west], ['viewer', 'readonly', west]]) {
    users[key] = await createUser(admin, {
      username: uniq(key).toLowerCase(), password: PASSWORD, role, team_ids: [team.id],
    });
  }
});

after(async () => {
  await srv?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('python3-caldav: the client scenario answers the same on Rapport as on Radicale', async () => {
  const ours = JSON.parse((await run(PY, [CLIENT, `${srv.base}/dav/`, users.rep.username, PASSWORD],
    { timeout: 120000 })).stdout);
  const port = await freePort();
  const dir = path.join(tmp, 'radicale');
  const radicale = spawn(PY, ['-m', 'radicale', '--server-hosts', `127.0.0.1:${port}`,
    '--storage-filesystem-folder', dir, '--auth-type', 'none'], { stdio: 'ignore' });
  let ref;
  try {
    await waitPort(port);
    ref = JSON.parse((await run(PY, [CLIENT, `http://127.0.0.1:${port}/`, 'tester', 'x', '--setup'],
      { timeout: 120000 })).stdout);
  } finally {
    radicale.kill('SIGTERM');
  }
  assert.deepEqual(ours.steps, ref.steps, 'Rapport and Radicale answer the scenario alike');
  for (const [name, value] of ours.steps) {
    assert.notEqual(value, false, `step "${name}"`);
  }
  assert.equal(ours.details.calendar, `${srv.base}/dav/calendars/${users.rep.username}/default/`);
  assert.equal(ours.details.addressbook,
    `${srv.base}/dav/addressbooks/${users.rep.username}/default/`);
  // The client's event went through the engine: its audit rows name the user.
  const rep = await login(srv.base, users.rep.username, PASSWORD);
  const acts = await rep.get('/activities?q=Second');
  assert.equal(acts.status, 200);
  const second = acts.body.data.find((a) => a.subject === 'Second meeting');
  assert.ok(second, 'the event created over CalDAV is an activity');
  assert.equal(second.type, 'meeting');
  assert.equal(second.owner_id, users.rep.id);
  const hist = await rep.get(`/activities/${second.id}/history`);
  assert.equal(hist.status, 200);
  // The client's series (weekly, five times, the second excluded, the third moved two
  // hours later) is in the CRM's calendar as such.
  const { occurrences: occ, href } = ours.details.series;
  const plus = (t, h) => new Date(Date.parse(t) + h * 3600000).toISOString();
  const cal = await rep.get(`/calendar?from=${encodeURIComponent(plus(occ[0], -24))}` +
    `&to=${encodeURIComponent(plus(occ[4], 24))}`);
  assert.equal(cal.status, 200, cal.text);
  const weekly = cal.body.data.filter((a) => a.subject?.startsWith('Weekly review'));
  assert.deepEqual(weekly.map((a) => a.start_at).sort(),
    [occ[0], plus(occ[2], 2), occ[3], occ[4]].map((t) => new Date(t).toISOString()),
    'the occurrences without the excluded one, the moved one moved');
  const series = weekly.find((a) => a.rrule);
  assert.equal(series.rrule, 'FREQ=WEEKLY;COUNT=5');
  assert.equal(series.exdates, new Date(occ[1]).toISOString());
  const moved = weekly.find((a) => a.series_id);
  assert.equal(moved.series_id, series.id);
  assert.equal(moved.subject, 'Weekly review, moved');
  assert.equal(moved.recurrence_id, new Date(occ[2]).toISOString());
  // DELETE takes the series with its exception.
  const del = await dav('DELETE', href);
  assert.equal(del.status, 204, del.text);
  assert.equal((await rep.get(`/activities/${series.id}`)).status, 404);
  assert.equal((await rep.get(`/activities/${moved.id}`)).status, 404);
});

test('python3-caldav reads a CRM series: RRULE, EXDATE and the moved occurrence in one resource', async () => {
  const rep = await login(srv.base, users.rep.username, PASSWORD);
  // Mondays 10:00 Berlin time (09:00Z in winter) from 4 January 2027, four times.
  let r = await rep.post('/activities', {
    type: 'meeting', subject: 'CRM weekly', start_at: '2027-01-04T09:00:00Z',
    end_at: '2027-01-04T10:00:00Z', timezone: 'Europe/Berlin', rrule: 'FREQ=WEEKLY;COUNT=4',
  });
  assert.equal(r.status, 201, r.text);
  const s = r.body;
  const occ = (t) => `/activities/${s.id}/occurrences/${encodeURIComponent(t)}`;
  const coll = `/dav/calendars/${users.rep.username}/default/`;
  const sync = async (token) => {
    const res = await dav('REPORT', coll, {
      body: '<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>' +
        `${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>` +
        '</d:sync-collection>',
      headers: { 'content-type': 'application/xml' },
    });
    assert.equal(res.status, 207, res.text);
    return {
      token: /<d:sync-token>([^<]*)</.exec(res.text)[1],
      hrefs: [...res.text.matchAll(/<d:href>([^<]*)<\/d:href>/g)].map((m) => m[1]),
      etag: (id) => new RegExp(`${id}\\.ics</d:href>.*?<d:getetag>([^<]*)<`).exec(res.text)?.[1],
    };
  };
  await new Promise((res) => setTimeout(res, 1500)); // the series a second old
  const before = await sync('');
  const etag0 = before.etag(s.id);
  assert.ok(etag0, 'the series is listed');
  r = await rep.patch(`${occ('2027-01-11T09:00:00.000Z')}?scope=this`,
    { start_at: '2027-01-11T13:00:00Z', end_at: '2027-01-11T14:00:00Z', subject: 'CRM weekly (moved)' });
  assert.equal(r.status, 200, r.text);
  r = await rep.del(`${occ('2027-01-18T09:00:00.000Z')}?scope=this`);
  assert.ok(r.status === 204 || r.status === 200, r.text);
  // A changed occurrence is a change of the series' resource: listed by the next sync
  // under the series' name, with a new ETag; the exception has no href of its own.
  const after1 = await sync(before.token);
  assert.ok(after1.hrefs.some((h) => h.endsWith(`/${s.id}.ics`)), after1.hrefs.join(' '));
  assert.equal(after1.hrefs.filter((h) => h.endsWith('.ics')).length, 1, after1.hrefs.join(' '));
  assert.notEqual(after1.etag(s.id), etag0);
  const read = async (from, to) => JSON.parse((await run(PY, [READ, `${srv.base}/dav/`,
    users.rep.username, PASSWORD, from, to, `${s.id}@rapport`], { timeout: 120000 })).stdout);
  const got = await read('2027-01-10T00:00:00Z', '2027-01-12T00:00:00Z');
  const mine = got.search.filter((d) => d.includes(`UID:${s.id}@rapport`));
  assert.equal(mine.length, 1, 'one resource for the series and its exception');
  const text = mine[0].replace(/\r\n /g, '');
  assert.match(text, /RRULE:FREQ=WEEKLY;COUNT=4/);
  assert.match(text, /DTSTART;TZID=Europe\/Berlin:20270104T100000/);
  assert.match(text, /BEGIN:VTIMEZONE/);
  assert.match(text, /EXDATE;TZID=Europe\/Berlin:20270118T100000/);
  assert.match(text, /RECURRENCE-ID;TZID=Europe\/Berlin:20270111T100000/);
  assert.match(text, /DTSTART;TZID=Europe\/Berlin:20270111T140000/);
  assert.match(text, /SUMMARY:CRM weekly \(moved\)/);
  assert.equal(text.split(`UID:${s.id}@rapport`).length - 1, 2, 'the exception shares the UID');
  // Found by its UID (the client parses and writes it again): the same resource.
  assert.match(got.by_uid ?? '', /RRULE:FREQ=WEEKLY;COUNT=4/);
  assert.match(got.by_uid ?? '', /RECURRENCE-ID/);
  // After the last occurrence nothing; the excluded week alone neither.
  assert.equal((await read('2027-02-01T00:00:00Z', '2027-03-01T00:00:00Z')).search
    .filter((d) => d.includes(`UID:${s.id}@rapport`)).length, 0);
  assert.equal((await read('2027-01-17T00:00:00Z', '2027-01-19T00:00:00Z')).search
    .filter((d) => d.includes(`UID:${s.id}@rapport`)).length, 0);
  // The exception is no resource of its own.
  const day = (await rep.get('/calendar?from=2027-01-11&to=2027-01-12')).body.data;
  const ex = day.find((a) => a.series_id === s.id);
  assert.ok(ex, 'the moved occurrence is an exception');
  assert.equal((await dav('GET', `/dav/calendars/${users.rep.username}/default/${ex.id}.ics`)).status, 404);
  assert.equal((await dav('GET', `/dav/calendars/${users.rep.username}/default/${s.id}.ics`)).status, 200);
});

function vdirConfig(dir, base, username, password) {
  const storage = (name, type, url) => `[storage ${name}]\ntype = "${type}"\nurl = "${url}"\n` +
    `username = "${username}"\npassword = "${password}"\n\n`;
  return `[general]\nstatus_path = "${dir}/status/"\n\n` +
    '[pair cal]\na = "cal_remote"\nb = "cal_local"\ncollections = ["from a"]\n' +
    'conflict_resolution = "a wins"\n\n' +
    storage('cal_remote', 'caldav', `${base}/`) +
    `[storage cal_local]\ntype = "filesystem"\npath = "${dir}/cal/"\nfileext = ".ics"\n\n` +
    '[pair card]\na = "card_remote"\nb = "card_local"\ncollections = ["from a"]\n' +
    'conflict_resolution = "a wins"\n\n' +
    storage('card_remote', 'carddav', `${base}/`) +
    `[storage card_local]\ntype = "filesystem"\npath = "${dir}/card/"\nfileext = ".vcf"\n`;
}

function localFiles(dir) {
  return readdirSync(dir).map((f) => ({ file: path.join(dir, f), text: readFileSync(path.join(dir, f), 'utf8') }));
}

test('vdirsyncer: two-way sync with an API token (a CRM change arrives, a local edit reaches the CRM)', async () => {
  const rep = await login(srv.base, users.rep.username, PASSWORD);
  const tok = await rep.post('/tokens', { name: 'vdirsyncer' });
  assert.equal(tok.status, 201);
  const start = new Date(Date.now() + 3 * 86400000);
  start.setUTCHours(9, 0, 0, 0);
  const end = new Date(start.getTime() + 3600000);
  // Three days from now at 09:00 may be when another test's meeting is (a fixed date):
  // the clash does not matter here.
  const meeting = await rep.post('/activities?allow_conflict=true', {
    type: 'meeting', subject: 'Quarterly review 季度回顾', start_at: start.toISOString(),
    end_at: end.toISOString(), location: 'Room 3',
  });
  assert.equal(meeting.status, 201, meeting.text);
  const task = await rep.post('/activities', {
    type: 'task', subject: 'Send the proposal', due_at: end.toISOString(),
  });
  assert.equal(task.status, 201, task.text);
  const contact = await rep.post('/contacts', {
    first_name: '小明', last_name: '李', email: `li.${uniq('x')}@example.com`,
  });
  assert.equal(contact.status, 201, contact.text);

  const dir = path.join(tmp, 'vdir');
  const conf = path.join(tmp, 'vdirsyncer.conf');
  writeFileSync(conf, vdirConfig(dir, srv.base, users.rep.username, tok.body.token));
  const vdir = (...args) => run('vdirsyncer', ['-c', conf, ...args], { timeout: 120000 });
  const disc = spawn('vdirsyncer', ['-c', conf, 'discover'], { stdio: ['pipe', 'ignore', 'ignore'] });
  disc.stdin.end('y\ny\ny\ny\n');
  assert.equal(await new Promise((r) => disc.on('exit', r)), 0, 'vdirsyncer discover');
  await vdir('sync');

  const calDir = path.join(dir, 'cal', 'default');
  const cardDir = path.join(dir, 'card', 'default');
  let cal = localFiles(calDir);
  const mine = cal.find((f) => f.text.includes(`UID:${meeting.body.id}@rapport`));
  assert.ok(mine, 'the CRM meeting arrived');
  assert.match(mine.text, /SUMMARY:Quarterly review 季度回顾/);
  assert.match(mine.text, /LOCATION:Room 3/);
  assert.ok(cal.some((f) => f.text.includes('BEGIN:VTODO') && f.text.includes('Send the proposal')),
    'the task arrived as a VTODO');
  const card = localFiles(cardDir).find((f) => f.text.includes(contact.body.id));
  assert.ok(card, 'the contact arrived');
  assert.match(card.text, /FN:李小明/);

  // A change made in the CRM reaches the client on the next sync.
  const patched = await rep.patch(`/activities/${meeting.body.id}`, { subject: 'Quarterly review, moved' });
  assert.equal(patched.status, 200, patched.text);
  await vdir('sync');
  cal = localFiles(calDir);
  assert.match(cal.find((f) => f.text.includes(meeting.body.id)).text,
    /SUMMARY:Quarterly review\\, moved/);

  // A file edited locally reaches the CRM, through the engine (a new version, history).
  const file = cal.find((f) => f.text.includes(meeting.body.id));
  writeFileSync(file.file, file.text.replace(/SUMMARY:[^\r\n]*/, 'SUMMARY:Edited in the client'));
  const cardFile = localFiles(cardDir).find((f) => f.text.includes(contact.body.id));
  writeFileSync(cardFile.file, cardFile.text.replace(/TITLE:[^\r\n]*\r\n/, '')
    .replace('END:VCARD', 'TITLE:Buyer\r\nEND:VCARD'));
  await vdir('sync');
  const got = await rep.get(`/activities/${meeting.body.id}`);
  assert.equal(got.body.subject, 'Edited in the client');
  assert.equal(got.body.location, 'Room 3');
  assert.ok(got.body.version > patched.body.version);
  const gotContact = await rep.get(`/contacts/${contact.body.id}`);
  assert.equal(gotContact.body.title, 'Buyer');
  assert.equal(gotContact.body.last_name, '李');

  // A file created locally becomes an activity; one deleted locally goes to the recycle bin.
  const uid = `local-${uniq('e')}`;
  const s = start.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  writeFileSync(path.join(calDir, `${uid}.ics`), 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n' +
    `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:${s}\r\nDTSTART:${s}\r\nDURATION:PT30M\r\n` +
    'SUMMARY:Made offline\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n');
  rmSync(cal.find((f) => f.text.includes(task.body.id)).file);
  await vdir('sync');
  const made = (await rep.get('/activities?q=offline')).body.data;
  assert.equal(made.length, 1);
  assert.equal(made[0].end_at, new Date(start.getTime() + 1800000).toISOString());
  assert.equal((await rep.get(`/activities/${task.body.id}`)).status, 404);
  const bin = await rep.get('/activities?deleted=only');
  assert.ok(bin.body.data.some((a) => a.id === task.body.id), 'the task is in the recycle bin');
  // And the next sync changes nothing: the names and UIDs the client chose are kept.
  const before2 = localFiles(calDir).map((f) => f.text).sort();
  await vdir('sync');
  assert.deepEqual(localFiles(calDir).map((f) => f.text).sort(), before2);
  assert.ok(localFiles(calDir).some((f) => f.file.endsWith(`${uid}.ics`) && f.text.includes(`UID:${uid}`)));
});

const ICS = (uid, extra = '') => 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n' +
  `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T100000Z\r\nDTSTART:20261210T100000Z\r\n` +
  `DTEND:20261210T110000Z\r\nSUMMARY:Bad input check\r\n${extra}END:VEVENT\r\nEND:VCALENDAR\r\n`;

test('bad input is refused with a reason and changes nothing', async () => {
  const rep = await login(srv.base, users.rep.username, PASSWORD);
  const count = async () => (await rep.get('/activities?count=true&limit=1')).body.total;
  const n0 = await count();
  const coll = `/dav/calendars/${users.rep.username}/default/`;
  const put = (name, body, headers = {}) => dav('PUT', coll + name, {
    body, headers: { 'content-type': 'text/calendar', ...headers },
  });
  let r = await put('x1.ics', 'BEGIN:VCALENDAR\r\nnot really\r\n');
  assert.equal(r.status, 400, r.text);
  assert.match(JSON.parse(r.text).detail, /iCalendar|VEVENT|VCALENDAR/);
  // A rule the calendar does not take: its reason, nothing stored.
  r = await put('x2.ics', ICS('x2', 'RRULE:FREQ=HOURLY;COUNT=3\r\n'));
  assert.equal(r.status, 422, r.text);
  assert.ok(JSON.parse(r.text).errors.some((e) => e.field === 'rrule' && /daily/.test(e.message)), r.text);
  r = await put('x2.ics', ICS('x2', 'RDATE:20261211T100000Z\r\n'));
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.text).detail, /RDATE/);
  // An override for an occurrence the series does not have.
  r = await put('x2.ics', ICS('x2', 'RRULE:FREQ=WEEKLY;COUNT=3\r\n').replace('END:VCALENDAR',
    'BEGIN:VEVENT\r\nUID:x2\r\nRECURRENCE-ID:20261211T100000Z\r\nDTSTART:20261211T120000Z\r\n' +
    'DTEND:20261211T130000Z\r\nSUMMARY:moved\r\nEND:VEVENT\r\nEND:VCALENDAR'));
  assert.equal(r.status, 422, r.text);
  assert.ok(JSON.parse(r.text).errors.some((e) => e.field === 'recurrence_id'), r.text);
  r = await put('x3.ics', ICS('x3').replace('UID:x3\r\n', ''));
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.text).detail, /UID/);
  r = await put('x4.ics', ICS('x4'), { 'content-type': 'application/json' });
  assert.equal(r.status, 415);
  r = await dav('PUT', coll + 'x5.ics', {
    body: ICS('x5'), headers: { 'content-type': 'text/calendar', 'accept-language': 'zh-CN' },
  });
  assert.equal(r.status, 201);
  r = await put('x5.ics', ICS('x5'), { 'if-match': '"7"' });
  assert.equal(r.status, 412);
  r = await put('x6.ics', ICS('x6'), { 'if-match': '"1"' });
  assert.equal(r.status, 412, 'If-Match on an item that does not exist');
  r = await put('x7.ics', 'x'.repeat(300 * 1024));
  assert.equal(r.status, 413);
  r = await dav('PUT', `/dav/addressbooks/${users.rep.username}/default/c1.vcf`, {
    body: 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Half a card\r\n',
    headers: { 'content-type': 'text/vcard' },
  });
  assert.equal(r.status, 400);
  r = await dav('PUT', `/dav/addressbooks/${users.rep.username}/default/c2.vcf`, {
    body: 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c2\r\nFN:No Family\r\nEMAIL:not-an-email\r\nEND:VCARD\r\n',
    headers: { 'content-type': 'text/vcard', 'accept-language': 'zh-CN' },
  });
  assert.equal(r.status, 422, 'the engine validates the card');
  assert.equal(await count(), n0 + 1, 'only the one good event was stored');

  r = await dav('PROPFIND', coll, { headers: { depth: 'infinity' } });
  assert.equal(r.status, 403);
  assert.match(r.text, /propfind-finite-depth/);
  r = await dav('PROPFIND', coll, {
    headers: { depth: '0' },
    body: '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>',
  });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.text).detail, /DOCTYPE/);
  const deep = '<a>'.repeat(40) + '</a>'.repeat(40);
  r = await dav('PROPFIND', coll, { headers: { depth: '0' }, body: `<d:propfind xmlns:d="DAV:"><d:prop>${deep}</d:prop></d:propfind>` });
  assert.equal(r.status, 400);
  r = await dav('PROPFIND', coll, { headers: { depth: '0' }, body: '<d:propfind xmlns:d="DAV:"><d:prop>' });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.text).detail, /malformed XML/);
  r = await dav('REPORT', coll, { body: '<x:unknown-report xmlns:x="urn:x"/>' });
  assert.equal(r.status, 400);
  r = await dav('REPORT', coll, { body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token>urn:rapport:sync:abc</d:sync-token><d:prop><d:getetag/></d:prop></d:sync-collection>` });
  assert.equal(r.status, 403);
  assert.match(r.text, /valid-sync-token/);
  r = await dav('MKCALENDAR', `${coll}x/`);
  assert.ok([404, 405].includes(r.status));
});

test('authentication: Basic with the password or an API token, never a cookie; discovery', async () => {
  const coll = `/dav/calendars/${users.rep.username}/default/`;
  let r = await dav('PROPFIND', coll, { auth: null, headers: { depth: '0' } });
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate'), /^Basic realm="Rapport"/);
  r = await dav('PROPFIND', coll, { auth: basic(users.rep.username, 'wrong-password'), headers: { depth: '0' } });
  assert.equal(r.status, 401);
  const rep = await login(srv.base, users.rep.username, PASSWORD);
  r = await dav('PROPFIND', coll, { auth: null, headers: { depth: '0', cookie: rep.cookie } });
  assert.equal(r.status, 401, 'a session cookie is not enough');
  const tok = (await rep.post('/tokens', { name: 'phone' })).body.token;
  r = await dav('PROPFIND', coll, { auth: basic(users.rep.username, tok), headers: { depth: '0' } });
  assert.equal(r.status, 207);
  r = await dav('PROPFIND', coll, { auth: basic(users.mate.username, tok), headers: { depth: '0' } });
  assert.equal(r.status, 401, 'a token answers for its own user only');
  r = await dav('PROPFIND', `/dav/calendars/${users.mate.username}/default/`, { headers: { depth: '0' } });
  assert.equal(r.status, 404, "another user's calendar is not there");
  for (const svc of ['caldav', 'carddav']) {
    r = await dav('GET', `/.well-known/${svc}`, { auth: null });
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/dav/');
  }
  r = await dav('OPTIONS', coll, { auth: null });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('dav'), /calendar-access/);
  assert.match(r.headers.get('dav'), /addressbook/);
  r = await dav('PROPFIND', '/dav/', {
    headers: { depth: '0' },
    body: '<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
  });
  assert.equal(r.status, 207);
  assert.match(r.text, new RegExp(`<d:href>/dav/principals/${users.rep.username}/</d:href>`));
  // The routes are not in the REST API's OpenAPI document.
  const doc = (await admin.get('/openapi.json')).body;
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/dav') || p.startsWith('/.well-known')));
});

test('each user sees what their role reads, and writes what it may', async () => {
  const mk = async (who, last) => {
    const c = await login(srv.base, users[who].username, PASSWORD);
    const r = await c.post('/contacts', { first_name: 'Zed', last_name: `${last}` });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const mateC = await mk('mate', uniq('Mate'));
  const farC = await mk('far', uniq('Far'));
  const listing = async (who) => (await dav('PROPFIND', `/dav/addressbooks/${users[who].username}/default/`,
    { user: who, headers: { depth: '1' }, body: '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>' })).text;
  const repList = await listing('rep');
  assert.ok(repList.includes(mateC), "a sales rep reads the team mate's contact");
  assert.ok(!repList.includes(farC), "and not another team's");
  const viewerList = await listing('viewer');
  assert.ok(viewerList.includes(farC) && viewerList.includes(mateC), 'read-only reads all');
  let r = await dav('GET', `/dav/addressbooks/${users.rep.username}/default/${farC}.vcf`);
  assert.equal(r.status, 404);
  r = await dav('PUT', `/dav/addressbooks/${users.viewer.username}/default/v1.vcf`, {
    user: 'viewer',
    body: 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:v1\r\nFN:Read Only\r\nN:Only;Read;;;\r\nEND:VCARD\r\n',
    headers: { 'content-type': 'text/vcard' },
  });
  assert.equal(r.status, 403, 'a read-only role cannot create');
  // The calendar: activities the user owns or attends, nobody else's.
  const far = await login(srv.base, users.far.username, PASSWORD);
  const s = new Date(Date.now() + 86400000).toISOString();
  const e = new Date(Date.now() + 90000000).toISOString();
  const invited = await far.post('/activities', {
    type: 'meeting', subject: 'Invited', start_at: s, end_at: e, attendee_user_ids: [users.viewer.id],
  });
  assert.equal(invited.status, 201, invited.text);
  const own = await far.post('/activities', { type: 'call', subject: 'Far call', start_at: s, end_at: e });
  const cal = async (who) => (await dav('PROPFIND', `/dav/calendars/${users[who].username}/default/`,
    { user: who, headers: { depth: '1' } })).text;
  assert.ok((await cal('viewer')).includes(invited.body.id), 'an attendee has the meeting');
  assert.ok(!(await cal('viewer')).includes(own.body.id), 'but not what they do not attend');
  assert.ok(!(await cal('rep')).includes(invited.body.id));
});
