// Shared by the boundary tests and the engine soak: the built package (pkg/, or THREADLINE_PKG),
// a simulator of our own on loopback, hostile values, and a seeded random generator.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PKG = path.resolve(process.env.THREADLINE_PKG ?? path.join(ROOT, "pkg"));

/** The package's Node entry, initialised. */
export async function loadPkg() {
  const m = await import(pathToFileURL(path.join(PKG, "node.js")).href);
  await m.init();
  return m;
}

/** threadline-sim on a free loopback port (THREADLINE_SIM_BIN names another binary). */
export async function startSim(apiKey = "dev") {
  const bin = process.env.THREADLINE_SIM_BIN ?? path.join(ROOT, "target/debug/threadline-sim");
  if (!existsSync(bin)) throw new Error(`${bin} missing: cargo build -p threadline-sim`);
  const child = spawn(bin, ["--port", "0", "--api-key", apiKey], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${out}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`simulator exited ${code}: ${out}`)));
  });
  const control = async (method, route, body) => {
    const res = await fetch(`${url}/__sim/${route}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} /__sim/${route}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    apiKey,
    control,
    reset: () => control("POST", "reset", {}),
    requests: () => control("GET", "requests"),
    fault: (spec) => control("POST", "faults", spec),
    clearFaults: () => control("DELETE", "faults"),
    snapshot: () => control("GET", "snapshot"),
    stop: () => child.kill(),
  };
}

/** mulberry32: a small seeded generator, so a red run replays exactly. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[next.int(list.length)];
  return next;
}

/** A getter that throws. */
export function throwingGetter(key = "baseUrl", error = () => new Error("getter boom")) {
  return Object.defineProperty({}, key, { enumerable: true, get() { throw error(); } });
}

/** A Proxy whose every trap throws. */
export function throwingProxy(target = {}) {
  const boom = () => { throw new Error("trap boom"); };
  return new Proxy(target, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, has: boom, getPrototypeOf: boom });
}

/** A revoked Proxy (every operation on it throws, even Array.isArray). */
export function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** `{x: {x: … }}` `depth` levels deep. */
export function deep(depth) {
  let v = {};
  for (let i = 0; i < depth; i++) v = { x: v };
  return v;
}

/** An object that contains itself. */
export function cyclic() {
  const o = { a: 1 };
  o.self = o;
  return o;
}

/** An Error whose `cause` is itself; one with a `depth`-long cause chain; one whose message throws. */
export function selfCause() {
  const e = new Error("self");
  e.cause = e;
  return e;
}
export function causeChain(depth) {
  let e = new Error("root");
  for (let i = 0; i < depth; i++) e = new Error(`level ${i}`, { cause: e });
  return e;
}
export function throwingMessage() {
  const e = new Error("hidden");
  Object.defineProperty(e, "message", { get() { throw new Error("message getter boom"); } });
  return e;
}

/** Resolves with the promise's outcome, or "pending" if it has not settled after `ms`. */
export async function settlesWithin(promise, ms) {
  let timer;
  const pending = new Promise((r) => (timer = setTimeout(() => r({ state: "pending" }), ms)));
  const outcome = Promise.resolve(promise).then(
    (value) => ({ state: "fulfilled", value }),
    (error) => ({ state: "rejected", error }),
  );
  try {
    return await Promise.race([outcome, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An opener of engines for one test file: memory storage, no realtime, a 2 s timeout, each engine
 * on a store key of its own (`<name>-<pid>-<n>`); `extra` overrides. `pkg()` and `simulator()`
 * are asked when an engine opens (a file loads them in `before`).
 */
export function memoryEngines(name, pkg, simulator) {
  let n = 0;
  return (extra = {}) =>
    pkg().ThreadlineEngine.open({
      baseUrl: simulator().url,
      apiKey: "dev",
      storage: "memory",
      storageKey: `${name}-${process.pid}-${n++}`,
      realtime: false,
      timeoutMs: 2000,
      ...extra,
    });
}

/** Runs `call` and gives what it threw or rejected with (undefined if it succeeded). */
export async function failure(call) {
  try {
    await call();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** A storage adapter over a Map; `failSet()` decides per call whether `set` rejects. */
export function mapStorage(map = new Map(), { failSet = () => false, failGet = () => false } = {}) {
  return {
    map,
    writes: 0,
    failed: 0,
    async get(k) {
      if (failGet()) throw new Error("storage get failed");
      return map.get(k);
    },
    async set(k, v) {
      this.writes++;
      if (failSet(k)) {
        this.failed++;
        throw new Error("QuotaExceededError: storage full");
      }
      map.set(k, v);
    },
    async remove(k) {
      map.delete(k);
    },
  };
}

export const SEED_IDS = {
  ada: "65f1a0c0ffee000000000a01",
  longThread: "2-c2ltLWxvbmctdGhyZWFkPz9hZGE+PmxpbnVzfn5oaXN0b3J5XzE1MA==",
  recallable: "2-+/++IHNpbSByZWNhbGxhYmxlIG1zZyAxPg==",
};
export const PROFILE_ADA = "ACoAAAda1Lovelace_SimMailbox-0000000A01";
export const conversationUrn = (id) => `urn:li:msg_conversation:(urn:li:fsd_profile:${PROFILE_ADA},${id})`;
export const messageUrn = (id) => `urn:li:msg_message:(urn:li:fsd_profile:${PROFILE_ADA},${id})`;
