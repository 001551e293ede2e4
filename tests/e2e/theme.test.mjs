// The overlay takes LinkedIn's own theme (issue 14, "dark mode follows the system"): on LinkedIn
// the member's theme is LinkedIn's setting (`theme--dark` on <html>, docs/linkedin-page.md "Dark
// mode"), which may differ from the system's, so the controls follow the page, not the media query.
// Real Chromium with the built extension, the simulator's LinkedIn-shaped page in its dark mode,
// colours read from inside the closed roots through the DevTools protocol.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startSim, launchChromium, threadUrl, COMPOSE, SEED, WAIT, waitFor } from "./harness.mjs";
import { screenshot } from "./shots.mjs";
import { closedDriver } from "./closed.mjs";

let sim;
before(async () => {
  sim = await startSim();
});
after(() => sim?.stop());
beforeEach(() => sim.reset());


/** "rgb(r, g, b)" / "rgba(r, g, b, a)" → relative luminance (WCAG 2), or null. */
function luminance(css) {
  const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(css ?? "");
  if (!m) return null;
  const lin = (c) => {
    const s = Number(c) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[1]) + 0.7152 * lin(m[2]) + 0.0722 * lin(m[3]);
}
const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

const OPEN = `${COMPOSE} button[data-threadline-action=options]`;
const BOUND = `${COMPOSE}[data-threadline-status=synced][data-threadline-bound=bound]`;

/** The compose control's button: its own background and text colours, read inside the closed root. */
async function buttonColours(d) {
  const bg = await d.style(OPEN, "background-color");
  const fg = await d.style(OPEN, "color");
  return { bg, fg, bgL: luminance(bg), fgL: luminance(fg) };
}

test("the_overlay_is_dark_on_linkedins_dark_mode_and_readable", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    await page.goto(`${threadUrl(SEED.longThread)}?theme=dark`);
    await page.locator(BOUND).waitFor({ timeout: WAIT });
    assert.equal(await page.locator(COMPOSE).getAttribute("data-threadline-theme"), "dark");
    // Every message's controls too, not only the composer's.
    await page.locator("[data-threadline-host=message]").first().waitFor({ timeout: WAIT });
    const themes = await page.locator("[data-threadline-host=message]").evaluateAll((hosts) => [...new Set(hosts.map((h) => h.getAttribute("data-threadline-theme")))]);
    assert.deepEqual(themes, ["dark"]);

    const d = await closedDriver(page);
    const c = await buttonColours(d);
    assert.ok(c.bgL !== null && c.bgL < 0.05, `the control's background is dark: ${c.bg}`);
    assert.ok(contrast(c.bgL, c.fgL) >= 4.5, `its text is readable on it (WCAG AA): ${c.fg} on ${c.bg}, ${contrast(c.bgL, c.fgL).toFixed(2)}`);

    // The panel it opens, too.
    await d.click(OPEN);
    const pop = `${COMPOSE} [data-threadline-send-form]`;
    const popBg = await waitFor(async () => {
      const v = await d.style(pop, "background-color", { timeout: 2000 });
      return v && v !== "rgba(0, 0, 0, 0)" ? v : null;
    }, { what: "the panel's background" });
    assert.ok(luminance(popBg) < 0.05, `the panel is dark: ${popBg}`);
    await screenshot(page, "overlay-dark.png");
  } finally {
    await b.close();
  }
});

test("linkedin_in_light_on_a_dark_system_keeps_the_overlay_light_and_a_switch_repaints_it", async () => {
  const b = await launchChromium(sim);
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(threadUrl(SEED.longThread));
    await page.locator(BOUND).waitFor({ timeout: WAIT });
    assert.equal(await page.locator(COMPOSE).getAttribute("data-threadline-theme"), "light");
    const d = await closedDriver(page);
    const light = await buttonColours(d);
    assert.ok(light.bgL > 0.8, `light LinkedIn, light control: ${light.bg}`);

    // LinkedIn switches its theme in place (a class on <html>, no reload): the controls follow.
    await page.evaluate(() => document.documentElement.classList.add("theme--dark"));
    await page.locator(`${COMPOSE}[data-threadline-theme=dark]`).waitFor({ timeout: WAIT });
    const dark = await buttonColours(d);
    assert.ok(dark.bgL < 0.05, `after the switch the control is dark: ${dark.bg}`);
    await page.evaluate(() => document.documentElement.classList.remove("theme--dark"));
    await page.locator(`${COMPOSE}[data-threadline-theme=light]`).waitFor({ timeout: WAIT });
  } finally {
    await b.close();
  }
});

test("the_overlay_speaks_the_browsers_language", async () => {
  // Every word of the overlay comes from _locales (issue 14): in a French browser, French.
  const b = await launchChromium(sim, { lang: "fr" });
  try {
    await b.configure({ accountId: SEED.ada });
    const page = await b.context.newPage();
    await page.goto(threadUrl(SEED.longThread));
    await page.locator(BOUND).waitFor({ timeout: WAIT });
    const d = await closedDriver(page);
    assert.equal(await d.text("[data-threadline-host=message] button[data-threadline-action=recall]"), "↶ Retirer");
    assert.equal(await d.text("[data-threadline-host=message] button[data-threadline-action=react]"), "☺ Réagir");
    await d.click(OPEN);
    assert.equal(await d.text(`${COMPOSE} h3`), "Envoyer ce message avec Threadline");
  } finally {
    await b.close();
  }
});
