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

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

pub use members::Members;

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

/// The field readers, on a member's value (`null` when it is missing).
pub mod read {
    use serde_json::value::RawValue;
    use serde_json::Value;

    use super::super::time::timestamp_ms;
    use super::{decode_raw, elements, short, Read};

    fn text_of(v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A string: a number or boolean is read as its text; `null` or anything else as `""`.
    pub fn string(v: Value) -> String {
        text_of(v).unwrap_or_default()
    }

    /// An optional string: `null`, an array or an object is `None`.
    pub fn opt_string(v: Value) -> Option<String> {
        text_of(v)
    }

    fn bool_of(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_f64().map(|f| f != 0.0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" | "" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A flag: `"true"`/`"false"`, `1`/`0` too; `null` or anything else is `false`.
    pub fn flag(v: Value) -> bool {
        bool_of(&v).unwrap_or(false)
    }

    /// An optional flag.
    pub fn opt_flag(v: Value) -> Option<bool> {
        bool_of(&v)
    }

    fn count_of(v: &Value) -> Option<u64> {
        let f = match v {
            Value::Number(n) => n.as_f64()?,
            Value::String(s) => crate::number::parse_f64(s.trim())?,
            _ => return None,
        };
        // `as` saturates: a huge count becomes u64::MAX, a negative one is refused.
        (f.is_finite() && f >= 0.0).then_some(f as u64)
    }

    /// A count: a numeric string too; `null`, a negative number or anything else is 0.
    pub fn count(v: Value) -> u32 {
        count_of(&v).map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// An optional count.
    pub fn opt_count(v: Value) -> Option<u64> {
        count_of(&v)
    }

    /// A size in bytes (as `count`, 64-bit).
    pub fn size(v: Value) -> u64 {
        count_of(&v).unwrap_or(0)
    }

    /// A required timestamp, normalised to epoch milliseconds: `null` or absent is 0 (unknown); a
    /// value that is there but is not a date fails, so that its item is reported, not misplaced.
    pub fn timestamp(v: Value) -> Result<i64, String> {
        if v.is_null() {
            return Ok(0);
        }
        timestamp_ms(&v).ok_or_else(|| format!("not a timestamp: {}", short(&v)))
    }

    /// An optional timestamp, normalised to epoch milliseconds; anything that is not a date is
    /// `None`.
    pub fn opt_timestamp(v: Value) -> Option<i64> {
        timestamp_ms(&v)
    }

    /// An optional enum kept as its raw string when unknown (`From<String>`); a non-string is
    /// `None`.
    pub fn opt_parsed<T: From<String>>(v: Value) -> Option<T> {
        match v {
            Value::String(s) => Some(T::from(s)),
            _ => None,
        }
    }

    /// An enum kept as its raw string when unknown; `null` or a non-string is its default.
    pub fn parsed<T: From<String> + Default>(v: Value) -> T {
        opt_parsed(v).unwrap_or_default()
    }

    /// An optional cursor the server may give as a string or as a number; `null`, an empty
    /// string or any other value is no cursor.
    pub fn cursor(v: Value) -> Option<String> {
        match v {
            Value::String(s) if !s.is_empty() => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A list: `null` or a non-array is empty; elements that are not objects or do not read are
    /// dropped.
    pub fn list<T: Read>(raw: &RawValue) -> Vec<T> {
        elements(raw)
            .into_iter()
            .filter_map(|item| decode_raw::<T>(item).ok())
            .collect()
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
    Ok(read::string(Value::deserialize(d)?))
}

/// An optional string ([`read::opt_string`]).
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(read::opt_string(Value::deserialize(d)?))
}

/// A flag ([`read::flag`]).
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(read::flag(Value::deserialize(d)?))
}

/// An optional flag ([`read::opt_flag`]).
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(read::opt_flag(Value::deserialize(d)?))
}

/// A count ([`read::count`]).
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(read::count(Value::deserialize(d)?))
}

/// An optional count ([`read::opt_count`]).
pub fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(read::opt_count(Value::deserialize(d)?))
}

/// A size in bytes ([`read::size`]).
pub fn size<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(read::size(Value::deserialize(d)?))
}

/// A required timestamp ([`read::timestamp`]).
pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    read::timestamp(Value::deserialize(d)?).map_err(D::Error::custom)
}

/// An optional timestamp ([`read::opt_timestamp`]).
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(read::opt_timestamp(Value::deserialize(d)?))
}

/// An optional enum kept as its raw string when unknown ([`read::opt_parsed`]).
pub fn opt_parsed<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(read::opt_parsed(Value::deserialize(d)?))
}

/// An enum kept as its raw string when unknown ([`read::parsed`]).
pub fn parsed<'de, D: Deserializer<'de>, T: From<String> + Default>(d: D) -> Result<T, D::Error> {
    Ok(read::parsed(Value::deserialize(d)?))
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
    serde_json::value::to_raw_value(&v).unwrap_or_else(|_| RawValue::NULL.to_owned())
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

/// A value cut short for an error message.
pub fn short(v: &Value) -> String {
    // serde_json's text (`compact`): `Display` would bring its own two writers (compact and
    // `{:#}`'s pretty one) of every `Value` into the module, and `Value`'s `Serialize` one
    // (issue 15).
    let mut text = String::new();
    compact(&mut text, v);
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// Appends `v` as serde_json writes it (`serde_json::to_string`): no spaces, an object's
/// members in its map's order, a number as its `Display` writes it (the same digits as its
/// `Serialize`: `itoa`'s, or `ryu`'s for a float, which a `Value` only holds finite), a string
/// escaped by serde_json's own string writer. Not `Value`'s `Serialize`, whose copy was in the
/// module for this alone.
fn compact(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (name, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, name);
                out.push(':');
                compact(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it (its own writer).
fn json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
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
                reason: format!("not an object: {}", short(&value_of(item))),
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
        Value::String(s) => Some(cut(&s)),
        _ => None,
    })
}

/// When `to` is absent, `null` or empty, takes the first of `from` that is a non-empty string.
pub fn alias(fields: &mut Members<'_>, to: &str, from: &[&str]) {
    let missing = match fields.value(to) {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    };
    if !missing {
        return;
    }
    let found = from.iter().find_map(|k| {
        let raw = fields.get(k)?;
        matches!(value_of(raw), Value::String(s) if !s.trim().is_empty()).then_some(raw)
    });
    if let Some(raw) = found {
        fields.insert(to, raw);
    }
}

/// The value of a piece of JSON text (checked JSON: see [`json_document`]); `null` if it is not.
pub fn value_of(raw: &RawValue) -> Value {
    serde_json::from_slice(raw.get().as_bytes()).unwrap_or(Value::Null)
}

/// A document checked to be JSON as `serde_json::Value` reads it (the same errors: nesting
/// deeper than 128, numbers out of range, bad UTF-8), kept as its text.
pub fn json_document(body: &[u8]) -> Result<&RawValue, serde_json::Error> {
    serde_json::from_slice::<members::Check>(body)?;
    serde_json::from_slice(body)
}

/// The elements of the array `raw`; `None` when it is not an array.
pub fn array(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_slice(raw.get().as_bytes()).ok()
}

/// The elements of the array `raw`; none when it is not an array.
fn elements(raw: &RawValue) -> Vec<&RawValue> {
    array(raw).unwrap_or_default()
}

mod members {
    use std::fmt;

    use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;
    use serde_json::value::RawValue;
    use serde_json::Value;

    /// An object's members as raw JSON text, sorted by name, each name once (its last value, as
    /// serde_json's `Map` keeps).
    pub struct Members<'a>(Vec<(String, &'a RawValue)>);

    impl<'a> Members<'a> {
        /// The members of `raw`; `None` when it is not an object.
        pub fn parse(raw: &'a RawValue) -> Option<Self> {
            let mut de = serde_json::Deserializer::from_slice(raw.get().as_bytes());
            let mut fields = de.deserialize_map(Split).ok()?;
            // Last of a repeated name wins: reversed, a stable sort puts it first, dedup keeps it.
            fields.reverse();
            crate::sort::sort_by(&mut fields, |a, b| a.0.cmp(&b.0));
            fields.dedup_by(|later, first| later.0 == first.0);
            Some(Members(fields))
        }

        fn find(&self, name: &str) -> Result<usize, usize> {
            self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
        }

        /// The raw value of member `name`.
        pub fn get(&self, name: &str) -> Option<&'a RawValue> {
            self.find(name).ok().map(|i| self.0[i].1)
        }

        /// The raw value of member `name`; `null` when it is missing.
        pub fn raw(&self, name: &str) -> &'a RawValue {
            self.get(name).unwrap_or(RawValue::NULL)
        }

        /// The value of member `name`; `null` when it is missing.
        pub fn value(&self, name: &str) -> Value {
            self.get(name).map_or(Value::Null, super::value_of)
        }

        /// Member `name` read by its type's own serde reader (a field with no tolerant reader);
        /// the error text is serde's, without a position.
        pub fn plain<T: DeserializeOwned>(&self, name: &str) -> Result<T, String> {
            serde_json::from_slice(self.raw(name).get().as_bytes()).map_err(|e| {
                let text = e.to_string();
                let at = format!(" at line {} column {}", e.line(), e.column());
                match text.strip_suffix(&at) {
                    Some(bare) if e.line() != 0 => bare.to_string(),
                    _ => text,
                }
            })
        }

        /// Sets member `name` to `raw`.
        pub fn insert(&mut self, name: &str, raw: &'a RawValue) {
            match self.find(name) {
                Ok(i) => self.0[i].1 = raw,
                Err(i) => self.0.insert(i, (name.to_string(), raw)),
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

    struct Split;

    impl<'de> Visitor<'de> for Split {
        type Value = Vec<(String, &'de RawValue)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(name) = map.next_key::<String>()? {
                out.push((name, map.next_value::<&'de RawValue>()?));
            }
            Ok(out)
        }
    }

    /// Reads a document the way `serde_json::Value` does and keeps nothing: the same checks, the
    /// same errors.
    pub struct Check;

    impl<'de> Deserialize<'de> for Check {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(CheckVisitor)
        }
    }

    struct CheckVisitor;

    impl<'de> Visitor<'de> for CheckVisitor {
        type Value = Check;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any valid JSON value")
        }

        fn visit_bool<E>(self, _: bool) -> Result<Check, E> {
            Ok(Check)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Check, E> {
            Ok(Check)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Check, E> {
            Ok(Check)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Check, E> {
            Ok(Check)
        }

        fn visit_str<E>(self, _: &str) -> Result<Check, E> {
            Ok(Check)
        }

        fn visit_unit<E>(self) -> Result<Check, E> {
            Ok(Check)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Check, A::Error> {
            while seq.next_element::<Check>()?.is_some() {}
            Ok(Check)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Check, A::Error> {
            while map.next_entry::<IgnoredAny, Check>()?.is_some() {}
            Ok(Check)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A value of every kind, nested, from a seed (xorshift): strings with every escape, the
    /// integers' and floats' edges, objects with keys out of order.
    fn any(seed: &mut u64, depth: u32) -> Value {
        let mut next = || {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed
        };
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

    /// `short`'s own writer writes what serde_json writes for the same value.
    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..5_000 {
            let v = any(&mut seed, 4);
            let mut ours = String::new();
            compact(&mut ours, &v);
            assert_eq!(ours, serde_json::to_string(&v).unwrap());
            kinds.insert(ours.chars().next());
        }
        assert!(kinds.len() >= 6, "{kinds:?}");
        let long = Value::String("x".repeat(100));
        assert_eq!(short(&long), format!("\"{}…", "x".repeat(39)));
    }
}
