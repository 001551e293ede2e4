// The package's messageId, conversationId and profileId try the core's fast path first and slice
// the answer out of the input (scripts/gen-pkg.mjs, src/wasm/urn.rs `__<name>Span`): they must
// answer exactly as the full exports do, errors included (`__<name>Full` for what the span cannot place), for every input of the corpus and the
// edge forms around the fast path.
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

test("the sliced answers are the full exports' answers", async () => {
  const m = await loadPkg();
  const glue = await import(pathToFileURL(path.join(PKG, "glue/threadline.js")).href);
  const corpus = JSON.parse(await readFile(path.join(ROOT, "tests/fixtures/urn_corpus.json"), "utf8"));
  const edges = ["2-", "2-a", " 2-a", "2-a.b", "ACoAA", "ACoAAx", "urn:li:fsd_profile:ACoAAx", "urn:li:fsd_profile:ACoAA-x_",
    "urn:li:messagingThread:2-abc", "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAx,2-c)", "2-é", "é2-a",
    `urn:li:fsd_message:2-${"A".repeat(500)}`, `2-${"A".repeat(1100)}`, "", 5, null, undefined, {}];
  let sliced = 0;
  for (const input of [...corpus, ...edges]) {
    for (const name of ["messageId", "conversationId", "profileId"]) {
      assert.equal(answer(m[name], input), answer(glue[name], input), `${name}(${JSON.stringify(input)})`);
      if (typeof input === "string" && glue[`__${name}Span`](input) >= 0) sliced++;
    }
  }
  // The fast path is the common case over the corpus, not a corner.
  assert.ok(sliced > corpus.length / 2, `${sliced} answers sliced`);
  // A second argument is left to the full export (which ignores it) rather than guessed at.
  assert.equal(m.messageId(corpus[0], "extra"), answer(glue.messageId, corpus[0]));
});
