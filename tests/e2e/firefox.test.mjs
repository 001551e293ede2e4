// Firefox: the same build installs as a temporary add-on through geckodriver (WebDriver HTTP API);
// on the full page and in a chat bubble, a reaction and a send through LinkedIn's composer work, and
// a first message from a profile page's "Message with Threadline". The demo-style preset.json points it at the simulator, since
// there is no handle on a Firefox background from here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { startSim, otherOneToOne, EXT_DIR, TMP, SEED, waitFor } from "./harness.mjs";

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

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW = "shadow-6066-11e4-a52e-4f735466cecf";

test("firefox_full_page_and_a_bubble_react_and_send_through_linkedins_composer", { timeout: 180000 }, async () => {
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
            args: ["-headless", "-width", "1200", "-height", "900"],
            prefs: { "network.dns.forceResolve": "127.0.0.1" },
          },
        },
      },
    });
    const sid = session.sessionId;
    const S = `/session/${sid}`;
    await wd("POST", `${S}/moz/addon/install`, { path: ext, temporary: true });
    const script = (body, args = []) => wd("POST", `${S}/execute/sync`, { script: body, args });
    // Real input through WebDriver (trusted events), into the overlay's closed roots (WebDriver,
    // unlike page scripts, can open them).
    const inside = async (host, css) => {
      const root = await wd("GET", `${S}/element/${host[ELEMENT]}/shadow`);
      return wd("POST", `${S}/shadow/${root[SHADOW]}/element`, { using: "css selector", value: css });
    };
    const click = (e) => wd("POST", `${S}/element/${e[ELEMENT]}/click`, {});
    const hover = (e) =>
      wd("POST", `${S}/actions`, { actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: [{ type: "pointerMove", origin: e, x: 0, y: 0 }] }] });
    const origin = `https://www.linkedin.com:${sim.httpsPort}`;

    // The full page.
    await wd("POST", `${S}/url`, { url: `${origin}/messaging/thread/${encodeURIComponent(SEED.longThread)}/` });
    const compose = "document.querySelector('[data-threadline-host=compose]')";
    await waitFor(async () => (await script(`const h = ${compose}; return h && h.getAttribute('data-threadline-status') === 'synced' && h.getAttribute('data-threadline-bound') === 'bound'`)) === true, {
      what: "the overlay synced and bound in Firefox",
      timeout: 60000,
    });
    assert.equal(await script(`return ${compose}.shadowRoot`), null, "closed to the page");
    const item = await waitFor(() => script(`return document.querySelector('[data-event-urn$=",${SEED.theirs})"]')`), { what: "LinkedIn's item" });
    await waitFor(() => script(`return !!arguments[0].querySelector('[data-threadline-host=message]')`, [item]), { what: "the item decorated" });
    await hover(item);
    const host = await script(`return arguments[0].querySelector('[data-threadline-host=message]')`, [item]);
    await click(await inside(host, "[data-threadline-action=react]"));
    await click(await inside(host, '[data-threadline-emoji="🎉"]'));
    await waitFor(async () => (await sim.requests()).react.applied === 1, { what: "the reaction applied" });
    // Send: LinkedIn's box, Threadline's control beside LinkedIn's Send.
    const text = `Hello from Firefox ${Date.now()}`;
    const box = await wd("POST", `${S}/element`, { using: "css selector", value: ".msg-form__contenteditable" });
    await click(box);
    await wd("POST", `${S}/element/${box[ELEMENT]}/value`, { text });
    const composeHost = await script(`return ${compose}`);
    await click(await inside(composeHost, "[data-threadline-action=options]"));
    await click(await inside(composeHost, "[data-threadline-action=send]"));
    await waitFor(
      () => script(`return [...document.querySelectorAll('[data-event-urn]')].some((i) => i.textContent.includes(arguments[0]) && i.querySelector('[data-threadline-host=message]'))`, [text]),
      { what: "the sent message on LinkedIn's page, decorated", timeout: 30000 },
    );
    assert.equal(await script("return document.querySelector('.msg-form__contenteditable').innerText.trim()"), "");
    assert.equal((await sim.requests()).send.applied, 1);

    // A chat bubble on the feed (light DOM placement), bound to its conversation.
    const bubbleThread = await otherOneToOne(sim);
    await wd("POST", `${S}/url`, { url: `${origin}/feed/?bubble=light&bubbleThread=${encodeURIComponent(bubbleThread)}` });
    const bubbleCompose = "document.querySelector('[data-view-name=message-overlay-conversation-bubble-item] [data-threadline-host=compose]')";
    await waitFor(async () => (await script(`return ${bubbleCompose}?.getAttribute('data-threadline-bound')`)) === "bound", { what: "the bubble bound in Firefox", timeout: 60000 });
    // (Which conversation it is bound to is not on the page; the send below lands in it.)
    const bubbleText = `Firefox bubble ${Date.now()}`;
    const bubbleBox = await wd("POST", `${S}/element`, { using: "css selector", value: "[data-view-name=message-overlay-conversation-bubble-item] .msg-form__contenteditable" });
    await click(bubbleBox);
    await wd("POST", `${S}/element/${bubbleBox[ELEMENT]}/value`, { text: bubbleText });
    const bubbleHost = await script(`return ${bubbleCompose}`);
    await click(await inside(bubbleHost, "[data-threadline-action=options]"));
    await click(await inside(bubbleHost, "[data-threadline-action=send]"));
    await waitFor(async () => (await sim.control("GET", "snapshot")).threads.find((t) => t.messages.some((m) => m.text === bubbleText))?.threadId === bubbleThread, {
      what: "the bubble's send in its conversation",
      timeout: 30000,
    });
    // The hidden copy of the app got nothing.
    assert.equal(await script("return document.querySelector('iframe[data-sim-copy]').contentDocument.querySelectorAll('[data-threadline-host]').length"), 0);
    assert.ok((await script("return document.querySelector('iframe[data-sim-copy]').contentDocument.querySelectorAll('[data-event-urn]').length")) > 0);

    // A profile page: "Message with Threadline" beside LinkedIn's Message link starts a conversation.
    await wd("POST", `${S}/url`, { url: `${origin}/in/nadia-newcontact-sim/` });
    const profile = "document.querySelector('[data-threadline-host=profile]')";
    await waitFor(async () => (await script(`const h = ${profile}; return h ? h.getAttribute('data-threadline-placement') + ' ' + h.getAttribute('data-threadline-recipient-kind') : null`)) === "beside urn", {
      what: "the profile control in Firefox",
      timeout: 30000,
    });
    assert.equal(await script(`return ${profile}.shadowRoot`), null, "closed to the page");
    const profileHost = await script(`return ${profile}`);
    await click(await inside(profileHost, "[data-threadline-action=message]"));
    const profileText = `Hello Nadia from Firefox ${Date.now()}`;
    const profileBox = await inside(profileHost, "[data-threadline-field=text]");
    await waitFor(async () => (await wd("GET", `${S}/element/${profileBox[ELEMENT]}/displayed`)) === true, { what: "the profile composer open" });
    await wd("POST", `${S}/element/${profileBox[ELEMENT]}/value`, { text: profileText });
    await click(await inside(profileHost, "[data-threadline-action=send]"));
    await waitFor(async () => (await sim.control("GET", "snapshot")).threads.find((t) => t.messages.some((m) => m.text === profileText))?.members.includes("ACoAANew_Contact-SimPerson000000000N01"), {
      what: "the profile's send to that profile",
      timeout: 30000,
    });
  } finally {
    if (session) await wd("DELETE", `/session/${session.sessionId}`).catch(() => {});
    driver.kill();
    rmSync(ext, { recursive: true, force: true });
  }
});
