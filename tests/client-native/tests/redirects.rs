//! Redirects against real sockets (issue 12, item 9): a write answered 301/302/303/307/308 is an
//! error, never re-sent (as a GET or at all) to the other host and never taken as success; a read
//! follows a redirect only to the API's own origin, with the key; elsewhere it is refused.

use std::sync::{Arc, Mutex};

use threadline::api::{Client, NativeTransport};
use threadline::model::SendRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What a tiny server saw: one line per request, `METHOD path auth?`.
type Seen = Arc<Mutex<Vec<String>>>;

/// A server answering every request with `answer(path)` (a whole HTTP response).
async fn server(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let first = head.lines().next().unwrap_or("").to_string();
                let mut parts = first.split(' ');
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let auth = head.lines().any(|l| {
                    l.to_ascii_lowercase()
                        .starts_with("authorization: bearer dev")
                });
                log.lock()
                    .unwrap()
                    .push(format!("{method} {path}{}", if auth { " key" } else { "" }));
                let _ = sock.write_all(answer(path).as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, seen)
}

fn redirect(status: u16, to: &str) -> String {
    format!("HTTP/1.1 {status} Moved\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

fn ok_json(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn client(base: &str) -> Client<NativeTransport> {
    Client::new(NativeTransport::new().unwrap(), base, "dev".to_string()).with_timeout_ms(2_000)
}

const SUCCESS: &str = r#"{"success":true,"message":"Message sent successfully","messageId":"urn:li:messagingMessage:2-x","messageUrn":"urn:li:messagingMessage:2-x","emoji":"x","react":true,"attachment":{"assetUrn":"a","byteSize":1,"mediaType":"image/png","name":"a.png"}}"#;

#[tokio::test]
async fn a_write_answered_with_a_redirect_is_an_error_and_goes_nowhere_else() {
    let (elsewhere, hits) = server(|_| ok_json(SUCCESS)).await;
    for status in [301u16, 302, 303, 307, 308] {
        for same_origin in [false, true] {
            let target = elsewhere.clone();
            let (api, seen) = server(move |path| {
                if path.starts_with("/ok") {
                    ok_json(SUCCESS)
                } else if same_origin {
                    redirect(status, "/ok")
                } else {
                    redirect(status, &format!("{target}/conversations/send"))
                }
            })
            .await;
            let c = client(&api);
            let send = c
                .send(SendRequest {
                    message: "hi".into(),
                    conversation_urn: Some("urn:li:messagingThread:2-abc".into()),
                    ..Default::default()
                })
                .await;
            let react = c
                .react(
                    "urn:li:messagingThread:2-abc",
                    "urn:li:messagingMessage:2-x",
                    "👍",
                    true,
                    None,
                )
                .await
                .map(drop);
            let recall = c
                .recall(
                    "urn:li:messagingThread:2-abc",
                    "urn:li:messagingMessage:2-x",
                    None,
                )
                .await
                .map(drop);
            let upload = c
                .upload_attachment(vec![1, 2, 3], "image/png", "a.png", None)
                .await
                .map(drop);
            for (what, result) in [
                ("send", send.map(drop)),
                ("react", react),
                ("recall", recall),
                ("upload", upload),
            ] {
                let err = result.expect_err(what);
                assert_eq!(err.status(), Some(status), "{what} {status}");
                assert!(
                    err.is_ambiguous(),
                    "{what}: never offered for a blind resend"
                );
            }
            let seen = seen.lock().unwrap().clone();
            assert_eq!(seen.len(), 4, "{status}: one request per write: {seen:?}");
            assert!(seen.iter().all(|l| !l.starts_with("GET")), "{seen:?}");
        }
    }
    assert!(
        hits.lock().unwrap().is_empty(),
        "the other host never heard of it"
    );
}

#[tokio::test]
async fn a_read_follows_only_its_own_origin_and_keeps_the_key() {
    let (elsewhere, hits) = server(|_| ok_json("[]")).await;
    let target = elsewhere.clone();
    let (api, seen) = server(move |path| match path {
        "/accounts" => redirect(302, "/moved/accounts"),
        "/moved/accounts" => ok_json(r#"[{"id":"a1","firstName":"Ada","status":"IN_USE"}]"#),
        _ => redirect(307, &format!("{target}/steal")),
    })
    .await;
    let c = client(&api);
    let accounts = c.accounts(None).await.expect("followed on the same origin");
    assert_eq!(accounts[0].id, "a1");
    assert_eq!(accounts[0].status.as_str(), "IN_USE");
    let err = c
        .premium_status(Some("acc"))
        .await
        .expect_err("refused: another origin");
    assert_eq!((err.code(), err.status()), ("malformed", Some(307)));
    assert!(err.to_string().contains("not followed"), "{err}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "GET /accounts key",
            "GET /moved/accounts key",
            "GET /account/acc/premium key"
        ]
    );
    assert!(
        hits.lock().unwrap().is_empty(),
        "the key never went elsewhere"
    );
}
