//! What the views carry (issue 16): recall eligibility, recalled ids, the last failure, the
//! account's channels and quota, and the Sales Navigator rule for sends from an inbox thread.

use threadline::api::Op;
use threadline::model::{Conversation, MessagingChannel};
use threadline::sync::{
    ApiCall, ApiReply, Command, Effect, Engine, FailedAction, FailureCode, Input, ItemSource,
    MemoryKv, MessageView, Millis, Notice, PersistLog, PlanMemo, RecallEligibility, Recipient,
    Refusal,
};
use threadline::urn::{ConversationId, MessageId};

use super::server::{Fate, ME};
use super::world::{acct, World};

const WINDOW: i64 = 60 * 60 * 1000;

fn premium_requests(w: &World) -> usize {
    w.requests
        .iter()
        .filter(|(_, _, r)| r.op == Op::Premium)
        .count()
}

fn stored(view: &[MessageView]) -> Vec<&MessageView> {
    view.iter().filter(|m| m.id.is_some()).collect()
}

fn sales_nav_send(urn: String, text: &str) -> Command {
    Command::Send {
        account: acct(),
        to: Recipient::Conversation(urn),
        text: text.into(),
        subject: Some("About".into()),
        channel: MessagingChannel::SalesNavigator,
        attachments: Vec::new(),
        client_key: None,
    }
}

/// One world with a long poll interval, so the only timer is the one under test.
fn quiet_world() -> World {
    let mut w = World::new(1, 2);
    w.replicas[0].config.poll_interval_ms = 10 * WINDOW;
    w.restart(0);
    w
}

#[test]
fn recall_is_allowed_up_to_the_window_edge_and_the_view_changes_when_it_closes() {
    let mut w = quiet_world();
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "mine");
    w.drain();
    let view = w.view(0, 0).unwrap();
    let m = stored(&view.messages)[0].clone();
    let until = m.sent_at.get() + WINDOW;
    assert_eq!(
        m.recall,
        RecallEligibility::Allowed {
            until: Millis(until)
        }
    );
    let engine = &w.replicas[0].engine;
    let id = w.thread_id(0);
    let at = |t| {
        engine
            .conversation_view_at(&acct(), &id, t)
            .unwrap()
            .messages[0]
            .recall
            .clone()
    };
    assert_eq!(
        at(until),
        RecallEligibility::Allowed {
            until: Millis(until)
        }
    );
    assert_eq!(
        at(until + 1),
        RecallEligibility::WindowClosed {
            closed_at: Millis(until)
        }
    );
    // The engine wakes when the window closes and says the view changed.
    assert_eq!(w.replicas[0].timer, Some(until + 1));
    w.replicas[0].notices.clear();
    w.advance(until + 1 - w.now);
    let changed = w.replicas[0].notices.iter().any(
        |n| matches!(n, Notice::ConversationChanged { conversation, .. } if *conversation == id),
    );
    assert!(changed, "{:?}", w.replicas[0].notices);
    let m = &w.view(0, 0).unwrap().messages[0];
    assert_eq!(
        m.recall,
        RecallEligibility::WindowClosed {
            closed_at: Millis(until)
        }
    );
    // And a command at that time agrees with the view.
    let urn = m.message_urn.clone().unwrap();
    w.command(
        0,
        Command::Recall {
            account: acct(),
            conversation_urn: None,
            message_urn: urn,
        },
    );
    assert_eq!(
        w.refusals(0),
        [&Refusal::RecallWindowClosed {
            closed_at: Millis(until)
        }]
    );
}

#[test]
fn eligibility_says_why_not_for_others_messages_entries_and_recalls_on_their_way() {
    let mut w = World::new(1, 1);
    let thread = w.thread_id(0).as_str().to_owned();
    w.server.incoming(&thread, "theirs");
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "mine");
    let view = w.view(0, 0).unwrap();
    let recalls: Vec<_> = view.messages.iter().map(|m| m.recall.clone()).collect();
    assert_eq!(
        recalls,
        [RecallEligibility::NotOwn, RecallEligibility::NotSent]
    );
    w.drain();
    let mine = w.view(0, 0).unwrap().messages[1].clone();
    w.command(
        0,
        Command::Recall {
            account: acct(),
            conversation_urn: None,
            message_urn: mine.message_urn.unwrap(),
        },
    );
    let view = w.view(0, 0).unwrap();
    assert_eq!(view.messages[1].recall, RecallEligibility::Recalling);
}

#[test]
fn recalled_ids_are_listed_per_conversation_and_survive_a_restart() {
    let mut w = World::new(1, 2);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "oops");
    w.drain();
    let m = w.view(0, 0).unwrap().messages[0].clone();
    w.command(
        0,
        Command::Recall {
            account: acct(),
            conversation_urn: None,
            message_urn: m.message_urn.clone().unwrap(),
        },
    );
    w.drain();
    let id = m.id.clone().unwrap();
    assert_eq!(w.view(0, 0).unwrap().recalled, std::slice::from_ref(&id));
    w.restart(0);
    let view = w.view(0, 0).unwrap();
    assert_eq!(view.recalled, [id]);
    assert!(stored(&view.messages).is_empty());
    w.open(0, "v2", 1);
    w.drain();
    assert!(w.view(0, 1).unwrap().recalled.is_empty(), "another thread");
}

#[test]
fn a_store_written_before_tombstones_had_a_conversation_still_loads() {
    // Today's layout on main (tests/fixtures/store_v1_layout.json), with a tombstone written the
    // old way: no `recalledIn`.
    let mut fixture: std::collections::BTreeMap<String, String> =
        serde_json::from_str(include_str!("../fixtures/store_v1_layout.json")).unwrap();
    let last = fixture
        .keys()
        .filter(|k| k.contains(":delta:"))
        .max_by_key(|k| k.rsplit(':').next().unwrap().parse::<u32>().unwrap())
        .unwrap()
        .clone();
    let mut delta: serde_json::Value = serde_json::from_str(&fixture[&last]).unwrap();
    delta["accounts"][0]["tombstones"] = serde_json::json!(["2-oldgone"]);
    assert!(delta["accounts"][0].get("recalledIn").is_none());
    fixture.insert(last, delta.to_string());
    let kv = MemoryKv(std::rc::Rc::new(std::cell::RefCell::new(fixture)));
    let stored = block_on(PersistLog::new(kv, "threadline").load()).unwrap();
    assert!(stored.issues.is_empty(), "{:?}", stored.issues);
    let (engine, issues) = Engine::restore(
        super::world::config(1),
        stored.snapshot.as_deref(),
        &stored.deltas,
        1_700_000_100_000,
    );
    assert!(issues.is_empty(), "{issues:?}");
    let gone = MessageId::parse("2-oldgone").unwrap();
    assert!(engine.store(&acct()).unwrap().is_tombstoned(&gone));
    let view = engine
        .conversation_view(&acct(), &ConversationId::parse("2-t1").unwrap())
        .unwrap();
    assert!(view.recalled.is_empty(), "no conversation was recorded");
    assert_eq!(view.messages.len(), 1);
}

/// Runs a future that never waits (the memory storage), without an executor crate.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("memory storage never waits"),
    }
}

#[test]
fn the_last_failed_recall_is_shown_until_a_new_change_is_accepted() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "mine");
    w.drain();
    let m = w.view(0, 0).unwrap().messages[0].clone();
    let urn = m.message_urn.clone().unwrap();
    w.command(
        0,
        Command::Recall {
            account: acct(),
            conversation_urn: None,
            message_urn: urn.clone(),
        },
    );
    let i = w
        .requests
        .iter()
        .position(|(_, _, r)| r.op == Op::Recall)
        .unwrap();
    w.deliver_request(i, Fate::Refused);
    w.drain();
    let shown = w.view(0, 0).unwrap().messages[0].last_failure.clone();
    let failure = shown.expect("the failure is shown");
    assert_eq!(failure.action, FailedAction::Recall);
    assert_eq!(failure.failure.code, FailureCode::BadRequest);
    assert!(!failure.failure.message.is_empty());
    let json = serde_json::to_value(&w.view(0, 0).unwrap().messages[0]).unwrap();
    assert_eq!(json["lastFailure"]["action"], "recall");
    assert_eq!(json["recall"]["recall"], "allowed");
    w.command(
        0,
        Command::React {
            account: acct(),
            conversation_urn: None,
            message_urn: urn,
            emoji: "👍".into(),
            add: true,
        },
    );
    assert_eq!(w.view(0, 0).unwrap().messages[0].last_failure, None);
}

#[test]
fn premium_status_is_read_once_per_account_and_again_after_a_key_change() {
    let mut w = World::new(1, 2);
    w.server.sales_navigator = true;
    w.open(0, "v", 0);
    assert_eq!(premium_requests(&w), 1);
    let view = w.view(0, 0).unwrap();
    assert_eq!(view.channels.sales_navigator, None, "not known yet");
    let json = serde_json::to_value(&view).unwrap();
    assert!(json["channels"]["salesNavigator"].is_null());
    assert_eq!(json["quota"]["left"], 3);
    w.open(0, "v2", 1);
    assert_eq!(premium_requests(&w), 1, "asked once per account");
    w.drain();
    assert_eq!(w.view(0, 0).unwrap().channels.sales_navigator, Some(true));
    assert_eq!(w.view(0, 1).unwrap().channels.sales_navigator, Some(true));
    w.open(0, "v3", 0);
    assert_eq!(premium_requests(&w), 0, "known: not asked again");
    w.server.sales_navigator = false;
    w.command(0, Command::KeyUpdated);
    assert_eq!(premium_requests(&w), 1, "asked again under the new key");
    w.drain();
    assert_eq!(w.view(0, 0).unwrap().channels.sales_navigator, Some(false));
}

#[test]
fn a_failed_premium_read_leaves_it_unknown_and_the_next_view_asks_again() {
    let mut w = World::new(1, 2);
    w.open(0, "v", 0);
    let i = w
        .requests
        .iter()
        .position(|(_, _, r)| r.op == Op::Premium)
        .unwrap();
    w.deliver_request(i, Fate::NotApplied);
    w.drain();
    assert_eq!(w.view(0, 0).unwrap().channels.sales_navigator, None);
    w.open(0, "v2", 1);
    assert_eq!(premium_requests(&w), 1);
}

#[test]
fn sales_navigator_sends_are_refused_when_the_account_has_none() {
    let mut w = World::new(1, 1);
    let thread = w.thread_id(0).as_str().to_owned();
    w.server.incoming(&thread, "hello");
    w.open(0, "v", 0);
    w.drain();
    assert_eq!(w.view(0, 0).unwrap().channels.sales_navigator, Some(false));
    let urn = w.thread_urn(0);
    w.command(0, sales_nav_send(urn, "via SN"));
    assert_eq!(w.refusals(0), [&Refusal::SalesNavigatorUnavailable]);
    assert!(w.replicas[0]
        .engine
        .store(&acct())
        .unwrap()
        .outbox()
        .entries
        .is_empty());
}

/// A Sales Navigator send from inbox thread 0, whose other people are `others` (message
/// senders), with the premium status not read yet.
fn sn_from_inbox(others: &[&str]) -> World {
    let mut w = World::new(1, 1);
    let thread = w.thread_id(0).as_str().to_owned();
    for other in others {
        let id = w.server.incoming(&thread, "hi");
        w.server.messages.get_mut(&id).unwrap().sender = (*other).to_owned();
    }
    w.server.sales_navigator = true;
    w.open(0, "v", 0);
    // The page, not the premium status: Sales Navigator stays unknown (never refused on that).
    let page = w
        .requests
        .iter()
        .position(|(_, _, r)| r.op == Op::Messages)
        .unwrap();
    w.deliver_request(page, Fate::Ok);
    let answer = w.answers.len() - 1;
    w.deliver_answer(answer, false);
    assert_eq!(w.view(0, 0).unwrap().channels.sales_navigator, None);
    let urn = w.thread_urn(0);
    w.command(0, sales_nav_send(urn, "via SN"));
    w
}

#[test]
fn a_sales_navigator_send_from_an_inbox_thread_goes_to_its_one_other_person() {
    let mut w = sn_from_inbox(&["ACoAApa", "ACoAApa"]);
    assert!(w.refusals(0).is_empty(), "{:?}", w.refusals(0));
    let send = w
        .requests
        .iter()
        .find(|(_, _, r)| r.op == Op::Send)
        .map(|(_, _, r)| r.call.clone())
        .expect("the send is out");
    let ApiCall::Send { request, .. } = send else {
        unreachable!()
    };
    assert_eq!(
        request.recipient_profile_urn.as_deref(),
        Some("urn:li:fsd_profile:ACoAApa")
    );
    assert_eq!(request.conversation_urn, None);
    assert_eq!(
        request.messaging_channel,
        Some(MessagingChannel::SalesNavigator)
    );
    let view = w.view(0, 0).unwrap();
    let entry = view.messages.last().unwrap();
    assert!(entry.elsewhere && entry.id.is_none());
    assert_eq!(entry.subject.as_deref(), Some("About"));
    assert_eq!(entry.recall, RecallEligibility::NotSent);
    let json = serde_json::to_value(entry).unwrap();
    assert_eq!(json["elsewhere"], true);
    assert!(w.replicas[0].engine.unplaced_outbox(&acct()).is_empty());
    // The rule is the same after a restart (the entry is persisted with where it is shown).
    w.restart(0);
    assert!(w.view(0, 0).unwrap().messages.last().unwrap().elsewhere);
}

#[test]
fn a_sales_navigator_send_needs_exactly_one_other_person() {
    for others in [&[][..], &["ACoAApa", "ACoAApb"][..]] {
        let w = sn_from_inbox(others);
        assert_eq!(
            w.refusals(0),
            [&Refusal::NeedsOneRecipient],
            "others: {others:?}"
        );
        assert!(w.requests.iter().all(|(_, _, r)| r.op != Op::Send));
    }
    // Own messages do not count as another person.
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "mine");
    w.drain();
    assert_eq!(
        stored(&w.view(0, 0).unwrap().messages)[0]
            .sender_profile_id
            .as_deref(),
        Some(ME)
    );
    w.server.sales_navigator = true;
    w.command(0, Command::KeyUpdated);
    w.drain();
    let urn = w.thread_urn(0);
    w.command(0, sales_nav_send(urn, "via SN"));
    assert_eq!(w.refusals(0), [&Refusal::NeedsOneRecipient]);
}

#[test]
fn conversation_urn_of_gives_the_held_urn_else_the_canonical_one() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    let engine = &w.replicas[0].engine;
    let id = w.thread_id(0);
    let held = engine.conversation_view(&acct(), &id).unwrap().urn;
    let url = format!("https://www.linkedin.com/messaging/thread/{}/", id.as_str());
    assert_eq!(engine.conversation_urn_of(&acct(), &url).unwrap(), held);
    assert_eq!(
        engine.conversation_urn_of(&acct(), "2-unknown").unwrap(),
        "urn:li:messagingThread:2-unknown"
    );
    assert_eq!(
        engine
            .conversation_urn_of(&acct(), "urn:li:salesNav_thread:sn-9")
            .unwrap(),
        "urn:li:salesNav_thread:sn-9"
    );
    assert!(engine.conversation_urn_of(&acct(), "not a thread").is_err());
}

#[test]
fn the_one_other_person_comes_from_the_listed_participants_first() {
    // No message in the thread: only the conversation list names who is in it.
    let mut w = World::new(1, 1);
    w.server.sales_navigator = true;
    w.open(0, "v", 0);
    w.command(
        0,
        Command::RefreshConversations {
            account: acct(),
            cursor: None,
        },
    );
    w.drain();
    let urn = w.thread_urn(0);
    w.command(0, sales_nav_send(urn, "via SN"));
    assert!(w.refusals(0).is_empty(), "{:?}", w.refusals(0));
    let to = w.requests.iter().find_map(|(_, _, r)| match &r.call {
        ApiCall::Send { request, .. } => request.recipient_profile_urn.clone(),
        _ => None,
    });
    assert_eq!(to.as_deref(), Some("urn:li:fsd_profile:ACoAApa"));
}

/// Replica 0 refreshes its conversation list and is answered the server's page, each entry
/// changed by `edit`: the effects of that answer.
fn list_answer(w: &mut World, edit: impl Fn(&mut Conversation)) -> Vec<Effect> {
    w.command(
        0,
        Command::RefreshConversations {
            account: acct(),
            cursor: None,
        },
    );
    let at = w
        .requests
        .iter()
        .position(|(_, _, r)| matches!(r.call, ApiCall::Conversations { .. }))
        .expect("the list request");
    let (_, _, request) = w.requests.remove(at);
    let mut page = w.server.conversations();
    page.conversations.iter_mut().for_each(edit);
    let now = w.now;
    let effects = w.replicas[0].engine.handle(
        Input::Answer {
            id: request.id,
            result: Ok(ApiReply::Conversations(page)),
        },
        now,
    );
    w.effects(0, effects.clone());
    effects
}

fn tells_view(effects: &[Effect], id: &ConversationId) -> bool {
    effects.iter().any(|e| {
        matches!(e, Effect::Notify(Notice::ConversationChanged { conversation, .. }) if conversation == id)
    })
}

/// A view's `summary` is its line of the list (`summary_of`), so a list entry that changes
/// what it shows tells the view (`conversationChanged`, which the host re-pushes it on): after
/// a `markRead`, a new message elsewhere makes the list say "1 unread" again, and the view
/// must not keep saying read until something else re-pushes it. A list page that changes
/// nothing of it tells it nothing; the kept view then answers every message as it was, and
/// with the new summary a new answer.
#[test]
fn a_list_entry_that_changes_a_shown_summary_tells_its_view_and_an_unchanged_one_does_not() {
    let mut w = quiet_world();
    // Each entry under one URN form, as the API gives it (this server rotates them).
    w.server.one_form = true;
    let thread = w.thread_id(0);
    let key = thread.as_str().to_owned();
    w.server.incoming(&key, "hello");
    w.open(0, "v", 0);
    w.drain();
    let unread = |c: &mut Conversation| c.unread_count = 1;
    let effects = list_answer(&mut w, unread);
    assert!(tells_view(&effects, &thread), "a first list entry is shown");
    w.advance(10);
    let urn = w.thread_urn(0);
    let (_, effects) = w.command_by_hand(
        0,
        Command::MarkRead {
            account: acct(),
            conversation_urn: urn,
        },
    );
    assert!(tells_view(&effects, &thread));
    w.effects(0, effects);
    let summary = |w: &World| w.view(0, 0).unwrap().summary.unwrap();
    assert_eq!(summary(&w).unread_count, 0);
    let mut memo = PlanMemo::default();
    w.replicas[0]
        .engine
        .conversation_view_plan(&acct(), &thread, w.now, &mut memo)
        .unwrap();

    // Someone writes again: the list's entry says one unread, after the read mark.
    w.advance(10);
    w.server.incoming(&key, "are you there?");
    let effects = list_answer(&mut w, unread);
    let line = w.replicas[0].engine.conversation_list(&acct())[0].clone();
    assert_eq!(line.unread_count, 1);
    assert_eq!(
        summary(&w),
        line,
        "the view's summary is its line of the list"
    );
    assert!(
        tells_view(&effects, &thread),
        "the view is told its summary changed: {effects:?}"
    );
    let kept = |w: &World, memo: &mut PlanMemo| {
        let planned = w.replicas[0]
            .engine
            .conversation_view_plan(&acct(), &thread, w.now, memo)
            .unwrap();
        let plan = planned.plan.unwrap_or_default();
        assert!(
            plan.iter().all(|s| matches!(s, ItemSource::Last(_))),
            "no message rebuilt: {plan:?}"
        );
        planned.view.summary.unwrap()
    };
    assert_eq!(kept(&w, &mut memo), line, "a new answer: the new summary");

    // The same entry again: nothing of the view changed, nothing to tell.
    w.advance(10);
    let effects = list_answer(&mut w, unread);
    assert!(!tells_view(&effects, &thread), "{effects:?}");
    assert_eq!(kept(&w, &mut memo), line, "the same answer");
}
