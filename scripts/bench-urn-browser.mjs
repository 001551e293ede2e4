// Browser bench (figures, not assertions): headless Chromium normalizes the URN corpus with the
// wasm export per call, batched, and with a plain JS regex implementation; prints a table.
import { withPage, benchResult } from "./browser.mjs";

await withPage("/tests/bench/urn-browser.html", async (page, browser) => {
  const r = await benchResult(page, 120_000);
  const row = (name, ms) =>
    `  ${name.padEnd(26)} ${ms.toFixed(2).padStart(9)} ms  ${((ms * 1e6) / r.n).toFixed(0).padStart(6)} ns/URN  x${(ms / r.plainJs).toFixed(2)} of plain JS`;
  console.log(`URN -> messageId, ${r.n} URNs, median of ${r.rounds} rounds, ${await browser.version()}`);
  console.log(row("wasm, one call per URN", r.perCall));
  console.log(row("wasm, batched (1 call)", r.batched));
  console.log(row("plain JS regex/split", r.plainJs));
  console.log(`  per-call / batched: x${(r.perCall / r.batched).toFixed(2)}`);
  const v = (name, ms) =>
    `  ${name.padEnd(26)} ${ms.toFixed(2).padStart(9)} ms  ${((ms * 1e6) / r.valid).toFixed(0).padStart(6)} ns/URN  x${(ms / r.plainJsValid).toFixed(2)} of plain JS`;
  console.log(`The ${r.valid} inputs that are message references (no UrnError thrown):`);
  console.log(v("wasm, one call per URN", r.perCallValid));
  console.log(v("plain JS regex/split", r.plainJsValid));
  console.log(`  inputs where the regex disagrees with the strict parser: ${r.disagree}`);
});
