#!/usr/bin/python3
"""CalDAV sync timings (issue 21: initial sync of 10,000 events < 10 s, an incremental
sync with one change < 50 ms), run by bench/dav.sh against a server it started:
creates N meetings for the administrator through the REST API, then times, with an
app password (an API token) over one keep-alive connection:
  * the initial sync as vdirsyncer does it (PROPFIND Depth 1 for the ETags, then
    calendar-multiget of every item) and as DAVx5 does it (sync-collection without a
    token, with calendar-data);
  * an incremental sync-collection after one change made in the CRM (median of 20).
usage: dav.py BASE_URL ADMIN_PASSWORD N"""
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import requests

BASE, PASSWORD, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
NS = {'d': 'DAV:'}

api = requests.Session()
r = api.post(BASE + '/api/v1/auth/login', json={'username': 'admin', 'password': PASSWORD})
r.raise_for_status()
api.headers['X-CSRF-Token'] = r.json()['csrf_token']
token = api.post(BASE + '/api/v1/tokens', json={'name': 'bench'}).json()['token']

t0 = time.monotonic()
start = datetime(2027, 1, 4, 9, tzinfo=timezone.utc)
ids = []
for i in range(N):
    s = start + timedelta(hours=i)
    r = api.post(BASE + '/api/v1/activities?allow_conflict=true', json={
        'type': 'meeting', 'subject': 'Meeting %d' % i, 'start_at': s.isoformat(),
        'end_at': (s + timedelta(minutes=30)).isoformat(), 'location': 'Room %d' % (i % 7)})
    if r.status_code != 201:
        sys.exit('create %d: %d %s' % (i, r.status_code, r.text))
    ids.append(r.json()['id'])
print('created %d meetings in %.1f s' % (N, time.monotonic() - t0))

dav = requests.Session()
dav.auth = ('admin', token)
COLL = BASE + '/dav/calendars/admin/default/'


def report(body):
    r = dav.request('REPORT', COLL, data=body, headers={'Content-Type': 'application/xml'})
    assert r.status_code == 207, r.status_code
    return r


time.sleep(1.2)  # the last change a second old: the token handed out is then stable
t0 = time.monotonic()
r = dav.request('PROPFIND', COLL, headers={'Depth': '1', 'Content-Type': 'application/xml'},
                data='<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>')
hrefs = [h.text for h in ET.fromstring(r.content).findall('d:response/d:href', NS)][1:]
t1 = time.monotonic()
body = ('<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>'
        '<d:getetag/><c:calendar-data/></d:prop>' +
        ''.join('<d:href>%s</d:href>' % h for h in hrefs) + '</c:calendar-multiget>')
r = report(body)
t2 = time.monotonic()
got = r.text.count('BEGIN:VEVENT')
print('initial sync, vdirsyncer style: PROPFIND %d items %.0f ms + multiget %d events %.0f ms'
      ' (%.1f MB) = %.2f s' % (len(hrefs), (t1 - t0) * 1e3, got, (t2 - t1) * 1e3,
                               len(r.content) / 1e6, t2 - t0))
assert got == N

SYNC = ('<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        '<d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/>'
        '<c:calendar-data/></d:prop></d:sync-collection>')
t0 = time.monotonic()
r = report(SYNC % '')
t1 = time.monotonic()
tok = ET.fromstring(r.content).find('d:sync-token', NS).text
print('initial sync, DAVx5 style: sync-collection with calendar-data, %d events, %.2f s'
      % (r.text.count('BEGIN:VEVENT'), t1 - t0))

times = []
for k in range(20):
    api.patch(BASE + '/api/v1/activities/' + ids[k * 37 % N], json={'subject': 'Moved %d' % k})
    time.sleep(1.1)  # past the overlap: the change is the only one reported
    t0 = time.monotonic()
    r = report(SYNC % tok)
    times.append((time.monotonic() - t0) * 1e3)
    root = ET.fromstring(r.content)
    n = len(root.findall('d:response', NS))
    assert n == 1, n
    tok = root.find('d:sync-token', NS).text
print('incremental sync with one change: median %.1f ms, max %.1f ms (20 runs)'
      % (statistics.median(times), max(times)))
