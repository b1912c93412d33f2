#!/usr/bin/env bash
# Generation benchmark: the offline provider alone, the whole pipeline on SQLite with 2 workers,
# and the cost of decrypting images when serving them. Usage: bench/generation.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --locked -p atelier --example generation_bench -- "${1:-20}"
