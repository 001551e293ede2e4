//! `ThreadlineClient`: the API client for JavaScript. A thin binding over [`crate::api::Client`]
//! with the `fetch` transport: options in, typed model objects out, failures as `ApiError`s.
//!
//! Every async method clones the shared inner client before it returns its Promise, so a call
//! in flight never borrows `self` (JS may `free()` the object meanwhile).

use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::boundary::{
    fields_from_js, flag, given, opt_number, opt_text, text, FromJsFields, JsFields, JsNumber,
    JsText,
};
use super::deadline::within;
use super::error::{api_error, describe, js_error};
use super::fetch::FetchTransport;
use super::promise::{adopt, promise};
use crate::api::endpoints::{accounts, check_attachment_size};
use crate::api::{ApiError, Call, Client, HttpRequest, KeySource};
use crate::model::{
    Answer, ListConversationsQuery, MessagesQuery, RecentMessagesQuery, SendRequest,
};

/// Options of `new ThreadlineClient(options)`.
#[derive(Tsify, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadlineClientOptions {
    /// The API's base URL, e.g. `https://api.connectsafely.ai/linkedin`.
    pub base_url: String,
    /// The API key, or a function returning it (asked before every call).
    #[tsify(type = "string | (() => string | Promise<string>)")]
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub api_key: JsValue,
    /// The account used when a call names none.
    #[tsify(optional)]
    pub account_id: Option<String>,
    /// Timeout of each request in milliseconds (default 15000, at most 25000).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

impl FromJsFields for ThreadlineClientOptions {
    const EXPECTING: &'static str = "struct ThreadlineClientOptions";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            base_url: f.req("baseUrl"),
            api_key: f.req_raw("apiKey"),
            account_id: f.opt("accountId"),
            timeout_ms: f.opt("timeoutMs"),
        }
    }
}

/// The key as JS gave it. A function's answer is awaited at most `deadline_ms` (the request
/// timeout): a Promise that never settles gives a clear error, never a call that hangs.
#[derive(Clone)]
pub(crate) enum JsKey {
    Static(String),
    Function { func: Function, deadline_ms: u64 },
}

impl KeySource for JsKey {
    async fn api_key(&self) -> Result<String, ApiError> {
        let (func, deadline_ms) = match self {
            JsKey::Static(key) => return Ok(key.clone()),
            JsKey::Function { func, deadline_ms } => (func, *deadline_ms),
        };
        let no_key = |why: String| ApiError::Unauthorized {
            message: format!("no API key: {why}"),
        };
        let value = func
            .call0(&JsValue::UNDEFINED)
            .map_err(|e| no_key(format!("the apiKey function threw: {}", describe(&e))))?;
        let value = within(deadline_ms, JsFuture::from(adopt(&value)))
            .await
            .map_err(|_| {
                no_key(format!(
                    "the apiKey promise gave nothing in {deadline_ms} ms"
                ))
            })?
            .map_err(|e| no_key(format!("the apiKey promise rejected: {}", describe(&e))))?;
        value
            .as_string()
            .ok_or_else(|| no_key("the apiKey function gave no string".into()))
    }
}

impl JsKey {
    /// The `apiKey` option: a string, or a function returning one or a Promise of one, which
    /// is awaited at most `deadline_ms`.
    pub(crate) fn from_js(value: &JsValue, deadline_ms: u64) -> Result<JsKey, JsValue> {
        if let Some(key) = value.as_string() {
            Ok(JsKey::Static(key))
        } else if let Some(func) = value.dyn_ref::<Function>() {
            Ok(JsKey::Function {
                func: func.clone(),
                deadline_ms,
            })
        } else {
            Err(js_error(
                "TypeError",
                "invalid_options",
                "apiKey must be a string or a function returning one",
                &[],
            ))
        }
    }
}

type Inner = Rc<Client<FetchTransport, JsKey>>;

/// A client of the LinkedIn Messaging API; works in browsers, workers and Node 20.
#[wasm_bindgen]
pub struct ThreadlineClient {
    inner: Inner,
}

/// A local refusal of an argument JS passed, as an `ApiError` (`bad_request`, no status).
fn bad_argument(what: &str, why: impl std::fmt::Display) -> JsValue {
    api_error(&ApiError::BadRequest {
        status: 0,
        code: Some("invalid_argument".into()),
        message: format!("{what}: {why}"),
    })
}

/// An optional object argument, read through its plain copy (see `boundary`): a wrong type,
/// a throwing getter, a cycle or too deep a value is a `TypeError` naming it. Read field by
/// field ([`fields_from_js`]), not by the type's derived serde reader.
fn arg<T>(what: &str, value: &JsValue) -> Result<T, JsValue>
where
    T: Default + FromJsFields,
{
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    fields_from_js(what, value, &[])
}

// The client's argument types read field by field (`fields_from_js`), in declaration order
// with their serde names; all four are `#[serde(default)]` containers, so every field is read
// as `or_default`, or `opt` for an `Option` (the same, without serde's `Option` reader per type).
// tests/wasm_boundary.rs checks each against its derived serde reader.

impl FromJsFields for ListConversationsQuery {
    const EXPECTING: &'static str = "struct ListConversationsQuery";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            account_id: f.opt("accountId"),
            linkedin_account_ids: f.items_or_default("linkedinAccountIds"),
            count: f.opt("count"),
            next_cursor: f.opt("nextCursor"),
            label_id: f.opt("labelId"),
            labeled_only: f.opt("labeledOnly"),
            unread_only: f.opt("unreadOnly"),
        }
    }
}

impl FromJsFields for RecentMessagesQuery {
    const EXPECTING: &'static str = "struct RecentMessagesQuery";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            account_id: f.opt("accountId"),
            next_cursor: f.opt("nextCursor"),
            count: f.opt("count"),
            keywords: f.opt("keywords"),
            read: f.opt("read"),
        }
    }
}

impl FromJsFields for MessagesQuery {
    const EXPECTING: &'static str = "struct MessagesQuery";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            account_id: f.opt("accountId"),
            count: f.opt("count"),
            cursor: f.opt("cursor"),
            since: f.opt("since"),
            sync: f.opt("sync"),
        }
    }
}

impl FromJsFields for SendRequest {
    const EXPECTING: &'static str = "struct SendRequest";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Self {
            message: f.or_default("message"),
            conversation_urn: f.opt("conversationUrn"),
            recipient_profile_urn: f.opt("recipientProfileUrn"),
            recipient_profile_id: f.opt("recipientProfileId"),
            subject: f.opt("subject"),
            attachments: f.list_or_default("attachments"),
            messaging_channel: f.opt("messagingChannel"),
            account_id: f.opt("accountId"),
        }
    }
}

/// Reads the arguments of a call, or gives the rejected Promise of the first bad one.
macro_rules! args {
    ($($e:expr),+ $(,)?) => {
        match (|| Ok::<_, JsValue>(($($e?,)+)))() {
            Ok(v) => v,
            Err(e) => return Promise::reject(&e),
        }
    };
}

/// An answer for JS the way tsify declares it (`super::plain`: serde_json's text, parsed);
/// an integer JS cannot hold exactly is refused. Only the serialization is per type.
fn answer<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    answer_of_text(crate::json::to_string(value))
}

#[inline(never)]
fn answer_of_text(text: Result<String, serde_json::Error>) -> Result<JsValue, JsValue> {
    super::plain::exact_from_json(text).map_err(|e| {
        api_error(&ApiError::Malformed {
            status: 200,
            message: format!("answer not representable in JS: {e}"),
        })
    })
}

/// An answer type's decoding and its JSON text: the one part of a call that depends on its
/// type ([`finish`]).
type Finish = fn(&RawValue) -> Result<Result<String, serde_json::Error>, String>;

/// The answer as `R` (`R::from_json`'s error, if any, is the answer's shape error) and the
/// text of its JS form. Only this is per answer type: the decode's steps and errors and the
/// JS value are [`send`]'s, one body for every type (issue 15).
fn finish<R: Answer + Serialize>(
    json: &RawValue,
) -> Result<Result<String, serde_json::Error>, String> {
    R::from_json(json).map(|value| crate::json::to_string(&value))
}

/// The JS error of a call's error, which it drops: one body for every await of a call
/// (issue 15).
#[inline(never)]
fn refused(e: ApiError) -> JsValue {
    api_error(&e)
}

/// The Promise of `call` (already refused, or ready to send) on a clone of the inner client.
fn spawn<R: Answer + Serialize>(inner: &Inner, call: Result<Call<R>, ApiError>) -> Promise {
    send(inner, call.map(|c| c.request), finish::<R>)
}

/// One body for every call (issue 15): each export builds its request, this sends it through
/// [`Client::fetch`], the one future of every answer type, and only `finish` is per type (a
/// Promise wrapper per export, with the client's call and the answer's decoding inlined into
/// it, was 17.8 KB in eleven copies after wasm-opt).
#[inline(never)]
fn send(inner: &Inner, request: Result<HttpRequest, ApiError>, finish: Finish) -> Promise {
    let inner = inner.clone();
    promise(Box::pin(async move {
        let request = request.map_err(refused)?;
        let answered = inner.fetch(request).await.map_err(refused)?;
        let text = answered.decode_with(finish).map_err(refused)?;
        answer_of_text(text)
    }))
}

fn opt_account(account_id: Option<String>) -> Option<String> {
    account_id.filter(|a| !a.trim().is_empty())
}

/// The optional `accountId` argument of a call (a blank one is none), or a `TypeError` for
/// one that is not a string: one body for the five calls that take it (issue 15).
#[inline(never)]
fn account_opt(account_id: Option<JsText>) -> Result<Option<String>, JsValue> {
    opt_text("accountId", &given(account_id)).map(opt_account)
}

/// The deadline of the `apiKey` source and of storage calls: the request timeout asked for,
/// clamped as the client clamps it.
pub(crate) fn timeout_of(timeout_ms: Option<f64>) -> u64 {
    timeout_ms
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .map_or(crate::api::DEFAULT_TIMEOUT_MS, |ms| {
            (ms as u64).clamp(1, crate::api::MAX_TIMEOUT_MS)
        })
}

#[wasm_bindgen]
impl ThreadlineClient {
    /// A client for `baseUrl` with `apiKey` (a string, or a function returning one or a Promise
    /// of one), an optional default `accountId` and an optional `timeoutMs`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ThreadlineClientOptions")] options: JsValue,
    ) -> Result<ThreadlineClient, JsValue> {
        let options: ThreadlineClientOptions = fields_from_js("options", &options, &["apiKey"])?;
        let base_url = options.base_url.trim().to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(js_error(
                "TypeError",
                "invalid_options",
                "baseUrl must be an absolute http(s) URL",
                &[],
            ));
        }
        let timeout_ms = timeout_of(options.timeout_ms);
        let key = JsKey::from_js(&options.api_key, timeout_ms)?;
        let client = Client::new(FetchTransport::default(), base_url, key)
            .with_default_account(opt_account(options.account_id))
            .with_timeout_ms(timeout_ms);
        Ok(ThreadlineClient {
            inner: Rc::new(client),
        })
    }

    /// The default account, if one was given.
    #[wasm_bindgen(getter, js_name = accountId)]
    pub fn account_id(&self) -> Option<String> {
        self.inner.default_account_id().map(str::to_string)
    }

    /// One page of conversations (`GET /conversations`); pass `nextCursor` for the next one.
    #[wasm_bindgen(js_name = listConversations, unchecked_return_type = "Promise<ConversationsPage>")]
    pub fn list_conversations(&self, query: Option<Ts<ListConversationsQuery>>) -> Promise {
        let (query,) = args!(arg::<ListConversationsQuery>(
            "query",
            &query.map(|q| q.js_value()).unwrap_or_default()
        ));
        spawn(&self.inner, self.inner.list_conversations_call(query))
    }

    /// Every conversation, following `nextCursor` for at most `maxPages` pages (default 10).
    #[wasm_bindgen(js_name = listAllConversations, unchecked_return_type = "Promise<Conversation[]>")]
    pub fn list_all_conversations(
        &self,
        query: Option<Ts<ListConversationsQuery>>,
        #[wasm_bindgen(js_name = maxPages)] max_pages: Option<JsNumber>,
    ) -> Promise {
        let (query, max_pages) = args!(
            arg::<ListConversationsQuery>(
                "query",
                &query.map(|q| q.js_value()).unwrap_or_default()
            ),
            opt_number("maxPages", &given(max_pages)),
        );
        let max_pages = max_pages.map_or(10, |n| n.clamp(0.0, u32::MAX as f64) as usize);
        let inner = self.inner.clone();
        promise(Box::pin(async move {
            let all = inner.conversations_pager(query).collect(max_pages).await;
            answer(&all.map_err(refused)?)
        }))
    }

    /// One page of the older recent-messages list (`keywords`, `read`).
    #[wasm_bindgen(js_name = recentMessages, unchecked_return_type = "Promise<RecentMessagesPage>")]
    pub fn recent_messages(&self, query: Option<Ts<RecentMessagesQuery>>) -> Promise {
        let (query,) = args!(arg::<RecentMessagesQuery>(
            "query",
            &query.map(|q| q.js_value()).unwrap_or_default()
        ));
        spawn(&self.inner, self.inner.recent_messages_call(query))
    }

    /// One page of a conversation's messages; pass the page's `cursor` for older ones (while
    /// `hasMore`), or `since` to poll for newer ones.
    #[wasm_bindgen(unchecked_return_type = "Promise<MessagesPage>")]
    pub fn messages(
        &self,
        #[wasm_bindgen(js_name = conversationUrn, unchecked_param_type = "string")]
        conversation_urn: JsValue,
        query: Option<Ts<MessagesQuery>>,
    ) -> Promise {
        let (conversation_urn, query) = args!(
            text("conversationUrn", &conversation_urn),
            arg::<MessagesQuery>("query", &query.map(|q| q.js_value()).unwrap_or_default()),
        );
        spawn(
            &self.inner,
            self.inner.messages_call(&conversation_urn, query),
        )
    }

    /// Messages newer than `since` (milliseconds): the poll.
    #[wasm_bindgen(js_name = pollMessages, unchecked_return_type = "Promise<MessagesPage>")]
    pub fn poll_messages(
        &self,
        #[wasm_bindgen(js_name = conversationUrn, unchecked_param_type = "string")]
        conversation_urn: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] since: JsValue,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<JsText>,
    ) -> Promise {
        let (conversation_urn, since, account) = args!(
            text("conversationUrn", &conversation_urn),
            opt_number("since", &since),
            account_opt(account_id),
        );
        let Some(since) = since else {
            return Promise::reject(&bad_argument("since", "not a finite number"));
        };
        let call = self
            .inner
            .poll_messages_call(&conversation_urn, since as i64, account);
        spawn(&self.inner, call)
    }

    /// Sends a message; never retried. Refused before sending when the text is empty or over
    /// 8000 characters, or when no conversation or recipient is named.
    #[wasm_bindgen(unchecked_return_type = "Promise<SendResponse>")]
    pub fn send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SendRequest")] request: JsValue,
    ) -> Promise {
        let (request,) = args!(fields_from_js::<SendRequest>("request", &request, &[]));
        spawn(&self.inner, self.inner.send_message_call(request))
    }

    /// Adds (`react` true) or removes an emoji reaction; never retried.
    #[wasm_bindgen(unchecked_return_type = "Promise<ReactResponse>")]
    pub fn react(
        &self,
        #[wasm_bindgen(js_name = conversationUrn, unchecked_param_type = "string")]
        conversation_urn: JsValue,
        #[wasm_bindgen(js_name = messageUrn, unchecked_param_type = "string")] message_urn: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] emoji: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] react: JsValue,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<JsText>,
    ) -> Promise {
        let (conversation_urn, message_urn, emoji, react, account) = args!(
            text("conversationUrn", &conversation_urn),
            text("messageUrn", &message_urn),
            text("emoji", &emoji),
            flag("react", &react),
            account_opt(account_id),
        );
        let call = self.inner.react_call(
            &conversation_urn,
            &message_urn,
            &emoji,
            react,
            account.as_deref(),
        );
        spawn(&self.inner, call)
    }

    /// Recalls one of your own messages; never retried.
    #[wasm_bindgen(unchecked_return_type = "Promise<RecallResponse>")]
    pub fn recall(
        &self,
        #[wasm_bindgen(js_name = conversationUrn, unchecked_param_type = "string")]
        conversation_urn: JsValue,
        #[wasm_bindgen(js_name = messageUrn, unchecked_param_type = "string")] message_urn: JsValue,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<JsText>,
    ) -> Promise {
        let (conversation_urn, message_urn, account) = args!(
            text("conversationUrn", &conversation_urn),
            text("messageUrn", &message_urn),
            account_opt(account_id),
        );
        let call = self
            .inner
            .recall_call(&conversation_urn, &message_urn, account.as_deref());
        spawn(&self.inner, call)
    }

    /// Uploads a file (raw bytes, its MIME type, its name) for a later send; never retried.
    /// Refused before anything is copied or sent when it is over 20 MB.
    #[wasm_bindgen(js_name = uploadAttachment, unchecked_return_type = "Promise<UploadResponse>")]
    pub fn upload_attachment(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(js_name = mediaType, unchecked_param_type = "string")] media_type: JsValue,
        #[wasm_bindgen(js_name = fileName, unchecked_param_type = "string")] file_name: JsValue,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<JsText>,
    ) -> Promise {
        let Some(bytes) = bytes.dyn_ref::<Uint8Array>() else {
            return Promise::reject(&super::boundary::type_error(
                "bytes",
                "must be a Uint8Array",
            ));
        };
        let (media_type, file_name, account) = args!(
            text("mediaType", &media_type),
            text("fileName", &file_name),
            account_opt(account_id),
        );
        if let Err(e) = check_attachment_size(u64::from(bytes.length())) {
            return Promise::reject(&api_error(&e));
        }
        let bytes = bytes.to_vec();
        let call =
            self.inner
                .upload_attachment_call(bytes, &media_type, &file_name, account.as_deref());
        spawn(&self.inner, call)
    }

    /// The workspace's connected accounts, optionally searched by `q`.
    #[wasm_bindgen(js_name = listAccounts, unchecked_return_type = "Promise<Account[]>")]
    pub fn list_accounts(&self, q: Option<JsText>) -> Promise {
        let (q,) = args!(opt_text("q", &given(q)));
        spawn(&self.inner, accounts(q.as_deref()))
    }

    /// Premium status of an account (the default one when omitted).
    #[wasm_bindgen(js_name = premiumStatus, unchecked_return_type = "Promise<PremiumStatus>")]
    pub fn premium_status(
        &self,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<JsText>,
    ) -> Promise {
        let (account,) = args!(account_opt(account_id));
        spawn(
            &self.inner,
            self.inner.premium_status_call(account.as_deref()),
        )
    }
}
