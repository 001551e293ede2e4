//! Dialects: the other shapes the hosted API is documented to answer in (see
//! `docs/api-contract.md`), so that clients are tested against the API as it really answers.
//!
//! `clean` (the default) answers exactly as the model types serialize. `mixed` rewrites every
//! answer into the documented variants, varying them from item to item:
//! - timestamps as ISO-8601 strings, numeric strings, epoch seconds (when exact) or numbers;
//! - empty collections and texts as `null`, optional fields as explicit `null`;
//! - some messages carrying `messageId` instead of `messageUrn`;
//! - the send answer with the status text in `message` ("Message sent successfully"), its ids
//!   flat (`messageId`, `accountId`), every other one wrapped in `data`;
//! - `X-RateLimit-*` headers on every answer (reset as ISO-8601), 429s without `Retry-After` but
//!   with an ISO reset, `X-RateLimit-Used`/`-Action` and a `holdUntil` in the body;
//! - error bodies as `{"success": false, "error": text}`;
//! - the older `GET /messaging/recent-messages` answered with a 307 to `GET /conversations`.
//!
//! Independently of the dialect, `subscription: "expired"` answers every API call with the 403
//! of an expired trial.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use threadline::api::Op;
use threadline::model::time::{http_date_from_ms, iso_from_ms};

use crate::error::SimError;

/// Which shapes the simulator answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// The model types as they serialize.
    #[default]
    Clean,
    /// Every documented variant, mixed.
    Mixed,
}

impl std::str::FromStr for Dialect {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "clean" => Ok(Dialect::Clean),
            "mixed" => Ok(Dialect::Mixed),
            other => Err(format!("unknown dialect {other:?}: clean or mixed")),
        }
    }
}

/// The dialect switch and the subscription state (`POST /__sim/dialect`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DialectState {
    pub dialect: Dialect,
    /// `"active"` (default) or `"expired"`: every API call answers 403.
    pub subscription: Subscription,
}

/// Whether the workspace's subscription is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subscription {
    #[default]
    Active,
    Expired,
}

/// Requests per key per minute, as the reference documents (for the headers only: the simulator
/// does not refuse reads).
pub const REQUESTS_PER_MINUTE: u64 = 60;

static VARIANT: AtomicU64 = AtomicU64::new(0);

fn next_variant() -> u64 {
    VARIANT.fetch_add(1, Ordering::Relaxed)
}

/// The 403 of an expired trial, in the cookbook's shape.
pub fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({
            "success": false,
            "error": "Trial expired or no active subscription: upgrade at https://connectsafely.ai/api-key"
        })),
    )
        .into_response()
}

/// The 307 the older recent-messages endpoint answers with, to `GET /conversations` with the
/// query it understands.
pub fn recent_messages_redirect(query: &str) -> Response {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let k = p.split('=').next().unwrap_or("");
            matches!(k, "accountId" | "nextCursor" | "count")
        })
        .collect();
    let mut to = "/conversations".to_string();
    // `read=false` asks for unread conversations: the list endpoint's `unreadOnly`.
    let unread = query.split('&').any(|p| p == "read=false");
    let mut parts = kept.join("&");
    if unread {
        if !parts.is_empty() {
            parts.push('&');
        }
        parts.push_str("unreadOnly=true");
    }
    if !parts.is_empty() {
        to.push('?');
        to.push_str(&parts);
    }
    let mut res = StatusCode::TEMPORARY_REDIRECT.into_response();
    if let Ok(v) = HeaderValue::from_str(&to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// A 2xx answer in the mixed dialect.
pub fn ok(op: Op, mut body: Value, now_ms: i64, used: u64) -> Response {
    let variant = next_variant();
    mix(&mut body, variant);
    if op == Op::Send {
        body = send_answer(body, variant);
    }
    let mut res = Json(body).into_response();
    budget_headers(res.headers_mut(), now_ms, used);
    res
}

/// An error in the mixed dialect: `{"success": false, "error": text}`, and for a 429 the
/// cookbook's variant (no `Retry-After` every other time, an ISO reset, `holdUntil`).
pub fn error(e: SimError, now_ms: i64, used: u64) -> Response {
    let status = e.status();
    let text = e.to_string();
    let variant = next_variant();
    match e {
        SimError::RateLimited {
            limit,
            retry_after_s,
            ..
        } => {
            let at = now_ms + (retry_after_s as i64) * 1000;
            let mut body = json!({ "success": false, "error": text });
            if variant % 2 == 0 {
                body["holdUntil"] = Value::String(iso_from_ms(at));
            }
            let mut res = (status, Json(body)).into_response();
            let h = res.headers_mut();
            set(h, "date", &http_date_from_ms(now_ms));
            set(h, "x-ratelimit-limit", &limit.to_string());
            set(h, "x-ratelimit-remaining", "0");
            set(h, "x-ratelimit-used", &limit.to_string());
            set(h, "x-ratelimit-action", "MESSAGE");
            set(h, "x-ratelimit-reset", &iso_from_ms(at));
            if variant % 4 == 1 {
                set(h, "retry-after", &http_date_from_ms(at + 999));
            }
            res
        }
        _ => {
            let mut res =
                (status, Json(json!({ "success": false, "error": text }))).into_response();
            budget_headers(res.headers_mut(), now_ms, used);
            res
        }
    }
}

fn set(h: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

/// The per-key budget on a successful answer, as the cookbook says every answer carries it.
fn budget_headers(h: &mut HeaderMap, now_ms: i64, used: u64) {
    let used = used.min(REQUESTS_PER_MINUTE);
    let reset = (now_ms.div_euclid(60_000) + 1) * 60_000;
    set(h, "date", &http_date_from_ms(now_ms));
    set(h, "x-ratelimit-limit", &REQUESTS_PER_MINUTE.to_string());
    set(h, "x-ratelimit-used", &used.to_string());
    set(
        h,
        "x-ratelimit-remaining",
        &(REQUESTS_PER_MINUTE - used).to_string(),
    );
    set(h, "x-ratelimit-reset", &iso_from_ms(reset));
}

const TIME_KEYS: [&str; 4] = ["sentAt", "lastActivityAt", "createdAt", "lastReadAt"];
const NULLABLE_LISTS: [&str; 3] = ["attachments", "reactions", "participants"];
const NULLABLE_TEXTS: [&str; 5] = ["text", "senderPhoto", "headline", "profilePicture", "note"];

/// Rewrites every object of an answer: timestamps, `null`s, `messageId`.
fn mix(v: &mut Value, seed: u64) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                mix(item, seed.wrapping_add(i as u64));
            }
        }
        Value::Object(o) => {
            mix_object(o, seed);
            for (i, (_, child)) in o.iter_mut().enumerate() {
                mix(child, seed.wrapping_mul(31).wrapping_add(i as u64));
            }
        }
        _ => {}
    }
}

fn mix_object(o: &mut Map<String, Value>, seed: u64) {
    for key in TIME_KEYS {
        if let Some(ms) = o.get(key).and_then(Value::as_i64) {
            let form = (seed.wrapping_add(ms as u64)) % 4;
            let new = match form {
                0 => Value::String(iso_from_ms(ms)),
                1 => Value::String(ms.to_string()),
                2 if ms % 1000 == 0 => json!(ms / 1000),
                _ => json!(ms),
            };
            o.insert(key.into(), new);
        }
    }
    for key in NULLABLE_LISTS {
        if o.get(key)
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            o.insert(key.into(), Value::Null);
        }
    }
    for key in NULLABLE_TEXTS {
        match o.get(key) {
            Some(Value::String(s)) if s.is_empty() => {
                o.insert(key.into(), Value::Null);
            }
            None if key != "text" && o.contains_key("profileId") => {
                o.insert(key.into(), Value::Null);
            }
            _ => {}
        }
    }
    // One message in three names itself by `messageId` instead of `messageUrn`.
    if seed % 3 == 2 && o.contains_key("isSentByOwner") {
        if let Some(urn) = o.remove("messageUrn") {
            o.insert("messageId".into(), urn);
        }
    }
    if o.contains_key("hasMore") && !o.contains_key("cursor") && o.contains_key("messages") {
        o.insert("cursor".into(), Value::Null);
    }
}

/// The send answer as documented elsewhere: status text in `message`, ids flat, and every other
/// one wrapped in `data`.
fn send_answer(body: Value, variant: u64) -> Value {
    let Value::Object(mut o) = body else {
        return body;
    };
    let urn = o
        .get("sentMessage")
        .and_then(|s| s.get("messageUrn").or_else(|| s.get("messageId")))
        .cloned();
    o.insert("message".into(), json!("Message sent successfully"));
    if let Some(urn) = urn {
        o.insert("messageId".into(), urn);
    }
    if variant % 2 == 0 {
        o.remove("sentMessage");
        Value::Object(o)
    } else {
        let success = o.remove("success").unwrap_or(json!(true));
        json!({ "success": success, "data": Value::Object(o) })
    }
}

/// The dialect a test harness starts its simulator in: `THREADLINE_TEST_DIALECT` when set, else
/// `mixed` for a test binary whose name says `mixed` (the suites' `*_mixed.rs` twins, which run
/// the same tests again so that one `cargo test` covers both dialects), else `clean`.
pub fn for_tests() -> Dialect {
    if let Some(d) = std::env::var("THREADLINE_TEST_DIALECT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return d;
    }
    let mixed = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .is_some_and(|n| n.contains("mixed"));
    if mixed {
        Dialect::Mixed
    } else {
        Dialect::Clean
    }
}
