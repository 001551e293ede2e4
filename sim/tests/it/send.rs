//! Send, upload, the daily quota and the write limit.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn a_reply_lands_in_the_thread_and_marks_it_read() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);
    let ans = sim
        .post_ok(
            "/conversations/send",
            json!({"conversationUrn": conv, "message": "Hi all", "subject": "Plans"}),
        )
        .await;
    assert_eq!(ans["success"], true);
    assert_eq!(ans["message"], "Hi all");
    let sent = &ans["sentMessage"];
    assert_eq!(sent["isSentByOwner"], true);
    assert_eq!(sent["senderProfileId"], ids::PROFILE_ADA);
    assert!(sent["messageUrn"]
        .as_str()
        .unwrap()
        .starts_with("urn:li:msg_message:("));
    assert!(ans.get("threadId").is_none(), "not a Sales Navigator send");
    let msgs = sim.messages(&conv, ids::ACCOUNT_ADA).await;
    let last = msgs.last().unwrap();
    assert_eq!(last["text"], "Hi all");
    assert_eq!(last["subject"], "Plans");
    assert_eq!(last["sentAt"], sent["sentAt"]);
    let list = sim.get_ok("/conversations?count=100").await;
    let shared = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["conversationId"] == ids::SHARED_THREAD_ID)
        .unwrap()
        .clone();
    assert_eq!(shared["unreadCount"], 0, "replying reads the thread");
    assert_eq!(shared["latestMessage"]["text"], "Hi all");
}

#[tokio::test]
async fn a_send_to_a_known_person_reuses_the_existing_thread() {
    let sim = Sim::start().await;
    for target in [
        json!({"recipientProfileId": ids::PUBLIC_ID_LINUS}),
        json!({"recipientProfileUrn": format!("urn:li:fsd_profile:{}", ids::PROFILE_LINUS)}),
        json!({"recipientProfileUrn": format!("urn:li:fs_miniProfile:{}", ids::PROFILE_LINUS)}),
    ] {
        let mut body = target.clone();
        body["message"] = json!("again");
        body["messagingChannel"] = json!("linkedin_inbox");
        let ans = sim.post_ok("/conversations/send", body).await;
        assert_eq!(
            ans["conversationUrn"],
            tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID),
            "{target}"
        );
        assert_eq!(
            ans["recipientProfileUrn"],
            format!("urn:li:fsd_profile:{}", ids::PROFILE_LINUS)
        );
    }
    let all = sim.get_ok("/conversations?count=100").await;
    assert_eq!(
        all["conversations"].as_array().unwrap().len(),
        18,
        "no new thread"
    );
}

#[tokio::test]
async fn a_send_to_a_new_person_opens_a_conversation_and_sales_navigator_gives_a_thread_id() {
    let sim = Sim::start().await;
    // Grace (no Sales Navigator) writes to a new contact: an inbox thread.
    let ans = sim
        .post_ok(
            "/conversations/send",
            json!({"accountId": ids::ACCOUNT_GRACE, "recipientProfileId": ids::PUBLIC_ID_NEW_CONTACT,
                   "message": "Nice to meet you"}),
        )
        .await;
    let urn = ans["conversationUrn"].as_str().unwrap().to_string();
    assert!(urn.starts_with("urn:li:msg_conversation:("));
    assert!(ans.get("threadId").is_none());
    assert_eq!(
        texts(&sim.messages(&urn, ids::ACCOUNT_GRACE).await),
        ["Nice to meet you"]
    );
    // Grace cannot use Sales Navigator.
    let res = sim
        .post(
            "/conversations/send",
            json!({"accountId": ids::ACCOUNT_GRACE, "recipientProfileId": ids::PUBLIC_ID_LINUS,
                   "message": "hi", "messagingChannel": "sales_navigator"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "sales_navigator_unavailable");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Sales Navigator"));
    // Ada (Sales Navigator) through Sales Navigator: threadId and a salesNav_thread URN.
    let fresh = "urn:li:fsd_profile:ACoAABrandNewPerson_forSalesNav000000001";
    let ans = sim
        .post_ok(
            "/conversations/send",
            json!({"recipientProfileUrn": fresh, "message": "Hello", "messagingChannel": "sales_navigator"}),
        )
        .await;
    let thread_id = ans["threadId"]
        .as_str()
        .expect("threadId on a Sales Navigator send");
    assert_eq!(
        ans["conversationUrn"],
        format!("urn:li:salesNav_thread:{thread_id}")
    );
    let list = sim.get_ok("/conversations?count=100").await;
    assert!(list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["salesNavThreadId"] == thread_id && c["source"] == "sales_navigator"));
    // A reply into Ada's seeded Sales Navigator thread also reports its threadId.
    let ans = sim
        .post_ok(
            "/conversations/send",
            json!({"conversationUrn": format!("urn:li:salesNav_thread:{}", ids::SALES_NAV_THREAD_ID),
                   "message": "following up"}),
        )
        .await;
    assert_eq!(ans["threadId"], ids::SALES_NAV_THREAD_ID);
}

#[tokio::test]
async fn send_refuses_bad_requests_with_a_reason() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let cases = [
        (
            json!({"conversationUrn": conv, "message": "   "}),
            400,
            "message_required",
        ),
        (
            json!({"conversationUrn": conv, "message": "x".repeat(8001)}),
            400,
            "message_too_long",
        ),
        (json!({"message": "to nobody"}), 400, "recipient_required"),
        (
            json!({"recipientProfileId": "no-such-person-sim", "message": "hi"}),
            404,
            "profile_not_found",
        ),
        (
            json!({"recipientProfileId": "ada-lovelace-sim", "message": "hi"}),
            400,
            "cannot_message_self",
        ),
        (
            json!({"accountId": "nope", "conversationUrn": conv, "message": "hi"}),
            404,
            "account_not_found",
        ),
        (
            json!({"conversationUrn": "urn:li:messagingThread:2-bm90aGVyZQ==", "message": "hi"}),
            404,
            "conversation_not_found",
        ),
        (
            json!({"conversationUrn": conv, "message": "hi",
                   "attachments": [{"file": {"assetUrn": "urn:li:digitalmediaAsset:forged", "byteSize": 1,
                                             "mediaType": "image/png", "name": "x.png"}}]}),
            400,
            "attachment_not_found",
        ),
        (
            json!({"conversationUrn": conv, "message": "hi", "messagingChannel": "pigeon"}),
            400,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let res = sim.post("/conversations/send", body).await;
        assert_eq!(res.status().as_u16(), status, "{code}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], code);
        assert_eq!(body["success"], false);
    }
    let ok = sim
        .post(
            "/conversations/send",
            json!({"conversationUrn": conv, "message": "é".repeat(8000)}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK, "8000 characters are fine");
    assert_eq!(sim.ledger("send").await["applied"], 1);
}

#[tokio::test]
async fn uploads_become_attachment_objects_that_sends_can_reference() {
    let sim = Sim::start().await;
    let up = |ctype: &'static str, name: &'static str, bytes: Vec<u8>| {
        let sim = &sim;
        async move {
            sim.http
                .post(sim.url(&format!("/conversations/upload-attachment?filename={name}")))
                .bearer_auth(KEY)
                .header("content-type", ctype)
                .body(bytes)
                .send()
                .await
                .unwrap()
        }
    };
    let res = up(
        "image/png",
        "cat.png",
        vec![0x89, b'P', b'N', b'G', 1, 2, 3],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let photo: Value = res.json().await.unwrap();
    let att = photo["attachment"].clone();
    assert!(att["assetUrn"]
        .as_str()
        .unwrap()
        .starts_with("urn:li:digitalmediaAsset:photo-"));
    assert_eq!(
        (att["byteSize"].as_u64(), att["mediaType"].as_str()),
        (Some(7), Some("image/png"))
    );
    assert_eq!(att["name"], "cat.png");
    let fetched = sim
        .http
        .get(att["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.bytes().await.unwrap().len(), 7);
    let pdf: Value = up("application/pdf", "a.pdf", vec![b'%'; 10])
        .await
        .json()
        .await
        .unwrap();
    assert!(pdf["attachment"]["assetUrn"]
        .as_str()
        .unwrap()
        .contains(":file-"));

    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    sim.post_ok(
        "/conversations/send",
        json!({"conversationUrn": conv, "message": "see attached", "attachments": [{"file": att}]}),
    )
    .await;
    let last = sim.messages(&conv, ids::ACCOUNT_ADA).await.pop().unwrap();
    assert_eq!(last["hasAttachment"], true);
    assert_eq!(last["attachments"][0]["assetUrn"], att["assetUrn"]);

    let empty = up("text/plain", "e.txt", Vec::new()).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    assert_eq!(empty.json::<Value>().await.unwrap()["code"], "empty_file");
    let big = up("application/zip", "big.zip", vec![0; 20 * 1024 * 1024 + 1]).await;
    assert_eq!(big.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        big.json::<Value>().await.unwrap()["code"],
        "attachment_too_large"
    );
}

/// Noon UTC on some day, frozen, so the quota day is known.
async fn noon(sim: &Sim) -> i64 {
    let day = 86_400_000;
    let noon = (sim.now_ms().await / day + 1) * day + day / 2;
    sim.control("/__sim/clock", json!({"setMs": noon, "frozen": true}))
        .await;
    noon
}

#[tokio::test]
async fn the_151st_new_conversation_of_a_utc_day_gets_429_until_midnight_and_replies_still_go() {
    let sim = Sim::start().await;
    noon(&sim).await;
    sim.control("/__sim/limits", json!({"writesPerMinute": 0}))
        .await;
    let new_send = |i: u32| {
        json!({"accountId": ids::ACCOUNT_GRACE, "message": "cold hello",
               "recipientProfileUrn": format!("urn:li:fsd_profile:ACoAAQuotaTest{i:06}")})
    };
    for i in 0..150 {
        let res = sim.post("/conversations/send", new_send(i)).await;
        assert_eq!(res.status(), StatusCode::OK, "send {i}");
    }
    let res = sim.post("/conversations/send", new_send(150)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let h = res.headers().clone();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "daily_quota_exceeded");
    assert_eq!(h["retry-after"], "43200", "12 hours to midnight UTC");
    assert_eq!(h["x-ratelimit-limit"], "150");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    assert!(h.contains_key("x-ratelimit-reset"));
    // Nothing reached "LinkedIn" for the refused one.
    assert_eq!(sim.ledger("send").await["applied"], 150);
    // Replies are never counted; a known person's existing thread is a reply too.
    let conv = tuple_conversation(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID);
    sim.reply(ids::ACCOUNT_GRACE, &conv, "still replying").await;
    let res = sim
        .post(
            "/conversations/send",
            json!({"accountId": ids::ACCOUNT_GRACE, "recipientProfileUrn":
            "urn:li:fsd_profile:ACoAAQuotaTest000003", "message": "reply in an existing thread"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Another account has its own quota; the next UTC day starts afresh.
    let mut other = new_send(151);
    other["accountId"] = json!(ids::ACCOUNT_KATHERINE);
    assert_eq!(
        sim.post("/conversations/send", other).await.status(),
        StatusCode::OK
    );
    sim.control("/__sim/clock", json!({"advanceMs": 12 * 3_600_000}))
        .await;
    assert_eq!(
        sim.post("/conversations/send", new_send(152))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_16th_write_of_an_account_within_a_minute_gets_429() {
    let sim = Sim::start().await;
    noon(&sim).await;
    let conv = tuple_conversation(ids::PROFILE_GRACE, ids::SHARED_THREAD_ID);
    for i in 0..15 {
        sim.reply(ids::ACCOUNT_GRACE, &conv, &format!("burst {i}"))
            .await;
        sim.control("/__sim/clock", json!({"advanceMs": 1000}))
            .await;
    }
    let res = sim
        .post(
            "/conversations/send",
            json!({"accountId": ids::ACCOUNT_GRACE, "conversationUrn": conv, "message": "16"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(res.headers()["x-ratelimit-limit"], "15");
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "rate_limited");
    // Ada's writes are her own; Grace's window frees up as the clock moves on.
    sim.reply(
        ids::ACCOUNT_ADA,
        &tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID),
        "me",
    )
    .await;
    sim.control("/__sim/clock", json!({"advanceMs": retry as i64 * 1000}))
        .await;
    sim.reply(ids::ACCOUNT_GRACE, &conv, "after the window")
        .await;
}
