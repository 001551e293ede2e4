//! Command outcomes: every command fed gets a number and, exactly once, a `refused` or a
//! `completed` notice naming it. A command settles in its own step (refused, or done at once)
//! or waits: on a request's answer (pages, conversation lists, reactions), on its outbox
//! entry's fate (sends, retries), or on its message being recalled or found still there
//! (recalls). Waiting commands live in memory only: a restarted engine has none.

use super::*;

/// The command being handled.
#[derive(Debug)]
pub(super) struct Current {
    id: CommandId,
    account: AccountId,
    /// Refused, completed, or waiting: it needs no `done` at its end.
    settled: bool,
}

impl Engine {
    /// Number the command about to be handled.
    pub(super) fn begin_command(&mut self, c: &Command) -> CommandId {
        self.last_command += 1;
        let id = CommandId(self.last_command);
        self.begin_numbered(c, id);
        id
    }

    /// Handle command `c` as number `id` (given when it was fed: it waited for reads).
    pub(super) fn begin_numbered(&mut self, c: &Command, id: CommandId) {
        let account = match c {
            Command::OpenConversation { account, .. }
            | Command::LoadOlder { account, .. }
            | Command::Refresh { account, .. }
            | Command::Rescan { account, .. }
            | Command::RefreshConversations { account, .. }
            | Command::LoadMoreConversations { account }
            | Command::Send { account, .. }
            | Command::React { account, .. }
            | Command::Recall { account, .. }
            | Command::MarkRead { account, .. }
            | Command::RetrySend { account, .. }
            | Command::DiscardSend { account, .. }
            | Command::LocateMessages { account, .. } => account.clone(),
            Command::CloseView { view } => self
                .views
                .get(view)
                .map(|(a, _)| a.clone())
                .unwrap_or_default(),
            Command::KeyUpdated => AccountId::default(),
        };
        self.current = Some(Current {
            id,
            account,
            settled: false,
        });
    }

    /// A command that was not refused and waits on nothing did all it does.
    pub(super) fn end_command(&mut self) {
        if let Some(c) = self.current.take() {
            if !c.settled {
                self.complete(&c.account, c.id, Outcome::Done);
            }
        }
    }

    /// The command being handled, marked settled (the caller settles or parks it).
    fn settle_current(&mut self) -> Option<(AccountId, CommandId)> {
        let c = self.current.as_mut()?;
        if c.settled {
            return None;
        }
        c.settled = true;
        Some((c.account.clone(), c.id))
    }

    /// Refuse the command being handled.
    pub(super) fn refuse(&mut self, account: &AccountId, reason: Refusal) {
        if let Some((_, command)) = self.settle_current() {
            self.notify(Notice::Refused {
                account: account.clone(),
                command,
                reason,
            });
        }
    }

    /// The command being handled ends now with `outcome`.
    pub(super) fn complete_now(&mut self, outcome: Outcome) {
        if let Some((account, command)) = self.settle_current() {
            self.complete(&account, command, outcome);
        }
    }

    /// The command being handled ends with the answer to `request`.
    pub(super) fn wait_on_request(&mut self, request: RequestId) {
        if let Some(waiter) = self.settle_current() {
            self.request_waiters
                .entry(request)
                .or_default()
                .push(waiter);
        }
    }

    /// The command being handled ends with the fate of outbox entry `key`.
    pub(super) fn wait_on_send(&mut self, account: &AccountId, key: &ClientKey) {
        if let Some((_, command)) = self.settle_current() {
            let waiting = (account.clone(), key.clone());
            self.send_waiters.entry(waiting).or_default().push(command);
        }
    }

    /// The command being handled ends once `message` is recalled or found still there.
    pub(super) fn wait_on_recall(&mut self, account: &AccountId, message: &MessageId) {
        if let Some((_, command)) = self.settle_current() {
            let waiting = (account.clone(), message.clone());
            self.recall_waiters
                .entry(waiting)
                .or_default()
                .push(command);
        }
    }

    /// The command being handled (a `LocateMessages` of `messages`) ends with what storage
    /// knows of `asked` (`Effect::Locate` .. `Input::Located`).
    pub(super) fn wait_on_locate(
        &mut self,
        account: &AccountId,
        messages: Vec<MessageId>,
        asked: Vec<MessageId>,
    ) {
        if let Some((_, command)) = self.settle_current() {
            self.out.push(Effect::Locate {
                account: account.clone(),
                command,
                messages: asked.clone(),
            });
            self.locating
                .set(command, (account.clone(), messages, asked));
        }
    }

    /// `Input::Located`: the `LocateMessages` it answers completes with what memory holds now
    /// and what storage said of the rest, or fails with the read's error. Nothing changes.
    pub(super) fn located(
        &mut self,
        command: CommandId,
        result: Result<Vec<crate::sync::record_log::StoredPlaces>, crate::sync::StorageError>,
    ) {
        // Not asked by this engine (one before a restart): nobody waits.
        let Some((account, messages, asked)) = self.locating.remove(&command) else {
            return;
        };
        let outcome = match result {
            Ok(places) => {
                let read: Vec<_> = asked.into_iter().zip(places).collect();
                Outcome::Located {
                    conversation_urns: self.places_of(&account, &messages, &read),
                }
            }
            Err(e) => Outcome::Failed {
                reason: storage_failure(&format!(
                    "the stored messages could not be read: {}",
                    e.message
                )),
            },
        };
        self.complete(&account, command, outcome);
    }

    fn complete(&mut self, account: &AccountId, command: CommandId, outcome: Outcome) {
        self.notify(Notice::Completed {
            account: account.clone(),
            command,
            outcome,
        });
    }

    /// The answer to `request` came: its waiting commands end with `outcome`, or move to
    /// `next`, the request the same work goes on with (the next page of a rescan).
    pub(super) fn answered(
        &mut self,
        request: RequestId,
        outcome: Result<Outcome, Failure>,
        next: Option<RequestId>,
    ) {
        let Some(waiters) = self.request_waiters.remove(&request) else {
            return;
        };
        if let (Some(next), Ok(_)) = (next, &outcome) {
            self.request_waiters
                .entry(next)
                .or_default()
                .extend(waiters);
            return;
        }
        let outcome = outcome.unwrap_or_else(|reason| Outcome::Failed { reason });
        for (account, command) in waiters {
            self.complete(&account, command, outcome.clone());
        }
    }

    /// The user-asked page of `conv` that is out (`loadOlder`, `refresh`, a rescan's).
    pub(super) fn history_request(
        &self,
        account: &AccountId,
        conv: &ConversationId,
    ) -> Option<RequestId> {
        self.pending.iter().find_map(|(id, p)| match p {
            Pending::Page {
                account: a,
                conversation: c,
                purpose: Purpose::User | Purpose::Rescan { .. },
                ..
            } if a == account && c == conv => Some(*id),
            _ => None,
        })
    }

    /// A send failed for good: tell the UI, and end the commands waiting on it.
    pub(super) fn send_failed(
        &mut self,
        account: &AccountId,
        key: &ClientKey,
        reason: SendFailure,
        retryable: bool,
    ) {
        self.notify(Notice::SendFailed {
            account: account.clone(),
            client_key: key.clone(),
            reason: reason.clone(),
        });
        let waiting = (account.clone(), key.clone());
        for command in self.send_waiters.remove(&waiting).unwrap_or_default() {
            let outcome = Outcome::NotSent {
                client_key: key.clone(),
                reason: reason.clone(),
                retryable,
            };
            self.complete(account, command, outcome);
        }
    }

    /// The entry `key` was discarded: the commands waiting on it end so.
    pub(super) fn send_discarded(&mut self, account: &AccountId, key: &ClientKey) {
        let waiting = (account.clone(), key.clone());
        for command in self.send_waiters.remove(&waiting).unwrap_or_default() {
            let outcome = Outcome::Discarded {
                client_key: key.clone(),
            };
            self.complete(account, command, outcome);
        }
    }

    /// The entry `key` is on the server (as `message`, when known).
    pub(super) fn send_confirmed(
        &mut self,
        account: &AccountId,
        key: &ClientKey,
        message: Option<&MessageId>,
    ) {
        let waiting = (account.clone(), key.clone());
        let Some(commands) = self.send_waiters.remove(&waiting) else {
            return;
        };
        let message_urn = message
            .and_then(|id| self.accounts.get(account)?.message(id))
            .map(|m| m.message_urn.clone());
        for command in commands {
            let outcome = Outcome::Sent {
                client_key: key.clone(),
                message_urn: message_urn.clone(),
            };
            self.complete(account, command, outcome);
        }
    }

    /// A recall did not happen: tell the UI, and end the commands waiting on it.
    pub(super) fn recall_failed(
        &mut self,
        account: &AccountId,
        message: &MessageId,
        reason: Failure,
    ) {
        self.notify(Notice::RecallFailed {
            account: account.clone(),
            message: message.clone(),
            reason: reason.clone(),
        });
        let waiting = (account.clone(), message.clone());
        for command in self.recall_waiters.remove(&waiting).unwrap_or_default() {
            let outcome = Outcome::Failed {
                reason: reason.clone(),
            };
            self.complete(account, command, outcome);
        }
    }

    /// End the waiting commands whose end came about this step by a path that names no
    /// command: a send confirmed (its answer, its echo, a sibling tab), a message recalled (the
    /// answer, a verifying page, a sibling tab).
    pub(super) fn settle_waiting(&mut self) {
        let sends: Vec<(AccountId, ClientKey)> = self.send_waiters.keys().cloned().collect();
        for (account, key) in sends {
            let state = self
                .accounts
                .get(&account)
                .and_then(|s| s.outbox().get(&key))
                .map(|e| e.state.clone());
            if let Some(SendState::Sent { message, .. }) = state {
                self.send_confirmed(&account, &key, message.as_ref());
            }
        }
        let recalled: Vec<(AccountId, MessageId)> = self
            .recall_waiters
            .keys()
            .filter(|(a, m)| self.accounts.get(a).is_some_and(|s| s.is_tombstoned(m)))
            .cloned()
            .collect();
        for waiting in recalled {
            let commands = self.recall_waiters.remove(&waiting).unwrap_or_default();
            let (account, message) = waiting;
            for command in commands {
                let outcome = Outcome::Recalled {
                    message: message.clone(),
                };
                self.complete(&account, command, outcome);
            }
        }
    }
}

/// A storage failure, as a command's outcome.
pub(super) fn storage_failure(message: &str) -> Failure {
    Failure {
        code: FailureCode::Storage,
        message: message.to_owned(),
    }
}
