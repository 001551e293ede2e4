//! The package's error vocabulary, generated from the Rust enums: `npm/errors.js` (code lists,
//! the classes `ThreadlineError`, `ApiError`, `UrnError`, the guards, `errorToData` /
//! `errorFromData`) and `npm/errors.d.ts` (the code unions and their types). This test fails when
//! the checked-in files differ from what the enums give; `UPDATE_GENERATED=1 cargo test --test
//! error_codes` rewrites them.
//!
//! How each list of codes is read, so that no variant can be forgotten:
//! - Serde enums (`Refusal`, the package's own codes, and `FailureCode` once it exists) are read
//!   through serde itself: a probing `Deserializer` asks the derived `Deserialize` for its variant
//!   names (serde hands them to `deserialize_enum`, or to `unknown_variant` for an internally
//!   tagged enum), and each name is then checked to deserialize and serialize back to itself. A
//!   new variant, or a new spelling (`rename_all`), needs no edit here: only a regeneration.
//! - `UrnErrorCode` and `ApiError` have no serde; their codes come from `as_str()` / `code()`, over
//!   a list of the variants written once in a macro that also expands to an exhaustive `match`
//!   over the same list: a new variant is a compile error here until it is listed.
//!
//! The templates in `tests/error_codes/` hold the runtime and the declarations; the generated
//! part is the lists of codes. A last check reads the files that make errors (`src/wasm/*.rs`,
//! the hand-written `npm/*.js`) and fails on a code literal that is not in the vocabulary.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Serialize;
use serde_json::{json, Value};
use threadline::api::{ApiError, RateLimit};
use threadline::error_code::{ArgumentErrorCode, PackageErrorCode};
use threadline::sync::Refusal;
use threadline::urn::UrnErrorCode;

// ---------------------------------------------------------------------------------------------
// Variant names through serde.

/// What the probe learned: the variant names serde offered, or why it learned nothing.
#[derive(Debug)]
enum Probe {
    Variants(&'static [&'static str]),
    Other(String),
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Variants(v) => write!(f, "variants {v:?}"),
            Probe::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Probe {}

impl de::Error for Probe {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Probe::Other(msg.to_string())
    }
    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        Probe::Variants(expected)
    }
}

/// A tag no variant has.
const NO_VARIANT: &str = "\u{0}no such variant";

/// Offers a derived `Deserialize` an enum: an externally tagged enum names its variants to
/// `deserialize_enum`; an internally tagged one (`tag`) meets a map whose tag is no variant.
struct Prober {
    tag: Option<&'static str>,
}

impl<'de> Deserializer<'de> for Prober {
    type Error = Probe;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Probe> {
        match self.tag {
            Some(tag) => visitor.visit_map(de::value::MapDeserializer::new(std::iter::once((
                tag, NO_VARIANT,
            )))),
            None => Err(Probe::Other("not an enum".into())),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Probe> {
        Err(Probe::Variants(variants))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// The serialized names of `T`'s variants, in declaration order: the values of its tag `tag`
/// (internally tagged) or its plain string values (`tag` `None`, a unit-only enum).
fn serde_codes<T: DeserializeOwned + Serialize>(
    what: &str,
    tag: Option<&'static str>,
) -> Vec<String> {
    let names = match T::deserialize(Prober { tag }) {
        Err(Probe::Variants(names)) => names,
        Err(Probe::Other(why)) => panic!("{what}: serde named no variants: {why}"),
        Ok(_) => panic!("{what}: took a tag that is no variant (a #[serde(other)]?)"),
    };
    assert!(!names.is_empty(), "{what}: no variants");
    let mut codes = Vec::new();
    for &name in names {
        // Each name must be one this type reads and, where a value can be built from the name
        // alone, writes back the same (an alias would not).
        let input = match tag {
            Some(tag) => json!({ tag: name }),
            None => json!(name),
        };
        match serde_json::from_value::<T>(input) {
            Ok(value) => {
                let written = serde_json::to_value(&value).expect("serializes");
                let back = match tag {
                    Some(tag) => written.get(tag).cloned().unwrap_or(Value::Null),
                    None => written,
                };
                if back != json!(name) {
                    continue; // an alias of another variant
                }
            }
            Err(e) => assert!(
                e.to_string().starts_with("missing field"),
                "{what}: {name:?} is not read back: {e}"
            ),
        }
        codes.push(name.to_string());
    }
    codes
}

// ---------------------------------------------------------------------------------------------
// Variant lists checked by the compiler (enums without serde).

/// `[pattern => value, …]` as an array of the values, after an exhaustive `match` over exactly
/// those patterns (a variant missing from the list does not compile) and a check that each value
/// is of its pattern.
macro_rules! every_variant {
    ($ty:ty { $($pat:pat => $value:expr),+ $(,)? }) => {{
        #[allow(dead_code)]
        fn exhaustive(v: &$ty) {
            match v {
                $($pat => {})+
            }
        }
        let values: Vec<$ty> = vec![$($value),+];
        let mut each = values.iter();
        $(assert!(matches!(each.next(), Some($pat)), "a sample is not of its pattern");)+
        values
    }};
}

fn urn_codes() -> Vec<String> {
    use UrnErrorCode as U;
    let all = every_variant!(UrnErrorCode {
        U::NotAUrn => U::NotAUrn,
        U::BadNamespace => U::BadNamespace,
        U::BadEntityType => U::BadEntityType,
        U::EmptyKey => U::EmptyKey,
        U::EmptyPart => U::EmptyPart,
        U::Unbalanced => U::Unbalanced,
        U::TooLong => U::TooLong,
        U::BadEncoding => U::BadEncoding,
        U::WrongKind => U::WrongKind,
    });
    all.into_iter().map(|c| c.as_str().to_string()).collect()
}

fn api_codes() -> Vec<String> {
    let m = String::new;
    let all = every_variant!(ApiError {
        ApiError::BadRequest { .. } => ApiError::BadRequest { status: 400, code: None, message: m() },
        ApiError::Unauthorized { .. } => ApiError::Unauthorized { message: m() },
        ApiError::Forbidden { .. } => ApiError::Forbidden { message: m() },
        ApiError::NotFound { .. } => ApiError::NotFound { message: m() },
        ApiError::RateLimited { .. } => ApiError::RateLimited { limits: Box::new(RateLimit::default()), message: m() },
        ApiError::Server { .. } => ApiError::Server { status: 500, message: m() },
        ApiError::Timeout { .. } => ApiError::Timeout { after_ms: 1 },
        ApiError::Network { .. } => ApiError::Network { message: m() },
        ApiError::Malformed { .. } => ApiError::Malformed { status: 200, message: m() },
    });
    all.iter().map(|e| e.code().to_string()).collect()
}

/// `FailureCode`: why a send, recall, reaction or page request did not happen
/// (`src/sync/outbox.rs`).
fn failure_codes() -> Option<Vec<String>> {
    Some(serde_codes::<threadline::sync::FailureCode>(
        "FailureCode",
        None,
    ))
}

// ---------------------------------------------------------------------------------------------
// The vocabulary and the generated files.

struct Vocabulary {
    urn: Vec<String>,
    api: Vec<String>,
    refusal: Vec<String>,
    failure: Option<Vec<String>>,
    package: Vec<String>,
    argument: Vec<String>,
}

fn vocabulary() -> Vocabulary {
    Vocabulary {
        urn: urn_codes(),
        api: api_codes(),
        refusal: serde_codes::<Refusal>("Refusal", Some("code")),
        failure: failure_codes(),
        package: serde_codes::<PackageErrorCode>("PackageErrorCode", None),
        argument: serde_codes::<ArgumentErrorCode>("ArgumentErrorCode", None),
    }
}

impl Vocabulary {
    /// Every code a `ThreadlineError` may carry, without repeats, in a stable order.
    fn threadline(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let failure = self.failure.iter().flatten();
        for c in self.refusal.iter().chain(failure).chain(&self.package) {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
        out
    }

    /// The codes of errors named `name`, as the package makes them.
    fn of(&self, name: &str) -> Vec<String> {
        match name {
            "ThreadlineError" => self.threadline(),
            "ApiError" => self.api.clone(),
            "UrnError" => self.urn.clone(),
            "TypeError" => self.argument.clone(),
            _ => Vec::new(),
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn union(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| format!("\n  | {}", json!(c)))
        .collect::<String>()
}

fn js_list(codes: &[String]) -> String {
    let items: Vec<String> = codes.iter().map(|c| format!("  {},\n", json!(c))).collect();
    format!("[\n{}]", items.concat())
}

const HEADER: &str = "Generated by tests/error_codes.rs from the Rust enums. Do not edit: change \
the enums (or\n// the templates in tests/error_codes/) and run `UPDATE_GENERATED=1 cargo test --test \
error_codes`.";

fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (key, value) in pairs {
        if *key == "failure" && !out.contains("/*@failure@*/") {
            continue; // no FailureCode yet: its section was left out
        }
        let marker = format!("/*@{key}@*/");
        assert!(out.contains(&marker), "template lacks {marker}");
        out = out.replace(&marker, value);
    }
    assert!(!out.contains("/*@"), "template has an unfilled marker");
    out
}

/// Lines between `//@failure-begin` and `//@failure-end` stay only when `FailureCode` exists.
fn failure_section(template: &str, present: bool) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in template.split_inclusive('\n') {
        match line.trim() {
            "//@failure-begin" => inside = true,
            "//@failure-end" => inside = false,
            _ if inside && !present => {}
            _ => out.push_str(line),
        }
    }
    assert!(!inside, "unclosed //@failure-begin");
    out
}

fn generate(v: &Vocabulary) -> (String, String) {
    let failure = v.failure.clone().unwrap_or_default();
    let has_failure = v.failure.is_some();
    let pairs = [
        ("header", HEADER.to_string()),
        ("urn", js_list(&v.urn)),
        ("api", js_list(&v.api)),
        ("refusal", js_list(&v.refusal)),
        ("failure", js_list(&failure)),
        ("package", js_list(&v.package)),
        ("argument", js_list(&v.argument)),
        ("threadline", js_list(&v.threadline())),
    ];
    let js = fill(
        &failure_section(include_str!("error_codes/errors.js"), has_failure),
        &pairs,
    );
    let unions = [
        ("header", HEADER.to_string()),
        ("urn", union(&v.urn)),
        ("api", union(&v.api)),
        ("refusal", union(&v.refusal)),
        ("failure", union(&failure)),
        ("package", union(&v.package)),
        ("argument", union(&v.argument)),
        (
            "threadline",
            if has_failure {
                " RefusalCode | FailureCode | PackageErrorCode".into()
            } else {
                " RefusalCode | PackageErrorCode".into()
            },
        ),
    ];
    let dts = fill(
        &failure_section(include_str!("error_codes/errors.d.ts"), has_failure),
        &unions,
    );
    (js, dts)
}

/// The first lines where `want` and `got` differ, as a short diff.
fn difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    let mut out = format!("first difference at line {}:\n", first + 1);
    for i in first..(first + 6) {
        match (g.get(i), w.get(i)) {
            (None, None) => break,
            (Some(a), Some(b)) if a == b => out.push_str(&format!("    {a}\n")),
            (got, want) => {
                if let Some(l) = got {
                    out.push_str(&format!("  - {l}\n"));
                }
                if let Some(l) = want {
                    out.push_str(&format!("  + {l}\n"));
                }
            }
        }
    }
    out
}

#[test]
fn checked_in_error_files_are_generated_from_the_enums() {
    let (js, dts) = generate(&vocabulary());
    let update = std::env::var_os("UPDATE_GENERATED").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (file, want) in [("npm/errors.js", js), ("npm/errors.d.ts", dts)] {
        let path = root().join(file);
        let got = std::fs::read_to_string(&path).unwrap_or_default();
        if got == want {
            continue;
        }
        if update {
            std::fs::write(&path, want).expect("write generated file");
            eprintln!("rewrote {file}");
        } else {
            stale.push(format!(
                "{file} (- checked in, + generated):\n{}",
                difference(&want, &got)
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "generated error files are out of date; run `UPDATE_GENERATED=1 cargo test --test \
         error_codes`\n{}",
        stale.join("\n")
    );
}

#[test]
fn codes_are_snake_case_and_distinct_within_each_error() {
    let v = vocabulary();
    let lists = [
        ("UrnError", &v.urn),
        ("ApiError", &v.api),
        ("Refusal", &v.refusal),
        ("PackageErrorCode", &v.package),
        ("ArgumentErrorCode", &v.argument),
    ];
    for (what, codes) in lists
        .into_iter()
        .chain(v.failure.as_ref().map(|f| ("FailureCode", f)))
    {
        let distinct: BTreeSet<&String> = codes.iter().collect();
        assert_eq!(
            distinct.len(),
            codes.len(),
            "{what}: a code twice: {codes:?}"
        );
        for c in codes {
            let ok = !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !c.starts_with('_')
                && !c.ends_with('_');
            assert!(ok, "{what}: {c:?} is not a snake_case code");
        }
    }
    // `isRefusal` tells a refusal by its code: no other ThreadlineError code may be one.
    for c in v.package.iter().chain(v.failure.iter().flatten()) {
        assert!(
            !v.refusal.contains(c),
            "{c:?} is both a refusal code and another ThreadlineError code"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The files that make errors use only codes of the vocabulary.

/// The string literal at the start of `s` (after whitespace), if there is one.
fn literal(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    let rest = s.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some((&rest[..end], &rest[end + 1..]))
}

/// `(error name, code)` of every call `js_error("Name", "code", …)`, `engine_error("code", …)`
/// and `type_error(…)` with literal arguments in a Rust file.
fn rust_codes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("js_error(") {
        let Some((name, rest)) = literal(&text[i + "js_error(".len()..]) else {
            continue;
        };
        let Some((code, _)) = rest.trim_start().strip_prefix(',').and_then(literal) else {
            continue;
        };
        found.push((name.to_string(), code.to_string()));
    }
    for (i, _) in text.match_indices("engine_error(") {
        if let Some((code, _)) = literal(&text[i + "engine_error(".len()..]) {
            found.push(("ThreadlineError".into(), code.to_string()));
        }
    }
    found
}

/// Every `code = "x"` / `code: "x"` in a hand-written JS file, with the error name it is
/// made for: `new ThreadlineError("x"` style calls are read too.
fn js_codes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for pat in ["code = ", "code: "] {
        for (i, _) in text.match_indices(pat) {
            if let Some((code, _)) = literal(&text[i + pat.len()..]) {
                found.push((String::new(), code.to_string()));
            }
        }
    }
    for name in ["ThreadlineError", "ApiError", "UrnError"] {
        let call = format!("new {name}(");
        for (i, _) in text.match_indices(&call) {
            if let Some((code, _)) = literal(&text[i + call.len()..]) {
                found.push((name.to_string(), code.to_string()));
            }
        }
    }
    found
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

#[test]
fn every_error_code_the_package_makes_is_in_the_vocabulary() {
    let v = vocabulary();
    let every: BTreeSet<String> = ["ThreadlineError", "ApiError", "UrnError", "TypeError"]
        .iter()
        .flat_map(|n| v.of(n))
        .collect();
    let mut seen = 0;
    let mut bad = Vec::new();
    let rust = files(&root().join("src/wasm"), "rs");
    let js = files(&root().join("npm"), "js");
    for path in rust.iter().chain(&js) {
        if path.ends_with("npm/errors.js") {
            continue; // generated from the vocabulary itself
        }
        let text = std::fs::read_to_string(path).expect("read source");
        let uses = if path.extension().is_some_and(|x| x == "rs") {
            rust_codes(&text)
        } else {
            js_codes(&text)
        };
        for (name, code) in uses {
            seen += 1;
            let known = if name.is_empty() {
                every.contains(&code)
            } else {
                v.of(&name).contains(&code)
            };
            if !known {
                bad.push(format!("{}: {name} code {code:?}", path.display()));
            }
        }
    }
    // The scan must see the codes made today (closed, storage, internal, the TypeErrors, …).
    assert!(
        seen >= 8,
        "the scan found only {seen} error codes: has the code moved?"
    );
    assert!(
        bad.is_empty(),
        "codes not in the vocabulary (add them to the Rust enum, src/error_code.rs for the \
         package's own):\n{}",
        bad.join("\n")
    );
}
