//! The tag of serde's internally tagged enums (`#[serde(tag = "…")]`), for the readers that
//! replace serde's derived one (`RemoteFact::read_kind`, `SendState`'s): that reader buffers
//! every field into serde's private `Content` and copies the reader of every field type for that
//! buffer (issue 15: about 70 KB of the module for `RemoteFact`, 28 KB for `SendState`).

use std::fmt;

use serde::de::{Deserialize, Deserializer, Visitor};

/// A tag's text, read as serde's derived reader reads one: a string, else its
/// `invalid type: …, expected variant identifier`. The enum's reader says whether it names a
/// variant (serde's `unknown variant` error otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag(pub String);

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tag, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Tag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("variant identifier")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Tag, E> {
                Ok(Tag(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Tag, E> {
                Ok(Tag(v))
            }
        }
        d.deserialize_identifier(Text)
    }
}
