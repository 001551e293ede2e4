//! `ThreadlineEngine`: the reconciliation engine for JavaScript. A live handle over the
//! [`Driver`] (engine, storage, client, timer) and the realtime socket: commands as async
//! methods taking one options object, each resolving with its outcome once its state is
//! written and the engine completed it (rejecting on its refusal or failure); views as plain
//! typed data; notices and sibling-tab facts through callbacks.
//!
//! Every async method takes what it needs (a clone of the driver) before it returns its Promise,
//! so JS may `free()` the handle while work is in flight.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::boundary::{
    fact_from_js, fields_from_js, from_options, function, opt_text, options_from_js, text,
    text_list, FromJsFields, JsFields, OPTION_FLAGS, OPTION_STRINGS,
};
use super::client::{timeout_of, JsKey};
use super::driver::{busy, engine_error, now_ms, refusal_error, Channel, Driver, Log};
use super::error::js_error;
use super::fetch::FetchTransport;
use super::idb::{database_name, IdbRecords};
use super::plain::{to_js, to_js_large};
use super::promise::promise;
use super::realtime::{socket_url, Realtime};
use super::storage::{AnyStore, PersistLog, StorageError};
use crate::api::Client;
use crate::model::{Attachment, MessagingChannel};
use crate::sync::{
    AccountId, ClientKey, Command, Engine, EngineConfig, Input, ItemSource, PlanMemo, Planned,
    Recipient, RecordLog, RestoreIssue, ViewId,
};
use crate::urn::{ConversationId, MessageId, ProfileId};

#[wasm_bindgen(typescript_custom_section)]
const ENGINE_TS: &'static str = r#"
/**
 * A storage of string values for `ThreadlineEngine.open({ storage })`: each method may return
 * its result or a Promise of it.
 */
export interface StorageAdapter {
    /** The value stored under `key`; `null` or `undefined` when there is none. */
    get(key: string): string | null | undefined | Promise<string | null | undefined>;
    /** Stores `value` under `key`; a throw or a rejection is a failed write. */
    set(key: string, value: string): void | Promise<void>;
    /** Removes `key` (nothing to do when it is absent). */
    remove(key: string): void | Promise<void>;
}

/** One of `restoreIssues()`: the typed issue, and a `message` that says it in words. */
export type RestoreIssueReport = RestoreIssue & { message: string };
"#;

/// Options of `ThreadlineEngine.open(options)`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadlineEngineOptions {
    /// The API's base URL, e.g. `https://api.connectsafely.ai/linkedin`.
    pub base_url: String,
    /// The API key, or a function returning it (asked before every request and connection).
    #[tsify(type = "string | (() => string | Promise<string>)")]
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub api_key: JsValue,
    /// Where state persists: `"indexedDB"` (pages and an extension's background: one record
    /// per message, conversation, outbox entry…, each step written as one transaction; the
    /// database `threadline:<storageKey>`), or, for small stores, `"localStorage"` (pages),
    /// `"chromeStorage"` (an extension's background: `chrome.storage.local`), `"memory"`
    /// (Node, tests) or an adapter object, which hold a snapshot and its deltas as whole
    /// values.
    #[tsify(
        type = "\"indexedDB\" | \"localStorage\" | \"chromeStorage\" | \"memory\" | StorageAdapter"
    )]
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub storage: JsValue,
    /// With `storage: "indexedDB"`: where an older store of the same `storageKey` may be
    /// (`"localStorage"`, `"chromeStorage"`, `"memory"` or an adapter object). When the
    /// database is still empty and that store holds state, it is copied in as one transaction
    /// and only then removed from there; `restoreIssues()` then reports `migratedLayout`. If
    /// the copy cannot be written (a full disk), the engine runs on the old store for this
    /// session and tries again at the next open.
    #[tsify(
        optional,
        type = "\"localStorage\" | \"chromeStorage\" | \"memory\" | StorageAdapter"
    )]
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub migrate_from: JsValue,
    /// Names the store (default `threadline`): the prefix of every stored key, or the
    /// IndexedDB database `threadline:<storageKey>`. One open engine per store.
    #[tsify(optional)]
    pub storage_key: Option<String>,
    /// Listen to the server's change events over a WebSocket (default true; off where there is
    /// no `WebSocket`, as in Node 20).
    #[tsify(optional)]
    pub realtime: Option<bool>,
    /// The WebSocket URL (default `<baseUrl>/ws`; the hosted API publishes none).
    #[tsify(optional)]
    pub realtime_url: Option<String>,
    /// Timeout of each request in milliseconds (default 15000, at most 25000).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// Engine tunables; a missing `seed` is drawn at random.
    #[tsify(optional, type = "Partial<EngineConfig>")]
    pub config: Option<EngineConfig>,
    /// Testing only, with `storage: "indexedDB"`: a storage quota made small on purpose. A
    /// write that would take the store's bytes (record keys and JSON texts) over it is refused
    /// whole as the browser refuses one over its quota (`QuotaExceededError`: the status shows
    /// the storage as full). Opening reads the whole store once to count it.
    #[tsify(optional)]
    pub quota_bytes: Option<f64>,
}

/// What `engine.send(cmd)` takes: one of `conversationUrn`, `recipientProfileUrn` or
/// `recipientProfileId` (vanity slug), and the text.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendCommand {
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    #[tsify(optional)]
    pub conversation_urn: Option<String>,
    #[tsify(optional)]
    pub recipient_profile_urn: Option<String>,
    #[tsify(optional)]
    pub recipient_profile_id: Option<String>,
    pub text: String,
    #[tsify(optional)]
    pub subject: Option<String>,
    #[tsify(optional)]
    pub channel: Option<MessagingChannel>,
    #[tsify(optional)]
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Names the outbox entry (else the engine makes one); resolves as the Promise's value.
    #[tsify(optional)]
    pub client_key: Option<String>,
}

/// The reconciliation engine with its storage, API client, timers and realtime socket.
#[wasm_bindgen]
pub struct ThreadlineEngine {
    driver: Rc<Driver>,
    realtime: Option<Rc<Realtime>>,
    issues: Vec<RestoreIssue>,
    /// The message objects of the last views read, most recent last (`conversationView`).
    /// Each with the items of the last answer (a JS array).
    memos: RefCell<Vec<(PlanMemo, js_sys::Array)>>,
}

/// How many conversations' message objects `conversationView` keeps for its next read.
const KEPT_VIEWS: usize = 8;

fn invalid_options(message: &str) -> JsValue {
    js_error("TypeError", "invalid_options", message, &[])
}

fn present(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A fresh seed for client keys (the engine draws no randomness itself); the clock's when a
/// page's `Math.random` throws, so that `open` still settles.
fn random_seed() -> u64 {
    match super::driver::random() {
        Some(r) => (r * 9_007_199_254_740_991.0) as u64,
        None => now_ms().max(1) as u64,
    }
}

/// Reads the arguments of a command, or gives the rejected Promise of the first bad one.
macro_rules! args {
    ($($e:expr),+ $(,)?) => {
        match (|| Ok::<_, JsValue>(($($e?,)+)))() {
            Ok(v) => v,
            Err(e) => return Promise::reject(&e),
        }
    };
}

#[wasm_bindgen]
impl ThreadlineEngine {
    /// Opens an engine: reads its state from storage (a corrupt store is reported by
    /// `restoreIssues()`, never fatal), starts its timers and realtime socket, and resolves.
    /// Rejects when the options are wrong or the storage cannot be read at all. The request
    /// timeout (`timeoutMs`) also bounds the `apiKey` function's answer and each storage call.
    #[wasm_bindgen(unchecked_return_type = "Promise<ThreadlineEngine>")]
    pub fn open(
        #[wasm_bindgen(unchecked_param_type = "ThreadlineEngineOptions")] options: JsValue,
    ) -> Promise {
        // All of it inside the Promise, as an `async fn` export ran it: a wrong option rejects.
        promise(Box::pin(async move {
            open_engine(options).await.map(JsValue::from)
        }))
    }

    /// Deletes the IndexedDB store of `storageKey` (default `threadline`: the database
    /// `threadline:<storageKey>` that `storage: "indexedDB"` opens) with everything in it, and
    /// resolves once it is gone. Close the engine open on it first: an engine of this realm
    /// lets go of the database by itself, one elsewhere (another tab) delays the deletion until
    /// it closes; rejects (`storage`) after `timeoutMs` (default 15000) without an answer.
    #[wasm_bindgen(js_name = deleteStore, unchecked_return_type = "Promise<void>")]
    pub fn delete_store(
        #[wasm_bindgen(js_name = storageKey, unchecked_optional_param_type = "string | null")]
        storage_key: JsValue,
        #[wasm_bindgen(js_name = timeoutMs, unchecked_optional_param_type = "number | null")]
        timeout_ms: JsValue,
    ) -> Promise {
        let (storage_key,) = args!(opt_text("storageKey", &storage_key));
        let timeout_ms = timeout_ms.as_f64();
        promise(Box::pin(async move {
            let key = present(&storage_key).unwrap_or_else(|| "threadline".into());
            IdbRecords::delete(&database_name(&key), timeout_of(timeout_ms))
                .await
                .map(|()| JsValue::UNDEFINED)
                .map_err(unreadable)
        }))
    }

    /// Why stored state was not (fully) used when opening, then records a conversation's
    /// later read could not use; empty when all was well. Each issue is its typed data with a
    /// `message` that says it in words.
    #[wasm_bindgen(js_name = restoreIssues, unchecked_return_type = "RestoreIssueReport[]")]
    pub fn restore_issues(&self) -> Result<JsValue, JsValue> {
        let list = js_sys::Array::new();
        let later = self.driver.with_engine(|e| e.load_issues().to_vec())?;
        for issue in self.issues.iter().chain(&later) {
            let v = to_js(issue)?;
            js_sys::Reflect::set(&v, &"message".into(), &issue.to_string().into())?;
            list.push(&v);
        }
        Ok(list.into())
    }

    /// `view` (a tab, a popup: any name) now shows this conversation; it is polled while shown.
    /// Resolves `{ outcome: "done" }` once written.
    #[wasm_bindgen(js_name = openConversation, unchecked_return_type = "Promise<Outcome>")]
    pub fn open_conversation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OpenConversationOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<OpenConversationOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::OpenConversation {
            view: ViewId(o.view),
            account: AccountId(o.account_id),
            conversation_urn: o.conversation_urn,
        })
    }

    /// `view` shows nothing any more.
    #[wasm_bindgen(js_name = closeView, unchecked_return_type = "Promise<Outcome>")]
    pub fn close_view(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CloseViewOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<CloseViewOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::CloseView {
            view: ViewId(o.view),
        })
    }

    /// Fetches the next page of older history, while there is more; resolves once it merged
    /// (`done`), rejects with the API failure when it could not be fetched.
    #[wasm_bindgen(js_name = loadOlder, unchecked_return_type = "Promise<Outcome>")]
    pub fn load_older(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<ConversationOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::LoadOlder {
            account: AccountId(o.account_id),
            conversation_urn: o.conversation_urn,
        })
    }

    /// Fetches the newest page of a conversation again (refreshes reactions too); resolves
    /// once it merged.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn refresh(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<ConversationOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::Refresh {
            account: AccountId(o.account_id),
            conversation_urn: o.conversation_urn,
        })
    }

    /// Walks a conversation's whole history again (finds recalls made elsewhere); costly.
    /// Resolves once the walk reached the first message.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn rescan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<ConversationOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::Rescan {
            account: AccountId(o.account_id),
            conversation_urn: o.conversation_urn,
        })
    }

    /// Fetches the conversation list (its first page, or the one after `cursor`); resolves
    /// once it merged.
    #[wasm_bindgen(js_name = refreshConversations, unchecked_return_type = "Promise<Outcome>")]
    pub fn refresh_conversations(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RefreshConversationsOptions")] options: JsValue,
    ) -> Promise {
        let options = if options.is_undefined() {
            js_sys::Object::new().into()
        } else {
            options
        };
        let (o,) = args!(options_from_js::<RefreshConversationsOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::RefreshConversations {
            account: AccountId(o.account_id),
            cursor: present(&o.cursor),
        })
    }

    /// Reads the next page of the stored conversation list into `conversationList` (with
    /// IndexedDB storage the engine opens with the newest `conversationWindow` conversations
    /// only); resolves once it is read, at once when the list already holds them all.
    #[wasm_bindgen(js_name = loadMoreConversations, unchecked_return_type = "Promise<Outcome>")]
    pub fn load_more_conversations(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
    ) -> Promise {
        let account = match account_arg(&account_id) {
            Ok(a) => a,
            Err(e) => return Promise::reject(&e),
        };
        self.command(Command::LoadMoreConversations { account })
    }

    /// Queues a message in the persisted outbox and resolves with its client key once the
    /// entry is written; the request goes out in the background, and only once the entry is
    /// on disk. Its fate comes as a `completed` notice (`sent` or `notSent`, with the client
    /// key) and in the view. A `clientKey` that already names an entry or a sent message adds
    /// nothing (the send is idempotent). Rejects with the refusal (`empty_message`,
    /// `too_long`, `quota_exceeded`, `bad_urn`…) when refused locally, and with `storage`
    /// when the entry could not be written: then nothing was sent, and the entry shows as
    /// failed (`storage`, retryable).
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SendCommand")] cmd: JsValue,
    ) -> Promise {
        let (cmd,) = args!(fields_from_js::<SendCommand>("cmd", &cmd, &[]));
        let to = if let Some(urn) = present(&cmd.conversation_urn) {
            Recipient::Conversation(urn)
        } else if let Some(urn) = present(&cmd.recipient_profile_urn) {
            Recipient::ProfileUrn(urn)
        } else if let Some(slug) = present(&cmd.recipient_profile_id) {
            Recipient::ProfileSlug(slug)
        } else {
            return Promise::reject(&invalid_argument(
                "cmd",
                "name conversationUrn, recipientProfileUrn or recipientProfileId",
            ));
        };
        if self.driver.is_closed() {
            return Promise::reject(&closed());
        }
        let account = AccountId(cmd.account_id);
        let driver = self.driver.clone();
        // Made now, not when the send runs: a send may wait in the engine for reads (a
        // conversation, or a person's conversations, not in memory yet), and several may wait
        // at once; each resolves with its own key.
        let key = match present(&cmd.client_key).map(ClientKey) {
            Some(key) => key,
            None => match driver.new_client_key() {
                Some(key) => key,
                None => return Promise::reject(&busy()),
            },
        };
        let given = Some(key);
        let command = Command::Send {
            account: account.clone(),
            to,
            text: cmd.text,
            subject: present(&cmd.subject),
            channel: cmd.channel.unwrap_or_default(),
            attachments: cmd.attachments,
            client_key: given.clone(),
        };
        if let Err(refused) = self.feed_command(command, false) {
            return refused;
        }
        let id = driver.last_command();
        let settled = driver.settled();
        promise(Box::pin(async move {
            JsFuture::from(settled).await?;
            let key = given.map(|k| k.0);
            let late = id.and_then(|id| driver.take_late_refusal(id));
            match (key, late) {
                (_, Some(refusal)) => Err(refusal_error(&refusal)),
                (Some(key), None) => Ok(JsValue::from(key)),
                (None, None) => Err(engine_error(
                    "internal",
                    "the send left no outbox entry",
                    &[],
                )),
            }
        }))
    }

    /// Adds (`add`) or removes one of the account's own reactions; resolves `reacted` once
    /// the server took it, rejects with the failure when it did not. `conversationUrn`: where
    /// the message was seen (refused `not_in_conversation` when known to be elsewhere).
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn react(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReactOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<ReactOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::React {
            account: AccountId(o.account_id),
            message_urn: o.message_urn,
            emoji: o.emoji,
            add: o.add,
            conversation_urn: present(&o.conversation_urn),
        })
    }

    /// Recalls one of the account's own messages (within the recall window); resolves
    /// `recalled` once it is gone, rejects with the failure when it stays. Rejects with
    /// `storage`, and sends nothing, when the recall's record could not be written.
    /// `conversationUrn`: the conversation the message must be known to be in.
    #[wasm_bindgen(unchecked_return_type = "Promise<Outcome>")]
    pub fn recall(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RecallOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<RecallOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::Recall {
            account: AccountId(o.account_id),
            message_urn: o.message_urn,
            conversation_urn: present(&o.conversation_urn),
        })
    }

    /// Marks a conversation read up to its newest message (locally; tells sibling tabs).
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<Outcome>")]
    pub fn mark_read(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ConversationOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<ConversationOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::MarkRead {
            account: AccountId(o.account_id),
            conversation_urn: o.conversation_urn,
        })
    }

    /// Sends a failed entry again (refused with `not_now` while it may have been sent);
    /// resolves `sent`, or `notSent` / `discarded`, as its entry ends.
    #[wasm_bindgen(js_name = retrySend, unchecked_return_type = "Promise<Outcome>")]
    pub fn retry_send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntryOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<EntryOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::RetrySend {
            account: AccountId(o.account_id),
            client_key: ClientKey(o.client_key),
        })
    }

    /// Drops a queued or failed entry.
    #[wasm_bindgen(js_name = discardSend, unchecked_return_type = "Promise<Outcome>")]
    pub fn discard_send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EntryOptions")] options: JsValue,
    ) -> Promise {
        let (o,) = args!(options_from_js::<EntryOptions>(
            "options",
            &options,
            OPTION_STRINGS,
            OPTION_FLAGS
        ));
        self.command(Command::DiscardSend {
            account: AccountId(o.account_id),
            client_key: ClientKey(o.client_key),
        })
    }

    /// The API key changed: resume what a 401 paused.
    #[wasm_bindgen(js_name = keyUpdated, unchecked_return_type = "Promise<Outcome>")]
    pub fn key_updated(&self) -> Promise {
        self.command(Command::KeyUpdated)
    }

    /// Calls `callback` with every notice (read the view again on `conversationChanged`, the
    /// status on `statusChanged`). Returns the function that unsubscribes.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn subscribe(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(notice: Notice) => void")] callback: JsValue,
    ) -> Result<JsValue, JsValue> {
        let callback = function("callback", &callback)?;
        Ok(self.listen(Channel::Notices, callback))
    }

    /// Calls `callback` with every fact sibling contexts must merge (post it to them; they
    /// call `applyRemote`). Returns the function that unsubscribes.
    #[wasm_bindgen(js_name = onBroadcast, unchecked_return_type = "() => void")]
    pub fn on_broadcast(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(fact: RemoteFact) => void")] callback: JsValue,
    ) -> Result<JsValue, JsValue> {
        let callback = function("callback", &callback)?;
        Ok(self.listen(Channel::Facts, callback))
    }

    /// Merges a fact another context broadcast (idempotent, in any order). A fact that is not
    /// plain data of the declared shape (a cycle, nesting deeper than 128, a throwing getter)
    /// rejects with a `TypeError`; nothing is merged.
    #[wasm_bindgen(js_name = applyRemote, unchecked_return_type = "Promise<void>")]
    pub fn apply_remote(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RemoteFact")] fact: JsValue,
    ) -> Promise {
        let (fact,) = args!(fact_from_js(&fact));
        self.input(Input::Remote(fact))
    }

    /// One conversation as shown (messages in order, then its outbox entries), if known.
    ///
    /// A message whose view has not changed since an earlier read is the same (frozen) object
    /// as then: the engine compares what each message's view is made of and builds, copies
    /// and parses only the others (`PlanMemo`; the last 8 conversations read are kept), and
    /// the array is made in JS from runs of the last one and of those (a few calls, not one
    /// per message).
    #[wasm_bindgen(js_name = conversationView, unchecked_return_type = "ConversationView | undefined")]
    pub fn conversation_view(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
        #[wasm_bindgen(js_name = conversationUrn, unchecked_param_type = "string")]
        conversation_urn: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account = account_arg(&account_id)?;
        let id = ConversationId::parse(&text("conversationUrn", &conversation_urn)?)?;
        let now = now_ms();
        // The memo is taken out and the engine's borrow ends with the plan: the view is
        // assembled with JS calls (`JSON.parse`, `Object.freeze`, `slice`, `concat`) a page may
        // patch to throw or to call back in, and neither borrow may be held then. A view that
        // fails keeps no memo; the next read plans afresh.
        let (mut memo, last) = {
            let mut memos = self.memos.borrow_mut();
            let at = memos.iter().position(|(m, _)| m.shows(&account, &id));
            at.map(|i| memos.remove(i)).unwrap_or_default()
        };
        let planned = self
            .driver
            .with_engine(|e| e.conversation_view_plan(&account, &id, now, &mut memo))?;
        let Some(planned) = planned else {
            return Ok(JsValue::UNDEFINED);
        };
        // The view with the items made afresh, in one crossing.
        let (out, fresh) = planned_to_js(&planned)?;
        if fresh.length() as usize != planned.fresh_len() {
            return Err(super::error::internal_error(
                "a view lost messages on its way to JS",
            ));
        }
        freeze_each(&fresh)?;
        let items = match &planned.plan {
            None => copy(&last, 0, last.length())?,
            Some(plan) => assemble(&last, &fresh, plan)?,
        };
        js_sys::Reflect::set(&out, &"messages".into(), &items)?;
        // The caller may change the array it gets: the memo keeps its own.
        let kept = copy(&items, 0, items.length())?;
        drop(planned);
        let mut memos = self.memos.borrow_mut();
        // The most recent last (a `push` and `remove`: no `Vec::insert` code over the memo's
        // type for this one call, issue 15).
        memos.push((memo, kept));
        if memos.len() > KEPT_VIEWS {
            memos.remove(0);
        }
        Ok(out)
    }

    /// The conversation list of an account, newest activity first.
    #[wasm_bindgen(js_name = conversationList, unchecked_return_type = "ConversationSummary[]")]
    pub fn conversation_list(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account = account_arg(&account_id)?;
        let list = self.driver.with_engine(|e| e.conversation_list(&account))?;
        to_js_large(&list)
    }

    /// Whether the stored conversation list goes on past `conversationList`
    /// (`loadMoreConversations` reads the next page).
    #[wasm_bindgen(js_name = conversationListHasMore)]
    pub fn conversation_list_has_more(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
    ) -> Result<bool, JsValue> {
        let account = account_arg(&account_id)?;
        self.driver
            .with_engine(|e| e.conversation_list_has_more(&account))
    }

    /// The unread count of the whole conversation list (also of conversations
    /// `conversationList` does not hold yet).
    #[wasm_bindgen(js_name = unreadTotal)]
    pub fn unread_total(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
    ) -> Result<f64, JsValue> {
        let account = account_arg(&account_id)?;
        Ok(self.driver.with_engine(|e| e.unread_total(&account))? as f64)
    }

    /// The URN of the conversation holding a message (one it synced, or a listed conversation's
    /// latest), or `undefined` when the engine cannot tell.
    #[wasm_bindgen(js_name = conversationOfMessage, unchecked_return_type = "string | undefined")]
    pub fn conversation_of_message(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
        #[wasm_bindgen(js_name = messageUrn, unchecked_param_type = "string")] message_urn: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account = account_arg(&account_id)?;
        let id = MessageId::parse(&text("messageUrn", &message_urn)?)?;
        let urn = self
            .driver
            .with_engine(|e| e.conversation_of_message(&account, &id))?;
        Ok(urn.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))
    }

    /// The conversations holding these messages (URNs in any form), as far as the engine and
    /// its storage know: one it synced a message of, or one whose list entry names one of them
    /// as its latest. With `storage: "indexedDB"` the messages not in memory are looked up in
    /// the store (one read), so a message synced before this engine opened is found as
    /// `conversationOfMessage` finds one in memory; every other storage is all in memory.
    /// Resolves with their URNs, each once: `[]` when none is known, several when the messages
    /// are in several (no guess between them). Rejects with `bad_urn` for an unreadable URN,
    /// with `storage` when the store could not be read. Changes nothing.
    #[wasm_bindgen(js_name = locateMessages, unchecked_return_type = "Promise<string[]>")]
    pub fn locate_messages(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
        #[wasm_bindgen(js_name = messageUrns, unchecked_param_type = "string[]")]
        message_urns: JsValue,
    ) -> Promise {
        let (account, message_urns) = args!(
            account_arg(&account_id),
            text_list("messageUrns", &message_urns)
        );
        let outcome = self.command(Command::LocateMessages {
            account,
            message_urns,
        });
        promise(Box::pin(async move {
            let located = JsFuture::from(outcome).await?;
            js_sys::Reflect::get(&located, &"conversationUrns".into())
        }))
    }

    /// The URN the engine holds for a conversation given in any form (URN, thread URL, id), else
    /// its canonical URN; throws a `UrnError` for an unreadable one.
    #[wasm_bindgen(js_name = conversationUrnOf)]
    pub fn conversation_urn_of(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
        #[wasm_bindgen(js_name = anyForm, unchecked_param_type = "string")] any_form: JsValue,
    ) -> Result<String, JsValue> {
        let account = account_arg(&account_id)?;
        let any_form = text("anyForm", &any_form)?;
        let urn = self
            .driver
            .with_engine(|e| e.conversation_urn_of(&account, &any_form))??;
        Ok(urn)
    }

    /// The URN of the one listed one-to-one conversation with a person (any profile form: URN,
    /// `/in/` URL, id), or `undefined` when there is none or more than one.
    #[wasm_bindgen(js_name = conversationWith, unchecked_return_type = "string | undefined")]
    pub fn conversation_with(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] profile: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account = account_arg(&account_id)?;
        let id = ProfileId::parse(&text("profile", &profile)?)?;
        let urn = self
            .driver
            .with_engine(|e| e.conversation_with(&account, &id))?;
        Ok(urn.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))
    }

    /// Outbox entries not yet placed in a known conversation (a first message to someone).
    #[wasm_bindgen(js_name = unplacedOutbox, unchecked_return_type = "MessageView[]")]
    pub fn unplaced_outbox(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account = account_arg(&account_id)?;
        let list = self.driver.with_engine(|e| e.unplaced_outbox(&account))?;
        to_js(&list)
    }

    /// Sync status, quota and outbox totals of an account.
    #[wasm_bindgen(unchecked_return_type = "StatusView")]
    pub fn status(
        &self,
        #[wasm_bindgen(js_name = accountId, unchecked_param_type = "string")] account_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account = account_arg(&account_id)?;
        let status = self.driver.with_engine(|e| e.status(&account))?;
        to_js(&status)
    }

    /// The whole stored state as plain data (what a snapshot write holds), for debugging
    /// only: its shape is the storage layout's, not an API, and changes between versions.
    #[wasm_bindgen(unchecked_return_type = "unknown")]
    pub fn snapshot(&self) -> Result<JsValue, JsValue> {
        let records = self.driver.with_engine(|e| e.snapshot())?;
        to_js(&records)
    }

    /// Stops the timer, the WebSocket and every later effect: no read is sent any more, not
    /// one whose request has not left yet, not a retry after a failed attempt, not a call's
    /// second request (a write already handed to its request still is); answers on their way
    /// are dropped; later calls reject with `closed`. Idempotent.
    pub fn close(&self) {
        if let Some(rt) = &self.realtime {
            rt.stop();
        }
        self.driver.close();
    }
}

/// `ThreadlineEngine.open`'s work (see there).
async fn open_engine(options: JsValue) -> Result<ThreadlineEngine, JsValue> {
    let options: ThreadlineEngineOptions =
        fields_from_js("options", &options, &["apiKey", "storage", "migrateFrom"])?;
    let base_url = options.base_url.trim().trim_end_matches('/').to_string();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(invalid_options("baseUrl must be an absolute http(s) URL"));
    }
    let timeout_ms = timeout_of(options.timeout_ms);
    let key = JsKey::from_js(&options.api_key, timeout_ms)?;
    let prefix = present(&options.storage_key).unwrap_or_else(|| "threadline".into());
    let indexed = options.storage.as_string().as_deref() == Some("indexedDB");
    let migrate_from = (!options.migrate_from.is_undefined() && !options.migrate_from.is_null())
        .then_some(options.migrate_from);
    if migrate_from.is_some() && !indexed {
        return Err(invalid_options(
            "migrateFrom is only for storage: \"indexedDB\"",
        ));
    }
    let quota = match options.quota_bytes {
        None => None,
        Some(q) if !indexed => {
            return Err(invalid_options(&format!(
                "quotaBytes ({q}) is only for storage: \"indexedDB\""
            )))
        }
        Some(q) if q.is_finite() && q >= 0.0 => Some(q as u64),
        Some(q) => {
            return Err(invalid_options(&format!(
                "quotaBytes must be a number of bytes, not {q}"
            )))
        }
    };

    let mut config = options.config.unwrap_or_default();
    if config.seed == 0 {
        config.seed = random_seed();
    }
    // `Ok`: the key-value store to restore from (the chosen storage, or the old store of a
    // migration that failed, with its error) and the config; `Err`: what the record store
    // opened with. One await of `restore_kv` for both key-value cases (issue 15: each await
    // of it was its own copy in the future).
    let kv = if indexed {
        let mut db = IdbRecords::open(&database_name(&prefix), timeout_ms)
            .await
            .map_err(unavailable)?;
        if let Some(quota) = quota {
            db = db.limit(quota).await.map_err(unreadable)?;
        }
        let records = RecordLog::new(db);
        // Neither the messages nor the whole conversation list: the newest conversations and
        // those work is under way in; each conversation's messages (and any other record) are
        // read when an input needs them, the list's next pages when asked (issue 13).
        let window = config.conversation_window.max(1);
        let read = match migrate_from {
            None => Ok(records.load_window(window).await.map_err(unreadable)?),
            Some(from) => {
                let old = PersistLog::new(
                    AnyStore::from_option(from, timeout_ms).map_err(unavailable)?,
                    &prefix,
                );
                // Nothing was copied and the old store is as it was: run on it this time
                // (opening the empty database would end the migration for good).
                records
                    .load_window_from(window, &old)
                    .await
                    .map_err(unreadable)?
                    .map_err(|e| (old, e))
            }
        };
        match read {
            Ok(loaded) => {
                // Records are written one by one: never a snapshot (see `RecordLog`).
                config.snapshot_every = u32::MAX;
                let (engine, issues) = Engine::restore_window(config, loaded, now_ms());
                Err((engine, issues, Log::Records(records)))
            }
            Err((old, e)) => {
                drop(records);
                Ok((old, Some(e), config))
            }
        }
    } else {
        let store = AnyStore::from_option(options.storage, timeout_ms).map_err(unavailable)?;
        Ok((PersistLog::new(store, &prefix), None, config))
    };
    let (engine, issues, log) = match kv {
        Err(opened) => opened,
        Ok((old, failed, config)) => {
            let (engine, mut issues) = restore_kv(config, &old).await?;
            if let Some(e) = failed {
                issues.insert(
                    0,
                    RestoreIssue::MigrationFailed {
                        reason: e.message,
                        full: e.full,
                    },
                );
            }
            (engine, issues, Log::Kv(old))
        }
    };

    let client = Client::new(FetchTransport::default(), base_url.clone(), key.clone())
        .with_timeout_ms(timeout_ms);
    let driver = Driver::new(engine, client, log);
    driver.feed(Input::Tick);
    let realtime = options.realtime.unwrap_or(true).then(|| {
        let url = socket_url(&base_url, present(&options.realtime_url).as_deref());
        Realtime::start(url, key, Rc::downgrade(&driver))
    });
    Ok(ThreadlineEngine {
        driver,
        realtime,
        issues,
        memos: RefCell::default(),
    })
}

/// An engine restored from a key-value store (snapshot and deltas), with what could not be read.
async fn restore_kv(
    config: EngineConfig,
    log: &PersistLog<AnyStore>,
) -> Result<(Engine, Vec<RestoreIssue>), JsValue> {
    let stored = log.load().await.map_err(unreadable)?;
    let (engine, engine_issues) =
        Engine::restore(config, stored.snapshot.as_deref(), &stored.deltas, now_ms());
    let mut issues = stored.issues;
    issues.extend(engine_issues);
    Ok((engine, issues))
}

/// A store that could not be opened, as a `ThreadlineError` (`storage_unavailable`): one body
/// for every step of opening (issue 15).
#[inline(never)]
fn unavailable(e: StorageError) -> JsValue {
    engine_error("storage_unavailable", &e.message, &[])
}

/// A store that could not be read or written, as a `ThreadlineError` (`storage`).
#[inline(never)]
fn unreadable(e: StorageError) -> JsValue {
    engine_error("storage", &e.message, &[])
}

/// The `accountId` argument ("" for the workspace default).
fn account_arg(value: &JsValue) -> Result<AccountId, JsValue> {
    text("accountId", value).map(AccountId)
}

/// Options of `openConversation`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenConversationOptions {
    /// Any name for the place that shows it (a tab, a popup).
    pub view: String,
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    /// The conversation, in any URN form.
    pub conversation_urn: String,
}

/// Options of `closeView`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseViewOptions {
    pub view: String,
}

/// Options of the commands on one conversation (`loadOlder`, `refresh`, `rescan`,
/// `markRead`).
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationOptions {
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    /// The conversation, in any URN form.
    pub conversation_urn: String,
}

/// Options of `refreshConversations`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshConversationsOptions {
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    /// The page after this cursor (else the first page).
    #[tsify(optional)]
    pub cursor: Option<String>,
}

/// Options of `react`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactOptions {
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    pub message_urn: String,
    pub emoji: String,
    /// Add (true) or remove (false) the account's own reaction.
    pub add: bool,
    /// Where the message was seen: refused (`not_in_conversation`) when known elsewhere.
    #[tsify(optional)]
    pub conversation_urn: Option<String>,
}

/// Options of `recall`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecallOptions {
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    pub message_urn: String,
    /// The conversation the message must be known to be in (else `not_in_conversation`).
    #[tsify(optional)]
    pub conversation_urn: Option<String>,
}

/// Options of `retrySend` and `discardSend`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryOptions {
    /// The account (omitted or "" for the workspace default).
    #[tsify(optional)]
    #[serde(default)]
    pub account_id: String,
    /// The outbox entry.
    pub client_key: String,
}

// The argument types read field by field (`fields_from_js`), in declaration order with their
// serde names: tests/wasm_boundary.rs checks each against its derived serde reader.

impl FromJsFields for ThreadlineEngineOptions {
    const EXPECTING: &'static str = "struct ThreadlineEngineOptions";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            base_url: f.req("baseUrl"),
            api_key: f.req_raw("apiKey"),
            storage: f.req_raw("storage"),
            migrate_from: f.raw("migrateFrom").unwrap_or_default(),
            storage_key: f.opt("storageKey"),
            realtime: f.opt("realtime"),
            realtime_url: f.opt("realtimeUrl"),
            timeout_ms: f.opt("timeoutMs"),
            config: f.nested_opt("config"),
            quota_bytes: f.opt("quotaBytes"),
        }
    }
}

/// `#[serde(default)]` on the type: an absent field is `EngineConfig::default()`'s.
impl FromJsFields for EngineConfig {
    const EXPECTING: &'static str = "struct EngineConfig";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        let d = EngineConfig::default();
        Self {
            seed: f.or("seed", d.seed),
            poll_interval_ms: f.or("pollIntervalMs", d.poll_interval_ms),
            echo_skew_ms: f.or("echoSkewMs", d.echo_skew_ms),
            echo_settle_ms: f.or("echoSettleMs", d.echo_settle_ms),
            default_retry_after_ms: f.or("defaultRetryAfterMs", d.default_retry_after_ms),
            daily_quota: f.or("dailyQuota", d.daily_quota),
            recall_window_ms: f.or("recallWindowMs", d.recall_window_ms),
            page_size: f.or("pageSize", d.page_size),
            snapshot_every: f.or("snapshotEvery", d.snapshot_every),
            storage_retry_ms: f.or("storageRetryMs", d.storage_retry_ms),
            resident_closed: f.or("residentClosed", d.resident_closed),
            conversation_window: f.or("conversationWindow", d.conversation_window),
        }
    }
}

impl FromJsFields for SendCommand {
    const EXPECTING: &'static str = "struct SendCommand";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            account_id: f.or_default("accountId"),
            conversation_urn: f.opt("conversationUrn"),
            recipient_profile_urn: f.opt("recipientProfileUrn"),
            recipient_profile_id: f.opt("recipientProfileId"),
            text: f.req("text"),
            subject: f.opt("subject"),
            channel: f.opt("channel"),
            attachments: f.list_or_default("attachments"),
            client_key: f.opt("clientKey"),
        }
    }
}

// The options types' fields for `options_from_js`, in declaration order, with their serde
// (camelCase) names: tests/wasm_boundary.rs checks each against the serde-wasm-bindgen reader.

from_options!(OpenConversationOptions {
    view: "view" => Text,
    account_id: "accountId" => TextOr,
    conversation_urn: "conversationUrn" => Text,
});

from_options!(CloseViewOptions {
    view: "view" => Text,
});

from_options!(ConversationOptions {
    account_id: "accountId" => TextOr,
    conversation_urn: "conversationUrn" => Text,
});

from_options!(RefreshConversationsOptions {
    account_id: "accountId" => TextOr,
    cursor: "cursor" => OptText,
});

from_options!(ReactOptions {
    account_id: "accountId" => TextOr,
    message_urn: "messageUrn" => Text,
    emoji: "emoji" => Text,
    add: "add" => Flag,
    conversation_urn: "conversationUrn" => OptText,
});

from_options!(RecallOptions {
    account_id: "accountId" => TextOr,
    message_urn: "messageUrn" => Text,
    conversation_urn: "conversationUrn" => OptText,
});

from_options!(EntryOptions {
    account_id: "accountId" => TextOr,
    client_key: "clientKey" => Text,
});

impl ThreadlineEngine {
    /// What `ThreadlineEngine.open` resolves with, for Rust callers (the wasm tests): the engine
    /// itself rather than a Promise of its JS object.
    pub async fn open_engine(options: JsValue) -> Result<ThreadlineEngine, JsValue> {
        open_engine(options).await
    }

    fn listen(&self, channel: Channel, callback: js_sys::Function) -> JsValue {
        let id = self.driver.listen(channel, callback);
        let driver = Rc::downgrade(&self.driver);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(d) = driver.upgrade() {
                d.unlisten(channel, id);
            }
        })
        .into_js_value()
    }

    /// Feeds a command: the Promise of its outcome (`wait`), or the rejected Promise when it
    /// was refused locally or the engine is closed.
    fn feed_command(&self, command: Command, wait: bool) -> Result<Option<Promise>, Promise> {
        if self.driver.is_closed() {
            return Err(Promise::reject(&closed()));
        }
        if self.driver.is_busy() {
            return Err(Promise::reject(&busy()));
        }
        self.driver
            .command(command, wait)
            .map_err(|r| Promise::reject(&refusal_error(&r)))
    }

    /// A command's Promise: rejected at once when refused; else settled once its effects are
    /// written (rejecting with `storage` when its record was not) and its outcome came.
    fn command(&self, command: Command) -> Promise {
        let outcome = match self.feed_command(command, true) {
            Err(refused) => return refused,
            Ok(Some(outcome)) => outcome,
            Ok(None) => return Promise::reject(&closed()),
        };
        // Both awaited together: a storage failure rejects with `storage` first, and the
        // outcome's own rejection that follows is handled, not left unhandled.
        let both = js_sys::Array::of2(&self.driver.settled(), &outcome);
        let all = Promise::all(&both);
        promise(Box::pin(async move {
            let values = JsFuture::from(all).await?;
            Ok(js_sys::Array::from(&values).get(1))
        }))
    }

    fn input(&self, input: Input) -> Promise {
        if self.driver.is_closed() {
            return Promise::reject(&closed());
        }
        if self.driver.is_busy() {
            return Promise::reject(&busy());
        }
        self.driver.feed(input);
        self.driver.settled()
    }
}

fn closed() -> JsValue {
    engine_error("closed", "the engine was closed", &[])
}

fn invalid_argument(what: &str, why: impl std::fmt::Display) -> JsValue {
    engine_error("invalid_argument", &format!("{what}: {why}"), &[])
}

/// A planned view and its fresh items as JS values, in one `JSON.parse` of `[view, fresh]`:
/// the view's text from serde_json, the fresh items' from the engine (a stored message's entry
/// written from what the memo keeps of it, without its view being built; integers beyond the
/// safe range as their bound, as `to_js` gives them). A view whose text names an `i64`
/// sentinel has its wide integers clamped first, as [`to_js_large`] does.
fn planned_to_js(planned: &Planned) -> Result<(JsValue, js_sys::Array), JsValue> {
    let lost = || super::error::internal_error("a view lost messages on its way to JS");
    let mut text = String::from("[");
    let shell = crate::json::to_string(&planned.view).map_err(|_| lost())?;
    let clamped = crate::sync::names_a_sentinel(&shell)
        .then(|| crate::sync::clamp_wide_integers(&shell))
        .flatten();
    text.push_str(clamped.as_deref().unwrap_or(&shell));
    text.push(',');
    planned.write_fresh_json(&mut text).map_err(|_| lost())?;
    text.push(']');
    let both: js_sys::Array = super::plain::parse(&text)?.dyn_into().map_err(|_| lost())?;
    let fresh = both.get(1).dyn_into().map_err(|_| lost())?;
    Ok((both.get(0), fresh))
}

/// Freezes every item of `array` in one crossing (`array.forEach(Object.freeze)`).
fn freeze_each(array: &js_sys::Array) -> Result<(), JsValue> {
    if array.length() == 0 {
        return Ok(());
    }
    let freeze: js_sys::Function =
        js_sys::Reflect::get(&js_sys::Object::new().constructor(), &"freeze".into())?.dyn_into()?;
    let for_each: js_sys::Function = js_sys::Reflect::get(array, &"forEach".into())?.dyn_into()?;
    for_each.call1(array, &freeze).map(drop)
}

#[wasm_bindgen]
extern "C" {
    /// An array of the view's items, for its `slice`.
    #[wasm_bindgen(js_name = Array)]
    type Items;
    /// `catch`: a page may patch `Array.prototype.slice`.
    #[wasm_bindgen(catch, method)]
    fn slice(this: &Items, from: u32, to: u32) -> Result<js_sys::Array, JsValue>;
}

/// `array.slice(from, to)`.
fn copy(array: &js_sys::Array, from: u32, to: u32) -> Result<js_sys::Array, JsValue> {
    array.unchecked_ref::<Items>().slice(from, to)
}

/// The items `plan` names, from the last answer and the fresh ones: each run of consecutive
/// items of one of them is one `slice`, and the runs are joined by one `concat`.
fn assemble(
    last: &js_sys::Array,
    fresh: &js_sys::Array,
    plan: &[ItemSource],
) -> Result<js_sys::Array, JsValue> {
    let (n_last, n_fresh) = (last.length() as usize, fresh.length() as usize);
    let mut runs: Vec<(bool, usize, usize)> = Vec::new();
    for source in plan {
        let (is_last, i) = match *source {
            ItemSource::Last(i) => (true, i),
            ItemSource::Fresh(i) => (false, i),
        };
        if i >= if is_last { n_last } else { n_fresh } {
            return Err(super::error::internal_error(
                "a view named an item it does not have",
            ));
        }
        match runs.last_mut() {
            Some((l, _, end)) if *l == is_last && *end == i => *end = i + 1,
            _ => runs.push((is_last, i, i + 1)),
        }
    }
    let slice = |&(is_last, from, to): &(bool, usize, usize)| {
        copy(if is_last { last } else { fresh }, from as u32, to as u32)
    };
    match runs.as_slice() {
        [] => Ok(js_sys::Array::new()),
        [one] => slice(one),
        many => {
            let parts = js_sys::Array::new();
            for (i, run) in many.iter().enumerate() {
                js_sys::Reflect::set_u32(&parts, i as u32, &JsValue::from(slice(run)?))?;
            }
            let concat: js_sys::Function =
                js_sys::Reflect::get(&parts, &"concat".into())?.dyn_into()?;
            concat.apply(&js_sys::Array::new(), &parts)?.dyn_into()
        }
    }
}
