// The background: owns the one engine for all tabs (through core.js), the API key and every
// request. A module service worker in Chrome, `background.scripts` (module) in Firefox. Listeners
// are registered synchronously at the top level (MV3 wakes the worker for them); the wasm loads
// behind `ready`; no top-level await (it keeps a service worker from registering).
//
// Protocol: the protocol of `threadline/host` (npm/host.js). Each content-script port named
// "threadline" is one viewer; each request is `{id, type, ...fields}` (checked by schema.js first)
// and is answered `{replyTo: id, ok: true, result}` or `{replyTo: id, ok: false, error: {name,
// code, message, …}}`; the host pushes `{type: "view" | "status", …}` to the port whose
// conversation changed. Extension pages use `runtime.sendMessage` with the same request shape and
// get the same answer shape (as one viewer, "page", that never binds).
import { init, ThreadlineClient, ThreadlineEngine, conversationId, messageIds, mailboxOf, profileId } from "../pkg/browser.js";
import { createCore, codedError } from "./core.js";
import { validate } from "./schema.js";
import { getApiKey, setApiKey } from "./keystore.js";

const ext = globalThis.browser ?? globalThis.chrome;
const LINKEDIN_HOST = "www.linkedin.com";
// scriptMs: the worker's own start until this module's body ran (its time origin is the worker's
// start): loading and evaluating the background's script; then the module, then the start.
const timings = { scriptMs: null, wasmMs: null, startMs: null };
let core = null;

/** The background's own commands, answered through the host like the engine's. */
const own = {
  ping: { run: () => "pong", resend: true },
  resolve: {
    resend: true,
    run: ({ urns }) => {
      const ids = messageIds(urns);
      return Object.fromEntries(urns.map((u, i) => [u, ids[i]]));
    },
  },
  "options.open": {
    resend: true,
    // Without a key the overlay's button leads to the setup (onboarding), else to the options.
    run: async () => {
      if (core.settings().hasKey) await ext.runtime.openOptionsPage();
      else await openOnboarding();
      return null;
    },
  },
  "settings.get": { resend: true, run: () => core.settings() },
  "settings.set": {
    resend: true,
    run: (f) => {
      guardBaseUrl(core, f);
      return core.setSettings(f);
    },
  },
  "settings.test": {
    resend: true,
    run: (f) => {
      guardBaseUrl(core, f);
      return core.testConnection(f);
    },
  },
  "accounts.list": { resend: true, run: () => core.listAccounts() },
  // The status of the account this viewer acts as (the host chose it by the page's mailbox), as
  // the host's own `status` would answer, with the pollers; for a tab whose member is no connected
  // account, the state the overlay shows for it, never the default account's status.
  status: { resend: true, run: (_f, ctx) => viewerStatus(ctx) },
  // The new-conversation composer (profile page, popup): its first messages as the engine shows them.
  "outbox.unplaced": { resend: true, run: (_f, ctx) => (ctx.engine && core.settings().hasKey ? ctx.engine.unplacedOutbox(ctx.account) : []) },
  // The toolbar popup and the options page's "keys and data" (extension pages only: schema.js).
  "popup.state": { resend: true, run: ({ tabId }) => ({ ...core.overview(), tab: tabAccounts(tabId) }) },
  "key.remove": { resend: true, run: () => core.signOut() },
  "data.clear": { resend: true, run: ({ confirmUnsent }) => core.clearData({ confirmUnsent }) },
};

// chrome.storage.local holds the settings (baseUrl, accountId) and maybe an older build's store
// (never the key): by default Chrome lets content scripts read it, and a content script runs in
// every LinkedIn frame. None of ours uses storage, so only the extension's own pages and this
// worker may. Firefox has no such call for this area (its content scripts keep access); a refusal
// must not stop the start, so it is neither awaited nor allowed to throw.
try {
  Promise.resolve(ext.storage.local.setAccessLevel?.({ accessLevel: "TRUSTED_CONTEXTS" })).catch((e) => console.warn("threadline: storage access level", e));
} catch (e) {
  console.warn("threadline: storage access level", e);
}

const ready = (async () => {
  const t0 = performance.now();
  timings.scriptMs = t0;
  // The module's fetch and compile run while core.start reads the settings (chrome.storage) and
  // the key (the keystore's IndexedDB): only opening the engine waits for the module. Nothing
  // before it calls into the wasm (the host and the client come after the engine).
  const wasm = init(ext.runtime.getURL("pkg/glue/threadline_bg.wasm")).then(() => {
    timings.wasmMs = performance.now() - t0;
  });
  wasm.catch(() => {}); // a failure rejects `ready` through the engine's open
  core = createCore({
    storage: ext.storage.local,
    keystore: { get: getApiKey, set: setApiKey },
    openEngine: async (options) => {
      await wasm;
      return ThreadlineEngine.open(options);
    },
    deleteStore: (storageKey) => ThreadlineEngine.deleteStore(storageKey),
    makeClient: (options) => new ThreadlineClient(options),
    conversationId,
    mailboxOf,
    profileId,
    preset: loadPreset,
    commands: own,
    changed: () => watchBadge(core), // another account, key or store: the badge follows its list
  });
  core.host.connect("page", () => {}); // extension pages: answers only, nothing pushed
  await core.start(); // opens the engine: reads and restores its store
  // What the start added after the module was ready (its reads before that overlapped it):
  // wasmMs + startMs is the whole time to an open engine.
  timings.startMs = performance.now() - t0 - timings.wasmMs;
  // The badge binds the list on its own: requests do not wait for its first paint (3-7 ms of
  // every cold wake, the list's bind; ARCHITECTURE.md, issue 13), which comes a moment later.
  watchBadge(core).catch((e) => console.error("threadline: badge", e));
  return core;
})();
ready.catch((e) => console.error("threadline: background failed to start", e));

// First run: the onboarding page (paste the key, test it, pick the account). Only on a fresh
// install, never on an update or a browser update; not when a demo build came with its key.
ext.runtime.onInstalled.addListener(({ reason }) => {
  if (reason !== "install") return;
  ready.then((c) => (c.settings().hasKey ? null : openOnboarding())).catch((e) => console.error("threadline: onboarding", e));
});

function openOnboarding() {
  return ext.tabs.create({ url: ext.runtime.getURL("onboarding/onboarding.html") });
}

// The toolbar icon's badge: the unread count of the default account, the engine's count of its whole
// conversation list (`unreadTotal`, not a sum over the newest page the engine holds), which the host
// pushes to this one viewer ("badge") with the list whenever it changes; a red "!" while
// there is no working key, an amber "!" while the engine reports server trouble or a rate-limit
// wait (its status, pushed to this viewer too), the count again once it recovers.
const BADGE = "badge";
const badge = { connected: false, unread: 0, state: "starting" };

async function watchBadge(c) {
  if (!badge.connected) {
    c.host.connect(BADGE, (push) => {
      if (push.type === "list") badge.unread = push.unreadTotal ?? 0;
      else if (push.type === "status") badge.state = push.status?.state;
      else return;
      paintBadge();
    });
    badge.connected = true;
  }
  // (Again after each change of account, key or store: the list is the acting account's.)
  const answer = await c.host.handle(BADGE, { type: "bind", list: true });
  if (answer.ok) {
    badge.unread = answer.result.unreadTotal ?? 0;
    badge.state = answer.result.status?.state;
  }
  paintBadge();
}

const NEEDS_SETUP = new Set(["key_missing", "key_rejected", "subscription_required"]);
/** The engine's states of server trouble (5xx, unreadable answers) and of a 429 wait: not "all is well". */
const TROUBLE = new Set(["server_trouble", "rate_limited"]);
/** Badge colours: red for what the user must fix, amber for server trouble, blue for unread. */
const BADGE_COLOR = { setup: "#b24020", trouble: "#c37d16", unread: "#0a66c2" };

function paintBadge() {
  const action = ext.action;
  if (!action) return;
  const n = badge.unread;
  const setup = NEEDS_SETUP.has(badge.state);
  const trouble = TROUBLE.has(badge.state);
  const text = setup || trouble ? "!" : n > 99 ? "99+" : n > 0 ? String(n) : "";
  const title = setup
    ? ext.i18n.getMessage("badgeTitleSetup")
    : trouble
      ? ext.i18n.getMessage("badgeTitleTrouble")
      : n > 0
        ? ext.i18n.getMessage("badgeTitleUnread", [String(n)])
        : ext.i18n.getMessage("extName");
  const quiet = (p) => Promise.resolve(p).catch(() => {});
  quiet(action.setBadgeBackgroundColor({ color: setup ? BADGE_COLOR.setup : trouble ? BADGE_COLOR.trouble : BADGE_COLOR.unread }));
  quiet(action.setBadgeText({ text }));
  quiet(action.setTitle({ title }));
}

/**
 * What the `status` command answers a viewer: its own account's status, `{state:
 * "account_unmatched"}` when no connected account has its page's mailbox, null while that cannot
 * be told yet (as the host's own command answers a viewer acting as no one).
 */
function viewerStatus(ctx) {
  if (ctx.account === null || ctx.account === undefined) {
    const match = core.host.viewers().find((v) => v.viewer === ctx.viewer)?.accountMatch;
    return match === "none" ? { state: "account_unmatched", pollers: core.host.pollers() } : null;
  }
  return { ...core.statusOf(ctx.account), pollers: core.host.pollers() };
}

/**
 * The accounts the ports of one tab act as (the host chose each by its page's mailbox), for the
 * popup: `{accounts: [id…], unmatched: bool}`, or null when the tab shows no Threadline port.
 */
function tabAccounts(tabId) {
  if (typeof tabId !== "number" || !core) return null;
  const mine = core.host.viewers().filter((v) => v.viewer.startsWith(`tab:${tabId}:`));
  if (!mine.length) return null;
  return {
    accounts: [...new Set(mine.filter((v) => v.account !== null).map((v) => v.account))],
    unmatched: mine.some((v) => v.accountMatch === "none"),
  };
}

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

let nextViewer = 1;

ext.runtime.onConnect.addListener((port) => {
  const kind = senderKind(port.sender);
  if (port.name !== "threadline" || (kind !== "tab" && kind !== "page")) {
    port.disconnect();
    return;
  }
  // One viewer per port: a tab's full page, one of its chat bubbles, a profile page's composer,
  // or the popup's composer (our own page).
  const viewer = kind === "tab" ? `tab:${port.sender.tab.id}:${nextViewer++}` : `page:${nextViewer++}`;
  const connected = ready.then((c) => {
    c.host.connect(viewer, (push) => {
      try {
        port.postMessage(push);
      } catch {
        // a port closing meanwhile: its onDisconnect cleans up
      }
    });
    return c;
  });
  port.onMessage.addListener(async (msg) => {
    const answer = await handle(msg, kind, viewer, connected);
    try {
      port.postMessage(answer);
    } catch {
      // the tab went away before the answer
    }
  });
  port.onDisconnect.addListener(() => connected.then((c) => c.host.disconnect(viewer)));
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

/** A command → its answer: checked against the schema, then run by the host for this viewer. */
async function handle(msg, kind, viewer, connected = ready) {
  const invalid = validate(msg, kind);
  if (invalid) return { replyTo: msg?.id, ok: false, error: { name: "ThreadlineError", code: "invalid_command", message: invalid } };
  const c = await connected;
  // Ports carry JSON in Chrome: an upload's bytes come as base64.
  if (msg.type === "upload") {
    const { base64, ...rest } = msg;
    msg = { ...rest, bytes: fromBase64(base64) };
  }
  return c.host.handle(viewer ?? "page", msg);
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
