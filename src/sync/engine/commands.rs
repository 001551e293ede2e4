//! User commands: check each against the rules, refuse with a reason, or change the store.

use super::*;

impl Engine {
    pub(super) fn run_command(&mut self, c: Command) {
        match c {
            Command::OpenConversation {
                view,
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                // A view shows one conversation: moving it stops the poller of the one it left.
                if let Some(left) = self.views.insert(view, (account.clone(), conv.clone())) {
                    self.stop_polling_unless_viewed(&left);
                }
                self.want_premium(&account);
                let key = (account, conv);
                if !self.polls.contains_key(&key) {
                    self.polls.set(key.clone(), self.now);
                    self.head_due.insert(key);
                }
            }
            Command::CloseView { view } => {
                if let Some(watched) = self.views.remove(&view) {
                    self.stop_polling_unless_viewed(&watched);
                }
            }
            Command::LoadOlder {
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                let history = self
                    .store_mut(&account)
                    .ensure_conversation(&conv, "")
                    .history
                    .clone();
                let busy = Busy::History(account.clone(), conv.clone());
                if self.busy.contains(&busy) {
                    // Ends with the page already on its way.
                    if let Some(id) = self.history_request(&account, &conv) {
                        self.wait_on_request(id);
                    }
                    return;
                }
                if !history.more_available() {
                    return;
                }
                let (kind, cursor) = if history.head_loaded && history.cursor.is_some() {
                    (PageKind::Older, history.cursor.clone())
                } else {
                    (PageKind::Head, None)
                };
                let id =
                    self.request_page(&account, &conv, kind, Purpose::User, None, cursor, busy);
                self.wait_on_request(id);
            }
            Command::Refresh {
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                let busy = Busy::History(account.clone(), conv.clone());
                if self.busy.contains(&busy) {
                    if let Some(id) = self.history_request(&account, &conv) {
                        self.wait_on_request(id);
                    }
                } else {
                    // The newest page proves absent whatever it reaches past (all of a
                    // conversation that fits in one page).
                    let since = self.next_stamp();
                    self.start_walk(&account, &conv, since);
                    let id = self.request_page(
                        &account,
                        &conv,
                        PageKind::Head,
                        Purpose::User,
                        None,
                        None,
                        busy,
                    );
                    self.wait_on_request(id);
                }
            }
            Command::Rescan {
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                let busy = Busy::History(account.clone(), conv.clone());
                if self.busy.contains(&busy) {
                    if let Some(id) = self.history_request(&account, &conv) {
                        self.wait_on_request(id);
                    }
                } else {
                    let chain_from = self.next_stamp();
                    self.start_walk(&account, &conv, chain_from);
                    let purpose = Purpose::Rescan { chain_from };
                    let id = self.request_page(
                        &account,
                        &conv,
                        PageKind::Head,
                        purpose,
                        None,
                        None,
                        busy,
                    );
                    self.wait_on_request(id);
                }
            }
            // Read before it ran (`residency`): it completes now, or fails with its page's
            // read (the list stays as it was and still goes on: a later call reads it again).
            Command::LoadMoreConversations { account } => {
                if let Some(message) = self.list_failures.remove(&account) {
                    self.complete_now(Outcome::Failed {
                        reason: Failure {
                            code: FailureCode::Storage,
                            message: format!("the conversation list could not be read: {message}"),
                        },
                    });
                }
            }
            Command::RefreshConversations { account, cursor } => {
                let id = self.request_conversations(&account, cursor);
                self.wait_on_request(id);
            }
            Command::Send {
                account,
                to,
                text,
                subject,
                channel,
                attachments,
                client_key,
            } => {
                self.cmd_send(account, to, text, subject, channel, attachments, client_key);
            }
            Command::React {
                account,
                message_urn,
                emoji,
                add,
                conversation_urn,
            } => {
                self.cmd_react(account, &message_urn, conversation_urn, emoji, add);
            }
            Command::Recall {
                account,
                message_urn,
                conversation_urn,
            } => self.cmd_recall(account, &message_urn, conversation_urn),
            Command::MarkRead {
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                let now = self.now;
                let store = self.store_mut(&account);
                let newest = store.conversation(&conv).and_then(|c| c.history.polled_to);
                let at = newest.unwrap_or(now).max(now);
                if store.mark_read(&conv, at) {
                    self.conversation_lists_changed.insert(account.clone());
                    self.broadcast(RemoteFact::Read {
                        account,
                        conversation: conv,
                        at,
                    });
                }
            }
            Command::RetrySend {
                account,
                client_key,
            } => self.cmd_retry(account, client_key),
            Command::LocateMessages {
                account,
                message_urns,
            } => self.cmd_locate(account, &message_urns),
            Command::DiscardSend {
                account,
                client_key,
            } => {
                let store = self.store_mut(&account);
                let refusal = match store.outbox().get(&client_key).map(|e| &e.state) {
                    None => Some(Refusal::UnknownEntry),
                    Some(SendState::Queued | SendState::Failed { .. }) => None,
                    Some(s) => Some(Refusal::NotNow {
                        state: state_name(s).into(),
                    }),
                };
                match refusal {
                    Some(reason) => self.refuse(&account, reason),
                    None => {
                        self.remove_entry(&account, &client_key);
                        self.send_discarded(&account, &client_key);
                    }
                }
            }
            Command::KeyUpdated => {
                self.key_generation += 1;
                self.paused = false;
                self.paused_forbidden = false;
                self.retry_at.clear();
                // The key may belong to another subscription: read the premium status again.
                self.premium_asked.clear();
                self.sales_navigator.clear();
                let viewed: SmallSet<AccountId> =
                    self.views.values().map(|(a, _)| a.clone()).collect();
                for account in viewed {
                    self.want_premium(&account);
                    self.touch_viewed(&account);
                }
            }
        }
    }

    /// Read a conversation URN from a command, refusing it when unreadable.
    /// Stops polling a conversation that no view shows any more (one poller per conversation in
    /// view, none for a conversation out of view).
    fn stop_polling_unless_viewed(&mut self, watched: &(AccountId, ConversationId)) {
        if !self.views.values().any(|w| w == watched) {
            self.polls.delete(watched);
            self.head_due.remove(watched);
        }
    }

    pub(super) fn conversation_arg(
        &mut self,
        account: &AccountId,
        urn: &str,
    ) -> Option<ConversationId> {
        match ConversationId::parse(urn) {
            Ok(id) => {
                self.store_mut(account).ensure_conversation(&id, urn);
                Some(id)
            }
            Err(e) => {
                let reason = Refusal::BadUrn {
                    urn: urn.to_owned(),
                    reason: e.to_string(),
                };
                self.refuse(account, reason);
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn cmd_send(
        &mut self,
        account: AccountId,
        to: Recipient,
        text: String,
        subject: Option<String>,
        channel: MessagingChannel,
        attachments: Vec<crate::model::Attachment>,
        client_key: Option<ClientKey>,
    ) {
        if let Some(key) = &client_key {
            if self.send_again(&account, &to, key) {
                return;
            }
        }
        if text.trim().is_empty() && attachments.is_empty() {
            return self.refuse(&account, Refusal::EmptyMessage);
        }
        let chars = text.chars().count();
        if chars > MAX_MESSAGE_CHARS {
            return self.refuse(
                &account,
                Refusal::TooLong {
                    chars,
                    max: MAX_MESSAGE_CHARS,
                },
            );
        }
        // Sales Navigator from an inbox thread: the API takes no inbox thread on that channel,
        // so the message goes to the thread's one other person and lands in their Sales
        // Navigator thread; the inbox thread shows it (`elsewhere`).
        let sales_nav = channel == MessagingChannel::SalesNavigator;
        if sales_nav && self.sales_navigator.get(&account) == Some(&false) {
            return self.refuse(&account, Refusal::SalesNavigatorUnavailable);
        }
        let mut shown_in = None;
        let to = match to {
            Recipient::Conversation(urn) if sales_nav => {
                let Some(conv) = self.conversation_arg(&account, &urn) else {
                    return;
                };
                if conv.is_sales_nav() {
                    Recipient::Conversation(urn)
                } else {
                    let Some(person) = self.only_other_participant(&account, &conv) else {
                        return self.refuse(&account, Refusal::NeedsOneRecipient);
                    };
                    shown_in = Some(conv);
                    match (person.urn(), person.slug()) {
                        (Some(urn), _) => Recipient::ProfileUrn(urn),
                        (None, Some(slug)) => Recipient::ProfileSlug(slug.to_owned()),
                        (None, None) => return self.refuse(&account, Refusal::NeedsOneRecipient),
                    }
                }
            }
            other => other,
        };
        let (conversation, new_conversation) = match &to {
            Recipient::Conversation(urn) => match self.conversation_arg(&account, urn) {
                Some(c) => (Some(c), false),
                None => return,
            },
            Recipient::ProfileUrn(urn) => match ProfileId::parse(urn) {
                Ok(p) => match self.known_conversation_with(&account, &p, sales_nav) {
                    Some(c) => (Some(c), false),
                    None => (None, true),
                },
                Err(e) => {
                    let reason = Refusal::BadUrn {
                        urn: urn.clone(),
                        reason: e.to_string(),
                    };
                    return self.refuse(&account, reason);
                }
            },
            Recipient::ProfileSlug(_) => (None, true),
        };
        if new_conversation && self.quota_left(&account) == 0 {
            let reason = Refusal::QuotaExceeded {
                quota: self.config.daily_quota,
                resets_at: next_reset(self.now),
            };
            return self.refuse(&account, reason);
        }
        let key = client_key.unwrap_or_else(|| self.new_client_key());
        let now = self.now;
        let store = self.store_mut(&account);
        if store.outbox().get(&key).is_some() {
            // A key the engine made itself never names an entry already; refused all the same.
            return self.refuse(&account, Refusal::AlreadyPending);
        }
        let conversation_urn = conversation
            .as_ref()
            .and_then(|c| store.conversation(c))
            .map(|c| c.urn.clone());
        let entry = OutboxEntry {
            key: key.clone(),
            // Numbered by the store.
            seq: 0,
            created_at: now,
            recipient: to,
            conversation: conversation.clone(),
            conversation_urn,
            text,
            subject,
            channel,
            attachments,
            new_conversation,
            state: SendState::Queued,
            check_at: None,
            attempt_at: None,
            shown_in,
        };
        store.insert_entry(entry);
        self.wait_on_send(&account, &key);
    }

    /// A send whose client key already names an entry or a confirmed message: no second
    /// entry, and the command ends as the first did or will. False when the key is new.
    fn send_again(&mut self, account: &AccountId, to: &Recipient, key: &ClientKey) -> bool {
        let Some(store) = self.accounts.get(account) else {
            return false;
        };
        if let Some(entry) = store.outbox().get(key) {
            match &entry.state {
                SendState::Failed { reason, retryable } => {
                    let outcome = Outcome::NotSent {
                        client_key: key.clone(),
                        reason: reason.clone(),
                        retryable: *retryable,
                    };
                    self.complete_now(outcome);
                }
                SendState::Sent {
                    message: Some(id), ..
                } => {
                    let id = id.clone();
                    self.wait_on_send(account, key);
                    self.send_confirmed(account, key, Some(&id));
                }
                // Its fate is not known yet (or, sent without a known id, noticed at the end
                // of this step): it ends as the first send does.
                _ => self.wait_on_send(account, key),
            }
            return true;
        }
        let in_conversation = match to {
            Recipient::Conversation(urn) => ConversationId::parse(urn).ok(),
            _ => None,
        };
        let held = match &in_conversation {
            Some(conv) => store.message_with_key(conv, key),
            None => store
                .messages()
                .find(|m| m.client_key.as_ref() == Some(key))
                .map(|m| m.id.clone()),
        };
        let Some(id) = held else {
            return false;
        };
        let message_urn = store.message(&id).map(|m| m.message_urn.clone());
        self.complete_now(Outcome::Sent {
            client_key: key.clone(),
            message_urn,
        });
        true
    }

    pub(super) fn cmd_retry(&mut self, account: AccountId, key: ClientKey) {
        let left = self.quota_left(&account);
        let store = self.store_mut(&account);
        let refusal = match store.outbox().get(&key) {
            None => Some(Refusal::UnknownEntry),
            Some(e) => match &e.state {
                SendState::Failed { .. } if e.new_conversation && left == 0 => {
                    Some(Refusal::QuotaExceeded {
                        quota: self.config.daily_quota,
                        resets_at: next_reset(self.now),
                    })
                }
                SendState::Failed { .. } => None,
                s => Some(Refusal::NotNow {
                    state: state_name(s).into(),
                }),
            },
        };
        if let Some(reason) = refusal {
            return self.refuse(&account, reason);
        }
        let store = self.store_mut(&account);
        if let Some(mut e) = store.outbox_entry_mut(&key) {
            e.state = SendState::Queued;
        }
        self.wait_on_send(&account, &key);
    }

    pub(super) fn cmd_react(
        &mut self,
        account: AccountId,
        message_urn: &str,
        shown_in: Option<String>,
        emoji: String,
        add: bool,
    ) {
        let Some((id, conv_urn, msg_urn)) =
            self.message_arg(&account, message_urn, shown_in, false)
        else {
            return;
        };
        let pending_key = (account.clone(), id.clone(), emoji.clone());
        if self.pending_reacts.contains_key(&pending_key) {
            return self.refuse(&account, Refusal::AlreadyPending);
        }
        let store = self.store_mut(&account);
        if store.mine(&id, &emoji) == add {
            // Adding what is there, or removing what is not: nothing changes.
            return self.complete_now(Outcome::Reacted {
                message: id,
                emoji,
                add,
            });
        }
        store.touch_message(&id);
        self.pending_reacts.set(pending_key, add);
        self.clear_failure(&account, &id);
        let call = ApiCall::React {
            conversation_urn: conv_urn,
            message_urn: msg_urn,
            account_id: account.as_param(),
            request: ReactRequest {
                emoji: emoji.clone(),
                react: add,
            },
        };
        let request = self.request(
            &account,
            call,
            Pending::React {
                account: account.clone(),
                message: id,
                emoji,
                add,
            },
        );
        self.wait_on_request(request);
    }

    pub(super) fn cmd_recall(
        &mut self,
        account: AccountId,
        message_urn: &str,
        shown_in: Option<String>,
    ) {
        let Some((id, conv_urn, msg_urn)) = self.message_arg(&account, message_urn, shown_in, true)
        else {
            return;
        };
        let now = self.now;
        let stamp = self.next_stamp();
        let window = self.config.recall_window_ms;
        let store = self.store_mut(&account);
        let Some(m) = store.message(&id) else { return };
        let refusal = if !m.is_sent_by_owner {
            Some(Refusal::NotOwnMessage)
        } else if now > m.sent_at.saturating_add(window) {
            Some(Refusal::RecallWindowClosed {
                closed_at: m.sent_at.saturating_add(window),
            })
        } else if store.recall_check(&id).is_some() {
            Some(Refusal::AlreadyPending)
        } else {
            None
        };
        if let Some(reason) = refusal {
            return self.refuse(&account, reason);
        }
        let conversation = m.conversation.clone();
        store.put_recall(RecallCheck {
            message: id.clone(),
            conversation: conversation.clone(),
            since: stamp,
            requested: true,
            ours: true,
        });
        store.touch(&conversation);
        self.clear_failure(&account, &id);
        let call = ApiCall::Recall {
            conversation_urn: conv_urn,
            message_urn: msg_urn,
            account_id: account.as_param(),
        };
        self.wait_on_recall(&account, &id);
        self.request(
            &account,
            call,
            Pending::Recall {
                account: account.clone(),
                message: id,
            },
        );
    }

    /// Whether message `id` may be meant by a command that names the conversation it was seen
    /// in (`shown_in`; none: no check). `known`: the message must be known to be there (a
    /// recall); else it only must not be known to be elsewhere (a reaction). Refuses
    /// `not_in_conversation` (or `bad_urn`) when not.
    fn in_conversation(
        &mut self,
        account: &AccountId,
        id: &MessageId,
        shown_in: Option<String>,
        known: bool,
    ) -> bool {
        let Some(urn) = shown_in.filter(|u| !u.trim().is_empty()) else {
            return true;
        };
        let conv = match ConversationId::parse(&urn) {
            Ok(c) => c,
            Err(e) => {
                let reason = Refusal::BadUrn {
                    urn,
                    reason: e.to_string(),
                };
                self.refuse(account, reason);
                return false;
            }
        };
        let held_in = self
            .accounts
            .get(account)
            .and_then(|s| s.message(id))
            .map(|m| m.conversation.clone());
        let fits = match held_in {
            Some(c) => c == conv,
            None => !known,
        };
        if !fits {
            let reason = Refusal::NotInConversation {
                conversation_urn: urn,
            };
            self.refuse(account, reason);
        }
        fits
    }

    /// Read a message URN from a command: its id and the URNs to address it, or a refusal.
    /// `shown_in`, `must_hold`: see [`Engine::in_conversation`] (checked before "unknown").
    pub(super) fn message_arg(
        &mut self,
        account: &AccountId,
        urn: &str,
        shown_in: Option<String>,
        must_hold: bool,
    ) -> Option<(MessageId, String, String)> {
        let id = match MessageId::parse(urn) {
            Ok(id) => id,
            Err(e) => {
                let reason = Refusal::BadUrn {
                    urn: urn.to_owned(),
                    reason: e.to_string(),
                };
                self.refuse(account, reason);
                return None;
            }
        };
        let store = self.store_mut(account);
        if store.is_tombstoned(&id) {
            self.refuse(account, Refusal::AlreadyRecalled);
            return None;
        }
        if !self.in_conversation(account, &id, shown_in, must_hold) {
            return None;
        }
        let store = self.store_mut(account);
        let found = store.message(&id).map(|m| {
            let conv_urn = store.conversation(&m.conversation).map(|c| c.urn.clone());
            (conv_urn.unwrap_or_default(), m.message_urn.clone())
        });
        match found {
            Some((c, m)) => Some((id, c, m)),
            None => {
                self.refuse(account, Refusal::UnknownMessage);
                None
            }
        }
    }
}
