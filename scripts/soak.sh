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
