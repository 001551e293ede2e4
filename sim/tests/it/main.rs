//! Integration tests of threadline-sim over real HTTP: every endpoint, every promise, every fault,
//! the WebSocket, the LinkedIn-shaped page over HTTPS, and a golden check against the model and the
//! seed fixtures. One binary (one link) with a module per area; each test starts its own server.

mod api;
mod cli;
mod common;
mod control;
mod dialect;
mod faults;
mod golden;
mod page;
mod realtime;
mod send;
