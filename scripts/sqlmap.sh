#!/usr/bin/env bash
# SQL injection scan (docs/security.md section 6): starts `rapport serve` on a temporary
# database, signs in, seeds a few records, and runs sqlmap against every parameter of
# the list, filter, search and record routes — filter field names and operators through
# custom injection points, sort, cursor, q, count, sum, path ids, and the JSON bodies of
# POST and PATCH — with the session cookie and CSRF header. Fails when sqlmap reports
# anything injectable or the server answers any 5xx.
#
# Short form (CI): --level 2 --risk 1, boolean/error/union techniques.
# LONG=1: --level 5 --risk 3 with every technique, time-based included (about 4 min).
# RAPPORT_BIN picks the binary (default build/rapport).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${RAPPORT_BIN:-build/rapport}
OUT=build/sqlmap
if [ "${LONG:-}" = 1 ]; then
    LEVEL=(--level 5 --risk 3 --technique BEUSTQ)
else
    LEVEL=(--level 2 --risk 1 --technique BEU)
fi

rm -rf "$OUT"
mkdir -p "$OUT"
DIR=$(mktemp -d)
cleanup() {
    if [ -n "${SQLMAP:-}" ]; then
        kill "$SQLMAP" 2>/dev/null || true
        wait "$SQLMAP" 2>/dev/null || true
    fi
    if [ -n "${PID:-}" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RAPPORT_ADMIN_PASSWORD=sqlmap-admin-pass "$BIN" serve --db "sqlite:$DIR/r.db" \
    --listen 127.0.0.1:0 --log-level warn >"$DIR/stdout" 2>"$OUT/server.log" &
PID=$!
for _ in $(seq 200); do
    if grep -q '^listening on' "$DIR/stdout" 2>/dev/null; then break; fi
    sleep 0.1
done
BASE=$(sed -n 's|^listening on \(http://[^ ]*\)$|\1|p' "$DIR/stdout")
[ -n "$BASE" ] || { echo "sqlmap: the server did not start"; cat "$OUT/server.log"; exit 1; }
API=$BASE/api/v1

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
LOGIN=$(curl -sf -c "$DIR/jar" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"sqlmap-admin-pass"}' "$API/auth/login")
CSRF=$(echo "$LOGIN" | json "['csrf_token']")
ME=$(echo "$LOGIN" | json "['user']['id']")
SESSION=$(awk '$6 == "rapport_session" {print $7}' "$DIR/jar")
post() {
    curl -sf -b "$DIR/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
        -d "$2" "$API/$1"
}
ACC=$(post 'accounts?allow_duplicate=true' \
    '{"name":"Acme 客户","type":"customer","annual_revenue":"1200.00","tax_id":"91110000"}' | json "['id']")
post 'accounts?allow_duplicate=true' '{"name":"Beta Ltd","type":"prospect","annual_revenue":"5.00"}' >/dev/null
post 'contacts?allow_duplicate=true' "{\"last_name\":\"Wei\",\"account_id\":\"$ACC\",\"email\":\"wei@example.com\"}" >/dev/null
OPP=$(post opportunities "{\"name\":\"Deal\",\"account_id\":\"$ACC\",\"amount\":\"99.00\",\"stage\":\"proposal\",\"expected_close_date\":\"2026-12-01\"}" | json "['id']")
CURSOR=$(curl -sf -b "$DIR/jar" "$API/accounts?sort=name&limit=1" | json "['next_cursor']")

# One sqlmap run; its output is kept in $OUT/<n>.txt.
N=0
scan() {
    N=$((N + 1))
    echo "== sqlmap $N: $*" | cut -c1-160
    sqlmap --batch --disable-coloring --dbms=SQLite "${LEVEL[@]}" --threads 2 --skip-waf \
        --ignore-code=401 \
        --output-dir="$OUT/session" --flush-session \
        --cookie="rapport_session=$SESSION" -H "X-CSRF-Token: $CSRF" "$@" \
        >"$OUT/$N.txt" 2>&1 </dev/null &
    # In the background, so a signal stops the scan at once (see cleanup).
    SQLMAP=$!
    wait "$SQLMAP" || true
    SQLMAP=
}
start=$(date +%s)
scan -u "$API/accounts?name=Acme&type=customer&annual_revenue%5Bgte%5D=100&sort=-name&limit=10&count=true&sum=annual_revenue"
scan -u "$API/accounts?q=acme&tax_id%5Blike%5D=9111%2A&industry%5Bin%5D=banking,retail&tier%5Bnull%5D=true&deleted=only"
scan -u "$API/accounts?sort=name&limit=1&cursor=$CURSOR"
scan -u "$API/accounts?name*=Acme&annual_revenue%5Bgte*%5D=1&sort=annual_revenue*"
scan -u "$API/contacts?account_id=$ACC&email%5Blike%5D=%2Aexample%2A&created_at%5Blt%5D=2100-01-01T00:00:00Z&owner_id=$ME"
scan -u "$API/opportunities?stage=proposal&amount%5Blt%5D=500&expected_close_date%5Bgte%5D=2026-01-01&sort=-amount"
scan -u "$API/search?q=acme"
scan -u "$API/contacts/export?format=csv&last_name=Wei&email%5Blike%5D=%2Aexample%2A&sort=-created_at"
scan -u "$API/accounts/$ACC*/history"
scan -u "$API/accounts/$ACC/timeline?limit=5&before=2100-01-01T00:00:00.000Z"
scan -u "$API/opportunities/$OPP*"
scan -u "$API/pipeline?owner_id=$ME&expected_close_date%5Bgte%5D=2026-01-01"
scan -u "$API/forecast?period=month&stage=proposal"
scan -u "$API/calendar?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&user_ids=$ME"
scan -u "$API/accounts?allow_duplicate=true" --method POST -H 'Content-Type: application/json' \
    --data '{"name":"Gamma","type":"customer","annual_revenue":"10.00","description":"d","parent_id":"'"$ACC"'"}'
scan -u "$API/accounts/$ACC?allow_duplicate=true" --method PATCH -H 'Content-Type: application/json' \
    --data '{"name":"Acme 客户","tier":"A","website":"https://acme.example"}'
scan -u "$API/opportunities/$OPP" --method PATCH -H 'Content-Type: application/json' \
    --data '{"stage":"negotiation","amount":"150.00","expected_close_date":"2026-12-15"}'
secs=$(( $(date +%s) - start ))

fail=0
for f in "$OUT"/[0-9]*.txt; do
    if grep -Eq 'identified the following injection point|is vulnerable|appears to be injectable' "$f"; then
        echo "sqlmap: INJECTABLE — see $f"; grep -E 'Parameter:|Type:|Payload:' "$f" | head -20
        fail=1
    fi
    # sqlmap lists the status codes it met on the line after this warning.
    if grep -A1 'HTTP error codes detected during run' "$f" | grep -Eq '(^|, )5[0-9][0-9] \('; then
        echo "sqlmap: the server answered 5xx — see $f"; grep -A1 'HTTP error codes' "$f"
        fail=1
    fi
    if ! grep -Eq 'all tested parameters do not appear to be injectable|do not appear to be injectable' "$f"; then
        echo "sqlmap: run did not complete — see $f"; tail -5 "$f"
        fail=1
    fi
done
if ! kill -0 "$PID" 2>/dev/null; then
    echo "sqlmap: the server died"; tail -20 "$OUT/server.log"; fail=1
fi
echo "sqlmap: $N runs, ${LEVEL[*]}, ${secs} s, $([ $fail = 0 ] && echo 'nothing injectable' || echo FAILED)"
exit $fail
