//! The browser transport: the global `fetch` (web-sys's `Request` and `RequestInit`, built as
//! gloo-net built them before, issue 15), a timeout by `AbortController`, and timers
//! through the global `setTimeout`, found reflectively so that the same code runs in a window,
//! a worker, an extension service worker and Node 20.
//!
//! The client never resends a write, but browsers may: Chromium and Firefox replay a request
//! themselves when a reused keep-alive connection closes before any answer (measured against the
//! simulator's `drop` fault). A send dropped after it took effect is then delivered twice and
//! answered 200; nothing in `fetch` can turn that off. Node's fetch reports the drop instead.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

use super::error::describe;
use super::promise::adopt;
use crate::api::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Sends requests with the global `fetch`.
#[derive(Debug, Clone, Default)]
pub struct FetchTransport {
    /// Set once the owner wants no more reads (`Transport::reads_stopped`): an engine's
    /// driver holds it as its `closed` ([`FetchTransport::reads_stop`]).
    stop: Rc<Cell<bool>>,
}

impl FetchTransport {
    /// The flag that stops this transport's reads, for its owner to set.
    pub fn reads_stop(&self) -> Rc<Cell<bool>> {
        self.stop.clone()
    }
}

impl Transport for FetchTransport {
    fn send(
        &self,
        url: String,
        req: HttpRequest,
        timeout_ms: u64,
    ) -> impl std::future::Future<Output = Result<HttpResponse, TransportError>> {
        // Boxed: a poll function of its own, not inlined into the client's (issue 15: an
        // inlined future costs more than one awaited through its box).
        let sent: Pin<Box<dyn std::future::Future<Output = _>>> =
            Box::pin(send(url, req, timeout_ms));
        sent
    }

    async fn sleep(&self, ms: u64) {
        let promise = Promise::new(&mut |resolve, _reject| {
            if set_timeout(&resolve, ms).is_err() {
                // No timer at all: better not to wait than to wait forever.
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    fn now_ms(&self) -> u64 {
        super::driver::now_ms().max(0) as u64
    }

    fn reads_stopped(&self) -> bool {
        self.stop.get()
    }
}

/// [`FetchTransport`]'s `send`.
async fn send(
    url: String,
    req: HttpRequest,
    timeout_ms: u64,
) -> Result<HttpResponse, TransportError> {
    let controller = AbortController::new().map_err(|e| TransportError::Network(describe(&e)))?;
    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let controller = controller.clone();
        let timed_out = timed_out.clone();
        Closure::<dyn FnMut()>::new(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    // Cleared when `_timer` drops, whichever way this function returns.
    let _timer = Timer::start(on_timeout, timeout_ms)?;
    let outcome = match raced(timeout_ms, exchange(url, req, &controller)).await {
        Some(outcome) => outcome,
        None => {
            controller.abort();
            return Err(TransportError::Timeout);
        }
    };
    match outcome {
        Ok(resp) => Ok(resp),
        Err(_) if timed_out.get() => Err(TransportError::Timeout),
        Err(message) => Err(TransportError::Network(message)),
    }
}

/// The exchange raced against a timer of our own (`None` when the timer won). The abort signal
/// alone is not enough: in Node 20, `fetch(new Request(url, {signal}))` (what `exchange` builds)
/// can lose the abort when a GC runs while the body stalls, and the call would never settle
/// (TOOLCHAIN.md, measured; issue 12 item 7).
async fn raced<F: std::future::Future>(timeout_ms: u64, exchange: F) -> Option<F::Output> {
    super::deadline::within(timeout_ms, exchange).await.ok()
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (a window's, a worker's, Node's alike). `catch`: a replaced `fetch` (a
    /// page's wrapper) may throw, or be missing, and nothing may throw through the module.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn fetch_with_request(request: &web_sys::Request) -> Result<JsValue, JsValue>;
}

/// What a `fetch` or `new Request` threw, as text: an `Error`'s `String(error)` (`TypeError:
/// fetch failed`, as gloo-net gave it), anything else described. The `toString` is called
/// through `Function.call`, which catches: a replaced `fetch` may throw an error whose own
/// `toString` throws.
fn thrown(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .and_then(|_| super::body::method(e, "toString").ok())
        .and_then(|to_string| to_string.call0(e).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| describe(e))
}

/// A property of what a replaced `fetch` answered, read through `Reflect.get`, which catches:
/// a `Response` may come with getters of its own that throw. Its failure is the exchange's.
pub(crate) fn field(target: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(target, &JsValue::from_str(name)).map_err(|e| describe(&e))
}

/// The whole exchange, body included, under the controller's signal.
async fn exchange(
    url: String,
    req: HttpRequest,
    controller: &AbortController,
) -> Result<HttpResponse, String> {
    let method = match req.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    };
    // A write never follows a redirect ("manual": the browser hands back an opaque redirect, the
    // client makes it an error); a read lets the browser follow, and an answer that ended at
    // another origin is refused below (the browser drops `Authorization` on a cross-origin hop).
    let write = req.op.is_write();
    let redirect = if write {
        web_sys::RequestRedirect::Manual
    } else {
        web_sys::RequestRedirect::Follow
    };
    let request = (|| {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_redirect(redirect);
        init.set_signal(Some(&controller.signal()));
        let headers = web_sys::Headers::new()?;
        for (name, value) in &req.headers {
            headers.set(name, value)?;
        }
        if let Some(content_type) = req.body.content_type() {
            headers.set("Content-Type", content_type)?;
        }
        init.set_headers(&headers);
        let bytes = req.body.as_bytes();
        if !bytes.is_empty() {
            init.set_body(&Uint8Array::from(bytes));
        }
        web_sys::Request::new_with_str_and_init(&url, &init)
    })()
    .map_err(|e| thrown(&e))?;
    // Adopted: what a replaced `fetch` answers may be no Promise, or one with a `then` of
    // its own.
    let answered = fetch_with_request(&request).map_err(|e| thrown(&e))?;
    let resp = JsFuture::from(adopt(&answered))
        .await
        .map_err(|e| thrown(&e))?;
    if !resp.is_instance_of::<web_sys::Response>() {
        return Err(format!(
            "fetch answered {}, not a Response",
            describe(&resp)
        ));
    }
    // Every part of the answer is read through catching calls (`field`): a replaced `fetch`
    // may hand back a `Response` with throwing getters of its own, and a throw here once left
    // the call unsettled until its deadline woke a task still borrowed.
    if field(&resp, "type")?.as_string().as_deref() == Some("opaqueredirect") {
        // Status and `Location` are hidden from scripts: report "a redirect" (300).
        return Ok(HttpResponse {
            status: 300,
            headers: Vec::new(),
            body: Vec::new(),
        });
    }
    let landed = field(&resp, "url")?.as_string().unwrap_or_default();
    if field(&resp, "redirected")?.is_truthy() && !crate::api::same_origin(&url, &landed) {
        return Ok(HttpResponse {
            status: 300,
            headers: vec![("Location".into(), landed)],
            body: Vec::new(),
        });
    }
    let status = field(&resp, "status")?
        .as_f64()
        .filter(|s| (0.0..=999.0).contains(s))
        .ok_or("fetch answered a Response without a status")? as u16;
    let headers = header_pairs(&field(&resp, "headers")?)?;
    let body = super::body::read_capped(&resp).await?;
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Most headers an answer's list is read for: a replaced `fetch`'s `entries()` that never ends
/// would otherwise grow the list until the module aborts (the deadline cannot fire inside this
/// synchronous loop). A browser's answer has a few dozen.
const MAX_HEADERS: usize = 1024;

/// An answer's headers as (name, value) pairs, in the order `Headers` iterates them (its
/// `entries()`, as a `Map`'s), every step through catching calls; more than [`MAX_HEADERS`] is
/// an error.
fn header_pairs(headers: &JsValue) -> Result<Vec<(String, String)>, String> {
    let call = |target: &JsValue, name: &str| {
        super::body::method(target, name)?
            .call0(target)
            .map_err(|e| describe(&e))
    };
    let entries = call(headers, "entries")?;
    let next = super::body::method(&entries, "next")?;
    let mut out = Vec::new();
    loop {
        let step = next.call0(&entries).map_err(|e| describe(&e))?;
        if field(&step, "done")?.is_truthy() {
            return Ok(out);
        }
        if out.len() == MAX_HEADERS {
            return Err(format!("more than {MAX_HEADERS} headers"));
        }
        let entry = field(&step, "value")?;
        let text = |i: u32| Reflect::get_u32(&entry, i).map(|v| v.as_string().unwrap_or_default());
        out.push((
            text(0).map_err(|e| describe(&e))?,
            text(1).map_err(|e| describe(&e))?,
        ));
    }
}

/// A pending `setTimeout`, cleared on drop; it keeps its callback alive until then. Never drop
/// one from inside its own callback: defer the work (`spawn_local`) instead. The callback is a
/// plain `Closure<dyn FnMut()>` (`Closure::new`), which a timeout calls once, not
/// `Closure::once`, whose wrapper was a copy per callback type (issue 15: −125 B gzip).
pub(crate) struct Timer {
    handle: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub(crate) fn start(callback: Closure<dyn FnMut()>, ms: u64) -> Result<Timer, TransportError> {
        let handle = set_timeout(callback.as_ref().unchecked_ref(), ms)
            .map_err(|e| TransportError::Network(format!("no setTimeout: {}", describe(&e))))?;
        Ok(Timer {
            handle,
            _callback: callback,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let _ = global_fn("clearTimeout").and_then(|f| f.call1(&js_sys::global(), &self.handle));
    }
}

fn set_timeout(callback: &Function, ms: u64) -> Result<JsValue, JsValue> {
    let ms = JsValue::from_f64(ms.min(i32::MAX as u64) as f64);
    global_fn("setTimeout")?.call2(&js_sys::global(), callback, &ms)
}

/// A function of the global object (`window`, `self`, `globalThis` in Node alike).
fn global_fn(name: &str) -> Result<Function, JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))?
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str(&format!("{name} is not a function here")))
}
