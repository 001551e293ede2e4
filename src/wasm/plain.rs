//! Plain data out to JS (views, notices, facts, outcomes, status, the client's answers): the
//! text serde_json writes, made a JS value by one `JSON.parse`. Every type's `Serialize` is then
//! in the module once, for the serializer that also writes storage, instead of a second copy
//! for serde-wasm-bindgen's (issue 15: about 13 KB gzip).
//!
//! The values are those serde-wasm-bindgen gave: the types that cross leave out a missing
//! `Option` (`skip_serializing_if`) or mean it as `null` (a view's `salesNavigator`); none holds
//! a map, bytes or a float that is not finite. The one difference was integers beyond JS's safe
//! range: serde-wasm-bindgen refused them, and the binding then clamped them (the engine's
//! "older than anything" `i64` stamps); here the text's such integers are clamped before the
//! parse (`crate::sync::clamp_wide_integers`), and the client, which refused them, still does.
//! The storage snapshot (`snapshot()`, for debugging) is the one value with `Option`s written
//! as `null`: it now reads as the snapshot write holds it, `null` where it read `undefined`.

use serde::Serialize;
use wasm_bindgen::JsValue;

use super::error::internal_error;
use crate::sync::{clamp_wide_integers, names_a_sentinel, wide_integers};

/// Plain data for JS (objects, arrays, numbers), as the generated TypeScript types declare;
/// an integer beyond the safe range crosses as the nearest safe one (still below or above
/// every real stamp, so a fact that went out and came back in orders the same).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    from_json(crate::json::to_string(value), true)
}

/// [`to_js`] for a large tree of plain data (the conversation list): the text is searched for
/// the engine's `i64` sentinels only, with a scan that passes over eight bytes at a time,
/// instead of for every wide integer: any other integer past the safe range (none the engine
/// makes; a hostile answer's) reaches JS as `JSON.parse` reads it, rounded.
pub fn to_js_large<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    from_json(crate::json::to_string(value), false)
}

/// The JS value of serde_json's `text`, its wide integers clamped (all of them, or, unless
/// `all`, only in a text that names a sentinel).
fn from_json(text: Result<String, serde_json::Error>, all: bool) -> Result<JsValue, JsValue> {
    let text = text.map_err(|e| internal_error(&format!("not representable in JS: {e}")))?;
    let clamped = if all || names_a_sentinel(&text) {
        clamp_wide_integers(&text)
    } else {
        None
    };
    parse(clamped.as_deref().unwrap_or(&text))
}

/// The JS value of serde_json's `text`, or why it has none: an integer beyond the safe range is
/// refused, in serde-wasm-bindgen's words (the client's answers, which never clamp).
pub fn exact_from_json(text: Result<String, serde_json::Error>) -> Result<JsValue, String> {
    let text = text.map_err(|e| e.to_string())?;
    if let Some(wide) = wide_integers(&text).first() {
        return Err(format!(
            "{} can't be represented as a JavaScript number",
            &text[wide.clone()]
        ));
    }
    parse(&text).map_err(|e| super::error::describe(&e))
}

/// `JSON.parse` of JSON `text`, its characters beyond ASCII escaped first
/// ([`crate::json::ascii_only`]): the text crosses as a one-byte JS string, which Chromium
/// decodes and parses several times faster than the two-byte one a single emoji would make.
pub fn parse(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&crate::json::ascii_only(text))
}
