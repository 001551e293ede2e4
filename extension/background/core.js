// THE SEAM between the extension and the Rust engine. Every decision about conversations (the
// persisted outbox, echo matching, tombstones and what counts as recalled, the recall window and
// each message's eligibility, reactions, quota, Sales Navigator availability and its sends from an
// inbox thread, restart recovery) is made by `ThreadlineEngine` (src/sync/, bound in
// src/wasm/engine.rs), which persists its state in IndexedDB (one record per message, in the
// database the engine names for the store key `threadline` and deletes with
// `ThreadlineEngine.deleteStore`; a store of older builds in chrome.storage.local moves there on
// first open). The tabs are served by
// `threadline/host` (npm/host.js): their ports' commands, which conversation each shows (bind),
// and the views and status pushed to them. This file keeps only what neither owns: settings, the
// API key (in the keystore), opening the engine with them, the status shown while there is no key,
// and the connection test (through `ThreadlineClient`).
//
// Interface: start() · host (the tabs' host: connect/handle/disconnect; it picks each tab's
// account by its page's mailbox) · status() (sync, with `pollers`) · statusOf(account) · overview() (the toolbar popup) · settings() · setSettings(patch) · signOut() ·
// clearData({confirmUnsent}) · testConnection({baseUrl, apiKey}) ·
// listAccounts() · engine() · and, for the extension's own tests and figures, send(cmd),
// recall({conversationUrn, messageUrn}) and getView(conversationId) straight on the engine.
import { createHost } from "../pkg/host.js";
import { ThreadlineError } from "../pkg/errors.js";

export const DEFAULT_BASE_URL = "https://api.connectsafely.ai/linkedin";
/** The engine's store key: names its IndexedDB database (the engine's business), and older
 * builds' keys in chrome.storage.local (migrated on open) start with it. */
const STORE_PREFIX = "threadline";
/** Keys of stores this file kept before the engine carried everything: dropped on start. */
const LEGACY_KEYS = ["outbox", "tombstones", "quota", "overlay"];
const KEY_MISSING = { code: "key_missing", message: "Set your API key in Threadline's options first." };

/** The engine's sync states, under the names the extension's pages and the overlay use. */
const STATUS = {
  synced: "synced",
  syncing: "syncing",
  offline: "offline",
  serverTrouble: "server_trouble",
  rateLimited: "rate_limited",
  pausedUnauthorized: "key_rejected",
  pausedForbidden: "subscription_required",
};

/**
 * @param {object} deps
 * @param {{get(k?): Promise<object>, set(o): Promise<void>, remove(k): Promise<void>, clear(): Promise<void>}} deps.storage
 *   chrome.storage.local (settings; older builds kept the engine's store there too)
 * @param {(storageKey: string) => Promise<void>} deps.deleteStore  `ThreadlineEngine.deleteStore`:
 *   deletes the engine's store of that key
 * @param {(options: object) => Promise<any>} deps.openEngine  `ThreadlineEngine.open`
 * @param {(options: object) => any} deps.makeClient  builds a ThreadlineClient
 * @param {(urn: string) => string} deps.conversationId  canonical ids from the wasm core
 * @param {(urn: string) => (string|undefined)} [deps.mailboxOf]  the mailbox profile id of a
 *   message URN (the core's `mailboxOf`): a tab acts as the connected account of its page's mailbox
 * @param {(any: string) => string} [deps.profileId]  the canonical id of a profile in any form
 * @param {{get(): Promise<string>, set(key: string): Promise<void>}} deps.keystore  the API key's
 *   only home (never chrome.storage, which content scripts can read)
 * @param {Record<string, object>} [deps.commands]  the background's own port commands (host extras)
 * @param {() => Promise<object|null>} [deps.preset]  demo settings shipped with a demo build
 * @param {() => Promise<void>} [deps.changed]  called after the settings, the key or the store changed
 */
export function createCore(deps) {
  const { storage, keystore, makeClient } = deps;
  const changed = async () => {
    try {
      await deps.changed?.();
    } catch (e) {
      console.warn("threadline: after a change", e);
    }
  };
  /** baseUrl, accountId; pollMs, timeoutMs, echoSettleMs, quotaBytes only from tests (engine
   * tunables, set through `setSettings` inside the background: no page's command carries them). */
  let settings = { baseUrl: DEFAULT_BASE_URL, accountId: "" };
  let key = Promise.resolve(""); // read from the keystore once per change, asked per request
  let hasKey = false;
  let engine = null;

  const acct = () => settings.accountId || "";
  const host = createHost({
    engine: null,
    conversationId: deps.conversationId,
    // The account that acts in a tab is the connected account whose mailbox its page shows (the
    // host matches the mailbox of its message URNs); the options' account is the default for
    // viewers whose page does not tell (the badge, a thread with no message yet).
    mailboxOf: deps.mailboxOf,
    profileId: deps.profileId,
    accountOf: acct,
    idle: () => (hasKey ? null : KEY_MISSING),
    statusOf: (account) => statusNow(account),
    commands: deps.commands,
  });

  /**
   * The status the tabs and the toolbar show: the engine's (its state renamed, its times and
   * storage state passed on as they are), or what this file knows before there is one.
   */
  function statusNow(account = acct()) {
    if (!engine) return { state: "starting" };
    if (!hasKey) return { state: "key_missing" };
    const s = engine.status(account);
    return {
      state: STATUS[s.sync] ?? s.sync,
      ...defined({ since: s.serverTroubleSince, until: s.rateLimitedUntil }),
      // From the engine's storage state when this build has it (issue 13): absent otherwise.
      ...(s.storage ? { storage: s.storage } : {}),
      // The day's new conversations left and when that resets (the engine's count).
      quota: { left: s.quotaLeft, resetsAt: s.quotaResetsAt },
    };
  }

  function client(options = {}) {
    return makeClient({ baseUrl: settings.baseUrl || DEFAULT_BASE_URL, apiKey: () => key, ...defined({ accountId: settings.accountId, timeoutMs: settings.timeoutMs }), ...options });
  }

  async function openEngine() {
    const baseUrl = settings.baseUrl || DEFAULT_BASE_URL;
    const e = await deps.openEngine({
      baseUrl,
      apiKey: () => key,
      storage: "indexedDB",
      // A store written by an older build (snapshot + deltas in chrome.storage.local) moves into
      // IndexedDB on the first open; its keys are removed once the copy landed.
      migrateFrom: "chromeStorage",
      storageKey: STORE_PREFIX,
      // The hosted API publishes no WebSocket; the simulator (and a self-hosted proxy) may.
      realtime: baseUrl !== DEFAULT_BASE_URL,
      // Tests only: a storage quota made small on purpose (issue 13).
      ...defined({ timeoutMs: settings.timeoutMs, quotaBytes: settings.quotaBytes }),
      config: defined({ pollIntervalMs: settings.pollMs, echoSettleMs: settings.echoSettleMs }),
    });
    for (const issue of e.restoreIssues()) console.warn("threadline: stored state:", issue);
    return e;
  }

  /** Close the engine (its queued writes finish first), run `between`, open another on the store. */
  async function reopenEngine(between = async () => {}) {
    const old = engine;
    engine = null;
    await host.setEngine(null);
    if (old) {
      await old.closeView({ view: "threadline:drain" }).catch(() => {});
      old.close();
    }
    await between();
    engine = await openEngine();
    await host.setEngine(engine); // every tab's view opens on it
  }

  async function forgetKey() {
    await keystore.set("");
    key = keystore.get();
    hasKey = false;
    host.setClient(null);
  }

  function requireKey() {
    if (!engine || !hasKey) throw codedError(KEY_MISSING.code, KEY_MISSING.message);
    return engine;
  }

  const core = {
    host,

    async start() {
      const stored = await storage.get(["settings", ...LEGACY_KEYS]);
      if (LEGACY_KEYS.some((k) => stored[k] !== undefined)) await dropLegacy(storage);
      if (stored.settings) {
        // The key lives in the keystore only; a key left in storage by an older build moves there.
        const { apiKey: legacyKey, ...rest } = stored.settings;
        if (legacyKey) await keystore.set(legacyKey);
        if (legacyKey !== undefined) await storage.set({ settings: rest });
        settings = { ...settings, ...rest };
      } else if (deps.preset) {
        const preset = await deps.preset();
        if (preset) {
          const { apiKey, ...rest } = preset;
          await keystore.set(apiKey);
          settings = { ...settings, ...rest };
          await storage.set({ settings: rest });
        }
      }
      key = keystore.get();
      hasKey = !!(await key);
      engine = await openEngine();
      host.setClient(hasKey ? client() : null);
      await host.setEngine(engine);
      return {};
    },

    /** `pollers`: conversations in view, each polled once by the engine however many tabs show it. */
    status: () => ({ ...statusNow(), pollers: host.pollers() }),

    /** The status of one account (a tab's own, which may not be the options' default). */
    statusOf: (account) => statusNow(account),

    engine: () => engine,

    settings: () => ({ baseUrl: settings.baseUrl || DEFAULT_BASE_URL, accountId: settings.accountId || "", hasKey }),

    async setSettings(patch) {
      const before = { ...settings };
      for (const k of ["baseUrl", "accountId", "pollMs", "timeoutMs", "echoSettleMs", "quotaBytes"]) {
        if (patch[k] !== undefined) settings[k] = patch[k];
      }
      await storage.set({ settings });
      const keyChanged = patch.apiKey !== undefined;
      if (keyChanged) {
        await keystore.set(patch.apiKey);
        key = keystore.get();
        hasKey = !!(await key);
      }
      host.setClient(hasKey ? client() : null);
      // Base URL and tunables are fixed when an engine opens: close it and open another.
      if (["baseUrl", "pollMs", "timeoutMs", "echoSettleMs", "quotaBytes"].some((k) => settings[k] !== before[k])) {
        await reopenEngine();
      } else {
        if (keyChanged && hasKey) await engine.keyUpdated();
        await host.reopen(); // the account or key changed: views open (again) and are pushed
      }
      await changed();
      return core.settings();
    },

    /**
     * What the toolbar shows, all read from the engine: the connection state, the acting account,
     * the unread count (the engine's `unreadTotal`: the whole list, also the conversations the
     * engine has not read into its list yet), the day's quota and the outbox.
     */
    overview() {
      const s = core.settings();
      const status = statusNow();
      const engineStatus = engine && hasKey ? engine.status(acct()) : null;
      return {
        ...s,
        state: status.state,
        since: status.since ?? null,
        storage: status.storage ?? null,
        unread: engine ? engine.unreadTotal(acct()) : 0,
        quota: engineStatus ? { left: engineStatus.quotaLeft, resetsAt: engineStatus.quotaResetsAt } : null,
        rateLimitedUntil: engineStatus?.rateLimitedUntil ?? null,
        outboxPending: engineStatus?.outboxPending ?? 0,
        outboxFailed: engineStatus?.outboxFailed ?? 0,
      };
    },

    /** Sign out: the saved key is deleted; the engine reopens with nothing in view (no requests). */
    async signOut() {
      await forgetKey();
      await reopenEngine();
      await changed();
      return core.settings();
    },

    /**
     * Clear Threadline's data: the engine's store (conversations, outbox, tombstones), the
     * settings and the key. While the outbox holds messages not yet confirmed, nothing is cleared
     * unless `confirmUnsent` is true: the answer is `{cleared: false, unsent}` for the page to warn.
     */
    async clearData({ confirmUnsent } = {}) {
      const s = engine?.status(acct());
      const unsent = s ? s.outboxPending + s.outboxFailed : 0; // failed ones were never sent either
      if (unsent > 0 && confirmUnsent !== true) return { cleared: false, unsent };
      await forgetKey();
      await reopenEngine(async () => {
        // The engine's store (closed above, so nothing blocks the deletion), then
        // chrome.storage.local: the settings and what an older build's store left there.
        await deps.deleteStore(STORE_PREFIX);
        await storage.clear();
        settings = { baseUrl: DEFAULT_BASE_URL, accountId: "" };
      });
      await changed();
      return { cleared: true, unsent };
    },

    async testConnection({ baseUrl, apiKey }) {
      const c = client({ baseUrl: baseUrl || settings.baseUrl || DEFAULT_BASE_URL, apiKey: apiKey || (() => key), timeoutMs: 10000 });
      return { accounts: (await c.listAccounts()).map(accountSummary) };
    },

    async listAccounts() {
      requireKey();
      return (await client().listAccounts()).map(accountSummary);
    },

    // ---- straight on the engine, for the extension's own tests and figures ------------------
    async send(cmd) {
      return { clientKey: await requireKey().send({ accountId: acct(), ...cmd }) };
    },
    recall({ conversationUrn, messageUrn }) {
      return requireKey().recall({ accountId: acct(), conversationUrn, messageUrn });
    },
    getView(conversation) {
      return engine?.conversationView(acct(), engine.conversationUrnOf(acct(), conversation)) ?? null;
    },

    stop() {
      host.close();
      engine?.close();
    },
  };
  return core;
}

/** Stores of older builds (a JS stand-in, the overlay's display memory) are not read: dropped. */
async function dropLegacy(storage) {
  const all = await storage.get(null);
  const keys = Object.keys(all).filter((k) => LEGACY_KEYS.includes(k) || k.startsWith("conv:"));
  await storage.remove(keys);
  console.warn(`threadline: dropped ${keys.length} records of older builds`);
}

/** The object without its empty fields: the binding reads `undefined` as a present value. */
function defined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== "" && v !== 0));
}

function accountSummary(a) {
  return {
    id: a.id,
    name: [a.firstName, a.lastName].filter(Boolean).join(" ") || a.publicId || a.id,
    status: a.status,
    enabled: a.enabled,
  };
}

/** An error with a stable code, as the overlay and options page show it: the package's own class. */
export function codedError(code, message) {
  return new ThreadlineError(code, message);
}
