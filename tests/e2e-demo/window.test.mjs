// End to end: the demo inbox on a store with more conversations than the engine's window (issue
// 13), in headless Chromium against a simulator this test starts itself on a seed with 60 more of
// Ada's conversations, all older than the default seed's (tests/e2e/many.mjs). The inbox stores
// every conversation of the API's list, then is reloaded, so the engine opens from its window:
// only the newest 50 are in its list. What it proves: "Show more" reads the next pages from the
// store through the host until every conversation is listed, each once (a double click included),
// with a visible "Loading…" while a page is read and a visible error (and "Try again") when the
// read fails; the Unread filter reaches an unread conversation older than the newest 50 on its
// own; the Unread chip's count is the engine's count of the whole list, not of the loaded page.
// A remembered conversation older than the newest 50, reopened after a reload, has its title
// and is marked read. Screenshots: .tmp/screenshots/demo-list-{more,loading,error}.png,
// demo-remembered-old.png.
//
// Run: node --test tests/e2e-demo/window.test.mjs  (after scripts/build-pkg.sh and
// `cargo build -p threadline-sim`)
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, WAIT, launchChromium, shot, startSim } from "./harness.mjs";
import { writeManySeed } from "../e2e/many.mjs";

const ADA = "65f1a0c0ffee000000000a01";
const SEED_FILE = path.join(ROOT, ".tmp/e2e-demo-window-seed.json");

let sim;
let base;
let browser;
let added; // what the seed added (many.mjs)

/** The conversation rows shown: their ids, in order. */
const shownIds = (page) => page.locator("[data-threadline-conversation]").evaluateAll((bs) => bs.map((b) => b.dataset.threadlineConversation));

/**
 * Stores every conversation of Ada's API list in the engine: the engine asks one page per refresh,
 * so each further page is asked by its cursor (read here with the package's client). Returns
 * the conversations' ids and unread counts as the API lists them.
 */
async function storeWholeList(page) {
  return page.evaluate(async (account) => {
    const tl = await import("threadline");
    await tl.init();
    const client = new tl.ThreadlineClient({ baseUrl: location.origin, apiKey: "dev" });
    const all = [];
    let cursor = null;
    for (;;) {
      const listed = await client.listConversations({ accountId: account, ...(cursor ? { nextCursor: cursor } : {}) });
      const ids = listed.conversations.map((c) => tl.conversationId(c.conversationUrn || c.conversationId));
      all.push(...listed.conversations.map((c, i) => ({ id: ids[i], unread: c.unreadCount ?? 0 })));
      // Asked again when a refresh already out (the engine's own) answered in its place.
      for (let tries = 0; tries < 5; tries++) {
        await window.threadlineHub.call("refreshConversations", cursor ? { cursor } : {});
        const held = new Set((await window.threadlineHub.call("list")).map((c) => c.id));
        if (ids.every((id) => held.has(id))) break;
      }
      if (!listed.hasMore || !listed.nextCursor) break;
      cursor = listed.nextCursor;
    }
    return all;
  }, ADA);
}

/** Clicks "Show more" until it is gone (at most `max` times); the clicks made. */
async function showAll(page, max = 40) {
  const more = page.locator("[data-threadline-more]");
  for (let i = 0; i < max; i++) {
    await page.waitForSelector('[data-threadline-more][data-threadline-more-state="idle"], [data-threadline-more][hidden]', { state: "attached", ...WAIT });
    if (!(await more.isVisible())) return i;
    await more.click();
  }
  throw new Error(`"Show more" still there after ${max} clicks`);
}

/** Holds the next `loadMoreConversations` of the page's hub until `release()`; or fails it. */
async function interceptLoadMore(page, mode) {
  await page.evaluate((mode) => {
    const hub = window.threadlineHub;
    const call = hub.call.bind(hub);
    hub.call = (type, fields) => {
      if (type !== "loadMoreConversations") return call(type, fields);
      hub.call = call;
      if (mode === "fail") return Promise.reject(Object.assign(new Error("the conversation list could not be read: disk gone"), { code: "storage" }));
      return new Promise((resolve) => {
        window.__releaseLoadMore = () => resolve(call(type, fields));
      });
    };
  }, mode);
}

describe("demo inbox: the conversation window", { timeout: 300_000 }, () => {
  before(async () => {
    // The default seed's snapshot, from a simulator started for that, plus the older threads.
    const plain = await startSim("e2e-demo-window-plain");
    try {
      added = await writeManySeed(plain.url, SEED_FILE, { accountId: ADA, count: 120 });
    } finally {
      plain.child.kill();
    }
    ({ child: sim, url: base } = await startSim("e2e-demo-window-www", { seed: SEED_FILE }));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    sim?.kill();
  });

  it("Show more pages every stored conversation in, and the Unread filter reaches one older than the newest 50", async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("page error:", e));
    await page.goto(`${base}/www/inbox.html?store=window`);
    await page.waitForSelector("body[data-threadline-ready=true]", WAIT);
    const listed = await storeWholeList(page);
    const total = listed.length;
    const unreadAll = listed.reduce((n, c) => n + c.unread, 0);
    assert.ok(total > 120 && total <= 150, `${total} conversations: the newest 50 and two pages more, the last one short`);
    assert.deepEqual([listed.at(-1).id, listed.at(-1).unread], [added.oldestUnread.threadId, 1], "the oldest is unread");
    await page.waitForFunction((n) => window.threadlineHub.call("list").then((l) => l.length >= n), total, WAIT);

    // Reloaded: the engine opens from IndexedDB with its window (the newest 50).
    await page.reload();
    await page.waitForSelector("body[data-threadline-ready=true]", WAIT);
    await page.waitForSelector("[data-threadline-conversation]", WAIT);
    const held = await page.evaluate(() => window.threadlineHub.call("list"));
    assert.equal(held.length, 50, "the engine holds the newest 50 after the reload");
    const unreadHeld = held.reduce((n, c) => n + c.unreadCount, 0);
    assert.ok(unreadHeld < unreadAll, `unread beyond the newest 50 (${unreadHeld} of ${unreadAll})`);
    // The chip counts the whole list's unread (the engine's count), not the 50 loaded.
    const chip = page.locator("[data-threadline-filter-unread]");
    await page.waitForSelector(`[data-threadline-filter-unread][data-threadline-unread-total="${unreadAll}"]`, WAIT);
    assert.equal((await chip.textContent()).trim(), `Unread (${unreadAll})`);

    // "Show more" through the loaded 50, then from the store. Slowed once, to see "Loading…".
    const more = page.locator("[data-threadline-more]");
    for (let i = 0; i < 3; i++) await more.click(); // 48 of the 50 shown
    await shot(page, "demo-list-more.png");
    await interceptLoadMore(page, "hold");
    await more.click(); // shows the last 2 loaded and reads the next page
    await page.waitForSelector('[data-threadline-more][data-threadline-more-state="loading"]', WAIT);
    assert.equal((await more.textContent()).trim(), "Loading older conversations…");
    assert.equal(await page.locator("#list").getAttribute("aria-busy"), "true");
    await more.dblclick({ force: true }); // clicks while a page is read add nothing (the button says so: aria-disabled)
    await shot(page, "demo-list-loading.png");
    await page.evaluate(() => window.__releaseLoadMore());
    await page.waitForSelector('[data-threadline-more][data-threadline-more-state="idle"]', WAIT);
    let ids = await shownIds(page);
    assert.equal(ids.length, 60, "the 50 and the first 10 of the next page (12 more shown per click)");
    assert.equal((await page.evaluate(() => window.threadlineHub.call("list"))).length, 100, "one page read, not two");
    // Once more: the first row it adds is in view at the top of the list, with the focus (the
    // button had it).
    await more.click();
    const first = page.locator("[data-threadline-conversation]").nth(60);
    assert.equal(await first.evaluate((b) => b === document.activeElement), true);
    const [row, list] = [await first.boundingBox(), await page.locator("#list").boundingBox()];
    assert.ok(Math.abs(row.y - list.y) < 2, `the first new row at the top (${row.y} / ${list.y})`);
    await shot(page, "demo-list-more-shown.png");

    // A page that cannot be read says so, in place, and can be tried again.
    for (let i = 0; i < 2; i++) await more.click(); // 96 of the 100 shown
    assert.equal((await shownIds(page)).length, 96);
    await interceptLoadMore(page, "fail");
    await more.click();
    const status = page.locator('[data-threadline-more-status][data-threadline-more-state="error"]');
    await status.waitFor(WAIT);
    assert.equal(await status.textContent(), "Older conversations could not be read from this browser's storage.");
    assert.match(await status.getAttribute("title"), /disk gone/);
    assert.equal((await more.textContent()).trim(), "Try again");
    await shot(page, "demo-list-error.png");
    await more.click();
    await page.waitForSelector('[data-threadline-more][data-threadline-more-state="idle"]', WAIT);

    // Double clicks to the end (two clicks on the button itself: once it is gone, a real second
    // click would land on the row below it): every conversation, each once.
    for (let i = 0; i < 40 && (await more.isVisible()); i++) {
      await more.evaluate((b) => {
        b.click();
        b.click();
      });
      await page.waitForSelector('[data-threadline-more][data-threadline-more-state="idle"], [data-threadline-more][hidden]', { state: "attached", ...WAIT });
    }
    await showAll(page);
    ids = await shownIds(page);
    assert.equal(new Set(ids).size, ids.length, "no conversation twice");
    assert.deepEqual(new Set(ids), new Set(listed.map((c) => c.id)), "every stored conversation is listed");
    assert.equal(await page.locator("[data-threadline-more-status]").isVisible(), false);

    // Reloaded again (the newest 50 held): the Unread filter finds the oldest unread conversation.
    await page.reload();
    await page.waitForSelector("body[data-threadline-ready=true]", WAIT);
    await page.waitForSelector("[data-threadline-conversation]", WAIT);
    assert.equal((await page.evaluate(() => window.threadlineHub.call("list"))).length, 50);
    await chip.click();
    const oldest = page.locator("[data-threadline-conversation]", { hasText: added.oldestUnread.text });
    for (let i = 0; i < 10 && !(await oldest.isVisible()); i++) {
      await page.waitForSelector('[data-threadline-more][data-threadline-more-state="idle"], [data-threadline-more][hidden]', { state: "attached", ...WAIT });
      if (await oldest.isVisible()) break;
      if (await more.isVisible()) await more.click();
    }
    await oldest.waitFor(WAIT);
    await showAll(page);
    const unreadShown = await page.locator("[data-threadline-conversation]").evaluateAll((bs) => bs.map((b) => b.dataset.threadlineConversation));
    assert.deepEqual(new Set(unreadShown), new Set(listed.filter((c) => c.unread > 0).map((c) => c.id)), "every unread conversation, none other");

    // A remembered conversation older than the newest 50 (unread, never opened here): after a
    // reload its header names its people and it is marked read, as any opened conversation,
    // though the list holds only the newest 50 (the title comes from the engine's view).
    const remembered = added.unread.at(-2);
    const rememberedRow = page.locator(`[data-threadline-conversation="${remembered.threadId}"]`);
    const name = (await rememberedRow.locator(".thread-name").textContent()).trim();
    assert.ok(name && !name.startsWith("urn:"), `its row names someone: ${name}`);
    const urn = (await page.evaluate(() => window.threadlineHub.call("list"))).find((c) => c.id === remembered.threadId)?.urn;
    assert.ok(urn, "held before the reload");
    const unreadBefore = Number(await chip.getAttribute("data-threadline-unread-total"));
    assert.ok(unreadBefore > 1, `unread conversations left: ${unreadBefore}`);
    await page.evaluate((urn) => {
      const key = Object.keys(localStorage).find((k) => k.endsWith("-ui"));
      const ui = JSON.parse(localStorage.getItem(key));
      ui.conversation = urn;
      localStorage.setItem(key, JSON.stringify(ui));
      sessionStorage.setItem(key, JSON.stringify(ui));
    }, urn);
    await page.reload();
    await page.waitForSelector("body[data-threadline-ready=true]", WAIT);
    await page.waitForSelector("[data-threadline-conversation]", WAIT);
    const window50 = await page.evaluate(() => window.threadlineHub.call("list"));
    assert.equal(window50.length, 50);
    assert.ok(!window50.some((c) => c.id === remembered.threadId), "not among the list's newest 50");
    await page.locator("#message-list", { hasText: remembered.text }).waitFor(WAIT);
    await page.waitForFunction((n) => document.getElementById("conv-title").textContent.trim() === n, name, WAIT);
    // Marked read, as an opened conversation is: the engine's unread count of the whole list
    // (the Unread chip) drops by its one unread message.
    await page.waitForSelector(`[data-threadline-filter-unread][data-threadline-unread-total="${unreadBefore - 1}"]`, WAIT);
    await shot(page, "demo-remembered-old.png");
    await context.close();
  });
});
