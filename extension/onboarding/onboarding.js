// First run: paste the key, test it, pick the account, save. The key goes to the background
// (settings.test, settings.set) and is never read back; the accounts listed are the API's.
import { ext, t, call, localize, ensurePermission, testFailure, LINKEDIN_MESSAGING } from "../pages/page.js";

const $ = (id) => document.getElementById(id);

function show(id, ok, text) {
  $(id).dataset.ok = String(ok);
  $(id).textContent = text;
}

function accountStep(enabled) {
  $("stepAccount").dataset.disabled = String(!enabled);
  $("accountId").disabled = !enabled;
  $("save").disabled = !enabled;
}

function fillAccounts(accounts) {
  const select = $("accountId");
  select.replaceChildren(new Option(t("accountDefault"), ""));
  for (const a of accounts) {
    const inactive = a.status && a.status !== "AVAILABLE" ? ` – ${a.status}` : "";
    select.append(new Option(`${a.name}${inactive}`, a.id));
  }
  // One account: it is the one; several: the user picks (the workspace default stays first).
  if (accounts.length === 1) select.value = accounts[0].id;
}

async function load() {
  const s = await call("settings.get");
  if (!$("baseUrl").value) $("baseUrl").value = s.baseUrl;
  if (s.hasKey) $("apiKey").placeholder = t("keySavedPlaceholder");
}

$("apiKey").addEventListener("input", () => accountStep(false));
$("baseUrl").addEventListener("input", () => accountStep(false));

$("test").addEventListener("click", async () => {
  accountStep(false);
  const apiKey = $("apiKey").value.trim();
  const baseUrl = $("baseUrl").value.trim();
  if (!apiKey) {
    show("testResult", false, t("onboardingKeyEmpty"));
    $("apiKey").focus();
    return;
  }
  show("testResult", true, t("testing"));
  try {
    const { accounts } = await call("settings.test", { apiKey, baseUrl });
    fillAccounts(accounts);
    accountStep(true);
    show("testResult", true, t("testConnected", [String(accounts.length)]));
    $("accountId").focus();
  } catch (e) {
    show("testResult", false, testFailure(e));
    $("apiKey").focus();
  }
});

$("connect").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const apiKey = $("apiKey").value.trim();
  const baseUrl = $("baseUrl").value.trim();
  try {
    if (!(await ensurePermission(baseUrl))) {
      show("saveResult", false, t("notSavedPermission", [new URL(baseUrl).origin]));
      return;
    }
    await call("settings.set", { apiKey, baseUrl, accountId: $("accountId").value });
    $("apiKey").value = "";
    show("saveResult", true, t("saved"));
    const chosen = $("accountId").selectedOptions[0];
    $("doneText").textContent = t("onboardingDoneText", [chosen?.value ? chosen.textContent : t("accountDefault")]);
    $("done").hidden = false;
    $("connect").hidden = true;
    $("openMessaging").focus();
  } catch (e) {
    show("saveResult", false, t("notSaved", [e.message]));
  }
});

$("openMessaging").addEventListener("click", () => ext.tabs.create({ url: LINKEDIN_MESSAGING }));
$("openOptions").addEventListener("click", () => ext.runtime.openOptionsPage());

localize();
load()
  .catch((e) => show("testResult", false, t("loadFailed", [e.message])))
  .finally(() => {
    document.documentElement.dataset.threadlineReady = "true";
    $("apiKey").focus();
  });
