// Threadline's compose form, one for every place that sends: the reply panel by LinkedIn's
// composer (overlay.js), "Message with Threadline" on a profile page (profile.js) and "New message"
// in the toolbar popup (popup/popup.js). A classic script (content scripts cannot import modules)
// that defines `globalThis.ThreadlineComposer`: the shared styles, the form's fields (channel,
// subject, attachments, Send, quota line) and how they are painted, and `NewConversation`, the
// composer that starts a conversation with one person over its own port to the background.
//
// Nothing is decided here: whether a send opens a new conversation, counts against the day's quota
// or is refused over it is the engine's (src/sync); this file maps the engine's QuotaView, its
// refusals and its outcomes to words. DOM calls and `textContent` only, never `innerHTML`; every
// handler ignores events that are not trusted user input.
(() => {
  if (globalThis.ThreadlineComposer) return;
  const ext = globalThis.browser ?? globalThis.chrome;

  /** A string of the extension's _locales in the browser's language. */
  const t = (key, subs) => {
    try {
      return ext.i18n.getMessage(key, subs) || key;
    } catch {
      return key; // the extension was reloaded: this orphaned script keeps its last words
    }
  };
  const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  const weekdayClock = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "numeric", minute: "2-digit" });
  /** A time of day, with the day when it is not today (a quota resets at midnight UTC); unbroken. */
  function at(ms) {
    const d = new Date(ms);
    return (d.toDateString() === new Date().toDateString() ? clock.format(d) : weekdayClock.format(d)).replace(/\s/g, "\u00a0");
  }
  /** A short duration: "12 s", "3 min". */
  function elapsed(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    const [n, unit] = s < 60 ? [s, "second"] : [Math.floor(s / 60), "minute"];
    return new Intl.NumberFormat(undefined, { style: "unit", unit, unitDisplay: "short" }).format(n);
  }

  /** Only a real user's input acts: events a page script dispatches or `click()`s are dropped. */
  function trusted(fn) {
    return (ev) => {
      if (!ev.isTrusted) return;
      fn(ev);
    };
  }
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), trusted(v));
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  const keyedNodes = new WeakMap();
  /**
   * Makes `parent`'s children the nodes for `items`: an item whose key and signature are unchanged
   * keeps its node (and the focus and hover in it), the others are built again, and udomdiff
   * (vendor/udomdiff.js, loaded before this file: a keyed DOM diff, see ARCHITECTURE.md "Keyed
   * rendering") moves only the nodes that must move.
   */
  function keyed(parent, items, keyOf, sigOf, build) {
    const cache = keyedNodes.get(parent) ?? new Map();
    const next = new Map();
    const nodes = items.map((item) => {
      const key = keyOf(item);
      const sig = sigOf(item);
      const old = cache.get(key);
      const node = old && old.sig === sig ? old.node : build(item);
      next.set(key, { node, sig });
      return node;
    });
    keyedNodes.set(parent, next);
    udomdiff(parent, [...parent.childNodes], nodes, (node) => node, null);
  }

  // Colours through custom properties (they cross `all: initial` and shadow boundaries), so an
  // extension page can give its own palette (the popup's dark mode); on LinkedIn the defaults hold.
  const CSS = `
    button { font: inherit; cursor: pointer; border: 1px solid var(--tl-line, rgba(0,0,0,.3)); border-radius: 12px; background: var(--tl-card, #fff); color: var(--tl-fg-2, rgba(0,0,0,.75)); padding: 1px 8px; margin: 0; line-height: 18px; }
    button:hover { background: var(--tl-hover, #f3f6f8); }
    button[aria-pressed="true"] { background: var(--tl-pressed, #e2f0fe); border-color: var(--tl-accent, #0a66c2); color: var(--tl-accent, #0a66c2); font-weight: 600; }
    button:disabled { cursor: not-allowed; opacity: .5; }
    button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible { outline: 2px solid var(--tl-accent, #0a66c2); outline-offset: 1px; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; }
    label { display: block; margin: 6px 0 2px; color: var(--tl-muted, rgba(0,0,0,.6)); }
    .seg { gap: 0; } .seg button { border-radius: 0; margin-left: -1px; } .seg button:first-child { border-radius: 12px 0 0 12px; margin-left: 0; } .seg button:last-child { border-radius: 0 12px 12px 0; }
    input[type=text], select, textarea { font: inherit; color: var(--tl-fg, rgba(0,0,0,.9)); background: var(--tl-card, #fff); width: 100%; box-sizing: border-box; border: 1px solid var(--tl-line, rgba(0,0,0,.3)); border-radius: 4px; padding: 3px 5px; }
    textarea { min-height: 3.5em; resize: vertical; }
    .send { background: var(--tl-accent, #0a66c2); color: var(--tl-accent-fg, #fff); border-color: var(--tl-accent, #0a66c2); padding: 3px 14px; font-weight: 600; margin-top: 8px; }
    .send:hover { background: var(--tl-accent-hover, #004182); }
    .meta { color: var(--tl-muted, rgba(0,0,0,.6)); font-size: 11px; margin-top: 6px; }
    .meta[data-threadline-quota-left="0"] { color: var(--tl-bad, #b24020); font-weight: 600; }
    .error { color: var(--tl-bad, #b24020); font-size: 11px; margin-top: 4px; }
    .hint { color: var(--tl-muted, rgba(0,0,0,.6)); font-size: 11px; margin-top: 2px; overflow-wrap: anywhere; }
    .hint[data-ok="false"] { color: var(--tl-bad, #b24020); }
    [data-threadline-new-form] > .meta { margin: 6px 0 0; }
    .error:empty { display: none; }
    ul.files { list-style: none; margin: 4px 0 0; padding: 0; }
    .to { font-weight: 600; overflow-wrap: anywhere; }
    .to small { font-weight: 400; color: var(--tl-muted, rgba(0,0,0,.6)); }
    .sends { margin-top: 8px; display: flex; flex-direction: column; gap: 4px; }
    .sends:empty { display: none; }
    .sent-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 4px 6px; border-radius: 6px; background: var(--tl-note, #f3f6f8); }
    .sent-row .what { flex: 1 1 100%; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .sent-row[data-threadline-state="sent"] .how { color: var(--tl-ok, #057642); font-weight: 600; }
    .sent-row[data-threadline-state="failed"] .how, .sent-row[data-threadline-state="refused"] .how { color: var(--tl-bad, #b24020); }
    .how { flex: 1 1 100%; }
  `;

  // ---- the page's theme -----------------------------------------------------------------------
  // Threadline's controls take LinkedIn's own theme, not the system's: a member may use LinkedIn in
  // light on a dark system. LinkedIn's dark mode says so with a class (ThreadlineSelectors.darkTheme);
  // a page without it is read by its own background colour (LinkedIn's "device setting" mode, or a
  // markup we do not know), and light when that cannot be read (transparent). Hosts carry the
  // answer in `data-threadline-theme`; the palette below is the only place the dark colours live
  // (the extension's own pages have theirs in pages/page.css, following the system).
  const THEME_ATTR = "data-threadline-theme";
  const DARK_CSS = `
    :host([${THEME_ATTR}="dark"]) {
      color-scheme: dark; color: rgba(255,255,255,.9);
      --tl-fg: rgba(255,255,255,.9); --tl-fg-2: rgba(255,255,255,.8); --tl-muted: rgba(255,255,255,.6);
      --tl-card: #1b1f23; --tl-line: rgba(255,255,255,.3); --tl-sep: rgba(255,255,255,.15);
      --tl-hover: #293138; --tl-pressed: #22303c; --tl-note: #293138;
      --tl-accent: #71b7fb; --tl-accent-fg: #000; --tl-accent-hover: #a8d4fd;
      --tl-ok: #6dcf9a; --tl-bad: #ff8a70; --tl-warn-bg: #3a2f17; --tl-warn-line: #6b5420;
      --tl-shadow: rgba(0,0,0,.6); --tl-ring: rgba(255,255,255,.2);
    }
  `;
  /** "dark" or "light": LinkedIn's class first, else the page's opaque background, else light. */
  function pageTheme(doc = document) {
    const S = globalThis.ThreadlineSelectors;
    try {
      if (S && doc.querySelector(S.darkTheme)) return "dark";
      for (const node of [doc.body, doc.documentElement]) {
        if (!node) continue;
        const rgb = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(getComputedStyle(node).backgroundColor);
        if (!rgb || (rgb[4] !== undefined && Number(rgb[4]) < 0.5)) continue; // transparent: look further up
        const [r, g, b] = [rgb[1], rgb[2], rgb[3]].map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b < 100 ? "dark" : "light";
      }
    } catch {
      // a document going away: light, as LinkedIn's default
    }
    return "light";
  }
  const themed = new Set();
  let themeWatch = null;
  /** Gives `host` the page's theme now and whenever LinkedIn switches it (no reload needed). */
  function followTheme(host) {
    themed.add(host);
    host.setAttribute(THEME_ATTR, pageTheme());
    if (themeWatch) return;
    const repaint = () => {
      const theme = pageTheme();
      for (const h of themed) {
        if (!h.isConnected) themed.delete(h);
        else if (h.getAttribute(THEME_ATTR) !== theme) h.setAttribute(THEME_ATTR, theme);
      }
    };
    themeWatch = new MutationObserver(repaint);
    const S = globalThis.ThreadlineSelectors;
    for (const name of S?.themeRoots ?? []) {
      if (document[name]) themeWatch.observe(document[name], { attributes: true, attributeFilter: ["class", "style"] });
    }
    matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", repaint);
  }

  /** The engine's QuotaView ({left, resetsAt}) as the line under Send. */
  function quotaText(quota) {
    if (!quota) return "";
    return quota.left > 0 ? t("composeQuotaLeft", [String(quota.left), at(quota.resetsAt)]) : t("composeQuotaNone", [at(quota.resetsAt)]);
  }

  /**
   * The form's fields. `text`: a message box of its own (else the text is LinkedIn's box); `to`: a
   * recipient field (the popup). Callbacks: onSend(), onFiles(input), onSubject(value),
   * onChannel(value), onRemove(attachment), onText(value), onTo(value).
   */
  function build(opts) {
    const c = {};
    if (opts.to) {
      c.to = el("input", { type: "text", "data-threadline-field": "to", "aria-label": t("composeToLabel"), placeholder: t("composeToPlaceholder"), maxlength: 300, autocomplete: "off", spellcheck: "false" });
      c.to.addEventListener("input", trusted(() => opts.onTo?.(c.to.value)));
    }
    c.text = opts.text ? el("textarea", { "data-threadline-field": "text", "aria-label": t("composeTextLabel"), maxlength: 8000 }) : null;
    c.text?.addEventListener("input", trusted(() => opts.onText?.(c.text.value)));
    c.channel = el("div", { class: "row seg", role: "radiogroup", "data-threadline-field": "channel", "aria-label": t("composeChannel") });
    c.subject = el("input", { type: "text", "data-threadline-field": "subject", "aria-label": t("composeSubjectOptional"), maxlength: 200, placeholder: t("composeSubjectOptional") });
    c.subject.addEventListener("input", trusted(() => opts.onSubject?.(c.subject.value)));
    c.file = el("input", { type: "file", multiple: true, hidden: true, "data-threadline-field": "file", "aria-label": t("composeAttachFiles") });
    c.file.addEventListener("change", trusted(() => opts.onFiles?.(c.file)));
    c.attach = el("button", { type: "button", "data-threadline-action": "attach", text: `📎 ${t("composeAttachFiles")}`, onclick: () => c.file.click() });
    c.files = el("ul", { class: "files", "aria-label": t("composeAttachments"), "data-threadline-attachments": "" });
    c.sendButton = el("button", { type: "button", class: "send", "data-threadline-action": "send", text: t("composeSend"), onclick: () => opts.onSend?.() });
    c.meta = el("div", { class: "meta", "data-threadline-quota": "" });
    c.error = el("div", { class: "error", role: "alert", "data-threadline-send-error": "" });
    c.onChannel = opts.onChannel;
    c.onRemove = opts.onRemove;
    c.fields = [
      c.to ? el("label", { text: t("composeToLabel") }) : null,
      c.to,
      c.text ? el("label", { text: t("composeTextLabel") }) : null,
      c.text,
      el("label", { text: t("composeChannel") }),
      c.channel,
      el("label", { text: t("composeSubject") }),
      c.subject,
      el("label", { text: t("composeAttachments") }),
      c.attach,
      c.file,
      c.files,
      c.sendButton,
      c.error,
      c.meta,
    ].filter(Boolean);
    return c;
  }

  /**
   * Paint the fields from state: `channels` ([value, label] offered), `channel`, `subject`,
   * `attachments` ({name, uploading, assetUrn, byteSize}), `disabled` (Send), `error`, `quota` (the
   * engine's QuotaView, or null), `quotaText` (a line given instead of the quota's).
   */
  function paint(c, s) {
    const channelSig = JSON.stringify([s.channels, s.channel]);
    if (c.channelSig !== channelSig) {
      c.channel.replaceChildren(
        ...s.channels.map(([value, label]) =>
          el("button", {
            type: "button",
            role: "radio",
            "data-threadline-channel": value,
            "aria-checked": String(s.channel === value),
            "aria-pressed": String(s.channel === value),
            text: label,
            onclick: () => c.onChannel?.(value),
          }),
        ),
      );
      c.channelSig = channelSig;
    }
    if (c.subject.value !== s.subject) c.subject.value = s.subject;
    c.files.replaceChildren(
      ...s.attachments.map((a) =>
        el(
          "li",
          { "data-threadline-attachment": a.uploading ? "uploading" : a.assetUrn },
          el("span", { text: a.uploading ? `${a.name} (${t("composeUploading")}) ` : `📎 ${a.name} (${Math.ceil(a.byteSize / 1024)} KB) ` }),
          a.uploading
            ? null
            : el("button", { type: "button", "data-threadline-action": "remove-attachment", "aria-label": t("composeRemoveNamed", [a.name]), text: t("composeRemove"), onclick: () => c.onRemove?.(a) }),
        ),
      ),
    );
    c.sendButton.disabled = !!s.disabled;
    c.error.textContent = s.error ?? "";
    const line = s.quotaText ?? quotaText(s.quota);
    c.meta.textContent = line;
    c.meta.hidden = !line;
    if (s.quota) c.meta.setAttribute("data-threadline-quota-left", String(s.quota.left));
    else c.meta.removeAttribute("data-threadline-quota-left");
  }

  /** The channels offered: Sales Navigator only where the engine says the account has it. */
  function channelsFor(salesNavigator) {
    const want = [["auto", t("channelAuto")], ["linkedin_inbox", t("channelInbox")]];
    if (salesNavigator === true) want.splice(1, 0, ["sales_navigator", t("channelSalesNavigator")]);
    return want;
  }

  function toBase64(bytes) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  /**
   * The round-trip over a runtime port named "threadline" (the protocol of `threadline/host`):
   * `request(type, fields)` → result, or an Error carrying the answer's error data (`code`,
   * `refusal`…). A reconnect (the background restarted) sends again what was not answered, marked
   * `resent` (the host's rule decides), then calls `onReconnect`.
   */
  function portClient({ onPush, onReconnect }) {
    let port = null;
    let next = 1;
    let closed = false;
    const pending = new Map();
    function connect() {
      try {
        port = ext.runtime.connect({ name: "threadline" });
      } catch {
        port = null; // the extension was reloaded: this script is orphaned and stays quiet
        return;
      }
      port.onMessage.addListener((msg) => {
        if (msg && !Object.hasOwn(msg, "replyTo")) return onPush?.(msg);
        const p = pending.get(msg?.replyTo);
        if (!p) return;
        pending.delete(msg.replyTo);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(Object.assign(new Error(msg.error?.message ?? "Failed"), msg.error ?? {}));
      });
      port.onDisconnect.addListener(() => {
        port = null;
        if (closed) return;
        onPush?.({ type: "status", status: { state: "disconnected" } });
        setTimeout(() => {
          if (closed) return;
          connect();
          if (!port) return;
          for (const p of pending.values()) {
            if (p.sent) p.msg = { ...p.msg, resent: true };
            p.sent = true;
            port.postMessage(p.msg);
          }
          onReconnect?.();
        }, 250);
      });
    }
    connect();
    return {
      request(type, fields = {}) {
        const msg = { id: next++, type, ...fields };
        return new Promise((resolve, reject) => {
          pending.set(msg.id, { msg, resolve, reject, sent: !!port });
          port?.postMessage(msg);
        });
      },
      close() {
        closed = true;
        try {
          port?.disconnect();
        } catch {
          // already gone
        }
      },
    };
  }

  /** States that stop Threadline until the user acts (core.js statusNow): a line and its button. */
  const SETUP = { key_missing: ["statusKeyMissing", "actionSetUp"], key_rejected: ["statusKeyRejected", "actionFixKey"], subscription_required: ["statusSubscription", "actionFixKey"] };

  /**
   * A composer that starts a conversation with one person (or with whoever the `to` field names),
   * through its own port: it binds with notices (pushed: the status with the engine's quota, and
   * each send's outcome), sends with `recipientProfileUrn` or `recipientProfileId`, and shows each
   * send as the engine reports it (on its way, checking whether LinkedIn received it, sent, not
   * sent with Retry / Discard, refused with the reason and, over quota, the reset time).
   *
   * options: `recipient` {urn, slug, name} or null (then a "To" field, mapped by `parseTo`);
   * `title`; `onSetup` (the button of a setup state; default: the background opens the options);
   * `statusLine` (false where the page shows the connection state itself, as the popup does).
   */
  class NewConversation {
    constructor({ recipient = null, title, parseTo, onSetup, onChange, statusLine = true } = {}) {
      this.recipient = recipient;
      this.parseTo = parseTo;
      this.onSetup = onSetup;
      this.onChange = onChange;
      this.status = { state: "starting" };
      this.ui = { channel: "auto", subject: "", text: "", to: "", attachments: [], error: "", busy: false };
      this.sends = []; // {clientKey, text, to, state, since, error, retryable, code}
      this.c = build({
        text: true,
        to: !recipient,
        onSend: () => this.submit(),
        onFiles: (input) => this.upload(input),
        onSubject: (v) => (this.ui.subject = v),
        onText: (v) => (this.ui.text = v),
        onTo: (v) => {
          this.ui.to = v;
          this.render();
        },
        onChannel: (v) => {
          this.ui.channel = v;
          this.render();
        },
        onRemove: (a) => {
          this.ui.attachments = this.ui.attachments.filter((x) => x !== a);
          this.render();
        },
      });
      this.toLine = el("div", { class: "to", "data-threadline-recipient": "" });
      this.setupBox = el("div", { "data-threadline-setup": "", hidden: true });
      this.toHint = recipient ? null : el("div", { class: "hint", "data-threadline-to-hint": "" });
      // The day's quota right under who it goes to: it decides whether a first message can go.
      const fields = this.c.fields.filter((f) => f !== this.c.meta);
      const at = recipient ? 0 : fields.indexOf(this.c.to) + 1;
      fields.splice(at, 0, ...[this.toHint, this.c.meta].filter(Boolean));
      this.form = el("div", { "data-threadline-new-form": "" }, recipient ? el("label", { text: t("composeToLabel") }) : null, recipient ? this.toLine : null, ...fields);
      this.list = el("div", { class: "sends", role: "status", "aria-live": "polite", "data-threadline-sends": "" });
      this.statusLine = el("div", { class: "meta", "data-threadline-status-text": "", hidden: !statusLine });
      this.node = el("div", { "data-threadline-composer": "new" }, title ? el("h3", { text: title }) : null, this.setupBox, this.form, this.list, this.statusLine);
      for (const k of ["keydown", "keyup", "keypress"]) this.node.addEventListener(k, (ev) => ev.stopPropagation()); // LinkedIn's shortcuts must not see our keys
      this.client = portClient({ onPush: (m) => this.onPush(m), onReconnect: () => this.bind() });
      this.bind();
      this.tick = setInterval(() => this.poll(), 1000);
      this.render();
    }

    close() {
      clearInterval(this.tick);
      this.client.close();
    }

    async bind() {
      try {
        const r = await this.client.request("bind", { notices: true });
        this.status = r.status ?? this.status;
      } catch {
        this.status = { state: "offline" }; // no answer: said so, and the next push corrects it
      }
      this.render();
    }

    onPush(m) {
      if (m.type === "status") this.status = m.status ?? this.status;
      else if (m.type === "notice") this.onNotice(m.notice);
      this.render();
    }

    /** The engine's outcome of a send (`completed`), keyed by the send's client key. */
    onNotice(n) {
      const o = n?.notice === "completed" ? n.outcome : null;
      const key = o?.clientKey ?? (n?.notice === "sendFailed" ? n.clientKey : null);
      const s = key && this.sends.find((x) => x.clientKey === key);
      if (!s) return;
      if (o?.outcome === "sent") Object.assign(s, { state: "sent", error: null });
      else if (o?.outcome === "notSent") Object.assign(s, { state: "failed", error: o.reason, retryable: o.retryable });
      else if (o?.outcome === "discarded") this.sends = this.sends.filter((x) => x !== s);
      else if (n.notice === "sendFailed") Object.assign(s, { state: "failed", error: n.reason });
    }

    /** While a send is on its way: its entry as the engine shows it (checking, since when). */
    async poll() {
      const waiting = this.sends.filter((s) => s.state === "sending" || s.state === "checking");
      if (!waiting.length) return;
      try {
        const entries = await this.client.request("outbox.unplaced");
        for (const s of waiting) {
          const e = entries.find((x) => x.clientKey === s.clientKey);
          if (!e || s.state === "sent" || s.state === "failed") continue;
          if (e.state.state === "sending") Object.assign(s, { state: e.state.confirming ? "checking" : "sending", since: e.state.since ?? s.since });
        }
      } catch {
        // the next tick asks again
      }
      this.render();
    }

    /** Who this composer sends to: the page's recipient, or the `to` field mapped by `parseTo`. */
    target() {
      if (this.recipient) return this.recipient;
      return this.parseTo?.(this.ui.to) ?? null;
    }

    async submit() {
      const to = this.target();
      const text = this.c.text.value.trim();
      if (!to) {
        this.ui.error = t("composeNeedRecipient");
        return this.render();
      }
      if (!text && !this.ui.attachments.length) {
        this.ui.error = t("composeNeedText");
        return this.render();
      }
      const cmd = { clientKey: crypto.randomUUID(), text, channel: this.ui.channel };
      if (to.urn) cmd.recipientProfileUrn = to.urn;
      else cmd.recipientProfileId = to.slug;
      const subject = this.ui.subject.trim();
      if (subject) cmd.subject = subject;
      if (this.ui.attachments.length) cmd.attachments = this.ui.attachments.map(({ assetUrn, byteSize, mediaType, name }) => ({ assetUrn, byteSize, mediaType, name }));
      this.ui.error = "";
      this.ui.busy = true;
      this.render();
      const row = { clientKey: cmd.clientKey, text, to: to.name || to.slug || to.urn, state: "saving", since: null, error: null };
      try {
        await this.client.request("send", cmd);
        // The engine holds it (persisted in its outbox): only now is the form cleared.
        if (row.state === "saving") row.state = "sending";
        this.sends = [row, ...this.sends.filter((s) => s.clientKey !== row.clientKey)].slice(0, 5);
        this.c.text.value = this.ui.text = "";
        this.ui.subject = "";
        this.ui.attachments = [];
      } catch (e) {
        // Refused by the engine before any request (over quota: with its reset time), or not held.
        this.ui.error = refusalText(e);
        this.ui.refusal = e.refusal?.code ?? e.code ?? "error";
      }
      this.ui.busy = false;
      this.render();
    }

    async upload(input) {
      const files = [...input.files];
      input.value = "";
      for (const f of files) {
        this.ui.error = "";
        const placeholder = { name: f.name, uploading: true };
        this.ui.attachments.push(placeholder);
        this.render();
        try {
          const base64 = toBase64(new Uint8Array(await f.arrayBuffer()));
          const att = await this.client.request("upload", { name: f.name, mediaType: f.type || "application/octet-stream", base64 });
          Object.assign(placeholder, att, { uploading: false });
        } catch (e) {
          this.ui.attachments = this.ui.attachments.filter((a) => a !== placeholder);
          this.ui.error = t("composeUploadFailed", [f.name, e.message]);
        }
        this.render();
      }
    }

    retry(s) {
      s.state = "sending";
      s.error = null;
      this.render();
      this.client.request("retrySend", { clientKey: s.clientKey }).catch((e) => {
        Object.assign(s, { state: "failed", error: { message: refusalText(e) } });
        this.render();
      });
    }
    discard(s) {
      this.client.request("discardSend", { clientKey: s.clientKey }).then(
        () => {
          this.sends = this.sends.filter((x) => x !== s);
          this.render();
        },
        (e) => {
          this.ui.error = refusalText(e);
          this.render();
        },
      );
    }

    render() {
      const st = this.status.state;
      const setup = SETUP[st];
      this.node.setAttribute("data-threadline-status", st);
      this.setupBox.hidden = !setup;
      this.form.hidden = !!setup;
      if (setup) {
        this.setupBox.replaceChildren(
          el("p", { class: "error", text: t(setup[0]) }),
          el("button", { type: "button", class: "send", "data-threadline-action": "fix-key", text: t(setup[1]), onclick: () => (this.onSetup ? this.onSetup() : this.client.request("options.open").catch(() => {})) }),
        );
      }
      if (this.recipient) {
        const r = this.recipient;
        const parts = r.name ? [document.createTextNode(r.name), el("small", { text: ` · in/${r.slug}` })] : [document.createTextNode(r.slug ? `in/${r.slug}` : r.urn)];
        this.toLine.replaceChildren(...parts);
        this.toLine.setAttribute("data-threadline-recipient", r.urn ?? r.slug ?? "");
        this.toLine.setAttribute("data-threadline-recipient-kind", r.urn ? "urn" : "slug");
      }
      const to = this.target();
      paint(this.c, {
        channels: channelsFor(null),
        channel: this.ui.channel,
        subject: this.ui.subject,
        attachments: this.ui.attachments,
        disabled: this.ui.busy || this.ui.attachments.some((a) => a.uploading) || (!this.recipient && !to) || st === "starting",
        error: this.ui.error,
        quota: this.status.quota ?? null,
      });
      if (this.c.to) {
        const typed = !!this.ui.to.trim();
        this.c.to.setAttribute("aria-invalid", String(typed && !to));
        this.toHint.textContent = !typed ? t("composeToHint") : to ? (to.urn ? t("composeToUrn", [to.urn]) : t("composeToSlug", [to.slug])) : t("composeToInvalid");
        this.toHint.setAttribute("data-ok", String(!typed || !!to));
      }
      const now = Date.now();
      // Keyed: a row whose words did not change keeps its node (a focused Retry stays focused
      // through the pushes and polls that paint again).
      keyed(
        this.list,
        this.sends,
        (s) => s.clientKey,
        (s) => JSON.stringify([s, sendText(s, now)]),
        (s) =>
          el(
            "div",
            { class: "sent-row", "data-threadline-outbox": s.clientKey, "data-threadline-state": s.state },
            el("span", { class: "what", text: t("composeSentTo", [s.to, s.text]) }),
            el("span", { class: "how", "data-threadline-state-text": "", "data-threadline-error": s.error?.code ?? null, text: sendText(s, now) }),
            s.state === "failed" && s.retryable !== false ? el("button", { type: "button", "data-threadline-action": "retry", text: t("sendRetry"), onclick: () => this.retry(s) }) : null,
            s.state === "failed" ? el("button", { type: "button", "data-threadline-action": "discard", text: t("sendDiscard"), onclick: () => this.discard(s) }) : null,
          ),
      );
      this.statusLine.textContent = setup ? "" : t("composeStatus", [stateWord(st)]);
      this.onChange?.();
    }
  }

  function stateWord(st) {
    const key = { starting: "stateStarting", synced: "stateSynced", syncing: "stateSyncing", offline: "stateOffline", server_trouble: "stateServerTrouble", rate_limited: "stateRateLimited", disconnected: "stateStarting" }[st];
    return key ? t(key) : st;
  }

  /** A send as the engine reports it, in words. */
  function sendText(s, now) {
    switch (s.state) {
      case "saving":
      case "sending":
        return t("sendSending");
      case "checking":
        return t("sendChecking", [elapsed(now - (s.since ?? now))]);
      case "sent":
        return t("sendSent");
      case "failed":
        return s.error?.code === "proved_absent" ? t("sendNotReceived") : t("sendNotSent", [s.error?.message ?? s.error?.code ?? ""]);
      default:
        return s.state;
    }
  }

  /** A refusal or error of a command, in words: over quota with the engine's reset time. */
  function refusalText(e) {
    const r = e.refusal;
    if ((r?.code ?? e.code) === "quota_exceeded" && r?.resetsAt) return t("composeQuotaRefused", [String(r.quota ?? ""), at(r.resetsAt)]);
    return t("composeNotSent", [e.message || e.code || ""]);
  }

  /**
   * Where a link on LinkedIn's page leads (resolved as the browser would follow it), only when
   * that is the page's own origin, https://www.linkedin.com (an about:blank frame's is its
   * creator's); else null. What a link elsewhere says (`/in/…`, `profileUrn=…` in its path or
   * query) is nobody's word on who is who: a member's profile may carry links of their choosing.
   */
  function ownUrl(a) {
    try {
      const u = new URL(a.href);
      const origin = location.origin !== "null" ? location.origin : new URL(document.baseURI).origin;
      return u.origin === origin ? u : null;
    } catch {
      return null; // no href, or not a URL (an SVG link's href is not a string)
    }
  }

  /**
   * Calls `fn` on each in-page route change (LinkedIn moves between pages without loading one):
   * the Navigation API where the browser has it, a location watcher otherwise, and history moves.
   */
  function onRouteChange(fn) {
    if (globalThis.navigation?.addEventListener) {
      globalThis.navigation.addEventListener("currententrychange", fn);
    } else {
      let href = location.href;
      setInterval(() => {
        if (location.href !== href) {
          href = location.href;
          fn();
        }
      }, 250);
    }
    addEventListener("popstate", fn);
  }

  globalThis.ThreadlineComposer = Object.freeze({ CSS, DARK_CSS, followTheme, pageTheme, el, keyed, trusted, t, at, build, paint, channelsFor, quotaText, toBase64, onRouteChange, ownUrl, NewConversation });
})();
