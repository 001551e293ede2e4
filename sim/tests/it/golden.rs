//! Golden checks: every answer decodes with the core's model types and re-encodes to the same JSON
//! (so the model holds every field the simulator sends), and the key sets match the seed pages'
//! examples in `tests/fixtures/` (ignoring keys whose seed value is null, allowing the documented
//! simulator extras).

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use threadline::model::*;

use crate::common::*;

fn fixture(name: &str) -> Value {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decode as `T` and check nothing is lost on the way back.
fn round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> T {
    let typed: T = serde_json::from_value(v.clone()).expect("decodes with the model type");
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        v,
        "the model holds every field"
    );
    typed
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .expect("an object")
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect()
}

/// The seed's non-null keys are all there, and nothing beyond them but `extras`.
fn same_keys(what: &str, seed: &Value, ours: &Value, extras: &[&str]) {
    let (seed, ours) = (keys(seed), keys(ours));
    let missing: Vec<_> = seed.difference(&ours).collect();
    assert!(missing.is_empty(), "{what}: missing {missing:?}");
    let unexpected: Vec<_> = ours
        .difference(&seed)
        .filter(|k| !extras.contains(&k.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "{what}: unexpected {unexpected:?}");
}

#[tokio::test]
async fn every_answer_decodes_with_the_model_and_re_encodes_unchanged() {
    let sim = Sim::start().await;
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::SHARED_THREAD_ID);
    let all = format!("linkedinAccountIds={}", ids::ACCOUNTS.join(","));
    let page: ConversationsPage = round_trip(&sim.get_ok(&format!("/conversations?{all}")).await);
    assert!(page.success && !page.conversations.is_empty());
    let recent: RecentMessagesPage =
        round_trip(&sim.get_ok("/messaging/recent-messages?count=100").await);
    assert_eq!(recent.total, Some(18));
    for c in &page.conversations {
        let path = format!(
            "/conversations/{}/messages?accountId={}",
            enc(&c.conversation_urn),
            c.account_id.as_deref().unwrap()
        );
        let _: MessagesPage = round_trip(&sim.get_ok(&path).await);
    }
    let sent: SendResponse = round_trip(&sim.reply(ids::ACCOUNT_ADA, &conv, "golden").await);
    let murn = sent.sent_message.unwrap().message_urn.unwrap();
    let react_path = format!(
        "/conversations/{}/messages/{}/react",
        enc(&conv),
        enc(&murn)
    );
    let _: ReactResponse = round_trip(
        &sim.post_ok(&react_path, json!({"emoji": "👍", "react": true}))
            .await,
    );
    let _: MessagesPage = round_trip(
        &sim.get_ok(&format!("/conversations/{}/messages", enc(&conv)))
            .await,
    );
    let del = sim
        .delete(&format!(
            "/conversations/{}/messages/{}",
            enc(&conv),
            enc(&murn)
        ))
        .await;
    let _: RecallResponse = round_trip(&del.json::<Value>().await.unwrap());
    let _: Vec<Account> = round_trip(&sim.get_ok("/accounts").await);
    let _: PremiumStatus = round_trip(
        &sim.get_ok(&format!("/account/{}/premium", ids::ACCOUNT_ADA))
            .await,
    );
    let up = sim
        .http
        .post(sim.url("/conversations/upload-attachment?filename=a.png"))
        .bearer_auth(KEY)
        .header("content-type", "image/png")
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    let _: UploadResponse = round_trip(&up.json::<Value>().await.unwrap());
    let err = sim.http.get(sim.url("/accounts")).send().await.unwrap();
    let body: ErrorBody = round_trip(&err.json::<Value>().await.unwrap());
    assert!(body.text().is_some());
}

#[tokio::test]
async fn field_names_match_the_seed_pages() {
    let sim = Sim::start().await;
    // recent-messages (seed 003): page, conversation, participant, latest message.
    let seed = fixture("seed_recent_messages_200.json");
    let ours = sim
        .get_ok("/messaging/recent-messages?keywords=linus")
        .await;
    same_keys("recent page", &seed, &ours, &["total", "nextCursor"]);
    let (sc, oc) = (&seed["conversations"][0], &ours["conversations"][0]);
    same_keys("recent conversation", sc, oc, &[]);
    same_keys(
        "recent participant",
        &sc["participants"][0],
        &oc["participants"][0],
        &[],
    );
    same_keys(
        "recent latestMessage",
        &sc["latestMessage"],
        &oc["latestMessage"],
        &[],
    );

    // messages (seed 001).
    let seed = fixture("seed_messages_200.json");
    let conv = tuple_conversation(ids::PROFILE_ADA, ids::LONG_THREAD_ID);
    let ours = sim
        .get_ok(&format!("/conversations/{}/messages?count=5", enc(&conv)))
        .await;
    same_keys("messages page", &seed, &ours, &[]);
    same_keys(
        "message",
        &seed["messages"][0],
        &ours["messages"][0],
        &["reactions", "subject"],
    );
    same_keys(
        "messages participant",
        &seed["participants"][0],
        &ours["participants"][0],
        &[],
    );

    // send (seed 002/004), through Sales Navigator so `threadId` is there.
    let seed = fixture("seed_send_200.json");
    let ours = sim
        .post_ok(
            "/conversations/send",
            json!({"conversationUrn": format!("urn:li:salesNav_thread:{}", ids::SALES_NAV_THREAD_ID),
                   "message": "keys"}),
        )
        .await;
    same_keys("send", &seed, &ours, &["conversationUrn", "accountId"]);
    let contract_sent = json!({"messageUrn": 1, "text": 1, "sentAt": 1, "senderProfileId": 1,
                               "senderName": 1, "senderPhoto": 1, "isSentByOwner": 1});
    same_keys("sentMessage", &contract_sent, &ours["sentMessage"], &[]);

    // react and recall (seeds 000 and the react page).
    let murn = ours["sentMessage"]["messageUrn"].as_str().unwrap();
    let sn = format!("urn:li:salesNav_thread:{}", ids::SALES_NAV_THREAD_ID);
    let path = format!("/conversations/{}/messages/{}", enc(&sn), enc(murn));
    let react = sim
        .post_ok(
            &format!("{path}/react"),
            json!({"emoji": "👍", "react": true}),
        )
        .await;
    same_keys("react", &fixture("seed_react_200.json"), &react, &[]);
    let recall: Value = sim.delete(&path).await.json().await.unwrap();
    same_keys("recall", &fixture("seed_recall_200.json"), &recall, &[]);

    // The two error shapes.
    let legacy: Value = sim
        .http
        .get(sim.url(&format!("/conversations/{}/messages", enc(&conv))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    same_keys(
        "legacy error",
        &fixture("seed_error_401.json"),
        &legacy,
        &[],
    );
    let coded: Value = sim
        .post(
            "/conversations/send",
            json!({"accountId": ids::ACCOUNT_GRACE, "recipientProfileId": ids::PUBLIC_ID_LINUS,
                   "message": "x", "messagingChannel": "sales_navigator"}),
        )
        .await
        .json()
        .await
        .unwrap();
    same_keys(
        "coded error",
        &fixture("reference_error_coded.json"),
        &coded,
        &[],
    );
    assert_eq!(coded["code"], "sales_navigator_unavailable");
}
