// "Message with Threadline" on a LinkedIn profile page (`/in/<slug>/`): a compact composer that
// starts a conversation with the person the page shows (ThreadlineComposer.NewConversation, the
// compose form of the reply panel). It depends on as little of the page as it can
// (docs/linkedin-page.md, "Profile pages"): the URL always; a profile URN only when every rendered
// Message link of the top card is LinkedIn's own compose link (the page's origin, its exact path)
// and names the same `urn:li:fsd_profile:…` (the page's own id, on a page reached by id); that link
// only to sit beside it. A card may carry links its member chose: one that merely looks like a
// compose link leaves the URN unknown, and the slug of the URL is what is sent. Without a link the control is a fixed one of its own; a page whose path is not a profile gets
// nothing. Top frame only; its UI lives in a CLOSED shadow root; it acts only on trusted input.
(() => {
  if (globalThis.__threadlineProfile || window !== window.top) return;
  globalThis.__threadlineProfile = true;
  const S = globalThis.ThreadlineSelectors;
  const C = globalThis.ThreadlineComposer;
  const { el, t } = C;
  const HOST = "data-threadline-host";

  const CSS = `
    :host { all: initial; font: 12px/1.35 -apple-system, system-ui, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: rgba(0,0,0,.9); }
    ${C.DARK_CSS}
    ${C.CSS}
    .open { border-radius: 16px; padding: 5px 14px; font-weight: 600; color: var(--tl-accent, #0a66c2); border-color: var(--tl-accent, #0a66c2); line-height: 20px; }
    :host([data-threadline-placement="fixed"]) .open { box-shadow: 0 2px 8px var(--tl-shadow, rgba(0,0,0,.2)); background: var(--tl-card, #fff); }
    .pop { position: fixed; inset: auto; margin: 0; width: 340px; max-width: calc(100vw - 24px); overflow: auto; box-sizing: border-box; background: var(--tl-card, #fff); border: 0; border-radius: 8px; padding: 12px; box-shadow: 0 0 0 1px var(--tl-ring, rgba(0,0,0,.12)), 0 6px 20px var(--tl-shadow, rgba(0,0,0,.22)); color: var(--tl-fg, rgba(0,0,0,.9)); font: inherit; }
    .pop h3 { margin: 0 0 4px; font-size: 14px; padding-right: 24px; }
    .close { position: absolute; top: 8px; right: 8px; border: 0; border-radius: 50%; width: 24px; height: 24px; padding: 0; }
  `;

  /** The person this page shows, or null when the page is not a profile. */
  function profileOnPage() {
    const m = S.profilePath.exec(location.pathname);
    if (!m) return null;
    let slug;
    try {
      slug = decodeURIComponent(m[1]);
    } catch {
      return null;
    }
    if (!slug || /[\s/?#]/.test(slug)) return null;
    const main = document.querySelector(S.profileMain);
    const sections = main ? [...main.querySelectorAll(S.profileSection)] : [];
    // The top card: the first rendered section that wraps no other section, outside the sidebar.
    const card = sections.find((s) => rendered(s) && !s.closest(S.profileSidebar) && !s.querySelector(S.profileSection)) ?? null;
    const links = card ? [...card.querySelectorAll(S.profileMessageLink)].filter((a) => rendered(a) && !a.closest(S.profileSidebar)) : [];
    const pageId = S.profileIdValue.test(slug) ? slug : null;
    const urns = links.map((a) => linkUrn(a, pageId));
    const urn = urns.length && urns.every((u) => u && u === urns[0]) ? urns[0] : null;
    const heading = card ? [...card.querySelectorAll(S.profileName)].find(rendered) : null;
    const name = (heading?.textContent ?? "").replace(/\s+/g, " ").trim().slice(0, 120);
    return { slug, urn, name: urn ? name : "", anchor: urn ? links[0] : null };
  }

  /**
   * The profile URN a Message link names, else null: only a link to LinkedIn's own compose page
   * (the page's origin, exactly `/messaging/compose/`) with one `profileUrn`, `recipient` (when
   * there) the same id, and that id the page's own when the page names one (`pageId`).
   */
  function linkUrn(a, pageId) {
    const u = C.ownUrl(a);
    if (!u || u.pathname !== S.composePath) return null;
    const urns = u.searchParams.getAll(S.profileUrnParam);
    const recipients = u.searchParams.getAll(S.profileRecipientParam);
    const m = urns.length === 1 ? S.profileUrnValue.exec(urns[0]) : null;
    if (!m || recipients.length > 1 || (recipients.length === 1 && recipients[0] !== m[1])) return null;
    return pageId === null || m[1] === pageId ? urns[0] : null;
  }

  function rendered(node) {
    if (typeof node.checkVisibility === "function") return node.checkVisibility();
    return node.getClientRects().length > 0;
  }

  // ---- the control ----------------------------------------------------------------------------
  let shown = null; // {key, host, root, toggle, pop, composer, anchor}

  function build(p) {
    const host = el("div", { [HOST]: "profile", "data-threadline-recipient-kind": p.urn ? "urn" : "slug" });
    C.followTheme(host);
    const root = host.attachShadow({ mode: "closed" });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el("style", { text: CSS }));
    }
    // In the top layer (popover): never clipped by LinkedIn's cards, placed by the control. The
    // composer (and its port to the background) is made on the first open, not on every profile.
    const pop = el("div", { class: "pop", popover: "manual", role: "dialog", "aria-label": t("profileComposerTitle"), "data-threadline-new-conversation": "" },
      el("button", { type: "button", class: "close", "data-threadline-action": "close", "aria-label": t("composeClose"), text: "✕", onclick: () => toggle(false) }));
    const button = el("button", { type: "button", class: "open", "data-threadline-action": "message", "aria-haspopup": "dialog", "aria-expanded": "false", text: t("profileButton"), onclick: () => toggle() });
    pop.addEventListener("keydown", C.trusted((ev) => {
      if (ev.key === "Escape") {
        toggle(false);
        button.focus();
      }
    }));
    root.append(button, pop);
    const s = { slug: p.slug, recipient: { urn: p.urn, slug: p.slug, name: p.name }, host, root, button, pop, composer: null };
    function toggle(open = !pop.matches(":popover-open")) {
      if (open) {
        if (!s.composer) {
          s.composer = new C.NewConversation({ recipient: s.recipient, title: t("profileComposerTitle"), onChange: () => place() });
          pop.append(s.composer.node);
        }
        pop.showPopover();
        place();
        queueMicrotask(() => s.composer.c.text.focus());
      } else if (pop.matches(":popover-open")) pop.hidePopover();
      button.setAttribute("aria-expanded", String(open));
      host.toggleAttribute("data-threadline-open", open);
    }
    /**
     * Below the control, or above it where there is more room (a control at the bottom); never
     * over it: taller than the room, it scrolls.
     */
    function place() {
      if (!pop.matches(":popover-open")) return;
      const r = button.getBoundingClientRect();
      const w = pop.offsetWidth;
      const left = Math.max(12, Math.min(r.left, innerWidth - w - 12));
      const roomBelow = innerHeight - r.bottom - 18;
      const roomAbove = r.top - 18;
      const below = roomBelow >= pop.scrollHeight || roomBelow >= roomAbove;
      const room = Math.max(120, below ? roomBelow : roomAbove);
      pop.style.maxHeight = `${room}px`;
      const h = Math.min(pop.scrollHeight, room);
      pop.style.left = `${left}px`;
      pop.style.top = `${below ? r.bottom + 6 : r.top - 6 - h}px`;
    }
    s.place = place;
    return s;
  }

  function remove() {
    if (!shown) return;
    shown.composer?.close();
    shown.host.remove();
    shown = null;
  }

  /** A profile seen without a Message link: when, so the fixed control waits for the page to render. */
  let bare = null; // {slug, since}
  const SETTLE_MS = 1500;

  function update() {
    const p = profileOnPage();
    if (!p) {
      bare = null;
      return remove();
    }
    if (shown && shown.slug !== p.slug) remove();
    if (!shown && !p.anchor) {
      // LinkedIn renders the top card after load: a fixed control only once it has had the time
      // to show its Message link, so the control does not jump (nor vanish while in use).
      if (bare?.slug !== p.slug) bare = { slug: p.slug, since: Date.now() };
      const wait = bare.since + SETTLE_MS - Date.now();
      if (wait > 0) return void setTimeout(queue, wait);
    }
    if (!shown) shown = build(p);
    const { host } = shown;
    const r = shown.recipient;
    if (r.urn !== p.urn || r.name !== p.name) {
      // The page now names the person (or no longer does): the same control and composer, told.
      Object.assign(r, { urn: p.urn, name: p.name });
      host.setAttribute("data-threadline-recipient-kind", p.urn ? "urn" : "slug");
      shown.composer?.render();
    }
    const open = shown.pop.matches(":popover-open");
    if (p.anchor) {
      // Right after LinkedIn's Message link, before its "More" button.
      if (host.previousElementSibling !== p.anchor) p.anchor.after(host);
      host.setAttribute("data-threadline-placement", "beside");
      host.style.cssText = "display:inline-block;vertical-align:middle;margin-left:4px";
    } else {
      if (host.parentNode !== document.body) document.body.append(host);
      host.setAttribute("data-threadline-placement", "fixed");
      host.style.cssText = "display:block;position:fixed;left:16px;bottom:16px;z-index:2147483000";
    }
    // Moving the control closes its popover (it left the document for a moment): open it again.
    if (open && !shown.pop.matches(":popover-open")) shown.pop.showPopover();
    shown.place();
  }

  // ---- watching the page ----------------------------------------------------------------------
  let queued = false;
  function queue() {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      update();
    }, 100);
  }
  new MutationObserver((records) => {
    // Our own host moving is not LinkedIn re-rendering.
    if (records.every((r) => r.target.closest?.(`[${HOST}]`) || [...r.addedNodes, ...r.removedNodes].every((n) => n.nodeType === 1 && n.hasAttribute?.(HOST)))) return;
    queue();
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["style", "hidden", "class", "href"] });
  C.onRouteChange(queue);
  addEventListener("resize", () => shown?.place(), { passive: true });
  addEventListener("scroll", () => shown?.place(), { passive: true, capture: true });
  update();
})();
