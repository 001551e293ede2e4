// Reaching into the overlay's CLOSED shadow roots from a test, as a user would: through Chromium's
// DevTools protocol (which sees closed roots and same-origin frames), finding an element by a small
// selector language and then acting with REAL input (mouse and keyboard events the page receives
// as trusted). Page scripts can do neither; that is what the security tests show.
//
// Selector: whitespace-separated compound parts, each `tag[attr][attr=v][attr^=v][attr$=v][attr*=v]`,
// every space a descendant step that also crosses shadow roots and frames.
import path from "node:path";
import { WAIT, COMPOSE } from "./harness.mjs";

function parsePart(part) {
  const m = /^([a-zA-Z0-9*-]*)((?:\[[^\]]+\])*)$/.exec(part);
  if (!m) throw new Error(`bad selector part ${part}`);
  const attrs = [...m[2].matchAll(/\[([\w-]+)(?:([\^$*]?=)"?([^"\]]*)"?)?\]/g)].map(([, name, op, value]) => ({ name, op, value }));
  return { tag: m[1] && m[1] !== "*" ? m[1].toUpperCase() : null, attrs };
}
function splitSelector(sel) {
  const parts = [];
  let cur = "";
  let depth = 0;
  for (const ch of sel.trim()) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (cur) parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts.map(parsePart);
}
function matches(node, part) {
  if (node.nodeType !== 1) return false;
  if (part.tag && node.nodeName !== part.tag) return false;
  for (const a of part.attrs) {
    const v = node.attrs[a.name];
    if (v === undefined) return false;
    if (!a.op) continue;
    if (a.op === "=" && v !== a.value) return false;
    if (a.op === "^=" && !v.startsWith(a.value)) return false;
    if (a.op === "$=" && !v.endsWith(a.value)) return false;
    if (a.op === "*=" && !v.includes(a.value)) return false;
  }
  return true;
}

/** A driver for one page: `find`, `count`, `click`, `text`, `attr`, `setFiles`, `waitFor`, `call`. */
export async function closedDriver(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("DOM.enable");

  async function snapshot() {
    const { root } = await cdp.send("DOM.getDocument", { depth: -1, pierce: true });
    const all = [];
    const walk = (n, parent, frames) => {
      const attrs = {};
      for (let i = 0; i < (n.attributes?.length ?? 0); i += 2) attrs[n.attributes[i]] = n.attributes[i + 1];
      const node = { nodeId: n.nodeId, nodeType: n.nodeType, nodeName: n.nodeName, nodeValue: n.nodeValue, attrs, parent, frames, kids: [] };
      parent?.kids.push(node);
      all.push(node);
      for (const s of n.shadowRoots ?? []) walk(s, node, frames);
      for (const c of n.children ?? []) walk(c, node, frames);
      if (n.contentDocument) walk(n.contentDocument, node, [...frames, node]);
      return node;
    };
    walk(root, null, []);
    return all;
  }
  const ancestors = function* (n) {
    for (let p = n.parent; p; p = p.parent) yield p;
  };

  async function findAll(selector, { hasText } = {}) {
    const parts = splitSelector(selector);
    const all = await snapshot();
    return all.filter((n) => {
      if (!matches(n, parts[parts.length - 1])) return false;
      let i = parts.length - 2;
      for (const a of ancestors(n)) {
        if (i < 0) break;
        if (matches(a, parts[i])) i--;
      }
      if (i >= 0) return false;
      return hasText === undefined || textOf(n).includes(hasText);
    });
  }
  function textOf(n) {
    if (n.nodeType === 3) return n.nodeValue;
    return n.kids.map(textOf).join("");
  }

  async function center(node) {
    await cdp.send("DOM.scrollIntoViewIfNeeded", { nodeId: node.nodeId }).catch(() => {});
    const { model } = await cdp.send("DOM.getBoxModel", { nodeId: node.nodeId });
    const q = model.border;
    let x = (q[0] + q[2] + q[4] + q[6]) / 4;
    let y = (q[1] + q[3] + q[5] + q[7]) / 4;
    // (Quads of a same-process frame's node are already in the top viewport's coordinates.)
    return { x, y };
  }

  const api = {
    findAll,
    async find(selector, opts = {}) {
      const timeout = opts.timeout ?? WAIT;
      const deadline = Date.now() + timeout;
      for (;;) {
        const hits = await findAll(selector, opts).catch(() => []);
        if (hits.length) return hits[0];
        if (Date.now() > deadline) throw new Error(`not found within ${timeout} ms: ${selector}${opts.hasText ? ` with text ${opts.hasText}` : ""}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async count(selector, opts) {
      return (await findAll(selector, opts)).length;
    },
    async waitFor(selector, opts = {}) {
      if (opts.state === "detached") {
        const deadline = Date.now() + (opts.timeout ?? WAIT);
        while ((await findAll(selector, opts)).length) {
          if (Date.now() > deadline) throw new Error(`still present: ${selector}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        return null;
      }
      return api.find(selector, opts);
    },
    /** Hover the element (real mouse), e.g. a LinkedIn message to reveal its actions. */
    async hover(selector, opts = {}) {
      let n;
      let x;
      let y;
      for (let attempt = 0; ; attempt++) {
        n = await api.find(selector, opts);
        try {
          ({ x, y } = await center(n));
          break;
        } catch (e) {
          if (attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 100)); // re-rendered meanwhile: find it again
        }
      }
      if (opts.left) {
        const { model } = await cdp.send("DOM.getBoxModel", { nodeId: n.nodeId });
        await page.mouse.move(model.content[0] + opts.left, y);
      } else await page.mouse.move(x, y);
      // A LinkedIn message with Threadline's controls: a user sees the action bar appear before
      // clicking it, so wait for it as they would (it shows once the host is active).
      if (n.kids.some((k) => k.attrs?.["data-threadline-host"] === "message")) {
        await api.find(`${selector} [data-threadline-host=message][data-threadline-active]`, opts);
      }
      return n;
    },
    /** Click with the real mouse at the element's center (a trusted event). */
    async click(selector, opts) {
      for (let attempt = 0; ; attempt++) {
        const n = await api.find(selector, opts);
        try {
          const { x, y } = await center(n);
          await page.mouse.click(x, y);
          return n;
        } catch (e) {
          if (attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 100)); // re-rendered meanwhile: find it again
        }
      }
    },
    /** Focus the element (as keyboard navigation would land on it). */
    async focus(selector, opts) {
      const n = await api.find(selector, opts);
      await cdp.send("DOM.focus", { nodeId: n.nodeId });
      return n;
    },
    /** A computed style property of the element. */
    async style(selector, prop, opts) {
      const n = await api.find(selector, opts);
      await cdp.send("CSS.enable").catch(() => {});
      const { computedStyle } = await cdp.send("CSS.getComputedStyleForNode", { nodeId: n.nodeId });
      return computedStyle.find((p) => p.name === prop)?.value;
    },
    async text(selector, opts) {
      return textOf(await api.find(selector, opts));
    },
    async attr(selector, name, opts) {
      return (await api.find(selector, opts)).attrs[name];
    },
    async setFiles(selector, files) {
      const n = await api.find(selector);
      await cdp.send("DOM.setFileInputFiles", { nodeId: n.nodeId, files });
    },
    /**
     * Runs `fn` with the element as `this` inside the page (a closed root's node too), returning
     * its JSON value: reading state (`:popover-open`, a bounding box) no page script could reach.
     */
    async call(selector, fn, opts) {
      let object;
      for (let attempt = 0; !object; attempt++) {
        const n = await api.find(selector, opts);
        try {
          ({ object } = await cdp.send("DOM.resolveNode", { nodeId: n.nodeId }));
        } catch (e) {
          if (attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 100)); // re-rendered meanwhile: find it again
        }
      }
      const { result, exceptionDetails } = await cdp.send("Runtime.callFunctionOn", {
        objectId: object.objectId,
        functionDeclaration: fn.toString(),
        returnByValue: true,
        awaitPromise: true,
      });
      await cdp.send("Runtime.releaseObject", { objectId: object.objectId }).catch(() => {});
      if (exceptionDetails) throw new Error(`call on ${selector}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
      return result.value;
    },
    detach: () => cdp.detach().catch(() => {}),
  };
  return api;
}

/** Types in LinkedIn's composer (real keys), then sends it with Threadline's control. */
export async function sendThroughComposer(page, d, { text, subject, channel, files = [], scope = "", box = null }) {
  await (box ?? page.locator(`${scope} .msg-form__contenteditable`.trim()).first()).click();
  await page.keyboard.type(text);
  await d.click(`${scope} ${COMPOSE} [data-threadline-action=options]`.trim());
  const form = `${scope} ${COMPOSE} [data-threadline-send-form]`.trim();
  const deadline = Date.now() + WAIT;
  while ((await d.attr(form, "hidden")) !== undefined) {
    if (Date.now() > deadline) throw new Error("the send options did not open");
    await new Promise((r) => setTimeout(r, 50));
  }
  if (channel) await d.click(`${scope} ${COMPOSE} [data-threadline-channel=${channel}]`.trim());
  if (subject) {
    await d.click(`${scope} ${COMPOSE} [data-threadline-field=subject]`.trim());
    await page.keyboard.type(subject);
  }
  if (files.length) {
    await d.setFiles(`${scope} ${COMPOSE} [data-threadline-field=file]`.trim(), files);
    for (const f of files) await d.find(`${scope} ${COMPOSE} [data-threadline-attachment^=urn:li:digitalmediaAsset]`.trim(), { hasText: path.basename(f) });
  }
  await d.click(`${scope} ${COMPOSE} [data-threadline-action=send]`.trim());
}

