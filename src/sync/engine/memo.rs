//! Views kept between reads (issue 15). A UI reads a conversation's view after every change,
//! and most of its messages have not changed since the last read: building and copying each
//! one out again was what made the view 15-30 times slower than a plain-JS engine's (which
//! hands out the objects it holds). A [`ViewMemo`] keeps, per stored message, what its view
//! was made of and what the reader made of that view (`T`: a JS object in the wasm binding);
//! a message whose inputs are equal to the kept ones gets the kept `T` back, and only the
//! others are built and rendered. The few items that are not stored messages (outbox
//! entries, sent Sales Navigator messages) are built on every read and compared whole with
//! the last read's, so an unchanged one keeps its `T` too.
//!
//! Correctness does not rest on anyone marking changes: the inputs are compared, all of them
//! (the stored message with its tally, the reaction facts, the tally flag, the recall state
//! at the view's time, pending reactions, the last failure), so a memo can only be stale if
//! [`Engine::stored_message_view`] reads something that [`MessageInputs`] does not hold. The
//! tests compare the memo's answer with the full view after every step of the engine's
//! property runs (tests/sync/props.rs).

use super::views::unstored_views;
use super::*;
use crate::sync::view::{ConversationView, LastFailure, MessageView, RecallEligibility};

/// What one stored message's view is made of.
#[derive(Debug, Clone, PartialEq)]
struct MessageInputs {
    message: StoredMessage,
    tallies_seen: bool,
    facts: Vec<(ReactionKey, ReactionFact)>,
    recall: RecallEligibility,
    pending: Vec<(String, bool)>,
    failure: Option<LastFailure>,
}

/// The messages of one conversation as a reader last rendered them.
#[derive(Debug)]
pub struct ViewMemo<T> {
    of: Option<(AccountId, ConversationId)>,
    /// In the store's order of the conversation's messages, (sentAt, id): a read walks them
    /// beside the store's, with no lookup.
    entries: Vec<Kept<T>>,
    /// The items that are not stored messages (sent Sales Navigator messages, outbox
    /// entries), each with its whole view: such an item's view is its only input, so an equal
    /// view gets the kept `T` back.
    unstored: Vec<(MessageView, T)>,
}

#[derive(Debug)]
struct Kept<T> {
    at: Millis,
    id: MessageId,
    inputs: MessageInputs,
    shown: Option<T>,
}

impl<T> Default for ViewMemo<T> {
    fn default() -> Self {
        ViewMemo {
            of: None,
            entries: Vec::new(),
            unstored: Vec::new(),
        }
    }
}

impl<T> ViewMemo<T> {
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
}

/// Where an item of the view comes from.
enum Slot {
    /// This index of the memo's new entries.
    Kept(usize),
    /// This index of the freshly built views.
    Fresh(usize),
    /// This index of the unstored items kept from the last read.
    Again(usize),
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

    /// Whether `kept` still describes message `m` at `now_ms`.
    fn still_true(
        &self,
        account: &AccountId,
        store: &AccountStore,
        m: &StoredMessage,
        now_ms: Millis,
        kept: &MessageInputs,
    ) -> bool {
        kept.message == *m
            && kept.tallies_seen == store.tallies_seen()
            && kept.recall == self.recall_of(store, m, now_ms)
            && store
                .reactions_of(&m.id)
                .eq(kept.facts.iter().map(|(k, f)| (k, f)))
            && self
                .pending_of(account, &m.id)
                .eq(kept.pending.iter().map(|(e, a)| (e, *a)))
            && self.failure_of(account, &m.id) == kept.failure.as_ref()
    }

    fn inputs_of(
        &self,
        account: &AccountId,
        store: &AccountStore,
        m: &StoredMessage,
        now_ms: Millis,
    ) -> MessageInputs {
        MessageInputs {
            message: m.clone(),
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
    /// with its messages as `T`s: the kept `T` of every stored message whose view would be the
    /// same as when it was kept, and `render`'s `T`s of all the others (called once, with the
    /// views in the order of its answer). Returns the view without its messages beside them.
    /// `memo` then holds this answer (and only the messages it shows).
    pub fn conversation_view_memo<T: Clone, E>(
        &self,
        account: &AccountId,
        id: &ConversationId,
        now_ms: i64,
        memo: &mut ViewMemo<T>,
        render: impl FnOnce(Vec<MessageView>) -> Result<Vec<T>, E>,
    ) -> Result<Option<(ConversationView, Vec<T>)>, E> {
        let now = Millis(now_ms);
        let Some(store) = self.accounts.get(account) else {
            *memo = ViewMemo::default();
            return Ok(None);
        };
        if memo
            .of
            .as_ref()
            .is_none_or(|(a, c)| a != account || c != id)
        {
            *memo = ViewMemo {
                of: Some((account.clone(), id.clone())),
                entries: Vec::new(),
                unstored: Vec::new(),
            };
        }
        let Some(shell) = self.view_shell(account, store, id, now) else {
            memo.entries.clear();
            memo.unstored.clear();
            return Ok(None);
        };
        let mut slots: Vec<(Millis, Slot)> = Vec::new();
        let mut fresh: Vec<MessageView> = Vec::new();
        // The new entries, and for those made now the index of their view in `fresh`.
        let mut next: Vec<Kept<T>> = Vec::new();
        let mut made: Vec<(usize, usize)> = Vec::new();
        let mut old = std::mem::take(&mut memo.entries).into_iter().peekable();
        for m in store.messages_in(id) {
            let key = (m.sent_at, &m.id);
            while old.next_if(|k| (k.at, &k.id) < key).is_some() {}
            let kept = old
                .next_if(|k| (k.at, &k.id) == key)
                .filter(|k| self.still_true(account, store, m, now, &k.inputs));
            slots.push((m.sent_at, Slot::Kept(next.len())));
            match kept {
                Some(k) => next.push(k),
                None => {
                    made.push((next.len(), fresh.len()));
                    next.push(Kept {
                        at: m.sent_at,
                        id: m.id.clone(),
                        inputs: self.inputs_of(account, store, m, now),
                        shown: None,
                    });
                    fresh.push(self.stored_message_view(account, store, m, now));
                }
            }
        }
        drop(old);
        let (away, outbox) = unstored_views(store, id);
        let mut kept_unstored = std::mem::take(&mut memo.unstored);
        let mut again: Vec<(MessageView, T)> = Vec::new();
        // The unstored views built now, with the index of their view in `fresh`.
        let mut unstored_made: Vec<(MessageView, usize)> = Vec::new();
        let mut place = |v: MessageView, slots: &mut Vec<(Millis, Slot)>| {
            let at = v.sent_at;
            match kept_unstored.iter().position(|(k, _)| *k == v) {
                Some(i) => {
                    slots.push((at, Slot::Again(again.len())));
                    again.push(kept_unstored.swap_remove(i));
                }
                None => {
                    slots.push((at, Slot::Fresh(fresh.len())));
                    unstored_made.push((v.clone(), fresh.len()));
                    fresh.push(v);
                }
            }
        };
        if !away.is_empty() {
            for v in away {
                place(v, &mut slots);
            }
            slots.sort_by_key(|(at, _)| *at);
        }
        for v in outbox {
            place(v, &mut slots);
        }
        let rendered = render(fresh)?;
        for (entry, view) in made {
            next[entry].shown = rendered.get(view).cloned();
        }
        let items = slots
            .iter()
            .filter_map(|(_, slot)| match slot {
                Slot::Kept(i) => next[*i].shown.clone(),
                Slot::Fresh(i) => rendered.get(*i).cloned(),
                Slot::Again(i) => again.get(*i).map(|(_, t)| t.clone()),
            })
            .collect();
        memo.entries = next;
        memo.unstored = again;
        memo.unstored.extend(
            unstored_made
                .into_iter()
                .filter_map(|(v, i)| rendered.get(i).cloned().map(|t| (v, t))),
        );
        Ok(Some((shell, items)))
    }
}
