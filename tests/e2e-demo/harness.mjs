// What every demo-inbox e2e file shares: a simulator of its own serving a copy of www/ with the
// built package (so a run never writes into the tree), the simulator's test routes, a headless
// Chromium, and screenshots under .tmp/screenshots. Not a test file itself (no `.test.` in the name).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdir, rm } from "node:fs/promises";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { vendorInto } from "../../scripts/vendor.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WAIT = { timeout: 30_000 };
const SIM = process.env.THREADLINE_SIM_BIN ?? path.join(ROOT, "target/debug/threadline-sim");
const SHOTS = path.join(ROOT, ".tmp/screenshots");

/**
 * Starts `threadline-sim` on a free port, serving a fresh copy of www/ (with pkg/ and the vendored
 * keyed DOM diff, scripts/vendor.mjs) made in
 * `.tmp/<site>`. Resolves to `{ child, url, api }`, `api(method, route, body)` calling it (JSON
 * both ways; a status other than 2xx fails the test). `seed`: a seed file (`--seed`).
 */
export async function startSim(site, { seed } = {}) {
  const dir = path.join(ROOT, ".tmp", site);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(path.join(ROOT, "www"), dir, { recursive: true, filter: (src) => !src.endsWith(`${path.sep}pkg`) });
  await cp(path.join(ROOT, "pkg"), path.join(dir, "pkg"), { recursive: true });
  vendorInto(dir);
  const args = ["--port", "0", "--api-key", "dev", "--www", dir, ...(seed ? ["--seed", seed] : [])];
  const child = spawn(SIM, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`threadline-sim exited (${code})`)));
    lines.on("line", (line) => {
      const m = line.match(/listening on (http:\/\/[\d.:]+)/);
      if (m) resolve(m[1]);
    });
  });
  const api = async (method, route, body) => {
    const res = await fetch(`${url}${route}`, {
      method, headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    assert.ok(res.ok, `${method} ${route}: ${res.status}`);
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  return { child, url, api };
}

/** Headless Chromium as every demo test runs it (`CHROMIUM` names another binary). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A screenshot in .tmp/screenshots (or at `to`, a path from the repository's root). */
export async function shot(page, name, to) {
  const file = to ? path.join(ROOT, to) : path.join(SHOTS, name);
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  console.log(`screenshot: ${path.relative(ROOT, file)}`);
}
