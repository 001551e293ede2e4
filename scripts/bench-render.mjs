// Keyed-rendering bench (figures, no assertions; issue 14): the demo's hand-written `el` +
// `reconcile` beside small keyed-rendering libraries, in one run of headless Chromium, on a list of
// 200 messages. For each: the bytes it would add to what is shipped (raw/gzip, and whether it has a
// classic UMD/IIFE build a content script can load without a bundler), the time of an update where
// one message changed / one was added at the end / one was recalled in the middle, whether node
// identity, focus, hover and scroll survive those updates, and whether it renders at all on a page
// that enforces Trusted Types as LinkedIn does.
//
// The one the project uses (udomdiff, pinned in package.json) comes from node_modules; the others
// from $THREADLINE_RENDER_CANDS/node_modules (default /tmp/render-cands; scripts/bench.sh installs
// them there, never into the project), missing ones are skipped:
//   npm install --prefix /tmp/render-cands preact@10.29.8 lit-html@3.3.3 uhtml@5.0.9
// (preact 10: preact 11 ships ESM only, which a content script cannot load without a bundler.)
// Usage: node scripts/bench-render.mjs   (THREADLINE_BENCH_RUNS: updates timed per figure, default 100)
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "./browser.mjs";
import { serveStatic } from "./static-server.mjs";

const RUNS = Number(process.env.THREADLINE_BENCH_RUNS) || 100;
const CANDS = path.join(process.env.THREADLINE_RENDER_CANDS ?? "/tmp/render-cands", "node_modules");

/** What each library would ship: a classic file for content scripts when there is one, else its ESM. */
const LIBS = {
  udomdiff: { classic: ["min.js"], esm: ["esm/index.js"] },
  preact: { classic: ["dist/preact.min.umd.js"], esm: ["dist/preact.module.js"] },
  "lit-html": { classic: null, esm: ["lit-html.js", "directives/repeat.js", "directive.js", "directive-helpers.js"] },
  uhtml: { classic: null, esm: ["dist/prod/dom.js"] },
};

const linkDir = path.resolve(".tmp/render-cands");
rmSync(linkDir, { recursive: true, force: true });
mkdirSync(linkDir, { recursive: true });
const have = [];
const sizes = {};
for (const [name, lib] of Object.entries(LIBS)) {
  const dir = [path.resolve("node_modules", name), path.join(CANDS, name)].find((d) => existsSync(path.join(d, "package.json")));
  if (!dir) continue;
  symlinkSync(dir, path.join(linkDir, name));
  have.push(name);
  const files = lib.classic ?? lib.esm;
  const bytes = Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
  const source = Buffer.concat(lib.esm.map((f) => readFileSync(path.join(dir, f)))).toString();
  sizes[name] = {
    version: JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    classic: !!lib.classic,
    // Template parsing: the html`` libraries build a <template> through innerHTML (a Trusted Types
    // sink); preact only writes innerHTML for dangerouslySetInnerHTML, which Threadline never passes.
    parses: /createElement\(["']template["']\)/.test(source) ? "builds <template> via innerHTML"
      : /innerHTML/.test(source) ? "innerHTML only for dangerouslySetInnerHTML" : "never",
  };
}

const server = await serveStatic(".");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(`${server.url}/tests/bench/render.html`);
  await page.waitForFunction(() => window.renderBench);
  const names = await page.evaluate((h) => window.renderBench.names(h), have);
  console.log(`keyed rendering of a 200-message list in ${await browser.version()}; ${RUNS} updates per figure, mean / median ms (update + layout)`);
  const rows = [];
  for (const name of names) {
    const lib = name === "hand-written" ? null : sizes[name.replace("el + ", "")];
    const mount = await page.evaluate((n) => window.renderBench.mount(n), name);
    const row = { name, lib, first: mount.first, ops: {}, kept: {} };
    for (const op of ["changed", "added", "recalled"]) {
      row.ops[op] = await page.evaluate(([o, r]) => window.renderBench.timeOp(o, r), [op, RUNS]);
      const at = await page.evaluate(() => window.renderBench.prepare());
      await page.mouse.move(0, 0); // a move to where the pointer already is would not update :hover
      await page.mouse.move(at.x, at.y);
      row.kept[op] = await page.evaluate((o) => window.renderBench.check(o), op);
    }
    rows.push(row);
  }
  // Trusted Types, enforced with no policy allowed (LinkedIn's page allows only its own policies).
  const tt = {};
  const ttPage = await browser.newPage();
  await ttPage.goto(`${server.url}/tests/bench/render-tt.html`);
  await ttPage.waitForFunction(() => window.renderBench);
  for (const name of names) {
    tt[name] = await ttPage.evaluate(async (n) => {
      try {
        const r = await window.renderBench.mount(n);
        return r.count === 200 ? "renders" : `rendered ${r.count}/200`;
      } catch (e) {
        return `fails: ${String(e.message ?? e).split("\n")[0].slice(0, 60)}`;
      }
    }, name);
  }

  const ms = (t) => `${t.mean.toFixed(3)} / ${t.median.toFixed(2)}`.padStart(15);
  console.log(`  ${"".padEnd(15)} ${"version".padEnd(8)} ${"adds raw".padStart(9)} ${"gzip".padStart(8)}  classic  ${"first 200".padStart(9)} ${"1 changed".padStart(15)} ${"1 added".padStart(15)} ${"1 recalled".padStart(15)}`);
  for (const r of rows) {
    const l = r.lib;
    console.log(`  ${r.name.padEnd(15)} ${(l?.version ?? "-").padEnd(8)} ${kb(l?.raw ?? 0).padStart(9)} ${kb(l?.gzip ?? 0).padStart(8)}  ${(l ? (l.classic ? "yes" : "no (ESM)") : "-").padEnd(8)} ${r.first.toFixed(1).padStart(9)} ${ms(r.ops.changed)} ${ms(r.ops.added)} ${ms(r.ops.recalled)}`);
  }
  console.log("  survival (untouched nodes kept, focus on message 125, hover on message 120, message 120 staying put on screen):");
  for (const r of rows) {
    const s = (k) => `${k.kept} ${k.focus ? "focus" : "FOCUS LOST"} ${!k.hoverBefore ? "(not hovered)" : k.hover ? "hover" : "HOVER LOST"} ${k.scroll ? "view" : "VIEW MOVED"}${k.count ? "" : " WRONG COUNT"}`;
    console.log(`    ${r.name.padEnd(15)} changed: ${s(r.kept.changed)}; added: ${s(r.kept.added)}; recalled: ${s(r.kept.recalled)}`);
  }
  console.log("  HTML parsing and Trusted Types (require-trusted-types-for 'script', no policy allowed):");
  for (const name of names) {
    const l = sizes[name.replace("el + ", "")];
    console.log(`    ${name.padEnd(15)} ${(name === "hand-written" || name === "el + udomdiff" ? "never (DOM calls)" : l.parses).padEnd(45)} ${tt[name]}`);
  }
  const missing = Object.keys(LIBS).filter((n) => !have.includes(n));
  if (missing.length) console.log(`  not measured (not installed): ${missing.join(", ")}; npm install --prefix /tmp/render-cands ${missing.join(" ")}`);
  console.log("  adds = the file(s) that would be shipped (the classic UMD/IIFE file when the library has one, else its ESM files).");
} finally {
  await browser.close();
  server.close();
  rmSync(linkDir, { recursive: true, force: true });
}
