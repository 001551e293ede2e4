//! Sending: `POST /conversations/send` and `POST /conversations/upload-attachment`.

use serde::{Deserialize, Serialize};

use super::{lenient, Attachment};

/// Longest message text LinkedIn accepts, in characters.
pub const MAX_MESSAGE_CHARS: usize = 8000;
/// Largest attachment accepted, in bytes (about 20 MB).
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;
/// Requests one API key may make per minute (the reference's rate limits; bursts up to 100 per
/// 10 s are tolerated by the server, but the engine paces itself to this).
pub const REQUESTS_PER_MINUTE_PER_KEY: u32 = 60;
/// New conversations one LinkedIn account may open per UTC day.
pub const DAILY_NEW_CONVERSATION_QUOTA: u32 = 150;

/// Which inbox a message goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum MessagingChannel {
    /// The server picks Sales Navigator when the account has it.
    #[default]
    Auto,
    /// Sales Navigator; a 400 when the account has none.
    SalesNavigator,
    /// The normal inbox, even on a Sales Navigator account.
    LinkedinInbox,
}

/// An uploaded file referenced by a send: `{"file": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct AttachmentRef {
    pub file: Attachment,
}

/// Body of `POST /conversations/send`. One of `conversation_urn`, `recipient_profile_urn` or
/// `recipient_profile_id` names the other party.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct SendRequest {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_profile_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_profile_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messaging_channel: Option<MessagingChannel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

/// The message as sent, inside a send answer (the seed shows it may be `{}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SentMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub message_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_timestamp")]
    #[serde(default)]
    pub sent_at: Option<i64>,
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
}

/// Answer of `POST /conversations/send`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SendResponse {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    /// The server's words about the send ("Message sent successfully", or an echo of the text):
    /// never taken as the text that was sent, which is `sent_message.text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub message: Option<String>,
    /// The sent message's id, when the answer gives it flat instead of in `sentMessage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub message_id: Option<String>,
    /// The account that sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub recipient_profile_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::object")]
    #[serde(default)]
    pub sent_message: Option<SentMessage>,
    /// Sales Navigator thread id (Sales Navigator sends only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub thread_id: Option<String>,
    /// The conversation the message landed in (a simulator extra; absent from the hosted API).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub conversation_urn: Option<String>,
}

impl SendResponse {
    /// The sent message's URN or id, wherever the answer put it: `sentMessage.messageUrn`,
    /// `sentMessage.messageId`, or a flat `messageId`.
    pub fn sent_message_urn(&self) -> Option<&str> {
        let sent = self.sent_message.as_ref();
        [
            sent.and_then(|s| s.message_urn.as_deref()),
            sent.and_then(|s| s.message_id.as_deref()),
            self.message_id.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
    }
}

/// Answer of `POST /conversations/upload-attachment`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UploadResponse {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(deserialize_with = "lenient::object_or_default")]
    pub attachment: Attachment,
}
