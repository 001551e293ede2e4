// The package's public types may not say `any`: comments stripped, every `.d.ts` under pkg/ is
// searched. Run after tsc has checked that the declarations compile against a typed consumer.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? "pkg");
const files = (await readdir(root, { recursive: true })).filter(
  (f) => f.endsWith(".d.ts") && !f.endsWith("_bg.wasm.d.ts"),
);
let bad = 0;
for (const file of files) {
  const text = (await readFile(path.join(root, file), "utf8"))
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    // wasm-bindgen's raw ABI table (`InitOutput`): every externref in it is `any` by nature, and
    // no consumer calls it; the typed API is the classes and functions above it.
    .replace(/export interface InitOutput \{[\s\S]*?\n\}/g, "");
  text.split("\n").forEach((line, i) => {
    if (/\bany\b/.test(line)) {
      console.error(`${file}:${i + 1}: loose 'any' in public types: ${line.trim()}`);
      bad++;
    }
  });
}
if (bad) process.exit(1);
console.log(`d.ts: ${files.length} files, no 'any' in public types`);
