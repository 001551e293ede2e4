//! The two error bodies the API sends: `{"error": "text"}` and
//! `{"success": false, "code": "stable_code", "message": "text"}`.

use serde::{Deserialize, Serialize};

/// Either error shape; every field optional because proxies and old routes differ.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::lenient::opt_flag")]
    pub success: Option<bool>,
    /// The text; an `error` that is an object (a validation error) reads as `None` here: the
    /// client's classifier reads its `issues`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::lenient::opt_string")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::lenient::opt_string")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "super::lenient::opt_string")]
    pub message: Option<String>,
}

impl ErrorBody {
    /// The seed documents' shape: `{"error": text}`.
    pub fn legacy(text: impl Into<String>) -> Self {
        ErrorBody {
            error: Some(text.into()),
            ..Default::default()
        }
    }

    /// The current reference's shape: `{"success": false, "code", "message"}`.
    pub fn coded(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            success: Some(false),
            code: Some(code.into()),
            message: Some(message.into()),
            ..Default::default()
        }
    }

    /// The human text, whichever shape carried it.
    pub fn text(&self) -> Option<&str> {
        self.message
            .as_deref()
            .or(self.error.as_deref())
            .filter(|t| !t.trim().is_empty())
    }
}
