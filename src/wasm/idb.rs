//! IndexedDB as a [`RecordStorage`] (issue 13): one database per store, one object store per
//! [`Table`], every record its own value, each `apply` one readwrite transaction. The layout
//! (what the scale benchmark and any plain-JS reader rely on):
//!
//! - database `threadline:<storageKey>`, version 2 (version 1 had no conversation indexes: the
//!   upgrade adds them and keeps every record; the record layout's own migration rewrites the
//!   conversation records with their index fields, see `RecordLog::load`);
//! - one object store per [`Table::name`], out-of-line keys (the record key, a string);
//! - every value a plain object `{json: "<the record's JSON text>"}`; a message's also carries
//!   `a` (account), `c` (conversation id) and `t` (sent at, epoch ms), indexed by
//!   `byConversation` on `["a","c","t"]` ("the newest N of a conversation") and `bySentAt` on
//!   `["a","t"]` ("messages since T");
//! - a conversation's value also carries `a` (account), `i` (conversation id), `t` (its last
//!   activity NEGATED, `Infinity` when none, so that ascending index order is the list's
//!   newest-first order and `getAll(range, N)` reads a window without a cursor), `p` (an array
//!   of `<account>␁<profile id>`) and `l` (`<account>␁<latest message id>`, absent when none),
//!   indexed by `byActivity` on `["a","t","i"]`, `byParticipant` on `p` (multiEntry) and
//!   `byLatest` on `l`.
//!
//! A transaction commits on its own once its task ends with no request pending, so `apply`
//! issues every request at once and then awaits only the transaction's `complete` or `abort`
//! (awaiting anything else in between would let it commit early or fail the next request). A
//! read issues every request at once too, then awaits only the end of the last one issued
//! ([`read_done`]): a read-only transaction's `complete` adds a round trip and tells nothing
//! more. A
//! quota refusal arrives as the transaction's abort with a `QuotaExceededError` (Chrome), or as
//! a call that throws one: both are [`StorageError::full`]. Every call into JS is a catching
//! import; nothing here can panic.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction,
};

use super::deadline::within;
use super::error::describe;
use crate::sync::{
    ConversationLookup, ConversationRows, PlaceRows, Record, RecordBudget, RecordOp, RecordStorage,
    StorageError, Table,
};

/// The layout's version (the database version).
const VERSION: u32 = 2;

#[wasm_bindgen]
extern "C" {
    /// An `IDBDatabase` seen through the one call web-sys has only behind its unstable flag.
    type DatabaseWithOptions;
    /// `transaction(stores, mode, options)`; a browser that does not know `durability`
    /// ignores it.
    #[wasm_bindgen(catch, method, js_name = transaction)]
    fn transaction(
        this: &DatabaseWithOptions,
        stores: &Array,
        mode: &str,
        options: &Object,
    ) -> Result<IdbTransaction, JsValue>;
}

/// The name of the database of a store key.
pub fn database_name(storage_key: &str) -> String {
    format!("threadline:{storage_key}")
}

/// A storage error from a thrown JS value or a transaction's `error`: a `QuotaExceededError`
/// says the storage is full.
fn error_of(what: &str, e: &JsValue) -> StorageError {
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = if name.is_empty() {
        format!("IndexedDB {what}: {}", describe(e))
    } else {
        format!("IndexedDB {what}: {name}: {}", describe(e))
    };
    if name == "QuotaExceededError" {
        StorageError::full(message)
    } else {
        StorageError::new(message)
    }
}

/// The page's or worker's `indexedDB`, or why there is none.
fn factory() -> Result<IdbFactory, StorageError> {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into::<IdbFactory>().ok())
        .ok_or_else(|| {
            StorageError::new(
                "no IndexedDB here (Node, or storage disabled): use \"memory\" or an adapter",
            )
        })
}

/// Awaits the transaction's end: `Ok` on `complete`, the error of its `abort` otherwise
/// (an `error` event of a request is always followed by the abort). Only the transaction's own
/// events are awaited: it stays alive until its requests are done and then commits by itself.
/// A transaction whose requests could not all be issued: nothing of it may land, so it is
/// aborted, and the error is named for `what`.
fn aborted(tx: &IdbTransaction, what: &str, e: &JsValue) -> StorageError {
    let _ = tx.abort();
    error_of(what, e)
}

async fn finished(tx: &IdbTransaction, what: &str) -> Result<(), StorageError> {
    let done = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    match JsFuture::from(done).await {
        Ok(_) => Ok(()),
        Err(_) => Err(match tx.error() {
            Some(e) => error_of(what, &e),
            None => StorageError::new(format!("IndexedDB {what}: the transaction was aborted")),
        }),
    }
}

/// The end of a read-only transaction's requests, `last` the last one issued: requests of one
/// transaction end in the order they were issued, and an abort ends every pending one with an
/// `error` event, so once `last` has succeeded every request has, and their results are read
/// then. The transaction's `complete` is not awaited: a read-only transaction's commit changes
/// nothing and tells nothing more, and it comes a round trip after the last request (0.1-0.25
/// ms in Chromium, on each of the three reads of a cold open to a view). A failure is named by
/// the transaction's error (set before the abort ends the pending requests: the failed
/// request's own, the cause), else by `last`'s own (it failed first).
async fn read_done(tx: &IdbTransaction, last: &IdbRequest, what: &str) -> Result<(), StorageError> {
    let done = Promise::new(&mut |resolve, reject| {
        last.set_onsuccess(Some(&resolve));
        last.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(done).await;
    // The transaction lives on until it commits: nothing of this read is called then.
    last.set_onsuccess(None);
    last.set_onerror(None);
    tx.set_onabort(None);
    if outcome.is_ok() {
        return Ok(());
    }
    Err(match tx.error().or_else(|| last.error().ok().flatten()) {
        Some(e) => error_of(what, &e),
        None => StorageError::new(format!("IndexedDB {what}: the transaction was aborted")),
    })
}

/// A request's end (`success` or `error`), for the open and delete requests, which belong to
/// no transaction of ours. `blocked` is waited out: another connection must close first.
async fn request_done(
    req: &IdbOpenDbRequest,
    what: &str,
    deadline_ms: u64,
) -> Result<(), StorageError> {
    let done = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = within(deadline_ms, JsFuture::from(done)).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Err(_) => Err(StorageError::new(format!(
            "IndexedDB {what}: no answer in {deadline_ms} ms (another tab or worker holds an \
             older version open?)"
        ))),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(match req.error() {
            Ok(Some(e)) => error_of(what, &e),
            _ => error_of(what, &e),
        }),
    }
}

/// Creates what version 2 has and the database lacks (an object store per table, the message
/// and conversation indexes); the records a version-1 database holds stay as they are. Any
/// failure aborts the upgrade, which fails the open.
fn upgrade(req: &IdbOpenDbRequest) -> Result<(), JsValue> {
    let db: IdbDatabase = req.result()?.dyn_into()?;
    let tx = req
        .transaction()
        .ok_or_else(|| JsValue::from_str("no upgrade transaction"))?;
    let names = db.object_store_names();
    let path = |keys: &[&str]| {
        let path = Array::new();
        for k in keys {
            path.push(&JsValue::from_str(k));
        }
        path
    };
    for table in Table::ALL {
        let store = if names.contains(table.name()) {
            tx.object_store(table.name())?
        } else {
            db.create_object_store(table.name())?
        };
        let has = store.index_names();
        match table {
            Table::Messages => {
                if !has.contains("byConversation") {
                    store.create_index_with_str_sequence(
                        "byConversation",
                        &path(&["a", "c", "t"]),
                    )?;
                }
                if !has.contains("bySentAt") {
                    store.create_index_with_str_sequence("bySentAt", &path(&["a", "t"]))?;
                }
            }
            Table::Conversations => {
                if !has.contains("byActivity") {
                    store.create_index_with_str_sequence("byActivity", &path(&["a", "t", "i"]))?;
                }
                if !has.contains("byParticipant") {
                    let multi = web_sys::IdbIndexParameters::new();
                    multi.set_multi_entry(true);
                    store.create_index_with_str_and_optional_parameters(
                        "byParticipant",
                        "p",
                        &multi,
                    )?;
                }
                if !has.contains("byLatest") {
                    store.create_index_with_str("byLatest", "l")?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Records in an IndexedDB database (see the module's documentation for the layout).
pub struct IdbRecords {
    db: IdbDatabase,
    /// Closes the connection when another one wants to delete or upgrade the database ("clear
    /// data"), so that one is never blocked by an engine left open.
    _on_versionchange: Closure<dyn FnMut()>,
    /// A quota made small on purpose (tests only: `quotaBytes`), see [`IdbRecords::limit`].
    budget: Option<std::cell::RefCell<RecordBudget>>,
}

/// Issues an index read's `getAllKeys` and `getAll` ([`IdbRecords::read_on_index`]).
type IndexRequests<'a> =
    dyn Fn(&web_sys::IdbIndex) -> Result<(web_sys::IdbRequest, web_sys::IdbRequest), JsValue> + 'a;

impl IdbRecords {
    /// Opens (and creates, the first time) the database `name`. An open that another
    /// connection blocks fails after `deadline_ms`.
    pub async fn open(name: &str, deadline_ms: u64) -> Result<IdbRecords, StorageError> {
        let req = factory()?
            .open_with_u32(name, VERSION)
            .map_err(|e| error_of("open", &e))?;
        let on_upgrade = {
            let req = req.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Err(e) = upgrade(&req) {
                    super::driver::warn_value(&e);
                    if let Some(tx) = req.transaction() {
                        let _ = tx.abort();
                    }
                }
            })
        };
        req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let opened = request_done(&req, "open", deadline_ms).await;
        req.set_onupgradeneeded(None);
        drop(on_upgrade);
        opened?;
        let db: IdbDatabase = req
            .result()
            .and_then(|db| db.dyn_into())
            .map_err(|e| error_of("open", &e))?;
        let on_versionchange = {
            let db = db.clone();
            Closure::<dyn FnMut()>::new(move || db.close())
        };
        db.set_onversionchange(Some(on_versionchange.as_ref().unchecked_ref()));
        Ok(IdbRecords {
            db,
            _on_versionchange: on_versionchange,
            budget: None,
        })
    }

    /// Tests only: from now on a transaction that would take the stored bytes (keys and JSON
    /// texts, see [`RecordBudget`]) over `quota` is refused whole with [`StorageError::full`],
    /// as the browser refuses one over its quota. Reads every table once to count what is
    /// stored.
    pub async fn limit(mut self, quota: u64) -> Result<IdbRecords, StorageError> {
        let mut stored = Vec::new();
        for table in Table::ALL {
            for (key, json) in self.read_all(table).await? {
                stored.push((table, key, json));
            }
        }
        self.budget = Some(std::cell::RefCell::new(RecordBudget::new(quota, stored)));
        Ok(self)
    }

    /// Deletes the database `name` with everything in it; open connections of this realm are
    /// closed by their `versionchange` handler.
    pub async fn delete(name: &str, deadline_ms: u64) -> Result<(), StorageError> {
        let req = factory()?
            .delete_database(name)
            .map_err(|e| error_of("deleteDatabase", &e))?;
        request_done(&req, "deleteDatabase", deadline_ms).await
    }

    /// Closes the connection (a transaction under way still finishes); later calls fail.
    pub fn close(&self) {
        self.db.close();
    }

    /// One read-only transaction on index `name` of `table`: `requests` issues the
    /// `getAllKeys` and `getAll` (same range, same order), then only the transaction is awaited.
    /// Not generic over `requests`: one future for the three readers (issue 15).
    async fn read_on_index(
        &self,
        table: Table,
        name: &str,
        what: &str,
        requests: &IndexRequests<'_>,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let tx = self
            .db
            .transaction_with_str(table.name())
            .map_err(|e| error_of(what, &e))?;
        let store = Self::store(&tx, table)?;
        let (keys, values) = store
            .index(name)
            .and_then(|index| requests(&index))
            .map_err(|e| aborted(&tx, what, &e))?;
        read_done(&tx, &values, what).await?;
        pairs(what, &keys, &values)
    }

    /// A read-only transaction over `messages` and `conversations`, the two tables a
    /// conversation's or a message's read needs together.
    fn messages_and_conversations(&self, what: &str) -> Result<IdbTransaction, StorageError> {
        let names = Array::of2(
            &JsValue::from_str(Table::Messages.name()),
            &JsValue::from_str(Table::Conversations.name()),
        );
        self.db
            .transaction_with_str_sequence(&names)
            .map_err(|e| error_of(what, &e))
    }

    fn store(tx: &IdbTransaction, table: Table) -> Result<IdbObjectStore, StorageError> {
        tx.object_store(table.name())
            .map_err(|e| error_of(table.name(), &e))
    }
}

impl Drop for IdbRecords {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
    }
}

/// The JS strings of one write: the stored values' property names, made once per transaction,
/// the last account and conversation a record named, which every message of a page repeats,
/// and every record's key and JSON text, cut from one string ([`Texts`]). Each string made
/// afresh is a copy out of wasm and a decode in JS: seven a message, a seventh of a
/// 50-message merge's time before; then two (key, JSON), each a `TextDecoder` call.
struct Names<'a> {
    texts: Texts,
    json: JsValue,
    a: JsValue,
    c: JsValue,
    t: JsValue,
    i: JsValue,
    p: JsValue,
    l: JsValue,
    account: Option<(&'a str, JsValue)>,
    conversation: Option<(&'a str, JsValue)>,
}

impl<'a> Names<'a> {
    fn new(ops: &[RecordOp]) -> Self {
        Names {
            texts: Texts::of(ops),
            json: "json".into(),
            a: "a".into(),
            c: "c".into(),
            t: "t".into(),
            i: "i".into(),
            p: "p".into(),
            l: "l".into(),
            account: None,
            conversation: None,
        }
    }

    /// `text` as a JS string, the one made for the same text just before when there is one.
    fn reuse(slot: &mut Option<(&'a str, JsValue)>, text: &'a str) -> JsValue {
        match slot {
            Some((last, v)) if *last == text => v.clone(),
            _ => {
                let v = JsValue::from_str(text);
                *slot = Some((text, v.clone()));
                v
            }
        }
    }

    fn account(&mut self, text: &'a str) -> JsValue {
        Self::reuse(&mut self.account, text)
    }

    fn conversation(&mut self, text: &'a str) -> JsValue {
        Self::reuse(&mut self.conversation, text)
    }
}

/// Every key and JSON text of a transaction's ops that is ASCII as one JS string (one copy out
/// of wasm, one decode), and where each op's are in it: each is then a `substring` of it, with
/// nothing to decode. A text beyond ASCII is a string of its own: a substring of a string
/// holding one character beyond ASCII is two bytes a character, and IndexedDB stores it so
/// (the structured clone writes a string as its representation is): one such text in a
/// merged page or a migration wrote every record of the transaction two bytes a character,
/// and a cold open's read of 200 of them took twice as long as of the same records stored
/// one byte a character (issue 15; on disk the store is larger this way, ARCHITECTURE.md).
struct Texts {
    all: js_sys::JsString,
    /// By op: its key's (start, end), and its JSON text's (a put's), when in `all`.
    spans: Vec<[Option<(u32, u32)>; 2]>,
}

/// The most bytes of text a transaction's texts are joined up to (a snapshot of a large store
/// could pass the longest string a JS engine makes, whose error would unwind through wasm);
/// past it each text is a string of its own, as any one record's always is.
const JOINED_MAX: usize = 1 << 26;

impl Texts {
    fn of(ops: &[RecordOp]) -> Texts {
        let bytes: usize = ops
            .iter()
            .map(|op| match op {
                RecordOp::Put { record, .. } => record.key.len().saturating_add(record.json.len()),
                RecordOp::Delete { key, .. } => key.len(),
                RecordOp::Clear { .. } => 0,
            })
            .fold(0, usize::saturating_add);
        if bytes > JOINED_MAX {
            return Texts {
                all: js_sys::JsString::from(""),
                spans: Vec::new(),
            };
        }
        let mut all = String::with_capacity(bytes);
        let mut add = |text: &str| {
            if !text.is_ascii() {
                return None;
            }
            all.push_str(text);
            // ASCII: a UTF-16 unit a byte.
            let start = u32::try_from(all.len() - text.len()).ok()?;
            Some((start, u32::try_from(all.len()).ok()?))
        };
        let spans = ops
            .iter()
            .map(|op| match op {
                RecordOp::Put { record, .. } => [add(&record.key), add(&record.json)],
                RecordOp::Delete { key, .. } => [add(key), None],
                RecordOp::Clear { .. } => [None; 2],
            })
            .collect();
        Texts {
            all: js_sys::JsString::from(all.as_str()),
            spans,
        }
    }

    /// Op `i`'s key (`which` 0) or JSON text (1); `text` made on its own when not joined.
    fn get(&self, i: usize, which: usize, text: &str) -> JsValue {
        match self.spans.get(i).and_then(|spans| spans[which.min(1)]) {
            Some((start, end)) => self.all.substring(start, end).into(),
            None => JsValue::from_str(text),
        }
    }
}

/// The stored value of op `i`'s record: `{json}`, and a message's index fields.
fn value_of<'a>(i: usize, record: &'a Record, names: &mut Names<'a>) -> JsValue {
    let value = Object::new();
    // Setting a data property on a fresh plain object cannot fail.
    let json = names.texts.get(i, 1, &record.json);
    let _ = Reflect::set(&value, &names.json, &json);
    if let Some(index) = &record.index {
        let (account, conversation) = (
            names.account(&index.account),
            names.conversation(&index.conversation),
        );
        let _ = Reflect::set(&value, &names.a, &account);
        let _ = Reflect::set(&value, &names.c, &conversation);
        let _ = Reflect::set(&value, &names.t, &index.sent_at.into());
    }
    if let Some(index) = &record.listing {
        let account = names.account(&index.account);
        let _ = Reflect::set(&value, &names.a, &account);
        let _ = Reflect::set(&value, &names.i, &index.id.as_str().into());
        // Negated: ascending is newest first (`-(-Infinity)` is `Infinity`, a valid key).
        let _ = Reflect::set(&value, &names.t, &(-index.activity).into());
        let p = Array::new();
        for one in &index.participants {
            p.push(&JsValue::from_str(one));
        }
        let _ = Reflect::set(&value, &names.p, &p);
        if let Some(l) = &index.latest {
            let _ = Reflect::set(&value, &names.l, &l.as_str().into());
        }
    }
    value.into()
}

/// Issues op `i`'s request (its outcome is the transaction's).
fn issue<'a>(
    store: &IdbObjectStore,
    i: usize,
    op: &'a RecordOp,
    names: &mut Names<'a>,
) -> Result<(), JsValue> {
    match op {
        RecordOp::Put { record, .. } => {
            let key = names.texts.get(i, 0, &record.key);
            store
                .put_with_key(&value_of(i, record, names), &key)
                .map(drop)
        }
        RecordOp::Delete { key, .. } => store.delete(&names.texts.get(i, 0, key)).map(drop),
        RecordOp::Clear { .. } => store.clear().map(drop),
    }
}

/// Issues every op's request on `tx`, in order (their outcome is the transaction's).
fn issue_all(tx: &IdbTransaction, ops: &[RecordOp], tables: usize) -> Result<(), StorageError> {
    let mut stores: Vec<(Table, IdbObjectStore)> = Vec::with_capacity(tables);
    let mut names = Names::new(ops);
    for (i, op) in ops.iter().enumerate() {
        let table = table_of(op);
        let store = match stores.iter().find(|(t, _)| *t == table) {
            Some((_, s)) => s.clone(),
            None => {
                let s = IdbRecords::store(tx, table)?;
                stores.push((table, s.clone()));
                s
            }
        };
        issue(&store, i, op, &mut names).map_err(|e| error_of(table.name(), &e))?;
    }
    Ok(())
}

fn table_of(op: &RecordOp) -> Table {
    match op {
        RecordOp::Put { table, .. }
        | RecordOp::Delete { table, .. }
        | RecordOp::Clear { table } => *table,
    }
}

/// What `read_index` names its failures by.
const MESSAGES_OF: &str = "messages byConversation";

/// `IDBKeyRange.bound([a, c, -Infinity], [a, c, Infinity])` of `byConversation`: one
/// conversation's messages.
fn messages_of(account: &str, conversation: &str) -> Result<web_sys::IdbKeyRange, JsValue> {
    let bound = |t: f64| -> JsValue {
        let key = Array::of2(
            &JsValue::from_str(account),
            &JsValue::from_str(conversation),
        );
        key.push(&JsValue::from_f64(t));
        key.into()
    };
    web_sys::IdbKeyRange::bound(&bound(f64::NEG_INFINITY), &bound(f64::INFINITY))
}

/// The JSON text of a `get`'s result: `None` when nothing is stored under the key; a value
/// not of this layout reads as "" (unreadable JSON), which the loader names. `name` is the JS
/// string "json" ([`json_name`]), made once per read: made per record, it was a copy out of
/// wasm and a decode in JS for each of a thread's 200 messages.
fn json_of(value: &JsValue, name: &JsValue) -> Option<String> {
    if value.is_undefined() {
        return None;
    }
    Some(
        Reflect::get(value, name)
            .ok()
            .and_then(|j| j.as_string())
            .unwrap_or_default(),
    )
}

/// The property name of a stored value's JSON text, as a JS string.
fn json_name() -> JsValue {
    JsValue::from_str("json")
}

/// The records of two finished requests of one transaction, primary keys and values in the
/// same order (of the key, or of an index), as `(key, json)`.
fn pairs(
    what: &str,
    keys: &web_sys::IdbRequest,
    values: &web_sys::IdbRequest,
) -> Result<Vec<(String, String)>, StorageError> {
    let read = |r: &web_sys::IdbRequest| {
        r.result()
            .and_then(|v| v.dyn_into::<Array>())
            .map_err(|e| error_of(what, &e))
    };
    let (keys, values) = (read(keys)?, read(values)?);
    let name = json_name();
    // Both lists are in the same order, read in one transaction: item i of each is one record.
    let mut out = Vec::with_capacity(keys.length() as usize);
    for (key, value) in keys.iter().zip(values.iter()) {
        let key = key.as_string().unwrap_or_else(|| describe(&key));
        // A value not of this layout reads as "" (unreadable JSON), which the loader names.
        out.push((key, json_of(&value, &name).unwrap_or_default()));
    }
    Ok(out)
}

impl RecordStorage for IdbRecords {
    async fn read_all(&self, table: Table) -> Result<Vec<(String, String)>, StorageError> {
        let mut read = self.read_tables(&[table]).await?;
        Ok(read.pop().unwrap_or_default())
    }

    /// One read-only transaction over every table asked for, `getAllKeys` and `getAll` of each
    /// issued at once.
    async fn read_tables(
        &self,
        tables: &[Table],
    ) -> Result<Vec<Vec<(String, String)>>, StorageError> {
        let what = match tables {
            [] => return Ok(Vec::new()),
            [one] => one.name(),
            _ => "read",
        };
        let names = Array::new();
        for t in tables {
            names.push(&JsValue::from_str(t.name()));
        }
        let tx = self
            .db
            .transaction_with_str_sequence(&names)
            .map_err(|e| error_of(what, &e))?;
        let mut requests = Vec::with_capacity(tables.len());
        for &table in tables {
            let issued = Self::store(&tx, table).and_then(|store| {
                store
                    .get_all_keys()
                    .and_then(|k| Ok((k, store.get_all()?)))
                    .map_err(|e| error_of(table.name(), &e))
            });
            match issued {
                Ok(r) => requests.push((table, r)),
                Err(e) => {
                    let _ = tx.abort();
                    return Err(e);
                }
            }
        }
        if let Some((_, (_, last))) = requests.last() {
            read_done(&tx, last, what).await?;
        }
        requests
            .iter()
            .map(|(table, (keys, values))| pairs(table.name(), keys, values))
            .collect()
    }

    /// `byConversation` over `IDBKeyRange.bound([a, c, -Infinity], [a, c, Infinity])`: the
    /// conversation's messages, oldest first, in one read-only transaction.
    async fn read_index(
        &self,
        account: &str,
        conversation: &str,
    ) -> Result<Vec<(String, String)>, StorageError> {
        self.read_on_index(Table::Messages, "byConversation", MESSAGES_OF, &|index| {
            let range = messages_of(account, conversation)?;
            Ok((
                index.get_all_keys_with_key(&range)?,
                index.get_all_with_key(&range)?,
            ))
        })
        .await
    }

    /// The messages' `getAll` of `byConversation` (values only: no `getAllKeys`, the keys are
    /// read only to name a record that cannot be read) and the record's `get` of every
    /// conversation, all issued at once in one read-only transaction over `messages` and
    /// `conversations` (one round trip however many conversations: a list page's are not read
    /// one after another).
    async fn read_conversations(
        &self,
        account: &str,
        conversations: &[(String, String)],
    ) -> Result<Vec<ConversationRows>, StorageError> {
        let what = MESSAGES_OF;
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.messages_and_conversations(what)?;
        let issued = (|| {
            let messages = tx
                .object_store(Table::Messages.name())?
                .index("byConversation")?;
            let records = tx.object_store(Table::Conversations.name())?;
            let mut requests = Vec::with_capacity(conversations.len());
            for (conversation, key) in conversations {
                let range: JsValue = messages_of(account, conversation)?.into();
                let values = messages.get_all_with_key(&range)?;
                requests.push((values, key, records.get(&key.as_str().into())?));
            }
            Ok::<_, JsValue>(requests)
        })();
        let requests = issued.map_err(|e| aborted(&tx, what, &e))?;
        if let Some((_, _, last)) = requests.last() {
            read_done(&tx, last, what).await?;
        }
        let name = json_name();
        let mut out = Vec::with_capacity(requests.len());
        for (values, key, record) in requests {
            let record = record
                .result()
                .map_err(|e| error_of(Table::Conversations.name(), &e))?;
            let values = values
                .result()
                .and_then(|v| v.dyn_into::<Array>())
                .map_err(|e| error_of(what, &e))?;
            out.push(ConversationRows {
                // A value not of this layout reads as "" (unreadable JSON), which the loader
                // names (reading the keys then).
                messages: values
                    .iter()
                    .map(|v| json_of(&v, &name).unwrap_or_default())
                    .collect(),
                record: json_of(&record, &name)
                    .map(|json| (key.clone(), json))
                    .into_iter()
                    .collect(),
            });
        }
        Ok(out)
    }

    /// `byActivity` over `[a, -after.0, after.1]` (excluded) or `[a]` up to `[a, []]` (an array
    /// sorts above every number and string: the account's last key), `getAll` and
    /// `getAllKeys` with `limit`, in one read-only transaction.
    async fn read_newest(
        &self,
        account: &str,
        after: Option<(f64, String)>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let what = "conversations byActivity";
        if limit == 0 {
            return Ok(Vec::new());
        }
        let key = |parts: &[JsValue]| -> JsValue {
            let key = Array::new();
            for part in parts {
                key.push(part);
            }
            key.into()
        };
        let a = JsValue::from_str(account);
        let upper = key(&[a.clone(), Array::new().into()]);
        let (lower, open) = match &after {
            Some((t, id)) => (
                key(&[a.clone(), JsValue::from_f64(-*t), JsValue::from_str(id)]),
                true,
            ),
            None => (key(&[a]), false),
        };
        self.read_on_index(Table::Conversations, "byActivity", what, &|index| {
            let range = web_sys::IdbKeyRange::bound_with_lower_open_and_upper_open(
                &lower, &upper, open, false,
            )?;
            Ok((
                index.get_all_keys_with_key_and_limit(&range, limit)?,
                index.get_all_with_key_and_limit(&range, limit)?,
            ))
        })
        .await
    }

    /// One read-only transaction, a `get` per key issued at once; a key with nothing stored is
    /// left out.
    async fn read_keys(
        &self,
        table: Table,
        keys: &[String],
    ) -> Result<Vec<(String, String)>, StorageError> {
        let what = table.name();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self
            .db
            .transaction_with_str(what)
            .map_err(|e| error_of(what, &e))?;
        let store = Self::store(&tx, table)?;
        let mut requests = Vec::with_capacity(keys.len());
        for key in keys {
            let request = store
                .get(&key.as_str().into())
                .map_err(|e| aborted(&tx, what, &e))?;
            requests.push((key, request));
        }
        if let Some((_, last)) = requests.last() {
            read_done(&tx, last, what).await?;
        }
        let name = json_name();
        let mut out = Vec::with_capacity(requests.len());
        for (key, r) in requests {
            let value = r.result().map_err(|e| error_of(what, &e))?;
            if let Some(json) = json_of(&value, &name) {
                out.push((key.clone(), json));
            }
        }
        Ok(out)
    }

    /// `byParticipant` or `byLatest`, `getAll(key)` and `getAllKeys(key)`.
    async fn read_by(
        &self,
        by: ConversationLookup,
        key: &str,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let (name, what) = match by {
            ConversationLookup::Participant => ("byParticipant", "conversations byParticipant"),
            ConversationLookup::Latest => ("byLatest", "conversations byLatest"),
        };
        let key = JsValue::from_str(key);
        self.read_on_index(Table::Conversations, name, what, &|index| {
            Ok((
                index.get_all_keys_with_key(&key)?,
                index.get_all_with_key(&key)?,
            ))
        })
        .await
    }

    /// Each key's `get` on `messages` and `getAllKeys` and `getAll` of `byLatest` on
    /// `conversations`, all issued at once in one read-only transaction over both tables.
    async fn read_places(&self, keys: &[String]) -> Result<Vec<PlaceRows>, StorageError> {
        let what = "messages and conversations byLatest";
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.messages_and_conversations(what)?;
        let issued = (|| {
            let messages = tx.object_store(Table::Messages.name())?;
            let latest = tx
                .object_store(Table::Conversations.name())?
                .index("byLatest")?;
            let mut requests = Vec::with_capacity(keys.len());
            for key in keys {
                let key = JsValue::from_str(key);
                requests.push((
                    messages.get(&key)?,
                    latest.get_all_keys_with_key(&key)?,
                    latest.get_all_with_key(&key)?,
                ));
            }
            Ok::<_, JsValue>(requests)
        })();
        let requests = issued.map_err(|e| aborted(&tx, what, &e))?;
        if let Some((_, _, last)) = requests.last() {
            read_done(&tx, last, what).await?;
        }
        let name = json_name();
        let mut out = Vec::with_capacity(requests.len());
        for (message, keys, values) in requests {
            let message = message
                .result()
                .map_err(|e| error_of(Table::Messages.name(), &e))?;
            out.push(PlaceRows {
                message: json_of(&message, &name),
                latest: pairs(what, &keys, &values)?,
            });
        }
        Ok(out)
    }

    async fn apply(&self, ops: Vec<RecordOp>, durable: bool) -> Result<(), StorageError> {
        let mut tables: Vec<Table> = ops.iter().map(table_of).collect();
        crate::sort::sort_dedup_by(&mut tables, Ord::cmp);
        if tables.is_empty() {
            return Ok(());
        }
        if let Some(budget) = &self.budget {
            budget.borrow().check(&ops)?;
        }
        let names = Array::new();
        for t in &tables {
            names.push(&JsValue::from_str(t.name()));
        }
        let options = Object::new();
        if durable {
            let _ = Reflect::set(&options, &"durability".into(), &"strict".into());
        }
        let tx = self
            .db
            .unchecked_ref::<DatabaseWithOptions>()
            .transaction(&names, "readwrite", &options)
            .map_err(|e| error_of("transaction", &e))?;
        if let Err(e) = issue_all(&tx, &ops, tables.len()) {
            // Nothing of this transaction lands.
            let _ = tx.abort();
            return Err(e);
        }
        // Not `commit()` here: it would let the database commit without waiting for each
        // request's `success` to come back to the page (0.4-0.5 ms of a 50-put transaction in
        // plain JS), but Firefox then reports a request's failure as the transaction's
        // `AbortError`, not the request's own error (a `ConstraintError`, a quota refusal), and
        // `full` is read from that error (issue 15, measured and left).
        finished(&tx, "write").await?;
        if let Some(budget) = &self.budget {
            budget.borrow_mut().commit(&ops);
        }
        Ok(())
    }
}
