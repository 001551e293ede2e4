//! Fault injection: statuses in each route's shape, drops, malformed and HTML bodies, latency,
//! before/after a write, counts, and the request ledger.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

/// One call of `op` with valid inputs; the raw result.
async fn call(sim: &Sim, op: &str) -> reqwest::Result<reqwest::Response> {
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let c = enc(&conv);
    let m = enc(&tuple_message(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID));
    let (method, path, body) = match op {
        "conversations" => (Method::GET, "/conversations".to_string(), None),
        "recentMessages" => (Method::GET, "/messaging/recent-messages".to_string(), None),
        "messages" => (Method::GET, format!("/conversations/{c}/messages"), None),
        "send" => (
            Method::POST,
            "/conversations/send".to_string(),
            Some(json!({"conversationUrn": conv, "message": "faulty?"})),
        ),
        "react" => (
            Method::POST,
            format!("/conversations/{c}/messages/{m}/react"),
            Some(json!({"emoji": "👍", "react": true})),
        ),
        "recall" => (
            Method::DELETE,
            format!("/conversations/{c}/messages/{m}"),
            None,
        ),
        "upload" => (
            Method::POST,
            "/conversations/upload-attachment?filename=a.txt".to_string(),
            None,
        ),
        "accounts" => (Method::GET, "/accounts".to_string(), None),
        _ => (
            Method::GET,
            format!("/account/{}/premium", ids::ACCOUNT_ADA),
            None,
        ),
    };
    let mut req = sim.http.request(method, sim.url(&path)).bearer_auth(KEY);
    req = match (op, body) {
        ("upload", _) => req.header("content-type", "text/plain").body("hello"),
        (_, Some(b)) => req.json(&b),
        _ => req,
    };
    req.send().await
}

const OPS: [(&str, &str); 9] = [
    ("conversations", "coded"),
    ("recentMessages", "legacy"),
    ("messages", "legacy"),
    ("send", "coded"),
    ("react", "legacy"),
    ("recall", "legacy"),
    ("upload", "coded"),
    ("accounts", "coded"),
    ("premium", "coded"),
];

#[tokio::test]
async fn every_op_answers_every_injected_status_in_its_route_shape() {
    let sim = Sim::start().await;
    for (op, shape) in OPS {
        for status in [400u16, 401, 404, 429, 500, 502] {
            sim.fault(json!({"op": op, "status": status, "retryAfterS": 7}))
                .await;
            let res = call(&sim, op).await.expect("answered");
            assert_eq!(res.status().as_u16(), status, "{op}");
            if status == 429 {
                assert_eq!(res.headers()["retry-after"], "7");
                assert!(res.headers().contains_key("x-ratelimit-reset"));
            }
            let body: Value = res.json().await.expect("JSON error body");
            let text = if shape == "legacy" {
                &body["error"]
            } else {
                &body["message"]
            };
            assert!(
                text.as_str().is_some_and(|t| t.contains("injected")),
                "{op} {status}: {body}"
            );
            if shape == "coded" {
                assert_eq!(body["success"], false);
                assert!(body["code"].is_string());
            }
        }
        // Disarmed after one call each: the next call is normal.
        assert_eq!(
            call(&sim, op).await.unwrap().status(),
            StatusCode::OK,
            "{op}"
        );
        let ledger = sim.ledger(op).await;
        assert_eq!(ledger["total"], 7, "{op}: {ledger}");
        for s in ["400", "401", "404", "429", "500", "502", "200"] {
            assert_eq!(ledger["byStatus"][s], 1, "{op} {s}");
        }
    }
}

#[tokio::test]
async fn a_dropped_connection_gives_no_answer_and_is_counted_as_dropped() {
    let sim = Sim::start().await;
    for (op, _) in OPS {
        sim.fault(json!({"op": op, "drop": true})).await;
        assert!(
            call(&sim, op).await.is_err(),
            "{op}: the connection closes without an answer"
        );
        assert_eq!(sim.ledger(op).await["byStatus"]["dropped"], 1, "{op}");
        assert_eq!(
            call(&sim, op).await.unwrap().status(),
            StatusCode::OK,
            "{op} recovers"
        );
    }
}

#[tokio::test]
async fn malformed_and_html_faults_send_bodies_a_json_parser_refuses() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "conversations", "malformed": true}))
        .await;
    let res = call(&sim, "conversations").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert!(res.json::<Value>().await.is_err());

    sim.fault(json!({"op": "messages", "html": true})).await;
    let res = call(&sim, "messages").await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("<html>"));

    sim.fault(json!({"op": "accounts", "html": true, "status": 503}))
        .await;
    assert_eq!(call(&sim, "accounts").await.unwrap().status().as_u16(), 503);
}

#[tokio::test]
async fn a_latency_fault_delays_the_answer_for_count_calls() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "premium", "latencyMs": 300, "count": 2}))
        .await;
    for _ in 0..2 {
        let t = Instant::now();
        assert_eq!(
            call(&sim, "premium").await.unwrap().status(),
            StatusCode::OK
        );
        assert!(t.elapsed() >= Duration::from_millis(300));
    }
    let t = Instant::now();
    call(&sim, "premium").await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn faults_apply_to_the_next_count_calls_in_arming_order() {
    let sim = Sim::start().await;
    sim.fault(
        json!([{"op": "accounts", "status": 500, "count": 2}, {"op": "accounts", "status": 404}]),
    )
    .await;
    let armed = sim.control_get("/__sim/faults").await;
    assert_eq!(armed["armed"][0]["remaining"], 2);
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(call(&sim, "accounts").await.unwrap().status().as_u16());
    }
    assert_eq!(seen, [500, 500, 404, 200]);
    sim.fault(json!({"op": "accounts", "status": 500, "count": 5}))
        .await;
    let res = sim
        .http
        .delete(sim.url("/__sim/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        call(&sim, "accounts").await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_fault_before_a_write_stores_nothing_and_one_after_stores_it_exactly_once() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let count = |msgs: Vec<Value>| texts(&msgs).iter().filter(|t| *t == "faulty?").count();

    sim.fault(json!({"op": "send", "status": 500})).await;
    assert_eq!(
        call(&sim, "send").await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    sim.fault(json!({"op": "send", "drop": true})).await;
    assert!(call(&sim, "send").await.is_err());
    assert_eq!(
        count(sim.messages(&conv, ids::ACCOUNT_ADA).await),
        0,
        "default: before the write"
    );
    assert_eq!(sim.ledger("send").await["applied"], 0);

    sim.fault(json!({"op": "send", "drop": true, "after": true}))
        .await;
    assert!(call(&sim, "send").await.is_err());
    assert_eq!(
        count(sim.messages(&conv, ids::ACCOUNT_ADA).await),
        1,
        "stored, then dropped"
    );
    sim.fault(json!({"op": "send", "status": 502, "after": true}))
        .await;
    assert_eq!(
        call(&sim, "send").await.unwrap().status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(count(sim.messages(&conv, ids::ACCOUNT_ADA).await), 2);
    let ledger = sim.ledger("send").await;
    assert_eq!(ledger["applied"], 2);
    assert_eq!(ledger["total"], 4);
    assert_eq!(ledger["byStatus"]["dropped"], 2);

    // A recall that took effect but answered 500 is gone for good.
    sim.fault(json!({"op": "recall", "status": 500, "after": true}))
        .await;
    assert_eq!(
        call(&sim, "recall").await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert!(!texts(&sim.messages(&conv, ids::ACCOUNT_ADA).await)
        .contains(&"Oops, wrong thread!".into()));
}

#[tokio::test]
async fn bad_fault_specs_are_refused() {
    let sim = Sim::start().await;
    for bad in [
        json!({"op": "fly", "status": 500}),
        json!({"op": "send", "status": 99}),
        json!({"op": "send", "status": 200}),
        json!({"op": "send", "count": 0, "status": 500}),
        json!({"op": "send", "drop": true, "html": true}),
        json!({"op": "send", "sttaus": 500}),
    ] {
        let res = sim
            .http
            .post(sim.url("/__sim/faults"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(res.json::<Value>().await.unwrap()["error"].is_string());
    }
    assert!(sim.control_get("/__sim/faults").await["armed"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_ledger_counts_every_op_and_resets() {
    let sim = Sim::start().await;
    let ledger = sim.control_get("/__sim/requests").await;
    for (op, _) in OPS {
        assert_eq!(ledger[op]["total"], 0, "{op}");
    }
    call(&sim, "accounts").await.unwrap();
    sim.http.get(sim.url("/accounts")).send().await.unwrap();
    let acc = sim.ledger("accounts").await;
    assert_eq!(
        (acc["total"].as_u64(), acc["applied"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(acc["byStatus"], json!({"200": 1, "401": 1}));
    sim.control("/__sim/requests/reset", json!({})).await;
    assert_eq!(sim.ledger("accounts").await["total"], 0);
}
