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

/// `s` lowercased as `str::to_lowercase` lowercases it.
pub fn to_lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        host::to_lowercase(s)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod host {
    pub fn is_alphanumeric(c: char) -> bool {
        c.is_alphanumeric()
    }

    pub fn to_lowercase(s: &str) -> String {
        s.to_lowercase()
    }
}

/// The JavaScript engine's answers, each call through an import marked `catch`: a page may
/// patch `RegExp.prototype.exec` (which `test` calls) or `String.prototype.toLowerCase` to
/// throw, and a throw that unwound through wasm here left the engine that was parsing (a
/// command's URN, a server's answer) borrowed for good. When JavaScript fails to answer, the
/// answer is the conservative one: not alphanumeric (the slug is refused, never taken for
/// another), and the lowercase of the ASCII letters only, as core's tables are not in the
/// module to do better; either way the same input gives the same answer while the patch stays.
#[cfg(target_arch = "wasm32")]
mod host {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A regular expression, for its `test`.
        #[wasm_bindgen(js_name = RegExp)]
        type Pattern;
        #[wasm_bindgen(catch, constructor, js_class = RegExp)]
        fn new(source: &str, flags: &str) -> Result<Pattern, JsValue>;
        #[wasm_bindgen(catch, method)]
        fn test(this: &Pattern, text: &str) -> Result<bool, JsValue>;

        /// A string, for its `toLowerCase`.
        type Text;
        #[wasm_bindgen(catch, method, js_name = toLowerCase)]
        fn to_lower_case(this: &Text) -> Result<String, JsValue>;
    }

    thread_local! {
        /// One character that is Alphabetic or a number (no `g` flag: `test` keeps no state).
        /// `None` if `RegExp` threw when first asked.
        static ALPHANUMERIC: Option<Pattern> = Pattern::new(r"^[\p{Alphabetic}\p{N}]$", "u").ok();
    }

    pub fn is_alphanumeric(c: char) -> bool {
        let mut buf = [0u8; 4];
        let one: &str = c.encode_utf8(&mut buf);
        crate::wasm::local(&ALPHANUMERIC, |re| {
            re.as_ref().is_some_and(|re| re.test(one) == Ok(true))
        })
    }

    pub fn to_lowercase(s: &str) -> String {
        JsValue::from_str(s)
            .unchecked_into::<Text>()
            .to_lower_case()
            .unwrap_or_else(|_| s.to_ascii_lowercase())
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
            assert_eq!(to_lowercase(s), s.to_lowercase(), "{s}");
        }
        for c in ['a', 'Z', '9', '-', 'é', '٣', 'Ⅻ', '½', '・', ' ', '\u{300}'] {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c}");
        }
    }
}
