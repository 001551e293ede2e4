//! The handles the engine deals in besides URN ids: which account, which outbox entry (client
//! key), which request (request id) and which on-screen view. All plain serde data.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A connected LinkedIn account (`accountId`); the empty string means the workspace default.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct AccountId(pub String);

crate::urn::byte_ordered!(AccountId);

impl AccountId {
    /// The account as the API's `accountId` parameter: `None` for the workspace default.
    pub fn as_param(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.clone())
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names one outbox entry for its whole life, across retries, restarts and tabs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct ClientKey(pub String);

crate::urn::byte_ordered!(ClientKey);

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names one request effect; its answer must carry it back. Unique within one engine instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

/// Names one command fed to an engine (`Engine::command`); its `refused` or `completed` notice
/// carries it back. Numbered from 1 per engine instance, memory only: a restarted engine
/// starts again at 1, and the commands the old one still waited on get no outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct CommandId(pub u64);

/// One place that shows a conversation (a tab, a popup); chosen by the driver.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct ViewId(pub String);

crate::urn::byte_ordered!(ViewId);
