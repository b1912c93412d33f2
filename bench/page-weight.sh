#!/usr/bin/env bash
# Page weight and LCP of the gallery in Chromium (issue 22): installs playwright-core for the
# browser tests when missing, then runs bench/page-weight.mjs (see there for what it measures).
# ATELIER_BIN=path/to/atelier picks the binary; ROUNDS=n repeats.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null 2>&1 || { echo "chromium is missing (apt-get install chromium)" >&2; exit 1; }
[ -d tests/browser/node_modules/playwright-core ] \
  || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
exec node bench/page-weight.mjs
