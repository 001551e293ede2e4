// Node entry of the threadline package: `await init()` reads the .wasm next to the glue from disk
// (Node's fetch cannot read file: URLs); a path, URL, bytes or a compiled module may be passed.
import { readFile } from "node:fs/promises";
import initGlue from "./glue/threadline.js";
import { setReady } from "./ready.js";

export * from "./core.js";
export * from "./errors.js";

let pending = null;

async function load(wasm) {
  let source = wasm ?? new URL("./glue/threadline_bg.wasm", import.meta.url);
  if (typeof source === "string" || source instanceof URL) {
    source = await readFile(source);
  }
  await initGlue({ module_or_path: source });
  setReady();
}

/** Instantiate the WebAssembly module once; later calls return the same promise. */
export function init(wasm) {
  if (!pending) {
    pending = load(wasm).catch((err) => {
      pending = null;
      throw err;
    });
  }
  return pending;
}
