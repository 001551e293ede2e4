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
//      THREADLINE_BENCH_BUILD   snapshot (default): the store written straight in, in the engine's
//                               own snapshot layout (for indexedDB: through the engine's migration);
//                               feed: every conversation through `applyRemote` (slow: minutes at 200k)
//      THREADLINE_BENCH_PROFILE 1: after the page's cold opens, one more with every IndexedDB
//                               request timed (transactions, reads, record counts), printed per size;
//                               in the worker, one more cold wake with its view's requests timed and
//                               the wasm functions V8 compiled on first call from the wake to the
//                               view counted (a trace over a DevTools port)
//      THREADLINE_BENCH_PAGE    0 to skip the page (only the extension's worker)
//      THREADLINE_BENCH_CACHE   1: the page's module is served cacheable (`cache-control: max-age`, as a
//                               deployed site serves it), so each reload takes it from the HTTP cache
//                               and Chromium's compiled-code cache; default: fetched and compiled afresh
//      THREADLINE_BENCH_WORKER  0 to skip the extension's service worker (default on): the built
//                               extension (its own storage, whatever core.js opens) is given the same
//                               store, its worker is stopped through CDP and woken by its popup
//      THREADLINE_BENCH_CHECK   1: exit 1 when a size failed or a check line is wrong (the view not
//                               the 200-message thread, the baseline not 50, a restore issue, a
//                               conversation missing, the written store not the fed one); `make
//                               test` runs the bench so at 1k, one round, to catch a bench the
//                               build broke. Times are never judged.
// Usage: node scripts/bench-scale.mjs   (needs pkg/: scripts/build-pkg.sh)
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync, readdirSync, statSync, existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import os from "node:os";
import { CHROMIUM_ARGS } from "./browser.mjs";
import { serveStatic } from "./static-server.mjs";
import { backgroundWorker, killBackground } from "../tests/e2e/harness.mjs";
import { LONG, conversation, fact, layout, snapshotText } from "../tests/bench/scale-data.mjs";

const parseSize = (s) => {
  const m = /^(\d+(?:\.\d+)?)(k?)$/i.exec(s.trim());
  if (!m) throw new Error(`THREADLINE_BENCH_SIZES: not a size: ${s}`);
  return Math.round(Number(m[1]) * (m[2] ? 1000 : 1));
};
const SIZES = (process.env.THREADLINE_BENCH_SIZES || "1000,10000,50000,100000,200000").split(",").map(parseSize);
const STORAGE = process.env.THREADLINE_BENCH_STORAGE || "indexedDB";
const ROUNDS = Number(process.env.THREADLINE_BENCH_ROUNDS || 3);
const BUILD = process.env.THREADLINE_BENCH_BUILD || "snapshot";
const WORKER = process.env.THREADLINE_BENCH_WORKER !== "0";
const PAGE = process.env.THREADLINE_BENCH_PAGE !== "0";
const PROFILE = process.env.THREADLINE_BENCH_PROFILE === "1";
const CACHE = process.env.THREADLINE_BENCH_CACHE === "1";
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
    const built = await call("build", { n, storage: STORAGE, how: BUILD });
    log(`built (${BUILD}): ${built.conversations} conversations in ${(built.builtMs / 1000).toFixed(1)} s, compacted in ${(built.compactMs / 1000).toFixed(1)} s`);
    if (built.migration) log(`migration: ${built.migration.join("; ") || "no issues"}`);
    const opens = [];
    for (let r = 0; r < ROUNDS; r++) {
      await fresh();
      opens.push(await call("openView", { n, storage: STORAGE }));
    }
    const last = opens[opens.length - 1];
    let profiled = null;
    if (PROFILE) {
      await fresh();
      profiled = await call("openProfiled", { n, storage: STORAGE }); // leaves the engine open, as openView
    }
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = await cdp.send("Runtime.getHeapUsage");
    const disk = await call("estimate");
    const files = { idb: du(path.join(profile, "Default", "IndexedDB")), local: du(path.join(profile, "Default", "Local Storage")) };
    const applied = await call("applyPage", { n });
    let readAll = null;
    let readWindow = null;
    if (STORAGE === "indexedDB") {
      await load();
      readAll = await call("readAll");
      log(`read all, per object store: ${Object.entries(readAll.stores)
        .map(([name, s]) => `${name} ${s.records} records ${mb(s.chars)} MB ${s.ms.toFixed(0)} ms`).join("; ")}`);
      await load();
      readWindow = await call("readWindow");
      if (readWindow) log(`read a window (what load_window(50) reads, plain JS): ${readWindow.ms.toFixed(0)} ms ` +
        `(small tables ${readWindow.smallMs.toFixed(0)} ms, newest 50 conversations ${readWindow.windowMs.toFixed(0)} ms), ` +
        `${readWindow.records} records, conversations ${readWindow.conversations.join("+")}, ${mb(readWindow.chars)} MB`);
    }
    log(`opened ${ROUNDS}x, first view ${opens.map((o) => o.firstViewMs.toFixed(0)).join("/")} ms; page applied`);

    await load();
    const baselineBuilt = await call("baselineBuild", { n });
    const baseline = [];
    for (let r = 0; r < Math.max(ROUNDS, 5); r++) {
      await load();
      baseline.push(await call("baselineRead", { n }));
    }
    log(`baseline built in ${(baselineBuilt.ms / 1000).toFixed(1)} s`);
    await call("clear");
    return {
      n, built, opens, shown: last.shown, issues: last.issues, wasmBytes: last.wasmBytes, jsHeap: heap.usedSize,
      disk, files, applied, baseline, readAll, readWindow, profiled,
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The extension as scripts/assemble-extension.sh assembles it (hosted API, no key: the engine opens
 * its store and asks nothing of the network), in `dir`. */
function assembleExtension(dir) {
  execFileSync("bash", ["scripts/assemble-extension.sh", dir, "https://api.connectsafely.ai/linkedin"], { stdio: "ignore" });
}

/** Feeds the store to the worker's engine through `applyRemote`, a chunk of conversations per call. */
async function feedWorker(sw, n) {
  const { conversations } = layout(n);
  let chunk = [];
  let size = 0;
  let fed = 0;
  for (let c = 0; c < conversations; c++) {
    const f = fact(conversation(n, c));
    chunk.push(f);
    size += f.messages.length;
    if (size < 2000 && c < conversations - 1) continue;
    const error = await sw.evaluate(async (facts) => {
      const core = await globalThis.threadline.ready;
      const account = core.settings().accountId;
      try {
        await Promise.all(facts.map((f) => core.engine().applyRemote({ ...f, account })));
        return null;
      } catch (e) {
        return `${e.code ?? e.name}: ${e.message}`;
      }
    }, chunk);
    if (error) throw new Error(`the worker's store refused a write after ${fed} messages (${error})`);
    fed += size;
    chunk = [];
    size = 0;
  }
}

/** Writes the store straight into chrome.storage.local in the engine's snapshot layout, as today's
 * release leaves it (keys `threadline:head`, `threadline:snapshot:0`), after closing the worker's
 * engine and deleting its IndexedDB database (so an extension on IndexedDB migrates it on its
 * next start). The text goes over in chunks. */
async function writeWorker(sw, n) {
  const text = snapshotText(n);
  await sw.evaluate(async () => {
    const core = await globalThis.threadline.ready;
    core.engine()?.close();
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase("threadline:threadline");
      r.onsuccess = r.onerror = () => resolve();
      setTimeout(resolve, 5000);
    });
    globalThis.benchChunks = [];
  });
  const CHUNK = 8_000_000;
  for (let i = 0; i < text.length; i += CHUNK) {
    await sw.evaluate((c) => void globalThis.benchChunks.push(c), text.slice(i, i + CHUNK));
  }
  const error = await sw.evaluate(async (head) => {
    const ext = globalThis.browser ?? globalThis.chrome;
    const snapshot = globalThis.benchChunks.join("");
    globalThis.benchChunks = null;
    try {
      await ext.storage.local.set({ "threadline:snapshot:0": snapshot, "threadline:head": head });
      return null;
    } catch (e) {
      return String(e.message ?? e);
    }
  }, JSON.stringify({ v: 1, snapshot: 0, deltas: [], next: 1 }));
  if (error) throw new Error(`chrome.storage.local refused the ${(text.length / 1e6).toFixed(1)} MB store (${error})`);
}

/** The same store in the extension's background (written straight in, or fed), then cold starts: the worker stopped through CDP (as
 * Chrome's idle kill does) and woken by opening the popup. */
async function measureWorker(n) {
  const root = mkdtempSync(path.join(TMP, "bench-scale-ext-"));
  const ext = path.join(root, "extension");
  assembleExtension(ext);
  const context = await chromium.launchPersistentContext(path.join(root, "profile"), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: false, // --headless=new below: the old headless mode loads no extensions
    args: ["--headless=new", ...CHROMIUM_ARGS, `--disable-extensions-except=${ext}`, `--load-extension=${ext}`,
      // The profiled start's trace is the browser's (a worker's events are not a page's): a port for it.
      ...(PROFILE ? ["--remote-debugging-port=0"] : [])],
  });
  const log = (s) => process.stderr.write(`  [${n} worker] ${s}\n`);
  try {
    let sw = await backgroundWorker(context);
    const id = new URL(sw.url()).host;
    const t0 = Date.now();
    if (BUILD === "feed") await feedWorker(sw, n);
    else await writeWorker(sw, n);
    log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const page = await context.newPage();
    const urn = conversation(n, 0).urn;
    const opens = [];
    // With the snapshot written straight in, the first start reads it (and migrates it when the
    // extension's storage is another): counted apart, not a cold open like the others.
    const rounds = BUILD === "feed" ? ROUNDS : ROUNDS + 1;
    for (let r = 0; r < rounds; r++) {
      await killBackground(context, page);
      for (let i = 0; i < 100 && context.serviceWorkers().length; i++) await new Promise((r) => setTimeout(r, 50));
      await page.goto(`chrome-extension://${id}/popup/popup.html`);
      sw = await backgroundWorker(context);
      opens.push(await sw.evaluate(async (urn) => {
        const core = await globalThis.threadline.ready;
        const account = core.settings().accountId;
        const t0 = performance.now();
        // The engine opens without any conversation's messages (lazy loading): open the thread
        // as a view does (its messages are read), then take its view.
        await core.engine().openConversation({ view: "bench", accountId: account, conversationUrn: urn });
        const view = core.engine().conversationView(account, urn);
        const viewMs = performance.now() - t0;
        const { scriptMs, wasmMs, startMs } = globalThis.threadline.timings;
        return { scriptMs, wasmMs, startMs, viewMs, firstViewMs: wasmMs + startMs + viewMs, shown: view?.messages.length ?? 0 };
      }, urn));
    }
    let profiled = null;
    if (PROFILE) {
      // One more cold start, its view with every IndexedDB request of the worker timed (the start
      // ran before the bench can reach the worker: only the view's requests are seen).
      await killBackground(context, page);
      for (let i = 0; i < 100 && context.serviceWorkers().length; i++) await new Promise((r) => setTimeout(r, 50));
      const trace = await traceWasm(path.join(root, "profile"));
      await page.goto(`chrome-extension://${id}/popup/popup.html`);
      sw = await backgroundWorker(context);
      profiled = await sw.evaluate(async (urn) => {
        const core = await globalThis.threadline.ready;
        const account = core.settings().accountId;
        const events = [];
        const base = performance.now();
        const at = () => performance.now() - base;
        const undo = [];
        const wrap = (proto, name, describe) => {
          const original = proto[name];
          proto[name] = function (...args) {
            const r = original.apply(this, args);
            const e = { what: name, on: describe(this, args, r), start: at(), end: null, count: null };
            events.push(e);
            if (r instanceof IDBRequest) {
              r.addEventListener("success", () => {
                e.end = at();
                if (Array.isArray(r.result)) e.count = r.result.length;
              });
            } else if (r instanceof IDBTransaction) {
              r.addEventListener("complete", () => void (e.end = at()));
              r.addEventListener("abort", () => void (e.end = at()));
            }
            return r;
          };
          undo.push(() => void (proto[name] = original));
        };
        wrap(IDBDatabase.prototype, "transaction", (_t, a, r) => `${[].concat(a[0]).join(",")} ${r.mode}`);
        wrap(IDBObjectStore.prototype, "getAll", (t) => t.name);
        wrap(IDBObjectStore.prototype, "getAllKeys", (t) => t.name);
        wrap(IDBObjectStore.prototype, "get", (t) => t.name);
        wrap(IDBObjectStore.prototype, "put", (t) => t.name);
        wrap(IDBIndex.prototype, "getAll", (t) => `${t.objectStore.name}.${t.name}`);
        wrap(IDBIndex.prototype, "getAllKeys", (t) => `${t.objectStore.name}.${t.name}`);
        try {
          await core.engine().openConversation({ view: "bench", accountId: account, conversationUrn: urn });
          const opened = at();
          const view = core.engine().conversationView(account, urn);
          return { events, marks: { opened, view: at() }, shown: view?.messages.length ?? 0 };
        } finally {
          for (const u of undo) u();
        }
      }, urn);
      profiled.compiled = await trace.end();
    }
    const first = BUILD === "feed" ? null : opens.shift();
    log(`${first ? `first start on the written store ${first.firstViewMs.toFixed(0)} ms; ` : ""}cold starts, first view ${opens.map((o) => o.firstViewMs.toFixed(0)).join("/")} ms`);
    return { n, opens, first, profiled };
  } finally {
    await context.close().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

/** A trace of the browser's `v8.wasm` events from now until `end()`, over the DevTools port the
 * profiled worker's browser opened (its profile's `DevToolsActivePort`), and what `end()` answers
 * of it: the functions V8 compiled lazily (Liftoff, on their first call) on the service worker's
 * thread, their bodies' bytes and that thread's time: from the wake to the first view (the
 * module's instantiation, the engine's open, the thread's `openConversation` and view). */
async function traceWasm(profileDir) {
  const port = readFileSync(path.join(profileDir, "DevToolsActivePort"), "utf8").split("\n")[0].trim();
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  const session = await browser.newBrowserCDPSession();
  const events = [];
  let complete;
  const completed = new Promise((resolve) => (complete = resolve));
  session.on("Tracing.dataCollected", (m) => events.push(...m.value));
  session.on("Tracing.tracingComplete", () => complete());
  await session.send("Tracing.start", { categories: "v8.wasm,disabled-by-default-v8.wasm.detailed", transferMode: "ReportEvents" });
  return {
    async end() {
      await session.send("Tracing.end");
      await completed;
      await session.detach().catch(() => {});
      const threads = new Map(events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
      const onWorker = (e) => /^ServiceWorker/.test(threads.get(`${e.pid}:${e.tid}`) ?? "");
      const lazy = events.filter((e) => e.name === "wasm.CompileLazy" && onWorker(e));
      const baseline = events.filter((e) => e.name === "wasm.CompileBaseline" && onWorker(e));
      return {
        functions: lazy.length,
        bytes: baseline.reduce((a, e) => a + (e.args?.bodySize ?? 0), 0),
        cpuMs: lazy.reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000,
        wallMs: lazy.reduce((a, e) => a + (e.dur ?? 0), 0) / 1000,
      };
    },
  };
}

/** Where one profiled cold open's time went (THREADLINE_BENCH_PROFILE=1). */
function printProfile(rows) {
  for (const r of rows.filter((r) => r.profiled)) {
    const { events, marks, view } = r.profiled;
    console.log(`\nprofile ${r.n}: wasm init ${marks.init.toFixed(1)} ms, open() done at ${marks.open.toFixed(1)}, view at ${marks.view.toFixed(1)} (shows ${view.shown})`);
    const tx = events.filter((e) => e.what === "transaction");
    console.log(`  ${tx.length} transactions (${tx.filter((e) => e.on.endsWith("readonly")).length} readonly), ${events.filter((e) => e.what === "put").length} puts`);
    for (const e of events) {
      if (e.what === "put") continue;
      const span = e.end === null ? "open" : `${(e.end - e.start).toFixed(1)} ms`;
      console.log(`  ${e.start.toFixed(1).padStart(7)}  ${e.what} ${e.on}: ${span}${e.count === null ? "" : `, ${e.count} records`}`);
    }
  }
}

/** Where one profiled worker view's time went (THREADLINE_BENCH_PROFILE=1). */
function printWorkerProfile(rows) {
  for (const r of rows.filter((r) => r.profiled)) {
    const { events, marks, shown } = r.profiled;
    const c = r.profiled.compiled;
    console.log(`\nworker profile ${r.n}: compiled on its thread from the wake to the view: ${c.functions} wasm functions on their first call, ` +
      `${(c.bytes / 1000).toFixed(1)} KB of bodies, ${c.cpuMs.toFixed(1)} ms of the thread (${c.wallMs.toFixed(1)} ms wall)`);
    console.log(`  openConversation resolved at ${marks.opened.toFixed(1)} ms, view at ${marks.view.toFixed(1)} (shows ${shown})`);
    for (const e of events) {
      if (e.what === "put") continue;
      const span = e.end === null ? "open" : `${(e.end - e.start).toFixed(1)} ms`;
      console.log(`  ${e.start.toFixed(1).padStart(7)}  ${e.what} ${e.on}: ${span}${e.count === null ? "" : `, ${e.count} records`}`);
    }
  }
}

function printWorker(rows) {
  if (!rows.length) return;
  printWorkerProfile(rows);
  console.log(`\nscale: the extension's service worker (the storage its background opens), cold: stopped through CDP,`);
  console.log(`  woken by its popup; medians of ${ROUNDS}`);
  const head = ["messages", "first view ms", "(wasm/open/view)", "script ms", "shown", "first start on the written store ms"];
  console.log("  " + head.join("  "));
  for (const r of rows) {
    if (r.error) {
      console.log(`  ${String(r.n).padStart(head[0].length)}  failed: ${r.error}`);
      continue;
    }
    const part = (k) => median(r.opens.map((o) => o[k])).toFixed(0);
    const cells = [String(r.n), part("firstViewMs"), `${part("wasmMs")}/${part("startMs")}/${part("viewMs")}`, part("scriptMs"), String(r.opens[0].shown),
      r.first ? `${r.first.firstViewMs.toFixed(0)} (shown ${r.first.shown})` : "—"];
    console.log("  " + cells.map((c, i) => c.padStart(head[i].length)).join("  "));
  }
  console.log("  first view: the background's wasm instantiation + its start (core.start: opening the engine on the");
  console.log("    stored store) + `openConversation` of the 200-message thread (reads its messages) and its");
  console.log("    `conversationView`; the worker's script start is not counted: it is the script column (the");
  console.log("    worker's start until the background's body runs: its one bundled module loaded and evaluated).");
  console.log("  first start: the first wake after the store was written in today's layout (a migration when the");
  console.log("    background opens another storage).");
}

/** A page's first view without the module's instantiation: the median of open + view. */
const afterInit = (r) => median(r.opens.map((o) => o.openMs + o.viewMs));

/** The cold first view in a page and in the extension's worker beside the plain-JS baseline, per
 * size (the issue's target: within 3x the baseline). */
function printSideBySide(rows, workerRows) {
  const sizes = [...new Set([...rows, ...workerRows].filter((r) => !r.error).map((r) => r.n))];
  if (!sizes.length || !rows.length) return;
  console.log(`\nscale: cold first view side by side (medians; ms)`);
  const head = ["messages", "page", "worker", "baseline", "page ×", "worker ×", "page without init", "×"];
  const lines = sizes.map((n) => {
    const page = rows.find((r) => r.n === n && !r.error);
    const worker = workerRows.find((r) => r.n === n && !r.error);
    const pageMs = page ? median(page.opens.map((o) => o.firstViewMs)) : null;
    const workerMs = worker ? median(worker.opens.map((o) => o.firstViewMs)) : null;
    const base = page ? median(page.baseline.map((b) => b.totalMs)) : null;
    const cell = (x, d = 0) => (x === null ? "—" : x.toFixed(d));
    const ratio = (x) => (x === null || base === null ? "—" : (x / base).toFixed(1));
    const bare = page ? afterInit(page) : null;
    return [String(n), cell(pageMs), cell(workerMs), cell(base, 1), ratio(pageMs), ratio(workerMs), cell(bare), ratio(bare)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [head, ...lines]) console.log("  " + l.map((c, i) => c.padStart(widths[i])).join("  "));
  console.log("  page: a reloaded page's wasm init + open() + the view; worker: the extension's service worker stopped");
  console.log("    through CDP and woken by its popup (wasm instantiation + core.start + the view); baseline: plain JS");
  console.log("    opening IndexedDB and reading the newest 50 messages of the thread (the page's run). page without");
  console.log("    init: the page's open + view, its module's fetch, compile and instantiation left out (the baseline has");
  console.log("    no code to compile; a user pays it on every cold start).");
}

const loadAverage = () => os.loadavg().map((x) => x.toFixed(1)).join(" ");
const loadAtStart = loadAverage();

function print(rows, version) {
  console.log(`\nscale: the engine on storage "${STORAGE}" in ${version}; medians of ${ROUNDS} cold opens (a reloaded page each${STORAGE === "memory" ? "; memory: same realm, warm" : ""}${CACHE ? "; the module from the HTTP cache" : ""})`);
  const head = ["messages", "build s", "first view ms", "(init/open/view)", "wasm MB", "JS MB", "disk MB", "50-page ms", "read all ms", "baseline ms", "× baseline", "× without init"];
  const lines = rows.map((r) => {
    if (r.error) return [String(r.n), "—", `failed: ${r.error}`];
    const first = median(r.opens.map((o) => o.firstViewMs));
    const part = (k) => median(r.opens.map((o) => o[k])).toFixed(0);
    const base = median(r.baseline.map((b) => b.totalMs));
    const disk = STORAGE === "localStorage" ? r.disk.localChars * 2 : r.files.idb;
    return [
      String(r.n), ((r.built.builtMs + r.built.compactMs) / 1000).toFixed(1), first.toFixed(0), `${part("initMs")}/${part("openMs")}/${part("viewMs")}`,
      mb(r.wasmBytes), mb(r.jsHeap), mb(disk), r.applied.ms.toFixed(1), r.readAll ? r.readAll.ms.toFixed(0) : "—", base.toFixed(1), (first / base).toFixed(1),
      (afterInit(r) / base).toFixed(1),
    ];
  });
  const ok = lines.filter((l) => l.length === head.length);
  const widths = head.map((h, i) => Math.max(h.length, ...ok.map((l) => l[i].length)));
  const fmt = (l) => "  " + (l.length === head.length ? l.map((c, i) => c.padStart(widths[i])).join("  ") : `${l[0].padStart(widths[0])}  ${l[2]}`);
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  console.log("  first view: page start to `conversationView` of a 200-message thread (wasm init, `open()` restoring the");
  console.log("    store (with indexedDB the small tables and a window of the conversation list, no message), then `openConversation`, which reads that thread's");
  console.log("    messages, and the view); the engine is open after it (memory: wasm linear memory, and the");
  console.log("    JS heap after a GC). disk: the profile's IndexedDB files (localStorage: 2 bytes a character held).");
  if (STORAGE === "memory") console.log("    memory: the store is a JS Map of the page (in the JS heap), opened again in the same realm.");
  console.log("  × without init: open + view (the median of their sums) over the baseline: what the engine's storage and");
  console.log("    logic cost beside plain JS. The baseline's code is in the page before its clock starts; the engine's");
  console.log("    module is fetched, compiled and instantiated inside the clock (init), which a user pays on every cold");
  console.log("    start too: the first view column is what they wait for.");
  console.log("  read all: plain JS `getAll` of every object store of the engine's database (indexedDB only): the least");
  console.log("    an open that loads the whole store pays.");
  console.log("  50-page: `applyRemote` of 50 new messages of that thread until it resolves (merge + write + notices).");
  console.log("  baseline: plain JS, its own IndexedDB in the same layout: open it, newest 50 of the thread through");
  console.log(`    \`byConversation\`, parsed; a reloaded page each time (median of ${Math.max(ROUNDS, 5)}).`);
  for (const r of rows.filter((r) => !r.error)) {
    const checks = [`view shows ${r.shown}`, `baseline read ${r.baseline[0].shown}`, `after the pages ${r.applied.shown}`,
      `restore issues ${r.issues}`, `estimate() ${mb(r.disk.usage)} MB`, `conversations ${r.built.held}/${r.built.conversations} (${r.built.window} at open)`];
    console.log(`  check ${r.n}: ${checks.join(", ")}`);
  }
}

const server = await serveStatic(".", 0, { cacheWasm: CACHE });
const rows = [];
const workerRows = [];
let sameAsFed = null;
let version = "";
try {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  version = `Chromium ${browser.version()}`;
  if (BUILD === "snapshot") {
    const page = await browser.newPage();
    await page.goto(`${server.url}/tests/bench/scale.html`);
    await page.waitForFunction(() => window.bench);
    sameAsFed = await page.evaluate(() => window.bench.sameAsFed({ n: 1000 }));
  }
  await browser.close();
  for (const n of SIZES) {
    if (PAGE) process.stderr.write(`scale: ${n} messages on ${STORAGE}…\n`);
    if (PAGE) try {
      rows.push(await measure(server, n));
    } catch (e) {
      process.stderr.write(`  [${n}] failed: ${e.stack || e}\n`);
      rows.push({ n, error: String(e.message || e).split("\n")[0].replace(/^page\.evaluate: /, "").slice(0, 160) });
    }
    if (!WORKER) continue;
    process.stderr.write(`scale: ${n} messages in the extension's worker…\n`);
    try {
      workerRows.push(await measureWorker(n));
    } catch (e) {
      process.stderr.write(`  [${n} worker] failed: ${e.stack || e}\n`);
      workerRows.push({ n, error: String(e.message || e).split("\n")[0].slice(0, 160) });
    }
  }
} finally {
  server.close();
}
console.log(`\nload average (${os.cpus().length} cores): ${loadAtStart} at the start, ${loadAverage()} at the end`);
if (rows.length) print(rows, version);
printProfile(rows);
if (sameAsFed !== null) {
  console.log(`  stores written straight in the engine's snapshot layout; a 1,000-message one restores to the same state as`);
  console.log(`    one fed through applyRemote: ${sameAsFed ? "yes" : "NO (the figures above are not of a realistic store)"}`);
}
printWorker(workerRows);
printSideBySide(rows, workerRows);

/** What `THREADLINE_BENCH_CHECK=1` refuses: each is wrong whatever the machine's speed. */
function wrong() {
  const out = [];
  for (const r of rows) {
    if (r.error) { out.push(`page ${r.n}: failed: ${r.error}`); continue; }
    if (r.shown !== LONG) out.push(`page ${r.n}: the view shows ${r.shown}, not the thread's ${LONG}`);
    if (r.baseline.some((b) => b.shown !== 50)) out.push(`page ${r.n}: the baseline read ${r.baseline.map((b) => b.shown)}, not 50`);
    if (r.applied.shown <= r.shown) out.push(`page ${r.n}: the 50-message page left the view at ${r.applied.shown}`);
    if (r.issues !== 0) out.push(`page ${r.n}: ${r.issues} restore issues`);
    if (r.built.held !== r.built.conversations) out.push(`page ${r.n}: ${r.built.held} of ${r.built.conversations} conversations listed`);
  }
  for (const r of workerRows) {
    if (r.error) { out.push(`worker ${r.n}: failed: ${r.error}`); continue; }
    if (r.opens.some((o) => o.shown !== LONG)) out.push(`worker ${r.n}: the view shows ${r.opens.map((o) => o.shown)}, not ${LONG}`);
  }
  if (sameAsFed === false) out.push("the store written straight in does not restore as the fed one");
  return out;
}
if (process.env.THREADLINE_BENCH_CHECK === "1") {
  const bad = wrong();
  for (const b of bad) console.error(`bench-scale check: ${b}`);
  if (bad.length) process.exitCode = 1;
}
