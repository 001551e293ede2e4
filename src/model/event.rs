//! Realtime change events pushed over the server's WebSocket. The hosted API does not publish a
//! format; this is the simulator's, and the client treats every event as a hint to reconcile.

use serde::{Deserialize, Serialize};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum ServerEventKind {
    MessageCreated,
    MessageRecalled,
    ReactionChanged,
    ConversationRead,
    /// Any event type this client does not know: ignored.
    #[serde(other)]
    Unknown,
}

/// One pushed event. `seq` grows by one per event, so a client notices a gap and resyncs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ServerEvent {
    pub seq: u64,
    #[serde(rename = "type")]
    pub kind: ServerEventKind,
    /// Server time of the change, milliseconds.
    #[serde(default)]
    pub at: i64,
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub conversation_urn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub react: Option<bool>,
    /// Who reacted (a profile id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}
