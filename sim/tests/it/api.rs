//! The read endpoints, auth, URN forms, paging, react and recall.

use std::collections::{BTreeSet, HashSet};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

const LONG: &str = ids::LONG_THREAD_ID;

fn long_urn() -> String {
    tuple_conversation(ids::PROFILE_ADA, LONG)
}

#[tokio::test]
async fn every_api_route_refuses_a_missing_or_wrong_key_with_an_error_body() {
    let sim = Sim::start().await;
    let c = enc(&long_urn());
    let m = enc(ids::RECALLABLE_MESSAGE_ID);
    let routes = [
        (Method::GET, "/conversations".to_string(), "coded"),
        (
            Method::GET,
            "/messaging/recent-messages".to_string(),
            "legacy",
        ),
        (
            Method::GET,
            format!("/conversations/{c}/messages"),
            "legacy",
        ),
        (Method::POST, "/conversations/send".to_string(), "coded"),
        (
            Method::POST,
            format!("/conversations/{c}/messages/{m}/react"),
            "legacy",
        ),
        (
            Method::DELETE,
            format!("/conversations/{c}/messages/{m}"),
            "legacy",
        ),
        (
            Method::POST,
            "/conversations/upload-attachment".to_string(),
            "coded",
        ),
        (Method::GET, "/accounts".to_string(), "coded"),
        (
            Method::GET,
            format!("/account/{}/premium", ids::ACCOUNT_ADA),
            "coded",
        ),
    ];
    for (method, path, shape) in routes {
        for auth in [None, Some("Bearer nope"), Some("Basic dev")] {
            let mut req = sim.http.request(method.clone(), sim.url(&path));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let res = req.send().await.expect("answered");
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} {auth:?}"
            );
            let body: Value = res.json().await.expect("JSON error body");
            match shape {
                "legacy" => assert!(body["error"].as_str().is_some_and(|t| !t.is_empty())),
                _ => {
                    assert_eq!(body["success"], false);
                    assert_eq!(body["code"], "unauthorized");
                    assert!(body["message"].as_str().is_some_and(|t| !t.is_empty()));
                }
            }
        }
    }
    // Nothing was stored by the refused writes.
    assert_eq!(sim.ledger("send").await["applied"], 0);
}

#[tokio::test]
async fn accounts_lists_three_one_with_sales_navigator_and_filters_by_q() {
    let sim = Sim::start().await;
    let all = sim.get_ok("/accounts").await;
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ids::ACCOUNTS);
    let one = sim.get_ok("/accounts?q=grace").await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["id"], ids::ACCOUNT_GRACE);
    let by_url = sim
        .get_ok("/accounts?q=https%3A%2F%2Fwww.linkedin.com%2Fin%2Fada-lovelace-sim%2F")
        .await;
    assert_eq!(by_url[0]["id"], ids::ACCOUNT_ADA);
    assert_eq!(
        sim.get_ok(&format!("/accounts?q={}", ids::ACCOUNT_KATHERINE))
            .await[0]["status"],
        "WARMUP"
    );
    assert!(sim
        .get_ok("/accounts?q=nobody")
        .await
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn premium_tells_which_account_has_sales_navigator() {
    let sim = Sim::start().await;
    let ada = sim
        .get_ok(&format!("/account/{}/premium", ids::ACCOUNT_ADA))
        .await;
    assert_eq!(ada["hasSalesNavigator"], true);
    assert_eq!(ada["accountName"], "Ada Lovelace");
    let grace = sim
        .get_ok(&format!("/account/{}/premium", ids::ACCOUNT_GRACE))
        .await;
    assert_eq!(grace["hasSalesNavigator"], false);
    let res = sim.get("/account/000000000000000000000000/premium").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "account_not_found");
}

/// Walk `GET /conversations` to the end; every page's items.
async fn walk_conversations(sim: &Sim, query: &str) -> (Vec<Value>, Vec<Value>) {
    let mut items = Vec::new();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/conversations?{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&nextCursor={}", enc(c)));
        }
        let page = sim.get_ok(&path).await;
        items.extend(page["conversations"].as_array().unwrap().iter().cloned());
        cursor = page["nextCursor"].as_str().map(String::from);
        let more = page["hasMore"].as_bool().unwrap();
        pages.push(page);
        if !more {
            break;
        }
        assert!(cursor.is_some(), "hasMore without a cursor");
        assert!(pages.len() < 100, "paging does not end");
    }
    (items, pages)
}

#[tokio::test]
async fn conversations_page_to_the_end_without_overlap_and_merge_sales_navigator() {
    let sim = Sim::start().await;
    let (items, pages) = walk_conversations(&sim, "count=5").await;
    assert_eq!(items.len(), 18, "Ada's threads");
    assert!(pages.len() >= 4);
    let urns: HashSet<&str> = items
        .iter()
        .map(|c| c["conversationUrn"].as_str().unwrap())
        .collect();
    assert_eq!(urns.len(), items.len(), "no conversation twice");
    let times: Vec<i64> = items
        .iter()
        .map(|c| c["lastActivityAt"].as_i64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest activity first"
    );
    let sn: Vec<&Value> = items
        .iter()
        .filter(|c| c["source"] == "sales_navigator")
        .collect();
    assert_eq!(sn.len(), 3);
    for c in &sn {
        let id = c["salesNavThreadId"].as_str().unwrap();
        assert_eq!(c["conversationUrn"], format!("urn:li:salesNav_thread:{id}"));
    }
    assert!(urns.contains(format!("urn:li:salesNav_thread:{}", ids::SALES_NAV_THREAD_ID).as_str()));
    // Grace has no Sales Navigator: none of those.
    let (grace, _) = walk_conversations(&sim, &format!("accountId={}", ids::ACCOUNT_GRACE)).await;
    assert_eq!(grace.len(), 15);
    assert!(grace.iter().all(|c| c.get("source").is_none()));
    // Unread counts and participants are there.
    assert!(items.iter().any(|c| c["unreadCount"].as_u64().unwrap() > 0));
    assert!(items
        .iter()
        .all(|c| !c["participants"].as_array().unwrap().is_empty()));
}

#[tokio::test]
async fn multi_account_batch_pages_past_the_store_with_short_linkedin_pages() {
    let sim = Sim::start().await;
    let q = format!("linkedinAccountIds={}&count=10", ids::ACCOUNTS.join(","));
    let (items, pages) = walk_conversations(&sim, &q).await;
    assert_eq!(items.len(), 18 + 15 + 13);
    let keys: HashSet<(String, String)> = items
        .iter()
        .map(|c| {
            (
                c["accountId"].as_str().unwrap().into(),
                c["conversationUrn"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(keys.len(), items.len(), "no item twice");
    assert_eq!(pages[0]["accounts"].as_array().unwrap().len(), 3);
    // Past the store's first 20, cursors carry `linkedin:` and pages come short with hasMore.
    assert!(pages.iter().any(|p| p["nextCursor"]
        .as_str()
        .is_some_and(|c| c.starts_with("linkedin:"))));
    assert!(pages
        .iter()
        .any(|p| p["hasMore"] == true && p["conversations"].as_array().unwrap().len() < 10));
    assert!(pages.iter().any(|p| p["fromCache"] == false));
    // The shared thread shows once per account, under each account's mailbox prefix.
    let shared: Vec<&Value> = items
        .iter()
        .filter(|c| c["conversationId"] == ids::SHARED_THREAD_ID)
        .collect();
    assert_eq!(shared.len(), 2);
    assert_ne!(shared[0]["conversationUrn"], shared[1]["conversationUrn"]);
    let unknown = sim
        .get(&format!(
            "/conversations?linkedinAccountIds={},nope",
            ids::ACCOUNT_ADA
        ))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn conversations_filter_by_label() {
    let sim = Sim::start().await;
    let hot = sim
        .get_ok(&format!(
            "/conversations?count=100&labelId={}",
            ids::LABEL_HOT
        ))
        .await;
    let hot = hot["conversations"].as_array().unwrap().clone();
    assert!(!hot.is_empty());
    assert!(hot.iter().any(|c| c["conversationId"] == LONG));
    let labeled = sim
        .get_ok("/conversations?count=100&labeledOnly=true")
        .await;
    let all = sim.get_ok("/conversations?count=100").await;
    let n = |v: &Value| v["conversations"].as_array().unwrap().len();
    assert!(n(&labeled) >= hot.len() && n(&labeled) < n(&all));
    let bad = sim.get("/conversations?labeledOnly=maybe").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn urns_come_in_every_form_the_contract_lists() {
    let sim = Sim::start().await;
    let mut conv_kinds = BTreeSet::new();
    let mut msg_kinds = BTreeSet::new();
    for account in ids::ACCOUNTS {
        let page = sim
            .get_ok(&format!("/conversations?count=100&accountId={account}"))
            .await;
        for c in page["conversations"].as_array().unwrap() {
            let urn = c["conversationUrn"].as_str().unwrap();
            conv_kinds.insert(urn.split(':').nth(2).unwrap().to_string());
            for m in sim.messages(urn, account).await.iter().take(1) {
                let murn = m["messageUrn"].as_str().unwrap();
                msg_kinds.insert(murn.split(':').nth(2).unwrap().to_string());
            }
        }
    }
    let want = [
        "fs_conversation",
        "fsd_conversation",
        "messagingThread",
        "msg_conversation",
        "salesNav_thread",
    ];
    assert_eq!(conv_kinds, want.iter().map(|s| s.to_string()).collect());
    for kind in ["msg_message", "messagingMessage", "fsd_message", "fs_event"] {
        assert!(msg_kinds.contains(kind), "{kind} in {msg_kinds:?}");
    }
}

#[tokio::test]
async fn messages_answer_the_same_for_every_conversation_urn_form() {
    let sim = Sim::start().await;
    let forms = [
        enc(&long_urn()),
        enc_raw_parens(&long_urn()),
        enc(&tuple_conversation(ids::PROFILE_GRACE, LONG)),
        enc(&format!("urn:li:messagingThread:{LONG}")),
        enc(&format!("urn:li:fs_conversation:{LONG}")),
        enc(&format!("urn:li:fsd_conversation:{LONG}")),
        enc(&format!(
            "https://www.linkedin.com/messaging/thread/{LONG}/"
        )),
        enc(LONG),
    ];
    let mut seen = Vec::new();
    for f in &forms {
        let page = sim
            .get_ok(&format!("/conversations/{f}/messages?count=5"))
            .await;
        seen.push(page["messages"].clone());
    }
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "one answer for every form"
    );
    assert_eq!(seen[0].as_array().unwrap().len(), 5);
    let res = sim
        .get("/conversations/urn%3Ali%3AmessagingThread%3A2-bm9wZQ%3D%3D/messages")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("not found"));
    // Katherine is not in Ada's long thread.
    let res = sim
        .get(&format!(
            "/conversations/{}/messages?accountId={}",
            forms[0],
            ids::ACCOUNT_KATHERINE
        ))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cursor_paging_reaches_all_150_messages_through_short_pages() {
    let sim = Sim::start().await;
    let c = enc(&long_urn());
    let mut all: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut short_with_more = 0;
    loop {
        let mut path = format!("/conversations/{c}/messages?count=20");
        if let Some(cur) = &cursor {
            path.push_str(&format!("&cursor={cur}"));
        }
        let page = sim.get_ok(&path).await;
        let msgs = page["messages"].as_array().unwrap().clone();
        if page["hasMore"] == true && msgs.len() < 20 {
            short_with_more += 1;
        }
        let mut older = msgs;
        older.extend(all);
        all = older;
        if page["hasMore"] != true {
            break;
        }
        cursor = Some(
            page["cursor"]
                .as_str()
                .expect("cursor with hasMore")
                .to_string(),
        );
    }
    assert_eq!(all.len(), ids::LONG_THREAD_MESSAGES);
    let stamps: Vec<i64> = all.iter().map(|m| m["sentAt"].as_i64().unwrap()).collect();
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "oldest first, no repeats"
    );
    assert!(short_with_more >= 1, "a short page with hasMore");
    let bad = sim
        .get(&format!("/conversations/{c}/messages?cursor=yesterday"))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn since_returns_only_newer_messages() {
    let sim = Sim::start().await;
    let urn = long_urn();
    let c = enc(&urn);
    let newest = sim
        .get_ok(&format!("/conversations/{c}/messages?count=1"))
        .await;
    let at = newest["messages"][0]["sentAt"].as_i64().unwrap();
    let none = sim
        .get_ok(&format!("/conversations/{c}/messages?since={at}"))
        .await;
    assert!(none["messages"].as_array().unwrap().is_empty());
    assert_eq!(none["hasMore"], false);
    sim.control(
        "/__sim/incoming",
        json!({"conversationUrn": urn, "text": "new one"}),
    )
    .await;
    let one = sim
        .get_ok(&format!("/conversations/{c}/messages?since={at}"))
        .await;
    assert_eq!(texts(one["messages"].as_array().unwrap()), ["new one"]);
    assert_eq!(one["messages"][0]["isSentByOwner"], false);
    let older = sim
        .get_ok(&format!(
            "/conversations/{c}/messages?since={}&count=3",
            at - 3 * 3_600_000
        ))
        .await;
    assert_eq!(older["messages"].as_array().unwrap().len(), 3);
    assert_eq!(older["hasMore"], true, "more newer messages remain");
}

#[tokio::test]
async fn recent_messages_filter_by_keywords_and_read_and_page_by_offset() {
    let sim = Sim::start().await;
    let all = sim.get_ok("/messaging/recent-messages?count=100").await;
    assert_eq!(all["accountId"], ids::ACCOUNT_ADA);
    assert_eq!(
        all["profileUrn"],
        format!("urn:li:fsd_profile:{}", ids::PROFILE_ADA)
    );
    assert_eq!(all["total"], 18);
    let linus = sim
        .get_ok("/messaging/recent-messages?keywords=linus%20torvalds")
        .await;
    assert_eq!(linus["total"], 1);
    assert_eq!(linus["conversations"][0]["conversationId"], LONG);
    let unread = sim
        .get_ok("/messaging/recent-messages?count=100&read=false")
        .await;
    let read = sim
        .get_ok("/messaging/recent-messages?count=100&read=true")
        .await;
    let n = |v: &Value| v["total"].as_u64().unwrap();
    assert!(n(&unread) > 0 && n(&read) > 0);
    assert_eq!(n(&unread) + n(&read), 18);
    assert!(unread["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["isRead"] == false));
    let first = sim.get_ok("/messaging/recent-messages?count=10").await;
    assert_eq!(first["nextCursor"], "10");
    let rest = sim
        .get_ok("/messaging/recent-messages?count=10&nextCursor=10")
        .await;
    assert_eq!(rest["conversations"].as_array().unwrap().len(), 8);
    assert!(rest.get("nextCursor").is_none());
    assert_eq!(
        sim.get("/messaging/recent-messages?read=perhaps")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn the_shared_thread_shows_each_message_once_under_each_mailbox_prefix() {
    let sim = Sim::start().await;
    let ada = sim
        .messages(
            &tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID),
            ids::ACCOUNT_ADA,
        )
        .await;
    let grace = sim
        .messages(
            &tuple_conversation(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID),
            ids::ACCOUNT_GRACE,
        )
        .await;
    assert_eq!(ada.len(), grace.len());
    for (a, g) in ada.iter().zip(&grace) {
        let (ua, ug) = (
            a["messageUrn"].as_str().unwrap(),
            g["messageUrn"].as_str().unwrap(),
        );
        assert!(ua.contains(ids::PROFILE_ADA) && ug.contains(ids::PROFILE_GRACE));
        assert_eq!(mid(ua), mid(ug));
        // Ada's messages are Ada's own, not Grace's.
        assert!(!(a["isSentByOwner"] == true && g["isSentByOwner"] == true));
    }
}

#[tokio::test]
async fn react_is_idempotent_per_message_actor_emoji_and_shows_on_messages() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);
    let first = sim.messages(&conv, ids::ACCOUNT_ADA).await[0]["messageUrn"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!(
        "/conversations/{}/messages/{}/react",
        enc(&conv),
        enc(&first)
    );
    let tally = |msgs: Vec<Value>, emoji: &str| {
        msgs.iter()
            .find(|m| mid(m["messageUrn"].as_str().unwrap()) == mid(&first))
            .and_then(|m| m["reactions"].as_array().cloned())
            .unwrap_or_default()
            .into_iter()
            .find(|r| r["emoji"] == emoji)
    };
    for _ in 0..2 {
        let ans = sim
            .post_ok(&path, json!({"emoji": "🚀", "react": true}))
            .await;
        assert_eq!(ans["react"], true);
        assert_eq!(ans["emoji"], "🚀");
        assert_eq!(mid(ans["messageUrn"].as_str().unwrap()), mid(&first));
    }
    let r = tally(sim.messages(&conv, ids::ACCOUNT_ADA).await, "🚀").expect("reaction shown");
    assert_eq!(
        (r["count"].as_u64(), r["viewerReacted"].as_bool()),
        (Some(1), Some(true))
    );
    let grace_conv = tuple_conversation(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID);
    let r =
        tally(sim.messages(&grace_conv, ids::ACCOUNT_GRACE).await, "🚀").expect("Grace sees it");
    assert_eq!(
        (r["count"].as_u64(), r["viewerReacted"].as_bool()),
        (Some(1), Some(false))
    );
    for _ in 0..2 {
        sim.post_ok(&path, json!({"emoji": "🚀", "react": false}))
            .await;
    }
    assert!(tally(sim.messages(&conv, ids::ACCOUNT_ADA).await, "🚀").is_none());
    for bad in [
        json!({"emoji": "👍"}),
        json!({"react": true}),
        json!({"emoji": "", "react": true}),
    ] {
        let res = sim.post(&path, bad.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(res.json::<Value>().await.unwrap()["error"].is_string());
    }
    let missing = format!(
        "/conversations/{}/messages/{}/react",
        enc(&conv),
        enc("2-bm9uZQ==")
    );
    assert_eq!(
        sim.post(&missing, json!({"emoji": "👍", "react": true}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn recall_soft_deletes_by_normalized_id_so_no_prefix_ever_shows_it_again() {
    let sim = Sim::start().await;
    let ada_conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);
    let grace_conv = tuple_conversation(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID);
    let sent = sim.reply(ids::ACCOUNT_ADA, &ada_conv, "recall me").await;
    let id = mid(sent["sentMessage"]["messageUrn"].as_str().unwrap());
    let before = sim.now_ms().await - 1;
    assert!(
        texts(&sim.messages(&grace_conv, ids::ACCOUNT_GRACE).await).contains(&"recall me".into())
    );
    // Recall through Grace's-prefix URN form and the fs_event form of the same message.
    let path = format!(
        "/conversations/{}/messages/{}",
        enc(&format!("urn:li:messagingThread:{}", ids::SHARED_THREAD_ID)),
        enc(&tuple_message(ids::PROFILE_GRACE, &id))
    );
    let res = sim.delete(&path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(mid(body["messageUrn"].as_str().unwrap()), id);
    for (conv, account) in [
        (&ada_conv, ids::ACCOUNT_ADA),
        (&grace_conv, ids::ACCOUNT_GRACE),
    ] {
        let msgs = sim.messages(conv, account).await;
        assert!(msgs
            .iter()
            .all(|m| mid(m["messageUrn"].as_str().unwrap()) != id));
        let since = sim
            .get_ok(&format!(
                "/conversations/{}/messages?since={before}&accountId={account}",
                enc(conv)
            ))
            .await;
        assert!(since["messages"].as_array().unwrap().is_empty());
        let recent = sim
            .get_ok(&format!(
                "/messaging/recent-messages?count=100&accountId={account}"
            ))
            .await;
        assert!(!recent.to_string().contains(&id));
        let list = sim
            .get_ok(&format!("/conversations?count=100&accountId={account}"))
            .await;
        assert!(!list.to_string().contains("recall me"));
    }
    // Recalling again is harmless; reacting to it is not possible.
    assert_eq!(sim.delete(&path).await.status(), StatusCode::OK);
    let react = format!("{path}/react");
    assert_eq!(
        sim.post(&react, json!({"emoji": "👍", "react": true}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(sim.ledger("recall").await["applied"], 2);
}

#[tokio::test]
async fn recall_refuses_others_messages_and_the_ones_past_60_minutes() {
    let sim = Sim::start().await;
    let c = enc(&long_urn());
    let path = |id: &str| {
        format!(
            "/conversations/{c}/messages/{}",
            enc(&tuple_message(ids::PROFILE_ADA, id))
        )
    };
    for (id, why) in [
        (ids::THEIR_MESSAGE_ID, "own"),
        (ids::OLD_OWN_MESSAGE_ID, "60 minutes"),
    ] {
        let res = sim.delete(&path(id)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(why), "{body}");
    }
    // The recallable one is 10 minutes old: 51 more simulated minutes put it out of reach.
    sim.control("/__sim/clock", json!({"advanceMs": 51 * 60_000}))
        .await;
    assert_eq!(
        sim.delete(&path(ids::RECALLABLE_MESSAGE_ID)).await.status(),
        StatusCode::BAD_REQUEST
    );
    sim.control("/__sim/clock", json!({"advanceMs": -2 * 60_000}))
        .await;
    assert_eq!(
        sim.delete(&path(ids::RECALLABLE_MESSAGE_ID)).await.status(),
        StatusCode::OK
    );
    // All refused recalls left the messages in place.
    let texts = texts(&sim.messages(&long_urn(), ids::ACCOUNT_ADA).await);
    assert!(texts.contains(&"Patch looks fine to me.".into()));
    assert!(!texts.contains(&"Oops, wrong thread!".into()));
}
