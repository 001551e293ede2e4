// The account that acts is the one on the page (issue 14): LinkedIn's page files every message
// under the mailbox of the member signed in (`urn:li:msg_message:(urn:li:fsd_profile:<mailbox>,…)`,
// docs/linkedin-page.md); the background matches that mailbox to a connected account and acts as
// it in that tab. Two tabs signed in as two connected accounts each act as their own, on the one
// thread both accounts share; a page whose member is not a connected account says so and sends
// nothing. Real Chromium, the built extension loaded unpacked, the simulator (`?account=` picks
// whose mailbox its LinkedIn-shaped page shows; `POST /__sim/accounts` disconnects an account).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, threadUrl, bubbleUrl, conversationUrn, COMPOSE, SEND_FORM, SEED, WAIT, waitFor } from "./harness.mjs";
import { screenshot } from "./shots.mjs";
import { closedDriver, sendThroughComposer } from "./closed.mjs";

const KATHERINE = "65f1a0c0ffee000000000c03";
const PROFILE = {
  ada: "ACoAAAda1Lovelace_SimMailbox-0000000A01",
  grace: "ACoAAGrace2Hopper_SimMailbox-0000000B02",
  katherine: "ACoAAKath3Johnson_SimMailbox-0000000C03",
};
const STRIP = "[data-threadline-host=strip]";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());


/** The thread's messages as the API gives them to `accountId` (what "LinkedIn" holds). */
async function apiMessages(accountId, threadId) {
  const url = `${sim.url}/conversations/${encodeURIComponent(conversationUrn(threadId))}/messages?accountId=${accountId}&count=100`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${sim.apiKey}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).messages;
}

/** What the background's host says each of a tab's ports acts as. */
const viewersOf = (b) => b.sw.evaluate(() => globalThis.threadline.core().host.viewers());

/** What a viewer's `status` command answers (through the host, as its port's would be). */
async function statusCommandOf(b, viewer) {
  const answer = await b.sw.evaluate((v) => globalThis.threadline.core().host.handle(v, { type: "status" }), viewer);
  assert.ok(answer.ok, JSON.stringify(answer));
  return answer.result;
}

/** What the popup is told about the tab whose port `viewer` is (`tab:<tabId>:<n>`). */
async function popupStateOf(b, viewer) {
  const tabId = Number(viewer.split(":")[1]);
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/popup/popup.html`);
  const answer = await page.evaluate((id) => chrome.runtime.sendMessage({ type: "popup.state", tabId: id }), tabId);
  await page.close();
  return answer.result;
}

/** Opens a thread as the member `account` (whose mailbox the page shows), bound and synced. */
async function openAs(b, threadId, account) {
  const page = await b.context.newPage();
  await page.goto(threadUrl(threadId, account));
  await page.locator(`${COMPOSE}[data-threadline-status=synced][data-threadline-bound=bound]`).waitFor({ timeout: WAIT });
  return page;
}

test("two_tabs_signed_in_as_two_connected_accounts_each_act_as_their_own", async () => {
  const b = await launchChromium(sim);
  try {
    // The options' account (the default for pages that do not tell) is Ada's.
    await b.configure({ accountId: SEED.ada });
    // One thread both accounts see, each under its own mailbox: only the page can tell them apart.
    const asAda = await openAs(b, SEED.sharedThread, SEED.ada);
    const asGrace = await openAs(b, SEED.sharedThread, SEED.grace);
    assert.match(await asGrace.locator("[data-event-urn]").first().getAttribute("data-event-urn"), new RegExp(`fsd_profile:${PROFILE.grace},`));

    const viewers = await viewersOf(b);
    const accounts = viewers.filter((v) => v.conversationUrn).map((v) => [v.account, v.mailbox, v.accountMatch]).sort();
    assert.deepEqual(accounts, [
      [SEED.ada, PROFILE.ada, "mailbox"],
      [SEED.grace, PROFILE.grace, "mailbox"],
    ].sort());

    // The popup over Grace's tab says Grace acts there.
    const graceViewer = viewers.find((v) => v.account === SEED.grace && v.conversationUrn).viewer;
    assert.deepEqual((await popupStateOf(b, graceViewer)).tab, { accounts: [SEED.grace], unmatched: false });

    const dAda = await closedDriver(asAda);
    const dGrace = await closedDriver(asGrace);
    const fromAda = `From Ada's tab ${Date.now()}`;
    const fromGrace = `From Grace's tab ${Date.now()}`;
    await sendThroughComposer(asAda, dAda, { text: fromAda });
    await sendThroughComposer(asGrace, dGrace, { text: fromGrace });

    // Each reached "LinkedIn" sent by its own account.
    const sender = async (text) => {
      const m = (await apiMessages(SEED.ada, SEED.sharedThread)).find((x) => x.text === text);
      return m?.senderProfileId ?? null;
    };
    assert.equal(await waitFor(() => sender(fromAda), { what: "Ada's reply on the server" }), PROFILE.ada);
    assert.equal(await waitFor(() => sender(fromGrace), { what: "Grace's reply on the server" }), PROFILE.grace);
    // And each tab shows its own reply as its own ("Sent with Threadline" on its item).
    await dGrace.find(`[data-event-urn*="${PROFILE.grace}"] [data-threadline-sent-via]`);
    await dAda.find(`[data-event-urn*="${PROFILE.ada}"] [data-threadline-sent-via]`);
    await screenshot(asGrace, "overlay-account-grace.png");

    // The status a tab asks for is its own account's, not the default's: Ada (the default) opens
    // a new conversation, which Grace's day does not count.
    await b.sw.evaluate(async () => (await globalThis.threadline.ready).send({ recipientProfileUrn: "urn:li:fsd_profile:ACoAANew_Contact-SimPerson000000000N01", text: "A first hello from Ada", channel: "linkedin_inbox" }));
    const adaViewer = viewers.find((v) => v.account === SEED.ada && v.conversationUrn).viewer;
    await waitFor(async () => (await statusCommandOf(b, adaViewer)).quota?.left === 149, { what: "Ada's quota counting her new conversation" });
    assert.equal((await statusCommandOf(b, graceViewer)).quota.left, 150, "Grace's tab is told Grace's quota");
  } finally {
    await b.close();
  }
});

test("while_the_accounts_cannot_be_listed_a_members_page_acts_as_no_one_then_as_its_own", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    // GET /accounts answers 503 for now: whose mailbox Grace's page is cannot be told.
    await sim.fault({ op: "accounts", status: 503, count: 1000 });
    const page = await b.context.newPage();
    await page.goto(threadUrl(SEED.sharedThread, SEED.grace));
    await page.locator(`${COMPOSE}[data-threadline-bound=unknown]`).waitFor({ timeout: WAIT });
    const pending = (await viewersOf(b)).filter((v) => v.mailbox === PROFILE.grace);
    assert.ok(pending.length && pending.every((v) => v.account === null && v.accountMatch === "pending"), JSON.stringify(pending));
    // Not acting as the default account (Ada, who also sees this thread) meanwhile.
    const d = await closedDriver(page);
    assert.equal(await d.count("[data-threadline-host=message]"), 0);
    // The API answers again: the page binds as Grace by itself.
    await sim.control("DELETE", "faults");
    await page.locator(`${COMPOSE}[data-threadline-bound=bound]`).waitFor({ timeout: WAIT });
    const bound = (await viewersOf(b)).filter((v) => v.conversationUrn);
    assert.deepEqual(bound.map((v) => [v.account, v.accountMatch]), [[SEED.grace, "mailbox"]]);
  } finally {
    await b.close();
  }
});

test("a_chat_bubble_on_another_page_acts_as_the_member_signed_in_there", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    // Grace's feed with a bubble of her long thread, which Ada's account does not have at all.
    const page = await b.context.newPage();
    await page.goto(bubbleUrl({ placement: "light", threadId: SEED.graceLongThread, account: SEED.grace }));
    const d = await closedDriver(page);
    const BUBBLE = "[data-view-name=message-overlay-conversation-bubble-item]";
    await d.find(`${BUBBLE} ${COMPOSE}[data-threadline-bound=bound]`, { timeout: 30000 });
    assert.equal(await d.attr(`${BUBBLE} ${SEND_FORM}`, "data-threadline-conversation-id"), SEED.graceLongThread);
    const bubble = (await viewersOf(b)).find((v) => v.conversationId === SEED.graceLongThread);
    assert.deepEqual([bubble.account, bubble.mailbox, bubble.accountMatch], [SEED.grace, PROFILE.grace, "mailbox"]);
  } finally {
    await b.close();
  }
});

test("a_page_whose_member_is_not_a_connected_account_says_so_and_sends_nothing", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    // Katherine is signed in on this LinkedIn tab, but the key's workspace no longer has her account.
    await sim.control("POST", "accounts", { accountId: KATHERINE, connected: false });
    const list = await (await fetch(`${sim.url}/__li/data/conversations?account=${KATHERINE}`)).json();
    const thread = list.conversations.find((c) => !c.names.includes(",")).threadId;
    await sim.control("POST", "requests/reset");

    const page = await b.context.newPage();
    await page.goto(threadUrl(thread, KATHERINE));
    await page.locator(`${COMPOSE}[data-threadline-account-match=none]`).waitFor({ timeout: WAIT });
    const d = await closedDriver(page);
    assert.match(await d.text(`${STRIP} [data-threadline-trouble=account_unmatched]`), /not one of your connected accounts/);
    // No controls on its messages, and Threadline's send is not offered.
    assert.equal(await d.count("[data-threadline-host=message]"), 0);
    await d.click(`${COMPOSE} [data-threadline-action=options]`);
    assert.equal(await d.attr(`${COMPOSE} [data-threadline-fields]`, "hidden"), "");
    assert.equal(await d.attr(`${COMPOSE} [data-threadline-action=send]`, "disabled"), "");
    assert.equal(await d.attr(COMPOSE, "data-threadline-status"), "account_unmatched");
    assert.match(await d.text(`${COMPOSE} [data-threadline-send-error]`), /not one of your connected accounts/);
    await screenshot(page, "overlay-account-unmatched.png");

    const viewers = await viewersOf(b);
    const mine = viewers.filter((v) => v.mailbox === PROFILE.katherine);
    assert.ok(mine.length >= 1, JSON.stringify(viewers));
    assert.ok(mine.every((v) => v.account === null && v.accountMatch === "none" && v.conversationUrn === null), JSON.stringify(mine));
    assert.deepEqual((await popupStateOf(b, mine[0].viewer)).tab, { accounts: [], unmatched: true });
    // Its port's `status` says what the overlay shows (no account here), not the default account's.
    for (const v of mine) assert.equal((await statusCommandOf(b, v.viewer)).state, "account_unmatched");

    // Nothing was sent, and no conversation was read for this page (the bind answered before any
    // view would have opened): not as Katherine, and not as the default account on her behalf.
    const requests = await sim.requests();
    assert.equal(requests.send.total, 0, JSON.stringify(requests.send));
    assert.equal(requests.messages.total, 0, JSON.stringify(requests.messages));
  } finally {
    await b.close();
  }
});
