// INTERIM: a stand-in with ThreadlineEngine's JS API over ThreadlineClient, used by hub.js only
// while the package has no ThreadlineEngine (branch `bind`). It does no real reconciliation
// (no outbox, no tombstones, no echo matching): it exists so the hub, the UI and the end-to-end
// test can be built first. Removed once the engine lands.
import { ThreadlineClient, conversationId, messageId } from "threadline";

const cid = (urn) => { try { return conversationId(urn); } catch { return urn; } };
const mid = (urn) => { try { return messageId(urn); } catch { return urn; } };

export class StandInEngine {
  static async open(options) {
    return new StandInEngine(options);
  }

  constructor(options) {
    this.client = new ThreadlineClient({ baseUrl: options.baseUrl, apiKey: options.apiKey });
    this.key = options.storageKey ?? "threadline";
    this.pollMs = options.config?.pollIntervalMs ?? 15000;
    this.subs = new Set();
    this.views = new Map(); // view -> {account, id}
    this.timers = new Map(); // account|id -> interval
    this.sync = new Map();
    try {
      this.data = JSON.parse(localStorage.getItem(this.key) ?? "{}");
    } catch {
      this.data = {};
    }
    this.data.accounts ??= {};
  }

  restoreIssues() { return []; }
  subscribe(cb) { this.subs.add(cb); return () => this.subs.delete(cb); }
  onBroadcast() { return () => {}; }
  async applyRemote() {}
  close() { for (const t of this.timers.values()) clearInterval(t); this.timers.clear(); }

  notify(n) { for (const cb of this.subs) cb(n); }
  save() { localStorage.setItem(this.key, JSON.stringify(this.data)); }
  acc(account) { return (this.data.accounts[account] ??= { list: [], convs: {} }); }
  conv(account, urn) {
    const a = this.acc(account);
    const id = cid(urn);
    return (a.convs[id] ??= { urn, messages: {}, hasMore: true, cursor: null, read: 0 });
  }

  setSync(account, s) {
    if (this.sync.get(account) === s) return;
    this.sync.set(account, s);
    this.notify({ notice: "statusChanged", account });
  }

  async guard(account, fn) {
    this.setSync(account, "syncing");
    try {
      const r = await fn();
      this.setSync(account, "synced");
      return r;
    } catch (e) {
      this.setSync(account, e.code === "network" || e.code === "timeout" ? "offline" : "synced");
      throw e;
    }
  }

  merge(account, urn, page, older) {
    const c = this.conv(account, urn);
    for (const m of page.messages ?? []) c.messages[mid(m.messageUrn)] = m;
    if (older || !c.cursor) {
      c.hasMore = !!page.hasMore;
      c.cursor = page.cursor ?? null;
    }
    this.save();
    this.notify({ notice: "conversationChanged", account, conversation: cid(urn) });
  }

  async poll(account, urn) {
    const c = this.conv(account, urn);
    const times = Object.values(c.messages).map((m) => m.sentAt);
    const query = { accountId: account };
    if (times.length) query.since = Math.max(...times);
    const page = await this.guard(account, () => this.client.messages(urn, query));
    this.merge(account, urn, page, !times.length);
  }

  async openConversation(view, account, urn) {
    const id = cid(urn);
    this.views.set(view, { account, id, urn });
    const k = `${account}|${id}`;
    if (!this.timers.has(k)) {
      this.timers.set(k, setInterval(() => this.poll(account, urn).catch(() => {}), this.pollMs));
      this.poll(account, urn).catch(() => {});
    }
  }

  async closeView(view) {
    this.views.delete(view);
    const keep = new Set([...this.views.values()].map((v) => `${v.account}|${v.id}`));
    for (const [k, t] of this.timers) if (!keep.has(k)) { clearInterval(t); this.timers.delete(k); }
  }

  async loadOlder(account, urn) {
    const c = this.conv(account, urn);
    if (!c.hasMore || !c.cursor) return;
    const page = await this.guard(account, () => this.client.messages(urn, { accountId: account, cursor: c.cursor }));
    this.merge(account, urn, page, true);
  }

  async refreshConversations(account) {
    const page = await this.guard(account, () => this.client.listConversations({ accountId: account }));
    this.acc(account).list = page.conversations ?? [];
    this.save();
    this.notify({ notice: "conversationsChanged", account });
  }

  async send(cmd) {
    const r = await this.client.send({
      accountId: cmd.accountId, conversationUrn: cmd.conversationUrn, message: cmd.text,
      subject: cmd.subject, messagingChannel: cmd.channel,
      attachments: (cmd.attachments ?? []).map((file) => ({ file })),
    });
    await this.poll(cmd.accountId, cmd.conversationUrn);
    return r.messageUrn ?? "sent";
  }

  async react(account, urn, messageUrn, emoji, add) {
    await this.client.react(urn, messageUrn, emoji, add, account);
    const c = this.conv(account, urn);
    const m = c.messages[mid(messageUrn)];
    if (m) {
      m.reactions ??= [];
      let r = m.reactions.find((x) => x.emoji === emoji);
      if (!r) m.reactions.push((r = { emoji, count: 0, viewerReacted: false }));
      if (add !== r.viewerReacted) { r.count += add ? 1 : -1; r.viewerReacted = add; }
    }
    this.merge(account, urn, { messages: [] }, false);
  }

  async recall(account, urn, messageUrn) {
    await this.client.recall(urn, messageUrn, account);
    delete this.conv(account, urn).messages[mid(messageUrn)];
    this.merge(account, urn, { messages: [] }, false);
  }

  async markRead(account, urn) {
    const a = this.acc(account);
    const c = a.list.find((x) => cid(x.conversationUrn) === cid(urn));
    if (c) c.unreadCount = 0;
    this.save();
    this.notify({ notice: "conversationsChanged", account });
  }

  async retrySend() {}
  async discardSend() {}

  conversationList(account) {
    return this.acc(account).list.map((c) => ({
      id: cid(c.conversationUrn), urn: c.conversationUrn, meta: c, unreadCount: c.unreadCount ?? 0,
      lastActivityAt: c.lastActivityAt,
    }));
  }

  conversationView(account, urn) {
    const id = cid(urn);
    const c = this.acc(account).convs[id];
    if (!c) return undefined;
    const messages = Object.entries(c.messages).sort((a, b) => a[1].sentAt - b[1].sentAt).map(([mId, m]) => ({
      id: mId, messageUrn: m.messageUrn, text: m.text, sentAt: m.sentAt, senderProfileId: m.senderProfileId,
      senderName: m.senderName, isSentByOwner: m.isSentByOwner, attachments: m.attachments ?? [],
      state: { state: "sent" },
      reactions: (m.reactions ?? []).map((r) => ({ emoji: r.emoji, count: r.count, mine: r.viewerReacted })),
    }));
    return { account, id, urn: c.urn, messages, hasMoreHistory: c.hasMore, loadingOlder: false };
  }

  status(account) {
    return {
      sync: this.sync.get(account) ?? "synced", quotaLeft: 150,
      quotaResetsAt: Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1),
      outboxPending: 0,
    };
  }
}
