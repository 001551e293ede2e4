//! Property tests of decoding that bends: any JSON value in any field of an answer never panics,
//! and never fails a page because of one item (the other items are all there, the bad one is
//! reported in `skipped` or read as absent). `API_PROPTEST_CASES=N` runs N cases of each.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use threadline::api::{classify, error_for, rate_limit, HttpResponse};
use threadline::model::*;

fn cases() -> u32 {
    std::env::var("API_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

/// Any JSON value, leaning towards the values decoders trip on: nulls, numbers where strings
/// go, dates, huge and negative numbers, nested containers.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::from),
        "[0-9]{1,16}".prop_map(Value::from),
        "-?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
            .prop_map(Value::from),
        Just(json!("urn:li:msg_message:(urn:li:fsd_profile:A,2-x)")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const MESSAGE_FIELDS: &[&str] = &[
    "messageUrn",
    "messageId",
    "text",
    "sentAt",
    "senderProfileId",
    "senderName",
    "senderPhoto",
    "isSentByOwner",
    "hasAttachment",
    "attachments",
    "reactions",
    "subject",
];

const CONVERSATION_FIELDS: &[&str] = &[
    "conversationUrn",
    "conversationId",
    "backendConversationUrn",
    "conversationUrl",
    "lastActivityAt",
    "createdAt",
    "lastReadAt",
    "isRead",
    "state",
    "unreadCount",
    "participants",
    "latestMessage",
    "source",
    "salesNavThreadId",
    "accountId",
];

fn message(i: usize) -> Value {
    json!({
        "messageUrn": format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAAA,2-m{i})"),
        "text": format!("hello {i}"),
        "sentAt": 1_771_950_346_000_i64 + i as i64,
        "senderProfileId": "ACoAAB",
        "isSentByOwner": i % 2 == 0,
        "hasAttachment": false,
        "attachments": [],
        "reactions": [{"emoji": "👍", "count": 1, "viewerReacted": false}]
    })
}

fn conversation(i: usize) -> Value {
    json!({
        "conversationUrn": format!("urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAA,2-c{i})"),
        "conversationId": format!("2-c{i}"),
        "lastActivityAt": 1_771_950_346_000_i64 + i as i64,
        "unreadCount": i,
        "participants": [{"profileId": "ACoAAB", "name": "Bo"}],
        "latestMessage": {"text": "hi", "sentAt": 1_771_950_346_000_i64, "hasAttachment": false}
    })
}

fn ok_answer(body: &Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: body.to_string().into_bytes(),
    }
}

/// Whether `bad` still names item `i` with an id field that is a non-empty string (then it
/// must come out either kept or skipped under that id; otherwise it may only be skipped).
fn urns_of(page: &MessagesPage) -> Vec<String> {
    page.messages
        .iter()
        .map(|m| m.message_urn.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_value_in_any_message_field_fails_at_most_that_message(
        which in 0usize..3,
        field in prop::sample::select(MESSAGE_FIELDS),
        value in any_json(),
    ) {
        let mut messages: Vec<Value> = (0..3).map(message).collect();
        messages[which][field] = value;
        let body = json!({"success": true, "messages": messages, "hasMore": false});
        let page: MessagesPage = classify(&ok_answer(&body)).expect("a page with one odd field is still a page");
        let urns = urns_of(&page);
        for i in (0..3).filter(|i| *i != which) {
            let urn = message(i)["messageUrn"].as_str().unwrap().to_string();
            prop_assert!(urns.contains(&urn), "message {i} lost: {urns:?}");
        }
        prop_assert_eq!(page.messages.len() + page.skipped.len(), 3);
        prop_assert!(page.skipped.iter().all(|s| s.index as usize == which));
    }

    #[test]
    fn any_value_in_any_conversation_field_fails_at_most_that_conversation(
        which in 0usize..3,
        field in prop::sample::select(CONVERSATION_FIELDS),
        value in any_json(),
    ) {
        let mut items: Vec<Value> = (0..3).map(conversation).collect();
        items[which][field] = value;
        let body = json!({"success": true, "conversations": items, "hasMore": true, "nextCursor": "c"});
        for page in [
            classify::<ConversationsPage>(&ok_answer(&body)).map(|p| (p.conversations, p.skipped)),
            classify::<RecentMessagesPage>(&ok_answer(&body)).map(|p| (p.conversations, p.skipped)),
        ] {
            let (conversations, skipped) = page.expect("still a page");
            prop_assert_eq!(conversations.len() + skipped.len(), 3);
            for i in (0..3).filter(|i| *i != which) {
                let urn = conversation(i)["conversationUrn"].as_str().unwrap().to_string();
                prop_assert!(conversations.iter().any(|c| c.conversation_urn == urn));
            }
        }
    }

    #[test]
    fn any_value_in_a_page_level_field_keeps_the_items(
        field in prop::sample::select(&["success", "participants", "hasMore", "cursor", "note", "skipped", "extra"][..]),
        value in any_json(),
    ) {
        let mut body = json!({"success": true, "messages": (0..3).map(message).collect::<Vec<_>>(), "hasMore": true, "cursor": "c"});
        body[field] = value.clone();
        let got = classify::<MessagesPage>(&ok_answer(&body));
        if field == "success" && value == Value::Bool(false) {
            prop_assert!(got.is_err(), "success: false is a refusal");
        } else {
            prop_assert_eq!(got.expect("still a page").messages.len(), 3);
        }
    }

    #[test]
    fn any_value_anywhere_in_other_answers_never_panics(
        field in prop::sample::select(&[
            "success", "message", "messageId", "accountId", "sentMessage", "threadId",
            "messageUrn", "emoji", "react", "attachment", "isPremium", "premiumType",
            "hasSalesNavigator", "data", "id", "status", "enabled",
        ][..]),
        value in any_json(),
        status in prop::sample::select(&[200u16, 400, 401, 403, 404, 429, 500, 302][..]),
    ) {
        let mut body = json!({"success": true, "message": "Message sent successfully"});
        body[field] = value.clone();
        let r = HttpResponse { status, headers: vec![
            ("X-RateLimit-Reset".into(), value.to_string()),
            ("Retry-After".into(), value.to_string()),
        ], body: body.to_string().into_bytes() };
        let _ = classify::<SendResponse>(&r);
        let _ = classify::<ReactResponse>(&r);
        let _ = classify::<RecallResponse>(&r);
        let _ = classify::<UploadResponse>(&r);
        let _ = classify::<PremiumStatus>(&r);
        let _ = classify::<Vec<Account>>(&r);
        let _ = rate_limit(&r);
        let bare = HttpResponse { body: value.to_string().into_bytes(), ..r };
        let _ = classify::<MessagesPage>(&bare);
        let _ = classify::<Vec<Account>>(&bare);
        let err = error_for(&bare);
        prop_assert!(!err.to_string().is_empty());
    }

    #[test]
    fn timestamps_of_any_text_never_panic_and_dates_round_trip(
        text in ".{0,40}",
        ms in 0i64..253_402_300_799_999,
    ) {
        let _ = time::timestamp_str_ms(&text);
        prop_assert_eq!(time::timestamp_str_ms(&time::iso_from_ms(ms)), Some(ms));
        prop_assert_eq!(time::timestamp_ms(&lenient::Scalar::String(ms.to_string())).map(|t| t / 1000), Some(if ms < 100_000_000_000 { ms } else { ms / 1000 }));
    }
}
