#!/usr/bin/env node
// Engine soak over the built package in Node, against a simulator of its own on loopback:
// sends, recalls and reactions while the simulator injects faults (500s, drops and ambiguous
// writes that took effect), storage writes fail in bursts, and the engine is closed and reopened
// from its storage mid-flight. At the end (faults off, storage healthy, one last engine) it
// compares what the user was told with what the server holds and prints:
//   duplicates   extra copies on the server of a message the user sent once
//   lost         a send accepted (resolved) that is neither on the server nor shown as failed
//   resurrected  a message recalled on the server that the final view shows again
//   stuck        outbox entries still "sending" after the settle period
//   lied         a send rejected (the user told "not sent") that the server holds anyway
// Usage: node scripts/soak-engine.mjs [--rounds N] [--ops N] [--seed N]; exits 1 on any nonzero.
import { loadPkg, startSim, rng, mapStorage, SEED_IDS, conversationUrn } from "../tests/boundary/lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("rounds", 12);
const OPS = arg("ops", 8);
const SEED = arg("seed", Number(process.env.THREADLINE_SOAK_SEED ?? Date.now() % 1e9));
const r = rng(SEED);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const ACCOUNT = SEED_IDS.ada;
const THREAD = conversationUrn(SEED_IDS.longThread);

const m = await loadPkg();
const sim = await startSim();
const t0 = Date.now();
let failing = false;
const storage = mapStorage(new Map(), { failSet: () => failing && r() < 0.7 });
const sent = new Map(); // text -> "accepted" | "rejected"
const recalled = new Set(); // texts of messages whose recall resolved
const figures = { sends: 0, recalls: 0, reacts: 0, faults: 0, restarts: 0, failedWrites: 0, rejected: 0 };

const open = () =>
  m.ThreadlineEngine.open({
    baseUrl: sim.url, apiKey: sim.apiKey, storage, storageKey: "soak", realtime: false, timeoutMs: 1500,
    config: { pollIntervalMs: 400, echoSettleMs: 600, seed: 1 + r.int(1e9) },
  });

const FAULTS = [
  { op: "send", status: 500 }, { op: "send", status: 500, after: true }, { op: "send", drop: true, after: true },
  { op: "send", drop: true }, { op: "recall", status: 502, after: true }, { op: "recall", drop: true },
  { op: "react", status: 500, after: true }, { op: "messages", status: 500 }, { op: "messages", drop: true },
  { op: "send", latencyMs: 2500, after: true },
];

try {
  await sim.reset();
  // The write limit (15 a minute) would only park sends behind 429 waits: faults are the point.
  await sim.control("POST", "limits", { writesPerMinute: 0 });
  for (let round = 0; round < ROUNDS; round++) {
    const engine = await open();
    await engine.openConversation({ view: "soak", accountId: ACCOUNT, conversationUrn: THREAD }).catch(() => {});
    const inflight = [];
    for (let op = 0; op < OPS; op++) {
      if (r() < 0.35) {
        await sim.fault({ ...r.pick(FAULTS), count: 1 + r.int(2) });
        figures.faults++;
      }
      failing = r() < 0.2;
      const roll = r();
      if (roll < 0.6) {
        const text = `soak ${SEED} ${round}.${op}`;
        figures.sends++;
        inflight.push(
          engine.send({ accountId: ACCOUNT, conversationUrn: THREAD, text }).then(
            () => sent.set(text, "accepted"),
            (e) => {
              sent.set(text, e?.code === "storage" ? "rejected" : "refused");
              figures.rejected++;
            },
          ),
        );
      } else {
        const view = engine.conversationView(ACCOUNT, THREAD);
        const own = (view?.messages ?? []).filter((x) => x.id && x.isSentByOwner && x.text.startsWith("soak ") && x.state.state === "sent");
        if (own.length) {
          const target = r.pick(own);
          if (roll < 0.8) {
            figures.recalls++;
            inflight.push(engine.recall({ accountId: ACCOUNT, conversationUrn: THREAD, messageUrn: target.messageUrn }).then(() => recalled.add(target.text), () => {}));
          } else {
            figures.reacts++;
            inflight.push(engine.react({ accountId: ACCOUNT, conversationUrn: THREAD, messageUrn: target.messageUrn, emoji: "👍", add: r() < 0.7 }).catch(() => {}));
          }
        }
      }
      await sleep(r.int(150));
    }
    await Promise.race([Promise.allSettled(inflight), sleep(r.int(1500))]);
    failing = false;
    engine.close(); // a restart, whatever is still out
    figures.restarts++;
    await sleep(r.int(300));
  }

  // The end: faults off, storage healthy, one last engine settles everything.
  failing = false;
  await sim.clearFaults();
  figures.failedWrites = storage.failed;
  const engine = await open();
  await engine.openConversation({ view: "final", accountId: ACCOUNT, conversationUrn: THREAD });
  const sending = () => (engine.conversationView(ACCOUNT, THREAD)?.messages ?? []).filter((x) => x.state.state === "sending");
  for (let i = 0; i < 60 && sending().length; i++) await sleep(250);
  await engine.refresh({ accountId: ACCOUNT, conversationUrn: THREAD }).catch(() => {});
  await engine.rescan({ accountId: ACCOUNT, conversationUrn: THREAD }).catch(() => {});
  await sleep(500);
  const view = engine.conversationView(ACCOUNT, THREAD)?.messages ?? [];

  // The server's truth, through a plain client.
  const client = new m.ThreadlineClient({ baseUrl: sim.url, apiKey: sim.apiKey, accountId: ACCOUNT });
  const onServer = new Map();
  const serverIds = new Set();
  let cursor;
  for (let i = 0; i < 50; i++) {
    const page = await client.messages(THREAD, { count: 100, ...(cursor ? { cursor } : {}) });
    for (const x of page.messages) {
      onServer.set(x.text, (onServer.get(x.text) ?? 0) + 1);
      serverIds.add(m.messageId(x.messageUrn));
    }
    if (!page.hasMore || !page.cursor) break;
    cursor = page.cursor;
  }

  const result = { duplicates: 0, lost: 0, resurrected: 0, stuck: sending().length, lied: 0 };
  for (const [text, outcome] of sent) {
    const n = onServer.get(text) ?? 0;
    if (n > 1) result.duplicates += n - 1;
    const shown = view.find((x) => x.text === text);
    // Accepted, not on the server (nor recalled by us), and shown as sent or not at all: lost.
    // (Shown as failed is the truth told; still sending counts as stuck.)
    const told = shown?.state.state;
    if (outcome === "accepted" && n === 0 && !recalled.has(text) && (told === undefined || told === "sent")) result.lost++;
    // Rejected ("not saved, not sent") yet the server has it (or had it, before our recall).
    if (outcome === "rejected" && (n > 0 || recalled.has(text))) result.lied++;
  }
  for (const x of view) {
    if (x.id && x.text.startsWith("soak ") && !serverIds.has(x.id)) result.resurrected++;
  }
  figures.recalledConfirmed = recalled.size;
  figures.seconds = Math.round((Date.now() - t0) / 1000);
  console.log(`soak-engine seed ${SEED}: ${JSON.stringify(figures)}`);
  console.log(`soak-engine result: ${JSON.stringify(result)}`);
  engine.close();
  process.exitCode = Object.values(result).some((v) => v > 0) ? 1 : 0;
} finally {
  sim.stop();
}
