// Honest states (issue 14) in the overlay on LinkedIn and in the toolbar popup: a burst of server
// errors shown as trouble (never "Synced") and then recovered; a rejected key shown with what to
// do; a send whose answer is lost shown as "checking whether LinkedIn received it" with the time
// since, ending as sent (it had arrived) or as not sent with Retry / Discard (it had not), a
// failed send never counted as one on its way. Faults come from the simulator's control plane
// (`POST /__sim/faults`, sim/README.md). Screenshots go to .tmp/screenshots.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, threadUrl, COMPOSE, SEED, WAIT, waitFor } from "./harness.mjs";
import { screenshot as shot } from "./shots.mjs";
import { closedDriver, sendThroughComposer } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

const STRIP = "[data-threadline-host=strip]";

/** Into .tmp/screenshots (none of these is in the README: shots.mjs). */
const screenshot = (page, name) => shot(page, name);

/** The icon's badge: its text and background colour (RGBA), read in the background. */
const badge = (b) => b.sw.evaluate(async () => [await chrome.action.getBadgeText({}), await chrome.action.getBadgeBackgroundColor({})]);
const AMBER = [195, 125, 22, 255]; // #c37d16: server trouble or a rate-limit wait

/** What the toolbar popup is told (the background's `popup.state`), asked from an extension page. */
async function popupState(b) {
  const page = b.context.pages().find((p) => p.url().includes("/popup/popup.html")) ?? (await openPopup(b));
  return (await page.evaluate(() => chrome.runtime.sendMessage({ type: "popup.state" }))).result;
}

async function openPopup(b) {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: 320, height: 420 });
  await page.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
  await page.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
  return page;
}

test("a_burst_of_server_errors_is_shown_as_trouble_then_recovered", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // Every read answers 503 for a while (the client's own retries included).
    await sim.fault(["messages", "conversations", "premium"].map((op) => ({ op, status: 503, count: 1000 })));
    await page.locator(`${COMPOSE}[data-threadline-status=server_trouble]`).waitFor({ timeout: WAIT });
    const line = await d.text(`${STRIP} [data-threadline-trouble=server_trouble]`);
    assert.match(line, /answering with errors since \d/);
    const popup = await openPopup(b);
    await popup.locator("#state[data-threadline-state=server_trouble]").waitFor({ timeout: WAIT });
    assert.match(await popup.locator("[data-threadline-trouble]").textContent(), /answering with errors since/);
    await screenshot(page, "overlay-server-trouble.png");
    await screenshot(popup, "popup-server-trouble.png");
    // The toolbar icon says it too: an amber "!" in place of the unread count.
    assert.deepEqual(await waitFor(async () => {
      const [text, color] = await badge(b);
      return text === "!" ? color : null;
    }, { what: "the badge to show trouble" }), AMBER);
    assert.match(await b.sw.evaluate(() => chrome.action.getTitle({})), /trouble/);

    // The API recovers: synced again, and the line goes.
    await sim.control("DELETE", "faults");
    await page.locator(`${COMPOSE}[data-threadline-status=synced]`).waitFor({ timeout: WAIT });
    await d.waitFor(`${STRIP} [data-threadline-trouble]`, { state: "detached" });
    await popup.locator("#state[data-threadline-state=synced]").waitFor({ timeout: WAIT });
    assert.equal(await popup.locator("[data-threadline-trouble]").isHidden(), true);
    // …and the badge is the unread count again (the popup's figure), in its own colour.
    const [text, color] = await waitFor(async () => {
      const shown = await badge(b);
      const unread = (await popupState(b)).unread;
      return shown[0] !== "!" && shown[0] === (unread > 0 ? String(unread) : "") ? shown : null;
    }, { what: "the badge to show the unread count again" });
    assert.notEqual(text, "!");
    assert.notDeepEqual(color, AMBER);
  } finally {
    await b.close();
  }
});

test("a_429_says_until_when_it_waits", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await sim.fault({ op: "messages", status: 429, retryAfterS: 20, count: 3 });
    await page.locator(`${COMPOSE}[data-threadline-status=rate_limited]`).waitFor({ timeout: WAIT });
    assert.match(await d.text(`${STRIP} [data-threadline-trouble=rate_limited]`), /wait until \d/);
    const s = await popupState(b);
    assert.equal(s.state, "rate_limited");
    assert.deepEqual(await badge(b), ["!", AMBER]);
  } finally {
    await b.close();
  }
});

test("a_rejected_key_shows_what_to_do_instead_of_waiting", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada, apiKey: "not-the-key" });
    const page = await b.context.newPage();
    await page.goto(threadUrl(SEED.longThread));
    await page.locator(`${COMPOSE}[data-threadline-status=key_rejected]`).waitFor({ timeout: WAIT });
    const d = await closedDriver(page);
    assert.match(await d.text(`${STRIP} [data-threadline-trouble=key_rejected]`), /rejected Threadline's key/);
    await d.find(`${STRIP} [data-threadline-action=fix-key]`, { hasText: "Fix the key" });
    await screenshot(page, "overlay-key-rejected.png");
    // Its button leads to the options, where the key is fixed.
    await d.click(`${STRIP} [data-threadline-action=fix-key]`);
    await waitFor(() => b.context.pages().some((p) => p.url().includes("/options/options.html")), { what: "the options opened" });
  } finally {
    await b.close();
  }
});

test("an_ambiguous_send_is_checked_and_ends_sent_when_it_had_arrived", async () => {
  const b = await launchChromium(sim);
  try {
    // The echo is looked for only on a page asked echoSettleMs after the answer was lost.
    await b.configure({ accountId: SEED.ada, echoSettleMs: 5000 });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // LinkedIn stores the message, but the answer is a 500: did it arrive? The reads that would
    // find it fail for a few seconds too, so the check is seen (with a working API it ends at once).
    await sim.fault([{ op: "send", status: 500, after: true }, { op: "messages", status: 503, count: 9 }]);
    const text = `Arrived despite a 500 ${Date.now()}`;
    await sendThroughComposer(page, d, { text });
    const checking = `${STRIP} [data-threadline-outbox][data-threadline-state=checking]`;
    await d.find(checking, { hasText: text });
    assert.match(await d.text(`${checking} [data-threadline-state-text]`), /Checking whether LinkedIn received it… \(sent \d+ s(ec)? ago\)/);
    assert.equal((await popupState(b)).outboxPending, 1, "on its way, not failed");
    await screenshot(page, "overlay-send-checking.png");
    // The echo is found: sent, once.
    await page.locator("[data-event-urn]", { hasText: text }).waitFor({ timeout: WAIT });
    await d.waitFor(`${STRIP} [data-threadline-outbox]`, { state: "detached" });
    assert.equal((await sim.requests()).send.applied, 1);
    assert.equal((await popupState(b)).outboxPending, 0);
  } finally {
    await b.close();
  }
});

test("an_ambiguous_send_that_never_arrived_ends_not_sent_with_retry_and_discard", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada, echoSettleMs: 3000 });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // The 500 comes before anything is stored: the poll proves it absent.
    await sim.fault({ op: "send", status: 500 });
    const text = `Lost to a 500 ${Date.now()}`;
    await sendThroughComposer(page, d, { text });
    await d.find(`${STRIP} [data-threadline-outbox][data-threadline-state=checking]`, { hasText: text });
    const failed = `${STRIP} [data-threadline-outbox][data-threadline-state=failed]`;
    await d.find(failed, { hasText: text });
    assert.equal(await d.text(`${failed} [data-threadline-state-text]`), "Not sent: LinkedIn did not receive it.");
    await d.find(`${failed} [data-threadline-action=retry]`);
    await d.find(`${failed} [data-threadline-action=discard]`);
    const s = await popupState(b);
    assert.deepEqual([s.outboxPending, s.outboxFailed], [0, 1], "failed, not counted as on its way");
    const popup = await openPopup(b);
    await popup.locator("[data-threadline-failed]", { hasText: "1" }).waitFor({ timeout: WAIT });
    assert.equal(await popup.locator("#outboxRow").isHidden(), true);
    await screenshot(page, "overlay-send-not-sent.png");
    // Retry is safe now (proved absent): it goes, once.
    await d.click(`${failed} [data-threadline-action=retry]`);
    await page.locator("[data-event-urn]", { hasText: text }).waitFor({ timeout: WAIT });
    await d.waitFor(`${STRIP} [data-threadline-outbox]`, { state: "detached" });
    assert.equal((await sim.requests()).send.applied, 1);

    // Another one, discarded: it leaves the strip and is never sent.
    await sim.fault({ op: "send", status: 500 });
    const other = `Discarded after a 500 ${Date.now()}`;
    await sendThroughComposer(page, d, { text: other });
    await d.find(failed, { hasText: other });
    await d.click(`${failed} [data-threadline-action=discard]`);
    await d.waitFor(`${STRIP} [data-threadline-outbox]`, { state: "detached" });
    const after = await popupState(b);
    assert.deepEqual([after.outboxPending, after.outboxFailed], [0, 0]);
    assert.equal((await sim.requests()).send.applied, 1);
  } finally {
    await b.close();
  }
});
