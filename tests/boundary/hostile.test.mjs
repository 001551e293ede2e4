// Issue 12, the JS boundary and the write path, over the built package in Node against a
// simulator on loopback: hostile arguments never leak wasm stack or trap, error texts are
// bounded, timeouts always fire, and a send whose outbox entry cannot be written is not made.
// Run: node --expose-gc --test tests/boundary/ (THREADLINE_PKG=dir to test another build).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createGzip } from "node:zlib";
import {
  loadPkg, startSim, throwingGetter, throwingProxy, revokedProxy, deep, cyclic, selfCause, causeChain,
  throwingMessage, settlesWithin, mapStorage, memoryEngines, failure, SEED_IDS, conversationUrn, messageUrn,
} from "./lib.mjs";

const ID = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
let m, sim;
before(async () => {
  m = await loadPkg();
  sim = await startSim();
});
after(() => sim?.stop());

const THREAD = () => conversationUrn(SEED_IDS.longThread);
const openEngine = memoryEngines("hostile", () => m, () => sim);
const client = (extra = {}) => new m.ThreadlineClient({ baseUrl: sim.url, apiKey: "dev", timeoutMs: 2000, ...extra });

/** Polls `cond` every 50 ms, up to 10 s. */
async function waitFor(cond, what) {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}


function assertNotATrap(e, what) {
  assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: a wasm trap: ${e?.message}`);
}

test("item 2: 1000 hostile arguments to each entry point leak nothing; messageId still answers", async () => {
  const engine = await openEngine();
  const c = client();
  const hostile = [() => throwingGetter("baseUrl"), () => throwingProxy(), () => revokedProxy()];
  const entries = {
    "new ThreadlineClient": (v) => new m.ThreadlineClient(v),
    "client.send": (v) => c.send(v),
    "client.listConversations": (v) => c.listConversations(v),
    "engine.applyRemote": (v) => engine.applyRemote(v),
    "engine.send": (v) => engine.send(v),
  };
  for (const [name, call] of Object.entries(entries)) {
    for (let i = 0; i < 1000; i++) {
      const e = await failure(() => call(hostile[i % hostile.length]()));
      assert.ok(e, `${name} accepted a hostile value`);
      assertNotATrap(e, name);
      assert.ok(e instanceof TypeError, `${name}: ${e?.name}: ${e?.message}`);
    }
    assert.equal(m.messageId(`urn:li:fsd_message:${ID}`), ID, `after 1000 hostile calls to ${name}`);
  }
  // And the engine and client still work for real.
  const page = await c.messages(THREAD(), { accountId: SEED_IDS.ada, count: 2 });
  assert.equal(page.messages.length, 2);
  await engine.openConversation({ view: "v", accountId: SEED_IDS.ada, conversationUrn: THREAD() });
  engine.close();
});

test("messageIds: hostile batches never trap; a batch that cannot be joined is read element by element", () => {
  const good = `urn:li:fsd_message:${ID}`;
  const throwingElement = { toString() { throw new Error("toString boom"); } };
  const cases = [
    [throwingProxy([good]), "a Proxy whose traps throw"],
    [revokedProxy(), "a revoked Proxy"],
    [[good, throwingElement], "an element whose toString throws"],
    [[good, Symbol("s")], "a Symbol element"],
    [new Proxy([good, good], { get: (t, k) => (k === "length" ? 1e12 : t[k]) }), "a lying length"],
  ];
  for (const [batch, what] of cases) {
    let out;
    try {
      out = m.messageIds(batch);
    } catch (e) {
      assertNotATrap(e, what);
      assert.ok(e instanceof TypeError, `${what}: ${e?.name}: ${e?.message}`);
      continue;
    }
    assert.ok(Array.isArray(out), what);
    assert.equal(out[0], ID, `${what}: the string element is read`);
    assert.ok(out.slice(1).every((x) => x === null), `${what}: the others are null (${JSON.stringify(out)})`);
  }
  // The joined path and the element-by-element path agree on the same strings.
  const strings = [good, `  ${ID}\t`, "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-abc)", "", `urn%3Ali%3Afsd_message%3A${ID}`];
  const joined = m.messageIds(strings);
  const oneByOne = m.messageIds([...strings, "line\nbreak"]).slice(0, strings.length);
  assert.deepEqual(joined, oneByOne);
  assert.deepEqual(joined, strings.map((s) => { try { return m.messageId(s); } catch { return null; } }));
  assert.equal(m.messageId(good), ID, "the module answers after them");
});

test("item 2: ThreadlineEngine.open with a throwing getter settles with a TypeError", async () => {
  for (const options of [throwingGetter("baseUrl"), throwingProxy(), revokedProxy(), Object.assign(throwingGetter("storage"), { baseUrl: sim.url, apiKey: "dev" })]) {
    const outcome = await settlesWithin(m.ThreadlineEngine.open(options), 5000);
    assert.equal(outcome.state, "rejected", "it settles");
    assert.ok(outcome.error instanceof TypeError, `${outcome.error?.name}: ${outcome.error?.message}`);
  }
  assert.equal(m.messageId(ID), ID);
});

test("item 3: error texts from JS are bounded (self cause, 100,000-deep chain, throwing message)", async () => {
  const errors = { selfCause: selfCause(), chain: causeChain(100_000), throwingMessage: throwingMessage(), huge: new Error("x".repeat(5_000_000)) };
  for (const [name, error] of Object.entries(errors)) {
    // From a storage adapter (read at open).
    const storage = { get: async () => { throw error; }, set: async () => {}, remove: async () => {} };
    const opened = await settlesWithin(openEngine({ storage }), 5000);
    assert.equal(opened.state, "rejected", name);
    assert.equal(opened.error.code, "storage", name);
    assert.ok(opened.error.message.length < 20_000, `${name}: ${opened.error.message.length} chars`);
    // From the apiKey function.
    const c = client({ apiKey: () => { throw error; } });
    const e = await failure(() => c.listAccounts());
    assert.equal(e?.code, "unauthorized", name);
    assert.ok(e.message.length < 20_000, `${name}: ${e.message.length} chars`);
    // From a notice listener: the engine carries on.
    const engine = await openEngine();
    engine.subscribe(() => { throw error; });
    await engine.openConversation({ view: "v", accountId: SEED_IDS.ada, conversationUrn: THREAD() });
    await waitFor(() => (engine.conversationView(SEED_IDS.ada, THREAD())?.messages.length ?? 0) > 0, `${name}: the page`);
    engine.close();
  }
  assert.equal(m.messageId(ID), ID);
});

test("item 4: applyRemote with a cyclic or 10,000-deep extra field is a clear error; the module works on", async () => {
  const engine = await openEngine();
  const fact = { kind: "read", account: SEED_IDS.ada, conversation: SEED_IDS.longThread, at: 1 };
  for (const extra of [cyclic(), deep(10_000)]) {
    const e = await failure(() => engine.applyRemote({ ...fact, extra }));
    assertNotATrap(e, "applyRemote");
    assert.ok(e instanceof TypeError, `${e?.name}: ${e?.message}`);
    assert.match(e.message, /^fact: .*(cycle|deeper)/);
  }
  await engine.applyRemote(fact); // the same fact, plain: merged
  assert.equal(m.messageId(ID), ID);
  engine.close();
});

test("item 4: a list given as a function with its own endless iterator is refused unread; the engine works on", async () => {
  const engine = await openEngine();
  let pulled = 0;
  const endless = Object.assign(() => {}, {
    *[Symbol.iterator]() {
      for (;;) {
        pulled++;
        yield ID;
      }
    },
  });
  const facts = [
    { kind: "tombstones", account: SEED_IDS.ada, ids: endless },
    { kind: "messages", account: SEED_IDS.ada, conversationUrn: THREAD(), messages: endless },
  ];
  for (const fact of facts) {
    const e = await failure(() => engine.applyRemote(fact));
    assertNotATrap(e, "applyRemote");
    assert.ok(e instanceof TypeError, `${e?.name}: ${e?.message}`);
    assert.match(e.message, /expected a sequence/);
  }
  const e = await failure(() => engine.send({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), text: "hi", attachments: endless }));
  assertNotATrap(e, "send");
  assert.ok(e instanceof TypeError, `${e?.name}: ${e?.message}`);
  assert.equal(pulled, 0, "the iterator was never run");
  // The same facts with arrays: read and merged.
  await engine.applyRemote({ kind: "tombstones", account: SEED_IDS.ada, ids: [ID] });
  assert.equal(m.messageId(ID), ID);
  engine.close();
});

test("an attachment's link that is not http(s) reaches no view: a sibling's fact, an answer", async () => {
  const engine = await openEngine();
  const conv = SEED_IDS.longThread;
  const attachment = (name, url) => ({ assetUrn: `urn:li:digitalmediaAsset:${name}`, byteSize: 10, mediaType: "application/pdf", name, url });
  const links = { ok: "https://media.example/a.pdf", js: "javascript:alert(document.domain)", spaced: " javascript:alert(1)", data: "data:text/html,<b>x</b>" };
  await engine.applyRemote({
    kind: "messages",
    account: SEED_IDS.ada,
    conversationUrn: THREAD(),
    messages: [{
      id: ID, conversation: conv, messageUrn: messageUrn(ID), text: "files", sentAt: 1_700_000_000_000,
      senderProfileId: "ACoAAB", senderName: "Ada", isSentByOwner: false, stamp: 1_740_000_000_000_000,
      attachments: Object.entries(links).map(([name, url]) => attachment(name, url)),
    }],
  });
  await engine.openConversation({ view: "hostile", accountId: SEED_IDS.ada, conversationUrn: THREAD() });
  const shown = engine.conversationView(SEED_IDS.ada, THREAD()).messages.find((x) => x.id === ID);
  assert.ok(shown, "the message is shown");
  assert.deepEqual(shown.attachments.map((a) => [a.name, a.url]), [["ok", links.ok], ["js", undefined], ["spaced", undefined], ["data", undefined]]);
  engine.close();
});

test("item 6: a number where a string is declared is a TypeError naming the argument", async () => {
  const engine = await openEngine();
  const c = client();
  const cases = [
    ["messageId(42)", () => m.messageId(42), "input"],
    ["conversationId({})", () => m.conversationId({}), "input"],
    ["parseUrn(null)", () => m.parseUrn(null), "input"],
    ["client.messages(7)", () => c.messages(7), "conversationUrn"],
    ["client.recall(1, 2)", () => c.recall(1, 2), "conversationUrn"],
    ["engine.status(5)", () => engine.status(5), "accountId"],
    ["engine.conversationView('', 3)", () => engine.conversationView("", 3), "conversationUrn"],
    ["engine.react(...)", () => engine.react({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), messageUrn: 9, emoji: "👍", add: true }), "messageUrn"],
    ["engine.subscribe(1)", () => engine.subscribe(1), "callback"],
    // These four took a plain `String`: the glue copied whatever it was given, and an object
    // claiming a length of 2^31 made the module's allocation fail, which aborts.
    ["engine.conversationOfMessage(5, ...)", () => engine.conversationOfMessage(5, messageUrn(ID)), "accountId"],
    ["engine.conversationOfMessage('', huge)", () => engine.conversationOfMessage(SEED_IDS.ada, { length: 2 ** 31 }), "messageUrn"],
    ["engine.conversationUrnOf('', huge)", () => engine.conversationUrnOf(SEED_IDS.ada, { length: 2 ** 31 }), "anyForm"],
    ["engine.conversationWith('', 7)", () => engine.conversationWith(SEED_IDS.ada, 7), "profile"],
    ["engine.conversationWith(huge, '')", () => engine.conversationWith({ length: 2 ** 31 }, "x"), "accountId"],
    ["ThreadlineEngine.deleteStore(huge)", () => m.ThreadlineEngine.deleteStore({ length: 2 ** 31 }), "storageKey"],
  ];
  for (const [what, call, arg] of cases) {
    const e = await failure(call);
    assertNotATrap(e, what);
    assert.ok(e instanceof TypeError, `${what}: ${e?.name}: ${e?.message}`);
    assert.ok(e.message.startsWith(`${arg}:`), `${what}: ${e.message}`);
  }
  assert.equal(m.messageId(ID), ID);
  engine.close();
});

test("item 7: a stalled body, an apiKey promise and a storage set that never settle all time out", async () => {
  // A server that sends headers and half a body, then stalls forever.
  const stalled = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"success": true, "accounts": [');
  });
  await new Promise((r) => stalled.listen(0, "127.0.0.1", r));
  try {
    const c = new m.ThreadlineClient({ baseUrl: `http://127.0.0.1:${stalled.address().port}`, apiKey: "k", timeoutMs: 300 });
    const calls = Array.from({ length: 10 }, () => c.listAccounts());
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      globalThis.gc?.();
    }
    const outcomes = await Promise.all(calls.map((p) => settlesWithin(p, 5000)));
    for (const o of outcomes) {
      assert.equal(o.state, "rejected");
      assert.equal(o.error.code, "timeout", o.error.message);
    }
  } finally {
    stalled.closeAllConnections?.();
    stalled.close();
  }
  const keyless = client({ apiKey: () => new Promise(() => {}), timeoutMs: 300 });
  const k = await settlesWithin(keyless.listAccounts(), 5000);
  assert.equal(k.state, "rejected");
  assert.equal(k.error.code, "unauthorized");
  assert.match(k.error.message, /gave nothing in 300 ms/);

  await sim.control("POST", "requests/reset");
  const hanging = mapStorage();
  const engine = await openEngine({ storage: hanging, timeoutMs: 300 });
  hanging.set = () => new Promise(() => {});
  const sent = await settlesWithin(engine.send({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), text: "never stored" }), 5000);
  assert.equal(sent.state, "rejected");
  assert.equal(sent.error.code, "storage");
  assert.match(sent.error.message, /no answer in 300 ms/);
  assert.equal((await sim.requests()).send.total, 0, "nothing was sent");
  engine.close();
});

/** A gzip body of `mib` MiB of zeros (a few hundred KB on the wire). */
async function gzipBomb(mib) {
  const gz = createGzip({ level: 9 });
  const parts = [];
  gz.on("data", (d) => parts.push(d));
  const done = new Promise((r) => gz.on("end", r));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < mib; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await done;
  return Buffer.concat(parts);
}

test("item 5: a small gzip body that inflates far past the cap is refused without being held whole", async () => {
  const bomb = await gzipBomb(512);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
    res.end(bomb);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const c = new m.ThreadlineClient({ baseUrl: `http://127.0.0.1:${server.address().port}`, apiKey: "k", timeoutMs: 20000 });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const e = await failure(() => c.listAccounts());
    const grew = process.memoryUsage().rss - before;
    assertNotATrap(e, "gzip bomb");
    assert.equal(e?.code, "malformed", e?.message);
    assert.match(e.message, /limit/);
    // Reading stops one byte past the 16 MiB cap; holding the whole 512 MiB (as a JS buffer and a
    // copy in wasm memory) would grow the process by a gigabyte.
    assert.ok(grew < 256 * 1024 * 1024, `the process grew by ${Math.round(grew / 2 ** 20)} MiB, bomb ${bomb.length} B`);
    assert.equal(m.messageId(ID), ID, "the module still answers");
  } finally {
    server.closeAllConnections?.();
    server.close();
  }
});

test("item 8: a send or recall whose record cannot be written is not made, and says so", async () => {
  await sim.reset();
  let failing = false;
  const storage = mapStorage(new Map(), { failSet: () => failing });
  const engine = await openEngine({ storage });
  await engine.openConversation({ view: "v", accountId: SEED_IDS.ada, conversationUrn: THREAD() });
  const shown = () => engine.conversationView(SEED_IDS.ada, THREAD())?.messages ?? [];
  await waitFor(() => shown().some((x) => x.id === SEED_IDS.recallable), "the recallable message");
  failing = true;
  const notices = [];
  engine.subscribe((n) => notices.push(n));
  const e = await failure(() => engine.send({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), text: "not on disk" }));
  assert.equal(e?.code, "storage", `${e?.name}: ${e?.message}`);
  // Give any request that might have left time to arrive.
  await new Promise((res) => setTimeout(res, 500));
  let ledger = await sim.requests();
  assert.equal(ledger.send.total, 0, "no send request");
  assert.equal(ledger.send.applied, 0);
  const r = await failure(() => engine.recall({ accountId: SEED_IDS.ada, conversationUrn: THREAD(), messageUrn: messageUrn(SEED_IDS.recallable) }));
  assert.equal(r?.code, "storage", `${r?.name}: ${r?.message}`);
  await new Promise((res) => setTimeout(res, 500));
  ledger = await sim.requests();
  assert.equal(ledger.recall.total, 0, "no recall request");
  // Shown truthfully: failed for storage, safe to send again; the message not recalled.
  const view = engine.conversationView(SEED_IDS.ada, THREAD());
  const entry = view.messages.find((x) => x.text === "not on disk");
  assert.equal(entry?.state?.state, "failed", JSON.stringify(entry?.state));
  assert.equal(entry.state.reason.code, "storage");
  assert.equal(entry.state.retryable, true);
  assert.ok(notices.some((n) => n.notice === "sendFailed"), JSON.stringify(notices));
  assert.ok(view.messages.some((x) => x.id === SEED_IDS.recallable && x.state.state === "sent"));
  // Storage back: the user's retry sends it once.
  failing = false;
  await engine.retrySend({ accountId: SEED_IDS.ada, clientKey: entry.clientKey });
  for (let i = 0; i < 50 && (await sim.requests()).send.applied < 1; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal((await sim.requests()).send.applied, 1);
  engine.close();
});
