// The overlay on LinkedIn as it is (docs/linkedin-page.md): a thread switch in-page rebinds with no
// duplicate controls; arriving at /messaging/ by in-page navigation from the feed; a chat bubble in
// each of the three placements (light DOM, #interop-outlet's shadow root, a /preload/ frame) gets
// working controls bound to its conversation, and the hidden copy of the app gets none; a message
// LinkedIn shows first under a client id keeps one set of controls once its real node replaces it.
// And what a page script can do against it: nothing (closed roots, trusted input only, actions
// bound to the conversation the background resolved).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, bubbleUrl, messageSel, otherOneToOne, COMPOSE, SEND_FORM, SEED, WAIT, waitFor } from "./harness.mjs";
import { closedDriver, sendThroughComposer } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

/** Linus Torvalds's profile id (sim/README.md): Ada's one-to-one conversation with him is the long thread. */
const LINUS_ID = "ACoAALinus_Torvalds-SimPerson0000000L01";
const BUBBLE = "[data-view-name=message-overlay-conversation-bubble-item]";

/** Every LinkedIn item has at most one host, and the page (or bubble) one control by its composer. */
async function assertNoDuplicates(d) {
  const items = await d.findAll("[data-event-urn]");
  for (const item of items) {
    const hosts = item.kids.filter((k) => k.attrs?.["data-threadline-host"] !== undefined);
    assert.ok(hosts.length <= 1, `an item with ${hosts.length} hosts`);
  }
}

test("thread_switch_in_page_rebinds_without_duplicates", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await page.evaluate(() => (window.__sameDocument = true));
    assert.equal(await d.attr(SEND_FORM, "data-threadline-conversation-id"), SEED.longThread);
    // Rows have no links: a click routes in-page (pushState). Pick another conversation's row.
    const rows = page.locator(".msg-conversation-listitem__link");
    const first = page.url();
    for (let i = 0; i < (await rows.count()); i++) {
      await rows.nth(i).click();
      if (page.url() !== first) break;
    }
    assert.notEqual(page.url(), first);
    const otherId = decodeURIComponent(/\/messaging\/thread\/([^/]+)\//.exec(new URL(page.url()).pathname)[1]);
    await d.waitFor(`${COMPOSE}[data-threadline-bound=bound] [data-threadline-send-form][data-threadline-conversation-id="${otherId}"]`);
    await page.locator("[data-event-urn] [data-threadline-host=message]").first().waitFor({ state: "attached", timeout: WAIT });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "no document load");
    assert.equal(await page.locator(COMPOSE).count(), 1);
    await assertNoDuplicates(d);
    // Back (popstate) rebinds to the first thread; a react there lands on its message.
    await page.goBack();
    await d.waitFor(`${COMPOSE}[data-threadline-bound=bound] [data-threadline-send-form][data-threadline-conversation-id="${SEED.longThread}"]`);
    await d.hover(messageSel(SEED.theirs));
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-action=react]`);
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-action=emoji][data-threadline-emoji=👍]`);
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-reaction=👍][data-threadline-mine=true]`);
    assert.equal(await page.locator(COMPOSE).count(), 1);
    await assertNoDuplicates(d);
    assert.equal((await sim.requests()).react.applied, 1);
  } finally {
    await b.close();
  }
});

test("arriving_at_messaging_by_in_page_navigation_from_the_feed", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    await page.goto(bubbleUrl({ path: "feed" }));
    await page.locator(".feed-shared-update-v2").first().waitFor({ timeout: WAIT });
    await page.evaluate(() => (window.__sameDocument = true));
    await page.locator(".global-nav__primary-link-messaging").click();
    // /messaging/ redirects (in-page) into the newest thread; the overlay follows the route.
    await page.waitForURL(/\/messaging\/thread\//, { timeout: WAIT });
    const id = decodeURIComponent(/\/messaging\/thread\/([^/]+)\//.exec(new URL(page.url()).pathname)[1]);
    const d = await closedDriver(page);
    await d.waitFor(`${COMPOSE}[data-threadline-bound=bound][data-threadline-status=synced] [data-threadline-send-form][data-threadline-conversation-id="${id}"]`);
    await page.locator("[data-event-urn] [data-threadline-host=message]").first().waitFor({ state: "attached", timeout: WAIT });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "no document load");
  } finally {
    await b.close();
  }
});

for (const [placement, path] of [["light", "feed"], ["shadow", "in/someone"], ["iframe", "feed"]]) {
  test(`bubble_${placement}_gets_controls_bound_to_its_conversation_and_the_hidden_copy_none`, async () => {
    const b = await launchChromium(sim);
    try {
      await b.configure({ accountId: SEED.ada });
      const page = await b.context.newPage();
      await page.goto(bubbleUrl({ placement, threadId: SEED.longThread, path }));
      const d = await closedDriver(page);
      await d.find(`${BUBBLE} ${COMPOSE}[data-threadline-bound=bound]`, { timeout: 30000 });
      assert.equal(await d.attr(`${BUBBLE} ${SEND_FORM}`, "data-threadline-conversation-id"), SEED.longThread);
      // Working controls: a reaction from the bubble.
      await d.hover(`${BUBBLE} ${messageSel(SEED.theirs)}`);
      await d.click(`${BUBBLE} ${messageSel(SEED.theirs)} [data-threadline-action=react]`);
      await d.click(`${BUBBLE} ${messageSel(SEED.theirs)} [data-threadline-action=emoji][data-threadline-emoji=🎉]`);
      await d.find(`${BUBBLE} ${messageSel(SEED.theirs)} [data-threadline-reaction=🎉][data-threadline-mine=true]`);
      assert.equal((await sim.requests()).react.applied, 1);
      // And a send through the bubble's composer lands in the bubble's conversation.
      const text = `From the ${placement} bubble ${Date.now()}`;
      const box = placement === "iframe" ? page.frameLocator("iframe.preload-frame").locator(".msg-form__contenteditable") : null;
      await sendThroughComposer(page, d, { text, scope: BUBBLE, box });
      await d.find(`${BUBBLE} [data-event-urn] [data-threadline-sent-via]`);
      const data = await sim.control("GET", "snapshot");
      const thread = data.threads.find((t) => t.messages.some((m) => m.text === text));
      assert.equal(thread?.threadId, SEED.longThread);
      // LinkedIn's hidden copy of the app (a /preload/ frame nobody sees) gets nothing at all.
      const copy = await d.find("iframe[data-sim-copy]");
      assert.ok(copy);
      await d.find("iframe[data-sim-copy] [data-event-urn]"); // it did render messages
      assert.equal(await d.count("iframe[data-sim-copy] [data-threadline-host]"), 0);
      assert.equal(await b.sw.evaluate(() => globalThis.threadline.core().status().pollers), 1);
    } finally {
      await b.close();
    }
  });
}

test("placeholder_replaced_by_the_real_node_keeps_one_set_of_controls", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // Watch, from the page, what LinkedIn's own Send renders.
    await page.evaluate(() => {
      window.__seen = { placeholders: 0, decoratedPlaceholders: 0 };
      new MutationObserver((records) => {
        for (const r of records) {
          for (const n of r.addedNodes) {
            if (n.nodeType !== 1) continue;
            for (const i of [n, ...n.querySelectorAll("[data-event-urn]")]) {
              const v = i.getAttribute?.("data-event-urn");
              if (v && !v.startsWith("urn:")) window.__seen.placeholders++;
            }
            if (n.hasAttribute("data-threadline-host") && !n.parentElement?.getAttribute("data-event-urn")?.startsWith("urn:")) window.__seen.decoratedPlaceholders++;
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const text = `Sent by LinkedIn itself ${Date.now()}`;
    await page.locator(".msg-form__contenteditable").click();
    await page.keyboard.type(text);
    await page.locator("button.msg-form__send-button").click();
    const real = page.locator('[data-event-urn^="urn:"]', { hasText: text });
    await real.locator("[data-threadline-host=message]").waitFor({ state: "attached", timeout: WAIT });
    await page.waitForTimeout(500); // a second decoration would come with the next scan
    assert.equal(await real.locator("[data-threadline-host]").count(), 1);
    assert.equal(await page.locator("[data-event-urn]", { hasText: text }).count(), 1);
    const seen = await page.evaluate(() => window.__seen);
    assert.ok(seen.placeholders >= 1, "LinkedIn showed a placeholder first");
    assert.equal(seen.decoratedPlaceholders, 0);
    await assertNoDuplicates(d);
  } finally {
    await b.close();
  }
});

test("page_scripts_cannot_read_or_drive_the_overlay", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    const threadId = await otherOneToOne(sim);
    await page.goto(bubbleUrl({ placement: "light", threadId }));
    const d = await closedDriver(page);
    await d.find(`${BUBBLE} ${COMPOSE}[data-threadline-bound=bound]`, { timeout: 30000 });
    await d.find(`${BUBBLE} [data-event-urn] [data-threadline-host=message]`);
    // (a) closed roots: the page sees hosts, never what is inside them.
    const peek = await page.evaluate(() => {
      const hosts = [...document.querySelectorAll("[data-threadline-host]")];
      return { hosts: hosts.length, open: hosts.filter((h) => h.shadowRoot).length, text: hosts.map((h) => h.textContent).join("") };
    });
    assert.ok(peek.hosts > 1);
    assert.equal(peek.open, 0);
    assert.equal(peek.text, "");
    // (b) untrusted input does nothing: the page types in LinkedIn's box and fires every event it
    // can at the overlay's hosts (clicks, Enter, submit), at the coordinates of its buttons too.
    const sendNode = await d.find(`${BUBBLE} ${COMPOSE} [data-threadline-action=options]`);
    assert.ok(sendNode);
    await page.evaluate(() => {
      const box = document.querySelector("[data-view-name=message-overlay-conversation-bubble-item] .msg-form__contenteditable");
      box.textContent = "sent by a page script";
      for (const host of document.querySelectorAll("[data-threadline-host]")) {
        host.click();
        for (const type of ["pointerdown", "mousedown", "mouseup", "click"]) host.dispatchEvent(new MouseEvent(type, { bubbles: true, composed: true }));
        host.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, composed: true }));
        host.dispatchEvent(new SubmitEvent("submit", { bubbles: true, composed: true }));
        const r = host.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        hit?.click();
      }
    });
    await page.waitForTimeout(1500); // time for a wrongly accepted action to reach the API
    const ledger = await sim.requests();
    assert.equal(ledger.send.total, 0);
    assert.equal(ledger.react.total, 0);
    assert.equal(ledger.recall.total, 0);
    assert.equal(await d.attr(`${BUBBLE} ${COMPOSE} [data-threadline-send-form]`, "hidden"), "", "the send options stayed closed");
    // (c) the page rewrites a bubble item to name a message of ANOTHER conversation (the long
    // thread's recallable one): the overlay's actions stay bound to the bubble's own conversation.
    await page.evaluate((id) => {
      const items = document.querySelectorAll("[data-view-name=message-overlay-conversation-bubble-item] [data-event-urn]");
      const item = items[items.length - 1];
      item.setAttribute("data-event-urn", item.getAttribute("data-event-urn").replace(/,[^,]+\)$/, `,${id})`));
    }, SEED.recallable);
    await d.hover(`${BUBBLE} ${messageSel(SEED.recallable)}`);
    const recall = `${BUBBLE} ${messageSel(SEED.recallable)} [data-threadline-action=recall]`;
    await d.find(recall);
    assert.equal(await d.attr(recall, "disabled"), "", "no recall of a message this conversation does not hold");
    assert.equal(await d.attr(`${BUBBLE} ${SEND_FORM}`, "data-threadline-conversation-id"), threadId);
    assert.equal((await sim.requests()).recall.total, 0);
    // The user's own send from that bubble still goes to the bubble's conversation.
    await page.evaluate(() => (document.querySelector("[data-view-name=message-overlay-conversation-bubble-item] .msg-form__contenteditable").textContent = ""));
    const text = `Bound send ${Date.now()}`;
    await sendThroughComposer(page, d, { text, scope: BUBBLE });
    const stored = await waitFor(async () => (await sim.control("GET", "snapshot")).threads.find((t) => t.messages.some((m) => m.text === text)), { what: "the send stored" });
    assert.equal(stored.threadId, threadId);
  } finally {
    await b.close();
  }
});

test("screenshot_of_the_overlay_on_the_messaging_page", async () => {
  // The README's picture (docs/img/overlay.png) is refreshed only on request (shots.mjs).
  const { screenshot } = await import("./shots.mjs");
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await d.hover(messageSel(SEED.theirs));
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-action=react]`);
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-action=emoji][data-threadline-emoji=👍]`);
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-reaction=👍][data-threadline-mine=true]`);
    await page.locator(".msg-form__contenteditable").click();
    await page.keyboard.type("Thanks, Linus! Sending the deck now.");
    await d.click(`${COMPOSE} [data-threadline-action=options]`);
    await d.click(`${COMPOSE} [data-threadline-field=subject]`);
    await page.keyboard.type("Q3 deck");
    await d.hover(messageSel(SEED.recallable), { left: 80 }); // its actions show on hover
    await screenshot(page, "overlay.png");
  } finally {
    await b.close();
  }
});

test("a_bubble_threadline_cannot_place_says_so_and_does_nothing", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    // A group conversation never opened here: its messages are not synced and its header names one
    // of several people, so nothing tells which conversation it is.
    await page.goto(bubbleUrl({ placement: "light", threadId: SEED.sharedThread }));
    const d = await closedDriver(page);
    await d.find(`${BUBBLE} ${COMPOSE}[data-threadline-bound=unknown]`, { timeout: 30000 });
    assert.equal(await d.attr(`${BUBBLE} ${COMPOSE} [data-threadline-action=send]`, "disabled"), "");
    assert.match(await d.text(`${BUBBLE} ${COMPOSE} [data-threadline-send-error]`), /can't tell which conversation/);
    assert.equal(await d.count(`${BUBBLE} [data-event-urn] [data-threadline-action=react]`), 0, "no message controls on a guess");
  } finally {
    await b.close();
  }
});

test("a_bubble_header_link_that_leaves_linkedin_does_not_place_the_bubble", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    // The group bubble above (its messages place nothing), its header's link then rewritten.
    await page.goto(bubbleUrl({ placement: "light", threadId: SEED.sharedThread }));
    const d = await closedDriver(page);
    await d.find(`${BUBBLE} ${COMPOSE}[data-threadline-bound=unknown]`, { timeout: 30000 });
    const relink = (href) => page.evaluate((href) => document.querySelector("[data-view-name=message-overlay-conversation-bubble-item] header h2 a").setAttribute("href", href), href);
    // A link elsewhere whose path names Linus (Ada's conversation with him is the long thread): the
    // overlay asks again every few seconds while unknown, and each time takes nobody from it.
    await relink(`https://x.example/in/${LINUS_ID}/`);
    await page.waitForTimeout(7000); // two of the overlay's retries
    assert.equal(await d.attr(`${BUBBLE} ${COMPOSE}`, "data-threadline-bound"), "unknown");
    assert.equal(await d.attr(`${BUBBLE} ${SEND_FORM}`, "data-threadline-conversation-id"), "");
    // The same path on LinkedIn itself is the bubble's header naming its person, and places it
    // (so the retries above did read the link).
    await relink(`/in/${LINUS_ID}/`);
    await d.waitFor(`${BUBBLE} ${COMPOSE}[data-threadline-bound=bound] [data-threadline-send-form][data-threadline-conversation-id="${SEED.longThread}"]`);
  } finally {
    await b.close();
  }
});

test("without_linkedins_composer_a_minimal_fallback_composer_sends", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // A LinkedIn variant with no composer we know (here: the form is gone).
    await page.evaluate(() => document.querySelector("form.msg-form").remove());
    await page.locator("[data-threadline-host=fallback][data-threadline-bound=bound]").waitFor({ state: "attached", timeout: WAIT });
    assert.equal(await page.locator(COMPOSE).count(), 0);
    const text = `Through the fallback ${Date.now()}`;
    await d.click("[data-threadline-host=fallback] [data-threadline-field=text]");
    await page.keyboard.type(text);
    await d.click("[data-threadline-host=fallback] [data-threadline-action=send]");
    await page.locator("[data-event-urn]", { hasText: text }).locator("[data-threadline-host=message]").waitFor({ state: "attached", timeout: WAIT });
    assert.equal(await d.text("[data-threadline-host=fallback] [data-threadline-field=text]"), "");
    assert.equal((await sim.requests()).send.applied, 1);
  } finally {
    await b.close();
  }
});

test("older_messages_loaded_on_scroll_get_controls_too", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const items = page.locator(".msg-s-message-list [data-event-urn]");
    await page.locator("[data-event-urn] [data-threadline-host=message]").first().waitFor({ state: "attached", timeout: WAIT });
    const before = await items.count();
    await page.locator(".msg-s-message-list").evaluate((list) => (list.scrollTop = 0));
    await waitFor(async () => (await items.count()) > before, { what: "older messages on scroll" });
    await waitFor(async () => (await page.locator(".msg-s-message-list [data-event-urn] > [data-threadline-host=message]").count()) === (await items.count()), {
      what: "every message, older ones included, decorated once",
    });
  } finally {
    await b.close();
  }
});
