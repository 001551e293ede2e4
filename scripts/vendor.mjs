// The third-party files Threadline ships, copied from node_modules (pinned in package.json) at
// build time, never committed: each is one file its code loads by a relative path, with the
// library's license beside it (the extension's background is then bundled by
// scripts/assemble-extension.sh, which takes valibot.js into it and keeps its license). Two targets:
//   extension: scripts/build-extension.sh → dist/extension/vendor/
//   www:       the demo (scripts/demo.sh, the demo e2e) → www/vendor/ (or a copy of www/)
// Usage: node scripts/vendor.mjs OUT_DIR [extension|www]   (writes OUT_DIR/vendor/…)
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What is shipped, per target: `from` in node_modules/<pkg> → `to` under vendor/. */
export const VENDORED = {
  extension: [
    // The command schema of the background (extension/background/schema.js): one self-contained
    // ES module, no eval (the extension pages' CSP forbids it), MIT.
    { pkg: "valibot", from: "dist/index.mjs", to: "valibot.js", license: "LICENSE.md" },
    // The keyed DOM diff of composer.js (ARCHITECTURE.md "Keyed rendering"): its classic build,
    // a content script listed before composer.js and a script of the popup, ISC.
    { pkg: "udomdiff", from: "min.js", to: "udomdiff.js", license: "LICENSE" },
  ],
  // The demo's keyed DOM diff: the ES module www/inbox.js imports as "udomdiff" (import map).
  www: [{ pkg: "udomdiff", from: "esm/index.js", to: "udomdiff.js", license: "LICENSE" }],
};

/** Copies the target's vendored files into `out`/vendor; returns what it wrote. */
export function vendor(out, target = "extension") {
  const files = VENDORED[target];
  if (!files) throw new Error(`vendor: no target ${target}`);
  const dir = path.join(out, "vendor");
  mkdirSync(dir, { recursive: true });
  const written = [];
  for (const { pkg, from, to, license } of files) {
    const base = path.join(root, "node_modules", pkg);
    const { version } = JSON.parse(readFileSync(path.join(base, "package.json"), "utf8"));
    copyFileSync(path.join(base, from), path.join(dir, to));
    copyFileSync(path.join(base, license), path.join(dir, `${path.parse(to).name}.LICENSE${path.extname(license)}`));
    written.push(`${to} (${pkg} ${version})`);
  }
  return written;
}

/** The demo's files into `dir`/vendor/ (the demo e2e's copy of www/). */
export const vendorInto = (dir) => vendor(dir, "www");

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, target = "extension"] = process.argv.slice(2);
  if (!out) throw new Error("usage: node scripts/vendor.mjs OUT_DIR [extension|www]");
  console.log(`vendor (${target}): ${vendor(out, target).join(", ")}`);
}
