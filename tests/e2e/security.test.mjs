// The security model: the key never reaches the page; foreign extensions and pages are refused;
// a background killed mid-send resumes from storage and sends exactly once (never blindly twice).
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { startSim, launchChromium, openThread, killBackground, conversationUrn, SEED, TMP, WAIT, waitFor } from "./harness.mjs";
import { closedDriver, sendThroughComposer } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());

test("api_key_never_appears_in_the_page", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    const text = `checking for leaks ${Date.now()}`;
    await sendThroughComposer(page, d, { text });
    await page.locator("[data-event-urn]", { hasText: text }).locator("[data-threadline-host]").waitFor({ state: "attached", timeout: WAIT });
    // Everything the page's own scripts can reach: DOM (shadow roots included), storage, cookies,
    // window properties.
    const found = await page.evaluate((key) => {
      const hits = [];
      const walk = (root) => {
        for (const node of root.querySelectorAll("*")) {
          for (const attr of node.attributes) if (attr.value.includes(key)) hits.push(`attr ${attr.name}`);
          if (node.shadowRoot) {
            if (node.shadowRoot.textContent.includes(key)) hits.push("shadow text");
            walk(node.shadowRoot);
          }
        }
      };
      if (document.documentElement.outerHTML.includes(key)) hits.push("html");
      walk(document);
      for (const store of [localStorage, sessionStorage]) {
        for (let i = 0; i < store.length; i++) {
          const k = store.key(i);
          if (k.includes(key) || String(store.getItem(k)).includes(key)) hits.push("web storage");
        }
      }
      if (document.cookie.includes(key)) hits.push("cookie");
      for (const name of Object.getOwnPropertyNames(window)) {
        let value;
        try {
          value = window[name];
        } catch {
          continue;
        }
        if (typeof value === "string" && value.includes(key)) hits.push(`window.${name}`);
        if (value && typeof value === "object" && !(value instanceof Node) && value !== window) {
          try {
            if (JSON.stringify(value)?.includes(key)) hits.push(`window.${name}`);
          } catch {
            // cyclic or host objects: not page data
          }
        }
      }
      return hits;
    }, sim.apiKey);
    assert.deepEqual(found, []);
    // Content scripts can read the extension's storage areas; the key must not be in any of them.
    const inStorage = await b.sw.evaluate(async (key) => {
      const ext = globalThis.browser ?? globalThis.chrome;
      const hits = [];
      for (const area of ["local", "sync", "session"]) {
        const all = (await ext.storage[area]?.get(null)) ?? {};
        if (JSON.stringify(all).includes(key)) hits.push(`storage.${area}`);
      }
      return hits;
    }, sim.apiKey);
    assert.deepEqual(inStorage, []);
  } finally {
    await b.close();
  }
});

test("a_content_script_cannot_read_the_extensions_storage", async () => {
  const b = await launchChromium(sim);
  try {
    // Settings saved: chrome.storage.local holds the base URL and the account.
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    // The content scripts' own world (an isolated world of the extension, beside the page's),
    // reached through the DevTools protocol: what any content script in any LinkedIn frame could run.
    const cdp = await b.context.newCDPSession(page);
    const contexts = [];
    cdp.on("Runtime.executionContextCreated", ({ context }) => contexts.push(context));
    await cdp.send("Runtime.enable"); // reports the contexts that exist already
    const runtimeId = async (c) => (await cdp.send("Runtime.evaluate", { contextId: c.id, expression: "globalThis.chrome?.runtime?.id ?? null", returnByValue: true }).catch(() => null))?.result?.value;
    const world = await waitFor(async () => {
      for (const c of contexts.filter((x) => x.auxData?.type === "isolated")) if ((await runtimeId(c)) === b.extensionId) return c;
      return null;
    }, { what: "the content scripts' world" });
    const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
      contextId: world.id,
      awaitPromise: true,
      returnByValue: true,
      expression: `(async () => {
        try {
          return "read " + JSON.stringify(await chrome.storage.local.get(null));
        } catch (e) {
          return "refused: " + e.message;
        }
      })()`,
    });
    assert.equal(exceptionDetails, undefined);
    assert.match(result.value, /^refused: /, `a content script read the storage: ${result.value}`);
    assert.ok(!result.value.includes(sim.url));
    // The background itself still reads it (the settings survive).
    const settings = await b.sw.evaluate(async () => (await (globalThis.browser ?? globalThis.chrome).storage.local.get("settings")).settings);
    assert.equal(settings.baseUrl, sim.url);
    await cdp.detach();
  } finally {
    await b.close();
  }
});

test("what_the_overlay_shows_is_not_left_in_the_pages_dom", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const d = await closedDriver(page);
    const subject = `Private subject ${Date.now()}`;
    await sendThroughComposer(page, d, { text: `With a subject ${Date.now()}`, subject });
    // The user sees the subject above the sent message (inside a closed root)…
    await d.find("[data-event-urn] [data-threadline-subject]", { hasText: subject });
    await d.find("[data-event-urn] [data-threadline-sent-via]");
    // …and the page's scripts find nothing of it, nor of the message's view or its conversation,
    // on Threadline's hosts (light DOM and open shadow roots: all a page script can walk).
    const leaks = await page.evaluate(({ subject, thread }) => {
      const hits = [];
      const walk = (root) => {
        for (const node of root.querySelectorAll("*")) {
          if (node.hasAttribute("data-threadline-host")) {
            for (const { name, value } of node.attributes) {
              if (["data-sig", "data-subject", "data-threadline-conversation-id"].includes(name) || value.includes(subject) || value.includes(thread) || value.includes("{") || value.includes("[")) {
                hits.push(`${node.getAttribute("data-threadline-host")} ${name}=${value.slice(0, 80)}`);
              }
            }
          }
          if (node.shadowRoot) walk(node.shadowRoot);
        }
      };
      walk(document);
      return hits;
    }, { subject, thread: SEED.longThread });
    assert.deepEqual(leaks, []);
  } finally {
    await b.close();
  }
});

test("foreign_extension_and_page_messages_are_refused", async () => {
  // A second extension that tries to command Threadline's background.
  const foreign = mkdtempSync(path.join(TMP, "foreign-ext-"));
  writeFileSync(
    path.join(foreign, "manifest.json"),
    JSON.stringify({ manifest_version: 3, name: "foreign", version: "1", background: { service_worker: "bg.js" } }),
  );
  writeFileSync(path.join(foreign, "bg.js"), "self.ready = true;");
  const b = await launchChromium(sim, { extraExtensions: [foreign] });
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await openThread(b.context, SEED.longThread);
    const threadUrn = conversationUrn(SEED.longThread);
    const command = { id: 1, type: "send", clientKey: "foreign-1", conversationUrn: threadUrn, text: "from a stranger", channel: "auto" };
    const foreignWorker = await waitFor(() => b.context.serviceWorkers().find((w) => !w.url().includes(b.extensionId)), { what: "foreign worker" });
    const answers = await foreignWorker.evaluate(
      async ({ id, command }) => {
        const out = {};
        try {
          out.message = await chrome.runtime.sendMessage(id, command);
        } catch (e) {
          out.message = { error: String(e.message) };
        }
        out.port = await new Promise((resolve) => {
          const port = chrome.runtime.connect(id, { name: "threadline" });
          port.onDisconnect.addListener(() => resolve("disconnected"));
          port.onMessage.addListener((m) => resolve({ answered: m }));
          port.postMessage(command);
          setTimeout(() => resolve("no answer"), 3000);
        });
        return out;
      },
      { id: b.extensionId, command },
    );
    assert.equal(answers.message?.ok, false);
    assert.equal(answers.message?.error?.code, "forbidden");
    assert.equal(answers.port, "disconnected");
    // The page itself: no runtime to reach, and window messages are not listened to.
    const pageTry = await page.evaluate((command) => {
      window.postMessage(command, "*");
      return typeof globalThis.chrome?.runtime?.sendMessage;
    }, command);
    assert.equal(pageTry, "undefined");
    // Our own options page: a tab-only command and a malformed one are refused by the schema.
    const options = await b.context.newPage();
    await options.goto(`chrome-extension://${b.extensionId}/options/options.html`);
    const own = await options.evaluate(async (urn) => [
      await chrome.runtime.sendMessage({ type: "bind", path: "/messaging/thread/x/" }),
      await chrome.runtime.sendMessage({ type: "send", clientKey: "x", conversationUrn: "https://evil.example/", text: "x", channel: "auto" }),
      await chrome.runtime.sendMessage({ type: "send", clientKey: "y", conversationUrn: urn, text: "x", channel: "auto", url: "https://evil.example/" }),
      // A first message names a profile URN or a slug, nothing else; a page binds to no conversation.
      await chrome.runtime.sendMessage({ type: "send", clientKey: "z", recipientProfileUrn: "https://evil.example/", text: "x", channel: "auto" }),
      await chrome.runtime.sendMessage({ type: "send", clientKey: "w", recipientProfileId: "../../accounts", text: "x", channel: "auto" }),
      await chrome.runtime.sendMessage({ type: "bind", notices: true, path: "/messaging/thread/x/" }),
    ], threadUrn);
    assert.deepEqual(own.map((a) => a.error?.code), Array(6).fill("invalid_command"));
    await page.waitForTimeout(1500); // give a wrongly accepted send the time to reach the API
    assert.equal((await sim.requests()).send.total, 0);
  } finally {
    await b.close();
    rmSync(foreign, { recursive: true, force: true });
  }
});

test("background_killed_mid_send_sends_exactly_once", async (t) => {
  const b = await launchChromium(sim);
  try {
    // The engine proves a send absent only by a page asked for `echoSettleMs` after it lost the
    // answer; here a short one, still longer than the simulator's 3 s latency below.
    await b.configure({ accountId: SEED.ada, timeoutMs: 4000, echoSettleMs: 6000 });
    const page = await openThread(b.context, SEED.longThread);
    // The send hangs long enough to kill the background with the request in flight.
    await sim.fault({ op: "send", latencyMs: 3000 });
    const text = `Survives a kill ${Date.now()}`;
    const d = await closedDriver(page);
    await sendThroughComposer(page, d, { text });
    await d.find("[data-threadline-host=strip] [data-threadline-outbox][data-threadline-state=sending]");
    await b.sw.evaluate(() => {
      self.__beforeKill = true;
    });
    await killBackground(b.context, page);
    // The restarted engine never resends blindly: it polls for the echo. Either the request had
    // reached the simulator (the echo is found: sent), or it died with the worker (a later page
    // proves it absent: failed, with a retry that is now safe).
    const sent = page.locator("[data-event-urn]", { hasText: text });
    const retry = "[data-threadline-host=strip] [data-threadline-outbox][data-threadline-state=failed] [data-threadline-action=retry]";
    await waitFor(async () => (await sent.count()) > 0 || (await d.count(retry)) > 0, { what: "sent or a safe retry", timeout: 40000 });
    if ((await sent.count()) === 0) {
      t.diagnostic("the request died with the worker: proved absent, retried by the user");
      assert.equal((await sim.requests()).send.applied, 0, "a retry is offered only when nothing arrived");
      await d.click(retry);
      await sent.waitFor({ timeout: WAIT });
    } else {
      t.diagnostic("the request had arrived: its echo settled the entry");
    }
    await d.waitFor("[data-threadline-host=strip] [data-threadline-outbox]", { state: "detached" });
    const ledger = await sim.requests();
    assert.equal(ledger.send.applied, 1, JSON.stringify(ledger.send));
    assert.equal(await b.sw.evaluate(() => self.__beforeKill), undefined, "the background really restarted");
    // Shown once, and still once after another poll.
    await page.waitForTimeout(1500);
    assert.equal(await page.locator("[data-event-urn]", { hasText: text }).count(), 1);
  } finally {
    await b.close();
  }
});
