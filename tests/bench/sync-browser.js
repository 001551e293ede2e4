// The reconciliation store in the browser, beside a plain JavaScript Map-based merge of the same
// data in the same run: (a) merging a 50-message page into stores of 10,000 and 100,000 messages,
// (b) loading a 10,000-message snapshot. Same data shape as the native `benches/sync.rs`
// (100 conversations, `2-m{n}` ids). Results go to window.benchResult; nothing is asserted.
//
// The wasm engine is driven through its public API only: the store is loaded by
// `ThreadlineEngine.open` from a storage adapter prefilled with a snapshot, a page is merged by
// `applyRemote` of a `messages` fact (what a sibling tab's confirmed page is), timed until its
// Promise resolves: merge, delta write (JSON into the adapter) and notices included.
import { init, ThreadlineEngine } from "../../pkg/browser.js";

const CONVERSATIONS = 100;
const T0 = 1_700_000_000_000;

function message(n, conv, at, stamp) {
  const m = {
    id: `2-m${n}`,
    conversation: `2-t${conv}`,
    messageUrn: `urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailbox,2-m${n})`,
    text: `message number ${n}, of a typical length for a chat line`,
    sentAt: at,
    senderProfileId: "ACoAAother",
    isSentByOwner: n % 3 === 0,
    stamp,
  };
  if (n % 10 === 0) m.tally = { stamp, entries: [{ emoji: "👍", count: 2, viewerReacted: true }] };
  return m;
}

/** A snapshot (`Records`) of `n` messages over CONVERSATIONS conversations. */
function snapshotOf(n) {
  const per = n / CONVERSATIONS;
  const conversations = [];
  const messages = [];
  for (let c = 0; c < CONVERSATIONS; c++) {
    conversations.push({
      id: `2-t${c}`, urn: `urn:li:messagingThread:2-t${c}`, metaStamp: 0, readAt: 0,
      history: { hasMore: false, headLoaded: true },
    });
    for (let k = 0; k < per; k++) messages.push(message(c * per + k, c, T0 + k * 1000, 1024));
  }
  return { version: 1, keyCounter: 0, accounts: [{ account: "", conversations, messages }] };
}

/** A storage adapter over a Map, prefilled with one snapshot. */
function prefilled(json) {
  const map = new Map([
    ["bench:head", JSON.stringify({ v: 1, snapshot: 0, deltas: [], next: 0 })],
    ["bench:snapshot:0", json],
  ]);
  return { get: (k) => map.get(k), set: (k, v) => void map.set(k, v), remove: (k) => void map.delete(k) };
}

function open(json) {
  return ThreadlineEngine.open({
    baseUrl: location.origin, apiKey: "bench", storage: prefilled(json), storageKey: "bench",
    realtime: false, config: { snapshotEvery: 1_000_000 },
  });
}

// ----- the plain JavaScript baseline: a Map by id, tombstones, newest stamp wins -----

function jsLoad(json) {
  const records = JSON.parse(json);
  const store = { messages: new Map(), tombstones: new Set() };
  for (const a of records.accounts) {
    for (const m of a.messages) store.messages.set(m.id, m);
    for (const t of a.tombstones ?? []) store.tombstones.add(t);
  }
  return store;
}

function jsMerge(store, page) {
  let added = 0;
  for (const m of page) {
    if (store.tombstones.has(m.id)) continue;
    const held = store.messages.get(m.id);
    if (!held || held.stamp < m.stamp) {
      store.messages.set(m.id, m);
      if (!held) added++;
    }
  }
  return added;
}

// ----- timing -----

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median over `rounds` samples of the time per call, each sample `batch` calls (the browser's
 * clock is coarse); one warm-up sample first. */
async function timeAsync(rounds, batch, fn) {
  const samples = [];
  let call = 0;
  for (let i = 0; i <= rounds; i++) {
    const t0 = performance.now();
    for (let b = 0; b < batch; b++) await fn(call++);
    if (i > 0) samples.push((performance.now() - t0) / batch);
  }
  return median(samples);
}

let fresh = 50_000_000;
function page(conv, stamp) {
  const out = [];
  for (let k = 0; k < 50; k++) {
    const n = fresh++;
    out.push(message(n, conv, T0 + 90_000_000 + n, stamp));
  }
  return out;
}

async function mergeBench(n, rounds, batch) {
  const json = JSON.stringify(snapshotOf(n));
  const engine = await open(json);
  const fact = (messages) => ({ kind: "messages", account: "", conversationUrn: "urn:li:messagingThread:2-t7", messages });
  // The first write after opening is a whole snapshot (the engine's rule): keep it out.
  await engine.applyRemote(fact(page(7, 4096)));
  const stamp = 1 << 20;
  const calls = (rounds + 1) * batch;
  const pages = Array.from({ length: calls }, () => page(7, stamp));
  const wasmNew = await timeAsync(rounds, batch, (i) => engine.applyRemote(fact(pages[i])));
  const again = pages[0];
  const wasmSame = await timeAsync(rounds, batch, () => engine.applyRemote(fact(again)));
  const held = engine.conversationView("", "2-t7").messages.length;
  engine.close();
  engine.free();

  const store = jsLoad(json);
  const jsPages = Array.from({ length: calls }, () => page(7, stamp));
  const jsNew = await timeAsync(rounds, batch, (i) => jsMerge(store, jsPages[i]));
  const jsSame = await timeAsync(rounds, batch, () => jsMerge(store, jsPages[0]));
  return { n, wasmNew, wasmSame, jsNew, jsSame, held };
}

async function loadBench(n, rounds) {
  const json = JSON.stringify(snapshotOf(n));
  let shown = 0;
  const wasm = await timeAsync(rounds, 1, async () => {
    const engine = await open(json);
    shown = engine.conversationView("", "2-t7").messages.length;
    engine.close();
    engine.free();
  });
  const js = await timeAsync(rounds, 1, () => jsLoad(json).messages.size);
  return { n, wasm, js, bytes: json.length, shown };
}

async function run() {
  await init();
  const merges = [await mergeBench(10_000, 9, 10), await mergeBench(100_000, 9, 10)];
  const load = await loadBench(10_000, 9);
  window.benchResult = { merges, load };
}

run().catch((e) => {
  window.benchResult = { error: String(e && e.stack || e) };
});
