// Figures of the extension (printed, never asserted): recall success → the other tab's DOM,
// background cold start (wasm + a 10,000-message store), API requests per minute with 1 and 5 tabs.
// Usage: node tests/e2e/figures.mjs   (needs dist/extension and target/debug/threadline-sim)
import { startSim, launchChromium, openThread, killBackground, backgroundWorker, threadUrl, SEED, WAIT } from "./harness.mjs";

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
    const urn = await a.locator("section[data-conversation-urn]").getAttribute("data-conversation-urn");
    const cid = await a.locator("[data-threadline-host=panel]").getAttribute("data-threadline-conversation-id");
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
      const item = other.locator(`[data-threadline-list] > li[data-threadline-message="${sent.id}"]`);
      await item.waitFor({ timeout: WAIT });
      // The other tab notes when the item leaves its DOM; the background notes when the API answered.
      const gone = other.evaluate(
        (id) =>
          new Promise((resolve) => {
            const host = document.querySelector("[data-threadline-host=panel]").shadowRoot;
            const obs = new MutationObserver(() => {
              if (!host.querySelector(`[data-threadline-message="${CSS.escape(id)}"]`)) {
                obs.disconnect();
                resolve(Date.now() + (performance.now() % 1));
              }
            });
            obs.observe(host, { childList: true, subtree: true });
          }),
        sent.id,
      );
      const success = await b.sw.evaluate(
        async ({ urn, messageUrn }) => {
          const core = await globalThis.threadline.ready;
          await core.recall({ conversationUrn: urn, messageUrn });
          return Date.now();
        },
        { urn, messageUrn: sent.urn },
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
    await b.sw.evaluate(async () => {
      const messages = [];
      const t0 = 1_700_000_000_000;
      for (let i = 0; i < 10000; i++) {
        messages.push({
          id: `2-ZmlndXJlLW1zZy0${i}`,
          urn: `urn:li:msg_message:(urn:li:fsd_profile:ACoAAFigure,2-ZmlndXJlLW1zZy0${i})`,
          text: `Message number ${i} of the cold-start figure, with some ordinary length to it.`,
          subject: null,
          sentAt: t0 + i * 60000,
          senderName: i % 2 ? "Ada Lovelace" : "Linus Torvalds",
          senderProfileId: "ACoAAFigure",
          isSentByOwner: i % 2 === 1,
          hasAttachment: false,
          attachments: [],
          reactions: i % 7 ? [] : [{ emoji: "👍", count: 1, viewerReacted: false }],
        });
      }
      await chrome.storage.local.set({ "conv:2-ZmlndXJlLXRocmVhZA==": { v: 1, urn: "urn:li:messagingThread:2-ZmlndXJlLXRocmVhZA==", hasMore: false, cursor: null, messages } });
    });
    for (let i = 0; i < 5; i++) {
      await killBackground(b.context, page);
      await page.reload(); // the content script reconnects and wakes the background
      await page.locator("[data-threadline-status=synced]").waitFor({ timeout: WAIT });
      const sw = await backgroundWorker(b.context);
      const t = await sw.evaluate(async () => {
        await globalThis.threadline.ready;
        return globalThis.threadline.timings;
      });
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
  console.log(`  cold start: load store (${cold[0].messagesLoaded} messages)     ${fmt(cold.map((t) => t.startMs))}`);
  console.log(`  API requests/min, 1 tab                      ${one.toFixed(0)}`);
  console.log(`  API requests/min, 5 tabs on one thread       ${fiveSame.toFixed(0)}`);
  console.log(`  API requests/min, 5 tabs on 5 threads        ${fiveDistinct.toFixed(0)}`);
} finally {
  sim.stop();
}
