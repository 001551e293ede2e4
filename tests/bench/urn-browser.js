// Normalizes the 10,000-URN corpus to message ids three ways in one page: the wasm export called
// once per URN, the wasm export called once for the whole batch, and a plain JavaScript
// regex/split implementation of the kind peer extensions use. Results go to window.benchResult.
import { init, messageId, messageIds } from "../../pkg/browser.js";

// What peers typically do: decode, then take the last `2-…` run before a `)` or the end.
function jsMessageId(input) {
  let s = input.trim();
  try {
    s = decodeURIComponent(s);
  } catch {
    return null;
  }
  if (!/^urn:li:(msg_message|messagingMessage|fsd_message|fs_event):/.test(s) && !s.startsWith("2-")) {
    return null;
  }
  const m = s.match(/(2-[A-Za-z0-9+/=_-]+)\)?$/);
  return m ? m[1] : null;
}

function time(fn, rounds) {
  fn(); // warm-up
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

async function run() {
  await init();
  const corpus = await (await fetch("../fixtures/urn_corpus.json")).json();
  const rounds = 15;
  let sink = 0;
  const perCall = time(() => {
    for (const u of corpus) {
      try {
        sink += messageId(u).length;
      } catch {
        sink += 1;
      }
    }
  }, rounds);
  const batched = time(() => {
    sink += messageIds(corpus).length;
  }, rounds);
  const plainJs = time(() => {
    for (const u of corpus) sink += (jsMessageId(u) ?? "").length;
  }, rounds);
  // The same on the inputs that are message references: the wasm export throws a UrnError for
  // the others (an Error with its stack, the cost of most of a per-call run), the regex says null.
  const valid = corpus.filter((u) => messageIds([u])[0] !== null);
  const perCallValid = time(() => {
    for (const u of valid) sink += messageId(u).length;
  }, rounds);
  const plainJsValid = time(() => {
    for (const u of valid) sink += (jsMessageId(u) ?? "").length;
  }, rounds);
  // How often the peer-style regex disagrees with the strict parser (wrong kinds, bad URNs).
  const strict = messageIds(corpus);
  let disagree = 0;
  corpus.forEach((u, i) => {
    if ((strict[i] ?? null) !== jsMessageId(u)) disagree++;
  });
  window.benchResult = { n: corpus.length, valid: valid.length, rounds, perCall, batched, plainJs, perCallValid, plainJsValid, disagree, sink };
}

run().catch((e) => {
  window.benchResult = { error: String(e && e.stack ? e.stack : e) };
});
