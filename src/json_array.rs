//! A JSON array's items as raw JSON text, read by one serde visitor for the whole module (issue
//! 15): serde_json's `deserialize_seq` and `next_element_seed` are a copy per visitor and per
//! item seed, where serde's `Vec<&RawValue>` reader (an answer's arrays, a stored record's
//! lists) and a visitor for each shape of the stored records' lists (of records, of pairs, a
//! pair) were four of each. The items, their errors and the errors' positions are serde's
//! readers' own: the same reads of serde_json's reader, in the same order.

use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, Error as _, SeqAccess, Visitor};
use serde_json::value::RawValue;

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
