//! The engine's rules, scenario by scenario, against a real simulator on loopback: each test
//! starts its own simulator (clock frozen at `ANCHOR_MS`) and drives one engine with the native
//! driver of this crate. Time passes only when a test says so, on the simulator's clock.

use std::collections::BTreeSet;

use serde_json::json;
use threadline::api::Op;
use threadline::model::MessagingChannel;
use threadline::sync::{
    AccountId, Command, FailureCode, MessageState, MessageView, Millis, Notice, Recipient, Refusal,
    SyncStatus,
};
use threadline::urn::MessageId;
use threadline_engine_tests::*;

/// The shown messages with this text.
fn with_text<'v>(view: &'v [MessageView], text: &str) -> Vec<&'v MessageView> {
    view.iter().filter(|m| m.text == text).collect()
}

/// The one shown message with this text, confirmed (an id, state `Sent`).
fn the_sent(d: &Driver, account: &AccountId, conv: &str, text: &str) -> MessageView {
    let view = d.view(account, conv);
    let found = with_text(&view.messages, text);
    assert_eq!(
        found.len(),
        1,
        "one {text:?} in {:#?}",
        texts(&view.messages)
    );
    let m = found[0].clone();
    assert!(m.id.is_some(), "{m:?} is confirmed");
    assert_eq!(m.state, MessageState::Sent, "{m:?}");
    m
}

fn texts(view: &[MessageView]) -> Vec<(&str, &MessageState)> {
    view.iter().map(|m| (m.text.as_str(), &m.state)).collect()
}

/// How many messages with this text the server holds for `account` in the conversation.
async fn on_server(d: &Driver, account: &AccountId, conv: &str, text: &str) -> usize {
    let messages = d.sim.server_messages(account, conv).await;
    messages.iter().filter(|m| m.text == text).count()
}

fn send_failures(d: &Driver) -> Vec<(FailureCode, String)> {
    d.notices
        .iter()
        .filter_map(|n| match n {
            Notice::SendFailed { reason, .. } => Some((reason.code, reason.message.clone())),
            _ => None,
        })
        .collect()
}

fn recall_failures(d: &Driver) -> Vec<String> {
    d.notices
        .iter()
        .filter_map(|n| match n {
            Notice::RecallFailed { reason, .. } => Some(reason.message.clone()),
            _ => None,
        })
        .collect()
}

/// The outbox entry shown with this text (no id yet).
fn the_entry(d: &Driver, account: &AccountId, conv: &str, text: &str) -> MessageView {
    let view = d.view(account, conv);
    let found = with_text(&view.messages, text);
    assert_eq!(
        found.len(),
        1,
        "one {text:?} in {:#?}",
        texts(&view.messages)
    );
    found[0].clone()
}

// ----- reading -----

#[tokio::test]
async fn opening_a_conversation_shows_the_servers_newest_page() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let view = d.view(&ada(), &long_thread());
    let server = d.sim.server_messages(&ada(), &long_thread()).await;
    let newest: Vec<_> = server[server.len() - 50..]
        .iter()
        .map(|m| &m.text)
        .collect();
    let shown: Vec<_> = view.messages.iter().map(|m| &m.text).collect();
    assert_eq!(shown, newest);
    assert!(view.has_more_history);
    assert_eq!(d.engine().status(&ada()).sync, SyncStatus::Synced);
}

#[tokio::test]
async fn a_thread_seen_by_two_accounts_is_stored_once_per_account_under_each_prefix() {
    let mut d = Driver::start().await;
    d.open(&ada(), &shared_thread_ada()).await;
    d.open(&grace(), &shared_thread_grace()).await;
    let as_ada = d.view(&ada(), &shared_thread_ada());
    let as_grace = d.view(&grace(), &shared_thread_grace());
    let server = d.sim.server_messages(&ada(), &shared_thread_ada()).await;
    assert!(!server.is_empty());
    assert_eq!(as_ada.messages.len(), server.len());
    assert_eq!(as_grace.messages.len(), server.len());
    // One message, one id, whatever the mailbox prefix of its URN.
    let ids = |v: &[MessageView]| -> Vec<MessageId> {
        v.iter().map(|m| m.id.clone().expect("an id")).collect()
    };
    assert_eq!(ids(&as_ada.messages), ids(&as_grace.messages));
    for (a, g) in as_ada.messages.iter().zip(&as_grace.messages) {
        let (a, g) = (a.message_urn.as_deref(), g.message_urn.as_deref());
        assert!(a.unwrap().contains(ids::PROFILE_ADA), "{a:?}");
        assert!(g.unwrap().contains(ids::PROFILE_GRACE), "{g:?}");
    }
    // Ada opening the thread by Grace's URN of it is the same conversation: nothing doubles.
    d.command(Command::OpenConversation {
        view: threadline::sync::ViewId("ada-by-grace-urn".into()),
        account: ada(),
        conversation_urn: shared_thread_grace(),
    })
    .await;
    d.command(Command::Refresh {
        account: ada(),
        conversation_urn: shared_thread_grace(),
    })
    .await;
    let again = d.view(&ada(), &shared_thread_grace());
    assert_eq!(again.id, as_ada.id);
    assert_eq!(ids(&again.messages), ids(&as_ada.messages));
}

#[tokio::test]
async fn older_history_comes_through_the_cursor_until_the_server_has_no_more() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let mut loads = 0;
    while d.view(&ada(), &long_thread()).has_more_history {
        loads += 1;
        assert!(loads <= 10, "still more history after {loads} pages");
        d.command(Command::LoadOlder {
            account: ada(),
            conversation_urn: long_thread(),
        })
        .await;
    }
    let view = d.view(&ada(), &long_thread());
    assert_eq!(view.messages.len(), ids::LONG_THREAD_MESSAGES);
    let unique: BTreeSet<_> = view.messages.iter().map(|m| m.id.clone()).collect();
    assert_eq!(unique.len(), ids::LONG_THREAD_MESSAGES);
    let times: Vec<i64> = view.messages.iter().map(|m| m.sent_at.get()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    // The head page plus one request per load: no page asked twice.
    assert_eq!(d.sim.total("messages").await, 1 + loads);
    assert!(
        loads >= 2,
        "150 messages in pages of 50 take at least two loads"
    );
}

#[tokio::test]
async fn an_incoming_message_appears_after_the_next_poll() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let text = "Linus writes back";
    d.sim
        .incoming(
            json!({"accountId": ids::ACCOUNT_ADA, "conversationUrn": long_thread(), "text": text}),
        )
        .await;
    assert!(with_text(&d.view(&ada(), &long_thread()).messages, text).is_empty());
    d.advance(test_config().poll_interval_ms).await;
    let view = d.view(&ada(), &long_thread());
    let m = with_text(&view.messages, text);
    assert_eq!(m.len(), 1);
    assert!(!m[0].is_sent_by_owner);
    // Later polls do not show it again.
    d.advance(3 * test_config().poll_interval_ms).await;
    assert_eq!(
        with_text(&d.view(&ada(), &long_thread()).messages, text).len(),
        1
    );
}

#[tokio::test]
async fn an_incoming_message_appears_at_once_when_its_event_arrives() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.connect_events().await;
    let text = "pushed, not polled";
    d.sim
        .incoming(
            json!({"accountId": ids::ACCOUNT_ADA, "conversationUrn": long_thread(), "text": text}),
        )
        .await;
    // No time passes: the event makes the engine poll.
    d.settle().await;
    assert_eq!(
        with_text(&d.view(&ada(), &long_thread()).messages, text).len(),
        1
    );
}

// ----- sending -----

#[tokio::test]
async fn a_send_shows_one_message_and_reaches_the_server_once() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let text = "one message, once";
    d.command_only(send_into(&ada(), &long_thread(), text));
    let pending = the_entry(&d, &ada(), &long_thread(), text);
    assert!(matches!(
        pending.state,
        MessageState::Sending {
            confirming: false,
            ..
        }
    ));
    d.settle().await;
    the_sent(&d, &ada(), &long_thread(), text);
    // Polls see its echo; it stays one.
    d.advance(3 * test_config().poll_interval_ms).await;
    the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.applied("send").await, 1);
    assert_eq!(d.sim.total("send").await, 1);
    assert_eq!(on_server(&d, &ada(), &long_thread(), text).await, 1);
    assert_eq!(d.engine().status(&ada()).outbox_pending, 0);
}

#[tokio::test]
async fn a_500_before_the_send_took_effect_is_proved_absent_and_a_retry_sends_once() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.sim.fault(json!({"op": "send", "status": 500})).await;
    let text = "refused by a 500";
    d.command(send_into(&ada(), &long_thread(), text)).await;
    // Ambiguous: never resent blindly, looked for first.
    let entry = the_entry(&d, &ada(), &long_thread(), text);
    assert!(matches!(
        entry.state,
        MessageState::Sending {
            confirming: true,
            ..
        }
    ));
    d.advance(2 * test_config().echo_settle_ms).await;
    let entry = the_entry(&d, &ada(), &long_thread(), text);
    let MessageState::Failed { reason, retryable } = &entry.state else {
        panic!("proved absent: {entry:?}");
    };
    assert!(*retryable);
    assert_eq!(reason.code, FailureCode::ProvedAbsent);
    assert_eq!(d.sim.total("send").await, 1);
    assert_eq!(d.sim.applied("send").await, 0);
    // The user sends it again: once.
    let key = entry.client_key.expect("an outbox entry");
    d.command(Command::RetrySend {
        account: ada(),
        client_key: key,
    })
    .await;
    d.advance(2 * test_config().poll_interval_ms).await;
    the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.applied("send").await, 1);
    assert_eq!(on_server(&d, &ada(), &long_thread(), text).await, 1);
    assert_eq!(d.outcomes_of(Op::Send), vec!["server", "ok"]);
}

#[tokio::test]
async fn an_echo_polled_before_the_sends_answer_is_the_same_message_shown_once() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.hold_answers_of(Op::Send);
    let text = "the echo wins the race";
    d.command(send_into(&ada(), &long_thread(), text)).await;
    assert_eq!(d.sim.applied("send").await, 1);
    // The poll brings the message while the send's answer is still on its way.
    d.advance(test_config().poll_interval_ms).await;
    let echo = the_sent(&d, &ada(), &long_thread(), text);
    assert!(echo.client_key.is_some(), "matched to its outbox entry");
    d.release().await;
    let sent = the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(sent.id, echo.id);
    assert_eq!(d.outcomes_of(Op::Send), vec!["ok"]);
    assert_eq!(d.engine().status(&ada()).outbox_pending, 0);
    d.advance(2 * test_config().poll_interval_ms).await;
    the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.total("send").await, 1);
}

/// Arms `fault` on the next send, sends, lets time pass, and checks the rule: one message in
/// the view, one on the server, one applied, never re-sent, no failure told.
async fn ambiguous_send_after_it_took_effect(d: &mut Driver, text: &str) {
    d.open(&ada(), &long_thread()).await;
    d.command(send_into(&ada(), &long_thread(), text)).await;
    d.advance(4 * test_config().poll_interval_ms).await;
    the_sent(d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.applied("send").await, 1);
    assert_eq!(d.sim.total("send").await, 1, "never sent again");
    assert_eq!(on_server(d, &ada(), &long_thread(), text).await, 1);
    assert_eq!(send_failures(d), vec![]);
    assert_eq!(d.engine().status(&ada()).outbox_pending, 0);
    // And after a restart it is still one confirmed message.
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    the_sent(d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.total("send").await, 1);
}

#[tokio::test]
async fn a_500_after_the_send_took_effect_shows_one_message_and_sends_once() {
    let mut d = Driver::start().await;
    let spec = json!({"op": "send", "status": 500, "after": true});
    d.sim.fault(spec).await;
    ambiguous_send_after_it_took_effect(&mut d, "sent, then a 500").await;
    assert_eq!(d.outcomes_of(Op::Send), vec!["server"]);
    assert_eq!(d.sim.count("send", "500").await, 1);
}

#[tokio::test]
async fn a_dropped_connection_after_the_send_took_effect_shows_one_message_and_sends_once() {
    let mut d = Driver::start().await;
    let spec = json!({"op": "send", "drop": true, "after": true});
    d.sim.fault(spec).await;
    ambiguous_send_after_it_took_effect(&mut d, "sent, then the line dropped").await;
    assert_eq!(d.outcomes_of(Op::Send), vec!["network"]);
    assert_eq!(d.sim.count("send", "dropped").await, 1);
}

#[tokio::test]
async fn a_timeout_after_the_send_took_effect_shows_one_message_and_sends_once() {
    let mut d = Driver::start().await;
    d.answer_next_sends_late(1);
    ambiguous_send_after_it_took_effect(&mut d, "sent, answer too late").await;
    assert_eq!(d.outcomes_of(Op::Send), vec!["timeout"]);
}

#[tokio::test]
async fn a_timeout_before_the_send_took_effect_is_proved_absent_and_a_retry_sends_once() {
    // The simulator waits before the operation; the client gives up first (real 250 ms) and
    // the abandoned request never runs.
    let mut d = Driver::start_with(test_config(), 250).await;
    d.open(&ada(), &long_thread()).await;
    d.sim
        .fault(json!({"op": "send", "latencyMs": 60_000}))
        .await;
    let text = "slow line";
    d.command(send_into(&ada(), &long_thread(), text)).await;
    d.advance(2 * test_config().echo_settle_ms).await;
    let entry = the_entry(&d, &ada(), &long_thread(), text);
    let MessageState::Failed { reason, retryable } = &entry.state else {
        panic!("proved absent: {entry:?}");
    };
    assert!(*retryable);
    assert_eq!(reason.code, FailureCode::ProvedAbsent);
    assert!(reason.message.contains("timeout"), "{reason:?}");
    assert_eq!(d.sim.applied("send").await, 0);
    d.command(Command::RetrySend {
        account: ada(),
        client_key: entry.client_key.expect("a key"),
    })
    .await;
    the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.applied("send").await, 1);
    assert_eq!(d.outcomes_of(Op::Send), vec!["timeout", "ok"]);
}

#[tokio::test]
async fn unauthorized_pauses_the_outbox_until_the_key_is_updated_then_it_sends_once() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.set_api_key("revoked");
    let text = "waits for a key";
    d.command(send_into(&ada(), &long_thread(), text)).await;
    assert_eq!(d.sim.count("send", "401").await, 1);
    assert_eq!(
        d.engine().status(&ada()).sync,
        SyncStatus::PausedUnauthorized
    );
    // Paused: no send, no poll, however long.
    let reads = d.sim.total("messages").await;
    d.advance(10 * test_config().poll_interval_ms).await;
    assert_eq!(d.sim.total("send").await, 1);
    assert_eq!(d.sim.total("messages").await, reads);
    let entry = the_entry(&d, &ada(), &long_thread(), text);
    assert!(matches!(
        entry.state,
        MessageState::Sending {
            confirming: false,
            ..
        }
    ));
    // The key is fixed in the options: exactly one more send.
    d.set_api_key(API_KEY);
    d.command(Command::KeyUpdated).await;
    d.advance(2 * test_config().poll_interval_ms).await;
    the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.total("send").await, 2);
    assert_eq!(d.sim.applied("send").await, 1);
    assert_eq!(d.outcomes_of(Op::Send), vec!["unauthorized", "ok"]);
    assert_ne!(
        d.engine().status(&ada()).sync,
        SyncStatus::PausedUnauthorized
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_sends_once() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.sim
        .fault(json!({"op": "send", "status": 429, "retryAfterS": 30}))
        .await;
    let text = "after the wait";
    let sent_at = d.now();
    d.command(send_into(&ada(), &long_thread(), text)).await;
    let status = d.engine().status(&ada());
    assert_eq!(status.rate_limited_until, Some(Millis(sent_at + 30_000)));
    d.advance(29_999).await;
    assert_eq!(d.sim.total("send").await, 1, "not before Retry-After");
    let entry = the_entry(&d, &ada(), &long_thread(), text);
    assert!(matches!(
        entry.state,
        MessageState::Sending {
            confirming: false,
            ..
        }
    ));
    d.advance(1).await;
    the_sent(&d, &ada(), &long_thread(), text);
    assert_eq!(d.sim.total("send").await, 2);
    assert_eq!(d.sim.applied("send").await, 1);
    assert_eq!(d.outcomes_of(Op::Send), vec!["rate_limited", "ok"]);
}

#[tokio::test]
async fn a_sales_navigator_send_from_a_standard_account_fails_with_the_reason() {
    let mut d = Driver::start().await;
    let thread = conversation_urn(ids::PROFILE_GRACE, ids::GRACE_LONG_THREAD_ID);
    // While the account's premium status is not known, the server is the one to refuse (once
    // known, the engine refuses first: `views.rs`).
    d.hold_answers_of(Op::Premium);
    d.open(&grace(), &thread).await;
    let text = "only with Sales Navigator";
    d.command(Command::Send {
        account: grace(),
        to: Recipient::Conversation(thread.clone()),
        text: text.into(),
        subject: None,
        channel: MessagingChannel::SalesNavigator,
        attachments: Vec::new(),
        client_key: None,
    })
    .await;
    let entry = the_entry(&d, &grace(), &thread, text);
    let MessageState::Failed { reason, retryable } = &entry.state else {
        panic!("failed: {entry:?}");
    };
    assert!(!retryable);
    assert_eq!(reason.code, FailureCode::BadRequest);
    assert!(
        reason.message.contains("Sales Navigator"),
        "the reason says why: {reason:?}"
    );
    assert_eq!(send_failures(&d).len(), 1);
    assert_eq!(d.sim.count("send", "400").await, 1);
    assert_eq!(d.sim.applied("send").await, 0);
    // Time passes: it is not tried again.
    d.advance(4 * test_config().poll_interval_ms).await;
    assert_eq!(d.sim.total("send").await, 1);
}

// ----- recall -----

fn recallable() -> String {
    message_urn(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID)
}

fn is_shown(d: &Driver, account: &AccountId, conv: &str, id: &MessageId) -> bool {
    d.view(account, conv)
        .messages
        .iter()
        .any(|m| m.id.as_ref() == Some(id))
}

#[tokio::test]
async fn recalling_an_own_recent_message_removes_it_for_good() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let id = MessageId::parse(&recallable()).unwrap();
    assert!(is_shown(&d, &ada(), &long_thread(), &id));
    d.command_only(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: recallable(),
    });
    let view = d.view(&ada(), &long_thread());
    let m = view.messages.iter().find(|m| m.id.as_ref() == Some(&id));
    assert_eq!(m.map(|m| &m.state), Some(&MessageState::Recalling));
    d.settle().await;
    assert!(!is_shown(&d, &ada(), &long_thread(), &id));
    assert_eq!(d.sim.applied("recall").await, 1);
    // Never back: polls, the newest page again, the whole history, a restart.
    d.advance(3 * test_config().poll_interval_ms).await;
    d.command(Command::Refresh {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    d.command(Command::Rescan {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    assert!(!is_shown(&d, &ada(), &long_thread(), &id));
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    assert!(!is_shown(&d, &ada(), &long_thread(), &id));
    assert_eq!(d.view(&ada(), &long_thread()).messages.len(), 149);
    assert_eq!(d.sim.total("recall").await, 1);
    assert_eq!(recall_failures(&d), Vec::<String>::new());
}

#[tokio::test]
async fn a_recall_in_a_shared_thread_removes_the_message_under_both_accounts() {
    let mut d = Driver::start().await;
    d.open(&ada(), &shared_thread_ada()).await;
    d.open(&grace(), &shared_thread_grace()).await;
    d.connect_events().await;
    let text = "Ada, then gone";
    d.command(send_into(&ada(), &shared_thread_ada(), text))
        .await;
    let sent = the_sent(&d, &ada(), &shared_thread_ada(), text);
    let id = sent.id.clone().unwrap();
    // Grace sees it, under her prefix.
    the_sent(&d, &grace(), &shared_thread_grace(), text);
    d.command(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: sent.message_urn.clone().unwrap(),
    })
    .await;
    assert!(!is_shown(&d, &ada(), &shared_thread_ada(), &id));
    assert!(!is_shown(&d, &grace(), &shared_thread_grace(), &id));
    d.advance(3 * test_config().poll_interval_ms).await;
    for (account, conv) in [
        (ada(), shared_thread_ada()),
        (grace(), shared_thread_grace()),
    ] {
        d.command(Command::Rescan {
            account: account.clone(),
            conversation_urn: conv.clone(),
        })
        .await;
        assert!(!is_shown(&d, &account, &conv, &id));
    }
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    assert!(!is_shown(&d, &ada(), &shared_thread_ada(), &id));
    assert!(!is_shown(&d, &grace(), &shared_thread_grace(), &id));
    assert_eq!(d.sim.applied("recall").await, 1);
}

#[tokio::test]
async fn a_rescan_drops_a_message_recalled_by_another_client() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let id = MessageId::parse(&recallable()).unwrap();
    assert!(is_shown(&d, &ada(), &long_thread(), &id));
    // Recalled from another device; no event stream here.
    d.sim
        .other_client()
        .recall(&long_thread(), &recallable(), Some(ids::ACCOUNT_ADA))
        .await
        .expect("recalled elsewhere");
    assert_eq!(d.sim.applied("recall").await, 1);
    // `Command::Rescan`: "finds every recall made elsewhere".
    d.command(Command::Rescan {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    assert!(
        !is_shown(&d, &ada(), &long_thread(), &id),
        "the whole history was read again and the message is not in it"
    );
}

#[tokio::test]
async fn a_recall_in_a_shared_thread_leaves_the_other_accounts_view_after_a_rescan_without_events()
{
    let mut d = Driver::start().await;
    d.open(&ada(), &shared_thread_ada()).await;
    d.open(&grace(), &shared_thread_grace()).await;
    let text = "Ada, then gone, no events";
    d.command(send_into(&ada(), &shared_thread_ada(), text))
        .await;
    d.advance(test_config().poll_interval_ms).await;
    let sent = the_sent(&d, &ada(), &shared_thread_ada(), text);
    let id = sent.id.clone().unwrap();
    the_sent(&d, &grace(), &shared_thread_grace(), text);
    d.command(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: sent.message_urn.clone().unwrap(),
    })
    .await;
    assert!(!is_shown(&d, &ada(), &shared_thread_ada(), &id));
    // The shared thread is one page (hasMore false): Grace's Rescan reads all of it.
    d.command(Command::Rescan {
        account: grace(),
        conversation_urn: shared_thread_grace(),
    })
    .await;
    assert!(!is_shown(&d, &grace(), &shared_thread_grace(), &id));
}

#[tokio::test]
async fn a_recall_linkedin_would_refuse_is_refused_locally_and_sends_nothing() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let old = message_urn(ids::PROFILE_ADA, ids::OLD_OWN_MESSAGE_ID);
    let theirs = message_urn(ids::PROFILE_ADA, ids::THEIR_MESSAGE_ID);
    let known = |d: &Driver, urn: &str| {
        let id = MessageId::parse(urn).unwrap();
        is_shown(d, &ada(), &long_thread(), &id)
    };
    while !(known(&d, &old) && known(&d, &theirs)) {
        assert!(d.view(&ada(), &long_thread()).has_more_history);
        d.command(Command::LoadOlder {
            account: ada(),
            conversation_urn: long_thread(),
        })
        .await;
    }
    for urn in [&old, &theirs] {
        d.command(Command::Recall {
            conversation_urn: None,
            account: ada(),
            message_urn: urn.clone(),
        })
        .await;
    }
    let refusals = d.refusals();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert!(
        matches!(refusals[0], Refusal::RecallWindowClosed { closed_at } if closed_at < Millis(d.now())),
        "{refusals:?}"
    );
    assert_eq!(refusals[1], Refusal::NotOwnMessage);
    assert_eq!(d.sim.total("recall").await, 0);
    assert!(known(&d, &old) && known(&d, &theirs));
}

#[tokio::test]
async fn a_recall_linkedin_refuses_keeps_the_message_and_says_why() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.sim.fault(json!({"op": "recall", "status": 400})).await;
    let id = MessageId::parse(&recallable()).unwrap();
    d.command(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: recallable(),
    })
    .await;
    let view = d.view(&ada(), &long_thread());
    let m = view.messages.iter().find(|m| m.id.as_ref() == Some(&id));
    assert_eq!(m.map(|m| &m.state), Some(&MessageState::Sent));
    let reasons = recall_failures(&d);
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("LinkedIn refused"), "{reasons:?}");
    assert_eq!(d.sim.applied("recall").await, 0);
    // Polls and a restart keep it.
    d.advance(2 * test_config().poll_interval_ms).await;
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    assert!(is_shown(&d, &ada(), &long_thread(), &id));
    assert_eq!(d.sim.total("recall").await, 1);
}

// ----- reactions -----

/// The server's tally of `message` as `(emoji, count, viewer reacted)`.
async fn server_tally(d: &Driver, id: &MessageId) -> Vec<(String, u32, bool)> {
    let messages = d.sim.server_messages(&ada(), &long_thread()).await;
    let m = messages
        .iter()
        .find(|m| MessageId::parse(&m.message_urn).ok().as_ref() == Some(id))
        .expect("on the server");
    let mut tally: Vec<_> = m
        .reactions
        .iter()
        .map(|r| (r.emoji.clone(), r.count, r.viewer_reacted))
        .collect();
    tally.sort();
    tally
}

fn shown_tally(d: &Driver, id: &MessageId) -> Vec<(String, u32, bool)> {
    let view = d.view(&ada(), &long_thread());
    let m = view
        .messages
        .iter()
        .find(|m| m.id.as_ref() == Some(id))
        .expect("shown");
    let mut tally: Vec<_> = m
        .reactions
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| (r.emoji.clone(), r.count, r.mine))
        .collect();
    tally.sort();
    tally
}

#[tokio::test]
async fn reacting_and_unreacting_never_doubles_a_count() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    // A message that already carries someone's reactions, if the newest page has one.
    let view = d.view(&ada(), &long_thread());
    let target = view
        .messages
        .iter()
        .rev()
        .find(|m| m.reactions.iter().any(|r| r.mine && r.count > 1))
        .cloned()
        .expect("the seed has reactions on the newest page");
    let seeded = target.reactions.iter().find(|r| r.mine).unwrap().clone();
    let id = target.id.clone().unwrap();
    let urn = target.message_urn.clone().unwrap();
    assert_eq!(shown_tally(&d, &id), server_tally(&d, &id).await);
    let react_with = |emoji: &str, add: bool| Command::React {
        conversation_urn: None,
        account: ada(),
        message_urn: urn.clone(),
        emoji: emoji.into(),
        add,
    };
    let react = |add: bool| react_with("🎉", add);
    d.command(react(true)).await;
    d.command(react(true)).await; // already there: nothing to do
    let after_add = server_tally(&d, &id).await;
    assert!(after_add.iter().any(|(e, _, mine)| e == "🎉" && *mine));
    assert_eq!(shown_tally(&d, &id), after_add);
    // Pages that carry the tally do not add it a second time.
    d.command(Command::Refresh {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    d.advance(2 * test_config().poll_interval_ms).await;
    assert_eq!(shown_tally(&d, &id), after_add);
    d.command(react(false)).await;
    d.command(react(false)).await; // not there any more: nothing to do
    d.command(Command::Refresh {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    let after_remove = server_tally(&d, &id).await;
    assert_eq!(shown_tally(&d, &id), after_remove);
    assert!(!after_remove.iter().any(|(e, _, _)| e == "🎉"));
    // Ada's own seeded reaction, shared with someone else: off is one less, on is back.
    let before = shown_tally(&d, &id);
    d.command(react_with(&seeded.emoji, false)).await;
    let off = server_tally(&d, &id).await;
    let count_of = |t: &[(String, u32, bool)]| {
        t.iter()
            .find(|(e, _, _)| *e == seeded.emoji)
            .map(|(_, c, mine)| (*c, *mine))
    };
    assert_eq!(count_of(&off), Some((seeded.count - 1, false)));
    assert_eq!(shown_tally(&d, &id), off);
    d.command(react_with(&seeded.emoji, true)).await;
    d.command(Command::Refresh {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    assert_eq!(shown_tally(&d, &id), before);
    assert_eq!(server_tally(&d, &id).await, before);
    assert_eq!(d.sim.total("react").await, 4);
    assert_eq!(d.sim.applied("react").await, 4);
    d.restart();
    d.settle().await;
    assert_eq!(shown_tally(&d, &id), before);
}

// ----- quota -----

/// A person no thread includes: the send opens a new conversation.
fn stranger(i: usize) -> String {
    format!("urn:li:fsd_profile:ACoAAQuota_Stranger-SimPerson{i:09}")
}

#[tokio::test]
async fn the_151st_new_conversation_of_a_day_is_refused_locally_until_midnight() {
    let mut d = Driver::start().await;
    d.sim.limits(json!({"writesPerMinute": 0})).await;
    // Late in the UTC day, on the simulator's clock and so on the engine's.
    let day_start = ANCHOR_MS - ANCHOR_MS.rem_euclid(86_400_000);
    let midnight = day_start + 86_400_000;
    d.advance(midnight - 10 * 60_000 - d.now()).await;
    for i in 0..150 {
        d.command_only(send(&ada(), Recipient::ProfileUrn(stranger(i)), "hello"));
    }
    d.settle().await;
    assert_eq!(d.sim.applied("send").await, 150);
    let status = d.engine().status(&ada());
    assert_eq!(status.quota_left, 0);
    assert_eq!(status.quota_resets_at, Millis(midnight));
    assert_eq!(status.outbox_pending, 0);
    d.command(send(&ada(), Recipient::ProfileUrn(stranger(150)), "hello"))
        .await;
    assert_eq!(
        d.refusals(),
        vec![Refusal::QuotaExceeded {
            quota: 150,
            resets_at: Millis(midnight)
        }]
    );
    assert!(
        d.engine().unplaced_outbox(&ada()).is_empty(),
        "nothing queued"
    );
    assert_eq!(
        d.sim.total("send").await,
        150,
        "no request for the refused send"
    );
    // A reply in a known conversation is not a new one.
    d.command(send_into(&ada(), &long_thread(), "a reply is fine"))
        .await;
    assert_eq!(d.sim.applied("send").await, 151);
    // After midnight UTC the quota is whole again, here and on the server.
    d.advance(midnight - d.now() + 1).await;
    assert_eq!(d.engine().status(&ada()).quota_left, 150);
    d.command(send(&ada(), Recipient::ProfileUrn(stranger(150)), "hello"))
        .await;
    assert_eq!(d.sim.applied("send").await, 152);
    assert_eq!(d.engine().status(&ada()).quota_left, 149);
}

// ----- a failing disk: no write leaves without its record -----

#[tokio::test]
async fn a_send_whose_entry_cannot_be_saved_is_not_made_and_fails_retryably() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.disk.failing = true;
    d.command(send_into(&ada(), &long_thread(), "unsaved"))
        .await;
    assert!(d.disk.failed_writes > 0);
    // No request: the server never saw it.
    assert_eq!(d.sim.total("send").await, 0);
    assert_eq!(on_server(&d, &ada(), &long_thread(), "unsaved").await, 0);
    // Shown truthfully: not sent, and a resend is safe.
    let entry = the_entry(&d, &ada(), &long_thread(), "unsaved");
    let MessageState::Failed { reason, retryable } = &entry.state else {
        panic!("{entry:?} failed")
    };
    assert_eq!(reason.code, FailureCode::Storage);
    assert!(retryable);
    assert_eq!(send_failures(&d).len(), 1);
    // Once the disk works again, the user's retry sends it exactly once.
    d.disk.failing = false;
    let key = entry.client_key.clone().expect("an outbox entry");
    d.command(Command::RetrySend {
        account: ada(),
        client_key: key,
    })
    .await;
    assert_eq!(d.sim.applied("send").await, 1);
    the_sent(&d, &ada(), &long_thread(), "unsaved");
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    the_sent(&d, &ada(), &long_thread(), "unsaved");
    assert_eq!(on_server(&d, &ada(), &long_thread(), "unsaved").await, 1);
}

#[tokio::test]
async fn a_recall_whose_record_cannot_be_saved_is_not_made_and_the_message_stays() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let id = MessageId::parse(&recallable()).unwrap();
    d.disk.failing = true;
    d.command(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: recallable(),
    })
    .await;
    assert_eq!(d.sim.total("recall").await, 0);
    let view = d.view(&ada(), &long_thread());
    let m = view.messages.iter().find(|m| m.id.as_ref() == Some(&id));
    assert_eq!(m.map(|m| &m.state), Some(&MessageState::Sent));
    assert_eq!(recall_failures(&d).len(), 1, "{:?}", d.notices);
}

#[tokio::test]
async fn a_confirmed_recall_stays_hidden_when_later_writes_fail() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let id = MessageId::parse(&recallable()).unwrap();
    d.hold_answers_of(Op::Recall);
    d.command(Command::Recall {
        conversation_urn: None,
        account: ada(),
        message_urn: recallable(),
    })
    .await;
    // The pending record is on disk and the request made; now the disk fails.
    assert_eq!(d.sim.applied("recall").await, 1);
    d.disk.failing = true;
    d.release().await;
    assert!(!is_shown(&d, &ada(), &long_thread(), &id));
    d.advance(3 * test_config().poll_interval_ms).await;
    assert!(!is_shown(&d, &ada(), &long_thread(), &id));
    // A restart from the stale disk: the recall record written before the request is there,
    // so the engine verifies it and never shows the message as live again.
    d.disk.failing = false;
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    assert!(!is_shown(&d, &ada(), &long_thread(), &id));
    assert_eq!(d.sim.total("recall").await, 1);
}

#[tokio::test]
async fn a_queued_send_whose_entry_cannot_be_saved_never_goes_out_later() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.hold_answers_of(Op::Send);
    d.command(send_into(&ada(), &long_thread(), "first")).await;
    assert_eq!(d.sim.total("send").await, 1);
    // Queued behind the first (one send in flight per conversation), and not saved.
    d.disk.failing = true;
    d.command(send_into(&ada(), &long_thread(), "second")).await;
    d.disk.failing = false;
    d.release().await;
    d.advance(2 * test_config().poll_interval_ms).await;
    assert_eq!(d.sim.total("send").await, 1, "the unsaved one never left");
    the_sent(&d, &ada(), &long_thread(), "first");
    let entry = the_entry(&d, &ada(), &long_thread(), "second");
    let MessageState::Failed { reason, retryable } = &entry.state else {
        panic!("{entry:?} failed")
    };
    assert_eq!(reason.code, FailureCode::Storage);
    assert!(retryable);
}
