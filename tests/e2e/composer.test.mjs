// New conversations (issue 14): "Message with Threadline" on a LinkedIn profile page (the
// simulator's profile follows docs/linkedin-page.md, "Profile pages") and "New message" in the
// toolbar popup, both the shared composer (extension/content/composer.js). A send reaches the
// simulator exactly once, to that profile (its URN from the page's Message link); the 151st new
// conversation of the day is refused by the engine before any request, with the reset time shown;
// a page that is not a profile gets no control. Real Chromium, the built extension, the simulator.
//
// The 150 new conversations before the 151st are real sends through the engine (the background's
// test hook `core.send`, each to a profile URN the simulator does not know yet, which it takes as a
// new contact), with the simulator's per-minute write limit lifted (`POST /__sim/limits`): the
// quota is the engine's own count of what it sent today, and nothing else sets it. The run prints
// how long they took.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startSim, launchChromium, SEED, WAIT, waitFor } from "./harness.mjs";
import { closedDriver } from "./closed.mjs";
import { screenshot } from "./shots.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

/** The simulator's contact with no conversation yet (sim/README.md, well-known ids). */
const NADIA = { slug: "nadia-newcontact-sim", id: "ACoAANew_Contact-SimPerson000000000N01" };
const NADIA_URN = `urn:li:fsd_profile:${NADIA.id}`;
const PROFILE = "[data-threadline-host=profile]";
const POP = `${PROFILE} [data-threadline-new-conversation]`;

const profileUrl = (slug, account = SEED.ada) => `https://www.linkedin.com/in/${slug}/?account=${account}`;

/** Every message of the simulator's workspace with this text, with its thread's members. */
async function sentWithText(text) {
  const data = await sim.control("GET", "snapshot");
  const out = [];
  for (const t of data.threads) for (const m of t.messages) if (m.text === text) out.push({ members: t.members, message: m });
  return out;
}

/** Types into a field of a closed shadow root with real keys (a click first, as a user would). */
async function typeInto(page, d, selector, text) {
  await d.click(selector);
  await page.keyboard.type(text);
}

/** The engine's status (quota, outbox) as the popup reads it. */
async function overview(b) {
  return b.sw.evaluate(async () => (await globalThis.threadline.ready).overview());
}

/** The time of the next midnight UTC as the composer writes it (the engine's reset, in this browser's words). */
function resetWords(page) {
  return page.evaluate(() => {
    const DAY = 86400000;
    const reset = new Date((Math.floor(Date.now() / DAY) + 1) * DAY);
    const same = reset.toDateString() === new Date().toDateString();
    const options = same ? { hour: "numeric", minute: "2-digit" } : { weekday: "short", hour: "numeric", minute: "2-digit" };
    return new Intl.DateTimeFormat(undefined, options).format(reset).replace(/\s/g, "\u00a0"); // kept on one line
  });
}

test("a_new_conversation_from_a_profile_page_reaches_that_profile_once", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    await page.goto(profileUrl(NADIA.slug));
    // Beside LinkedIn's own Message link, with the URN that link names (not the sidebar's).
    await page.locator(`${PROFILE}[data-threadline-placement=beside][data-threadline-recipient-kind=urn]`).waitFor({ timeout: WAIT });
    // The page's scripts cannot reach inside it (a closed shadow root).
    assert.equal(await page.evaluate((sel) => document.querySelector(sel).shadowRoot, PROFILE), null);
    const d = await closedDriver(page);
    await d.click(`${PROFILE} [data-threadline-action=message]`);
    await d.find(`${POP} [data-threadline-recipient="${NADIA_URN}"]`);
    assert.match(await d.text(`${POP} [data-threadline-recipient]`), /Nadia/);
    await d.find(`${POP} [data-threadline-quota][data-threadline-quota-left="150"]`);
    assert.match(await d.text(`${POP} [data-threadline-quota]`), /^New conversations left today: 150 · resets .+$/);

    const text = "Hello Nadia, I loved your talk on sales tooling. Coffee next week?";
    await typeInto(page, d, `${POP} [data-threadline-field=text]`, text);
    await typeInto(page, d, `${POP} [data-threadline-field=subject]`, "A first hello");
    await d.click(`${POP} [data-threadline-channel=linkedin_inbox]`);
    await screenshot(page, "profile-composer.png", { clip: { x: 20, y: 60, width: 840, height: 770 } });
    await d.click(`${POP} [data-threadline-action=send]`);

    // The composer shows it sent (the engine's outcome), and the quota it counted.
    await d.find(`${POP} [data-threadline-outbox][data-threadline-state=sent]`, { hasText: text });
    await d.find(`${POP} [data-threadline-quota][data-threadline-quota-left="149"]`);
    await screenshot(page, "profile-composer-sent.png");

    // The simulator received exactly one send, and it went to Nadia, with the subject.
    assert.equal((await sim.requests()).send.total, 1);
    const found = await sentWithText(text);
    assert.equal(found.length, 1);
    assert.ok(found[0].members.includes(NADIA.id), "sent to the profile the page shows");
    assert.equal(found[0].message.subject, "A first hello");
    await page.close();
  } finally {
    await b.close();
  }
});

test("the_151st_new_conversation_is_refused_locally_with_the_reset_time", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    await sim.control("POST", "limits", { writesPerMinute: 0 });
    const t0 = Date.now();
    await b.sw.evaluate(async () => {
      const core = await globalThis.threadline.ready;
      const sends = [];
      for (let i = 0; i < 150; i++) {
        const id = `ACoAAQuota${String(i).padStart(3, "0")}_SimFiller-000000000000`;
        sends.push(core.send({ recipientProfileUrn: `urn:li:fsd_profile:${id}`, text: `Cold hello ${i}`, channel: "linkedin_inbox" }));
      }
      await Promise.all(sends);
    });
    await waitFor(async () => {
      const o = await overview(b);
      return o.quota?.left === 0 && o.outboxPending === 0 && o.outboxFailed === 0;
    }, { timeout: 120000, what: "150 new conversations sent" });
    console.log(`figure: 150 new conversations through the engine in ${Date.now() - t0} ms`);
    assert.equal((await sim.requests()).send.total, 150);
    await sim.control("POST", "requests/reset", {});

    const page = await b.context.newPage();
    await page.goto(profileUrl(NADIA.slug));
    const d = await closedDriver(page);
    await d.click(`${PROFILE} [data-threadline-action=message]`);
    // Before anything is typed, the engine's quota says none are left and when that resets.
    const reset = await resetWords(page);
    await d.find(`${POP} [data-threadline-quota][data-threadline-quota-left="0"]`);
    assert.equal(await d.text(`${POP} [data-threadline-quota]`), `No new conversations left today: the quota resets at ${reset}. Replies to existing conversations still go.`);

    await typeInto(page, d, `${POP} [data-threadline-field=text]`, "One more cold hello");
    await d.click(`${POP} [data-threadline-action=send]`);
    const error = await d.find(`${POP} [data-threadline-send-error]`, { hasText: "Not sent" });
    assert.ok(error);
    assert.equal(await d.text(`${POP} [data-threadline-send-error]`), `Not sent: today's 150 new conversations are used. The quota resets at ${reset}.`);
    assert.equal(await d.count(`${POP} [data-threadline-outbox]`), 0, "nothing queued");
    await screenshot(page, "profile-composer-quota.png");
    // Refused before any request: nothing reached the simulator (the request would have been
    // made at once; a second gives a wrong one the time to land).
    await page.waitForTimeout(1000);
    assert.equal((await sim.requests()).send.total, 0);
    assert.equal((await sentWithText("One more cold hello")).length, 0);
  } finally {
    await b.close();
  }
});

test("the_popup_composer_sends_to_the_profile_typed", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const popup = await b.context.newPage();
    await popup.setViewportSize({ width: 320, height: 560 });
    await popup.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
    await popup.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    await popup.getByRole("button", { name: "New message" }).click();
    const d = await closedDriver(popup);
    const C = "[data-threadline-host=popup-composer]";
    await d.find(`${C} [data-threadline-quota][data-threadline-quota-left="150"]`);
    // Send stays off until the To field names someone.
    assert.equal(await d.attr(`${C} [data-threadline-action=send]`, "disabled"), "");
    await typeInto(popup, d, `${C} [data-threadline-field=to]`, "not a profile/");
    await d.find(`${C} [data-threadline-to-hint][data-ok=false]`);
    assert.equal(await d.attr(`${C} [data-threadline-action=send]`, "disabled"), "");
    await d.click(`${C} [data-threadline-field=to]`);
    await popup.keyboard.press("Control+A");
    await popup.keyboard.type(`https://www.linkedin.com/in/${NADIA.slug}/`);
    await d.find(`${C} [data-threadline-to-hint][data-ok=true]`, { hasText: `in/${NADIA.slug}` });
    const text = "Hello Nadia, following up on the meetup: here is the deck.";
    await typeInto(popup, d, `${C} [data-threadline-field=text]`, text);
    const box = await popup.locator("body").boundingBox();
    await screenshot(popup, "popup-composer.png", { clip: { x: 0, y: 0, width: 320, height: Math.ceil(box.height) } });
    await d.click(`${C} [data-threadline-action=send]`);
    await d.find(`${C} [data-threadline-outbox][data-threadline-state=sent]`, { hasText: text });
    // Dark mode follows the system, the composer's shadow root too (the page's palette).
    await popup.emulateMedia({ colorScheme: "dark" });
    assert.equal(await d.style(`${C} [data-threadline-field=text]`, "background-color"), "rgb(38, 43, 49)");
    await screenshot(popup, "popup-composer-dark.png", { clip: { x: 0, y: 0, width: 320, height: Math.ceil((await popup.locator("body").boundingBox()).height) } });
    assert.equal((await sim.requests()).send.total, 1);
    const found = await sentWithText(text);
    assert.equal(found.length, 1);
    assert.ok(found[0].members.includes(NADIA.id), "sent to the profile typed (by its slug)");
  } finally {
    await b.close();
  }
});

test("only_a_profile_page_gets_the_control_and_without_a_message_link_it_is_fixed_and_sends_by_slug", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    // Not a profile: the feed, and a profile's sub-page.
    for (const url of ["https://www.linkedin.com/feed/", `https://www.linkedin.com/in/${NADIA.slug}/details/experience/`]) {
      await page.goto(url, { waitUntil: "load" });
      await page.waitForTimeout(1000); // the control would be placed within a scan (100 ms)
      assert.equal(await page.locator(PROFILE).count(), 0, `no control on ${url}`);
    }
    // A profile the page shows no Message link for: a fixed control, the slug from the URL.
    await page.goto(profileUrl("someone-unknown-sim"));
    await page.locator(`${PROFILE}[data-threadline-placement=fixed][data-threadline-recipient-kind=slug]`).waitFor({ timeout: WAIT });
    const d = await closedDriver(page);
    await d.click(`${PROFILE} [data-threadline-action=message]`);
    await d.find(`${POP} [data-threadline-recipient="someone-unknown-sim"]`);
    assert.equal(await d.text(`${POP} [data-threadline-recipient]`), "in/someone-unknown-sim");
    await screenshot(page, "profile-composer-fixed.png");
    // In-page navigation to another profile: the control follows, with that profile's URN.
    await page.evaluate((slug) => {
      history.pushState(null, "", `/in/${slug}/?account=65f1a0c0ffee000000000a01`);
      dispatchEvent(new PopStateEvent("popstate"));
    }, NADIA.slug);
    await page.locator(`${PROFILE}[data-threadline-placement=beside][data-threadline-recipient-kind=urn]`).waitFor({ timeout: WAIT });
    await page.close();
  } finally {
    await b.close();
  }
});

/** Linus, who is not the person the page shows: where a forged link would send. */
const LINUS_ID = "ACoAALinus_Torvalds-SimPerson0000000L01";

/**
 * The top card as a member may make it: LinkedIn's own Message links gone (a card that shows
 * none), and a link of the member's choosing in their card (a profile's custom button leads where
 * its member says) that looks like a compose link naming someone else.
 */
function forgeTopCardLink(page, href) {
  return page.evaluate((href) => {
    for (const a of document.querySelectorAll('main a[href*="/messaging/compose/"]')) if (!a.closest("aside")) a.remove();
    const card = [...document.querySelectorAll("main section")].find((s) => !s.querySelector("section") && s.querySelector("h1"));
    const a = document.createElement("a");
    a.href = href;
    a.textContent = "Message";
    card.append(a);
  }, href);
}

test("a_compose_link_the_profile_owner_controls_does_not_choose_the_recipient", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    // (a) Nadia's page by her vanity slug, whose card links elsewhere with Linus's URN in the query.
    await page.goto(profileUrl(NADIA.slug));
    await page.locator(`${PROFILE}[data-threadline-placement=beside][data-threadline-recipient-kind=urn]`).waitFor({ timeout: WAIT });
    await forgeTopCardLink(page, `https://x.example/messaging/compose/?profileUrn=urn%3Ali%3Afsd_profile%3A${LINUS_ID}&recipient=${LINUS_ID}`);
    // No URN is taken from it: the control is the page's own (fixed), and says the slug it sends to.
    await page.locator(`${PROFILE}[data-threadline-placement=fixed][data-threadline-recipient-kind=slug]`).waitFor({ timeout: WAIT });
    const d = await closedDriver(page);
    await d.click(`${PROFILE} [data-threadline-action=message]`);
    await d.find(`${POP} [data-threadline-recipient="${NADIA.slug}"]`);
    assert.equal(await d.text(`${POP} [data-threadline-recipient]`), `in/${NADIA.slug}`);
    const text = `Hello Nadia, sent from your own page ${Date.now()}`;
    await typeInto(page, d, `${POP} [data-threadline-field=text]`, text);
    await d.click(`${POP} [data-threadline-action=send]`);
    await d.find(`${POP} [data-threadline-outbox][data-threadline-state=sent]`, { hasText: text });
    const found = await sentWithText(text);
    assert.equal(found.length, 1);
    assert.ok(found[0].members.includes(NADIA.id), "sent to the person the page shows");
    assert.ok(!found[0].members.includes(LINUS_ID), "not to the one the forged link names");

    // (b) Her page by profile id, where LinkedIn's own (relative) compose link names her: its URN is used…
    await page.goto(profileUrl(NADIA.id));
    await page.locator(`${PROFILE}[data-threadline-placement=beside][data-threadline-recipient-kind=urn]`).waitFor({ timeout: WAIT });
    // …but a link on LinkedIn itself that names another id than the page's is not.
    await forgeTopCardLink(page, `/messaging/compose/?profileUrn=urn%3Ali%3Afsd_profile%3A${LINUS_ID}&recipient=${LINUS_ID}`);
    await page.locator(`${PROFILE}[data-threadline-placement=fixed][data-threadline-recipient-kind=slug]`).waitFor({ timeout: WAIT });
    const d2 = await closedDriver(page);
    await d2.click(`${PROFILE} [data-threadline-action=message]`);
    await d2.find(`${POP} [data-threadline-recipient="${NADIA.id}"]`);
    assert.equal((await sim.requests()).send.total, 1);
  } finally {
    await b.close();
  }
});

test("a_first_message_whose_answer_is_lost_is_checked_then_not_sent_with_retry", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada, echoSettleMs: 3000 });
    const page = await b.context.newPage();
    await page.goto(profileUrl(NADIA.slug));
    const d = await closedDriver(page);
    await d.click(`${PROFILE} [data-threadline-action=message]`);
    await d.find(`${POP} [data-threadline-quota][data-threadline-quota-left="150"]`);
    // A 500 before anything is stored: an ambiguous answer the engine must check, never resend blindly.
    await sim.fault({ op: "send", status: 500 });
    const text = "Hello Nadia, this first try is lost";
    await typeInto(page, d, `${POP} [data-threadline-field=text]`, text);
    await d.click(`${POP} [data-threadline-action=send]`);
    await d.find(`${POP} [data-threadline-outbox][data-threadline-state=checking]`, { hasText: text });
    assert.match(await d.text(`${POP} [data-threadline-outbox] [data-threadline-state-text]`), /Checking whether LinkedIn received it/);
    await screenshot(page, "profile-composer-checking.png");
    const failed = `${POP} [data-threadline-outbox][data-threadline-state=failed]`;
    await d.find(failed, { hasText: text });
    assert.equal(await d.text(`${failed} [data-threadline-state-text]`), "Not sent: LinkedIn did not receive it.");
    await screenshot(page, "profile-composer-not-sent.png");
    // The outbox rows are keyed (composer.js `keyed`, udomdiff): painting the form again (another
    // channel picked, a real click) keeps the failed row's nodes, so a focused Retry stays focused.
    await d.focus(`${failed} [data-threadline-action=retry]`);
    await d.call(`${failed} [data-threadline-action=retry]`, function () {
      window.__threadlineRetryNode = this;
    });
    await d.click(`${POP} [data-threadline-channel=linkedin_inbox]`);
    await d.find(`${POP} [data-threadline-channel=linkedin_inbox][aria-checked=true]`);
    assert.equal(await d.call(`${failed} [data-threadline-action=retry]`, function () {
      return window.__threadlineRetryNode === this;
    }), true, "the failed row's Retry was drawn again as a new node");
    await d.click(`${failed} [data-threadline-action=retry]`);
    await d.find(`${POP} [data-threadline-outbox][data-threadline-state=sent]`, { hasText: text });
    assert.equal((await sim.requests()).send.applied, 1);
    assert.equal((await sentWithText(text)).length, 1);
  } finally {
    await b.close();
  }
});
