//! Driving background work: what to send, poll, check or verify now.

use super::*;

impl Engine {
    /// Start whatever is due: sends, echo checks, recall verifications, polls.
    pub(super) fn drive(&mut self) {
        if self.paused {
            return;
        }
        let now = self.now;
        self.retry_at.retain(|_, t| *t > now);
        let accounts: Vec<AccountId> = self.accounts.keys().cloned().collect();
        for account in accounts {
            if self.rate_wait.get(&account).is_some_and(|t| *t > now) {
                continue;
            }
            self.rate_wait.delete(&account);
            self.dispatch_sends(&account);
            self.dispatch_echo_checks(&account);
            self.dispatch_verifications(&account);
            self.dispatch_fills(&account);
        }
        let due: Vec<(AccountId, ConversationId)> = self
            .polls
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for (account, conv) in due {
            if self.rate_wait.get(&account).is_some_and(|t| *t > now) {
                continue;
            }
            // Near the per-key limit, polls wait for the window rather than meet a 429.
            if let Some(free_at) = self.budget_full_until() {
                if let Some(next) = self.polls.get_mut(&(account.clone(), conv.clone())) {
                    *next = free_at.max(now + 1);
                }
                continue;
            }
            let busy = Busy::Poll(account.clone(), conv.clone());
            if self.busy.contains(&busy) {
                continue;
            }
            let key = (account.clone(), conv.clone());
            let history = self
                .store_mut(&account)
                .ensure_conversation(&conv, "")
                .history
                .clone();
            let head = self.head_due.remove(&key) || !history.head_loaded;
            match history.polled_to {
                Some(newest) if !head => {
                    self.request_page(
                        &account,
                        &conv,
                        PageKind::Since,
                        Purpose::Poll,
                        Some(newest),
                        None,
                        busy,
                    );
                }
                _ => {
                    self.request_page(
                        &account,
                        &conv,
                        PageKind::Head,
                        Purpose::Poll,
                        None,
                        None,
                        busy,
                    );
                }
            }
            let interval = self.poll_interval();
            if let Some(next) = self.polls.get_mut(&key) {
                *next = now + interval;
            }
        }
        self.dispatch_premium();
    }

    pub(super) fn dispatch_sends(&mut self, account: &AccountId) {
        let now = self.now;
        let ready = self.store_mut(account).outbox().ready();
        for key in ready {
            let store = self.store_mut(account);
            let Some(mut entry) = store.outbox_entry_mut(&key) else {
                continue;
            };
            entry.state = SendState::InFlight { started_at: now };
            entry.attempt_at = Some(now);
            let e = entry.clone();
            drop(entry);
            let mut request = SendRequest {
                message: e.text.clone(),
                subject: e.subject.clone(),
                attachments: e
                    .attachments
                    .iter()
                    .map(|a| AttachmentRef { file: a.clone() })
                    .collect(),
                messaging_channel: (e.channel != MessagingChannel::Auto).then_some(e.channel),
                account_id: account.as_param(),
                ..SendRequest::default()
            };
            match &e.recipient {
                Recipient::Conversation(urn) => {
                    request.conversation_urn =
                        Some(e.conversation_urn.clone().unwrap_or(urn.clone()));
                }
                Recipient::ProfileUrn(urn) => request.recipient_profile_urn = Some(urn.clone()),
                Recipient::ProfileSlug(slug) => request.recipient_profile_id = Some(slug.clone()),
            }
            let call = ApiCall::Send {
                client_key: key.clone(),
                request,
            };
            self.request(
                account,
                call,
                Pending::Send {
                    account: account.clone(),
                    key,
                },
            );
        }
    }

    pub(super) fn dispatch_echo_checks(&mut self, account: &AccountId) {
        let now = self.now;
        let skew = self.config.echo_skew_ms;
        let store = self.store_mut(account);
        let due: Vec<OutboxEntry> = store
            .outbox()
            .entries
            .values()
            .filter(|e| e.check_at.is_some_and(|t| t <= now))
            .cloned()
            .collect();
        for e in due {
            let started_at = match e.state {
                SendState::Ambiguous { started_at, .. }
                | SendState::Sent {
                    message: None,
                    started_at,
                    ..
                } => started_at,
                _ => continue,
            };
            match (&e.conversation, &e.recipient) {
                (Some(conv), _) => {
                    let busy = Busy::Echo(account.clone(), e.key.clone());
                    if self.busy.contains(&busy) {
                        continue;
                    }
                    let since = started_at.saturating_sub(skew).saturating_sub(1);
                    let purpose = Purpose::Echo(e.key.clone());
                    self.request_page(
                        account,
                        conv,
                        PageKind::Since,
                        purpose,
                        Some(since),
                        None,
                        busy,
                    );
                }
                (None, Recipient::ProfileUrn(_)) => {
                    // Find the conversation in the list; look again later whatever happens.
                    let busy = Busy::Conversations(account.clone());
                    let blocked = self.retry_at.get(&busy).is_some_and(|t| *t > now);
                    if !self.busy.contains(&busy) && !blocked {
                        self.request_conversations(account, None);
                    }
                    let later = now + self.config.poll_interval_ms;
                    let store = self.store_mut(account);
                    if let Some(mut entry) = store.outbox_entry_mut(&e.key) {
                        entry.check_at = Some(later);
                    }
                    continue;
                }
                (None, _) => {
                    // A send by vanity slug: no way to find its echo or prove it absent.
                    let store = self.store_mut(account);
                    let Some(mut entry) = store.outbox_entry_mut(&e.key) else {
                        continue;
                    };
                    entry.check_at = None;
                    if let SendState::Ambiguous { error, .. } = &entry.state {
                        let reason = SendFailure {
                            code: FailureCode::Unverifiable,
                            message: format!(
                                "may or may not have been sent ({error}); check LinkedIn"
                            ),
                        };
                        entry.state = SendState::Failed {
                            reason: reason.clone(),
                            retryable: false,
                        };
                        drop(entry);
                        self.send_failed(account, &e.key, reason, false);
                    }
                    continue;
                }
            }
            let store = self.store_mut(account);
            if let Some(mut entry) = store.outbox_entry_mut(&e.key) {
                entry.check_at = None;
            }
        }
    }

    /// Catch up conversations whose newest page left a gap above the watermark.
    pub(super) fn dispatch_fills(&mut self, account: &AccountId) {
        let now = self.now;
        let store = self.store_mut(account);
        let gaps: Vec<(ConversationId, Option<Millis>)> = store
            .conversations()
            .filter(|c| c.history.gap)
            .map(|c| (c.id.clone(), c.history.polled_to))
            .collect();
        for (conv, since) in gaps {
            let busy = Busy::Fill(account.clone(), conv.clone());
            if self.busy.contains(&busy) || self.retry_at.get(&busy).is_some_and(|t| *t > now) {
                continue;
            }
            self.request_page(
                account,
                &conv,
                PageKind::Since,
                Purpose::Fill,
                since,
                None,
                busy,
            );
        }
    }

    pub(super) fn dispatch_verifications(&mut self, account: &AccountId) {
        let now = self.now;
        let store = self.store_mut(account);
        let convs: IdSet<ConversationId> = IdSet::from_iter(
            store
                .recall_checks()
                .filter(|c| !c.requested)
                .map(|c| c.conversation.clone()),
        );
        for conv in convs {
            let busy = Busy::Verify(account.clone(), conv.clone());
            if self.busy.contains(&busy) || self.retry_at.get(&busy).is_some_and(|t| *t > now) {
                continue;
            }
            let purpose = Purpose::Verify {
                chain_from: self.next_stamp(),
            };
            self.request_page(account, &conv, PageKind::Head, purpose, None, None, busy);
        }
    }
}
