#!/usr/bin/env bash
# Build the npm package into pkg/: cargo (wasm32, release) -> wasm-bindgen (web glue) -> wasm-opt
# from npm's binaryen (never Debian's 108) -> short import names -> the owned loaders and generated
# guards -> a smoke-load of the optimized module in Node, because a module can validate and still
# fail to start.
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
# The closure invoke shims that only the describe code of js-sys's imports pointed at (Array's
# forEach, some, find, ...) leave the function table, so wasm-opt removes them (-0.5 KB gzip;
# the glue calls the shims it uses through exports). While the names are still there.
node scripts/drop-describe-shims.mjs "$OUT/glue/threadline_bg.wasm"
# -Os, not -Oz (smaller in gzip with the flags after it). A function with one caller inlined
# only when it is small (-ocimfs 15; the default inlines every one): more bytes, less gzip (most
# likely because a body kept out of its one caller keeps its own small local numbers, so alike
# bodies stay alike). Functions in name order, so the generic copies of one function sit side
# by side within gzip's window (before --strip-debug, which drops the names). No
# target_features section: only wasm-bindgen reads it, before this. Each flag measured in
# ARCHITECTURE.md ("The shipped wasm is measured").
"$WASM_OPT" -Os -ocimfs 15 --reorder-functions-by-name --strip-target-features \
  --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$OUT/glue/threadline_bg.wasm" -o "$OUT/glue/threadline_bg.wasm"
# Short names in the .wasm and in the glue together (its .d.ts too): wasm-bindgen's imports
# `__wbg_<name>_<hash>` of "./threadline_bg.js" become a, b, ... of "", the exports the glue
# reads a, b, ... (-4.0 KB gzip of the .wasm, -2.6 KB of the glue). After wasm-opt, which
# reorders the imports. Before gen-pkg, which reads the glue's own (JS) exports, not these.
node scripts/short-names.mjs "$OUT/glue"
# A long string (a stored record's JSON, an API answer) into wasm by the browser's encoder, not
# wasm-bindgen's per-character loop in JS, which runs interpreted on a cold start.
node scripts/glue-strings.mjs "$OUT/glue/threadline.js"
cp npm/browser.js npm/node.js npm/ready.js npm/errors.js npm/errors.d.ts npm/host.js npm/host.d.ts npm/package.json "$OUT/"
[ -f npm/README.md ] && cp npm/README.md "$OUT/"
node scripts/gen-pkg.mjs "$OUT" "$VERSION"

# Smoke: the optimized module instantiates and answers in Node, imported by name through the
# package's `exports` map (a consumer folder whose node_modules/threadline is this package).
consumer=.tmp/pkg-consumer
rm -rf "$consumer" && mkdir -p "$consumer/node_modules"
ln -s "$(pwd)/$OUT" "$consumer/node_modules/threadline"
(cd "$consumer" && node --input-type=module -e "
import * as m from 'threadline';
let early = null;
try { m.messageId('2-abc'); } catch (e) { early = e; }
if (!early || early.code !== 'not_initialized') throw new Error('no clear error before init: ' + early);
await m.init();
await m.init(); // memoised
const id = '2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=';
const check = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(what + ': ' + JSON.stringify(got));
};
check('messageId', m.messageId('urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,' + id + ')'), id);
check('conversationId', m.conversationId('https://www.linkedin.com/messaging/thread/' + id + '/'), id);
check('profileId', m.profileId('urn:li:fs_miniProfile:ACoAAB'), 'ACoAAB');
check('isSalesNavThread', m.isSalesNavThread('urn:li:salesNav_thread:1-x'), true);
check('encodeUrnForPath', m.encodeUrnForPath('urn:li:fs_event:(1,2-a+b)'), 'urn%3Ali%3Afs_event%3A%281%2C2-a%2Bb%29');
check('parseUrn', m.parseUrn('urn:li:fs_event:(1,2-a)').parts, ['1', '2-a']);
try { m.messageId('urn:li:('); throw new Error('no UrnError'); } catch (e) { check('UrnError', [e.name, typeof e.code, e instanceof m.UrnError, m.isApiError(e)], ['UrnError', 'string', true, false]); }
check('not_initialized is a ThreadlineError', early instanceof m.ThreadlineError, true);
console.log('smoke: the optimized wasm loads in Node through the exports map; all six URN functions answer; errors are instanceof their classes');
")
