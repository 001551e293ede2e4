//! The unit tests' pseudo-random numbers: xorshift64 (Marsaglia's 13/7/17), one step per call, so
//! a test's generated inputs are the same on every run and every machine.

/// The next number of the sequence from `state` (never zero when `state` is not).
pub(crate) fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}
