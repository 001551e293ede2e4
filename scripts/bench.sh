#!/usr/bin/env bash
# Benchmarks print figures; none of them asserts a time. Native criterion benches with short
# settings, then the browser bench in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p .tmp && export TMPDIR="$PWD/.tmp"
bash scripts/install.sh
for b in benches/*.rs; do
  cargo bench --bench "$(basename "$b" .rs)" -- --warm-up-time 1 --measurement-time 3
done
[ -f pkg/glue/threadline_bg.wasm ] || bash scripts/build-pkg.sh
node scripts/bench-urn-browser.mjs
node scripts/bench-sync-browser.mjs
