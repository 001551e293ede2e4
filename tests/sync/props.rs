//! Property tests (below).
