//! The engine's restarts tests again, over the per-record layout (`RecordLog`, IndexedDB's):
//! the binary's name selects it (see `Layout::for_tests`).

#[path = "restarts.rs"]
mod restarts;
