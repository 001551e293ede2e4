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

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

pub use super::persist_log::StorageError;

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

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub key: String,
    pub json: String,
    /// Present on `Messages` records only.
    pub index: Option<MessageIndex>,
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

/// Storage of records in tables; each call may finish at once or later.
pub trait RecordStorage {
    /// Every record of `table` as `(key, json)`, in key order.
    fn read_all(
        &self,
        table: Table,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StorageError>>;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn put(table: Table, key: &str, json: &str) -> RecordOp {
        RecordOp::Put {
            table,
            record: Record {
                key: key.into(),
                json: json.into(),
                index: None,
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
}
