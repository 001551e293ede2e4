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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::to_string;

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
}
