// End to end: the toolbar's unread count on a store with more conversations than the engine's
// window (issue 13). The simulator runs a seed with 60 more of Ada's conversations, older than the
// default seed's, some unread (tests/e2e/many.mjs); the extension's engine stores every one of
// them (each page of the API's list asked by its cursor), then its service worker is stopped, as
// Chrome's idle kill does, so the engine opens from IndexedDB with only the newest 50 in its list.
// The badge and the popup still count the whole list's unread messages: the engine's
// `unreadTotal`, not a sum over the 50 it holds.
//
// Run: node --test tests/e2e/window.test.mjs  (after scripts/build-extension.sh)
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { ROOT, SEED, TMP, WAIT, backgroundWorker, killBackground, launchChromium, startSim, waitFor } from "./harness.mjs";
import { writeManySeed } from "./many.mjs";

let sim;
before(async () => {
  const plain = await startSim();
  try {
    await writeManySeed(plain.url, path.join(TMP, "e2e-window-seed.json"), { accountId: SEED.ada, count: 60 });
  } finally {
    plain.stop();
  }
  sim = await startSim({ seed: path.join(TMP, "e2e-window-seed.json") });
});
after(() => sim?.stop());

const badgeText = (b) => b.sw.evaluate(() => chrome.action.getBadgeText({}));

/** Ada's whole list as the API gives it, page by page: `[{cursor, ids, unread}]`. */
async function apiPages() {
  const pages = [];
  let cursor = null;
  for (;;) {
    const q = new URLSearchParams({ accountId: SEED.ada, ...(cursor ? { nextCursor: cursor } : {}) });
    const res = await fetch(`${sim.url}/conversations?${q}`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
    assert.ok(res.ok, `GET /conversations: ${res.status}`);
    const page = await res.json();
    pages.push({ cursor, urns: page.conversations.map((c) => c.conversationUrn), unread: page.conversations.reduce((n, c) => n + (c.unreadCount ?? 0), 0) });
    if (!page.hasMore || !page.nextCursor) return pages;
    cursor = page.nextCursor;
  }
}

test("the_badge_counts_unread_messages_beyond_the_newest_50_after_the_engine_opens_from_its_window", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const pages = await apiPages();
    const total = pages.reduce((n, p) => n + p.urns.length, 0);
    const unreadAll = pages.reduce((n, p) => n + p.unread, 0);
    assert.ok(total > 60 && unreadAll > 0 && unreadAll < 100, `${total} conversations, ${unreadAll} unread`);
    // The engine stores every page (each asked again should a refresh already out answer instead).
    let stored = 0;
    for (const p of pages) {
      stored += p.urns.length;
      await waitFor(() => b.sw.evaluate(async ({ account, cursor, stored }) => {
        const core = await globalThis.threadline.ready;
        const engine = core.engine();
        await engine.refreshConversations({ accountId: account, ...(cursor ? { cursor } : {}) });
        return engine.conversationList(account).length >= stored;
      }, { account: SEED.ada, cursor: p.cursor, stored }), { what: `the page after ${p.cursor} stored` });
    }

    // The worker stops; woken, its engine opens from the window.
    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
    await b.sw.evaluate(() => {
      self.__beforeKill = true;
    });
    await killBackground(b.context, page);
    await page.reload();
    await page.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    await backgroundWorker(b.context);
    const held = await b.sw.evaluate(async (account) => {
      const core = await globalThis.threadline.ready;
      const engine = core.engine();
      return {
        restarted: !self.__beforeKill,
        listed: engine.conversationList(account).length,
        unreadListed: engine.conversationList(account).reduce((n, c) => n + c.unreadCount, 0),
      };
    }, SEED.ada);
    assert.equal(held.restarted, true, "the worker really restarted");
    assert.equal(held.listed, 50, "the engine holds the newest 50");
    assert.ok(held.unreadListed < unreadAll, `unread beyond the newest 50 (${held.unreadListed} of ${unreadAll})`);

    // The badge and the popup: the whole list's count.
    await waitFor(async () => (await badgeText(b)) === String(unreadAll), { what: `the badge to show ${unreadAll}` }).catch(async (e) => {
      throw new Error(`${e.message} (badge ${await badgeText(b)})`);
    });
    const state = (await page.evaluate(() => chrome.runtime.sendMessage({ type: "popup.state" }))).result;
    assert.equal(state.unread, unreadAll);
  } finally {
    await b.close();
  }
});
