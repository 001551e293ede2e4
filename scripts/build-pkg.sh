#!/usr/bin/env bash
# Build the npm package into pkg/: cargo (wasm32, release) -> wasm-bindgen (web glue) -> wasm-opt
# from npm's binaryen (never Debian's 108) -> the owned loaders and generated guards -> a
# smoke-load of the optimized module in Node, because a module can validate and still fail to start.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

OUT=${1:-pkg}
WASM_OPT=node_modules/.bin/wasm-opt
VERSION=$(cargo metadata --no-deps --format-version 1 \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="threadline").version))')

cargo build --release --target wasm32-unknown-unknown --lib --quiet
rm -rf "$OUT" && mkdir -p "$OUT/glue"
wasm-bindgen --target web --out-dir "$OUT/glue" --out-name threadline \
  target/wasm32-unknown-unknown/release/threadline.wasm
"$WASM_OPT" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$OUT/glue/threadline_bg.wasm" -o "$OUT/glue/threadline_bg.wasm"
cp npm/browser.js npm/node.js npm/ready.js npm/package.json "$OUT/"
[ -f npm/README.md ] && cp npm/README.md "$OUT/"
node scripts/gen-pkg.mjs "$OUT" "$VERSION"

# Smoke: the optimized module instantiates and answers in Node, through the package's exports map.
node --input-type=module -e "
const m = await import('$(pwd)/$OUT/node.js');
let early = null;
try { m.messageId('2-abc'); } catch (e) { early = e; }
if (!early || early.code !== 'not_initialized') throw new Error('no clear error before init: ' + early);
await m.init();
const id = m.messageId('urn:li:messagingMessage:2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=');
if (id !== '2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=') throw new Error('smoke: wrong id ' + id);
console.log('smoke: optimized wasm loads in Node and normalizes a URN');
"
