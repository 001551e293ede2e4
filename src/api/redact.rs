//! Scrubbing secrets out of server text. A server (or a proxy in front of it) may echo the
//! request back in an error body: the API key, or the whole `Authorization: Bearer …` header.
//! Whatever a server said ends up in an [`ApiError`] message, which is stored by the engine,
//! shown by the UI, logged, and posted to content scripts, so the client scrubs it once, here,
//! with the key it used, before anyone else sees the error.

use super::limits::{bound_text, map_texts};
use super::ApiError;

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// A run of text matching the key's first `KEY_PREFIX_MIN` bytes (or the whole of a shorter
/// key) is scrubbed as far as it keeps matching: a key cut short by a length limit is still
/// scrubbed, and a false match only costs a few harmless characters of a message.
const KEY_PREFIX_MIN: usize = 8;

/// `text` without the key (or any run of at least its first 8 bytes), without any `Bearer`
/// token, and at most [`super::limits::MAX_ERROR_TEXT_BYTES`] long.
pub fn scrub(text: &str, key: &str) -> String {
    // Bounding first keeps the scan cheap; the key-prefix rule catches a key the cut split.
    let text = bound_text(text);
    let text = redact_key(&text, key.trim());
    let text = redact_bearer(&text);
    bound_text(&text)
}

/// `err` with every server text scrubbed by [`scrub`] with `key`.
pub fn scrub_error(err: ApiError, key: &str) -> ApiError {
    map_texts(err, &|text| scrub(text, key))
}

fn redact_key(text: &str, key: &str) -> String {
    if key.is_empty() {
        return text.to_owned();
    }
    let k = key.as_bytes();
    let min = k.len().min(KEY_PREFIX_MIN);
    let t = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < t.len() {
        let n = t[i..].iter().zip(k).take_while(|(a, b)| a == b).count();
        if n >= min && text.is_char_boundary(i) && text.is_char_boundary(i + n) {
            out.push_str(&text[copied..i]);
            out.push_str(REDACTED);
            i += n;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces the token after every `Bearer` (any case, then whitespace) with [`REDACTED`].
fn redact_bearer(text: &str) -> String {
    const WORD: &[u8] = b"bearer";
    let t = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i + WORD.len() < t.len() {
        let is_word = t[i..i + WORD.len()].eq_ignore_ascii_case(WORD)
            && (i == 0 || !t[i - 1].is_ascii_alphanumeric());
        if !is_word {
            i += 1;
            continue;
        }
        let mut start = i + WORD.len();
        let gap = t[start..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        if gap == 0 {
            i += 1;
            continue;
        }
        start += gap;
        let len = t[start..]
            .iter()
            .take_while(|&&c| !c.is_ascii_whitespace() && !b"\"',;<>".contains(&c))
            .count();
        if len == 0 {
            i = start;
            continue;
        }
        // `start` and `start + len` sit next to ASCII bytes (or the ends), so on char boundaries.
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        i = start + len;
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_live_4f9a2b7c1d8e";

    #[test]
    fn the_key_is_scrubbed_wherever_it_appears() {
        let text = format!("invalid key {KEY} (you sent {KEY})");
        let out = scrub(&text, KEY);
        assert!(!out.contains(KEY), "{out}");
        assert_eq!(out, "invalid key [redacted] (you sent [redacted])");
    }

    #[test]
    fn a_key_cut_short_by_a_limit_is_scrubbed_too() {
        let text = format!("echo: {}…", &KEY[..12]);
        let out = scrub(&text, KEY);
        assert!(!out.contains(&KEY[..8]), "{out}");
    }

    #[test]
    fn bearer_tokens_are_scrubbed_in_any_case_without_knowing_the_key() {
        let out = scrub(
            r#"{"headers":{"authorization":"Bearer abc.def-ghi"}} and bearer  xyz, BEARER tok"#,
            "",
        );
        assert_eq!(
            out,
            r#"{"headers":{"authorization":"Bearer [redacted]"}} and bearer  [redacted], BEARER [redacted]"#
        );
        // Not a token: a word that merely contains "bearer", or nothing after it.
        assert_eq!(scrub("pallbearers bearer", ""), "pallbearers bearer");
    }

    #[test]
    fn text_without_secrets_is_unchanged_and_multibyte_text_survives() {
        let text = "Ünknown thread 2-abc 🙂";
        assert_eq!(scrub(text, KEY), text);
        assert_eq!(scrub(text, ""), text);
    }

    #[test]
    fn every_message_of_an_error_is_scrubbed() {
        let err = ApiError::BadRequest {
            status: 400,
            code: Some(format!("bad_key_{KEY}")),
            message: format!("key {KEY}"),
        };
        let shown = scrub_error(err, KEY).to_string();
        assert!(!shown.contains(KEY), "{shown}");
        let err = ApiError::Server {
            status: 500,
            message: format!("Authorization: Bearer {KEY}"),
        };
        let shown = format!("{:?}", scrub_error(err, KEY));
        assert!(!shown.contains(KEY), "{shown}");
    }
}
