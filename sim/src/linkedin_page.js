// The simulator's stand-in for LinkedIn's own page script (docs/linkedin-page.md is the reference
// for every shape here). It renders from the simulator's data (`/__li/data/…`), as LinkedIn's
// client renders from its own API after load: the messaging client with grouped message runs,
// rows without links that switch threads with pushState, a just-sent message first under a client
// id then replaced by the server's node, empty placeholders for off-screen rows, older messages on
// scroll; on other pages, a chat bubble in light DOM, in #interop-outlet's open shadow root or in
// a /preload/ iframe, and a hidden copy of the app in another /preload/ frame. Text is only ever
// set with textContent. No Threadline code or knowledge here: this is "the page".
(() => {
  "use strict";
  const params = new URLSearchParams(location.search);
  const account = params.get("account");
  const kind = document.body.dataset.simPage;
  const outlet = document.getElementById("application-outlet");
  let emberSeq = 100;
  const ember = () => `ember${emberSeq++}`;
  const POLL_MS = 1000;

  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function dataUrl(path, extra = {}) {
    const u = new URL(path, location.origin);
    if (account) u.searchParams.set("account", account);
    for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    return u;
  }
  async function getJSON(url, init) {
    const res = await fetch(url, init);
    if (!res.ok) throw new Error(`${res.status}`);
    return res.json();
  }
  function withAccount(path) {
    return account ? `${path}?account=${encodeURIComponent(account)}` : path;
  }
  const threadPath = (id) => withAccount(`/messaging/thread/${encodeURIComponent(id)}/`);
  const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });

  // ---- one conversation: its message list and its composer (full page and bubbles) ----------
  function threadView(threadId, { onLoaded } = {}) {
    const messages = new Map(); // urn → message (server data)
    const pending = []; // just sent, still under a client id
    const nodes = new Map(); // urn or client id → {li, sig}
    let hasMore = false;
    let loadingOlder = false;
    let stopped = false;
    let timer = null;

    const ul = h("ul", { class: "msg-s-message-list-content list-style-none full-width" });
    const list = h("div", { class: "msg-s-message-list full-width scrollable", id: ember() }, ul);
    const editor = h("div", {
      class: "msg-form__contenteditable t-14 t-black--light t-normal flex-grow-1 full-height notranslate",
      contenteditable: "true",
      role: "textbox",
      "aria-multiline": "true",
      "aria-label": "Write a message…",
    }, h("p", {}, h("br")));
    const send = h("button", { class: "msg-form__send-button artdeco-button artdeco-button--1", type: "submit", text: "Send" });
    const toggle = h("button", { class: "msg-form__send-toggle artdeco-button artdeco-button--circle artdeco-button--tertiary", type: "button", "aria-label": "Open send options", text: "⋯" });
    const form = h(
      "form",
      { class: "msg-form msg-form--thread-footer-feature", id: `msg-form-${ember()}` },
      h("div", { class: "msg-form__msg-content-container" }, h("div", { class: "msg-form__msg-content-container--scrollable" }, editor)),
      h("footer", { class: "msg-form__footer" }, h("div", { class: "msg-form__left-actions" }), h("div", { class: "msg-form__right-actions" }, send, toggle)),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      submit();
    });

    function ordered() {
      return [...messages.values()].sort((a, b) => a.sentAt - b.sentAt).concat(pending);
    }

    function itemFor(m, first) {
      const key = m.urn;
      const sig = JSON.stringify([first, m.text, m.reactions, m.attachments, !!m.pending]);
      const have = nodes.get(key);
      if (have && have.sig === sig) return have.li;
      const div = h("div", {
        class: `msg-s-event-listitem${m.mine ? "" : " msg-s-event-listitem--other"}${m.pending ? " msg-s-event-listitem--pending" : ""}`,
        "data-event-urn": m.urn,
        "data-view-name": "message-list-item",
        tabindex: "-1",
      });
      if (first) {
        div.append(
          h("div", { class: "msg-s-message-group__meta" },
            h("span", { class: "msg-s-message-group__profile-link msg-s-message-group__name t-14 t-black t-bold", text: m.senderName }),
            h("time", { class: "msg-s-message-group__timestamp white-space-nowrap t-12 t-black--light t-normal", text: m.pending ? "Sending…" : clock(m.sentAt) })),
        );
      }
      div.append(h("div", { class: "msg-s-event-listitem__message-bubble" }, h("p", { class: "msg-s-event-listitem__body t-14 t-black--light t-normal", text: m.text })));
      for (const a of m.attachments ?? []) div.append(h("span", { class: "msg-s-event-listitem__attachment", text: a }));
      if (m.reactions?.length) {
        const r = h("div", { class: "msg-reactions-reaction-summary-presenter__container" });
        r.textContent = m.reactions.map((x) => `${x.emoji} ${x.count}`).join("  ");
        div.append(r);
      }
      const li = h("li", { class: "msg-s-message-list__event clearfix" }, div);
      li.removeAttribute("id");
      nodes.set(key, { li, sig });
      return li;
    }

    function render() {
      const items = ordered();
      const wanted = [];
      let prev = null;
      for (const m of items) {
        const first = !prev || prev.sender !== m.sender || m.sentAt - prev.sentAt > 10 * 60 * 1000;
        wanted.push(itemFor(m, first));
        prev = m;
      }
      const keep = new Set(items.map((m) => m.urn));
      for (const k of [...nodes.keys()]) if (!keep.has(k)) nodes.delete(k);
      const same = wanted.length === ul.children.length && wanted.every((li, i) => ul.children[i] === li);
      if (same) return;
      const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      ul.replaceChildren(...wanted);
      if (nearBottom) list.scrollTop = list.scrollHeight;
    }

    async function load() {
      const d = await getJSON(dataUrl(`/__li/data/thread/${encodeURIComponent(threadId)}`));
      for (const m of d.messages) messages.set(m.urn, m);
      hasMore = d.hasMore;
      render();
      list.scrollTop = list.scrollHeight;
      onLoaded?.(d);
      schedule();
    }

    function oldest() {
      let t = Infinity;
      for (const m of messages.values()) t = Math.min(t, m.sentAt);
      return Number.isFinite(t) ? t : 0;
    }

    async function refresh() {
      try {
        const d = await getJSON(dataUrl(`/__li/data/thread/${encodeURIComponent(threadId)}`, { since: oldest() }));
        if (stopped) return;
        const seen = new Set(d.messages.map((m) => m.urn));
        for (const urn of [...messages.keys()]) if (!seen.has(urn)) messages.delete(urn); // recalled
        for (const m of d.messages) messages.set(m.urn, m);
        render();
      } catch {
        // the next poll tries again
      }
      schedule();
    }
    function schedule() {
      if (!stopped) timer = setTimeout(refresh, POLL_MS);
    }

    list.addEventListener("scroll", async () => {
      if (list.scrollTop > 40 || !hasMore || loadingOlder) return;
      loadingOlder = true;
      try {
        const d = await getJSON(dataUrl(`/__li/data/thread/${encodeURIComponent(threadId)}`, { before: oldest() }));
        const before = list.scrollHeight;
        for (const m of d.messages) messages.set(m.urn, m);
        hasMore = d.hasMore;
        render();
        list.scrollTop += list.scrollHeight - before;
      } finally {
        loadingOlder = false;
      }
    });

    async function submit() {
      const text = editor.innerText.trim();
      if (!text) return;
      editor.replaceChildren(h("p", {}, h("br")));
      const temp = { urn: crypto.randomUUID(), pending: true, mine: true, sender: "me", senderName: "You", text, sentAt: Date.now(), reactions: [], attachments: [] };
      pending.push(temp);
      render();
      try {
        const m = await getJSON(dataUrl(`/__li/data/thread/${encodeURIComponent(threadId)}/send`), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text }),
        });
        pending.splice(pending.indexOf(temp), 1);
        messages.set(m.urn, m);
      } catch {
        pending.splice(pending.indexOf(temp), 1);
        editor.textContent = text;
      }
      render();
    }

    load().catch(() => {});
    return {
      list,
      form,
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  // ---- the messaging client (/messaging/) ----------------------------------------------------
  let app = null; // {threadId, view, pane, rows}
  async function messagingApp() {
    const m = /^\/messaging\/thread\/([^/]+)\/?/.exec(location.pathname);
    if (!m) {
      const d = await getJSON(dataUrl("/__li/data/conversations"));
      if (!d.conversations.length) return;
      history.replaceState(null, "", threadPath(d.conversations[0].threadId));
      return messagingApp();
    }
    const threadId = decodeURIComponent(m[1]);
    if (!app) {
      const rows = h("ul", { class: "list-style-none msg-conversations-container__conversations-list" });
      const pane = h("div", { class: "msg-convo-wrapper msg-thread", id: ember() });
      const main = h("main", { class: "msg-ui scaffold-layout__main", id: "main" },
        h("section", { class: "msg-conversations-container msg-conversations-container--inbox-shortcuts" }, rows), pane);
      outlet.replaceChildren(nav(), main);
      app = { threadId: null, view: null, pane, rows, list: null };
      await fillRows();
    }
    if (app.threadId === threadId) return;
    app.threadId = threadId;
    app.view?.stop();
    // LinkedIn re-creates the pane and its composer whole on a thread switch.
    const title = h("h2", { class: "msg-entity-lockup__entity-title", text: "" });
    const view = threadView(threadId, { onLoaded: (d) => (title.textContent = d.names) });
    app.view = view;
    app.pane.replaceChildren(
      h("div", { class: "msg-title-bar global-title-container" }, title),
      h("div", { class: "msg-s-message-list-container", style: "display:contents" }, view.list),
      view.form,
    );
    markActive();
  }

  async function fillRows() {
    const d = await getJSON(dataUrl("/__li/data/conversations"));
    app.list = d.conversations;
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting) fillRow(e.target);
    }, { root: null });
    app.rows.replaceChildren(
      ...d.conversations.map((c, i) => {
        const li = h("li", { class: "msg-conversation-listitem msg-conversations-container__convo-item", id: ember() });
        li.__conversation = c;
        if (i < 6) fillRow(li);
        else io.observe(li); // off-screen rows stay empty placeholders until scrolled to
        return li;
      }),
    );
    markActive();
  }

  function fillRow(li) {
    if (li.firstChild) return;
    const c = li.__conversation;
    const link = h(
      "div",
      { class: "msg-conversation-listitem__link msg-conversations-container__convo-item-link", tabindex: "0", role: "button" },
      h("label", { class: "msg-selectable-entity", "aria-label": `Select conversation with ${c.names}` }, h("input", { type: "checkbox", class: "visually-hidden" })),
      h("h3", { class: "msg-conversation-listitem__participant-names" }, h("span", { class: "truncate", text: c.names })),
      h("p", { class: "msg-conversation-card__message-snippet", text: c.snippet }),
      c.unread ? h("span", { class: "notification-badge", text: String(c.unread) }) : null,
    );
    const open = (ev) => {
      if (ev.type === "keydown" && ev.key !== "Enter") return;
      if (ev.target.closest("label")) return;
      history.pushState(null, "", threadPath(c.threadId)); // in-page: no load, no popstate
      route();
    };
    link.addEventListener("click", open);
    link.addEventListener("keydown", open);
    li.append(link);
    markActive();
  }

  function markActive() {
    if (!app) return;
    for (const li of app.rows.children) {
      li.classList.toggle("msg-conversations-container__convo-item--active", li.__conversation?.threadId === app.threadId);
    }
  }

  // ---- other pages: the feed and a profile, with a chat bubble -------------------------------
  function nav() {
    const link = (href, text, cls) =>
      h("a", {
        href: withAccount(href),
        class: cls,
        text,
        onclick: (ev) => {
          ev.preventDefault();
          history.pushState(null, "", withAccount(href)); // LinkedIn's client routes in-page
          route();
        },
      });
    return h("header", { class: "global-nav" }, link("/feed/", "in", "global-nav__logo"), link("/feed/", "Home", "global-nav__primary-link"), link("/messaging/", "Messaging", "global-nav__primary-link global-nav__primary-link-messaging"));
  }

  function otherPage() {
    const profile = /^\/in\/([^/]+)\/?$/.exec(location.pathname);
    if (profile) return profilePage(decodeURIComponent(profile[1]));
    const posts = ["Excited to share our quarterly update.", "We're hiring engineers who love Rust.", "Five lessons from a year of remote work."];
    outlet.replaceChildren(
      nav(),
      h("main", { class: "feed scaffold-layout__main" }, ...posts.map((p) => h("div", { class: "feed-shared-update-v2" }, h("p", { text: p })))),
    );
  }

  // ---- a profile (/in/<slug>/): LinkedIn's newer client (docs/linkedin-page.md, "Profile pages") --
  // Hashed class names and `componentkey`s, nothing to select by but structure: the top card is the
  // first section that wraps no other section (inside a wrapper section); the name in an h1; the
  // Message control an <a> to /messaging/compose/?profileUrn=urn:li:fsd_profile:<id>&recipient=<id>…
  // beside a "More" button; a second copy of it in a layout variant that is not displayed; a
  // sidebar (<aside>) whose cards carry other people's Message links. Text only via textContent.
  const hashed = () => Math.random().toString(16).slice(2, 10);
  function composeHref(profileId) {
    const u = new URLSearchParams();
    u.set("profileUrn", `urn:li:fsd_profile:${profileId}`);
    u.set("recipient", profileId);
    u.set("screenContext", "NON_SELF_PROFILE_VIEW");
    u.set("interop", "msgOverlay");
    return `/messaging/compose/?${u}`;
  }
  function messageLink(profileId) {
    return h("a", { href: composeHref(profileId), class: `${hashed()} sim-message`, "aria-disabled": "false", componentkey: hashed() },
      h("svg", { "aria-hidden": "true", width: "16", height: "16" }), h("span", { text: "Message" }));
  }
  async function profilePage(slug) {
    const main = h("main", { class: `${hashed()} scaffold-layout__main sim-profile`, id: "main" });
    outlet.replaceChildren(nav(), main);
    const d = await getJSON(dataUrl(`/__li/data/profile/${encodeURIComponent(slug)}`)).catch(() => ({ found: false }));
    if (!d.found) {
      main.append(h("section", { class: "sim-card" }, h("h1", { text: "This page doesn’t exist" }), h("p", { text: "Please check your URL or return to LinkedIn home." })));
      return;
    }
    const actions = h("div", { class: `${hashed()} sim-actions` });
    if (!d.self) actions.append(messageLink(d.profileId), h("button", { type: "button", class: `${hashed()} sim-more`, "aria-expanded": "false", text: "More" }));
    const topCard = h("section", { class: `${hashed()} sim-card sim-top-card`, componentkey: hashed() },
      h("div", { class: "sim-cover", "aria-hidden": "true" }),
      h("img", { class: "sim-avatar", alt: d.name, src: `/__sim/avatar/${encodeURIComponent(d.profileId)}.svg`, width: "120", height: "120" }),
      h("h1", { class: hashed(), text: d.name }),
      h("p", { class: `${hashed()} sim-headline`, text: d.headline }),
      h("p", { class: `${hashed()} sim-muted`, text: "· 1st" }),
      actions,
      // Another layout variant of the card's actions, not displayed (three Message links in the capture).
      d.self ? null : h("div", { class: hashed(), style: "display:none" }, messageLink(d.profileId)));
    const about = h("section", { class: `${hashed()} sim-card`, componentkey: hashed() },
      h("h2", { text: "About" }), h("p", { text: `${d.name.split(" ")[0]} builds things that last. Open to a conversation about distributed systems and good tools.` }));
    const aside = h("aside", { class: `${hashed()} sim-aside` },
      h("section", { class: `${hashed()} sim-card` }, h("h2", { text: "More profiles for you" }),
        ...d.others.map((o) => h("div", { class: "sim-person" },
          h("a", { href: withAccount(`/in/${encodeURIComponent(o.publicId)}/`), text: o.name }),
          h("p", { class: "sim-muted", text: o.headline }),
          messageLink(o.profileId)))));
    main.append(h("div", { class: "sim-profile-columns" }, h("div", { class: "sim-profile-main" }, h("section", { class: hashed(), componentkey: hashed() }, topCard), about), aside));
  }

  async function bubbleThread() {
    const want = params.get("bubbleThread");
    if (want) return want;
    const d = await getJSON(dataUrl("/__li/data/conversations"));
    return d.conversations[0]?.threadId;
  }

  function bubble(threadId) {
    const name = h("a", { href: "#", text: "" });
    const view = threadView(threadId, {
      onLoaded: (d) => {
        name.textContent = d.names;
        name.setAttribute("href", `/in/${d.profileId}/`);
      },
    });
    const dialog = h(
      "div",
      {
        class: "msg-overlay-conversation-bubble msg-overlay-conversation-bubble--is-active",
        role: "dialog",
        "aria-label": "Messaging",
        tabindex: "-1",
        "data-view-name": "message-overlay-conversation-bubble-item",
        "data-msg-overlay-conversation-bubble-is-minimized": "false",
        id: ember(),
      },
      h("header", { class: "msg-overlay-bubble-header" }, h("h2", {}, name)),
      h("div", { class: "msg-overlay-conversation-bubble__content-wrapper", style: "display:contents" }, view.list, view.form),
    );
    return { dialog, view };
  }

  const overlays = [];
  async function placeBubbles() {
    const placement = document.body.dataset.simBubble;
    const threadId = await bubbleThread();
    if (!threadId) return;
    const frameUrl = (role) => {
      const u = new URL("/preload/", location.origin);
      u.searchParams.set("_bprMode", "vanilla");
      if (account) u.searchParams.set("account", account);
      u.searchParams.set("bubbleThread", threadId);
      u.searchParams.set("role", role);
      if (document.documentElement.classList.contains("theme--dark")) u.searchParams.set("theme", "dark");
      return u.pathname + u.search;
    };
    if (placement === "light") {
      const { dialog, view } = bubble(threadId);
      const aside = h("aside", { id: "msg-overlay", class: "msg-overlay-container" }, dialog);
      document.body.append(aside);
      overlays.push({ node: aside, view });
    } else if (placement === "shadow") {
      const host = h("div", { id: "interop-outlet", "data-testid": "interop-shadowdom" });
      const root = host.attachShadow({ mode: "open" });
      const { dialog, view } = bubble(threadId);
      root.append(h("link", { rel: "stylesheet", href: "/__li/app.css" }), h("aside", { id: "msg-overlay", class: "msg-overlay-container" }, dialog));
      document.body.append(host);
      overlays.push({ node: host, view });
    } else if (placement === "iframe") {
      const frame = h("iframe", { class: "preload-frame", src: frameUrl("bubble"), "data-testid": "interop-iframe", title: "Messaging" });
      document.body.append(frame);
      overlays.push({ node: frame });
    }
    // LinkedIn's newer pages keep another copy of the messaging app in a frame nobody sees.
    const copy = h("iframe", { src: frameUrl("copy"), style: "display:none", "aria-hidden": "true", tabindex: "-1", "data-sim-copy": "" });
    document.body.append(copy);
    overlays.push({ node: copy });
  }
  function removeBubbles() {
    for (const o of overlays.splice(0)) {
      o.view?.stop();
      o.node.remove();
    }
  }

  async function preloadFrame() {
    const threadId = params.get("bubbleThread");
    if (!threadId) return;
    const { dialog } = bubble(threadId);
    outlet.replaceChildren(h("aside", { id: "msg-overlay", class: "msg-overlay-container" }, dialog));
  }

  // ---- the router ------------------------------------------------------------------------------
  let shown = null;
  async function route() {
    if (kind === "preload") return;
    const messaging = location.pathname.startsWith("/messaging");
    if (messaging) {
      if (shown !== "messaging") removeBubbles(); // the full client shows no bubbles
      shown = "messaging";
      await messagingApp();
    } else {
      app?.view?.stop();
      app = null;
      if (shown !== location.pathname) {
        const had = shown;
        shown = location.pathname;
        otherPage();
        if (had === null || had === "messaging") await placeBubbles();
      }
    }
  }
  addEventListener("popstate", () => route());
  if (kind === "preload") preloadFrame();
  else route();
})();
