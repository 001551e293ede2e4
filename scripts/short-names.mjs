// Gives the module's imports from wasm-bindgen's JS glue, and its exports the glue calls, short
// names, in the .wasm and in the glue (and the glue's two .d.ts) together. wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` of the module
// "./threadline_bg.js" (about 9.6 KB of the .wasm's import section); wasm-opt's
// --minify-imports only renames imports of "env". The .wasm is read section by section (LEB128
// sizes), only its import section is written again, and every other byte is kept as it was. The
// glue is rewritten by exact match: each old name must occur exactly once in the glue, as a key of
// the imports object of `__wbg_get_imports()`, or the build stops; a .wasm and glue that do not
// match are never written. An export is renamed only when the glue reads it (`wasm.<name>`, every
// such read then renamed, none left that the .wasm does not export); its declarations in
// threadline_bg.wasm.d.ts and in threadline.d.ts's InitOutput, exactly one each, follow.
// The module name, which each import repeats, becomes "" (the JS API reads importObject[""]).
// Names are given in the sections' order, a, b, ..., so run it after wasm-opt, which may reorder
// the imports. Usage: node scripts/short-names.mjs <dir of threadline_bg.wasm, threadline.js,
// threadline.d.ts and threadline_bg.wasm.d.ts>
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { wasmBinary } from "./wasm-binary.mjs";

const MODULE = "./threadline_bg.js";
const MODULE_SHORT = "";
const dir = process.argv[2];
if (!dir) fail("usage: short-names.mjs <glue dir>");
const wasmPath = path.join(dir, "threadline_bg.wasm");
const gluePath = path.join(dir, "threadline.js");
const dtsPath = path.join(dir, "threadline.d.ts");
const wasmDtsPath = path.join(dir, "threadline_bg.wasm.d.ts");

function fail(message) {
  console.error(`short-names: ${message}`);
  process.exit(1);
}

// ---- the .wasm ----

const { reader, sections, uleb, encodeName } = wasmBinary(fail);

/** The imports of the import section: module, name and the descriptor's bytes as they are. */
function imports(bytes, section) {
  const r = reader(bytes, section.start, section.end);
  const count = r.uleb();
  const list = [];
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const descStart = r.at;
    const kind = r.byte();
    if (kind === 0x00) r.uleb();
    else if (kind === 0x01) (r.type(), r.limits());
    else if (kind === 0x02) r.limits();
    else if (kind === 0x03) (r.type(), r.byte());
    else if (kind === 0x04) (r.byte(), r.uleb());
    else fail(`import ${i} (${module} ${name}) has an unknown kind 0x${kind.toString(16)}`);
    list.push({ module, name, desc: bytes.subarray(descStart, r.at) });
  }
  if (r.at !== section.end) {
    fail(`the import section has ${section.end - r.at} bytes after its ${count} imports`);
  }
  return list;
}

/** The exports of the export section: name and the descriptor's bytes (kind, index) as they are. */
function exports(bytes, section) {
  const r = reader(bytes, section.start, section.end);
  const count = r.uleb();
  const list = [];
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const descStart = r.at;
    const kind = r.byte();
    if (kind > 0x04) fail(`export ${i} (${name}) has an unknown kind 0x${kind.toString(16)}`);
    r.uleb();
    list.push({ name, desc: bytes.subarray(descStart, r.at) });
  }
  if (r.at !== section.end) {
    fail(`the export section has ${section.end - r.at} bytes after its ${count} exports`);
  }
  return list;
}

/** The i-th short name: a..z, A..Z, then two characters and on; always a plain JS identifier. */
function shortName(i) {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const rest = first + "0123456789";
  let s = first[i % first.length];
  i = Math.floor(i / first.length);
  while (i > 0) {
    i -= 1;
    s += rest[i % rest.length];
    i = Math.floor(i / rest.length);
  }
  return s;
}

/** The one section of `id`. */
function only(list, id, what) {
  const found = list.filter((s) => s.id === id);
  if (found.length !== 1) fail(`expected one ${what} section, found ${found.length}`);
  return found[0];
}

/** Where `needle` occurs in `text`; fails unless exactly once. */
function once(text, needle, what, file) {
  const at = text.indexOf(needle);
  if (at < 0) fail(`${what} (${JSON.stringify(needle)}) is not in ${file}`);
  if (text.indexOf(needle, at + 1) >= 0) {
    fail(`${what} (${JSON.stringify(needle)}) occurs more than once in ${file}`);
  }
  return at;
}

/** `text` with each edit ({ at, length, text }) made; the edits do not overlap. */
function edit(text, edits) {
  edits.sort((a, b) => b.at - a.at);
  for (const e of edits) text = text.slice(0, e.at) + e.text + text.slice(e.at + e.length);
  return text;
}

const wasm = readFileSync(wasmPath);
const list = sections(wasm, wasmPath);
const importSection = only(list, 2, "import");
const exportSection = only(list, 7, "export");
const importList = imports(wasm, importSection);
const exportList = exports(wasm, exportSection);
let glue = readFileSync(gluePath, "utf8");
let dts = readFileSync(dtsPath, "utf8");
let wasmDts = readFileSync(wasmDtsPath, "utf8");

// ---- the imports ----

const ours = importList.filter((e) => e.module === MODULE);
if (ours.length === 0) fail(`no import of "${MODULE}": has wasm-bindgen's module name changed?`);
if (importList.some((e) => e.module === MODULE_SHORT)) {
  fail(`the module already imports from "${MODULE_SHORT}"`);
}
const renames = new Map();
ours.forEach((e, i) => {
  if (renames.has(e.name)) fail(`"${e.name}" is imported twice`);
  renames.set(e.name, shortName(i));
});

const open = "function __wbg_get_imports() {\n    const import0 = {\n        __proto__: null,\n";
const close =
  `\n    };\n    return {\n        __proto__: null,\n        "${MODULE}": import0,\n    };\n}\n`;
const start = once(glue, open, "the start of __wbg_get_imports()'s imports object", gluePath);
const end = once(glue, close, "the end of __wbg_get_imports()'s imports object", gluePath);
if (end < start) fail("the imports object ends before it starts");

// Every old name once in the whole glue, and there as a key of the imports object: `name: `
// at the start of a line of the object. A name that is part of a longer name occurs twice.
const glueEdits = [];
for (const [old, short] of renames) {
  const at = once(glue, old, "the import", gluePath);
  const key = `\n        ${old}: `;
  if (at < start + open.length - 1 || at > end || glue.slice(at - 9, at - 9 + key.length) !== key) {
    fail(`the import ${old} is in ${gluePath} but not as a key of the imports object`);
  }
  glueEdits.push({ at, length: old.length, text: short });
}
{
  const key = `"${MODULE}": import0`;
  const at = end + close.indexOf(key);
  once(glue, `"${MODULE}"`, `the module name "${MODULE}"`, gluePath);
  glueEdits.push({ at: at + 1, length: MODULE.length, text: MODULE_SHORT });
}
// The imports object's keys that the .wasm does not import (wasm-opt removed the import) keep
// their long names; counted so that a change shows in the build's output.
const object = glue.slice(start + open.length - 1, end);
const unused = [...object.matchAll(/^ {8}([A-Za-z0-9_$]+): /gm)].filter((m) => !renames.has(m[1]));

// ---- the exports ----

// The glue reads the module's exports as `wasm.<name>` (`wasm = instance.exports`): every such
// read, `wasm` not part of a longer name or property, the name not part of a longer one.
const reads = [...glue.matchAll(/(?<![\w$.])wasm\.([\w$]+)/g)].map((m) => ({
  at: m.index + "wasm.".length,
  name: m[1],
}));
const exportNames = new Set(exportList.map((e) => e.name));
if (exportNames.size !== exportList.length) fail("the .wasm exports a name twice");
const missing = [...new Set(reads.map((r) => r.name))].filter((n) => !exportNames.has(n));
if (missing.length) fail(`the glue reads exports the .wasm does not have: ${missing.join(", ")}`);
// `memory` keeps its name: it is the one export that callers of the glue's init read from what it
// answers (`InitOutput.memory`; the scale bench measures the module's memory with it).
const KEEP = new Set(["memory"]);
const read = new Set(reads.map((r) => r.name));
const exportRenames = new Map();
for (const e of exportList) {
  if (read.has(e.name) && !KEEP.has(e.name)) exportRenames.set(e.name, shortName(exportRenames.size));
}
for (const r of reads) {
  if (exportRenames.has(r.name)) glueEdits.push({ at: r.at, length: r.name.length, text: exportRenames.get(r.name) });
}

// Their declarations: `export const <name>: ` in threadline_bg.wasm.d.ts and
// `    readonly <name>: ` in threadline.d.ts's InitOutput, once each.
const initOpen = once(dts, "\nexport interface InitOutput {\n", "InitOutput", dtsPath);
const initClose = dts.indexOf("\n}\n", initOpen);
if (initClose < 0) fail(`InitOutput has no end in ${dtsPath}`);
const dtsEdits = [];
const wasmDtsEdits = [];
for (const [old, short] of exportRenames) {
  const d = `\n    readonly ${old}: `;
  const at = once(dts, d, `the export ${old}'s declaration`, dtsPath);
  if (at < initOpen || at > initClose) fail(`the export ${old} is declared outside InitOutput`);
  dtsEdits.push({ at: at + "\n    readonly ".length, length: old.length, text: short });
  const w = `\nexport const ${old}: `;
  wasmDtsEdits.push({
    at: once(wasmDts, w, `the export ${old}'s declaration`, wasmDtsPath) + "\nexport const ".length,
    length: old.length,
    text: short,
  });
}

// ---- the new .wasm, checked ----

const importBody = [...uleb(importList.length)];
for (const e of importList) {
  const ourEntry = e.module === MODULE;
  importBody.push(...encodeName(ourEntry ? MODULE_SHORT : e.module));
  importBody.push(...encodeName(ourEntry ? renames.get(e.name) : e.name));
  importBody.push(...e.desc);
}
const exportBody = [...uleb(exportList.length)];
for (const e of exportList) {
  exportBody.push(...encodeName(exportRenames.get(e.name) ?? e.name));
  exportBody.push(...e.desc);
}
if (importSection.end > exportSection.headerStart) fail("the import section is not before the export section");
const newWasm = Buffer.concat([
  wasm.subarray(0, importSection.headerStart),
  Buffer.from([2, ...uleb(importBody.length), ...importBody]),
  wasm.subarray(importSection.end, exportSection.headerStart),
  Buffer.from([7, ...uleb(exportBody.length), ...exportBody]),
  wasm.subarray(exportSection.end),
]);

// The engine's own reading of the result: it validates, and imports and exports what was
// written, in the same order.
const described = (bytes) => {
  const m = new WebAssembly.Module(bytes);
  return { imports: WebAssembly.Module.imports(m), exports: WebAssembly.Module.exports(m) };
};
const before = described(wasm);
const after = described(newWasm);
const expectedImports = before.imports.map((i) =>
  i.module === MODULE ? { ...i, module: MODULE_SHORT, name: renames.get(i.name) } : i,
);
const expectedExports = before.exports.map((e) => ({ ...e, name: exportRenames.get(e.name) ?? e.name }));
if (JSON.stringify(after.imports) !== JSON.stringify(expectedImports)) {
  fail("the rewritten .wasm does not import what was written");
}
if (JSON.stringify(after.exports) !== JSON.stringify(expectedExports)) {
  fail("the rewritten .wasm does not export what was written");
}

glue = edit(glue, glueEdits);
dts = edit(dts, dtsEdits);
wasmDts = edit(wasmDts, wasmDtsEdits);
// What the glue reads afterwards is exactly what the .wasm exports under its new names.
const shortExports = new Set([...exportRenames.values(), ...KEEP]);
const left = [...glue.matchAll(/(?<![\w$.])wasm\.([\w$]+)/g)].filter((m) => !shortExports.has(m[1]));
if (left.length) fail(`the glue still reads ${left.map((m) => m[1]).join(", ")}`);

writeFileSync(wasmPath, newWasm);
writeFileSync(gluePath, glue);
writeFileSync(dtsPath, dts);
writeFileSync(wasmDtsPath, wasmDts);
const kept = exportList.filter((e) => !exportRenames.has(e.name)).map((e) => e.name);
console.log(
  `short-names: ${renames.size} imports renamed, module "${MODULE}" -> "${MODULE_SHORT}"; ` +
    `import section ${importSection.end - importSection.start} -> ${importBody.length} B; ` +
    `${unused.length} keys of the glue's imports object not imported by the .wasm; ` +
    `${exportRenames.size} exports renamed, ${kept.length} kept (memory, and what the glue does not read) ` +
    `(${kept.join(", ")}); export section ${exportSection.end - exportSection.start} -> ` +
    `${exportBody.length} B`,
);
