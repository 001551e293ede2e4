// Size of the shipped .wasm (after wasm-bindgen and wasm-opt): raw, gzip and brotli, checked
// against the committed budget in size-budget.json. Prints a table; fails above the budget.
import { readFile } from "node:fs/promises";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const wasmPath = process.argv[2] ?? "pkg/glue/threadline_bg.wasm";
const budget = JSON.parse(await readFile(new URL("../size-budget.json", import.meta.url), "utf8"));
const bytes = await readFile(wasmPath);
const sizes = {
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length,
};
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + " KB";
console.log(`size report: ${wasmPath}`);
console.log(`  raw    ${kb(sizes.raw)}`);
console.log(`  gzip   ${kb(sizes.gzip)}   (budget ${kb(budget.gzipBytes).trim()})`);
console.log(`  brotli ${kb(sizes.brotli)}`);
if (sizes.gzip > budget.gzipBytes) {
  console.error(`size report: gzip ${sizes.gzip} B is over the budget of ${budget.gzipBytes} B`);
  process.exit(1);
}
