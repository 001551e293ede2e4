// The third-party files the extension ships, copied from node_modules (pinned in package.json) at
// build time, never committed: the extension has no bundler, so each is one ES module its code
// imports by a relative path, with the library's license beside it.
// Usage: node scripts/vendor.mjs OUT_DIR   (writes OUT_DIR/vendor/…)
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What is shipped: `from` in node_modules → `to` under vendor/. */
export const VENDORED = [
  // The command schema of the background (extension/background/schema.js): one self-contained
  // ES module, no eval (the extension pages' CSP forbids it), MIT.
  { pkg: "valibot", from: "dist/index.mjs", to: "valibot.js", license: "LICENSE.md" },
];

/** Copies the vendored files into `out`/vendor; returns their paths. */
export function vendor(out) {
  const dir = path.join(out, "vendor");
  mkdirSync(dir, { recursive: true });
  const written = [];
  for (const { pkg, from, to, license } of VENDORED) {
    const base = path.join(root, "node_modules", pkg);
    const { version } = JSON.parse(readFileSync(path.join(base, "package.json"), "utf8"));
    copyFileSync(path.join(base, from), path.join(dir, to));
    copyFileSync(path.join(base, license), path.join(dir, `${path.parse(to).name}.LICENSE.md`));
    written.push(`${to} (${pkg} ${version})`);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error("usage: node scripts/vendor.mjs OUT_DIR");
  console.log(`vendor: ${vendor(out).join(", ")}`);
}
