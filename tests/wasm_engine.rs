//! `ThreadlineEngine` as JavaScript sees it, through the real `fetch`, timers and storage,
//! against a running simulator whose address is given at COMPILE time (see `wasm_client.rs`):
//!
//! ```text
//! THREADLINE_SIM_URL=http://127.0.0.1:PORT \
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//! cargo test --target wasm32-unknown-unknown --test wasm_engine
//! ```
//!
//! The same file runs in Node, headless Chromium and headless Firefox: the engine persists to
//! `localStorage` where there is one (browsers) and to memory in Node. Each test resets the
//! simulator and uses its own storage key.

#![cfg(target_arch = "wasm32")]

use gloo_net::http::Request;
use js_sys::{Promise, Reflect};
use serde::Serialize;
use serde_json::{json, Value};
use threadline::sync::{ConversationView, MessageState, Notice, RemoteFact, StatusView};
use threadline::urn::ConversationId;
use threadline::wasm::storage::{AnyStore, Storage};
use threadline::wasm::ThreadlineEngine;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const SIM_URL: Option<&str> = option_env!("THREADLINE_SIM_URL");

const ADA: &str = "65f1a0c0ffee000000000a01";
const MAILBOX_ADA: &str = "ACoAAAda1Lovelace_SimMailbox-0000000A01";
const LONG_THREAD: &str = "2-c2ltLWxvbmctdGhyZWFkPz9hZGE+PmxpbnVzfn5oaXN0b3J5XzE1MA==";

fn sim_url() -> &'static str {
    SIM_URL.expect(
        "THREADLINE_SIM_URL was not set when this test was compiled: start threadline-sim and \
         build with THREADLINE_SIM_URL=http://127.0.0.1:PORT",
    )
}

fn long_thread() -> String {
    format!("urn:li:msg_conversation:(urn:li:fsd_profile:{MAILBOX_ADA},{LONG_THREAD})")
}

// ----- the simulator's control plane -----

async fn control(method: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", sim_url());
    let builder = match method {
        "POST" => Request::post(&url),
        _ => Request::get(&url),
    };
    let req = match body {
        Some(b) => builder
            .header("Content-Type", "application/json")
            .body(b.to_string())
            .expect("control request"),
        None => builder.build().expect("control request"),
    };
    let resp = req.send().await.expect("the simulator answers");
    assert!(resp.ok(), "{method} {path}: {}", resp.status());
    resp.json().await.expect("control plane JSON")
}

async fn reset() {
    control("POST", "/__sim/reset", Some(json!({}))).await;
}

async fn requests(op: &str) -> Value {
    control("GET", "/__sim/requests", None).await[op].clone()
}

// ----- JS plumbing -----

fn js(v: Value) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("JSON into JS")
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn has_local_storage() -> bool {
    get(&js_sys::global(), "localStorage").is_object()
}

fn has_websocket() -> bool {
    get(&js_sys::global(), "WebSocket").is_function()
}

/// The persistent storage of this environment: `localStorage` in a browser, memory in Node.
fn storage_kind() -> &'static str {
    if has_local_storage() {
        "localStorage"
    } else {
        "memory"
    }
}

async fn sleep(ms: u32) {
    let p = Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = get(&js_sys::global(), "setTimeout").unchecked_into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms))
            .expect("setTimeout");
    });
    JsFuture::from(p).await.expect("sleep");
}

/// Options for a test engine: fast polls and echo checks, its own storage key.
fn options(storage_key: &str, realtime: bool) -> Value {
    json!({
        "baseUrl": sim_url(),
        "apiKey": "dev",
        "storage": storage_kind(),
        "storageKey": storage_key,
        "realtime": realtime,
        "timeoutMs": 2000,
        "config": {"pollIntervalMs": 300, "echoSettleMs": 300},
    })
}

async fn open_with(options: Value) -> ThreadlineEngine {
    match ThreadlineEngine::open_engine(js(options)).await {
        Ok(e) => e,
        Err(e) => panic!("open rejected: {}", describe(&e)),
    }
}

async fn open(storage_key: &str) -> ThreadlineEngine {
    open_with(options(storage_key, false)).await
}

fn describe(e: &JsValue) -> String {
    format!(
        "{:?} {:?} {:?}",
        get(e, "name").as_string(),
        get(e, "code").as_string(),
        get(e, "message").as_string()
    )
}

async fn done(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!("rejected: {}", describe(&e)),
    }
}

async fn rejected(p: Promise) -> JsValue {
    let e = JsFuture::from(p).await.expect_err("the call must fail");
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    assert_eq!(
        get(&e, "name").as_string().as_deref(),
        Some("ThreadlineError")
    );
    e
}

fn view(engine: &ThreadlineEngine) -> Option<ConversationView> {
    let v = engine
        .conversation_view(ADA.into(), long_thread().into())
        .expect("a readable URN");
    if v.is_undefined() {
        return None;
    }
    Some(serde_wasm_bindgen::from_value(v).expect("a ConversationView"))
}

/// Waits (up to ~8 s) until the view satisfies `ok`; returns it.
async fn wait_for(
    engine: &ThreadlineEngine,
    what: &str,
    ok: impl Fn(&ConversationView) -> bool,
) -> ConversationView {
    for _ in 0..160 {
        if let Some(v) = view(engine) {
            if ok(&v) {
                return v;
            }
        }
        sleep(50).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        view(engine).map(|v| v.messages.len())
    );
}

fn with_text<'a>(v: &'a ConversationView, text: &str) -> Vec<&'a threadline::sync::MessageView> {
    v.messages.iter().filter(|m| m.text == text).collect()
}

/// Every message of `before` is in `v` once (by id): nothing lost, nothing doubled. The count
/// is not compared: the long thread is the simulator's, shared by the tests of this file, and
/// a message one of them sent can land in it meanwhile (seen once in `make test`: 53 for 52).
fn holds_each_once(v: &ConversationView, before: &ConversationView) {
    let mut ids: Vec<&str> = v
        .messages
        .iter()
        .filter_map(|m| m.id.as_ref().map(|i| i.as_str()))
        .collect();
    ids.sort_unstable();
    for pair in ids.windows(2) {
        assert_ne!(pair[0], pair[1], "a message shown twice");
    }
    for id in before
        .messages
        .iter()
        .filter_map(|m| m.id.as_ref().map(|i| i.as_str()))
    {
        assert!(ids.binary_search(&id).is_ok(), "{id} lost");
    }
    assert!(
        v.messages.len() >= before.messages.len(),
        "{} < {}",
        v.messages.len(),
        before.messages.len()
    );
}

fn is_sent(m: &threadline::sync::MessageView) -> bool {
    m.state == MessageState::Sent && m.id.is_some()
}

async fn send(engine: &ThreadlineEngine, text: &str) -> String {
    let cmd = js(json!({"accountId": ADA, "conversationUrn": long_thread(), "text": text}));
    done(engine.send(cmd))
        .await
        .as_string()
        .expect("send resolves with the client key")
}

/// The options of `openConversation` for the long thread in view `view`.
fn open_options(view: &str) -> JsValue {
    js(json!({"view": view, "accountId": ADA, "conversationUrn": long_thread()}))
}

/// The `message` of each of `restoreIssues()`.
fn issue_messages(engine: &ThreadlineEngine) -> Vec<String> {
    let list = js_sys::Array::from(&engine.restore_issues().expect("issues"));
    list.iter()
        .map(|i| get(&i, "message").as_string().expect("a message"))
        .collect()
}

async fn loaded(engine: &ThreadlineEngine) -> ConversationView {
    done(engine.open_conversation(open_options("tab"))).await;
    wait_for(engine, "the newest page", |v| v.messages.len() >= 50).await
}

// ----- the engine against the simulator -----

#[wasm_bindgen_test]
async fn opening_a_conversation_shows_its_messages_in_order() {
    reset().await;
    let engine = open("t-open").await;
    let notices = js_sys::Array::new();
    let collect = {
        let notices = notices.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |n: JsValue| {
            notices.push(&n);
        })
    };
    let unsubscribe = engine
        .subscribe(collect.as_ref().clone())
        .expect("a function");
    let v = loaded(&engine).await;
    assert!(v.has_more_history);
    assert!(v.messages.windows(2).all(|w| w[0].sent_at <= w[1].sent_at));
    assert!(v.messages.iter().all(is_sent));
    let notices: Vec<Notice> = notices
        .iter()
        .map(|n| serde_wasm_bindgen::from_value(n).expect("a Notice"))
        .collect();
    assert!(notices
        .iter()
        .any(|n| matches!(n, Notice::ConversationChanged { .. })));
    let status: StatusView =
        serde_wasm_bindgen::from_value(engine.status(ADA.into()).unwrap()).unwrap();
    assert_eq!(status.outbox_pending, 0);
    unsubscribe
        .unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::UNDEFINED)
        .unwrap();
    engine.close();
}

#[wasm_bindgen_test]
async fn a_send_shows_one_message_and_reaches_linkedin_once() {
    reset().await;
    let engine = open("t-send").await;
    loaded(&engine).await;
    let key = send(&engine, "engine says hello").await;
    // Resolved once the outbox entry is written: it shows at once.
    let now = view(&engine).unwrap();
    assert_eq!(with_text(&now, "engine says hello").len(), 1);
    let v = wait_for(&engine, "the send confirmed", |v| {
        with_text(v, "engine says hello").iter().any(|m| is_sent(m))
    })
    .await;
    let mine = with_text(&v, "engine says hello");
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].client_key.as_ref().map(|k| k.0.as_str()),
        Some(key.as_str())
    );
    assert_eq!(requests("send").await["applied"], 1);
    engine.close();
}

#[wasm_bindgen_test]
async fn a_500_after_the_send_applied_still_shows_one_message_sent_once() {
    reset().await;
    let engine = open("t-500").await;
    loaded(&engine).await;
    control(
        "POST",
        "/__sim/faults",
        Some(json!({"op": "send", "count": 1, "status": 500, "after": true})),
    )
    .await;
    send(&engine, "said once despite a 500").await;
    let v = wait_for(&engine, "the echo found", |v| {
        with_text(v, "said once despite a 500")
            .iter()
            .any(|m| is_sent(m))
    })
    .await;
    assert_eq!(with_text(&v, "said once despite a 500").len(), 1);
    // A few more polls: the entry never comes back as a second copy or a resend.
    sleep(1_000).await;
    let v = view(&engine).unwrap();
    assert_eq!(with_text(&v, "said once despite a 500").len(), 1);
    let sends = requests("send").await;
    assert_eq!(sends["total"], 1, "{sends}");
    assert_eq!(sends["applied"], 1, "{sends}");
    engine.close();
}

#[wasm_bindgen_test]
async fn a_recalled_message_is_gone_and_stays_gone_after_a_reopen() {
    reset().await;
    let engine = open("t-recall").await;
    loaded(&engine).await;
    send(&engine, "take this back").await;
    let v = wait_for(&engine, "the send confirmed", |v| {
        with_text(v, "take this back").iter().any(|m| is_sent(m))
    })
    .await;
    let urn = with_text(&v, "take this back")[0]
        .message_urn
        .clone()
        .unwrap();
    done(engine.recall(js(json!({
        "accountId": ADA,
        "conversationUrn": long_thread(),
        "messageUrn": urn,
    }))))
    .await;
    wait_for(&engine, "the recall", |v| {
        with_text(v, "take this back").is_empty()
    })
    .await;
    assert_eq!(requests("recall").await["total"], 1);
    engine.close();

    let again = open("t-recall").await;
    assert!(with_text(&view(&again).unwrap(), "take this back").is_empty());
    // Polled afresh: still gone.
    done(again.open_conversation(open_options("tab"))).await;
    sleep(1_000).await;
    assert!(with_text(&view(&again).unwrap(), "take this back").is_empty());
    again.close();
}

#[wasm_bindgen_test]
async fn command_promises_resolve_with_their_outcome_and_reject_with_a_failure() {
    reset().await;
    let engine = open("t-outcome").await;
    let opened = done(engine.open_conversation(open_options("tab"))).await;
    assert_eq!(get(&opened, "outcome").as_string().as_deref(), Some("done"));
    wait_for(&engine, "the newest page", |v| v.messages.len() >= 50).await;
    send(&engine, "react to me").await;
    let v = wait_for(&engine, "the send confirmed", |v| {
        with_text(v, "react to me").iter().any(|m| is_sent(m))
    })
    .await;
    let urn = with_text(&v, "react to me")[0].message_urn.clone().unwrap();
    let react = |add: bool| {
        js(json!({
            "accountId": ADA,
            "conversationUrn": long_thread(),
            "messageUrn": urn,
            "emoji": "👍",
            "add": add,
        }))
    };
    let reacted = done(engine.react(react(true))).await;
    assert_eq!(
        get(&reacted, "outcome").as_string().as_deref(),
        Some("reacted")
    );
    assert_eq!(get(&reacted, "add").as_bool(), Some(true));
    // LinkedIn refuses the next one: the Promise rejects with the failure.
    control(
        "POST",
        "/__sim/faults",
        Some(json!({"op": "react", "count": 1, "status": 400})),
    )
    .await;
    let e = rejected(engine.react(react(false))).await;
    assert_eq!(get(&e, "code").as_string().as_deref(), Some("bad_request"));
    assert_eq!(
        get(&get(&e, "failure"), "code").as_string().as_deref(),
        Some("bad_request")
    );
    // Named in another conversation: refused before any request.
    let elsewhere = js(json!({
        "accountId": ADA,
        "conversationUrn": "urn:li:messagingThread:2-elsewhere",
        "messageUrn": urn,
    }));
    let e = rejected(engine.recall(elsewhere)).await;
    assert_eq!(
        get(&e, "code").as_string().as_deref(),
        Some("not_in_conversation")
    );
    assert_eq!(requests("recall").await["total"], 0);
    engine.close();
}

#[wasm_bindgen_test]
async fn a_reopened_engine_shows_the_last_state_at_once() {
    reset().await;
    let engine = open("t-restore").await;
    let before = loaded(&engine).await;
    send(&engine, "remember me").await;
    wait_for(&engine, "the send confirmed", |v| {
        with_text(v, "remember me").iter().any(|m| is_sent(m))
    })
    .await;
    engine.close();
    let closed = rejected(engine.mark_read(js(json!({
        "accountId": ADA,
        "conversationUrn": long_thread(),
    }))))
    .await;
    assert_eq!(get(&closed, "code").as_string().as_deref(), Some("closed"));

    let again = open("t-restore").await;
    assert!(
        issue_messages(&again).is_empty(),
        "{:?}",
        issue_messages(&again)
    );
    let v = view(&again).expect("restored without a request");
    holds_each_once(&v, &before);
    assert_eq!(with_text(&v, "remember me").len(), 1);
    again.close();
}

#[wasm_bindgen_test]
async fn a_corrupt_snapshot_opens_empty_and_says_why() {
    reset().await;
    let store = AnyStore::from_option(storage_kind().into(), 5_000).unwrap();
    store
        .put(
            "t-corrupt:head",
            r#"{"v":1,"snapshot":0,"deltas":[],"next":0}"#,
        )
        .await
        .unwrap();
    store
        .put("t-corrupt:snapshot:0", "{not json")
        .await
        .unwrap();
    let engine = open("t-corrupt").await;
    let issues = issue_messages(&engine);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].contains("corrupt"), "{issues:?}");
    // And it works: the conversation loads.
    loaded(&engine).await;
    engine.close();

    // An unreadable index is reported too.
    store.put("t-corrupt2:head", "][").await.unwrap();
    let engine = open("t-corrupt2").await;
    assert_eq!(issue_messages(&engine).len(), 1);
    engine.close();
}

#[wasm_bindgen_test]
async fn local_refusals_reject_with_their_code_and_send_nothing() {
    reset().await;
    let engine = open("t-refuse").await;
    let empty = js(json!({"accountId": ADA, "conversationUrn": long_thread(), "text": " "}));
    let e = rejected(engine.send(empty)).await;
    assert_eq!(
        get(&e, "code").as_string().as_deref(),
        Some("empty_message")
    );
    assert_eq!(
        get(&get(&e, "refusal"), "code").as_string().as_deref(),
        Some("empty_message")
    );
    let bad = rejected(engine.open_conversation(js(json!({
        "view": "tab",
        "accountId": ADA,
        "conversationUrn": "urn:li:(",
    }))))
    .await;
    assert_eq!(get(&bad, "code").as_string().as_deref(), Some("bad_urn"));
    let nobody = js(json!({"accountId": ADA, "text": "to whom?"}));
    let e = rejected(engine.send(nobody)).await;
    assert_eq!(
        get(&e, "code").as_string().as_deref(),
        Some("invalid_argument")
    );
    assert_eq!(requests("send").await["total"], 0);
    engine.close();
}

#[wasm_bindgen_test]
async fn facts_broadcast_by_one_engine_merge_into_another() {
    reset().await;
    let a = open("t-fact-a").await;
    let b = open("t-fact-b").await;
    let facts = js_sys::Array::new();
    let collect = {
        let facts = facts.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |f: JsValue| {
            facts.push(&f);
        })
    };
    a.on_broadcast(collect.as_ref().clone())
        .expect("a function");
    loaded(&a).await;
    send(&a, "tell the other tab").await;
    wait_for(&a, "the send confirmed", |v| {
        with_text(v, "tell the other tab")
            .iter()
            .any(|m| is_sent(m))
    })
    .await;
    assert!(facts.length() > 0, "no fact broadcast");
    // The message known only from the send's answer is older than anything (an `i64::MIN`
    // stamp), which crosses as the most negative safe integer, a number that JSON carries.
    let stamps: Vec<f64> = facts
        .iter()
        .filter(|f| get(f, "kind").as_string().as_deref() == Some("messages"))
        .flat_map(|f| js_sys::Array::from(&get(&f, "messages")).to_vec())
        .filter_map(|m| get(&m, "stamp").as_f64())
        .collect();
    assert!(
        stamps.contains(&-9_007_199_254_740_991.0),
        "the answered message's stamp: {stamps:?}"
    );
    for f in facts.iter() {
        // Typed on the way out, and through JSON as a runtime port would carry it.
        let _: RemoteFact = serde_wasm_bindgen::from_value(f.clone()).expect("a RemoteFact");
        let copied =
            js_sys::JSON::parse(&js_sys::JSON::stringify(&f).unwrap().as_string().unwrap())
                .unwrap();
        done(b.apply_remote(copied)).await;
    }
    let v = view(&b).expect("the fact made the conversation known");
    assert_eq!(with_text(&v, "tell the other tab").len(), 1);
    a.close();
    b.close();
}

#[wasm_bindgen_test]
async fn a_server_event_brings_a_message_before_any_poll() {
    if !has_websocket() {
        // Node 20 has no WebSocket: the engine polls only (covered by the tests above).
        return;
    }
    pushed_before_any_poll("t-realtime", || {}).await;
}

/// A page whose `encodeURIComponent` throws while the socket connects: its URL's key is encoded
/// in Rust, so the socket still opens (the throw once unwound through the connecting task).
#[wasm_bindgen_test]
async fn a_page_whose_encode_uri_component_throws_still_gets_server_events() {
    if !has_websocket() {
        return;
    }
    let global = js_sys::global();
    let name = JsValue::from_str("encodeURIComponent");
    let saved = get(&global, "encodeURIComponent");
    let boom = js_sys::Function::new_no_args("throw new Error('page patch boom')");
    Reflect::set(&global, &name, &boom).unwrap();
    pushed_before_any_poll("t-realtime-patched", || {
        Reflect::set(&global, &name, &saved).unwrap();
    })
    .await;
}

/// Opens a realtime engine that would not poll for ten minutes, calls `opened` once its socket
/// had time to open, and waits for a message another client sends to arrive by the socket.
async fn pushed_before_any_poll(storage_key: &str, opened: impl FnOnce()) {
    reset().await;
    let mut o = options(storage_key, true);
    o["config"]["pollIntervalMs"] = json!(600_000);
    let engine = open_with(o).await;
    loaded(&engine).await;
    sleep(300).await; // the socket opens
    opened();
    // Someone else writes to the conversation.
    let resp = Request::post(&format!("{}/conversations/send", sim_url()))
        .header("Authorization", "Bearer dev")
        .header("Content-Type", "application/json")
        .body(
            json!({"message": "pushed, not polled", "conversationUrn": long_thread()}).to_string(),
        )
        .unwrap()
        .send()
        .await
        .unwrap();
    assert!(resp.ok());
    wait_for(&engine, "the pushed message", |v| {
        !with_text(v, "pushed, not polled").is_empty()
    })
    .await;
    engine.close();
}

// ----- IndexedDB -----

fn has_indexed_db() -> bool {
    get(&js_sys::global(), "indexedDB").is_object()
}

/// The codes of `restoreIssues()`.
fn issue_codes(engine: &ThreadlineEngine) -> Vec<String> {
    let list = js_sys::Array::from(&engine.restore_issues().expect("issues"));
    list.iter()
        .map(|i| get(&i, "code").as_string().expect("a code"))
        .collect()
}

/// A store an older build kept in localStorage (snapshot and deltas) moves into IndexedDB on
/// the first open with `migrateFrom`, its keys leave localStorage, and from then on the engine
/// restarts from IndexedDB alone. In Node (no IndexedDB) the option is refused clearly.
#[wasm_bindgen_test]
async fn a_local_storage_store_moves_into_indexed_db_and_restarts_from_there() {
    let mut idb = options("t-migrate", false);
    idb["storage"] = json!("indexedDB");
    idb["migrateFrom"] = json!("localStorage");
    if !has_indexed_db() {
        let e = ThreadlineEngine::open(js(idb))
            .await
            .expect_err("no IndexedDB in Node");
        assert_eq!(
            get(&e, "code").as_string().as_deref(),
            Some("storage_unavailable")
        );
        return;
    }
    reset().await;
    threadline::wasm::idb::IdbRecords::delete("threadline:t-migrate", 5_000)
        .await
        .expect("a fresh database");
    // Written as older builds did: the key-value layout in localStorage.
    let old = open("t-migrate").await;
    let before = loaded(&old).await;
    send(&old, "kept across the move").await;
    wait_for(&old, "the send confirmed", |v| {
        with_text(v, "kept across the move")
            .iter()
            .any(|m| is_sent(m))
    })
    .await;
    old.close();
    let ls: web_sys_storage::Storage = get(&js_sys::global(), "localStorage").unchecked_into();
    assert!(ls.get_item("t-migrate:head").unwrap().is_some());

    let moved = open_with(idb.clone()).await;
    assert_eq!(
        issue_codes(&moved),
        ["migrated_layout"],
        "{:?}",
        issue_messages(&moved)
    );
    // Opened lazily: the conversation is known, its messages are read when a view opens it,
    // and `openConversation` resolves once they were.
    let v = view(&moved).expect("the conversation is known at once");
    assert!(v.loading && v.messages.is_empty(), "{v:?}");
    done(moved.open_conversation(open_options("tab"))).await;
    let v = view(&moved).expect("read from IndexedDB");
    assert!(!v.loading);
    holds_each_once(&v, &before);
    assert_eq!(with_text(&v, "kept across the move").len(), 1);
    assert!(
        ls.get_item("t-migrate:head").unwrap().is_none(),
        "the old store is removed once the copy landed"
    );
    // Writes go to IndexedDB now.
    loaded(&moved).await;
    send(&moved, "written to IndexedDB").await;
    wait_for(&moved, "the second send confirmed", |v| {
        with_text(v, "written to IndexedDB")
            .iter()
            .any(|m| is_sent(m))
    })
    .await;
    moved.close();
    assert!(ls.get_item("t-migrate:head").unwrap().is_none());

    let again = open_with(idb).await;
    assert!(
        issue_codes(&again).is_empty(),
        "{:?}",
        issue_messages(&again)
    );
    done(again.open_conversation(open_options("tab"))).await;
    let v = view(&again).expect("restored");
    assert_eq!(with_text(&v, "kept across the move").len(), 1);
    assert_eq!(with_text(&v, "written to IndexedDB").len(), 1);
    holds_each_once(&v, &before);
    again.close();
}

/// Over IndexedDB the engine reopens with a window of the conversation list
/// (`conversationWindow`): the newest conversations, `conversationListHasMore`, and
/// `loadMoreConversations` pages the rest in until the list is the one before the reopen.
#[wasm_bindgen_test]
async fn an_indexed_db_engine_reopens_with_a_window_of_the_list_and_pages_the_rest_in() {
    if !has_indexed_db() {
        return;
    }
    reset().await;
    threadline::wasm::idb::IdbRecords::delete("threadline:t-window", 5_000)
        .await
        .expect("a fresh database");
    let mut idb = options("t-window", false);
    idb["storage"] = json!("indexedDB");
    idb["config"]["conversationWindow"] = json!(2);
    let ids = |e: &ThreadlineEngine| -> Vec<String> {
        let list = e.conversation_list(JsValue::from(ADA)).expect("a list");
        let list: js_sys::Array = list.unchecked_into();
        list.iter()
            .map(|c| get(&c, "id").as_string().expect("an id"))
            .collect()
    };
    let first = open_with(idb.clone()).await;
    done(first.refresh_conversations(js(json!({ "accountId": ADA })))).await;
    let whole = ids(&first);
    assert!(whole.len() > 4, "{whole:?}");
    assert!(!first
        .conversation_list_has_more(JsValue::from(ADA))
        .unwrap());
    let unread = first.unread_total(JsValue::from(ADA)).unwrap();
    first.close();

    let again = open_with(idb).await;
    assert_eq!(ids(&again), whole[..2], "the newest two");
    assert!(again
        .conversation_list_has_more(JsValue::from(ADA))
        .unwrap());
    assert_eq!(again.unread_total(JsValue::from(ADA)).unwrap(), unread);
    // Two calls at once (a double click): two pages, the second after the first.
    let (one, two) = (
        again.load_more_conversations(JsValue::from(ADA)),
        again.load_more_conversations(JsValue::from(ADA)),
    );
    done(one).await;
    done(two).await;
    assert_eq!(
        ids(&again),
        whole[..whole.len().min(6)],
        "two pages more, none twice"
    );
    let mut pages = 0;
    while again
        .conversation_list_has_more(JsValue::from(ADA))
        .unwrap()
    {
        done(again.load_more_conversations(JsValue::from(ADA))).await;
        let now = ids(&again);
        assert_eq!(now[..], whole[..now.len()], "always the start of the list");
        pages += 1;
        assert!(pages < 50);
    }
    assert_eq!(ids(&again), whole);
    assert!(pages > 1, "{pages} pages");
    // At the end, one more page reads nothing and resolves.
    done(again.load_more_conversations(JsValue::from(ADA))).await;
    assert_eq!(ids(&again), whole);
    again.close();
}

/// A move into IndexedDB that cannot be written (the store full: here a quota made small on
/// purpose, `quotaBytes`) is a restore issue, `migration_failed`, not only a console line: the
/// engine runs on the old store, which stays whole, and the next open with room moves it.
/// `deleteStore` removes the database.
#[wasm_bindgen_test]
async fn a_move_into_a_full_indexed_db_is_reported_and_the_old_store_kept() {
    if !has_indexed_db() {
        return;
    }
    reset().await;
    ThreadlineEngine::delete_store("t-migrate-full".into(), JsValue::UNDEFINED)
        .await
        .expect("a fresh database");
    let old = open("t-migrate-full").await;
    let before = loaded(&old).await;
    old.close();
    let ls: web_sys_storage::Storage = get(&js_sys::global(), "localStorage").unchecked_into();
    let head = ls.get_item("t-migrate-full:head").unwrap();
    assert!(head.is_some());

    let mut full = options("t-migrate-full", false);
    full["storage"] = json!("indexedDB");
    full["migrateFrom"] = json!("localStorage");
    full["quotaBytes"] = json!(100);
    let refused = open_with(full.clone()).await;
    assert_eq!(
        issue_codes(&refused),
        ["migration_failed"],
        "{:?}",
        issue_messages(&refused)
    );
    let issue = js_sys::Array::from(&refused.restore_issues().unwrap()).get(0);
    assert_eq!(get(&issue, "full").as_bool(), Some(true));
    assert!(get(&issue, "message")
        .as_string()
        .unwrap()
        .contains("QuotaExceededError"));
    let v = view(&refused).expect("restored from the old store");
    holds_each_once(&v, &before);
    refused.close();
    assert_eq!(
        ls.get_item("t-migrate-full:head").unwrap(),
        head,
        "the old store is whole"
    );

    full["quotaBytes"] = json!(null);
    let moved = open_with(full).await;
    assert_eq!(
        issue_codes(&moved),
        ["migrated_layout"],
        "{:?}",
        issue_messages(&moved)
    );
    // IndexedDB opens without the messages: the thread is read when a view opens it.
    done(moved.open_conversation(open_options("tab"))).await;
    holds_each_once(&view(&moved).expect("moved"), &before);
    moved.close();
    ThreadlineEngine::delete_store("t-migrate-full".into(), JsValue::UNDEFINED)
        .await
        .expect("deleted");
    let mut again = options("t-migrate-full", false);
    again["storage"] = json!("indexedDB");
    let empty = open_with(again).await;
    assert!(view(&empty).is_none(), "the database was deleted");
    empty.close();
}

// ----- the storage adapters -----

/// Snapshot, delta, snapshot through the log, read back in order, and old keys removed.
async fn log_round_trip(store: AnyStore, prefix: &str) -> Vec<String> {
    use threadline::sync::{Persist, Records};
    use threadline::wasm::storage::PersistLog;
    let records = |n: u64| Records {
        version: threadline::sync::STORE_VERSION,
        key_counter: n,
        accounts: Vec::new(),
    };
    let log = PersistLog::new(store, prefix);
    assert!(log.load().await.unwrap().snapshot.is_none());
    log.write(&Persist::Snapshot(records(1))).await.unwrap();
    log.write(&Persist::Delta(records(2))).await.unwrap();
    log.write(&Persist::Delta(records(3))).await.unwrap();
    let read = log.load().await.unwrap();
    let counter = |b: &[u8]| serde_json::from_slice::<Records>(b).unwrap().key_counter;
    assert_eq!(counter(read.snapshot.as_deref().unwrap()), 1);
    assert_eq!(
        read.deltas.iter().map(|d| counter(d)).collect::<Vec<_>>(),
        [2, 3]
    );
    log.write(&Persist::Snapshot(records(4))).await.unwrap();
    let read = log.load().await.unwrap();
    assert_eq!(counter(read.snapshot.as_deref().unwrap()), 4);
    assert!(read.deltas.is_empty() && read.issues.is_empty());
    read.issues.iter().map(|i| i.to_string()).collect()
}

#[wasm_bindgen_test]
async fn the_persist_log_round_trips_in_every_storage_here() {
    // localStorage in a browser, memory everywhere.
    if has_local_storage() {
        log_round_trip(
            AnyStore::from_option("localStorage".into(), 5_000).unwrap(),
            "t-log-ls",
        )
        .await;
        let ls: web_sys_storage::Storage = get(&js_sys::global(), "localStorage").unchecked_into();
        assert!(
            ls.get_item("t-log-ls:snapshot:0").unwrap().is_none(),
            "old snapshot removed"
        );
        assert!(
            ls.get_item("t-log-ls:delta:0").unwrap().is_none(),
            "old delta removed"
        );
        assert!(ls.get_item("t-log-ls:snapshot:1").unwrap().is_some());
    } else {
        assert!(AnyStore::from_option("localStorage".into(), 5_000).is_err());
    }
    log_round_trip(
        AnyStore::from_option("memory".into(), 5_000).unwrap(),
        "t-log-mem",
    )
    .await;
}

#[wasm_bindgen_test]
async fn an_adapter_object_stores_through_its_methods() {
    let map = js_sys::Map::new();
    let adapter = js_sys::Function::new_with_args(
        "map",
        "return { get: (k) => map.get(k), set: async (k, v) => { map.set(k, v); }, \
         remove: (k) => Promise.resolve(map.delete(k)) };",
    )
    .call1(&JsValue::UNDEFINED, &map)
    .unwrap();
    log_round_trip(AnyStore::from_option(adapter, 5_000).unwrap(), "t-log-js").await;
    let mut keys: Vec<String> = js_sys::Array::from(&map.keys())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    keys.sort();
    assert_eq!(keys, ["t-log-js:head", "t-log-js:snapshot:1"]);
    assert!(AnyStore::from_option(js(json!({"get": 1})), 5_000).is_err());
}

/// `chrome.storage.local` cannot be had outside an extension: this drives the adapter through a
/// small fake with the same Promise API (`get(key)` → `{key: value}`, `set(items)`,
/// `remove(key)`). The extension's end-to-end tests exercise the real one.
#[wasm_bindgen_test]
async fn the_chrome_storage_adapter_speaks_the_storage_local_promise_api() {
    let global = js_sys::global();
    let saved = get(&global, "chrome");
    let fake = js_sys::Function::new_no_args(
        "const m = new Map(); return { storage: { local: {
           get: async (k) => (m.has(k) ? { [k]: m.get(k) } : {}),
           set: async (items) => { for (const [k, v] of Object.entries(items)) m.set(k, v); },
           remove: async (k) => { m.delete(k); },
           _map: m } } };",
    )
    .call0(&JsValue::UNDEFINED)
    .unwrap();
    assert!(
        AnyStore::from_option("chromeStorage".into(), 5_000).is_err(),
        "no chrome.storage outside an extension"
    );
    Reflect::set(&global, &"chrome".into(), &fake).unwrap();
    let outcome = async {
        log_round_trip(
            AnyStore::from_option("chromeStorage".into(), 5_000).unwrap(),
            "t-log-cs",
        )
        .await;
        let map: js_sys::Map = get(&get(&get(&fake, "storage"), "local"), "_map").unchecked_into();
        map.size()
    }
    .await;
    Reflect::set(&global, &"chrome".into(), &saved).unwrap();
    assert_eq!(outcome, 2, "head and the live snapshot only");
}

#[wasm_bindgen_test]
async fn an_unknown_storage_or_bad_options_reject_clearly() {
    let mut o = options("t-bad", false);
    o["storage"] = json!("sessionStorage");
    let e = ThreadlineEngine::open(js(o)).await.expect_err("refused");
    assert_eq!(
        get(&e, "code").as_string().as_deref(),
        Some("storage_unavailable")
    );
    // `migrateFrom` moves a store into IndexedDB only.
    let mut o = options("t-bad", false);
    o["migrateFrom"] = json!("memory");
    let e = ThreadlineEngine::open(js(o)).await.expect_err("refused");
    assert_eq!(
        get(&e, "code").as_string().as_deref(),
        Some("invalid_options")
    );
    let mut o = options("t-bad", false);
    o["baseUrl"] = json!("ftp://nowhere");
    let e = ThreadlineEngine::open(js(o)).await.expect_err("refused");
    assert_eq!(get(&e, "name").as_string().as_deref(), Some("TypeError"));
}

mod web_sys_storage {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen]
    extern "C" {
        /// The `Storage` interface, just what the tests read.
        pub type Storage;
        #[wasm_bindgen(method, catch, js_name = getItem)]
        pub fn get_item(this: &Storage, key: &str) -> Result<Option<String>, JsValue>;
    }
}

#[wasm_bindgen_test]
async fn views_carry_eligibility_and_channels_and_urns_are_built_in_rust() {
    reset().await;
    // While the premium status cannot be read, the view says "not known": `null`, as typed.
    let fault = json!({"op": "premium", "status": 500, "count": 1000});
    control("POST", "/__sim/faults", Some(fault)).await;
    let blind = open("t-views-unknown").await;
    loaded(&blind).await;
    let raw = blind
        .conversation_view(ADA.into(), long_thread().into())
        .unwrap();
    assert!(get(&get(&raw, "channels"), "salesNavigator").is_null());
    blind.close();
    reset().await;
    let engine = open("t-views").await;
    loaded(&engine).await;
    // The premium status is read when the view opens; the view says what it found.
    let v = wait_for(&engine, "the premium status", |v| {
        v.channels.sales_navigator.is_some()
    })
    .await;
    assert_eq!(
        v.channels.sales_navigator,
        Some(true),
        "Ada has Sales Navigator"
    );
    for m in v.messages.iter().filter(|m| !m.is_sent_by_owner) {
        assert_eq!(m.recall, threadline::sync::RecallEligibility::NotOwn);
    }
    let url = format!("https://www.linkedin.com/messaging/thread/{LONG_THREAD}/");
    let held = engine
        .conversation_urn_of(ADA.into(), url.into())
        .expect("a thread URL");
    assert_eq!(held, v.urn);
    assert_eq!(
        engine
            .conversation_urn_of(ADA.into(), "2-bm90IGhlbGQ=".into())
            .expect("a bare id"),
        "urn:li:messagingThread:2-bm90IGhlbGQ="
    );
    let err = engine
        .conversation_urn_of(ADA.into(), "not a thread".into())
        .expect_err("junk is an error");
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("UrnError"));
    engine.close();
}

/// A message whose text holds an `i64` sentinel's digits, quotes, a backslash, U+2028 and
/// characters beyond ASCII, one beyond the BMP (the engine writes a new message's JSON by hand
/// and hands JS its text with those escaped; the view's own fields are what the sentinel check
/// reads): shown with that text, frozen, and the same object at the next read.
#[wasm_bindgen_test]
async fn a_message_with_a_sentinels_digits_and_escapes_is_shown_as_written() {
    reset().await;
    let engine = open("t-sentinel").await;
    loaded(&engine).await;
    let first = raw_messages(&engine);
    let text =
        "the id 9223372036854775807 \"quoted\" \\ line\u{2028}end caf\u{e9} \u{2019}\u{1F600}";
    send(&engine, text).await;
    let raw = engine
        .conversation_view(ADA.into(), long_thread().into())
        .unwrap();
    assert!(!get(&get(&raw, "channels"), "salesNavigator").is_undefined());
    let after = raw_messages(&engine);
    assert_eq!(after.len(), first.len() + 1);
    let sent: Vec<_> = after
        .iter()
        .filter(|(_, m)| get(m, "text").as_string().as_deref() == Some(text))
        .collect();
    assert_eq!(sent.len(), 1, "the message with the sentinel's digits");
    assert!(js_sys::Object::is_frozen(
        sent[0].1.unchecked_ref::<js_sys::Object>()
    ));
    for ((k1, a), (k2, b)) in after.iter().zip(&raw_messages(&engine)) {
        assert_eq!(k1, k2);
        assert!(js_sys::Object::is(a, b), "{k1} was built again");
    }
    let parsed = view(&engine).expect("the view");
    assert_eq!(with_text(&parsed, text).len(), 1);
    engine.close();
}

/// The raw message objects of the long thread's view, by message URN (`id` for outbox items
/// is absent: they are keyed by their text).
fn raw_messages(engine: &ThreadlineEngine) -> Vec<(String, JsValue)> {
    let v = engine
        .conversation_view(ADA.into(), long_thread().into())
        .expect("a readable URN");
    js_sys::Array::from(&get(&v, "messages"))
        .iter()
        .map(|m| {
            let key = get(&m, "id")
                .as_string()
                .unwrap_or_else(|| get(&m, "text").as_string().unwrap_or_default());
            (key, m)
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_view_read_again_reuses_its_unchanged_frozen_message_objects() {
    reset().await;
    let engine = open("t-memo").await;
    loaded(&engine).await;
    let first = raw_messages(&engine);
    assert!(first.len() >= 50);
    let again = raw_messages(&engine);
    assert_eq!(first.len(), again.len());
    for ((k1, a), (k2, b)) in first.iter().zip(&again) {
        assert_eq!(k1, k2);
        assert!(js_sys::Object::is(a, b), "{k1} was built again");
        assert!(js_sys::Object::is_frozen(
            a.unchecked_ref::<js_sys::Object>()
        ));
    }
    // A send adds one item and leaves the others as they were.
    send(&engine, "memo check").await;
    let after = raw_messages(&engine);
    assert_eq!(after.len(), first.len() + 1);
    let added = after.iter().filter(|(k, _)| k == "memo check").count();
    assert_eq!(added, 1);
    // Read again at once: every item, the sent one too (stored or still in the outbox), is
    // the same object.
    for ((k1, a), (k2, b)) in after.iter().zip(&raw_messages(&engine)) {
        assert_eq!(k1, k2);
        assert!(js_sys::Object::is(a, b), "{k1} was built again");
    }
    for (k, m) in &after {
        if let Some((_, old)) = first.iter().find(|(k0, _)| k0 == k) {
            assert!(js_sys::Object::is(old, m), "{k} was built again");
        }
    }
    // A reaction changes its message's object, and only that one: a message in the middle, so
    // the array is made of three runs (the last answer's before it, the new object, the last
    // answer's after it).
    let stored: Vec<_> = after.iter().filter(|(k, _)| k.starts_with("2-")).collect();
    let (target, before) = stored
        .get(stored.len() / 2)
        .copied()
        .cloned()
        .expect("a stored message");
    let react = js(json!({
        "accountId": ADA, "conversationUrn": long_thread(),
        "messageUrn": get(&before, "messageUrn").as_string(),
        "emoji": "👍", "add": true,
    }));
    let _ = JsFuture::from(engine.react(react)).await;
    let changed = raw_messages(&engine);
    let (_, now) = changed
        .iter()
        .find(|(k, _)| *k == target)
        .expect("still shown");
    assert!(
        !js_sys::Object::is(&before, now),
        "{target} kept a stale object"
    );
    assert!(js_sys::Array::from(&get(now, "reactions")).length() > 0);
    let rebuilt: Vec<&String> = changed
        .iter()
        .filter(|(k, m)| {
            after
                .iter()
                .find(|(k0, _)| k0 == k)
                .is_some_and(|(_, old)| !js_sys::Object::is(old, m))
        })
        .map(|(k, _)| k)
        .collect();
    assert_eq!(rebuilt, vec![&target], "only the reacted message is new");
    // Every item in its place (the sent one may have been confirmed since: keyed by its id
    // now, by its text before).
    let order = |v: &[(String, JsValue)], w: &[(String, JsValue)]| {
        v.iter()
            .map(|(k, _)| k.clone())
            .filter(|k| w.iter().any(|(k2, _)| k2 == k))
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&changed, &after), order(&after, &changed));
    assert!(order(&after, &changed).len() + 1 >= after.len());
    engine.close();
}

/// `locateMessages`: the conversation holding a message, from memory and, with IndexedDB, from
/// the store for a message synced before this engine opened (its conversation not read since:
/// `conversationOfMessage` cannot tell). An unknown message gives `[]`, an unreadable URN
/// rejects with `bad_urn`, a list that is not one of strings with a `TypeError`.
#[wasm_bindgen_test]
async fn located_messages_name_their_conversation_from_memory_and_from_the_store() {
    reset().await;
    let idb = has_indexed_db();
    let mut o = options("t-locate", false);
    if idb {
        threadline::wasm::idb::IdbRecords::delete("threadline:t-locate", 5_000)
            .await
            .expect("a fresh database");
        o["storage"] = json!("indexedDB");
    }
    let thread = ConversationId::parse(&long_thread()).expect("a thread");
    let of = |urns: JsValue| -> Vec<ConversationId> {
        js_sys::Array::from(&urns)
            .iter()
            .map(|u| ConversationId::parse(&u.as_string().expect("a URN")).expect("a thread"))
            .collect()
    };
    let engine = open_with(o.clone()).await;
    let v = loaded(&engine).await;
    let newest = v
        .messages
        .last()
        .and_then(|m| m.message_urn.clone())
        .expect("a message URN");
    let urns = |list: &[&str]| js(json!(list));
    let found = done(engine.locate_messages(ADA.into(), urns(&[&newest]))).await;
    assert_eq!(of(found), std::slice::from_ref(&thread));
    let unknown = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAnobody,2-nowhere)";
    let none = done(engine.locate_messages(ADA.into(), urns(&[unknown]))).await;
    assert!(of(none).is_empty());
    let bad = rejected(engine.locate_messages(ADA.into(), urns(&["not a urn"]))).await;
    assert_eq!(get(&bad, "code").as_string().as_deref(), Some("bad_urn"));
    let e = JsFuture::from(engine.locate_messages(ADA.into(), js(json!("2-abc"))))
        .await
        .expect_err("not a list");
    assert!(e.is_instance_of::<js_sys::TypeError>(), "{}", describe(&e));
    done(engine.close_view(js(json!({"view": "tab"})))).await;
    engine.close();
    if !idb {
        return;
    }
    // Reopened: nothing of the thread's messages in memory; the store knows the message.
    let again = open_with(o).await;
    assert!(again
        .conversation_of_message(ADA.into(), newest.clone().into())
        .expect("a readable URN")
        .is_undefined());
    let found = done(again.locate_messages(ADA.into(), urns(&[unknown, &newest]))).await;
    assert_eq!(of(found), [thread]);
    again.close();
}

/// The simulator's count of `op` requests once it stays put for 200 ms (at most 4 s): what an
/// engine just opened asks for itself has landed by then (an idle engine polls no list).
async fn settled_total(op: &str) -> Value {
    let mut before = requests(op).await["total"].clone();
    for _ in 0..20 {
        sleep(200).await;
        let now = requests(op).await["total"].clone();
        if now == before {
            break;
        }
        before = now;
    }
    before
}

/// `close` stops every later effect, a read whose request has not left yet too: one asked for
/// just before the close (its task waiting for the next turn, where it would be built and
/// handed to `fetch`) never reaches the simulator, and its command rejects with `closed`.
#[wasm_bindgen_test]
async fn a_request_asked_for_just_before_close_never_leaves() {
    reset().await;
    let engine = open("t-close-request").await;
    let before = settled_total("conversations").await;
    let asked = engine.refresh_conversations(js(json!({ "accountId": ADA })));
    // The command's step runs and its request's task is made (microtasks, no timer yet).
    for _ in 0..4 {
        JsFuture::from(Promise::resolve(&JsValue::NULL))
            .await
            .expect("a microtask");
    }
    engine.close();
    let e = rejected(asked).await;
    assert_eq!(get(&e, "code").as_string().as_deref(), Some("closed"));
    sleep(300).await;
    assert_eq!(
        requests("conversations").await["total"],
        before,
        "a closed engine sent a request"
    );
}

/// A read that failed with a 5xx waits before its retry; an engine closed during that wait
/// sends no retry (the client's transport shares `closed`: `reads_stopped`).
#[wasm_bindgen_test]
async fn a_read_failing_before_close_is_not_retried_after_it() {
    reset().await;
    let engine = open("t-close-retry").await;
    let before = settled_total("conversations").await.as_u64().unwrap_or(0);
    let fault = json!({"op": "conversations", "status": 503, "count": 5});
    control("POST", "/__sim/faults", Some(fault)).await;
    let asked = engine.refresh_conversations(js(json!({ "accountId": ADA })));
    // The first attempt lands (and fails); the client then waits 200-400 ms for its retry.
    let mut landed = before;
    for _ in 0..200 {
        landed = requests("conversations").await["total"]
            .as_u64()
            .unwrap_or(0);
        if landed > before {
            break;
        }
        sleep(10).await;
    }
    assert_eq!(landed, before + 1, "the first attempt never landed");
    engine.close();
    let e = rejected(asked).await;
    assert_eq!(get(&e, "code").as_string().as_deref(), Some("closed"));
    // Past the first retry's longest wait (400 ms) and the second's (800 ms).
    sleep(1_500).await;
    assert_eq!(
        requests("conversations").await["total"].as_u64(),
        Some(before + 1),
        "a closed engine retried a read"
    );
}
