// The third-party files the demo serves, copied from node_modules (pinned in package.json; no
// bundler): the keyed DOM diff www/inbox.js imports as "udomdiff" (its import map points at
// vendor/udomdiff.js), with its license. See ARCHITECTURE.md "Keyed rendering".
// Usage: node scripts/vendor.mjs DIR   (copies into DIR/vendor/; scripts/demo.sh passes www)
import { cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const VENDORED = [
  ["node_modules/udomdiff/esm/index.js", "udomdiff.js"],
  ["node_modules/udomdiff/LICENSE", "udomdiff.LICENSE"],
];

/** Copies the vendored files into `dir`/vendor/. */
export function vendorInto(dir) {
  mkdirSync(path.join(dir, "vendor"), { recursive: true });
  for (const [from, to] of VENDORED) cpSync(path.join(ROOT, from), path.join(dir, "vendor", to));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) vendorInto(process.argv[2] ?? "www");
