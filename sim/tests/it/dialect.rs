//! Dialects: `POST /__sim/dialect` switches the API to the other documented shapes, and back.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn all_values<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(o) => {
            if let Some(x) = o.get(key) {
                out.push(x);
            }
            o.values().for_each(|c| all_values(c, key, out));
        }
        Value::Array(a) => a.iter().for_each(|c| all_values(c, key, out)),
        _ => {}
    }
}

#[tokio::test]
async fn mixed_answers_in_every_documented_form_and_clean_is_back_after() {
    let sim = Sim::start().await;
    assert_eq!(sim.control_get("/__sim/dialect").await["dialect"], "clean");
    let clean = sim.get_ok("/conversations?count=50").await;
    let mut times = Vec::new();
    all_values(&clean, "lastActivityAt", &mut times);
    assert!(times.iter().all(|t| t.is_i64()), "clean: numbers");

    sim.control("/__sim/dialect", json!({"dialect": "mixed"}))
        .await;
    let res = sim.get("/conversations?count=50").await;
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-used",
        "x-ratelimit-reset",
        "date",
    ] {
        assert!(res.headers().contains_key(h), "{h} on a success");
    }
    let reset = res.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        reset.ends_with('Z') && reset.contains('T'),
        "ISO reset: {reset}"
    );
    let mixed: Value = res.json().await.unwrap();
    let mut times = Vec::new();
    all_values(&mixed, "lastActivityAt", &mut times);
    assert!(
        times
            .iter()
            .any(|t| t.as_str().is_some_and(|s| s.contains('T'))),
        "ISO strings"
    );
    assert!(
        times
            .iter()
            .any(|t| t.as_str().is_some_and(|s| s.parse::<i64>().is_ok())),
        "numeric strings"
    );

    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let page = sim
        .get_ok(&format!("/conversations/{}/messages?count=50", enc(&conv)))
        .await;
    let messages = page["messages"].as_array().unwrap();
    assert!(messages
        .iter()
        .any(|m| m.get("messageId").is_some() && m.get("messageUrn").is_none()));
    assert!(
        messages.iter().any(|m| m["attachments"].is_null()),
        "empty lists as null"
    );

    let sent = sim
        .post_ok(
            "/conversations/send",
            json!({"conversationUrn": conv, "message": "dialect check"}),
        )
        .await;
    let body = sent.get("data").unwrap_or(&sent);
    assert_eq!(
        body["message"], "Message sent successfully",
        "status text, not the sent text"
    );
    assert!(body["messageId"]
        .as_str()
        .is_some_and(|s| s.starts_with("urn:li:")));
    assert_eq!(body["accountId"], ids::ACCOUNT_ADA);

    // The older endpoint redirects to the list, keeping what the list understands.
    let raw = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = raw
        .get(sim.url("/messaging/recent-messages?count=5&read=false&keywords=x"))
        .bearer_auth("dev")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        res.headers()["location"],
        "/conversations?count=5&unreadOnly=true"
    );

    sim.control("/__sim/dialect", json!({"dialect": "clean"}))
        .await;
    let again = sim.get_ok("/conversations?count=50").await;
    let mut times = Vec::new();
    all_values(&again, "lastActivityAt", &mut times);
    assert!(times.iter().all(|t| t.is_i64()));
}

#[tokio::test]
async fn an_expired_subscription_answers_403_on_every_call_until_renewed() {
    let sim = Sim::start().await;
    sim.control("/__sim/dialect", json!({"subscription": "expired"}))
        .await;
    let res = sim.get("/accounts").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert!(body["error"].as_str().unwrap().contains("subscription"));
    // A bad key is still a 401: the key is checked first.
    let res = reqwest::Client::new()
        .get(sim.url("/accounts"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    sim.control("/__sim/dialect", json!({"subscription": "active"}))
        .await;
    assert_eq!(sim.get("/accounts").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_429_in_the_mixed_dialect_has_an_iso_reset_and_no_plain_retry_after() {
    let sim = Sim::start().await;
    sim.control("/__sim/limits", json!({"writesPerMinute": 1}))
        .await;
    sim.control("/__sim/dialect", json!({"dialect": "mixed"}))
        .await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);
    let send = json!({"conversationUrn": conv, "message": "one"});
    assert_eq!(
        sim.post("/conversations/send", send.clone()).await.status(),
        StatusCode::OK
    );
    let res = sim.post("/conversations/send", send).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let h = res.headers().clone();
    let reset = h["x-ratelimit-reset"].to_str().unwrap();
    assert!(reset.ends_with('Z'), "{reset}");
    assert_eq!(h["x-ratelimit-action"], "MESSAGE");
    if let Some(ra) = h.get("retry-after") {
        assert!(
            ra.to_str().unwrap().ends_with("GMT"),
            "an HTTP date when present"
        );
    }
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert!(body["error"].as_str().unwrap().contains("Rate limit"));
}
