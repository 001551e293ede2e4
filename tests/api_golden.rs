//! Golden tests: one example of every documented answer shape per endpoint (tests/fixtures/,
//! sources in tests/fixtures/README.md and docs/api-contract.md), decoded the way the client
//! decodes them (`classify`), with the values asserted.

use threadline::api::{classify, error_for, rate_limit_at, ApiError, HttpResponse, RateLimit};
use threadline::model::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn answer(status: u16, headers: &[(&str, &str)], body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body,
    }
}

fn ok<T: Answer>(name: &str) -> T {
    classify(&answer(200, &[], fixture(name))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const MAILBOX_MSG: &str = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)";

#[test]
fn list_conversations_reference_example_with_a_string_date_decodes() {
    // The reference's own example: `lastActivityAt` "example_value" where a date is documented.
    let page: ConversationsPage = ok("reference_conversations_200.json");
    assert!(page.success && page.has_more);
    assert_eq!(page.from_cache, Some(true));
    assert_eq!(page.next_cursor.as_deref(), Some("example_value"));
    assert_eq!(page.conversations.len(), 1);
    let c = &page.conversations[0];
    assert_eq!(c.conversation_urn, "urn:li:example:123456");
    assert_eq!(c.conversation_id.as_deref(), Some("conv_abcdef123456"));
    assert_eq!(c.last_activity_at, None, "not a date: absent, not fatal");
    assert_eq!(c.unread_count, 25);
    assert_eq!(c.latest_message, Some(LatestMessage::default()));
    assert_eq!(
        c.source,
        Some(ConversationSource::Other("example_value".into()))
    );
    assert_eq!(c.sales_nav_thread_id.as_deref(), Some("12345"));
    assert_eq!(
        page.accounts,
        [AccountRef {
            id: "12345".into(),
            name: Some("example_value".into())
        }]
    );
    assert!(page.skipped.is_empty());
}

#[test]
fn list_conversations_in_every_documented_type_keeps_the_good_items() {
    let page: ConversationsPage = ok("dialect_conversations_200.json");
    assert!(!page.has_more, "\"false\" is false");
    assert_eq!((page.next_cursor.as_deref(), page.from_cache), (None, None));
    assert!(page.accounts.is_empty(), "null accounts: none");
    let [first, second, third] = &page.conversations[..] else {
        panic!("three readable conversations: {:?}", page.conversations);
    };
    assert_eq!(first.last_activity_at, Some(1_771_950_346_603), "ISO-8601");
    assert_eq!(first.unread_count, 2, "numeric string");
    assert!(first.participants.is_empty(), "null participants");
    let latest = first.latest_message.as_ref().expect("latest message");
    assert_eq!(latest.text, None);
    assert_eq!(latest.sent_at, Some(1_771_950_346_603), "numeric string ms");
    assert!(!latest.has_attachment, "null flag is false");
    assert_eq!(first.source, Some(ConversationSource::SalesNavigator));
    assert_eq!(second.last_activity_at, Some(1_771_950_346_000), "epoch s");
    assert_eq!(second.unread_count, 0);
    assert_eq!(second.participants[0].name.as_deref(), Some("Jane Smith"));
    assert_eq!(second.participants[0].headline, None);
    assert_eq!(second.latest_message, None);
    assert_eq!(
        second.source,
        Some(ConversationSource::Other("recruiter_inbox".into())),
        "an unknown source is kept, never guessed as the inbox"
    );
    assert_eq!(third.conversation_id.as_deref(), Some("no-urn-at-all"));
    assert_eq!(third.conversation_urn, "");
    assert_eq!(
        page.skipped,
        [SkippedItem {
            index: 3,
            id: None,
            reason: "not an object: \"not a conversation\"".into()
        }]
    );
}

#[test]
fn recent_messages_seed_decodes_with_its_rich_fields() {
    let page: RecentMessagesPage = ok("seed_recent_messages_200.json");
    assert_eq!(page.account_id.as_deref(), Some("696ce9e780e0483585e4e553"));
    let c = &page.conversations[0];
    assert_eq!(c.last_activity_at, Some(1_771_950_346_603));
    assert_eq!(c.created_at, Some(1_771_317_337_868));
    assert_eq!(c.last_read_at, Some(1_771_950_726_332));
    assert_eq!(c.participants[0].distance.as_deref(), Some("DISTANCE_1"));
    let latest = c.latest_message.as_ref().unwrap();
    assert_eq!(latest.message_urn.as_deref(), Some(MAILBOX_MSG));
    assert_eq!(latest.text.as_deref(), Some("Hello, how are you?"));
}

#[test]
fn recent_messages_answered_by_the_list_endpoint_keeps_its_fields() {
    // The older endpoint now answers 307 to GET /conversations: its page has the list's fields.
    let page: RecentMessagesPage = ok("reference_conversations_200.json");
    assert_eq!(page.has_more, Some(true));
    assert_eq!(page.from_cache, Some(true));
    assert_eq!(page.accounts[0].id, "12345");
    assert_eq!(page.conversations[0].unread_count, 25);
}

#[test]
fn messages_seed_decodes() {
    let page: MessagesPage = ok("seed_messages_200.json");
    assert!(page.success && page.has_more);
    assert_eq!(page.cursor.as_deref(), Some("example_value"));
    assert_eq!(page.note.as_deref(), Some("example_value"));
    let m = &page.messages[0];
    assert_eq!(m.sent_at, 0);
    assert_eq!(m.sender_profile_id.as_deref(), Some("john-doe-123"));
    assert_eq!(
        page.participants[0].headline.as_deref(),
        Some("example_value")
    );
}

#[test]
fn messages_in_every_documented_type_leave_out_only_the_bad_ones() {
    let page: MessagesPage = ok("dialect_messages_200.json");
    assert!(!page.has_more);
    assert_eq!(page.cursor.as_deref(), Some("1771950346603"));
    assert_eq!(page.note, None);
    assert!(page.participants.is_empty());
    let [first, second] = &page.messages[..] else {
        panic!("two readable messages: {:?}", page.messages);
    };
    assert_eq!(first.message_urn, MAILBOX_MSG);
    assert_eq!(first.text, "", "null text is empty");
    assert_eq!(first.sent_at, 1_771_950_346_603);
    assert_eq!(first.sender_photo, None);
    assert!(first.has_attachment);
    assert_eq!(
        first.attachments.len(),
        1,
        "the broken attachment is dropped"
    );
    assert_eq!(first.attachments[0].byte_size, 20_480);
    assert_eq!(first.attachments[0].name, "photo.png");
    assert!(first.reactions.is_empty());
    assert_eq!(
        second.message_urn, "urn:li:messagingMessage:2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDE=",
        "messageId stands in for messageUrn"
    );
    assert_eq!(
        second.message_id.as_deref(),
        Some(second.message_urn.as_str())
    );
    assert_eq!(second.sent_at, 1_771_950_400_000, "epoch seconds");
    assert!(second.is_sent_by_owner, "\"true\"");
    let skipped: Vec<(u32, Option<&str>)> = page
        .skipped
        .iter()
        .map(|s| (s.index, s.id.as_deref()))
        .collect();
    assert_eq!(
        skipped,
        [
            (2, Some("urn:li:messagingMessage:2-bad-time")),
            (3, None),
            (4, None)
        ]
    );
    assert!(
        page.skipped[0].reason.contains("not a timestamp"),
        "{:?}",
        page.skipped[0]
    );
    assert_eq!(page.skipped[1].reason, "it has no id");
    assert_eq!(page.skipped[2].reason, "not an object: 42");
}

#[test]
fn send_answers_in_every_documented_form_name_the_sent_message() {
    let seed: SendResponse = ok("seed_send_200.json");
    assert_eq!(seed.thread_id.as_deref(), Some("12345"));
    assert_eq!(
        seed.sent_message_urn(),
        None,
        "the seed's sentMessage is {{}}"
    );
    assert_eq!(
        seed.message.as_deref(),
        Some("Hello! I would like to connect with you.")
    );

    let legacy: SendResponse = ok("reference_send_legacy_200.json");
    assert_eq!(legacy.message.as_deref(), Some("Message sent successfully"));
    assert_eq!(
        legacy.sent_message, None,
        "the status text is not the sent text"
    );
    assert_eq!(
        legacy.recipient_profile_urn.as_deref(),
        Some("urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o")
    );

    let sent = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-c2VudA==)";
    let flat: SendResponse = ok("dialect_send_flat_200.json");
    assert_eq!(flat.sent_message_urn(), Some(sent));
    assert_eq!(flat.message_id.as_deref(), Some(sent));
    assert_eq!(flat.account_id.as_deref(), Some("696ce9e780e0483585e4e553"));

    let wrapped: SendResponse = ok("dialect_send_wrapped_200.json");
    assert!(wrapped.success);
    assert_eq!(wrapped.sent_message_urn(), Some(sent));
    assert_eq!(
        wrapped.account_id.as_deref(),
        Some("696ce9e780e0483585e4e553")
    );
    let inner = wrapped.sent_message.as_ref().unwrap();
    assert_eq!(
        inner.text.as_deref(),
        Some("Hello! I would like to connect with you.")
    );
    assert_eq!(inner.sent_at, Some(1_771_950_346_603));
    assert_eq!(wrapped.thread_id, None);
}

#[test]
fn react_recall_upload_and_premium_decode() {
    let react: ReactResponse = ok("seed_react_200.json");
    assert_eq!((react.emoji.as_str(), react.react), ("example_value", true));
    let recall: RecallResponse = ok("seed_recall_200.json");
    assert_eq!(
        recall.message_urn,
        "Hello! I would like to connect with you."
    );
    let upload: UploadResponse = ok("reference_upload_200.json");
    assert_eq!(
        upload.attachment,
        Attachment {
            asset_urn: "urn:li:digitalmediaAsset:D4E10AQFx".into(),
            byte_size: 123,
            media_type: "image/png".into(),
            name: "photo.png".into(),
            url: None,
        }
    );
    let premium: PremiumStatus = ok("reference_premium_200.json");
    assert_eq!(premium.premium_type.as_deref(), Some("SALES_NAVIGATOR"));
    assert!(premium.is_premium && premium.has_sales_navigator && premium.has_away_messages);
    assert!(!premium.has_recruiter && !premium.has_advertise_badge && !premium.has_hiring_manager);
}

#[test]
fn accounts_keep_unknown_statuses_as_written() {
    let reference: Vec<Account> = ok("reference_accounts_200.json");
    assert_eq!(reference.len(), 2);
    assert_eq!(reference[0].status, AccountStatus::Available);
    assert_eq!(reference[1].status, AccountStatus::Warmup);
    assert_eq!(reference[1].picture, None);
    assert!(!reference[1].api_seat_allocated);

    let mixed: Vec<Account> = ok("dialect_accounts_200.json");
    let statuses: Vec<&str> = mixed.iter().map(|a| a.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["IN_USE", "FREE", "PREMIUM"],
        "the id-less and null entries are left out"
    );
    assert_eq!(mixed[0].status, AccountStatus::InUse);
    assert_eq!(mixed[1].status, AccountStatus::Other("FREE".into()));
    assert!(mixed[0].enabled, "\"true\"");
    assert_eq!(mixed[0].last_name, "");
    let back = serde_json::to_value(&mixed[2]).unwrap();
    assert_eq!(back["status"], "PREMIUM", "written back as it came");
}

#[test]
fn every_documented_error_body_gives_a_readable_message() {
    let standard = error_for(&answer(400, &[], fixture("cookbook_error_standard.json")));
    assert_eq!(
        standard,
        ApiError::BadRequest {
            status: 400,
            code: None,
            message: "human-readable message".into()
        }
    );
    let validation = error_for(&answer(400, &[], fixture("cookbook_error_validation.json")));
    assert_eq!(
        validation,
        ApiError::BadRequest {
            status: 400,
            code: Some("validation".into()),
            message: "invalid request: profileId: Required".into()
        }
    );
    let coded = error_for(&answer(400, &[], fixture("reference_error_coded.json")));
    assert_eq!(coded.reason(), Some("sales_navigator_unavailable"));
    let forbidden = error_for(&answer(403, &[], fixture("cookbook_error_standard.json")));
    assert_eq!(forbidden.code(), "forbidden");
    assert_eq!(forbidden.status(), Some(403));
    let unauthorized = error_for(&answer(401, &[], fixture("seed_error_401.json")));
    assert_eq!(
        unauthorized,
        ApiError::Unauthorized {
            message: "Unauthorized - Invalid credentials".into()
        }
    );
    let server = error_for(&answer(500, &[], fixture("seed_error_500.json")));
    assert_eq!(
        server.to_string(),
        "server fault 500: Failed to get LinkedIn authentication credentials"
    );
}

/// 2026-04-27T15:00:00Z, as "now" for the 429s below.
const NOW: i64 = 1_777_302_000_000;

#[test]
fn a_429_in_the_cookbooks_form_waits_for_hold_until() {
    let r = answer(
        429,
        &[
            ("X-RateLimit-Action", "CONNECT"),
            ("X-RateLimit-Limit", "90"),
            ("X-RateLimit-Used", "90"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "2026-04-28T00:00:00Z"),
        ],
        fixture("cookbook_error_429.json"),
    );
    let limits = rate_limit_at(&r, NOW);
    assert_eq!(
        limits,
        RateLimit {
            // holdUntil 15:42:11 is 42 min 11 s after 15:00:00.
            retry_after_ms: Some(2_531_000),
            limit: Some(90),
            remaining: Some(0),
            used: Some(90),
            reset: None,
            reset_at_ms: Some(1_777_334_400_000),
            hold_until_ms: Some(1_777_304_531_000),
            action: Some("CONNECT".into()),
        }
    );
    let err = error_for(&r);
    assert_eq!(err.code(), "rate_limited");
    assert!(
        err.to_string().contains("Rate limit exceeded for CONNECT"),
        "{err}"
    );
}

#[test]
fn a_429_reset_in_any_documented_form_gives_the_wait() {
    let wait = |headers: &[(&str, &str)]| {
        rate_limit_at(&answer(429, headers, b"{}".to_vec()), NOW).retry_after_ms
    };
    // Retry-After: seconds, or an HTTP date (RFC 9110).
    assert_eq!(wait(&[("Retry-After", "7")]), Some(7_000));
    assert_eq!(
        wait(&[("Retry-After", "Mon, 27 Apr 2026 15:00:30 GMT")]),
        Some(30_000)
    );
    // X-RateLimit-Reset: epoch seconds, epoch ms, ISO-8601, or seconds to wait.
    assert_eq!(wait(&[("X-RateLimit-Reset", "1777302045")]), Some(45_000));
    assert_eq!(
        wait(&[("X-RateLimit-Reset", "1777302045500")]),
        Some(45_500)
    );
    assert_eq!(
        wait(&[("X-RateLimit-Reset", "2026-04-27T15:01:00.000Z")]),
        Some(60_000)
    );
    assert_eq!(wait(&[("X-RateLimit-Reset", "12")]), Some(12_000));
    // A reset already past: wait nothing. Retry-After wins over the window's reset.
    assert_eq!(wait(&[("X-RateLimit-Reset", "1777301000")]), Some(0));
    assert_eq!(
        wait(&[("Retry-After", "3"), ("X-RateLimit-Reset", "1777302045")]),
        Some(3_000)
    );
    assert_eq!(wait(&[]), None);
    // The answer's own Date header is the clock when present.
    let dated = answer(
        429,
        &[
            ("Date", "Mon, 27 Apr 2026 15:00:00 GMT"),
            ("X-RateLimit-Reset", "2026-04-27T15:00:20Z"),
        ],
        Vec::new(),
    );
    assert_eq!(
        threadline::api::rate_limit(&dated).retry_after_ms,
        Some(20_000)
    );
}
