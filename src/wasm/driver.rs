//! The driver of `src/sync/mod.rs`'s contract: feeds inputs to the [`Engine`] with `Date.now()`
//! and carries out its effects in order through one queue (a `Persist` is written before any
//! later effect, across inputs too), requests with the API client over `fetch`, one
//! `setTimeout` for `SetTimer`, and JS listeners for notices and broadcast facts. No decisions.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use js_sys::Function;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::client::JsKey;
use super::error::{describe, js_error};
use super::fetch::{FetchTransport, Timer};
use super::idb::IdbRecords;
use super::plain::to_js;
use super::promise::spawn;
use super::storage::{AnyStore, PersistLog, StorageError};
use crate::api::Client;
use crate::sync::small_map::SmallMap;
use crate::sync::{
    Command, CommandId, Effect, Engine, Failure, Input, Notice, Outcome, Persist, RecordLog,
    Refusal, Request,
};

/// The API client the driver runs requests with.
pub type EngineClient = Client<FetchTransport, JsKey>;

/// One item of the effect queue.
enum Step {
    /// An effect of the input numbered `.0` (its step).
    Effect(u64, Effect),
    /// Everything queued before it is done: settle this Promise, rejected if a write of input
    /// `step` (the command it waits for) failed. A failed write of another input is not this
    /// command's: rejecting it would tell the user "not saved" of a send that went out.
    Settle {
        step: u64,
        resolve: Function,
        reject: Function,
    },
}

/// A write or a read of the queue, awaited by the pump before its next step.
type Pending<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// JS callbacks by subscription id.
#[derive(Default)]
struct Listeners {
    next: u32,
    list: Vec<(u32, Function)>,
}

impl Listeners {
    fn add(&mut self, f: Function) -> u32 {
        self.next += 1;
        self.list.push((self.next, f));
        self.next
    }
    fn remove(&mut self, id: u32) {
        self.list.retain(|(i, _)| *i != id);
    }
}

/// Where the driver writes the engine's `Persist` effects: the key-value layout (snapshot and
/// deltas) over a string storage, or one record per item in IndexedDB.
pub enum Log {
    Kv(PersistLog<AnyStore>),
    Records(RecordLog<IdbRecords>),
}

impl Log {
    /// The input that answers a read of the queue (`Effect::Load`, `LoadList`, `LoadWith`,
    /// `Locate`; `None` for any other effect), a failed read warned of. Only the record layout
    /// is read lazily: a key-value log holds every conversation in memory, is never asked,
    /// and says so. One future for the four reads (issue 15).
    async fn read(&self, effect: Effect) -> Option<Input> {
        let log = match self {
            Log::Records(log) => Some(log),
            Log::Kv(_) => None,
        };
        let in_memory = || {
            StorageError::new("this storage holds every conversation in memory: nothing to read")
        };
        Some(match effect {
            // Conversations' stored messages, all in one read.
            Effect::Load {
                account,
                conversations,
            } => {
                let result = match log {
                    Some(log) => log.load_conversations(&account, &conversations).await,
                    None => Err(in_memory()),
                };
                Input::Loaded {
                    account,
                    conversations,
                    result: warned(result),
                }
            }
            // Conversation records: a page of the list, or those with a profile.
            Effect::LoadList {
                account,
                after,
                limit,
            } => {
                let result = match log {
                    Some(log) => log.load_list(&account, after, limit).await,
                    None => Err(in_memory()),
                };
                Input::ListLoaded {
                    account,
                    profile: None,
                    result: warned(result),
                }
            }
            Effect::LoadWith { account, profile } => {
                let result = match log {
                    Some(log) => log.load_with(&account, &profile).await,
                    None => Err(in_memory()),
                };
                Input::ListLoaded {
                    account,
                    profile: Some(profile),
                    result: warned(result),
                }
            }
            // Where storage says messages are.
            Effect::Locate {
                account,
                command,
                messages,
            } => {
                let result = match log {
                    Some(log) => log.locate_messages(&account, &messages).await,
                    None => Err(in_memory()),
                };
                Input::Located {
                    command,
                    result: warned(result),
                }
            }
            _ => return None,
        })
    }

    async fn write(&self, p: &Persist) -> Result<(), StorageError> {
        match self {
            Log::Kv(log) => log.write(p).await,
            Log::Records(log) => log.write(p).await,
        }
    }

    /// Lets go of the storage (an IndexedDB connection closes once its last write ended).
    fn close(&self) {
        if let Log::Records(log) = self {
            log.storage().close();
        }
    }
}

/// Which listener list.
#[derive(Clone, Copy)]
pub enum Channel {
    Notices,
    Facts,
}

/// One engine with its storage, client, timer and listeners.
pub struct Driver {
    engine: RefCell<Engine>,
    client: EngineClient,
    log: Log,
    /// A write failed and none landed since: the next one that lands is reported
    /// (`Input::PersistRecovered`).
    failing: Cell<bool>,
    queue: RefCell<VecDeque<Step>>,
    pumping: Cell<bool>,
    /// The number of the last input fed (its effects carry it).
    step: Cell<u64>,
    /// The first failed write of each input, by its number, until a `Settle` for it (or a
    /// later one) takes it.
    write_errors: RefCell<SmallMap<u64, StorageError>>,
    notices: RefCell<Listeners>,
    facts: RefCell<Listeners>,
    timer: RefCell<Option<Timer>>,
    /// The client's transport's own flag, so that it starts no read once set
    /// (`reads_stopped`).
    closed: Rc<Cell<bool>>,
    /// Promises of commands waiting for their `completed` notice, by command number.
    outcomes: RefCell<SmallMap<CommandId, (Function, Function)>>,
    /// Commands fed without an outcome Promise (`send`) whose refusal may come after their
    /// call returned (they waited for a conversation to be read): the refusal, once it came.
    late: RefCell<SmallMap<CommandId, Option<Refusal>>>,
    /// The number of the last command fed.
    last_command: Cell<Option<CommandId>>,
    me: Weak<Driver>,
}

/// A JS error of the engine's binding: name `ThreadlineError`, a `code`, extra fields.
pub fn engine_error(code: &str, message: &str, extra: &[(&str, JsValue)]) -> JsValue {
    js_error("ThreadlineError", code, message, extra)
}

/// The `busy` error of a call made from inside the engine's own step ([`Driver::is_busy`]).
pub fn busy() -> JsValue {
    engine_error(
        "busy",
        "the engine was called from inside its own step (a built-in it called, such as \
         toLowerCase, was replaced by one that calls the engine); call it after this one returns",
        &[],
    )
}

/// A local refusal as a `ThreadlineError` whose `code` is the refusal's and whose `refusal`
/// is the whole refusal (as in the `refused` notice).
pub fn refusal_error(r: &Refusal) -> JsValue {
    let detail = to_js(r).unwrap_or(JsValue::UNDEFINED);
    // Its `code` read from the same object (nothing else holds it yet).
    let code = js_sys::Reflect::get(&detail, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_else(|| "refused".into());
    engine_error(&code, &r.to_string(), &[("refusal", detail)])
}

/// A recall, reaction or page request that did not happen, as a `ThreadlineError` whose
/// `code` is the failure's and whose `failure` is the whole failure.
pub fn failure_error(f: &Failure) -> JsValue {
    let code = to_js(&f.code)
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_else(|| "unknown".into());
    let detail = to_js(f).unwrap_or(JsValue::UNDEFINED);
    engine_error(&code, &f.message, &[("failure", detail)])
}

#[wasm_bindgen]
extern "C" {
    // Answers as JS values, read in Rust: a patch's answer that is no number (an object whose
    // `valueOf` throws) is converted only here, never by the glue outside its `catch`.
    #[wasm_bindgen(catch, js_namespace = Date, js_name = now)]
    fn date_now() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Math, js_name = random)]
    fn math_random() -> Result<JsValue, JsValue>;
}

/// `Math.random()`, or `None` when a page's patch of it throws (`catch`, as for `Date.now`).
pub(crate) fn random() -> Option<f64> {
    math_random().ok()?.as_f64()
}

thread_local! {
    /// The last time [`now_ms`] read.
    static LAST_NOW: Cell<i64> = const { Cell::new(0) };
}

/// `Date.now()`, the engine's clock; read before the engine is borrowed, as a page's
/// `Date.now` may call back into the engine. `catch`: one that throws (a page's patch) gives
/// the last time read, never an exception through the engine's callers.
pub fn now_ms() -> i64 {
    let now = date_now()
        .ok()
        .and_then(|ms| ms.as_f64())
        .filter(|ms| ms.is_finite());
    super::local(&LAST_NOW, |last| match now {
        Some(now) => {
            last.set(now as i64);
            now as i64
        }
        None => last.get(),
    })
}

#[wasm_bindgen]
extern "C" {
    /// `console.warn`, `catch`: a page may make it throw (jest-fail-on-console does), and a
    /// throw through the pump (a listener's failure warned of) left it running forever.
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(value: &JsValue) -> Result<(), JsValue>;
}

/// Warns of `value` on the console; a console that throws is not told.
pub(crate) fn warn_value(value: &JsValue) {
    let _ = console_warn(value);
}

pub(crate) fn warn(message: &str) {
    warn_value(&JsValue::from_str(message));
}

/// Warns of a failed read or write of the store.
#[inline(never)]
fn warn_storage(e: &StorageError) {
    warn(&format!("threadline: {e}"));
}

/// `result`, warned of when it failed.
fn warned<T>(result: Result<T, StorageError>) -> Result<T, StorageError> {
    if let Err(e) = &result {
        warn_storage(e);
    }
    result
}

impl Driver {
    /// A driver around a restored engine. Nothing runs until the first [`Driver::feed`].
    pub fn new(engine: Engine, client: EngineClient, log: Log) -> Rc<Driver> {
        let closed = client.transport().reads_stop();
        Rc::new_cyclic(|me| Driver {
            engine: RefCell::new(engine),
            client,
            log,
            failing: Cell::new(false),
            queue: RefCell::new(VecDeque::new()),
            pumping: Cell::new(false),
            step: Cell::new(0),
            write_errors: RefCell::new(SmallMap::new()),
            notices: RefCell::new(Listeners::default()),
            facts: RefCell::new(Listeners::default()),
            timer: RefCell::new(None),
            closed,
            outcomes: RefCell::new(SmallMap::new()),
            late: RefCell::new(SmallMap::new()),
            last_command: Cell::new(None),
            me: me.clone(),
        })
    }

    /// Reads the engine (views, status). Never held across JS calls or awaits. Inlined: at a
    /// call site it is the borrow and the closure's body, where a copy per closure type (eleven)
    /// was each a function of its own around them (issue 15).
    /// `busy` while the engine is in a step ([`Driver::is_busy`]).
    #[inline(always)]
    pub fn with_engine<R>(&self, f: impl FnOnce(&Engine) -> R) -> Result<R, JsValue> {
        match self.engine.try_borrow() {
            Ok(engine) => Ok(f(&engine)),
            Err(_) => Err(busy()),
        }
    }

    /// Whether the engine is in the middle of a step (an input, a command, a read of it): a
    /// call now comes from a built-in that step called (the URN rules ask the page's
    /// `toLowerCase` and `RegExp` about a vanity slug beyond ASCII), patched to call the engine
    /// back. Such a call is refused with `busy` ([`busy`]): borrowing the engine a second time
    /// would abort the module (`panic = "abort"`).
    pub fn is_busy(&self) -> bool {
        self.engine.try_borrow_mut().is_err()
    }

    /// A fresh client key from the engine (`Engine::new_client_key`), between inputs; `None`
    /// while it is busy ([`Driver::is_busy`]).
    pub fn new_client_key(&self) -> Option<crate::sync::ClientKey> {
        Some(self.engine.try_borrow_mut().ok()?.new_client_key())
    }

    /// Whether `close()` was called.
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Feeds one input now and queues its effects. Ignored once closed. While the engine is
    /// in a step ([`Driver::is_busy`]: a socket handler a page called from a patched built-in
    /// the step called), fed from a task of its own once the step is over, instead of a second
    /// borrow, which would abort the module.
    pub fn feed(&self, input: Input) {
        if self.closed.get() {
            return;
        }
        let now = now_ms();
        let Ok(mut engine) = self.engine.try_borrow_mut() else {
            let me = self.me.clone();
            spawn(Box::pin(async move {
                if let Some(d) = me.upgrade() {
                    d.feed(input);
                }
            }));
            return;
        };
        let effects = engine.handle(input, now);
        drop(engine);
        self.queue_effects(effects);
    }

    /// Feeds one command now and queues its effects: its refusal when refused locally, else
    /// (`wait`) a Promise of its outcome, which resolves with the `completed` notice's outcome
    /// (rejects with the failure when that is `failed`, with `closed` when the engine closes
    /// first). Ignored once closed (`Ok(None)`).
    pub fn command(
        &self,
        command: Command,
        wait: bool,
    ) -> Result<Option<js_sys::Promise>, Refusal> {
        if self.closed.get() {
            return Ok(None);
        }
        let now = now_ms();
        let (id, effects) = self.engine.borrow_mut().command(command, now);
        self.last_command.set(Some(id));
        let refusal = effects.iter().find_map(|e| match e {
            Effect::Notify(Notice::Refused {
                command, reason, ..
            }) if *command == id => Some(reason.clone()),
            _ => None,
        });
        if !wait && refusal.is_none() {
            self.late.borrow_mut().set(id, None);
        }
        // Registered before any of its effects runs: its `completed` may be among them.
        let outcome = (wait && refusal.is_none()).then(|| {
            js_sys::Promise::new(&mut |resolve, reject| {
                self.outcomes.borrow_mut().set(id, (resolve, reject));
            })
        });
        self.queue_effects(effects);
        match refusal {
            Some(r) => Err(r),
            None => Ok(outcome),
        }
    }

    /// [`Driver::feed`], its effects carried out before everything queued.
    fn feed_next(&self, input: Input) {
        if self.closed.get() {
            return;
        }
        let now = now_ms();
        let effects = self.engine.borrow_mut().handle(input, now);
        let step = self.step.get().wrapping_add(1);
        self.step.set(step);
        let mut queue = self.queue.borrow_mut();
        for e in effects.into_iter().rev() {
            queue.push_front(Step::Effect(step, e));
        }
    }

    fn queue_effects(&self, effects: Vec<Effect>) {
        let step = self.step.get().wrapping_add(1);
        self.step.set(step);
        // One `push_back` each (issue 15: `extend` brought VecDeque's wrapping bulk write, code
        // of its own for this one call).
        let mut queue = self.queue.borrow_mut();
        for e in effects {
            queue.push_back(Step::Effect(step, e));
        }
        drop(queue);
        self.kick();
    }

    /// Settles the Promise of a command that completed.
    fn settle_command(&self, command: CommandId, outcome: &Outcome) {
        let Some((resolve, reject)) = self.outcomes.borrow_mut().remove(&command) else {
            return;
        };
        let result = match outcome {
            Outcome::Failed { reason } => reject.call1(&JsValue::UNDEFINED, &failure_error(reason)),
            _ => match to_js(outcome) {
                Ok(v) => resolve.call1(&JsValue::UNDEFINED, &v),
                Err(e) => reject.call1(&JsValue::UNDEFINED, &e),
            },
        };
        drop(result);
    }

    /// Rejects the Promise of a command refused after its call returned.
    fn refuse_command(&self, command: CommandId, reason: &Refusal) {
        if let Some((_, reject)) = self.outcomes.borrow_mut().remove(&command) {
            drop(reject.call1(&JsValue::UNDEFINED, &refusal_error(reason)));
        }
        if let Some(late) = self.late.borrow_mut().get_mut(&command) {
            *late = Some(reason.clone());
        }
    }

    /// The number of the last command fed.
    pub fn last_command(&self) -> Option<CommandId> {
        self.last_command.get()
    }

    /// The refusal of command `id` (fed without an outcome Promise) if one came; forgets it.
    pub fn take_late_refusal(&self, id: CommandId) -> Option<Refusal> {
        self.late.borrow_mut().remove(&id).flatten()
    }

    /// A Promise that settles once every effect queued so far is carried out; it rejects
    /// (`code` `storage`) if a write of the last input fed failed, or (`closed`) if the engine
    /// closed first.
    pub fn settled(&self) -> js_sys::Promise {
        let mut step = None;
        let number = self.step.get();
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            step = Some(Step::Settle {
                step: number,
                resolve,
                reject,
            });
        });
        if let Some(step) = step {
            self.queue.borrow_mut().push_back(step);
        }
        self.kick();
        promise
    }

    /// Registers a listener; the id removes it.
    pub fn listen(&self, channel: Channel, f: Function) -> u32 {
        self.listeners(channel).borrow_mut().add(f)
    }

    /// Removes a listener (nothing happens if it is gone).
    pub fn unlisten(&self, channel: Channel, id: u32) {
        self.listeners(channel).borrow_mut().remove(id);
    }

    fn listeners(&self, channel: Channel) -> &RefCell<Listeners> {
        match channel {
            Channel::Notices => &self.notices,
            Channel::Facts => &self.facts,
        }
    }

    /// Stops the timer and every later effect; the client starts no read any more (a first
    /// attempt, a retry, a second request: the transport shares `closed`); answers still out
    /// are dropped when they come (a restarted engine must never see them), waiting Promises
    /// reject with `closed`.
    pub fn close(&self) {
        self.closed.set(true);
        self.timer.borrow_mut().take();
        self.log.close();
        let waiting = std::mem::take(&mut *self.outcomes.borrow_mut());
        for (_, (_, reject)) in waiting {
            drop(reject.call1(
                &JsValue::UNDEFINED,
                &engine_error("closed", "the engine was closed", &[]),
            ));
        }
        self.kick();
    }

    fn kick(&self) {
        if self.pumping.get() {
            return;
        }
        if let Some(me) = self.me.upgrade() {
            self.pumping.set(true);
            spawn(Box::pin(me.pump()));
        }
    }

    /// The one loop that carries out effects, in order. Its state machine holds one await:
    /// what a step does synchronously, and what it awaits (a write, a read), are in
    /// [`Driver::run`] and the futures it hands back, each its own function (inlined here they
    /// made this loop the module's largest function, issue 15).
    async fn pump(self: Rc<Self>) {
        loop {
            let step = self.queue.borrow_mut().pop_front();
            let Some(step) = step else { break };
            if let Some(pending) = self.run(step) {
                pending.await;
            }
        }
        self.pumping.set(false);
    }

    /// Carries out one step of the queue; a write or a read is handed back for the pump to
    /// await before the next step.
    #[inline(never)]
    fn run(self: &Rc<Self>, step: Step) -> Option<Pending<'_>> {
        let effect = match step {
            Step::Settle {
                step,
                resolve,
                reject,
            } => {
                self.settle(step, &resolve, &reject);
                return None;
            }
            Step::Effect(..) if self.closed.get() => return None,
            Step::Effect(step, effect) => (step, effect),
        };
        match effect {
            (step, Effect::Persist(p)) => {
                return Some(Box::pin(async move { self.persist(step, &p).await }))
            }
            (_, Effect::Request(r)) => spawn(Box::pin(self.clone().request(r))),
            (_, Effect::Notify(n)) => {
                match &n {
                    Notice::Completed {
                        command, outcome, ..
                    } => self.settle_command(*command, outcome),
                    // A command that waited for a conversation to be read is refused
                    // after its call returned.
                    Notice::Refused {
                        command, reason, ..
                    } => self.refuse_command(*command, reason),
                    _ => {}
                }
                self.emit(Channel::Notices, &n);
            }
            (_, Effect::Broadcast(f)) => self.emit(Channel::Facts, &f),
            (_, Effect::SetTimer { at_ms }) => self.set_timer(at_ms),
            // A read (`Load`, `LoadList`, `LoadWith`, `Locate`): in order, every write queued
            // before it has landed (or failed). Its input's effects come next, before those of
            // inputs fed meanwhile (which waited for this read in the engine), and before any
            // `settled()` queued since: a command that waited resolves once its effects are
            // carried out. One future for the four (issue 15: a boxed body each was a copy of
            // the awaiting, the warning and the feeding).
            (_, read) => {
                return Some(Box::pin(async move {
                    if let Some(input) = self.log.read(read).await {
                        self.feed_next(input);
                    }
                }))
            }
        }
        None
    }

    /// Settles a `settled()` Promise queued after the effects of input `step`.
    fn settle(&self, step: u64, resolve: &Function, reject: &Function) {
        let error = {
            let mut errors = self.write_errors.borrow_mut();
            let error = errors.remove(&step);
            // Older ones have no command left waiting.
            errors.retain(|n, _| *n > step);
            error
        };
        let outcome = if self.closed.get() {
            reject.call1(
                &JsValue::UNDEFINED,
                &engine_error("closed", "the engine was closed", &[]),
            )
        } else if let Some(e) = error {
            reject.call1(
                &JsValue::UNDEFINED,
                &engine_error("storage", &e.message, &[]),
            )
        } else {
            resolve.call0(&JsValue::UNDEFINED)
        };
        drop(outcome);
    }

    /// Writes one `Persist` of input `step`. When it fails, the writes queued after it for
    /// that input are not made (a send, reaction or recall never leaves without its record on
    /// disk): the engine learns which (`Input::PersistFailed`) and settles them as not sent;
    /// the command waiting on it rejects with `storage`. Other effects still run: every
    /// request already out gets its answer, and what was not saved is re-fetched after a
    /// restart. The first write that lands after a failed one tells the engine storage works
    /// again (`Input::PersistRecovered`).
    async fn persist(&self, step: u64, p: &Persist) {
        let Err(e) = self.log.write(p).await else {
            if self.failing.replace(false) {
                self.feed(Input::PersistRecovered);
            }
            return;
        };
        self.failing.set(true);
        warn_storage(&e);
        // A queued send this write carried may have been started by an input fed while it
        // was being written: its request waits later in the queue and must not leave either.
        let unsaved = p.queued_sends();
        let started = |r: &crate::sync::Request| {
            r.sends()
                .is_some_and(|(a, k)| unsaved.iter().any(|(ua, uk)| ua == a && uk == k))
        };
        let mut cancelled = Vec::new();
        // The steps kept, in order, pushed back into the emptied queue (issue 15: VecDeque's
        // `retain`, with its `truncate` and `swap`, was about 0.8 KB of code for this one call).
        let mut queue = self.queue.borrow_mut();
        for s in std::mem::take(&mut *queue) {
            match &s {
                Step::Effect(n, Effect::Request(r))
                    if (*n == step && r.needs_record()) || started(r) =>
                {
                    cancelled.push(r.id);
                }
                _ => queue.push_back(s),
            }
        }
        drop(queue);
        let error = e.message.clone();
        let full = e.full;
        self.write_errors.borrow_mut().entry(step).or_insert(e);
        let unwritten = match p {
            Persist::Delta(r) => Some(r.clone()),
            Persist::Snapshot(_) => None,
        };
        self.feed(Input::PersistFailed {
            cancelled,
            unsaved,
            error,
            full,
            unwritten,
        });
    }

    fn emit<T: Serialize>(&self, channel: Channel, value: &T) {
        // Nobody listening (a page without other tabs, a worker before its first port): the
        // value is not made (a fact of a 50-message page is a tree of some 50 objects).
        if self.listeners(channel).borrow().list.is_empty() {
            return;
        }
        self.emit_value(channel, to_js(value));
    }

    /// Calls each listener of `channel` with `value` (the one part of [`Driver::emit`] that
    /// is not per type).
    #[inline(never)]
    fn emit_value(&self, channel: Channel, value: Result<JsValue, JsValue>) {
        // A copy: a listener may subscribe or unsubscribe while being called.
        let list: Vec<Function> = self
            .listeners(channel)
            .borrow()
            .list
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        let value = match value {
            Ok(v) => v,
            Err(e) => return warn(&describe(&e)),
        };
        for f in list {
            if let Err(e) = f.call1(&JsValue::UNDEFINED, &value) {
                warn(&format!("threadline: a listener threw: {}", describe(&e)));
            }
        }
    }

    fn set_timer(&self, at_ms: i64) {
        let delay = at_ms.saturating_sub(now_ms()).max(0) as u64;
        let me = self.me.clone();
        // The callback only schedules: feeding from inside it would replace (drop) the very
        // timer whose callback is running.
        let fire = Closure::<dyn FnMut()>::new(move || {
            let me = me.clone();
            spawn(Box::pin(async move {
                if let Some(d) = me.upgrade() {
                    d.feed(Input::Tick);
                }
            }))
        });
        let timer = Timer::start(fire, delay);
        // Timer::start fails only with the text of why (no `setTimeout`): that text, not the
        // error's `Debug` (issue 15: which kept the derived `Debug` of TransportError).
        if let Err(crate::api::TransportError::Network(why)) = &timer {
            warn(&format!("threadline: no timer: {why}"));
        }
        *self.timer.borrow_mut() = timer.ok();
    }

    async fn request(self: Rc<Self>, r: Request) {
        let Request { id, call, .. } = r;
        // Started from a task of its own, not the microtasks of the step that asked for it:
        // building and issuing a request costs the page a millisecond or two, which the
        // command's Promise (a view waiting to render: a cold first view, issue 13) need not
        // wait for. The request leaves a task later; what the engine decides is the same.
        crate::api::Transport::sleep(self.client.transport(), 0).await;
        // Closed meanwhile, or later: the client starts no read (its answer would be dropped,
        // and an engine opened on the store asks anew), not a first attempt, not a retry, not a
        // second request (`Transport::reads_stopped`, the transport sharing `closed`). A write
        // still leaves: the user asked for it, its outbox entry (or its recall, its reaction)
        // is on disk, and the next engine checks whether it landed, as after any restart.
        let result = self.client.run(call).await;
        self.feed(Input::Answer { id, result });
    }
}
