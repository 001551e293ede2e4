//! The server's limits, on the simulated clock: 15 writes per account per sliding minute, and 150
//! new conversations per account per UTC day (replies are never counted).

use crate::clock::{utc_day_start, DAY_MS};
use crate::error::SimError;
use crate::world::World;

/// Writes (send, react, recall) one account may make per minute.
pub const WRITES_PER_MINUTE: u32 = 15;
const MINUTE_MS: i64 = 60_000;

/// Record one write for `account`, or refuse it with a 429 when its minute is full.
pub fn take_write(w: &mut World, account: &str) -> Result<(), SimError> {
    let limit = w.writes_per_minute;
    if limit == 0 {
        return Ok(());
    }
    let now = w.now();
    let window = w.writes.entry(account.to_string()).or_default();
    while window
        .front()
        .is_some_and(|&t| t <= now - MINUTE_MS || t > now)
    {
        window.pop_front();
    }
    if window.len() as u32 >= limit {
        let oldest = window.front().copied().unwrap_or(now);
        let reset_ms = oldest + MINUTE_MS;
        return Err(SimError::RateLimited {
            code: "rate_limited",
            message: format!(
                "Rate limit exceeded: {limit} writes per minute for this LinkedIn account"
            ),
            limit,
            retry_after_s: secs_until(now, reset_ms),
            reset_epoch_s: reset_ms.div_euclid(1000) + 1,
        });
    }
    window.push_back(now);
    Ok(())
}

/// New conversations `account` opened in the current UTC day.
pub fn new_conversations_today(w: &World, account: &str) -> u32 {
    let day = utc_day_start(w.now());
    w.data
        .threads
        .iter()
        .filter(|t| t.opened_by.as_deref() == Some(account))
        .filter(|t| t.created_at >= day && t.created_at < day + DAY_MS)
        .count() as u32
}

/// Refuse a new conversation over the daily quota (429 until the next UTC midnight).
pub fn check_quota(w: &World, account: &str) -> Result<(), SimError> {
    let limit = w.daily_new_conversations;
    if new_conversations_today(w, account) < limit {
        return Ok(());
    }
    let now = w.now();
    let reset_ms = utc_day_start(now) + DAY_MS;
    Err(SimError::RateLimited {
        code: "daily_quota_exceeded",
        message: format!(
            "Daily limit reached: {limit} new conversations per day per LinkedIn account; \
             resets at midnight UTC"
        ),
        limit,
        retry_after_s: secs_until(now, reset_ms),
        reset_epoch_s: reset_ms.div_euclid(1000),
    })
}

fn secs_until(now: i64, then: i64) -> u64 {
    ((then - now).max(0) as u64).div_ceil(1000).max(1)
}
