// Browser bench (figures, not assertions): headless Chromium normalizes the URN corpus with the
// wasm export per call, batched, and with a plain JS regex implementation; prints a table.
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const server = await serveStatic(".");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/tests/bench/urn-browser.html`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.benchResult);
  if (r.error) throw new Error(r.error);
  const row = (name, ms) =>
    `  ${name.padEnd(26)} ${ms.toFixed(2).padStart(9)} ms  ${((ms * 1e6) / r.n).toFixed(0).padStart(6)} ns/URN  x${(ms / r.plainJs).toFixed(2)} of plain JS`;
  console.log(`URN -> messageId, ${r.n} URNs, median of ${r.rounds} rounds, ${await browser.version()}`);
  console.log(row("wasm, one call per URN", r.perCall));
  console.log(row("wasm, batched (1 call)", r.batched));
  console.log(row("plain JS regex/split", r.plainJs));
  console.log(`  per-call / batched: x${(r.perCall / r.batched).toFixed(2)}`);
  console.log(`  inputs where the regex disagrees with the strict parser: ${r.disagree}`);
} finally {
  await browser.close();
  server.close();
}
