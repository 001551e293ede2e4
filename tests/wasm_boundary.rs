//! The JS boundary (issue 12, items 2, 3, 4, 6, 7) in Node, headless Chromium and headless
//! Firefox: hostile values built by real JavaScript (throwing getters, Proxies, revoked
//! Proxies, cycles, 10,000-deep objects, self-causing errors) cross the exports and the
//! boundary helpers; each gives a clear `TypeError` or bounded text, and the module keeps
//! answering. The Node tests in `tests/boundary/` drive the same over the built package.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect};
use threadline::wasm::boundary::{
    checked_options, options_from_js, plain, text, OPTION_FLAGS, OPTION_STRINGS,
};
use threadline::wasm::error::{describe, DESCRIBE_MAX_CAUSES, DESCRIBE_MAX_CHARS};
use threadline::wasm::urn::message_id_js;
use threadline::wasm::ThreadlineClient;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const ID: &str = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";

/// Evaluates a JS expression (test code only; the product never evaluates strings).
fn eval(body: &str) -> JsValue {
    Function::new_no_args(&format!("return ({body});"))
        .call0(&JsValue::UNDEFINED)
        .expect("the test's JavaScript runs")
}

/// An object of `fields` (name, valid JS value) in their order, where `set` gives a field
/// another value or, with `None`, leaves it out.
fn object_of(fields: &[(&str, &str)], set: &[(&str, Option<&str>)]) -> JsValue {
    let mut body = String::from("{");
    for (name, good) in fields {
        let value = match set.iter().find(|(n, _)| n == name) {
            Some((_, v)) => *v,
            None => Some(*good),
        };
        if let Some(v) = value {
            body.push_str(&format!("{name}: {v},"));
        }
    }
    body.push('}');
    eval(&body)
}

fn is_type_error(e: &JsValue) -> bool {
    e.is_instance_of::<js_sys::TypeError>()
}

fn message(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
}

/// An error's message for comparing the boundary's readers with serde-wasm-bindgen's, a value
/// that is not a list where a list is read named alike: serde-wasm-bindgen's `deserialize_seq`
/// tries any non-array as an iterable (a `TypeError` of `Reflect.get` for a primitive, worded by
/// each browser), where the boundary takes an array only, else `invalid type: …, expected a
/// sequence` (so a function's own iterator never runs: tests/boundary/hostile.test.mjs).
fn refusal(e: &JsValue) -> String {
    const NOT_A_LIST: &str = "<not a list>";
    let mut m = message(e);
    // Chromium: "Reflect.get called on non-object"; Firefox: "`target` argument of Reflect.get
    // must be an object, got null".
    if let Some(a) = m
        .find("TypeError: ")
        .filter(|&a| m[a..].contains("Reflect.get"))
    {
        m = format!("{}{NOT_A_LIST}", &m[..a]);
    }
    let end = ", expected a sequence";
    match (m.find("Error: invalid type: "), m.find(end)) {
        (Some(a), Some(b)) if a < b => format!("{}{NOT_A_LIST}{}", &m[..a], &m[b + end.len()..]),
        _ => m,
    }
}

#[wasm_bindgen_test]
fn a_thousand_hostile_client_options_leak_nothing() {
    let hostile = [
        "Object.defineProperty({}, 'baseUrl', {enumerable: true, get() { throw new Error('boom'); }})",
        "new Proxy({}, {ownKeys() { throw new Error('trap'); }})",
        "(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()",
    ];
    for i in 0..1000 {
        let value = eval(hostile[i % hostile.len()]);
        let err = ThreadlineClient::new(value)
            .err()
            .expect("a hostile value is refused");
        assert!(is_type_error(&err), "{}", message(&err));
        assert!(message(&err).starts_with("options:"), "{}", message(&err));
    }
    assert_eq!(message_id_js(JsValue::from_str(ID)).unwrap(), ID);
}

#[wasm_bindgen_test]
fn cyclic_and_deep_values_are_refused_by_name() {
    let cyclic = eval("(() => { const o = {a: 1}; o.self = o; return o; })()");
    let e = plain("fact", &cyclic).unwrap_err();
    assert!(is_type_error(&e));
    assert!(message(&e).contains("cycle"), "{}", message(&e));
    let deep =
        eval("(() => { let v = {}; for (let i = 0; i < 10000; i++) v = {x: v}; return v; })()");
    let e = plain("fact", &deep).unwrap_err();
    assert!(
        message(&e).starts_with("fact: nested deeper"),
        "{}",
        message(&e)
    );
    // A shared (not cyclic) object is fine, and the copy is plain data.
    let shared = eval("(() => { const s = {n: 1}; return {a: s, b: [s, s]}; })()");
    let copy = plain("x", &shared).unwrap();
    let b = Reflect::get(&copy, &"b".into()).unwrap();
    assert_eq!(js_sys::Array::from(&b).length(), 2);
}

#[wasm_bindgen_test]
fn a_number_for_a_string_is_a_type_error_naming_it() {
    let e = message_id_js(JsValue::from_f64(42.0)).unwrap_err();
    assert!(is_type_error(&e));
    assert_eq!(message(&e), "input: must be a string, not number");
    let e = text("conversationUrn", &JsValue::from_f64(7.0)).unwrap_err();
    assert!(message(&e).starts_with("conversationUrn:"));
    assert_eq!(message_id_js(JsValue::from_str(ID)).unwrap(), ID);
}

#[wasm_bindgen_test]
fn describing_hostile_errors_is_bounded() {
    let cases = [
        "(() => { const e = new Error('self'); e.cause = e; return e; })()",
        "(() => { let e = new Error('root'); for (let i = 0; i < 100000; i++) e = new Error('l' + i, {cause: e}); return e; })()",
        "(() => { const e = new Error('x'); Object.defineProperty(e, 'message', {get() { throw new Error('no'); }}); return e; })()",
        "new Error('y'.repeat(3000000))",
        "(() => { const o = {}; o.o = o; return o; })()",
    ];
    let bound = (DESCRIBE_MAX_CAUSES + 2) * (DESCRIBE_MAX_CHARS + 16);
    for case in cases {
        let text = describe(&eval(case));
        assert!(!text.is_empty());
        assert!(
            text.chars().count() <= bound,
            "{} chars",
            text.chars().count()
        );
    }
}

#[wasm_bindgen_test]
async fn a_client_call_whose_api_key_never_comes_times_out() {
    let options = eval(
        "({baseUrl: 'http://127.0.0.1:9', apiKey: () => new Promise(() => {}), timeoutMs: 200})",
    );
    let client = ThreadlineClient::new(options).expect("a client");
    let outcome = JsFuture::from(client.list_accounts(None)).await;
    let e = outcome.expect_err("rejects");
    assert_eq!(
        Reflect::get(&e, &"code".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("unauthorized")
    );
    assert!(
        message(&e).contains("gave nothing in 200 ms"),
        "{}",
        message(&e)
    );
}

/// Every field any command options type has (the boundary's own lists), and one none has.
fn option_names() -> Vec<&'static str> {
    OPTION_STRINGS
        .iter()
        .chain(OPTION_FLAGS)
        .copied()
        .chain(["other"])
        .collect()
}

/// A field's values: absent, or each JS type, the nullish ones included.
const OPTION_VALUES: &[Option<&str>] = &[
    None,
    Some("undefined"),
    Some("null"),
    Some("'s'"),
    Some("''"),
    Some("true"),
    Some("false"),
    Some("1"),
];

/// The objects tried: every field valid, then each field (and each pair of fields) given each
/// value, so the order of two errors shows too.
fn option_objects() -> Vec<JsValue> {
    let valid = |name: &str| if name == "add" { "true" } else { "'x'" };
    let names = option_names();
    let fields: Vec<(&str, &str)> = names.iter().map(|n| (*n, valid(n))).collect();
    let object = |set: &[(&str, Option<&str>)]| object_of(&fields, set);
    let mut out = vec![object(&[]), eval("({})")];
    for (i, a) in names.iter().enumerate() {
        for va in OPTION_VALUES {
            out.push(object(&[(a, *va)]));
            for b in &names[i + 1..] {
                for vb in [None, Some("null"), Some("undefined")] {
                    out.push(object(&[(a, *va), (b, vb)]));
                }
            }
        }
    }
    out
}

/// `options_from_js` (the boundary's own field walk) gives each options type the same value or
/// the same error text as serde-wasm-bindgen's derived reader of the same type did.
macro_rules! same_as_serde {
    ($t:ty, |$o:ident| $show:expr) => {{
        let show = |r: Result<$t, JsValue>| match r {
            Ok($o) => format!("ok {:?}", $show),
            Err(e) => format!("err {}", refusal(&e)),
        };
        for value in option_objects() {
            let ours = options_from_js::<$t>("options", &value, OPTION_STRINGS, OPTION_FLAGS);
            let serde =
                checked_options("options", &value, OPTION_STRINGS, OPTION_FLAGS).and_then(|copy| {
                    serde_wasm_bindgen::from_value::<$t>(copy).map_err(|e| {
                        threadline::wasm::boundary::type_error("options", &e.to_string())
                    })
                });
            let input = js_sys::JSON::stringify(&value)
                .unwrap()
                .as_string()
                .unwrap();
            assert_eq!(show(ours), show(serde), "{} from {input}", stringify!($t));
        }
    }};
}

#[wasm_bindgen_test]
fn command_options_read_as_serde_read_them() {
    use threadline::wasm::*;
    same_as_serde!(OpenConversationOptions, |o| (
        o.view,
        o.account_id,
        o.conversation_urn
    ));
    same_as_serde!(CloseViewOptions, |o| o.view);
    same_as_serde!(ConversationOptions, |o| (o.account_id, o.conversation_urn));
    same_as_serde!(RefreshConversationsOptions, |o| (o.account_id, o.cursor));
    same_as_serde!(ReactOptions, |o| (
        o.account_id,
        o.message_urn,
        o.emoji,
        o.add,
        o.conversation_urn
    ));
    same_as_serde!(RecallOptions, |o| (
        o.account_id,
        o.message_urn,
        o.conversation_urn
    ));
    same_as_serde!(EntryOptions, |o| (o.account_id, o.client_key));
}

/// A fact of each kind, as JS object literals (field name, value), `kind` first.
const FACTS: &[&[(&str, &str)]] = &[
    &[
        ("kind", "'messages'"),
        ("account", "'acc'"),
        ("conversationUrn", "'urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-YWJj)'"),
        ("messages", "[{id: '2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=', conversation: '2-YWJj', messageUrn: 'urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)', text: 'hi', sentAt: 1700000000000, senderProfileId: 'ACoAAB', senderName: 'Ada', isSentByOwner: true, attachments: [{assetUrn: 'urn:li:digitalmediaAsset:1', byteSize: 10, mediaType: 'image/png', name: 'a.png', url: 'https://x/a.png'}], stamp: 5, tally: {stamp: 5, entries: [{emoji: 'x', count: 2, viewerReacted: true}]}, clientKey: 'ck-1'}]"),
    ],
    &[
        ("kind", "'tombstones'"),
        ("account", "'acc'"),
        ("ids", "['2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=']"),
        ("messages", "[]"),
    ],
    &[
        ("kind", "'reaction'"),
        ("account", "'acc'"),
        ("key", "{message: '2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=', actor: 'me', emoji: 'x'}"),
        ("fact", "{present: true, stamp: 7}"),
    ],
    &[
        ("kind", "'quota'"),
        ("account", "'acc'"),
        ("quota", "{day: 20000, keys: ['k1', 'k2']}"),
    ],
    &[
        ("kind", "'read'"),
        ("account", "'acc'"),
        ("conversation", "'2-YWJj'"),
        ("at", "1"),
    ],
];

/// `fact_from_js` (each field read by name) takes and refuses what serde's derived reader of
/// the kind's fields (`RemoteFact::read_kind`) does through serde-wasm-bindgen, with the same
/// error text: every field absent, `undefined`, `null` or of each other type, alone and in
/// pairs (the order of two errors), and an extra field.
#[wasm_bindgen_test]
fn facts_read_by_name_as_serde_read_them() {
    use serde::Deserialize;
    use threadline::sync::{RemoteFact, Tag};
    use threadline::wasm::boundary::{fact_from_js, type_error};
    let derived = |value: &JsValue| -> Result<RemoteFact, JsValue> {
        let copy = plain("fact", value)?;
        let wrong = |e: serde_wasm_bindgen::Error| type_error("fact", &e.to_string());
        let tag = Reflect::get(&copy, &"kind".into()).unwrap();
        let Tag(tag) =
            Tag::deserialize(serde_wasm_bindgen::Deserializer::from(tag)).map_err(wrong)?;
        RemoteFact::read_kind(&tag, serde_wasm_bindgen::Deserializer::from(copy)).map_err(wrong)
    };
    let show = |r: Result<RemoteFact, JsValue>| match r {
        Ok(f) => format!("ok {f:?}"),
        Err(e) => format!("err {}", refusal(&e)),
    };
    let odd = [
        "undefined",
        "null",
        "1",
        "1.5",
        "'s'",
        "true",
        "[]",
        "{}",
        "[1]",
    ];
    let mut tried = 0;
    for fact in FACTS {
        let with_extra: Vec<(&str, &str)> = fact.iter().copied().chain([("extra", "1")]).collect();
        let object = |set: &[(&str, Option<&str>)]| object_of(&with_extra, set);
        let mut cases = vec![object(&[])];
        let names: Vec<&str> = fact[1..].iter().map(|(n, _)| *n).chain(["extra"]).collect();
        for (i, a) in names.iter().enumerate() {
            for va in odd.iter().map(|v| Some(*v)).chain([None]) {
                cases.push(object(&[(a, va)]));
                for b in &names[i + 1..] {
                    for vb in [None, Some("null"), Some("1")] {
                        cases.push(object(&[(a, va), (b, vb)]));
                    }
                }
            }
        }
        for value in cases {
            let input = js_sys::JSON::stringify(&value)
                .unwrap()
                .as_string()
                .unwrap();
            assert_eq!(
                show(fact_from_js(&value)),
                show(derived(&value)),
                "from {input}"
            );
            tried += 1;
        }
    }
    assert!(tried > 300, "{tried}");
}

/// `fields_from_js` (each field read by name) gives the engine's and the client's options and
/// `send`'s command the same value or the same error text as their derived serde readers
/// through serde-wasm-bindgen (`from_js_keeping`): every field absent, `undefined`, `null` or
/// of each other type, alone and in pairs, and values that are not objects.
macro_rules! fields_as_serde {
    ($t:ty, $keep:expr, $fields:expr, |$o:ident| $show:expr) => {{
        use threadline::wasm::boundary::{fields_from_js, from_js_keeping};
        let show = |r: Result<$t, JsValue>| match r {
            Ok($o) => format!("ok {:?}", $show),
            Err(e) => format!("err {}", refusal(&e)),
        };
        let fields: &[(&str, &str)] = $fields;
        let with_extra: Vec<(&str, &str)> =
            fields.iter().copied().chain([("extra", "1")]).collect();
        let object = |set: &[(&str, Option<&str>)]| object_of(&with_extra, set);
        let odd = [
            "undefined",
            "null",
            "1",
            "1.5",
            "'s'",
            "true",
            "[]",
            "{}",
            "['a']",
            "[1]",
        ];
        let mut cases: Vec<JsValue> = [
            "null",
            "undefined",
            "1",
            "'s'",
            "true",
            "[]",
            "(() => 1)",
            "({})",
        ]
        .iter()
        .map(|v| eval(v))
        .collect();
        cases.push(object(&[]));
        for (i, (a, _)) in fields.iter().enumerate() {
            for va in odd.iter().map(|v| Some(*v)).chain([None]) {
                cases.push(object(&[(a, va)]));
                for (b, _) in &fields[i + 1..] {
                    for vb in [None, Some("null"), Some("1")] {
                        cases.push(object(&[(a, va), (b, vb)]));
                    }
                }
            }
        }
        for value in cases {
            let input = js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_else(|| format!("{value:?}"));
            assert_eq!(
                show(fields_from_js::<$t>("options", &value, $keep)),
                show(from_js_keeping::<$t>("options", &value, $keep)),
                "{} from {input}",
                stringify!($t)
            );
        }
    }};
}

#[wasm_bindgen_test]
fn argument_objects_read_by_name_as_serde_read_them() {
    use threadline::wasm::{SendCommand, ThreadlineClientOptions, ThreadlineEngineOptions};
    fields_as_serde!(
        ThreadlineEngineOptions,
        &["apiKey", "storage", "migrateFrom"],
        &[
            ("baseUrl", "'http://x'"),
            ("apiKey", "'k'"),
            ("storage", "'memory'"),
            ("migrateFrom", "'memory'"),
            ("storageKey", "'s'"),
            ("realtime", "false"),
            ("realtimeUrl", "'ws://x'"),
            ("timeoutMs", "100"),
            ("config", "{seed: 1}"),
            ("quotaBytes", "1000"),
        ],
        |o| (
            o.base_url,
            o.api_key,
            o.storage,
            o.migrate_from,
            o.storage_key,
            o.realtime,
            o.realtime_url,
            o.timeout_ms,
            o.config.map(|c| format!("{c:?}")),
            o.quota_bytes
        )
    );
    fields_as_serde!(
        ThreadlineClientOptions,
        &["apiKey"],
        &[
            ("baseUrl", "'http://x'"),
            ("apiKey", "'k'"),
            ("accountId", "'a'"),
            ("timeoutMs", "100"),
        ],
        |o| (o.base_url, o.api_key, o.account_id, o.timeout_ms)
    );
    fields_as_serde!(
        SendCommand,
        &[],
        &[
            ("accountId", "'a'"),
            ("conversationUrn", "'c'"),
            ("recipientProfileUrn", "'r'"),
            ("recipientProfileId", "'p'"),
            ("text", "'t'"),
            ("subject", "'s'"),
            ("channel", "'sales_navigator'"),
            ("attachments", "[{assetUrn: 'urn:li:digitalmediaAsset:1', byteSize: 10, mediaType: 'image/png', name: 'a.png', url: 'https://x/a.png'}]"),
            ("clientKey", "'k'"),
        ],
        |o| (
            o.account_id,
            o.conversation_urn,
            o.recipient_profile_urn,
            o.recipient_profile_id,
            o.text,
            o.subject,
            format!("{:?}", o.channel),
            format!("{:?}", o.attachments),
            o.client_key
        )
    );
}

/// The engine's tunables (`ThreadlineEngine.open`'s `config`, a `#[serde(default)]` container
/// whose defaults are not its fields' own) read by name as its derived serde reader reads them.
#[wasm_bindgen_test]
fn the_engine_config_reads_by_name_as_serde_reads_it() {
    use threadline::sync::EngineConfig;
    fields_as_serde!(
        EngineConfig,
        &[],
        &[
            ("seed", "1"),
            ("pollIntervalMs", "2"),
            ("echoSkewMs", "3"),
            ("echoSettleMs", "4"),
            ("defaultRetryAfterMs", "5"),
            ("dailyQuota", "6"),
            ("recallWindowMs", "7"),
            ("pageSize", "8"),
            ("snapshotEvery", "9"),
            ("storageRetryMs", "10"),
            ("residentClosed", "11"),
            ("conversationWindow", "12"),
        ],
        |o| format!("{o:?}")
    );
}

/// The client's queries and `send`'s request (`#[serde(default)]` containers, every field
/// optional) read by name as their derived serde readers read them.
#[wasm_bindgen_test]
fn client_arguments_read_by_name_as_serde_read_them() {
    use threadline::model::{
        ListConversationsQuery, MessagesQuery, RecentMessagesQuery, SendRequest,
    };
    fields_as_serde!(
        ListConversationsQuery,
        &[],
        &[
            ("accountId", "'a'"),
            ("linkedinAccountIds", "['a', 'b']"),
            ("count", "5"),
            ("nextCursor", "'c'"),
            ("labelId", "'l'"),
            ("labeledOnly", "true"),
            ("unreadOnly", "false"),
        ],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        RecentMessagesQuery,
        &[],
        &[
            ("accountId", "'a'"),
            ("nextCursor", "'c'"),
            ("count", "5"),
            ("keywords", "'k'"),
            ("read", "true"),
        ],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        MessagesQuery,
        &[],
        &[
            ("accountId", "'a'"),
            ("count", "5"),
            ("cursor", "'c'"),
            ("since", "1700000000000"),
            ("sync", "false"),
        ],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        SendRequest,
        &[],
        &[
            ("message", "'m'"),
            ("conversationUrn", "'c'"),
            ("recipientProfileUrn", "'r'"),
            ("recipientProfileId", "'p'"),
            ("subject", "'s'"),
            ("attachments", "[{file: {assetUrn: 'urn:li:digitalmediaAsset:1', byteSize: 10, mediaType: 'image/png', name: 'a.png', url: 'https://x/a.png'}}]"),
            ("messagingChannel", "'sales_navigator'"),
            ("accountId", "'a'"),
        ],
        |o| format!("{o:?}")
    );
}

/// The types inside a fact (`applyRemote`) and a send's attachments read by name
/// (`src/wasm/fact_fields.rs`) as their derived serde readers read them: each field absent,
/// `undefined`, `null` or of each other type, alone and in pairs, and values that are not
/// objects; a list of them through the facts' test above (`messages` of each odd value).
#[wasm_bindgen_test]
fn a_facts_nested_types_read_by_name_as_serde_reads_them() {
    use threadline::model::{Attachment, AttachmentRef, ReactionSummary};
    use threadline::sync::{QuotaUse, ReactionFact, ReactionKey, StoredMessage, Tally};
    const ATTACHMENT: &str = "{assetUrn: 'urn:li:digitalmediaAsset:1', byteSize: 10, mediaType: 'image/png', name: 'a.png', url: 'https://x/a.png'}";
    let attachments = format!("[{ATTACHMENT}]");
    fields_as_serde!(
        StoredMessage,
        &[],
        &[
            ("id", "'2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA='"),
            ("conversation", "'2-YWJj'"),
            ("messageUrn", "'urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)'"),
            ("text", "'hi'"),
            ("sentAt", "1700000000000"),
            ("senderProfileId", "'ACoAAB'"),
            ("senderName", "'Ada'"),
            ("isSentByOwner", "true"),
            ("attachments", &attachments),
            ("subject", "'s'"),
            ("stamp", "5"),
            ("tally", "{stamp: 5, entries: [{emoji: 'x', count: 2, viewerReacted: true}]}"),
            ("clientKey", "'ck-1'"),
        ],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        Tally,
        &[],
        &[
            ("stamp", "5"),
            ("entries", "[{emoji: 'x', count: 2, viewerReacted: true}]"),
        ],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        ReactionSummary,
        &[],
        &[("emoji", "'x'"), ("count", "2"), ("viewerReacted", "true")],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        Attachment,
        &[],
        &[
            ("assetUrn", "'urn:li:digitalmediaAsset:1'"),
            ("byteSize", "10"),
            ("mediaType", "'image/png'"),
            ("name", "'a.png'"),
            ("url", "'https://x/a.png'"),
        ],
        |o| format!("{o:?}")
    );
    fields_as_serde!(AttachmentRef, &[], &[("file", ATTACHMENT)], |o| format!(
        "{o:?}"
    ));
    for actor in ["'me'", "{profile: 'p'}"] {
        fields_as_serde!(
            ReactionKey,
            &[],
            &[
                ("message", "'2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA='"),
                ("actor", actor),
                ("emoji", "'x'"),
            ],
            |o| format!("{o:?}")
        );
    }
    fields_as_serde!(
        ReactionFact,
        &[],
        &[("present", "true"), ("stamp", "7")],
        |o| format!("{o:?}")
    );
    fields_as_serde!(
        QuotaUse,
        &[],
        &[("day", "20000"), ("keys", "['k1', 'k2']")],
        |o| format!("{o:?}")
    );
}

/// The attachments' and reactions' field readers (`lenient::string`, `count`, `size`, `flag`,
/// `opt_string` through serde-wasm-bindgen) read a value as serde_json's `Value` reads it,
/// without building one (`lenient::Scalar`): the same scalar and the same error text for odd
/// JS values, serde_json's `RawValue` marker key among them (an object whose first key is it
/// reads as the JSON text of its string). `src/wasm/fact_fields.rs` reads the plain copy with
/// `boundary::scalar`, checked here against `Scalar`'s serde-wasm-bindgen reader.
#[wasm_bindgen_test]
fn field_values_read_as_serde_jsons_value_reads_them() {
    use serde::Deserialize;
    use serde_json::Value;
    use threadline::model::lenient::{self, Scalar};
    use threadline::model::Attachment;
    let m = "'$serde_json::private::RawValue'";
    let values = [
        "undefined".to_owned(),
        "null".into(),
        "true".into(),
        "0".into(),
        "-0".into(),
        "1.5".into(),
        "2 ** 53 + 2".into(),
        "1e21".into(),
        "NaN".into(),
        "Infinity".into(),
        "-7".into(),
        "10n".into(),
        "2n ** 70n".into(),
        "-(2n ** 70n)".into(),
        "'s'".into(),
        "' 12 '".into(),
        "Symbol('x')".into(),
        "(() => 1)".into(),
        "[]".into(),
        "[1, [2, {a: 3}]]".into(),
        "[Symbol('x')]".into(),
        "{}".into(),
        "{a: 1, b: [null]}".into(),
        "{a: Symbol('x')}".into(),
        format!("{{[{m}]: '\"hi\"'}}"),
        format!("{{[{m}]: ' 12 '}}"),
        format!("{{[{m}]: '[1, 2]'}}"),
        format!("{{[{m}]: 5}}"),
        format!("{{[{m}]: null}}"),
        format!("{{[{m}]: true}}"),
        format!("{{[{m}]: 10n}}"),
        format!("{{[{m}]: {{}}}}"),
        format!("{{[{m}]: (() => 1)}}"),
        format!("{{[{m}]: Symbol('x')}}"),
        "[2n ** 70n]".into(),
        "{a: 1, b: -(2n ** 70n)}".into(),
        "{2: 'x', 1: (() => 1)}".into(),
        "new Uint8Array([1, 2])".into(),
        "new Map([[1, 2]])".into(),
        format!("{{[{m}]: 'nope'}}"),
        format!("{{[{m}]: '1', z: 2}}"),
        format!("{{z: 2, [{m}]: '1'}}"),
        format!("[{{[{m}]: 5}}]"),
        format!("{{a: {{[{m}]: 'x'}}}}"),
        format!(
            "{{[{m}]: '{{\"{}\": 3}}'}}",
            "$serde_json::private::RawValue"
        ),
    ];
    let swb = |v: &JsValue| serde_wasm_bindgen::Deserializer::from(v.clone());
    let text = |e: serde_wasm_bindgen::Error| e.to_string();
    let (mut ok, mut err) = (0, 0);
    for js in &values {
        let given = eval(js);
        // The reader `fact_fields` uses, on the plain copy it reads: as serde-wasm-bindgen's.
        let copy = plain("v", &given).expect("copied");
        assert_eq!(
            threadline::wasm::boundary::scalar(&copy).map_err(text),
            Scalar::deserialize(swb(&copy)).map_err(|e| nameless(&text(e))),
            "{js}"
        );
        for v in [given.clone(), copy] {
            let ours = Scalar::deserialize(swb(&v)).map_err(text);
            let value = Value::deserialize(swb(&v)).map(|v| Scalar::of_value(&v));
            let value = value.map_err(text);
            assert_eq!(ours, value, "{js}");
            ok += usize::from(value.is_ok());
            err += usize::from(value.is_err());
            let read = |v: &Value| lenient::read::string(Scalar::of_value(v));
            assert_eq!(
                lenient::string(swb(&v)).map_err(text),
                Value::deserialize(swb(&v)).map(|v| read(&v)).map_err(text),
                "{js}"
            );
        }
    }
    assert!(ok > 40 && err > 10, "{ok} {err}");
    // Through a fact's attachment, by name: the marker's text is the value.
    let attachment = eval(&format!(
        "{{assetUrn: {{[{m}]: '\"urn:li:digitalmediaAsset:1\"'}}, byteSize: {{[{m}]: '12'}}, \
         mediaType: 'image/png', name: 'a.png'}}"
    ));
    let read: Attachment =
        threadline::wasm::boundary::fields_from_js("a", &attachment, &[]).expect("reads");
    assert_eq!(
        (read.asset_urn.as_str(), read.byte_size),
        ("urn:li:digitalmediaAsset:1", 12)
    );
}

/// serde-wasm-bindgen's error text with each function's name left out (`JsValue(Function(kind))`
/// as `JsValue(Function)`), as the boundary writes it: it does not read a `name`, whose getter
/// may throw (`boundary::invalid`).
fn nameless(text: &str) -> String {
    const FUNCTION: &str = "JsValue(Function";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(FUNCTION) {
        let (before, after) = rest.split_at(at + FUNCTION.len());
        out.push_str(before);
        rest = match after
            .strip_prefix('(')
            .and_then(|a| a.find(')').map(|end| &a[end + 1..]))
        {
            Some(past_name) => past_name,
            None => after,
        };
    }
    out.push_str(rest);
    out
}

/// Every value kind the plain copy can hold, as JS expressions: nullish, booleans, numbers
/// (negative, fractional, past `u32` and the safe integers, not finite), `BigInt`s (past `i64`
/// and `u64`), strings (the enums' variant names, ids canonical and not), arrays, objects
/// (an enum's one-property form and others), a function and a symbol.
const LEAF_VALUES: &[&str] = &[
    "undefined",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1",
    "-1",
    "1.5",
    "4294967295",
    "4294967296",
    "9007199254740991",
    "9007199254740992",
    "-9007199254740991",
    "1e300",
    "NaN",
    "Infinity",
    "10n",
    "-10n",
    "2n ** 63n - 1n",
    "2n ** 63n",
    "2n ** 64n - 1n",
    "2n ** 64n",
    "-(2n ** 63n) - 1n",
    "''",
    "'s'",
    "'me'",
    "'profile'",
    "'Me'",
    "'auto'",
    "'sales_navigator'",
    "'linkedin_inbox'",
    "'salesNavigator'",
    "'2-YWJj'",
    "'2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA='",
    "'urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-YWJj)'",
    "'not an id'",
    "[]",
    "['me']",
    "[1, 2]",
    "({})",
    "({me: null})",
    "({me: undefined})",
    "({me: 1})",
    "({me: 'x'})",
    "({profile: 'p'})",
    "({profile: 1})",
    "({profile: null})",
    "({auto: null})",
    "({sales_navigator: 0})",
    "({linkedin_inbox: {}})",
    "({other: null})",
    "({me: null, profile: 'p'})",
    "(() => 1)",
    "Symbol('s')",
];

/// Each leaf type's boundary reader (`FromPlain`: the readers of `JsFields`, `read_items` and
/// the fact's fields) gives what the type's serde reader gives through serde-wasm-bindgen, the
/// same value or the same error text, over every kind of value the plain copy holds.
#[wasm_bindgen_test]
fn leaf_values_read_as_serde_wasm_bindgen_reads_them() {
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;
    use threadline::wasm::boundary::FromPlain;
    fn same<T: FromPlain + DeserializeOwned + Debug>(what: &str) -> usize {
        for input in LEAF_VALUES {
            let v = plain("v", &eval(input)).expect("a plain copy");
            let ours = T::from_plain(v.clone()).map_err(|e| e.to_string());
            let serde = T::deserialize(serde_wasm_bindgen::Deserializer::from(v))
                .map_err(|e| e.to_string());
            assert_eq!(
                format!("{ours:?}"),
                format!("{serde:?}"),
                "{what} from {input}"
            );
        }
        LEAF_VALUES.len()
    }
    use threadline::model::MessagingChannel;
    use threadline::sync::{AccountId, Actor, ClientKey, Millis, Stamp};
    use threadline::urn::{ConversationId, MessageId};
    let tried = same::<String>("String")
        + same::<bool>("bool")
        + same::<f64>("f64")
        + same::<u32>("u32")
        + same::<u64>("u64")
        + same::<usize>("usize")
        + same::<i64>("i64")
        + same::<Millis>("Millis")
        + same::<Stamp>("Stamp")
        + same::<AccountId>("AccountId")
        + same::<ClientKey>("ClientKey")
        + same::<MessageId>("MessageId")
        + same::<ConversationId>("ConversationId")
        + same::<Actor>("Actor")
        + same::<MessagingChannel>("MessagingChannel");
    assert!(tried > 700, "{tried}");
}

/// A fact's `kind` of each value kind: `fact_from_js` reads it as `Tag`'s serde reader does
/// through serde-wasm-bindgen (`expected variant identifier`, then `unknown variant`).
#[wasm_bindgen_test]
fn a_facts_kind_reads_as_tags_serde_reader_reads_it() {
    use serde::Deserialize;
    use threadline::sync::Tag;
    use threadline::wasm::boundary::fact_from_js;
    for input in LEAF_VALUES {
        let value = eval(&format!("{{kind: {input}, account: 'acc'}}"));
        let ours = fact_from_js(&value).map(|f| format!("{f:?}"));
        let copy = plain("fact", &value).unwrap();
        let tag = Reflect::get(&copy, &"kind".into()).unwrap();
        let serde = match Tag::deserialize(serde_wasm_bindgen::Deserializer::from(tag)) {
            Err(e) => format!("fact: {e}"),
            Ok(Tag(t)) => format!("kind {t}"),
        };
        match ours {
            Err(e) if !serde.starts_with("kind ") => {
                assert_eq!(message(&e), nameless(&serde), "kind {input}")
            }
            // A string: the kind's fields are read next (a missing field or an unknown kind).
            _ => assert!(serde.starts_with("kind "), "kind {input}: {serde}"),
        }
    }
}
