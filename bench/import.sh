#!/usr/bin/env bash
# Imports N contacts (default 1,000,000) from a generated CSV into a new database with
# duplicate checking on (--on-duplicate skip), on the release build, then exports them
# all as CSV, and reports time and peak memory of both (/usr/bin/time -v). The CSV is
# deterministic: row i always holds the same person, e-mail and phone.
#   bench/import.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
make -s build/rapport
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
CSV=$DIR/contacts.csv
awk -v n="$ROWS" 'BEGIN {
    print "First name,Last name,Email,Phone,Title,City,Country"
    split("James Mary Robert Linda Michael Sarah David Emma 伟 芳", fn, " ")
    split("Smith Johnson Brown Miller Davis 王 李 张 刘 陈", ln, " ")
    split("Director Buyer Engineer 经理 Analyst", tl, " ")
    split("Beijing Shanghai Springfield Berlin 深圳", ct, " ")
    for (i = 1; i <= n; i++)
        printf "%s%d,%s%d,person%d@example.com,+86 139 %04d %04d,%s,%s,China\n",
            fn[i % 10 + 1], i, ln[int(i / 10) % 10 + 1], i % 9973, i, int(i / 10000),
            i % 10000, tl[i % 5 + 1], ct[i % 5 + 1]
}' > "$CSV"
echo "generated $ROWS rows, $(du -h "$CSV" | cut -f1)"
RAPPORT_ADMIN_PASSWORD=bench-pass-123 ./build/rapport demo --db "sqlite:$DIR/r.db" >/dev/null 2>&1 || true
/usr/bin/time -v ./build/rapport import contacts "$CSV" --db "sqlite:$DIR/r.db" \
    --on-duplicate skip 2> "$DIR/time.txt" | tail -3
grep -E "Elapsed|Maximum resident" "$DIR/time.txt"
echo "export of every contact as CSV:"
/usr/bin/time -v ./build/rapport export contacts --db "sqlite:$DIR/r.db" -o "$DIR/out.csv" \
    2> "$DIR/time.txt"
echo "$(($(wc -l < "$DIR/out.csv") - 1)) rows exported"
grep -E "Elapsed|Maximum resident" "$DIR/time.txt"
