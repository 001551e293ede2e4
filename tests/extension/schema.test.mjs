// The background's command schema (extension/background/schema.js, over the vendored valibot):
// every rule's bad command is refused with its readable line, every command's good one accepted,
// and each answer agrees with the hand-written validator it replaced (tests/bench/), whose line it
// extends (`send.text: too long` → `send.text: too long (at most 8000 characters)`). A rule lost in
// the schema fails here. Runs on the tree as built: schema.js beside vendor/ (scripts/vendor.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { vendor } from "../../scripts/vendor.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tree = mkdtempSync(path.join(os.tmpdir(), "schema-test-"));
mkdirSync(path.join(tree, "background"));
cpSync(path.join(root, "extension/background/schema.js"), path.join(tree, "background/schema.js"));
vendor(tree);
const { validate, readable, COMMANDS } = await import(pathToFileURL(path.join(tree, "background/schema.js")));
const before = await import(pathToFileURL(path.join(root, "tests/bench/schema-handwritten.mjs")));
rmSync(tree, { recursive: true, force: true });

const URN = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAB1,2-MTcw)";
const ATT = { assetUrn: "urn:li:digitalmediaAsset:C4D10", byteSize: 2048, mediaType: "image/png", name: "a.png" };
/** One accepted command of every type, with every optional field, from each sender it allows. */
const GOOD = {
  bind: { path: "/messaging/thread/2-MTcw/", messageUrns: [URN], profilePath: "/in/ada/", notices: true },
  unbind: {},
  resolve: { urns: [URN] },
  send: { clientKey: "k-1", text: "hi", subject: "s", channel: "auto", attachments: [{ ...ATT, url: "https://x.example/a" }], recipientProfileUrn: "urn:li:fsd_profile:ACoA_-1", recipientProfileId: "ada-lovelace" },
  retrySend: { clientKey: "k-1" },
  discardSend: { clientKey: "k-1" },
  "outbox.unplaced": {},
  react: { messageUrn: URN, emoji: "👍", add: false },
  recall: { messageUrn: URN },
  loadOlder: {},
  upload: { name: "a.png", mediaType: "image/png", base64: "AAAA" },
  status: {},
  ping: {},
  "options.open": {},
  "settings.get": {},
  "settings.set": { apiKey: "sk", baseUrl: "https://api.example/linkedin", accountId: "acc-1" },
  "settings.test": { apiKey: "sk", baseUrl: "http://127.0.0.1:8787" },
  "accounts.list": {},
  "popup.state": { tabId: 12 },
  "key.remove": {},
  "data.clear": { confirmUnsent: true },
};
/** The required fields of each command (the others may be absent). */
const REQUIRED = {
  resolve: ["urns"],
  send: ["clientKey", "text", "channel"],
  retrySend: ["clientKey"],
  discardSend: ["clientKey"],
  react: ["messageUrn", "emoji", "add"],
  recall: ["messageUrn"],
  upload: ["name", "mediaType", "base64"],
};
const FROM = {
  bind: ["tab", "page"], unbind: ["tab"], resolve: ["tab"], send: ["tab", "page"], retrySend: ["tab", "page"],
  discardSend: ["tab", "page"], "outbox.unplaced": ["tab", "page"], react: ["tab"], recall: ["tab"], loadOlder: ["tab"],
  upload: ["tab", "page"], status: ["tab", "page"], ping: ["tab"], "options.open": ["tab"], "settings.get": ["page"],
  "settings.set": ["page"], "settings.test": ["page"], "accounts.list": ["page"], "popup.state": ["page"],
  "key.remove": ["page"], "data.clear": ["page"],
};
/** What a page may send of `bind`. */
const senderFields = (type, from) => (type === "bind" && from === "page" ? { notices: true } : GOOD[type]);

/** The answer, checked against the hand-written validator's and for library text. */
function check(msg, from) {
  const got = validate(msg, from);
  const old = before.validate(msg, from);
  assert.equal(got === null, old === null, `${JSON.stringify(msg).slice(0, 120)} from ${from}: now ${got}, before ${old}`);
  if (got !== null) {
    assert.ok(got.startsWith(old), `now ${JSON.stringify(got)} does not extend ${JSON.stringify(old)}`);
    assert.doesNotMatch(got, /Expected|Invalid|received|\[object/, `library text leaked: ${got}`);
  }
  return got;
}
const refused = (msg, from, line) => assert.equal(check(msg, from), line);

test("every command and sender: the good one accepted from its senders only", () => {
  assert.deepEqual(Object.keys(COMMANDS).sort(), Object.keys(GOOD).sort(), "a command without a case here");
  for (const [type, from] of Object.entries(FROM)) {
    for (const sender of ["tab", "page"]) {
      const msg = { id: 7, type, ...senderFields(type, sender) };
      if (from.includes(sender)) {
        assert.equal(check(msg, sender), null, `${type} from ${sender}`);
        assert.equal(check({ ...msg, resent: true }, sender), null, `${type} resent`);
        refused({ ...msg, resent: "yes" }, sender, `${type}.resent: not a boolean`);
        refused({ ...msg, extra: 1 }, sender, type === "bind" && sender === "page" ? "bind.extra: not accepted from this sender" : `${type}: unexpected field extra`);
        refused({ ...msg, __proto__x: 1 }, sender, type === "bind" && sender === "page" ? "bind.__proto__x: not accepted from this sender" : `${type}: unexpected field __proto__x`);
      } else {
        refused(msg, sender, `${type} is not accepted from this sender`);
      }
    }
  }
});

test("the envelope: an object with a known type", () => {
  refused(null, "tab", "a command is an object");
  refused("send", "tab", "a command is an object");
  refused([{ type: "ping" }], "tab", "a command is an object");
  refused({ type: "delete" }, "tab", 'unknown command "delete"');
  refused({ type: "__proto__" }, "tab", 'unknown command "__proto__"');
  refused({ text: "hi" }, "tab", 'unknown command "undefined"');
  refused({ type: "ping" }, "worker", "ping is not accepted from this sender");
});

test("required fields, and only these", () => {
  for (const [type, fields] of Object.entries(REQUIRED)) {
    for (const field of fields) {
      const { [field]: _gone, ...rest } = GOOD[type];
      refused({ type, ...rest }, FROM[type][0], `${type}.${field}: required`);
    }
  }
  // Everything else is optional: the command with only its required fields is accepted.
  for (const type of Object.keys(GOOD)) {
    const min = Object.fromEntries((REQUIRED[type] ?? []).map((f) => [f, GOOD[type][f]]));
    assert.equal(check({ type, ...min }, FROM[type][0]), null, type);
  }
});

test("a page binds for notices only", () => {
  for (const field of ["path", "messageUrns", "profilePath"]) {
    refused({ type: "bind", notices: true, [field]: GOOD.bind[field] }, "page", `bind.${field}: not accepted from this sender`);
  }
  assert.equal(check({ type: "bind", notices: true }, "page"), null);
  assert.equal(check({ type: "bind" }, "page"), null);
});

test("maximum and minimum lengths", () => {
  const long = [
    ["bind", "path", 1024, (n) => `/messaging/thread/${"a".repeat(n - 18)}`],
    ["bind", "profilePath", 512, (n) => `/in/${"a".repeat(n - 4)}`],
    ["send", "clientKey", 64],
    ["send", "text", 8000],
    ["send", "subject", 200],
    ["send", "recipientProfileUrn", 200, (n) => `urn:li:fsd_profile:${"a".repeat(n - 19)}`],
    ["send", "recipientProfileId", 200],
    ["retrySend", "clientKey", 64],
    ["discardSend", "clientKey", 64],
    ["react", "messageUrn", 512, (n) => `urn:li:msg_message:${"a".repeat(n - 19)}`],
    ["react", "emoji", 32],
    ["recall", "messageUrn", 512, (n) => `urn:li:msg_message:${"a".repeat(n - 19)}`],
    ["upload", "name", 255],
    ["upload", "mediaType", 200, (n) => `image/${"a".repeat(n - 6)}`],
    ["settings.set", "apiKey", 512],
    ["settings.set", "baseUrl", 512, (n) => `https://${"a".repeat(n - 8)}`],
    ["settings.set", "accountId", 128],
    ["settings.test", "apiKey", 512],
    ["settings.test", "baseUrl", 512, (n) => `https://${"a".repeat(n - 8)}`],
  ];
  for (const [type, field, max, make = (n) => "a".repeat(n)] of long) {
    const from = FROM[type][0];
    assert.equal(check({ type, ...GOOD[type], [field]: make(max) }, from), null, `${type}.${field} at ${max}`);
    refused({ type, ...GOOD[type], [field]: make(max + 1) }, from, `${type}.${field}: too long (at most ${max} characters)`);
  }
  const tooLong = "a".repeat(Math.ceil((20 * 1024 * 1024 * 4) / 3) + 5);
  refused({ type: "upload", ...GOOD.upload, base64: tooLong }, "tab", `upload.base64: too long (at most ${tooLong.length - 1} characters)`);
  refused({ type: "bind", messageUrns: ["a".repeat(513)] }, "tab", "bind.messageUrns[0]: too long (at most 512 characters)");
  refused({ type: "resolve", urns: [URN, "a".repeat(513)] }, "tab", "resolve.urns[1]: too long (at most 512 characters)");
  for (const [type, field] of [["send", "text"], ["react", "emoji"], ["upload", "name"], ["upload", "mediaType"], ["upload", "base64"], ["send", "recipientProfileId"]]) {
    refused({ type, ...GOOD[type], [field]: "" }, FROM[type][0], `${type}.${field}: too short (at least 1 character)`);
  }
});

test("patterns and the channel", () => {
  const bad = [
    ["bind", "path", "/messaging/thread/a/b", "a /messaging/thread/… path"],
    ["bind", "profilePath", "/in/a?x", "an /in/… path"],
    ["send", "clientKey", "k 1", "letters, digits and - only"],
    ["send", "recipientProfileUrn", "https://evil.example/", "a profile URN, urn:li:fsd_profile:…"],
    ["send", "recipientProfileId", "../../accounts", "a profile's name in its URL, without spaces, /, ? or #"],
    ["retrySend", "clientKey", "k/1", "letters, digits and - only"],
    ["react", "messageUrn", "urn:li:", "a URN, urn:namespace:type:id"],
    ["recall", "messageUrn", "https://evil.example/", "a URN, urn:namespace:type:id"],
    ["upload", "mediaType", "image", "a media type, type/subtype"],
    ["settings.set", "baseUrl", "ftp://x.example/", "an http(s) URL"],
    ["settings.test", "baseUrl", "https://a b/", "an http(s) URL"],
  ];
  for (const [type, field, value, what] of bad) {
    refused({ type, ...GOOD[type], [field]: value }, FROM[type][0], `${type}.${field}: malformed (${what})`);
  }
  refused({ type: "send", ...GOOD.send, attachments: [{ ...ATT, assetUrn: "x" }] }, "tab", "send.attachments[0].assetUrn: malformed (a URN, urn:namespace:type:id)");
  for (const channel of ["auto", "sales_navigator", "linkedin_inbox"]) assert.equal(check({ type: "send", ...GOOD.send, channel }, "tab"), null);
  refused({ type: "send", ...GOOD.send, channel: "email" }, "tab", "send.channel: not one of auto, sales_navigator, linkedin_inbox");
  refused({ type: "send", ...GOOD.send, channel: 1 }, "tab", "send.channel: not a string");
});

test("types: strings, numbers, booleans, arrays", () => {
  refused({ type: "send", ...GOOD.send, text: 42 }, "tab", "send.text: not a string");
  refused({ type: "send", ...GOOD.send, subject: null }, "tab", "send.subject: not a string");
  refused({ type: "react", ...GOOD.react, add: "yes" }, "tab", "react.add: not a boolean");
  refused({ type: "bind", notices: 1 }, "page", "bind.notices: not a boolean");
  refused({ type: "data.clear", confirmUnsent: "true" }, "page", "data.clear.confirmUnsent: not a boolean");
  for (const tabId of ["1", NaN, Infinity, null]) refused({ type: "popup.state", tabId }, "page", "popup.state.tabId: not a number");
  refused({ type: "popup.state", tabId: -1 }, "page", "popup.state.tabId: out of range (at least 0)");
  refused({ type: "popup.state", tabId: 2 ** 31 + 1 }, "page", `popup.state.tabId: out of range (at most ${2 ** 31})`);
  assert.equal(check({ type: "popup.state", tabId: 2 ** 31 }, "page"), null);
  refused({ type: "resolve", urns: URN }, "tab", "resolve.urns: not an array");
  refused({ type: "resolve", urns: [URN, 5] }, "tab", "resolve.urns[1]: not a string");
  refused({ type: "resolve", urns: [URN, undefined] }, "tab", "resolve.urns[1]: not a string");
  refused({ type: "send", ...GOOD.send, attachments: [undefined] }, "tab", "send.attachments[0]: not an object");
  refused({ type: "send", ...GOOD.send, text: undefined }, "tab", "send.text: required");
  assert.equal(check({ type: "send", ...GOOD.send, subject: undefined }, "tab"), null);
  refused({ type: "resolve", urns: Array(501).fill(URN) }, "tab", "resolve.urns: too many items (at most 500)");
  assert.equal(check({ type: "resolve", urns: Array(500).fill(URN) }, "tab"), null);
  refused({ type: "bind", messageUrns: Array(51).fill(URN) }, "tab", "bind.messageUrns: too many items (at most 50)");
  // The length is checked before the items (a huge array is refused without walking it).
  refused({ type: "bind", messageUrns: Array(51).fill(5) }, "tab", "bind.messageUrns: too many items (at most 50)");
});

test("attachments: nested objects with their own fields", () => {
  const send = (attachments) => ({ type: "send", ...GOOD.send, attachments });
  assert.equal(check(send([ATT, { ...ATT, url: "https://x.example/" }]), "tab"), null);
  assert.equal(check(send([]), "tab"), null);
  refused(send(Array(11).fill(ATT)), "tab", "send.attachments: too many items (at most 10)");
  refused(send(ATT), "tab", "send.attachments: not an array");
  for (const item of [null, "a", [], 5]) refused(send([item]), "tab", "send.attachments[0]: not an object");
  for (const field of ["assetUrn", "byteSize", "mediaType", "name"]) {
    const { [field]: _gone, ...rest } = ATT;
    refused(send([ATT, rest]), "tab", `send.attachments[1].${field}: required`);
  }
  refused(send([{ ...ATT, path: "/etc" }]), "tab", "send.attachments[0]: unexpected field path");
  refused(send([{ ...ATT, byteSize: -1 }]), "tab", "send.attachments[0].byteSize: out of range (at least 0)");
  refused(send([{ ...ATT, byteSize: 20 * 1024 * 1024 + 1 }]), "tab", `send.attachments[0].byteSize: out of range (at most ${20 * 1024 * 1024})`);
  refused(send([{ ...ATT, byteSize: "1" }]), "tab", "send.attachments[0].byteSize: not a number");
  refused(send([{ ...ATT, mediaType: "a".repeat(201) }]), "tab", "send.attachments[0].mediaType: too long (at most 200 characters)");
  refused(send([{ ...ATT, name: "a".repeat(256) }]), "tab", "send.attachments[0].name: too long (at most 255 characters)");
  refused(send([{ ...ATT, url: "a".repeat(2049) }]), "tab", "send.attachments[0].url: too long (at most 2048 characters)");
  refused(send([{ ...ATT, url: 1 }]), "tab", "send.attachments[0].url: not a string");
});

test("an issue of a kind not mapped is still one readable line, never the library's text", () => {
  const issue = { kind: "validation", type: "email", input: "x", expected: "RFC 5322", message: "Invalid email: Expected RFC 5322 but received x", path: [{ type: "object", origin: "value", key: "to" }] };
  assert.equal(readable(issue, "send"), "send.to: not valid");
});
