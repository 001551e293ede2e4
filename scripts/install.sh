#!/usr/bin/env bash
# Install what building and testing Threadline needs, idempotently: each tool is checked by the
# version it prints and skipped when present, so a second run costs seconds. See TOOLCHAIN.md in
# ../shared for why each pin is what it is.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
GECKODRIVER_VERSION=0.37.1
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '==> %s\n' "$*"; }

# Each check reads the whole output first: `grep -q` under pipefail can close the pipe early and
# make a present tool look missing.
targets=$(rustup target list --installed)
if ! grep -qx wasm32-unknown-unknown <<<"$targets"; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  # Not --locked: the CLI's lockfile wants a crate this registry lacks (TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

gecko=$(geckodriver --version 2>/dev/null || true)
if ! grep -q "geckodriver $GECKODRIVER_VERSION" <<<"$gecko"; then
  step "cargo install geckodriver $GECKODRIVER_VERSION (about 2 minutes)"
  cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked --force
fi

missing=()
for pkg in chromium chromium-driver firefox-esr fonts-noto-color-emoji fonts-wqy-microhei; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Debian's binaryen 108 silently breaks wasm-bindgen output: never use it (TOOLCHAIN.md).
if command -v wasm-opt >/dev/null && [[ "$(wasm-opt --version 2>/dev/null)" == *"version 108"* ]]; then
  echo "error: Debian's binaryen (wasm-opt 108) is on PATH; remove it (apt-get remove binaryen)" >&2
  exit 1
fi

if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-stamp; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.lock-stamp
fi
step "tools ready"
