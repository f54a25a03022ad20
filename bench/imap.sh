#!/usr/bin/env bash
# The incoming e-mail benchmark (`make bench-imap`, N=… to change the mailbox's size):
# bench/imap.mjs against build/rapport and the Dovecot of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
RAPPORT_BIN=$PWD/build/rapport exec node bench/imap.mjs
