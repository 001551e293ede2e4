// The demo inbox's one DOM helper (www/inbox.js; the keyed-rendering bench, tests/bench/render.js,
// measures it as it is): an element with its properties, text through `textContent` (never HTML),
// and its children. No imports, so a page without the demo's import map can load it.

/** `tag` with `props` (`text`, `class`, data-/aria-/role/title attributes, `on…` listeners, an
 * `href` only when http(s), other properties) and `children` (null, undefined and false left out). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "title") {
      node.setAttribute(k, v === true ? "" : String(v));
    } else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    // A link only to an http(s) URL (an attachment's): the engine keeps no other, and a
    // `javascript:` one would run in this page when clicked.
    else if (k === "href" && !/^https?:\/\//i.test(String(v))) continue;
    else node[k] = v;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}
