// The demo inbox: draws what the hub hands it and sends the user's commands to the hub. It never
// decides anything about messages (the engine does) and never builds HTML from strings: every
// node is made with DOM calls and every text set with textContent, so message text is inert.
import { connectHub, convKey, recipientOf } from "./hub.js";
import udomdiff from "udomdiff";
import { el } from "./dom.js";

const params = new URLSearchParams(location.search);
const STORAGE_KEY = params.get("store") ?? "threadline-demo";
// The API: this page's own server (the simulator serves it) unless `?api=` names one on this
// computer. Any other is refused, visibly: a link could otherwise point the page at a server of
// its choosing, and the key the page sends (or one typed after a refusal) would go there.
const API_ASKED = params.get("api");
const BASE_URL = onThisComputer(API_ASKED) ? API_ASKED : location.origin;
// The key: never in the address bar (history, a shared link, a Referer). One given as `?key=`
// (the tests) is moved out of it at once into this tab's sessionStorage: a link sets no key for
// any other tab or later visit. A typed one goes to localStorage, so that every tab of the demo
// (any of which may run the engine) uses it from its next load.
const KEY_SLOT = `${STORAGE_KEY}-key`;
const API_KEY = (() => {
  const given = params.get("key");
  if (given !== null) {
    keep(sessionStorage, given);
    const url = new URL(location.href);
    url.searchParams.delete("key");
    history.replaceState(history.state, "", url);
  }
  try {
    return given ?? sessionStorage.getItem(KEY_SLOT) ?? localStorage.getItem(KEY_SLOT) ?? "dev";
  } catch {
    return given ?? "dev";
  }
})();
const API_HOST = new URL(BASE_URL).host;
const POLL_MS = Number(params.get("poll")) || undefined;
const SETTLE_MS = Number(params.get("settle")) || undefined; // echoSettleMs, for tests
const PAGE = 12; // conversations shown per page of the list
// Pages of the stored list a filter reads on its own to find matches (the engine's pages are 50
// conversations by default), before it asks ("Search older conversations").
const AUTO_PAGES = 10;
const UI_KEY = `${STORAGE_KEY}-ui`; // the UI's own memory (account, conversation, accounts), outside the engine's keys
const EMOJI = ["👍", "❤️", "🎉", "😂", "👏"];

const $ = (id) => document.getElementById(id);

/** Whether `api` is an http(s) URL of this page's own origin or of this computer (loopback). */
function onThisComputer(api) {
  if (api === null) return false;
  try {
    const u = new URL(api);
    if (u.protocol !== "http:" && u.protocol !== "https:") return false;
    return u.origin === location.origin || ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  } catch {
    return false;
  }
}

function keep(storage, key) {
  try {
    storage.setItem(KEY_SLOT, key);
  } catch {
    // Storage refused (private mode, full): the key is used for this page only.
  }
}

// ---- state ----------------------------------------------------------------------------------------

const remembered = (() => {
  try {
    return JSON.parse(sessionStorage.getItem(UI_KEY) ?? localStorage.getItem(UI_KEY) ?? "{}");
  } catch {
    return {};
  }
})();
const state = {
  accounts: remembered.accounts ?? [],
  account: remembered.account ?? null,
  conversation: remembered.conversation ?? null, // the URN shown
  list: [], // the conversations the engine holds: with IndexedDB the newest pages read so far
  listHasMore: false, // the stored list goes on past `list` (the engine says; loadMoreConversations)
  unreadTotal: 0, // the engine's unread count of the whole list, not a sum over `list`
  loadingMore: false, // a page of the stored list is being read
  moreError: null, // {text, detail}: why the last page could not be read (shown until the next try)
  revealFrom: null, // after "Show more": the first row it adds, brought into view once drawn
  autoPages: 0, // pages read on their own since the user last asked (a filter looking for matches)
  status: null,
  view: null,
  keyword: "",
  unreadOnly: false,
  shown: PAGE,
  keyProblem: null, // "unauthorized" | "forbidden": the API refused the key (or its subscription)
  confirmRecall: null, // the message whose recall waits for a second click
  tombs: new Map(), // id → {sentAt, height}: messages recalled while shown, kept in place
  shownIds: new Map(), // id → sentAt of the messages last drawn (to notice which were recalled)
  // Messages whose recall this tab asked for, until it is settled → whether the engine's view (or
  // the command's end) has been seen since: until then the message shows "Recalling…" from this
  // tab's own knowledge, so the click's redraw and the engine's are the same height (no row moves).
  recallingHere: new Map(),
  listShown: false, // on a narrow screen, the list is shown instead of the open conversation
  focusKey: null, // the message that is the list's one tab stop (the newest when none was focused)
  toAnnounce: new Set(), // ids of the open conversation the engine said arrived, until shown
};

function remember() {
  const data = JSON.stringify({
    accounts: state.accounts, account: state.account, conversation: state.conversation,
  });
  sessionStorage.setItem(UI_KEY, data);
  localStorage.setItem(UI_KEY, data);
}

// ---- helpers --------------------------------------------------------------------------------------

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
function when(ms) {
  if (!ms) return "";
  const d = new Date(ms);
  return d.toDateString() === new Date().toDateString() ? timeFmt.format(d) : dayFmt.format(d);
}

function initials(name) {
  const parts = (name ?? "?").trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts.length > 1 ? parts.at(-1)[0] : "")).toUpperCase();
}

function avatar(name, size = "") {
  let hash = 0;
  for (const ch of name ?? "") hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return el("span", {
    class: `avatar ${size}`, "aria-hidden": "true", text: initials(name),
    style: `--hue: ${hash % 360}`,
  });
}

function accountName(id) {
  const a = state.accounts.find((x) => x.id === id);
  return a ? `${a.firstName} ${a.lastName}`.trim() : id;
}

/** The other people in a conversation (the account's own mailbox left out when known). */
function others(summary) {
  const people = summary?.meta?.participants ?? [];
  const me = accountName(state.account);
  const rest = people.filter((p) => p.name !== me);
  return rest.length ? rest : people;
}

function title(summary) {
  const names = others(summary).map((p) => p.name ?? p.profileId);
  return names.length ? names.join(", ") : summary?.urn ?? "Conversation";
}

/**
 * The list entry of a conversation: its line of the loaded list, else (a remembered conversation
 * older than the pages loaded) the one the engine puts in its view (`summary`).
 */
function summaryOf(urn) {
  if (!urn) return null;
  const key = convKey(urn);
  const listed = state.list.find((s) => s.id === key || s.urn === urn);
  if (listed) return listed;
  const v = state.view;
  return v && urn === state.conversation && (v.id === key || v.urn === urn) ? v.summary ?? null : null;
}

function toast(text, kind = "info") {
  if (kind === "error") console.warn(`threadline: ${text}`);
  const node = el("div", { class: `toast ${kind}`, text, "data-threadline-toast": kind });
  $("toasts").append(node);
  setTimeout(() => node.remove(), 7000);
}

/** When a daily limit comes back, with its day (it is midnight UTC: another hour elsewhere). */
function resetTime(ms) {
  return new Date(ms).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

function describeRefusal(r) {
  switch (r?.code) {
    case "quota_exceeded": return `No new conversations left today: the quota resets ${resetTime(r.resetsAt)}.`;
    case "empty_message": return "Nothing to send";
    case "too_long": return `Too long: ${r.chars} characters, at most ${r.max}`;
    case "recall_window_closed": return "Too late to recall: the recall window has passed";
    case "not_own_message": return "Only your own messages can be recalled";
    case "already_pending": return "Already on its way";
    case "already_recalled": return "Already recalled";
    case "sales_navigator_unavailable": return "This account has no Sales Navigator";
    case "needs_one_recipient": return "Sales Navigator sends go to one person, not a group";
    default: return r?.code ?? "Refused";
  }
}

// ---- rendering ------------------------------------------------------------------------------------

/**
 * Makes `container`'s children the nodes for `items`, reusing the node of an item whose key and
 * signature are unchanged, so hover, focus and scroll survive the frequent pushes. The nodes are
 * put in order by udomdiff (a keyed DOM diff, vendored: see ARCHITECTURE.md "Keyed rendering"),
 * which moves only what must move: the hand-written loop it replaces moved every node after a
 * changed one, which dropped the focus and defeated the browser's scroll anchoring.
 */
function reconcile(container, items, keyOf, sigOf, build) {
  const cache = (container.threadlineNodes ??= new Map());
  const next = new Map();
  const nodes = items.map((item, i) => {
    const key = keyOf(item, i);
    const sig = sigOf(item, i);
    const old = cache.get(key);
    const node = old && old.sig === sig ? old.node : build(item, i);
    next.set(key, { node, sig });
    return node;
  });
  container.threadlineNodes = next;
  // The live children, not the cache: an empty-state line put in their place is replaced too.
  udomdiff(container, [...container.children], nodes, (node) => node, null);
}

function renderAccounts() {
  const select = $("account");
  const options = state.accounts.map((a) =>
    el("option", { value: a.id, text: `${a.firstName} ${a.lastName}`, selected: a.id === state.account }));
  if (!options.length && state.account) options.push(el("option", { value: state.account, text: state.account }));
  select.replaceChildren(...options);
  select.hidden = !options.length;
  if (state.account) select.value = state.account;
}

/** The engine's sync states (StatusView.sync) as words; the times are the engine's. */
function syncLabel(s) {
  switch (s.sync) {
    case "synced": return "Synced";
    case "syncing": return "Syncing…";
    case "offline": return "Offline, retrying";
    case "serverTrouble": return `Server trouble since ${timeFmt.format(new Date(s.serverTroubleSince ?? Date.now()))}, retrying`;
    case "rateLimited": return `Rate limited until ${timeFmt.format(new Date(s.rateLimitedUntil ?? Date.now()))}`;
    case "pausedUnauthorized": return "Paused: API key refused";
    case "pausedForbidden": return "Paused: subscription needed";
    default: return s.sync;
  }
}

/** The engine's storage state (`StatusView.storage`, when this build has it) as one line, or "". */
function storageLine(storage) {
  if (storage?.state !== "failing") return "";
  return storage.full
    ? "Couldn't save: storage is full. Free space on this device or clear this site's data; changes are not kept until then."
    : `Couldn't save: ${storage.reason ?? "storage failed"}. Changes are not kept until storage works again.`;
}

function renderStatus() {
  const s = state.status;
  const sync = $("sync");
  if (s?.sync === "pausedUnauthorized") state.keyProblem = "unauthorized";
  else if (s?.sync === "pausedForbidden") state.keyProblem = "forbidden";
  else if (s) state.keyProblem = null;
  sync.dataset.threadlineSync = s?.sync ?? (state.keyProblem ? "pausedUnauthorized" : "starting");
  sync.textContent = s ? syncLabel(s) : state.keyProblem ? "Paused: API key refused" : "Starting…";
  sync.className = `pill sync-${sync.dataset.threadlineSync}`;
  $("quota").textContent = s ? `${s.quotaLeft} new today` : "";
  $("quota").title = s ? `${s.quotaLeft} new conversations left today` : "";
  $("quota").dataset.threadlineQuota = s ? String(s.quotaLeft) : "";
  $("quota").hidden = !s;
  const outbox = $("outbox");
  outbox.hidden = !s?.outboxPending;
  outbox.textContent = s?.outboxPending ? `${s.outboxPending} sending` : "";
  outbox.dataset.threadlineOutbox = String(s?.outboxPending ?? 0);
  const failed = $("failed");
  failed.hidden = !s?.outboxFailed;
  failed.textContent = s?.outboxFailed ? `${s.outboxFailed} not sent` : "";
  failed.dataset.threadlineFailed = String(s?.outboxFailed ?? 0);
  const storage = storageLine(s?.storage);
  $("storage").hidden = !storage;
  $("storage").textContent = storage;
  renderKeyProblem();
}

/** A refused key says so, and how to use another, in place of a list that would never load. */
function renderKeyProblem() {
  const box = $("key-problem");
  box.hidden = !state.keyProblem;
  if (!state.keyProblem) return;
  box.dataset.threadlineKeyProblem = state.keyProblem;
  $("key-problem-text").textContent = state.keyProblem === "forbidden"
    ? `The API at ${API_HOST} refused this key's subscription (trial expired or none active): nothing is read or sent. Renew it, or use another key.`
    : `The API at ${API_HOST} rejected the key this inbox uses: nothing is read or sent. Enter a working key for it.`;
  renderList();
}

function visibleList() {
  const words = state.keyword.toLowerCase().split(/\s+/).filter(Boolean);
  return state.list.filter((s) => {
    if (state.unreadOnly && !(s.unreadCount > 0)) return false;
    if (!words.length) return true;
    const hay = [title(s), s.meta?.latestMessage?.text ?? "", s.meta?.latestMessage?.senderName ?? ""]
      .join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function renderList() {
  const items = visibleList();
  const selected = state.conversation ? convKey(state.conversation) : null;
  const build = (s) => {
    const latest = s.meta?.latestMessage;
    const people = others(s);
    const salesNav = s.meta?.source === "sales_navigator";
    const snippet = latest?.text ? `${latest.senderName ? `${latest.senderName.split(" ")[0]}: ` : ""}${latest.text}`
      : latest?.hasAttachment ? "Sent an attachment" : "";
    const button = el("button", {
      type: "button", class: "thread", "aria-current": s.id === selected ? "true" : undefined,
      "data-threadline-conversation": s.id, "data-threadline-unread": String(s.unreadCount),
      "aria-label": `${title(s)}${s.unreadCount ? `, ${s.unreadCount} unread` : ""}`,
      onclick: () => openConversation(s.urn),
    },
    avatar(people[0]?.name ?? title(s)),
    el("span", { class: "thread-main" },
      el("span", { class: "thread-top" },
        el("span", { class: "thread-name", text: title(s) }),
        el("span", { class: "thread-time", text: when(s.lastActivityAt) })),
      el("span", { class: "thread-bottom" },
        salesNav ? el("span", { class: "badge sn", text: "Sales Nav" }) : null,
        el("span", { class: "thread-snippet", text: snippet }),
        s.unreadCount ? el("span", { class: "unread", text: String(s.unreadCount), "aria-hidden": "true" }) : null)));
    return el("li", {}, button);
  };
  const page = items.slice(0, state.shown);
  if (page.length) {
    reconcile($("list"), page, (s) => s.id,
      (s) => JSON.stringify([s, s.id === selected, state.accounts.length]), build);
    revealNew();
  } else {
    const empty = !state.list.length
      ? state.keyProblem ? "No conversations: the API refused the key (see above)." : "Loading conversations…"
      : state.loadingMore ? "Searching older conversations…"
        : state.listHasMore ? `No match in the ${state.list.length} newest conversations.` : "No conversation matches.";
    $("list").replaceChildren(el("li", { class: "empty", text: empty, "data-threadline-list-empty": state.keyProblem ?? "" }));
    $("list").threadlineNodes = null;
  }
  renderMore(items);
}

/**
 * After "Show more" the first row it added comes to the top of the list (the button sits below the
 * list, so the new rows would otherwise appear out of sight), with the focus when the button had
 * it, so the keyboard goes on from there.
 */
function revealNew() {
  const from = state.revealFrom;
  const rows = $("list").querySelectorAll(":scope > li > button.thread");
  if (from === null || rows.length <= from) return;
  state.revealFrom = null;
  const row = rows[from];
  row.scrollIntoView({ block: "start" });
  if (document.activeElement === $("more")) row.focus({ preventScroll: true });
}

/** A filter is on: the list shows only what matches it. */
const filtering = () => state.unreadOnly || state.keyword.trim() !== "";

/**
 * Below the list: "Show more" while loaded conversations are not shown or the stored list goes on
 * (its next page is read then), "Loading…" while a page is read, and why it could not be.
 */
function renderMore(items) {
  const more = $("more");
  const note = $("more-status");
  const left = items.length - state.shown; // loaded, matching, not shown yet
  let label = null;
  let says = "";
  let mode = "idle";
  if (state.loadingMore) {
    mode = "loading";
    label = "Loading older conversations…";
    if (filtering()) says = `Searching older conversations (${state.list.length} read so far)…`;
  } else if (state.moreError) {
    mode = "error";
    label = "Try again";
    says = state.moreError.text;
  } else if (left > 0) {
    label = state.listHasMore ? "Show more" : `Show more (${left} more)`;
  } else if (state.listHasMore) {
    label = filtering() ? "Search older conversations" : "Show more";
    if (filtering()) says = `Searched the ${state.list.length} newest conversations.`;
  }
  more.hidden = label === null;
  more.textContent = label ?? "";
  more.dataset.threadlineMoreState = mode;
  if (mode === "loading") more.setAttribute("aria-disabled", "true");
  else more.removeAttribute("aria-disabled");
  note.hidden = !says;
  note.textContent = says;
  note.title = mode === "error" ? state.moreError.detail : "";
  note.dataset.threadlineMoreState = mode;
  $("list").setAttribute("aria-busy", String(state.loadingMore));
}

/** The list as the host gives it: a push, a bind's answer, a loadMoreConversations answer. */
function takeList(list, hasMore, unreadTotal) {
  state.list = list ?? [];
  state.listHasMore = !!hasMore;
  state.unreadTotal = unreadTotal ?? 0;
  renderUnreadTotal();
}

/** The Unread filter says how many unread messages there are in the whole list (the engine's count). */
function renderUnreadTotal() {
  const n = state.unreadTotal;
  const chip = $("unread");
  chip.textContent = n > 0 ? `Unread (${n > 999 ? "999+" : n})` : "Unread";
  chip.dataset.threadlineUnreadTotal = String(n);
  chip.setAttribute("aria-label", n > 0 ? `Unread only (${n} unread messages in all conversations)` : "Unread only");
}

/**
 * Reads the stored list's next pages while what should show needs more than is read: after "Show
 * more" once the loaded conversations are all shown, and while a filter shows fewer than a page
 * of matches (at most AUTO_PAGES pages on its own; then "Search older conversations" asks).
 */
function fill() {
  if (!hub || state.loadingMore || state.moreError || !state.listHasMore) return;
  if (visibleList().length >= state.shown || state.autoPages >= AUTO_PAGES) return;
  state.autoPages += 1;
  loadMore();
}

let listGeneration = 0; // another account: a page read for the last one is dropped

/**
 * One page more of the stored list, through the host (`loadMoreConversations`: the engine reads
 * it from IndexedDB and answers the list as it then is). One read at a time from this tab: a
 * click while one is out does nothing (the button says "Loading…"), so a double click reads one
 * page, never the same page twice.
 */
async function loadMore() {
  const generation = listGeneration;
  state.loadingMore = true;
  state.moreError = null;
  renderList();
  let failed = false;
  try {
    const answer = await hub.call("loadMoreConversations");
    if (generation !== listGeneration) return;
    takeList(answer.list, answer.hasMore, answer.unreadTotal);
  } catch (e) {
    if (generation !== listGeneration) return;
    failed = true;
    const detail = e.message ?? String(e);
    state.moreError = {
      text: e.code === "storage" ? "Older conversations could not be read from this browser's storage." : `Older conversations could not be read: ${detail}`,
      detail,
    };
  } finally {
    if (generation === listGeneration) state.loadingMore = false;
  }
  renderList();
  if (!failed) fill();
}

/** "12 s", "3 min": how long a wait has lasted. */
function elapsed(since) {
  const secs = Math.max(0, Math.round((Date.now() - since) / 1000));
  return secs < 60 ? `${secs} s` : `${Math.floor(secs / 60)} min`;
}

/** Lines that say how long something has waited are redrawn every second, in place. */
function tickWaits() {
  for (const node of document.querySelectorAll("[data-threadline-since]")) {
    node.textContent = node.dataset.threadlineTemplate.replace("{}", elapsed(Number(node.dataset.threadlineSince)));
  }
}

/** A line with "{}" standing for the time since `since`, kept current by tickWaits. */
function waiting(cls, template, since) {
  return el("span", {
    class: cls, "data-threadline-since": String(since), "data-threadline-template": template,
    text: template.replace("{}", elapsed(since)),
  });
}

function stateBadge(m) {
  const s = m.id && state.recallingHere.has(m.id) && m.state.state !== "failed" ? { state: "recalling" } : m.state;
  switch (s.state) {
    case "sending":
      if (s.confirming) {
        return waiting("state sending checking", "Checking whether LinkedIn received it… (sent {} ago)", s.since ?? m.sentAt);
      }
      return s.since ? waiting("state sending", "Sending… ({})", s.since) : el("span", { class: "state sending", text: "Waiting to send…" });
    case "recalling":
      return el("span", { class: "state recalling pending-row", text: "Recalling… the message stays until LinkedIn confirms." });
    case "failed":
      return el("span", { class: "state failed" },
        el("span", {
          "data-threadline-reason": s.reason?.code ?? "",
          text: s.reason?.code === "proved_absent" ? "Not sent: LinkedIn did not receive it."
            : `Not sent: ${s.reason?.message ?? s.reason?.code ?? "failed"}`,
        }),
        s.retryable ? el("button", {
          type: "button", class: "link-button", text: "Retry", "data-threadline-retry": m.clientKey,
          onclick: () => command("retrySend", { clientKey: m.clientKey }),
        }) : null,
        el("button", {
          type: "button", class: "link-button", text: "Discard", "data-threadline-discard": m.clientKey,
          onclick: () => command("discardSend", { clientKey: m.clientKey }),
        }));
    default:
      return null;
  }
}

/** The last recall or reaction of this message that failed, as the engine keeps it. */
function failure(m) {
  const f = m.lastFailure;
  if (!f) return null;
  return el("span", {
    class: "state failed", "data-threadline-failure": f.failure.code,
    text: `${f.action === "recall" ? "Recall" : "Reaction"} failed: ${f.failure.message}`,
  });
}

function reactions(m) {
  if (!m.messageUrn || m.state.state !== "sent") return null;
  const chips = (m.reactions ?? []).filter((r) => r.count > 0 || r.pending !== undefined).map((r) => {
    const mine = r.pending !== undefined ? r.pending : r.mine;
    return el("button", {
      type: "button", class: `reaction${mine ? " mine" : ""}${r.pending !== undefined ? " pending" : ""}`,
      "aria-pressed": String(!!mine), "aria-label": `${r.emoji} ${r.count}${mine ? ", yours: remove" : ": add"}`,
      "data-threadline-reaction": r.emoji,
      onclick: () => command("react", { messageUrn: m.messageUrn, emoji: r.emoji, add: !mine }),
    }, el("span", { text: r.emoji }), el("span", { class: "count", text: String(r.count) }));
  });
  return chips.length ? el("div", { class: "reactions" }, ...chips) : null;
}

function actions(m) {
  if (!m.messageUrn || m.state.state !== "sent") return null;
  const palette = EMOJI.map((e) => el("button", {
    type: "button", class: "emoji", text: e, "aria-label": `React ${e}`, "data-threadline-react": e,
    onclick: () => {
      const mine = (m.reactions ?? []).some((r) => r.emoji === e && r.mine);
      command("react", { messageUrn: m.messageUrn, emoji: e, add: !mine });
    },
  }));
  // The engine says whether it may still be recalled (`recall`), and until when. A click only
  // asks; the confirmation opens below the text, never under the pointer.
  const recallable = m.recall?.recall === "allowed";
  return el("div", { class: "actions" }, ...palette,
    recallable ? el("button", {
      type: "button", class: "link-button recall", text: "Recall", "data-threadline-recall": "",
      "aria-label": "Recall this message", "aria-expanded": String(state.confirmRecall === m.id),
      title: `Recall possible until ${timeFmt.format(new Date(m.recall.until))}`,
      onclick: () => askRecall(state.confirmRecall === m.id ? null : m.id),
    }) : null);
}

function askRecall(id) {
  state.confirmRecall = id;
  renderConversation();
  if (id) document.querySelector(`[data-threadline-recall-confirm="${CSS.escape(id)}"] [data-threadline-recall-cancel]`)?.focus();
}

/** "Recall for everyone?" under the message whose Recall was clicked. */
function recallConfirm(m) {
  if (state.confirmRecall !== m.id || m.recall?.recall !== "allowed") return null;
  const row = el("div", {
    class: "confirm pending-row", role: "alertdialog", "aria-label": "Confirm recall",
    "data-threadline-recall-confirm": m.id,
    onkeydown: (e) => { if (e.key === "Escape") askRecall(null); },
  },
  el("span", { text: "Recall this message for everyone?" }),
  el("button", {
    type: "button", class: "danger", text: "Recall", "data-threadline-recall-yes": "",
    onclick: () => {
      state.confirmRecall = null;
      state.recallingHere.set(m.id, false);
      const settled = () => {
        if (state.recallingHere.has(m.id)) state.recallingHere.set(m.id, true);
        renderConversation();
      };
      command("recall", { messageUrn: m.messageUrn }).then(settled, settled);
      renderConversation();
    },
  }),
  el("button", { type: "button", class: "link-button", text: "Cancel", "data-threadline-recall-cancel": "", onclick: () => askRecall(null) }));
  return row;
}

/** In place of a message recalled while shown: as tall as it was, so nothing below moves. */
function tombNode(id, tomb) {
  return el("li", {
    class: "message recalled", "data-threadline-recalled": id, "data-threadline-key": id,
    style: `min-height: ${tomb.height}px`,
  }, el("span", { class: "avatar-space" }), el("p", { class: "text", text: "This message was recalled." }));
}

function messageNode(m, grouped) {
  const name = m.isSentByOwner ? accountName(state.account) : m.senderName ?? m.senderProfileId ?? "Someone";
  const attachments = (m.attachments ?? []).map((a) => el("a", {
    class: "attachment", href: a.url ?? undefined, target: "_blank", rel: "noopener",
    "data-threadline-attachment": a.name,
  }, el("span", { class: "file-icon", "aria-hidden": "true", text: a.mediaType?.startsWith("image/") ? "🖼" : "📄" }),
  el("span", { text: a.name }),
  el("span", { class: "size", text: `${Math.max(1, Math.round((a.byteSize ?? 0) / 1024))} KB` })));
  return el("li", {
    class: `message${m.isSentByOwner ? " own" : ""}${grouped ? " grouped" : ""} state-${m.state.state}`,
    "data-threadline-message": m.id ?? m.clientKey, "data-threadline-state": m.state.state,
    "data-threadline-key": m.id ?? m.clientKey,
    "data-threadline-own": String(m.isSentByOwner),
  },
  grouped ? el("span", { class: "avatar-space" }) : avatar(name),
  el("div", { class: "message-body" },
    grouped ? null : el("div", { class: "message-head" },
      el("span", { class: "sender", text: name }),
      el("time", { class: "time", text: when(m.sentAt), dateTime: new Date(m.sentAt).toISOString(),
        title: new Date(m.sentAt).toLocaleString() })),
    m.subject ? el("div", { class: "subject", text: m.subject }) : null,
    el("p", { class: "text", text: m.text, "data-threadline-text": "" }),
    attachments.length ? el("div", { class: "attachments" }, ...attachments) : null,
    reactions(m), stateBadge(m), failure(m), recallConfirm(m)),
  actions(m));
}

function renderConversation() {
  const v = state.view;
  $("inbox").dataset.pane = state.conversation && !state.listShown ? "conversation" : "list";
  renderChannels();
  const summary = summaryOf(state.conversation);
  $("compose").hidden = !state.conversation;
  $("empty").hidden = !!state.conversation;
  $("conv-title").textContent = state.conversation ? title(summary) : "Select a conversation";
  const people = others(summary);
  $("conv-sub").textContent = state.conversation
    ? [people[0]?.headline, summary?.meta?.source === "sales_navigator" ? "Sales Navigator" : null]
      .filter(Boolean).join(" · ")
    : "";
  const box = $("messages");
  const fromBottom = box.scrollHeight - box.scrollTop - box.clientHeight;
  const anchor = box.scrollHeight - box.scrollTop;
  const list = $("message-list");
  const firstBefore = list.firstElementChild?.dataset.threadlineMessage;
  // After a click in the list, and while a recall it started is asked or on its way, the message
  // under the pointer stays where it is on screen, whatever changed around it (else new messages
  // keep the list at the bottom, as a chat does).
  const recalling = new Set((v?.messages ?? []).filter((m) => m.state.state === "recalling").map((m) => m.id));
  for (const [id, seen] of state.recallingHere) {
    if (recalling.has(id)) state.recallingHere.set(id, true);
    if (recalling.has(id) || !seen) continue;
    state.recallingHere.delete(id);
    recallEndedAt = Date.now(); // its line of the same height stays put a while too
  }
  const clicked = Date.now() - Math.max(clickedAt, recallEndedAt) < 3000 || state.confirmRecall !== null || state.recallingHere.size > 0;
  const held = clicked && pointerOver && list.querySelector(`[data-threadline-key="${CSS.escape(pointerOver)}"]`);
  const heldTop = held ? held.getBoundingClientRect().top : null;
  // Messages the engine lists as recalled that were on screen become tombstones of their height.
  const live = new Set((v?.messages ?? []).map((m) => m.id).filter(Boolean));
  for (const id of v?.recalled ?? []) {
    if (live.has(id) || state.tombs.has(id) || !state.shownIds.has(id)) continue;
    const node = list.querySelector(`[data-threadline-key="${CSS.escape(id)}"]`);
    state.tombs.set(id, { sentAt: state.shownIds.get(id), height: node?.offsetHeight ?? 0 });
  }
  const items = [...(v?.messages ?? [])];
  for (const [id, tomb] of state.tombs) items.push({ tomb, id, sentAt: tomb.sentAt });
  items.sort((a, b) => (a.clientKey && !a.id ? 1 : 0) - (b.clientKey && !b.id ? 1 : 0) || a.sentAt - b.sentAt);
  const msgs = items.filter((m) => !m.tomb);
  state.shownIds = new Map(msgs.filter((m) => m.id).map((m) => [m.id, m.sentAt]));
  const grouping = (m) => {
    const p = msgs[msgs.indexOf(m) - 1];
    return !!p && p.isSentByOwner === m.isSentByOwner && p.senderName === m.senderName
      && m.sentAt - p.sentAt < 5 * 60 * 1000;
  };
  reconcile(list, items, (m) => m.id ?? m.clientKey,
    (m) => (m.tomb ? `tomb ${m.tomb.height}` : JSON.stringify([m, grouping(m), state.accounts.length, state.confirmRecall === m.id, state.recallingHere.has(m.id)])),
    (m) => (m.tomb ? tombNode(m.id, m.tomb) : messageNode(m, grouping(m))));
  list.dataset.threadlineCount = String(msgs.length);
  rovingTabStops(list);
  announceArrivals(msgs);
  list.setAttribute("aria-busy", v ? String(!!v.loadingOlder || !!v.loading) : "true");
  const older = $("older");
  older.hidden = !v?.hasMoreHistory;
  older.disabled = !!v?.loadingOlder;
  older.textContent = v?.loadingOlder ? "Loading older messages…" : "Load older messages";
  // Keep the reader where they were: at the bottom when they were there, else on the same message.
  const grewAtTop = firstBefore && list.firstElementChild?.dataset.threadlineMessage !== firstBefore;
  // (Looked up again: a message recalled meanwhile is a new node, its tombstone, under the same key.)
  const heldNow = held && list.querySelector(`[data-threadline-key="${CSS.escape(pointerOver)}"]`);
  // Held or not, a list that was at the bottom before the click goes back there afterwards.
  if (!held) stuckToBottom = fromBottom < 40;
  if (heldNow) {
    anchoredAt = Date.now();
    box.scrollTop += heldNow.getBoundingClientRect().top - heldTop;
  } else if (stuckToBottom && !grewAtTop) box.scrollTop = box.scrollHeight;
  else box.scrollTop = box.scrollHeight - anchor;
}

/**
 * One tab stop for the whole message list (the focused message, else the newest): a message's own
 * controls are reached with the arrow keys (`messageKeys`), not with Tab, so a long thread is not
 * dozens of Tab presses. A recall confirmation keeps its buttons in the tab order (a dialog).
 */
function rovingTabStops(list) {
  const items = [...list.querySelectorAll(":scope > li[data-threadline-key]")];
  if (!items.some((li) => li.dataset.threadlineKey === state.focusKey)) state.focusKey = items.at(-1)?.dataset.threadlineKey ?? null;
  for (const li of items) {
    li.tabIndex = li.dataset.threadlineKey === state.focusKey ? 0 : -1;
    for (const c of li.querySelectorAll("button, a")) if (!c.closest("[data-threadline-recall-confirm]")) c.tabIndex = -1;
  }
}

/** Arrow keys in the message list: Up/Down/Home/End between messages, Left/Right through one message's controls. */
function messageKeys(e) {
  const li = e.target.closest?.("#message-list > li[data-threadline-key]");
  if (!li || e.target.closest("[data-threadline-recall-confirm]") || e.altKey || e.ctrlKey || e.metaKey) return;
  const items = [...$("message-list").querySelectorAll(":scope > li[data-threadline-key]")];
  const controls = [...li.querySelectorAll("button, a")].filter((c) => !c.closest("[data-threadline-recall-confirm]"));
  const at = items.indexOf(li);
  let next = null;
  if (e.key === "ArrowDown") next = items[at + 1];
  else if (e.key === "ArrowUp") next = items[at - 1];
  else if (e.key === "Home" && e.target === li) next = items[0];
  else if (e.key === "End" && e.target === li) next = items.at(-1);
  else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
    const step = e.key === "ArrowRight" ? 1 : -1;
    const i = controls.indexOf(e.target); // -1: on the message itself
    next = i + step < 0 ? li : controls[(i + step) % controls.length] ?? li;
  } else if (e.key === "Escape" && e.target !== li) next = li;
  if (!next) return;
  e.preventDefault();
  if (next.matches("li")) {
    state.focusKey = next.dataset.threadlineKey;
    rovingTabStops($("message-list"));
  }
  next.focus();
}

/**
 * Tells a screen reader about messages that arrive in the open conversation from the other side,
 * once each: the engine names them (`newMessages`: brought by polling after the conversation's
 * first page, never history, never our own), and they are said once the view shows them. The
 * message list itself is not a live region, so a redraw says nothing.
 */
function announceArrivals(msgs) {
  if (!state.toAnnounce.size) return;
  const fresh = msgs.filter((m) => m.id && state.toAnnounce.has(m.id));
  if (!fresh.length) return;
  for (const m of fresh) state.toAnnounce.delete(m.id);
  $("announce").textContent = fresh.map((m) => `New message from ${m.senderName ?? "someone"}: ${m.text}`).join(". ");
  $("announce").dataset.threadlineAnnounced = String(Number($("announce").dataset.threadlineAnnounced ?? 0) + fresh.length);
}

let pointerOver = null; // the key of the message under the pointer
let clickedAt = 0; // when the user last clicked in the message list
let recallEndedAt = 0; // when a recall this tab started last ended (recalled or failed)
let anchoredAt = 0; // when a redraw last kept the message under the pointer in place
let stuckToBottom = true; // the reader was at the newest message (before any held redraw)

// ---- talking to the hub ---------------------------------------------------------------------------

let hub = null;

/** A command of threadline/host, on this tab's account and conversation. */
async function command(type, fields = {}) {
  try {
    return await hub.call(type, fields);
  } catch (e) {
    // A refusal (ThreadlineError with `refusal`) is told here, in the tab that asked.
    toast(e.refusal ? describeRefusal(e.refusal) : e.message ?? String(e), "error");
    throw e;
  }
}

function applySnapshot(snap) {
  if (!snap || snap.account !== state.account) return;
  takeList(snap.list, snap.listHasMore, snap.unreadTotal);
  state.status = snap.status ?? null;
  if (state.conversation) state.view = snap.view ?? state.view;
  renderList();
  renderStatus();
  renderConversation();
}

async function selectAccount(id) {
  if (id !== state.account) {
    state.account = id;
    state.conversation = null;
    state.view = null;
    takeList([], false, 0);
    listGeneration += 1;
    state.loadingMore = false;
    state.moreError = null;
    state.autoPages = 0;
    state.status = null;
    state.shown = PAGE;
    state.revealFrom = null;
    remember();
  }
  renderAccounts();
  renderList();
  renderConversation();
  applySnapshot(await hub.watch(state.account, null));
}

/** Sales Navigator is offered unless the engine knows the account has none. */
function renderChannels() {
  const option = $("channel").querySelector('option[value="sales_navigator"]');
  option.disabled = state.view?.channels?.salesNavigator === false;
  if (option.disabled && $("channel").value === "sales_navigator") $("channel").value = "auto";
}

async function openConversation(urn) {
  state.conversation = urn;
  state.listShown = false;
  state.toAnnounce = new Set();
  state.view = null;
  state.confirmRecall = null;
  state.tombs = new Map();
  state.shownIds = new Map();
  remember();
  renderList();
  renderConversation();
  const snap = await hub.watch(state.account, urn);
  applySnapshot(snap);
  $("messages").scrollTop = $("messages").scrollHeight;
  markReadIfShown();
}

/** The conversation on screen is read, as on LinkedIn (only while this tab is visible). */
let lastMarked = null; // once per conversation and activity: a markRead that changes nothing
function markReadIfShown() {  // must not start a loop of list pushes
  const summary = summaryOf(state.conversation);
  const mark = summary && `${state.account} ${summary.id} ${summary.lastActivityAt}`;
  if (summary?.unreadCount && document.visibilityState === "visible" && mark !== lastMarked) {
    lastMarked = mark;
    command("markRead").catch(() => {});
  }
}

function loadOlder() {
  const v = state.view;
  if (!v?.hasMoreHistory || v.loadingOlder || !state.conversation) return;
  command("loadOlder").catch(() => {});
}

async function fileData(file) {
  return { name: file.name, mediaType: file.type || "application/octet-stream", bytes: await file.arrayBuffer() };
}

async function submit(event) {
  event.preventDefault();
  const text = $("text").value;
  const files = [...$("files").files];
  if (!text.trim() && !files.length) return;
  const send = $("send");
  send.disabled = true;
  try {
    const attachments = [];
    for (const f of files) attachments.push(await command("upload", await fileData(f)));
    const subject = $("subject").value.trim();
    // The clientKey makes a send re-sent after a hand-over land once.
    await command("send", {
      clientKey: crypto.randomUUID(), text, subject: subject || undefined, channel: $("channel").value, attachments,
    });
    $("text").value = "";
    $("subject").value = "";
    $("files").value = "";
    $("file-names").textContent = "";
    $("messages").scrollTop = $("messages").scrollHeight;
  } catch {
    // told in a toast
  } finally {
    send.disabled = false;
    $("text").focus();
  }
}

// ---- a new conversation ---------------------------------------------------------------------------

/** The quota line of the new-message dialog: what is left today and when it comes back. */
function renderNewQuota() {
  const s = state.status;
  const line = $("new-quota");
  if (!s) {
    line.textContent = "";
    return;
  }
  const resets = resetTime(s.quotaResetsAt);
  line.textContent = s.quotaLeft > 0
    ? `${s.quotaLeft} new conversation${s.quotaLeft === 1 ? "" : "s"} left today (resets ${resets}). A reply in an existing thread does not count.`
    : `No new conversations left today: the quota resets ${resets}.`;
  line.hidden = !$("new-error").hidden && $("new-error").dataset.threadlineNewError === "quota_exceeded";
  line.dataset.threadlineQuotaLeft = String(s.quotaLeft);
}

function openNewMessage() {
  $("new-error").hidden = true;
  renderNewQuota();
  $("new-dialog").showModal();
  $("new-to").focus();
}

let newSending = null; // the client key of the send the dialog waits on

async function submitNew(event) {
  event.preventDefault();
  const error = (text, code = "") => {
    $("new-error").textContent = text;
    $("new-error").dataset.threadlineNewError = code;
    $("new-error").hidden = !text;
    renderNewQuota(); // the refusal of the quota says what its line says: one of them is shown
  };
  const to = recipientOf($("new-to").value);
  const text = $("new-text").value;
  if (!to) return error("Say who it goes to: a profile link (linkedin.com/in/…), a profile URN or the name in its link.");
  if (!text.trim()) return error("Write a message first.");
  error("");
  const send = $("new-send");
  send.disabled = true;
  send.textContent = "Sending…";
  try {
    const attachments = [];
    for (const f of $("new-files").files) attachments.push(await hub.call("upload", await fileData(f)));
    const subject = $("new-subject").value.trim();
    const clientKey = crypto.randomUUID();
    newSending = clientKey;
    // The engine decides: the quota (refused here, with its reset time), the recipient's form.
    await hub.call("send", { ...to, clientKey, text, subject: subject || undefined, channel: $("new-channel").value, attachments });
    for (const id of ["new-to", "new-text", "new-subject", "new-files"]) $(id).value = "";
    $("new-file-names").textContent = "";
    $("new-dialog").close();
    toast(`Sending to ${to.label}…`);
  } catch (e) {
    newSending = null;
    error(e.refusal ? describeRefusal(e.refusal) : e.message ?? String(e), e.refusal?.code ?? "failed");
  } finally {
    send.disabled = false;
    send.textContent = "Send";
  }
}

/** A new conversation's message was confirmed: open the conversation it landed in. */
async function openSent(outcome) {
  if (outcome.clientKey !== newSending) return;
  newSending = null;
  if (!outcome.messageUrn) return;
  const snap = await hub.call("bind", { accountId: state.account, list: true, notices: true, messageUrns: [outcome.messageUrn] }).catch(() => null);
  if (!snap?.conversationUrn) return;
  state.conversation = snap.conversationUrn;
  state.listShown = false;
  state.view = null;
  state.tombs = new Map();
  state.shownIds = new Map();
  remember();
  applySnapshot(snap);
  $("messages").scrollTop = $("messages").scrollHeight;
}

// ---- wiring ---------------------------------------------------------------------------------------

function wire() {
  $("account").addEventListener("change", (e) => selectAccount(e.target.value));
  $("keyword").addEventListener("input", (e) => {
    state.keyword = e.target.value;
    state.shown = PAGE;
    state.revealFrom = null;
    state.autoPages = 0;
    renderList();
    fill();
  });
  $("unread").addEventListener("click", (e) => {
    state.unreadOnly = !state.unreadOnly;
    e.currentTarget.setAttribute("aria-pressed", String(state.unreadOnly));
    state.shown = PAGE;
    state.revealFrom = null;
    state.autoPages = 0;
    renderList();
    fill();
  });
  $("more").addEventListener("click", () => {
    if (state.loadingMore) return; // one page at a time: a second click adds nothing
    // The next page on screen: what is loaded first, then read from the store as needed.
    if (!state.moreError) {
      state.revealFrom = Math.min(state.shown, visibleList().length);
      state.shown += PAGE;
    }
    state.moreError = null;
    state.autoPages = 0;
    renderList();
    fill();
  });
  $("refresh").addEventListener("click", () => command("refreshConversations").catch(() => {}));
  $("new-message").addEventListener("click", openNewMessage);
  $("new-form").addEventListener("submit", submitNew);
  $("new-cancel").addEventListener("click", () => $("new-dialog").close());
  $("new-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("new-form").requestSubmit();
  });
  $("new-files").addEventListener("change", (e) => {
    $("new-file-names").textContent = [...e.target.files].map((f) => f.name).join(", ");
  });
  $("older").addEventListener("click", loadOlder);
  $("back").addEventListener("click", () => {
    state.listShown = true;
    renderConversation();
    $("list").querySelector('[aria-current="true"]')?.focus();
  });
  $("messages").addEventListener("scroll", (e) => {
    // The reader's own scrolling (not a held redraw's) says whether they follow the newest.
    if (Date.now() - anchoredAt > 300) {
      const box = e.currentTarget;
      stuckToBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    }
    if (e.currentTarget.scrollTop < 120) loadOlder();
  });
  $("compose").addEventListener("submit", submit);
  $("message-list").addEventListener("keydown", messageKeys);
  $("message-list").addEventListener("focusin", (e) => {
    const li = e.target.closest?.("#message-list > li[data-threadline-key]");
    if (li && li.dataset.threadlineKey !== state.focusKey) {
      state.focusKey = li.dataset.threadlineKey;
      rovingTabStops($("message-list"));
    }
  });
  $("message-list").addEventListener("mouseover", (e) => {
    pointerOver = e.target.closest?.("[data-threadline-key]")?.dataset.threadlineKey ?? null;
  });
  $("message-list").addEventListener("mouseleave", () => { pointerOver = null; });
  $("message-list").addEventListener("pointerdown", () => { clickedAt = Date.now(); });
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = $("key-input").value.trim();
    keep(localStorage, key);
    keep(sessionStorage, key); // over a `?key=` this tab was given
    location.reload();
  });
  setInterval(tickWaits, 1000);
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("compose").requestSubmit();
  });
  $("files").addEventListener("change", (e) => {
    $("file-names").textContent = [...e.target.files].map((f) => f.name).join(", ");
  });
  // Arrow keys move through the conversation list.
  $("list").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const buttons = [...$("list").querySelectorAll("button.thread")];
    const i = buttons.indexOf(document.activeElement);
    // Down from the last row: "Show more" (Enter then shows, or reads, the next page).
    const next = buttons[i + (e.key === "ArrowDown" ? 1 : -1)] ?? (e.key === "ArrowDown" && !$("more").hidden ? $("more") : null);
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
}

function onPush(msg) {
  if (msg.account !== undefined && msg.account !== state.account) return;
  switch (msg.type) {
    case "list":
      takeList(msg.list, msg.hasMore, msg.unreadTotal);
      renderList();
      if (state.conversation) {
        renderConversation();
        markReadIfShown();
      }
      break;
    case "status":
      state.status = msg.status;
      renderStatus();
      if ($("new-dialog").open) renderNewQuota();
      break;
    case "view":
      if (state.conversation && msg.conversationId === convKey(state.conversation)) {
        state.view = msg.view;
        renderConversation();
        markReadIfShown();
      }
      break;
    case "notice": {
      // A send's fate arrives later; a failed recall or reaction rejects its own command (toasted
      // there) and stays on its message (`lastFailure`).
      const n = msg.notice;
      if (n.notice === "sendFailed") {
        toast(n.reason?.code === "proved_absent" ? "Message not sent: LinkedIn did not receive it."
          : `Message not sent: ${n.reason?.message ?? n.reason?.code}`, "error");
      }
      else if (n.notice === "engineFailed") toast(`The engine could not start: ${n.reason}`, "error");
      else if (n.notice === "completed" && n.outcome?.outcome === "sent") openSent(n.outcome).catch(() => {});
      else if (n.notice === "newMessages" && state.conversation && n.conversation === convKey(state.conversation)) {
        for (const id of n.messages ?? []) state.toAnnounce.add(id);
        renderConversation();
      }
      break;
    }
    default:
  }
}

async function main() {
  wire();
  if (API_ASKED !== null && BASE_URL !== API_ASKED) {
    toast(`Not using ?api=${API_ASKED}: the demo talks only to its own server or one on this computer.`, "error");
  }
  renderAccounts();
  renderStatus();
  renderList();
  renderConversation();
  hub = await connectHub({
    baseUrl: BASE_URL, apiKey: API_KEY, storageKey: STORAGE_KEY,
    engineConfig: { ...(POLL_MS ? { pollIntervalMs: POLL_MS } : {}), ...(SETTLE_MS ? { echoSettleMs: SETTLE_MS } : {}) },
  });
  window.threadlineHub = hub; // for the end-to-end test and curious people
  hub.on("role", ({ leader }) => {
    const role = $("role");
    role.dataset.threadlineRole = leader ? "leader" : "follower";
    role.textContent = leader ? "This tab runs the engine" : "Synced from another tab";
    role.title = leader
      ? "This tab holds the Web Lock: it polls the API and shares views with the other tabs"
      : "Another tab polls the API; this one receives its views over BroadcastChannel";
  });
  for (const type of ["list", "status", "view", "notice"]) hub.on(type, onPush);
  hub.on("snapshot", applySnapshot);

  const remembered = state.conversation;
  if (state.account) {
    await selectAccount(state.account);
    if (remembered) await openConversation(remembered);
  }
  let accounts;
  try {
    accounts = await hub.call("accounts");
  } catch (e) {
    if (e.code === "unauthorized" || e.code === "forbidden") {
      state.keyProblem = e.code;
      renderStatus();
      document.body.dataset.threadlineReady = "true";
      return;
    }
    throw e;
  }
  state.accounts = accounts;
  remember();
  if (!state.account || !accounts.some((a) => a.id === state.account)) {
    await selectAccount(accounts[0]?.id);
  } else {
    renderAccounts();
    renderList();
    renderConversation();
  }
  document.body.dataset.threadlineReady = "true";
}

main().catch((e) => {
  console.error(e);
  toast(`The inbox could not start: ${e.message ?? e}`, "error");
});
