#!/usr/bin/env bash
# Assemble one unpacked extension tree: the extension's sources, the wasm package (pkg/, built
# first when missing) and the vendored libraries the background imports, with its manifest for the
# given API base URL. The one place that says what the extension ships: scripts/build-extension.sh
# (dist/extension, the store zips) and the scale benchmark (scripts/bench-scale.mjs) both call it.
# Usage: scripts/assemble-extension.sh OUT_DIR API_BASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

OUT=${1:?usage: scripts/assemble-extension.sh OUT_DIR API_BASE_URL}
BASE=${2:?usage: scripts/assemble-extension.sh OUT_DIR API_BASE_URL}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)

[ -f pkg/glue/threadline_bg.wasm ] || bash scripts/build-pkg.sh

rm -rf "$OUT" && mkdir -p "$OUT/pkg/glue"
cp -r extension/background extension/content extension/options extension/popup extension/onboarding extension/pages extension/_locales extension/icons "$OUT/"
cp pkg/browser.js pkg/core.js pkg/ready.js pkg/errors.js pkg/host.js "$OUT/pkg/"
cp pkg/glue/threadline.js pkg/glue/threadline_bg.wasm "$OUT/pkg/glue/"
# Third-party files (package.json's dependencies: valibot, udomdiff) with their licenses: vendor/.
node scripts/vendor.mjs "$OUT" extension >/dev/null
node scripts/gen-manifest.mjs extension/manifest.json "$OUT/manifest.json" "$BASE" "$VERSION"
