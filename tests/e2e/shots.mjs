// Screenshots of the e2e tests. Every one goes to .tmp/screenshots/ (open them to judge a change);
// with THREADLINE_UPDATE_SCREENSHOTS=1 the ones the README shows are written to docs/img/ instead,
// so an ordinary run never changes the tree. PNGs at the page's own scale: keep them small by
// clipping to what they show.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ROOT } from "./harness.mjs";

/** The images README.md shows (docs/img/<name>), each written by the test that takes it. */
export const README_IMAGES = new Set(["popup.png", "onboarding.png", "overlay.png", "profile-composer.png", "popup-composer.png"]);

/** Where a screenshot of this name goes in this run. */
export function shotPath(name) {
  const docs = process.env.THREADLINE_UPDATE_SCREENSHOTS && README_IMAGES.has(name);
  return path.join(ROOT, docs ? "docs/img" : ".tmp/screenshots", name);
}

/** `target.screenshot` (a page or a locator) to shotPath(name); prints where it went. */
export async function screenshot(target, name, options = {}) {
  const file = shotPath(name);
  await mkdir(path.dirname(file), { recursive: true });
  await target.screenshot({ path: file, ...options });
  console.log(`screenshot: ${path.relative(ROOT, file)}`);
  return file;
}
