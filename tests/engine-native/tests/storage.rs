//! Storage that fails, fills up, holds an unreadable record or an older layout: what the user
//! is shown, and that nothing already written is lost (issue 13). Each test names its layout.

use threadline::api::Op;
use threadline::sync::{
    AccountId, Command, FailureCode, MessageState, Notice, RestoreIssue, StorageHealth, Table,
};
use threadline_engine_tests::*;

fn storage(d: &Driver) -> StorageHealth {
    d.engine().status(&ada()).storage
}

fn status_notices(d: &Driver, account: &AccountId) -> usize {
    d.notices
        .iter()
        .filter(|n| matches!(n, Notice::StatusChanged { account: a } if a == account))
        .count()
}

/// The shown messages with this text: (state, has an id).
fn shown(d: &Driver, conv: &str, text: &str) -> Vec<(MessageState, bool)> {
    d.view(&ada(), conv)
        .messages
        .into_iter()
        .filter(|m| m.text == text)
        .map(|m| (m.state, m.id.is_some()))
        .collect()
}

async fn failing_then_ok(layout: Layout, full: bool) {
    let mut d = Driver::start_on(layout, test_config(), CLIENT_TIMEOUT_MS).await;
    d.open(&ada(), &long_thread()).await;
    assert_eq!(storage(&d), StorageHealth::Ok);
    let before = status_notices(&d, &ada());
    if full {
        d.disk.full = true;
    } else {
        d.disk.failing = true;
    }
    let at = d.now();
    d.command(send_into(&ada(), &long_thread(), "not saved"))
        .await;
    let StorageHealth::Failing {
        since,
        reason,
        full: shown_full,
    } = storage(&d)
    else {
        panic!("{:?}: {:?}", layout, storage(&d));
    };
    assert_eq!((since.get(), shown_full), (at, full), "{reason}");
    assert!(status_notices(&d, &ada()) > before, "the UI is told");
    assert_eq!(d.sim.total("send").await, 0, "no send without its record");
    let [(MessageState::Failed { reason, retryable }, false)] =
        &shown(&d, &long_thread(), "not saved")[..]
    else {
        panic!("{:?}", shown(&d, &long_thread(), "not saved"));
    };
    assert_eq!(reason.code, FailureCode::Storage);
    assert!(*retryable);
    // Still failing: the state stays, dated from the first failure.
    d.advance(test_config().poll_interval_ms).await;
    assert!(matches!(storage(&d), StorageHealth::Failing { since: s, .. } if s.get() == at));
    // The storage takes writes again: the next write lands (a whole snapshot) and says so.
    d.disk.failing = false;
    d.disk.full = false;
    let told = status_notices(&d, &ada());
    d.advance(test_config().poll_interval_ms).await;
    assert_eq!(storage(&d), StorageHealth::Ok);
    assert!(status_notices(&d, &ada()) > told);
    // The user's retry sends it once; a restart shows it from what was written.
    let key = d
        .view(&ada(), &long_thread())
        .messages
        .into_iter()
        .find(|m| m.text == "not saved")
        .and_then(|m| m.client_key)
        .expect("the entry");
    d.command(Command::RetrySend {
        account: ada(),
        client_key: key,
    })
    .await;
    d.restart();
    d.advance(2 * test_config().poll_interval_ms).await;
    assert_eq!(
        shown(&d, &long_thread(), "not saved"),
        [(MessageState::Sent, true)]
    );
    assert_eq!(d.sim.applied("send").await, 1);
}

#[tokio::test]
async fn a_failed_write_shows_storage_failing_until_a_write_lands_again() {
    failing_then_ok(Layout::Records, false).await;
    failing_then_ok(Layout::KeyValue, false).await;
}

#[tokio::test]
async fn a_full_store_shows_storage_failing_as_full_until_a_write_lands_again() {
    failing_then_ok(Layout::Records, true).await;
    failing_then_ok(Layout::KeyValue, true).await;
}

#[tokio::test]
async fn a_store_that_fills_up_keeps_the_outbox_entry_already_written_and_makes_no_unsaved_send() {
    let mut d = Driver::start_on(Layout::Records, test_config(), CLIENT_TIMEOUT_MS).await;
    d.open(&ada(), &long_thread()).await;
    // The first send's entry is on disk and its request made; its answer is slow.
    d.hold_answers_of(Op::Send);
    d.command(send_into(&ada(), &long_thread(), "written first"))
        .await;
    assert_eq!(d.sim.applied("send").await, 1);
    // The store fills up: the next send cannot be saved, and the first one's answer cannot
    // be written either.
    d.disk.full = true;
    d.command(send_into(&ada(), &long_thread(), "never saved"))
        .await;
    d.release().await;
    assert!(matches!(
        storage(&d),
        StorageHealth::Failing { full: true, .. }
    ));
    // A restart while still full: the entry written before is there (never dropped), and is
    // confirmed by its echo; the unsaved send never left.
    d.restart();
    assert_eq!(shown(&d, &long_thread(), "written first").len(), 1);
    d.advance(2 * test_config().echo_settle_ms).await;
    assert!(matches!(
        storage(&d),
        StorageHealth::Failing { full: true, .. }
    ));
    assert_eq!(
        shown(&d, &long_thread(), "written first"),
        [(MessageState::Sent, true)]
    );
    assert!(shown(&d, &long_thread(), "never saved").is_empty());
    assert_eq!(d.sim.total("send").await, 1);
    // Space again: the state is written whole, and a restart shows it.
    d.disk.full = false;
    d.advance(test_config().poll_interval_ms).await;
    assert_eq!(storage(&d), StorageHealth::Ok);
    d.restart();
    d.settle().await;
    assert_eq!(
        shown(&d, &long_thread(), "written first"),
        [(MessageState::Sent, true)]
    );
    assert_eq!(d.sim.total("send").await, 1);
}

#[tokio::test]
async fn an_unreadable_record_is_named_by_the_restore_and_the_rest_is_shown() {
    let mut d = Driver::start_on(Layout::Records, test_config(), CLIENT_TIMEOUT_MS).await;
    d.open(&ada(), &long_thread()).await;
    let held = d.view(&ada(), &long_thread()).messages.len();
    let key = {
        let mut tables = d.disk.records.tables.borrow_mut();
        let r = tables
            .get_mut(&Table::Messages)
            .and_then(|t| t.values_mut().next())
            .expect("a stored message");
        r.json = "{\"id\": 7".into();
        r.key.clone()
    };
    d.expect_restore_issues = true;
    d.restart();
    let [RestoreIssue::CorruptRecord {
        table,
        key: named,
        reason,
    }] = &d.restore_issues[..]
    else {
        panic!("{:?}", d.restore_issues);
    };
    assert_eq!((table.as_str(), named), ("messages", &key), "{reason}");
    d.settle().await;
    // The newest page is read again on open: the server still has the message.
    assert_eq!(d.view(&ada(), &long_thread()).messages.len(), held);
    // Written whole again: the next restart reads cleanly.
    d.restart();
    assert!(d.restore_issues.is_empty(), "{:?}", d.restore_issues);
}

#[tokio::test]
async fn a_key_value_store_moves_to_records_at_the_next_start_and_shows_the_same() {
    let mut d = Driver::start_on(Layout::KeyValue, test_config(), CLIENT_TIMEOUT_MS).await;
    d.open(&ada(), &long_thread()).await;
    d.open(&grace(), &shared_thread_grace()).await;
    d.command(send_into(&ada(), &long_thread(), "before the move"))
        .await;
    d.hold_answers_of(Op::Send);
    d.command(send_into(&ada(), &long_thread(), "in flight over the move"))
        .await;
    d.advance(test_config().poll_interval_ms).await;
    let before = (
        d.texts(&ada(), &long_thread()),
        d.texts(&grace(), &shared_thread_grace()),
    );
    let messages = d.engine().store(&ada()).unwrap().message_count()
        + d.engine().store(&grace()).unwrap().message_count();
    let issues = d.restart_migrating();
    assert_eq!(issues, vec![RestoreIssue::MigratedLayout { messages }]);
    assert!(d.disk.kv.0.borrow().is_empty(), "the old keys are gone");
    let after = (
        d.texts(&ada(), &long_thread()),
        d.texts(&grace(), &shared_thread_grace()),
    );
    assert_eq!(after, before);
    // The send that was in flight is confirmed once; the store goes on in the new layout.
    d.advance(2 * test_config().echo_settle_ms).await;
    assert_eq!(
        shown(&d, &long_thread(), "in flight over the move"),
        [(MessageState::Sent, true)]
    );
    d.restart();
    d.settle().await;
    assert_eq!(
        shown(&d, &long_thread(), "in flight over the move"),
        [(MessageState::Sent, true)]
    );
    assert_eq!(d.sim.applied("send").await, 2);
    assert!(d.disk.kv.0.borrow().is_empty());
}
