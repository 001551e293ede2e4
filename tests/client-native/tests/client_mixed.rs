//! The client's integration tests again, against the simulator in its `mixed` dialect (string and
//! ISO timestamps, nulls, `messageId`, the wrapped send answer, ISO resets, the 307 of the older
//! endpoint): the binary's name selects it (see `threadline_sim::dialect::for_tests`).

#[path = "client.rs"]
mod client;
