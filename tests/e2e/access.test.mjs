// Layout and access of the overlay on LinkedIn (issue 14): the emoji picker and the recall
// confirmation sit in the top layer, never clipped by LinkedIn's scroll box; each message is one
// tab stop, the arrow keys moving among its actions; only the engine's notices of new messages
// from others reach the screen reader's live region, never a redraw. Real Chromium with the built
// extension, the simulator's LinkedIn-shaped page, real input through the DevTools protocol.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, conversationUrn, messageSel, SEED, waitFor } from "./harness.mjs";
import { screenshot } from "./shots.mjs";
import { closedDriver } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());


const HOST = "[data-threadline-host=message]";
const LIVE = "[data-threadline-host=live]";

/** Whether the element is in the top layer, its box, and what the page shows at its centre. */
function topLayerFacts() {
  const r = this.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {
    open: this.matches(":popover-open"),
    box: { left: r.left, top: r.top, right: r.right, bottom: r.bottom },
    viewport: { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight },
    // (From the document, a closed root's inside is its host: ours, when nothing covers it.)
    hitIsItsHost: hit === this.getRootNode().host,
  };
}

test("the_picker_and_the_confirmation_are_never_clipped_by_linkedins_scroll_box", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // The newest message sits at the bottom edge of LinkedIn's scroll box (the thread opens scrolled down).
    const items = page.locator(".msg-s-message-list [data-event-urn]");
    const last = (await items.last().getAttribute("data-event-urn")).match(/,(2-[^)]+)\)$/)[1];
    const edge = await page.evaluate(() => {
      const list = document.querySelector(".msg-s-message-list");
      const items = list.querySelectorAll("[data-event-urn]");
      return { listBottom: list.getBoundingClientRect().bottom, itemBottom: items[items.length - 1].getBoundingClientRect().bottom };
    });
    assert.ok(Math.abs(edge.listBottom - edge.itemBottom) < 40, `the message is at the box's edge: ${JSON.stringify(edge)}`);

    await d.hover(messageSel(last));
    await d.click(`${messageSel(last)} [data-threadline-action=react]`);
    const picker = `${messageSel(last)} [data-threadline-picker]`;
    await d.find(picker);
    const facts = await d.call(picker, topLayerFacts);
    assert.equal(facts.open, true, "in the top layer");
    assert.ok(facts.box.left >= 0 && facts.box.top >= 0 && facts.box.right <= facts.viewport.width && facts.box.bottom <= facts.viewport.height, `inside the viewport: ${JSON.stringify(facts)}`);
    assert.equal(facts.hitIsItsHost, true, "nothing of LinkedIn's covers or clips it");
    await screenshot(page, "overlay-picker-at-edge.png");
    // Every emoji button is on screen and answers a real click at its centre.
    await d.click(`${picker} [data-threadline-emoji=🎉]`);
    await d.find(`${messageSel(last)} [data-threadline-reaction=🎉][data-threadline-mine=true]`);

    // The recall confirmation of Ada's recallable message (the newest: at the same edge).
    assert.equal(last, SEED.recallable);
    await d.hover(messageSel(SEED.recallable));
    await d.click(`${messageSel(SEED.recallable)} [data-threadline-action=recall]`);
    const confirm = `${messageSel(SEED.recallable)} [data-threadline-confirm]`;
    await d.find(confirm);
    const c = await d.call(confirm, topLayerFacts);
    assert.equal(c.open, true);
    assert.ok(c.box.top >= 0 && c.box.bottom <= c.viewport.height && c.box.left >= 0 && c.box.right <= c.viewport.width, JSON.stringify(c));
    assert.equal(c.hitIsItsHost, true);
    await screenshot(page, "overlay-confirm-at-edge.png");
    await d.click(`${confirm} [data-threadline-action=recall-cancel]`);
    await d.waitFor(confirm, { state: "detached" });
  } finally {
    await b.close();
  }
});

test("each_message_is_one_tab_stop_and_the_arrow_keys_move_among_its_actions", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await d.find(`${messageSel(SEED.recallable)} ${HOST} [data-threadline-action=recall]`);
    const hosts = await page.locator(`.msg-s-message-list ${HOST}`).count();
    assert.ok(hosts >= 10, `${hosts} messages with controls`);
    // Tab from the first message's action: each Tab lands in the NEXT message, never twice in one.
    // (Starting near the bottom: focusing the first would scroll the list to its top, where
    // LinkedIn loads older messages and draws the list again.)
    const urnsOnPage = await page.locator(".msg-s-message-list [data-event-urn]").evaluateAll((els) => els.map((e) => e.getAttribute("data-event-urn")));
    const start = urnsOnPage[urnsOnPage.length - 9].match(/,(2-[^)]+)\)$/)[1];
    await d.focus(`${messageSel(start)} ${HOST} [data-threadline-action=react]`);
    // (LinkedIn's own links in an item, such as an attachment, are its stops, not ours.)
    const landed = [];
    for (let i = 0; i < 8; i++) {
      landed.push(await page.evaluate(() => {
        const a = document.activeElement;
        return { urn: a?.closest?.("[data-event-urn]")?.getAttribute("data-event-urn") ?? a?.tagName, ours: !!a?.hasAttribute?.("data-threadline-host") };
      }));
      await page.keyboard.press("Tab");
    }
    const trail = landed.map((l) => `${l.ours ? "ours" : "linkedin"} ${l.urn?.slice(-12)}`).join(" | ");
    assert.ok(landed.every((l) => l.urn?.startsWith("urn:")), `every Tab stayed on a message: ${trail}`);
    const ours = landed.filter((l) => l.ours).map((l) => l.urn);
    assert.ok(ours.length >= 5, trail);
    assert.equal(new Set(ours).size, ours.length, `one stop of ours per message: ${trail}`);

    // Inside one message, the arrows move between its actions and Tab leaves it.
    const mine = messageSel(SEED.recallable);
    await d.focus(`${mine} ${HOST} [data-threadline-action=react]`);
    assert.equal(await d.attr(`${mine} [data-threadline-action=react]`, "tabindex"), "0");
    assert.equal(await d.attr(`${mine} [data-threadline-action=recall]`, "tabindex"), "-1");
    await page.keyboard.press("ArrowRight");
    assert.equal(await d.call(`${mine} [data-threadline-action=recall]`, function () {
      return this.getRootNode().activeElement === this;
    }), true, "the arrow moved focus to Recall");
    assert.equal(await d.attr(`${mine} [data-threadline-action=recall]`, "tabindex"), "0");
    assert.equal(await d.attr(`${mine} [data-threadline-action=react]`, "tabindex"), "-1");
    // Enter on Recall opens the confirmation with the focus in it; Escape closes it and returns.
    await page.keyboard.press("Enter");
    await d.find(`${mine} [data-threadline-confirm]`);
    await page.keyboard.press("Escape");
    await d.waitFor(`${mine} [data-threadline-confirm]`, { state: "detached" });
    await waitFor(() => d.call(`${mine} [data-threadline-action=recall]`, function () {
      return this.getRootNode().activeElement === this;
    }), { what: "the focus back on Recall" });
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => document.activeElement?.closest?.("[data-event-urn]")?.getAttribute("data-event-urn") ?? null);
    assert.notEqual(next, await page.locator(mine).getAttribute("data-event-urn"), "Tab left the message");
  } finally {
    await b.close();
  }
});

test("only_new_messages_from_others_are_announced_not_a_redraw", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await d.find(`${messageSel(SEED.theirs)} ${HOST}`);
    // The history on screen is not news.
    assert.equal(await d.count(`${LIVE} [data-threadline-announced-id]`), 0);

    await sim.incoming({ accountId: SEED.ada, conversationUrn: conversationUrn(SEED.longThread), text: "Linus here: the build is green." });
    await d.find(`${LIVE} [data-threadline-live] p`, { hasText: "Linus here: the build is green." });
    assert.match(await d.text(`${LIVE} [data-threadline-live]`), /^New message from .+: Linus here: the build is green\.$/);
    assert.equal(await d.attr(LIVE, "data-threadline-announced"), "1");

    // Redraws: a reaction changes the view (the message's controls are drawn again), and polls go on.
    await d.hover(messageSel(SEED.theirs));
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-action=react]`);
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-emoji=👍]`);
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-reaction=👍][data-threadline-mine=true]`);
    await waitFor(async () => (await sim.requests()).messages.total >= 4, { what: "more polls" });
    assert.equal(await d.attr(LIVE, "data-threadline-announced"), "1", "nothing more was announced");
    assert.equal(await d.count(`${LIVE} [data-threadline-announced-id]`), 1);
    // A second message from them is announced, once.
    await sim.incoming({ accountId: SEED.ada, conversationUrn: conversationUrn(SEED.longThread), text: "And the tests too." });
    await d.find(`${LIVE} [data-threadline-live] p`, { hasText: "And the tests too." });
    assert.equal(await d.attr(LIVE, "data-threadline-announced"), "2");
  } finally {
    await b.close();
  }
});
