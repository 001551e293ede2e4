// Serves the Vite consumer's build and opens it in headless Chromium; the page reports what the
// package did (URN functions, a client call to the simulator, `instanceof ApiError` and its code,
// an engine refusal recognised by `isRefusal`).
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const [dist, sim] = process.argv.slice(2);
const server = await serveStatic(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${server.url}/?sim=${encodeURIComponent(sim)}`);
  await page.waitForFunction(() => window.consumerResult, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.consumerResult);
  assert.equal(result.ok, true, `${result.detail} ${errors.join(" ")}`);
  assert.match(result.detail, /^2-abc true \d+ unauthorized refused$/);
  console.log(`vite consumer: ok (${result.detail})`);
} finally {
  await browser.close();
  server.close();
}
