#!/usr/bin/env bash
# Assemble one unpacked extension tree: the extension's sources, the wasm package (pkg/, built
# first when missing) and the vendored libraries, with its manifest for the given API base URL;
# the background and everything it imports (the package's JS, valibot) bundled into one module. The one place that says what the extension ships: scripts/build-extension.sh
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
# The background as one ES module (esbuild, pinned in package.json's devDependencies): a worker
# woken from idle then loads one file, not eleven over three rounds of imports, each a round trip
# through the browser's extension loader (ARCHITECTURE.md, issue 13's eighth part: about 10 ms of
# every cold wake). Not minified: what the stores review reads as written. The files it took in
# leave the tree (only the background imported them); their licenses stay in vendor/.
node_modules/.bin/esbuild "$OUT/background/background.js" --bundle --format=esm --log-level=warning \
  --outfile="$OUT/background/background.js" --allow-overwrite
rm "$OUT"/background/{core,keystore,schema}.js "$OUT"/pkg/{browser,core,ready,errors,host}.js \
  "$OUT/pkg/glue/threadline.js" "$OUT/vendor/valibot.js"
