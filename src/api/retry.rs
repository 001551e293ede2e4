//! When to try a request again, as pure arithmetic: reads are retried on transient faults with
//! capped exponential backoff and jitter, honouring `Retry-After`, inside a total time budget;
//! writes never are (a blind resend could message someone twice: the engine decides).

use super::{ApiError, Op};

/// Retry limits for reads. Writes ignore them: they are sent once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most attempts of one read, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled for each later one.
    pub base_delay_ms: u64,
    /// Cap of the computed backoff (a longer `Retry-After` is still honoured, within the budget).
    pub max_delay_ms: u64,
    /// Total time one call may take, waits and attempts included.
    pub budget_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay_ms: 400,
            max_delay_ms: 5_000,
            budget_ms: 20_000,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// How long to wait before attempt `failed_attempt + 1`, or `None` to give up and report
    /// `err`. `elapsed_ms` is the time since the first attempt began; `jitter` is a sample in
    /// `[0, 1)` that spreads the wait over its upper half ("equal jitter").
    pub fn next_delay(
        &self,
        op: Op,
        failed_attempt: u32,
        err: &ApiError,
        elapsed_ms: u64,
        jitter: f64,
    ) -> Option<u64> {
        if op.is_write() || !is_transient(err) || failed_attempt >= self.max_attempts {
            return None;
        }
        let exp = failed_attempt.saturating_sub(1).min(32);
        let backoff = self
            .base_delay_ms
            .saturating_mul(1u64 << exp)
            .min(self.max_delay_ms);
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let jittered = backoff / 2 + ((backoff - backoff / 2) as f64 * jitter) as u64;
        let delay = jittered.max(err.retry_after_ms().unwrap_or(0));
        // The next attempt needs time of its own after the wait, or it is not worth starting.
        let next_attempt_start = elapsed_ms.saturating_add(delay);
        (next_attempt_start.saturating_add(MIN_ATTEMPT_MS) <= self.budget_ms).then_some(delay)
    }

    /// The timeout for an attempt starting at `elapsed_ms`: the configured one, cut so that the
    /// call stays inside the budget. Writes always get the full timeout (they are sent once).
    pub fn attempt_timeout(&self, op: Op, timeout_ms: u64, elapsed_ms: u64) -> u64 {
        if op.is_write() {
            return timeout_ms;
        }
        let left = self
            .budget_ms
            .saturating_sub(elapsed_ms)
            .max(MIN_ATTEMPT_MS);
        timeout_ms.min(left)
    }
}

/// Shortest time worth giving an attempt.
const MIN_ATTEMPT_MS: u64 = 1_000;

/// Faults that may pass by themselves: timeouts, network failures, 429 and 5xx.
pub fn is_transient(err: &ApiError) -> bool {
    matches!(
        err,
        ApiError::Timeout { .. }
            | ApiError::Network { .. }
            | ApiError::RateLimited { .. }
            | ApiError::Server { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RateLimit;

    fn server() -> ApiError {
        ApiError::Server {
            status: 503,
            message: "down".into(),
        }
    }

    fn rate_limited(retry_after_ms: Option<u64>) -> ApiError {
        ApiError::RateLimited {
            limits: Box::new(RateLimit {
                retry_after_ms,
                ..Default::default()
            }),
            message: "slow down".into(),
        }
    }

    const P: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        base_delay_ms: 400,
        max_delay_ms: 1_000,
        budget_ms: 20_000,
    };

    #[test]
    fn writes_are_never_retried_whatever_the_fault() {
        for op in [Op::Send, Op::React, Op::Recall, Op::Upload] {
            for err in [
                server(),
                rate_limited(Some(1)),
                ApiError::Timeout { after_ms: 1 },
            ] {
                assert_eq!(P.next_delay(op, 1, &err, 0, 0.5), None, "{op} {err}");
            }
        }
    }

    #[test]
    fn reads_are_retried_on_every_transient_fault() {
        let transient = [
            server(),
            rate_limited(None),
            ApiError::Timeout { after_ms: 15_000 },
            ApiError::Network {
                message: "reset".into(),
            },
        ];
        for op in [
            Op::Conversations,
            Op::RecentMessages,
            Op::Messages,
            Op::Accounts,
            Op::Premium,
        ] {
            for err in &transient {
                assert!(P.next_delay(op, 1, err, 0, 0.0).is_some(), "{op} {err}");
            }
        }
    }

    #[test]
    fn definite_answers_are_not_retried() {
        let definite = [
            ApiError::BadRequest {
                status: 400,
                code: None,
                message: "no".into(),
            },
            ApiError::Unauthorized {
                message: "key".into(),
            },
            ApiError::NotFound {
                message: "gone".into(),
            },
            ApiError::Malformed {
                status: 200,
                message: "junk".into(),
            },
        ];
        for err in &definite {
            assert_eq!(P.next_delay(Op::Messages, 1, err, 0, 0.5), None, "{err}");
        }
    }

    #[test]
    fn backoff_doubles_with_equal_jitter_and_is_capped() {
        let d = |attempt, jitter| P.next_delay(Op::Messages, attempt, &server(), 0, jitter);
        assert_eq!(d(1, 0.0), Some(200));
        assert_eq!(d(1, 0.999_999), Some(399));
        assert_eq!(d(2, 0.0), Some(400));
        assert_eq!(d(3, 0.0), Some(500));
        assert_eq!(d(3, 0.5), Some(750));
    }

    #[test]
    fn attempts_stop_at_the_maximum() {
        assert!(P.next_delay(Op::Messages, 3, &server(), 0, 0.0).is_some());
        assert_eq!(P.next_delay(Op::Messages, 4, &server(), 0, 0.0), None);
    }

    #[test]
    fn retry_after_is_honoured_even_past_the_backoff_cap() {
        let d = P.next_delay(Op::Conversations, 1, &rate_limited(Some(3_000)), 0, 0.0);
        assert_eq!(d, Some(3_000));
    }

    #[test]
    fn a_wait_past_the_budget_gives_up_and_reports_the_error() {
        let d = P.next_delay(Op::Conversations, 1, &rate_limited(Some(60_000)), 0, 0.0);
        assert_eq!(d, None);
        assert_eq!(P.next_delay(Op::Messages, 1, &server(), 18_900, 0.0), None);
        assert_eq!(
            P.next_delay(Op::Messages, 1, &server(), 18_700, 0.0),
            Some(200)
        );
    }

    #[test]
    fn odd_jitter_samples_are_clamped() {
        assert_eq!(
            P.next_delay(Op::Messages, 1, &server(), 0, f64::NAN),
            Some(200)
        );
        assert_eq!(P.next_delay(Op::Messages, 1, &server(), 0, 7.0), Some(400));
        assert_eq!(P.next_delay(Op::Messages, 1, &server(), 0, -1.0), Some(200));
    }

    #[test]
    fn a_read_attempt_timeout_is_cut_to_the_budget_left() {
        assert_eq!(P.attempt_timeout(Op::Messages, 15_000, 0), 15_000);
        assert_eq!(P.attempt_timeout(Op::Messages, 15_000, 12_000), 8_000);
        assert_eq!(P.attempt_timeout(Op::Messages, 15_000, 25_000), 1_000);
        assert_eq!(P.attempt_timeout(Op::Send, 15_000, 25_000), 15_000);
    }

    #[test]
    fn never_means_one_attempt() {
        assert_eq!(
            RetryPolicy::never().next_delay(Op::Messages, 1, &server(), 0, 0.0),
            None
        );
    }
}
