//! The path every API call takes: armed fault (latency, then a fault that replaces the answer
//! before the operation), bearer auth, the operation under the world lock, a fault armed to strike
//! after the operation took effect, and the ledger entry for whatever the client finally got.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use threadline::api::Op;

use crate::dialect::{self, Dialect, Subscription};
use crate::error::{Shape, SimError};
use crate::faults::FaultSpec;
use crate::server::ConnKill;
use crate::state::Sim;
use crate::world::World;

/// Run one API operation through faults, auth and the ledger.
pub async fn gate<T, F>(
    sim: &Arc<Sim>,
    op: Op,
    headers: &HeaderMap,
    conn: Option<ConnKill>,
    f: F,
) -> Response
where
    T: Serialize,
    F: FnOnce(&mut World) -> Result<T, SimError>,
{
    let shape = Shape::of(op);
    let fault = sim.faults().take(op);
    if let Some(ms) = fault.as_ref().and_then(|f| f.latency_ms) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(spec) = fault.as_ref().filter(|f| !f.after && f.replaces_answer()) {
        return fault_answer(sim, op, spec, conn).await;
    }
    if let Err(e) = check_key(headers, &sim.api_key) {
        let res = e.into_response_shaped(shape);
        sim.log().record(op, res.status().as_str());
        return res;
    }
    let state = sim.dialect();
    if state.subscription == Subscription::Expired {
        let res = dialect::forbidden();
        sim.log().record(op, res.status().as_str());
        return res;
    }
    let (result, now) = {
        let mut w = sim.world();
        let r = f(&mut w);
        (r, w.now())
    };
    let used = sim.count_request(now);
    let res = match (result, state.dialect) {
        (Ok(body), Dialect::Clean) => {
            sim.log().applied(op);
            Json(body).into_response()
        }
        (Ok(body), Dialect::Mixed) => {
            sim.log().applied(op);
            match serde_json::to_value(&body) {
                Ok(v) => dialect::ok(op, v, now, used),
                Err(_) => Json(body).into_response(),
            }
        }
        (Err(e), Dialect::Clean) => e.into_response_shaped(shape),
        (Err(e), Dialect::Mixed) => dialect::error(e, now, used),
    };
    if let Some(spec) = fault.as_ref().filter(|f| f.after && f.replaces_answer()) {
        return fault_answer(sim, op, spec, conn).await;
    }
    sim.log().record(op, res.status().as_str());
    res
}

/// Bearer auth: `Authorization: Bearer <key>`.
pub fn check_key(headers: &HeaderMap, key: &str) -> Result<(), SimError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(SimError::Unauthorized {
            message: "Unauthorized - missing API key: send Authorization: Bearer <key>".into(),
        });
    };
    let ok = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer") && token.trim() == key
        });
    if ok {
        Ok(())
    } else {
        Err(SimError::Unauthorized {
            message: "Unauthorized - Invalid credentials".into(),
        })
    }
}

const HTML_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const MALFORMED_BODY: &str =
    "{\"success\": true, \"conversations\": [{\"conversationUrn\": \"urn:li:msg_conver";

/// The answer an armed fault gives (or none: a dropped connection).
async fn fault_answer(sim: &Sim, op: Op, spec: &FaultSpec, conn: Option<ConnKill>) -> Response {
    if spec.drop {
        if let Some(conn) = conn {
            sim.log().record(op, "dropped");
            conn.kill();
            // The connection task drops this future along with the socket.
            std::future::pending::<()>().await;
        }
    }
    let res = if spec.html || spec.drop {
        let status = status_or(spec.status, StatusCode::BAD_GATEWAY);
        let mut res = (status, HTML_PAGE).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        res
    } else if spec.malformed {
        let status = status_or(spec.status, StatusCode::OK);
        let mut res = (status, MALFORMED_BODY).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        res
    } else {
        let status = spec.status.unwrap_or(500);
        injected_error(status, spec.retry_after_s).into_response_shaped(Shape::of(op))
    };
    sim.log().record(op, res.status().as_str());
    res
}

fn status_or(status: Option<u16>, default: StatusCode) -> StatusCode {
    status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(default)
}

/// The error an injected status answers with.
fn injected_error(status: u16, retry_after_s: Option<u64>) -> SimError {
    let message = |what: &str| format!("{what} (injected by threadline-sim)");
    match status {
        400 => SimError::bad(
            "bad_request",
            message("Bad request: LinkedIn refused the request"),
        ),
        401 => SimError::Unauthorized {
            message: message("Unauthorized - Invalid credentials"),
        },
        404 => SimError::not_found("not_found", message("Not found")),
        429 => {
            let wait = retry_after_s.unwrap_or(30);
            SimError::RateLimited {
                code: "rate_limited",
                message: message("Too many requests"),
                limit: 60,
                retry_after_s: wait,
                reset_epoch_s: (std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
                    + wait) as i64,
            }
        }
        s => SimError::Status {
            status: s,
            code: match s {
                500 => "internal_error",
                502 => "bad_gateway",
                503 => "service_unavailable",
                504 => "gateway_timeout",
                _ => "error",
            },
            message: message(&format!("Server error {s}: Failed to reach LinkedIn")),
        },
    }
}
