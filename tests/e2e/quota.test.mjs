// End to end: a full store (issue 13, "no silent loss"). The background's engine gets a storage
// quota made small on purpose (the test-only `quotaBytes` setting, honoured by the engine's
// IndexedDB storage as the browser honours its quota: a write over it is refused whole, as with a
// QuotaExceededError). The user is told (the line by LinkedIn's composer and the toolbar popup),
// nothing already stored is lost across a restart of the worker, and the outbox entry of a send
// interrupted by the full store is still there after a restart, to retry or discard, with the
// server getting exactly one message.
//
// Run: node --test tests/e2e/quota.test.mjs  (after scripts/build-extension.sh)
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startSim, launchChromium, openThread, killBackground, backgroundWorker, conversationUrn, messageSel, COMPOSE, SEED, TMP, WAIT, waitFor } from "./harness.mjs";
import { closedDriver } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

const SEP = "\u0001";
const STRIP = "[data-threadline-host=strip]";

/** Every record of the engine's database: its keys per object store, and the bytes the test quota
 * counts (UTF-8 of each key and JSON text, as src/sync/record_budget.rs does). */
const stored = (sw) =>
  sw.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("threadline:threadline");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names);
          const out = { bytes: 0, keys: {} };
          const utf8 = (s) => new TextEncoder().encode(s).length;
          for (const n of names) {
            const keys = tx.objectStore(n).getAllKeys();
            const values = tx.objectStore(n).getAll();
            values.onsuccess = () => {
              out.keys[n] = keys.result;
              keys.result.forEach((k, i) => (out.bytes += utf8(k) + utf8(values.result[i].json ?? "")));
            };
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

/** The store once it stopped changing (the first pages and lists written). */
async function settled(b) {
  let last = null;
  return waitFor(async () => {
    const now = await stored(b.sw);
    const same = last && last.bytes === now.bytes;
    last = now;
    if (same) return now;
    await new Promise((r) => setTimeout(r, 1000));
    return null;
  }, { what: "the store to settle", timeout: 60000 });
}

/** The background's own view of a conversation (the engine's memory, not the page). */
const engineView = (b, threadId) => b.sw.evaluate(async (id) => (await globalThis.threadline.ready).getView(id), threadId);

const popupStorageLine = async (b) => {
  const popup = await b.context.newPage();
  await popup.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
  const line = popup.locator("#storage");
  await line.waitFor({ state: "visible", timeout: WAIT });
  return { popup, text: await line.innerText() };
};

const shots = path.join(TMP, "e2e-shots");

test("a full store is shown to the user and loses nothing already stored", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    const before = await settled(b);
    assert.ok(before.keys.messages.length > 0, JSON.stringify(before.keys).slice(0, 200));
    const shownBefore = (await engineView(b, SEED.longThread)).messages.map((m) => m.id);

    // Room for small changes, not for the long message below: it arrives, is shown, and its
    // write is refused whole.
    await b.configure({ accountId: SEED.ada, quotaBytes: before.bytes + 2000 });
    await page.locator(`${COMPOSE}[data-threadline-bound=bound]`).waitFor({ timeout: WAIT });
    const long = `A long reply ${Date.now()} ` + "lorem ipsum ".repeat(400);
    await sim.incoming({ conversationUrn: conversationUrn(SEED.longThread), text: long });
    const line = await d.find(`${STRIP} [data-threadline-storage]`, { timeout: WAIT });
    assert.ok(line);
    assert.match(await d.text(`${STRIP} [data-threadline-storage]`), /storage is full/);
    const { popup, text } = await popupStorageLine(b);
    assert.match(text, /storage is full/i);
    // The quota is a test setting of the background alone: no page can set it.
    const refused = await popup.evaluate(() => chrome.runtime.sendMessage({ type: "settings.set", quotaBytes: 1 }));
    assert.equal(refused.error?.code, "invalid_command", JSON.stringify(refused));
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, "quota-overlay.png") });
    await popup.screenshot({ path: path.join(shots, "quota-popup.png") });
    await popup.close();
    const status = await b.sw.evaluate(async () => (await globalThis.threadline.ready).status());
    assert.equal(status.storage?.state, "failing", JSON.stringify(status));
    assert.equal(status.storage.full, true);
    // Shown (the engine holds it), not stored.
    const held = await engineView(b, SEED.longThread);
    const longId = held.messages.find((m) => m.text === long)?.id;
    assert.ok(longId, "the long message is shown");
    const full = await stored(b.sw);
    assert.ok(!full.keys.messages.includes(`${SEED.ada}${SEP}${longId}`), "its write was refused");
    assert.ok(full.bytes <= before.bytes + 2000, `${full.bytes} bytes stored`);

    // A restart of the worker, still on the small quota: everything written before is there.
    await b.sw.evaluate(() => {
      self.__beforeKill = true;
    });
    await killBackground(b.context, page);
    await waitFor(async () => (await backgroundWorker(b.context).then((sw) => sw.evaluate(() => globalThis.threadline.ready.then(() => !self.__beforeKill)))), { what: "the restarted background" });
    await page.locator(`${COMPOSE}[data-threadline-bound=bound]`).waitFor({ timeout: WAIT });
    const after = await stored(b.sw);
    for (const [table, keys] of Object.entries(full.keys)) {
      const kept = new Set(after.keys[table]);
      assert.deepEqual(keys.filter((k) => !kept.has(k)), [], `records of ${table} lost`);
    }
    const shownAfter = (await engineView(b, SEED.longThread)).messages.map((m) => m.id);
    assert.deepEqual(shownBefore.filter((id) => !shownAfter.includes(id)), [], "messages shown before are shown after");
    // Its controls still work on LinkedIn's items.
    await d.hover(messageSel(SEED.theirs));
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-action=react]`);

    // Space again (the quota lifted): the next write lands, the line goes, the long message is kept.
    await b.configure({ accountId: SEED.ada, quotaBytes: 0 });
    await d.waitFor(`${STRIP} [data-threadline-storage]`, { state: "detached", timeout: WAIT });
    await waitFor(async () => (await stored(b.sw)).keys.messages.includes(`${SEED.ada}${SEP}${longId}`), { what: "the long message stored" });
    const ok = await b.sw.evaluate(async () => (await globalThis.threadline.ready).status());
    assert.equal(ok.storage?.state, "ok", JSON.stringify(ok));
  } finally {
    await b.close();
  }
});

test("the outbox entry of a send interrupted by a full store survives a restart, to retry", async () => {
  const b = await launchChromium(sim);
  try {
    // A failed send is proved absent by a page asked `echoSettleMs` after it was lost.
    const settings = { accountId: SEED.ada, echoSettleMs: 5000 };
    await b.configure(settings);
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    const before = await settled(b);
    // Room for an outbox entry (a few hundred bytes), not for the long message below.
    await b.configure({ ...settings, quotaBytes: before.bytes + 3000 });
    await page.locator(`${COMPOSE}[data-threadline-bound=bound]`).waitFor({ timeout: WAIT });

    // The send's request hangs, then fails with a server error (never applied): it is still out
    // when the store fills up. (Not a dropped connection: the browser itself sends a POST again
    // when a kept-alive connection closes without an answer.)
    await sim.fault({ op: "send", status: 500, latencyMs: 3000 });
    const text = `Interrupted by a full store ${Date.now()}`;
    const key = "quota-interrupted-1";
    const threadUrn = conversationUrn(SEED.longThread);
    // Resolves once its outbox entry is written; only then does the request leave.
    await b.sw.evaluate(({ key, text, threadUrn }) => globalThis.threadline.ready.then((c) => c.send({ clientKey: key, conversationUrn: threadUrn, text })), { key, text, threadUrn });
    const entryKey = `${SEED.ada}${SEP}${key}`;
    assert.ok((await stored(b.sw)).keys.outbox.includes(entryKey), "the entry is on disk");
    // The other party writes a long message: its write is refused, and every later one (each a
    // whole snapshot of what the engine holds, long message included) until there is room.
    await sim.incoming({ conversationUrn: threadUrn, text: `A long reply ${Date.now()} ` + "lorem ipsum ".repeat(400) });
    await d.find(`${STRIP} [data-threadline-storage]`, { timeout: WAIT });
    await d.find(`${STRIP} [data-threadline-outbox=${key}]`);
    await waitFor(async () => (await sim.requests()).send.total === 1, { what: "the send request at the server" });
    assert.ok((await stored(b.sw)).keys.outbox.includes(entryKey), "the entry is still on disk");

    await b.sw.evaluate(() => {
      self.__beforeKill = true;
    });
    await killBackground(b.context, page);
    await waitFor(async () => (await backgroundWorker(b.context).then((sw) => sw.evaluate(() => globalThis.threadline.ready.then(() => !self.__beforeKill)))), { what: "the restarted background" });
    // Restored from disk and shown: being confirmed, then (a page proves it never arrived) not
    // sent, with Retry and Discard.
    await d.find(`${STRIP} [data-threadline-outbox=${key}]`, { timeout: WAIT });
    const failed = `${STRIP} [data-threadline-outbox=${key}][data-threadline-state=failed]`;
    await d.find(`${failed} [data-threadline-action=retry]`, { timeout: 40000 });
    await d.find(`${failed} [data-threadline-action=discard]`);
    let ledger = await sim.requests();
    assert.equal(ledger.send.applied, 0, JSON.stringify(ledger.send));
    assert.equal(ledger.send.total, 1, "never resent on its own");

    // Space again: the entry is still there (read from disk once more), and the retry sends it once.
    await b.configure({ ...settings, quotaBytes: 0 });
    await d.find(`${failed} [data-threadline-action=retry]`, { timeout: 40000 });
    await d.click(`${failed} [data-threadline-action=retry]`);
    const sent = page.locator("[data-event-urn]", { hasText: text });
    await sent.waitFor({ timeout: WAIT });
    await d.waitFor(`${STRIP} [data-threadline-outbox=${key}]`, { state: "detached", timeout: WAIT });
    ledger = await sim.requests();
    assert.equal(ledger.send.applied, 1, JSON.stringify(ledger.send));
    assert.equal(ledger.send.total, 2, JSON.stringify(ledger.send));
    await page.waitForTimeout(1500);
    assert.equal(await sent.count(), 1, "shown once");
    assert.ok(!(await stored(b.sw)).keys.outbox.includes(entryKey), "the entry left the outbox once sent");
  } finally {
    await b.close();
  }
});
