//! Where the engine's state lives between runs, on the JavaScript side: the [`Storage`]
//! adapters (`localStorage` through gloo-storage for pages, `chrome.storage.local` for an
//! extension's background, memory for Node and tests, or an adapter object JS hands in). The
//! commit protocol over them, [`PersistLog`], is plain Rust in `sync::persist_log` (tested
//! natively, and the native engine driver runs over it); this file only adapts.

use std::cell::RefCell;

use gloo_storage::Storage as _;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::deadline::within;
use super::error::describe;
use super::promise::adopt;
use crate::sync::SmallMap;
pub use crate::sync::{PersistLog, Storage, StorageError, Stored};

fn failed(what: &str, e: &JsValue) -> StorageError {
    StorageError::new(format!("{what}: {}", describe(e)))
}

/// Awaits a storage call's Promise at most `deadline_ms`: one that never settles is a clear
/// failure, never a command that hangs.
async fn settle(what: &str, result: &JsValue, deadline_ms: u64) -> Result<JsValue, StorageError> {
    within(deadline_ms, JsFuture::from(adopt(result)))
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

    /// Calls `storage.local`'s `method` with `arg`: what it returned, to settle, and the
    /// call's name for errors.
    fn start(&self, method: &str, arg: &JsValue) -> Result<(String, JsValue), StorageError> {
        let what = format!("storage.local.{method}");
        let func: Function = Reflect::get(&self.0, &method.into())
            .map_err(|e| failed(&what, &e))?
            .dyn_into()
            .map_err(|_| StorageError::new(format!("{what} is not a function")))?;
        let result = func.call1(&self.0, arg).map_err(|e| failed(&what, &e))?;
        Ok((what, result))
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

    /// Calls the adapter's `method` with `args`: what it returned, to settle, and the call's
    /// name for errors.
    fn start(&self, method: &str, args: &[JsValue]) -> Result<(String, JsValue), StorageError> {
        let what = format!("storage adapter {method}()");
        let func: Function = Reflect::get(&self.0, &method.into())
            .map_err(|e| failed(&what, &e))?
            .unchecked_into();
        let list = Array::new();
        for arg in args {
            list.push(arg);
        }
        let result = func.apply(&self.0, &list).map_err(|e| failed(&what, &e))?;
        Ok((what, result))
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

/// One call of [`Storage`], so that [`AnyStore`]'s three are one body (issue 15: a future per
/// method and store kind was each one's copy of the awaiting).
#[derive(Clone, Copy)]
enum Op<'a> {
    Get(&'a str),
    Put(&'a str, &'a str),
    Delete(&'a str),
}

impl AnyStore {
    /// Runs `op` on the storage chosen; the value read for `Op::Get`, `None` for the others.
    async fn run(&self, op: Op<'_>) -> Result<Option<String>, StorageError> {
        // One await for both asynchronous kinds: the call is made, then its answer settled.
        let (what, result, deadline_ms) = match self {
            AnyStore::Local(s) => return s.run(op),
            AnyStore::Memory(_) => return Ok(MemoryStore::run(op)),
            AnyStore::Chrome(s) => {
                let (method, arg) = ChromeStore::args(op);
                let (what, result) = s.start(method, &arg)?;
                (what, result, s.1)
            }
            AnyStore::Js(s) => {
                let (method, args) = JsStore::args(op);
                let (what, result) = s.start(method, &args)?;
                (what, result, s.1)
            }
        };
        let value = settle(&what, &result, deadline_ms).await?;
        match (self, op) {
            (AnyStore::Chrome(_), op) => ChromeStore::read(op, &value),
            (_, Op::Get(_)) => Ok(value.as_string()),
            _ => Ok(None),
        }
    }
}

impl LocalStore {
    fn run(&self, op: Op<'_>) -> Result<Option<String>, StorageError> {
        match op {
            Op::Get(key) => self
                .0
                .get_item(key)
                .map_err(|e| failed("localStorage.getItem", &e)),
            Op::Put(key, value) => self
                .0
                .set_item(key, value)
                .map(|()| None)
                .map_err(|e| failed("localStorage.setItem", &e)),
            Op::Delete(key) => self
                .0
                .remove_item(key)
                .map(|()| None)
                .map_err(|e| failed("localStorage.removeItem", &e)),
        }
    }
}

impl MemoryStore {
    fn run(op: Op<'_>) -> Option<String> {
        match op {
            Op::Get(key) => super::local(&MEMORY, |m| m.borrow().get(key).cloned()),
            Op::Put(key, value) => {
                super::local(&MEMORY, |m| {
                    m.borrow_mut().insert(key.to_owned(), value.to_owned())
                });
                None
            }
            Op::Delete(key) => {
                super::local(&MEMORY, |m| m.borrow_mut().remove(key));
                None
            }
        }
    }
}

impl ChromeStore {
    /// The method of `storage.local` that carries out `op`, and its argument.
    fn args(op: Op<'_>) -> (&'static str, JsValue) {
        match op {
            Op::Get(key) => ("get", key.into()),
            Op::Put(key, value) => {
                let items = Object::new();
                let _ = Reflect::set(&items, &key.into(), &value.into());
                ("set", items.into())
            }
            Op::Delete(key) => ("remove", key.into()),
        }
    }

    /// What `op` read from the answer `items`.
    fn read(op: Op<'_>, items: &JsValue) -> Result<Option<String>, StorageError> {
        match op {
            Op::Get(key) => {
                let value =
                    Reflect::get(items, &key.into()).map_err(|e| failed("storage.local", &e))?;
                Ok(value.as_string())
            }
            _ => Ok(None),
        }
    }
}

impl JsStore {
    /// The adapter's method that carries out `op`, and its arguments.
    fn args(op: Op<'_>) -> (&'static str, Vec<JsValue>) {
        match op {
            Op::Get(key) => ("get", vec![key.into()]),
            Op::Put(key, value) => ("set", vec![key.into(), value.into()]),
            Op::Delete(key) => ("remove", vec![key.into()]),
        }
    }
}

impl Storage for AnyStore {
    fn get(
        &self,
        key: &str,
    ) -> impl std::future::Future<Output = Result<Option<String>, StorageError>> {
        self.run(Op::Get(key))
    }
    async fn put(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.run(Op::Put(key, value)).await.map(drop)
    }
    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.run(Op::Delete(key)).await.map(drop)
    }
}
