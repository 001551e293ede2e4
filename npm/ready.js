// Whether the WebAssembly module has been instantiated. Shared by the loaders and the guarded
// exports so that a call made before `init()` fails with a clear error instead of a TypeError
// from deep inside the generated glue.
import { ThreadlineError } from "./errors.js";

let ready = false;

export function isReady() {
  return ready;
}

export function setReady() {
  ready = true;
}

export function notInitialized(what) {
  return new ThreadlineError(
    "not_initialized",
    `threadline: ${what} was used before init() finished; call \`await init()\` first`,
  );
}
