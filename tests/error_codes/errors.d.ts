// /*@header@*/

import type { Refusal } from "./glue/threadline.js";
//@failure-begin
import type { Failure } from "./glue/threadline.js";
//@failure-end

/** The `code` of a {@link UrnError}: why a URN, URL or id could not be read. */
export type UrnErrorCode =/*@urn@*/;

/**
 * The `code` of an {@link ApiError}: what the caller can do about a failed call. `unauthorized`:
 * the key; `forbidden`: the trial expired or there is no subscription; `rate_limited`: wait
 * `retryAfterMs`; `server`, `timeout`, `network`, `malformed`: a write may or may not have happened.
 */
export type ApiErrorCode =/*@api@*/;

/** The `code` of a {@link Refusal}: why the engine would not carry out a command. */
export type RefusalCode =/*@refusal@*/;

//@failure-begin
/** The `code` of a {@link Failure}: why a send, recall, react or page request did not happen. */
export type FailureCode =/*@failure@*/;

//@failure-end
/**
 * The codes of the package's own {@link ThreadlineError}s: `storage` (a write failed; the command
 * did not happen), `storage_unavailable`, `closed`, `invalid_argument`, `internal` (a bug),
 * `not_initialized` (used before `init()`), `host_changed` (the engine's host changed while a
 * react or recall waited: look at the conversation), `busy` (called from inside the engine's own
 * step, by a replaced built-in it called: call again after), and the host's `unbound`,
 * `account_unmatched`, `invalid_command` and `starting`.
 */
export type PackageErrorCode =/*@package@*/;

/** The `code` of a {@link ThreadlineError}: a refusal, a failure or one of the package's own. */
export type ThreadlineErrorCode =/*@threadline@*/;

/** The `code` of a `TypeError` the package throws for a bad argument or option. */
export type ArgumentErrorCode =/*@argument@*/;

/** Every {@link UrnErrorCode}, in the order of the Rust enum. */
export declare const URN_ERROR_CODES: readonly UrnErrorCode[];
/** Every {@link ApiErrorCode}. */
export declare const API_ERROR_CODES: readonly ApiErrorCode[];
/** Every {@link RefusalCode}. */
export declare const REFUSAL_CODES: readonly RefusalCode[];
//@failure-begin
/** Every {@link FailureCode}. */
export declare const FAILURE_CODES: readonly FailureCode[];
//@failure-end
/** Every {@link PackageErrorCode}. */
export declare const PACKAGE_ERROR_CODES: readonly PackageErrorCode[];
/** Every {@link ArgumentErrorCode}. */
export declare const ARGUMENT_ERROR_CODES: readonly ArgumentErrorCode[];
/** Every {@link ThreadlineErrorCode}. */
export declare const THREADLINE_ERROR_CODES: readonly ThreadlineErrorCode[];

/** `X-RateLimit-*` figures of a 429; `resetAtMs` and `holdUntilMs` are epoch milliseconds. */
export interface RateLimitFigures {
  /** `X-RateLimit-Limit`: requests allowed in the window. */
  limit?: number;
  /** `X-RateLimit-Remaining`: requests left in the window. */
  remaining?: number;
  /** `X-RateLimit-Used`: requests used in the window. */
  used?: number;
  /** `X-RateLimit-Reset` as the server sent it, when a number. */
  reset?: number;
  /** When the window resets, epoch milliseconds. */
  resetAtMs?: number;
  /** The body's `holdUntil` (LinkedIn put the account on hold), epoch milliseconds. */
  holdUntilMs?: number;
  /** `X-RateLimit-Action`: which category the request counted against. */
  action?: string;
}

/**
 * How `ThreadlineEngine` methods reject: the engine refused the command (`refusal`, as in the
 * `refused` notice), it failed, or something went wrong around the engine. Bad URNs given to view
 * methods throw {@link UrnError}; bad arguments throw `TypeError`.
 *
 * `instanceof ThreadlineError` holds for the errors the package throws and for errors rebuilt by
 * {@link errorFromData}.
 */
export declare class ThreadlineError extends Error {
  /**
   * A `ThreadlineError` of your own (as a host of the engine rebuilds one).
   * @param code The code.
   * @param message What happened, for people.
   * @param fields `refusal`, `failure` and `cause`, where known.
   */
  constructor(
    code: ThreadlineErrorCode,
    message: string,
    fields?: {
      refusal?: Refusal;
//@failure-begin
      failure?: Failure;
//@failure-end
      cause?: unknown;
    },
  );
  /** Always `"ThreadlineError"`. */
  name: "ThreadlineError";
  /** What went wrong: a {@link RefusalCode}, a failure code or a {@link PackageErrorCode}. */
  code: ThreadlineErrorCode;
  /** The engine's refusal, when it refused the command locally. */
  refusal?: Refusal;
//@failure-begin
  /** Why the command did not happen, when it failed. */
  failure?: Failure;
//@failure-end
  /**
   * True for instances, and for any `Error` (of any realm) named `ThreadlineError` whose `code` is
   * a {@link ThreadlineErrorCode}.
   */
  static [Symbol.hasInstance](value: unknown): boolean;
}

/**
 * A failed API call, as every `ThreadlineClient` method rejects with. `instanceof ApiError` holds
 * for the errors the package throws and for errors rebuilt by {@link errorFromData}.
 */
export declare class ApiError extends Error {
  /**
   * An `ApiError` of your own (as a host of the engine rebuilds one).
   * @param code The code.
   * @param message What happened, for people.
   * @param fields The other fields, where known (`ambiguous` defaults to false).
   */
  constructor(
    code: ApiErrorCode,
    message: string,
    fields?: {
      status?: number;
      retryAfterMs?: number;
      reason?: string;
      rateLimit?: RateLimitFigures;
      ambiguous?: boolean;
      cause?: unknown;
    },
  );
  /** Always `"ApiError"`. */
  name: "ApiError";
  /** What the caller can do about it. */
  code: ApiErrorCode;
  /** The HTTP status, when an answer arrived (absent when refused before sending). */
  status?: number;
  /** How long to wait (429: `Retry-After`, `holdUntil` or the window's reset). */
  retryAfterMs?: number;
  /** The server's stable code of a bad request, or the client's when it refused to send. */
  reason?: string;
  /** `X-RateLimit-*` figures of a 429. */
  rateLimit?: RateLimitFigures;
  /** True when a write may have happened although it failed: never resend blindly. */
  ambiguous: boolean;
  /** True for instances, and for any `Error` named `ApiError` whose `code` is an {@link ApiErrorCode}. */
  static [Symbol.hasInstance](value: unknown): boolean;
}

/**
 * A URN, URL or id that could not be read, as the URN functions throw. `instanceof UrnError` holds
 * for the errors the package throws and for errors rebuilt by {@link errorFromData}.
 */
export declare class UrnError extends Error {
  /**
   * A `UrnError` of your own.
   * @param code The code.
   * @param message What is wrong, for people.
   * @param fields `offset` and `cause`, where known.
   */
  constructor(code: UrnErrorCode, message: string, fields?: { offset?: number; cause?: unknown });
  /** Always `"UrnError"`. */
  name: "UrnError";
  /** Why the input could not be read. */
  code: UrnErrorCode;
  /** The byte offset in the input where reading stopped. */
  offset: number;
  /** True for instances, and for any `Error` named `UrnError` whose `code` is a {@link UrnErrorCode}. */
  static [Symbol.hasInstance](value: unknown): boolean;
}

/** Whether `value` is a {@link ThreadlineError}. */
export declare function isThreadlineError(value: unknown): value is ThreadlineError;

/** Whether `value` is an {@link ApiError}. */
export declare function isApiError(value: unknown): value is ApiError;

/** Whether `value` is a {@link UrnError}. */
export declare function isUrnError(value: unknown): value is UrnError;

/** Whether `value` is a {@link ThreadlineError} for a command the engine refused. */
export declare function isRefusal(
  value: unknown,
): value is ThreadlineError & { code: RefusalCode; refusal: Refusal };

/** An error as plain data, fit for `postMessage`, a runtime port or JSON. */
export interface ErrorData {
  /** The error's `name` (`ThreadlineError`, `ApiError`, `UrnError`, `TypeError`, …). */
  name: string;
  /** The error's message. */
  message: string;
  /** The error's `code`, when it has one. */
  code?: string;
  /** {@link ApiError.status}. */
  status?: number;
  /** {@link ApiError.retryAfterMs}. */
  retryAfterMs?: number;
  /** {@link ApiError.reason}. */
  reason?: string;
  /** {@link ApiError.rateLimit}. */
  rateLimit?: RateLimitFigures;
  /** {@link ApiError.ambiguous}. */
  ambiguous?: boolean;
  /** {@link UrnError.offset}. */
  offset?: number;
  /** {@link ThreadlineError.refusal}. */
  refusal?: Refusal;
//@failure-begin
  /** {@link ThreadlineError.failure}. */
  failure?: Failure;
//@failure-end
}

/** Any thrown value as {@link ErrorData}: its name, message, code and the fields of its kind. */
export declare function errorToData(error: unknown): ErrorData;

/**
 * The error {@link errorToData} described, rebuilt: a {@link ThreadlineError}, {@link ApiError} or
 * {@link UrnError} when its name and code are theirs, a `TypeError` for a TypeError, else an
 * `Error` with that name and code.
 */
export declare function errorFromData(data: ErrorData): Error;
