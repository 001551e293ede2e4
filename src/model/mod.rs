//! Wire types for every request and response of the API contract (serde, camelCase).
