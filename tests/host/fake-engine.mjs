// A small stand-in for ThreadlineEngine with the API of issue 16's design (/work/notes/i16-design.md
// §2–3, mirrored in ARCHITECTURE.md): options-object commands whose Promises resolve on the
// command's outcome or reject with a ThreadlineError (`code`, `.refusal` / `.failure`), `send`
// resolving with the clientKey once the entry is stored (idempotent by clientKey), reads taking
// positional arguments, views carrying subject, recall eligibility, recalled ids, channels, quota
// and lastFailure, `conversationUrnOf`, and notices through `subscribe`. Its state persists in a
// `storage` Map, so a second engine opened on it restores what the first one stored (the host
// changing). It exists for the host's unit tests only: the real engine is tested in Rust and
// through the wasm tests, and the host runs on it in the extension and demo end-to-end tests.

export const RECALL_WINDOW_MS = 60 * 60 * 1000; // the fake's own setting (the real one: EngineConfig)

/** Conversation id of the forms the fake reads (a small subset of the real parser). */
export function conversationIdOf(form) {
  const s = String(form);
  let m = /^https:\/\/www\.linkedin\.com\/messaging\/thread\/([A-Za-z0-9=_+-]+)\/?$/.exec(s);
  if (m) return m[1];
  m = /^urn:li:msg_conversation:\(urn:li:fsd_profile:[A-Za-z0-9_-]+,([A-Za-z0-9=_+-]+)\)$/.exec(s);
  if (m) return m[1];
  m = /^urn:li:messagingThread:([A-Za-z0-9=_+-]+)$/.exec(s);
  if (m) return m[1];
  if (/^2-[A-Za-z0-9=_+-]+$/.test(s)) return s;
  throw urnError(`not a conversation: ${s}`);
}

function messageIdOf(urn) {
  const m = /^urn:li:msg_message:\(urn:li:fsd_profile:[A-Za-z0-9_-]+,([A-Za-z0-9=_+-]+)\)$/.exec(String(urn));
  if (!m) throw urnError(`not a message URN: ${urn}`);
  return m[1];
}

function profileOf(form) {
  const m = /^https:\/\/www\.linkedin\.com\/in\/([A-Za-z0-9_-]+)\/?$/.exec(String(form));
  if (!m) throw urnError(`not a profile: ${form}`);
  return m[1];
}

function urnError(message) {
  const e = new Error(message);
  e.name = "UrnError";
  e.code = "wrong_kind";
  e.offset = 0;
  return e;
}

function refused(code, fields = {}) {
  const e = new Error(`refused: ${code}`);
  e.name = "ThreadlineError";
  e.code = code;
  e.refusal = { code, ...fields };
  return e;
}

function failed(code, message) {
  const e = new Error(message);
  e.name = "ThreadlineError";
  e.code = code;
  e.failure = { code, message };
  return e;
}

export class FakeEngine {
  /** Opens an engine on `storage` (a Map shared by engines that follow one another). */
  static async open({ storage = new Map(), now = () => Date.now(), salesNavigator = null } = {}) {
    return new FakeEngine(storage, now, salesNavigator);
  }

  constructor(storage, now, salesNavigator) {
    this.storage = storage;
    this.now = now;
    this.salesNavigator = salesNavigator;
    this.listeners = new Set();
    this.views = new Map(); // view → [account, conversation id]
    this.calls = []; // [method, argument] of every command fed
    this.server = new Map(); // account → [{urn, participants, latest}] (what refreshConversations finds)
    this.stored = new Map(); // account → Map(message id → conversation URN): in storage, not memory
    this.failures = new Map(); // message id → last failed recall/react {action, failure}
    this.failNext = null; // {action, code, message}: the next react/recall fails at the "API"
    this.nextCommand = 1;
    this.closed = false;
    // The conversation window (IndexedDB): the list holds the first `windowed` conversations of
    // each account (stored order) until loadMoreConversations reads `page` more; null: all.
    this.windowed = null;
    this.page = 0;
    this.failNextPage = null; // a message: the next page read fails (storage)
    this.pageReads = Promise.resolve(); // page reads, one after the other (as the engine's queue)

    const saved = storage.get("state");
    this.state = saved ? JSON.parse(saved) : { accounts: {} };
  }

  // ---- internals --------------------------------------------------------------------------
  acct(account) {
    this.state.accounts[account] ??= { conversations: {}, outbox: {}, quotaLeft: 50 };
    return this.state.accounts[account];
  }
  save() {
    this.storage.set("state", JSON.stringify(this.state));
  }
  notify(notice) {
    for (const fn of [...this.listeners]) fn(structuredClone(notice));
  }
  changed(account, conversation) {
    this.notify({ notice: "conversationChanged", account, conversation });
  }
  /** Feeds a command: records it, numbers it, notices its outcome (or refusal) like the engine. */
  async feed(method, arg, body) {
    if (this.closed) throw Object.assign(new Error("closed"), { name: "ThreadlineError", code: "closed" });
    this.calls.push([method, structuredClone(arg)]);
    const command = this.nextCommand++;
    const account = arg?.accountId ?? "";
    try {
      const outcome = await body(account);
      if (outcome?.outcome) this.notify({ notice: "completed", account, command, outcome });
      return outcome;
    } catch (e) {
      if (e.refusal) this.notify({ notice: "refused", account, command, reason: e.refusal });
      throw e;
    }
  }
  holderOf(account, mid) {
    const a = this.acct(account);
    return Object.entries(a.conversations).find(([, c]) => c.messages.some((m) => m.id === mid))?.[0];
  }
  ensure(account, urn) {
    const id = conversationIdOf(urn);
    const a = this.acct(account);
    a.conversations[id] ??= { urn, messages: [], recalled: [], participants: [] };
    return id;
  }
  calledTimes(method) {
    return this.calls.filter(([m]) => m === method).length;
  }

  // ---- test hooks: the "server" side --------------------------------------------------------
  /** A message arrives in a conversation (as a poll would merge it). */
  deliver(account, conversationUrn, message) {
    const id = this.ensure(account, conversationUrn);
    this.acct(account).conversations[id].messages.push({ reactions: [], isSentByOwner: false, ...message });
    this.save();
    this.changed(account, id);
    return id;
  }
  /** A message storage holds but memory does not (`locateMessages` finds it, nothing else). */
  storeOnly(account, messageId, conversationUrn) {
    if (!this.stored.has(account)) this.stored.set(account, new Map());
    this.stored.get(account).set(messageId, conversationUrn);
  }
  /** A conversation the API lists (found by `refreshConversations`). */
  list(account, conversation) {
    if (!this.server.has(account)) this.server.set(account, []);
    this.server.get(account).push(conversation);
  }
  setSync(account, sync) {
    this.acct(account).sync = sync;
    this.notify({ notice: "statusChanged", account });
  }

  // ---- the API of the design ----------------------------------------------------------------
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  close() {
    this.closed = true;
  }

  conversationUrnOf(accountId, form) {
    const id = conversationIdOf(form);
    return this.acct(accountId).conversations[id]?.urn ?? `urn:li:messagingThread:${id}`;
  }
  conversationOfMessage(accountId, messageUrn) {
    const cid = this.holderOf(accountId, messageIdOf(messageUrn));
    return cid ? this.acct(accountId).conversations[cid].urn : undefined;
  }
  /** As the engine's: memory's answer for each message, else storage's; each URN once. */
  locateMessages(accountId, messageUrns) {
    return this.feed("locateMessages", { accountId, messageUrns }, async () => {
      const found = new Set();
      for (const u of messageUrns) {
        const urn = this.conversationOfMessage(accountId, u) ?? this.stored.get(accountId)?.get(messageIdOf(u));
        if (urn) found.add(urn);
      }
      return [...found];
    });
  }
  conversationWith(accountId, profile) {
    const who = profileOf(profile);
    const found = Object.values(this.acct(accountId).conversations).filter(
      (c) => c.participants.length === 1 && c.participants[0] === who,
    );
    return found.length === 1 ? found[0].urn : undefined;
  }

  conversationView(accountId, conversationUrn) {
    const id = conversationIdOf(conversationUrn);
    const a = this.acct(accountId);
    const c = a.conversations[id];
    if (!c) return undefined;
    const now = this.now();
    const messages = c.messages.map((m) => {
      const view = {
        id: m.id,
        messageUrn: m.messageUrn,
        text: m.text,
        sentAt: m.sentAt,
        isSentByOwner: m.isSentByOwner,
        state: { state: m.recalling ? "recalling" : "sent" },
        reactions: m.reactions,
        recall: !m.isSentByOwner
          ? { recall: "notOwn" }
          : m.recalling
            ? { recall: "recalling" }
            : now < m.sentAt + RECALL_WINDOW_MS
              ? { recall: "allowed", until: m.sentAt + RECALL_WINDOW_MS }
              : { recall: "windowClosed", closedAt: m.sentAt + RECALL_WINDOW_MS },
      };
      if (m.subject) view.subject = m.subject;
      if (this.failures.has(m.id)) view.lastFailure = this.failures.get(m.id);
      return view;
    });
    for (const e of Object.values(a.outbox)) {
      if (e.conversation !== id || e.state === "discarded") continue;
      const entry = { clientKey: e.clientKey, text: e.text, sentAt: e.createdAt, isSentByOwner: true, state: { state: "sending", confirming: false }, recall: { recall: "notSent" } };
      if (e.subject) entry.subject = e.subject;
      messages.push(entry);
    }
    return {
      account: accountId,
      id,
      urn: c.urn,
      messages,
      hasMoreHistory: false,
      loadingOlder: false,
      recalled: [...c.recalled],
      channels: { salesNavigator: this.salesNavigator },
      quota: { left: a.quotaLeft, resetsAt: 0 },
    };
  }
  conversationList(accountId) {
    const all = Object.entries(this.acct(accountId).conversations).map(([id, c]) => ({ id, urn: c.urn, unreadCount: c.unread ?? 0 }));
    return this.windowed === null ? all : all.slice(0, this.windowed);
  }
  conversationListHasMore(accountId) {
    return this.windowed !== null && this.windowed < Object.keys(this.acct(accountId).conversations).length;
  }
  unreadTotal(accountId) {
    return Object.values(this.acct(accountId).conversations).reduce((n, c) => n + (c.unread ?? 0), 0);
  }
  /** One page more per call; a call made while a page is read waits for it, then reads its own. */
  loadMoreConversations(accountId) {
    return this.feed("loadMoreConversations", { accountId }, (account) => {
      const read = this.pageReads.then(async () => {
        await new Promise((r) => setTimeout(r, 5)); // the database answers later
        if (this.failNextPage) {
          const message = this.failNextPage;
          this.failNextPage = null;
          throw failed("storage", `the conversation list could not be read: ${message}`);
        }
        if (!this.conversationListHasMore(account)) return { outcome: "done" };
        this.windowed += this.page;
        this.notify({ notice: "conversationsChanged", account });
        return { outcome: "done" };
      });
      this.pageReads = read.catch(() => {});
      return read;
    });
  }
  status(accountId) {
    const a = this.acct(accountId);
    const pending = Object.values(a.outbox).filter((e) => e.state === "sending").length;
    return { sync: a.sync ?? "synced", quotaLeft: a.quotaLeft, quotaResetsAt: 0, outboxPending: pending, storage: { state: "ok" } };
  }

  openConversation(arg) {
    return this.feed("openConversation", arg, (account) => {
      const id = this.ensure(account, arg.conversationUrn);
      this.views.set(arg.view, [account, id]);
      this.save();
      return { outcome: "done" };
    });
  }
  closeView(arg) {
    return this.feed("closeView", arg, () => {
      this.views.delete(arg.view);
      return { outcome: "done" };
    });
  }
  refreshConversations(arg) {
    return this.feed("refreshConversations", arg, async (account) => {
      await null; // the API answers later
      for (const c of this.server.get(account) ?? []) {
        const id = this.ensure(account, c.urn);
        const held = this.acct(account).conversations[id];
        held.participants = c.participants ?? [];
        if (c.latest && !held.messages.some((m) => m.id === c.latest.id)) held.messages.push({ reactions: [], ...c.latest });
      }
      this.save();
      this.notify({ notice: "conversationsChanged", account });
      return { outcome: "done" };
    });
  }
  loadOlder(arg) {
    return this.feed("loadOlder", arg, () => ({ outcome: "done" }));
  }
  refresh(arg) {
    return this.feed("refresh", arg, () => ({ outcome: "done" }));
  }
  rescan(arg) {
    return this.feed("rescan", arg, () => ({ outcome: "done" }));
  }
  markRead(arg) {
    return this.feed("markRead", arg, () => ({ outcome: "done" }));
  }
  keyUpdated() {
    return this.feed("keyUpdated", {}, () => ({ outcome: "done" }));
  }

  /** Resolves with the clientKey once stored; a known clientKey makes no second entry. */
  send(cmd) {
    return this.feed("send", cmd, (account) => {
      const a = this.acct(account);
      const clientKey = cmd.clientKey ?? `k${this.nextCommand}`;
      if (a.outbox[clientKey]) return clientKey;
      if (!cmd.text?.trim()) throw refused("empty_message");
      if (!cmd.conversationUrn) throw refused("needs_one_recipient");
      const conversation = this.ensure(account, cmd.conversationUrn);
      a.outbox[clientKey] = { clientKey, text: cmd.text, subject: cmd.subject, conversation, state: "sending", createdAt: this.now() };
      this.save();
      this.changed(account, conversation);
      this.notify({ notice: "statusChanged", account });
      return clientKey;
    });
  }
  retrySend(arg) {
    return this.feed("retrySend", arg, (account) => {
      if (!this.acct(account).outbox[arg.clientKey]) throw refused("unknown_entry");
      return { outcome: "done" };
    });
  }
  discardSend(arg) {
    return this.feed("discardSend", arg, (account) => {
      const e = this.acct(account).outbox[arg.clientKey];
      if (!e || e.state === "discarded") throw refused("unknown_entry");
      e.state = "discarded";
      this.save();
      this.changed(account, e.conversation);
      return { outcome: "done" };
    });
  }
  react(arg) {
    return this.feed("react", arg, async (account) => {
      const mid = messageIdOf(arg.messageUrn);
      const holder = this.holderOf(account, mid);
      if (!holder) throw refused("unknown_message", { message: mid });
      if (arg.conversationUrn !== undefined && conversationIdOf(arg.conversationUrn) !== holder) throw refused("not_in_conversation");
      this.failures.delete(mid);
      await null; // the API answers later
      if (this.failNext?.action === "react") {
        const { code, message } = this.failNext;
        this.failNext = null;
        this.failures.set(mid, { action: "react", failure: { code, message } });
        this.changed(account, holder);
        throw failed(code, message);
      }
      const m = this.acct(account).conversations[holder].messages.find((x) => x.id === mid);
      const r = m.reactions.find((x) => x.emoji === arg.emoji);
      if (arg.add && !r?.mine) {
        if (r) Object.assign(r, { count: r.count + 1, mine: true });
        else m.reactions.push({ emoji: arg.emoji, count: 1, mine: true });
      } else if (!arg.add && r?.mine) Object.assign(r, { count: r.count - 1, mine: false });
      this.save();
      this.changed(account, holder);
      return { outcome: "reacted", message: mid, emoji: arg.emoji, add: arg.add };
    });
  }
  recall(arg) {
    return this.feed("recall", arg, async (account) => {
      const mid = messageIdOf(arg.messageUrn);
      const holder = this.holderOf(account, mid);
      if (!holder) throw refused("unknown_message", { message: mid });
      if (arg.conversationUrn !== undefined && conversationIdOf(arg.conversationUrn) !== holder) throw refused("not_in_conversation");
      const c = this.acct(account).conversations[holder];
      const m = c.messages.find((x) => x.id === mid);
      if (!m.isSentByOwner) throw refused("not_own_message");
      if (this.now() >= m.sentAt + RECALL_WINDOW_MS) throw refused("recall_window_closed", { closedAt: m.sentAt + RECALL_WINDOW_MS });
      this.failures.delete(mid);
      await null;
      if (this.failNext?.action === "recall") {
        const { code, message } = this.failNext;
        this.failNext = null;
        this.failures.set(mid, { action: "recall", failure: { code, message } });
        this.changed(account, holder);
        throw failed(code, message);
      }
      c.messages = c.messages.filter((x) => x.id !== mid);
      c.recalled.push(mid);
      this.save();
      this.changed(account, holder);
      return { outcome: "recalled", message: mid };
    });
  }
}

// Names the tests use to build URNs and URLs of the fake's world.
export const msgUrn = (mid) => `urn:li:msg_message:(urn:li:fsd_profile:ACoAAMe,${mid})`;
export const convUrn = (cid) => `urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAMe,${cid})`;
