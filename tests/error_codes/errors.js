// /*@header@*/
//
// The errors of the threadline package. The WebAssembly core throws plain `Error`s (and
// `TypeError`s) with a `name` and a stable `code` (src/wasm/error.rs); these classes recognise
// them with `instanceof` by that name and code (`Symbol.hasInstance`), as they recognise their
// own instances, such as the ones `errorFromData` rebuilds after an error crossed a port or a
// BroadcastChannel as plain data (`errorToData`).

/** Every `UrnError` code (src/urn.rs `UrnErrorCode`). */
export const URN_ERROR_CODES = Object.freeze(/*@urn@*/);

/** Every `ApiError` code (src/api/error.rs `ApiError::code`). */
export const API_ERROR_CODES = Object.freeze(/*@api@*/);

/** Every refusal code (src/sync/refusal.rs `Refusal`, its `code` tag). */
export const REFUSAL_CODES = Object.freeze(/*@refusal@*/);

//@failure-begin
/** Every failure code (src/sync/outbox.rs `FailureCode`). */
export const FAILURE_CODES = Object.freeze(/*@failure@*/);

//@failure-end
/** The codes of the package's own `ThreadlineError`s (src/error_code.rs `PackageErrorCode`). */
export const PACKAGE_ERROR_CODES = Object.freeze(/*@package@*/);

/** The codes of the package's `TypeError`s (src/error_code.rs `ArgumentErrorCode`). */
export const ARGUMENT_ERROR_CODES = Object.freeze(/*@argument@*/);

/** Every code a `ThreadlineError` may carry: refusals, failures and the package's own. */
export const THREADLINE_ERROR_CODES = Object.freeze(/*@threadline@*/);

const urnCodes = new Set(URN_ERROR_CODES);
const apiCodes = new Set(API_ERROR_CODES);
const refusalCodes = new Set(REFUSAL_CODES);
const threadlineCodes = new Set(THREADLINE_ERROR_CODES);

// The fields each error carries besides name, code and message (as src/wasm sets them).
const FIELDS = {
  ThreadlineError: ["refusal", "failure"],
  ApiError: ["status", "retryAfterMs", "reason", "rateLimit", "ambiguous"],
  UrnError: ["offset"],
};

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

// The ordinary prototype-chain check, false instead of a throw (a Proxy's getPrototypeOf trap,
// a revoked Proxy), so that `instanceof` and the guards never throw.
function ordinaryInstance(cls, value) {
  try {
    return ordinaryInstanceOf.call(cls, value);
  } catch {
    return false;
  }
}

// True for a real Error of any realm whose name and code are those of `name`. Never throws,
// whatever the value (a Proxy, a throwing getter).
function carries(value, name, codes) {
  try {
    return (
      typeof value === "object" &&
      value !== null &&
      Object.prototype.toString.call(value) === "[object Error]" &&
      value.name === name &&
      typeof value.code === "string" &&
      codes.has(value.code)
    );
  } catch {
    return false;
  }
}

function assign(target, fields, keys) {
  if (typeof fields !== "object" || fields === null) return;
  for (const key of keys) {
    if (fields[key] !== undefined) target[key] = fields[key];
  }
}

function causeOf(fields) {
  return typeof fields === "object" && fields !== null && "cause" in fields
    ? { cause: fields.cause }
    : undefined;
}

/** How the engine rejects: a refusal, a failure, or what went wrong around it. */
export class ThreadlineError extends Error {
  constructor(code, message, fields) {
    super(message, causeOf(fields));
    this.name = "ThreadlineError";
    this.code = code;
    assign(this, fields, FIELDS.ThreadlineError);
  }

  static [Symbol.hasInstance](value) {
    return (
      ordinaryInstance(this, value) ||
      (this === ThreadlineError && carries(value, "ThreadlineError", threadlineCodes))
    );
  }
}

/** A failed API call. */
export class ApiError extends Error {
  constructor(code, message, fields) {
    super(message, causeOf(fields));
    this.name = "ApiError";
    this.code = code;
    this.ambiguous = false;
    assign(this, fields, FIELDS.ApiError);
    this.ambiguous = this.ambiguous === true;
  }

  static [Symbol.hasInstance](value) {
    return (
      ordinaryInstance(this, value) ||
      (this === ApiError && carries(value, "ApiError", apiCodes))
    );
  }
}

/** A URN, URL or id that could not be read. */
export class UrnError extends Error {
  constructor(code, message, fields) {
    super(message, causeOf(fields));
    this.name = "UrnError";
    this.code = code;
    this.offset = 0;
    assign(this, fields, FIELDS.UrnError);
  }

  static [Symbol.hasInstance](value) {
    return (
      ordinaryInstance(this, value) ||
      (this === UrnError && carries(value, "UrnError", urnCodes))
    );
  }
}

/** Whether `value` is a `ThreadlineError` (made by the package or rebuilt from data). */
export function isThreadlineError(value) {
  return value instanceof ThreadlineError;
}

/** Whether `value` is an `ApiError`. */
export function isApiError(value) {
  return value instanceof ApiError;
}

/** Whether `value` is a `UrnError`. */
export function isUrnError(value) {
  return value instanceof UrnError;
}

/** Whether `value` is a `ThreadlineError` for a command the engine refused (a refusal code). */
export function isRefusal(value) {
  return value instanceof ThreadlineError && refusalCodes.has(value.code);
}

// A copy of a field as plain data (JSON's), or undefined when it is none.
function plain(value) {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return value;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Any thrown value as plain data that survives `postMessage`, a runtime port or JSON:
 * `{ name, message, code?, … }` with the fields of the package's errors.
 */
export function errorToData(error) {
  const data = { name: "Error", message: "" };
  try {
    if (typeof error !== "object" || error === null) {
      data.message = String(error);
      return data;
    }
    if (typeof error.name === "string") data.name = error.name;
    data.message = typeof error.message === "string" ? error.message : String(error);
    if (typeof error.code === "string") data.code = error.code;
    for (const key of FIELDS[data.name] ?? []) {
      const value = plain(error[key]);
      if (value !== undefined) data[key] = value;
    }
  } catch {
    data.message ||= "an error that could not be read";
  }
  return data;
}

const CLASSES = { ThreadlineError, ApiError, UrnError };
const CODES = { ThreadlineError: threadlineCodes, ApiError: apiCodes, UrnError: urnCodes };

/**
 * The error `errorToData` described, rebuilt: a `ThreadlineError`, `ApiError` or `UrnError` when
 * the name and code are theirs, a `TypeError` for a TypeError, else an `Error` with the name and
 * code given.
 */
export function errorFromData(data) {
  if (typeof data !== "object" || data === null) {
    return new ThreadlineError("internal", `not error data: ${String(data)}`);
  }
  const message = typeof data.message === "string" ? data.message : "";
  const code = typeof data.code === "string" ? data.code : undefined;
  const name = typeof data.name === "string" ? data.name : "Error";
  if (Object.hasOwn(CLASSES, name) && CODES[name].has(code)) {
    const fields = {};
    assign(fields, data, FIELDS[name]);
    return new CLASSES[name](code, message, fields);
  }
  const error = name === "TypeError" ? new TypeError(message) : new Error(message);
  if (name !== "TypeError") error.name = name;
  if (code !== undefined) error.code = code;
  return error;
}
