// End to end: the engine's IndexedDB store in a page of the demo's origin (headless Chromium,
// against a simulator this test starts itself) when the disk fills (issue 13): a send whose
// outbox entry cannot be written is refused with `storage` and never reaches the API; the status
// says storage is failing and full; a send whose entry could be written goes out, and its entry
// survives a restart even though the writes after it failed; nothing written before the disk
// filled is lost; once writes land again the status is back to ok.
//
// How the disk fills: Chromium 156 accepts CDP `Storage.overrideQuotaForOrigin` (its
// `getUsageAndQuota` then says `overrideActive`) but neither `navigator.storage.estimate()` nor
// IndexedDB writes honour it in this headless setup (measured: a 1 MB write went through a
// quota of usage + 5 KB). So the page gets, before any script of its own, what a full disk does
// to IndexedDB in Chrome: the transaction aborts with `error` a `QuotaExceededError`
// (FULL_DISK below, switched by `globalThis.__idbFull`: "all" refuses every write, "relaxed"
// only writes not asked to be durable, as a disk with room for a small outbox record left). The
// adapter, the engine and the driver under it are the shipped ones.
//
// Run: node --test tests/e2e-demo/storage.test.mjs  (after scripts/build-pkg.sh and
// `cargo build -p threadline-sim`)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchChromium, startSim } from "./harness.mjs";

/** What a full disk does to IndexedDB in Chrome, switched by `globalThis.__idbFull`. */
const FULL_DISK = `(() => {
  const put = IDBObjectStore.prototype.put;
  const transaction = IDBDatabase.prototype.transaction;
  const strict = new WeakSet();
  const refusing = new WeakSet();
  globalThis.__idbFull = "";
  globalThis.__idbRefused = 0;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.apply(this, arguments);
    if (options && options.durability === "strict") strict.add(tx);
    return tx;
  };
  IDBObjectStore.prototype.put = function () {
    const req = put.apply(this, arguments);
    const tx = this.transaction;
    const full = globalThis.__idbFull === "all" || (globalThis.__idbFull === "relaxed" && !strict.has(tx));
    if (full && !refusing.has(tx)) {
      refusing.add(tx);
      globalThis.__idbRefused += 1;
      req.addEventListener("success", () => {
        Object.defineProperty(tx, "error", { value: new DOMException("Quota exceeded.", "QuotaExceededError") });
        tx.abort();
      }, { once: true });
    }
    return req;
  };
})();`;

let sim;
let base;
let api; // the simulator's routes (harness.mjs)
let browser;
let ids;

const sends = async () => (await api("GET", "/__sim/requests")).send.total;

/** Polls `probe` until it returns a truthy value (at most ~15 s). */
async function waitFor(probe, what) {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A page of the demo's origin with the package loaded and the full-disk switch installed. */
async function openPage(context) {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.addInitScript(FULL_DISK);
  await page.goto(`${base}/www/urn.html`);
  await page.evaluate(async () => {
    globalThis.tl = await import("/www/pkg/browser.js");
    await globalThis.tl.init();
  });
  return page;
}

/** Opens the engine on the IndexedDB store `e2e-full` in the page (as `globalThis.engine`). */
function openEngine(page) {
  return page.evaluate(async ([baseUrl, account, conversation]) => {
    const engine = await globalThis.tl.ThreadlineEngine.open({
      baseUrl, apiKey: "dev", storage: "indexedDB", storageKey: "e2e-full", realtime: false,
      timeoutMs: 5000, config: { pollIntervalMs: 300, echoSettleMs: 300, storageRetryMs: 500 },
    });
    globalThis.engine = engine;
    globalThis.view = () => engine.conversationView(account, conversation) ?? { messages: [] };
    globalThis.texts = () => globalThis.view().messages.map((m) => `${m.state?.state ?? m.state}:${m.text}`);
    return { issues: engine.restoreIssues(), messages: globalThis.view().messages.length };
  }, [base, ids.defaultAccount, ids.longThreadId]);
}

const status = (page) => page.evaluate((account) => globalThis.engine.status(account).storage, ids.defaultAccount);
const texts = (page) => page.evaluate(() => globalThis.texts());
const count = (list, text) => list.filter((t) => t.endsWith(`:${text}`)).length;

describe("a full disk under the IndexedDB store", { timeout: 120_000 }, () => {
  before(async () => {
    ({ child: sim, url: base, api } = await startSim("e2e-demo-storage-www"));
    ids = await api("GET", "/__sim/seed-ids");
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    sim?.kill();
  });

  it("refuses what it cannot write, keeps what it wrote, and says so", async () => {
    const context = await browser.newContext();
    let page = await openPage(context);
    const opened = await openEngine(page);
    assert.deepEqual(opened.issues, []);
    await page.evaluate(([accountId, conversationUrn]) =>
      globalThis.engine.openConversation({ view: "tab", accountId, conversationUrn }), [ids.defaultAccount, ids.longThreadId]);
    await waitFor(() => page.evaluate(() => globalThis.view().messages.length >= 50), "the newest page");
    const send = (text) => page.evaluate(([accountId, conversationUrn, text]) =>
      globalThis.engine.send({ accountId, conversationUrn, text }).then(
        (key) => ({ key }),
        (e) => ({ code: e.code, name: e.name, message: e.message })),
    [ids.defaultAccount, ids.longThreadId, text]);

    assert.ok((await send("written before the disk filled")).key);
    await waitFor(async () => count(await texts(page), "written before the disk filled") === 1
      && (await texts(page)).includes("sent:written before the disk filled"), "the first send confirmed");
    const stored = await texts(page);
    assert.deepEqual(await status(page), { state: "ok" });
    const sentBefore = await sends();

    // Full: the outbox entry cannot be written, so the send is refused and nothing leaves.
    await page.evaluate(() => { globalThis.__idbFull = "all"; });
    const refused = await send("refused by a full disk");
    assert.equal(refused.code, "storage", JSON.stringify(refused));
    const failing = await status(page);
    assert.equal(failing.state, "failing", JSON.stringify(failing));
    assert.equal(failing.full, true, JSON.stringify(failing));
    assert.ok(await page.evaluate(() => globalThis.__idbRefused) >= 1);

    // Room for a durable outbox record only: the entry lands, the send goes out, and the writes
    // that follow it (the page merged after the answer) fail.
    await page.evaluate(() => { globalThis.__idbFull = "relaxed"; });
    const refusedBefore = await page.evaluate(() => globalThis.__idbRefused);
    assert.ok((await send("kept in the outbox while full")).key);
    await waitFor(async () => (await sends()) === sentBefore + 1, "the one send to reach the API");
    await waitFor(async () => (await page.evaluate(() => globalThis.__idbRefused)) > refusedBefore, "a write refused after the send");
    assert.equal(await sends(), sentBefore + 1, "the refused send never reached the API");

    // A restart: the page goes, a new one opens the store (its disk has room again).
    await page.evaluate(() => globalThis.engine.close());
    await page.close();
    page = await openPage(context);
    const reopened = await openEngine(page);
    assert.deepEqual(reopened.issues, []);
    // IndexedDB opens without the messages: the thread is read when a view opens it, as the
    // inbox does (it resolves once read).
    await page.evaluate(([accountId, conversationUrn]) =>
      globalThis.engine.openConversation({ view: "tab", accountId, conversationUrn }), [ids.defaultAccount, ids.longThreadId]);
    const restored = await texts(page);
    for (const t of stored) assert.ok(restored.includes(t), `kept after the restart: ${t}`);
    assert.equal(count(restored, "kept in the outbox while full"), 1, `the outbox entry survived: ${restored.join(" | ")}`);
    // The refused send stays what it was shown as: failed (retryable), never sent.
    const refusedShown = restored.filter((t) => t.endsWith(":refused by a full disk"));
    assert.ok(refusedShown.every((t) => t.startsWith("failed:")), refusedShown.join(" | "));

    // The entry reconciles with the message the API has: sent once, never again.
    await page.evaluate(([accountId, conversationUrn]) =>
      globalThis.engine.openConversation({ view: "tab", accountId, conversationUrn }), [ids.defaultAccount, ids.longThreadId]);
    await waitFor(async () => (await texts(page)).includes("sent:kept in the outbox while full"), "the kept entry shown sent");
    assert.equal(count(await texts(page), "kept in the outbox while full"), 1);
    assert.equal(await sends(), sentBefore + 1, "sent once, never again after the restart");

    // Full again, then room again: the status goes failing, and back to ok with the first
    // write that lands (here the engine's own retry of the whole state, storageRetryMs later).
    await page.evaluate(() => { globalThis.__idbFull = "all"; });
    assert.equal((await send("refused again")).code, "storage");
    assert.equal((await status(page)).state, "failing");
    await page.evaluate(() => { globalThis.__idbFull = ""; });
    await waitFor(async () => (await status(page)).state === "ok", "the status back to ok");
    assert.equal(await sends(), sentBefore + 1);
    await page.evaluate(() => globalThis.engine.close());
    await context.close();
  });
});
