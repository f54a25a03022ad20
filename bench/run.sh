#!/usr/bin/env bash
# The benchmark (`make bench`, `make bench SMALL=1`): generates a large company once
# (cached under build/bench/), starts `rapport serve` on a fresh copy of it, drives it
# with wrk signed in as a sales user of a team, measures the ceiling server on the
# same file in the same run, prints one table and writes it to bench/results.md.
# Fails when any answer was not 2xx.
set -euo pipefail
cd "$(dirname "$0")/.."

SMALL=${SMALL:-}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
THREADS=$(nproc)                 # wrk's threads
SERVER_THREADS=$((4 * THREADS))  # rapport's default, given to the ceiling too
RAPPORT=build/rapport
CEILING=build/bench/ceiling
PASSWORD=bench-password-2026

if [ -n "$SMALL" ]; then
    SCALE=(--accounts 10000 --contacts 100000 --leads 10000 --opportunities 100000
           --activities 200000)
    LABEL=small
else
    SCALE=(--accounts 100000 --contacts 1000000 --leads 100000 --opportunities 1000000
           --activities 2000000)
    LABEL=full
fi
SEED=${SEED:-1}
DATA=build/bench/data-$LABEL-seed$SEED.db
WORK=$(mktemp -d /tmp/rapport-bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "bench: $*" >&2; }
now_ms() { date +%s%3N; }

# ---- data, generated once per scale and seed ----
if [ ! -f "$DATA" ]; then
    log "generating $LABEL data into $DATA (once; later runs reuse it)"
    rm -f "$DATA" "$DATA"-wal "$DATA"-shm
    start=$(now_ms)
    RAPPORT_ADMIN_PASSWORD=$PASSWORD "$RAPPORT" bench-data --db "sqlite:$DATA.tmp" \
        "${SCALE[@]}" --seed "$SEED" | tee "$DATA.log"
    echo "total $(( $(now_ms) - start )) ms" >>"$DATA.log"
    sqlite3 "$DATA.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    mv "$DATA.tmp" "$DATA"
    rm -f "$DATA.tmp-wal" "$DATA.tmp-shm"
fi
cp "$DATA" "$WORK/run.db"
sync # the copy's dirty pages would otherwise slow the first fsyncs of the run
DB="$WORK/run.db"
q() { sqlite3 -batch -noheader "$DB" "$1"; }

# ---- what the scenarios pick from ----
TEAM=$(q "SELECT id FROM teams WHERE name = 'Bench team 1'")
USER_ID=$(q "SELECT id FROM users WHERE username = 'bench-sales-1-1'")
TEAM_USERS="(SELECT u.id FROM users u, json_each(u.team_ids) t WHERE t.value = '$TEAM')"
q "SELECT id FROM contacts WHERE deleted_at IS NULL AND owner_id IN $TEAM_USERS
   ORDER BY random() LIMIT 100000" >"$WORK/ids"
q "SELECT id FROM contacts WHERE deleted_at IS NULL AND owner_id = '$USER_ID'
   ORDER BY random() LIMIT 50000" >"$WORK/own_ids"
q "SELECT DISTINCT last_name FROM contacts" >"$WORK/names"
q "SELECT DISTINCT substr(first_name, 1, 3) FROM contacts WHERE length(first_name) >= 3
   UNION SELECT DISTINCT substr(last_name, 1, 3) FROM contacts WHERE length(last_name) >= 3" \
    >"$WORK/prefixes"
# The team's calendar for the week starting last Monday (UTC).
MONDAY=$(date -u -d "last monday" +%Y-%m-%d)
SUNDAY=$(date -u -d "$MONDAY + 7 days" +%Y-%m-%d)
echo "from=${MONDAY}T00:00:00Z&to=${SUNDAY}T00:00:00Z&user_ids=$(q "SELECT group_concat(id) FROM $TEAM_USERS")" \
    >"$WORK/calendar"
log "$(wc -l <"$WORK/ids") readable contacts, $(wc -l <"$WORK/own_ids") own, $(wc -l <"$WORK/names") names"

# ---- servers ----
# Starts a server whose first output line is "listening on http://HOST:PORT"; sets PORT.
start_server() {
    local out=$WORK/server-$1.out
    shift
    "$@" >"$out" 2>"$out.err" &
    PIDS+=($!)
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        PORT=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$out")
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    log "server did not start: $(cat "$out.err")"
    exit 1
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
}

# Runs one scenario: run NAME URL CONNECTIONS; appends a row to $WORK/rows.
run() {
    local name=$1 url=$2 conns=$3 threads=$THREADS
    [ "$conns" -lt "$threads" ] && threads=$conns
    local out
    out=$(wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s \
        -s bench/scenario.lua "$url" -- "$name" "$WORK" "$threads" | grep '^RESULT')
    log "$name: $out"
    echo "$name $conns $out" >>"$WORK/rows.$4"
}

# ---- the ceiling ----
make -s "$CEILING" >/dev/null
start_server ceiling "$CEILING" "$DB" 0 "$SERVER_THREADS"
run get "http://127.0.0.1:$PORT" "$CONNS" ceiling
stop_server

# ---- rapport ----
start=$(now_ms)
start_server rapport "$RAPPORT" serve --db "sqlite:$DB" --listen 127.0.0.1:0 \
    --threads "$SERVER_THREADS" --log-level warn
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.005; done
STARTUP_MS=$(( $(now_ms) - start ))
BASE="http://127.0.0.1:$PORT"
login() {
    curl -sf -c "$WORK/cookies" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login" |
        sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p'
}
token() {
    local csrf
    csrf=$(login "$1")
    curl -sf -b "$WORK/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
        -d '{"name":"bench"}' "$BASE/api/v1/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
token bench-sales-1-1 >"$WORK/token"
# A page-2 cursor for each name with more than one page.
while read -r name; do
    enc=$(printf '%s' "$name" | jq -sRr @uri)
    cur=$(curl -sf -H "Authorization: Bearer $(cat "$WORK/token")" \
        "$BASE/api/v1/contacts?last_name=$enc&sort=first_name&limit=20" | jq -r '.next_cursor // empty')
    [ -n "$cur" ] && printf '%s\t%s\n' "$name" "$cur"
done <"$WORK/names" >"$WORK/cursors"

for s in get list next count fts search; do run "$s" "$BASE" "$CONNS" rapport; done
# Aggregates are measured one request at a time: their latency is the figure.
run pipeline "$BASE" 1 rapport
run calendar "$BASE" "$CONNS" rapport
for s in create patch mixed; do run "$s" "$BASE" "$CONNS" rapport; done
# The pipeline over every deal, as the administrator.
cp "$WORK/token" "$WORK/token.sales"
token admin >"$WORK/token"
run pipeline "$BASE" 1 admin
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
stop_server

# ---- the table ----
CONTACTS=$(q "SELECT count(*) FROM contacts")
DB_BYTES=$(stat -c %s "$DATA")
CONTACT_BYTES=$(q "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'contacts%'")
CEIL_RPS=$(awk '{for (i = 3; i <= NF; i++) if ($i ~ /^rps=/) {sub("rps=", "", $i); print $i}}' "$WORK/rows.ceiling")
{
    echo "# Benchmark results"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%MZ) by \`make bench${SMALL:+ SMALL=1}\` (scale: $LABEL, seed $SEED, ${DURATION}s per scenario, wrk -t$THREADS)."
    echo
    echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)),"
    echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r), SQLite $(sqlite3 --version | cut -d' ' -f1),"
    echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg). The machine is shared: compare ratios, not absolute figures."
    echo
    echo "Data: $(q "SELECT count(*) FROM accounts") accounts, $CONTACTS contacts, $(q "SELECT count(*) FROM leads") leads,"
    echo "$(q "SELECT count(*) FROM opportunities") opportunities, $(q "SELECT count(*) FROM activities") activities; signed in as"
    echo "bench-sales-1-1 (role sales, team scope: $(wc -l <"$WORK/ids") contacts visible to it in the id pool)."
    echo
    echo "| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | ratio to ceiling |"
    echo "|---|---|---|---|---|---|---|"
    for f in ceiling rapport admin; do
        while read -r name conns rest; do
            eval "$(echo "$rest" | tr ' ' '\n' | grep '=' | sed 's/^/local_/')"
            label=$name
            [ "$f" = ceiling ] && label="ceiling: get by id"
            [ "$f" = admin ] && label="$name (admin: every deal)"
            ratio=$(awk -v a="$local_rps" -v b="$CEIL_RPS" 'BEGIN {printf "%.2f", a / b}')
            echo "| $label | $conns | $local_rps | $local_p50 | $local_p99 | $local_non2xx | $ratio |"
        done <"$WORK/rows.$f"
    done
    echo
    echo "- Server start-up on this database (spawn to first \`/healthz\` answer): ${STARTUP_MS} ms"
    echo "- Server RSS after the run: $((RSS_KB / 1024)) MiB (peak $((HWM_KB / 1024)) MiB)"
    echo "- Database: $((DB_BYTES / 1048576)) MiB in all; contacts with their indexes and"
    echo "  full-text index: $(awk -v b="$CONTACT_BYTES" -v n="$CONTACTS" 'BEGIN {printf "%.0f", b / 1048576 / (n / 1e6)}') MiB per million contacts"
    echo "- Data generation (\`rapport bench-data\`, when the data was made):"
    echo
    sed 's/^/      /' "$DATA.log" | grep -v '^ *$'
} >"$WORK/results.md"
cat "$WORK/results.md"
cp "$WORK/results.md" bench/results.md
if grep -h '^' "$WORK"/rows.* | grep -qv 'non2xx=0 errors=0'; then
    log "FAILED: some answers were not 2xx (or connections failed); see the table"
    exit 1
fi
