//! serde_json's text of a value through one non-generic body (issue 15): `serde_json::to_string`
//! inlined its buffer, its error handling and the text's conversion into every caller's copy per
//! value type; here only the call of the value's `Serialize` is per type.

use serde::Serialize;

/// The serializer `serde_json::to_string` writes with (so every type's `Serialize` for it is the
/// one already in the module).
type Writer<'a> = serde_json::Serializer<&'a mut Vec<u8>>;

/// `serde_json::to_string(value)`: the same text, the same errors.
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    text(&|ser| value.serialize(ser))
}

#[inline(never)]
fn text(write: &dyn Fn(&mut Writer<'_>) -> serde_json::Result<()>) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    write(&mut serde_json::Serializer::new(&mut out))?;
    // serde_json writes UTF-8 only (to_string takes it unchecked): this never fails.
    String::from_utf8(out).map_err(serde::ser::Error::custom)
}
