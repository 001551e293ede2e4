//! Wire types for every request and response of the API contract (serde, camelCase).
//! Decoding bends (`lenient`): unknown fields are ignored, `null` means absent, a value of another
//! documented type is read for what it means, timestamps of every documented form become epoch
//! milliseconds (`time`), and a page is read item by item ([`Answer`]) so that one bad item is
//! reported, not fatal. The simulator serializes these same types, so client and server cannot
//! drift apart.

mod account;
mod conversation;
mod error;
mod event;
pub mod lenient;
mod message;
mod send;
pub mod time;

pub use account::*;
pub use conversation::*;
pub use error::*;
pub use event::*;
pub use lenient::SkippedItem;
pub use message::*;
pub use send::*;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// An answer of the API, decoded from a JSON document. Pages override [`Answer::from_value`] to
/// read their items one by one; everything else decodes as a whole.
pub trait Answer: DeserializeOwned {
    /// Decodes the answer; `Err` only when nothing usable is in it (the text says why).
    fn from_value(value: Value) -> Result<Self, String> {
        if !value.is_object() {
            return Err(format!(
                "expected an object, got {}",
                lenient::short(&value)
            ));
        }
        lenient::decode(value).map_err(|e| e.to_string())
    }
}

fn envelope<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    if !value.is_object() {
        return Err(format!("expected an object, got {}", lenient::short(value)));
    }
    lenient::decode(value.clone()).map_err(|e| e.to_string())
}

fn message_aliases(m: &mut serde_json::Map<String, Value>) {
    lenient::alias(m, "messageUrn", &["messageId", "backendMessageUrn"]);
}

fn conversation_aliases(c: &mut serde_json::Map<String, Value>) {
    lenient::alias(c, "conversationUrn", &["backendConversationUrn"]);
}

/// A conversation's id: its URN, else the bare `conversationId` (the engine reads either).
fn conversation_id_of(c: &Conversation) -> &str {
    match c.conversation_id.as_deref() {
        Some(id) if c.conversation_urn.trim().is_empty() => id,
        _ => &c.conversation_urn,
    }
}

impl Answer for MessagesPage {
    fn from_value(mut value: Value) -> Result<Self, String> {
        let (messages, skipped) =
            lenient::sift_items(&mut value, "messages", message_aliases, |m: &Message| {
                &m.message_urn
            });
        let mut page: MessagesPage = envelope(&value)?;
        page.messages = messages;
        page.skipped = skipped;
        Ok(page)
    }
}

/// A page whose items are `conversations`: its readable conversations, the envelope, and the
/// items left out, put together by `assemble`.
fn conversation_page<P: DeserializeOwned>(
    mut value: Value,
    assemble: fn(&mut P, Vec<Conversation>, Vec<SkippedItem>),
) -> Result<P, String> {
    let (conversations, skipped) = lenient::sift_items(
        &mut value,
        "conversations",
        conversation_aliases,
        conversation_id_of,
    );
    let mut page: P = envelope(&value)?;
    assemble(&mut page, conversations, skipped);
    Ok(page)
}

impl Answer for ConversationsPage {
    fn from_value(value: Value) -> Result<Self, String> {
        conversation_page(value, |p: &mut Self, c, s| {
            p.conversations = c;
            p.skipped = s;
        })
    }
}

impl Answer for RecentMessagesPage {
    fn from_value(value: Value) -> Result<Self, String> {
        conversation_page(value, |p: &mut Self, c, s| {
            p.conversations = c;
            p.skipped = s;
        })
    }
}

impl Answer for SendResponse {
    /// Also reads the wrapped form `{"success": true, "data": {…}}`.
    fn from_value(mut value: Value) -> Result<Self, String> {
        if let Some(Value::Object(data)) = value.get_mut("data").map(Value::take) {
            if let Value::Object(top) = &mut value {
                for (k, v) in data {
                    top.entry(k).or_insert(v);
                }
            }
        }
        envelope(&value)
    }
}

impl Answer for Vec<Account> {
    /// A bare array; an entry that is not an account is left out.
    fn from_value(value: Value) -> Result<Self, String> {
        match value {
            Value::Array(items) => Ok(items
                .into_iter()
                .filter_map(|v| lenient::decode::<Account>(v).ok())
                .filter(|a| !a.id.trim().is_empty())
                .collect()),
            // Some routes wrap lists: `{"accounts": […]}`.
            Value::Object(mut o) => match o.remove("accounts") {
                Some(v @ Value::Array(_)) => Self::from_value(v),
                _ => Err("expected an array of accounts".into()),
            },
            other => Err(format!("expected an array, got {}", lenient::short(&other))),
        }
    }
}

impl Answer for ReactResponse {}
impl Answer for RecallResponse {}
impl Answer for UploadResponse {}
impl Answer for PremiumStatus {}

/// Deserialize an optional cursor the server may give as a string or as a number.
pub(crate) mod cursor {
    use serde::{Deserialize, Deserializer};

    /// A string or a number; `null`, an empty string or any other value is no cursor.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }
}
