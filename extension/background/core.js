// THE SEAM between the extension and the Rust engine. Every decision about conversations (the
// persisted outbox, echo matching, tombstones, one poller per conversation in view, quota, the
// recall window, reaction tallies, restart recovery) is made by `ThreadlineEngine` (src/sync/,
// bound in src/wasm/engine.rs), which also persists its state in chrome.storage.local. This file
// only maps the overlay's commands to engine calls and the engine's views and notices to the
// overlay's view shape, and keeps what the engine does not own: settings, the account's premium
// status, uploads, the connection test (through `ThreadlineClient`).
//
// Interface (all methods async unless noted; events arrive through `subscribe`):
//   start()                                  load settings, open the engine (restores its store)
//   bind(viewerKey, {path} | {messageUrns})  which conversation a tab's port shows → {conversationId, view, status}
//   forViewer(viewerKey, cmd) (sync)         a tab's command bound to its port's conversation
//   openView(viewerKey, conversationUrn)     a tab shows a conversation → its view (engine polls it)
//   closeView(viewerKey)                     the tab left (the engine stops polling what nobody shows)
//   getView(conversationId) (sync)           the current view (shape: see `view()` below)
//   send({clientKey, conversationUrn, text, subject, channel, attachments})  idempotent on clientKey
//   retry(clientKey) · discard(clientKey)    a failed send: send again (when safe) or drop it
//   react({conversationUrn, messageUrn, emoji, react}) · recall({conversationUrn, messageUrn})
//                                            resolve once the API confirmed, reject with the reason
//   loadOlder(conversationUrn) · upload({name, mediaType, bytes})
//   status() (sync) · subscribe(fn) (sync, returns unsubscribe) · engine() (sync, for tests/figures)
//   settings() · setSettings(patch) · testConnection({baseUrl, apiKey}) · listAccounts()
// Events: {type: "view", conversationId, view} and {type: "status", status}.

export const DEFAULT_BASE_URL = "https://api.connectsafely.ai/linkedin";
/**
 * The recall window. The engine enforces it (it gets this value as `recallWindowMs`); the view's
 * `recallable` / `recallBlockedReason` are derived from the same constant here, because the
 * engine's view does not say whether a message may still be recalled.
 */
const RECALL_WINDOW_MS = 60 * 60 * 1000;
/** Prefix of the engine's keys in chrome.storage.local. */
const STORE_PREFIX = "threadline";
/**
 * Display-only memory the engine's views do not carry: ids it tombstoned for our recalls (the
 * overlay marks LinkedIn's own items of them as recalled) and Sales Navigator sends made from an
 * inbox thread (shown there, though they live in the person's Sales Navigator thread).
 */
const UI_KEY = "overlay";
const UI_LIMIT = 500;
/** Keys of the JavaScript stand-in this file replaced (never released): dropped on start. */
const LEGACY_KEYS = ["outbox", "tombstones", "quota"];

const STATUS = {
  synced: ["synced", ""],
  syncing: ["syncing", ""],
  offline: ["offline", "Cannot reach the API."],
  pausedUnauthorized: ["key_rejected", "The API rejected the key: check it in Threadline's options."],
  pausedForbidden: ["subscription_required", "The API refused the subscription (trial expired or none active)."],
};

/**
 * @param {object} deps
 * @param {{get(k?): Promise<object>, set(o): Promise<void>, remove(k): Promise<void>}} deps.storage
 *   chrome.storage.local (settings and display memory; the engine writes its own keys there)
 * @param {(options: object) => Promise<any>} deps.openEngine  `ThreadlineEngine.open`
 * @param {(options: object) => any} deps.makeClient  builds a ThreadlineClient
 * @param {(urn: string) => string} deps.messageId  canonical ids from the wasm core
 * @param {(urn: string) => string} deps.conversationId
 * @param {(urn: string) => boolean} deps.isSalesNavThread
 * @param {{get(): Promise<string>, set(key: string): Promise<void>}} deps.keystore  the API key's
 *   only home (never chrome.storage, which content scripts can read)
 * @param {() => Promise<object|null>} [deps.preset]  demo settings shipped with a demo build
 */
export function createCore(deps) {
  const { storage, keystore, makeClient, messageId, conversationId, isSalesNavThread } = deps;
  const listeners = new Set();
  /** baseUrl, accountId; pollMs, timeoutMs, echoSettleMs only from tests (engine tunables). */
  let settings = { baseUrl: DEFAULT_BASE_URL, accountId: "" };
  let key = Promise.resolve(""); // read from the keystore once per change, asked per request
  let hasKey = false;
  let engine = null;
  let client = null;
  let account = { id: "", hasSalesNavigator: false, known: false };
  let ui = { recalled: {}, elsewhere: {} };
  let lastStatus = "";
  const viewers = new Map(); // viewerKey → {cid, urn}
  const urns = new Map(); // conversationId → a URN of it
  const errors = new Map(); // messageId → {action, code, message}: the last react/recall failure
  const waiting = new Set(); // react/recall outcomes: {key, cid, done(view), resolve, reject}

  const acct = () => settings.accountId || "";

  // ---- events -----------------------------------------------------------------------------
  function emit(event) {
    for (const fn of listeners) {
      try {
        fn(event);
      } catch (e) {
        console.error("threadline: listener failed", e);
      }
    }
  }
  function emitStatus() {
    const s = statusNow();
    const sig = JSON.stringify(s);
    if (sig === lastStatus) return;
    lastStatus = sig;
    emit({ type: "status", status: s });
  }
  function emitView(cid) {
    if ([...viewers.values()].some((v) => v.cid === cid)) emit({ type: "view", conversationId: cid, view: view(cid) });
  }
  function emitViews() {
    for (const cid of new Set([...viewers.values()].map((v) => v.cid))) emitView(cid);
  }

  function onNotice(n) {
    if (n.account !== acct()) return;
    switch (n.notice) {
      case "conversationChanged":
        settleWaiting(n.conversation);
        emitView(n.conversation);
        break;
      case "statusChanged":
        emitStatus();
        break;
      case "recallFailed":
        noteFailure(`recall:${n.message}`, n.message, "recall", n.reason.message);
        break;
      case "reactFailed":
        noteFailure(`react:${n.message}:${n.emoji}`, n.message, "react", n.reason.message);
        break;
      case "sendFailed": {
        const away = ui.elsewhere[n.clientKey];
        if (away) emitView(away.conversationId); // an unplaced entry touches no conversation
        break;
      }
    }
  }

  function onFact(f) {
    if (f.account !== acct()) return;
    if (f.kind === "tombstones") {
      for (const id of f.ids) {
        const cid = f.messages?.find((m) => m.id === id)?.conversation;
        if (cid) ui.recalled[id] = cid;
      }
      saveUi();
    } else if (f.kind === "messages") {
      for (const m of f.messages) {
        const away = m.clientKey && ui.elsewhere[m.clientKey];
        if (away && !away.sent) {
          away.sent = true;
          saveUi();
          emitView(away.conversationId);
        }
      }
    }
  }

  // ---- react/recall outcomes: the engine resolves commands when the request is out ---------
  function outcome(key, cid, done) {
    let w;
    const promise = new Promise((resolve, reject) => {
      w = { key, cid, done, resolve, reject };
      waiting.add(w);
    });
    return { promise, cancel: () => waiting.delete(w), check: () => settleWaiting(cid) };
  }
  /** Within one engine step, failure notices come before `conversationChanged`. */
  function settleWaiting(cid) {
    let v = null;
    for (const w of waiting) {
      if (w.cid !== cid) continue;
      v ??= engineView(cid) ?? { messages: [] };
      if (w.done(v)) {
        waiting.delete(w);
        w.resolve();
      }
    }
  }
  function noteFailure(waitKey, mid, action, reason) {
    errors.set(mid, { action, code: `${action}_failed`, message: reason });
    for (const w of waiting) {
      if (w.key !== waitKey) continue;
      waiting.delete(w);
      w.reject(codedError(`${action}_failed`, reason));
    }
  }

  // ---- display memory -----------------------------------------------------------------------
  function saveUi() {
    const trim = (o) => Object.fromEntries(Object.entries(o).slice(-UI_LIMIT));
    ui = { recalled: trim(ui.recalled), elsewhere: trim(ui.elsewhere) };
    return storage.set({ [UI_KEY]: ui });
  }

  // ---- the engine ---------------------------------------------------------------------------
  async function openEngine() {
    const baseUrl = settings.baseUrl || DEFAULT_BASE_URL;
    const e = await deps.openEngine({
      baseUrl,
      apiKey: () => key,
      storage: "chromeStorage",
      storageKey: STORE_PREFIX,
      // The hosted API publishes no WebSocket; the simulator (and a self-hosted proxy) may.
      realtime: baseUrl !== DEFAULT_BASE_URL,
      ...defined({ timeoutMs: settings.timeoutMs }),
      config: {
        recallWindowMs: RECALL_WINDOW_MS,
        ...defined({ pollIntervalMs: settings.pollMs, echoSettleMs: settings.echoSettleMs }),
      },
    });
    for (const issue of e.restoreIssues()) console.warn("threadline: stored state:", issue.message);
    e.subscribe(onNotice);
    e.onBroadcast(onFact);
    return e;
  }

  /** Base URL and tunables are fixed when an engine opens: close it and open another. */
  async function reopenEngine() {
    const old = engine;
    engine = null;
    if (old) {
      await old.closeView({ view: "threadline:drain" }).catch(() => {}); // its queued writes finish first
      old.close();
    }
    engine = await openEngine();
  }

  /** Tell the engine what every tab shows (after a new engine, account or key). */
  async function syncViews() {
    if (!engine || !hasKey) return;
    await Promise.all([...viewers].map(([vk, v]) => engine.openConversation({ view: vk, accountId: acct(), conversationUrn: v.urn })));
  }

  function engineView(cid) {
    if (!engine) return undefined;
    return engine.conversationView(acct(), urns.get(cid) ?? cid);
  }

  function rebuildClient() {
    client = hasKey
      ? makeClient({ baseUrl: settings.baseUrl || DEFAULT_BASE_URL, apiKey: () => key, ...defined({ accountId: settings.accountId, timeoutMs: settings.timeoutMs }) })
      : null;
    account = { id: acct(), hasSalesNavigator: false, known: false };
  }

  async function refreshAccount() {
    if (!client) return;
    try {
      // No account chosen: the workspace default, taken as the first account the API lists.
      const id = settings.accountId || (await client.listAccounts())[0]?.id;
      if (!id) return;
      const p = await client.premiumStatus(id);
      account = { id: p.accountId ?? id, hasSalesNavigator: !!p.hasSalesNavigator, known: true };
      emitViews();
    } catch {
      // unknown stays unknown: the server refuses a Sales Navigator send itself
    }
  }

  // ---- status and views -------------------------------------------------------------------
  function statusNow() {
    if (!engine) return { state: "starting", detail: "" };
    if (!hasKey) return { state: "key_missing", detail: "Set your API key in Threadline's options." };
    const s = engine.status(acct());
    const [state, detail] = STATUS[s.sync] ?? [s.sync, ""];
    return { state, detail };
  }

  /**
   * {conversationId, conversationUrn, messages: [{id, urn, text, subject, sentAt, senderName,
   *  isSentByOwner, reactions:[{emoji,count,viewerReacted}], reacting, attachments, state,
   *  recallable, recallBlockedReason, recallWindowEndsAt, error}], outbox: [{clientKey, text,
   *  state, error, retryable, elsewhere}], recalled: [id], hasMore, account: {id,
   *  hasSalesNavigator, known}, quota: {left, resetsAt}}
   */
  function view(cid) {
    const v = engineView(cid);
    if (!v) return null;
    const now = Date.now();
    const messages = [];
    const outbox = [];
    for (const m of v.messages) (m.id ? messages : outbox).push(m.id ? messageView(m, now) : entryView(m));
    outbox.push(...elsewhereEntries(cid));
    const s = engine.status(acct());
    return {
      conversationId: v.id,
      conversationUrn: v.urn,
      messages,
      outbox,
      recalled: Object.keys(ui.recalled).filter((id) => ui.recalled[id] === v.id),
      hasMore: v.hasMoreHistory,
      account: { ...account },
      quota: { left: s.quotaLeft, resetsAt: s.quotaResetsAt },
    };
  }

  function messageView(m, now) {
    const recalling = m.state.state === "recalling";
    const windowEndsAt = m.isSentByOwner ? m.sentAt + RECALL_WINDOW_MS : null;
    let recallBlockedReason = null;
    if (!m.isSentByOwner) recallBlockedReason = "Only your own messages can be recalled.";
    else if (now > windowEndsAt) recallBlockedReason = "The 60-minute recall window has passed.";
    const reactions = m.reactions ?? [];
    return {
      id: m.id,
      urn: m.messageUrn,
      clientKey: m.clientKey ?? null,
      text: m.text,
      subject: null, // the engine's MessageView carries no subject
      sentAt: m.sentAt,
      senderName: m.senderName ?? "",
      senderProfileId: m.senderProfileId ?? "",
      isSentByOwner: m.isSentByOwner,
      attachments: m.attachments ?? [],
      reactions: reactions.filter((r) => r.count > 0).map((r) => ({ emoji: r.emoji, count: r.count, viewerReacted: r.mine })),
      reacting: reactions.some((r) => r.pending !== undefined),
      state: recalling ? "recalling" : "sent",
      recallable: !recallBlockedReason && !recalling,
      recallBlockedReason,
      recallWindowEndsAt: windowEndsAt,
      error: errors.get(m.id) ?? null,
    };
  }

  /** An outbox entry as the engine shows it: sending (confirming = checking), failed, sent. */
  function entryView(m) {
    const s = m.state;
    const state = s.state === "sending" ? (s.confirming ? "checking" : "sending") : s.state;
    return {
      clientKey: m.clientKey,
      text: m.text,
      attachments: m.attachments ?? [],
      state,
      error: s.state === "failed" ? { code: s.reason.code, message: s.reason.message } : null,
      retryable: s.state === "failed" && s.retryable,
      elsewhere: false,
    };
  }

  /** Sales Navigator sends from this inbox thread: in the engine's unplaced outbox, then sent. */
  function elsewhereEntries(cid) {
    const mine = Object.entries(ui.elsewhere).filter(([, e]) => e.conversationId === cid);
    if (!mine.length) return [];
    const unplaced = new Map(engine.unplacedOutbox(acct()).map((m) => [m.clientKey, m]));
    return mine.map(([clientKey, e]) => {
      const entry = unplaced.get(clientKey);
      if (entry) return { ...entryView(entry), elsewhere: true };
      return { clientKey, text: e.text, attachments: [], state: e.sent ? "sent" : "sending", error: null, retryable: false, elsewhere: true };
    });
  }

  /** The one other person of an inbox thread, from who wrote in it. */
  function onlyRecipient(cid) {
    const others = new Set();
    for (const m of engineView(cid)?.messages ?? []) if (m.id && !m.isSentByOwner && m.senderProfileId) others.add(m.senderProfileId);
    if (others.size !== 1) {
      throw codedError("sales_navigator_needs_one_recipient", "Sales Navigator sends go to one person: not from a group thread (or one with no message from them yet).");
    }
    const [id] = others;
    return id.startsWith("urn:") ? id : `urn:li:fsd_profile:${id}`;
  }

  /** The URN the engine holds for a conversation id (an inbox thread's, when it holds none). */
  function urnOf(cid) {
    const listed = engine && hasKey ? engine.conversationList(acct()).find((c) => c.id === cid) : null;
    return listed?.urn ?? urns.get(cid) ?? `urn:li:messagingThread:${cid}`;
  }

  /**
   * The one conversation a bubble shows: the engine's answer for its messages (one it synced), or
   * for the person its header links to (the one listed one-to-one conversation with them); after
   * asking the API for the conversation list if it knows neither.
   */
  async function holderOf(messageUrns, profilePath) {
    if (!engine || !hasKey) return null;
    const byPerson = () => {
      if (!profilePath) return null;
      try {
        return engine.conversationWith(acct(), `https://www.linkedin.com${profilePath}`) ?? null;
      } catch {
        return null;
      }
    };
    const byMessages = () => {
      const found = new Map();
      for (const u of messageUrns) {
        let holder;
        try {
          holder = engine.conversationOfMessage(acct(), u);
        } catch {
          continue; // not a message URN: a placeholder or junk
        }
        if (holder) found.set(conversationId(holder), holder);
      }
      return found.size === 1 ? [...found.values()][0] : found.size > 1 ? false : null;
    };
    // Messages decide when the engine has them; a contradiction (two conversations) is no answer.
    const lookup = () => {
      const m = byMessages();
      return m === null ? byPerson() : m;
    };
    let urn = lookup();
    if (urn === null) {
      await engine.refreshConversations({ accountId: acct() }).catch(() => {});
      for (let i = 0; i < 40 && urn === null; i++) {
        await new Promise((r) => setTimeout(r, 150));
        urn = lookup();
      }
    }
    return urn || null;
  }

  function requireKey() {
    if (!engine || !hasKey) throw codedError("key_missing", "Set your API key in Threadline's options first.");
  }
  function known(urn) {
    const cid = conversationId(urn);
    urns.set(cid, urn);
    return cid;
  }

  // ---- the interface ----------------------------------------------------------------------
  const core = {
    async start() {
      const stored = await storage.get(["settings", UI_KEY, "outbox"]);
      if (stored.outbox !== undefined) await dropLegacy(storage);
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
      if (stored[UI_KEY]) ui = { recalled: {}, elsewhere: {}, ...stored[UI_KEY] };
      key = keystore.get();
      hasKey = !!(await key);
      engine = await openEngine();
      rebuildClient();
      refreshAccount();
      await syncViews();
      emitStatus();
      return {};
    },

    async openView(viewerKey, conversationUrn) {
      const cid = known(conversationUrn);
      viewers.set(viewerKey, { cid, urn: conversationUrn });
      if (engine && hasKey) await engine.openConversation({ view: viewerKey, accountId: acct(), conversationUrn });
      return view(cid);
    },

    /**
     * Which conversation a tab's port shows, decided here and remembered for that port: the full
     * page's by its URL path (the thread id is only in the URL), a chat bubble's by its messages
     * (the engine knows which conversation holds a message it synced or a listed conversation's
     * latest one). Unknown or contradictory: no conversation (the overlay says so, never guesses).
     */
    async bind(viewerKey, { path, messageUrns, profilePath }) {
      let urn = null;
      if (path !== undefined && messageUrns === undefined && profilePath === undefined) {
        urn = urnOf(conversationId(`https://www.linkedin.com${path}`));
      } else if (messageUrns !== undefined && path === undefined) {
        urn = await holderOf(messageUrns, profilePath);
      } else {
        throw codedError("invalid_command", "bind takes a path or message URNs");
      }
      const before = viewers.get(viewerKey);
      if (!urn) {
        await core.closeView(viewerKey);
        return { conversationId: null, view: null, status: statusNow() };
      }
      const cid = known(urn);
      if (before && before.cid !== cid) await core.closeView(viewerKey);
      const v = await core.openView(viewerKey, urn);
      return { conversationId: cid, view: v, status: statusNow() };
    },

    /**
     * A tab's command, bound to its port's conversation: the tab never names one. The engine
     * refuses (`not_in_conversation`) a message it does not hold there (a recall: not known to
     * be there; a reaction: known to be elsewhere).
     */
    forViewer(viewerKey, msg) {
      const v = viewers.get(viewerKey);
      if (!v) throw codedError("unbound", "Threadline does not know which conversation this is, so it does nothing here.");
      return { ...msg, conversationUrn: v.urn };
    },

    async closeView(viewerKey) {
      if (!viewers.delete(viewerKey) || !engine) return null;
      await engine.closeView({ view: viewerKey });
      return null;
    },

    getView: (cid) => view(cid),

    async send({ clientKey, conversationUrn, text, subject, channel, attachments }) {
      requireKey();
      if (channel === "sales_navigator" && account.known && !account.hasSalesNavigator) {
        throw codedError("sales_navigator_unavailable", "This account has no Sales Navigator.");
      }
      const cid = known(conversationUrn);
      // Idempotent: a tab re-sends an unanswered command after the background restarted.
      if (ui.elsewhere[clientKey] || engineView(cid)?.messages.some((m) => m.clientKey === clientKey)) {
        return { clientKey, duplicate: true };
      }
      const cmd = { accountId: acct(), clientKey, text, channel: channel || "auto" };
      if (subject) cmd.subject = subject;
      if (attachments?.length) cmd.attachments = attachments;
      const away = channel === "sales_navigator" && !isSalesNavThread(conversationUrn);
      if (away) {
        // The API refuses an inbox thread's URN on the Sales Navigator channel: the message goes
        // to the thread's one other person and lands in their Sales Navigator thread.
        cmd.recipientProfileUrn = onlyRecipient(cid);
        ui.elsewhere[clientKey] = { conversationId: cid, text };
        await saveUi();
      } else {
        cmd.conversationUrn = conversationUrn;
      }
      try {
        await engine.send(cmd); // resolves once the entry is persisted; the request follows
      } catch (e) {
        if (e.code === "already_pending") return { clientKey, duplicate: true };
        if (away) {
          delete ui.elsewhere[clientKey];
          await saveUi();
        }
        throw e;
      }
      if (away) emitView(cid);
      return { clientKey };
    },

    async retry(clientKey) {
      requireKey();
      await engine.retrySend({ accountId: acct(), clientKey });
      const away = ui.elsewhere[clientKey];
      if (away) emitView(away.conversationId);
      return { clientKey };
    },

    async discard(clientKey) {
      requireKey();
      await engine.discardSend({ accountId: acct(), clientKey });
      const away = ui.elsewhere[clientKey];
      if (away) {
        delete ui.elsewhere[clientKey];
        await saveUi();
        emitView(away.conversationId);
      }
      return { clientKey };
    },

    async react({ conversationUrn, messageUrn, emoji, react }) {
      requireKey();
      const cid = known(conversationUrn);
      const mid = messageId(messageUrn);
      errors.delete(mid);
      // Done when the engine no longer shows this change as pending (a no-op leaves none).
      const pending = (v) => v.messages.some((m) => m.id === mid && m.reactions?.some((r) => r.emoji === emoji && r.pending !== undefined));
      const wait = outcome(`react:${mid}:${emoji}`, cid, (v) => !pending(v));
      try {
        await engine.react({ accountId: acct(), conversationUrn, messageUrn, emoji, add: react });
      } catch (e) {
        // A failed outcome: its reactFailed notice already settled the wait below.
        if (!e.failure) {
          wait.cancel();
          throw e;
        }
      }
      wait.check();
      await wait.promise;
      return { ok: true };
    },

    async recall({ conversationUrn, messageUrn }) {
      requireKey();
      const cid = known(conversationUrn);
      const mid = messageId(messageUrn);
      errors.delete(mid);
      // Done when the engine tombstoned it: it leaves the view.
      const wait = outcome(`recall:${mid}`, cid, (v) => !v.messages.some((m) => m.id === mid));
      try {
        await engine.recall({ accountId: acct(), conversationUrn, messageUrn });
      } catch (e) {
        // A failed outcome: its recallFailed notice already settled the wait below.
        if (!e.failure) {
          wait.cancel();
          throw e;
        }
      }
      wait.check();
      await wait.promise;
      return { ok: true, messageId: mid };
    },

    async loadOlder(conversationUrn) {
      requireKey();
      known(conversationUrn);
      await engine.loadOlder({ accountId: acct(), conversationUrn });
      return { requested: true };
    },

    async upload({ name, mediaType, bytes }) {
      if (!client) throw codedError("key_missing", "Set your API key in Threadline's options first.");
      const res = await client.uploadAttachment(bytes, mediaType, name, settings.accountId || undefined);
      return res.attachment;
    },

    /** `pollers`: conversations in view, each polled once by the engine however many tabs show it. */
    status: () => ({ ...statusNow(), pollers: engine && hasKey ? new Set([...viewers.values()].map((v) => v.cid)).size : 0 }),

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    engine: () => engine,

    settings: () => ({
      baseUrl: settings.baseUrl || DEFAULT_BASE_URL,
      accountId: settings.accountId || "",
      hasKey,
    }),

    async setSettings(patch) {
      const before = { ...settings };
      for (const k of ["baseUrl", "accountId", "pollMs", "timeoutMs", "echoSettleMs"]) {
        if (patch[k] !== undefined) settings[k] = patch[k];
      }
      await storage.set({ settings });
      const keyChanged = patch.apiKey !== undefined;
      if (keyChanged) {
        await keystore.set(patch.apiKey);
        key = keystore.get();
        hasKey = !!(await key);
      }
      const reopen = ["baseUrl", "pollMs", "timeoutMs", "echoSettleMs"].some((k) => settings[k] !== before[k]);
      if (reopen) await reopenEngine();
      else if (keyChanged) await engine.keyUpdated();
      if (reopen || keyChanged || settings.accountId !== before.accountId) await syncViews();
      rebuildClient();
      refreshAccount();
      emitStatus();
      emitViews();
      return core.settings();
    },

    async testConnection({ baseUrl, apiKey }) {
      const c = makeClient({
        baseUrl: baseUrl || settings.baseUrl || DEFAULT_BASE_URL,
        apiKey: apiKey || (() => key),
        timeoutMs: 10000,
      });
      const accounts = await c.listAccounts();
      return { accounts: accounts.map(accountSummary) };
    },

    async listAccounts() {
      if (!client) throw codedError("key_missing", "Set your API key in Threadline's options first.");
      return (await client.listAccounts()).map(accountSummary);
    },

    stop() {
      engine?.close();
    },
  };
  return core;
}

/** The stand-in's store (outbox, tombstones, quota, conv:*) is not read: it never shipped. */
async function dropLegacy(storage) {
  const all = await storage.get(null);
  const keys = Object.keys(all).filter((k) => LEGACY_KEYS.includes(k) || k.startsWith("conv:"));
  await storage.remove(keys);
  console.warn(`threadline: dropped ${keys.length} records of the pre-engine store`);
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

/** A refusal with a stable code, as the overlay shows it. */
export function codedError(code, message) {
  const e = new Error(message);
  e.name = "ThreadlineError";
  e.code = code;
  return e;
}
