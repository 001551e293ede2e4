//! What goes into the engine: user commands, API answers (carrying their request id back),
//! server events, facts from sibling tabs, and the passing of time.

use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::model::{
    Attachment, ConversationsPage, MessagesPage, MessagingChannel, PremiumStatus, ReactResponse,
    RecallResponse, SendResponse, ServerEvent,
};

use super::effect::RemoteFact;
use super::keys::{AccountId, ClientKey, CommandId, RequestId, ViewId};
use super::outbox::Recipient;
use super::persist::Records;
use super::persist_log::StorageError;
use super::record_log::{LoadedConversation, LoadedList, StoredPlaces};
use crate::urn::ConversationId;

/// A user's command, as the UI sends it (serde data; URNs in any form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "command")]
pub enum Command {
    /// `view` now shows this conversation (replacing whatever it showed): poll it while shown.
    #[serde(rename_all = "camelCase")]
    OpenConversation {
        view: ViewId,
        account: AccountId,
        conversation_urn: String,
    },
    /// `view` shows nothing any more.
    #[serde(rename_all = "camelCase")]
    CloseView { view: ViewId },
    /// Fetch the next page of older history while there is more.
    #[serde(rename_all = "camelCase")]
    LoadOlder {
        account: AccountId,
        conversation_urn: String,
    },
    /// Fetch the newest page again (refreshes reaction tallies too, and finds recalls made
    /// elsewhere among the messages it reaches past: all of a conversation that fits in a page).
    #[serde(rename_all = "camelCase")]
    Refresh {
        account: AccountId,
        conversation_urn: String,
    },
    /// Walk the whole history again, newest page to the first (refreshes every tally and finds
    /// every recall made elsewhere). Costly on long threads: for explicit resyncs.
    #[serde(rename_all = "camelCase")]
    Rescan {
        account: AccountId,
        conversation_urn: String,
    },
    /// With a conversation window (`Engine::restore_window`): read the next page of the
    /// stored conversation list into memory (`Engine::conversation_list` then shows it);
    /// completes once it is read (at once when the list holds every stored conversation).
    #[serde(rename_all = "camelCase")]
    LoadMoreConversations { account: AccountId },
    /// Fetch the conversation list (first page, or the page after `cursor`).
    #[serde(rename_all = "camelCase")]
    RefreshConversations {
        account: AccountId,
        cursor: Option<String>,
    },
    /// Send a message through the outbox. `client_key` may be given (else the engine makes one);
    /// a key that already names an entry or a confirmed message makes no second entry: the
    /// command completes as the first one does (`sent` at once when already confirmed).
    #[serde(rename_all = "camelCase")]
    Send {
        account: AccountId,
        to: Recipient,
        text: String,
        #[serde(default)]
        subject: Option<String>,
        #[serde(default)]
        channel: MessagingChannel,
        #[serde(default)]
        attachments: Vec<Attachment>,
        #[serde(default)]
        client_key: Option<ClientKey>,
    },
    /// Add (`add`) or remove a reaction of the account's own. `conversation_urn`, when given,
    /// is where the user saw the message: refused (`not_in_conversation`) when the engine
    /// knows the message to be in another conversation.
    #[serde(rename_all = "camelCase")]
    React {
        account: AccountId,
        message_urn: String,
        emoji: String,
        add: bool,
        #[serde(default)]
        conversation_urn: Option<String>,
    },
    /// Recall one of the account's own messages (within the recall window).
    /// `conversation_urn`, when given, must be the conversation the message is known to be in
    /// (else refused, `not_in_conversation`).
    #[serde(rename_all = "camelCase")]
    Recall {
        account: AccountId,
        message_urn: String,
        #[serde(default)]
        conversation_urn: Option<String>,
    },
    /// Mark a conversation read up to its newest message (local: the contract has no endpoint).
    #[serde(rename_all = "camelCase")]
    MarkRead {
        account: AccountId,
        conversation_urn: String,
    },
    /// Send a failed entry again (only once it is sure not to have been sent).
    #[serde(rename_all = "camelCase")]
    RetrySend {
        account: AccountId,
        client_key: ClientKey,
    },
    /// Drop a queued or failed entry.
    #[serde(rename_all = "camelCase")]
    DiscardSend {
        account: AccountId,
        client_key: ClientKey,
    },
    /// The API key was changed: resume after a 401.
    KeyUpdated,
    /// Which conversations hold these messages (URNs in any form): the one of a message the
    /// engine holds, else every conversation whose list entry names it as its latest message;
    /// with per-record storage also what storage knows of the others (`Effect::Locate`, one
    /// read), so the answer is the one of an engine holding everything. Completes `located`
    /// with every conversation found: none when none is known, several when the messages are
    /// in several (a caller must not guess between them). Changes nothing; an unreadable URN
    /// is refused (`bad_urn`), a failed read fails it (`storage`).
    #[serde(rename_all = "camelCase")]
    LocateMessages {
        account: AccountId,
        message_urns: Vec<String>,
    },
}

/// A successful answer, one variant per request kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiReply {
    Conversations(ConversationsPage),
    Messages(MessagesPage),
    Send(SendResponse),
    React(ReactResponse),
    Recall(RecallResponse),
    PremiumStatus(PremiumStatus),
}

/// Everything the engine reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A user command.
    Command(Command),
    /// The answer to the request effect `id`.
    Answer {
        id: RequestId,
        result: Result<ApiReply, ApiError>,
    },
    /// An event from the server's WebSocket (a hint).
    ServerEvent(ServerEvent),
    /// The WebSocket (re)connected: event numbering restarts, resync what is open.
    EventStreamOpened,
    /// A fact broadcast by another tab or context.
    Remote(RemoteFact),
    /// Time passed (a timer fired).
    Tick,
    /// Writing an earlier step's `Persist` failed, so storage is behind memory. `cancelled`:
    /// the write requests of that step that came after the failed write, which the driver did
    /// **not** make (no request leaves without its record on disk); `unsaved`: the queued
    /// sends the failed write carried (`Persist::queued_sends`). Each is settled as surely not
    /// sent (a send fails retryably with code `storage`, a recall or reaction change fails);
    /// the next write is a whole snapshot (key-value layouts) or, with per-record storage,
    /// a delta that carries `unwritten` (the failed write's records, handed back by the
    /// driver: never a snapshot there, whose clearing would erase what is not in memory).
    /// The status shows storage `failing` (with `full`: the storage refused the write for
    /// lack of space) until `PersistRecovered`.
    PersistFailed {
        cancelled: Vec<RequestId>,
        unsaved: Vec<(AccountId, ClientKey)>,
        error: String,
        full: bool,
        unwritten: Option<Records>,
    },
    /// The answer to `Effect::Load`: what was read of each of its `conversations`, in their
    /// order (the stored messages and record, and the records that could not be read), or why
    /// storage could not be read (then none was).
    Loaded {
        account: AccountId,
        conversations: Vec<ConversationId>,
        result: Result<Vec<LoadedConversation>, StorageError>,
    },
    /// The answer to `Effect::LoadList` (`profile` none) or `Effect::LoadWith` (`profile`:
    /// the one it named): stored conversation records, or why storage could not be read.
    ListLoaded {
        account: AccountId,
        profile: Option<String>,
        result: Result<LoadedList, StorageError>,
    },
    /// The answer to `Effect::Locate` of command `command`: what storage knows of each of its
    /// `messages`, in their order, or why it could not be read.
    Located {
        command: CommandId,
        result: Result<Vec<StoredPlaces>, StorageError>,
    },
    /// A write landed after one had failed: storage holds the whole state again (the status
    /// shows storage `ok`). Fed once, after the first successful write following a failure.
    PersistRecovered,
}

impl From<Command> for Input {
    fn from(c: Command) -> Input {
        Input::Command(c)
    }
}
