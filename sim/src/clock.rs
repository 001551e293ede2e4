//! The simulated clock. It runs with real time plus an offset the control plane can set or advance,
//! and can be frozen, so tests can cross the 60-minute recall window, the UTC day of the quota and
//! the one-minute write window without waiting.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in one UTC day.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Real time plus an offset; optionally frozen at one instant.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: i64,
    frozen_at: Option<i64>,
}

fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Clock {
    /// Simulated now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.frozen_at
            .unwrap_or_else(|| real_now_ms() + self.offset_ms)
    }

    /// Jump to `ms`; a running clock keeps running from there.
    pub fn set(&mut self, ms: i64) {
        if self.frozen_at.is_some() {
            self.frozen_at = Some(ms);
        } else {
            self.offset_ms = ms - real_now_ms();
        }
    }

    /// Move forward (or back, when negative) by `ms`.
    pub fn advance(&mut self, ms: i64) {
        match &mut self.frozen_at {
            Some(at) => *at += ms,
            None => self.offset_ms += ms,
        }
    }

    /// Stop the clock at the current simulated instant, or let it run again from there.
    pub fn freeze(&mut self, frozen: bool) {
        let now = self.now_ms();
        if frozen {
            self.frozen_at = Some(now);
        } else {
            self.frozen_at = None;
            self.offset_ms = now - real_now_ms();
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_at.is_some()
    }

    /// Back to real time, running.
    pub fn reset(&mut self) {
        *self = Clock::default();
    }
}

/// Start of the UTC day containing `ms`.
pub fn utc_day_start(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS) * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_a_frozen_clock_exactly() {
        // Frozen first, then set: set on a running clock and frozen after, the clock may have
        // run a millisecond in between (it did once under load, failing `make test`).
        let mut c = Clock::default();
        c.freeze(true);
        c.set(1_000);
        c.advance(500);
        assert_eq!(c.now_ms(), 1_500);
        c.advance(-2_000);
        assert_eq!(c.now_ms(), -500);
    }

    #[test]
    fn a_running_clock_set_runs_on_from_there() {
        let mut c = Clock::default();
        c.set(1_000);
        let now = c.now_ms();
        assert!((1_000..1_000 + 60_000).contains(&now), "{now}");
        c.freeze(true);
        let at = c.now_ms();
        c.advance(500);
        assert_eq!(c.now_ms(), at + 500);
    }

    #[test]
    fn utc_day_start_floors_to_midnight() {
        assert_eq!(utc_day_start(DAY_MS + 5), DAY_MS);
        assert_eq!(utc_day_start(DAY_MS - 1), 0);
    }
}
