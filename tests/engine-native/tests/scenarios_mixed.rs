//! The engine's scenarios tests again, against the simulator in its `mixed` dialect: the binary's
//! name selects it (see `threadline_sim::dialect::for_tests`).

#[path = "scenarios.rs"]
mod scenarios;
