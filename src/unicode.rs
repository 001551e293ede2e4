//! The two Unicode questions the URN rules ask of a vanity slug: is a character alphanumeric
//! (`char::is_alphanumeric`: Alphabetic, or a number of category Nd, Nl or No), and what is a
//! text's lowercase (`str::to_lowercase`: Unicode's default full case mapping, a final sigma
//! included).
//!
//! ASCII is answered here. Past ASCII, a native build asks core, and the wasm build asks the
//! JavaScript engine it runs in (`String.prototype.toLowerCase`, the same default full case
//! mapping with its final sigma; a `u` regular expression's `\p{Alphabetic}` and `\p{N}`): core's
//! Unicode tables for these two questions were 12.4 KB of the shipped module's gzip (issue 15),
//! for slugs that are nearly always ASCII. `tests/wasm_urn.rs` holds both answers equal over every
//! code point in Node, Chromium and Firefox; a browser on another Unicode version than the
//! compiler's would fail it, not disagree silently. This and `wasm` are the only modules that
//! know about JavaScript.

/// Whether `c` is alphanumeric as `char::is_alphanumeric` says.
pub fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        host::is_alphanumeric(c)
    }
}

/// `s` lowercased as `str::to_lowercase` lowercases it; `None` when the JavaScript engine would
/// not answer (a page's patched `toLowerCase` threw): a slug is then refused, never taken as
/// another.
pub fn to_lowercase(s: &str) -> Option<String> {
    if s.is_ascii() {
        Some(s.to_ascii_lowercase())
    } else {
        host::to_lowercase(s)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod host {
    pub fn is_alphanumeric(c: char) -> bool {
        c.is_alphanumeric()
    }

    pub fn to_lowercase(s: &str) -> Option<String> {
        Some(s.to_lowercase())
    }
}

/// The JavaScript engine's answers, each call through an import marked `catch`, each answer a
/// JS value read here (a patch's answer that is no boolean or string is converted by nothing
/// outside the `catch`): a page may patch `RegExp.prototype.exec` (which `test` calls) or
/// `String.prototype.toLowerCase` to throw, and a throw that unwound through wasm here left the
/// engine that was parsing (a command's URN, a server's answer) borrowed for good. When
/// JavaScript fails to answer, the answer refuses the slug: not alphanumeric, no lowercase;
/// never a different slug. A `RegExp` that could not be made is made again on the next call.
#[cfg(target_arch = "wasm32")]
mod host {
    use std::cell::RefCell;

    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A regular expression, for its `test`.
        #[wasm_bindgen(js_name = RegExp)]
        #[derive(Clone)]
        type Pattern;
        #[wasm_bindgen(catch, constructor, js_class = RegExp)]
        fn new(source: &str, flags: &str) -> Result<Pattern, JsValue>;
        #[wasm_bindgen(catch, method)]
        fn test(this: &Pattern, text: &str) -> Result<JsValue, JsValue>;

        /// A string, for its `toLowerCase`.
        type Text;
        #[wasm_bindgen(catch, method, js_name = toLowerCase)]
        fn to_lower_case(this: &Text) -> Result<JsValue, JsValue>;
    }

    thread_local! {
        /// One character that is Alphabetic or a number (no `g` flag: `test` keeps no state);
        /// `None` until made. Never borrowed across a call into JS, which may call back in.
        static ALPHANUMERIC: RefCell<Option<Pattern>> = const { RefCell::new(None) };
    }

    pub fn is_alphanumeric(c: char) -> bool {
        let mut buf = [0u8; 4];
        let one: &str = c.encode_utf8(&mut buf);
        let made = crate::wasm::local(&ALPHANUMERIC, |re| re.borrow().clone());
        let re = match made {
            Some(re) => re,
            None => match Pattern::new(r"^[\p{Alphabetic}\p{N}]$", "u") {
                Ok(re) => {
                    crate::wasm::local(&ALPHANUMERIC, |cell| *cell.borrow_mut() = Some(re.clone()));
                    re
                }
                Err(_) => return false,
            },
        };
        re.test(one).is_ok_and(|t| t.as_bool() == Some(true))
    }

    pub fn to_lowercase(s: &str) -> Option<String> {
        JsValue::from_str(s)
            .unchecked_into::<Text>()
            .to_lower_case()
            .ok()?
            .as_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_core_answers() {
        for s in [
            "john-doe-123",
            "JOHN",
            "ÉLODIE",
            "ΟΔΟΣ",
            "İstanbul",
            "ǅ",
            "ß",
            "Σ",
            "aΣ b",
        ] {
            assert_eq!(to_lowercase(s), Some(s.to_lowercase()), "{s}");
        }
        for c in ['a', 'Z', '9', '-', 'é', '٣', 'Ⅻ', '½', '・', ' ', '\u{300}'] {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c}");
        }
    }
}
