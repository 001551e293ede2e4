// The scale benchmark's history (issue 13), the same in the page, in the extension's service
// worker (sent there by scripts/bench-scale.mjs) and in Node: what an outreach account
// accumulates. A few 200-message threads (one per 5,000 messages, at least one) and many
// 5-message conversations; LinkedIn's id shapes (as the simulator makes them, sim/src/seed.rs):
// thread ids `2-` + base64 of 30 bytes, message ids `2-` + base64 of `<ms>s<hex>-100`, profile
// ids `ACoAA` + 34 characters; texts of 60 to 420 characters; a reaction tally on one message in
// 20. Deterministic: the same size gives the same store.

const WORDS = ("hi thanks for connecting I saw your post about the role and wanted to reach out " +
  "we are hiring senior engineers in Berlin remote is fine would you be open to a quick call next " +
  "week let me know what works best for you happy to share more details about the team product " +
  "roadmap compensation and the interview process looking forward to hearing from you cheers").split(" ");
const NAMES = ["Ada Lovelace", "Grace Hopper", "Linus Torvalds", "Margaret Hamilton", "Alan Turing",
  "Barbara Liskov", "Donald Knuth", "Frances Allen", "Ken Thompson", "Radia Perlman"];
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The messages of the newest history end here (a fixed day: the store is the same every run). */
export const NOW = 1_764_000_000_000;
export const LONG = 200;
export const SHORT = 5;

/** A small deterministic PRNG (mulberry32): `next()` in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function base64Bytes(next, n) {
  const bytes = Array.from({ length: n }, () => Math.floor(next() * 256));
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b = 0, c = 0] = bytes.slice(i, i + 3);
    const v = (a << 16) | (b << 8) | c;
    const left = bytes.length - i;
    out += B64[v >> 18] + B64[(v >> 12) & 63] + (left > 1 ? B64[(v >> 6) & 63] : "=") + (left > 2 ? B64[v & 63] : "=");
  }
  return out;
}

const base64Text = (s) => (typeof btoa === "function" ? btoa(s) : Buffer.from(s, "latin1").toString("base64"));

/** A profile id in LinkedIn's shape, from a seed. */
export function profileId(seed) {
  return "ACoAA" + base64Bytes(rng(seed), 27).replace(/[+/=]/g, "_").slice(0, 34);
}

/** The mailbox owner (the URN prefix of every conversation and message). */
export const OWNER = profileId(1);

export const messageId = (at, n) => `2-${base64Text(`${at}s${n.toString(16)}-100`)}`;

/** How `n` messages are laid out: `long` threads of 200, then 5-message conversations, then
 * one conversation with the remainder. */
export function layout(n) {
  const long = Math.max(1, Math.floor(n / 5000));
  const rest = n - long * LONG;
  return { long, short: Math.floor(rest / SHORT), remainder: rest % SHORT, conversations: long + Math.ceil(rest / SHORT) };
}

function text(next) {
  const len = 60 + Math.floor(next() * 361);
  let s = "";
  while (s.length < len) s += (s ? " " : "") + WORDS[Math.floor(next() * WORDS.length)];
  return s.slice(0, len);
}

/** Conversation `c` of a store of `n` messages: `{ id, urn, messages }`. Its id and times do
 * not depend on `n` (conversation 0, a 200-message thread, is the same in every size). */
export function conversation(n, c) {
  const { long, short, remainder } = layout(n);
  const count = c < long ? LONG : c < long + short ? SHORT : remainder;
  const next = rng(1000 + c);
  const id = `2-${base64Bytes(next, 30)}`;
  const other = profileId(50_000 + c);
  const otherName = NAMES[c % NAMES.length];
  // Conversation 0 is the newest; the others go back up to two years.
  let at = NOW - (c === 0 ? 0 : Math.floor(next() * 730 * 86_400_000)) - count * 3_600_000;
  const messages = [];
  for (let k = 0; k < count; k++) {
    at += 60_000 + Math.floor(next() * 3_600_000);
    const mine = next() < 0.5;
    const mid = messageId(at, c * LONG + k);
    const m = {
      id: mid,
      conversation: id,
      messageUrn: `urn:li:msg_message:(urn:li:fsd_profile:${OWNER},${mid})`,
      text: text(next),
      sentAt: at,
      senderProfileId: mine ? OWNER : other,
      senderName: mine ? "Outreach Owner" : otherName,
      isSentByOwner: mine,
      stamp: at * 1024,
    };
    if (next() < 0.05) m.tally = { stamp: m.stamp, entries: [{ emoji: "👍", count: 1, viewerReacted: !mine }] };
    messages.push(m);
  }
  return { id, urn: `urn:li:msg_conversation:(urn:li:fsd_profile:${OWNER},${id})`, messages };
}

/** The fact that merges a conversation's messages (what `applyRemote` takes). */
export function fact(conv, account = "") {
  return { kind: "messages", account, conversationUrn: conv.urn, messages: conv.messages };
}

/** A page of 50 newer messages of conversation 0, numbered from `from` (a fresh page each time). */
export function newPage(n, from) {
  const conv = conversation(n, 0);
  const last = conv.messages[conv.messages.length - 1].sentAt;
  const next = rng(7_000_000 + from);
  const messages = [];
  for (let k = 0; k < 50; k++) {
    const at = last + (from + k + 1) * 60_000;
    const mid = messageId(at, 90_000_000 + from + k);
    messages.push({
      id: mid, conversation: conv.id, messageUrn: `urn:li:msg_message:(urn:li:fsd_profile:${OWNER},${mid})`,
      text: text(next), sentAt: at, senderProfileId: OWNER, senderName: "Outreach Owner", isSentByOwner: true,
      stamp: at * 1024,
    });
  }
  return { ...conv, messages };
}

/** The engine's own snapshot layout (a `Records` as `PersistLog` stores it, byte for byte what
 * the engine writes after being fed the same conversations; i64::MIN stamps written as text, which
 * a JS number cannot hold) of an `n`-message store: what a store written by today's release holds
 * after its last compaction. */
export function snapshotText(n) {
  const conversations = [];
  const messages = [];
  let tallies = false;
  for (let c = 0; c < layout(n).conversations; c++) {
    const conv = conversation(n, c);
    conversations.push(conversationJson(conv));
    for (const m of conv.messages) {
      messages.push(JSON.stringify(m));
      tallies ||= !!m.tally;
    }
  }
  return `{"version":1,"keyCounter":0,"accounts":[{"account":"","conversations":[${conversations.join(",")}],` +
    `"messages":[${messages.join(",")}],"removedMessages":[],"tombstones":[],"reactions":[],"removedReactions":[],` +
    `"outbox":[],"removedOutbox":[],"outboxNextSeq":0,"recalls":[],"removedRecalls":[],"quota":{"day":0,"keys":[]},` +
    `"ownProfile":${JSON.stringify(OWNER)},"talliesSeen":${tallies}}]}`;
}

/** A conversation's record as the engine stores it (i64::MIN stamps written as text). */
function conversationJson(conv) {
  const MIN = "-9223372036854775808";
  return `{"id":${JSON.stringify(conv.id)},"urn":${JSON.stringify(conv.urn)},"metaStamp":${MIN},"readAt":${MIN},` +
    `"history":{"hasMore":false,"headLoaded":false,"gap":false}}`;
}

/** Conversations `from` to `to` (excluded) of an `n`-message store as records of the engine's
 * per-record IndexedDB layout (src/wasm/idb.rs, src/sync/record_log.rs) for `account`: `{store,
 * key, value}` to `put(value, key)` into object store `store`, the same records the engine writes
 * for that history. Written straight into a database, they build a large store in seconds. */
export function records(n, account, from = 0, to = layout(n).conversations) {
  const SEP = "\u0001";
  const out = [];
  for (let c = from; c < Math.min(to, layout(n).conversations); c++) {
    const conv = conversation(n, c);
    // Layout 2's index fields (src/wasm/idb.rs `value_of`): account, id, the activity negated
    // (this record has none: -Infinity, so Infinity), no listed participant nor latest message.
    out.push({
      store: "conversations",
      key: `${account}${SEP}${conv.id}`,
      value: { json: conversationJson(conv), a: account, i: conv.id, t: Infinity, p: [] },
    });
    for (const m of conv.messages) {
      out.push({ store: "messages", key: `${account}${SEP}${m.id}`, value: { json: JSON.stringify(m), a: account, c: conv.id, t: m.sentAt } });
    }
  }
  return out;
}
