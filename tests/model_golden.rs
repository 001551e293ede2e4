//! The seed pages' example bodies (copied into tests/fixtures/) decode with the model types, and
//! the fields the seeds name survive a round trip.

use threadline::model::*;

/// Decodes an answer the way the client does (missing fields read as absent).
fn answer<T: Answer>(text: &str) -> T {
    T::from_value(serde_json::from_str(text).expect("JSON")).expect("decodes")
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn seed_recent_messages_decodes_with_rich_fields() {
    let page: RecentMessagesPage =
        serde_json::from_str(&fixture("seed_recent_messages_200.json")).expect("seed 003 decodes");
    assert_eq!(page.account_id.as_deref(), Some("696ce9e780e0483585e4e553"));
    let c = &page.conversations[0];
    assert!(c.conversation_urn.starts_with("urn:li:msg_conversation:("));
    assert_eq!(c.unread_count, 0);
    assert_eq!(c.is_read, Some(true));
    assert_eq!(c.state, None);
    let p = &c.participants[0];
    assert_eq!(p.member_badge_type, None);
    assert_eq!(p.backend_urn.as_deref(), Some("urn:li:member:883467181"));
    let latest = c.latest_message.as_ref().expect("latest message");
    assert_eq!(latest.sent_at, Some(1771950346603));
    assert!(latest
        .backend_message_urn
        .as_deref()
        .unwrap()
        .ends_with("NS0xMDA="));
    assert_eq!(page.next_cursor, None);
}

#[test]
fn seed_messages_page_decodes() {
    let page: MessagesPage =
        serde_json::from_str(&fixture("seed_messages_200.json")).expect("seed 001 decodes");
    assert!(page.success && page.has_more);
    assert_eq!(page.cursor.as_deref(), Some("example_value"));
    assert_eq!(page.messages.len(), 1);
    assert_eq!(
        page.messages[0].sender_profile_id.as_deref(),
        Some("john-doe-123")
    );
    assert!(page.messages[0].attachments.is_empty());
    assert_eq!(page.participants[0].profile_id, "john-doe-123");
}

#[test]
fn numeric_cursor_decodes_as_text() {
    let page: MessagesPage = answer(r#"{"messages":[],"hasMore":true,"cursor":1771950346603}"#);
    assert_eq!(page.cursor.as_deref(), Some("1771950346603"));
}

#[test]
fn seed_send_answer_with_empty_sent_message_decodes() {
    let ans: SendResponse = serde_json::from_str(&fixture("seed_send_200.json")).unwrap();
    assert_eq!(ans.thread_id.as_deref(), Some("12345"));
    assert_eq!(ans.sent_message, Some(SentMessage::default()));
}

#[test]
fn seed_send_request_round_trips() {
    let raw = fixture("seed_send_request.json");
    let req: SendRequest = serde_json::from_str(&raw).unwrap();
    assert_eq!(req.messaging_channel, Some(MessagingChannel::Auto));
    assert_eq!(req.recipient_profile_id.as_deref(), Some("john-doe-123"));
    let back: serde_json::Value = serde_json::to_value(&req).unwrap();
    let orig: serde_json::Value = serde_json::from_str(&raw).unwrap();
    for key in [
        "accountId",
        "recipientProfileId",
        "conversationUrn",
        "message",
        "subject",
    ] {
        assert_eq!(back[key], orig[key], "{key}");
    }
    assert_eq!(back["messagingChannel"], "auto");
}

#[test]
fn seed_react_and_recall_decode() {
    let r: ReactResponse = serde_json::from_str(&fixture("seed_react_200.json")).unwrap();
    assert!(r.react && r.success);
    let q: ReactRequest = serde_json::from_str(&fixture("seed_react_request.json")).unwrap();
    assert!(!q.react);
    let d: RecallResponse = serde_json::from_str(&fixture("seed_recall_200.json")).unwrap();
    assert!(d.success);
}

#[test]
fn react_request_requires_both_fields() {
    assert!(serde_json::from_str::<ReactRequest>(r#"{"emoji":"👍"}"#).is_err());
}

#[test]
fn both_error_shapes_give_their_text() {
    for (name, text) in [
        ("seed_error_legacy.json", "example_value"),
        ("seed_error_401.json", "Unauthorized - Invalid credentials"),
        (
            "seed_error_500.json",
            "Failed to get LinkedIn authentication credentials",
        ),
        (
            "reference_error_coded.json",
            "This account has no active Sales Navigator subscription",
        ),
    ] {
        let body: ErrorBody = serde_json::from_str(&fixture(name)).unwrap();
        assert_eq!(body.text(), Some(text), "{name}");
    }
    let coded: ErrorBody = serde_json::from_str(&fixture("reference_error_coded.json")).unwrap();
    assert_eq!(coded.code.as_deref(), Some("sales_navigator_unavailable"));
}

#[test]
fn unknown_fields_are_tolerated_and_unknown_enum_values_kept() {
    let acc: Vec<Account> = answer(
        r#"[{"id":"a1","firstName":"Ada","lastName":"L","status":"SUSPENDED","enabled":true,
            "apiSeatAllocated":true,"brandNew":{"x":1}}]"#,
    );
    assert_eq!(acc[0].status, AccountStatus::Other("SUSPENDED".into()));
    let ev: ServerEvent =
        serde_json::from_str(r#"{"seq":7,"type":"typingStarted","extra":true}"#).unwrap();
    assert_eq!(ev.kind, ServerEventKind::Unknown);
    let page: ConversationsPage = answer(
        r#"{"conversations":[{"conversationUrn":"urn:li:messagingThread:2-x","source":"weird"}]}"#,
    );
    let c = &page.conversations[0];
    assert_eq!(c.source, Some(ConversationSource::Other("weird".into())));
}
