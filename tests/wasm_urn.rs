//! The URN exports as JavaScript sees them, run by wasm-bindgen-test in Node, headless Chromium
//! and headless Firefox: results are plain data, failures are `Error`s named `UrnError` with a
//! stable `code` and the byte `offset`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Error, Reflect};
use threadline::wasm::urn::{
    conversation_id, encode_urn_for_path, is_sales_nav_thread, mailbox_of, message_id, message_ids,
    parse_urn, parsed_to_js, parsed_urn, profile_id,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const ID: &str = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";

fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).expect("readable property")
}

#[wasm_bindgen_test]
fn message_id_is_the_same_under_two_mailbox_prefixes_and_percent_encoding() {
    let a = format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAAA1,{ID})");
    let b = "urn%3Ali%3Amsg_message%3A%28urn%3Ali%3Afsd_profile%3AACoBBB2%2C2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA%3D%29";
    assert_eq!(message_id(&a).unwrap(), ID);
    assert_eq!(message_id(b).unwrap(), ID);
    assert_eq!(
        message_id(&format!("urn:li:messagingMessage:{ID}")).unwrap(),
        ID
    );
}

#[wasm_bindgen_test]
fn parse_urn_returns_plain_data_with_tuple_parts() {
    let parsed: JsValue = parse_urn(&format!(
        " urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAA1,{ID}) "
    ))
    .unwrap()
    .into();
    assert_eq!(field(&parsed, "namespace"), "li");
    assert_eq!(field(&parsed, "entityType"), "msg_conversation");
    let parts: js_sys::Array = field(&parsed, "parts").dyn_into().unwrap();
    assert_eq!(parts.length(), 2);
    assert_eq!(parts.get(0), "urn:li:fsd_profile:ACoAAA1");
    assert_eq!(parts.get(1), ID);
}

/// `parseUrn`'s object, set field by field, is the one serde-wasm-bindgen's serializer made of
/// the same `ParsedUrn` (its derived `Serialize`, the names tsify declares): the same keys in
/// the same order, the same strings, `parts` an array, a plain object.
#[wasm_bindgen_test]
fn parse_urn_gives_what_serde_wasm_bindgen_gave() {
    let inputs = [
        format!(" urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAA1,{ID}) "),
        format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAAA1,{ID})"),
        "urn:li:fs_miniProfile:ACoAAB".to_owned(),
        "urn%3Ali%3Afs_event%3A%281%2C2-a%2Bb%29".to_owned(),
        "urn:li:fs_event:(1,(2,urn:li:x:(3,4)),é)".to_owned(),
    ];
    for input in &inputs {
        let parsed = parsed_urn(input).expect("a URN");
        let ours = parsed_to_js(&parsed).unwrap();
        let theirs = serde_wasm_bindgen::to_value(&parsed).unwrap();
        let json = |v: &JsValue| js_sys::JSON::stringify(v).unwrap().as_string().unwrap();
        assert_eq!(json(&ours), json(&theirs), "{input}");
        let keys =
            |v: &JsValue| js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).join(",");
        assert_eq!(keys(&ours), keys(&theirs), "{input}");
        assert!(js_sys::Array::is_array(&field(&ours, "parts")));
        assert_eq!(
            js_sys::Object::get_prototype_of(&ours),
            js_sys::Object::get_prototype_of(&theirs)
        );
        let via_export: JsValue = parse_urn(input).unwrap().into();
        assert_eq!(json(&via_export), json(&theirs), "{input}");
    }
}

#[wasm_bindgen_test]
fn malformed_urn_throws_a_urn_error_with_code_and_offset() {
    let err: JsValue = message_id("urn:li:msg_message:(urn:li:fsd_profile:X,2-a")
        .unwrap_err()
        .into();
    let err: Error = err.dyn_into().expect("a real JS Error");
    assert_eq!(err.name(), "UrnError");
    assert_eq!(field(&err, "code"), "unbalanced");
    assert!(field(&err, "offset").as_f64().is_some());
}

#[wasm_bindgen_test]
fn a_conversation_is_not_taken_for_a_message() {
    let err: JsValue = message_id(&format!("urn:li:messagingThread:{ID}"))
        .unwrap_err()
        .into();
    assert_eq!(field(&err, "code"), "wrong_kind");
}

#[wasm_bindgen_test]
fn conversation_and_profile_ids_and_sales_nav_detection() {
    let url = format!("https://www.linkedin.com/messaging/thread/{ID}/");
    assert_eq!(
        conversation_id(&url).unwrap(),
        conversation_id(&format!("urn:li:fs_conversation:{ID}")).unwrap()
    );
    assert!(is_sales_nav_thread("urn:li:salesNav_thread:1-abc").unwrap());
    assert!(!is_sales_nav_thread(&url).unwrap());
    assert_eq!(
        profile_id("urn:li:msg_messagingParticipant:urn:li:fsd_profile:ACoAADSoo60BM6hx").unwrap(),
        profile_id("urn:li:fs_miniProfile:ACoAADSoo60BM6hx").unwrap()
    );
}

#[wasm_bindgen_test]
fn path_encoding_escapes_urn_punctuation_and_base64() {
    assert_eq!(
        encode_urn_for_path("urn:li:fs_event:(1,2-a+b/c=)"),
        "urn%3Ali%3Afs_event%3A%281%2C2-a%2Bb%2Fc%3D%29"
    );
}

#[wasm_bindgen_test]
fn batched_message_ids_give_null_for_bad_inputs() {
    let inputs = js_sys::Array::of2(
        &format!("urn:li:fsd_message:{ID}").into(),
        &"nonsense:(".into(),
    );
    let out = message_ids(inputs.into()).expect("an array");
    assert_eq!(out.get(0), ID);
    assert!(out.get(1).is_null());
}

#[wasm_bindgen_test]
fn batched_message_ids_answer_as_one_call_per_input() {
    // Strings only: the batch crosses as one joined text.
    let inputs = [
        format!("urn:li:fsd_message:{ID}"),
        format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAAB12_-x,{ID})"),
        format!("urn%3Ali%3Afsd_message%3A{ID}"),
        format!("  {ID}  "),
        "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,2-abc)".to_owned(),
        String::new(),
        "nonsense:(".to_owned(),
    ];
    let array = js_sys::Array::new();
    for s in &inputs {
        array.push(&s.into());
    }
    let out = message_ids(array.into()).expect("an array");
    assert_eq!(out.length() as usize, inputs.len());
    for (i, s) in inputs.iter().enumerate() {
        match message_id(s) {
            Ok(id) => assert_eq!(out.get(u32::try_from(i).unwrap()), id, "{s:?}"),
            Err(_) => assert!(out.get(u32::try_from(i).unwrap()).is_null(), "{s:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn batched_message_ids_read_odd_batches_element_by_element() {
    // A line break inside an element, a number and a null: read one by one, non-strings null.
    let array = js_sys::Array::new();
    array.push(&format!("urn:li:fsd_message:{ID}\n").into());
    array.push(&"a\nb".into());
    array.push(&JsValue::from_f64(5.0));
    array.push(&JsValue::NULL);
    array.push(&ID.into());
    let out = message_ids(array.into()).expect("an array");
    assert_eq!(out.length(), 5);
    assert_eq!(
        out.get(0),
        ID,
        "a trailing line break is trimmed, as one call does"
    );
    assert!(out.get(1).is_null() && out.get(2).is_null() && out.get(3).is_null());
    assert_eq!(out.get(4), ID);
    // Empty, and not an array at all.
    assert_eq!(
        message_ids(js_sys::Array::new().into())
            .expect("an array")
            .length(),
        0
    );
    assert!(message_ids("2-abc".into()).is_err());
}

#[wasm_bindgen_test]
fn mailbox_of_names_the_viewing_profile_of_a_page_message_urn() {
    let on_page = format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAADSoo60BM6hx,{ID})");
    assert_eq!(
        mailbox_of(&on_page).unwrap().as_deref(),
        Some("ACoAADSoo60BM6hx")
    );
    assert_eq!(
        mailbox_of(&format!("urn:li:messagingMessage:{ID}")).unwrap(),
        None
    );
    assert!(
        mailbox_of("urn:li:(").is_err(),
        "bad input is an error, not a guess"
    );
}

/// The wasm build asks the JavaScript engine it runs in whether a non-ASCII character is
/// alphanumeric and what a slug's lowercase is (`threadline::unicode`); core answers natively
/// and in this test. Every code point must get the same two answers from both, and so must
/// texts whose lowercase depends on their context (a final sigma).
#[wasm_bindgen_test]
fn the_hosts_unicode_answers_are_cores_for_every_code_point() {
    use threadline::unicode::{is_alphanumeric, to_lowercase};
    let mut differ = Vec::new();
    for c in (0u32..=0x10FFFF).filter_map(char::from_u32) {
        if is_alphanumeric(c) != c.is_alphanumeric() {
            differ.push(format!("is_alphanumeric U+{:04X}", c as u32));
        }
        if !c.is_ascii() {
            let one = c.to_string();
            if to_lowercase(&one) != Some(one.to_lowercase()) {
                differ.push(format!("to_lowercase U+{:04X}", c as u32));
            }
        }
    }
    for s in [
        "ΟΔΟΣ",
        "ΟΔΟΣ-Α",
        "aΣ",
        "Σ",
        "Σa",
        "ΑΣ.Σ",
        "İSTANBUL",
        "ǅǄǆ",
        "ΌΣΟΣ'Σ",
        "x\u{301}Σ",
    ] {
        if to_lowercase(s) != Some(s.to_lowercase()) {
            differ.push(format!("to_lowercase {s:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(20)]
    );
}
