#!/usr/bin/env bash
# Checks a release binary's hardening with checksec (Debian package `checksec`): full
# RELRO, stack canary, NX, PIE and FORTIFY_SOURCE. Exits 1 naming what is missing.
set -euo pipefail
bin="${1:?usage: scripts/hardening.sh BINARY}"
json=$(checksec --output=json --file="$bin")
echo "checksec: $json"
fail=0
want() {
    if ! grep -q "\"$1\":\"$2\"" <<<"$json"; then
        echo "hardening: $bin lacks $1=$2" >&2
        fail=1
    fi
}
want relro full
want canary yes
want nx yes
want pie yes
want fortify_source yes
exit $fail
