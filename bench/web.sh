#!/usr/bin/env bash
# The UI at scale (`make bench-web`, or SMALL=1 for a tenth): the first paint of the
# contacts list, a record page and the dashboard in headless chromium, signed in as the
# benchmark's sales rep, on a fresh copy of the benchmark's generated data (made once,
# as `make bench` makes it, and shared with it under build/bench/). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RAPPORT=build/rapport
PASSWORD=bench-password-2026
if [ -n "${SMALL:-}" ]; then
    SCALE=(--accounts 10000 --contacts 100000 --leads 10000 --opportunities 100000
           --activities 200000)
    LABEL=small
else
    SCALE=(--accounts 100000 --contacts 1000000 --leads 100000 --opportunities 1000000
           --activities 2000000)
    LABEL=full
fi
SEED=${SEED:-1}
DATA=build/bench/data-$LABEL-seed$SEED-gen$("$RAPPORT" bench-data --version).db
WORK=$(mktemp -d /tmp/rapport-bench-web.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -f "$DATA" ]; then
    echo "bench-web: generating $LABEL data into $DATA (once; make bench reuses it)" >&2
    mkdir -p build/bench
    rm -f "$DATA.tmp" "$DATA.tmp-wal" "$DATA.tmp-shm"
    RAPPORT_ADMIN_PASSWORD=$PASSWORD "$RAPPORT" bench-data --db "sqlite:$DATA.tmp" \
        "${SCALE[@]}" --seed "$SEED" | tee "$DATA.log"
    sqlite3 "$DATA.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    mv "$DATA.tmp" "$DATA"
    rm -f "$DATA.tmp-wal" "$DATA.tmp-shm"
fi
cp "$DATA" "$WORK/run.db"
"$RAPPORT" serve --db "sqlite:$WORK/run.db" --listen 127.0.0.1:0 \
    --log-level warn >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 6000); do # the first start after an upgrade may build indexes
    PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/server.out")
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "bench-web: the server did not start" >&2; exit 1; }
echo "bench-web: $(sqlite3 "$WORK/run.db" "SELECT count(*) FROM contacts") contacts, $(sqlite3 "$WORK/run.db" "SELECT count(*) FROM opportunities") opportunities, $(sqlite3 "$WORK/run.db" "SELECT count(*) FROM activities") activities" >&2
BASE=http://127.0.0.1:$PORT WEB_USER=bench-sales-1-1 WEB_PASSWORD=$PASSWORD \
    RAPPORT_BIN=$RAPPORT node bench/web-paint.mjs
