//! Errors cross to JavaScript as real `Error`s with a stable `name` and a machine-readable `code`
//! (plus any extra fields), never as bare strings. Every export builds them here: `UrnError`,
//! and the client's `ApiError`.

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

/// A JS `Error` with `name`, `code` and the given extra own properties.
pub fn js_error(name: &str, code: &str, message: &str, extra: &[(&str, JsValue)]) -> JsValue {
    let err = Error::new(message);
    err.set_name(name);
    let obj: &JsValue = err.as_ref();
    // Reflect::set on a fresh, extensible Error object cannot fail.
    let _ = Reflect::set(obj, &"code".into(), &code.into());
    for (key, value) in extra {
        let _ = Reflect::set(obj, &(*key).into(), value);
    }
    err.into()
}

impl From<crate::urn::UrnError> for JsValue {
    fn from(e: crate::urn::UrnError) -> JsValue {
        js_error(
            "UrnError",
            e.code.as_str(),
            &e.to_string(),
            &[("offset", JsValue::from(e.offset as u32))],
        )
    }
}

/// A value that should always convert failed to: a bug, reported rather than panicking.
pub fn internal_error(message: &str) -> JsValue {
    js_error("ThreadlineError", "internal", message, &[])
}

#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const API_ERROR_TS: &'static str = r#"
/** The `code` of an `ApiError`: what the caller can do about it. */
export type ApiErrorCode =
    | "bad_request" | "unauthorized" | "forbidden" | "not_found" | "rate_limited"
    | "server" | "timeout" | "network" | "malformed";

/** A failed API call, as every `ThreadlineClient` method rejects with. */
export interface ApiError extends Error {
    name: "ApiError";
    code: ApiErrorCode;
    /** The HTTP status, when an answer arrived (absent when refused before sending). */
    status?: number;
    /** How long to wait (429: `Retry-After`, `holdUntil` or the window's reset). */
    retryAfterMs?: number;
    /** The server's stable code of a bad request, or the client's when it refused to send. */
    reason?: string;
    /** `X-RateLimit-*` figures of a 429; `resetAtMs` and `holdUntilMs` are epoch milliseconds. */
    rateLimit?: {
        limit?: number; remaining?: number; used?: number; reset?: number;
        resetAtMs?: number; holdUntilMs?: number; action?: string;
    };
    /** True when a write may have happened although it failed: never resend blindly. */
    ambiguous: boolean;
}
"#;

/// The JS form of an [`ApiError`](crate::api::ApiError): `name` `ApiError`, `code`, `ambiguous`,
/// and `status`, `retryAfterMs`, `reason`, `rateLimit` where known.
pub fn api_error(e: &crate::api::ApiError) -> JsValue {
    let mut extra: Vec<(&str, JsValue)> = vec![("ambiguous", JsValue::from_bool(e.is_ambiguous()))];
    if let Some(status) = e.status() {
        extra.push(("status", JsValue::from(status)));
    }
    if let Some(ms) = e.retry_after_ms() {
        extra.push(("retryAfterMs", JsValue::from_f64(ms as f64)));
    }
    if let Some(reason) = e.reason() {
        extra.push(("reason", JsValue::from_str(reason)));
    }
    if let crate::api::ApiError::RateLimited { limits, .. } = e {
        let figures = js_sys::Object::new();
        for (key, value) in [
            ("limit", limits.limit),
            ("remaining", limits.remaining),
            ("used", limits.used),
            ("reset", limits.reset),
            ("resetAtMs", limits.reset_at_ms),
            ("holdUntilMs", limits.hold_until_ms),
        ] {
            if let Some(v) = value {
                let _ = Reflect::set(&figures, &key.into(), &JsValue::from_f64(v as f64));
            }
        }
        if let Some(action) = &limits.action {
            let _ = Reflect::set(&figures, &"action".into(), &JsValue::from_str(action));
        }
        extra.push(("rateLimit", figures.into()));
    }
    js_error("ApiError", e.code(), &e.to_string(), &extra)
}

/// Best-effort text of a thrown JS value, for messages.
pub fn describe(value: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(err) = value.dyn_ref::<Error>() {
        let message: String = err.message().into();
        let cause = Reflect::get(err, &"cause".into())
            .ok()
            .filter(|c| !c.is_undefined() && !c.is_null())
            .map(|c| describe(&c));
        return match cause {
            Some(cause) => format!("{message} ({cause})"),
            None => message,
        };
    }
    value
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(value)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_else(|| "unknown JavaScript error".into())
}
