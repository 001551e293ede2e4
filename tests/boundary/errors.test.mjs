// The generated error vocabulary (npm/errors.js, from tests/error_codes.rs) at the JS boundary:
// its guards never throw whatever they are handed, `instanceof` holds across realms by name and
// code and never for look-alikes, and errorToData/errorFromData keep each kind's fields.
// Run: node --expose-gc --test tests/boundary/ (THREADLINE_PKG=dir to test another build).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { loadPkg, throwingProxy, revokedProxy } from "./lib.mjs";

let m;
before(async () => {
  m = await loadPkg();
});

test("guards and errorToData never throw, whatever they get", () => {
  const hostile = [
    throwingProxy(),
    revokedProxy(),
    new Proxy(new Error("x"), { get() { throw new Error("boom"); } }),
    Object.create(null),
    null,
    undefined,
    42,
    "text",
    Symbol("s"),
  ];
  for (const value of hostile) {
    for (const guard of [m.isApiError, m.isUrnError, m.isThreadlineError, m.isRefusal]) {
      assert.equal(guard(value), false);
    }
    const data = m.errorToData(value);
    assert.equal(typeof data.name, "string");
    assert.equal(typeof data.message, "string");
    assert.doesNotThrow(() => structuredClone(data));
  }
});

test("instanceof holds for errors of another realm by name and code, never for look-alikes", () => {
  const foreign = vm.runInNewContext(
    'Object.assign(new Error("f"), { name: "ApiError", code: "timeout", ambiguous: true })',
  );
  assert.ok(!(foreign instanceof Error), "another realm");
  assert.ok(foreign instanceof m.ApiError && m.isApiError(foreign));
  assert.ok(!(foreign instanceof m.ThreadlineError));
  const lookAlikes = [
    { name: "ApiError", code: "timeout", message: "plain data" },
    Object.assign(new Error("x"), { name: "ApiError", code: "no_such_code" }),
    Object.assign(new Error("x"), { name: "ApiError" }),
    Object.assign(new Error("x"), { name: "UrnError", code: "timeout" }),
  ];
  for (const v of lookAlikes) assert.ok(!(v instanceof m.ApiError) && !(v instanceof m.UrnError), JSON.stringify(v));
  // Subclasses keep ordinary instanceof.
  class Mine extends m.ApiError {}
  assert.ok(new Mine("timeout", "m") instanceof m.ApiError);
  assert.ok(!(new m.ApiError("timeout", "m") instanceof Mine));
});

test("every code list is frozen and each class takes exactly its codes", () => {
  for (const list of [m.API_ERROR_CODES, m.URN_ERROR_CODES, m.REFUSAL_CODES, m.THREADLINE_ERROR_CODES]) {
    assert.ok(Object.isFrozen(list) && list.length > 0);
  }
  for (const code of m.API_ERROR_CODES) {
    assert.ok(m.errorFromData({ name: "ApiError", code, message: "" }) instanceof m.ApiError);
  }
  for (const code of m.REFUSAL_CODES) {
    const e = m.errorFromData({ name: "ThreadlineError", code, message: "", refusal: { code } });
    assert.ok(m.isRefusal(e) && e.refusal.code === code);
  }
  for (const code of m.PACKAGE_ERROR_CODES) {
    const e = m.errorFromData({ name: "ThreadlineError", code, message: "" });
    assert.ok(e instanceof m.ThreadlineError && !m.isRefusal(e));
  }
});

test("errorToData and errorFromData keep each kind's fields and nothing else", () => {
  const api = new m.ApiError("rate_limited", "slow down", {
    status: 429, retryAfterMs: 1500, rateLimit: { limit: 60, remaining: 0 }, ambiguous: false,
  });
  const data = m.errorToData(api);
  assert.deepEqual(data, {
    name: "ApiError", message: "slow down", code: "rate_limited", status: 429, retryAfterMs: 1500,
    rateLimit: { limit: 60, remaining: 0 }, ambiguous: false,
  });
  const back = m.errorFromData(structuredClone(data));
  assert.ok(back instanceof m.ApiError && back.retryAfterMs === 1500 && back.rateLimit.remaining === 0);

  const urn = m.errorFromData(m.errorToData(new m.UrnError("unbalanced", "(", { offset: 7 })));
  assert.ok(urn instanceof m.UrnError && urn.offset === 7);

  const type = m.errorFromData(m.errorToData(Object.assign(new TypeError("bad"), { code: "invalid_argument" })));
  assert.ok(type instanceof TypeError && type.code === "invalid_argument");

  const other = m.errorFromData({ name: "AbortError", message: "stop", code: "x" });
  assert.ok(!(other instanceof m.ThreadlineError) && other.name === "AbortError" && other.code === "x");
  assert.equal(m.errorFromData(null).code, "internal");
});
