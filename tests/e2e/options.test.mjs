// The options page: labelled fields, the account list from GET /accounts, a connection test with
// a clear result, and a status line on LinkedIn that links here while the key is missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, threadUrl, COMPOSE, SEED, WAIT } from "./harness.mjs";
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
    await d.find(`${COMPOSE} [data-threadline-action=open-options]`);

    const page = await b.context.newPage();
    await page.goto(`chrome-extension://${b.extensionId}/options/options.html`);
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
