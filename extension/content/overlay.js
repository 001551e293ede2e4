// The overlay on LinkedIn: react and recall controls with each of LinkedIn's own message items,
// and a compact Threadline control beside LinkedIn's Send button, on the full messaging page and
// in every chat bubble (light DOM, open shadow roots, same-origin frames). No wasm and no API key
// here: each conversation on screen (a "scope": the full page's thread, or one bubble) has its own
// port to the background, which resolves and remembers which conversation it is; every action is a
// command on that port, never naming a conversation itself. Every change arrives as a pushed view:
// the engine's own view, rendered as it is (recall eligibility, what is recalled, failures and the
// Sales Navigator channel are the engine's fields, never worked out here). The port speaks the
// protocol of `threadline/host` (npm/host.js), whose rule decides what a reconnect may re-send.
//
// Security: UI lives in CLOSED shadow roots, built with DOM calls and `textContent` only (never
// `innerHTML`); every handler ignores events that are not trusted user input (`isTrusted`), so a
// page script can neither read what the overlay shows nor drive it. A frame that is not rendered
// (LinkedIn's hidden copy of the app) gets no controls and opens no port.
(() => {
  if (globalThis.__threadlineOverlay) return;
  globalThis.__threadlineOverlay = true;

  const S = globalThis.ThreadlineSelectors;
  const C = globalThis.ThreadlineComposer; // the compose form shared with profile.js and the popup
  const ext = globalThis.browser ?? globalThis.chrome;
  const QUICK_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🎉"];
  const HOST = "data-threadline-host";
  /** How long a thread with no message on screen waits for one before binding by its path alone. */
  const NO_MESSAGES_WAIT_MS = 1500;
  // DOM building (no innerHTML anywhere), trusted-input guard and _locales strings: composer.js's.
  const { el, trusted, t } = C;
  /** The background's connection states (core.js statusNow), as words. */
  const STATE_KEYS = {
    starting: "stateStarting",
    synced: "stateSynced",
    syncing: "stateSyncing",
    offline: "stateOffline",
    server_trouble: "stateServerTrouble",
    rate_limited: "stateRateLimited",
    key_missing: "stateKeyMissing",
    key_rejected: "stateKeyRejected",
    subscription_required: "stateSubscription",
  };
  const stateText = (st) => (STATE_KEYS[st] ? t(STATE_KEYS[st]) : st === "disconnected" ? t("overlayReconnecting") : st);
  /** States that stop Threadline until the user acts: shown as a line with the button that fixes them. */
  const SETUP_STATES = { key_missing: ["statusKeyMissing", "actionSetUp"], key_rejected: ["statusKeyRejected", "actionFixKey"], subscription_required: ["statusSubscription", "actionFixKey"] };
  const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  const at = (ms) => clock.format(new Date(ms ?? Date.now()));
  /** A short duration in the browser's language: "12 s", "3 min". */
  function elapsed(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    const [n, unit] = s < 60 ? [s, "second"] : [Math.floor(s / 60), "minute"];
    return new Intl.NumberFormat(undefined, { style: "unit", unit, unitDisplay: "short" }).format(n);
  }
  /** The status line of the states that need more than a word (the engine's times), or "". */
  function statusLine(st) {
    if (SETUP_STATES[st.state]) return t(SETUP_STATES[st.state][0]);
    if (st.state === "server_trouble") return t("statusServerTrouble", [at(st.since)]);
    if (st.state === "rate_limited") return t("statusRateLimited", [at(st.until)]);
    if (st.state === "offline") return t("statusOffline");
    return "";
  }
  /** The engine's storage state (absent in builds without it), as one line, or "". */
  function storageLine(storage) {
    if (storage?.state !== "failing") return "";
    return storage.full ? t("storageFull") : t("storageFailing", [String(storage.reason ?? "")]);
  }

  const roots = new WeakMap(); // our host element → its closed shadow root
  // Our host element → what it last drew (a message's view, a subject), to skip redrawing the same.
  // Kept here, not in a `data-` attribute: the hosts sit in LinkedIn's DOM, where the page's
  // scripts read every attribute, and this is the message's own content.
  const drawn = new WeakMap();
  // Whether the last input was the keyboard: focus goes back to a message's action after its
  // popover closes only then (a mouse user's bar must not stay shown by a focus they never asked).
  let keyboardUsed = false;
  addEventListener("keydown", () => (keyboardUsed = true), true);
  addEventListener("pointerdown", () => (keyboardUsed = false), true);
  const ids = new Map(); // message URN → canonical id (from the background's core), null = not a message
  const scopes = new Map(); // bubble element | "page" → Scope


  const CSS = `
    :host { all: initial; display: block; position: relative; font: 12px/1.35 -apple-system, system-ui, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: rgba(0,0,0,.9); }
    ${C.DARK_CSS}
    ${C.CSS}
    .pills { padding: 2px 0 0; }
    .bar { position: absolute; right: 0; bottom: 100%; display: flex; gap: 2px; padding: 2px; background: var(--tl-card, #fff); border-radius: 14px; box-shadow: 0 0 0 1px var(--tl-ring, rgba(0,0,0,.12)), 0 2px 6px var(--tl-shadow, rgba(0,0,0,.12)); opacity: 0; pointer-events: none; transition: opacity .1s; z-index: 2; }
    :host([data-threadline-active]) .bar, .bar:focus-within { opacity: 1; pointer-events: auto; }
    .bar button { border: 0; border-radius: 12px; }
    .why, .state, .via { color: var(--tl-muted, rgba(0,0,0,.6)); font-size: 11px; }
    .via::before { content: "✓ "; color: var(--tl-ok, #057642); }
    .picker, .confirm { border: 1px solid var(--tl-sep, rgba(0,0,0,.15)); border-radius: 8px; padding: 4px; margin-top: 4px; background: var(--tl-card, #fff); box-shadow: 0 2px 6px var(--tl-shadow, rgba(0,0,0,.1)); }
    /* In the top layer (the popover API): placed by placePopovers(), over LinkedIn's scroll box. */
    .picker[popover], .confirm[popover] { position: fixed; inset: auto; margin: 0; color: var(--tl-fg, rgba(0,0,0,.9)); box-shadow: 0 0 0 1px var(--tl-ring, rgba(0,0,0,.12)), 0 4px 14px var(--tl-shadow, rgba(0,0,0,.18)); max-width: calc(100vw - 16px); box-sizing: border-box; }
    .live { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip-path: inset(50%); white-space: nowrap; border: 0; }
    .picker input[type=text] { width: 7em; font: inherit; }
    .tl { display: inline-flex; align-items: center; gap: 4px; position: relative; }
    .tl > button.open { border-radius: 16px; padding: 3px 10px; font-weight: 600; color: var(--tl-accent, #0a66c2); border-color: var(--tl-accent, #0a66c2); }
    .dot { width: 7px; height: 7px; border-radius: 50%; background: #8c8c8c; display: inline-block; }
    .dot[data-state="synced"] { background: var(--tl-ok, #057642); } .dot[data-state="offline"], .dot[data-state^="key_"], .dot[data-state="server_trouble"], .dot[data-state="subscription_required"] { background: var(--tl-bad, #b24020); } .dot[data-state="rate_limited"] { background: #c37d16; }
    .pop { position: absolute; right: 0; bottom: calc(100% + 6px); width: 320px; background: var(--tl-card, #fff); border-radius: 8px; padding: 10px; box-shadow: 0 0 0 1px var(--tl-ring, rgba(0,0,0,.12)), 0 4px 14px var(--tl-shadow, rgba(0,0,0,.18)); z-index: 10; }
    .pop h3 { margin: 0 0 6px; font-size: 13px; }
    .strip { display: flex; flex-direction: column; gap: 2px; padding: 4px 12px; background: var(--tl-warn-bg, #fff8e6); border-top: 1px solid var(--tl-warn-line, #f5e0a3); }
    .strip[data-empty] { display: none; }
    .strip .row { gap: 8px; flex-wrap: nowrap; }
    .strip .text { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: 1 1 auto; min-width: 0; }
    .strip [data-threadline-state-text] { flex: none; }
    .strip .notice { white-space: normal; flex: 1 1 auto; }
    .strip .notice.bad { color: var(--tl-bad, #b24020); }
    .subject { font-weight: 600; margin: 0 0 2px; }
    .fallback { padding: 8px 12px; border-top: 1px solid var(--tl-sep, #e8e8e8); background: var(--tl-card, #fff); }
  `;

  function attachRoot(host) {
    const root = host.attachShadow({ mode: "closed" });
    roots.set(host, root);
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el("style", { text: CSS }));
    }
    return root;
  }
  function makeHost(kind) {
    const host = el("div", { [HOST]: kind });
    C.followTheme(host);
    return { host, root: attachRoot(host) };
  }

  /** Why the engine says a message may not be recalled (its `recall` field): the _locales key of the words the button says. */
  const RECALL_BLOCKED = {
    recalling: "overlayRecalling",
    windowClosed: "overlayRecallWindowClosed",
    notOwn: "overlayRecallNotOwn",
    notSent: "overlayRecallNotSent",
  };

  /** The engine's message view as these controls read it: mapped, nothing decided here. */
  function shown(m) {
    if (!m) return null;
    const reactions = m.reactions ?? [];
    return {
      state: m.state.state,
      own: m.isSentByOwner,
      viaThreadline: !!m.clientKey,
      reactions: reactions.filter((r) => r.count > 0),
      reacting: reactions.some((r) => r.pending !== undefined),
      recall: m.recall?.recall ?? "notSent",
      failure: m.lastFailure ?? null,
      subject: m.subject ?? null,
    };
  }

  function codedError(code, message) {
    const e = new Error(message);
    e.code = code;
    return e;
  }

  // ---- where messaging shows ----------------------------------------------------------------
  function rendered(node) {
    if (typeof node.checkVisibility === "function") return node.checkVisibility();
    return node.getClientRects().length > 0;
  }
  /** This frame is on screen: every frame element up to the top is rendered. */
  function frameShown() {
    let w = window;
    try {
      while (w !== w.top) {
        const fe = w.frameElement;
        if (!fe) return false; // a cross-origin parent: not LinkedIn's same-origin frame
        if (!rendered(fe)) return false;
        const r = fe.getBoundingClientRect();
        if (r.width < 2 || r.height < 2) return false;
        w = w.parent;
      }
    } catch {
      return false;
    }
    return true;
  }
  function pagePath() {
    return window === window.top && S.threadPath.test(location.pathname) ? location.pathname : null;
  }

  /** The document and every open shadow root under it (ours are closed, so never entered). */
  function allRoots() {
    const out = [document];
    for (let i = 0; i < out.length; i++) {
      for (const node of out[i].querySelectorAll("*")) if (node.shadowRoot) out.push(node.shadowRoot);
    }
    return out;
  }

  // ---- one conversation on screen ---------------------------------------------------------------
  class Scope {
    constructor(key, kind, container) {
      this.key = key;
      this.created = Date.now();
      this.kind = kind; // "page" | "bubble"
      this.container = container; // the bubble element, or null for the page
      this.port = null;
      this.nextId = 1;
      this.pending = new Map(); // id → {msg, resolve, reject}: kept across a reconnect, re-sent then
      this.binding = null; // {path} | {messageUrns}
      this.bound = "binding"; // "binding" | "bound" | "unknown"
      this.conversationId = null;
      this.view = null;
      this.status = { state: "starting" };
      this.items = [];
      this.lastBindTry = 0;
      this.tried = new Set();
      this.ui = { picker: null, confirm: null, notices: {}, open: false, attachments: [], error: "", channel: "auto", subject: "", roving: new Map() };
      this.unheard = []; // ids of new messages to announce once their view is here
      this.live = null; // the screen reader's live region: {host, log, count}
      this.compose = null; // {host, root, ...}
      this.strip = null;
      this.fallback = null;
      this.connect();
      this.ping = setInterval(() => {
        if (this.port && document.visibilityState === "visible") this.request("ping").catch(() => {});
      }, 20000);
      // A conversation the background could not place yet (a bubble's, or one whose account could
      // not be told): ask again now and then (the engine may have synced it meanwhile).
      this.retry = setInterval(() => {
        // (Not while the key needs the user: nothing could be told, and each try is a request.)
        if (this.bound === "unknown" && !SETUP_STATES[this.status.state] && (this.kind === "page" || this.items.length)) this.update(this.items);
      }, 3000);
      // A send being checked says for how long: its line is drawn again every second meanwhile.
      this.tick = setInterval(() => {
        if (outboxOf(this.view).some((e) => e.state === "checking")) this.renderStrip();
      }, 1000);
    }

    connect() {
      try {
        this.port = ext.runtime.connect({ name: "threadline" });
      } catch {
        this.port = null; // the extension was reloaded: this script is orphaned and stays quiet
        return;
      }
      this.port.onMessage.addListener((m) => this.onMessage(m));
      this.port.onDisconnect.addListener(() => {
        this.port = null;
        if (this.closed) return;
        this.setStatus({ state: "disconnected" });
        setTimeout(() => this.reconnect(), 250);
      });
    }

    /**
     * The background restarted (a new host): bind again, then send again what it never answered,
     * marked `resent` (the host re-runs reads and sends, idempotent by clientKey, and refuses a
     * react or recall that may already have happened). Pending binds are superseded by the new one.
     */
    reconnect() {
      if (this.closed) return;
      this.connect();
      if (!this.port) return;
      for (const [id, p] of this.pending) {
        if (p.msg.type !== "bind") continue;
        this.pending.delete(id);
        p.reject(codedError("disconnected", "Threadline restarted; binding again."));
      }
      if (this.binding) this.bind(this.binding, true);
      for (const p of this.pending.values()) {
        if (p.sent) p.msg = { ...p.msg, resent: true };
        p.sent = true;
        this.port.postMessage(p.msg);
      }
    }

    request(type, fields = {}) {
      const msg = { id: this.nextId++, type, ...fields };
      return new Promise((resolve, reject) => {
        this.pending.set(msg.id, { msg, resolve, reject, sent: !!this.port });
        this.port?.postMessage(msg);
      });
    }

    onMessage(msg) {
      if (msg && !Object.hasOwn(msg, "replyTo")) {
        // A push from the host: only this port's conversation and status come here.
        if (msg.type === "status") this.setStatus(msg.status);
        else if (msg.type === "view" && this.conversationId && msg.conversationId === this.conversationId) {
          this.view = msg.view;
          this.render();
          this.announce();
        } else if (msg.type === "notice" && msg.notice?.notice === "newMessages" && msg.notice.conversation === this.conversationId) {
          // The engine's word that someone else's messages arrived: the only thing announced.
          this.unheard.push(...msg.notice.messages);
          this.announce();
        }
        return;
      }
      const p = this.pending.get(msg?.replyTo);
      if (!p) return;
      this.pending.delete(msg.replyTo);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(codedError(msg.error?.code ?? "error", msg.error?.message ?? "Failed"));
    }

    setStatus(s) {
      this.status = s ?? this.status;
      this.renderCompose();
      this.renderStrip();
    }

    /** Ask the background which conversation this is; it remembers the answer for this port. */
    async bind(binding, again = false) {
      if (!again && JSON.stringify(binding) === JSON.stringify(this.binding) && this.bound !== "unknown") return;
      this.binding = binding;
      this.bound = "binding";
      this.lastBindTry = Date.now();
      this.renderCompose();
      try {
        const r = await this.request("bind", binding);
        if (binding !== this.binding) return;
        this.setStatus(r.status);
        // The background acts as the connected account whose mailbox this page shows; when none
        // has it, it acts as no one here, and the overlay says so (nothing is decided here).
        this.unmatched = r.accountMatch === "none";
        if (r.accountMatch === "pending") {
          // Which account is signed in here could not be told yet: nothing acts; asked again.
          this.bound = "unknown";
          this.conversationId = null;
          this.view = null;
        } else if (this.unmatched) {
          this.bound = "unmatched";
          this.conversationId = null;
          this.view = null;
        } else if (r.conversationId) {
          this.bound = "bound";
          this.conversationId = r.conversationId;
          this.view = r.view;
        } else {
          this.bound = "unknown";
          this.conversationId = null;
          this.view = null;
        }
      } catch (e) {
        if (binding !== this.binding) return;
        this.bound = "unknown";
        if (e.code !== "disconnected") this.setStatus({ state: "offline" });
      }
      this.render();
    }

    update(items) {
      this.items = items;
      const unknown = items.map((i) => i.getAttribute(S.messageUrnAttr)).filter((u) => !ids.has(u) && !resolving.has(u));
      if (unknown.length) resolveUrns(this, unknown);
      if (this.kind === "page") {
        const path = pagePath();
        // The page's message URNs go with its path: they tell the background whose mailbox this
        // is (and so which account acts); sent again once the first ones show.
        const urns = items.map((i) => i.getAttribute(S.messageUrnAttr)).slice(-50);
        const told = !!this.binding?.messageUrns;
        // A thread whose messages have not shown yet waits a moment for them before binding by
        // its path alone: bound without them it would act as the default account, maybe not the
        // one signed in on this page.
        const early = !urns.length && Date.now() - this.created < NO_MESSAGES_WAIT_MS;
        if (early && !this.waitTimer) this.waitTimer = setTimeout(() => ((this.waitTimer = null), this.closed || this.update(this.items)), NO_MESSAGES_WAIT_MS);
        const retry = this.bound === "unknown" && !SETUP_STATES[this.status.state] && Date.now() - this.lastBindTry > 5000;
        if (path && !early && (path !== this.binding?.path || (!told && urns.length) || retry)) {
          if (path !== this.binding?.path) {
            this.view = null;
            this.conversationId = null;
            this.ui.picker = this.ui.confirm = null;
            this.ui.notices = {};
          }
          this.bind(urns.length ? { path, messageUrns: urns, notices: true } : { path, notices: true });
        }
      } else {
        const urns = items.map((i) => i.getAttribute(S.messageUrnAttr)).slice(-50);
        const fresh = urns.filter((u) => !this.tried.has(u));
        // A bubble is named by its messages only: bind once, again when new ones show while unknown.
        const due = this.bound === "unknown" && (fresh.length || Date.now() - this.lastBindTry > 5000) && Date.now() - this.lastBindTry > 2000;
        if (!this.binding || due) {
          for (const u of urns) this.tried.add(u);
          // The person the header links, only when the link stays on LinkedIn and leads to a
          // profile: one elsewhere could name anyone, and the bubble would act on their thread.
          const link = this.container.querySelector(S.bubbleProfileLink);
          const url = link && C.ownUrl(link);
          const profilePath = url && S.profilePath.test(url.pathname) ? url.pathname : undefined;
          if (urns.length) this.bind(profilePath ? { messageUrns: urns, profilePath, notices: true } : { messageUrns: urns, notices: true }, true);
        }
      }
      this.render();
    }

    close() {
      this.closed = true;
      clearInterval(this.ping);
      clearInterval(this.retry);
      clearInterval(this.tick);
      try {
        this.port?.disconnect();
      } catch {
        // already gone
      }
      for (const item of this.items) {
        item.querySelector(`:scope > [${HOST}]`)?.remove();
        item.querySelector(`[${HOST}=subject]`)?.remove();
      }
      for (const part of [this.compose, this.strip, this.fallback, this.live]) part?.host.remove();
      removeEventListener("scroll", this.onScroll, true);
      removeEventListener("resize", this.onScroll);
    }

    // ---- rendering --------------------------------------------------------------------------
    render() {
      for (const item of this.items) this.decorate(item);
      this.renderCompose();
      this.renderStrip();
      this.placePopovers();
    }

    /**
     * The live region screen readers hear: one per conversation on screen, made once and never
     * redrawn, so only what is written into it is announced: the new messages of others, as the
     * engine's `newMessages` notices name them (a redraw of the view announces nothing).
     */
    announce() {
      if (!this.unheard.length || !this.view) return;
      const ready = this.unheard.map((id) => this.message(id)).filter(Boolean);
      if (!ready.length) return; // their view has not come yet
      this.unheard = this.unheard.filter((id) => !this.message(id));
      if (!this.live) {
        const { host, root } = makeHost("live");
        const log = el("div", { class: "live", role: "log", "aria-live": "polite", "aria-relevant": "additions", "data-threadline-live": "" });
        root.append(log);
        this.live = { host, log, count: 0 };
      }
      if (!this.live.host.isConnected) (this.container ?? document.body).append(this.live.host);
      for (const m of ready) {
        const line = t("liveNewMessage", [m.senderName || t("liveSomeone"), m.text.length > 300 ? `${m.text.slice(0, 300)}…` : m.text]);
        this.live.log.append(el("p", { "data-threadline-announced-id": m.id, text: line }));
        this.live.count++;
      }
      // Keep a few: an assistive technology reads additions, not the whole log again.
      while (this.live.log.childElementCount > 5) this.live.log.firstElementChild.remove();
      this.live.host.setAttribute("data-threadline-announced", String(this.live.count));
    }

    /**
     * The emoji picker and the recall confirmation live in the top layer (popover API), so
     * LinkedIn's scroll box never clips them: each is placed below its button, or above it when
     * there is no room, and kept inside the viewport.
     */
    placePopovers() {
      if (!this.onScroll) {
        this.onScroll = () => this.placePopovers();
        addEventListener("scroll", this.onScroll, { capture: true, passive: true });
        addEventListener("resize", this.onScroll, { passive: true });
      }
      for (const item of this.items) {
        const host = item.querySelector(`:scope > [${HOST}=message]`);
        const root = host && roots.get(host);
        if (!root) continue;
        for (const [sel, anchorSel] of [["[data-threadline-picker]", "[data-threadline-action=react]"], ["[data-threadline-confirm]", "[data-threadline-action=recall]"]]) {
          const pop = root.querySelector(sel);
          if (!pop || typeof pop.showPopover !== "function") continue;
          if (!pop.matches(":popover-open")) {
            try {
              pop.showPopover();
            } catch {
              continue; // not connected yet
            }
          }
          const anchor = (root.querySelector(anchorSel) ?? host).getBoundingClientRect();
          const box = pop.getBoundingClientRect();
          const vw = document.documentElement.clientWidth || innerWidth;
          const vh = document.documentElement.clientHeight || innerHeight;
          const gap = 4;
          let top = anchor.bottom + gap;
          if (top + box.height > vh - gap && anchor.top - gap - box.height >= gap) top = anchor.top - gap - box.height;
          top = Math.max(gap, Math.min(top, vh - box.height - gap));
          let left = anchor.right - box.width;
          left = Math.max(gap, Math.min(left, vw - box.width - gap));
          pop.style.top = `${Math.round(top)}px`;
          pop.style.left = `${Math.round(left)}px`;
        }
      }
    }

    message(id) {
      return this.view?.messages.find((m) => m.id === id) ?? null;
    }

    decorate(item) {
      const urn = item.getAttribute(S.messageUrnAttr);
      const id = ids.get(urn);
      let host = item.querySelector(`:scope > [${HOST}=message]`);
      if (!id || this.bound !== "bound" || !this.view) {
        host?.remove();
        return;
      }
      if (!host || !roots.has(host)) {
        host?.remove();
        host = makeHost("message").host;
        item.append(host);
        const on = () => host.hasAttribute("data-threadline-active") || host.setAttribute("data-threadline-active", "");
        const off = () => host.removeAttribute("data-threadline-active");
        // `mouseover`, not only `mouseenter`: the pointer may already be inside the item when the
        // controls arrive (the view came after the hover, or LinkedIn re-rendered the item under
        // it), and then no `mouseenter` ever comes; any move over the item shows them.
        item.addEventListener("mouseover", on);
        item.addEventListener("mouseleave", off);
        if (item.matches(":hover")) on();
        // An item LinkedIn just drew again under a still pointer may be marked hovered only after
        // the browser's next hover update: look once more then.
        else setTimeout(() => item.isConnected && item.matches(":hover") && on(), 150);
        item.addEventListener("focusin", on);
        // Focus leaving hides the bar only when the pointer is not over the item too: a click
        // that closes the picker drops its focus while the pointer stays, and the bar must stay.
        item.addEventListener("focusout", (ev) => {
          if (!item.contains(ev.relatedTarget) && !item.matches(":hover")) off();
        });
      }
      const msg = shown(this.message(id));
      const recalled = this.view.recalled.includes(id);
      const body = item.querySelector(S.messageBody);
      // Only real changes: setting an attribute again is a mutation, and mutations rescan.
      // (Inline display, not `hidden`: LinkedIn's own CSS may set a display that beats `hidden`.)
      const show = (node, on) => {
        const want = on ? "" : "none";
        if (node.style.display !== want) node.style.display = want;
      };
      if (body) show(body, !recalled);
      this.decorateSubject(item, body, recalled ? null : msg?.subject);
      for (const summary of item.querySelectorAll(S.reactionSummary)) show(summary, !msg);
      const sig = JSON.stringify([urn, msg, recalled, this.ui.picker === id, this.ui.confirm === id, this.ui.notices[id] ?? null]);
      if (drawn.get(host) === sig) return;
      drawn.set(host, sig);
      host.setAttribute("data-threadline-state", recalled ? "recalled" : msg?.state ?? "unknown");
      // A re-render keeps what the user is doing: the focused control and a half-typed emoji.
      const root = roots.get(host);
      const active = root.activeElement;
      const key = active && (active.getAttribute("data-threadline-field") ?? active.getAttribute("data-threadline-action"));
      const draft = root.querySelector("[data-threadline-field=emoji]")?.value;
      root.replaceChildren(this.controls(msg, urn, id, recalled));
      // An open popover drawn again is shown at once (placePopovers() places it), so the focus
      // and the half-typed emoji below can go back into it.
      for (const pop of root.querySelectorAll("[popover]")) {
        try {
          pop.showPopover();
        } catch {
          // no popover API (older browsers): it stays in the flow
        }
      }
      const input = root.querySelector("[data-threadline-field=emoji]");
      if (input && draft) input.value = draft;
      if (key) root.querySelector(`[data-threadline-field="${key}"], [data-threadline-action="${key}"]`)?.focus();
    }

    /** The message's subject (the engine's view field), shown above LinkedIn's own text. */
    decorateSubject(item, body, subject) {
      let host = item.querySelector(`[${HOST}=subject]`);
      if (!subject || !body) {
        host?.remove();
        return;
      }
      if (!host || !roots.has(host)) {
        host?.remove();
        host = makeHost("subject").host;
      }
      if (host.nextElementSibling !== body) body.before(host);
      if (drawn.get(host) === subject) return;
      drawn.set(host, subject);
      roots.get(host).replaceChildren(el("div", { class: "subject", "data-threadline-subject": "", text: subject }));
    }

    controls(msg, urn, mid, recalled) {
      const box = el("div", { "data-threadline-controls": "", "data-threadline-message-id": mid });
      if (recalled) {
        box.append(el("span", { class: "state", "data-threadline-state-text": "", text: t("overlayYouRecalled") }));
        return box;
      }
      const pills = el("div", { class: "row pills", "data-threadline-reactions": "" });
      for (const r of msg?.reactions ?? []) {
        pills.append(
          el("button", {
            type: "button",
            "data-threadline-reaction": r.emoji,
            "data-threadline-count": r.count,
            "data-threadline-mine": r.mine ? "true" : "false",
            "aria-pressed": r.mine ? "true" : "false",
            "aria-label": `${r.emoji} ${r.count} ${r.count === 1 ? "reaction" : "reactions"}${r.mine ? ", including yours: remove yours" : ": add yours"}`,
            disabled: msg?.reacting || null,
            text: `${r.emoji} ${r.count}`,
            onclick: () => this.react(urn, mid, r.emoji, !r.mine),
          }),
        );
      }
      if (msg?.viaThreadline) pills.append(el("span", { class: "via", "data-threadline-sent-via": "", text: t("overlaySentVia") }));
      if (pills.childNodes.length) box.append(pills);

      const bar = el("div", { class: "bar", role: "toolbar", "aria-label": t("overlayMessageActions") });
      bar.append(
        el("button", {
          type: "button",
          "data-threadline-action": "react",
          "aria-label": t("overlayAddReaction"),
          title: t("overlayReact"),
          "aria-expanded": this.ui.picker === mid ? "true" : "false",
          disabled: msg?.reacting || null,
          text: `☺ ${t("overlayReact")}`,
          onclick: () => {
            this.ui.picker = this.ui.picker === mid ? null : mid;
            this.ui.focus = this.ui.picker;
            this.render();
          },
        }),
      );
      const own = msg?.own;
      const why = !msg ? t("overlayNotLoaded") : RECALL_BLOCKED[msg.recall] ? t(RECALL_BLOCKED[msg.recall]) : null;
      if (!msg || own) {
        bar.append(
          el("button", {
            type: "button",
            "data-threadline-action": "recall",
            "aria-label": why ? t("overlayRecallUnavailable", [why]) : t("overlayRecallThis"),
            disabled: why ? true : null,
            title: why || t("overlayRecallForEveryone"),
            text: `↶ ${t("overlayRecall")}`,
            onclick: () => {
              this.ui.confirm = mid;
              this.ui.focus = mid;
              this.render();
            },
          }),
        );
      }
      box.append(bar);
      if (msg?.state === "recalling") box.append(el("span", { class: "state", "data-threadline-state-text": "", text: t("overlayRecalling") }));

      if (this.ui.picker === mid) {
        const custom = el("input", { type: "text", "data-threadline-field": "emoji", "aria-label": t("overlayAnyEmoji"), placeholder: t("overlayAnyEmojiPlaceholder"), maxlength: 16 });
        const add = () => {
          const e = custom.value.trim();
          if (e) this.react(urn, mid, e, true);
        };
        custom.addEventListener(
          "keydown",
          trusted((ev) => {
            ev.stopPropagation(); // LinkedIn's shortcuts must not see keys typed here
            if (ev.key === "Enter") add();
            if (ev.key === "Escape") this.closePicker();
          }),
        );
        const picker = el("div", { class: "picker row", role: "group", "aria-label": t("overlayPickReaction"), "data-threadline-picker": "", popover: "manual" });
        picker.addEventListener("keydown", trusted((ev) => {
          if (ev.key === "Escape") this.closePicker(mid);
        }));
        for (const e of QUICK_EMOJI) {
          picker.append(el("button", { type: "button", "data-threadline-action": "emoji", "data-threadline-emoji": e, "aria-label": t("overlayReactWith", [e]), text: e, onclick: () => this.react(urn, mid, e, true) }));
        }
        picker.append(custom, el("button", { type: "button", "data-threadline-action": "emoji-custom", text: t("overlayAdd"), onclick: add }));
        picker.append(el("button", { type: "button", "data-threadline-action": "picker-close", "aria-label": t("overlayClose"), text: "✕", onclick: () => this.closePicker() }));
        box.append(picker);
        if (this.ui.focus === mid) {
          this.ui.focus = null;
          queueMicrotask(() => picker.querySelector("button")?.focus());
        }
      }
      if (this.ui.confirm === mid) {
        const confirm = el(
          "div",
          { class: "confirm row", role: "alertdialog", "aria-label": t("overlayConfirmRecall"), "data-threadline-confirm": "", popover: "manual" },
          el("span", { text: t("overlayRecallQuestion") }),
          el("button", { type: "button", "data-threadline-action": "recall-confirm", text: t("overlayRecall"), onclick: () => this.recall(urn, mid) }),
          el("button", {
            type: "button",
            "data-threadline-action": "recall-cancel",
            text: t("cancel"),
            onclick: () => this.closeConfirm(mid),
          }),
        );
        confirm.addEventListener("keydown", trusted((ev) => {
          if (ev.key === "Escape") this.closeConfirm(mid);
        }));
        box.append(confirm);
        if (this.ui.focus === mid) {
          this.ui.focus = null;
          queueMicrotask(() => confirm.querySelector("button")?.focus());
        }
      }
      const failed = msg?.failure;
      const notice = this.ui.notices[mid] ?? (failed ? t(failed.action === "recall" ? "overlayRecallRefused" : "overlayReactionRefused", [failed.failure.message]) : null);
      if (notice) box.append(el("div", { class: "error", role: "alert", "data-threadline-error": failed?.failure.code ?? "", text: notice }));
      this.rove(box, [...pills.querySelectorAll("button"), ...bar.querySelectorAll("button")], mid);
      return box;
    }

    /**
     * One tab stop per message (roving tabindex): its reaction pills and actions take turns at
     * `tabindex=0`, the last one used keeps it, and the arrow keys (Home, End) move among them.
     */
    rove(box, buttons, mid) {
      const usable = buttons.filter((b) => !b.disabled);
      const keyOf = (b) => (b.hasAttribute("data-threadline-reaction") ? `r:${b.getAttribute("data-threadline-reaction")}` : `a:${b.getAttribute("data-threadline-action")}`);
      const current = usable.find((b) => keyOf(b) === this.ui.roving.get(mid)) ?? usable.find((b) => b.getAttribute("data-threadline-action") === "react") ?? usable[0];
      for (const b of buttons) b.tabIndex = b === current ? 0 : -1;
      box.addEventListener("focusin", (ev) => {
        const b = ev.target;
        if (!usable.includes(b)) return;
        this.ui.roving.set(mid, keyOf(b));
        for (const x of usable) x.tabIndex = x === b ? 0 : -1;
      });
      box.addEventListener("keydown", trusted((ev) => {
        const at = usable.indexOf(ev.target);
        if (at < 0) return;
        const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: usable.length - 1 }[ev.key];
        if (to === undefined) return;
        ev.preventDefault();
        ev.stopPropagation(); // LinkedIn's own list keys must not move too
        usable[(to + usable.length) % usable.length].focus();
      }));
    }

    closePicker(mid = this.ui.picker) {
      this.ui.picker = null;
      this.render();
      this.focusAction(mid, "react");
    }

    closeConfirm(mid = this.ui.confirm) {
      this.ui.confirm = null;
      this.render();
      this.focusAction(mid, "recall");
    }

    /** Focus back on a message's action once its popover closed (the keyboard user's place). */
    focusAction(mid, action) {
      const item = this.items.find((i) => ids.get(i.getAttribute(S.messageUrnAttr)) === mid);
      const host = item?.querySelector(`:scope > [${HOST}=message]`);
      const root = host && roots.get(host);
      const b = root?.querySelector(`[data-threadline-action=${action}]`);
      if (b && !b.disabled && keyboardUsed && !root.activeElement) b.focus();
    }

    async react(messageUrn, mid, emoji, on) {
      const fromPicker = this.ui.picker === mid;
      this.ui.picker = null;
      delete this.ui.notices[mid];
      this.render();
      if (fromPicker) this.focusAction(mid, "react");
      try {
        await this.request("react", { messageUrn, emoji, add: on });
      } catch (e) {
        this.ui.notices[mid] = t("overlayReactionFailed", [e.message]);
        this.render();
      }
    }

    async recall(messageUrn, mid) {
      this.ui.confirm = null;
      delete this.ui.notices[mid];
      this.render();
      this.focusAction(mid, "recall");
      try {
        await this.request("recall", { messageUrn });
      } catch (e) {
        this.ui.notices[mid] = t("overlayRecallRefused", [e.message]);
        this.render();
      }
    }

    // ---- sending through LinkedIn's composer --------------------------------------------------
    scopeRoot() {
      if (this.container) return this.container;
      const item = this.items[0];
      return item?.closest(S.threadPane) ?? item?.getRootNode() ?? document;
    }
    linkedinForm() {
      const root = this.scopeRoot();
      return root.querySelector?.(S.composeForm) ?? null;
    }

    renderCompose() {
      const form = this.linkedinForm();
      const box = form?.querySelector(S.composeBox);
      if (form && box) {
        this.fallback?.host.remove();
        this.fallback = null;
        if (!this.compose) this.compose = this.buildCompose(false);
        const send = form.querySelector(S.sendButton);
        const actions = form.querySelector(S.composeActions);
        const anchor = send ?? actions?.lastElementChild ?? null;
        const host = this.compose.host;
        if (!host.isConnected || host.closest(S.composeForm) !== form) {
          if (anchor) anchor.before(host);
          else form.append(host);
        }
        this.compose.box = box;
      } else {
        this.compose?.host.remove();
        this.compose = null;
        if (this.bound === "binding" && !this.items.length) return;
        if (!this.fallback) this.fallback = this.buildCompose(true);
        if (!this.fallback.host.isConnected) {
          const root = this.scopeRoot();
          (root === document || root.nodeType === 9 ? document.body : root).append(this.fallback.host);
        }
      }
      this.paintCompose(this.compose ?? this.fallback);
    }

    buildCompose(fallback) {
      const { host, root } = makeHost(fallback ? "fallback" : "compose");
      host.style.display = fallback ? "block" : "inline-block";
      // Keys typed in our fields are ours: LinkedIn's page shortcuts must not see them.
      for (const t of ["keydown", "keyup", "keypress"]) host.addEventListener(t, (ev) => ev.stopPropagation());
      const c = { host, root, fallback, box: null };
      c.dot = el("span", { class: "dot", "aria-hidden": "true" });
      c.toggle = el("button", {
        type: "button",
        class: "open",
        "data-threadline-action": "options",
        "aria-haspopup": "dialog",
        "aria-expanded": "false",
        onclick: () => {
          this.ui.open = !this.ui.open;
          this.renderCompose();
          if (this.ui.open) queueMicrotask(() => c.channel.querySelector("[aria-checked=true]")?.focus());
        },
      }, c.dot, el("span", { text: " Threadline" }));
      Object.assign(c, C.build({
        text: fallback,
        onSend: () => this.submit(),
        onFiles: (input) => this.upload(input),
        onSubject: (v) => (this.ui.subject = v),
        onChannel: (v) => {
          this.ui.channel = v;
          this.renderCompose();
        },
        onRemove: (a) => {
          this.ui.attachments = this.ui.attachments.filter((x) => x !== a);
          this.renderCompose();
        },
      }));
      // Not a live region: redraws say nothing; new messages are announced on their own.
      c.status = el("div", { class: "meta", "data-threadline-status-text": "" });
      // The fields go when nothing can be sent (an unmatched member's page); the error line,
      // which then says why, stays.
      c.fieldsBox = el("div", { "data-threadline-fields": "" }, ...c.fields.filter((f) => f !== c.error && f !== c.meta));
      c.pop = el(
        "div",
        { class: fallback ? "" : "pop", role: fallback ? "region" : "dialog", "aria-label": t("overlaySendWith"), "data-threadline-send-form": "" },
        (c.heading = fallback ? null : el("h3", { text: t("overlaySendHeading") })),
        c.fieldsBox,
        c.error,
        c.meta,
        c.status,
      );
      c.pop.addEventListener("keydown", trusted((ev) => {
        if (ev.key === "Escape" && !fallback) {
          this.ui.open = false;
          this.renderCompose();
          c.toggle.focus();
        }
      }));
      root.append(fallback ? el("div", { class: "fallback" }, c.pop) : el("div", { class: "tl" }, c.toggle, c.pop));
      return c;
    }

    paintCompose(c) {
      if (!c) return;
      // A page of a member who is not a connected account: no account's state is this page's.
      const st = this.bound === "unmatched" ? "account_unmatched" : this.status.state;
      // …and no form that cannot work: only the line that says why.
      c.fieldsBox.hidden = this.bound === "unmatched";
      if (c.heading) c.heading.hidden = this.bound === "unmatched"; // nothing is sent from here
      c.host.setAttribute("data-threadline-status", st);
      c.host.setAttribute("data-threadline-bound", this.bound);
      // Which conversation this is, inside the closed root (the page cannot read it there; tests
      // reach it as a user's DevTools would): nothing on screen names it.
      c.pop.setAttribute("data-threadline-conversation-id", this.conversationId ?? "");
      c.dot.setAttribute("data-state", st);
      const unknownText = t("overlayUnknownConversation");
      c.toggle.title = this.bound === "unmatched" ? t("statusAccountUnmatched") : this.bound === "unknown" ? unknownText : `Threadline: ${stateText(st)}`;
      c.host.setAttribute("data-threadline-account-match", this.unmatched ? "none" : "");
      c.toggle.setAttribute("aria-expanded", String(this.ui.open));
      c.pop.hidden = !c.fallback && !this.ui.open;
      if (!c.fallback && this.ui.open) this.fitPopover(c);
      const want = C.channelsFor(this.view?.channels?.salesNavigator);
      if (!want.some(([v]) => v === this.ui.channel)) this.ui.channel = "auto";
      c.channel.setAttribute("data-threadline-account-known", String(typeof this.view?.channels?.salesNavigator === "boolean"));
      const cannot = this.bound === "unmatched" ? t("statusAccountUnmatched") : this.bound !== "bound" ? unknownText : null;
      C.paint(c, {
        channels: want,
        channel: this.ui.channel,
        subject: this.ui.subject,
        attachments: this.ui.attachments,
        disabled: !!cannot || this.ui.attachments.some((a) => a.uploading) || this.ui.busy,
        error: cannot ?? this.ui.error,
        quota: this.bound === "unmatched" ? null : this.view?.quota ?? null,
      });
      const children = this.bound === "unmatched" ? [] : [el("span", { text: t("overlayStatus", [stateText(st)]) })];
      if (SETUP_STATES[st]) {
        children.push(el("button", { type: "button", "data-threadline-action": "open-options", text: t(SETUP_STATES[st][1]), onclick: () => this.request("options.open").catch(() => {}) }));
      }
      c.status.replaceChildren(...children);
    }

    /** Keep the send options inside the conversation's own box (a narrow bubble, a frame). */
    fitPopover(c) {
      const area = (this.container ?? c.host.closest(S.composeForm) ?? document.body).getBoundingClientRect();
      const tl = c.root.querySelector(".tl")?.getBoundingClientRect();
      if (!tl || !area.width) return;
      const width = Math.min(320, Math.max(180, area.width - 16));
      c.pop.style.width = `${width}px`;
      // Anchored at the control's right edge; shifted right when that would cross the box's left edge.
      const overflow = area.left + 8 - (tl.right - width);
      c.pop.style.right = overflow > 0 ? `${-overflow}px` : "0px";
    }

    composerText() {
      const c = this.compose ?? this.fallback;
      if (!c) return "";
      if (c.fallback) return c.text.value.trim();
      return (c.box?.innerText ?? "").trim();
    }
    clearComposer(c) {
      if (c.fallback) {
        c.text.value = "";
        return;
      }
      const box = c.box;
      if (!box) return;
      const p = document.createElement("p");
      p.append(document.createElement("br"));
      box.replaceChildren(p);
      box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "deleteContentBackward" }));
    }

    async submit() {
      const c = this.compose ?? this.fallback;
      if (!c || this.bound !== "bound") return;
      const text = this.composerText();
      if (!text) {
        this.ui.error = t(c.fallback ? "overlayWriteFirst" : "overlayWriteInLinkedIn");
        return this.renderCompose();
      }
      const cmd = { type: "send", clientKey: crypto.randomUUID(), text, channel: this.ui.channel };
      const subject = this.ui.subject.trim();
      if (subject) cmd.subject = subject;
      if (this.ui.attachments.length) cmd.attachments = this.ui.attachments.map(({ assetUrn, byteSize, mediaType, name }) => ({ assetUrn, byteSize, mediaType, name }));
      this.ui.error = "";
      this.ui.busy = true;
      this.renderCompose();
      const ok = await this.sendCommand(cmd);
      this.ui.busy = false;
      if (ok) {
        // The engine holds the message (persisted in its outbox): only now is LinkedIn's box cleared.
        this.clearComposer(c);
        this.ui.subject = "";
        this.ui.attachments = [];
        this.ui.open = false;
      }
      this.renderCompose();
    }

    /** Resolves once the engine holds the message (a reconnect re-sends it: idempotent by clientKey). */
    async sendCommand(cmd) {
      const { type, ...fields } = cmd;
      try {
        await this.request(type, fields);
        return true;
      } catch (e) {
        this.ui.error = t("overlayNotSent", [e.message]);
        return false;
      }
    }

    async upload(input) {
      const files = [...input.files];
      input.value = "";
      for (const f of files) {
        this.ui.error = "";
        const placeholder = { name: f.name, uploading: true };
        this.ui.attachments.push(placeholder);
        this.renderCompose();
        try {
          const base64 = toBase64(new Uint8Array(await f.arrayBuffer()));
          const att = await this.request("upload", { name: f.name, mediaType: f.type || "application/octet-stream", base64 });
          Object.assign(placeholder, att, { uploading: false });
        } catch (e) {
          this.ui.attachments = this.ui.attachments.filter((a) => a !== placeholder);
          this.ui.error = t("overlayUploadFailed", [f.name, e.message]);
        }
        this.renderCompose();
      }
    }

    /**
     * Above LinkedIn's composer: the line of a state that needs attention (a refused key, server
     * trouble, a rate-limit wait, storage that fails) and Threadline's own pending and failed sends.
     */
    renderStrip() {
      const entries = this.bound === "bound" ? outboxOf(this.view) : [];
      const form = this.linkedinForm();
      const anchor = form ?? this.fallback?.host ?? null;
      if (!anchor) return;
      if (!this.strip) {
        const { host, root } = makeHost("strip");
        this.strip = { host, root, sig: "" };
      }
      if (!this.strip.host.isConnected || this.strip.host.nextElementSibling !== anchor) anchor.before(this.strip.host);
      const st = this.status;
      const line = this.bound === "unmatched" ? t("statusAccountUnmatched") : statusLine(st);
      const storage = storageLine(st.storage);
      const now = Date.now();
      const stateText = (e) =>
        ({
          queued: e.error ? e.error.message : t("sendWaiting"),
          sending: t("sendSending"),
          checking: t("sendChecking", [elapsed(now - (e.since ?? now))]),
          failed: e.error?.code === "proved_absent" ? t("sendNotReceived") : t("sendNotSent", [e.error?.message ?? e.error?.code ?? ""]),
          sent: e.elsewhere ? t("sendSentElsewhere") : t("sendSent"),
        })[e.state];
      const texts = entries.map(stateText);
      const sig = JSON.stringify([entries, texts, line, storage, st.state, this.bound]);
      if (sig === this.strip.sig) return;
      this.strip.sig = sig;
      const empty = !entries.length && !line && !storage;
      // A labelled group, not a live region: it is drawn again on every change, and only new
      // messages are announced (announce()).
      const box = el("div", { class: "strip", role: "group", "aria-label": "Threadline", "data-empty": empty ? "" : null });
      if (line) {
        const setup = this.bound === "unmatched" ? null : SETUP_STATES[st.state];
        box.append(
          el(
            "div",
            { class: "row", "data-threadline-trouble": this.bound === "unmatched" ? "account_unmatched" : st.state },
            el("span", { class: `notice${setup ? " bad" : ""}`, text: line }),
            setup ? el("button", { type: "button", "data-threadline-action": "fix-key", text: t(setup[1]), onclick: () => this.request("options.open").catch(() => {}) }) : null,
          ),
        );
      }
      if (storage) box.append(el("div", { class: "row", role: "alert", "data-threadline-storage": "" }, el("span", { class: "notice bad", text: storage })));
      entries.forEach((e, i) => {
        box.append(
          el(
            "div",
            { class: "row", "data-threadline-outbox": e.clientKey, "data-threadline-state": e.state },
            e.subject ? el("span", { class: "state", "data-threadline-subject": "", text: e.subject }) : null,
            el("span", { class: "text", "data-threadline-text": "", text: e.text }),
            el("span", { class: e.state === "failed" ? "error" : "state", "data-threadline-state-text": "", "data-threadline-error": e.error?.code ?? null, text: texts[i] }),
            e.retryable ? el("button", { type: "button", "data-threadline-action": "retry", text: t("sendRetry"), onclick: () => this.request("retrySend", { clientKey: e.clientKey }).catch((x) => this.showError(x)) }) : null,
            e.state === "failed" ? el("button", { type: "button", "data-threadline-action": "discard", text: t("sendDiscard"), onclick: () => this.request("discardSend", { clientKey: e.clientKey }).catch((x) => this.showError(x)) }) : null,
          ),
        );
      });
      this.strip.root.replaceChildren(box);
    }
    showError(e) {
      this.ui.error = e.message;
      this.renderCompose();
    }
  }

  /** The conversation's outbox entries (the view's messages with no id yet), as the strip shows them. */
  function outboxOf(view) {
    return (view?.messages ?? [])
      .filter((m) => !m.id)
      .map((m) => {
        const s = m.state;
        return {
          clientKey: m.clientKey,
          text: m.text,
          subject: m.subject ?? null,
          state: s.state === "sending" ? (s.confirming ? "checking" : s.since ? "sending" : "queued") : s.state,
          since: s.since ?? null,
          error: s.state === "failed" ? s.reason : null,
          retryable: s.state === "failed" && s.retryable,
          elsewhere: !!m.elsewhere,
        };
      });
  }

  function toBase64(bytes) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  // ---- message ids, through the background's URN parser --------------------------------------
  const resolving = new Set();
  async function resolveUrns(scope, urns) {
    for (const u of urns) resolving.add(u);
    try {
      const map = await scope.request("resolve", { urns: urns.slice(0, 500) });
      for (const [u, id] of Object.entries(map)) ids.set(u, id ?? null);
    } catch {
      // retried on the next scan
    } finally {
      for (const u of urns) resolving.delete(u);
    }
    scope.render();
  }

  // ---- the scan: find every conversation on screen ---------------------------------------------
  const observed = new WeakSet();
  const observer = new MutationObserver((records) => {
    // Our own hosts changing is not LinkedIn re-rendering.
    const ours = (r) =>
      r.target.closest?.(`[${HOST}]`) ||
      (r.type === "childList" && [...r.addedNodes, ...r.removedNodes].every((n) => n.nodeType === 1 && n.hasAttribute?.(HOST)));
    if (records.every(ours)) return;
    queueScan();
  });
  function observe(root) {
    if (observed.has(root)) return;
    observed.add(root);
    observer.observe(root === document ? document.documentElement : root, { childList: true, subtree: true, attributes: true, attributeFilter: [S.messageUrnAttr, "style", "hidden", "class"] });
  }

  let scanQueued = false;
  function queueScan() {
    if (scanQueued) return;
    scanQueued = true;
    setTimeout(() => {
      scanQueued = false;
      scan();
    }, 30);
  }

  function scan() {
    const shown = frameShown();
    const found = new Map();
    if (shown) {
      for (const root of allRoots()) {
        observe(root);
        for (const item of root.querySelectorAll(S.messageItem)) {
          const urn = item.getAttribute(S.messageUrnAttr);
          if (!urn || !S.urnValue.test(urn) || ids.get(urn) === null) continue; // a placeholder: not yet
          const bubble = item.closest(S.bubble);
          let key;
          if (bubble) {
            if (!rendered(bubble)) continue;
            key = bubble;
          } else if (pagePath()) key = "page";
          else continue;
          if (!found.has(key)) found.set(key, []);
          found.get(key).push(item);
        }
      }
      // The full page's thread may have no message yet: its composer still gets the control.
      if (pagePath() && !found.has("page") && document.querySelector(S.composeForm)) found.set("page", []);
    }
    for (const [key, scope] of scopes) {
      if (!found.has(key) || (key !== "page" && !key.isConnected)) {
        scope.close();
        scopes.delete(key);
      }
    }
    for (const [key, items] of found) {
      let scope = scopes.get(key);
      if (!scope) {
        scope = new Scope(key, key === "page" ? "page" : "bubble", key === "page" ? null : key);
        scopes.set(key, scope);
      }
      scope.update(items);
    }
  }

  // ---- start ----------------------------------------------------------------------------------
  observe(document);
  C.onRouteChange(queueScan);
  // A frame shown or hidden later (LinkedIn toggles its frames with styles the frame cannot observe).
  if (window !== window.top) setInterval(queueScan, 1000);
  scan();
})();
