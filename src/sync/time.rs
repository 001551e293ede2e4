//! The engine's two kinds of number that look alike: [`Millis`], a time (epoch milliseconds of
//! the caller's clock, or of the server), and [`Stamp`], the order in which this engine made its
//! observations (a time scaled by [`STAMP_SCALE`] plus a counter within the millisecond).
//! Separate types so that the compiler stops a stamp being compared with a time. Both cross
//! serde as a bare number (`#[serde(transparent)]`): the wire, the stored layout and the
//! TypeScript types (`number`) are those of the `i64` they wrap.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// Stamps are milliseconds times this, plus a counter within the millisecond.
pub const STAMP_SCALE: i64 = 1024;

/// A point in time: milliseconds since the Unix epoch, a plain number on the wire.
// Durations stay plain `i64` milliseconds (the configuration's `*_ms`): a time plus a duration
// is a time, a time minus a time a duration.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    /// Before every time ("never").
    pub const MIN: Millis = Millis(i64::MIN);
    /// After every time.
    pub const MAX: Millis = Millis(i64::MAX);

    /// The number of milliseconds.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + ms`, clamped at the ends instead of overflowing.
    pub const fn saturating_add(self, ms: i64) -> Millis {
        Millis(self.0.saturating_add(ms))
    }

    /// `self - ms`, clamped at the ends instead of overflowing.
    pub const fn saturating_sub(self, ms: i64) -> Millis {
        Millis(self.0.saturating_sub(ms))
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<i64> for Millis {
    fn from(ms: i64) -> Millis {
        Millis(ms)
    }
}

impl Add<i64> for Millis {
    type Output = Millis;
    fn add(self, ms: i64) -> Millis {
        self.saturating_add(ms)
    }
}

impl Sub<i64> for Millis {
    type Output = Millis;
    fn sub(self, ms: i64) -> Millis {
        self.saturating_sub(ms)
    }
}

/// How long from `other` to `self`, in milliseconds.
impl Sub for Millis {
    type Output = i64;
    fn sub(self, other: Millis) -> i64 {
        self.0.saturating_sub(other.0)
    }
}

/// The engine's order of its own observations (pages, tallies, reaction facts, recall checks),
/// even several within one millisecond: a plain number, comparable with other stamps only,
/// never with a time. A Lamport clock: each stamp an engine makes is past the last it made and
/// every stamp it was given (by another tab, by storage, before a restore), so what it asks for
/// after learning something ranks newer than it.
// Made by the engine (`Engine::next_stamp`), or from a server time with `Stamp::of_time` (an
// event's time, a restart's).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(transparent)]
pub struct Stamp(i64);

impl Stamp {
    /// Older than every stamp (a body known only from a send's answer).
    pub const MIN: Stamp = Stamp(i64::MIN);

    /// The first stamp of millisecond `at`.
    pub const fn of_time(at: Millis) -> Stamp {
        Stamp(at.0.saturating_mul(STAMP_SCALE))
    }

    /// The `n`th stamp of millisecond `at` (`n` is clamped below [`STAMP_SCALE`]).
    pub fn nth_of(at: Millis, n: i64) -> Stamp {
        let n = n.clamp(0, STAMP_SCALE - 1);
        Stamp(at.0.saturating_mul(STAMP_SCALE).saturating_add(n))
    }

    /// The stamp right after this one (the next millisecond's first after its last).
    pub const fn after(self) -> Stamp {
        Stamp(self.0.saturating_add(1))
    }

    /// A stamp given as its raw number (tests; what storage and sibling tabs carry is read
    /// through serde).
    pub const fn from_raw(n: i64) -> Stamp {
        Stamp(n)
    }

    /// The raw number (for tests and diagnostics).
    pub const fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_order_by_time_then_counter_and_cross_as_bare_numbers() {
        let t = Millis(5);
        assert!(Stamp::nth_of(t, 0) == Stamp::of_time(t));
        assert!(Stamp::nth_of(t, 1) > Stamp::of_time(t));
        assert!(Stamp::nth_of(t, STAMP_SCALE + 7) < Stamp::of_time(t + 1));
        assert!(Stamp::MIN < Stamp::of_time(Millis(-1)));
        assert_eq!(serde_json::to_string(&Stamp::of_time(t)).unwrap(), "5120");
        assert_eq!(serde_json::to_string(&t).unwrap(), "5");
        let back: Millis = serde_json::from_str("-3").unwrap();
        assert_eq!(back, Millis(-3));
        assert_eq!(Millis(10) - Millis(4), 6);
        assert_eq!(Millis::MAX + 1, Millis::MAX);
    }
}
