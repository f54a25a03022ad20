#!/usr/bin/env bash
# The products-and-quotes benchmark (`make bench-commerce`; N=… products, LOOKUPS=…,
# ROUNDS=…): bench/commerce.mjs against build/rapport.
set -euo pipefail
cd "$(dirname "$0")/.."
RAPPORT_BIN=$PWD/build/rapport exec node bench/commerce.mjs
