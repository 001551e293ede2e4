// Reactions and recalls on LinkedIn's own message items (the elements carrying the message URN),
// revealed on hover like LinkedIn's own message actions and clicked with real input; and two tabs
// on one conversation kept in step by the one background (and polled by one poller).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, pageMessage, messageSel, conversationUrn, SEED, WAIT, waitFor } from "./harness.mjs";
import { closedDriver } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

async function reactWith(d, id, emoji) {
  await d.hover(messageSel(id));
  await d.click(`${messageSel(id)} [data-threadline-action=react]`);
  await d.click(`${messageSel(id)} [data-threadline-action=emoji][data-threadline-emoji=${emoji}]`);
}

test("react_and_unreact_on_linkedins_items_shows_count_and_mine", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await reactWith(d, SEED.theirs, "🎉");
    const mine = `${messageSel(SEED.theirs)} [data-threadline-reaction=🎉][data-threadline-mine=true]`;
    assert.equal(await d.attr(mine, "data-threadline-count"), "1");
    // Any emoji, typed (real keystrokes).
    await d.hover(messageSel(SEED.theirs));
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-action=react]`);
    await d.click(`${messageSel(SEED.theirs)} [data-threadline-field=emoji]`);
    await page.keyboard.type("🦀");
    await page.keyboard.press("Enter");
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-reaction=🦀][data-threadline-mine=true]`);
    // Unreact by pressing our reaction.
    await d.click(mine);
    await d.waitFor(`${messageSel(SEED.theirs)} [data-threadline-reaction=🎉]`, { state: "detached" });
    // The pill goes as soon as the change is asked (shown pending); the server applies it after.
    await waitFor(async () => (await sim.requests()).react.applied >= 3, { what: "the unreact applied" });
    assert.equal((await sim.requests()).react.applied, 3);
    // One set of controls per item, and LinkedIn's own summary gives way to ours.
    const perItem = await page.evaluate(() => [...document.querySelectorAll("[data-event-urn]")].map((i) => i.querySelectorAll(":scope > [data-threadline-host]").length));
    assert.ok(perItem.every((n) => n <= 1), JSON.stringify(perItem));
  } finally {
    await b.close();
  }
});

test("recall_success_hides_message_in_both_tabs", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const a = await openThread(b.context, SEED.longThread);
    const other = await openThread(b.context, SEED.longThread);
    await a.bringToFront();
    const d = await closedDriver(a);
    await d.hover(messageSel(SEED.recallable));
    await waitFor(async () => (await d.attr(`${messageSel(SEED.recallable)} [data-threadline-action=recall]`, "disabled")) === undefined, { what: "recall enabled" });
    await d.click(`${messageSel(SEED.recallable)} [data-threadline-action=recall]`);
    await d.click(`${messageSel(SEED.recallable)} [data-threadline-action=recall-confirm]`);
    // LinkedIn's page drops the recalled message on its next refresh; until then our host marks it.
    for (const tab of [a, other]) {
      await waitFor(
        async () => (await pageMessage(tab, SEED.recallable).count()) === 0 || (await pageMessage(tab, SEED.recallable).locator("[data-threadline-state=recalled]").count()) === 1,
        { what: "the recalled message hidden" },
      );
    }
    assert.equal((await sim.requests()).recall.applied, 1);
  } finally {
    await b.close();
  }
});

test("recall_refused_by_linkedin_keeps_message_and_shows_reason", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    // Locally still inside the window (10 minutes old), but LinkedIn's clock says it has passed.
    await sim.control("POST", "clock", { advanceMs: 55 * 60 * 1000 });
    await d.hover(messageSel(SEED.recallable));
    await waitFor(async () => (await d.attr(`${messageSel(SEED.recallable)} [data-threadline-action=recall]`, "disabled")) === undefined, { what: "recall enabled" });
    await d.click(`${messageSel(SEED.recallable)} [data-threadline-action=recall]`);
    await d.click(`${messageSel(SEED.recallable)} [data-threadline-action=recall-confirm]`);
    const reason = await d.text(`${messageSel(SEED.recallable)} [data-threadline-error]`);
    assert.match(reason, /Recall refused: .*(window|minutes)/i);
    assert.equal(await pageMessage(page, SEED.recallable).locator("[data-threadline-host]").getAttribute("data-threadline-state"), "sent");
    assert.equal(await pageMessage(page, SEED.recallable).locator(".msg-s-event-listitem__body").isVisible(), true);
    // Someone else's message has no recall at all.
    await d.hover(messageSel(SEED.theirs));
    assert.equal(await d.count(`${messageSel(SEED.theirs)} [data-threadline-action=recall]`), 0);
    assert.equal((await sim.requests()).recall.applied, 0);
  } finally {
    await b.close();
  }
});

test("two_tabs_share_reactions_incoming_messages_and_one_poller", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada, pollMs: 1000 });
    const tabs = [];
    for (let i = 0; i < 3; i++) tabs.push(await openThread(b.context, SEED.longThread));
    const [a, other] = tabs;
    await a.bringToFront();
    await reactWith(await closedDriver(a), SEED.theirs, "👍");
    await (await closedDriver(other)).find(`${messageSel(SEED.theirs)} [data-threadline-reaction=👍][data-threadline-mine=true]`);

    // An incoming message: LinkedIn's page renders it, and each tab's overlay decorates it once.
    const text = `From Linus ${Date.now()}`;
    await sim.incoming({ conversationUrn: conversationUrn(SEED.longThread), text });
    for (const tab of tabs) {
      await tab.locator("[data-event-urn]", { hasText: text }).locator("[data-threadline-host=message]").waitFor({ state: "attached", timeout: WAIT });
      assert.equal(await tab.locator("[data-event-urn]", { hasText: text }).locator("[data-threadline-host]").count(), 1);
    }

    // One poller, however many tabs: the background's own count of pollers says so. (The rate the
    // simulator sees with one tab and with five is a figure printed by tests/e2e/figures.mjs, not
    // an assertion: a timed bound would make this test depend on the machine's speed.)
    assert.equal(await b.sw.evaluate(() => globalThis.threadline.core().status().pollers), 1);
    await Promise.all(tabs.slice(1).map((t) => t.close()));
    assert.equal(await b.sw.evaluate(() => globalThis.threadline.core().status().pollers), 1);
    await a.close();
    await waitFor(async () => (await b.sw.evaluate(() => globalThis.threadline.core().status().pollers)) === 0, {
      what: "the poller to stop when no tab shows the conversation",
    });
  } finally {
    await b.close();
  }
});

test("message_actions_show_on_keyboard_focus_and_work_from_the_keyboard", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    const bar = `${messageSel(SEED.theirs)} [role=toolbar]`;
    await page.mouse.move(0, 0);
    assert.equal(await d.style(bar, "opacity"), "0", "hidden until hover or focus");
    await d.focus(`${messageSel(SEED.theirs)} [data-threadline-action=react]`);
    await waitFor(async () => (await d.style(bar, "opacity")) === "1", { what: "the actions shown on focus" });
    await page.keyboard.press("Enter"); // opens the picker, focus on its first emoji
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-picker]`);
    await page.keyboard.press("Enter");
    await d.find(`${messageSel(SEED.theirs)} [data-threadline-reaction=👍][data-threadline-mine=true]`);
    assert.equal((await sim.requests()).react.applied, 1);
  } finally {
    await b.close();
  }
});
