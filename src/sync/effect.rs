//! What comes out of the engine: requests to make, state to persist, facts to broadcast to
//! sibling tabs, notices for the UI, and the next timer. All serde data.

use serde::{Deserialize, Serialize};

use crate::api::Op;
use crate::model::{ListConversationsQuery, MessagesQuery, ReactRequest, SendRequest};
use crate::urn::{ConversationId, MessageId};

use super::keys::{AccountId, ClientKey, CommandId, RequestId};
use super::outbox::{Failure, SendFailure};
use super::persist::Records;
use super::quota::QuotaUse;
use super::reaction::{ReactionFact, ReactionKey};
use super::refusal::Refusal;
use super::store::StoredMessage;
use super::time::Millis;

/// A typed call of the API contract, as data: the engine declares it, the driver runs it with
/// `api::Client::run` (the one mapping from engine calls to endpoints lives in `api`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "call")]
pub enum ApiCall {
    /// `GET /conversations`.
    Conversations { query: ListConversationsQuery },
    /// `GET /conversations/{conversationUrn}/messages`.
    #[serde(rename_all = "camelCase")]
    Messages {
        conversation_urn: String,
        query: MessagesQuery,
    },
    /// `POST /conversations/send`. `client_key` is for the driver's logs, not the wire.
    #[serde(rename_all = "camelCase")]
    Send {
        client_key: ClientKey,
        request: SendRequest,
    },
    /// `POST /conversations/{c}/messages/{m}/react`.
    #[serde(rename_all = "camelCase")]
    React {
        conversation_urn: String,
        message_urn: String,
        account_id: Option<String>,
        request: ReactRequest,
    },
    /// `DELETE /conversations/{c}/messages/{m}`.
    #[serde(rename_all = "camelCase")]
    Recall {
        conversation_urn: String,
        message_urn: String,
        account_id: Option<String>,
    },
    /// `GET /account/{accountId}/premium` (a read): whether the account has Sales Navigator.
    /// `None`: the workspace default account.
    #[serde(rename_all = "camelCase")]
    PremiumStatus { account_id: Option<String> },
}

impl ApiCall {
    /// The contract operation this call is.
    pub fn op(&self) -> Op {
        match self {
            ApiCall::Conversations { .. } => Op::Conversations,
            ApiCall::Messages { .. } => Op::Messages,
            ApiCall::Send { .. } => Op::Send,
            ApiCall::React { .. } => Op::React,
            ApiCall::Recall { .. } => Op::Recall,
            ApiCall::PremiumStatus { .. } => Op::Premium,
        }
    }
}

/// One request to make; feed the answer back as `Input::Answer { id, .. }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub id: RequestId,
    pub op: Op,
    pub account: AccountId,
    pub call: ApiCall,
}

impl Request {
    /// A write: it may only leave once every `Persist` before it (of the same step) is on
    /// disk. When one of those fails, the driver does not make it and tells the engine
    /// (`Input::PersistFailed`). Reads need no record.
    pub fn needs_record(&self) -> bool {
        self.op.is_write()
    }

    /// The outbox entry a send request is for.
    pub fn sends(&self) -> Option<(&AccountId, &ClientKey)> {
        match &self.call {
            ApiCall::Send { client_key, .. } => Some((&self.account, client_key)),
            _ => None,
        }
    }
}

/// Something to write to storage, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "records")]
pub enum Persist {
    /// The whole state: replace what is stored and drop older deltas.
    Snapshot(Records),
    /// Changed records: append after the stored snapshot and deltas.
    Delta(Records),
}

impl Persist {
    /// The queued sends this write carries. When it fails, the driver names them in
    /// `Input::PersistFailed`: a send whose queued record did not reach the disk is taken out of
    /// the queue (failed, `storage`, retryable) rather than sent later under a command that
    /// was told "not saved".
    pub fn queued_sends(&self) -> Vec<(AccountId, ClientKey)> {
        let (Persist::Snapshot(records) | Persist::Delta(records)) = self;
        records
            .accounts
            .iter()
            .flat_map(|a| {
                a.outbox
                    .iter()
                    .filter(|e| matches!(e.state, super::outbox::SendState::Queued))
                    .map(|e| (a.account.clone(), e.key.clone()))
            })
            .collect()
    }
}

/// A fact a sibling tab can merge idempotently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum RemoteFact {
    /// Messages confirmed here (own sends, with their client keys).
    #[serde(rename_all = "camelCase")]
    Messages {
        account: AccountId,
        conversation_urn: String,
        messages: Vec<StoredMessage>,
    },
    /// Recalled messages: filter them forever.
    /// `messages`: what the recalling tab knew of them, so a tab whose unconfirmed send turns
    /// out to be one of them settles it (sent, then recalled) instead of offering a resend.
    Tombstones {
        account: AccountId,
        ids: Vec<MessageId>,
        #[serde(default)]
        messages: Vec<StoredMessage>,
    },
    /// A reaction confirmed by the server.
    Reaction {
        account: AccountId,
        key: ReactionKey,
        fact: ReactionFact,
    },
    /// New conversations counted toward today's quota.
    Quota { account: AccountId, quota: QuotaUse },
    /// A conversation read up to `at`.
    Read {
        account: AccountId,
        conversation: ConversationId,
        at: Millis,
    },
}

/// Something the UI (or a subscriber) wants to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "notice")]
pub enum Notice {
    /// The view of this conversation changed: read it again.
    ConversationChanged {
        account: AccountId,
        conversation: ConversationId,
    },
    /// The conversation list of this account changed.
    ConversationsChanged { account: AccountId },
    /// Sync status, quota or outbox totals changed.
    StatusChanged { account: AccountId },
    /// Messages of someone else arrived in a conversation in view (brought by its polling, after
    /// the view opened: never its first page nor older history), oldest first: what a screen
    /// reader should hear, once.
    NewMessages {
        account: AccountId,
        conversation: ConversationId,
        messages: Vec<MessageId>,
    },
    /// Command `command` was refused locally, before any request.
    Refused {
        account: AccountId,
        command: CommandId,
        reason: Refusal,
    },
    /// Command `command` came to its end: every command fed gets exactly one `refused` or one
    /// `completed` (unless the engine restarts first: its waiting commands are forgotten).
    Completed {
        account: AccountId,
        command: CommandId,
        /// `{ outcome: "sent", clientKey, … }`.
        outcome: Outcome,
    },
    /// A send failed for good (or was proved never sent).
    #[serde(rename_all = "camelCase")]
    SendFailed {
        account: AccountId,
        client_key: ClientKey,
        reason: SendFailure,
    },
    /// A recall did not happen; the message stays.
    RecallFailed {
        account: AccountId,
        message: MessageId,
        reason: Failure,
    },
    /// A reaction change did not happen.
    ReactFailed {
        account: AccountId,
        message: MessageId,
        emoji: String,
        reason: Failure,
    },
    /// Server data that could not be read was skipped (the rest of its page was merged).
    Skipped {
        account: AccountId,
        what: String,
        count: usize,
        /// Which items, and why, when the client could say.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<crate::model::SkippedItem>,
    },
}

/// How a command ended (the `completed` notice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum Outcome {
    /// The command did all it does: a view opened or closed, a conversation marked read, the
    /// key change taken, an entry discarded, or the page(s) a `loadOlder`, `refresh`, `rescan`
    /// or `refreshConversations` asked for merged (or there was nothing more to fetch).
    Done,
    /// A `send` or `retrySend` whose message is confirmed on the server. `message_urn` once
    /// known (the answer or its echo named it).
    #[serde(rename_all = "camelCase")]
    Sent {
        client_key: ClientKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_urn: Option<String>,
    },
    /// A `send` or `retrySend` that failed for good or was proved never sent (as the
    /// `sendFailed` notice of the same moment).
    #[serde(rename_all = "camelCase")]
    NotSent {
        client_key: ClientKey,
        reason: SendFailure,
        retryable: bool,
    },
    /// The entry a `send` or `retrySend` waited on was discarded.
    #[serde(rename_all = "camelCase")]
    Discarded { client_key: ClientKey },
    /// The message is recalled (by this command, or found recalled meanwhile).
    Recalled { message: MessageId },
    /// The reaction is as asked (`add`: present; else absent).
    Reacted {
        message: MessageId,
        emoji: String,
        add: bool,
    },
    /// A `locateMessages`: the URNs of the conversations holding the messages, each once (in
    /// the form `conversationUrnOf` gives, else the stored list entry's): none when none is
    /// known, several when they are in several.
    #[serde(rename_all = "camelCase")]
    Located { conversation_urns: Vec<String> },
    /// A recall, reaction or page request that did not happen.
    Failed { reason: Failure },
}

/// One output of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "effect")]
pub enum Effect {
    /// Make this API call; answer with `Input::Answer`.
    Request(Request),
    /// Write this to storage before carrying out any later effect.
    Persist(Persist),
    /// Post this fact to every sibling tab (they feed it in as `Input::Remote`).
    Broadcast(RemoteFact),
    /// Tell the UI.
    Notify(Notice),
    /// Read the stored messages and records of these conversations of `account` (per-record
    /// storage only), all in one read (`RecordLog::load_conversations`), and feed them with
    /// `Input::Loaded`; carried out in order with the other effects (a `Persist` before it
    /// lands first).
    Load {
        account: AccountId,
        conversations: Vec<ConversationId>,
    },
    /// Read a page of the stored conversation list of `account` (`RecordLog::load_list`:
    /// the `limit` newest after `after`) and feed it with `Input::ListLoaded` (`profile`
    /// none); in order with the other effects, as `Load`.
    LoadList {
        account: AccountId,
        after: Option<(f64, String)>,
        limit: u32,
    },
    /// Read every stored conversation whose list entry names `profile` (a canonical profile
    /// id; `RecordLog::load_with`) and feed them with `Input::ListLoaded` (`profile` given);
    /// in order with the other effects, as `Load`.
    LoadWith { account: AccountId, profile: String },
    /// Read what storage knows of these messages of `account` (per-record storage only): each
    /// one's own record and the conversation records whose latest message it is, all in one
    /// read (`RecordLog::locate_messages`), and feed them with `Input::Located` (the answer
    /// of command `command`, `Command::LocateMessages`); in order with the other effects, as
    /// `Load`. Nothing waits on it but that command.
    Locate {
        account: AccountId,
        command: CommandId,
        messages: Vec<MessageId>,
    },
    /// Call `handle(Input::Tick, ..)` at this time; replaces any earlier timer.
    #[serde(rename_all = "camelCase")]
    SetTimer { at_ms: i64 },
}
