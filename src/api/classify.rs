//! The classification of an answer into a typed result or an [`ApiError`]: the status decides
//! the kind, the body (either error shape, or any text at all) gives the message.
//!
//! A 2xx whose body says `"success": false` is an error too: the server did not do it, and said
//! so. It becomes a [`ApiError::BadRequest`] with the 2xx status, the server's code and message,
//! so that a caller treats it as a definite refusal, never as "maybe it happened".

use serde_json::value::RawValue;

use super::{limits, ApiError, HttpResponse, RateLimit};
use crate::model::lenient::{self, Members, Scalar};
use crate::model::time::{timestamp_ms, timestamp_str_ms};
use crate::model::{Answer, ErrorBody};
use crate::number::parse_f64;

/// Longest message taken from a body that is not one of the error shapes, in characters.
const SNIPPET_CHARS: usize = 200;

/// Decodes a 2xx answer into `T`, or classifies any other answer into an [`ApiError`]. A 2xx is
/// `malformed` only when nothing usable is in it: not JSON, or not the answer's shape at all; a
/// page's unreadable items are left out and listed in its `skipped` (see [`Answer`]). A body over
/// [`limits::MAX_BODY_BYTES`] is refused before it is read, and server text in an error is cut to
/// [`limits::MAX_ERROR_TEXT_BYTES`].
pub fn classify<T: Answer>(resp: &HttpResponse) -> Result<T, ApiError> {
    // Everything but the last step is the same for every `T`, so it is one function, and so is
    // the error of that step: only `from_json` is per type.
    let json = answer_json(resp)?;
    T::from_json(json).map_err(|e| shape_error(resp.status, e))
}

/// The error of a 2xx answer whose JSON is not the answer's shape (`e` says why).
#[inline(never)]
pub(crate) fn shape_error(status: u16, e: String) -> ApiError {
    limits::bound_error(ApiError::Malformed {
        status,
        message: format!("unexpected shape: {e}"),
    })
}

/// What any answer's status alone decides: the error of a non-2xx answer or of a body over
/// [`limits::MAX_BODY_BYTES`]; `None` for a 2xx that is read on.
pub fn status_error(resp: &HttpResponse) -> Option<ApiError> {
    if let Some(oversize) = limits::oversize_body(resp) {
        return Some(oversize);
    }
    (!(200..300).contains(&resp.status)).then(|| error_for(resp))
}

/// A 2xx answer's JSON document, or the error of the answer: its status's, not JSON, or
/// `"success": false`.
pub(crate) fn answer_json(resp: &HttpResponse) -> Result<&RawValue, ApiError> {
    if let Some(err) = status_error(resp) {
        return Err(err);
    }
    let json = lenient::json_document(&resp.body).map_err(|e| {
        limits::bound_error(ApiError::Malformed {
            status: resp.status,
            message: format!("not JSON ({e}): {}", readable_text(&resp.body)),
        })
    })?;
    let refused = Members::parse(json)
        .and_then(|top| top.get("success"))
        .is_some_and(|success| success.get() == "false");
    if refused {
        let (code, message) = lenient::value_text(json)
            .and_then(json_error_text)
            .unwrap_or((None, "the server answered success: false".into()));
        return Err(limits::bound_error(ApiError::BadRequest {
            status: resp.status,
            code,
            message,
        }));
    }
    Ok(json)
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
        401 => ApiError::Unauthorized { message },
        403 => ApiError::Forbidden { message },
        404 => ApiError::NotFound { message },
        429 => ApiError::RateLimited {
            limits: Box::new(rate_limit(resp)),
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
        300..=399 => redirect_error(resp),
        status => ApiError::Malformed {
            status,
            message: limits::bound_text(&format!("unexpected status: {message}")),
        },
    }
}

/// A redirect the client did not follow: a write's (never followed: the write may or may not
/// have happened, so it is ambiguous, never a success and never re-sent), or a read's to another
/// origin (never followed with the key).
pub fn redirect_error(resp: &HttpResponse) -> ApiError {
    let to = resp
        .header("Location")
        .map(|l| readable_text(l.as_bytes()))
        .unwrap_or_else(|| "nowhere".into());
    ApiError::Malformed {
        status: resp.status,
        message: format!("redirect to {to} not followed"),
    }
}

/// The figures of a 429 (or of any answer): `Retry-After` (seconds or an HTTP date), the
/// `X-RateLimit-*` headers (reset as epoch seconds, epoch ms, seconds to wait or ISO-8601) and a
/// `holdUntil` in the body. `retry_after_ms` is the longest of what `Retry-After` and
/// `holdUntil` ask, else the time to the window's reset. "Now" is the answer's `Date` header (the
/// server's own clock), else this machine's clock.
pub fn rate_limit(resp: &HttpResponse) -> RateLimit {
    let now = resp
        .header("Date")
        .and_then(timestamp_str_ms)
        .or_else(super::wall_clock_ms)
        .unwrap_or(0);
    rate_limit_at(resp, now)
}

/// [`rate_limit`] with "now" given (epoch milliseconds).
pub fn rate_limit_at(resp: &HttpResponse, now_ms: i64) -> RateLimit {
    let number = |name: &str| {
        resp.header(name)
            .and_then(|v| parse_f64(v.trim()))
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| n as u64)
    };
    let wait_to = |at: i64| u64::try_from(at.saturating_sub(now_ms)).unwrap_or(0);
    let retry_after = resp
        .header("Retry-After")
        .and_then(|v| parse_retry_after(v).or_else(|| timestamp_str_ms(v).map(wait_to)));
    let reset_raw = resp.header("X-RateLimit-Reset").map(str::trim);
    let reset = reset_raw
        .and_then(parse_f64)
        .filter(|n| n.is_finite() && *n >= 0.0);
    let reset_at_ms = match (reset, reset_raw) {
        // Small numbers are seconds to wait; larger ones epoch seconds or milliseconds.
        (Some(n), _) if n < 1e9 => Some(now_ms.saturating_add((n * 1000.0).ceil() as i64)),
        (_, Some(v)) => timestamp_str_ms(v),
        _ => None,
    };
    let hold_until_ms = value_document(&resp.body).and_then(|b| {
        let b = lenient::resolve(b);
        let at = Members::parse(&b)?.get("holdUntil")?;
        timestamp_ms(&lenient::scalar_of(at))
    });
    let asked = match (retry_after, hold_until_ms.map(wait_to)) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    RateLimit {
        retry_after_ms: asked.or_else(|| reset_at_ms.map(wait_to)),
        limit: number("X-RateLimit-Limit"),
        remaining: number("X-RateLimit-Remaining"),
        used: number("X-RateLimit-Used"),
        reset: reset.map(|n| n as u64),
        reset_at_ms: reset_at_ms.and_then(|t| u64::try_from(t).ok()),
        hold_until_ms: hold_until_ms.and_then(|t| u64::try_from(t).ok()),
        action: resp
            .header("X-RateLimit-Action")
            .map(|a| readable_text(a.as_bytes()))
            .filter(|a| !a.is_empty()),
    }
}

/// The rate-limit figures of any answer, success included, when it carries any `X-RateLimit-*`
/// header (the cookbook: "read these on success too").
pub fn rate_limit_headers(resp: &HttpResponse) -> Option<RateLimit> {
    let any = resp
        .headers
        .iter()
        // `get`: a name from a page's own `fetch` may hold any character, byte 12 within one.
        .any(|(n, _)| {
            n.len() > 12
                && n.get(..12)
                    .is_some_and(|p| p.eq_ignore_ascii_case("x-ratelimit-"))
        });
    any.then(|| rate_limit(resp))
}

/// `Retry-After` in milliseconds when it is seconds (fractions allowed); `None` for anything else
/// (an HTTP date is read by [`rate_limit`], which knows the time).
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let secs = parse_f64(value.trim())?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    // `as` saturates: an absurd wait becomes u64::MAX, which no retry budget accepts.
    Some((secs * 1000.0).ceil() as u64)
}

/// The server's code and a readable message, from either error shape or from any other body.
fn error_text(resp: &HttpResponse) -> (Option<String>, String) {
    if let Some(found) = value_document(&resp.body).and_then(json_error_text) {
        return found;
    }
    let text = readable_text(&resp.body);
    if text.is_empty() {
        (None, format!("HTTP {} with no message", resp.status))
    } else {
        (None, text)
    }
}

/// A body that serde_json's `Value` reads (`serde_json::from_slice::<Value>` is `Ok`), as its
/// text; `None` otherwise.
fn value_document(body: &[u8]) -> Option<&RawValue> {
    lenient::value_text(serde_json::from_slice(body).ok()?)
}

/// The string `raw` is as `Value` reads it (a `RawValue` marker's text too).
fn str_of(raw: Option<&RawValue>) -> Option<String> {
    match lenient::scalar_of(raw?) {
        Scalar::String(s) => Some(s),
        _ => None,
    }
}

/// Code and message of a JSON error body: `{"error": text}`, `{"error": {"message"…, "issues":
/// […]}}` (a validation error: its issues become one readable message), `{"code", "message"}`,
/// or a bare JSON string. Read from text `Value` reads ([`lenient::value_text`]) as `Value`
/// reads it ([`lenient::resolve`], [`lenient::scalar_of`]).
fn json_error_text(json: &RawValue) -> Option<(Option<String>, String)> {
    if let Some(text) = str_of(Some(json)).filter(|t| !t.trim().is_empty()) {
        return Some((None, text));
    }
    let json = lenient::resolve(json);
    let top = Members::parse(&json)?;
    let mut body = error_body(&top);
    let nested = top.get("error").map(lenient::resolve);
    if let Some(err) = nested.as_deref().and_then(Members::parse) {
        let issues = validation_issues_of(&err);
        let own = str_of(err.get("message")).filter(|t| !t.trim().is_empty());
        body.error = match (issues.is_empty(), own) {
            (false, _) => Some(format!("invalid request: {}", issues.join("; "))),
            (true, Some(m)) => Some(m),
            (true, None) => str_of(err.get("name")),
        };
        if body.code.is_none() {
            body.code = str_of(err.get("code"))
                .or_else(|| (!issues.is_empty()).then(|| "validation".to_string()));
        }
    }
    if let Some(text) = body.text() {
        return Some((body.code.clone(), cut(text, SNIPPET_CHARS * 5)));
    }
    body.code.map(|code| (Some(code.clone()), code))
}

/// A validation error's issues as `path: message` lines (`path` dotted; `(root)` when empty),
/// from the JSON text of its `error` object; none when it is not one.
pub fn validation_issues(err: &RawValue) -> Vec<String> {
    lenient::value_text(err)
        .and_then(|err| Members::parse(&lenient::resolve(err)).map(|m| validation_issues_of(&m)))
        .unwrap_or_default()
}

fn validation_issues_of(err: &Members<'_>) -> Vec<String> {
    let Some(issues) = err.get("issues").map(lenient::resolve).and_then(|i| {
        lenient::array(&i).map(|a| a.into_iter().map(|e| e.to_owned()).collect::<Vec<_>>())
    }) else {
        return Vec::new();
    };
    issues
        .iter()
        .take(20)
        .filter_map(|issue| {
            let issue = lenient::resolve(issue);
            let issue = Members::parse(&issue);
            let field = |k: &str| issue.as_ref().and_then(|m| m.get(k));
            let message = str_of(field("message")).or_else(|| str_of(field("code")))?;
            let path: Vec<String> = field("path")
                .map(lenient::resolve)
                .and_then(|p| {
                    lenient::array(&p).map(|segs| {
                        segs.into_iter()
                            .filter_map(|seg| match lenient::scalar_of(seg) {
                                Scalar::String(s) => Some(s),
                                Scalar::Number(n) => Some(n.to_string()),
                                _ => None,
                            })
                            .collect()
                    })
                })
                .unwrap_or_default();
            let path = if path.is_empty() {
                "(root)".to_string()
            } else {
                path.join(".")
            };
            Some(cut(&format!("{path}: {message}"), SNIPPET_CHARS))
        })
        .collect()
}

/// Reads whichever fields of the two error shapes are there, ignoring ones of the wrong type.
fn error_body(top: &Members<'_>) -> ErrorBody {
    let text = |k: &str| str_of(top.get(k));
    ErrorBody {
        success: top
            .get("success")
            .and_then(|v| match lenient::scalar_of(v) {
                Scalar::Bool(b) => Some(b),
                _ => None,
            }),
        error: text("error"),
        code: text("code"),
        message: text("message"),
    }
}

/// `String::from_utf8_lossy(body)` as a `String` (each maximal invalid subsequence one U+FFFD,
/// as std's decoder), through `str::from_utf8`, which the module already holds, instead of std's
/// own chunk decoder (about 1.1 KB kept for this one caller).
fn lossy(mut body: &[u8]) -> String {
    let mut out = String::new();
    loop {
        match core::str::from_utf8(body) {
            Ok(text) => {
                out.push_str(text);
                return out;
            }
            Err(e) => {
                let (good, rest) = body.split_at(e.valid_up_to());
                out.push_str(core::str::from_utf8(good).unwrap_or_default());
                out.push('\u{FFFD}');
                match e.error_len() {
                    Some(n) => body = &rest[n..],
                    None => return out,
                }
            }
        }
    }
}

/// A short human-readable text from any body: an HTML page's `<title>`, else the text with tags
/// stripped and whitespace collapsed, cut to 200 characters.
pub fn readable_text(body: &[u8]) -> String {
    let raw = lossy(body);
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

    /// An error body read as serde_json's `Value` reads it, its `RawValue` marker rule
    /// included: a marker object is the value of its text (the `error` object, a message, an
    /// issue's path, `holdUntil`), and a marker that does not read fails the whole body, whose
    /// text is then the message, as any other body that is not JSON.
    #[test]
    fn error_bodies_read_as_serde_jsons_value_reads_them() {
        let m = r#""$serde_json::private::RawValue""#;
        let error = |body: &str| match error_for(&resp(400, body)) {
            ApiError::BadRequest { code, message, .. } => (code, message),
            other => panic!("{other:?}"),
        };
        let inner = r#"{\"message\": \"no\", \"code\": \"c\", \"issues\": [{\"path\": [\"a\", 1], \"message\": \"bad\"}]}"#;
        assert_eq!(
            error(&format!(r#"{{"error": {{{m}: "{inner}"}}}}"#)),
            (Some("c".into()), "invalid request: a.1: bad".into())
        );
        assert_eq!(
            error(&format!(
                r#"{{"error": {{"issues": [{{"path": [{{{m}: "\"p\""}}], "code": "x"}}]}}}}"#
            )),
            (Some("validation".into()), "invalid request: p: x".into())
        );
        assert_eq!(
            error(&format!(r#"{{"message": {{{m}: "\"hi\""}}}}"#)),
            (None, "hi".into())
        );
        let broken = format!(r#"{{"message": "hi", "x": [{{{m}: 5}}]}}"#);
        assert_eq!(error(&broken), (None, broken.clone()));
        let late = format!(r#"{{"message": "hi", "x": {{"a": 1, {m}: 5}}}}"#);
        assert_eq!(error(&late), (None, "hi".into()));
        let hold = |body: &str| rate_limit_at(&resp(429, body), 0).hold_until_ms;
        assert_eq!(
            hold(&format!(r#"{{"holdUntil": {{{m}: "1000"}}}}"#)),
            Some(1_000_000)
        );
        assert_eq!(
            hold(&format!(r#"{{"holdUntil": 1000, "x": {{{m}: 1}}}}"#)),
            None
        );
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
    fn ok_with_the_wrong_shape_is_malformed_but_an_odd_field_is_not() {
        for body in [r#"[{"conversations": []}]"#, r#""text""#, "null", "7"] {
            let err = classify::<ConversationsPage>(&resp(200, body));
            assert!(
                matches!(err, Err(ApiError::Malformed { .. })),
                "{body}: {err:?}"
            );
        }
        // Something usable is in it: the envelope; the odd field reads as absent.
        let page = classify::<ConversationsPage>(&resp(200, r#"{"conversations": 7}"#));
        assert_eq!(page.map(|p| p.conversations.len()), Ok(0));
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
    fn unauthorized_is_the_key_and_forbidden_is_the_subscription() {
        let err = error_for(&resp(401, r#"{"error":"Invalid API key"}"#));
        assert_eq!(
            err,
            ApiError::Unauthorized {
                message: "Invalid API key".into()
            }
        );
        let body = r#"{"success":false,"error":"Trial expired"}"#;
        let err = error_for(&resp(403, body));
        assert_eq!(
            err,
            ApiError::Forbidden {
                message: "Trial expired".into()
            }
        );
        assert_eq!((err.code(), err.status()), ("forbidden", Some(403)));
        assert!(err.to_string().contains("subscription"), "{err}");
        assert!(!err.is_ambiguous());
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
                limits: Box::new(RateLimit {
                    retry_after_ms: Some(7000),
                    limit: Some(60),
                    remaining: Some(0),
                    reset: Some(1767225600),
                    reset_at_ms: Some(1_767_225_600_000),
                    ..Default::default()
                }),
                message: "Too many requests".into()
            }
        );
    }

    /// Any header name, not only an HTTP token: a page's own `fetch` may answer with a
    /// `Response` of its making, whose names hold any character (one ending within byte 12 once
    /// made this slice panic, which kills the module).
    #[test]
    fn a_header_name_beyond_ascii_is_no_rate_limit_header() {
        for name in [
            "x-ratelimit\u{e9}",
            "x-ratelimit\u{e9}-limit",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
        ] {
            let r = with_headers(resp(200, "{}"), &[(name, "60")]);
            assert_eq!(rate_limit_headers(&r), None, "{name}");
        }
        let r = with_headers(resp(200, "{}"), &[("X-RATELIMIT-LIMIT", "60")]);
        assert_eq!(rate_limit_headers(&r).and_then(|l| l.limit), Some(60));
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

    /// `lossy` gives std's `from_utf8_lossy` text: one U+FFFD per maximal invalid subsequence
    /// (truncated sequences, overlongs, surrogates, past U+10FFFF, stray continuations, a cut end).
    #[test]
    fn lossy_decoding_is_std_s() {
        let fixed: &[&[u8]] = &[
            b"",
            b"plain",
            "h\u{e9}llo \u{1f600} \u{fffd}".as_bytes(),
            &[0xff, 0xfe, b'o', b'k'],
            &[0xe2, 0x82],
            &[0xe2, 0x82, b'a', 0xe2],
            &[0xf0, 0x9f, 0x98],
            &[0xf0, 0x9f, 0x98, b'x', 0xf0],
            &[0xc0, 0xaf, 0xe0, 0x80, 0xaf],
            &[0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf],
            &[0xf4, 0x90, 0x80, 0x80, 0xf5, 0x80],
            &[0x80, 0xbf, 0x80, b'z'],
            &[b'a', 0xf1, 0x80, 0x80, 0xe1, 0x80, 0xc2],
        ];
        for bytes in fixed {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:x?}");
        }
        // Pseudo-random bytes biased towards lead and continuation bytes.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            crate::test_rng::xorshift(&mut seed);
            let len = (seed % 12) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    let r = (seed >> (i * 5)) as u8;
                    match r % 4 {
                        0 => b'a' + r % 26,
                        1 => 0x80 | (r & 0x3f),
                        2 => 0xc0 | (r & 0x3f),
                        _ => r,
                    }
                })
                .collect();
            assert_eq!(lossy(&bytes), String::from_utf8_lossy(&bytes), "{bytes:x?}");
        }
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
