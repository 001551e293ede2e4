// Normalizes URNs to ids in one page, the package's way and a plain JavaScript regex/split way of
// the kind peer extensions use, for `messageId`, `conversationId` and `profileId`: one call per
// input (throwing and, where the package has it, the `try…` form that returns null), one call for
// a batch (where the package has it), and the same on the inputs that are ids of that kind.
// Results go to window.benchResult (scripts/bench-urn-browser.mjs prints them; no assertions).
import * as pkg from "../../pkg/browser.js";

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

// The same for threads: a thread URL's segment, a conversation URN's last `2-…` run, or a Sales
// Navigator thread's key behind `salesNav:` (docs/linkedin-page.md, src/urn.rs for the forms).
function jsConversationId(input) {
  let s = input.trim();
  try {
    s = decodeURIComponent(s);
  } catch {
    return null;
  }
  const url = s.match(/^https?:\/\/(?:www\.)?linkedin\.com\/messaging\/thread\/([^/?#]+)/);
  if (url) return url[1];
  if (s.startsWith("urn:li:salesNav_thread:")) return `salesNav:${s.slice(23)}`;
  if (!/^urn:li:(msg_conversation|messagingThread|fs_conversation|fsd_conversation):/.test(s) && !s.startsWith("2-")) {
    return null;
  }
  const m = s.match(/(2-[A-Za-z0-9+/=_-]+)\)?$/);
  return m ? m[1] : null;
}

// Profiles: a `/in/` URL's segment, the last `:` field of a profile URN, or a bare `ACoAA…` id.
function jsProfileId(input) {
  let s = input.trim();
  try {
    s = decodeURIComponent(s);
  } catch {
    return null;
  }
  const url = s.match(/^https?:\/\/(?:www\.)?linkedin\.com\/in\/([^/?#]+)/);
  if (url) return url[1].startsWith("ACoAA") ? url[1] : `slug:${url[1].toLowerCase()}`;
  if (/^urn:li:(fsd_profile|fs_miniProfile|msg_messagingParticipant|fs_messagingMember):/.test(s)) {
    return s.split(":").pop() || null;
  }
  if (s.startsWith("urn:li:member:")) return `member:${s.slice(14)}`;
  return s.startsWith("ACoAA") ? s : null;
}

const PEERS = { messageId: jsMessageId, conversationId: jsConversationId, profileId: jsProfileId };

// Medians of the variants run in turn within each round, so that a load spike on this shared
// machine slows every variant of a round rather than one of them.
function timeAll(fns, rounds) {
  const samples = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (const fn of Object.values(fns)) fn(); // warm-up
  for (let i = 0; i < rounds; i++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      fn();
      samples[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]),
  );
}

// The strict answer or null, whatever form the package offers.
function strictOf(name) {
  const f = pkg[name];
  return (u) => {
    try {
      return f(u);
    } catch {
      return null;
    }
  };
}

// Profile inputs derived from the corpus: each mailbox profile named in a tuple, as the URN, the
// bare id and, every third, a `/in/` URL (the corpus itself is about messages).
function profileInputs(corpus) {
  const out = [];
  for (const u of corpus) {
    const m = u.match(/urn:li:fsd_profile:([A-Za-z0-9_-]+)/);
    if (!m) continue;
    out.push(m[0], m[1]);
    if (out.length % 3 === 0) out.push(`https://www.linkedin.com/in/${m[1]}/`);
  }
  return out;
}

// A small set repeated to at least 10,000 inputs, so that a round lasts well above the timer's
// resolution (0.1 ms in Chromium).
function atLeast10k(inputs) {
  const out = [];
  while (inputs.length && out.length < 10_000) out.push(...inputs);
  return out;
}

function benchOne(name, set, inputs, rounds) {
  inputs = atLeast10k(inputs);
  const f = pkg[name];
  const tryName = `try${name[0].toUpperCase()}${name.slice(1)}`;
  const tryF = pkg[tryName];
  const batch = pkg[`${name}s`];
  const peer = PEERS[name];
  const strict = strictOf(name);
  let sink = 0;
  const row = { name, set, n: inputs.length };
  const fns = {
    perCall() {
      for (const u of inputs) {
        try {
          sink += f(u).length;
        } catch {
          sink += 1;
        }
      }
    },
  };
  if (tryF) {
    fns.tryPerCall = () => {
      for (const u of inputs) sink += (tryF(u) ?? "").length;
    };
  }
  if (batch) {
    fns.batched = () => {
      sink += batch(inputs).length;
    };
  }
  fns.plainJs = () => {
    for (const u of inputs) sink += (peer(u) ?? "").length;
  };
  // The inputs that are ids of this kind (the wasm throws a UrnError for the others: an Error
  // with its stack, most of a per-call run over mixed input; the regex says null).
  const valid = inputs.filter((u) => strict(u) !== null);
  row.valid = valid.length;
  if (valid.length) {
    fns.perCallValid = () => {
      for (const u of valid) sink += f(u).length;
    };
    fns.plainJsValid = () => {
      for (const u of valid) sink += (peer(u) ?? "").length;
    };
  }
  Object.assign(row, timeAll(fns, rounds));
  row.disagree = inputs.filter((u) => strict(u) !== peer(u)).length;
  row.sink = sink;
  return row;
}

async function run() {
  await pkg.init();
  const corpus = await (await fetch("../fixtures/urn_corpus.json")).json();
  const rounds = 21;
  const conversations = corpus.filter((u) => strictOf("conversationId")(u) !== null || jsConversationId(u) !== null);
  const rows = [
    benchOne("messageId", "corpus", corpus, rounds),
    benchOne("conversationId", "corpus", corpus, rounds),
    benchOne("conversationId", "conversation-like", conversations, rounds),
    benchOne("profileId", "corpus", corpus, rounds),
    benchOne("profileId", "derived profiles", profileInputs(corpus), rounds),
  ];
  window.benchResult = { rounds, rows };
}

run().catch((e) => {
  window.benchResult = { error: String(e && e.stack ? e.stack : e) };
});
