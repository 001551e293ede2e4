//! One error type for every API call, each variant saying what the caller can do about it.

use std::fmt;

/// Rate-limit figures from an answer's headers (a 429's, or any answer's) and a 429's body.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimit {
    /// How long to wait, in milliseconds: the longest of `Retry-After` (seconds or an HTTP date)
    /// and the body's `holdUntil`, else the time to `X-RateLimit-Reset`.
    pub retry_after_ms: Option<u64>,
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Used`: requests used in the window.
    pub used: Option<u64>,
    /// `X-RateLimit-Reset` as the server sent it, when a number (epoch seconds, epoch ms or
    /// seconds to wait).
    pub reset: Option<u64>,
    /// When the window resets, epoch milliseconds, whichever form the header had (ISO-8601 too).
    pub reset_at_ms: Option<u64>,
    /// The body's `holdUntil` (LinkedIn put the account on hold), epoch milliseconds.
    pub hold_until_ms: Option<u64>,
    /// `X-RateLimit-Action`: which category the request counted against.
    pub action: Option<String>,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400 (or another 4xx, or a 2xx saying `success: false`): fix the request, or LinkedIn
    /// refused it. Not worth retrying as is. `status` is 0 when the client refused it before
    /// sending (empty or over-long text, a file over 20 MB, a missing id); `code` then says why.
    #[error("bad request: {message}")]
    BadRequest {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// 401: the API key is missing or wrong; nothing works until it is fixed.
    #[error("unauthorized: {message}")]
    Unauthorized { message: String },
    /// 403: the key is fine but the workspace's trial expired or it has no active subscription;
    /// nothing works until the subscription is renewed.
    #[error("forbidden (trial expired or no active subscription): {message}")]
    Forbidden { message: String },
    /// 404: the account, conversation or message does not exist.
    #[error("not found: {message}")]
    NotFound { message: String },
    /// 429: wait (`limits.retry_after_ms`) and try again.
    #[error("rate limited: {message}")]
    RateLimited {
        limits: Box<RateLimit>,
        message: String,
    },
    /// 5xx: the server failed; a write may or may not have happened.
    #[error("server fault {status}: {message}")]
    Server { status: u16, message: String },
    /// No answer in time; a write may or may not have happened.
    #[error("timed out after {after_ms} ms")]
    Timeout { after_ms: u64 },
    /// The connection failed or dropped; a write may or may not have happened.
    #[error("network failure: {message}")]
    Network { message: String },
    /// An answer arrived but could not be read.
    #[error("malformed answer ({status}): {message}")]
    Malformed { status: u16, message: String },
}

impl ApiError {
    /// Stable machine-readable code, as it crosses to JavaScript.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { .. } => "server",
            ApiError::Timeout { .. } => "timeout",
            ApiError::Network { .. } => "network",
            ApiError::Malformed { .. } => "malformed",
        }
    }

    /// The HTTP status, when an answer arrived (`None` for a request refused before sending).
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::BadRequest { status: 0, .. } => None,
            ApiError::BadRequest { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::Malformed { status, .. } => Some(*status),
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::Forbidden { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Timeout { .. } | ApiError::Network { .. } => None,
        }
    }

    /// How long the server asked us to wait, when it said.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { limits, .. } => limits.retry_after_ms,
            _ => None,
        }
    }

    /// The server's stable code of a bad request, or the client's when it refused to send.
    pub fn reason(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// True when the request never left the client (it was refused locally).
    pub fn is_local(&self) -> bool {
        matches!(self, ApiError::BadRequest { status: 0, .. })
    }

    /// True when a write may have reached LinkedIn although it failed: never resend blindly.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            ApiError::Server { .. }
                | ApiError::Timeout { .. }
                | ApiError::Network { .. }
                | ApiError::Malformed { .. }
        )
    }
}

/// Which operation of the contract a request is (also the simulator's fault-injection names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    Conversations,
    RecentMessages,
    Messages,
    Send,
    React,
    Recall,
    Upload,
    Accounts,
    Premium,
}

impl Op {
    /// Reads may be retried; writes never are by the client.
    pub fn is_write(self) -> bool {
        matches!(self, Op::Send | Op::React | Op::Recall | Op::Upload)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Op::Conversations => "conversations",
            Op::RecentMessages => "recentMessages",
            Op::Messages => "messages",
            Op::Send => "send",
            Op::React => "react",
            Op::Recall => "recall",
            Op::Upload => "upload",
            Op::Accounts => "accounts",
            Op::Premium => "premium",
        };
        f.write_str(s)
    }
}
