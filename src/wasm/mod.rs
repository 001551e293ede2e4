//! The only module that knows about JavaScript: exported functions and classes, the fetch
//! transport, storage adapters. Thin: every decision is made by the plain-Rust modules.

mod body;
pub mod boundary;
mod client;
mod deadline;
mod driver;
mod engine;
pub mod error;
mod fact_fields;
mod fetch;
pub mod idb;
mod plain;
mod promise;
mod realtime;
pub mod storage;
pub mod urn;

pub use client::{ThreadlineClient, ThreadlineClientOptions};
pub(crate) use driver::now_ms;
pub use engine::{
    CloseViewOptions, ConversationOptions, EntryOptions, OpenConversationOptions, ReactOptions,
    RecallOptions, RefreshConversationsOptions, SendCommand, ThreadlineEngine,
    ThreadlineEngineOptions,
};
pub use fetch::FetchTransport;

/// `key.with(f)`, for the module's own thread-locals. wasm32 has one thread, which never exits,
/// so a thread-local is never destroyed and `try_with` cannot fail; if it did, this traps as the
/// panic of `with` would (the module is `panic=abort`), without std's panic path in each caller
/// (issue 15: that path, with its message and `AccessError`'s `Debug`, was 436 B gzip over the
/// ten uses).
#[inline(always)]
pub(crate) fn local<T: 'static, R>(
    key: &'static std::thread::LocalKey<T>,
    f: impl FnOnce(&T) -> R,
) -> R {
    key.try_with(f).unwrap_or_else(|_| std::process::abort())
}
