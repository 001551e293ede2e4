//! A byte budget over a [`RecordStorage`]'s transactions, for tests (issue 13): a storage
//! given a small quota on purpose refuses a transaction that would take its stored bytes over
//! it, whole, with [`StorageError::full`], as a browser refuses a write over its quota with a
//! `QuotaExceededError`. The engine's "no silent loss" rules (a full store is reported, nothing
//! written before is lost, the outbox survives) can then be tested end to end without filling a
//! disk. Plain bookkeeping: the storage asks [`RecordBudget::check`] before a transaction and
//! calls [`RecordBudget::commit`] once it landed.
//!
//! A record counts the UTF-8 bytes of its key and its JSON text (the index fields a message
//! carries are not counted: they repeat what its key and JSON hold).

use super::persist_log::StorageError;
use super::record_log::{RecordOp, Table};

/// The stored size of every record, and the quota.
#[derive(Debug, Clone)]
pub struct RecordBudget {
    quota: u64,
    /// `(table, key, bytes)`, sorted by table and key (a plain sorted list: no map type of its
    /// own in the shipped module for a test-only feature).
    sizes: Vec<(Table, String, u64)>,
    total: u64,
}

fn size(key: &str, json: &str) -> u64 {
    (key.len() + json.len()) as u64
}

impl RecordBudget {
    /// A budget of `quota` bytes over a storage that holds `stored` (`(table, key, json)`).
    pub fn new(quota: u64, stored: impl IntoIterator<Item = (Table, String, String)>) -> Self {
        let mut budget = RecordBudget {
            quota,
            sizes: Vec::new(),
            total: 0,
        };
        for (table, key, json) in stored {
            budget.set(table, &key, Some(size(&key, &json)));
        }
        budget
    }

    /// The bytes stored now.
    pub fn stored(&self) -> u64 {
        self.total
    }

    /// Sets (or, with `None`, removes) the size of one record.
    fn set(&mut self, table: Table, key: &str, bytes: Option<u64>) {
        let at = self
            .sizes
            .binary_search_by(|(t, k, _)| (*t, k.as_str()).cmp(&(table, key)));
        match (at, bytes) {
            (Ok(i), Some(n)) => {
                self.total = self.total - self.sizes[i].2 + n;
                self.sizes[i].2 = n;
            }
            (Ok(i), None) => {
                self.total -= self.sizes.remove(i).2;
            }
            (Err(i), Some(n)) => {
                self.total += n;
                self.sizes.insert(i, (table, key.to_owned(), n));
            }
            (Err(_), None) => {}
        }
    }

    /// The bytes stored after `ops`, applied in order (on a copy: a budget is for tests, whose
    /// stores are small).
    fn after(&self, ops: &[RecordOp]) -> u64 {
        let mut next = self.clone();
        next.commit(ops);
        next.total
    }

    /// Refuses `ops` (`StorageError::full`, nothing to write) when they would take the stored
    /// bytes over the quota; a transaction that does not grow the store always passes (as
    /// deleting never needs space).
    pub fn check(&self, ops: &[RecordOp]) -> Result<(), StorageError> {
        let after = self.after(ops);
        if after > self.quota && after > self.total {
            return Err(StorageError::full(format!(
                "QuotaExceededError: the store would hold {after} bytes, over its test quota of \
                 {} (quotaBytes)",
                self.quota
            )));
        }
        Ok(())
    }

    /// Records what `ops` changed, once their transaction landed.
    pub fn commit(&mut self, ops: &[RecordOp]) {
        for op in ops {
            match op {
                RecordOp::Put { table, record } => {
                    self.set(*table, &record.key, Some(size(&record.key, &record.json)))
                }
                RecordOp::Delete { table, key } => self.set(*table, key, None),
                RecordOp::Clear { table } => {
                    let mut freed = 0;
                    self.sizes.retain(|(t, _, n)| {
                        let keep = t != table;
                        if !keep {
                            freed += *n;
                        }
                        keep
                    });
                    self.total -= freed;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Record;

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

    #[test]
    fn a_transaction_over_the_quota_is_refused_whole_and_one_under_it_counts() {
        let mut b = RecordBudget::new(20, [(Table::Meta, "k".into(), "123".into())]);
        assert_eq!(b.stored(), 4);
        let grow = [
            put(Table::Messages, "a", "0123456789"),
            put(Table::Outbox, "b", "01234"),
        ];
        let err = b.check(&grow).unwrap_err();
        assert!(
            err.full && err.message.contains("QuotaExceededError"),
            "{err:?}"
        );
        assert_eq!(b.stored(), 4, "a refused transaction changes nothing");
        let fits = [put(Table::Messages, "a", "0123456789")];
        b.check(&fits).unwrap();
        b.commit(&fits);
        assert_eq!(b.stored(), 15);
        // Replacing a record counts its new size only.
        let replace = [put(Table::Messages, "a", "0123456789abcd")];
        b.check(&replace).unwrap();
        b.commit(&replace);
        assert_eq!(b.stored(), 19);
        assert!(b.check(&[put(Table::Meta, "k", "12345")]).is_err());
    }

    #[test]
    fn deletes_and_clears_free_space_and_a_shrinking_transaction_always_passes() {
        let b = RecordBudget::new(
            10,
            [
                (Table::Messages, "a".into(), "0123456789".into()),
                (Table::Messages, "b".into(), "0123456789".into()),
                (Table::Meta, "m".into(), "1".into()),
            ],
        );
        assert_eq!(b.stored(), 24);
        // Over the quota already, but this shrinks it.
        b.check(&[RecordOp::Delete {
            table: Table::Messages,
            key: "a".into(),
        }])
        .unwrap();
        // A snapshot: clear every table, put what is held (smaller than before, still over).
        let snapshot = [
            RecordOp::Clear {
                table: Table::Messages,
            },
            RecordOp::Clear { table: Table::Meta },
            put(Table::Meta, "m", "1"),
            put(Table::Messages, "a", "0123456789"),
        ];
        b.check(&snapshot).unwrap();
        let mut c = b.clone();
        c.commit(&snapshot);
        assert_eq!(c.stored(), 13);
        // A put after a clear of its table is counted once.
        let twice = [
            put(Table::Messages, "c", "0123456789"),
            RecordOp::Clear {
                table: Table::Messages,
            },
            put(Table::Messages, "c", "0"),
        ];
        let mut d = RecordBudget::new(100, []);
        assert_eq!(d.after(&twice), 2);
        d.commit(&twice);
        assert_eq!(d.stored(), 2);
    }
}
