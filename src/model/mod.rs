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
mod readers;
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
use serde_json::value::RawValue;
use serde_json::Value;

use lenient::{Members, Read};

/// An answer of the API, decoded from a JSON document. Pages override [`Answer::from_json`] to
/// read their items one by one; everything else decodes as a whole.
pub trait Answer: DeserializeOwned {
    /// Decodes the answer from a document checked to be JSON ([`lenient::json_document`]);
    /// `Err` only when nothing usable is in it (the text says why).
    fn from_json(json: &RawValue) -> Result<Self, String>;

    /// [`Answer::from_json`] of a parsed document.
    fn from_value(value: Value) -> Result<Self, String> {
        let text = value.to_string();
        let json = serde_json::from_str::<&RawValue>(&text).map_err(|e| e.to_string())?;
        Self::from_json(json)
    }
}

/// The members of an answer that must be an object.
fn object(json: &RawValue) -> Result<Members<'_>, String> {
    Members::parse(json).ok_or_else(|| format!("expected an object, got {}", lenient::short(json)))
}

/// An answer that is one object, read as a whole.
fn whole<T: Read>(json: &RawValue) -> Result<T, String> {
    T::read(&object(json)?)
}

fn message_aliases(m: &mut Members<'_>) {
    lenient::alias(m, "messageUrn", &["messageId", "backendMessageUrn"]);
}

fn conversation_aliases(c: &mut Members<'_>) {
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
    fn from_json(json: &RawValue) -> Result<Self, String> {
        let mut members = object(json)?;
        let (messages, skipped) =
            lenient::sift_items(&mut members, "messages", message_aliases, |m: &Message| {
                &m.message_urn
            });
        let mut page = MessagesPage::read(&members)?;
        page.messages = messages;
        page.skipped = skipped;
        Ok(page)
    }
}

/// A page whose items are `conversations`: its readable conversations, the envelope, and the
/// items left out, put together by `assemble`.
fn conversation_page<P: Read>(
    json: &RawValue,
    assemble: fn(&mut P, Vec<Conversation>, Vec<SkippedItem>),
) -> Result<P, String> {
    let mut members = object(json)?;
    let (conversations, skipped) = lenient::sift_items(
        &mut members,
        "conversations",
        conversation_aliases,
        conversation_id_of,
    );
    let mut page = P::read(&members)?;
    assemble(&mut page, conversations, skipped);
    Ok(page)
}

impl Answer for ConversationsPage {
    fn from_json(json: &RawValue) -> Result<Self, String> {
        conversation_page(json, |p: &mut Self, c, s| {
            p.conversations = c;
            p.skipped = s;
        })
    }
}

impl Answer for RecentMessagesPage {
    fn from_json(json: &RawValue) -> Result<Self, String> {
        conversation_page(json, |p: &mut Self, c, s| {
            p.conversations = c;
            p.skipped = s;
        })
    }
}

impl Answer for SendResponse {
    /// Also reads the wrapped form `{"success": true, "data": {…}}`.
    fn from_json(json: &RawValue) -> Result<Self, String> {
        let mut members = object(json)?;
        if let Some(data) = members.take("data").and_then(Members::parse) {
            members.merge_missing(data);
        }
        SendResponse::read(&members)
    }
}

impl Answer for Vec<Account> {
    /// A bare array; an entry that is not an account is left out.
    fn from_json(json: &RawValue) -> Result<Self, String> {
        if let Some(items) = lenient::array(json) {
            return Ok(items
                .into_iter()
                .filter_map(|item| lenient::decode_raw::<Account>(item).ok())
                .filter(|a| !a.id.trim().is_empty())
                .collect());
        }
        match Members::parse(json) {
            // Some routes wrap lists: `{"accounts": […]}`.
            Some(o) => match o.get("accounts") {
                Some(list) if lenient::array(list).is_some() => Self::from_json(list),
                _ => Err("expected an array of accounts".into()),
            },
            None => Err(format!("expected an array, got {}", lenient::short(json))),
        }
    }
}

impl Answer for ReactResponse {
    fn from_json(json: &RawValue) -> Result<Self, String> {
        whole(json)
    }
}

impl Answer for RecallResponse {
    fn from_json(json: &RawValue) -> Result<Self, String> {
        whole(json)
    }
}

impl Answer for UploadResponse {
    fn from_json(json: &RawValue) -> Result<Self, String> {
        whole(json)
    }
}

impl Answer for PremiumStatus {
    fn from_json(json: &RawValue) -> Result<Self, String> {
        whole(json)
    }
}

/// Deserialize an optional cursor the server may give as a string or as a number.
pub(crate) mod cursor {
    use serde::{Deserialize, Deserializer};

    /// A string or a number; `null`, an empty string or any other value is no cursor.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(super::lenient::read::cursor(
            super::lenient::Scalar::deserialize(d)?,
        ))
    }
}
