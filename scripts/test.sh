#!/usr/bin/env bash
# Every test of Threadline, on a fresh machine or a warm one: installs what is missing, then
# format, lint, native tests, the wasm package (built, optimized, smoke-loaded), wasm-bindgen-test
# in Node, headless Chromium and headless Firefox against a live simulator, the TypeScript check,
# the size report, the extension (build, web-ext lint) and its end-to-end tests in Chromium and
# Firefox. Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p .tmp
export TMPDIR="$PWD/.tmp"  # browsers' temp profiles stay here, not in /tmp
# Property tests draw from a fixed seed so that a red run can be replayed exactly; set
# PROPTEST_RNG_SEED to another number (or run scripts/soak.sh) to explore new schedules.
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-20261121}
echo "proptest seed: $PROPTEST_RNG_SEED"

timings=()
step() {
  local name=$1; shift
  printf '\n==> %s\n' "$name"
  local t0=$SECONDS
  "$@"
  timings+=("$(printf '%-28s %4ds' "$name" $((SECONDS - t0)))")
}

sim_pid=""
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true; }
trap cleanup EXIT

# The wasm tests get the simulator's URL at compile time, so a fixed port keeps warm runs from
# recompiling them; when that port is taken, any free one is used instead.
start_sim() {
  cargo build -p threadline-sim --quiet
  local log=.tmp/sim.log port
  for port in "${THREADLINE_TEST_SIM_PORT:-18787}" 0; do
    target/debug/threadline-sim --port "$port" --api-key dev >"$log" 2>&1 &
    sim_pid=$!
    THREADLINE_SIM_URL=""
    for _ in $(seq 1 100); do
      THREADLINE_SIM_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n 1 || true)
      [ -n "$THREADLINE_SIM_URL" ] && break
      kill -0 "$sim_pid" 2>/dev/null || break   # exited: the port was taken
      sleep 0.1
    done
    [ -n "$THREADLINE_SIM_URL" ] && break
  done
  [ -n "$THREADLINE_SIM_URL" ] || { cat "$log"; echo "simulator did not start" >&2; exit 1; }
  export THREADLINE_SIM_URL
  echo "simulator at $THREADLINE_SIM_URL"
}

wasm_tests() {
  local -a targets=()
  for f in tests/wasm_*.rs; do targets+=(--test "$(basename "$f" .rs)"); done
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
  # The headless runner gives a whole test file 20 s by default; wasm_client's deliberate
  # timeouts and retries took longer than that in Firefox on a loaded 2-core machine.
  export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}
  echo "-- Node"
  env -u WASM_BINDGEN_USE_BROWSER cargo test --target wasm32-unknown-unknown "${targets[@]}"
  echo "-- headless Chromium"
  WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
    cargo test --target wasm32-unknown-unknown "${targets[@]}"
  echo "-- headless Firefox"
  WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER="$(command -v geckodriver)" \
    cargo test --target wasm32-unknown-unknown "${targets[@]}"
}

extension() {
  # Loopback host permission: the e2e tests point the background at a simulator on any port.
  bash scripts/build-extension.sh http://127.0.0.1:8787
  # What every LinkedIn page gets injected (figures, no budget): keep it small.
  node scripts/content-size.mjs dist/extension
  node_modules/.bin/web-ext lint --source-dir dist/extension
  node_modules/.bin/web-ext lint --source-dir dist/store
}

e2e_chromium() {
  cargo build -p threadline-sim --quiet
  local files=()
  for f in tests/e2e/*.test.mjs; do [ "$f" = tests/e2e/firefox.test.mjs ] || files+=("$f"); done
  node --test "${files[@]}"
}

typescript() {
  node_modules/.bin/tsc -p tests/ts/tsconfig.json
  node scripts/check-dts.mjs pkg
}

step "install" bash scripts/install.sh
step "rustfmt" cargo fmt --all -- --check
# No import cycle between the files of the engine (issue 16; prints the graph).
step "src/sync import graph" python3 scripts/sync-import-graph.py
# threadline/host (npm/host.js): its own unit tests against a fake engine of the issue-16 API.
step "host unit tests" node --test tests/host/
# The background's command schema (extension/background/schema.js over the vendored valibot):
# every rule's bad command refused with its readable line.
step "command schema unit tests" node --test tests/extension/
step "clippy (native)" cargo clippy --workspace --all-targets --quiet -- -D warnings
step "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --lib --quiet -- -D warnings
step "native tests" cargo test --workspace
step "wasm package + smoke" bash scripts/build-pkg.sh
if [ -f sim/src/lib.rs ]; then step "start simulator" start_sim; fi
# The JS boundary and the write path over the built package in Node (hostile arguments, a
# seeded property test, failing storage), each against a simulator of its own on loopback.
if [ -f sim/src/lib.rs ]; then step "boundary (Node)" node --expose-gc --test tests/boundary/; fi
# A short engine soak (faults, restarts, failing storage writes; ~15 s): every count must be 0.
if [ -f sim/src/lib.rs ]; then step "engine soak (short)" node scripts/soak-engine.mjs --seed 20261202 --rounds 12; fi
step "wasm-bindgen-test x3" wasm_tests
step "typescript" typescript
step "host types" node_modules/.bin/tsc -p tests/ts/host/tsconfig.json
# The API reference from the package's .d.ts (dist/api-docs); an undocumented export fails it.
step "API reference (typedoc)" node_modules/.bin/typedoc --options scripts/typedoc.json
if [ -n "${THREADLINE_SIM_URL:-}" ]; then step "npm package (pack, consumers)" bash scripts/test-package.sh; fi
step "size report" node scripts/size-report.mjs pkg/glue/threadline_bg.wasm
step "extension build + lint" extension
step "e2e Chromium" e2e_chromium
step "e2e Firefox" node --test tests/e2e/firefox.test.mjs
# The demo inbox in two headless Chromium tabs, against a simulator of its own serving www/ + pkg/.
if [ -n "${THREADLINE_SIM_URL:-}" ]; then step "demo inbox e2e (2 tabs)" node --test tests/e2e-demo/; fi
# Once more against the API's other documented shapes: the harnesses' simulators read
# THREADLINE_SIM_DIALECT (string and ISO timestamps, nulls, the wrapped send answer, ISO resets).
step "e2e Chromium, mixed dialect (send)" env THREADLINE_SIM_DIALECT=mixed node --test tests/e2e/send.test.mjs
if [ -n "${THREADLINE_SIM_URL:-}" ]; then step "demo inbox e2e, mixed dialect" env THREADLINE_SIM_DIALECT=mixed node --test tests/e2e-demo/; fi
# The two browser benches of the engine, once, small: they must still run on this build and show
# what they should (THREADLINE_BENCH_CHECK); their times are printed, never judged.
step "bench-engine still runs (1k, one round)" env THREADLINE_BENCH_CHECK=1 \
  THREADLINE_BENCH_ENGINE_SIZES=1000 THREADLINE_BENCH_ENGINE_ROUNDS=1 node scripts/bench-engine.mjs
step "bench-scale still runs (1k, one round, page and worker)" env THREADLINE_BENCH_CHECK=1 \
  THREADLINE_BENCH_SIZES=1k THREADLINE_BENCH_ROUNDS=1 node scripts/bench-scale.mjs

printf '\n==> step times\n'
printf '  %s\n' "${timings[@]}"
echo "all tests passed in ${SECONDS}s"
