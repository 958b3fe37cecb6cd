#!/usr/bin/env bash
# Sets up and runs every test: the Rust unit, contract and integration tests on SQLite and on
# PostgreSQL, then the Playwright end-to-end suite in Debian's Chromium against a freshly built server
# on a throwaway database. An explicit TEST_DATABASE_URL wins over the local PostgreSQL cluster.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SC3_ROOT"
start=$(date +%s)

bash scripts/setup.sh
apt_ensure chromium
prune_target_when_full

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_skipped=""
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ! start_local_postgres; then
    [ "${CI:-}" = "true" ] && die "CI=true and no PostgreSQL could be started: the PostgreSQL tests must run"
    pg_skipped="yes"
    printf '\n\033[1;33m!!! No PostgreSQL available: every PostgreSQL test will be SKIPPED (SQLite only) !!!\033[0m\n\n' >&2
  fi
fi
[ -n "${TEST_DATABASE_URL:-}" ] && log "PostgreSQL tests use ${TEST_DATABASE_URL%%:*}://…@${TEST_DATABASE_URL##*@}"

# --- Rust tests -----------------------------------------------------------------------------------
log "building the release server (the durability test kills it in the middle of a burst)"
cargo build --release --locked -p server --features bench
export SC3_DURABILITY_BIN="$CARGO_TARGET_DIR/release/server"
log "Rust tests (unit, contract and integration, SQLite and PostgreSQL)"
# Without PostgreSQL its tests are left out by name, so the summary counts them as skipped, not passed
# (each would otherwise return early with its loud notice).
if command -v cargo-nextest >/dev/null 2>&1; then
  # No retries: a test that fails once is a defect to find, not noise.
  if [ -n "$pg_skipped" ]; then
    cargo nextest run --workspace --features server/bench --locked --no-fail-fast -E 'not test(/postgres/)'
  else
    cargo nextest run --workspace --features server/bench --locked --no-fail-fast
  fi
elif [ -n "$pg_skipped" ]; then
  cargo test --workspace --features server/bench --locked -- --skip postgres
else
  cargo test --workspace --features server/bench --locked
fi

# --- End-to-end -----------------------------------------------------------------------------------
log "building the front end (WASM, CSS, public files) with cargo-leptos"
cargo leptos build --frontend-only --split
precompress_site

# --- Benchmark harness, CI size --------------------------------------------------------------------
# Small data and one-second runs: proves the harness (seeding, both servers, every scenario, logins)
# still works; its timings mean nothing here. BENCHMARKS.md has the real run.
log "benchmark harness smoke run"
if [ -n "${TEST_DATABASE_URL:-}" ]; then bash scripts/bench.sh --smoke; else bash scripts/bench.sh --smoke --backends sqlite; fi

log "installing the end-to-end suite's npm packages"
(cd end2end && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --silent; })
export SC3_SERVER_BIN="$CARGO_TARGET_DIR/debug/server"
export LEPTOS_SITE_ROOT="$SC3_ROOT/target/site"
[ -x "$SC3_SERVER_BIN" ] || die "no server binary at $SC3_SERVER_BIN"
log "Playwright end-to-end suite in $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
export SC3_E2E_DATA="$(mktemp -d)"
# A second server on PostgreSQL for the specs that must pass on both databases.
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  e2e_db="sc3_t_e2e_$$_$RANDOM"
  psql -X -q "$TEST_DATABASE_URL" -c "CREATE DATABASE $e2e_db" >/dev/null
  export SC3_E2E_PG_URL="${TEST_DATABASE_URL%/*}/$e2e_db"
fi
(cd end2end && npx playwright test)

# The browser suite's server log: no panic, and none of the secrets or private values the suite typed.
log "searching the end-to-end server's log for panics and leaked secrets"
server_logs=("$SC3_E2E_DATA/server.log" "$SC3_E2E_DATA/server-queue.log" "$SC3_E2E_DATA/server-wall.log"
  "$SC3_E2E_DATA/server-consent.log" "$SC3_E2E_DATA/server-incident.log")
[ -n "${SC3_E2E_PG_URL:-}" ] && server_logs+=("$SC3_E2E_DATA/server-pg.log")
for server_log in "${server_logs[@]}"; do
  [ -s "$server_log" ] || die "the end-to-end server wrote no log at $server_log"
  if grep -F "panicked" "$server_log" >&2; then
    die "the end-to-end server's log $server_log contains a panic"
  fi
  for needle in violet-otter-canyon-42 copper-lantern-meadow-88 saffron-glacier-piano-31 \
    "333 765 4321" "+393337654321" "Ricarica non accreditata" "succede anche nel weekend" "NOTA-E2E"; do
    if grep -nF -- "$needle" "$server_log" >&2; then
      die "the end-to-end server's log $server_log contains \"$needle\""
    fi
  done
done
rm -rf "$SC3_E2E_DATA"

[ -n "$pg_skipped" ] && printf '\n\033[1;33m!!! The PostgreSQL tests were SKIPPED: no PostgreSQL was available !!!\033[0m\n' >&2
log "all tests passed in $(( $(date +%s) - start )) s"
