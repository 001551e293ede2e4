// Issue 15: a string longer than 64 UTF-16 units enters wasm through `TextEncoder.encodeInto`
// (scripts/glue-strings.mjs), a shorter one through wasm-bindgen's own loop. Texts of every length
// around that edge, and with what is beyond ASCII at the start, in the middle, at the very end and
// straddling the end of the first block (an emoji whose two units do not both fit), three-byte
// characters throughout, and lone surrogates (written as U+FFFD, as `TextEncoder` writes them), go
// in as messages' texts and come back out of the view unchanged.
// Run: node --test tests/boundary/strings.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { loadPkg, startSim, SEED_IDS, conversationUrn, messageUrn } from "./lib.mjs";

let m, sim;
before(async () => {
  m = await loadPkg();
  sim = await startSim();
});
after(() => sim?.stop());

/** An engine over memory storage against the simulator. */
const openEngine = (key) => m.ThreadlineEngine.open({
  baseUrl: sim.url,
  apiKey: "dev",
  storage: "memory",
  storageKey: `${key}-${process.pid}`,
  realtime: false,
  timeoutMs: 2000,
});

const ascii = (n) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x21 + (i % 90))).join("");

const TEXTS = {
  "ascii 63": ascii(63),
  "ascii 64": ascii(64),
  "ascii 65": ascii(65),
  "ascii 10,000": ascii(10_000),
  "é first": "é" + ascii(100),
  "é at unit 64": ascii(64) + "é" + ascii(10),
  "é last": ascii(100) + "é",
  "emoji straddling the first block": ascii(63) + "😀",
  "emoji at the end of a longer one": ascii(70) + "😀",
  "three-byte characters throughout": "中文".repeat(60),
  "mixed": ("a’b😀c中" + ascii(7)).repeat(20),
  "lone high surrogate in the middle": ascii(80) + "\ud800" + ascii(5),
  "lone low surrogate at the end": ascii(80) + "\udc00",
  "short, beyond ASCII": "’😀中",
  "short lone surrogate": "a\ud800b",
};

test("long and short texts, beyond ASCII and ill-formed, cross into wasm and back unchanged", async () => {
  const engine = await openEngine("strings");
  try {
    const account = SEED_IDS.ada;
    const conv = SEED_IDS.longThread;
    const names = Object.keys(TEXTS);
    const ids = names.map((_, i) => `2-${Buffer.from(`17719503466${String(i).padStart(2, "0")}b97645-100`).toString("base64")}`);
    const messages = names.map((name, i) => ({
      id: ids[i],
      conversation: conv,
      messageUrn: messageUrn(ids[i]),
      text: TEXTS[name],
      sentAt: 1_700_000_000_000 + i,
      senderProfileId: "ACoAAB",
      senderName: "Ada",
      isSentByOwner: true,
      stamp: 1_740_000_000_000_000 + i,
    }));
    await engine.applyRemote({ kind: "messages", account, conversationUrn: conversationUrn(conv), messages });
    const view = engine.conversationView(account, conversationUrn(conv));
    const byId = new Map(view.messages.map((x) => [x.id, x.text]));
    names.forEach((name, i) => {
      assert.equal(byId.get(ids[i]), TEXTS[name].toWellFormed(), name);
    });
  } finally {
    engine.close();
  }
});

test("a string past 64 units takes the native encoder (the rewrite's path is live)", async () => {
  const engine = await openEngine("strings-native");
  const native = TextEncoder.prototype.encodeInto;
  let calls = 0;
  // On the prototype, so the glue's own encoder still finds the native method's slot (its guard
  // compares the two) and every call is counted.
  TextEncoder.prototype.encodeInto = function (...args) {
    calls++;
    return native.apply(this, args);
  };
  try {
    const account = SEED_IDS.ada;
    const conv = SEED_IDS.longThread;
    const id = `2-${Buffer.from("1771950346699b97645-100").toString("base64")}`;
    // Every string in the fact is ASCII: wasm-bindgen's own loop would call no encoder at all.
    await engine.applyRemote({ kind: "messages", account, conversationUrn: conversationUrn(conv), messages: [{
      id, conversation: conv, messageUrn: messageUrn(id), text: ascii(200), sentAt: 1_700_000_000_999,
      senderProfileId: "ACoAAB", senderName: "Ada", isSentByOwner: true, stamp: 1_740_000_000_000_999,
    }] });
    assert.ok(calls > 0, "no string went through TextEncoder.encodeInto");
    const view = engine.conversationView(account, conversationUrn(conv));
    assert.equal(view.messages.find((x) => x.id === id)?.text, ascii(200));
  } finally {
    TextEncoder.prototype.encodeInto = native;
    engine.close();
  }
});
