// Whether the WebAssembly module has been instantiated. Shared by the loaders and the guarded
// exports so that a call made before `init()` fails with a clear error instead of a TypeError
// from deep inside the generated glue.
let ready = false;

export function isReady() {
  return ready;
}

export function setReady() {
  ready = true;
}

export function notInitialized(what) {
  const err = new Error(
    `threadline: ${what} was used before init() finished; call \`await init()\` first`,
  );
  err.name = "ThreadlineError";
  err.code = "not_initialized";
  return err;
}
