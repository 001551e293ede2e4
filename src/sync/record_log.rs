//! Per-record storage: the engine's `Persist` effects as records of a few tables, each effect
//! written as one atomic transaction, and read back for `Engine::restore`. Where
//! [`PersistLog`](super::PersistLog) keeps a snapshot and deltas as whole JSON blobs under string
//! keys (fine for small stores), this layout stores every message, conversation, reaction,
//! tombstone, outbox entry and recall check as its own record, so no single value grows with the
//! history and no write rewrites it (issue 13). Plain Rust over a trait whose calls may finish
//! at once (memory, native tests) or later (IndexedDB, in `src/wasm/`).
//!
//! Keys: a record of an account is keyed `<account>` + [`KEY_SEP`] + `<canonical id>`; `Meta`
//! records by their name; `Accounts` records by the account alone. Values are JSON text.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::effect::Persist;
use super::keys::AccountId;
use super::outbox::{ElsewhereSent, OutboxEntry};
use super::persist::{self, AccountRecords, Records, RestoreIssue, STORE_VERSION};
pub use super::persist_log::StorageError;
use super::persist_log::{PersistLog, Storage};
use super::quota::QuotaUse;
use super::reaction::{ReactionFact, ReactionKey};
use super::small_map::{SmallMap, SmallSet};
use super::store::{ConversationRecord, RecallCheck, StoredMessage};
use super::stored_json::{self, half, Fields, FromStored};
use crate::urn::{ConversationId, MessageId, ProfileId};

/// Between an account and an id in a record key (sorts below every character of an id).
pub const KEY_SEP: char = '\u{1}';

/// The tables of the per-record layout (IndexedDB object stores of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// Layout version, the engine's client-key counter.
    Meta,
    /// One record per account: outbox sequence, quota, own profile, tallies seen.
    Accounts,
    Conversations,
    /// Indexed by (account, conversation, sent time): see [`MessageIndex`].
    Messages,
    Tombstones,
    Reactions,
    Outbox,
    Recalls,
    /// Sales Navigator sends shown in an inbox thread, one record per thread.
    Elsewhere,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 9] = [
        Table::Meta,
        Table::Accounts,
        Table::Conversations,
        Table::Messages,
        Table::Tombstones,
        Table::Reactions,
        Table::Outbox,
        Table::Recalls,
        Table::Elsewhere,
    ];

    /// The table's stored name (an IndexedDB object store name).
    pub fn name(self) -> &'static str {
        match self {
            Table::Meta => "meta",
            Table::Accounts => "accounts",
            Table::Conversations => "conversations",
            Table::Messages => "messages",
            Table::Tombstones => "tombstones",
            Table::Reactions => "reactions",
            Table::Outbox => "outbox",
            Table::Recalls => "recalls",
            Table::Elsewhere => "elsewhere",
        }
    }
}

/// What the message indexes read ("newest N of conversation C", "since T"), stored beside the
/// JSON so the storage can index without parsing it.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageIndex {
    pub account: String,
    pub conversation: String,
    /// Epoch milliseconds.
    pub sent_at: f64,
}

/// What the conversation indexes read (layout 2), stored beside a `Conversations` record's
/// JSON: "the newest N conversations of an account", "the conversations with profile P", "the
/// conversation whose latest message is M".
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationIndex {
    pub account: String,
    /// The conversation's id (ties of `activity` go by it, as the conversation list's do).
    pub id: String,
    /// [`ConversationRecord::last_activity`] in epoch ms; `-Infinity` when there is none.
    pub activity: f64,
    /// `<account>␁<profile id>` of every participant the list entry names (canonical ids).
    pub participants: Vec<String>,
    /// `<account>␁<message id>` of the list entry's latest message, when it names one.
    pub latest: Option<String>,
}

impl ConversationIndex {
    /// The index fields of `c`, a conversation of `account`.
    pub fn of(account: &AccountId, c: &ConversationRecord) -> ConversationIndex {
        let meta = c.meta.as_ref();
        let participants: SmallSet<String> = meta
            .into_iter()
            .flat_map(|m| &m.participants)
            .filter_map(|p| ProfileId::parse(&p.profile_id).ok())
            .map(|p| key_of(account, p.as_str()))
            .collect();
        let latest = meta
            .and_then(|m| m.latest_message.as_ref())
            .and_then(|l| l.message_urn.as_deref())
            .and_then(|u| MessageId::parse(u).ok())
            .map(|m| key_of(account, m.as_str()));
        ConversationIndex {
            account: account.0.clone(),
            id: c.id.as_str().to_owned(),
            activity: c
                .last_activity()
                .map_or(f64::NEG_INFINITY, |t| t.get() as f64),
            participants: participants.into_iter().collect(),
            latest,
        }
    }
}

/// Which conversation index [`RecordStorage::read_by`] asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationLookup {
    /// `byParticipant`: the key is `<account>␁<profile id>`.
    Participant,
    /// `byLatest`: the key is `<account>␁<message id>`.
    Latest,
}

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub key: String,
    pub json: String,
    /// Present on `Messages` records only.
    pub index: Option<MessageIndex>,
    /// Present on `Conversations` records only (layout 2).
    pub listing: Option<ConversationIndex>,
}

/// One change of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOp {
    /// Stores the record, replacing any of the same key.
    Put { table: Table, record: Record },
    /// Removes the key (nothing happens when it is absent).
    Delete { table: Table, key: String },
    /// Removes every record of the table.
    Clear { table: Table },
}

/// What [`RecordStorage::read_conversations`] read of one conversation: its messages' JSON
/// texts, oldest first, without their keys (what is read of every message is one request; a
/// record that cannot be read is named by reading the conversation again with its keys,
/// [`RecordStorage::read_index`]), and its `Conversations` record as `(key, json)` (none when
/// not stored).
#[derive(Debug, Default)]
pub struct ConversationRows {
    pub messages: Vec<String>,
    pub record: Vec<(String, String)>,
}

/// What [`RecordStorage::read_places`] read of one message key: the JSON of its `Messages`
/// record (none when not stored), and the `Conversations` records whose `byLatest` holds the
/// key, as `(key, json)`.
#[derive(Debug, Default)]
pub struct PlaceRows {
    pub message: Option<String>,
    pub latest: Vec<(String, String)>,
}

/// Storage of records in tables; each call may finish at once or later.
pub trait RecordStorage {
    /// Every record of `table` as `(key, json)`, in key order.
    fn read_all(
        &self,
        table: Table,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StorageError>>;
    /// Every record of each of `tables`, one list per table in the same order, read together
    /// (IndexedDB: one read-only transaction over all of them, so what opening reads is one
    /// consistent state and pays for one transaction, not one per table).
    fn read_tables(
        &self,
        tables: &[Table],
    ) -> impl Future<Output = Result<Vec<Vec<(String, String)>>, StorageError>> {
        async move {
            let mut out = Vec::with_capacity(tables.len());
            for &table in tables {
                out.push(self.read_all(table).await?);
            }
            Ok(out)
        }
    }
    /// The `Messages` records of one conversation of `account` as `(key, json)`, through the
    /// (account, conversation, sent time) index, oldest first (what lazy loading reads).
    fn read_index(
        &self,
        account: &str,
        conversation: &str,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StorageError>>;
    /// [`RecordStorage::read_index`] of each of `conversations` (`(conversation id, key of its
    /// `Conversations` record)`) and [`RecordStorage::read_keys`] of their records, read
    /// together, one [`ConversationRows`] per conversation in the order asked (IndexedDB: one
    /// transaction over both tables, every request issued at once): what the engine's reads of
    /// conversations wait for, a view's first read or every conversation of a list page.
    fn read_conversations(
        &self,
        account: &str,
        conversations: &[(String, String)],
    ) -> impl Future<Output = Result<Vec<ConversationRows>, StorageError>> {
        async move {
            let mut out = Vec::with_capacity(conversations.len());
            for (conversation, key) in conversations {
                let messages = self.read_index(account, conversation).await?;
                out.push(ConversationRows {
                    messages: messages.into_iter().map(|(_, json)| json).collect(),
                    record: self
                        .read_keys(Table::Conversations, std::slice::from_ref(key))
                        .await?,
                });
            }
            Ok(out)
        }
    }
    /// The `Conversations` records of `account` as `(key, json)`, newest activity first (ties
    /// by id, as the conversation list orders them), starting after `after` (an `(activity,
    /// id)` of that order, excluded), at most `limit` of them. Records stored without a
    /// [`ConversationIndex`] are not in it.
    fn read_newest(
        &self,
        account: &str,
        after: Option<(f64, String)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StorageError>>;
    /// The records of `table` under `keys` that exist, as `(key, json)` in the order asked
    /// (one transaction; IndexedDB: every `get` issued at once).
    fn read_keys(
        &self,
        table: Table,
        keys: &[String],
    ) -> impl Future<Output = Result<Vec<(String, String)>, StorageError>>;
    /// The `Conversations` records whose `by` index holds `key`, as `(key, json)` in key order.
    fn read_by(
        &self,
        by: ConversationLookup,
        key: &str,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StorageError>>;
    /// For each of `keys` (`<account>␁<message id>`), in the order asked: its `Messages`
    /// record and the `Conversations` records whose `byLatest` holds it, read together
    /// (IndexedDB: one read-only transaction over both tables, every request issued at once):
    /// where storage says the messages are (`Effect::Locate`).
    fn read_places(
        &self,
        keys: &[String],
    ) -> impl Future<Output = Result<Vec<PlaceRows>, StorageError>> {
        async move {
            let mut out = Vec::with_capacity(keys.len());
            for key in keys {
                let message = self
                    .read_keys(Table::Messages, std::slice::from_ref(key))
                    .await?
                    .pop()
                    .map(|(_, json)| json);
                let latest = self.read_by(ConversationLookup::Latest, key).await?;
                out.push(PlaceRows { message, latest });
            }
            Ok(out)
        }
    }
    /// Applies `ops` in order as one transaction: every one lands, or none does and the call
    /// fails. `durable` asks the storage to be on disk before it answers (outbox writes).
    fn apply(
        &self,
        ops: Vec<RecordOp>,
        durable: bool,
    ) -> impl Future<Output = Result<(), StorageError>>;
}

/// Records in maps this value owns (clones share them): for native drivers and tests. Every
/// call finishes at once. `fail_next` makes the next `apply` fail whole (nothing lands), as a
/// full disk would.
#[derive(Debug, Clone, Default)]
pub struct MemoryRecords {
    pub tables: Rc<RefCell<BTreeMap<Table, BTreeMap<String, Record>>>>,
    pub fail_next: Rc<RefCell<Option<String>>>,
}

impl RecordStorage for MemoryRecords {
    async fn read_all(&self, table: Table) -> Result<Vec<(String, String)>, StorageError> {
        Ok(self
            .tables
            .borrow()
            .get(&table)
            .map(|t| {
                t.values()
                    .map(|r| (r.key.clone(), r.json.clone()))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn read_index(
        &self,
        account: &str,
        conversation: &str,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let tables = self.tables.borrow();
        let mut rows: Vec<(f64, String, String)> = tables
            .get(&Table::Messages)
            .into_iter()
            .flat_map(|t| t.values())
            .filter(|r| {
                r.index
                    .as_ref()
                    .is_some_and(|i| i.account == account && i.conversation == conversation)
            })
            .map(|r| {
                let at = r.index.as_ref().map_or(0.0, |i| i.sent_at);
                (at, r.key.clone(), r.json.clone())
            })
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        Ok(rows.into_iter().map(|(_, k, j)| (k, j)).collect())
    }

    async fn read_newest(
        &self,
        account: &str,
        after: Option<(f64, String)>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let tables = self.tables.borrow();
        let mut rows: Vec<(f64, &str, &Record)> = tables
            .get(&Table::Conversations)
            .into_iter()
            .flat_map(|t| t.values())
            .filter_map(|r| {
                let i = r.listing.as_ref().filter(|i| i.account == account)?;
                Some((i.activity, i.id.as_str(), r))
            })
            .collect();
        let order = |a: &(f64, &str), b: &(f64, &str)| b.0.total_cmp(&a.0).then(a.1.cmp(b.1));
        rows.sort_by(|a, b| order(&(a.0, a.1), &(b.0, b.1)));
        Ok(rows
            .into_iter()
            .filter(|(t, id, _)| {
                after.as_ref().is_none_or(|(at, aid)| {
                    order(&(*at, aid.as_str()), &(*t, id)) == std::cmp::Ordering::Less
                })
            })
            .take(limit as usize)
            .map(|(_, _, r)| (r.key.clone(), r.json.clone()))
            .collect())
    }

    async fn read_keys(
        &self,
        table: Table,
        keys: &[String],
    ) -> Result<Vec<(String, String)>, StorageError> {
        let tables = self.tables.borrow();
        let Some(t) = tables.get(&table) else {
            return Ok(Vec::new());
        };
        Ok(keys
            .iter()
            .filter_map(|k| t.get(k))
            .map(|r| (r.key.clone(), r.json.clone()))
            .collect())
    }

    async fn read_by(
        &self,
        by: ConversationLookup,
        key: &str,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let tables = self.tables.borrow();
        Ok(tables
            .get(&Table::Conversations)
            .into_iter()
            .flat_map(|t| t.values())
            .filter(|r| {
                r.listing.as_ref().is_some_and(|i| match by {
                    ConversationLookup::Participant => i.participants.iter().any(|p| p == key),
                    ConversationLookup::Latest => i.latest.as_deref() == Some(key),
                })
            })
            .map(|r| (r.key.clone(), r.json.clone()))
            .collect())
    }

    async fn apply(&self, ops: Vec<RecordOp>, _durable: bool) -> Result<(), StorageError> {
        if let Some(reason) = self.fail_next.borrow_mut().take() {
            return Err(StorageError::full(reason));
        }
        let mut tables = self.tables.borrow_mut();
        for op in ops {
            match op {
                RecordOp::Put { table, record } => {
                    tables
                        .entry(table)
                        .or_default()
                        .insert(record.key.clone(), record);
                }
                RecordOp::Delete { table, key } => {
                    if let Some(t) = tables.get_mut(&table) {
                        t.remove(&key);
                    }
                }
                RecordOp::Clear { table } => {
                    tables.remove(&table);
                }
            }
        }
        Ok(())
    }
}

/// The version of the record shapes below, stored in `Meta`; a store of another version is
/// not read (this build cannot know what its records mean), except layout 1, which is migrated
/// when read (see [`RecordLog::load`]). Layout 2 adds the conversation indexes
/// ([`ConversationIndex`]) and each account's [`AccountSummary`].
pub const LAYOUT_VERSION: u32 = 2;

/// The layout before the conversation indexes and the account summary.
const LAYOUT_V1: u32 = 1;

/// The key of the one `Meta` record.
const META_KEY: &str = "store";

/// `Meta`/`store`: the layout version and the engine's client-key counter.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetaRecord {
    layout: u32,
    #[serde(default)]
    key_counter: u64,
}

/// `Accounts`/`<account>`: what an account has besides its keyed records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AccountRecord {
    account: AccountId,
    outbox_next_seq: u64,
    quota: Option<QuotaUse>,
    own_profile: Option<String>,
    tallies_seen: bool,
    summary: AccountSummary,
}

/// What an account's conversation list and sync need to know of every conversation, kept in
/// its `Accounts` record (layout 2) by every write that changes a conversation, in the same
/// transaction: so neither needs the whole `Conversations` table in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountSummary {
    /// Conversations with an open history gap (`History::gap`): what `dispatch_fills` asks
    /// for. Sorted, no repeats (plain lists: no map type of their own in the wasm).
    pub gaps: Vec<ConversationId>,
    /// The list's unread count of each conversation that has any
    /// ([`ConversationRecord::unread`]), sorted by id.
    pub unread: Vec<(ConversationId, u32)>,
}

impl AccountSummary {
    /// The summary with what `c` (stored now) says.
    pub fn note(&mut self, c: &ConversationRecord) {
        match (self.gaps.binary_search(&c.id), c.history.gap) {
            (Err(at), true) => self.gaps.insert(at, c.id.clone()),
            (Ok(at), false) => {
                self.gaps.remove(at);
            }
            _ => {}
        }
        let at = self.unread.binary_search_by(|(id, _)| id.cmp(&c.id));
        match (at, c.unread()) {
            (Ok(at), 0) => {
                self.unread.remove(at);
            }
            (Ok(at), n) => self.unread[at].1 = n,
            (Err(_), 0) => {}
            (Err(at), n) => self.unread.insert(at, (c.id.clone(), n)),
        }
    }

    /// The summary of `conversations` (every one of an account).
    pub fn of<'a>(conversations: impl IntoIterator<Item = &'a ConversationRecord>) -> Self {
        let mut s = AccountSummary::default();
        for c in conversations {
            s.note(c);
        }
        s
    }

    /// The list's total unread count.
    pub fn total_unread(&self) -> u64 {
        self.unread.iter().map(|&(_, n)| u64::from(n)).sum()
    }
}

impl AccountRecord {
    /// This record with what a delta of the same account says (as `AccountStore` applies it).
    fn merged(mut self, r: &AccountRecords) -> AccountRecord {
        for c in &r.conversations {
            self.summary.note(c);
        }
        self.account = r.account.clone();
        self.outbox_next_seq = self.outbox_next_seq.max(r.outbox_next_seq);
        if r.quota.is_some() {
            self.quota = r.quota.clone();
        }
        if r.own_profile.is_some() {
            self.own_profile = r.own_profile.clone();
        }
        self.tallies_seen |= r.tallies_seen;
        self
    }
}

/// `Tombstones`/`<account>␁<message>`: a recalled message, and its conversation when known.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TombstoneRecord {
    message: MessageId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conversation: Option<ConversationId>,
}

/// `Reactions`/`<account>␁<message>␁<[actor, emoji]>`.
#[derive(Debug, Serialize, Deserialize)]
struct ReactionRecord {
    key: ReactionKey,
    fact: ReactionFact,
}

/// `Elsewhere`/`<account>␁<conversation>`: the thread's whole list.
#[derive(Debug, Serialize, Deserialize)]
struct ElsewhereRecord {
    conversation: ConversationId,
    sent: Vec<ElsewhereSent>,
}

// Read by one member scanner (`stored_json`), not serde's derived readers (issue 15).

impl FromStored for MetaRecord {
    fn read(f: &mut Fields<'_>) -> Self {
        MetaRecord {
            layout: f.req("layout"),
            key_counter: f.or_default("keyCounter"),
        }
    }
}

impl FromStored for AccountRecord {
    fn read(f: &mut Fields<'_>) -> Self {
        AccountRecord {
            account: AccountId(f.or_default("account")),
            outbox_next_seq: f.or_default("outboxNextSeq"),
            quota: f.record_opt("quota"),
            own_profile: f.opt("ownProfile"),
            tallies_seen: f.or_default("talliesSeen"),
            summary: f.record_or_default("summary"),
        }
    }
}

impl FromStored for AccountSummary {
    fn read(f: &mut Fields<'_>) -> Self {
        let gaps = f.list_or_default("gaps");
        // Pairs through the one pair reader (`Fields::pairs`), as the key-value layout's.
        let unread = f.pair_list("unread", half, half);
        AccountSummary { gaps, unread }
    }
}

impl FromStored for TombstoneRecord {
    fn read(f: &mut Fields<'_>) -> Self {
        TombstoneRecord {
            message: f.req_some("message").unwrap_or_else(MessageId::placeholder),
            conversation: f.opt("conversation"),
        }
    }
}

impl FromStored for ReactionRecord {
    fn read(f: &mut Fields<'_>) -> Self {
        ReactionRecord {
            key: f.record("key"),
            fact: f.record("fact"),
        }
    }
}

impl FromStored for ElsewhereRecord {
    fn read(f: &mut Fields<'_>) -> Self {
        ElsewhereRecord {
            conversation: f
                .req_some("conversation")
                .unwrap_or_else(ConversationId::placeholder),
            sent: f.records("sent"),
        }
    }
}

/// The key of a record of `account`.
fn key_of(account: &AccountId, id: &str) -> String {
    format!("{}{KEY_SEP}{id}", account.0)
}

/// The key of a reaction: grouped by message, so one message's reactions are one key range.
fn reaction_key(account: &AccountId, k: &ReactionKey) -> String {
    let rest = crate::json::to_string(&(&k.actor, &k.emoji)).unwrap_or_default();
    key_of(account, &format!("{}{KEY_SEP}{rest}", k.message.as_str()))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StorageError> {
    crate::json::to_string(value).map_err(not_serializable)
}

/// The error of a record serde_json could not write (one body for every record type).
#[inline(never)]
fn not_serializable(e: serde_json::Error) -> StorageError {
    StorageError::new(format!("record not serializable: {e}"))
}

fn put(table: Table, key: String, json: String) -> RecordOp {
    RecordOp::Put {
        table,
        record: Record {
            key,
            json,
            index: None,
            listing: None,
        },
    }
}

fn delete(table: Table, key: String) -> RecordOp {
    RecordOp::Delete { table, key }
}

/// What [`RecordLog::load`] read: one snapshot-shaped `Records` for
/// [`Engine::restore_records`](super::Engine::restore_records), and what it could not read.
#[derive(Debug, Default)]
pub struct LoadedRecords {
    pub records: Records,
    /// Records skipped (each named), or a layout this build cannot read (then `records` is
    /// empty).
    pub issues: Vec<RestoreIssue>,
    /// Nothing at all was stored (a new store, or one to migrate into).
    pub empty: bool,
    /// A `Meta` or an account record is stored: this store was written to (a log's first
    /// write puts both, later ones when they changed), so a key-value store is never moved
    /// into it ([`RecordLog::migrate_from`]).
    /// Known only after a load that read both tables.
    pub written: bool,
    /// Each account's [`AccountSummary`] as stored (computed, once, for a layout-1 store).
    pub summaries: SmallMap<AccountId, AccountSummary>,
    /// [`RecordLog::load_window`]: the accounts whose conversation list goes on past what was
    /// read, each with where the next page starts (the `after` of
    /// [`RecordStorage::read_newest`]). Empty after a whole-table load.
    pub list_more: SmallMap<AccountId, (f64, String)>,
}

/// What [`RecordLog::load_conversation`] read: one conversation's stored messages (for
/// `Input::Loaded`), and the records it could not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedConversation {
    /// The conversation's stored record, if storage has one (what a window did not read).
    pub record: Option<Box<ConversationRecord>>,
    pub messages: Vec<StoredMessage>,
    /// Records skipped, each named (`RestoreIssue::CorruptRecord`).
    pub issues: Vec<RestoreIssue>,
}

/// What [`RecordLog::load_list`] and [`RecordLog::load_with`] read: conversation records of
/// one account (for `Input::ListLoaded`), and the records they could not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadedList {
    pub records: Vec<ConversationRecord>,
    pub issues: Vec<RestoreIssue>,
    /// A list page: where the stored list goes on after it (`None`: it ends there).
    pub more: Option<(f64, String)>,
}

/// What [`RecordLog::locate_messages`] read of one message: the conversation its own stored
/// record names (none when storage has none, or one that cannot be read), and the stored
/// conversations whose list entry names it as their latest message, each with its URN.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredPlaces {
    pub conversation: Option<ConversationId>,
    pub latest_of: Vec<(ConversationId, String)>,
}

impl LoadedList {
    /// Reads `rows` of `account`'s `Conversations` records in (a record under another key is
    /// skipped and named).
    fn read(&mut self, account: &AccountId, rows: Vec<(String, String)>) {
        for (key, json) in rows {
            let read =
                stored_json::from_json::<ConversationRecord>(json.as_bytes()).and_then(|c| {
                    if key == key_of(account, c.id.as_str()) {
                        Ok(c)
                    } else {
                        Err(format!("names conversation {:?}", c.id.as_str()))
                    }
                });
            match read {
                Ok(c) => self.records.push(c),
                Err(reason) => self.issues.push(RestoreIssue::CorruptRecord {
                    table: Table::Conversations.name().to_owned(),
                    key,
                    reason,
                }),
            }
        }
    }
}

/// The engine's `Persist` effects as records of a [`RecordStorage`], one transaction each.
///
/// A snapshot clears every table and puts every record; a delta puts the changed records and
/// deletes the removed ones. Either lands whole or not at all, so storage always holds the
/// state after some step. With this layout a driver sets `EngineConfig::snapshot_every` to
/// `u32::MAX`: deltas never pile up, and a snapshot is written only into a new store and after a failed
/// write (the engine's `storage_behind`).
#[derive(Debug)]
pub struct RecordLog<S> {
    storage: S,
    /// Each account's record as stored (a delta carries some of its fields only).
    accounts: RefCell<SmallMap<AccountId, AccountRecord>>,
    /// The layout a write stamps in `Meta`: [`LAYOUT_VERSION`], or [`LAYOUT_V1`] while a
    /// layout-1 store could not be migrated (its summaries are not whole yet, so the next open
    /// must compute them again).
    layout: Cell<u32>,
    /// The layout the last load found stamped in `Meta`.
    found: Cell<u32>,
    /// The JSON text of `Meta` and of each account record as this log's last write that
    /// carried them landed (nothing after a load or a migration): a delta whose record is the
    /// same text leaves it out, as it is on disk already. Most deltas (a page merged, a read
    /// mark) change neither, and each put is a request in the transaction (issue 15).
    landed: RefCell<Landed>,
}

/// What [`RecordLog::write`] knows is on disk, byte for byte (see `RecordLog::landed`).
#[derive(Debug, Default)]
struct Landed {
    meta: Option<String>,
    accounts: SmallMap<AccountId, String>,
}

impl<S: RecordStorage> RecordLog<S> {
    /// A log over `storage` (nothing is read until [`RecordLog::load`]).
    pub fn new(storage: S) -> RecordLog<S> {
        RecordLog {
            storage,
            accounts: RefCell::new(SmallMap::new()),
            layout: Cell::new(LAYOUT_VERSION),
            found: Cell::new(LAYOUT_VERSION),
            landed: RefCell::new(Landed::default()),
        }
    }

    /// The storage this log writes.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Reads every table into one snapshot-shaped `Records`. A record that cannot be read is
    /// skipped and named (`RestoreIssue::CorruptRecord`); a store of another layout version
    /// is not read at all (`UnsupportedVersion`, empty records). Only a failing storage is an
    /// error.
    pub async fn load(&self) -> Result<LoadedRecords, StorageError> {
        self.load_tables(&Table::ALL).await
    }

    /// [`RecordLog::load`] of every table but `Messages`: what the engine needs to act
    /// (`Engine::restore_lazy`); each conversation's messages are read when an input needs
    /// them ([`RecordLog::load_conversation`]). `empty` then says nothing else was stored.
    pub async fn load_resident(&self) -> Result<LoadedRecords, StorageError> {
        const RESIDENT: [Table; 8] = [
            Table::Meta,
            Table::Accounts,
            Table::Conversations,
            Table::Tombstones,
            Table::Reactions,
            Table::Outbox,
            Table::Recalls,
            Table::Elsewhere,
        ];
        self.load_tables(&RESIDENT).await
    }

    /// What [`RecordLog::load_resident`] reads, but of the `Conversations` table only a window
    /// per account: its `window` newest by activity ([`RecordStorage::read_newest`]), and every
    /// conversation something needs at once (those of outbox entries, recall checks, Sales
    /// Navigator threads, and the summary's open gaps, by key: [`RecordStorage::read_keys`]).
    /// What opening costs is then the window and what is under way, not the history. Each
    /// account's [`AccountSummary`] carries what the list and the fills need of the rest, and
    /// `list_more` where its list goes on. A layout-1 store has neither the index nor the
    /// summaries yet: it is read whole, once, and migrated ([`RecordLog::load_resident`]).
    pub async fn load_window(&self, window: u32) -> Result<LoadedRecords, StorageError> {
        const OTHERS: [Table; 7] = [
            Table::Meta,
            Table::Accounts,
            Table::Tombstones,
            Table::Reactions,
            Table::Outbox,
            Table::Recalls,
            Table::Elsewhere,
        ];
        let mut out = self.load_tables(&OTHERS).await?;
        if self.found.get() == LAYOUT_V1 {
            return self.load_resident().await;
        }
        if out
            .issues
            .iter()
            .any(|i| matches!(i, RestoreIssue::UnsupportedVersion { .. }))
        {
            return Ok(out);
        }
        for a in &mut out.records.accounts {
            let account = a.account.clone();
            // One more than the window says whether the list goes on.
            let mut rows = self
                .storage
                .read_newest(&account.0, None, window.saturating_add(1))
                .await?;
            if rows.len() > window as usize {
                rows.truncate(window as usize);
                // Where the next page starts: after the window's last (its index fields).
                if let Some(c) = rows.last().and_then(|(_, j)| {
                    stored_json::from_json::<ConversationRecord>(j.as_bytes()).ok()
                }) {
                    let i = ConversationIndex::of(&account, &c);
                    out.list_more.set(account.clone(), (i.activity, i.id));
                }
            }
            let mut pinned: SmallSet<String> = SmallSet::new();
            for e in &a.outbox {
                for c in e.conversation.iter().chain(e.shown_in.iter()) {
                    pinned.insert(key_of(&account, c.as_str()));
                }
            }
            for c in &a.recalls {
                pinned.insert(key_of(&account, c.conversation.as_str()));
            }
            for (c, _) in &a.elsewhere {
                pinned.insert(key_of(&account, c.as_str()));
            }
            for c in out
                .summaries
                .get(&account)
                .into_iter()
                .flat_map(|s| &s.gaps)
            {
                pinned.insert(key_of(&account, c.as_str()));
            }
            for (k, _) in &rows {
                pinned.remove(k);
            }
            if !pinned.is_empty() {
                let keys: Vec<String> = pinned.into_iter().collect();
                rows.extend(self.storage.read_keys(Table::Conversations, &keys).await?);
            }
            let mut one = SmallMap::new();
            for (key, json) in rows {
                out.empty = false;
                if let Err(reason) = read_keyed(Table::Conversations, &key, &json, &mut one) {
                    out.issues.push(RestoreIssue::CorruptRecord {
                        table: Table::Conversations.name().to_owned(),
                        key,
                        reason,
                    });
                }
            }
            for (from, records) in one {
                if from == account {
                    a.conversations.extend(records.conversations);
                }
            }
        }
        Ok(out)
    }

    /// The stored messages of one conversation ([`RecordLog::load_conversations`] of one).
    pub async fn load_conversation(
        &self,
        account: &AccountId,
        conversation: &ConversationId,
    ) -> Result<LoadedConversation, StorageError> {
        let mut read = self
            .load_conversations(account, std::slice::from_ref(conversation))
            .await?;
        Ok(read.pop().unwrap_or_default())
    }

    /// The stored messages and record of each of `conversations`, in the order asked, read
    /// together through the storage's index ([`RecordStorage::read_conversations`]: one
    /// transaction however many; the answer to `Effect::Load`). A record that cannot be read,
    /// or names another account or conversation, is skipped and named; only a failing storage
    /// is an error (of the whole read).
    pub async fn load_conversations(
        &self,
        account: &AccountId,
        conversations: &[ConversationId],
    ) -> Result<Vec<LoadedConversation>, StorageError> {
        let asked: Vec<(String, String)> = conversations
            .iter()
            .map(|c| (c.as_str().to_owned(), key_of(account, c.as_str())))
            .collect();
        let rows = self.storage.read_conversations(&account.0, &asked).await?;
        let mut out = Vec::with_capacity(conversations.len());
        for (conversation, rows) in conversations.iter().zip(rows) {
            let ConversationRows { messages, record } = rows;
            let mut read = LoadedConversation::default();
            let mut list = LoadedList::default();
            list.read(account, record);
            read.record = list.records.pop().map(Box::new);
            read.issues = list.issues;
            let unnamed = messages.into_iter().map(|json| (None, json)).collect();
            if !Self::read_messages(conversation, unnamed, &mut read) {
                // A record could not be read: read the conversation's messages again with
                // their keys (one transaction: keys and values of one state), to name it.
                let keyed = self
                    .storage
                    .read_index(&account.0, conversation.as_str())
                    .await?;
                read.messages.clear();
                let named = keyed.into_iter().map(|(k, json)| (Some(k), json)).collect();
                Self::read_messages(conversation, named, &mut read);
            }
            out.push(read);
        }
        Ok(out)
    }

    /// Reads `rows` (each `(key if read, json)`) as `conversation`'s messages into `out`; a
    /// record that cannot be read, or names another conversation, is named in `out.issues`
    /// when its key was read. False (and nothing named) at the first such record without a
    /// key.
    fn read_messages(
        conversation: &ConversationId,
        rows: Vec<(Option<String>, String)>,
        out: &mut LoadedConversation,
    ) -> bool {
        for (key, json) in rows {
            let read = stored_json::from_json::<StoredMessage>(json.as_bytes()).and_then(|m| {
                if &m.conversation == conversation {
                    Ok(m)
                } else {
                    Err(format!("names conversation {:?}", m.conversation.as_str()))
                }
            });
            match (read, key) {
                (Ok(m), _) => out.messages.push(m),
                (Err(reason), Some(key)) => out.issues.push(RestoreIssue::CorruptRecord {
                    table: Table::Messages.name().to_owned(),
                    key,
                    reason,
                }),
                (Err(_), None) => return false,
            }
        }
        true
    }

    /// A page of `account`'s conversation list as stored: the `limit` newest records after
    /// `after` ([`RecordStorage::read_newest`]), and where the list goes on after them (the
    /// answer to `Effect::LoadList`).
    pub async fn load_list(
        &self,
        account: &AccountId,
        after: Option<(f64, String)>,
        limit: u32,
    ) -> Result<LoadedList, StorageError> {
        let mut rows = self
            .storage
            .read_newest(&account.0, after, limit.saturating_add(1))
            .await?;
        let goes_on = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let mut out = LoadedList::default();
        out.read(account, rows);
        if goes_on {
            out.more = out.records.last().map(|c| {
                let i = ConversationIndex::of(account, c);
                (i.activity, i.id)
            });
        }
        Ok(out)
    }

    /// Every stored conversation of `account` whose list entry names `profile` (a canonical
    /// profile id) among its participants, through the participant index (the answer to
    /// `Effect::LoadWith`).
    pub async fn load_with(
        &self,
        account: &AccountId,
        profile: &str,
    ) -> Result<LoadedList, StorageError> {
        let rows = self
            .storage
            .read_by(ConversationLookup::Participant, &key_of(account, profile))
            .await?;
        let mut out = LoadedList::default();
        out.read(account, rows);
        Ok(out)
    }

    /// Where storage says each of `messages` of `account` is, in the order asked: the
    /// conversation of its own record, and the conversations whose list entry names it as
    /// their latest message ([`RecordStorage::read_places`]: one transaction however many;
    /// the answer to `Effect::Locate`). A record that cannot be read, or names another
    /// message or account, tells nothing; only a failing storage is an error.
    pub async fn locate_messages(
        &self,
        account: &AccountId,
        messages: &[MessageId],
    ) -> Result<Vec<StoredPlaces>, StorageError> {
        let keys: Vec<String> = messages
            .iter()
            .map(|m| key_of(account, m.as_str()))
            .collect();
        let rows = self.storage.read_places(&keys).await?;
        Ok(messages
            .iter()
            .zip(rows)
            .map(|(id, rows)| {
                let conversation = rows
                    .message
                    .and_then(|json| stored_json::from_json::<StoredMessage>(json.as_bytes()).ok())
                    .filter(|m| &m.id == id)
                    .map(|m| m.conversation);
                let mut list = LoadedList::default();
                list.read(account, rows.latest);
                StoredPlaces {
                    conversation,
                    latest_of: list.records.into_iter().map(|c| (c.id, c.urn)).collect(),
                }
            })
            .collect())
    }

    async fn load_tables(&self, tables: &[Table]) -> Result<LoadedRecords, StorageError> {
        let read = self.storage.read_tables(tables).await?;
        let (mut out, layout) = self.read_loaded(tables, read);
        if layout == Some(LAYOUT_V1) && tables.contains(&Table::Conversations) {
            self.migrate_v1(&mut out).await;
        }
        Ok(out)
    }

    /// [`RecordLog::load_tables`] once `read` (a list of rows per table of `tables`) came:
    /// the records, and the layout found (`None` when this build cannot read it: then `out`
    /// holds nothing but that issue).
    #[inline(never)]
    fn read_loaded(
        &self,
        tables: &[Table],
        read: Vec<Vec<(String, String)>>,
    ) -> (LoadedRecords, Option<u32>) {
        let mut out = LoadedRecords {
            records: Records {
                version: STORE_VERSION,
                ..Records::default()
            },
            issues: Vec::new(),
            empty: true,
            written: false,
            summaries: SmallMap::new(),
            list_more: SmallMap::new(),
        };
        let mut layout = LAYOUT_VERSION;
        let mut accounts: SmallMap<AccountId, AccountRecords> = SmallMap::new();
        let mut stored: SmallMap<AccountId, AccountRecord> = SmallMap::new();
        for (&table, rows) in tables.iter().zip(read) {
            out.empty &= rows.is_empty();
            out.written |= matches!(table, Table::Meta | Table::Accounts) && !rows.is_empty();
            for (key, json) in rows {
                let read = match table {
                    Table::Meta if key == META_KEY => {
                        match stored_json::from_json::<MetaRecord>(json.as_bytes()) {
                            Ok(m) if m.layout == LAYOUT_VERSION || m.layout == LAYOUT_V1 => {
                                out.records.key_counter = m.key_counter;
                                layout = m.layout;
                                Ok(())
                            }
                            Ok(m) => {
                                out.issues.push(RestoreIssue::UnsupportedVersion {
                                    found: m.layout,
                                    expected: LAYOUT_VERSION,
                                });
                                out.records = Records {
                                    version: STORE_VERSION,
                                    ..Records::default()
                                };
                                out.empty = false;
                                self.accounts.borrow_mut().clear();
                                *self.landed.borrow_mut() = Landed::default();
                                return (out, None);
                            }
                            Err(e) => Err(e),
                        }
                    }
                    // Another build's meta record: not ours to read.
                    Table::Meta => Ok(()),
                    Table::Accounts => stored_json::from_json::<AccountRecord>(json.as_bytes())
                        .and_then(|r| {
                            if r.account.0 != key {
                                return Err(format!("names account {:?}", r.account.0.as_str()));
                            }
                            let a = account_of(&mut accounts, &r.account);
                            a.outbox_next_seq = r.outbox_next_seq;
                            a.quota = r.quota.clone();
                            a.own_profile = r.own_profile.clone();
                            a.tallies_seen = r.tallies_seen;
                            stored.set(r.account.clone(), r);
                            Ok(())
                        }),
                    _ => read_keyed(table, &key, &json, &mut accounts),
                };
                if let Err(reason) = read {
                    out.issues.push(RestoreIssue::CorruptRecord {
                        table: table.name().to_owned(),
                        key,
                        reason,
                    });
                }
            }
        }
        for a in accounts.values_mut() {
            // Never number a new entry before a stored one, even when the account record was
            // unreadable.
            let after = a.outbox.iter().map(|e| e.seq.saturating_add(1)).max();
            a.outbox_next_seq = a.outbox_next_seq.max(after.unwrap_or(0));
        }
        out.summaries = stored
            .iter()
            .map(|(a, r)| (a.clone(), r.summary.clone()))
            .collect();
        out.records.accounts = accounts.into_values().collect();
        *self.accounts.borrow_mut() = stored;
        *self.landed.borrow_mut() = Landed::default();
        self.found.set(layout);
        (out, Some(layout))
    }

    /// Brings a layout-1 store to layout 2, once, in one transaction: every conversation record
    /// rewritten with its [`ConversationIndex`], every account record with its
    /// [`AccountSummary`] (computed from every conversation `out` read), `Meta` stamped 2. Only a
    /// read of every conversation can compute the summaries, so this runs in a whole-table
    /// load. When the write fails nothing changed: this log keeps stamping layout 1 (so the
    /// next open computes the summaries again) and `out` says so (`CorruptRecord` of `meta`).
    async fn migrate_v1(&self, out: &mut LoadedRecords) {
        let mut ops = Vec::new();
        let mut stored = self.accounts.borrow().clone();
        let meta = MetaRecord {
            layout: LAYOUT_VERSION,
            key_counter: out.records.key_counter,
        };
        let built = (|| -> Result<(), StorageError> {
            ops.push(put(Table::Meta, META_KEY.to_owned(), to_json(&meta)?));
            for a in &out.records.accounts {
                let mut r = stored.remove(&a.account).unwrap_or_default();
                r.account = a.account.clone();
                r.outbox_next_seq = a.outbox_next_seq;
                r.quota = a.quota.clone();
                r.own_profile = a.own_profile.clone();
                r.tallies_seen = a.tallies_seen;
                r.summary = AccountSummary::of(&a.conversations);
                for c in &a.conversations {
                    ops.push(conversation_put(&a.account, c)?);
                }
                ops.push(put(Table::Accounts, a.account.0.clone(), to_json(&r)?));
                stored.set(a.account.clone(), r);
            }
            Ok(())
        })();
        // Whatever it wrote, the next write puts `Meta` and every account record again.
        *self.landed.borrow_mut() = Landed::default();
        let written = match built {
            Ok(()) => self.storage.apply(ops, false).await,
            Err(e) => Err(e),
        };
        match written {
            Ok(()) => {
                out.summaries = stored
                    .iter()
                    .map(|(a, r)| (a.clone(), r.summary.clone()))
                    .collect();
                *self.accounts.borrow_mut() = stored;
                self.layout.set(LAYOUT_VERSION);
            }
            Err(e) => {
                // The summaries this open computed are right for what it read: the engine may
                // use them; only storage keeps layout 1.
                out.summaries = stored
                    .iter()
                    .map(|(a, r)| (a.clone(), r.summary.clone()))
                    .collect();
                self.layout.set(LAYOUT_V1);
                out.issues.push(RestoreIssue::CorruptRecord {
                    table: Table::Meta.name().to_owned(),
                    key: META_KEY.to_owned(),
                    reason: format!(
                        "layout 1 not migrated to {LAYOUT_VERSION} ({}); tried again next open",
                        e.message
                    ),
                });
            }
        }
    }

    /// Writes one `Persist` effect as one transaction (`apply`): a snapshot replaces every
    /// table, a delta changes the records it names. Durable when it carries outbox entries or
    /// recall checks (a request waits for them).
    pub async fn write(&self, persist: &Persist) -> Result<(), StorageError> {
        let (records, snapshot) = match persist {
            Persist::Snapshot(r) => (r, true),
            Persist::Delta(r) => (r, false),
        };
        let mut ops = Vec::new();
        let mut stored = if snapshot {
            ops.extend(Table::ALL.map(|table| RecordOp::Clear { table }));
            SmallMap::new()
        } else {
            self.accounts.borrow().clone()
        };
        // A snapshot rewrites every record and summary: the layout is whole again.
        let layout = if snapshot {
            LAYOUT_VERSION
        } else {
            self.layout.get()
        };
        let meta = MetaRecord {
            layout,
            key_counter: records.key_counter,
        };
        // A record already on disk as the same text is left out of a delta (`landed`); a
        // snapshot clears every table and so writes them all.
        let mut landed = if snapshot {
            Landed::default()
        } else {
            let l = self.landed.borrow();
            Landed {
                meta: l.meta.clone(),
                accounts: l.accounts.clone(),
            }
        };
        let meta = to_json(&meta)?;
        if landed.meta.as_ref() != Some(&meta) {
            ops.push(put(Table::Meta, META_KEY.to_owned(), meta.clone()));
        }
        for r in &records.accounts {
            let account = stored.remove(&r.account).unwrap_or_default().merged(r);
            let json = to_json(&account)?;
            if landed.accounts.get(&r.account) != Some(&json) {
                ops.push(put(Table::Accounts, r.account.0.clone(), json.clone()));
                landed.accounts.set(r.account.clone(), json);
            }
            stored.set(r.account.clone(), account);
            account_ops(r, &mut ops)?;
        }
        // A write is never empty: storage that fails must fail this one too (the driver
        // reports a write that lands after a failed one as storage working again).
        if ops.is_empty() {
            ops.push(put(Table::Meta, META_KEY.to_owned(), meta.clone()));
        }
        landed.meta = Some(meta);
        let durable = records
            .accounts
            .iter()
            .any(|r| !r.outbox.is_empty() || !r.recalls.is_empty());
        self.storage.apply(ops, durable).await?;
        *self.accounts.borrow_mut() = stored;
        *self.landed.borrow_mut() = landed;
        self.layout.set(layout);
        Ok(())
    }

    /// Moves a store of the key-value layout (`PersistLog`: snapshot and deltas) into this
    /// one, once: only when this store holds nothing yet and `old` holds a snapshot. Its state
    /// is written as one snapshot (one transaction); only after that landed are the old keys
    /// removed (best effort: a key left behind is garbage no head names). Returns what the old
    /// store could not read, then `RestoreIssue::MigratedLayout`. An old snapshot that cannot
    /// be read at all (corrupt, another version) is reported and left where it is.
    ///
    /// On `Err` nothing was written here and the old store is untouched: the driver must not
    /// open this store empty over it (its first snapshot would end the migration for good);
    /// it reports the error and restores from `old` for this session.
    pub async fn migrate_from<K: Storage>(
        &self,
        old: &PersistLog<K>,
    ) -> Result<Vec<RestoreIssue>, StorageError> {
        // A log's first write puts `Meta` and its account records (later ones leave them out
        // only when unchanged): neither there, nothing was written.
        if !self.storage.read_all(Table::Meta).await?.is_empty()
            || !self.storage.read_all(Table::Accounts).await?.is_empty()
        {
            return Ok(Vec::new());
        }
        self.migrate_unwritten(old).await
    }

    /// What opening reads ([`RecordLog::load_window`]) when a key-value store may wait to be
    /// moved in: the small tables' one read also says whether this store was ever written
    /// ([`LoadedRecords::written`]), where [`RecordLog::migrate_from`]'s check read `Meta` (and
    /// `Accounts`) in transactions of their own first, on every open. Only an unwritten store
    /// takes `old` ([`RecordLog::migrate_from`]'s rules), then is read again when something
    /// moved; the migration's issues come first in the answer's.
    ///
    /// The outer `Err`: this store could not be read. The inner one: the migration failed,
    /// nothing was written here and `old` is untouched (run on `old` this time, as after
    /// [`RecordLog::migrate_from`]'s `Err`).
    pub async fn load_window_from<K: Storage>(
        &self,
        window: u32,
        old: &PersistLog<K>,
    ) -> Result<Result<LoadedRecords, StorageError>, StorageError> {
        let loaded = self.load_window(window).await?;
        if loaded.written {
            return Ok(Ok(loaded));
        }
        let issues = match self.migrate_unwritten(old).await {
            Ok(issues) => issues,
            Err(e) => return Ok(Err(e)),
        };
        let moved = issues
            .iter()
            .any(|i| matches!(i, RestoreIssue::MigratedLayout { .. }));
        let mut loaded = if moved {
            self.load_window(window).await?
        } else {
            loaded
        };
        // The migration's issues first (an `append`, not a `splice`: issue 15, its Splice and
        // Drain code was in the module for this one call).
        let mut all = issues;
        all.append(&mut loaded.issues);
        loaded.issues = all;
        Ok(Ok(loaded))
    }

    /// [`RecordLog::migrate_from`] once its check found this store never written.
    async fn migrate_unwritten<K: Storage>(
        &self,
        old: &PersistLog<K>,
    ) -> Result<Vec<RestoreIssue>, StorageError> {
        let stored = old.load().await?;
        let mut issues = stored.issues;
        let Some(snapshot) = stored.snapshot.as_deref() else {
            return Ok(issues);
        };
        let loaded = persist::load(Some(snapshot), &stored.deltas);
        let unreadable = loaded.issues.iter().any(|i| {
            matches!(
                i,
                RestoreIssue::CorruptSnapshot { .. } | RestoreIssue::UnsupportedVersion { .. }
            )
        });
        issues.extend(loaded.issues);
        if unreadable {
            return Ok(issues);
        }
        let messages = loaded.accounts.values().map(|s| s.message_count()).sum();
        let records = persist::snapshot_of(&loaded.accounts, loaded.key_counter);
        self.write(&Persist::Snapshot(records)).await?;
        let _ = old.clear().await;
        issues.push(RestoreIssue::MigratedLayout { messages });
        Ok(issues)
    }
}

/// The records of one account as puts and deletes, in the order `AccountStore` applies them.
fn account_ops(r: &AccountRecords, ops: &mut Vec<RecordOp>) -> Result<(), StorageError> {
    let a = &r.account;
    for c in &r.conversations {
        ops.push(conversation_put(a, c)?);
    }
    for m in &r.messages {
        ops.push(RecordOp::Put {
            table: Table::Messages,
            record: Record {
                key: key_of(a, m.id.as_str()),
                json: to_json(m)?,
                index: Some(MessageIndex {
                    account: a.0.clone(),
                    conversation: m.conversation.as_str().to_owned(),
                    sent_at: m.sent_at.get() as f64,
                }),
                listing: None,
            },
        });
    }
    for id in &r.removed_messages {
        ops.push(delete(Table::Messages, key_of(a, id.as_str())));
    }
    for id in &r.tombstones {
        let conversation = r
            .recalled_in
            .iter()
            .find(|(m, _)| m == id)
            .map(|(_, c)| c.clone());
        let t = TombstoneRecord {
            message: id.clone(),
            conversation,
        };
        ops.push(delete(Table::Messages, key_of(a, id.as_str())));
        ops.push(put(Table::Tombstones, key_of(a, id.as_str()), to_json(&t)?));
    }
    for (conversation, sent) in &r.elsewhere {
        let key = key_of(a, conversation.as_str());
        if sent.is_empty() {
            ops.push(delete(Table::Elsewhere, key));
        } else {
            let e = ElsewhereRecord {
                conversation: conversation.clone(),
                sent: sent.clone(),
            };
            ops.push(put(Table::Elsewhere, key, to_json(&e)?));
        }
    }
    for (key, fact) in &r.reactions {
        let rec = ReactionRecord {
            key: key.clone(),
            fact: *fact,
        };
        ops.push(put(Table::Reactions, reaction_key(a, key), to_json(&rec)?));
    }
    for key in &r.removed_reactions {
        ops.push(delete(Table::Reactions, reaction_key(a, key)));
    }
    for e in &r.outbox {
        ops.push(put(Table::Outbox, key_of(a, &e.key.0), to_json(e)?));
    }
    for key in &r.removed_outbox {
        ops.push(delete(Table::Outbox, key_of(a, &key.0)));
    }
    for c in &r.recalls {
        ops.push(put(
            Table::Recalls,
            key_of(a, c.message.as_str()),
            to_json(c)?,
        ));
    }
    for id in &r.removed_recalls {
        ops.push(delete(Table::Recalls, key_of(a, id.as_str())));
    }
    Ok(())
}

/// The record of conversation `c` of `account`, with its index fields.
fn conversation_put(account: &AccountId, c: &ConversationRecord) -> Result<RecordOp, StorageError> {
    Ok(RecordOp::Put {
        table: Table::Conversations,
        record: Record {
            key: key_of(account, c.id.as_str()),
            json: to_json(c)?,
            index: None,
            listing: Some(ConversationIndex::of(account, c)),
        },
    })
}

fn account_of<'a>(
    accounts: &'a mut SmallMap<AccountId, AccountRecords>,
    account: &AccountId,
) -> &'a mut AccountRecords {
    accounts
        .entry(account.clone())
        .or_insert_with(|| AccountRecords {
            account: account.clone(),
            ..AccountRecords::default()
        })
}

/// Reads one record keyed `<account>␁<id>` into its account's records, or says why not.
fn read_keyed(
    table: Table,
    key: &str,
    json: &str,
    accounts: &mut SmallMap<AccountId, AccountRecords>,
) -> Result<(), String> {
    let (account, _) = key
        .split_once(KEY_SEP)
        .ok_or_else(|| "no account in the key".to_owned())?;
    let account = AccountId(account.to_owned());
    fn parse<T: FromStored>(json: &str) -> Result<T, String> {
        stored_json::from_json(json.as_bytes())
    }
    match table {
        Table::Conversations => {
            let c: ConversationRecord = parse(json)?;
            account_of(accounts, &account).conversations.push(c);
        }
        Table::Messages => {
            let m: StoredMessage = parse(json)?;
            account_of(accounts, &account).messages.push(m);
        }
        Table::Tombstones => {
            let t: TombstoneRecord = parse(json)?;
            let a = account_of(accounts, &account);
            if let Some(c) = t.conversation {
                a.recalled_in.push((t.message.clone(), c));
            }
            a.tombstones.push(t.message);
        }
        Table::Reactions => {
            let r: ReactionRecord = parse(json)?;
            account_of(accounts, &account)
                .reactions
                .push((r.key, r.fact));
        }
        Table::Outbox => {
            let e: OutboxEntry = parse(json)?;
            account_of(accounts, &account).outbox.push(e);
        }
        Table::Recalls => {
            let c: RecallCheck = parse(json)?;
            account_of(accounts, &account).recalls.push(c);
        }
        Table::Elsewhere => {
            let e: ElsewhereRecord = parse(json)?;
            account_of(accounts, &account)
                .elsewhere
                .push((e.conversation, e.sent));
        }
        Table::Meta | Table::Accounts => return Err("not a keyed table".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn put(table: Table, key: &str, json: &str) -> RecordOp {
        RecordOp::Put {
            table,
            record: Record {
                key: key.into(),
                json: json.into(),
                index: None,
                listing: None,
            },
        }
    }

    fn ready<F: Future>(f: F) -> F::Output {
        // Memory storage never waits: one poll finishes it.
        let mut f = std::pin::pin!(f);
        let waker = std::task::Waker::noop();
        match f.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => unreachable!("memory storage does not wait"),
        }
    }

    #[test]
    fn a_failed_transaction_leaves_nothing_and_the_next_one_lands() {
        let m = MemoryRecords::default();
        ready(m.apply(vec![put(Table::Meta, "a", "1")], false)).unwrap();
        *m.fail_next.borrow_mut() = Some("full".into());
        let err = ready(m.apply(
            vec![
                put(Table::Meta, "b", "2"),
                RecordOp::Clear { table: Table::Meta },
            ],
            true,
        ))
        .unwrap_err();
        assert_eq!(err.message, "full");
        assert_eq!(
            ready(m.read_all(Table::Meta)).unwrap(),
            vec![("a".to_owned(), "1".to_owned())]
        );
        ready(m.apply(
            vec![
                RecordOp::Delete {
                    table: Table::Meta,
                    key: "a".into(),
                },
                put(Table::Meta, "c", "3"),
            ],
            false,
        ))
        .unwrap();
        assert_eq!(
            ready(m.read_all(Table::Meta)).unwrap(),
            vec![("c".to_owned(), "3".to_owned())]
        );
    }

    // ----- the log over the engine's records -----

    use crate::sync::{Engine, EngineConfig, MemoryKv};

    /// When `tests/fixtures/store_kv_v1.json` was written (see tests/fixtures/README.md).
    const FIXTURE_NOW: i64 = 1_772_452_812_000;

    fn fixture_kv() -> MemoryKv {
        let map: BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../tests/fixtures/store_kv_v1.json")).unwrap();
        MemoryKv(Rc::new(RefCell::new(map)))
    }

    /// What an engine restored from a key-value store holds.
    fn restored_from_kv(kv: &MemoryKv) -> Engine {
        let stored = ready(PersistLog::new(kv.clone(), "threadline").load()).unwrap();
        assert!(stored.issues.is_empty(), "{:?}", stored.issues);
        let (engine, issues) = Engine::restore(
            EngineConfig::default(),
            stored.snapshot.as_deref(),
            &stored.deltas,
            FIXTURE_NOW,
        );
        assert!(issues.is_empty(), "{issues:?}");
        engine
    }

    /// What an engine restored from a record store holds, and the issues.
    /// A storage that records what it was asked to read (and reads `inner`).
    #[derive(Clone, Default)]
    struct Counting {
        inner: MemoryRecords,
        reads: Rc<RefCell<Vec<Vec<Table>>>>,
        /// Records read of `Conversations`, by any call.
        rows: Rc<RefCell<usize>>,
        /// Every transaction asked for, landed or not.
        applied: Rc<RefCell<Vec<Vec<RecordOp>>>>,
    }

    impl Counting {
        fn count(&self, table: Table, n: usize) {
            if table == Table::Conversations {
                *self.rows.borrow_mut() += n;
            }
        }
    }

    impl RecordStorage for Counting {
        async fn read_all(&self, table: Table) -> Result<Vec<(String, String)>, StorageError> {
            self.reads.borrow_mut().push(vec![table]);
            let rows = self.inner.read_all(table).await?;
            self.count(table, rows.len());
            Ok(rows)
        }
        async fn read_tables(
            &self,
            tables: &[Table],
        ) -> Result<Vec<Vec<(String, String)>>, StorageError> {
            self.reads.borrow_mut().push(tables.to_vec());
            let mut out = Vec::new();
            for &t in tables {
                let rows = self.inner.read_all(t).await?;
                self.count(t, rows.len());
                out.push(rows);
            }
            Ok(out)
        }
        async fn read_index(
            &self,
            account: &str,
            conversation: &str,
        ) -> Result<Vec<(String, String)>, StorageError> {
            self.inner.read_index(account, conversation).await
        }
        async fn read_newest(
            &self,
            account: &str,
            after: Option<(f64, String)>,
            limit: u32,
        ) -> Result<Vec<(String, String)>, StorageError> {
            self.reads.borrow_mut().push(vec![Table::Conversations]);
            let rows = self.inner.read_newest(account, after, limit).await?;
            self.count(Table::Conversations, rows.len());
            Ok(rows)
        }
        async fn read_by(
            &self,
            by: ConversationLookup,
            key: &str,
        ) -> Result<Vec<(String, String)>, StorageError> {
            self.reads.borrow_mut().push(vec![Table::Conversations]);
            let rows = self.inner.read_by(by, key).await?;
            self.count(Table::Conversations, rows.len());
            Ok(rows)
        }
        async fn read_keys(
            &self,
            table: Table,
            keys: &[String],
        ) -> Result<Vec<(String, String)>, StorageError> {
            self.reads.borrow_mut().push(vec![table]);
            let rows = self.inner.read_keys(table, keys).await?;
            self.count(table, rows.len());
            Ok(rows)
        }
        async fn apply(&self, ops: Vec<RecordOp>, durable: bool) -> Result<(), StorageError> {
            self.applied.borrow_mut().push(ops.clone());
            self.inner.apply(ops, durable).await
        }
    }

    #[test]
    fn opening_reads_every_table_it_needs_in_one_read_and_never_the_messages() {
        let records = MemoryRecords::default();
        ready(
            RecordLog::new(records.clone())
                .migrate_from(&PersistLog::new(fixture_kv(), "threadline")),
        )
        .unwrap();
        assert!(count(&records, Table::Messages) > 0);
        let storage = Counting {
            inner: records.clone(),
            ..Counting::default()
        };
        let loaded = ready(RecordLog::new(storage.clone()).load_resident()).unwrap();
        let reads = storage.reads.borrow().clone();
        assert_eq!(reads.len(), 1, "one read, not one per table: {reads:?}");
        assert!(!reads[0].contains(&Table::Messages), "{reads:?}");
        assert!(loaded
            .records
            .accounts
            .iter()
            .all(|a| a.messages.is_empty()));
        assert!(loaded
            .records
            .accounts
            .iter()
            .any(|a| !a.conversations.is_empty()));
        // What it read is what a table-by-table read of the same tables gives.
        let whole = ready(RecordLog::new(records).load()).unwrap();
        for (lazy, all) in loaded.records.accounts.iter().zip(&whole.records.accounts) {
            assert_eq!(lazy.conversations, all.conversations);
            assert_eq!(lazy.tombstones, all.tombstones);
            assert_eq!(lazy.reactions, all.reactions);
            assert_eq!(lazy.outbox, all.outbox);
        }
    }

    #[test]
    fn opening_with_a_store_to_migrate_reads_the_small_tables_once() {
        // A written store: the small tables' one read says so, and the old store (which still
        // holds a snapshot) is neither read nor touched.
        let records = MemoryRecords::default();
        ready(
            RecordLog::new(records.clone())
                .migrate_from(&PersistLog::new(fixture_kv(), "threadline")),
        )
        .unwrap();
        let storage = Counting {
            inner: records.clone(),
            ..Counting::default()
        };
        let old = fixture_kv();
        let loaded = ready(
            RecordLog::new(storage.clone())
                .load_window_from(50, &PersistLog::new(old.clone(), "threadline")),
        )
        .unwrap()
        .unwrap();
        let reads = storage.reads.borrow().clone();
        let plain = Counting {
            inner: records.clone(),
            ..Counting::default()
        };
        let expected = ready(RecordLog::new(plain.clone()).load_window(50)).unwrap();
        assert_eq!(
            reads,
            plain.reads.borrow().clone(),
            "what a plain window load reads, nothing more"
        );
        assert_eq!(reads.iter().filter(|r| r.contains(&Table::Meta)).count(), 1);
        assert!(
            loaded.written && loaded.issues.is_empty(),
            "{:?}",
            loaded.issues
        );
        assert_eq!(loaded.records, expected.records);
        assert_eq!(*old.0.borrow(), *fixture_kv().0.borrow());

        // An unwritten store takes the old one in, then reads what it wrote.
        let fresh = MemoryRecords::default();
        let old = fixture_kv();
        let log = RecordLog::new(fresh.clone());
        let loaded = ready(log.load_window_from(50, &PersistLog::new(old.clone(), "threadline")))
            .unwrap()
            .unwrap();
        assert!(matches!(
            loaded.issues.first(),
            Some(RestoreIssue::MigratedLayout { messages: 99 })
        ));
        assert!(old.0.borrow().is_empty());
        let again = ready(RecordLog::new(fresh.clone()).load_window(50)).unwrap();
        assert_eq!(loaded.records, again.records);
        assert!(loaded.written);

        // A migration that cannot be written: the inner error, the old store whole.
        let failing = MemoryRecords::default();
        *failing.fail_next.borrow_mut() = Some("quota".into());
        let old = fixture_kv();
        let err = ready(
            RecordLog::new(failing.clone())
                .load_window_from(50, &PersistLog::new(old.clone(), "threadline")),
        )
        .unwrap()
        .unwrap_err();
        assert!(err.full);
        assert_eq!(*old.0.borrow(), *fixture_kv().0.borrow());
    }

    fn restored_from_records(m: &MemoryRecords) -> (Engine, Vec<RestoreIssue>) {
        let loaded = ready(RecordLog::new(m.clone()).load()).unwrap();
        Engine::restore_records(
            EngineConfig::default(),
            loaded.records,
            loaded.issues,
            FIXTURE_NOW,
        )
    }

    /// Every view the user can open, for comparing two engines.
    fn views(e: &Engine) -> Vec<String> {
        let mut out = Vec::new();
        for (account, store) in &e.accounts {
            out.push(format!("{:?}", e.conversation_list(account)));
            out.push(format!("{:?}", e.status(account)));
            for c in store.conversations() {
                out.push(format!("{:?}", e.conversation_view(account, &c.id)));
            }
        }
        out
    }

    fn count(m: &MemoryRecords, table: Table) -> usize {
        m.tables.borrow().get(&table).map_or(0, BTreeMap::len)
    }

    #[test]
    fn the_stored_key_value_store_migrates_whole_and_opens_the_same() {
        let kv = fixture_kv();
        let expected = restored_from_kv(&fixture_kv());
        let records = MemoryRecords::default();
        let log = RecordLog::new(records.clone());
        let issues = ready(log.migrate_from(&PersistLog::new(kv.clone(), "threadline"))).unwrap();
        let messages: usize = expected.accounts.values().map(|s| s.message_count()).sum();
        assert_eq!(issues, vec![RestoreIssue::MigratedLayout { messages }]);
        assert_eq!(messages, 99);
        assert!(
            kv.0.borrow().is_empty(),
            "old keys removed: {:?}",
            kv.0.borrow().keys()
        );
        assert_eq!(count(&records, Table::Messages), messages);
        assert_eq!(count(&records, Table::Tombstones), 1);
        assert_eq!(count(&records, Table::Reactions), 1);
        assert_eq!(count(&records, Table::Outbox), 5);
        assert_eq!(count(&records, Table::Accounts), 2);
        let (engine, issues) = restored_from_records(&records);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(engine.snapshot(), expected.snapshot());
        assert_eq!(views(&engine), views(&expected));
        // Every message record carries what the indexes read.
        for r in records.tables.borrow()[&Table::Messages].values() {
            let index = r.index.as_ref().expect("a message index");
            assert!(r.key.starts_with(&format!("{}{KEY_SEP}", index.account)));
            assert!(index.sent_at > 0.0);
        }
        // Once: a second open finds the store in place and leaves everything alone.
        ready(kv.put("threadline:head", "stale")).unwrap();
        let again = ready(log.migrate_from(&PersistLog::new(kv.clone(), "threadline"))).unwrap();
        assert!(again.is_empty(), "{again:?}");
        assert!(kv.0.borrow().contains_key("threadline:head"));
    }

    #[test]
    fn a_migration_that_cannot_be_written_leaves_the_old_store_whole() {
        let kv = fixture_kv();
        let records = MemoryRecords::default();
        *records.fail_next.borrow_mut() = Some("quota".into());
        let log = RecordLog::new(records.clone());
        let err = ready(log.migrate_from(&PersistLog::new(kv.clone(), "threadline"))).unwrap_err();
        assert!(err.full);
        assert_eq!(*kv.0.borrow(), *fixture_kv().0.borrow());
        assert!(ready(log.load()).unwrap().empty);
    }

    #[test]
    fn an_unreadable_old_snapshot_is_reported_and_left_in_place() {
        let kv = fixture_kv();
        ready(kv.put("threadline:snapshot:3", "{\"version\":9}")).unwrap();
        let records = MemoryRecords::default();
        let issues = ready(
            RecordLog::new(records.clone())
                .migrate_from(&PersistLog::new(kv.clone(), "threadline")),
        )
        .unwrap();
        assert_eq!(
            issues,
            vec![RestoreIssue::UnsupportedVersion {
                found: 9,
                expected: crate::sync::STORE_VERSION
            }]
        );
        assert!(kv.0.borrow().contains_key("threadline:snapshot:3"));
        assert!(records.tables.borrow().is_empty());
        // Nothing to migrate is no issue at all.
        let none = ready(
            RecordLog::new(MemoryRecords::default())
                .migrate_from(&PersistLog::new(MemoryKv::default(), "threadline")),
        )
        .unwrap();
        assert!(none.is_empty());
    }

    /// The same writes through both layouts read back the same state: a snapshot, then deltas
    /// that add, change and remove records of every kind.
    #[test]
    fn both_layouts_read_back_the_same_state_after_the_same_writes() {
        let base = restored_from_kv(&fixture_kv()).snapshot();
        let ada = base.accounts[0].clone();
        let mut d1 = AccountRecords {
            account: ada.account.clone(),
            outbox_next_seq: ada.outbox_next_seq,
            ..AccountRecords::default()
        };
        d1.removed_messages.push(ada.messages[0].id.clone());
        let gone = ada.messages[1].clone();
        d1.tombstones.push(gone.id.clone());
        d1.recalled_in
            .push((gone.id.clone(), gone.conversation.clone()));
        d1.removed_reactions.push(ada.reactions[0].0.clone());
        d1.removed_outbox.push(ada.outbox[0].key.clone());
        let mut changed = ada.messages[2].clone();
        changed.text = "edited body".into();
        d1.messages.push(changed);
        d1.quota = Some(QuotaUse::default());
        let mut d2 = AccountRecords {
            account: AccountId("someone new".into()),
            own_profile: Some("p".into()),
            tallies_seen: true,
            ..AccountRecords::default()
        };
        d2.conversations.push(ada.conversations[0].clone());
        d2.recalls.push(RecallCheck {
            message: ada.messages[3].id.clone(),
            conversation: ada.messages[3].conversation.clone(),
            since: crate::sync::Stamp::of_time(crate::sync::Millis(FIXTURE_NOW)),
            requested: true,
            ours: true,
        });
        let writes = [
            Persist::Snapshot(base.clone()),
            Persist::Delta(Records {
                version: STORE_VERSION,
                key_counter: base.key_counter + 1,
                accounts: vec![d1],
            }),
            Persist::Delta(Records {
                version: STORE_VERSION,
                key_counter: base.key_counter + 2,
                accounts: vec![d2],
            }),
        ];
        let kv = MemoryKv::default();
        let kv_log = PersistLog::new(kv.clone(), "threadline");
        let records = MemoryRecords::default();
        let log = RecordLog::new(records.clone());
        for w in &writes {
            ready(kv_log.write(w)).unwrap();
            ready(log.write(w)).unwrap();
        }
        let expected = restored_from_kv(&kv);
        let (engine, issues) = restored_from_records(&records);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(engine.snapshot(), expected.snapshot());
        assert_eq!(views(&engine), views(&expected));
        // The delta kept what it did not name: the account record is whole.
        let ada_now = &engine.snapshot().accounts[0];
        assert_eq!(ada_now.own_profile, ada.own_profile);
        assert_eq!(ada_now.quota, Some(QuotaUse::default()));
        // A log opened later goes on from what is stored (its account records included).
        let reopened = RecordLog::new(records.clone());
        ready(reopened.load()).unwrap();
        let d3 = AccountRecords {
            account: ada.account.clone(),
            outbox_next_seq: ada.outbox_next_seq,
            ..AccountRecords::default()
        };
        let w = Persist::Delta(Records {
            version: STORE_VERSION,
            key_counter: base.key_counter + 3,
            accounts: vec![d3],
        });
        ready(kv_log.write(&w)).unwrap();
        ready(reopened.write(&w)).unwrap();
        let (engine, _) = restored_from_records(&records);
        assert_eq!(engine.snapshot(), restored_from_kv(&kv).snapshot());
    }

    /// A delta leaves out `Meta` and an account record that are on disk as the same text
    /// already (a merged page writes its messages only); one that changes them, the first
    /// after a failed write that carried them, and one with nothing else to write put them.
    #[test]
    fn a_delta_writes_meta_and_account_records_only_when_they_changed() {
        let base = restored_from_kv(&fixture_kv()).snapshot();
        let storage = Counting::default();
        let log = RecordLog::new(storage.clone());
        ready(log.write(&Persist::Snapshot(base.clone()))).unwrap();
        let ada = base.accounts[0].clone();
        let delta = |key_counter: u64, f: &dyn Fn(&mut AccountRecords)| {
            let mut r = AccountRecords {
                account: ada.account.clone(),
                outbox_next_seq: ada.outbox_next_seq,
                ..AccountRecords::default()
            };
            f(&mut r);
            Persist::Delta(Records {
                version: STORE_VERSION,
                key_counter,
                accounts: vec![r],
            })
        };
        let table_of = |op: &RecordOp| match op {
            RecordOp::Put { table, .. }
            | RecordOp::Delete { table, .. }
            | RecordOp::Clear { table } => *table,
        };
        let tables = |w: &Persist| -> Vec<Table> {
            storage.applied.borrow_mut().clear();
            ready(log.write(w)).unwrap();
            let applied = storage.applied.borrow();
            assert_eq!(applied.len(), 1, "one transaction");
            applied[0].iter().map(table_of).collect()
        };
        let mut changed = ada.messages[2].clone();
        changed.text = "edited body".into();
        let message = |r: &mut AccountRecords| r.messages.push(changed.clone());
        let kc = base.key_counter;
        assert_eq!(tables(&delta(kc, &message)), vec![Table::Messages]);
        assert_eq!(
            tables(&delta(kc + 1, &message)),
            vec![Table::Meta, Table::Messages]
        );
        let quota = |r: &mut AccountRecords| r.quota = Some(QuotaUse::default());
        assert_eq!(tables(&delta(kc + 1, &quota)), vec![Table::Accounts]);
        // Nothing but what is on disk: still one put, so a failing storage fails it.
        assert_eq!(tables(&delta(kc + 1, &|_| {})), vec![Table::Meta]);
        // A write that failed landed nothing: the next one puts what it carried again.
        let profile = |r: &mut AccountRecords| r.own_profile = Some("changed".into());
        *storage.inner.fail_next.borrow_mut() = Some("quota".into());
        assert!(ready(log.write(&delta(kc + 2, &profile))).is_err());
        assert_eq!(
            tables(&delta(kc + 2, &profile)),
            vec![Table::Meta, Table::Accounts]
        );
        // What is stored reads back as what every write said.
        let (engine, issues) = restored_from_records(&storage.inner);
        assert!(issues.is_empty(), "{issues:?}");
        let snap = engine.snapshot();
        assert_eq!(snap.key_counter, kc + 2);
        assert_eq!(snap.accounts[0].own_profile.as_deref(), Some("changed"));
        assert_eq!(snap.accounts[0].quota, Some(QuotaUse::default()));
        assert!(snap.accounts[0]
            .messages
            .iter()
            .any(|m| m.text == "edited body"));
        // A log opened on it knows nothing of what landed: its first delta puts both.
        let reopened = RecordLog::new(storage.clone());
        ready(reopened.load()).unwrap();
        storage.applied.borrow_mut().clear();
        ready(reopened.write(&delta(kc + 2, &message))).unwrap();
        let applied: Vec<Table> = storage.applied.borrow()[0].iter().map(table_of).collect();
        assert_eq!(applied, vec![Table::Meta, Table::Accounts, Table::Messages]);
    }

    #[test]
    fn a_failed_write_leaves_the_stored_state_and_a_snapshot_after_it_catches_up() {
        let base = restored_from_kv(&fixture_kv()).snapshot();
        let records = MemoryRecords::default();
        let log = RecordLog::new(records.clone());
        ready(log.write(&Persist::Snapshot(base.clone()))).unwrap();
        let before = records.tables.borrow().clone();
        *records.fail_next.borrow_mut() = Some("quota".into());
        let delta = Persist::Delta(Records {
            version: STORE_VERSION,
            key_counter: base.key_counter,
            accounts: vec![AccountRecords {
                account: base.accounts[0].account.clone(),
                own_profile: Some("changed".into()),
                ..AccountRecords::default()
            }],
        });
        assert!(ready(log.write(&delta)).unwrap_err().full);
        assert_eq!(*records.tables.borrow(), before);
        let mut after = base.clone();
        after.accounts.truncate(1);
        ready(log.write(&Persist::Snapshot(after.clone()))).unwrap();
        let (engine, _) = restored_from_records(&records);
        assert_eq!(engine.snapshot().accounts.len(), 1);
        assert_eq!(count(&records, Table::Accounts), 1);
    }

    #[test]
    fn an_unreadable_record_is_skipped_and_named_and_the_rest_is_used() {
        let base = restored_from_kv(&fixture_kv()).snapshot();
        let records = MemoryRecords::default();
        ready(RecordLog::new(records.clone()).write(&Persist::Snapshot(base.clone()))).unwrap();
        let key = {
            let mut tables = records.tables.borrow_mut();
            let messages = tables.get_mut(&Table::Messages).unwrap();
            let r = messages.values_mut().next().unwrap();
            r.json = "{\"id\":".into();
            r.key.clone()
        };
        let (engine, issues) = restored_from_records(&records);
        assert_eq!(issues.len(), 1, "{issues:?}");
        let RestoreIssue::CorruptRecord {
            table, key: named, ..
        } = &issues[0]
        else {
            panic!("{issues:?}")
        };
        assert_eq!((table.as_str(), named), ("messages", &key));
        let held: usize = engine.accounts.values().map(|s| s.message_count()).sum();
        assert_eq!(held, 98);
    }

    #[test]
    fn an_unreadable_account_record_loses_no_outbox_order() {
        let base = restored_from_kv(&fixture_kv()).snapshot();
        let records = MemoryRecords::default();
        ready(RecordLog::new(records.clone()).write(&Persist::Snapshot(base.clone()))).unwrap();
        let ada = &base.accounts[0];
        let newest = ada.outbox.iter().map(|e| e.seq).max().unwrap();
        ready(records.apply(vec![put(Table::Accounts, &ada.account.0, "][")], false)).unwrap();
        let loaded = ready(RecordLog::new(records).load()).unwrap();
        assert!(
            matches!(&loaded.issues[..], [RestoreIssue::CorruptRecord { table, .. }] if table == "accounts"),
            "{:?}",
            loaded.issues
        );
        assert!(loaded.records.accounts[0].outbox_next_seq > newest);
        assert_eq!(loaded.records.accounts[0].outbox.len(), ada.outbox.len());
    }

    #[test]
    fn a_store_of_another_layout_version_is_not_read() {
        let records = MemoryRecords::default();
        let base = restored_from_kv(&fixture_kv()).snapshot();
        ready(RecordLog::new(records.clone()).write(&Persist::Snapshot(base))).unwrap();
        ready(records.apply(
            vec![put(Table::Meta, "store", "{\"layout\":3,\"keyCounter\":9}")],
            false,
        ))
        .unwrap();
        let loaded = ready(RecordLog::new(records).load()).unwrap();
        assert_eq!(
            loaded.issues,
            vec![RestoreIssue::UnsupportedVersion {
                found: 3,
                expected: LAYOUT_VERSION
            }]
        );
        assert!(loaded.records.accounts.is_empty() && !loaded.empty);
        assert!(
            ready(RecordLog::new(MemoryRecords::default()).load())
                .unwrap()
                .empty
        );
    }

    // ----- the records' reader (stored_json) against serde's derived readers -----

    /// `json` read by `stored_json` and by serde's derived reader of `T`: both read it, to the
    /// same value, or neither does. Whether it read.
    fn reads_alike<T: FromStored + serde::de::DeserializeOwned + std::fmt::Debug>(
        json: &str,
    ) -> bool {
        let ours = stored_json::from_json::<T>(json.as_bytes());
        let derived = serde_json::from_str::<T>(json).map_err(|e| e.to_string());
        match (&ours, &derived) {
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{json}"),
            (Err(_), Err(_)) => {}
            // The one difference: serde's derived reader also reads a struct from an array
            // (positional; `[]` as every field's default under `#[serde(default)]`), which
            // nothing writes; stored_json refuses anything but an object.
            (Err(e), Ok(_)) if e.contains("sequence, expected a stored record (an object)") => {}
            _ => panic!("{json}\n stored_json: {ours:?}\n serde: {derived:?}"),
        }
        ours.is_ok()
    }

    /// `json` and the ways it can be wrong: each member of the objects at `paths` (JSON
    /// pointers) left out, `null`, given twice, of each other JSON type; a member of another
    /// name; the record not an object, or with something after it.
    fn variants(json: &str, paths: &[&str]) -> Vec<String> {
        use serde_json::{json, Value};
        let v: Value = serde_json::from_str(json).unwrap();
        let mut out = vec![
            json.to_owned(),
            format!("{json} x"),
            format!("{json}{{}}"),
            "[]".into(),
            "null".into(),
            "\"x\"".into(),
            json[..json.len() / 2].to_owned(),
        ];
        for path in paths {
            let Some(obj) = v.pointer(path).and_then(Value::as_object) else {
                panic!("no object at {path} in {json}")
            };
            let change = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
                let mut v = v.clone();
                f(v.pointer_mut(path).unwrap().as_object_mut().unwrap());
                v.to_string()
            };
            out.push(change(&|o| {
                o.insert("zzUnknown".into(), json!([1, {"a": null}]));
            }));
            for name in obj.keys() {
                out.push(change(&|o| {
                    o.remove(name);
                }));
                for other in [
                    Value::Null,
                    json!("x"),
                    json!(7),
                    json!(-1.5),
                    json!(true),
                    json!([]),
                    json!({}),
                ] {
                    out.push(change(&|o| {
                        o.insert(name.clone(), other.clone());
                    }));
                }
                // Given twice: the object's text with the member again in front.
                let mut twice = v.clone();
                let slot = twice.pointer_mut(path).unwrap();
                let text = slot.to_string();
                let member = serde_json::to_string(&json!({ name: obj[name] })).unwrap();
                let doubled = format!("{},{}", &member[..member.len() - 1], &text[1..]);
                *slot = json!("\u{0}twice\u{0}");
                out.push(
                    twice
                        .to_string()
                        .replace("\"\\u0000twice\\u0000\"", &doubled),
                );
            }
        }
        out
    }

    /// Every array in `v` cut to its first element (a small record with one of everything).
    fn one_of_each(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Array(a) => {
                a.truncate(1);
                a.iter_mut().for_each(one_of_each);
            }
            serde_json::Value::Object(o) => o.values_mut().for_each(one_of_each),
            _ => {}
        }
    }

    #[test]
    fn the_stored_records_read_as_serdes_derived_readers_read_them() {
        let (records, base) = fixture_records();
        // Tables the fixture leaves empty get a record of their own.
        let ada = &base.accounts[0];
        let m = &ada.messages[0];
        let recall = RecallCheck {
            message: m.id.clone(),
            conversation: m.conversation.clone(),
            since: crate::sync::Stamp::from_raw(5),
            requested: true,
            ours: false,
        };
        // An attachment with every field, on the message and the kept send read below.
        let attachment = crate::model::Attachment {
            asset_urn: "urn:li:digitalmediaAsset:A".into(),
            byte_size: 3,
            media_type: "text/plain".into(),
            name: "a.txt".into(),
            url: Some("https://example.com/a".into()),
        };
        let elsewhere = ElsewhereRecord {
            conversation: m.conversation.clone(),
            sent: vec![ElsewhereSent {
                key: crate::sync::ClientKey("k-1".into()),
                text: "hi".into(),
                subject: Some("s".into()),
                attachments: vec![attachment.clone()],
                sent_at: crate::sync::Millis(9),
                message_urn: None,
            }],
        };
        // A message with a reaction tally of one entry, read (in every wrong way) first.
        let mut tallied = m.clone();
        tallied.attachments = vec![attachment];
        tallied.tally = Some(crate::sync::Tally {
            stamp: crate::sync::Stamp::from_raw(6),
            entries: vec![crate::model::ReactionSummary {
                emoji: "x".into(),
                count: 2,
                viewer_reacted: true,
            }],
        });
        let mut rows: Vec<(Table, String)> = vec![
            (Table::Messages, serde_json::to_string(&tallied).unwrap()),
            (Table::Recalls, serde_json::to_string(&recall).unwrap()),
            (Table::Elsewhere, serde_json::to_string(&elsewhere).unwrap()),
        ];
        for (&table, t) in records.tables.borrow().iter() {
            rows.extend(t.values().map(|r| (table, r.json.clone())));
        }
        let mut seen = BTreeSet::new();
        let (mut read, mut refused) = (0, 0);
        for (table, json) in rows {
            // Every record as it is; the first of each table in every wrong way too.
            let first = seen.insert(table);
            let cases = match (first, table) {
                (false, _) => vec![json],
                (true, Table::Conversations) => variants(&json, &["", "/history", "/meta"]),
                (true, Table::Accounts) => variants(&json, &["", "/summary", "/quota"]),
                (true, Table::Messages) => {
                    variants(&json, &["", "/tally", "/tally/entries/0", "/attachments/0"])
                }
                (true, Table::Reactions) => variants(&json, &["", "/key", "/fact"]),
                (true, Table::Outbox) => variants(&json, &["", "/state"]),
                (true, Table::Elsewhere) => {
                    variants(&json, &["", "/sent/0", "/sent/0/attachments/0"])
                }
                (true, _) => variants(&json, &[""]),
            };
            for json in cases {
                let ok = match table {
                    Table::Meta => reads_alike::<MetaRecord>(&json),
                    Table::Accounts => reads_alike::<AccountRecord>(&json),
                    Table::Conversations => reads_alike::<ConversationRecord>(&json),
                    Table::Messages => reads_alike::<StoredMessage>(&json),
                    Table::Tombstones => reads_alike::<TombstoneRecord>(&json),
                    Table::Reactions => reads_alike::<ReactionRecord>(&json),
                    Table::Outbox => reads_alike::<OutboxEntry>(&json),
                    Table::Recalls => reads_alike::<RecallCheck>(&json),
                    Table::Elsewhere => reads_alike::<ElsewhereRecord>(&json),
                };
                if ok {
                    read += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert_eq!(seen.len(), Table::ALL.len(), "a record of every table");
        // The key-value layout: the whole snapshot, and a small one in every wrong way.
        let snapshot = serde_json::to_string(&base).unwrap();
        assert!(reads_alike::<Records>(&snapshot));
        let mut small: serde_json::Value = serde_json::from_str(&snapshot).unwrap();
        one_of_each(&mut small);
        // Whole pairs (one_of_each cut them to their first half): a reaction, a removed
        // reaction's key, a thread's kept Sales Navigator sends.
        let pair = serde_json::to_value(&ada.reactions[0]).unwrap();
        let account = small.pointer_mut("/accounts/0").unwrap();
        account["reactions"] = serde_json::json!([pair]);
        account["removedReactions"] = serde_json::json!([pair[0]]);
        account["elsewhere"] = serde_json::json!([[elsewhere.conversation, elsewhere.sent]]);
        let paths = [
            "",
            "/accounts/0",
            "/accounts/0/conversations/0",
            "/accounts/0/conversations/0/history",
            "/accounts/0/conversations/0/meta",
            "/accounts/0/messages/0",
            "/accounts/0/messages/0/tally",
            "/accounts/0/quota",
            "/accounts/0/outbox/0",
            "/accounts/0/outbox/0/state",
            "/accounts/0/reactions/0/0",
            "/accounts/0/reactions/0/1",
            "/accounts/0/removedReactions/0",
            "/accounts/0/elsewhere/0/1/0",
        ];
        for json in variants(&small.to_string(), &paths) {
            if reads_alike::<Records>(&json) {
                read += 1;
            } else {
                refused += 1;
            }
        }
        // Both kinds were tried (a reader that refused everything would not pass).
        assert!(
            read > 100 && refused > 100,
            "{read} read, {refused} refused"
        );
    }

    // ----- layout 2: the conversation indexes and the account summaries -----

    /// The fixture written as one snapshot into a fresh record store.
    fn fixture_records() -> (MemoryRecords, Records) {
        let base = restored_from_kv(&fixture_kv()).snapshot();
        let records = MemoryRecords::default();
        ready(RecordLog::new(records.clone()).write(&Persist::Snapshot(base.clone()))).unwrap();
        (records, base)
    }

    /// `records` as a layout-1 store holds them: no conversation index, no summary fields in
    /// the account records, `Meta` stamped 1.
    fn as_layout_1(records: &MemoryRecords) {
        let mut tables = records.tables.borrow_mut();
        for r in tables.get_mut(&Table::Conversations).unwrap().values_mut() {
            r.listing = None;
        }
        for r in tables.get_mut(&Table::Accounts).unwrap().values_mut() {
            let mut v: serde_json::Value = serde_json::from_str(&r.json).unwrap();
            let o = v.as_object_mut().unwrap();
            assert!(o.remove("summary").is_some());
            r.json = v.to_string();
        }
        let meta = tables
            .get_mut(&Table::Meta)
            .unwrap()
            .get_mut(META_KEY)
            .unwrap();
        meta.json = meta.json.replace("\"layout\":2", "\"layout\":1");
        assert!(meta.json.contains("\"layout\":1"), "{}", meta.json);
    }

    /// What layout 2 must hold for `loaded`: every conversation record indexed, every
    /// account's summary that of its conversations.
    fn assert_layout_2(records: &MemoryRecords, loaded: &LoadedRecords) {
        let tables = records.tables.borrow();
        assert!(tables[&Table::Meta][META_KEY].json.contains("\"layout\":2"));
        for a in &loaded.records.accounts {
            assert_eq!(
                loaded.summaries.get(&a.account),
                Some(&AccountSummary::of(&a.conversations)),
                "{:?}",
                a.account
            );
            for c in &a.conversations {
                let r = &tables[&Table::Conversations][&key_of(&a.account, c.id.as_str())];
                assert_eq!(r.listing, Some(ConversationIndex::of(&a.account, c)));
            }
        }
    }

    #[test]
    fn a_layout_1_store_is_migrated_once_and_reads_the_same() {
        let (records, _) = fixture_records();
        let expected = ready(RecordLog::new(records.clone()).load()).unwrap();
        assert!(expected.issues.is_empty(), "{:?}", expected.issues);
        as_layout_1(&records);
        let loaded = ready(RecordLog::new(records.clone()).load()).unwrap();
        assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
        assert_eq!(loaded.records, expected.records);
        assert_eq!(loaded.summaries, expected.summaries);
        assert_layout_2(&records, &loaded);
        // The fixture has something to summarize.
        assert!(loaded.summaries.values().any(|s| s.total_unread() > 0));
        // Once: the next open writes nothing.
        let before = records.tables.borrow().clone();
        *records.fail_next.borrow_mut() = Some("no write expected".into());
        let again = ready(RecordLog::new(records.clone()).load()).unwrap();
        assert!(again.issues.is_empty(), "{:?}", again.issues);
        assert_eq!(*records.tables.borrow(), before);
        // The lazy open migrates too (it reads the conversations whole, for now).
        let (lazy, _) = fixture_records();
        as_layout_1(&lazy);
        let loaded = ready(RecordLog::new(lazy.clone()).load_resident()).unwrap();
        assert_layout_2(&lazy, &loaded);
    }

    #[test]
    fn a_migration_that_cannot_be_written_is_tried_again_and_loses_nothing() {
        let (records, base) = fixture_records();
        as_layout_1(&records);
        let layout_1 = records.tables.borrow().clone();
        *records.fail_next.borrow_mut() = Some("quota".into());
        let log = RecordLog::new(records.clone());
        let loaded = ready(log.load()).unwrap();
        assert!(
            matches!(&loaded.issues[..], [RestoreIssue::CorruptRecord { table, .. }] if table == "meta"),
            "{:?}",
            loaded.issues
        );
        assert_eq!(*records.tables.borrow(), layout_1);
        // The summaries are right for this session even so.
        for a in &loaded.records.accounts {
            assert_eq!(
                loaded.summaries[&a.account],
                AccountSummary::of(&a.conversations)
            );
        }
        // A delta written meanwhile keeps layout 1 stamped: its summary is not whole yet.
        let d = Persist::Delta(Records {
            version: STORE_VERSION,
            key_counter: base.key_counter + 1,
            accounts: vec![AccountRecords {
                account: base.accounts[0].account.clone(),
                own_profile: Some("changed".into()),
                ..AccountRecords::default()
            }],
        });
        ready(log.write(&d)).unwrap();
        assert!(records.tables.borrow()[&Table::Meta][META_KEY]
            .json
            .contains("\"layout\":1"));
        let loaded = ready(RecordLog::new(records.clone()).load()).unwrap();
        assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
        assert_layout_2(&records, &loaded);
        assert_eq!(
            loaded.records.accounts[0].own_profile.as_deref(),
            Some("changed")
        );
    }

    #[test]
    fn every_write_keeps_the_indexes_and_the_summaries_of_what_it_changes() {
        let (records, base) = fixture_records();
        let log = RecordLog::new(records.clone());
        ready(log.load()).unwrap();
        let ada = &base.accounts[0];
        // A gap opens in one conversation, another is read, a third gets unread messages.
        let mut changed = Vec::new();
        for (i, c) in ada.conversations.iter().take(3).enumerate() {
            let mut c = c.clone();
            match i {
                0 => c.history.gap = !c.history.gap,
                1 => c.read_at = crate::sync::Millis(i64::MAX),
                _ => {
                    c.read_at = crate::sync::Millis::MIN;
                    if let Some(m) = c.meta.as_mut() {
                        m.unread_count += 3;
                        m.last_activity_at = Some(FIXTURE_NOW + 1);
                    }
                }
            }
            changed.push(c);
        }
        let d = Persist::Delta(Records {
            version: STORE_VERSION,
            key_counter: base.key_counter + 1,
            accounts: vec![AccountRecords {
                account: ada.account.clone(),
                outbox_next_seq: ada.outbox_next_seq,
                conversations: changed,
                ..AccountRecords::default()
            }],
        });
        ready(log.write(&d)).unwrap();
        let loaded = ready(RecordLog::new(records.clone()).load()).unwrap();
        assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
        assert_layout_2(&records, &loaded);
        assert_ne!(
            loaded.summaries[&ada.account],
            AccountSummary::of(&ada.conversations)
        );
    }

    #[test]
    fn the_conversation_indexes_answer_what_the_engine_asks_of_every_conversation() {
        let (records, base) = fixture_records();
        // The fixture's list entries name no latest message URN: give one a message's.
        let ada = &base.accounts[0];
        let m = &ada.messages[0];
        let mut c = ada
            .conversations
            .iter()
            .find(|c| c.id == m.conversation && c.meta.is_some())
            .expect("a listed conversation with a message")
            .clone();
        if let Some(meta) = c.meta.as_mut() {
            let mut latest = meta.latest_message.clone().unwrap_or_default();
            latest.message_urn = Some(m.message_urn.clone());
            meta.latest_message = Some(latest);
        }
        let log = RecordLog::new(records.clone());
        ready(log.load()).unwrap();
        ready(log.write(&Persist::Delta(Records {
            version: STORE_VERSION,
            key_counter: base.key_counter,
            accounts: vec![AccountRecords {
                account: ada.account.clone(),
                outbox_next_seq: ada.outbox_next_seq,
                conversations: vec![c],
                ..AccountRecords::default()
            }],
        })))
        .unwrap();
        let (engine, _) = restored_from_records(&records);
        let (mut listed, mut by_participant, mut by_latest) = (0, 0, 0);
        for (account, store) in &engine.accounts {
            // The newest-first window, page by page, is the conversation list's order.
            let list: Vec<String> = engine
                .conversation_list(account)
                .into_iter()
                .map(|c| key_of(account, c.id.as_str()))
                .collect();
            listed += list.len();
            let mut paged = Vec::new();
            let mut after = None;
            loop {
                let page = ready(records.read_newest(&account.0, after.clone(), 1)).unwrap();
                if page.is_empty() {
                    break;
                }
                assert_eq!(page.len(), 1);
                let (key, json) = page.last().unwrap();
                let c: ConversationRecord = serde_json::from_str(json).unwrap();
                let i = ConversationIndex::of(account, &c);
                assert_eq!(key, &key_of(account, &i.id));
                after = Some((i.activity, i.id));
                paged.extend(page.into_iter().map(|(k, _)| k));
            }
            assert_eq!(paged, list);
            // Nothing of another account.
            assert!(ready(records.read_newest("nobody", None, 50))
                .unwrap()
                .is_empty());
            // Every 1:1 answer is among what the participant index gives for the profile, and
            // every listed latest message finds its conversation.
            for c in store.conversations() {
                let Some(meta) = &c.meta else { continue };
                for p in &meta.participants {
                    let Ok(profile) = crate::urn::ProfileId::parse(&p.profile_id) else {
                        continue;
                    };
                    let hits = ready(records.read_by(
                        ConversationLookup::Participant,
                        &key_of(account, profile.as_str()),
                    ))
                    .unwrap();
                    assert!(hits
                        .iter()
                        .any(|(k, _)| k == &key_of(account, c.id.as_str())));
                    by_participant += 1;
                    if let Some(urn) = engine.conversation_with(account, &profile) {
                        assert!(hits.iter().any(|(_, j)| {
                            serde_json::from_str::<ConversationRecord>(j).unwrap().urn == urn
                        }));
                    }
                }
                let latest = meta
                    .latest_message
                    .as_ref()
                    .and_then(|l| l.message_urn.as_deref())
                    .and_then(|u| MessageId::parse(u).ok());
                if let Some(m) = latest {
                    let hits = ready(
                        records.read_by(ConversationLookup::Latest, &key_of(account, m.as_str())),
                    )
                    .unwrap();
                    assert!(hits
                        .iter()
                        .any(|(k, _)| k == &key_of(account, c.id.as_str())));
                    by_latest += 1;
                }
            }
        }
        assert!(by_participant > 0 && by_latest > 0);
        assert!(listed > 2, "the fixture lists {listed} conversations");
    }

    // ----- opening a window of the conversation list -----

    /// The fixture with `extra` more conversations of its first account, older than every
    /// listed one (a long history), written as one snapshot.
    fn long_history(extra: usize) -> (MemoryRecords, Records) {
        let mut base = restored_from_kv(&fixture_kv()).snapshot();
        let ada = &mut base.accounts[0];
        let model = ada.conversations[0].clone();
        for i in 0..extra {
            let mut c = model.clone();
            c.id = ConversationId::parse(&format!("2-b2xkLXRocmVhZC0{i:06}")).expect("an id");
            c.urn = format!("urn:li:messagingThread:{}", c.id.as_str());
            if let Some(m) = c.meta.as_mut() {
                // Epoch ms (a smaller number reads back as seconds), older than the rest.
                m.last_activity_at = Some(1_700_000_000_000 + 1_000 * i as i64);
                m.unread_count = (i % 3) as u32;
            }
            c.history.gap = i % 50 == 7;
            ada.conversations.push(c);
        }
        let records = MemoryRecords::default();
        ready(RecordLog::new(records.clone()).write(&Persist::Snapshot(base.clone()))).unwrap();
        (records, base)
    }

    fn by_id(mut cs: Vec<ConversationRecord>) -> Vec<ConversationRecord> {
        cs.sort_by(|a, b| a.id.cmp(&b.id));
        cs
    }

    #[test]
    fn opening_a_window_reads_the_newest_and_what_is_under_way_not_the_table() {
        let (records, base) = long_history(400);
        let whole = ready(RecordLog::new(records.clone()).load_resident()).unwrap();
        let storage = Counting {
            inner: records.clone(),
            ..Counting::default()
        };
        let window = 3;
        let loaded = ready(RecordLog::new(storage.clone()).load_window(window)).unwrap();
        assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
        let stored: usize = base.accounts.iter().map(|a| a.conversations.len()).sum();
        assert!(stored > 400);
        // What a window costs: `window` per account and what is under way, not the table.
        let read = *storage.rows.borrow();
        let accounts = base.accounts.len();
        let mut pinned = 0;
        for (a, w) in whole.records.accounts.iter().zip(&loaded.records.accounts) {
            assert_eq!(a.account, w.account);
            let summary = &loaded.summaries[&a.account];
            assert_eq!(summary, &AccountSummary::of(&a.conversations));
            // The newest `window` of the list, in the list's order.
            let mut list: Vec<&ConversationRecord> = a.conversations.iter().collect();
            list.sort_by(|x, y| {
                y.last_activity()
                    .cmp(&x.last_activity())
                    .then(x.id.cmp(&y.id))
            });
            let newest: Vec<&ConversationId> =
                list.iter().take(window as usize).map(|c| &c.id).collect();
            let held: BTreeSet<&ConversationId> = w.conversations.iter().map(|c| &c.id).collect();
            for id in &newest {
                assert!(held.contains(id), "{id:?} of the window");
            }
            // Every conversation something is under way in, and every open gap.
            let mut needed: BTreeSet<&ConversationId> = BTreeSet::new();
            needed.extend(a.outbox.iter().flat_map(|e| e.conversation.iter()));
            needed.extend(a.outbox.iter().flat_map(|e| e.shown_in.iter()));
            needed.extend(a.recalls.iter().map(|c| &c.conversation));
            needed.extend(a.elsewhere.iter().map(|(c, _)| c));
            needed.extend(summary.gaps.iter());
            let stored: BTreeSet<&ConversationId> = a.conversations.iter().map(|c| &c.id).collect();
            for id in needed.iter().filter(|id| stored.contains(**id)) {
                assert!(held.contains(id), "{id:?} is under way");
            }
            assert!(held.len() <= window as usize + needed.len());
            pinned += needed.len();
            // Each one read whole and the same.
            for c in &w.conversations {
                assert!(a.conversations.contains(c));
            }
            // The rest of the account is read as a whole-table open reads it.
            assert_eq!(a.outbox, w.outbox);
            assert_eq!(a.tombstones, w.tombstones);
            assert_eq!(a.reactions, w.reactions);
            assert_eq!(a.recalls, w.recalls);
            // Where the list goes on: after the window's last.
            if list.len() > window as usize {
                let last = list[window as usize - 1];
                let i = ConversationIndex::of(&a.account, last);
                assert_eq!(loaded.list_more.get(&a.account), Some(&(i.activity, i.id)));
            } else {
                assert!(!loaded.list_more.contains_key(&a.account));
            }
        }
        assert!(
            read <= window as usize * accounts + pinned,
            "{read} records read of {stored}"
        );
        assert!(pinned > 0, "the fixture has work under way");
        assert!(base.accounts[0].conversations.iter().any(|c| c.history.gap));
        // A window as large as the list reads what the whole-table open reads.
        let all = ready(RecordLog::new(records.clone()).load_window(u32::MAX)).unwrap();
        assert!(all.list_more.is_empty());
        for (a, w) in whole.records.accounts.iter().zip(all.records.accounts) {
            assert_eq!(by_id(a.conversations.clone()), by_id(w.conversations));
        }
    }

    #[test]
    fn a_layout_1_store_is_read_whole_once_then_as_a_window() {
        let (records, _) = long_history(60);
        as_layout_1(&records);
        let storage = Counting {
            inner: records.clone(),
            ..Counting::default()
        };
        let first = ready(RecordLog::new(storage.clone()).load_window(2)).unwrap();
        assert!(first.issues.is_empty(), "{:?}", first.issues);
        assert!(
            *storage.rows.borrow() > 60,
            "the first open reads the table"
        );
        assert!(first.list_more.is_empty());
        assert_layout_2(&records, &first);
        *storage.rows.borrow_mut() = 0;
        let next = ready(RecordLog::new(storage.clone()).load_window(2)).unwrap();
        assert!(next.issues.is_empty(), "{:?}", next.issues);
        assert!(*storage.rows.borrow() < 30, "{}", storage.rows.borrow());
        assert_eq!(next.summaries, first.summaries);
    }

    // ----- the engine on a window -----

    /// Carries out an engine's reads (and writes) against `records` until none is asked; the
    /// reads of the conversation list and by participant asked on the way.
    fn carry_out(
        engine: &mut Engine,
        records: &MemoryRecords,
        mut effects: Vec<crate::sync::Effect>,
    ) -> Vec<crate::sync::Effect> {
        use crate::sync::{Effect, Input};
        let log = RecordLog::new(records.clone());
        let mut asked = Vec::new();
        while !effects.is_empty() {
            let mut next = Vec::new();
            for e in effects {
                let input = match &e {
                    Effect::Persist(p) => {
                        ready(log.write(p)).unwrap();
                        None
                    }
                    Effect::Load {
                        account,
                        conversations,
                    } => Some(Input::Loaded {
                        account: account.clone(),
                        conversations: conversations.clone(),
                        result: ready(log.load_conversations(account, conversations)),
                    }),
                    Effect::LoadList {
                        account,
                        after,
                        limit,
                    } => Some(Input::ListLoaded {
                        account: account.clone(),
                        profile: None,
                        result: ready(log.load_list(account, after.clone(), *limit)),
                    }),
                    Effect::LoadWith { account, profile } => Some(Input::ListLoaded {
                        account: account.clone(),
                        profile: Some(profile.clone()),
                        result: ready(log.load_with(account, profile)),
                    }),
                    _ => None,
                };
                if matches!(e, Effect::LoadList { .. } | Effect::LoadWith { .. }) {
                    asked.push(e.clone());
                }
                if let Some(input) = input {
                    next.extend(engine.handle(input, FIXTURE_NOW));
                }
            }
            effects = next;
        }
        asked
    }

    #[test]
    fn an_engine_on_a_window_pages_the_list_in_and_finds_a_persons_thread_by_the_index() {
        use crate::sync::{Command, Recipient};
        let (records, _) = long_history(40);
        let whole = ready(RecordLog::new(records.clone()).load_resident()).unwrap();
        let (all, _) = Engine::restore_lazy(
            EngineConfig::default(),
            whole.records,
            Vec::new(),
            FIXTURE_NOW,
        );
        let window = 3;
        let config = EngineConfig {
            conversation_window: 7,
            snapshot_every: u32::MAX,
            ..EngineConfig::default()
        };
        let loaded = ready(RecordLog::new(records.clone()).load_window(window)).unwrap();
        let (mut engine, issues) = Engine::restore_window(config, loaded, FIXTURE_NOW);
        assert!(issues.is_empty(), "{issues:?}");
        let account = all.accounts.keys().next().unwrap().clone();
        let full = all.conversation_list(&account);
        assert!(full.len() > 40);
        // The start of the whole list, as far as it was read, and that it goes on.
        let first = engine.conversation_list(&account);
        assert!(first.len() < full.len());
        assert_eq!(first[..], full[..first.len()]);
        assert!(engine.conversation_list_has_more(&account));
        // The unread count of the whole list, from the summary for what is not held.
        assert_eq!(engine.unread_total(&account), all.unread_total(&account));
        assert!(all.unread_total(&account) > first.iter().map(|c| u64::from(c.unread_count)).sum());
        // Paged in: each page is the start of the whole list, until it ends there.
        let mut pages = 0;
        while engine.conversation_list_has_more(&account) {
            let (_, effects) = engine.command(
                Command::LoadMoreConversations {
                    account: account.clone(),
                },
                FIXTURE_NOW,
            );
            let asked = carry_out(&mut engine, &records, effects);
            assert_eq!(asked.len(), 1, "one page read: {asked:?}");
            let now = engine.conversation_list(&account);
            assert_eq!(now[..], full[..now.len()]);
            pages += 1;
            assert!(pages < 20);
        }
        assert_eq!(engine.conversation_list(&account), full);
        assert_eq!(engine.unread_total(&account), all.unread_total(&account));
        assert!(pages > 2, "{pages} pages");
        // Once the list ends, asking for more reads nothing.
        let (_, effects) = engine.command(
            Command::LoadMoreConversations {
                account: account.clone(),
            },
            FIXTURE_NOW,
        );
        assert!(carry_out(&mut engine, &records, effects).is_empty());

        // A fresh window: a send to the person of a one-to-one thread not in it finds that
        // thread through the participant index (the decision of the engine holding it all).
        let loaded = ready(RecordLog::new(records.clone()).load_window(1)).unwrap();
        let (mut engine, _) = Engine::restore_window(EngineConfig::default(), loaded, FIXTURE_NOW);
        let held: BTreeSet<ConversationId> = engine.accounts[&account]
            .conversations()
            .map(|c| c.id.clone())
            .collect();
        let store = &all.accounts[&account];
        let (person, thread) = store
            .conversations()
            .filter(|c| !held.contains(&c.id))
            .find_map(|c| {
                let p = c.meta.as_ref()?.participants.iter().find_map(|p| {
                    ProfileId::parse(&p.profile_id)
                        .ok()
                        .filter(|p| Some(p.as_str()) != store.own_profile())
                })?;
                let urn = all.conversation_with(&account, &p)?;
                Some((p, urn))
            })
            .expect("a one-to-one thread outside the window");
        assert_eq!(engine.conversation_with(&account, &person), None);
        let (_, effects) = engine.command(
            Command::Send {
                account: account.clone(),
                to: Recipient::ProfileUrn(format!("urn:li:fsd_profile:{}", person.as_str())),
                text: "hello".into(),
                subject: None,
                channel: Default::default(),
                attachments: Vec::new(),
                client_key: None,
            },
            FIXTURE_NOW,
        );
        let asked = carry_out(&mut engine, &records, effects);
        assert!(
            matches!(&asked[..], [crate::sync::Effect::LoadWith { .. }]),
            "{asked:?}"
        );
        assert_eq!(
            engine.conversation_with(&account, &person),
            Some(thread.clone())
        );
        let entry = engine.accounts[&account]
            .outbox()
            .entries
            .values()
            .next()
            .cloned();
        let entry = entry.expect("an outbox entry");
        assert_eq!(
            entry.conversation.map(|c| c.canonical_urn()),
            Some(ConversationId::parse(&thread).unwrap().canonical_urn()),
            "sent into the known thread, not a new conversation"
        );
    }

    /// An engine on a window of `window` records over `long_history(40)`, its account, and
    /// the whole list (of the same records opened whole).
    fn windowed(window: u32, page: u32) -> (MemoryRecords, Engine, AccountId, usize) {
        let (records, _) = long_history(40);
        let whole = ready(RecordLog::new(records.clone()).load_resident()).unwrap();
        let (all, _) = Engine::restore_lazy(
            EngineConfig::default(),
            whole.records,
            Vec::new(),
            FIXTURE_NOW,
        );
        let config = EngineConfig {
            conversation_window: page,
            snapshot_every: u32::MAX,
            ..EngineConfig::default()
        };
        let loaded = ready(RecordLog::new(records.clone()).load_window(window)).unwrap();
        let (engine, _) = Engine::restore_window(config, loaded, FIXTURE_NOW);
        let account = all.accounts.keys().next().unwrap().clone();
        let total = all.conversation_list(&account).len();
        (records, engine, account, total)
    }

    /// The outcomes of the `Completed` notices among `effects`, by command.
    fn outcomes(
        effects: &[crate::sync::Effect],
    ) -> Vec<(crate::sync::CommandId, crate::sync::Outcome)> {
        effects
            .iter()
            .filter_map(|e| match e {
                crate::sync::Effect::Notify(crate::sync::Notice::Completed {
                    command,
                    outcome,
                    ..
                }) => Some((*command, outcome.clone())),
                _ => None,
            })
            .collect()
    }

    /// Carries out `effects` (and the effects they lead to) against `records`, the first
    /// `failing` page reads failing as a broken disk would; every effect seen, and the `after`
    /// of each page read asked.
    fn drive(
        engine: &mut Engine,
        records: &MemoryRecords,
        mut effects: Vec<crate::sync::Effect>,
        mut failing: usize,
    ) -> (Vec<crate::sync::Effect>, Vec<Option<(f64, String)>>) {
        use crate::sync::{Effect, Input};
        let log = RecordLog::new(records.clone());
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        while !effects.is_empty() {
            let mut next = Vec::new();
            for e in effects {
                let input = match &e {
                    Effect::Persist(p) => {
                        ready(log.write(p)).unwrap();
                        None
                    }
                    Effect::LoadList {
                        account,
                        after,
                        limit,
                    } => {
                        pages.push(after.clone());
                        let result = if failing > 0 {
                            failing -= 1;
                            Err(StorageError {
                                message: "disk gone".into(),
                                full: false,
                            })
                        } else {
                            ready(log.load_list(account, after.clone(), *limit))
                        };
                        Some(Input::ListLoaded {
                            account: account.clone(),
                            profile: None,
                            result,
                        })
                    }
                    Effect::Load {
                        account,
                        conversations,
                    } => Some(Input::Loaded {
                        account: account.clone(),
                        conversations: conversations.clone(),
                        result: ready(log.load_conversations(account, conversations)),
                    }),
                    _ => None,
                };
                if let Some(input) = input {
                    next.extend(engine.handle(input, FIXTURE_NOW));
                }
                seen.push(e);
            }
            effects = next;
        }
        (seen, pages)
    }

    #[test]
    fn a_second_load_more_while_a_page_is_out_reads_the_next_page_after_it() {
        use crate::sync::{Command, Effect};
        let (records, mut engine, account, total) = windowed(3, 5);
        let before = engine.conversation_list(&account).len();
        assert!(engine.conversation_list_has_more(&account));
        let more = || Command::LoadMoreConversations {
            account: account.clone(),
        };
        // A double click: the second comes while the first's page is being read.
        let (first, mut effects) = engine.command(more(), FIXTURE_NOW);
        let (second, again) = engine.command(more(), FIXTURE_NOW);
        assert!(
            !again.iter().any(|e| matches!(e, Effect::LoadList { .. })),
            "the same page is not asked twice: {again:?}"
        );
        effects.extend(again);
        let (seen, pages) = drive(&mut engine, &records, effects, 0);
        assert_eq!(pages.len(), 2, "two pages read: {pages:?}");
        assert_ne!(pages[0], pages[1], "the second after the first");
        assert_eq!(engine.conversation_list(&account).len(), before + 5 + 5);
        assert!(total > before + 10);
        assert_eq!(
            outcomes(&seen),
            vec![
                (first, crate::sync::Outcome::Done),
                (second, crate::sync::Outcome::Done)
            ]
        );
    }

    #[test]
    fn a_load_more_whose_page_cannot_be_read_fails_and_the_list_still_goes_on() {
        use crate::sync::{Command, FailureCode};
        let (records, mut engine, account, _) = windowed(3, 5);
        let before = engine.conversation_list(&account).len();
        let more = || Command::LoadMoreConversations {
            account: account.clone(),
        };
        let (id, effects) = engine.command(more(), FIXTURE_NOW);
        let (seen, pages) = drive(&mut engine, &records, effects, 1);
        assert_eq!(pages.len(), 1, "asked once, not again in a loop");
        match &outcomes(&seen)[..] {
            [(c, crate::sync::Outcome::Failed { reason })] => {
                assert_eq!(*c, id);
                assert_eq!(reason.code, FailureCode::Storage);
                assert!(reason.message.contains("disk gone"), "{reason:?}");
            }
            other => panic!("the command fails with the read: {other:?}"),
        }
        assert_eq!(engine.conversation_list(&account).len(), before);
        assert!(engine.conversation_list_has_more(&account));
        // Asked again, the page is read.
        let (again, effects) = engine.command(more(), FIXTURE_NOW);
        let (seen, pages) = drive(&mut engine, &records, effects, 0);
        assert_eq!(pages.len(), 1);
        assert_eq!(outcomes(&seen), vec![(again, crate::sync::Outcome::Done)]);
        assert_eq!(engine.conversation_list(&account).len(), before + 5);
    }
}
