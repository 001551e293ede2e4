//! One account's durable knowledge: conversations by `ConversationId`, messages by `MessageId`
//! (ordered by time then id), tombstones, reaction facts, paging cursors, the outbox, the quota
//! and pending recalls. Every merge here is a join: idempotent, commutative and associative, so
//! the same pages in any order, any number of times, give the same store.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

use crate::model::{Conversation, Message};
use crate::urn::{ConversationId, MessageId};

use super::keys::{AccountId, ClientKey};
pub use super::message::{Rev, StoredMessage, Tally};
use super::outbox::{ElsewhereSent, Outbox, OutboxEntry, ELSEWHERE_KEPT};
use super::quota::QuotaUse;
use super::reaction::{Actor, ReactionCount, ReactionFact, ReactionKey};
use super::small_map::{IdSet, SmallMap, SmallSet};
use super::time::{Millis, Stamp};

/// Older-history paging and the polling watermark of one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// The oldest message any history page reached, and that page's cursor and `hasMore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<(Millis, MessageId)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    pub has_more: bool,
    /// A first (newest) page has been merged.
    pub head_loaded: bool,
    /// Polling watermark: every message up to this `sentAt` has been seen by a page without a
    /// gap (a newest page, or a `since` page starting at or before it). Polls ask for what is
    /// after it. Messages learned otherwise (send answers, sibling tabs) do not move it, so a
    /// message that arrived just before one's own cannot be skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polled_to: Option<Millis>,
    /// A newest page did not reach down to `polled_to`: messages in between are missing, and
    /// `since` pages from `polled_to` are fetched until they catch up.
    #[serde(default)]
    pub gap: bool,
}

impl History {
    /// Whether older messages may still be fetched.
    pub fn more_available(&self) -> bool {
        !self.head_loaded || self.has_more
    }
}

/// Which slice of a conversation a page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PageKind {
    /// The newest messages (no `since`, no `cursor`).
    Head,
    /// Older history through `cursor`.
    Older,
    /// Polling: only messages after `since`.
    Since,
}

/// A conversation as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRecord {
    pub id: ConversationId,
    /// A URN the API accepts for this conversation (the `urn:` form when one is known).
    pub urn: String,
    /// The list entry, from the newest conversations page that carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Conversation>,
    /// When the list page that carried `meta` was asked for: a time, not an engine stamp
    /// (the newest page's entry wins).
    pub meta_stamp: Millis,
    /// Local "read up to" mark (the contract has no read endpoint).
    pub read_at: Millis,
    pub history: History,
}

impl ConversationRecord {
    /// When the conversation was last active: the list entry's time, else the polling
    /// watermark. What the conversation list sorts by (newest first) and what the stored
    /// record's `byActivity` index holds.
    pub fn last_activity(&self) -> Option<Millis> {
        self.meta
            .as_ref()
            .and_then(|m| m.last_activity_at.map(Millis))
            .or(self.history.polled_to)
    }

    /// The unread count the conversation list shows: the list entry's, unless the local read
    /// mark is at or after the last activity.
    pub fn unread(&self) -> u32 {
        match (&self.meta, self.last_activity()) {
            (Some(_), Some(at)) if self.read_at >= at => 0,
            (Some(m), _) => m.unread_count,
            (None, _) => 0,
        }
    }

    fn new(id: ConversationId, urn: &str) -> ConversationRecord {
        ConversationRecord {
            id,
            urn: urn.to_owned(),
            meta: None,
            meta_stamp: Millis::MIN,
            read_at: Millis::MIN,
            history: History::default(),
        }
    }

    /// Prefer a real `urn:` string, then the smallest, so every replica picks the same one.
    fn offer_urn(&mut self, urn: &str) -> bool {
        fn rank(u: &str) -> (bool, &str) {
            (!u.starts_with("urn:"), u)
        }
        if !urn.is_empty() && rank(urn) < rank(&self.urn) {
            self.urn = urn.to_owned();
            return true;
        }
        false
    }
}

/// A recall this account is waiting on: our own request, or a hint that the server recalled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallCheck {
    pub message: MessageId,
    pub conversation: ConversationId,
    /// Pages asked for after this engine stamp can prove the message gone or still there.
    pub since: Stamp,
    /// Our own recall request is still out (the message shows as recalling).
    pub requested: bool,
    /// We asked for this recall (so a failure is reported to the user).
    pub ours: bool,
}

/// Keys changed since the last drain: what the next persisted delta must carry. Private to
/// this file: only the store's own methods mark, so no change can miss its mark.
#[derive(Debug, Clone, Default)]
struct Dirty {
    conversations: IdSet<ConversationId>,
    messages: IdSet<MessageId>,
    tombstones: IdSet<MessageId>,
    /// A `SmallSet`: the reactions changed since the last write (issue 15: no `BTreeSet` of
    /// reaction keys of its own; a failed write's keys come in at once, by `extend`).
    reactions: SmallSet<ReactionKey>,
    /// A `SmallSet`: the outbox entries changed since the last write (an outbox holds a
    /// handful of sends; issue 15: no `IdSet<ClientKey>` node code).
    outbox: SmallSet<ClientKey>,
    recalls: IdSet<MessageId>,
    /// Inbox threads whose list of sent Sales Navigator messages changed.
    elsewhere: IdSet<ConversationId>,
    scalars: bool,
    /// Conversations whose view changed (for `Notice::ConversationChanged`).
    touched: IdSet<ConversationId>,
}

impl Dirty {
    /// Outbox entry `before` became `after` (None: absent): the entry is marked, and the
    /// conversations it shows in (before and after) are touched unless only its next echo
    /// check time moved, which no view shows.
    fn mark_entry(&mut self, before: Option<&OutboxEntry>, after: Option<&OutboxEntry>) {
        let Some(key) = after.or(before).map(|e| e.key.clone()) else {
            return;
        };
        self.outbox.insert(key);
        let visible = match (before, after) {
            (Some(b), Some(a)) => {
                let mut b = b.clone();
                b.check_at = a.check_at;
                b != *a
            }
            _ => true,
        };
        if visible {
            for e in before.into_iter().chain(after) {
                self.touched.extend(e.conversation.iter().cloned());
                self.touched.extend(e.shown_in.iter().cloned());
            }
        }
    }

    /// Adds every mark of `other` (not its touched conversations).
    fn absorb(&mut self, other: Dirty) {
        self.conversations.extend(other.conversations);
        self.messages.extend(other.messages);
        self.tombstones.extend(other.tombstones);
        self.reactions.extend(other.reactions);
        self.outbox.extend(other.outbox);
        self.recalls.extend(other.recalls);
        self.elsewhere.extend(other.elsewhere);
        self.scalars |= other.scalars;
    }

    /// Nothing to persist.
    #[cfg(test)]
    pub fn is_clean(&self) -> bool {
        self.conversations.is_empty()
            && self.messages.is_empty()
            && self.tombstones.is_empty()
            && self.reactions.is_empty()
            && self.outbox.is_empty()
            && self.recalls.is_empty()
            && self.elsewhere.is_empty()
            && !self.scalars
    }
}

/// One account's records: all of them in a snapshot, the changed ones in a delta.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountRecords {
    pub account: AccountId,
    pub conversations: Vec<ConversationRecord>,
    pub messages: Vec<StoredMessage>,
    pub removed_messages: Vec<MessageId>,
    pub tombstones: Vec<MessageId>,
    pub reactions: Vec<(ReactionKey, ReactionFact)>,
    pub removed_reactions: Vec<ReactionKey>,
    pub outbox: Vec<OutboxEntry>,
    pub removed_outbox: Vec<ClientKey>,
    pub outbox_next_seq: u64,
    pub recalls: Vec<RecallCheck>,
    pub removed_recalls: Vec<MessageId>,
    pub quota: Option<QuotaUse>,
    pub own_profile: Option<String>,
    pub tallies_seen: bool,
    /// The conversation of tombstoned messages (absent from stores written before it existed:
    /// their tombstones load without one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recalled_in: Vec<(MessageId, ConversationId)>,
    /// Per inbox thread, the whole list of sent Sales Navigator messages it shows (replaces the
    /// stored list; an empty list removes it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<(ConversationId, Vec<ElsewhereSent>)>,
}

/// What a page merge did.
#[derive(Debug, Default)]
pub struct MergeOutcome {
    /// Messages not held before this merge.
    pub added: Vec<MessageId>,
    /// Wire messages whose URN could not be read (skipped, never a panic).
    pub unreadable: usize,
    /// Messages the page carried that are tombstoned (filtered).
    pub filtered: usize,
}

/// Everything the engine knows about one account.
///
/// Every field is private: the store changes only through its methods, and each method marks
/// what it changed (for the next persisted delta, and the conversations whose view changed).
/// Outbox entries change through [`AccountStore::outbox_entry_mut`], a guard that marks the
/// entry when it is dropped changed.
#[derive(Debug, Clone, Default)]
pub struct AccountStore {
    /// Boxed, as `messages` and `rewrite` are (issue 15): maps by id with pointer-sized values
    /// are one copy of `BTreeMap`'s node code in the wasm (ids share `urn::byte_order`), where
    /// a record or a message inline was a copy of its own per value type (about 1.7 KB gzip
    /// for the two). A lookup follows one pointer more; a node moves 4-byte values.
    conversations: BTreeMap<ConversationId, Box<ConversationRecord>>,
    messages: BTreeMap<MessageId, Box<StoredMessage>>,
    /// Each conversation's messages by (sentAt, id): a sorted `Vec` (`SmallSet`), a page put
    /// in with one shift (`insert_many`), handed out as a slice (`order_of`). A conversation
    /// holds hundreds to a few thousand messages; a `BTreeSet` per conversation copied about
    /// 12 KB of node code into the wasm (issue 15). The map by conversation stays a `BTreeMap`:
    /// a key-value layout holds every conversation (tens of thousands), and a new one arrives
    /// at a random place in id order, which a sorted `Vec` would shift for. Each set is boxed,
    /// as `recalled_in`'s conversations and `reactions`' maps are (issue 15): the maps by id
    /// with pointer-sized values are one copy of the node code (see `conversations`); with
    /// `Vec`-sized values they were a second (about 3 KB gzip). A view's walk follows one
    /// pointer more per conversation.
    order: BTreeMap<ConversationId, Box<SmallSet<(Millis, MessageId)>>>,
    tombstones: IdSet<MessageId>,
    /// The conversation of each tombstoned message, when known (stores written before this was
    /// recorded have tombstones without one).
    recalled_in: BTreeMap<MessageId, Box<ConversationId>>,
    /// Sales Navigator sends made from each inbox thread, kept after they were sent (the last
    /// `ELSEWHERE_KEPT`, oldest first).
    elsewhere: SmallMap<ConversationId, Vec<ElsewhereSent>>,
    reactions: Reactions,
    /// Some page carried a non-empty reaction tally: the server reports tallies, so an empty
    /// one means "no reactions" rather than "not reported".
    tallies_seen: bool,
    /// The account's own profile id, learned from its own messages.
    own_profile: Option<String>,
    quota: QuotaUse,
    outbox: Outbox,
    recalls: SmallMap<MessageId, RecallCheck>,
    dirty: Dirty,
    /// Which conversations' messages are in memory (issue 13).
    residency: Residency,
    /// What a write that failed carried (`remark`): written again with the next write that
    /// happens (never on its own, so a storage that keeps failing is not written in a loop).
    behind: Dirty,
    /// Messages a failed write carried whose conversation is no longer in memory: merged
    /// (a join) with what storage holds when the conversation is read again, never written
    /// blindly (a later write that landed may hold a better copy).
    rewrite: BTreeMap<MessageId, Box<StoredMessage>>,
    /// With a conversation window (`Engine::restore_window`): which conversation records
    /// memory holds as storage has them; `None` when memory holds every one.
    window: Option<ListWindow>,
    /// The sentAt of each message the store gave a new version or dropped, in the order it
    /// did: what a kept view walks past without a lookup (`Engine::conversation_view_plan`).
    changes: Changes,
}

/// The store's recent changes to its messages (issue 15): for every message it keeps anew,
/// changes, moves or drops, the [`Rev`] number of that change and the message's sentAt (its
/// old one too when it moved). A view kept since change `seen` knows that a message at a
/// sentAt no later change names is the version it kept, without looking it up (a lookup by id
/// in a store of 100k messages was most of a view's walk). Over-approximating is safe (another
/// message at the same sentAt is merely looked up); every `Rev` the store gives a message is
/// made by [`Changes::note`], so none is left out. The oldest half goes when it holds
/// `CHANGES_KEPT`; a view older than what it holds walks with lookups, as does a view of
/// another store (each store, and each copy of one, is its own `id`).
#[derive(Debug)]
pub(crate) struct Changes {
    /// Which store this is: the number of a `Rev` made with it.
    id: u64,
    /// Every change numbered past this one is in `log`.
    floor: u64,
    log: Vec<(u64, Millis)>,
}

/// How many changes [`Changes`] holds at most (16 bytes each).
const CHANGES_KEPT: usize = 4096;

impl Default for Changes {
    fn default() -> Changes {
        let id = Rev::new().number();
        Changes {
            id,
            floor: id,
            log: Vec::new(),
        }
    }
}

impl Clone for Changes {
    /// A copy is another store: views kept of the original are not trusted of it.
    fn clone(&self) -> Changes {
        Changes::default()
    }
}

impl Changes {
    /// A new version for a message at `at` (its sentAt), noted.
    fn note(&mut self, at: Millis) -> Rev {
        let rev = Rev::new();
        self.log.push((rev.number(), at));
        if self.log.len() > CHANGES_KEPT {
            let cut = self.log.len() / 2;
            self.floor = self.log[cut - 1].0;
            self.log.drain(..cut);
        }
        rev
    }
}

/// The conversation records a store restored with a window holds (issue 13): the newest of
/// the list, those something was under way in, and every one an input has touched since
/// (read first, `Effect::Load`). Records never leave memory again: every change to a
/// conversation goes through memory once it was read, so what memory holds of a known record
/// is what storage holds, or newer.
#[derive(Debug, Clone, Default)]
struct ListWindow {
    /// Conversations whose stored record was read (or found absent): memory's copy is whole.
    known: IdSet<ConversationId>,
    /// Where the list's next page starts (`RecordStorage::read_newest`'s `after`), while the
    /// stored list goes on past what was read of it; the list shows the records before it.
    more: Option<(f64, String)>,
    /// Profiles whose conversations (by the participant index) were read.
    looked_up: SmallSet<String>,
    /// The list's unread count of each stored conversation that has any, as the account's
    /// summary said at the open (`AccountSummary::unread`): what counts for the records not
    /// held (those cannot change unread before they are read).
    unread: Vec<(ConversationId, u32)>,
}

/// Where `c` sorts in the conversation list: newest activity first, ties by id.
pub(crate) fn list_key(c: &ConversationRecord) -> (f64, &str) {
    (
        c.last_activity()
            .map_or(f64::NEG_INFINITY, |t| t.get() as f64),
        c.id.as_str(),
    )
}

/// Whether a record at `key` comes before `cursor` in the list's order (or is it).
fn not_after(key: (f64, &str), cursor: &(f64, String)) -> bool {
    key.0 > cursor.0 || (key.0 == cursor.0 && key.1 <= cursor.1.as_str())
}

/// An account's reaction facts, by message and then by key: a message's facts are one small
/// sorted `Vec`, so iterating gives [`ReactionKey`]'s order (message, actor, emoji), as a
/// `BTreeMap<ReactionKey, _>` did. Issue 15: the `BTreeMap` by message has the layout of the
/// store's other maps by id (each message's map boxed, as `order`'s sets are), so their node
/// code is one copy in the wasm; a map by `ReactionKey` was a copy of its own (about 3 KB
/// gzip). No message maps to an empty `SmallMap`.
#[derive(Debug, Clone, Default)]
struct Reactions(BTreeMap<MessageId, Box<SmallMap<ReactionKey, ReactionFact>>>);

impl Reactions {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn get(&self, key: &ReactionKey) -> Option<&ReactionFact> {
        self.0.get(&key.message)?.get(key)
    }

    fn insert(&mut self, key: ReactionKey, fact: ReactionFact) {
        self.0
            .entry(key.message.clone())
            .or_default()
            .set(key, fact);
    }

    fn remove(&mut self, key: &ReactionKey) {
        if let Some(facts) = self.0.get_mut(&key.message) {
            facts.delete(key);
            if facts.is_empty() {
                self.0.remove(&key.message);
            }
        }
    }
}

/// Which conversations' messages an [`AccountStore`] holds. A store restored from per-record
/// storage holds none at first: a conversation's messages are read (`Effect::Load`) when an
/// input needs them, installed by [`AccountStore::install_loaded`], and may be dropped again
/// ([`AccountStore::evict`]). Every other store (key-value layouts, a new account) holds all.
#[derive(Debug, Clone, Default)]
enum Residency {
    #[default]
    All,
    Some {
        resident: IdSet<ConversationId>,
        /// Conversations whose stored messages could not be read (retried on the next open).
        unreadable: IdSet<ConversationId>,
    },
}

impl AccountStore {
    /// The conversation record, created on first sight (marked when new or its URN changed).
    pub fn ensure_conversation(&mut self, id: &ConversationId, urn: &str) -> &ConversationRecord {
        self.conversation_mut(id, urn)
    }

    /// [`AccountStore::ensure_conversation`], to change: whoever changes it marks it.
    fn conversation_mut(&mut self, id: &ConversationId, urn: &str) -> &mut ConversationRecord {
        if !self.conversations.contains_key(id) {
            self.conversations.insert(
                id.clone(),
                Box::new(ConversationRecord::new(id.clone(), urn)),
            );
            self.dirty.conversations.insert(id.clone());
        }
        let rec = self.conversations.get_mut(id).expect("inserted above");
        if rec.offer_urn(urn) {
            self.dirty.conversations.insert(id.clone());
        }
        rec
    }

    /// A conversation record, if known.
    pub fn conversation(&self, id: &ConversationId) -> Option<&ConversationRecord> {
        self.conversations.get(id).map(|c| &**c)
    }

    /// A message, if held (never a tombstoned one).
    pub fn message(&self, id: &MessageId) -> Option<&StoredMessage> {
        self.messages.get(id).map(|m| &**m)
    }

    /// The outbox of this account.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Outbox entry `key`, to change. The guard compares the entry with a copy taken here when
    /// it is dropped, and marks it (and the conversations it shows in) only when it changed.
    pub(crate) fn outbox_entry_mut(&mut self, key: &ClientKey) -> Option<OutboxEntryMut<'_>> {
        let entry = self.outbox.entries.get_mut(key)?;
        Some(OutboxEntryMut {
            before: entry.clone(),
            entry,
            dirty: &mut self.dirty,
        })
    }

    /// Adds a new entry, numbered after every entry before it (its `seq` is set here); marked.
    /// Returns false (and adds nothing) when `key` names an entry already.
    pub(crate) fn insert_entry(&mut self, mut entry: OutboxEntry) -> bool {
        if self.outbox.entries.contains_key(&entry.key) {
            return false;
        }
        entry.seq = self.outbox.next_seq;
        self.outbox.next_seq += 1;
        self.dirty.mark_entry(None, Some(&entry));
        self.outbox.entries.set(entry.key.clone(), entry);
        true
    }

    /// Removes entry `key` from the outbox; marked when there was one.
    pub(crate) fn remove_entry(&mut self, key: &ClientKey) -> Option<OutboxEntry> {
        let gone = self.outbox.entries.remove(key)?;
        self.dirty.mark_entry(Some(&gone), None);
        Some(gone)
    }

    /// After a restart (see [`Outbox::after_restart`]); every entry it changed is marked.
    pub(crate) fn outbox_after_restart(&mut self, now: Millis) {
        let before = self.outbox.clone();
        for key in self.outbox.after_restart(now) {
            self.dirty
                .mark_entry(before.get(&key), self.outbox.entries.get(&key));
        }
    }

    /// Conversation `id`'s view changed though nothing stored did (engine-side state such as a
    /// pending reaction or a closed recall window): the UI is told, nothing is written.
    pub(crate) fn touch(&mut self, id: &ConversationId) {
        self.dirty.touched.insert(id.clone());
    }

    /// [`AccountStore::touch`] of the conversation message `id` is in, when held.
    pub(crate) fn touch_message(&mut self, id: &MessageId) {
        if let Some(m) = self.messages.get(id) {
            self.dirty.touched.insert(m.conversation.clone());
        }
    }

    /// The conversations whose view changed since the last call (and forgets them).
    pub(crate) fn take_touched(&mut self) -> IdSet<ConversationId> {
        std::mem::take(&mut self.dirty.touched)
    }

    /// Only the messages of conversations read from storage are held from now on (a store
    /// restored without its messages table).
    pub(crate) fn hold_none(&mut self) {
        self.residency = Residency::Some {
            resident: IdSet::new(),
            unreadable: IdSet::new(),
        };
    }

    /// Memory holds the conversation records `known` only (and any created since, once read):
    /// see `ListWindow`. `more`: where the stored list goes on.
    pub(crate) fn hold_window(
        &mut self,
        more: Option<(f64, String)>,
        unread: Vec<(ConversationId, u32)>,
    ) {
        self.window = Some(ListWindow {
            known: IdSet::from_iter(self.conversations.keys().cloned()),
            more,
            looked_up: SmallSet::new(),
            unread,
        });
    }

    /// The unread count of the whole list (with a window, of the records not held too).
    pub fn unread_total(&self) -> u64 {
        let held: u64 = self
            .conversations
            .values()
            .map(|c| u64::from(c.unread()))
            .sum();
        let Some(w) = &self.window else {
            return held;
        };
        let rest: u64 = w
            .unread
            .iter()
            .filter(|(c, _)| !w.known.contains(c))
            .map(|&(_, n)| u64::from(n))
            .sum();
        held + rest
    }

    /// Whether memory holds `conversation`'s record as storage has it (or storage has none).
    pub fn record_known(&self, conversation: &ConversationId) -> bool {
        self.window
            .as_ref()
            .is_none_or(|w| w.known.contains(conversation))
    }

    /// Whether this store holds a window of the conversation records only.
    pub fn windowed(&self) -> bool {
        self.window.is_some()
    }

    /// Whether the conversations with `profile` (by the participant index) are all in memory.
    pub(crate) fn looked_up(&self, profile: &str) -> bool {
        self.window
            .as_ref()
            .is_none_or(|w| w.looked_up.contains(profile))
    }

    /// Where the stored conversation list goes on past what memory shows of it.
    pub(crate) fn list_more(&self) -> Option<&(f64, String)> {
        self.window.as_ref().and_then(|w| w.more.as_ref())
    }

    /// The conversations the list shows: every one, or with a window those before where the
    /// stored list goes on (a record read for another reason and older than that waits for
    /// its page, so the list is always the start of the whole list).
    pub fn listed(&self) -> impl Iterator<Item = &ConversationRecord> {
        let cursor = self.list_more();
        self.conversations
            .values()
            .map(|c| &**c)
            .filter(move |c| cursor.is_none_or(|k| not_after(list_key(c), k)))
    }

    /// Installs conversation records read from storage UNDER memory (a record memory knows
    /// already is memory's: it went through memory since). `more`: with a list page, where the
    /// list goes on after it (`None` inside `Some`: it ends); `profile`: the records are all
    /// of that person's. Returns whether the list changed.
    pub(crate) fn install_records(
        &mut self,
        records: Vec<ConversationRecord>,
        more: Option<Option<(f64, String)>>,
        profile: Option<&str>,
    ) -> bool {
        let mut changed = false;
        for r in records {
            changed |= self.install_record(&r.id.clone(), Some(r));
        }
        if let Some(w) = &mut self.window {
            if let Some(more) = more {
                changed |= w.more != more;
                w.more = more;
            }
            if let Some(p) = profile {
                w.looked_up.insert(p.to_owned());
            }
        }
        changed
    }

    /// Installs the stored record of `conversation` (`None`: storage has none) under memory,
    /// once: true when memory knew nothing of it before. Should memory hold a record it made
    /// before the stored one was read (never, when every input waited for its reads), the two
    /// are joined, so nothing either holds is lost, and written again.
    fn install_record(
        &mut self,
        conversation: &ConversationId,
        stored: Option<ConversationRecord>,
    ) -> bool {
        let Some(w) = &mut self.window else {
            return false;
        };
        if !w.known.insert(conversation.clone()) {
            return false;
        }
        let Some(stored) = stored else {
            return false;
        };
        match self.conversations.get_mut(conversation) {
            None => {
                self.conversations
                    .insert(conversation.clone(), Box::new(stored));
            }
            Some(mine) => {
                mine.offer_urn(&stored.urn);
                if stored.meta_stamp > mine.meta_stamp {
                    mine.meta = stored.meta;
                    mine.meta_stamp = stored.meta_stamp;
                }
                mine.read_at = mine.read_at.max(stored.read_at);
                if mine.history == History::default() {
                    mine.history = stored.history;
                }
                self.dirty.conversations.insert(conversation.clone());
            }
        }
        self.dirty.touched.insert(conversation.clone());
        true
    }

    /// Whether every message this account has stored is in memory (no lazy loading).
    pub fn holds_all(&self) -> bool {
        matches!(self.residency, Residency::All)
    }

    /// Whether the messages of `conversation` are in memory (always, without lazy loading).
    pub fn is_resident(&self, conversation: &ConversationId) -> bool {
        match &self.residency {
            Residency::All => true,
            Residency::Some { resident, .. } => resident.contains(conversation),
        }
    }

    /// Whether reading `conversation`'s stored messages failed (and was not retried since).
    pub fn is_unreadable(&self, conversation: &ConversationId) -> bool {
        match &self.residency {
            Residency::All => false,
            Residency::Some { unreadable, .. } => unreadable.contains(conversation),
        }
    }

    /// The conversations held in memory by lazy loading (none without it).
    pub(crate) fn resident(&self) -> Vec<ConversationId> {
        match &self.residency {
            Residency::All => Vec::new(),
            Residency::Some { resident, .. } => resident.iter().cloned().collect(),
        }
    }

    /// Conversations that must be read before the engine acts again: those holding a
    /// message a failed write carried (see `rewrite`), and those holding a changed message
    /// that waits for the stored ones to be merged in before it is written (see `held_back`).
    pub(crate) fn conversations_to_read(&self) -> IdSet<ConversationId> {
        let mut out: IdSet<ConversationId> =
            IdSet::from_iter(self.rewrite.values().map(|m| m.conversation.clone()));
        for id in self.dirty.messages.iter().chain(&self.behind.messages) {
            if let Some(m) = self.messages.get(id) {
                if !self.is_resident(&m.conversation) {
                    out.insert(m.conversation.clone());
                }
            }
        }
        out.extend(
            self.dirty
                .conversations
                .iter()
                .chain(&self.behind.conversations)
                .filter(|c| !self.record_known(c))
                .cloned(),
        );
        out
    }

    /// Installs the stored messages of `conversation`, read from storage, UNDER memory: a
    /// message memory lacks is installed as it is (on disk already: not marked, not "added");
    /// one memory holds is joined with it (`merge_message`, marked only when the stored copy
    /// adds something); a tombstoned one is never installed. What a failed write carried for
    /// this conversation is joined too. Nothing happens if it is resident already.
    pub(crate) fn install_loaded(
        &mut self,
        conversation: &ConversationId,
        record: Option<ConversationRecord>,
        stored: Vec<StoredMessage>,
    ) {
        if !self.record_known(conversation) {
            self.install_record(conversation, record);
        }
        let Residency::Some {
            resident,
            unreadable,
        } = &mut self.residency
        else {
            return;
        };
        if !resident.insert(conversation.clone()) {
            return;
        }
        unreadable.remove(conversation);
        let carried: Vec<MessageId> = self
            .rewrite
            .iter()
            .filter(|(_, m)| &m.conversation == conversation)
            .map(|(id, _)| id.clone())
            .collect();
        for id in carried {
            if let Some(m) = self.rewrite.remove(&id) {
                self.merge_message(*m);
            }
        }
        let mut fresh = Vec::new();
        for m in stored {
            if self.tombstones.contains(&m.id) {
                continue;
            }
            if self.messages.contains_key(&m.id) {
                self.merge_message(m);
            } else {
                if &m.conversation == conversation {
                    fresh.push((m.sent_at, m.id.clone()));
                } else {
                    self.index((m.sent_at, m.id.clone()), &m.conversation);
                }
                let rev = self.changes.note(m.sent_at);
                self.messages
                    .insert(m.id.clone(), Box::new(StoredMessage { rev, ..m }));
            }
        }
        self.index_fresh(conversation, fresh);
        self.dirty.touched.insert(conversation.clone());
    }

    /// Reading `conversation`'s stored messages failed: its view says so until a read works.
    pub(crate) fn mark_unreadable(&mut self, conversation: &ConversationId) {
        if let Residency::Some { unreadable, .. } = &mut self.residency {
            unreadable.insert(conversation.clone());
            self.dirty.touched.insert(conversation.clone());
        }
    }

    /// Whether `conversation`'s messages may leave memory as far as the store knows: held by
    /// lazy loading, nothing of it waiting to be written, no outbox entry or recall check in it.
    pub(crate) fn evictable(&self, conversation: &ConversationId) -> bool {
        let Residency::Some { resident, .. } = &self.residency else {
            return false;
        };
        let in_it = |id: &MessageId| {
            self.messages
                .get(id)
                .is_some_and(|m| &m.conversation == conversation)
        };
        resident.contains(conversation)
            && !self.dirty.messages.iter().any(in_it)
            && !self.behind.messages.iter().any(in_it)
            && !self
                .rewrite
                .values()
                .any(|m| &m.conversation == conversation)
            && !self.outbox.entries.values().any(|e| {
                e.conversation.as_ref() == Some(conversation)
                    || e.shown_in.as_ref() == Some(conversation)
            })
            && !self
                .recalls
                .values()
                .any(|c| &c.conversation == conversation)
    }

    /// Drops `conversation`'s messages from memory (storage keeps them; nothing is written).
    /// The caller checked [`AccountStore::evictable`].
    pub(crate) fn evict(&mut self, conversation: &ConversationId) {
        if let Residency::Some { resident, .. } = &mut self.residency {
            resident.remove(conversation);
            for (at, id) in self
                .order
                .remove(conversation)
                .map(|s| *s)
                .unwrap_or_default()
            {
                self.messages.remove(&id);
                self.changes.note(at);
            }
        }
    }

    /// A write that carried `r` failed: with the per-record layout (no snapshot ever) what it
    /// carried is marked again, to go with the next write (see `behind`).
    pub(crate) fn remark(&mut self, r: &AccountRecords) {
        let b = &mut self.behind;
        b.conversations
            .extend(r.conversations.iter().map(|c| c.id.clone()));
        for m in &r.messages {
            if self.messages.contains_key(&m.id) {
                b.messages.insert(m.id.clone());
            } else if !self.tombstones.contains(&m.id) {
                self.rewrite.insert(m.id.clone(), Box::new(m.clone()));
            }
        }
        b.tombstones.extend(r.tombstones.iter().cloned());
        b.reactions
            .extend(r.reactions.iter().map(|(k, _)| k.clone()));
        b.reactions.extend(r.removed_reactions.iter().cloned());
        b.outbox.extend(r.outbox.iter().map(|e| e.key.clone()));
        b.outbox.extend(r.removed_outbox.iter().cloned());
        b.recalls
            .extend(r.recalls.iter().map(|c| c.message.clone()));
        b.recalls.extend(r.removed_recalls.iter().cloned());
        b.elsewhere
            .extend(r.elsewhere.iter().map(|(c, _)| c.clone()));
        b.scalars |= r.quota.is_some() || r.own_profile.is_some() || r.tallies_seen;
    }

    /// Whether a write is due for this store: something changed that may be written now
    /// (messages of a conversation not in memory are held back, see `drain_delta`).
    pub(crate) fn has_changes(&self) -> bool {
        let d = &self.dirty;
        !(d.conversations.iter().all(|c| !self.record_known(c))
            && d.tombstones.is_empty()
            && d.reactions.is_empty()
            && d.outbox.is_empty()
            && d.recalls.is_empty()
            && d.elsewhere.is_empty()
            && !d.scalars
            && d.messages.iter().all(|id| self.held_back(id)))
    }

    /// What a failed write carried goes with the next write.
    pub(crate) fn fold_behind(&mut self) {
        let behind = std::mem::take(&mut self.behind);
        self.dirty.absorb(behind);
    }

    /// A changed message of a conversation whose stored messages were not read yet: writing
    /// it could overwrite a better stored copy, so it waits until they were merged in.
    fn held_back(&self, id: &MessageId) -> bool {
        self.messages
            .get(id)
            .is_some_and(|m| !self.is_resident(&m.conversation))
    }

    /// Every conversation record, by id.
    pub fn conversations(&self) -> impl Iterator<Item = &ConversationRecord> {
        self.conversations.values().map(|c| &**c)
    }

    /// Every held message, by id.
    pub fn messages(&self) -> impl Iterator<Item = &StoredMessage> {
        self.messages.values().map(|m| &**m)
    }

    /// The pending recall check of message `id`, if any.
    pub fn recall_check(&self, id: &MessageId) -> Option<&RecallCheck> {
        self.recalls.get(id)
    }

    /// Every pending recall check.
    pub fn recall_checks(&self) -> impl Iterator<Item = &RecallCheck> {
        self.recalls.values()
    }

    /// Starts (or replaces) a recall check, marked for the next write.
    pub(crate) fn put_recall(&mut self, check: RecallCheck) {
        self.dirty.recalls.insert(check.message.clone());
        self.recalls.set(check.message.clone(), check);
    }

    /// Ends the recall check of `id`, marked when there was one.
    pub(crate) fn take_recall(&mut self, id: &MessageId) -> Option<RecallCheck> {
        let check = self.recalls.remove(id)?;
        self.dirty.recalls.insert(id.clone());
        Some(check)
    }

    /// Changes the recall check of `id` in place, marked when there is one.
    pub(crate) fn update_recall(&mut self, id: &MessageId, change: impl FnOnce(&mut RecallCheck)) {
        if let Some(check) = self.recalls.get_mut(id) {
            change(check);
            self.dirty.recalls.insert(id.clone());
        }
    }

    /// After a restart: every check whose request was out looks again from `since` (marked).
    pub(crate) fn rearm_requested_recalls(&mut self, since: Stamp) {
        for check in self.recalls.values_mut().filter(|c| c.requested) {
            check.requested = false;
            check.since = since;
            self.dirty.recalls.insert(check.message.clone());
        }
    }

    /// Whether the server was seen reporting reaction tallies (an empty one then means none).
    pub fn tallies_seen(&self) -> bool {
        self.tallies_seen
    }

    /// The server reports tallies (it pushed a reaction event); marked when news.
    pub(crate) fn note_tallies_seen(&mut self) {
        if !self.tallies_seen {
            self.tallies_seen = true;
            self.dirty.scalars = true;
        }
    }

    /// The account's own profile id, once learned from its own messages.
    pub fn own_profile(&self) -> Option<&str> {
        self.own_profile.as_deref()
    }

    /// The new conversations counted toward the daily quota.
    pub fn quota(&self) -> &QuotaUse {
        &self.quota
    }

    /// Joins a sibling's quota count into this one; marked when it changed anything.
    pub(crate) fn merge_quota(&mut self, other: &QuotaUse) -> bool {
        let changed = self.quota.merge(other);
        self.dirty.scalars |= changed;
        changed
    }

    /// Counts the conversation `key` started on `day`; marked when it was not counted yet.
    pub(crate) fn record_quota(&mut self, day: i64, key: &ClientKey) -> bool {
        let counted = self.quota.record(day, key);
        self.dirty.scalars |= counted;
        counted
    }

    /// Whether `id` was recalled.
    pub fn is_tombstoned(&self, id: &MessageId) -> bool {
        self.tombstones.contains(id)
    }

    /// Messages of one conversation, oldest first.
    pub fn messages_in<'a>(
        &'a self,
        conversation: &ConversationId,
    ) -> impl Iterator<Item = &'a StoredMessage> + 'a {
        self.order
            .get(conversation)
            .into_iter()
            .flat_map(|s| s.iter())
            .filter_map(|(_, id)| self.messages.get(id).map(|m| &**m))
    }

    /// The sentAt of every message changed since change `seen` of this store (`id`), sorted,
    /// each once; `None` when another store, or when the changes since were not all kept
    /// ([`Changes`]).
    pub(crate) fn changed_since(&self, id: u64, seen: u64) -> Option<Vec<Millis>> {
        let c = &self.changes;
        if c.id != id || seen < c.floor {
            return None;
        }
        let from = c.log.partition_point(|(n, _)| *n <= seen);
        let mut at: Vec<Millis> = c.log.get(from..)?.iter().map(|(_, at)| *at).collect();
        crate::sort::sort_dedup_by(&mut at, Millis::cmp);
        Some(at)
    }

    /// Whether any message has a reaction fact held.
    pub(crate) fn holds_reaction_facts(&self) -> bool {
        !self.reactions.is_empty()
    }

    /// Whether any message has a recall check under way.
    pub(crate) fn holds_recall_checks(&self) -> bool {
        !self.recalls.is_empty()
    }

    /// Which store this is, for [`AccountStore::changed_since`].
    pub(crate) fn changes_id(&self) -> u64 {
        self.changes.id
    }

    /// The (sentAt, id) index of one conversation's messages, oldest first (empty when none).
    pub(crate) fn order_of(&self, conversation: &ConversationId) -> &[(Millis, MessageId)] {
        self.order.get(conversation).map_or(&[], |s| s.as_slice())
    }

    /// Puts one message's key in `conversation`'s order.
    fn index(&mut self, key: (Millis, MessageId), conversation: &ConversationId) {
        self.order
            .entry(conversation.clone())
            .or_default()
            .insert(key);
    }

    /// Puts the keys of messages just installed in `conversation` (a page, a read) in its
    /// order in one merge. A key whose message moved since (the same id again in the page,
    /// its body ranked higher with another time) was indexed where it went, so is left out.
    fn index_fresh(&mut self, conversation: &ConversationId, mut keys: Vec<(Millis, MessageId)>) {
        keys.retain(|(at, id)| {
            self.messages
                .get(id)
                .is_some_and(|m| m.sent_at == *at && &m.conversation == conversation)
        });
        if keys.is_empty() {
            return;
        }
        self.order
            .entry(conversation.clone())
            .or_default()
            .insert_many(keys);
    }

    /// Number of messages held (all conversations).
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// Merge one message (a join on the body by rank, on the tally by stamp, on the client key).
    /// Returns true when the message was not held before.
    pub fn merge_message(&mut self, incoming: StoredMessage) -> bool {
        self.merge_one(incoming, None)
    }

    /// Merge the messages of a fact from another context (each as [`AccountStore::merge_message`],
    /// its conversation created under `conversation_urn` if new): the new ones of the first
    /// message's conversation (all of them, in a page) are put in its order at once, as a
    /// fetched page's are ([`AccountStore::merge_page`]), not one shift each.
    pub fn merge_messages(&mut self, conversation_urn: &str, messages: Vec<StoredMessage>) {
        let Some(first) = messages.first().map(|m| m.conversation.clone()) else {
            return;
        };
        let mut fresh = Vec::new();
        for m in messages {
            self.ensure_conversation(&m.conversation, conversation_urn);
            self.merge_one(m, Some((&first, &mut fresh)));
        }
        self.index_fresh(&first, fresh);
    }

    /// [`AccountStore::merge_message`]; a new message of the conversation `fresh` names has its
    /// key pushed there instead of put in the order (the caller puts them in with
    /// [`AccountStore::index_fresh`] before anything reads the order).
    fn merge_one(
        &mut self,
        incoming: StoredMessage,
        fresh: Option<(&ConversationId, &mut Vec<(Millis, MessageId)>)>,
    ) -> bool {
        if self.tombstones.contains(&incoming.id) {
            return false;
        }
        if incoming.is_sent_by_owner && self.own_profile.is_none() {
            if let Some(p) = incoming
                .sender_profile_id
                .as_ref()
                .filter(|p| !p.is_empty())
            {
                self.own_profile = Some(p.clone());
                self.dirty.scalars = true;
            }
        }
        if incoming
            .tally
            .as_ref()
            .is_some_and(|t| !t.entries.is_empty())
            && !self.tallies_seen
        {
            self.tallies_seen = true;
            self.dirty.scalars = true;
        }
        self.ensure_conversation(&incoming.conversation, "");
        let id = incoming.id.clone();
        let Some(held) = self.messages.get_mut(&id) else {
            match fresh {
                Some((conv, keys)) if *conv == incoming.conversation => {
                    keys.push((incoming.sent_at, id.clone()));
                }
                _ => self.index((incoming.sent_at, id.clone()), &incoming.conversation),
            }
            self.dirty.touched.insert(incoming.conversation.clone());
            self.dirty.messages.insert(id.clone());
            let rev = self.changes.note(incoming.sent_at);
            self.messages
                .insert(id, Box::new(StoredMessage { rev, ..incoming }));
            return true;
        };
        let mut changed = false;
        let was_at = held.sent_at;
        if incoming.body_rank() > held.body_rank() {
            let (old_conv, old_at) = (held.conversation.clone(), held.sent_at);
            let keep_tally = held.tally.take();
            let keep_key = held.client_key.take();
            **held = StoredMessage {
                tally: keep_tally,
                client_key: keep_key,
                ..incoming.clone()
            };
            if (old_conv.clone(), old_at) != (held.conversation.clone(), held.sent_at) {
                if let Some(set) = self.order.get_mut(&old_conv) {
                    set.remove(&(old_at, id.clone()));
                }
                self.order
                    .entry(held.conversation.clone())
                    .or_default()
                    .insert((held.sent_at, id.clone()));
                self.dirty.touched.insert(old_conv);
            }
            changed = true;
        }
        if let Some(t) = incoming.tally {
            if held.tally.as_ref().is_none_or(|h| t.rank() > h.rank()) {
                held.tally = Some(t);
                changed = true;
            }
        }
        if let Some(k) = incoming.client_key {
            if held.client_key.as_ref().is_none_or(|h| k > *h) {
                held.client_key = Some(k);
                changed = true;
            }
        }
        if changed {
            if held.sent_at != was_at {
                self.changes.note(was_at);
            }
            held.rev = self.changes.note(held.sent_at);
            self.dirty.touched.insert(held.conversation.clone());
            self.dirty.messages.insert(id);
        }
        false
    }

    /// Merge the messages of one page of `conversation`, fetched at `stamp`.
    pub fn merge_page(
        &mut self,
        conversation: &ConversationId,
        conversation_urn: &str,
        messages: &[Message],
        stamp: Stamp,
    ) -> MergeOutcome {
        self.ensure_conversation(conversation, conversation_urn);
        let mut out = MergeOutcome::default();
        let mut fresh = Vec::new();
        for m in messages {
            match StoredMessage::from_wire(m, conversation, stamp) {
                Err(_) => out.unreadable += 1,
                Ok(s) if self.tombstones.contains(&s.id) => out.filtered += 1,
                Ok(s) => {
                    let id = s.id.clone();
                    if self.merge_one(s, Some((conversation, &mut fresh))) {
                        out.added.push(id);
                    }
                }
            }
        }
        self.index_fresh(conversation, fresh);
        out
    }

    /// Fold a page's paging facts in. `oldest`/`newest` are the page's readable extremes,
    /// `since` the `since` it was asked with.
    #[allow(clippy::too_many_arguments)]
    pub fn merge_history(
        &mut self,
        conversation: &ConversationId,
        kind: PageKind,
        since: Option<Millis>,
        oldest: Option<(Millis, MessageId)>,
        newest: Option<Millis>,
        cursor: Option<&str>,
        has_more: bool,
    ) {
        let rec = self.conversation_mut(conversation, "");
        let before = rec.history.clone();
        let h = &mut rec.history;
        let contiguous = match kind {
            PageKind::Head => {
                let reaches = matches!((&oldest, h.polled_to), (Some(o), Some(p)) if o.0 <= p);
                let connects = !has_more || h.polled_to.is_none() || reaches;
                if !connects {
                    h.gap = true;
                }
                connects
            }
            PageKind::Since => since.zip(h.polled_to).is_some_and(|(s, p)| s <= p),
            PageKind::Older => false,
        };
        if contiguous {
            if let Some(n) = newest {
                h.polled_to = Some(h.polled_to.map_or(n, |p| p.max(n)));
            }
            if kind == PageKind::Since && !has_more {
                h.gap = false;
            }
        }
        if kind == PageKind::Since {
            if rec.history != before {
                self.dirty.conversations.insert(conversation.clone());
            }
            return;
        }
        let h = &mut rec.history;
        if kind == PageKind::Head {
            h.head_loaded = true;
        }
        match oldest {
            // Nothing (older) at all: an empty conversation, or the end of history.
            None if !has_more && (kind == PageKind::Older || h.oldest.is_none()) => {
                h.has_more = false;
            }
            None => {}
            Some(o) => {
                let cursor = cursor.map(str::to_owned);
                match h.oldest.as_ref().map(|held| o.cmp(held)) {
                    None | Some(std::cmp::Ordering::Less) => {
                        h.oldest = Some(o);
                        h.cursor = cursor;
                        h.has_more = has_more;
                    }
                    Some(std::cmp::Ordering::Equal) => {
                        h.has_more &= has_more;
                        h.cursor = h.cursor.take().min(cursor);
                    }
                    Some(std::cmp::Ordering::Greater) => {}
                }
            }
        }
        if rec.history != before {
            self.dirty.conversations.insert(conversation.clone());
            self.dirty.touched.insert(conversation.clone());
        }
    }

    /// Fold a conversations-list entry in (the newest page's entry wins).
    pub fn merge_conversation_meta(
        &mut self,
        id: &ConversationId,
        meta: &Conversation,
        stamp: Millis,
    ) {
        let rec = self.conversation_mut(id, &meta.conversation_urn);
        // Compared as their JSON texts: the serializer is in the module already, a derived
        // `PartialEq` of the entry's every field would be code of its own.
        let text = |m: &Conversation| crate::json::to_string(m).ok();
        let newer = stamp > rec.meta_stamp
            || (stamp == rec.meta_stamp && text(meta) > rec.meta.as_ref().and_then(text));
        if newer {
            // What a view shows of it (its `summary`: people, activity, unread count) changed:
            // the view is told, as the list is. The same entry again (every list refresh) is
            // no change to show.
            let shown = rec.meta.as_ref().and_then(text) != text(meta);
            rec.meta = Some(meta.clone());
            rec.meta_stamp = stamp;
            self.dirty.conversations.insert(id.clone());
            if shown {
                self.dirty.touched.insert(id.clone());
            }
        }
    }

    /// Local read mark (max wins).
    pub fn mark_read(&mut self, id: &ConversationId, at: Millis) -> bool {
        let rec = self.conversation_mut(id, "");
        if at > rec.read_at {
            rec.read_at = at;
            self.dirty.conversations.insert(id.clone());
            self.dirty.touched.insert(id.clone());
            return true;
        }
        false
    }

    /// Write a tombstone: the message leaves the store and is filtered from every later merge.
    /// Returns true when the tombstone is new.
    pub fn tombstone(&mut self, id: &MessageId) -> bool {
        self.tombstone_in(id, None)
    }

    /// [`AccountStore::tombstone`], with the conversation the message was in when the caller
    /// knows it better than the store (a sibling's tombstone of a message never held here).
    pub fn tombstone_in(&mut self, id: &MessageId, conversation: Option<&ConversationId>) -> bool {
        let place = self
            .messages
            .get(id)
            .map(|m| &m.conversation)
            .or(conversation)
            .or(self.recalls.get(id).map(|c| &c.conversation))
            .cloned();
        if let Some(place) = place {
            if !self.recalled_in.contains_key(id) {
                self.recalled_in.insert(id.clone(), Box::new(place.clone()));
                self.dirty.tombstones.insert(id.clone());
                self.dirty.touched.insert(place);
            }
        }
        if !self.tombstones.insert(id.clone()) {
            return false;
        }
        self.dirty.tombstones.insert(id.clone());
        if let Some(m) = self.messages.remove(id) {
            self.changes.note(m.sent_at);
            if let Some(set) = self.order.get_mut(&m.conversation) {
                set.remove(&(m.sent_at, id.clone()));
            }
            self.dirty.messages.insert(id.clone());
            self.dirty.touched.insert(m.conversation);
        }
        if let Some(gone) = self.reactions.0.remove(id) {
            self.dirty
                .reactions
                .extend(gone.into_iter().map(|(k, _)| k));
        }
        if self.recalls.remove(id).is_some() {
            self.dirty.recalls.insert(id.clone());
        }
        true
    }

    /// The messages recalled in `conversation`, as far as known.
    pub fn recalled_in(&self, conversation: &ConversationId) -> Vec<MessageId> {
        self.recalled_in
            .iter()
            .filter(|(_, c)| ***c == *conversation)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The sent Sales Navigator messages inbox thread `conversation` shows, oldest first.
    pub fn elsewhere_sent(&self, conversation: &ConversationId) -> &[ElsewhereSent] {
        self.elsewhere.get(conversation).map_or(&[], Vec::as_slice)
    }

    /// Keeps a sent Sales Navigator message in the inbox thread it was sent from (the last
    /// `ELSEWHERE_KEPT` are kept); marked.
    pub(crate) fn keep_elsewhere(&mut self, conversation: &ConversationId, sent: ElsewhereSent) {
        let list = self.elsewhere.entry(conversation.clone()).or_default();
        list.retain(|s| s.key != sent.key);
        list.push(sent);
        if list.len() > ELSEWHERE_KEPT {
            let extra = list.len() - ELSEWHERE_KEPT;
            list.drain(..extra);
        }
        self.dirty.elsewhere.insert(conversation.clone());
        self.dirty.touched.insert(conversation.clone());
    }

    /// Merge one reaction fact (last writer by stamp wins). Returns true when it changed.
    pub fn merge_reaction(&mut self, key: ReactionKey, fact: ReactionFact) -> bool {
        if self.tombstones.contains(&key.message) {
            return false;
        }
        let newer = self
            .reactions
            .get(&key)
            .is_none_or(|held| fact.rank() > held.rank());
        if newer {
            if let Some(m) = self.messages.get(&key.message) {
                self.dirty.touched.insert(m.conversation.clone());
            }
            self.dirty.reactions.insert(key.clone());
            self.reactions.insert(key, fact);
        }
        newer
    }

    /// Reaction facts about one message.
    pub fn reactions_of<'a>(
        &'a self,
        id: &'a MessageId,
    ) -> impl Iterator<Item = (&'a ReactionKey, &'a ReactionFact)> + 'a {
        self.reactions.0.get(id).into_iter().flat_map(|m| m.iter())
    }

    /// The newest stamp held in memory (message bodies, tallies, reaction facts, recall
    /// checks): what a restored engine stamps past.
    pub(crate) fn newest_stamp(&self) -> Stamp {
        let messages = self.messages.values().map(|m| m.newest_stamp());
        let facts = (self.reactions.0.values())
            .flat_map(|m| m.values())
            .map(|f| f.stamp);
        let recalls = self.recalls.values().map(|c| c.since);
        messages
            .chain(facts)
            .chain(recalls)
            .max()
            .unwrap_or(Stamp::MIN)
    }

    /// Whether the viewer's own reaction `emoji` on `id` is currently in effect.
    pub fn mine(&self, id: &MessageId, emoji: &str) -> bool {
        tally_view(self, id)
            .into_iter()
            .any(|r| r.emoji == emoji && r.mine)
    }

    /// Set the client key of a message directly (echo matching; may also clear a wrong match).
    pub fn set_client_key(&mut self, id: &MessageId, key: Option<ClientKey>) {
        if let Some(m) = self.messages.get_mut(id) {
            if m.client_key != key {
                m.client_key = key;
                m.rev = self.changes.note(m.sent_at);
                self.dirty.messages.insert(id.clone());
                self.dirty.touched.insert(m.conversation.clone());
            }
        }
    }

    /// The held message that confirmed outbox entry `key`, if any.
    pub fn message_with_key(&self, conv: &ConversationId, key: &ClientKey) -> Option<MessageId> {
        self.messages_in(conv)
            .find(|m| m.client_key.as_ref() == Some(key))
            .map(|m| m.id.clone())
    }

    /// Apply one account's records onto this store (upserts, then removals). What it loads is
    /// on disk already, so nothing is marked. Out of line, not inlined into `from_records`, its
    /// one caller: 151 B less gzip (issue 15).
    #[inline(never)]
    fn apply_records(&mut self, r: AccountRecords) {
        let store = self;
        for c in r.conversations {
            store.conversations.insert(c.id.clone(), Box::new(c));
        }
        for m in r.messages {
            let rev = store.changes.note(m.sent_at);
            store
                .messages
                .insert(m.id.clone(), Box::new(StoredMessage { rev, ..m }));
        }
        for id in r
            .removed_messages
            .into_iter()
            .chain(r.tombstones.iter().cloned())
        {
            if let Some(m) = store.messages.remove(&id) {
                store.changes.note(m.sent_at);
            }
        }
        store.tombstones.extend(r.tombstones);
        for (id, conversation) in r.recalled_in {
            store.recalled_in.insert(id, Box::new(conversation));
        }
        for (conversation, list) in r.elsewhere {
            if list.is_empty() {
                store.elsewhere.delete(&conversation);
            } else {
                store.elsewhere.set(conversation, list);
            }
        }
        for (k, f) in r.reactions {
            store.reactions.insert(k, f);
        }
        for k in r.removed_reactions {
            store.reactions.remove(&k);
        }
        for e in r.outbox {
            store.outbox.entries.set(e.key.clone(), e);
        }
        for k in r.removed_outbox {
            store.outbox.entries.delete(&k);
        }
        store.outbox.next_seq = store.outbox.next_seq.max(r.outbox_next_seq);
        for c in r.recalls {
            store.recalls.set(c.message.clone(), c);
        }
        for id in r.removed_recalls {
            store.recalls.delete(&id);
        }
        if let Some(q) = r.quota {
            store.quota = q;
        }
        if r.own_profile.is_some() {
            store.own_profile = r.own_profile;
        }
        store.tallies_seen |= r.tallies_seen;
    }

    /// Everything this store holds, as the records of `account`.
    pub(crate) fn records(&self, account: &AccountId) -> AccountRecords {
        let store = self;
        AccountRecords {
            account: account.clone(),
            conversations: store.conversations().cloned().collect(),
            messages: store.messages().cloned().collect(),
            tombstones: store.tombstones.iter().cloned().collect(),
            recalled_in: store
                .recalled_in
                .iter()
                .map(|(m, c)| (m.clone(), (**c).clone()))
                .collect(),
            elsewhere: store
                .elsewhere
                .iter()
                .map(|(c, l)| (c.clone(), l.clone()))
                .collect(),
            reactions: store
                .reactions
                .0
                .values()
                .flat_map(|m| m.iter())
                .map(|(k, f)| (k.clone(), *f))
                .collect(),
            outbox: store.outbox.entries.values().cloned().collect(),
            outbox_next_seq: store.outbox.next_seq,
            recalls: store.recall_checks().cloned().collect(),
            quota: Some(store.quota().clone()),
            own_profile: store.own_profile().map(str::to_owned),
            tallies_seen: store.tallies_seen(),
            ..AccountRecords::default()
        }
    }

    /// The records changed since the last drain, as the records of `account` (and the drain
    /// itself: the marks are cleared, except the touched conversations, see
    /// [`AccountStore::take_touched`]).
    pub(crate) fn drain_delta(&mut self, account: &AccountId) -> Option<AccountRecords> {
        let store = self;
        if !store.has_changes() {
            return None;
        }
        let held: IdSet<MessageId> = IdSet::from_iter(
            store
                .dirty
                .messages
                .iter()
                .filter(|id| store.held_back(id))
                .cloned(),
        );
        let touched = std::mem::take(&mut store.dirty.touched);
        let mut d = std::mem::replace(
            &mut store.dirty,
            Dirty {
                touched,
                ..Dirty::default()
            },
        );
        d.messages.retain(|id| !held.contains(id));
        store.dirty.messages = held;
        // Nor a conversation record made before its stored copy was read (joined then).
        let (known, unread): (IdSet<_>, IdSet<_>) = std::mem::take(&mut d.conversations)
            .into_iter()
            .partition(|c| store.record_known(c));
        d.conversations = known;
        store.dirty.conversations = unread;
        let mut r = AccountRecords {
            account: account.clone(),
            ..AccountRecords::default()
        };
        r.conversations = d
            .conversations
            .iter()
            .filter_map(|c| store.conversation(c).cloned())
            .collect();
        for id in d.messages {
            match store.message(&id) {
                Some(m) => r.messages.push(m.clone()),
                None => r.removed_messages.push(id),
            }
        }
        r.recalled_in = d
            .tombstones
            .iter()
            .filter_map(|id| Some((id.clone(), (**store.recalled_in.get(id)?).clone())))
            .collect();
        r.tombstones = d.tombstones.into_iter().collect();
        r.elsewhere = d
            .elsewhere
            .into_iter()
            .map(|c| {
                let list = store.elsewhere.get(&c).cloned().unwrap_or_default();
                (c, list)
            })
            .collect();
        for k in d.reactions {
            match store.reactions.get(&k) {
                Some(f) => r.reactions.push((k, *f)),
                None => r.removed_reactions.push(k),
            }
        }
        for k in d.outbox {
            match store.outbox.get(&k) {
                Some(e) => r.outbox.push(e.clone()),
                None => r.removed_outbox.push(k),
            }
        }
        r.outbox_next_seq = store.outbox.next_seq;
        for id in d.recalls {
            match store.recall_check(&id) {
                Some(c) => r.recalls.push(c.clone()),
                None => r.removed_recalls.push(id),
            }
        }
        if d.scalars {
            r.quota = Some(store.quota().clone());
            r.own_profile = store.own_profile().map(str::to_owned);
            r.tallies_seen = store.tallies_seen();
        }
        Some(r)
    }

    /// A store loaded from records: a snapshot's, then each delta's after it, in order. Nothing
    /// is marked (it is all on disk).
    pub(crate) fn from_records(list: Vec<AccountRecords>) -> AccountStore {
        let mut store = AccountStore::default();
        for r in list {
            store.apply_records(r);
        }
        let held: Vec<MessageId> = store.tombstones.iter().cloned().collect();
        for id in held {
            if let Some(m) = store.messages.remove(&id) {
                store.changes.note(m.sent_at);
            }
        }
        store.reindex();
        store
    }

    /// Rebuild the ordering index (after loading records).
    fn reindex(&mut self) {
        self.order.clear();
        let mut keys: Vec<(&ConversationId, Millis, &MessageId)> = self
            .messages
            .values()
            .map(|m| (&m.conversation, m.sent_at, &m.id))
            .collect();
        crate::sort::sort_by(&mut keys, |a, b| a.cmp(b));
        for run in keys.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(conversation, ..)) = run.first() else {
                continue;
            };
            let keys = run.iter().map(|(_, at, id)| (*at, (*id).clone())).collect();
            self.order
                .entry(conversation.clone())
                .or_default()
                .insert_many(keys);
        }
    }

    /// The actor key for a reaction by `profile` (the owner when it is our own profile).
    pub fn actor_for(&self, profile: &str) -> Actor {
        if self.own_profile.as_deref() == Some(profile) {
            Actor::Me
        } else {
            Actor::Profile(profile.to_owned())
        }
    }
}

/// An outbox entry borrowed to change (see [`AccountStore::outbox_entry_mut`]). Comparing on
/// drop costs one copy of the entry per mutable access (a few short strings); in exchange a
/// write that changes nothing marks nothing, and a change can never go unmarked.
pub(crate) struct OutboxEntryMut<'a> {
    entry: &'a mut OutboxEntry,
    before: OutboxEntry,
    dirty: &'a mut Dirty,
}

impl Deref for OutboxEntryMut<'_> {
    type Target = OutboxEntry;
    fn deref(&self) -> &OutboxEntry {
        self.entry
    }
}

impl DerefMut for OutboxEntryMut<'_> {
    fn deref_mut(&mut self) -> &mut OutboxEntry {
        self.entry
    }
}

impl Drop for OutboxEntryMut<'_> {
    fn drop(&mut self) {
        if *self.entry != self.before {
            self.dirty.mark_entry(Some(&self.before), Some(self.entry));
        }
    }
}

/// The reconciled reactions of message `id` (emoji order), by the rule in `reaction`'s module doc.
pub fn tally_view(store: &AccountStore, id: &MessageId) -> Vec<ReactionCount> {
    let facts: Vec<_> = store.reactions_of(id).collect();
    reaction_counts(
        store.message(id).and_then(|m| m.tally.as_ref()),
        &facts,
        store.tallies_seen,
    )
}

/// The reconciled reactions of a message from its parts: its tally, the reaction facts held
/// for it (in key order) and whether the server reports tallies ([`tally_view`]).
pub(crate) fn reaction_counts(
    tally: Option<&Tally>,
    facts: &[(&ReactionKey, &ReactionFact)],
    tallies_seen: bool,
) -> Vec<ReactionCount> {
    let tally = tally.filter(|t| !t.entries.is_empty() || tallies_seen);
    let mut emojis: Vec<&str> = tally
        .iter()
        .flat_map(|t| t.entries.iter())
        .map(|e| e.emoji.as_str())
        .collect();
    emojis.extend(facts.iter().map(|(k, _)| k.emoji.as_str()));
    // The module's one sort, as `same_attachments` (issue 15): the same list for `&str`s.
    crate::sort::sort_dedup_by(&mut emojis, |a, b| a.cmp(b));
    let mut out = Vec::new();
    for emoji in emojis {
        let entry = tally.and_then(|t| t.entries.iter().find(|e| e.emoji == emoji));
        let own = facts
            .iter()
            .find(|(k, _)| k.actor == Actor::Me && k.emoji == emoji);
        let mine = match (own, tally) {
            (Some((_, f)), Some(t)) if f.stamp > t.stamp => f.present,
            (_, Some(_)) => entry.is_some_and(|e| e.viewer_reacted),
            (Some((_, f)), None) => f.present,
            (None, None) => false,
        };
        let others = match tally {
            Some(_) => entry.map_or(0, |e| e.count.saturating_sub(u32::from(e.viewer_reacted))),
            None => facts
                .iter()
                .filter(|(k, f)| k.emoji == emoji && k.actor != Actor::Me && f.present)
                .count() as u32,
        };
        let count = others.saturating_add(u32::from(mine));
        if count > 0 {
            out.push(ReactionCount {
                emoji: emoji.to_owned(),
                count,
                mine,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(n: usize) -> ElsewhereSent {
        ElsewhereSent {
            key: ClientKey(format!("k{n}")),
            text: format!("m{n}"),
            subject: None,
            attachments: Vec::new(),
            sent_at: Millis(n as i64),
            message_urn: None,
        }
    }

    fn message(text: &str, stamp: i64) -> StoredMessage {
        serde_json::from_value(serde_json::json!({
            "id": "2-m", "conversation": "2-c", "messageUrn": "urn:li:msg_message:(x,2-m)",
            "text": text, "sentAt": 5, "isSentByOwner": true, "stamp": stamp,
        }))
        .unwrap()
    }

    /// A view kept between reads trusts a message's version (`Rev`): every change the store
    /// makes to a message gives it a new one, what changes nothing keeps it, and a copy given
    /// to the store is never the version the giver holds.
    #[test]
    fn a_message_is_a_new_version_after_every_change_and_only_then() {
        let mut store = AccountStore::default();
        let id = MessageId::parse("2-m").unwrap();
        let rev = |s: &AccountStore| s.message(&id).unwrap().rev;
        let given = message("a", 1);
        assert!(store.merge_message(given.clone()));
        let first = rev(&store);
        assert!(!first.same(given.rev), "the store kept the giver's version");
        assert_eq!(store.message(&id), Some(&given), "a version is not data");
        // The same body again, or a worse one: nothing changes.
        store.merge_message(message("a", 1));
        store.merge_message(message("older", 0));
        assert!(rev(&store).same(first));
        // A better body.
        store.merge_message(message("b", 2));
        let second = rev(&store);
        assert!(!second.same(first));
        // A newer tally.
        let mut tallied = message("b", 2);
        tallied.tally = Some(Tally {
            stamp: Stamp::nth_of(Millis(9), 0),
            entries: Vec::new(),
        });
        store.merge_message(tallied);
        let third = rev(&store);
        assert!(!third.same(second));
        // A client key set in place, then the same one again.
        let key = Some(ClientKey("k".into()));
        store.set_client_key(&id, key.clone());
        let fourth = rev(&store);
        assert!(!fourth.same(third));
        store.set_client_key(&id, key);
        assert!(rev(&store).same(fourth));
        // A copy keeps its version.
        assert!(store.message(&id).unwrap().clone().rev.same(fourth));
    }

    /// A view kept between reads walks past the messages no change since names, without a
    /// lookup (`Engine::conversation_view_plan`): every change the store makes to a message
    /// (new, a better body, moved, a tally, a client key, tombstoned, evicted) is noted at its
    /// sentAt (a move at both), what changes nothing is not, and a copy or another store, or
    /// changes older than the log holds, are not answered for.
    #[test]
    fn every_change_to_a_message_is_noted_at_its_sent_at() {
        let mut store = AccountStore::default();
        let id = MessageId::parse("2-m").unwrap();
        let of = store.changes_id();
        let mark = || Rev::new().number();
        let at = |ms: &[i64]| Some(ms.iter().copied().map(Millis).collect::<Vec<_>>());
        let first = mark();
        assert_eq!(store.changed_since(of, first), at(&[]));
        store.merge_message(message("a", 1));
        assert_eq!(store.changed_since(of, first), at(&[5]), "new");
        let m = mark();
        store.merge_message(message("a", 1));
        store.merge_message(message("older", 0));
        assert_eq!(store.changed_since(of, m), at(&[]), "nothing changed");
        let m = mark();
        let mut moved = message("b", 2);
        moved.sent_at = Millis(7);
        store.merge_message(moved.clone());
        assert_eq!(store.changed_since(of, m), at(&[5, 7]), "moved: both times");
        let m = mark();
        moved.tally = Some(Tally {
            stamp: Stamp::nth_of(Millis(9), 0),
            entries: Vec::new(),
        });
        store.merge_message(moved);
        assert_eq!(store.changed_since(of, m), at(&[7]), "a tally");
        let m = mark();
        store.set_client_key(&id, Some(ClientKey("k".into())));
        assert_eq!(store.changed_since(of, m), at(&[7]), "a client key");
        let m = mark();
        store.set_client_key(&id, Some(ClientKey("k".into())));
        assert_eq!(store.changed_since(of, m), at(&[]), "the same key");
        assert_eq!(
            store.changed_since(of, first),
            at(&[5, 7]),
            "each time once"
        );
        // A copy is another store; so is a new one.
        let copy = store.clone();
        assert_eq!(copy.changed_since(of, m), None);
        assert_eq!(AccountStore::default().changed_since(of, m), None);
        let m = mark();
        assert!(store.tombstone(&id));
        assert_eq!(store.changed_since(of, m), at(&[7]), "tombstoned");
        // Evicted: a lazily loaded conversation read, then dropped from memory.
        let conv = ConversationId::parse("2-c").unwrap();
        let mut lazy = AccountStore::default();
        lazy.hold_none();
        let of = lazy.changes_id();
        let mut other = message("c", 1);
        other.id = MessageId::parse("2-n").unwrap();
        other.sent_at = Millis(3);
        let m = mark();
        lazy.install_loaded(&conv, None, vec![other]);
        assert_eq!(lazy.changed_since(of, m), at(&[3]), "read from storage");
        let m = mark();
        lazy.evict(&conv);
        assert_eq!(lazy.changed_since(of, m), at(&[3]), "evicted");
        // Past what the log holds, nothing is answered for; a mark within it still is.
        let mut store = AccountStore::default();
        let of = store.changes_id();
        store.merge_message(message("a", 1));
        let early = mark();
        for n in 0..=CHANGES_KEPT {
            store.set_client_key(&id, Some(ClientKey(n.to_string())));
        }
        let late = mark();
        store.set_client_key(&id, None);
        assert_eq!(store.changed_since(of, early), None, "trimmed");
        assert_eq!(store.changed_since(of, late), at(&[5]));
    }

    /// A remote fact's messages merged at once (`merge_messages`: the new ones of the page's
    /// conversation put in its order together) leave the store as merging them one at a time
    /// does: the same messages, orders, conversations and delta, whatever the page holds
    /// (new and held messages, an id twice with a better body at another time, one moved to
    /// another conversation and back, one of another conversation, a recalled one).
    #[test]
    fn a_remote_page_merged_at_once_is_the_same_as_one_message_at_a_time() {
        let m = |id: &str, conv: &str, at: i64, stamp: i64| -> StoredMessage {
            serde_json::from_value(serde_json::json!({
                "id": id, "conversation": conv,
                "messageUrn": format!("urn:li:msg_message:(x,{id})"),
                "text": format!("{id}@{at}/{stamp}"), "sentAt": at, "isSentByOwner": false,
                "stamp": stamp,
            }))
            .unwrap()
        };
        let mut base = AccountStore::default();
        for (id, at) in [("2-h1", 10), ("2-h2", 30), ("2-h3", 50)] {
            base.merge_message(m(id, "2-c", at, 1));
        }
        base.tombstone(&MessageId::parse("2-gone").unwrap());
        let account = AccountId::default();
        base.drain_delta(&account);
        let page = vec![
            m("2-n1", "2-c", 60, 1),
            m("2-n2", "2-c", 20, 1),
            m("2-h2", "2-c", 35, 2),
            m("2-n1", "2-c", 5, 3),
            m("2-n3", "2-c", 70, 1),
            m("2-n3", "2-d", 71, 2),
            m("2-n3", "2-c", 70, 3),
            m("2-o1", "2-d", 40, 1),
            m("2-gone", "2-c", 45, 1),
            m("2-h1", "2-c", 10, 1),
            m("2-n4", "2-c", 80, 1),
            m("2-n4", "2-c", 80, 1),
        ];
        let mut one = base.clone();
        for msg in page.clone() {
            one.ensure_conversation(&msg.conversation, "urn:li:msg_conversation:(x,2-c)");
            one.merge_message(msg);
        }
        let mut all = base.clone();
        all.merge_messages("urn:li:msg_conversation:(x,2-c)", page);
        for conv in ["2-c", "2-d"] {
            let c = ConversationId::parse(conv).unwrap();
            assert_eq!(all.order_of(&c), one.order_of(&c), "{conv}");
            assert_eq!(all.conversation(&c), one.conversation(&c), "{conv}");
            let held = |s: &AccountStore| -> Vec<StoredMessage> {
                s.order_of(&c)
                    .iter()
                    .map(|(_, id)| s.message(id).unwrap().clone())
                    .collect()
            };
            assert_eq!(held(&all), held(&one), "{conv}");
        }
        let c = ConversationId::parse("2-c").unwrap();
        assert_eq!(all.order_of(&c).len(), 7, "{:?}", all.order_of(&c));
        let delta = |s: &mut AccountStore| serde_json::to_string(&s.drain_delta(&account)).unwrap();
        assert_eq!(delta(&mut all), delta(&mut one));
    }

    #[test]
    fn an_inbox_thread_keeps_its_last_sent_sales_navigator_messages_only() {
        let mut store = AccountStore::default();
        let inbox = ConversationId::parse("2-inbox").unwrap();
        for n in 0..ELSEWHERE_KEPT + 5 {
            store.keep_elsewhere(&inbox, sent(n));
        }
        // The same key again replaces, never duplicates.
        store.keep_elsewhere(&inbox, sent(ELSEWHERE_KEPT + 4));
        let kept: Vec<i64> = store
            .elsewhere_sent(&inbox)
            .iter()
            .map(|s| s.sent_at.get())
            .collect();
        let want: Vec<i64> = (5..ELSEWHERE_KEPT as i64 + 5).collect();
        assert_eq!(kept, want);
        assert!(store.dirty.elsewhere.contains(&inbox));
        let other = ConversationId::parse("2-other").unwrap();
        assert!(store.elsewhere_sent(&other).is_empty());
    }

    fn entry(key: &str, conversation: Option<&str>, shown_in: Option<&str>) -> OutboxEntry {
        OutboxEntry {
            key: ClientKey(key.to_owned()),
            seq: 99,
            created_at: Millis(0),
            recipient: super::super::outbox::Recipient::ProfileUrn("urn:li:fsd_profile:x".into()),
            conversation: conversation.map(|c| ConversationId::parse(c).unwrap()),
            conversation_urn: None,
            text: "hi".into(),
            subject: None,
            channel: Default::default(),
            attachments: Vec::new(),
            new_conversation: false,
            state: super::super::outbox::SendState::Queued,
            check_at: None,
            attempt_at: None,
            shown_in: shown_in.map(|c| ConversationId::parse(c).unwrap()),
        }
    }

    #[test]
    fn outbox_changes_are_marked_by_the_store_and_only_when_real() {
        let mut store = AccountStore::default();
        let key = ClientKey("k".into());
        let (conv, inbox) = (
            ConversationId::parse("2-sn").unwrap(),
            ConversationId::parse("2-inbox").unwrap(),
        );
        assert!(store.insert_entry(entry("k", Some("2-sn"), Some("2-inbox"))));
        assert!(
            !store.insert_entry(entry("k", None, None)),
            "a key names one entry"
        );
        assert_eq!(
            store.outbox().get(&key).unwrap().seq,
            0,
            "numbered by the store"
        );
        assert!(store.dirty.outbox.contains(&key));
        assert_eq!(
            store.take_touched(),
            IdSet::from_iter([conv.clone(), inbox.clone()])
        );
        assert!(store.drain_delta(&AccountId("a".into())).is_some());
        assert!(store.dirty.is_clean());

        // Borrowed to change, left as it was: nothing marked.
        {
            let mut e = store.outbox_entry_mut(&key).unwrap();
            e.text.push('!');
            e.text.pop();
        }
        assert!(store.dirty.is_clean() && store.take_touched().is_empty());

        // Only the next check time moved: written, but no view changed.
        store.outbox_entry_mut(&key).unwrap().check_at = Some(Millis(5));
        assert!(store.dirty.outbox.contains(&key));
        assert!(store.take_touched().is_empty());
        store.drain_delta(&AccountId("a".into()));

        // A visible change touches where it was shown and where it is shown now.
        let other = ConversationId::parse("2-other").unwrap();
        store.outbox_entry_mut(&key).unwrap().conversation = Some(other.clone());
        assert!(store.dirty.outbox.contains(&key));
        assert_eq!(
            store.take_touched(),
            IdSet::from_iter([conv, inbox.clone(), other.clone()])
        );

        // Removal is marked (the delta lists the key as removed).
        assert!(store.remove_entry(&key).is_some());
        assert_eq!(store.take_touched(), IdSet::from_iter([inbox, other]));
        let delta = store.drain_delta(&AccountId("a".into())).unwrap();
        assert_eq!(delta.removed_outbox, vec![key]);
    }

    /// Reaction facts are held by message, then by key (issue 15), and still come out in
    /// `ReactionKey` order (message, actor, emoji), all of them and one message's, as a
    /// `BTreeMap<ReactionKey, _>` gives them; a tombstone takes one message's facts, marked as
    /// removed, and leaves the others.
    #[test]
    fn reaction_facts_come_out_in_the_order_of_their_keys() {
        let account = AccountId("a".into());
        let ids: Vec<MessageId> = ["2-b", "2-a", "2-ab", "2-a0", "2-c"]
            .iter()
            .map(|s| MessageId::parse(s).unwrap())
            .collect();
        let actors = [
            Actor::Profile("p2".into()),
            Actor::Me,
            Actor::Profile("p1".into()),
            Actor::Profile("p10".into()),
        ];
        let emojis = ["\u{1f44d}", "a", "", "\u{1f389}", "b"];
        let mut store = AccountStore::default();
        let mut model: BTreeMap<ReactionKey, ReactionFact> = BTreeMap::new();
        let mut x: u64 = 9;
        for step in 0..400i64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let pick = |n: usize, shift: u32| (x >> shift) as usize % n;
            let key = ReactionKey {
                message: ids[pick(ids.len(), 33)].clone(),
                actor: actors[pick(actors.len(), 40)].clone(),
                emoji: emojis[pick(emojis.len(), 47)].to_owned(),
            };
            let fact = ReactionFact {
                present: step % 3 != 0,
                stamp: Stamp::nth_of(Millis(step % 50), 0),
            };
            let newer = model.get(&key).is_none_or(|held| fact.rank() > held.rank());
            assert_eq!(store.merge_reaction(key.clone(), fact), newer);
            if newer {
                model.insert(key, fact);
            }
        }
        let pairs = |m: &BTreeMap<ReactionKey, ReactionFact>| -> Vec<(ReactionKey, ReactionFact)> {
            m.iter().map(|(k, f)| (k.clone(), *f)).collect()
        };
        assert!(model.len() > 40);
        assert_eq!(store.records(&account).reactions, pairs(&model));
        assert_eq!(
            store.drain_delta(&account).unwrap().reactions,
            pairs(&model)
        );
        for id in &ids {
            let of: Vec<_> = store.reactions_of(id).collect();
            let want: Vec<_> = model.iter().filter(|(k, _)| &k.message == id).collect();
            assert!(!want.is_empty());
            assert_eq!(of, want);
        }

        let gone = &ids[1];
        assert!(store.tombstone(gone));
        let removed: Vec<ReactionKey> = model
            .keys()
            .filter(|k| &k.message == gone)
            .cloned()
            .collect();
        model.retain(|k, _| &k.message != gone);
        assert_eq!(store.reactions_of(gone).count(), 0);
        assert_eq!(store.records(&account).reactions, pairs(&model));
        assert_eq!(
            store.drain_delta(&account).unwrap().removed_reactions,
            removed
        );
        assert!(store.holds_reaction_facts());
    }
}
