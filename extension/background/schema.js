// The schema of every command the background accepts. A command is refused unless it names a
// known type, comes from a sender allowed for that type, and every field has the declared shape
// (no extra fields). The background builds every URL itself: nothing here is a URL or a path.
//
// The shapes are valibot schemas (vendored at build time by scripts/vendor.mjs; why valibot:
// ARCHITECTURE.md, "Command schema"). A refusal is one readable line, `type.field: what is wrong`
// (`send.text: too long (at most 8000 characters)`), made here from the first issue's kind and
// limit: valibot's own issue objects and texts never leave this file.
import * as v from "../vendor/valibot.js";

// ---- Field shapes ------------------------------------------------------------------------------

/** A string of at most `max` characters (at least `min`), matching `pattern` when given; `what`
 * says in words what the pattern wants (the readable refusal). */
function string({ min = 0, max, pattern, what }) {
  const pipe = [v.string()];
  if (min) pipe.push(v.minLength(min));
  pipe.push(v.maxLength(max));
  if (pattern) pipe.push(v.regex(pattern, `malformed (${what})`));
  return v.pipe(...pipe);
}
/** A finite number in [min, max]. */
const number = (min, max) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
const boolean = () => v.boolean();
/** A string, one of `options`. */
const oneOf = (options) => v.pipe(v.string(), v.picklist(options, `not one of ${options.join(", ")}`));
/** An array of at most `max` items, its length checked before its items. */
const list = (item, max) => v.pipe(v.array(v.unknown()), v.maxLength(max), v.array(item));
/** An object with exactly these fields (v.optional ones may be absent); never an array. */
const record = (entries) => v.pipe(v.custom(isObject), v.strictObject(entries));
const isObject = (x) => !!x && typeof x === "object" && !Array.isArray(x);
const opt = v.optional;

const URN = string({ max: 512, pattern: /^urn:[a-z][a-z0-9-]{0,31}:[a-zA-Z][a-zA-Z0-9_]*:.+$/, what: "a URN, urn:namespace:type:id" });
const KEY = string({ max: 64, pattern: /^[A-Za-z0-9-]+$/, what: "letters, digits and - only" });
/** A profile as the API's send names it: its URN (Message link) or its vanity slug (the URL). */
const PROFILE_URN = string({ max: 200, pattern: /^urn:li:fsd_profile:[A-Za-z0-9_-]+$/, what: "a profile URN, urn:li:fsd_profile:…" });
const PROFILE_SLUG = string({ min: 1, max: 200, pattern: /^[^\s/?#]+$/, what: "a profile's name in its URL, without spaces, /, ? or #" });
const CHANNEL = oneOf(["auto", "sales_navigator", "linkedin_inbox"]);
const BASE_URL = string({ max: 512, pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, what: "an http(s) URL" });
const ATTACHMENT = record({
  assetUrn: URN,
  byteSize: number(0, 20 * 1024 * 1024),
  mediaType: string({ max: 200 }),
  name: string({ max: 255 }),
  url: opt(string({ max: 2048 })),
});

// ---- Commands ----------------------------------------------------------------------------------

/** `from`: "tab" (our content script on LinkedIn), "page" (our own extension pages); `fields`:
 * the command's fields (besides `type`, `id` and `resent`); `only`: per sender, the fields it may
 * send at all. */
export const COMMANDS = {
  // A tab's port asks which conversation it shows: the full page by its URL path, a chat bubble
  // by the message URNs it renders. The background resolves and remembers the answer per port;
  // the message URNs (the full page sends them too) also tell whose mailbox the page shows, and
  // so which connected account acts for that port.
  // `notices`: the engine's notices for the port's account (the overlay announces
  // `newMessages`); the composer of a new conversation binds to no conversation, for the outcomes
  // of its sends and the status (with the day's quota) only; the popup's composer too ("page").
  bind: {
    from: ["tab", "page"],
    fields: {
      path: opt(string({ max: 1024, pattern: /^\/messaging\/thread\/[^/?#\s]+\/?$/, what: "a /messaging/thread/… path" })),
      messageUrns: opt(list(string({ max: 512 }), 50)),
      profilePath: opt(string({ max: 512, pattern: /^\/in\/[^/?#\s]+\/?$/, what: "an /in/… path" })),
      notices: opt(boolean()),
    },
    // Our own pages never show a conversation: they may only ask for notices.
    only: { page: ["notices"] },
  },
  unbind: { from: ["tab"], fields: {} },
  resolve: { from: ["tab"], fields: { urns: list(string({ max: 512 }), 500) } },
  // A tab's actions apply to the conversation bound to its port (threadline/host), never to one
  // the tab names. A new conversation names its recipient instead, a profile URN or slug the user
  // sees in the composer (profile.js from the page's URL and Message link, the popup from what was
  // typed); extension pages send only that way (unbound, they have no conversation).
  send: {
    from: ["tab", "page"],
    fields: {
      clientKey: KEY,
      text: string({ min: 1, max: 8000 }),
      subject: opt(string({ max: 200 })),
      channel: CHANNEL,
      attachments: opt(list(ATTACHMENT, 10)),
      recipientProfileUrn: opt(PROFILE_URN),
      recipientProfileId: opt(PROFILE_SLUG),
    },
  },
  retrySend: { from: ["tab", "page"], fields: { clientKey: KEY } },
  discardSend: { from: ["tab", "page"], fields: { clientKey: KEY } },
  // First messages not yet in a known conversation (the composer shows its sends' states).
  "outbox.unplaced": { from: ["tab", "page"], fields: {} },
  react: { from: ["tab"], fields: { messageUrn: URN, emoji: string({ min: 1, max: 32 }), add: boolean() } },
  recall: { from: ["tab"], fields: { messageUrn: URN } },
  loadOlder: { from: ["tab"], fields: {} },
  upload: {
    from: ["tab", "page"],
    fields: {
      name: string({ min: 1, max: 255 }),
      mediaType: string({ min: 1, max: 200, pattern: /^[\w.+-]+\/[\w.+-]+$/, what: "a media type, type/subtype" }),
      base64: string({ min: 1, max: Math.ceil((20 * 1024 * 1024 * 4) / 3) + 4 }),
    },
  },
  status: { from: ["tab", "page"], fields: {} },
  ping: { from: ["tab"], fields: {} },
  "options.open": { from: ["tab"], fields: {} },
  "settings.get": { from: ["page"], fields: {} },
  "settings.set": {
    from: ["page"],
    fields: { apiKey: opt(string({ max: 512 })), baseUrl: opt(BASE_URL), accountId: opt(string({ max: 128 })) },
  },
  "settings.test": { from: ["page"], fields: { apiKey: opt(string({ max: 512 })), baseUrl: opt(BASE_URL) } },
  "accounts.list": { from: ["page"], fields: {} },
  // The toolbar popup, the onboarding page and the options page's keys and data.
  // `tabId`: the popup's active tab, to say which account acts there (the background reads it from
  // its own registry of ports; nothing is sent to the tab).
  "popup.state": { from: ["page"], fields: { tabId: opt(number(0, 2 ** 31)) } },
  "key.remove": { from: ["page"], fields: {} },
  "data.clear": { from: ["page"], fields: { confirmUnsent: opt(boolean()) } },
};

/** Each command's fields as one strict object; `resent`: a command sent again after the
 * background restarted (the host's rule decides). */
const SCHEMAS = Object.fromEntries(
  Object.entries(COMMANDS).map(([type, spec]) => [type, record({ ...spec.fields, resent: opt(boolean()) })]),
);
/** The first issue is enough (one line is answered), and stops the work at once. */
const CONFIG = { abortEarly: true };

/** Checks `msg` (an object with `type` and the fields) for a sender of kind `from`: null when it
 * is accepted, else the readable reason. */
export function validate(msg, from) {
  if (!isObject(msg)) return "a command is an object";
  const spec = Object.hasOwn(COMMANDS, msg.type) ? COMMANDS[msg.type] : null;
  if (!spec) return `unknown command ${JSON.stringify(String(msg.type)).slice(0, 60)}`;
  if (!spec.from.includes(from)) return `${msg.type} is not accepted from this sender`;
  const { type: _type, id: _id, ...args } = msg;
  const only = spec.only?.[from];
  const outside = only && Object.keys(args).find((k) => k !== "resent" && !only.includes(k));
  if (outside) return `${msg.type}.${outside}: not accepted from this sender`;
  const result = v.safeParse(SCHEMAS[msg.type], args, CONFIG);
  return result.success ? null : readable(result.issues[0], msg.type);
}

// ---- Readable refusals -------------------------------------------------------------------------

/** What a schema or check of the kind `issue.type` wants, for a value that is not that. */
const NOT = {
  string: "not a string",
  number: "not a number",
  finite: "not a number",
  boolean: "not a boolean",
  array: "not an array",
  custom: "not an object",
  strict_object: "not an object",
};

/** One valibot issue → `type.path: reason`, from its kind, path and limit only. */
export function readable(issue, type) {
  const path = issue.path ?? [];
  // A field that should not be there (strictObject's key issue, expected "never") or is missing
  // (its key issue naming the field, with no value).
  const keyIssue = path.at(-1)?.origin === "key";
  const unexpected = keyIssue && issue.expected === "never";
  const where = type + (unexpected ? path.slice(0, -1) : path).map(step).join("");
  if (unexpected) return `${where}: unexpected field ${String(path.at(-1).key).slice(0, 60)}`;
  // A field present but undefined is as absent (an array's hole is not: it is a wrong item).
  const absent = issue.kind === "schema" && issue.input === undefined && path.at(-1)?.type === "object";
  if (keyIssue || absent) return `${where}: required`;
  return `${where}: ${reason(issue)}`;
}

const step = (p) => (p.type === "array" ? `[${p.key}]` : `.${String(p.key).slice(0, 60)}`);

function reason(issue) {
  switch (issue.type) {
    case "min_length": {
      const n = issue.requirement;
      return `too short (at least ${n} character${n === 1 ? "" : "s"})`;
    }
    case "max_length":
      return Array.isArray(issue.input)
        ? `too many items (at most ${issue.requirement})`
        : `too long (at most ${issue.requirement} characters)`;
    case "min_value":
      return `out of range (at least ${issue.requirement})`;
    case "max_value":
      return `out of range (at most ${issue.requirement})`;
    // Our own texts, set where the pattern and the options are declared above.
    case "regex":
    case "picklist":
      return issue.message;
    default:
      return NOT[issue.type] ?? "not valid";
  }
}
