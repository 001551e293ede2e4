//! Connected LinkedIn accounts (`GET /accounts`) and their premium status.

use serde::{Deserialize, Serialize};

/// Health of a connected LinkedIn account as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    Available,
    Warmup,
    Error,
    /// Also used for any status this client does not know yet.
    #[default]
    #[serde(other)]
    Unknown,
}

/// One item of the bare array `GET /accounts` returns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    pub status: AccountStatus,
    pub enabled: bool,
    pub api_seat_allocated: bool,
}

/// `GET /account/{accountId}/premium`: tells whether the Sales Navigator channel is available.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct PremiumStatus {
    pub success: bool,
    pub account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub premium_type: Option<String>,
    pub is_premium: bool,
    pub has_sales_navigator: bool,
    pub has_recruiter: bool,
}
