#!/usr/bin/python3
"""The mail tests' IMAP client, Python's imaplib (nobody here wrote it), against the
Dovecot the tests start:

  imap_tool.py PORT USER PASSWORD append FOLDER FILE...   APPEND each file (\\Seen when
                                                          the name ends in .seen.eml)
  imap_tool.py PORT USER PASSWORD generate FOLDER N FROM  APPEND N made-up messages
  imap_tool.py PORT USER PASSWORD flags FOLDER            {uid: [flags]} as JSON
  imap_tool.py PORT USER PASSWORD create|delete FOLDER    a folder
"""
import imaplib
import json
import re
import sys
import time


def main():
    port, user, password, cmd, folder = sys.argv[1:6]
    rest = sys.argv[6:]
    m = imaplib.IMAP4('127.0.0.1', int(port))
    m.login(user, password)
    if cmd == 'append':
        for f in rest:
            with open(f, 'rb') as fh:
                raw = fh.read()
            flags = '(\\Seen)' if f.endswith('.seen.eml') else None
            typ, data = m.append(folder, flags, None, raw)
            assert typ == 'OK', data
    elif cmd == 'generate':
        n, sender = int(rest[0]), rest[1]
        for i in range(n):
            raw = (f'From: Customer {i} <{sender}>\r\nTo: inbox@rapport.test\r\n'
                   f'Subject: Message {i}\r\nMessage-ID: <gen-{i}-{time.time_ns()}@example.com>\r\n'
                   f'Date: Sun, 6 Dec 2026 10:00:00 +0000\r\n\r\nBody of message {i}.\r\n' + 'x' * 2000 + '\r\n')
            typ, data = m.append(folder, None, None, raw.encode())
            assert typ == 'OK', data
    elif cmd == 'flags':
        m.select(folder, readonly=True)
        typ, data = m.uid('FETCH', '1:*', '(FLAGS)')
        out = {}
        for line in data:
            if not line:
                continue
            s = line.decode() if isinstance(line, bytes) else line[0].decode()
            uid = re.search(r'UID (\d+)', s)
            flags = re.search(r'FLAGS \(([^)]*)\)', s)
            if uid:
                out[uid.group(1)] = flags.group(1).split() if flags else []
        print(json.dumps(out))
    elif cmd == 'create':
        assert m.create(folder)[0] == 'OK'
    elif cmd == 'delete':
        assert m.delete(folder)[0] == 'OK'
    m.logout()


main()
