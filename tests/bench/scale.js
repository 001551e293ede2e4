// The scale benchmark's page (issue 13; driven by scripts/bench-scale.mjs, which reloads it between
// steps so each open is a fresh realm): builds a store of N messages through the engine's public
// API, opens it cold and shows conversation 0, applies 50-message pages, and runs the plain-JS
// baseline over an IndexedDB of its own. Each step is a function on `window.bench`; nothing is
// asserted, every function returns figures.
import initGlue from "../../pkg/glue/threadline.js";
import { init, ThreadlineEngine } from "../../pkg/browser.js";
import { NOW, conversation, fact, layout, newPage, snapshotText } from "./scale-data.mjs";

const KEY = "bench";
const BASELINE_DB = "bench-baseline";
const SEP = "\u0001";
let wasm = null;
let engine = null;

async function start() {
  if (!wasm) {
    wasm = await initGlue({ module_or_path: new URL("../../pkg/glue/threadline_bg.wasm", import.meta.url) });
    await init(); // the package's own init: finds the module instantiated and marks it ready
  }
}

function open(storage, config = {}) {
  return ThreadlineEngine.open({
    // No API behind it: the engine's own requests fail fast (404) and change nothing stored.
    baseUrl: `${location.origin}/no-api`, apiKey: "bench", storage, storageKey: KEY, realtime: false, config,
  });
}

function close() {
  if (engine) {
    engine.close();
    engine.free();
    engine = null;
  }
}

/** The storage option for `open()`: "memory" is a `Map` adapter of this page (the engine's own
 * memory storage lives inside the wasm, where the bench cannot write a store straight in). */
const memory = new Map();
const memoryAdapter = { get: (k) => memory.get(k), set: (k, v) => void memory.set(k, v), remove: (k) => void memory.delete(k) };
const storageOption = (storage) => (storage === "memory" ? memoryAdapter : storage);

/** Builds an `n`-message store, then opens it again with the default configuration and writes
 * once, so a snapshot-and-deltas store is compacted as a user's would be.
 * - `how: "snapshot"` (default): the store is written straight in, in the engine's own snapshot
 *   layout (`snapshotText`, the bytes the engine writes for the same history): into localStorage
 *   or the memory adapter as they are, and for "indexedDB" through the engine's migration
 *   (`migrateFrom` an adapter holding it), which writes every record.
 * - `how: "feed"`: every conversation is fed as one `messages` fact through `applyRemote`,
 *   `inFlightMax` facts in flight at once (each merge is one write). Realistic, but each step costs
 *   more as history grows: about 6 minutes for 200k messages here. */
async function build({ n, storage, how = "snapshot", inFlightMax = 32 }) {
  await start();
  const { conversations } = layout(n);
  const t0 = performance.now();
  let migration = null;
  if (how === "feed") {
    // Snapshot-and-deltas stores: a whole snapshot every 2,000 facts while building, not every
    // 200 (each is the whole store: quadratic), nor never (the head lists every delta).
    engine = await open(storageOption(storage), { snapshotEvery: 2000 });
    const inFlight = new Set();
    let firstError = null;
    for (let c = 0; c < conversations; c++) {
      const p = engine.applyRemote(fact(conversation(n, c))).catch((e) => (firstError ??= e));
      inFlight.add(p);
      p.finally(() => inFlight.delete(p));
      if (inFlight.size >= inFlightMax) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    close();
    if (firstError) throw firstError;
  } else {
    const text = snapshotText(n);
    const head = JSON.stringify({ v: 1, snapshot: 0, deltas: [], next: 1 });
    if (storage === "localStorage") {
      localStorage.setItem(`${KEY}:snapshot:0`, text);
      localStorage.setItem(`${KEY}:head`, head);
    } else if (storage === "memory") {
      memory.set(`${KEY}:snapshot:0`, text);
      memory.set(`${KEY}:head`, head);
    } else {
      const old = new Map([[`${KEY}:snapshot:0`, text], [`${KEY}:head`, head]]);
      const from = { get: (k) => old.get(k), set: (k, v) => void old.set(k, v), remove: (k) => void old.delete(k) };
      engine = await step("migration", ThreadlineEngine.open({
        baseUrl: `${location.origin}/no-api`, apiKey: "bench", storage, migrateFrom: from, storageKey: KEY, realtime: false,
      }));
      migration = engine.restoreIssues().map((i) => i.message);
      close();
    }
  }
  const builtMs = performance.now() - t0;
  const t1 = performance.now();
  engine = await step("reopen after the build", open(storageOption(storage)));
  // Over IndexedDB the engine opens with a window of the list (issue 13): page the rest in.
  const window = engine.conversationList("").length;
  while (typeof engine.conversationListHasMore === "function" && engine.conversationListHasMore("")) {
    await engine.loadMoreConversations("");
  }
  const held = engine.conversationList("").length;
  await engine.applyRemote({ kind: "read", account: "", conversation: conversation(n, 0).id, at: NOW + 1 });
  close();
  return { conversations, held, window, builtMs, compactMs: performance.now() - t1, migration };
}

/** Names the step a failure came from. */
async function step(name, promise) {
  try {
    return await promise;
  } catch (e) {
    throw new Error(`${name}: ${e.code ?? e.name}: ${e.message}`);
  }
}

/** Cold open to the first conversation view: wasm instantiation, `open()` (reads and restores
 * the store), then `openConversation` of conversation 0 (a 200-message thread; with IndexedDB it
 * resolves once that conversation's messages were read) and its view. The engine stays open. */
async function openView({ n, storage }) {
  // Before the clock starts: generating the thread to know its URN is the bench's work (the
  // baseline takes its id before its clock too).
  const urn = conversation(n, 0).urn;
  const t0 = performance.now();
  await start();
  const t1 = performance.now();
  engine = await open(storageOption(storage));
  const t2 = performance.now();
  await engine.openConversation({ view: "bench", conversationUrn: urn });
  const view = engine.conversationView("", urn);
  const t3 = performance.now();
  return {
    initMs: t1 - t0, openMs: t2 - t1, viewMs: t3 - t2, firstViewMs: t3 - t0, startedAt: t0,
    shown: view?.messages.length ?? 0, issues: engine.restoreIssues().length,
    wasmBytes: wasm.memory.buffer.byteLength,
  };
}

/** `openView` with every IndexedDB request the page makes timed (the factory's `open`, each
 * transaction with its stores and mode, each `getAll`/`getAllKeys`/`put` with its store and how
 * many records it read): where a cold first view's time goes. Relative to the page start of the
 * open (`initMs` is the wasm's). */
async function openProfiled({ n, storage }) {
  const events = [];
  const base = performance.now();
  const at = () => performance.now() - base;
  const wrap = (proto, name, describe) => {
    const original = proto[name];
    proto[name] = function (...args) {
      const r = original.apply(this, args);
      const e = { what: name, on: describe(this, args, r), start: at(), end: null, count: null };
      events.push(e);
      if (r instanceof IDBRequest) {
        r.addEventListener("success", () => {
          e.end = at();
          if (Array.isArray(r.result)) e.count = r.result.length;
        });
      } else if (r instanceof IDBTransaction) {
        r.addEventListener("complete", () => void (e.end = at()));
        r.addEventListener("abort", () => void (e.end = at()));
      }
      return r;
    };
    return () => void (proto[name] = original);
  };
  const undo = [
    wrap(IDBFactory.prototype, "open", (_t, a) => a[0]),
    wrap(IDBDatabase.prototype, "transaction", (_t, a, r) => `${[].concat(a[0]).join(",")} ${r.mode}`),
    wrap(IDBObjectStore.prototype, "getAll", (t) => t.name),
    wrap(IDBObjectStore.prototype, "getAllKeys", (t) => t.name),
    wrap(IDBObjectStore.prototype, "put", (t) => t.name),
    wrap(IDBIndex.prototype, "getAll", (t) => `${t.objectStore.name}.${t.name}`),
    wrap(IDBIndex.prototype, "getAllKeys", (t) => `${t.objectStore.name}.${t.name}`),
  ];
  try {
    const view = await openView({ n, storage });
    const at0 = view.startedAt - base;
    return { view, events, marks: { init: at0 + view.initMs, open: at0 + view.initMs + view.openMs, view: at0 + view.firstViewMs } };
  } finally {
    for (const u of undo) u();
  }
}

/** `applyRemote` of a fresh 50-message page into conversation 0, until it resolves (merge, write,
 * notices); median of `rounds`. */
async function applyPage({ n, rounds = 5 }) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const f = fact(newPage(n, r * 50));
    const t0 = performance.now();
    await engine.applyRemote(f);
    samples.push(performance.now() - t0);
  }
  const shown = engine.conversationView("", conversation(n, 0).urn)?.messages.length ?? 0;
  close();
  return { ms: median(samples), shown };
}

/** Bytes the origin uses as the browser counts them (IndexedDB, caches; not localStorage), and
 * the characters held in localStorage under the engine's prefix. */
async function estimate() {
  const { usage } = await navigator.storage.estimate();
  let localChars = 0;
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k.startsWith(KEY)) localChars += k.length + localStorage.getItem(k).length;
  }
  return { usage, localChars };
}

/** Plain JS reading every record of the engine's IndexedDB (`getAll` of each object store): the
 * least an open that loads the whole store pays, beside the engine's `open()`. */
async function readAll() {
  const t0 = performance.now();
  const db = await request(indexedDB.open(`threadline:${KEY}`));
  let records = 0;
  const stores = {};
  for (const name of db.objectStoreNames) {
    const s0 = performance.now();
    const all = await request(db.transaction(name).objectStore(name).getAll());
    let chars = 0;
    for (const v of all) chars += v.json?.length ?? 0;
    stores[name] = { ms: performance.now() - s0, records: all.length, chars };
    records += all.length;
  }
  db.close();
  return { ms: performance.now() - t0, records, stores };
}

/** Plain JS reading what `RecordLog::load_window(50)` reads of the engine's IndexedDB (layout 2):
 * every small table in one transaction, then per account the newest 50 conversations through
 * `byActivity` (`getAll` with a count). Beside `readAll`: what an open that reads a window of the
 * conversation list instead of the table would pay in IndexedDB. */
async function readWindow() {
  const small = ["meta", "accounts", "tombstones", "reactions", "outbox", "recalls", "elsewhere"];
  const t0 = performance.now();
  const db = await request(indexedDB.open(`threadline:${KEY}`));
  const tx = db.transaction(small);
  const got = await Promise.all(small.map((name) => request(tx.objectStore(name).getAll())));
  let records = got.reduce((sum, all) => sum + all.length, 0);
  const accounts = got[1].map((v) => JSON.parse(v.json).account);
  const t1 = performance.now();
  const conversations = db.transaction("conversations").objectStore("conversations");
  // A store of layout 1 (an older build) has no such index: nothing to measure.
  if (!conversations.indexNames.contains("byActivity")) {
    db.close();
    return null;
  }
  const index = conversations.index("byActivity");
  const windows = await Promise.all(accounts.map((a) =>
    request(index.getAll(IDBKeyRange.bound([a], [a, []]), 50))));
  let chars = 0;
  for (const w of windows) for (const v of w) chars += v.json.length;
  records += windows.reduce((sum, w) => sum + w.length, 0);
  const t2 = performance.now();
  db.close();
  return { ms: t2 - t0, smallMs: t1 - t0, windowMs: t2 - t1, records, conversations: windows.map((w) => w.length), chars };
}

// ----- the plain-JS baseline: its own IndexedDB in the engine's layout (i13-design.md) -----

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openBaseline() {
  const r = indexedDB.open(BASELINE_DB, 1);
  r.onupgradeneeded = () => {
    const store = r.result.createObjectStore("messages");
    store.createIndex("byConversation", ["a", "c", "t"]);
    store.createIndex("bySentAt", ["a", "t"]);
  };
  return request(r);
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

/** Writes the same `n` messages as records `{json, a, c, t}` keyed `<account>\u0001<id>`, in
 * transactions of a few thousand. */
async function baselineBuild({ n }) {
  const t0 = performance.now();
  const db = await openBaseline();
  const { conversations } = layout(n);
  let tx = null;
  let batch = 0;
  for (let c = 0; c < conversations; c++) {
    // Relaxed: building is set-up, not measured.
    if (!tx) tx = db.transaction("messages", "readwrite", { durability: "relaxed" });
    const store = tx.objectStore("messages");
    for (const m of conversation(n, c).messages) {
      store.put({ json: JSON.stringify(m), a: "", c: m.conversation, t: m.sentAt }, `${SEP}${m.id}`);
      batch++;
    }
    if (batch >= 5000 || c === conversations - 1) {
      await done(tx);
      tx = null;
      batch = 0;
    }
  }
  db.close();
  return { ms: performance.now() - t0 };
}

/** Opens the baseline's IndexedDB and reads the newest 50 messages of conversation 0 through
 * `byConversation` (a cursor walking backwards), parsed. */
async function baselineRead({ n }) {
  const id = conversation(n, 0).id;
  const t0 = performance.now();
  const db = await openBaseline();
  const t1 = performance.now();
  const index = db.transaction("messages").objectStore("messages").index("byConversation");
  const range = IDBKeyRange.bound(["", id, -Infinity], ["", id, Infinity]);
  const messages = await new Promise((resolve, reject) => {
    const out = [];
    const r = index.openCursor(range, "prev");
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const cursor = r.result;
      if (!cursor || out.length === 50) return resolve(out);
      out.push(JSON.parse(cursor.value.json));
      cursor.continue();
    };
  });
  const t2 = performance.now();
  db.close();
  return { openMs: t1 - t0, readMs: t2 - t1, totalMs: t2 - t0, shown: messages.length };
}

/** Removes what the page stored (the engine's keys in every storage, the baseline's database). */
async function clear() {
  close();
  for (const name of [`threadline:${KEY}`, BASELINE_DB]) {
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase(name);
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
  }
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (k.startsWith(KEY)) localStorage.removeItem(k);
  }
}

/** Whether a store written straight in (`snapshotText`) restores to the same engine state as one
 * fed conversation by conversation through `applyRemote` (compared as `snapshot()`, records in
 * id order); on memory adapters, `n` small. */
async function sameAsFed({ n }) {
  await start();
  const adapter = (map) => ({ get: (k) => map.get(k), set: (k, v) => void map.set(k, v), remove: (k) => void map.delete(k) });
  const state = async (map) => {
    const e = await open(adapter(map));
    const s = e.snapshot();
    e.close();
    e.free();
    for (const a of s.accounts) {
      a.messages.sort((x, y) => (x.id < y.id ? -1 : 1));
      a.conversations.sort((x, y) => (x.id < y.id ? -1 : 1));
    }
    return JSON.stringify(s);
  };
  const fed = new Map();
  const e = await open(adapter(fed));
  for (let c = 0; c < layout(n).conversations; c++) await e.applyRemote(fact(conversation(n, c)));
  e.close();
  e.free();
  const written = new Map([[`${KEY}:snapshot:0`, snapshotText(n)], [`${KEY}:head`, JSON.stringify({ v: 1, snapshot: 0, deltas: [], next: 1 })]]);
  return (await state(fed)) === (await state(written));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

window.bench = { sameAsFed, readAll, readWindow, build, openView, openProfiled, applyPage, estimate, baselineBuild, baselineRead, clear };
