// The hub: the demo inbox's transport. One tab, the leader, elected with the Web Locks API, opens
// the ThreadlineEngine (storage in IndexedDB, moved there once from an older demo's localStorage;
// realtime on) and serves every tab of the same store through `threadline/host`: the host keeps
// which conversation each tab shows, runs its commands, pushes it views, lists and status, and
// applies the rule for commands re-sent after a hand-over. This file only carries the host's
// messages over a BroadcastChannel and runs the election. When the leader's tab closes its lock
// is released, the next tab in the lock's queue opens the engine (restored from IndexedDB) and
// takes over; every tab binds again and re-sends what was unanswered. The lock and the channel
// are named after the store and the API (a hash of storageKey + baseUrl), so a tab opened with
// another store or API never follows this leader.
//
// Messages on the channel (every one carries `from`, the sender's tab id):
//   hello                      a tab started; the leader answers with `leader`
//   leader                     "I lead now / still": followers bind again and re-send
//   command {cmd}              a follower's command for the leader's host
//   answer {to, answer}        the host's answer to one tab
//   push {to, push}            a host push (view, list, status, notice) to one tab
//   bye                        a tab is closing: its viewer leaves the host
import { init, conversationId, profileId, ThreadlineClient, ThreadlineEngine } from "threadline";
import { createHost, createRemote } from "threadline/host";

/** A canonical conversation id (any URN form), or the input when it cannot be read. */
export function convKey(urn) {
  try {
    return conversationId(urn);
  } catch {
    return urn;
  }
}

/** The first 16 hex digits of SHA-256 of a text: names the lock and channel of one store + API. */
async function scopeOf(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Connects this tab to the hub. `options`: baseUrl, apiKey, storageKey, engineConfig (partial
 * EngineConfig, e.g. `{ pollIntervalMs }`), tabId. Returns the hub the UI talks to.
 */
/**
 * Who a new message goes to, from what a person typed: a profile link or URN (the core's parser
 * says which profile, or which vanity name), else what was typed as a vanity name, as the API
 * takes it. Returns the send's recipient fields and a label, or null when nothing was typed. The
 * engine and the API check the rest (an unknown name is the API's 404, shown as not sent).
 */
export function recipientOf(input) {
  const typed = String(input ?? "").trim();
  if (!typed) return null;
  let id = null;
  try {
    id = profileId(typed.includes("/in/") && !/^[a-z]+:/i.test(typed) ? `https://${typed.replace(/^\/+/, "")}` : typed);
  } catch {
    // Not a link, URN or ACoAA… id: taken as a vanity name (the API answers 404 for none).
    return { recipientProfileId: typed, label: typed };
  }
  if (id.startsWith("slug:")) return { recipientProfileId: id.slice(5), label: id.slice(5) };
  return /^urn:/i.test(typed) ? { recipientProfileUrn: typed, label: id } : { recipientProfileId: id, label: id };
}

export async function connectHub(options) {
  await init();
  const tabId = options.tabId ?? `tab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const scope = await scopeOf(`${options.storageKey}\n${options.baseUrl}`);
  const channel = new BroadcastChannel(`threadline-demo:${scope}`);
  const listeners = new Map(); // event -> Set<cb>
  let leaderTab = null; // the tab id of the leader we know of
  let host = null; // in the leader tab: the host of its engine
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

  // This tab's side of the host protocol: commands go to the host wherever it runs.
  const remote = createRemote({
    post: (cmd) => {
      if (host) {
        host.handle(tabId, cmd).then((answer) => remote.receive(answer));
        return true;
      }
      if (!leaderTab) return false; // no leader yet: sent when one speaks
      post({ type: "command", cmd });
      return true;
    },
    onPush: (push) => emit(push.type, push),
  });

  /** Another host: bind again, redraw from its answer, re-send what is unanswered. */
  function handOver() {
    remote.hostChanged().then(
      (snap) => snap && emit("snapshot", snap),
      (e) => console.warn("threadline: binding after a hand-over failed", e),
    );
  }

  // ---- the leader's side: one host for every tab ------------------------------------------------
  function viewer(tab) {
    if (!host.viewers().some((v) => v.viewer === tab)) {
      host.connect(tab, (push) => (tab === tabId ? remote.receive(push) : post({ type: "push", to: tab, push })));
    }
    return tab;
  }

  async function becomeLeader() {
    const engine = await ThreadlineEngine.open({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      // One record per message in IndexedDB; a store an older demo kept in localStorage moves
      // there on the first open.
      storage: "indexedDB",
      migrateFrom: "localStorage",
      storageKey: options.storageKey,
      realtime: options.realtime ?? true,
      config: options.engineConfig ?? {},
    });
    const issues = engine.restoreIssues();
    if (issues.length) console.warn("threadline: restore issues", issues);
    host = createHost({
      engine,
      conversationId,
      client: new ThreadlineClient({ baseUrl: options.baseUrl, apiKey: options.apiKey }),
      // The list's previews and unread counts come from the conversations endpoint: after
      // activity in a conversation, the list is asked for again (at most every 3 s per account).
      relistMs: 3000,
    });
    viewer(tabId);
    const first = leaderTab === null;
    leaderTab = tabId;
    emit("role", { leader: true, leaderTab: tabId, restoreIssues: issues });
    post({ type: "leader" });
    if (!first || remote.pending) handOver();
  }

  channel.onmessage = ({ data: msg }) => {
    if (!msg || msg.from === tabId) return;
    switch (msg.type) {
      case "hello":
        if (host) post({ type: "leader" });
        break;
      case "leader": {
        if (host || msg.from === leaderTab) break;
        const first = leaderTab === null;
        leaderTab = msg.from;
        emit("role", { leader: false, leaderTab });
        if (!first || remote.pending) handOver();
        break;
      }
      case "command":
        if (!host) break; // only the leader answers; a follower's copy is ignored
        host.handle(viewer(msg.from), msg.cmd).then((answer) => post({ type: "answer", to: msg.from, answer }));
        break;
      case "answer":
        if (msg.to === tabId && msg.from === leaderTab) remote.receive(msg.answer);
        break;
      case "push":
        if (msg.to === tabId && msg.from === leaderTab) remote.receive(msg.push);
        break;
      case "bye":
        host?.disconnect(msg.from);
        break;
      default:
    }
  };

  // The election: whoever holds the lock leads until its tab goes away (the promise never ends).
  navigator.locks.request(`threadline-leader:${scope}`, async () => {
    if (closed) return;
    try {
      await becomeLeader();
    } catch (e) {
      console.error("threadline: could not open the engine", e);
      emit("notice", { type: "notice", notice: { notice: "engineFailed", reason: String(e) } });
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
    host?.engine?.close();
    closed = true;
    channel.close();
  });

  return {
    tabId,
    get isLeader() {
      return host !== null;
    },
    get leaderTab() {
      return leaderTab;
    },
    on(event, cb) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(cb);
      return () => listeners.get(event).delete(cb);
    },
    /** Runs a host command (threadline/host) for this tab: on its account and conversation. */
    call(type, fields = {}) {
      return remote.request(type, fields);
    },
    /** This tab now shows `account` and `conversation` (or none): its list, status and view. */
    watch(account, conversation) {
      const fields = { accountId: account, list: true, notices: true };
      if (conversation) fields.conversation = conversation;
      return remote.request("bind", fields);
    },
  };
}
