#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `cluster.sh run CMD...` runs initdb in a
# temporary directory, starts postgres listening on a unix socket in that directory only
# (no TCP port), runs CMD with RAPPORT_TEST_PG set to the socket directory, then stops
# the cluster and deletes the directory, whatever CMD's outcome (its status is kept).
#
# initdb and postgres refuse to run as root: as root they run as the `postgres` OS user
# (the Debian package creates it) on a directory handed to that user; otherwise as the
# calling user. The cluster's superuser is `postgres`, trusted on the socket only.
#
# `cluster.sh run --durable CMD...` keeps fsync, synchronous commit and full-page
# writes on (the crash test needs the real durability), and CMD may then crash and
# restart the cluster: `cluster.sh crash DIR` stops it with `pg_ctl stop -m immediate`
# (no checkpoint, as a power cut would), `cluster.sh start DIR` starts it again (crash
# recovery replays the WAL), DIR being $RAPPORT_TEST_PG.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "cluster.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 3
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_cluster() {
    as_owner "$PGBIN/pg_ctl" -D "$1/data" -l "$1/postgres.log" -w -t 120 -o "$(cat "$1/options")" \
        start >/dev/null || { tail -20 "$1/postgres.log" >&2; exit 1; }
}

case "${1:-}" in
    run) shift ;;
    crash) as_owner "$PGBIN/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null; exit 0 ;;
    start) start_cluster "$2"; exit 0 ;;
    *) echo "usage: cluster.sh run [--durable] CMD... | crash DIR | start DIR" >&2; exit 2 ;;
esac
durable=false
if [ "${1:-}" = --durable ]; then durable=true; shift; fi

dir=$(mktemp -d /tmp/rapport-pg-XXXXXX)
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
stop() {
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT INT TERM

as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
# Throwaway data: no fsync, unless --durable. Enough connections for many servers in
# parallel.
options="-c listen_addresses= -k $dir -c max_connections=300 -c shared_buffers=64MB"
if ! $durable; then
    options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
echo "$options" >"$dir/options"
start_cluster "$dir"

status=0
RAPPORT_TEST_PG=$dir PGBIN=$PGBIN "$@" || status=$?
exit $status
