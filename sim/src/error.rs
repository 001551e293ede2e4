//! The simulator's API errors and how each becomes an answer, in the error shape its route uses:
//! `{"error": text}` (the seed documents) or `{"success": false, "code", "message"}` (the reference).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use threadline::api::Op;
use threadline::model::ErrorBody;

/// Which error body a route answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"error": text}`.
    Legacy,
    /// `{"success": false, "code", "message"}`.
    Coded,
}

impl Shape {
    /// The seed-documented routes answer in the legacy shape; the newer ones in the coded shape.
    pub fn of(op: Op) -> Shape {
        match op {
            Op::RecentMessages | Op::Messages | Op::React | Op::Recall => Shape::Legacy,
            Op::Conversations | Op::Send | Op::Upload | Op::Accounts | Op::Premium => Shape::Coded,
        }
    }
}

/// Why a call failed; each variant maps to one status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// 400: the request is wrong, or "LinkedIn" refused it.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: missing or wrong API key.
    #[error("{message}")]
    Unauthorized { message: String },
    /// 404: no such account, conversation or message.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 429: a limit; wait `retry_after_s`.
    #[error("{message}")]
    RateLimited {
        code: &'static str,
        message: String,
        limit: u32,
        retry_after_s: u64,
        reset_epoch_s: i64,
    },
    /// Any other status (injected faults).
    #[error("{message}")]
    Status {
        status: u16,
        code: &'static str,
        message: String,
    },
}

impl SimError {
    pub fn bad(code: &'static str, message: impl Into<String>) -> SimError {
        SimError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> SimError {
        SimError::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            SimError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            SimError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            SimError::NotFound { .. } => StatusCode::NOT_FOUND,
            SimError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            SimError::Status { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            SimError::BadRequest { code, .. }
            | SimError::NotFound { code, .. }
            | SimError::RateLimited { code, .. }
            | SimError::Status { code, .. } => code,
            SimError::Unauthorized { .. } => "unauthorized",
        }
    }

    /// The answer, in `shape`.
    pub fn into_response_shaped(self, shape: Shape) -> Response {
        let status = self.status();
        let body = match shape {
            Shape::Legacy => ErrorBody::legacy(self.to_string()),
            Shape::Coded => ErrorBody::coded(self.code(), self.to_string()),
        };
        let mut res = (status, Json(body)).into_response();
        if let SimError::RateLimited {
            limit,
            retry_after_s,
            reset_epoch_s,
            ..
        } = self
        {
            let h = res.headers_mut();
            for (name, value) in [
                ("retry-after", retry_after_s.to_string()),
                ("x-ratelimit-limit", limit.to_string()),
                ("x-ratelimit-remaining", "0".to_string()),
                ("x-ratelimit-reset", reset_epoch_s.to_string()),
            ] {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    h.insert(name, v);
                }
            }
        }
        res
    }
}
