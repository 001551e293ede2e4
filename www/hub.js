// The hub: keeps every tab of the demo inbox on one engine. One tab, the leader, elected with the
// Web Locks API, owns the ThreadlineEngine (storage in localStorage, realtime on): it alone polls,
// executes every command and pushes views to the other tabs over a BroadcastChannel. Followers
// render what they receive and forward their commands to the leader (request/response by id).
// When the leader's tab closes its lock is released, the next tab in the lock's queue opens the
// engine (restored from localStorage) and takes over. The UI sees the same interface either way.
//
// Messages on the channel (every one carries `from`, the sender's tab id):
//   hello                       a tab started; the leader answers with `leader`
//   leader                      "I am the leader now / still": followers (re)send their interest
//   request {id, method, args}  a follower's command; the leader answers with `response`
//   response {id, to, ok, value | error}
//   push {kind: list|status|view|notice, account, conversation?, data}
//   bye                         a tab is closing: the leader closes its view
import { init, conversationId, ThreadlineClient, ThreadlineEngine } from "threadline";

const LOCK = "threadline-leader";
const CHANNEL = "threadline-demo";

// Commands that may be carried out twice without harm: re-sent to a new leader when the old one
// vanished before answering. Anything else (send, react, recall, …) is not: a second run could
// message someone twice, so the caller is told to look at the conversation instead.
const IDEMPOTENT = new Set([
  "accounts", "premium", "watch", "snapshot", "loadOlder", "refreshConversations", "markRead",
]);

/** A canonical conversation id (any URN form), or the input when it cannot be read. */
export function convKey(urn) {
  try {
    return conversationId(urn);
  } catch {
    return urn;
  }
}

function hubError(code, message) {
  const err = new Error(message);
  err.name = "HubError";
  err.code = code;
  return err;
}

/** Errors cross the channel as plain data and become real `Error`s again on the other side. */
function errorData(e) {
  if (e instanceof Error || (e && typeof e === "object")) {
    return { name: e.name ?? "Error", code: e.code ?? "error", message: String(e.message ?? e),
      refusal: e.refusal ?? null };
  }
  return { name: "Error", code: "error", message: String(e), refusal: null };
}

function rebuildError(data) {
  const err = new Error(data.message);
  err.name = data.name;
  err.code = data.code;
  if (data.refusal) err.refusal = data.refusal;
  return err;
}

/**
 * Connects this tab to the hub. `options`: baseUrl, apiKey, storageKey, engineConfig (partial
 * EngineConfig, e.g. `{ pollIntervalMs }`), tabId. Returns the hub the UI talks to.
 */
export async function connectHub(options) {
  await init();
  const tabId = options.tabId ?? `tab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const channel = new BroadcastChannel(options.channel ?? CHANNEL);
  const listeners = new Map(); // event -> Set<cb>
  const pending = new Map(); // request id -> { method, args, resolve, reject, sentTo }
  let nextRequest = 0;
  let leaderTab = null; // the tab id of the leader we know of
  let leader = null; // set in the leader tab: { engine, client, interests, unsubscribe }
  let interest = null; // this tab's { account, conversation } (what it shows)
  let closed = false;

  const emit = (event, data) => {
    for (const cb of listeners.get(event) ?? []) {
      try {
        cb(data);
      } catch (e) {
        console.error("hub listener failed", e);
      }
    }
  };
  const post = (msg) => {
    if (!closed) channel.postMessage({ ...msg, from: tabId });
  };

  // ---- the leader's side ------------------------------------------------------------------------

  /** What every tab needs to draw an account (and a conversation) at once. */
  function snapshot(account, conversation) {
    const { engine } = leader;
    return {
      account,
      list: engine.conversationList(account),
      status: engine.status(account),
      view: conversation ? engine.conversationView(account, conversation) ?? null : null,
    };
  }

  /** Pushes a change to every tab, this one included. */
  function push(kind, account, conversation, data) {
    const msg = { type: "push", kind, account, conversation, data };
    post(msg);
    emit(kind, msg);
  }

  function interestedIn(account, conversation) {
    const key = conversation ? convKey(conversation) : null;
    for (const i of leader.interests.values()) {
      if (i.account !== account) continue;
      if (!key || (i.conversation && convKey(i.conversation) === key)) return true;
    }
    return false;
  }

  function onNotice(notice) {
    if (!leader) return;
    const { engine } = leader;
    const account = notice.account ?? "";
    switch (notice.notice) {
      case "conversationChanged":
        listSoon(account);
        if (interestedIn(account, notice.conversation)) {
          push("view", account, notice.conversation,
            engine.conversationView(account, notice.conversation) ?? null);
        }
        break;
      case "conversationsChanged":
        push("list", account, null, engine.conversationList(account));
        break;
      case "statusChanged":
        push("status", account, null, engine.status(account));
        break;
      default:
        push("notice", account, null, notice);
    }
  }

  // The list's previews and unread counts come from the conversations endpoint: after activity
  // in a conversation, ask for the list again, at most once per LIST_EVERY_MS per account.
  const LIST_EVERY_MS = 3000;
  function listSoon(account) {
    if (!leader || leader.listTimers.has(account)) return;
    leader.listTimers.set(account, setTimeout(() => {
      leader?.listTimers.delete(account);
      leader?.engine.refreshConversations({ accountId: account }).catch(() => {});
    }, LIST_EVERY_MS));
  }

  const methods = {
    async accounts() {
      if (!leader.accounts) leader.accounts = await leader.client.listAccounts();
      return leader.accounts;
    },
    async premium(account) {
      return leader.client.premiumStatus(account);
    },
    /** `tab` now shows `account` (and `conversation`, or none): poll it, answer with a snapshot. */
    async watch(tab, account, conversation) {
      const { engine, interests } = leader;
      const before = interests.get(tab);
      interests.set(tab, { account, conversation });
      // Not awaited: the snapshot answers from what the engine holds (restored from storage)
      // at once, whatever the network does; changes follow as pushes.
      const quiet = (what) => (e) => console.warn(`threadline: ${what} failed`, e);
      // The view is closed before it shows another conversation: the engine's OpenConversation
      // replaces the view but keeps polling the conversation it showed (seen in the e2e test).
      const moved = before?.conversation
        && (!conversation || before.account !== account || convKey(before.conversation) !== convKey(conversation));
      if (moved) engine.closeView({ view: tab }).catch(quiet("closeView"));
      if (conversation) engine.openConversation({ view: tab, accountId: account, conversationUrn: conversation }).catch(quiet("openConversation"));
      if (!before || before.account !== account || !leader.listed.has(account)) {
        leader.listed.add(account);
        engine.refreshConversations({ accountId: account }).catch(quiet("refreshConversations"));
      }
      return snapshot(account, conversation);
    },
    async snapshot(account, conversation) {
      return snapshot(account, conversation);
    },
    async loadOlder(account, conversation) {
      return leader.engine.loadOlder({ accountId: account, conversationUrn: conversation });
    },
    async refreshConversations(account) {
      return leader.engine.refreshConversations({ accountId: account });
    },
    async markRead(account, conversation) {
      return leader.engine.markRead({ accountId: account, conversationUrn: conversation });
    },
    /** Uploads a file (bytes as an ArrayBuffer) and returns its `Attachment` for a send. */
    async upload(account, file) {
      const answer = await leader.client.uploadAttachment(
        new Uint8Array(file.bytes), file.type || "application/octet-stream", file.name, account);
      return answer.attachment;
    },
    async send(cmd) {
      return leader.engine.send(cmd);
    },
    async react(account, conversation, message, emoji, add) {
      return leader.engine.react({ accountId: account, conversationUrn: conversation, messageUrn: message, emoji, add });
    },
    async recall(account, conversation, message) {
      return leader.engine.recall({ accountId: account, conversationUrn: conversation, messageUrn: message });
    },
    async retrySend(account, clientKey) {
      return leader.engine.retrySend({ accountId: account, clientKey });
    },
    async discardSend(account, clientKey) {
      return leader.engine.discardSend({ accountId: account, clientKey });
    },
  };

  // Requests the leader has seen, by id: a request re-sent after a hand-over runs once.
  const seen = new Map();
  function execute(id, method, args) {
    if (seen.has(id)) return seen.get(id);
    const fn = methods[method];
    const run = fn
      ? Promise.resolve().then(() => fn(...args))
      : Promise.reject(hubError("unknown_method", `no hub method ${method}`));
    seen.set(id, run);
    if (seen.size > 500) seen.delete(seen.keys().next().value);
    return run;
  }

  async function becomeLeader() {
    const engine = await ThreadlineEngine.open({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      storage: "localStorage",
      storageKey: options.storageKey,
      realtime: options.realtime ?? true,
      config: options.engineConfig ?? {},
    });
    const client = new ThreadlineClient({ baseUrl: options.baseUrl, apiKey: options.apiKey });
    leader = {
      engine, client, interests: new Map(), listed: new Set(), listTimers: new Map(), accounts: null,
    };
    leader.unsubscribe = engine.subscribe(onNotice);
    const issues = engine.restoreIssues();
    if (issues.length) console.warn("threadline: restore issues", issues);
    const handOver = leaderTab !== null;
    leaderTab = tabId;
    emit("role", { leader: true, leaderTab: tabId, restoreIssues: issues });
    post({ type: "leader" });
    // Requests this tab had sent to a leader that is gone now run here.
    for (const [id, p] of pending) settleAfterHandOver(id, p);
    if (handOver) rewatch();
  }

  /** After a hand-over: tell the (new) leader what this tab shows, and redraw from its answer. */
  function rewatch() {
    if (!interest) return;
    const { account, conversation } = interest;
    call("watch", tabId, account, conversation).then(
      (snap) => emit("snapshot", snap),
      (e) => console.warn("threadline: watch after hand-over failed", e),
    );
  }

  // ---- the follower's side ----------------------------------------------------------------------

  function settleAfterHandOver(id, p) {
    if (p.sentTo === leaderTab) return;
    if (p.sentTo !== null && !IDEMPOTENT.has(p.method)) {
      pending.delete(id);
      p.reject(hubError("leader_changed",
        `the tab running the engine closed while "${p.method}" was on its way; check the conversation before trying again`));
      return;
    }
    p.sentTo = leaderTab;
    if (leaderTab === tabId) {
      pending.delete(id);
      execute(id, p.method, p.args).then(p.resolve, p.reject);
    } else {
      post({ type: "request", id, method: p.method, args: p.args });
    }
  }

  channel.onmessage = ({ data: msg }) => {
    if (!msg || msg.from === tabId) return;
    switch (msg.type) {
      case "hello":
        if (leader) post({ type: "leader" });
        break;
      case "leader": {
        if (leader || msg.from === leaderTab) break;
        const handOver = leaderTab !== null;
        leaderTab = msg.from;
        emit("role", { leader: false, leaderTab });
        for (const [id, p] of pending) settleAfterHandOver(id, p);
        if (handOver) rewatch();
        break;
      }
      case "request":
        if (!leader) break; // only the leader answers; a follower's copy is ignored
        execute(msg.id, msg.method, msg.args).then(
          (value) => post({ type: "response", id: msg.id, to: msg.from, ok: true, value }),
          (e) => post({ type: "response", id: msg.id, to: msg.from, ok: false, error: errorData(e) }),
        );
        break;
      case "response": {
        if (msg.to !== tabId) break;
        const p = pending.get(msg.id);
        if (!p) break;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(rebuildError(msg.error));
        break;
      }
      case "push":
        if (!leader) emit(msg.kind, msg);
        break;
      case "bye":
        if (leader) {
          leader.interests.delete(msg.from);
          leader.engine.closeView({ view: msg.from }).catch(() => {});
        }
        break;
      default:
    }
  };

  /** Runs a hub method on the leader, wherever it is. */
  function call(method, ...args) {
    if (closed) return Promise.reject(hubError("closed", "the hub is closed"));
    const id = `${tabId}:${nextRequest++}`;
    if (leader) return execute(id, method, args);
    return new Promise((resolve, reject) => {
      pending.set(id, { method, args, resolve, reject, sentTo: leaderTab });
      if (leaderTab) post({ type: "request", id, method, args });
    });
  }

  // The election: whoever holds the lock leads until its tab goes away (the promise never ends).
  navigator.locks.request(LOCK, async () => {
    if (closed) return;
    try {
      await becomeLeader();
    } catch (e) {
      console.error("threadline: could not open the engine", e);
      emit("notice", { kind: "notice", account: interest?.account, data: { notice: "engineFailed", reason: String(e) } });
      throw e;
    }
    await new Promise(() => {});
  }).catch(() => {});
  post({ type: "hello" });

  // A page restored from the back/forward cache has a closed hub: start afresh.
  addEventListener("pageshow", (e) => {
    if (e.persisted) location.reload();
  });
  addEventListener("pagehide", () => {
    post({ type: "bye" });
    if (leader) leader.engine.close();
    closed = true;
    channel.close();
  });

  return {
    tabId,
    get isLeader() {
      return leader !== null;
    },
    get leaderTab() {
      return leaderTab;
    },
    on(event, cb) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(cb);
      return () => listeners.get(event).delete(cb);
    },
    call,
    /** This tab now shows `account` and `conversation` (or none); resolves to a snapshot. */
    watch(account, conversation) {
      interest = { account, conversation: conversation ?? null };
      return call("watch", tabId, account, conversation ?? null);
    },
    get interest() {
      return interest;
    },
  };
}
