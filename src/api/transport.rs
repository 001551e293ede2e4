//! What the client needs from the outside world: send one request with a timeout, wait, and
//! tell the time. Implemented by `fetch` in `wasm` and by `native` (reqwest + tokio) for tests.

use std::future::Future;

use super::{HttpRequest, HttpResponse};

/// Why no answer arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The timeout passed before the whole answer (status, headers and body) arrived.
    #[error("timed out")]
    Timeout,
    /// The connection failed or dropped; the text says how, for a human.
    #[error("network failure: {0}")]
    Network(String),
}

/// Sends requests and waits. Futures need not be `Send`: in the browser everything runs on one
/// thread, and natively the tests drive the client on a current-thread runtime.
pub trait Transport {
    /// Sends `req` to `url` (the request already joined to the base URL) and returns the whole
    /// answer, or `Timeout` when `timeout_ms` passes first. Any status is an `Ok` answer.
    fn send(
        &self,
        url: String,
        req: HttpRequest,
        timeout_ms: u64,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>>;

    /// Resolves after `ms` milliseconds.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;

    /// Milliseconds on a clock that never goes back (only differences are used).
    fn now_ms(&self) -> u64;

    /// Whether reads are no longer wanted (their owner closed: a closed engine drops every
    /// answer). The client then starts no read: not a first attempt, not a retry after a
    /// backoff, not the second request of a call that takes two, and asks no key for one. A
    /// write is still sent: the user asked for it. `false` unless a transport says otherwise.
    fn reads_stopped(&self) -> bool {
        false
    }
}
