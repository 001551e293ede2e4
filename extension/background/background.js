// The background: owns the one engine for all tabs (through core.js), the API key and every
// request. A module service
// worker in Chrome, `background.scripts` (module) in Firefox. Listeners are registered
// synchronously at the top level (MV3 wakes the worker for them); the wasm loads behind `ready`;
// no top-level await (it keeps a service worker from registering).
//
// Protocol: content scripts connect a runtime port named "threadline"; each request is
// `{id, type, ...fields}` and is answered `{replyTo: id, ok: true, result}` or
// `{replyTo: id, ok: false, error: {code, message}}`; the background pushes
// `{type: "event", event}` (see core.js). Extension pages use `runtime.sendMessage` with the same
// request shape and get the same answer shape.
import { init, ThreadlineClient, ThreadlineEngine, messageId, conversationId, messageIds, isSalesNavThread } from "../pkg/browser.js";
import { createCore, codedError } from "./core.js";
import { validate } from "./schema.js";
import { getApiKey, setApiKey } from "./keystore.js";

const ext = globalThis.browser ?? globalThis.chrome;
const LINKEDIN_HOST = "www.linkedin.com";
const timings = { wasmMs: null, startMs: null };
let core = null;

const ready = (async () => {
  const t0 = performance.now();
  await init(ext.runtime.getURL("pkg/glue/threadline_bg.wasm"));
  timings.wasmMs = performance.now() - t0;
  const t1 = performance.now();
  core = createCore({
    storage: ext.storage.local,
    keystore: { get: getApiKey, set: setApiKey },
    openEngine: (options) => ThreadlineEngine.open(options),
    makeClient: (options) => new ThreadlineClient(options),
    messageId,
    conversationId,
    isSalesNavThread,
    preset: loadPreset,
  });
  core.subscribe(broadcast);
  await core.start(); // opens the engine: reads and restores its store
  timings.startMs = performance.now() - t1;
  return core;
})();
ready.catch((e) => console.error("threadline: background failed to start", e));

// For the extension's own tests and figures (reachable only from inside the extension).
globalThis.threadline = { ready, timings, core: () => core };

/** Demo builds ship preset.json (simulator URL and key); store builds do not. */
async function loadPreset() {
  try {
    const res = await fetch(ext.runtime.getURL("preset.json"));
    if (!res.ok) return null;
    const p = await res.json();
    return { baseUrl: String(p.baseUrl ?? ""), apiKey: String(p.apiKey ?? ""), accountId: String(p.accountId ?? "") };
  } catch {
    return null;
  }
}

/** "tab" for our content script on LinkedIn, "page" for our own pages, null for anyone else. */
function senderKind(sender) {
  if (!sender || sender.id !== ext.runtime.id) return null;
  const url = String(sender.url ?? "");
  if (url.startsWith(ext.runtime.getURL(""))) return "page";
  let u = null;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  // Any port: the Firefox e2e reaches the LinkedIn-shaped page on the simulator's own port.
  const isLinkedin = (x) => x.protocol === "https:" && x.hostname === LINKEDIN_HOST;
  // Any frame of a LinkedIn tab: chat bubbles live in LinkedIn's same-origin frames too
  // (about:blank ones report their creator's origin).
  let linkedin = isLinkedin(u);
  if (!linkedin && u.protocol === "about:" && sender.origin) {
    try {
      linkedin = isLinkedin(new URL(sender.origin));
    } catch {
      linkedin = false;
    }
  }
  if (sender.tab && linkedin) return "tab";
  return null;
}

const ports = new Map(); // viewerKey → port
let nextViewer = 1;

function broadcast(event) {
  for (const port of ports.values()) {
    try {
      port.postMessage({ type: "event", event });
    } catch {
      // a port closing meanwhile: its onDisconnect cleans up
    }
  }
}

ext.runtime.onConnect.addListener((port) => {
  const kind = senderKind(port.sender);
  if (port.name !== "threadline" || kind !== "tab") {
    port.disconnect();
    return;
  }
  const viewerKey = `tab:${port.sender.tab.id}:${nextViewer++}`;
  ports.set(viewerKey, port);
  port.onMessage.addListener(async (msg) => {
    const answer = await handle(msg, kind, viewerKey);
    try {
      port.postMessage({ replyTo: msg?.id, ...answer });
    } catch {
      // the tab went away before the answer
    }
  });
  port.onDisconnect.addListener(() => {
    ports.delete(viewerKey);
    ready.then((c) => c.closeView(viewerKey));
  });
});

ext.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const kind = senderKind(sender);
  if (kind !== "page") {
    sendResponse({ ok: false, error: { code: "forbidden", message: "sender not allowed" } });
    return false;
  }
  handle(msg, kind, null).then(sendResponse);
  return true;
});

// Other extensions and web pages: always refused, and nothing they send is read.
ext.runtime.onMessageExternal?.addListener((_msg, _sender, sendResponse) => {
  sendResponse({ ok: false, error: { code: "forbidden", message: "Threadline accepts no outside messages" } });
  return false;
});
ext.runtime.onConnectExternal?.addListener((port) => port.disconnect());

async function handle(msg, kind, viewerKey) {
  const invalid = validate(msg, kind);
  if (invalid) return { ok: false, error: { code: "invalid_command", message: invalid } };
  try {
    const c = await ready;
    return { ok: true, result: await run(c, msg, viewerKey) };
  } catch (e) {
    return {
      ok: false,
      error: {
        code: String(e?.reason || e?.code || "internal"),
        message: String(e?.message ?? e),
        status: typeof e?.status === "number" ? e.status : undefined,
      },
    };
  }
}

async function run(c, msg, viewerKey) {
  // A tab's action applies to the conversation bound to its port (see core.bind), never to one
  // the tab names.
  if (viewerKey && ["send", "react", "recall", "loadOlder"].includes(msg.type)) msg = c.forViewer(viewerKey, msg);
  switch (msg.type) {
    case "bind":
      return c.bind(viewerKey, msg);
    case "view.close":
      return c.closeView(viewerKey);
    case "resolve": {
      const ids = messageIds(msg.urns);
      return Object.fromEntries(msg.urns.map((u, i) => [u, ids[i]]));
    }
    case "send":
      return c.send(msg);
    case "retry":
      return c.retry(msg.clientKey);
    case "discard":
      return c.discard(msg.clientKey);
    case "react":
      return c.react(msg);
    case "recall":
      return c.recall(msg);
    case "loadOlder":
      return c.loadOlder(msg.conversationUrn);
    case "upload":
      return c.upload({ name: msg.name, mediaType: msg.mediaType, bytes: fromBase64(msg.base64) });
    case "status":
      return c.status();
    case "ping":
      return "pong";
    case "options.open":
      await ext.runtime.openOptionsPage();
      return null;
    case "settings.get":
      return c.settings();
    case "settings.set":
      guardBaseUrl(c, msg);
      return c.setSettings(msg);
    case "settings.test":
      guardBaseUrl(c, msg);
      return c.testConnection(msg);
    case "accounts.list":
      return c.listAccounts();
    default:
      throw codedError("invalid_command", "unknown command");
  }
}

/** Loopback hosts, the only ones reached over plain http (a local simulator or proxy). */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The key goes only where the user sent it: a base URL must be https (or http on loopback),
 * and a base URL other than the saved one needs the key typed again, so the saved key never
 * reaches a URL just typed (or slipped in) on the options page.
 */
function guardBaseUrl(c, msg) {
  if (msg.baseUrl === undefined) return;
  let url;
  try {
    url = new URL(msg.baseUrl);
  } catch {
    throw codedError("invalid_base_url", "The base URL is not a URL.");
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  if (!secure) throw codedError("invalid_base_url", "The base URL must start with https:// (http:// only for 127.0.0.1, localhost or [::1]).");
  const same = (a, b) => String(a).trim().replace(/\/+$/, "") === String(b).trim().replace(/\/+$/, "");
  if (!msg.apiKey && !same(msg.baseUrl, c.settings().baseUrl)) {
    throw codedError("key_required", "Type the API key again for a new base URL: the saved key is only sent to the saved one.");
  }
}

function fromBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
