//! Where the engine's state lives between runs, on the JavaScript side: the [`Storage`]
//! adapters (`localStorage` through gloo-storage for pages, `chrome.storage.local` for an
//! extension's background, memory for Node and tests, or an adapter object JS hands in). The
//! commit protocol over them, [`PersistLog`], is plain Rust in `sync::persist_log` (tested
//! natively, and the native engine driver runs over it); this file only adapts.

use std::cell::RefCell;

use gloo_storage::Storage as _;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::deadline::within;
use super::error::describe;
use crate::sync::SmallMap;
pub use crate::sync::{PersistLog, Storage, StorageError, Stored};

fn failed(what: &str, e: &JsValue) -> StorageError {
    StorageError::new(format!("{what}: {}", describe(e)))
}

/// Awaits a storage call's Promise at most `deadline_ms`: one that never settles is a clear
/// failure, never a command that hangs.
async fn settle(what: &str, result: &JsValue, deadline_ms: u64) -> Result<JsValue, StorageError> {
    within(deadline_ms, JsFuture::from(Promise::resolve(result)))
        .await
        .map_err(|_| StorageError::new(format!("{what}: no answer in {deadline_ms} ms")))?
        .map_err(|e| failed(what, &e))
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
            return Err(StorageError::new(
                "no localStorage here (a worker, a service worker or Node): use \
                 \"chromeStorage\" in an extension's background, or \"memory\"",
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
        Err(StorageError::new(
            "no chrome.storage.local here: not an extension context, or the manifest lacks the \
             \"storage\" permission",
        ))
    }

    async fn call(&self, method: &str, arg: &JsValue) -> Result<JsValue, StorageError> {
        let what = format!("storage.local.{method}");
        let func: Function = Reflect::get(&self.0, &method.into())
            .map_err(|e| failed(&what, &e))?
            .dyn_into()
            .map_err(|_| StorageError::new(format!("{what} is not a function")))?;
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
    /// A `SmallMap`: a snapshot and a few deltas per store (issue 15: no `BTreeMap` of its own).
    static MEMORY: RefCell<SmallMap<String, String>> = const { RefCell::new(SmallMap::new()) };
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
                return Err(StorageError::new(format!(
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
            Some(other) => Err(StorageError::new(format!(
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
