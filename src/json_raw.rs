//! A JSON value's parts as raw JSON text: an array's items, an object's members, each read by
//! one serde visitor for the whole module (issue 15). serde_json's `deserialize_seq`,
//! `deserialize_map` and their element and key readers are a copy per visitor and per seed,
//! where serde's `Vec<&RawValue>` reader (an answer's arrays, a stored record's lists), a
//! visitor for each shape of the stored records' lists (of records, of pairs, a pair) and an
//! object splitter each for answers and stored records were six of each. The parts, their
//! errors and the errors' positions are those readers' own: the same reads of serde_json's
//! reader, in the same order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;

/// The members of the object `json` in the text's order, repeated names included (a name
/// borrowed from the text unless it has escapes); serde_json's error (with its position, the
/// value `expecting` what it is not) when `json` is not one object or has anything after it.
#[inline(never)]
pub(crate) fn members<'a>(
    json: &'a [u8],
    expecting: &'static str,
) -> Result<Vec<(Cow<'a, str>, &'a RawValue)>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let members = de.deserialize_map(Split(expecting))?;
    de.end()?;
    Ok(members)
}

/// Splits an object into its members (see [`members`]).
struct Split(&'static str);

impl<'de> Visitor<'de> for Split {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Name(name)) = map.next_key()? {
            out.push((name, map.next_value()?));
        }
        Ok(out)
    }
}

/// A member's name, borrowed from the text unless it has escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(s)))
            }

            fn visit_str<E>(self, s: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The items of the array `raw`, as serde's `Vec<&RawValue>` reader reads them (its errors:
/// `expected a sequence` for a value that is not an array).
#[inline(never)]
pub(crate) fn items(raw: &RawValue) -> Result<Vec<&RawValue>, serde_json::Error> {
    let mut out = Vec::new();
    read(raw, Shape::Items, &mut |_, item| {
        out.push(item);
        Ok(())
    })?;
    Ok(out)
}

/// The JSON array `raw` read as `shape` says, each item (or each half of each pair) handed to
/// `read` as it is read, with whether it is a pair's second half; an error of `read` becomes
/// serde_json's error there (with its position), as the item's own reader's would.
#[inline(never)]
pub(crate) fn read<'a>(
    raw: &'a RawValue,
    shape: Shape,
    read: &mut dyn FnMut(bool, &'a RawValue) -> Result<(), String>,
) -> Result<(), serde_json::Error> {
    Seq { shape, read }.deserialize(&mut serde_json::Deserializer::from_slice(
        raw.get().as_bytes(),
    ))
}

/// What [`read`] reads.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    /// A list of items, as serde reads a `Vec` of them.
    Items,
    /// A list of pairs, as serde reads a `Vec<(A, B)>`: a sequence of two-element sequences,
    /// each half read before the next is looked at.
    Pairs,
    /// One pair, as serde's tuple reader reads it (`deserialize_tuple` of 2: the same
    /// expectation and length errors).
    Pair,
}

/// The one visitor of [`read`]: a list, or a pair.
struct Seq<'r, 'a> {
    shape: Shape,
    read: &'r mut dyn FnMut(bool, &'a RawValue) -> Result<(), String>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Seq<'_, 'a> {
    type Value = ();

    /// serde_json's `deserialize_tuple` is its `deserialize_seq`.
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Seq<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.shape == Shape::Pair {
            "a tuple of size 2"
        } else {
            "a sequence"
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let pair = self.shape == Shape::Pair;
        let mut i = 0;
        // A pair stops after its second half: serde_json then refuses a third.
        while !(pair && i == 2) {
            let item = Item {
                pair: self.shape == Shape::Pairs,
                second: pair && i == 1,
                read: &mut *self.read,
            };
            if seq.next_element_seed(item)?.is_none() {
                if pair {
                    return Err(A::Error::invalid_length(i, &self));
                }
                break;
            }
            i += 1;
        }
        Ok(())
    }
}

/// An item of a [`Seq`]: a pair of [`Shape::Pairs`], else handed to `read` as its text.
struct Item<'r, 'a> {
    pair: bool,
    second: bool,
    read: &'r mut dyn FnMut(bool, &'a RawValue) -> Result<(), String>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for Item<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.pair {
            return Seq {
                shape: Shape::Pair,
                read: self.read,
            }
            .deserialize(d);
        }
        let raw = <&'de RawValue>::deserialize(d)?;
        (self.read)(self.second, raw).map_err(D::Error::custom)
    }
}
