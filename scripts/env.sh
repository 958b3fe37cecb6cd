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
