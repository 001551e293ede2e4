//! JavaScript errors, built in one place: a real `Error` with a stable `name`, a machine-readable
//! `code` and extra properties. `ApiError` is built here; other exports (e.g. `UrnError`) reuse
//! [`js_error`].

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::ApiError;

#[wasm_bindgen(typescript_custom_section)]
const API_ERROR_TS: &'static str = r#"
/** The `code` of an `ApiError`: what the caller can do about it. */
export type ApiErrorCode =
    | "bad_request" | "unauthorized" | "not_found" | "rate_limited"
    | "server" | "timeout" | "network" | "malformed";

/** A failed API call, as every `ThreadlineClient` method rejects with. */
export interface ApiError extends Error {
    name: "ApiError";
    code: ApiErrorCode;
    /** The HTTP status, when an answer arrived (absent when refused before sending). */
    status?: number;
    /** How long the server asked to wait (429 with `Retry-After`). */
    retryAfterMs?: number;
    /** The server's stable code of a bad request, or the client's when it refused to send. */
    reason?: string;
    /** `X-RateLimit-*` figures of a 429. */
    rateLimit?: { limit?: number; remaining?: number; reset?: number };
    /** True when a write may have happened although it failed: never resend blindly. */
    ambiguous: boolean;
}
"#;

/// A JS `Error` named `name`, with `code` and the given extra properties set on it.
pub(crate) fn js_error(
    name: &str,
    code: &str,
    message: &str,
    props: &[(&str, JsValue)],
) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name(name);
    set(&err, "code", &JsValue::from_str(code));
    for (key, value) in props {
        set(&err, key, value);
    }
    err.into()
}

/// The JS form of an [`ApiError`]: `name` `ApiError`, `code`, and `status`, `retryAfterMs`,
/// `reason`, `rateLimit` where known.
pub(crate) fn api_error(e: &ApiError) -> JsValue {
    let mut props: Vec<(&str, JsValue)> = vec![("ambiguous", JsValue::from_bool(e.is_ambiguous()))];
    if let Some(status) = e.status() {
        props.push(("status", JsValue::from(status)));
    }
    if let Some(ms) = e.retry_after_ms() {
        props.push(("retryAfterMs", JsValue::from_f64(ms as f64)));
    }
    if let Some(reason) = e.reason() {
        props.push(("reason", JsValue::from_str(reason)));
    }
    if let ApiError::RateLimited { limits, .. } = e {
        let figures = Object::new();
        let figure = |key: &str, value: Option<u64>| {
            if let Some(v) = value {
                set(&figures, key, &JsValue::from_f64(v as f64));
            }
        };
        figure("limit", limits.limit);
        figure("remaining", limits.remaining);
        figure("reset", limits.reset);
        props.push(("rateLimit", figures.into()));
    }
    js_error("ApiError", e.code(), &e.to_string(), &props)
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Setting a plain property on a fresh object cannot fail; there is nothing to do if it did.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Best-effort text of a thrown JS value, for messages.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        let message: String = err.message().into();
        let cause = Reflect::get(err, &JsValue::from_str("cause"))
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
pub(crate) fn internal_error(message: &str) -> JsValue {
    js_error("ThreadlineError", "internal", message, &[])
}
