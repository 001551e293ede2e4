//! Echo matching: placing sends in their conversation, binding echoes, proving absence.

use super::*;
use crate::sync::outbox::ElsewhereSent;

impl Engine {
    /// A page of a one-to-one conversation names the other participant: sends to that person
    /// whose conversation was not known land here. Returns true when one was placed.
    pub(super) fn place_unplaced(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        participants: &[Participant],
    ) -> bool {
        let store = self.store_mut(account);
        let own = store.own_profile().map(str::to_owned);
        let others: Vec<ProfileId> = participants
            .iter()
            .filter(|p| Some(&p.profile_id) != own.as_ref())
            .filter_map(|p| ProfileId::parse(&p.profile_id).ok())
            .collect();
        let [other] = others.as_slice() else {
            return false;
        };
        let urn = store.ensure_conversation(conv, "").urn.clone();
        let mut placed = Vec::new();
        for e in store.outbox.entries.values_mut() {
            let Recipient::ProfileUrn(to) = &e.recipient else {
                continue;
            };
            let waiting = matches!(
                e.state,
                SendState::InFlight { .. }
                    | SendState::Ambiguous { .. }
                    | SendState::Sent { message: None, .. }
            );
            // A Sales Navigator send lands in a Sales Navigator thread, never an inbox one.
            let fits = e.channel != MessagingChannel::SalesNavigator || conv.is_sales_nav();
            if e.conversation.is_none()
                && fits
                && waiting
                && ProfileId::parse(to).ok().as_ref() == Some(other)
            {
                e.conversation = Some(conv.clone());
                e.conversation_urn = Some(urn.clone());
                placed.push(e.key.clone());
            }
        }
        let any = !placed.is_empty();
        store.dirty.outbox.extend(placed);
        if any {
            store.dirty.touched.insert(conv.clone());
        }
        any
    }

    /// Try every unbound own message of `conv` against the outbox.
    pub(super) fn scan_echoes(&mut self, account: &AccountId, conv: &ConversationId) {
        let store = self.store_mut(account);
        let ids: Vec<MessageId> = store
            .messages_in(conv)
            .filter(|m| m.is_sent_by_owner && m.client_key.is_none())
            .map(|m| m.id.clone())
            .collect();
        for id in ids {
            self.try_match(account, &id);
        }
    }

    /// Bind a newly held message to the outbox entry it echoes, if any.
    pub(super) fn try_match(&mut self, account: &AccountId, id: &MessageId) {
        let skew = self.config.echo_skew_ms;
        let store = self.store_mut(account);
        let Some(m) = store.message(id) else { return };
        if let Some(key) = store.outbox.match_echo(m, skew) {
            self.bind_echo(account, &key, id);
        }
    }

    pub(super) fn bind_echo(&mut self, account: &AccountId, key: &ClientKey, id: &MessageId) {
        let store = self.store_mut(account);
        let Some(entry) = store.outbox.get_mut(key) else {
            return;
        };
        let (answer_pending, started_at) = match entry.state {
            SendState::InFlight { started_at } => (true, started_at),
            SendState::Ambiguous { started_at, .. } => (false, started_at),
            SendState::Sent {
                answer_pending,
                started_at,
                ..
            } => (answer_pending, started_at),
            _ => return,
        };
        entry.state = SendState::Sent {
            message: Some(id.clone()),
            answer_pending,
            started_at,
        };
        entry.check_at = None;
        store.dirty.outbox.insert(key.clone());
        store.set_client_key(id, Some(key.clone()));
        let message = store.message(id).cloned();
        let conv_urn = message
            .as_ref()
            .and_then(|m| store.conversation(&m.conversation))
            .map(|c| c.urn.clone())
            .unwrap_or_default();
        self.busy.remove(&Busy::Echo(account.clone(), key.clone()));
        if !answer_pending {
            self.count_quota(account, key);
            self.finish_entry(account, key);
        }
        if let Some(m) = message {
            self.broadcast(RemoteFact::Messages {
                account: account.clone(),
                conversation_urn: conv_urn,
                messages: vec![m],
            });
        }
    }

    /// After an echo poll: matched, keep looking, or proved absent.
    pub(super) fn echo_verdict(&mut self, account: &AccountId, key: &ClientKey, span: &PageSpan) {
        let now = self.now;
        let skew = self.config.echo_skew_ms;
        let settle = self.config.echo_settle_ms;
        let interval = self.config.poll_interval_ms;
        let store = self.store_mut(account);
        let Some(entry) = store.outbox.get(key).cloned() else {
            return;
        };
        let Some(conv) = entry.conversation.clone() else {
            return;
        };
        // An echo may already be held from an earlier page: look there too.
        let candidates: Vec<MessageId> = store
            .messages_in(&conv)
            .filter(|m| m.client_key.is_none() && m.is_sent_by_owner)
            .map(|m| m.id.clone())
            .collect();
        for id in candidates {
            let store = self.store_mut(account);
            let Some(m) = store.message(&id) else {
                continue;
            };
            if store.outbox.match_echo(m, skew).as_ref() == Some(key) {
                return self.bind_echo(account, key, &id);
            }
        }
        if span.has_more {
            if let Some((newest, _)) = span.newest.clone() {
                let busy = Busy::Echo(account.clone(), key.clone());
                let purpose = Purpose::Echo(key.clone());
                self.request_page(
                    account,
                    &conv,
                    PageKind::Since,
                    purpose,
                    Some(newest),
                    None,
                    busy,
                );
                return;
            }
        }
        let store = self.store_mut(account);
        let Some(e) = store.outbox.get_mut(key) else {
            return;
        };
        store.dirty.outbox.insert(key.clone());
        match e.state {
            SendState::Ambiguous { failed_at, .. } if span.issued_at >= failed_at + settle => {
                self.fail_proved_absent(account, key);
            }
            SendState::Ambiguous { failed_at, .. } => {
                e.check_at = Some((failed_at + settle).max(now + 1).min(now + interval));
            }
            SendState::Sent {
                message: None,
                started_at,
                ..
            } if span.issued_at >= started_at + settle => {
                // Sent for sure but its echo is not to be found: stop looking, keep it shown as sent.
                e.check_at = None;
            }
            SendState::Sent { message: None, .. } => e.check_at = Some(now + interval),
            _ => {}
        }
    }

    pub(super) fn fail_proved_absent(&mut self, account: &AccountId, key: &ClientKey) {
        let store = self.store_mut(account);
        let Some(e) = store.outbox.get_mut(key) else {
            return;
        };
        let SendState::Ambiguous { error, .. } = &e.state else {
            return;
        };
        let reason = SendFailure {
            code: FailureCode::ProvedAbsent,
            message: format!("not sent ({error}); a later poll shows it never arrived"),
        };
        e.state = SendState::Failed {
            reason: reason.clone(),
            retryable: true,
        };
        e.check_at = None;
        if let Some(c) = &e.conversation {
            store.dirty.touched.insert(c.clone());
        }
        store.dirty.outbox.insert(key.clone());
        self.send_failed(account, key, reason, true);
    }

    /// Count a confirmed new conversation toward today's quota (once per client key).
    pub(super) fn count_quota(&mut self, account: &AccountId, key: &ClientKey) {
        let day = utc_day(self.now);
        let store = self.store_mut(account);
        let new = store.outbox.get(key).is_some_and(|e| e.new_conversation);
        if new && store.record_quota(day, key) {
            let quota = store.quota().clone();
            self.broadcast(RemoteFact::Quota {
                account: account.clone(),
                quota,
            });
        }
    }

    /// The entry is done (its message is held with its client key, or it was sent and
    /// recalled): leave the outbox, and end the commands waiting on it as sent.
    pub(super) fn finish_entry(&mut self, account: &AccountId, key: &ClientKey) {
        let now = self.now;
        let store = self.store_mut(account);
        let message = store.outbox.get(key).and_then(|e| match &e.state {
            SendState::Sent {
                message: Some(id), ..
            } => Some(id.clone()),
            _ => store.message_with_key(e.conversation.as_ref()?, key),
        });
        if let Some(e) = store.outbox.get(key) {
            keep_sent_elsewhere(store, e.clone(), now);
        }
        self.remove_entry(account, key);
        self.send_confirmed(account, key, message.as_ref());
    }

    pub(super) fn remove_entry(&mut self, account: &AccountId, key: &ClientKey) {
        let store = self.store_mut(account);
        if let Some(e) = store.outbox.entries.remove(key) {
            if let Some(c) = e.conversation {
                store.dirty.touched.insert(c);
            }
            if let Some(c) = e.shown_in {
                store.dirty.touched.insert(c);
            }
            store.dirty.outbox.insert(key.clone());
        }
    }
}

/// A sent entry that was shown in an inbox thread while its message went to a Sales Navigator
/// thread stays shown there, as sent (its message, when held, gives the time and URN).
pub(super) fn keep_sent_elsewhere(store: &mut AccountStore, e: OutboxEntry, now: i64) {
    let Some(inbox) = e.shown_in else {
        return;
    };
    let bound = match &e.state {
        SendState::Sent {
            message: Some(id), ..
        } => Some(id.clone()),
        _ => e
            .conversation
            .as_ref()
            .and_then(|c| store.message_with_key(c, &e.key)),
    };
    let message = bound.as_ref().and_then(|id| store.message(id));
    let sent = ElsewhereSent {
        key: e.key.clone(),
        text: e.text,
        subject: e.subject,
        attachments: e.attachments,
        sent_at: message.map_or(now, |m| m.sent_at),
        message_urn: message.map(|m| m.message_urn.clone()),
    };
    store.keep_elsewhere(&inbox, sent);
}
