// Reactions and recalls on LinkedIn's own message items, and two tabs on one conversation kept in
// step by the one background (and polled by one poller).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, pageMessage, SEED, WAIT, waitFor } from "./harness.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

const controls = (page, id) => pageMessage(page, id).locator("[data-threadline-controls]");

async function reactWith(page, id, emoji) {
  await controls(page, id).locator("[data-threadline-action=react]").click();
  await controls(page, id).locator(`[data-threadline-action=emoji][data-threadline-emoji="${emoji}"]`).click();
}

test("react_and_unreact_shows_count_and_mine", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    await reactWith(page, SEED.theirs, "🎉");
    const mine = controls(page, SEED.theirs).locator('[data-threadline-reaction="🎉"][data-threadline-mine=true]');
    await mine.waitFor({ timeout: WAIT });
    assert.equal(await mine.getAttribute("data-threadline-count"), "1");
    // Any emoji, typed.
    await controls(page, SEED.theirs).locator("[data-threadline-action=react]").click();
    await controls(page, SEED.theirs).locator("[data-threadline-field=emoji]").fill("🦀");
    await controls(page, SEED.theirs).locator("[data-threadline-field=emoji]").press("Enter");
    await controls(page, SEED.theirs).locator('[data-threadline-reaction="🦀"][data-threadline-mine=true]').waitFor({ timeout: WAIT });
    // Unreact by pressing our reaction.
    await mine.click();
    await controls(page, SEED.theirs).locator('[data-threadline-reaction="🎉"]').waitFor({ state: "detached", timeout: WAIT });
    const ledger = await sim.requests();
    assert.equal(ledger.react.applied, 3);
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
    const recall = controls(a, SEED.recallable).locator("[data-threadline-action=recall]");
    await waitFor(() => recall.isEnabled(), { what: "recall enabled" });
    await recall.click();
    await controls(a, SEED.recallable).locator("[data-threadline-action=recall-confirm]").click();
    await pageMessage(a, SEED.recallable).and(a.locator("[data-threadline-state=recalled]")).waitFor({ timeout: WAIT });
    await pageMessage(other, SEED.recallable).and(other.locator("[data-threadline-state=recalled]")).waitFor({ timeout: WAIT });
    assert.equal(await pageMessage(other, SEED.recallable).locator(".msg-s-event-listitem__body").isVisible(), false);
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
    // Locally still inside the window (10 minutes old), but LinkedIn's clock says it has passed.
    await sim.control("POST", "clock", { advanceMs: 55 * 60 * 1000 });
    const recall = controls(page, SEED.recallable).locator("[data-threadline-action=recall]");
    await waitFor(() => recall.isEnabled(), { what: "recall enabled" });
    await recall.click();
    await controls(page, SEED.recallable).locator("[data-threadline-action=recall-confirm]").click();
    // The recall route answers in the seed's {"error": text} shape: the reason is LinkedIn's text.
    const reason = controls(page, SEED.recallable).locator("[data-threadline-error]");
    await reason.waitFor({ timeout: WAIT });
    assert.match(await reason.textContent(), /Recall refused: .*(window|minutes)/i);
    assert.equal(await pageMessage(page, SEED.recallable).getAttribute("data-threadline-state"), "sent");
    assert.equal(await pageMessage(page, SEED.recallable).locator(".msg-s-event-listitem__body").isVisible(), true);
    // Disabled controls say why: someone else's message has no recall; an old one says the window passed.
    assert.equal(await controls(page, SEED.theirs).locator("[data-threadline-action=recall]").count(), 0);
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
    await reactWith(a, SEED.theirs, "👍");
    await controls(other, SEED.theirs).locator('[data-threadline-reaction="👍"][data-threadline-mine=true]').waitFor({ timeout: WAIT });

    const threadUrn = await a.locator("section[data-conversation-urn]").getAttribute("data-conversation-urn");
    const text = `From Linus ${Date.now()}`;
    await sim.incoming({ conversationUrn: threadUrn, text });
    for (const tab of tabs) {
      await tab.locator("[data-threadline-list] > li[data-threadline-message]", { hasText: text }).waitFor({ timeout: WAIT });
    }

    // One poller, however many tabs: the background's own count of pollers says so. (The rate the
    // simulator sees with one tab and with five is a figure printed by tests/e2e/figures.mjs, not
    // an assertion: a timed bound would make this test depend on the machine's speed.)
    const pollers = await b.sw.evaluate(() => globalThis.threadline.core().status().pollers);
    assert.equal(pollers, 1);
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
