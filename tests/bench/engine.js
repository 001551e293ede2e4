// Issue 15's engine benchmark (driven by scripts/bench-engine.mjs; figures, nothing asserted): the
// wasm engine over IndexedDB beside a plain-JS engine a peer would write for the same rules, on
// the same history (tests/bench/scale-data.mjs: an outreach account of N messages), in one run:
//   - merge: a fresh 50-message page into the open 200-message conversation, until it is stored
//     (the engine's `applyRemote` resolves after its write; the peer awaits its transaction);
//   - view: the view of that conversation as the UI gets it (every message with its state,
//     subject, reactions and recall eligibility, then the outbox entries), after each merge, and
//     again after merges of pages that each hold one text with characters beyond ASCII;
//   - cold open: opening the store to the first view of that conversation (the wasm module
//     already instantiated in both: the scale benchmark counts that part).
//
// The peer (`Peer` below) keeps the rules the engine keeps (DESIGN.md, "Reconciliation rules"),
// the way one would in JavaScript: `Map`s by id, `JSON.parse`, one IndexedDB record per message
// (`{json, a, c, t}` with a `byConversation` and a `bySentAt` index: the engine's own layout, the
// two indexes issue 13 asks of the store, each index paying its part of every put), tombstones checked on
// every merge, a held message replaced only by a better body (stamp, then URN, time, text,
// conversation: the engine's `body_rank`), tallies by their stamp, a client key kept across a
// replacement, an own echo matched to its outbox entry by conversation and text, one
// transaction per merge. Where it is simpler than the engine (no per-account quota, no history
// cursors, no notices), the engine does more work for the same figure.
import initGlue from "../../pkg/glue/threadline.js";
import { init, ThreadlineEngine } from "../../pkg/browser.js";
import { NOW, conversation, layout, newPage, snapshotText } from "./scale-data.mjs";

const KEY = "bench-engine";
const PEER_DB = "bench-engine-peer";
const SEP = "\u0001";
const RECALL_WINDOW_MS = 60 * 60 * 1000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});
const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = tx.onabort = () => reject(tx.error);
});
const drop = (name) => new Promise((resolve) => {
  const r = indexedDB.deleteDatabase(name);
  r.onsuccess = r.onerror = r.onblocked = () => resolve();
});

// ----- the peer: the same rules in plain JavaScript ----------------------------------------------

/** Compares two held bodies as the engine's `body_rank` does: stamp, URN, time, text, conversation. */
function bodyRank(a, b) {
  for (const k of ["stamp", "messageUrn", "sentAt", "text", "conversation"]) {
    if (a[k] === b[k]) continue;
    return (a[k] ?? "") > (b[k] ?? "") ? 1 : -1;
  }
  return 0;
}

class Peer {
  static async open() {
    const r = indexedDB.open(PEER_DB, 1);
    r.onupgradeneeded = () => {
      const db = r.result;
      const messages = db.createObjectStore("messages");
      messages.createIndex("byConversation", ["a", "c", "t"]);
      // Nothing in the peer reads it, as nothing in the engine does yet; it is the store's layout
      // (issue 13: "messages since T"), and each put updates it on both sides.
      messages.createIndex("bySentAt", ["a", "t"]);
      db.createObjectStore("conversations");
      db.createObjectStore("tombstones");
      db.createObjectStore("outbox");
    };
    const peer = new Peer(await request(r));
    // What acting needs, as the engine reads it on open: the outbox and the tombstones.
    const tx = peer.db.transaction(["outbox", "tombstones"]);
    const [outbox, tombstones] = await Promise.all([
      request(tx.objectStore("outbox").getAll()),
      request(tx.objectStore("tombstones").getAllKeys()),
    ]);
    for (const e of outbox) peer.outbox.set(e.clientKey, e);
    for (const k of tombstones) peer.tombstones.add(k.slice(k.indexOf(SEP) + 1));
    return peer;
  }

  constructor(db) {
    this.db = db;
    this.messages = new Map(); // id -> message
    this.byConversation = new Map(); // conversation id -> Set of ids
    this.outbox = new Map(); // client key -> entry
    this.tombstones = new Set();
    this.loaded = new Set();
  }

  /** A conversation's messages read from its index (once), as the engine's `openConversation`. */
  async load(conversationId) {
    if (this.loaded.has(conversationId)) return;
    const index = this.db.transaction("messages").objectStore("messages").index("byConversation");
    const records = await request(index.getAll(IDBKeyRange.bound(["", conversationId, -Infinity], ["", conversationId, Infinity])));
    for (const r of records) this.hold(JSON.parse(r.json));
    this.loaded.add(conversationId);
  }

  hold(m) {
    if (this.tombstones.has(m.id)) return;
    this.messages.set(m.id, m);
    let ids = this.byConversation.get(m.conversation);
    if (!ids) this.byConversation.set(m.conversation, (ids = new Set()));
    ids.add(m.id);
  }

  /** Merges a page and stores what changed in one transaction; resolves once it is on disk. */
  async merge(page) {
    const changed = [];
    const echoed = [];
    for (const m of page) {
      if (this.tombstones.has(m.id)) continue;
      const held = this.messages.get(m.id);
      if (!held) {
        // An own echo of a pending send takes its outbox entry's client key (never shown twice).
        if (m.isSentByOwner) {
          for (const e of this.outbox.values()) {
            if (e.conversation === m.conversation && e.text === m.text) {
              m.clientKey = e.clientKey;
              this.outbox.delete(e.clientKey);
              echoed.push(e.clientKey);
              break;
            }
          }
        }
        this.hold(m);
        changed.push(m);
        continue;
      }
      let next = held;
      if (bodyRank(m, held) > 0) next = { ...m, tally: held.tally, clientKey: held.clientKey };
      if (m.tally && (!next.tally || m.tally.stamp > next.tally.stamp)) next = { ...next, tally: m.tally };
      if (next !== held) {
        this.hold(next);
        changed.push(next);
      }
    }
    if (!changed.length && !echoed.length) return 0;
    const tx = this.db.transaction(["messages", "outbox"], "readwrite");
    const store = tx.objectStore("messages");
    for (const m of changed) store.put({ json: JSON.stringify(m), a: "", c: m.conversation, t: m.sentAt }, `${SEP}${m.id}`);
    for (const k of echoed) tx.objectStore("outbox").delete(k);
    await done(tx);
    return changed.length;
  }

  /** The view the UI gets: (time, id) order, each message's state, subject, reactions and
   * recall eligibility, then the conversation's outbox entries. */
  view(conversationId, now = NOW) {
    const ids = this.byConversation.get(conversationId) ?? new Set();
    const held = [...ids].map((id) => this.messages.get(id));
    held.sort((a, b) => a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const messages = held.map((m) => ({
      id: m.id,
      clientKey: m.clientKey,
      messageUrn: m.messageUrn,
      text: m.text,
      sentAt: m.sentAt,
      senderProfileId: m.senderProfileId,
      senderName: m.senderName,
      isSentByOwner: m.isSentByOwner,
      attachments: m.attachments ?? [],
      subject: m.subject,
      state: "sent",
      recall: !m.isSentByOwner ? "notOwn" : now - m.sentAt > RECALL_WINDOW_MS ? "windowClosed" : "allowed",
      reactions: (m.tally?.entries ?? []).map((e) => ({ emoji: e.emoji, count: e.count, viewerReacted: e.viewerReacted })),
    }));
    for (const e of this.outbox.values()) {
      if (e.conversation === conversationId) messages.push({ clientKey: e.clientKey, text: e.text, sentAt: e.at, isSentByOwner: true, state: e.state, recall: "notSent", reactions: [] });
    }
    return { id: conversationId, messages };
  }

  close() {
    this.db.close();
  }
}

/** The peer's database filled with the same `n` messages (not measured). */
async function peerBuild(n) {
  await drop(PEER_DB);
  const peer = await Peer.open();
  const { conversations } = layout(n);
  let tx = null;
  let batch = 0;
  for (let c = 0; c < conversations; c++) {
    tx ??= peer.db.transaction(["messages", "conversations"], "readwrite", { durability: "relaxed" });
    const conv = conversation(n, c);
    tx.objectStore("conversations").put({ id: conv.id, urn: conv.urn }, `${SEP}${conv.id}`);
    for (const m of conv.messages) {
      tx.objectStore("messages").put({ json: JSON.stringify(m), a: "", c: m.conversation, t: m.sentAt }, `${SEP}${m.id}`);
      batch++;
    }
    if (batch >= 5000 || c === conversations - 1) {
      await done(tx);
      tx = null;
      batch = 0;
    }
  }
  peer.close();
}

// ----- the engine ---------------------------------------------------------------------------------

function openEngine(extra = {}) {
  return ThreadlineEngine.open({
    // No API behind it: the engine's own requests fail fast (404) and change nothing stored.
    baseUrl: `${location.origin}/no-api`, apiKey: "bench", storage: "indexedDB", storageKey: KEY, realtime: false, ...extra,
  });
}

/** The engine's IndexedDB filled with the same `n` messages through its migration (not measured). */
async function engineBuild(n) {
  await drop(`threadline:${KEY}`);
  const text = snapshotText(n);
  const old = new Map([[`${KEY}:snapshot:0`, text], [`${KEY}:head`, JSON.stringify({ v: 1, snapshot: 0, deltas: [], next: 1 })]]);
  const from = { get: (k) => old.get(k), set: (k, v) => void old.set(k, v), remove: (k) => void old.delete(k) };
  const engine = await openEngine({ migrateFrom: from });
  engine.close();
  engine.free();
}

// ----- the run ------------------------------------------------------------------------------------

async function run({ n, rounds }) {
  await initGlue({ module_or_path: new URL("../../pkg/glue/threadline_bg.wasm", import.meta.url) });
  await init();
  await engineBuild(n);
  await peerBuild(n);
  const conv = conversation(n, 0);
  const out = { n, rounds, isolated: globalThis.crossOriginIsolated === true, open: {}, merge: {}, view: {}, shown: {} };

  // Cold opens, alternating so that neither side is always first.
  const opens = { wasm: [], js: [] };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 ? ["js", "wasm"] : ["wasm", "js"]) {
      const t0 = performance.now();
      if (side === "wasm") {
        const engine = await openEngine();
        await engine.openConversation({ view: "bench", conversationUrn: conv.urn });
        out.shown.wasmOpen = engine.conversationView("", conv.urn)?.messages.length ?? 0;
        opens.wasm.push(performance.now() - t0);
        engine.close();
        engine.free();
      } else {
        const peer = await Peer.open();
        await peer.load(conv.id);
        out.shown.jsOpen = peer.view(conv.id).messages.length;
        opens.js.push(performance.now() - t0);
        peer.close();
      }
    }
  }
  out.open = { wasm: median(opens.wasm), js: median(opens.js) };

  // Merges and views, each side open on the conversation.
  const engine = await openEngine();
  await engine.openConversation({ view: "bench", conversationUrn: conv.urn });
  const peer = await Peer.open();
  await peer.load(conv.id);
  const merges = { wasm: [], js: [] };
  const views = { wasm: [], js: [] };
  const again = { wasm: [], js: [] };
  const READS = 20;
  for (let r = 0; r < rounds; r++) {
    const page = newPage(n, r * 50).messages;
    const mine = structuredClone(page);
    let t0 = performance.now();
    await engine.applyRemote({ kind: "messages", account: "", conversationUrn: conv.urn, messages: page });
    merges.wasm.push(performance.now() - t0);
    t0 = performance.now();
    await peer.merge(mine);
    merges.js.push(performance.now() - t0);
    t0 = performance.now();
    out.shown.wasmView = engine.conversationView("", conv.urn).messages.length;
    views.wasm.push(performance.now() - t0);
    t0 = performance.now();
    out.shown.jsView = peer.view(conv.id).messages.length;
    views.js.push(performance.now() - t0);
    // The same view read again with nothing changed (a UI re-rendering), per read.
    t0 = performance.now();
    for (let k = 0; k < READS; k++) engine.conversationView("", conv.urn);
    again.wasm.push((performance.now() - t0) / READS);
    t0 = performance.now();
    for (let k = 0; k < READS; k++) peer.view(conv.id);
    again.js.push((performance.now() - t0) / READS);
  }
  // The same merge and view with one message of each page holding characters beyond ASCII (a
  // typographic apostrophe and an emoji, as LinkedIn texts often do): one such character makes
  // the text a JS string two bytes a character, which decodes and parses slower.
  const wide = { wasm: [], js: [] };
  for (let r = 0; r < rounds; r++) {
    const page = newPage(n, (rounds + r) * 50).messages;
    page[7].text += " \u2019 \u{1F44D}";
    const mine = structuredClone(page);
    await engine.applyRemote({ kind: "messages", account: "", conversationUrn: conv.urn, messages: page });
    await peer.merge(mine);
    let t0 = performance.now();
    out.shown.wasmWide = engine.conversationView("", conv.urn).messages.length;
    wide.wasm.push(performance.now() - t0);
    t0 = performance.now();
    out.shown.jsWide = peer.view(conv.id).messages.length;
    wide.js.push(performance.now() - t0);
  }
  out.wide = { wasm: median(wide.wasm), js: median(wide.js) };
  out.merge = { wasm: median(merges.wasm), js: median(merges.js) };
  out.view = { wasm: median(views.wasm), js: median(views.js) };
  out.again = { wasm: median(again.wasm), js: median(again.js) };
  engine.close();
  engine.free();
  peer.close();
  await drop(`threadline:${KEY}`);
  await drop(PEER_DB);
  return out;
}

const params = new URLSearchParams(location.search);
run({ n: Number(params.get("n") ?? 10_000), rounds: Number(params.get("rounds") ?? 9) })
  .then((r) => (window.benchResult = r))
  .catch((e) => (window.benchResult = { error: String((e && e.stack) || e) }));
