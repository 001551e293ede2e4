//! The IndexedDB record storage (`src/wasm/idb.rs`) in a real browser: transactions land whole
//! or not at all, records survive a reopen, a quota refusal says the storage is full. Run with
//! the other wasm tests (`scripts/test.sh`): in headless Chromium and Firefox; Node has no
//! IndexedDB, and there the test checks that opening one says so.

#![cfg(target_arch = "wasm32")]

use js_sys::Array;
use js_sys::{Function, Promise, Reflect};
use threadline::sync::{
    ConversationIndex, ConversationLookup, MemoryKv, MemoryRecords, MessageIndex, PersistLog,
    Record, RecordLog, RecordOp, RecordStorage, Table, KEY_SEP,
};
use threadline::wasm::idb::{database_name, IdbRecords};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn has_indexed_db() -> bool {
    Reflect::get(&js_sys::global(), &"indexedDB".into()).is_ok_and(|f| f.is_object())
}

/// Runs `body` (a JS async function body) with `name` bound, awaiting its Promise.
async fn run_js(args: &str, body: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let f = Function::new_with_args(args, &format!("return (async () => {{ {body} }})();"));
    let p: Promise = f.call1(&JsValue::UNDEFINED, arg)?.unchecked_into();
    JsFuture::from(p).await
}

/// Deletes the database so each test starts empty.
async fn fresh(name: &str) {
    IdbRecords::delete(name, 5_000)
        .await
        .expect("deleteDatabase");
}

fn record(key: &str, json: &str) -> Record {
    Record {
        key: key.into(),
        json: json.into(),
        index: None,
        listing: None,
    }
}

fn put(table: Table, key: &str, json: &str) -> RecordOp {
    RecordOp::Put {
        table,
        record: record(key, json),
    }
}

fn message(key: &str, json: &str, conversation: &str, sent_at: f64) -> RecordOp {
    RecordOp::Put {
        table: Table::Messages,
        record: Record {
            index: Some(MessageIndex {
                account: "acct".into(),
                conversation: conversation.into(),
                sent_at,
            }),
            ..record(key, json)
        },
    }
}

async fn all(db: &IdbRecords, table: Table) -> Vec<(String, String)> {
    db.read_all(table).await.expect("read_all")
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[wasm_bindgen_test]
async fn records_round_trip_and_survive_a_reopen() {
    if !has_indexed_db() {
        let e = IdbRecords::open("t-idb-none", 1_000)
            .await
            .err()
            .expect("no IndexedDB");
        assert!(e.message.contains("no IndexedDB"), "{}", e.message);
        return;
    }
    let name = database_name("t-idb-round-trip");
    assert_eq!(name, "threadline:t-idb-round-trip");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    for table in Table::ALL {
        assert!(
            all(&db, table).await.is_empty(),
            "{} starts empty",
            table.name()
        );
    }
    let sep = threadline::sync::KEY_SEP;
    db.apply(
        vec![
            put(Table::Meta, "layout", r#"{"v":1}"#),
            put(Table::Accounts, "acct", r#"{"seq":3}"#),
            message(&format!("acct{sep}m2"), r#"{"text":"two"}"#, "c1", 2_000.0),
            message(
                &format!("acct{sep}m1"),
                r#"{"text":"ünï 😀"}"#,
                "c1",
                1_000.0,
            ),
            put(
                Table::Outbox,
                &format!("acct{sep}k1"),
                r#"{"state":"queued"}"#,
            ),
        ],
        true,
    )
    .await
    .expect("a durable write");
    assert_eq!(
        all(&db, Table::Messages).await,
        pairs(&[
            (&format!("acct{sep}m1"), r#"{"text":"ünï 😀"}"#),
            (&format!("acct{sep}m2"), r#"{"text":"two"}"#),
        ]),
        "in key order"
    );
    // A delete, a replace and a clear in one transaction.
    db.apply(
        vec![
            RecordOp::Delete {
                table: Table::Messages,
                key: format!("acct{sep}m2"),
            },
            RecordOp::Delete {
                table: Table::Messages,
                key: "absent".into(),
            },
            put(Table::Accounts, "acct", r#"{"seq":4}"#),
            RecordOp::Clear {
                table: Table::Outbox,
            },
        ],
        false,
    )
    .await
    .expect("a second write");
    db.close();
    drop(db);

    let db = IdbRecords::open(&name, 5_000).await.expect("reopen");
    assert_eq!(
        all(&db, Table::Meta).await,
        pairs(&[("layout", r#"{"v":1}"#)])
    );
    assert_eq!(
        all(&db, Table::Accounts).await,
        pairs(&[("acct", r#"{"seq":4}"#)])
    );
    assert_eq!(
        all(&db, Table::Messages).await,
        pairs(&[(&format!("acct{sep}m1"), r#"{"text":"ünï 😀"}"#)])
    );
    assert!(all(&db, Table::Outbox).await.is_empty());
    drop(db);

    // The layout a plain-JS reader relies on: `{json, a, c, t}` and the two indexes.
    let seen = run_js(
        "name",
        "const db = await new Promise((ok, ko) => { const r = indexedDB.open(name); \
           r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
         const tx = db.transaction('messages');
         const store = tx.objectStore('messages');
         const byConv = store.index('byConversation');
         const bySent = store.index('bySentAt');
         const rows = await new Promise((ok) => { const r = byConv.getAll(IDBKeyRange.bound(
           ['acct', 'c1', 0], ['acct', 'c1', Infinity])); r.onsuccess = () => ok(r.result); });
         const since = await new Promise((ok) => { const r = bySent.count(IDBKeyRange.lowerBound(
           ['acct', 500])); r.onsuccess = () => ok(r.result); });
         db.close();
         return JSON.stringify({ version: db.version, stores: [...db.objectStoreNames].sort(),
           rows, since, paths: [byConv.keyPath, bySent.keyPath] });",
        &name.as_str().into(),
    )
    .await
    .expect("read through plain JS");
    let seen: serde_json::Value = serde_json::from_str(&seen.as_string().unwrap()).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({
            "version": 2,
            "stores": ["accounts", "conversations", "elsewhere", "messages", "meta", "outbox",
                       "reactions", "recalls", "tombstones"],
            "rows": [{"json": "{\"text\":\"ünï 😀\"}", "a": "acct", "c": "c1", "t": 1000}],
            "since": 1,
            "paths": [["a", "c", "t"], ["a", "t"]],
        })
    );
    fresh(&name).await;
}

/// `read_index` reads one conversation of one account through `byConversation`, oldest
/// first, and nothing of another conversation or account (what lazy loading reads);
/// `read_conversations` reads the same with each conversation's record, several at once.
#[wasm_bindgen_test]
async fn the_conversation_index_reads_one_conversation_oldest_first() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-index");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let sep = threadline::sync::KEY_SEP;
    let other_account = RecordOp::Put {
        table: Table::Messages,
        record: Record {
            index: Some(MessageIndex {
                account: "someone else".into(),
                conversation: "c1".into(),
                sent_at: 1_500.0,
            }),
            ..record(&format!("someone else{sep}m9"), r#"{"text":"theirs"}"#)
        },
    };
    db.apply(
        vec![
            message(
                &format!("acct{sep}a"),
                r#"{"text":"newest"}"#,
                "c1",
                3_000.0,
            ),
            message(
                &format!("acct{sep}b"),
                r#"{"text":"oldest"}"#,
                "c1",
                1_000.0,
            ),
            message(
                &format!("acct{sep}c"),
                r#"{"text":"other thread"}"#,
                "c2",
                2_000.0,
            ),
            message(
                &format!("acct{sep}d"),
                r#"{"text":"middle"}"#,
                "c1",
                2_000.0,
            ),
            other_account,
        ],
        false,
    )
    .await
    .expect("a write");
    assert_eq!(
        db.read_index("acct", "c1").await.expect("read_index"),
        pairs(&[
            (&format!("acct{sep}b"), r#"{"text":"oldest"}"#),
            (&format!("acct{sep}d"), r#"{"text":"middle"}"#),
            (&format!("acct{sep}a"), r#"{"text":"newest"}"#),
        ])
    );
    assert!(db.read_index("acct", "c3").await.expect("empty").is_empty());
    // With the conversation's record, in one transaction (what a view's first read waits for):
    // the same messages, the record under its key, nothing for a conversation not stored.
    let key = format!("acct{sep}c1");
    db.apply(
        vec![put(Table::Conversations, &key, r#"{"id":"c1"}"#)],
        false,
    )
    .await
    .expect("a write");
    let asked = |c: &str| (c.to_owned(), format!("acct{sep}{c}"));
    let mut read = db
        .read_conversations("acct", &[asked("c1"), asked("c3"), asked("c2")])
        .await
        .expect("read_conversations");
    assert_eq!(read.len(), 3);
    let (c2, none, c1) = (
        read.pop().unwrap(),
        read.pop().unwrap(),
        read.pop().unwrap(),
    );
    // The messages' JSON alone (their keys are read only to name a record that cannot be).
    let texts = |rows: Vec<(String, String)>| -> Vec<String> {
        rows.into_iter().map(|(_, json)| json).collect()
    };
    assert_eq!(
        c1.messages,
        texts(db.read_index("acct", "c1").await.expect("read_index"))
    );
    assert_eq!(c1.record, pairs(&[(&key, r#"{"id":"c1"}"#)]));
    assert!(none.messages.is_empty() && none.record.is_empty());
    assert_eq!(c2.messages, [r#"{"text":"other thread"}"#]);
    assert!(c2.record.is_empty());
    db.close();
    fresh(&name).await;
}

/// A write's texts beyond ASCII (keys and JSON) are strings of their own, the others cut from
/// one string (`Texts` in `src/wasm/idb.rs`): every record reads back as written, in either
/// order, the texts beyond ASCII first, last and between.
#[wasm_bindgen_test]
async fn texts_beyond_ascii_and_ascii_in_one_write_read_back_as_written() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-wide");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let rows = [
        ("acct\u{1}c\u{e9}", r#"{"t":"café ’ 👍"}"#),
        ("acct\u{1}c1", r#"{"t":"plain"}"#),
        ("acct\u{1}c2", r#"{"t":"👍"}"#),
        ("acct\u{1}c3", r#"{"t":"plain again"}"#),
        ("acct\u{1}\u{1F44D}", r#"{"t":"last"}"#),
    ];
    db.apply(
        rows.iter()
            .map(|(k, j)| put(Table::Conversations, k, j))
            .collect(),
        false,
    )
    .await
    .expect("a write");
    let mut want = pairs(&rows);
    want.sort();
    assert_eq!(all(&db, Table::Conversations).await, want);
    db.close();
    fresh(&name).await;
}

#[wasm_bindgen_test]
async fn reading_several_tables_at_once_reads_each_whole_in_one_transaction() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-tables");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    db.apply(
        vec![
            put(Table::Meta, "store", r#"{"layout":1}"#),
            put(Table::Conversations, "acct\u{1}c2", "two"),
            put(Table::Conversations, "acct\u{1}c1", "one"),
            put(Table::Outbox, "acct\u{1}k", "entry"),
            message("acct\u{1}m", "not asked for", "c1", 1.0),
        ],
        false,
    )
    .await
    .expect("a write");
    let tables = [
        Table::Conversations,
        Table::Tombstones,
        Table::Meta,
        Table::Outbox,
    ];
    let read = db.read_tables(&tables).await.expect("read_tables");
    assert_eq!(
        read,
        vec![
            pairs(&[("acct\u{1}c1", "one"), ("acct\u{1}c2", "two")]),
            Vec::new(),
            pairs(&[("store", r#"{"layout":1}"#)]),
            pairs(&[("acct\u{1}k", "entry")]),
        ]
    );
    // The same as one table at a time.
    for (table, rows) in tables.iter().zip(&read) {
        assert_eq!(&all(&db, *table).await, rows, "{table:?}");
    }
    assert!(db.read_tables(&[]).await.expect("nothing").is_empty());
    db.close();
    // A closed connection: the one transaction cannot start, an error (never a panic).
    assert!(db.read_tables(&tables).await.is_err());
    fresh(&name).await;
}

/// A transaction that cannot start (here: the database lacks a table, as one made by hand at
/// the current version might, so no upgrade adds it) fails the write clearly; nothing of it
/// lands.
#[wasm_bindgen_test]
async fn a_transaction_that_cannot_start_fails_clearly() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-missing-store");
    fresh(&name).await;
    run_js(
        "name",
        "await new Promise((ok, ko) => { const r = indexedDB.open(name, 2);
           r.onupgradeneeded = () => r.result.createObjectStore('meta');
           r.onsuccess = () => { r.result.close(); ok(); }; r.onerror = () => ko(r.error); });",
        &name.as_str().into(),
    )
    .await
    .expect("a database with only `meta`");
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    db.apply(vec![put(Table::Meta, "a", "1")], false)
        .await
        .expect("meta exists");
    let e = db
        .apply(
            vec![put(Table::Meta, "b", "2"), put(Table::Outbox, "k", "3")],
            true,
        )
        .await
        .expect_err("no outbox store");
    assert!(!e.full, "not a quota refusal: {}", e.message);
    assert!(e.message.contains("IndexedDB"), "{}", e.message);
    assert_eq!(all(&db, Table::Meta).await, pairs(&[("a", "1")]));
    assert!(db.read_all(Table::Outbox).await.is_err());
    drop(db);
    fresh(&name).await;
}

/// A write's keys and JSON texts cross into JS as one string cut in UTF-16 units: texts with
/// characters of two, three and four UTF-8 bytes (one or two UTF-16 units) before, inside and
/// after others, a delete among the puts, read back exactly.
#[wasm_bindgen_test]
async fn a_writes_texts_cross_whole() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-texts");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let sep = KEY_SEP;
    let gone = format!("ü{sep}gone");
    db.apply(vec![put(Table::Outbox, &gone, "{}")], false)
        .await
        .expect("first");
    let key = format!("ключ{sep}m😀");
    let written = db
        .apply(
            vec![
                put(Table::Meta, "😀", r#"{"a":"ünï 😀 ∑"}"#),
                message(&key, r#"{"text":"𝄞 clef"}"#, "c😀", 1.0),
                RecordOp::Delete {
                    table: Table::Outbox,
                    key: gone,
                },
                put(Table::Accounts, "plain", r#"{"seq":1}"#),
            ],
            false,
        )
        .await;
    written.expect("written");
    assert_eq!(
        all(&db, Table::Meta).await,
        pairs(&[("😀", r#"{"a":"ünï 😀 ∑"}"#)])
    );
    assert_eq!(
        all(&db, Table::Messages).await,
        pairs(&[(&key, r#"{"text":"𝄞 clef"}"#)])
    );
    assert!(all(&db, Table::Outbox).await.is_empty());
    assert_eq!(
        all(&db, Table::Accounts).await,
        pairs(&[("plain", r#"{"seq":1}"#)])
    );
    drop(db);
    fresh(&name).await;
}

/// A request that fails later, inside the browser (here: a unique index the database was given
/// by hand refuses a second equal value), aborts the transaction: the error comes from the
/// abort, and nothing of it lands.
#[wasm_bindgen_test]
async fn a_transaction_that_aborts_in_the_browser_leaves_nothing() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-abort");
    fresh(&name).await;
    run_js(
        "name",
        "await new Promise((ok, ko) => { const r = indexedDB.open(name, 1);
           r.onupgradeneeded = () => {
             for (const t of ['accounts', 'conversations', 'messages', 'tombstones', 'reactions',
                              'outbox', 'recalls', 'elsewhere']) r.result.createObjectStore(t);
             r.result.createObjectStore('meta').createIndex('unique', 'json', { unique: true });
           };
           r.onsuccess = () => { r.result.close(); ok(); }; r.onerror = () => ko(r.error); });",
        &name.as_str().into(),
    )
    .await
    .expect("a database with a unique index");
    let db = IdbRecords::open(&name, 5_000)
        .await
        .expect("open (the upgrade adds the rest)");
    db.apply(vec![put(Table::Meta, "a", "same")], false)
        .await
        .expect("first");
    let e = db
        .apply(
            vec![
                put(Table::Meta, "b", "other"),
                put(Table::Outbox, "k", "x"),
                put(Table::Meta, "c", "same"),
            ],
            true,
        )
        .await
        .expect_err("the unique index refuses");
    assert!(!e.full, "{}", e.message);
    assert!(
        e.message.contains("ConstraintError"),
        "names the cause: {}",
        e.message
    );
    assert_eq!(all(&db, Table::Meta).await, pairs(&[("a", "same")]));
    assert!(all(&db, Table::Outbox).await.is_empty());
    // The next transaction lands.
    db.apply(vec![put(Table::Meta, "b", "other")], false)
        .await
        .expect("after an abort");
    assert_eq!(all(&db, Table::Meta).await.len(), 2);
    drop(db);
    fresh(&name).await;
}

/// "Clear data" deletes the database while an engine's connection is open: the connection
/// closes itself (no `blocked`), later calls fail instead of panicking.
#[wasm_bindgen_test]
async fn deleting_the_database_closes_an_open_connection() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-delete");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    db.apply(vec![put(Table::Meta, "a", "1")], true)
        .await
        .expect("write");
    IdbRecords::delete(&name, 5_000)
        .await
        .expect("not blocked by the open connection");
    assert!(db
        .apply(vec![put(Table::Meta, "b", "2")], false)
        .await
        .is_err());
    assert!(db.read_all(Table::Meta).await.is_err());
    drop(db);
    let db = IdbRecords::open(&name, 5_000).await.expect("a new one");
    assert!(all(&db, Table::Meta).await.is_empty());
    drop(db);
    fresh(&name).await;
}

/// A read is over once its last request has ended, not when its transaction completes
/// (`read_done`): a read-only transaction that aborts after every request was issued (made here
/// by aborting the next read's real transaction in a microtask after it was issued, before any
/// request could end) fails every kind of read clearly, and the next read of the same
/// connection reads. A read that awaited only its last request's `success` would wait forever
/// here.
#[wasm_bindgen_test]
async fn a_read_whose_transaction_aborts_after_its_requests_fails_clearly() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-read-abort");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let key = |id: &str| format!("acct{KEY_SEP}{id}");
    db.apply(
        vec![
            put(Table::Meta, "m", "1"),
            conversation("2-ta", 5.0, &["p1"], Some("2-a1")),
            message(
                &key("2-a1"),
                &stored_message("2-a1", "2-ta", 1),
                "2-ta",
                1.0,
            ),
        ],
        false,
    )
    .await
    .expect("write");
    // The next transaction made is aborted in a microtask: its requests are all issued by then
    // (issuing is synchronous), none has ended (that takes a task).
    run_js(
        "_",
        "if (!globalThis.__abortNextRead) {
           const f = IDBDatabase.prototype.transaction;
           IDBDatabase.prototype.transaction = function (...a) {
             const tx = f.apply(this, a);
             if (globalThis.__abortNextRead) {
               globalThis.__abortNextRead = false;
               queueMicrotask(() => { try { tx.abort(); } catch (_) {} });
             }
             return tx;
           };
         }
         globalThis.__abortNextRead = false;",
        &JsValue::UNDEFINED,
    )
    .await
    .expect("wrap transaction");
    let arm = || async {
        run_js(
            "_",
            "globalThis.__abortNextRead = true;",
            &JsValue::UNDEFINED,
        )
        .await
        .expect("arm");
    };
    let says = |what: &str, e: threadline::sync::StorageError| {
        assert!(!e.full, "{what}: not a quota refusal: {}", e.message);
        assert!(e.message.contains("IndexedDB"), "{what}: {}", e.message);
    };
    arm().await;
    says(
        "tables",
        db.read_tables(&[Table::Meta, Table::Outbox])
            .await
            .expect_err("aborted"),
    );
    arm().await;
    says(
        "window",
        db.read_newest("acct", None, 10).await.expect_err("aborted"),
    );
    arm().await;
    says(
        "index",
        db.read_index("acct", "2-ta").await.expect_err("aborted"),
    );
    arm().await;
    let asked = [("2-ta".to_owned(), key("2-ta"))];
    says(
        "conversations",
        db.read_conversations("acct", &asked)
            .await
            .expect_err("aborted"),
    );
    arm().await;
    says(
        "keys",
        db.read_keys(Table::Conversations, &[key("2-ta")])
            .await
            .expect_err("aborted"),
    );
    arm().await;
    says(
        "places",
        db.read_places(&[key("2-a1")]).await.expect_err("aborted"),
    );
    // Not armed: the same reads read.
    assert_eq!(all(&db, Table::Meta).await, pairs(&[("m", "1")]));
    let read = db.read_conversations("acct", &asked).await.expect("read");
    assert_eq!(read[0].messages.len(), 1);
    assert_eq!(read[0].record.len(), 1);
    assert_eq!(
        db.read_newest("acct", None, 10)
            .await
            .expect("window")
            .len(),
        1
    );
    drop(db);
    fresh(&name).await;
}

/// A full disk, as Chrome reports it: the transaction aborts with a `QuotaExceededError` (made
/// here by aborting the real transaction after its first put, with that error, since a test
/// cannot fill the disk). The write fails as `full`, nothing of it lands, and the next write,
/// once there is room, lands.
#[wasm_bindgen_test]
async fn a_quota_abort_is_a_full_store_and_leaves_nothing() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-full");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    db.apply(vec![put(Table::Meta, "a", "1")], false)
        .await
        .expect("room at first");
    let restore = Function::new_no_args(
        "const put = IDBObjectStore.prototype.put;
         IDBObjectStore.prototype.put = function () {
           const req = put.apply(this, arguments);
           const tx = this.transaction;
           if (!tx.__full) {
             tx.__full = true;
             req.addEventListener('success', () => {
               Object.defineProperty(tx, 'error',
                 { value: new DOMException('Quota exceeded.', 'QuotaExceededError') });
               tx.abort();
             }, { once: true });
           }
           return req;
         };
         return () => { IDBObjectStore.prototype.put = put; };",
    )
    .call0(&JsValue::UNDEFINED)
    .expect("the full disk installed");
    let refused = db
        .apply(
            vec![
                put(Table::Meta, "b", "2"),
                put(Table::Outbox, "k", "3"),
                RecordOp::Clear {
                    table: Table::Accounts,
                },
            ],
            true,
        )
        .await;
    let _ = restore
        .unchecked_ref::<Function>()
        .call0(&JsValue::UNDEFINED);
    let e = refused.expect_err("the disk is full");
    assert!(e.full, "a quota refusal says full: {}", e.message);
    assert!(e.message.contains("QuotaExceededError"), "{}", e.message);
    assert_eq!(all(&db, Table::Meta).await, pairs(&[("a", "1")]));
    assert!(all(&db, Table::Outbox).await.is_empty());
    db.apply(vec![put(Table::Outbox, "k", "3")], true)
        .await
        .expect("room again");
    assert_eq!(all(&db, Table::Outbox).await, pairs(&[("k", "3")]));
    drop(db);
    fresh(&name).await;
}

fn conversation(id: &str, activity: f64, participants: &[&str], latest: Option<&str>) -> RecordOp {
    let key = |k: &str| format!("acct{KEY_SEP}{k}");
    RecordOp::Put {
        table: Table::Conversations,
        record: Record {
            listing: Some(ConversationIndex {
                account: "acct".into(),
                id: id.into(),
                activity,
                participants: participants.iter().map(|p| key(p)).collect(),
                latest: latest.map(key),
            }),
            ..record(&key(id), id)
        },
    }
}

/// `read_newest` pages an account's conversations newest first (ties by id, no activity
/// last), `read_by` finds them by participant (a multiEntry index) and by latest message: the
/// same answers as the memory storage gives for the same records.
#[wasm_bindgen_test]
async fn the_conversation_indexes_page_newest_first_and_find_by_participant() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-conversations");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let ops = vec![
        conversation("c1", 1_000.0, &["p1"], Some("m1")),
        conversation("c2", 3_000.0, &["p1", "p2"], None),
        conversation("c3", 2_000.0, &["p3"], Some("m3")),
        conversation("c0", 2_000.0, &[], None),
        conversation("c9", f64::NEG_INFINITY, &["p2"], None),
        RecordOp::Put {
            table: Table::Conversations,
            record: Record {
                listing: Some(ConversationIndex {
                    account: "other".into(),
                    id: "c5".into(),
                    activity: 9_000.0,
                    participants: vec![format!("other{KEY_SEP}p1")],
                    latest: None,
                }),
                ..record(&format!("other{KEY_SEP}c5"), "c5")
            },
        },
    ];
    let memory = MemoryRecords::default();
    memory.apply(ops.clone(), false).await.expect("memory");
    db.apply(ops, false).await.expect("a write");
    let ids = |rows: Vec<(String, String)>| rows.into_iter().map(|(_, j)| j).collect::<Vec<_>>();
    let all = ids(db.read_newest("acct", None, 50).await.expect("newest"));
    assert_eq!(all, ["c2", "c0", "c3", "c1", "c9"]);
    // Page by page, each page starting after the last one's (activity, id).
    let activity = |id: &str| match id {
        "c2" => 3_000.0,
        "c0" | "c3" => 2_000.0,
        "c1" => 1_000.0,
        _ => f64::NEG_INFINITY,
    };
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = ids(db
            .read_newest("acct", after.clone(), 2)
            .await
            .expect("page"));
        let mem = ids(memory
            .read_newest("acct", after.clone(), 2)
            .await
            .expect("page"));
        assert_eq!(page, mem, "after {after:?}");
        let Some(last) = page.last() else { break };
        after = Some((activity(last), last.clone()));
        paged.extend(page);
    }
    assert_eq!(paged, all);
    assert!(db
        .read_newest("acct", None, 0)
        .await
        .expect("zero")
        .is_empty());
    assert_eq!(
        ids(db.read_newest("other", None, 50).await.expect("other")),
        ["c5"]
    );
    // By key, in the order asked, what is absent left out.
    let keys: Vec<String> = ["c3", "nope", "c1"]
        .iter()
        .map(|k| format!("acct{KEY_SEP}{k}"))
        .collect();
    let got = ids(db
        .read_keys(Table::Conversations, &keys)
        .await
        .expect("read_keys"));
    assert_eq!(got, ["c3", "c1"]);
    assert_eq!(
        ids(memory
            .read_keys(Table::Conversations, &keys)
            .await
            .expect("memory")),
        got
    );
    assert!(db
        .read_keys(Table::Conversations, &[])
        .await
        .expect("none")
        .is_empty());
    for (by, key, expected) in [
        (
            ConversationLookup::Participant,
            "acct\u{1}p1",
            vec!["c1", "c2"],
        ),
        (
            ConversationLookup::Participant,
            "acct\u{1}p2",
            vec!["c2", "c9"],
        ),
        (ConversationLookup::Participant, "acct\u{1}p4", vec![]),
        (ConversationLookup::Latest, "acct\u{1}m3", vec!["c3"]),
        (ConversationLookup::Latest, "acct\u{1}m2", vec![]),
    ] {
        let seen = ids(db.read_by(by, key).await.expect("read_by"));
        assert_eq!(seen, expected, "{by:?} {key:?}");
        assert_eq!(ids(memory.read_by(by, key).await.expect("memory")), seen);
    }
    db.close();
    fresh(&name).await;
}

/// A version-1 database as today's release leaves it (its object stores and message indexes,
/// values `{json}` and the messages' `{json, a, c, t}`, `Meta` stamped layout 1; the records
/// those of the stored fixture, tests/fixtures/store_kv_v1.json, migrated into records) opens
/// as version 2 with every record kept, reads the same as the same records in memory, and
/// after its first load answers the conversation indexes.
#[wasm_bindgen_test]
async fn a_version_1_database_upgrades_and_reads_the_same() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-v1");
    fresh(&name).await;
    // The fixture's records, as layout 2 in memory.
    let map: std::collections::BTreeMap<String, String> =
        serde_json::from_str(include_str!("fixtures/store_kv_v1.json")).expect("fixture");
    let kv = MemoryKv(std::rc::Rc::new(std::cell::RefCell::new(map)));
    let memory = MemoryRecords::default();
    RecordLog::new(memory.clone())
        .migrate_from(&PersistLog::new(kv, "threadline"))
        .await
        .expect("into records");
    let expected = RecordLog::new(memory.clone()).load().await.expect("memory");
    assert!(expected.issues.is_empty(), "{:?}", expected.issues);
    // The same records as layout 1 wrote them, put by plain JS into a version-1 database.
    let tables = memory.tables.borrow().clone();
    let rows = Array::new();
    for (table, records) in tables.iter() {
        for r in records.values() {
            let mut json = r.json.clone();
            if *table == Table::Meta {
                json = json.replace("\"layout\":2", "\"layout\":1");
            }
            if *table == Table::Accounts {
                let mut v: serde_json::Value = serde_json::from_str(&json).expect("account");
                let o = v.as_object_mut().expect("an object");
                o.remove("summary");
                json = v.to_string();
            }
            let value = js_sys::Object::new();
            Reflect::set(&value, &"json".into(), &json.into()).expect("set");
            if let Some(i) = &r.index {
                Reflect::set(&value, &"a".into(), &i.account.as_str().into()).expect("set");
                Reflect::set(&value, &"c".into(), &i.conversation.as_str().into()).expect("set");
                Reflect::set(&value, &"t".into(), &i.sent_at.into()).expect("set");
            }
            let row = Array::of3(
                &JsValue::from_str(table.name()),
                &JsValue::from_str(&r.key),
                &value,
            );
            rows.push(&row);
        }
    }
    let args = Array::of2(&name.as_str().into(), &rows);
    run_js(
        "args",
        "const [name, rows] = args;
         const db = await new Promise((ok, ko) => { const r = indexedDB.open(name, 1);
           r.onupgradeneeded = () => {
             for (const t of ['meta', 'accounts', 'conversations', 'messages', 'tombstones',
                              'reactions', 'outbox', 'recalls', 'elsewhere']) {
               const s = r.result.createObjectStore(t);
               if (t === 'messages') {
                 s.createIndex('byConversation', ['a', 'c', 't']);
                 s.createIndex('bySentAt', ['a', 't']);
               }
             }
           };
           r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
         const tx = db.transaction([...db.objectStoreNames], 'readwrite');
         for (const [t, k, v] of rows) tx.objectStore(t).put(v, k);
         await new Promise((ok, ko) => { tx.oncomplete = ok; tx.onabort = () => ko(tx.error); });
         db.close();",
        &args.into(),
    )
    .await
    .expect("a version-1 database");
    let db = IdbRecords::open(&name, 5_000).await.expect("upgrade");
    // Nothing indexed yet: the records are as version 1 left them.
    assert!(db
        .read_newest("x", None, 5)
        .await
        .expect("empty")
        .is_empty());
    for table in Table::ALL {
        assert_eq!(
            db.read_all(table).await.expect("read").len(),
            memory.read_all(table).await.expect("memory").len(),
            "every record kept: {}",
            table.name()
        );
    }
    let loaded = RecordLog::new(db).load().await.expect("load");
    assert!(loaded.issues.is_empty(), "{:?}", loaded.issues);
    assert_eq!(loaded.records, expected.records);
    assert_eq!(loaded.summaries, expected.summaries);
    // The first load migrated the records: the indexes answer as memory's do, and the next
    // open reads the same.
    let db = IdbRecords::open(&name, 5_000).await.expect("reopen");
    for (table, records) in tables.iter() {
        let stored = db.read_all(*table).await.expect("read");
        let want: Vec<(String, String)> = records
            .values()
            .map(|r| (r.key.clone(), r.json.clone()))
            .collect();
        assert_eq!(stored, want, "{}", table.name());
    }
    let mut accounts = 0;
    for a in &expected.records.accounts {
        let newest = db
            .read_newest(&a.account.0, None, 1_000)
            .await
            .expect("idb");
        assert_eq!(newest.len(), a.conversations.len());
        assert_eq!(
            newest,
            memory
                .read_newest(&a.account.0, None, 1_000)
                .await
                .expect("memory")
        );
        accounts += 1;
    }
    assert!(accounts > 0);
    let again = RecordLog::new(db).load().await.expect("again");
    assert!(again.issues.is_empty(), "{:?}", again.issues);
    assert_eq!(again.records, expected.records);
    // A window of one reads from IndexedDB what it reads from memory.
    let db = IdbRecords::open(&name, 5_000).await.expect("reopen");
    let window = RecordLog::new(db).load_window(1).await.expect("window");
    let want = RecordLog::new(memory.clone())
        .load_window(1)
        .await
        .expect("memory window");
    assert!(window.issues.is_empty(), "{:?}", window.issues);
    assert_eq!(window.records, want.records);
    assert_eq!(window.list_more, want.list_more);
    assert!(!window.list_more.is_empty());
    fresh(&name).await;
}

/// What the engine's read of a list page's conversations costs (issue 13): the 50 conversations
/// of a page, 20 messages each, read one after another (one transaction each, what the engine
/// asked before) and all in one `read_conversations` (one transaction). Both read the same;
/// the times are printed, not asserted (`-- --nocapture` shows them).
#[wasm_bindgen_test]
async fn a_list_pages_conversations_read_in_one_transaction_read_the_same_as_one_by_one() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-page");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let mut ops = Vec::new();
    let mut asked = Vec::new();
    for c in 0..50 {
        let id = format!("c{c:02}");
        let key = format!("acct{KEY_SEP}{id}");
        ops.push(put(
            Table::Conversations,
            &key,
            &format!(r#"{{"id":"{id}"}}"#),
        ));
        for m in 0..20 {
            ops.push(message(
                &format!("acct{KEY_SEP}{id}m{m:02}"),
                &format!(r#"{{"text":"{id} {m}"}}"#),
                &id,
                f64::from(m),
            ));
        }
        asked.push((id, key));
    }
    db.apply(ops, false).await.expect("a write");
    let now = || js_sys::Date::now();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t0 = now();
        let mut one_by_one = Vec::new();
        for a in &asked {
            let mut read = db
                .read_conversations("acct", std::slice::from_ref(a))
                .await
                .expect("one");
            one_by_one.push(read.pop().expect("its rows"));
        }
        let t1 = now();
        let together = db.read_conversations("acct", &asked).await.expect("all");
        let t2 = now();
        assert_eq!(together.len(), one_by_one.len());
        for (a, b) in together.iter().zip(&one_by_one) {
            assert_eq!(a.messages, b.messages);
            assert_eq!(a.record, b.record);
            assert_eq!(a.messages.len(), 20);
        }
        times.push((t1 - t0, t2 - t1));
    }
    web_sys::console::log_1(
        &format!(
            "a list page of 50 conversations x 20 messages: one by one (50 transactions) vs \
             together (1 transaction), ms per round: {times:?}"
        )
        .into(),
    );
    db.close();
    fresh(&name).await;
}

/// A message of conversation `conversation` as stored (valid JSON of a `StoredMessage`).
fn stored_message(id: &str, conversation: &str, at: i64) -> String {
    let m = threadline::sync::StoredMessage {
        id: threadline::urn::MessageId::parse(id).expect("an id"),
        conversation: threadline::urn::ConversationId::parse(conversation).expect("an id"),
        message_urn: format!("urn:li:messagingMessage:{id}"),
        text: format!("text of {id}"),
        sent_at: threadline::sync::Millis(at),
        sender_profile_id: None,
        sender_name: None,
        is_sent_by_owner: false,
        attachments: Vec::new(),
        subject: None,
        stamp: threadline::sync::Stamp::MIN,
        tally: None,
        client_key: None,
        rev: threadline::sync::Rev::new(),
    };
    serde_json::to_string(&m).expect("JSON")
}

/// A conversation's messages are read as values alone (`getAll`, no `getAllKeys`: one request
/// a conversation); only a conversation with a record that cannot be read is read again with
/// its keys, so that every such record is named (what `restoreIssues()` lists) and the rest is
/// read. Counted by wrapping `IDBIndex.prototype.getAllKeys` in this page.
#[wasm_bindgen_test]
async fn message_keys_are_read_only_to_name_a_record_that_cannot_be_read() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-corrupt");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let key = |id: &str| format!("acct{KEY_SEP}{id}");
    let mut ops = Vec::new();
    for (i, id) in ["2-a1", "2-a2", "2-a3"].into_iter().enumerate() {
        ops.push(message(
            &key(id),
            &stored_message(id, "2-ta", i as i64),
            "2-ta",
            i as f64,
        ));
    }
    for (i, id) in ["2-b1", "2-b2"].into_iter().enumerate() {
        ops.push(message(
            &key(id),
            &stored_message(id, "2-tb", i as i64),
            "2-tb",
            i as f64,
        ));
    }
    // Two records of 2-tb that cannot be read: not JSON, and a message of another thread.
    ops.push(message(&key("2-bad"), "{not json", "2-tb", 5.0));
    ops.push(message(
        &key("2-stray"),
        &stored_message("2-stray", "2-ta", 6),
        "2-tb",
        6.0,
    ));
    db.apply(ops, false).await.expect("a write");
    run_js(
        "",
        "const p = IDBIndex.prototype; globalThis.__keysRead = 0; \
         globalThis.__getAllKeys = p.getAllKeys; \
         p.getAllKeys = function (...a) { globalThis.__keysRead += 1; \
           return globalThis.__getAllKeys.apply(this, a); };",
        &JsValue::UNDEFINED,
    )
    .await
    .expect("wrap getAllKeys");
    let keys_read = || async {
        run_js("", "return globalThis.__keysRead;", &JsValue::UNDEFINED)
            .await
            .expect("count")
            .as_f64()
            .unwrap_or(-1.0)
    };
    let log = RecordLog::new(db);
    let account = threadline::sync::AccountId("acct".into());
    let id = |c: &str| threadline::urn::ConversationId::parse(c).expect("an id");
    let clean = log
        .load_conversations(&account, &[id("2-ta")])
        .await
        .expect("read");
    assert_eq!(clean[0].messages.len(), 3);
    assert!(clean[0].issues.is_empty(), "{:?}", clean[0].issues);
    assert_eq!(
        keys_read().await,
        0.0,
        "no key read for a clean conversation"
    );
    let read = log
        .load_conversations(&account, &[id("2-ta"), id("2-tb")])
        .await
        .expect("read");
    run_js(
        "",
        "IDBIndex.prototype.getAllKeys = globalThis.__getAllKeys;",
        &JsValue::UNDEFINED,
    )
    .await
    .expect("unwrap getAllKeys");
    assert_eq!(read[0].messages.len(), 3);
    assert!(read[0].issues.is_empty());
    let texts: Vec<&str> = read[1].messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["text of 2-b1", "text of 2-b2"]);
    let named: Vec<(String, String)> = read[1]
        .issues
        .iter()
        .filter_map(|i| match i {
            threadline::sync::RestoreIssue::CorruptRecord { table, key, .. } => {
                Some((table.clone(), key.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        named,
        [
            ("messages".to_owned(), key("2-bad")),
            ("messages".to_owned(), key("2-stray")),
        ]
    );
    assert_eq!(keys_read().await, 1.0, "the keys of 2-tb only, once");
    log.storage().close();
    fresh(&name).await;
}

/// Where messages are (`Effect::Locate`, `locateMessages`): each message's own record by its
/// key and the conversations whose `byLatest` names it, read in one read-only transaction
/// however many messages are asked (counted by wrapping `IDBDatabase.prototype.transaction`),
/// with the same answers as the same records in memory; a closed database fails the read
/// clearly.
#[wasm_bindgen_test]
async fn messages_are_located_by_their_records_and_by_latest_in_one_transaction() {
    if !has_indexed_db() {
        return;
    }
    let name = database_name("t-idb-locate");
    fresh(&name).await;
    let db = IdbRecords::open(&name, 5_000).await.expect("open");
    let key = |id: &str| format!("acct{KEY_SEP}{id}");
    let mut ops = vec![
        message(
            &key("2-a1"),
            &stored_message("2-a1", "2-ta", 1),
            "2-ta",
            1.0,
        ),
        message(
            &key("2-b1"),
            &stored_message("2-b1", "2-tb", 2),
            "2-tb",
            2.0,
        ),
        // A record that cannot be read tells nothing.
        message(&key("2-bad"), "{not json", "2-ta", 3.0),
    ];
    // 2-tc is known by its list entry only: its latest message was never fetched.
    let listed = |id: &str, latest: &str| {
        let record = threadline::sync::ConversationRecord {
            id: threadline::urn::ConversationId::parse(id).expect("an id"),
            urn: format!("urn:li:messagingThread:{id}"),
            meta: Some(threadline::model::Conversation {
                conversation_urn: format!("urn:li:messagingThread:{id}"),
                latest_message: Some(threadline::model::LatestMessage {
                    message_urn: Some(format!("urn:li:messagingMessage:{latest}")),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            meta_stamp: threadline::sync::Millis(1),
            read_at: threadline::sync::Millis::MIN,
            history: Default::default(),
        };
        let account = threadline::sync::AccountId("acct".into());
        RecordOp::Put {
            table: Table::Conversations,
            record: Record {
                listing: Some(ConversationIndex::of(&account, &record)),
                ..self::record(&key(id), &serde_json::to_string(&record).expect("JSON"))
            },
        }
    };
    ops.push(listed("2-tc", "2-c9"));
    let memory = MemoryRecords::default();
    memory.apply(ops.clone(), false).await.expect("memory");
    db.apply(ops, false).await.expect("a write");
    run_js(
        "",
        "const p = IDBDatabase.prototype; globalThis.__transactions = 0; \
         globalThis.__transaction = p.transaction; \
         p.transaction = function (...a) { globalThis.__transactions += 1; \
           return globalThis.__transaction.apply(this, a); };",
        &JsValue::UNDEFINED,
    )
    .await
    .expect("wrap transaction");
    let account = threadline::sync::AccountId("acct".into());
    let asked: Vec<threadline::urn::MessageId> = ["2-a1", "2-b1", "2-c9", "2-bad", "2-none"]
        .iter()
        .map(|m| threadline::urn::MessageId::parse(m).expect("an id"))
        .collect();
    let log = RecordLog::new(db);
    let read = log.locate_messages(&account, &asked).await.expect("read");
    let transactions = run_js(
        "",
        "IDBDatabase.prototype.transaction = globalThis.__transaction; \
         return globalThis.__transactions;",
        &JsValue::UNDEFINED,
    )
    .await
    .expect("unwrap transaction");
    assert_eq!(transactions.as_f64(), Some(1.0), "one transaction");
    let said: Vec<(Option<String>, Vec<String>)> = read
        .iter()
        .map(|p| {
            (
                p.conversation.as_ref().map(|c| c.as_str().to_owned()),
                p.latest_of
                    .iter()
                    .map(|(c, _)| c.as_str().to_owned())
                    .collect(),
            )
        })
        .collect();
    let some = |c: &str| Some(c.to_owned());
    assert_eq!(
        said,
        [
            (some("2-ta"), vec![]),
            (some("2-tb"), vec![]),
            (None, vec!["2-tc".to_owned()]),
            (None, vec![]),
            (None, vec![]),
        ]
    );
    assert_eq!(read[2].latest_of[0].1, "urn:li:messagingThread:2-tc");
    let in_memory = RecordLog::new(memory)
        .locate_messages(&account, &asked)
        .await
        .expect("memory");
    assert_eq!(in_memory, read, "the same answers as in memory");
    log.storage().close();
    let closed = log.locate_messages(&account, &asked).await;
    let error = closed.expect_err("a closed database cannot be read");
    assert!(error.message.contains("IndexedDB"), "{error:?}");
    fresh(&name).await;
}
