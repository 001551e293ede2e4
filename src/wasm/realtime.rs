//! The server's change events over a `WebSocket`: `<url>?access_token=KEY&afterSeq=N`, each
//! message decoded as a [`ServerEvent`](crate::model::ServerEvent) and fed to the engine, `EventStreamOpened` on every
//! (re)connect, reconnecting with capped exponential backoff and jitter until closed. Where
//! there is no `WebSocket` (Node 20) it stays off; the engine's polling covers for it.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

use super::client::JsKey;
use super::driver::Driver;
use super::error::describe;
use super::fetch::Timer;
use super::promise::spawn;
use crate::api::KeySource;
use crate::sync::Input;

/// The socket's message handler, typed as the Promise callbacks of `JsFuture` are (it never
/// fails), so the module keeps one invoke shim and one closure cast for both (issue 15).
type OnMessage = dyn FnMut(JsValue) -> Result<(), JsError>;

/// First reconnect delay; doubled per failed attempt up to [`MAX_BACKOFF_MS`].
const BASE_BACKOFF_MS: f64 = 1_000.0;
/// Longest wait between reconnects.
const MAX_BACKOFF_MS: f64 = 30_000.0;

/// An open socket and the handlers it keeps alive.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<OnMessage>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

#[derive(Default)]
struct State {
    socket: Option<Socket>,
    retry: Option<Timer>,
    /// Failed attempts since the last open.
    failures: u32,
    /// The last event number seen, asked again as `afterSeq` on reconnect.
    last_seq: Option<u64>,
    stopped: bool,
}

/// The realtime connection of one engine.
pub struct Realtime {
    url: String,
    key: JsKey,
    driver: Weak<Driver>,
    state: RefCell<State>,
    me: Weak<Realtime>,
}

/// The WebSocket URL of an API base URL: `http(s)://host/p` → `ws(s)://host/p/ws`; an explicit
/// `realtime_url` wins (an `http(s)` one is switched to `ws(s)`).
pub fn socket_url(base_url: &str, realtime_url: Option<&str>) -> String {
    let url = match realtime_url {
        Some(u) => u.trim().to_owned(),
        None => format!("{}/ws", base_url.trim().trim_end_matches('/')),
    };
    if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        url
    }
}

impl Realtime {
    /// Starts connecting to `url` for `driver`.
    pub fn start(url: String, key: JsKey, driver: Weak<Driver>) -> Rc<Realtime> {
        let rt = Rc::new_cyclic(|me| Realtime {
            url,
            key,
            driver,
            state: RefCell::new(State::default()),
            me: me.clone(),
        });
        spawn(Box::pin(rt.clone().connect()));
        rt
    }

    /// Closes the socket and stops reconnecting.
    pub fn stop(&self) {
        let mut state = self.state.borrow_mut();
        state.stopped = true;
        state.retry.take();
        state.socket.take();
    }

    fn feed(&self, input: Input) {
        if let Some(d) = self.driver.upgrade() {
            d.feed(input);
        }
    }

    async fn connect(self: Rc<Self>) {
        let has_websocket = js_sys::Reflect::get(&js_sys::global(), &"WebSocket".into())
            .is_ok_and(|w| w.is_function());
        if self.state.borrow().stopped || !has_websocket {
            // No WebSocket here (Node 20): polling only.
            return;
        }
        let key = match self.key.api_key().await {
            Ok(k) => k,
            Err(_) => return self.schedule_retry(),
        };
        let mut url = format!(
            "{}{}access_token={}",
            self.url,
            if self.url.contains('?') { '&' } else { '?' },
            // In Rust: the global `encodeURIComponent` may be patched to throw. It leaves
            // `!*'()` as they are; escaped, they read the same.
            crate::urn::encode_path_segment(key.trim())
        );
        if let Some(seq) = self.state.borrow().last_seq {
            url.push_str(&format!("&afterSeq={seq}"));
        }
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(e) => {
                // A URL the WebSocket refuses: polling only.
                super::driver::warn(&format!("threadline: realtime off: {}", describe(&e)));
                return;
            }
        };
        let me = self.me.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if let Some(rt) = me.upgrade() {
                rt.state.borrow_mut().failures = 0;
                rt.feed(Input::EventStreamOpened);
            }
        });
        let me = self.me.clone();
        let on_message = Closure::<OnMessage>::new(move |ev: JsValue| {
            let Some(rt) = me.upgrade() else {
                return Ok(());
            };
            let Some(text) = ev.unchecked_into::<MessageEvent>().data().as_string() else {
                return Ok(());
            };
            // An event this build cannot read is skipped: events are hints, polling reconciles.
            if let Some(event) = crate::sync::server_event(text.as_bytes()) {
                rt.state.borrow_mut().last_seq = Some(event.seq);
                rt.feed(Input::ServerEvent(event));
            }
            Ok(())
        });
        let me = self.me.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            let me = me.clone();
            // Deferred: replacing the socket here would drop the handler that is running.
            spawn(Box::pin(async move {
                if let Some(rt) = me.upgrade() {
                    rt.state.borrow_mut().socket.take();
                    rt.schedule_retry();
                }
            }));
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut state = self.state.borrow_mut();
        if state.stopped {
            let _ = ws.close();
            return;
        }
        state.socket = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
    }

    fn schedule_retry(&self) {
        // Drawn before the state is borrowed; a `Math.random` that throws gives no jitter.
        let jitter = super::driver::random().unwrap_or(1.0);
        let mut state = self.state.borrow_mut();
        if state.stopped {
            return;
        }
        let exp = BASE_BACKOFF_MS * 2f64.powi(state.failures.min(16) as i32);
        let delay = exp.min(MAX_BACKOFF_MS) * (0.5 + 0.5 * jitter);
        state.failures = state.failures.saturating_add(1);
        let me = self.me.clone();
        let fire = Closure::<dyn FnMut()>::new(move || {
            if let Some(rt) = me.upgrade() {
                spawn(Box::pin(rt.connect()));
            }
        });
        state.retry = Timer::start(fire, delay as u64).ok();
    }
}
