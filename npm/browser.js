// Browser entry of the threadline package: `await init(wasmUrl?)`, then every export works.
// The .wasm is a separate file next to the glue, fetched (streamed where the server allows).
import initGlue from "./glue/threadline.js";
import { setReady } from "./ready.js";

export * from "./core.js";
export * from "./errors.js";

let pending = null;

/** Instantiate the WebAssembly module once; later calls return the same promise. */
export function init(wasm) {
  if (!pending) {
    const source = wasm ?? new URL("./glue/threadline_bg.wasm", import.meta.url);
    pending = initGlue({ module_or_path: source }).then(
      () => setReady(),
      (err) => {
        pending = null;
        throw err;
      },
    );
  }
  return pending;
}
