//! Decoding that bends: field readers that take `null` as absent and a value of another
//! documented type for what it means, and never fail on a wrong type (the field reads as absent
//! instead). The one exception is a timestamp that is present but not a date: its item cannot be
//! placed in time, so it fails and is left out of its page by [`sift_items`], reported in the
//! page's `skipped`.
//!
//! Answers are read from their JSON text by [`Read`]: an object is split into its members
//! ([`Members`]: raw JSON text by name, in name order, a repeated name keeping its last value, as
//! serde_json's `Map` does) and each field is read by name with the readers of [`read`]; a
//! missing field is a `null` one. The same readers back the `#[serde(deserialize_with)]`
//! functions below, so a model type decoded through serde (the simulator, a test) reads each
//! field the same way. Pages are read item by item: [`sift_items`] decodes each element of a
//! page's array on its own, keeps the ones that read and have their identity, and reports the
//! others, so that one bad item never fails a page.
//!
//! Why not serde's derived readers through a `serde_json::Value` (the first design): in the wasm
//! module they cost a second reader per answer type (over `&Value`, which also reads a struct
//! from an array) and serde's per-field visitor code; [`Read`] is a lookup and a call per field.

use std::borrow::Cow;

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

pub use members::Members;
pub use scalar::{Scalar, MARKER};

/// An item of a page that was left out because it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SkippedItem {
    /// Its position in the page's array as the server sent it.
    pub index: u32,
    /// Its id (URN), when one could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why it was left out, for a human.
    pub reason: String,
}

/// Longest reason kept for a skipped item, in characters.
const REASON_CHARS: usize = 160;

/// A model type read from an object's members by name (see the module's text); `Err` only for
/// a field that must not be guessed (a timestamp that is not a date), with the reason.
pub trait Read: Sized {
    fn read(m: &Members<'_>) -> Result<Self, String>;
}

/// Decodes the object `raw` as `T`; anything else is an error.
pub fn decode_raw<T: Read>(raw: &RawValue) -> Result<T, String> {
    match Members::parse(raw) {
        Some(fields) => T::read(&fields),
        None => Err("not an object".into()),
    }
}

/// The field readers, on a member's value as serde_json's `Value` reads it ([`Scalar`]; `null`
/// when it is missing).
pub mod read {
    use serde_json::value::RawValue;

    use super::super::time::timestamp_ms;
    use super::{decode_raw, elements, scalar_of, short, Read, Scalar};

    fn text_of(v: Scalar) -> Option<String> {
        match v {
            Scalar::String(s) => Some(s),
            Scalar::Number(n) => Some(n.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A string: a number or boolean is read as its text; `null` or anything else as `""`.
    pub fn string(v: Scalar) -> String {
        text_of(v).unwrap_or_default()
    }

    /// An optional string: `null`, an array or an object is `None`.
    pub fn opt_string(v: Scalar) -> Option<String> {
        text_of(v)
    }

    /// A link (an attachment's `url`, a profile's or a conversation's URL): kept only when it starts with
    /// `https://` or `http://` (in any case), else `None`. A UI puts it in an `href`, and a
    /// `javascript:` link from a hostile or proxied answer, a sibling tab's fact or a store
    /// would run in the UI's origin when clicked; a browser also drops spaces before a scheme
    /// and tabs or newlines within one, so nothing but the exact prefix is trusted.
    pub fn web_url(v: Scalar) -> Option<String> {
        text_of(v).filter(|u| {
            let b = u.as_bytes();
            b.get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"https://"))
                || b.get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"http://"))
        })
    }

    fn bool_of(v: &Scalar) -> Option<bool> {
        match v {
            Scalar::Bool(b) => Some(*b),
            Scalar::Number(n) => n.as_f64().map(|f| f != 0.0),
            Scalar::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" | "" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A flag: `"true"`/`"false"`, `1`/`0` too; `null` or anything else is `false`.
    pub fn flag(v: Scalar) -> bool {
        bool_of(&v).unwrap_or(false)
    }

    /// An optional flag.
    pub fn opt_flag(v: Scalar) -> Option<bool> {
        bool_of(&v)
    }

    fn count_of(v: &Scalar) -> Option<u64> {
        let f = match v {
            Scalar::Number(n) => n.as_f64()?,
            Scalar::String(s) => crate::number::parse_f64(s.trim())?,
            _ => return None,
        };
        // `as` saturates: a huge count becomes u64::MAX, a negative one is refused.
        (f.is_finite() && f >= 0.0).then_some(f as u64)
    }

    /// A count: a numeric string too; `null`, a negative number or anything else is 0.
    pub fn count(v: Scalar) -> u32 {
        count_of(&v).map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// An optional count.
    pub fn opt_count(v: Scalar) -> Option<u64> {
        count_of(&v)
    }

    /// A size in bytes (as `count`, 64-bit).
    pub fn size(v: Scalar) -> u64 {
        count_of(&v).unwrap_or(0)
    }

    /// A required timestamp, normalised to epoch milliseconds: `null` or absent is 0 (unknown); a
    /// value that is there but is not a date fails, so that its item is reported, not misplaced.
    pub fn timestamp(raw: &RawValue) -> Result<i64, String> {
        timestamp_or(scalar_of(raw), || short(raw))
    }

    /// [`timestamp`] of a value whose text for the error `text` gives.
    pub(super) fn timestamp_or(v: Scalar, text: impl FnOnce() -> String) -> Result<i64, String> {
        if v == Scalar::Null {
            return Ok(0);
        }
        timestamp_ms(&v).ok_or_else(|| format!("not a timestamp: {}", text()))
    }

    /// An optional timestamp, normalised to epoch milliseconds; anything that is not a date is
    /// `None`.
    pub fn opt_timestamp(v: Scalar) -> Option<i64> {
        timestamp_ms(&v)
    }

    /// An optional enum kept as its raw string when unknown (`From<String>`); a non-string is
    /// `None`.
    pub fn opt_parsed<T: From<String>>(v: Scalar) -> Option<T> {
        match v {
            Scalar::String(s) => Some(T::from(s)),
            _ => None,
        }
    }

    /// An enum kept as its raw string when unknown; `null` or a non-string is its default.
    pub fn parsed<T: From<String> + Default>(v: Scalar) -> T {
        opt_parsed(v).unwrap_or_default()
    }

    /// An optional cursor the server may give as a string or as a number; `null`, an empty
    /// string or any other value is no cursor.
    pub fn cursor(v: Scalar) -> Option<String> {
        match v {
            Scalar::String(s) if !s.is_empty() => Some(s),
            Scalar::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A list: `null` or a non-array is empty; elements that are not objects or do not read are
    /// dropped.
    pub fn list<T: Read>(raw: &RawValue) -> Vec<T> {
        // A loop, not `filter_map(..).collect()`: that was a copy of std's collecting and
        // extending code per element type (issue 15).
        let mut out = Vec::new();
        for item in elements(raw) {
            if let Ok(value) = decode_raw::<T>(item) {
                out.push(value);
            }
        }
        out
    }

    /// A nested object: `null`, a non-object or one that does not read is `None`.
    pub fn object<T: Read>(raw: &RawValue) -> Option<T> {
        decode_raw::<T>(raw).ok()
    }

    /// A nested object that is always there: `null`, a non-object or one that does not read is
    /// its default.
    pub fn object_or_default<T: Read + Default>(raw: &RawValue) -> T {
        object(raw).unwrap_or_default()
    }
}

/// A string (`#[serde(deserialize_with)]`; see [`read::string`]).
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(read::string(Scalar::deserialize(d)?))
}

/// An optional string ([`read::opt_string`]).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(read::opt_string(Scalar::deserialize(d)?))
}

/// A link to fetch a file from ([`read::web_url`]).
pub fn web_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(read::web_url(Scalar::deserialize(d)?))
}

/// A flag ([`read::flag`]).
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(read::flag(Scalar::deserialize(d)?))
}

/// An optional flag ([`read::opt_flag`]).
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(read::opt_flag(Scalar::deserialize(d)?))
}

/// A count ([`read::count`]).
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(read::count(Scalar::deserialize(d)?))
}

/// An optional count ([`read::opt_count`]).
pub fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(read::opt_count(Scalar::deserialize(d)?))
}

/// A size in bytes ([`read::size`]).
pub fn size<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(read::size(Scalar::deserialize(d)?))
}

/// A required timestamp ([`read::timestamp`]).
pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    // A whole `Value`, for the error's text of an array or object; only native callers come
    // this way (the client reads [`read::timestamp`] from the raw text).
    let v = Value::deserialize(d)?;
    read::timestamp_or(Scalar::of_value(&v), || {
        cut_to(crate::json::to_string(&v).unwrap_or_default(), SHORT_CHARS)
    })
    .map_err(D::Error::custom)
}

/// An optional timestamp ([`read::opt_timestamp`]).
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(read::opt_timestamp(Scalar::deserialize(d)?))
}

/// An optional enum kept as its raw string when unknown ([`read::opt_parsed`]).
pub fn opt_parsed<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(read::opt_parsed(Scalar::deserialize(d)?))
}

/// An enum kept as its raw string when unknown ([`read::parsed`]).
pub fn parsed<'de, D: Deserializer<'de>, T: From<String> + Default>(d: D) -> Result<T, D::Error> {
    Ok(read::parsed(Scalar::deserialize(d)?))
}

/// A list ([`read::list`]).
pub fn list<'de, D: Deserializer<'de>, T: Read>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(read::list(&text_of_value(Value::deserialize(d)?)))
}

/// A nested object ([`read::object`]).
pub fn object<'de, D: Deserializer<'de>, T: Read>(d: D) -> Result<Option<T>, D::Error> {
    Ok(read::object(&text_of_value(Value::deserialize(d)?)))
}

/// A nested object that is always there ([`read::object_or_default`]).
pub fn object_or_default<'de, D: Deserializer<'de>, T: Read + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(read::object_or_default(&text_of_value(Value::deserialize(
        d,
    )?)))
}

/// A value as JSON text, for [`Read`]. The serde readers above take any deserializer (serde_json,
/// serde-wasm-bindgen, a `Value`), so they read a `Value` first and do not ask for raw text
/// (`RawValue`), which only serde_json's own reader gives. The client never comes this way.
fn text_of_value(v: Value) -> Box<RawValue> {
    crate::json::to_string(&v)
        .and_then(RawValue::from_string)
        .unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// Serde for an enum that is a string on the wire and keeps unknown values (`as_str` and
/// `From<String>`).
macro_rules! string_enum {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(<$t>::from(String::deserialize(d)?))
            }
        }
    };
}
pub(crate) use string_enum;

/// Characters of a value kept by [`short`].
const SHORT_CHARS: usize = 40;

/// A value cut short for an error message: its text as serde_json writes the `Value` it reads
/// from `raw` (`null` when that reader fails on it), cut to 40 characters.
pub fn short(raw: &RawValue) -> String {
    let mut text = String::new();
    match scalar::read(raw) {
        Ok(_) => compact(&mut text, raw),
        Err(_) => text.push_str("null"),
    }
    cut_to(text, SHORT_CHARS)
}

/// `text` cut to `chars` characters, `…` marking a cut.
fn cut_to(text: String, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// Appends the `Value` serde_json reads from `raw` (which it reads: see [`short`]) as
/// `serde_json::to_string` writes it, without building the `Value`: no spaces, an object's
/// members in name order, a repeated name once with its last value (a `Value`'s map), a
/// `RawValue` marker object as the value of its text ([`resolve`]), a number as its `Display`
/// writes it, a string escaped by serde_json's own string writer.
///
/// Stops once more than [`SHORT_CHARS`] characters are written (`short` keeps no more): each
/// level writes one before going down, so a deep value is not walked level by level to its
/// bottom (a level's text is read again by the level below it).
fn compact(out: &mut String, raw: &RawValue) {
    let enough = |out: &String| out.char_indices().nth(SHORT_CHARS).is_some();
    if enough(out) {
        return;
    }
    let raw = resolve(raw);
    match raw.get().as_bytes().first() {
        Some(b'[') => {
            out.push('[');
            for (i, item) in elements(&raw).into_iter().enumerate() {
                if enough(out) {
                    return;
                }
                if i > 0 {
                    out.push(',');
                }
                compact(out, item);
            }
            out.push(']');
        }
        Some(b'{') => {
            out.push('{');
            if let Some(members) = Members::parse(&raw) {
                for (i, (name, item)) in members.entries().iter().enumerate() {
                    if enough(out) {
                        return;
                    }
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(out, name);
                    out.push(':');
                    compact(out, item);
                }
            }
            out.push('}');
        }
        _ => match scalar_of(&raw) {
            Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Scalar::Number(n) => out.push_str(&n.to_string()),
            Scalar::String(s) => json_string(out, &s),
            _ => out.push_str("null"),
        },
    }
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it (its own writer).
fn json_string(out: &mut String, s: &str) {
    out.push_str(&crate::json::to_string(s).unwrap_or_default());
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(REASON_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Decodes the array `members[key]` item by item into `T`, after `prepare` has filled in aliases
/// (e.g. `messageId` for a missing `messageUrn`) and `id_of` has found the item's id. An item that
/// is not an object, has no id, or does not read is left out and reported. Returns the items
/// that read and the skipped ones; `members[key]` becomes `null`.
pub fn sift_items<T: Read>(
    members: &mut Members<'_>,
    key: &str,
    prepare: fn(&mut Members<'_>),
    id_of: fn(&T) -> &str,
) -> (Vec<T>, Vec<SkippedItem>) {
    let items = members.take(key).map(elements).unwrap_or_default();
    let mut ok = Vec::with_capacity(items.len());
    let mut skipped = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let Some(mut fields) = Members::parse(item) else {
            skipped.push(SkippedItem {
                index,
                id: None,
                reason: format!("not an object: {}", short(item)),
            });
            continue;
        };
        prepare(&mut fields);
        match T::read(&fields) {
            Ok(t) if !id_of(&t).trim().is_empty() => ok.push(t),
            Ok(_) => skipped.push(SkippedItem {
                index,
                id: None,
                reason: "it has no id".into(),
            }),
            Err(e) => skipped.push(SkippedItem {
                index,
                id: first_id(&fields),
                reason: cut(&e),
            }),
        }
    }
    (ok, skipped)
}

/// The first id-looking string field of an item, for a report.
fn first_id(item: &Members<'_>) -> Option<String> {
    [
        "messageUrn",
        "messageId",
        "conversationUrn",
        "conversationId",
        "id",
    ]
    .iter()
    .find_map(|k| match item.value(k) {
        Scalar::String(s) => Some(cut(&s)),
        _ => None,
    })
}

/// When `to` is absent, `null` or empty, takes the first of `from` that is a non-empty string.
pub fn alias(fields: &mut Members<'_>, to: &str, from: &[&str]) {
    let missing = match fields.value(to) {
        Scalar::Null => true,
        Scalar::String(s) => s.trim().is_empty(),
        _ => false,
    };
    if !missing {
        return;
    }
    let found = from.iter().find_map(|k| {
        let raw = fields.get(k)?;
        matches!(scalar_of(raw), Scalar::String(s) if !s.trim().is_empty()).then_some(raw)
    });
    if let Some(raw) = found {
        fields.insert(to, raw);
    }
}

/// What serde_json's `Value` reads from a piece of JSON text (checked JSON: see
/// [`json_document`]), as a [`Scalar`]; `null` where that reader fails (a `RawValue` marker
/// object whose text does not read, anywhere in it).
pub fn scalar_of(raw: &RawValue) -> Scalar {
    scalar::read(raw).unwrap_or(Scalar::Null)
}

/// `raw` when serde_json's `Value` reads it (checked JSON: see [`json_document`]); `None` where
/// that reader fails.
pub fn value_text(raw: &RawValue) -> Option<&RawValue> {
    scalar::read(raw).ok().map(|_| raw)
}

/// The text `Value` reads in place of `raw`: the text of a `RawValue` marker object (an object
/// whose first member, in the text's order, is named `$serde_json::private::RawValue`: `Value`
/// reads its string's text instead), repeatedly; `raw` itself otherwise. For text `Value`
/// reads ([`value_text`]); `null` where it would not.
pub fn resolve(raw: &RawValue) -> Cow<'_, RawValue> {
    let Some(text) = members::marker_text(raw) else {
        return Cow::Borrowed(raw);
    };
    match text.map(|t| serde_json::from_slice::<&RawValue>(t.as_bytes()).map(|r| r.to_owned())) {
        Some(Ok(inner)) => Cow::Owned(resolve(&inner).into_owned()),
        _ => Cow::Borrowed(RawValue::NULL),
    }
}

/// A document checked to be JSON as `serde_json::Value` reads it (the same errors: nesting
/// deeper than 128, numbers out of range, bad UTF-8), kept as its text.
pub fn json_document(body: &[u8]) -> Result<&RawValue, serde_json::Error> {
    scalar::check(body)?;
    serde_json::from_slice(body)
}

/// The elements of the array `raw`; `None` when it is not an array.
pub fn array(raw: &RawValue) -> Option<Vec<&RawValue>> {
    crate::json_raw::items(raw).ok()
}

/// The elements of the array `raw`; none when it is not an array.
fn elements(raw: &RawValue) -> Vec<&RawValue> {
    array(raw).unwrap_or_default()
}

mod members {
    use std::borrow::Cow;

    use serde::de::DeserializeOwned;
    use serde::Deserialize;
    use serde_json::value::RawValue;

    use super::scalar::MARKER;
    use super::Scalar;

    /// serde_json's error text without its ` at line … column …` (one body for every type
    /// [`Members::plain`] reads, not a copy in each).
    fn without_position(e: serde_json::Error) -> String {
        let text = e.to_string();
        let at = format!(" at line {} column {}", e.line(), e.column());
        match text.strip_suffix(&at) {
            Some(bare) if e.line() != 0 => bare.to_string(),
            _ => text,
        }
    }

    /// An object's members as raw JSON text, sorted by name, each name once (its last value, as
    /// serde_json's `Map` keeps).
    pub struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

    impl<'a> Members<'a> {
        /// The members of `raw`; `None` when it is not an object.
        pub fn parse(raw: &'a RawValue) -> Option<Self> {
            let mut fields = in_order(raw)?;
            // Last of a repeated name wins: reversed, a stable sort puts it first, dedup keeps it.
            fields.reverse();
            crate::sort::sort_dedup_by(&mut fields, |a, b| a.0.cmp(&b.0));
            Some(Members(fields))
        }

        /// The members, in name order.
        pub fn entries(&self) -> &[(Cow<'a, str>, &'a RawValue)] {
            &self.0
        }

        fn find(&self, name: &str) -> Result<usize, usize> {
            self.0.binary_search_by(|(k, _)| (**k).cmp(name))
        }

        /// The raw value of member `name`.
        pub fn get(&self, name: &str) -> Option<&'a RawValue> {
            self.find(name).ok().map(|i| self.0[i].1)
        }

        /// The raw value of member `name`; `null` when it is missing.
        pub fn raw(&self, name: &str) -> &'a RawValue {
            self.get(name).unwrap_or(RawValue::NULL)
        }

        /// The value of member `name` as `Value` reads it ([`super::scalar_of`]); `null` when
        /// it is missing.
        pub fn value(&self, name: &str) -> Scalar {
            self.get(name).map_or(Scalar::Null, super::scalar_of)
        }

        /// Member `name` read by its type's own serde reader (a field with no tolerant reader);
        /// the error text is serde's, without a position. Not `serde_json::from_slice`, whose
        /// check that nothing follows the value (a member's text never has anything after it)
        /// is a copy of its `from_trait` per type read.
        pub fn plain<T: DeserializeOwned>(&self, name: &str) -> Result<T, String> {
            T::deserialize(&mut serde_json::Deserializer::from_slice(
                self.raw(name).get().as_bytes(),
            ))
            .map_err(without_position)
        }

        /// An `Option` member `name` read by its type's own serde reader: missing or `null` is
        /// `None`, as serde's reader of `Option<T>` reads it (the same errors otherwise), through
        /// [`Members::plain`]'s copy for `T`, not one more for `Option<T>`.
        pub fn plain_opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
            match self.get(name) {
                Some(raw) if raw.get() != "null" => self.plain(name).map(Some),
                _ => Ok(None),
            }
        }

        /// Sets member `name` to `raw`.
        pub fn insert(&mut self, name: &str, raw: &'a RawValue) {
            match self.find(name) {
                Ok(i) => self.0[i].1 = raw,
                Err(i) => self.0.insert(i, (Cow::Owned(name.to_string()), raw)),
            }
        }

        /// Member `name`'s raw value, leaving `null` in its place (as `Value::take`).
        pub fn take(&mut self, name: &str) -> Option<&'a RawValue> {
            let i = self.find(name).ok()?;
            Some(std::mem::replace(&mut self.0[i].1, RawValue::NULL))
        }

        /// Adds every member of `other` that this object lacks.
        pub fn merge_missing(&mut self, other: Members<'a>) {
            for (name, raw) in other.0 {
                if let Err(i) = self.find(&name) {
                    self.0.insert(i, (name, raw));
                }
            }
        }
    }

    /// The members of the object `raw` in the text's order, repeated names included; `None`
    /// when it is not an object.
    fn in_order(raw: &RawValue) -> Option<Vec<(Cow<'_, str>, &RawValue)>> {
        crate::json_raw::members(raw.get().as_bytes(), "an object").ok()
    }

    /// When `raw` is an object whose first member (in the text's order) is `Value`'s
    /// `RawValue` marker: its text when it is the only member and a string (as `Value`
    /// reads one), else `None` (`Value` fails on it). The string is read without
    /// `serde_json::from_slice`'s end check (nothing follows a member's text).
    pub fn marker_text(raw: &RawValue) -> Option<Option<String>> {
        if !raw.get().starts_with('{') {
            return None;
        }
        let members = in_order(raw)?;
        match members.as_slice() {
            [(name, text)] if name == MARKER => Some(
                String::deserialize(&mut serde_json::Deserializer::from_slice(
                    text.get().as_bytes(),
                ))
                .ok(),
            ),
            [(name, _), ..] if name == MARKER => Some(None),
            _ => None,
        }
    }
}

mod scalar {
    use std::fmt;

    use serde::de::{
        self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };
    use serde::Deserialize;
    use serde_json::value::RawValue;
    use serde_json::{Number, Value};

    /// The name of serde_json's `RawValue` marker (its `raw::TOKEN`, not public): `Value`'s
    /// reader reads an object whose first member has this name as the JSON text of that
    /// member's string.
    pub const MARKER: &str = "$serde_json::private::RawValue";

    /// A value as serde_json's `Value` reads it, keeping what a field reader looks at: a
    /// scalar, or that it is an array or an object. Its reader is `Value`'s, step for step
    /// (the same visits, the same `RawValue` marker rule, the same errors), without building
    /// the arrays and maps: `Value`'s reader was in the module three times (over serde_json's
    /// slice and `str` readers and over serde-wasm-bindgen, 11 KB), for the scalars alone.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Scalar {
        Null,
        Bool(bool),
        Number(Number),
        String(String),
        Array,
        Object,
    }

    impl Scalar {
        /// The scalar of a `Value` already read (native callers' serde readers).
        pub fn of_value(v: &Value) -> Scalar {
            match v {
                Value::Null => Scalar::Null,
                Value::Bool(b) => Scalar::Bool(*b),
                Value::Number(n) => Scalar::Number(n.clone()),
                Value::String(s) => Scalar::String(s.clone()),
                Value::Array(_) => Scalar::Array,
                Value::Object(_) => Scalar::Object,
            }
        }
    }

    /// [`Scalar`] of the JSON text `raw`, or the error `Value`'s reader gives on it.
    pub fn read(raw: &RawValue) -> Result<Scalar, serde_json::Error> {
        serde_json::from_slice(raw.get().as_bytes())
    }

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ScalarVisitor { check_only: false })
        }
    }

    /// Reads the document `body` the way `serde_json::Value` does but for its `RawValue`
    /// marker rule, and keeps nothing: serde_json's checks of the text (nesting deeper than
    /// 128, numbers out of range, bad UTF-8, anything after the value), with its errors. The
    /// [`Scalar`] reader with nothing kept, not a reader of its own (a second copy of
    /// serde_json's `deserialize_any` and its array and object readers).
    pub fn check(body: &[u8]) -> Result<(), serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(body);
        ScalarVisitor { check_only: true }.deserialize(&mut de)?;
        de.end()
    }

    /// `Value`'s `ValueVisitor`, keeping no array or map; or, `check_only`, keeping nothing
    /// (no string's text) and reading a `RawValue` marker object as any other ([`check`]).
    #[derive(Clone, Copy)]
    struct ScalarVisitor {
        check_only: bool,
    }

    impl<'de> DeserializeSeed<'de> for ScalarVisitor {
        type Value = Scalar;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Scalar;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any valid JSON value")
        }

        fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
            Ok(Scalar::Bool(v))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
            Ok(Scalar::Number(v.into()))
        }

        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Scalar, E> {
            Number::deserialize(de::value::I128Deserializer::new(v)).map(Scalar::Number)
        }

        fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
            Ok(Scalar::Number(v.into()))
        }

        fn visit_u128<E: de::Error>(self, v: u128) -> Result<Scalar, E> {
            Number::deserialize(de::value::U128Deserializer::new(v)).map(Scalar::Number)
        }

        fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
            Ok(Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
            if self.check_only {
                return Ok(Scalar::Null);
            }
            self.visit_string(String::from(v))
        }

        fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
            Ok(Scalar::String(v))
        }

        fn visit_none<E>(self) -> Result<Scalar, E> {
            Ok(Scalar::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
            self.deserialize(d)
        }

        fn visit_unit<E>(self) -> Result<Scalar, E> {
            Ok(Scalar::Null)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
            while seq.next_element_seed(self)?.is_some() {}
            Ok(Scalar::Array)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
            match map.next_key_seed(FirstKey)? {
                Some(true) if !self.check_only => {
                    let text = map.next_value_seed(MarkerText)?;
                    serde_json::from_slice(text.as_bytes()).map_err(de::Error::custom)
                }
                Some(_) => {
                    map.next_value_seed(self)?;
                    while map.next_key::<IgnoredAny>()?.is_some() {
                        map.next_value_seed(self)?;
                    }
                    Ok(Scalar::Object)
                }
                None => Ok(Scalar::Object),
            }
        }
    }

    /// `Value`'s `KeyClassifier`: whether an object's first name is the marker.
    struct FirstKey;

    impl<'de> DeserializeSeed<'de> for FirstKey {
        type Value = bool;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl<'de> Visitor<'de> for FirstKey {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string key")
        }

        fn visit_str<E>(self, s: &str) -> Result<bool, E> {
            Ok(s == MARKER)
        }

        fn visit_string<E>(self, s: String) -> Result<bool, E> {
            Ok(s == MARKER)
        }
    }

    /// serde_json's `BoxedFromString`: the marker's string.
    struct MarkerText;

    impl<'de> DeserializeSeed<'de> for MarkerText {
        type Value = String;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl<'de> Visitor<'de> for MarkerText {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("raw value")
        }

        fn visit_str<E>(self, s: &str) -> Result<String, E> {
            Ok(s.to_owned())
        }

        fn visit_string<E>(self, s: String) -> Result<String, E> {
            Ok(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An attachment's `url` is a link a UI follows: only an `https:` or `http:` one is kept, by
    /// the reader of answers and stored records and by serde's (sibling tabs' facts through the
    /// JS boundary use the same `read::web_url`: tests/wasm_boundary.rs).
    #[test]
    fn an_attachment_link_is_kept_only_when_it_is_http() {
        use crate::model::Attachment;
        let links = [
            ("https://media.licdn.com/a.png", true),
            ("HTTP://127.0.0.1:8787/files/a.pdf", true),
            ("javascript:alert(1)", false),
            ("JavaScript:alert(1)", false),
            (" javascript:alert(1)", false),
            ("java\tscript:alert(1)", false),
            ("data:text/html,<script>alert(1)</script>", false),
            ("//evil.example/a.png", false),
            ("https:/evil", false),
            ("", false),
        ];
        for (url, kept) in links {
            let text =
                json!({"assetUrn": "a", "byteSize": 1, "mediaType": "x", "name": "n", "url": url})
                    .to_string();
            let raw: &RawValue = serde_json::from_str(&text).unwrap();
            let read: Attachment = decode_raw(raw).unwrap();
            let derived: Attachment = serde_json::from_str(&text).unwrap();
            let want = kept.then(|| url.to_owned());
            assert_eq!(read.url, want, "{url:?}");
            assert_eq!(derived.url, want, "serde's reader, {url:?}");
            // A participant's profile URL the same way.
            let text = json!({"profileId": "ACoAAB", "profileUrl": url}).to_string();
            let raw: &RawValue = serde_json::from_str(&text).unwrap();
            let read: crate::model::Participant = decode_raw(raw).unwrap();
            let derived: crate::model::Participant = serde_json::from_str(&text).unwrap();
            assert_eq!(
                (read.profile_url, derived.profile_url),
                (want.clone(), want),
                "{url:?}"
            );
        }
    }

    /// A value of every kind, nested, from a seed (xorshift): strings with every escape, the
    /// integers' and floats' edges, objects with keys out of order.
    fn any(seed: &mut u64, depth: u32) -> Value {
        let mut next = || crate::test_rng::xorshift(seed);
        let pick = next() % if depth == 0 { 5 } else { 7 };
        let n = next();
        match pick {
            0 => Value::Null,
            1 => Value::Bool(n % 2 == 0),
            2 => match n % 5 {
                0 => json!(n),
                1 => json!(-((n >> 2) as i64)),
                2 => json!(f64::from_bits(n >> 2) % 1e300),
                3 => json!([0.1, -0.0, 1e21, 5e-324, 1.5e300, 123456789.0][(n % 6) as usize]),
                _ => json!(u64::MAX - n % 3),
            },
            3 | 4 => {
                let chars = [
                    "a", "\"", "\\", "\u{0}", "\u{1f}", "\n", "\t", "é", "😀", "/", "\u{7f}",
                ];
                let len = (n % 6) as usize;
                Value::String(
                    (0..len)
                        .map(|i| chars[(n >> (i * 4)) as usize % chars.len()])
                        .collect(),
                )
            }
            5 => Value::Array((0..n % 4).map(|_| any(seed, depth - 1)).collect()),
            _ => {
                let mut m = serde_json::Map::new();
                for i in 0..n % 4 {
                    let key = ["z", "a", "", "\"k\n", "é"][((n >> (i * 3)) % 5) as usize];
                    m.insert(key.to_owned(), any(seed, depth - 1));
                }
                Value::Object(m)
            }
        }
    }

    /// `short`'s own writer writes what serde_json writes for the `Value` it reads from the
    /// same text (not always the text: serde_json's float reader may round a float's last
    /// digit otherwise than its writer).
    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..5_000 {
            let v = any(&mut seed, 4);
            let text = serde_json::to_string(&v).unwrap();
            let raw: &RawValue = serde_json::from_str(&text).unwrap();
            let read = serde_json::from_str::<Value>(&text).unwrap();
            let ours = short(raw);
            assert_eq!(
                ours,
                cut_to(serde_json::to_string(&read).unwrap(), SHORT_CHARS)
            );
            kinds.insert(ours.chars().next());
        }
        assert!(kinds.len() >= 6, "{kinds:?}");
        let long = serde_json::to_string(&"x".repeat(100)).unwrap();
        let long: &RawValue = serde_json::from_str(&long).unwrap();
        assert_eq!(short(long), format!("\"{}…", "x".repeat(39)));
    }

    /// JSON text of every kind from a seed, as a server could send it: what [`any`] writes,
    /// and what no `Value` writes: spaces, repeated names, escaped names, numbers written
    /// every way, and `RawValue` marker objects (first or not, alone or not, with a string
    /// of good or bad JSON text, or not a string), nested.
    fn any_text(seed: &mut u64, depth: u32) -> String {
        let mut next = || crate::test_rng::xorshift(seed);
        let pick = next() % if depth == 0 { 4 } else { 9 };
        let n = next();
        match pick {
            0 => ["null", "true", "false", " null "][(n % 4) as usize].to_owned(),
            1 => [
                "0",
                "-0",
                "1.0",
                "1e2",
                "1E+2",
                "-1.5e-3",
                "18446744073709551615",
                "18446744073709551616",
                "-9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890",
                "1e308",
                "1e-400",
                "0.1",
                "5",
                "-12",
                "1771950346603",
                "1771950346.5",
            ][(n % 18) as usize]
                .to_owned(),
            2 => [
                r#""""#,
                r#""a""#,
                r#""\u00e9\/\n""#,
                r#""\ud83d\ude00""#,
                r#""2026-02-24T16:25:46Z""#,
                r#"" 1771950346 ""#,
                r#""yes""#,
                r#""0""#,
                r#""x\"y""#,
                r#""\u0000""#,
            ][(n % 10) as usize]
                .to_owned(),
            3 => serde_json::to_string(&any(seed, 1)).unwrap(),
            4 | 5 => {
                let items: Vec<String> = (0..n % 4).map(|_| any_text(seed, depth - 1)).collect();
                format!("[ {} ]", items.join(" , "))
            }
            6 => {
                let names = [
                    r#""a""#,
                    r#""b""#,
                    r#""a""#,
                    r#""""#,
                    r#""\u0061""#,
                    r#""$serde_json::private::RawValue""#,
                    r#""$serde_json::private::Raw\u0056alue""#,
                ];
                let members: Vec<String> = (0..n % 4)
                    .map(|i| {
                        let name = names[((n >> (i * 3)) % 7) as usize];
                        format!("{name} : {}", any_text(seed, depth - 1))
                    })
                    .collect();
                format!("{{ {} }}", members.join(", "))
            }
            _ => {
                // A marker object: its value a string of JSON text (good, bad, spaced, or
                // with a marker inside), or not a string; sometimes another member after it.
                let inner = match n % 5 {
                    0 => "[1, {\"$serde_json::private::RawValue\": 2}]".to_owned(),
                    1 => " trailing, ".to_owned(),
                    _ => format!(" {} ", any_text(seed, depth - 1)),
                };
                let value = if n % 7 == 0 {
                    any_text(seed, 0)
                } else {
                    serde_json::to_string(&inner).unwrap()
                };
                let more = if n % 11 == 0 { r#", "z": 1"# } else { "" };
                format!(r#"{{"$serde_json::private::RawValue": {value}{more}}}"#)
            }
        }
    }

    /// The field readers' view of a value ([`Scalar`], [`short`], [`resolve`]) is what
    /// serde_json's `Value` reads from the same text: the same scalar, the same error text
    /// where it fails, and the same text written back; the `RawValue` marker rule included.
    #[test]
    fn scalars_and_short_texts_are_what_value_reads() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let (mut markers, mut failed, mut kinds) = (0, 0, std::collections::BTreeSet::new());
        for _ in 0..20_000 {
            let text = any_text(&mut seed, 4);
            let raw = json_document(text.as_bytes()).expect("JSON");
            let value = serde_json::from_str::<Value>(raw.get());
            let ours = scalar::read(raw);
            assert_eq!(
                ours.as_ref().cloned().map_err(ToString::to_string),
                value
                    .as_ref()
                    .map(Scalar::of_value)
                    .map_err(ToString::to_string),
                "{text}"
            );
            let written = serde_json::to_string(value.as_ref().unwrap_or(&Value::Null)).unwrap();
            assert_eq!(short(raw), cut_to(written, SHORT_CHARS), "{text}");
            assert_eq!(
                read::timestamp(raw).is_ok(),
                value.as_ref().map_or(true, |v| v.is_null()
                    || super::super::time::timestamp_ms(&Scalar::of_value(v)).is_some()),
                "{text}"
            );
            markers += usize::from(text.contains("RawValue"));
            failed += usize::from(value.is_err());
            kinds.insert(format!("{:?}", ours.map(|s| std::mem::discriminant(&s))));
        }
        assert!(markers > 2_000 && failed > 200, "{markers} {failed}");
        assert!(kinds.len() >= 7, "{kinds:?}");
    }

    /// The marker rule, by hand: the value of its text; `null` (a failed `Value`) when it is
    /// not a string, its text is not JSON, or another member follows.
    #[test]
    fn a_raw_value_marker_reads_as_its_text() {
        let of = |t: &str| scalar_of(serde_json::from_str(t).unwrap());
        let m = "$serde_json::private::RawValue";
        assert_eq!(
            of(&format!(r#"{{"{m}": "\"hi\""}}"#)),
            Scalar::String("hi".into())
        );
        assert_eq!(
            of(&format!(r#"{{"{m}": " 5 "}}"#)),
            Scalar::Number(5.into())
        );
        assert_eq!(of(&format!(r#"{{"{m}": 5}}"#)), Scalar::Null);
        assert_eq!(of(&format!(r#"{{"{m}": "nope"}}"#)), Scalar::Null);
        assert_eq!(of(&format!(r#"{{"{m}": "1", "a": 2}}"#)), Scalar::Null);
        assert_eq!(of(&format!(r#"{{"a": 2, "{m}": "1"}}"#)), Scalar::Object);
        assert_eq!(of(&format!(r#"[{{"{m}": 1}}]"#)), Scalar::Null);
        let text = format!(r#"{{"{m}": "[1, {{\"b\":2,\"a\":1}}]"}}"#);
        let raw: &RawValue = serde_json::from_str(&text).unwrap();
        assert_eq!(short(raw), r#"[1,{"a":1,"b":2}]"#);
    }

    /// An `Option` member read by its type's plain reader (`Members::plain_opt`) reads as
    /// serde's reader of `Option<T>`: missing or `null` is `None`, anything else is read as
    /// `T`, to the same error text.
    #[test]
    fn an_optional_plain_member_reads_as_serdes_option_reader() {
        for v in [
            "null",
            "\"x\"",
            "\"\\u0041\"",
            "7",
            "true",
            "[]",
            "{}",
            "[null]",
        ] {
            let text = format!(r#"{{"id":{v}}}"#);
            let raw: &RawValue = serde_json::from_str(&text).unwrap();
            let m = Members::parse(raw).unwrap();
            let ours = m.plain_opt::<String>("id");
            let theirs = serde_json::from_str::<Option<String>>(v).map_err(|e| e.to_string());
            let theirs = theirs.map_err(|e| e.split(" at line").next().unwrap().to_owned());
            assert_eq!(ours, theirs, "{v}");
        }
        let raw: &RawValue = serde_json::from_str("{}").unwrap();
        let m = Members::parse(raw).unwrap();
        assert_eq!(m.plain_opt::<String>("id"), Ok(None));
        let raw: &RawValue = serde_json::from_str(r#"{"id":7}"#).unwrap();
        assert_eq!(
            Members::parse(raw).unwrap().plain_opt::<String>("id"),
            Err("invalid type: integer `7`, expected a string".to_owned())
        );
    }

    /// The document check ([`json_document`], through the [`Scalar`] reader) refuses and
    /// accepts what the reader of its own it replaced did (kept here as the reference: every
    /// visit accepted, arrays and objects walked, names ignored), with the same error text:
    /// over generated texts (`RawValue` marker objects of bad text included, which it does
    /// not read as `Value` does) and over hostile bodies.
    #[test]
    fn the_document_check_refuses_what_its_former_reader_refused() {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Former;
        impl<'de> Deserialize<'de> for Former {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(FormerVisitor)
            }
        }
        struct FormerVisitor;
        impl<'de> Visitor<'de> for FormerVisitor {
            type Value = Former;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Former, E> {
                Ok(Former)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Former, E> {
                Ok(Former)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Former, E> {
                Ok(Former)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Former, E> {
                Ok(Former)
            }
            fn visit_str<E>(self, _: &str) -> Result<Former, E> {
                Ok(Former)
            }
            fn visit_unit<E>(self) -> Result<Former, E> {
                Ok(Former)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Former, A::Error> {
                while seq.next_element::<Former>()?.is_some() {}
                Ok(Former)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Former, A::Error> {
                while map.next_entry::<IgnoredAny, Former>()?.is_some() {}
                Ok(Former)
            }
        }
        let former = |body: &[u8]| {
            serde_json::from_slice::<Former>(body)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let ours = |body: &[u8]| scalar::check(body).map_err(|e| e.to_string());
        let m = MARKER;
        let mut bodies: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b" ".to_vec(),
            b"{} x".to_vec(),
            b"{}{}".to_vec(),
            b"[1,]".to_vec(),
            b"{\"a\":1,}".to_vec(),
            b"{\"a\" 1}".to_vec(),
            b"{1:2}".to_vec(),
            b"1e400".to_vec(),
            b"-1e400".to_vec(),
            b"[1e999]".to_vec(),
            b"123456789012345678901234567890".to_vec(),
            b"\"\\ud800\"".to_vec(),
            b"\"\\x\"".to_vec(),
            b"\"a\xffb\"".to_vec(),
            b"{\"\xff\":1}".to_vec(),
            b"\"\x01\"".to_vec(),
            b"nul".to_vec(),
            b"tru".to_vec(),
            b"[".to_vec(),
            b"{\"a\":".to_vec(),
            format!(r#"{{"{m}": "nope"}}"#).into_bytes(),
            format!(r#"{{"{m}": 5, "a": [1e400]}}"#).into_bytes(),
            format!(r#"{{"{m}": "1", "{m}": "2"}}"#).into_bytes(),
            "[".repeat(127).into_bytes(),
            format!("{}{}", "[".repeat(128), "]".repeat(128)).into_bytes(),
            format!("{}{}", "[".repeat(127), "]".repeat(127)).into_bytes(),
            format!("{}1{}", "{\"a\":".repeat(128), "}".repeat(128)).into_bytes(),
            format!("{}1{}", "{\"a\":".repeat(127), "}".repeat(127)).into_bytes(),
        ];
        let mut seed = 0x51_7cc1_b727_220a;
        for _ in 0..5_000 {
            let text = any_text(&mut seed, 4);
            let cut = (text.len() as u64 * (crate::test_rng::xorshift(&mut seed) % 4) / 4) as usize;
            bodies.push(text.as_bytes()[..cut].to_vec());
            bodies.push(text.into_bytes());
        }
        let mut refused = 0;
        for body in &bodies {
            let ours = ours(body);
            assert_eq!(ours, former(body), "{}", String::from_utf8_lossy(body));
            refused += usize::from(ours.is_err());
        }
        assert!(refused > 1_000, "{refused}");
    }
}
