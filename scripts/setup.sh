#!/usr/bin/env bash
# Installs everything the build needs, skipping each step that is already done (a second run takes
# seconds). On a machine with internet it takes the ordinary path (rustup target add); on a machine that
# reaches only the package registries it follows ../shared/TOOLCHAIN.md: Debian's rustc-web toolchain with
# a wasm32 std built once, cargo-leptos without downloads, wasm-bindgen-cli and npm's binaryen.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mkdir -p "$SC3_CACHE"

debian_toolchain() {
  apt_ensure rustc-web cargo-web rust-web-src lld-22
  rustup toolchain list | grep -q '^sc3-web' || rustup toolchain link sc3-web /usr
}
# 1-3. A Rust toolchain with the wasm32-unknown-unknown standard library.
choose_toolchain() {
  if [ -f "$SC3_CACHE/toolchain" ]; then return; fi
  command -v rustup >/dev/null || die "rustup is needed (https://rustup.rs)"
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "" >"$SC3_CACHE/toolchain"; return
  fi
  log "adding the wasm32 target with rustup"
  if timeout 120 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    echo "" >"$SC3_CACHE/toolchain"; return
  fi
  log "rustup cannot download here: using Debian's rustc-web toolchain (TOOLCHAIN.md)"
  debian_toolchain
  echo "sc3-web" >"$SC3_CACHE/toolchain"
}
choose_toolchain
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [ "${RUSTUP_TOOLCHAIN:-}" = "sc3-web" ]; then
  apt_ensure rustc-web cargo-web rust-web-src lld-22
  sysroot="$(rustc --print sysroot)"
  wasm_lib="$sysroot/lib/rustlib/wasm32-unknown-unknown/lib"
  if ! ls "$wasm_lib"/libstd-*.rlib >/dev/null 2>&1; then
    log "building the wasm32 standard library once (about a minute)"
    scratch="$SC3_CACHE/wasm-std"
    rm -rf "$scratch" && mkdir -p "$scratch/src"
    printf '[package]\nname = "sc3_wasm_std"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n[workspace]\n' >"$scratch/Cargo.toml"
    echo "" >"$scratch/src/lib.rs"
    (cd "$scratch" && CARGO_TARGET_DIR="$scratch/target" RUSTC_BOOTSTRAP=1 \
      cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
    mkdir -p "$wasm_lib"
    find "$scratch/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libsc3_wasm_std*' \
      -exec cp {} "$wasm_lib/" \;
    rm -rf "$scratch"
  fi
fi

# 4. cargo-leptos, told never to download (we provide its helpers below). Its lock file wants a recent
# rustc; when the toolchain above is older, Debian's rustc-web (1.96) builds it instead.
cargo_install() {
  if ! CARGO_TARGET_DIR="$SC3_CACHE/install-target" cargo install -q "$@" 2>"$SC3_CACHE/install.err"; then
    grep -q "is not supported by the following package" "$SC3_CACHE/install.err" || { cat "$SC3_CACHE/install.err" >&2; exit 1; }
    log "this rustc is too old for $1: building it with Debian's rustc-web"
    debian_toolchain
    CARGO_TARGET_DIR="$SC3_CACHE/install-target" RUSTUP_TOOLCHAIN=sc3-web cargo install -q "$@"
  fi
}
CARGO_LEPTOS_VERSION=0.3.11
if ! cargo-leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (10-20 minutes on 2 cores, once)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
    cargo_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# 5. wasm-bindgen-cli, exactly the version Cargo.lock uses.
WB_VERSION="$(locked_version wasm-bindgen)"
[ -n "$WB_VERSION" ] || die "no wasm-bindgen in Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  log "installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  cargo_install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# 6. wasm-opt from npm's binaryen (Debian's binaryen 108 breaks hydration; see TOOLCHAIN.md).
BINARYEN_VERSION=132.0.0
if ! [ -x "$SC3_CACHE/node/node_modules/.bin/wasm-opt" ]; then
  command -v npm >/dev/null || apt_ensure nodejs npm
  log "installing binaryen $BINARYEN_VERSION from npm"
  mkdir -p "$SC3_CACHE/node"
  npm install --silent --no-audit --no-fund --prefix "$SC3_CACHE/node" "binaryen@$BINARYEN_VERSION" >/dev/null
fi
# 7. brotli and gzip precompress the built front end (precompress_site in env.sh).
apt_ensure brotli gzip
rm -rf "$SC3_CACHE/install-target"
log "build tools ready (toolchain: ${RUSTUP_TOOLCHAIN:-rustup default})"
