//! One test (or a few) per reconciliation rule, named for the behaviour.

use threadline::api::Op;
use threadline::model::{Message, ReactionSummary, ServerEvent, ServerEventKind};
use threadline::sync::{
    AccountStore, Actor, ApiCall, ApiReply, Command, Effect, Engine, EngineConfig, FailureCode,
    Input, ItemSource, MessageState, MessageView, Millis, Notice, Persist, PlanMemo, ReactionFact,
    ReactionKey, Recipient, Refusal, RemoteFact, RestoreIssue, SendState, Stamp, ViewId, ViewMemo,
};
use threadline::urn::{ConversationId, MessageId};

use super::server::{Fate, ME, PEOPLE};
use super::world::{acct, send_command, split, World};

/// The requests out, by operation, leaving out the premium status read that the first view of
/// an account adds (its own tests are in `views.rs`).
fn ops(w: &World) -> Vec<Op> {
    w.requests
        .iter()
        .map(|(_, _, r)| r.op)
        .filter(|op| *op != Op::Premium)
        .collect()
}

fn index_of(w: &World, op: Op) -> usize {
    w.requests
        .iter()
        .position(|(_, _, r)| r.op == op)
        .expect("such a request is out")
}

fn wire(urn: &str, text: &str, at: i64) -> Message {
    Message {
        message_urn: urn.into(),
        text: text.into(),
        sent_at: at,
        is_sent_by_owner: false,
        ..Message::default()
    }
}

fn conv() -> ConversationId {
    ConversationId::parse("urn:li:messagingThread:2-t1").unwrap()
}

/// A world with replica 0 viewing thread 0, which holds one own message `mine`.
/// Replica `r` asks for conversation `urn`'s newest page, and everything it leads to runs.
fn refresh(w: &mut World, r: usize, urn: &str) {
    w.command(
        r,
        Command::Refresh {
            account: acct(),
            conversation_urn: urn.to_owned(),
        },
    );
    w.drain();
}

/// The reactions a view shows on a message, as (emoji, count, mine).
fn reactions_shown(m: &MessageView) -> Vec<(String, u32, bool)> {
    m.reactions
        .iter()
        .map(|r| (r.emoji.clone(), r.count, r.mine))
        .collect()
}

fn with_own_message(replicas: usize) -> (World, MessageId) {
    let mut w = World::new(replicas, 2);
    for r in 0..replicas {
        w.open(r, "v", 0);
    }
    w.send(0, 0, "mine");
    w.drain();
    let (ids, pending) = split(&w.view(0, 0).unwrap());
    assert!(pending.is_empty());
    (w, ids[0].clone())
}

// ----- merge -----

#[test]
fn one_message_under_every_urn_form_is_stored_once() {
    let mut store = AccountStore::default();
    let forms = [
        "urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailboxA,2-m1)",
        "urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailboxB,2-m1)",
        "urn:li:messagingMessage:2-m1",
        "urn:li:fsd_message:2-m1",
        "urn:li:fs_event:(2-t1,2-m1)",
        "2-m1",
    ];
    for (i, f) in forms.iter().enumerate() {
        store.merge_page(
            &conv(),
            "urn:li:messagingThread:2-t1",
            &[wire(f, "hi", 5)],
            Stamp::from_raw(i as i64),
        );
    }
    assert_eq!(store.message_count(), 1);
    assert_eq!(store.messages_in(&conv()).count(), 1);
}

#[test]
fn merging_the_same_pages_in_any_order_any_number_of_times_gives_the_same_store() {
    let a = vec![
        wire("2-m1", "a", 1),
        wire("urn:li:fsd_message:2-m2", "b", 2),
    ];
    let mut b = vec![
        wire("urn:li:messagingMessage:2-m2", "b", 2),
        wire("2-m3", "c", 3),
    ];
    b[0].reactions = vec![ReactionSummary {
        emoji: "👍".into(),
        count: 1,
        viewer_reacted: false,
    }];
    let pages = [(a, 10), (b, 20)];
    let mut one = AccountStore::default();
    for (p, stamp) in pages.iter().chain(pages.iter()) {
        one.merge_page(&conv(), "", p, Stamp::from_raw(*stamp));
    }
    let mut two = AccountStore::default();
    for (p, stamp) in pages.iter().rev() {
        two.merge_page(&conv(), "", p, Stamp::from_raw(*stamp));
    }
    let list = |s: &AccountStore| s.messages_in(&conv()).cloned().collect::<Vec<_>>();
    assert_eq!(list(&one), list(&two));
    assert_eq!(list(&one).len(), 3);
}

#[test]
fn messages_are_ordered_by_time_then_id() {
    let mut store = AccountStore::default();
    let page = [
        wire("2-b", "x", 5),
        wire("2-a", "y", 5),
        wire("2-c", "z", 1),
    ];
    store.merge_page(&conv(), "", &page, Stamp::from_raw(0));
    let ids: Vec<&str> = store.messages_in(&conv()).map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["2-c", "2-a", "2-b"]);
}

/// A page's new messages go into the conversation's order in one go after the page; one
/// message twice in a page, the later copy ranking higher at another time, is listed once, at
/// the time of the copy kept, among the messages held before and the page's others.
#[test]
fn a_message_twice_in_one_page_is_listed_once_at_the_time_kept() {
    let mut store = AccountStore::default();
    let held = [wire("2-a", "x", 1), wire("2-z", "x", 9)];
    store.merge_page(&conv(), "", &held, Stamp::from_raw(0));
    let page = [
        wire("2-m", "m", 2),
        wire("2-b", "y", 4),
        wire("2-m", "m", 7),
    ];
    store.merge_page(&conv(), "", &page, Stamp::from_raw(1));
    let listed: Vec<(i64, &str)> = store
        .messages_in(&conv())
        .map(|m| (m.sent_at.0, m.id.as_str()))
        .collect();
    assert_eq!(listed, [(1, "2-a"), (4, "2-b"), (7, "2-m"), (9, "2-z")]);
}

#[test]
fn unreadable_urn_in_a_page_is_skipped_not_fatal() {
    let mut store = AccountStore::default();
    let out = store.merge_page(
        &conv(),
        "",
        &[wire("not a urn", "x", 1), wire("2-ok", "y", 2)],
        Stamp::from_raw(0),
    );
    assert_eq!(out.unreadable, 1);
    assert_eq!(store.message_count(), 1);
}

// ----- recall -----

#[test]
fn recalled_message_never_returns_under_another_prefix() {
    let mut store = AccountStore::default();
    let mbox_a = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailboxA,2-m1)";
    store.merge_page(&conv(), "", &[wire(mbox_a, "hi", 1)], Stamp::from_raw(0));
    assert!(store.tombstone(&MessageId::parse(mbox_a).unwrap()));
    for form in [
        "urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailboxB,2-m1)",
        "urn:li:fs_event:(2-t1,2-m1)",
        "urn:li:fsd_message:2-m1",
        "2-m1",
    ] {
        let out = store.merge_page(&conv(), "", &[wire(form, "hi", 1)], Stamp::from_raw(99));
        assert_eq!(out.filtered, 1, "{form}");
    }
    assert_eq!(store.message_count(), 0);
}

#[test]
fn recall_goes_out_first_shows_recalling_then_tombstones_everywhere() {
    let (mut w, id) = with_own_message(2);
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
        },
    );
    let view = w.view(0, 0).unwrap();
    assert_eq!(
        view.messages[0].state,
        MessageState::Recalling,
        "request first, shown recalling"
    );
    assert_eq!(ops(&w), [Op::Recall]);
    w.drain();
    assert!(split(&w.view(0, 0).unwrap()).0.is_empty());
    assert!(
        split(&w.view(1, 0).unwrap()).0.is_empty(),
        "the other tab was told"
    );
    // The tombstone survives a restart, and a page carrying the message does not bring it back.
    w.restart(0);
    w.advance(10_000);
    w.drain();
    assert!(w.replicas[0]
        .engine
        .store(&acct())
        .unwrap()
        .is_tombstoned(&id));
    assert!(split(&w.view(0, 0).unwrap()).0.is_empty());
}

#[test]
fn recall_of_someone_elses_message_is_refused_locally() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    let thread = w.server.threads.keys().next().unwrap().clone();
    let theirs = w.server.incoming(&thread, "theirs");
    w.drain();
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: theirs,
        },
    );
    assert_eq!(w.refusals(0), [&Refusal::NotOwnMessage]);
    assert!(w.requests.is_empty());
}

#[test]
fn recall_after_sixty_minutes_is_refused_locally() {
    let (mut w, id) = with_own_message(1);
    w.advance(60 * 60 * 1000 + 1);
    w.drain();
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
        },
    );
    assert!(matches!(
        w.refusals(0)[..],
        [Refusal::RecallWindowClosed { .. }]
    ));
    assert!(!ops(&w).contains(&Op::Recall));
}

#[test]
fn recall_refused_by_linkedin_keeps_message_and_says_why() {
    let (mut w, id) = with_own_message(1);
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
        },
    );
    w.deliver_request(index_of(&w, Op::Recall), Fate::Refused);
    w.deliver_answer(0, false);
    let view = w.view(0, 0).unwrap();
    assert_eq!(view.messages[0].state, MessageState::Sent);
    assert!(w.replicas[0]
        .notices
        .iter()
        .any(|n| matches!(n, Notice::RecallFailed { .. })));
}

#[test]
fn ambiguous_recall_is_settled_by_a_fresh_page() {
    let (mut w, id) = with_own_message(1);
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
        },
    );
    w.deliver_request(index_of(&w, Op::Recall), Fate::AppliedLost);
    w.deliver_answer(0, false);
    assert_eq!(
        w.view(0, 0).unwrap().messages[0].state,
        MessageState::Recalling
    );
    w.drain(); // the verification page shows it gone
    assert!(split(&w.view(0, 0).unwrap()).0.is_empty());
    assert!(w.replicas[0]
        .engine
        .store(&acct())
        .unwrap()
        .is_tombstoned(&id));
}

#[test]
fn a_page_asked_before_an_ambiguous_recall_answer_does_not_undo_it() {
    let (mut w, id) = with_own_message(1);
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
        },
    );
    let urn = w.thread_urn(0);
    w.command(
        0,
        Command::Refresh {
            account: acct(),
            conversation_urn: urn,
        },
    );
    // The page is read before the recall lands, all within one millisecond.
    w.deliver_request(index_of(&w, Op::Messages), Fate::Ok);
    let page = w.answers.len() - 1;
    w.deliver_request(index_of(&w, Op::Recall), Fate::AppliedLost);
    w.deliver_answer(page + 1, false); // the recall's timeout
    w.deliver_answer(page, false); // the older page, still showing the message
    w.drain();
    assert!(w.replicas[0]
        .engine
        .store(&acct())
        .unwrap()
        .is_tombstoned(&id));
    assert!(split(&w.view(0, 0).unwrap()).0.is_empty());
}

/// A world with replica 0 viewing thread 0, whose whole history (`n` messages from the other
/// member, more than a page) is loaded. Returns the server ids, oldest first.
fn with_loaded_history(n: usize) -> (World, Vec<String>) {
    let mut w = World::new(1, 1);
    let thread = w.server.threads.keys().next().unwrap().clone();
    let ids: Vec<String> = (0..n)
        .map(|i| w.server.incoming(&thread, &format!("m{i}")))
        .collect();
    w.open(0, "v", 0);
    w.drain();
    while w.view(0, 0).unwrap().has_more_history {
        let conversation_urn = w.thread_urn(0);
        w.command(
            0,
            Command::LoadOlder {
                account: acct(),
                conversation_urn,
            },
        );
        w.drain();
    }
    assert_eq!(split(&w.view(0, 0).unwrap()).0.len(), n);
    (w, ids)
}

#[test]
fn a_rescan_tombstones_what_its_walk_reached_past_without_finding_but_not_what_came_after_it_began()
{
    let (mut w, ids) = with_loaded_history(7);
    // Recalled elsewhere, no event: one on the newest page, one two pages down.
    w.server.deleted.insert(ids[5].clone());
    w.server.deleted.insert(ids[1].clone());
    let conversation_urn = w.thread_urn(0);
    w.command(
        0,
        Command::Rescan {
            account: acct(),
            conversation_urn,
        },
    );
    // The newest page is read before our own send lands; the send's answer is merged first.
    w.deliver_request(index_of(&w, Op::Messages), Fate::Ok);
    let page = w.answers.len() - 1;
    w.send(0, 0, "late");
    w.deliver_request(index_of(&w, Op::Send), Fate::Ok);
    w.deliver_answer(page + 1, false);
    w.deliver_answer(page, false);
    w.drain();
    let store = w.replicas[0].engine.store(&acct()).unwrap();
    let gone = |i: usize| store.is_tombstoned(&MessageId::parse(&ids[i]).unwrap());
    assert!(gone(5) && gone(1), "both recalls found by the walk");
    let view = w.view(0, 0).unwrap();
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["m0", "m2", "m3", "m4", "m6", "late"]);
    assert!(
        w.replicas[0]
            .notices
            .iter()
            .all(|n| !matches!(n, Notice::RecallFailed { .. })),
        "a recall made elsewhere is no failure of ours"
    );
}

#[test]
fn a_refresh_whose_newest_page_is_the_whole_history_tombstones_a_message_recalled_elsewhere() {
    let (mut w, ids) = with_loaded_history(3);
    w.server.deleted.insert(ids[0].clone());
    let conversation_urn = w.thread_urn(0);
    w.command(
        0,
        Command::Refresh {
            account: acct(),
            conversation_urn,
        },
    );
    w.drain();
    let store = w.replicas[0].engine.store(&acct()).unwrap();
    assert!(store.is_tombstoned(&MessageId::parse(&ids[0]).unwrap()));
    let view = w.view(0, 0).unwrap();
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["m1", "m2"]);
}

// ----- react -----

#[test]
fn reaction_is_remote_first_with_a_pending_state() {
    let (mut w, id) = with_own_message(1);
    let react = |add| Command::React {
        conversation_urn: None,
        account: acct(),
        message_urn: id.as_str().into(),
        emoji: "👍".into(),
        add,
    };
    w.command(0, react(true));
    let r = &w.view(0, 0).unwrap().messages[0].reactions;
    assert_eq!(
        (r[0].count, r[0].pending),
        (0, Some(true)),
        "nothing counted before success"
    );
    w.drain();
    let r = &w.view(0, 0).unwrap().messages[0].reactions;
    assert_eq!((r[0].count, r[0].mine, r[0].pending), (1, true, None));
}

#[test]
fn adding_twice_or_removing_what_is_not_there_changes_nothing() {
    let (mut w, id) = with_own_message(1);
    let react = |add| Command::React {
        conversation_urn: None,
        account: acct(),
        message_urn: id.as_str().into(),
        emoji: "👍".into(),
        add,
    };
    w.command(0, react(false));
    assert!(
        w.requests.is_empty(),
        "removing what is not there sends nothing"
    );
    w.command(0, react(true));
    w.drain();
    w.command(0, react(true));
    assert!(w.requests.is_empty(), "adding twice sends nothing");
    assert_eq!(w.view(0, 0).unwrap().messages[0].reactions[0].count, 1);
}

#[test]
fn own_reaction_is_never_counted_twice_against_a_server_tally() {
    let (mut w, id) = with_own_message(1);
    let thread = w.server.threads.keys().next().unwrap().clone();
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    w.command(
        0,
        Command::React {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
            emoji: "👍".into(),
            add: true,
        },
    );
    w.drain();
    // A refresh brings the tally {👍: 2, viewerReacted}: still 2, not 3.
    let urn = w.server.thread_urn(&thread);
    w.command(
        0,
        Command::Refresh {
            account: acct(),
            conversation_urn: urn,
        },
    );
    w.drain();
    let r = &w.view(0, 0).unwrap().messages[0].reactions;
    assert_eq!((r[0].count, r[0].mine), (2, true));
}

#[test]
fn a_tally_asked_for_after_a_reaction_wins_even_in_the_same_millisecond() {
    let (mut w, id) = with_own_message(1);
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    let urn = w.thread_urn(0);
    w.command(
        0,
        Command::Refresh {
            account: acct(),
            conversation_urn: urn.clone(),
        },
    );
    w.drain();
    let react = Command::React {
        conversation_urn: None,
        account: acct(),
        message_urn: id.as_str().into(),
        emoji: "❤️".into(),
        add: true,
    };
    w.command(0, react);
    w.drain();
    w.command(
        0,
        Command::Refresh {
            account: acct(),
            conversation_urn: urn,
        },
    );
    w.drain(); // all in one millisecond
    let r = reactions_shown(&w.view(0, 0).unwrap().messages[0]);
    assert_eq!(r, [("❤️".to_owned(), 1, true), ("👍".to_owned(), 1, false)]);
}

/// A tab killed and restored within the millisecond of its last pages (the property runs do it;
/// a clock set back does it too) ranks the pages it asks for after the restore above those it
/// stored before: its stamps do not start over at the millisecond's first, which kept the
/// stored tally against every later page and hid a reaction the server holds for good.
#[test]
fn a_tally_asked_for_after_a_restart_wins_over_one_stored_before_it_in_the_same_millisecond() {
    let (mut w, id) = with_own_message(1);
    let urn = w.thread_urn(0);
    // Pages enough that the stored tally's stamp is past the millisecond's first few.
    for _ in 0..3 {
        refresh(&mut w, 0, &urn);
    }
    w.restart(0);
    w.drain();
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    refresh(&mut w, 0, &urn); // all in one millisecond
    let r = reactions_shown(&w.view(0, 0).unwrap().messages[0]);
    assert_eq!(r, [("👍".to_owned(), 1, false)]);
}

/// Two tabs in one millisecond: the first stamps several pages, then finds the echo of an
/// ambiguous send in one and tells the second (the message with its tally); the second then
/// asks for a page. Its stamp counter says nothing of the first's, so its page ranked older
/// than the tally it was told, and the reaction the server holds was never shown there; a tab
/// now stamps past every stamp another tab sent it (the props' flake, second form).
#[test]
fn a_tally_asked_for_after_a_siblings_broadcast_wins_in_the_same_millisecond() {
    let (mut w, _) = with_own_message(2);
    let urn = w.thread_urn(0);
    for _ in 0..4 {
        refresh(&mut w, 0, &urn);
    }
    w.send(0, 0, "second");
    let send = index_of(&w, Op::Send);
    w.deliver_request(send, Fate::AppliedLost);
    w.drain(); // the echo found by a poll, and broadcast
    let id = w
        .server
        .applied_ids
        .values()
        .flatten()
        .last()
        .unwrap()
        .clone();
    w.server.other_react(&id, PEOPLE[0], "👍", true);
    refresh(&mut w, 1, &urn); // all in one millisecond
    let view = w.view(1, 0).unwrap();
    let second = view.messages.iter().find(|m| m.text == "second").unwrap();
    let r = reactions_shown(second);
    assert_eq!(r, [("👍".to_owned(), 1, false)]);
}

/// A tab that stamped a page, then had its clock set back and was restored: its stamps go on
/// past the ones it stored, not from the restore's millisecond (its pages would rank older than
/// that stored tally until the clock caught up again).
#[test]
fn a_tally_asked_for_after_a_restart_with_the_clock_set_back_wins_over_one_stored_before() {
    let (mut w, id) = with_own_message(1);
    let urn = w.thread_urn(0);
    w.advance(5_000);
    refresh(&mut w, 0, &urn);
    w.now -= 5_000;
    w.server.now = w.now;
    w.restart(0);
    w.drain();
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    refresh(&mut w, 0, &urn);
    let r = reactions_shown(&w.view(0, 0).unwrap().messages[0]);
    assert_eq!(r, [("👍".to_owned(), 1, false)]);
}

/// A stamp far past the clock from a broken tab is not taken into ours: taken, every later stamp
/// would sit at the end of the scale, all equal, and a tally could no longer replace one asked
/// for before it (here the removed reaction would stay shown).
#[test]
fn a_siblings_stamp_a_day_past_the_clock_does_not_stop_later_tallies_winning() {
    let (mut w, id) = with_own_message(1);
    let urn = w.thread_urn(0);
    let elsewhere = MessageId::parse("urn:li:fsd_message:2-m999").unwrap();
    w.input(
        0,
        Input::Remote(RemoteFact::Reaction {
            account: acct(),
            key: ReactionKey {
                message: elsewhere,
                actor: Actor::Me,
                emoji: "👍".into(),
            },
            fact: ReactionFact {
                present: true,
                stamp: Stamp::from_raw(i64::MAX - 1),
            },
        }),
    );
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    refresh(&mut w, 0, &urn);
    w.advance(1);
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", false);
    refresh(&mut w, 0, &urn);
    w.advance(1);
    let shown = &w.view(0, 0).unwrap().messages[0].reactions;
    assert!(shown.is_empty(), "{shown:?}");
}

/// A poll that brings a conversation's page again, unchanged, renews each message's stamps (when
/// its body and its tally were asked for), which no view shows: a view kept between reads
/// builds none of its messages again.
#[test]
fn a_kept_view_builds_nothing_again_after_a_poll_that_changed_nothing() {
    let (mut w, id) = with_own_message(1);
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    w.server
        .incoming(&w.server.threads.keys().next().unwrap().clone(), "theirs");
    w.server.one_form = true;
    let urn = w.thread_urn(0);
    let conversation = ConversationId::parse(&urn).unwrap();
    let refresh = |urn: &str| Command::Refresh {
        account: acct(),
        conversation_urn: urn.to_owned(),
    };
    let mut memo = ViewMemo::default();
    let mut read = |w: &World| {
        let e = &w.replicas[0].engine;
        let full = e
            .conversation_view_at(&acct(), &conversation, w.now)
            .unwrap();
        let mut built = 0;
        let (_, items) = e
            .conversation_view_memo(&acct(), &conversation, w.now, &mut memo, |v| {
                built += v.len();
                Ok::<_, ()>(v)
            })
            .unwrap()
            .unwrap();
        assert_eq!(items, full.messages.as_slice());
        (items.len(), built)
    };
    w.command(0, refresh(&urn));
    w.drain();
    assert_eq!(read(&w), (2, 2));
    w.command(0, refresh(&urn));
    w.drain();
    assert_eq!(
        read(&w),
        (2, 0),
        "a poll that changed nothing built views again"
    );
}

/// After new messages came in, a kept view's plan (`conversation_view_plan`) takes every
/// message shown before from the last answer, in its place, and builds only the new ones.
#[test]
fn a_kept_view_builds_only_the_messages_that_came_in() {
    let (mut w, _) = with_own_message(1);
    // Each message under one URN form (the server varies them, and the URN is shown).
    w.server.one_form = true;
    let urn = w.thread_urn(0);
    let conversation = ConversationId::parse(&urn).unwrap();
    let refresh = Command::Refresh {
        account: acct(),
        conversation_urn: urn.clone(),
    };
    w.command(0, refresh.clone());
    w.drain();
    let mut memo = PlanMemo::default();
    let e = &w.replicas[0].engine;
    let first = e
        .conversation_view_plan(&acct(), &conversation, w.now, &mut memo)
        .unwrap();
    let shown = first.fresh_len();
    assert!(shown >= 1);
    let thread = w.server.threads.keys().next().unwrap().clone();
    w.server.incoming(&thread, "one");
    w.server.incoming(&thread, "two");
    w.command(0, refresh);
    w.drain();
    let e = &w.replicas[0].engine;
    let next = e
        .conversation_view_plan(&acct(), &conversation, w.now, &mut memo)
        .unwrap();
    let fresh = next.fresh_views();
    let texts: Vec<&str> = fresh.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["one", "two"], "built again: {texts:?}");
    let want: Vec<ItemSource> = (0..shown)
        .map(ItemSource::Last)
        .chain([ItemSource::Fresh(0), ItemSource::Fresh(1)])
        .collect();
    assert_eq!(next.plan, Some(want));
    // At once again: the last answer as it is.
    let again = e
        .conversation_view_plan(&acct(), &conversation, w.now, &mut memo)
        .unwrap();
    assert_eq!((again.fresh_len(), again.plan), (0, None));
}

/// A view kept between reads (`ViewMemo`) follows a tally newer than our own reaction even
/// when its entries are those of the tally before it: the view weighs our reaction's stamp
/// against the tally's, so the tally's stamp is part of what the view is made of here.
#[test]
fn a_kept_view_follows_a_newer_tally_with_the_same_entries_over_our_own_reaction() {
    let (mut w, id) = with_own_message(1);
    w.server.other_react(id.as_str(), PEOPLE[0], "👍", true);
    let urn = w.thread_urn(0);
    let conversation = ConversationId::parse(&urn).unwrap();
    let refresh = |urn: &str| Command::Refresh {
        account: acct(),
        conversation_urn: urn.to_owned(),
    };
    let mut memo = ViewMemo::default();
    let mut read = |w: &World| {
        let e = &w.replicas[0].engine;
        let full = e
            .conversation_view_at(&acct(), &conversation, w.now)
            .unwrap();
        let (_, items) = e
            .conversation_view_memo(&acct(), &conversation, w.now, &mut memo, Ok::<_, ()>)
            .unwrap()
            .unwrap();
        assert_eq!(items, full.messages.as_slice());
        items[0]
            .reactions
            .iter()
            .map(|r| (r.count, r.mine))
            .collect::<Vec<_>>()
    };
    w.command(0, refresh(&urn));
    w.drain();
    assert_eq!(read(&w), [(1, false)]);
    w.command(
        0,
        Command::React {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
            emoji: "👍".into(),
            add: true,
        },
    );
    w.drain();
    assert_eq!(read(&w), [(2, true)]);
    // The server loses our reaction, with no event: its next tally has the entries of the one
    // before our reaction, asked for after it.
    w.server
        .reactions
        .get_mut(&(id.as_str().to_owned(), "👍".to_owned()))
        .unwrap()
        .remove(ME);
    w.command(0, refresh(&urn));
    w.drain();
    assert_eq!(read(&w), [(1, false)]);
}

// ----- send -----

#[test]
fn outbox_entry_is_persisted_before_its_request() {
    let mut e = Engine::new(EngineConfig::default());
    let to = Recipient::Conversation("urn:li:messagingThread:2-t1".into());
    let effects = e.handle(Input::Command(send_command(to, "hi")), 1_000);
    let persist = effects
        .iter()
        .position(|e| matches!(e, Effect::Persist(_)))
        .unwrap();
    let request = effects
        .iter()
        .position(|e| matches!(e, Effect::Request(_)))
        .unwrap();
    assert!(persist < request);
    let Effect::Persist(Persist::Delta(d) | Persist::Snapshot(d)) = &effects[persist] else {
        unreachable!()
    };
    assert!(matches!(
        d.accounts[0].outbox[0].state,
        SendState::InFlight { .. }
    ));
}

#[test]
fn one_send_in_flight_per_conversation() {
    let mut w = World::new(1, 2);
    w.send(0, 0, "one");
    w.send(0, 0, "two");
    w.send(0, 1, "elsewhere");
    assert_eq!(ops(&w), [Op::Send, Op::Send], "one per conversation");
    w.drain();
    assert_eq!(w.server.applied.len(), 3);
    let texts: Vec<String> = w
        .server
        .live(w.thread_id(0).as_str())
        .iter()
        .map(|m| m.text.clone())
        .collect();
    assert_eq!(texts, ["one", "two"], "in order");
}

#[test]
fn a_retried_send_waits_for_the_conversation_lane_held_by_a_younger_one() {
    let mut w = World::new(1, 1);
    w.send(0, 0, "one");
    w.deliver_request(0, Fate::Refused);
    w.send(0, 0, "two"); // waits for "one"'s answer
    w.deliver_answer(0, false); // "one" failed; "two" goes out
    assert_eq!(ops(&w), [Op::Send]);
    let one = w.replicas[0]
        .engine
        .store(&acct())
        .unwrap()
        .outbox()
        .in_order()[0]
        .key
        .clone();
    w.command(
        0,
        Command::RetrySend {
            account: acct(),
            client_key: one,
        },
    );
    assert_eq!(ops(&w), [Op::Send], "\"two\" still holds the lane");
    w.deliver_request(0, Fate::AppliedLost);
    w.deliver_answer(0, false);
    assert!(!ops(&w).contains(&Op::Send), "nor while it is ambiguous");
    w.restart(0);
    assert!(!ops(&w).contains(&Op::Send), "nor after a restart");
    for _ in 0..10 {
        w.drain();
        w.advance(1_000);
    }
    let texts: Vec<String> = w
        .server
        .live(w.thread_id(0).as_str())
        .iter()
        .map(|m| m.text.clone())
        .collect();
    assert_eq!(texts, ["two", "one"]);
    assert!(w.server.applied.values().all(|n| *n == 1));
}

#[test]
fn definite_failure_marks_failed_with_the_reason() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.send(0, 0, "hi");
    w.deliver_request(index_of(&w, Op::Send), Fate::Refused);
    w.drain();
    let (_, pending) = split(&w.view(0, 0).unwrap());
    assert!(
        matches!(&pending[0].1, MessageState::Failed { reason, .. } if reason.code == FailureCode::BadRequest)
    );
    assert!(!ops(&w).contains(&Op::Send));
}

#[test]
fn unauthorized_pauses_the_whole_outbox_until_the_key_is_updated() {
    let mut w = World::new(1, 2);
    w.send(0, 0, "a");
    w.deliver_request(0, Fate::Unauthorized);
    w.deliver_answer(0, false);
    w.send(0, 1, "b");
    w.advance(60_000);
    assert!(w.requests.is_empty(), "paused: nothing goes out");
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(
        status.sync,
        threadline::sync::SyncStatus::PausedUnauthorized
    );
    w.command(0, Command::KeyUpdated);
    w.drain();
    assert_eq!(w.server.applied.len(), 2);
}

#[test]
fn forbidden_pauses_like_unauthorized_with_its_own_status() {
    let mut w = World::new(1, 2);
    w.send(0, 0, "a");
    w.deliver_request(0, Fate::Forbidden);
    w.deliver_answer(0, false);
    w.send(0, 1, "b");
    w.advance(60_000);
    assert!(w.requests.is_empty(), "paused: nothing goes out");
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(status.sync, threadline::sync::SyncStatus::PausedForbidden);
    assert!(
        w.replicas[0]
            .notices
            .iter()
            .all(|n| !matches!(n, Notice::SendFailed { .. })),
        "a 403 is not a failed send: it waits in the outbox"
    );
    w.command(0, Command::KeyUpdated);
    w.drain();
    assert_eq!(w.server.applied.len(), 2);
    let status = w.replicas[0].engine.status(&acct());
    assert_ne!(status.sync, threadline::sync::SyncStatus::PausedForbidden);
}

#[test]
fn polling_keeps_within_sixty_requests_a_minute_per_key() {
    // 20 conversations in view, polled every 5 s: 240 polls a minute if nothing paced them.
    let mut w = World::new(1, 20);
    for i in 0..20 {
        w.open(0, &format!("v{i}"), i);
    }
    let mut sent_at = Vec::new();
    for _ in 0..300 {
        while !w.requests.is_empty() {
            sent_at.push(w.now);
            w.deliver_request(0, Fate::Ok);
        }
        while !w.answers.is_empty() {
            w.deliver_answer(0, false);
        }
        w.advance(1_000);
    }
    let busiest = sent_at
        .iter()
        .map(|t| {
            sent_at
                .iter()
                .filter(|u| **u >= *t && **u < t + 60_000)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(busiest <= 60, "{busiest} requests in one minute");
    let last_minute = sent_at.iter().filter(|t| **t >= w.now - 60_000).count();
    assert!(
        last_minute >= 30,
        "still polling: {last_minute} in the last minute"
    );
}

#[test]
fn rate_limit_waits_for_retry_after_then_sends_again() {
    let mut w = World::new(1, 1);
    w.send(0, 0, "a");
    w.deliver_request(0, Fate::RateLimited); // Retry-After: 2 s
    w.deliver_answer(0, false);
    w.advance(1_000);
    assert!(w.requests.is_empty(), "still waiting");
    w.advance(1_000);
    assert_eq!(ops(&w), [Op::Send]);
    w.drain();
    assert_eq!(w.server.applied.values().sum::<u32>(), 1);
}

#[test]
fn ambiguous_send_is_not_resent_until_proved_absent() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "hi");
    w.deliver_request(index_of(&w, Op::Send), Fate::NotApplied);
    w.deliver_answer(0, false);
    for _ in 0..10 {
        assert!(!ops(&w).contains(&Op::Send), "never resent blindly");
        w.drain();
        w.advance(1_000);
    }
    let (_, pending) = split(&w.view(0, 0).unwrap());
    let MessageState::Failed { reason, retryable } = &pending[0].1 else {
        panic!("{pending:?}")
    };
    assert!(*retryable && reason.code == FailureCode::ProvedAbsent);
    assert!(w.server.applied.is_empty());
    let key = pending[0].0.clone();
    w.command(
        0,
        Command::RetrySend {
            account: acct(),
            client_key: key,
        },
    );
    w.drain();
    assert_eq!(w.server.applied.values().copied().collect::<Vec<_>>(), [1]);
    let (ids, pending) = split(&w.view(0, 0).unwrap());
    assert_eq!((ids.len(), pending.len()), (1, 0));
}

#[test]
fn ambiguous_send_that_arrived_is_found_by_its_echo_and_not_resent() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "hi");
    w.deliver_request(index_of(&w, Op::Send), Fate::AppliedLost);
    w.deliver_answer(0, false);
    assert!(matches!(
        split(&w.view(0, 0).unwrap()).1[0].1,
        MessageState::Sending {
            confirming: true,
            ..
        }
    ));
    for _ in 0..10 {
        w.drain();
        w.advance(1_000);
    }
    let (ids, pending) = split(&w.view(0, 0).unwrap());
    assert_eq!((ids.len(), pending.len()), (1, 0));
    assert_eq!(w.server.applied.values().copied().collect::<Vec<_>>(), [1]);
}

#[test]
fn echo_before_send_answer_is_not_shown_twice() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "hi");
    w.deliver_request(index_of(&w, Op::Send), Fate::Ok); // applied; answer held back
    w.advance(5_000); // a poll goes out
    let poll = index_of(&w, Op::Messages);
    w.deliver_request(poll, Fate::Ok);
    let poll_answer = w.answers.len() - 1;
    w.deliver_answer(poll_answer, false);
    let (ids, pending) = split(&w.view(0, 0).unwrap());
    assert_eq!(
        (ids.len(), pending.len()),
        (1, 0),
        "echo matched to its entry"
    );
    w.deliver_answer(0, false); // the send's own answer just confirms
    let (ids, pending) = split(&w.view(0, 0).unwrap());
    assert_eq!((ids.len(), pending.len()), (1, 0));
}

#[test]
fn an_echo_goes_to_the_attempt_that_started_first_not_to_the_entry_created_first() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    let keys = |w: &World| -> Vec<threadline::sync::ClientKey> {
        let store = w.replicas[0].engine.store(&acct()).unwrap();
        store
            .outbox()
            .in_order()
            .iter()
            .map(|e| e.key.clone())
            .collect()
    };
    w.send(0, 0, "hi"); // a: refused
    w.deliver_request(index_of(&w, Op::Send), Fate::Refused);
    w.deliver_answer(0, false);
    w.advance(100);
    w.send(0, 0, "hi"); // b: the same words, sent...
    let [a, b] = <[_; 2]>::try_from(keys(&w)).unwrap();
    w.deliver_request(index_of(&w, Op::Send), Fate::Ok);
    let answer = w.answers.len() - 1;
    if let Ok(ApiReply::Send(resp)) = &mut w.answers[answer].3 {
        resp.sent_message = None; // ... by an answer that does not name the message
    }
    w.deliver_answer(answer, false); // b is sent; its echo is looked for
    let echo_poll = index_of(&w, Op::Messages);
    w.advance(300);
    w.command(
        0,
        Command::RetrySend {
            account: acct(),
            client_key: a.clone(),
        },
    ); // a goes out again, later than b
    w.deliver_request(echo_poll, Fate::Ok); // b's message, before a reaches LinkedIn
    let poll_answer = w.answers.len() - 1;
    w.deliver_answer(poll_answer, false);
    assert_eq!(
        keys(&w),
        std::slice::from_ref(&a),
        "b took its own echo; a is still out"
    );
    w.deliver_request(index_of(&w, Op::Send), Fate::NotApplied);
    for _ in 0..10 {
        w.drain();
        w.advance(1_000);
    }
    assert_eq!(w.server.applied.keys().collect::<Vec<_>>(), [&b]);
    let view = w.view(0, 0).unwrap();
    let shown: Vec<_> = view
        .messages
        .iter()
        .map(|m| (m.id.is_some(), m.client_key.clone()))
        .collect();
    assert_eq!(shown, [(true, Some(b)), (false, Some(a))]);
    let (_, pending) = split(&view);
    assert!(
        matches!(&pending[0].1, MessageState::Failed { reason, .. } if reason.code == FailureCode::ProvedAbsent),
        "a never arrived and says so: {pending:?}"
    );
}

#[test]
fn quota_refuses_a_new_conversation_locally_with_the_reset_time() {
    let mut w = World::new(1, 0);
    for p in PEOPLE.iter().take(3) {
        w.command(
            0,
            send_command(
                Recipient::ProfileUrn(format!("urn:li:fsd_profile:{p}")),
                "hello",
            ),
        );
    }
    w.drain();
    assert_eq!(w.replicas[0].engine.status(&acct()).quota_left, 0);
    let to = Recipient::ProfileUrn(format!("urn:li:fsd_profile:{}", PEOPLE[3]));
    w.command(0, send_command(to, "hello"));
    let day = 86_400_000;
    let reset = (w.now / day + 1) * day;
    assert_eq!(
        w.refusals(0),
        [&Refusal::QuotaExceeded {
            quota: 3,
            resets_at: Millis(reset)
        }]
    );
    assert!(w.requests.is_empty(), "refused before any request");
    // A reply in an existing conversation is not counted.
    w.send(0, 0, "reply");
    assert_eq!(ops(&w), [Op::Send]);
    // After midnight UTC the quota is back.
    w.drain();
    w.advance(reset - w.now);
    assert_eq!(w.replicas[0].engine.status(&acct()).quota_left, 3);
}

#[test]
fn restart_with_a_send_in_flight_polls_for_the_echo_instead_of_resending() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "hi");
    w.deliver_request(index_of(&w, Op::Send), Fate::AppliedLost); // reached LinkedIn
    w.restart(0); // ... and the background was killed before the answer
    w.open(0, "v", 0);
    for _ in 0..10 {
        assert!(!ops(&w).contains(&Op::Send));
        w.drain();
        w.advance(1_000);
    }
    assert_eq!(w.server.applied.values().copied().collect::<Vec<_>>(), [1]);
    let (ids, pending) = split(&w.view(0, 0).unwrap());
    assert_eq!((ids.len(), pending.len()), (1, 0));
}

// ----- polling -----

/// The `newMessages` notices replica 0 gave so far, as message ids.
fn announced(w: &World) -> Vec<MessageId> {
    w.replicas[0]
        .notices
        .iter()
        .filter_map(|n| match n {
            Notice::NewMessages { messages, .. } => Some(messages.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn only_their_messages_that_polling_brings_are_announced_never_the_first_page_or_our_own() {
    let mut w = World::new(1, 1);
    let thread = w.server.threads.keys().next().unwrap().clone();
    w.server.incoming(&thread, "history");
    w.open(0, "v", 0);
    w.drain();
    assert_eq!(
        w.view(0, 0).unwrap().messages.len(),
        1,
        "the history loaded"
    );
    assert_eq!(announced(&w), [], "the first page is history, not news");
    // Ours, sent and echoed: not announced.
    w.send(0, 0, "mine");
    w.drain();
    w.advance(5_000);
    w.drain();
    assert_eq!(announced(&w), []);
    // Theirs, brought by the next poll: announced once, however many polls follow.
    let theirs = w.server.incoming(&thread, "hello there");
    for _ in 0..3 {
        w.advance(5_000);
        w.drain();
    }
    assert_eq!(announced(&w), [MessageId::parse(&theirs).unwrap()]);
}

#[test]
fn one_poller_per_conversation_across_views() {
    let mut w = World::new(1, 1);
    w.open(0, "tab-1", 0);
    w.open(0, "tab-2", 0);
    assert_eq!(ops(&w), [Op::Messages], "one first page, not two");
    w.drain();
    w.advance(5_000);
    assert_eq!(ops(&w), [Op::Messages], "one poll");
    w.drain();
    w.command(
        0,
        Command::CloseView {
            view: ViewId("tab-1".into()),
        },
    );
    w.advance(5_000);
    assert_eq!(ops(&w), [Op::Messages], "still viewed in tab-2");
    w.drain();
    w.command(
        0,
        Command::CloseView {
            view: ViewId("tab-2".into()),
        },
    );
    w.advance(5_000);
    assert!(w.requests.is_empty(), "nobody looks: no poll");
}

#[test]
fn a_view_moved_to_another_conversation_stops_polling_the_one_it_left() {
    let mut w = World::new(1, 2);
    w.open(0, "tab", 0);
    w.drain();
    w.open(0, "tab", 1);
    w.drain();
    w.advance(5_000);
    let polled: Vec<_> = w
        .requests
        .iter()
        .filter_map(|(_, _, r)| match &r.call {
            ApiCall::Messages {
                conversation_urn, ..
            } => Some(ConversationId::parse(conversation_urn).unwrap()),
            _ => None,
        })
        .collect();
    let in_view = ConversationId::parse(&w.thread_urn(1)).unwrap();
    assert_eq!(polled, [in_view], "only the conversation in view is polled");
}

#[test]
fn poll_asks_since_the_newest_message_held() {
    let mut w = World::new(1, 1);
    let thread = w.server.threads.keys().next().unwrap().clone();
    w.server.incoming(&thread, "a");
    let newest = w.server.messages.values().map(|m| m.sent_at).max().unwrap();
    w.open(0, "v", 0);
    w.drain();
    w.advance(5_000);
    let (_, _, req) = &w.requests[0];
    let ApiCall::Messages { query, .. } = &req.call else {
        panic!()
    };
    assert_eq!(query.since, Some(newest));
}

#[test]
fn older_history_follows_the_cursor_while_has_more() {
    let mut w = World::new(1, 1);
    let thread = w.server.threads.keys().next().unwrap().clone();
    for i in 0..7 {
        w.server.incoming(&thread, &format!("m{i}"));
        w.server.now += 1;
    }
    w.open(0, "v", 0);
    w.drain();
    assert_eq!(w.view(0, 0).unwrap().messages.len(), 3);
    let urn = w.thread_urn(0);
    while w.view(0, 0).unwrap().has_more_history {
        w.command(
            0,
            Command::LoadOlder {
                account: acct(),
                conversation_urn: urn.clone(),
            },
        );
        w.drain();
    }
    let texts: Vec<String> = w
        .view(0, 0)
        .unwrap()
        .messages
        .iter()
        .map(|m| m.text.clone())
        .collect();
    assert_eq!(texts, ["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
}

// ----- events -----

fn event(seq: u64, kind: ServerEventKind, conversation_urn: &str) -> ServerEvent {
    ServerEvent {
        seq,
        kind,
        at: 0,
        account_id: String::new(),
        conversation_urn: conversation_urn.into(),
        message_urn: None,
        emoji: None,
        react: None,
        actor: None,
    }
}

#[test]
fn message_created_event_polls_the_open_conversation_at_once() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    let urn = w.thread_urn(0);
    w.input(
        0,
        Input::ServerEvent(event(1, ServerEventKind::MessageCreated, &urn)),
    );
    assert_eq!(ops(&w), [Op::Messages]);
}

#[test]
fn a_gap_in_event_numbers_resyncs_open_conversations() {
    let mut w = World::new(1, 2);
    w.open(0, "a", 0);
    w.open(0, "b", 1);
    w.drain();
    w.input(
        0,
        Input::ServerEvent(event(1, ServerEventKind::Unknown, "")),
    );
    assert!(w.requests.is_empty(), "unknown event types are ignored");
    w.input(
        0,
        Input::ServerEvent(event(5, ServerEventKind::Unknown, "")),
    );
    assert_eq!(
        ops(&w),
        [Op::Messages, Op::Messages],
        "both open conversations refetched"
    );
    for (_, _, r) in &w.requests {
        let ApiCall::Messages { query, .. } = &r.call else {
            panic!()
        };
        assert_eq!(query.since, None, "a full newest page, not a since-poll");
    }
}

#[test]
fn own_profile_is_learned_so_own_reaction_events_are_not_double_counted() {
    let (mut w, id) = with_own_message(1);
    w.command(
        0,
        Command::React {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
            emoji: "👍".into(),
            add: true,
        },
    );
    w.drain();
    let mut e = event(1, ServerEventKind::ReactionChanged, "");
    e.message_urn = Some(id.as_str().into());
    e.emoji = Some("👍".into());
    e.react = Some(true);
    e.actor = Some(ME.into());
    w.input(0, Input::ServerEvent(e));
    assert_eq!(w.view(0, 0).unwrap().messages[0].reactions[0].count, 1);
}

#[test]
fn facts_from_other_tabs_merge_idempotently_in_any_order() {
    let (mut w, id) = with_own_message(2);
    w.command(
        0,
        Command::React {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
            emoji: "👍".into(),
            add: true,
        },
    );
    w.command(
        0,
        Command::Recall {
            conversation_urn: None,
            account: acct(),
            message_urn: id.as_str().into(),
        },
    );
    while !w.requests.is_empty() || !w.answers.is_empty() {
        w.deliver_request(0, Fate::Ok);
        w.deliver_answer(0, false);
    }
    // Tab 1 gets the tombstone first, then the reaction, each twice.
    let n = w.broadcasts.len();
    for i in (0..n).rev() {
        w.deliver_broadcast(i, true);
    }
    w.drain();
    assert!(w.replicas[1]
        .engine
        .store(&acct())
        .unwrap()
        .is_tombstoned(&id));
    assert!(split(&w.view(1, 0).unwrap()).0.is_empty());
}

// ----- persistence -----

#[test]
fn corrupt_store_starts_empty_and_says_why() {
    for bytes in [
        &b"\x00\xffgarbage"[..],
        b"{\"version\":1,\"accounts\":[{\"messages\":7}]}",
        b"{}",
    ] {
        let (e, issues) = Engine::restore(EngineConfig::default(), Some(bytes), &[], 0);
        assert!(
            matches!(issues[..], [RestoreIssue::CorruptSnapshot { .. }]),
            "{issues:?}"
        );
        assert!(e.store(&acct()).is_none());
    }
}

#[test]
fn store_of_another_version_is_dropped_whole_with_the_reason() {
    let (e, issues) = Engine::restore(
        EngineConfig::default(),
        Some(br#"{"version":99,"accounts":[]}"#),
        &[],
        0,
    );
    assert_eq!(
        issues,
        [RestoreIssue::UnsupportedVersion {
            found: 99,
            expected: 1
        }]
    );
    assert!(e.store(&acct()).is_none());
}

/// A store of another version that serde_json's `Value` refuses (a number out of range) is
/// corrupt, not of another version, as when every other version was read as a `Value` first.
#[test]
fn store_of_another_version_that_is_no_json_value_is_corrupt() {
    for version in ["1", "99"] {
        let bytes = format!(r#"{{"version":{version},"accounts":[],"zz":1e400}}"#);
        let (_, issues) = Engine::restore(EngineConfig::default(), Some(bytes.as_bytes()), &[], 0);
        let expected = match version {
            // Today's version reads its fields only (a member of another name is ignored).
            "1" => vec![],
            _ => vec![RestoreIssue::CorruptSnapshot {
                reason: "number out of range at line 1 column 38".into(),
            }],
        };
        assert_eq!(issues, expected, "version {version}");
    }
}

#[test]
fn corrupt_delta_is_dropped_with_every_later_one() {
    let (mut w, _) = with_own_message(1);
    let rep = &mut w.replicas[0];
    let snapshot = serde_json::to_vec(&rep.engine.snapshot()).unwrap();
    let deltas = vec![
        b"{\"version\":1}".to_vec(),
        b"nope".to_vec(),
        b"{\"version\":1}".to_vec(),
    ];
    let (e, issues) = Engine::restore(rep.config.clone(), Some(&snapshot), &deltas, 0);
    assert_eq!(issues.len(), 1);
    assert!(matches!(
        issues[0],
        RestoreIssue::CorruptDelta {
            index: 1,
            dropped: 1,
            ..
        }
    ));
    assert_eq!(e.store(&acct()).unwrap().message_count(), 1);
}

#[test]
fn snapshot_plus_deltas_restore_the_same_store() {
    let (mut w, _) = with_own_message(1);
    w.send(0, 1, "second");
    w.drain();
    let rep = &w.replicas[0];
    let (e, issues) = Engine::restore(rep.config.clone(), rep.snapshot.as_deref(), &rep.deltas, 0);
    assert!(issues.is_empty());
    assert_eq!(
        serde_json::to_value(e.snapshot()).unwrap(),
        serde_json::to_value(rep.engine.snapshot()).unwrap()
    );
}

// ----- which conversation holds a message (the overlay's chat bubbles) -----

#[test]
fn the_conversation_of_a_synced_message_is_known_and_an_unknown_one_is_not_guessed() {
    let (mut w, mine) = with_own_message(1);
    let urn = w.thread_urn(0);
    let holder = w.replicas[0]
        .engine
        .conversation_of_message(&acct(), &mine)
        .expect("a synced message's conversation");
    assert_eq!(ConversationId::parse(&holder).unwrap(), w.thread_id(0));
    assert_eq!(ConversationId::parse(&urn).unwrap(), w.thread_id(0));
    let stranger = MessageId::parse("urn:li:messagingMessage:2-bm90LWhlcmU=").unwrap();
    assert_eq!(
        w.replicas[0]
            .engine
            .conversation_of_message(&acct(), &stranger),
        None
    );
}

#[test]
fn the_one_to_one_conversation_with_a_listed_person_is_found_by_who_is_in_it() {
    let mut w = World::new(1, 2);
    w.command(
        0,
        Command::RefreshConversations {
            account: acct(),
            cursor: None,
        },
    );
    w.drain();
    let engine = &w.replicas[0].engine;
    let person = threadline::urn::ProfileId::parse(PEOPLE[1]).unwrap();
    let holder = engine
        .conversation_with(&acct(), &person)
        .expect("listed with that person");
    assert_eq!(ConversationId::parse(&holder).unwrap(), w.thread_id(1));
    let nobody = threadline::urn::ProfileId::parse(PEOPLE[3]).unwrap();
    assert_eq!(engine.conversation_with(&acct(), &nobody), None);
}

fn status_changes(w: &World) -> usize {
    w.replicas[0]
        .notices
        .iter()
        .filter(|n| matches!(n, Notice::StatusChanged { .. }))
        .count()
}

#[test]
fn server_errors_are_trouble_not_synced_until_the_api_answers_again() {
    use threadline::sync::SyncStatus;
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    let failed_at = w.now;
    w.deliver_request(index_of(&w, Op::Messages), Fate::NotApplied); // 502
    let i = w.answers.len() - 1;
    let before = status_changes(&w);
    w.deliver_answer(i, false);
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(status.sync, SyncStatus::ServerTrouble);
    assert_eq!(status.server_trouble_since, Some(Millis(failed_at)));
    assert!(status_changes(&w) > before, "the viewers are told");
    // Still failing later: the trouble keeps the time it began.
    w.advance(10_000);
    while let Some(i) = w.requests.iter().position(|(_, _, r)| r.op != Op::Premium) {
        w.deliver_request(i, Fate::NotApplied);
    }
    while !w.answers.is_empty() {
        w.deliver_answer(0, false);
    }
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(status.sync, SyncStatus::ServerTrouble);
    assert_eq!(status.server_trouble_since, Some(Millis(failed_at)));
    // The next good answer ends it.
    w.advance(60_000);
    w.drain();
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(status.sync, SyncStatus::Synced);
    assert_eq!(status.server_trouble_since, None);
}

#[test]
fn a_429_shows_as_rate_limited_with_its_wait_then_synced() {
    use threadline::sync::SyncStatus;
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.deliver_request(index_of(&w, Op::Messages), Fate::RateLimited); // Retry-After: 2 s
    let i = w.answers.len() - 1;
    w.deliver_answer(i, false);
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(status.sync, SyncStatus::RateLimited);
    assert_eq!(status.rate_limited_until, Some(Millis(w.now + 2_000)));
    w.drain();
    w.advance(2_001);
    w.drain();
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!(status.sync, SyncStatus::Synced);
    assert_eq!(status.rate_limited_until, None);
}

#[test]
fn a_failed_send_is_counted_as_failed_not_as_pending() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "queued");
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!((status.outbox_pending, status.outbox_failed), (1, 0));
    w.deliver_request(index_of(&w, Op::Send), Fate::Refused);
    w.drain();
    let status = w.replicas[0].engine.status(&acct());
    assert_eq!((status.outbox_pending, status.outbox_failed), (0, 1));
}

#[test]
fn a_send_being_confirmed_says_since_when() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    w.send(0, 0, "lost answer");
    let queued_or_out = split(&w.view(0, 0).unwrap()).1[0].1.clone();
    let sent_at = w.now;
    assert!(matches!(
        queued_or_out,
        MessageState::Sending {
            confirming: false,
            ..
        }
    ));
    w.advance(500);
    w.deliver_request(index_of(&w, Op::Send), Fate::AppliedLost);
    let i = w.answers.len() - 1;
    w.deliver_answer(i, false);
    assert_eq!(
        split(&w.view(0, 0).unwrap()).1[0].1,
        MessageState::Sending {
            confirming: true,
            since: Some(Millis(sent_at))
        }
    );
}
