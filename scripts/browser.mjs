// Headless Chromium for the browser benches: the flags this machine needs (TOOLCHAIN.md), and a
// page of this repository served on loopback. `withPage(path, fn)` opens it, runs fn, cleans up.
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Serves the repository, opens `path` in headless Chromium and resolves to fn(page, browser);
 * `isolated`: cross-origin isolated (serveStatic), for timers finer than 100 µs. */
export async function withPage(path, fn, { isolated = false } = {}) {
  const server = await serveStatic(".", 0, { isolated });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}${path}`);
    return await fn(page, browser);
  } finally {
    await browser.close();
    server.close();
  }
}

/** Waits for the page to publish `window.benchResult` and returns it (throws on its error). */
export async function benchResult(page, timeout = 300_000) {
  await page.waitForFunction(() => window.benchResult, null, { timeout, polling: 250 });
  const r = await page.evaluate(() => window.benchResult);
  if (r.error) throw new Error(r.error);
  return r;
}
