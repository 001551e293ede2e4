//! One body for every async export (issue 15).
//!
//! `future_to_promise` is generic over its future: each export that called it with its own
//! `async` block got a copy of its whole wrapper (the executor closure, the task that awaits
//! the future and calls `resolve` or `reject`), with the export's future inlined into it, and
//! `pub async fn` exports get one of their own from wasm-bindgen's macro. Here each export
//! boxes its future as one type, [`Work`], and this one non-generic function turns it into a
//! Promise: the export's own code stays in its future's poll function, the wrapper is in the
//! module once.

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;

/// An export's work: resolves the Promise with `Ok`, rejects it with `Err`.
pub(crate) type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The Promise of `work`, which runs on the microtask queue as `future_to_promise` runs it.
#[inline(never)]
pub(crate) fn promise(work: Work) -> Promise {
    wasm_bindgen_futures::future_to_promise(work)
}

/// Work the module runs on its own (the driver's pump and requests, timers, the socket), boxed
/// as one type for [`spawn`].
pub(crate) type Task = Pin<Box<dyn Future<Output = ()>>>;

/// `spawn_local(task)`, non-generic: `spawn_local`'s task (its `Rc`, waker and queueing) is a
/// copy per future type, as `future_to_promise`'s wrapper was.
#[inline(never)]
pub(crate) fn spawn(task: Task) {
    wasm_bindgen_futures::spawn_local(task);
}

/// A Promise of our own that adopts `value`, to await what a caller's code returned (a storage
/// adapter's, an `apiKey` function's, a replaced `fetch`'s, a body reader's answer).
/// `Promise.resolve(value)` reads a native Promise's `constructor` and `JsFuture::from` calls
/// its `then`, both in our frames through imports that do not catch: a getter or an own `then`
/// that throws unwound through wasm (a storage adapter's left the driver's pump flag set, and
/// every later command hung). A resolve function never throws: a `then` that throws, or that
/// cannot be read, rejects this Promise instead.
#[inline(never)]
pub(crate) fn adopt(value: &JsValue) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let _ = resolve.call1(&JsValue::UNDEFINED, value);
    })
}
