//! The engine's scenarios tests again, over the per-record layout opened lazily
//! (`Layout::LazyRecords`: after every restart no conversation is in memory, each is read
//! when an input needs it): the binary's name selects it (see `Layout::for_tests`).

#[path = "scenarios.rs"]
mod scenarios;
