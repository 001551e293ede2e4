//! Reading the stored records (issue 15): one member scanner for every record type, and per type
//! only the code that names its fields.
//!
//! [`from_json`] splits a record's JSON object into its members (raw JSON text by name,
//! [`Fields`]) and [`FromStored::read`] reads each field by name with that field type's own
//! serde reader. serde's derived readers (still there for writing, for sibling tabs' facts and
//! for native callers) cost the module one reader per record type — a field-name matcher, the
//! object reader, the array reader — each with every field type's reader inlined: about 2-3 KB
//! per type before wasm-opt, in every record type of both layouts. Here a field type's reader is
//! in the module once, shared by every record with a field of that type.
//!
//! The records read as serde's derived readers read them: the same names (camelCase), a missing
//! `Option` field or one of `null` is `None`, a missing `#[serde(default)]` field its default,
//! any other missing field, a repeated field (of a name the type has), a wrong type, or anything
//! after the object is an error, and members of other names are ignored. What differs is only
//! the wording of an error (the field is named; its position within the field, not the record)
//! and that a record given as a JSON array instead of an object, which nothing ever writes, is
//! refused.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::keys::ClientKey;
use super::outbox::OutboxEntry;
use super::store::{ConversationRecord, History, RecallCheck, StoredMessage};
use super::time::Millis;

/// A record type read from its stored JSON object, field by field (see the module's text).
pub(crate) trait FromStored: Sized {
    fn read(f: &Fields<'_>) -> Result<Self, String>;
}

/// Reads the record `json` (one JSON object, nothing after it) as `T`, or says why not.
pub(crate) fn from_json<T: FromStored>(json: &[u8]) -> Result<T, String> {
    T::read(&Fields::parse(json)?)
}

/// An object's members as raw JSON text, in their order (a repeated name is kept twice, so that
/// reading it is an error, as serde's derived reader makes it).
pub(crate) struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Fields<'a> {
    /// The members of the object `json`; serde_json's error (with its position) when `json` is
    /// not one object or has anything after it.
    pub fn parse(json: &'a [u8]) -> Result<Fields<'a>, String> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let members = de
            .deserialize_map(Split)
            .and_then(|m| de.end().map(|()| m))
            .map_err(|e| e.to_string())?;
        Ok(Fields(members))
    }

    /// Member `name`'s raw value, if it is there; an error when it is there twice. A record
    /// has a few members (17 at most): a scan, and no sort code in the module.
    fn get(&self, name: &str) -> Result<Option<&'a RawValue>, String> {
        let mut same = self.0.iter().filter(|(k, _)| k == name);
        match (same.next(), same.next()) {
            (Some(&(_, raw)), None) => Ok(Some(raw)),
            (Some(_), Some(_)) => Err(format!("duplicate field `{name}`")),
            (None, _) => Ok(None),
        }
    }

    /// A field that must be there.
    pub fn req<T: DeserializeOwned>(&self, name: &str) -> Result<T, String> {
        match self.get(name)? {
            Some(raw) => value(raw, name),
            None => Err(missing(name)),
        }
    }

    /// An `Option` field: missing or `null` is `None`.
    pub fn opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
        match self.get(name)? {
            Some(raw) if raw.get() != "null" => value(raw, name).map(Some),
            _ => Ok(None),
        }
    }

    /// A `#[serde(default)]` field: missing is its default (`null` is not missing).
    pub fn or_default<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, String> {
        match self.get(name)? {
            Some(raw) => value(raw, name),
            None => Ok(T::default()),
        }
    }

    /// A nested record that must be there.
    pub fn record<T: FromStored>(&self, name: &str) -> Result<T, String> {
        match self.get(name)? {
            Some(raw) => nested(raw, name),
            None => Err(missing(name)),
        }
    }

    /// A nested `#[serde(default)]` record.
    pub fn record_or_default<T: FromStored + Default>(&self, name: &str) -> Result<T, String> {
        match self.get(name)? {
            Some(raw) => nested(raw, name),
            None => Ok(T::default()),
        }
    }

    /// A `#[serde(default)]` list of records: missing is empty; `null` or a non-array is an
    /// error, as is any element that does not read.
    pub fn records_or_default<T: FromStored>(&self, name: &str) -> Result<Vec<T>, String> {
        let Some(raw) = self.get(name)? else {
            return Ok(Vec::new());
        };
        let items: Vec<&RawValue> = value(raw, name)?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| nested(item, name).map_err(|e| format!("{e} (item {i})")))
            .collect()
    }
}

fn missing(name: &str) -> String {
    format!("missing field `{name}`")
}

/// Field `name`'s value `raw` read as `T` by its serde reader (from bytes: the module's one
/// serde_json reader type).
fn value<'a, T: Deserialize<'a>>(raw: &'a RawValue, name: &str) -> Result<T, String> {
    T::deserialize(&mut serde_json::Deserializer::from_slice(
        raw.get().as_bytes(),
    ))
    .map_err(|e| field_error(name, &e))
}

fn nested<T: FromStored>(raw: &RawValue, name: &str) -> Result<T, String> {
    from_json(raw.get().as_bytes()).map_err(|e| format!("field `{name}`: {e}"))
}

/// serde_json's error about a field's value, named by the field; its position (within the
/// field's text) left out.
fn field_error(name: &str, e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    let bare = match text.strip_suffix(&at) {
        Some(bare) if e.line() != 0 => bare,
        _ => &text,
    };
    format!("field `{name}`: {bare}")
}

/// Splits an object into its members.
struct Split;

impl<'de> Visitor<'de> for Split {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored record (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Name(name)) = map.next_key()? {
            out.push((name, map.next_value()?));
        }
        Ok(out)
    }
}

/// A member's name, borrowed from the record's text unless it has escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(s)))
            }

            fn visit_str<E>(self, s: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

// The record types of both layouts, field by field in their declared order (the serde
// attributes on each type say which fields are `Option`, `default` or required).

impl FromStored for StoredMessage {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(StoredMessage {
            id: f.req("id")?,
            conversation: f.req("conversation")?,
            message_urn: f.req("messageUrn")?,
            text: f.req("text")?,
            sent_at: Millis(f.req("sentAt")?),
            sender_profile_id: f.opt("senderProfileId")?,
            sender_name: f.opt("senderName")?,
            is_sent_by_owner: f.req("isSentByOwner")?,
            attachments: f.or_default("attachments")?,
            subject: f.opt("subject")?,
            stamp: f.req("stamp")?,
            tally: f.opt("tally")?,
            client_key: f.opt("clientKey")?.map(ClientKey),
            rev: crate::sync::Rev::new(),
        })
    }
}

impl FromStored for ConversationRecord {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(ConversationRecord {
            id: f.req("id")?,
            urn: f.req("urn")?,
            meta: f.opt("meta")?,
            meta_stamp: Millis(f.req("metaStamp")?),
            read_at: Millis(f.req("readAt")?),
            history: f.record("history")?,
        })
    }
}

impl FromStored for History {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(History {
            oldest: f.opt("oldest")?,
            cursor: f.opt("cursor")?,
            has_more: f.req("hasMore")?,
            head_loaded: f.req("headLoaded")?,
            polled_to: f.opt("polledTo")?.map(Millis),
            gap: f.or_default("gap")?,
        })
    }
}

impl FromStored for OutboxEntry {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(OutboxEntry {
            key: ClientKey(f.req("key")?),
            seq: f.req("seq")?,
            created_at: Millis(f.req("createdAt")?),
            recipient: f.req("recipient")?,
            conversation: f.opt("conversation")?,
            conversation_urn: f.opt("conversationUrn")?,
            text: f.req("text")?,
            subject: f.opt("subject")?,
            channel: f.req("channel")?,
            attachments: f.or_default("attachments")?,
            new_conversation: f.req("newConversation")?,
            state: f.req("state")?,
            check_at: f.opt("checkAt")?.map(Millis),
            attempt_at: f.opt("attemptAt")?.map(Millis),
            shown_in: f.opt("shownIn")?,
        })
    }
}

impl FromStored for RecallCheck {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(RecallCheck {
            message: f.req("message")?,
            conversation: f.req("conversation")?,
            since: f.req("since")?,
            requested: f.req("requested")?,
            ours: f.req("ours")?,
        })
    }
}
