#!/usr/bin/python3
"""Parses a message file with Python's email package (a real MIME parser) and prints
what the tests check as JSON: the raw and decoded headers, the parts' types, charsets,
transfer encodings and decoded bodies."""
import email
import email.policy
import email.utils
import json
import sys


def main():
    raw = open(sys.argv[1], 'rb').read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        'raw_headers': {k: v for k, v in email.message_from_bytes(raw).items()},
        'subject': str(msg['subject']),
        'from': str(msg['from']),
        'to': str(msg['to']),
        'cc': str(msg['cc']) if msg['cc'] else None,
        'from_name': msg['from'].addresses[0].display_name,
        'from_addr': msg['from'].addresses[0].addr_spec,
        'to_addrs': [a.addr_spec for a in msg['to'].addresses],
        'message_id': msg['message-id'],
        'date': msg['date'],
        'date_ts': email.utils.parsedate_to_datetime(msg['date']).timestamp(),
        'content_type': msg.get_content_type(),
        'defects': [type(d).__name__ for d in msg.defects],
        'max_line': max(len(line) for line in raw.split(b'\r\n')),
        'bare_lf': b'\n' in raw.replace(b'\r\n', b''),
        'parts': [],
    }
    for part in msg.walk():
        if part.is_multipart():
            continue
        out['parts'].append({
            'type': part.get_content_type(),
            'charset': part.get_content_charset(),
            'cte': part['content-transfer-encoding'],
            'body': part.get_content(),
            'defects': [type(d).__name__ for d in part.defects],
        })
    print(json.dumps(out, ensure_ascii=False))


if __name__ == '__main__':
    main()
