//! The engine: one state machine per workspace that turns inputs into effects. It owns the
//! per-account stores and the transient bookkeeping (requests out, who views what, pause and
//! rate-limit waits) and applies the reconciliation rules; it never does I/O or reads a clock.
//!
//! One `impl Engine` split by idea: `commands` (what the user asks), `answers` (what the API
//! says back), `echoes` (binding sends to their messages, proving absence), `events` (server
//! events, sibling tabs), `schedule` (what to start now), `views` (what the UI reads); requests and output stay here.

use crate::api::ApiError;
use crate::model::{
    AttachmentRef, ConversationsPage, ListConversationsQuery, MessagesPage, MessagesQuery,
    MessagingChannel, Participant, ReactRequest, SendRequest, SendResponse, ServerEvent,
    ServerEventKind, MAX_MESSAGE_CHARS,
};
use crate::urn::{ConversationId, MessageId, ProfileId};

use super::effect::{ApiCall, Effect, Notice, Outcome, Persist, RemoteFact, Request};
use super::input::{ApiReply, Command, Input};
use super::keys::{AccountId, ClientKey, CommandId, RequestId, ViewId};
use super::outbox::{Failure, FailureCode, OutboxEntry, Recipient, SendFailure, SendState};
use super::persist::{self, Records, RestoreIssue, STORE_VERSION};
use super::quota::{next_reset, utc_day};
use super::reaction::{Actor, ReactionFact, ReactionKey};
use super::refusal::Refusal;
use super::small_map::{IdSet, SmallMap, SmallSet};
use super::store::{AccountStore, PageKind, RecallCheck, StoredMessage};
use super::time::{Millis, Stamp, STAMP_SCALE};

mod answers;
mod commands;
mod completions;
mod echoes;
mod events;
mod memo;
mod residency;
mod schedule;
pub use memo::{ItemSource, PlanMemo, Planned, ViewMemo};
mod views;

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
    /// Write a full snapshot instead of a delta after this many deltas (`u32::MAX` with the
    /// per-record layout: there a delta is as cheap to read back as a snapshot).
    pub snapshot_every: u32,
    /// After a failed write, how long until the whole state is written again when nothing
    /// else writes first (so a storage that recovers is seen to, and one that keeps failing is
    /// not written in a loop).
    pub storage_retry_ms: i64,
    /// With lazy loading (per-record storage), how many conversations no view shows keep
    /// their messages in memory (the most recently shown; more while work waits on them).
    pub resident_closed: usize,
    /// With a conversation window (`Engine::restore_window`), how many conversation records
    /// a page of the list reads (`Command::LoadMoreConversations`).
    pub conversation_window: u32,
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
            storage_retry_ms: 30_000,
            resident_closed: 8,
            conversation_window: 50,
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
    Verify { chain_from: Stamp },
    /// Catching up from the polling watermark after a newest page left a gap.
    Fill,
    /// Walking the whole history (`Command::Rescan`).
    Rescan { chain_from: Stamp },
}

/// A request that is out, and what to do with its answer.
#[derive(Debug, Clone)]
enum Pending {
    Page {
        account: AccountId,
        conversation: ConversationId,
        kind: PageKind,
        purpose: Purpose,
        issued_at: Millis,
        /// Orders what this page says against other pages and facts (see `next_stamp`).
        stamp: Stamp,
        since: Option<Millis>,
    },
    Conversations {
        account: AccountId,
        issued_at: Millis,
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
    Premium {
        account: AccountId,
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
    pub(crate) accounts: SmallMap<AccountId, AccountStore>,
    key_counter: u64,
    next_request: u64,
    pending: SmallMap<RequestId, Pending>,
    /// Which API key each request went out with (bumped by `KeyUpdated`).
    request_key: SmallMap<RequestId, u64>,
    key_generation: u64,
    busy: SmallSet<Busy>,
    retry_at: SmallMap<Busy, Millis>,
    pub(crate) views: SmallMap<ViewId, (AccountId, ConversationId)>,
    /// Conversations in view: when each is polled next.
    pub(crate) polls: SmallMap<(AccountId, ConversationId), Millis>,
    head_due: SmallSet<(AccountId, ConversationId)>,
    /// A walk from the newest page down (`Rescan`, or the head page of a `Refresh`) that is
    /// under way: one recall check per message held when it began, settled by its pages like
    /// any other check. Transient: a walk's answers never reach a restarted engine.
    walks: SmallMap<(AccountId, ConversationId), Vec<RecallCheck>>,
    pub(crate) paused: bool,
    /// Paused because the subscription was refused (403), not the key.
    pub(crate) paused_forbidden: bool,
    /// When each of the requests of the last minute went out: the per-key budget.
    /// Oldest first (a `Vec`: issue 15, a `VecDeque` of its own element type was code of its
    /// own for a list of at most a minute's requests).
    recent_requests: Vec<Millis>,
    pub(crate) rate_wait: SmallMap<AccountId, Millis>,
    pub(crate) offline: SmallSet<AccountId>,
    /// Accounts whose API answers with server errors, and since when (cleared by a good answer).
    pub(crate) server_trouble: SmallMap<AccountId, Millis>,
    pub(crate) pending_reacts: SmallMap<(AccountId, MessageId, String), bool>,
    /// Whether each account has Sales Navigator, once its premium status was read (memory only).
    pub(crate) sales_navigator: SmallMap<AccountId, bool>,
    /// Accounts whose premium status is asked (or was, under the current key).
    premium_asked: SmallSet<AccountId>,
    /// Accounts whose premium status is to be asked at the next chance.
    premium_due: SmallSet<AccountId>,
    /// The last recall or reaction change of each message that did not happen (memory only).
    pub(crate) last_failures: SmallMap<(AccountId, MessageId), super::view::LastFailure>,
    last_seq: Option<u64>,
    /// The last stamp given (`next_stamp`): the next is past it.
    last_stamp: Stamp,
    last_timer: Option<Millis>,
    /// Which engine this is in the process, and how many inputs, commands and client keys it
    /// took (`handle`, `command`, `new_client_key`: its only `&mut self` entry points): a view
    /// kept at one revision of one engine is still true at the same revision (`memo`).
    pub(crate) instance: u64,
    pub(crate) revision: u64,
    /// The time of the step before (for noticing recall windows that closed in between).
    last_now: Millis,
    deltas_since_snapshot: u32,
    force_snapshot: bool,
    /// A write failed: storage misses some records, so the next write is a whole snapshot
    /// (not forced at once, so a storage that keeps failing is not written in a loop).
    storage_behind: bool,
    /// Whether writes fail, as the status shows it (`PersistFailed` .. `PersistRecovered`).
    pub(crate) storage_health: super::view::StorageHealth,
    /// When storage is behind, when the whole state is written again if nothing writes first.
    pub(crate) storage_retry_at: Option<Millis>,
    key_counter_dirty: bool,
    pub(crate) last_status: SmallMap<AccountId, super::view::StatusView>,
    conversation_lists_changed: SmallSet<AccountId>,
    /// The number of the last command fed (`CommandId`), and the one being handled now.
    last_command: u64,
    current: Option<completions::Current>,
    /// Commands waiting on a request's answer (pages, conversation lists, reactions).
    request_waiters: SmallMap<RequestId, Vec<(AccountId, CommandId)>>,
    /// Sends and retries waiting for their entry's fate.
    send_waiters: SmallMap<(AccountId, ClientKey), Vec<CommandId>>,
    /// Recalls waiting for the message to be recalled or found still there.
    recall_waiters: SmallMap<(AccountId, MessageId), Vec<CommandId>>,
    out: Vec<Effect>,
    now: Millis,
    /// Restored from per-record storage: never a `Persist::Snapshot` (its clearing would
    /// erase what is not in memory); a failed write's records are marked again instead.
    record_layout: bool,
    /// Conversations asked to be read (`Effect::Load`) and not answered yet.
    loading: SmallSet<(AccountId, ConversationId)>,
    /// Conversation record reads asked (`Effect::LoadList`: `None`; `Effect::LoadWith`: the
    /// profile) and not answered yet.
    listing: SmallSet<(AccountId, Option<String>)>,
    /// `LocateMessages` commands waiting for their read (`Effect::Locate`): the account, every
    /// message asked, and those storage was asked about.
    locating: SmallMap<CommandId, (AccountId, Vec<MessageId>, Vec<MessageId>)>,
    /// Accounts whose list page, asked by a `LoadMoreConversations`, could not be read: that
    /// command (the next of the account's to run) fails with it.
    list_failures: SmallMap<AccountId, String>,
    /// Inputs waiting for reads, in the order they came (see `residency`).
    queued: std::collections::VecDeque<residency::Queued>,
    /// Conversations in memory that no view shows, most recently shown last (a `Vec`: a
    /// `VecDeque`'s `retain` and `remove` were about 1 KB of code of their own, issue 15).
    closed_order: Vec<(AccountId, ConversationId)>,
    /// Records a conversation's read could not use (each named).
    load_issues: Vec<RestoreIssue>,
    /// Restored by `restore_lazy`: accounts hold only the conversations read (a new account
    /// too, so closed conversations leave memory in a store that began empty).
    lazy: bool,
    /// Restored by `restore_window`: accounts hold a window of their conversation records
    /// (a new account too: storage may hold records of it that another tab wrote).
    windowed: bool,
}

impl Engine {
    /// A fresh, empty engine.
    pub fn new(config: EngineConfig) -> Engine {
        static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Engine {
            instance: INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            revision: 0,
            config,
            accounts: SmallMap::new(),
            key_counter: 0,
            next_request: 1,
            pending: SmallMap::new(),
            request_key: SmallMap::new(),
            key_generation: 0,
            busy: SmallSet::new(),
            retry_at: SmallMap::new(),
            views: SmallMap::new(),
            polls: SmallMap::new(),
            head_due: SmallSet::new(),
            walks: SmallMap::new(),
            paused: false,
            paused_forbidden: false,
            recent_requests: Vec::new(),
            rate_wait: SmallMap::new(),
            offline: SmallSet::new(),
            server_trouble: SmallMap::new(),
            pending_reacts: SmallMap::new(),
            sales_navigator: SmallMap::new(),
            premium_asked: SmallSet::new(),
            premium_due: SmallSet::new(),
            last_failures: SmallMap::new(),
            last_seq: None,
            last_stamp: Stamp::MIN,
            last_timer: None,
            last_now: Millis::MIN,
            deltas_since_snapshot: 0,
            // Deltas only make sense after a snapshot: the first write is a whole one.
            force_snapshot: true,
            storage_behind: false,
            storage_health: super::view::StorageHealth::Ok,
            storage_retry_at: None,
            key_counter_dirty: false,
            last_status: SmallMap::new(),
            conversation_lists_changed: SmallSet::new(),
            last_command: 0,
            current: None,
            request_waiters: SmallMap::new(),
            send_waiters: SmallMap::new(),
            recall_waiters: SmallMap::new(),
            out: Vec::new(),
            now: Millis::MIN,
            record_layout: false,
            loading: SmallSet::new(),
            listing: SmallSet::new(),
            locating: SmallMap::new(),
            list_failures: SmallMap::new(),
            queued: std::collections::VecDeque::new(),
            closed_order: Vec::new(),
            load_issues: Vec::new(),
            lazy: false,
            windowed: false,
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
        Engine::from_loaded(config, loaded, now_ms)
    }

    /// [`Engine::restore`] from records already read whole (`RecordLog::load`): the same
    /// restart rules, no JSON round trip. `issues` (what the storage could not read) come back
    /// first in the returned list.
    pub fn restore_records(
        config: EngineConfig,
        records: Records,
        issues: Vec<RestoreIssue>,
        now_ms: i64,
    ) -> (Engine, Vec<RestoreIssue>) {
        let mut loaded = persist::load_records(records);
        loaded.issues = issues;
        let (mut engine, issues) = Engine::from_loaded(config, loaded, now_ms);
        // The tables already hold this state: the first write is a delta of what the restart
        // changed (the store marks it), never a rewrite of every record on each start.
        engine.force_snapshot = false;
        engine.record_layout = true;
        (engine, issues)
    }

    /// [`Engine::restore_records`] from records read without the messages table
    /// (`RecordLog::load_resident`): each conversation's messages are read when an input
    /// needs them (`Effect::Load`, answered with `Input::Loaded`), and may leave memory when
    /// no view shows them (see `EngineConfig::resident_closed`).
    pub fn restore_lazy(
        config: EngineConfig,
        records: Records,
        issues: Vec<RestoreIssue>,
        now_ms: i64,
    ) -> (Engine, Vec<RestoreIssue>) {
        let (mut engine, issues) = Engine::restore_records(config, records, issues, now_ms);
        engine.lazy = true;
        for store in engine.accounts.values_mut() {
            store.hold_none();
        }
        (engine, issues)
    }

    /// [`Engine::restore_lazy`] from records read with a window of the conversation records
    /// (`RecordLog::load_window`): memory holds those conversation records only; any other is
    /// read (with its messages, `Effect::Load`) before an input that touches it, a send to a
    /// person first reads every stored conversation with them (`Effect::LoadWith`), and the
    /// list shows the records before `list_more` (each account's, where the stored list goes
    /// on), paged with `Command::LoadMoreConversations` (`Effect::LoadList`).
    ///
    /// `loaded` is what `RecordLog::load_window` read (its `list_more` and `summaries` too).
    pub fn restore_window(
        config: EngineConfig,
        loaded: super::record_log::LoadedRecords,
        now_ms: i64,
    ) -> (Engine, Vec<RestoreIssue>) {
        let super::record_log::LoadedRecords {
            records,
            issues,
            mut summaries,
            mut list_more,
            ..
        } = loaded;
        let (mut engine, issues) = Engine::restore_lazy(config, records, issues, now_ms);
        engine.windowed = true;
        for (account, store) in engine.accounts.iter_mut() {
            let unread = summaries.remove(account).unwrap_or_default().unread;
            store.hold_window(list_more.remove(account), unread);
        }
        (engine, issues)
    }

    /// Records that conversation reads since the restore could not use, each named (what
    /// `restore` returned names what the open could not read).
    pub fn load_issues(&self) -> &[RestoreIssue] {
        &self.load_issues
    }

    fn from_loaded(
        config: EngineConfig,
        loaded: persist::Loaded,
        now_ms: i64,
    ) -> (Engine, Vec<RestoreIssue>) {
        let mut engine = Engine::new(config);
        engine.key_counter = loaded.key_counter;
        // The engine before this one may have stamped anything up to the end of this
        // millisecond (a background killed and restored within it): a stamp starting over at
        // the millisecond's first would rank the pages asked from now on below the tallies and
        // bodies it stored, for good (props: a reaction the server holds never shown).
        // Nor below what it stored (it may have stamped past its clock, which may since have
        // been set back).
        engine.last_stamp = Stamp::nth_of(Millis(now_ms), STAMP_SCALE - 1);
        engine.accounts = loaded.accounts;
        let held: Vec<Stamp> = engine.accounts.values().map(|s| s.newest_stamp()).collect();
        for stamp in held {
            engine.saw_at(stamp, Millis(now_ms));
        }
        for store in engine.accounts.values_mut() {
            // Entries bound to their message are dropped below: one shown in an inbox thread
            // stays shown there as sent.
            let done: Vec<OutboxEntry> = store
                .outbox()
                .entries
                .values()
                .filter(|e| {
                    e.shown_in.is_some()
                        && matches!(
                            e.state,
                            SendState::Sent {
                                message: Some(_),
                                ..
                            }
                        )
                })
                .cloned()
                .collect();
            for e in done {
                echoes::keep_sent_elsewhere(store, e, Millis(now_ms));
            }
            store.outbox_after_restart(Millis(now_ms));
            store.rearm_requested_recalls(Stamp::of_time(Millis(now_ms)));
        }
        (engine, loaded.issues)
    }

    /// The whole state as a snapshot (what `Persist::Snapshot` carries).
    pub fn snapshot(&self) -> Records {
        persist::snapshot_of(&self.accounts, self.key_counter)
    }

    /// The URN this engine holds for a conversation given in any form (URN, page URL, id), else
    /// its canonical URN (`urn.rs`). An unreadable input is an error, never a guess.
    pub fn conversation_urn_of(
        &self,
        account: &AccountId,
        any_form: &str,
    ) -> Result<String, crate::urn::UrnError> {
        let id = ConversationId::parse(any_form)?;
        let held = self
            .accounts
            .get(account)
            .and_then(|s| s.conversation(&id))
            .map(|c| c.urn.as_str())
            .filter(|u| u.starts_with("urn:"));
        Ok(held.map_or_else(|| id.canonical_urn(), str::to_owned))
    }

    /// The store of one account, if anything is known about it.
    pub fn store(&self, account: &AccountId) -> Option<&AccountStore> {
        self.accounts.get(account)
    }

    /// A client key this engine never made before (persisted with the next write): what a
    /// send without one gets. A driver that must answer with the key before the send ran (it
    /// may wait for reads) makes it here and gives it to `Command::Send`.
    pub fn new_client_key(&mut self) -> ClientKey {
        // No view shows the counter, but every change counts (a kept view trusts `revision`).
        self.revision = self.revision.wrapping_add(1);
        self.key_counter += 1;
        self.key_counter_dirty = true;
        ClientKey(format!("{:016x}-{}", self.config.seed, self.key_counter))
    }

    /// The configuration this engine runs with.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Feed one command at time `now_ms`: its number, and the effects to carry out, in order.
    /// Among them, or among the effects of a later input, comes exactly one `Notice::Refused`
    /// or one `Notice::Completed` naming that number (unless the engine is restarted first).
    pub fn command(&mut self, command: Command, now_ms: i64) -> (CommandId, Vec<Effect>) {
        self.revision = self.revision.wrapping_add(1);
        self.now = Millis(now_ms);
        if let Some(asked) = self.command_waits(&command) {
            // Numbered now, handled once what it needs was read (its outcome comes then).
            self.last_command += 1;
            let id = CommandId(self.last_command);
            self.queued.push_back(residency::Queued::Command {
                command,
                id,
                at: self.now,
                asked,
            });
            return (id, self.finish());
        }
        let id = self.begin_command(&command);
        self.run_command(command);
        self.end_command();
        self.drive();
        (id, self.finish())
    }

    /// Handles command `command` as number `id`.
    fn run_numbered(&mut self, command: Command, id: CommandId) {
        self.begin_numbered(&command, id);
        self.run_command(command);
        self.end_command();
    }

    /// Feed one input at time `now_ms`; returns the effects to carry out, in order.
    pub fn handle(&mut self, input: Input, now_ms: i64) -> Vec<Effect> {
        self.revision = self.revision.wrapping_add(1);
        self.now = Millis(now_ms);
        match input {
            Input::Command(c) => return self.command(c, now_ms).1,
            Input::Loaded {
                account,
                conversations,
                result,
            } => self.loaded(account, conversations, result),
            Input::ListLoaded {
                account,
                profile,
                result,
            } => self.list_loaded(account, profile, result),
            // It changes nothing: the command it answers completes now.
            Input::Located { command, result } => self.located(command, result),
            // News of storage waits for nothing: it is about writes, not conversations.
            input @ (Input::PersistFailed { .. } | Input::PersistRecovered) => self.step(input),
            input => {
                if self.input_waits(&input) {
                    self.queued
                        .push_back(residency::Queued::Input(input, self.now));
                } else {
                    self.step(input);
                }
            }
        }
        if !self.reads_out() && self.queued.is_empty() {
            self.drive();
        }
        self.finish()
    }

    /// Handles one input (not waiting for reads).
    fn step(&mut self, input: Input) {
        match input {
            Input::Command(c) => {
                self.begin_command(&c);
                self.run_command(c);
                self.end_command();
            }
            Input::Loaded {
                account,
                conversations,
                result,
            } => self.loaded(account, conversations, result),
            Input::ListLoaded {
                account,
                profile,
                result,
            } => self.list_loaded(account, profile, result),
            Input::Located { command, result } => self.located(command, result),
            Input::Answer { id, result } => self.answer(id, result),
            Input::ServerEvent(e) => self.server_event(e),
            Input::EventStreamOpened => {
                self.last_seq = None;
                self.resync();
            }
            Input::Remote(f) => self.remote(f),
            Input::Tick => {}
            Input::PersistFailed {
                cancelled,
                unsaved,
                error,
                full,
                unwritten,
            } => {
                if self.record_layout {
                    for r in unwritten.iter().flat_map(|u| &u.accounts) {
                        self.store_mut(&r.account).remark(r);
                    }
                }
                self.persist_failed(cancelled, unsaved, &error, full)
            }
            Input::PersistRecovered => self.storage_health = super::view::StorageHealth::Ok,
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
        since: Option<Millis>,
        cursor: Option<String>,
        busy: Busy,
    ) -> RequestId {
        let urn = self
            .store_mut(account)
            .ensure_conversation(conv, "")
            .urn
            .clone();
        let query = MessagesQuery {
            account_id: account.as_param(),
            count: Some(self.config.page_size),
            cursor,
            since: since.map(Millis::get),
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
        )
    }

    /// Asks for a conversation list page, unless one is out: that one's id then.
    fn request_conversations(&mut self, account: &AccountId, cursor: Option<String>) -> RequestId {
        let busy = Busy::Conversations(account.clone());
        if self.busy.contains(&busy) {
            if let Some(id) = self.pending.iter().find_map(|(id, p)| {
                matches!(p, Pending::Conversations { account: a, .. } if a == account)
                    .then_some(*id)
            }) {
                return id;
            }
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
        self.request(account, ApiCall::Conversations { query }, pending)
    }

    fn request(&mut self, account: &AccountId, call: ApiCall, pending: Pending) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        self.pending.set(id, pending);
        self.request_key.set(id, self.key_generation);
        self.recent_requests.push(self.now);
        let op = call.op();
        self.out.push(Effect::Request(Request {
            id,
            op,
            account: account.clone(),
            call,
        }));
        id
    }

    /// Requests made in the last minute (the API's per-key window).
    fn requests_last_minute(&mut self) -> usize {
        let from = self.now - 60_000;
        let gone = self
            .recent_requests
            .iter()
            .take_while(|t| **t <= from)
            .count();
        self.recent_requests.drain(..gone);
        self.recent_requests.len()
    }

    /// The poll interval now: the configured one, stretched as this minute's requests near the
    /// API's per-key limit (half of it: twice as long; three quarters: four times).
    pub(crate) fn poll_interval(&mut self) -> i64 {
        let used = self.requests_last_minute() as u64;
        let limit = u64::from(crate::model::REQUESTS_PER_MINUTE_PER_KEY);
        let factor = if used * 4 >= limit * 3 {
            4
        } else if used * 2 >= limit {
            2
        } else {
            1
        };
        self.config.poll_interval_ms.saturating_mul(factor)
    }

    /// While this minute's requests are at the per-key limit, when the oldest of them leaves the
    /// window; `None` while there is room.
    pub(crate) fn budget_full_until(&mut self) -> Option<Millis> {
        let limit = crate::model::REQUESTS_PER_MINUTE_PER_KEY as usize;
        (self.requests_last_minute() >= limit.saturating_sub(5)).then(|| {
            self.recent_requests
                .first()
                .map_or(self.now, |t| *t + 60_000)
        })
    }

    fn broadcast(&mut self, fact: RemoteFact) {
        self.out.push(Effect::Broadcast(fact));
    }

    fn notify(&mut self, notice: Notice) {
        self.note_failure(&notice);
        self.out.push(Effect::Notify(notice));
    }

    /// Keeps a failed recall or reaction change for the message's view (`lastFailure`).
    fn note_failure(&mut self, notice: &Notice) {
        use super::view::{FailedAction, LastFailure};
        let (account, message, action, reason) = match notice {
            Notice::RecallFailed {
                account,
                message,
                reason,
            } => (account, message, FailedAction::Recall, reason),
            Notice::ReactFailed {
                account,
                message,
                reason,
                ..
            } => (account, message, FailedAction::React, reason),
            _ => return,
        };
        let failure = LastFailure {
            action,
            failure: reason.clone(),
        };
        self.last_failures
            .set((account.clone(), message.clone()), failure);
        let store = self.store_mut(account);
        store.touch_message(message);
    }

    /// A new recall or reaction change of `message` was accepted: its last failure is history.
    fn clear_failure(&mut self, account: &AccountId, message: &MessageId) {
        self.last_failures
            .delete(&(account.clone(), message.clone()));
    }

    /// Ask for the premium status of `account` once (again after `KeyUpdated`).
    fn want_premium(&mut self, account: &AccountId) {
        if !self.premium_asked.contains(account) {
            self.premium_due.insert(account.clone());
        }
    }

    /// Issue the premium status reads that are due (not while paused).
    fn dispatch_premium(&mut self) {
        for account in std::mem::take(&mut self.premium_due) {
            if !self.premium_asked.insert(account.clone()) {
                continue;
            }
            let call = ApiCall::PremiumStatus {
                account_id: account.as_param(),
            };
            let pending = Pending::Premium {
                account: account.clone(),
            };
            self.request(&account, call, pending);
        }
    }

    pub(crate) fn store_mut(&mut self, account: &AccountId) -> &mut AccountStore {
        let (lazy, windowed) = (self.lazy, self.windowed);
        self.accounts.entry(account.clone()).or_insert_with(|| {
            let mut store = AccountStore::default();
            if lazy {
                store.hold_none();
            }
            if windowed {
                store.hold_window(None, Vec::new());
            }
            store
        })
    }

    /// A known conversation whose only other participant is `profile` (a Sales Navigator
    /// thread when `sales_nav`: a send on that channel never lands in an inbox thread).
    fn known_conversation_with(
        &self,
        account: &AccountId,
        profile: &ProfileId,
        sales_nav: bool,
    ) -> Option<ConversationId> {
        let store = self.accounts.get(account)?;
        let candidates = store
            .conversations()
            .filter(|c| !sales_nav || c.id.is_sales_nav());
        candidates.into_iter().find_map(|c| {
            let parts = &c.meta.as_ref()?.participants;
            let own = store.own_profile();
            let others: Vec<_> = parts
                .iter()
                .filter(|p| Some(p.profile_id.as_str()) != own)
                .collect();
            let only = others.len() == 1
                && ProfileId::parse(&others[0].profile_id).ok().as_ref() == Some(profile);
            only.then(|| c.id.clone())
        })
    }

    /// The one other person of a conversation: its listed participants other than the owner,
    /// else (none listed) the distinct senders of its messages other than the owner. `None`
    /// when that is not exactly one person (a group, or nobody known yet): never a guess.
    pub(crate) fn only_other_participant(
        &self,
        account: &AccountId,
        conv: &ConversationId,
    ) -> Option<ProfileId> {
        let store = self.accounts.get(account)?;
        let own = store.own_profile().and_then(|p| ProfileId::parse(p).ok());
        let listed = store
            .conversation(conv)
            .and_then(|c| c.meta.as_ref())
            .map(|m| m.participants.as_slice())
            .unwrap_or_default();
        let mut others: SmallSet<ProfileId> = if listed.is_empty() {
            store
                .messages_in(conv)
                .filter(|m| !m.is_sent_by_owner)
                .filter_map(|m| ProfileId::parse(m.sender_profile_id.as_deref()?).ok())
                .collect()
        } else {
            listed
                .iter()
                .filter_map(|p| ProfileId::parse(&p.profile_id).ok())
                .collect()
        };
        if let Some(own) = &own {
            others.remove(own);
        }
        let mut others = others.into_iter();
        match (others.next(), others.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// New conversations this account may still open today (confirmed and pending both count).
    pub fn quota_left(&self, account: &AccountId) -> u32 {
        self.quota_left_at(account, self.now.get())
    }

    /// [`Engine::quota_left`] as of `now_ms`.
    pub fn quota_left_at(&self, account: &AccountId, now_ms: i64) -> u32 {
        let now_ms = Millis(now_ms);
        let Some(store) = self.accounts.get(account) else {
            return self.config.daily_quota;
        };
        let used = store.quota().used(now_ms);
        let reserved = store
            .outbox()
            .entries
            .values()
            .filter(|e| e.reserves_quota() && !store.quota().counts(now_ms, &e.key))
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
    /// Each is past the one before, whatever the clock says (set back, or more than
    /// `STAMP_SCALE` stamps in one ms), and past every stamp given before a restore
    /// (`from_loaded`).
    fn next_stamp(&mut self) -> Stamp {
        let stamp = Stamp::of_time(self.now).max(self.last_stamp.after());
        self.last_stamp = stamp;
        stamp
    }

    /// A stamp made elsewhere came in (another tab's bodies, tallies and reaction facts,
    /// storage's): what this engine asks for after it ranks newer (a Lamport clock). Stamps of
    /// two tabs in one millisecond have counters that say nothing of which came first: a page
    /// a tab asked for after a sibling's broadcast ranked below it whenever the sibling had
    /// stamped more in that millisecond, and the tab then never took a newer tally.
    ///
    /// Not one more than a day past this engine's clock: siblings and storage share it, and a
    /// stamp that far ahead is a broken tab's (taken, it would set every later stamp of ours at
    /// the end of the scale, all equal there, for good).
    pub(super) fn saw(&mut self, stamp: Stamp) {
        self.saw_at(stamp, self.now);
    }

    /// [`Engine::saw`] with the clock at `now`.
    fn saw_at(&mut self, stamp: Stamp, now: Millis) {
        const AHEAD_MS: i64 = 24 * 60 * 60 * 1000;
        if stamp <= Stamp::of_time(Millis(now.get().saturating_add(AHEAD_MS))) {
            self.last_stamp = self.last_stamp.max(stamp);
        }
    }

    /// The time engine last saw.
    pub(crate) fn now(&self) -> Millis {
        self.now
    }

    /// Gather this step's effects: persist first, then requests, broadcasts and notices in the
    /// order they arose, then what changed for the UI, then the timer.
    fn finish(&mut self) -> Vec<Effect> {
        self.settle_waiting();
        let mut effects = Vec::new();
        let mut records = Vec::new();
        let mut touched = Vec::new();
        let since = self.last_now;
        self.last_now = self.now;
        self.touch_closed_windows(since);
        self.evict_closed();
        self.ask_pinned();
        let retry_due = self.storage_behind && self.storage_retry_at.is_some_and(|t| t <= self.now);
        let writes = self.key_counter_dirty
            || retry_due
            || self.accounts.values().any(AccountStore::has_changes);
        if writes {
            // What a failed write carried goes with this one (per-record layout).
            for store in self.accounts.values_mut() {
                store.fold_behind();
            }
        }
        for (account, store) in self.accounts.iter_mut() {
            for c in store.take_touched() {
                touched.push((account.clone(), c));
            }
            if let Some(r) = store.drain_delta(account) {
                records.push(r);
            }
        }
        if !records.is_empty() || self.key_counter_dirty || self.force_snapshot || retry_due {
            self.key_counter_dirty = false;
            self.deltas_since_snapshot += 1;
            if self.record_layout {
                // Never a snapshot here: a failed write's records were marked again instead.
                self.force_snapshot = false;
                self.storage_behind = false;
                self.storage_retry_at = None;
                self.deltas_since_snapshot = 0;
                let delta = Records {
                    version: STORE_VERSION,
                    key_counter: self.key_counter,
                    accounts: records,
                };
                effects.push(Effect::Persist(Persist::Delta(delta)));
            } else if self.force_snapshot
                || self.storage_behind
                || self.deltas_since_snapshot >= self.config.snapshot_every
            {
                self.force_snapshot = false;
                self.storage_behind = false;
                self.storage_retry_at = None;
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
                self.last_status.set(account.clone(), status);
                effects.push(Effect::Notify(Notice::StatusChanged { account }));
            }
        }
        if let Some(at) = self.next_deadline() {
            if self.last_timer != Some(Millis(at)) {
                self.last_timer = Some(Millis(at));
                effects.push(Effect::SetTimer { at_ms: at });
            }
        }
        effects
    }

    /// Own messages of the conversations in view whose recall window is open at `from`, with
    /// the time it closes (the first instant it is closed), newest first.
    fn open_windows(&self, from: Millis) -> Vec<(AccountId, ConversationId, Millis)> {
        let window = self.config.recall_window_ms;
        let viewed: SmallSet<&(AccountId, ConversationId)> = self.views.values().collect();
        let mut out = Vec::new();
        for (account, conv) in viewed {
            let Some(store) = self.accounts.get(account) else {
                continue;
            };
            for (sent_at, id) in store.order_of(conv).iter().rev() {
                let closed_from = sent_at.saturating_add(window).saturating_add(1);
                if closed_from <= from {
                    break;
                }
                if store.message(id).is_some_and(|m| m.is_sent_by_owner) {
                    out.push((account.clone(), conv.clone(), closed_from));
                }
            }
        }
        out
    }

    /// When the next recall window of a shown message closes.
    fn next_window_close(&self) -> Option<Millis> {
        let now = self.now;
        self.open_windows(now)
            .into_iter()
            .map(|(_, _, at)| at)
            .filter(|at| *at > now)
            .min()
    }

    /// Conversations in view where a recall window closed since `since`: their view changed.
    fn touch_closed_windows(&mut self, since: Millis) {
        let now = self.now;
        if since == Millis::MIN || since >= now {
            return;
        }
        for (account, conv, at) in self.open_windows(since) {
            if at <= now {
                self.store_mut(&account).touch(&conv);
            }
        }
    }

    /// The earliest future time at which something becomes due.
    pub fn next_deadline(&self) -> Option<i64> {
        let now = self.now;
        let mut times: Vec<Millis> = Vec::new();
        for (k, at) in &self.polls {
            if !self.busy.contains(&Busy::Poll(k.0.clone(), k.1.clone())) {
                times.push(*at);
            }
        }
        for store in self.accounts.values() {
            times.extend(store.outbox().entries.values().filter_map(|e| e.check_at));
        }
        times.extend(self.rate_wait.values().copied());
        // The quota resets at midnight UTC: wake up then so the status is told.
        if self.accounts.values().any(|s| s.quota().used(now) > 0) {
            times.push(next_reset(now));
        }
        times.extend(self.retry_at.values().copied());
        // Storage is behind: write the whole state again then.
        times.extend(self.storage_retry_at);
        // A shown message's recall window closes: its view changes then.
        times.extend(self.next_window_close());
        // Whatever is already due was started by `drive`, or waits on something that is not
        // time (a 401, an answer): only future times wake the engine.
        times
            .into_iter()
            .filter(|t| *t > now)
            .min()
            .map(Millis::get)
    }
}

/// What a page covers, for deciding recalls and echoes.
#[derive(Debug, Clone)]
struct PageSpan {
    kind: PageKind,
    since: Option<Millis>,
    issued_at: Millis,
    stamp: Stamp,
    oldest: Option<(Millis, MessageId)>,
    newest: Option<(Millis, MessageId)>,
    has_more: bool,
}

impl PageSpan {
    /// A page of the newest messages (or the next older one in a chain) covers a message at
    /// `sent_at` when it reaches back past it, or when there is nothing older. A message sent
    /// in the same millisecond as the page's oldest may be just beyond the page: the next page
    /// (or the end of history) decides it.
    fn covers_from_top(&self, sent_at: Option<Millis>) -> bool {
        !self.has_more || matches!((sent_at, &self.oldest), (Some(at), Some(o)) if at > o.0)
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

/// The failure of a recall or reaction change, from the reason its notice carries.
fn state_name(s: &SendState) -> &'static str {
    match s {
        SendState::Queued => "queued",
        SendState::InFlight { .. } => "in flight",
        SendState::Ambiguous { .. } => "being confirmed",
        SendState::Failed { .. } => "failed",
        SendState::Sent { .. } => "sent",
    }
}
