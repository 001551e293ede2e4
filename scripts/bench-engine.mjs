// Issue 15's engine benchmark (figures, not assertions): the wasm engine over IndexedDB beside a
// plain-JS engine of the same rules (tests/bench/engine.js, `Peer`), in one headless Chromium run,
// on an outreach history of N messages (THREADLINE_BENCH_ENGINE_SIZES, default 10000,100000):
// merging a fresh 50-message page until stored, the view of the open 200-message conversation
// (after pages of ASCII text, and after pages with one text beyond ASCII), and a cold open to
// that view. Prints medians and the ratio (wasm / plain JS; under 1 is faster).
// The page is cross-origin isolated, so `performance.now()` counts in 5 µs steps, not 100 µs: the
// plain-JS view takes about 0.1 ms, which the coarse clock read as 0.0, 0.1 or 0.2.
import { withPage, benchResult } from "./browser.mjs";

const sizes = (process.env.THREADLINE_BENCH_ENGINE_SIZES ?? "10000,100000").split(",").map(Number);
const rounds = Number(process.env.THREADLINE_BENCH_ENGINE_ROUNDS ?? 9);
const rows = [];
let version = "";
for (const n of sizes) {
  await withPage(`/tests/bench/engine.html?n=${n}&rounds=${rounds}`, async (page, browser) => {
    version = await browser.version();
    rows.push(await benchResult(page, 900_000));
  }, { isolated: true });
}
const ms = (x) => `${x.toFixed(3).padStart(9)} ms`;
console.log(`engine beside a plain-JS engine of the same rules, IndexedDB, Chromium ${version}, median of ${rounds}, clock ${rows[0]?.isolated ? "5 µs" : "100 µs"}`);
console.log(`  ${"".padEnd(52)} ${"wasm".padStart(12)} ${"plain JS".padStart(12)} ${"ratio".padStart(7)}`);
for (const r of rows) {
  for (const [what, label] of [["merge", "merge a 50-message page (stored)"], ["view", "view of the conversation after the merge"], ["wide", "view after a merge with a text beyond ASCII"], ["again", "the same view read again, unchanged"], ["open", "cold open to that view"]]) {
    const { wasm, js } = r[what];
    console.log(`  ${`${r.n} messages: ${label}`.padEnd(52)} ${ms(wasm)} ${ms(js)} ${`×${(wasm / js).toFixed(2)}`.padStart(7)}`);
  }
  const s = r.shown;
  console.log(`  check (${r.n}): messages shown after open ${s.wasmOpen} / ${s.jsOpen}, after the merges ${s.wasmView} / ${s.jsView}, after the merges beyond ASCII ${s.wasmWide} / ${s.jsWide}`);
}
console.log("  target (issue 15): each within ×2 of plain JS; the module instantiated before the open in both.");
// THREADLINE_BENCH_CHECK=1 (`make test`'s run at 1,000 messages, one round): exit 1 when the two
// engines showed different views, or a size gave no row. Times are never judged.
if (process.env.THREADLINE_BENCH_CHECK === "1") {
  const bad = sizes.filter((n) => !rows.some((r) => r.n === n)).map((n) => `${n}: no result`);
  for (const { n, shown: s } of rows) {
    if (s.wasmOpen !== s.jsOpen || s.wasmView !== s.jsView || s.wasmWide !== s.jsWide || !s.wasmOpen || !s.wasmWide) bad.push(`${n}: shown ${s.wasmOpen}/${s.jsOpen} after open, ${s.wasmView}/${s.jsView} after the merges, ${s.wasmWide}/${s.jsWide} after those beyond ASCII`);
  }
  for (const b of bad) console.error(`bench-engine check: ${b}`);
  if (bad.length) process.exitCode = 1;
}
