#!/usr/bin/env bash
# The webhooks benchmark (`make bench-automation`; N=… deliveries, CREATES=…, ROUNDS=…):
# bench/automation.mjs against build/rapport.
set -euo pipefail
cd "$(dirname "$0")/.."
RAPPORT_BIN=$PWD/build/rapport exec node bench/automation.mjs
