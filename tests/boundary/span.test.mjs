// The package's messageId, conversationId and profileId (and their try… forms) write an ASCII
// input into the core's scratch area and slice the answer out of the input (scripts/gen-pkg.mjs,
// src/wasm/urn.rs `__<name>At`): they must answer exactly as the full exports do, errors included
// (`__<name>Full` for what the scratch path cannot answer), for every input of the corpus and the
// edge forms around the fast path: empty, long, non-ASCII, encoded, not strings, and after the
// module's memory has grown between two calls.
// Run: node --test tests/boundary/span.test.mjs (THREADLINE_PKG=dir to test another build).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadPkg, PKG, ROOT } from "./lib.mjs";

const answer = (f, input) => {
  try {
    return f(input);
  } catch (e) {
    // The whole error as a caller sees it: the wrappers build a UrnError themselves from the
    // core's `__<name>Full` answer, so its message and own fields must be the full export's.
    return `${e.name}:${e.code}:${e.offset}:${e.message}:${e instanceof Error}:${Object.keys(e).sort()}`;
  }
};

const NAMES = ["messageId", "conversationId", "profileId"];
const tryName = (name) => `try${name[0].toUpperCase()}${name.slice(1)}`;

const edges = ["2-", "2-a", " 2-a", "2-a.b", "ACoAA", "ACoAAx", "urn:li:fsd_profile:ACoAAx", "urn:li:fsd_profile:ACoAA-x_",
  "urn:li:messagingThread:2-abc", "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAx,2-c)", "2-é", "é2-a",
  "urn:li:msg_message:(urn:li:fsd_profile:ACoAAx,2-é)", "urn%3Ali%3Afsd_message%3A2-abc", "urn:li:fsd_message:2-a%2Bb",
  "https://www.linkedin.com/in/J%C3%A9r%C3%B4me/", "https://www.linkedin.com/in/John-Doe/", "urn:li:salesNav_thread:1-x",
  "urn:li:fs_event:(2-a,2-b)", "urn:li:fs_event:(2-a,2-b", "urn:li:fs_event:()", "urn:li:fs_event:(", "urn:li:fsd_message:",
  `urn:li:fsd_message:2-${"A".repeat(500)}`, `urn:li:fsd_message:2-${"A".repeat(480)}`, `2-${"A".repeat(510)}`,
  `2-${"A".repeat(1100)}`, `2-${"A".repeat(5000)}`, `urn%3Ali%3Afsd_message%3A2-${"A".repeat(4070)}`, "", "\0", "2-a\0",
  "\u{1F600}", 5, null, undefined, {}];

async function setup() {
  const m = await loadPkg();
  const glue = await import(pathToFileURL(path.join(PKG, "glue/threadline.js")).href);
  const corpus = JSON.parse(await readFile(path.join(ROOT, "tests/fixtures/urn_corpus.json"), "utf8"));
  return { m, glue, corpus };
}

// What the throwing export says, as `try…` should say it: the id, null for a UrnError, the same
// TypeError otherwise.
const tryAnswer = (full, input) => {
  try {
    return full(input);
  } catch (e) {
    return e.name === "UrnError" ? null : answer(() => { throw e; }, input);
  }
};

test("the sliced answers are the full exports' answers, the try… forms' too", async () => {
  const { m, glue, corpus } = await setup();
  for (const input of [...corpus, ...edges]) {
    for (const name of NAMES) {
      const label = `${name}(${JSON.stringify(input)?.slice(0, 80)})`;
      assert.equal(answer(m[name], input), answer(glue[name], input), label);
      assert.equal(answer(m[tryName(name)], input), tryAnswer(glue[name], input), `try ${label}`);
    }
  }
  // A second argument is left to the full export (which ignores it) rather than guessed at.
  assert.equal(m.messageId(corpus[0], "extra"), answer(glue.messageId, corpus[0]));
  assert.equal(m.tryMessageId(corpus[0], "extra"), answer(glue.messageId, corpus[0]));
});

test("the scratch path answers most of the corpus itself", async () => {
  const { glue, corpus } = await setup();
  const memory = glue.__urnMemory();
  const at = glue.__urnScratch();
  let sliced = 0;
  for (const input of corpus) {
    const bytes = Buffer.from(input, "utf8");
    if (bytes.length !== input.length) continue;
    new Uint8Array(memory.buffer).set(bytes, at);
    for (const name of NAMES) if (glue[`__${name}At`](bytes.length) >= 0) sliced++;
  }
  // The fast path is the common case over the corpus, not a corner.
  assert.ok(sliced > corpus.length / 2, `${sliced} answers sliced`);
  // A length beyond the scratch area is refused (-2: take the string path), never read.
  assert.equal(glue.__messageIdAt(1 << 30), -2);
  assert.equal(glue.__messageIdAt(4097), -2);
});

test("answers stay right after the module's memory grows between two calls", async () => {
  const { m, glue, corpus } = await setup();
  const memory = glue.__urnMemory();
  const before = memory.buffer.byteLength;
  const expect = corpus.slice(0, 200).map((u) => answer(glue.messageId, u));
  assert.deepEqual(corpus.slice(0, 200).map((u) => answer(m.messageId, u)), expect); // view cached
  // A 64 MiB string handed to an export is copied into the module's memory, which must grow.
  glue.__messageIdFull("a".repeat(64 << 20));
  assert.ok(memory.buffer.byteLength > before, "memory grew");
  assert.deepEqual(corpus.slice(0, 200).map((u) => answer(m.messageId, u)), expect);
  assert.deepEqual(corpus.slice(0, 200).map((u) => m.tryMessageId(u)), expect.map((a) => (a.startsWith("UrnError") ? null : a)));
});

test("messageIds through the batch scratch answers as the export and as one call per input", async () => {
  const { m, glue, corpus } = await setup();
  const strings = [...corpus, ...edges.filter((e) => typeof e === "string")];
  const expect = glue.messageIds(strings);
  assert.deepEqual(m.messageIds(strings), expect);
  assert.deepEqual(expect, strings.map((u) => glue.tryMessageId(u)));
  // Again after the memory grew (the views are made again), and in smaller and empty batches.
  glue.__messageIdFull("a".repeat(96 << 20));
  assert.deepEqual(m.messageIds(strings), expect);
  assert.deepEqual(m.messageIds(strings.slice(0, 3)), expect.slice(0, 3));
  assert.deepEqual(m.messageIds([]), []);
  assert.deepEqual(m.messageIds([""]), [null]);
  // A batch with a non-string element is the export's (it reads elements as join does).
  const odd = [corpus[0], { toString: () => corpus[0] }, 5];
  assert.deepEqual(m.messageIds(odd), glue.messageIds(odd));
  // Beyond the scratch's limits: the export.
  assert.equal(glue.__urnBatch(200000 * 64 + 1, 1), 0);
  assert.equal(glue.__urnBatch(0, 200001), 0);
});

test("a full parse that calls back into the wrappers (a patched toLowerCase) answers right and never traps", async () => {
  const { m, glue } = await setup();
  // An ASCII input the fast path cannot answer: the full parser decodes it, and a slug beyond
  // ASCII is lowercased by the JS engine's String.prototype.toLowerCase, from inside the parse.
  const encoded = "https://www.linkedin.com/in/%C3%89T%C3%89/";
  const inner = "urn:li:fsd_profile:ACoAAinner-call";
  const expect = { outer: answer(glue.profileId, encoded), inner: answer(glue.profileId, inner) };
  assert.ok(!expect.outer.startsWith("UrnError"), expect.outer);
  const lower = String.prototype.toLowerCase;
  const seen = [];
  // What a page's own patch might do: call the package again (its input goes through the same
  // scratch area the outer call's input is in) before answering.
  let depth = 0;
  String.prototype.toLowerCase = function () {
    if (depth++ === 0) seen.push(answer(m.profileId, inner), m.tryProfileId(encoded));
    depth--;
    return lower.call(this);
  };
  let got;
  try {
    got = { outer: answer(m.profileId, encoded), tried: m.tryProfileId(encoded) };
  } finally {
    String.prototype.toLowerCase = lower;
  }
  assert.equal(got.outer, expect.outer);
  assert.equal(got.tried, expect.outer);
  assert.ok(seen.length >= 2, "the patch ran inside the parse");
  assert.equal(seen[0], expect.inner);
  // And the module works on, on both paths.
  assert.equal(answer(m.profileId, encoded), expect.outer);
  assert.equal(answer(m.profileId, inner), expect.inner);
});
