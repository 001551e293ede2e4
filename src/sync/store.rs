//! One account's durable knowledge: conversations by `ConversationId`, messages by `MessageId`
//! (ordered by time then id), tombstones, reaction facts, paging cursors, the outbox, the quota
//! and pending recalls. Every merge here is a join: idempotent, commutative and associative, so
//! the same pages in any order, any number of times, give the same store.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{Conversation, Message};
use crate::urn::{ConversationId, MessageId};

use super::keys::ClientKey;
pub use super::message::{StoredMessage, Tally};
use super::outbox::{ElsewhereSent, Outbox, ELSEWHERE_KEPT};
use super::quota::QuotaUse;
use super::reaction::{Actor, ReactionCount, ReactionFact, ReactionKey};

/// Older-history paging and the polling watermark of one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// The oldest message any history page reached, and that page's cursor and `hasMore`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest: Option<(i64, MessageId)>,
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
    pub polled_to: Option<i64>,
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
    pub meta_stamp: i64,
    /// Local "read up to" mark (the contract has no read endpoint).
    pub read_at: i64,
    pub history: History,
}

impl ConversationRecord {
    fn new(id: ConversationId, urn: &str) -> ConversationRecord {
        ConversationRecord {
            id,
            urn: urn.to_owned(),
            meta: None,
            meta_stamp: i64::MIN,
            read_at: i64::MIN,
            history: History::default(),
        }
    }

    /// Prefer a real `urn:` string, then the smallest, so every replica picks the same one.
    fn offer_urn(&mut self, urn: &str) -> bool {
        let rank = |u: &str| (!u.starts_with("urn:"), u.to_owned());
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
    pub since: i64,
    /// Our own recall request is still out (the message shows as recalling).
    pub requested: bool,
    /// We asked for this recall (so a failure is reported to the user).
    pub ours: bool,
}

/// Keys changed since the last drain: what the next persisted delta must carry.
#[derive(Debug, Clone, Default)]
pub struct Dirty {
    pub conversations: BTreeSet<ConversationId>,
    pub messages: BTreeSet<MessageId>,
    pub tombstones: BTreeSet<MessageId>,
    pub reactions: BTreeSet<ReactionKey>,
    pub outbox: BTreeSet<ClientKey>,
    pub recalls: BTreeSet<MessageId>,
    /// Inbox threads whose list of sent Sales Navigator messages changed.
    pub elsewhere: BTreeSet<ConversationId>,
    pub scalars: bool,
    /// Conversations whose view changed (for `Notice::ConversationChanged`).
    pub touched: BTreeSet<ConversationId>,
}

impl Dirty {
    /// Nothing to persist.
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
#[derive(Debug, Clone, Default)]
pub struct AccountStore {
    pub(crate) conversations: BTreeMap<ConversationId, ConversationRecord>,
    pub(crate) messages: BTreeMap<MessageId, StoredMessage>,
    order: BTreeMap<ConversationId, BTreeSet<(i64, MessageId)>>,
    pub(crate) tombstones: BTreeSet<MessageId>,
    /// The conversation of each tombstoned message, when known (stores written before this was
    /// recorded have tombstones without one).
    pub(crate) recalled_in: BTreeMap<MessageId, ConversationId>,
    /// Sales Navigator sends made from each inbox thread, kept after they were sent (the last
    /// `ELSEWHERE_KEPT`, oldest first).
    pub(crate) elsewhere: BTreeMap<ConversationId, Vec<ElsewhereSent>>,
    pub(crate) reactions: BTreeMap<ReactionKey, ReactionFact>,
    /// Some page carried a non-empty reaction tally: the server reports tallies, so an empty
    /// one means "no reactions" rather than "not reported".
    tallies_seen: bool,
    /// The account's own profile id, learned from its own messages.
    own_profile: Option<String>,
    quota: QuotaUse,
    pub(crate) outbox: Outbox,
    /// Private: changed only through the methods below, which mark what they change.
    recalls: BTreeMap<MessageId, RecallCheck>,
    pub(crate) dirty: Dirty,
}

impl AccountStore {
    /// The conversation record, created on first sight.
    pub fn ensure_conversation(
        &mut self,
        id: &ConversationId,
        urn: &str,
    ) -> &mut ConversationRecord {
        if !self.conversations.contains_key(id) {
            self.conversations
                .insert(id.clone(), ConversationRecord::new(id.clone(), urn));
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
        self.conversations.get(id)
    }

    /// A message, if held (never a tombstoned one).
    pub fn message(&self, id: &MessageId) -> Option<&StoredMessage> {
        self.messages.get(id)
    }

    /// The outbox of this account.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
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
        self.recalls.insert(check.message.clone(), check);
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
    pub(crate) fn rearm_requested_recalls(&mut self, since: i64) {
        for check in self.recalls.values_mut().filter(|c| c.requested) {
            check.requested = false;
            check.since = since;
            self.dirty.recalls.insert(check.message.clone());
        }
    }

    /// The recall checks for `persist` to load into: what it loads is on disk already, so
    /// nothing is marked.
    pub(super) fn loading_recalls(&mut self) -> &mut BTreeMap<MessageId, RecallCheck> {
        &mut self.recalls
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

    /// The scalars for `persist` to load into (quota, own profile, tallies seen): what it
    /// loads is on disk already, so nothing is marked.
    pub(super) fn loading_scalars(&mut self) -> (&mut QuotaUse, &mut Option<String>, &mut bool) {
        (
            &mut self.quota,
            &mut self.own_profile,
            &mut self.tallies_seen,
        )
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
            .flatten()
            .filter_map(|(_, id)| self.messages.get(id))
    }

    /// The (sentAt, id) index of one conversation's messages.
    pub(crate) fn order_of(
        &self,
        conversation: &ConversationId,
    ) -> Option<&BTreeSet<(i64, MessageId)>> {
        self.order.get(conversation)
    }

    /// Number of messages held (all conversations).
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// Merge one message (a join on the body by rank, on the tally by stamp, on the client key).
    /// Returns true when the message was not held before.
    pub fn merge_message(&mut self, incoming: StoredMessage) -> bool {
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
            self.order
                .entry(incoming.conversation.clone())
                .or_default()
                .insert((incoming.sent_at, id.clone()));
            self.dirty.touched.insert(incoming.conversation.clone());
            self.dirty.messages.insert(id.clone());
            self.messages.insert(id, incoming);
            return true;
        };
        let mut changed = false;
        if incoming.body_rank() > held.body_rank() {
            let (old_conv, old_at) = (held.conversation.clone(), held.sent_at);
            let keep_tally = held.tally.take();
            let keep_key = held.client_key.take();
            *held = StoredMessage {
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
        stamp: i64,
    ) -> MergeOutcome {
        self.ensure_conversation(conversation, conversation_urn);
        let mut out = MergeOutcome::default();
        for m in messages {
            match StoredMessage::from_wire(m, conversation, stamp) {
                Err(_) => out.unreadable += 1,
                Ok(s) if self.tombstones.contains(&s.id) => out.filtered += 1,
                Ok(s) => {
                    let id = s.id.clone();
                    if self.merge_message(s) {
                        out.added.push(id);
                    }
                }
            }
        }
        out
    }

    /// Fold a page's paging facts in. `oldest`/`newest` are the page's readable extremes,
    /// `since` the `since` it was asked with.
    #[allow(clippy::too_many_arguments)]
    pub fn merge_history(
        &mut self,
        conversation: &ConversationId,
        kind: PageKind,
        since: Option<i64>,
        oldest: Option<(i64, MessageId)>,
        newest: Option<i64>,
        cursor: Option<&str>,
        has_more: bool,
    ) {
        let rec = self.ensure_conversation(conversation, "");
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
        stamp: i64,
    ) {
        let rec = self.ensure_conversation(id, &meta.conversation_urn);
        let newer = stamp > rec.meta_stamp
            || (stamp == rec.meta_stamp
                && serde_json::to_string(meta).ok()
                    > rec
                        .meta
                        .as_ref()
                        .and_then(|m| serde_json::to_string(m).ok()));
        if newer {
            rec.meta = Some(meta.clone());
            rec.meta_stamp = stamp;
            self.dirty.conversations.insert(id.clone());
        }
    }

    /// Local read mark (max wins).
    pub fn mark_read(&mut self, id: &ConversationId, at: i64) -> bool {
        let rec = self.ensure_conversation(id, "");
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
                self.recalled_in.insert(id.clone(), place.clone());
                self.dirty.tombstones.insert(id.clone());
                self.dirty.touched.insert(place);
            }
        }
        if !self.tombstones.insert(id.clone()) {
            return false;
        }
        self.dirty.tombstones.insert(id.clone());
        if let Some(m) = self.messages.remove(id) {
            if let Some(set) = self.order.get_mut(&m.conversation) {
                set.remove(&(m.sent_at, id.clone()));
            }
            self.dirty.messages.insert(id.clone());
            self.dirty.touched.insert(m.conversation);
        }
        let gone: Vec<ReactionKey> = self
            .reactions
            .range(ReactionKey::first_of(id)..)
            .take_while(|(k, _)| &k.message == id)
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.reactions.remove(&k);
            self.dirty.reactions.insert(k);
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
            .filter(|(_, c)| *c == conversation)
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
        self.reactions
            .range(ReactionKey::first_of(id)..)
            .take_while(move |(k, _)| &k.message == id)
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

    /// Rebuild the ordering index (after loading records).
    pub(crate) fn reindex(&mut self) {
        self.order.clear();
        for m in self.messages.values() {
            self.order
                .entry(m.conversation.clone())
                .or_default()
                .insert((m.sent_at, m.id.clone()));
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

/// The reconciled reactions of message `id` (emoji order), by the rule in `reaction`'s module doc.
pub fn tally_view(store: &AccountStore, id: &MessageId) -> Vec<ReactionCount> {
    let tally = store
        .message(id)
        .and_then(|m| m.tally.as_ref())
        .filter(|t| !t.entries.is_empty() || store.tallies_seen);
    let mut emojis: Vec<&str> = tally
        .iter()
        .flat_map(|t| t.entries.iter())
        .map(|e| e.emoji.as_str())
        .collect();
    let facts: Vec<_> = store.reactions_of(id).collect();
    emojis.extend(facts.iter().map(|(k, _)| k.emoji.as_str()));
    emojis.sort_unstable();
    emojis.dedup();
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
        let count = others + u32::from(mine);
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
            sent_at: n as i64,
            message_urn: None,
        }
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
            .map(|s| s.sent_at)
            .collect();
        let want: Vec<i64> = (5..ELSEWHERE_KEPT as i64 + 5).collect();
        assert_eq!(kept, want);
        assert!(store.dirty.elsewhere.contains(&inbox));
        let other = ConversationId::parse("2-other").unwrap();
        assert!(store.elsewhere_sent(&other).is_empty());
    }
}
