// A property test of the JS boundary: every export and method is called with arbitrary values
// (wrong types, getters and traps that throw, revoked proxies, deep and cyclic objects, huge
// arrays, symbols, bigints, functions) drawn from a seeded generator. Property: every call
// returns, throws a JS error or settles, never a wasm trap; afterwards the module still answers
// and the engine still works. THREADLINE_BOUNDARY_SEED / THREADLINE_BOUNDARY_CALLS vary the run
// (scripts/soak.sh runs it longer with fresh seeds).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  loadPkg, startSim, rng, throwingGetter, throwingProxy, revokedProxy, deep, cyclic, settlesWithin,
  SEED_IDS, conversationUrn,
} from "./lib.mjs";

const SEED = Number(process.env.THREADLINE_BOUNDARY_SEED ?? 20261202);
const CALLS = Number(process.env.THREADLINE_BOUNDARY_CALLS ?? 3000);
const ID = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
let m, sim;
before(async () => {
  m = await loadPkg();
  sim = await startSim();
});
after(() => sim?.stop());

/** An arbitrary JS value, `depth` levels at most of ordinary nesting. */
function arbitrary(r, depth = 0) {
  const leaf = [
    () => undefined, () => null, () => r.int(2) === 1, () => r() * 1e6 - 5e5, () => NaN, () => Infinity, () => -0,
    () => 2 ** 53 + r.int(10), () => "", () => "x".repeat(r.int(600)), () => `urn:li:fsd_message:${ID}`,
    () => conversationUrn(SEED_IDS.longThread), () => "%".repeat(r.int(50)) + "25".repeat(r.int(50)),
    () => "\u0000\ud800" + String.fromCharCode(r.int(65536)), () => Symbol("s"), () => BigInt(r.int(1000)) ** 5n,
    () => () => "a function", () => () => { throw new Error("sync boom"); }, () => new Date(),
    () => new Uint8Array(r.int(16)), () => new Map([["k", 1]]), () => /re/,
  ];
  const hostile = [
    () => throwingGetter(r.pick(["baseUrl", "apiKey", "text", "kind", "accountId", "count", "query"])),
    () => throwingProxy(r.int(2) ? {} : []), () => revokedProxy(), () => deep(100 + r.int(20_000)), () => cyclic(),
    () => { const a = [1, 2]; a.push(a); return a; },
    () => new Proxy({}, { ownKeys: () => Array.from({ length: 5 }, (_, i) => `k${i}`), getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true, value: 1 }), get: () => { throw new Error("get trap"); } }),
    () => { const a = []; a.length = 2 ** 32 - 1; return a; },
    () => Object.create(null),
    () => ({ __proto__: null, toJSON() { throw new Error("toJSON boom"); } }),
  ];
  const roll = r();
  if (roll < 0.45 || depth > 3) return r.pick(leaf)();
  if (roll < 0.7) return r.pick(hostile)();
  if (roll < 0.85) return Array.from({ length: r.int(4) }, () => arbitrary(r, depth + 1));
  const keys = ["baseUrl", "apiKey", "storage", "text", "kind", "accountId", "conversationUrn", "count", "cursor", "timeoutMs", "realtime", "messages", "ids", "account", "at", "conversation", "extra"];
  const o = {};
  for (let i = r.int(5); i > 0; i--) o[r.pick(keys)] = arbitrary(r, depth + 1);
  return o;
}

test(`property: ${CALLS} arbitrary calls across the boundary never trap (seed ${SEED})`, async () => {
  const r = rng(SEED);
  const engine = await m.ThreadlineEngine.open({
    baseUrl: sim.url, apiKey: "dev", storage: "memory", storageKey: `property-${SEED}`, realtime: false, timeoutMs: 2000,
  });
  const client = new m.ThreadlineClient({ baseUrl: sim.url, apiKey: "dev", timeoutMs: 2000 });
  const fns = ["messageId", "conversationId", "profileId", "tryMessageId", "tryConversationId", "tryProfileId", "isSalesNavThread", "encodeUrnForPath", "parseUrn", "messageIds"];
  const clientMethods = ["listConversations", "listAllConversations", "recentMessages", "messages", "pollMessages", "send", "react", "recall", "uploadAttachment", "listAccounts", "premiumStatus"];
  const engineMethods = ["openConversation", "closeView", "loadOlder", "refresh", "refreshConversations", "send", "react", "recall", "markRead", "retrySend", "discardSend", "applyRemote", "conversationView", "conversationList", "unplacedOutbox", "status", "subscribe", "onBroadcast"];
  const pending = [];
  const traps = [];
  const check = (what, e) => {
    if (e instanceof WebAssembly.RuntimeError) traps.push(`${what}: ${e.message}`);
  };
  for (let i = 0; i < CALLS; i++) {
    const args = Array.from({ length: r.int(4) }, () => arbitrary(r));
    const kind = r.int(5);
    let what;
    try {
      let out;
      if (kind === 0) {
        what = r.pick(fns);
        out = m[what](...args);
      } else if (kind === 1) {
        what = `client.${r.pick(clientMethods)}`;
        out = client[what.slice(7)](...args);
      } else if (kind === 2) {
        what = `engine.${r.pick(engineMethods)}`;
        out = engine[what.slice(7)](...args);
      } else if (kind === 3) {
        what = "new ThreadlineClient";
        out = new m.ThreadlineClient(...args);
      } else {
        what = "ThreadlineEngine.open";
        out = m.ThreadlineEngine.open(...args).then((e) => e.close());
      }
      if (out && typeof out.then === "function") {
        const w = what;
        pending.push(settlesWithin(out, 15000).then((o) => {
          if (o.state === "pending") traps.push(`${w}: never settled`);
          if (o.state === "rejected") check(w, o.error);
        }));
      }
    } catch (e) {
      check(what, e);
    }
    if (pending.length >= 50) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  assert.deepEqual(traps, [], "no trap, every promise settled");
  // Still answering, and the engine still works end to end.
  assert.equal(m.messageId(`urn:li:fsd_message:${ID}`), ID);
  await engine.openConversation({ view: "after", accountId: SEED_IDS.ada, conversationUrn: conversationUrn(SEED_IDS.longThread) });
  const shown = () => engine.conversationView(SEED_IDS.ada, conversationUrn(SEED_IDS.longThread))?.messages.length ?? 0;
  for (let i = 0; i < 200 && shown() === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(shown() > 0, "the engine still loads a conversation");
  const page = await client.messages(conversationUrn(SEED_IDS.longThread), { accountId: SEED_IDS.ada, count: 1 });
  assert.equal(page.messages.length, 1);
  engine.close();
});
