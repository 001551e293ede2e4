//! A native driver of the reconciliation engine for scenario tests against `threadline-sim`
//! started in-process: the driver contract of `threadline::sync` carried out literally, with the
//! real API client over HTTP, an in-memory disk under one of the real storage layouts
//! (`PersistLog`'s string keys or `RecordLog`'s tables, see [`Layout`]), and a virtual clock that is the simulator's (frozen; moved only by the test), so recall
//! windows, quota days and waits line up without real waiting.
//!
//! The driver decides nothing. It runs one atomic *step* at a time, in a fixed order: deliver the
//! oldest answer, else make the oldest request, else (when the event stream is connected) deliver
//! the next server event. Timers fire only when the test moves time ([`Driver::advance`]).
//! Commands, requests made, answers delivered, events delivered and timer ticks are all numbered
//! steps, so a test can restart the engine before any one of them ([`Driver::restart_before`]).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use serde_json::{json, Value};
use threadline::api::{
    ApiError, Client, HttpRequest, HttpResponse, KeySource, NativeTransport, Op, RetryPolicy,
    Transport, TransportError,
};
use threadline::model::{Message, MessagesQuery, MessagingChannel, ServerEvent};
use threadline::sync::{
    AccountId, AccountSummary, ApiReply, Command, ConversationView, Effect, Engine, EngineConfig,
    Input, LoadedConversation, LoadedList, LoadedRecords, MemoryKv, MemoryRecords, MessageState,
    Notice, Persist, PersistLog, Recipient, RecordLog, Refusal, RemoteFact, Request, RequestId,
    RestoreIssue, StorageError, StoredPlaces, ViewId,
};
use threadline::urn::{ConversationId, MessageId};
use threadline_sim::dialect::Dialect;
use threadline_sim::{serve, Config, SimHandle};

/// The dialect this test binary's simulators answer in (see `threadline_sim::dialect::for_tests`).
pub fn dialect() -> Dialect {
    threadline_sim::dialect::for_tests()
}

pub use threadline_sim::seed_ids as ids;

/// Where every scenario's clock starts: 2026-03-02T12:00:00Z. The simulator lays its seed out
/// backwards from here, so timestamps are the same in every run.
pub const ANCHOR_MS: i64 = 1_772_452_800_000;

/// The API key the simulator accepts.
pub const API_KEY: &str = "dev";

/// Per-request timeout of the driver's client (real time; no test waits for it but one).
pub const CLIENT_TIMEOUT_MS: u64 = 2_000;

/// Engine tunables for the scenarios: short waits (in virtual time), the server's real quota
/// and recall window, small snapshots so deltas and snapshots both get exercised.
pub fn test_config() -> EngineConfig {
    EngineConfig {
        seed: 7,
        poll_interval_ms: 5_000,
        echo_skew_ms: 2_000,
        echo_settle_ms: 3_000,
        default_retry_after_ms: 2_000,
        snapshot_every: 8,
        storage_retry_ms: 5_000,
        ..EngineConfig::default()
    }
}

/// `urn:li:msg_conversation:(urn:li:fsd_profile:<mailbox>,<thread>)`.
pub fn conversation_urn(mailbox: &str, thread_id: &str) -> String {
    format!("urn:li:msg_conversation:(urn:li:fsd_profile:{mailbox},{thread_id})")
}

/// `urn:li:msg_message:(urn:li:fsd_profile:<mailbox>,<id>)`.
pub fn message_urn(mailbox: &str, message_id: &str) -> String {
    format!("urn:li:msg_message:(urn:li:fsd_profile:{mailbox},{message_id})")
}

/// Ada, the default account (always named explicitly: server events name it).
pub fn ada() -> AccountId {
    AccountId(ids::ACCOUNT_ADA.into())
}

/// Grace, without Sales Navigator.
pub fn grace() -> AccountId {
    AccountId(ids::ACCOUNT_GRACE.into())
}

/// Ada's 150-message thread with Linus.
pub fn long_thread() -> String {
    conversation_urn(ids::PROFILE_ADA, ids::LONG_THREAD_ID)
}

/// The group thread as Ada sees it (her mailbox prefix).
pub fn shared_thread_ada() -> String {
    conversation_urn(ids::PROFILE_ADA, ids::SHARED_THREAD_ID)
}

/// The same group thread as Grace sees it (her mailbox prefix).
pub fn shared_thread_grace() -> String {
    conversation_urn(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID)
}

/// A send command with the defaults.
pub fn send(account: &AccountId, to: Recipient, text: &str) -> Command {
    Command::Send {
        account: account.clone(),
        to,
        text: text.into(),
        subject: None,
        channel: MessagingChannel::Auto,
        attachments: Vec::new(),
        client_key: None,
    }
}

/// A send into a known conversation.
pub fn send_into(account: &AccountId, conversation_urn: &str, text: &str) -> Command {
    send(
        account,
        Recipient::Conversation(conversation_urn.into()),
        text,
    )
}

// ----- the simulator -----

/// A running simulator, reset to [`ANCHOR_MS`] with its clock frozen, and a plain HTTP client
/// for its control plane.
pub struct Sim {
    pub handle: SimHandle,
    control: reqwest::Client,
}

impl Sim {
    /// A fresh simulator on a free loopback port, its seed laid out from [`ANCHOR_MS`], its
    /// clock frozen there.
    pub async fn start() -> Sim {
        let handle = serve(Config {
            dialect: dialect(),
            ..Config::ephemeral()
        })
        .await
        .expect("the simulator starts");
        let control = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a control-plane client");
        let sim = Sim { handle, control };
        sim.post("/__sim/reset", json!({ "clockMs": ANCHOR_MS }))
            .await;
        let clock = sim
            .post(
                "/__sim/clock",
                json!({ "frozen": true, "setMs": ANCHOR_MS }),
            )
            .await;
        assert_eq!(clock["nowMs"], ANCHOR_MS);
        sim
    }

    /// The API base URL.
    pub fn url(&self) -> String {
        self.handle.url()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .control
            .post(format!("{}{path}", self.url()))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("control plane answers");
        let status = resp.status();
        let text = resp.text().await.expect("control plane body");
        assert!(status.is_success(), "POST {path} {body}: {status} {text}");
        serde_json::from_str(&text).expect("control plane JSON")
    }

    async fn get(&self, path: &str) -> Value {
        let resp = self
            .control
            .get(format!("{}{path}", self.url()))
            .send()
            .await
            .expect("control plane answers");
        let text = resp.text().await.expect("control plane body");
        serde_json::from_str(&text).expect("control plane JSON")
    }

    /// Moves the (frozen) simulated clock to `ms`; returns the simulator's time.
    pub async fn set_clock(&self, ms: i64) -> i64 {
        let clock = self.post("/__sim/clock", json!({ "setMs": ms })).await;
        clock["nowMs"].as_i64().expect("nowMs")
    }

    /// The simulator's time (`GET /__sim/clock`).
    pub async fn now(&self) -> i64 {
        self.get("/__sim/clock").await["nowMs"]
            .as_i64()
            .expect("nowMs")
    }

    /// Arms a fault (`POST /__sim/faults`).
    pub async fn fault(&self, spec: Value) {
        self.post("/__sim/faults", spec).await;
    }

    /// Sets server limits (`POST /__sim/limits`).
    pub async fn limits(&self, body: Value) -> Value {
        self.post("/__sim/limits", body).await
    }

    /// The other party writes into a conversation (`POST /__sim/incoming`).
    pub async fn incoming(&self, body: Value) -> Value {
        self.post("/__sim/incoming", body).await
    }

    /// The ledger of one operation: `{total, byStatus, applied}`.
    pub async fn ledger(&self, op: &str) -> Value {
        self.get("/__sim/requests")
            .await
            .get(op)
            .cloned()
            .unwrap_or(json!({}))
    }

    /// Calls of `op` that took effect ("reached LinkedIn").
    pub async fn applied(&self, op: &str) -> u64 {
        self.ledger(op).await["applied"].as_u64().unwrap_or(0)
    }

    /// Calls of `op` the simulator answered (or dropped).
    pub async fn total(&self, op: &str) -> u64 {
        self.ledger(op).await["total"].as_u64().unwrap_or(0)
    }

    /// Calls of `op` that ended with `outcome` (`"200"`, `"500"`, `"dropped"`, …).
    pub async fn count(&self, op: &str, outcome: &str) -> u64 {
        self.ledger(op).await["byStatus"][outcome]
            .as_u64()
            .unwrap_or(0)
    }

    /// Server events after `seq`, and the newest `seq`.
    pub async fn events_after(&self, seq: u64) -> (Vec<ServerEvent>, u64) {
        let v = self.get(&format!("/__sim/events?afterSeq={seq}")).await;
        let events = serde_json::from_value(v["events"].clone()).expect("server events");
        (events, v["lastSeq"].as_u64().unwrap_or(0))
    }

    /// Another client of the same API (another device, LinkedIn's own page): what it does is
    /// "elsewhere" for the engine. Its calls show in the ledger like any other.
    pub fn other_client(&self) -> Client<NativeTransport> {
        Client::new(
            NativeTransport::new().expect("transport"),
            self.url(),
            API_KEY.to_string(),
        )
        .with_retry(RetryPolicy::never())
    }

    /// The newest `count` messages of a conversation as the server holds them for `account`,
    /// read with a client of its own (these reads show in the `messages` ledger).
    pub async fn server_messages(
        &self,
        account: &AccountId,
        conversation_urn: &str,
    ) -> Vec<Message> {
        let client = self.other_client();
        let query = MessagesQuery {
            account_id: account.as_param(),
            count: Some(100),
            ..Default::default()
        };
        client
            .messages(conversation_urn, query)
            .await
            .expect("the server's page")
            .messages
    }
}

// ----- the driver's wire: the native transport, plus an answer that comes too late -----

/// The native transport, which can also hold back the answer of the next `late_sends` sends
/// past their deadline: the request reaches the server and takes effect, and the client reports
/// a timeout. (The simulator's `latencyMs` waits *before* the operation, so it cannot stage a
/// timeout after the write took effect; this is that case, on the client's side of the wire.)
pub struct Wire {
    inner: NativeTransport,
    late_sends: Rc<Cell<u32>>,
}

impl Transport for Wire {
    async fn send(
        &self,
        url: String,
        req: HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        let late = req.op == Op::Send && self.late_sends.get() > 0;
        if late {
            self.late_sends.set(self.late_sends.get() - 1);
        }
        let answer = self.inner.send(url, req, timeout_ms).await;
        match answer {
            Ok(_) if late => Err(TransportError::Timeout),
            other => other,
        }
    }

    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}

/// The API key as the options page holds it: the test can change it.
#[derive(Clone)]
pub struct SharedKey(Rc<RefCell<String>>);

impl KeySource for SharedKey {
    async fn api_key(&self) -> Result<String, ApiError> {
        Ok(self.0.borrow().clone())
    }
}

// ----- the driver -----

/// How the driver's disk lays out what the engine writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// String keys through `PersistLog` (head, snapshot and deltas): what `localStorage` and
    /// `chrome.storage` hold.
    KeyValue,
    /// Tables of records through `RecordLog`, one transaction per write: what IndexedDB holds.
    /// The engine runs with `snapshot_every = u32::MAX`, as the drivers of this layout do.
    Records,
    /// The same tables, opened lazily as the wasm driver does: the restore reads every table
    /// but the messages (`RecordLog::load_resident`, `Engine::restore_lazy`) and the driver
    /// answers each `Effect::Load` from the disk (`RecordLog::load_conversation`), so after
    /// every restart no conversation is in memory.
    LazyRecords,
}

impl Layout {
    /// The layout of this test binary: `THREADLINE_TEST_LAYOUT` (`kv`, `records` or `lazy`)
    /// when set, else `LazyRecords` when the binary's name contains "lazy", `Records` when it
    /// contains "records", else `KeyValue`.
    pub fn for_tests() -> Layout {
        match std::env::var("THREADLINE_TEST_LAYOUT").as_deref() {
            Ok("records") => return Layout::Records,
            Ok("lazy") => return Layout::LazyRecords,
            Ok("kv") => return Layout::KeyValue,
            _ => {}
        }
        let name = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        if name.contains("lazy") {
            Layout::LazyRecords
        } else if name.contains("records") {
            Layout::Records
        } else {
            Layout::KeyValue
        }
    }

    /// Whether the disk is tables of records (either way of opening them).
    pub fn is_records(self) -> bool {
        matches!(self, Layout::Records | Layout::LazyRecords)
    }
}

/// What the driver keeps on "disk", in memory, written and read through the product's own
/// storage code for its [`Layout`], so every restart reads back a real layout.
#[derive(Debug)]
pub struct Disk {
    pub layout: Layout,
    /// The string keys (`Layout::KeyValue`, and the store a migration reads).
    pub kv: MemoryKv,
    log: PersistLog<MemoryKv>,
    /// The tables (`Layout::Records`).
    pub records: MemoryRecords,
    record_log: RecordLog<MemoryRecords>,
    /// While true every write fails (unplugged): nothing is stored.
    pub failing: bool,
    /// While true every write is refused for lack of space (`StorageError::full`).
    pub full: bool,
    /// Writes refused while failing or full.
    pub failed_writes: u32,
    /// Whole-state writes (`Persist::Snapshot`) that landed.
    pub snapshots: u32,
    /// A write failed and none landed since: the next one that lands is a recovery.
    behind: bool,
    /// Restarts of the lazy layout so far (the window alternates between one and two).
    restarts: u32,
}

impl Disk {
    /// An empty disk of `layout`.
    pub fn new(layout: Layout) -> Disk {
        let kv = MemoryKv::default();
        let records = MemoryRecords::default();
        Disk {
            layout,
            log: PersistLog::new(kv.clone(), DISK_PREFIX),
            kv,
            record_log: RecordLog::new(records.clone()),
            records,
            failing: false,
            full: false,
            failed_writes: 0,
            snapshots: 0,
            behind: false,
            restarts: 0,
        }
    }

    /// Writes one `Persist` effect through the layout's own code.
    pub fn write(&mut self, p: &Persist) -> Result<(), StorageError> {
        if self.failing || self.full {
            self.failed_writes += 1;
            return Err(if self.full {
                StorageError::full("the disk is full")
            } else {
                StorageError::new("the disk is failing")
            });
        }
        match self.layout {
            Layout::KeyValue => ready(self.log.write(p)),
            Layout::Records | Layout::LazyRecords => ready(self.record_log.write(p)),
        }?;
        if matches!(p, Persist::Snapshot(_)) {
            self.snapshots += 1;
        }
        Ok(())
    }

    /// Opens the stored state afresh (as a restarted process does) and restores an engine.
    pub fn restore(&mut self, config: EngineConfig, now_ms: i64) -> (Engine, Vec<RestoreIssue>) {
        self.behind = false;
        match self.layout {
            Layout::KeyValue => {
                self.log = PersistLog::new(self.kv.clone(), DISK_PREFIX);
                let stored = ready(self.log.load()).expect("the memory disk reads");
                let (engine, mut issues) =
                    Engine::restore(config, stored.snapshot.as_deref(), &stored.deltas, now_ms);
                issues.splice(0..0, stored.issues);
                (engine, issues)
            }
            Layout::Records => {
                self.record_log = RecordLog::new(self.records.clone());
                let loaded = ready(self.record_log.load()).expect("the memory disk reads");
                self.check_layout_2(&loaded);
                Engine::restore_records(config, loaded.records, loaded.issues, now_ms)
            }
            Layout::LazyRecords => {
                self.record_log = RecordLog::new(self.records.clone());
                let whole = ready(self.record_log.load_resident()).expect("the memory disk reads");
                self.check_layout_2(&whole);
                // A window of one or two conversation records (issue 13), so that lists,
                // fills, sends to a person and recalls cross records not in memory.
                self.restarts += 1;
                let window = 1 + self.restarts % 2;
                let loaded =
                    ready(self.record_log.load_window(window)).expect("the memory disk reads");
                Engine::restore_window(config, loaded, now_ms)
            }
        }
    }

    /// What every write must have kept of layout 2 (checked at every restart, so after every
    /// step of the restart tests): each account's stored summary is the one of all its
    /// conversation records, and a window of one conversation reads the newest of them, whole
    /// and the same, and what is under way.
    fn check_layout_2(&self, whole: &LoadedRecords) {
        for a in &whole.records.accounts {
            assert_eq!(
                whole.summaries.get(&a.account).cloned().unwrap_or_default(),
                AccountSummary::of(&a.conversations),
                "the stored summary of {:?}",
                a.account
            );
        }
        let window = ready(RecordLog::new(self.records.clone()).load_window(1))
            .expect("the memory disk reads");
        for (a, w) in whole.records.accounts.iter().zip(&window.records.accounts) {
            assert_eq!(a.account, w.account);
            for c in &w.conversations {
                assert!(a.conversations.contains(c), "{:?} read whole", c.id);
            }
            let newest = a
                .conversations
                .iter()
                .max_by(|x, y| {
                    x.last_activity()
                        .cmp(&y.last_activity())
                        .then(y.id.cmp(&x.id))
                })
                .map(|c| &c.id);
            if let Some(id) = newest {
                assert!(w.conversations.iter().any(|c| &c.id == id), "the newest");
            }
            for e in &a.outbox {
                if let Some(c) = &e.conversation {
                    let stored = a.conversations.iter().any(|s| &s.id == c);
                    assert!(!stored || w.conversations.iter().any(|s| &s.id == c));
                }
            }
            assert_eq!(
                window.list_more.contains_key(&a.account),
                a.conversations.len() > 1
            );
        }
    }

    /// Reads conversations' stored messages, all in one read (the answer to `Effect::Load`);
    /// fails while the disk is failing.
    pub fn load(
        &self,
        account: &AccountId,
        conversations: &[ConversationId],
    ) -> Result<Vec<LoadedConversation>, StorageError> {
        if self.failing {
            return Err(StorageError::new("the disk is failing"));
        }
        ready(self.record_log.load_conversations(account, conversations))
    }

    /// Reads conversation records (the answer to `Effect::LoadList`, or with `profile` to
    /// `Effect::LoadWith`); fails while the disk is failing.
    pub fn load_list(
        &self,
        account: &AccountId,
        profile: Option<&str>,
        after: Option<(f64, String)>,
        limit: u32,
    ) -> Result<LoadedList, StorageError> {
        if self.failing {
            return Err(StorageError::new("the disk is failing"));
        }
        match profile {
            Some(p) => ready(self.record_log.load_with(account, p)),
            None => ready(self.record_log.load_list(account, after, limit)),
        }
    }

    /// Where storage says messages are (the answer to `Effect::Locate`); fails while the disk
    /// is failing.
    pub fn locate(
        &self,
        account: &AccountId,
        messages: &[MessageId],
    ) -> Result<Vec<StoredPlaces>, StorageError> {
        if self.failing {
            return Err(StorageError::new("the disk is failing"));
        }
        ready(self.record_log.locate_messages(account, messages))
    }

    /// Moves the key-value store into the tables (`RecordLog::migrate_from`) and uses the
    /// tables from now on; the migration's issues.
    pub fn migrate_to_records(&mut self) -> Vec<RestoreIssue> {
        self.layout = Layout::Records;
        self.log = PersistLog::new(self.kv.clone(), DISK_PREFIX);
        self.record_log = RecordLog::new(self.records.clone());
        ready(self.record_log.migrate_from(&self.log)).expect("the memory disk migrates")
    }
}

impl Default for Disk {
    fn default() -> Disk {
        Disk::new(Layout::for_tests())
    }
}

/// The key prefix on the disk (the wasm engine's default).
const DISK_PREFIX: &str = "threadline";

/// Runs a storage future of the memory disk, which never waits.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    match std::pin::pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the memory disk never waits"),
    }
}

/// Most steps one `settle` may take before the test is declared stuck.
const MAX_STEPS: usize = 2_000;

/// One engine, one client, one disk, one clock (the simulator's), and the simulator.
pub struct Driver {
    pub sim: Sim,
    config: EngineConfig,
    engine: Engine,
    client: Client<Wire, SharedKey>,
    key: Rc<RefCell<String>>,
    late_sends: Rc<Cell<u32>>,
    pub disk: Disk,
    now: i64,
    timer: Option<i64>,
    requests: VecDeque<Request>,
    answers: VecDeque<(RequestId, Op, Result<ApiReply, ApiError>)>,
    /// Answers of `hold` held back until `release`: they arrive later than others.
    held: Vec<(RequestId, Op, Result<ApiReply, ApiError>)>,
    hold: Option<Op>,
    /// What the UI shows: re-opened after a restart, as a tab would.
    views: BTreeMap<ViewId, (AccountId, String)>,
    /// The newest server event delivered, while the event stream is connected.
    events: Option<u64>,
    /// Every notice so far (never cleared, restarts included).
    pub notices: Vec<Notice>,
    /// Every fact broadcast for sibling tabs (there are none here).
    pub broadcasts: Vec<RemoteFact>,
    /// Every answer delivered: the operation and `"ok"` or the error's code.
    pub outcomes: Vec<(Op, String)>,
    /// Steps taken so far (commands, requests, answers, events, ticks).
    pub steps: u64,
    restart_at: Option<u64>,
    pub restarts: u32,
    /// What the last restore could not read (a restore with issues fails the test unless
    /// `expect_restore_issues` is set).
    pub restore_issues: Vec<RestoreIssue>,
    pub expect_restore_issues: bool,
    /// One line per step, for failure messages.
    pub trace: Vec<String>,
}

impl Driver {
    /// A fresh simulator and an empty engine with [`test_config`].
    pub async fn start() -> Driver {
        Driver::start_with(test_config(), CLIENT_TIMEOUT_MS).await
    }

    /// A fresh simulator and an empty engine with `config`; the client times out after
    /// `timeout_ms` (real time) and never retries (the engine decides what happens next).
    pub async fn start_with(config: EngineConfig, timeout_ms: u64) -> Driver {
        Driver::start_on(Layout::for_tests(), config, timeout_ms).await
    }

    /// [`Driver::start_with`] on a disk of `layout` (with `Layout::Records` the engine runs
    /// with `snapshot_every = u32::MAX`, as the drivers of that layout do).
    pub async fn start_on(layout: Layout, mut config: EngineConfig, timeout_ms: u64) -> Driver {
        if layout.is_records() {
            config.snapshot_every = u32::MAX;
        }
        let sim = Sim::start().await;
        let key = Rc::new(RefCell::new(API_KEY.to_string()));
        let late_sends = Rc::new(Cell::new(0));
        let wire = Wire {
            inner: NativeTransport::new().expect("transport"),
            late_sends: late_sends.clone(),
        };
        let client = Client::new(wire, sim.url(), SharedKey(key.clone()))
            .with_timeout_ms(timeout_ms)
            .with_retry(RetryPolicy::never())
            .with_jitter(|| 0.0);
        let now = sim.now().await;
        let mut driver = Driver {
            sim,
            engine: Engine::new(config.clone()),
            config,
            client,
            key,
            late_sends,
            disk: Disk::new(layout),
            now,
            timer: None,
            requests: VecDeque::new(),
            answers: VecDeque::new(),
            held: Vec::new(),
            hold: None,
            views: BTreeMap::new(),
            events: None,
            notices: Vec::new(),
            broadcasts: Vec::new(),
            outcomes: Vec::new(),
            steps: 0,
            restart_at: None,
            restarts: 0,
            restore_issues: Vec::new(),
            expect_restore_issues: false,
            trace: Vec::new(),
        };
        // Contract step 1, from empty storage.
        driver.restore();
        driver
    }

    /// The engine, to read views and status.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The virtual time (the simulator's clock).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Restart the engine just before step `step` (1-based), wherever the scenario is then.
    pub fn restart_before(&mut self, step: u64) {
        self.restart_at = Some(step);
    }

    /// The API key the client sends from now on (the engine is not told: see `KeyUpdated`).
    pub fn set_api_key(&mut self, key: &str) {
        *self.key.borrow_mut() = key.to_string();
    }

    /// The next `n` sends take effect on the server but their answers come after the deadline.
    pub fn answer_next_sends_late(&mut self, n: u32) {
        self.late_sends.set(n);
    }

    /// From now on, answers of `op` are held back (the request is made; its answer is slow)
    /// until [`Driver::release`].
    pub fn hold_answers_of(&mut self, op: Op) {
        self.hold = Some(op);
    }

    /// The held answers arrive, in order, and whatever they set going is carried out.
    pub async fn release(&mut self) {
        self.hold = None;
        self.answers.extend(self.held.drain(..));
        self.settle().await;
    }

    /// A user command (one step), then everything it sets going, until quiet.
    pub async fn command(&mut self, c: Command) {
        if let Command::OpenConversation {
            view,
            account,
            conversation_urn,
        } = &c
        {
            self.views
                .insert(view.clone(), (account.clone(), conversation_urn.clone()));
        }
        if let Command::CloseView { view } = &c {
            self.views.remove(view);
        }
        self.step_point(format!("command {c:?}"));
        self.input(Input::Command(c));
        self.settle().await;
    }

    /// A user command (one step) and nothing more: what it set going waits for `settle`, so the
    /// test can look at the state in between.
    pub fn command_only(&mut self, c: Command) {
        self.step_point(format!("command {c:?}"));
        self.input(Input::Command(c));
    }

    /// Shows `conversation_urn` of `account` in a view named after it.
    pub async fn open(&mut self, account: &AccountId, conversation_urn: &str) {
        let view = ViewId(format!("{account}/{conversation_urn}"));
        self.command(Command::OpenConversation {
            view,
            account: account.clone(),
            conversation_urn: conversation_urn.into(),
        })
        .await;
    }

    /// Connect the event stream (`EventStreamOpened`); from now on `settle` delivers the
    /// simulator's events (read from `/__sim/events`, the same objects the WebSocket pushes).
    pub async fn connect_events(&mut self) {
        let (_, last) = self.sim.events_after(u64::MAX).await;
        self.events = Some(last);
        self.input(Input::EventStreamOpened);
        self.settle().await;
    }

    /// Carry out steps until nothing is left to do without time passing.
    pub async fn settle(&mut self) {
        for _ in 0..MAX_STEPS {
            if !self.step().await {
                return;
            }
        }
        panic!(
            "the engine never settled; last steps:\n{}",
            self.trace[self.trace.len().saturating_sub(20)..].join("\n")
        );
    }

    /// Let `ms` of virtual time pass: every timer due on the way fires at its time (a step
    /// each), with everything it sets going carried out before the next.
    pub async fn advance(&mut self, ms: i64) {
        let target = self.now + ms;
        self.settle().await;
        while let Some(at) = self.timer.filter(|at| *at <= target) {
            self.timer = None;
            self.set_now(at.max(self.now)).await;
            self.step_point(format!("timer {at}"));
            self.input(Input::Tick);
            self.settle().await;
        }
        self.set_now(target).await;
    }

    /// Kill the engine and bring it back from the disk: requests not made yet and answers not
    /// delivered yet die with it (a made request stays made: the server saw it).
    pub fn restart(&mut self) {
        self.trace
            .push(format!("-- restart at step {}", self.steps));
        self.restarts += 1;
        self.requests.clear();
        self.answers.clear();
        self.held.clear();
        self.timer = None;
        self.restore();
        let views: Vec<_> = self.views.clone().into_iter().collect();
        for (view, (account, conversation_urn)) in views {
            self.input(Input::Command(Command::OpenConversation {
                view,
                account,
                conversation_urn,
            }));
        }
        if self.events.is_some() {
            // The WebSocket reconnects with `afterSeq` = the last event delivered.
            self.input(Input::EventStreamOpened);
        }
    }

    fn restore(&mut self) {
        // A restarted engine opens the stored state afresh, as the wasm engine does.
        let (engine, issues) = self.disk.restore(self.config.clone(), self.now);
        assert!(
            self.expect_restore_issues || issues.is_empty(),
            "own storage restores cleanly: {issues:?}"
        );
        self.restore_issues = issues;
        self.engine = engine;
        self.input(Input::Tick);
    }

    /// Restart as a new build would: the key-value store moves into the tables first
    /// (`RecordLog::migrate_from`), then the engine is restored from them; the migration's
    /// issues.
    pub fn restart_migrating(&mut self) -> Vec<RestoreIssue> {
        let issues = self.disk.migrate_to_records();
        self.config.snapshot_every = u32::MAX;
        self.restart();
        issues
    }

    /// The outcomes of every answer of `op` delivered so far (`"ok"` or an error code).
    pub fn outcomes_of(&self, op: Op) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|(o, _)| *o == op)
            .map(|(_, outcome)| outcome.as_str())
            .collect()
    }

    /// Recalls Ada's message `urn` of the long thread as a user would: asks again, one poll
    /// apart, while the view shows it sent, until it leaves the view (at most four polls).
    pub async fn recall_until_gone(&mut self, urn: &str, poll: i64) {
        let id = MessageId::parse(urn).expect("a message URN");
        for _ in 0..4 {
            let view = self.view(&ada(), &long_thread());
            match view.messages.iter().find(|m| m.id.as_ref() == Some(&id)) {
                None => break,
                Some(m) if m.state == MessageState::Sent => {
                    self.command(Command::Recall {
                        conversation_urn: None,
                        account: ada(),
                        message_urn: urn.to_owned(),
                    })
                    .await;
                }
                Some(_) => {}
            }
            self.advance(poll).await;
        }
    }

    /// The conversation as the UI would show it.
    pub fn view(&self, account: &AccountId, conversation_urn: &str) -> ConversationView {
        let id = ConversationId::parse(conversation_urn).expect("a conversation URN");
        self.engine
            .conversation_view(account, &id)
            .expect("the conversation is known")
    }

    /// The texts the view shows, oldest first.
    pub fn texts(&self, account: &AccountId, conversation_urn: &str) -> Vec<String> {
        self.view(account, conversation_urn)
            .messages
            .into_iter()
            .map(|m| m.text)
            .collect()
    }

    /// Refusals told to the UI so far.
    pub fn refusals(&self) -> Vec<Refusal> {
        self.notices
            .iter()
            .filter_map(|n| match n {
                Notice::Refused { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }

    // ----- the loop -----

    fn step_point(&mut self, what: String) {
        self.steps += 1;
        if self.restart_at == Some(self.steps) {
            self.restart();
        }
        self.trace.push(format!("{:>4} {what}", self.steps));
    }

    /// One step; false when nothing was left to do.
    async fn step(&mut self) -> bool {
        if let Some((id, op, result)) = self.answers.front() {
            let what = format!("answer {id:?} {op:?} {}", short(result));
            self.step_point(what);
            // A restart just now discarded the answer: it never reaches the new instance.
            if let Some((id, op, result)) = self.answers.pop_front() {
                let outcome = result.as_ref().map_or_else(|e| e.code(), |_| "ok");
                self.outcomes.push((op, outcome.to_string()));
                self.input(Input::Answer { id, result });
            }
            return true;
        }
        if let Some(req) = self.requests.front() {
            let what = format!("request {:?} {:?}", req.id, req.op);
            self.step_point(what);
            if let Some(req) = self.requests.pop_front() {
                let result = self.client.run(req.call).await;
                let answer = (req.id, req.op, result);
                if self.hold == Some(req.op) {
                    self.held.push(answer);
                } else {
                    self.answers.push_back(answer);
                }
            }
            return true;
        }
        if let Some(seq) = self.events {
            let (events, _) = self.sim.events_after(seq).await;
            if let Some(e) = events.into_iter().next() {
                self.step_point(format!("event {} {:?}", e.seq, e.kind));
                if self.events.is_some() {
                    self.events = Some(e.seq);
                    self.input(Input::ServerEvent(e));
                }
                return true;
            }
        }
        false
    }

    fn input(&mut self, input: Input) {
        let effects = self.engine.handle(input, self.now);
        // The contract when a write fails: the writes of this step after it are not made.
        let mut failed: Option<(StorageError, Vec<RequestId>)> = None;
        let mut unsaved = Vec::new();
        let mut unwritten = None;
        let mut loads = Vec::new();
        let mut recovered = false;
        for effect in effects {
            match effect {
                Effect::Persist(p) => match self.disk.write(&p) {
                    Ok(()) => recovered |= std::mem::take(&mut self.disk.behind),
                    Err(e) => {
                        self.disk.behind = true;
                        unsaved.extend(p.queued_sends());
                        if let Persist::Delta(r) = &p {
                            unwritten = Some(r.clone());
                        }
                        failed.get_or_insert_with(|| (e, vec![]));
                    }
                },
                Effect::Request(req) => match &mut failed {
                    Some((_, cancelled)) if req.needs_record() => cancelled.push(req.id),
                    _ => self.requests.push_back(req),
                },
                Effect::Broadcast(fact) => self.broadcasts.push(fact),
                Effect::Notify(notice) => self.notices.push(notice),
                Effect::SetTimer { at_ms } => self.timer = Some(at_ms),
                e @ (Effect::Load { .. }
                | Effect::LoadList { .. }
                | Effect::LoadWith { .. }
                | Effect::Locate { .. }) => loads.push(e),
            }
        }
        // Read after this step's writes (a read never overtakes an earlier `Persist`).
        for e in loads {
            let input = match e {
                Effect::Load {
                    account,
                    conversations,
                } => {
                    let result = self.disk.load(&account, &conversations);
                    self.trace.push(format!(
                        "     load {conversations:?}: {}",
                        result.as_ref().map_or_else(
                            |e| e.to_string(),
                            |l| format!(
                                "{:?} messages",
                                l.iter().map(|l| l.messages.len()).collect::<Vec<_>>()
                            )
                        )
                    ));
                    Input::Loaded {
                        account,
                        conversations,
                        result,
                    }
                }
                Effect::LoadList {
                    account,
                    after,
                    limit,
                } => {
                    let result = self.disk.load_list(&account, None, after, limit);
                    self.trace.push(format!("     load list page: {result:?}"));
                    Input::ListLoaded {
                        account,
                        profile: None,
                        result,
                    }
                }
                Effect::LoadWith { account, profile } => {
                    let result = self.disk.load_list(&account, Some(&profile), None, 0);
                    self.trace
                        .push(format!("     load with {profile}: {result:?}"));
                    Input::ListLoaded {
                        account,
                        profile: Some(profile),
                        result,
                    }
                }
                Effect::Locate {
                    account,
                    command,
                    messages,
                } => {
                    let result = self.disk.locate(&account, &messages);
                    self.trace
                        .push(format!("     locate {messages:?}: {result:?}"));
                    Input::Located { command, result }
                }
                _ => unreachable!("only reads are kept"),
            };
            self.input(input);
        }
        if let Some((error, cancelled)) = failed {
            self.trace
                .push(format!("     write failed; cancelled {cancelled:?}"));
            self.input(Input::PersistFailed {
                cancelled,
                unsaved,
                error: error.to_string(),
                full: error.full,
                unwritten,
            });
        } else if recovered {
            // The first write that landed after a failure: storage holds the whole state again.
            self.trace.push("     write landed again".into());
            self.input(Input::PersistRecovered);
        }
    }

    async fn set_now(&mut self, ms: i64) {
        if ms != self.now {
            self.now = self.sim.set_clock(ms).await;
        }
    }
}

fn short(result: &Result<ApiReply, ApiError>) -> String {
    match result {
        Ok(ApiReply::Messages(p)) => format!("ok {} messages", p.messages.len()),
        Ok(ApiReply::Conversations(p)) => format!("ok {} conversations", p.conversations.len()),
        Ok(ApiReply::Send(_)) => "ok send".into(),
        Ok(ApiReply::React(_)) => "ok react".into(),
        Ok(ApiReply::Recall(_)) => "ok recall".into(),
        Ok(ApiReply::PremiumStatus(p)) => format!("ok premium sn={}", p.has_sales_navigator),
        Err(e) => format!("err {e}"),
    }
}
