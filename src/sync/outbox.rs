//! The outbox: every send is an entry with a client key, persisted before its request goes out,
//! one in flight per conversation (lane), and a state that never allows a blind resend.
//!
//! Echo matching: a message counts as the echo of an entry when it is in the entry's
//! conversation, `isSentByOwner`, has the same text and the same attachments (by asset URN), is
//! not already bound to another entry, and was sent at or after the entry's attempt start minus
//! the allowed clock skew. Among entries that qualify, the one whose current attempt started
//! first takes it (creation order breaks a tie), and messages are offered oldest first: the
//! server stores sends in the order they reach it, and a lane has one attempt out at a time, so
//! the earliest echo belongs to the earliest attempt. Creation order is not attempt order: a
//! failed entry retried later is older than the entry it now follows, and giving it the echo
//! of that entry would finish a send that never arrived and leave the real one shown beside
//! its own message.
//! Limit: an identical message sent from another client inside that window could be taken for
//! the echo; the send's own answer, when it comes, rebinds to the id the server named.

use serde::{Deserialize, Serialize};

use crate::model::{Attachment, MessagingChannel};
use crate::urn::{ConversationId, MessageId};

use super::keys::ClientKey;
use super::message::StoredMessage;
use super::small_map::{SmallMap, SmallSet};
use super::tagged::Tag;
use super::time::Millis;

/// Who a send goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum Recipient {
    /// An existing conversation, by any URN form.
    Conversation(String),
    /// A member by profile URN (preferred for a new conversation).
    ProfileUrn(String),
    /// A member by vanity slug; the engine cannot tell which conversation it lands in.
    ProfileSlug(String),
}

/// [`Recipient`]'s kinds, by their serde names (for its reader in `stored_json`).
pub(crate) const RECIPIENT_KINDS: [&str; 3] = ["conversation", "profileUrn", "profileSlug"];

/// The stable code of a failure: every `ApiError` code, and the engine's own. Crosses as its
/// snake_case string (`"proved_absent"`). A stored record naming a code this build does not
/// know loads as [`FailureCode::Unknown`]: a restore never fails on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    /// 400: LinkedIn (or the API) refused the request.
    BadRequest,
    /// 401: the API key is missing or wrong.
    Unauthorized,
    /// 403: no active subscription.
    Forbidden,
    /// 404: the account, conversation or message does not exist.
    NotFound,
    /// 429: too many requests.
    RateLimited,
    /// 5xx.
    Server,
    /// No answer in time.
    Timeout,
    /// The connection failed.
    Network,
    /// An answer that could not be read.
    Malformed,
    /// A send whose answer was lost, and a later poll shows it never arrived.
    ProvedAbsent,
    /// A send whose answer was lost and whose arrival cannot be checked (sent by vanity slug).
    Unverifiable,
    /// Its record could not be saved, so its request was not made.
    Storage,
    /// A recall answered ambiguously, and a later page still holds the message.
    StillThere,
    /// A code this build does not know (from a newer build's stored record).
    #[serde(other)]
    Unknown,
}

impl FailureCode {
    /// The code of an API error.
    pub fn of(e: &crate::api::ApiError) -> FailureCode {
        use crate::api::ApiError as E;
        match e {
            E::BadRequest { .. } => FailureCode::BadRequest,
            E::Unauthorized { .. } => FailureCode::Unauthorized,
            E::Forbidden { .. } => FailureCode::Forbidden,
            E::NotFound { .. } => FailureCode::NotFound,
            E::RateLimited { .. } => FailureCode::RateLimited,
            E::Server { .. } => FailureCode::Server,
            E::Timeout { .. } => FailureCode::Timeout,
            E::Network { .. } => FailureCode::Network,
            E::Malformed { .. } => FailureCode::Malformed,
        }
    }
}

/// Why something the user asked for did not happen: a code to act on, words to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub code: FailureCode,
    pub message: String,
}

impl Failure {
    /// The failure an API error is.
    pub fn of(e: &crate::api::ApiError) -> Failure {
        Failure {
            code: FailureCode::of(e),
            message: e.to_string(),
        }
    }
}

/// Why a send failed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SendFailure {
    /// An `ApiError` code, `proved_absent` / `unverifiable`, or `storage` (its record could
    /// not be saved, so it was not sent).
    pub code: FailureCode,
    pub message: String,
}

/// A Sales Navigator send made from an inbox thread, kept after it was sent so that thread still
/// shows it (its message lives in the person's Sales Navigator thread). The last
/// [`ELSEWHERE_KEPT`] per inbox thread are kept, persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElsewhereSent {
    pub key: ClientKey,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    pub sent_at: Millis,
    /// The message in the Sales Navigator thread, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_urn: Option<String>,
}

/// How many sent Sales Navigator messages an inbox thread keeps showing.
pub const ELSEWHERE_KEPT: usize = 20;

/// Where an outbox entry is in its life.
// Read by the hand-written `Deserialize` below, not serde's derived reader (issue 15); a stored
// record's by `stored_json`'s `FromStored`, which reads the same fields the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum SendState {
    /// Waiting for its lane, the key (401), a rate-limit wait, or its first turn.
    Queued,
    /// The request is out.
    #[serde(rename_all = "camelCase")]
    InFlight { started_at: Millis },
    /// The request failed in a way that may have sent it: polling for the echo.
    #[serde(rename_all = "camelCase")]
    Ambiguous {
        started_at: Millis,
        failed_at: Millis,
        error: String,
    },
    /// Not sent, for sure.
    #[serde(rename_all = "camelCase")]
    Failed {
        reason: SendFailure,
        retryable: bool,
    },
    /// On the server. `message` is None until its id is known (answer or echo);
    /// `answer_pending` while the echo came first and the request is still out.
    #[serde(rename_all = "camelCase")]
    Sent {
        message: Option<MessageId>,
        answer_pending: bool,
        started_at: Millis,
    },
}

/// Every `state` of an entry, in the order of [`SendState`]'s variants.
pub(crate) const SEND_STATES: [&str; 5] = ["queued", "inFlight", "ambiguous", "failed", "sent"];

impl<'de> Deserialize<'de> for SendState {
    /// Reads every field a state can have in one pass (they never share a name with another
    /// type), then builds the variant `state` names; serde's derived reader of the tagged enum
    /// buffered the fields first and copied every field type's reader for that buffer. Fields
    /// the state does not have are ignored, as before, when they have their declared type (a
    /// field of another state with another type, which nothing writes, is now refused).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SendState, D::Error> {
        use serde::de::Error;
        /// A field that may be absent but, when present, is read as `T` (`null` is not absence).
        struct Given<T>(Option<T>);
        impl<T> Default for Given<T> {
            fn default() -> Self {
                Given(None)
            }
        }
        impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                T::deserialize(d).map(|v| Given(Some(v)))
            }
        }
        #[derive(Default, Deserialize)]
        #[serde(rename_all = "camelCase", default)]
        struct Fields {
            state: Given<Tag>,
            started_at: Given<Millis>,
            failed_at: Given<Millis>,
            error: Given<String>,
            reason: Given<SendFailure>,
            retryable: Given<bool>,
            message: Option<MessageId>,
            answer_pending: Given<bool>,
        }
        fn need<T, E: Error>(v: Given<T>, name: &'static str) -> Result<T, E> {
            v.0.ok_or_else(|| E::missing_field(name))
        }
        let f = Fields::deserialize(d)?;
        let Tag(state) = need(f.state, "state")?;
        Ok(match state.as_str() {
            "queued" => SendState::Queued,
            "inFlight" => SendState::InFlight {
                started_at: need(f.started_at, "startedAt")?,
            },
            "ambiguous" => SendState::Ambiguous {
                started_at: need(f.started_at, "startedAt")?,
                failed_at: need(f.failed_at, "failedAt")?,
                error: need(f.error, "error")?,
            },
            "failed" => SendState::Failed {
                reason: need(f.reason, "reason")?,
                retryable: need(f.retryable, "retryable")?,
            },
            "sent" => SendState::Sent {
                message: f.message,
                answer_pending: need(f.answer_pending, "answerPending")?,
                started_at: need(f.started_at, "startedAt")?,
            },
            other => return Err(D::Error::unknown_variant(other, &SEND_STATES)),
        })
    }
}

/// Outbox lanes: one send in flight per lane.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    Conversation(ConversationId),
    Recipient(String),
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub key: ClientKey,
    /// Creation order within this account's outbox.
    pub seq: u64,
    pub created_at: Millis,
    pub recipient: Recipient,
    /// The conversation, once known (given, or learned from the answer or a conversation list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_urn: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub channel: MessagingChannel,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// This send opens a conversation no one here knew of: it counts toward the daily quota.
    pub new_conversation: bool,
    pub state: SendState,
    /// When to poll for the echo next (ambiguous, or sent without a message id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_at: Option<Millis>,
    /// When the last attempt went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_at: Option<Millis>,
    /// The inbox thread this entry is shown in while its message goes to the person's Sales
    /// Navigator thread (a Sales Navigator send from an inbox thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_in: Option<ConversationId>,
}

impl OutboxEntry {
    /// The lane this entry queues in.
    pub fn lane(&self) -> Lane {
        match (&self.conversation, &self.recipient) {
            (Some(c), Recipient::Conversation(_)) => Lane::Conversation(c.clone()),
            (
                _,
                Recipient::Conversation(u) | Recipient::ProfileUrn(u) | Recipient::ProfileSlug(u),
            ) => Lane::Recipient(u.clone()),
        }
    }

    /// Holds its lane: a request is out, or its fate is not known yet.
    pub fn blocks_lane(&self) -> bool {
        matches!(
            self.state,
            SendState::InFlight { .. }
                | SendState::Ambiguous { .. }
                | SendState::Sent {
                    answer_pending: true,
                    ..
                }
        )
    }

    /// Still counts toward the quota without being confirmed.
    pub fn reserves_quota(&self) -> bool {
        self.new_conversation
            && matches!(
                self.state,
                SendState::Queued | SendState::InFlight { .. } | SendState::Ambiguous { .. }
            )
    }

    /// Shown in its conversation as a pending or failed item (not yet a stored message).
    pub fn is_visible(&self) -> bool {
        !matches!(
            self.state,
            SendState::Sent {
                message: Some(_),
                ..
            }
        )
    }

    /// When the current attempt started, while its echo could still show up.
    fn echo_window_start(&self) -> Option<Millis> {
        match self.state {
            SendState::InFlight { started_at }
            | SendState::Ambiguous { started_at, .. }
            | SendState::Sent {
                message: None,
                started_at,
                ..
            } => Some(started_at),
            _ => None,
        }
    }

    /// Whether `m` could be this entry's echo (see the module doc).
    fn could_be_echo(&self, m: &StoredMessage, skew_ms: i64) -> bool {
        let Some(start) = self.echo_window_start() else {
            return false;
        };
        m.is_sent_by_owner
            && m.client_key.is_none()
            && self.conversation.as_ref() == Some(&m.conversation)
            && m.text == self.text
            && m.sent_at >= start.saturating_sub(skew_ms)
            && same_attachments(&m.attachments, &self.attachments)
    }
}

fn same_attachments(a: &[Attachment], b: &[Attachment]) -> bool {
    let mut x: Vec<&str> = a.iter().map(|a| a.asset_urn.as_str()).collect();
    let mut y: Vec<&str> = b.iter().map(|a| a.asset_urn.as_str()).collect();
    // The module's one sort (issue 15: `sort_unstable` was a copy of its own, with
    // `reaction_counts`'s, about 1.9 KB before wasm-opt); equal `&str`s are alike, so a stable
    // order is the same list.
    crate::sort::sort_by(&mut x, |a, b| a.cmp(b));
    crate::sort::sort_by(&mut y, |a, b| a.cmp(b));
    x == y
}

/// One account's outbox (stored as its entries, `AccountRecords::outbox`, never whole).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    pub entries: SmallMap<ClientKey, OutboxEntry>,
    pub next_seq: u64,
}

impl Outbox {
    /// The entry named `key`.
    pub fn get(&self, key: &ClientKey) -> Option<&OutboxEntry> {
        self.entries.get(key)
    }

    /// The entry named `key`, to change.
    pub fn get_mut(&mut self, key: &ClientKey) -> Option<&mut OutboxEntry> {
        self.entries.get_mut(key)
    }

    /// Entries in creation order.
    pub fn in_order(&self) -> Vec<&OutboxEntry> {
        let mut v: Vec<&OutboxEntry> = self.entries.values().collect();
        crate::sort::sort_by(&mut v, |a, b| a.seq.cmp(&b.seq));
        v
    }

    /// Queued entries that may start now: the oldest queued of each lane nobody holds.
    ///
    /// A lane is held by any entry that blocks it, wherever that entry sits in creation order:
    /// a failed entry retried after a younger one went out is older but must still wait.
    pub fn ready(&self) -> Vec<ClientKey> {
        let mut held: SmallSet<Lane> = self
            .entries
            .values()
            .filter(|e| e.blocks_lane())
            .map(OutboxEntry::lane)
            .collect();
        let mut out = Vec::new();
        for e in self.in_order() {
            if e.state == SendState::Queued && held.insert(e.lane()) {
                out.push(e.key.clone());
            }
        }
        out
    }

    /// The entry whose echo `m` is, by the rule in the module doc: of the entries it could be
    /// the echo of, the one whose attempt started first.
    pub fn match_echo(&self, m: &StoredMessage, skew_ms: i64) -> Option<ClientKey> {
        self.entries
            .values()
            .filter(|e| e.could_be_echo(m, skew_ms))
            .min_by_key(|e| (e.echo_window_start(), e.seq))
            .map(|e| e.key.clone())
    }

    /// The unconfirmed entry (or one failed as "proved absent") that a message recalled
    /// elsewhere was the echo of: it was sent after all, then recalled.
    pub fn match_recalled(&self, m: &StoredMessage, skew_ms: i64) -> Option<ClientKey> {
        if let Some(key) = self.match_echo(m, skew_ms) {
            return Some(key);
        }
        self.in_order()
            .into_iter()
            .find(|e| {
                let proved_absent = matches!(
                    &e.state,
                    SendState::Failed { reason, .. } if reason.code == FailureCode::ProvedAbsent
                );
                let unconfirmed = matches!(
                    &e.state,
                    SendState::InFlight { .. }
                        | SendState::Ambiguous { .. }
                        | SendState::Sent { message: None, .. }
                );
                // A first message to someone whose conversation we never learned: the recalled
                // message can only be told by its text and time.
                let place = match &e.conversation {
                    Some(c) => c == &m.conversation,
                    None => matches!(e.recipient, Recipient::ProfileUrn(_)),
                };
                (proved_absent || unconfirmed)
                    && m.is_sent_by_owner
                    && m.client_key.is_none()
                    && place
                    && m.text == e.text
                    && e.attempt_at
                        .is_some_and(|t| m.sent_at >= t.saturating_sub(skew_ms))
                    && same_attachments(&m.attachments, &e.attachments)
            })
            .map(|e| e.key.clone())
    }

    /// After a restart: a request that was out may or may not have arrived, so it is ambiguous.
    pub fn after_restart(&mut self, now_ms: Millis) -> Vec<ClientKey> {
        let mut changed = Vec::new();
        for e in self.entries.values_mut() {
            match e.state {
                SendState::InFlight { started_at } => {
                    e.state = SendState::Ambiguous {
                        started_at,
                        failed_at: now_ms,
                        error: "restarted while sending".into(),
                    };
                    e.check_at = Some(now_ms);
                    changed.push(e.key.clone());
                }
                SendState::Sent {
                    message: None,
                    answer_pending: true,
                    started_at,
                } => {
                    e.state = SendState::Sent {
                        message: None,
                        answer_pending: false,
                        started_at,
                    };
                    e.check_at = Some(now_ms);
                    changed.push(e.key.clone());
                }
                // Its echo poll died with the old process: poll again.
                SendState::Ambiguous { .. } | SendState::Sent { message: None, .. } => {
                    e.check_at = Some(now_ms);
                    changed.push(e.key.clone());
                }
                _ => {}
            }
        }
        // Entries whose message is held and bound are done; only a pending answer kept them.
        let done: Vec<ClientKey> = self
            .entries
            .values()
            .filter(|e| {
                matches!(
                    e.state,
                    SendState::Sent {
                        message: Some(_),
                        ..
                    }
                )
            })
            .map(|e| e.key.clone())
            .collect();
        for k in done {
            self.entries.delete(&k);
            changed.push(k);
        }
        changed
    }
}

#[cfg(test)]
mod state_reading {
    //! `SendState`'s hand-written reader against serde's derived one (issue 15), over the
    //! states the engine writes and every variation of them: fields missing, of another type,
    //! reordered, extra; the tag missing, unknown, of another type.
    use serde::{Deserialize, Serialize};
    use serde_json::{json, Value};

    use super::{FailureCode, SendFailure, SendState};
    use crate::sync::time::Millis;
    use crate::urn::MessageId;

    /// `SendState` as it was declared, read by serde's derived reader.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", tag = "state")]
    enum Derived {
        Queued,
        #[serde(rename_all = "camelCase")]
        InFlight {
            started_at: Millis,
        },
        #[serde(rename_all = "camelCase")]
        Ambiguous {
            started_at: Millis,
            failed_at: Millis,
            error: String,
        },
        #[serde(rename_all = "camelCase")]
        Failed {
            reason: SendFailure,
            retryable: bool,
        },
        #[serde(rename_all = "camelCase")]
        Sent {
            message: Option<MessageId>,
            answer_pending: bool,
            started_at: Millis,
        },
    }

    fn derived(v: &Value) -> Result<Value, String> {
        Derived::deserialize(v)
            .map(|d| serde_json::to_value(d).unwrap())
            .map_err(|e| e.to_string())
    }

    fn ours(v: &Value) -> Result<Value, String> {
        SendState::deserialize(v)
            .map(|s| serde_json::to_value(s).unwrap())
            .map_err(|e| e.to_string())
    }

    fn states() -> Vec<Value> {
        [
            SendState::Queued,
            SendState::InFlight {
                started_at: Millis(5),
            },
            SendState::Ambiguous {
                started_at: Millis(5),
                failed_at: Millis(6),
                error: "timeout".into(),
            },
            SendState::Failed {
                reason: SendFailure {
                    code: FailureCode::ProvedAbsent,
                    message: "m".into(),
                },
                retryable: true,
            },
            SendState::Sent {
                message: Some(MessageId::parse("2-MTE=").unwrap()),
                answer_pending: false,
                started_at: Millis(5),
            },
            SendState::Sent {
                message: None,
                answer_pending: true,
                started_at: Millis(5),
            },
        ]
        .iter()
        .map(|s| serde_json::to_value(s).unwrap())
        .collect()
    }

    /// The object with its fields in reverse order (the tag last).
    fn reversed(v: &Value) -> Value {
        let mut out = serde_json::Map::new();
        for (k, x) in v.as_object().unwrap().iter().rev() {
            out.insert(k.clone(), x.clone());
        }
        Value::Object(out)
    }

    #[test]
    fn every_state_reads_as_the_derived_reader_reads_it() {
        let odd = [
            Value::Null,
            json!(5),
            json!(-1.5),
            json!("x"),
            json!(true),
            json!([]),
            json!({}),
            json!({"code": "storage", "message": "m"}),
        ];
        let mut cases = vec![json!({}), json!({"state": 1}), json!({"state": "nope"})];
        for s in states() {
            cases.push(s.clone());
            cases.push(reversed(&s));
            let mut extra = s.clone();
            extra["unknownField"] = json!([1, {"state": "sent"}]);
            cases.push(extra);
            for k in s.as_object().unwrap().keys() {
                let mut without = s.clone();
                without.as_object_mut().unwrap().remove(k);
                cases.push(without);
                for o in &odd {
                    let mut with = s.clone();
                    with[k] = o.clone();
                    cases.push(reversed(&with));
                    cases.push(with);
                }
            }
        }
        let mut refused = 0;
        for c in &cases {
            let (a, b) = (ours(c), derived(c));
            assert_eq!(a.is_ok(), b.is_ok(), "{c}: {a:?} vs {b:?}");
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{c}"),
                (Err(a), Err(b)) => {
                    refused += 1;
                    // Missing fields and unknown states say the same; a wrong type names the
                    // same expected type.
                    let expected = |e: &str| e.split("expected ").nth(1).map(str::to_owned);
                    assert_eq!(expected(&a), expected(&b), "{c}");
                }
                _ => unreachable!(),
            }
        }
        assert!(refused > 30, "{refused}");
    }

    #[test]
    fn a_field_of_another_state_with_another_type_is_now_refused() {
        // Nothing writes it (each state writes its own fields); serde's derived reader ignored
        // it, this reader reads every field a state can have.
        let v = json!({"state": "queued", "startedAt": "soon"});
        assert!(derived(&v).is_ok());
        assert!(ours(&v).is_err());
        // Of its declared type, it is ignored, as before.
        let v = json!({"state": "queued", "startedAt": 5});
        assert_eq!(ours(&v), derived(&v));
    }
}
