//! The codes of the errors the package raises itself, beside the API's ([`crate::api::ApiError`]),
//! a URN's ([`crate::urn::UrnErrorCode`]) and the engine's refusals ([`crate::sync::Refusal`]).
//! They are made in `src/wasm/` and `npm/*.js`; they are listed here, in plain Rust, so that
//! `tests/error_codes.rs` generates the package's TypeScript unions and runtime checks from one
//! list, and checks that every code those files use is in it.

use serde::{Deserialize, Serialize};

/// The `code` of a `ThreadlineError` that is not a refusal: what went wrong around the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageErrorCode {
    /// A write to the engine's storage failed; the command did not happen.
    Storage,
    /// The storage could not be opened at all (`ThreadlineEngine.open`).
    StorageUnavailable,
    /// The engine was closed before the command finished.
    Closed,
    /// An argument the engine cannot use (a malformed id of a command).
    InvalidArgument,
    /// A bug: a value could not be converted; reported instead of a crash.
    Internal,
    /// A package export was used before `init()` finished.
    NotInitialized,
    /// The tab or page that ran the engine changed while a react or recall waited for its
    /// answer: it may or may not have happened; look at the conversation (the package's host).
    HostChanged,
    /// The host does not know which conversation the viewer shows, so it acts on none
    /// (`threadline/host`).
    Unbound,
    /// The viewer's page shows the mailbox of a LinkedIn member who is not one of the connected
    /// accounts, so the host acts as no account there (`threadline/host`).
    AccountUnmatched,
    /// A command the host cannot take: an unknown type, or a viewer it does not know
    /// (`threadline/host`).
    InvalidCommand,
    /// The host has no open engine yet (`threadline/host`).
    Starting,
    /// The engine was called from inside its own step: a built-in the step called (the URN
    /// rules ask `toLowerCase` and `RegExp` about a vanity slug beyond ASCII) was replaced by
    /// one that calls the engine back. The call is refused, the step goes on; call again after.
    Busy,
}

/// The `code` of a `TypeError` the package throws for a bad argument or option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgumentErrorCode {
    /// An argument has the wrong type or shape (the message names it).
    InvalidArgument,
    /// An options object of `new ThreadlineClient` or `ThreadlineEngine.open` is wrong.
    InvalidOptions,
}
