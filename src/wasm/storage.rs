//! Where the engine's state lives between runs: string values behind one [`Storage`] trait
//! (`localStorage` through gloo-storage for pages, `chrome.storage.local` for an extension's
//! background, memory for Node and tests, or an adapter object JS hands in), and the
//! [`PersistLog`] that maps the engine's `Persist` effects onto keys and reads them back.
//!
//! Key layout under a prefix `P` (default `threadline`):
//! - `P:head`: `{"v":1,"snapshot":G,"deltas":[N,…],"next":M}`, the commit point: a snapshot or
//!   delta counts only once the head names it, so a write cut short never half-applies;
//! - `P:snapshot:G`: the `Records` JSON of snapshot generation `G`;
//! - `P:delta:N`: the `Records` JSON of one delta, applied in the head's order.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use gloo_storage::Storage as _;
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::deadline::within;
use super::error::describe;
use crate::sync::Persist;

/// A storage operation failed (quota, no such API here, a rejected Promise).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StorageError(pub String);

fn failed(what: &str, e: &JsValue) -> StorageError {
    StorageError(format!("{what}: {}", describe(e)))
}

/// Awaits a storage call's Promise at most `deadline_ms`: one that never settles is a clear
/// failure, never a command that hangs.
async fn settle(what: &str, result: &JsValue, deadline_ms: u64) -> Result<JsValue, StorageError> {
    within(deadline_ms, JsFuture::from(Promise::resolve(result)))
        .await
        .map_err(|_| StorageError(format!("{what}: no answer in {deadline_ms} ms")))?
        .map_err(|e| failed(what, &e))
}

/// Asynchronous string storage.
pub trait Storage {
    /// The value under `key`, if any.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<String>, StorageError>>;
    /// Stores `value` under `key`, replacing what was there.
    fn put(&self, key: &str, value: &str) -> impl Future<Output = Result<(), StorageError>>;
    /// Removes `key` (nothing happens when it is absent).
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StorageError>>;
}

/// The page's `localStorage`, through gloo-storage. Values are stored as they are (not
/// JSON-quoted), so every adapter holds the same text.
pub struct LocalStore(web_sys::Storage);

impl LocalStore {
    /// The page's `localStorage`, or why there is none (a service worker, Node, storage
    /// disabled). Checked first because gloo-storage throws when there is no window.
    pub fn open() -> Result<LocalStore, StorageError> {
        let global = js_sys::global();
        let has_window = Reflect::get(&global, &"window".into()).is_ok_and(|w| w.is_object());
        let has_storage = has_window
            && Reflect::get(&global, &"localStorage".into()).is_ok_and(|s| s.is_object());
        if !has_storage {
            return Err(StorageError(
                "no localStorage here (a worker, a service worker or Node): use \
                 \"chromeStorage\" in an extension's background, or \"memory\""
                    .into(),
            ));
        }
        Ok(LocalStore(gloo_storage::LocalStorage::raw()))
    }
}

impl Storage for LocalStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.0
            .get_item(key)
            .map_err(|e| failed("localStorage.getItem", &e))
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.0
            .set_item(key, value)
            .map_err(|e| failed("localStorage.setItem", &e))
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.0
            .remove_item(key)
            .map_err(|e| failed("localStorage.removeItem", &e))
    }
}

/// An extension's `storage.local` (`browser.storage.local` where it exists, as in Firefox,
/// else `chrome.storage.local`), through its Promise API; works where there is no window.
pub struct ChromeStore(JsValue, u64);

impl ChromeStore {
    /// The extension storage area, or why there is none (not an extension, no `storage`
    /// permission).
    pub fn open(deadline_ms: u64) -> Result<ChromeStore, StorageError> {
        let global = js_sys::global();
        for ns in ["browser", "chrome"] {
            let area = Reflect::get(&global, &ns.into())
                .and_then(|n| Reflect::get(&n, &"storage".into()))
                .and_then(|s| Reflect::get(&s, &"local".into()));
            if let Ok(area) = area {
                if area.is_object() {
                    return Ok(ChromeStore(area, deadline_ms));
                }
            }
        }
        Err(StorageError(
            "no chrome.storage.local here: not an extension context, or the manifest lacks the \
             \"storage\" permission"
                .into(),
        ))
    }

    async fn call(&self, method: &str, arg: &JsValue) -> Result<JsValue, StorageError> {
        let what = format!("storage.local.{method}");
        let func: Function = Reflect::get(&self.0, &method.into())
            .map_err(|e| failed(&what, &e))?
            .dyn_into()
            .map_err(|_| StorageError(format!("{what} is not a function")))?;
        let result = func.call1(&self.0, arg).map_err(|e| failed(&what, &e))?;
        settle(&what, &result, self.1).await
    }
}

impl Storage for ChromeStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        let items = self.call("get", &key.into()).await?;
        let value = Reflect::get(&items, &key.into()).map_err(|e| failed("storage.local", &e))?;
        Ok(value.as_string())
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let items = Object::new();
        let _ = Reflect::set(&items, &key.into(), &value.into());
        self.call("set", &items).await.map(drop)
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.call("remove", &key.into()).await.map(drop)
    }
}

thread_local! {
    /// Every memory store of this JS realm shares one map, so a closed engine's state is there
    /// for the next one opened with the same key (as with the persistent kinds).
    static MEMORY: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// In-memory storage for Node and tests; gone when the realm goes.
pub struct MemoryStore;

impl Storage for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(MEMORY.with(|m| m.borrow().get(key).cloned()))
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        MEMORY.with(|m| m.borrow_mut().insert(key.to_owned(), value.to_owned()));
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        MEMORY.with(|m| m.borrow_mut().remove(key));
        Ok(())
    }
}

/// A storage object JS hands in: `get(key)`, `set(key, value)`, `remove(key)`, each returning
/// its result or a Promise of it (IndexedDB, a test double, a prefilled `Map`).
pub struct JsStore(JsValue, u64);

impl JsStore {
    /// The adapter, if `value` has the three methods; each call is awaited at most
    /// `deadline_ms`.
    pub fn new(value: JsValue, deadline_ms: u64) -> Result<JsStore, StorageError> {
        for method in ["get", "set", "remove"] {
            let f = Reflect::get(&value, &method.into()).unwrap_or(JsValue::UNDEFINED);
            if !f.is_function() {
                return Err(StorageError(format!(
                    "the storage adapter has no {method}() method"
                )));
            }
        }
        Ok(JsStore(value, deadline_ms))
    }

    async fn call(&self, method: &str, args: &[&JsValue]) -> Result<JsValue, StorageError> {
        let what = format!("storage adapter {method}()");
        let func: Function = Reflect::get(&self.0, &method.into())
            .map_err(|e| failed(&what, &e))?
            .unchecked_into();
        let args: Array = args.iter().copied().collect();
        let result = func.apply(&self.0, &args).map_err(|e| failed(&what, &e))?;
        settle(&what, &result, self.1).await
    }
}

impl Storage for JsStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.call("get", &[&key.into()]).await?.as_string())
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.call("set", &[&key.into(), &value.into()])
            .await
            .map(drop)
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.call("remove", &[&key.into()]).await.map(drop)
    }
}

/// One of the storages, chosen at run time by the engine's options.
pub enum AnyStore {
    Local(LocalStore),
    Chrome(ChromeStore),
    Memory(MemoryStore),
    Js(JsStore),
}

impl AnyStore {
    /// The storage named by the `storage` option: `"localStorage"`, `"chromeStorage"`,
    /// `"memory"`, or an adapter object. A call of an asynchronous one is awaited at most
    /// `deadline_ms`.
    pub fn from_option(value: JsValue, deadline_ms: u64) -> Result<AnyStore, StorageError> {
        match value.as_string().as_deref() {
            Some("localStorage") => LocalStore::open().map(AnyStore::Local),
            Some("chromeStorage") => ChromeStore::open(deadline_ms).map(AnyStore::Chrome),
            Some("memory") => Ok(AnyStore::Memory(MemoryStore)),
            Some(other) => Err(StorageError(format!(
                "unknown storage {other:?}: \"localStorage\", \"chromeStorage\", \"memory\" or an \
                 adapter object"
            ))),
            None => JsStore::new(value, deadline_ms).map(AnyStore::Js),
        }
    }
}

impl Storage for AnyStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        match self {
            AnyStore::Local(s) => s.get(key).await,
            AnyStore::Chrome(s) => s.get(key).await,
            AnyStore::Memory(s) => s.get(key).await,
            AnyStore::Js(s) => s.get(key).await,
        }
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        match self {
            AnyStore::Local(s) => s.put(key, value).await,
            AnyStore::Chrome(s) => s.put(key, value).await,
            AnyStore::Memory(s) => s.put(key, value).await,
            AnyStore::Js(s) => s.put(key, value).await,
        }
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self {
            AnyStore::Local(s) => s.delete(key).await,
            AnyStore::Chrome(s) => s.delete(key).await,
            AnyStore::Memory(s) => s.delete(key).await,
            AnyStore::Js(s) => s.delete(key).await,
        }
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

const HEAD_VERSION: u32 = 1;

/// What storage held, ready for `Engine::restore`.
#[derive(Debug, Default)]
pub struct Stored {
    pub snapshot: Option<Vec<u8>>,
    pub deltas: Vec<Vec<u8>>,
    /// What could not be read at this level (the engine reports what is wrong inside).
    pub issues: Vec<String>,
}

/// The engine's `Persist` effects as keys of one storage, under one prefix.
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
    pub async fn load(&self) -> Result<Stored, StorageError> {
        let mut out = Stored::default();
        let Some(text) = self.storage.get(&self.key("head")).await? else {
            return Ok(out);
        };
        let head: Head = match serde_json::from_slice::<Head>(text.as_bytes()) {
            Ok(h) if h.v == HEAD_VERSION => h,
            Ok(h) => {
                out.issues.push(format!(
                    "stored index has version {} (this build reads {HEAD_VERSION}); started empty",
                    h.v
                ));
                return Ok(out);
            }
            Err(e) => {
                out.issues
                    .push(format!("stored index is corrupt ({e}); started empty"));
                return Ok(out);
            }
        };
        *self.head.borrow_mut() = head.clone();
        let Some(generation) = head.snapshot else {
            return Ok(out);
        };
        match self
            .storage
            .get(&self.key(&format!("snapshot:{generation}")))
            .await?
        {
            Some(s) => out.snapshot = Some(s.into_bytes()),
            None => {
                out.issues.push(format!(
                    "stored snapshot {generation} is missing; started empty"
                ));
                return Ok(out);
            }
        }
        for (i, n) in head.deltas.iter().enumerate() {
            match self.storage.get(&self.key(&format!("delta:{n}"))).await? {
                Some(d) => out.deltas.push(d.into_bytes()),
                None => {
                    out.issues.push(format!(
                        "stored delta {i} is missing; it and {} later ones dropped",
                        head.deltas.len() - i - 1
                    ));
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Writes one `Persist` effect: a snapshot replaces everything, a delta is appended.
    pub async fn write(&self, persist: &Persist) -> Result<(), StorageError> {
        let (records, is_snapshot) = match persist {
            Persist::Snapshot(r) => (r, true),
            Persist::Delta(r) => (r, false),
        };
        let json = serde_json::to_string(records)
            .map_err(|e| StorageError(format!("records not serializable: {e}")))?;
        let old = self.head.borrow().clone();
        let mut head = old.clone();
        if is_snapshot {
            let generation = old.snapshot.map_or(0, |g| g.wrapping_add(1));
            self.storage
                .put(&self.key(&format!("snapshot:{generation}")), &json)
                .await?;
            head.snapshot = Some(generation);
            head.deltas.clear();
        } else {
            let n = old.next;
            self.storage
                .put(&self.key(&format!("delta:{n}")), &json)
                .await?;
            head.deltas.push(n);
            head.next = n.wrapping_add(1);
        }
        self.commit(&head).await?;
        if is_snapshot {
            // Garbage now: a failure to remove leaves unused keys, never wrong state.
            if let Some(g) = old.snapshot {
                let _ = self
                    .storage
                    .delete(&self.key(&format!("snapshot:{g}")))
                    .await;
            }
            for n in &old.deltas {
                let _ = self.storage.delete(&self.key(&format!("delta:{n}"))).await;
            }
        }
        Ok(())
    }

    async fn commit(&self, head: &Head) -> Result<(), StorageError> {
        let text = serde_json::to_string(head).unwrap_or_default();
        self.storage.put(&self.key("head"), &text).await?;
        *self.head.borrow_mut() = head.clone();
        Ok(())
    }
}
