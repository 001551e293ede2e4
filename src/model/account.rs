//! Connected LinkedIn accounts (`GET /accounts`) and their premium status.

use serde::{Deserialize, Serialize};

use super::lenient;

/// Health of a connected LinkedIn account as the API reports it. The reference names
/// `AVAILABLE`, `WARMUP`, `ERROR`, `UNKNOWN` (list) and `IN_USE` (account status); any other value
/// is kept as the server wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum AccountStatus {
    Available,
    Warmup,
    InUse,
    Error,
    #[default]
    Unknown,
    Other(String),
}

impl AccountStatus {
    /// The value as it goes on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            AccountStatus::Available => "AVAILABLE",
            AccountStatus::Warmup => "WARMUP",
            AccountStatus::InUse => "IN_USE",
            AccountStatus::Error => "ERROR",
            AccountStatus::Unknown => "UNKNOWN",
            AccountStatus::Other(s) => s,
        }
    }
}

impl From<String> for AccountStatus {
    fn from(s: String) -> Self {
        match s.as_str() {
            "AVAILABLE" => AccountStatus::Available,
            "WARMUP" => AccountStatus::Warmup,
            "IN_USE" => AccountStatus::InUse,
            "ERROR" => AccountStatus::Error,
            "UNKNOWN" => AccountStatus::Unknown,
            _ => AccountStatus::Other(s),
        }
    }
}

lenient::string_enum!(AccountStatus);

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const ACCOUNT_STATUS_TS: &'static str = r#"
/** An account's status; a value this client does not know is kept as the server wrote it. */
export type AccountStatus = "AVAILABLE" | "WARMUP" | "IN_USE" | "ERROR" | "UNKNOWN" | (string & {});
"#;

/// One item of the bare array `GET /accounts` returns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(deserialize_with = "lenient::string")]
    pub first_name: String,
    #[serde(deserialize_with = "lenient::string")]
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub public_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub picture: Option<String>,
    #[serde(deserialize_with = "lenient::parsed")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "AccountStatus"))]
    pub status: AccountStatus,
    #[serde(deserialize_with = "lenient::flag")]
    pub enabled: bool,
    #[serde(deserialize_with = "lenient::flag")]
    pub api_seat_allocated: bool,
}

/// `GET /account/{accountId}/premium`: tells whether the Sales Navigator channel is available.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PremiumStatus {
    #[serde(deserialize_with = "lenient::flag")]
    pub success: bool,
    #[serde(deserialize_with = "lenient::string")]
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::opt_string")]
    #[serde(default)]
    pub premium_type: Option<String>,
    #[serde(deserialize_with = "lenient::flag")]
    pub is_premium: bool,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_sales_navigator: bool,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_recruiter: bool,
    /// Business Premium: away messages.
    #[serde(deserialize_with = "lenient::flag")]
    pub has_away_messages: bool,
    #[serde(deserialize_with = "lenient::flag")]
    pub has_advertise_badge: bool,
    /// Hiring manager mailbox access.
    #[serde(deserialize_with = "lenient::flag")]
    pub has_hiring_manager: bool,
}
