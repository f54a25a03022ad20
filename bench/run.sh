#!/usr/bin/env bash
# The benchmark (`make bench [DB=sqlite|postgres|both] [SMALL=1]`): generates a large
# company once per backend (cached under build/bench/), starts `rapport serve` on a
# fresh copy of it, drives it with wrk signed in as a sales user of a team, measures the
# ceiling server on the SQLite file in the same run, prints one table with the backends
# side by side and writes it to bench/results.md. Fails when any answer was not 2xx, and
# refuses to measure a server that closes the connection after each answer.
#
# PostgreSQL runs in a throwaway cluster of its own (initdb in a temporary directory,
# unix socket only, durable settings), started from a kept copy of the generated
# cluster's data directory and removed at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

SMALL=${SMALL:-}
DB=${DB:-sqlite}
DURATION=${DURATION:-10}
CONNS=${CONNS:-16}
THREADS=$(nproc)                 # wrk's threads
SERVER_THREADS=$((4 * THREADS))  # rapport's default, given to the ceiling too
RAPPORT=build/rapport
CEILING=build/bench/ceiling
PASSWORD=bench-password-2026
# PostgreSQL's settings: durable like SQLite's synchronous=FULL (fsync, synchronous
# commit, full-page writes: the defaults, stated), shared buffers sized for the data of
# a full run on a 24 GiB machine shared with other work.
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-2GB}
PG_SETTINGS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on \
    -c shared_buffers=$PG_SHARED_BUFFERS -c max_connections=100"

case "$DB" in
    sqlite) BACKENDS=(sqlite) ;;
    postgres) BACKENDS=(postgres) ;;
    both) BACKENDS=(sqlite postgres) ;;
    *) echo "bench: DB must be sqlite, postgres or both (not '$DB')" >&2; exit 2 ;;
esac

if [ -n "$SMALL" ]; then
    SCALE=(--accounts 10000 --contacts 100000 --leads 10000 --opportunities 100000
           --activities 200000)
    LABEL=small
    CALENDAR_DAYS=7
else
    SCALE=(--accounts 100000 --contacts 1000000 --leads 100000 --opportunities 1000000
           --activities 2000000)
    LABEL=full
    CALENDAR_DAYS=1
fi
SEED=${SEED:-1}
# Generated data is kept per generator version: data an earlier generator left is
# never measured as this one's.
GEN=$("$RAPPORT" bench-data --version)
DATA=build/bench/data-$LABEL-seed$SEED-gen$GEN.db
PG_KEPT=build/bench/pg-$LABEL-seed$SEED-gen$GEN # a cleanly stopped cluster's data directory
WORK=$(mktemp -d /tmp/rapport-bench.XXXXXX)
PGDIR=""
PIDS=()

log() { echo "bench: $*" >&2; }
now_ms() { date +%s%3N; }

# ---- the throwaway PostgreSQL cluster ----
# initdb and postgres refuse to run as root: as root they run as the `postgres` OS user
# on a directory handed to it (as tests/pg/cluster.sh does).
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_url() { echo "postgresql:///bench?host=$PGDIR&user=postgres"; }
pg_start() {
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 300 \
        -o "-c listen_addresses= -k $PGDIR $PG_SETTINGS" start >/dev/null ||
        { cat "$PGDIR/postgres.log" >&2; exit 1; }
}
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m "$1" -w -t 300 stop >/dev/null 2>&1; }
psql_q() { as_pg "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGDIR" -U postgres -d bench -c "$1"; }
pg_new_dir() {
    PGDIR=$(mktemp -d /tmp/rapport-bench-pg.XXXXXX)
    chmod 755 "$PGDIR"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PGDIR"; fi
}

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "$PGDIR" ]; then
        pg_stop immediate || true
        rm -rf "$PGDIR"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs `rapport bench-data` into URL; its output (and the total) goes to LOG.
generate() {
    local url=$1 out=$2 start
    log "generating $LABEL data into $url (once; later runs reuse it)"
    start=$(now_ms)
    RAPPORT_ADMIN_PASSWORD=$PASSWORD "$RAPPORT" bench-data --db "$url" \
        "${SCALE[@]}" --seed "$SEED" | tee "$out"
    echo "total $(( $(now_ms) - start )) ms" >>"$out"
}

# ---- data, generated once per backend, scale and seed ----
# The SQLite file is always needed: the ceiling reads it.
if [ ! -f "$DATA" ]; then
    rm -f "$DATA.tmp" "$DATA.tmp-wal" "$DATA.tmp-shm"
    generate "sqlite:$DATA.tmp" "$DATA.log"
    sqlite3 "$DATA.tmp" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    mv "$DATA.tmp" "$DATA"
    rm -f "$DATA.tmp-wal" "$DATA.tmp-shm"
fi
if [[ " ${BACKENDS[*]} " == *" postgres "* ]]; then
    [ -x "$PGBIN/initdb" ] || { log "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 3; }
    pg_new_dir
    if [ ! -d "$PG_KEPT" ]; then
        as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log" >&2; exit 1; }
        pg_start
        as_pg "$PGBIN/createdb" -h "$PGDIR" -U postgres bench
        generate "$(pg_url)" "$PG_KEPT.log"
        # What an operator does after a bulk load: statistics and the visibility map.
        start=$(now_ms)
        psql_q "VACUUM (ANALYZE)"
        echo "vacuum analyze $(( $(now_ms) - start )) ms" >>"$PG_KEPT.log"
        pg_stop fast
        rm -rf "$PG_KEPT.tmp"
        mv "$PGDIR/data" "$PG_KEPT.tmp"
        mv "$PG_KEPT.tmp" "$PG_KEPT"
    fi
    # Each run works on a fresh copy, so creates and PATCHes never accumulate.
    cp -a "$PG_KEPT" "$PGDIR/data"
    pg_start
fi
# The kept SQLite data brought up to this binary's schema once: a version that adds
# indexes builds them at its first start (minutes at full size), which is not the
# start-up the run measures.
"$RAPPORT" serve --db "sqlite:$DATA" --listen 127.0.0.1:0 --log-level warn \
    >"$WORK/upgrade.out" 2>"$WORK/upgrade.err" &
UPGRADE_PID=$!
PIDS+=("$UPGRADE_PID")
until grep -q '^listening on' "$WORK/upgrade.out"; do
    kill -0 "$UPGRADE_PID" 2>/dev/null || { log "server did not start: $(cat "$WORK/upgrade.err")"; exit 1; }
    sleep 0.2
done
kill "$UPGRADE_PID"
wait "$UPGRADE_PID" 2>/dev/null || true
sqlite3 "$DATA" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp "$DATA" "$WORK/run.db"
sync # the copies' dirty pages would otherwise slow the first fsyncs of the run

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

# keepalive NAME URL [curl options]: stops the run when the server closes the connection
# after answering a keep-alive request. wrk would then open a TCP connection per
# request, and the figures would measure that: earlier runs' ceiling did so.
keepalive() {
    local name=$1 url=$2 n
    shift 2
    n=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$@" "$url" "$url")
    if [ "$n" != "1 0 " ]; then
        log "$name closed the connection after answering a keep-alive request (connections opened: $n): not measured"
        exit 1
    fi
}

# Waits (up to 30 s) until the server uses under a tenth of a CPU: when wrk stops, the
# requests it abandoned (a calendar takes seconds) still run, and would be measured
# as part of the next scenario.
settle() {
    local a b
    for _ in $(seq 1 150); do
        a=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
        sleep 0.2
        b=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
        [ $((b - a)) -lt 2 ] && return 0
    done
}

# Runs one scenario: run NAME URL CONNECTIONS ROWS; appends a row to $WORK/rows.ROWS.
run() {
    local name=$1 url=$2 conns=$3 threads=$THREADS
    settle
    [ "$conns" -lt "$threads" ] && threads=$conns
    local out
    out=$(wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s \
        -s bench/scenario.lua "$url" -- "$name" "$WORK" "$threads" | grep '^RESULT')
    log "$4 $name: $out $(awk '/VmRSS|VmHWM/ {printf "%s%d MiB ", $1, $2 / 1024}' "/proc/$SERVER_PID/status")"
    echo "$name $conns $out" >>"$WORK/rows.$4"
}

# ---- what the scenarios pick from ----
# pools BACKEND: ids, names, prefixes and the calendar query from BACKEND's database
# into $WORK, by the same queries in either dialect; sets q (a query function) and url.
pools() {
    local be=$1 members concat
    if [ "$be" = sqlite ]; then
        url="sqlite:$WORK/run.db"
        q() { sqlite3 -batch -noheader "$WORK/run.db" "$1"; }
        members="json_each(u.team_ids) t WHERE t.value"
        concat="group_concat(id)"
    else
        url=$(pg_url)
        q() { psql_q "$1"; }
        members="json_array_elements_text(u.team_ids::json) t(value) WHERE t.value"
        concat="string_agg(id, ',')"
    fi
    local team user_id team_users
    team=$(q "SELECT id FROM teams WHERE name = 'Bench team 1'")
    user_id=$(q "SELECT id FROM users WHERE username = 'bench-sales-1-1'")
    team_users="(SELECT u.id FROM users u, $members = '$team')"
    q "SELECT id FROM contacts WHERE deleted_at IS NULL AND owner_id IN $team_users
       ORDER BY random() LIMIT 100000" >"$WORK/ids"
    q "SELECT id FROM contacts WHERE deleted_at IS NULL AND owner_id = '$user_id'
       ORDER BY random() LIMIT 50000" >"$WORK/own_ids"
    q "SELECT id FROM contacts WHERE deleted_at IS NULL AND owner_id NOT IN $team_users
       ORDER BY random() LIMIT 1000" >"$WORK/others"
    q "SELECT DISTINCT last_name FROM contacts" >"$WORK/names"
    q "SELECT DISTINCT substr(first_name, 1, 3) FROM contacts WHERE length(first_name) >= 3
       UNION SELECT DISTINCT substr(last_name, 1, 3) FROM contacts WHERE length(last_name) >= 3" \
        >"$WORK/prefixes"
    # The team's calendar for the week starting last Monday (UTC). At full size the
    # generator puts about 1,500 activities a week on each user, so a team's week is
    # over the API's 2,000-activity limit (400 by design): the full run asks for the
    # team's Monday instead.
    local monday sunday
    monday=$(date -u -d "last monday" +%Y-%m-%d)
    sunday=$(date -u -d "$monday + ${CALENDAR_DAYS} days" +%Y-%m-%d)
    echo "from=${monday}T00:00:00Z&to=${sunday}T00:00:00Z&user_ids=$(q "SELECT $concat FROM $team_users u2")" \
        >"$WORK/calendar"
    log "$be: $(wc -l <"$WORK/ids") readable contacts, $(wc -l <"$WORK/own_ids") own, $(wc -l <"$WORK/names") names"
    wc -l <"$WORK/ids" >"$WORK/visible.$be"
    # The size of the database as generated, before this run's creates (as for SQLite).
    if [ "$be" = postgres ]; then
        echo "db_bytes=$(q "SELECT pg_database_size('bench')")" >"$WORK/facts.$be"
    fi
}

# ---- the references: the HTTP limit, and the SQLite ceiling for both backends ----
make -s "$CEILING" >/dev/null
pools sqlite
start_server bare "$CEILING" --bare 0 "$SERVER_THREADS"
keepalive "the bare server" "http://127.0.0.1:$PORT/api/v1/contacts/$(head -1 "$WORK/ids")"
run get "http://127.0.0.1:$PORT" "$CONNS" bare
stop_server
start_server ceiling "$CEILING" "$WORK/run.db" 0 "$SERVER_THREADS"
keepalive "the ceiling" "http://127.0.0.1:$PORT/api/v1/contacts/$(head -1 "$WORK/ids")"
run get "http://127.0.0.1:$PORT" "$CONNS" ceiling
stop_server

# ---- rapport on one backend ----
# bench_backend NAME: every scenario, RSS, start-up and sizes into $WORK/rows.NAME and
# $WORK/facts.NAME.
bench_backend() {
    local be=$1 start
    pools "$be"
    start=$(now_ms)
    start_server "rapport-$be" "$RAPPORT" serve --db "$url" --listen 127.0.0.1:0 \
        --threads "$SERVER_THREADS" --log-level warn
    until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.005; done
    echo "startup_ms=$(( $(now_ms) - start ))" >>"$WORK/facts.$be"
    BASE="http://127.0.0.1:$PORT"
    token admin >"$WORK/admin_token"
    token bench-sales-1-1 >"$WORK/token"
    keepalive "rapport ($be)" "$BASE/api/v1/contacts/$(head -1 "$WORK/ids")" \
        -H "Authorization: Bearer $(cat "$WORK/token")"
    # A page-2 cursor for each name with more than one page.
    local name enc cur
    while read -r name; do
        enc=$(printf '%s' "$name" | jq -sRr @uri)
        cur=$(curl -sf -H "Authorization: Bearer $(cat "$WORK/token")" \
            "$BASE/api/v1/contacts?last_name=$enc&sort=first_name&limit=20" | jq -r '.next_cursor // empty')
        [ -n "$cur" ] && printf '%s\t%s\n' "$name" "$cur"
    done <"$WORK/names" >"$WORK/cursors"

    # The peak RSS is the run's: each sign-in's argon2id check takes 64 MiB for its
    # 50 ms (crypto_pwhash's interactive limit), which is not serving load.
    echo 5 >"/proc/$SERVER_PID/clear_refs"
    for s in get list next count fts search; do run "$s" "$BASE" "$CONNS" "$be"; done
    # Aggregates are measured one request at a time: their latency is the figure.
    run pipeline "$BASE" 1 "$be"
    run calendar "$BASE" "$CONNS" "$be"
    # Every list the list view can ask for (bench/matrix.mjs), before the writes.
    log "$be: the sort and filter matrix"
    BASE=$BASE TOKEN=$(cat "$WORK/token") CONNS=$CONNS OUT="$WORK/matrix.$be.json" \
        MD="$WORK/matrix.$be.md" node bench/matrix.mjs >"$WORK/matrix.$be.txt" ||
        { cat "$WORK/matrix.$be.txt"; log "FAILED: the matrix had answers that were not 200"; exit 1; }
    for s in create patch mixed; do run "$s" "$BASE" "$CONNS" "$be"; done
    # The team's lists again once 1,000 contacts of other teams are shared with the rep:
    # the scope becomes "owned by the team, or shared" (docs/design.md, sharing).
    share_contacts 1000
    for s in list next count; do run "$s" "$BASE" "$CONNS" "$be.shared"; done
    # The pipeline over every deal, as the administrator.
    cp "$WORK/admin_token" "$WORK/token"
    run pipeline "$BASE" 1 "$be.admin"
    awk '/VmRSS/ {print "rss_kb=" $2} /VmHWM/ {print "hwm_kb=" $2}' \
        "/proc/$SERVER_PID/status" >>"$WORK/facts.$be"
    stop_server

    local contacts
    contacts=$(q "SELECT count(*) FROM contacts")
    echo "data=\"$(q "SELECT count(*) FROM accounts") accounts, $contacts contacts, $(q "SELECT count(*) FROM leads") leads, $(q "SELECT count(*) FROM opportunities") opportunities, $(q "SELECT count(*) FROM activities") activities\"" \
        >>"$WORK/facts.$be"
    if [ "$be" = sqlite ]; then
        echo "db_bytes=$(stat -c %s "$DATA")" >>"$WORK/facts.$be"
        echo "contact_bytes=$(q "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'contacts%'")" >>"$WORK/facts.$be"
    else
        echo "dir_bytes=$(du -sb "$PG_KEPT" | cut -f1)" >>"$WORK/facts.$be"
        echo "contact_bytes=$(q "SELECT pg_total_relation_size('contacts') + pg_total_relation_size('contacts_fts')")" >>"$WORK/facts.$be"
        local pm
        pm=$(head -1 "$PGDIR/data/postmaster.pid")
        echo "pg_pss_kb=$(for p in $pm $(pgrep -P "$pm"); do cat "/proc/$p/smaps_rollup" 2>/dev/null; done |
            awk '/^Pss:/ {s += $2} END {print s}')" >>"$WORK/facts.$be"
    fi
    echo "contacts=$contacts" >>"$WORK/facts.$be"
}

# share_contacts N: the administrator shares N contacts of other teams (which the rep
# cannot see) with the rep.
share_contacts() {
    local rep
    rep=$(q "SELECT id FROM users WHERE username = 'bench-sales-1-1'")
    head -n "$1" "$WORK/others" >"$WORK/shared"
    xargs -P 8 -I{} curl -sf -o /dev/null -H "Authorization: Bearer $(cat "$WORK/admin_token")" \
        -H 'Content-Type: application/json' -d "{\"user_id\":\"$rep\"}" \
        "$BASE/api/v1/contacts/{}/shares" <"$WORK/shared"
    log "$be: shared $(wc -l <"$WORK/shared") contacts with bench-sales-1-1"
}

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

# ---- A/B: this binary against another (AB=path/to/rapport), alternated ----
# ab_round BINARY ROWS: get, list and create on a fresh copy of the SQLite data.
ab_round() {
    cp "$DATA" "$WORK/run.db"
    start_server "ab" "$1" serve --db "sqlite:$WORK/run.db" --listen 127.0.0.1:0 \
        --threads "$SERVER_THREADS" --log-level warn
    BASE="http://127.0.0.1:$PORT"
    until curl -sf "$BASE/healthz" >/dev/null; do sleep 0.005; done
    token bench-sales-1-1 >"$WORK/token"
    for s in get list create; do run "$s" "$BASE" "$CONNS" "$2"; done
    stop_server
}
if [ -n "${AB:-}" ]; then
    [ "$DB" = sqlite ] || { log "AB compares on SQLite only"; exit 2; }
    pools sqlite
    for round in $(seq 1 "${ROUNDS:-3}"); do
        ab_round "$AB" ab.base
        ab_round "$RAPPORT" ab.new
        log "A/B round $round done"
    done
    # The median req/s and p99 of each scenario for each binary, and new ÷ base.
    median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
    stat_of() { grep "^$2 " "$WORK/rows.$1" | tr ' ' '\n' | sed -n "s/^$3=//p" | median; }
    {
        echo "A/B on $LABEL SQLite data, ${ROUNDS:-3} alternated rounds of ${DURATION}s per scenario, $CONNS connections,"
        echo "signed in as bench-sales-1-1 (team scope). base = $AB, new = $RAPPORT; medians."
        echo
        echo "| scenario | base req/s | new req/s | new ÷ base | base p99 ms | new p99 ms |"
        echo "|---|---|---|---|---|---|"
        for s in get list create; do
            b=$(stat_of ab.base "$s" rps) n=$(stat_of ab.new "$s" rps)
            echo "| $s | $b | $n | $(awk -v n="$n" -v b="$b" 'BEGIN {printf "%.2f", n / b}') | $(stat_of ab.base "$s" p99) | $(stat_of ab.new "$s" p99) |"
        done
    } | tee "$WORK/ab.md"
    cp "$WORK/ab.md" bench/ab.md
    exit 0
fi

for be in "${BACKENDS[@]}"; do bench_backend "$be"; done

# ---- the table ----
CEIL_RPS=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' "$WORK/rows.ceiling")
BARE_RPS=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' "$WORK/rows.bare")
# field FILE KEY: the value of KEY=value in a row or facts file.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | tr -d '"'; }
fact() { sed -n "s/^$2=//p" "$WORK/facts.$1" | tr -d '"'; }
title() { [ "$1" = sqlite ] && echo SQLite || echo PostgreSQL; }
# cells BACKEND ROWS NAME: req/s, p50, p99, non-2xx and ratio of NAME's row.
cells() {
    local row
    row=$(grep "^$3 " "$WORK/rows.$2" | head -1) || true
    local rps p50 p99 bad
    rps=$(field "$row" rps) p50=$(field "$row" p50) p99=$(field "$row" p99) bad=$(field "$row" non2xx)
    printf ' %s | %s | %s | %s | %s |' "$rps" "$p50" "$p99" "$bad" \
        "$(awk -v a="$rps" -v b="$CEIL_RPS" 'BEGIN {printf "%.2f", a / b}')"
}
mib() { echo $(( $1 / 1048576 )); }
{
    echo "# Benchmark results"
    echo
    echo "Run $(date -u +%Y-%m-%dT%H:%MZ) by \`make bench DB=$DB${SMALL:+ SMALL=1}\` (scale: $LABEL, seed $SEED, ${DURATION}s per scenario, wrk -t$THREADS, $CONNS connections unless the table says 1)."
    echo
    echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)),"
    echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r), SQLite $(sqlite3 --version | cut -d' ' -f1)${PGDIR:+, PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')},"
    echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg). The machine is shared: compare ratios, not absolute figures."
    for be in "${BACKENDS[@]}"; do
        echo
        echo "$(title "$be") data: $(fact "$be" data); signed in as bench-sales-1-1 (role sales, team"
        echo "scope: $(cat "$WORK/visible.$be") contacts visible to it in the id pool)."
    done
    if [ -n "$PGDIR" ]; then
        echo
        echo "PostgreSQL: a throwaway cluster on this machine, unix socket, durable settings"
        echo "(fsync=on, synchronous_commit=on, full_page_writes=on — every create and PATCH is"
        echo "flushed before its answer, as SQLite's synchronous=FULL), shared_buffers=$PG_SHARED_BUFFERS,"
        echo "statistics made by VACUUM (ANALYZE) after generation."
    fi
    echo
    echo "Two references, measured in this run with the server's thread model, each checked to"
    echo "keep connections open (as Rapport is):"
    echo
    echo "- the HTTP limit: \`bench/ceiling.c --bare\`, libmicrohttpd answering a fixed 400-byte"
    echo "  JSON body, no database: **$BARE_RPS req/s** (p50 $(field "$(cat "$WORK/rows.bare")" p50) ms, p99 $(field "$(cat "$WORK/rows.bare")" p99) ms);"
    echo "- the ceiling, the SQLite one for every column: \`bench/ceiling.c\`, a primary-key lookup"
    echo "  from the SQLite file, the row as JSON: **$CEIL_RPS req/s** (p50 $(field "$(cat "$WORK/rows.ceiling")" p50) ms, p99 $(field "$(cat "$WORK/rows.ceiling")" p99) ms),"
    echo "  $(awk -v a="$CEIL_RPS" -v b="$BARE_RPS" 'BEGIN {printf "%.2f", a / b}') of the HTTP limit."
    echo
    echo "Ratio = req/s ÷ the ceiling's."
    echo
    head="| scenario | conns |" rule="|---|---|"
    for be in "${BACKENDS[@]}"; do
        t=$(title "$be")
        head+=" $t req/s | $t p50 ms | $t p99 ms | $t non-2xx | $t ratio |"
        rule+="---|---|---|---|---|"
    done
    echo "$head"
    echo "$rule"
    # The scenarios in the order they ran on the first backend, then the admin pipeline.
    first=${BACKENDS[0]}
    for rows in "" .shared .admin; do
        while read -r name conns _; do
            label=$name
            [ "$rows" = .admin ] && label="$name (admin: every deal)"
            [ "$rows" = .shared ] && label="$name (1,000 contacts shared with the rep)"
            line="| $label | $conns |"
            for be in "${BACKENDS[@]}"; do line+=$(cells "$be" "$be$rows" "$name"); done
            echo "$line"
        done <"$WORK/rows.$first$rows"
    done
    echo
    echo "The sort and filter matrix (\`bench/matrix.mjs\`): for each entity, every sort the list"
    echo "view offers (each list column and the owner, both ways) alone and with each column's"
    echo "filter, and the default sort with each filter; values drawn at random from the data for"
    echo "every request, pages of 20, $CONNS connections, as the rep. Target: p99 < 20 ms in every cell."
    for be in "${BACKENDS[@]}"; do
        echo
        echo "$(title "$be"):"
        echo
        cat "$WORK/matrix.$be.md"
    done
    echo
    for be in "${BACKENDS[@]}"; do
        contacts=$(fact "$be" contacts)
        echo "$(title "$be"):"
        echo "- Server start-up on this database (spawn to first \`/healthz\` answer): $(fact "$be" startup_ms) ms"
        echo "- Server RSS after the run: $(( $(fact "$be" rss_kb) / 1024 )) MiB (peak during the scenarios $(( $(fact "$be" hwm_kb) / 1024 )) MiB)"
        if [ "$be" = postgres ]; then
            echo "- PostgreSQL's own processes after the run: $(( $(fact "$be" pg_pss_kb) / 1024 )) MiB PSS (shared buffers counted once)"
        fi
        echo "- Database: $(mib "$(fact "$be" db_bytes)") MiB in all$([ "$be" = postgres ] && echo " (\`pg_database_size\`; the data directory with its WAL: $(mib "$(fact "$be" dir_bytes)") MiB)"); contacts with their"
        echo "  indexes and full-text index: $(awk -v b="$(fact "$be" contact_bytes)" -v n="$contacts" 'BEGIN {printf "%.0f", b / 1048576 / (n / 1e6)}') MiB per million contacts"
        echo "- Data generation (\`rapport bench-data\`, when the data was made):"
        echo
        if [ "$be" = sqlite ]; then gen_log=$DATA.log; else gen_log=$PG_KEPT.log; fi
        sed 's/^/      /' "$gen_log" | grep -v '^ *$'
        echo
    done
} >"$WORK/results.md"
cat "$WORK/results.md"
cp "$WORK/results.md" bench/results.md
if grep -h '^' "$WORK"/rows.* | grep -qv 'non2xx=0 errors=0'; then
    log "FAILED: some answers were not 2xx (or connections failed); see the table"
    exit 1
fi
