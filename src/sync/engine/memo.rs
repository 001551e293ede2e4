//! Views kept between reads (issue 15). A UI reads a conversation's view after every change,
//! and most of its messages have not changed since the last read: building and copying each
//! one out again was what made the view 15-30 times slower than a plain-JS engine's (which
//! hands out the objects it holds). A [`ViewMemo`] keeps, per stored message, what its view
//! was made of and what the reader made of that view (`T`: a JS object in the wasm binding);
//! a message whose inputs are equal to the kept ones gets the kept `T` back, and only the
//! others are built and rendered. The few items that are not stored messages (outbox
//! entries, sent Sales Navigator messages) are built on every read and compared whole with
//! the last read's, so an unchanged one keeps its `T` too. A stored message's view is a
//! function of its inputs (`MessageInputs::into_view`), so a fresh one is written as JSON
//! straight from what the memo keeps (`Planned::write_fresh_json`), never built to be copied.
//!
//! The inputs are compared, all of them (the stored message with its tally but not when they
//! were fetched, which no view shows, `shows_the_same`; the reaction facts, the tally flag, the
//! recall state at the view's time, pending reactions, the last failure), so a memo can only be
//! stale if [`Engine::stored_message_view`] reads something that [`MessageInputs`] does not
//! hold, with one shortcut: a message the store's change log (`Changes`, store.rs, where every
//! new version of a message is made and noted) names no change of since the last read is the
//! version kept, so it is neither looked up nor compared. The tests compare the memo's answer
//! with the full view after every step of the engine's property runs (tests/sync/props.rs),
//! and the store's tests that every change is noted. A read with no input or command to the
//! engine since the last one is that answer again (`Current`).

use super::views::unstored_views;
use super::*;
use crate::sync::store::reaction_counts;
use crate::sync::view::{
    ConversationView, LastFailure, MessageState, MessageView, ReactionView, RecallEligibility,
};
use crate::sync::view_json::EntryJson;

/// What one stored message's view is made of.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MessageInputs {
    /// Boxed: a read moves every entry and looks at the rest (a few dozen bytes) of the
    /// unchanged ones, not at their message (a few hundred).
    message: Box<StoredMessage>,
    tallies_seen: bool,
    facts: Vec<(ReactionKey, ReactionFact)>,
    recall: RecallEligibility,
    pending: Vec<(String, bool)>,
    failure: Option<LastFailure>,
}

impl MessageInputs {
    /// The message's reactions as shown: the reconciled tally, with our own changes on their
    /// way marked (an emoji with none yet shown at count 0).
    fn reactions(&self) -> Vec<ReactionView> {
        // Most messages: no tally entry, reaction fact nor change of ours, so none.
        if self.facts.is_empty()
            && self.pending.is_empty()
            && self
                .message
                .tally
                .as_ref()
                .is_none_or(|t| t.entries.is_empty())
        {
            return Vec::new();
        }
        let facts: Vec<_> = self.facts.iter().map(|(k, f)| (k, f)).collect();
        let mut reactions: Vec<ReactionView> =
            reaction_counts(self.message.tally.as_ref(), &facts, self.tallies_seen)
                .into_iter()
                .map(|r| ReactionView {
                    emoji: r.emoji,
                    count: r.count,
                    mine: r.mine,
                    pending: None,
                })
                .collect();
        for (emoji, add) in &self.pending {
            match reactions.iter_mut().find(|r| &r.emoji == emoji) {
                Some(r) => r.pending = Some(*add),
                None => reactions.push(ReactionView {
                    emoji: emoji.clone(),
                    count: 0,
                    mine: false,
                    pending: Some(*add),
                }),
            }
        }
        reactions
    }

    fn state(&self) -> MessageState {
        if self.recall == RecallEligibility::Recalling {
            MessageState::Recalling
        } else {
            MessageState::Sent
        }
    }

    /// The message's view: what a stored message shows is this function of its inputs (and
    /// [`MessageInputs::write_json`] writes the same view's JSON).
    pub(super) fn into_view(self) -> MessageView {
        let reactions = self.reactions();
        let state = self.state();
        let MessageInputs {
            message,
            recall,
            failure,
            ..
        } = self;
        let StoredMessage {
            id,
            message_urn,
            text,
            sent_at,
            sender_profile_id,
            sender_name,
            is_sent_by_owner,
            attachments,
            subject,
            client_key,
            ..
        } = *message;
        MessageView {
            id: Some(id),
            client_key,
            message_urn: Some(message_urn),
            text,
            sent_at,
            sender_profile_id,
            sender_name,
            is_sent_by_owner,
            attachments,
            subject,
            state,
            recall,
            reactions,
            last_failure: failure,
            elsewhere: false,
        }
    }

    /// Appends the JSON of the message's view ([`MessageInputs::into_view`]'s, as serde_json
    /// writes it) without building the view.
    fn write_json(&self, out: &mut String) -> Result<(), serde_json::Error> {
        let reactions = self.reactions();
        let state = self.state();
        let m = &self.message;
        EntryJson {
            id: Some(m.id.as_str()),
            client_key: m.client_key.as_ref().map(|k| k.0.as_str()),
            message_urn: Some(&m.message_urn),
            text: &m.text,
            sent_at: m.sent_at,
            sender_profile_id: m.sender_profile_id.as_deref(),
            sender_name: m.sender_name.as_deref(),
            is_sent_by_owner: m.is_sent_by_owner,
            attachments: &m.attachments,
            subject: m.subject.as_deref(),
            state: &state,
            recall: &self.recall,
            reactions: &reactions,
            last_failure: self.failure.as_ref(),
            elsewhere: false,
        }
        .write(out)
    }
}

/// Whether two copies of a stored message give the same view: every field but the body's
/// stamp (when the page it came in was asked for, which no view reads: each poll of a
/// conversation's newest page renews it), and the tally's stamp only where reaction facts are
/// held (the view then weighs our own facts against it, `tally_view`). Every field is named, so
/// a new one cannot be left out unseen.
fn shows_the_same(a: &StoredMessage, b: &StoredMessage, facts: bool) -> bool {
    let StoredMessage {
        id,
        conversation,
        message_urn,
        text,
        sent_at,
        sender_profile_id,
        sender_name,
        is_sent_by_owner,
        attachments,
        subject,
        stamp: _,
        tally,
        client_key,
        rev: _,
    } = a;
    let tallies = match (tally, &b.tally) {
        (Some(x), Some(y)) => x.entries == y.entries && (!facts || x.stamp == y.stamp),
        (None, None) => true,
        _ => false,
    };
    let same_opt = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => same(x, y),
        (None, None) => true,
        _ => false,
    };
    *sent_at == b.sent_at
        && *is_sent_by_owner == b.is_sent_by_owner
        && same(id.as_str(), b.id.as_str())
        && tallies
        && same(text, &b.text)
        && same(message_urn, &b.message_urn)
        && same(conversation.as_str(), b.conversation.as_str())
        && same_opt(sender_profile_id, &b.sender_profile_id)
        && same_opt(sender_name, &b.sender_name)
        && *attachments == b.attachments
        && same_opt(subject, &b.subject)
        && *client_key == b.client_key
}

/// Whether two strings are equal, eight bytes at a time: `==` on strings is a `memcmp`, which
/// the wasm build's runtime compares a byte at a time, and a read compares every text, URN and
/// id of a conversation's messages (most of them equal).
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let word = |w: &[u8]| <[u8; 8]>::try_from(w).map_or(0, u64::from_ne_bytes);
    let mut at = 0;
    while let (Some(x), Some(y)) = (a.get(at..at + 8), b.get(at..at + 8)) {
        if word(x) != word(y) {
            return false;
        }
        at += 8;
    }
    a.get(at..) == b.get(at..)
}

/// The messages of one conversation as a reader last rendered them: what each item of the last
/// answer was made of and where it is in that answer. The reader keeps the answer itself (a JS
/// array in the wasm binding: [`Engine::conversation_view_plan`] says how to make the next one
/// from it); [`ViewMemo`] keeps it as a `Vec<T>`.
#[derive(Debug, Default)]
pub struct PlanMemo {
    of: Option<(AccountId, ConversationId)>,
    /// In the store's order of the conversation's messages, (sentAt, id): a read walks them
    /// beside the store's, with no lookup.
    entries: Vec<Kept>,
    /// The items that are not stored messages (sent Sales Navigator messages, outbox
    /// entries), each with its whole view and its place in the last answer: such an item's
    /// view is its only input, so an equal view is the same item again.
    unstored: Vec<(MessageView, usize)>,
    /// How many items the last answer has.
    len: usize,
    /// When the last answer can be handed out again as it is, with no walk.
    current: Option<Current>,
    /// The store the last answer was read from and its last change then (its `Changes`
    /// id and a `Rev` number made at the read): a message no change since names is the
    /// version kept, without a lookup.
    seen: Option<(u64, u64)>,
}

/// A stored message's place in the memo, with what its view was made of.
#[derive(Debug)]
struct Kept {
    at: Millis,
    id: MessageId,
    inputs: MessageInputs,
    /// Where it is in the last answer.
    shown: usize,
}

/// The engine and time span over which an answer stays true. Between two steps the engine
/// changes nothing (every change is made by [`Engine::handle`] or [`Engine::command`], which
/// count them in `revision`), so the only thing that can change a view then is time: a
/// recall window that closes. A read at a time inside `[from, until]` of the same engine at
/// the same revision is answered by the last answer. This is what a UI with several tabs on one
/// conversation asks most: the same view again after one change.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Current {
    engine: u64,
    revision: u64,
    from: Millis,
    /// The first recall window among the shown messages to close, if one is open.
    until: Option<Millis>,
}

impl PlanMemo {
    /// Whether this memo holds a view of conversation `id` of `account`.
    pub fn shows(&self, account: &AccountId, id: &ConversationId) -> bool {
        self.of
            .as_ref()
            .is_some_and(|(a, c)| a == account && c == id)
    }

    /// How many messages are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets everything: what a reader calls when it could not make the answer a plan said
    /// (the next read then builds every item).
    pub fn forget(&mut self) {
        *self = PlanMemo::default();
    }
}

/// Where an item of the next answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemSource {
    /// This item of the last answer, as it is.
    Last(usize),
    /// This item of the fresh ones ([`Planned::fresh_views`], [`Planned::write_fresh_json`]).
    Fresh(usize),
}

/// The next answer of a [`PlanMemo`]: the view without its messages, the items to make
/// afresh, and how to make the answer's items from the last answer and those. The fresh items
/// are what the memo now keeps of them, so they are built (or written) only when asked for.
#[derive(Debug)]
pub struct Planned<'m> {
    /// The view; its `messages` are empty.
    pub view: ConversationView,
    /// The items of the answer in order; `None`: the last answer's, every one as it is.
    pub plan: Option<Vec<ItemSource>>,
    /// The fresh items, in the order [`ItemSource::Fresh`] counts them.
    fresh: Vec<Fresh<'m>>,
}

/// A fresh item: a stored message's inputs, or an unstored item's whole view.
#[derive(Debug, Clone, Copy)]
enum Fresh<'m> {
    Stored(&'m MessageInputs),
    Unstored(&'m MessageView),
}

impl Planned<'_> {
    /// How many items are made afresh.
    pub fn fresh_len(&self) -> usize {
        self.fresh.len()
    }

    /// The fresh items' views, in the order [`ItemSource::Fresh`] counts them.
    pub fn fresh_views(&self) -> Vec<MessageView> {
        self.fresh
            .iter()
            .map(|f| match f {
                Fresh::Stored(inputs) => MessageInputs::clone(inputs).into_view(),
                Fresh::Unstored(view) => MessageView::clone(view),
            })
            .collect()
    }

    /// Appends the fresh items' views as a JSON array: serde_json's text of
    /// [`Planned::fresh_views`] (integers beyond JavaScript's safe range written as its bound,
    /// `view_json::push_int`), a stored message's entry written from what the memo keeps of
    /// it, without its view being built.
    pub fn write_fresh_json(&self, out: &mut String) -> Result<(), serde_json::Error> {
        let size: usize = self
            .fresh
            .iter()
            .map(|f| match f {
                Fresh::Stored(i) => 320 + i.message.text.len() + i.message.message_urn.len(),
                Fresh::Unstored(v) => 320 + v.text.len(),
            })
            .sum();
        out.reserve(size + 2);
        out.push('[');
        for (i, f) in self.fresh.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match f {
                Fresh::Stored(inputs) => inputs.write_json(out)?,
                Fresh::Unstored(view) => EntryJson::from(*view).write(out)?,
            }
        }
        out.push(']');
        Ok(())
    }
}

/// The messages of one conversation as a reader last rendered them, as `T`s (a [`PlanMemo`]
/// with the last answer).
#[derive(Debug)]
pub struct ViewMemo<T> {
    plan: PlanMemo,
    items: Vec<T>,
}

impl<T> Default for ViewMemo<T> {
    fn default() -> Self {
        ViewMemo {
            plan: PlanMemo::default(),
            items: Vec::new(),
        }
    }
}

impl<T> ViewMemo<T> {
    /// Whether this memo holds a view of conversation `id` of `account`.
    pub fn shows(&self, account: &AccountId, id: &ConversationId) -> bool {
        self.plan.shows(account, id)
    }

    /// How many messages are kept.
    pub fn len(&self) -> usize {
        self.plan.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty()
    }
}

/// Whose item a slot is: this index of the new entries, or of the new unstored items.
enum Owner {
    Entry(usize),
    Unstored(usize),
}

impl Engine {
    /// The recall state of a stored message at `now_ms`.
    pub(super) fn recall_of(
        &self,
        store: &AccountStore,
        m: &StoredMessage,
        now_ms: Millis,
    ) -> RecallEligibility {
        let closes = m.sent_at.saturating_add(self.config.recall_window_ms);
        if store.recall_check(&m.id).is_some_and(|c| c.ours) {
            RecallEligibility::Recalling
        } else if !m.is_sent_by_owner {
            RecallEligibility::NotOwn
        } else if now_ms > closes {
            RecallEligibility::WindowClosed { closed_at: closes }
        } else {
            RecallEligibility::Allowed { until: closes }
        }
    }

    /// The reaction changes of ours on their way for message `id` (emoji, added).
    pub(super) fn pending_of<'a>(
        &'a self,
        account: &'a AccountId,
        id: &'a MessageId,
    ) -> impl Iterator<Item = (&'a String, bool)> + 'a {
        self.pending_reacts
            .iter()
            .filter(move |((a, mid, _), _)| a == account && mid == id)
            .map(|((_, _, emoji), add)| (emoji, *add))
    }

    /// The last failed recall or reaction change of message `id`.
    pub(super) fn failure_of(&self, account: &AccountId, id: &MessageId) -> Option<&LastFailure> {
        if self.last_failures.is_empty() {
            return None;
        }
        self.last_failures.get(&(account.clone(), id.clone()))
    }

    /// Whether `kept` still describes message `m` at `now_ms`. The same version of the
    /// message ([`Rev`](crate::sync::Rev)) shows the same without a field compared; another
    /// one that shows the same becomes the kept version.
    fn still_true(
        &self,
        account: &AccountId,
        store: &AccountStore,
        m: &StoredMessage,
        now_ms: Millis,
        kept: &mut MessageInputs,
    ) -> bool {
        let shows = kept.message.rev.same(m.rev)
            || shows_the_same(&kept.message, m, !kept.facts.is_empty()) && {
                kept.message.rev = m.rev;
                true
            };
        shows && self.rest_still_true(account, store, now_ms, kept)
    }

    /// Whether what `kept` holds beside its message is still true at `now_ms` (its message is
    /// the version kept).
    fn rest_still_true(
        &self,
        account: &AccountId,
        store: &AccountStore,
        now_ms: Millis,
        kept: &MessageInputs,
    ) -> bool {
        let m = &kept.message;
        kept.tallies_seen == store.tallies_seen()
            && kept.recall == self.recall_of(store, m, now_ms)
            && store
                .reactions_of(&m.id)
                .eq(kept.facts.iter().map(|(k, f)| (k, f)))
            && self
                .pending_of(account, &m.id)
                .eq(kept.pending.iter().map(|(e, a)| (e, *a)))
            && self.failure_of(account, &m.id) == kept.failure.as_ref()
    }

    /// Whether no message of `store` has a reaction fact, a recall check, a pending reaction
    /// of ours or a last failure: what [`Engine::calm_still_true`] takes.
    fn calm(&self, store: &AccountStore) -> bool {
        !store.holds_reaction_facts()
            && !store.holds_recall_checks()
            && self.pending_reacts.is_empty()
            && self.last_failures.is_empty()
    }

    /// [`Engine::rest_still_true`] when [`Engine::calm`] holds, from what `kept` holds beside
    /// its message (not from the message, a few hundred bytes elsewhere): with no recall check
    /// held, a message's recall state moves only with the time (`recall_of`: its window is
    /// open until `until`, closed after `closed_at`; someone else's stays so), and with no
    /// fact, pending reaction or failure held, the kept ones must be none.
    fn calm_still_true(store: &AccountStore, now_ms: Millis, kept: &MessageInputs) -> bool {
        kept.tallies_seen == store.tallies_seen()
            && kept.facts.is_empty()
            && kept.pending.is_empty()
            && kept.failure.is_none()
            && match kept.recall {
                RecallEligibility::NotOwn => true,
                RecallEligibility::Allowed { until } => now_ms <= until,
                RecallEligibility::WindowClosed { closed_at } => now_ms > closed_at,
                RecallEligibility::Recalling | RecallEligibility::NotSent => false,
            }
    }

    /// What the view of stored message `m` is made of at `now_ms`.
    pub(super) fn inputs_of(
        &self,
        account: &AccountId,
        store: &AccountStore,
        m: &StoredMessage,
        now_ms: Millis,
    ) -> MessageInputs {
        MessageInputs {
            message: Box::new(m.clone()),
            tallies_seen: store.tallies_seen(),
            facts: store
                .reactions_of(&m.id)
                .map(|(k, f)| (k.clone(), *f))
                .collect(),
            recall: self.recall_of(store, m, now_ms),
            pending: self
                .pending_of(account, &m.id)
                .map(|(e, a)| (e.clone(), a))
                .collect(),
            failure: self.failure_of(account, &m.id).cloned(),
        }
    }

    /// The view of one conversation as of `now_ms`, like [`Engine::conversation_view_at`],
    /// as a plan over the last answer `memo` describes: which items are that answer's (every
    /// message whose view would be the same as when it was shown) and which are built afresh
    /// (the view's messages). `memo` then describes the answer the plan makes, which the
    /// reader must keep (or [`PlanMemo::forget`] it).
    pub fn conversation_view_plan<'m>(
        &self,
        account: &AccountId,
        id: &ConversationId,
        now_ms: i64,
        memo: &'m mut PlanMemo,
    ) -> Option<Planned<'m>> {
        let now = Millis(now_ms);
        let Some(store) = self.accounts.get(account) else {
            memo.forget();
            return None;
        };
        if !memo.shows(account, id) {
            *memo = PlanMemo {
                of: Some((account.clone(), id.clone())),
                ..PlanMemo::default()
            };
        }
        let Some(view) = self.view_shell(account, store, id, now) else {
            memo.forget();
            return None;
        };
        if memo.current.is_some_and(|c| {
            c.engine == self.instance
                && c.revision == self.revision
                && c.from <= now
                && c.until.is_none_or(|u| now <= u)
        }) {
            return Some(Planned {
                view,
                plan: None,
                fresh: Vec::new(),
            });
        }
        memo.current = None;
        let last = memo.len;
        let mut used = vec![false; last];
        let mut take = |at: usize| match used.get_mut(at) {
            Some(u) if !*u => {
                *u = true;
                Some(at)
            }
            _ => None,
        };
        let order = store.order_of(id);
        let mut slots: Vec<(Millis, ItemSource, Owner)> = Vec::with_capacity(order.len());
        let mut fresh: Vec<Owner> = Vec::new();
        let mut next: Vec<Kept> = Vec::with_capacity(order.len());
        // The sentAt of the messages changed since the last answer, when the store knows.
        let changed = memo
            .seen
            .take()
            .and_then(|(of, seen)| store.changed_since(of, seen));
        let calm = self.calm(store);
        // The next changed sentAt at or past the message walked (they come in its order).
        let mut changes = changed.as_deref().map(|c| c.iter().peekable());
        let mut unchanged = |at: Millis| match &mut changes {
            None => false,
            Some(c) => {
                while c.next_if(|x| **x < at).is_some() {}
                c.peek().is_none_or(|x| **x != at)
            }
        };
        let mut old = std::mem::take(&mut memo.entries).into_iter().peekable();
        for (at, mid) in order {
            // No change since the last answer at this sentAt: the messages at it are the ones
            // kept, in the same order, each the version kept.
            let quick = unchanged(*at);
            // Entries before this message are gone from the store; one comparison each.
            let found = loop {
                let Some(k) = old.peek() else { break None };
                if k.at == *at && (quick || same(k.id.as_str(), mid.as_str())) {
                    break old.next();
                }
                if (k.at, &k.id) < (*at, mid) {
                    drop(old.next());
                } else {
                    break None;
                }
            };
            // A message no change since names is the version kept: no lookup.
            let mut looked_up = None;
            let kept = found
                .and_then(|mut k| {
                    let still = if quick {
                        calm && Engine::calm_still_true(store, now, &k.inputs)
                            || !calm && self.rest_still_true(account, store, now, &k.inputs)
                    } else {
                        looked_up = store.message(mid);
                        looked_up
                            .is_some_and(|m| self.still_true(account, store, m, now, &mut k.inputs))
                    };
                    still.then_some(k)
                })
                .and_then(|k| take(k.shown).map(|i| (k, i)));
            let owner = Owner::Entry(next.len());
            match kept {
                Some((k, i)) => {
                    slots.push((*at, ItemSource::Last(i), owner));
                    next.push(k);
                }
                None => {
                    let Some(m) = looked_up.or_else(|| store.message(mid)) else {
                        continue;
                    };
                    slots.push((m.sent_at, ItemSource::Fresh(fresh.len()), owner));
                    fresh.push(Owner::Entry(next.len()));
                    next.push(Kept {
                        at: m.sent_at,
                        id: m.id.clone(),
                        inputs: self.inputs_of(account, store, m, now),
                        shown: 0,
                    });
                }
            }
        }
        drop(old);
        memo.seen = Some((store.changes_id(), crate::sync::Rev::new().number()));
        let (away, outbox) = unstored_views(store, id);
        let mut kept_unstored = std::mem::take(&mut memo.unstored);
        let mut unstored: Vec<(MessageView, usize)> = Vec::new();
        let mut place = |v: MessageView, slots: &mut Vec<(Millis, ItemSource, Owner)>| {
            let at = v.sent_at;
            let owner = Owner::Unstored(unstored.len());
            let again = kept_unstored
                .iter()
                .position(|(k, _)| *k == v)
                .and_then(|i| take(kept_unstored.swap_remove(i).1));
            match again {
                Some(i) => slots.push((at, ItemSource::Last(i), owner)),
                None => {
                    slots.push((at, ItemSource::Fresh(fresh.len()), owner));
                    fresh.push(Owner::Unstored(unstored.len()));
                }
            }
            unstored.push((v, 0));
        };
        if !away.is_empty() {
            for v in away {
                place(v, &mut slots);
            }
            crate::sort::sort_by(&mut slots, |a, b| a.0.cmp(&b.0));
        }
        for v in outbox {
            place(v, &mut slots);
        }
        let mut plan = Vec::with_capacity(slots.len());
        for (at, (_, source, owner)) in slots.into_iter().enumerate() {
            match owner {
                Owner::Entry(e) => next[e].shown = at,
                Owner::Unstored(u) => unstored[u].1 = at,
            }
            plan.push(source);
        }
        let until = next
            .iter()
            .filter_map(|k| match k.inputs.recall {
                RecallEligibility::Allowed { until } => Some(until),
                _ => None,
            })
            .min();
        memo.entries = next;
        memo.unstored = unstored;
        memo.len = plan.len();
        memo.current = Some(Current {
            engine: self.instance,
            revision: self.revision,
            from: now,
            until,
        });
        let memo: &'m PlanMemo = memo;
        let fresh = fresh
            .into_iter()
            .filter_map(|f| match f {
                Owner::Entry(e) => memo.entries.get(e).map(|k| Fresh::Stored(&k.inputs)),
                Owner::Unstored(u) => memo.unstored.get(u).map(|(v, _)| Fresh::Unstored(v)),
            })
            .collect();
        Some(Planned {
            view,
            plan: Some(plan),
            fresh,
        })
    }

    /// The view of one conversation as of `now_ms`, like [`Engine::conversation_view_at`],
    /// with its messages as `T`s: the kept `T` of every message whose view would be the same
    /// as when it was kept, and `render`'s `T`s of all the others (called once, with the views
    /// in the order of its answer; it must give one `T` for each). Returns the view without its
    /// messages beside them, which `memo` then holds (and only the messages it shows).
    pub fn conversation_view_memo<'m, T, E>(
        &self,
        account: &AccountId,
        id: &ConversationId,
        now_ms: i64,
        memo: &'m mut ViewMemo<T>,
        render: impl FnOnce(Vec<MessageView>) -> Result<Vec<T>, E>,
    ) -> Result<Option<(ConversationView, &'m [T])>, E> {
        let Some(planned) = self.conversation_view_plan(account, id, now_ms, &mut memo.plan) else {
            memo.items.clear();
            return Ok(None);
        };
        let fresh = planned.fresh_views();
        let Planned { view, plan, .. } = planned;
        let Some(plan) = plan else {
            return Ok(Some((view, &memo.items)));
        };
        let rendered = render(fresh).inspect_err(|_| memo.plan.forget())?;
        let mut last: Vec<Option<T>> = std::mem::take(&mut memo.items)
            .into_iter()
            .map(Some)
            .collect();
        let mut rendered: Vec<Option<T>> = rendered.into_iter().map(Some).collect();
        for source in plan {
            let t = match source {
                ItemSource::Last(i) => last.get_mut(i).and_then(Option::take),
                ItemSource::Fresh(i) => rendered.get_mut(i).and_then(Option::take),
            };
            match t {
                Some(t) => memo.items.push(t),
                // A render that gave too few: this answer lacks the item, and the next read
                // builds every one again.
                None => memo.plan.forget(),
            }
        }
        Ok(Some((view, &memo.items)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attachment, ReactionSummary};
    use crate::sync::outbox::{Failure, FailureCode};
    use crate::sync::reaction::Actor;
    use crate::sync::view::FailedAction;
    use crate::sync::{Rev, Stamp, Tally};

    /// Every field of a stored message set (hostile text in each string), a tally, facts of
    /// ours and another's, pending changes and a failure: the JSON written from the inputs is
    /// serde_json's text of the view built from them. (The property runs' server sets no
    /// sender name, subject or attachment.)
    #[test]
    fn a_stored_messages_json_is_serde_jsons_text_of_its_view() {
        let hostile = "a\"b\\c\u{1}\n\u{2028}<p>&é😀";
        let id = MessageId::parse("2-bWVzc2FnZQ==").unwrap();
        let stamp = Stamp::of_time(Millis(1_764_000_000_000));
        let recalls = [
            RecallEligibility::Allowed { until: Millis(9) },
            RecallEligibility::Recalling,
            RecallEligibility::NotOwn,
            RecallEligibility::WindowClosed {
                closed_at: Millis(1_764_000_000_000),
            },
        ];
        for n in 0..16 {
            let on = |bit: usize| n & (1 << bit) != 0;
            let text = |bit: usize| on(bit).then(|| hostile.to_owned());
            let inputs = MessageInputs {
                message: Box::new(StoredMessage {
                    id: id.clone(),
                    conversation: ConversationId::parse("2-Y29udg==").unwrap(),
                    message_urn: format!("urn:li:msg_message:(x,{hostile})"),
                    text: hostile.repeat(n),
                    sent_at: Millis(n as i64 * 1_000_003),
                    sender_profile_id: text(0),
                    sender_name: text(1),
                    is_sent_by_owner: on(2),
                    attachments: if on(3) {
                        vec![Attachment {
                            asset_urn: hostile.into(),
                            byte_size: 3,
                            media_type: "text/plain".into(),
                            name: hostile.into(),
                            url: text(0),
                        }]
                    } else {
                        Vec::new()
                    },
                    subject: text(2),
                    stamp,
                    tally: on(1).then(|| Tally {
                        stamp,
                        entries: vec![ReactionSummary {
                            emoji: "👍".into(),
                            count: 2,
                            viewer_reacted: on(0),
                        }],
                    }),
                    client_key: text(3).map(ClientKey),
                    rev: Rev::new(),
                }),
                tallies_seen: on(0),
                facts: if on(2) {
                    vec![
                        (
                            ReactionKey {
                                message: id.clone(),
                                actor: Actor::Me,
                                emoji: hostile.into(),
                            },
                            ReactionFact {
                                present: true,
                                stamp,
                            },
                        ),
                        (
                            ReactionKey {
                                message: id.clone(),
                                actor: Actor::Profile("p".into()),
                                emoji: "👍".into(),
                            },
                            ReactionFact {
                                present: on(3),
                                stamp,
                            },
                        ),
                    ]
                } else {
                    Vec::new()
                },
                recall: recalls[n % recalls.len()].clone(),
                pending: if on(1) {
                    vec![("🎉".into(), true), (hostile.into(), false)]
                } else {
                    Vec::new()
                },
                failure: on(3).then(|| LastFailure {
                    action: FailedAction::Recall,
                    failure: Failure {
                        code: FailureCode::StillThere,
                        message: hostile.into(),
                    },
                }),
            };
            let mut out = String::new();
            inputs.write_json(&mut out).unwrap();
            let view = inputs.clone().into_view();
            assert_eq!(out, serde_json::to_string(&view).unwrap(), "{n}");
        }
    }
}
