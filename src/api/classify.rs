//! The classification of an answer into a typed result or an [`ApiError`]: the status decides
//! the kind, the body (either error shape, or any text at all) gives the message.
//!
//! A 2xx whose body says `"success": false` is an error too: the server did not do it, and said
//! so. It becomes a [`ApiError::BadRequest`] with the 2xx status, the server's code and message,
//! so that a caller treats it as a definite refusal, never as "maybe it happened".

use serde::de::DeserializeOwned;

use super::{limits, ApiError, HttpResponse, RateLimit};
use crate::model::ErrorBody;

/// Longest message taken from a body that is not one of the error shapes, in characters.
const SNIPPET_CHARS: usize = 200;

/// Decodes a 2xx answer into `T`, or classifies any other answer into an [`ApiError`].
///
/// Only the decoding itself is generic: everything else lives in plain functions, so that each
/// answer type adds no more than its deserializer to the shipped wasm.
pub fn classify<T: DeserializeOwned>(resp: &HttpResponse) -> Result<T, ApiError> {
    if let Some(err) = refusal(resp) {
        return Err(err);
    }
    // Decode straight into `T`: going through `serde_json::Value` first would instantiate a second
    // deserializer for every answer type, which costs tens of KB of shipped wasm.
    serde_json::from_slice(&resp.body).map_err(|e| malformed(resp, &e))
}

/// The error for an answer that is no readable success, decided before decoding: a body over
/// the size cap, a non-2xx status, or a 2xx saying `success: false`.
fn refusal(resp: &HttpResponse) -> Option<ApiError> {
    if let Some(oversize) = limits::oversize_body(resp) {
        return Some(oversize);
    }
    if !(200..300).contains(&resp.status) {
        return Some(error_for(resp));
    }
    if answered_success_false(&resp.body) {
        let body = serde_json::from_slice::<serde_json::Value>(&resp.body)
            .map(|v| error_body(&v))
            .unwrap_or_default();
        return Some(limits::bound_error(ApiError::BadRequest {
            status: resp.status,
            code: body.code.clone(),
            message: body
                .text()
                .map(str::to_string)
                .unwrap_or_else(|| "the server answered success: false".into()),
        }));
    }
    None
}

/// A 2xx answer that did not decode.
fn malformed(resp: &HttpResponse, e: &serde_json::Error) -> ApiError {
    limits::bound_error(ApiError::Malformed {
        status: resp.status,
        message: if e.is_data() {
            format!("unexpected shape: {e}")
        } else {
            format!("not JSON ({e}): {}", readable_text(&resp.body))
        },
    })
}

/// Whether a body is a JSON object whose `success` is exactly `false`.
fn answered_success_false(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(default)]
        success: Option<serde_json::Value>,
    }
    let looks_like_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    looks_like_object
        && serde_json::from_slice::<Envelope>(body)
            .is_ok_and(|e| e.success == Some(serde_json::Value::Bool(false)))
}

/// The error for a non-2xx answer (a 2xx gives [`ApiError::Malformed`]: it is not an error).
pub fn error_for(resp: &HttpResponse) -> ApiError {
    if let Some(oversize) = limits::oversize_body(resp) {
        return oversize;
    }
    let (code, message) = error_text(resp);
    let (code, message) = (
        code.as_deref().map(limits::bound_text),
        limits::bound_text(&message),
    );
    match resp.status {
        401 | 403 => ApiError::Unauthorized { message },
        404 => ApiError::NotFound { message },
        429 => ApiError::RateLimited {
            limits: rate_limit(resp),
            message,
        },
        400..=499 => ApiError::BadRequest {
            status: resp.status,
            code,
            message,
        },
        500..=599 => ApiError::Server {
            status: resp.status,
            message,
        },
        status => ApiError::Malformed {
            status,
            message: limits::bound_text(&format!("unexpected status: {message}")),
        },
    }
}

/// The figures of a 429: `Retry-After` and the `X-RateLimit-*` headers.
pub fn rate_limit(resp: &HttpResponse) -> RateLimit {
    let number = |name: &str| resp.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    RateLimit {
        retry_after_ms: resp.header("Retry-After").and_then(parse_retry_after),
        limit: number("X-RateLimit-Limit"),
        remaining: number("X-RateLimit-Remaining"),
        reset: number("X-RateLimit-Reset"),
    }
}

/// `Retry-After` in milliseconds. Seconds (fractions allowed) are read; an HTTP date or anything
/// else gives `None`, since the client keeps no wall clock to compare a date with.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let secs: f64 = value.trim().parse().ok()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    // `as` saturates: an absurd wait becomes u64::MAX, which no retry budget accepts.
    Some((secs * 1000.0).ceil() as u64)
}

/// The server's code and a readable message, from either error shape or from any other body.
fn error_text(resp: &HttpResponse) -> (Option<String>, String) {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&resp.body) {
        if value.is_object() {
            let body = error_body(&value);
            if let Some(text) = body.text() {
                return (body.code.clone(), text.to_string());
            }
            if let Some(code) = body.code {
                return (Some(code.clone()), code);
            }
        } else if let Some(text) = value.as_str().filter(|t| !t.trim().is_empty()) {
            return (None, text.to_string());
        }
    }
    let text = readable_text(&resp.body);
    if text.is_empty() {
        (None, format!("HTTP {} with no message", resp.status))
    } else {
        (None, text)
    }
}

/// Reads whichever fields of the two error shapes are there, ignoring ones of the wrong type.
fn error_body(value: &serde_json::Value) -> ErrorBody {
    let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
    ErrorBody {
        success: value.get("success").and_then(|v| v.as_bool()),
        error: text("error"),
        code: text("code"),
        message: text("message"),
    }
}

/// A short human-readable text from any body: an HTML page's `<title>`, else the text with tags
/// stripped and whitespace collapsed, cut to 200 characters.
pub fn readable_text(body: &[u8]) -> String {
    let raw = String::from_utf8_lossy(body);
    if let Some(title) = html_title(&raw) {
        return title;
    }
    let mut out = String::new();
    let mut in_tag = false;
    for ch in raw.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            _ => out.push(ch),
        }
    }
    cut(&collapse(&decode_entities(&out)), SNIPPET_CHARS)
}

fn html_title(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = cut(&collapse(&decode_entities(&raw[start..end])), SNIPPET_CHARS);
    (!title.is_empty()).then_some(title)
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConversationsPage, ReactResponse};

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn with_headers(mut r: HttpResponse, headers: &[(&str, &str)]) -> HttpResponse {
        r.headers
            .extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        r
    }

    #[test]
    fn ok_json_decodes_into_the_model() {
        let r = resp(
            200,
            r#"{"success":true,"messageUrn":"urn:li:x:1","emoji":"👍","react":true,"extra":1}"#,
        );
        let got: ReactResponse = classify(&r).expect("decodes");
        assert_eq!(got.message_urn, "urn:li:x:1");
        assert!(got.react);
    }

    #[test]
    fn ok_with_a_bare_array_decodes() {
        let r = resp(
            200,
            r#"[{"id":"a1","firstName":"Ada","status":"AVAILABLE"}]"#,
        );
        let got: Vec<crate::model::Account> = classify(&r).expect("decodes");
        assert_eq!(got[0].id, "a1");
    }

    #[test]
    fn ok_that_is_not_json_is_malformed_with_a_readable_snippet() {
        let r = resp(200, "<html><head><title>Login</title></head></html>");
        let err = classify::<ReactResponse>(&r).unwrap_err();
        assert_eq!(err.code(), "malformed");
        assert_eq!(err.status(), Some(200));
        assert!(err.to_string().contains("Login"), "{err}");
    }

    #[test]
    fn ok_with_truncated_json_is_malformed() {
        let err = classify::<ConversationsPage>(&resp(200, r#"{"success":true,"conv"#));
        assert!(matches!(err, Err(ApiError::Malformed { status: 200, .. })));
    }

    #[test]
    fn ok_with_the_wrong_shape_is_malformed() {
        let err = classify::<ConversationsPage>(&resp(200, r#"{"conversations": 7}"#));
        assert!(matches!(err, Err(ApiError::Malformed { .. })), "{err:?}");
    }

    #[test]
    fn success_false_in_a_200_is_a_definite_refusal_with_the_servers_words() {
        let r = resp(
            200,
            r#"{"success":false,"code":"no_sales_nav","message":"no Sales Navigator"}"#,
        );
        let err = classify::<ReactResponse>(&r).unwrap_err();
        assert_eq!(
            err,
            ApiError::BadRequest {
                status: 200,
                code: Some("no_sales_nav".into()),
                message: "no Sales Navigator".into()
            }
        );
        assert!(!err.is_ambiguous());
    }

    #[test]
    fn bad_request_reads_the_legacy_shape() {
        let err = classify::<ReactResponse>(&resp(400, r#"{"error":"Recall failed"}"#));
        assert_eq!(
            err.unwrap_err(),
            ApiError::BadRequest {
                status: 400,
                code: None,
                message: "Recall failed".into()
            }
        );
    }

    #[test]
    fn bad_request_reads_the_coded_shape() {
        let body = r#"{"success":false,"code":"message_too_long","message":"Too long"}"#;
        let err = classify::<ReactResponse>(&resp(400, body)).unwrap_err();
        assert_eq!(
            err,
            ApiError::BadRequest {
                status: 400,
                code: Some("message_too_long".into()),
                message: "Too long".into()
            }
        );
    }

    #[test]
    fn a_code_without_a_message_still_gives_a_message() {
        let err = error_for(&resp(400, r#"{"success":false,"code":"quota"}"#));
        assert_eq!(err.to_string(), "bad request: quota");
    }

    #[test]
    fn other_4xx_are_bad_requests_with_their_status() {
        let err = error_for(&resp(422, r#"{"error":"nope"}"#));
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.code(), "bad_request");
    }

    #[test]
    fn unauthorized_and_forbidden_are_unauthorized() {
        for status in [401, 403] {
            let err = error_for(&resp(status, r#"{"error":"Invalid API key"}"#));
            assert_eq!(
                err,
                ApiError::Unauthorized {
                    message: "Invalid API key".into()
                }
            );
        }
    }

    #[test]
    fn not_found_keeps_the_message() {
        let body = r#"{"success":false,"code":"not_found","message":"Account not found"}"#;
        assert_eq!(
            error_for(&resp(404, body)),
            ApiError::NotFound {
                message: "Account not found".into()
            }
        );
    }

    #[test]
    fn rate_limited_reads_retry_after_and_the_limits() {
        let r = with_headers(
            resp(429, r#"{"error":"Too many requests"}"#),
            &[
                ("retry-after", "7"),
                ("X-RateLimit-Limit", "60"),
                ("x-ratelimit-remaining", "0"),
                ("X-RateLimit-Reset", "1767225600"),
            ],
        );
        let err = error_for(&r);
        assert_eq!(err.retry_after_ms(), Some(7000));
        assert_eq!(
            err,
            ApiError::RateLimited {
                limits: RateLimit {
                    retry_after_ms: Some(7000),
                    limit: Some(60),
                    remaining: Some(0),
                    reset: Some(1767225600),
                },
                message: "Too many requests".into()
            }
        );
    }

    #[test]
    fn rate_limited_without_headers_has_no_wait() {
        let err = error_for(&resp(429, ""));
        assert_eq!(err.retry_after_ms(), None);
        assert_eq!(err.to_string(), "rate limited: HTTP 429 with no message");
    }

    #[test]
    fn retry_after_accepts_seconds_and_refuses_dates_and_garbage() {
        assert_eq!(parse_retry_after("0"), Some(0));
        assert_eq!(parse_retry_after(" 2 "), Some(2000));
        assert_eq!(parse_retry_after("1.5"), Some(1500));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-3"), None);
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(parse_retry_after("1e400"), None);
    }

    #[test]
    fn server_errors_are_server_faults_in_both_shapes() {
        let legacy = error_for(&resp(500, r#"{"error":"boom"}"#));
        assert_eq!(
            legacy,
            ApiError::Server {
                status: 500,
                message: "boom".into()
            }
        );
        let coded = error_for(&resp(
            503,
            r#"{"success":false,"code":"x","message":"down"}"#,
        ));
        assert_eq!(coded.to_string(), "server fault 503: down");
        assert!(coded.is_ambiguous());
    }

    #[test]
    fn an_html_error_page_gives_its_title() {
        let page = "<!DOCTYPE html><html><head><TITLE>502 Bad Gateway</TITLE></head>\
                    <body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
        assert_eq!(
            error_for(&resp(502, page)),
            ApiError::Server {
                status: 502,
                message: "502 Bad Gateway".into()
            }
        );
    }

    #[test]
    fn an_html_page_without_title_gives_its_text_without_tags() {
        let page = "<html><body><h1>Service   Unavailable</h1><p>Try &amp; again</p></body></html>";
        assert_eq!(
            error_for(&resp(503, page)).to_string(),
            "server fault 503: Service Unavailable Try & again"
        );
    }

    #[test]
    fn garbage_is_cut_to_a_readable_length() {
        let long = "x".repeat(1000);
        let msg = readable_text(long.as_bytes());
        assert_eq!(msg.chars().count(), SNIPPET_CHARS + 1);
        assert!(msg.ends_with('…'));
        let bytes = [0xff, 0xfe, b'o', b'k'];
        assert_eq!(readable_text(&bytes), "\u{fffd}\u{fffd}ok");
    }

    #[test]
    fn a_json_string_body_is_its_own_message() {
        assert_eq!(
            error_for(&resp(400, r#""just text""#)).to_string(),
            "bad request: just text"
        );
    }

    #[test]
    fn an_empty_body_says_the_status() {
        assert_eq!(
            error_for(&resp(404, "")),
            ApiError::NotFound {
                message: "HTTP 404 with no message".into()
            }
        );
    }

    #[test]
    fn an_unexpected_status_is_malformed() {
        let err = error_for(&resp(302, ""));
        assert_eq!(err.code(), "malformed");
        assert_eq!(err.status(), Some(302));
    }
}
