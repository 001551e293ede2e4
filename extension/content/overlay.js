// The overlay on LinkedIn's messaging page: react and recall controls on each message, a send
// panel for the open conversation, a status line. No wasm and no API key here: every action is a
// typed command to the background over a runtime port, and every change arrives as a pushed view.
// UI lives in shadow roots, built with DOM calls and `textContent` only (never `innerHTML`).
// Decoration is idempotent: LinkedIn's re-renders and in-app navigation are followed by a
// MutationObserver that re-runs `scan()`, which only adds what is missing.
(() => {
  if (globalThis.__threadlineOverlay) return;
  globalThis.__threadlineOverlay = true;

  const S = globalThis.ThreadlineSelectors;
  const ext = globalThis.browser ?? globalThis.chrome;
  const QUICK_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🎉"];
  const HOST = "data-threadline-host";
  const STATUS_TEXT = {
    starting: "Threadline: starting…",
    synced: "Threadline: synced",
    syncing: "Threadline: syncing…",
    offline: "Threadline: offline, retrying",
    key_missing: "Threadline: API key missing",
    key_rejected: "Threadline: API key rejected",
    disconnected: "Threadline: reconnecting…",
  };

  // ---- state --------------------------------------------------------------------------------
  let port = null;
  let nextId = 1;
  const pending = new Map(); // request id → {resolve, reject}
  const unackedSends = new Map(); // clientKey → command: re-sent after a reconnect (idempotent)
  const ids = new Map(); // page URN → canonical message id (from the background's core)
  const resolving = new Set();
  let conversationUrn = null;
  let view = null;
  let status = { state: "starting", detail: "" };
  const ui = {
    picker: null, // message id whose emoji picker is open
    confirm: null, // message id whose recall confirmation is open
    notices: {}, // message id → text (a refusal the user should see)
    attachments: [],
    sendError: "",
    busy: false,
  };

  // ---- the port -----------------------------------------------------------------------------
  function connect() {
    try {
      port = ext.runtime.connect({ name: "threadline" });
    } catch {
      return; // the extension was reloaded: this script is orphaned and stays quiet
    }
    port.onMessage.addListener(onMessage);
    port.onDisconnect.addListener(() => {
      port = null;
      for (const p of pending.values()) p.reject(codedError("disconnected", "Threadline restarted; retrying."));
      pending.clear();
      setStatus({ state: "disconnected", detail: "" });
      setTimeout(() => {
        connect();
        if (conversationUrn) openView(conversationUrn);
        for (const cmd of unackedSends.values()) sendCommand(cmd);
      }, 250);
    });
  }

  function request(type, fields = {}) {
    if (!port) return Promise.reject(codedError("disconnected", "Not connected to Threadline."));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      port.postMessage({ id, type, ...fields });
    });
  }

  function onMessage(msg) {
    if (msg?.type === "event") {
      const { event } = msg;
      if (event.type === "status") setStatus(event.status);
      else if (event.type === "view" && event.view && view && event.conversationId === view.conversationId) {
        setView(event.view);
      }
      return;
    }
    const p = pending.get(msg?.replyTo);
    if (!p) return;
    pending.delete(msg.replyTo);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(codedError(msg.error?.code ?? "error", msg.error?.message ?? "Failed"));
  }

  function codedError(code, message) {
    const e = new Error(message);
    e.code = code;
    return e;
  }

  async function openView(urn) {
    try {
      const { view: v, status: s } = await request("view.open", { conversationUrn: urn });
      if (urn !== conversationUrn) return;
      setStatus(s);
      setView(v);
    } catch (e) {
      if (e.code !== "disconnected") setStatus({ state: "offline", detail: e.message });
    }
  }

  function setStatus(s) {
    status = s ?? status;
    renderStatus();
  }
  function setView(v) {
    view = v;
    render();
  }

  // ---- finding things on LinkedIn's page --------------------------------------------------
  function currentConversationUrn() {
    const thread = document.querySelector(S.thread);
    const urn = thread?.getAttribute(S.threadUrnAttr);
    if (urn) return urn;
    const m = S.threadPath.exec(location.pathname);
    return m ? `urn:li:messagingThread:${decodeURIComponent(m[1])}` : null;
  }

  function pageItems() {
    return [...document.querySelectorAll(S.messageItem)];
  }

  let scanQueued = false;
  function queueScan() {
    if (scanQueued) return;
    scanQueued = true;
    queueMicrotask(() => {
      scanQueued = false;
      scan();
    });
  }

  function scan() {
    const urn = currentConversationUrn();
    if (urn !== conversationUrn) {
      conversationUrn = urn;
      view = null;
      ui.picker = ui.confirm = null;
      ui.notices = {};
      if (urn) openView(urn);
      else request("view.close").catch(() => {});
    }
    const unknown = [];
    for (const li of pageItems()) {
      const u = li.getAttribute(S.messageUrnAttr);
      if (u && !ids.has(u) && !resolving.has(u)) unknown.push(u);
    }
    if (unknown.length) resolve(unknown);
    if (conversationUrn) ensurePanel();
    render();
  }

  async function resolve(urns) {
    for (const u of urns) resolving.add(u);
    try {
      const map = await request("resolve", { urns: urns.slice(0, 500) });
      for (const [u, id] of Object.entries(map)) ids.set(u, id);
    } catch {
      // retried on the next scan
    } finally {
      for (const u of urns) resolving.delete(u);
    }
    render();
  }

  // ---- DOM building (no innerHTML anywhere) -----------------------------------------------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  const CSS = `
    :host { all: initial; display: block; font: 13px/1.4 system-ui, sans-serif; color: #1d2226; }
    button { font: inherit; cursor: pointer; border: 1px solid #8c8c8c; border-radius: 12px; background: #fff; padding: 1px 8px; margin: 2px 2px 0 0; }
    button[aria-pressed="true"] { background: #dbe9fb; border-color: #0a66c2; }
    button:disabled { cursor: not-allowed; opacity: .55; }
    button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible { outline: 2px solid #0a66c2; outline-offset: 1px; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 2px; }
    .why, .state { color: #5e5e5e; font-size: 12px; margin-left: 4px; }
    .error { color: #b24020; font-size: 12px; margin-left: 4px; }
    .picker, .confirm { border: 1px solid #ccc; border-radius: 8px; padding: 4px; margin-top: 2px; background: #fff; }
    .picker input { width: 6em; }
    .panel { border-top: 1px solid #ddd; padding: 8px 12px; background: #f9fafb; }
    .status { font-size: 12px; color: #5e5e5e; margin-bottom: 6px; }
    .status[data-threadline-status="synced"]::before { content: "● "; color: #057642; }
    .status[data-threadline-status="offline"]::before, .status[data-threadline-status^="key_"]::before { content: "● "; color: #b24020; }
    ol { list-style: none; margin: 0 0 8px; padding: 0; }
    ol > li { padding: 4px 0; border-bottom: 1px solid #eee; }
    .who { font-weight: 600; }
    .text { white-space: pre-wrap; word-break: break-word; }
    label { display: block; margin: 4px 0; }
    textarea, input[type=text], select { font: inherit; width: 100%; box-sizing: border-box; }
    textarea { min-height: 3.5em; }
    .send { background: #0a66c2; color: #fff; border-color: #0a66c2; padding: 3px 14px; }
    .quota { font-size: 12px; color: #5e5e5e; }
  `;

  function attachShadow(host) {
    const root = host.attachShadow({ mode: "open" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el("style", { text: CSS }));
    }
    return root;
  }

  // ---- message controls (shared by LinkedIn's items and the panel's list) -------------------
  function messageControls(msg, messageUrn, id) {
    const mid = id;
    const recalled = view?.recalled?.includes(mid);
    const box = el("div", {
      class: "controls",
      "data-threadline-controls": "",
      "data-threadline-message-id": mid,
      "data-threadline-state": recalled ? "recalled" : msg?.state ?? "unknown",
    });
    if (recalled) {
      box.append(el("span", { class: "state", "data-threadline-state-text": "", text: "You recalled this message." }));
      return box;
    }
    const row = el("div", { class: "row", role: "group", "aria-label": "Threadline message actions" });
    const reactions = el("span", { "data-threadline-reactions": "" });
    for (const r of msg?.reactions ?? []) {
      reactions.append(
        el("button", {
          type: "button",
          "data-threadline-reaction": r.emoji,
          "data-threadline-count": r.count,
          "data-threadline-mine": r.viewerReacted ? "true" : "false",
          "aria-pressed": r.viewerReacted ? "true" : "false",
          "aria-label": `${r.emoji} ${r.count} ${r.count === 1 ? "reaction" : "reactions"}${r.viewerReacted ? ", including yours: remove yours" : ": add yours"}`,
          disabled: msg?.reacting || null,
          text: `${r.emoji} ${r.count}`,
          onclick: () => react(messageUrn, mid, r.emoji, !r.viewerReacted),
        }),
      );
    }
    row.append(reactions);
    row.append(
      el("button", {
        type: "button",
        "data-threadline-action": "react",
        "aria-label": "Add a reaction",
        "aria-expanded": ui.picker === mid ? "true" : "false",
        disabled: msg?.reacting || null,
        text: "☺ React",
        onclick: () => {
          ui.picker = ui.picker === mid ? null : mid;
          render();
          focusIn(mid, "[data-threadline-action=emoji]");
        },
      }),
    );
    const own = msg?.isSentByOwner;
    const why = !msg
      ? "Not loaded by Threadline yet: load older messages to recall it."
      : msg.state === "recalling"
        ? "Recalling…"
        : msg.recallBlockedReason;
    if (!msg || own) {
      const whyId = `tl-why-${cssId(mid)}`;
      row.append(
        el("button", {
          type: "button",
          "data-threadline-action": "recall",
          "aria-label": "Recall this message",
          "aria-describedby": why ? whyId : null,
          disabled: why ? true : null,
          title: why || null,
          text: "Recall",
          onclick: () => {
            ui.confirm = mid;
            render();
            focusIn(mid, "[data-threadline-action=recall-confirm]");
          },
        }),
      );
      if (why) row.append(el("span", { class: "why", id: whyId, "data-threadline-why": "recall", text: why }));
    }
    if (msg?.state === "recalling") row.append(el("span", { class: "state", "data-threadline-state-text": "", text: "Recalling…" }));
    box.append(row);

    if (ui.picker === mid) {
      const custom = el("input", {
        type: "text",
        "data-threadline-field": "emoji",
        "aria-label": "Any emoji",
        placeholder: "any emoji",
        maxlength: 16,
      });
      const add = () => {
        const e = custom.value.trim();
        if (e) react(messageUrn, mid, e, true);
      };
      custom.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") add();
        if (ev.key === "Escape") closePicker();
      });
      const picker = el("div", { class: "picker row", role: "group", "aria-label": "Pick a reaction", "data-threadline-picker": "" });
      for (const e of QUICK_EMOJI) {
        picker.append(
          el("button", {
            type: "button",
            "data-threadline-action": "emoji",
            "data-threadline-emoji": e,
            "aria-label": `React with ${e}`,
            text: e,
            onclick: () => react(messageUrn, mid, e, true),
          }),
        );
      }
      picker.append(custom, el("button", { type: "button", "data-threadline-action": "emoji-custom", text: "Add", onclick: add }));
      picker.append(el("button", { type: "button", "data-threadline-action": "picker-close", "aria-label": "Close", text: "✕", onclick: closePicker }));
      box.append(picker);
    }
    if (ui.confirm === mid) {
      box.append(
        el(
          "div",
          { class: "confirm row", role: "alertdialog", "aria-label": "Confirm recall", "data-threadline-confirm": "" },
          el("span", { text: "Recall this message for everyone?" }),
          el("button", {
            type: "button",
            "data-threadline-action": "recall-confirm",
            text: "Recall",
            onclick: () => recall(messageUrn, mid),
          }),
          el("button", {
            type: "button",
            "data-threadline-action": "recall-cancel",
            text: "Cancel",
            onclick: () => {
              ui.confirm = null;
              render();
            },
          }),
        ),
      );
    }
    const notice = ui.notices[mid] ?? (msg?.error ? `${msg.error.action === "recall" ? "Recall" : "Reaction"} refused: ${msg.error.message}` : null);
    if (notice) box.append(el("div", { class: "error", role: "alert", "data-threadline-error": msg?.error?.code ?? "", text: notice }));
    return box;
  }

  function cssId(s) {
    return String(s).replace(/[^A-Za-z0-9_-]/g, "_");
  }
  function closePicker() {
    ui.picker = null;
    render();
  }
  function focusIn(mid, selector) {
    queueMicrotask(() => {
      for (const root of shadowRoots()) {
        const box = root.querySelector(`[data-threadline-message-id="${CSS.escape(mid)}"]`);
        const target = box?.querySelector(selector);
        if (target) return target.focus();
      }
    });
  }
  function shadowRoots() {
    return [...document.querySelectorAll(`[${HOST}]`)].map((h) => h.shadowRoot).filter(Boolean);
  }

  async function react(messageUrn, mid, emoji, on) {
    ui.picker = null;
    delete ui.notices[mid];
    render();
    try {
      await request("react", { conversationUrn, messageUrn, emoji, react: on });
    } catch (e) {
      ui.notices[mid] = `Reaction failed: ${e.message}`;
      render();
    }
  }

  async function recall(messageUrn, mid) {
    ui.confirm = null;
    delete ui.notices[mid];
    render();
    try {
      await request("recall", { conversationUrn, messageUrn });
    } catch (e) {
      ui.notices[mid] = `Recall refused: ${e.message}`;
      render();
    }
  }

  // ---- LinkedIn's items ---------------------------------------------------------------------
  function decorateItem(li) {
    const urn = li.getAttribute(S.messageUrnAttr);
    const id = ids.get(urn);
    if (!id || !view) return;
    let host = li.querySelector(`:scope > [${HOST}]`);
    if (!host) {
      host = el("div", { [HOST]: "message" });
      attachShadow(host);
      li.append(host);
    }
    const msg = view.messages.find((m) => m.id === id) ?? null;
    const recalled = view.recalled.includes(id);
    li.setAttribute("data-threadline-message-id", id);
    li.setAttribute("data-threadline-state", recalled ? "recalled" : msg?.state ?? "unknown");
    const body = li.querySelector(S.messageBody);
    if (body) body.hidden = recalled;
    const sig = JSON.stringify([msg, recalled, ui.picker === id, ui.confirm === id, ui.notices[id] ?? null]);
    if (host.dataset.sig === sig) return;
    host.dataset.sig = sig;
    host.shadowRoot.replaceChildren(messageControls(msg, urn, id));
  }

  // ---- the panel ------------------------------------------------------------------------------
  let panel = null; // {host, root, statusLine, list, channel, quota, attachments, sendError, ...}

  function ensurePanel() {
    if (panel && panel.host.isConnected) return;
    if (!panel) panel = buildPanel();
    const form = document.querySelector(S.composeForm);
    const thread = document.querySelector(S.thread);
    if (form?.parentNode) form.after(panel.host);
    else if (thread) thread.append(panel.host);
    else document.body.append(panel.host);
  }

  function buildPanel() {
    const host = el("div", { [HOST]: "panel" });
    const root = attachShadow(host);
    const statusLine = el("div", { class: "status", role: "status", "aria-live": "polite", "data-threadline-status": status.state });
    const list = el("ol", { "aria-label": "Newer messages (Threadline)", "data-threadline-list": "" });
    const text = el("textarea", { "data-threadline-field": "text", "aria-label": "Message text", maxlength: 8000 });
    const subject = el("input", { type: "text", "data-threadline-field": "subject", "aria-label": "Subject (optional)", maxlength: 200 });
    const channel = el("select", { "data-threadline-field": "channel", "aria-label": "Channel" });
    const file = el("input", { type: "file", multiple: true, "data-threadline-field": "file", "aria-label": "Attach files" });
    const attachments = el("ul", { "aria-label": "Attachments", "data-threadline-attachments": "" });
    const quota = el("p", { class: "quota", "data-threadline-quota": "" });
    const sendError = el("p", { class: "error", role: "alert", "data-threadline-send-error": "" });
    const sendButton = el("button", { type: "submit", class: "send", "data-threadline-action": "send", text: "Send with Threadline" });
    const older = el("button", { type: "button", "data-threadline-action": "load-older", text: "Load older messages" });
    const form = el(
      "form",
      { "data-threadline-send-form": "", "aria-label": "Send with Threadline" },
      el("label", { text: "Subject " }, subject),
      el("label", { text: "Message " }, text),
      el("label", { text: "Channel " }, channel),
      el("label", { text: "Attachments " }, file),
      attachments,
      quota,
      sendButton,
      sendError,
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submit();
    });
    text.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) submit();
    });
    // Keystrokes in our panel are ours: LinkedIn's page shortcuts must not see them.
    for (const t of ["keydown", "keyup", "keypress"]) host.addEventListener(t, (ev) => ev.stopPropagation());
    file.addEventListener("change", () => upload(file));
    older.addEventListener("click", async () => {
      try {
        await request("loadOlder", { conversationUrn });
      } catch (e) {
        setSendError(`Could not load older messages: ${e.message}`);
      }
    });
    root.append(
      el("section", { class: "panel", role: "region", "aria-label": "Threadline", "data-threadline-panel": "" }, statusLine, list, older, form),
    );
    return { host, root, statusLine, list, text, subject, channel, file, attachments, quota, sendError, sendButton, older };
  }

  function setSendError(text) {
    ui.sendError = text;
    if (panel) panel.sendError.textContent = text;
  }

  async function submit() {
    const text = panel.text.value.trim();
    if (!text) return setSendError("Write a message first.");
    if (!conversationUrn) return setSendError("Open a conversation first.");
    setSendError("");
    const cmd = {
      type: "send",
      clientKey: crypto.randomUUID(),
      conversationUrn,
      text,
      channel: panel.channel.value,
    };
    const subject = panel.subject.value.trim();
    if (subject) cmd.subject = subject;
    if (ui.attachments.length) cmd.attachments = ui.attachments.map(({ assetUrn, byteSize, mediaType, name }) => ({ assetUrn, byteSize, mediaType, name }));
    unackedSends.set(cmd.clientKey, cmd);
    panel.text.value = "";
    panel.subject.value = "";
    ui.attachments = [];
    renderAttachments();
    await sendCommand(cmd);
  }

  async function sendCommand(cmd) {
    const { type, ...fields } = cmd;
    try {
      await request(type, fields);
      unackedSends.delete(cmd.clientKey);
    } catch (e) {
      if (e.code === "disconnected") return; // re-sent after reconnecting (idempotent key)
      unackedSends.delete(cmd.clientKey);
      setSendError(`Not sent: ${e.message}`);
      if (panel && !panel.text.value) panel.text.value = cmd.text;
    }
  }

  async function upload(input) {
    const files = [...input.files];
    input.value = "";
    for (const f of files) {
      setSendError("");
      const placeholder = { name: f.name, uploading: true };
      ui.attachments.push(placeholder);
      renderAttachments();
      try {
        const base64 = toBase64(new Uint8Array(await f.arrayBuffer()));
        const att = await request("upload", { name: f.name, mediaType: f.type || "application/octet-stream", base64 });
        Object.assign(placeholder, att, { uploading: false });
      } catch (e) {
        ui.attachments = ui.attachments.filter((a) => a !== placeholder);
        setSendError(`Upload of ${f.name} failed: ${e.message}`);
      }
      renderAttachments();
    }
  }

  function toBase64(bytes) {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  function renderAttachments() {
    if (!panel) return;
    panel.attachments.replaceChildren(
      ...ui.attachments.map((a) =>
        el(
          "li",
          { "data-threadline-attachment": a.uploading ? "uploading" : a.assetUrn },
          el("span", { text: a.uploading ? `${a.name} (uploading…)` : `${a.name} (${Math.ceil(a.byteSize / 1024)} KB) ` }),
          a.uploading
            ? null
            : el("button", {
                type: "button",
                "data-threadline-action": "remove-attachment",
                "aria-label": `Remove ${a.name}`,
                text: "Remove",
                onclick: () => {
                  ui.attachments = ui.attachments.filter((x) => x !== a);
                  renderAttachments();
                },
              }),
        ),
      ),
    );
    panel.sendButton.disabled = ui.attachments.some((a) => a.uploading);
  }

  function renderStatus() {
    if (!panel) return;
    const line = panel.statusLine;
    line.setAttribute("data-threadline-status", status.state);
    const children = [el("span", { text: STATUS_TEXT[status.state] ?? `Threadline: ${status.state}` })];
    if (status.state === "key_missing" || status.state === "key_rejected") {
      children.push(
        el("button", {
          type: "button",
          "data-threadline-action": "open-options",
          text: "Open Threadline options",
          onclick: () => request("options.open").catch(() => {}),
        }),
      );
    }
    line.replaceChildren(...children);
  }

  let lastPanelSig = "";
  function renderPanel() {
    if (!panel || !view) return;
    // Channels: Sales Navigator only where the account has it.
    const want = [["auto", "Auto"], ["linkedin_inbox", "LinkedIn inbox"]];
    if (view.account.hasSalesNavigator) want.push(["sales_navigator", "Sales Navigator"]);
    const have = [...panel.channel.options].map((o) => o.value).join();
    if (have !== want.map(([v]) => v).join()) {
      const keep = panel.channel.value;
      panel.channel.replaceChildren(...want.map(([value, label]) => el("option", { value, text: label })));
      if (want.some(([v]) => v === keep)) panel.channel.value = keep;
    }
    panel.host.setAttribute("data-threadline-conversation-id", view.conversationId);
    panel.channel.setAttribute("data-threadline-account-known", String(!!view.account.known));
    panel.quota.textContent = `New conversations left today: ${view.quota.left} of ${view.quota.limit}`;
    panel.older.hidden = !view.hasMore;

    // Messages Threadline knows that LinkedIn's page does not show (new, sent, incoming).
    const onPage = new Set(pageItems().map((li) => ids.get(li.getAttribute(S.messageUrnAttr))));
    const pageNewest = Math.max(0, ...pageItems().map((li) => Number(li.getAttribute("data-sent-at")) || 0));
    const extra = view.messages.filter((m) => !m.stub && !onPage.has(m.id) && m.sentAt >= pageNewest);
    const sig = JSON.stringify([extra, view.outbox, ui.picker, ui.confirm, ui.notices]);
    if (sig === lastPanelSig) return;
    lastPanelSig = sig;
    const items = extra.map((m) =>
      el(
        "li",
        { "data-threadline-message": m.id, "data-threadline-state": m.state },
        el("span", { class: "who", text: m.senderName || (m.isSentByOwner ? "You" : "") }),
        el("span", { class: "why", text: ` ${new Date(m.sentAt).toLocaleTimeString()}` }),
        m.subject ? el("div", { class: "who", "data-threadline-subject": "", text: m.subject }) : null,
        el("div", { class: "text", "data-threadline-text": "", text: m.text }),
        m.attachments?.length
          ? el("div", { class: "why", text: `Attachments: ${m.attachments.map((a) => a.name ?? a.assetUrn ?? "file").join(", ")}` })
          : null,
        messageControls(m, m.urn, m.id),
      ),
    );
    for (const e of view.outbox) {
      const stateText = {
        queued: e.error ? e.error.message : "Waiting to send…",
        sending: "Sending…",
        checking: "Checking whether it was sent…",
        failed: `Failed: ${e.error?.message ?? "unknown reason"}`,
        sent: "Sent via Sales Navigator (in your Sales Navigator thread with this person)",
      }[e.state];
      items.push(
        el(
          "li",
          { "data-threadline-outbox": e.clientKey, "data-threadline-state": e.state },
          el("span", { class: "who", text: "You" }),
          el("div", { class: "text", "data-threadline-text": "", text: e.text }),
          el("span", { class: e.state === "failed" ? "error" : "state", "data-threadline-state-text": "", "data-threadline-error": e.error?.code ?? null, text: stateText }),
          e.retryable ? el("button", { type: "button", "data-threadline-action": "retry", text: "Retry", onclick: () => request("retry", { clientKey: e.clientKey }).catch((x) => setSendError(x.message)) }) : null,
          e.state === "failed" ? el("button", { type: "button", "data-threadline-action": "discard", text: "Discard", onclick: () => request("discard", { clientKey: e.clientKey }).catch((x) => setSendError(x.message)) }) : null,
        ),
      );
    }
    panel.list.replaceChildren(...items);
  }

  function render() {
    renderStatus();
    if (!view) return;
    for (const li of pageItems()) decorateItem(li);
    renderPanel();
  }

  // ---- start ----------------------------------------------------------------------------------
  connect();
  new MutationObserver((records) => {
    // Ignore our own hosts' insertion; anything else may be LinkedIn re-rendering or navigating.
    if (records.every((r) => [...r.addedNodes, ...r.removedNodes].every((n) => n.nodeType === 1 && n.hasAttribute?.(HOST)))) return;
    queueScan();
  }).observe(document.documentElement, { childList: true, subtree: true });
  addEventListener("popstate", queueScan);
  // Keep the background awake while a tab shows a conversation (a port message resets its idle timer).
  setInterval(() => {
    if (port && conversationUrn && document.visibilityState === "visible") request("ping").catch(() => {});
  }, 20000);
  scan();
})();
