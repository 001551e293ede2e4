// Browser bench (figures, not assertions): the wasm engine in headless Chromium merging a
// 50-message page into stores of 10,000 and 100,000 messages and loading a 10,000-message
// snapshot, beside a plain JavaScript Map-based merge of the same data in the same run.
import { withPage, benchResult } from "./browser.mjs";

await withPage("/tests/bench/sync-browser.html", async (page, browser) => {
  const r = await benchResult(page);
  const ms = (x) => `${x.toFixed(3).padStart(9)} ms`;
  console.log(`sync store in ${await browser.version()}, medians`);
  console.log(`  ${"".padEnd(40)} ${"wasm engine".padStart(11)}  ${"plain JS Map".padStart(12)}`);
  for (const m of r.merges) {
    console.log(`  ${`50 new messages into ${m.n}`.padEnd(40)} ${ms(m.wasmNew)}  ${ms(m.jsNew)}`);
    console.log(`  ${`same 50 again into ${m.n}`.padEnd(40)} ${ms(m.wasmSame)}  ${ms(m.jsSame)}`);
  }
  const l = r.load;
  console.log(`  ${`load a ${l.n}-message snapshot`.padEnd(40)} ${ms(l.wasm)}  ${ms(l.js)}   (${(l.bytes / 1e6).toFixed(1)} MB JSON)`);
  console.log("  wasm: applyRemote of a `messages` fact until it resolves (merge + delta write + notices);");
  console.log("        open() from a prefilled storage adapter (parse + restore + first Tick).");
  console.log("  JS:   a Map by id with tombstones, newest stamp wins; no per-conversation order.");
  console.log(`  check: the merged conversation shows ${r.merges.map((m) => m.held).join(" / ")} messages; a loaded one ${l.shown}`);
});
