//! The engine's read side: builds the views (`super::super::view`) from the stores.

use super::*;
use crate::sync::outbox::ElsewhereSent;
use crate::sync::record_log::StoredPlaces;
use crate::sync::view::{
    entry_view, Channels, ConversationSummary, ConversationView, MessageState, MessageView,
    QuotaView, RecallEligibility, StatusView, SyncStatus,
};

impl Engine {
    /// The view of one conversation, if anything is known about it, as of the last input's
    /// time (see [`Engine::conversation_view_at`]).
    pub fn conversation_view(
        &self,
        account: &AccountId,
        id: &ConversationId,
    ) -> Option<ConversationView> {
        self.conversation_view_at(account, id, self.now().get())
    }

    /// The view of one conversation as of `now_ms`: the time-dependent parts (recall
    /// eligibility, the quota's day) are computed for that time, so a driver that reads a view
    /// between inputs passes its clock. The engine also wakes (a timer) when a shown message's
    /// recall window closes and notices the conversation changed.
    pub fn conversation_view_at(
        &self,
        account: &AccountId,
        id: &ConversationId,
        now_ms: i64,
    ) -> Option<ConversationView> {
        let now_ms = Millis(now_ms);
        let store = self.accounts.get(account)?;
        let mut view = self.view_shell(account, store, id, now_ms)?;
        let mut messages: Vec<MessageView> = store
            .messages_in(id)
            .map(|m| self.stored_message_view(account, store, m, now_ms))
            .collect();
        // Sales Navigator sends from this inbox thread that were sent, among the messages by
        // time (a stable sort keeps the store's order otherwise).
        let (away, outbox) = unstored_views(store, id);
        if !away.is_empty() {
            messages.extend(away);
            messages.sort_by_key(|m| m.sent_at);
        }
        messages.extend(outbox);
        view.messages = messages;
        Some(view)
    }

    /// The view of one conversation without its messages.
    pub(super) fn view_shell(
        &self,
        account: &AccountId,
        store: &AccountStore,
        id: &ConversationId,
        now_ms: Millis,
    ) -> Option<ConversationView> {
        // With a conversation window, a record not read yet may be on disk: its view waits
        // for the read, as its messages' do.
        let rec = match store.conversation(id) {
            Some(rec) => Some(rec),
            None if !store.record_known(id) => None,
            None => return None,
        };
        Some(ConversationView {
            account: account.clone(),
            id: id.clone(),
            urn: rec.map_or_else(|| id.canonical_urn(), |r| r.urn.clone()),
            messages: Vec::new(),
            has_more_history: rec.is_none_or(|r| r.history.more_available()),
            loading_older: self.loading_older(account, id),
            recalled: store.recalled_in(id),
            channels: Channels {
                sales_navigator: self.sales_navigator.get(account).copied(),
            },
            quota: QuotaView {
                left: self.quota_left_at(account, now_ms.get()),
                resets_at: next_reset(now_ms),
            },
            loading: !store.is_resident(id) && !store.is_unreadable(id),
            unreadable: store.is_unreadable(id),
            summary: rec.map(summary_of),
        })
    }

    /// The view of one stored message of `account` as of `now_ms`: the view of its inputs
    /// (`MessageInputs`, what [`ViewMemo`](super::ViewMemo) compares to tell a message shown
    /// before still true), so it can read nothing the memo does not compare.
    pub(super) fn stored_message_view(
        &self,
        account: &AccountId,
        store: &AccountStore,
        m: &StoredMessage,
        now_ms: Millis,
    ) -> MessageView {
        self.inputs_of(account, store, m, now_ms).into_view()
    }

    /// The URN of the conversation holding message `id`, as far as this engine knows: a message
    /// it synced, or the latest message of a listed conversation. `None` when it cannot tell
    /// (a caller must then say so rather than guess). Over what memory holds only: with
    /// per-record storage, `Command::LocateMessages` asks storage too.
    pub fn conversation_of_message(&self, account: &AccountId, id: &MessageId) -> Option<String> {
        let store = self.accounts.get(account)?;
        if let Some(m) = store.message(id) {
            return store.conversation(&m.conversation).map(|c| c.urn.clone());
        }
        store
            .conversations()
            .find(|c| names_as_latest(c, id))
            .map(|c| c.urn.clone())
    }

    /// `Command::LocateMessages`: refused (`bad_urn`) at the first URN that cannot be read;
    /// answered now from memory when it holds every copy storage could have (an engine holding
    /// everything, or every message held), else after one read of the others
    /// (`Effect::Locate`).
    pub(super) fn cmd_locate(&mut self, account: AccountId, urns: &[String]) {
        let mut messages = Vec::with_capacity(urns.len());
        for urn in urns {
            match MessageId::parse(urn) {
                Ok(id) => messages.push(id),
                Err(e) => {
                    let reason = Refusal::BadUrn {
                        urn: urn.clone(),
                        reason: e.to_string(),
                    };
                    return self.refuse(&account, reason);
                }
            }
        }
        // Never a store made for the account asked about: the query changes nothing.
        let store = self.accounts.get(&account);
        let asked: Vec<MessageId> = if self.lazy() && !store.is_some_and(AccountStore::holds_all) {
            messages
                .iter()
                .filter(|m| store.is_none_or(|s| s.message(m).is_none()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        if asked.is_empty() {
            let conversation_urns = self.places_of(&account, &messages, &[]);
            self.complete_now(Outcome::Located { conversation_urns });
        } else {
            self.wait_on_locate(&account, messages, asked);
        }
    }

    /// The URNs of the conversations holding `messages`, each once, in the order first found:
    /// for each message, the conversation of its copy in memory, else of its copy in storage
    /// (`stored`: what `Effect::Locate` read of the messages memory held no copy of), else
    /// every conversation whose list entry names it as its latest (memory's record where it
    /// holds one: it is newer than storage's). An engine holding everything answers the same
    /// with nothing read. URNs in the held record's `urn:` form (as
    /// [`Engine::conversation_urn_of`] gives them), else the stored list entry's, else the
    /// canonical one.
    pub(super) fn places_of(
        &self,
        account: &AccountId,
        messages: &[MessageId],
        stored: &[(MessageId, StoredPlaces)],
    ) -> Vec<String> {
        let store = self.accounts.get(account);
        let mut found: Vec<(ConversationId, Option<&str>)> = Vec::new();
        fn add<'a>(
            found: &mut Vec<(ConversationId, Option<&'a str>)>,
            c: &ConversationId,
            urn: Option<&'a str>,
        ) {
            if !found.iter().any(|(f, _)| f == c) {
                found.push((c.clone(), urn));
            }
        }
        for id in messages {
            if let Some(m) = store.and_then(|s| s.message(id)) {
                add(&mut found, &m.conversation, None);
                continue;
            }
            let read = stored.iter().find(|(m, _)| m == id).map(|(_, p)| p);
            if let Some(c) = read.and_then(|p| p.conversation.as_ref()) {
                add(&mut found, c, None);
                continue;
            }
            for c in store.into_iter().flat_map(|s| s.conversations()) {
                if names_as_latest(c, id) {
                    add(&mut found, &c.id, None);
                }
            }
            for (c, urn) in read.into_iter().flat_map(|p| &p.latest_of) {
                if store.is_none_or(|s| s.conversation(c).is_none()) {
                    add(&mut found, c, Some(urn));
                }
            }
        }
        found
            .into_iter()
            .map(|(c, stored)| {
                let held = store
                    .and_then(|s| s.conversation(&c))
                    .map(|r| r.urn.as_str());
                held.or(stored)
                    .filter(|u| u.starts_with("urn:"))
                    .map_or_else(|| c.canonical_urn(), str::to_owned)
            })
            .collect()
    }

    /// The URN of the one listed conversation whose other participant is exactly `profile` (a
    /// one-to-one conversation with them). `None` when there is none, or more than one (two
    /// threads with one person cannot be told apart by who is in them).
    pub fn conversation_with(&self, account: &AccountId, profile: &ProfileId) -> Option<String> {
        let store = self.accounts.get(account)?;
        let own = store.own_profile().and_then(|p| ProfileId::parse(p).ok());
        let mut hits = store.conversations().filter(|c| {
            let Some(meta) = &c.meta else {
                return false;
            };
            let all: Vec<ProfileId> = meta
                .participants
                .iter()
                .filter_map(|p| ProfileId::parse(&p.profile_id).ok())
                .collect();
            // Lists that name the owner too show [owner, them]: with the owner not known yet,
            // that is two people and no answer (never a guess).
            let others: Vec<&ProfileId> = all.iter().filter(|p| Some(*p) != own.as_ref()).collect();
            others.len() == 1 && others[0] == profile
        });
        let first = hits.next()?;
        match hits.next() {
            Some(_) => None,
            None => Some(first.urn.clone()),
        }
    }

    /// Outbox entries not (yet) placed in a known conversation, e.g. a first message to someone.
    pub fn unplaced_outbox(&self, account: &AccountId) -> Vec<MessageView> {
        let Some(store) = self.accounts.get(account) else {
            return Vec::new();
        };
        store
            .outbox()
            .in_order()
            .into_iter()
            .filter(|e| e.is_visible() && e.conversation.is_none() && e.shown_in.is_none())
            .map(entry_view)
            .collect()
    }

    /// The conversation list, newest activity first. With a conversation window
    /// (`Engine::restore_window`) it is the start of the whole list, as far as it was read
    /// ([`Engine::conversation_list_has_more`] says whether it goes on;
    /// `Command::LoadMoreConversations` reads the next page).
    pub fn conversation_list(&self, account: &AccountId) -> Vec<ConversationSummary> {
        let Some(store) = self.accounts.get(account) else {
            return Vec::new();
        };
        let mut list: Vec<ConversationSummary> = store.listed().map(summary_of).collect();
        crate::sort::sort_by(&mut list, |a, b| {
            b.last_activity_at
                .cmp(&a.last_activity_at)
                .then(a.id.cmp(&b.id))
        });
        list
    }

    /// Whether the stored conversation list goes on past [`Engine::conversation_list`] (with a
    /// conversation window only).
    pub fn conversation_list_has_more(&self, account: &AccountId) -> bool {
        self.accounts
            .get(account)
            .is_some_and(|s| s.list_more().is_some())
    }

    /// The unread count of the whole conversation list (with a conversation window, of the
    /// conversations not read yet too: the account's stored summary).
    pub fn unread_total(&self, account: &AccountId) -> u64 {
        self.accounts.get(account).map_or(0, |s| s.unread_total())
    }

    /// Sync status, quota and outbox totals of one account.
    pub fn status(&self, account: &AccountId) -> StatusView {
        let now = self.now();
        let sync = if self.paused && self.paused_forbidden {
            SyncStatus::PausedForbidden
        } else if self.paused {
            SyncStatus::PausedUnauthorized
        } else if self.offline.contains(account) {
            SyncStatus::Offline
        } else if self.server_trouble.contains_key(account) {
            SyncStatus::ServerTrouble
        } else if self.rate_wait.get(account).is_some_and(|t| *t > now) {
            SyncStatus::RateLimited
        } else if self.reading(account) {
            SyncStatus::Syncing
        } else {
            SyncStatus::Synced
        };
        let (mut outbox_pending, mut outbox_failed) = (0, 0);
        if let Some(store) = self.accounts.get(account) {
            for e in store.outbox().entries.values().filter(|e| e.is_visible()) {
                match e.state {
                    SendState::Failed { .. } => outbox_failed += 1,
                    _ => outbox_pending += 1,
                }
            }
        }
        StatusView {
            sync,
            quota_left: self.quota_left(account),
            quota_resets_at: next_reset(now),
            rate_limited_until: self.rate_wait.get(account).copied().filter(|t| *t > now),
            server_trouble_since: self.server_trouble.get(account).copied(),
            outbox_pending,
            outbox_failed,
            storage: self.storage_health.clone(),
        }
    }
}

/// The views of a conversation's items that are not stored messages: its sent Sales Navigator
/// messages (to be placed among the messages by time), and its outbox entries (shown last).
pub(super) fn unstored_views(
    store: &AccountStore,
    id: &ConversationId,
) -> (Vec<MessageView>, Vec<MessageView>) {
    let away = store
        .elsewhere_sent(id)
        .iter()
        .map(elsewhere_view)
        .collect();
    let outbox = store
        .outbox()
        .in_order()
        .into_iter()
        .filter(|e| {
            (e.is_visible() && e.conversation.as_ref() == Some(id))
                || e.shown_in.as_ref() == Some(id)
        })
        .map(entry_view)
        .collect();
    (away, outbox)
}

/// A sent Sales Navigator message as its inbox thread shows it.
fn elsewhere_view(s: &ElsewhereSent) -> MessageView {
    MessageView {
        id: None,
        client_key: Some(s.key.clone()),
        message_urn: s.message_urn.clone(),
        text: s.text.clone(),
        sent_at: s.sent_at,
        sender_profile_id: None,
        sender_name: None,
        is_sent_by_owner: true,
        attachments: s.attachments.clone(),
        subject: s.subject.clone(),
        state: MessageState::Sent,
        recall: RecallEligibility::NotSent,
        reactions: Vec::new(),
        last_failure: None,
        elsewhere: true,
    }
}

/// Whether `c`'s list entry names message `id` as its latest.
fn names_as_latest(c: &crate::sync::store::ConversationRecord, id: &MessageId) -> bool {
    c.meta
        .as_ref()
        .and_then(|m| m.latest_message.as_ref())
        .and_then(|l| l.message_urn.as_deref())
        .and_then(|u| MessageId::parse(u).ok())
        .is_some_and(|m| &m == id)
}

/// The list entry of a conversation record (a line of the list, a view's `summary`).
fn summary_of(c: &crate::sync::store::ConversationRecord) -> ConversationSummary {
    ConversationSummary {
        id: c.id.clone(),
        urn: c.urn.clone(),
        meta: c.meta.clone(),
        unread_count: c.unread(),
        last_activity_at: c.last_activity(),
    }
}
