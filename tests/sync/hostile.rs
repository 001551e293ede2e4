//! Hostile input to the engine (issue 12): a messages page whose URN is tens of kilobytes, facts
//! from another tab with ids that were never parsed, deep extra fields, and stored records with
//! ids no parser gives. Each is refused or skipped, cheaply, and nothing of it is stored.

use threadline::model::{Message, MessagesPage};
use threadline::sync::{
    AccountId, ApiReply, Command, Effect, Engine, EngineConfig, Input, Notice, RemoteFact,
    RestoreIssue, ViewId,
};
use threadline::urn::{ConversationId, MessageId};

const CONV: &str = "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-YWJj)";
const NOW: i64 = 1_700_000_000_000;

fn account() -> AccountId {
    AccountId("acc_1".into())
}

fn msg(urn: &str, text: &str, at: i64) -> Message {
    Message {
        message_urn: urn.into(),
        text: text.into(),
        sent_at: at,
        ..Default::default()
    }
}

/// An engine showing `CONV`, answered with `messages` as its first page; the notices it gave.
fn shown_with(messages: Vec<Message>) -> (Engine, Vec<Notice>) {
    let mut engine = Engine::new(EngineConfig::default());
    let effects = engine.handle(
        Input::Command(Command::OpenConversation {
            view: ViewId("v".into()),
            account: account(),
            conversation_urn: CONV.into(),
        }),
        NOW,
    );
    let mut notices = Vec::new();
    for e in effects {
        if let Effect::Request(r) = e {
            let page = MessagesPage {
                messages: messages.clone(),
                ..Default::default()
            };
            for e in engine.handle(
                Input::Answer {
                    id: r.id,
                    result: Ok(ApiReply::Messages(page)),
                },
                NOW + 1,
            ) {
                if let Effect::Notify(n) = e {
                    notices.push(n);
                }
            }
        }
    }
    (engine, notices)
}

fn held(engine: &Engine) -> Vec<String> {
    engine
        .store(&account())
        .map(|s| {
            s.messages_in(&ConversationId::parse(CONV).unwrap())
                .map(|m| m.id.as_str().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_message_urn_of_140_kb_in_a_page_is_skipped_and_the_rest_is_kept() {
    // Before the fix this blocked the engine on every poll (32 KB) or killed it (140 KB).
    let huge = format!("urn:li:messagingMessage:2-%{}41", "25".repeat(70 * 1024));
    let (engine, notices) = shown_with(vec![
        msg("urn:li:messagingMessage:2-MTE=", "kept", NOW - 10),
        msg(&huge, "hostile", NOW - 5),
        msg(
            &format!("%{}41", "25".repeat(16 * 1024)),
            "hostile",
            NOW - 4,
        ),
    ]);
    assert_eq!(held(&engine), vec!["2-MTE=".to_string()]);
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::Skipped { count: 2, .. })),
        "{notices:?}"
    );
}

fn messages_fact(json_messages: &str) -> String {
    format!(
        r#"{{"kind":"messages","account":"acc_1","conversationUrn":"{CONV}","messages":{json_messages}}}"#
    )
}

fn stored(id: &str, urn: &str, conversation: &str) -> String {
    format!(
        r#"{{"id":"{id}","conversation":"{conversation}","messageUrn":"{urn}","text":"t","sentAt":1,"isSentByOwner":false,"stamp":1}}"#
    )
}

#[test]
fn a_well_formed_fact_is_accepted_and_merged() {
    let json = messages_fact(&format!(
        "[{}]",
        stored("2-MTE=", "urn:li:messagingMessage:2-MTE=", "2-YWJj")
    ));
    let fact = RemoteFact::from_json(json.as_bytes()).expect("a good fact");
    let (mut engine, _) = shown_with(Vec::new());
    engine.handle(Input::Remote(fact), NOW + 2);
    assert_eq!(held(&engine), vec!["2-MTE=".to_string()]);
}

#[test]
fn facts_with_ids_no_parser_gives_are_refused() {
    let bad = [
        // A dot segment and a path as ids: stored unchecked before the fix.
        messages_fact(&format!(
            "[{}]",
            stored("..", "urn:li:messagingMessage:..", "2-YWJj")
        )),
        messages_fact(&format!(
            "[{}]",
            stored("2-MTE=", "urn:li:messagingMessage:2-MTE=", "../..")
        )),
        r#"{"kind":"tombstones","account":"acc_1","ids":["a b"]}"#.to_string(),
        r#"{"kind":"read","account":"acc_1","conversation":"","at":1}"#.to_string(),
        // A URN that names another message than the id it travels with.
        messages_fact(&format!(
            "[{}]",
            stored("2-MTE=", "urn:li:messagingMessage:2-OTHER", "2-YWJj")
        )),
        // A message of another conversation than the fact names.
        messages_fact(&format!(
            "[{}]",
            stored("2-MTE=", "urn:li:messagingMessage:2-MTE=", "2-ZZZ")
        )),
    ];
    for json in &bad {
        assert!(RemoteFact::from_json(json.as_bytes()).is_err(), "{json}");
    }
}

#[test]
fn a_fact_checked_by_the_engine_itself_is_skipped_with_a_notice() {
    // A driver that builds facts without `from_json` still gets them checked by the engine.
    let id = MessageId::parse("2-MTE=").unwrap();
    let good = RemoteFact::from_json(
        messages_fact(&format!(
            "[{}]",
            stored("2-MTE=", "urn:li:messagingMessage:2-MTE=", "2-YWJj")
        ))
        .as_bytes(),
    )
    .unwrap();
    let RemoteFact::Messages {
        account: acct,
        conversation_urn,
        mut messages,
    } = good
    else {
        unreachable!()
    };
    messages[0].text = "x".repeat(100_000);
    let (mut engine, _) = shown_with(Vec::new());
    let effects = engine.handle(
        Input::Remote(RemoteFact::Messages {
            account: acct,
            conversation_urn,
            messages,
        }),
        NOW + 2,
    );
    assert!(held(&engine).is_empty());
    assert!(engine.store(&account()).unwrap().message(&id).is_none());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Notify(Notice::Skipped { .. }))),
        "{effects:?}"
    );
}

#[test]
fn a_deep_extra_field_is_refused_by_depth_not_by_the_stack() {
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let json =
        format!(r#"{{"kind":"read","account":"acc_1","conversation":"2-YWJj","at":1,"x":{deep}}}"#);
    let err = RemoteFact::from_json(json.as_bytes()).expect_err("too deep");
    assert!(err.to_string().contains("unreadable"), "{err}");
    let why = serde_json::from_str::<RemoteFact>(&json).unwrap_err();
    assert!(why.to_string().contains("recursion limit"), "{why}");
    let huge = format!(
        r#"{{"kind":"read","account":"acc_1","conversation":"2-YWJj","at":1,"x":"{}"}}"#,
        "a".repeat(threadline::sync::MAX_FACT_BYTES)
    );
    assert!(RemoteFact::from_json(huge.as_bytes()).is_err());
}

#[test]
fn stored_records_with_ids_no_parser_gives_are_dropped_with_a_reason() {
    let (engine, _) = shown_with(vec![msg(
        "urn:li:messagingMessage:2-MTE=",
        "kept",
        NOW - 10,
    )]);
    let good = serde_json::to_string(&engine.snapshot()).unwrap();
    assert!(good.contains("\"2-MTE=\""));
    let bad = good.replace("\"2-MTE=\"", "\"../..\"");
    let (restored, issues) =
        Engine::restore(EngineConfig::default(), Some(bad.as_bytes()), &[], NOW);
    assert!(
        matches!(issues.as_slice(), [RestoreIssue::CorruptSnapshot { .. }]),
        "{issues:?}"
    );
    assert!(restored.store(&account()).is_none());
}
