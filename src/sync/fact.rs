//! Facts from other tabs are outside input: another context (or a page that can post to the
//! channel) may send anything. A fact is decoded with `serde_json` (bounded size, and its
//! recursion limit bounds depth, so no deep or cyclic value reaches a recursive decoder) and
//! checked before the engine merges any of it: ids are canonical ids (checked as they decode),
//! URNs are read by the URN parser and must name the ids they travel with, and every text and
//! list is within a bound well above what the engine itself ever broadcasts.
//!
//! The wasm binding reads a fact's `kind` first and then only that kind's fields, each by name
//! (`boundary::read_fact`, tested against [`RemoteFact::read_kind`], the same over any serde
//! reader); serde's derived reader of the internally tagged enum, which
//! `from_json` uses, buffers every field (serde's `Content`) and needs a second copy of the
//! reader of every type in a fact to read them back from that buffer (about 70 KB of the module).

use serde::de::{Deserialize, Deserializer, Error as _};

use crate::urn::{ConversationId, MessageId};

use super::effect::RemoteFact;
use super::keys::{AccountId, ClientKey};
use super::quota::QuotaUse;
use super::reaction::{Actor, ReactionFact, ReactionKey};
use super::store::StoredMessage;
use super::time::Millis;

/// Largest fact accepted as JSON, in bytes: a page of a hundred 8000-character messages, with
/// room to spare.
pub const MAX_FACT_BYTES: usize = 8 * 1024 * 1024;
/// Most messages or ids in one fact (a whole-history rescan tombstones many at once).
pub const MAX_FACT_ITEMS: usize = 20_000;
/// Longest message text kept from a fact, in bytes: 8000 characters of up to 4 bytes each.
const MAX_TEXT_BYTES: usize = 32_000;
/// Longest short field (names, emoji, keys, account ids, media types), in bytes.
const MAX_FIELD_BYTES: usize = 1024;
/// Most attachments or tally entries on one message.
const MAX_PER_MESSAGE: usize = 100;

/// Why a fact was refused; for logs and `Notice::Skipped`, never shown raw to a page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fact refused: {0}")]
pub struct FactError(pub &'static str);

fn refuse<T>(why: &'static str) -> Result<T, FactError> {
    Err(FactError(why))
}

impl RemoteFact {
    /// Decodes a fact from JSON (what a driver receives from a sibling) and checks it.
    pub fn from_json(json: &[u8]) -> Result<RemoteFact, FactError> {
        if json.len() > MAX_FACT_BYTES {
            return refuse("over the size limit (MAX_FACT_BYTES)");
        }
        // serde_json's recursion limit (128) refuses a deep or endless value before any stack
        // trouble; the reason is not kept (it may quote the input).
        let fact: RemoteFact =
            serde_json::from_slice(json).map_err(|_| FactError("not a fact (unreadable JSON)"))?;
        fact.check()?;
        Ok(fact)
    }

    /// Reads the fields of a fact whose `kind` the caller read first, each field once with its
    /// own reader (the wasm binding reads the same fields by name, `boundary::read_fact`, and
    /// its test compares the two); fields the kind does not have,
    /// `kind` itself among them, are ignored, as serde's derived reader ignores them. An unknown
    /// kind is serde's `unknown variant` error.
    pub fn read_kind<'de, D: Deserializer<'de>>(
        kind: &str,
        fields: D,
    ) -> Result<RemoteFact, D::Error> {
        Ok(match kind {
            "messages" => {
                let f = MessagesFields::deserialize(fields)?;
                RemoteFact::Messages {
                    account: f.account,
                    conversation_urn: f.conversation_urn,
                    messages: f.messages,
                }
            }
            "tombstones" => {
                let f = TombstonesFields::deserialize(fields)?;
                RemoteFact::Tombstones {
                    account: f.account,
                    ids: f.ids,
                    messages: f.messages,
                }
            }
            "reaction" => {
                let f = ReactionFields::deserialize(fields)?;
                RemoteFact::Reaction {
                    account: f.account,
                    key: f.key,
                    fact: f.fact,
                }
            }
            "quota" => {
                let f = QuotaFields::deserialize(fields)?;
                RemoteFact::Quota {
                    account: f.account,
                    quota: f.quota,
                }
            }
            "read" => {
                let f = ReadFields::deserialize(fields)?;
                RemoteFact::Read {
                    account: f.account,
                    conversation: f.conversation,
                    at: f.at,
                }
            }
            _ => return Err(D::Error::unknown_variant(kind, &FACT_KINDS)),
        })
    }

    /// The account the fact is about.
    pub fn account(&self) -> &AccountId {
        match self {
            RemoteFact::Messages { account, .. }
            | RemoteFact::Tombstones { account, .. }
            | RemoteFact::Reaction { account, .. }
            | RemoteFact::Quota { account, .. }
            | RemoteFact::Read { account, .. } => account,
        }
    }

    /// Checks every id, URN, size and count; the engine merges nothing that fails.
    pub fn check(&self) -> Result<(), FactError> {
        if !plausible_account(self.account()) {
            return refuse("not an account id");
        }
        match self {
            RemoteFact::Messages {
                conversation_urn,
                messages,
                ..
            } => {
                let conv = ConversationId::parse(conversation_urn)
                    .map_err(|_| FactError("conversationUrn is not a conversation"))?;
                count("too many messages", messages.len())?;
                for m in messages {
                    message(m)?;
                    if m.conversation != conv {
                        return refuse("a message of another conversation");
                    }
                }
            }
            RemoteFact::Tombstones { ids, messages, .. } => {
                count("too many ids", ids.len())?;
                count("too many messages", messages.len())?;
                messages.iter().try_for_each(message)?;
            }
            RemoteFact::Reaction { key, .. } => {
                if key.emoji.trim().is_empty() {
                    return refuse("empty emoji");
                }
                field("bad emoji", &key.emoji)?;
                if let Actor::Profile(p) = &key.actor {
                    field("bad actor", p)?;
                }
            }
            RemoteFact::Quota { quota, .. } => {
                count("too many quota keys", quota.keys.len())?;
                quota.keys.iter().try_for_each(client_key)?;
            }
            RemoteFact::Read { .. } => {}
        }
        Ok(())
    }
}

/// Every `kind` of fact, in the order of [`RemoteFact`]'s variants (serde's error lists them so).
pub const FACT_KINDS: [&str; 5] = ["messages", "tombstones", "reaction", "quota", "read"];

// The fields of each kind, as `RemoteFact`'s variants declare them (names, defaults); building
// the variant from them in `read_kind` names every field, so a field added to a variant and not
// here does not compile, and `tests/sync/hostile.rs` reads every variant back both ways.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessagesFields {
    account: AccountId,
    conversation_urn: String,
    messages: Vec<StoredMessage>,
}

#[derive(serde::Deserialize)]
struct TombstonesFields {
    account: AccountId,
    ids: Vec<MessageId>,
    #[serde(default)]
    messages: Vec<StoredMessage>,
}

#[derive(serde::Deserialize)]
struct ReactionFields {
    account: AccountId,
    key: ReactionKey,
    fact: ReactionFact,
}

#[derive(serde::Deserialize)]
struct QuotaFields {
    account: AccountId,
    quota: QuotaUse,
}

#[derive(serde::Deserialize)]
struct ReadFields {
    account: AccountId,
    conversation: ConversationId,
    at: Millis,
}

/// Whether an account id from outside is short and printable (the engine keys stores by it).
pub(crate) fn plausible_account(a: &AccountId) -> bool {
    a.0.len() <= MAX_FIELD_BYTES && !a.0.contains(char::is_control)
}

fn count(what: &'static str, n: usize) -> Result<(), FactError> {
    if n > MAX_FACT_ITEMS {
        return refuse(what);
    }
    Ok(())
}

fn text(what: &'static str, s: &str, max: usize) -> Result<(), FactError> {
    if s.len() > max {
        return refuse(what);
    }
    Ok(())
}

/// A short field: within `MAX_FIELD_BYTES`, no control characters.
fn field(what: &'static str, s: &str) -> Result<(), FactError> {
    text(what, s, MAX_FIELD_BYTES)?;
    // ASCII text (most of it) by its bytes: its control characters are 0x00-0x1f and 0x7f.
    let control = if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    };
    if control {
        return refuse(what);
    }
    Ok(())
}

fn client_key(k: &ClientKey) -> Result<(), FactError> {
    field("bad client key", &k.0)
}

/// One stored message from a fact: its URN names its id, and every field is within bounds.
fn message(m: &StoredMessage) -> Result<(), FactError> {
    match MessageId::parse(&m.message_urn) {
        Ok(id) if id == m.id => {}
        Ok(_) => return refuse("messageUrn names another message than id"),
        Err(_) => return refuse("messageUrn is not a message"),
    }
    text("text too long", &m.text, MAX_TEXT_BYTES)?;
    text(
        "subject",
        m.subject.as_deref().unwrap_or(""),
        MAX_TEXT_BYTES,
    )?;
    field("bad senderName", m.sender_name.as_deref().unwrap_or(""))?;
    field(
        "senderProfileId",
        m.sender_profile_id.as_deref().unwrap_or(""),
    )?;
    if let Some(k) = &m.client_key {
        client_key(k)?;
    }
    if m.attachments.len() > MAX_PER_MESSAGE {
        return refuse("too many attachments");
    }
    for a in &m.attachments {
        field("bad attachment", &a.asset_urn)?;
        field("bad attachment", &a.media_type)?;
        field("bad attachment", &a.name)?;
        text(
            "bad attachment",
            a.url.as_deref().unwrap_or(""),
            MAX_TEXT_BYTES,
        )?;
    }
    if let Some(t) = &m.tally {
        if t.entries.len() > MAX_PER_MESSAGE {
            return refuse("too many tally entries");
        }
        for e in &t.entries {
            field("bad tally", &e.emoji)?;
        }
    }
    Ok(())
}
