#!/usr/bin/python3
"""A real SMTP server for the mail tests (Debian python3-aiosmtpd): listens on
127.0.0.1:PORT and writes each message it accepts to DIR as <n>.eml, with the envelope
in <n>.json. The file DIR/mode, when present, changes its answer to DATA:
"reject" answers 550 (permanent), "tempfail" 451 (try again later).
Prints "ready" once it listens; stops on SIGTERM."""
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.dir = directory
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        mode_file = os.path.join(self.dir, 'mode')
        mode = open(mode_file).read().strip() if os.path.exists(mode_file) else ''
        if mode == 'reject':
            return '550 5.7.1 rejected by the test sink'
        if mode == 'tempfail':
            return '451 4.3.0 try again later'
        with self.lock:
            self.n += 1
            n = self.n
        base = os.path.join(self.dir, '%06d' % n)
        with open(base + '.tmp', 'wb') as f:
            f.write(envelope.original_content)
        with open(base + '.json', 'w') as f:
            json.dump({'from': envelope.mail_from, 'to': envelope.rcpt_tos}, f)
        os.rename(base + '.tmp', base + '.eml')
        return '250 2.0.0 queued as %d' % n


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(directory), hostname='127.0.0.1', port=port)
    controller.start()
    print('ready', flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == '__main__':
    main()
