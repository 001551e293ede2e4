//! The URN functions as JavaScript exports: `parseUrn`, `messageId`, `conversationId`, `profileId`,
//! `isSalesNavThread`, `encodeUrnForPath`, `mailboxOf`. Each cleans its input first (trim, percent-decoding).

use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::boundary::{plain, text, type_error};
use super::error::internal_error;
use crate::urn::{self, ConversationId, MessageId, Part, ProfileId, Urn, UrnError};

/// A parsed URN as plain data.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ParsedUrn {
    /// Canonical form of the whole URN.
    pub urn: String,
    pub namespace: String,
    pub entity_type: String,
    /// The key as written after the entity type (a tuple keeps its parentheses).
    pub key: String,
    /// The tuple parts at depth one, or the key alone when it is not a tuple.
    pub parts: Vec<String>,
}

fn render(part: &Part) -> String {
    match part {
        Part::Text(s) => s.clone(),
        Part::Urn(u) => u.to_string(),
        Part::Tuple(parts) => {
            format!(
                "({})",
                parts.iter().map(render).collect::<Vec<_>>().join(",")
            )
        }
    }
}

/// Parse a URN (after trimming and percent-decoding) into its parts.
pub fn parse_urn(input: &str) -> Result<Ts<ParsedUrn>, JsValue> {
    let parsed = Urn::parse(&urn::clean(input)?)?;
    let parts = match parsed.key() {
        Part::Tuple(parts) => parts.iter().map(render).collect(),
        other => vec![render(other)],
    };
    let parsed = ParsedUrn {
        urn: parsed.to_string(),
        namespace: parsed.namespace().to_owned(),
        entity_type: parsed.entity_type().to_owned(),
        key: render(parsed.key()),
        parts,
    };
    parsed.into_ts().map_err(|e| internal_error(&e.to_string()))
}

/// The canonical message id (`2-…`) of any message URN form, URL or bare id.
pub fn message_id(input: &str) -> Result<String, UrnError> {
    Ok(MessageId::parse(input)?.as_str().to_owned())
}

/// The canonical conversation id of any conversation URN form, thread URL or bare id.
pub fn conversation_id(input: &str) -> Result<String, UrnError> {
    Ok(ConversationId::parse(input)?.as_str().to_owned())
}

/// The canonical profile id of any profile URN form, profile URL or bare id.
pub fn profile_id(input: &str) -> Result<String, UrnError> {
    Ok(ProfileId::parse(input)?.as_str().to_owned())
}

/// The profile id of the mailbox a message or conversation URN is filed under, or `None` for a
/// form that names none.
pub fn mailbox_of(input: &str) -> Result<Option<String>, UrnError> {
    Ok(urn::mailbox_of(input)?.map(|p| p.as_str().to_owned()))
}

/// Whether a conversation reference names a Sales Navigator thread.
pub fn is_sales_nav_thread(input: &str) -> Result<bool, UrnError> {
    Ok(ConversationId::parse(input)?.is_sales_nav())
}

/// Percent-encode a URN for one API path segment (`( ) , : ' + = /` included).
pub fn encode_urn_for_path(input: &str) -> String {
    urn::encode_path_segment(input)
}

/// Canonical message ids of many inputs in one call (`null` where an input is not a message).
#[wasm_bindgen(js_name = messageIds, unchecked_return_type = "(string | null)[]")]
pub fn message_ids(
    #[wasm_bindgen(unchecked_param_type = "string[]")] inputs: JsValue,
) -> Result<Vec<JsValue>, JsValue> {
    let inputs: js_sys::Array = plain("inputs", &inputs)?
        .dyn_into()
        .map_err(|_| type_error("inputs", "must be an array"))?;
    Ok(inputs
        .iter()
        .map(|s| match s.as_string().map(|s| MessageId::parse(&s)) {
            Some(Ok(id)) => JsValue::from_str(id.as_str()),
            _ => JsValue::NULL,
        })
        .collect())
}

// The exports: each checks that its argument is a string (a `TypeError` naming it otherwise)
// before the Rust function above sees it.

/// Parse a URN (after trimming and percent-decoding) into its parts.
#[wasm_bindgen(js_name = parseUrn)]
pub fn parse_urn_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<Ts<ParsedUrn>, JsValue> {
    parse_urn(&text("input", &input)?)
}

/// The canonical message id (`2-…`) of any message URN form, URL or bare id.
#[wasm_bindgen(js_name = messageId)]
pub fn message_id_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<String, JsValue> {
    Ok(message_id(&text("input", &input)?)?)
}

/// The canonical conversation id of any conversation URN form, thread URL or bare id.
#[wasm_bindgen(js_name = conversationId)]
pub fn conversation_id_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<String, JsValue> {
    Ok(conversation_id(&text("input", &input)?)?)
}

/// The canonical profile id of any profile URN form, profile URL or bare id.
#[wasm_bindgen(js_name = profileId)]
pub fn profile_id_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<String, JsValue> {
    Ok(profile_id(&text("input", &input)?)?)
}

/// The profile id of the mailbox (the viewing account) a `msg_message` / `msg_conversation` URN
/// is filed under; `undefined` for a form that names none.
#[wasm_bindgen(js_name = mailboxOf)]
pub fn mailbox_of_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<Option<String>, JsValue> {
    Ok(mailbox_of(&text("input", &input)?)?)
}

/// Whether a conversation reference names a Sales Navigator thread.
#[wasm_bindgen(js_name = isSalesNavThread)]
pub fn is_sales_nav_thread_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<bool, JsValue> {
    Ok(is_sales_nav_thread(&text("input", &input)?)?)
}

/// Percent-encode a URN for one API path segment (`( ) , : ' + = /` included).
#[wasm_bindgen(js_name = encodeUrnForPath)]
pub fn encode_urn_for_path_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<String, JsValue> {
    Ok(encode_urn_for_path(&text("input", &input)?))
}
