// End to end: the extension's store moves from chrome.storage.local into IndexedDB (issue 13). An
// update finds the previous build's store (tests/fixtures/store_kv_v1.json, a real one saved by
// that build) in chrome.storage.local and no database yet; when the worker starts, the engine
// copies it into `threadline:threadline` as one transaction, removes the old keys, says so in
// restoreIssues(), and shows what it held before any request.
//
// Run: node --test tests/e2e/storage.test.mjs  (after scripts/build-extension.sh)
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { startSim, launchChromium, killBackground, backgroundWorker, SEED, ROOT, waitFor } from "./harness.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());

/** Records per object store of the engine's database. */
const storedCounts = (sw) =>
  sw.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("threadline:threadline");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names);
          const counts = {};
          for (const n of names) {
            const c = tx.objectStore(n).count();
            c.onsuccess = () => (counts[n] = c.result);
          }
          tx.oncomplete = () => {
            db.close();
            resolve(counts);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

test("an update moves the previous build's store from chrome.storage.local into IndexedDB", async () => {
  const fixture = JSON.parse(await readFile(path.join(ROOT, "tests/fixtures/store_kv_v1.json"), "utf8"));
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    // As the update finds it: the old store in chrome.storage.local, no database. (The running
    // engine's connection closes itself for the deletion; its later writes fail, harmlessly.)
    await b.sw.evaluate(async (items) => {
      await new Promise((resolve, reject) => {
        const del = indexedDB.deleteDatabase("threadline:threadline");
        del.onsuccess = () => resolve();
        del.onerror = () => reject(del.error);
      });
      await chrome.storage.local.set(items);
    }, fixture);

    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/options/options.html`);
    await killBackground(b.context, page);
    // Any message wakes the worker again; it opens the engine on the moved store.
    await waitFor(async () => (await page.evaluate(() => chrome.runtime.sendMessage({ type: "settings.get" }).catch(() => null)))?.ok === true, { what: "the restarted background" });
    const sw = await backgroundWorker(b.context);
    const opened = await sw.evaluate(async (account) => {
      const core = await globalThis.threadline.ready;
      const engine = core.engine();
      return {
        issues: engine.restoreIssues().map(({ code, messages }) => ({ code, messages })),
        conversations: engine.conversationList(account).length,
        outbox: engine.status(account).outboxPending,
      };
    }, SEED.ada);
    const moved = opened.issues.find((i) => i.code === "migrated_layout");
    assert.ok(moved, JSON.stringify(opened.issues));
    assert.ok(moved.messages > 0, JSON.stringify(moved));
    assert.ok(opened.conversations > 0, "the list is there before any request");
    assert.ok(opened.outbox > 0, "the old outbox entries came along");

    const left = await sw.evaluate(() => chrome.storage.local.get(null));
    assert.deepEqual(Object.keys(left).filter((k) => k.startsWith("threadline:")), [], "the old keys are removed");
    assert.ok(left.settings, "the settings stay");
    const counts = await storedCounts(sw);
    // At least what moved (the restarted engine may have fetched a page since: it looks for the
    // echo of the in-flight entries).
    assert.ok(counts.messages >= moved.messages, JSON.stringify({ counts, moved }));
    assert.ok(counts.outbox > 0 && counts.conversations > 0 && counts.tombstones > 0, JSON.stringify(counts));
  } finally {
    await b.close();
  }
});
