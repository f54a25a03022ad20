#!/usr/bin/python3
"""Reads an invitation message with Python's email package and its text/calendar part
with python3-icalendar (Debian), and prints what the tests check as JSON: the message's
structure, the calendar part's content type and method parameter, and the event's
METHOD, UID, SEQUENCE, DTSTART, ORGANIZER, ATTENDEEs, STATUS, RRULE and EXDATEs, with the
part's text (for a second parser, ical.js)."""
import email
import email.policy
import json
import sys

import icalendar


def text(v):
    return None if v is None else str(v)


def main():
    msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
    out = {
        'subject': str(msg['subject']),
        'to_addrs': [a.addr_spec for a in msg['to'].addresses],
        'content_type': msg.get_content_type(),
        'parts': [p.get_content_type() for p in msg.walk() if not p.is_multipart()],
        'defects': [type(d).__name__ for p in msg.walk() for d in p.defects],
        'calendar': None,
    }
    for part in msg.walk():
        if part.get_content_type() == 'text/plain':
            out['text'] = part.get_content()
        if part.get_content_type() != 'text/calendar':
            continue
        raw = part.get_content()
        cal = icalendar.Calendar.from_ical(raw)
        ev = next(c for c in cal.walk() if c.name == 'VEVENT')
        attendees = ev.get('attendee', [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        exdates = ev.get('exdate', [])
        if not isinstance(exdates, list):
            exdates = [exdates]
        out['calendar'] = {
            'content_type': part['content-type'],
            'method_param': part.get_param('method'),
            'charset': part.get_content_charset(),
            'raw': raw,
            'method': text(cal.get('method')),
            'uid': text(ev.get('uid')),
            'sequence': int(ev.get('sequence', 0)),
            'dtstart': ev.decoded('dtstart').isoformat(),
            'dtstamp': ev.decoded('dtstamp').isoformat(),
            'summary': text(ev.get('summary')),
            'location': text(ev.get('location')),
            'status': text(ev.get('status')),
            'organizer': text(ev.get('organizer')),
            'organizer_cn': text(ev.get('organizer').params.get('CN')),
            'attendees': [{
                'addr': text(a),
                'cn': text(a.params.get('CN')),
                'partstat': text(a.params.get('PARTSTAT')),
                'rsvp': text(a.params.get('RSVP')),
            } for a in attendees],
            'rrule': ev.get('rrule').to_ical().decode() if ev.get('rrule') else None,
            'exdates': [d.isoformat() for x in exdates for d in [e.dt for e in x.dts]],
        }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == '__main__':
    main()
