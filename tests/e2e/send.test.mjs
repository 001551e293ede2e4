// Sending from the overlay: both channels, the Sales Navigator refusal on a standard account,
// an attachment, and an HTML payload that must render as inert text.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, openThread, SEED, WAIT, waitFor } from "./harness.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

const panel = (page) => page.locator("[data-threadline-panel]");
const sentItem = (page, text) =>
  panel(page).locator("[data-threadline-list] > li[data-threadline-message][data-threadline-state=sent]", { hasText: text });

async function sendFromPanel(page, { text, subject, channel }) {
  await panel(page).locator("[data-threadline-field=text]").fill(text);
  if (subject) await panel(page).locator("[data-threadline-field=subject]").fill(subject);
  if (channel) await panel(page).locator("[data-threadline-field=channel]").selectOption(channel);
  await panel(page).locator("[data-threadline-action=send]").click();
}

test("send_in_linkedin_inbox_channel_shows_sent_once", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const text = `Inbox hello ${Date.now()}`;
    await sendFromPanel(page, { text, subject: "Hi", channel: "linkedin_inbox" });
    await sentItem(page, text).waitFor({ timeout: WAIT });
    await panel(page).locator("[data-threadline-outbox]").waitFor({ state: "detached", timeout: WAIT });
    assert.equal(await sentItem(page, text).count(), 1);
    const ledger = await sim.requests();
    assert.equal(ledger.send.applied, 1);
  } finally {
    await b.close();
  }
});

test("send_in_sales_navigator_channel_on_sales_navigator_account", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const channel = panel(page).locator("[data-threadline-field=channel]");
    await channel.locator("option[value=sales_navigator]").waitFor({ state: "attached", timeout: WAIT });
    const text = `Sales Navigator hello ${Date.now()}`;
    await sendFromPanel(page, { text, channel: "sales_navigator" });
    // From an inbox thread, Sales Navigator goes to the thread's person, in their SN thread.
    await panel(page).locator("[data-threadline-outbox][data-threadline-state=sent]", { hasText: text }).waitFor({ timeout: WAIT });
    assert.equal((await sim.requests()).send.applied, 1);
  } finally {
    await b.close();
  }
});

test("sales_navigator_refused_on_standard_account", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.grace });
    const page = await openThread(b.context, SEED.graceLongThread, SEED.grace);
    const channel = panel(page).locator("[data-threadline-field=channel]");
    // Wait until the account's premium status is known, then SN must not be offered.
    await panel(page).locator("[data-threadline-field=channel][data-threadline-account-known=true]").waitFor({ timeout: WAIT });
    assert.equal(await channel.locator("option[value=sales_navigator]").count(), 0);
    // A command that asks for it anyway (as a stale tab could) is refused with the reason.
    const threadUrn = await page.locator("section[data-conversation-urn]").getAttribute("data-conversation-urn");
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
    // And the server's own refusal, when the account's status is not known yet, shows as a failed send.
    await sim.fault({ op: "premium", status: 500, count: 5 });
    await b.configure({ accountId: SEED.grace });
    await b.sw.evaluate(async (conversationUrn) => {
      const core = await globalThis.threadline.ready;
      await core.send({ clientKey: "sn-refusal-2", conversationUrn, text: "via SN, server says no", channel: "sales_navigator" });
    }, threadUrn);
    const failed = panel(page).locator("[data-threadline-outbox=sn-refusal-2][data-threadline-state=failed]");
    await failed.waitFor({ timeout: WAIT });
    assert.equal(await failed.locator("[data-threadline-error]").getAttribute("data-threadline-error"), "sales_navigator_unavailable");
    assert.equal((await sim.requests()).send.applied, 0);
  } finally {
    await b.close();
  }
});

test("attachment_upload_remove_and_send", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const file = panel(page).locator("[data-threadline-field=file]");
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
    await file.setInputFiles([
      { name: "dot.png", mimeType: "image/png", buffer: png },
      { name: "notes.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 tiny") },
    ]);
    const items = panel(page).locator("[data-threadline-attachments] > li");
    await panel(page).locator("[data-threadline-attachments] > li[data-threadline-attachment^='urn:li:digitalmediaAsset:file']").waitFor({ timeout: WAIT });
    await panel(page).locator("[data-threadline-attachments] > li[data-threadline-attachment^='urn:li:digitalmediaAsset:photo']").waitFor({ timeout: WAIT });
    assert.equal(await items.count(), 2);
    await items.filter({ hasText: "notes.pdf" }).locator("[data-threadline-action=remove-attachment]").click();
    assert.equal(await items.count(), 1);
    const text = `With a picture ${Date.now()}`;
    await sendFromPanel(page, { text });
    const sent = sentItem(page, text);
    await sent.waitFor({ timeout: WAIT });
    assert.match(await sent.textContent(), /Attachments: dot\.png/);
    const ledger = await sim.requests();
    assert.equal(ledger.upload.applied, 2);
    assert.equal(ledger.send.applied, 1);
  } finally {
    await b.close();
  }
});

test("html_payload_renders_as_inert_text", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b> ${Date.now()}`;
    const threadUrn = await page.locator("section[data-conversation-urn]").getAttribute("data-conversation-urn");
    await sim.incoming({ conversationUrn: threadUrn, text: payload });
    const item = panel(page).locator("[data-threadline-list] > li[data-threadline-message]", { hasText: "window.__pwned" });
    await item.waitFor({ timeout: WAIT });
    assert.equal(await item.locator("[data-threadline-text]").textContent(), payload);
    assert.equal(await item.locator("img, script, b").count(), 0);
    // Our own send of the same payload renders the same way.
    await sendFromPanel(page, { text: payload + " mine" });
    await sentItem(page, "mine").waitFor({ timeout: WAIT });
    assert.equal(await panel(page).locator("[data-threadline-list] img, [data-threadline-list] script").count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  } finally {
    await b.close();
  }
});
