//! serde_json's text of a value, written by a serializer of our own whose per-type part is small
//! (issue 15). Through `serde_json::Serializer` every type's derived `Serialize` inlined serde_json's
//! state machine per field (the comma state, the key's escape, the check for its `RawValue`
//! token and its error); about 30 KB of the wasm was those copies. [`Ser`] keeps the structure
//! (`{`, `,`, `:`, `]`) in a few non-generic functions, so a field costs a call for its key and
//! one for its value, and hands every leaf (strings and their escapes, numbers, map keys) to
//! serde_json's own serializer: the text is serde_json's byte for byte (the tests hold it to
//! `serde_json::to_string` over generated values of every shape serde has).

use std::mem;

use serde::ser::{self, Serialize, Serializer as _};
use serde_json::ser::{Compound as JsonCompound, State};

/// `serde_json::to_string(value)`: the same text, the same errors (one exception: serde_json's
/// `RawValue`, which no written type holds, is refused instead of copied). Inlined: at a call
/// site it is the closure's address and a call of [`text`], smaller than a function per type.
#[inline(always)]
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    text(&|ser| value.serialize(ser))
}

#[inline(never)]
fn text(write: &dyn Fn(Ser<'_>) -> serde_json::Result<()>) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    write(Ser { out: &mut out })?;
    // serde_json writes UTF-8 only (to_string takes it unchecked): this never fails.
    String::from_utf8(out).map_err(ser::Error::custom)
}

/// JSON `text` with every character beyond ASCII written as its `\uXXXX` escape (UTF-16 code
/// units: two escapes for one beyond the BMP), so it stays the same JSON value; a text that is
/// all ASCII is handed back as it is. For text handed to JS (`JSON.parse` of a string copied out
/// of the module): a JS string made from UTF-8 with a single non-ASCII character anywhere is
/// held in two bytes a character, and Chromium's `TextDecoder` took 8× as long for it (a 28 KB
/// view with one emoji: 4.8 -> 37.7 µs), its `JSON.parse` longer too; all-ASCII text takes the
/// one-byte path, and only the escaped characters' own strings are two-byte. Valid for JSON
/// only: outside its strings, JSON text is ASCII.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm binding's caller
pub(crate) fn ascii_only(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut at = ascii_run(bytes, 0);
    if at == bytes.len() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 16);
    let mut start = 0;
    while at < bytes.len() {
        // `at` is a non-ASCII byte, a character's first (runs end on one).
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        out.push_str(text.get(start..at).unwrap_or_default());
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u");
            for shift in [12, 8, 4, 0] {
                out.push(char::from(HEX[usize::from((*unit >> shift) & 0xf)]));
            }
        }
        start = at + c.len_utf8();
        at = ascii_run(bytes, start);
    }
    out.push_str(text.get(start..).unwrap_or_default());
    std::borrow::Cow::Owned(out)
}

/// The index of the first byte at or after `from` that is not ASCII (`bytes.len()` if none),
/// passing over eight bytes at a time (a view's text is tens of KB).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm binding's caller
fn ascii_run(bytes: &[u8], mut from: usize) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = bytes
        .get(from..from + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    {
        if u64::from_ne_bytes(word) & HIGH != 0 {
            break;
        }
        from += 8;
    }
    while bytes.get(from).is_some_and(u8::is_ascii) {
        from += 1;
    }
    from
}

/// serde_json's serializer (compact) over the same buffer, for one leaf.
fn json(out: &mut Vec<u8>) -> serde_json::Serializer<&mut Vec<u8>> {
    serde_json::Serializer::new(out)
}

/// The name serde_json's `RawValue` serializes itself under.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// Writes JSON text into `out` as `&mut serde_json::Serializer<&mut Vec<u8>>` does.
pub(crate) struct Ser<'a> {
    out: &'a mut Vec<u8>,
}

/// An array or object being written: `state` as serde_json keeps it (`Empty` when its length
/// was given as 0 and it is already closed), `end` what closes it: a pointer and two bytes, which
/// the derived code moves cheaply (a 16-byte one, its closing bytes a slice, measured 1.2 KB
/// gzip more).
pub(crate) struct Compound<'a> {
    out: &'a mut Vec<u8>,
    state: State,
    end: End,
}

/// What closes a compound: `]`, `}`, or for an enum variant's `]}` and `}}` (whose first byte
/// an `Empty` one already wrote).
#[derive(Clone, Copy)]
enum End {
    Array,
    Object,
    VariantArray,
    VariantObject,
    /// serde_json's `RawValue` (the struct of its token), refused when it ends.
    Raw,
}

impl End {
    fn opening(self) -> u8 {
        match self {
            End::Array | End::VariantArray => b'[',
            End::Object | End::VariantObject | End::Raw => b'{',
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            End::Array => b"]",
            End::Object | End::Raw => b"}",
            End::VariantArray => b"]}",
            End::VariantObject => b"}}",
        }
    }
}

/// Writes `s` escaped as serde_json escapes it. Writing into a `Vec` never fails (serde_json's
/// `io::Write` for it has no error), so the `Result` is dropped here once.
fn escaped(out: &mut Vec<u8>, s: &str) {
    let _ = json(out).serialize_str(s);
}

/// Opens an array (`[`) or object (`{`), after `{"variant":` for an enum variant's, closed at
/// once when `len` is 0 (as serde_json does).
#[inline(never)]
fn open<'a>(
    out: &'a mut Vec<u8>,
    variant: Option<&str>,
    len: Option<usize>,
    end: End,
) -> Compound<'a> {
    if let Some(variant) = variant {
        out.push(b'{');
        escaped(out, variant);
        out.push(b':');
    }
    out.push(end.opening());
    let state = if len == Some(0) {
        out.extend_from_slice(end.bytes().get(..1).unwrap_or_default());
        State::Empty
    } else {
        State::First
    };
    Compound { out, state, end }
}

/// A struct's object; serde_json's `RawValue` one refused when it ends (its text is then not
/// used: the error is the result), so opening a struct cannot fail.
#[inline(never)]
fn open_struct<'a>(out: &'a mut Vec<u8>, name: &str, len: usize) -> Compound<'a> {
    let end = if name == RAW_TOKEN {
        End::Raw
    } else {
        End::Object
    };
    open(out, None, Some(len), end)
}

impl Compound<'_> {
    /// Before an array's element: the comma unless it is the first.
    #[inline(never)]
    fn element(&mut self) {
        if mem::replace(&mut self.state, State::Rest) != State::First {
            self.out.push(b',');
        }
    }

    /// A struct's field name: the comma unless it is the first, the escaped name, the colon.
    #[inline(never)]
    fn field(&mut self, key: &str) {
        self.element();
        escaped(self.out, key);
        self.out.push(b':');
    }

    #[inline(never)]
    fn close(self) -> serde_json::Result<()> {
        if let End::Raw = self.end {
            return Err(ser::Error::custom("raw JSON text is not written here"));
        }
        let end = self.end.bytes();
        let end = if self.state == State::Empty {
            end.get(1..).unwrap_or_default()
        } else {
            end
        };
        self.out.extend_from_slice(end);
        Ok(())
    }

    fn value(&mut self) -> Ser<'_> {
        Ser { out: self.out }
    }
}

/// One leaf through serde_json's serializer.
macro_rules! leaf {
    ($($name:ident($t:ty);)*) => {$(
        fn $name(self, v: $t) -> serde_json::Result<()> {
            json(self.out).$name(v)
        }
    )*};
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    leaf! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
    }

    fn serialize_none(self) -> serde_json::Result<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> serde_json::Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        // `{"variant":value}`: the object of one field, never empty.
        let mut c = open(self.out, None, None, End::Object);
        c.field(variant);
        value.serialize(c.value())?;
        c.close()
    }

    #[inline(always)]
    fn serialize_seq(self, len: Option<usize>) -> serde_json::Result<Compound<'a>> {
        Ok(open(self.out, None, len, End::Array))
    }

    #[inline(always)]
    fn serialize_tuple(self, len: usize) -> serde_json::Result<Compound<'a>> {
        Ok(open(self.out, None, Some(len), End::Array))
    }

    #[inline(always)]
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        Ok(open(self.out, None, Some(len), End::Array))
    }

    #[inline(always)]
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        Ok(open(self.out, Some(variant), Some(len), End::VariantArray))
    }

    #[inline(always)]
    fn serialize_map(self, len: Option<usize>) -> serde_json::Result<Compound<'a>> {
        Ok(open(self.out, None, len, End::Object))
    }

    #[inline(always)]
    fn serialize_struct(self, name: &'static str, len: usize) -> serde_json::Result<Compound<'a>> {
        Ok(open_struct(self.out, name, len))
    }

    #[inline(always)]
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> serde_json::Result<Compound<'a>> {
        Ok(open(self.out, Some(variant), Some(len), End::VariantObject))
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> serde_json::Result<()> {
        json(self.out).collect_str(value)
    }

    /// A `Vec`'s, a slice's or a set's array, as serde's default writes it but without asking
    /// the iterator its length (the default's `serialize_seq(len)` gives `[]` for an empty one
    /// either way): a copy of this per element type is smaller (issue 15).
    fn collect_seq<I>(self, iter: I) -> serde_json::Result<()>
    where
        I: IntoIterator,
        I::Item: Serialize,
    {
        let mut c = open(self.out, None, None, End::Array);
        for item in iter {
            c.element();
            item.serialize(c.value())?;
        }
        c.close()
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.element();
        value.serialize(self.value())
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    /// The key as serde_json writes a map's key (a string; a number, a bool or a char quoted;
    /// any other key the error "key must be a string"), through serde_json's own code for it.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> serde_json::Result<()> {
        let mut ser = json(self.out);
        let mut map = JsonCompound::Map {
            ser: &mut ser,
            state: mem::replace(&mut self.state, State::Rest),
        };
        map.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.out.push(b':');
        value.serialize(self.value())
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.field(key);
        value.serialize(self.value())
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = serde_json::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.field(key);
        value.serialize(self.value())
    }

    fn end(self) -> serde_json::Result<()> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt;

    use proptest::prelude::*;
    use serde::ser::{SerializeMap, SerializeSeq, SerializeStructVariant, SerializeTupleVariant};
    use serde::{Serialize, Serializer};
    use serde_json::{json, Value};

    use super::{ascii_only, to_string};

    /// `to_string`'s text is `serde_json::to_string`'s, or both fail with the same message.
    fn same<T: Serialize + ?Sized + fmt::Debug>(value: &T) {
        match (to_string(value), serde_json::to_string(value)) {
            (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{value:?}"),
            (Err(ours), Err(theirs)) => assert_eq!(ours.to_string(), theirs.to_string()),
            (ours, theirs) => panic!("{value:?}: {ours:?} where serde_json gives {theirs:?}"),
        }
    }

    /// The same text as `serde_json::to_string` (compact, the same escapes), and the same error
    /// where it has none.
    #[test]
    fn writes_what_serde_json_to_string_writes() {
        let values = [
            json!(null),
            json!("quote \" backslash \\ tab \t nul \u{0} é ✓ 😀 \u{2028}"),
            json!({"b": [1, -2, 3.5, 1e300, i64::MIN, u64::MAX], "a": {"x": true, "y": null}}),
            json!([[], {}, "", 0]),
        ];
        for v in &values {
            assert_eq!(to_string(v).unwrap(), serde_json::to_string(v).unwrap());
        }
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Record<'a> {
            sent_at: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            subject: Option<&'a str>,
            ids: &'a [&'a str],
        }
        for subject in [None, Some("Re: \"x\"")] {
            let record = Record {
                sent_at: -1,
                subject,
                ids: &["a", "b"],
            };
            assert_eq!(
                to_string(&record).unwrap(),
                serde_json::to_string(&record).unwrap()
            );
        }
        // A map whose keys are not strings has no JSON text: the same error.
        let bad: BTreeMap<Vec<u8>, u8> = BTreeMap::from([(vec![1], 2)]);
        assert_eq!(
            to_string(&bad).unwrap_err().to_string(),
            serde_json::to_string(&bad).unwrap_err().to_string()
        );
    }

    /// A sequence through `collect_seq` (as a `Vec`, a slice or a set writes itself), from an
    /// iterator whose length is known and from one whose length is not, empty or not, and one
    /// whose element has no JSON text: serde_json's text, and its error.
    #[test]
    fn a_collected_sequence_is_written_as_serde_json_writes_it() {
        #[derive(Debug)]
        struct Collected(Vec<i32>, bool);

        impl Serialize for Collected {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if self.1 {
                    s.collect_seq(&self.0)
                } else {
                    s.collect_seq(self.0.iter().filter(|v| **v >= 0))
                }
            }
        }
        for items in [vec![], vec![1], vec![-1], vec![1, -2, 3], vec![-1, -2]] {
            for exact in [true, false] {
                same(&Collected(items.clone(), exact));
                same(&[Collected(items.clone(), exact), Collected(vec![4], !exact)]);
            }
        }
        let bad = vec![BTreeMap::from([(1u8, 2u8)]), BTreeMap::new()];
        same(&vec![BTreeMap::from([(vec![1u8], 2u8)])]);
        same(&bad);
    }

    /// Strings with every escape serde_json makes and some it does not.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{0,3}",
            "[\u{0}-\u{7f}]{0,12}",
            "[\"\\\\\u{0}-\u{1f}\u{7f}é😀\u{2028}<>&']{0,8}",
            any::<String>(),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map(text(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Unit;

    #[derive(Debug, Serialize)]
    struct Newtype(String);

    #[derive(Debug, Serialize)]
    struct Pair(i32, Option<String>);

    #[derive(Debug, Serialize)]
    struct NoFields {}

    #[derive(Debug, Serialize)]
    struct NoElements();

    /// Every kind of variant, externally tagged (serde's default).
    #[derive(Debug, Serialize)]
    enum External {
        Unit,
        Newtype(String),
        #[serde(rename = "tu\"ple\u{1f}")]
        Tuple(u8, String),
        NoElements(),
        Struct {
            a: i64,
            b: Vec<String>,
        },
        NoFields {},
    }

    #[derive(Debug, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Internal {
        Unit,
        Struct { a: i64, text: String },
        Newtype(Newtype2),
    }

    /// A struct that is not flattened (so its fields go through the struct path), its field
    /// named with characters that need escapes.
    #[derive(Debug, Serialize)]
    struct Newtype2 {
        #[serde(rename = "in\"ner\\\u{1}\n")]
        inner: Option<bool>,
    }

    #[derive(Debug, Serialize)]
    #[serde(tag = "t", content = "c")]
    enum Adjacent {
        Unit,
        Tuple(i8, i8),
        Struct { x: u16 },
    }

    #[derive(Debug, Serialize)]
    #[serde(untagged)]
    enum Untagged {
        Text(String),
        Number(i64),
        Pair(Pair),
    }

    /// A value serde writes with `collect_str` (its `Display`).
    #[derive(Debug)]
    struct Shown(String);

    impl Serialize for Shown {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&format_args!("<{}>", self.0))
        }
    }

    /// Bytes through `serialize_bytes` (serde_json: an array of numbers).
    #[derive(Debug)]
    struct Bytes(Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }

    /// A sequence, a map and two variants that announce no elements and then write some
    /// (serde_json writes its `[]` first and commas after it; so must we).
    #[derive(Debug)]
    struct Misleading(Vec<i32>);

    impl Serialize for Misleading {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeTuple;
            let mut t = s.serialize_tuple(4)?;
            t.serialize_element(&Lying(self.0.clone(), 0))?;
            t.serialize_element(&Lying(self.0.clone(), 1))?;
            t.serialize_element(&Lying(self.0.clone(), 2))?;
            t.serialize_element(&Lying(self.0.clone(), 3))?;
            t.end()
        }
    }

    #[derive(Debug)]
    struct Lying(Vec<i32>, u8);

    impl Serialize for Lying {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.1 {
                0 => {
                    let mut seq = s.serialize_seq(Some(0))?;
                    for v in &self.0 {
                        seq.serialize_element(v)?;
                    }
                    seq.end()
                }
                1 => {
                    let mut map = s.serialize_map(Some(0))?;
                    for v in &self.0 {
                        map.serialize_entry(v, v)?;
                    }
                    map.end()
                }
                2 => {
                    let mut t = s.serialize_tuple_variant("L", 0, "tuple", 0)?;
                    for v in &self.0 {
                        t.serialize_field(v)?;
                    }
                    t.end()
                }
                _ => {
                    let mut t = s.serialize_struct_variant("L", 0, "struct", 0)?;
                    for _ in &self.0 {
                        t.serialize_field("k", &self.0)?;
                    }
                    t.end()
                }
            }
        }
    }

    /// One of each shape serde's `Serializer` has, with generated contents.
    #[derive(Debug, Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Shapes {
        unit: (),
        unit_struct: Unit,
        newtype: Newtype,
        pair: Pair,
        no_fields: NoFields,
        no_elements: NoElements,
        empty_tuple: (),
        externals: Vec<External>,
        internals: Vec<Internal>,
        adjacents: Vec<Adjacent>,
        untagged: Vec<Untagged>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        nothing: Option<String>,
        #[serde(rename = "\"odd\\ key\u{1}")]
        odd_key: bool,
        odd_struct: Newtype2,
        small: (i8, i16, i32, u8, u16, u32),
        wide: (i128, u128),
        floats: (f32, f64),
        c: char,
        shown: Shown,
        bytes: Bytes,
        by_text: BTreeMap<String, Value>,
        by_int: BTreeMap<i64, String>,
        by_bool: BTreeMap<bool, u8>,
        by_char: BTreeMap<char, u8>,
        by_unit_variant: BTreeMap<Key, u8>,
        by_newtype: BTreeMap<Newtype3, u8>,
        #[serde(flatten)]
        flat: Flat,
        misleading: Misleading,
    }

    #[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
    #[serde(rename_all = "camelCase")]
    enum Key {
        One,
        TwoWords,
    }

    #[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Newtype3(String);

    #[derive(Debug, Serialize)]
    struct Flat {
        flat_a: Option<i64>,
        flat_b: BTreeMap<String, i64>,
    }

    prop_compose! {
        fn shapes()(
            s in text(), t in text(), n in any::<i64>(), b in any::<bool>(),
            small in any::<(i8, i16, i32, u8, u16, u32)>(),
            wide in any::<(i128, u128)>(),
            floats in prop_oneof![
                any::<(f32, f64)>(),
                Just((f32::NAN, f64::INFINITY)),
                Just((f32::NEG_INFINITY, f64::NAN)),
                Just((0.1f32, -0.0f64)),
            ],
            c in any::<char>(),
            bytes in prop::collection::vec(any::<u8>(), 0..5),
            by_text in prop::collection::btree_map(text(), value(), 0..4),
            by_int in prop::collection::btree_map(any::<i64>(), text(), 0..4),
            by_char in prop::collection::btree_map(any::<char>(), any::<u8>(), 0..4),
            list in prop::collection::vec(text(), 0..3),
            ints in prop::collection::vec(any::<i32>(), 0..3),
            pick in 0usize..6,
        ) -> Shapes {
            Shapes {
                unit: (),
                unit_struct: Unit,
                newtype: Newtype(s.clone()),
                pair: Pair(small.2, b.then(|| t.clone())),
                no_fields: NoFields {},
                no_elements: NoElements(),
                empty_tuple: (),
                externals: vec![
                    External::Unit,
                    External::Newtype(s.clone()),
                    External::Tuple(small.3, t.clone()),
                    External::NoElements(),
                    External::Struct { a: n, b: list.clone() },
                    External::NoFields {},
                ]
                .split_off(pick),
                internals: vec![
                    Internal::Unit,
                    Internal::Struct { a: n, text: s.clone() },
                    Internal::Newtype(Newtype2 { inner: b.then_some(!b) }),
                ],
                adjacents: vec![
                    Adjacent::Unit,
                    Adjacent::Tuple(small.0, -small.0.saturating_abs()),
                    Adjacent::Struct { x: small.4 },
                ],
                untagged: vec![
                    Untagged::Text(t.clone()),
                    Untagged::Number(n),
                    Untagged::Pair(Pair(small.2, None)),
                ],
                skipped: b.then(|| s.clone()),
                nothing: (!b).then(|| t.clone()),
                odd_key: b,
                odd_struct: Newtype2 { inner: Some(b) },
                small,
                wide,
                floats,
                c,
                shown: Shown(t.clone()),
                bytes: Bytes(bytes),
                by_text,
                by_int,
                by_bool: BTreeMap::from([(b, 1), (!b, 2)]),
                by_char,
                by_unit_variant: BTreeMap::from([(Key::One, 1), (Key::TwoWords, 2)]),
                by_newtype: BTreeMap::from([(Newtype3(s.clone()), 3)]),
                flat: Flat {
                    flat_a: b.then_some(n),
                    flat_b: BTreeMap::from([(t.clone(), n)]),
                },
                misleading: Misleading(ints),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any JSON value: serde_json's text (its escapes, its numbers, its floats).
        #[test]
        fn a_value_is_written_as_serde_json_writes_it(v in value()) {
            same(&v);
        }

        /// Every shape of serde's data model (each kind of variant and compound, empty and
        /// not, skipped and flattened fields, every map key serde_json takes): serde_json's
        /// text, so a derived `Serialize` of any type writes the same bytes through either.
        #[test]
        fn every_shape_is_written_as_serde_json_writes_it(v in shapes()) {
            same(&v);
        }
    }

    /// Keys serde_json refuses are refused with its words, whatever the map's place.
    #[test]
    fn a_key_that_is_not_a_string_is_refused_in_serde_json_s_words() {
        same(&BTreeMap::from([((1, 2), 3)]));
        same(&vec![json!(1), json!({"a": null})]);
        same(&BTreeMap::from([(Some(1), 0)]));
        same(&BTreeMap::from([(Unit, 0)]));
        same(&BTreeMap::from([(vec![0u8], 0)]));
    }

    /// serde_json's `RawValue` is the one value refused (no written type holds one): an error,
    /// never other bytes.
    #[test]
    fn a_raw_value_is_refused() {
        let raw = serde_json::value::RawValue::from_string("{\"a\":1}".into()).unwrap();
        assert!(to_string(&raw).is_err());
        assert!(to_string(&vec![raw]).is_err());
    }

    /// Every character beyond ASCII escaped, at every offset from an eight-byte boundary, and
    /// the text still the same JSON value; all-ASCII text borrowed as it is.
    #[test]
    fn ascii_only_escapes_what_is_beyond_ascii_and_keeps_the_value() {
        let odd = [
            "",
            "plain",
            "é",
            "€",
            "😀",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
            "line\u{2028}sep\u{2029}",
            "quote \" backslash \\ \u{1} é",
            "\\u00e9 is text, not an escape",
        ];
        for s in odd {
            for pad in 0..17 {
                let value = json!({ "k€y": format!("{}{s}{}", "a".repeat(pad), "b".repeat(pad % 5)), "n": [1, s] });
                let text = serde_json::to_string(&value).unwrap();
                let out = ascii_only(&text);
                assert!(out.is_ascii(), "{out}");
                let back: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(back, value, "{text}");
                if text.is_ascii() {
                    assert!(matches!(out, std::borrow::Cow::Borrowed(_)));
                }
            }
        }
        assert_eq!(ascii_only("[\"é😀\"]"), "[\"\\u00e9\\ud83d\\ude00\"]");
    }
}
