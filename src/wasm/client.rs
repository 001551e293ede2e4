//! `ThreadlineClient`: the API client for JavaScript. A thin binding over [`crate::api::Client`]
//! with the `fetch` transport: options in, typed model objects out, failures as `ApiError`s.
//!
//! Every async method clones the shared inner client before it returns its Promise, so a call
//! in flight never borrows `self` (JS may `free()` the object meanwhile).

use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::error::{api_error, describe, js_error};
use super::fetch::FetchTransport;
use crate::api::endpoints::check_attachment_size;
use crate::api::{ApiError, Client, KeySource};
use crate::model::{ListConversationsQuery, MessagesQuery, RecentMessagesQuery, SendRequest};

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

/// The key as JS gave it.
#[derive(Clone)]
pub(crate) enum JsKey {
    Static(String),
    Function(Function),
}

impl KeySource for JsKey {
    async fn api_key(&self) -> Result<String, ApiError> {
        let func = match self {
            JsKey::Static(key) => return Ok(key.clone()),
            JsKey::Function(func) => func,
        };
        let no_key = |why: String| ApiError::Unauthorized {
            message: format!("no API key: {why}"),
        };
        let value = func
            .call0(&JsValue::UNDEFINED)
            .map_err(|e| no_key(format!("the apiKey function threw: {}", describe(&e))))?;
        let value = JsFuture::from(Promise::resolve(&value))
            .await
            .map_err(|e| no_key(format!("the apiKey promise rejected: {}", describe(&e))))?;
        value
            .as_string()
            .ok_or_else(|| no_key("the apiKey function gave no string".into()))
    }
}

impl JsKey {
    /// The `apiKey` option: a string, or a function returning one or a Promise of one.
    pub(crate) fn from_js(value: &JsValue) -> Result<JsKey, JsValue> {
        if let Some(key) = value.as_string() {
            Ok(JsKey::Static(key))
        } else if let Some(func) = value.dyn_ref::<Function>() {
            Ok(JsKey::Function(func.clone()))
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

fn arg<T>(what: &str, value: Option<Ts<T>>) -> Result<T, JsValue>
where
    T: Tsify + Default + serde::de::DeserializeOwned,
    <T as Tsify>::JsType: Clone,
{
    match value {
        Some(ts) => ts.to_rust().map_err(|e| bad_argument(what, e)),
        None => Ok(T::default()),
    }
}

/// Serializes an answer for JS the way tsify declares it.
fn answer<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new())
        .map_err(|e| {
            api_error(&ApiError::Malformed {
                status: 200,
                message: format!("answer not representable in JS: {e}"),
            })
        })
}

/// Runs `work` on a clone of the inner client and turns its result into a Promise.
fn spawn<T, F, Fut>(inner: &Inner, work: F) -> Promise
where
    T: Serialize,
    F: FnOnce(Inner) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    let fut = work(inner.clone());
    future_to_promise(async move {
        let value = fut.await.map_err(|e| api_error(&e))?;
        answer(&value)
    })
}

fn opt_account(account_id: Option<String>) -> Option<String> {
    account_id.filter(|a| !a.trim().is_empty())
}

#[wasm_bindgen]
impl ThreadlineClient {
    /// A client for `baseUrl` with `apiKey` (a string, or a function returning one or a Promise
    /// of one), an optional default `accountId` and an optional `timeoutMs`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Ts<ThreadlineClientOptions>) -> Result<ThreadlineClient, JsValue> {
        let options = options
            .to_rust()
            .map_err(|e| js_error("TypeError", "invalid_options", &e.to_string(), &[]))?;
        let base_url = options.base_url.trim().to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(js_error(
                "TypeError",
                "invalid_options",
                "baseUrl must be an absolute http(s) URL",
                &[],
            ));
        }
        let key = JsKey::from_js(&options.api_key)?;
        let mut client = Client::new(FetchTransport, base_url, key)
            .with_default_account(opt_account(options.account_id));
        if let Some(ms) = options.timeout_ms.filter(|ms| ms.is_finite() && *ms > 0.0) {
            client = client.with_timeout_ms(ms as u64);
        }
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
        let query = match arg("query", query) {
            Ok(q) => q,
            Err(e) => return Promise::reject(&e),
        };
        spawn(
            &self.inner,
            |c| async move { c.list_conversations(query).await },
        )
    }

    /// Every conversation, following `nextCursor` for at most `maxPages` pages (default 10).
    #[wasm_bindgen(js_name = listAllConversations, unchecked_return_type = "Promise<Conversation[]>")]
    pub fn list_all_conversations(
        &self,
        query: Option<Ts<ListConversationsQuery>>,
        #[wasm_bindgen(js_name = maxPages)] max_pages: Option<u32>,
    ) -> Promise {
        let query = match arg("query", query) {
            Ok(q) => q,
            Err(e) => return Promise::reject(&e),
        };
        let max_pages = max_pages.unwrap_or(10) as usize;
        spawn(&self.inner, |c| async move {
            c.conversations_pager(query).collect(max_pages).await
        })
    }

    /// One page of the older recent-messages list (`keywords`, `read`).
    #[wasm_bindgen(js_name = recentMessages, unchecked_return_type = "Promise<RecentMessagesPage>")]
    pub fn recent_messages(&self, query: Option<Ts<RecentMessagesQuery>>) -> Promise {
        let query = match arg("query", query) {
            Ok(q) => q,
            Err(e) => return Promise::reject(&e),
        };
        spawn(
            &self.inner,
            |c| async move { c.recent_messages(query).await },
        )
    }

    /// One page of a conversation's messages; pass the page's `cursor` for older ones (while
    /// `hasMore`), or `since` to poll for newer ones.
    #[wasm_bindgen(unchecked_return_type = "Promise<MessagesPage>")]
    pub fn messages(
        &self,
        #[wasm_bindgen(js_name = conversationUrn)] conversation_urn: String,
        query: Option<Ts<MessagesQuery>>,
    ) -> Promise {
        let query = match arg("query", query) {
            Ok(q) => q,
            Err(e) => return Promise::reject(&e),
        };
        spawn(&self.inner, |c| async move {
            c.messages(&conversation_urn, query).await
        })
    }

    /// Messages newer than `since` (milliseconds): the poll.
    #[wasm_bindgen(js_name = pollMessages, unchecked_return_type = "Promise<MessagesPage>")]
    pub fn poll_messages(
        &self,
        #[wasm_bindgen(js_name = conversationUrn)] conversation_urn: String,
        since: f64,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<String>,
    ) -> Promise {
        if !since.is_finite() {
            return Promise::reject(&bad_argument("since", "not a finite number"));
        }
        let account = opt_account(account_id);
        spawn(&self.inner, |c| async move {
            c.poll_messages(&conversation_urn, since as i64, account)
                .await
        })
    }

    /// Sends a message; never retried. Refused before sending when the text is empty or over
    /// 8000 characters, or when no conversation or recipient is named.
    #[wasm_bindgen(unchecked_return_type = "Promise<SendResponse>")]
    pub fn send(&self, request: Ts<SendRequest>) -> Promise {
        let request = match request.to_rust() {
            Ok(r) => r,
            Err(e) => return Promise::reject(&bad_argument("request", e)),
        };
        spawn(&self.inner, |c| async move { c.send(request).await })
    }

    /// Adds (`react` true) or removes an emoji reaction; never retried.
    #[wasm_bindgen(unchecked_return_type = "Promise<ReactResponse>")]
    pub fn react(
        &self,
        #[wasm_bindgen(js_name = conversationUrn)] conversation_urn: String,
        #[wasm_bindgen(js_name = messageUrn)] message_urn: String,
        emoji: String,
        react: bool,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<String>,
    ) -> Promise {
        let account = opt_account(account_id);
        spawn(&self.inner, |c| async move {
            c.react(
                &conversation_urn,
                &message_urn,
                &emoji,
                react,
                account.as_deref(),
            )
            .await
        })
    }

    /// Recalls one of your own messages; never retried.
    #[wasm_bindgen(unchecked_return_type = "Promise<RecallResponse>")]
    pub fn recall(
        &self,
        #[wasm_bindgen(js_name = conversationUrn)] conversation_urn: String,
        #[wasm_bindgen(js_name = messageUrn)] message_urn: String,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<String>,
    ) -> Promise {
        let account = opt_account(account_id);
        spawn(&self.inner, |c| async move {
            c.recall(&conversation_urn, &message_urn, account.as_deref())
                .await
        })
    }

    /// Uploads a file (raw bytes, its MIME type, its name) for a later send; never retried.
    /// Refused before anything is copied or sent when it is over 20 MB.
    #[wasm_bindgen(js_name = uploadAttachment, unchecked_return_type = "Promise<UploadResponse>")]
    pub fn upload_attachment(
        &self,
        bytes: Uint8Array,
        #[wasm_bindgen(js_name = mediaType)] media_type: String,
        #[wasm_bindgen(js_name = fileName)] file_name: String,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<String>,
    ) -> Promise {
        if let Err(e) = check_attachment_size(u64::from(bytes.length())) {
            return Promise::reject(&api_error(&e));
        }
        let bytes = bytes.to_vec();
        let account = opt_account(account_id);
        spawn(&self.inner, |c| async move {
            c.upload_attachment(bytes, &media_type, &file_name, account.as_deref())
                .await
        })
    }

    /// The workspace's connected accounts, optionally searched by `q`.
    #[wasm_bindgen(js_name = listAccounts, unchecked_return_type = "Promise<Account[]>")]
    pub fn list_accounts(&self, q: Option<String>) -> Promise {
        spawn(
            &self.inner,
            |c| async move { c.accounts(q.as_deref()).await },
        )
    }

    /// Premium status of an account (the default one when omitted).
    #[wasm_bindgen(js_name = premiumStatus, unchecked_return_type = "Promise<PremiumStatus>")]
    pub fn premium_status(
        &self,
        #[wasm_bindgen(js_name = accountId)] account_id: Option<String>,
    ) -> Promise {
        let account = opt_account(account_id);
        spawn(&self.inner, |c| async move {
            c.premium_status(account.as_deref()).await
        })
    }
}
