//! Errors cross to JavaScript as real `Error`s with a stable `name` and a machine-readable `code`
//! (plus any extra fields), never as bare strings. Every export builds them here: `UrnError`,
//! and the client's `ApiError`. Their TypeScript types, code unions and the classes that
//! recognise them (`instanceof`) are generated into `npm/errors.{js,d.ts}` by
//! `tests/error_codes.rs`, which also checks that every code made here is in the vocabulary.

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

/// A JS `Error` with `name`, `code` and the given extra own properties.
pub fn js_error(name: &str, code: &str, message: &str, extra: &[(&str, JsValue)]) -> JsValue {
    // A `TypeError` is a real one (`instanceof TypeError`), as callers check.
    let err: Error = if name == "TypeError" {
        js_sys::TypeError::new(message).into()
    } else {
        Error::new(message)
    };
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

/// Most characters of one text [`describe`] takes from a JS value (a message, a cause).
pub const DESCRIBE_MAX_CHARS: usize = 1_000;

/// Most `cause`s [`describe`] follows.
pub const DESCRIBE_MAX_CAUSES: usize = 8;

/// Best-effort text of a thrown JS value, for messages. Bounded whatever JS hands in: a
/// `message` getter that throws, a `cause` that is the error itself, a 100,000-deep cause
/// chain or a 50 MB message give at most [`DESCRIBE_MAX_CAUSES`] + 1 texts of
/// [`DESCRIBE_MAX_CHARS`] each. Every read goes through a catching import, so no JS exception
/// unwinds through wasm.
pub fn describe(value: &JsValue) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = value.clone();
    let mut seen: Vec<JsValue> = Vec::new();
    loop {
        let (text, cause) = describe_one(&current);
        parts.push(text);
        let Some(cause) = cause else { break };
        if seen.contains(&cause) || cause == current {
            parts.push("(cycle)".into());
            break;
        }
        if parts.len() > DESCRIBE_MAX_CAUSES {
            parts.push("…".into());
            break;
        }
        seen.push(current);
        current = cause;
    }
    let mut out = parts[0].clone();
    for part in &parts[1..] {
        out.push_str(" (");
        out.push_str(part);
    }
    out.push_str(&")".repeat(parts.len() - 1));
    out
}

/// The text of one value and its `cause`, if it is an `Error` with one.
fn describe_one(value: &JsValue) -> (String, Option<JsValue>) {
    use wasm_bindgen::JsCast;
    if value.dyn_ref::<Error>().is_some() {
        let text = match Reflect::get(value, &"message".into()) {
            Ok(m) if m.is_string() => bounded(&m),
            Ok(_) => "(an Error without a message)".into(),
            Err(_) => "(an Error whose message could not be read)".into(),
        };
        let cause = Reflect::get(value, &"cause".into())
            .ok()
            .filter(|c| !c.is_undefined() && !c.is_null());
        return (text, cause);
    }
    if value.is_string() {
        return (bounded(value), None);
    }
    let text = js_sys::JSON::stringify(value)
        .ok()
        .filter(|s| s.is_string())
        .map(|s| bounded(&s))
        .unwrap_or_else(|| "unknown JavaScript error".into());
    (text, None)
}

/// A JS string, cut to [`DESCRIBE_MAX_CHARS`] UTF-16 units before it is copied into wasm.
fn bounded(value: &JsValue) -> String {
    use wasm_bindgen::JsCast;
    let Some(s) = value.dyn_ref::<js_sys::JsString>() else {
        return String::new();
    };
    if s.length() as usize <= DESCRIBE_MAX_CHARS {
        return String::from(s);
    }
    let cut: String = s.slice(0, DESCRIBE_MAX_CHARS as u32).into();
    format!("{cut}…")
}
