// The demo inbox follows the system's colour scheme (issue 14, "dark mode follows the system"), and
// its text stays readable in both: each checked element's text against the background it is
// actually drawn on (the first opaque one up its ancestors, translucent colours blended), to WCAG
// AA's 4.5:1. Real Chromium emulating each scheme, the simulator's API.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, shot, WAIT } from "./harness.mjs";

let sim;
let base;
let api;
let ids;
let browser;

before(async () => {
  ({ child: sim, url: base, api } = await startSim("e2e-demo-theme-www"));
  ids = await api("GET", "/__sim/seed-ids");
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  sim?.kill();
});

/**
 * In the page: for each selector's first visible element, its text colour, the colour it is drawn
 * on, and their contrast ratio (WCAG 2), translucent colours composed over what is below them.
 */
function readability(selectors) {
  const parse = (css) => {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(css);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
  };
  const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
  const lum = ([r, g, b]) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  /** The colour behind `node`: its backgrounds from the root down, composed. */
  const backdrop = (node) => {
    const chain = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) chain.unshift(n);
    let colour = [255, 255, 255, 1]; // the canvas
    for (const n of chain) {
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg && bg[3] > 0) colour = over(bg, colour);
    }
    return colour;
  };
  const out = {};
  for (const sel of selectors) {
    const node = [...document.querySelectorAll(sel)].find((n) => n.getClientRects().length);
    if (!node) {
      out[sel] = null;
      continue;
    }
    const bg = backdrop(node);
    const fg = over(parse(getComputedStyle(node).color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    out[sel] = { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), fg: fg.slice(0, 3).map(Math.round), bg: bg.slice(0, 3).map(Math.round), bgLum: b };
  }
  return out;
}

/** What a user reads first: the bar, the list, the open conversation, the composer. */
const TEXTS = [
  ".brand", "#sync", "#quota", "#conv-title", "#conv-sub",
  "[data-threadline-conversation] .thread-name, [data-threadline-conversation]",
  "[data-threadline-message] [data-threadline-text]",
  "#send", "#keyword", "#text",
];

for (const scheme of ["dark", "light"]) {
  describe(`demo inbox, ${scheme} scheme`, { timeout: 90_000 }, () => {
    it(`follows the system's ${scheme} scheme and every text checked is readable (AA)`, async () => {
      await api("POST", "/__sim/reset");
      const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme: scheme });
      const page = await context.newPage();
      page.on("pageerror", (e) => console.error(`[${scheme}] page error:`, e));
      await page.goto(`${base}/www/inbox.html?poll=300&store=theme-${scheme}`);
      await page.locator(`[data-threadline-conversation="${ids.longThreadId}"]`).click(WAIT);
      await page.waitForSelector("[data-threadline-message]", WAIT);
      await page.waitForSelector('[data-threadline-sync="synced"]', WAIT);

      const canvas = await page.evaluate(readability, ["body"]);
      if (scheme === "dark") assert.ok(canvas.body.bgLum < 0.05, `the page is dark: ${JSON.stringify(canvas.body)}`);
      else assert.ok(canvas.body.bgLum > 0.8, `the page is light: ${JSON.stringify(canvas.body)}`);

      const facts = await page.evaluate(readability, TEXTS);
      for (const [sel, f] of Object.entries(facts)) {
        assert.ok(f, `${sel} is on screen`);
        assert.ok(f.ratio >= 4.5, `${sel}: rgb(${f.fg}) on rgb(${f.bg}) is ${f.ratio.toFixed(2)}:1, under 4.5:1`);
      }
      console.log(`${scheme}: ${Object.entries(facts).map(([s, f]) => `${s.split(",")[0]} ${f.ratio.toFixed(1)}`).join(", ")}`);
      await shot(page, `demo-${scheme}.png`);

      // The "New message" dialog, the other surface of its own.
      await page.click("#new-message");
      await page.waitForSelector("#new-dialog[open]", WAIT);
      const dialog = await page.evaluate(readability, ["#new-dialog"]);
      if (scheme === "dark") assert.ok(dialog["#new-dialog"].bgLum < 0.05, `the dialog is dark too: ${JSON.stringify(dialog)}`);
      assert.ok(dialog["#new-dialog"].ratio >= 4.5, `the dialog's text: ${JSON.stringify(dialog)}`);
      await shot(page, `demo-${scheme}-new.png`);
      await context.close();
    });
  });
}
