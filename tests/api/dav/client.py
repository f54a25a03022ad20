#!/usr/bin/python3
"""A CalDAV and CardDAV client scenario run by tests/api/dav.test.js, once against
Rapport and once against Radicale (the reference server), with python3-caldav for the
calendar and plain WebDAV requests (python3-requests) for the address book. It prints
one JSON object: each step's observation, normalised so that two correct servers give
the same answers (2xx for any success, the class of a client error), plus details the
test checks on Rapport alone.

usage: client.py URL USER PASSWORD [--setup]   (--setup: make the collections first,
       for Radicale, which starts with none)"""
import json
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlparse

import caldav
import requests

URL, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
SETUP = '--setup' in sys.argv
NS = {'d': 'DAV:', 'c': 'urn:ietf:params:xml:ns:caldav', 'cr': 'urn:ietf:params:xml:ns:carddav'}
steps = []
details = {}


def step(name, value):
    steps.append([name, value])


def cls(status):
    """A status as the step compares it: 2xx, or the exact status otherwise."""
    return '2xx' if 200 <= status < 300 else status


s = requests.Session()
s.auth = (USER, PASSWORD)


def dav(method, url, body=None, headers=None):
    h = {'Content-Type': 'application/xml; charset=utf-8'}
    h.update(headers or {})
    return s.request(method, url, data=body.encode() if isinstance(body, str) else body,
                     headers=h)


def propfind(url, props, depth='0'):
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav" '
            'xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop>' + props +
            '</d:prop></d:propfind>')
    r = dav('PROPFIND', url, body, {'Depth': depth})
    return r, (ET.fromstring(r.content) if r.status_code == 207 else None)


def event(uid, summary, start):
    end = start + timedelta(hours=1)
    f = '%Y%m%dT%H%M%SZ'
    return ('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rapport tests//EN\r\n'
            'BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n'
            'SUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' %
            (uid, start.strftime(f), start.strftime(f), end.strftime(f), summary))


def card(uid, first, last, email):
    return ('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s %s\r\nN:%s;%s;;;\r\n'
            'EMAIL;TYPE=work:%s\r\nEND:VCARD\r\n' % (uid, first, last, last, first, email))


# ---- discovery (python3-caldav) ----
client = caldav.DAVClient(url=URL, username=USER, password=PASSWORD)
principal = client.principal()
if SETUP:
    principal.make_calendar(name='default', cal_id='default')
calendars = principal.calendars()
step('calendars found', len(calendars) >= 1)
cal = calendars[0]
cal_url = str(cal.url)

# ---- events: create, read, search, update with ETags, delete ----
uid = str(uuid.uuid4())
start = datetime.now(timezone.utc).replace(microsecond=0, second=0, minute=0) + timedelta(days=2)
ev = cal.save_event(event(uid, 'Review with Wang Fang', start))
ev_url = str(ev.url)
r = s.get(ev_url)
step('event GET', cls(r.status_code))
step('event GET has the summary', 'SUMMARY:Review with Wang Fang' in r.text)
step('event GET has the UID', ('UID:' + uid) in r.text)
etag = r.headers.get('ETag')
step('event has an ETag', bool(etag))
found = cal.date_search(start - timedelta(hours=1), start + timedelta(hours=3))
step('time-range search finds it', any(uid in f.data for f in found))
outside = cal.date_search(start + timedelta(days=30), start + timedelta(days=31))
step('time-range search elsewhere does not', not any(uid in f.data for f in outside))
body2 = event(uid, 'Review moved', start + timedelta(hours=2))
r = s.put(ev_url, data=body2, headers={'Content-Type': 'text/calendar', 'If-Match': '"999"'})
step('PUT with a stale ETag', cls(r.status_code))
r = s.put(ev_url, data=body2, headers={'Content-Type': 'text/calendar', 'If-None-Match': '*'})
step('PUT If-None-Match * on an existing item', cls(r.status_code))
r = s.put(ev_url, data=body2, headers={'Content-Type': 'text/calendar', 'If-Match': etag})
step('PUT with the right ETag', cls(r.status_code))
new_etag = r.headers.get('ETag') or s.get(ev_url).headers.get('ETag')
step('the ETag changed', new_etag != etag)
r = s.get(ev_url)
step('the update reads back', 'SUMMARY:Review moved' in r.text)
bad = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:broken\r\nEND:VCALENDAR\r\n'
r = s.put(urljoin(cal_url, 'broken.ics'), data=bad, headers={'Content-Type': 'text/calendar'})
step('malformed iCalendar refused', 400 <= r.status_code < 500)
details['malformed status'] = r.status_code
r = s.get(urljoin(cal_url, 'broken.ics'))
step('nothing stored for it', r.status_code)

# ---- sync-collection (RFC 6578) ----
time.sleep(1.5)  # the event's last change a second old: a server may report younger ones again
sync_body = ('<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>%s'
             '</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>'
             '</d:sync-collection>')
r = dav('REPORT', cal_url, sync_body % '')
step('initial sync', r.status_code)
root = ET.fromstring(r.content)
token = root.find('d:sync-token', NS).text
hrefs = [h.text for h in root.findall('d:response/d:href', NS)]
step('initial sync lists the event', any(h.endswith(ev_url.rsplit('/', 1)[1]) for h in hrefs))
uid2 = str(uuid.uuid4())
cal.save_event(event(uid2, 'Second meeting', start + timedelta(days=1)))
r = dav('REPORT', cal_url, sync_body % token)
root = ET.fromstring(r.content)
changed = [h.text for h in root.findall('d:response/d:href', NS)]
step('incremental sync has the new event', any(uid2 in h for h in changed))
step('incremental sync leaves out the unchanged one',
     not any(h.endswith(ev_url.rsplit('/', 1)[1]) for h in changed))
token2 = root.find('d:sync-token', NS).text
r = dav('REPORT', cal_url, sync_body % 'http://example.com/not-a-token')
step('a foreign sync token', cls(r.status_code))

r = s.delete(ev_url, headers={'If-Match': '"999"'})
step('DELETE with a stale ETag', cls(r.status_code))
r = s.delete(ev_url, headers={'If-Match': new_etag})
step('DELETE with the right ETag', cls(r.status_code))
step('GET after DELETE', s.get(ev_url).status_code)
r = dav('REPORT', cal_url, sync_body % token2)
root = ET.fromstring(r.content)
gone = [(h.find('d:href', NS).text, h.find('d:status', NS))
        for h in root.findall('d:response', NS)]
step('sync reports the deletion',
     any(h.endswith(ev_url.rsplit('/', 1)[1]) and st is not None and '404' in st.text
         for h, st in gone))

# ---- a series: RRULE, EXDATE and a moved occurrence (RECURRENCE-ID) in one resource ----
F = '%Y%m%dT%H%M%SZ'
H = timedelta(hours=1)
first = start + timedelta(days=7)
ruid = str(uuid.uuid4())


def occ(k):
    return first + timedelta(days=7 * k)


def series(summary, moved):
    """Weekly five times but the second; with moved, the third two hours later."""
    body = ('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rapport tests//EN\r\n'
            'BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n'
            'RRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE:%s\r\nSUMMARY:%s\r\nEND:VEVENT\r\n' %
            (ruid, first.strftime(F), first.strftime(F), (first + H).strftime(F),
             occ(1).strftime(F), summary))
    if moved:
        body += ('BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nRECURRENCE-ID:%s\r\nDTSTART:%s\r\n'
                 'DTEND:%s\r\nSUMMARY:%s\\, moved\r\nEND:VEVENT\r\n' %
                 (ruid, first.strftime(F), occ(2).strftime(F), (occ(2) + 2 * H).strftime(F),
                  (occ(2) + 3 * H).strftime(F), summary))
    return body + 'END:VCALENDAR\r\n'


def finds(a, b):
    return any(ruid in f.data for f in cal.date_search(a, b, expand=False))


rurl = urljoin(cal_url, ruid + '.ics')
r = s.put(rurl, data=series('Weekly review', True),
          headers={'Content-Type': 'text/calendar', 'If-None-Match': '*'})
step('series PUT', cls(r.status_code))
r = s.get(rurl)
step('series GET', cls(r.status_code))
step('series GET has the RRULE', 'RRULE:FREQ=WEEKLY;COUNT=5' in r.text)
step('series GET has the EXDATE', 'EXDATE' in r.text)
step('series GET has the moved occurrence, same UID',
     'RECURRENCE-ID' in r.text and r.text.count('UID:' + ruid) == 2 and 'moved' in r.text)
retag = r.headers.get('ETag')
step('time-range finds a later occurrence', finds(occ(3) - H, occ(3) + 2 * H))
step('time-range skips the excluded one', not finds(occ(1) - H, occ(1) + 2 * H))
step('time-range finds the moved one', finds(occ(2) + 2 * H, occ(2) + 4 * H))
step('time-range skips the weeks after the last', not finds(occ(5) - H, occ(9)))
r = s.put(rurl, data=series('Weekly review', False),
          headers={'Content-Type': 'text/calendar', 'If-Match': retag})
step('series PUT without the moved occurrence', cls(r.status_code))
r = s.get(rurl)
step('the moved occurrence is gone', 'RECURRENCE-ID' not in r.text and 'RRULE' in r.text)
step('the series ETag changed', r.headers.get('ETag') != retag)
r = s.put(rurl, data=series('Weekly review', True),
          headers={'Content-Type': 'text/calendar', 'If-Match': retag})
step('series PUT with its old ETag', cls(r.status_code))
r = s.put(rurl, data=series('Weekly review', True),
          headers={'Content-Type': 'text/calendar', 'If-Match': s.get(rurl).headers.get('ETag')})
step('the moved occurrence again', cls(r.status_code))
details['series'] = {'uid': ruid, 'href': urlparse(rurl).path,
                     'occurrences': [occ(k).strftime('%Y-%m-%dT%H:%M:%SZ') for k in range(5)]}

# ---- the address book (CardDAV, plain WebDAV requests) ----
r, root = propfind(str(principal.url), '<cr:addressbook-home-set/>')
home = root.find('.//cr:addressbook-home-set/d:href', NS).text
home = urljoin(URL, home)
if SETUP:
    mk = ('<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" '
          'xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype>'
          '<d:collection/><cr:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>')
    dav('MKCOL', urljoin(home, 'contacts/'), mk)
r, root = propfind(home, '<d:resourcetype/>', '1')
books = [urljoin(URL, resp.find('d:href', NS).text) for resp in root.findall('d:response', NS)
         if resp.find('.//cr:addressbook', NS) is not None]
step('address books found', len(books) >= 1)
book = books[0]
cuid = str(uuid.uuid4())
curl = urljoin(book, cuid + '.vcf')
r = s.put(curl, data=card(cuid, 'Fang', 'Wang', 'wang.fang.%s@example.com' % cuid[:8]),
          headers={'Content-Type': 'text/vcard', 'If-None-Match': '*'})
step('contact PUT', cls(r.status_code))
r = s.get(curl)
step('contact GET', cls(r.status_code))
step('contact GET has the name', 'Wang' in r.text and 'Fang' in r.text)
step('contact GET has the UID', cuid in r.text)
cetag = r.headers.get('ETag')
r, root = propfind(book, '<d:getetag/>', '1')
listed = [resp.find('d:href', NS).text for resp in root.findall('d:response', NS)]
step('the address book lists it', any(h.endswith(cuid + '.vcf') for h in listed))
mg = ('<?xml version="1.0"?><cr:addressbook-multiget xmlns:d="DAV:" '
      'xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><cr:address-data/>'
      '</d:prop><d:href>%s</d:href></cr:addressbook-multiget>') % urlparse(curl).path
r = dav('REPORT', book, mg, {'Depth': '1'})
step('addressbook-multiget', r.status_code)
step('multiget has the card', 'Wang' in r.text)
r = s.put(curl, data=card(cuid, 'Fang', 'Wang-Li', 'wang.fang.%s@example.com' % cuid[:8]),
          headers={'Content-Type': 'text/vcard', 'If-Match': '"999"'})
step('contact PUT with a stale ETag', cls(r.status_code))
r = s.put(curl, data=card(cuid, 'Fang', 'Wang-Li', 'wang.fang.%s@example.com' % cuid[:8]),
          headers={'Content-Type': 'text/vcard', 'If-Match': cetag})
step('contact PUT with the right ETag', cls(r.status_code))
step('the contact update reads back', 'Wang-Li' in s.get(curl).text)
r = s.put(urljoin(book, 'junk.vcf'), data='BEGIN:VCARD\r\nFN:nobody\r\n',
          headers={'Content-Type': 'text/vcard'})
step('malformed vCard refused', 400 <= r.status_code < 500)
details['malformed vcard status'] = r.status_code
r = s.delete(curl, headers={'If-Match': s.get(curl).headers.get('ETag')})
step('contact DELETE', cls(r.status_code))
step('contact GET after DELETE', s.get(curl).status_code)

details['calendar'] = cal_url
details['addressbook'] = book
print(json.dumps({'steps': steps, 'details': details}))
