//! The simulated workspace: people, connected accounts, threads and their messages, uploaded
//! assets, the clock, the write windows and the event sequence. One `World` lives behind a mutex;
//! every read and write of the API goes through it. Messages are stored once per thread, keyed by
//! their invariant id, so every mailbox sees the same row under its own URN prefix.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use threadline::model::{AccountStatus, Attachment, ServerEvent, ServerEventKind};
use threadline::urn::{ConversationId, MessageId, ProfileId};
use tokio::sync::broadcast;

use crate::clock::Clock;
use crate::ids;

/// How many recent events are kept for WebSocket replay (`?afterSeq=`).
pub const EVENT_HISTORY: usize = 1000;

/// A LinkedIn member: an account's owner or someone they talk to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// `ACoAA…`, the key of `urn:li:fsd_profile:…`.
    pub profile_id: String,
    /// The number of `urn:li:member:…`.
    pub member_id: u64,
    /// Vanity slug (`linkedin.com/in/<publicId>`), what `recipientProfileId` names.
    pub public_id: String,
    pub first_name: String,
    pub last_name: String,
    pub headline: String,
    /// `DISTANCE_1` …
    pub distance: String,
}

impl Person {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A LinkedIn account connected to the workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRec {
    pub id: String,
    /// Its owner's `profile_id`.
    pub profile_id: String,
    pub sales_navigator: bool,
    pub premium_type: Option<String>,
    pub status: AccountStatus,
    pub enabled: bool,
    /// Connected to the workspace: listed by `GET /accounts`. `false` stands for a LinkedIn member
    /// whose session is open in the browser (the LinkedIn-shaped page shows their mailbox) but
    /// whose account the API key does not have (`POST /__sim/accounts`).
    #[serde(default = "connected_default")]
    pub connected: bool,
}

fn connected_default() -> bool {
    true
}

/// Which URN form the API lists a thread (and its messages) under; real data mixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UrnStyle {
    /// `urn:li:msg_conversation:(urn:li:fsd_profile:MAILBOX,T)`, messages `urn:li:msg_message:(…,M)`.
    MsgConversation,
    /// `urn:li:messagingThread:T`, messages `urn:li:messagingMessage:M`.
    MessagingThread,
    /// `urn:li:fs_conversation:T`, messages `urn:li:fs_event:(T,M)`.
    FsConversation,
    /// `urn:li:fsd_conversation:T`, messages `urn:li:fsd_message:M`.
    FsdConversation,
}

/// A message, stored once whatever mailbox reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Msg {
    /// The invariant `2-…` id.
    pub id: String,
    /// Sender's `profile_id`.
    pub sender: String,
    pub text: String,
    pub sent_at: i64,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// emoji → profile ids of who reacted.
    #[serde(default)]
    pub reactions: BTreeMap<String, BTreeSet<String>>,
    /// Soft-deleted after a recall: never shown again.
    #[serde(default)]
    pub recalled: bool,
}

/// A conversation: inbox thread or Sales Navigator thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    /// `2-…` for inbox threads; the Sales Navigator thread id for Sales Navigator threads.
    pub thread_id: String,
    pub sales_navigator: bool,
    pub style: UrnStyle,
    /// Profile ids of everyone in it, accounts included.
    pub members: Vec<String>,
    pub created_at: i64,
    /// The account that opened it through a send (counts towards that day's quota).
    #[serde(default)]
    pub opened_by: Option<String>,
    pub messages: Vec<Msg>,
    /// account id → last read time.
    #[serde(default)]
    pub read_at: BTreeMap<String, i64>,
    #[serde(default)]
    pub labels: Vec<String>,
}

impl Thread {
    pub fn live_messages(&self) -> impl DoubleEndedIterator<Item = &Msg> {
        self.messages.iter().filter(|m| !m.recalled)
    }

    pub fn last_activity(&self) -> i64 {
        self.live_messages()
            .next_back()
            .map(|m| m.sent_at)
            .unwrap_or(self.created_at)
    }

    /// The next send time: never before the thread's newest message, so `since` polling and the
    /// timestamp cursor never see two messages at one instant.
    pub fn next_stamp(&self, now: i64) -> i64 {
        match self.messages.last() {
            Some(m) if m.sent_at >= now => m.sent_at + 1,
            _ => now,
        }
    }
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    pub attachment: Attachment,
    pub account_id: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// Everything a seed holds, and what `/__sim/snapshot` dumps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    pub people: Vec<Person>,
    pub accounts: Vec<AccountRec>,
    pub threads: Vec<Thread>,
    #[serde(default)]
    pub assets: BTreeMap<String, Asset>,
}

/// The live state: seed data, lookup indexes, clock, write windows and events.
#[derive(Debug)]
pub struct World {
    pub data: Data,
    pub clock: Clock,
    /// Base URL of this server (for avatar links).
    pub public_base: String,
    /// Writes per account per minute; `0` turns the limit off.
    pub writes_per_minute: u32,
    /// New conversations per account per UTC day.
    pub daily_new_conversations: u32,
    /// account id → times of recent writes.
    pub writes: HashMap<String, VecDeque<i64>>,
    seq: u64,
    history: VecDeque<ServerEvent>,
    events: broadcast::Sender<ServerEvent>,
    conv_index: HashMap<ConversationId, usize>,
    msg_index: HashMap<MessageId, (usize, usize)>,
    person_index: HashMap<ProfileId, usize>,
    /// Fallbacks by raw id, for input the URN parser refuses.
    raw_thread_index: HashMap<String, usize>,
    /// Numbers fresh message ids and assets.
    counter: u64,
}

/// A message located in the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsgRef {
    pub thread: usize,
    pub msg: usize,
}

impl World {
    pub fn new(data: Data, events: broadcast::Sender<ServerEvent>) -> World {
        let mut w = World {
            data,
            clock: Clock::default(),
            public_base: String::new(),
            writes_per_minute: crate::limits::WRITES_PER_MINUTE,
            daily_new_conversations: threadline::model::DAILY_NEW_CONVERSATION_QUOTA,
            writes: HashMap::new(),
            seq: 0,
            history: VecDeque::new(),
            events,
            conv_index: HashMap::new(),
            msg_index: HashMap::new(),
            person_index: HashMap::new(),
            raw_thread_index: HashMap::new(),
            counter: 1,
        };
        w.reindex();
        w
    }

    /// Replace the data (reset to the seed); clock, event sequence and limits carry on.
    pub fn replace_data(&mut self, data: Data) {
        self.data = data;
        self.writes.clear();
        self.reindex();
    }

    fn reindex(&mut self) {
        self.conv_index.clear();
        self.msg_index.clear();
        self.person_index.clear();
        self.raw_thread_index.clear();
        for (ti, t) in self.data.threads.iter().enumerate() {
            self.raw_thread_index.insert(t.thread_id.clone(), ti);
            if let Some(id) = ids::conversation(&thread_canonical_urn(t)) {
                self.conv_index.insert(id, ti);
            }
            for (mi, m) in t.messages.iter().enumerate() {
                if let Some(id) = ids::message(&format!("urn:li:messagingMessage:{}", m.id)) {
                    self.msg_index.insert(id, (ti, mi));
                }
            }
        }
        let people = self.data.people.clone();
        for (pi, p) in people.into_iter().enumerate() {
            self.index_person(pi, p);
        }
    }

    fn index_person(&mut self, pi: usize, p: Person) {
        for form in [
            format!("urn:li:fsd_profile:{}", p.profile_id),
            format!("urn:li:member:{}", p.member_id),
        ] {
            if let Some(id) = ids::profile(&form) {
                self.person_index.insert(id, pi);
            }
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Subscribe to change events.
    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.events.subscribe()
    }

    /// Events after `seq` still in the replay history.
    pub fn events_after(&self, seq: u64) -> Vec<ServerEvent> {
        self.history
            .iter()
            .filter(|e| e.seq > seq)
            .cloned()
            .collect()
    }

    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    // ----- lookups -----

    pub fn account(&self, id: &str) -> Option<&AccountRec> {
        self.data.accounts.iter().find(|a| a.id == id)
    }

    /// The account `accountId` names, or the workspace default (the first).
    pub fn account_or_default(&self, id: Option<&str>) -> Option<&AccountRec> {
        match id.map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => self.account(id),
            None => self.data.accounts.first(),
        }
    }

    pub fn person(&self, profile_id: &str) -> Option<&Person> {
        self.data.people.iter().find(|p| p.profile_id == profile_id)
    }

    /// A person from any profile URN form.
    pub fn person_by_urn(&self, raw: &str) -> Option<usize> {
        ids::profile(raw).and_then(|id| self.person_index.get(&id).copied())
    }

    pub fn person_by_public_id(&self, slug: &str) -> Option<usize> {
        let slug = slug.trim().trim_matches('/');
        let slug = slug.rsplit("/in/").next().unwrap_or(slug).trim_matches('/');
        self.data
            .people
            .iter()
            .position(|p| p.public_id == slug || p.profile_id == slug)
    }

    /// A thread from any conversation URN form, thread URL or bare id.
    pub fn thread_index(&self, raw: &str) -> Option<usize> {
        ids::conversation(raw)
            .and_then(|id| self.conv_index.get(&id).copied())
            .or_else(|| self.raw_thread_index.get(raw.trim()).copied())
    }

    /// A message from any message URN form (any mailbox prefix) or bare id.
    pub fn message_ref(&self, raw: &str) -> Option<MsgRef> {
        ids::message(raw)
            .and_then(|id| self.msg_index.get(&id).copied())
            .map(|(thread, msg)| MsgRef { thread, msg })
    }

    /// Whether `account` can see thread `ti`.
    pub fn sees(&self, account: &AccountRec, ti: usize) -> bool {
        self.data
            .threads
            .get(ti)
            .is_some_and(|t| t.members.contains(&account.profile_id))
            && (!self.data.threads[ti].sales_navigator || account.sales_navigator)
    }

    /// Accounts that can see thread `ti`.
    pub fn viewers(&self, ti: usize) -> Vec<AccountRec> {
        self.data
            .accounts
            .iter()
            .filter(|a| self.sees(a, ti))
            .cloned()
            .collect()
    }

    // ----- mutations -----

    /// Add a person (an unknown recipient resolved through their URN).
    pub fn add_person(&mut self, p: Person) -> usize {
        self.data.people.push(p.clone());
        let pi = self.data.people.len() - 1;
        self.index_person(pi, p);
        pi
    }

    /// Open a new thread; returns its index.
    pub fn add_thread(&mut self, t: Thread) -> usize {
        let ti = self.data.threads.len();
        self.raw_thread_index.insert(t.thread_id.clone(), ti);
        if let Some(id) = ids::conversation(&thread_canonical_urn(&t)) {
            self.conv_index.insert(id, ti);
        }
        self.data.threads.push(t);
        ti
    }

    /// Append a message to thread `ti`, announce it to every viewer, and return where it is.
    pub fn push_message(&mut self, ti: usize, msg: Msg) -> MsgRef {
        let id = ids::message(&format!("urn:li:messagingMessage:{}", msg.id));
        let thread = &mut self.data.threads[ti];
        thread.messages.push(msg);
        let mi = thread.messages.len() - 1;
        if let Some(id) = id {
            self.msg_index.insert(id, (ti, mi));
        }
        let at = self.data.threads[ti].messages[mi].sent_at;
        let r = MsgRef {
            thread: ti,
            msg: mi,
        };
        self.announce(ServerEventKind::MessageCreated, r, at, None);
        r
    }

    /// A fresh message id, unique in this world.
    pub fn new_message_id(&mut self, at: i64) -> String {
        self.counter += 1;
        crate::seed::message_id_for(at, self.counter)
    }

    /// A fresh asset (or thread) number.
    pub fn next_asset_number(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Mark thread `ti` read for `account`; announces only when something was unread.
    pub fn mark_read(&mut self, ti: usize, account: &AccountRec) {
        let now = self.now();
        let unread = crate::views::unread_count(&self.data.threads[ti], account);
        let t = &mut self.data.threads[ti];
        let newest = t.messages.last().map(|m| m.sent_at).unwrap_or(now);
        t.read_at.insert(account.id.clone(), now.max(newest));
        if unread > 0 {
            let seq = self.next_seq();
            let ev = ServerEvent {
                seq,
                kind: ServerEventKind::ConversationRead,
                at: now,
                account_id: account.id.clone(),
                conversation_urn: crate::views::conversation_urn(&self.data.threads[ti], account),
                message_urn: None,
                emoji: None,
                react: None,
                actor: None,
            };
            self.emit(ev);
        }
    }

    /// Tell every viewer of the message's thread about a change, each under its own URNs.
    pub fn announce(
        &mut self,
        kind: ServerEventKind,
        r: MsgRef,
        at: i64,
        reaction: Option<(String, bool, String)>,
    ) {
        for account in self.viewers(r.thread) {
            let seq = self.next_seq();
            let t = &self.data.threads[r.thread];
            let m = &t.messages[r.msg];
            let (emoji, react, actor) = match &reaction {
                Some((e, on, who)) => (Some(e.clone()), Some(*on), Some(who.clone())),
                None => (None, None, None),
            };
            let ev = ServerEvent {
                seq,
                kind,
                at,
                account_id: account.id.clone(),
                conversation_urn: crate::views::conversation_urn(t, &account),
                message_urn: Some(crate::views::message_urn(t, m, &account)),
                emoji,
                react,
                actor,
            };
            self.emit(ev);
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn emit(&mut self, ev: ServerEvent) {
        if self.history.len() >= EVENT_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(ev.clone());
        // No subscriber is not an error: the event stays in the replay history.
        let _ = self.events.send(ev);
    }
}

/// The form used to index a thread (prefix-free, so any mailbox's URN finds it).
pub fn thread_canonical_urn(t: &Thread) -> String {
    if t.sales_navigator {
        format!("urn:li:salesNav_thread:{}", t.thread_id)
    } else {
        format!("urn:li:messagingThread:{}", t.thread_id)
    }
}
