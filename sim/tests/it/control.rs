//! The control plane: health, reset, clock, incoming, read marks, seeds, CORS and unknown routes.

use reqwest::StatusCode;
use serde_json::{json, Value};
use threadline_sim::{Config, SeedSource};

use crate::common::*;

#[tokio::test]
async fn health_and_seed_ids_need_no_key() {
    let sim = Sim::start().await;
    let health = sim.control_get("/__sim/health").await;
    assert_eq!(health["ok"], true);
    let seed = sim.control_get("/__sim/seed-ids").await;
    assert_eq!(seed["defaultAccount"], ids::ACCOUNT_ADA);
    assert_eq!(seed["longThreadId"], ids::LONG_THREAD_ID);
    assert_eq!(seed["accounts"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_clock_sets_advances_and_freezes() {
    let sim = Sim::start().await;
    let set = sim
        .control(
            "/__sim/clock",
            json!({"setMs": 1_900_000_000_000i64, "frozen": true}),
        )
        .await;
    assert_eq!(set["nowMs"], 1_900_000_000_000i64);
    assert_eq!(set["frozen"], true);
    let moved = sim
        .control("/__sim/clock", json!({"advanceMs": 1500}))
        .await;
    assert_eq!(moved["nowMs"], 1_900_000_001_500i64);
    assert_eq!(
        sim.control_get("/__sim/clock").await["nowMs"],
        1_900_000_001_500i64
    );
    // Sends are stamped by it, one millisecond apart when it stands still.
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);
    let a = sim.reply(ids::ACCOUNT_ADA, &conv, "one").await;
    let b = sim.reply(ids::ACCOUNT_ADA, &conv, "two").await;
    assert_eq!(a["sentMessage"]["sentAt"], 1_900_000_001_500i64);
    assert_eq!(b["sentMessage"]["sentAt"], 1_900_000_001_501i64);
    let running = sim.control("/__sim/clock", json!({"frozen": false})).await;
    assert_eq!(running["frozen"], false);
    let res = sim
        .http
        .post(sim.url("/__sim/clock"))
        .json(&json!({"setMs": "soon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn reset_goes_back_to_the_seed_and_can_fix_the_clock() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    sim.reply(ids::ACCOUNT_ADA, &conv, "temporary").await;
    sim.fault(json!({"op": "accounts", "status": 500})).await;
    sim.control("/__sim/reset", json!({"clockMs": 1_800_000_000_000i64}))
        .await;
    assert!(!texts(&sim.messages(&conv, ids::ACCOUNT_ADA).await).contains(&"temporary".into()));
    assert_eq!(
        sim.get("/accounts").await.status(),
        StatusCode::OK,
        "faults cleared"
    );
    assert_eq!(sim.ledger("send").await["total"], 0, "ledger cleared");
    // The seed's times hang off the clock at reset: deterministic.
    let first = sim
        .get_ok(&format!("/conversations/{}/messages?count=1", enc(&conv)))
        .await;
    assert_eq!(
        first["messages"][0]["sentAt"],
        1_800_000_000_000i64 - 10 * 60_000
    );
    let snap1 = sim.control_get("/__sim/snapshot").await;
    sim.control("/__sim/reset", json!({"clockMs": 1_800_000_000_000i64}))
        .await;
    assert_eq!(snap1, sim.control_get("/__sim/snapshot").await);
    sim.control("/__sim/reset", json!({"seed": "empty"})).await;
    let list = sim.get_ok("/conversations").await;
    assert!(list["conversations"].as_array().unwrap().is_empty());
    assert_eq!(sim.get_ok("/accounts").await.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_snapshot_loads_back_as_a_seed() {
    let sim = Sim::start().await;
    sim.reply(
        ids::ACCOUNT_ADA,
        &tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID),
        "kept",
    )
    .await;
    let snap = sim.control_get("/__sim/snapshot").await;
    let path =
        std::env::temp_dir().join(format!("threadline-sim-snap-{}.json", std::process::id()));
    std::fs::write(&path, snap.to_string()).unwrap();
    let seed = threadline_sim::load_seed_file(&path).expect("snapshot loads");
    let _ = std::fs::remove_file(&path);
    assert!(matches!(seed, SeedSource::Snapshot(_)));
    let other = Sim::with(Config {
        seed,
        ..Config::ephemeral()
    })
    .await;
    let msgs = other
        .messages(
            &tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID),
            ids::ACCOUNT_ADA,
        )
        .await;
    assert_eq!(texts(&msgs).last().unwrap(), "kept");
}

#[tokio::test]
async fn incoming_makes_the_other_party_write_and_unread_grows_until_read() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let unread = |list: Value| {
        list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["conversationId"] == ids::LONG_THREAD_ID)
            .unwrap()["unreadCount"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(unread(sim.get_ok("/conversations").await), 0);
    let ans = sim
        .control(
            "/__sim/incoming",
            json!({"accountId": ids::ACCOUNT_ADA, "conversationUrn": conv, "text": "ping"}),
        )
        .await;
    assert_eq!(ans["message"]["senderProfileId"], ids::PROFILE_LINUS);
    assert_eq!(ans["message"]["isSentByOwner"], false);
    assert_eq!(ans["conversationUrn"], conv);
    assert_eq!(unread(sim.get_ok("/conversations").await), 1);
    sim.control("/__sim/read", json!({"conversationUrn": conv}))
        .await;
    assert_eq!(unread(sim.get_ok("/conversations").await), 0);
    // In the shared thread the other party is Margaret, not the other account.
    let shared = tuple_conversation(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID);
    let ans = sim
        .control(
            "/__sim/incoming",
            json!({"accountId": ids::ACCOUNT_GRACE, "conversationUrn": shared, "text": "hi"}),
        )
        .await;
    assert_eq!(ans["message"]["senderProfileId"], ids::PROFILE_MARGARET);
    let res = sim
        .http
        .post(sim.url("/__sim/incoming"))
        .json(&json!({"accountId": ids::ACCOUNT_KATHERINE, "conversationUrn": conv, "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_reflects_any_origin_and_exposes_the_rate_limit_headers() {
    let sim = Sim::start().await;
    let origin = "http://127.0.0.1:45678";
    let pre = sim
        .http
        .request(reqwest::Method::OPTIONS, sim.url("/conversations/send"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success());
    let h = pre.headers();
    assert_eq!(h["access-control-allow-origin"], origin);
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    let res = sim
        .http
        .get(sim.url("/accounts"))
        .bearer_auth(KEY)
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    let expose = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for h in [
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(expose.contains(h), "{h}");
    }
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
}

#[tokio::test]
async fn an_unknown_route_is_a_json_404() {
    let sim = Sim::start().await;
    let res = sim.get("/conversation").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn a_disconnected_account_leaves_get_accounts_but_its_page_still_shows_its_mailbox() {
    let sim = Sim::start().await;
    let listed = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(listed(&sim.get_ok("/accounts").await).contains(&ids::ACCOUNT_KATHERINE.to_owned()));
    let answer = sim
        .control(
            "/__sim/accounts",
            json!({"accountId": ids::ACCOUNT_KATHERINE, "connected": false}),
        )
        .await;
    assert_eq!(answer["connected"], false);
    assert_eq!(
        listed(&sim.get_ok("/accounts").await),
        [ids::ACCOUNT_ADA, ids::ACCOUNT_GRACE]
    );
    // The member is still signed in on LinkedIn: the page shows her mailbox.
    let page: Value = sim
        .http
        .get(sim.url(&format!(
            "/__li/data/conversations?account={}",
            ids::ACCOUNT_KATHERINE
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["mailbox"], ids::PROFILE_KATHERINE);
    // An unknown account is refused; a reset connects every account again.
    let res = sim
        .http
        .post(sim.url("/__sim/accounts"))
        .json(&json!({"accountId": "nobody", "connected": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    sim.control("/__sim/reset", json!({})).await;
    assert_eq!(listed(&sim.get_ok("/accounts").await).len(), 3);
}
