//! What the views carry (issue 16, design section 3), against a real simulator: subjects from
//! the wire, recall eligibility at the window edge on the simulator's clock, recalled ids over a
//! restart through the real storage layout, the premium status, and the Sales Navigator rule.

use threadline::api::Op;
use threadline::model::MessagingChannel;
use threadline::sync::{
    AccountId, Command, MessageState, MessageView, RecallEligibility, Recipient, Refusal,
};
use threadline::urn::MessageId;
use threadline_engine_tests::*;

fn long_thread_grace() -> String {
    conversation_urn(ids::PROFILE_GRACE, ids::GRACE_LONG_THREAD_ID)
}

fn sales_nav_thread() -> String {
    format!("urn:li:salesNav_thread:{}", ids::SALES_NAV_THREAD_ID)
}

fn one<'v>(view: &'v [MessageView], text: &str) -> &'v MessageView {
    let found: Vec<_> = view.iter().filter(|m| m.text == text).collect();
    assert_eq!(found.len(), 1, "one {text:?}");
    found[0]
}

fn sales_nav_send(account: &AccountId, thread: &str, text: &str, subject: &str) -> Command {
    Command::Send {
        account: account.clone(),
        to: Recipient::Conversation(thread.into()),
        text: text.into(),
        subject: Some(subject.into()),
        channel: MessagingChannel::SalesNavigator,
        attachments: Vec::new(),
        client_key: None,
    }
}

#[tokio::test]
async fn subjects_come_from_the_wire_and_round_trip_through_a_send() {
    let mut d = Driver::start().await;
    d.open(&ada(), &sales_nav_thread()).await;
    let view = d.view(&ada(), &sales_nav_thread());
    let subjects: Vec<_> = view
        .messages
        .iter()
        .filter_map(|m| m.subject.as_deref())
        .collect();
    // The simulator seeds one subject in Ada's first Sales Navigator thread (sim/src/seed.rs).
    assert_eq!(subjects, ["Partnership idea"]);

    d.open(&ada(), &long_thread()).await;
    let mut cmd = send_into(&ada(), &long_thread(), "with a subject");
    if let Command::Send { subject, .. } = &mut cmd {
        *subject = Some("Re: plans".into());
    }
    d.command(cmd).await;
    // A newest page asked after the send replaces the body the send's answer gave.
    d.command(Command::Refresh {
        account: ada(),
        conversation_urn: long_thread(),
    })
    .await;
    let view = d.view(&ada(), &long_thread());
    let m = one(&view.messages, "with a subject");
    assert!(m.id.is_some());
    assert_eq!(m.subject.as_deref(), Some("Re: plans"));
    let on_server = d.sim.server_messages(&ada(), &long_thread()).await;
    let wire = on_server
        .iter()
        .find(|m| m.text == "with a subject")
        .unwrap();
    assert_eq!(wire.subject.as_deref(), Some("Re: plans"));
}

#[tokio::test]
async fn recall_is_allowed_to_the_window_edge_on_the_servers_clock_and_refused_after() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    d.command(send_into(&ada(), &long_thread(), "recall me soon"))
        .await;
    let m = one(&d.view(&ada(), &long_thread()).messages, "recall me soon").clone();
    let until = m.sent_at + test_config().recall_window_ms;
    assert_eq!(m.recall, RecallEligibility::Allowed { until });
    d.advance(until - d.now()).await;
    let m = one(&d.view(&ada(), &long_thread()).messages, "recall me soon").clone();
    assert_eq!(m.recall, RecallEligibility::Allowed { until });
    d.advance(1).await;
    let m = one(&d.view(&ada(), &long_thread()).messages, "recall me soon").clone();
    assert_eq!(
        m.recall,
        RecallEligibility::WindowClosed { closed_at: until }
    );
    d.command(Command::Recall {
        account: ada(),
        conversation_urn: None,
        message_urn: m.message_urn.clone().unwrap(),
    })
    .await;
    assert_eq!(
        d.refusals(),
        [Refusal::RecallWindowClosed { closed_at: until }]
    );
    assert_eq!(d.sim.total("recall").await, 0);
    // Someone else's message says so.
    let theirs = MessageId::parse(ids::THEIR_MESSAGE_ID).unwrap();
    let view = d.view(&ada(), &long_thread());
    if let Some(t) = view
        .messages
        .iter()
        .find(|m| m.id.as_ref() == Some(&theirs))
    {
        assert_eq!(t.recall, RecallEligibility::NotOwn);
    }
    assert!(view
        .messages
        .iter()
        .filter(|m| m.id.is_some() && !m.is_sent_by_owner)
        .all(|m| m.recall == RecallEligibility::NotOwn));
}

#[tokio::test]
async fn recalled_ids_survive_a_restart_over_the_stored_layout() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let id = MessageId::parse(ids::RECALLABLE_MESSAGE_ID).unwrap();
    d.command(Command::Recall {
        account: ada(),
        conversation_urn: None,
        message_urn: message_urn(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID),
    })
    .await;
    assert_eq!(d.sim.applied("recall").await, 1);
    assert_eq!(
        d.view(&ada(), &long_thread()).recalled,
        std::slice::from_ref(&id)
    );
    d.restart();
    d.settle().await;
    let view = d.view(&ada(), &long_thread());
    assert_eq!(view.recalled, std::slice::from_ref(&id));
    assert!(view.messages.iter().all(|m| m.id.as_ref() != Some(&id)));
}

#[tokio::test]
async fn the_premium_status_is_unknown_until_read_then_known_per_account() {
    let mut d = Driver::start().await;
    d.command_only(Command::OpenConversation {
        view: threadline::sync::ViewId("v".into()),
        account: ada(),
        conversation_urn: long_thread(),
    });
    assert_eq!(
        d.view(&ada(), &long_thread()).channels.sales_navigator,
        None
    );
    d.settle().await;
    assert_eq!(
        d.view(&ada(), &long_thread()).channels.sales_navigator,
        Some(true)
    );
    d.open(&grace(), &long_thread_grace()).await;
    assert_eq!(
        d.view(&grace(), &long_thread_grace())
            .channels
            .sales_navigator,
        Some(false)
    );
    assert_eq!(d.outcomes_of(Op::Premium), ["ok", "ok"]);
    let quota = d.view(&ada(), &long_thread()).quota;
    assert_eq!(quota.left, d.engine().status(&ada()).quota_left);
    assert_eq!(quota.resets_at, d.engine().status(&ada()).quota_resets_at);
}

#[tokio::test]
async fn a_sales_navigator_send_is_refused_locally_once_the_account_is_known_without_it() {
    let mut d = Driver::start().await;
    d.open(&grace(), &long_thread_grace()).await;
    d.command(sales_nav_send(&grace(), &long_thread_grace(), "no SN", "s"))
        .await;
    assert_eq!(d.refusals(), [Refusal::SalesNavigatorUnavailable]);
    assert_eq!(d.sim.total("send").await, 0);
}

#[tokio::test]
async fn a_sales_navigator_send_from_an_inbox_thread_lands_in_their_thread_and_stays_shown() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let text = "to Linus on Sales Navigator";
    d.command_only(sales_nav_send(&ada(), &long_thread(), text, "Hello"));
    let view = d.view(&ada(), &long_thread());
    let entry = one(&view.messages, text);
    assert!(entry.elsewhere && entry.id.is_none(), "{entry:?}");
    d.settle().await;
    assert_eq!(d.outcomes_of(Op::Send), ["ok"]);
    let shown = one(&d.view(&ada(), &long_thread()).messages, text).clone();
    assert!(shown.elsewhere);
    assert_eq!(shown.state, MessageState::Sent);
    assert_eq!(shown.subject.as_deref(), Some("Hello"));
    assert_eq!(shown.recall, RecallEligibility::NotSent);
    // Not in the inbox thread on the server: in a Sales Navigator thread with Linus.
    let inbox = d.sim.server_messages(&ada(), &long_thread()).await;
    assert!(inbox.iter().all(|m| m.text != text));
    let holder = shown
        .message_urn
        .as_deref()
        .and_then(|u| {
            d.engine()
                .conversation_of_message(&ada(), &MessageId::parse(u).ok()?)
        })
        .expect("the engine holds the message in its thread");
    assert!(holder.starts_with("urn:li:salesNav_thread:"), "{holder}");
    // Shown as sent there after a restart too (persisted, bounded).
    d.restart();
    d.settle().await;
    let again = one(&d.view(&ada(), &long_thread()).messages, text).clone();
    assert!(again.elsewhere && again.state == MessageState::Sent);
}
