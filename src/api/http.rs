//! HTTP requests and answers as plain data: what a transport sends and what it hands back.
//! A request is relative (path and query); it is joined to the client's base URL only when sent.

use std::fmt;

use super::Op;
use crate::urn::encode_path_segment;

/// The HTTP methods the contract uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request body: none, a JSON document, or raw bytes with their MIME type (uploads).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Body {
    #[default]
    None,
    Json(String),
    Raw {
        bytes: Vec<u8>,
        content_type: String,
    },
}

impl Body {
    /// The bytes to put on the wire (empty for `None`).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Body::None => &[],
            Body::Json(s) => s.as_bytes(),
            Body::Raw { bytes, .. } => bytes,
        }
    }

    /// The `Content-Type` this body goes with, if any.
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Body::None => None,
            Body::Json(_) => Some("application/json"),
            Body::Raw { content_type, .. } => Some(content_type),
        }
    }
}

/// One request of the contract, relative to the API's base URL.
///
/// `headers` is the complete list a transport must send; `Content-Type` comes from [`Body`] and is
/// not repeated in `headers`.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Absolute path below the base URL, each URN segment already percent-encoded.
    pub path: String,
    /// Query pairs, not yet encoded; [`HttpRequest::url`] encodes them.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Which operation this is: decides whether it may be retried.
    pub op: Op,
}

impl HttpRequest {
    /// A request with no query, no body and `Accept: application/json`.
    pub fn new(op: Op, method: Method, path: impl Into<String>) -> Self {
        Self::at(op, method, path.into())
    }

    /// [`HttpRequest::new`] past its one generic step (issue 15: a copy per path type).
    #[inline(never)]
    fn at(op: Op, method: Method, path: String) -> Self {
        HttpRequest {
            method,
            path,
            query: Vec::new(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: Body::None,
            op,
        }
    }

    /// Adds a query pair.
    pub fn with_query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a query pair when there is a value; an empty string counts as none.
    pub fn with_query_opt<V: ToString>(self, key: &str, value: Option<V>) -> Self {
        self.with_query_text(key, value.map(|v| v.to_string()))
    }

    /// [`HttpRequest::with_query_opt`] past its one generic step, the value's text (issue 15:
    /// a copy of the whole per value type).
    #[inline(never)]
    fn with_query_text(self, key: &str, value: Option<String>) -> Self {
        match value.filter(|v| !v.is_empty()) {
            Some(v) => self.with_query(key, v),
            None => self,
        }
    }

    /// Sets a header, replacing one of the same name (names compare case-insensitively).
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        // A refill, not Vec::retain (whose body the module kept for this caller alone).
        let old = std::mem::take(&mut self.headers);
        for (n, v) in old {
            if !n.eq_ignore_ascii_case(name) {
                self.headers.push((n, v));
            }
        }
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The full URL: the base (which may carry a path prefix) joined with no doubled or missing
    /// slash, then the query with every key and value percent-encoded.
    pub fn url(&self, base_url: &str) -> String {
        let base = base_url.trim_end_matches('/');
        let path = self.path.trim_start_matches('/');
        let mut url = format!("{base}/{path}");
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_path_segment(k));
            url.push('=');
            url.push_str(&encode_path_segment(v));
        }
        url
    }
}

impl fmt::Debug for HttpRequest {
    // Hand-written so that a logged request never shows the API key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if n.eq_ignore_ascii_case("authorization") {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (n.as_str(), shown)
            })
            .collect();
        let body = match &self.body {
            Body::None => "none".to_string(),
            Body::Json(s) => format!("json, {} bytes", s.len()),
            Body::Raw {
                bytes,
                content_type,
            } => format!("{content_type}, {} bytes", bytes.len()),
        };
        f.debug_struct("HttpRequest")
            .field("op", &self.op)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &body)
            .finish()
    }
}

/// An answer as a transport received it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether a status is a redirect the client must decide about (301, 302, 303, 307, 308; 300 is
/// what the browser transport reports for a redirect whose status it may not see).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 300 | 301 | 302 | 303 | 307 | 308)
}

/// `scheme://host[:port]` of an absolute http(s) URL, lower-cased, default ports dropped.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    // Credentials in a URL (`user@host`) never name the same origin as ours.
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let default = if scheme == "http" { ":80" } else { ":443" };
    let authority = authority.strip_suffix(default).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

/// Whether two URLs have the same origin (both must be absolute http(s) URLs).
pub fn same_origin(a: &str, b: &str) -> bool {
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y)
}

/// A `Location` header resolved against the URL that answered it: absolute, scheme-relative,
/// absolute-path or relative-path. `None` when it cannot be read.
pub fn resolve_location(from: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() || location.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    // An absolute URL (`scheme:`…): only http(s) ones name an origin at all.
    let scheme_end = location.find(':').filter(|&i| {
        let scheme = &location[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if scheme_end.is_some() {
        return origin(location).map(|_| location.to_string());
    }
    let here = origin(from)?;
    if let Some(rest) = location.strip_prefix("//") {
        let scheme = &here[..here.find("://")?];
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{here}{location}"));
    }
    let path = &from[from.find("://")? + 3..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    let dir = match path.find('/') {
        Some(i) => &path[i..path.bytes().rposition(|b| b == b'/').unwrap_or(i) + 1],
        None => "/",
    };
    Some(format!("{here}{dir}{location}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// with_header drops every header of the name in any case and keeps the others in order,
    /// as Vec::retain did, then appends the new one.
    #[test]
    fn a_header_replaces_every_one_of_its_name() {
        let names = ["Accept", "accept", "X-A", "x-a", "ACCEPT", "X-B"];
        for mask in 0u32..(1 << names.len()) {
            let mut req = HttpRequest::new(crate::api::error::Op::Messages, Method::Get, "/m");
            req.headers.clear();
            for (i, n) in names.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    req.headers.push((n.to_string(), i.to_string()));
                }
            }
            let mut want = req.headers.clone();
            want.retain(|(n, _)| !n.eq_ignore_ascii_case("accept"));
            want.push(("Accept".into(), "new".into()));
            assert_eq!(req.with_header("Accept", "new").headers, want, "{mask:b}");
        }
    }

    /// A relative Location resolves against the request's directory: the path up to its last
    /// `/` (found by a byte search, the same index as `str::rfind('/')`, with non-ASCII segments).
    #[test]
    fn a_relative_location_keeps_the_directory() {
        let cases = [
            ("https://a.test/v1/x/y?q=/z", "n", "https://a.test/v1/x/n"),
            ("https://a.test/v1/é/ü#/f", "n?x", "https://a.test/v1/é/n?x"),
            ("https://a.test/only", "n", "https://a.test/n"),
            ("https://a.test/d/", "n", "https://a.test/d/n"),
            ("https://a.test", "n", "https://a.test/n"),
            ("https://a.test/a/b", "/abs", "https://a.test/abs"),
            ("https://a.test/a/b", "//h.test/p", "https://h.test/p"),
        ];
        for (from, location, want) in cases {
            assert_eq!(
                resolve_location(from, location).as_deref(),
                Some(want),
                "{from} {location}"
            );
        }
    }
}
