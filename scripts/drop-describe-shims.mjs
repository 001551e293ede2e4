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

const path = process.argv[2];
const wasm = readFileSync(path);
const fail = (why) => {
  console.error(`drop-describe-shims: ${why}; nothing written`);
  process.exit(1);
};

function uleb(buf, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function encodeUleb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

// A constant offset expression: `i32.const <sleb>` or `global.get <idx>`, then `end`.
function skipConstExpr(buf, at) {
  const op = buf[at++];
  if (op !== 0x41 && op !== 0x23) fail(`an element offset of opcode 0x${op.toString(16)}`);
  while (buf[at] & 0x80) at++;
  at++;
  if (buf[at++] !== 0x0b) fail('an element offset longer than one instruction');
  return at;
}

if (wasm.readUInt32LE(0) !== 0x6d736100 || wasm.readUInt32LE(4) !== 1) fail('not a wasm module');
const sections = [];
for (let at = 8; at < wasm.length; ) {
  const id = wasm[at];
  const [size, body] = uleb(wasm, at + 1);
  sections.push({ id, start: at, body, end: body + size });
  at = body + size;
}

const exported = new Set();
const names = new Map();
for (const s of sections) {
  if (s.id === 7) {
    let [count, at] = uleb(wasm, s.body);
    for (; count > 0; count--) {
      let len;
      [len, at] = uleb(wasm, at);
      at += len;
      const kind = wasm[at++];
      let index;
      [index, at] = uleb(wasm, at);
      if (kind === 0) exported.add(index);
    }
  } else if (s.id === 0) {
    let [len, at] = uleb(wasm, s.body);
    if (wasm.toString('utf8', at, at + len) !== 'name') continue;
    at += len;
    while (at < s.end) {
      const sub = wasm[at];
      let size;
      [size, at] = uleb(wasm, at + 1);
      const subEnd = at + size;
      if (sub === 1) {
        let count;
        [count, at] = uleb(wasm, at);
        for (; count > 0; count--) {
          let index;
          [index, at] = uleb(wasm, at);
          [len, at] = uleb(wasm, at);
          names.set(index, wasm.toString('utf8', at, at + len));
          at += len;
        }
      }
      at = subEnd;
    }
  }
}
if (names.size === 0) fail('no function names (run it on wasm-bindgen\'s output, before wasm-opt)');

const isDeadShim = (index) =>
  !exported.has(index) &&
  (names.get(index) ?? '').startsWith('wasm_bindgen::convert::closures::_::invoke::');

const elem = sections.find((s) => s.id === 9);
if (!elem) fail('no element section');
const parts = [];
let dropped = 0;
let [segments, at] = uleb(wasm, elem.body);
parts.push(encodeUleb(segments));
for (; segments > 0; segments--) {
  const start = at;
  let flags;
  [flags, at] = uleb(wasm, at);
  if (flags !== 0 && flags !== 2) fail(`an element segment of flags ${flags}`);
  if (flags === 2) [, at] = uleb(wasm, at);
  at = skipConstExpr(wasm, at);
  if (flags === 2 && wasm[at++] !== 0x00) fail('an element segment of another kind than funcref');
  parts.push(wasm.subarray(start, at));
  let count;
  [count, at] = uleb(wasm, at);
  parts.push(encodeUleb(count));
  const indices = [];
  for (; count > 0; count--) {
    let index;
    [index, at] = uleb(wasm, at);
    indices.push(index);
  }
  const kept = indices.find((index) => !isDeadShim(index));
  for (const index of indices) {
    if (kept !== undefined && isDeadShim(index)) dropped++;
    parts.push(encodeUleb(kept !== undefined && isDeadShim(index) ? kept : index));
  }
}
if (at !== elem.end) fail('the element section did not read to its end');

const body = Buffer.concat(parts);
const out = Buffer.concat([
  wasm.subarray(0, elem.start),
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
