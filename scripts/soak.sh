#!/usr/bin/env bash
# Runs the property tests under several fresh seeds (not part of make test, which uses one fixed
# seed so that CI is reproducible). Usage: scripts/soak.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
for _ in $(seq 1 "$rounds"); do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  echo "==> PROPTEST_RNG_SEED=$seed"
  PROPTEST_RNG_SEED=$seed cargo test -q -p threadline --test sync --test urn
done
# The JS boundary under fresh seeds, and the engine soak (faults, restarts, failing storage).
THREADLINE_BOUNDARY_SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ') THREADLINE_BOUNDARY_CALLS=20000 node --expose-gc --test tests/boundary/property.test.mjs && node scripts/soak-engine.mjs --rounds 40 --ops 10
