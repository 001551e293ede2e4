//! Messages of one conversation: `GET /conversations/{c}/messages`, react, recall.

use serde::{Deserialize, Serialize};

use super::Participant;

/// A file attached to a message, as upload returns it and as messages carry it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct Attachment {
    pub asset_urn: String,
    pub byte_size: u64,
    pub media_type: String,
    pub name: String,
    /// Where the file can be fetched, when the server says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A reaction tally on a message (a field the simulator adds; the hosted API may omit it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ReactionSummary {
    pub emoji: String,
    pub count: u32,
    pub viewer_reacted: bool,
}

/// One message in a conversation page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct Message {
    pub message_urn: String,
    pub text: String,
    /// Milliseconds since the epoch.
    pub sent_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_profile_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_photo: Option<String>,
    pub is_sent_by_owner: bool,
    pub has_attachment: bool,
    pub attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// Query of `GET /conversations/{c}/messages`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct MessagesQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Opaque cursor for older messages, from the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Only messages newer than this (milliseconds): polling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// Wait for LinkedIn (server default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<bool>,
}

/// `GET /conversations/{c}/messages` answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct MessagesPage {
    pub success: bool,
    pub messages: Vec<Message>,
    pub participants: Vec<Participant>,
    pub has_more: bool,
    #[serde(deserialize_with = "super::cursor::deserialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Body of `POST /conversations/{c}/messages/{m}/react`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReactRequest {
    /// Fully qualified emoji (`❤️`, not `❤`).
    pub emoji: String,
    /// `true` adds the reaction, `false` removes it.
    pub react: bool,
}

/// Answer of react.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ReactResponse {
    pub success: bool,
    pub message_urn: String,
    pub emoji: String,
    pub react: bool,
}

/// Answer of `DELETE /conversations/{c}/messages/{m}` (recall).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct RecallResponse {
    pub success: bool,
    pub message_urn: String,
}
