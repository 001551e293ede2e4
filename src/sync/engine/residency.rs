//! Lazy loading (issue 13): with per-record storage the engine opens without any message and
//! reads a conversation's messages (`Effect::Load` .. `Input::Loaded`) when an input needs
//! them; a conversation no view shows, with nothing waiting on it, leaves memory again.
//!
//! Why inputs wait rather than writes: an input that touches a conversation whose messages
//! are not in memory would decide on a partial store (a page's messages counted "added"
//! though stored, a recall or an echo looking for a message it cannot see). So every input
//! that needs a conversation not in memory asks for it and waits, and so does every input
//! after it (one queue, replayed in order with their own times once every read answered):
//! the engine then decides exactly as if everything had been in memory. As a safety net the
//! store never writes a message of a conversation not read yet (`AccountStore::drain_delta`
//! holds it back), so a copy on disk is never overwritten by a worse one.

use super::*;
use crate::sync::persist_log::StorageError;
use crate::sync::record_log::{LoadedConversation, LoadedList};
use crate::sync::view::StorageHealth;

/// An input that waits for conversations to be read, with the time it came.
#[derive(Debug)]
pub(super) enum Queued {
    Input(Input, Millis),
    /// `asked`: the command asked its own record read (a `LoadMoreConversations` its page:
    /// one fed while another's page is out asks the next page once that one is in).
    Command {
        command: Command,
        id: CommandId,
        at: Millis,
        asked: bool,
    },
}

impl Engine {
    /// Whether this engine loads conversations lazily (restored from per-record storage by
    /// `restore_lazy`).
    pub(super) fn lazy(&self) -> bool {
        self.lazy
    }

    /// Asks for every conversation `needed` that is not in memory and not asked yet (a
    /// conversation whose read failed is asked again only when `retry`), one read per account
    /// for all of them (a list page's conversations are one transaction, not one each); true
    /// when the input must wait (a read is out, or earlier inputs wait).
    fn ask(&mut self, needed: Vec<(AccountId, ConversationId)>, retry: bool) -> bool {
        let mut reads: Vec<(AccountId, Vec<ConversationId>)> = Vec::new();
        for (account, conversation) in needed {
            // An account seen for the first time holds nothing yet either.
            let store = self.store_mut(&account);
            if store.is_resident(&conversation)
                || (store.is_unreadable(&conversation) && !retry)
                || self
                    .loading
                    .contains(&(account.clone(), conversation.clone()))
            {
                continue;
            }
            self.loading.insert((account.clone(), conversation.clone()));
            match reads.iter_mut().find(|(a, _)| *a == account) {
                Some((_, read)) => read.push(conversation),
                None => reads.push((account, vec![conversation])),
            }
        }
        for (account, conversations) in reads {
            self.out.push(Effect::Load {
                account,
                conversations,
            });
        }
        self.reads_out() || !self.queued.is_empty()
    }

    /// Whether a read (`Load`, `LoadList`, `LoadWith`) is out.
    pub(super) fn reads_out(&self) -> bool {
        !self.loading.is_empty() || !self.listing.is_empty()
    }

    /// Asks for the conversation records `c` needs besides its conversations' (with a
    /// conversation window): every stored conversation with the person a send goes to (once
    /// per person: the participant index), and for `LoadMoreConversations` that has not asked
    /// yet (`first`), the list's next page: each call reads one page more, so one fed while
    /// another's page is out asks its own once that one is in (never the same page twice).
    /// True when it asked a read.
    fn ask_records(&mut self, c: &Command, first: bool) -> bool {
        let (account, ask) = match c {
            Command::LoadMoreConversations { account } if first => {
                let Some(after) = self.accounts.get(account).and_then(|s| s.list_more()) else {
                    return false;
                };
                let ask = Effect::LoadList {
                    account: account.clone(),
                    after: Some(after.clone()),
                    limit: self.config.conversation_window.max(1),
                };
                (account, (None, ask))
            }
            Command::Send {
                account,
                to,
                channel,
                ..
            } => {
                let person = match to {
                    Recipient::ProfileUrn(urn) => ProfileId::parse(urn).ok(),
                    Recipient::Conversation(urn)
                        if *channel == MessagingChannel::SalesNavigator =>
                    {
                        match ConversationId::parse(urn) {
                            Ok(conv)
                                if !conv.is_sales_nav()
                                    && self
                                        .accounts
                                        .get(account)
                                        .is_some_and(|s| s.is_resident(&conv)) =>
                            {
                                self.only_other_participant(account, &conv)
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let Some(person) = person else {
                    return false;
                };
                let store = self.store_mut(account);
                if store.looked_up(person.as_str()) {
                    return false;
                }
                let ask = Effect::LoadWith {
                    account: account.clone(),
                    profile: person.as_str().to_owned(),
                };
                (account, (Some(person.as_str().to_owned()), ask))
            }
            _ => return false,
        };
        let (profile, effect) = ask;
        // The same read out already (a page: the one before this command's, asked later).
        if !self.listing.insert((account.clone(), profile)) {
            return false;
        }
        self.out.push(effect);
        true
    }

    /// `Input::ListLoaded`: installs the conversation records read under memory (a record
    /// memory knows is memory's), or marks storage failing; then the inputs that waited run.
    /// A person's conversations that could not be read count as looked up (a send to them
    /// then decides on what memory holds, rather than waiting forever).
    pub(super) fn list_loaded(
        &mut self,
        account: AccountId,
        profile: Option<String>,
        result: Result<LoadedList, StorageError>,
    ) {
        let now = self.now;
        if !self.listing.remove(&(account.clone(), profile.clone())) {
            return;
        }
        let (records, more, issues) = match result {
            Ok(read) => (read.records, Some(read.more), read.issues),
            Err(e) => {
                let since = match &self.storage_health {
                    StorageHealth::Failing { since, .. } => *since,
                    StorageHealth::Ok => now,
                };
                self.storage_health = StorageHealth::Failing {
                    since,
                    reason: format!("the conversation list could not be read: {}", e.message),
                    full: false,
                };
                if profile.is_none() {
                    self.list_failures.set(account.clone(), e.message.clone());
                }
                (Vec::new(), None, Vec::new())
            }
        };
        self.load_issues.extend(issues);
        let more = if profile.is_some() { None } else { more };
        if self
            .store_mut(&account)
            .install_records(records, more, profile.as_deref())
        {
            self.conversation_lists_changed.insert(account);
        }
        self.replay();
        self.now = now;
    }

    /// Whether `input` must wait for reads (asked here).
    pub(super) fn input_waits(&mut self, input: &Input) -> bool {
        if !self.lazy() {
            return false;
        }
        let mut needed = self.pinned();
        needed.extend(self.needs_of_input(input));
        self.ask(needed, false)
    }

    /// Whether `command` must wait for reads (asked here): `Some(asked)` when it must, with
    /// whether it asked its own record read (`ask_records`). A conversation whose read failed
    /// is read again when a view opens it.
    pub(super) fn command_waits(&mut self, command: &Command) -> Option<bool> {
        if !self.lazy() {
            return None;
        }
        let pinned = self.pinned();
        self.ask(pinned, false);
        let asked = self.ask_records(command, true);
        let own = self.needs_of_command(command);
        let retry = matches!(command, Command::OpenConversation { .. });
        self.ask(own, retry).then_some(asked)
    }

    /// At the end of a step: asks for the conversations work waits on (a changed message of
    /// a conversation not read yet is written only once it was).
    pub(super) fn ask_pinned(&mut self) {
        if self.lazy() {
            let pinned = self.pinned();
            self.ask(pinned, false);
        }
    }

    /// Conversations the engine has work in, which it reads before acting at all: those of
    /// outbox entries and recall checks, those a failed write carried messages of, and those
    /// with a changed message waiting to be written.
    fn pinned(&self) -> Vec<(AccountId, ConversationId)> {
        let mut out = Vec::new();
        for (account, store) in &self.accounts {
            if store.holds_all() {
                continue;
            }
            let mut convs: IdSet<ConversationId> = store.conversations_to_read();
            for e in store.outbox().entries.values() {
                convs.extend(e.conversation.iter().cloned());
                convs.extend(e.shown_in.iter().cloned());
            }
            convs.extend(store.recall_checks().map(|c| c.conversation.clone()));
            out.extend(
                convs
                    .into_iter()
                    .filter(|c| !store.is_resident(c))
                    .map(|c| (account.clone(), c)),
            );
        }
        out
    }

    fn needs_of_command(&self, c: &Command) -> Vec<(AccountId, ConversationId)> {
        let one = |account: &AccountId, urn: &str| {
            ConversationId::parse(urn)
                .ok()
                .map(|c| (account.clone(), c))
                .into_iter()
                .collect()
        };
        match c {
            Command::OpenConversation {
                account,
                conversation_urn,
                ..
            }
            | Command::LoadOlder {
                account,
                conversation_urn,
            }
            | Command::Refresh {
                account,
                conversation_urn,
            }
            | Command::Rescan {
                account,
                conversation_urn,
            }
            | Command::MarkRead {
                account,
                conversation_urn,
            } => one(account, conversation_urn),
            Command::Send {
                account,
                to: Recipient::Conversation(urn),
                ..
            } => one(account, urn),
            Command::React {
                account,
                conversation_urn: Some(urn),
                ..
            }
            | Command::Recall {
                account,
                conversation_urn: Some(urn),
                ..
            } => one(account, urn),
            _ => Vec::new(),
        }
    }

    fn needs_of_input(&self, input: &Input) -> Vec<(AccountId, ConversationId)> {
        let mut out = Vec::new();
        match input {
            Input::Answer { id, result } => match self.pending.get(id) {
                Some(Pending::Page {
                    account,
                    conversation,
                    ..
                }) => out.push((account.clone(), conversation.clone())),
                Some(Pending::Send { account, .. }) => {
                    if let Ok(ApiReply::Send(r)) = result {
                        let landed = [r.conversation_urn.as_deref(), r.thread_id.as_deref()];
                        out.extend(
                            landed
                                .into_iter()
                                .flatten()
                                .filter_map(|u| ConversationId::parse(u).ok())
                                .map(|c| (account.clone(), c)),
                        );
                    }
                }
                Some(Pending::Conversations { account, .. }) => {
                    if let Ok(ApiReply::Conversations(page)) = result {
                        out.extend(page.conversations.iter().filter_map(|c| {
                            let urn = if c.conversation_urn.is_empty() {
                                c.conversation_id.as_deref()?
                            } else {
                                c.conversation_urn.as_str()
                            };
                            Some((account.clone(), ConversationId::parse(urn).ok()?))
                        }));
                    }
                }
                _ => {}
            },
            Input::ServerEvent(e) => {
                let about_a_message = matches!(
                    e.kind,
                    ServerEventKind::MessageRecalled | ServerEventKind::ReactionChanged
                );
                if let (true, Ok(c)) = (about_a_message, ConversationId::parse(&e.conversation_urn))
                {
                    out.push((AccountId(e.account_id.clone()), c));
                }
            }
            Input::Remote(RemoteFact::Messages {
                account,
                conversation_urn,
                messages,
            }) => {
                out.extend(
                    ConversationId::parse(conversation_urn)
                        .ok()
                        .map(|c| (account.clone(), c)),
                );
                out.extend(
                    messages
                        .iter()
                        .map(|m| (account.clone(), m.conversation.clone())),
                );
            }
            Input::Remote(RemoteFact::Read {
                account,
                conversation,
                ..
            }) => out.push((account.clone(), conversation.clone())),
            Input::Remote(RemoteFact::Tombstones {
                account, messages, ..
            }) => out.extend(
                messages
                    .iter()
                    .map(|m| (account.clone(), m.conversation.clone())),
            ),
            _ => {}
        }
        out
    }

    /// `Input::Loaded`: installs what was read of each conversation (under memory), or marks
    /// them unreadable and storage failing; then, once no read is out, the inputs that waited
    /// run in order, each at its own time.
    pub(super) fn loaded(
        &mut self,
        account: AccountId,
        conversations: Vec<ConversationId>,
        result: Result<Vec<LoadedConversation>, StorageError>,
    ) {
        let now = self.now;
        let (mut reads, failure) = match result {
            Ok(reads) => (reads.into_iter(), None),
            Err(e) => (Vec::new().into_iter(), Some(e.message)),
        };
        let mut asked = false;
        for conversation in conversations {
            // A driver answers every conversation asked, in order; one left out was not read.
            let read = reads.next();
            if !self
                .loading
                .remove(&(account.clone(), conversation.clone()))
            {
                // Not asked (or asked by an engine before a restart): memory decides alone.
                continue;
            }
            asked = true;
            match read {
                Some(read) => {
                    self.load_issues.extend(read.issues);
                    for m in &read.messages {
                        self.saw(m.newest_stamp());
                    }
                    let store = self.store_mut(&account);
                    store.install_loaded(&conversation, read.record.map(|r| *r), read.messages);
                    if matches!(self.storage_health, StorageHealth::Failing { .. })
                        && !self.storage_behind
                    {
                        self.storage_health = StorageHealth::Ok;
                    }
                }
                None => {
                    self.store_mut(&account).mark_unreadable(&conversation);
                    let since = match &self.storage_health {
                        StorageHealth::Failing { since, .. } => *since,
                        StorageHealth::Ok => now,
                    };
                    let why = failure
                        .as_deref()
                        .unwrap_or("the storage did not answer for it");
                    self.storage_health = StorageHealth::Failing {
                        since,
                        reason: format!("a conversation could not be read: {why}"),
                        full: false,
                    };
                }
            }
        }
        if asked {
            self.replay();
        }
        self.now = now;
    }

    /// Runs the inputs that waited, in order, while no read is out.
    fn replay(&mut self) {
        while !self.reads_out() {
            let Some(next) = self.queued.pop_front() else {
                break;
            };
            match next {
                Queued::Input(input, at) => {
                    self.now = at;
                    let needed = {
                        let mut n = self.pinned();
                        n.extend(self.needs_of_input(&input));
                        n
                    };
                    self.ask(needed, false);
                    if self.reads_out() {
                        self.queued.push_front(Queued::Input(input, at));
                        break;
                    }
                    self.step(input);
                    self.drive();
                }
                Queued::Command {
                    command,
                    id,
                    at,
                    asked,
                } => {
                    self.now = at;
                    let mut needed = self.pinned();
                    needed.extend(self.needs_of_command(&command));
                    // Never read again here: a read that just failed would be asked again
                    // in a loop (the view says it could not be read; the next open retries).
                    // Only a page not asked yet is asked now (once per command).
                    let first = !asked && matches!(command, Command::LoadMoreConversations { .. });
                    let asked = self.ask_records(&command, first) || asked;
                    self.ask(needed, false);
                    if self.reads_out() {
                        self.queued.push_front(Queued::Command {
                            command,
                            id,
                            at,
                            asked,
                        });
                        break;
                    }
                    self.run_numbered(command, id);
                    self.drive();
                }
            }
        }
    }

    /// Conversations no view shows leave memory once nothing waits on them, beyond the
    /// `resident_closed` most recently shown (no write: storage keeps them).
    pub(super) fn evict_closed(&mut self) {
        if !self.lazy() || self.reads_out() || !self.queued.is_empty() {
            return;
        }
        let viewed: SmallSet<(AccountId, ConversationId)> = self.views.values().cloned().collect();
        self.closed_order.retain(|k| !viewed.contains(k));
        for (account, store) in &self.accounts {
            for c in store.resident() {
                let k = (account.clone(), c);
                if !viewed.contains(&k) && !self.closed_order.contains(&k) {
                    self.closed_order.push(k);
                }
            }
        }
        // The least recently shown first.
        let keep = self.config.resident_closed;
        let mut i = 0;
        while self.closed_order.len() > keep && i < self.closed_order.len() {
            let (account, conv) = self.closed_order[i].clone();
            if self.may_evict(&account, &conv) {
                self.store_mut(&account).evict(&conv);
                self.closed_order.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// Whether nothing of the engine's own waits on `conv`: no poll, no request, no walk, no
    /// reaction change on its way (the store checks its own records).
    fn may_evict(&self, account: &AccountId, conv: &ConversationId) -> bool {
        let key = (account.clone(), conv.clone());
        let Some(store) = self.accounts.get(account) else {
            return false;
        };
        let busy = self.busy.iter().any(|b| match b {
            Busy::Poll(a, c) | Busy::History(a, c) | Busy::Verify(a, c) | Busy::Fill(a, c) => {
                a == account && c == conv
            }
            _ => false,
        });
        let page_out = self.pending.values().any(|p| {
            matches!(p, Pending::Page { account: a, conversation: c, .. } if a == account && c == conv)
        });
        let reacting = self.pending_reacts.keys().any(|(a, m, _)| {
            a == account && store.message(m).is_some_and(|m| &m.conversation == conv)
        });
        !busy
            && !page_out
            && !reacting
            && !self.polls.contains_key(&key)
            && !self.walks.contains_key(&key)
            && !self.head_due.contains(&key)
            && store.evictable(conv)
    }
}
