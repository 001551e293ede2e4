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
use super::quota::QuotaUse;
use super::store::{ConversationRecord, History, RecallCheck, StoredMessage, Tally};
use super::time::Millis;
use crate::model::lenient::{self, Read};
use crate::model::ServerEvent;

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

    /// An `Option` field of an API model type, read by the reader the client reads answers with
    /// ([`Read`]): missing or `null` is `None`. [`Read`] takes a member missing or given twice as
    /// its field readers allow, where serde's derived reader of the type (which reads each field
    /// with the same tolerant readers, so never fails on a value) refuses an object with one of
    /// `required` missing or one of `known` (its serde names) given twice: those are checked
    /// first, so the same records are refused.
    pub fn opt_model<T: Read>(
        &self,
        name: &str,
        known: &[&str],
        required: &[&str],
    ) -> Result<Option<T>, String> {
        match self.get(name)? {
            Some(raw) if raw.get() != "null" => model(raw, name, known, required).map(Some),
            _ => Ok(None),
        }
    }

    /// A list of API model values that must be there (each read as by [`Fields::opt_model`]);
    /// `null`, a non-array or an element that does not read is an error.
    pub fn models<T: Read>(
        &self,
        name: &str,
        known: &[&str],
        required: &[&str],
    ) -> Result<Vec<T>, String> {
        let Some(raw) = self.get(name)? else {
            return Err(missing(name));
        };
        let items: Vec<&RawValue> = value(raw, name)?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                model(item, name, known, required).map_err(|e| format!("{e} (item {i})"))
            })
            .collect()
    }

    /// A nested `Option` record: missing or `null` is `None`.
    pub fn record_opt<T: FromStored>(&self, name: &str) -> Result<Option<T>, String> {
        match self.get(name)? {
            Some(raw) if raw.get() != "null" => nested(raw, name).map(Some),
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

/// Field `name`'s value `raw`, an API model type, read by [`Read`] once what serde's derived
/// reader refused is checked (see [`Fields::opt_model`]).
fn model<T: Read>(
    raw: &RawValue,
    name: &str,
    known: &[&str],
    required: &[&str],
) -> Result<T, String> {
    let inner = |e: String| format!("field `{name}`: {e}");
    let members = Fields::parse(raw.get().as_bytes()).map_err(inner)?;
    for field in known {
        if members.get(field).map_err(inner)?.is_none() && required.contains(field) {
            return Err(inner(missing(field)));
        }
    }
    // Numbers out of range, as serde's reader (over `serde_json::Value`) refuses them.
    lenient::json_document(raw.get().as_bytes()).map_err(|e| inner(e.to_string()))?;
    lenient::decode_raw(raw).map_err(inner)
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
            tally: f.record_opt("tally")?,
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
            meta: f.opt_model("meta", CONVERSATION_FIELDS, CONVERSATION_REQUIRED)?,
            meta_stamp: Millis(f.req("metaStamp")?),
            read_at: Millis(f.req("readAt")?),
            history: f.record("history")?,
        })
    }
}

impl FromStored for Tally {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(Tally {
            stamp: f.req("stamp")?,
            entries: f.models("entries", SUMMARY_FIELDS, SUMMARY_FIELDS)?,
        })
    }
}

/// `ReactionSummary`'s serde names, all required.
const SUMMARY_FIELDS: &[&str] = &["emoji", "count", "viewerReacted"];

impl FromStored for QuotaUse {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(QuotaUse {
            day: f.req("day")?,
            keys: f.req("keys")?,
        })
    }
}

/// A server event (a message of the realtime socket) from its JSON text, or `None` when it does
/// not read: the same events read, to the same values, as by serde's derived reader (whose
/// error the socket dropped too).
pub fn server_event(json: &[u8]) -> Option<ServerEvent> {
    from_json(json).ok()
}

impl FromStored for ServerEvent {
    fn read(f: &Fields<'_>) -> Result<Self, String> {
        Ok(ServerEvent {
            seq: f.req("seq")?,
            kind: f.req("type")?,
            at: f.or_default("at")?,
            account_id: f.or_default("accountId")?,
            conversation_urn: f.or_default("conversationUrn")?,
            message_urn: f.opt("messageUrn")?,
            emoji: f.opt("emoji")?,
            react: f.opt("react")?,
            actor: f.opt("actor")?,
        })
    }
}

/// `Conversation`'s serde names (its derived reader refuses any of them given twice).
const CONVERSATION_FIELDS: &[&str] = &[
    "conversationUrn",
    "conversationId",
    "backendConversationUrn",
    "conversationUrl",
    "lastActivityAt",
    "createdAt",
    "lastReadAt",
    "isRead",
    "state",
    "unreadCount",
    "participants",
    "latestMessage",
    "source",
    "salesNavThreadId",
    "accountId",
];

/// `Conversation`'s fields with neither `Option` nor `#[serde(default)]`.
const CONVERSATION_REQUIRED: &[&str] = &["conversationUrn", "unreadCount", "participants"];

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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Conversation, ConversationSource, LatestMessage};
    use serde_json::{json, Value};

    /// `json` (an object) and the ways it can be wrong, each read by [`from_json`] and by serde's
    /// derived reader of `T`: both read it to the same value, or neither does (the one
    /// difference, a record given as an array, is allowed). Each member left out, `null`, given
    /// twice, of each other JSON type; a member of another name; not an object; something after
    /// it. How many read and how many were refused.
    pub(crate) fn reads_as_derived<T>(json: &str) -> (usize, usize)
    where
        T: FromStored + serde::de::DeserializeOwned + fmt::Debug,
    {
        let v: Value = serde_json::from_str(json).unwrap();
        let obj = v.as_object().unwrap();
        let mut cases = vec![
            json.to_owned(),
            format!("{json} x"),
            format!("{json}{{}}"),
            "[]".into(),
            "null".into(),
            "\"x\"".into(),
            "7".into(),
            json[..json.len() / 2].to_owned(),
        ];
        let mut extra = obj.clone();
        extra.insert("zzUnknown".into(), json!([1, {"a": null}]));
        cases.push(Value::Object(extra).to_string());
        for name in obj.keys() {
            let mut gone = obj.clone();
            gone.remove(name);
            cases.push(Value::Object(gone).to_string());
            for other in [
                Value::Null,
                json!("x"),
                json!(7),
                json!(-1.5),
                json!(1e300),
                json!(true),
                json!([]),
                json!([1]),
                json!({}),
            ] {
                let mut changed = obj.clone();
                changed.insert(name.clone(), other);
                cases.push(Value::Object(changed).to_string());
            }
            let member = serde_json::to_string(&json!({ name: obj[name] })).unwrap();
            cases.push(format!("{},{}", &member[..member.len() - 1], &json[1..]));
        }
        let (mut read, mut refused) = (0, 0);
        for case in cases {
            let ours = from_json::<T>(case.as_bytes());
            let derived = serde_json::from_str::<T>(&case).map_err(|e| e.to_string());
            match (&ours, &derived) {
                (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{case}"),
                (Err(_), Err(_)) => {}
                (Err(e), Ok(_)) if e.contains("sequence, expected a stored record") => {}
                _ => panic!("{case}\n stored_json: {ours:?}\n serde: {derived:?}"),
            }
            if ours.is_ok() {
                read += 1;
            } else {
                refused += 1;
            }
        }
        (read, refused)
    }

    /// A server event of each kind (and one of a kind this build does not know), with every
    /// field and with the optional ones left out, reads as serde's derived reader reads it.
    #[test]
    fn server_events_read_as_the_derived_reader_reads_them() {
        let full = r#"{"seq":7,"type":"reactionChanged","at":1700000000000,"accountId":"a","conversationUrn":"urn:li:msg_conversation:(urn:li:fsd_profile:A,2-x)","messageUrn":"urn:li:msg_message:(urn:li:fsd_profile:A,2-y)","emoji":"x","react":true,"actor":"p"}"#;
        let (read, refused) = reads_as_derived::<ServerEvent>(full);
        assert!(read > 10 && refused > 10, "{read} read, {refused} refused");
        for kind in [
            "messageCreated",
            "messageRecalled",
            "conversationRead",
            "somethingNew",
        ] {
            reads_as_derived::<ServerEvent>(&format!(r#"{{"seq":1,"type":"{kind}"}}"#));
        }
    }

    /// `CONVERSATION_FIELDS` names every field `Conversation` has (a field added to it fails to
    /// compile here until it is added there too), and the required ones are among them.
    #[test]
    fn the_conversation_field_list_is_complete() {
        let every = Conversation {
            conversation_urn: "u".into(),
            conversation_id: Some("i".into()),
            backend_conversation_urn: Some("b".into()),
            conversation_url: Some("l".into()),
            last_activity_at: Some(1),
            created_at: Some(2),
            last_read_at: Some(3),
            is_read: Some(true),
            state: Some("s".into()),
            unread_count: 4,
            participants: Vec::new(),
            latest_message: Some(LatestMessage::default()),
            source: Some(ConversationSource::SalesNavigator),
            sales_nav_thread_id: Some("t".into()),
            account_id: Some("a".into()),
        };
        let json = serde_json::to_value(&every).unwrap();
        let mut names: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut ours = CONVERSATION_FIELDS.to_vec();
        names.sort_unstable();
        ours.sort_unstable();
        assert_eq!(names, ours);
        assert!(CONVERSATION_REQUIRED
            .iter()
            .all(|r| CONVERSATION_FIELDS.contains(r)));
    }
}
