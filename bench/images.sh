#!/usr/bin/env bash
# Image serving benchmark (by hand, not in the test suite; issue 25): starts `serve --demo`, waits
# for the demo's first thumbnails, then fetches one cached thumbnail and one original N times over
# ONE keep-alive connection (curl) and prints the latency percentiles; with wrk installed, also
# requests per second at 64 connections. BIN=path/to/atelier picks another binary (default: the
# release build). Prints markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-200}"
DIR="$(mktemp -d /tmp/atelier-images.XXXXXX)"
trap 'kill "${PID:-}" 2>/dev/null || true; rm -rf "$DIR"' EXIT
if [ -z "${BIN:-}" ]; then
  cargo build --release -p atelier --bin atelier >/dev/null
  BIN=./target/release/atelier
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
ATELIER_DATA_DIR="$DIR" ATELIER_BIND="127.0.0.1:$PORT" "$BIN" serve --demo >"$DIR/log" 2>&1 &
PID=$!
# The first demo item whose 320 px thumbnail is made (a WebP, not the original PNG).
THUMB=""
for _ in $(seq 1 600); do
  for path in $(curl -sf "$BASE/api/v1/gallery?limit=24&sort=newest" 2>/dev/null \
      | python3 -c 'import json,sys; [print(i["thumb_url"].split("/img/",1)[1].rsplit("/",1)[0]) for i in json.load(sys.stdin)["items"]]' 2>/dev/null); do
    if [ "$(curl -s -o /dev/null -w '%{content_type}' "$BASE/img/$path/w320")" = "image/webp" ]; then
      THUMB="$BASE/img/$path/w320"; ORIGINAL="$BASE/img/$path/original"; break 2
    fi
  done
  sleep 0.5
done
[ -n "$THUMB" ] || { echo "no thumbnail was made in time" >&2; exit 1; }
one_connection() { # url -> "p50 p99 max" in ms over N requests on one connection
  local args=()
  for _ in $(seq 1 "$N"); do args+=("$1" -o /dev/null); done
  curl -s -w '%{time_total}\n' "${args[@]}" | sort -n \
    | awk '{a[NR]=$1*1000} END {printf "%.2f ms | %.2f ms | %.2f ms", a[int(NR*0.5)], a[int(NR*0.99)], a[NR]}'
}
size() { curl -s -o /dev/null -w '%{size_download}' "$1"; }
echo "| image | bytes | p50 (1 connection) | p99 | max |"
echo "|---|---|---|---|---|"
echo "| thumbnail w320 | $(size "$THUMB") | $(one_connection "$THUMB") |"
echo "| original | $(size "$ORIGINAL") | $(one_connection "$ORIGINAL") |"
if command -v wrk >/dev/null 2>&1; then
  echo
  echo "wrk, 64 connections, 10 s, thumbnail: $(wrk -t2 -c64 -d10s "$THUMB" | awk '/Requests\/sec/ {print $2}') req/s"
fi
