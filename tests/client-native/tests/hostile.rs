//! The client (and the engine above it) against a hostile server on loopback: one that echoes
//! the API key back in its error bodies, answers with bodies over the size cap or with error
//! text megabytes long, and the path parameters that would climb out of their segment. A plain
//! TCP server of our own, because the simulator is well-behaved by design.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use threadline::api::limits::{MAX_BODY_BYTES, MAX_ERROR_TEXT_BYTES};
use threadline::api::{ApiError, Client, NativeTransport, RetryPolicy};
use threadline::model::MessagesQuery;
use threadline::sync::{
    AccountId, Command, Effect, Engine, EngineConfig, Input, Persist, Recipient,
};

const KEY: &str = "sk_live_7Hq2xV9pLm4Rt8Zw";
const CONV: &str = "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-YWJj)";
const MSG: &str = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,2-MTc=)";

/// What the hostile server answers to a request (given the request's head and body as text).
type Answer = dyn Fn(&str) -> (u16, Vec<u8>) + Send + Sync;

struct Hostile {
    url: String,
    /// Every request line received (`GET /path HTTP/1.1`).
    seen: Arc<Mutex<Vec<String>>>,
    count: Arc<AtomicUsize>,
}

impl Hostile {
    fn start(answer: Box<Answer>) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let (seen2, count2) = (seen.clone(), count.clone());
        let answer: Arc<Answer> = Arc::from(answer);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, count, answer) = (seen2.clone(), count2.clone(), answer.clone());
                thread::spawn(move || serve(stream, &seen, &count, &*answer));
            }
        });
        Hostile { url, seen, count }
    }

    fn requests(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    fn client(&self) -> Client<NativeTransport> {
        Client::new(
            NativeTransport::new().unwrap(),
            self.url.clone(),
            KEY.to_string(),
        )
        .with_timeout_ms(5_000)
        .with_retry(RetryPolicy::never())
        .with_jitter(|| 0.0)
    }
}

fn serve(mut stream: TcpStream, seen: &Mutex<Vec<String>>, count: &AtomicUsize, answer: &Answer) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // Read the head, then as much body as Content-Length says.
    loop {
        let Ok(n) = stream.read(&mut chunk) else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    count.fetch_add(1, Ordering::SeqCst);
    seen.lock()
        .unwrap()
        .push(text.lines().next().unwrap_or("").to_string());
    let (status, body) = answer(&text);
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// The `Authorization` header's value, as a careless server would echo it.
fn authorization(request: &str) -> String {
    request
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("authorization")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default()
}

fn echo_key_server(status: u16) -> Hostile {
    Hostile::start(Box::new(move |req| {
        let auth = authorization(req);
        let key = auth.trim_start_matches("Bearer ").to_string();
        let body = serde_json::json!({
            "success": false,
            "code": format!("bad_key_{key}"),
            "message": format!("Invalid API key {key}; you sent Authorization: {auth}"),
        });
        (status, body.to_string().into_bytes())
    }))
}

fn no_key(err: &ApiError) {
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(KEY), "the key leaked: {shown}");
    assert!(
        !shown.contains(&KEY[..8]),
        "a part of the key leaked: {shown}"
    );
}

#[tokio::test]
async fn a_key_echoed_in_an_error_body_never_reaches_the_error() {
    for status in [400, 401, 404, 429, 500, 200] {
        let server = echo_key_server(status);
        let err = server
            .client()
            .messages(CONV, MessagesQuery::default())
            .await
            .expect_err("an error");
        no_key(&err);
        assert!(
            err.to_string().contains("[redacted]"),
            "{status}: the echo is still shown, scrubbed: {err}"
        );
    }
}

#[tokio::test]
async fn an_error_text_megabytes_long_is_cut_to_the_limit() {
    let server = Hostile::start(Box::new(|_| {
        let message = "x".repeat(5 * 1024 * 1024);
        let body = serde_json::json!({ "error": message });
        (500, body.to_string().into_bytes())
    }));
    let err = server
        .client()
        .messages(CONV, MessagesQuery::default())
        .await
        .expect_err("a 500");
    let ApiError::Server { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.len() <= MAX_ERROR_TEXT_BYTES, "{}", message.len());
    assert!(message.ends_with('…'));
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_as_malformed() {
    let server = Hostile::start(Box::new(|_| {
        let mut body = b"{\"messages\":[],\"pad\":\"".to_vec();
        body.resize(MAX_BODY_BYTES + 10, b'a');
        body.extend_from_slice(b"\"}");
        (200, body)
    }));
    let err = server
        .client()
        .messages(CONV, MessagesQuery::default())
        .await
        .expect_err("oversize");
    assert_eq!(err.code(), "malformed", "{err}");
    assert!(err.to_string().contains("limit"), "{err}");
}

#[tokio::test]
async fn path_parameters_that_would_climb_out_are_refused_without_a_request() {
    let server = Hostile::start(Box::new(|_| (200, b"{}".to_vec())));
    let client = server.client();
    let refused = |r: Result<(), ApiError>| {
        let err = r.expect_err("refused");
        assert!(err.is_local(), "{err:?}");
        assert_eq!(err.code(), "bad_request");
        assert!(
            matches!(err.reason(), Some("bad_id") | Some("missing_id")),
            "{err:?}"
        );
    };
    refused(client.recall(CONV, "..", None).await.map(drop));
    refused(client.recall("..", "..", None).await.map(drop));
    refused(client.recall(CONV, ".", None).await.map(drop));
    refused(client.recall(CONV, "", None).await.map(drop));
    refused(
        client
            .messages("..", MessagesQuery::default())
            .await
            .map(drop),
    );
    refused(
        client
            .messages("urn:li:messagingThread:..", MessagesQuery::default())
            .await
            .map(drop),
    );
    refused(client.react(CONV, "..", "👍", true, None).await.map(drop));
    refused(client.react("..", MSG, "👍", true, None).await.map(drop));
    refused(client.premium_status(Some("..")).await.map(drop));
    refused(client.premium_status(Some(".")).await.map(drop));
    // A message URN where a conversation belongs is the wrong kind.
    refused(client.recall(MSG, MSG, None).await.map(drop));
    assert_eq!(server.requests(), 0, "{:?}", server.seen.lock().unwrap());
}

#[tokio::test]
async fn good_path_parameters_still_go_out_as_one_encoded_segment_each() {
    let server = Hostile::start(Box::new(|_| (200, br#"{"messageUrn":"x"}"#.to_vec())));
    let client = server.client();
    let _ = client.recall(CONV, MSG, None).await;
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let path = seen[0].split(' ').nth(1).unwrap();
    assert_eq!(path.matches('/').count(), 4, "{path}");
    assert!(path.starts_with("/conversations/urn%3Ali%3Amsg_conversation%3A"));
}

/// The engine above the client: a send answered by a server that echoes the key fails, and
/// nothing the engine stores, shows or broadcasts carries the key.
#[tokio::test]
async fn an_echoed_key_never_reaches_the_engines_storage_or_notices() {
    let server = echo_key_server(400);
    let client = server.client();
    let mut engine = Engine::new(EngineConfig::default());
    let account = AccountId::default();
    let now = 1_700_000_000_000;
    let mut effects = engine.handle(
        Input::Command(Command::Send {
            account: account.clone(),
            to: Recipient::Conversation(CONV.into()),
            text: "hello".into(),
            subject: None,
            channel: Default::default(),
            attachments: Vec::new(),
            client_key: None,
        }),
        now,
    );
    let mut stored = Vec::new();
    let mut notices = Vec::new();
    let mut requests = 0;
    for step in 0..50 {
        let Some(effect) = (!effects.is_empty()).then(|| effects.remove(0)) else {
            break;
        };
        match effect {
            Effect::Persist(Persist::Snapshot(r) | Persist::Delta(r)) => {
                stored.push(serde_json::to_string(&r).unwrap())
            }
            Effect::Request(req) => {
                requests += 1;
                let result = client.run(req.call).await;
                if let Err(e) = &result {
                    no_key(e);
                }
                let more = engine.handle(Input::Answer { id: req.id, result }, now + step);
                effects.extend(more);
            }
            Effect::Notify(n) => notices.push(serde_json::to_string(&n).unwrap()),
            Effect::Broadcast(f) => stored.push(serde_json::to_string(&f).unwrap()),
            // An engine that holds everything (Engine::new) reads nothing.
            Effect::SetTimer { .. }
            | Effect::Load { .. }
            | Effect::LoadList { .. }
            | Effect::LoadWith { .. }
            | Effect::Locate { .. } => {}
        }
    }
    assert_eq!(requests, 1, "one send");
    assert!(
        notices.iter().any(|n| n.contains("sendFailed")),
        "{notices:?}"
    );
    let snapshot = serde_json::to_string(&engine.snapshot()).unwrap();
    let view = format!(
        "{:?}",
        engine.conversation_view(
            &account,
            &threadline::urn::ConversationId::parse(CONV).unwrap()
        )
    );
    for text in stored.iter().chain(&notices).chain([&snapshot, &view]) {
        assert!(!text.contains(KEY), "the key leaked: {text}");
        assert!(!text.contains(&KEY[..8]), "part of the key leaked: {text}");
    }
    assert!(
        notices
            .iter()
            .chain(&stored)
            .any(|t| t.contains("[redacted]")),
        "the failure still says what the server said, scrubbed: {notices:?}"
    );
}
