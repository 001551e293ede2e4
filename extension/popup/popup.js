// The toolbar popup: the connection state, the account acting (in the active LinkedIn tab, the one
// signed in there; else the default), unread messages, the day's
// new-conversation quota and its reset, and links. Every figure is the engine's, read through the
// background ("popup.state"); while open it asks again every few seconds (the background answers
// from memory, not from the network).
import { ext, t, call, localize, formatTime, stateText, statusLine, storageLine, LINKEDIN_MESSAGING } from "../pages/page.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;
const TONE = { synced: "ok", syncing: "ok", key_missing: "bad", key_rejected: "bad", subscription_required: "bad", offline: "bad", server_trouble: "bad", rate_limited: "warn" };
let accounts = null; // the key's accounts, asked once per popup
let askedAccounts = false;

async function render() {
  let s;
  try {
    const tabId = await activeTab();
    s = await call("popup.state", tabId === null ? {} : { tabId });
  } catch (e) {
    $("state").textContent = t("stateUnavailable");
    $("state").dataset.tone = "bad";
    return;
  }
  $("state").textContent = stateText(s.state);
  $("state").dataset.threadlineState = s.state;
  $("state").dataset.tone = TONE[s.state] ?? "";
  const setup = !s.hasKey || s.state === "key_rejected" || s.state === "subscription_required";
  $("setup").hidden = !setup;
  $("setupText").textContent = !s.hasKey ? t("popupNoKey") : s.state === "key_rejected" ? t("popupKeyRejected") : t("popupSubscription");
  $("setupButton").textContent = !s.hasKey ? t("popupSetUp") : t("popupFixKey");
  const line = s.hasKey ? statusLine(s) : "";
  $("trouble").hidden = !line;
  $("trouble").textContent = line;
  const storage = storageLine(s.storage);
  $("storage").hidden = !storage;
  $("storage").textContent = storage;
  $("facts").hidden = !s.hasKey || composing;
  $("newMessage").hidden = !s.hasKey || composing;
  $("links").hidden = composing;
  // Without a key the setup is the one thing to do: the other links step back.
  $("openMessaging").classList.toggle("primary", !setup);
  $("openData").hidden = !s.hasKey;
  if (!s.hasKey) return;

  if (!askedAccounts) {
    askedAccounts = true;
    call("accounts.list").then((list) => {
      accounts = list;
      render();
    }, () => {});
  }
  // The account that acts: in the active LinkedIn tab, the one whose mailbox that page shows (the
  // background's choice); elsewhere, the default from the options.
  const nameOf = (id) => accounts?.find((a) => a.id === id)?.name ?? id;
  const here = s.tab?.accounts ?? [];
  const account = $("account");
  account.dataset.threadlineAccountMatch = s.tab?.unmatched ? "none" : here.length ? "tab" : "default";
  const small = (text) => Object.assign(document.createElement("small"), { className: "note", textContent: text });
  if (s.tab?.unmatched && !here.length) account.replaceChildren(small(t("popupAccountUnmatched")));
  else if (here.length) account.replaceChildren(document.createTextNode(here.map(nameOf).join(", ")), small(t("popupAccountThisTab")));
  else account.replaceChildren(document.createTextNode(s.accountId ? nameOf(s.accountId) : t("popupDefaultAccount")), small(t("popupAccountDefault")));
  $("unread").textContent = String(s.unread);
  if (s.quota) {
    $("quota").replaceChildren(
      document.createTextNode(t("popupQuotaLeft", [String(s.quota.left)])),
      Object.assign(document.createElement("small"), { textContent: t("popupQuotaResets", [formatTime(s.quota.resetsAt)]) }),
    );
  } else {
    $("quota").textContent = "—";
  }
  $("outboxRow").hidden = !s.outboxPending;
  $("outbox").textContent = String(s.outboxPending);
  $("failedRow").hidden = !s.outboxFailed;
  $("failed").textContent = String(s.outboxFailed ?? 0);
}

/** The id of the tab the popup was opened over (null when unknown: then the default account). */
async function activeTab() {
  try {
    const [tab] = await ext.tabs.query({ active: true, lastFocusedWindow: true });
    return typeof tab?.id === "number" && !String(tab.url ?? "").startsWith(ext.runtime.getURL("")) ? tab.id : null;
  } catch {
    return null;
  }
}

// "New message": the composer of a profile page (content/composer.js), sent to whoever the To
// field names, over a port of its own (the background serves it as one more viewer).
const C = globalThis.ThreadlineComposer;
const S = globalThis.ThreadlineSelectors;
let composing = false;
let composer = null;

/** What the To field says, as the send names a person: a profile URN, else a vanity slug. */
function parseTo(value) {
  const v = value.trim();
  if (!v) return null;
  if (S.profileUrnValue.test(v)) return { urn: v };
  if (/^(https?:\/\/)?([\w-]+\.)?linkedin\.com\//i.test(v) || v.startsWith("/in/")) {
    try {
      const url = new URL(v.startsWith("/") ? `https://www.linkedin.com${v}` : /^https?:/i.test(v) ? v : `https://${v}`);
      const m = S.profilePath.exec(url.pathname);
      const slug = m ? decodeURIComponent(m[1]) : null;
      return slug && !/[\s/?#]/.test(slug) ? { slug } : null;
    } catch {
      return null;
    }
  }
  return /^[^\s/?#:]{1,200}$/.test(v) ? { slug: v } : null;
}

function openCompose(open) {
  composing = open;
  $("compose").hidden = !open;
  if (open && !composer) {
    const host = $("composer");
    const root = host.attachShadow({ mode: "closed" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`:host { font: inherit; color: var(--tl-fg); } ${C.CSS}`);
    root.adoptedStyleSheets = [sheet];
    composer = new C.NewConversation({ parseTo, statusLine: false, onSetup: () => openTab(ext.runtime.getURL("onboarding/onboarding.html")) });
    root.append(composer.node);
    queueMicrotask(() => composer.c.to.focus());
  }
  render();
}

function openTab(url) {
  ext.tabs.create({ url }).then(() => window.close(), () => {});
}

$("openMessaging").addEventListener("click", () => openTab(LINKEDIN_MESSAGING));
$("openOptions").addEventListener("click", () => ext.runtime.openOptionsPage().then(() => window.close()));
$("openData").addEventListener("click", () => openTab(ext.runtime.getURL("options/options.html#data")));
$("newMessage").addEventListener("click", () => openCompose(true));
$("closeCompose").addEventListener("click", () => openCompose(false));
$("setupButton").addEventListener("click", () => openTab(ext.runtime.getURL("onboarding/onboarding.html")));

localize();
render().finally(() => {
  document.documentElement.dataset.threadlineReady = "true";
});
setInterval(render, REFRESH_MS);
