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
# KEEP=1 leaves the data folder for a look afterwards.
trap 'kill "${PID:-}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$DIR"' EXIT
command -v wrk >/dev/null 2>&1 || { echo "bench/gallery.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p atelier --example gallery_bench --bin atelier >/dev/null
echo "| step | size | time | rate |"
echo "|---|---|---|---|"
./target/release/examples/gallery_bench build "$DIR" "$N"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$DIR/queries.lua" <<'LUA'
local paths = {
  -- the home page's feed and the other browsing orders, the most frequent requests
  "/api/v1/gallery?limit=24",
  "/api/v1/gallery?limit=24",
  "/api/v1/gallery?sort=newest&limit=24",
  "/api/v1/gallery?sort=likes&aspect=3:4&limit=24",
  -- searches in English and Chinese, a typo, a sorted and a filtered one
  "/api/v1/gallery?q=lighthouse&limit=24",
  "/api/v1/gallery?q=orange%20cat%20umbrella&limit=24",
  "/api/v1/gallery?q=watercolor&limit=24",
  "/api/v1/gallery?q=neon%20city%20night&limit=24",
  "/api/v1/gallery?q=golden%20hour&sort=likes&limit=24",
  "/api/v1/gallery?q=lighthuose&limit=24",
  "/api/v1/gallery?q=%E6%A9%98%E7%8C%AB&limit=24",
  "/api/v1/gallery?q=%E6%B0%B4%E5%A2%A8%E7%94%BB&limit=24",
  "/api/v1/gallery?q=fox&sort=newest&limit=24",
  "/api/v1/gallery?q=cinematic%20photograph%20sunset&aspect=3:4&limit=24",
  "/api/v1/gallery?q=poster&category=Poster%20Design&limit=24",
  "/api/v1/gallery?q=85mm&limit=24",
}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
LUA
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status"; }
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
# wrk (Debian's package) from a separate process, so that the client's own work is not counted in
# the server's latency; one of a mix of queries per request.
wrk_row() {
  local label="$1"
  OUT=$(wrk -t2 -c64 -d20s --latency -s "$DIR/queries.lua" "http://127.0.0.1:$PORT")
  RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
  P50=$(echo "$OUT" | awk '$1 == "50%" {print $2}')
  P99=$(echo "$OUT" | awk '$1 == "99%" {print $2}')
  ERR=$(echo "$OUT" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  echo "| HTTP search with wrk, $label, 64 connections, 20 s | ${RPS} req/s | p50 ${P50} | p99 ${P99} | ${ERR:-errors 0} |"
}
# Two runs of the server: as configured by default (gallery pages cached per index generation),
# then with the page cache off, so that every request searches and reads the database.
for CACHE in 256 0; do
  # The per-address request limit would answer most of the load with 429: lift it.
  ATELIER_DATA_DIR="$DIR" ATELIER_BIND="127.0.0.1:$PORT" ATELIER_LOG__FILTER=warn \
    ATELIER_HTTP__GALLERY_CACHE_PAGES=$CACHE \
    ATELIER_RATE_LIMITS__REQUESTS_PER_IP_PER_MINUTE=1000000000 ./target/release/atelier serve >/dev/null 2>&1 &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.2; done
  if [ "$CACHE" != 0 ]; then
    sleep 3
    echo "| server RSS 3 s after start | | $(rss) | |"
    # Idle: once the server has used under 2 % of a core for 5 s (start-up work such as the
    # index catching up is over), at most 5 minutes.
    for _ in $(seq 60); do
      before=$(cpu); sleep 5; after=$(cpu)
      [ $((after - before)) -lt 10 ] && break
    done
    echo "| server RSS idle | | $(rss) | |"
    [ -z "${KEEP:-}" ] || { echo "data: $DIR"; grep -E "^(Rss|Anonymous|Shared_Clean|Private_Clean|Private_Dirty)" "/proc/$PID/smaps_rollup"; }
    ./target/release/examples/gallery_bench load "http://127.0.0.1:$PORT" 20 64 &
    LOAD=$!
    sleep 10
    echo "| server RSS under load | | $(rss) | |"
    wait "$LOAD"
    sleep 2
    wrk_row "page cache on"
  else
    sleep 5
    wrk_row "page cache off"
    # Uncached searches offered at a fixed rate below what two cores answer back to back: the
    # latency of a distinct search on a server that keeps up. Its queries are not wrk's: a
    # first, unreported pass warms what a query's first run reads (fuzzy candidates from the
    # term dictionaries, index pages from disk), which put p99 at 60–80 ms on a cold server.
    sleep 2
    ./target/release/examples/gallery_bench load "http://127.0.0.1:$PORT" 10 64 "${RATE:-400}" >/dev/null
    ./target/release/examples/gallery_bench load "http://127.0.0.1:$PORT" 20 64 "${RATE:-400}" | sed 's/connections/connections, page cache off/'
  fi
  echo "| server RSS after load | | $(rss) | |"
  kill "$PID"
  wait "$PID" 2>/dev/null || true
done
