// The e2e harness: the simulator (API + the LinkedIn-shaped page over HTTPS as www.linkedin.com),
// Debian's Chromium with the built extension through playwright-core, and small helpers.
// Waits are on DOM conditions with generous timeouts; nothing asserts on time.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const EXT_DIR = process.env.THREADLINE_EXTENSION_DIR ?? path.join(ROOT, "dist/extension");
export const TMP = path.join(ROOT, ".tmp");
export const WAIT = 20000; // generous: a wait that times out is a failure, never a measurement

/** Well-known ids of the simulator's seeded workspace (sim/README.md). */
export const SEED = {
  ada: "65f1a0c0ffee000000000a01",
  grace: "65f1a0c0ffee000000000b02",
  longThread: "2-c2ltLWxvbmctdGhyZWFkPz9hZGE+PmxpbnVzfn5oaXN0b3J5XzE1MA==",
  sharedThread: "2-c2ltLXNoYXJlZC10aHJlYWQ/YWRhPmdyYWNlfm1hcmdhcmV0XzEwMA==",
  graceLongThread: "2-R3JhY2UgbG9uZyB0aHJlYWQ+PnNpbSAxMjA=",
  recallable: "2-+/++IHNpbSByZWNhbGxhYmxlIG1zZyAxPg==",
  oldOwn: "2-++//IG9sZCBvd24gbXNnIH5+Mj4/",
  theirs: "2-+vv8IHRoZWlyIG1zZyB+Mw==",
};

export function threadUrl(threadId, account) {
  const q = account ? `?account=${account}` : "";
  return `https://www.linkedin.com/messaging/thread/${encodeURIComponent(threadId)}/${q}`;
}

/**
 * Starts threadline-sim on free ports with a long random key (so a leak is unmistakable);
 * `seed`: a seed file (`--seed`, e.g. from many.mjs).
 */
export async function startSim({ seed } = {}) {
  const bin = path.join(ROOT, "target/debug/threadline-sim");
  if (!existsSync(bin)) throw new Error(`${bin} missing: cargo build -p threadline-sim`);
  const apiKey = `tl-e2e-${randomBytes(12).toString("hex")}`;
  const args = ["--port", "0", "--https-port", "0", "--api-key", apiKey, "--www", path.join(ROOT, "www"), ...(seed ? ["--seed", seed] : [])];
  const child = spawn(bin, args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${out}`)), WAIT);
    child.stdout.on("data", (d) => {
      out += d;
      const http = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const https = /https on https:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (http && https) {
        clearTimeout(timer);
        resolve({ url: http[1], httpsPort: Number(https[1]) });
      }
    });
    child.on("exit", (code) => reject(new Error(`simulator exited ${code}: ${out}`)));
  });
  const control = async (method, route, body) => {
    const res = await fetch(`${urls.url}/__sim/${route}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} /__sim/${route}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    ...urls,
    apiKey,
    control,
    reset: () => control("POST", "reset", {}),
    requests: () => control("GET", "requests"),
    fault: (spec) => control("POST", "faults", spec),
    incoming: (body) => control("POST", "incoming", body),
    stop: () => child.kill(),
  };
}

/**
 * Chromium with the extension, mapping www.linkedin.com to the simulator's HTTPS port. Returns
 * {context, sw, extensionId, configure, close}. `configure()` points the background at the
 * simulator (through the background's own core, as the options page would).
 */
export async function launchChromium(sim, { extDir = EXT_DIR, extraExtensions = [], lang } = {}) {
  const userDataDir = mkdtempSync(path.join(TMP, "chromium-"));
  const exts = [extDir, ...extraExtensions].join(",");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: false, // --headless=new below: the old headless mode loads no extensions
    ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 900 },
    // `lang`: the browser's UI language (chrome.i18n follows it), e.g. "fr".
    ...(lang ? { locale: lang, env: { ...process.env, LANGUAGE: lang, LANG: `${lang}_FR.UTF-8` } } : {}),
    args: [
      ...(lang ? [`--lang=${lang}`] : []),
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--disable-extensions-except=${exts}`,
      `--load-extension=${exts}`,
      `--host-resolver-rules=MAP www.linkedin.com 127.0.0.1:${sim.httpsPort}`,
      "--ignore-certificate-errors",
    ],
  });
  const sw = await backgroundWorker(context);
  const extensionId = new URL(sw.url()).host;
  return {
    context,
    extensionId,
    get sw() {
      return currentWorker(context);
    },
    async configure(settings = {}) {
      const worker = await backgroundWorker(context);
      await worker.evaluate(async (s) => {
        const core = await globalThis.threadline.ready;
        await core.setSettings(s);
      }, { baseUrl: sim.url, apiKey: sim.apiKey, pollMs: 1000, timeoutMs: 4000, ...settings });
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

function currentWorker(context) {
  return context.serviceWorkers().find((w) => w.url().endsWith("/background/background.js"));
}

/** The extension's service worker, waiting for it to (re)start. */
export async function backgroundWorker(context) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const sw = currentWorker(context);
    if (sw) return sw;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error("the extension's service worker never started");
    await context.waitForEvent("serviceworker", { timeout: left }).catch(() => {});
  }
}

/** Stops the background service worker through the DevTools protocol (as Chrome's idle kill does). */
export async function killBackground(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.stopAllWorkers");
  await cdp.detach();
}

/** A page that is not a messaging page (`feed`, or `in/<slug>`) with a chat bubble placed `light`, `shadow` or `iframe`. */
export function bubbleUrl({ placement, threadId, account, path = "feed" }) {
  const q = new URLSearchParams();
  if (account) q.set("account", account);
  if (placement) q.set("bubble", placement);
  if (threadId) q.set("bubbleThread", threadId);
  return `https://www.linkedin.com/${path}/?${q}`;
}

/** A seeded one-to-one inbox conversation of Ada's other than the long thread (its thread id). */
export async function otherOneToOne(sim) {
  const res = await fetch(`${sim.url}/__li/data/conversations?account=${SEED.ada}`);
  const { conversations } = await res.json();
  return conversations.find((c) => c.threadId !== SEED.longThread && !c.names.includes(",")).threadId;
}

/** A conversation URN of a seeded thread (any form names it; the simulator takes them all). */
export const conversationUrn = (threadId) => `urn:li:messagingThread:${threadId}`;

/** The overlay's control by LinkedIn's composer: a light-DOM host (its inside is a closed root). */
export const COMPOSE = "[data-threadline-host=compose]";

/**
 * Its send form, inside the closed root, which names the conversation the control is bound to
 * (`data-threadline-conversation-id`: out of the page's reach, for `closedDriver` only).
 */
export const SEND_FORM = `${COMPOSE} [data-threadline-send-form]`;

/** Opens a LinkedIn thread page and waits for the overlay's control to show the synced, bound view. */
export async function openThread(context, threadId, account) {
  const page = await context.newPage();
  await page.goto(threadUrl(threadId, account));
  await page.locator(`${COMPOSE}[data-threadline-status=synced][data-threadline-bound=bound]`).waitFor({ timeout: WAIT });
  return page;
}

/** A message of LinkedIn's page (the element carrying its URN) by the message id inside the URN. */
export function pageMessage(page, id) {
  return page.locator(`[data-event-urn$=",${id})"]`);
}

/** The same, as a selector for `closedDriver` (tests/e2e/closed.mjs). */
export const messageSel = (id) => `[data-event-urn$=",${id})"]`;

export async function waitFor(fn, { timeout = WAIT, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
