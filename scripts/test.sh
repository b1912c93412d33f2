#!/usr/bin/env bash
# Every check CI runs, in order: format, lints, the OpenAPI document (openapi-spec-validator), then
# the whole test suite on SQLite and again on PostgreSQL, with a real S3-protocol server (moto) on
# loopback for the storage tests and a real SMTP server (aiosmtpd) started by the mail tests.
#
# Locally, PostgreSQL is used when ATELIER_TEST_DATABASE_URL is set or a server answers on
# 127.0.0.1:5432. Under CI=true nothing is skipped: PostgreSQL is started if it is down, missing
# tools are installed, and any suite that cannot run fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
CI="${CI:-}"
STARTED=$(date +%s)

log() { printf '\n== %s (%ss) ==\n' "$*" "$(($(date +%s) - STARTED))"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
ci() { [ "$CI" = "true" ] || [ "$CI" = "1" ]; }

DEFAULT_PG_URL="postgres://postgres@127.0.0.1:5432/test"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  if ! ci; then return 1; fi
  echo "starting PostgreSQL"
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1) || true
  [ -n "$version" ] || fail "PostgreSQL is not installed"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 0.5
  done
  fail "PostgreSQL did not start"
}

drop_stale_test_schemas() {
  psql "$1" -qAtc "SELECT format('DROP SCHEMA %I CASCADE;', nspname) FROM pg_namespace WHERE nspname LIKE 't\\_%'" \
    | psql "$1" -q >/dev/null
}

start_s3() {
  if ! python3 -c 'import moto.server, flask' 2>/dev/null; then
    echo "installing moto (S3-protocol test server) from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]' || return 1
  fi
  local port
  port=$(free_port)
  mkdir -p target
  python3 -m moto.server -H 127.0.0.1 -p "$port" >target/moto.log 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do
    if curl -sf -o /dev/null -X PUT "http://127.0.0.1:$port/atelier-test"; then
      export ATELIER_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
      export ATELIER_TEST_S3_BUCKET="atelier-test"
      return 0
    fi
    sleep 0.2
  done
  return 1
}

run_tests() {
  if command -v cargo-nextest >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast
  else
    cargo test --workspace --locked --no-fail-fast
  fi
}

log "format"
cargo fmt --all -- --check

log "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "OpenAPI document"
# The document clients are generated from must be valid OpenAPI 3.1 (issue 16). The browser step
# below builds the same debug binary, so this build costs nothing extra.
cargo build -p atelier --locked
mkdir -p target
target/debug/atelier openapi >target/openapi.json
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  echo "installing openapi-spec-validator from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator \
    || { ci && fail "could not install openapi-spec-validator"; }
fi
if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  python3 -m openapi_spec_validator target/openapi.json \
    || fail "target/openapi.json is not a valid OpenAPI document"
else
  echo "skipping the OpenAPI validation: openapi-spec-validator could not be installed"
fi

log "S3-protocol server"
if start_s3; then
  echo "moto on $ATELIER_TEST_S3_ENDPOINT"
elif ci; then
  fail "could not start the S3 test server (see target/moto.log)"
else
  echo "skipping the S3 storage tests: moto could not start"
fi

log "SMTP test server (aiosmtpd) and openssl"
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  echo "installing aiosmtpd (SMTP test server) from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd \
    || { ci && fail "could not install aiosmtpd"; }
fi
if ! command -v openssl >/dev/null 2>&1; then
  echo "installing openssl from Debian's packages (test certificates for SMTP over TLS)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null \
    || { ci && fail "could not install openssl"; }
fi

log "tests on SQLite"
env -u ATELIER_TEST_DATABASE_URL bash -c "$(declare -f run_tests); run_tests"

PG_URL="${ATELIER_TEST_DATABASE_URL:-}"
if [ -z "$PG_URL" ] && { ci || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }; then
  PG_URL="$DEFAULT_PG_URL"
fi
if [ -n "$PG_URL" ]; then
  ensure_postgres || fail "PostgreSQL is not reachable at $PG_URL"
  drop_stale_test_schemas "$PG_URL"
  log "tests on PostgreSQL"
  ATELIER_TEST_DATABASE_URL="$PG_URL" run_tests
  drop_stale_test_schemas "$PG_URL"
else
  echo "skipping the PostgreSQL suite: no server (set ATELIER_TEST_DATABASE_URL)"
fi

log "browser tests"
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || { ci && fail "could not install chromium"; }
fi
if command -v chromium >/dev/null 2>&1 && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "installing CJK fonts for the screenshots"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null || true
fi
if command -v chromium >/dev/null 2>&1; then
  cargo build -p atelier --locked
  (
    cd tests/browser
    [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error
    node --test --test-concurrency=1
  )
  echo "screenshots: test-artifacts/screenshots/"
elif ci; then
  fail "Chromium is missing: the browser tests cannot run"
else
  echo "skipping the browser tests: no chromium"
fi

log "all checks passed"
