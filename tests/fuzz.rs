//! Bounded fuzzing of every decoder that takes outside bytes, on stable Rust, in `make test`:
//! URNs and ids (from pages, URLs and answers), every API answer type through `classify`,
//! stored records through `Engine::restore`, and facts from other tabs through
//! `RemoteFact::from_json` and the engine. Inputs are random bytes, hostile shapes (deep
//! nesting, `%25` chains, huge strings) and mutations of real seeds, from a fixed seed so a
//! failure reproduces. `THREADLINE_FUZZ_CASES` sets the cases per target (default 1500);
//! `THREADLINE_FUZZ_SEED` another seed; `scripts/soak.sh` runs many more.
//!
//! What must hold: nothing panics (the wasm is `panic=abort`: a panic kills the module), error
//! offsets are char boundaries, error texts stay within their limit, and what a store accepts
//! holds only canonical ids.

use threadline::api::limits::MAX_ERROR_TEXT_BYTES;
use threadline::api::{classify, ApiError, HttpResponse};
use threadline::model::{
    Account, ConversationsPage, Message, MessagesPage, PremiumStatus, ReactResponse,
    RecallResponse, RecentMessagesPage, SendResponse, UploadResponse,
};
use threadline::sync::{
    AccountId, ApiReply, Command, Effect, Engine, EngineConfig, Input, Persist, RemoteFact,
    StoredMessage, ViewId,
};
use threadline::urn::{clean, ConversationId, MessageId, ProfileId, Urn};

fn cases() -> usize {
    std::env::var("THREADLINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

fn seed() -> u64 {
    std::env::var("THREADLINE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x7468_7265_6164)
}

/// splitmix64: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces that reach deep into the decoders when spliced in.
const TOKENS: &[&str] = &[
    "urn:li:",
    "urn:li:msg_message:(",
    "urn:li:fsd_profile:ACoAAB",
    "urn:li:messagingThread:",
    ",2-",
    "(",
    ")",
    ",",
    ":",
    "%",
    "%25",
    "%2525",
    "%28",
    "%C3",
    "%ZZ",
    "..",
    ".",
    "/",
    "salesNav:",
    "member:",
    "slug:",
    "https://www.linkedin.com/messaging/thread/",
    "https://www.linkedin.com/in/",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\u0000",
    "\\ud800",
    "null",
    "true",
    "-1",
    "1e999",
    "18446744073709551616",
    "\"kind\":\"messages\"",
    "\"version\":1",
    "é",
    "🙂",
    "\u{0}",
    " ",
];

/// One mutation of `input`: a flipped byte, a spliced token, a cut, a duplicated run, a long
/// repetition, or deep nesting.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = rng.pick(TOKENS).as_bytes().to_vec();
                out.splice(at..at, t);
            }
            2 => out.truncate(at),
            3 if !out.is_empty() => {
                let end = (at + rng.below(64)).min(out.len());
                let run = out[at.min(end)..end].to_vec();
                out.splice(at..at, run);
            }
            4 => {
                let t = rng.pick(TOKENS).repeat(1 + rng.below(3000));
                out.splice(at..at, t.into_bytes());
            }
            5 => {
                let depth = 1 + rng.below(5000);
                let open = if rng.below(2) == 0 { "[" } else { "{\"a\":" };
                let deep = open.repeat(depth);
                out.splice(at..at, deep.into_bytes());
            }
            6 => {
                let n = rng.below(32);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            7 if !out.is_empty() => {
                let end = (at + rng.below(32)).min(out.len());
                out.drain(at.min(end)..end);
            }
            _ => {}
        }
    }
    out
}

/// A random byte string, or a mutated seed.
fn input(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    if seeds.is_empty() || rng.below(5) == 0 {
        let n = rng.below(256);
        return (0..n).map(|_| rng.next() as u8).collect();
    }
    let seed = rng.pick(seeds).clone();
    mutate(rng, &seed)
}

/// Error offsets are char boundaries of what the failing step read: the input as given, or
/// (grammar, kind and length errors) the cleaned input (see `urn`'s module doc).
fn check_urn_error(input: &str, e: &threadline::urn::UrnError) {
    let in_input = input.is_char_boundary(e.offset);
    let in_cleaned = clean(input).is_ok_and(|c| c.is_char_boundary(e.offset));
    assert!(in_input || in_cleaned, "{input:?}: {e:?}");
}

#[test]
fn urn_and_id_parsers_survive_any_input() {
    let seeds: Vec<Vec<u8>> = [
        "urn:li:msg_message:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)",
        "urn%3Ali%3Amsg_conversation%3A%28urn%3Ali%3Afsd_profile%3AACoAAB%2C2-YWJj%29",
        "urn%253Ali%253AmessagingThread%253A2-abc",
        "https://www.linkedin.com/messaging/thread/2-ODFk/?trk=x",
        "https://www.linkedin.com/in/john-doe-123/",
        "urn:li:msg_messagingParticipant:urn:li:fsd_profile:ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU",
        "salesNav:abc",
        "member:883467181",
        "2-abc==",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let mut rng = Rng(seed());
    for _ in 0..cases() {
        let bytes = input(&mut rng, &seeds);
        let s = String::from_utf8_lossy(&bytes);
        match clean(&s) {
            Ok(c) => assert!(!c.contains('%') || c.len() <= s.len(), "{s:?}"),
            Err(e) => check_urn_error(&s, &e),
        }
        if let Err(e) = Urn::parse(&s) {
            check_urn_error(&s, &e);
        }
        // Whatever parses is canonical: it reads back as itself, and as a stored id.
        match MessageId::parse(&s) {
            Ok(id) => assert_eq!(MessageId::from_canonical(id.as_str()), Ok(id)),
            Err(e) => check_urn_error(&s, &e),
        }
        match ConversationId::parse(&s) {
            Ok(id) => assert_eq!(ConversationId::from_canonical(id.as_str()), Ok(id)),
            Err(e) => check_urn_error(&s, &e),
        }
        match ProfileId::parse(&s) {
            Ok(id) => assert_eq!(ProfileId::from_canonical(id.as_str()), Ok(id)),
            Err(e) => check_urn_error(&s, &e),
        }
        if let Ok(id) = ProfileId::from_slug(&s) {
            assert_eq!(ProfileId::from_canonical(id.as_str()), Ok(id));
        }
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(path).expect("fixture")
}

/// Classifies `resp` as `T` and checks the error's texts are within their limit.
fn classify_as<T: threadline::model::Answer>(resp: &HttpResponse) {
    if let Err(e) = classify::<T>(resp) {
        check_error_text(&e);
    }
}

fn check_error_text(e: &ApiError) {
    let (code, message) = match e {
        ApiError::BadRequest { code, message, .. } => (code.as_deref(), message.as_str()),
        ApiError::Unauthorized { message }
        | ApiError::Forbidden { message }
        | ApiError::NotFound { message }
        | ApiError::RateLimited { message, .. }
        | ApiError::Server { message, .. }
        | ApiError::Network { message }
        | ApiError::Malformed { message, .. } => (None, message.as_str()),
        ApiError::Timeout { .. } => (None, ""),
    };
    assert!(message.len() <= MAX_ERROR_TEXT_BYTES, "{}", message.len());
    assert!(code.is_none_or(|c| c.len() <= MAX_ERROR_TEXT_BYTES));
}

#[test]
fn every_answer_type_classifies_any_body_without_panicking() {
    let seeds: Vec<Vec<u8>> = [
        "seed_messages_200.json",
        "seed_recent_messages_200.json",
        "seed_send_200.json",
        "seed_react_200.json",
        "seed_recall_200.json",
        "seed_error_401.json",
        "seed_error_500.json",
        "seed_error_legacy.json",
        "reference_error_coded.json",
    ]
    .iter()
    .map(|n| fixture(n))
    .chain([
        br#"{"conversations":[{"conversationUrn":"urn:li:messagingThread:2-a","participants":[]}],"hasMore":false}"#.to_vec(),
        br#"[{"id":"acc_1","firstName":"A","lastName":"B","status":"AVAILABLE","enabled":true}]"#.to_vec(),
        br#"{"accountId":"a","isPremium":true,"hasSalesNavigator":true}"#.to_vec(),
        br#"{"attachment":{"assetUrn":"urn:li:digitalmediaAsset:x","byteSize":3,"mediaType":"image/png","name":"a.png"}}"#.to_vec(),
        b"<html><title>502 Bad Gateway</title></html>".to_vec(),
    ])
    .collect();
    const STATUSES: &[u16] = &[
        200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 503, 0, 999,
    ];
    let mut rng = Rng(seed() ^ 1);
    for _ in 0..cases() {
        let body = input(&mut rng, &seeds);
        let mut headers = Vec::new();
        if rng.below(3) == 0 {
            let value = String::from_utf8_lossy(&input(&mut rng, &[b"30".to_vec()])).to_string();
            headers.push(("Retry-After".to_string(), value));
        }
        let resp = HttpResponse {
            status: *rng.pick(STATUSES),
            headers,
            body,
        };
        classify_as::<ConversationsPage>(&resp);
        classify_as::<MessagesPage>(&resp);
        classify_as::<RecentMessagesPage>(&resp);
        classify_as::<SendResponse>(&resp);
        classify_as::<ReactResponse>(&resp);
        classify_as::<RecallResponse>(&resp);
        classify_as::<UploadResponse>(&resp);
        classify_as::<Vec<Account>>(&resp);
        classify_as::<PremiumStatus>(&resp);
    }
}

/// An engine holding one conversation with two messages, and the JSON of its snapshot.
fn populated() -> (Engine, Vec<u8>) {
    let conv = "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-YWJj)";
    let mut engine = Engine::new(EngineConfig::default());
    let account = AccountId("acc_1".into());
    let now = 1_700_000_000_000;
    let effects = engine.handle(
        Input::Command(Command::OpenConversation {
            view: ViewId("v".into()),
            account: account.clone(),
            conversation_urn: conv.into(),
        }),
        now,
    );
    let page = MessagesPage {
        messages: vec![
            Message {
                message_urn: "urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,2-MTE=)".into(),
                text: "hello".into(),
                sent_at: now - 10,
                ..Default::default()
            },
            Message {
                message_urn: "urn:li:messagingMessage:2-MTI=".into(),
                text: "world 🙂".into(),
                sent_at: now - 5,
                is_sent_by_owner: true,
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    for e in effects {
        if let Effect::Request(r) = e {
            engine.handle(
                Input::Answer {
                    id: r.id,
                    result: Ok(ApiReply::Messages(page.clone())),
                },
                now + 1,
            );
        }
    }
    let snapshot = serde_json::to_vec(&engine.snapshot()).unwrap();
    (engine, snapshot)
}

/// Every id a store holds is canonical (what `from_canonical` accepts).
fn check_store_ids(engine: &Engine) {
    let snapshot = engine.snapshot();
    for a in &snapshot.accounts {
        for m in &a.messages {
            assert_eq!(MessageId::from_canonical(m.id.as_str()).as_ref(), Ok(&m.id));
            assert!(ConversationId::from_canonical(m.conversation.as_str()).is_ok());
        }
        for id in &a.tombstones {
            assert!(MessageId::from_canonical(id.as_str()).is_ok());
        }
    }
}

#[test]
fn stored_records_restore_or_are_dropped_with_a_reason_never_a_panic() {
    let (_, snapshot) = populated();
    assert!(snapshot.len() > 100, "the seed holds records");
    let seeds = vec![snapshot.clone()];
    let mut rng = Rng(seed() ^ 2);
    for _ in 0..cases() {
        let snap = input(&mut rng, &seeds);
        let deltas: Vec<Vec<u8>> = (0..rng.below(3)).map(|_| input(&mut rng, &seeds)).collect();
        let (mut engine, _issues) = Engine::restore(
            EngineConfig::default(),
            Some(&snap),
            &deltas,
            1_700_000_000_000,
        );
        check_store_ids(&engine);
        engine.handle(Input::Tick, 1_700_000_001_000);
    }
}

#[test]
fn facts_from_other_tabs_are_checked_before_anything_is_merged() {
    let (engine, _) = populated();
    let snapshot = engine.snapshot();
    let messages: Vec<StoredMessage> = snapshot.accounts[0].messages.clone();
    let facts = [
        RemoteFact::Messages {
            account: AccountId("acc_1".into()),
            conversation_urn: "urn:li:messagingThread:2-YWJj".into(),
            messages: messages.clone(),
        },
        RemoteFact::Tombstones {
            account: AccountId("acc_1".into()),
            ids: messages.iter().map(|m| m.id.clone()).collect(),
            messages: messages.clone(),
        },
    ];
    let seeds: Vec<Vec<u8>> = facts
        .iter()
        .map(|f| serde_json::to_vec(f).unwrap())
        .chain([
            br#"{"kind":"reaction","account":"acc_1","key":{"message":"2-MTE=","actor":"me","emoji":"x"},"fact":{"present":true,"stamp":5}}"#.to_vec(),
            br#"{"kind":"read","account":"acc_1","conversation":"2-YWJj","at":5}"#.to_vec(),
            br#"{"kind":"quota","account":"acc_1","quota":{"day":1,"keys":["k1"]}}"#.to_vec(),
        ])
        .collect();
    for s in &seeds {
        assert!(
            RemoteFact::from_json(s).is_ok(),
            "{}",
            String::from_utf8_lossy(s)
        );
    }
    let mut rng = Rng(seed() ^ 3);
    let mut engine = engine;
    for i in 0..cases() {
        let bytes = input(&mut rng, &seeds);
        if let Ok(fact) = RemoteFact::from_json(&bytes) {
            let effects = engine.handle(Input::Remote(fact), 1_700_000_002_000 + i as i64);
            for e in effects {
                if let Effect::Persist(Persist::Snapshot(r) | Persist::Delta(r)) = e {
                    // What is persisted restores.
                    let json = serde_json::to_vec(&r).unwrap();
                    let (_, issues) = Engine::restore(EngineConfig::default(), Some(&json), &[], 0);
                    assert!(issues.is_empty(), "{issues:?}");
                }
            }
        }
    }
    check_store_ids(&engine);
}
