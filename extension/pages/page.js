// Shared by the extension's own pages (popup, onboarding, options): strings from _locales, the
// round-trip to the background (runtime.sendMessage; the background answers only its own pages),
// and the host permission a base URL needs. Nothing here holds or reads the API key.
export const ext = globalThis.browser ?? globalThis.chrome;

/** A string of _locales in the browser's language (English when it has none). */
export function t(key, substitutions) {
  return ext.i18n.getMessage(key, substitutions) || key;
}

/** Fills `data-i18n` (text), `data-i18n-placeholder` and `data-i18n-title` from _locales. */
export function localize(root = document) {
  document.documentElement.lang = t("pageLang"); // the language of the strings shown
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}

/** One command to the background → its result, or a thrown Error with the answer's code. */
export async function call(type, fields = {}) {
  const answer = await ext.runtime.sendMessage({ type, ...fields });
  if (!answer?.ok) {
    const e = new Error(answer?.error?.message ?? t("errorNoAnswer"));
    e.code = answer?.error?.code;
    throw e;
  }
  return answer.result;
}

/** The API host needs a host permission; the store build only holds the hosted API's. */
export async function ensurePermission(baseUrl) {
  const origin = new URL(baseUrl).origin + "/*";
  const has = await ext.permissions.contains({ origins: [origin] });
  return has || ext.permissions.request({ origins: [origin] }).catch(() => false);
}

/** A time of day in the browser's language, with the day when it is not today. */
export function formatTime(ms) {
  const at = new Date(ms);
  const sameDay = at.toDateString() === new Date().toDateString();
  const options = sameDay ? { hour: "numeric", minute: "2-digit" } : { weekday: "short", hour: "numeric", minute: "2-digit" };
  return new Intl.DateTimeFormat(ext.i18n.getUILanguage(), options).format(at);
}

/** The connection states of the background's status (core.js), as words. */
export function stateText(state) {
  const key = {
    synced: "stateSynced",
    syncing: "stateSyncing",
    offline: "stateOffline",
    server_trouble: "stateServerTrouble",
    rate_limited: "stateRateLimited",
    key_missing: "stateKeyMissing",
    key_rejected: "stateKeyRejected",
    subscription_required: "stateSubscription",
    starting: "stateStarting",
  }[state];
  return key ? t(key) : String(state);
}

/**
 * The one line that says what is wrong and what happens next, for the states that need more than
 * a word (the background's status: `since` / `until` are the engine's times), or "".
 */
export function statusLine(s) {
  switch (s?.state) {
    case "server_trouble":
      return t("statusServerTrouble", [formatTime(s.since ?? Date.now())]);
    case "rate_limited":
      return t("statusRateLimited", [formatTime(s.until ?? Date.now())]);
    case "offline":
      return t("statusOffline");
    default:
      return "";
  }
}

/** The engine's storage state (when this build reports it) as one line, or "" while it is fine. */
export function storageLine(storage) {
  if (storage?.state !== "failing") return "";
  return storage.full ? t("storageFull") : t("storageFailing", [String(storage.reason ?? "")]);
}

/** A failed connection test, in words the user can act on. */
export function testFailure(e) {
  if (e.code === "unauthorized") return t("testKeyRejected");
  if (e.code === "forbidden") return t("testForbidden");
  if (e.code === "network" || e.code === "timeout") return t("testUnreachable");
  return t("testFailed", [e.message]);
}

export const LINKEDIN_MESSAGING = "https://www.linkedin.com/messaging/";
