# shellcheck shell=bash
# Sourced by every project script: where the tools and the build cache live, and which Rust toolchain
# builds the portal. Nothing here installs anything (that is scripts/setup.sh).

SC3_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tools and the build cache live outside the clone, so a fresh clone (CI) reuses what an earlier run built.
SC3_CACHE="${SC3_CACHE:-$HOME/.cache/social-care-3}"
export SC3_ROOT SC3_CACHE
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SC3_CACHE/target}"
export PATH="$SC3_CACHE/node/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Playwright must never try to download a browser: Debian's Chromium is used.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# The toolchain that has the wasm32 standard library, as chosen by setup.sh: "" means rustup's default.
if [ -f "$SC3_CACHE/toolchain" ]; then
  tc="$(cat "$SC3_CACHE/toolchain")"
  if [ -n "$tc" ]; then export RUSTUP_TOOLCHAIN="$tc"; fi
  unset tc
fi

# Type-erased views: much faster to compile, and a third smaller in the browser (#7). Every script builds
# with the same flags, so they share one build cache.
case " ${RUSTFLAGS:-} " in
  *" --cfg erase_components "*) ;;
  *) export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components" ;;
esac

log() { printf '\033[1;34m[sc3]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[sc3] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Debian packages, installed only when missing (apt-get update once, first).
apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The exact wasm-bindgen version Cargo.lock pins (the CLI must be the same version).
locked_version() {
  awk -v n="$1" '$0=="name = \""n"\"" {getline; gsub(/version = |"/,""); print; exit}' "$SC3_ROOT/Cargo.lock"
}

# leptos reads this at compile time; cargo-leptos sets it too. The same value for every build (cargo
# test included) keeps cargo from rebuilding leptos back and forth.
export LEPTOS_OUTPUT_NAME=social-care-3

# Brotli and gzip copies of the built front end, beside each file, for the server to send as they are.
precompress_site() {
  local f
  for f in "$SC3_ROOT"/target/site/pkg/*.wasm "$SC3_ROOT"/target/site/pkg/*.js "$SC3_ROOT"/target/site/pkg/*.css; do
    [ -f "$f" ] || continue
    [ "$f.br" -nt "$f" ] || brotli -q 11 -f -o "$f.br" "$f"
    [ "$f.gz" -nt "$f" ] || gzip -9 -k -f -n "$f"
  done
}

# The local PostgreSQL cluster, started (and created when there is none), with the role `sc3_test`
# (password sc3_test, may create databases) and its database; exports TEST_DATABASE_URL. Returns 1 when
# no PostgreSQL can be had.
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

# Build caches grow with every change (each test binary is relinked, incremental sessions pile up). When
# the disk runs low, the stale parts go: incremental state and build outputs untouched for 3 hours.
prune_target_when_full() {
  local free_gb
  free_gb=$(df -Pk "${CARGO_TARGET_DIR%/*}" 2>/dev/null | awk 'NR==2 { print int($4 / 1048576) }')
  if [ -n "$free_gb" ] && [ "$free_gb" -lt 25 ]; then
    log "only ${free_gb} GB free: pruning stale build outputs in $CARGO_TARGET_DIR"
    rm -rf "$CARGO_TARGET_DIR/debug/incremental" "$CARGO_TARGET_DIR/release/incremental"
    find "$CARGO_TARGET_DIR/debug/deps" "$CARGO_TARGET_DIR/release/deps" -maxdepth 1 -type f -mmin +180 -delete 2>/dev/null || true
  fi
}
