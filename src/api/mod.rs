//! The API client as data: each endpoint's request (method, path, query, body, headers) and the
//! classification of its answer, the retry policy, and a [`Client`] over a [`Transport`] trait.
//! No HTTP library here: `wasm` implements the transport with `fetch`, `native` with reqwest.

mod classify;
mod client;
pub mod endpoints;
mod engine_call;
mod error;
mod http;
pub mod limits;
mod paths;
pub mod redact;
mod retry;
mod transport;

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub mod native;

pub use classify::{
    classify, error_for, parse_retry_after, rate_limit, rate_limit_at, rate_limit_headers,
    readable_text, redirect_error, status_error, validation_issues,
};
pub use client::*;
pub use endpoints::Call;
pub use error::*;
pub use http::*;
pub use retry::*;
pub use transport::*;

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub use native::NativeTransport;

/// This machine's wall clock in epoch milliseconds, for reading a rate-limit reset that an answer
/// gives as a date without a `Date` header to compare it with.
pub fn wall_clock_ms() -> Option<i64> {
    #[cfg(target_arch = "wasm32")]
    {
        // The binding's clock: `Date.now` through a catching import (a page may patch it).
        let now = crate::wasm::now_ms();
        (now > 0).then_some(now)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        i64::try_from(since.as_millis()).ok()
    }
}
