#!/usr/bin/env bash
# Installs what Rapport needs to build, run and test: Debian packages for the C
# libraries and tools, and the npm packages of the test tooling. Safe to run again;
# it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(
    build-essential clang pkg-config
    libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
    libcmocka-dev
    libpq-dev postgresql
    postgresql-15-auto-failover   # pg_autoctl: the failover formation (scripts/ha.sh, tests/ha)
    libcsv-dev libxlsxwriter-dev libical-dev libzip-dev libexpat1-dev
    libcmark-dev
    libhpdf-dev poppler-utils   # quotes as PDF (libharu); pdftotext/pdftoppm check them in tests
    libcurl4-openssl-dev python3-aiosmtpd
    dovecot-imapd   # a real IMAP server for the incoming-mail tests (tests/mail/imap.js)
    curl sqlite3
    chromium fonts-wqy-zenhei   # the Chinese font of the browser tests and of quote PDFs
    checksec valgrind
    vdirsyncer python3-caldav radicale   # CalDAV/CardDAV clients and reference server (tests/api/dav.test.js)
    systemd   # systemd-analyze, for the test of scripts/rapport.service
)
# Optional tools, installed only for the make targets that use them: sqlmap is large.
case "${1:-}" in
    --sqlmap) APT_PKGS+=(sqlmap python3) ;;
    --fuzz) APT_PKGS+=(libclang-rt-14-dev) ;;
esac

# The benchmark's load generator and JSON tool, only for `make bench`.
if [ "${1:-}" = "--bench" ]; then
    APT_PKGS+=(wrk jq)
fi

missing=()
for p in "${APT_PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# Node.js may come from Debian (node + npm packages) or another apt source whose
# nodejs package bundles npm: ask for the commands, not the package names.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--all" ]; then
    if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules ]; then
        echo "deps: npm ci in tests/"
        (cd tests && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi

# The web UI is built by `make` (esbuild), so its packages are always needed.
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
    echo "deps: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
