//! The reconciliation engine: one true, persistent view of every conversation, as a sans-I/O
//! state machine (quinn-proto style). It takes [`Input`]s and returns [`Effect`]s; it never does
//! I/O, never reads a clock, never sleeps and draws no randomness (client keys come from the
//! seed in [`EngineConfig`] and a persisted counter, or from the command).
//!
//! # Driver contract
//!
//! A driver (the wasm binding, a native test harness) is one loop:
//!
//! 1. On start, read storage and restore, then `handle(Tick, now)`; report the returned issues
//!    (`restoreIssues()`). Two layouts:
//!    - key-value ([`PersistLog`]: `localStorage`, `chrome.storage`, memory): the last
//!      `Persist::Snapshot` and every `Persist::Delta` after it, into [`Engine::restore`];
//!    - per record ([`RecordLog`]: IndexedDB): [`RecordLog::load_window`] (every table but the
//!      messages, and of the conversations the newest `EngineConfig::conversation_window` per
//!      account and those with work under way) into [`Engine::restore_window`], with
//!      `EngineConfig::snapshot_every = u32::MAX` (such an engine never writes a snapshot: every
//!      write is a delta). Each conversation's messages, and any other conversation record, are
//!      read when an input needs them (`Effect::Load`, `LoadList`, `LoadWith` below).
//!      ([`RecordLog::load_resident`] into [`Engine::restore_lazy`] holds every conversation
//!      record.)
//!      ([`RecordLog::load`] into [`Engine::restore_records`] holds everything in memory.)
//!      To move a key-value store in, call [`RecordLog::migrate_from`] before loading (or load
//!      the window through [`RecordLog::load_window_from`], which asks the same question of the
//!      window's own read) and report its issues too; when it fails, do not open the record
//!      store (its first write would end the migration for good): report the error and restore
//!      from the old store instead.
//! 2. For every input — a UI command, an API answer, a WebSocket event (`EventStreamOpened` on
//!    each (re)connect), a fact from a sibling tab, a timer firing (`Tick`) — call
//!    `engine.handle(input, now_ms)` with the current time, and carry out the returned effects
//!    **in order**:
//!    - `Persist(Snapshot)`: replace the stored snapshot and drop stored deltas;
//!      `Persist(Delta)`: append (`PersistLog::write` or `RecordLog::write`: one transaction).
//!      Finish the write before carrying out the effects after it (an outbox entry is on disk
//!      before its send request leaves). When a write **fails**, drop the requests of the same
//!      step after it that [`Request::needs_record`] (the writes: no send, reaction or recall
//!      leaves without its record on disk) and feed `Input::PersistFailed` with their ids, the
//!      error, whether the storage is full and (`unwritten`) the failed `Delta`'s records (with
//!      per-record storage the engine marks them again for its next write); the effects of other
//!      steps run. After the first
//!      write that lands following a failed one, feed `Input::PersistRecovered` (the status's
//!      `storage` goes back to `ok`).
//!    - `Request { id, call, .. }`: run `call` with the API client; whenever it finishes, feed
//!      `Input::Answer { id, result }` back. Every request gets exactly one answer (a timeout is
//!      an answer). Answers go to the engine instance that issued them, never to a restarted one.
//!    - `Broadcast(fact)`: post to sibling tabs, which feed it in as `Input::Remote(fact)`.
//!    - `Notify(notice)`: tell the UI; on `ConversationChanged` re-read
//!      [`Engine::conversation_view`], on `StatusChanged` [`Engine::status`].
//!    - `SetTimer { at_ms }`: replace the single pending timer; when it fires, `handle(Tick, now)`.
//!    - `Load { account, conversations }` (lazy engines only): after the effects before it,
//!      read them all at once ([`RecordLog::load_conversations`]) and feed `Input::Loaded` with
//!      the result (or the storage error); carry out the effects of that input before anything queued since (the
//!      inputs fed meanwhile waited inside the engine, and run in order once every read is in).
//!    - `LoadList { account, after, limit }` / `LoadWith { account, profile }` (engines restored
//!      with a window only): the same, reading [`RecordLog::load_list`] / [`RecordLog::load_with`]
//!      and feeding `Input::ListLoaded` (`profile` none / the one asked).
//!    - `Locate { account, command, messages }` (lazy engines only): the same, reading
//!      [`RecordLog::locate_messages`] and feeding `Input::Located`; no other input waits on it.
//!
//!    A UI command goes in through `engine.command(cmd, now_ms)` (or `handle(Input::Command)`,
//!    which drops its number): exactly one `Notice::Refused` or `Notice::Completed` naming the
//!    returned `CommandId` comes among these effects or those of a later input; a driver that
//!    hands out Promises settles them on those notices.
//! 3. Nothing else: no retry, no resend, no decision lives in the driver.
//!
//! # Where the rules live
//!
//! `store` (merge, tombstones, cursors), `reaction` (tally reconciliation), `outbox` (lanes,
//! echo matching), `quota`, `persist` (snapshot, deltas, versions), `engine` (the state machine),
//! `view` (what the UI reads), `time` (`Millis` and `Stamp`: a time and a stamp are different
//! types).
//!
//! # Known limits
//!
//! - Echo matching is by text and attachments within a time window, the earliest echo going to
//!   the earliest attempt (see `outbox`): an identical message sent from another client in that
//!   window can be taken for the echo.
//! - A send whose message was recalled by another client before this engine saw its echo looks
//!   absent; a sibling tab's tombstone (which carries the message) settles it, a recall from
//!   elsewhere cannot.
//! - Absence is proved by pages asked for `echo_settle_ms` after the failure; a server that
//!   applies a write later than that defeats the proof.
//! - Reactions and recalls on messages older than the newest page are refreshed only by
//!   `LoadOlder`/`Rescan`; a gap in server events resyncs the newest page of open conversations.
//! - A recall made elsewhere without an event is found only by a walk from the newest page
//!   down: `Rescan` (down to the oldest page), or `Refresh` (its newest page only, which is all
//!   of a short conversation). Every message held when the walk began gets a recall check; a
//!   page of the walk that reaches past one without carrying it proves it gone. A message
//!   learned after the walk began, or confirming a send still in the outbox, is left alone.
//!   A message gone from the server is taken for recalled (the only way one disappears through
//!   this API): tombstoned, persisted and filtered forever, so it never comes back under
//!   another URN form. A server that lists a message later than it confirms it (or pages that
//!   skip messages) would make the walk tombstone a live one; polls, `LoadOlder` and
//!   reconnects never do this.
//! - A send by vanity slug cannot be looked for: an ambiguous one fails as `unverifiable`.
//! - Lazy loading: a recall or reaction naming a message whose conversation is not in memory
//!   and not given (`conversation_urn`) is decided without that conversation's messages (as an
//!   unknown message); the products always name the conversation. A sibling's tombstone that
//!   names only ids records no conversation for them when theirs is not in memory (the message
//!   still never shows again).

mod effect;
mod engine;
mod fact;
mod input;
mod keys;
mod message;
mod outbox;
mod persist;
mod persist_log;
mod quota;
mod reaction;
mod record_budget;
mod record_log;
mod refusal;
pub(crate) mod small_map;
mod store;
mod stored_json;
mod tagged;
mod time;
mod view;
mod view_json;

pub use effect::{ApiCall, Effect, Notice, Outcome, Persist, RemoteFact, Request};
pub use engine::{Engine, EngineConfig, ItemSource, PlanMemo, Planned, ViewMemo};
pub use fact::{FactError, FACT_KINDS, MAX_FACT_BYTES, MAX_FACT_ITEMS};
pub use input::{ApiReply, Command, Input};
pub use keys::{AccountId, ClientKey, CommandId, RequestId, ViewId};
pub use outbox::{
    ElsewhereSent, Failure, FailureCode, Lane, Outbox, OutboxEntry, Recipient, SendFailure,
    SendState, ELSEWHERE_KEPT,
};
pub use persist::{AccountRecords, Records, RestoreIssue, STORE_VERSION};
pub use persist_log::{MemoryKv, PersistLog, Storage, StorageError, Stored};
pub use quota::{next_reset, utc_day, QuotaUse, DAY_MS};
pub use reaction::{Actor, ReactionCount, ReactionFact, ReactionKey};
pub use record_budget::RecordBudget;
pub use record_log::{
    AccountSummary, ConversationIndex, ConversationLookup, ConversationRows, LoadedConversation,
    LoadedList, LoadedRecords, MemoryRecords, MessageIndex, PlaceRows, Record, RecordLog, RecordOp,
    RecordStorage, StoredPlaces, Table, KEY_SEP, LAYOUT_VERSION,
};
pub use refusal::Refusal;
pub use small_map::{SmallMap, SmallSet};
pub use store::{
    tally_view, AccountStore, ConversationRecord, History, MergeOutcome, PageKind, RecallCheck,
    Rev, StoredMessage, Tally,
};
pub use stored_json::server_event;
pub use tagged::Tag;
pub use time::{Millis, Stamp, STAMP_SCALE};
#[cfg(target_arch = "wasm32")]
pub(crate) use view::{clamp_wide_integers, names_a_sentinel, wide_integers};
pub use view::{
    Channels, ConversationSummary, ConversationView, FailedAction, LastFailure, MessageState,
    MessageView, QuotaView, ReactionView, RecallEligibility, StatusView, StorageHealth, SyncStatus,
};
pub use view_json::EntryJson;
