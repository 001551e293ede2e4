// Passes a long JS string into wasm through the browser's own encoder rather than wasm-bindgen's
// loop in JS. wasm-bindgen's `passStringToWasm0` copies a string's ASCII prefix one UTF-16 unit at
// a time in a JS `for` loop and only hands the rest, from the first character beyond ASCII, to
// `TextEncoder.encodeInto`. Warm, the loop is compiled and cheap; cold (a service worker just
// woken, a page just loaded: the glue still interpreted), it costs tens of nanoseconds a character,
// and the strings that cross then are the longest: each stored record's JSON (a thread's 200
// messages, about 50 KB, on the first view), an API answer, a fact's page of messages. Past
// `NATIVE_FROM` units the prefix goes through `encodeInto` too, into the same `len`-byte block the
// loop fills (nothing more is allocated for an ASCII string); a string beyond ASCII continues as
// wasm-bindgen's does, from where the encoder stopped (it never splits a surrogate pair and writes
// U+FFFD for a lone one, as `encode` does). Shorter strings keep the loop, cheaper than a call that
// makes a view and a result object. Only the native `encodeInto` is trusted with a block that
// may be too small: the glue's fallback for a runtime without one (`view.set(encode(arg))`)
// would throw a RangeError there, so with it every string takes the loop. Measured in
// ARCHITECTURE.md (issue 15).
//
// The glue is rewritten by exact match: the loop's text must occur exactly once in
// threadline.js, or the build stops (another wasm-bindgen may write it otherwise; TOOLCHAIN.md pins
// the version). Usage: node scripts/glue-strings.mjs <path of threadline.js>
import { readFileSync, writeFileSync } from "node:fs";

const NATIVE_FROM = 64;
const file = process.argv[2];
if (!file) fail("usage: glue-strings.mjs <threadline.js>");

function fail(message) {
  console.error(`glue-strings: ${message}`);
  process.exit(1);
}

const LOOP = `    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {`;

const NATIVE = `    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    if (len > ${NATIVE_FROM} && cachedTextEncoder.encodeInto === TextEncoder.prototype.encodeInto) {
        // (scripts/glue-strings.mjs) As much of the string as fits (an ASCII one whole) by the
        // native encoder, into the same block; the rest after it, in a block grown for it.
        const head = cachedTextEncoder.encodeInto(arg, getUint8ArrayMemory0().subarray(ptr, ptr + len));
        let written = head.written;
        if (head.read !== len) {
            const rest = arg.slice(head.read);
            ptr = realloc(ptr, len, len = written + rest.length * 3, 1) >>> 0;
            written += cachedTextEncoder.encodeInto(rest, getUint8ArrayMemory0().subarray(ptr + written, ptr + len)).written;
            ptr = realloc(ptr, len, written, 1) >>> 0;
        }
        WASM_VECTOR_LEN = written;
        return ptr;
    }

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {`;

const glue = readFileSync(file, "utf8");
const at = glue.indexOf(LOOP);
if (at < 0 || glue.indexOf(LOOP, at + 1) >= 0) {
  fail(`passStringToWasm0's ASCII loop is not in ${file} exactly once: another wasm-bindgen glue?`);
}
writeFileSync(file, glue.slice(0, at) + NATIVE + glue.slice(at + LOOP.length));
