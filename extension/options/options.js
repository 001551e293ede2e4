// Options: API key, base URL, account, a connection test, and the keys and data section (sign
// out, clear Threadline's data). Everything goes through the background (the key is written there
// and never read back into this page).
import { t, call, localize, ensurePermission, testFailure } from "../pages/page.js";

const $ = (id) => document.getElementById(id);

function show(ok, text, id = "result") {
  $(id).dataset.ok = String(ok);
  $(id).textContent = text;
}

function fillAccounts(accounts, selected) {
  const select = $("accountId");
  const first = select.options[0];
  select.replaceChildren(first);
  for (const a of accounts) {
    const label = `${a.name} (${a.id})${a.status && a.status !== "AVAILABLE" ? ` – ${a.status}` : ""}`;
    const option = new Option(label, a.id);
    select.append(option);
  }
  if (selected && ![...select.options].some((o) => o.value === selected)) select.append(new Option(selected, selected));
  select.value = selected ?? "";
}

async function load() {
  const s = await call("settings.get");
  // A URL typed while the settings were still on their way (a cold background can take seconds
  // to answer) is the user's: never overwrite it with the saved one.
  if (!$("baseUrl").value) $("baseUrl").value = s.baseUrl;
  $("apiKey").placeholder = s.hasKey ? t("keySavedPlaceholder") : t("keyPastePlaceholder");
  $("signOut").disabled = !s.hasKey;
  fillAccounts([], s.accountId);
  if (s.hasKey) {
    try {
      fillAccounts(await call("accounts.list"), s.accountId);
    } catch {
      // shown when the user tests the connection
    }
  }
}

$("test").addEventListener("click", async () => {
  show(true, t("testing"));
  const baseUrl = $("baseUrl").value.trim();
  const apiKey = $("apiKey").value.trim();
  try {
    const fields = { baseUrl };
    if (apiKey) fields.apiKey = apiKey;
    const { accounts } = await call("settings.test", fields);
    fillAccounts(accounts, $("accountId").value);
    show(true, t("testConnected", [String(accounts.length)]));
  } catch (e) {
    show(false, testFailure(e));
    if (e.code === "key_required") $("apiKey").focus();
  }
});

$("settings").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const baseUrl = $("baseUrl").value.trim();
  const fields = { baseUrl, accountId: $("accountId").value };
  const apiKey = $("apiKey").value.trim();
  if (apiKey) fields.apiKey = apiKey;
  try {
    if (!(await ensurePermission(baseUrl))) {
      show(false, t("notSavedPermission", [new URL(baseUrl).origin]));
      return;
    }
    const saved = await call("settings.set", fields);
    $("apiKey").value = "";
    $("apiKey").placeholder = saved.hasKey ? t("keySavedPlaceholder") : t("keyPastePlaceholder");
    $("signOut").disabled = !saved.hasKey;
    show(true, t("saved"));
  } catch (e) {
    show(false, t("notSaved", [e.message]));
  }
});

// ---- keys and data ------------------------------------------------------------------------------

$("signOut").addEventListener("click", async () => {
  try {
    await call("key.remove");
    $("apiKey").placeholder = t("keyPastePlaceholder");
    $("signOut").disabled = true;
    show(true, t("dataSignedOut"), "dataResult");
  } catch (e) {
    show(false, t("dataFailed", [e.message]), "dataResult");
  }
});

/** Step one: say what goes; step two (only when the outbox holds unsent messages): say that too. */
function ask(unsent) {
  $("confirm").hidden = false;
  $("confirm").dataset.unsent = String(unsent);
  $("confirmText").textContent = unsent ? t("dataConfirmUnsent", [String(unsent)]) : t("dataConfirm");
  $("confirmClear").textContent = unsent ? t("dataClearUnsent", [String(unsent)]) : t("dataClearConfirm");
  $("confirmClear").focus();
}

$("clear").addEventListener("click", () => {
  show(true, "", "dataResult");
  ask(0);
});
$("cancelClear").addEventListener("click", () => {
  $("confirm").hidden = true;
  $("clear").focus();
});
$("confirmClear").addEventListener("click", async () => {
  const unsent = Number($("confirm").dataset.unsent);
  try {
    // The background counts the outbox itself: a first confirmation that did not know of unsent
    // messages clears nothing, and the warning comes next.
    const r = await call("data.clear", unsent ? { confirmUnsent: true } : {});
    if (!r.cleared) {
      ask(r.unsent);
      return;
    }
    $("confirm").hidden = true;
    $("apiKey").value = "";
    $("baseUrl").value = "";
    await load();
    show(true, t("dataCleared"), "dataResult");
  } catch (e) {
    show(false, t("dataFailed", [e.message]), "dataResult");
  }
});

// Settings changed elsewhere (the onboarding page, another options tab): shown when this one is back.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") load().catch(() => {});
});

localize();
load()
  .catch((e) => show(false, t("loadFailed", [e.message])))
  .finally(() => {
    document.documentElement.dataset.threadlineReady = "true";
    if (location.hash === "#data") $("data").scrollIntoView();
  });
