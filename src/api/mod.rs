//! The API client as data: each endpoint's request (method, path, query, body, headers) and the
//! classification of its answer, the retry policy, and a [`Client`] over a [`Transport`] trait.
//! No HTTP library here: `wasm` implements the transport with `fetch`, `native` with reqwest.

mod classify;
mod client;
pub mod endpoints;
mod error;
mod http;
pub mod limits;
mod paths;
pub mod redact;
mod retry;
mod transport;

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub mod native;

pub use classify::{classify, error_for, parse_retry_after, rate_limit, readable_text};
pub use client::*;
pub use endpoints::Call;
pub use error::*;
pub use http::*;
pub use retry::*;
pub use transport::*;

#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
pub use native::NativeTransport;
