//! A restart between every step: one send-then-recall scenario, run once straight through to
//! count its steps, then once per step with the engine killed and restored from its disk just
//! before that step (a command, a request made, an answer delivered or a timer). Whatever the
//! step, the user ends with the same conversation, the message reached the server exactly once
//! and was recalled exactly once.

use serde_json::{json, Value};
use threadline::api::Op;
use threadline::sync::{Command, MessageState};
use threadline::urn::MessageId;
use threadline_engine_tests::*;

const TEXT: &str = "sent and recalled, whatever dies on the way";

/// What the user ends up with.
#[derive(Debug, PartialEq)]
struct End {
    /// Every shown message: id (or none), text, state.
    shown: Vec<(Option<MessageId>, String, MessageState)>,
    outbox_pending: usize,
    sends_applied: u64,
    recalls_applied: u64,
    recalled_on_server: bool,
}

/// The scenario, as a user would go through it: open the long thread, send, and once the
/// message shows as sent, recall it. The user only acts on what the view shows: a send shown
/// as failed-but-retryable is retried, a message shown as sent again after a recall is recalled
/// again. No step of it knows about the restart.
async fn send_then_recall(fault: Option<Value>, restart_before: Option<u64>) -> (End, Driver) {
    let mut d = Driver::start().await;
    if let Some(spec) = fault {
        d.sim.fault(spec).await;
    }
    if let Some(k) = restart_before {
        d.restart_before(k);
    }
    let settle = test_config().echo_settle_ms;
    let poll = test_config().poll_interval_ms;
    d.open(&ada(), &long_thread()).await;
    d.command(send_into(&ada(), &long_thread(), TEXT)).await;
    let mut sent = None;
    for _ in 0..4 {
        d.advance(2 * settle).await;
        let view = d.view(&ada(), &long_thread());
        let Some(m) = view.messages.iter().find(|m| m.text == TEXT) else {
            panic!("the message left the view unsent: {:#?}", d.trace);
        };
        match &m.state {
            MessageState::Sent if m.id.is_some() => {
                sent = m.message_urn.clone();
                break;
            }
            MessageState::Failed {
                retryable: true, ..
            } => {
                let key = m.client_key.clone().expect("an outbox entry");
                d.command(Command::RetrySend {
                    account: ada(),
                    client_key: key,
                })
                .await;
            }
            _ => {}
        }
    }
    let urn = sent.unwrap_or_else(|| panic!("never sent; steps:\n{}", d.trace.join("\n")));
    d.recall_until_gone(&urn, poll).await;
    // Time passes; polls run.
    d.advance(3 * poll).await;
    let view = d.view(&ada(), &long_thread());
    let on_server = d.sim.server_messages(&ada(), &long_thread()).await;
    let end = End {
        shown: view
            .messages
            .into_iter()
            .map(|m| (m.id, m.text, m.state))
            .collect(),
        outbox_pending: d.engine().status(&ada()).outbox_pending,
        sends_applied: d.sim.applied("send").await,
        recalls_applied: d.sim.applied("recall").await,
        recalled_on_server: !on_server.iter().any(|m| m.text == TEXT),
    };
    (end, d)
}

/// Runs the scenario straight, then once with a restart before each of its steps.
async fn restart_before_every_step(fault: Option<Value>, first_send: &str) {
    let (expected, straight) = send_then_recall(fault.clone(), None).await;
    assert_eq!(straight.restarts, 0);
    assert_eq!(straight.outcomes_of(Op::Send), vec![first_send]);
    assert_eq!(expected.sends_applied, 1);
    assert_eq!(expected.recalls_applied, 1);
    assert!(expected.recalled_on_server);
    assert_eq!(expected.outbox_pending, 0);
    assert!(!expected.shown.iter().any(|(_, text, _)| text == TEXT));
    let steps = straight.steps;
    assert!(steps > 10, "{steps} steps");
    for k in 1..=steps {
        let (end, d) = send_then_recall(fault.clone(), Some(k)).await;
        assert_eq!(d.restarts, 1, "restarted before step {k}");
        if d.disk.layout == Layout::LazyRecords {
            // Nothing was in memory after the restart: the thread was read back from the disk.
            let after = d.trace.iter().skip_while(|l| !l.starts_with("-- restart"));
            assert!(
                after.clone().any(|l| l.contains(" load ")),
                "restart before step {k}: no conversation read"
            );
        }
        assert_eq!(
            end,
            expected,
            "restart before step {k}; steps:\n{}",
            d.trace.join("\n")
        );
    }
}

#[tokio::test]
async fn a_restart_before_any_step_of_send_then_recall_ends_the_same_with_one_send() {
    restart_before_every_step(None, "ok").await;
}

#[tokio::test]
async fn a_restart_before_any_step_of_an_ambiguous_send_then_recall_ends_the_same() {
    let dropped_after_it_took_effect = json!({"op": "send", "drop": true, "after": true});
    restart_before_every_step(Some(dropped_after_it_took_effect), "network").await;
}
