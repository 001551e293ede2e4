// Options: API key, base URL, account, and a connection test. Everything goes through the
// background (the key is written there and never read back into this page).
const ext = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);

async function call(type, fields = {}) {
  const answer = await ext.runtime.sendMessage({ type, ...fields });
  if (!answer?.ok) {
    const e = new Error(answer?.error?.message ?? "no answer from the background");
    e.code = answer?.error?.code;
    throw e;
  }
  return answer.result;
}

function show(ok, text) {
  $("result").dataset.ok = String(ok);
  $("result").textContent = text;
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

/** The API host needs a host permission; the store build only holds the hosted API's. */
async function ensurePermission(baseUrl) {
  const origin = new URL(baseUrl).origin + "/*";
  const has = await ext.permissions.contains({ origins: [origin] });
  return has || ext.permissions.request({ origins: [origin] }).catch(() => false);
}

async function load() {
  const s = await call("settings.get");
  // A URL typed while the settings were still on their way (a cold background can take seconds
  // to answer) is the user's: never overwrite it with the saved one.
  if (!$("baseUrl").value) $("baseUrl").value = s.baseUrl;
  $("apiKey").placeholder = s.hasKey ? "•••••••• (saved)" : "paste your API key";
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
  show(true, "Testing…");
  const baseUrl = $("baseUrl").value.trim();
  const apiKey = $("apiKey").value.trim();
  try {
    const fields = { baseUrl };
    if (apiKey) fields.apiKey = apiKey;
    const { accounts } = await call("settings.test", fields);
    fillAccounts(accounts, $("accountId").value);
    show(true, `Connected: ${accounts.length} account${accounts.length === 1 ? "" : "s"} found.`);
  } catch (e) {
    const why = e.code === "unauthorized" ? "the API rejected the key" : e.message;
    show(false, `Connection failed: ${why}`);
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
      show(false, `Not saved: Threadline needs permission to reach ${new URL(baseUrl).origin}.`);
      return;
    }
    await call("settings.set", fields);
    $("apiKey").value = "";
    $("apiKey").placeholder = "•••••••• (saved)";
    show(true, "Saved.");
  } catch (e) {
    show(false, `Not saved: ${e.message}`);
  }
});

load()
  .catch((e) => show(false, `Could not load settings: ${e.message}`))
  .finally(() => {
    document.documentElement.dataset.threadlineReady = "true";
  });
