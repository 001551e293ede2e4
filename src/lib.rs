//! Threadline core: LinkedIn URNs and canonical ids, the Messaging API wire model, the API client
//! (requests as data, answers classified), and the reconciliation engine. Plain Rust everywhere but
//! `wasm`, the only module that knows about JavaScript, and `unicode`, whose two questions of
//! non-ASCII text (alphanumeric? lowercase?) the wasm build asks the JavaScript engine.

pub mod api;
pub mod error_code;
mod json;
mod json_raw;
pub mod model;
mod number;
mod sort;
pub mod sync;
#[cfg(test)]
mod test_rng;
#[doc(hidden)]
pub mod unicode;
pub mod urn;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
