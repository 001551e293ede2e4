// Browser bench (figures, not assertions): headless Chromium normalizes URNs with the package's
// messageId / conversationId / profileId (per call, `try…` per call, batched where offered) and
// with plain JS regex/split peers (tests/bench/urn-browser.js), in the same run; prints a table.
import { withPage, benchResult } from "./browser.mjs";

await withPage("/tests/bench/urn-browser.html", async (page, browser) => {
  const r = await benchResult(page, 300_000);
  console.log(`URN normalization, median of ${r.rounds} rounds, ${await browser.version()}`);
  const line = (what, ms, n, js) =>
    `    ${what.padEnd(30)} ${ms.toFixed(2).padStart(8)} ms ${((ms * 1e6) / n).toFixed(0).padStart(6)} ns/input  x${(ms / js).toFixed(2)} of plain JS`;
  for (const x of r.rows) {
    console.log(`  ${x.name} over ${x.set} (${x.n} inputs, ${x.valid} of them ids; the regex disagrees on ${x.disagree})`);
    console.log(line("wasm, one call per input", x.perCall, x.n, x.plainJs));
    if (x.tryPerCall !== undefined) console.log(line("wasm try…, one call per input", x.tryPerCall, x.n, x.plainJs));
    if (x.batched !== undefined) console.log(line("wasm, batched (1 call)", x.batched, x.n, x.plainJs));
    console.log(line("plain JS regex/split", x.plainJs, x.n, x.plainJs));
    if (x.valid) {
      console.log(line("wasm, ids only, per call", x.perCallValid, x.valid, x.plainJsValid));
      console.log(line("plain JS, ids only", x.plainJsValid, x.valid, x.plainJsValid));
    }
  }
});
