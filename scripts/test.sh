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
# Type-erased views compile much faster; cargo-leptos uses the same flag for its debug builds.
export RUSTFLAGS="${RUSTFLAGS:-} --cfg erase_components"

# --- PostgreSQL -----------------------------------------------------------------------------------
pg_skipped=""
start_local_postgres() {
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_ensure postgresql || return 1
  fi
  local line version cluster port
  line="$(pg_lsclusters --no-header 2>/dev/null | head -n1)"
  if [ -z "$line" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
    pg_createcluster "$version" main >/dev/null
    line="$(pg_lsclusters --no-header | head -n1)"
  fi
  read -r version cluster port _ <<<"$line"
  pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -p "$port" && break; sleep 1; done
  pg_isready -q -p "$port" || return 1
  local psql=(runuser -u postgres -- psql -X -q -p "$port" -v ON_ERROR_STOP=1)
  [ "$(id -u)" -ne 0 ] && psql=(sudo -u postgres psql -X -q -p "$port" -v ON_ERROR_STOP=1)
  "${psql[@]}" -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc3_test') THEN
    CREATE ROLE sc3_test LOGIN PASSWORD 'sc3_test' CREATEDB;
  END IF;
END $$;
SQL
  "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'sc3_test'" | grep -q 1 ||
    "${psql[@]}" -d postgres -c "CREATE DATABASE sc3_test OWNER sc3_test"
  # Databases left behind by earlier runs (each test makes its own).
  "${psql[@]}" -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'sc3\_t\_%'" |
    while read -r db; do [ -n "$db" ] && "${psql[@]}" -d postgres -c "DROP DATABASE \"$db\" WITH (FORCE)"; done
  export TEST_DATABASE_URL="postgres://sc3_test:sc3_test@127.0.0.1:$port/sc3_test"
}
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
cargo build --release --locked -p server
export SC3_DURABILITY_BIN="$CARGO_TARGET_DIR/release/server"
log "Rust tests (unit, contract and integration, SQLite and PostgreSQL)"
if command -v cargo-nextest >/dev/null 2>&1; then
  # Retries: a rare SSR response stall under the parallel suite (open defect, see the issue notes) is
  # reported as FLAKY in the summary instead of failing the whole run.
  cargo nextest run --workspace --locked --retries 2 --no-fail-fast
else
  cargo test --workspace --locked
fi

# --- End-to-end -----------------------------------------------------------------------------------
log "building the front end (WASM, CSS, public files) with cargo-leptos"
cargo leptos build --frontend-only
log "installing the end-to-end suite's npm packages"
(cd end2end && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --silent; })
export SC3_SERVER_BIN="$CARGO_TARGET_DIR/debug/server"
export LEPTOS_SITE_ROOT="$SC3_ROOT/target/site"
[ -x "$SC3_SERVER_BIN" ] || die "no server binary at $SC3_SERVER_BIN"
log "Playwright end-to-end suite in $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
export SC3_E2E_DATA="$(mktemp -d)"
(cd end2end && npx playwright test)

# The browser suite's server log: no panic, and none of the secrets or private values the suite typed.
log "searching the end-to-end server's log for panics and leaked secrets"
server_log="$SC3_E2E_DATA/server.log"
[ -s "$server_log" ] || die "the end-to-end server wrote no log at $server_log"
if grep -F "panicked" "$server_log" >&2; then
  die "the end-to-end server's log contains a panic"
fi
for needle in violet-otter-canyon-42 copper-lantern-meadow-88 saffron-glacier-piano-31 \
  "333 765 4321" "+393337654321" "Ricarica non accreditata" "succede anche nel weekend" "NOTA-E2E"; do
  if grep -nF -- "$needle" "$server_log" >&2; then
    die "the end-to-end server's log contains \"$needle\""
  fi
done
rm -rf "$SC3_E2E_DATA"

[ -n "$pg_skipped" ] && printf '\n\033[1;33m!!! The PostgreSQL tests were SKIPPED: no PostgreSQL was available !!!\033[0m\n' >&2
log "all tests passed in $(( $(date +%s) - start )) s"
