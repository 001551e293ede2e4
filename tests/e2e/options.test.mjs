// The options page: labelled fields, the account list from GET /accounts, a connection test with
// a clear result, and a status line on LinkedIn that links here while the key is missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, threadUrl, COMPOSE, SEED, WAIT, waitFor } from "./harness.mjs";
import { closedDriver } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());

test("options_test_connection_pick_account_and_save", async () => {
  const b = await launchChromium(sim);
  try {
    // No key yet: the overlay says so and offers the options.
    const linkedin = await b.context.newPage();
    await linkedin.goto(threadUrl(SEED.longThread));
    await linkedin.locator(`${COMPOSE}[data-threadline-status=key_missing]`).waitFor({ timeout: WAIT });
    const d = await closedDriver(linkedin);
    await d.click(`${COMPOSE} [data-threadline-action=options]`);
    // Its button leads to the setup: without a key, the onboarding page.
    const onboardingTabs = () => b.context.pages().filter((p) => p.url().endsWith("/onboarding/onboarding.html"));
    // The install opened one (a fresh profile, no key): wait for it, so the count below is the button's.
    await waitFor(() => onboardingTabs().length === 1, { what: "the onboarding page of the install" });
    const before = onboardingTabs().length;
    await d.click(`${COMPOSE} [data-threadline-action=open-options]`);
    await waitFor(() => onboardingTabs().length > before, { what: "the onboarding page opened from the overlay" });

    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/options/options.html`);
    await page.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    await page.getByLabel("API base URL").fill(sim.url);
    await page.getByLabel("API key").fill("wrong-key");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator("[data-threadline-result][data-ok=false]").waitFor({ timeout: WAIT });
    assert.match(await page.locator("[data-threadline-result]").textContent(), /rejected the key/);

    await page.getByLabel("API key").fill(sim.apiKey);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator("[data-threadline-result][data-ok=true]", { hasText: "Connected" }).waitFor({ timeout: WAIT });
    await page.getByLabel("Account").selectOption(SEED.ada);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("[data-threadline-result]", { hasText: "Saved." }).waitFor({ timeout: WAIT });
    assert.equal(await page.getByLabel("API key").inputValue(), "", "the key is not read back into the page");

    // The LinkedIn tab picks the new settings up without a reload.
    await linkedin.locator(`${COMPOSE}[data-threadline-status=synced]`).waitFor({ timeout: WAIT });
    await linkedin.locator("[data-event-urn] [data-threadline-host=message]").first().waitFor({ state: "attached", timeout: WAIT });
  } finally {
    await b.close();
  }
});

// Issue 12 item 13: the saved key goes only to the saved base URL, and only over https (or
// http on loopback). A recorder on loopback stands for "a URL just typed": it must see no key.
test("options_new_base_url_needs_the_key_typed_again_and_http_is_refused", async () => {
  const { createServer } = await import("node:http");
  const seen = [];
  const recorder = createServer((req, res) => {
    seen.push(req.headers.authorization ?? req.headers["x-api-key"] ?? "(no key header)");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ success: true, accounts: [] }));
  });
  await new Promise((r) => recorder.listen(0, "127.0.0.1", r));
  const recorderUrl = `http://127.0.0.1:${recorder.address().port}`;
  const b = await launchChromium(sim);
  try {
    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/options/options.html`);
    await page.locator("html[data-threadline-ready]").waitFor({ state: "attached", timeout: WAIT });
    await page.getByLabel("API base URL").fill(sim.url);
    await page.getByLabel("API key").fill(sim.apiKey);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator("[data-threadline-result]", { hasText: "Saved." }).waitFor({ timeout: WAIT });

    // A new URL and no key typed: refused before any request; the recorder sees nothing.
    await page.getByLabel("API base URL").fill(recorderUrl);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator("[data-threadline-result][data-ok=false]", { hasText: "Type the API key again" }).waitFor({ timeout: WAIT });
    const ask = (fields) => page.evaluate((f) => chrome.runtime.sendMessage(f), fields);
    const direct = await ask({ type: "settings.test", baseUrl: recorderUrl });
    assert.equal(direct.ok, false);
    assert.equal(direct.error.code, "key_required");
    const saved = await ask({ type: "settings.set", baseUrl: recorderUrl });
    assert.equal(saved.error?.code, "key_required", "nor can the URL be switched under the saved key");
    assert.deepEqual(seen, [], "the saved key never reached the new URL");

    // Plain http to anything but loopback: refused, with or without a key.
    for (const baseUrl of ["http://api.example.com/linkedin", "http://10.0.0.1:8787"]) {
      const r = await ask({ type: "settings.test", baseUrl, apiKey: "typed-key" });
      assert.equal(r.error?.code, "invalid_base_url", baseUrl);
    }
    // The saved URL still tests with the saved key; a typed key goes to the new URL.
    assert.equal((await ask({ type: "settings.test", baseUrl: sim.url })).ok, true);
    // (The recorder's answer need not parse: what matters is which key it was sent.)
    await ask({ type: "settings.test", baseUrl: recorderUrl, apiKey: "typed-key" });
    assert.deepEqual(seen, ["Bearer typed-key"], "only the typed key was sent");
  } finally {
    await b.close();
    recorder.close();
  }
});
