#!/usr/bin/env bash
# The npm package as a product: pack pkg/ with `npm pack`, install the tarball into two separate
# consumer projects (Node 20 ESM, and a browser app built with Vite 7), use it there against the
# simulator at $THREADLINE_SIM_URL, and print the package's sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${THREADLINE_SIM_URL:?start threadline-sim and set THREADLINE_SIM_URL}"

packdir=.tmp/pack
rm -rf "$packdir" && mkdir -p "$packdir"
npm pack ./pkg --pack-destination "$packdir" --json --loglevel=error >"$packdir/pack.json"
tarball=$(ls "$packdir"/threadline-*.tgz)

for app in node vite; do
  dir=.tmp/consumer-$app
  rm -rf "$dir" && mkdir -p "$dir"
  cp -r tests/consumer/$app/. "$dir/"
  rm -rf "$dir/node_modules" "$dir/dist"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$(realpath --relative-to=. "$OLDPWD/$tarball")" >/dev/null)
done

echo "-- Node 20 consumer"
(cd .tmp/consumer-node && node --test)

echo "-- Vite 7 consumer in headless Chromium"
# The consumer's TypeScript is checked against the installed package's types (its exports map).
(cd .tmp/consumer-vite && "$OLDPWD/node_modules/.bin/tsc" -p tsconfig.json && echo "tsc: consumer types ok")
(cd .tmp/consumer-vite && npx --no-install vite build --logLevel warn)
node scripts/consumer-vite-check.mjs .tmp/consumer-vite/dist "$THREADLINE_SIM_URL"

node -e '
const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const zlib = require("zlib"), fs = require("fs");
const wasm = fs.readFileSync("pkg/glue/threadline_bg.wasm");
const kb = (n) => (n / 1024).toFixed(1) + " KB";
console.log(`package size: ${p.filename}: tarball ${kb(p.size)}, unpacked ${kb(p.unpackedSize)}, ${p.entryCount} files; .wasm gzip ${kb(zlib.gzipSync(wasm, { level: 9 }).length)}`);
' "$packdir/pack.json"
