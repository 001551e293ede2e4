// Prints the size of what the extension injects into every LinkedIn page (its content scripts, in
// manifest order), raw and gzip: figures for `make test`, no budget. Usage: node
// scripts/content-size.mjs [dist/extension]
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const dir = process.argv[2] ?? "dist/extension";
const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
const files = [...new Set(manifest.content_scripts.flatMap((c) => c.js))];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let raw = 0;
const all = [];
for (const f of files) {
  const bytes = readFileSync(path.join(dir, f));
  raw += bytes.length;
  all.push(bytes);
  console.log(`${f.padEnd(24)} ${kb(bytes.length).padStart(9)} raw ${kb(gzipSync(bytes, { level: 9 }).length).padStart(9)} gzip`);
}
console.log(`${"content scripts".padEnd(24)} ${kb(raw).padStart(9)} raw ${kb(gzipSync(Buffer.concat(all), { level: 9 }).length).padStart(9)} gzip (together)`);
