// Scale benchmark (issue 13; figures, never assertions): stores of 1k to 200k messages built
// through the engine's public API in headless Chromium, and per size: cold first open to the first
// conversation view, wasm and JS memory after open, bytes on disk, applying a 50-message page, and
// the plain-JS baseline in the same run (open IndexedDB, read the newest 50 messages of one
// conversation through the `byConversation` index). Each size gets a fresh browser profile.
//
// Env: THREADLINE_BENCH_SIZES   comma-separated message counts (default 1000,10000,50000,100000,200000;
//                               `10k` and `1k` forms are read too)
//      THREADLINE_BENCH_STORAGE the engine's storage: indexedDB (default), localStorage, memory
//      THREADLINE_BENCH_ROUNDS  cold opens per size (default 3; the median is printed)
// Usage: node scripts/bench-scale.mjs   (needs pkg/: scripts/build-pkg.sh)
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, readdirSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { CHROMIUM_ARGS } from "./browser.mjs";
import { serveStatic } from "./static-server.mjs";

const parseSize = (s) => {
  const m = /^(\d+(?:\.\d+)?)(k?)$/i.exec(s.trim());
  if (!m) throw new Error(`THREADLINE_BENCH_SIZES: not a size: ${s}`);
  return Math.round(Number(m[1]) * (m[2] ? 1000 : 1));
};
const SIZES = (process.env.THREADLINE_BENCH_SIZES || "1000,10000,50000,100000,200000").split(",").map(parseSize);
const STORAGE = process.env.THREADLINE_BENCH_STORAGE || "indexedDB";
const ROUNDS = Number(process.env.THREADLINE_BENCH_ROUNDS || 3);
const TMP = path.resolve(process.env.TMPDIR || ".tmp");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (b) => (b / 1e6).toFixed(1);

function du(dir) {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? du(p) : statSync(p).size;
  }
  return total;
}

async function measure(server, n) {
  const profile = mkdtempSync(path.join(TMP, "bench-scale-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const log = (s) => process.stderr.write(`  [${n}] ${s}\n`);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => log(`page error: ${e.message}`));
    const cdp = await context.newCDPSession(page);
    const load = async () => {
      await page.goto(`${server.url}/tests/bench/scale.html`);
      await page.waitForFunction(() => window.bench);
    };
    const call = (fn, arg) => page.evaluate(([fn, arg]) => window.bench[fn](arg), [fn, arg]);
    // A fresh realm for each cold open; "memory" lives in the realm, so it is opened again in place.
    const fresh = STORAGE === "memory" ? async () => {} : load;

    await load();
    const built = await call("build", { n, storage: STORAGE });
    log(`built: ${built.conversations} conversations fed in ${(built.fedMs / 1000).toFixed(1)} s, compacted in ${(built.compactMs / 1000).toFixed(1)} s`);
    const opens = [];
    for (let r = 0; r < ROUNDS; r++) {
      await fresh();
      opens.push(await call("openView", { n, storage: STORAGE }));
    }
    const last = opens[opens.length - 1];
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = await cdp.send("Runtime.getHeapUsage");
    const disk = await call("estimate");
    const files = { idb: du(path.join(profile, "Default", "IndexedDB")), local: du(path.join(profile, "Default", "Local Storage")) };
    const applied = await call("applyPage", { n });
    log(`opened ${ROUNDS}x, first view ${opens.map((o) => o.firstViewMs.toFixed(0)).join("/")} ms; page applied`);

    await load();
    const baselineBuilt = await call("baselineBuild", { n });
    const baseline = [];
    for (let r = 0; r < ROUNDS; r++) {
      await load();
      baseline.push(await call("baselineRead", { n }));
    }
    log(`baseline built in ${(baselineBuilt.ms / 1000).toFixed(1)} s`);
    await call("clear");
    return {
      n, built, opens, shown: last.shown, issues: last.issues, wasmBytes: last.wasmBytes, jsHeap: heap.usedSize,
      disk, files, applied, baseline,
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function print(rows, version) {
  console.log(`\nscale: the engine on storage "${STORAGE}" in ${version}; medians of ${ROUNDS} cold opens (a reloaded page each${STORAGE === "memory" ? "; memory: same realm, warm" : ""})`);
  const head = ["messages", "build s", "first view ms", "(init/open/view)", "wasm MB", "JS MB", "disk MB", "50-page ms", "baseline ms", "× baseline"];
  const lines = rows.map((r) => {
    if (r.error) return [String(r.n), "—", `failed: ${r.error}`];
    const first = median(r.opens.map((o) => o.firstViewMs));
    const part = (k) => median(r.opens.map((o) => o[k])).toFixed(0);
    const base = median(r.baseline.map((b) => b.totalMs));
    const disk = STORAGE === "localStorage" ? r.disk.localChars * 2 : r.files.idb;
    return [
      String(r.n), ((r.built.fedMs + r.built.compactMs) / 1000).toFixed(1), first.toFixed(0), `${part("initMs")}/${part("openMs")}/${part("viewMs")}`,
      mb(r.wasmBytes), mb(r.jsHeap), mb(disk), r.applied.ms.toFixed(1), base.toFixed(1), (first / base).toFixed(0),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (l) => "  " + l.map((c, i) => (i === l.length - 1 && l.length < head.length ? c : c.padStart(widths[i]))).join("  ");
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  console.log("  first view: page start to `conversationView` of a 200-message thread (wasm init, `open()` reading and");
  console.log("    restoring the whole store, the view); the engine is open after it (memory: wasm linear memory, and the");
  console.log("    JS heap after a GC). disk: the profile's IndexedDB files (localStorage: 2 bytes a character held).");
  console.log("  50-page: `applyRemote` of 50 new messages of that thread until it resolves (merge + write + notices).");
  console.log("  baseline: plain JS, its own IndexedDB in the same layout: open it, newest 50 of the thread through");
  console.log("    `byConversation`, parsed; a reloaded page each time.");
  for (const r of rows.filter((r) => !r.error)) {
    const checks = [`view shows ${r.shown}`, `baseline read ${r.baseline[0].shown}`, `after the pages ${r.applied.shown}`,
      `restore issues ${r.issues}`, `estimate() ${mb(r.disk.usage)} MB`, `conversations ${r.built.held}/${r.built.conversations}`];
    console.log(`  check ${r.n}: ${checks.join(", ")}`);
  }
}

const server = await serveStatic(".");
const rows = [];
let version = "";
try {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  version = `Chromium ${browser.version()}`;
  await browser.close();
  for (const n of SIZES) {
    process.stderr.write(`scale: ${n} messages on ${STORAGE}…\n`);
    try {
      rows.push(await measure(server, n));
    } catch (e) {
      process.stderr.write(`  [${n}] failed: ${e.stack || e}\n`);
      rows.push({ n, error: String(e.message || e).split("\n")[0].slice(0, 120) });
    }
  }
} finally {
  server.close();
}
print(rows, version);
