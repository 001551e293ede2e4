// Figures of the extension (printed, never asserted): recall success → the other tab's DOM,
// background cold start (wasm + the engine restoring a 10,000-message store), API requests per minute with 1 and 5 tabs.
// Usage: node tests/e2e/figures.mjs   (needs dist/extension and target/debug/threadline-sim)
import { startSim, launchChromium, openThread, killBackground, backgroundWorker, threadUrl, conversationUrn, COMPOSE, SEND_FORM, SEED, WAIT } from "./harness.mjs";
import { closedDriver } from "./closed.mjs";

const sim = await startSim();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)} (n=${xs.length})`;

async function recallToOtherTab() {
  const b = await launchChromium(sim);
  const times = [];
  try {
    await b.configure({ accountId: SEED.ada });
    const a = await openThread(b.context, SEED.longThread);
    const other = await openThread(b.context, SEED.longThread);
    const urn = conversationUrn(SEED.longThread);
    const d = await closedDriver(a);
    const cid = await d.attr(SEND_FORM, "data-threadline-conversation-id");
    await d.detach();
    for (let i = 0; i < 7; i++) {
      const text = `figure recall ${i} ${Date.now()}`;
      const sent = await b.sw.evaluate(
        async ({ urn, cid, text, key }) => {
          const core = await globalThis.threadline.ready;
          await core.send({ clientKey: key, conversationUrn: urn, text, channel: "auto" });
          for (;;) {
            const m = core.getView(cid)?.messages.find((x) => x.text === text);
            if (m) return m;
            await new Promise((r) => setTimeout(r, 20));
          }
        },
        { urn, cid, text, key: `fig-${i}-${Date.now()}` },
      );
      const item = other.locator(`[data-event-urn$=",${sent.id})"] [data-threadline-host=message]`);
      await item.waitFor({ timeout: WAIT });
      // The other tab notes when the item leaves its DOM; the background notes when the API answered.
      const gone = other.evaluate(
        (id) =>
          new Promise((resolve) => {
            // The other tab's item is marked recalled (or LinkedIn's page drops it).
            const done = () => {
              const item = [...document.querySelectorAll("[data-event-urn]")].find((i) => i.getAttribute("data-event-urn").endsWith(`,${id})`));
              return !item || item.querySelector("[data-threadline-host=message]")?.getAttribute("data-threadline-state") === "recalled";
            };
            const obs = new MutationObserver(() => {
              if (done()) {
                obs.disconnect();
                resolve(Date.now() + (performance.now() % 1));
              }
            });
            obs.observe(document, { childList: true, subtree: true, attributes: true });
          }),
        sent.id,
      );
      const success = await b.sw.evaluate(
        async ({ urn, messageUrn }) => {
          const core = await globalThis.threadline.ready;
          await core.recall({ conversationUrn: urn, messageUrn });
          return Date.now();
        },
        { urn, messageUrn: sent.messageUrn },
      );
      times.push(Math.max(0, (await gone) - success));
    }
  } finally {
    await b.close();
  }
  return times;
}

async function coldStart() {
  const b = await launchChromium(sim);
  const rows = [];
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    await page.goto(threadUrl(SEED.longThread));
    // The store is written by the engine itself, in its own persistence format: 10,000 messages
    // fed to it as a fact (the shape a sibling context broadcasts), which it merges and persists.
    const seeded = await b.sw.evaluate(async () => {
      const core = await globalThis.threadline.ready;
      const id = (s) => "2-" + btoa(s);
      const conversation = id("figure-thread");
      const conversationUrn = `urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAFigure,${conversation})`;
      const messages = [];
      const t0 = 1_700_000_000_000;
      for (let i = 0; i < 10000; i++) {
        const mid = id(`figure-msg-${i}`);
        const m = {
          id: mid,
          conversation,
          messageUrn: `urn:li:msg_message:(urn:li:fsd_profile:ACoAAFigure,${mid})`,
          text: `Message number ${i} of the cold-start figure, with some ordinary length to it.`,
          sentAt: t0 + i * 60000,
          senderName: i % 2 ? "Ada Lovelace" : "Linus Torvalds",
          senderProfileId: "ACoAAFigure",
          isSentByOwner: i % 2 === 1,
          stamp: (t0 + i * 60000) * 1024,
        };
        if (i % 7 === 0) m.tally = { stamp: m.stamp, entries: [{ emoji: "👍", count: 1, viewerReacted: false }] };
        messages.push(m);
      }
      const account = core.settings().accountId;
      await core.engine().applyRemote({ kind: "messages", account, conversationUrn, messages });
      return { conversation, held: core.getView(conversation)?.messages.length ?? 0 };
    });
    if (seeded.held !== 10000) throw new Error(`the engine holds ${seeded.held} of the 10,000 seeded messages`);
    for (let i = 0; i < 5; i++) {
      await killBackground(b.context, page);
      await page.reload(); // the content script reconnects and wakes the background
      await page.locator(`${COMPOSE}[data-threadline-status=synced]`).waitFor({ timeout: WAIT });
      const sw = await backgroundWorker(b.context);
      const t = await sw.evaluate(async (cid) => {
        const core = await globalThis.threadline.ready;
        return { ...globalThis.threadline.timings, messagesLoaded: core.getView(cid)?.messages.length ?? 0 };
      }, seeded.conversation);
      rows.push(t);
    }
  } finally {
    await b.close();
  }
  return rows;
}

async function requestsPerMinute(tabs, distinct) {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada, pollMs: 0 }); // 0: the default interval
    const threads = await sim.control("GET", "seed-ids");
    const ids = distinct
      ? [threads.longThreadId, threads.sharedThreadId, ...(await ordinaryThreads(5))].slice(0, tabs)
      : Array(tabs).fill(threads.longThreadId);
    for (const id of ids) await openThread(b.context, id);
    await sim.control("POST", "requests/reset", {});
    const seconds = 30;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ledger = await sim.requests();
    const total = Object.values(ledger).reduce((n, op) => n + op.total, 0);
    return (total * 60) / seconds;
  } finally {
    await b.close();
  }
}

async function ordinaryThreads(n) {
  const res = await fetch(`${sim.url}/conversations?count=${n + 3}`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
  const body = await res.json();
  return body.conversations.filter((c) => !c.source).map((c) => c.conversationId);
}

try {
  await sim.reset();
  const recall = await recallToOtherTab();
  await sim.reset();
  const cold = await coldStart();
  await sim.reset();
  const one = await requestsPerMinute(1, false);
  const fiveSame = await requestsPerMinute(5, false);
  const fiveDistinct = await requestsPerMinute(5, true);
  console.log("\nThreadline extension figures (headless Chromium, simulator on loopback)");
  console.log(`  recall success → other tab's DOM update     ${fmt(recall)}`);
  console.log(`  cold start: wasm instantiate                 ${fmt(cold.map((t) => t.wasmMs))}`);
  console.log(`  cold start: engine restores ${cold[0].messagesLoaded} messages ${fmt(cold.map((t) => t.startMs))}`);
  console.log(`  API requests/min, 1 tab                      ${one.toFixed(0)}`);
  console.log(`  API requests/min, 5 tabs on one thread       ${fiveSame.toFixed(0)}`);
  console.log(`  API requests/min, 5 tabs on 5 threads        ${fiveDistinct.toFixed(0)}`);
} finally {
  sim.stop();
}
