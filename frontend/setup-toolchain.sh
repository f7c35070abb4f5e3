#!/usr/bin/env bash
# Makes sure this machine can build WebAssembly: the wasm32 target through rustup, or, where
# rustup cannot download it, Debian's rustc with the standard library's source (build-std).
# Prints the environment to use as `export` lines on stdout; progress goes to stderr.
#
# The exports (empty on the ordinary path):
#   TALLYLAB_WASM_CARGO  cargo to build wasm32 with directly (`make check-wasm`)
#   TALLYLAB_WASM_PATH   PATH for trunk, so it calls Debian's cargo and rustc (`make frontend`)
#   RUSTC                Debian's rustc (cargo would otherwise find rustup's in PATH)
#   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER, RUSTC_BOOTSTRAP, CARGO_UNSTABLE_BUILD_STD
# TALLYLAB_WASM_FALLBACK=1 forces the fallback (to test it on a machine where rustup works).
set -euo pipefail

log() { printf 'setup-toolchain: %s\n' "$*" >&2; }

if [ "${TALLYLAB_WASM_FALLBACK:-0}" != 1 ]; then
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "wasm32-unknown-unknown target present"
    exit 0
  fi
  if rustup target add wasm32-unknown-unknown >&2; then
    log "installed wasm32-unknown-unknown with rustup"
    exit 0
  fi
fi

log "rustup cannot fetch the wasm32 target: falling back to Debian's rustc-web with build-std"
# The linker: rustup's rust-lld, found before PATH puts Debian's rustc first.
lld="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
if [ ! -x /usr/bin/rustc ] || ! /usr/bin/rustc --version | grep -q '1\.9'; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update >&2
  $sudo apt-get install -y -t bookworm-security rustc-web cargo-web rust-web-src >&2
fi
cat <<ENV
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$lld"
export TALLYLAB_WASM_CARGO=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
export TALLYLAB_WASM_PATH="/usr/bin:\$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
ENV
