//! Feeds arbitrary bytes to every other decoder of outside input: an API answer of every type
//! (through `classify`, under a status picked by the first byte), stored records (through
//! `Engine::restore`), and facts from other tabs (through `RemoteFact::from_json`, then the
//! engine). The bounded version of this runs in `make test` (`tests/fuzz.rs`).
//!
//! Run: `cargo +nightly fuzz run outside_bytes` from the crate root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use threadline::api::{classify, HttpResponse};
use threadline::model::{
    Account, ConversationsPage, MessagesPage, PremiumStatus, ReactResponse, RecallResponse,
    RecentMessagesPage, SendResponse, UploadResponse,
};
use threadline::sync::{Engine, EngineConfig, Input, RemoteFact};

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    const STATUSES: &[u16] = &[200, 204, 400, 401, 404, 429, 500, 302];
    let resp = HttpResponse {
        status: STATUSES[usize::from(first) % STATUSES.len()],
        headers: Vec::new(),
        body: body.to_vec(),
    };
    let _ = classify::<ConversationsPage>(&resp);
    let _ = classify::<MessagesPage>(&resp);
    let _ = classify::<RecentMessagesPage>(&resp);
    let _ = classify::<SendResponse>(&resp);
    let _ = classify::<ReactResponse>(&resp);
    let _ = classify::<RecallResponse>(&resp);
    let _ = classify::<UploadResponse>(&resp);
    let _ = classify::<Vec<Account>>(&resp);
    let _ = classify::<PremiumStatus>(&resp);

    let (mut engine, _) = Engine::restore(EngineConfig::default(), Some(body), &[], 0);
    if let Ok(fact) = RemoteFact::from_json(body) {
        engine.handle(Input::Remote(fact), 1);
    }
    engine.handle(Input::Tick, 2);
});
