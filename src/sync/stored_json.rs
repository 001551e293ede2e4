//! Reading the stored records (issue 15): one member scanner for every record type, and per type
//! only the code that names its fields.
//!
//! [`from_json`] splits a record's JSON object into its members (raw JSON text by name,
//! [`Fields`]) and [`FromStored::read`] reads each field by name with that field type's own
//! serde reader. serde's derived readers (still there for writing, for sibling tabs' facts and
//! for native callers) cost the module one reader per record type — a field-name matcher, the
//! object reader, the array reader — each with every field type's reader inlined: about 2-3 KB
//! per type before wasm-opt, in every record type of both layouts. Here a field type's reader is
//! in the module once, shared by every record with a field of that type.
//!
//! A field that does not read is kept in [`Fields`], not returned at once: the reader goes on
//! with every later field absent and always builds its value (a placeholder once a field
//! failed), with no error path in between, and [`from_json`] gives the kept error (the first
//! one, as an early return gave it) and drops the value. A nested record is read the same way,
//! into the same kind of `Fields`, its error named by its field.
//!
//! The records read as serde's derived readers read them: the same names (camelCase), a missing
//! `Option` field or one of `null` is `None`, a missing `#[serde(default)]` field its default,
//! any other missing field, a repeated field (of a name the type has), a wrong type, or anything
//! after the object is an error, and members of other names are ignored. What differs is only
//! the wording of an error (the field is named; its position within the field, not the record)
//! and that a record given as a JSON array instead of an object, which nothing ever writes, is
//! refused.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, VariantAccess, Visitor,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::keys::ClientKey;
use super::outbox::{
    ElsewhereSent, FailureCode, OutboxEntry, Recipient, SendFailure, SendState, RECIPIENT_KINDS,
    SEND_STATES,
};
use super::quota::QuotaUse;
use super::reaction::{Actor, ReactionFact, ReactionKey};
use super::small_map::SmallSet;
use super::store::{ConversationRecord, History, RecallCheck, StoredMessage, Tally};
use super::tagged::Tag;
use super::time::Millis;
use crate::json_raw::{self, Shape};
use crate::model::lenient::{self, Read};
use crate::model::{Attachment, MessagingChannel, ServerEvent, ServerEventKind};
use crate::urn::{ConversationId, MessageId};

/// A record type read from its stored JSON object, field by field (see the module's text).
pub(crate) trait FromStored: Sized {
    /// The record from `f`'s members, each field in its declared order. A field that does not
    /// read is kept in `f` (see [`Fields`]), not returned: the answer is then a placeholder
    /// (each field absent or its type's default), which [`from_json`] drops for the error.
    fn read(f: &mut Fields<'_>) -> Self;
}

/// Reads the record `json` (one JSON object, nothing after it) as `T`, or says why not.
pub(crate) fn from_json<T: FromStored>(json: &[u8]) -> Result<T, String> {
    let mut f = Fields::parse(json);
    let read = T::read(&mut f);
    f.verdict()?;
    Ok(read)
}

/// An object's members as raw JSON text, in their order (a repeated name is kept twice, so that
/// reading it is an error, as serde's derived reader makes it), and the first error of reading
/// them. A field that does not read (or is missing, or there twice) is kept here, not returned
/// at once: no field is read after it (each reader answers its field absent), and
/// [`from_json`] gives it at the end, the same error as returning it there. So a record type's
/// reader has no error path after each field, where every field read before it is dropped
/// (issue 15: that drop code, once per field of every type, was most of each reader, as it
/// was of the JS boundary's `JsFields`).
pub(crate) struct Fields<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// The first field that did not read: the record's error.
    failed: Option<String>,
}

/// The members of the object `json`; serde_json's error (with its position) when `json` is
/// not one object or has anything after it.
fn split(json: &[u8]) -> Result<Vec<(Cow<'_, str>, &RawValue)>, String> {
    json_raw::members(json, "a stored record (an object)").map_err(|e| e.to_string())
}

/// Member `name`'s raw value among `members`, if it is there; an error when it is there twice.
/// A record has a few members (17 at most): a scan, and no sort code in the module.
fn lookup<'a>(
    members: &[(Cow<'a, str>, &'a RawValue)],
    name: &str,
) -> Result<Option<&'a RawValue>, String> {
    let mut same = members.iter().filter(|(k, _)| k == name);
    match (same.next(), same.next()) {
        (Some(&(_, raw)), None) => Ok(Some(raw)),
        (Some(_), Some(_)) => Err(format!("duplicate field `{name}`")),
        (None, _) => Ok(None),
    }
}

impl<'a> Fields<'a> {
    /// The members of the object `json`, or none with serde_json's error (with its position)
    /// kept when `json` is not one object or has anything after it.
    #[inline(never)]
    pub fn parse(json: &'a [u8]) -> Fields<'a> {
        match split(json) {
            Ok(members) => Fields {
                members,
                failed: None,
            },
            Err(e) => Fields {
                members: Vec::new(),
                failed: Some(e),
            },
        }
    }

    /// The first error kept so far, taken (for a caller that reads a field before the rest).
    pub fn error(&mut self) -> Result<(), String> {
        self.failed.take().map_or(Ok(()), Err)
    }

    /// The record's error, the first one kept.
    #[inline(never)]
    pub fn verdict(self) -> Result<(), String> {
        self.failed.map_or(Ok(()), Err)
    }

    /// Keeps `e` as the record's error, unless one is kept already.
    #[inline(never)]
    pub fn fail(&mut self, e: String) {
        self.failed.get_or_insert(e);
    }

    /// A value read, or `None` with its error kept.
    fn keep<T>(&mut self, read: Result<T, String>) -> Option<T> {
        match read {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// Member `name`'s raw value to read, `None` when it is missing (or `null`, when
    /// `null_is_absent`) or once a field did not read. Not generic and not inlined: every
    /// field reader of every record type calls this one copy, and only its value's read is
    /// per field type.
    #[inline(never)]
    fn find(&mut self, name: &str, null_is_absent: bool) -> Option<&'a RawValue> {
        if self.failed.is_some() {
            return None;
        }
        match lookup(&self.members, name) {
            Ok(Some(raw)) if null_is_absent && raw.get() == "null" => None,
            Ok(found) => found,
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// Member `name`'s raw value, which must be there (missing is the error).
    #[inline(never)]
    fn need(&mut self, name: &str) -> Option<&'a RawValue> {
        let found = self.find(name, false);
        if found.is_none() {
            self.absent::<()>(name);
        }
        found
    }

    /// Keeps field `name`'s missing error (unless an error is kept already); `T`'s default, the
    /// value a reader answers for it.
    pub fn absent<T: Default>(&mut self, name: &str) -> T {
        self.missing(name);
        T::default()
    }

    #[inline(never)]
    fn missing(&mut self, name: &str) {
        if self.failed.is_none() {
            self.failed = Some(missing(name));
        }
    }

    /// `v`, a field read before that the value turns out to need, or its missing error kept
    /// ([`Fields::absent`]).
    pub fn needed<T: Default>(&mut self, v: Option<T>, name: &str) -> T {
        match v {
            Some(v) => v,
            None => self.absent(name),
        }
    }

    /// Field `name`'s value `raw` (when there) read as `T` by its serde reader.
    fn field<T: DeserializeOwned>(&mut self, name: &str, how: Presence) -> Option<T> {
        let raw = self.member(name, how)?;
        let read = value(raw, name);
        self.keep(read)
    }

    /// Member `name`'s raw value as `how` reads it: one call for every field reader, so that a
    /// field type's reader is one copy however its fields are read.
    #[inline(never)]
    fn member(&mut self, name: &str, how: Presence) -> Option<&'a RawValue> {
        match how {
            Presence::Required => self.need(name),
            Presence::NullIsAbsent => self.find(name, true),
            Presence::Given => self.find(name, false),
        }
    }

    /// An enum's field that must be there, read as serde's derived reader reads it
    /// ([`UnitEnum`]): the index of the name in `names`, or, when `unknown` lets a name outside
    /// them pass, that name; and the string the variant `text` holds, when it is that one. One
    /// reader for every such enum, where serde's derived one is a copy of serde_json's
    /// `deserialize_enum` per enum type.
    #[inline(never)]
    pub fn variant(
        &mut self,
        name: &str,
        names: &'static [&'static str],
        unknown: Unknown,
        text: Option<usize>,
    ) -> Named {
        let Some(raw) = self.need(name) else {
            return (Ok(0), None);
        };
        let read = UnitEnum {
            names,
            unknown,
            text,
        }
        .deserialize(&mut serde_json::Deserializer::from_slice(
            raw.get().as_bytes(),
        ))
        .map_err(|e| field_error(name, &e));
        self.keep(read).unwrap_or((Ok(0), None))
    }

    /// A field that must be there, of a type with no default.
    pub fn req_some<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        self.field(name, Presence::Required)
    }

    /// A field that must be there (its type's default when it is not, with the error kept:
    /// a value never used).
    pub fn req<T: DeserializeOwned + Default>(&mut self, name: &str) -> T {
        self.req_some(name).unwrap_or_default()
    }

    /// An `Option` field: missing or `null` is `None`.
    pub fn opt<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        self.field(name, Presence::NullIsAbsent)
    }

    /// A field that may be missing but, when there, is read as `T` (`null` is not missing).
    pub fn given<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        self.field(name, Presence::Given)
    }

    /// A `#[serde(default)]` field: missing is its default (`null` is not missing).
    pub fn or_default<T: DeserializeOwned + Default>(&mut self, name: &str) -> T {
        self.given(name).unwrap_or_default()
    }

    /// A `#[serde(default)]` list of plain values (ids, keys, numbers): missing is empty;
    /// read as by [`Fields::values`].
    pub fn list_or_default<T: DeserializeOwned>(&mut self, name: &str) -> Vec<T> {
        self.values(name, Presence::Given).unwrap_or_default()
    }

    /// A list of plain values that must be there, read as by [`Fields::values`].
    pub fn list_req<T: DeserializeOwned>(&mut self, name: &str) -> Vec<T> {
        self.values(name, Presence::Required).unwrap_or_default()
    }

    /// The list field `name` of plain values, each read by `T`'s serde reader as serde's
    /// reader of `Vec<T>` reads it, to the same errors (a non-array's, else the first item's,
    /// named by the field, its position left out), through one loop for every item type
    /// ([`Fields::each_value`]) where serde's is a copy per item type. `None` when it is not
    /// there or does not read.
    fn values<T: DeserializeOwned>(&mut self, name: &str, how: Presence) -> Option<Vec<T>> {
        let mut out = Vec::new();
        let read = self.each_value(name, how, &mut |raw| {
            out.push(T::deserialize(&mut serde_json::Deserializer::from_slice(
                raw.get().as_bytes(),
            ))?);
            Ok(())
        });
        read.then_some(out)
    }

    /// The list `name`'s items, each given to `read` in order (see [`Fields::values`]);
    /// whether the list was there and every item read.
    #[inline(never)]
    fn each_value(
        &mut self,
        name: &str,
        how: Presence,
        read: &mut dyn FnMut(&'a RawValue) -> Result<(), serde_json::Error>,
    ) -> bool {
        let Some(items) = self.items(name, how) else {
            return false;
        };
        for item in items {
            if let Err(e) = read(item) {
                self.fail(field_error(name, &e));
                return false;
            }
        }
        true
    }

    /// The list `name`'s items as raw JSON text, when it is there and a list (`how` says
    /// whether it must be there): serde's `Vec<&RawValue>` reader's items and errors.
    fn items(&mut self, name: &str, how: Presence) -> Option<Vec<&'a RawValue>> {
        let raw = self.member(name, how)?;
        let items = json_raw::items(raw).map_err(|e| field_error(name, &e));
        self.keep(items)
    }

    /// An `Option` field of an API model type, read by the reader the client reads answers with
    /// ([`Read`]): missing or `null` is `None`. [`Read`] takes a member missing or given twice as
    /// its field readers allow, where serde's derived reader of the type (which reads each field
    /// with the same tolerant readers, so never fails on a value) refuses an object with one of
    /// `required` missing or one of `known` (its serde names) given twice: those are checked
    /// first, so the same records are refused.
    pub fn opt_model<T: Read>(
        &mut self,
        name: &str,
        known: &[&str],
        required: &[&str],
    ) -> Option<T> {
        let raw = self.find(name, true)?;
        match bare_model(raw, known, required) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail_in(name, e);
                None
            }
        }
    }

    /// A list of API model values that must be there (each read as by [`Fields::opt_model`]);
    /// `null`, a non-array or an element that does not read is an error.
    pub fn models<T: Read>(&mut self, name: &str, known: &[&str], required: &[&str]) -> Vec<T> {
        self.model_list(name, true, known, required)
    }

    /// A list of API model values, each read as by [`Fields::opt_model`], through the one
    /// loop of [`Fields::each`].
    fn model_list<T: Read>(
        &mut self,
        name: &str,
        required_list: bool,
        known: &[&str],
        required: &[&str],
    ) -> Vec<T> {
        let mut out = Vec::new();
        self.each(name, required_list, &mut |item| {
            out.push(bare_model(item, known, required)?);
            Ok(())
        });
        out
    }

    /// A list of API model values, `#[serde(default)]`: missing is empty; `null`, a non-array
    /// or an element that does not read is an error (each read as by [`Fields::opt_model`]).
    pub fn models_or_default<T: Read>(
        &mut self,
        name: &str,
        known: &[&str],
        required: &[&str],
    ) -> Vec<T> {
        self.model_list(name, false, known, required)
    }

    /// Field `name`'s value `raw`, a nested record, read by its own reader; when it is not
    /// there (with an error kept), the reader's placeholder.
    #[inline(never)]
    fn nested<T: FromStored>(&mut self, raw: Option<&'a RawValue>, name: &str) -> T {
        let mut inner = Fields::parse_nested(raw);
        let read = T::read(&mut inner);
        self.nested_verdict(inner, name);
        read
    }

    /// The members of a nested record's text `raw`; none, with an error kept that is never
    /// given (the record's own error is kept already), when it is not there.
    #[inline(never)]
    fn parse_nested(raw: Option<&'a RawValue>) -> Fields<'a> {
        match raw {
            Some(raw) => Fields::parse(raw.get().as_bytes()),
            None => Fields {
                members: Vec::new(),
                failed: Some(String::new()),
            },
        }
    }

    /// A nested record's error, named by its field `name`, kept as this record's.
    #[inline(never)]
    fn nested_verdict(&mut self, inner: Fields<'_>, name: &str) {
        if let Err(e) = inner.verdict() {
            self.fail_in(name, e);
        }
    }

    /// Keeps `e`, the error of a value in field `name`, named by the field.
    #[inline(never)]
    fn fail_in(&mut self, name: &str, e: String) {
        self.fail(format!("field `{name}`: {e}"));
    }

    /// A nested `Option` record: missing or `null` is `None`.
    pub fn record_opt<T: FromStored>(&mut self, name: &str) -> Option<T> {
        let raw = self.find(name, true)?;
        Some(self.nested(Some(raw), name))
    }

    /// A nested record that must be there.
    pub fn record<T: FromStored>(&mut self, name: &str) -> T {
        let raw = self.need(name);
        self.nested(raw, name)
    }

    /// A nested record that may be missing but, when there, is read (`null` is not missing).
    pub fn record_given<T: FromStored>(&mut self, name: &str) -> Option<T> {
        let raw = self.find(name, false)?;
        Some(self.nested(Some(raw), name))
    }

    /// A nested `#[serde(default)]` record.
    pub fn record_or_default<T: FromStored + Default>(&mut self, name: &str) -> T {
        self.record_given(name).unwrap_or_default()
    }

    /// A list of records that must be there; `null`, a non-array or an element that does not
    /// read is an error.
    pub fn records<T: FromStored>(&mut self, name: &str) -> Vec<T> {
        self.list(name, true)
    }

    /// A `#[serde(default)]` list of records: missing is empty; `null` or a non-array is an
    /// error, as is any element that does not read.
    pub fn records_or_default<T: FromStored>(&mut self, name: &str) -> Vec<T> {
        self.list(name, false)
    }

    /// A list of records, each read by the record's own reader (as [`from_json`], as the
    /// per-record layout reads one record).
    fn list<T: FromStored>(&mut self, name: &str, required: bool) -> Vec<T> {
        let mut out = Vec::new();
        self.each_record(name, required, &mut |f| out.push(T::read(f)));
        out
    }

    /// The list `name`'s items as [`Fields::each`] gives them, each a record whose members
    /// `read` reads (its error, if any, then the item's): the parse and the verdict of every
    /// item in one copy, only `read` per record type.
    #[inline(never)]
    fn each_record(&mut self, name: &str, required: bool, read: &mut dyn FnMut(&mut Fields<'a>)) {
        self.each(name, required, &mut |item| {
            let mut f = Fields::parse(item.get().as_bytes());
            read(&mut f);
            f.verdict()
        });
    }

    /// The list of pairs (two-element arrays) `name`, `#[serde(default)]` (missing is empty),
    /// each pair's halves handed to `read` in order as they are read (`false` for the first
    /// half, `true` for the second): read and refused as serde's reader of `Vec<(A, B)>` reads
    /// them, to the same errors (see [`json_raw::Shape`]), with one loop and one pair reader for every
    /// list of pairs where serde's are a copy per pair type. `read` says why a half does not
    /// read as [`half`] and [`stored`] do.
    #[inline(never)]
    pub fn pairs(
        &mut self,
        name: &str,
        read: &mut dyn FnMut(bool, &'a RawValue) -> Result<(), String>,
    ) {
        let Some(raw) = self.find(name, false) else {
            return;
        };
        let read = json_raw::read(raw, Shape::Pairs, read).map_err(|e| field_error(name, &e));
        self.keep(read);
    }

    /// An `Option<(A, B)>` field (missing or `null` is `None`), the halves read by `first`
    /// and `second` as [`Fields::pairs`] reads each pair ([`Shape::Pair`]: serde's tuple
    /// reader's expectation and errors), not by serde's reader of the tuple type.
    pub fn opt_pair<A, B>(
        &mut self,
        name: &str,
        first: fn(&'a RawValue) -> Result<A, String>,
        second: fn(&'a RawValue) -> Result<B, String>,
    ) -> Option<(A, B)> {
        let raw = self.find(name, true)?;
        let (mut a, mut b) = (None, None);
        let read = json_raw::read(raw, Shape::Pair, &mut |is_second, raw| {
            if is_second {
                b = Some(second(raw)?);
            } else {
                a = Some(first(raw)?);
            }
            Ok(())
        })
        .map_err(|e| field_error(name, &e));
        self.keep(read)?;
        Some((a?, b?))
    }

    /// The `#[serde(default)]` list of pairs `name` as a `Vec<(A, B)>`, the halves read by
    /// `first` and `second` ([`half`] or [`stored`]) through [`Fields::pairs`]: the one way a
    /// record's list of pairs is read.
    pub fn pair_list<A, B>(
        &mut self,
        name: &str,
        first: fn(&'a RawValue) -> Result<A, String>,
        second: fn(&'a RawValue) -> Result<B, String>,
    ) -> Vec<(A, B)> {
        let (mut out, mut held) = (Vec::new(), None);
        self.pairs(name, &mut |is_second, raw| {
            match (is_second, held.take()) {
                (false, _) => held = Some(first(raw)?),
                (true, Some(a)) => out.push((a, second(raw)?)),
                (true, None) => {}
            }
            Ok(())
        });
        out
    }

    /// The list `name`'s items, each given to `read` in order: the one loop of every list of
    /// records (what differs per record type is only `read`, the record's own reader, so no
    /// list reader is in the module per type). Missing is empty unless `required`; `null`, a
    /// non-array or an item `read` refuses is an error naming the field and the item.
    #[inline(never)]
    fn each(
        &mut self,
        name: &str,
        required: bool,
        read: &mut dyn FnMut(&'a RawValue) -> Result<(), String>,
    ) {
        let how = if required {
            Presence::Required
        } else {
            Presence::Given
        };
        let Some(items) = self.items(name, how) else {
            return;
        };
        for (i, item) in items.into_iter().enumerate() {
            if let Err(e) = read(item) {
                return self.fail(format!("field `{name}`: {e} (item {i})"));
            }
        }
    }
}

/// How a field's member is looked up ([`Fields::member`]).
#[derive(Clone, Copy)]
enum Presence {
    /// It must be there (missing is the error).
    Required,
    /// Missing or `null` is absent.
    NullIsAbsent,
    /// Missing is absent (`null` is a value).
    Given,
}

fn missing(name: &str) -> String {
    format!("missing field `{name}`")
}

/// Field `name`'s value `raw` read as `T` by its serde reader (from bytes: the module's one
/// serde_json reader type).
fn value<'a, T: Deserialize<'a>>(raw: &'a RawValue, name: &str) -> Result<T, String> {
    T::deserialize(&mut serde_json::Deserializer::from_slice(
        raw.get().as_bytes(),
    ))
    .map_err(|e| field_error(name, &e))
}

/// An API model value `raw`, read by [`Read`] once what serde's derived reader refused is
/// checked (see [`Fields::opt_model`]).
fn bare_model<T: Read>(raw: &RawValue, known: &[&str], required: &[&str]) -> Result<T, String> {
    refused_model(raw, known, required)?;
    lenient::decode_raw(raw)
}

/// What serde's derived reader of an API model type refuses and [`Read`] takes (see
/// [`Fields::opt_model`]): not generic, one copy for every model type.
#[inline(never)]
fn refused_model(raw: &RawValue, known: &[&str], required: &[&str]) -> Result<(), String> {
    let members = split(raw.get().as_bytes())?;
    for field in known {
        if lookup(&members, field)?.is_none() && required.contains(field) {
            return Err(missing(field));
        }
    }
    // Numbers out of range, as serde's reader (over `serde_json::Value`) refuses them.
    lenient::json_document(raw.get().as_bytes()).map_err(|e| e.to_string())?;
    Ok(())
}

/// serde_json's error about a field's value, named by the field; its position (within the
/// field's text) left out.
fn field_error(name: &str, e: &serde_json::Error) -> String {
    let text = e.to_string();
    let at = format!(" at line {} column {}", e.line(), e.column());
    let bare = match text.strip_suffix(&at) {
        Some(bare) if e.line() != 0 => bare,
        _ => &text,
    };
    format!("field `{name}`: {bare}")
}

/// Half of a pair of [`Fields::pairs`], read as `T` by its serde reader; serde_json's error
/// (its position kept, as in serde's reader of the pair, where the position is then dropped).
pub(crate) fn half<T: DeserializeOwned>(raw: &RawValue) -> Result<T, String> {
    T::deserialize(&mut serde_json::Deserializer::from_slice(
        raw.get().as_bytes(),
    ))
    .map_err(|e| e.to_string())
}

/// Half of a pair of [`Fields::pairs`] (or an item of [`stored_list`]), a record read by its
/// [`FromStored`] reader.
pub(crate) fn stored<T: FromStored>(raw: &RawValue) -> Result<T, String> {
    from_json(raw.get().as_bytes())
}

/// Half of a pair of [`Fields::pairs`], a list of records each read by its [`FromStored`]
/// reader, with serde's reader of a `Vec` around them (its errors, the position kept as in
/// [`half`]; an error of an item's reader becomes serde_json's error after the item); the
/// items go through the one array reader ([`json_raw::read`]), so no list reader per record
/// type is in the module.
pub(crate) fn stored_list<T: FromStored>(raw: &RawValue) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    json_raw::read(raw, Shape::Items, &mut |_, item| {
        out.push(stored(item)?);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(out)
}

// The record types of both layouts, field by field in their declared order (the serde
// attributes on each type say which fields are `Option`, `default` or required).

// Each reader reads every field (a field that does not read is kept in `Fields` and none is
// read after it), then builds its value once, with no error path in between (issue 15).

impl FromStored for StoredMessage {
    fn read(f: &mut Fields<'_>) -> Self {
        let id = f.req_some("id").unwrap_or_else(MessageId::placeholder);
        let conversation = f
            .req_some("conversation")
            .unwrap_or_else(ConversationId::placeholder);
        let message_urn = f.req("messageUrn");
        let text = f.req("text");
        let sent_at = Millis(f.req("sentAt"));
        let sender_profile_id = f.opt("senderProfileId");
        let sender_name = f.opt("senderName");
        let is_sent_by_owner = f.req("isSentByOwner");
        let attachments = attachments(f);
        let subject = f.opt("subject");
        let stamp = f.req("stamp");
        let tally = f.record_opt("tally");
        let client_key = f.opt("clientKey").map(ClientKey);
        StoredMessage {
            id,
            conversation,
            message_urn,
            text,
            sent_at,
            sender_profile_id,
            sender_name,
            is_sent_by_owner,
            attachments,
            subject,
            stamp,
            tally,
            client_key,
            rev: crate::sync::Rev::new(),
        }
    }
}

impl FromStored for ConversationRecord {
    fn read(f: &mut Fields<'_>) -> Self {
        let id = f.req_some("id").unwrap_or_else(ConversationId::placeholder);
        let urn = f.req("urn");
        let meta = f.opt_model("meta", CONVERSATION_FIELDS, CONVERSATION_REQUIRED);
        let meta_stamp = Millis(f.req("metaStamp"));
        let read_at = Millis(f.req("readAt"));
        let history = f.record("history");
        ConversationRecord {
            id,
            urn,
            meta,
            meta_stamp,
            read_at,
            history,
        }
    }
}

impl FromStored for Tally {
    fn read(f: &mut Fields<'_>) -> Self {
        Tally {
            stamp: f.req("stamp"),
            entries: f.models("entries", SUMMARY_FIELDS, SUMMARY_FIELDS),
        }
    }
}

/// A record's `#[serde(default)]` list of attachments, each read by the reader the client reads
/// answers with ([`Fields::models_or_default`]).
fn attachments(f: &mut Fields<'_>) -> Vec<Attachment> {
    f.models_or_default("attachments", ATTACHMENT_FIELDS, ATTACHMENT_REQUIRED)
}

/// `Attachment`'s serde names.
const ATTACHMENT_FIELDS: &[&str] = &["assetUrn", "byteSize", "mediaType", "name", "url"];

/// `Attachment`'s fields with neither `Option` nor `#[serde(default)]`.
const ATTACHMENT_REQUIRED: &[&str] = &["assetUrn", "byteSize", "mediaType", "name"];

/// `ReactionSummary`'s serde names, all required.
const SUMMARY_FIELDS: &[&str] = &["emoji", "count", "viewerReacted"];

impl FromStored for QuotaUse {
    fn read(f: &mut Fields<'_>) -> Self {
        QuotaUse {
            day: f.req("day"),
            // As `SmallSet`'s serde reader: the list, then each key in.
            keys: {
                let mut keys = SmallSet::new();
                keys.extend(f.list_req::<ClientKey>("keys"));
                keys
            },
        }
    }
}

/// A server event (a message of the realtime socket) from its JSON text, or `None` when it does
/// not read: the same events read, to the same values, as by serde's derived reader (whose
/// error the socket dropped too).
pub fn server_event(json: &[u8]) -> Option<ServerEvent> {
    from_json(json).ok()
}

impl FromStored for ServerEvent {
    fn read(f: &mut Fields<'_>) -> Self {
        let seq = f.req("seq");
        let kind = f.variant("type", &EVENT_KIND_NAMES, Unknown::Other, None);
        let at = f.or_default("at");
        let account_id = f.or_default("accountId");
        let conversation_urn = f.or_default("conversationUrn");
        let message_urn = f.opt("messageUrn");
        let emoji = f.opt("emoji");
        let react = f.opt("react");
        let actor = f.opt("actor");
        ServerEvent {
            seq,
            kind: kind.0.map_or(ServerEventKind::Unknown, |i| EVENT_KINDS[i]),
            at,
            account_id,
            conversation_urn,
            message_urn,
            emoji,
            react,
            actor,
        }
    }
}

/// `ServerEventKind`'s serde names but `Unknown`'s (`#[serde(other)]`: any other name), in its
/// declared order (as in [`EVENT_KINDS`]).
const EVENT_KIND_NAMES: [&str; 4] = [
    "messageCreated",
    "messageRecalled",
    "reactionChanged",
    "conversationRead",
];

/// `ServerEventKind`'s variants, named by [`EVENT_KIND_NAMES`].
const EVENT_KINDS: [ServerEventKind; 4] = [
    ServerEventKind::MessageCreated,
    ServerEventKind::MessageRecalled,
    ServerEventKind::ReactionChanged,
    ServerEventKind::ConversationRead,
];

/// `Conversation`'s serde names (its derived reader refuses any of them given twice).
const CONVERSATION_FIELDS: &[&str] = &[
    "conversationUrn",
    "conversationId",
    "backendConversationUrn",
    "conversationUrl",
    "lastActivityAt",
    "createdAt",
    "lastReadAt",
    "isRead",
    "state",
    "unreadCount",
    "participants",
    "latestMessage",
    "source",
    "salesNavThreadId",
    "accountId",
];

/// `Conversation`'s fields with neither `Option` nor `#[serde(default)]`.
const CONVERSATION_REQUIRED: &[&str] = &["conversationUrn", "unreadCount", "participants"];

impl FromStored for History {
    fn read(f: &mut Fields<'_>) -> Self {
        History {
            oldest: f.opt_pair("oldest", half, half),
            cursor: f.opt("cursor"),
            has_more: f.req("hasMore"),
            head_loaded: f.req("headLoaded"),
            polled_to: f.opt("polledTo").map(Millis),
            gap: f.or_default("gap"),
        }
    }
}

impl FromStored for OutboxEntry {
    fn read(f: &mut Fields<'_>) -> Self {
        let key = ClientKey(f.req("key"));
        let seq = f.req("seq");
        let created_at = Millis(f.req("createdAt"));
        let recipient = f.record("recipient");
        let conversation = f.opt("conversation");
        let conversation_urn = f.opt("conversationUrn");
        let text = f.req("text");
        let subject = f.opt("subject");
        // Refused: a name no channel has is an error, never passed on.
        let channel = f.variant("channel", &CHANNEL_NAMES, Unknown::Refused, None);
        let attachments = attachments(f);
        let new_conversation = f.req("newConversation");
        let state = f.record("state");
        let check_at = f.opt("checkAt").map(Millis);
        let attempt_at = f.opt("attemptAt").map(Millis);
        let shown_in = f.opt("shownIn");
        OutboxEntry {
            key,
            seq,
            created_at,
            recipient,
            conversation,
            conversation_urn,
            text,
            subject,
            channel: CHANNELS[channel.0.unwrap_or(0)],
            attachments,
            new_conversation,
            state,
            check_at,
            attempt_at,
            shown_in,
        }
    }
}

/// As `SendState`'s own reader (in `outbox`): every field a state can have, each read as its
/// type when there (`null` is not missing), in that reader's order, then the variant `state`
/// names.
impl FromStored for SendState {
    fn read(f: &mut Fields<'_>) -> Self {
        let state: Option<Tag> = f.given("state");
        let started_at: Option<Millis> = f.given("startedAt");
        let failed_at: Option<Millis> = f.given("failedAt");
        let error: Option<String> = f.given("error");
        let reason: Option<SendFailure> = f.record_given("reason");
        let retryable: Option<bool> = f.given("retryable");
        let message: Option<MessageId> = f.opt("message");
        let answer_pending: Option<bool> = f.given("answerPending");
        // The fields the variant needs, in that reader's order: one missing is the error (a
        // field that did not read before it is kept instead: `Fields::fail` keeps the first).
        let state = match state {
            Some(Tag(state)) => state,
            None => f.absent("state"),
        };
        match state.as_str() {
            "queued" => SendState::Queued,
            "inFlight" => SendState::InFlight {
                started_at: f.needed(started_at, "startedAt"),
            },
            "ambiguous" => SendState::Ambiguous {
                started_at: f.needed(started_at, "startedAt"),
                failed_at: f.needed(failed_at, "failedAt"),
                error: f.needed(error, "error"),
            },
            "failed" => SendState::Failed {
                reason: match reason {
                    Some(reason) => reason,
                    None => SendFailure {
                        code: FailureCode::Unknown,
                        message: f.absent("reason"),
                    },
                },
                retryable: f.needed(retryable, "retryable"),
            },
            "sent" => SendState::Sent {
                message,
                answer_pending: f.needed(answer_pending, "answerPending"),
                started_at: f.needed(started_at, "startedAt"),
            },
            other => {
                let e: serde_json::Error = serde::de::Error::unknown_variant(other, &SEND_STATES);
                f.fail(e.to_string());
                SendState::Queued
            }
        }
    }
}

/// As `Recipient`'s derived reader (adjacently tagged, `kind` and `value`) reads it: `kind` as
/// serde reads a variant there (its name, or `{"<name>": null}`), then `value`, a string, which
/// every kind has (a missing one is an error, as it is there).
impl FromStored for Recipient {
    fn read(f: &mut Fields<'_>) -> Self {
        let kind = f.variant("kind", &RECIPIENT_KINDS, Unknown::Later, None);
        let value: String = f.req("value");
        match kind.0 {
            Ok(0) => Recipient::Conversation(value),
            Ok(1) => Recipient::ProfileUrn(value),
            Ok(_) => Recipient::ProfileSlug(value),
            Err(other) => {
                let e: serde_json::Error =
                    serde::de::Error::unknown_variant(&other, &RECIPIENT_KINDS);
                f.fail(e.to_string());
                Recipient::Conversation(String::new())
            }
        }
    }
}

/// What the enum reader ([`UnitEnum`]) does with a name it does not know.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// serde's `unknown variant` error, as the name is read (a derived reader's).
    Refused,
    /// Takes it (`#[serde(other)]`).
    Other,
    /// Takes it, for the caller to refuse once the whole value is read (an adjacently tagged
    /// enum's tag, as serde reads `Recipient`'s `kind`).
    Later,
}

/// An enum's variant as [`UnitEnum`] reads it: the index of its name, or the name when no
/// variant has it (as [`Unknown`] lets it pass), and the string it holds when it is the variant
/// that holds one.
pub(crate) type Named = (Result<usize, String>, Option<String>);

/// An enum's variant whose variants are unit variants but (at most) one of a string, read as
/// serde's derived reader reads it from serde_json: through `deserialize_enum`, so a string, or
/// an object of one member whose value is `null` (a unit variant) or the string (the variant
/// `text`); its name read as a variant identifier and checked against `names` right then (so a
/// name no variant has is refused before the rest of the value is looked at, unless
/// [`Unknown`] says otherwise), then the variant's value.
struct UnitEnum {
    names: &'static [&'static str],
    unknown: Unknown,
    text: Option<usize>,
}

impl<'de> DeserializeSeed<'de> for UnitEnum {
    type Value = Named;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_enum("", self.names, self)
    }
}

impl<'de> Visitor<'de> for UnitEnum {
    type Value = Named;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json's `deserialize_enum` never asks (it says `expected value` itself).
        f.write_str("a unit variant")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (named, access) = data.variant_seed(&self)?;
        if self.text.is_some() && named.as_ref().ok() == self.text.as_ref() {
            return Ok((named, Some(access.newtype_variant()?)));
        }
        access.unit_variant()?;
        Ok((named, None))
    }
}

/// An enum's variant name as serde's derived variant identifier reads it.
impl<'de> DeserializeSeed<'de> for &UnitEnum {
    type Value = Result<usize, String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for &UnitEnum {
    type Value = Result<usize, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match self.names.iter().position(|n| *n == v) {
            Some(i) => Ok(Ok(i)),
            None if self.unknown == Unknown::Refused => Err(E::unknown_variant(v, self.names)),
            None => Ok(Err(v.to_owned())),
        }
    }
}

/// `Actor`'s serde names, in its declared order (`profile` holds a profile id).
const ACTORS: [&str; 2] = ["me", "profile"];

/// `MessagingChannel`'s serde names, in its declared order (as in [`CHANNELS`]).
const CHANNEL_NAMES: [&str; 3] = ["auto", "sales_navigator", "linkedin_inbox"];

/// `MessagingChannel`'s variants, named by [`CHANNEL_NAMES`].
const CHANNELS: [MessagingChannel; 3] = [
    MessagingChannel::Auto,
    MessagingChannel::SalesNavigator,
    MessagingChannel::LinkedinInbox,
];

/// `FailureCode`'s serde names but `Unknown`'s (`#[serde(other)]`: any other name), in its
/// declared order (as in [`FAILURE_CODES`]).
const FAILURE_CODE_NAMES: [&str; 13] = [
    "bad_request",
    "unauthorized",
    "forbidden",
    "not_found",
    "rate_limited",
    "server",
    "timeout",
    "network",
    "malformed",
    "proved_absent",
    "unverifiable",
    "storage",
    "still_there",
];

/// `FailureCode`'s variants, named by [`FAILURE_CODE_NAMES`].
const FAILURE_CODES: [FailureCode; 13] = [
    FailureCode::BadRequest,
    FailureCode::Unauthorized,
    FailureCode::Forbidden,
    FailureCode::NotFound,
    FailureCode::RateLimited,
    FailureCode::Server,
    FailureCode::Timeout,
    FailureCode::Network,
    FailureCode::Malformed,
    FailureCode::ProvedAbsent,
    FailureCode::Unverifiable,
    FailureCode::Storage,
    FailureCode::StillThere,
];

impl FromStored for SendFailure {
    fn read(f: &mut Fields<'_>) -> Self {
        let code = f.variant("code", &FAILURE_CODE_NAMES, Unknown::Other, None);
        let message = f.req("message");
        SendFailure {
            code: code.0.map_or(FailureCode::Unknown, |i| FAILURE_CODES[i]),
            message,
        }
    }
}

impl FromStored for ElsewhereSent {
    fn read(f: &mut Fields<'_>) -> Self {
        ElsewhereSent {
            key: ClientKey(f.req("key")),
            text: f.req("text"),
            subject: f.opt("subject"),
            attachments: attachments(f),
            sent_at: Millis(f.req("sentAt")),
            message_urn: f.opt("messageUrn"),
        }
    }
}

impl FromStored for ReactionKey {
    fn read(f: &mut Fields<'_>) -> Self {
        let message = f.req_some("message").unwrap_or_else(MessageId::placeholder);
        let (_, profile) = f.variant("actor", &ACTORS, Unknown::Refused, Some(1));
        ReactionKey {
            message,
            actor: profile.map_or(Actor::Me, Actor::Profile),
            emoji: f.req("emoji"),
        }
    }
}

impl FromStored for ReactionFact {
    fn read(f: &mut Fields<'_>) -> Self {
        ReactionFact {
            present: f.req("present"),
            stamp: f.req("stamp"),
        }
    }
}

impl FromStored for RecallCheck {
    fn read(f: &mut Fields<'_>) -> Self {
        RecallCheck {
            message: f.req_some("message").unwrap_or_else(MessageId::placeholder),
            conversation: f
                .req_some("conversation")
                .unwrap_or_else(ConversationId::placeholder),
            since: f.req("since"),
            requested: f.req("requested"),
            ours: f.req("ours"),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Conversation, ConversationSource, LatestMessage};
    use serde_json::{json, Value};

    /// `json` (an object) and the ways it can be wrong, each read by [`from_json`] and by serde's
    /// derived reader of `T`: both read it to the same value, or neither does (the one
    /// difference, a record given as an array, is allowed). Each member left out, `null`, given
    /// twice, of each other JSON type; a member of another name; not an object; something after
    /// it. How many read and how many were refused.
    pub(crate) fn reads_as_derived<T>(json: &str) -> (usize, usize)
    where
        T: FromStored + serde::de::DeserializeOwned + fmt::Debug,
    {
        let v: Value = serde_json::from_str(json).unwrap();
        let obj = v.as_object().unwrap();
        let mut cases = vec![
            json.to_owned(),
            format!("{json} x"),
            format!("{json}{{}}"),
            "[]".into(),
            "null".into(),
            "\"x\"".into(),
            "7".into(),
            json[..json.len() / 2].to_owned(),
        ];
        let mut extra = obj.clone();
        extra.insert("zzUnknown".into(), json!([1, {"a": null}]));
        cases.push(Value::Object(extra).to_string());
        for name in obj.keys() {
            let mut gone = obj.clone();
            gone.remove(name);
            cases.push(Value::Object(gone).to_string());
            for other in [
                Value::Null,
                json!("x"),
                json!(7),
                json!(-1.5),
                json!(1e300),
                json!(true),
                json!([]),
                json!([1]),
                json!({}),
            ] {
                let mut changed = obj.clone();
                changed.insert(name.clone(), other);
                cases.push(Value::Object(changed).to_string());
            }
            let member = serde_json::to_string(&json!({ name: obj[name] })).unwrap();
            cases.push(format!("{},{}", &member[..member.len() - 1], &json[1..]));
        }
        let (mut read, mut refused) = (0, 0);
        for case in cases {
            let ours = from_json::<T>(case.as_bytes());
            let derived = serde_json::from_str::<T>(&case).map_err(|e| e.to_string());
            match (&ours, &derived) {
                (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{case}"),
                (Err(_), Err(_)) => {}
                (Err(e), Ok(_)) if e.contains("sequence, expected a stored record") => {}
                _ => panic!("{case}\n stored_json: {ours:?}\n serde: {derived:?}"),
            }
            if ours.is_ok() {
                read += 1;
            } else {
                refused += 1;
            }
        }
        (read, refused)
    }

    /// A server event of each kind (and one of a kind this build does not know), with every
    /// field and with the optional ones left out, reads as serde's derived reader reads it.
    #[test]
    fn server_events_read_as_the_derived_reader_reads_them() {
        let full = r#"{"seq":7,"type":"reactionChanged","at":1700000000000,"accountId":"a","conversationUrn":"urn:li:msg_conversation:(urn:li:fsd_profile:A,2-x)","messageUrn":"urn:li:msg_message:(urn:li:fsd_profile:A,2-y)","emoji":"x","react":true,"actor":"p"}"#;
        let (read, refused) = reads_as_derived::<ServerEvent>(full);
        assert!(read > 10 && refused > 10, "{read} read, {refused} refused");
        for kind in [
            "messageCreated",
            "messageRecalled",
            "conversationRead",
            "somethingNew",
        ] {
            reads_as_derived::<ServerEvent>(&format!(r#"{{"seq":1,"type":"{kind}"}}"#));
        }
    }

    /// An outbox entry's state of each kind (a failure of a known code and of one this build
    /// does not know; a sent message known, unknown and `null`), its failure, a Sales Navigator
    /// send kept with an attachment, a reaction's key (of each actor) and fact: each, and each
    /// in every wrong way, reads as serde's derived reader (the hand-written one for
    /// `SendState`) reads it.
    #[test]
    fn states_failures_elsewhere_sends_and_reactions_read_as_the_derived_readers_read_them() {
        const ID: &str = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
        let mut totals = (0, 0);
        let mut add = |(read, refused): (usize, usize)| {
            totals.0 += read;
            totals.1 += refused;
        };
        for state in [
            r#"{"state":"queued"}"#.to_owned(),
            r#"{"state":"inFlight","startedAt":5}"#.to_owned(),
            r#"{"state":"ambiguous","startedAt":5,"failedAt":6,"error":"e"}"#.to_owned(),
            r#"{"state":"failed","reason":{"code":"network","message":"m"},"retryable":true}"#
                .to_owned(),
            r#"{"state":"failed","reason":{"code":"zzNew","message":"m"},"retryable":false}"#
                .to_owned(),
            format!(r#"{{"state":"sent","message":"{ID}","answerPending":true,"startedAt":5}}"#),
            r#"{"state":"sent","message":null,"answerPending":false,"startedAt":5}"#.to_owned(),
            r#"{"state":"sent","answerPending":false,"startedAt":5}"#.to_owned(),
            r#"{"state":"zzNew"}"#.to_owned(),
            // Every field a state can have, on one that has none: each read as its type.
            format!(
                r#"{{"state":"queued","startedAt":5,"failedAt":6,"error":"e","reason":{{"code":"network","message":"m"}},"retryable":true,"message":"{ID}","answerPending":false}}"#
            ),
        ] {
            add(reads_as_derived::<SendState>(&state));
        }
        add(reads_as_derived::<SendFailure>(
            r#"{"code":"proved_absent","message":"m"}"#,
        ));
        let attachment =
            r#"{"assetUrn":"urn:a","byteSize":3,"mediaType":"text/plain","name":"n","url":"u"}"#;
        add(reads_as_derived::<ElsewhereSent>(&format!(
            r#"{{"key":"k-1","text":"t","subject":"s","attachments":[{attachment}],"sentAt":9,"messageUrn":"x"}}"#
        )));
        add(reads_as_derived::<ElsewhereSent>(
            r#"{"key":"k-1","text":"t","sentAt":9}"#,
        ));
        for actor in [r#""me""#, r#"{"profile":"p"}"#] {
            add(reads_as_derived::<ReactionKey>(&format!(
                r#"{{"message":"{ID}","actor":{actor},"emoji":"x"}}"#
            )));
        }
        add(reads_as_derived::<ReactionFact>(
            r#"{"present":true,"stamp":5}"#,
        ));
        // An attachment's members in every wrong way, in a kept send's list.
        let v: Value = serde_json::from_str(attachment).unwrap();
        for name in v.as_object().unwrap().keys() {
            for other in [
                None,
                Some(Value::Null),
                Some(json!(7)),
                Some(json!("7")),
                Some(json!([])),
            ] {
                let mut changed = v.as_object().unwrap().clone();
                match other {
                    Some(o) => changed.insert(name.clone(), o),
                    None => changed.remove(name),
                };
                let sent = json!({"key": "k", "text": "t", "sentAt": 9, "attachments": [changed]});
                add(reads_as_derived::<ElsewhereSent>(&sent.to_string()));
            }
            let twice = attachment.replacen('{', &format!("{{\"{name}\":{},", v[name]), 1);
            let sent = format!(r#"{{"key":"k","text":"t","sentAt":9,"attachments":[{twice}]}}"#);
            add(reads_as_derived::<ElsewhereSent>(&sent));
        }
        let (read, refused) = totals;
        assert!(
            read > 100 && refused > 100,
            "{read} read, {refused} refused"
        );
    }

    /// A send's recipient of each kind, and its kind in every form serde reads a tag in (a name,
    /// `{"<name>": null}`, an index, an unknown name, an object of another shape) with its value
    /// before or after it and a member of another name, each in every wrong way, alone and in
    /// an outbox entry: read as serde's derived reader reads it.
    #[test]
    fn recipients_read_as_the_derived_reader_reads_them() {
        let (mut read, mut refused) = (0, 0);
        let mut add = |(r, f): (usize, usize)| {
            read += r;
            refused += f;
        };
        let mut recipients = Vec::new();
        for kind in RECIPIENT_KINDS {
            recipients.push(format!(r#"{{"kind":"{kind}","value":"u"}}"#));
            recipients.push(format!(r#"{{"value":"u","kind":"{kind}"}}"#));
            recipients.push(format!(r#"{{"kind":{{"{kind}":null}},"value":"u"}}"#));
            recipients.push(format!(r#"{{"kind":{{"{kind}":1}},"value":"u"}}"#));
            recipients.push(format!(
                r#"{{"kind":{{"{kind}":null,"x":null}},"value":"u"}}"#
            ));
        }
        for other in [
            r#"{"kind":0,"value":"u"}"#,
            r#"{"kind":2,"value":"u"}"#,
            r#"{"kind":"zzNew","value":"u"}"#,
            r#"{"kind":{"zzNew":null},"value":"u"}"#,
            r#"{"kind":"profileSlug","zz":[1],"value":"s"}"#,
            r#"{"kind":"conversation"}"#,
            r#"{"value":"u"}"#,
        ] {
            recipients.push(other.to_owned());
        }
        for recipient in &recipients {
            add(reads_as_derived::<Recipient>(recipient));
            let entry = format!(
                r#"{{"key":"k","seq":1,"createdAt":2,"recipient":{recipient},"text":"t","channel":"auto","newConversation":false,"state":{{"state":"queued"}}}}"#
            );
            let (r, f) = reads_as_derived::<OutboxEntry>(&entry);
            add((r, f));
            // The entry reads whenever its recipient does (its other members are right).
            let alone = from_json::<Recipient>(recipient.as_bytes());
            assert_eq!(
                from_json::<OutboxEntry>(entry.as_bytes()).is_ok(),
                alone.is_ok()
            );
        }
        assert!(
            read > 100 && refused > 1000,
            "{read} read, {refused} refused"
        );
    }

    /// The key-value layout's lists of pairs (an account's reactions, the conversations of
    /// its tombstones, its kept Sales Navigator sends), read by `Fields::pairs`: each pair in
    /// every wrong shape, with each half in every wrong way, reads as serde's derived reader of
    /// `AccountRecords` reads it; and where a pair is wrong in its shape and in a half, the
    /// error is the one serde's reader of `Vec<(A, B)>` gives (the half read first, before
    /// the pair's length is known), named by the field.
    #[test]
    fn an_accounts_pairs_read_as_the_derived_reader_reads_them() {
        use crate::sync::store::AccountRecords;
        const ID: &str = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
        let key = format!(r#"{{"message":"{ID}","actor":"me","emoji":"x"}}"#);
        let fact = r#"{"present":true,"stamp":5}"#.to_owned();
        let id = format!(r#""{ID}""#);
        let sent = r#"[{"key":"k","text":"t","sentAt":9}]"#.to_owned();
        let bads = [
            "null",
            "7",
            "\"x\"",
            "{}",
            "[]",
            "[7]",
            "{\"a\":1}",
            "\"2-x\"",
        ];
        let (mut read, mut refused) = (0, 0);
        for (field, a, b) in [
            ("reactions", &key, &fact),
            ("recalledIn", &id, &id),
            ("elsewhere", &id, &sent),
        ] {
            let mut lists = vec![
                "[]".to_owned(),
                "[[]]".into(),
                format!("[[{a}]]"),
                format!("[[{a},{b},{b}]]"),
                format!("[[{a},{b}]]"),
                format!("[[{a},{b}],[{a},{b}]]"),
                format!("[{{\"0\":{a}}}]"),
                format!("[[{a},{b}],[{a}]]"),
                format!("[[{a},{b}],7]"),
            ];
            for bad in bads {
                lists.push(format!("[[{bad},{b}]]"));
                lists.push(format!("[[{a},{bad}]]"));
                lists.push(format!("[[{bad}]]"));
                lists.push(format!("[[{a},{b}],[{bad},{b}]]"));
                lists.push(format!("[[{a},[{bad}]]]"));
            }
            for list in lists {
                let (r, f) = reads_as_derived::<AccountRecords>(&format!(
                    r#"{{"account":"","{field}":{list}}}"#
                ));
                read += r;
                refused += f;
            }
        }
        assert!(
            read > 30 && refused > 1000,
            "{read} read, {refused} refused"
        );
        for (field, list, error) in [
            (
                "reactions",
                "[[null]]",
                "field `reactions`: invalid type: null, expected a stored record (an object)",
            ),
            (
                "elsewhere",
                "[[7]]",
                "field `elsewhere`: invalid type: integer `7`, expected a string",
            ),
            (
                "recalledIn",
                &format!("[[{id}]]"),
                "field `recalledIn`: invalid length 1, expected a tuple of size 2",
            ),
            // The list of sent records of `elsewhere`: serde's `Vec` reader's errors (pinned
            // from its reader of `Vec<Stored<ElsewhereSent>>`).
            ("elsewhere", &format!("[[{id},7]]"), "field `elsewhere`: invalid type: integer `7`, expected a sequence"),
            ("elsewhere", &format!("[[{id},[7]]]"), "field `elsewhere`: invalid type: integer `7`, expected a stored record (an object)"),
            ("elsewhere", &format!("[[{id},[\n{{\"key\":\"k\"}}]]]"), "field `elsewhere`: missing field `text`"),
            ("elsewhere", &format!("[[{id},[{}, null]]]", &sent[1..sent.len() - 1]), "field `elsewhere`: invalid type: null, expected a stored record (an object)"),
            ("elsewhere", &format!("[[{id},{sent}],[{id},[{{}} ]]]"), "field `elsewhere`: missing field `key`"),
        ] {
            let json = format!(r#"{{"account":"","{field}":{list}}}"#);
            let read = from_json::<AccountRecords>(json.as_bytes());
            assert_eq!(read, Err(error.to_owned()), "{json}");
        }
    }

    /// A channel, a failure code, a reaction's actor and a server event's kind (and a
    /// recipient's kind, above) read by
    /// the one enum reader: the tables name every variant as serde names it, and each name, an
    /// unknown one and each wrong form read to the variant, or to the error text, that serde's
    /// derived reader of the enum gives (named by the field, its position left out).
    #[test]
    fn channels_failure_codes_actors_and_event_kinds_read_as_the_derived_readers_read_them() {
        // A variant added to either enum fails to compile here until its table has it too.
        let _ = |c: MessagingChannel| match c {
            MessagingChannel::Auto | MessagingChannel::SalesNavigator => (),
            MessagingChannel::LinkedinInbox => (),
        };
        let _ = |c: FailureCode| match c {
            FailureCode::BadRequest | FailureCode::Unauthorized | FailureCode::Forbidden => (),
            FailureCode::NotFound | FailureCode::RateLimited | FailureCode::Server => (),
            FailureCode::Timeout | FailureCode::Network | FailureCode::Malformed => (),
            FailureCode::ProvedAbsent | FailureCode::Unverifiable | FailureCode::Storage => (),
            FailureCode::StillThere | FailureCode::Unknown => (),
        };
        let _ = |k: ServerEventKind| match k {
            ServerEventKind::MessageCreated | ServerEventKind::MessageRecalled => (),
            ServerEventKind::ReactionChanged | ServerEventKind::ConversationRead => (),
            ServerEventKind::Unknown => (),
        };
        for (name, kind) in EVENT_KIND_NAMES.iter().zip(EVENT_KINDS) {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
        }
        let _ = |a: Actor| match a {
            Actor::Me | Actor::Profile(_) => (),
        };
        assert_eq!(serde_json::to_string(&Actor::Me).unwrap(), r#""me""#);
        assert_eq!(
            serde_json::to_string(&Actor::Profile("p".into())).unwrap(),
            r#"{"profile":"p"}"#
        );
        assert_eq!(ACTORS, ["me", "profile"]);
        for (name, channel) in CHANNEL_NAMES.iter().zip(CHANNELS) {
            assert_eq!(
                serde_json::to_string(&channel).unwrap(),
                format!("\"{name}\"")
            );
        }
        for (name, code) in FAILURE_CODE_NAMES.iter().zip(FAILURE_CODES) {
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{name}\""));
        }
        let mut forms: Vec<String> = Vec::new();
        let others = ["unknown", "zzNew", "conversation"];
        for name in CHANNEL_NAMES
            .iter()
            .chain(&FAILURE_CODE_NAMES)
            .chain(&ACTORS)
            .chain(&EVENT_KIND_NAMES)
            .chain(&others)
        {
            forms.push(format!("{{\"{name}\":\"p\"}}"));
            forms.push(format!("\"{name}\""));
            forms.push(format!("{{\"{name}\":null}}"));
            forms.push(format!("{{\"{name}\":1}}"));
            forms.push(format!("{{\"{name}\":null,\"x\":null}}"));
            forms.push(format!("{{\"{name}\":[]}}"));
        }
        for other in [
            "7",
            "null",
            "true",
            "[]",
            "[\"auto\"]",
            "-1.5",
            "{}",
            "\"a\\u0075to\"",
        ] {
            forms.push(other.to_owned());
        }
        fn derived<T: serde::de::DeserializeOwned>(field: &str, form: &str) -> Result<T, String> {
            serde_json::from_str::<T>(form).map_err(|e| field_error(field, &e))
        }
        let (mut read, mut refused) = (0, 0);
        for form in &forms {
            let failure = format!(r#"{{"code":{form},"message":"m"}}"#);
            let ours = from_json::<SendFailure>(failure.as_bytes()).map(|f| f.code);
            assert_eq!(ours, derived::<FailureCode>("code", form), "{form}");
            let entry = format!(
                r#"{{"key":"k","seq":1,"createdAt":2,"recipient":{{"kind":"conversation","value":"u"}},"text":"t","channel":{form},"newConversation":false,"state":{{"state":"queued"}}}}"#
            );
            let ours = from_json::<OutboxEntry>(entry.as_bytes()).map(|e| e.channel);
            assert_eq!(ours, derived::<MessagingChannel>("channel", form), "{form}");
            match ours {
                Ok(_) => read += 1,
                Err(_) => refused += 1,
            }
            reads_as_derived::<SendFailure>(&failure);
            let key = format!(r#"{{"message":"2-x","actor":{form},"emoji":"x"}}"#);
            let ours = from_json::<ReactionKey>(key.as_bytes()).map(|k| k.actor);
            assert_eq!(ours, derived::<Actor>("actor", form), "{form}");
            let event = format!(r#"{{"seq":1,"type":{form}}}"#);
            let ours = from_json::<ServerEvent>(event.as_bytes()).map(|e| e.kind);
            assert_eq!(ours, derived::<ServerEventKind>("type", form), "{form}");
        }
        assert!(read >= 3 && refused > 50, "{read} read, {refused} refused");
    }

    /// A record with several fields that do not read (wrong, missing, given twice, in a nested
    /// record, a list's item or a pair) is refused with the first one's error, in the order the
    /// fields are declared, as when each reader returned at its first error: none read after
    /// it replaces it.
    #[test]
    fn the_first_field_that_does_not_read_is_the_error() {
        use crate::sync::store::AccountRecords;
        const ENTRY: &str = r#""key":"k","seq":1,"createdAt":2"#;
        fn error<T: FromStored>(json: &str) -> String {
            match from_json::<T>(json.as_bytes()) {
                Ok(_) => format!("read: {json}"),
                Err(e) => e,
            }
        }
        let cases = [
            (
                error::<StoredMessage>(r#"{"id":"2-x","conversation":"2-y","messageUrn":"u","text":7,"sentAt":"x","tally":5}"#),
                "field `text`: invalid type: integer `7`, expected a string",
            ),
            (
                error::<StoredMessage>(r#"{"id":"2-x","conversation":"2-y","text":7}"#),
                "missing field `messageUrn`",
            ),
            (
                error::<StoredMessage>(r#"{"id":"2-x","id":"2-x","conversation":7}"#),
                "duplicate field `id`",
            ),
            (
                error::<StoredMessage>(r#"{"id":"2-x","conversation":"2-y","messageUrn":"u","text":"t","sentAt":1,"isSentByOwner":true,"attachments":[{"assetUrn":"a"}],"stamp":"x"}"#),
                "field `attachments`: missing field `byteSize` (item 0)",
            ),
            (
                error::<StoredMessage>(r#"{"id":"2-x","conversation":"2-y","messageUrn":"u","text":"t","sentAt":1,"isSentByOwner":true,"stamp":1,"tally":{"stamp":"x","entries":7},"clientKey":7}"#),
                "field `tally`: field `stamp`: invalid type: string \"x\", expected i64",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"zzNew","value":7}},"state":{{"state":"zz"}}}}"#)),
                "field `recipient`: field `value`: invalid type: integer `7`, expected a string",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"zzNew","value":"v"}},"channel":"zz"}}"#)),
                "field `recipient`: unknown variant `zzNew`, expected one of `conversation`, `profileUrn`, `profileSlug`",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"conversation","value":"v"}},"text":"t","channel":"zz","newConversation":7}}"#)),
                "field `channel`: unknown variant `zz`, expected one of `auto`, `sales_navigator`, `linkedin_inbox`",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"conversation","value":"v"}},"text":"t","channel":"auto","newConversation":false,"state":{{"state":"failed","startedAt":"x","reason":7}},"checkAt":"x"}}"#)),
                "field `state`: field `startedAt`: invalid type: string \"x\", expected i64",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"conversation","value":"v"}},"text":"t","channel":"auto","newConversation":false,"state":{{"state":"failed","reason":{{"code":7,"message":7}},"retryable":"x"}}}}"#)),
                "field `state`: field `reason`: field `code`: expected value",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"conversation","value":"v"}},"text":"t","channel":"auto","newConversation":false,"state":{{"state":"zz","retryable":"x"}}}}"#)),
                "field `state`: field `retryable`: invalid type: string \"x\", expected a boolean",
            ),
            (
                error::<OutboxEntry>(&format!(r#"{{{ENTRY},"recipient":{{"kind":"conversation","value":"v"}},"text":"t","channel":"auto","newConversation":false,"state":{{"state":"sent","startedAt":1}},"checkAt":"x"}}"#)),
                "field `state`: missing field `answerPending`",
            ),
            (
                error::<AccountRecords>(r#"{"messages":[{"id":"2-x"}],"outboxNextSeq":"x"}"#),
                "field `messages`: missing field `conversation` (item 0)",
            ),
            (
                error::<AccountRecords>(r#"{"account":"a","reactions":[[null]],"quota":7,"recalledIn":7}"#),
                "field `reactions`: invalid type: null, expected a stored record (an object)",
            ),
            (
                error::<AccountRecords>(r#"{"account":7,"reactions":[[null]]}"#),
                "field `account`: invalid type: integer `7`, expected a string",
            ),
            (
                error::<ReactionKey>(r#"{"message":"2-x","actor":{"zz":1},"emoji":7}"#),
                "field `actor`: unknown variant `zz`, expected `me` or `profile`",
            ),
            (
                error::<SendFailure>(r#"{"code":"zzNew","message":7}"#),
                "field `message`: invalid type: integer `7`, expected a string",
            ),
            (
                error::<AccountRecords>(r#"{"tombstones":["2-x",".."],"removedOutbox":[7]}"#),
                "field `tombstones`: not a canonical message id (at byte 0)",
            ),
            (
                error::<AccountRecords>(r#"{"removedMessages":["2-x",7]}"#),
                "field `removedMessages`: invalid type: integer `7`, expected a string",
            ),
            (
                error::<AccountRecords>(r#"{"removedRecalls":{"a":1}}"#),
                "field `removedRecalls`: invalid type: map, expected a sequence",
            ),
            // The lists' one item reader (`lenient::items`): serde's `Vec` reader's texts.
            (
                error::<QuotaUse>(r#"{"day":1,"keys":"k"}"#),
                "field `keys`: invalid type: string \"k\", expected a sequence",
            ),
            (
                error::<StoredMessage>(r#"{"id":"2-x","conversation":"2-y","messageUrn":"u","text":"t","sentAt":1,"isSentByOwner":true,"attachments":null}"#),
                "field `attachments`: invalid type: null, expected a sequence",
            ),
            (
                error::<AccountRecords>(r#"{"removedRecalls":[],"removedOutbox":["k",null]}"#),
                "field `removedOutbox`: invalid type: null, expected a string",
            ),
            (
                error::<QuotaUse>(r#"{"day":1,"keys":["k",1.5]}"#),
                "field `keys`: invalid type: floating point `1.5`, expected a string",
            ),
            (
                error::<QuotaUse>(r#"{"day":1}"#),
                "missing field `keys`",
            ),
            (
                error::<History>(r#"[true,true]"#),
                "invalid type: sequence, expected a stored record (an object) at line 1 column 0",
            ),
            (
                error::<History>(r#"{"oldest":7,"hasMore":true,"headLoaded":true}"#),
                "field `oldest`: invalid type: integer `7`, expected a tuple of size 2",
            ),
            (
                error::<History>(r#"{"oldest":[1],"hasMore":true,"headLoaded":true}"#),
                "field `oldest`: invalid length 1, expected a tuple of size 2",
            ),
            (
                error::<History>(r#"{"oldest":[1,"2-x",3],"hasMore":true,"headLoaded":true}"#),
                "field `oldest`: trailing characters",
            ),
            (
                error::<History>(r#"{"oldest":["x","2-x"],"hasMore":true,"headLoaded":true}"#),
                "field `oldest`: invalid type: string \"x\", expected i64",
            ),
            (
                error::<History>(r#"{"oldest":[1,7],"hasMore":true,"headLoaded":true}"#),
                "field `oldest`: invalid type: integer `7`, expected a string",
            ),
            (
                error::<History>(r#"{"oldest":[1, "2-x" ,],"hasMore":true,"headLoaded":true}"#),
                "expected value at line 1 column 22",
            ),
            (
                error::<History>(r#"{"oldest":{},"hasMore":true,"headLoaded":true}"#),
                "field `oldest`: invalid type: map, expected a tuple of size 2",
            ),
            (
                error::<History>(r#"{"oldest":[],"hasMore":7,"headLoaded":true}"#),
                "field `oldest`: invalid length 0, expected a tuple of size 2",
            ),
            (
                error::<History>(r#"{"oldest":null,"hasMore":7,"headLoaded":true}"#),
                "field `hasMore`: invalid type: integer `7`, expected a boolean",
            ),
            (
                error::<History>(r#"{"oldest":[1,"2-x"],"hasMore":true,"headLoaded":true}"#),
                "read: {\"oldest\":[1,\"2-x\"],\"hasMore\":true,\"headLoaded\":true}",
            ),
        ];
        let wrong: Vec<_> = cases.iter().filter(|(got, want)| got != want).collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// `CONVERSATION_FIELDS` names every field `Conversation` has (a field added to it fails to
    /// compile here until it is added there too), and the required ones are among them.
    #[test]
    fn the_conversation_field_list_is_complete() {
        let every = Conversation {
            conversation_urn: "u".into(),
            conversation_id: Some("i".into()),
            backend_conversation_urn: Some("b".into()),
            conversation_url: Some("l".into()),
            last_activity_at: Some(1),
            created_at: Some(2),
            last_read_at: Some(3),
            is_read: Some(true),
            state: Some("s".into()),
            unread_count: 4,
            participants: Vec::new(),
            latest_message: Some(LatestMessage::default()),
            source: Some(ConversationSource::SalesNavigator),
            sales_nav_thread_id: Some("t".into()),
            account_id: Some("a".into()),
        };
        let json = serde_json::to_value(&every).unwrap();
        let mut names: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut ours = CONVERSATION_FIELDS.to_vec();
        names.sort_unstable();
        ours.sort_unstable();
        assert_eq!(names, ours);
        assert!(CONVERSATION_REQUIRED
            .iter()
            .all(|r| CONVERSATION_FIELDS.contains(r)));
    }
}
