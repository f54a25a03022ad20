#!/usr/bin/env bash
# The outgoing e-mail benchmark (`make bench-mail`, N=… CONNS=… to change the load):
# bench/mail.mjs against build/rapport and the aiosmtpd sink of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
RAPPORT_BIN=$PWD/build/rapport exec node bench/mail.mjs
