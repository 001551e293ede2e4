//! One message as the store keeps it, with the server's reaction tally it came with: plain
//! data shared by `store` (which merges them) and `outbox` (which matches echoes against them).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::{Attachment, Message, ReactionSummary};
use crate::urn::{ConversationId, MessageId, UrnError};

use super::keys::ClientKey;
use super::time::{Millis, Stamp};

/// The server's reaction tally for one message, as of the page that carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    /// When the page was asked for (an engine stamp: ms × `STAMP_SCALE` + a counter), so later
    /// tallies replace earlier ones even within one millisecond.
    pub stamp: Stamp,
    pub entries: Vec<ReactionSummary>,
}

impl Tally {
    pub(super) fn rank(&self) -> (Stamp, Vec<(&str, u32, bool)>) {
        let entries = self
            .entries
            .iter()
            .map(|e| (e.emoji.as_str(), e.count, e.viewer_reacted));
        (self.stamp, entries.collect())
    }
}

/// One message as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StoredMessage {
    pub id: MessageId,
    pub conversation: ConversationId,
    /// The URN it last came under; for display and for requests, never a key.
    pub message_urn: String,
    pub text: String,
    pub sent_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    pub is_sent_by_owner: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// When the source of this body was asked for (an engine stamp); the latest body wins.
    pub stamp: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<Tally>,
    /// The outbox entry this message confirmed, when it was sent from here or a sibling tab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<ClientKey>,
    /// Which copy this is, for views kept between reads (not data: never written or read).
    #[serde(skip)]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "never"))]
    pub rev: Rev,
}

/// Which version of a stored message a value is, for a view kept between reads
/// (`ViewMemo`): every message made (read from the wire or from storage, built, decoded) gets
/// a new `Rev`, a clone keeps its original's, and the store gives a message a new one whenever
/// it keeps or changes it. So two copies with the same `Rev` hold the same message, and a view
/// kept from one is still true of the other without comparing a field. Not data: never
/// written nor read, and every `Rev` equals every other (a message's equality is its data's;
/// [`Rev::same`] compares versions).
#[derive(Clone, Copy)]
pub struct Rev(u64);

impl std::fmt::Debug for Rev {
    /// Not data: every `Rev` prints the same, as it compares.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rev")
    }
}

impl Rev {
    /// A version no message had before.
    pub fn new() -> Rev {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Rev(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// Whether both are the same version of a message (see [`Rev`]).
    pub fn same(self, other: Rev) -> bool {
        self.0 == other.0
    }

    /// Where this version comes among all made in this process: every later [`Rev::new`] is
    /// greater (the store's change log, `Changes`, is ordered by it).
    pub(crate) fn number(self) -> u64 {
        self.0
    }
}

impl Default for Rev {
    /// A new version ([`Rev::new`]): a message read or built has not been seen before.
    fn default() -> Rev {
        Rev::new()
    }
}

impl PartialEq for Rev {
    fn eq(&self, _: &Rev) -> bool {
        true
    }
}

impl StoredMessage {
    /// This message as a new version ([`Rev`]): what the store keeps of any message it is
    /// given, whoever else holds a copy.
    pub fn renewed(mut self) -> StoredMessage {
        self.rev = Rev::new();
        self
    }

    /// Read one wire message of conversation `conversation`, fetched at `stamp`.
    pub fn from_wire(
        m: &Message,
        conversation: &ConversationId,
        stamp: Stamp,
    ) -> Result<StoredMessage, UrnError> {
        Ok(StoredMessage {
            id: MessageId::parse(&m.message_urn)?,
            conversation: conversation.clone(),
            message_urn: m.message_urn.clone(),
            text: m.text.clone(),
            sent_at: Millis(m.sent_at),
            sender_profile_id: m.sender_profile_id.clone(),
            sender_name: m.sender_name.clone(),
            is_sent_by_owner: m.is_sent_by_owner,
            attachments: m.attachments.clone(),
            subject: m.subject.clone(),
            stamp,
            tally: Some(Tally {
                stamp,
                entries: m.reactions.clone(),
            }),
            client_key: None,
            rev: Rev::new(),
        })
    }

    /// The newest stamp this copy carries (its body's, its tally's): an engine given it stamps
    /// what it asks for after past it (`Engine::saw`).
    pub(crate) fn newest_stamp(&self) -> Stamp {
        self.tally
            .as_ref()
            .map_or(self.stamp, |t| t.stamp.max(self.stamp))
    }

    /// Total order on bodies so that the merge picks the same winner whatever the arrival order.
    pub(super) fn body_rank(&self) -> (Stamp, &str, Millis, &str, &ConversationId) {
        (
            self.stamp,
            &self.message_urn,
            self.sent_at,
            &self.text,
            &self.conversation,
        )
    }
}
