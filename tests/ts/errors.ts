// The generated error vocabulary as a consumer types against it: the code unions, `instanceof`
// and the guards narrowing, the data round trip. Compiled with `tsc --noEmit` under the plain
// `lib: ["ES2022", "DOM"]` and `skipLibCheck: false` a consumer has.
import {
  ApiError,
  ThreadlineError,
  UrnError,
  errorFromData,
  errorToData,
  isApiError,
  isRefusal,
  isThreadlineError,
  isUrnError,
  REFUSAL_CODES,
  type ApiErrorCode,
  type ErrorData,
  type PackageErrorCode,
  type Refusal,
  type RefusalCode,
  type ThreadlineErrorCode,
  type UrnErrorCode,
} from "threadline";

// The union generated from serde and the tsify type of `Refusal` name the same codes.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const refusalCodesAgree: Equal<RefusalCode, Refusal["code"]> = true;
export const refusalsAreThreadlineCodes: Equal<RefusalCode & ThreadlineErrorCode, RefusalCode> = true;
export const packageCodesAreThreadlineCodes: Equal<PackageErrorCode & ThreadlineErrorCode, PackageErrorCode> = true;

// @ts-expect-error: not a code
export const notACode: ApiErrorCode = "nope";
// @ts-expect-error: an ApiError code is not a URN code
export const wrongKind: UrnErrorCode = "unauthorized";

export function explain(e: unknown): string {
  if (e instanceof ApiError) {
    const code: ApiErrorCode = e.code;
    return `${code} ${e.ambiguous} ${e.status ?? ""} ${e.retryAfterMs ?? ""} ${e.rateLimit?.resetAtMs ?? ""}`;
  }
  if (isRefusal(e)) {
    const refusal: Refusal = e.refusal;
    const code: RefusalCode = e.code;
    return refusal.code === code ? code : "?";
  }
  if (isThreadlineError(e)) {
    const code: ThreadlineErrorCode = e.code;
    return code;
  }
  if (e instanceof UrnError || isUrnError(e)) {
    const code: UrnErrorCode = e.code;
    return `${code}@${e.offset}`;
  }
  if (isApiError(e)) return e.code;
  return String(e);
}

export function crossAPort(e: unknown, post: (data: ErrorData) => void): void {
  post(errorToData(e));
}

export function receive(data: ErrorData): Error {
  const err = errorFromData(data);
  if (err instanceof ThreadlineError && err.code === "host_changed") {
    return new ThreadlineError("host_changed", "look at the conversation", { cause: err });
  }
  const codes: readonly RefusalCode[] = REFUSAL_CODES;
  return codes.length > 0 ? err : new ApiError("network", "unreachable", { ambiguous: true });
}
