//! Server events and facts from sibling tabs.

use super::*;

impl Engine {
    pub(super) fn server_event(&mut self, e: ServerEvent) {
        if let Some(last) = self.last_seq {
            if e.seq <= last {
                return;
            }
            if e.seq > last + 1 {
                self.resync();
            }
        }
        self.last_seq = Some(e.seq);
        let account = AccountId(e.account_id.clone());
        let conv = ConversationId::parse(&e.conversation_urn).ok();
        let watched = conv
            .as_ref()
            .map(|c| (account.clone(), c.clone()))
            .filter(|k| self.polls.contains_key(k));
        match e.kind {
            ServerEventKind::MessageCreated => match watched {
                Some(k) => self.poll_now(k, false),
                None => self.hint_conversations(&account),
            },
            ServerEventKind::MessageRecalled => {
                let Some(id) = e
                    .message_urn
                    .as_deref()
                    .and_then(|u| MessageId::parse(u).ok())
                else {
                    return;
                };
                let now = self.next_stamp();
                let store = self.store_mut(&account);
                if let Some(m) = store.message(&id) {
                    if store.recall_check(&id).is_none() {
                        let check = RecallCheck {
                            message: id.clone(),
                            conversation: m.conversation.clone(),
                            since: now,
                            requested: false,
                            ours: false,
                        };
                        store.put_recall(check);
                    }
                }
            }
            ServerEventKind::ReactionChanged => {
                let id = e
                    .message_urn
                    .as_deref()
                    .and_then(|u| MessageId::parse(u).ok());
                let store = self.store_mut(&account);
                // A server that pushes reaction events reports tallies: an empty one is "none".
                store.note_tallies_seen();
                if let (Some(id), Some(actor), Some(emoji)) =
                    (id, e.actor.as_deref(), e.emoji.clone())
                {
                    let actor = store.actor_for(actor);
                    // Our own reactions are known from our answers; theirs count until a tally comes.
                    if actor != Actor::Me && store.message(&id).is_some() {
                        let fact = ReactionFact {
                            present: e.react.unwrap_or(true),
                            stamp: Stamp::of_time(Millis(e.at)),
                        };
                        store.merge_reaction(
                            ReactionKey {
                                message: id,
                                actor,
                                emoji,
                            },
                            fact,
                        );
                    }
                }
                if let Some(k) = watched {
                    self.poll_now(k, true);
                }
            }
            ServerEventKind::ConversationRead => self.hint_conversations(&account),
            ServerEventKind::Unknown => {}
        }
    }

    /// Poll a conversation in view as soon as possible (`head`: the newest page, for tallies).
    pub(super) fn poll_now(&mut self, key: (AccountId, ConversationId), head: bool) {
        if let Some(next) = self.polls.get_mut(&key) {
            *next = self.now;
        }
        if head {
            self.head_due.insert(key);
        }
    }

    pub(super) fn hint_conversations(&mut self, account: &AccountId) {
        if !self.busy.contains(&Busy::Conversations(account.clone())) {
            self.request_conversations(account, None);
        }
    }

    /// Events were missed: fetch the newest page of every conversation in view.
    pub(super) fn resync(&mut self) {
        let keys: Vec<_> = self.polls.keys().cloned().collect();
        for k in keys {
            self.poll_now(k, true);
        }
    }

    pub(super) fn remote(&mut self, f: RemoteFact) {
        // Another tab's word is outside input: merge nothing of a fact that fails its checks.
        if let Err(e) = f.check() {
            let account = Some(f.account())
                .filter(|a| super::super::fact::plausible_account(a))
                .cloned()
                .unwrap_or_default();
            self.notify(Notice::Skipped {
                account,
                what: format!("fact from another tab ({e})"),
                count: 1,
                items: Vec::new(),
            });
            return;
        }
        match &f {
            RemoteFact::Messages { messages, .. } | RemoteFact::Tombstones { messages, .. } => {
                for m in messages {
                    self.saw(m.newest_stamp());
                }
            }
            RemoteFact::Reaction { fact, .. } => self.saw(fact.stamp),
            RemoteFact::Quota { .. } | RemoteFact::Read { .. } => {}
        }
        match f {
            RemoteFact::Messages {
                account,
                conversation_urn,
                messages,
            } => {
                self.store_mut(&account)
                    .merge_messages(&conversation_urn, messages);
            }
            RemoteFact::Tombstones {
                account,
                ids,
                messages,
            } => {
                // A send of ours whose echo we never saw may be the recalled message.
                let skew = self.config.echo_skew_ms;
                for m in messages.iter().filter(|m| ids.contains(&m.id)) {
                    let key = self.store_mut(&account).outbox().match_recalled(m, skew);
                    if let Some(key) = key {
                        self.count_quota(&account, &key);
                        self.finish_entry(&account, &key);
                    }
                }
                let store = self.store_mut(&account);
                for id in &ids {
                    let place = messages.iter().find(|m| &m.id == id);
                    store.tombstone_in(id, place.map(|m| &m.conversation));
                }
            }
            RemoteFact::Reaction { account, key, fact } => {
                self.store_mut(&account).merge_reaction(key, fact);
            }
            RemoteFact::Quota { account, quota } => {
                self.store_mut(&account).merge_quota(&quota);
            }
            RemoteFact::Read {
                account,
                conversation,
                at,
            } => {
                if self.store_mut(&account).mark_read(&conversation, at) {
                    self.conversation_lists_changed.insert(account);
                }
            }
        }
    }
}
