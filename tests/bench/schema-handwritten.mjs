// Today's hand-written validator (extension/background/schema.js at ced82f8), kept only as the baseline
// of scripts/bench-schema.mjs. The extension ships the valibot one.
// The schema of every command the background accepts. A command is refused unless it names a
// known type, comes from a sender allowed for that type, and every field has the declared shape
// (no extra fields). The background builds every URL itself: nothing here is a URL or a path.

const URN = { type: "string", max: 512, pattern: /^urn:[a-z][a-z0-9-]{0,31}:[a-zA-Z][a-zA-Z0-9_]*:.+$/ };
const KEY = { type: "string", max: 64, pattern: /^[A-Za-z0-9-]+$/ };
/** A profile as the API's send names it: its URN (Message link) or its vanity slug (the URL). */
const PROFILE_URN = { type: "string", max: 200, pattern: /^urn:li:fsd_profile:[A-Za-z0-9_-]+$/ };
const PROFILE_SLUG = { type: "string", min: 1, max: 200, pattern: /^[^\s/?#]+$/ };
const CHANNEL = { type: "string", oneOf: ["auto", "sales_navigator", "linkedin_inbox"] };
const ATTACHMENT = {
  type: "object",
  fields: {
    assetUrn: URN,
    byteSize: { type: "number", min: 0, max: 20 * 1024 * 1024 },
    mediaType: { type: "string", max: 200 },
    name: { type: "string", max: 255 },
  },
  optional: ["url"],
  extra: { url: { type: "string", max: 2048 } },
};

/** `from`: "tab" (our content script on LinkedIn), "page" (our own extension pages). */
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
      path: { type: "string", max: 1024, pattern: /^\/messaging\/thread\/[^/?#\s]+\/?$/ },
      messageUrns: { type: "array", max: 50, items: { type: "string", max: 512 } },
      profilePath: { type: "string", max: 512, pattern: /^\/in\/[^/?#\s]+\/?$/ },
      notices: { type: "boolean" },
    },
    optional: ["path", "messageUrns", "profilePath", "notices"],
    // Our own pages never show a conversation: they may only ask for notices.
    only: { page: ["notices"] },
  },
  unbind: { from: ["tab"], fields: {} },
  resolve: { from: ["tab"], fields: { urns: { type: "array", max: 500, items: { type: "string", max: 512 } } } },
  // A tab's actions apply to the conversation bound to its port (threadline/host), never to one
  // the tab names. A new conversation names its recipient instead, a profile URN or slug the user
  // sees in the composer (profile.js from the page's URL and Message link, the popup from what was
  // typed); extension pages send only that way (unbound, they have no conversation).
  send: {
    from: ["tab", "page"],
    fields: {
      clientKey: KEY,
      text: { type: "string", min: 1, max: 8000 },
      subject: { type: "string", max: 200 },
      channel: CHANNEL,
      attachments: { type: "array", max: 10, items: ATTACHMENT },
      recipientProfileUrn: PROFILE_URN,
      recipientProfileId: PROFILE_SLUG,
    },
    optional: ["subject", "attachments", "recipientProfileUrn", "recipientProfileId"],
  },
  retrySend: { from: ["tab", "page"], fields: { clientKey: KEY } },
  discardSend: { from: ["tab", "page"], fields: { clientKey: KEY } },
  // First messages not yet in a known conversation (the composer shows its sends' states).
  "outbox.unplaced": { from: ["tab", "page"], fields: {} },
  react: { from: ["tab"], fields: { messageUrn: URN, emoji: { type: "string", min: 1, max: 32 }, add: { type: "boolean" } } },
  recall: { from: ["tab"], fields: { messageUrn: URN } },
  loadOlder: { from: ["tab"], fields: {} },
  upload: {
    from: ["tab", "page"],
    fields: {
      name: { type: "string", min: 1, max: 255 },
      mediaType: { type: "string", min: 1, max: 200, pattern: /^[\w.+-]+\/[\w.+-]+$/ },
      base64: { type: "string", min: 1, max: Math.ceil((20 * 1024 * 1024 * 4) / 3) + 4 },
    },
  },
  status: { from: ["tab", "page"], fields: {} },
  ping: { from: ["tab"], fields: {} },
  "options.open": { from: ["tab"], fields: {} },
  "settings.get": { from: ["page"], fields: {} },
  "settings.set": {
    from: ["page"],
    fields: {
      apiKey: { type: "string", max: 512 },
      baseUrl: { type: "string", max: 512, pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/ },
      accountId: { type: "string", max: 128 },
    },
    optional: ["apiKey", "baseUrl", "accountId"],
  },
  "settings.test": {
    from: ["page"],
    fields: {
      apiKey: { type: "string", max: 512 },
      baseUrl: { type: "string", max: 512, pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/ },
    },
    optional: ["apiKey", "baseUrl"],
  },
  "accounts.list": { from: ["page"], fields: {} },
  // The toolbar popup, the onboarding page and the options page's keys and data.
  // `tabId`: the popup's active tab, to say which account acts there (the background reads it from
  // its own registry of ports; nothing is sent to the tab).
  "popup.state": { from: ["page"], fields: { tabId: { type: "number", min: 0, max: 2 ** 31 } }, optional: ["tabId"] },
  "key.remove": { from: ["page"], fields: {} },
  "data.clear": { from: ["page"], fields: { confirmUnsent: { type: "boolean" } }, optional: ["confirmUnsent"] },
};

/** Checks `msg` (an object with `type` and the fields) for a sender of kind `from`. */
export function validate(msg, from) {
  if (!msg || typeof msg !== "object" || Array.isArray(msg)) return "a command is an object";
  const spec = Object.hasOwn(COMMANDS, msg.type) ? COMMANDS[msg.type] : null;
  if (!spec) return `unknown command ${JSON.stringify(String(msg.type)).slice(0, 60)}`;
  if (!spec.from.includes(from)) return `${msg.type} is not accepted from this sender`;
  // `resent`: a command sent again after the background restarted (the host's rule decides).
  const { type: _type, id: _id, resent, ...args } = msg;
  if (resent !== undefined && typeof resent !== "boolean") return `${msg.type}.resent: not a boolean`;
  const only = spec.only?.[from];
  const outside = only && Object.keys(args).find((k) => !only.includes(k));
  if (outside) return `${msg.type}.${outside}: not accepted from this sender`;
  return checkObject(args, spec, msg.type);
}

function checkObject(value, spec, path) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return `${path}: not an object`;
  const fields = { ...spec.fields, ...(spec.extra ?? {}) };
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(fields, key)) return `${path}: unexpected field ${key}`;
  }
  for (const [key, field] of Object.entries(fields)) {
    const optional = spec.optional?.includes(key);
    if (value[key] === undefined) {
      if (optional) continue;
      return `${path}.${key}: required`;
    }
    const err = check(value[key], field, `${path}.${key}`);
    if (err) return err;
  }
  return null;
}

function check(value, field, path) {
  switch (field.type) {
    case "string":
      if (typeof value !== "string") return `${path}: not a string`;
      if (field.min && value.length < field.min) return `${path}: too short`;
      if (field.max && value.length > field.max) return `${path}: too long`;
      if (field.pattern && !field.pattern.test(value)) return `${path}: malformed`;
      if (field.oneOf && !field.oneOf.includes(value)) return `${path}: not one of ${field.oneOf.join(", ")}`;
      return null;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return `${path}: not a number`;
      if (value < field.min || value > field.max) return `${path}: out of range`;
      return null;
    case "boolean":
      return typeof value === "boolean" ? null : `${path}: not a boolean`;
    case "array":
      if (!Array.isArray(value)) return `${path}: not an array`;
      if (value.length > field.max) return `${path}: too many items`;
      for (let i = 0; i < value.length; i++) {
        const err = check(value[i], field.items, `${path}[${i}]`);
        if (err) return err;
      }
      return null;
    case "object":
      return checkObject(value, field, path);
    default:
      return `${path}: unknown field type`;
  }
}
