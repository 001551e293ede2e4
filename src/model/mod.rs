//! Wire types for every request and response of the API contract (serde, camelCase).
//! Decoding tolerates unknown fields and missing optional ones; both error shapes decode. The
//! simulator serializes these same types, so client and server cannot drift apart.

mod account;
mod conversation;
mod error;
mod event;
mod message;
mod send;

pub use account::*;
pub use conversation::*;
pub use error::*;
pub use event::*;
pub use message::*;
pub use send::*;

/// Deserialize an optional cursor the server may give as a string or as a number.
pub(crate) mod cursor {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(serde_json::Number),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<Raw>::deserialize(d)?.map(|r| match r {
            Raw::S(s) => s,
            Raw::N(n) => n.to_string(),
        }))
    }
}
