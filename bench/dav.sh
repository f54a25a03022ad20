#!/usr/bin/env bash
# CalDAV sync timings on the release build (bench/dav.py): an administrator with N
# meetings (default 10,000) on a new SQLite database; the initial sync (vdirsyncer's
# PROPFIND + multiget, DAVx5's sync-collection) and an incremental sync with one change.
#   bench/dav.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
make -s build/rapport
DIR=$(mktemp -d)
PASSWORD=bench-pass-123
RAPPORT_ADMIN_PASSWORD=$PASSWORD ./build/rapport serve --db "sqlite:$DIR/r.db" \
    --listen 127.0.0.1:0 > "$DIR/out" 2> "$DIR/err" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$DIR/out" 2>/dev/null && break; sleep 0.1; done
BASE=$(head -1 "$DIR/out" | sed 's/^listening on //')
/usr/bin/python3 bench/dav.py "$BASE" "$PASSWORD" "$N"
