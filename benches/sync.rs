//! How fast the reconciliation store takes a page and how fast a persisted engine comes back:
//! merging a 50-message page into stores of 10,000 and 100,000 messages (new messages, and the
//! same page again), restoring a 10,000-message snapshot, and the view of one of its
//! conversations (built, and written as JSON text).
//! Run: `cargo bench --bench sync` (short: `-- --warm-up-time 1 --measurement-time 3`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use threadline::model::{Message, ReactionSummary};
use threadline::sync::{AccountStore, Engine, EngineConfig, Persist, Stamp};
use threadline::urn::ConversationId;

const CONVERSATIONS: usize = 100;

fn message(n: usize, at: i64) -> Message {
    Message {
        message_urn: format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAAmailbox,2-m{n})"),
        text: format!("message number {n}, of a typical length for a chat line"),
        sent_at: at,
        sender_profile_id: Some("ACoAAother".into()),
        is_sent_by_owner: n % 3 == 0,
        reactions: if n % 10 == 0 {
            vec![ReactionSummary {
                emoji: "👍".into(),
                count: 2,
                viewer_reacted: true,
            }]
        } else {
            Vec::new()
        },
        ..Message::default()
    }
}

fn conv(i: usize) -> ConversationId {
    ConversationId::parse(&format!("2-t{i}")).expect("bare thread ids parse")
}

/// A store holding `n` messages spread over `CONVERSATIONS` conversations.
fn store_of(n: usize) -> AccountStore {
    let mut store = AccountStore::default();
    let per = n / CONVERSATIONS;
    for c in 0..CONVERSATIONS {
        let page: Vec<Message> = (0..per)
            .map(|k| message(c * per + k, 1_000_000 + k as i64 * 1_000))
            .collect();
        store.merge_page(
            &conv(c),
            &format!("urn:li:messagingThread:2-t{c}"),
            &page,
            Stamp::from_raw(1),
        );
    }
    assert_eq!(store.message_count(), n);
    store
}

fn bench_merge(c: &mut Criterion) {
    let mut group = c.benchmark_group("merge 50-message page");
    for n in [10_000usize, 100_000] {
        let base = store_of(n);
        let fresh: Vec<Message> = (0..50)
            .map(|k| message(10_000_000 + k, 9_000_000 + k as i64))
            .collect();
        group.bench_function(format!("new messages into {n}"), |b| {
            b.iter_batched(
                || base.clone(),
                |mut store| {
                    black_box(store.merge_page(
                        &conv(7),
                        "",
                        black_box(&fresh),
                        Stamp::from_raw(2),
                    ));
                    store
                },
                BatchSize::LargeInput,
            )
        });
        let per = n / CONVERSATIONS;
        let held: Vec<Message> = (0..50)
            .map(|k| message(7 * per + k, 1_000_000 + k as i64 * 1_000))
            .collect();
        let mut store = base.clone();
        group.bench_function(format!("same page again into {n}"), |b| {
            b.iter(|| {
                black_box(store.merge_page(&conv(7), "", black_box(&held), Stamp::from_raw(1)))
            })
        });
    }
    group.finish();
}

fn bench_restore(c: &mut Criterion) {
    let store_messages = store_of(10_000);
    // Build an engine holding those messages and take its snapshot as storage would hold it.
    let config = EngineConfig::default();
    let records = {
        let mut e = Engine::new(config.clone());
        let to = threadline::sync::Recipient::Conversation("urn:li:messagingThread:2-t0".into());
        let send = threadline::sync::Command::Send {
            account: Default::default(),
            to,
            text: "x".into(),
            subject: None,
            channel: Default::default(),
            attachments: Vec::new(),
            client_key: None,
        };
        let effects = e.handle(send.into(), 0);
        let Some(threadline::sync::Effect::Persist(Persist::Snapshot(mut snap))) =
            effects.into_iter().next()
        else {
            panic!("the first write is a snapshot")
        };
        let account = &mut snap.accounts[0];
        account.messages = (0..CONVERSATIONS)
            .flat_map(|c| {
                store_messages
                    .messages_in(&conv(c))
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .collect();
        snap
    };
    let bytes = serde_json::to_vec(&records).expect("serializes");
    // The view of one 100-message conversation of that engine: built, and built then written as
    // the JSON text the wasm binding hands to `JSON.parse` (src/wasm/driver.rs `to_js_via_json`).
    {
        let (engine, _) = Engine::restore(config.clone(), Some(&bytes), &[], 0);
        let (account, id) = (threadline::sync::AccountId::default(), conv(0));
        let shown = engine
            .conversation_view(&account, &id)
            .map_or(0, |v| v.messages.len());
        let mut group = c.benchmark_group("view");
        group.bench_function(format!("of a {shown}-message conversation"), |b| {
            b.iter(|| black_box(engine.conversation_view(black_box(&account), &id)))
        });
        group.bench_function(
            format!("of a {shown}-message conversation, as JSON text"),
            |b| {
                b.iter(|| {
                    let v = engine.conversation_view(black_box(&account), &id);
                    black_box(serde_json::to_string(&v).expect("serializes"))
                })
            },
        );
        group.finish();
    }
    let mut group = c.benchmark_group("restore");
    group.bench_function(
        format!("10,000-message snapshot ({} KiB JSON)", bytes.len() / 1024),
        |b| {
            b.iter(|| {
                let (engine, issues) =
                    Engine::restore(config.clone(), Some(black_box(&bytes)), &[], 0);
                assert!(issues.is_empty());
                black_box(engine)
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_merge, bench_restore);
criterion_main!(benches);
