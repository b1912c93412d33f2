#!/usr/bin/env bash
# Gallery benchmark (by hand, not in the test suite): synthesizes N items (default 1,000,000) from
# the demo vocabulary, imports them, builds the search index, measures in-process search latency,
# then serves them with the release binary and measures HTTP search latency under 64 concurrent
# connections and the server's memory (RSS) idle and under load. SQLite by default; set
# ATELIER_DATABASE_URL=postgres://… for PostgreSQL. Prints markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
DIR="$(mktemp -d /tmp/atelier-bench.XXXXXX)"
trap 'kill "${PID:-}" 2>/dev/null || true; rm -rf "$DIR"' EXIT
cargo build --release -p atelier --example gallery_bench --bin atelier >/dev/null
echo "| step | size | time | rate |"
echo "|---|---|---|---|"
./target/release/examples/gallery_bench build "$DIR" "$N"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ATELIER_DATA_DIR="$DIR" ATELIER_BIND="127.0.0.1:$PORT" ATELIER_LOG__FILTER=warn ./target/release/atelier serve >/dev/null 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.2; done
sleep 3
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status"; }
echo "| server RSS idle | | $(rss) | |"
./target/release/examples/gallery_bench load "http://127.0.0.1:$PORT" 20 64 &
LOAD=$!
sleep 10
echo "| server RSS under load | | $(rss) | |"
wait "$LOAD"
