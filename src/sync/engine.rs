//! The engine: one state machine per workspace that turns inputs into effects. It owns the
//! per-account stores and the transient bookkeeping (requests out, who views what, pause and
//! rate-limit waits) and applies the reconciliation rules; it never does I/O or reads a clock.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::ApiError;
use crate::model::{
    AttachmentRef, ConversationsPage, ListConversationsQuery, MessagesPage, MessagesQuery,
    MessagingChannel, Participant, ReactRequest, SendRequest, SendResponse, ServerEvent,
    ServerEventKind, MAX_MESSAGE_CHARS,
};
use crate::urn::{ConversationId, MessageId, ProfileId};

use super::effect::{ApiCall, Effect, Notice, Persist, RemoteFact, Request};
use super::input::{ApiReply, Command, Input};
use super::keys::{AccountId, ClientKey, RequestId, ViewId};
use super::outbox::{OutboxEntry, Recipient, SendFailure, SendState};
use super::persist::{self, Records, RestoreIssue, STORE_VERSION};
use super::quota::{next_reset, utc_day};
use super::reaction::{Actor, ReactionFact, ReactionKey};
use super::refusal::Refusal;
use super::store::{AccountStore, PageKind, RecallCheck, StoredMessage};

/// Stamps are milliseconds times this, plus a counter within the millisecond.
pub const STAMP_SCALE: i64 = 1024;

/// Tunables; every time is in milliseconds of the caller's clock.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct EngineConfig {
    /// Makes this instance's client keys unique (give each process a fresh random seed).
    pub seed: u64,
    /// How often a conversation in view is polled.
    pub poll_interval_ms: i64,
    /// Clock difference allowed between this client and the server when matching echoes.
    pub echo_skew_ms: i64,
    /// How long after an ambiguous failure a poll must start to prove the send absent.
    pub echo_settle_ms: i64,
    /// Wait after a 429 that named no `Retry-After`.
    pub default_retry_after_ms: i64,
    /// New conversations per account per UTC day.
    pub daily_quota: u32,
    /// How long after sending a message may be recalled.
    pub recall_window_ms: i64,
    /// `count` asked of message pages.
    pub page_size: u32,
    /// Write a full snapshot instead of a delta after this many deltas.
    pub snapshot_every: u32,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            seed: 0,
            poll_interval_ms: 15_000,
            echo_skew_ms: 120_000,
            echo_settle_ms: 30_000,
            default_retry_after_ms: 30_000,
            daily_quota: crate::model::DAILY_NEW_CONVERSATION_QUOTA,
            recall_window_ms: 60 * 60 * 1000,
            page_size: 50,
            snapshot_every: 200,
        }
    }
}

/// Why a page was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    /// Polling a conversation in view (or its first load).
    Poll,
    /// The user asked for older history, or a refresh.
    User,
    /// Looking for an outbox entry's echo.
    Echo(ClientKey),
    /// Proving a recall happened or not; `chain_from` is when the chain's first page was asked.
    Verify { chain_from: i64 },
    /// Catching up from the polling watermark after a newest page left a gap.
    Fill,
    /// Walking the whole history (`Command::Rescan`).
    Rescan { chain_from: i64 },
}

/// A request that is out, and what to do with its answer.
#[derive(Debug, Clone)]
enum Pending {
    Page {
        account: AccountId,
        conversation: ConversationId,
        kind: PageKind,
        purpose: Purpose,
        issued_at: i64,
        /// Orders what this page says against other pages and facts (see `next_stamp`).
        stamp: i64,
        since: Option<i64>,
    },
    Conversations {
        account: AccountId,
        issued_at: i64,
    },
    Send {
        account: AccountId,
        key: ClientKey,
    },
    React {
        account: AccountId,
        message: MessageId,
        emoji: String,
        add: bool,
    },
    Recall {
        account: AccountId,
        message: MessageId,
    },
}

/// A kind of background work that must not run twice at once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Busy {
    Poll(AccountId, ConversationId),
    History(AccountId, ConversationId),
    Echo(AccountId, ClientKey),
    Verify(AccountId, ConversationId),
    Fill(AccountId, ConversationId),
    Conversations(AccountId),
}

/// The reconciliation engine for one workspace.
#[derive(Debug)]
pub struct Engine {
    pub(crate) config: EngineConfig,
    pub(crate) accounts: BTreeMap<AccountId, AccountStore>,
    key_counter: u64,
    next_request: u64,
    pending: BTreeMap<RequestId, Pending>,
    /// Which API key each request went out with (bumped by `KeyUpdated`).
    request_key: BTreeMap<RequestId, u64>,
    key_generation: u64,
    busy: BTreeSet<Busy>,
    retry_at: BTreeMap<Busy, i64>,
    pub(crate) views: BTreeMap<ViewId, (AccountId, ConversationId)>,
    /// Conversations in view: when each is polled next.
    pub(crate) polls: BTreeMap<(AccountId, ConversationId), i64>,
    head_due: BTreeSet<(AccountId, ConversationId)>,
    pub(crate) paused: bool,
    pub(crate) rate_wait: BTreeMap<AccountId, i64>,
    pub(crate) offline: BTreeSet<AccountId>,
    pub(crate) pending_reacts: BTreeMap<(AccountId, MessageId, String), bool>,
    last_seq: Option<u64>,
    stamp_ms: i64,
    stamp_sub: i64,
    last_timer: Option<i64>,
    deltas_since_snapshot: u32,
    force_snapshot: bool,
    key_counter_dirty: bool,
    pub(crate) last_status: BTreeMap<AccountId, super::view::StatusView>,
    conversation_lists_changed: BTreeSet<AccountId>,
    out: Vec<Effect>,
    now: i64,
}

impl Engine {
    /// A fresh, empty engine.
    pub fn new(config: EngineConfig) -> Engine {
        Engine {
            config,
            accounts: BTreeMap::new(),
            key_counter: 0,
            next_request: 1,
            pending: BTreeMap::new(),
            request_key: BTreeMap::new(),
            key_generation: 0,
            busy: BTreeSet::new(),
            retry_at: BTreeMap::new(),
            views: BTreeMap::new(),
            polls: BTreeMap::new(),
            head_due: BTreeSet::new(),
            paused: false,
            rate_wait: BTreeMap::new(),
            offline: BTreeSet::new(),
            pending_reacts: BTreeMap::new(),
            last_seq: None,
            stamp_ms: i64::MIN,
            stamp_sub: 0,
            last_timer: None,
            deltas_since_snapshot: 0,
            // Deltas only make sense after a snapshot: the first write is a whole one.
            force_snapshot: true,
            key_counter_dirty: false,
            last_status: BTreeMap::new(),
            conversation_lists_changed: BTreeSet::new(),
            out: Vec::new(),
            now: i64::MIN,
        }
    }

    /// An engine from what storage holds (a snapshot, then the deltas written after it).
    /// Sends that were in flight become ambiguous (polled for their echo, never resent blindly)
    /// and recalls that were out are verified. Unreadable storage gives an empty engine; the
    /// issues say why. Call `handle(Input::Tick, now)` next to start the follow-up requests.
    pub fn restore(
        config: EngineConfig,
        snapshot: Option<&[u8]>,
        deltas: &[Vec<u8>],
        now_ms: i64,
    ) -> (Engine, Vec<RestoreIssue>) {
        let loaded = persist::load(snapshot, deltas);
        let mut engine = Engine::new(config);
        engine.key_counter = loaded.key_counter;
        engine.accounts = loaded.accounts;
        for store in engine.accounts.values_mut() {
            for key in store.outbox.after_restart(now_ms) {
                store.dirty.outbox.insert(key);
            }
            for check in store.recalls.values_mut() {
                if check.requested {
                    check.requested = false;
                    check.since = now_ms.saturating_mul(STAMP_SCALE);
                    store.dirty.recalls.insert(check.message.clone());
                }
            }
        }
        (engine, loaded.issues)
    }

    /// The whole state as a snapshot (what `Persist::Snapshot` carries).
    pub fn snapshot(&self) -> Records {
        persist::snapshot_of(&self.accounts, self.key_counter)
    }

    /// The store of one account, if anything is known about it.
    pub fn store(&self, account: &AccountId) -> Option<&AccountStore> {
        self.accounts.get(account)
    }

    /// The configuration this engine runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Feed one input at time `now_ms`; returns the effects to carry out, in order.
    pub fn handle(&mut self, input: Input, now_ms: i64) -> Vec<Effect> {
        self.now = now_ms;
        match input {
            Input::Command(c) => self.command(c),
            Input::Answer { id, result } => self.answer(id, result),
            Input::ServerEvent(e) => self.server_event(e),
            Input::EventStreamOpened => {
                self.last_seq = None;
                self.resync();
            }
            Input::Remote(f) => self.remote(f),
            Input::Tick => {}
        }
        self.drive();
        self.finish()
    }

    // ----- commands -----

    fn command(&mut self, c: Command) {
        match c {
            Command::OpenConversation {
                view,
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                self.views.insert(view, (account.clone(), conv.clone()));
                let key = (account, conv);
                if !self.polls.contains_key(&key) {
                    self.polls.insert(key.clone(), self.now);
                    self.head_due.insert(key);
                }
            }
            Command::CloseView { view } => {
                if let Some(watched) = self.views.remove(&view) {
                    if !self.views.values().any(|w| *w == watched) {
                        self.polls.remove(&watched);
                        self.head_due.remove(&watched);
                    }
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
                if self.busy.contains(&busy) || !history.more_available() {
                    return;
                }
                let (kind, cursor) = if history.head_loaded && history.cursor.is_some() {
                    (PageKind::Older, history.cursor.clone())
                } else {
                    (PageKind::Head, None)
                };
                self.request_page(&account, &conv, kind, Purpose::User, None, cursor, busy);
            }
            Command::Refresh {
                account,
                conversation_urn,
            } => {
                let Some(conv) = self.conversation_arg(&account, &conversation_urn) else {
                    return;
                };
                let busy = Busy::History(account.clone(), conv.clone());
                if !self.busy.contains(&busy) {
                    self.request_page(
                        &account,
                        &conv,
                        PageKind::Head,
                        Purpose::User,
                        None,
                        None,
                        busy,
                    );
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
                if !self.busy.contains(&busy) {
                    let purpose = Purpose::Rescan {
                        chain_from: self.next_stamp(),
                    };
                    self.request_page(&account, &conv, PageKind::Head, purpose, None, None, busy);
                }
            }
            Command::RefreshConversations { account, cursor } => {
                self.request_conversations(&account, cursor);
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
            } => {
                self.cmd_react(account, &message_urn, emoji, add);
            }
            Command::Recall {
                account,
                message_urn,
            } => self.cmd_recall(account, &message_urn),
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
            Command::DiscardSend {
                account,
                client_key,
            } => {
                let store = self.store_mut(&account);
                let refusal = match store.outbox.get(&client_key).map(|e| &e.state) {
                    None => Some(Refusal::UnknownEntry),
                    Some(SendState::Queued | SendState::Failed { .. }) => None,
                    Some(s) => Some(Refusal::NotNow {
                        state: state_name(s).into(),
                    }),
                };
                match refusal {
                    Some(reason) => self.refuse(&account, reason),
                    None => self.remove_entry(&account, &client_key),
                }
            }
            Command::KeyUpdated => {
                self.key_generation += 1;
                self.paused = false;
                self.retry_at.clear();
            }
        }
    }

    /// Read a conversation URN from a command, refusing it when unreadable.
    fn conversation_arg(&mut self, account: &AccountId, urn: &str) -> Option<ConversationId> {
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
    fn cmd_send(
        &mut self,
        account: AccountId,
        to: Recipient,
        text: String,
        subject: Option<String>,
        channel: MessagingChannel,
        attachments: Vec<crate::model::Attachment>,
        client_key: Option<ClientKey>,
    ) {
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
        let (conversation, new_conversation) = match &to {
            Recipient::Conversation(urn) => match self.conversation_arg(&account, urn) {
                Some(c) => (Some(c), false),
                None => return,
            },
            Recipient::ProfileUrn(urn) => match ProfileId::parse(urn) {
                Ok(p) => match self.known_conversation_with(&account, &p) {
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
        let key = client_key.unwrap_or_else(|| {
            self.key_counter += 1;
            self.key_counter_dirty = true;
            ClientKey(format!("{:016x}-{}", self.config.seed, self.key_counter))
        });
        let now = self.now;
        let store = self.store_mut(&account);
        if store.outbox.get(&key).is_some() {
            return self.refuse(&account, Refusal::AlreadyPending);
        }
        let conversation_urn = conversation
            .as_ref()
            .and_then(|c| store.conversation(c))
            .map(|c| c.urn.clone());
        let seq = store.outbox.next_seq;
        store.outbox.next_seq += 1;
        let entry = OutboxEntry {
            key: key.clone(),
            seq,
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
        };
        store.outbox.entries.insert(key.clone(), entry);
        store.dirty.outbox.insert(key);
        if let Some(c) = conversation {
            store.dirty.touched.insert(c);
        }
    }

    fn cmd_retry(&mut self, account: AccountId, key: ClientKey) {
        let left = self.quota_left(&account);
        let store = self.store_mut(&account);
        let refusal = match store.outbox.get(&key) {
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
        if let Some(e) = store.outbox.get_mut(&key) {
            e.state = SendState::Queued;
            if let Some(c) = &e.conversation {
                store.dirty.touched.insert(c.clone());
            }
        }
        store.dirty.outbox.insert(key);
    }

    fn cmd_react(&mut self, account: AccountId, message_urn: &str, emoji: String, add: bool) {
        let Some((id, conv_urn, msg_urn)) = self.message_arg(&account, message_urn) else {
            return;
        };
        let pending_key = (account.clone(), id.clone(), emoji.clone());
        if self.pending_reacts.contains_key(&pending_key) {
            return self.refuse(&account, Refusal::AlreadyPending);
        }
        let store = self.store_mut(&account);
        if store.mine(&id, &emoji) == add {
            // Adding what is there, or removing what is not: nothing changes.
            return;
        }
        if let Some(m) = store.message(&id) {
            let conv = m.conversation.clone();
            store.dirty.touched.insert(conv);
        }
        self.pending_reacts.insert(pending_key, add);
        let call = ApiCall::React {
            conversation_urn: conv_urn,
            message_urn: msg_urn,
            account_id: account.as_param(),
            request: ReactRequest {
                emoji: emoji.clone(),
                react: add,
            },
        };
        self.request(
            &account,
            call,
            Pending::React {
                account: account.clone(),
                message: id,
                emoji,
                add,
            },
        );
    }

    fn cmd_recall(&mut self, account: AccountId, message_urn: &str) {
        let Some((id, conv_urn, msg_urn)) = self.message_arg(&account, message_urn) else {
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
        } else if store.recalls.contains_key(&id) {
            Some(Refusal::AlreadyPending)
        } else {
            None
        };
        if let Some(reason) = refusal {
            return self.refuse(&account, reason);
        }
        let conversation = m.conversation.clone();
        store.recalls.insert(
            id.clone(),
            RecallCheck {
                message: id.clone(),
                conversation: conversation.clone(),
                since: stamp,
                requested: true,
                ours: true,
            },
        );
        store.dirty.recalls.insert(id.clone());
        store.dirty.touched.insert(conversation);
        let call = ApiCall::Recall {
            conversation_urn: conv_urn,
            message_urn: msg_urn,
            account_id: account.as_param(),
        };
        self.request(
            &account,
            call,
            Pending::Recall {
                account: account.clone(),
                message: id,
            },
        );
    }

    /// Read a message URN from a command: its id and the URNs to address it, or a refusal.
    fn message_arg(
        &mut self,
        account: &AccountId,
        urn: &str,
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

    // ----- answers -----

    fn answer(&mut self, id: RequestId, result: Result<ApiReply, ApiError>) {
        let old_key = self.request_key.remove(&id) != Some(self.key_generation);
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        let account = match &pending {
            Pending::Page { account, .. }
            | Pending::Conversations { account, .. }
            | Pending::Send { account, .. }
            | Pending::React { account, .. }
            | Pending::Recall { account, .. } => account.clone(),
        };
        if let Err(e) = &result {
            self.note_error(&account, e, old_key);
        }
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
                        self.retry_at.remove(&busy);
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
                        self.retry_at.insert(busy, at);
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
                    .remove(&(account.clone(), message.clone(), emoji.clone()));
                let stamp = self.next_stamp();
                let store = self.store_mut(&account);
                if let Some(m) = store.message(&message) {
                    let conv = m.conversation.clone();
                    store.dirty.touched.insert(conv);
                }
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
                        let reason = unexpected(other).to_string();
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
        }
    }

    /// `old_key`: the request went out before the key was last updated, so a 401 says nothing
    /// about the new key.
    fn note_error(&mut self, account: &AccountId, e: &ApiError, old_key: bool) {
        match e {
            ApiError::Unauthorized { .. } => self.paused |= !old_key,
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
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_page(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        kind: PageKind,
        purpose: Purpose,
        (issued_at, stamp): (i64, i64),
        since: Option<i64>,
        page: MessagesPage,
    ) {
        let now = self.now;
        let urn = self
            .store_mut(account)
            .ensure_conversation(conv, "")
            .urn
            .clone();
        let store = self.store_mut(account);
        let outcome = store.merge_page(conv, &urn, &page.messages, stamp);
        let ids: Vec<(i64, MessageId)> = page
            .messages
            .iter()
            .filter_map(|m| {
                MessageId::parse(&m.message_urn)
                    .ok()
                    .map(|id| (m.sent_at, id))
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
        if outcome.unreadable > 0 {
            let what = "message URN".to_owned();
            let count = outcome.unreadable;
            self.notify(Notice::Skipped {
                account: account.clone(),
                what,
                count,
            });
        }
        if self.place_unplaced(account, conv, &page.participants) {
            self.scan_echoes(account, conv);
        }
        for id in &outcome.added {
            self.try_match(account, id);
        }
        let present: BTreeSet<MessageId> = ids.iter().map(|(_, id)| id.clone()).collect();
        let span = PageSpan {
            kind,
            since,
            issued_at,
            stamp,
            oldest: oldest.clone(),
            newest,
            has_more: page.has_more,
        };
        let uncovered = self.check_recalls(account, conv, &purpose, &span, &present);
        match purpose {
            Purpose::Poll => {
                let key = (account.clone(), conv.clone());
                if let Some(next) = self.polls.get_mut(&key) {
                    // A `since` page that says there is more: go on at once.
                    let more = kind == PageKind::Since && page.has_more && !ids.is_empty();
                    *next = if more {
                        now
                    } else {
                        now + self.config.poll_interval_ms
                    };
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

    fn on_page_error(
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
            Purpose::User | Purpose::Rescan { .. } => {}
            Purpose::Echo(key) => {
                let store = self.store_mut(account);
                if let Some(e) = store.outbox.get_mut(&key) {
                    e.check_at = Some(later);
                    store.dirty.outbox.insert(key);
                }
            }
            Purpose::Verify { .. } | Purpose::Fill => {
                self.retry_at.insert(busy, later);
            }
        }
    }

    /// Settle recall checks of `conv` that this page can decide. Returns true when some check
    /// remains undecided because the page does not reach back far enough.
    fn check_recalls(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        purpose: &Purpose,
        span: &PageSpan,
        present: &BTreeSet<MessageId>,
    ) -> bool {
        let store = self.store_mut(account);
        let checks: Vec<RecallCheck> = store
            .recalls
            .values()
            .filter(|c| &c.conversation == conv && !c.requested && span.stamp >= c.since)
            .cloned()
            .collect();
        let mut uncovered = false;
        let mut gone = Vec::new();
        let mut still = Vec::new();
        for c in checks {
            if present.contains(&c.message) {
                still.push(c);
                continue;
            }
            let sent_at = store.message(&c.message).map(|m| m.sent_at);
            let covered = match (span.kind, purpose) {
                (PageKind::Head, _) => span.covers_from_top(sent_at),
                (
                    PageKind::Older,
                    Purpose::Verify { chain_from } | Purpose::Rescan { chain_from },
                ) if *chain_from >= c.since => span.covers_from_top(sent_at),
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
                gone.push(c.message);
            } else {
                uncovered = true;
            }
        }
        let mut failed = Vec::new();
        for c in still {
            store.recalls.remove(&c.message);
            store.dirty.recalls.insert(c.message.clone());
            store.dirty.touched.insert(c.conversation.clone());
            if c.ours {
                failed.push(c.message);
            }
        }
        for message in failed {
            let reason = "the message is still there; the recall did not happen".to_owned();
            self.notify(Notice::RecallFailed {
                account: account.clone(),
                message,
                reason,
            });
        }
        if !gone.is_empty() {
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
        uncovered
    }

    fn on_conversations(&mut self, account: &AccountId, issued_at: i64, page: ConversationsPage) {
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
        if unreadable > 0 {
            let what = "conversation URN".to_owned();
            self.notify(Notice::Skipped {
                account: account.clone(),
                what,
                count: unreadable,
            });
        }
        // Sends to a person whose conversation was not known: find it, or prove the send absent.
        let now = self.now;
        let settle = self.config.echo_settle_ms;
        let skew = self.config.echo_skew_ms;
        let interval = self.config.poll_interval_ms;
        let store = self.store_mut(account);
        let waiting: Vec<ClientKey> = store
            .outbox
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
            let Some(e) = store.outbox.get(&key) else {
                continue;
            };
            let Recipient::ProfileUrn(urn) = &e.recipient else {
                continue;
            };
            let Ok(profile) = ProfileId::parse(urn) else {
                continue;
            };
            let started = match e.state {
                SendState::Ambiguous { started_at, .. } | SendState::Sent { started_at, .. } => {
                    started_at
                }
                _ => continue,
            };
            let found = page.conversations.iter().find(|c| {
                c.last_activity_at
                    .is_none_or(|t| t >= started.saturating_sub(skew))
                    && c.participants
                        .iter()
                        .any(|p| ProfileId::parse(&p.profile_id).ok().as_ref() == Some(&profile))
            });
            let e = store.outbox.get_mut(&key).expect("listed above");
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
                    if issued_at >= failed_at + settle =>
                {
                    failed.push(key.clone());
                }
                (None, _) => e.check_at = Some(now + interval),
            }
            store.dirty.outbox.insert(key);
        }
        for key in failed {
            self.fail_proved_absent(account, &key);
        }
    }

    fn on_send_ok(&mut self, account: &AccountId, key: &ClientKey, resp: SendResponse) {
        let now = self.now;
        let store = self.store_mut(account);
        let Some(entry) = store.outbox.get(key).cloned() else {
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
        let sent = resp.sent_message.unwrap_or_default();
        let answered_id = sent
            .message_urn
            .as_deref()
            .and_then(|u| MessageId::parse(u).ok());
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
        if let Some(e) = store.outbox.get_mut(key) {
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
                    message_urn: sent.message_urn.unwrap_or_default(),
                    text: sent.text.unwrap_or(entry.text.clone()),
                    sent_at: sent.sent_at.unwrap_or(now),
                    sender_profile_id: sent.sender_profile_id,
                    sender_name: sent.sender_name,
                    is_sent_by_owner: true,
                    attachments: entry.attachments.clone(),
                    subject: entry.subject.clone(),
                    stamp: i64::MIN,
                    tally: None,
                    client_key: Some(key.clone()),
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
                if let Some(e) = store.outbox.get_mut(key) {
                    e.state = SendState::Sent {
                        message: None,
                        answer_pending: false,
                        started_at,
                    };
                    e.check_at = Some(now);
                }
                store.dirty.outbox.insert(key.clone());
                self.count_quota(account, key);
            }
        }
    }

    fn on_send_error(&mut self, account: &AccountId, key: &ClientKey, e: ApiError) {
        let now = self.now;
        let store = self.store_mut(account);
        let Some(entry) = store.outbox.get_mut(key) else {
            return;
        };
        if let Some(c) = &entry.conversation {
            store.dirty.touched.insert(c.clone());
        }
        store.dirty.outbox.insert(key.clone());
        let started_at = match entry.state {
            SendState::InFlight { started_at } => started_at,
            SendState::Sent {
                message: Some(_), ..
            } => {
                // The echo came first: it was sent whatever this answer says.
                self.count_quota(account, key);
                return self.finish_entry(account, key);
            }
            _ => return,
        };
        match &e {
            // Definitely not sent: safe to send again, after the wait or the new key.
            ApiError::Unauthorized { .. } | ApiError::RateLimited { .. } => {
                entry.state = SendState::Queued;
            }
            ApiError::BadRequest { .. } | ApiError::NotFound { .. } => {
                let reason = SendFailure {
                    code: e.code().into(),
                    message: e.to_string(),
                };
                entry.state = SendState::Failed {
                    reason: reason.clone(),
                    retryable: false,
                };
                let notice = Notice::SendFailed {
                    account: account.clone(),
                    client_key: key.clone(),
                    reason,
                };
                self.notify(notice);
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

    fn on_recall_answer(
        &mut self,
        account: &AccountId,
        message: &MessageId,
        result: Result<ApiReply, ApiError>,
    ) {
        let stamp = self.next_stamp();
        let store = self.store_mut(account);
        if let Some(c) = store.recalls.get(message) {
            store.dirty.touched.insert(c.conversation.clone());
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
                if let Some(c) = store.recalls.get_mut(message) {
                    c.requested = false;
                    c.since = stamp;
                    store.dirty.recalls.insert(message.clone());
                }
            }
            other => {
                let reason = unexpected(other).to_string();
                if store.recalls.remove(message).is_some() {
                    store.dirty.recalls.insert(message.clone());
                }
                let notice = Notice::RecallFailed {
                    account: account.clone(),
                    message: message.clone(),
                    reason,
                };
                self.notify(notice);
            }
        }
    }

    // ----- echoes -----

    /// A page of a one-to-one conversation names the other participant: sends to that person
    /// whose conversation was not known land here. Returns true when one was placed.
    fn place_unplaced(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        participants: &[Participant],
    ) -> bool {
        let store = self.store_mut(account);
        let own = store.own_profile.clone();
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
            if e.conversation.is_none()
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
    fn scan_echoes(&mut self, account: &AccountId, conv: &ConversationId) {
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
    fn try_match(&mut self, account: &AccountId, id: &MessageId) {
        let skew = self.config.echo_skew_ms;
        let store = self.store_mut(account);
        let Some(m) = store.message(id) else { return };
        if let Some(key) = store.outbox.match_echo(m, skew) {
            self.bind_echo(account, &key, id);
        }
    }

    fn bind_echo(&mut self, account: &AccountId, key: &ClientKey, id: &MessageId) {
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
    fn echo_verdict(&mut self, account: &AccountId, key: &ClientKey, span: &PageSpan) {
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
                return self.request_page(
                    account,
                    &conv,
                    PageKind::Since,
                    purpose,
                    Some(newest),
                    None,
                    busy,
                );
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

    fn fail_proved_absent(&mut self, account: &AccountId, key: &ClientKey) {
        let store = self.store_mut(account);
        let Some(e) = store.outbox.get_mut(key) else {
            return;
        };
        let SendState::Ambiguous { error, .. } = &e.state else {
            return;
        };
        let reason = SendFailure {
            code: "proved_absent".into(),
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
        self.notify(Notice::SendFailed {
            account: account.clone(),
            client_key: key.clone(),
            reason,
        });
    }

    /// Count a confirmed new conversation toward today's quota (once per client key).
    fn count_quota(&mut self, account: &AccountId, key: &ClientKey) {
        let day = utc_day(self.now);
        let store = self.store_mut(account);
        let new = store.outbox.get(key).is_some_and(|e| e.new_conversation);
        if new && store.quota.record(day, key) {
            store.dirty.scalars = true;
            let quota = store.quota.clone();
            self.broadcast(RemoteFact::Quota {
                account: account.clone(),
                quota,
            });
        }
    }

    /// The entry is done (its message is held with its client key): leave the outbox.
    fn finish_entry(&mut self, account: &AccountId, key: &ClientKey) {
        self.remove_entry(account, key);
    }

    fn remove_entry(&mut self, account: &AccountId, key: &ClientKey) {
        let store = self.store_mut(account);
        if let Some(e) = store.outbox.entries.remove(key) {
            if let Some(c) = e.conversation {
                store.dirty.touched.insert(c);
            }
            store.dirty.outbox.insert(key.clone());
        }
    }

    // ----- server events and sibling tabs -----

    fn server_event(&mut self, e: ServerEvent) {
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
                    if !store.recalls.contains_key(&id) {
                        let check = RecallCheck {
                            message: id.clone(),
                            conversation: m.conversation.clone(),
                            since: now,
                            requested: false,
                            ours: false,
                        };
                        store.recalls.insert(id.clone(), check);
                        store.dirty.recalls.insert(id);
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
                if !store.tallies_seen {
                    store.tallies_seen = true;
                    store.dirty.scalars = true;
                }
                if let (Some(id), Some(actor), Some(emoji)) =
                    (id, e.actor.as_deref(), e.emoji.clone())
                {
                    let actor = store.actor_for(actor);
                    // Our own reactions are known from our answers; theirs count until a tally comes.
                    if actor != Actor::Me && store.message(&id).is_some() {
                        let fact = ReactionFact {
                            present: e.react.unwrap_or(true),
                            stamp: e.at.saturating_mul(STAMP_SCALE),
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
    fn poll_now(&mut self, key: (AccountId, ConversationId), head: bool) {
        if let Some(next) = self.polls.get_mut(&key) {
            *next = self.now;
        }
        if head {
            self.head_due.insert(key);
        }
    }

    fn hint_conversations(&mut self, account: &AccountId) {
        if !self.busy.contains(&Busy::Conversations(account.clone())) {
            self.request_conversations(account, None);
        }
    }

    /// Events were missed: fetch the newest page of every conversation in view.
    fn resync(&mut self) {
        let keys: Vec<_> = self.polls.keys().cloned().collect();
        for k in keys {
            self.poll_now(k, true);
        }
    }

    fn remote(&mut self, f: RemoteFact) {
        match f {
            RemoteFact::Messages {
                account,
                conversation_urn,
                messages,
            } => {
                let store = self.store_mut(&account);
                for m in messages {
                    store.ensure_conversation(&m.conversation, &conversation_urn);
                    store.merge_message(m);
                }
            }
            RemoteFact::Tombstones {
                account,
                ids,
                messages,
            } => {
                // A send of ours whose echo we never saw may be the recalled message.
                let skew = self.config.echo_skew_ms;
                for m in messages.iter().filter(|m| ids.contains(&m.id)) {
                    let key = self.store_mut(&account).outbox.match_recalled(m, skew);
                    if let Some(key) = key {
                        self.count_quota(&account, &key);
                        self.remove_entry(&account, &key);
                    }
                }
                let store = self.store_mut(&account);
                for id in &ids {
                    store.tombstone(id);
                }
            }
            RemoteFact::Reaction { account, key, fact } => {
                self.store_mut(&account).merge_reaction(key, fact);
            }
            RemoteFact::Quota { account, quota } => {
                let store = self.store_mut(&account);
                if store.quota.merge(&quota) {
                    store.dirty.scalars = true;
                }
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

    // ----- driving background work -----

    /// Start whatever is due: sends, echo checks, recall verifications, polls.
    fn drive(&mut self) {
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
            self.rate_wait.remove(&account);
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
                _ => self.request_page(
                    &account,
                    &conv,
                    PageKind::Head,
                    Purpose::Poll,
                    None,
                    None,
                    busy,
                ),
            }
            if let Some(next) = self.polls.get_mut(&key) {
                *next = now + self.config.poll_interval_ms;
            }
        }
    }

    fn dispatch_sends(&mut self, account: &AccountId) {
        let now = self.now;
        let ready = self.store_mut(account).outbox.ready();
        for key in ready {
            let store = self.store_mut(account);
            let Some(e) = store.outbox.get_mut(&key) else {
                continue;
            };
            e.state = SendState::InFlight { started_at: now };
            e.attempt_at = Some(now);
            if let Some(c) = &e.conversation {
                store.dirty.touched.insert(c.clone());
            }
            let e = e.clone();
            store.dirty.outbox.insert(key.clone());
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

    fn dispatch_echo_checks(&mut self, account: &AccountId) {
        let now = self.now;
        let skew = self.config.echo_skew_ms;
        let store = self.store_mut(account);
        let due: Vec<OutboxEntry> = store
            .outbox
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
                    if let Some(entry) = store.outbox.get_mut(&e.key) {
                        entry.check_at = Some(later);
                        store.dirty.outbox.insert(e.key.clone());
                    }
                    continue;
                }
                (None, _) => {
                    // A send by vanity slug: no way to find its echo or prove it absent.
                    let store = self.store_mut(account);
                    let Some(entry) = store.outbox.get_mut(&e.key) else {
                        continue;
                    };
                    entry.check_at = None;
                    store.dirty.outbox.insert(e.key.clone());
                    if let SendState::Ambiguous { error, .. } = &entry.state {
                        let reason = SendFailure {
                            code: "unverifiable".into(),
                            message: format!(
                                "may or may not have been sent ({error}); check LinkedIn"
                            ),
                        };
                        entry.state = SendState::Failed {
                            reason: reason.clone(),
                            retryable: false,
                        };
                        let notice = Notice::SendFailed {
                            account: account.clone(),
                            client_key: e.key.clone(),
                            reason,
                        };
                        self.notify(notice);
                    }
                    continue;
                }
            }
            let store = self.store_mut(account);
            if let Some(entry) = store.outbox.get_mut(&e.key) {
                entry.check_at = None;
                store.dirty.outbox.insert(e.key.clone());
            }
        }
    }

    /// Catch up conversations whose newest page left a gap above the watermark.
    fn dispatch_fills(&mut self, account: &AccountId) {
        let now = self.now;
        let store = self.store_mut(account);
        let gaps: Vec<(ConversationId, Option<i64>)> = store
            .conversations
            .values()
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

    fn dispatch_verifications(&mut self, account: &AccountId) {
        let now = self.now;
        let store = self.store_mut(account);
        let convs: BTreeSet<ConversationId> = store
            .recalls
            .values()
            .filter(|c| !c.requested)
            .map(|c| c.conversation.clone())
            .collect();
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

    // ----- requests and output -----

    #[allow(clippy::too_many_arguments)]
    fn request_page(
        &mut self,
        account: &AccountId,
        conv: &ConversationId,
        kind: PageKind,
        purpose: Purpose,
        since: Option<i64>,
        cursor: Option<String>,
        busy: Busy,
    ) {
        let urn = self
            .store_mut(account)
            .ensure_conversation(conv, "")
            .urn
            .clone();
        let query = MessagesQuery {
            account_id: account.as_param(),
            count: Some(self.config.page_size),
            cursor,
            since,
            sync: None,
        };
        self.busy.insert(busy);
        let pending = Pending::Page {
            account: account.clone(),
            conversation: conv.clone(),
            kind,
            purpose,
            issued_at: self.now,
            stamp: self.next_stamp(),
            since,
        };
        self.request(
            account,
            ApiCall::Messages {
                conversation_urn: urn,
                query,
            },
            pending,
        );
    }

    fn request_conversations(&mut self, account: &AccountId, cursor: Option<String>) {
        let busy = Busy::Conversations(account.clone());
        if self.busy.contains(&busy) {
            return;
        }
        self.busy.insert(busy);
        let query = ListConversationsQuery {
            account_id: account.as_param(),
            next_cursor: cursor,
            ..ListConversationsQuery::default()
        };
        let pending = Pending::Conversations {
            account: account.clone(),
            issued_at: self.now,
        };
        self.request(account, ApiCall::Conversations { query }, pending);
    }

    fn request(&mut self, account: &AccountId, call: ApiCall, pending: Pending) {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        self.pending.insert(id, pending);
        self.request_key.insert(id, self.key_generation);
        let op = call.op();
        self.out.push(Effect::Request(Request {
            id,
            op,
            account: account.clone(),
            call,
        }));
    }

    fn broadcast(&mut self, fact: RemoteFact) {
        self.out.push(Effect::Broadcast(fact));
    }

    fn notify(&mut self, notice: Notice) {
        self.out.push(Effect::Notify(notice));
    }

    fn refuse(&mut self, account: &AccountId, reason: Refusal) {
        self.notify(Notice::Refused {
            account: account.clone(),
            reason,
        });
    }

    pub(crate) fn store_mut(&mut self, account: &AccountId) -> &mut AccountStore {
        self.accounts.entry(account.clone()).or_default()
    }

    /// A known conversation whose only other participant is `profile`.
    fn known_conversation_with(
        &self,
        account: &AccountId,
        profile: &ProfileId,
    ) -> Option<ConversationId> {
        let store = self.accounts.get(account)?;
        store.conversations.values().find_map(|c| {
            let parts = &c.meta.as_ref()?.participants;
            let own = store.own_profile.as_deref();
            let others: Vec<_> = parts
                .iter()
                .filter(|p| Some(p.profile_id.as_str()) != own)
                .collect();
            let only = others.len() == 1
                && ProfileId::parse(&others[0].profile_id).ok().as_ref() == Some(profile);
            only.then(|| c.id.clone())
        })
    }

    /// New conversations this account may still open today (confirmed and pending both count).
    pub fn quota_left(&self, account: &AccountId) -> u32 {
        let Some(store) = self.accounts.get(account) else {
            return self.config.daily_quota;
        };
        let used = store.quota.used(self.now);
        let reserved = store
            .outbox
            .entries
            .values()
            .filter(|e| e.reserves_quota() && !store.quota.counts(self.now, &e.key))
            .count();
        let reserved = u32::try_from(reserved).unwrap_or(u32::MAX);
        self.config
            .daily_quota
            .saturating_sub(used.saturating_add(reserved))
    }

    /// Whether a request of this account is out (for the sync status).
    pub(crate) fn reading(&self, account: &AccountId) -> bool {
        self.pending.values().any(|p| match p {
            Pending::Page { account: a, .. } | Pending::Conversations { account: a, .. } => {
                a == account
            }
            _ => false,
        })
    }

    /// Whether the user asked for older history of this conversation and it is on its way.
    pub(crate) fn loading_older(&self, account: &AccountId, conv: &ConversationId) -> bool {
        self.busy
            .contains(&Busy::History(account.clone(), conv.clone()))
    }

    /// A stamp that orders this engine's observations even within one millisecond: the time
    /// scaled by `STAMP_SCALE` plus a counter. Tallies, page bodies and our own reaction facts
    /// compare by it, so a page asked for after a reaction's answer wins even in the same ms.
    fn next_stamp(&mut self) -> i64 {
        if self.now != self.stamp_ms {
            self.stamp_ms = self.now;
            self.stamp_sub = 0;
        } else {
            self.stamp_sub = (self.stamp_sub + 1).min(STAMP_SCALE - 1);
        }
        self.now
            .saturating_mul(STAMP_SCALE)
            .saturating_add(self.stamp_sub)
    }

    /// The time engine last saw.
    pub(crate) fn now(&self) -> i64 {
        self.now
    }

    /// Gather this step's effects: persist first, then requests, broadcasts and notices in the
    /// order they arose, then what changed for the UI, then the timer.
    fn finish(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut records = Vec::new();
        let mut touched = Vec::new();
        for (account, store) in self.accounts.iter_mut() {
            for c in std::mem::take(&mut store.dirty.touched) {
                touched.push((account.clone(), c));
            }
            if let Some(r) = persist::drain_delta(account, store) {
                records.push(r);
            }
        }
        if !records.is_empty() || self.key_counter_dirty || self.force_snapshot {
            self.key_counter_dirty = false;
            self.deltas_since_snapshot += 1;
            if self.force_snapshot || self.deltas_since_snapshot >= self.config.snapshot_every {
                self.force_snapshot = false;
                self.deltas_since_snapshot = 0;
                effects.push(Effect::Persist(Persist::Snapshot(self.snapshot())));
            } else {
                let delta = Records {
                    version: STORE_VERSION,
                    key_counter: self.key_counter,
                    accounts: records,
                };
                effects.push(Effect::Persist(Persist::Delta(delta)));
            }
        }
        effects.append(&mut self.out);
        for (account, conversation) in touched {
            effects.push(Effect::Notify(Notice::ConversationChanged {
                account,
                conversation,
            }));
        }
        for account in std::mem::take(&mut self.conversation_lists_changed) {
            effects.push(Effect::Notify(Notice::ConversationsChanged { account }));
        }
        let accounts: Vec<AccountId> = self.accounts.keys().cloned().collect();
        for account in accounts {
            let status = self.status(&account);
            if self.last_status.get(&account) != Some(&status) {
                self.last_status.insert(account.clone(), status);
                effects.push(Effect::Notify(Notice::StatusChanged { account }));
            }
        }
        if let Some(at) = self.next_deadline() {
            if self.last_timer != Some(at) {
                self.last_timer = Some(at);
                effects.push(Effect::SetTimer { at_ms: at });
            }
        }
        effects
    }

    /// The earliest future time at which something becomes due.
    pub fn next_deadline(&self) -> Option<i64> {
        let now = self.now;
        let mut times: Vec<i64> = Vec::new();
        for (k, at) in &self.polls {
            if !self.busy.contains(&Busy::Poll(k.0.clone(), k.1.clone())) {
                times.push(*at);
            }
        }
        for store in self.accounts.values() {
            times.extend(store.outbox.entries.values().filter_map(|e| e.check_at));
        }
        times.extend(self.rate_wait.values().copied());
        // The quota resets at midnight UTC: wake up then so the status is told.
        if self.accounts.values().any(|s| s.quota.used(now) > 0) {
            times.push(next_reset(now));
        }
        times.extend(self.retry_at.values().copied());
        // Whatever is already due was started by `drive`, or waits on something that is not
        // time (a 401, an answer): only future times wake the engine.
        times.into_iter().filter(|t| *t > now).min()
    }
}

/// What a page covers, for deciding recalls and echoes.
#[derive(Debug, Clone)]
struct PageSpan {
    kind: PageKind,
    since: Option<i64>,
    issued_at: i64,
    stamp: i64,
    oldest: Option<(i64, MessageId)>,
    newest: Option<(i64, MessageId)>,
    has_more: bool,
}

impl PageSpan {
    /// A page of the newest messages (or the next older one in a chain) covers a message at
    /// `sent_at` when it reaches back to it, or when there is nothing older.
    fn covers_from_top(&self, sent_at: Option<i64>) -> bool {
        !self.has_more || matches!((sent_at, &self.oldest), (Some(at), Some(o)) if at >= o.0)
    }
}

fn page_busy(
    account: &AccountId,
    conv: &ConversationId,
    kind: PageKind,
    purpose: &Purpose,
) -> Busy {
    match purpose {
        Purpose::Poll => Busy::Poll(account.clone(), conv.clone()),
        Purpose::User | Purpose::Rescan { .. } => Busy::History(account.clone(), conv.clone()),
        Purpose::Echo(key) => Busy::Echo(account.clone(), key.clone()),
        Purpose::Verify { .. } => {
            let _ = kind;
            Busy::Verify(account.clone(), conv.clone())
        }
        Purpose::Fill => Busy::Fill(account.clone(), conv.clone()),
    }
}

/// An error for an answer that is not the success this request expects.
fn unexpected(result: Result<ApiReply, ApiError>) -> ApiError {
    match result {
        Err(e) => e,
        Ok(_) => ApiError::Malformed {
            status: 200,
            message: "answer of another kind".into(),
        },
    }
}

fn state_name(s: &SendState) -> &'static str {
    match s {
        SendState::Queued => "queued",
        SendState::InFlight { .. } => "in flight",
        SendState::Ambiguous { .. } => "being confirmed",
        SendState::Failed { .. } => "failed",
        SendState::Sent { .. } => "sent",
    }
}
