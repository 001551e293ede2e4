#!/usr/bin/env bash
# Runs the property tests under several fresh seeds (not part of make test, which uses one fixed
# seed so that CI is reproducible), and the bounded fuzz targets of every decoder of outside
# bytes (tests/fuzz.rs) for many more cases than make test does, each round with a fresh seed.
# Usage: scripts/soak.sh [ROUNDS]   (env: FUZZ_CASES, cases per fuzz target per round, default
# 50000; make test runs 1500)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
fuzz_cases=${FUZZ_CASES:-50000}
for _ in $(seq 1 "$rounds"); do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  echo "==> PROPTEST_RNG_SEED=$seed THREADLINE_FUZZ_SEED=$seed THREADLINE_FUZZ_CASES=$fuzz_cases"
  PROPTEST_RNG_SEED=$seed cargo test -q -p threadline --test sync --test urn
  THREADLINE_FUZZ_SEED=$seed THREADLINE_FUZZ_CASES=$fuzz_cases \
    cargo test -q --release -p threadline --test fuzz
done
# The JS boundary under fresh seeds, and the engine soak (faults, restarts, failing storage).
THREADLINE_BOUNDARY_SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ') THREADLINE_BOUNDARY_CALLS=20000 node --expose-gc --test tests/boundary/property.test.mjs && node scripts/soak-engine.mjs --rounds 40 --ops 10
