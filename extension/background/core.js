// THE SEAM. Everything the extension decides about conversations lives behind `createCore()`:
// the view of each open conversation, the persisted outbox, tombstones, polling, send/react/recall.
// It is a deliberately small stand-in written over `ThreadlineClient` + `chrome.storage.local`;
// the Rust `ThreadlineEngine` binding replaces it by implementing the same interface (see
// ARCHITECTURE.md, "The extension's core seam"). Nothing else in the extension touches the API.
//
// Interface (all methods async unless noted; events arrive through `subscribe`):
//   start()                                  load settings and state, resume the outbox
//   openView(viewerKey, conversationUrn)     a tab shows a conversation → its view; starts its poller
//   closeView(viewerKey)                     the tab left; stops pollers nobody shows
//   getView(conversationId) (sync)           the current view (see `view()` below for its shape)
//   send({clientKey, conversationUrn, text, subject, channel, attachments})  idempotent on clientKey
//   retry(clientKey) · discard(clientKey)    a failed send: send again (safe) or drop it
//   react({conversationUrn, messageUrn, emoji, react}) · recall({conversationUrn, messageUrn})
//   loadOlder(conversationUrn) · upload({name, mediaType, bytes})
//   status() (sync) · subscribe(fn) (sync, returns unsubscribe)
//   settings() · setSettings(patch) · testConnection({baseUrl, apiKey}) · listAccounts()
// Events: {type: "view", conversationId, view} and {type: "status", status}.

const RECALL_WINDOW_MS = 60 * 60 * 1000;
const DEFAULT_POLL_MS = 3000;
const POLL_BUDGET_MS = 2000; // at most one poll every 2 s across all conversations
const DEFAULT_TIMEOUT_MS = 15000;
const FULL_REFRESH_EVERY = 5; // every Nth poll re-reads the newest page (reactions, recalls elsewhere)
const PAGE = 50;
const DAILY_NEW_CONVERSATIONS = 150;
export const DEFAULT_BASE_URL = "https://api.connectsafely.ai/linkedin";

/** Codes of ApiError that prove the server did not act (a resend is safe). */
const DEFINITE = new Set(["bad_request", "not_found"]);

/**
 * @param {object} deps
 * @param {{get(k?): Promise<object>, set(o): Promise<void>, remove(k): Promise<void>}} deps.storage
 * @param {(opts: object) => any} deps.makeClient  builds a ThreadlineClient
 * @param {(urn: string) => string} deps.messageId  canonical ids from the wasm core
 * @param {(urn: string) => string} deps.conversationId
 * @param {{get(): Promise<string>, set(key: string): Promise<void>}} deps.keystore  the API key's
 *   only home (never chrome.storage, which content scripts can read)
 * @param {() => Promise<object|null>} [deps.preset]  demo settings shipped with a demo build
 * @param {() => number} [deps.now]
 */
export function createCore(deps) {
  const { storage, keystore, makeClient, messageId, conversationId, isSalesNavThread } = deps;
  const now = deps.now ?? (() => Date.now());
  const listeners = new Set();
  let settings = { apiKey: "", baseUrl: DEFAULT_BASE_URL, accountId: "" };
  let client = null;
  let outbox = [];
  /** @type {Record<string, {at: number, conversationId: string}>} */
  let tombstones = {};
  let quota = { accountId: "", day: "", used: 0, exhaustedUntil: 0 };
  let account = { id: "", hasSalesNavigator: false, known: false };
  let statusValue = { state: "starting", detail: "" };
  const convs = new Map(); // conversationId → state (see ensureConv)
  const viewers = new Map(); // viewerKey → conversationId
  const timers = new Set();
  let paused = false; // a 401 pauses the outbox until the key changes

  // ---- events -------------------------------------------------------------------------------
  function emit(event) {
    for (const fn of listeners) {
      try {
        fn(event);
      } catch (e) {
        console.error("threadline: listener failed", e);
      }
    }
  }
  function setStatus(state, detail = "") {
    if (statusValue.state === state && statusValue.detail === detail) return;
    statusValue = { state, detail };
    emit({ type: "status", status: statusValue });
  }
  function emitView(cid) {
    emit({ type: "view", conversationId: cid, view: view(cid) });
  }
  function later(ms, fn) {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, ms));
    timers.add(t);
    return t;
  }

  // ---- persistence ----------------------------------------------------------------------------
  const saveOutbox = () => storage.set({ outbox });
  const saveTombstones = () => storage.set({ tombstones });
  const saveQuota = () => storage.set({ quota });
  function saveConv(conv) {
    const messages = [...conv.messages.values()].filter((m) => !m.stub);
    return storage.set({
      ["conv:" + conv.id]: { v: 1, urn: conv.urn, hasMore: conv.hasMore, cursor: conv.cursor, messages },
    });
  }

  function ensureConv(cid, urn) {
    let conv = convs.get(cid);
    if (!conv) {
      conv = {
        id: cid,
        urn,
        messages: new Map(),
        hasMore: true,
        cursor: null,
        viewers: new Set(),
        timer: null,
        ticks: 0,
        polling: false,
        recalling: new Set(),
        reacting: new Set(),
        errors: {}, // messageId → {action, code, message}
        participants: [], // profile ids of the other members (from message pages)
        sentElsewhere: [], // Sales Navigator sends to this thread's person: they land in its SN thread
      };
      convs.set(cid, conv);
    } else if (urn && !conv.urn) {
      conv.urn = urn;
    }
    return conv;
  }

  function newest(conv) {
    let max = 0;
    for (const m of conv.messages.values()) if (!m.stub && m.sentAt > max) max = m.sentAt;
    return max;
  }

  function toMessage(raw) {
    let id;
    try {
      id = messageId(raw.messageUrn);
    } catch {
      return null; // a URN the core cannot read is not shown rather than mis-keyed
    }
    return {
      id,
      urn: raw.messageUrn,
      text: raw.text ?? "",
      subject: raw.subject ?? null,
      sentAt: Number(raw.sentAt) || 0,
      senderName: raw.senderName ?? "",
      senderProfileId: raw.senderProfileId ?? "",
      isSentByOwner: !!raw.isSentByOwner,
      hasAttachment: !!raw.hasAttachment,
      attachments: Array.isArray(raw.attachments) ? raw.attachments : [],
      reactions: Array.isArray(raw.reactions) ? raw.reactions : [],
    };
  }

  /** Merge one page; tombstoned ids never come back. `full` pages also drop what vanished. */
  function merge(conv, page, { full = false } = {}) {
    if (Array.isArray(page.participants) && page.participants.length) {
      conv.participants = page.participants.map((p) => p.profileId).filter(Boolean);
    }
    const seen = new Set();
    let oldest = Infinity;
    for (const raw of page.messages ?? []) {
      const m = toMessage(raw);
      if (!m || tombstones[m.id]) continue;
      seen.add(m.id);
      oldest = Math.min(oldest, m.sentAt);
      conv.messages.set(m.id, m);
    }
    if (full) {
      for (const [id, m] of conv.messages) {
        if (m.stub || seen.has(id)) continue;
        // Gone from a page that covers its time: recalled or deleted elsewhere.
        if (!page.hasMore || m.sentAt >= oldest) conv.messages.delete(id);
      }
    }
  }

  // ---- settings and client -------------------------------------------------------------------
  function rebuildClient() {
    client = null;
    account = { id: settings.accountId || "", hasSalesNavigator: false, known: false };
    if (!settings.apiKey) {
      setStatus("key_missing", "Set your API key in Threadline's options.");
      return;
    }
    client = makeClient({
      baseUrl: settings.baseUrl || DEFAULT_BASE_URL,
      apiKey: settings.apiKey,
      accountId: settings.accountId || undefined,
      timeoutMs: settings.timeoutMs || DEFAULT_TIMEOUT_MS,
    });
    paused = false;
    setStatus("syncing");
    refreshAccount();
  }

  async function refreshAccount() {
    if (!client) return;
    try {
      // No account chosen: the workspace default, taken as the first account the API lists.
      let id = settings.accountId;
      if (!id) id = (await client.listAccounts())[0]?.id;
      if (!id) return;
      const p = await client.premiumStatus(id);
      account = { id: p.accountId ?? id, hasSalesNavigator: !!p.hasSalesNavigator, known: true };
      for (const cid of convs.keys()) emitView(cid);
    } catch (e) {
      noteFailure(e);
    }
  }

  function noteFailure(e) {
    if (e?.code === "unauthorized") {
      paused = true;
      setStatus("key_rejected", "The API rejected the key: check it in Threadline's options.");
    } else if (e?.code === "network" || e?.code === "timeout") {
      setStatus("offline", "Cannot reach the API.");
    }
  }

  // ---- polling: one per conversation that some tab shows ---------------------------------
  function startPoller(conv) {
    if (conv.timer || conv.polling) return;
    tick(conv);
  }
  function stopPoller(conv) {
    if (conv.timer) clearTimeout(conv.timer);
    timers.delete(conv.timer);
    conv.timer = null;
  }
  async function tick(conv) {
    conv.timer = null;
    if (conv.viewers.size === 0) return;
    if (client && !paused) {
      conv.polling = true;
      try {
        await refresh(conv, conv.ticks % FULL_REFRESH_EVERY === 0);
        conv.ticks++;
        if (statusValue.state !== "synced") setStatus("synced");
      } catch (e) {
        noteFailure(e);
      } finally {
        conv.polling = false;
      }
    }
    if (conv.viewers.size > 0 && !conv.timer) {
      // A budget across conversations: the API allows 60 requests a minute per key, so all
      // pollers together stay near 30 (one every 2 s) however many threads are shown.
      const active = [...convs.values()].filter((c) => c.viewers.size > 0).length;
      const interval = Math.max(settings.pollMs || DEFAULT_POLL_MS, active * POLL_BUDGET_MS);
      conv.timer = later(interval, () => tick(conv));
    }
  }

  async function refresh(conv, full) {
    const since = newest(conv);
    if (!full && since > 0) {
      let page;
      let cursorSince = since;
      do {
        page = await client.pollMessages(conv.urn, cursorSince, settings.accountId || undefined);
        if (!page.messages?.length) break;
        merge(conv, page);
        cursorSince = newest(conv);
      } while (page.hasMore);
    } else {
      const page = await client.messages(conv.urn, defined({ count: PAGE, accountId: settings.accountId }));
      merge(conv, page, { full: true });
      if (conv.cursor == null) {
        conv.hasMore = !!page.hasMore;
        conv.cursor = page.cursor ?? null;
      }
    }
    settleEchoes(conv);
    await saveConv(conv);
    emitView(conv.id);
  }

  // ---- outbox ---------------------------------------------------------------------------------
  /** The message that answers an outbox entry: own, same text, newer than the entry's mark. */
  function echoOf(entry, conv, claimed = new Set()) {
    for (const m of conv.messages.values()) {
      if (m.stub || !m.isSentByOwner || claimed.has(m.id)) continue;
      if (m.sentAt > entry.mark && m.text === entry.text) return m;
    }
    return null;
  }
  function claimedIds() {
    return new Set(outbox.map((e) => e.messageId).filter(Boolean));
  }

  /** Entries whose echo a poll brought in are sent: matched, never shown twice. */
  function settleEchoes(conv) {
    let changed = false;
    const claimed = claimedIds();
    for (const e of outbox) {
      if (e.conversationId !== conv.id || e.state === "sent" || e.state === "failed") continue;
      if (e.state === "queued" && e.attempts === 0) continue; // never left: no echo possible
      const echo = echoOf(e, conv, claimed);
      if (echo) {
        markSent(e, echo.id);
        claimed.add(echo.id);
        changed = true;
      }
    }
    if (changed) {
      gcOutbox();
      saveOutbox();
      pump(conv.id);
    }
  }
  function markSent(entry, mid) {
    entry.state = "sent";
    entry.messageId = mid;
    entry.error = null;
  }
  function gcOutbox() {
    outbox = outbox.filter((e) => e.state !== "sent");
  }

  async function pump(cid) {
    if (!client || paused) return;
    const mine = outbox.filter((e) => e.conversationId === cid);
    if (mine.some((e) => e.state === "sending" || e.state === "checking")) return; // one in flight
    const entry = mine.find((e) => e.state === "queued" && (e.notBefore ?? 0) <= now());
    if (!entry) {
      const waiting = mine.find((e) => e.state === "queued");
      if (waiting) later(waiting.notBefore - now(), () => pump(cid));
      return;
    }
    const conv = ensureConv(cid, entry.conversationUrn);
    entry.state = "sending";
    entry.attempts += 1;
    entry.attemptStartedAt = now();
    entry.mark = Math.max(entry.mark, newest(conv));
    await saveOutbox(); // the attempt is on disk before the request leaves
    emitView(cid);
    let res;
    try {
      const request = { message: entry.text, conversationUrn: entry.conversationUrn, messagingChannel: entry.channel };
      if (viaRecipient(entry, conv)) {
        // Sales Navigator from an inbox thread: to the thread's one person, in their SN thread.
        if (conv.participants.length !== 1) {
          throw codedError("sales_navigator_needs_one_recipient", "Sales Navigator sends go to one person: not from a group thread.");
        }
        delete request.conversationUrn;
        request.recipientProfileUrn = `urn:li:fsd_profile:${conv.participants[0]}`;
        entry.recipient = true;
      }
      // Absent, not undefined: the binding's serde reads an `undefined` field as present.
      if (entry.subject) request.subject = entry.subject;
      if (entry.attachments.length) request.attachments = entry.attachments.map((file) => ({ file }));
      if (settings.accountId) request.accountId = settings.accountId;
      res = await client.send(request);
    } catch (e) {
      await sendFailed(entry, e);
      return;
    }
    if (entry.recipient) {
      // It lives in another (Sales Navigator) conversation: shown here as sent, not merged here.
      markSent(entry, null);
      conv.sentElsewhere.push({ clientKey: entry.clientKey, text: entry.text, channel: entry.channel, at: now() });
      if (res.conversationUrn && !convs.has(safeConversationId(res.conversationUrn))) countNewConversation();
      gcOutbox();
      await saveOutbox();
      emitView(cid);
      pump(cid);
      return;
    }
    const sent = res.sentMessage?.messageUrn ? { ...res.sentMessage, isSentByOwner: true } : null;
    if (sent && entry.attachments.length) Object.assign(sent, { hasAttachment: true, attachments: entry.attachments });
    if (sent && entry.subject) sent.subject = entry.subject;
    const m = sent ? toMessage(sent) : null;
    if (m) {
      conv.messages.set(m.id, m);
      markSent(entry, m.id);
      await saveConv(conv);
    } else {
      // Success without the message: find it by polling rather than guessing.
      entry.state = "checking";
      entry.checkAfter = now();
    }
    gcOutbox();
    await saveOutbox();
    if (statusValue.state !== "synced") setStatus("synced");
    emitView(cid);
    if (entry.state === "checking") later(0, () => check(entry));
    pump(cid);
  }

  async function sendFailed(entry, e) {
    const cid = entry.conversationId;
    const code = e?.code ?? "network";
    if (e?.name === "ThreadlineError") {
      entry.state = "failed"; // refused here, before any request
      entry.retryable = false;
      entry.error = { code, message: e.message };
    } else if (code === "unauthorized") {
      entry.state = "queued"; // never reached LinkedIn: send when the key is fixed
      entry.attempts -= 1;
      noteFailure(e);
    } else if (code === "rate_limited" && e.reason !== "daily_quota_exceeded") {
      entry.state = "queued";
      entry.notBefore = now() + (e.retryAfterMs ?? 30000);
      entry.error = { code, message: "Rate limited: waiting to send." };
      later(entry.notBefore - now(), () => pump(cid));
    } else if (DEFINITE.has(code) || code === "rate_limited") {
      entry.state = "failed";
      entry.retryable = true;
      if (code === "rate_limited") {
        quota.exhaustedUntil = now() + (e.retryAfterMs ?? 0);
        saveQuota();
      }
      entry.error = { code: e.reason || code, message: e.message || String(e) };
    } else if (entry.recipient) {
      // Sent to a person, not this thread: its echo is not here to look for, so never resend.
      entry.state = "failed";
      entry.retryable = false;
      entry.error = { code: "unknown_outcome", message: "No clear answer: check Sales Navigator before sending again." };
    } else {
      // Timeout, dropped connection, 5xx, malformed answer: it may have been sent. Check.
      entry.state = "checking";
      entry.checkAfter = now() + 1000;
      entry.error = { code, message: "No clear answer: checking whether it was sent." };
      later(1000, () => check(entry));
    }
    await saveOutbox();
    emitView(cid);
    if (entry.state !== "checking") pump(cid);
  }

  function viaRecipient(entry, conv) {
    return entry.channel === "sales_navigator" && !isSalesNavThread(conv.urn);
  }
  function safeConversationId(urn) {
    try {
      return conversationId(urn);
    } catch {
      return null;
    }
  }
  function countNewConversation() {
    const day = utcDay(now());
    const acct = settings.accountId || "";
    if (quota.day !== day || quota.accountId !== acct) quota = { accountId: acct, day, used: 0, exhaustedUntil: 0 };
    quota.used += 1;
    saveQuota();
  }

  /** An ambiguous send: look for its echo; offer a resend only when it is provably absent. */
  async function check(entry) {
    if (entry.state !== "checking" || !outbox.includes(entry)) return;
    if (!client || paused) return;
    if (entry.recipient) {
      entry.state = "failed";
      entry.retryable = false;
      entry.error = { code: "unknown_outcome", message: "No clear answer: check Sales Navigator before sending again." };
      await saveOutbox();
      emitView(entry.conversationId);
      return;
    }
    if (entry.checkAfter > now()) {
      later(entry.checkAfter - now(), () => check(entry));
      return;
    }
    const conv = ensureConv(entry.conversationId, entry.conversationUrn);
    let complete = false;
    try {
      if (entry.mark > 0) {
        let since = entry.mark;
        let page;
        do {
          page = await client.pollMessages(conv.urn, since, settings.accountId || undefined);
          merge(conv, page);
          const last = Math.max(0, ...(page.messages ?? []).map((m) => Number(m.sentAt) || 0));
          if (!page.hasMore || last <= since) break;
          since = last;
        } while (page.hasMore);
        complete = !page.hasMore;
      } else {
        const page = await client.messages(conv.urn, defined({ count: PAGE, accountId: settings.accountId }));
        merge(conv, page, { full: true });
        complete = true; // the newest page holds anything sent after the (empty) mark
      }
    } catch (e) {
      noteFailure(e);
      entry.checkAfter = now() + 3000;
      later(3000, () => check(entry));
      return;
    }
    const echo = echoOf(entry, conv, claimedIds());
    if (echo) {
      markSent(entry, echo.id);
    } else if (complete && entry.afterRestart) {
      // The background died with the request in flight and the conversation proves it never
      // arrived: the user asked to send and saw no failure, so it goes again, once.
      entry.state = "queued";
      entry.afterRestart = false;
      entry.error = null;
    } else if (complete) {
      entry.state = "failed";
      entry.retryable = true;
      entry.error = { code: "not_delivered", message: "Not sent (checked the conversation): safe to retry." };
    } else {
      later(3000, () => check(entry));
      return;
    }
    await saveConv(conv);
    gcOutbox();
    await saveOutbox();
    emitView(conv.id);
    pump(conv.id);
  }

  // ---- the view ---------------------------------------------------------------------------
  /**
   * {conversationId, conversationUrn, messages: [{id, urn, text, subject, sentAt, senderName,
   *  isSentByOwner, reactions:[{emoji,count,viewerReacted}], attachments, state, recallable,
   *  recallBlockedReason, error}], outbox: [{clientKey, text, subject, channel, state, error,
   *  retryable}], recalled: [id], hasMore, account: {id, hasSalesNavigator}, quota: {left, limit,
   *  resetsAt}}
   */
  function view(cid) {
    const conv = convs.get(cid);
    if (!conv) return null;
    const t = now();
    const claimed = new Set();
    const hidden = new Set();
    for (const e of outbox) {
      if (e.conversationId !== cid) continue;
      if (e.state === "sending" || e.state === "checking") {
        const echo = echoOf(e, conv, claimed);
        if (echo) {
          claimed.add(echo.id);
          hidden.add(echo.id); // shown once: as the outbox entry until it settles
        }
      }
    }
    const messages = [...conv.messages.values()]
      .filter((m) => !tombstones[m.id] && !hidden.has(m.id))
      .sort((a, b) => a.sentAt - b.sentAt)
      .map((m) => {
        let recallBlockedReason = null;
        if (!m.isSentByOwner) recallBlockedReason = "Only your own messages can be recalled.";
        else if (t - m.sentAt > RECALL_WINDOW_MS) recallBlockedReason = "The 60-minute recall window has passed.";
        return {
          ...m,
          state: conv.recalling.has(m.id) ? "recalling" : "sent",
          reacting: conv.reacting.has(m.id),
          recallable: !recallBlockedReason && !conv.recalling.has(m.id),
          recallBlockedReason,
          recallWindowEndsAt: m.isSentByOwner ? m.sentAt + RECALL_WINDOW_MS : null,
          error: conv.errors[m.id] ?? null,
        };
      });
    const recalled = Object.entries(tombstones)
      .filter(([, v]) => v.conversationId === cid)
      .map(([id]) => id);
    const pending = conv.sentElsewhere
      .map((e) => ({ ...e, state: "sent", error: null, retryable: false, elsewhere: true }))
      .concat(outbox.filter((e) => e.conversationId === cid).map((e) => ({
        clientKey: e.clientKey,
        text: e.text,
        subject: e.subject,
        channel: e.channel,
        attachments: e.attachments,
        state: e.state,
        error: e.error ?? null,
        retryable: e.state === "failed" && !!e.retryable,
      })));
    return {
      conversationId: cid,
      conversationUrn: conv.urn,
      messages,
      outbox: pending,
      recalled,
      hasMore: conv.hasMore,
      account: { id: account.id, hasSalesNavigator: account.hasSalesNavigator, known: account.known },
      quota: quotaView(),
    };
  }

  function utcDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }
  function quotaView() {
    const t = now();
    const day = utcDay(t);
    const used = quota.day === day && quota.accountId === (settings.accountId || "") ? quota.used : 0;
    const resetsAt = Date.parse(day + "T00:00:00Z") + 86400000;
    const left = quota.exhaustedUntil > t ? 0 : Math.max(0, DAILY_NEW_CONVERSATIONS - used);
    return { left, limit: DAILY_NEW_CONVERSATIONS, resetsAt };
  }

  // ---- the interface ----------------------------------------------------------------------
  const core = {
    async start() {
      const all = await storage.get(null);
      if (all.settings) {
        // The key lives in the keystore only; a key left in storage by an older build moves there.
        const { apiKey: legacyKey, ...rest } = all.settings;
        if (legacyKey) await keystore.set(legacyKey);
        if (legacyKey !== undefined) await storage.set({ settings: rest });
        settings = { ...settings, ...rest, apiKey: await keystore.get() };
      } else if (deps.preset) {
        const preset = await deps.preset();
        if (preset) {
          const { apiKey, ...rest } = preset;
          await keystore.set(apiKey);
          settings = { ...settings, ...preset };
          await storage.set({ settings: rest });
        }
      }
      outbox = Array.isArray(all.outbox) ? all.outbox : [];
      tombstones = all.tombstones && typeof all.tombstones === "object" ? all.tombstones : {};
      if (all.quota) quota = all.quota;
      let loaded = 0;
      for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith("conv:") || value?.v !== 1) continue; // unknown versions are dropped
        const conv = ensureConv(key.slice(5), value.urn);
        conv.hasMore = value.hasMore;
        conv.cursor = value.cursor;
        for (const m of value.messages) if (!tombstones[m.id]) conv.messages.set(m.id, m);
        loaded += value.messages.length;
      }
      // A send in flight when the background died: its outcome is unknown, so check first.
      for (const e of outbox) {
        if (e.state === "sending") {
          e.state = "checking";
          e.afterRestart = true;
          e.checkAfter = (e.attemptStartedAt ?? 0) + (settings.timeoutMs || DEFAULT_TIMEOUT_MS) + 1000;
        }
      }
      await saveOutbox();
      rebuildClient();
      for (const e of outbox) if (e.state === "checking") check(e);
      for (const cid of new Set(outbox.map((e) => e.conversationId))) pump(cid);
      return { messagesLoaded: loaded };
    },

    async openView(viewerKey, conversationUrn) {
      const cid = conversationId(conversationUrn);
      core.closeView(viewerKey, cid);
      const conv = ensureConv(cid, conversationUrn);
      viewers.set(viewerKey, cid);
      conv.viewers.add(viewerKey);
      startPoller(conv);
      return view(cid);
    },

    closeView(viewerKey, keep) {
      const cid = viewers.get(viewerKey);
      if (!cid || cid === keep) return;
      viewers.delete(viewerKey);
      const conv = convs.get(cid);
      if (!conv) return;
      conv.viewers.delete(viewerKey);
      if (conv.viewers.size === 0) stopPoller(conv);
    },

    getView: (cid) => view(cid),

    async send({ clientKey, conversationUrn, text, subject, channel, attachments }) {
      if (outbox.some((e) => e.clientKey === clientKey)) return { clientKey, duplicate: true };
      if (!settings.apiKey) throw codedError("key_missing", "Set your API key in Threadline's options first.");
      if (channel === "sales_navigator" && account.known && !account.hasSalesNavigator) {
        throw codedError("sales_navigator_unavailable", "This account has no Sales Navigator.");
      }
      const cid = conversationId(conversationUrn);
      const conv = ensureConv(cid, conversationUrn);
      outbox.push({
        clientKey,
        conversationId: cid,
        conversationUrn: conv.urn,
        text,
        subject: subject || "",
        channel: channel || "auto",
        attachments: attachments ?? [],
        state: "queued",
        attempts: 0,
        createdAt: now(),
        mark: newest(conv),
        error: null,
      });
      await saveOutbox(); // persisted BEFORE any request
      emitView(cid);
      pump(cid);
      return { clientKey };
    },

    async retry(clientKey) {
      const e = outbox.find((x) => x.clientKey === clientKey);
      if (!e || e.state !== "failed" || !e.retryable) throw codedError("not_retryable", "Nothing to retry.");
      e.state = "queued";
      e.error = null;
      e.mark = Math.max(e.mark, newest(ensureConv(e.conversationId, e.conversationUrn)));
      await saveOutbox();
      emitView(e.conversationId);
      pump(e.conversationId);
      return { clientKey };
    },

    async discard(clientKey) {
      const e = outbox.find((x) => x.clientKey === clientKey);
      if (!e || e.state !== "failed") throw codedError("not_discardable", "Only a failed message can be discarded.");
      outbox = outbox.filter((x) => x !== e);
      await saveOutbox();
      emitView(e.conversationId);
      return { clientKey };
    },

    async react({ conversationUrn, messageUrn, emoji, react }) {
      requireClient();
      const cid = conversationId(conversationUrn);
      const mid = messageId(messageUrn);
      if (tombstones[mid]) throw codedError("recalled", "This message was recalled.");
      const conv = ensureConv(cid, conversationUrn);
      conv.reacting.add(mid);
      delete conv.errors[mid];
      emitView(cid);
      try {
        await client.react(conv.urn, messageUrn, emoji, react, settings.accountId || undefined);
      } catch (e) {
        conv.errors[mid] = { action: "react", code: e.reason || e.code, message: e.message };
        noteFailure(e);
        throw e;
      } finally {
        conv.reacting.delete(mid);
        emitView(cid);
      }
      // Remote first, then local: adding twice or removing what is absent changes nothing.
      let m = conv.messages.get(mid);
      if (!m) {
        m = { id: mid, urn: messageUrn, stub: true, reactions: [] };
        conv.messages.set(mid, m);
      }
      const reactions = m.reactions.map((r) => ({ ...r }));
      const r = reactions.find((x) => x.emoji === emoji);
      if (react && !r) reactions.push({ emoji, count: 1, viewerReacted: true });
      else if (react && !r.viewerReacted) Object.assign(r, { count: r.count + 1, viewerReacted: true });
      else if (!react && r?.viewerReacted) Object.assign(r, { count: r.count - 1, viewerReacted: false });
      m.reactions = reactions.filter((x) => x.count > 0);
      await saveConv(conv);
      emitView(cid);
      return { ok: true };
    },

    async recall({ conversationUrn, messageUrn }) {
      requireClient();
      const cid = conversationId(conversationUrn);
      const mid = messageId(messageUrn);
      const conv = ensureConv(cid, conversationUrn);
      const m = conv.messages.get(mid);
      if (m && !m.stub && !m.isSentByOwner) throw codedError("not_own_message", "Only your own messages can be recalled.");
      if (m && !m.stub && now() - m.sentAt > RECALL_WINDOW_MS) {
        throw codedError("recall_window_passed", "The 60-minute recall window has passed.");
      }
      conv.recalling.add(mid);
      delete conv.errors[mid];
      emitView(cid);
      try {
        await client.recall(conv.urn, messageUrn, settings.accountId || undefined);
      } catch (e) {
        conv.recalling.delete(mid);
        conv.errors[mid] = { action: "recall", code: e.reason || e.code, message: e.message };
        noteFailure(e);
        emitView(cid);
        throw e;
      }
      // Success: tombstone first (persisted), then out of every view, every tab told.
      tombstones[mid] = { at: now(), conversationId: cid };
      await saveTombstones();
      conv.recalling.delete(mid);
      conv.messages.delete(mid);
      await saveConv(conv);
      emitView(cid);
      return { ok: true, messageId: mid };
    },

    async loadOlder(conversationUrn) {
      requireClient();
      const cid = conversationId(conversationUrn);
      const conv = ensureConv(cid, conversationUrn);
      if (!conv.hasMore) return { hasMore: false };
      let oldest = Infinity;
      for (const m of conv.messages.values()) if (!m.stub) oldest = Math.min(oldest, m.sentAt);
      const cursor = conv.cursor ?? (Number.isFinite(oldest) ? String(oldest) : undefined);
      const page = await client.messages(conv.urn, defined({ count: PAGE, cursor, accountId: settings.accountId }));
      merge(conv, page);
      conv.hasMore = !!page.hasMore;
      conv.cursor = page.cursor ?? null;
      await saveConv(conv);
      emitView(cid);
      return { hasMore: conv.hasMore };
    },

    async upload({ name, mediaType, bytes }) {
      requireClient();
      const res = await client.uploadAttachment(bytes, mediaType, name, settings.accountId || undefined);
      return res.attachment;
    },

    status: () => ({ ...statusValue, pollers: [...convs.values()].filter((c) => c.timer || c.polling).length }),

    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    settings: () => ({
      baseUrl: settings.baseUrl || DEFAULT_BASE_URL,
      accountId: settings.accountId || "",
      hasKey: !!settings.apiKey,
    }),

    async setSettings(patch) {
      const next = { ...settings };
      for (const k of ["apiKey", "baseUrl", "accountId", "pollMs", "timeoutMs"]) {
        if (patch[k] !== undefined) next[k] = patch[k];
      }
      settings = next;
      const { apiKey, ...stored } = next;
      await keystore.set(apiKey);
      await storage.set({ settings: stored });
      rebuildClient();
      for (const conv of convs.values()) {
        if (conv.viewers.size) {
          stopPoller(conv);
          startPoller(conv);
        }
        pump(conv.id);
      }
      for (const cid of new Set(outbox.map((e) => e.conversationId))) pump(cid);
      return core.settings();
    },

    async testConnection({ baseUrl, apiKey }) {
      const c = makeClient({
        baseUrl: baseUrl || settings.baseUrl || DEFAULT_BASE_URL,
        apiKey: apiKey || settings.apiKey,
        timeoutMs: 10000,
      });
      const accounts = await c.listAccounts();
      return { accounts: accounts.map(accountSummary) };
    },

    async listAccounts() {
      requireClient();
      return (await client.listAccounts()).map(accountSummary);
    },

    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };

  function requireClient() {
    if (!client) throw codedError("key_missing", "Set your API key in Threadline's options first.");
  }
  return core;
}

/** The object without its empty fields: the binding reads `undefined` as a present value. */
function defined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null && v !== ""));
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
