//! Messages of one conversation: `GET /conversations/{c}/messages`, react, recall.

use serde::{Deserialize, Serialize};

use super::{lenient, Participant, SkippedItem};

/// A file attached to a message, as upload returns it and as messages carry it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(deserialize_with = "lenient::string")]
    pub asset_urn: String,
    #[serde(deserialize_with = "lenient::size")]
    pub byte_size: u64,
    #[serde(deserialize_with = "lenient::string")]
    pub media_type: String,
    #[serde(deserialize_with = "lenient::string")]
    pub name: String,
    /// Where the file can be fetched, when the server says: an `https:` or `http:` URL only
    /// ([`lenient::read::web_url`]: a UI links to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::web_url")]
    #[serde(default)]
    pub url: Option<String>,
}

/// A reaction tally on a message (a field the simulator adds; the hosted API may omit it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReactionSummary {
    #[serde(deserialize_with = "lenient::string")]
    pub emoji: String,
    #[serde(deserialize_with = "lenient::count")]
    pub count: u32,
    #[serde(deserialize_with = "lenient::flag")]
    pub viewer_reacted: bool,
}

/// One message in a conversation page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The message's URN; a record that carries only `messageId` has it here too.
    #[serde(deserialize_with = "lenient::string")]
    pub message_urn: String,
    /// The `messageId` some records carry (instead of, or beside, `messageUrn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    pub text: String,
    /// Milliseconds since the epoch.
    #[serde(deserialize_with = "lenient::timestamp")]
    pub sent_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub sender_profile_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub sender_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub sender_photo: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    pub is_sent_by_owner: bool,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_attachment: bool,
    #[serde(deserialize_with = "lenient::list")]
    pub attachments: Vec<Attachment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "lenient::list")]
    #[serde(default)]
    pub reactions: Vec<ReactionSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
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
#[serde(rename_all = "camelCase")]
pub struct MessagesPage {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(deserialize_with = "lenient::list")]
    pub messages: Vec<Message>,
    #[serde(deserialize_with = "lenient::list")]
    pub participants: Vec<Participant>,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_more: bool,
    #[serde(deserialize_with = "super::cursor::deserialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub note: Option<String>,
    /// Messages of this page that could not be read, left out (filled by the client).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient::list"
    )]
    #[serde(default)]
    pub skipped: Vec<SkippedItem>,
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
#[serde(rename_all = "camelCase")]
pub struct ReactResponse {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(deserialize_with = "lenient::string")]
    pub message_urn: String,
    #[serde(deserialize_with = "lenient::string")]
    pub emoji: String,
    #[serde(deserialize_with = "lenient::flag")]
    pub react: bool,
}

/// Answer of `DELETE /conversations/{c}/messages/{m}` (recall).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RecallResponse {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(deserialize_with = "lenient::string")]
    pub message_urn: String,
}
