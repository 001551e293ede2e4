//! Decoding that bends: field readers for `#[serde(deserialize_with)]` that take `null` as absent
//! and a value of another documented type for what it means, and never fail on a wrong type
//! (the field reads as absent instead). The one exception is a timestamp that is present but not
//! a date: its item cannot be placed in time, so it fails and is left out of its page by
//! [`sift_items`], reported in the page's `skipped`.
//!
//! Pages are read item by item: [`sift_items`] decodes each element of a page's array on its own,
//! keeps the ones that read and have their identity, and reports the others, so that one bad item
//! never fails a page.

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::time::timestamp_ms;

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

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string: a number or boolean is read as its text; `null` or anything else as `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(text_of(&Value::deserialize(d)?).unwrap_or_default())
}

/// An optional string: `null`, an array or an object is `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_of(&Value::deserialize(d)?))
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
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(bool_of(&Value::deserialize(d)?).unwrap_or(false))
}

/// An optional flag.
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(bool_of(&Value::deserialize(d)?))
}

fn count_of(v: &Value) -> Option<u64> {
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    // `as` saturates: a huge count becomes u64::MAX, a negative one is refused.
    (f.is_finite() && f >= 0.0).then_some(f as u64)
}

/// A count: a numeric string too; `null`, a negative number or anything else is 0.
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(count_of(&Value::deserialize(d)?).map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)))
}

/// An optional count.
pub fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(count_of(&Value::deserialize(d)?))
}

/// A size in bytes (as `count`, 64-bit).
pub fn size<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(count_of(&Value::deserialize(d)?).unwrap_or(0))
}

/// A required timestamp, normalised to epoch milliseconds: `null` or absent is 0 (unknown); a
/// value that is there but is not a date fails, so that its item is reported, not misplaced.
pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(0);
    }
    timestamp_ms(&v).ok_or_else(|| D::Error::custom(format!("not a timestamp: {}", short(&v))))
}

/// An optional timestamp, normalised to epoch milliseconds; anything that is not a date is `None`.
pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(timestamp_ms(&Value::deserialize(d)?))
}

/// A list: `null` or a non-array is empty; elements that do not read are dropped.
pub fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| decode::<T>(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// A nested object: `null`, a non-object or one that does not read is `None`.
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => decode::<T>(v).ok(),
        _ => None,
    })
}

/// A value cut short for an error message.
pub fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(REASON_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Decodes the array `value[key]` item by item into `T`, after `prepare` has filled in aliases
/// (e.g. `messageId` for a missing `messageUrn`) and `id_of` has found the item's id. An item that
/// is not an object, has no id, or does not read is left out and reported. Returns the items
/// that read and the skipped ones; `value[key]` is emptied.
pub fn sift_items<T: DeserializeOwned>(
    value: &mut Value,
    key: &str,
    prepare: fn(&mut Map<String, Value>),
    id_of: fn(&T) -> &str,
) -> (Vec<T>, Vec<SkippedItem>) {
    let items = match value.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let mut ok = Vec::with_capacity(items.len());
    let mut skipped = Vec::new();
    for (index, mut item) in items.into_iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let Value::Object(fields) = &mut item else {
            skipped.push(SkippedItem {
                index,
                id: None,
                reason: format!("not an object: {}", short(&item)),
            });
            continue;
        };
        prepare(fields);
        fill::<T>(fields);
        match T::deserialize(&item) {
            Ok(t) if !id_of(&t).trim().is_empty() => ok.push(t),
            Ok(_) => skipped.push(SkippedItem {
                index,
                id: None,
                reason: "it has no id".into(),
            }),
            Err(e) => skipped.push(SkippedItem {
                index,
                id: first_id(&item),
                reason: cut(&e.to_string()),
            }),
        }
    }
    (ok, skipped)
}

/// The first id-looking string field of an item, for a report.
fn first_id(item: &Value) -> Option<String> {
    [
        "messageUrn",
        "messageId",
        "conversationUrn",
        "conversationId",
        "id",
    ]
    .iter()
    .find_map(|k| item.get(*k).and_then(Value::as_str))
    .map(cut)
}

/// When `to` is absent, `null` or empty, takes the first of `from` that is a non-empty string.
pub fn alias(fields: &mut Map<String, Value>, to: &str, from: &[&str]) {
    let missing = match fields.get(to) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(_) => false,
    };
    if !missing {
        return;
    }
    let found = from.iter().find_map(|k| match fields.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    });
    if let Some(v) = found {
        fields.insert(to.into(), Value::String(v));
    }
}

/// An optional enum kept as its raw string when unknown (`From<String>`); a non-string is `None`.
pub fn opt_parsed<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(T::from(s)),
        _ => None,
    })
}

/// An enum kept as its raw string when unknown; `null` or a non-string is its default.
pub fn parsed<'de, D: Deserializer<'de>, T: From<String> + Default>(d: D) -> Result<T, D::Error> {
    Ok(opt_parsed(d)?.unwrap_or_default())
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

/// A nested object that is always there: `null`, a non-object or one that does not read is its
/// default.
pub fn object_or_default<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(object(d)?.unwrap_or_default())
}

/// The field names a struct type reads (its serde `FIELDS`), found by asking it to deserialize
/// from a probe that records them and stops; empty for anything that is not a struct.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut found = None;
    let _ = T::deserialize(probe::Probe(&mut found));
    found.unwrap_or(&[])
}

/// Fills every field `T` reads but `fields` lacks with `null`, which the field readers above
/// take as absent: a missing field is a `null` one. (The answer types declare no serde
/// `default` for the fields they always fill, so that TypeScript sees them as required.)
pub fn fill<T: DeserializeOwned>(fields: &mut Map<String, Value>) {
    for name in field_names::<T>() {
        if !fields.contains_key(*name) {
            fields.insert((*name).to_string(), Value::Null);
        }
    }
}

/// Decodes `v` as `T` after filling its missing fields.
pub fn decode<T: DeserializeOwned>(mut v: Value) -> Result<T, serde_json::Error> {
    if let Value::Object(fields) = &mut v {
        fill::<T>(fields);
    }
    T::deserialize(&v)
}

mod probe {
    use std::fmt;

    use serde::de::{self, Deserializer, Visitor};

    #[derive(Debug)]
    pub struct Stop;

    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("probe")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Stop
        }
    }

    pub struct Probe<'a>(pub &'a mut Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Stop> {
            *self.0 = Some(fields);
            Err(Stop)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
}
