//! A harness for the client's integration tests: a simulator started in-process on a free port,
//! a client pointed at it, and the simulator's control plane (faults, reset, request ledger).

use std::time::Duration;

use serde_json::{json, Value};
use threadline::api::{Client, NativeTransport, RetryPolicy};
use threadline_sim::dialect::Dialect;
use threadline_sim::{serve, Config, SimHandle};

/// The dialect this test binary's simulators answer in (see `threadline_sim::dialect::for_tests`).
pub fn dialect() -> Dialect {
    threadline_sim::dialect::for_tests()
}

pub use threadline_sim::seed_ids as ids;

/// The timeout the tests give each request: short, so a latency fault passes it quickly.
pub const TEST_TIMEOUT_MS: u64 = 1_000;

/// A running simulator and a plain HTTP client for its control plane.
pub struct Sim {
    pub handle: SimHandle,
    control: reqwest::Client,
}

impl Sim {
    /// Starts a fresh simulator with the default seed on a free loopback port.
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
        Sim { handle, control }
    }

    /// The API base URL.
    pub fn url(&self) -> String {
        self.handle.url()
    }

    /// A client with the simulator's key, the test timeout, no jitter, and `retry` for reads.
    pub fn client_with(&self, key: &str, retry: RetryPolicy) -> Client<NativeTransport> {
        Client::new(
            NativeTransport::new().expect("transport"),
            self.url(),
            key.to_string(),
        )
        .with_timeout_ms(TEST_TIMEOUT_MS)
        .with_retry(retry)
        .with_jitter(|| 0.0)
    }

    /// A client with the simulator's key and the default retry policy.
    pub fn client(&self) -> Client<NativeTransport> {
        self.client_with("dev", RetryPolicy::default())
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

    /// The dialect and subscription state (`GET /__sim/dialect`).
    pub async fn dialect_state(&self) -> Value {
        let resp = self
            .control
            .get(format!("{}/__sim/dialect", self.url()))
            .send()
            .await
            .expect("dialect answers");
        serde_json::from_str(&resp.text().await.expect("dialect body")).expect("dialect JSON")
    }

    /// Switches the dialect or the subscription (`POST /__sim/dialect`).
    pub async fn set_dialect(&self, body: Value) -> Value {
        self.post("/__sim/dialect", body).await
    }

    /// Arms a fault (`POST /__sim/faults`).
    pub async fn fault(&self, spec: Value) {
        self.post("/__sim/faults", spec).await;
    }

    /// The other party writes into a conversation (`POST /__sim/incoming`).
    pub async fn incoming(&self, body: Value) -> Value {
        self.post("/__sim/incoming", body).await
    }

    /// The request ledger of one operation: `{total, byStatus, applied}`.
    pub async fn ledger(&self, op: &str) -> Value {
        let resp = self
            .control
            .get(format!("{}/__sim/requests", self.url()))
            .send()
            .await
            .expect("ledger answers");
        let all: Value =
            serde_json::from_str(&resp.text().await.expect("ledger body")).expect("ledger JSON");
        all.get(op).cloned().unwrap_or(json!({}))
    }

    /// How many calls of `op` the simulator counted.
    pub async fn total(&self, op: &str) -> u64 {
        self.ledger(op).await["total"].as_u64().unwrap_or(0)
    }

    /// How many calls of `op` ended with `outcome` (a status like `"200"`, or `"dropped"`).
    pub async fn count(&self, op: &str, outcome: &str) -> u64 {
        self.ledger(op).await["byStatus"][outcome]
            .as_u64()
            .unwrap_or(0)
    }

    /// How many calls of `op` took effect (a write reached "LinkedIn").
    pub async fn applied(&self, op: &str) -> u64 {
        self.ledger(op).await["applied"].as_u64().unwrap_or(0)
    }

    /// Calls of `op` the armed faults are still waiting for (`GET /__sim/faults`). A fault is
    /// used up when a request arrives, so this counts arrivals even of requests the client
    /// abandoned (the ledger only counts requests that got an answer).
    pub async fn armed(&self, op: &str) -> u64 {
        let resp = self
            .control
            .get(format!("{}/__sim/faults", self.url()))
            .send()
            .await
            .expect("faults answer");
        let all: Value =
            serde_json::from_str(&resp.text().await.expect("faults body")).expect("faults JSON");
        all["armed"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["op"] == op)
            .map(|f| f["remaining"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Waits for the simulator to finish a call the client gave up on (a latency fault).
    pub async fn settle(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
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
