// The toolbar and first run (issue 14): the onboarding page opened by a fresh install, a wrong key
// shown as such, the popup and the icon's badge following the engine's unread counts, signing out
// and clearing Threadline's data (with the second confirmation when the outbox holds unsent
// messages). Real Chromium, the built extension loaded unpacked, the simulator.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startSim, launchChromium, openThread, conversationUrn, otherOneToOne, SEED, WAIT, ROOT, waitFor } from "./harness.mjs";
import { screenshot } from "./shots.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

// Screenshots go to .tmp/screenshots; the README's (popup.png, onboarding.png) to docs/img with
// THREADLINE_UPDATE_SCREENSHOTS=1 (shots.mjs).

/** The icon's badge text, read in the background (what the toolbar shows). */
const badgeText = (b) => b.sw.evaluate(() => chrome.action.getBadgeText({}));

/** The key in the background's keystore (IndexedDB of the extension's origin; keystore.js). */
const storedKey = (b) =>
  b.sw.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("threadline-secrets");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction("secrets").objectStore("secrets").get("apiKey");
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );

/** How many outbox records the engine's IndexedDB store holds (database `threadline:threadline`). */
const storedOutbox = (b) =>
  b.sw.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("threadline:threadline");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const count = open.result.transaction("outbox").objectStore("outbox").count();
          count.onsuccess = () => {
            open.result.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );

/** The popup, opened as a page of its own (a real popup cannot be opened by a test). */
async function openPopup(b) {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: 320, height: 400 });
  await page.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
  await page.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
  return page;
}

/** The popup's own element, clipped to its content (as the toolbar shows it). */
async function popupShot(page, name) {
  const box = await page.locator("body").boundingBox();
  await screenshot(page, name, { clip: { x: 0, y: 0, width: 320, height: Math.ceil(box.height) } });
}

test("every_locale_has_every_string_with_the_same_placeholders", async () => {
  const { readFile, readdir } = await import("node:fs/promises");
  const dir = path.join(ROOT, "extension/_locales");
  const read = async (lang) => JSON.parse(await readFile(path.join(dir, lang, "messages.json"), "utf8"));
  const en = await read("en");
  const langs = (await readdir(dir)).filter((l) => l !== "en");
  assert.ok(langs.length >= 1, "English and at least one more language");
  const shape = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Object.keys(v.placeholders ?? {}).sort().join(",")]));
  for (const lang of langs) assert.deepEqual(shape(await read(lang)), shape(en), lang);
  // Every key a page, the background or the manifest names exists in English.
  const { execFileSync } = await import("node:child_process");
  const used = execFileSync("grep", ["-rhoE", "(data-i18n(-placeholder|-title)?=\"|__MSG_|\\bt\\(\"|getMessage\\(\")[A-Za-z]+", path.join(ROOT, "extension")], { encoding: "utf8" });
  const keys = new Set(used.split("\n").filter(Boolean).map((s) => s.replace(/^.*["_(]/, "")));
  assert.ok(keys.size > 20, `found the keys used (${keys.size})`);
  for (const k of keys) assert.ok(Object.hasOwn(en, k), `missing in _locales/en: ${k}`);
});

test("first_run_opens_onboarding_a_wrong_key_is_shown_then_the_right_one_works", async () => {
  const b = await launchChromium(sim);
  try {
    // A fresh install opens the onboarding page by itself.
    const onboarding = await waitFor(() => b.context.pages().find((p) => p.url().endsWith("/onboarding/onboarding.html")), { what: "the onboarding tab" });
    await onboarding.setViewportSize({ width: 900, height: 760 });
    await onboarding.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    assert.equal(await onboarding.getByLabel("Account").isDisabled(), true, "no account to pick before a key is tested");

    // Meanwhile the toolbar says there is nothing to work with, and offers the setup.
    // (The badge is painted a moment after the background answers requests: waited for.)
    await waitFor(async () => (await badgeText(b)) === "!", { what: "the badge to ask for the setup" });
    const popup = await openPopup(b);
    await popup.locator("[data-threadline-state=key_missing]").waitFor({ timeout: WAIT });
    assert.equal(await popup.getByRole("button", { name: "Set up Threadline" }).isVisible(), true);
    assert.equal(await popup.locator("#facts").isVisible(), false, "no figures without a key");
    await popupShot(popup, "popup-no-key.png");

    // A wrong key: said so, and nothing to pick.
    await onboarding.getByText("Another API address (advanced)").click();
    await onboarding.getByLabel("API base URL").fill(sim.url);
    await onboarding.getByLabel("API key").fill("wrong-key");
    await onboarding.getByRole("button", { name: "Test the key" }).click();
    await onboarding.locator("[data-threadline-result][data-ok=false]").waitFor({ timeout: WAIT });
    assert.match(await onboarding.locator("[data-threadline-result]").textContent(), /rejected the key/);
    assert.equal(await onboarding.getByRole("button", { name: "Save and start" }).isDisabled(), true);
    await screenshot(onboarding, "onboarding-wrong-key.png");

    // The right key: the accounts of the workspace to pick from; saved; the page says what next.
    await onboarding.getByLabel("API key").fill(sim.apiKey);
    await onboarding.getByRole("button", { name: "Test the key" }).click();
    await onboarding.locator("[data-threadline-result][data-ok=true]").waitFor({ timeout: WAIT });
    await onboarding.getByLabel("Account").selectOption(SEED.grace);
    await screenshot(onboarding, "onboarding.png");
    await onboarding.getByRole("button", { name: "Save and start" }).click();
    await onboarding.locator("[data-threadline-done]").waitFor({ timeout: WAIT });
    assert.match(await onboarding.locator("[data-threadline-done]").textContent(), /Acting as Grace Hopper/);
    assert.equal(await onboarding.getByLabel("API key").inputValue(), "", "the key is not kept in the page");
    await screenshot(onboarding, "onboarding-done.png");

    // Working: the popup names the account, the overlay on LinkedIn is synced as that account.
    await popup.locator("[data-threadline-state=synced]").waitFor({ timeout: WAIT });
    await popup.locator("[data-threadline-account]", { hasText: "Grace Hopper" }).waitFor({ timeout: WAIT });
    await popup.locator("[data-threadline-quota]", { hasText: "150 left today" }).waitFor({ timeout: WAIT });
    await waitFor(async () => (await badgeText(b)) !== "!", { what: "the badge to leave the setup mark" });
    const thread = await openThread(b.context, SEED.graceLongThread, SEED.grace);
    await thread.close();
  } finally {
    await b.close();
  }
});

test("the_badge_and_the_popup_count_a_message_that_arrives", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const popup = await openPopup(b);
    await popup.locator("[data-threadline-state=synced]").waitFor({ timeout: WAIT });
    // The engine's list is in: the popup and the badge show the same count.
    let last = "";
    const before = await waitFor(async () => {
      const shown = (await popup.locator("[data-threadline-unread]").textContent()).trim();
      const badge = await badgeText(b);
      last = `popup ${shown}, badge ${badge}`;
      return shown !== "" && Number(shown) > 0 && badge === shown ? Number(shown) : null;
    }, { what: "the popup and the badge to agree on a count" }).catch((e) => {
      throw new Error(`${e.message} (${last})`);
    });
    await popupShot(popup, "popup.png");
    await popup.emulateMedia({ colorScheme: "dark" });
    await popupShot(popup, "popup-dark.png");
    await popup.emulateMedia({ colorScheme: "light" });

    // Someone writes in a conversation nobody has open: the count follows, badge and popup.
    const other = await otherOneToOne(sim);
    await sim.incoming({ accountId: SEED.ada, conversationUrn: conversationUrn(other), text: "Are you free on Thursday?" });
    await waitFor(async () => (await badgeText(b)) === String(before + 1), { what: `the badge to show ${before + 1}` });
    await popup.locator("[data-threadline-unread]", { hasText: String(before + 1) }).waitFor({ timeout: WAIT });
  } finally {
    await b.close();
  }
});

test("sign_out_removes_the_key_and_clear_data_warns_about_unsent_messages", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const options = await b.context.newPage();
    await options.goto(`chrome-extension://${b.extensionId}/options/options.html#data`);
    await options.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    const ask = (f) => options.evaluate((m) => chrome.runtime.sendMessage(m), f);

    // Sign out: the key is gone (the background says so) and the toolbar asks for a new one.
    await options.getByRole("button", { name: "Sign out (remove the key)" }).click();
    await options.locator("[data-threadline-data-result][data-ok=true]", { hasText: "Signed out" }).waitFor({ timeout: WAIT });
    assert.equal((await ask({ type: "settings.get" })).result.hasKey, false);
    assert.equal(await storedKey(b), undefined, "the keystore holds no key");
    await waitFor(async () => (await badgeText(b)) === "!", { what: "the badge to ask for a key" });
    assert.equal(await options.getByRole("button", { name: "Sign out (remove the key)" }).isDisabled(), true);

    // Back with a key, and one message the API refuses: the outbox holds an unsent entry.
    await b.configure({ accountId: SEED.ada });
    await sim.fault({ op: "send", status: 400, count: 5 });
    await b.sw.evaluate(async (urn) => {
      const core = await globalThis.threadline.ready;
      await core.send({ conversationUrn: urn, text: "This one will not go", channel: "linkedin_inbox" });
    }, conversationUrn(SEED.longThread));
    // Refused: failed, not on its way (the engine counts the two apart), and unsent all the same.
    await waitFor(async () => (await ask({ type: "popup.state" })).result.outboxFailed === 1, { what: "one failed entry" });
    assert.equal((await ask({ type: "popup.state" })).result.outboxPending, 0);
    assert.equal(await storedOutbox(b), 1, "the entry is a record of the engine's IndexedDB store");
    await options.reload();
    await options.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });

    // Clear: a first confirmation, then the warning about the unsent message and a second one.
    await options.getByRole("button", { name: "Clear Threadline's data…" }).click();
    await options.locator("[data-threadline-confirm]", { hasText: "Delete the key, the settings" }).waitFor({ timeout: WAIT });
    await options.locator("[data-threadline-action=confirm-clear]").click();
    const warning = options.locator("[data-threadline-confirm]", { hasText: "Unsent messages in the outbox: 1" });
    await warning.waitFor({ timeout: WAIT });
    await screenshot(options, "options-clear-unsent.png");
    // Nothing is cleared before the second confirmation; asked straight, the background refuses too.
    assert.equal((await ask({ type: "settings.get" })).result.hasKey, true);
    assert.deepEqual((await ask({ type: "data.clear" })).result, { cleared: false, unsent: 1 });
    assert.equal((await ask({ type: "popup.state" })).result.outboxFailed, 1);

    await options.getByRole("button", { name: "Delete 1 unsent and clear" }).click();
    await options.locator("[data-threadline-data-result][data-ok=true]", { hasText: "Cleared" }).waitFor({ timeout: WAIT });
    const after = (await ask({ type: "popup.state" })).result;
    assert.equal(after.hasKey, false);
    assert.equal(after.outboxPending, 0);
    assert.equal(after.outboxFailed, 0);
    assert.equal(after.unread, 0);
    assert.equal(after.accountId, "", "the settings are back to their defaults");
    assert.equal(after.baseUrl, "https://api.connectsafely.ai/linkedin");
    const stored = await b.sw.evaluate(() => chrome.storage.local.get(null));
    assert.equal(stored.settings, undefined, "no settings left in storage");
    assert.equal(JSON.stringify(stored).includes("This one will not go"), false, "the outbox entry is gone from storage");
    assert.equal(await storedOutbox(b), 0, "the IndexedDB store was deleted (the engine reopened on an empty one)");
    await waitFor(async () => (await badgeText(b)) === "!", { what: "the badge to ask for a key" });
    assert.equal(await options.getByLabel("API base URL").inputValue(), "https://api.connectsafely.ai/linkedin");
  } finally {
    await b.close();
  }
});

test("in_french_and_in_dark_mode_the_pages_follow_the_browser", async () => {
  const b = await launchChromium(sim, { lang: "fr" });
  try {
    const onboarding = await waitFor(() => b.context.pages().find((p) => p.url().endsWith("/onboarding/onboarding.html")), { what: "the onboarding tab" });
    await onboarding.setViewportSize({ width: 900, height: 760 });
    await onboarding.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    assert.equal(await onboarding.locator("h1").textContent(), "Bienvenue dans Threadline");
    assert.equal(await onboarding.locator("html").getAttribute("lang"), "fr");
    await onboarding.emulateMedia({ colorScheme: "dark" });
    const dark = await onboarding.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(dark, "rgb(27, 31, 35)", "the dark palette");
    await screenshot(onboarding, "onboarding-fr-dark.png");
    await waitFor(async () => (await b.sw.evaluate(() => chrome.action.getTitle({}))) === "Threadline : configurez votre clé d'API", { what: "the toolbar title in French" });

    const popup = await openPopup(b);
    await popup.locator("[data-threadline-state=key_missing]", { hasText: "Pas de clé d'API" }).waitFor({ timeout: WAIT });
    await popup.getByRole("button", { name: "Configurer Threadline" }).waitFor({ timeout: WAIT });
  } finally {
    await b.close();
  }
});
