// Firefox: the same build installs as a temporary add-on through geckodriver (WebDriver HTTP API)
// and one send works end to end. The demo-style preset.json points it at the simulator, since
// there is no handle on a Firefox background from here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { startSim, EXT_DIR, TMP, SEED, waitFor } from "./harness.mjs";

const GECKODRIVER = process.env.GECKODRIVER ?? path.join(os.homedir(), ".cargo/bin/geckodriver");
let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

test("firefox_installs_temporary_addon_and_sends", { timeout: 120000 }, async () => {
  const ext = mkdtempSync(path.join(TMP, "firefox-ext-"));
  cpSync(EXT_DIR, ext, { recursive: true });
  writeFileSync(path.join(ext, "preset.json"), JSON.stringify({ baseUrl: sim.url, apiKey: sim.apiKey, accountId: SEED.ada }));
  const port = await freePort();
  const driver = spawn(GECKODRIVER, ["--port", String(port), "--host", "127.0.0.1"], { stdio: "ignore", env: { ...process.env, TMPDIR: TMP } });
  const base = `http://127.0.0.1:${port}`;
  const wd = async (method, route, body) => {
    const res = await fetch(base + route, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${route}: ${JSON.stringify(json.value)}`);
    return json.value;
  };
  let session = null;
  try {
    await waitFor(() => fetch(base + "/status").then((r) => r.ok), { what: "geckodriver" });
    session = await wd("POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "firefox",
          acceptInsecureCerts: true,
          "moz:firefoxOptions": {
            binary: "/usr/bin/firefox-esr",
            args: ["-headless"],
            prefs: { "network.dns.forceResolve": "127.0.0.1" },
          },
        },
      },
    });
    const sid = session.sessionId;
    await wd("POST", `/session/${sid}/moz/addon/install`, { path: ext, temporary: true });
    const url = `https://www.linkedin.com:${sim.httpsPort}/messaging/thread/${encodeURIComponent(SEED.longThread)}/`;
    await wd("POST", `/session/${sid}/url`, { url });
    const script = (body) => wd("POST", `/session/${sid}/execute/sync`, { script: body, args: [] });
    const panel = "document.querySelector('[data-threadline-host=panel]')?.shadowRoot";
    await waitFor(async () => (await script(`return ${panel}?.querySelector('[data-threadline-status]')?.getAttribute('data-threadline-status')`)) === "synced", {
      what: "the overlay synced in Firefox",
      timeout: 60000,
    });
    const text = `Hello from Firefox ${Date.now()}`;
    await script(`const r = ${panel}; r.querySelector('[data-threadline-field=text]').value = ${JSON.stringify(text)}; r.querySelector('[data-threadline-action=send]').click();`);
    await waitFor(
      async () => script(`return [...${panel}.querySelectorAll('[data-threadline-list] > li[data-threadline-state=sent]')].some((li) => li.textContent.includes(${JSON.stringify(text)}))`),
      { what: "the sent message in Firefox", timeout: 30000 },
    );
    assert.equal((await sim.requests()).send.applied, 1);
  } finally {
    if (session) await wd("DELETE", `/session/${session.sessionId}`).catch(() => {});
    driver.kill();
    rmSync(ext, { recursive: true, force: true });
  }
});
