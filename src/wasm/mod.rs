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
pub use engine::{
    CloseViewOptions, ConversationOptions, EntryOptions, OpenConversationOptions, ReactOptions,
    RecallOptions, RefreshConversationsOptions, SendCommand, ThreadlineEngine,
    ThreadlineEngineOptions,
};
pub use fetch::FetchTransport;
