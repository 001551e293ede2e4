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

async fn get_json(sim: &Sim, path: &str) -> serde_json::Value {
    let res = sim.http.get(sim.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_pages_are_shells_for_a_page_script_under_a_strict_csp() {
    let sim = Sim::start().await;
    for path in [
        thread_page(ids::LONG_THREAD_ID, ids::ACCOUNT_ADA),
        "/feed/?bubble=shadow".to_string(),
        "/in/someone/?bubble=iframe".to_string(),
        "/preload/?_bprMode=vanilla".to_string(),
    ] {
        let res = sim.http.get(sim.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            res.headers()["content-security-policy"],
            "script-src 'self'; object-src 'none'; base-uri 'self'"
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("<script src=\"/__li/app.js\" defer></script>"));
        // LinkedIn's documents name no conversation: no URN of any kind, no message.
        assert!(!html.contains("urn:li:"), "{path}");
        assert!(!html.contains("data-event-urn"), "{path}");
        assert!(!html.contains("Bearer"), "no API key");
    }
    let js = sim.http.get(sim.url("/__li/app.js")).send().await.unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/javascript"));
    let js = js.text().await.unwrap();
    assert!(js.contains("history.pushState"));
    assert!(!js.contains("innerHTML"), "text is set as text");
    // /messaging/ lands in the newest thread; unknown threads are 404.
    let inbox = sim
        .http
        .get(sim.url(&format!("/messaging/?account={}", ids::ACCOUNT_ADA)))
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), StatusCode::OK);
    assert!(inbox.url().path().starts_with("/messaging/thread/2-"));
    let missing = sim
        .http
        .get(sim.url("/messaging/thread/2-bm9wZQ==/"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_page_data_pages_a_thread_with_tuple_urns_and_no_recalled_message() {
    let sim = Sim::start().await;
    let base = format!(
        "/__li/data/thread/{}?account={}",
        enc(ids::LONG_THREAD_ID),
        ids::ACCOUNT_ADA
    );
    let newest = get_json(&sim, &base).await;
    let msgs = newest["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 20.min(ids::LONG_THREAD_MESSAGES));
    assert_eq!(newest["hasMore"], ids::LONG_THREAD_MESSAGES > 20);
    let urn = tuple_message(ids::PROFILE_ADA, ids::RECALLABLE_MESSAGE_ID);
    assert!(msgs.iter().any(|m| m["urn"] == urn.as_str()));
    assert!(msgs
        .windows(2)
        .all(|w| w[0]["sentAt"].as_i64() <= w[1]["sentAt"].as_i64()));
    // Older pages, until the start of the thread.
    let mut seen = msgs.len();
    let mut oldest = msgs[0]["sentAt"].as_i64().unwrap();
    loop {
        let page = get_json(&sim, &format!("{base}&before={oldest}")).await;
        let older = page["messages"].as_array().unwrap();
        seen += older.len();
        if older.is_empty() || page["hasMore"] == false {
            break;
        }
        oldest = older[0]["sentAt"].as_i64().unwrap();
    }
    assert_eq!(seen, ids::LONG_THREAD_MESSAGES);
    // A recalled message leaves the page's data.
    let c = enc(&tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID));
    assert_eq!(
        sim.delete(&format!("/conversations/{c}/messages/{}", enc(&urn)))
            .await
            .status(),
        StatusCode::OK
    );
    let after = get_json(&sim, &base).await;
    assert!(!after.to_string().contains(ids::RECALLABLE_MESSAGE_ID));
    // The conversation list names threads by id only.
    let list = get_json(
        &sim,
        &format!("/__li/data/conversations?account={}", ids::ACCOUNT_ADA),
    )
    .await;
    assert!(list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["threadId"] == ids::LONG_THREAD_ID));
}

#[tokio::test]
async fn linkedins_own_send_adds_a_message_under_the_viewers_urn() {
    let sim = Sim::start().await;
    let evil = "<script>alert('x')</script>";
    let res = sim
        .http
        .post(sim.url(&format!(
            "/__li/data/thread/{}/send?account={}",
            enc(ids::LONG_THREAD_ID),
            ids::ACCOUNT_ADA
        )))
        .json(&json!({ "text": evil }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let m: serde_json::Value = res.json().await.unwrap();
    assert_eq!(m["text"], evil, "data is JSON; the page sets it as text");
    assert_eq!(m["mine"], true);
    assert!(m["urn"].as_str().unwrap().starts_with(&format!(
        "urn:li:msg_message:(urn:li:fsd_profile:{},2-",
        ids::PROFILE_ADA
    )));
    let empty = sim
        .http
        .post(sim.url(&format!(
            "/__li/data/thread/{}/send",
            enc(ids::LONG_THREAD_ID)
        )))
        .json(&json!({ "text": "  " }))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
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
    assert!(answer.contains("/__li/app.js"));
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

#[tokio::test]
async fn the_profile_data_names_the_person_by_slug_or_id_and_an_unknown_slug_as_not_found() {
    let sim = Sim::start().await;
    let nadia = get_json(
        &sim,
        &format!(
            "/__li/data/profile/{}?account={}",
            ids::PUBLIC_ID_NEW_CONTACT,
            ids::ACCOUNT_ADA
        ),
    )
    .await;
    assert_eq!(nadia["found"], json!(true));
    assert_eq!(nadia["profileId"], json!(ids::PROFILE_NEW_CONTACT));
    assert_eq!(nadia["self"], json!(false));
    // The sidebar: other people, never the profile shown or an account of the workspace.
    let others = nadia["others"].as_array().unwrap();
    assert!(!others.is_empty());
    for o in others {
        assert_ne!(o["profileId"], json!(ids::PROFILE_NEW_CONTACT));
        assert_ne!(o["profileId"], json!(ids::PROFILE_ADA));
    }
    // By profile id (as bubble headers link profiles), the same person.
    let by_id = get_json(
        &sim,
        &format!("/__li/data/profile/{}", ids::PROFILE_NEW_CONTACT),
    )
    .await;
    assert_eq!(by_id["profileId"], json!(ids::PROFILE_NEW_CONTACT));
    // The account's own profile has no Message link: the page script reads `self`.
    let own = get_json(
        &sim,
        &format!(
            "/__li/data/profile/{}?account={}",
            ids::PROFILE_ADA,
            ids::ACCOUNT_ADA
        ),
    )
    .await;
    assert_eq!(own["self"], json!(true));
    let unknown = get_json(&sim, "/__li/data/profile/nobody-by-this-name").await;
    assert_eq!(unknown, json!({ "found": false }));
}
