//! Reactions: facts (message, actor, emoji) with a last-writer stamp, reconciled with the
//! server's per-message tally so that a count never doubles.
//!
//! The rule, per message and emoji:
//! - the viewer's own reaction ("mine") is the own fact when it is newer than the tally (we
//!   reacted after that page was asked for), else the tally's `viewerReacted`, else the own fact;
//! - everybody else: the tally's `count − viewerReacted` when the message has a tally, else the
//!   number of other actors whose fact says present (learned from server events);
//! - shown count = others + mine.
//!
//! Our own reaction is thus counted once whatever the tally says, and other actors are counted
//! from exactly one source (tally or facts, never both). An empty tally only means "no reactions"
//! once the server has been seen to report tallies at all (a non-empty tally, or a reaction event
//! — only a server that reports tallies pushes those); the hosted API may omit them.

use serde::{Deserialize, Serialize};

use crate::urn::MessageId;

use super::time::Stamp;

/// Who reacted: the account owner, or another member by profile id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum Actor {
    /// The account itself (whichever tab or client did it).
    Me,
    /// Another member, by the profile id the server named.
    Profile(String),
}

/// One reaction identity: (message, actor, emoji).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReactionKey {
    pub message: MessageId,
    pub actor: Actor,
    pub emoji: String,
}

/// Whether a reaction is in place, as of `stamp` (engine clock or server event time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReactionFact {
    pub present: bool,
    pub stamp: Stamp,
}

impl ReactionFact {
    pub(crate) fn rank(&self) -> (Stamp, bool) {
        (self.stamp, self.present)
    }
}

/// One emoji's reconciled tally on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionCount {
    pub emoji: String,
    pub count: u32,
    pub mine: bool,
}
