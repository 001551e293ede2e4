//! LinkedIn URNs: a strict parser for the grammar in CONTRACT.md, a canonical `Display`, input
//! cleaning (trim, percent-decoding), the canonical ids `MessageId`, `ConversationId` and
//! `ProfileId`, and percent-encoding of URNs for API paths.
//!
//! STUB: public API fixed; bodies to be written (issue 2).

use std::fmt;

/// Longest URN accepted, in bytes.
pub const MAX_URN_BYTES: usize = 512;

/// What went wrong while reading a URN, with a stable machine-readable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct UrnError {
    pub code: UrnErrorCode,
    /// Byte offset into the (cleaned) input where the problem was found.
    pub offset: usize,
    pub message: String,
}

/// Stable error codes; `as_str` is what crosses to JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrnErrorCode {
    NotAUrn,
    BadNamespace,
    BadEntityType,
    EmptyKey,
    EmptyPart,
    Unbalanced,
    TooLong,
    BadEncoding,
    WrongKind,
}

impl UrnErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            UrnErrorCode::NotAUrn => "not_a_urn",
            UrnErrorCode::BadNamespace => "bad_namespace",
            UrnErrorCode::BadEntityType => "bad_entity_type",
            UrnErrorCode::EmptyKey => "empty_key",
            UrnErrorCode::EmptyPart => "empty_part",
            UrnErrorCode::Unbalanced => "unbalanced",
            UrnErrorCode::TooLong => "too_long",
            UrnErrorCode::BadEncoding => "bad_encoding",
            UrnErrorCode::WrongKind => "wrong_kind",
        }
    }
}

/// One key or tuple part: plain text, a nested URN, or a tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    Text(String),
    Urn(Box<Urn>),
    Tuple(Vec<Part>),
}

/// A parsed URN `urn:<namespace>:<entityType>:<key>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Urn {
    namespace: String,
    entity_type: String,
    key: Part,
}

impl Urn {
    /// Strict parse of an already clean URN string.
    pub fn parse(_s: &str) -> Result<Urn, UrnError> {
        todo!()
    }
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
    pub fn entity_type(&self) -> &str {
        &self.entity_type
    }
    pub fn key(&self) -> &Part {
        &self.key
    }
}

impl fmt::Display for Urn {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

/// Trim and percent-decode input from a page or a URL (`(` `)` raw or encoded; `+` stays `+`).
pub fn clean(_input: &str) -> Result<String, UrnError> {
    todo!()
}

/// Percent-encode a URN (or any id) for one API path segment: everything outside the unreserved set.
pub fn encode_path_segment(_s: &str) -> String {
    todo!()
}

/// The invariant id of one message (`2-…`), whatever URN form or mailbox prefix it came under.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MessageId(String);

impl MessageId {
    pub fn parse(_input: &str) -> Result<MessageId, UrnError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The invariant id of one conversation; Sales Navigator threads are kept apart from inbox threads.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ConversationId(String);

impl ConversationId {
    pub fn parse(_input: &str) -> Result<ConversationId, UrnError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_sales_nav(&self) -> bool {
        todo!()
    }
}

/// The invariant id of one LinkedIn member profile.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ProfileId(String);

impl ProfileId {
    pub fn parse(_input: &str) -> Result<ProfileId, UrnError> {
        todo!()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
