#!/usr/bin/env bash
# A PostgreSQL formation for Rapport with pg_auto_failover (Debian's
# postgresql-15-auto-failover): a monitor and data nodes, streaming replication with
# synchronous commit, automatic failover. See docs/ha.md.
#
#   ha.sh monitor DIR PORT [HOST]            create and start the monitor
#   ha.sh node DIR PORT MONITOR_URI NAME [HOST]
#                                            create and start a data node: the first is
#                                            the primary, the next ones its standbys
#   ha.sh local DIR [BASE_PORT]              all of it on 127.0.0.1 in DIR: the monitor on
#                                            BASE_PORT (default 15432), two data nodes on
#                                            BASE_PORT+1 and +2, failover in seconds
#                                            (the timings below); returns when the standby
#                                            streams, and prints the URIs
#   ha.sh uri DIR                            the database URIs Rapport takes: --db (the
#                                            primary, read-write) and --db-read (a standby)
#   ha.sh state DIR                          the nodes, their roles and WAL positions
#   ha.sh role DIR NODE                      the node's state (primary, secondary…) once
#                                            settled, nothing while it changes
#   ha.sh primary DIR                        the data node that is primary, or nothing
#   ha.sh switchover DIR                     a planned switch of roles (maintenance)
#   ha.sh sync DIR on|off                    synchronous replication on (the default:
#                                            a commit waits for the standby's flush) or
#                                            off (to measure what it costs)
#   ha.sh start DIR/NODE                     start a stopped node again (it rejoins as a
#                                            standby, rewound if it was a primary)
#   ha.sh stop DIR/NODE                      stop one node (monitor or data node) cleanly
#   ha.sh kill DIR/NODE                      a node's machine dies: SIGKILL of its
#                                            pg_autoctl, its postmaster and backends
#   ha.sh crash DIR/NODE                     SIGKILL of its pg_autoctl, then
#                                            `pg_ctl stop -m immediate` of its postgres
#   ha.sh down DIR                           stop every node of DIR
#
# DIR holds one sub-directory per node (monitor, node1, node2…) with its data, its
# pg_autoctl configuration and state (XDG directories of its own, so formations never
# share them) and its log. As root, everything runs as the `postgres` OS user (the
# Debian package creates it); otherwise as the calling user.
set -euo pipefail
# Nothing here reads a terminal: a background job that tried would be stopped, and
# SIGHUP'd when its parent exits (an orphaned process group with a stopped member).
exec </dev/null

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if ! command -v pg_autoctl >/dev/null; then
    echo "ha.sh: pg_autoctl not found (apt-get install postgresql-15-auto-failover)" >&2
    exit 3
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Runs pg_autoctl for the node in $1 (its directory), with the node's own XDG dirs.
autoctl() {
    local node=$1
    shift
    as_owner env XDG_CONFIG_HOME="$node/xdg/config" XDG_DATA_HOME="$node/xdg/data" \
        XDG_RUNTIME_DIR="$node/xdg/run" PATH="$PGBIN:$PATH" pg_autoctl "$@"
}

# Creates and runs a node in the background (pg_autoctl create … --run), its output in
# $node/log, in a process group of its own (the node's "machine"): $node/pid is its
# leader, and the group holds pg_autoctl, its services and the postmaster.
launch() {
    local node=$1
    shift
    mkdir -p "$node/xdg/config" "$node/xdg/data" "$node/xdg/run"
    chmod 700 "$node/xdg/run"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$node"; fi
    if [ -e "$node/pgdata/PG_VERSION" ]; then
        setsid bash "$0" autoctl "$node" run --pgdata "$node/pgdata" >>"$node/log" 2>&1 &
    else
        setsid bash "$0" autoctl "$node" "$@" --pgdata "$node/pgdata" --run >>"$node/log" 2>&1 &
    fi
    echo $! >"$node/pid"
}

# The formation's nodes (`pg_autoctl show state`). pg_autoctl 2.0 now and then logs an
# error of its own about a query parameter (and still answers): its stderr is dropped.
show_state() {
    autoctl "$1/monitor" show state --pgdata "$1/monitor/pgdata" 2>/dev/null
}

monitor_uri() {
    autoctl "$1/monitor" show uri --pgdata "$1/monitor/pgdata" --formation monitor
}

# Waits (up to $3 seconds) until `pg_autoctl show state` of the formation in $1 shows
# the pattern $2.
wait_state() {
    local dir=$1 pattern=$2 limit=$3 i
    for ((i = 0; i < limit * 2; i++)); do
        if show_state "$dir" | grep -Eq "$pattern"; then
            return 0
        fi
        sleep 0.5
    done
    show_state "$dir" >&2 || true
    echo "ha.sh: the formation did not reach: $pattern" >&2
    return 1
}

# pg_autoctl's pid of a node, if it runs.
node_pid() {
    local pid
    pid=$(cat "$1/pid" 2>/dev/null) || return 1
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

cmd=${1:-}
shift || true
case "$cmd" in
monitor)
    dir=$1 port=$2 host=${3:-127.0.0.1}
    launch "$dir" create monitor --pgport "$port" --hostname "$host" --auth trust --no-ssl
    ;;
node)
    dir=$1 port=$2 monitor=$3 name=$4 host=${5:-127.0.0.1}
    launch "$dir" create postgres --pgport "$port" --hostname "$host" --name "$name" \
        --auth trust --no-ssl --dbname rapport --monitor "$monitor"
    ;;
local)
    dir=$(realpath -m "$1") base=${2:-15432}
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    "$0" monitor "$dir/monitor" "$base"
    for ((i = 0; i < 60; i++)); do
        if as_owner "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$base"; then break; fi
        sleep 0.5
    done
    sleep 1
    uri=$(monitor_uri "$dir")
    # Failover within seconds (the defaults take 30-50 s; docs/ha.md): the monitor
    # checks the nodes every second, gives a silent node up after 2 s, and waits 3 s
    # for a lost primary to demote itself before it promotes the standby; a primary
    # cut off from the monitor and the standby demotes itself after 2 s (set on each
    # node below), before that. Synchronous replication keeps a primary cut off from
    # acknowledging a write anyway.
    for setting in "health_check_period = '1s'" "health_check_timeout = '1s'" \
        "health_check_retry_delay = '200ms'" "health_check_max_retries = 1" \
        "node_considered_unhealthy_timeout = '2s'" "primary_demote_timeout = '3s'"; do
        as_owner "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$base" -d pg_auto_failover \
            -c "ALTER SYSTEM SET pgautofailover.$setting"
    done
    as_owner "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$base" -d pg_auto_failover \
        -c "SELECT pg_reload_conf()" >/dev/null
    "$0" node "$dir/node1" $((base + 1)) "$uri" node1
    wait_state "$dir" "node1 .*\| *(wait_primary|single) *\| *(wait_primary|single)" 60
    "$0" node "$dir/node2" $((base + 2)) "$uri" node2
    # The standby's base backup starts with a checkpoint: ask for it now rather than
    # wait for the next timed one.
    for ((i = 0; i < 120; i++)); do
        if [ "$("$0" role "$dir" node2)" = secondary ]; then break; fi
        as_owner "$PGBIN/psql" -X -q -h 127.0.0.1 -p $((base + 1)) -d rapport -c CHECKPOINT \
            >/dev/null 2>&1 || true
        sleep 1
    done
    wait_state "$dir" "node1 .*\| *primary *\| *primary" 30
    wait_state "$dir" "node2 .*\| *secondary *\| *secondary" 30
    # A primary cut off demotes itself after 2 s (see above). pg_autoctl signals the
    # running node to read its configuration again: only once both run (before its
    # pid file exists, the signal would reach the caller's process group), and in a
    # process group of its own all the same.
    for node in node1 node2; do
        setsid -w bash "$0" autoctl "$dir/$node" config set --pgdata "$dir/$node/pgdata" \
            timeout.network_partition_timeout 2 >/dev/null
    done
    "$0" uri "$dir"
    ;;
uri)
    dir=$1
    db=$(autoctl "$dir/monitor" show uri --pgdata "$dir/monitor/pgdata" --formation default)
    # Rapport connects as the database owner the nodes were created with.
    db=${db/postgres:\/\//postgres:\/\/postgres@}
    echo "db=${db//&sslmode=prefer/}"
    read=${db//target_session_attrs=read-write/target_session_attrs=prefer-standby}
    echo "db_read=${read//&sslmode=prefer/}"
    ;;
state)
    show_state "$1"
    ;;
role)
    # the node's state once the monitor's assignment is reached ("" while it moves)
    show_state "$1" | awk -F'|' -v n="$2" '{ gsub(/ /, "") } $1 == n && $6 == $7 { print $6 }'
    ;;
primary)
    # the data node that is primary now (reported and assigned), or nothing
    show_state "$1" | awk -F'|' '{ gsub(/ /, "") }
        $6 == $7 && ($6 == "primary" || $6 == "wait_primary") { print $1 }'
    ;;
switchover)
    autoctl "$1/monitor" perform switchover --pgdata "$1/monitor/pgdata"
    ;;
sync)
    dir=$(realpath -m "$1")
    case "${2:-}" in on) quorum=true ;; off) quorum=false ;; *) echo "ha.sh sync DIR on|off" >&2; exit 2 ;; esac
    # Every data node's replication quorum: the monitor then sets the primary's
    # synchronous_standby_names ('' when no standby takes part).
    for node in "$dir"/node*; do
        # (pg_autoctl 2.0 logs a harmless error of its own about a query parameter)
        setsid -w bash "$0" autoctl "$node" set node replication-quorum "$quorum" \
            --pgdata "$node/pgdata" >/dev/null 2>&1
    done
    ;;
start)
    node=$(realpath -m "$1")
    launch "$node"
    ;;
stop)
    node=$(realpath -m "$1")
    autoctl "$node" stop --pgdata "$node/pgdata" >/dev/null 2>&1 || true
    for ((i = 0; i < 60; i++)); do
        node_pid "$node" >/dev/null || exit 0
        sleep 0.5
    done
    echo "ha.sh: $node did not stop" >&2
    exit 1
    ;;
autoctl) # internal: launch's process group leader
    autoctl "$@"
    ;;
kill)
    # Every process of the node's group at once (pg_autoctl, which would otherwise
    # restart its postgres, the postmaster and its backends): the machine is gone, its
    # sockets closed by the kernel.
    node=$(realpath -m "$1")
    pid=$(node_pid "$node") || true
    if [ -n "$pid" ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
    ;;
crash)
    # The node's pg_autoctl dies, then its postgres is stopped with `pg_ctl stop -m
    # immediate` (no checkpoint, backends killed): the database dies as in a power cut.
    node=$(realpath -m "$1")
    pid=$(node_pid "$node") || true
    if [ -n "$pid" ]; then
        for p in $(pgrep -g "$pid"); do
            [ "$(cat "/proc/$p/comm" 2>/dev/null)" = postgres ] || kill -KILL "$p" 2>/dev/null || true
        done
    fi
    as_owner "$PGBIN/pg_ctl" -D "$node/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
down)
    dir=$(realpath -m "$1")
    for node in "$dir"/node* "$dir/monitor"; do
        [ -d "$node" ] && "$0" stop "$node"
    done
    ;;
*)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 2
    ;;
esac
