//! Errors cross to JavaScript as real `Error`s with a stable `name` and a machine-readable `code`
//! (plus any extra fields), never as bare strings. Every export builds them here.

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
