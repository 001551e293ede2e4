// Sending through LinkedIn's own composer: the text typed in LinkedIn's box, Threadline's compact
// control beside LinkedIn's Send button picking the channel, a subject and an attachment; the box
// cleared once the engine holds the message; the sent message marked on LinkedIn's own item; the
// Sales Navigator refusal on a standard account; an HTML payload that must stay inert text.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, conversationUrn, COMPOSE, SEED, WAIT, waitFor } from "./harness.mjs";
import { closedDriver, sendThroughComposer } from "./closed.mjs";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { TMP } from "./harness.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

async function simMessage(text) {
  const data = await sim.control("GET", "snapshot");
  for (const t of data.threads) for (const m of t.messages) if (m.text === text) return { thread: t, message: m };
  return null;
}

test("send_through_linkedins_composer_in_each_channel_with_subject_and_attachment", async () => {
  const dir = mkdtempSync(path.join(TMP, "attach-"));
  const file = path.join(dir, "dot.png");
  writeFileSync(file, PNG);
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    await d.find(`${COMPOSE} [data-threadline-channel=sales_navigator]`, { timeout: WAIT }).catch(async () => {
      await d.click(`${COMPOSE} [data-threadline-action=options]`);
      await d.find(`${COMPOSE} [data-threadline-channel=sales_navigator]`);
      await d.click(`${COMPOSE} [data-threadline-action=options]`);
    });
    let applied = 0;
    for (const channel of ["linkedin_inbox", "auto", "sales_navigator"]) {
      const text = `Hello via ${channel} ${Date.now()}`;
      await sendThroughComposer(page, d, { text, subject: `Subject ${channel}`, channel, files: [file] });
      // LinkedIn's box is cleared once the engine holds the message.
      await waitFor(async () => (await page.locator(".msg-form__contenteditable").innerText()).trim() === "", { what: "the composer cleared" });
      if (channel === "sales_navigator") {
        // From an inbox thread, Sales Navigator goes to the thread's person, in their SN thread:
        // nothing shows in this thread, so the strip by the composer says where it went.
        await d.find(`[data-threadline-host=strip] [data-threadline-outbox][data-threadline-state=sent]`, { hasText: text });
      } else {
        // LinkedIn renders it (its own item) and Threadline marks it as sent through it.
        const item = page.locator("[data-event-urn]", { hasText: text });
        await item.waitFor({ timeout: WAIT });
        const urn = await item.getAttribute("data-event-urn");
        await d.find(`[data-event-urn="${urn}"] [data-threadline-sent-via]`);
        // Its subject, from the engine's view, above LinkedIn's own text (which has none).
        assert.equal(await d.text(`[data-event-urn="${urn}"] [data-threadline-host=subject] [data-threadline-subject]`), `Subject ${channel}`);
        assert.equal(await item.count(), 1);
      }
      applied++;
      assert.equal((await sim.requests()).send.applied, applied);
      const stored = await waitFor(() => simMessage(text), { what: "the message in the simulator" });
      assert.equal(stored.message.subject, `Subject ${channel}`);
      assert.deepEqual(stored.message.attachments.map((a) => a.name), ["dot.png"]);
      assert.equal(stored.thread.sales_navigator ?? stored.thread.salesNavigator, channel === "sales_navigator");
    }
    // No second message list: Threadline shows LinkedIn's items, not its own copy.
    assert.equal(await d.count("[data-threadline-list]"), 0);
  } finally {
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sales_navigator_refused_on_standard_account", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.grace });
    const page = await openThread(b.context, SEED.graceLongThread, SEED.grace);
    const d = await closedDriver(page);
    await d.click(`${COMPOSE} [data-threadline-action=options]`);
    // Once the account's premium status is known, Sales Navigator is not offered.
    await d.find(`${COMPOSE} [data-threadline-field=channel][data-threadline-account-known=true]`);
    assert.equal(await d.count(`${COMPOSE} [data-threadline-channel=sales_navigator]`), 0);
    // A command that asks for it anyway (as a stale tab could) is refused with the reason.
    const threadUrn = conversationUrn(SEED.graceLongThread);
    const refusal = await b.sw.evaluate(async (conversationUrn) => {
      const core = await globalThis.threadline.ready;
      try {
        await core.send({ clientKey: "sn-refusal-1", conversationUrn, text: "via SN?", channel: "sales_navigator" });
        return null;
      } catch (e) {
        return e.code;
      }
    }, threadUrn);
    assert.equal(refusal, "sales_navigator_unavailable");
    // The server's own refusal, when the account's status is not known yet, shows as a failed send
    // in the strip by the composer, with LinkedIn's reason, and no retry.
    await sim.fault({ op: "premium", status: 500, count: 5 });
    await b.configure({ accountId: SEED.grace });
    await b.sw.evaluate(async (conversationUrn) => {
      const core = await globalThis.threadline.ready;
      await core.send({ clientKey: "sn-refusal-2", conversationUrn, text: "via SN, server says no", channel: "sales_navigator" });
    }, threadUrn);
    const failed = "[data-threadline-host=strip] [data-threadline-outbox=sn-refusal-2][data-threadline-state=failed]";
    await d.find(failed);
    assert.equal(await d.attr(`${failed} [data-threadline-error]`, "data-threadline-error"), "bad_request");
    assert.match(await d.text(failed), /Sales Navigator/);
    assert.equal(await d.count(`${failed} [data-threadline-action=retry]`), 0);
    assert.equal((await sim.requests()).send.applied, 0);
  } finally {
    await b.close();
  }
});

test("html_payload_stays_inert_text", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b> ${Date.now()}`;
    await sim.incoming({ conversationUrn: conversationUrn(SEED.longThread), text: payload });
    const item = page.locator("[data-event-urn]", { hasText: "window.__pwned" });
    await item.locator("[data-threadline-host=message]").waitFor({ state: "attached", timeout: WAIT });
    // Threadline's own send of the same payload, marked on LinkedIn's item.
    await sendThroughComposer(page, d, { text: `${payload} mine` });
    const mine = page.locator("[data-event-urn]", { hasText: "mine" }).last();
    await mine.waitFor({ timeout: WAIT });
    await d.find(`[data-event-urn="${await mine.getAttribute("data-event-urn")}"] [data-threadline-sent-via]`);
    assert.equal(await d.count("[data-threadline-host] img"), 0);
    assert.equal(await d.count("[data-threadline-host] script"), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  } finally {
    await b.close();
  }
});
