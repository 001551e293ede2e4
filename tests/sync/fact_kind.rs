//! Issue 15: the wasm binding reads a fact's `kind` first and then that kind's fields
//! (`RemoteFact::read_kind`) instead of serde's derived reader of the internally tagged enum,
//! which buffers every field. Here both read the same JSON values (the binding's way emulated
//! over `serde_json::Value`: an object, its `kind` property, then the whole object as the
//! fields): every kind, every field missing or of each other type, extra fields, nested
//! messages, attachments, tallies, reaction keys and quotas. They must take the same values to
//! the same facts and refuse the same values with the same message.

use serde::Deserialize;
use serde_json::{json, Value};
use threadline::sync::{RemoteFact, Tag, FACT_KINDS};

const ID: &str = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
const CONV: &str = "2-YWJj";

/// The binding's reading (src/wasm/boundary.rs `fact_from_js`), over a JSON value.
fn by_kind(v: &Value) -> Result<RemoteFact, String> {
    let Value::Object(map) = v else {
        return Err("not an object".into());
    };
    let kind = map.get("kind").ok_or("missing field `kind`")?;
    let Tag(kind) = Tag::deserialize(kind).map_err(|e| e.to_string())?;
    RemoteFact::read_kind(&kind, v).map_err(|e| e.to_string())
}

/// serde's derived reader.
fn derived(v: &Value) -> Result<RemoteFact, String> {
    RemoteFact::deserialize(v).map_err(|e| e.to_string())
}

fn message() -> Value {
    json!({
        "id": ID,
        "conversation": CONV,
        "messageUrn": format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,{ID})"),
        "text": "hello",
        "sentAt": 1_700_000_000_000_i64,
        "senderProfileId": "ACoAAB",
        "senderName": "Ada",
        "isSentByOwner": true,
        "attachments": [{"assetUrn": "urn:li:digitalmediaAsset:1", "byteSize": 10,
                         "mediaType": "image/png", "name": "a.png", "url": "https://x/a.png"}],
        "subject": "s",
        "stamp": 1_740_000_000_000_000_i64,
        "tally": {"stamp": 5, "entries": [{"emoji": "👍", "count": 2, "viewerReacted": true}]},
        "clientKey": "ck-1",
    })
}

fn facts() -> Vec<Value> {
    let conv_urn = format!("urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,{CONV})");
    vec![
        json!({"kind": "messages", "account": "acc", "conversationUrn": conv_urn,
               "messages": [message()]}),
        json!({"kind": "tombstones", "account": "acc", "ids": [ID], "messages": [message()]}),
        json!({"kind": "reaction", "account": "acc",
               "key": {"message": ID, "actor": "me", "emoji": "👍"},
               "fact": {"present": true, "stamp": 7}}),
        json!({"kind": "quota", "account": "acc", "quota": {"day": 20_000, "keys": ["k1", "k2"]}}),
        json!({"kind": "read", "account": "acc", "conversation": CONV, "at": 1}),
    ]
}

fn odd() -> Vec<Value> {
    vec![
        Value::Null,
        json!(5),
        json!(1.5),
        json!(-3),
        json!(u64::MAX),
        json!("x"),
        json!(""),
        json!(true),
        json!([]),
        json!([1]),
        json!({}),
        json!({"profile": "p"}),
    ]
}

/// Every variation of `base` at the object `at` (a JSON pointer): each field removed, each set to
/// each odd value, an extra field.
fn variations(base: &Value, at: &str, out: &mut Vec<Value>) {
    let fields: Vec<String> = base
        .pointer(at)
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    for f in fields {
        let mut v = base.clone();
        v.pointer_mut(at)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(&f);
        out.push(v);
        for o in odd() {
            let mut v = base.clone();
            v.pointer_mut(at).unwrap()[&f] = o;
            out.push(v);
        }
    }
    let mut v = base.clone();
    v.pointer_mut(at).unwrap()["extra"] = json!({"deep": [1, {"kind": "read"}]});
    out.push(v);
}

fn cases() -> Vec<Value> {
    let mut out = Vec::new();
    for base in facts() {
        out.push(base.clone());
        variations(&base, "", &mut out);
        for at in [
            "/messages/0",
            "/messages/0/attachments/0",
            "/messages/0/tally",
            "/messages/0/tally/entries/0",
            "/key",
            "/fact",
            "/quota",
        ] {
            if base.pointer(at).is_some() {
                variations(&base, at, &mut out);
            }
        }
        // Another kind's field, of a type that kind would refuse.
        let mut v = base.clone();
        v["at"] = json!("x");
        v["key"] = json!(1);
        v["quota"] = json!([]);
        out.push(v);
    }
    for kind in ["READ", "Read", "unknown", "", "messages "] {
        out.push(json!({"kind": kind, "account": "acc", "conversation": CONV, "at": 1}));
    }
    for actor in [
        json!({"profile": "p"}),
        json!("profile"),
        json!({"me": null}),
    ] {
        let mut v = facts()[2].clone();
        v["key"]["actor"] = actor;
        out.push(v);
    }
    out
}

#[test]
fn a_fact_read_kind_first_is_the_fact_the_derived_reader_reads() {
    let cases = cases();
    let (mut taken, mut refused) = (0, 0);
    for v in &cases {
        let (ours, theirs) = (by_kind(v), derived(v));
        assert_eq!(ours, theirs, "{v}");
        if ours.is_ok() {
            taken += 1;
        } else {
            refused += 1;
        }
    }
    // Both outcomes are exercised, many times over.
    assert!(
        taken > 50 && refused > 200,
        "{taken} taken, {refused} refused"
    );
}

#[test]
fn every_kind_reads_back_what_the_engine_writes() {
    for v in facts() {
        let fact = derived(&v).expect("a good fact");
        let written = serde_json::to_value(&fact).unwrap();
        assert_eq!(by_kind(&written), Ok(fact), "{written}");
    }
    assert_eq!(FACT_KINDS.len(), facts().len());
}

#[test]
fn an_unknown_kind_lists_every_kind() {
    let v = json!({"kind": "nope", "account": "acc"});
    let why = by_kind(&v).unwrap_err();
    assert_eq!(why, derived(&v).unwrap_err());
    assert!(
        FACT_KINDS.iter().all(|k| why.contains(&format!("`{k}`"))),
        "{why}"
    );
}
