//! The stored-state commit protocol: the engine's `Persist` effects as string keys of one
//! key-value [`Storage`], read back for `Engine::restore`. Plain Rust over a trait whose calls
//! may finish at once (memory, the native test driver) or later (the browser adapters in
//! `src/wasm/storage.rs`); no I/O of its own.
//!
//! Key layout under a prefix `P` (default `threadline`):
//! - `P:head`: `{"v":1,"snapshot":G,"deltas":[N,…],"next":M}`, the commit point: a snapshot or
//!   delta counts only once the head names it, so a write cut short never half-applies;
//! - `P:snapshot:G`: the `Records` JSON of snapshot generation `G`;
//! - `P:delta:N`: the `Records` JSON of one delta, applied in the head's order.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use serde::{Deserialize, Serialize};

use super::effect::Persist;
use super::persist::RestoreIssue;
use super::stored_json::{self, Fields, FromStored};

/// A storage operation failed (quota, no such API here, a rejected Promise).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {message}")]
pub struct StorageError {
    /// What failed, for people.
    pub message: String,
    /// The storage is full (a quota refused the write): the user can free space, a retry
    /// alone will not help.
    pub full: bool,
}

impl StorageError {
    /// A failure of any other kind.
    pub fn new(message: impl Into<String>) -> StorageError {
        StorageError {
            message: message.into(),
            full: false,
        }
    }

    /// The storage refused the write for lack of space.
    pub fn full(message: impl Into<String>) -> StorageError {
        StorageError {
            message: message.into(),
            full: true,
        }
    }
}

/// String key-value storage; each call may finish at once or later.
pub trait Storage {
    /// The value under `key`, if any.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, StorageError>>;
    /// Stores `value` under `key`, replacing what was there.
    fn put(&self, key: &str, value: &str) -> impl Future<Output = Result<(), StorageError>>;
    /// Removes `key` (nothing happens when it is absent).
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StorageError>>;
}

/// Storage in a map this value owns (clones share it): for native drivers and tests. Every
/// call finishes at once.
#[derive(Debug, Clone, Default)]
pub struct MemoryKv(pub std::rc::Rc<RefCell<BTreeMap<String, String>>>);

impl Storage for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.0.borrow().get(key).cloned())
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
}

/// The commit point: which snapshot and which deltas count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Head {
    v: u32,
    snapshot: Option<u64>,
    deltas: Vec<u64>,
    next: u64,
}

// Read by the member scanner (`stored_json`), not serde's derived reader (issue 15).
impl FromStored for Head {
    fn read(f: &mut Fields<'_>) -> Self {
        Head {
            v: f.req("v"),
            snapshot: f.opt("snapshot"),
            deltas: f.list_req("deltas"),
            next: f.req("next"),
        }
    }
}

const HEAD_VERSION: u32 = 1;

/// What storage held, ready for `Engine::restore`.
#[derive(Debug, Default)]
pub struct Stored {
    pub snapshot: Option<Vec<u8>>,
    pub deltas: Vec<Vec<u8>>,
    /// What could not be read at this level (the engine reports what is wrong inside).
    pub issues: Vec<RestoreIssue>,
}

/// The engine's `Persist` effects as keys of one storage, under one prefix.
#[derive(Debug)]
pub struct PersistLog<S> {
    storage: S,
    prefix: String,
    head: RefCell<Head>,
}

impl<S: Storage> PersistLog<S> {
    /// A log under `prefix` (nothing is read until [`PersistLog::load`]).
    pub fn new(storage: S, prefix: &str) -> PersistLog<S> {
        PersistLog {
            storage,
            prefix: prefix.to_owned(),
            head: RefCell::new(Head {
                v: HEAD_VERSION,
                ..Head::default()
            }),
        }
    }

    fn key(&self, what: &str) -> String {
        format!("{}:{what}", self.prefix)
    }

    /// Reads the snapshot and the deltas after it, in order. An unreadable head, a missing
    /// snapshot or a missing delta is reported, never fatal: what can be used is used.
    /// The head, the snapshot and each delta are read by one await, in that order (issue 15:
    /// every await of a storage call is a copy of its awaiting).
    pub async fn load(&self) -> Result<Stored, StorageError> {
        let mut out = Stored::default();
        let mut head = Head::default();
        // What is read next: 0 the head, 1 the snapshot it names, 2 and on its deltas.
        let mut next = 0usize;
        loop {
            let key = match (next, head.snapshot) {
                (0, _) => "head".to_owned(),
                (1, Some(generation)) => format!("snapshot:{generation}"),
                (1, None) => return Ok(out),
                _ => match head.deltas.get(next - 2) {
                    Some(n) => format!("delta:{n}"),
                    None => return Ok(out),
                },
            };
            let read = self.storage.get(&self.key(&key)).await?;
            match (next, read) {
                (0, None) => return Ok(out),
                (0, Some(text)) => match stored_json::from_json::<Head>(text.as_bytes()) {
                    Ok(h) if h.v == HEAD_VERSION => {
                        *self.head.borrow_mut() = h.clone();
                        head = h;
                    }
                    Ok(h) => {
                        out.issues.push(RestoreIssue::UnsupportedIndexVersion {
                            found: h.v,
                            expected: HEAD_VERSION,
                        });
                        return Ok(out);
                    }
                    Err(reason) => {
                        out.issues.push(RestoreIssue::CorruptIndex { reason });
                        return Ok(out);
                    }
                },
                (1, Some(s)) => out.snapshot = Some(s.into_bytes()),
                (1, None) => {
                    let generation = head.snapshot.unwrap_or_default();
                    out.issues
                        .push(RestoreIssue::MissingSnapshot { generation });
                    return Ok(out);
                }
                (_, Some(d)) => out.deltas.push(d.into_bytes()),
                (_, None) => {
                    let index = next - 2;
                    out.issues.push(RestoreIssue::MissingDelta {
                        index,
                        dropped: head.deltas.len() - index - 1,
                    });
                    return Ok(out);
                }
            }
            next += 1;
        }
    }

    /// Writes one `Persist` effect: a snapshot replaces everything, a delta is appended.
    /// Its record lands first, then the head that names it (the commit), then, after a
    /// snapshot, the keys the old head named are removed. The record's put is awaited at one
    /// place and the removals in one loop (issue 15: every await of a storage call is a copy
    /// of its awaiting; the two puts in one loop measured +9 B gzip, -505 B raw).
    pub async fn write(&self, persist: &Persist) -> Result<(), StorageError> {
        let (records, is_snapshot) = match persist {
            Persist::Snapshot(r) => (r, true),
            Persist::Delta(r) => (r, false),
        };
        let json = crate::json::to_string(records)
            .map_err(|e| StorageError::new(format!("records not serializable: {e}")))?;
        let old = self.head.borrow().clone();
        let mut head = old.clone();
        let key = if is_snapshot {
            let generation = old.snapshot.map_or(0, |g| g.wrapping_add(1));
            head.snapshot = Some(generation);
            head.deltas.clear();
            format!("snapshot:{generation}")
        } else {
            let n = old.next;
            head.deltas.push(n);
            head.next = n.wrapping_add(1);
            format!("delta:{n}")
        };
        self.storage.put(&self.key(&key), &json).await?;
        self.commit(&head).await?;
        if is_snapshot {
            // Garbage now: a failure to remove leaves unused keys, never wrong state.
            self.remove_named(&old).await;
        }
        Ok(())
    }

    /// Removes every key the head read by [`PersistLog::load`] names, the head first (so no
    /// head ever names a missing key); the rest best effort. Used once the store was moved to
    /// another layout.
    pub async fn clear(&self) -> Result<(), StorageError> {
        let head = self.head.borrow().clone();
        self.storage.delete(&self.key("head")).await?;
        *self.head.borrow_mut() = Head {
            v: HEAD_VERSION,
            ..Head::default()
        };
        self.remove_named(&head).await;
        Ok(())
    }

    async fn commit(&self, head: &Head) -> Result<(), StorageError> {
        let text = crate::json::to_string(head).unwrap_or_default();
        self.storage.put(&self.key("head"), &text).await?;
        *self.head.borrow_mut() = head.clone();
        Ok(())
    }

    /// Removes the snapshot and the deltas `head` names, in that order, best effort (a key
    /// left behind is garbage no head names).
    async fn remove_named(&self, head: &Head) {
        let snapshot = head.snapshot.map(|g| format!("snapshot:{g}"));
        let deltas = head.deltas.iter().map(|n| format!("delta:{n}"));
        for key in snapshot.into_iter().chain(deltas) {
            let _ = self.storage.delete(&self.key(&key)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    /// The head reads as serde's derived reader read it (the same heads taken, to the same
    /// values; only a refusal's wording differs).
    #[test]
    fn the_head_reads_as_the_derived_reader_read_it() {
        use crate::sync::stored_json::tests::reads_as_derived;
        let (read, refused) =
            reads_as_derived::<Head>(r#"{"v":1,"snapshot":3,"deltas":[4,5],"next":6}"#);
        assert!(read > 3 && refused > 10, "{read} read, {refused} refused");
        reads_as_derived::<Head>(r#"{"v":1,"snapshot":null,"deltas":[],"next":0}"#);
    }
    use crate::sync::{AccountId, Engine, EngineConfig, Records, STORE_VERSION};
    use crate::urn::ConversationId;

    /// Runs a future whose storage finishes at once (as `MemoryKv`'s does).
    fn ready<F: Future>(f: F) -> F::Output {
        match pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("memory storage never waits"),
        }
    }

    /// Memory storage whose writes start failing after `budget` successful puts/deletes: a
    /// write cut short at any point.
    struct CutShort {
        kv: MemoryKv,
        budget: Cell<usize>,
    }

    impl CutShort {
        fn spend(&self) -> Result<(), StorageError> {
            match self.budget.get() {
                0 => Err(StorageError::new("cut short")),
                n => {
                    self.budget.set(n - 1);
                    Ok(())
                }
            }
        }
    }

    impl Storage for CutShort {
        async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
            self.kv.get(key).await
        }
        async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
            self.spend()?;
            self.kv.put(key, value).await
        }
        async fn delete(&self, key: &str) -> Result<(), StorageError> {
            self.spend()?;
            self.kv.delete(key).await
        }
    }

    fn records(counter: u64) -> Records {
        Records {
            version: STORE_VERSION,
            key_counter: counter,
            accounts: Vec::new(),
        }
    }

    fn bytes(r: &Records) -> Vec<u8> {
        serde_json::to_vec(r).unwrap()
    }

    fn keys(kv: &MemoryKv) -> Vec<String> {
        kv.0.borrow().keys().cloned().collect()
    }

    /// What a fresh log (a restarted engine) reads back.
    fn reload(kv: &MemoryKv) -> (Option<Vec<u8>>, Vec<Vec<u8>>) {
        let stored = ready(PersistLog::new(kv.clone(), "p").load()).unwrap();
        assert!(stored.issues.is_empty(), "{:?}", stored.issues);
        (stored.snapshot, stored.deltas)
    }

    #[test]
    fn snapshots_and_deltas_read_back_in_order_and_a_snapshot_drops_what_it_replaces() {
        let kv = MemoryKv::default();
        let log = PersistLog::new(kv.clone(), "p");
        ready(log.write(&Persist::Snapshot(records(1)))).unwrap();
        ready(log.write(&Persist::Delta(records(2)))).unwrap();
        ready(log.write(&Persist::Delta(records(3)))).unwrap();
        assert_eq!(
            reload(&kv),
            (
                Some(bytes(&records(1))),
                vec![bytes(&records(2)), bytes(&records(3))]
            )
        );
        assert_eq!(
            keys(&kv),
            ["p:delta:0", "p:delta:1", "p:head", "p:snapshot:0"]
        );

        // A log opened later goes on from the stored head.
        let log = PersistLog::new(kv.clone(), "p");
        ready(log.load()).unwrap();
        ready(log.write(&Persist::Snapshot(records(4)))).unwrap();
        assert_eq!(reload(&kv), (Some(bytes(&records(4))), vec![]));
        assert_eq!(keys(&kv), ["p:head", "p:snapshot:1"]);
        ready(log.write(&Persist::Delta(records(5)))).unwrap();
        assert_eq!(keys(&kv), ["p:delta:2", "p:head", "p:snapshot:1"]);
    }

    #[test]
    fn a_write_cut_short_at_any_point_never_half_applies() {
        let before = (Some(bytes(&records(1))), vec![bytes(&records(2))]);
        for (write, after) in [
            (
                Persist::Delta(records(3)),
                (
                    Some(bytes(&records(1))),
                    vec![bytes(&records(2)), bytes(&records(3))],
                ),
            ),
            (
                Persist::Snapshot(records(3)),
                (Some(bytes(&records(3))), vec![]),
            ),
        ] {
            let mut outcomes = Vec::new();
            for budget in 0..6 {
                let kv = MemoryKv::default();
                let setup = PersistLog::new(kv.clone(), "p");
                ready(setup.write(&Persist::Snapshot(records(1)))).unwrap();
                ready(setup.write(&Persist::Delta(records(2)))).unwrap();
                let cut = CutShort {
                    kv: kv.clone(),
                    budget: Cell::new(budget),
                };
                let log = PersistLog::new(cut, "p");
                ready(log.load()).unwrap();
                let result = ready(log.write(&write));
                let state = reload(&kv);
                // The head is the commit point: before it is written nothing changed, once it
                // is written everything did (a failed cleanup afterwards leaves only garbage).
                match budget {
                    0 | 1 => {
                        assert!(result.is_err(), "budget {budget}: {write:?}");
                        assert_eq!(state, before, "budget {budget}: {write:?}");
                    }
                    _ => {
                        assert!(result.is_ok(), "budget {budget}: {write:?}");
                        assert_eq!(state, after, "budget {budget}: {write:?}");
                    }
                }
                outcomes.push(result.is_ok());
            }
            assert_eq!(outcomes, [false, false, true, true, true, true]);
        }
    }

    #[test]
    fn data_the_head_does_not_name_is_ignored() {
        let kv = MemoryKv::default();
        let log = PersistLog::new(kv.clone(), "p");
        ready(log.write(&Persist::Snapshot(records(1)))).unwrap();
        ready(kv.put("p:delta:0", &String::from_utf8(bytes(&records(9))).unwrap())).unwrap();
        ready(kv.put(
            "p:snapshot:7",
            &String::from_utf8(bytes(&records(9))).unwrap(),
        ))
        .unwrap();
        assert_eq!(reload(&kv), (Some(bytes(&records(1))), vec![]));
        // Nothing at all under the prefix is an empty store, not an issue.
        let stored = ready(PersistLog::new(kv, "other").load()).unwrap();
        assert!(stored.snapshot.is_none() && stored.deltas.is_empty() && stored.issues.is_empty());
    }

    #[test]
    fn a_broken_head_or_a_missing_key_is_reported_and_what_can_be_used_is_used() {
        let kv = MemoryKv::default();
        let log = PersistLog::new(kv.clone(), "p");
        ready(log.write(&Persist::Snapshot(records(1)))).unwrap();
        ready(log.write(&Persist::Delta(records(2)))).unwrap();
        ready(log.write(&Persist::Delta(records(3)))).unwrap();
        ready(kv.delete("p:delta:1")).unwrap();
        let stored = ready(PersistLog::new(kv.clone(), "p").load()).unwrap();
        assert_eq!(stored.snapshot, Some(bytes(&records(1))));
        assert_eq!(stored.deltas, vec![bytes(&records(2))]);
        assert_eq!(stored.issues.len(), 1, "{:?}", stored.issues);

        ready(kv.put("p:head", "{\"v\":2}")).unwrap();
        let stored = ready(PersistLog::new(kv.clone(), "p").load()).unwrap();
        assert!(stored.snapshot.is_none() && stored.issues.len() == 1);
        ready(kv.put("p:head", "][")).unwrap();
        let stored = ready(PersistLog::new(kv, "p").load()).unwrap();
        assert!(stored.snapshot.is_none() && stored.issues.len() == 1);
    }

    /// A store as the build before this module wrote it (keys and values verbatim, written by
    /// the engine after a poll and a confirmed send; `tests/fixtures/store_v1_layout.json`).
    #[test]
    fn a_store_in_the_layout_written_before_still_opens() {
        let fixture: BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../tests/fixtures/store_v1_layout.json"))
                .unwrap();
        let kv = MemoryKv(std::rc::Rc::new(RefCell::new(fixture)));
        let log = PersistLog::new(kv.clone(), "threadline");
        let stored = ready(log.load()).unwrap();
        assert!(stored.issues.is_empty(), "{:?}", stored.issues);
        assert!(stored.snapshot.is_some() && !stored.deltas.is_empty());
        let (engine, issues) = Engine::restore(
            EngineConfig::default(),
            stored.snapshot.as_deref(),
            &stored.deltas,
            1_700_000_100_000,
        );
        assert!(issues.is_empty(), "{issues:?}");
        let view = engine
            .conversation_view(
                &AccountId::default(),
                &ConversationId::parse("2-t1").unwrap(),
            )
            .expect("the stored conversation");
        let texts: Vec<_> = view.messages.iter().map(|m| m.text.as_str()).collect();
        assert!(texts.contains(&"hello from yesterday's build"), "{texts:?}");
        // Writing on goes past the stored generation and drops what the head named.
        ready(log.write(&Persist::Snapshot(records(9)))).unwrap();
        assert_eq!(keys(&kv), ["threadline:head", "threadline:snapshot:3"]);
    }
}
