//! Tests of the reconciliation engine (`threadline::sync`): a rule-by-rule suite, and property
//! tests of three replicas and a simulated server under random schedules.

mod fact_kind;
mod hostile;
mod lazy;
mod outcomes;
mod props;
mod rules;
mod server;
mod views;
mod world;
