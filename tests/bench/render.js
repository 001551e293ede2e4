// Keyed-rendering bench page (figures, no assertions), driven by scripts/bench-render.mjs. Each
// candidate renders the same 200-message list (one <li> per message: sender, time, text, three
// buttons whose handlers are wrapped like the extension's `trusted()`), from fresh objects on every
// render as the engine's views are. The driver calls `window.renderBench.*` step by step so that it
// can move the real mouse between steps (hover). Candidates are loaded from /.tmp/render-cands/<name>/
// (symlinks the driver makes); the ones missing there are skipped.
import { el } from "../../www/dom.js";

const N = 200;
const base = Array.from({ length: N }, (_, i) => ({
  id: `m${i}`,
  sender: i % 3 ? "Ada Lovelace" : "You",
  text: `Message number ${i}: a line of text of a usual length for a chat message.`,
  sentAt: 1_700_000_000_000 + i * 60_000,
}));
const clone = (items) => items.map((m) => ({ ...m }));
/** The three updates measured: one message changed, one added at the end, one recalled in the middle. */
const OPS = {
  changed: () => clone(base).map((m) => (m.id === "m100" ? { ...m, text: `${m.text} (edited)` } : m)),
  added: () => [...clone(base), { id: `m${N}`, sender: "Ada Lovelace", text: "A new one at the end.", sentAt: 1_800_000_000_000 }],
  recalled: () => clone(base).filter((m) => m.id !== "m100"),
};
const trusted = (fn) => (e) => { if (e.isTrusted) fn(e); };
const noop = () => {};
const time = (ms) => new Date(ms).toISOString().slice(11, 16);

// ---- the candidates: each is mount(container) → update(items) ----------------------------------

/** Today's demo code before udomdiff (www/dom.js `el`, imported; www/inbox.js's `reconcile` as it was,
 * copied: the demo no longer has it) with a JSON signature. */
function reconcile(container, items, keyOf, sigOf, build) {
  const cache = (container.threadlineNodes ??= new Map());
  const next = new Map();
  const nodes = items.map((item, i) => {
    const key = keyOf(item, i);
    const sig = sigOf(item, i);
    const old = cache.get(key);
    const node = old && old.sig === sig ? old.node : build(item, i);
    next.set(key, { node, sig });
    return node;
  });
  container.threadlineNodes = next;
  nodes.forEach((node, i) => {
    if (container.children[i] !== node) container.insertBefore(node, container.children[i] ?? null);
  });
  while (container.children.length > nodes.length) container.lastElementChild.remove();
}
const elMessage = (m) => el("li", { "data-key": m.id, class: "msg" },
  el("span", { class: "sender", text: m.sender }),
  el("time", { class: "time", text: time(m.sentAt) }),
  el("p", { class: "text", text: m.text }),
  el("div", { class: "actions" },
    el("button", { type: "button", text: "👍", onclick: trusted(noop) }),
    el("button", { type: "button", text: "Reply", onclick: trusted(noop) }),
    el("button", { type: "button", text: "Recall", onclick: trusted(noop) })));

const CANDIDATES = {
  "hand-written": async () => (ul) => (items) =>
    reconcile(ul, items, (m) => m.id, (m) => JSON.stringify(m), elMessage),

  "el + udomdiff": async () => {
    const { default: udomdiff } = await import("/.tmp/render-cands/udomdiff/esm/index.js");
    return (ul) => {
      let cache = new Map();
      let nodes = [];
      return (items) => {
        const next = new Map();
        const now = items.map((m) => {
          const sig = JSON.stringify(m);
          const old = cache.get(m.id);
          const node = old && old.sig === sig ? old.node : elMessage(m);
          next.set(m.id, { node, sig });
          return node;
        });
        nodes = udomdiff(ul, nodes, now, (o) => o, null);
        cache = next;
      };
    };
  },

  preact: async () => {
    const { h, render } = await import("/.tmp/render-cands/preact/dist/preact.module.js");
    const vnode = (m) => h("li", { key: m.id, "data-key": m.id, class: "msg" },
      h("span", { class: "sender" }, m.sender),
      h("time", { class: "time" }, time(m.sentAt)),
      h("p", { class: "text" }, m.text),
      h("div", { class: "actions" },
        h("button", { type: "button", onClick: trusted(noop) }, "👍"),
        h("button", { type: "button", onClick: trusted(noop) }, "Reply"),
        h("button", { type: "button", onClick: trusted(noop) }, "Recall")));
    return (ul) => (items) => render(items.map(vnode), ul);
  },

  "lit-html": async () => {
    const { html, render } = await import("/.tmp/render-cands/lit-html/lit-html.js");
    const { repeat } = await import("/.tmp/render-cands/lit-html/directives/repeat.js");
    const item = (m) => html`<li data-key=${m.id} class="msg"><span class="sender">${m.sender}</span><time class="time">${time(m.sentAt)}</time><p class="text">${m.text}</p><div class="actions"><button type="button" @click=${trusted(noop)}>👍</button><button type="button" @click=${trusted(noop)}>Reply</button><button type="button" @click=${trusted(noop)}>Recall</button></div></li>`;
    return (ul) => (items) => render(repeat(items, (m) => m.id, item), ul);
  },

  uhtml: async () => {
    const { html, render } = await import("/.tmp/render-cands/uhtml/dist/prod/dom.js");
    const item = (m) => html`<li key=${m.id} data-key=${m.id} class="msg"><span class="sender">${m.sender}</span><time class="time">${time(m.sentAt)}</time><p class="text">${m.text}</p><div class="actions"><button type="button" onclick=${trusted(noop)}>👍</button><button type="button" onclick=${trusted(noop)}>Reply</button><button type="button" onclick=${trusted(noop)}>Recall</button></div></li>`;
    return (ul) => (items) => render(ul, html`${items.map(item)}`);
  },
};

// ---- the steps the driver calls ------------------------------------------------------------------

let current = null; // { update, ul, before: Map key → node, focused }
const box = () => document.getElementById("box");
const keyed = (ul) => new Map([...ul.querySelectorAll("li[data-key]")].map((li) => [li.dataset.key, li]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

window.renderBench = {
  names: (have) => Object.keys(CANDIDATES).filter((n) => n === "hand-written" || have.includes(n.replace("el + ", ""))),

  /** Renders the base list into a fresh scroll box; returns the time of that first render. */
  async mount(name) {
    const ul = document.createElement("ul");
    box().replaceChildren(ul);
    const update = (await CANDIDATES[name]())(ul);
    const t0 = performance.now();
    update(clone(base));
    void ul.offsetHeight;
    const first = performance.now() - t0;
    current = { update, ul };
    return { first, count: ul.children.length };
  },

  /** Mean and median of `runs` updates base → op (each preceded by an untimed render of base). */
  timeOp(op, runs) {
    const { update, ul } = current;
    const samples = [];
    for (let i = 0; i < runs; i++) {
      update(clone(base));
      void ul.offsetHeight;
      const next = OPS[op]();
      const t0 = performance.now();
      update(next);
      void ul.offsetHeight; // style and layout of what changed belong to the cost
      samples.push(performance.now() - t0);
    }
    update(clone(base));
    return { mean: samples.reduce((a, b) => a + b, 0) / runs, median: median(samples) };
  },

  /** Back to base, scrolled to the middle, focus on message 125's first button; returns the point to hover (message 120). */
  prepare() {
    const { update, ul } = current;
    update(clone(base));
    box().scrollTop = 0;
    const li = keyed(ul).get("m120");
    li.scrollIntoView({ block: "center" });
    ul.querySelector('li[data-key="m125"] button')?.focus({ preventScroll: true });
    current.before = keyed(ul);
    current.focused = document.activeElement;
    const r = li.getBoundingClientRect();
    current.top = r.top;
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  },

  /** Applies op and says what survived: node identity of the untouched messages, focus, hover, scroll. */
  async check(op) {
    const { update, ul, before } = current;
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200)));
    await frame(); // the pointer the driver just moved is under m120 once the browser has updated :hover
    const hovered = before.get("m120").matches(":hover");
    update(OPS[op]());
    void ul.offsetHeight;
    // The browser updates :hover (and scroll anchoring) at its next frames.
    await frame();
    const after = keyed(ul);
    let kept = 0;
    let untouched = 0;
    for (const [key, node] of before) {
      if (key === "m100") continue; // the one changed / recalled
      untouched++;
      if (after.get(key) === node) kept++;
    }
    const expected = OPS[op]().length;
    return {
      kept: `${kept}/${untouched}`,
      focus: document.activeElement === current.focused && current.focused.isConnected,
      hoverBefore: hovered,
      hover: hovered && !!after.get("m120")?.matches(":hover") && after.get("m120") === before.get("m120"),
      // The message under the pointer stays where it was on screen (scroll anchoring needs the
      // nodes above it kept: moved nodes defeat it).
      scroll: Math.abs((after.get("m120")?.getBoundingClientRect().top ?? -1e9) - current.top) < 1,
      count: ul.children.length === expected,
    };
  },
};
