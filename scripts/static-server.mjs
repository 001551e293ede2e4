// A minimal static file server for benches and browser tests: serves a folder on loopback with
// the right MIME types (application/wasm matters: it lets the browser stream-compile).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** Serve `root` on 127.0.0.1 (port 0 = any free one); resolves to { url, close }. `isolated`:
 * every answer says COOP same-origin and COEP require-corp, so pages are cross-origin isolated
 * (`performance.now()` then counts in 5 µs steps rather than 100 µs). `cacheWasm`: `.wasm` files
 * are served `cache-control: max-age=3600`, as a deployed site serves its assets, so a reload takes
 * the module from the browser's HTTP cache (and Chromium's compiled-code cache, which only a
 * cacheable response gets); everything else, and by default the module too, is fetched afresh. */
export function serveStatic(root, port = 0, { isolated = false, cacheWasm = false } = {}) {
  const base = path.resolve(root);
  const server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(base, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const isolation = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
      const cache = cacheWasm && file.endsWith(".wasm") ? { "cache-control": "max-age=3600" } : {};
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", ...isolation, ...cache });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}`, close: () => server.close() });
    });
  });
}
