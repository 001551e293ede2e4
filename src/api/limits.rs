//! Size limits on what a server may hand us: an answer body, and the error text copied from one.
//! A hostile or broken server can send anything; these keep the module alive and its messages
//! readable. One place for both limits, so the transports and `classify` agree.

use super::{ApiError, HttpResponse};

/// Largest answer body read, in bytes (after any `Content-Encoding` was undone). The largest
/// real answer is a page of messages or conversations: at most a hundred entries of at most 8000
/// characters each (CONTRACT.md), well under 4 MB even as 4-byte UTF-8 with JSON escapes; 16 MiB
/// leaves room for fields we do not know yet. A larger body is refused as `malformed`, and a
/// transport that can stop reading past it should.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Longest server text kept in an [`ApiError`] message, in bytes; longer text is cut at a
/// character boundary and ends with `…`.
pub const MAX_ERROR_TEXT_BYTES: usize = 2048;

/// The error for an answer whose body is over [`MAX_BODY_BYTES`], if it is.
pub fn oversize_body(resp: &HttpResponse) -> Option<ApiError> {
    oversize(resp.status, resp.body.len())
}

/// The error for a body of `len` bytes with `status`, if `len` is over [`MAX_BODY_BYTES`].
pub fn oversize(status: u16, len: usize) -> Option<ApiError> {
    (len > MAX_BODY_BYTES).then(|| ApiError::Malformed {
        status,
        message: format!(
            "answer body of {len} bytes or more is over the {MAX_BODY_BYTES}-byte limit; not read"
        ),
    })
}

/// `text` cut to at most [`MAX_ERROR_TEXT_BYTES`] bytes (the ellipsis included).
pub fn bound_text(text: &str) -> String {
    if text.len() <= MAX_ERROR_TEXT_BYTES {
        return text.to_owned();
    }
    const ELLIPSIS: &str = "…";
    let mut end = MAX_ERROR_TEXT_BYTES - ELLIPSIS.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ELLIPSIS}", &text[..end])
}

/// Bounds every server text an error carries (its message and a bad request's code).
pub fn bound_error(err: ApiError) -> ApiError {
    map_texts(err, &bound_text)
}

/// Applies `f` to every text of `err` that may have come from a server.
pub(crate) fn map_texts(mut err: ApiError, f: &dyn Fn(&str) -> String) -> ApiError {
    match &mut err {
        ApiError::BadRequest { code, message, .. } => {
            *message = f(message);
            if let Some(code) = code {
                *code = f(code);
            }
        }
        ApiError::Unauthorized { message }
        | ApiError::Forbidden { message }
        | ApiError::NotFound { message }
        | ApiError::RateLimited { message, .. }
        | ApiError::Server { message, .. }
        | ApiError::Network { message }
        | ApiError::Malformed { message, .. } => *message = f(message),
        ApiError::Timeout { .. } => {}
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_at_a_char_boundary_with_an_ellipsis() {
        assert_eq!(bound_text("no such thread"), "no such thread");
        let long = "é".repeat(MAX_ERROR_TEXT_BYTES);
        let cut = bound_text(&long);
        assert!(cut.len() <= MAX_ERROR_TEXT_BYTES, "{}", cut.len());
        assert!(cut.ends_with('…'));
        assert!(cut.trim_end_matches('…').chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_body_over_the_cap_is_malformed_and_one_at_the_cap_is_not() {
        assert_eq!(oversize(200, MAX_BODY_BYTES), None);
        let err = oversize(200, MAX_BODY_BYTES + 1).unwrap();
        assert_eq!(err.code(), "malformed");
        assert!(err.to_string().contains("limit"), "{err}");
    }
}
