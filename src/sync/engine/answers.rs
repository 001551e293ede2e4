//! API answers: pages, conversation lists, sends, reactions and recalls come back here.

use super::*;
use crate::sync::view::StorageHealth;

impl Engine {
    pub(super) fn answer(&mut self, id: RequestId, result: Result<ApiReply, ApiError>) {
        let old_key = self.request_key.remove(&id) != Some(self.key_generation);
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        let account = match &pending {
            Pending::Page { account, .. }
            | Pending::Conversations { account, .. }
            | Pending::Send { account, .. }
            | Pending::React { account, .. }
            | Pending::Recall { account, .. }
            | Pending::Premium { account } => account.clone(),
        };
        match &result {
            Err(e) => self.note_error(&account, e, old_key),
            // The API answers again: whatever trouble it had is over.
            Ok(_) => {
                self.server_trouble.delete(&account);
            }
        }
        // What the commands waiting on this answer learn: how it went, and whether the work
        // goes on with another request (a rescan's next page).
        let waited = self.request_waiters.contains_key(&id);
        let fits = matches!(
            (&pending, &result),
            (Pending::Page { .. }, Ok(ApiReply::Messages(_)))
                | (
                    Pending::Conversations { .. },
                    Ok(ApiReply::Conversations(_))
                )
                | (Pending::React { .. }, Ok(ApiReply::React(_)))
                | (_, Err(_))
        );
        let outcome = match (&pending, &result) {
            (_, Err(e)) => Err(Failure::of(e)),
            _ if !fits => Err(Failure {
                code: FailureCode::Malformed,
                message: "answer of another kind".into(),
            }),
            (
                Pending::React {
                    message,
                    emoji,
                    add,
                    ..
                },
                _,
            ) => Ok(Outcome::Reacted {
                message: message.clone(),
                emoji: emoji.clone(),
                add: *add,
            }),
            _ => Ok(Outcome::Done),
        };
        let walk = match &pending {
            Pending::Page {
                account,
                conversation,
                purpose: Purpose::Rescan { .. },
                ..
            } => Some((account.clone(), conversation.clone())),
            _ => None,
        };
        self.settle_answer(pending, result, old_key);
        if waited {
            let next = walk.and_then(|(a, c)| self.history_request(&a, &c));
            self.answered(id, outcome, next);
        }
    }

    /// `old_key`: the request went out under a key since replaced.
    ///
    /// The handlers it calls (`on_page`, `on_page_error`, `on_conversations`, `on_send_ok`,
    /// `on_send_error`, `on_recall_answer`) are `#[inline(never)]`: V8 compiles a wasm function
    /// whole on its first call, and a woken extension worker, whose first answers are a list
    /// or a page, compiled every handler inlined here (12.7 KB) before its first view (issue 13;
    /// ARCHITECTURE.md, "What a woken worker compiles").
    fn settle_answer(
        &mut self,
        pending: Pending,
        result: Result<ApiReply, ApiError>,
        old_key: bool,
    ) {
        match pending {
            Pending::Page {
                account,
                conversation,
                kind,
                purpose,
                issued_at,
                stamp,
                since,
            } => {
                let busy = page_busy(&account, &conversation, kind, &purpose);
                self.busy.remove(&busy);
                match result {
                    Ok(ApiReply::Messages(page)) => {
                        self.offline.remove(&account);
                        self.retry_at.delete(&busy);
                        self.on_page(
                            &account,
                            &conversation,
                            kind,
                            purpose,
                            (issued_at, stamp),
                            since,
                            page,
                        );
                    }
                    other => {
                        let e = unexpected(other);
                        self.on_page_error(&account, &conversation, purpose, busy, &e);
                    }
                }
            }
            Pending::Conversations { account, issued_at } => {
                let busy = Busy::Conversations(account.clone());
                self.busy.remove(&busy);
                match result {
                    Ok(ApiReply::Conversations(page)) => {
                        self.offline.remove(&account);
                        self.on_conversations(&account, issued_at, page);
                    }
                    other => {
                        let _ = unexpected(other);
                        let at = self.now + self.config.poll_interval_ms;
                        self.retry_at.set(busy, at);
                    }
                }
            }
            Pending::Send { account, key } => match result {
                Ok(ApiReply::Send(resp)) => self.on_send_ok(&account, &key, resp),
                other => {
                    let e = unexpected(other);
                    self.on_send_error(&account, &key, e);
                }
            },
            Pending::React {
                account,
                message,
                emoji,
                add,
            } => {
                self.pending_reacts
                    .delete(&(account.clone(), message.clone(), emoji.clone()));
                let stamp = self.next_stamp();
                let store = self.store_mut(&account);
                store.touch_message(&message);
                match result {
                    Ok(ApiReply::React(_)) => {
                        let key = ReactionKey {
                            message,
                            actor: Actor::Me,
                            emoji,
                        };
                        let fact = ReactionFact {
                            present: add,
                            stamp,
                        };
                        if store.merge_reaction(key.clone(), fact) {
                            self.broadcast(RemoteFact::Reaction { account, key, fact });
                        }
                    }
                    other => {
                        let reason = Failure::of(&unexpected(other));
                        self.notify(Notice::ReactFailed {
                            account,
                            message,
                            emoji,
                            reason,
                        });
                    }
                }
            }
            Pending::Recall { account, message } => {
                self.on_recall_answer(&account, &message, result)
            }
            Pending::Premium { account } => match result {
                Ok(ApiReply::PremiumStatus(p)) if !old_key => {
                    let has = p.has_sales_navigator;
                    if self.sales_navigator.insert(account.clone(), has) != Some(has) {
                        self.touch_viewed(&account);
                    }
                }
                // Asked under a key since replaced: the answer for the new key decides.
                _ if old_key => {}
                // Unknown stays unknown (the server refuses a Sales Navigator send itself);
                // the next view of the account asks again.
                _ => {
                    self.premium_asked.remove(&account);
                }
            },
        }
    }

    /// Every conversation of `account` in view changed (something account-wide they show).
    pub(super) fn touch_viewed(&mut self, account: &AccountId) {
        let viewed: Vec<ConversationId> = self
            .views
            .values()
            .filter(|(a, _)| a == account)
            .map(|(_, c)| c.clone())
            .collect();
        let store = self.store_mut(account);
        for c in &viewed {
            store.touch(c);
        }
    }

    /// A write failed (see `Input::PersistFailed`): the cancelled requests were never made, so
    /// each is settled as surely not sent, and the next write is a whole snapshot.
    pub(super) fn persist_failed(
        &mut self,
        cancelled: Vec<RequestId>,
        unsaved: Vec<(AccountId, ClientKey)>,
        error: &str,
        full: bool,
    ) {
        self.storage_behind = true;
        // At least 1 ms: a retry due at once would be written again within this very step.
        let wait = self.config.storage_retry_ms.max(1);
        self.storage_retry_at = Some(self.now.saturating_add(wait));
        let since = match &self.storage_health {
            StorageHealth::Failing { since, .. } => *since,
            StorageHealth::Ok => self.now,
        };
        self.storage_health = StorageHealth::Failing {
            since,
            reason: error.to_owned(),
            full,
        };
        let reason = format!("not sent: its record could not be saved ({error})");
        for (account, key) in unsaved {
            // Only while still queued: one started since (its own record written in a later
            // step, its request queued after it) is that later step's to settle.
            let queued = self
                .store(&account)
                .and_then(|s| s.outbox().entries.get(&key));
            if queued.is_some_and(|e| e.state == SendState::Queued) {
                self.on_send_unsaved(&account, &key, &reason);
            }
        }
        for id in cancelled {
            let Some(pending) = self.pending.remove(&id) else {
                continue;
            };
            match pending {
                Pending::Send { account, key } => {
                    self.request_key.delete(&id);
                    self.on_send_unsaved(&account, &key, &reason);
                }
                Pending::React {
                    account,
                    message,
                    emoji,
                    ..
                } => {
                    self.request_key.delete(&id);
                    self.pending_reacts
                        .delete(&(account.clone(), message.clone(), emoji.clone()));
                    self.notify(Notice::ReactFailed {
                        account,
                        message,
                        emoji,
                        reason: completions::storage_failure(&reason),
                    });
                    self.answered(id, Err(completions::storage_failure(&reason)), None);
                }
                Pending::Recall { account, message } => {
                    self.request_key.delete(&id);
                    let store = self.store_mut(&account);
                    if let Some(check) = store.take_recall(&message) {
                        store.touch(&check.conversation);
                    }
                    self.recall_failed(&account, &message, completions::storage_failure(&reason));
                }
                // A read needs no record: drivers make it anyway. Should one be cancelled, it
                // is answered as a failed read (retried on the usual schedule).
                read => {
                    self.pending.set(id, read);
                    let e = ApiError::Network {
                        message: reason.clone(),
                    };
                    self.answer(id, Err(e));
                }
            }
        }
    }

    /// A send whose entry could not be saved, so its request was not made: failed, retryable.
    fn on_send_unsaved(&mut self, account: &AccountId, key: &ClientKey, message: &str) {
        let store = self.store_mut(account);
        let Some(mut entry) = store.outbox_entry_mut(key) else {
            return;
        };
        // In flight here means the driver cancelled its request; queued, never sent.
        if !matches!(entry.state, SendState::InFlight { .. } | SendState::Queued) {
            return;
        }
        let reason = SendFailure {
            code: FailureCode::Storage,
            message: message.to_owned(),
        };
        entry.state = SendState::Failed {
            reason: reason.clone(),
            retryable: true,
        };
        drop(entry);
        self.send_failed(account, key, reason, true);
    }

    /// `old_key`: the request went out before the key was last updated, so a 401 says nothing
    /// about the new key.
    pub(super) fn note_error(&mut self, account: &AccountId, e: &ApiError, old_key: bool) {
        match e {
            ApiError::Unauthorized { .. } if !old_key => {
                self.paused = true;
                self.paused_forbidden = false;
            }
            // The subscription, not the key: paused the same way, with its own status.
            ApiError::Forbidden { .. } if !old_key => {
                self.paused = true;
                self.paused_forbidden = true;
            }
            ApiError::RateLimited { .. } => {
                let wait = e
                    .retry_after_ms()
                    .and_then(|ms| i64::try_from(ms).ok())
                    .unwrap_or(self.config.default_retry_after_ms);
                let until = self.now.saturating_add(wait.max(1));
                let held = self.rate_wait.entry(account.clone()).or_insert(until);
                *held = (*held).max(until);
            }
            ApiError::Timeout { .. } | ApiError::Network { .. } => {
                self.offline.insert(account.clone());
            }
            ApiError::Server { .. } | ApiError::Malformed { .. } => {
                self.server_trouble
                    .entry(account.clone())
                    .or_insert(self.now);
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub(super) fn on_page(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        kind: PageKind,
        purpose: Purpose,
        (issued_at, stamp): (Millis, Stamp),
        since: Option<Millis>,
        page: MessagesPage,
    ) {
        let now = self.now;
        let held = self.store_mut(account).ensure_conversation(conv, "");
        let urn = held.urn.clone();
        // Messages that polling brings after a first page was merged are new to the reader.
        let announce = purpose == Purpose::Poll && held.history.head_loaded;
        let store = self.store_mut(account);
        let outcome = store.merge_page(conv, &urn, &page.messages, stamp);
        let ids: Vec<(Millis, MessageId)> = page
            .messages
            .iter()
            .filter_map(|m| {
                MessageId::parse(&m.message_urn)
                    .ok()
                    .map(|id| (Millis(m.sent_at), id))
            })
            .collect();
        let oldest = ids.iter().min().cloned();
        let newest = ids.iter().max().cloned();
        let newest_at = newest.as_ref().map(|n| n.0);
        store.merge_history(
            conv,
            kind,
            since,
            oldest.clone(),
            newest_at,
            page.cursor.as_deref(),
            page.has_more,
        );
        if outcome.unreadable > 0 || !page.skipped.is_empty() {
            let what = "message".to_owned();
            let count = outcome.unreadable + page.skipped.len();
            self.notify(Notice::Skipped {
                account: account.clone(),
                what,
                count,
                items: page.skipped.clone(),
            });
        }
        if self.place_unplaced(account, conv, &page.participants) {
            self.scan_echoes(account, conv);
        }
        // Oldest first: the earliest echo goes to the earliest attempt (see `outbox`).
        let mut added: Vec<(Millis, MessageId)> = outcome
            .added
            .iter()
            .filter_map(|id| Some((self.store_mut(account).message(id)?.sent_at, id.clone())))
            .collect();
        crate::sort::sort_by(&mut added, Ord::cmp);
        for (_, id) in &added {
            self.try_match(account, id);
        }
        if announce {
            // Their messages, not ours (an echo of our own send is ours, matched above).
            let store = self.store_mut(account);
            let theirs: Vec<MessageId> = added
                .iter()
                .filter(|(_, id)| store.message(id).is_some_and(|m| !m.is_sent_by_owner))
                .map(|(_, id)| id.clone())
                .collect();
            if !theirs.is_empty() {
                self.notify(Notice::NewMessages {
                    account: account.clone(),
                    conversation: conv.clone(),
                    messages: theirs,
                });
            }
        }
        let mut present: IdSet<MessageId> = IdSet::from_iter(ids.iter().map(|(_, id)| id.clone()));
        // A message the client left out as unreadable is still there: never take its absence
        // for a recall. One whose id cannot be read makes the page blind to recalls.
        let mut blind = false;
        for skipped in &page.skipped {
            match skipped.id.as_deref().map(MessageId::parse) {
                Some(Ok(id)) => {
                    present.insert(id);
                }
                _ => blind = true,
            }
        }
        let span = PageSpan {
            kind,
            since,
            issued_at,
            stamp,
            oldest: oldest.clone(),
            newest,
            has_more: page.has_more,
        };
        let uncovered = blind || self.check_recalls(account, conv, &purpose, &span, &present);
        let walking = match &purpose {
            Purpose::Rescan { .. } => {
                Some(page.has_more && page.cursor.is_some() && !ids.is_empty())
            }
            Purpose::User if kind == PageKind::Head => Some(false),
            _ => None,
        };
        if let Some(goes_on) = walking.filter(|_| !blind) {
            self.check_walk(account, conv, &purpose, &span, &present, goes_on);
        }
        match purpose {
            Purpose::Poll => {
                let key = (account.clone(), conv.clone());
                let interval = self.poll_interval();
                if let Some(next) = self.polls.get_mut(&key) {
                    // A `since` page that says there is more: go on at once.
                    let more = kind == PageKind::Since && page.has_more && !ids.is_empty();
                    *next = if more { now } else { now + interval };
                }
            }
            Purpose::User | Purpose::Fill => {}
            Purpose::Rescan { chain_from } => {
                if page.has_more && page.cursor.is_some() && !ids.is_empty() {
                    let busy = Busy::History(account.clone(), conv.clone());
                    let cursor = page.cursor.clone();
                    let purpose = Purpose::Rescan { chain_from };
                    self.request_page(account, conv, PageKind::Older, purpose, None, cursor, busy);
                }
            }
            Purpose::Echo(key) => self.echo_verdict(account, &key, &span),
            Purpose::Verify { chain_from } => {
                if uncovered && page.has_more && page.cursor.is_some() {
                    let busy = Busy::Verify(account.clone(), conv.clone());
                    self.request_page(
                        account,
                        conv,
                        PageKind::Older,
                        Purpose::Verify { chain_from },
                        None,
                        page.cursor.clone(),
                        busy,
                    );
                }
            }
        }
    }

    #[inline(never)]
    pub(super) fn on_page_error(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        purpose: Purpose,
        busy: Busy,
        _e: &ApiError,
    ) {
        let later = self.now + self.config.poll_interval_ms;
        match purpose {
            Purpose::Poll => {
                if let Some(next) = self.polls.get_mut(&(account.clone(), conv.clone())) {
                    *next = later;
                }
            }
            Purpose::User | Purpose::Rescan { .. } => {
                // The walk stops here; what it proved so far is already settled.
                self.walks.delete(&(account.clone(), conv.clone()));
            }
            Purpose::Echo(key) => {
                let store = self.store_mut(account);
                if let Some(mut e) = store.outbox_entry_mut(&key) {
                    e.check_at = Some(later);
                }
            }
            Purpose::Verify { .. } | Purpose::Fill => {
                self.retry_at.set(busy, later);
            }
        }
    }

    /// Settle recall checks of `conv` that this page can decide. Returns true when some check
    /// remains undecided because the page does not reach back far enough.
    pub(super) fn check_recalls(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        purpose: &Purpose,
        span: &PageSpan,
        present: &IdSet<MessageId>,
    ) -> bool {
        let store = self.store_mut(account);
        let checks: Vec<RecallCheck> = store
            .recall_checks()
            .filter(|c| &c.conversation == conv && !c.requested && span.stamp >= c.since)
            .cloned()
            .collect();
        let verdict = judge(store, checks, purpose, span, present);
        let store = self.store_mut(account);
        let mut failed = Vec::new();
        for c in verdict.still {
            store.take_recall(&c.message);
            store.touch(&c.conversation);
            if c.ours {
                failed.push(c.message);
            }
        }
        for message in failed {
            let reason = Failure {
                code: FailureCode::StillThere,
                message: "the message is still there; the recall did not happen".to_owned(),
            };
            self.recall_failed(account, &message, reason);
        }
        self.recalled(account, verdict.gone);
        !verdict.open.is_empty()
    }

    /// Begin a walk of `conv` from its newest page down: every message held now (and not
    /// already waited on, nor confirming a send still in the outbox) gets a recall check that
    /// pages asked after `since` settle. A message learned later is no part of the walk.
    pub(super) fn start_walk(&mut self, account: &AccountId, conv: &ConversationId, since: Stamp) {
        let store = self.store_mut(account);
        let checks = store
            .messages_in(conv)
            .filter(|m| store.recall_check(&m.id).is_none())
            .filter(|m| {
                m.client_key
                    .as_ref()
                    .is_none_or(|k| store.outbox().get(k).is_none())
            })
            .map(|m| RecallCheck {
                message: m.id.clone(),
                conversation: conv.clone(),
                since,
                requested: false,
                ours: false,
            })
            .collect();
        self.walks
            .set((account.clone(), conv.clone()), walk_order(checks));
    }

    /// Settle the checks of the walk this page belongs to: a message the walk reached past
    /// without finding it was recalled elsewhere. `goes_on`: another page of the walk is asked
    /// for, so what this page could not decide waits for it.
    pub(super) fn check_walk(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        purpose: &Purpose,
        span: &PageSpan,
        present: &IdSet<MessageId>,
        goes_on: bool,
    ) {
        let key = (account.clone(), conv.clone());
        let Some(walk) = self.walks.remove(&key) else {
            return;
        };
        let store = self.store_mut(account);
        // Checks whose message left meanwhile (or moved), or that a recall of its own now
        // waits on, are no longer the walk's to decide.
        let (checks, waiting): (Vec<RecallCheck>, Vec<RecallCheck>) = walk
            .into_iter()
            .filter(|c| {
                store
                    .message(&c.message)
                    .is_some_and(|m| &m.conversation == conv)
                    && store.recall_check(&c.message).is_none()
            })
            .partition(|c| span.stamp >= c.since);
        let verdict = judge(store, checks, purpose, span, present);
        self.recalled(account, verdict.gone);
        if goes_on && !(verdict.open.is_empty() && waiting.is_empty()) {
            let open = verdict.open.into_iter().chain(waiting).collect();
            self.walks.set(key, walk_order(open));
        }
    }

    /// Messages proved recalled: tombstone them here and in sibling tabs.
    fn recalled(&mut self, account: &AccountId, gone: Vec<MessageId>) {
        if gone.is_empty() {
            return;
        }
        let store = self.store_mut(account);
        let messages = gone
            .iter()
            .filter_map(|id| store.message(id).cloned())
            .collect();
        for id in &gone {
            store.tombstone(id);
        }
        self.broadcast(RemoteFact::Tombstones {
            account: account.clone(),
            ids: gone,
            messages,
        });
    }

    #[inline(never)]
    pub(super) fn on_conversations(
        &mut self,
        account: &AccountId,
        issued_at: Millis,
        page: ConversationsPage,
    ) {
        let mut unreadable = 0;
        let store = self.store_mut(account);
        for c in &page.conversations {
            let urn = if c.conversation_urn.is_empty() {
                c.conversation_id.clone().unwrap_or_default()
            } else {
                c.conversation_urn.clone()
            };
            match ConversationId::parse(&urn) {
                Ok(id) => store.merge_conversation_meta(&id, c, issued_at),
                Err(_) => unreadable += 1,
            }
        }
        self.conversation_lists_changed.insert(account.clone());
        if unreadable > 0 || !page.skipped.is_empty() {
            let what = "conversation".to_owned();
            self.notify(Notice::Skipped {
                account: account.clone(),
                what,
                count: unreadable + page.skipped.len(),
                items: page.skipped.clone(),
            });
        }
        // Sends to a person whose conversation was not known: find it, or prove the send absent.
        let now = self.now;
        let settle = self.config.echo_settle_ms;
        let skew = self.config.echo_skew_ms;
        let interval = self.config.poll_interval_ms;
        let store = self.store_mut(account);
        let waiting: Vec<ClientKey> = store
            .outbox()
            .entries
            .values()
            .filter(|e| e.conversation.is_none() && matches!(e.recipient, Recipient::ProfileUrn(_)))
            .filter(|e| {
                matches!(
                    e.state,
                    SendState::Ambiguous { .. } | SendState::Sent { message: None, .. }
                )
            })
            .map(|e| e.key.clone())
            .collect();
        let mut failed = Vec::new();
        for key in waiting {
            let Some(e) = store.outbox().get(&key) else {
                continue;
            };
            let Recipient::ProfileUrn(urn) = &e.recipient else {
                continue;
            };
            let Ok(profile) = ProfileId::parse(urn) else {
                continue;
            };
            // A Sales Navigator send lands in a Sales Navigator thread, never an inbox one.
            let sales_nav = e.channel == MessagingChannel::SalesNavigator;
            let started = match e.state {
                SendState::Ambiguous { started_at, .. } | SendState::Sent { started_at, .. } => {
                    started_at
                }
                _ => continue,
            };
            let found = page.conversations.iter().find(|c| {
                (!sales_nav
                    || ConversationId::parse(&c.conversation_urn).is_ok_and(|i| i.is_sales_nav()))
                    && c.last_activity_at
                        .is_none_or(|t| Millis(t) >= started.saturating_sub(skew))
                    && c.participants
                        .iter()
                        .any(|p| ProfileId::parse(&p.profile_id).ok().as_ref() == Some(&profile))
            });
            let Some(mut e) = store.outbox_entry_mut(&key) else {
                continue;
            };
            match (found, &e.state) {
                (Some(c), _) => {
                    let urn = c.conversation_urn.clone();
                    if let Ok(id) = ConversationId::parse(&urn) {
                        e.conversation = Some(id);
                        e.conversation_urn = Some(urn);
                        e.check_at = Some(now);
                    }
                }
                (None, SendState::Ambiguous { failed_at, .. })
                    if issued_at >= *failed_at + settle =>
                {
                    failed.push(key.clone());
                }
                (None, _) => e.check_at = Some(now + interval),
            }
        }
        for key in failed {
            self.fail_proved_absent(account, &key);
        }
    }

    #[inline(never)]
    pub(super) fn on_send_ok(&mut self, account: &AccountId, key: &ClientKey, resp: SendResponse) {
        let now = self.now;
        let store = self.store_mut(account);
        let Some(entry) = store.outbox().get(key).cloned() else {
            return;
        };
        let conversation = entry.conversation.clone().or_else(|| {
            resp.conversation_urn
                .as_deref()
                .and_then(|u| ConversationId::parse(u).ok())
        });
        let conv_urn = entry
            .conversation_urn
            .clone()
            .or(resp.conversation_urn.clone());
        let answered_urn = resp.sent_message_urn().map(str::to_string);
        let answered_id = answered_urn
            .as_deref()
            .and_then(|u| MessageId::parse(u).ok());
        let sent = resp.sent_message.unwrap_or_default();
        let started_at = match entry.state {
            SendState::InFlight { started_at }
            | SendState::Ambiguous { started_at, .. }
            | SendState::Sent { started_at, .. } => started_at,
            _ => now,
        };
        if let SendState::Sent {
            message: Some(matched),
            ..
        } = &entry.state
        {
            if answered_id.as_ref().is_some_and(|a| a != matched) {
                store.set_client_key(matched, None);
            } else {
                self.count_quota(account, key);
                return self.finish_entry(account, key);
            }
        }
        let store = self.store_mut(account);
        if let Some(mut e) = store.outbox_entry_mut(key) {
            e.conversation = conversation.clone();
            e.conversation_urn = conv_urn.clone();
        }
        match (answered_id, conversation) {
            (Some(id), Some(conv)) => {
                let urn = conv_urn.unwrap_or_default();
                store.ensure_conversation(&conv, &urn);
                let message = StoredMessage {
                    id: id.clone(),
                    conversation: conv,
                    message_urn: answered_urn.unwrap_or_default(),
                    text: sent.text.unwrap_or(entry.text.clone()),
                    sent_at: sent.sent_at.map_or(now, Millis),
                    sender_profile_id: sent.sender_profile_id,
                    sender_name: sent.sender_name,
                    is_sent_by_owner: true,
                    attachments: entry.attachments.clone(),
                    subject: entry.subject.clone(),
                    stamp: Stamp::MIN,
                    tally: None,
                    client_key: Some(key.clone()),
                    rev: crate::sync::Rev::new(),
                };
                store.merge_message(message.clone());
                self.count_quota(account, key);
                self.finish_entry(account, key);
                self.broadcast(RemoteFact::Messages {
                    account: account.clone(),
                    conversation_urn: urn,
                    messages: vec![message],
                });
            }
            _ => {
                // Sent, but the answer did not name the message: find its echo by polling.
                if let Some(mut e) = store.outbox_entry_mut(key) {
                    e.state = SendState::Sent {
                        message: None,
                        answer_pending: false,
                        started_at,
                    };
                    e.check_at = Some(now);
                }
                self.count_quota(account, key);
            }
        }
    }

    #[inline(never)]
    pub(super) fn on_send_error(&mut self, account: &AccountId, key: &ClientKey, e: ApiError) {
        let now = self.now;
        let store = self.store_mut(account);
        let Some(mut entry) = store.outbox_entry_mut(key) else {
            return;
        };
        let started_at = match entry.state {
            SendState::InFlight { started_at } => started_at,
            SendState::Sent {
                message: Some(_), ..
            } => {
                // The echo came first: it was sent whatever this answer says.
                drop(entry);
                self.count_quota(account, key);
                return self.finish_entry(account, key);
            }
            _ => return,
        };
        match &e {
            // Definitely not sent: safe to send again, after the wait or the new key.
            ApiError::Unauthorized { .. }
            | ApiError::Forbidden { .. }
            | ApiError::RateLimited { .. } => {
                entry.state = SendState::Queued;
            }
            ApiError::BadRequest { .. } | ApiError::NotFound { .. } => {
                let reason = SendFailure {
                    code: FailureCode::of(&e),
                    message: e.to_string(),
                };
                entry.state = SendState::Failed {
                    reason: reason.clone(),
                    retryable: false,
                };
                drop(entry);
                self.send_failed(account, key, reason, false);
            }
            _ => {
                entry.state = SendState::Ambiguous {
                    started_at,
                    failed_at: now,
                    error: e.code().into(),
                };
                entry.check_at = Some(now);
            }
        }
    }

    #[inline(never)]
    pub(super) fn on_recall_answer(
        &mut self,
        account: &AccountId,
        message: &MessageId,
        result: Result<ApiReply, ApiError>,
    ) {
        let stamp = self.next_stamp();
        let store = self.store_mut(account);
        if let Some(c) = store.recall_check(message) {
            let conversation = c.conversation.clone();
            store.touch(&conversation);
        }
        match result {
            Ok(ApiReply::Recall(_)) => {
                let messages = store.message(message).cloned().into_iter().collect();
                if store.tombstone(message) {
                    let ids = vec![message.clone()];
                    self.broadcast(RemoteFact::Tombstones {
                        account: account.clone(),
                        ids,
                        messages,
                    });
                }
            }
            Err(e) if e.is_ambiguous() || matches!(e, ApiError::NotFound { .. }) => {
                // It may have happened (or happened before): look before saying anything.
                store.update_recall(message, |c| {
                    c.requested = false;
                    c.since = stamp;
                });
            }
            other => {
                let reason = Failure::of(&unexpected(other));
                store.take_recall(message);
                self.recall_failed(account, message, reason);
            }
        }
    }
}

/// What one page says about a set of recall checks.
struct Verdict {
    /// Not on a page that reached past them: recalled.
    gone: Vec<MessageId>,
    /// On the page: still there.
    still: Vec<RecallCheck>,
    /// The page does not reach back to them.
    open: Vec<RecallCheck>,
}

/// Judge recall checks (already filtered to pages asked after their `since`) against a page.
/// A walk's checks in message id order, one per message (a walk's checks name distinct
/// messages): the order a `BTreeMap` by id gave them. A walk is only ever taken whole, never
/// looked up by id, so a sorted `Vec` does (no `BTreeMap` instantiation of its own, issue 15).
fn walk_order(mut checks: Vec<RecallCheck>) -> Vec<RecallCheck> {
    crate::sort::sort_by(&mut checks, |a, b| a.message.cmp(&b.message));
    checks
}

fn judge(
    store: &AccountStore,
    checks: Vec<RecallCheck>,
    purpose: &Purpose,
    span: &PageSpan,
    present: &IdSet<MessageId>,
) -> Verdict {
    let mut v = Verdict {
        gone: Vec::new(),
        still: Vec::new(),
        open: Vec::new(),
    };
    for c in checks {
        if present.contains(&c.message) {
            v.still.push(c);
            continue;
        }
        let sent_at = store.message(&c.message).map(|m| m.sent_at);
        let covered = match (span.kind, purpose) {
            (PageKind::Head, _) => span.covers_from_top(sent_at),
            (PageKind::Older, Purpose::Verify { chain_from } | Purpose::Rescan { chain_from })
                if *chain_from >= c.since =>
            {
                span.covers_from_top(sent_at)
            }
            (PageKind::Since, _) => match (sent_at, span.since) {
                (Some(at), Some(since)) => {
                    at > since
                        && (!span.has_more || span.newest.as_ref().is_some_and(|n| at <= n.0))
                }
                _ => false,
            },
            _ => false,
        };
        if covered {
            v.gone.push(c.message);
        } else {
            v.open.push(c);
        }
    }
    v
}
