//! LinkedIn URNs: a strict parser for the grammar in CONTRACT.md, a canonical `Display`, input
//! cleaning (trim, percent-decoding), the canonical ids `MessageId`, `ConversationId` and
//! `ProfileId`, and percent-encoding of URNs for API paths.
//!
//! One message or conversation reaches us under many names (mailbox-prefixed URNs, backend URNs,
//! older `fs_*` URNs, page URLs, bare ids); the id types keep only the invariant part, so that the
//! store has one key per thing. Nothing here panics on any input.
//!
//! Decisions, so that callers can rely on them:
//! - Error offsets are byte offsets, always on a char boundary, into the string the failing step
//!   read: the input as given for encoding and URL errors, the cleaned URN for grammar and kind
//!   errors.
//! - [`clean`] percent-decodes until no `%` is left: a URN never contains `%` (there is no
//!   escaping inside a URN, and base64 ids use `+ / =` only), so a `%` that survives one round is
//!   left over from double encoding (`%2528`). `+` is never decoded to a space.
//! - A bare id must carry its own shape, since nothing else says what it is: a message or
//!   conversation id is `2-` then base64 characters, a profile id `ACoAA` then base64url
//!   characters. Inside a URN or URL of the right kind, any id made of base64/base64url characters
//!   (plus `.` and `~`) is accepted, because the container already names the kind (older threads
//!   have numeric ids, for example).
//! - Sales Navigator threads are a separate id space: their canonical form is `salesNav:<id>`.
//!   `urn:li:member:<n>` numbers cannot be mapped to `ACoAA…` ids, so they stay `member:<n>`;
//!   vanity slugs from profile URLs likewise stay `slug:<slug>` (lowercased, as LinkedIn treats
//!   them). Each canonical string parses back to the same id.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Longest URN accepted, in bytes.
pub const MAX_URN_BYTES: usize = 512;

/// What went wrong while reading a URN, with a stable machine-readable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct UrnError {
    /// What kind of problem this is; stable across versions.
    pub code: UrnErrorCode,
    /// Byte offset into the (cleaned) input where the problem was found.
    pub offset: usize,
    /// A human-readable explanation, not meant for matching.
    pub message: String,
}

impl UrnError {
    fn new(code: UrnErrorCode, offset: usize, message: impl Into<String>) -> UrnError {
        UrnError {
            code,
            offset,
            message: message.into(),
        }
    }

    fn shifted(mut self, by: usize) -> UrnError {
        self.offset += by;
        self
    }
}

/// Stable error codes; `as_str` is what crosses to JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrnErrorCode {
    /// Does not start with `urn:`, lacks one of its `:` separators, or is not a recognised id.
    NotAUrn,
    /// The namespace is not `[a-z][a-z0-9-]{0,31}`.
    BadNamespace,
    /// The entity type is not `[a-z][a-zA-Z0-9_]*`.
    BadEntityType,
    /// Nothing after the entity type (or an empty id).
    EmptyKey,
    /// A tuple has an empty part: `()`, `(a,,b)`, `(a,)`.
    EmptyPart,
    /// A parenthesis is not closed, closes nothing, or text follows a tuple's closing one.
    Unbalanced,
    /// Longer than [`MAX_URN_BYTES`].
    TooLong,
    /// A `%` escape is malformed or decodes to invalid UTF-8.
    BadEncoding,
    /// A well-formed URN or URL, but not of the kind asked for (or its id has the wrong shape).
    WrongKind,
}

impl UrnErrorCode {
    /// The stable snake_case name of this code.
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

use UrnErrorCode::*;

/// One key or tuple part: plain text, a nested URN, or a tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// Text with no structure of its own (it may still hold balanced parentheses and colons).
    Text(String),
    /// A nested URN, such as the mailbox in `msg_message:(urn:li:fsd_profile:…,2-…)`.
    Urn(Box<Urn>),
    /// Two or more parts; a one-part tuple `(x)` is always normalized to `x`.
    Tuple(Vec<Part>),
}

impl Part {
    /// The text, if this part is plain text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Part::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The nested URN, if this part is one.
    pub fn as_urn(&self) -> Option<&Urn> {
        match self {
            Part::Urn(u) => Some(u),
            _ => None,
        }
    }
}

impl fmt::Display for Part {
    /// Writes the part as it appears in a canonical URN.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Text(t) => f.write_str(t),
            Part::Urn(u) => u.fmt(f),
            Part::Tuple(parts) => {
                f.write_str("(")?;
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    p.fmt(f)?;
                }
                f.write_str(")")
            }
        }
    }
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
    pub fn parse(s: &str) -> Result<Urn, UrnError> {
        if s.len() > MAX_URN_BYTES {
            return Err(too_long(s));
        }
        parse_urn(s, 0, s.len())
    }

    /// The namespace, `li` for nearly everything LinkedIn sends.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The entity type, case-sensitive (`msg_message`, `salesNav_thread`).
    pub fn entity_type(&self) -> &str {
        &self.entity_type
    }

    /// The key: text, a nested URN, or a tuple of two or more parts.
    pub fn key(&self) -> &Part {
        &self.key
    }

    /// The tuple parts of the key, or the key alone as a one-element slice.
    pub fn parts(&self) -> &[Part] {
        match &self.key {
            Part::Tuple(parts) => parts,
            key => std::slice::from_ref(key),
        }
    }
}

impl fmt::Display for Urn {
    /// The canonical form: no redundant parentheses, so `parse(display(u)) == u`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "urn:{}:{}:{}",
            self.namespace, self.entity_type, self.key
        )
    }
}

impl FromStr for Urn {
    type Err = UrnError;

    /// Same as [`Urn::parse`].
    fn from_str(s: &str) -> Result<Urn, UrnError> {
        Urn::parse(s)
    }
}

fn too_long(s: &str) -> UrnError {
    UrnError::new(
        TooLong,
        floor_char_boundary(s, MAX_URN_BYTES),
        format!("longer than {MAX_URN_BYTES} bytes ({} bytes)", s.len()),
    )
}

/// `str::floor_char_boundary` is newer than our minimum Rust version.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Names the character at `i` for an error message (`i` is always a char boundary here).
fn char_at(s: &str, i: usize) -> String {
    s.get(i..)
        .and_then(|rest| rest.chars().next())
        .map_or_else(String::new, |c| format!("{c:?}"))
}

/// Parses `s[start..end]` as a whole URN; offsets in errors are into `s`.
fn parse_urn(s: &str, start: usize, end: usize) -> Result<Urn, UrnError> {
    let b = s.as_bytes();
    if !s[start..end].starts_with("urn:") {
        return Err(UrnError::new(NotAUrn, start, "expected 'urn:'"));
    }
    let ns_start = start + 4;
    let ns_end = read_name(s, ns_start, end, Name::Namespace)?;
    let ty_start = ns_end + 1;
    let ty_end = read_name(s, ty_start, end, Name::EntityType)?;
    let key_start = ty_end + 1;
    if key_start == end {
        return Err(UrnError::new(
            EmptyKey,
            end,
            "nothing after the entity type",
        ));
    }
    check_balance(b, key_start, end)?;
    Ok(Urn {
        namespace: s[ns_start..ns_end].to_owned(),
        entity_type: s[ty_start..ty_end].to_owned(),
        key: parse_part(s, key_start, end)?,
    })
}

#[derive(Clone, Copy)]
enum Name {
    Namespace,
    EntityType,
}

/// Reads a namespace or entity type from `from`; returns the offset of the `:` that ends it.
fn read_name(s: &str, from: usize, end: usize, name: Name) -> Result<usize, UrnError> {
    let (code, what, max_len) = match name {
        Name::Namespace => (BadNamespace, "namespace", 32),
        Name::EntityType => (BadEntityType, "entity type", usize::MAX),
    };
    for (i, &c) in s.as_bytes()[..end].iter().enumerate().skip(from) {
        if c == b':' {
            if i == from {
                return Err(UrnError::new(code, i, format!("empty {what}")));
            }
            return Ok(i);
        }
        let ok = if i == from {
            c.is_ascii_lowercase()
        } else {
            match name {
                Name::Namespace => c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-',
                Name::EntityType => c.is_ascii_alphanumeric() || c == b'_',
            }
        };
        if !ok {
            // Every earlier byte was ASCII, so `i` starts a character.
            return Err(UrnError::new(
                code,
                i,
                format!("unexpected {} in {what}", char_at(s, i)),
            ));
        }
        if i - from >= max_len {
            return Err(UrnError::new(
                code,
                i,
                format!("{what} longer than {max_len} characters"),
            ));
        }
    }
    Err(UrnError::new(
        NotAUrn,
        end,
        format!("expected ':' after the {what}"),
    ))
}

/// Checks that parentheses in `b[start..end]` balance, so that tuple parsing may assume it.
fn check_balance(b: &[u8], start: usize, end: usize) -> Result<(), UrnError> {
    let mut depth = 0usize;
    // Once depth is back to zero everything before is closed, so only the latest outermost `(`
    // can be the unclosed one.
    let mut outer_open = start;
    for (i, &c) in b[..end].iter().enumerate().skip(start) {
        match c {
            b'(' => {
                if depth == 0 {
                    outer_open = i;
                }
                depth += 1;
            }
            b')' => {
                if depth == 0 {
                    return Err(UrnError::new(Unbalanced, i, "')' closes nothing"));
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(UrnError::new(Unbalanced, outer_open, "'(' is never closed"));
    }
    Ok(())
}

/// Parses one key or tuple part `s[start..end]`, whose parentheses are known to balance.
fn parse_part(s: &str, start: usize, end: usize) -> Result<Part, UrnError> {
    if start == end {
        return Err(UrnError::new(EmptyPart, start, "empty tuple part"));
    }
    if s.as_bytes()[start] == b'(' {
        return parse_tuple(s, start, end);
    }
    if s[start..end].starts_with("urn:") {
        return Ok(Part::Urn(Box::new(parse_urn(s, start, end)?)));
    }
    Ok(Part::Text(s[start..end].to_owned()))
}

/// Parses a tuple `( … )` that must span all of `s[start..end]`, splitting at depth one only.
fn parse_tuple(s: &str, start: usize, end: usize) -> Result<Part, UrnError> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut parts = Vec::new();
    let mut part_start = start + 1;
    for (i, &c) in b[..end].iter().enumerate().skip(start) {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if i + 1 != end {
                        return Err(UrnError::new(
                            Unbalanced,
                            i + 1,
                            "text after the tuple's closing ')'",
                        ));
                    }
                    parts.push(parse_part(s, part_start, i)?);
                    // `(x)` means `x`: normalizing here makes equal URNs compare equal.
                    return Ok(match <[Part; 1]>::try_from(parts) {
                        Ok([only]) => only,
                        Err(parts) => Part::Tuple(parts),
                    });
                }
            }
            b',' if depth == 1 => {
                parts.push(parse_part(s, part_start, i)?);
                part_start = i + 1;
            }
            _ => {}
        }
    }
    // Unreachable after `check_balance`, but an error is cheaper than trusting that forever.
    Err(UrnError::new(Unbalanced, start, "'(' is never closed"))
}

/// Longest raw input the cleaning and the id parsers read, in bytes, checked before any
/// trimming or decoding. A URN is at most [`MAX_URN_BYTES`]; encoded twice (`%25XX` per byte) it
/// is at most five times that, 2560 bytes, and a page URL adds its scheme, host, path and query.
/// Anything longer cannot name one thing, so it is refused as [`UrnErrorCode::TooLong`] at once:
/// this bound is what keeps every step after it cheap on hostile input.
pub const MAX_INPUT_BYTES: usize = 8 * MAX_URN_BYTES;

/// Most rounds of percent-decoding [`clean`] applies. Single and double encoding are common and
/// triple encoding is seen (a URL inside a query parameter inside a URL); input still holding a
/// `%` after four rounds is refused as [`UrnErrorCode::BadEncoding`]. With [`MAX_INPUT_BYTES`]
/// this keeps decoding linear: at most four passes over at most 4 KB.
pub const MAX_DECODE_ROUNDS: usize = 4;

/// Refuses input longer than [`MAX_INPUT_BYTES`] before anything reads it.
fn check_input_len(input: &str) -> Result<(), UrnError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(UrnError::new(
            TooLong,
            floor_char_boundary(input, MAX_INPUT_BYTES),
            format!(
                "input of {} bytes; a URN is at most {MAX_URN_BYTES} bytes and its encoded forms \
                 at most {MAX_INPUT_BYTES}",
                input.len()
            ),
        ));
    }
    Ok(())
}

/// Trim and percent-decode input from a page or a URL (`(` `)` raw or encoded; `+` stays `+`).
///
/// Decodes repeatedly until no `%` is left (see the module doc for why), at most
/// [`MAX_DECODE_ROUNDS`] times; input longer than [`MAX_INPUT_BYTES`] is refused before any of
/// it is read. Error offsets are into `input` as given.
pub fn clean(input: &str) -> Result<String, UrnError> {
    check_input_len(input)?;
    let lead = input.len() - input.trim_start().len();
    let trimmed = input.trim();
    if !trimmed.contains('%') {
        return Ok(trimmed.to_owned());
    }
    // `origin[i]`: where in `trimmed` byte `i` of the current round's text came from, so that an
    // error in a later round points at the escape that produced it.
    let mut current = trimmed.as_bytes().to_vec();
    let mut origin: Vec<usize> = (0..current.len()).collect();
    for _ in 0..MAX_DECODE_ROUNDS {
        let (next, next_origin) = match decode_once(&current, &origin) {
            Ok(decoded) => decoded,
            Err(at) => return Err(bad_encoding(trimmed, lead, at)),
        };
        current = next;
        origin = next_origin;
        if let Err(e) = std::str::from_utf8(&current) {
            let at = origin
                .get(e.valid_up_to())
                .copied()
                .unwrap_or(trimmed.len());
            return Err(bad_encoding(trimmed, lead, at));
        }
        if !current.contains(&b'%') {
            // Checked just above: every round's output is valid UTF-8.
            return String::from_utf8(current).map_err(|_| bad_encoding(trimmed, lead, 0));
        }
    }
    let at = current
        .iter()
        .position(|&c| c == b'%')
        .and_then(|i| origin.get(i).copied())
        .unwrap_or(0);
    Err(UrnError::new(
        BadEncoding,
        lead + floor_char_boundary(trimmed, at),
        format!("still percent-encoded after {MAX_DECODE_ROUNDS} rounds of decoding"),
    ))
}

fn bad_encoding(trimmed: &str, lead: usize, at: usize) -> UrnError {
    UrnError::new(
        BadEncoding,
        lead + floor_char_boundary(trimmed, at),
        "malformed percent-encoding",
    )
}

/// One round of `%XX` decoding of `b`, whose bytes came from `origin`; on failure, the origin
/// of the offending escape. Linear in `b`.
fn decode_once(b: &[u8], origin: &[usize]) -> Result<(Vec<u8>, Vec<usize>), usize> {
    let mut out = Vec::with_capacity(b.len());
    let mut out_origin = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let from = origin.get(i).copied().unwrap_or(0);
        if b[i] == b'%' {
            let hi = b.get(i + 1).and_then(|&c| hex_value(c));
            let lo = b.get(i + 2).and_then(|&c| hex_value(c));
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(from),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
        out_origin.push(from);
    }
    Ok((out, out_origin))
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-encode a URN (or any id) for one API path segment: all but `A-Z a-z 0-9 - _ . ~`.
pub fn encode_path_segment(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
            out.push(c as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(c >> 4)] as char);
            out.push(HEX[usize::from(c & 15)] as char);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Canonical ids

/// Characters of an id inside a URN or URL: base64 and base64url, plus `.` and `~`.
/// Notably not `:`, so that no inbox id can be mistaken for a `salesNav:` or `member:` one.
fn is_id_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-' | b'.' | b'~')
}

/// `.` and `..` are made of id characters but would name another path if an id were ever put
/// in one unencoded: never an id, nor part of one between `/`s (base64 ids hold no `.`).
fn is_dot_segment(s: &str) -> bool {
    // Most ids hold no `.` at all: one byte scan answers them (the split alone was most of
    // reading a message id from a merged page, issue 15).
    s.as_bytes().contains(&b'.') && s.split('/').any(|part| part == "." || part == "..")
}

/// Whether `s` could be an id inside a URN or URL: id characters only, not empty, not a dot
/// segment, no longer than a URN.
fn is_inner_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_URN_BYTES && !is_dot_segment(s) && s.bytes().all(is_id_byte)
}

/// Whether `s` is a bare message or conversation id: `2-` then at least one id character.
fn is_bare_thing_id(s: &str) -> bool {
    s.len() > 2 && s.starts_with("2-") && s.bytes().all(is_id_byte)
}

/// Whether `s` is a bare profile id: `ACoAA` then base64url characters.
fn is_bare_profile_id(s: &str) -> bool {
    s.starts_with("ACoAA")
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Whether `s` is a vanity slug as it appears in `/in/<slug>/` once decoded.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| crate::unicode::is_alphanumeric(c) || matches!(c, '-' | '_' | '.'))
}

// ---- the fast paths ------------------------------------------------------------------------
//
// Most ids come in a handful of plain forms (no percent-encoding, no spaces, LinkedIn's own id
// alphabet). These read them in one pass over the bytes, with no decoding, no `Urn` tree and
// no allocation but the answer. Each accepts only what the full parser accepts with the same
// answer (a subset: `.` and `~`, padding spaces, encodings and every rarer form go to the full
// parser), which the differential tests check over the corpus and generated inputs.

// The crate is built for size (`opt-level = "z"`), where the readable forms of these checks
// (`bytes().all(closure)`, `split_once(char)`, a list of types) stayed calls per byte: 748 ns for
// a 114-byte `msg_message` tuple in wasm. Hence one table lookup per byte and plain loops.

/// Byte class of the fast paths: base64 and base64url, without `.` and `~` (so no dot segment).
const PLAIN: u8 = 1;
/// Byte class of a bare profile id: base64url.
const PROFILE: u8 = 2;
/// The classes of every byte.
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        #[allow(clippy::cast_possible_truncation)] // c < 256
        let b = c as u8;
        table[c] = if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            PLAIN | PROFILE
        } else if b == b'+' || b == b'/' || b == b'=' {
            PLAIN
        } else {
            0
        };
        c += 1;
    }
    table
};

/// Whether every byte of `s` is of `class`.
#[inline(always)]
fn all_of(s: &[u8], class: u8) -> bool {
    for &c in s {
        if CLASS[usize::from(c)] & class == 0 {
            return false;
        }
    }
    true
}

/// Where the first `byte` of `s` is.
#[inline(always)]
fn find(s: &[u8], byte: u8) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        if s[i] == byte {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The whole of `s` is `2-` and at least one plain id byte.
fn is_plain_thing_id(s: &[u8]) -> bool {
    s.len() > 2 && s[0] == b'2' && s[1] == b'-' && all_of(&s[2..], PLAIN)
}

/// The whole of `s` is a bare `ACoAA…` profile id.
fn is_plain_profile_id(s: &[u8]) -> bool {
    s.starts_with(b"ACoAA") && all_of(s, PROFILE)
}

/// The whole of `s` is `urn:li:fsd_profile:ACoAA…`.
fn is_plain_profile_urn(s: &[u8]) -> bool {
    s.strip_prefix(b"urn:li:fsd_profile:")
        .is_some_and(is_plain_profile_id)
}

/// `urn:li:<type>:<key>` (at most [`MAX_URN_BYTES`]): the type, and where the key starts.
fn plain_urn(s: &[u8]) -> Option<(&[u8], usize)> {
    if s.len() > MAX_URN_BYTES {
        return None;
    }
    let rest = s.strip_prefix(b"urn:li:")?;
    let colon = find(rest, b':')?;
    Some((&rest[..colon], 7 + colon + 1))
}

/// The key of `s` from `at` when it is a plain id of `ok`: where it is.
fn plain_single(s: &[u8], at: usize, ok: fn(&[u8]) -> bool) -> Option<Range<usize>> {
    ok(s.get(at..)?).then_some(at..s.len())
}

/// The id of a key `(<first>,<id>)` from `at` whose first part passes `first` and id `ok`:
/// where it is.
fn plain_pair(
    s: &[u8],
    at: usize,
    first: fn(&[u8]) -> bool,
    ok: fn(&[u8]) -> bool,
) -> Option<Range<usize>> {
    let key = s.get(at..)?;
    let inner = key.strip_prefix(b"(")?.strip_suffix(b")")?;
    let comma = find(inner, b',')?;
    if !first(&inner[..comma]) {
        return None;
    }
    // The id lies between the comma and the closing parenthesis.
    let id = at + 1 + comma + 1..s.len() - 1;
    ok(s.get(id.clone())?).then_some(id)
}

/// [`fast_message_id`] on bytes (not known to be UTF-8: every byte it accepts is ASCII): where
/// the id is in `s`.
pub(crate) fn fast_message_id_at(s: &[u8]) -> Option<Range<usize>> {
    if s.len() <= MAX_URN_BYTES && is_plain_thing_id(s) {
        return Some(0..s.len());
    }
    let (ty, at) = plain_urn(s)?;
    match ty {
        b"messagingMessage" | b"fsd_message" => plain_single(s, at, is_plain_thing_id),
        b"msg_message" => plain_pair(s, at, is_plain_profile_urn, is_plain_thing_id),
        b"fs_event" => plain_pair(s, at, is_plain_thing_id, is_plain_thing_id),
        _ => None,
    }
}

/// A message id in a plain form: bare `2-…`, `messagingMessage`/`fsd_message` URNs, or
/// `msg_message:(urn:li:fsd_profile:ACoAA…,2-…)` and `fs_event:(2-…,2-…)`.
pub(crate) fn fast_message_id(s: &str) -> Option<&str> {
    s.get(fast_message_id_at(s.as_bytes())?)
}

/// [`fast_conversation_id`] on bytes, as [`fast_message_id_at`].
pub(crate) fn fast_conversation_id_at(s: &[u8]) -> Option<Range<usize>> {
    if s.len() <= MAX_URN_BYTES && is_plain_thing_id(s) {
        return Some(0..s.len());
    }
    let (ty, at) = plain_urn(s)?;
    match ty {
        b"messagingThread" | b"fs_conversation" | b"fsd_conversation" => {
            plain_single(s, at, is_plain_thing_id)
        }
        b"msg_conversation" => plain_pair(s, at, is_plain_profile_urn, is_plain_thing_id),
        _ => None,
    }
}

/// A conversation id in a plain form: bare `2-…`, `messagingThread`/`fs_conversation`/
/// `fsd_conversation` URNs, or `msg_conversation:(urn:li:fsd_profile:ACoAA…,2-…)`.
pub(crate) fn fast_conversation_id(s: &str) -> Option<&str> {
    s.get(fast_conversation_id_at(s.as_bytes())?)
}

/// [`fast_profile_id`] on bytes, as [`fast_message_id_at`].
pub(crate) fn fast_profile_id_at(s: &[u8]) -> Option<Range<usize>> {
    if s.len() > MAX_URN_BYTES {
        return None;
    }
    if is_plain_profile_id(s) {
        return Some(0..s.len());
    }
    if let Some(rest) = s.strip_prefix(PROFILE_URL) {
        // The form of LinkedIn's own links, its closing `/` or not.
        let id = rest.strip_suffix(b"/").unwrap_or(rest);
        return is_plain_profile_id(id).then(|| PROFILE_URL.len()..PROFILE_URL.len() + id.len());
    }
    match plain_urn(s)? {
        (b"fsd_profile", at) => plain_single(s, at, is_plain_profile_id),
        _ => None,
    }
}

/// A profile page's address up to its id (the only page URL a fast path reads).
const PROFILE_URL: &[u8] = b"https://www.linkedin.com/in/";

/// A profile id in a plain form: bare `ACoAA…`, `urn:li:fsd_profile:ACoAA…`, or
/// `https://www.linkedin.com/in/ACoAA…` with or without its closing `/`.
pub(crate) fn fast_profile_id(s: &str) -> Option<&str> {
    s.get(fast_profile_id_at(s.as_bytes())?)
}

/// The text of a form sent percent-encoded, as a URN inside a URL's path or query often is
/// (encoded once or more), as [`clean`] would leave it, decoded in one buffer for the fast
/// paths and the quick refusals: no `Urn` tree, no offsets kept. Only for input that trimming
/// leaves as it is (printable ASCII, no space), within [`MAX_INPUT_BYTES`], holding a `%` and
/// left with none within [`MAX_DECODE_ROUNDS`] rounds; `None` for everything else, a malformed
/// escape included, which is the full parser's, with its error. For such input the full parser
/// reads exactly this text (neither the input nor the text may start as a page URL: [`is_http`]),
/// so a fast path's answer on it, or a quick refusal of it, is the full parser's for the input,
/// which the differential tests check on encoded corpus and generated inputs.
pub(crate) fn decoded_plain(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() > MAX_INPUT_BYTES
        || !input.contains(&b'%')
        || !input.iter().all(u8::is_ascii_graphic)
        || is_http(input)
    {
        return None;
    }
    let mut text = input.to_vec();
    for _ in 0..MAX_DECODE_ROUNDS {
        // In place: a round writes at most as many bytes as it has read.
        let (mut read, mut written) = (0, 0);
        while let Some(&c) = text.get(read) {
            let c = if c == b'%' {
                let hi = text.get(read + 1).copied().and_then(hex_value)?;
                let lo = text.get(read + 2).copied().and_then(hex_value)?;
                read += 3;
                hi << 4 | lo
            } else {
                read += 1;
                c
            };
            if let Some(slot) = text.get_mut(written) {
                *slot = c;
            }
            written += 1;
        }
        text.truncate(written);
        if !text.contains(&b'%') {
            return (!is_http(&text)).then_some(text);
        }
    }
    None
}

/// Whether `s` starts as a page URL does. The full parser reads a page URL before any decoding
/// (a decoded `%2F` must not split its path) and an encoded one as no URL at all, so neither is
/// [`decoded_plain`]'s.
fn is_http(s: &[u8]) -> bool {
    s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"http"))
}

/// `fast` (one of the fast paths) over [`decoded_plain`]'s text of `input`: the id.
fn fast_decoded(input: &str, fast: fn(&[u8]) -> Option<Range<usize>>) -> Option<String> {
    let text = decoded_plain(input.as_bytes())?;
    // What the fast paths accept is ASCII.
    std::str::from_utf8(text.get(fast(&text)?)?)
        .ok()
        .map(str::to_owned)
}

/// The `urn:li:` entity types a message URN may have (the full parser's list, [`MessageId`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
const MESSAGE_TYPES: &[&[u8]] = &[
    b"msg_message",
    b"fs_event",
    b"messagingMessage",
    b"fsd_message",
];
/// The `urn:li:` entity types a conversation URN may have ([`ConversationId`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
const CONVERSATION_TYPES: &[&[u8]] = &[
    b"msg_conversation",
    b"messagingThread",
    b"fs_conversation",
    b"fsd_conversation",
    b"salesNav_thread",
];
/// The `urn:li:` entity types a profile URN may have ([`ProfileId`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
const PROFILE_TYPES: &[&[u8]] = &[
    b"fsd_profile",
    b"fs_miniProfile",
    b"member",
    b"msg_messagingParticipant",
    b"fs_messagingMember",
];

/// Whether `s` starts `urn:li:<type>:` with a type of letters and `_` that is none of `types`:
/// then the full parser refuses it whatever follows (the prefix is left as it is by trimming and
/// decoding, and the type decides the kind), so a caller that only needs to know that can skip
/// building the error. Tested against the full parser with the fast paths.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
fn other_li_type(s: &[u8], types: &[&[u8]]) -> bool {
    let Some(rest) = s.strip_prefix(b"urn:li:") else {
        return false;
    };
    let Some(colon) = find(rest, b':') else {
        return false;
    };
    let ty = &rest[..colon];
    !ty.is_empty()
        && ty.iter().all(|&c| c.is_ascii_alphabetic() || c == b'_')
        && !types.contains(&ty)
}

/// `s` is certainly not a message reference ([`other_li_type`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
pub(crate) fn not_a_message(s: &[u8]) -> bool {
    other_li_type(s, MESSAGE_TYPES)
}

/// `s` is certainly not a conversation reference ([`other_li_type`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
pub(crate) fn not_a_conversation(s: &[u8]) -> bool {
    other_li_type(s, CONVERSATION_TYPES)
}

/// `s` is certainly not a profile reference ([`other_li_type`]).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the wasm exports' callers
pub(crate) fn not_a_profile(s: &[u8]) -> bool {
    other_li_type(s, PROFILE_TYPES)
}

/// What an id parser was handed, after trimming and decoding.
enum Input {
    /// A URN, with the cleaned text it came from (for error offsets).
    Urn { urn: Urn, text: String },
    /// A LinkedIn page URL.
    Url(PageUrl),
    /// Anything else, cleaned.
    Bare(String),
}

/// A linkedin.com page URL reduced to what identifies something.
enum PageUrl {
    /// `/messaging/thread/<id>/`: the id decoded, and its offset in the raw input.
    Thread { id: String, at: usize },
    /// `/in/<id-or-slug>/`: the segment decoded, and its offset in the raw input.
    Profile { id: String, at: usize },
}

impl PageUrl {
    fn offset(&self) -> usize {
        match self {
            PageUrl::Thread { at, .. } | PageUrl::Profile { at, .. } => *at,
        }
    }
}

fn read_input(input: &str) -> Result<Input, UrnError> {
    check_input_len(input)?;
    if let Some(url) = read_page_url(input)? {
        return Ok(Input::Url(url));
    }
    let text = clean(input)?;
    if text.len() > MAX_URN_BYTES {
        return Err(too_long(&text));
    }
    if text.starts_with("urn:") {
        let urn = Urn::parse(&text)?;
        return Ok(Input::Urn { urn, text });
    }
    Ok(Input::Bare(text))
}

/// Recognises `http(s)://(www.)linkedin.com/…` before any decoding, because a decoded `%2F` in an
/// id must not split the path.
fn read_page_url(input: &str) -> Result<Option<PageUrl>, UrnError> {
    let lead = input.len() - input.trim_start().len();
    let t = input.trim();
    let scheme_len = if prefix_ignore_case(t, "https://") {
        8
    } else if prefix_ignore_case(t, "http://") {
        7
    } else {
        return Ok(None);
    };
    let rest = &t[scheme_len..];
    let host_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_len];
    if !host.eq_ignore_ascii_case("www.linkedin.com") && !host.eq_ignore_ascii_case("linkedin.com")
    {
        return Err(UrnError::new(
            NotAUrn,
            lead + scheme_len,
            "not a linkedin.com URL",
        ));
    }
    let after_host = &rest[host_len..];
    let path = &after_host[..after_host.find(['?', '#']).unwrap_or(after_host.len())];
    let path_at = lead + scheme_len + host_len;
    let inner = path.strip_prefix('/').unwrap_or(path);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let segments: Vec<&str> = inner.split('/').collect();
    let (segment, is_thread) = match segments.as_slice() {
        ["messaging", "thread", id] => (*id, true),
        ["in", id] => (*id, false),
        _ => {
            return Err(UrnError::new(
                NotAUrn,
                path_at,
                "not a LinkedIn thread or profile URL",
            ))
        }
    };
    // `segment` borrows from `input`, so its offset is the distance between the two.
    let at = segment.as_ptr() as usize - input.as_ptr() as usize;
    let id = clean(segment).map_err(|e| e.shifted(at))?;
    if id.is_empty() {
        return Err(UrnError::new(EmptyKey, at, "empty id in URL"));
    }
    if id.len() > MAX_URN_BYTES {
        return Err(UrnError::new(
            TooLong,
            at,
            format!("id in URL longer than {MAX_URN_BYTES} bytes"),
        ));
    }
    if is_dot_segment(&id) {
        return Err(UrnError::new(WrongKind, at, "'.' or '..' is not an id"));
    }
    Ok(Some(if is_thread {
        PageUrl::Thread { id, at }
    } else {
        PageUrl::Profile { id, at }
    }))
}

fn prefix_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// A URN being read as an id, with the text it came from so that errors can point into it.
struct Found<'a> {
    urn: &'a Urn,
    text: &'a str,
}

impl<'a> Found<'a> {
    /// Offset of the entity type in the cleaned text (namespace and type print verbatim).
    fn type_at(&self) -> usize {
        4 + self.urn.namespace.len() + 1
    }

    fn key_at(&self) -> usize {
        self.type_at() + self.urn.entity_type.len() + 1
    }

    fn wrong_kind(&self, wanted: &str) -> UrnError {
        UrnError::new(
            WrongKind,
            self.type_at(),
            format!(
                "urn:{}:{} is not {wanted}",
                self.urn.namespace, self.urn.entity_type
            ),
        )
    }

    fn li_type(&self) -> &'a str {
        if self.urn.namespace == "li" {
            &self.urn.entity_type
        } else {
            ""
        }
    }

    /// The key as one id.
    fn key_id(&self, what: &str) -> Result<&'a str, UrnError> {
        match &self.urn.key {
            Part::Text(t) => self.id(t, what),
            _ => Err(UrnError::new(
                WrongKind,
                self.key_at(),
                format!("expected {what} as the key"),
            )),
        }
    }

    /// The second part of a `(<something>,<id>)` key, as an id.
    fn pair_id(&self, what: &str) -> Result<&'a str, UrnError> {
        match self.urn.parts() {
            [_, Part::Text(t)] => self.id(t, what),
            _ => Err(UrnError::new(
                WrongKind,
                self.key_at(),
                format!("expected (<prefix>,{what}) as the key"),
            )),
        }
    }

    fn id(&self, id: &'a str, what: &str) -> Result<&'a str, UrnError> {
        if is_dot_segment(id) {
            return Err(UrnError::new(
                WrongKind,
                self.key_at(),
                format!("'.' or '..' is not {what}"),
            ));
        }
        match id.bytes().position(|c| !is_id_byte(c)) {
            None => Ok(id),
            Some(bad) => {
                // The id is the last text of its kind in the URN; pointing at it beats pointing
                // at the key when the key is a tuple.
                let at = self.text.rfind(id).map_or(self.key_at(), |p| p + bad);
                Err(UrnError::new(
                    WrongKind,
                    at,
                    format!("unexpected {} in {what}", char_at(self.text, at)),
                ))
            }
        }
    }
}

/// The invariant id of one message (`2-…`), whatever URN form or mailbox prefix it came under.
/// Ordered as its text is ([`byte_order`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct MessageId(String);

byte_ordered!(MessageId);

/// `Ord` for a newtype of one `String` (field `.0`) by [`byte_order`]: the order `str`'s
/// derived `Ord` gives, faster in the wasm build. Every id type that keys a map or a set is
/// ordered by this one function, so the module's map code (`BTreeMap`'s search, insert and
/// rebalancing; `SmallMap`'s) for two id types with values of one size is the same code,
/// which `wasm-opt` keeps once, not a copy per id type (issue 15).
macro_rules! byte_ordered {
    ($t:ty) => {
        impl Ord for $t {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                $crate::urn::byte_order(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}
pub(crate) use byte_ordered;

/// The order of two byte strings, the same as `Ord` on slices (and so on `str`), eight bytes at
/// a time: the store's maps are keyed by message ids, which share their first bytes (the time
/// the id encodes), and the wasm build's `memcmp` compares a byte at a time, so a lookup among
/// 10,000 messages spent most of its time there (issue 15: the view after a merge looks up every
/// message of the conversation).
pub(crate) fn byte_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let word = |w: &[u8]| <[u8; 8]>::try_from(w).map_or(0, u64::from_be_bytes);
    let mut at = 0;
    while let (Some(x), Some(y)) = (a.get(at..at + 8), b.get(at..at + 8)) {
        let (x, y) = (word(x), word(y));
        if x != y {
            return x.cmp(&y);
        }
        at += 8;
    }
    a.get(at..).cmp(&b.get(at..))
}

impl MessageId {
    /// Reads a message id from any form: `msg_message`, `messagingMessage`, `fsd_message`,
    /// `fs_event` URNs (encoded or not) or a bare `2-…` id.
    pub fn parse(input: &str) -> Result<MessageId, UrnError> {
        if let Some(id) = fast_message_id(input) {
            return Ok(MessageId(id.to_owned()));
        }
        match fast_decoded(input, fast_message_id_at) {
            Some(id) => Ok(MessageId(id)),
            None => MessageId::parse_full(input),
        }
    }

    /// [`MessageId::parse`] without its fast path (the reference the fast path is tested against).
    fn parse_full(input: &str) -> Result<MessageId, UrnError> {
        const WHAT: &str = "a message id";
        match read_input(input)? {
            Input::Urn { urn, text } => {
                let found = Found {
                    urn: &urn,
                    text: &text,
                };
                let id = match found.li_type() {
                    "msg_message" | "fs_event" => found.pair_id(WHAT)?,
                    "messagingMessage" | "fsd_message" => found.key_id(WHAT)?,
                    _ => return Err(found.wrong_kind("a message URN")),
                };
                Ok(MessageId(id.to_owned()))
            }
            Input::Url(url) => Err(UrnError::new(
                WrongKind,
                url.offset(),
                "a page URL does not name a message",
            )),
            Input::Bare(s) if is_bare_thing_id(&s) => Ok(MessageId(s)),
            Input::Bare(_) => Err(UrnError::new(
                NotAUrn,
                0,
                "neither a message URN nor a bare 2-… message id",
            )),
        }
    }

    /// The canonical id, `2-…` for LinkedIn's own ids.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The invariant id of one conversation; Sales Navigator threads are kept apart from inbox threads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct ConversationId(String);

byte_ordered!(ConversationId);

/// Prefix of the canonical form of Sales Navigator thread ids.
const SALES_NAV: &str = "salesNav:";

impl ConversationId {
    /// Reads a conversation id from any form: `msg_conversation`, `messagingThread`,
    /// `fs_conversation`, `fsd_conversation`, `salesNav_thread` URNs, a thread page URL, a bare
    /// `2-…` id, or a canonical `salesNav:<id>`.
    pub fn parse(input: &str) -> Result<ConversationId, UrnError> {
        if let Some(id) = fast_conversation_id(input) {
            return Ok(ConversationId(id.to_owned()));
        }
        match fast_decoded(input, fast_conversation_id_at) {
            Some(id) => Ok(ConversationId(id)),
            None => ConversationId::parse_full(input),
        }
    }

    /// [`ConversationId::parse`] without its fast path (the reference the fast path is tested against).
    fn parse_full(input: &str) -> Result<ConversationId, UrnError> {
        const WHAT: &str = "a thread id";
        match read_input(input)? {
            Input::Urn { urn, text } => {
                let found = Found {
                    urn: &urn,
                    text: &text,
                };
                match found.li_type() {
                    "msg_conversation" => Ok(ConversationId(found.pair_id(WHAT)?.to_owned())),
                    "messagingThread" | "fs_conversation" | "fsd_conversation" => {
                        Ok(ConversationId(found.key_id(WHAT)?.to_owned()))
                    }
                    "salesNav_thread" => Ok(ConversationId(format!(
                        "{SALES_NAV}{}",
                        found.key_id(WHAT)?
                    ))),
                    _ => Err(found.wrong_kind("a conversation URN")),
                }
            }
            Input::Url(PageUrl::Thread { id, at }) => match id.bytes().position(|c| !is_id_byte(c))
            {
                None => Ok(ConversationId(id)),
                Some(_) => Err(UrnError::new(
                    WrongKind,
                    at,
                    "unexpected character in thread id",
                )),
            },
            Input::Url(url) => Err(UrnError::new(
                WrongKind,
                url.offset(),
                "a profile URL is not a conversation",
            )),
            Input::Bare(s) => {
                let sales_nav = s.strip_prefix(SALES_NAV);
                if is_bare_thing_id(&s) || sales_nav.is_some_and(is_inner_id) {
                    Ok(ConversationId(s))
                } else {
                    Err(UrnError::new(
                        NotAUrn,
                        0,
                        "neither a conversation URN, a thread URL nor a bare 2-… thread id",
                    ))
                }
            }
        }
    }

    /// The id of a Sales Navigator thread as the API reports it (`salesNavThreadId`, `threadId`).
    pub fn sales_nav(thread_id: &str) -> Result<ConversationId, UrnError> {
        ConversationId::parse(&format!("{SALES_NAV}{}", thread_id.trim()))
    }

    /// The canonical id: the thread id for inbox threads, `salesNav:<id>` for Sales Navigator.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a Sales Navigator thread (which the server routes differently).
    pub fn is_sales_nav(&self) -> bool {
        self.0.starts_with(SALES_NAV)
    }

    /// The bare Sales Navigator thread id, for building a `urn:li:salesNav_thread:` URN.
    pub fn sales_nav_thread_id(&self) -> Option<&str> {
        self.0.strip_prefix(SALES_NAV)
    }

    /// The canonical URN of this conversation: `urn:li:salesNav_thread:<id>` for a Sales
    /// Navigator thread, else the mailbox-free `urn:li:messagingThread:<threadId>` (both forms
    /// listed in CONTRACT.md, "LinkedIn facts"). It parses back to the same id.
    pub fn canonical_urn(&self) -> String {
        match self.sales_nav_thread_id() {
            Some(id) => format!("urn:li:salesNav_thread:{id}"),
            None => format!("urn:li:messagingThread:{}", self.0),
        }
    }
}

/// The invariant id of one LinkedIn member profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct ProfileId(String);

byte_ordered!(ProfileId);

const MEMBER: &str = "member:";
const SLUG: &str = "slug:";

impl ProfileId {
    /// Reads a profile id from any form: `fsd_profile`, `fs_miniProfile`,
    /// `msg_messagingParticipant`, `fs_messagingMember`, `member` URNs, a `/in/` profile URL, a
    /// bare `ACoAA…` id, or a canonical `member:<n>` or `slug:<slug>`.
    pub fn parse(input: &str) -> Result<ProfileId, UrnError> {
        if let Some(id) = fast_profile_id(input) {
            return Ok(ProfileId(id.to_owned()));
        }
        match fast_decoded(input, fast_profile_id_at) {
            Some(id) => Ok(ProfileId(id)),
            None => ProfileId::parse_full(input),
        }
    }

    /// [`ProfileId::parse`] without its fast path (the reference the fast path is tested against).
    fn parse_full(input: &str) -> Result<ProfileId, UrnError> {
        match read_input(input)? {
            Input::Urn { urn, text } => profile_from_urn(&Found {
                urn: &urn,
                text: &text,
            }),
            Input::Url(PageUrl::Profile { id, at }) => {
                ProfileId::from_path_segment(&id).map_err(|e| e.shifted(at))
            }
            Input::Url(url) => Err(UrnError::new(
                WrongKind,
                url.offset(),
                "a thread URL is not a profile",
            )),
            Input::Bare(s) => {
                let ok = is_bare_profile_id(&s)
                    || s.strip_prefix(MEMBER).is_some_and(is_member_number)
                    || s.strip_prefix(SLUG).is_some_and(|slug| {
                        is_slug(slug)
                            && crate::unicode::to_lowercase(slug).is_some_and(|l| l == slug)
                    });
                if ok {
                    Ok(ProfileId(s))
                } else {
                    Err(UrnError::new(
                        NotAUrn,
                        0,
                        "neither a profile URN, a profile URL nor a bare ACoAA… id",
                    ))
                }
            }
        }
    }

    /// The id for a vanity slug (`john-doe-123`, as in `recipientProfileId`), or for a bare
    /// `ACoAA…` id given where a slug may also appear.
    pub fn from_slug(slug: &str) -> Result<ProfileId, UrnError> {
        let lead = slug.len() - slug.trim_start().len();
        let cleaned = clean(slug)?;
        ProfileId::from_path_segment(&cleaned).map_err(|e| e.shifted(lead))
    }

    fn from_path_segment(segment: &str) -> Result<ProfileId, UrnError> {
        if segment.len() > MAX_URN_BYTES {
            Err(too_long(segment))
        } else if is_dot_segment(segment) {
            Err(UrnError::new(WrongKind, 0, "'.' or '..' is not a profile"))
        } else if is_bare_profile_id(segment) {
            Ok(ProfileId(segment.to_owned()))
        } else if let Some(lower) = is_slug(segment)
            .then(|| crate::unicode::to_lowercase(segment))
            .flatten()
        {
            // LinkedIn treats vanity slugs case-insensitively, unlike ids. (No lowercase when
            // the page's JS engine would not give one: refused below, never another slug.)
            Ok(ProfileId(format!("{SLUG}{lower}")))
        } else {
            Err(UrnError::new(
                WrongKind,
                0,
                "not a profile id or vanity slug",
            ))
        }
    }

    /// The canonical id: `ACoAA…`, `member:<n>`, or `slug:<slug>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The profile URN the API takes as `recipientProfileUrn`: `urn:li:fsd_profile:<id>`, or
    /// `urn:li:member:<n>` (CONTRACT.md, "LinkedIn facts": profiles). `None` for a vanity slug,
    /// which has no URN (see [`ProfileId::slug`]). It parses back to the same id.
    pub fn urn(&self) -> Option<String> {
        if let Some(n) = self.0.strip_prefix(MEMBER) {
            Some(format!("urn:li:member:{n}"))
        } else if self.0.starts_with(SLUG) {
            None
        } else {
            Some(format!("urn:li:fsd_profile:{}", self.0))
        }
    }

    /// The vanity slug, for a profile known only by one (`recipientProfileId`).
    pub fn slug(&self) -> Option<&str> {
        self.0.strip_prefix(SLUG)
    }
}

/// The mailbox a message or conversation URN is filed under: the profile in the head of
/// `urn:li:msg_message:(urn:li:fsd_profile:<mailbox>,2-…)` and
/// `urn:li:msg_conversation:(urn:li:fsd_profile:<mailbox>,2-…)` (the viewing account, not the
/// sender: CONTRACT.md "LinkedIn facts"; LinkedIn's page puts the first form in every message's
/// `data-event-urn`, docs/linkedin-page.md). `None` for every other form, which names no mailbox.
pub fn mailbox_of(input: &str) -> Result<Option<ProfileId>, UrnError> {
    let Input::Urn { urn, text } = read_input(input)? else {
        return Ok(None);
    };
    let found = Found {
        urn: &urn,
        text: &text,
    };
    if !matches!(found.li_type(), "msg_message" | "msg_conversation") {
        return Ok(None);
    }
    match urn.parts() {
        [Part::Urn(head), Part::Text(_)] => {
            let head_text = head.to_string();
            profile_from_urn(&Found {
                urn: head,
                text: &head_text,
            })
            .map(Some)
        }
        _ => Ok(None),
    }
}

fn is_member_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

fn profile_from_urn(found: &Found<'_>) -> Result<ProfileId, UrnError> {
    const WHAT: &str = "a profile id";
    let urn = found.urn;
    match found.li_type() {
        "fsd_profile" | "fs_miniProfile" => Ok(ProfileId(found.key_id(WHAT)?.to_owned())),
        "member" => match urn.key() {
            Part::Text(n) if is_member_number(n) => Ok(ProfileId(format!("{MEMBER}{n}"))),
            _ => Err(UrnError::new(
                WrongKind,
                found.key_at(),
                "a member id is a number",
            )),
        },
        // The participant's key is the profile URN itself (or, rarely, its bare id).
        "msg_messagingParticipant" => match urn.key() {
            Part::Urn(inner) => nested_profile(found, inner),
            _ => Ok(ProfileId(found.key_id(WHAT)?.to_owned())),
        },
        // `(<thread>,<profile id>)`; the profile part may also come as a profile URN.
        "fs_messagingMember" => match urn.parts() {
            [_, Part::Urn(inner)] => nested_profile(found, inner),
            [Part::Text(_)] => Ok(ProfileId(found.key_id(WHAT)?.to_owned())),
            _ => Ok(ProfileId(found.pair_id(WHAT)?.to_owned())),
        },
        _ => Err(found.wrong_kind("a profile URN")),
    }
}

fn nested_profile(outer: &Found<'_>, inner: &Urn) -> Result<ProfileId, UrnError> {
    // Offsets inside the nested URN are approximate (it may have been written with redundant
    // parentheses), so errors point at the outer key instead.
    profile_from_urn(&Found {
        urn: inner,
        text: outer.text,
    })
    .map_err(|mut e| {
        e.offset = outer.key_at();
        e
    })
}

macro_rules! id_traits {
    ($($ty:ident),*) => {$(
        impl fmt::Display for $ty {
            /// Writes the canonical id string.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $ty {
            type Err = UrnError;

            /// Same as `parse`.
            fn from_str(s: &str) -> Result<$ty, UrnError> {
                $ty::parse(s)
            }
        }
    )*};
}

id_traits!(MessageId, ConversationId, ProfileId);

/// Why a string is not a canonical id of the kind asked for.
fn not_canonical(what: &str) -> UrnError {
    UrnError::new(WrongKind, 0, format!("not a canonical {what} id"))
}

impl MessageId {
    /// No message's id (empty): the value a stored record's reader answers for an id that did
    /// not read, which its caller drops for the error (`stored_json::from_json`), never used.
    pub(crate) fn placeholder() -> MessageId {
        MessageId(String::new())
    }

    /// Accepts exactly what [`MessageId::as_str`] can give (stored records, facts from other
    /// tabs): id characters only, not empty, not `.`/`..`, at most [`MAX_URN_BYTES`].
    pub fn from_canonical(s: &str) -> Result<MessageId, UrnError> {
        if is_inner_id(s) {
            Ok(MessageId(s.to_owned()))
        } else {
            Err(not_canonical("message"))
        }
    }
}

impl ConversationId {
    /// No conversation's id (empty), as [`MessageId::placeholder`].
    pub(crate) fn placeholder() -> ConversationId {
        ConversationId(String::new())
    }

    /// Accepts exactly what [`ConversationId::as_str`] can give: an inner id, or `salesNav:`
    /// and one.
    pub fn from_canonical(s: &str) -> Result<ConversationId, UrnError> {
        if is_inner_id(s) || s.strip_prefix(SALES_NAV).is_some_and(is_inner_id) {
            Ok(ConversationId(s.to_owned()))
        } else {
            Err(not_canonical("conversation"))
        }
    }
}

impl ProfileId {
    /// Accepts exactly what [`ProfileId::as_str`] can give: an inner id, `member:<digits>`, or
    /// `slug:<lowercase slug>` (lowercasing may add combining marks, so non-ASCII is allowed).
    pub fn from_canonical(s: &str) -> Result<ProfileId, UrnError> {
        let slug_ok = |slug: &str| {
            !slug.is_empty()
                && slug.len() <= MAX_URN_BYTES
                && !is_dot_segment(slug)
                && crate::unicode::to_lowercase(slug).is_some_and(|l| l == slug)
                && slug
                    .chars()
                    .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        let ok = is_inner_id(s)
            || s.strip_prefix(MEMBER)
                .is_some_and(|n| n.len() <= MAX_URN_BYTES && is_member_number(n))
            || s.strip_prefix(SLUG).is_some_and(slug_ok);
        if ok {
            Ok(ProfileId(s.to_owned()))
        } else {
            Err(not_canonical("profile"))
        }
    }
}

/// Ids are read back from storage and from other tabs as canonical ids, checked: a string that
/// `parse` could never have produced is refused, so no unchecked id reaches a store or a path.
macro_rules! id_deserialize {
    ($($ty:ident),*) => {$(
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                $ty::from_canonical(&s).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

id_deserialize!(MessageId, ConversationId, ProfileId);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(s: &str) -> (UrnErrorCode, usize) {
        let e = Urn::parse(s).expect_err(s);
        (e.code, e.offset)
    }

    fn text(t: &str) -> Part {
        Part::Text(t.to_owned())
    }

    #[test]
    fn mailbox_of_reads_the_viewing_profile_of_tuple_forms_only() {
        let mailbox = |s: &str| mailbox_of(s).unwrap().map(|p| p.as_str().to_owned());
        // LinkedIn's page (docs/linkedin-page.md, NK) and the API's seed 003.
        let m = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)";
        assert_eq!(
            mailbox(m).as_deref(),
            Some("ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio")
        );
        let encoded = "urn%3Ali%3Amsg_conversation%3A%28urn%3Ali%3Afsd_profile%3AACoAAB%2C2-abc%29";
        assert_eq!(mailbox(encoded).as_deref(), Some("ACoAAB"));
        // Forms that name no mailbox.
        for none in [
            "urn:li:messagingMessage:2-abc",
            "urn:li:fs_event:(2-thread,2-abc)",
            "urn:li:messagingThread:2-abc",
            "2-abc",
            "https://www.linkedin.com/messaging/thread/2-abc/",
        ] {
            assert_eq!(mailbox(none), None, "{none}");
        }
        // A head that is a URN but not a profile is an error, not a guess.
        assert!(mailbox_of("urn:li:msg_message:(urn:li:organization:1,2-abc)").is_err());
        assert!(mailbox_of("urn:li:(").is_err());
    }

    #[test]
    fn splits_a_urn_into_namespace_entity_type_and_key() {
        let u = Urn::parse("urn:li:fsd_profile:ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU").unwrap();
        assert_eq!(u.namespace(), "li");
        assert_eq!(u.entity_type(), "fsd_profile");
        assert_eq!(u.key(), &text("ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU"));
        assert_eq!(
            u.parts(),
            &[text("ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU")]
        );
    }

    #[test]
    fn tuple_key_splits_at_depth_one_into_urns_and_text() {
        let u = Urn::parse("urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,2-MTc3=)").unwrap();
        let parts = u.parts();
        assert_eq!(parts.len(), 2);
        let mailbox = parts[0].as_urn().unwrap();
        assert_eq!(mailbox.entity_type(), "fsd_profile");
        assert_eq!(mailbox.key().as_text(), Some("ACoAAB"));
        assert_eq!(parts[1].as_text(), Some("2-MTc3="));
    }

    #[test]
    fn nested_tuples_split_only_at_their_own_depth() {
        let u = Urn::parse("urn:li:x:(a,(b,urn:li:y:(c,d)),e)").unwrap();
        let inner = Urn::parse("urn:li:y:(c,d)").unwrap();
        assert_eq!(
            u.key(),
            &Part::Tuple(vec![
                text("a"),
                Part::Tuple(vec![text("b"), Part::Urn(Box::new(inner))]),
                text("e"),
            ])
        );
    }

    #[test]
    fn key_with_colons_is_a_nested_urn() {
        let u = Urn::parse("urn:li:msg_messagingParticipant:urn:li:fsd_profile:ACoAAD").unwrap();
        let inner = u.key().as_urn().unwrap();
        assert_eq!(
            (inner.namespace(), inner.entity_type()),
            ("li", "fsd_profile")
        );
        assert_eq!(inner.key().as_text(), Some("ACoAAD"));
    }

    #[test]
    fn colons_in_a_plain_key_stay_text() {
        let u = Urn::parse("urn:li:x:a:b:c").unwrap();
        assert_eq!(u.key(), &text("a:b:c"));
    }

    #[test]
    fn one_part_tuples_equal_their_part() {
        assert_eq!(
            Urn::parse("urn:li:x:(a)").unwrap(),
            Urn::parse("urn:li:x:a").unwrap()
        );
        assert_eq!(
            Urn::parse("urn:li:x:(((a)))").unwrap(),
            Urn::parse("urn:li:x:a").unwrap()
        );
        assert_eq!(
            Urn::parse("urn:li:x:((a),(urn:li:y:((b,c))))")
                .unwrap()
                .to_string(),
            "urn:li:x:(a,urn:li:y:(b,c))"
        );
    }

    #[test]
    fn text_parts_may_hold_balanced_parentheses() {
        let u = Urn::parse("urn:li:x:(a(b,c),d)").unwrap();
        assert_eq!(u.parts(), &[text("a(b,c)"), text("d")]);
        assert_eq!(u.to_string(), "urn:li:x:(a(b,c),d)");
    }

    #[test]
    fn entity_type_and_ids_are_case_sensitive() {
        let a = Urn::parse("urn:li:salesNav_thread:AbC").unwrap();
        let b = Urn::parse("urn:li:salesnav_thread:AbC").unwrap();
        let c = Urn::parse("urn:li:salesNav_thread:abc").unwrap();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "urn:li:salesNav_thread:AbC");
    }

    #[test]
    fn namespace_may_hold_digits_and_hyphens_up_to_32_characters() {
        assert!(Urn::parse("urn:li-realtime:x:y").is_ok());
        let ns32 = format!("urn:a{}:x:y", "b".repeat(31));
        assert!(Urn::parse(&ns32).is_ok());
        let ns33 = format!("urn:a{}:x:y", "b".repeat(32));
        assert_eq!(err(&ns33), (BadNamespace, 4 + 32));
    }

    #[test]
    fn each_grammar_error_has_its_code_and_offset() {
        assert_eq!(err(""), (NotAUrn, 0));
        assert_eq!(err("URN:li:x:y"), (NotAUrn, 0));
        assert_eq!(err(" urn:li:x:y"), (NotAUrn, 0));
        assert_eq!(err("urn:"), (NotAUrn, 4));
        assert_eq!(err("urn:li"), (NotAUrn, 6));
        assert_eq!(err("urn:li:fsd_profile"), (NotAUrn, 18));
        assert_eq!(err("urn::x:y"), (BadNamespace, 4));
        assert_eq!(err("urn:Li:x:y"), (BadNamespace, 4));
        assert_eq!(err("urn:1i:x:y"), (BadNamespace, 4));
        assert_eq!(err("urn:l_i:x:y"), (BadNamespace, 5));
        assert_eq!(err("urn:li::y"), (BadEntityType, 7));
        assert_eq!(err("urn:li:Fsd:y"), (BadEntityType, 7));
        assert_eq!(err("urn:li:fsd-profile:y"), (BadEntityType, 10));
        assert_eq!(err("urn:li:x:"), (EmptyKey, 9));
        assert_eq!(err("urn:li:x:()"), (EmptyPart, 10));
        assert_eq!(err("urn:li:x:(,a)"), (EmptyPart, 10));
        assert_eq!(err("urn:li:x:(a,,b)"), (EmptyPart, 12));
        assert_eq!(err("urn:li:x:(a,)"), (EmptyPart, 12));
        assert_eq!(err("urn:li:x:(a,b"), (Unbalanced, 9));
        assert_eq!(err("urn:li:x:(a,(b)"), (Unbalanced, 9));
        assert_eq!(err("urn:li:x:(a)(b"), (Unbalanced, 12));
        assert_eq!(err("urn:li:x:a)"), (Unbalanced, 10));
        assert_eq!(err("urn:li:x:(a,b))"), (Unbalanced, 14));
        assert_eq!(err("urn:li:x:(a,b)c"), (Unbalanced, 14));
        let long = format!("urn:li:x:{}", "a".repeat(MAX_URN_BYTES));
        assert_eq!(err(&long), (TooLong, MAX_URN_BYTES));
    }

    #[test]
    fn errors_inside_nested_urns_point_into_the_whole_string() {
        assert_eq!(err("urn:li:x:(a,urn:LI:y:z)"), (BadNamespace, 16));
        assert_eq!(err("urn:li:x:urn:li:y:"), (EmptyKey, 18));
        assert_eq!(err("urn:li:x:(urn:li:y,b)"), (NotAUrn, 18));
    }

    #[test]
    fn exactly_512_bytes_is_accepted() {
        let s = format!("urn:li:x:{}", "a".repeat(MAX_URN_BYTES - 9));
        assert_eq!(s.len(), MAX_URN_BYTES);
        assert!(Urn::parse(&s).is_ok());
    }

    #[test]
    fn multibyte_input_gives_offsets_on_char_boundaries() {
        let (code, at) = err("urn:lé:x:y");
        assert_eq!((code, at), (BadNamespace, 5));
        let (code, at) = err("urn:li:xé:y");
        assert_eq!((code, at), (BadEntityType, 8));
        // 511 ASCII bytes then a two-byte char straddling the limit.
        let s = format!("urn:li:x:{}é", "a".repeat(MAX_URN_BYTES - 10));
        let e = Urn::parse(&s).unwrap_err();
        assert_eq!(e.code, TooLong);
        assert!(s.is_char_boundary(e.offset));
        assert!(Urn::parse("urn:li:x:héllo").is_ok());
    }

    #[test]
    fn error_codes_have_stable_names() {
        let all = [
            (NotAUrn, "not_a_urn"),
            (BadNamespace, "bad_namespace"),
            (BadEntityType, "bad_entity_type"),
            (EmptyKey, "empty_key"),
            (EmptyPart, "empty_part"),
            (Unbalanced, "unbalanced"),
            (TooLong, "too_long"),
            (BadEncoding, "bad_encoding"),
            (WrongKind, "wrong_kind"),
        ];
        for (code, name) in all {
            assert_eq!(code.as_str(), name);
        }
    }

    #[test]
    fn error_message_says_what_and_where() {
        let e = Urn::parse("urn:li:x:(a").unwrap_err();
        assert_eq!(e.to_string(), "'(' is never closed (at byte 9)");
    }

    #[test]
    fn clean_trims_and_decodes_percent_escapes_of_either_case() {
        assert_eq!(
            clean("  urn%3Ali%3Ax%3A%28a%2cb%29\n").unwrap(),
            "urn:li:x:(a,b)"
        );
        assert_eq!(clean("urn:li:x:(a,b)").unwrap(), "urn:li:x:(a,b)");
        assert_eq!(clean("caf%C3%A9").unwrap(), "café");
        assert_eq!(clean("").unwrap(), "");
    }

    #[test]
    fn clean_never_turns_plus_into_a_space() {
        assert_eq!(clean("2-ab+cd/ef==").unwrap(), "2-ab+cd/ef==");
        assert_eq!(clean("2-ab%2Bcd%2Fef%3D%3D").unwrap(), "2-ab+cd/ef==");
    }

    #[test]
    fn clean_undoes_double_and_triple_encoding() {
        assert_eq!(
            clean("urn%253Ali%253Ax%253A%2528a%252Cb%2529").unwrap(),
            "urn:li:x:(a,b)"
        );
        assert_eq!(clean("%252528").unwrap(), "(");
    }

    #[test]
    fn clean_reports_bad_escapes_where_they_are_in_the_input() {
        let bad = |s: &str| {
            let e = clean(s).unwrap_err();
            assert_eq!(e.code, BadEncoding, "{s}");
            e.offset
        };
        assert_eq!(bad("abc%"), 3);
        assert_eq!(bad("abc%4"), 3);
        assert_eq!(bad("abc%zz"), 3);
        assert_eq!(bad("  abc%G0"), 5);
        // Invalid UTF-8 after decoding: a lone continuation byte, a truncated sequence.
        assert_eq!(bad("ab%80"), 2);
        assert_eq!(bad("ab%C3x"), 2);
        // An error in the second round is traced back to the escape that produced it.
        assert_eq!(bad("ab%25zz"), 2);
        assert_eq!(bad("é%2541%25zz"), 7);
    }

    #[test]
    fn encode_path_segment_escapes_all_but_unreserved() {
        assert_eq!(
            encode_path_segment("urn:li:msg_message:(urn:li:fsd_profile:A,2-b+c/d==)"),
            "urn%3Ali%3Amsg_message%3A%28urn%3Ali%3Afsd_profile%3AA%2C2-b%2Bc%2Fd%3D%3D%29"
        );
        assert_eq!(encode_path_segment("a b'~._-Z9"), "a%20b%27~._-Z9");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
        assert_eq!(encode_path_segment(""), "");
    }

    // --- Property tests --------------------------------------------------------------------------

    /// A string of `len` characters drawn from `chars`. Cheaper than proptest's regex
    /// strategies, which take most of a debug test run's time.
    fn string_of(chars: &'static [char], len: std::ops::Range<usize>) -> BoxedStrategy<String> {
        prop::collection::vec(prop::sample::select(chars), len)
            .prop_map(|v| v.into_iter().collect())
            .boxed()
    }

    const LOWER: &[char] = &[
        'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r',
        's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
    ];
    const NS_REST: &[char] = &['a', 'i', 'l', 'r', 's', 'z', '0', '9', '-'];
    const TYPE_REST: &[char] = &['a', 'g', 'm', 's', 'z', 'A', 'N', 'Z', '0', '9', '_'];
    const TEXT: &[char] = &[
        'A', 'C', 'o', 'a', 'z', 'Z', '0', '2', '9', '+', '/', '=', '_', '.', '~', ':', '-', 'é',
        '🙂', 'u', 'r', 'n',
    ];

    /// A name matching `[a-z][rest]{0,max_rest}`.
    fn name(rest: &'static [char], max_rest: usize) -> impl Strategy<Value = String> {
        (
            prop::sample::select(LOWER),
            string_of(rest, 0..max_rest + 1),
        )
            .prop_map(|(first, rest)| format!("{first}{rest}"))
    }

    /// Text that the grammar reads back as text: no `(` `)` `,`, not starting with `urn:`, with
    /// multibyte characters, `+ / =` and colons mixed in.
    fn text_strategy() -> impl Strategy<Value = String> {
        string_of(TEXT, 1..13).prop_map(|t| {
            if t.starts_with("urn:") {
                format!("x{t}")
            } else {
                t
            }
        })
    }

    fn urn_strategy() -> impl Strategy<Value = Urn> {
        let leaf = text_strategy().prop_map(Part::Text);
        let part = leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Part::Tuple),
                (name(NS_REST, 5), name(TYPE_REST, 8), inner).prop_map(
                    |(namespace, entity_type, key)| {
                        Part::Urn(Box::new(Urn {
                            namespace,
                            entity_type,
                            key,
                        }))
                    }
                ),
            ]
        });
        (name(NS_REST, 31), name(TYPE_REST, 12), part)
            .prop_map(|(namespace, entity_type, key)| Urn {
                namespace,
                entity_type,
                key,
            })
            .prop_filter("at most 512 bytes", |u| {
                u.to_string().len() <= MAX_URN_BYTES
            })
    }

    /// Writes a URN the way a sloppy producer might: each part wrapped in redundant parentheses
    /// as `wraps` (cycled) says. Parsing must undo it.
    fn write_loosely(u: &Urn, wraps: &[u8], pos: &mut usize, out: &mut String) {
        out.push_str(&format!("urn:{}:{}:", u.namespace, u.entity_type));
        write_part_loosely(&u.key, wraps, pos, out);
    }

    fn write_part_loosely(p: &Part, wraps: &[u8], pos: &mut usize, out: &mut String) {
        let n = usize::from(wraps[*pos % wraps.len()] % 3);
        *pos += 1;
        out.push_str(&"(".repeat(n));
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Urn(u) => write_loosely(u, wraps, pos, out),
            Part::Tuple(parts) => {
                out.push('(');
                for (i, q) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_part_loosely(q, wraps, pos, out);
                }
                out.push(')');
            }
        }
        out.push_str(&")".repeat(n));
    }

    /// Strings over the URN alphabet, so that random input reaches deep into the parser.
    fn urnish_strategy() -> impl Strategy<Value = String> {
        // A fixed token list rather than a regex: regex strategies cost most of the time in debug.
        const TOKENS: &[&str] = &[
            "urn:",
            "urn:li:",
            "li:",
            "x:",
            "(",
            ")",
            ",",
            ":",
            "a",
            "Ab",
            "2-",
            "9",
            "_",
            "-",
            "+",
            "/",
            "=",
            "é",
            "🙂",
            "%",
            "%28",
            "%2",
            "%C3",
            "%25",
            " ",
            "urn:li:fsd_profile:",
        ];
        prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// Display then parse gives back the very same URN.
        #[test]
        fn display_then_parse_round_trips(u in urn_strategy()) {
            prop_assert_eq!(Urn::parse(&u.to_string()), Ok(u));
        }

        /// Redundant parentheses anywhere are normalized away, to the same URN.
        #[test]
        fn redundant_parentheses_normalize_to_the_same_urn(
            u in urn_strategy(),
            wraps in prop::collection::vec(any::<u8>(), 1..16),
        ) {
            let mut loose = String::new();
            write_loosely(&u, &wraps, &mut 0, &mut loose);
            if loose.len() <= MAX_URN_BYTES {
                prop_assert_eq!(Urn::parse(&loose), Ok(u));
            }
        }

        /// The nested URN of a key is the same value as that URN parsed on its own.
        #[test]
        fn a_nested_urn_parses_as_it_would_alone(u in urn_strategy()) {
            let outer = format!("urn:li:wrap:{u}");
            if outer.len() <= MAX_URN_BYTES {
                let parsed = Urn::parse(&outer).unwrap();
                prop_assert_eq!(parsed.key().as_urn(), Some(&u));
            }
        }
    }

    /// Printable ASCII but `%`, and some multibyte characters.
    const ENCODABLE: &[char] = &[
        ' ', '!', '"', '#', '$', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', '0', '9', ':',
        ';', '<', '=', '>', '?', '@', 'A', 'Z', '[', '\\', ']', '^', '_', '`', 'a', 'z', '{', '|',
        '}', '~', 'é', '🙂', '\t',
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Parsing any string never panics; what parses normalizes to a fixed point, and every
        /// error offset is a char boundary within the string.
        #[test]
        fn any_string_parses_or_errs_and_normalizing_twice_equals_once(
            s in prop::collection::vec(any::<char>(), 0..80).prop_map(String::from_iter),
        ) {
            check_any(&s)?;
        }

        /// Same, over strings made of URN pieces, which reach the tuple and nesting code.
        #[test]
        fn urnish_strings_parse_or_err_and_normalizing_twice_equals_once(s in urnish_strategy()) {
            check_any(&s)?;
        }

        /// Cleaning and reading ids never panic on any string; clean's error offsets are char
        /// boundaries of the input.
        #[test]
        fn clean_and_id_parsers_never_panic(s in urnish_strategy()) {
            match clean(&s) {
                Ok(c) => prop_assert!(!c.starts_with(char::is_whitespace)),
                Err(e) => prop_assert!(s.is_char_boundary(e.offset), "{:?}", e),
            }
            // A canonical id that parses at all parses to itself.
            if let Ok(id) = MessageId::parse(&s) {
                prop_assert!(MessageId::parse(id.as_str()).map_or(true, |back| back == id));
            }
            if let Ok(id) = ConversationId::parse(&s) {
                prop_assert!(ConversationId::parse(id.as_str()).map_or(true, |back| back == id));
            }
            if let Ok(id) = ProfileId::parse(&s) {
                prop_assert!(ProfileId::parse(id.as_str()).map_or(true, |back| back == id));
            }
        }

        /// Encoding leaves only unreserved bytes and `%`, and cleaning undoes it exactly for any
        /// text without `%` (which no URN or id contains; clean decodes until none is left).
        #[test]
        fn clean_undoes_encode_path_segment(s in string_of(ENCODABLE, 0..41)) {
            let encoded = encode_path_segment(&s);
            let unreserved_or_escape = |c: u8| c.is_ascii_alphanumeric() || b"-_.~%".contains(&c);
            prop_assert!(encoded.bytes().all(unreserved_or_escape));
            // Trimming happens before decoding, so encoded spaces survive.
            prop_assert_eq!(clean(&encoded).unwrap(), s);
        }
    }

    #[test]
    fn built_urns_parse_back_to_their_ids() {
        for input in ["2-abc+/=", "salesNav:sn-1", "urn:li:fs_conversation:123"] {
            let id = ConversationId::parse(input).unwrap();
            let urn = id.canonical_urn();
            assert!(urn.starts_with("urn:li:"), "{urn}");
            assert_eq!(ConversationId::parse(&urn).unwrap(), id, "{urn}");
        }
        assert_eq!(
            ConversationId::parse("salesNav:sn-1")
                .unwrap()
                .canonical_urn(),
            "urn:li:salesNav_thread:sn-1"
        );
        for input in [
            "ACoAAB1",
            "urn:li:member:42",
            "urn:li:fs_miniProfile:ACoAAB2",
        ] {
            let id = ProfileId::parse(input).unwrap();
            let urn = id.urn().unwrap();
            assert_eq!(ProfileId::parse(&urn).unwrap(), id, "{urn}");
        }
        assert_eq!(
            ProfileId::parse("ACoAAB1").unwrap().urn().as_deref(),
            Some("urn:li:fsd_profile:ACoAAB1")
        );
        let slug = ProfileId::from_slug("John-Doe").unwrap();
        assert_eq!((slug.urn(), slug.slug()), (None, Some("john-doe")));
    }

    fn check_any(s: &str) -> Result<(), TestCaseError> {
        match Urn::parse(s) {
            Ok(u) => {
                let once = u.to_string();
                let again = Urn::parse(&once).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&again, &u);
                prop_assert_eq!(again.to_string(), once);
            }
            Err(e) => {
                prop_assert!(
                    e.offset <= s.len() && s.is_char_boundary(e.offset),
                    "{:?}",
                    e
                )
            }
        }
        Ok(())
    }

    // ---- the fast paths against the full parser ---------------------------------------------

    /// Every fast answer is the full parser's answer for the same input.
    fn same_as_full(s: &str) {
        if let Some(id) = fast_message_id(s) {
            assert_eq!(
                MessageId::parse_full(s).map(|m| m.0),
                Ok(id.to_owned()),
                "message {s:?}"
            );
        }
        if let Some(id) = fast_conversation_id(s) {
            assert_eq!(
                ConversationId::parse_full(s).map(|c| c.0),
                Ok(id.to_owned()),
                "conversation {s:?}"
            );
        }
        if let Some(id) = fast_profile_id(s) {
            assert_eq!(
                ProfileId::parse_full(s).map(|p| p.0),
                Ok(id.to_owned()),
                "profile {s:?}"
            );
        }
        // What the quick refusals refuse, the full parser refuses; decoded as well.
        let b = s.as_bytes();
        if let Some(d) = decoded_plain(b) {
            if not_a_message(&d) {
                assert!(MessageId::parse_full(s).is_err(), "not a message {s:?}");
            }
            if not_a_conversation(&d) {
                assert!(
                    ConversationId::parse_full(s).is_err(),
                    "not a conversation {s:?}"
                );
            }
            if not_a_profile(&d) {
                assert!(ProfileId::parse_full(s).is_err(), "not a profile {s:?}");
            }
        }
        if not_a_message(b) {
            assert!(MessageId::parse_full(s).is_err(), "not a message {s:?}");
        }
        if not_a_conversation(b) {
            assert!(
                ConversationId::parse_full(s).is_err(),
                "not a conversation {s:?}"
            );
        }
        if not_a_profile(b) {
            assert!(ProfileId::parse_full(s).is_err(), "not a profile {s:?}");
        }
        // And `parse` (fast first) answers as the full parser does, errors included.
        assert_eq!(MessageId::parse(s), MessageId::parse_full(s), "{s:?}");
        assert_eq!(
            ConversationId::parse(s),
            ConversationId::parse_full(s),
            "{s:?}"
        );
        assert_eq!(ProfileId::parse(s), ProfileId::parse_full(s), "{s:?}");
    }

    #[test]
    fn the_fast_paths_answer_as_the_full_parser_over_the_corpus() {
        let corpus: Vec<String> =
            serde_json::from_str(include_str!("../tests/fixtures/urn_corpus.json")).unwrap();
        let mut fast = 0;
        let mut decoded = 0;
        for s in &corpus {
            same_as_full(s);
            fast += usize::from(fast_message_id(s).is_some());
            // Encoded once and twice, as a URN inside a URL is (`parse` takes `fast_decoded`).
            let once = encode_path_segment(s);
            let twice = encode_path_segment(&once);
            same_as_full(&once);
            same_as_full(&twice);
            decoded += usize::from(fast_decoded(&once, fast_message_id_at).is_some());
        }
        // The decoded fast path is taken: every corpus form the plain fast path takes, encoded.
        assert!(
            decoded >= fast,
            "{decoded} encoded of {fast} plain took the decoded fast path"
        );
        // The fast path is the common case, not a corner: most of the corpus takes it.
        assert!(
            fast * 2 > corpus.len(),
            "{fast} of {} took the fast path",
            corpus.len()
        );
    }

    #[test]
    fn the_fast_paths_leave_every_unusual_form_to_the_full_parser() {
        for s in [
            "2-",
            "2-.",
            "2-..",
            "2-a/../b",
            "2-~x",
            " 2-abc",
            "2-abc ",
            "2-ab%3D",
            "urn:li:fsd_message:2-a.b",
            "urn:li:fsd_message:",
            "urn:li:fsd_message:2-",
            "urn:li:fsd_message:(2-a)",
            "urn:li:msg_message:(urn:li:fsd_profile:ACoAAx,2-a",
            "urn:li:msg_message:(urn:li:fsd_profile:ACoAAx,2-a))",
            "urn:li:msg_message:((urn:li:fsd_profile:ACoAAx),2-a)",
            "urn:li:msg_message:(urn:li:fsd_profile:ACoAAx,2-a,2-b)",
            "urn:li:msg_message:(urn:li:fsd_profile:ACoAA(x),2-a)",
            "urn:li:msg_message:(urn:li:fs_miniProfile:ACoAAx,2-a)",
            "urn:li:msg_message:(,2-a)",
            "urn:li:fs_event:(2-a,2-b)",
            "urn:li:fs_event:(2-a,urn:li:fsd_message:2-b)",
            "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAx,2-c)",
            "urn:li:fsd_profile:ACoAA",
            "urn:li:fsd_profile:ACoAA+x",
            "urn:li:fsd_profile:ACoAAx/y",
            "urn:LI:fsd_message:2-a",
            "URN:li:fsd_message:2-a",
            "urn:li:fsd_message:2-a\u{0}",
            "ACoAA",
            "ACoAAé",
            // Percent-encoded: what `fast_decoded` must leave to the full parser, or answer alike.
            "%",
            "2-a%",
            "2-a%3",
            "2-a%3Z",
            "%32-abc",
            "2-abc%20",
            "%202-abc",
            " 2-abc%3D",
            "2-abc%3D ",
            "2-ab%C3%A9",
            "2-ab%253D",
            "2-ab%25253D",
            "2-ab%2525253D",
            "2-ab%252525253D",
            "2-ab%25252525253D",
            "urn%3Ali%3Afsd_message%3A2-a%2Eb",
            "urn%3Ali%3Amsg_message%3A%28urn%3Ali%3Afsd_profile%3AACoAAx%2C2-a%29",
            "urn%3Ali%3Amsg_message%3A(urn%3Ali%3Afsd_profile%3AACoAAx%2C2-a)",
            "urn%3ali%3amsg_message%3a%28urn%3ali%3afsd_profile%3aACoAAx%2c2-a%29",
            "urn%3Ali%3Amsg_message%3A%28urn%3Ali%3Afsd_profile%3AACoAAx%2C2-a%29%29",
            "urn%3Ali%3Afsd_profile%3AACoAAx",
            "urn%253Ali%253Afsd_profile%253AACoAAx",
            "https://www.linkedin.com/messaging/thread/2-abc%3D/",
            "https%3A%2F%2Fwww.linkedin.com%2Fin%2FACoAAx",
            "%41CoAAx",
            "ACoAA%2Dx",
            "urn%3Ali%3Afsd_message%3A2-a%00",
            // Profile page URLs: the fast path reads only the plain one.
            "https://www.linkedin.com/in/ACoAAx",
            "https://www.linkedin.com/in/ACoAAx/",
            "https://www.linkedin.com/in/ACoAAx//",
            "https://www.linkedin.com/in/ACoAA/",
            "https://www.linkedin.com/in/ACoAAx/?x=1",
            "https://www.linkedin.com/in/ACoAAx#y",
            "https://www.linkedin.com/in/ACoAAx/z",
            "https://www.linkedin.com/in/ACoAA+x/",
            "https://www.linkedin.com/in/ACoAAx%2D/",
            "https://www.linkedin.com/in/",
            "https://www.linkedin.com/in//",
            "https://www.linkedin.com/in/john-doe/",
            "https://www.linkedin.com/messaging/thread/2-abc/",
            "HTTPS://WWW.LINKEDIN.COM/in/ACoAAx/",
            "https://linkedin.com/in/ACoAAx/",
            "https://www.linkedin.com.evil/in/ACoAAx/",
            "https://www.linkedin.com/in/ACoAAx%2f",
            "https%3A%2F%2Fwww.linkedin.com%2Fin%2FACoAAx",
            "https%3A//www.linkedin.com/in/ACoAAx/",
            "HTTPS%3A//www.linkedin.com/in/ACoAAx/",
        ] {
            same_as_full(s);
        }
        let long = format!("2-{}", "A".repeat(MAX_URN_BYTES));
        same_as_full(&long);
        same_as_full(&format!("urn:li:fsd_message:{long}"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// URN-shaped strings over the characters that matter at the fast paths' edges.
        #[test]
        fn the_fast_paths_answer_as_the_full_parser_on_generated_input(
            ty in prop::sample::select(vec!["msg_message", "fs_event", "fsd_message", "messagingMessage", "msg_conversation", "messagingThread", "fs_conversation", "fsd_conversation", "fsd_profile", "fs_miniProfile", "member", "salesNav_thread", "msg_messagingParticipant", "fs_messagingMember", "fsd_Profile", "x"]),
            first in "(urn:li:fsd_profile:)?(ACoAA|2-)?[A-Za-z0-9+/=_.~ %(),:-]{0,6}",
            second in "(2-|ACoAA)?[A-Za-z0-9+/=_.~ %(),:-]{0,6}",
            tuple in any::<bool>(),
            close in any::<bool>(),
        ) {
            let key = if tuple { format!("({first},{second}{}", if close { ")" } else { "" }) } else { second.clone() };
            let urn = format!("urn:li:{ty}:{key}");
            same_as_full(&urn);
            same_as_full(&second);
            same_as_full(&first);
            // Encoded once and twice (the `%` among the generated characters makes malformed and
            // mixed escapes too).
            let once = encode_path_segment(&urn);
            same_as_full(&once);
            same_as_full(&encode_path_segment(&once));
            same_as_full(&encode_path_segment(&second));
            same_as_full(&format!("https://www.linkedin.com/in/{second}"));
            same_as_full(&format!("https://www.linkedin.com/in/{first}/"));
        }
    }
}

#[cfg(test)]
mod byte_order_tests {
    use super::{byte_order, MessageId};

    /// `byte_order` is `Ord` on slices, on strings of every length up to 3 words with the
    /// first difference at every place (the message ids' order in every store map).
    #[test]
    fn byte_order_is_the_order_of_the_text() {
        let base: Vec<u8> = (0..26u8).map(|i| b'A' + i).collect();
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for len in 0..=base.len() {
            let t = base[..len].to_vec();
            for at in 0..len {
                for d in [0u8, 1, 0x7f, 0x80, 0xff] {
                    let mut u = t.clone();
                    u[at] = d;
                    texts.push(u);
                }
            }
            texts.push(t);
        }
        for a in &texts {
            for b in &texts {
                assert_eq!(
                    byte_order(a, b),
                    a.as_slice().cmp(b.as_slice()),
                    "{a:?} {b:?}"
                );
            }
        }
        let ids = [
            "2-MTc2NDAwMDAwMDAwMHM1NWI5ZDU2Yi0xMDA=",
            "2-MTc2NDAwMDAwMDAwMHM1NWI5ZDU2Yi0xMDB=",
            "2-MTc2NDAwMDAwMDAwMHM1",
            "2-MTc",
        ];
        for a in ids {
            for b in ids {
                let (x, y) = (MessageId::parse(a).unwrap(), MessageId::parse(b).unwrap());
                assert_eq!(x.cmp(&y), a.cmp(b), "{a} {b}");
            }
        }
    }
}
