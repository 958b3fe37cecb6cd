#!/usr/bin/env bash
# Sets up and runs the portal on the embedded default: a release build served at
# http://127.0.0.1:3000 with a SQLite file under ./data/ (created on first start).
# Extra arguments go to the server (see `server --help`), e.g. scripts/run.sh --brand-name "My Care".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SC3_ROOT"
bash scripts/setup.sh
log "building the portal (release)"
cargo leptos build --release --split
precompress_site
export LEPTOS_SITE_ROOT="$SC3_ROOT/target/site"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/social-care-3.db}"
log "serving at http://${SC3_BIND:-127.0.0.1:3000} (Ctrl-C to stop)"
exec "$CARGO_TARGET_DIR/release/server" "$@"
