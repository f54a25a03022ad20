#!/usr/bin/python3
"""Reads a calendar the way a python3-caldav program does, for tests/api/dav.test.js:
the events a time-range search finds (unexpanded) and the one found by its UID. Prints
one JSON object {"search": [calendar data…], "by_uid": calendar data or null}.

usage: read.py URL USER PASSWORD FROM TO UID   (FROM, TO: 2027-01-01T00:00:00Z)"""
import json
import sys
from datetime import datetime

import caldav

URL, USER, PASSWORD, FROM, TO, UID = sys.argv[1:7]


def when(s):
    return datetime.strptime(s, '%Y-%m-%dT%H:%M:%S%z')


cal = caldav.DAVClient(url=URL, username=USER, password=PASSWORD).principal().calendars()[0]
found = cal.date_search(when(FROM), when(TO), expand=False)
try:
    by_uid = cal.event_by_uid(UID).data
except caldav.error.NotFoundError:
    by_uid = None
print(json.dumps({'search': [f.data for f in found], 'by_uid': by_uid}))
