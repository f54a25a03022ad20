#!/usr/bin/env bash
# High availability on PostgreSQL (`make bench-ha`): a pg_auto_failover formation on this
# machine (scripts/ha.sh local: a monitor and two data nodes, fsync on, synchronous
# replication), a company generated into it through the record engine (CONTACTS
# contacts, 100,000 by default), and two `rapport serve`: A with --db only, B with
# --db-read on the standby as well. Measured, alternating in ROUNDS rounds (the machine
# is shared and noisy: compare within one run):
#   1. creates per second through A with synchronous replication, and without it
#      (scripts/ha.sh sync off): what waiting for the standby's flush costs;
#   2. lists (a last name, 20 a page) and search through A (everything on the primary)
#      and through B (reads on the replica): what one replica adds — on one machine
#      the nodes share its two cores, so this says what the routing costs more than
#      what a replica on its own machine would add;
#   3. FAILOVERS failovers (10 by default) under eight writers: the time from the
#      primary's death to the monitor's promotion and to the first create answered
#      201 (median and worst), and the creates answered 201 that the new primary lacks.
# Writes the table to bench/ha-results.md and fails when any answer was not 2xx
# (outside the failovers) or an acknowledged create was lost.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
ROUNDS=${ROUNDS:-3}
FAILOVERS=${FAILOVERS:-10}
CONTACTS=${CONTACTS:-100000}
THREADS=$(nproc)
RAPPORT=build/rapport
PASSWORD=bench-password-2026
WORK=$(mktemp -d /tmp/rapport-bench-ha.XXXXXX)
chmod 755 "$WORK"
PIDS=()
log() { echo "bench-ha: $*" >&2; }
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    bash scripts/ha.sh down "$WORK/formation" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# ---- the formation and the data ----
base=$((20000 + RANDOM % 20000))
eval "$(bash scripts/ha.sh local "$WORK/formation" "$base")" # sets db and db_read
log "formation up: $db"
start=$(date +%s)
"$RAPPORT" bench-data --db "$db" --accounts $((CONTACTS / 10)) --contacts "$CONTACTS" \
    --leads 0 --opportunities 0 --activities 0 2>&1 | grep -v '^[0-9-]*T' >&2
psql -X -q -d "$db" -c "VACUUM (ANALYZE)"
log "data generated in $(($(date +%s) - start)) s"

q() { psql -X -A -t -q -d "$db" -c "$1"; }
user_id=$(q "SELECT id FROM users WHERE username = 'bench-sales-1-1'")
team=$(q "SELECT id FROM teams WHERE name = 'Bench team 1'")
q "SELECT id FROM contacts WHERE owner_id IN (SELECT u.id FROM users u,
   json_array_elements_text(u.team_ids::json) t(value) WHERE t.value = '$team')
   ORDER BY random() LIMIT 100000" >"$WORK/ids"
q "SELECT id FROM contacts WHERE owner_id = '$user_id' ORDER BY random() LIMIT 50000" >"$WORK/own_ids"
q "SELECT DISTINCT last_name FROM contacts" >"$WORK/names"
q "SELECT DISTINCT substr(first_name, 1, 3) FROM contacts WHERE length(first_name) >= 3" >"$WORK/prefixes"

# ---- the servers ----
# serve NAME ARGS...: starts rapport, sets the NAME's URL in $WORK/NAME.url
serve() {
    local name=$1
    shift
    "$RAPPORT" serve --listen 127.0.0.1:0 --log-level warn "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS+=($!)
    for _ in $(seq 100); do
        grep -q '^listening on' "$WORK/$name.out" 2>/dev/null && break
        sleep 0.1
    done
    sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/$name.out" | sed 's:/$::' >"$WORK/$name.url"
}
serve a --db "$db"
serve b --db "$db" --db-read "$db_read"
A=$(cat "$WORK/a.url")
B=$(cat "$WORK/b.url")
curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench-sales-1-1\",\"password\":\"$PASSWORD\"}" -c "$WORK/cookies" \
    "$A/api/v1/auth/login" >"$WORK/login.json"
csrf=$(jq -r .csrf_token "$WORK/login.json")
curl -sf -X POST -b "$WORK/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -H "Origin: $A" -d '{"name":"bench-ha"}' "$A/api/v1/tokens" | jq -r .token >"$WORK/token"

# run SCENARIO URL LABEL: one wrk run; appends "LABEL rps p50 p99" to $WORK/rows
run() {
    local out
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s \
        -s bench/scenario.lua "$2" -- "$1" "$WORK" "$THREADS" | grep '^RESULT')
    log "$3: $out"
    case "$out" in *"non2xx=0 errors=0"*) ;; *) log "$3: answers that were not 2xx"; exit 1 ;; esac
    echo "$3 $out" >>"$WORK/rows"
}
primary_sync() { q "SHOW synchronous_standby_names"; }
for round in $(seq "$ROUNDS"); do
    log "round $round of $ROUNDS"
    run create "$A" "create, synchronous"
    bash scripts/ha.sh sync "$WORK/formation" off
    until [ -z "$(primary_sync)" ]; do sleep 0.2; done
    run create "$A" "create, asynchronous"
    bash scripts/ha.sh sync "$WORK/formation" on
    until [ -n "$(primary_sync)" ]; do sleep 0.2; done
    for s in list search; do
        run "$s" "$A" "$s, primary only"
        run "$s" "$B" "$s, with the replica"
    done
done
metrics=$(curl -sf "$B/metrics")
replica_reads=$(sed -n 's/^rapport_db_replica_reads_total //p' <<<"$metrics")
fallbacks=$(sed -n 's/^rapport_db_replica_fallbacks_total //p' <<<"$metrics")

# ---- failovers ----
node bench/ha-failover.mjs "$WORK/formation" "$A" "$(cat "$WORK/token")" "$FAILOVERS" >"$WORK/failover.json"

# ---- the table ----
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
{
    echo "# make bench-ha"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%MZ) by \`make bench-ha\`: a pg_auto_failover formation on this"
    echo "machine ($THREADS cores shared by the monitor, both data nodes, Rapport and wrk), $CONTACTS contacts,"
    echo "wrk -t$THREADS -c$CONNS, ${DURATION}s per run, $ROUNDS rounds alternating; medians of the rounds."
    echo
    echo "| scenario | req/s | p50 ms | p99 ms |"
    echo "|---|---:|---:|---:|"
    while read -r label; do
        grep "^$label RESULT" "$WORK/rows" | sed 's/.*rps=\([0-9.]*\) p50=\([0-9.]*\) p99=\([0-9.]*\).*/\1 \2 \3/' >"$WORK/sel"
        printf '| %s | %s | %s | %s |\n' "$label" "$(cut -d' ' -f1 "$WORK/sel" | median)" \
            "$(cut -d' ' -f2 "$WORK/sel" | median)" "$(cut -d' ' -f3 "$WORK/sel" | median)"
    done < <(sed 's/ RESULT.*//' "$WORK/rows" | awk '!seen[$0]++')
    echo
    echo "Server B: $replica_reads requests read the replica, $fallbacks read the primary because the replica was behind."
    echo
    echo "Failovers (kill: the primary's machine dies; crash: its pg_autoctl dies and its postgres is stopped with \`pg_ctl stop -m immediate\`):"
    echo
    echo "| # | how | promoted after ms | first create answered after ms |"
    echo "|---:|---|---:|---:|"
    jq -r '.cycles | to_entries[] | "| \(.key + 1) | \(.value.how) | \(.value.promotion_ms) | \(.value.back_ms) |"' "$WORK/failover.json"
    echo
    echo "Service back after the primary's death: median $(jq '.cycles[].back_ms' "$WORK/failover.json" | median) ms," \
        "worst $(jq '[.cycles[].back_ms] | max' "$WORK/failover.json") ms;" \
        "$(jq .writes "$WORK/failover.json") creates answered 201, $(jq .unavailable "$WORK/failover.json") answered 503 or lost," \
        "$(jq .lost "$WORK/failover.json") acknowledged creates lost."
} >bench/ha-results.md
cat bench/ha-results.md
[ "$(jq .lost "$WORK/failover.json")" = 0 ]
