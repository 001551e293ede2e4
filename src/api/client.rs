//! The client: runs each endpoint's [`Call`] over a [`Transport`] with the API key, the default
//! account, a per-request timeout and the retry policy, and pages through cursors.

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::value::RawValue;

use super::endpoints::{self, Call};
use super::{
    classify, is_redirect, rate_limit_headers, redact, redirect_error, resolve_location,
    same_origin, status_error, ApiError, HttpRequest, HttpResponse, RateLimit, RetryPolicy,
    Transport, TransportError,
};
use crate::model::Answer;
use crate::model::{
    Account, ConversationsPage, ListConversationsQuery, MessagesPage, MessagesQuery, PremiumStatus,
    ReactRequest, ReactResponse, RecallResponse, RecentMessagesPage, RecentMessagesQuery,
    SendRequest, SendResponse, UploadResponse,
};

/// Default timeout of one request.
pub const DEFAULT_TIMEOUT_MS: u64 = 15_000;
/// Longest timeout accepted: a service worker that waits 30 s for anything is killed.
pub const MAX_TIMEOUT_MS: u64 = 25_000;
/// Most redirects a read follows (each to the API's own origin).
pub const MAX_REDIRECTS: u32 = 3;

/// Where the API key comes from, asked once per call (so a key changed in the options is used
/// by the next call). An error means no key: the call fails as [`ApiError::Unauthorized`].
pub trait KeySource {
    /// The key for the next call.
    fn api_key(&self) -> impl Future<Output = Result<String, ApiError>>;
}

impl KeySource for String {
    async fn api_key(&self) -> Result<String, ApiError> {
        Ok(self.clone())
    }
}

/// A key computed by a function each time (e.g. read from settings).
pub struct KeyFn<F>(pub F);

impl<F: Fn() -> String> KeySource for KeyFn<F> {
    async fn api_key(&self) -> Result<String, ApiError> {
        Ok((self.0)())
    }
}

type JitterFn = Arc<dyn Fn() -> f64 + Send + Sync>;

/// A client of the LinkedIn Messaging API over transport `T`, with its key from `K`.
pub struct Client<T, K = String> {
    transport: T,
    key: K,
    base_url: String,
    default_account_id: Option<String>,
    timeout_ms: u64,
    retry: RetryPolicy,
    jitter: JitterFn,
    /// A `Cell`, not a `Mutex`: the client runs on one thread (the browser's; natively the
    /// tests' current-thread runtime), and std's `Mutex` on wasm32 kept its lock's `assert_eq!`
    /// (its `Debug` operands) and poison checks in the module for this one field (issue 15:
    /// 166 B gzip).
    last_rate_limit: Cell<Option<RateLimit>>,
}

impl<T: Transport, K: KeySource> Client<T, K> {
    /// A client for the API at `base_url` (which may carry a path prefix, e.g.
    /// `https://api.connectsafely.ai/linkedin`), with a 15 s timeout and the default retry policy.
    pub fn new(transport: T, base_url: impl Into<String>, key: K) -> Self {
        let seed = AtomicU64::new(transport.now_ms() ^ 0x9E37_79B9_7F4A_7C15);
        Client {
            transport,
            key,
            base_url: base_url.into(),
            default_account_id: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            retry: RetryPolicy::default(),
            jitter: Arc::new(move || splitmix(&seed)),
            last_rate_limit: Cell::new(None),
        }
    }

    /// Uses this account whenever a call names none.
    pub fn with_default_account(mut self, account_id: Option<String>) -> Self {
        self.default_account_id = account_id.filter(|a| !a.trim().is_empty());
        self
    }

    /// Sets the timeout of each request, clamped to 1 ms ..= [`MAX_TIMEOUT_MS`].
    pub fn with_timeout_ms(mut self, timeout_ms: u64) -> Self {
        self.timeout_ms = timeout_ms.clamp(1, MAX_TIMEOUT_MS);
        self
    }

    /// Sets the retry policy for reads.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the jitter source (samples in `[0, 1)`); tests make it deterministic.
    pub fn with_jitter(mut self, jitter: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The base URL requests are joined to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The account used when a call names none.
    pub fn default_account_id(&self) -> Option<&str> {
        self.default_account_id.as_deref()
    }

    /// The transport, e.g. to reach a test double.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The rate-limit figures (`X-RateLimit-*`) of the latest answer that carried any, success or
    /// not: the remaining budget before it runs out.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        let last = self.last_rate_limit.take();
        self.last_rate_limit.set(last.clone());
        last
    }

    /// Runs one call: adds the key, sends it, classifies the answer, and retries a read on a
    /// transient fault within the policy. A write is sent exactly once.
    pub async fn execute<R: Answer>(&self, call: Call<R>) -> Result<R, ApiError> {
        // Only the decoding depends on `R`: the sending and retrying is one function for every
        // answer type (a copy per type was about 4 KB of wasm each). The answer that comes back
        // is a 2xx; what it decodes to can only be a definite error, which no retry would change.
        self.fetch(call.request).await?.decode::<R>()
    }

    /// [`Client::execute`] up to the answer, for every answer type: the 2xx answer, which
    /// [`Answered::decode`] turns into the call's type. Callers that run many kinds of call (the
    /// wasm binding) await this one future and keep only the decoding per type.
    pub async fn fetch(&self, request: HttpRequest) -> Result<Answered, ApiError> {
        let op = request.op;
        // Checked before the key is asked and before every attempt (`Transport::reads_stopped`).
        let stopped = || {
            (!op.is_write() && self.transport.reads_stopped()).then(|| ApiError::Network {
                message: "not sent: reads were stopped (the engine was closed)".into(),
            })
        };
        if let Some(e) = stopped() {
            return Err(e);
        }
        let key = self.key.api_key().await.map_err(|e| match e {
            ApiError::Unauthorized { .. } => e,
            other => ApiError::Unauthorized {
                message: format!("no API key: {other}"),
            },
        })?;
        if key.trim().is_empty() {
            return Err(ApiError::Unauthorized {
                message: "no API key: the key is empty".into(),
            });
        }
        let url = request.url(&self.base_url);
        let request = request.with_header("Authorization", format!("Bearer {}", key.trim()));
        let key = key.trim();
        let answered = |resp| Answered {
            resp,
            key: key.to_string(),
        };
        // One loop, one await of `attempt` (a write is sent once, with the whole timeout: the
        // policy's attempt_timeout gives it that, and it leaves after its first attempt).
        let start = self.transport.now_ms();
        let mut attempt = 0u32;
        loop {
            if let Some(e) = stopped() {
                return Err(e);
            }
            attempt += 1;
            let elapsed = self.transport.now_ms().saturating_sub(start);
            let timeout = self.retry.attempt_timeout(op, self.timeout_ms, elapsed);
            let err = match self.attempt(url.clone(), &request, timeout, key).await {
                Ok(resp) => return Ok(answered(resp)),
                Err(err) => err,
            };
            if op.is_write() {
                return Err(err);
            }
            let elapsed = self.transport.now_ms().saturating_sub(start);
            match self
                .retry
                .next_delay(op, attempt, &err, elapsed, (self.jitter)())
            {
                Some(delay) => self.transport.sleep(delay).await,
                None => return Err(err),
            }
        }
    }

    /// One attempt: a 2xx answer, or the error of any other. A redirect is never followed for a
    /// write (it is an error: the write may or may not have happened, and is never re-sent
    /// elsewhere); a read follows it only to the API's own origin, with the key, at most
    /// [`MAX_REDIRECTS`] times; elsewhere it is refused.
    async fn attempt(
        &self,
        mut url: String,
        request: &HttpRequest,
        timeout_ms: u64,
        key: &str,
    ) -> Result<HttpResponse, ApiError> {
        let result: Result<HttpResponse, ApiError> = async {
            let mut hops = 0;
            loop {
                let resp = match self
                    .transport
                    .send(url.clone(), request.clone(), timeout_ms)
                    .await
                {
                    Ok(resp) => resp,
                    Err(TransportError::Timeout) => {
                        return Err(ApiError::Timeout {
                            after_ms: timeout_ms,
                        })
                    }
                    Err(TransportError::Network(message)) => {
                        return Err(ApiError::Network { message })
                    }
                };
                if let Some(limits) = rate_limit_headers(&resp) {
                    self.last_rate_limit.set(Some(limits));
                }
                if !is_redirect(resp.status) {
                    return match status_error(&resp) {
                        Some(err) => Err(err),
                        None => Ok(resp),
                    };
                }
                let next = resp
                    .header("Location")
                    .and_then(|l| resolve_location(&url, l))
                    .filter(|to| same_origin(&self.base_url, to));
                match next {
                    Some(to) if !request.op.is_write() && hops < MAX_REDIRECTS => {
                        hops += 1;
                        url = to;
                    }
                    _ => return Err(redirect_error(&resp)),
                }
            }
        }
        .await;
        // Server text never keeps the key: scrubbed before any caller stores, shows or logs it.
        result.map_err(|e| redact::scrub_error(e, key))
    }

    fn account(&self, given: Option<String>) -> Option<String> {
        given
            .filter(|a| !a.trim().is_empty())
            .or_else(|| self.default_account_id.clone())
    }

    fn account_ref<'a>(&'a self, given: Option<&'a str>) -> Option<&'a str> {
        given
            .filter(|a| !a.trim().is_empty())
            .or(self.default_account_id.as_deref())
    }

    /// One page of conversations. The default account applies unless the query names an
    /// account or a list of accounts (`linkedin_account_ids`).
    pub async fn list_conversations(
        &self,
        query: ListConversationsQuery,
    ) -> Result<ConversationsPage, ApiError> {
        self.execute(self.list_conversations_call(query)?).await
    }

    /// The call of [`Client::list_conversations`], not yet sent.
    pub fn list_conversations_call(
        &self,
        mut query: ListConversationsQuery,
    ) -> Result<Call<ConversationsPage>, ApiError> {
        if query.linkedin_account_ids.is_empty() {
            query.account_id = self.account(query.account_id);
        }
        endpoints::list_conversations(&query)
    }

    /// A pager over `nextCursor`, starting at the query's cursor.
    pub fn conversations_pager(
        &self,
        query: ListConversationsQuery,
    ) -> ConversationsPager<'_, T, K> {
        ConversationsPager {
            client: self,
            query,
            done: false,
        }
    }

    /// One page of the older recent-messages list (keywords, read filter).
    pub async fn recent_messages(
        &self,
        query: RecentMessagesQuery,
    ) -> Result<RecentMessagesPage, ApiError> {
        self.execute(self.recent_messages_call(query)?).await
    }

    /// The call of [`Client::recent_messages`], not yet sent.
    pub fn recent_messages_call(
        &self,
        mut query: RecentMessagesQuery,
    ) -> Result<Call<RecentMessagesPage>, ApiError> {
        query.account_id = self.account(query.account_id);
        endpoints::recent_messages(&query)
    }

    /// One page of a conversation's messages.
    pub async fn messages(
        &self,
        conversation_urn: &str,
        query: MessagesQuery,
    ) -> Result<MessagesPage, ApiError> {
        self.execute(self.messages_call(conversation_urn, query)?)
            .await
    }

    /// The call of [`Client::messages`], not yet sent.
    pub fn messages_call(
        &self,
        conversation_urn: &str,
        mut query: MessagesQuery,
    ) -> Result<Call<MessagesPage>, ApiError> {
        query.account_id = self.account(query.account_id);
        endpoints::messages(conversation_urn, &query)
    }

    /// A pager from the query's page to older messages over `cursor`, while `hasMore`.
    pub fn older_messages_pager(
        &self,
        conversation_urn: &str,
        query: MessagesQuery,
    ) -> MessagesPager<'_, T, K> {
        MessagesPager {
            client: self,
            conversation_urn: conversation_urn.to_string(),
            query,
            done: false,
        }
    }

    /// Polls for messages newer than `since_ms` (the newest `sentAt` already held).
    pub async fn poll_messages(
        &self,
        conversation_urn: &str,
        since_ms: i64,
        account_id: Option<String>,
    ) -> Result<MessagesPage, ApiError> {
        self.execute(self.poll_messages_call(conversation_urn, since_ms, account_id)?)
            .await
    }

    /// The call of [`Client::poll_messages`], not yet sent.
    pub fn poll_messages_call(
        &self,
        conversation_urn: &str,
        since_ms: i64,
        account_id: Option<String>,
    ) -> Result<Call<MessagesPage>, ApiError> {
        let query = MessagesQuery {
            account_id,
            since: Some(since_ms),
            ..Default::default()
        };
        self.messages_call(conversation_urn, query)
    }

    /// Sends a message; refused locally (never sent) when the text is empty or over 8000
    /// characters, or when it names no conversation and no recipient. Never retried.
    pub async fn send(&self, request: SendRequest) -> Result<SendResponse, ApiError> {
        self.execute(self.send_message_call(request)?).await
    }

    /// The call of [`Client::send`], not yet sent (refused here as [`Client::send`] refuses).
    pub fn send_message_call(
        &self,
        mut request: SendRequest,
    ) -> Result<Call<SendResponse>, ApiError> {
        request.account_id = self.account(request.account_id);
        endpoints::send(&request)
    }

    /// Adds (`react: true`) or removes an emoji reaction. Never retried.
    pub async fn react(
        &self,
        conversation_urn: &str,
        message_urn: &str,
        emoji: &str,
        react: bool,
        account_id: Option<&str>,
    ) -> Result<ReactResponse, ApiError> {
        self.execute(self.react_call(conversation_urn, message_urn, emoji, react, account_id)?)
            .await
    }

    /// The call of [`Client::react`], not yet sent.
    pub fn react_call(
        &self,
        conversation_urn: &str,
        message_urn: &str,
        emoji: &str,
        react: bool,
        account_id: Option<&str>,
    ) -> Result<Call<ReactResponse>, ApiError> {
        let body = ReactRequest {
            emoji: emoji.to_string(),
            react,
        };
        let account = self.account_ref(account_id);
        endpoints::react(conversation_urn, message_urn, &body, account)
    }

    /// Recalls one of your own messages. Never retried.
    pub async fn recall(
        &self,
        conversation_urn: &str,
        message_urn: &str,
        account_id: Option<&str>,
    ) -> Result<RecallResponse, ApiError> {
        self.execute(self.recall_call(conversation_urn, message_urn, account_id)?)
            .await
    }

    /// The call of [`Client::recall`], not yet sent.
    pub fn recall_call(
        &self,
        conversation_urn: &str,
        message_urn: &str,
        account_id: Option<&str>,
    ) -> Result<Call<RecallResponse>, ApiError> {
        let account = self.account_ref(account_id);
        endpoints::recall(conversation_urn, message_urn, account)
    }

    /// Uploads a file for a later send; refused locally over 20 MB. Never retried.
    pub async fn upload_attachment(
        &self,
        bytes: Vec<u8>,
        media_type: &str,
        file_name: &str,
        account_id: Option<&str>,
    ) -> Result<UploadResponse, ApiError> {
        self.execute(self.upload_attachment_call(bytes, media_type, file_name, account_id)?)
            .await
    }

    /// The call of [`Client::upload_attachment`], not yet sent.
    pub fn upload_attachment_call(
        &self,
        bytes: Vec<u8>,
        media_type: &str,
        file_name: &str,
        account_id: Option<&str>,
    ) -> Result<Call<UploadResponse>, ApiError> {
        let account = self.account_ref(account_id);
        endpoints::upload_attachment(bytes, media_type, file_name, account)
    }

    /// The workspace's connected accounts, optionally searched by `q`.
    pub async fn accounts(&self, q: Option<&str>) -> Result<Vec<Account>, ApiError> {
        self.execute(endpoints::accounts(q)?).await
    }

    /// Premium status of an account (the default one when `None`).
    pub async fn premium_status(
        &self,
        account_id: Option<&str>,
    ) -> Result<PremiumStatus, ApiError> {
        self.execute(self.premium_status_call(account_id)?).await
    }

    /// The call of [`Client::premium_status`], not yet sent.
    pub fn premium_status_call(
        &self,
        account_id: Option<&str>,
    ) -> Result<Call<PremiumStatus>, ApiError> {
        let account = self.account_ref(account_id).unwrap_or_default();
        endpoints::premium_status(account)
    }
}

/// A 2xx answer of [`Client::fetch`] and the key it was sent with.
pub struct Answered {
    resp: HttpResponse,
    key: String,
}

impl Answered {
    /// The answer decoded as `R` (see [`classify`]); the key is scrubbed from any error.
    pub fn decode<R: Answer>(&self) -> Result<R, ApiError> {
        // `classify` with the key scrubbed from its errors, its steps and errors in two
        // non-generic functions: only `from_json` is per answer type (issue 15: the error paths
        // inlined into each answer type's copy were most of the smaller ones).
        R::from_json(self.json()?).map_err(|e| self.shape_error(e))
    }

    /// As [`Answered::decode`], with `read` in place of `R::from_json`: the wasm client's one
    /// call for every answer type, whose `read` decodes and writes the answer's JS text.
    pub fn decode_with<T>(&self, read: fn(&RawValue) -> Result<T, String>) -> Result<T, ApiError> {
        read(self.json()?).map_err(|e| self.shape_error(e))
    }

    /// [`classify`]'s steps before the decode: the answer's JSON document or its error.
    #[inline(never)]
    fn json(&self) -> Result<&RawValue, ApiError> {
        classify::answer_json(&self.resp).map_err(|e| redact::scrub_error(e, &self.key))
    }

    /// [`classify`]'s error when the document is not the answer's shape (`e` says why).
    #[inline(never)]
    fn shape_error(&self, e: String) -> ApiError {
        redact::scrub_error(classify::shape_error(self.resp.status, e), &self.key)
    }
}

impl std::fmt::Debug for Answered {
    // Hand-written so that the key never shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answered")
            .field("status", &self.resp.status)
            .finish_non_exhaustive()
    }
}

/// Pages through `GET /conversations` over `nextCursor`. After an error the pager stays where it
/// was, so the next call of [`ConversationsPager::next_page`] tries the same page again.
pub struct ConversationsPager<'c, T, K> {
    client: &'c Client<T, K>,
    query: ListConversationsQuery,
    done: bool,
}

impl<T: Transport, K: KeySource> ConversationsPager<'_, T, K> {
    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<ConversationsPage, ApiError>> {
        if self.done {
            return None;
        }
        let page = match self.client.list_conversations(self.query.clone()).await {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        let next = page.next_cursor.clone().filter(|c| !c.is_empty());
        // A cursor that does not move would page forever.
        self.done = !page.has_more || next.is_none() || next == self.query.next_cursor;
        self.query.next_cursor = next;
        Some(Ok(page))
    }

    /// Every remaining page's conversations, at most `max_pages` pages.
    pub async fn collect(
        &mut self,
        max_pages: usize,
    ) -> Result<Vec<crate::model::Conversation>, ApiError> {
        let mut all = Vec::new();
        for _ in 0..max_pages {
            match self.next_page().await {
                Some(page) => all.extend(page?.conversations),
                None => break,
            }
        }
        Ok(all)
    }
}

/// Pages a conversation to older messages over `cursor` while the server says `hasMore` (a
/// short page is not the end). After an error it stays where it was.
pub struct MessagesPager<'c, T, K> {
    client: &'c Client<T, K>,
    conversation_urn: String,
    query: MessagesQuery,
    done: bool,
}

impl<T: Transport, K: KeySource> MessagesPager<'_, T, K> {
    /// The next (older) page, or `None` after the oldest one.
    pub async fn next_page(&mut self) -> Option<Result<MessagesPage, ApiError>> {
        if self.done {
            return None;
        }
        let page = match self
            .client
            .messages(&self.conversation_urn, self.query.clone())
            .await
        {
            Ok(page) => page,
            Err(e) => return Some(Err(e)),
        };
        let next = page.cursor.clone().filter(|c| !c.is_empty());
        self.done = !page.has_more || next.is_none() || next == self.query.cursor;
        self.query.cursor = next;
        // `since` bounds only the first page: older pages go past it.
        self.query.since = None;
        Some(Ok(page))
    }
}

/// SplitMix64 over an atomic state: a jitter sample in `[0, 1)` without a random-number crate.
fn splitmix(state: &AtomicU64) -> f64 {
    let mut z = state
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    //! The client over a scripted transport with a virtual clock: no network, no real waiting.

    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;
    use crate::api::{Body, HttpRequest, HttpResponse, Method, Op};

    type Scripted = Result<HttpResponse, TransportError>;
    type WriteCall = dyn Fn(&Client<Fake>) -> Result<(), ApiError>;

    /// Answers from a script; a sleep or a timeout moves the virtual clock.
    #[derive(Default)]
    struct Fake {
        script: RefCell<VecDeque<Scripted>>,
        sent: RefCell<Vec<(String, HttpRequest, u64)>>,
        sleeps: RefCell<Vec<u64>>,
        clock: Cell<u64>,
        /// What `reads_stopped` answers; `stop_in_sleep` sets it during the first sleep (a
        /// close during a retry's backoff).
        stopped: Cell<bool>,
        stop_in_sleep: Cell<bool>,
    }

    impl Fake {
        fn with(script: Vec<Scripted>) -> Self {
            Fake {
                script: RefCell::new(script.into()),
                ..Default::default()
            }
        }
    }

    impl Transport for Fake {
        async fn send(
            &self,
            url: String,
            req: HttpRequest,
            timeout_ms: u64,
        ) -> Result<HttpResponse, TransportError> {
            self.sent.borrow_mut().push((url, req, timeout_ms));
            let next = self.script.borrow_mut().pop_front();
            let answer =
                next.unwrap_or_else(|| Err(TransportError::Network("script ended".into())));
            if answer == Err(TransportError::Timeout) {
                self.clock.set(self.clock.get() + timeout_ms);
            }
            answer
        }

        async fn sleep(&self, ms: u64) {
            self.sleeps.borrow_mut().push(ms);
            self.clock.set(self.clock.get() + ms);
            if self.stop_in_sleep.get() {
                self.stopped.set(true);
            }
        }

        fn now_ms(&self) -> u64 {
            self.clock.get()
        }

        fn reads_stopped(&self) -> bool {
            self.stopped.get()
        }
    }

    /// Drives a future whose every await is ready at once (the fake never pends).
    fn run<F: Future>(f: F) -> F::Output {
        let mut f = pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the fake transport never pends"),
        }
    }

    fn ok(body: &str) -> Scripted {
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        })
    }

    fn status(status: u16, headers: &[(&str, &str)], body: &str) -> Scripted {
        Ok(HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        })
    }

    const BASE: &str = "http://sim.test/linkedin/";
    const ACCOUNTS: &str = r#"[{"id":"a1","firstName":"Ada"}]"#;
    const SEND_OK: &str = r#"{"success":true,"message":"sent"}"#;

    fn client(script: Vec<Scripted>) -> Client<Fake> {
        Client::new(Fake::with(script), BASE, "dev".to_string()).with_jitter(|| 0.0)
    }

    fn sent(c: &Client<Fake>) -> Vec<(String, HttpRequest, u64)> {
        c.transport().sent.borrow().clone()
    }

    fn hello() -> SendRequest {
        SendRequest {
            message: "hello".into(),
            conversation_urn: Some("urn:li:msg_conversation:(urn:li:fsd_profile:A,2-x)".into()),
            ..Default::default()
        }
    }

    #[test]
    fn every_request_carries_the_bearer_key_and_the_joined_url() {
        let c = client(vec![ok(ACCOUNTS)]);
        let accounts = run(c.accounts(Some("Ada"))).expect("accounts");
        assert_eq!(accounts[0].first_name, "Ada");
        let sent = sent(&c);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, "http://sim.test/linkedin/accounts?q=Ada");
        assert_eq!(sent[0].1.header("authorization"), Some("Bearer dev"));
        assert_eq!(sent[0].2, DEFAULT_TIMEOUT_MS);
    }

    #[test]
    fn the_key_function_is_asked_on_every_call() {
        let n = Arc::new(AtomicU64::new(0));
        let counter = n.clone();
        let key = KeyFn(move || format!("k{}", counter.fetch_add(1, Ordering::Relaxed)));
        let c = Client::new(Fake::with(vec![ok(ACCOUNTS), ok(ACCOUNTS)]), BASE, key);
        run(c.accounts(None)).unwrap();
        run(c.accounts(None)).unwrap();
        let keys: Vec<_> = c
            .transport()
            .sent
            .borrow()
            .iter()
            .map(|s| s.1.header("Authorization").unwrap().to_string())
            .collect();
        assert_eq!(keys, ["Bearer k0", "Bearer k1"]);
    }

    #[test]
    fn an_empty_key_is_unauthorized_without_a_request() {
        let c = Client::new(Fake::default(), BASE, " ".to_string());
        let err = run(c.accounts(None)).unwrap_err();
        assert_eq!(err.code(), "unauthorized");
        assert!(c.transport().sent.borrow().is_empty());
    }

    #[test]
    fn the_default_account_applies_when_a_call_names_none() {
        let page = r#"{"success":true,"conversations":[],"hasMore":false}"#;
        let c = client(vec![ok(page), ok(page), ok(page), ok(SEND_OK)])
            .with_default_account(Some("acc-default".into()));
        run(c.list_conversations(ListConversationsQuery::default())).unwrap();
        let named = ListConversationsQuery {
            account_id: Some("acc-2".into()),
            ..Default::default()
        };
        run(c.list_conversations(named)).unwrap();
        let multi = ListConversationsQuery {
            linkedin_account_ids: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        run(c.list_conversations(multi)).unwrap();
        run(c.send(hello())).unwrap();
        let sent = sent(&c);
        assert!(sent[0].0.ends_with("/conversations?accountId=acc-default"));
        assert!(sent[1].0.ends_with("/conversations?accountId=acc-2"));
        assert!(sent[2]
            .0
            .ends_with("/conversations?linkedinAccountIds=a%2Cb"));
        assert!(String::from_utf8_lossy(sent[3].1.body.as_bytes())
            .contains("\"accountId\":\"acc-default\""));
    }

    #[test]
    fn premium_without_any_account_is_refused_locally() {
        let c = client(vec![]);
        let err = run(c.premium_status(None)).unwrap_err();
        assert!(err.is_local());
        assert_eq!(err.reason(), Some("missing_id"));
        assert!(sent(&c).is_empty());
    }

    /// The engine's premium call with no account anywhere asks `GET /accounts` and takes the
    /// first one listed; with none listed it is the local refusal; a named account is asked
    /// directly. Each answer wrapped as its `ApiReply`.
    #[test]
    fn the_engines_premium_call_falls_back_to_the_first_listed_account() {
        use crate::sync::{ApiCall, ApiReply};
        let premium = ApiCall::PremiumStatus { account_id: None };
        let premium_ok = r#"{"success":true,"accountId":"a1","isPremium":true}"#;
        let c = client(vec![ok(ACCOUNTS), ok(premium_ok)]);
        match run(c.run(premium.clone())) {
            Ok(ApiReply::PremiumStatus(p)) => assert_eq!(p.account_id, "a1"),
            other => panic!("{other:?}"),
        }
        let urls: Vec<String> = sent(&c).into_iter().map(|s| s.0).collect();
        assert_eq!(
            urls,
            [
                "http://sim.test/linkedin/accounts",
                "http://sim.test/linkedin/account/a1/premium"
            ]
        );

        let c = client(vec![ok("[]")]);
        let err = run(c.run(premium)).unwrap_err();
        assert_eq!(err.reason(), Some("missing_id"));
        assert_eq!(sent(&c).len(), 1);

        let c = client(vec![ok(premium_ok)]);
        let named = ApiCall::PremiumStatus {
            account_id: Some("a2".into()),
        };
        assert!(matches!(run(c.run(named)), Ok(ApiReply::PremiumStatus(_))));
        assert_eq!(sent(&c)[0].0, "http://sim.test/linkedin/account/a2/premium");

        let c = client(vec![ok(SEND_OK)]);
        let send = ApiCall::Send {
            client_key: crate::sync::ClientKey("k".into()),
            request: hello(),
        };
        assert!(matches!(run(c.run(send)), Ok(ApiReply::Send(_))));
        assert_eq!(sent(&c)[0].1.method, Method::Post);
    }

    #[test]
    fn stopped_reads_send_nothing_and_ask_no_key_while_writes_still_leave() {
        let asked = Arc::new(AtomicU64::new(0));
        let counter = asked.clone();
        let key = KeyFn(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            "dev".to_string()
        });
        let c = Client::new(Fake::with(vec![ok(SEND_OK)]), BASE, key);
        c.transport().stopped.set(true);
        let err = run(c.accounts(None)).unwrap_err();
        assert_eq!(err.code(), "network");
        assert!(
            c.transport().sent.borrow().is_empty(),
            "a stopped read was sent"
        );
        assert_eq!(
            asked.load(Ordering::Relaxed),
            0,
            "a stopped read asked for the key"
        );
        // A read's two requests (the premium status with no account named: `GET /accounts`
        // first) stop too; a send is still sent, once.
        let premium = crate::sync::ApiCall::PremiumStatus { account_id: None };
        assert!(run(c.run(premium)).is_err());
        assert!(c.transport().sent.borrow().is_empty());
        let send = crate::sync::ApiCall::Send {
            client_key: crate::sync::ClientKey("k".into()),
            request: hello(),
        };
        assert!(matches!(
            run(c.run(send)),
            Ok(crate::sync::ApiReply::Send(_))
        ));
        assert_eq!(c.transport().sent.borrow().len(), 1);
        assert_eq!(c.transport().sent.borrow()[0].1.method, Method::Post);
    }

    #[test]
    fn reads_stopped_during_a_backoff_are_not_retried() {
        let c = client(vec![status(503, &[], r#"{"error":"busy"}"#), ok(ACCOUNTS)]);
        c.transport().stop_in_sleep.set(true);
        let err = run(c.accounts(None)).unwrap_err();
        assert_eq!(err.code(), "network");
        assert_eq!(
            sent(&c).len(),
            1,
            "a read was retried after its owner stopped reads"
        );
        assert_eq!(*c.transport().sleeps.borrow(), [200]);
        // The same with reads still wanted: retried (what the stop changes).
        let c = client(vec![status(503, &[], r#"{"error":"busy"}"#), ok(ACCOUNTS)]);
        assert_eq!(run(c.accounts(None)).unwrap().len(), 1);
        assert_eq!(sent(&c).len(), 2);
    }

    #[test]
    fn a_read_is_retried_after_a_429_honouring_retry_after() {
        let c = client(vec![
            status(429, &[("Retry-After", "2")], r#"{"error":"slow down"}"#),
            ok(ACCOUNTS),
        ]);
        assert_eq!(run(c.accounts(None)).unwrap().len(), 1);
        assert_eq!(sent(&c).len(), 2);
        assert_eq!(*c.transport().sleeps.borrow(), [2000]);
    }

    #[test]
    fn a_read_gives_up_after_the_maximum_attempts_with_the_last_error() {
        let c = client(vec![
            status(500, &[], r#"{"error":"a"}"#),
            status(502, &[], "<title>Bad Gateway</title>"),
            status(503, &[], r#"{"error":"c"}"#),
            ok(ACCOUNTS),
        ]);
        let err = run(c.accounts(None)).unwrap_err();
        assert_eq!(
            err,
            ApiError::Server {
                status: 503,
                message: "c".into()
            }
        );
        assert_eq!(sent(&c).len(), 3);
        assert_eq!(*c.transport().sleeps.borrow(), [200, 400]);
    }

    #[test]
    fn a_read_that_times_out_is_retried_within_the_budget() {
        let c = client(vec![
            Err(TransportError::Timeout),
            Err(TransportError::Network("reset".into())),
            ok(ACCOUNTS),
        ]);
        run(c.accounts(None)).unwrap();
        let timeouts: Vec<u64> = sent(&c).iter().map(|s| s.2).collect();
        // 15 s spent on the first attempt, 0.2 s waiting: the second has 4.8 s of the 20 s left.
        assert_eq!(timeouts, [15_000, 4_800, 4_400]);
    }

    #[test]
    fn a_429_asking_for_longer_than_the_budget_is_reported_at_once() {
        let c = client(vec![
            status(429, &[("Retry-After", "120")], ""),
            ok(ACCOUNTS),
        ]);
        let err = run(c.accounts(None)).unwrap_err();
        assert_eq!(err.retry_after_ms(), Some(120_000));
        assert_eq!(sent(&c).len(), 1);
    }

    #[test]
    fn writes_are_sent_exactly_once_whatever_the_fault() {
        let faults = || {
            vec![
                status(500, &[], r#"{"error":"boom"}"#),
                status(429, &[("Retry-After", "1")], ""),
                Err(TransportError::Timeout),
                Err(TransportError::Network("dropped".into())),
            ]
        };
        for fault in faults() {
            let expected_code = match &fault {
                Ok(r) if r.status == 500 => "server",
                Ok(_) => "rate_limited",
                Err(TransportError::Timeout) => "timeout",
                Err(_) => "network",
            };
            let calls: Vec<Box<WriteCall>> = vec![
                Box::new(|c| run(c.send(hello())).map(drop)),
                Box::new(|c| {
                    run(c.react(
                        "urn:li:messagingThread:2-c1",
                        "urn:li:messagingMessage:2-m1",
                        "👍",
                        true,
                        None,
                    ))
                    .map(drop)
                }),
                Box::new(|c| {
                    run(c.recall(
                        "urn:li:messagingThread:2-c1",
                        "urn:li:messagingMessage:2-m1",
                        None,
                    ))
                    .map(drop)
                }),
                Box::new(|c| {
                    run(c.upload_attachment(vec![1], "image/png", "a.png", None)).map(drop)
                }),
            ];
            for call in calls {
                let c = client(vec![fault.clone(), ok(SEND_OK)]);
                let err = call(&c).unwrap_err();
                assert_eq!(err.code(), expected_code);
                assert_eq!(sent(&c).len(), 1, "{err}");
                assert!(c.transport().sleeps.borrow().is_empty());
            }
        }
    }

    #[test]
    fn a_send_refused_locally_sends_nothing() {
        let c = client(vec![ok(SEND_OK)]);
        let mut long = hello();
        long.message = "x".repeat(8001);
        let err = run(c.send(long)).unwrap_err();
        assert_eq!(
            (err.reason(), err.status()),
            (Some("message_too_long"), None)
        );
        let mut empty = hello();
        empty.message.clear();
        assert_eq!(
            run(c.send(empty)).unwrap_err().reason(),
            Some("empty_message")
        );
        assert!(sent(&c).is_empty());
    }

    #[test]
    fn an_upload_is_a_raw_body_sent_once() {
        let c = client(vec![ok(
            r#"{"success":true,"attachment":{"assetUrn":"urn:li:a:1","byteSize":3,"mediaType":"image/png","name":"a.png"}}"#,
        )]);
        let up =
            run(c.upload_attachment(vec![1, 2, 3], "image/png", "a.png", Some("acc"))).unwrap();
        assert_eq!(up.attachment.byte_size, 3);
        let (url, req, _) = &sent(&c)[0];
        assert!(url.ends_with("/conversations/upload-attachment?accountId=acc&filename=a.png"));
        assert_eq!((req.method, req.op), (Method::Post, Op::Upload));
        assert_eq!(
            req.body,
            Body::Raw {
                bytes: vec![1, 2, 3],
                content_type: "image/png".into()
            }
        );
    }

    #[test]
    fn the_conversations_pager_follows_next_cursor_until_the_end() {
        let c = client(vec![
            ok(
                r#"{"success":true,"conversations":[{"conversationUrn":"c1"}],"nextCursor":"p2","hasMore":true}"#,
            ),
            ok(
                r#"{"success":true,"conversations":[{"conversationUrn":"c2"}],"nextCursor":"p3","hasMore":true}"#,
            ),
            ok(r#"{"success":true,"conversations":[{"conversationUrn":"c3"}],"hasMore":false}"#),
        ]);
        let mut pager = c.conversations_pager(ListConversationsQuery {
            linkedin_account_ids: vec!["a".into(), "b".into()],
            ..Default::default()
        });
        let all = run(pager.collect(10)).unwrap();
        let urns: Vec<_> = all.iter().map(|c| c.conversation_urn.as_str()).collect();
        assert_eq!(urns, ["c1", "c2", "c3"]);
        assert!(run(pager.next_page()).is_none());
        let urls: Vec<_> = sent(&c).into_iter().map(|s| s.0).collect();
        assert!(urls[0].ends_with("?linkedinAccountIds=a%2Cb"));
        assert!(urls[1].ends_with("?linkedinAccountIds=a%2Cb&nextCursor=p2"));
        assert!(urls[2].ends_with("?linkedinAccountIds=a%2Cb&nextCursor=p3"));
    }

    #[test]
    fn a_cursor_that_does_not_move_ends_the_pager() {
        let page = r#"{"success":true,"conversations":[],"nextCursor":"same","hasMore":true}"#;
        let c = client(vec![ok(page), ok(page), ok(page)]);
        let mut pager = c.conversations_pager(ListConversationsQuery::default());
        assert!(run(pager.collect(10)).is_ok());
        assert_eq!(sent(&c).len(), 2);
    }

    #[test]
    fn the_messages_pager_goes_older_while_has_more_even_on_short_pages() {
        let c = client(vec![
            ok(r#"{"success":true,"messages":[],"hasMore":true,"cursor":1700}"#),
            ok(
                r#"{"success":true,"messages":[{"messageUrn":"m1"}],"hasMore":true,"cursor":"1600"}"#,
            ),
            ok(
                r#"{"success":true,"messages":[{"messageUrn":"m0"}],"hasMore":false,"cursor":"1500"}"#,
            ),
        ]);
        let mut pager =
            c.older_messages_pager("urn:li:messagingThread:2-c1", MessagesQuery::default());
        let mut pages = 0;
        while let Some(page) = run(pager.next_page()) {
            page.unwrap();
            pages += 1;
        }
        assert_eq!(pages, 3);
        let urls: Vec<_> = sent(&c).into_iter().map(|s| s.0).collect();
        assert!(urls[1].ends_with("/messages?cursor=1700"), "{}", urls[1]);
        assert!(urls[2].ends_with("/messages?cursor=1600"));
    }

    #[test]
    fn a_pager_error_keeps_its_place() {
        let c = client(vec![
            ok(r#"{"success":true,"messages":[],"hasMore":true,"cursor":"c2"}"#),
            status(404, &[], r#"{"error":"gone"}"#),
            ok(r#"{"success":true,"messages":[],"hasMore":false}"#),
        ]);
        let mut pager =
            c.older_messages_pager("urn:li:messagingThread:2-c1", MessagesQuery::default());
        run(pager.next_page()).unwrap().unwrap();
        assert_eq!(
            run(pager.next_page()).unwrap().unwrap_err().code(),
            "not_found"
        );
        run(pager.next_page()).unwrap().unwrap();
        let urls: Vec<_> = sent(&c).into_iter().map(|s| s.0).collect();
        assert_eq!(urls[1], urls[2]);
    }

    #[test]
    fn poll_asks_only_for_newer_messages() {
        let c = client(vec![ok(
            r#"{"success":true,"messages":[],"hasMore":false}"#,
        )]);
        run(c.poll_messages("urn:li:messagingThread:2-c1", 1_700_000_000_000, None)).unwrap();
        assert!(sent(&c)[0].0.ends_with("/messages?since=1700000000000"));
    }

    #[test]
    fn timeouts_are_clamped_well_under_30_seconds() {
        let c = client(vec![]).with_timeout_ms(60_000);
        assert_eq!(c.timeout_ms, MAX_TIMEOUT_MS);
    }

    #[test]
    fn default_jitter_samples_stay_in_range() {
        let seed = AtomicU64::new(42);
        for _ in 0..1000 {
            let j = splitmix(&seed);
            assert!((0.0..1.0).contains(&j));
        }
    }

    fn redirect(status: u16, location: &str) -> Scripted {
        Ok(HttpResponse {
            status,
            headers: vec![("Location".into(), location.into())],
            body: vec![],
        })
    }

    #[test]
    fn a_write_never_follows_a_redirect_and_is_never_a_success() {
        for status in [300, 301, 302, 303, 307, 308] {
            let calls: Vec<Box<WriteCall>> = vec![
                Box::new(|c| run(c.send(hello())).map(drop)),
                Box::new(|c| {
                    run(c.react(
                        "urn:li:messagingThread:2-c1",
                        "urn:li:messagingMessage:2-m1",
                        "👍",
                        true,
                        None,
                    ))
                    .map(drop)
                }),
                Box::new(|c| {
                    run(c.recall(
                        "urn:li:messagingThread:2-c1",
                        "urn:li:messagingMessage:2-m1",
                        None,
                    ))
                    .map(drop)
                }),
                Box::new(|c| {
                    run(c.upload_attachment(vec![1], "image/png", "a.png", None)).map(drop)
                }),
            ];
            for call in calls {
                // Same origin or not, the write stops at the redirect.
                for to in [
                    "http://sim.test/linkedin/elsewhere",
                    "https://evil.test/send",
                ] {
                    let c = client(vec![redirect(status, to), ok(SEND_OK)]);
                    let err = call(&c).unwrap_err();
                    assert_eq!((err.code(), err.status()), ("malformed", Some(status)));
                    assert!(err.is_ambiguous(), "never offered for a blind resend");
                    assert!(err.to_string().contains("not followed"), "{err}");
                    assert_eq!(sent(&c).len(), 1, "not re-sent anywhere");
                }
            }
        }
    }

    #[test]
    fn a_read_follows_a_redirect_to_its_own_origin_with_the_key() {
        let page = r#"{"success":true,"conversations":[],"hasMore":false}"#;
        let c = client(vec![
            redirect(307, "/linkedin/conversations?accountId=a1"),
            redirect(302, "conversations?accountId=a2"),
            ok(page),
        ]);
        run(c.recent_messages(RecentMessagesQuery::default())).expect("followed");
        let sent = sent(&c);
        let urls: Vec<&str> = sent.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://sim.test/linkedin/messaging/recent-messages",
                "http://sim.test/linkedin/conversations?accountId=a1",
                "http://sim.test/linkedin/conversations?accountId=a2",
            ]
        );
        assert!(sent
            .iter()
            .all(|s| s.1.header("Authorization") == Some("Bearer dev")));
    }

    #[test]
    fn a_read_redirected_to_another_origin_is_refused_without_a_request() {
        for to in [
            "https://evil.test/linkedin/conversations",
            "//evil.test/x",
            "http://sim.test:8080/linkedin/conversations",
            "https://sim.test/linkedin/conversations",
            "http://user@sim.test/linkedin",
            "javascript:alert(1)",
            "",
        ] {
            let c = client(vec![redirect(301, to), ok(ACCOUNTS)]);
            let err = run(c.accounts(None)).unwrap_err();
            assert_eq!(err.code(), "malformed", "{to}");
            assert_eq!(sent(&c).len(), 1, "{to}: never followed");
        }
    }

    #[test]
    fn a_read_follows_at_most_three_redirects() {
        let c = client(vec![
            redirect(302, "/a"),
            redirect(302, "/b"),
            redirect(302, "/c"),
            redirect(302, "/d"),
            ok(ACCOUNTS),
        ]);
        let err = run(c.accounts(None)).unwrap_err();
        assert_eq!(err.status(), Some(302));
        assert_eq!(sent(&c).len(), 4);
    }

    #[test]
    fn rate_limit_headers_of_a_success_are_kept() {
        let c = client(vec![status(
            200,
            &[
                ("X-RateLimit-Limit", "60"),
                ("X-RateLimit-Remaining", "12"),
                ("X-RateLimit-Used", "48"),
                ("Date", "Mon, 27 Apr 2026 15:00:00 GMT"),
                ("X-RateLimit-Reset", "2026-04-27T15:01:00Z"),
            ],
            ACCOUNTS,
        )]);
        assert_eq!(c.rate_limit(), None);
        run(c.accounts(None)).unwrap();
        let limits = c.rate_limit().expect("kept");
        assert_eq!(
            (limits.limit, limits.remaining, limits.used),
            (Some(60), Some(12), Some(48))
        );
        assert_eq!(limits.reset_at_ms, Some(1_777_302_060_000));
    }

    #[test]
    fn unread_only_is_sent() {
        let page = r#"{"success":true,"conversations":[],"hasMore":false}"#;
        let c = client(vec![ok(page)]);
        let q = ListConversationsQuery {
            unread_only: Some(true),
            ..Default::default()
        };
        run(c.list_conversations(q)).unwrap();
        assert!(sent(&c)[0].0.ends_with("/conversations?unreadOnly=true"));
    }
}
