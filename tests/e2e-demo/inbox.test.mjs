// End to end: the demo inbox in headless Chromium against a simulator this test starts itself
// (serving a folder with www/ and the built package). Two tabs of one browser context share
// origin storage, BroadcastChannel and Web Locks, as two tabs of one profile do.
//
// What it proves: one tab leads (runs the engine), the other follows; a send in one appears in the
// other; the simulator sees one poller with two tabs open, and the follower makes no API request
// at all; closing the leader hands over to the other tab, which keeps syncing; a reload shows the
// last state from IndexedDB while the API is stalled. It writes .tmp/screenshots/demo-inbox.png
// (docs/demo-inbox.png with THREADLINE_UPDATE_SCREENSHOTS=1).
//
// Run: node --test tests/e2e-demo/  (after scripts/build-pkg.sh and `cargo build -p threadline-sim`)
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ROOT, WAIT, launchChromium, startSim } from "./harness.mjs";

// The committed picture in docs/ is refreshed only on request, so a test run leaves the tree clean.
const SCREENSHOT = process.env.THREADLINE_UPDATE_SCREENSHOTS
  ? path.join(ROOT, "docs/demo-inbox.png")
  : path.join(ROOT, ".tmp/screenshots/demo-inbox.png");
const POLL_MS = 300; // the engine's poll interval in this test (pollIntervalMs)
const WINDOW_POLLS = 10; // poll intervals per request-count window

let sim;
let base;
let api; // the simulator's routes (harness.mjs)
let browser;
let context;
let ids;
let tabA;
let tabB;
const apiRequests = new Map(); // page -> API requests it made

const messagesPolled = async () => (await api("GET", "/__sim/requests")).messages?.total ?? 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `messages` requests the simulator answered over WINDOW_POLLS poll intervals. */
async function pollsInWindow() {
  await api("POST", "/__sim/requests/reset");
  await sleep(POLL_MS * WINDOW_POLLS);
  return messagesPolled();
}

async function openTab(name) {
  const page = await context.newPage();
  apiRequests.set(page, []);
  page.on("request", (req) => {
    const { pathname } = new URL(req.url());
    if (!pathname.startsWith("/www/") && !pathname.startsWith("/__sim/")) apiRequests.get(page).push(pathname);
  });
  page.on("pageerror", (e) => console.error(`[${name}] page error:`, e));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.error(`[${name}] ${m.text()}`);
  });
  await page.goto(`${base}/www/inbox.html?poll=${POLL_MS}&store=e2e`);
  return page;
}

const role = (page) => page.locator("#role").getAttribute("data-threadline-role");
const messageWithText = (page, text) =>
  page.locator("[data-threadline-message] [data-threadline-text]", { hasText: text });
/** The message holding `text`, once it is in `state` (sent, sending, failed, recalling). */
const messageIn = (page, text, state) =>
  page.locator(`[data-threadline-message][data-threadline-state="${state}"]`, { hasText: text }).first();
const FRIENDLY = "Here is the roadmap we discussed. Thursday at 10 works for me!";
const INCOMING = "Perfect, talk Thursday. I'll bring the benchmarks.";

describe("demo inbox in two tabs", { timeout: 120_000 }, () => {
  before(async () => {
    ({ child: sim, url: base, api } = await startSim("e2e-demo-www"));
    ids = await api("GET", "/__sim/seed-ids");
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  });

  after(async () => {
    await browser?.close();
    sim?.kill();
  });

  it("tab A leads, lists the account's conversations and opens one", async () => {
    tabA = await openTab("A");
    await tabA.waitForSelector('#role[data-threadline-role="leader"]', WAIT);
    await tabA.waitForSelector("[data-threadline-conversation]", WAIT);
    // The shared thread starts with unread messages; opening it marks it read.
    const shared = tabA.locator(`[data-threadline-conversation="${ids.sharedThreadId}"]`);
    assert.notEqual(await shared.getAttribute("data-threadline-unread"), "0");
    await shared.click();
    await tabA.waitForSelector(`[data-threadline-conversation="${ids.sharedThreadId}"][data-threadline-unread="0"]`, WAIT);
    const thread = tabA.locator(`[data-threadline-conversation="${ids.longThreadId}"]`);
    await thread.click();
    await tabA.waitForSelector("[data-threadline-message]", WAIT);
    // Scrolling to the top loads older history (the thread has 150 messages, pages of 50).
    const count = () => tabA.locator("[data-threadline-message]").count();
    const first = await count();
    await tabA.locator("#messages").evaluate((box) => { box.scrollTop = 0; });
    await tabA.waitForFunction((n) => document.querySelectorAll("[data-threadline-message]").length > n, first, WAIT);
    assert.ok(await count() > first);
  });

  it("with two tabs open the simulator sees one poller, and the follower calls no API", async () => {
    const oneTab = await pollsInWindow();
    tabB = await openTab("B");
    await tabB.waitForSelector('#role[data-threadline-role="follower"]', WAIT);
    await tabB.waitForSelector("[data-threadline-message]", WAIT); // same conversation, remembered
    const twoTabs = await pollsInWindow();
    console.log(`messages polls over ${WINDOW_POLLS} intervals of ${POLL_MS} ms: one tab ${oneTab}, two tabs ${twoTabs}`);
    assert.ok(oneTab >= 2, `the leader polls the conversation in view (${oneTab})`);
    // Only the conversation in view is polled: the one shown before it is no longer.
    assert.ok(oneTab <= WINDOW_POLLS * 1.5, `one conversation in view, ${oneTab} polls in ${WINDOW_POLLS} intervals`);
    // Two pollers would double the count; one poller keeps it where it was (jitter allowed).
    assert.ok(twoTabs < oneTab * 1.5 + 1, `one poller for two tabs: ${oneTab} → ${twoTabs}`);
    assert.deepEqual(apiRequests.get(tabB), [], "the follower tab made API requests");
  });

  it("a send in tab A appears in tab B, as inert text", async () => {
    const text = `<img src=x onerror="window.pwned=1"> <b>not bold</b> ${Date.now()}`;
    await tabA.fill("#text", text);
    await tabA.click("#send");
    await messageWithText(tabB, text).first().waitFor(WAIT);
    const node = messageWithText(tabB, text).first();
    assert.equal(await node.textContent(), text);
    assert.equal(await node.locator("img, b").count(), 0, "message text was parsed as HTML");
    assert.equal(await tabB.evaluate(() => window.pwned), undefined);
    await messageIn(tabB, text, "sent").waitFor(WAIT);
  });

  it("a send with an attachment and a subject shows the file in both tabs", async () => {
    await tabA.setInputFiles("#files", {
      name: "roadmap.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 roadmap"),
    });
    await tabA.fill("#subject", "Roadmap");
    await tabA.fill("#text", FRIENDLY);
    await tabA.click("#send");
    for (const tab of [tabA, tabB]) {
      await messageIn(tab, FRIENDLY, "sent").locator('[data-threadline-attachment="roadmap.pdf"]').waitFor(WAIT);
    }
  });

  it("a send LinkedIn refuses shows as failed in both tabs, and discarding it clears it", async () => {
    await api("POST", "/__sim/faults", { op: "send", count: 1, status: 400 });
    const text = "This one the server refuses";
    await tabB.fill("#text", text); // sent from the follower: the command crosses to the leader
    await tabB.click("#send");
    await messageIn(tabA, text, "failed").waitFor(WAIT);
    const failed = messageIn(tabB, text, "failed");
    await failed.waitFor(WAIT);
    await failed.locator("[data-threadline-discard]").click();
    for (const tab of [tabA, tabB]) {
      await tab.waitForFunction((t) => ![...document.querySelectorAll("[data-threadline-message]")]
        .some((m) => m.textContent.includes(t)), text, WAIT);
    }
  });

  it("a reaction in tab B shows as yours in tab A", async () => {
    const message = messageIn(tabB, FRIENDLY, "sent");
    await message.hover();
    await message.locator('[data-threadline-react="👍"]').click();
    await messageIn(tabA, FRIENDLY, "sent")
      .locator('[data-threadline-reaction="👍"][aria-pressed="true"]').waitFor(WAIT);
  });

  it("a recall in tab A removes the message from tab B", async () => {
    const gone = "<b>not bold</b>";
    const message = messageIn(tabA, gone, "sent");
    await message.hover();
    await message.locator("[data-threadline-recall]").click();
    await message.locator("[data-threadline-recall-yes]").click(); // Recall asks first
    await tabB.waitForFunction((t) => ![...document.querySelectorAll("[data-threadline-message]")]
      .some((m) => m.textContent.includes(t)), gone, WAIT);
  });

  it("closing the leader's tab hands over to tab B, which keeps syncing", async () => {
    await tabA.close({ runBeforeUnload: true });
    await tabB.waitForSelector('#role[data-threadline-role="leader"]', WAIT);
    await api("POST", "/__sim/incoming", {
      accountId: ids.defaultAccount, conversationUrn: ids.longThreadId, text: INCOMING,
    });
    await messageWithText(tabB, INCOMING).first().waitFor(WAIT);
  });

  it("writes a screenshot of the inbox", async () => {
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await tabB.locator("#toasts").evaluate((t) => t.replaceChildren()); // the refused send's toast
    await tabB.screenshot({ path: SCREENSHOT });
    console.log(`screenshot: ${path.relative(ROOT, SCREENSHOT)}`);
  });

  it("a reload shows the last state from storage while the API is stalled", async () => {
    const before = await tabB.locator("[data-threadline-message]").count();
    const last = await tabB.locator("[data-threadline-message] [data-threadline-text]").last().textContent();
    const stall = ["conversations", "messages", "accounts", "premium"].map((op) => ({ op, count: 1000, latencyMs: 600_000 }));
    await api("POST", "/__sim/faults", stall);
    try {
      await tabB.reload();
      await messageWithText(tabB, last).first().waitFor(WAIT);
      assert.ok(await tabB.locator("[data-threadline-conversation]").count() > 0, "the list is back too");
      assert.ok(await tabB.locator("[data-threadline-message]").count() >= Math.min(before, 20));
    } finally {
      await api("DELETE", "/__sim/faults");
    }
  });
});
