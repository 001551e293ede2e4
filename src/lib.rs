//! Threadline core: LinkedIn URNs and canonical ids, the Messaging API wire model, the API client
//! (requests as data, answers classified), and the reconciliation engine. Plain Rust everywhere but
//! `wasm`, which is the only module that knows about JavaScript.

pub mod api;
pub mod error_code;
pub mod model;
mod number;
mod sort;
pub mod sync;
pub mod urn;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
