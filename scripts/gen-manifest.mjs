// Writes a built extension's manifest.json from extension/manifest.json: the version from the
// crate, and the API host's permission for the given base URL (and nothing broader).
// Usage: node scripts/gen-manifest.mjs SRC_MANIFEST OUT_MANIFEST BASE_URL VERSION
import { readFile, writeFile } from "node:fs/promises";

const [src, out, baseUrl, version] = process.argv.slice(2);
const url = new URL(baseUrl);
if (url.protocol !== "https:" && !(url.protocol === "http:" && ["127.0.0.1", "localhost"].includes(url.hostname))) {
  throw new Error(`API base URL must be https (or http on loopback): ${baseUrl}`);
}
const manifest = JSON.parse(await readFile(src, "utf8"));
manifest.version = version;
// Match patterns carry no port: the host is enough (Chrome and Firefox ignore ports in them).
const apiHost = `${url.protocol}//${url.hostname}/*`;
manifest.host_permissions = manifest.host_permissions.map((p) => (p === "API_HOST_PERMISSION" ? apiHost : p));
await writeFile(out, JSON.stringify(manifest, null, 2) + "\n");
console.log(`manifest: version ${version}, host permissions ${manifest.host_permissions.join(", ")}`);
