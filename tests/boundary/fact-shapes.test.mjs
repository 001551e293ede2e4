// Issue 15: `applyRemote` reads a fact's `kind` first, then only that kind's fields, instead of
// serde's derived reader of the internally tagged enum (which buffered every field). Every shape
// below (every kind; every field missing, of another type, null, undefined; extra fields; the tag
// missing, misspelled, of another type, last instead of first; the positional array form; nested
// messages, attachments, tallies, keys, quotas) was recorded from the build before that change in
// tests/fixtures/fact_shapes_derived.json: the new reader takes exactly the shapes it took, except
// the array form (serde's positional form of a tagged enum, which no sender uses and the
// TypeScript type does not allow), now refused with a clear TypeError. Messages of refusals may
// differ (serde-wasm-bindgen's wording for a wrong type instead of serde's buffered one); the
// current ones are pinned in tests/fixtures/fact_shapes_golden.json. For each case: taken or not,
// the error's name and message, and the `skipped` notices (a fact that decodes but fails checks).
// Run: node --test tests/boundary/fact-shapes.test.mjs; THREADLINE_GOLDEN=write records anew.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadPkg, startSim, ROOT, SEED_IDS, conversationUrn, messageUrn } from "./lib.mjs";

const GOLDEN = path.join(ROOT, "tests/fixtures/fact_shapes_golden.json");
const DERIVED = path.join(ROOT, "tests/fixtures/fact_shapes_derived.json");
/** Taken by the derived reader, refused now: the positional form of a tagged enum. */
const NOW_REFUSED = ["sequence form: read", "sequence form: quota", "sequence form: tombstones without messages"];
const ID = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
const ada = SEED_IDS.ada;
const conv = SEED_IDS.longThread;

let m, sim;
before(async () => {
  m = await loadPkg();
  sim = await startSim();
});
after(() => sim?.stop());

const message = () => ({
  id: ID,
  conversation: conv,
  messageUrn: messageUrn(ID),
  text: "hello",
  sentAt: 1_700_000_000_000,
  senderProfileId: "ACoAAB",
  senderName: "Ada",
  isSentByOwner: true,
  attachments: [{ assetUrn: "urn:li:digitalmediaAsset:1", byteSize: 10, mediaType: "image/png", name: "a.png", url: "https://x/a.png" }],
  subject: "s",
  stamp: 1_740_000_000_000_000,
  tally: { stamp: 5, entries: [{ emoji: "👍", count: 2, viewerReacted: true }] },
  clientKey: "ck-1",
});

const facts = {
  messages: () => ({ kind: "messages", account: ada, conversationUrn: conversationUrn(conv), messages: [message()] }),
  tombstones: () => ({ kind: "tombstones", account: ada, ids: [ID], messages: [message()] }),
  reaction: () => ({ kind: "reaction", account: ada, key: { message: ID, actor: "me", emoji: "👍" }, fact: { present: true, stamp: 7 } }),
  quota: () => ({ kind: "quota", account: ada, quota: { day: 20_000, keys: ["k1", "k2"] } }),
  read: () => ({ kind: "read", account: ada, conversation: conv, at: 1 }),
};

const odd = {
  null: null,
  undefined: undefined,
  number: 5,
  float: 1.5,
  negative: -3,
  unsafe: 2 ** 60,
  bigint: 10n,
  string: "x",
  empty: "",
  bool: true,
  array: [],
  "array of one": [1],
  object: {},
};

/** Every case: [name, () => value]. */
function cases() {
  const out = [];
  const add = (name, make) => out.push([name, make]);
  for (const [kind, base] of Object.entries(facts)) {
    add(`${kind}: as made`, base);
    add(`${kind}: kind last`, () => {
      const { kind: k, ...rest } = base();
      return { ...rest, kind: k };
    });
    add(`${kind}: extra field`, () => ({ ...base(), extra: { deep: [1, 2] } }));
    add(`${kind}: another kind's field of a wrong type`, () => ({ ...base(), messages: kind === "messages" || kind === "tombstones" ? [] : 5, at: "x", key: 1 }));
    for (const field of Object.keys(base())) {
      add(`${kind}: without ${field}`, () => {
        const f = base();
        delete f[field];
        return f;
      });
      for (const [what, v] of Object.entries(odd)) add(`${kind}: ${field} = ${what}`, () => ({ ...base(), [field]: v }));
    }
  }
  for (const kind of ["READ", "Read", "unknown", "kind", "messages "]) add(`kind "${kind}"`, () => ({ ...facts.read(), kind }));
  // Nested: a message's fields (through messages and tombstones), the reaction's key and fact,
  // the quota, an attachment's and a tally entry's fields (lenient readers).
  for (const kind of ["messages", "tombstones"]) {
    for (const field of Object.keys(message())) {
      add(`${kind}: message without ${field}`, () => {
        const f = facts[kind]();
        delete f.messages[0][field];
        return f;
      });
      for (const [what, v] of Object.entries(odd)) {
        add(`${kind}: message.${field} = ${what}`, () => {
          const f = facts[kind]();
          f.messages[0][field] = v;
          return f;
        });
      }
    }
  }
  for (const field of Object.keys(message().attachments[0])) {
    for (const [what, v] of Object.entries(odd)) {
      add(`messages: attachment.${field} = ${what}`, () => {
        const f = facts.messages();
        f.messages[0].attachments[0][field] = v;
        return f;
      });
    }
  }
  for (const field of ["emoji", "count", "viewerReacted"]) {
    for (const [what, v] of Object.entries(odd)) {
      add(`messages: tally entry.${field} = ${what}`, () => {
        const f = facts.messages();
        f.messages[0].tally.entries[0][field] = v;
        return f;
      });
    }
  }
  for (const [part, fields] of [["key", ["message", "actor", "emoji"]], ["fact", ["present", "stamp"]]]) {
    for (const field of fields) {
      for (const [what, v] of Object.entries(odd)) {
        add(`reaction: ${part}.${field} = ${what}`, () => {
          const f = facts.reaction();
          f[part][field] = v;
          return f;
        });
      }
    }
  }
  for (const actor of [{ profile: "ACoAAB" }, "profile", { me: null }, { Me: null }, { profile: 5 }, { profile: "a", me: null }]) {
    add(`reaction: actor ${JSON.stringify(actor)}`, () => {
      const f = facts.reaction();
      f.key.actor = actor;
      return f;
    });
  }
  for (const field of ["day", "keys"]) {
    for (const [what, v] of Object.entries(odd)) {
      add(`quota: quota.${field} = ${what}`, () => {
        const f = facts.quota();
        f.quota[field] = v;
        return f;
      });
    }
  }
  // Not an object, and serde's sequence form of an internally tagged enum (tag first).
  for (const [what, v] of Object.entries(odd)) add(`the fact = ${what}`, () => v);
  add("sequence form: read", () => ["read", ada, conv, 1]);
  add("sequence form: quota", () => ["quota", ada, { day: 1, keys: [] }]);
  add("sequence form: tombstones without messages", () => ["tombstones", ada, [ID]]);
  add("sequence form: unknown kind", () => ["nope", ada]);
  add("sequence form: kind a number", () => [0, ada, conv, 1]);
  add("sequence form: too short", () => ["read", ada]);
  add("sequence form: too long", () => ["read", ada, conv, 1, 2]);
  add("sequence form: empty", () => []);
  add("a Map with a kind", () => new Map([["kind", "read"], ["account", ada], ["conversation", conv], ["at", 1]]));
  add("a Date", () => new Date(0));
  add("an object with a prototype carrying kind", () => Object.create({ kind: "read" }, { account: { value: ada, enumerable: true } }));
  return out;
}

test("applyRemote takes and refuses the shapes serde's derived reader did (but the array form)", async () => {
  const engine = await m.ThreadlineEngine.open({
    baseUrl: sim.url,
    apiKey: "dev",
    storage: "memory",
    storageKey: `fact-shapes-${process.pid}`,
    realtime: false,
    timeoutMs: 2000,
  });
  const skipped = [];
  engine.subscribe((n) => {
    if (n.notice === "skipped") skipped.push(n.what);
  });
  const got = {};
  for (const [name, make] of cases()) {
    skipped.length = 0;
    let result = "ok";
    try {
      await engine.applyRemote(make());
    } catch (e) {
      result = `${e?.name}: ${e?.message}`;
    }
    got[name] = skipped.length ? { result, skipped: [...skipped] } : { result };
  }
  engine.close();
  if (process.env.THREADLINE_GOLDEN === "write") {
    await writeFile(GOLDEN, JSON.stringify(got, null, 1) + "\n");
    return;
  }
  const derived = JSON.parse(await readFile(DERIVED, "utf8"));
  assert.deepEqual(Object.keys(got), Object.keys(derived), "the same cases");
  const taken = (r) => r.result === "ok";
  for (const name of Object.keys(derived)) {
    const want = taken(derived[name]) && !NOW_REFUSED.includes(name);
    assert.equal(taken(got[name]), want, `${name}: ${JSON.stringify(got[name])} vs ${JSON.stringify(derived[name])}`);
    // A fact that decodes is checked and skipped (or merged) as before.
    if (want) assert.deepEqual(got[name], derived[name], name);
  }
  for (const name of NOW_REFUSED) assert.match(got[name].result, /^TypeError: fact: must be an object with a `kind`, not an array$/);
  assert.deepEqual(got, JSON.parse(await readFile(GOLDEN, "utf8")));
});
