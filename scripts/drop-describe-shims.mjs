// Drops the closure invoke shims that only wasm-bindgen's describe code pointed at, so wasm-opt
// can remove them (issue 15). Every `#[wasm_bindgen]` import of js-sys and web-sys exports a
// describe function; one whose import takes a closure (`Array.forEach`, `some`, `find`, ...)
// takes the address of wasm-bindgen's `invoke` shim for that closure signature, which puts the
// shim in the function table. wasm-bindgen runs the describe functions and deletes them, and
// the glue calls the shims of the closures the module makes through exports
// (`wasm.wasm_bindgen__convert__closures_____invoke__<hash>`), never through the table, which
// is not exported; but the table entries stay, and with them a shim per signature that no code
// can call. This rewrites those entries (a function named `wasm_bindgen::convert::closures::
// _::invoke::...` that is not exported) to the segment's first other function, keeping every
// index.
// Runs after wasm-bindgen, whose output still has the name section, and before wasm-opt.
//
// usage: node scripts/drop-describe-shims.mjs path/to/threadline_bg.wasm
import { readFileSync, writeFileSync } from 'node:fs';
import { wasmBinary, uleb } from './wasm-binary.mjs';

const path = process.argv[2];
const wasm = readFileSync(path);
const fail = (why) => {
  console.error(`drop-describe-shims: ${why}; nothing written`);
  process.exit(1);
};
const { reader, sections } = wasmBinary(fail);
const encodeUleb = (value) => Buffer.from(uleb(value));

// A constant offset expression: `i32.const <sleb>` or `global.get <idx>`, then `end`.
function skipConstExpr(r) {
  const op = r.byte();
  if (op === 0x41) r.sleb33();
  else if (op === 0x23) r.uleb();
  else fail(`an element offset of opcode 0x${op.toString(16)}`);
  if (r.byte() !== 0x0b) fail('an element offset longer than one instruction');
}

const list = sections(wasm, path);

const exported = new Set();
const names = new Map();
for (const s of list) {
  const r = reader(wasm, s.start, s.end);
  if (s.id === 7) {
    for (let count = r.uleb(); count > 0; count--) {
      r.name();
      const kind = r.byte();
      const index = r.uleb();
      if (kind === 0) exported.add(index);
    }
  } else if (s.id === 0) {
    if (r.name() !== 'name') continue;
    while (r.at < s.end) {
      const sub = r.byte();
      const size = r.uleb();
      const subEnd = r.at + size;
      if (sub === 1) {
        for (let count = r.uleb(); count > 0; count--) {
          const index = r.uleb();
          names.set(index, r.name());
        }
      }
      r.at = subEnd;
    }
  }
}
if (names.size === 0) fail('no function names (run it on wasm-bindgen\'s output, before wasm-opt)');

const isDeadShim = (index) =>
  !exported.has(index) &&
  (names.get(index) ?? '').startsWith('wasm_bindgen::convert::closures::_::invoke::');

const elem = list.find((s) => s.id === 9);
if (!elem) fail('no element section');
const parts = [];
let dropped = 0;
const r = reader(wasm, elem.start, elem.end);
let segments = r.uleb();
parts.push(encodeUleb(segments));
for (; segments > 0; segments--) {
  const start = r.at;
  const flags = r.uleb();
  if (flags !== 0 && flags !== 2) fail(`an element segment of flags ${flags}`);
  if (flags === 2) r.uleb();
  skipConstExpr(r);
  if (flags === 2 && r.byte() !== 0x00) fail('an element segment of another kind than funcref');
  parts.push(wasm.subarray(start, r.at));
  let count = r.uleb();
  parts.push(encodeUleb(count));
  const indices = [];
  for (; count > 0; count--) indices.push(r.uleb());
  const kept = indices.find((index) => !isDeadShim(index));
  for (const index of indices) {
    if (kept !== undefined && isDeadShim(index)) dropped++;
    parts.push(encodeUleb(kept !== undefined && isDeadShim(index) ? kept : index));
  }
}
if (r.at !== elem.end) fail('the element section did not read to its end');

const body = Buffer.concat(parts);
const out = Buffer.concat([
  wasm.subarray(0, elem.headerStart),
  Buffer.from([9]),
  encodeUleb(body.length),
  body,
  wasm.subarray(elem.end),
]);
try {
  new WebAssembly.Module(out);
} catch (e) {
  fail(`the rewritten module does not compile: ${e.message}`);
}
writeFileSync(path, out);
console.log(`drop-describe-shims: ${dropped} table entries of unused closure shims dropped`);
