//! The engine's restarts tests again, against the simulator in its `mixed` dialect: the binary's
//! name selects it (see `threadline_sim::dialect::for_tests`).

#[path = "restarts.rs"]
mod restarts;
