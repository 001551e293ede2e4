// Command-schema bench (figures, never assertions): the background's validator of every command
// (extension/background/schema.js, over valibot) side by side with the hand-written one it replaced
// (tests/bench/schema-handwritten.mjs) and the other candidates, zod 4 (full and zod/mini) and
// superstruct, each built from the hand-written table so that all check the same rules. Prints:
//   1. the bytes the background would ship for each (raw and gzip; a library's ES-module files as
//      they would be vendored, i.e. every file its entry imports, the extension having no bundler)
//      and the time to import it in a fresh Node;
//   2. the time to validate one mix of 100k commands (valid and refused), median of rounds, and
//      how often each disagrees with the hand-written one on accepting a command (should be 0);
//   3. the text each library produces for the same bad commands (its first issue, raw), and the
//      readable line the background answers.
// The candidates are installed (pinned) in $TMPDIR/schema-cands, never in package.json.
// Usage: node scripts/bench-schema.mjs [N_COMMANDS]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { vendor } from "./vendor.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = 7;
const PINS = { valibot: "1.5.0", zod: "4.6.7", superstruct: "2.0.2" };

// ---- Candidates --------------------------------------------------------------------------------

const cands = path.join(os.tmpdir(), "schema-cands");
const installed = (p) => {
  try {
    return JSON.parse(readFileSync(path.join(cands, "node_modules", p, "package.json"), "utf8")).version === PINS[p];
  } catch {
    return false;
  }
};
if (!Object.keys(PINS).every(installed)) {
  mkdirSync(cands, { recursive: true });
  writeFileSync(path.join(cands, "package.json"), '{"private": true}\n');
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...Object.entries(PINS).map(([p, v]) => `${p}@${v}`)], { cwd: cands, stdio: "inherit" });
}
const mod = (spec) => path.join(cands, "node_modules", spec);

// The extension's tree as built: schema.js beside ../vendor/valibot.js (scripts/vendor.mjs).
const tree = path.join(os.tmpdir(), `schema-bench-${process.pid}`);
mkdirSync(path.join(tree, "background"), { recursive: true });
cpSync(path.join(root, "extension/background/schema.js"), path.join(tree, "background/schema.js"));
vendor(tree);
process.on("exit", () => rmSync(tree, { recursive: true, force: true }));

const hand = await import(pathToFileURL(path.join(root, "tests/bench/schema-handwritten.mjs")));
const shipped = await import(pathToFileURL(path.join(tree, "background/schema.js")));
const v = await import(pathToFileURL(mod("valibot/dist/index.mjs")));
const zod = await import(pathToFileURL(mod("zod/index.js")));
const zm = await import(pathToFileURL(mod("zod/mini/index.js")));
const ss = await import(pathToFileURL(mod("superstruct/dist/index.mjs")));
// The extension pages' CSP (manifest: script-src 'self' 'wasm-unsafe-eval') forbids eval: zod
// finds that out itself in the extension and runs without its compiled fast path; here too.
zod.config({ jitless: true });

/** Each library's checker of one field spec of the hand-written table. */
const build = {
  zod(f) {
    switch (f.type) {
      case "string": {
        if (f.oneOf) return zod.z.enum(f.oneOf);
        let s = zod.z.string();
        if (f.min) s = s.min(f.min);
        if (f.max) s = s.max(f.max);
        return f.pattern ? s.regex(f.pattern) : s;
      }
      case "number":
        return zod.z.number().min(f.min).max(f.max);
      case "boolean":
        return zod.z.boolean();
      case "array":
        return zod.z.array(build.zod(f.items)).max(f.max);
      case "object":
        return zod.z.strictObject(Object.fromEntries(Object.entries({ ...f.fields, ...f.extra }).map(([k, x]) => [k, f.optional?.includes(k) ? build.zod(x).optional() : build.zod(x)])));
    }
  },
  zodMini(f) {
    const z = zm.z;
    switch (f.type) {
      case "string": {
        if (f.oneOf) return z.enum(f.oneOf);
        const checks = [];
        if (f.min) checks.push(z.minLength(f.min));
        if (f.max) checks.push(z.maxLength(f.max));
        if (f.pattern) checks.push(z.regex(f.pattern));
        return z.string().check(...checks);
      }
      case "number":
        return z.number().check(z.gte(f.min), z.lte(f.max));
      case "boolean":
        return z.boolean();
      case "array":
        return z.array(build.zodMini(f.items)).check(z.maxLength(f.max));
      case "object":
        return z.strictObject(Object.fromEntries(Object.entries({ ...f.fields, ...f.extra }).map(([k, x]) => [k, f.optional?.includes(k) ? z.optional(build.zodMini(x)) : build.zodMini(x)])));
    }
  },
  superstruct(f) {
    switch (f.type) {
      case "string": {
        if (f.oneOf) return ss.enums(f.oneOf);
        let s = ss.size(ss.string(), f.min ?? 0, f.max ?? Infinity);
        return f.pattern ? ss.pattern(s, f.pattern) : s;
      }
      case "number":
        return ss.size(ss.refine(ss.number(), "finite", Number.isFinite), f.min, f.max);
      case "boolean":
        return ss.boolean();
      case "array":
        return ss.size(ss.array(build.superstruct(f.items)), 0, f.max);
      case "object":
        return ss.object(Object.fromEntries(Object.entries({ ...f.fields, ...f.extra }).map(([k, x]) => [k, f.optional?.includes(k) ? ss.optional(build.superstruct(x)) : build.superstruct(x)])));
    }
  },
  valibot(f) {
    switch (f.type) {
      case "string": {
        if (f.oneOf) return v.picklist(f.oneOf);
        const p = [v.string()];
        if (f.min) p.push(v.minLength(f.min));
        if (f.max) p.push(v.maxLength(f.max));
        if (f.pattern) p.push(v.regex(f.pattern));
        return v.pipe(...p);
      }
      case "number":
        return v.pipe(v.number(), v.finite(), v.minValue(f.min), v.maxValue(f.max));
      case "boolean":
        return v.boolean();
      case "array":
        return v.pipe(v.array(v.unknown()), v.maxLength(f.max), v.array(build.valibot(f.items)));
      case "object":
        return v.strictObject(Object.fromEntries(Object.entries({ ...f.fields, ...f.extra }).map(([k, x]) => [k, f.optional?.includes(k) ? v.optional(build.valibot(x)) : build.valibot(x)])));
    }
  },
};
/** First issue's raw text (what the library would show) or null when accepted. */
const runner = {
  zod: (s) => (x) => {
    const r = s.safeParse(x);
    return r.success ? null : `${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`;
  },
  zodMini: (s) => (x) => {
    const r = s.safeParse(x);
    return r.success ? null : `${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`;
  },
  superstruct: (s) => (x) => {
    const [err] = ss.validate(x, s);
    return err ? err.message : null;
  },
  valibot: (s) => (x) => {
    const r = v.safeParse(s, x, { abortEarly: true });
    return r.success ? null : `${r.issues[0].path?.map((p) => p.key).join(".") ?? ""}: ${r.issues[0].message}`;
  },
};
/** The hand-written envelope (type, sender, resent, only) around a library's field checks. */
function fromTable(lib) {
  const checks = Object.fromEntries(
    Object.entries(hand.COMMANDS).map(([type, spec]) => [
      type,
      runner[lib](build[lib]({ type: "object", ...spec, fields: { ...spec.fields, resent: { type: "boolean" } }, optional: [...(spec.optional ?? []), "resent"] })),
    ]),
  );
  return (msg, from) => {
    if (!msg || typeof msg !== "object" || Array.isArray(msg)) return "a command is an object";
    const spec = Object.hasOwn(hand.COMMANDS, msg.type) ? hand.COMMANDS[msg.type] : null;
    if (!spec) return "unknown command";
    if (!spec.from.includes(from)) return "not accepted from this sender";
    const { type: _t, id: _i, ...args } = msg;
    const only = spec.only?.[from];
    if (only && Object.keys(args).some((k) => k !== "resent" && !only.includes(k))) return "not accepted from this sender";
    return checks[msg.type](args);
  };
}

/** The files a library's entry imports, transitively (what would be vendored). */
function closure(entry) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/(?:^|[;\n])\s*(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|(?:^|[;\n])\s*import\s*["']([^"']+)["']/g)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) throw new Error(`${file} imports the package ${spec}`);
      walk(path.resolve(path.dirname(file), spec));
    }
  };
  walk(entry);
  return [...seen];
}
const bytes = (files) => {
  const all = Buffer.concat(files.map((f) => readFileSync(f)));
  return { files: files.length, raw: all.length, gzip: gzipSync(all, { level: 9 }).length };
};
/** Median ms of importing `entry` in fresh Node processes (parse + evaluate, nothing cached). */
function importMs(entry) {
  const code = `const t=performance.now(); await import(${JSON.stringify(pathToFileURL(entry).href)}); console.log(performance.now()-t)`;
  const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" })));
  return runs.sort((a, b) => a - b)[2];
}

const handFile = path.join(root, "tests/bench/schema-handwritten.mjs");
const shippedFiles = [path.join(tree, "background/schema.js"), path.join(tree, "vendor/valibot.js")];
const CANDIDATES = [
  { name: "hand-written (before)", validate: hand.validate, files: [handFile], entry: handFile },
  { name: "valibot 1.5 (shipped)", validate: shipped.validate, files: shippedFiles, entry: shippedFiles[0] },
  { name: "valibot 1.5, its minified file", files: [mod("valibot/dist/index.min.mjs")], entry: mod("valibot/dist/index.min.mjs"), libOnly: true },
  { name: "valibot 1.5 (from table)", validate: fromTable("valibot"), files: closure(mod("valibot/dist/index.mjs")), entry: mod("valibot/dist/index.mjs"), libOnly: true },
  { name: "zod 4.6 (full)", validate: fromTable("zod"), files: closure(mod("zod/index.js")), entry: mod("zod/index.js"), libOnly: true },
  { name: "zod 4.6 (zod/mini)", validate: fromTable("zodMini"), files: closure(mod("zod/mini/index.js")), entry: mod("zod/mini/index.js"), libOnly: true },
  { name: "superstruct 2.0", validate: fromTable("superstruct"), files: closure(mod("superstruct/dist/index.mjs")), entry: mod("superstruct/dist/index.mjs"), libOnly: true },
];

// ---- The mix -----------------------------------------------------------------------------------

const URN = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAB1,2-MTcwMDAwMDAwMDAwMGI=)";
const ATT = { assetUrn: "urn:li:digitalmediaAsset:C4D10AQ", byteSize: 2048, mediaType: "image/png", name: "a.png" };
/** [label, command, sender]; the labelled bad ones are also the error-text table's rows. */
const VALID = [
  ["send", { id: 1, type: "send", clientKey: "k-1", text: "Thanks, talk soon!", channel: "auto" }, "tab"],
  ["send (subject, 2 files)", { id: 2, type: "send", clientKey: "k-2", text: "Here it is", subject: "Deck", channel: "linkedin_inbox", attachments: [ATT, { ...ATT, url: "https://x.example/a" }] }, "tab"],
  ["send (new conversation)", { id: 3, type: "send", clientKey: "k-3", text: "Hello", channel: "auto", recipientProfileUrn: "urn:li:fsd_profile:ACoAAB1" }, "page"],
  ["react", { id: 4, type: "react", messageUrn: URN, emoji: "👍", add: true }, "tab"],
  ["recall", { id: 5, type: "recall", messageUrn: URN }, "tab"],
  ["bind (page path)", { id: 6, type: "bind", path: "/messaging/thread/2-MTcw/", notices: true }, "tab"],
  ["bind (bubble)", { id: 7, type: "bind", messageUrns: Array(20).fill(URN) }, "tab"],
  ["bind (extension page)", { id: 8, type: "bind", notices: true }, "page"],
  ["status", { id: 9, type: "status" }, "tab"],
  ["resolve", { id: 10, type: "resolve", urns: Array(40).fill(URN) }, "tab"],
];
const BAD = [
  ["text of wrong type", { id: 11, type: "send", clientKey: "k-4", text: 42, channel: "auto" }, "tab"],
  ["text missing", { id: 12, type: "send", clientKey: "k-4", channel: "auto" }, "tab"],
  ["text empty", { id: 13, type: "send", clientKey: "k-4", text: "", channel: "auto" }, "tab"],
  ["text over 8000", { id: 14, type: "send", clientKey: "k-4", text: "x".repeat(8001), channel: "auto" }, "tab"],
  ["channel unknown", { id: 15, type: "send", clientKey: "k-4", text: "hi", channel: "email" }, "tab"],
  ["extra field (url)", { id: 16, type: "send", clientKey: "k-4", text: "hi", channel: "auto", url: "https://evil.example/" }, "tab"],
  ["bad profile URN", { id: 17, type: "send", clientKey: "k-4", text: "hi", channel: "auto", recipientProfileUrn: "https://evil.example/" }, "page"],
  ["bad message URN", { id: 18, type: "recall", messageUrn: "urn:li:" }, "tab"],
  ["attachment size < 0", { id: 19, type: "send", clientKey: "k-4", text: "hi", channel: "auto", attachments: [{ ...ATT, byteSize: -1 }] }, "tab"],
  ["attachment extra field", { id: 20, type: "send", clientKey: "k-4", text: "hi", channel: "auto", attachments: [{ ...ATT, path: "/etc" }] }, "tab"],
  ["11 attachments", { id: 21, type: "send", clientKey: "k-4", text: "hi", channel: "auto", attachments: Array(11).fill(ATT) }, "tab"],
  ["react add not boolean", { id: 22, type: "react", messageUrn: URN, emoji: "👍", add: "yes" }, "tab"],
  ["tabId out of range", { id: 23, type: "popup.state", tabId: -1 }, "page"],
  ["baseUrl not http(s)", { id: 24, type: "settings.set", baseUrl: "ftp://x.example/" }, "page"],
];
const ENVELOPE = [
  ["bind path from a page", { id: 25, type: "bind", path: "/messaging/thread/2-x/" }, "page"],
  ["tab-only command from a page", { id: 26, type: "recall", messageUrn: URN }, "page"],
  ["unknown command", { id: 27, type: "delete" }, "tab"],
];

// 70 % valid, 30 % refused, in a fixed order (xorshift seed).
let seed = 20261202;
const rnd = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) / 2 ** 32);
const mix = Array.from({ length: N }, () => {
  const pool = rnd() < 0.7 ? VALID : rnd() < 0.85 ? BAD : ENVELOPE;
  return pool[Math.floor(rnd() * pool.length)];
});

// ---- Run ---------------------------------------------------------------------------------------

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`Command schema: ${N} commands (70 % valid), median of ${ROUNDS} rounds, Node ${process.version} (V8 ${process.versions.v8})`);
const W = 38;
console.log(`  ${"candidate".padEnd(W)} ${"files".padStart(5)} ${"raw".padStart(10)} ${"gzip -9".padStart(10)} ${"import".padStart(9)} ${`${N / 1000}k mix`.padStart(10)} ${"ns/cmd".padStart(7)} ${"refused".padStart(8)} ${"differs".padStart(8)}`);
const reference = mix.map(([, m, f]) => hand.validate(m, f) === null);
for (const c of CANDIDATES) {
  const b = bytes(c.files);
  const imp = importMs(c.entry);
  let cells = `${"".padStart(10)} ${"".padStart(7)} ${"".padStart(8)} ${"".padStart(8)}`;
  if (c.validate) {
    for (let i = 0; i < 2000; i++) c.validate(mix[i][1], mix[i][2]); // warm-up
    const times = [];
    let refused = 0;
    let differs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      refused = 0;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) if (c.validate(mix[i][1], mix[i][2]) !== null) refused++;
      times.push(performance.now() - t0);
    }
    for (let i = 0; i < N; i++) if ((c.validate(mix[i][1], mix[i][2]) === null) !== reference[i]) differs++;
    const ms = times.sort((a, b) => a - b)[ROUNDS >> 1];
    cells = `${`${ms.toFixed(1)} ms`.padStart(10)} ${((ms * 1e6) / N).toFixed(0).padStart(7)} ${String(refused).padStart(8)} ${String(differs).padStart(8)}`;
  }
  const name = c.libOnly ? `${c.name}, lib only` : c.name;
  console.log(`  ${name.padEnd(W)} ${String(b.files).padStart(5)} ${kb(b.raw).padStart(10)} ${kb(b.gzip).padStart(10)} ${`${imp.toFixed(1)} ms`.padStart(9)} ${cells}`);
}
console.log("  (import: fresh Node, parse + evaluate; the shipped rows count schema.js too, the others the library alone)");

console.log("\nError text for the same bad command: each library's first issue, raw (never shown), and the background's answer");
const libs = [
  ["valibot", fromTable("valibot")],
  ["zod", fromTable("zod")],
  ["zod/mini", fromTable("zodMini")],
  ["superstruct", fromTable("superstruct")],
];
const clip = (s, n = 96) => (s === null ? "(accepted)" : s.length > n ? `${s.slice(0, n - 1)}…` : s).replaceAll("\n", " ");
for (const [label, m, f] of BAD) {
  console.log(`  ${label}:`);
  console.log(`    ${"answered".padEnd(12)} ${clip(shipped.validate(m, f))}`);
  console.log(`    ${"before".padEnd(12)} ${clip(hand.validate(m, f))}`);
  for (const [name, val] of libs) console.log(`    ${name.padEnd(12)} ${clip(val(m, f))}`);
}
