// A JS exception must never unwind through wasm frames: Rust destructors would not run (a
// RefCell borrow stays taken, a pump flag stays set, a Promise never settles) and wasm-bindgen's
// shadow stack leaks. Each test here reaches one JS call the module made without `catch` (a
// hostile argument, a caller's Promise, a patched built-in, a replaced `fetch`'s answer) and
// checks that the call settles with an error and that the module works on.
// Run: node --expose-gc --test tests/boundary/ (THREADLINE_PKG=dir to test another build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadPkg, startSim, settlesWithin, memoryEngines, failure, SEED_IDS, conversationUrn } from "./lib.mjs";

const ID = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
let m, sim;
before(async () => {
  m = await loadPkg();
  sim = await startSim();
});
after(() => sim?.stop());

const THREAD = () => conversationUrn(SEED_IDS.longThread);
const openEngine = memoryEngines("unwind", () => m, () => sim);


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

/** A real Promise of `value` whose own `then` throws. */
function throwingThen(value) {
  const p = Promise.resolve(value);
  p.then = () => { throw new Error("then boom"); };
  return p;
}

/** A real Promise of `value` whose `constructor` getter throws (what `Promise.resolve` reads). */
function throwingConstructor(value) {
  const p = Promise.resolve(value);
  Object.defineProperty(p, "constructor", { get() { throw new Error("constructor boom"); } });
  return p;
}

test("a storage adapter's Promise with a throwing then or constructor fails that write; later commands run", async () => {
  const map = new Map();
  let poison = null;
  const storage = {
    get: (k) => map.get(k),
    set: (k, v) => {
      map.set(k, v);
      return poison ? poison(undefined) : Promise.resolve();
    },
    remove: (k) => { map.delete(k); },
  };
  const engine = await openEngine({ storage });
  for (const make of [throwingThen, throwingConstructor]) {
    poison = make;
    const sent = await settlesWithin(engine.send({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), text: "poisoned" }), 3000);
    poison = null;
    assert.equal(sent.state, "rejected", `${make.name}: the send settles`);
    assert.equal(sent.error.code, "storage", `${make.name}: ${sent.error.message}`);
    const later = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 5000);
    assert.equal(later.state, "fulfilled", `${make.name}: a later command runs: ${later.error?.message}`);
  }
  engine.close();
});

test("an apiKey function's or a replaced fetch's Promise with a throwing then or constructor is an error of that call", async () => {
  const client = (apiKey = "dev") => new m.ThreadlineClient({ baseUrl: sim.url, apiKey, timeoutMs: 1500 });
  for (const make of [throwingThen, throwingConstructor]) {
    const keyed = await settlesWithin(client(() => make("dev")).listAccounts(), 3000);
    assert.equal(keyed.state, "rejected", `apiKey ${make.name}: settles`);
    assert.equal(keyed.error.code, "unauthorized", keyed.error.message);

    const realFetch = globalThis.fetch;
    globalThis.fetch = (req) => make(realFetch(req));
    let fetched;
    try {
      fetched = await settlesWithin(client().listAccounts(), 3000);
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.equal(fetched.state, "rejected", `fetch ${make.name}: settles`);
    assert.equal(fetched.error.code, "network", fetched.error.message);
  }
  // A body reader whose read() answers such a Promise.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (req) => {
    const r = await realFetch(req);
    const stream = r.body;
    const getReader = stream.getReader.bind(stream);
    stream.getReader = () => Object.assign(getReader(), { read: () => throwingThen({ done: true }) });
    return r;
  };
  let read;
  try {
    read = await settlesWithin(client().listAccounts(), 3000);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(read.state, "rejected", "a poisoned body read settles");
  assert.equal(read.error.code, "network", read.error.message);
  assert.ok((await client().listAccounts()).length > 0, "a later call works");
});

test("a console.warn that throws (jest-fail-on-console) leaves the pump running when a listener throws", async () => {
  const engine = await openEngine();
  engine.subscribe(() => { throw new Error("listener boom"); });
  const warn = console.warn;
  let warned = 0;
  console.warn = () => { warned++; throw new Error("console.warn boom"); };
  let first;
  try {
    first = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 3000);
  } finally {
    console.warn = warn;
  }
  assert.ok(warned > 0, "the listener's failure was warned of");
  assert.equal(first.state, "fulfilled", `the command settles: ${first.error?.message}`);
  const later = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 3000);
  assert.equal(later.state, "fulfilled", `a later command settles: ${later.error?.message}`);
  engine.close();
});

/**
 * Runs `body` with `object[key]` replaced by `value`, restored as soon as it returns: not over
 * an `await`, as Node's own fetch (which the engine's requests use) calls both patched methods.
 */
function patched(object, key, value, body) {
  const saved = Object.getOwnPropertyDescriptor(object, key);
  Object.defineProperty(object, key, { ...saved, value });
  try {
    return body();
  } finally {
    Object.defineProperty(object, key, saved);
  }
}

const boom = () => { throw new Error("page patch boom"); };
const ACCENTED_SLUG = "https://www.linkedin.com/in/%C3%89T%C3%89/";

test("a throwing String.prototype.toLowerCase or RegExp.prototype.exec while a slug is parsed leaves the engine usable", async () => {
  for (const [object, key] of [[String.prototype, "toLowerCase"], [RegExp.prototype, "exec"]]) {
    const engine = await openEngine();
    // The command is parsed as it is fed.
    const sending = patched(object, key, boom, () => engine.send({ accountId: SEED_IDS.ada, recipientProfileUrn: ACCENTED_SLUG, text: "hi" }));
    const sent = await settlesWithin(sending, 3000);
    assert.notEqual(sent.state, "pending", `${key}: the send settles`);
    assert.ok(!(sent.error instanceof WebAssembly.RuntimeError), `${key}: ${sent.error?.message}`);
    assert.ok(engine.status(""), `${key}: the engine still answers`);
    const later = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 5000);
    assert.equal(later.state, "fulfilled", `${key}: a later command runs: ${later.error?.message}`);
    engine.close();
  }
  // The URN functions too, past the ~1,200 unwinds that exhausted the shadow stack; a slug the
  // page's engine would not lowercase is refused, never read as another one ("slug:ÉtÉ").
  const answers = new Set();
  patched(String.prototype, "toLowerCase", boom, () => {
    for (let i = 0; i < 2000; i++) answers.add(m.tryProfileId(ACCENTED_SLUG));
  });
  assert.deepEqual([...answers], [null]);
  // A patch whose answer is no string (its `toString` throwing) is no answer either.
  const odd = () => ({ toString: boom, valueOf: boom });
  assert.equal(patched(String.prototype, "toLowerCase", odd, () => m.tryProfileId(ACCENTED_SLUG)), null);
  assert.equal(m.profileId(ACCENTED_SLUG), "slug:été", "and answers as before once the patch is gone");
});

test("a patched toLowerCase or RegExp exec that calls the engine back while it parses a slug is answered busy; the engine works on", async () => {
  for (const [object, key] of [[String.prototype, "toLowerCase"], [RegExp.prototype, "exec"]]) {
    const engine = await openEngine();
    const readFact = { kind: "read", account: SEED_IDS.ada, conversation: SEED_IDS.longThread, at: 1 };
    // Each kind of call back: reads of the engine, a command, a send (which takes a client key
    // first), an input. Before, the first one aborted the module (the engine borrowed twice).
    const calls = {
      status: () => engine.status(SEED_IDS.ada),
      unreadTotal: () => engine.unreadTotal(SEED_IDS.ada),
      conversationView: () => engine.conversationView(SEED_IDS.ada, THREAD()),
      markRead: () => engine.markRead({ accountId: SEED_IDS.ada, conversationUrn: THREAD() }),
      send: () => engine.send({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), text: "inner" }),
      applyRemote: () => engine.applyRemote(readFact),
    };
    const answers = [];
    const original = object[key];
    let inside = false;
    function callingBack(...args) {
      if (!inside) {
        inside = true;
        try {
          for (const [name, call] of Object.entries(calls)) {
            try {
              const r = call();
              answers.push(r instanceof Promise ? r.then(() => `${name}: answered`, (e) => `${name}: ${e?.code ?? e}`) : `${name}: answered`);
            } catch (e) {
              answers.push(`${name}: ${e instanceof WebAssembly.RuntimeError ? "trap" : e?.code ?? e}`);
            }
          }
        } finally {
          inside = false;
        }
      }
      return original.apply(this, args);
    }
    const sending = patched(object, key, callingBack, () =>
      engine.send({ accountId: SEED_IDS.ada, recipientProfileUrn: ACCENTED_SLUG, text: "hi" }));
    const sent = await settlesWithin(sending, 5000);
    assert.notEqual(sent.state, "pending", `${key}: the send settles`);
    assert.ok(!(sent.error instanceof WebAssembly.RuntimeError), `${key}: the send: ${sent.error?.message}`);
    // Once per call of the patch (`exec` runs once per character beyond ASCII), every one busy.
    const got = await Promise.all(answers);
    assert.ok(got.length >= Object.keys(calls).length, `${key}: the patch ran while the slug was parsed`);
    assert.deepEqual([...new Set(got)], Object.keys(calls).map((name) => `${name}: busy`), key);
    assert.equal(m.profileId(ACCENTED_SLUG), "slug:été");
    assert.ok(engine.status(SEED_IDS.ada), `${key}: the engine still answers`);
    const later = await settlesWithin(engine.markRead({ accountId: SEED_IDS.ada, conversationUrn: THREAD() }), 5000);
    assert.notEqual(later.state, "pending", `${key}: a later command settles`);
    assert.notEqual(later.error?.code, "busy", `${key}: a later command runs: ${later.error?.message}`);
    engine.close();
  }
});

test("a socket handler a patched toLowerCase calls while the engine parses a slug has its event fed after the step", async () => {
  // A WebSocket of the page's own (Node 20 has none): it keeps each socket, so the patch can call
  // the handlers the engine set on it, as a page that replaced WebSocket can.
  const sockets = [];
  const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
  globalThis.WebSocket = class {
    constructor(url) {
      this.url = url;
      sockets.push(this);
    }
    close() {}
  };
  try {
    const engine = await openEngine({ realtime: true });
    for (let i = 0; i < 100 && !sockets[0]?.onmessage; i++) await new Promise((r) => setTimeout(r, 20));
    const socket = sockets[0];
    assert.ok(socket?.onopen && socket?.onmessage, "the engine connected its socket");
    const calls = [];
    const original = String.prototype.toLowerCase;
    let inside = false;
    function callingHandlers() {
      if (!inside) {
        inside = true;
        try {
          for (const [name, call] of [
            ["onmessage", () => socket.onmessage({ data: JSON.stringify({ seq: 1, type: "conversationRead", at: 1, accountId: SEED_IDS.ada, conversationUrn: THREAD() }) })],
            ["onopen", () => socket.onopen()],
          ]) {
            try {
              call();
              calls.push(`${name}: returned`);
            } catch (e) {
              calls.push(`${name}: ${e instanceof WebAssembly.RuntimeError ? "trap" : e?.message}`);
            }
          }
        } finally {
          inside = false;
        }
      }
      return original.call(this);
    }
    const sending = patched(String.prototype, "toLowerCase", callingHandlers, () =>
      engine.send({ accountId: SEED_IDS.ada, recipientProfileUrn: ACCENTED_SLUG, text: "hi" }));
    const sent = await settlesWithin(sending, 5000);
    assert.notEqual(sent.state, "pending", "the send settles");
    assert.ok(!(sent.error instanceof WebAssembly.RuntimeError), `the send: ${sent.error?.message}`);
    assert.deepEqual(calls, ["onmessage: returned", "onopen: returned"]);
    assert.ok(engine.status(SEED_IDS.ada), "the engine still answers");
    const later = await settlesWithin(engine.markRead({ accountId: SEED_IDS.ada, conversationUrn: THREAD() }), 5000);
    assert.notEqual(later.state, "pending", "a later command settles");
    assert.ok(!(later.error instanceof WebAssembly.RuntimeError), `a later command: ${later.error?.message}`);
    engine.close();
  } finally {
    if (saved) Object.defineProperty(globalThis, "WebSocket", saved);
    else delete globalThis.WebSocket;
  }
});

test("a Date.now that throws neither unwinds through a command nor leaves the engine borrowed", async () => {
  const engine = await openEngine();
  const first = await settlesWithin(patched(Date, "now", boom, () => engine.refreshConversations({ accountId: SEED_IDS.ada })), 3000);
  assert.equal(first.state, "fulfilled", `the command settles: ${first.error?.message}`);
  // Nor one whose answer is no number and throws when made one (converted in Rust, not by the
  // glue outside its catch).
  const odd = () => ({ valueOf: boom, toString: boom });
  const second = await settlesWithin(patched(Date, "now", odd, () => engine.refreshConversations({ accountId: SEED_IDS.ada })), 3000);
  assert.equal(second.state, "fulfilled", `the command settles: ${second.error?.message}`);
  assert.ok(engine.status(""), "the engine still answers");
  const later = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 3000);
  assert.equal(later.state, "fulfilled", `a later command settles: ${later.error?.message}`);
  engine.close();
});

/** `r` with `key` made a getter that throws. */
const throwingGetter = (key) => (r) => Object.defineProperty(r, key, { get() { throw new Error(`${key} boom`); } });

test("a replaced fetch's answer with throwing parts is a network error of that call; the engine works on", async () => {
  const realFetch = globalThis.fetch;
  const poisons = {
    ...Object.fromEntries(["type", "url", "redirected", "status", "headers", "body"].map((k) => [k, throwingGetter(k)])),
    "headers.entries()": (r) => Object.defineProperty(r, "headers", { value: { entries() { throw new Error("entries boom"); } } }),
    "an entry's done": (r) => Object.defineProperty(r, "headers", {
      value: { entries: () => ({ next: () => ({ get done() { throw new Error("done boom"); } }) }) },
    }),
    "an entry's value": (r) => Object.defineProperty(r, "headers", {
      value: { entries: () => ({ next: () => ({ done: false, get value() { throw new Error("value boom"); } }) }) },
    }),
    // Headers that never end: read up to a bound, then a network error (the loop is synchronous:
    // unbounded, it grew the list until the module aborted, and no deadline could fire).
    "endless headers": (r) => Object.defineProperty(r, "headers", {
      value: { entries: () => ({ next: () => ({ done: false, value: ["x-many", "1"] }) }) },
    }),
    "body.getReader()": (r) => Object.defineProperty(r, "body", { value: { getReader() { throw new Error("getReader boom"); } } }),
    "a chunk's own length": (r) => {
      const chunk = new Uint8Array(4);
      Object.defineProperty(chunk, "length", { get() { throw new Error("length boom"); } });
      Object.defineProperty(chunk, "subarray", { value() { throw new Error("subarray boom"); } });
      let sent = false;
      const read = async () => (sent ? { done: true } : ((sent = true), { done: false, value: chunk }));
      return Object.defineProperty(r, "body", { value: { getReader: () => ({ read }) } });
    },
  };
  let poison = null;
  globalThis.fetch = async (req) => {
    const r = await realFetch(req);
    return poison ? poison(r) : r;
  };
  try {
    const client = new m.ThreadlineClient({ baseUrl: sim.url, apiKey: "dev", timeoutMs: 1000 });
    for (const [what, make] of Object.entries(poisons)) {
      poison = make;
      const call = await settlesWithin(client.listAccounts(), 3000);
      poison = null;
      assert.equal(call.state, "rejected", `${what}: the call settles`);
      assert.equal(call.error.code, what === "a chunk's own length" ? "malformed" : "network", `${what}: ${call.error.message}`);
    }
    // The thrown error's own toString throws.
    poison = () => {
      const e = new TypeError("offline");
      e.toString = () => { throw new Error("toString boom"); };
      throw e;
    };
    const offline = await settlesWithin(client.listAccounts(), 3000);
    poison = null;
    assert.equal(offline.state, "rejected");
    assert.equal(offline.error.code, "network", offline.error.message);

    // Through an engine: past its request's deadline, the module still answers.
    const engine = await openEngine({ timeoutMs: 500 });
    poison = throwingGetter("status");
    const refreshed = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 3000);
    poison = null;
    assert.notEqual(refreshed.state, "pending", "the refresh settles");
    await new Promise((r) => setTimeout(r, 700));
    const later = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 3000);
    assert.equal(later.state, "fulfilled", `a later refresh: ${later.error?.message}`);
    engine.close();
  } finally {
    globalThis.fetch = realFetch;
  }
});

test("a throwing Array.prototype.slice while a view is assembled leaves the engine and its memo usable", async () => {
  const engine = await openEngine();
  const opened = { view: "v", accountId: SEED_IDS.ada, conversationUrn: THREAD() };
  await engine.refreshConversations({ accountId: SEED_IDS.ada });
  await engine.openConversation(opened);
  const view = () => engine.conversationView(SEED_IDS.ada, THREAD());
  for (let i = 0; i < 100 && !(view()?.messages.length > 0); i++) await new Promise((r) => setTimeout(r, 50));
  const count = view().messages.length;
  assert.ok(count > 0);
  for (const key of ["slice"]) {
    let e;
    patched(Array.prototype, key, boom, () => {
      try {
        view();
      } catch (err) {
        e = err;
      }
    });
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${key}: ${e?.message}`);
    assert.equal(view().messages.length, count, `${key}: the view reads again`);
    assert.ok(engine.status(""), `${key}: the engine still answers`);
  }
  const later = await settlesWithin(engine.refresh(opened), 3000);
  assert.equal(later.state, "fulfilled", `a later command: ${later.error?.message}`);
  engine.close();
});

test("a Math.random that throws while an engine opens: open settles and the engine works", async () => {
  // Patched until the microtasks of open's first steps have run (the seed is drawn there),
  // and no longer: Node's own code draws too.
  const saved = Math.random;
  Math.random = boom;
  let opening;
  try {
    opening = openEngine();
    await new Promise((r) => setImmediate(r));
  } finally {
    Math.random = saved;
  }
  const opened = await settlesWithin(opening, 3000);
  assert.equal(opened.state, "fulfilled", `open settles: ${opened.error?.message}`);
  const engine = opened.value;
  const refreshed = await settlesWithin(engine.refreshConversations({ accountId: SEED_IDS.ada }), 3000);
  assert.equal(refreshed.state, "fulfilled", `a command runs: ${refreshed.error?.message}`);
  engine.close();
});
