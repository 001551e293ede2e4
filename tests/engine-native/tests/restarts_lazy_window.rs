//! A restart between every step of a scenario that crosses conversation records not in
//! memory (issue 13, the conversation window): the per-record layout opened lazily
//! (`Layout::LazyRecords`, the binary's name selects it) restores with a window of one or two
//! conversation records, so the list page's merge, a send to a person (found through the
//! participant index), its echo polls and the recall all touch records read back from the
//! disk first. Whatever the step, the user ends exactly as the same run over the same layout
//! opened whole (`Layout::Records`, every record in memory) ends: the same whole conversation
//! list (paged in to its end), the same thread, quota, sends and recalls.

use threadline::api::Op;
use threadline::sync::{Command, MessageState, Recipient};
use threadline::urn::MessageId;
use threadline_engine_tests::*;

const TEXT: &str = "to a person whose thread is not in memory";

/// What the user ends up with.
#[derive(Debug, PartialEq)]
struct End {
    /// The whole list, paged in: id, unread count, last activity.
    list: Vec<(String, u32, Option<i64>)>,
    /// The whole list's unread count before it was paged in (the summary's, for what a window
    /// does not hold).
    unread_total: u64,
    /// The long thread's shown messages: id, text, state.
    shown: Vec<(Option<MessageId>, String, MessageState)>,
    quota_left: u32,
    outbox_pending: usize,
    sends_applied: u64,
    recalls_applied: u64,
}

/// Reads the list's pages in until it ends; the whole list.
async fn whole_list(d: &mut Driver) -> Vec<(String, u32, Option<i64>)> {
    // As a user opening the list: its newest page is fetched again (a restart forgets a list
    // request that was out).
    d.command(Command::RefreshConversations {
        account: ada(),
        cursor: None,
    })
    .await;
    for _ in 0..100 {
        if !d.engine().conversation_list_has_more(&ada()) {
            break;
        }
        d.command(Command::LoadMoreConversations { account: ada() })
            .await;
    }
    assert!(
        !d.engine().conversation_list_has_more(&ada()),
        "the list ends"
    );
    d.engine()
        .conversation_list(&ada())
        .into_iter()
        .map(|c| {
            (
                c.id.as_str().to_owned(),
                c.unread_count,
                c.last_activity_at.map(|t| t.get()),
            )
        })
        .collect()
}

/// The list is read, a message goes to Linus by his profile (his one-to-one thread is the long
/// thread), and once it shows there as sent it is recalled.
async fn list_send_recall(layout: Layout, restart_before: Option<u64>) -> (End, Driver) {
    let mut d = Driver::start_on(layout, test_config(), CLIENT_TIMEOUT_MS).await;
    if let Some(k) = restart_before {
        d.restart_before(k);
    }
    let settle = test_config().echo_settle_ms;
    let poll = test_config().poll_interval_ms;
    d.command(Command::RefreshConversations {
        account: ada(),
        cursor: None,
    })
    .await;
    let linus = format!("urn:li:fsd_profile:{}", ids::PROFILE_LINUS);
    d.command(send(&ada(), Recipient::ProfileUrn(linus), TEXT))
        .await;
    d.open(&ada(), &long_thread()).await;
    let mut sent = None;
    for _ in 0..6 {
        d.advance(2 * settle).await;
        let view = d.view(&ada(), &long_thread());
        let Some(m) = view.messages.iter().find(|m| m.text == TEXT) else {
            continue;
        };
        match &m.state {
            MessageState::Sent if m.id.is_some() => {
                sent = m.message_urn.clone();
                break;
            }
            // Shown as failed but retryable (a restart caught the send before it left).
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
    let urn = sent.unwrap_or_else(|| panic!("never sent there; steps:\n{}", d.trace.join("\n")));
    d.recall_until_gone(&urn, poll).await;
    d.advance(3 * poll).await;
    let unread_total = d.engine().unread_total(&ada());
    let list = whole_list(&mut d).await;
    assert_eq!(
        d.engine().unread_total(&ada()),
        list.iter().map(|c| u64::from(c.1)).sum::<u64>()
    );
    let view = d.view(&ada(), &long_thread());
    let status = d.engine().status(&ada());
    let end = End {
        list,
        unread_total,
        shown: view
            .messages
            .into_iter()
            .map(|m| (m.id, m.text, m.state))
            .collect(),
        quota_left: status.quota_left,
        outbox_pending: status.outbox_pending,
        sends_applied: d.sim.applied("send").await,
        recalls_applied: d.sim.applied("recall").await,
    };
    (end, d)
}

#[tokio::test]
async fn a_restart_before_any_step_of_list_send_to_a_person_and_recall_ends_the_same() {
    assert_eq!(Layout::for_tests(), Layout::LazyRecords);
    let (expected, straight) = list_send_recall(Layout::LazyRecords, None).await;
    assert_eq!(straight.outcomes_of(Op::Send), vec!["ok"]);
    assert_eq!(expected.sends_applied, 1);
    assert_eq!(expected.recalls_applied, 1);
    assert!(expected.list.len() > 2, "a list longer than the window");
    assert!(!expected.shown.iter().any(|(_, text, _)| text == TEXT));
    let steps = straight.steps;
    assert!(steps > 10, "{steps} steps");
    let mut looked_up = 0;
    let mut first_trace = String::new();
    for k in 1..=steps {
        let (whole, _) = list_send_recall(Layout::Records, Some(k)).await;
        let (end, d) = list_send_recall(Layout::LazyRecords, Some(k)).await;
        assert_eq!(d.restarts, 1, "restarted before step {k}");
        let after: Vec<&String> = d
            .trace
            .iter()
            .skip_while(|l| !l.starts_with("-- restart"))
            .collect();
        if after.iter().any(|l| l.contains("load with")) {
            looked_up += 1;
        }
        if k == 1 {
            first_trace = d.trace.join("\n");
        }
        assert_eq!(
            end,
            whole,
            "restart before step {k}; steps:\n{}",
            d.trace.join("\n")
        );
    }
    // The send crossed a record not in memory at least once: it was found by the index.
    assert!(
        looked_up > 0,
        "no send read the participant index; restart before step 1:\n{first_trace}"
    );
}
