//! The LinkedIn-shaped page: its shape, escaping, CSP, HTTPS for www.linkedin.com, and www/.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use threadline_sim::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::common::*;

fn thread_page(thread: &str, account: &str) -> String {
    format!("/messaging/thread/{}/?account={account}", enc(thread))
}

#[tokio::test]
async fn the_page_lists_threads_and_messages_with_event_urns_and_a_compose_box() {
    let sim = Sim::start().await;
    let res = sim
        .http
        .get(sim.url(&thread_page(ids::LONG_THREAD_ID, ids::ACCOUNT_ADA)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-security-policy"],
        "script-src 'self'; object-src 'none'"
    );
    let html = res.text().await.unwrap();
    let items = html
        .matches("<li class=\"msg-s-message-list__event msg-s-event-listitem\"")
        .count();
    assert_eq!(items, ids::LONG_THREAD_MESSAGES);
    let urn = tuple_message(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID);
    assert!(html.contains(&format!("data-event-urn=\"{urn}\"")));
    assert!(html.contains("class=\"msg-s-event-listitem__body\">Oops, wrong thread!</p>"));
    assert!(html.contains("class=\"msg-s-message-group__name\">Ada Lovelace</span>"));
    assert!(html.contains("class=\"msg-form__contenteditable\" contenteditable=\"true\""));
    assert!(html.contains("msg-conversations-container__conversations-list"));
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains("Bearer"), "no API key");
    // Grace's mailbox shows the shared thread under her prefix.
    let grace = sim
        .http
        .get(sim.url(&thread_page(ids::SHARED_THREAD_ID, ids::ACCOUNT_GRACE)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(grace.contains(&format!(
        "data-event-urn=\"urn:li:msg_message:(urn:li:fsd_profile:{},",
        ids::PROFILE_GRACE
    )));
    // Recalled messages are gone from the page too; unknown threads are 404.
    let c = enc(&tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID));
    assert_eq!(
        sim.delete(&format!("/conversations/{c}/messages/{}", enc(&urn)))
            .await
            .status(),
        StatusCode::OK
    );
    let html = sim
        .http
        .get(sim.url(&thread_page(ids::LONG_THREAD_ID, ids::ACCOUNT_ADA)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains(ids::RECALLABLE_MESSAGE_ID));
    let missing = sim
        .http
        .get(sim.url("/messaging/thread/2-bm9wZQ==/"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let inbox = sim.http.get(sim.url("/messaging/")).send().await.unwrap();
    assert_eq!(inbox.status(), StatusCode::OK);
}

#[tokio::test]
async fn message_text_is_html_escaped_on_the_page() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>\"&";
    sim.control(
        "/__sim/incoming",
        json!({"conversationUrn": conv, "text": evil}),
    )
    .await;
    let html = sim
        .http
        .get(sim.url(&thread_page(ids::LONG_THREAD_ID, ids::ACCOUNT_ADA)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&amp;"));
}

#[tokio::test]
async fn https_serves_the_page_with_a_certificate_for_www_linkedin_com() {
    let sim = Sim::with(Config {
        https_port: Some(0),
        ..Config::ephemeral()
    })
    .await;
    let addr = sim.handle.https_addr.expect("https on");
    let pem = sim.handle.cert_pem.clone().expect("cert");
    assert_eq!(sim.control_get_text("/__sim/cert.pem").await, pem);
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pem.as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("www.linkedin.com").unwrap();
    let mut tls = connector
        .connect(name, tcp)
        .await
        .expect("certificate valid for www.linkedin.com");
    let path = thread_page(ids::LONG_THREAD_ID, ids::ACCOUNT_ADA);
    let req = format!("GET {path} HTTP/1.1\r\nHost: www.linkedin.com\r\nConnection: close\r\n\r\n");
    tls.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    assert!(answer
        .to_lowercase()
        .contains("content-security-policy: script-src 'self'"));
    assert!(answer.contains("msg-s-event-listitem"));
}

#[tokio::test]
async fn www_files_are_served_under_www() {
    let dir = std::env::temp_dir().join(format!("threadline-sim-www-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>demo inbox</h1>").unwrap();
    let sim = Sim::with(Config {
        www: Some(dir.clone()),
        ..Config::ephemeral()
    })
    .await;
    let body = sim
        .http
        .get(sim.url("/www/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "<h1>demo inbox</h1>");
    let _ = std::fs::remove_dir_all(&dir);
}
