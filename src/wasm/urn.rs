//! The URN functions as JavaScript exports: `parseUrn`, `messageId`, `conversationId`, `profileId`,
//! `isSalesNavThread`, `encodeUrnForPath`, `mailboxOf`. Each cleans its input first (trim, percent-decoding).

use std::cell::RefCell;
use std::ops::Range;

use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::boundary::{plain, text, type_error, MAX_VALUES};
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
    parsed_to_js(&parsed_urn(input)?).map(Ts::new_unchecked)
}

/// [`parse_urn`]'s answer before it becomes a JS value (inlined into its one caller in the
/// module: out of line it measured 62 B gzip more).
#[inline(always)]
pub fn parsed_urn(input: &str) -> Result<ParsedUrn, UrnError> {
    let parsed = Urn::parse(&urn::clean(input)?)?;
    let parts = match parsed.key() {
        Part::Tuple(parts) => parts.iter().map(render).collect(),
        other => vec![render(other)],
    };
    Ok(ParsedUrn {
        urn: parsed.to_string(),
        namespace: parsed.namespace().to_owned(),
        entity_type: parsed.entity_type().to_owned(),
        key: render(parsed.key()),
        parts,
    })
}

/// `parsed` as the plain object serde-wasm-bindgen made of it (its fields in order, with their
/// serde names; `parts` an array of strings), set field by field: the module's one use of
/// serde-wasm-bindgen's serializer was this (issue 15: 2 KB gzip). tests/wasm_urn.rs checks it
/// against serde-wasm-bindgen's.
pub fn parsed_to_js(parsed: &ParsedUrn) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    let parts = js_sys::Array::new();
    for part in &parsed.parts {
        parts.push(&JsValue::from_str(part));
    }
    for (key, value) in [
        ("urn", JsValue::from_str(&parsed.urn)),
        ("namespace", JsValue::from_str(&parsed.namespace)),
        ("entityType", JsValue::from_str(&parsed.entity_type)),
        ("key", JsValue::from_str(&parsed.key)),
        ("parts", parts.into()),
    ] {
        js_sys::Reflect::set(&out, &JsValue::from_str(key), &value)?;
    }
    Ok(out.into())
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

/// `start << 10 | end` of an id's place (byte offsets that are also UTF-16 offsets: a plain form
/// is ASCII), or -1 when it does not fit in 10 bits each (plain forms are at most
/// `MAX_URN_BYTES`, 512, long, so it always does).
fn place(id: Range<usize>) -> i32 {
    i32::try_from(id.start << 10 | id.end)
        .ok()
        .filter(|_| id.end < 1024)
        .unwrap_or(-1)
}

/// Bytes of the scratch area an input may take: every input the parsers read at all
/// ([`urn::MAX_INPUT_BYTES`]; longer ones are refused before any reading).
const SCRATCH_INPUT: usize = urn::MAX_INPUT_BYTES;
/// Bytes after it where an answer that is not a substring of the input is written.
const SCRATCH_OUT: usize = 1024;

thread_local! {
    /// The module's scratch area for the package's `messageId`, `conversationId` and
    /// `profileId` (and their `try…` forms): the wrapper writes an ASCII input into its first
    /// [`SCRATCH_INPUT`] bytes itself and passes only the length, so the common call allocates
    /// nothing on either side (no `passStringToWasm0` malloc, no `String` back). Allocated once
    /// and never resized, so the address the wrapper caches stays valid; its view of the memory
    /// goes stale when memory grows, which the wrapper checks on each call.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; SCRATCH_INPUT + SCRATCH_OUT]);
}

/// The address of the scratch area in the module's memory. Not public.
#[wasm_bindgen(js_name = __urnScratch)]
pub fn urn_scratch() -> usize {
    super::local(&SCRATCH, |s| s.borrow().as_ptr() as usize)
}

/// The module's memory, for the wrappers' view of the scratch area. Not public.
#[wasm_bindgen(js_name = __urnMemory, unchecked_return_type = "WebAssembly.Memory")]
pub fn urn_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// `<name>` of the first `len` bytes of the scratch area: `start << 10 | end` as [`place`] gives
/// it; `-1` when the input is not an id of that kind (the wrapper asks `__<name>Full` for the
/// error, or answers `null`); `-3 - n` when the id is ASCII but not a substring of the input (its
/// `n` bytes are in the scratch area after [`SCRATCH_INPUT`]); `-2` for anything else (a `len`
/// beyond the area, bytes that are not UTF-8, a non-ASCII id): the wrapper then takes the
/// string path. Every answer comes from the same parsers as the other exports.
fn at(
    len: usize,
    fast: fn(&[u8]) -> Option<Range<usize>>,
    not: fn(&[u8]) -> bool,
    full: fn(&str) -> Result<String, UrnError>,
) -> i32 {
    // The fast path and the refusal read the area in place. An input for the full parser is
    // copied out and the area let go of first: that parser may call JS (`unicode.rs`: a page's
    // `RegExp` or `toLowerCase`, which it may have patched to call this again; a borrow held
    // across it then panicked, which kills the module).
    let slow = super::local(&SCRATCH, |s| {
        let mut s = s.borrow_mut();
        let Some((input, out)) = s
            .split_at_mut_checked(SCRATCH_INPUT)
            .and_then(|(area, out)| Some((area.get(..len)?, out)))
        else {
            return Err(-2);
        };
        // The fast path reads bytes (it accepts ASCII only), so the common case is not first
        // checked for UTF-8: one pass over the input fewer.
        if let Some(p) = fast(input).map(place).filter(|&p| p >= 0) {
            return Err(p);
        }
        // A URN of another kind: -1 without building the error (the throwing wrapper asks
        // `__<name>Full` for it; `try…` answers null).
        if not(input) {
            return Err(-1);
        }
        // Percent-encoded: the same fast path and refusal over the decoded text.
        if let Some(text) = urn::decoded_plain(input) {
            if let Some(id) = fast(&text).and_then(|r| text.get(r)) {
                return Err(put_out(out, id));
            }
            if not(&text) {
                return Err(-1);
            }
        }
        std::str::from_utf8(input)
            .map(str::to_owned)
            .map_err(|_| -2)
    });
    let input = match slow {
        Ok(input) => input,
        Err(answer) => return answer,
    };
    match full(&input) {
        Err(_) => -1,
        Ok(id) if id.is_ascii() => super::local(&SCRATCH, |s| {
            put_out(
                s.borrow_mut().get_mut(SCRATCH_INPUT..).unwrap_or_default(),
                id.as_bytes(),
            )
        }),
        Ok(_) => -2,
    }
}

/// An ASCII id that is not a substring of the input, written into the scratch area after
/// [`SCRATCH_INPUT`] (`out`): `-3 - n`, or -2 when it does not fit (the wrapper then takes the
/// string path).
fn put_out(out: &mut [u8], id: &[u8]) -> i32 {
    match out.get_mut(..id.len()) {
        Some(slot) => {
            slot.copy_from_slice(id);
            i32::try_from(id.len()).map_or(-2, |n| -3 - n)
        }
        None => -2,
    }
}

#[wasm_bindgen(js_name = __messageIdAt)]
pub fn message_id_at(len: usize) -> i32 {
    at(len, urn::fast_message_id_at, urn::not_a_message, message_id)
}

#[wasm_bindgen(js_name = __conversationIdAt)]
pub fn conversation_id_at(len: usize) -> i32 {
    at(
        len,
        urn::fast_conversation_id_at,
        urn::not_a_conversation,
        conversation_id,
    )
}

#[wasm_bindgen(js_name = __profileIdAt)]
pub fn profile_id_at(len: usize) -> i32 {
    at(len, urn::fast_profile_id_at, urn::not_a_profile, profile_id)
}

/// The batch scratch of the package's `messageIds`: the wrapper writes the ASCII inputs one after
/// the other into `bytes` and where each ends into `ints` (a negative mark for an input it
/// answers itself), [`message_ids_at`] replaces each end with its answer, and the ids that are
/// not substrings of their input go into `out`. One crossing for the batch, no string across.
struct Batch {
    bytes: Vec<u8>,
    ints: Vec<i32>,
    out: Vec<u8>,
}

/// Most input bytes a batch may put in the scratch (larger batches take the joined export).
const BATCH_MAX_BYTES: usize = MAX_VALUES * 64;

thread_local! {
    static BATCH: RefCell<Batch> = const {
        RefCell::new(Batch { bytes: Vec::new(), ints: Vec::new(), out: Vec::new() })
    };
}

/// Room for a batch of `count` inputs of `bytes` bytes in all: the address of the bytes, or 0
/// for a batch beyond the limits, or while a batch is being answered (its full parser may call
/// JS, which may ask for another batch: that one takes the joined export, and so never reaches
/// [`urn_batch_ints`] or [`ids_at`] while the first holds the batch). May grow the module's
/// memory. Not public.
#[wasm_bindgen(js_name = __urnBatch)]
pub fn urn_batch(bytes: usize, count: usize) -> usize {
    if bytes > BATCH_MAX_BYTES || count > MAX_VALUES {
        return 0;
    }
    super::local(&BATCH, |b| {
        let Ok(mut b) = b.try_borrow_mut() else {
            return 0;
        };
        let b = &mut *b;
        if b.bytes.len() < bytes {
            b.bytes.resize(bytes, 0);
        }
        if b.ints.len() < count {
            b.ints.resize(count, 0);
        }
        b.bytes.as_ptr() as usize
    })
}

/// The address of the batch's ends/answers (`i32`s). Not public.
#[wasm_bindgen(js_name = __urnBatchInts)]
pub fn urn_batch_ints() -> usize {
    super::local(&BATCH, |b| b.borrow().ints.as_ptr() as usize)
}

/// Answers a batch of `count` inputs in place, each as [`at`] answers one (the place of the id
/// relative to the input's start, `-1` for no id, `-3 - n` for an id of `n` bytes next in `out`,
/// `-2` for the wrapper to ask one by one); a negative end stays as the wrapper marked it. The
/// address of `out`. Not public.
fn ids_at(
    count: usize,
    fast: fn(&[u8]) -> Option<Range<usize>>,
    not: fn(&[u8]) -> bool,
    full: fn(&str) -> Result<String, UrnError>,
) -> usize {
    super::local(&BATCH, |b| {
        let b = &mut *b.borrow_mut();
        b.out.clear();
        let Some(ints) = b.ints.get_mut(..count) else {
            return 0;
        };
        let mut from = 0;
        for slot in ints {
            let Ok(end) = usize::try_from(*slot) else {
                continue;
            };
            let Some(input) = b.bytes.get(from..end) else {
                *slot = -2;
                continue;
            };
            from = end;
            if let Some(p) = fast(input).map(place).filter(|&p| p >= 0) {
                *slot = p;
                continue;
            }
            if not(input) {
                *slot = -1;
                continue;
            }
            *slot = match std::str::from_utf8(input).map(full) {
                Ok(Ok(id)) if id.is_ascii() && id.len() <= SCRATCH_OUT => {
                    b.out.extend_from_slice(id.as_bytes());
                    -3 - i32::try_from(id.len()).unwrap_or(0)
                }
                Ok(Err(_)) => -1,
                _ => -2,
            };
        }
        b.out.as_ptr() as usize
    })
}

#[wasm_bindgen(js_name = __messageIdsAt)]
pub fn message_ids_at(count: usize) -> usize {
    ids_at(
        count,
        urn::fast_message_id_at,
        urn::not_a_message,
        message_id,
    )
}

/// The rest of `<name>` for a string the scratch path could not answer: the answer as one string, `0`
/// then the id, or `1` then `code:offset:message` for a `UrnError` the generated wrapper builds
/// itself (npm/errors.js `UrnError`). One crossing and no JS object made in Rust: a thrown
/// `UrnError` cost 27 µs through the checked export's `js_error` against 4 µs for the same error
/// made in JS (`node`, 20k calls). Not public: the generated wrappers are its only callers.
fn full(answer: Result<String, UrnError>) -> String {
    match answer {
        Ok(id) => format!("0{id}"),
        Err(e) => format!("1{}:{}:{e}", e.code.as_str(), e.offset),
    }
}

#[wasm_bindgen(js_name = __messageIdFull)]
pub fn message_id_full(input: &str) -> String {
    full(message_id(input))
}

#[wasm_bindgen(js_name = __conversationIdFull)]
pub fn conversation_id_full(input: &str) -> String {
    full(conversation_id(input))
}

#[wasm_bindgen(js_name = __profileIdFull)]
pub fn profile_id_full(input: &str) -> String {
    full(profile_id(input))
}

/// Whether a conversation reference names a Sales Navigator thread.
pub fn is_sales_nav_thread(input: &str) -> Result<bool, UrnError> {
    Ok(ConversationId::parse(input)?.is_sales_nav())
}

/// Percent-encode a URN for one API path segment (`( ) , : ' + = /` included).
pub fn encode_urn_for_path(input: &str) -> String {
    urn::encode_path_segment(input)
}

#[wasm_bindgen]
extern "C" {
    // Catching: a Proxy's trap or an element's `toString` may throw, and an exception must
    // never cross Rust frames.
    /// An array as the caller passed it (perhaps a Proxy): only read through catching calls.
    type CallerArray;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = join)]
    fn try_join(this: &CallerArray, separator: &str) -> Result<js_sys::JsString, JsValue>;
    #[wasm_bindgen(method, getter, catch, js_name = length)]
    fn try_length(this: &CallerArray) -> Result<JsValue, JsValue>;
}

/// Canonical message ids of many inputs in one call (`null` where an input is not a message).
///
/// The inputs cross as one text and the answers come back as one (`\n` between them: no id
/// holds one), so a batch costs two crossings instead of two per input. Elements are read as
/// `Array.prototype.join` reads them; a batch that cannot be joined that way (an element holding a
/// line break or throwing, a Proxy) is read element by element from a plain copy, where anything
/// but a string is `null`.
#[wasm_bindgen(js_name = messageIds, unchecked_return_type = "(string | null)[]")]
pub fn message_ids(
    #[wasm_bindgen(unchecked_param_type = "string[]")] inputs: JsValue,
) -> Result<js_sys::Array, JsValue> {
    if let Some(answers) = joined_message_ids(&inputs) {
        return Ok(answers);
    }
    let inputs: js_sys::Array = plain("inputs", &inputs)?
        .dyn_into()
        .map_err(|_| type_error("inputs", "must be an array"))?;
    let out = js_sys::Array::new();
    for s in inputs.iter() {
        out.push(&match s.as_string().map(|s| MessageId::parse(&s)) {
            Some(Ok(id)) => JsValue::from_str(id.as_str()),
            _ => JsValue::NULL,
        });
    }
    Ok(out)
}

/// [`message_ids`] over the joined text, or `None` when the batch cannot be read that way.
fn joined_message_ids(inputs: &JsValue) -> Option<js_sys::Array> {
    if is_array(inputs).ok()?.as_bool() != Some(true) {
        return None;
    }
    let array: &CallerArray = inputs.unchecked_ref();
    let count = array.try_length().ok()?.as_f64()?;
    if count > MAX_VALUES as f64 {
        return None; // the plain copy refuses it, with its TypeError
    }
    let joined = array.try_join("\n").ok()?;
    // Copied into the module only at a size a batch of ids has (else read element by element).
    if joined.length() as usize > MAX_VALUES * 64 {
        return None;
    }
    let text = joined.as_string()?;
    if count == 0.0 {
        return Some(js_sys::Array::new());
    }
    if !(1.0..=f64::from(u32::MAX)).contains(&count) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked just above
    let count = count as usize;
    // One more line than line breaks: no element held one of its own.
    if text.bytes().filter(|&c| c == b'\n').count() != count - 1 {
        return None;
    }
    let mut out = String::with_capacity(text.len() / 2);
    let mut missing = Vec::new();
    for (i, input) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match MessageId::parse(input) {
            Ok(id) => out.push_str(id.as_str()),
            Err(_) => missing.push(i),
        }
    }
    let answers = js_sys::JsString::from(out).split("\n");
    for i in missing {
        answers.set(u32::try_from(i).ok()?, JsValue::NULL);
    }
    Some(answers)
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

/// The answer of a `try…` export: the id, or `null` where the throwing form throws a `UrnError`.
fn or_null(answer: Result<String, UrnError>) -> JsValue {
    answer.map_or(JsValue::NULL, |id| JsValue::from_str(&id))
}

/// `messageId` without the `UrnError`: the canonical message id, or `null` for an input that is
/// not a message reference (a non-string argument is still a `TypeError`). An `Error` with its
/// stack is most of the cost of a failed `messageId` call; this is the form for input that is
/// often not a message.
#[wasm_bindgen(js_name = tryMessageId, unchecked_return_type = "string | null")]
pub fn try_message_id_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<JsValue, JsValue> {
    Ok(or_null(message_id(&text("input", &input)?)))
}

/// `conversationId` without the `UrnError`: the canonical conversation id, or `null` for an input
/// that is not a conversation reference (a non-string argument is still a `TypeError`).
#[wasm_bindgen(js_name = tryConversationId, unchecked_return_type = "string | null")]
pub fn try_conversation_id_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<JsValue, JsValue> {
    Ok(or_null(conversation_id(&text("input", &input)?)))
}

/// `profileId` without the `UrnError`: the canonical profile id, or `null` for an input that is
/// not a profile reference (a non-string argument is still a `TypeError`).
#[wasm_bindgen(js_name = tryProfileId, unchecked_return_type = "string | null")]
pub fn try_profile_id_js(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
) -> Result<JsValue, JsValue> {
    Ok(or_null(profile_id(&text("input", &input)?)))
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
