//! Fault injection and the request ledger. A fault is armed for the next N calls of one operation:
//! a status, a latency, a dropped connection, a malformed JSON body or an HTML error page, applied
//! before the operation runs (the default: nothing happens) or after it took effect (`after`). The
//! ledger counts every call by operation and final status, and how many writes took effect.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use threadline::api::Op;

/// Every operation, in the contract's order.
pub const ALL_OPS: [Op; 9] = [
    Op::Conversations,
    Op::RecentMessages,
    Op::Messages,
    Op::Send,
    Op::React,
    Op::Recall,
    Op::Upload,
    Op::Accounts,
    Op::Premium,
];

/// Body of `POST /__sim/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    pub op: Op,
    /// How many calls it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Answer with this status (an error body in the route's shape; 429 adds `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `Retry-After` seconds for a 429 (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
    /// Wait this long before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Close the connection without an answer.
    #[serde(default)]
    pub drop: bool,
    /// Answer with a truncated JSON body (status default 200).
    #[serde(default)]
    pub malformed: bool,
    /// Answer with a proxy's HTML error page (status default 502).
    #[serde(default)]
    pub html: bool,
    /// Apply the fault after the operation took effect (a write is stored, then the answer fails).
    /// Default `false`: the fault replaces the operation, which never runs.
    #[serde(default)]
    pub after: bool,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// Whether the fault changes the answer (a latency alone does not).
    pub fn replaces_answer(&self) -> bool {
        self.drop || self.malformed || self.html || self.status.is_some()
    }

    /// Check a spec from the control plane.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(s) = self.status {
            // A bare status is an error answer; malformed and HTML bodies may carry any status.
            let lowest = if self.malformed || self.html {
                200
            } else {
                400
            };
            if !(lowest..=599).contains(&s) {
                return Err(format!(
                    "status {s} is not one this fault can answer ({lowest}-599)"
                ));
            }
        }
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if u8::from(self.drop) + u8::from(self.malformed) + u8::from(self.html) > 1 {
            return Err("choose one of drop, malformed, html".into());
        }
        Ok(())
    }
}

/// Armed faults, per operation, consumed in the order they were armed.
#[derive(Debug, Default)]
pub struct FaultBoard {
    armed: HashMap<Op, VecDeque<(FaultSpec, u32)>>,
}

impl FaultBoard {
    pub fn arm(&mut self, spec: FaultSpec) {
        let n = spec.count;
        self.armed.entry(spec.op).or_default().push_back((spec, n));
    }

    /// The fault for this call of `op`, if one is armed (uses up one of its calls).
    pub fn take(&mut self, op: Op) -> Option<FaultSpec> {
        let queue = self.armed.get_mut(&op)?;
        let (spec, left) = queue.front_mut()?;
        let spec = spec.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        Some(spec)
    }

    /// What is still armed: `[{spec…, "remaining": n}]`.
    pub fn list(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for op in ALL_OPS {
            for (spec, left) in self.armed.get(&op).into_iter().flatten() {
                let mut v = serde_json::to_value(spec).unwrap_or_default();
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("remaining".into(), (*left).into());
                }
                out.push(v);
            }
        }
        out
    }

    pub fn clear(&mut self) {
        self.armed.clear();
    }
}

/// Calls of one operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpStats {
    pub total: u64,
    /// Final status as text (`"200"`, `"429"`), or `"dropped"`.
    pub by_status: BTreeMap<String, u64>,
    /// Calls where the operation itself succeeded (for a write: it reached "LinkedIn"),
    /// whatever answer the client then got.
    pub applied: u64,
}

/// The request ledger behind `GET /__sim/requests`.
#[derive(Debug, Default)]
pub struct RequestLog {
    stats: HashMap<Op, OpStats>,
}

impl RequestLog {
    pub fn record(&mut self, op: Op, outcome: &str) {
        let s = self.stats.entry(op).or_default();
        s.total += 1;
        *s.by_status.entry(outcome.to_string()).or_default() += 1;
    }

    pub fn applied(&mut self, op: Op) {
        self.stats.entry(op).or_default().applied += 1;
    }

    /// `{op: {total, byStatus, applied}}` for every operation.
    pub fn snapshot(&self) -> BTreeMap<String, OpStats> {
        ALL_OPS
            .iter()
            .map(|op| {
                (
                    op.to_string(),
                    self.stats.get(op).cloned().unwrap_or_default(),
                )
            })
            .collect()
    }

    pub fn clear(&mut self) {
        self.stats.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_applies_to_exactly_count_calls_in_arming_order() {
        let mut b = FaultBoard::default();
        let spec: FaultSpec =
            serde_json::from_str(r#"{"op":"send","count":2,"status":500}"#).expect("valid spec");
        b.arm(spec);
        b.arm(serde_json::from_str(r#"{"op":"send","drop":true}"#).expect("valid spec"));
        assert_eq!(b.take(Op::Send).and_then(|s| s.status), Some(500));
        assert_eq!(b.take(Op::Send).and_then(|s| s.status), Some(500));
        assert!(b.take(Op::Send).is_some_and(|s| s.drop));
        assert!(b.take(Op::Send).is_none());
        assert!(b.take(Op::React).is_none());
    }
}
