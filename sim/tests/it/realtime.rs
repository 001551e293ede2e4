//! The WebSocket: auth, one event per change with a growing sequence, replay after a sequence.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use threadline::model::{ServerEvent, ServerEventKind};
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(sim: &Sim, query: &str) -> Socket {
    let url = format!("ws://{}/ws?{query}", sim.handle.addr);
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("WebSocket opens");
    socket
}

async fn next_event(socket: &mut Socket) -> ServerEvent {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an event within 5 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).expect("a ServerEvent");
        }
    }
}

#[tokio::test]
async fn the_websocket_refuses_a_connection_without_the_key() {
    let sim = Sim::start().await;
    let url = format!("ws://{}/ws", sim.handle.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    let url = format!("ws://{}/ws?access_token=wrong", sim.handle.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
}

#[tokio::test]
async fn every_change_is_pushed_in_sequence_to_each_viewing_account() {
    let sim = Sim::start().await;
    let mut ws = connect(&sim, "access_token=dev").await;
    let ada_conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);

    // A send into the shared thread: one messageCreated per account that sees it, then Ada's
    // conversationRead (the thread had unread messages for her).
    let sent = sim.reply(ids::ACCOUNT_ADA, &ada_conv, "hello both").await;
    let murn = sent["sentMessage"]["messageUrn"]
        .as_str()
        .unwrap()
        .to_string();
    let mut events = Vec::new();
    for _ in 0..3 {
        events.push(next_event(&mut ws).await);
    }
    let created: Vec<&ServerEvent> = events
        .iter()
        .filter(|e| e.kind == ServerEventKind::MessageCreated)
        .collect();
    assert_eq!(created.len(), 2);
    let mut accounts: Vec<&str> = created.iter().map(|e| e.account_id.as_str()).collect();
    accounts.sort();
    assert_eq!(accounts, [ids::ACCOUNT_ADA, ids::ACCOUNT_GRACE]);
    for e in &created {
        let own = if e.account_id == ids::ACCOUNT_ADA {
            ids::PROFILE_ADA
        } else {
            ids::PROFILE_GRACE
        };
        assert!(
            e.conversation_urn.contains(own) && e.message_urn.as_deref().unwrap().contains(own)
        );
        assert_eq!(mid(e.message_urn.as_deref().unwrap()), mid(&murn));
    }
    let read = events
        .iter()
        .find(|e| e.kind == ServerEventKind::ConversationRead)
        .expect("read");
    assert_eq!(read.account_id, ids::ACCOUNT_ADA);

    // A reaction, then the recall.
    let path = format!("/conversations/{}/messages/{}", enc(&ada_conv), enc(&murn));
    sim.post_ok(
        &format!("{path}/react"),
        json!({"emoji": "❤️", "react": true}),
    )
    .await;
    for _ in 0..2 {
        let e = next_event(&mut ws).await;
        assert_eq!(e.kind, ServerEventKind::ReactionChanged);
        assert_eq!((e.emoji.as_deref(), e.react), (Some("❤️"), Some(true)));
        assert_eq!(e.actor.as_deref(), Some(ids::PROFILE_ADA));
        events.push(e);
    }
    assert_eq!(sim.delete(&path).await.status(), reqwest::StatusCode::OK);
    for _ in 0..2 {
        let e = next_event(&mut ws).await;
        assert_eq!(e.kind, ServerEventKind::MessageRecalled);
        events.push(e);
    }
    // Incoming from the other party.
    sim.control(
        "/__sim/incoming",
        json!({"conversationUrn": ada_conv, "text": "new!"}),
    )
    .await;
    events.push(next_event(&mut ws).await);
    assert_eq!(events.last().unwrap().kind, ServerEventKind::MessageCreated);

    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "no gap: {seqs:?}"
    );
}

#[tokio::test]
async fn a_client_can_replay_what_it_missed_after_a_sequence_number() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    for text in ["a", "b", "c"] {
        sim.control(
            "/__sim/incoming",
            json!({"conversationUrn": conv, "text": text}),
        )
        .await;
    }
    let mut ws = connect(&sim, "access_token=dev&afterSeq=1").await;
    assert_eq!(next_event(&mut ws).await.seq, 2);
    assert_eq!(next_event(&mut ws).await.seq, 3);
    sim.control(
        "/__sim/incoming",
        json!({"conversationUrn": conv, "text": "d"}),
    )
    .await;
    assert_eq!(next_event(&mut ws).await.seq, 4);
    let history = sim.control_get("/__sim/events?afterSeq=2").await;
    assert_eq!(history["events"].as_array().unwrap().len(), 2);
    // The bearer header works as well as the query token.
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("ws://{}/ws", sim.handle.addr),
    )
    .unwrap();
    req.headers_mut()
        .insert("authorization", "Bearer dev".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(req).await.is_ok());
}
