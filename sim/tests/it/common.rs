//! Start a simulator in-process on a free port and talk to it.

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use threadline_sim::{serve, Config, SimHandle};

pub use threadline_sim::seed_ids as ids;

pub const KEY: &str = "dev";

/// A running simulator and a client for it.
pub struct Sim {
    pub handle: SimHandle,
    pub http: reqwest::Client,
    pub base: String,
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::with(Config::ephemeral()).await
    }

    pub async fn with(config: Config) -> Sim {
        let handle = serve(config).await.expect("simulator starts");
        let base = handle.url();
        Sim {
            handle,
            http: reqwest::Client::new(),
            base,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An API request with the key.
    pub async fn api(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request answered")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.api(Method::GET, path, None).await
    }

    /// GET that must answer 200; the JSON body.
    pub async fn get_ok(&self, path: &str) -> Value {
        let res = self.get(path).await;
        let status = res.status();
        let body: Value = res.json().await.expect("JSON body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.api(Method::POST, path, Some(body)).await
    }

    /// POST that must answer 200; the JSON body.
    pub async fn post_ok(&self, path: &str, body: Value) -> Value {
        let res = self.post(path, body).await;
        let status = res.status();
        let body: Value = res.json().await.expect("JSON body");
        assert_eq!(status, StatusCode::OK, "POST {path}: {body}");
        body
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.api(Method::DELETE, path, None).await
    }

    /// A control-plane call (no key); the JSON answer, which must be 200.
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("control answered");
        let status = res.status();
        let body: Value = res.json().await.expect("JSON body");
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    pub async fn control_get(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("control answered")
            .json()
            .await
            .expect("JSON body")
    }

    pub async fn fault(&self, spec: Value) {
        self.control("/__sim/faults", spec).await;
    }

    /// `/__sim/requests` for one op.
    pub async fn ledger(&self, op: &str) -> Value {
        self.control_get("/__sim/requests").await[op].clone()
    }

    /// Messages of a conversation for an account (one page of up to 100, newest).
    pub async fn messages(&self, conversation: &str, account: &str) -> Vec<Value> {
        let page = self
            .get_ok(&format!(
                "/conversations/{}/messages?count=100&accountId={account}",
                enc(conversation)
            ))
            .await;
        page["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Send as `account` into `conversation`; the answer body.
    pub async fn reply(&self, account: &str, conversation: &str, text: &str) -> Value {
        self.post_ok(
            "/conversations/send",
            serde_json::json!({"accountId": account, "conversationUrn": conversation, "message": text}),
        )
        .await
    }

    pub async fn now_ms(&self) -> i64 {
        self.control_get("/__sim/clock").await["nowMs"]
            .as_i64()
            .expect("nowMs")
    }
}

/// Percent-encode a URN for a path segment, as the client does.
pub fn enc(s: &str) -> String {
    threadline::urn::encode_path_segment(s)
}

/// The same, leaving `(` and `)` raw (what `encodeURIComponent` does).
pub fn enc_raw_parens(s: &str) -> String {
    enc(s).replace("%28", "(").replace("%29", ")")
}

pub fn tuple_conversation(mailbox: &str, thread: &str) -> String {
    format!("urn:li:msg_conversation:(urn:li:fsd_profile:{mailbox},{thread})")
}

pub fn tuple_message(mailbox: &str, id: &str) -> String {
    format!("urn:li:msg_message:(urn:li:fsd_profile:{mailbox},{id})")
}

/// The invariant id of a message URN.
pub fn mid(urn: &str) -> String {
    threadline::urn::MessageId::parse(urn)
        .expect("a message URN")
        .as_str()
        .to_string()
}

pub fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

impl Sim {
    pub async fn control_get_text(&self, path: &str) -> String {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("control answered")
            .text()
            .await
            .expect("text body")
    }
}
