//! Writes `tests/fixtures/store_kv_v1.json`: the string keys the engine's key-value layout
//! (`PersistLog`: head, snapshot, deltas) holds after a realistic scenario against the
//! simulator, saved by the build that still wrote that layout for every storage, so the
//! migration to the per-record layout (issue 13) is tested against a real store. Ignored: run it
//! only to regenerate the fixture from such a build (see `tests/fixtures/README.md`).

use std::collections::BTreeMap;

use serde_json::json;
use threadline::api::Op;
use threadline::sync::{Command, FailureCode, OutboxEntry, Recipient, SendState};
use threadline_engine_tests::*;

/// A person no thread includes: a send to them opens a new conversation (and uses quota).
fn stranger(i: usize) -> String {
    format!("urn:li:fsd_profile:ACoAAFixture_Stranger-SimPerson{i:09}")
}

fn recallable() -> String {
    message_urn(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID)
}

fn entries(d: &Driver, account: &threadline::sync::AccountId) -> Vec<OutboxEntry> {
    d.engine()
        .store(account)
        .map(|s| s.outbox().entries.values().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "writes tests/fixtures/store_kv_v1.json; run only to regenerate it"]
async fn write_the_key_value_store_fixture() {
    let mut d = Driver::start().await;
    let settle = test_config().echo_settle_ms;
    // Several conversations of two accounts, and the conversation list.
    d.open(&ada(), &long_thread()).await;
    d.open(&ada(), &shared_thread_ada()).await;
    d.open(&grace(), &shared_thread_grace()).await;
    d.command(Command::RefreshConversations {
        account: ada(),
        cursor: None,
    })
    .await;
    // A reaction of our own.
    let target = d
        .view(&ada(), &long_thread())
        .messages
        .iter()
        .rev()
        .filter_map(|m| m.message_urn.clone())
        .find(|urn| *urn != recallable())
        .expect("a message on the newest page");
    d.command(Command::React {
        conversation_urn: None,
        account: ada(),
        message_urn: target,
        emoji: "🎉".into(),
        add: true,
    })
    .await;
    // A tombstone.
    d.command(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: recallable(),
    })
    .await;
    // A confirmed send, and a new conversation (quota used).
    d.command(send_into(&ada(), &long_thread(), "confirmed reply"))
        .await;
    d.command(send(
        &ada(),
        Recipient::ProfileUrn(stranger(0)),
        "hello there",
    ))
    .await;
    d.advance(2 * settle).await;
    // A send whose entry could not be saved: failed (storage), written with the next snapshot.
    d.disk.failing = true;
    d.command(send_into(
        &grace(),
        &shared_thread_grace(),
        "unsaved at first",
    ))
    .await;
    d.disk.failing = false;
    // A send proved absent after a 500 before it took effect: failed, retryable.
    d.sim.fault(json!({"op": "send", "status": 500})).await;
    d.command(send(
        &ada(),
        Recipient::ProfileUrn(stranger(1)),
        "proved absent",
    ))
    .await;
    d.advance(2 * settle).await;
    // A 500 after the send took effect: ambiguous, the answer of the search for its echo slow.
    d.hold_answers_of(Op::Conversations);
    d.sim
        .fault(json!({"op": "send", "status": 500, "after": true}))
        .await;
    d.command(send(
        &ada(),
        Recipient::ProfileUrn(stranger(2)),
        "ambiguous",
    ))
    .await;
    // In flight (its answer held back), and one queued behind it in the same conversation.
    d.hold_answers_of(Op::Send);
    d.command(send_into(&ada(), &long_thread(), "in flight"))
        .await;
    d.command(send_into(&ada(), &long_thread(), "queued behind"))
        .await;
    // Read marks: small deltas after the last snapshot.
    for (account, conv) in [
        (ada(), shared_thread_ada()),
        (grace(), shared_thread_grace()),
    ] {
        d.command(Command::MarkRead {
            account,
            conversation_urn: conv,
        })
        .await;
    }

    let mut states: Vec<(String, &str)> = Vec::new();
    for account in [ada(), grace()] {
        for e in entries(&d, &account) {
            let state = match &e.state {
                SendState::Queued => "queued",
                SendState::InFlight { .. } => "in flight",
                SendState::Ambiguous { .. } => "ambiguous",
                SendState::Failed { reason, .. } if reason.code == FailureCode::Storage => {
                    "failed storage"
                }
                SendState::Failed { .. } => "failed",
                SendState::Sent { .. } => "sent",
            };
            states.push((e.text.clone(), state));
        }
    }
    states.sort();
    assert_eq!(
        states,
        [
            ("ambiguous".to_owned(), "ambiguous"),
            ("in flight".to_owned(), "in flight"),
            ("proved absent".to_owned(), "failed"),
            ("queued behind".to_owned(), "queued"),
            ("unsaved at first".to_owned(), "failed storage"),
        ],
        "{}",
        d.trace.join("\n")
    );
    let status = d.engine().status(&ada());
    assert!(status.quota_left < test_config().daily_quota, "{status:?}");
    let store = d.engine().store(&ada()).expect("ada's store");
    let recalled = threadline::urn::MessageId::parse(&recallable()).unwrap();
    assert!(store.is_tombstoned(&recalled));

    let kv: BTreeMap<String, String> = d.disk.kv.0.borrow().clone();
    assert!(
        kv.keys().any(|k| k.starts_with("threadline:delta:")),
        "{kv:?}"
    );
    let text = serde_json::to_string_pretty(&kv).expect("JSON") + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/store_kv_v1.json");
    std::fs::write(path, text).expect("the fixture is written");
    println!("written at now_ms = {}", d.now());
}
