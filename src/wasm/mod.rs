//! The only module that knows about JavaScript: exported functions and classes, the fetch
//! transport, storage adapters. Thin: every decision is made by the plain-Rust modules.

mod client;
pub mod error;
mod fetch;
pub mod urn;

pub use client::{ThreadlineClient, ThreadlineClientOptions};
pub use fetch::FetchTransport;
