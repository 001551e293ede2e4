//! threadline-sim: the API simulator (to be written in issue 3).
fn main() {}
