#!/usr/bin/env bash
# Benchmarks print figures; none of them asserts a time. Native criterion benches with short
# settings, then the browser benches in headless Chromium (the scale benchmark last).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p .tmp && export TMPDIR="$PWD/.tmp"
bash scripts/install.sh
for b in benches/*.rs; do
  cargo bench --bench "$(basename "$b" .rs)" -- --warm-up-time 1 --measurement-time 3
done
[ -f pkg/glue/threadline_bg.wasm ] || bash scripts/build-pkg.sh
# The background's command schema (valibot) against the hand-written one and zod, superstruct:
# bytes shipped, import time, 100k commands, error texts (installs the candidates in $TMPDIR).
node scripts/bench-schema.mjs
node scripts/bench-urn-browser.mjs
node scripts/bench-sync-browser.mjs
# Issue 15: the engine beside a plain-JS engine of the same rules (merge, view, cold open).
node scripts/bench-engine.mjs
# Issue 14's keyed-rendering comparison: the candidates it measures beside the vendored udomdiff
# are installed into a scratch directory, never into the project.
CANDS=${THREADLINE_RENDER_CANDS:-/tmp/render-cands}
[ -d "$CANDS/node_modules/uhtml" ] || npm install --silent --no-audit --no-fund --prefix "$CANDS" \
  preact@10.29.8 lit-html@3.3.3 uhtml@5.0.9 || echo "bench-render: candidates not installed; measuring what is there"
THREADLINE_RENDER_CANDS=$CANDS node scripts/bench-render.mjs
# Issue 13's scale benchmark: stores of 1k..200k messages (THREADLINE_BENCH_SIZES picks sizes,
# THREADLINE_BENCH_STORAGE the engine's storage; see the script's header). Several minutes.
node scripts/bench-scale.mjs
