// Reading and writing the parts of a .wasm the build's post-processing steps touch (issue 15):
// one bounds-checked reader (LEB128, names, types, limits), the LEB128 and name encoders and
// the section list, shared by scripts/drop-describe-shims.mjs and scripts/short-names.mjs.
// `fail(message)` is the caller's: it reports and exits, so nothing half-rewritten is written.

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** The binary helpers, each failing through `fail`. */
export function wasmBinary(fail) {
  /** A reader over `bytes` that never reads past `end`. */
  function reader(bytes, at, end) {
    const r = {
      at,
      byte() {
        if (r.at >= end) fail(`truncated .wasm at byte ${r.at}`);
        return bytes[r.at++];
      },
      /** An unsigned LEB128 of at most `bits` bits, as a Number (BigInt past 2^53). */
      uleb(bits = 32) {
        let value = 0n;
        let shift = 0n;
        for (;;) {
          const b = r.byte();
          value |= BigInt(b & 0x7f) << shift;
          shift += 7n;
          if ((b & 0x80) === 0) break;
          if (shift >= BigInt(bits)) fail(`LEB128 longer than ${bits} bits at byte ${r.at}`);
        }
        if (value >> BigInt(bits) !== 0n) fail(`LEB128 over ${bits} bits at byte ${r.at}`);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      },
      /** A signed LEB128 of at most 33 bits (a heap type index, an i32 constant). */
      sleb33() {
        let shift = 0;
        for (;;) {
          const b = r.byte();
          shift += 7;
          if ((b & 0x80) === 0) return;
          if (shift >= 33) fail(`signed LEB128 longer than 33 bits at byte ${r.at}`);
        }
      },
      name() {
        const n = r.uleb();
        if (r.at + n > end) fail(`a name runs past its section at byte ${r.at}`);
        const s = utf8.decode(bytes.subarray(r.at, r.at + n));
        r.at += n;
        return s;
      },
      /** A value or reference type: one byte, or 0x63/0x64 and a heap type. */
      type() {
        const t = r.byte();
        if (t === 0x63 || t === 0x64) r.sleb33();
      },
      limits() {
        const flags = r.byte();
        if (flags > 7) fail(`unknown limits flags 0x${flags.toString(16)} at byte ${r.at - 1}`);
        r.uleb(64);
        if (flags & 1) r.uleb(64);
      },
    };
    return r;
  }

  /** The sections of a module (`label` names it in the error): id, the header's start, the
   * content's start and end. */
  function sections(bytes, label) {
    const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
      fail(`${label} is not a wasm module (version 1)`);
    }
    const list = [];
    const r = reader(bytes, 8, bytes.length);
    while (r.at < bytes.length) {
      const headerStart = r.at;
      const id = r.byte();
      const size = r.uleb();
      const start = r.at;
      if (start + size > bytes.length) fail(`section ${id} runs past the end of the file`);
      list.push({ id, headerStart, start, end: start + size });
      r.at = start + size;
    }
    return list;
  }

  return { reader, sections, uleb, encodeName };
}

/** An unsigned LEB128's bytes. */
export function uleb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A name's bytes: its UTF-8 length, then the UTF-8. */
export function encodeName(s) {
  const b = encoder.encode(s);
  return [...uleb(b.length), ...b];
}
