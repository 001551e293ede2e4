//! The API client as data: each endpoint's request (method, path, query, body, headers) and the
//! classification of its answer. No HTTP library here; a transport runs the requests.

mod error;

pub use error::*;
