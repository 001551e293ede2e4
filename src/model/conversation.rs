//! Conversation lists: `GET /conversations` and the older `GET /messaging/recent-messages`.

use serde::{Deserialize, Serialize};

use super::{lenient, SkippedItem};

/// A person in a conversation. The list endpoints send a subset; recent-messages sends the rest.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(deserialize_with = "lenient::string")]
    pub profile_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::web_url")]
    #[serde(default)]
    pub profile_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub profile_picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub distance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub member_badge_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub participant_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub backend_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub host_identity_urn: Option<String>,
}

/// The preview of a conversation's newest message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LatestMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub message_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub backend_message_urn: Option<String>,
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
    pub sender_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::web_url")]
    #[serde(default)]
    pub sender_profile_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub sender_urn: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_attachment: bool,
}

/// Where a conversation lives: the normal inbox, Sales Navigator, or a source this client does not
/// know yet, kept as the server wrote it (never guessed as the inbox).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConversationSource {
    SalesNavigator,
    LinkedinInbox,
    Other(String),
}

impl ConversationSource {
    /// The value as it goes on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ConversationSource::SalesNavigator => "sales_navigator",
            ConversationSource::LinkedinInbox => "linkedin_inbox",
            ConversationSource::Other(s) => s,
        }
    }
}

impl From<String> for ConversationSource {
    fn from(s: String) -> Self {
        match s.as_str() {
            "sales_navigator" => ConversationSource::SalesNavigator,
            "linkedin_inbox" => ConversationSource::LinkedinInbox,
            _ => ConversationSource::Other(s),
        }
    }
}

lenient::string_enum!(ConversationSource);

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const CONVERSATION_SOURCE_TS: &'static str = r#"
/** Where a conversation lives; a source this client does not know is kept as the server wrote it. */
export type ConversationSource = "sales_navigator" | "linkedin_inbox" | (string & {});
"#;

/// One conversation in a list. The recent-messages endpoint fills the richer optional fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(deserialize_with = "lenient::string")]
    pub conversation_urn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub conversation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub backend_conversation_urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::web_url")]
    #[serde(default)]
    pub conversation_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_timestamp")]
    #[serde(default)]
    pub last_activity_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_timestamp")]
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_timestamp")]
    #[serde(default)]
    pub last_read_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_flag")]
    #[serde(default)]
    pub is_read: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub state: Option<String>,
    #[serde(deserialize_with = "lenient::count")]
    pub unread_count: u32,
    #[serde(deserialize_with = "lenient::list")]
    pub participants: Vec<Participant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::object")]
    #[serde(default)]
    pub latest_message: Option<LatestMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_parsed")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ConversationSource"))]
    #[serde(default)]
    pub source: Option<ConversationSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub sales_nav_thread_id: Option<String>,
    /// The account this conversation was listed for (multi-account batches; a simulator extra).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub account_id: Option<String>,
}

/// An account named in a multi-account conversation list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub name: Option<String>,
}

/// Query of `GET /conversations`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ListConversationsQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Several accounts at once; sent comma-separated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub linkedin_account_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labeled_only: Option<bool>,
    /// Only conversations with unread messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_only: Option<bool>,
}

/// `GET /conversations` answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ConversationsPage {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(deserialize_with = "lenient::list")]
    pub conversations: Vec<Conversation>,
    #[serde(deserialize_with = "lenient::list")]
    pub accounts: Vec<AccountRef>,
    #[serde(deserialize_with = "super::cursor::deserialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_flag")]
    #[serde(default)]
    pub from_cache: Option<bool>,
    /// Conversations of this page that could not be read, left out (filled by the client).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient::list"
    )]
    #[serde(default)]
    pub skipped: Vec<SkippedItem>,
}

/// Query of `GET /messaging/recent-messages`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct RecentMessagesQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Sent as the strings `"true"` / `"false"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
}

/// `GET /messaging/recent-messages` answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RecentMessagesPage {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub profile_urn: Option<String>,
    #[serde(deserialize_with = "lenient::list")]
    pub conversations: Vec<Conversation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_count")]
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(deserialize_with = "super::cursor::deserialize")]
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// The list endpoint's fields: the older endpoint now answers with a 307 to
    /// `GET /conversations`, so its page may carry them.
    #[serde(deserialize_with = "lenient::list")]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[serde(default)]
    pub accounts: Vec<AccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_flag")]
    #[serde(default)]
    pub has_more: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_flag")]
    #[serde(default)]
    pub from_cache: Option<bool>,
    /// Conversations of this page that could not be read, left out (filled by the client).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient::list"
    )]
    #[serde(default)]
    pub skipped: Vec<SkippedItem>,
}
