//! Commands with outcomes: every command gets a number and exactly one `refused` or
//! `completed` notice naming it (the world asserts "at most one, and only for a command fed";
//! these tests show which one, and when).

use threadline::api::Op;
use threadline::sync::{
    ClientKey, Command, CommandId, Engine, FailureCode, Notice, Outcome, Recipient, Refusal,
    SendState, ViewId,
};

use super::server::Fate;
use super::world::{acct, send_command, split, World};

fn index_of(w: &World, op: Op) -> usize {
    w.requests
        .iter()
        .position(|(_, _, r)| r.op == op)
        .expect("such a request is out")
}

/// The one outcome of command `id` at replica 0 (fails when there is none, or several).
fn outcome(w: &World, id: CommandId) -> Outcome {
    match w.outcomes(0, id)[..] {
        [Notice::Completed { outcome, .. }] => outcome.clone(),
        ref other => panic!("expected one completed notice for {id:?}, got {other:?}"),
    }
}

fn refusal(w: &World, id: CommandId) -> Refusal {
    match w.outcomes(0, id)[..] {
        [Notice::Refused { reason, .. }] => reason.clone(),
        ref other => panic!("expected one refused notice for {id:?}, got {other:?}"),
    }
}

fn keyed_send(w: &mut World, text: &str, key: &str) -> Command {
    let mut c = send_command(Recipient::Conversation(w.thread_urn(0)), text);
    if let Command::Send { client_key, .. } = &mut c {
        *client_key = Some(ClientKey(key.into()));
    }
    c
}

/// A world with replica 0 viewing thread 0, which holds one own message.
fn with_own_message() -> (World, threadline::urn::MessageId) {
    let mut w = World::new(1, 2);
    w.open(0, "v", 0);
    w.send(0, 0, "mine");
    w.drain();
    let (ids, _) = split(&w.view(0, 0).unwrap());
    (w, ids[0].clone())
}

#[test]
fn commands_are_numbered_from_one_per_engine() {
    let mut w = World::new(1, 1);
    let urn = w.thread_urn(0);
    let open = Command::OpenConversation {
        view: ViewId("v".into()),
        account: acct(),
        conversation_urn: urn,
    };
    let a = w.command_id(0, open.clone());
    let b = w.command_id(
        0,
        Command::CloseView {
            view: ViewId("v".into()),
        },
    );
    assert_eq!((a, b), (CommandId(1), CommandId(2)));
    let mut fresh = Engine::new(super::world::config(9));
    assert_eq!(fresh.command(open, 0).0, CommandId(1));
}

#[test]
fn commands_that_do_all_at_once_complete_done_in_their_step() {
    let mut w = World::new(1, 1);
    let urn = w.thread_urn(0);
    let commands = [
        Command::OpenConversation {
            view: ViewId("v".into()),
            account: acct(),
            conversation_urn: urn.clone(),
        },
        Command::MarkRead {
            account: acct(),
            conversation_urn: urn,
        },
        Command::CloseView {
            view: ViewId("v".into()),
        },
        Command::KeyUpdated,
    ];
    for c in commands {
        let id = w.command_id(0, c.clone());
        assert_eq!(outcome(&w, id), Outcome::Done, "{c:?}");
    }
}

#[test]
fn load_older_completes_done_once_its_page_merged() {
    let mut w = World::new(1, 1);
    let urn = w.thread_urn(0);
    let id = w.command_id(
        0,
        Command::LoadOlder {
            account: acct(),
            conversation_urn: urn,
        },
    );
    assert!(w.outcomes(0, id).is_empty(), "not before its page came");
    w.drain();
    assert_eq!(outcome(&w, id), Outcome::Done);
}

#[test]
fn a_page_that_fails_completes_failed_with_the_api_code() {
    let mut w = World::new(1, 1);
    let urn = w.thread_urn(0);
    let id = w.command_id(
        0,
        Command::Refresh {
            account: acct(),
            conversation_urn: urn,
        },
    );
    w.deliver_request(index_of(&w, Op::Messages), Fate::NotApplied);
    w.deliver_answer(0, false);
    let Outcome::Failed { reason } = outcome(&w, id) else {
        panic!("expected failed");
    };
    assert_eq!(reason.code, FailureCode::Server);
}

#[test]
fn rescan_completes_when_its_walk_ends() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    for i in 0..7 {
        w.send(0, 0, &format!("m{i}"));
        w.drain();
    }
    let urn = w.thread_urn(0);
    let id = w.command_id(
        0,
        Command::Rescan {
            account: acct(),
            conversation_urn: urn,
        },
    );
    // Pages of three: the walk takes several answers; only the last ends the command.
    w.deliver_request(index_of(&w, Op::Messages), Fate::Ok);
    w.deliver_answer(0, false);
    assert!(w.outcomes(0, id).is_empty(), "the walk goes on");
    w.drain();
    assert_eq!(outcome(&w, id), Outcome::Done);
}

#[test]
fn send_completes_sent_with_its_message_once_confirmed() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    let c = keyed_send(&mut w, "hello", "k1");
    let id = w.command_id(0, c);
    assert!(w.outcomes(0, id).is_empty(), "not before the server has it");
    w.drain();
    let Outcome::Sent {
        client_key,
        message_urn,
    } = outcome(&w, id)
    else {
        panic!("expected sent");
    };
    assert_eq!(client_key, ClientKey("k1".into()));
    let (ids, _) = split(&w.view(0, 0).unwrap());
    let urn = message_urn.expect("the answer named the message");
    assert_eq!(
        threadline::urn::MessageId::parse(&urn).unwrap(),
        ids[0],
        "the message shown"
    );
}

#[test]
fn send_refused_by_linkedin_completes_not_sent_with_the_reason() {
    let mut w = World::new(1, 1);
    let c = send_command(Recipient::Conversation(w.thread_urn(0)), "hello");
    let id = w.command_id(0, c);
    w.deliver_request(index_of(&w, Op::Send), Fate::Refused);
    w.deliver_answer(0, false);
    let Outcome::NotSent {
        reason, retryable, ..
    } = outcome(&w, id)
    else {
        panic!("expected notSent");
    };
    assert_eq!(reason.code, FailureCode::BadRequest);
    assert!(!retryable);
    // The sendFailed notice of the same moment stays.
    assert!(w.replicas[0]
        .notices
        .iter()
        .any(|n| matches!(n, Notice::SendFailed { .. })));
}

#[test]
fn retry_completes_like_a_send() {
    let mut w = World::new(1, 1);
    let c = keyed_send(&mut w, "hello", "k1");
    w.command(0, c);
    w.deliver_request(index_of(&w, Op::Send), Fate::NotApplied);
    w.deliver_answer(0, false);
    for _ in 0..3 {
        w.drain();
        w.advance(5_000);
    }
    w.drain(); // the echo polls prove it absent: failed, retryable
    let entry = w.replicas[0]
        .engine
        .store(&acct())
        .unwrap()
        .outbox()
        .get(&ClientKey("k1".into()))
        .cloned();
    assert!(matches!(
        entry.map(|e| e.state),
        Some(SendState::Failed { .. })
    ));
    let retry = w.command_id(
        0,
        Command::RetrySend {
            account: acct(),
            client_key: ClientKey("k1".into()),
        },
    );
    assert!(
        w.outcomes(0, retry).is_empty(),
        "{:?}",
        w.outcomes(0, retry)
    );
    w.drain();
    assert!(matches!(outcome(&w, retry), Outcome::Sent { .. }));
}

#[test]
fn a_send_discarded_while_queued_completes_discarded() {
    let mut w = World::new(1, 1);
    let first = keyed_send(&mut w, "first", "k1");
    let second = keyed_send(&mut w, "second", "k2");
    w.command(0, first);
    // Same lane: the second waits behind the first.
    let id = w.command_id(0, second);
    let discard = w.command_id(
        0,
        Command::DiscardSend {
            account: acct(),
            client_key: ClientKey("k2".into()),
        },
    );
    assert_eq!(outcome(&w, discard), Outcome::Done);
    assert_eq!(
        outcome(&w, id),
        Outcome::Discarded {
            client_key: ClientKey("k2".into())
        }
    );
}

#[test]
fn recall_completes_recalled() {
    let (mut w, msg) = with_own_message();
    let id = w.command_id(
        0,
        Command::Recall {
            account: acct(),
            message_urn: msg.as_str().into(),
            conversation_urn: None,
        },
    );
    assert!(w.outcomes(0, id).is_empty());
    w.drain();
    assert_eq!(outcome(&w, id), Outcome::Recalled { message: msg });
}

#[test]
fn an_ambiguous_recall_completes_when_a_page_proves_it() {
    let (mut w, msg) = with_own_message();
    let id = w.command_id(
        0,
        Command::Recall {
            account: acct(),
            message_urn: msg.as_str().into(),
            conversation_urn: None,
        },
    );
    w.deliver_request(index_of(&w, Op::Recall), Fate::AppliedLost);
    w.deliver_answer(0, false);
    assert!(w.outcomes(0, id).is_empty(), "not known yet");
    w.drain();
    assert_eq!(outcome(&w, id), Outcome::Recalled { message: msg });
}

#[test]
fn a_recall_refused_by_linkedin_completes_failed() {
    let (mut w, msg) = with_own_message();
    let id = w.command_id(
        0,
        Command::Recall {
            account: acct(),
            message_urn: msg.as_str().into(),
            conversation_urn: None,
        },
    );
    w.deliver_request(index_of(&w, Op::Recall), Fate::Refused);
    w.deliver_answer(0, false);
    let Outcome::Failed { reason } = outcome(&w, id) else {
        panic!("expected failed");
    };
    assert_eq!(reason.code, FailureCode::BadRequest);
    let told = w.replicas[0].notices.iter().any(|n| {
        matches!(n, Notice::RecallFailed { reason: r, .. } if r.code == FailureCode::BadRequest)
    });
    assert!(told, "the recallFailed notice carries the same failure");
}

#[test]
fn react_completes_reacted_or_failed() {
    let (mut w, msg) = with_own_message();
    let react = |add| Command::React {
        account: acct(),
        message_urn: msg.as_str().into(),
        emoji: "👍".into(),
        add,
        conversation_urn: None,
    };
    let id = w.command_id(0, react(true));
    w.drain();
    let expected = Outcome::Reacted {
        message: msg.clone(),
        emoji: "👍".into(),
        add: true,
    };
    assert_eq!(outcome(&w, id), expected);
    // Adding what is there changes nothing: reacted at once.
    let again = w.command_id(0, react(true));
    assert_eq!(outcome(&w, again), expected);
    let id = w.command_id(0, react(false));
    w.deliver_request(index_of(&w, Op::React), Fate::Refused);
    w.deliver_answer(0, false);
    assert!(matches!(
        outcome(&w, id),
        Outcome::Failed { reason } if reason.code == FailureCode::BadRequest
    ));
}

#[test]
fn a_refusal_names_its_command_and_nothing_completes() {
    let mut w = World::new(1, 1);
    let c = send_command(Recipient::Conversation(w.thread_urn(0)), "  ");
    let id = w.command_id(0, c);
    assert_eq!(refusal(&w, id), Refusal::EmptyMessage);
}

#[test]
fn recall_or_react_naming_another_conversation_is_refused() {
    let (mut w, msg) = with_own_message();
    let elsewhere = w.thread_urn(1);
    let id = w.command_id(
        0,
        Command::Recall {
            account: acct(),
            message_urn: msg.as_str().into(),
            conversation_urn: Some(elsewhere.clone()),
        },
    );
    assert!(matches!(
        refusal(&w, id),
        Refusal::NotInConversation { conversation_urn } if conversation_urn == elsewhere
    ));
    let id = w.command_id(
        0,
        Command::React {
            account: acct(),
            message_urn: msg.as_str().into(),
            emoji: "👍".into(),
            add: true,
            conversation_urn: Some(elsewhere),
        },
    );
    assert!(matches!(refusal(&w, id), Refusal::NotInConversation { .. }));
    assert!(w.requests.is_empty(), "nothing went out");
    // Its own conversation, in another URN form, is fine.
    let own = w.thread_urn(0);
    let id = w.command_id(
        0,
        Command::Recall {
            account: acct(),
            message_urn: msg.as_str().into(),
            conversation_urn: Some(own),
        },
    );
    w.drain();
    assert!(matches!(outcome(&w, id), Outcome::Recalled { .. }));
}

#[test]
fn refusal_codes_are_snake_case_on_the_wire() {
    let json = serde_json::to_value(Refusal::RecallWindowClosed { closed_at: 5 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"code": "recall_window_closed", "closedAt": 5})
    );
    let json = serde_json::to_value(Refusal::AlreadyPending).unwrap();
    assert_eq!(json, serde_json::json!({"code": "already_pending"}));
}

#[test]
fn send_with_a_known_client_key_is_idempotent() {
    let mut w = World::new(1, 1);
    w.open(0, "v", 0);
    w.drain();
    let c = keyed_send(&mut w, "once", "k1");
    let first = w.command_id(0, c.clone());
    let second = w.command_id(0, c.clone());
    let store = w.replicas[0].engine.store(&acct()).unwrap();
    assert_eq!(store.outbox().entries.len(), 1, "one entry");
    w.drain();
    assert!(matches!(outcome(&w, first), Outcome::Sent { .. }));
    assert_eq!(outcome(&w, first), outcome(&w, second), "both end alike");
    assert_eq!(w.server.live(&w.thread_id(0).to_string()).len(), 1);
    // Once confirmed, the same key completes sent at once, and sends nothing.
    let third = w.command_id(0, c);
    assert_eq!(outcome(&w, third), outcome(&w, first));
    assert!(w.requests.is_empty());
}

#[test]
fn a_failed_entry_sent_again_under_its_key_completes_not_sent_at_once() {
    let mut w = World::new(1, 1);
    let c = keyed_send(&mut w, "hello", "k1");
    w.command(0, c.clone());
    w.deliver_request(index_of(&w, Op::Send), Fate::Refused);
    w.deliver_answer(0, false);
    let again = w.command_id(0, c);
    assert!(matches!(outcome(&w, again), Outcome::NotSent { .. }));
    assert!(w.requests.is_empty(), "no second request");
}

#[test]
fn a_restart_forgets_waiting_commands_without_a_wrong_outcome() {
    let mut w = World::new(1, 1);
    let c = keyed_send(&mut w, "hello", "k1");
    let id = w.command_id(0, c);
    w.deliver_request(index_of(&w, Op::Send), Fate::Ok);
    w.replicas[0].notices.clear();
    w.restart(0);
    w.advance(10_000);
    w.drain();
    // The world asserts no outcome names a command the new engine was not fed; and none
    // came at all.
    assert!(!w.replicas[0]
        .notices
        .iter()
        .any(|n| matches!(n, Notice::Completed { .. } | Notice::Refused { .. })));
    assert!(w.outcomes(0, id).is_empty());
}

#[test]
fn a_stored_failure_code_this_build_does_not_know_loads_as_unknown() {
    let mut w = World::new(1, 1);
    let c = keyed_send(&mut w, "hello", "k1");
    w.command(0, c);
    w.deliver_request(index_of(&w, Op::Send), Fate::Refused);
    w.deliver_answer(0, false);
    let rep = &w.replicas[0];
    // The record as an older or newer build stored it: only the code differs.
    let stored = serde_json::to_string(&rep.engine.snapshot()).unwrap();
    assert!(stored.contains("\"bad_request\""));
    let stored = stored.replace("\"bad_request\"", "\"a_code_from_a_newer_build\"");
    let (engine, issues) = Engine::restore(rep.config.clone(), Some(stored.as_bytes()), &[], w.now);
    assert!(issues.is_empty(), "{issues:?}");
    let entry = engine
        .store(&acct())
        .unwrap()
        .outbox()
        .get(&ClientKey("k1".into()))
        .cloned()
        .expect("the entry loaded");
    assert!(matches!(
        entry.state,
        SendState::Failed { reason, .. } if reason.code == FailureCode::Unknown
    ));
}

#[test]
fn a_recall_naming_a_conversation_needs_the_message_known_there_a_reaction_only_not_elsewhere() {
    let mut w = World::new(1, 1);
    let here = w.thread_urn(0);
    let unknown = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailboxA,2-never-seen)";
    let id = w.command_id(
        0,
        Command::Recall {
            account: acct(),
            message_urn: unknown.into(),
            conversation_urn: Some(here.clone()),
        },
    );
    assert!(matches!(refusal(&w, id), Refusal::NotInConversation { .. }));
    let id = w.command_id(
        0,
        Command::React {
            account: acct(),
            message_urn: unknown.into(),
            emoji: "👍".into(),
            add: true,
            conversation_urn: Some(here),
        },
    );
    assert_eq!(refusal(&w, id), Refusal::UnknownMessage);
}
