//! Every value JavaScript passes in is checked here before the core sees it.
//!
//! Why here, in Rust, and not in the package's JS wrappers: a JS exception thrown while wasm
//! reads an argument (a getter that throws, a Proxy trap, a revoked Proxy) unwinds through wasm
//! frames, which never restore the shadow-stack pointer: each such call leaks wasm stack until
//! every call of the module traps (issue 12, item 2). wasm-bindgen glue and serde-wasm-bindgen
//! read objects with imports that do not catch. So each object argument is first copied into
//! fresh plain data by [`plain`], whose every JS operation is an import marked `catch`
//! (wasm-bindgen catches the exception in its JS shim and returns it as an `Err`, so nothing
//! unwinds through wasm); only the copy, which has no getters or traps left, is deserialized.
//! Doing it at the export itself protects every caller (the npm wrappers, the raw glue the
//! extension and tests import, a future binding) where a JS-side copy protects one path only;
//! and a JSON or `structuredClone` copy would lose the functions and adapter objects some
//! options carry.
//!
//! The copy is bounded ([`MAX_DEPTH`], [`MAX_VALUES`]) and refuses cycles, so a cyclic or
//! 10,000-deep value is a clear `TypeError` instead of a recursion that overflows the wasm stack
//! (`memory access out of bounds`). Strings declared as strings are checked by [`text`]: a
//! number passed for a string reaches the glue's string copy otherwise, which writes garbage.

use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::js_error;
use crate::model::lenient::{Scalar, MARKER};
use crate::sync::RemoteFact;
use crate::urn::ConversationId;

/// Deepest nesting accepted in an argument: serde_json's own recursion limit, so whatever the
/// core can read from a server it can also take back from a sibling tab.
pub const MAX_DEPTH: usize = 128;

/// Most values (objects, arrays, primitives) accepted in one argument.
pub const MAX_VALUES: usize = 200_000;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys(value: &JsValue) -> Result<Array, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// An optional string parameter as JS passed it: by reference, so nothing is read in the
    /// glue; [`opt_text`] checks it. Declared `string` in TypeScript.
    #[wasm_bindgen(typescript_type = "string")]
    pub type JsText;
    /// An optional number parameter as JS passed it ([`opt_number`] checks it).
    #[wasm_bindgen(typescript_type = "number")]
    pub type JsNumber;
}

/// The value of an optional parameter (`undefined` when absent).
pub fn given<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, Into::into)
}

/// A `TypeError` (a real one: `instanceof TypeError`) with `code` `invalid_argument`, whose
/// message starts with the argument's name.
pub fn type_error(name: &str, why: &str) -> JsValue {
    js_error(
        "TypeError",
        "invalid_argument",
        &format!("{name}: {why}"),
        &[],
    )
}

/// A [`type_error`] saying what `value` should have been (`must be <expected>, not <typeof>`):
/// one body for every argument check.
#[inline(never)]
fn not_a(name: &str, expected: &str, value: &JsValue) -> JsValue {
    type_error(name, &format!("must be {expected}, not {}", kind(value)))
}

/// `typeof`, for messages.
fn kind(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_default()
}

/// A string argument, or a `TypeError` naming it.
pub fn text(name: &str, value: &JsValue) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| not_a(name, "a string", value))
}

/// An array of strings argument, copied first (see [`plain`]), or a `TypeError` naming it.
pub fn text_list(name: &str, value: &JsValue) -> Result<Vec<String>, JsValue> {
    let copy = plain(name, value)?;
    let why = || not_a(name, "an array of strings", value);
    let array = copy.dyn_ref::<Array>().ok_or_else(why)?;
    array
        .iter()
        .map(|v| v.as_string().ok_or_else(why))
        .collect()
}

/// An optional string argument (`undefined` or `null` for none).
pub fn opt_text(name: &str, value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    text(name, value).map(Some)
}

/// An optional finite number argument.
pub fn opt_number(name: &str, value: &JsValue) -> Result<Option<f64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(type_error(name, "must be a finite number")),
    }
}

/// A boolean argument.
pub fn flag(name: &str, value: &JsValue) -> Result<bool, JsValue> {
    value
        .as_bool()
        .ok_or_else(|| not_a(name, "a boolean", value))
}

/// A function argument.
pub fn function(name: &str, value: &JsValue) -> Result<js_sys::Function, JsValue> {
    value
        .dyn_ref::<js_sys::Function>()
        .cloned()
        .ok_or_else(|| not_a(name, "a function", value))
}

/// A deep copy of `value` as plain data: objects (own enumerable string keys, on a
/// prototype-less object) and arrays copied, functions and primitives kept. Every read goes
/// through a catching import; a throwing getter or trap, a cycle, more than [`MAX_DEPTH`]
/// levels or [`MAX_VALUES`] values is a `TypeError` naming `name`.
pub fn plain(name: &str, value: &JsValue) -> Result<JsValue, JsValue> {
    plain_keeping(name, value, &[])
}

/// As [`plain`], but the top-level properties in `keep` are taken as they are (functions and
/// adapter objects the core only calls, through catching imports).
pub fn plain_keeping(name: &str, value: &JsValue, keep: &[&str]) -> Result<JsValue, JsValue> {
    let mut copy = Copier {
        name,
        values: 0,
        stack: Vec::new(),
    };
    copy.value(value, 0, keep)
}

/// Deserializes an argument from its plain copy; a wrong shape is a `TypeError` naming it.
pub fn from_js<T: DeserializeOwned>(name: &str, value: &JsValue) -> Result<T, JsValue> {
    from_js_keeping(name, value, &[])
}

/// As [`from_js`], keeping the top-level properties in `keep` by reference.
pub fn from_js_keeping<T: DeserializeOwned>(
    name: &str,
    value: &JsValue,
    keep: &[&str],
) -> Result<T, JsValue> {
    let copy = plain_keeping(name, value, keep)?;
    serde_wasm_bindgen::from_value(copy).map_err(|e| type_error(name, &e.to_string()))
}

/// Reads a fact another context broadcast: its `kind` from the plain copy first, then only
/// that kind's fields, each by name with its own reader ([`read_fact`]). serde's derived
/// reader of the internally tagged enum buffers every field first and carries a second copy of
/// every reader in a fact for that buffer (about 70 KB of the module). A fact is an object, as
/// its TypeScript type says: an array (serde's positional form) is refused like a primitive.
pub fn fact_from_js(value: &JsValue) -> Result<RemoteFact, JsValue> {
    const NAME: &str = "fact";
    let copy = plain(NAME, value)?;
    if !copy.is_object() || Array::is_array(&copy) {
        let what = if copy.is_null() {
            "null".to_owned()
        } else if copy.is_object() {
            "an array".to_owned()
        } else {
            kind(value)
        };
        return Err(type_error(
            NAME,
            &format!("must be an object with a `kind`, not {what}"),
        ));
    }
    let wrong = |e: serde_wasm_bindgen::Error| type_error(NAME, &e.to_string());
    // The copy is plain data with no prototype (no getters, no traps): reading it cannot throw,
    // and `in` sees its own properties only.
    let tag = JsValue::from_str("kind");
    if !Reflect::has(&copy, &tag).unwrap_or(false) {
        return Err(wrong(serde::de::Error::missing_field("kind")));
    }
    let tag = Reflect::get(&copy, &tag).unwrap_or(JsValue::UNDEFINED);
    // As `Tag`'s serde reader reads it through serde-wasm-bindgen: a string, else `invalid
    // type … expected variant identifier`.
    let tag = match tag.as_string() {
        Some(tag) => tag,
        None => return Err(wrong(invalid(&tag, &"variant identifier"))),
    };
    read_fact(&tag, &copy).map_err(wrong)
}

type SwbError = serde_wasm_bindgen::Error;

/// The fields of a fact whose `kind` was read, each read by name from the plain copy with its
/// own serde reader (a record inside, field by field too: `fact_fields`): what serde's derived reader of the kind's fields (`RemoteFact::read_kind`,
/// which native callers keep) does through serde-wasm-bindgen, without that reader's
/// `deserialize_struct`, one copy per kind. As there: fields in declaration order, the first
/// value that does not read is the error, then the first required field absent; other fields,
/// `kind` among them, are ignored.
fn read_fact(kind: &str, copy: &JsValue) -> Result<RemoteFact, SwbError> {
    let mut f = JsFields::new(copy);
    let fact = match kind {
        "messages" => RemoteFact::Messages {
            account: f.req("account"),
            conversation_urn: f.req("conversationUrn"),
            messages: f.list("messages"),
        },
        "tombstones" => RemoteFact::Tombstones {
            account: f.req("account"),
            ids: f.req_items("ids"),
            messages: f.list_or_default("messages"),
        },
        "reaction" => RemoteFact::Reaction {
            account: f.req("account"),
            key: f.nested("key"),
            fact: f.nested("fact"),
        },
        "quota" => RemoteFact::Quota {
            account: f.req("account"),
            quota: f.nested("quota"),
        },
        "read" => RemoteFact::Read {
            account: f.req("account"),
            conversation: f
                .req_some("conversation")
                .unwrap_or_else(ConversationId::placeholder),
            at: f.req("at"),
        },
        _ => {
            return Err(serde::de::Error::unknown_variant(
                kind,
                &crate::sync::FACT_KINDS,
            ))
        }
    };
    f.verdict().map(|()| fact)
}

thread_local! {
    /// Field names as JS strings, each made once: a string made afresh is a copy out of wasm
    /// and a decode in JS, for every field of every message of a merged page (issue 15).
    /// Keyed by the name's address and length (the names are literals): a few dozen.
    static NAMES: std::cell::RefCell<Vec<((usize, usize), JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Calls `f` with `name` as a JS string, made once per name.
fn with_name<R>(name: &'static str, f: impl FnOnce(&JsValue) -> R) -> R {
    let at = (name.as_ptr() as usize, name.len());
    super::local(&NAMES, |names| {
        // Never re-entered (`f` reads a plain copy, which runs no JS); a fresh string if so.
        let Ok(mut names) = names.try_borrow_mut() else {
            return f(&JsValue::from_str(name));
        };
        let i = match names.iter().position(|(a, _)| *a == at) {
            Some(i) => i,
            None => {
                names.push((at, JsValue::from_str(name)));
                names.len() - 1
            }
        };
        f(&names[i].1)
    })
}

/// An object argument's fields, read by name from its plain copy, each with its own serde
/// reader ([`read_fact`], [`fields_from_js`]). A value that does not read is kept, not
/// returned: the reader goes on with every field absent and answers a placeholder (each field
/// its default, `MessageId::placeholder` for an id), and [`JsFields::verdict`] gives the error
/// at the end and drops the value. So a type's reader has no error path at all: an early
/// return after each field dropped every field read so far (issue 15: that drop code, once per
/// field of every type, was most of each reader). A nested record is read into a
/// `JsFields` of its own ([`JsFields::nested`]), whose error becomes its field's.
pub struct JsFields<'a> {
    /// The object read; `None` while a placeholder is made for a nested record that is not
    /// there (every field absent, nothing noted).
    copy: Option<&'a JsValue>,
    /// The first required field found absent.
    missing: Option<&'static str>,
    /// The first field whose value did not read: the error, and no field is read after it.
    failed: Option<SwbError>,
}

impl<'a> JsFields<'a> {
    fn new(copy: &'a JsValue) -> Self {
        JsFields {
            copy: Some(copy),
            missing: None,
            failed: None,
        }
    }

    /// The fields of a record `copy` of the type that `expecting` names (`struct Name`): its
    /// error kept when it is not an object, as serde-wasm-bindgen's `deserialize_struct` gives
    /// it ([`an_object`]); with `None`, a placeholder's (nothing read, nothing noted).
    #[inline(never)]
    fn record(copy: Option<&'a JsValue>, expecting: &'static str) -> Self {
        JsFields {
            copy,
            missing: None,
            failed: copy.and_then(|v| an_object(v, expecting).err()),
        }
    }

    /// A field's value, when the copy has it (`undefined` included, as serde-wasm-bindgen
    /// counts it); none once a field failed to read.
    pub fn raw(&self, name: &'static str) -> Option<JsValue> {
        if self.failed.is_some() {
            return None;
        }
        let copy = self.copy?;
        // The copy is plain data with no prototype: `in` sees its own properties only, and
        // reading cannot throw. A field read as anything but `undefined` is there; only an
        // `undefined` one asks `in` whether it is absent (a fact of a 50-message page reads
        // some 650 fields, nearly all there).
        with_name(name, |key| {
            let v = Reflect::get(copy, key).unwrap_or(JsValue::UNDEFINED);
            (!v.is_undefined() || Reflect::has(copy, key).unwrap_or(false)).then_some(v)
        })
    }

    /// A value read, or `None` with its error kept (the first one only: none is read after).
    /// Inlined: a match and a call of `fail` at each reader, where a copy per value type (eleven)
    /// measured more in gzip (issue 15).
    #[inline(always)]
    fn keep<T>(&mut self, read: Result<T, SwbError>) -> Option<T> {
        match read {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    #[inline(never)]
    fn fail(&mut self, e: SwbError) {
        self.failed.get_or_insert(e);
    }

    /// A required field: its type's default when absent (noted as missing) or when it does not
    /// read (the error kept): a placeholder, never used.
    pub fn req<T: FromPlain + Default>(&mut self, name: &'static str) -> T {
        let v = self.present(name);
        self.value(v).unwrap_or_default()
    }

    /// A required field of a type with no default: `None` when absent (noted as missing) or
    /// when it does not read; the reader puts a placeholder in its place.
    pub fn req_some<T: FromPlain>(&mut self, name: &'static str) -> Option<T> {
        let v = self.present(name);
        self.value(v)
    }

    /// A required field taken as it is (`#[serde(with = "serde_wasm_bindgen::preserve")]`).
    pub fn req_raw(&mut self, name: &'static str) -> JsValue {
        self.present(name).unwrap_or_default()
    }

    /// A `#[serde(default)]` field, or an `Option` (absent is `None`, as serde reads it).
    pub fn or_default<T: FromPlain + Default>(&mut self, name: &'static str) -> T {
        let v = self.raw(name);
        self.value(v).unwrap_or_default()
    }

    /// An `Option` field: absent, `undefined` or `null` is `None`, anything else is read by
    /// `T`'s own reader (as serde-wasm-bindgen's `deserialize_option` reads it), without
    /// serde's `Option` reader and that `deserialize_option` per `T` (issue 15).
    pub fn opt<T: FromPlain>(&mut self, name: &'static str) -> Option<T> {
        let v = self.given(name);
        self.value(v)
    }

    /// A field of a `#[serde(default)]` container whose `Default` is not its fields' own:
    /// `default` (the container's) when absent.
    pub fn or<T: FromPlain>(&mut self, name: &'static str, default: T) -> T {
        let v = self.raw(name);
        self.value(v).unwrap_or(default)
    }

    /// A leaf field's value `v` (found by the reader's lookup: [`JsFields::present`],
    /// [`JsFields::given`] or [`JsFields::raw`]) read by `T`'s [`FromPlain`], `None` when
    /// there is none or it does not read (its error kept). One copy per value type for every
    /// leaf reader, which keep only their lookup and their default.
    #[inline(never)]
    fn value<T: FromPlain>(&mut self, v: Option<JsValue>) -> Option<T> {
        let v = v?;
        self.keep(T::from_plain(v))
    }

    /// An `Option` field of a type read field by field ([`FromJsFields`]): absent, `undefined`
    /// or `null` is `None` (as serde-wasm-bindgen reads an `Option`), anything else is read as
    /// the type's derived reader read it.
    pub fn nested_opt<T: FromJsFields>(&mut self, name: &'static str) -> Option<T> {
        match self.raw(name) {
            Some(v) if !(v.is_undefined() || v.is_null()) => Some(self.record_of(Some(&v))),
            _ => None,
        }
    }

    /// A required field of a type read field by field ([`FromJsFields`]).
    pub fn nested<T: FromJsFields>(&mut self, name: &'static str) -> T {
        let v = self.present(name);
        self.record_of(v.as_ref())
    }

    /// A required list of a type read field by field: each item as [`JsFields::nested`]
    /// reads one, the list as serde-wasm-bindgen reads a `Vec` (its error for a value that is
    /// not a list; the first item that does not read is the error).
    pub fn list<T: FromJsFields>(&mut self, name: &'static str) -> Vec<T> {
        let v = self.present(name);
        self.records_of(v)
    }

    /// A `#[serde(default)]` list of a type read field by field: empty when absent.
    pub fn list_or_default<T: FromJsFields>(&mut self, name: &'static str) -> Vec<T> {
        let v = self.raw(name);
        self.records_of(v)
    }

    /// A required `Vec<T>` field of plain values, each item read by its own serde reader: as
    /// [`JsFields::req`] reads it, without serde-wasm-bindgen's `Vec` reader per item type.
    pub fn req_items<T: FromPlain>(&mut self, name: &'static str) -> Vec<T> {
        let v = self.present(name);
        self.values_of(v)
    }

    /// A `#[serde(default)]` `Vec<T>` field of plain values: empty when absent.
    pub fn items_or_default<T: FromPlain>(&mut self, name: &'static str) -> Vec<T> {
        let v = self.raw(name);
        self.values_of(v)
    }

    /// A required field read as `lenient`'s `#[serde(deserialize_with)]` function of `read`
    /// reads it: `read` of its [`scalar`].
    pub fn req_with<T: Default>(&mut self, name: &'static str, read: fn(Scalar) -> T) -> T {
        match self.present(name) {
            Some(v) => self.keep(scalar(&v).map(read)).unwrap_or_default(),
            None => T::default(),
        }
    }

    /// A `#[serde(default, deserialize_with)]` field: its default when absent.
    pub fn with_or_default<T: Default>(&mut self, name: &'static str, read: fn(Scalar) -> T) -> T {
        match self.raw(name) {
            Some(v) => self.keep(scalar(&v).map(read)).unwrap_or_default(),
            None => T::default(),
        }
    }

    /// A record read field by field from `v`, in a `JsFields` of its own ([`JsFields::record`]),
    /// its error kept as this field's; a placeholder when `v` is `None` (absent, noted here).
    fn record_of<T: FromJsFields>(&mut self, v: Option<&JsValue>) -> T {
        let mut f = JsFields::record(v, T::EXPECTING);
        let read = T::read(&mut f);
        self.adopt(f);
        read
    }

    /// A list of records from `v`, as serde's `Vec<T>` reader read it through
    /// serde-wasm-bindgen: the items taken as they are ([`JsFields::items`]), then each read by
    /// [`JsFields::record_of`], the first error the list's (no item read after it).
    fn records_of<T: FromJsFields>(&mut self, v: Option<JsValue>) -> Vec<T> {
        // A loop, not a `collect()`: that was std's collecting code per item type.
        let items = self.items(v);
        let mut out = Vec::with_capacity(items.len());
        for item in &items {
            if self.failed.is_some() {
                break;
            }
            out.push(self.record_of(Some(item)));
        }
        out
    }

    /// A list of plain values from `v`, as serde's `Vec<T>` reader read it through
    /// serde-wasm-bindgen: the items taken as they are ([`JsFields::items`]), then each read by
    /// `T`'s serde reader, the first error the list's (no item read after it). issue 15:
    /// serde's `VecVisitor` and serde-wasm-bindgen's `deserialize_seq` were two copies per item
    /// type.
    fn values_of<T: FromPlain>(&mut self, v: Option<JsValue>) -> Vec<T> {
        let items = self.items(v);
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if self.failed.is_some() {
                break;
            }
            if let Some(v) = self.value(Some(item)) {
                out.push(v);
            }
        }
        out
    }

    /// A list's items ([`list_items`]), none when `v` is `None` or not a list (its error kept).
    #[inline(never)]
    fn items(&mut self, v: Option<JsValue>) -> Vec<JsValue> {
        match v {
            Some(v) => self.keep(list_items(v)).unwrap_or_default(),
            None => Vec::new(),
        }
    }

    /// A nested record's reading done: its error ([`JsFields::verdict`]) is this field's.
    #[inline(never)]
    fn adopt(&mut self, f: JsFields<'_>) {
        if f.copy.is_some() {
            if let Err(e) = f.verdict() {
                self.fail(e);
            }
        }
    }

    /// The reading's outcome, once every field was read: the first value that did not read,
    /// else serde's error for the first required field absent.
    #[inline(never)]
    fn verdict(self) -> Result<(), SwbError> {
        match (self.failed, self.missing) {
            (Some(e), _) => Err(e),
            (None, Some(name)) => Err(serde::de::Error::missing_field(name)),
            (None, None) => Ok(()),
        }
    }

    /// A required field's value ([`JsFields::raw`]), else `None` with it noted as missing:
    /// one body for every required field's reader.
    #[inline(never)]
    fn present(&mut self, name: &'static str) -> Option<JsValue> {
        self.raw(name).or_else(|| self.absent(name))
    }

    /// An `Option` field's value ([`JsFields::raw`]) unless it is nullish (`undefined`,
    /// `null`): one body for every [`JsFields::opt`].
    #[inline(never)]
    fn given(&self, name: &'static str) -> Option<JsValue> {
        self.raw(name).filter(|v| !v.loose_eq(&JsValue::NULL))
    }

    fn absent<T>(&mut self, name: &'static str) -> Option<T> {
        self.missing.get_or_insert(name);
        None
    }
}

/// An argument type read by [`fields_from_js`]: its fields in declaration order, with the
/// serde names of its TypeScript type.
pub trait FromJsFields: Sized {
    /// What serde's derived reader expects, for a value that is not an object (`struct Name`).
    const EXPECTING: &'static str;
    /// The value, each field read in declaration order, all of them (as serde's derived reader
    /// does before it names the first missing one). A field that is absent or does not read is
    /// kept in `f` (see [`JsFields`]), the value then a placeholder that `f` drops.
    fn read(f: &mut JsFields<'_>) -> Self;
}

/// As [`from_js_keeping`], read field by field ([`JsFields`]) instead of by the type's derived
/// serde reader, whose serde-wasm-bindgen `deserialize_struct` is a copy per type: the same
/// values and error texts (a value that is not an object, the first field whose value does not
/// read, in declaration order, then the first required field absent).
pub fn fields_from_js<T: FromJsFields>(
    name: &str,
    value: &JsValue,
    keep: &[&str],
) -> Result<T, JsValue> {
    let copy = plain_keeping(name, value, keep)?;
    let mut f = JsFields::record(Some(&copy), T::EXPECTING);
    let read = T::read(&mut f);
    match f.verdict() {
        Ok(()) => Ok(read),
        Err(e) => Err(wrong_fields(name, e)),
    }
}

/// [`fields_from_js`]'s error for every type: a `TypeError` naming `name`.
#[inline(never)]
fn wrong_fields(name: &str, e: SwbError) -> JsValue {
    type_error(name, &e.to_string())
}

/// serde-wasm-bindgen's check that a struct is an object, with the derived reader's text
/// (`expecting`: `struct Name`).
fn an_object(copy: &JsValue, expecting: &'static str) -> Result<(), SwbError> {
    // Its `deserialize_struct`: an object (`typeof`, `null` not) is read on, anything else is
    // `invalid type`.
    if copy.is_object() {
        Ok(())
    } else {
        Err(invalid(copy, &expecting))
    }
}

/// A value of the plain copy as serde-wasm-bindgen's `deserialize_any` gives it to
/// [`Scalar`]'s reader (serde_json's `Value`'s, keeping no array or map): the same scalar and
/// the same error, step for step (every item and member read, the first error the value's;
/// an object whose first key is serde_json's `RawValue` marker is the JSON text of its
/// string). Only for the plain copy, which holds no `Map`, typed array or iterable object:
/// issue 15, serde-wasm-bindgen's `deserialize_any` with that reader inlined was 3.4 KB.
pub fn scalar(v: &JsValue) -> Result<Scalar, SwbError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Scalar::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Scalar::Bool(b));
    }
    if v.is_bigint() {
        return match i64::try_from(v.clone()) {
            Ok(n) => Ok(Scalar::Number(n.into())),
            Err(v) => match u64::try_from(v) {
                Ok(n) => Ok(Scalar::Number(n.into())),
                Err(_) => Err(serde::de::Error::custom(
                    "Couldn't deserialize i64 or u64 from a BigInt outside i64::MIN..u64::MAX bounds",
                )),
            },
        };
    }
    if let Some(n) = v.as_f64() {
        return Ok(if js_sys::Number::is_safe_integer(v) {
            Scalar::Number((n as i64).into())
        } else {
            serde_json::Number::from_f64(n).map_or(Scalar::Null, Scalar::Number)
        });
    }
    if let Some(s) = v.as_string() {
        return Ok(Scalar::String(s));
    }
    if let Some(items) = v.dyn_ref::<Array>() {
        for item in items.iter() {
            scalar(&item)?;
        }
        return Ok(Scalar::Array);
    }
    if v.is_object() {
        let mut first = true;
        for pair in Object::entries(v.unchecked_ref()).iter() {
            let pair: Array = pair.unchecked_into();
            let value = pair.get(1);
            if first && pair.get(0).as_string().as_deref() == Some(MARKER) {
                let text = value
                    .as_string()
                    .ok_or_else(|| invalid(&value, &"raw value"))?;
                return serde_json::from_slice(text.as_bytes()).map_err(serde::de::Error::custom);
            }
            first = false;
            scalar(&value)?;
        }
        return Ok(Scalar::Object);
    }
    Err(invalid(v, &"any valid JSON value"))
}

/// serde-wasm-bindgen's error (its `invalid_type`) for a value of the plain copy (which holds
/// no typed array) of a type not `expected`.
#[cold]
fn invalid(v: &JsValue, expected: &dyn serde::de::Expected) -> SwbError {
    use serde::de::Unexpected;
    let other;
    let unexpected = if v.is_undefined() || v.is_null() {
        Unexpected::Unit
    } else if let Some(b) = v.as_bool() {
        Unexpected::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Unexpected::Float(n)
    } else if let Some(text) = v.as_string() {
        other = text;
        Unexpected::Str(&other)
    } else {
        let mut text = String::from("JsValue(");
        debug_text(v, &mut text);
        text.push(')');
        other = text;
        Unexpected::Other(&other)
    };
    serde::de::Error::invalid_type(unexpected, expected)
}

#[wasm_bindgen]
extern "C" {
    /// `String(value)`: a primitive's text by the language's own conversion (a symbol's
    /// `Symbol(description)` included), which reads no property and calls no method.
    #[wasm_bindgen(catch, js_name = String)]
    fn string_of(value: &JsValue) -> Result<String, JsValue>;
}

/// The text `JsValue`'s `Debug` gives a value of the plain copy (serde-wasm-bindgen's
/// `invalid_type` writes it), made without running the value's code. That `Debug` reads a
/// function's `name` and a symbol's `description` through imports that do not catch: a
/// throwing `name` getter on an argument unwound through the export, leaving its borrows held
/// and `open`'s Promise unsettled. So a function is `Function` whatever its name, a symbol
/// `String(symbol)`'s text, and an object whose JSON would call a `toJSON` of its own is
/// `Object` (what `Debug` says when that JSON throws). Every JS call here catches; a `toJSON`
/// on a function inside the value may still run within `JSON.stringify`, and what it throws is
/// caught there.
#[cold]
#[inline(never)]
fn debug_text(v: &JsValue, out: &mut String) {
    let text = |r: Result<String, JsValue>| r.unwrap_or_default();
    let kind = v.js_typeof().as_string().unwrap_or_default();
    let json = || js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string());
    match kind.as_str() {
        "function" => out.push_str("Function"),
        "string" => out.push_str(&json().unwrap_or_default()),
        "bigint" => {
            out.push_str(&text(string_of(v)));
            out.push('n');
        }
        "object" if v.is_null() => out.push_str("null"),
        "object" if is_array(v) == Ok(true) => {
            let items: &Array = v.unchecked_ref();
            out.push('[');
            for i in 0..items.length() {
                if i > 0 {
                    out.push_str(", ");
                }
                debug_text(&items.get(i), out);
            }
            out.push(']');
        }
        "object" => match json().filter(|_| !calls_own_to_json(v)) {
            Some(s) => {
                out.push_str("Object(");
                out.push_str(&s);
                out.push(')');
            }
            None => out.push_str("Object"),
        },
        // Numbers, booleans, `undefined`, symbols.
        _ => out.push_str(&text(string_of(v))),
    }
}

/// Whether `JSON.stringify` of this plain copy would call a function of the caller's: an own
/// `toJSON` of one of its objects (an array's elements are its own keys too).
fn calls_own_to_json(v: &JsValue) -> bool {
    if !v.is_object() {
        return false;
    }
    let Ok(keys) = own_keys(v) else { return true };
    keys.iter().any(|key| {
        let value = Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
        (key.as_string().as_deref() == Some("toJSON") && value.is_function())
            || calls_own_to_json(&value)
    })
}

/// A field's value read from the plain copy as `Self`'s serde reader read it through
/// serde-wasm-bindgen: the same value or the same error text ([`JsFields::req`] and the
/// others read each field with it), through a few non-generic readers ([`string`],
/// [`unsigned`], [`signed`], [`variant`], [`invalid`]) where serde-wasm-bindgen's
/// `Deserializer` was a copy of its `deserialize_*` and `invalid_type` per visitor type
/// (issue 15). The plain copy holds no typed array, the one case of serde-wasm-bindgen's
/// `invalid_type` these leave out.
pub trait FromPlain: Sized {
    /// `Self` from a value of the plain copy.
    fn from_plain(v: JsValue) -> Result<Self, SwbError>;
}

impl FromPlain for String {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        string(&v, "a string")
    }
}

impl FromPlain for crate::sync::AccountId {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        string(&v, "a string").map(crate::sync::AccountId)
    }
}

impl FromPlain for crate::sync::ClientKey {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        string(&v, "a string").map(crate::sync::ClientKey)
    }
}

impl FromPlain for crate::urn::MessageId {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        // As the id's serde reader: a string, then checked canonical (its error as `custom`).
        let s = string(&v, "a string")?;
        Self::from_canonical(&s).map_err(serde::de::Error::custom)
    }
}

impl FromPlain for crate::urn::ConversationId {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        let s = string(&v, "a string")?;
        Self::from_canonical(&s).map_err(serde::de::Error::custom)
    }
}

impl FromPlain for bool {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        v.as_bool().ok_or_else(|| invalid(&v, &"a boolean"))
    }
}

impl FromPlain for f64 {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        v.as_f64().ok_or_else(|| invalid(&v, &"f64"))
    }
}

/// A string as serde-wasm-bindgen's `deserialize_string` gives one to a visitor that expects
/// `expected` (`a string` for `String` and the types `transparent` over one), else its
/// `invalid type`. One body for every string type.
#[inline(never)]
fn string(v: &JsValue, expected: &'static str) -> Result<String, SwbError> {
    v.as_string().ok_or_else(|| invalid(v, &expected))
}

impl FromPlain for crate::model::MessagingChannel {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        use crate::model::MessagingChannel::*;
        const VARIANTS: &[&str] = &["auto", "sales_navigator", "linkedin_inbox"];
        let (i, payload) = variant(v, "enum MessagingChannel", VARIANTS)?;
        unit(&payload)?;
        Ok([Auto, SalesNavigator, LinkedinInbox][i])
    }
}

impl FromPlain for crate::sync::Actor {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        const VARIANTS: &[&str] = &["me", "profile"];
        let (i, payload) = variant(v, "enum Actor", VARIANTS)?;
        if i == 0 {
            unit(&payload).map(|()| crate::sync::Actor::Me)
        } else {
            String::from_plain(payload).map(crate::sync::Actor::Profile)
        }
    }
}

/// An externally tagged enum's variant as serde-wasm-bindgen's `deserialize_enum` and the
/// derived visitor find it: a string names a variant with no payload (`undefined`); an object
/// (an array too) of one property names it by its key, the value its payload (serde's
/// `invalid length` for any other number of properties); anything else is `invalid type`
/// (`expecting`: `enum Name`); a name not in `variants` (the serde names, in declaration order)
/// is serde's `unknown variant`. Answers the variant's index and its payload, which the enum
/// reads as the variant's kind says. One body for every enum, without serde's visitors (issue
/// 15: `deserialize_enum`, `visit_enum`, the variant identifier's reader and their errors were
/// a copy per enum).
#[inline(never)]
fn variant(
    v: JsValue,
    expecting: &'static str,
    variants: &'static [&'static str],
) -> Result<(usize, JsValue), SwbError> {
    let (tag, payload) = if v.is_string() {
        (v, JsValue::UNDEFINED)
    } else if v.is_object() {
        let entries = Object::entries(v.unchecked_ref());
        if entries.length() != 1 {
            return Err(serde::de::Error::invalid_length(
                entries.length() as usize,
                &"1",
            ));
        }
        let pair: Array = entries.get(0).unchecked_into();
        (pair.get(0), pair.get(1))
    } else {
        return Err(invalid(&v, &expecting));
    };
    // A string: the value was one, or it is an own property's key.
    let name = tag.as_string().unwrap_or_default();
    match variants.iter().position(|n| *n == name) {
        Some(i) => Ok((i, payload)),
        None => Err(serde::de::Error::unknown_variant(&name, variants)),
    }
}

/// A unit variant's payload, as serde-wasm-bindgen's `deserialize_unit` reads it: `null` or
/// `undefined` (its loose equality), else `invalid type … expected unit`.
fn unit(payload: &JsValue) -> Result<(), SwbError> {
    if payload.loose_eq(&JsValue::NULL) {
        Ok(())
    } else {
        Err(invalid(payload, &"unit"))
    }
}

/// [`FromPlain`] for the unsigned integers: serde-wasm-bindgen's `deserialize_u64` (a `BigInt`
/// too) or `deserialize_u32`, then serde's range check of the type (`visit_u64`).
macro_rules! unsigned {
    ($($t:ty: $big:literal),* $(,)?) => {$(
        impl FromPlain for $t {
            #[inline(always)]
            fn from_plain(v: JsValue) -> Result<Self, SwbError> {
                // In range: `unsigned` checked it against `MAX`.
                unsigned(&v, stringify!($t), $big, <$t>::MAX as u64).map(|n| n as $t)
            }
        }
    )*};
}

unsigned!(u32: false, u64: true, usize: true);

impl FromPlain for i64 {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        signed(&v)
    }
}

impl FromPlain for crate::sync::Millis {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        signed(&v).map(crate::sync::Millis)
    }
}

impl FromPlain for crate::sync::Stamp {
    #[inline(always)]
    fn from_plain(v: JsValue) -> Result<Self, SwbError> {
        signed(&v).map(crate::sync::Stamp::from_raw)
    }
}

/// A JS number that is a safe integer, as serde-wasm-bindgen's readers of integers take one.
fn safe_integer(v: &JsValue) -> Option<i64> {
    if js_sys::Number::is_safe_integer(v) {
        v.as_f64().map(|n| n as i64)
    } else {
        None
    }
}

/// An unsigned integer of a type that expects `expected` (its serde name) and holds up to
/// `max`, as serde-wasm-bindgen and serde's visitor read it: a `BigInt` within `u64` (when
/// `big`, as `deserialize_u64` takes one), else a safe integer not below zero, else
/// `invalid type`; then above `max`, serde's `invalid value`. One body for every unsigned type.
#[inline(never)]
fn unsigned(v: &JsValue, expected: &'static str, big: bool, max: u64) -> Result<u64, SwbError> {
    let n = if big && v.is_bigint() {
        u64::try_from(v.clone()).map_err(|_| {
            <SwbError as serde::de::Error>::custom(
                "Couldn't deserialize u64 from a BigInt outside u64::MIN..u64::MAX bounds",
            )
        })?
    } else {
        match safe_integer(v) {
            Some(n) if n >= 0 => n as u64,
            _ => return Err(invalid(v, &expected)),
        }
    };
    if n <= max {
        Ok(n)
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Unsigned(n),
            &expected,
        ))
    }
}

/// An `i64` as serde-wasm-bindgen's `deserialize_i64` reads one: a `BigInt` within `i64`, else a
/// safe integer, else `invalid type`.
#[inline(never)]
fn signed(v: &JsValue) -> Result<i64, SwbError> {
    if v.is_bigint() {
        return i64::try_from(v.clone()).map_err(|_| {
            serde::de::Error::custom(
                "Couldn't deserialize i64 from a BigInt outside i64::MIN..i64::MAX bounds",
            )
        });
    }
    safe_integer(v).ok_or_else(|| invalid(v, &"i64"))
}

/// A list's items as they are: an array's, else serde's error for a value that is not a list
/// (`expected a sequence`). One body for every item type, with no serde visitor (issue 15: that
/// visitor's `preserve` reader of each item was 1.8 KB). Only an array: the plain copy makes
/// every list an array, and what else it holds that could iterate is a function, taken as it is
/// (nothing in it runs when copied), whose own `Symbol.iterator` would run with no bound on its
/// items (serde-wasm-bindgen's `deserialize_seq` takes any iterable: an endless one grew the
/// list until the module aborted).
#[inline(never)]
fn list_items(v: JsValue) -> Result<Vec<JsValue>, SwbError> {
    match v.dyn_ref::<Array>() {
        Some(items) => Ok(items.to_vec()),
        None => Err(invalid(&v, &"a sequence")),
    }
}

/// The string fields of the engine's command options objects: a wrong type is a `TypeError`
/// naming it (public for the boundary's tests).
pub const OPTION_STRINGS: &[&str] = &[
    "view",
    "accountId",
    "conversationUrn",
    "messageUrn",
    "emoji",
    "clientKey",
    "cursor",
];

/// The boolean fields of the engine's command options objects.
pub const OPTION_FLAGS: &[&str] = &["add"];

/// The kind of one field of a command options object, as its Rust type declares it.
#[derive(Clone, Copy)]
pub enum OptionKind {
    /// `String`, required.
    Text,
    /// `String` with `#[serde(default)]`: `""` when absent.
    TextOr,
    /// `Option<String>`: `None` when absent, `null` or `undefined`.
    OptText,
    /// `bool`, required.
    Flag,
}

/// A command options object's fields, read by name in the order of its `FIELDS`.
pub struct OptionFields(std::vec::IntoIter<OptionValue>);

enum OptionValue {
    Text(String),
    Flag(bool),
    None,
}

impl OptionFields {
    /// The next field, a `String` ([`OptionKind::Text`] or [`OptionKind::TextOr`]).
    pub fn text(&mut self) -> String {
        self.opt_text().unwrap_or_default()
    }

    /// The next field, an `Option<String>`.
    pub fn opt_text(&mut self) -> Option<String> {
        match self.0.next() {
            Some(OptionValue::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The next field, a `bool`.
    pub fn flag(&mut self) -> bool {
        matches!(self.0.next(), Some(OptionValue::Flag(true)))
    }
}

/// A command options object read field by field through the checked boundary, without serde:
/// serde-wasm-bindgen's struct reader is a copy of its own per options type (1-4 KB each
/// before wasm-opt), where [`options_from_js`] walks `FIELDS` in one function and only
/// `build` is per type. The field names are the serde (camelCase) names the TypeScript type
/// has.
pub trait FromOptions: Sized {
    /// Each field's JS name and kind, in the struct's declaration order.
    const FIELDS: &'static [(&'static str, OptionKind)];
    /// The value from its fields, taken in `FIELDS` order.
    fn build(fields: OptionFields) -> Self;
}

/// Implements [`FromOptions`] for an options struct from one list of its fields (Rust name, JS
/// name, [`OptionKind`]) in declaration order, so `FIELDS` and the order `build` takes the
/// fields in cannot drift apart.
macro_rules! from_options {
    ($ty:ty { $($field:ident: $js:literal => $kind:ident),* $(,)? }) => {
        impl $crate::wasm::boundary::FromOptions for $ty {
            const FIELDS: &'static [(&'static str, $crate::wasm::boundary::OptionKind)] =
                &[$(($js, $crate::wasm::boundary::OptionKind::$kind)),*];
            fn build(mut f: $crate::wasm::boundary::OptionFields) -> Self {
                Self { $($field: from_options!(@take f $kind)),* }
            }
        }
    };
    (@take $f:ident Text) => { $f.text() };
    (@take $f:ident TextOr) => { $f.text() };
    (@take $f:ident OptText) => { $f.opt_text() };
    (@take $f:ident Flag) => { $f.flag() };
}
pub(crate) use from_options;

/// As [`from_js`], for an options object: each field named in `strings` (or `bools`) must be
/// a string (a boolean) when present, else a `TypeError` whose message starts with that
/// field's name, as for a positional argument. The other errors have serde-wasm-bindgen's
/// wording, as the derived reader gave them (`Error: ` first, the JS error's `toString`): the first field present with `null` or
/// `undefined` where a value is required (`Error: invalid type: unit value, expected a string`), in
/// declaration order, else the first required field absent (``Error: missing field `view` ``); fields
/// not in `T::FIELDS` are ignored.
pub fn options_from_js<T: FromOptions>(
    name: &str,
    value: &JsValue,
    strings: &[&str],
    bools: &[&str],
) -> Result<T, JsValue> {
    option_values(name, value, strings, bools, T::FIELDS).map(T::build)
}

/// [`options_from_js`] up to `build`, one body for every options type (issue 15: the two calls
/// and the error paths were inlined into each command's export).
#[inline(never)]
fn option_values(
    name: &str,
    value: &JsValue,
    strings: &[&str],
    bools: &[&str],
    fields: &[(&str, OptionKind)],
) -> Result<OptionFields, JsValue> {
    let copy = checked_options(name, value, strings, bools)?;
    read_options(name, &copy, fields).map(|v| OptionFields(v.into_iter()))
}

/// [`options_from_js`]'s walk over the fields (one function for every options type).
fn read_options(
    name: &str,
    copy: &JsValue,
    fields: &[(&str, OptionKind)],
) -> Result<Vec<OptionValue>, JsValue> {
    let mut out = Vec::with_capacity(fields.len());
    let mut missing = None;
    for &(field, want) in fields {
        let key = JsValue::from_str(field);
        // The copy is plain data with no prototype: `in` sees its own properties only, and
        // reading cannot throw.
        if !Reflect::has(copy, &key).unwrap_or(false) {
            if matches!(want, OptionKind::Text | OptionKind::Flag) && missing.is_none() {
                missing = Some(field);
            }
            out.push(OptionValue::None);
            continue;
        }
        let v = Reflect::get(copy, &key).unwrap_or(JsValue::UNDEFINED);
        let nullish = v.is_undefined() || v.is_null();
        out.push(match want {
            OptionKind::OptText if nullish => OptionValue::None,
            OptionKind::Flag => match v.as_bool() {
                Some(b) => OptionValue::Flag(b),
                None if nullish => return Err(unit_value(name, "a boolean")),
                None => return Err(not_a(field, "a boolean", &v)),
            },
            _ => match v.as_string() {
                Some(s) => OptionValue::Text(s),
                None if nullish => return Err(unit_value(name, "a string")),
                None => return Err(not_a(field, "a string", &v)),
            },
        });
    }
    match missing {
        Some(field) => Err(type_error(name, &format!("Error: missing field `{field}`"))),
        None => Ok(out),
    }
}

/// serde's text for `null` or `undefined` where a value is required, as serde-wasm-bindgen's
/// error (a JS `Error`) printed it.
fn unit_value(name: &str, expected: &str) -> JsValue {
    type_error(
        name,
        &format!("Error: invalid type: unit value, expected {expected}"),
    )
}

/// [`options_from_js`] up to the decode: the plain copy, checked to be an object whose
/// `strings` and `bools` fields have their types when present.
pub fn checked_options(
    name: &str,
    value: &JsValue,
    strings: &[&str],
    bools: &[&str],
) -> Result<JsValue, JsValue> {
    let copy = plain(name, value)?;
    if !copy.is_object() || copy.is_function() {
        return Err(not_a(name, "an options object", value));
    }
    // The copy is plain data (no getters, no traps): reading it cannot throw.
    let field = |f: &str| Reflect::get(&copy, &JsValue::from_str(f)).unwrap_or(JsValue::UNDEFINED);
    for f in strings {
        let v = field(f);
        if !(v.is_undefined() || v.is_null()) {
            text(f, &v)?;
        }
    }
    for f in bools {
        let v = field(f);
        if !(v.is_undefined() || v.is_null()) {
            flag(f, &v)?;
        }
    }
    Ok(copy)
}

struct Copier<'a> {
    name: &'a str,
    values: usize,
    /// The objects being copied, outermost first: one seen again is a cycle.
    stack: Vec<JsValue>,
}

impl Copier<'_> {
    fn fail(&self, why: &str) -> JsValue {
        type_error(self.name, why)
    }

    fn threw(&self, e: JsValue) -> JsValue {
        let why = super::error::describe(&e);
        self.fail(&format!("reading it threw: {why}"))
    }

    fn value(&mut self, value: &JsValue, depth: usize, keep: &[&str]) -> Result<JsValue, JsValue> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(self.fail(&format!("more than {MAX_VALUES} values")));
        }
        // Primitives and functions are taken as they are: nothing in them runs when read.
        if !value.is_object() {
            return Ok(value.clone());
        }
        if depth >= MAX_DEPTH {
            return Err(self.fail(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        if self.stack.iter().any(|seen| seen == value) {
            return Err(self.fail("it contains itself (a cycle)"));
        }
        self.stack.push(value.clone());
        let out = if is_array(value).map_err(|e| self.threw(e))? {
            self.array(value, depth)
        } else {
            self.object(value, depth, keep)
        };
        self.stack.pop();
        out
    }

    fn array(&mut self, value: &JsValue, depth: usize) -> Result<JsValue, JsValue> {
        let length = Reflect::get(value, &"length".into()).map_err(|e| self.threw(e))?;
        let length = length.as_f64().unwrap_or(0.0);
        if !(0.0..=MAX_VALUES as f64).contains(&length) {
            return Err(self.fail(&format!("an array of more than {MAX_VALUES} items")));
        }
        let out = Array::new();
        for i in 0..length as u32 {
            let item = Reflect::get_u32(value, i).map_err(|e| self.threw(e))?;
            out.push(&self.value(&item, depth + 1, &[])?);
        }
        Ok(out.into())
    }

    fn object(&mut self, value: &JsValue, depth: usize, keep: &[&str]) -> Result<JsValue, JsValue> {
        let keys = own_keys(value).map_err(|e| self.threw(e))?;
        if keys.length() as usize > MAX_VALUES {
            return Err(self.fail(&format!("more than {MAX_VALUES} values")));
        }
        // No prototype: a key named `__proto__` is an ordinary property of the copy.
        let out: Object = Object::create(JsValue::NULL.unchecked_ref());
        for key in keys.iter() {
            let item = Reflect::get(value, &key).map_err(|e| self.threw(e))?;
            // Only a top-level object with properties to keep reads its keys' text: copying
            // every key of every nested object into wasm cost a fact of a 50-message page
            // about a tenth of its merge.
            let kept =
                !keep.is_empty() && key.as_string().is_some_and(|k| keep.contains(&k.as_str()));
            let item = if kept {
                item
            } else {
                self.value(&item, depth + 1, &[])?
            };
            // Setting a data property on a fresh, extensible, prototype-less object: no setter
            // can run and it cannot fail.
            let _ = Reflect::set(&out, &key, &item);
        }
        Ok(out.into())
    }
}
