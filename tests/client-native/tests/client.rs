//! The API client (native transport) against a real simulator on loopback: every endpoint, every
//! fault the simulator can inject, and how many requests the simulator counted for each call.
//! Each test starts its own simulator on a free port, so tests share nothing.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::json;
use threadline::api::{ApiError, RetryPolicy};
use threadline::model::{
    AccountStatus, AttachmentRef, ListConversationsQuery, MessagesQuery, MessagingChannel,
    RecentMessagesQuery, SendRequest, MAX_ATTACHMENT_BYTES,
};
use threadline_client_tests::{conversation_urn, dialect, ids, message_urn, Sim, TEST_TIMEOUT_MS};
use threadline_sim::dialect::Dialect;

fn long_thread() -> String {
    conversation_urn(ids::PROFILE_ADA, ids::LONG_THREAD_ID)
}

fn reply(text: &str) -> SendRequest {
    SendRequest {
        message: text.into(),
        conversation_urn: Some(long_thread()),
        ..Default::default()
    }
}

// ----- endpoints -----

#[tokio::test]
async fn list_conversations_uses_the_default_account() {
    let sim = Sim::start().await;
    let page = sim
        .client()
        .list_conversations(ListConversationsQuery {
            count: Some(5),
            ..Default::default()
        })
        .await
        .expect("a page");
    assert!(page.success);
    assert_eq!(page.conversations.len(), 5);
    assert_eq!(page.accounts[0].id, ids::ACCOUNT_ADA);
    assert!(page.has_more && page.next_cursor.is_some());
    assert_eq!(sim.count("conversations", "200").await, 1);
}

#[tokio::test]
async fn conversations_pager_walks_every_page_of_several_accounts_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    let query = ListConversationsQuery {
        linkedin_account_ids: vec![ids::ACCOUNT_ADA.into(), ids::ACCOUNT_GRACE.into()],
        count: Some(4),
        ..Default::default()
    };
    let mut pager = client.conversations_pager(query.clone());
    let mut pages = 0;
    let mut seen = Vec::new();
    let mut accounts = HashSet::new();
    while let Some(page) = pager.next_page().await {
        let page = page.expect("a page");
        pages += 1;
        for c in page.conversations {
            accounts.insert(c.account_id.clone().unwrap_or_default());
            seen.push((c.account_id, c.conversation_urn));
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no conversation twice");
    assert!(pages >= 3, "{pages} pages");
    assert!(accounts.contains(ids::ACCOUNT_ADA) && accounts.contains(ids::ACCOUNT_GRACE));
    assert_eq!(sim.total("conversations").await, pages);
    // The same walk in one go gives the same list.
    let all = client
        .conversations_pager(query)
        .collect(100)
        .await
        .unwrap();
    assert_eq!(all.len(), seen.len());
}

#[tokio::test]
async fn recent_messages_filters_by_keywords_and_read_state() {
    let sim = Sim::start().await;
    let client = sim.client();
    if dialect() == Dialect::Mixed {
        // The deprecated endpoint answers 307 to GET /conversations (same origin: followed,
        // with the key); `read=false` becomes `unreadOnly`; the page is the list's.
        let unread = client
            .recent_messages(RecentMessagesQuery {
                read: Some(false),
                count: Some(100),
                ..Default::default()
            })
            .await
            .unwrap();
        let all = client
            .recent_messages(RecentMessagesQuery {
                count: Some(100),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(all.total, None, "the list has no total");
        assert_eq!(all.has_more, Some(false));
        assert!(!all.accounts.is_empty(), "the list's accounts are kept");
        assert!(!unread.conversations.is_empty());
        assert!(unread.conversations.len() < all.conversations.len());
        assert!(unread.conversations.iter().all(|c| c.unread_count > 0));
        assert_eq!(
            sim.total("recentMessages").await,
            0,
            "redirected before the route"
        );
        assert_eq!(sim.count("conversations", "200").await, 2);
        return;
    }
    let all = client
        .recent_messages(RecentMessagesQuery {
            count: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let total = all.total.expect("a total");
    assert_eq!(all.account_id.as_deref(), Some(ids::ACCOUNT_ADA));
    let unread = client
        .recent_messages(RecentMessagesQuery {
            read: Some(false),
            count: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let read = client
        .recent_messages(RecentMessagesQuery {
            read: Some(true),
            count: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(unread.total.unwrap() + read.total.unwrap(), total);
    let linus = client
        .recent_messages(RecentMessagesQuery {
            keywords: Some("Linus".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(linus.total.unwrap() >= 1 && linus.total.unwrap() < total);
    assert_eq!(sim.count("recentMessages", "200").await, 4);
}

#[tokio::test]
async fn messages_pager_reaches_the_oldest_message_through_short_pages() {
    let sim = Sim::start().await;
    let client = sim.client();
    let mut pager = client.older_messages_pager(
        &long_thread(),
        MessagesQuery {
            count: Some(40),
            ..Default::default()
        },
    );
    let mut urns = Vec::new();
    let mut pages = 0;
    let mut short_pages = 0;
    while let Some(page) = pager.next_page().await {
        let page = page.expect("a page");
        pages += 1;
        if page.messages.len() < 40 && page.has_more {
            short_pages += 1;
        }
        urns.extend(page.messages.into_iter().map(|m| m.message_urn));
    }
    let unique: HashSet<_> = urns.iter().collect();
    assert_eq!(unique.len(), ids::LONG_THREAD_MESSAGES);
    assert_eq!(urns.len(), ids::LONG_THREAD_MESSAGES);
    assert!(
        short_pages >= 1,
        "the simulator serves a short page with hasMore"
    );
    assert_eq!(sim.total("messages").await, pages);
}

#[tokio::test]
async fn poll_since_returns_only_newer_messages() {
    let sim = Sim::start().await;
    let client = sim.client();
    let newest = client
        .messages(&long_thread(), MessagesQuery::default())
        .await
        .unwrap()
        .messages
        .iter()
        .map(|m| m.sent_at)
        .max()
        .expect("messages");
    let quiet = client
        .poll_messages(&long_thread(), newest, None)
        .await
        .unwrap();
    assert!(quiet.messages.is_empty());
    sim.incoming(json!({"conversationUrn": long_thread(), "text": "ping from Linus"}))
        .await;
    let polled = client
        .poll_messages(&long_thread(), newest, None)
        .await
        .unwrap();
    let texts: Vec<_> = polled.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["ping from Linus"]);
}

#[tokio::test]
async fn send_reaches_a_conversation_a_profile_urn_and_a_slug() {
    let sim = Sim::start().await;
    let client = sim.client();
    let into_thread = client
        .send(SendRequest {
            subject: Some("Re: history".into()),
            messaging_channel: Some(MessagingChannel::LinkedinInbox),
            ..reply("hello in the thread")
        })
        .await
        .expect("sent");
    assert!(into_thread.success);
    assert!(
        into_thread
            .sent_message_urn()
            .is_some_and(|u| u.starts_with("urn:li:")),
        "the answer names the sent message, in whichever form"
    );
    assert_eq!(into_thread.account_id.as_deref(), Some(ids::ACCOUNT_ADA));
    match (dialect(), into_thread.sent_message) {
        (Dialect::Clean, None) => panic!("the clean answer carries sentMessage"),
        (_, Some(sent)) => {
            assert!(sent.is_sent_by_owner);
            assert_eq!(sent.text.as_deref(), Some("hello in the thread"));
        }
        // The flat form: the status text is in `message`, never the sent text.
        (Dialect::Mixed, None) => assert_eq!(
            into_thread.message.as_deref(),
            Some("Message sent successfully")
        ),
    }

    let by_urn = client
        .send(SendRequest {
            message: "hello by urn".into(),
            recipient_profile_urn: Some(format!("urn:li:fsd_profile:{}", ids::PROFILE_NEW_CONTACT)),
            ..Default::default()
        })
        .await
        .expect("sent by urn");
    assert_eq!(
        by_urn.recipient_profile_urn.as_deref(),
        Some(format!("urn:li:fsd_profile:{}", ids::PROFILE_NEW_CONTACT).as_str())
    );

    let by_slug = client
        .send(SendRequest {
            message: "hello by slug".into(),
            recipient_profile_id: Some(ids::PUBLIC_ID_LINUS.into()),
            ..Default::default()
        })
        .await
        .expect("sent by slug");
    assert!(by_slug.success);
    assert_eq!(sim.applied("send").await, 3);
    assert_eq!(sim.count("send", "200").await, 3);
}

#[tokio::test]
async fn send_over_sales_navigator_without_it_is_a_bad_request_in_the_coded_shape() {
    let sim = Sim::start().await;
    let err = sim
        .client()
        .send(SendRequest {
            message: "hi".into(),
            recipient_profile_id: Some(ids::PUBLIC_ID_NEW_CONTACT.into()),
            messaging_channel: Some(MessagingChannel::SalesNavigator),
            account_id: Some(ids::ACCOUNT_GRACE.into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let reason = match dialect() {
        Dialect::Clean => Some("sales_navigator_unavailable"),
        // `{"success": false, "error": text}`: no code.
        Dialect::Mixed => None,
    };
    assert_eq!(err.reason(), reason);
    assert!(err.to_string().contains("Sales Navigator"), "{err}");
    assert!(!err.is_ambiguous());
    assert_eq!(sim.total("send").await, 1);
}

#[tokio::test]
async fn sends_the_server_would_refuse_never_leave_the_client() {
    let sim = Sim::start().await;
    let client = sim.client();
    let empty = client.send(reply("   ")).await.unwrap_err();
    assert_eq!(empty.reason(), Some("empty_message"));
    let long = client.send(reply(&"x".repeat(8001))).await.unwrap_err();
    assert_eq!(long.reason(), Some("message_too_long"));
    assert!(empty.is_local() && long.is_local());
    assert_eq!(sim.total("send").await, 0);
    // Exactly 8000 characters is fine.
    client
        .send(reply(&"y".repeat(8000)))
        .await
        .expect("8000 characters go");
    assert_eq!(sim.total("send").await, 1);
}

#[tokio::test]
async fn an_uploaded_attachment_is_sent_with_a_message() {
    let sim = Sim::start().await;
    let client = sim.client();
    let png = b"\x89PNG\r\n\x1a\n fake image".to_vec();
    let up = client
        .upload_attachment(png.clone(), "image/png", "chart 1+1.png", None)
        .await
        .expect("uploaded");
    assert_eq!(up.attachment.byte_size, png.len() as u64);
    assert_eq!(up.attachment.media_type, "image/png");
    assert_eq!(up.attachment.name, "chart 1+1.png");
    let sent = client
        .send(SendRequest {
            attachments: vec![AttachmentRef {
                file: up.attachment.clone(),
            }],
            ..reply("see attached")
        })
        .await
        .expect("sent with the attachment");
    assert!(sent.success);
    let page = client
        .messages(&long_thread(), MessagesQuery::default())
        .await
        .unwrap();
    let newest = page.messages.iter().max_by_key(|m| m.sent_at).unwrap();
    assert_eq!(newest.attachments[0].asset_urn, up.attachment.asset_urn);
    assert_eq!(sim.count("upload", "200").await, 1);
}

#[tokio::test]
async fn an_upload_over_20_mb_is_refused_before_sending() {
    let sim = Sim::start().await;
    let big = vec![0u8; MAX_ATTACHMENT_BYTES as usize + 1];
    let err = sim
        .client()
        .upload_attachment(big, "application/pdf", "big.pdf", None)
        .await
        .unwrap_err();
    assert_eq!(err.reason(), Some("attachment_too_large"));
    assert_eq!(sim.total("upload").await, 0);
}

#[tokio::test]
async fn react_adds_and_removes_a_reaction() {
    let sim = Sim::start().await;
    let client = sim.client();
    let msg = message_urn(ids::PROFILE_ADA, ids::THEIR_MESSAGE_ID);
    let added = client
        .react(&long_thread(), &msg, "❤️", true, None)
        .await
        .unwrap();
    assert!(added.success && added.react);
    assert_eq!(added.emoji, "❤️");
    let removed = client
        .react(&long_thread(), &msg, "❤️", false, None)
        .await
        .unwrap();
    assert!(!removed.react);
    assert_eq!(sim.count("react", "200").await, 2);
}

#[tokio::test]
async fn recall_removes_an_own_message_and_refuses_someone_elses_in_the_legacy_shape() {
    let sim = Sim::start().await;
    let client = sim.client();
    let mine = message_urn(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID);
    let recalled = client
        .recall(&long_thread(), &mine, None)
        .await
        .expect("recalled");
    assert!(recalled.success);
    let mut pager = client.older_messages_pager(&long_thread(), MessagesQuery::default());
    while let Some(page) = pager.next_page().await {
        let page = page.unwrap();
        assert!(page
            .messages
            .iter()
            .all(|m| !m.message_urn.contains(ids::RECALLABLE_MESSAGE_ID)));
    }
    let theirs = message_urn(ids::PROFILE_ADA, ids::THEIR_MESSAGE_ID);
    let err = client
        .recall(&long_thread(), &theirs, None)
        .await
        .unwrap_err();
    match &err {
        ApiError::BadRequest {
            status: 400,
            code: None,
            message,
        } => assert!(!message.is_empty()),
        other => panic!("expected a legacy-shaped 400, got {other:?}"),
    }
    assert_eq!(sim.total("recall").await, 2);
    assert_eq!(sim.applied("recall").await, 1);
}

#[tokio::test]
async fn accounts_lists_and_searches() {
    let sim = Sim::start().await;
    let client = sim.client();
    let all = client.accounts(None).await.unwrap();
    assert_eq!(all.len(), ids::ACCOUNTS.len());
    let katherine = all.iter().find(|a| a.id == ids::ACCOUNT_KATHERINE).unwrap();
    assert_eq!(katherine.status, AccountStatus::Warmup);
    let grace = client.accounts(Some("grace")).await.unwrap();
    assert_eq!(grace.len(), 1);
    assert_eq!(grace[0].id, ids::ACCOUNT_GRACE);
    assert_eq!(sim.count("accounts", "200").await, 2);
}

#[tokio::test]
async fn premium_status_tells_which_account_has_sales_navigator() {
    let sim = Sim::start().await;
    let client = sim
        .client()
        .with_default_account(Some(ids::ACCOUNT_ADA.into()));
    let ada = client.premium_status(None).await.unwrap();
    assert_eq!(ada.account_id, ids::ACCOUNT_ADA);
    assert!(ada.has_sales_navigator);
    let grace = client
        .premium_status(Some(ids::ACCOUNT_GRACE))
        .await
        .unwrap();
    assert!(!grace.has_sales_navigator);
}

#[tokio::test]
async fn not_found_comes_in_both_error_shapes_and_is_not_retried() {
    let sim = Sim::start().await;
    let client = sim.client();
    let coded = client
        .premium_status(Some("no-such-account"))
        .await
        .unwrap_err();
    assert!(
        matches!(coded, ApiError::NotFound { ref message } if message.contains("no-such-account"))
    );
    let missing = conversation_urn(ids::PROFILE_ADA, "2-bm8gc3VjaCB0aHJlYWQ=");
    let legacy = client
        .messages(&missing, MessagesQuery::default())
        .await
        .unwrap_err();
    assert_eq!(legacy.code(), "not_found");
    assert_eq!(sim.total("premium").await, 1);
    assert_eq!(sim.total("messages").await, 1);
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_and_not_retried() {
    let sim = Sim::start().await;
    let client = sim.client_with("not-the-key", RetryPolicy::default());
    let err = client.accounts(None).await.unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert_eq!(err.status(), Some(401));
    assert_eq!(sim.count("accounts", "401").await, 1);
    assert_eq!(sim.total("accounts").await, 1);
}

// ----- faults -----

// A request the client abandons at its timeout is dropped by the simulator along with the
// connection, so the ledger never counts it; the fault board does, since a fault is used up when
// a request arrives. These tests arm one fault more than should be used and count what is left.

#[tokio::test]
async fn a_read_slower_than_the_timeout_times_out_and_is_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "accounts", "latencyMs": TEST_TIMEOUT_MS * 3}))
        .await;
    // A harmless 1 ms latency for the next calls, to count the arrivals after the slow one.
    sim.fault(json!({"op": "accounts", "count": 5, "latencyMs": 1}))
        .await;
    let started = Instant::now();
    let accounts = sim
        .client()
        .accounts(None)
        .await
        .expect("the retry answers");
    assert_eq!(accounts.len(), 3);
    assert!(started.elapsed().as_millis() >= TEST_TIMEOUT_MS as u128);
    assert_eq!(sim.armed("accounts").await, 4, "two attempts arrived");
    assert_eq!(sim.count("accounts", "200").await, 1);
}

#[tokio::test]
async fn a_read_that_keeps_timing_out_gives_up_with_a_timeout_after_three_attempts() {
    let sim = Sim::start().await;
    let slow = json!({"op": "messages", "count": 4, "latencyMs": TEST_TIMEOUT_MS * 3});
    sim.fault(slow).await;
    let err = sim
        .client()
        .messages(&long_thread(), MessagesQuery::default())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::Timeout {
            after_ms: TEST_TIMEOUT_MS
        }
    );
    assert!(err.is_ambiguous());
    assert_eq!(sim.armed("messages").await, 1, "three attempts arrived");
}

#[tokio::test]
async fn a_send_slower_than_the_timeout_is_an_ambiguous_timeout_sent_once() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "send", "count": 2, "latencyMs": TEST_TIMEOUT_MS * 2}))
        .await;
    let err = sim.client().send(reply("slow")).await.unwrap_err();
    assert_eq!(err.code(), "timeout");
    assert!(err.is_ambiguous());
    sim.settle(TEST_TIMEOUT_MS * 3).await;
    assert_eq!(sim.armed("send").await, 1, "exactly one send arrived");
}

#[tokio::test]
async fn a_dropped_connection_on_a_read_is_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "conversations", "drop": true}))
        .await;
    let page = sim
        .client()
        .list_conversations(ListConversationsQuery::default())
        .await
        .expect("the retry answers");
    assert!(page.success);
    assert_eq!(sim.count("conversations", "dropped").await, 1);
    assert_eq!(sim.count("conversations", "200").await, 1);
}

#[tokio::test]
async fn a_dropped_connection_on_a_send_is_an_ambiguous_network_failure_sent_once() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "send", "drop": true, "after": true}))
        .await;
    let err = sim.client().send(reply("lost answer")).await.unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(err.is_ambiguous());
    assert_eq!(sim.total("send").await, 1);
    assert_eq!(sim.count("send", "dropped").await, 1);
    // The message did reach "LinkedIn": exactly why the client must not resend it blindly.
    assert_eq!(sim.applied("send").await, 1);
}

#[tokio::test]
async fn malformed_json_is_malformed_and_not_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "conversations", "malformed": true}))
        .await;
    let err = sim
        .client()
        .list_conversations(ListConversationsQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Malformed { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("not JSON"), "{err}");
    assert_eq!(sim.total("conversations").await, 1);
}

#[tokio::test]
async fn an_html_error_page_on_a_read_reads_as_its_title_and_is_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "premium", "html": true, "count": 3}))
        .await;
    let err = sim
        .client()
        .premium_status(Some(ids::ACCOUNT_ADA))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::Server {
            status: 502,
            message: "502 Bad Gateway".into()
        }
    );
    assert_eq!(sim.count("premium", "502").await, 3);
}

#[tokio::test]
async fn an_html_page_with_a_4xx_status_is_a_bad_request_with_a_readable_message() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "react", "html": true, "status": 400}))
        .await;
    let msg = message_urn(ids::PROFILE_ADA, ids::THEIR_MESSAGE_ID);
    let err = sim
        .client()
        .react(&long_thread(), &msg, "👍", true, None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "bad request: 502 Bad Gateway");
    assert_eq!(sim.total("react").await, 1);
}

#[tokio::test]
async fn a_429_then_success_on_a_read_waits_for_retry_after() {
    let sim = Sim::start().await;
    // In the mixed dialect the older endpoint redirects: the read lands on the list.
    let op = match dialect() {
        Dialect::Clean => "recentMessages",
        Dialect::Mixed => "conversations",
    };
    sim.fault(json!({"op": op, "status": 429, "retryAfterS": 1}))
        .await;
    let started = Instant::now();
    let page = sim
        .client()
        .recent_messages(RecentMessagesQuery::default())
        .await
        .expect("the retry answers");
    assert!(page.success);
    assert!(
        started.elapsed().as_millis() >= 1000,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sim.count(op, "429").await, 1);
    assert_eq!(sim.count(op, "200").await, 1);
}

#[tokio::test]
async fn a_429_longer_than_the_budget_is_reported_with_the_wait_and_the_limits() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "accounts", "status": 429, "retryAfterS": 60}))
        .await;
    let err = sim.client().accounts(None).await.unwrap_err();
    assert_eq!(err.retry_after_ms(), Some(60_000));
    match err {
        ApiError::RateLimited { limits, .. } => {
            assert_eq!(limits.limit, Some(60));
            assert!(
                limits.remaining.is_some() && limits.reset.is_some(),
                "{limits:?}"
            );
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    assert_eq!(sim.total("accounts").await, 1);
}

#[tokio::test]
async fn a_429_on_a_write_is_reported_not_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "upload", "status": 429, "retryAfterS": 1}))
        .await;
    let err = sim
        .client()
        .upload_attachment(vec![1, 2, 3], "text/plain", "a.txt", None)
        .await
        .unwrap_err();
    assert_eq!(err.retry_after_ms(), Some(1000));
    assert!(!err.is_ambiguous());
    assert_eq!(sim.total("upload").await, 1);
}

#[tokio::test]
async fn a_500_on_send_is_not_retried_and_counted_exactly_once() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "send", "status": 500})).await;
    let err = sim.client().send(reply("boom")).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_ambiguous());
    assert_eq!(sim.total("send").await, 1);
    assert_eq!(sim.count("send", "500").await, 1);
    assert_eq!(sim.applied("send").await, 0);
}

#[tokio::test]
async fn a_500_after_the_send_took_effect_is_ambiguous_and_still_sent_once() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "send", "status": 500, "after": true}))
        .await;
    let err = sim.client().send(reply("half done")).await.unwrap_err();
    assert!(err.is_ambiguous());
    assert_eq!(sim.total("send").await, 1);
    assert_eq!(sim.applied("send").await, 1);
}

#[tokio::test]
async fn every_write_faces_a_5xx_exactly_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    for op in ["react", "recall", "upload"] {
        sim.fault(json!({"op": op, "status": 503})).await;
    }
    let msg = message_urn(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID);
    let react = client
        .react(&long_thread(), &msg, "👍", true, None)
        .await
        .unwrap_err();
    let recall = client.recall(&long_thread(), &msg, None).await.unwrap_err();
    let upload = client
        .upload_attachment(vec![1], "image/png", "a.png", None)
        .await
        .unwrap_err();
    for (op, err) in [("react", react), ("recall", recall), ("upload", upload)] {
        assert_eq!(err.status(), Some(503), "{op}");
        assert_eq!(sim.total(op).await, 1, "{op}");
    }
}

#[tokio::test]
async fn a_read_that_keeps_failing_with_5xx_gives_up_after_three_attempts() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "messages", "status": 500, "count": 5}))
        .await;
    let err = sim
        .client()
        .messages(&long_thread(), MessagesQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "server");
    assert_eq!(sim.total("messages").await, 3);
}

#[tokio::test]
async fn injected_401_and_404_are_definite_and_not_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "accounts", "status": 401})).await;
    sim.fault(json!({"op": "conversations", "status": 404}))
        .await;
    let client = sim.client();
    assert_eq!(
        client.accounts(None).await.unwrap_err().code(),
        "unauthorized"
    );
    let err = client
        .list_conversations(ListConversationsQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(sim.total("accounts").await, 1);
    assert_eq!(sim.total("conversations").await, 1);
}

#[tokio::test]
async fn injected_400_reads_the_servers_code_in_the_coded_shape_and_text_in_the_legacy_one() {
    let sim = Sim::start().await;
    sim.fault(json!({"op": "send", "status": 400})).await;
    sim.fault(json!({"op": "recall", "status": 400})).await;
    let client = sim.client();
    let coded = client.send(reply("x")).await.unwrap_err();
    assert_eq!(coded.reason(), Some("bad_request"));
    assert!(
        coded.to_string().contains("injected by threadline-sim"),
        "{coded}"
    );
    let msg = message_urn(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID);
    let legacy = client.recall(&long_thread(), &msg, None).await.unwrap_err();
    assert_eq!(legacy.reason(), None);
    assert!(
        legacy.to_string().contains("injected by threadline-sim"),
        "{legacy}"
    );
    assert_eq!(sim.total("send").await, 1);
    assert_eq!(sim.total("recall").await, 1);
}

#[tokio::test]
async fn the_simulator_answers_in_this_binarys_dialect() {
    let sim = Sim::start().await;
    // Started in it, not switched: a `*_mixed` binary really runs against the mixed shapes.
    let state = sim.dialect_state().await;
    assert_eq!(state["dialect"], json!(dialect()));
    let expected = if std::env::current_exe()
        .unwrap()
        .to_string_lossy()
        .contains("client_mixed")
    {
        "mixed"
    } else {
        "clean"
    };
    if std::env::var("THREADLINE_TEST_DIALECT").is_err() {
        assert_eq!(state["dialect"], expected);
    }
}

#[tokio::test]
async fn an_expired_subscription_is_forbidden_not_unauthorized_and_not_retried() {
    let sim = Sim::start().await;
    sim.set_dialect(json!({"dialect": dialect(), "subscription": "expired"}))
        .await;
    let client = sim.client();
    let err = client.accounts(None).await.unwrap_err();
    assert_eq!((err.code(), err.status()), ("forbidden", Some(403)));
    assert!(err.to_string().contains("subscription"), "{err}");
    assert!(!err.is_ambiguous());
    assert_eq!(sim.total("accounts").await, 1, "a 403 is not retried");
    let err = client.send(reply("hi")).await.unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert_eq!(sim.applied("send").await, 0);
    sim.set_dialect(json!({"dialect": dialect(), "subscription": "active"}))
        .await;
    assert!(client.accounts(None).await.is_ok());
}

#[tokio::test]
async fn unread_only_lists_only_unread_conversations() {
    let sim = Sim::start().await;
    let client = sim.client();
    let all = client
        .list_conversations(ListConversationsQuery {
            count: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let unread = client
        .list_conversations(ListConversationsQuery {
            count: Some(100),
            unread_only: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!unread.conversations.is_empty());
    assert!(unread.conversations.len() < all.conversations.len());
    assert!(unread.conversations.iter().all(|c| c.unread_count > 0));
    let limits = client.rate_limit();
    match dialect() {
        Dialect::Clean => assert_eq!(
            limits, None,
            "the clean dialect sends no figures on success"
        ),
        Dialect::Mixed => {
            let l = limits.expect("figures on a success");
            assert_eq!(l.limit, Some(60));
            assert!(
                l.used.is_some_and(|u| u >= 2) && l.reset_at_ms.is_some(),
                "{l:?}"
            );
        }
    }
}
