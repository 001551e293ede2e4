// A JS exception must never unwind through wasm frames: Rust destructors would not run (a
// RefCell borrow stays taken, a pump flag stays set, a Promise never settles) and wasm-bindgen's
// shadow stack leaks. Each test here reaches one JS call the module made without `catch` (a
// hostile argument, a caller's Promise, a patched built-in, a replaced `fetch`'s answer) and
// checks that the call settles with an error and that the module works on.
// Run: node --expose-gc --test tests/boundary/ (THREADLINE_PKG=dir to test another build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadPkg, startSim, settlesWithin, SEED_IDS, conversationUrn } from "./lib.mjs";

const ID = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
let m, sim;
let prefix = 0;
before(async () => {
  m = await loadPkg();
  sim = await startSim();
});
after(() => sim?.stop());

const THREAD = () => conversationUrn(SEED_IDS.longThread);
const openEngine = (extra = {}) =>
  m.ThreadlineEngine.open({
    baseUrl: sim.url,
    apiKey: "dev",
    storage: "memory",
    storageKey: `unwind-${process.pid}-${prefix++}`,
    realtime: false,
    timeoutMs: 2000,
    ...extra,
  });

/** What `call` threw or rejected with (undefined if it succeeded). */
async function failure(call) {
  try {
    await call();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** A function whose `name` getter throws. */
function throwingName() {
  const f = () => {};
  Object.defineProperty(f, "name", { get() { throw new Error("name boom"); } });
  return f;
}

test("a function with a throwing name, or a symbol, where a string is read is a TypeError; open settles", async () => {
  const opened = await settlesWithin(m.ThreadlineEngine.open({ baseUrl: throwingName(), apiKey: "dev", storage: "memory" }), 3000);
  assert.equal(opened.state, "rejected", "open settles");
  assert.ok(opened.error instanceof TypeError, `${opened.error?.name}: ${opened.error?.message}`);
  assert.match(opened.error.message, /invalid type: JsValue\(Function\), expected a string/);

  const engine = await openEngine();
  // Symbol.prototype.description patched to throw: a symbol is described without it.
  const description = Object.getOwnPropertyDescriptor(Symbol.prototype, "description");
  Object.defineProperty(Symbol.prototype, "description", { configurable: true, get() { throw new Error("description boom"); } });
  try {
    // Past the ~1,200 unwinds that exhausted the shadow stack.
    for (let i = 0; i < 2000; i++) {
      for (const text of [throwingName(), [throwingName()], Symbol("s")]) {
        const e = await failure(() => engine.send({ conversationUrn: THREAD(), text }));
        assert.ok(e instanceof TypeError, `${e?.name}: ${e?.message}`);
      }
    }
    assert.match((await failure(() => engine.send({ conversationUrn: THREAD(), text: Symbol("s") }))).message, /JsValue\(Symbol\(s\)\)/);
    assert.match((await failure(() => engine.send({ conversationUrn: THREAD(), text: [1, "a", 2n] }))).message, /JsValue\(\[1, "a", 2n\]\)/);
  } finally {
    Object.defineProperty(Symbol.prototype, "description", description);
  }
  assert.ok(engine.status(""), "the engine still answers");
  assert.equal(m.messageId(ID), ID);
  engine.close();
});
