//! A driver for tests: engine replicas (tabs) around one simulated server, with every request,
//! answer, broadcast and event held in flight until the test delivers it — in any order, more
//! than once, or never — plus restarts from what each replica persisted.

use std::collections::BTreeSet;

use threadline::api::ApiError;
use threadline::model::MessagingChannel;
use threadline::sync::{
    AccountId, ApiReply, ClientKey, Command, CommandId, ConversationView, Effect, Engine,
    EngineConfig, Input, MemoryRecords, MessageState, Notice, Persist, Recipient, RecordLog,
    RemoteFact, Request, RequestId, ViewId,
};
use threadline::urn::{ConversationId, MessageId};

use super::server::{Fate, Server};

/// One tab: its engine and its storage.
pub struct Replica {
    pub engine: Engine,
    pub config: EngineConfig,
    pub snapshot: Option<Vec<u8>>,
    pub deltas: Vec<Vec<u8>>,
    /// The same writes in the per-record layout: a restart from it must give the same engine.
    pub records: RecordLog<MemoryRecords>,
    pub epoch: u32,
    pub timer: Option<i64>,
    pub notices: Vec<Notice>,
    /// Tombstones seen so far: they must never disappear, nor their messages come back.
    pub seen_tombstones: BTreeSet<MessageId>,
    /// Commands fed to this engine (since its last restart) that have no outcome yet.
    pub waiting: BTreeSet<CommandId>,
}

/// An answer on its way back.
pub type Answer = (usize, u32, RequestId, Result<ApiReply, ApiError>);

/// Replicas, server and everything in flight between them.
pub struct World {
    pub server: Server,
    pub replicas: Vec<Replica>,
    pub now: i64,
    pub requests: Vec<(usize, u32, Request)>,
    pub answers: Vec<Answer>,
    pub broadcasts: Vec<(usize, RemoteFact)>,
    pub event_pos: Vec<usize>,
    /// Restarts open the records lazily (`Engine::restore_lazy`: no conversation in memory,
    /// each read from the replica's records when an input needs it, `Effect::Load`), and
    /// closed conversations leave memory at once (`resident_closed` 0).
    pub lazy: bool,
    /// Every conversation read (`Effect::Load`) so far, by replica.
    pub loads: Vec<Vec<ConversationId>>,
    /// The reads (`Effect::Load`, each one transaction in IndexedDB) so far, by replica.
    pub reads: Vec<usize>,
}

/// The default account.
pub fn acct() -> AccountId {
    AccountId::default()
}

/// Test configuration: short intervals, small pages.
pub fn config(seed: u64) -> EngineConfig {
    EngineConfig {
        seed,
        poll_interval_ms: 5_000,
        echo_skew_ms: 1_000,
        echo_settle_ms: 3_000,
        default_retry_after_ms: 2_000,
        daily_quota: 3,
        page_size: 3,
        snapshot_every: 8,
        ..EngineConfig::default()
    }
}

impl World {
    /// `n` replicas around a server with `threads` threads.
    pub fn new(n: usize, threads: usize) -> World {
        let now = 1_700_000_000_000;
        let replicas = (0..n)
            .map(|i| {
                let config = config(i as u64 + 1);
                Replica {
                    engine: Engine::new(config.clone()),
                    config,
                    snapshot: None,
                    deltas: Vec::new(),
                    records: RecordLog::new(MemoryRecords::default()),
                    epoch: 0,
                    timer: None,
                    notices: Vec::new(),
                    seen_tombstones: BTreeSet::new(),
                    waiting: BTreeSet::new(),
                }
            })
            .collect();
        World {
            server: Server::new(now, threads, 3),
            replicas,
            now,
            requests: Vec::new(),
            answers: Vec::new(),
            broadcasts: Vec::new(),
            event_pos: vec![0; n],
            lazy: false,
            loads: vec![Vec::new(); n],
            reads: vec![0; n],
        }
    }

    /// [`World::new`], with replicas that restart lazily (see [`World::lazy`]).
    pub fn new_lazy(n: usize, threads: usize) -> World {
        let mut w = World::new(n, threads);
        w.lazy = true;
        for rep in &mut w.replicas {
            rep.config.resident_closed = 0;
            rep.engine = Engine::new(rep.config.clone());
        }
        w
    }

    /// Feed one input to replica `r` and carry out its effects.
    pub fn input(&mut self, r: usize, input: Input) {
        let effects = self.replicas[r].engine.handle(input, self.now);
        self.effects(r, effects);
    }

    /// Feed one command to replica `r`.
    pub fn command(&mut self, r: usize, c: Command) {
        self.command_id(r, c);
    }

    /// Feed one command to replica `r` by hand (the test looks at its effects before they
    /// are carried out with [`World::effects`]); its number and effects.
    pub fn command_by_hand(&mut self, r: usize, c: Command) -> (CommandId, Vec<Effect>) {
        let (id, effects) = self.replicas[r].engine.command(c, self.now);
        assert!(self.replicas[r].waiting.insert(id));
        (id, effects)
    }

    /// Feed one command to replica `r`; its number.
    pub fn command_id(&mut self, r: usize, c: Command) -> CommandId {
        let (id, effects) = self.replicas[r].engine.command(c, self.now);
        assert!(
            self.replicas[r].waiting.insert(id),
            "command number {id:?} given twice"
        );
        self.effects(r, effects);
        id
    }

    /// The outcome notices (`refused`, `completed`) replica `r` gave for command `id`.
    pub fn outcomes(&self, r: usize, id: CommandId) -> Vec<&Notice> {
        self.replicas[r]
            .notices
            .iter()
            .filter(|n| match n {
                Notice::Refused { command, .. } | Notice::Completed { command, .. } => {
                    *command == id
                }
                _ => false,
            })
            .collect()
    }

    pub fn effects(&mut self, r: usize, effects: Vec<Effect>) {
        let n = self.replicas.len();
        let mut loads = Vec::new();
        for e in effects {
            match e {
                Effect::Persist(p) => {
                    let rep = &mut self.replicas[r];
                    // Restored from its records, an engine never clears them (issue 13).
                    assert!(
                        !(self.lazy && rep.epoch > 0 && matches!(p, Persist::Snapshot(_))),
                        "a snapshot over record storage"
                    );
                    ready(rep.records.write(&p)).expect("memory records take every write");
                    match p {
                        Persist::Snapshot(s) => {
                            rep.snapshot = Some(serde_json::to_vec(&s).expect("serializes"));
                            rep.deltas.clear();
                        }
                        // A lazily restored engine writes deltas only (never a snapshot); on
                        // a key-value mirror that holds none yet, the first is the whole state.
                        Persist::Delta(d) if rep.snapshot.is_none() => {
                            rep.snapshot = Some(serde_json::to_vec(&d).expect("serializes"))
                        }
                        Persist::Delta(d) => {
                            rep.deltas.push(serde_json::to_vec(&d).expect("serializes"))
                        }
                    }
                }
                Effect::Request(req) => self.requests.push((r, self.replicas[r].epoch, req)),
                Effect::Broadcast(f) => {
                    for to in (0..n).filter(|to| *to != r) {
                        self.broadcasts.push((to, f.clone()));
                    }
                }
                Effect::Notify(n) => {
                    // Every command gets one outcome at most, and only a command of this life.
                    if let Notice::Refused { command, .. } | Notice::Completed { command, .. } = &n
                    {
                        assert!(
                            self.replicas[r].waiting.remove(command),
                            "an outcome for {command:?}, which had one or was never fed: {n:?}"
                        );
                    }
                    self.replicas[r].notices.push(n)
                }
                Effect::SetTimer { at_ms } => self.replicas[r].timer = Some(at_ms),
                e @ (Effect::Load { .. }
                | Effect::LoadList { .. }
                | Effect::LoadWith { .. }
                | Effect::Locate { .. }) => loads.push(e),
            }
        }
        // Read after this step's writes, as a driver does, in order.
        for e in loads {
            let records = &self.replicas[r].records;
            let input = match e {
                Effect::Load {
                    account,
                    conversations,
                } => {
                    self.loads[r].extend(conversations.iter().cloned());
                    self.reads[r] += 1;
                    let result = ready(records.load_conversations(&account, &conversations));
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
                    let result = ready(records.load_list(&account, after, limit));
                    Input::ListLoaded {
                        account,
                        profile: None,
                        result,
                    }
                }
                Effect::LoadWith { account, profile } => {
                    let result = ready(records.load_with(&account, &profile));
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
                    self.reads[r] += 1;
                    let result = ready(records.locate_messages(&account, &messages));
                    Input::Located { command, result }
                }
                _ => unreachable!("only reads are kept"),
            };
            self.input(r, input);
        }
    }

    /// The server handles request `i` (of those in flight) under `fate`.
    pub fn deliver_request(&mut self, i: usize, fate: Fate) {
        if self.requests.is_empty() {
            return;
        }
        let (r, epoch, req) = self.requests.remove(i % self.requests.len());
        let fate = if req.op.is_write() {
            fate
        } else {
            match fate {
                Fate::AppliedLost | Fate::NotApplied => Fate::NotApplied,
                f => f,
            }
        };
        let result = self.server.call(&req.call, fate);
        self.answers.push((r, epoch, req.id, result));
    }

    /// Answer `i` reaches its replica (`dup`: and stays in flight to arrive again).
    pub fn deliver_answer(&mut self, i: usize, dup: bool) {
        if self.answers.is_empty() {
            return;
        }
        let i = i % self.answers.len();
        let (r, epoch, id, result) = if dup {
            self.answers[i].clone()
        } else {
            self.answers.remove(i)
        };
        if self.replicas[r].epoch == epoch {
            self.input(r, Input::Answer { id, result });
        }
    }

    /// Broadcast `i` reaches its tab (`dup`: and stays in flight).
    pub fn deliver_broadcast(&mut self, i: usize, dup: bool) {
        if self.broadcasts.is_empty() {
            return;
        }
        let i = i % self.broadcasts.len();
        let (to, f) = if dup {
            self.broadcasts[i].clone()
        } else {
            self.broadcasts.remove(i)
        };
        self.input(to, Input::Remote(f));
    }

    /// The next server event reaches replica `r`, or is lost (`drop`).
    pub fn deliver_event(&mut self, r: usize, drop: bool) {
        let pos = self.event_pos[r];
        let Some(e) = self.server.events.get(pos).cloned() else {
            return;
        };
        self.event_pos[r] += 1;
        if !drop {
            self.input(r, Input::ServerEvent(e));
        }
    }

    /// Time passes; replicas whose timer is due get a tick.
    pub fn advance(&mut self, ms: i64) {
        self.now += ms;
        self.server.now = self.now;
        for r in 0..self.replicas.len() {
            if self.replicas[r].timer.is_some_and(|t| t <= self.now) {
                self.replicas[r].timer = None;
                self.input(r, Input::Tick);
            }
        }
    }

    /// Replica `r` is killed and comes back from what it persisted; what it had in flight dies.
    pub fn restart(&mut self, r: usize) {
        let rep = &mut self.replicas[r];
        let (engine, issues) = Engine::restore(
            rep.config.clone(),
            rep.snapshot.as_deref(),
            &rep.deltas,
            self.now,
        );
        assert!(
            issues.is_empty(),
            "own storage must restore cleanly: {issues:?}"
        );
        // The per-record layout, written the same effects, reads back the same state.
        rep.records = RecordLog::new(rep.records.storage().clone());
        let loaded = ready(rep.records.load()).expect("memory records read");
        let (from_records, issues) =
            Engine::restore_records(rep.config.clone(), loaded.records, loaded.issues, self.now);
        assert!(issues.is_empty(), "own records restore cleanly: {issues:?}");
        assert_eq!(
            from_records.snapshot(),
            engine.snapshot(),
            "both layouts restore the same state"
        );
        rep.engine = if self.lazy {
            // A window of one or two conversations (issue 13): lists, fills, sends to a
            // person and recalls cross records not in memory.
            let window = 1 + rep.epoch % 2;
            let resident = ready(rep.records.load_window(window)).expect("memory records read");
            let (lazy, issues) = Engine::restore_window(rep.config.clone(), resident, self.now);
            assert!(issues.is_empty(), "own records restore cleanly: {issues:?}");
            lazy
        } else {
            engine
        };
        // What the old engine waited on is forgotten: it gets no outcome, right or wrong.
        rep.waiting.clear();
        rep.epoch += 1;
        rep.timer = None;
        let epoch = rep.epoch;
        self.requests.retain(|(x, e, _)| *x != r || *e == epoch);
        self.answers.retain(|(x, e, _, _)| *x != r || *e == epoch);
        self.input(r, Input::Tick);
    }

    /// A conversation URN (some form) of server thread `i`.
    pub fn thread_urn(&mut self, i: usize) -> String {
        let id = self
            .server
            .threads
            .keys()
            .nth(i % self.server.threads.len())
            .cloned();
        self.server.thread_urn(&id.expect("at least one thread"))
    }

    /// The id of server thread `i`.
    pub fn thread_id(&self, i: usize) -> ConversationId {
        let id = self
            .server
            .threads
            .keys()
            .nth(i % self.server.threads.len())
            .expect("a thread");
        ConversationId::parse(id).expect("thread ids parse")
    }

    /// Replica `r` opens thread `i` in view `v`.
    pub fn open(&mut self, r: usize, v: &str, i: usize) {
        let conversation_urn = self.thread_urn(i);
        let view = ViewId(v.into());
        self.command(
            r,
            Command::OpenConversation {
                view,
                account: acct(),
                conversation_urn,
            },
        );
    }

    /// Replica `r` sends `text` into thread `i`.
    pub fn send(&mut self, r: usize, i: usize, text: &str) {
        let urn = self.thread_urn(i);
        self.command(r, send_command(Recipient::Conversation(urn), text));
    }

    /// The view of thread `i` at replica `r`.
    pub fn view(&self, r: usize, i: usize) -> Option<ConversationView> {
        self.replicas[r]
            .engine
            .conversation_view(&acct(), &self.thread_id(i))
    }

    /// Deliver everything in flight, successfully, until nothing moves (bounded).
    pub fn drain(&mut self) {
        for _ in 0..10_000 {
            if !self.requests.is_empty() {
                self.deliver_request(0, Fate::Ok);
            } else if !self.answers.is_empty() {
                self.deliver_answer(0, false);
            } else if !self.broadcasts.is_empty() {
                self.deliver_broadcast(0, false);
            } else {
                return;
            }
        }
        panic!("traffic never stopped");
    }

    /// The status of replica `r`'s default account.
    pub fn engine_status(&self, r: usize) -> threadline::sync::StatusView {
        self.replicas[r].engine.status(&acct())
    }

    /// Refused-command notices of replica `r` so far.
    pub fn refusals(&self, r: usize) -> Vec<&threadline::sync::Refusal> {
        self.replicas[r]
            .notices
            .iter()
            .filter_map(|n| match n {
                Notice::Refused { reason, .. } => Some(reason),
                _ => None,
            })
            .collect()
    }
}

/// A send command with defaults.
pub fn send_command(to: Recipient, text: &str) -> Command {
    Command::Send {
        account: acct(),
        to,
        text: text.into(),
        subject: None,
        channel: MessagingChannel::Auto,
        attachments: Vec::new(),
        client_key: None,
    }
}

/// Messages of a view by state: (confirmed ids, outbox entries with their states).
pub fn split(view: &ConversationView) -> (Vec<MessageId>, Vec<(ClientKey, MessageState)>) {
    let mut ids = Vec::new();
    let mut pending = Vec::new();
    for m in &view.messages {
        match (&m.id, &m.client_key) {
            (Some(id), _) => ids.push(id.clone()),
            (None, Some(k)) => pending.push((k.clone(), m.state.clone())),
            (None, None) => panic!("a message with neither id nor key"),
        }
    }
    (ids, pending)
}

/// Runs a future of memory storage, which never waits.
pub fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(f).poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("memory storage never waits"),
    }
}
