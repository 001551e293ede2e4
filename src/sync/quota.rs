//! The daily quota of new conversations per account (150, reset at midnight UTC), counted by
//! client key so that the same send learned twice (own answer, sibling tab) counts once.

use serde::{Deserialize, Serialize};

use super::keys::ClientKey;
use super::small_map::SmallSet;
use super::time::Millis;

/// Milliseconds in a UTC day.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC day number of an instant (days since the epoch).
pub fn utc_day(now: Millis) -> i64 {
    now.get().div_euclid(DAY_MS)
}

/// The next midnight UTC after `now_ms`: when the quota resets.
pub fn next_reset(now: Millis) -> Millis {
    Millis((utc_day(now) + 1).saturating_mul(DAY_MS))
}

/// New conversations opened on one UTC day, by the client key of the send that opened each.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct QuotaUse {
    pub day: i64,
    /// A `SmallSet` (a sorted `Vec`): at most the day's quota of keys (150) in a store, and a
    /// remote fact's list is capped; no `BTreeSet<ClientKey>` node code (issue 15).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ClientKey[]"))]
    pub keys: SmallSet<ClientKey>,
}

impl QuotaUse {
    /// How many were used on the day of `now_ms`.
    pub fn used(&self, now_ms: Millis) -> u32 {
        if self.day == utc_day(now_ms) {
            u32::try_from(self.keys.len()).unwrap_or(u32::MAX)
        } else {
            0
        }
    }

    /// Whether `key` is already counted for the day of `now_ms`.
    pub fn counts(&self, now_ms: Millis, key: &ClientKey) -> bool {
        self.day == utc_day(now_ms) && self.keys.contains(key)
    }

    /// Count one new conversation opened on `day`; a later day replaces an earlier one.
    /// Returns true when something changed.
    pub fn record(&mut self, day: i64, key: &ClientKey) -> bool {
        if day > self.day {
            self.day = day;
            self.keys.clear();
        }
        day == self.day && self.keys.insert(key.clone())
    }

    /// Join with another replica's count.
    pub fn merge(&mut self, other: &QuotaUse) -> bool {
        let mut changed = false;
        for k in &other.keys {
            changed |= self.record(other.day, k);
        }
        changed
    }
}
