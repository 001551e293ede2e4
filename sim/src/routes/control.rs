//! The control plane under `/__sim/` (no API key): reset, clock, faults, the request ledger, the
//! other party writing, read marks, limits, well-known ids, snapshots, the certificate, assets,
//! avatars and the event history. Errors here are `{"error": text}` with a 400 or 404.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::FaultSpec;
use crate::state::{SeedSource, Sim};
use crate::world::Person;
use crate::{life, seed};

fn fail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Parse an optional JSON body (empty means `T::default()`).
fn body_or_default<T: for<'de> Deserialize<'de> + Default>(body: &Bytes) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("Invalid JSON body: {e}"))
}

pub async fn health(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let w = sim.world();
    Json(json!({
        "ok": true,
        "name": "threadline-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "nowMs": w.now(),
        "lastSeq": w.last_seq(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetBody {
    /// Set the clock here before seeding (deterministic timestamps).
    clock_ms: Option<i64>,
    /// `"default"` or `"empty"`; omitted means what the server started with.
    seed: Option<String>,
}

pub async fn reset(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: ResetBody = match body_or_default(&body) {
        Ok(b) => b,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e),
    };
    let source = match b.seed.as_deref() {
        None => None,
        Some("default") => Some(SeedSource::Default),
        Some("empty") => Some(SeedSource::Empty),
        Some(other) => {
            return fail(
                StatusCode::BAD_REQUEST,
                format!("seed must be \"default\" or \"empty\", not {other:?}"),
            )
        }
    };
    sim.reset(b.clock_ms, source.as_ref());
    let now = sim.world().now();
    Json(json!({ "ok": true, "nowMs": now })).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockBody {
    set_ms: Option<i64>,
    advance_ms: Option<i64>,
    frozen: Option<bool>,
}

fn clock_json(sim: &Sim) -> Json<Value> {
    let w = sim.world();
    Json(json!({ "nowMs": w.now(), "frozen": w.clock.is_frozen() }))
}

pub async fn get_clock(State(sim): State<Arc<Sim>>) -> Json<Value> {
    clock_json(&sim)
}

pub async fn set_clock(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: ClockBody = match body_or_default(&body) {
        Ok(b) => b,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e),
    };
    {
        let mut w = sim.world();
        if let Some(frozen) = b.frozen {
            w.clock.freeze(frozen);
        }
        if let Some(ms) = b.set_ms {
            w.clock.set(ms);
        }
        if let Some(ms) = b.advance_ms {
            w.clock.advance(ms);
        }
    }
    clock_json(&sim).into_response()
}

/// One spec or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FaultsBody {
    One(FaultSpec),
    Many(Vec<FaultSpec>),
}

pub async fn arm_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let specs = match serde_json::from_slice::<FaultsBody>(&body) {
        Ok(FaultsBody::One(s)) => vec![s],
        Ok(FaultsBody::Many(v)) => v,
        Err(_) => {
            // Re-parse as one spec for a precise message.
            let e = serde_json::from_slice::<FaultSpec>(&body)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| "expected a fault spec or a list of them".into());
            return fail(StatusCode::BAD_REQUEST, format!("Invalid fault: {e}"));
        }
    };
    for s in &specs {
        if let Err(e) = s.validate() {
            return fail(StatusCode::BAD_REQUEST, format!("Invalid fault: {e}"));
        }
    }
    let mut board = sim.faults();
    for s in specs {
        board.arm(s);
    }
    Json(json!({ "ok": true, "armed": board.list() })).into_response()
}

pub async fn list_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "armed": sim.faults().list() }))
}

pub async fn clear_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.faults().clear();
    Json(json!({ "ok": true }))
}

pub async fn requests(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.log().snapshot()).into_response()
}

pub async fn reset_requests(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.log().clear();
    Json(json!({ "ok": true }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IncomingBody {
    account_id: Option<String>,
    conversation_urn: String,
    text: String,
    sender_profile_id: Option<String>,
}

pub async fn incoming(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: IncomingBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("Invalid JSON body: {e}")),
    };
    let mut w = sim.world();
    match life::incoming(
        &mut w,
        b.account_id.as_deref(),
        &b.conversation_urn,
        &b.text,
        b.sender_profile_id.as_deref(),
    ) {
        Ok((conversation_urn, message)) => Json(json!({
            "ok": true,
            "conversationUrn": conversation_urn,
            "message": message,
        }))
        .into_response(),
        Err(e) => fail(e.status(), e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReadBody {
    account_id: Option<String>,
    conversation_urn: String,
}

pub async fn mark_read(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: ReadBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("Invalid JSON body: {e}")),
    };
    let mut w = sim.world();
    let Some(acct) = w.account_or_default(b.account_id.as_deref()).cloned() else {
        return fail(StatusCode::NOT_FOUND, "Account not found");
    };
    let Some(ti) = w
        .thread_index(&b.conversation_urn)
        .filter(|&ti| w.sees(&acct, ti))
    else {
        return fail(
            StatusCode::NOT_FOUND,
            "Conversation not found for this account",
        );
    };
    w.mark_read(ti, &acct);
    Json(json!({ "ok": true })).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountsBody {
    account_id: String,
    connected: bool,
}

/// `POST /__sim/accounts` `{"accountId", "connected": false}`: the account leaves `GET /accounts`
/// (the workspace no longer has it) while the LinkedIn-shaped page can still show its mailbox
/// (`?account=`), as when a member signed in on LinkedIn is not connected to the key; `true`
/// brings it back. A reset connects every account again.
pub async fn accounts(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: AccountsBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("Invalid JSON body: {e}")),
    };
    let mut w = sim.world();
    let Some(a) = w.data.accounts.iter_mut().find(|a| a.id == b.account_id) else {
        return fail(StatusCode::NOT_FOUND, "Account not found");
    };
    a.connected = b.connected;
    Json(json!({ "accountId": a.id, "connected": a.connected })).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitsBody {
    writes_per_minute: Option<u32>,
    daily_new_conversations: Option<u32>,
}

pub async fn limits(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: LimitsBody = match body_or_default(&body) {
        Ok(b) => b,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e),
    };
    let mut w = sim.world();
    if let Some(n) = b.writes_per_minute {
        w.writes_per_minute = n;
    }
    if let Some(n) = b.daily_new_conversations {
        w.daily_new_conversations = n;
    }
    Json(json!({
        "writesPerMinute": w.writes_per_minute,
        "dailyNewConversations": w.daily_new_conversations,
    }))
    .into_response()
}

/// `GET /__sim/dialect`: the dialect and subscription state; `POST` with `{"dialect":
/// "clean"|"mixed", "subscription": "active"|"expired"}` switches them (fields left out are
/// reset to their defaults).
pub async fn dialect(
    State(sim): State<Arc<Sim>>,
    method: axum::http::Method,
    body: Bytes,
) -> Response {
    if method == axum::http::Method::POST {
        let state: crate::dialect::DialectState = match body_or_default(&body) {
            Ok(b) => b,
            Err(e) => return fail(StatusCode::BAD_REQUEST, e),
        };
        sim.set_dialect(state);
    }
    Json(sim.dialect()).into_response()
}

pub async fn seed_ids() -> Json<Value> {
    Json(seed::ids_json())
}

pub async fn snapshot(State(sim): State<Arc<Sim>>) -> Response {
    Json(sim.world().data.clone()).into_response()
}

pub async fn cert(State(sim): State<Arc<Sim>>) -> Response {
    match &sim.cert_pem {
        Some(pem) => {
            let mut res = pem.clone().into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-pem-file"),
            );
            res
        }
        None => fail(
            StatusCode::NOT_FOUND,
            "HTTPS is off: start with --https-port",
        ),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsQuery {
    after_seq: Option<u64>,
}

pub async fn events(State(sim): State<Arc<Sim>>, Query(q): Query<EventsQuery>) -> Json<Value> {
    let w = sim.world();
    Json(json!({
        "lastSeq": w.last_seq(),
        "events": w.events_after(q.after_seq.unwrap_or(0)),
    }))
}

pub async fn asset(State(sim): State<Arc<Sim>>, Path(urn): Path<String>) -> Response {
    let w = sim.world();
    let Some(a) = w.data.assets.get(&urn) else {
        return fail(StatusCode::NOT_FOUND, "No such asset");
    };
    let mut res = a.bytes.clone().into_response();
    if let Ok(v) = HeaderValue::from_str(&a.attachment.media_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}

/// An SVG avatar with the person's initials (no external image hosts needed).
pub async fn avatar(State(sim): State<Arc<Sim>>, Path(file): Path<String>) -> Response {
    let id = file.trim_end_matches(".svg");
    let w = sim.world();
    let (initials, hue) = match w.person(id) {
        Some(p) => (initials(p), hue(&p.profile_id)),
        None => ("?".to_string(), 0),
    };
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\">\
<rect width=\"64\" height=\"64\" rx=\"32\" fill=\"hsl({hue},45%,45%)\"/>\
<text x=\"32\" y=\"40\" font-family=\"sans-serif\" font-size=\"24\" fill=\"#fff\" \
text-anchor=\"middle\">{}</text></svg>",
        crate::linkedin_page::escape(&initials)
    );
    let mut res = svg.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    res
}

fn initials(p: &Person) -> String {
    p.first_name
        .chars()
        .take(1)
        .chain(p.last_name.chars().take(1))
        .collect()
}

fn hue(s: &str) -> u32 {
    s.bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360
}
