//! The JSON shape of a health report: its derived values spelled out, checked when read back.

use super::{CheckReport, HealthReport, HealthStatus};
use crate::serde_fields::micros;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A [`HealthReport`] as `/health` serves it, with the status, coverage and executed count
/// written next to the checks they are derived from.
#[derive(Serialize, Deserialize)]
pub(super) struct Wire {
    run: u64,
    unix_ms: u64,
    status: HealthStatus,
    coverage: f64,
    executed: usize,
    registered: usize,
    #[serde(rename = "duration_us", with = "micros")]
    duration: Duration,
    checks: Vec<CheckReport>,
}

impl From<HealthReport> for Wire {
    fn from(report: HealthReport) -> Self {
        let status = report.status();
        let coverage = report.coverage();
        let executed = report.executed();
        let HealthReport { run, unix_ms, registered, duration, checks } = report;
        Wire { run, unix_ms, status, coverage, executed, registered, duration, checks }
    }
}

impl TryFrom<Wire> for HealthReport {
    type Error = String;

    /// The report, unless its spelled-out values disagree with its checks.
    fn try_from(wire: Wire) -> Result<Self, String> {
        let Wire { run, unix_ms, status, coverage, executed, registered, duration, checks } = wire;
        let report = HealthReport { run, unix_ms, registered, duration, checks };
        let derived = (report.status(), report.coverage(), report.executed());
        let consistent = derived == (status, coverage, executed);
        consistent.then_some(report).ok_or_else(|| inconsistent(status, coverage, executed))
    }
}

fn inconsistent(status: HealthStatus, coverage: f64, executed: usize) -> String {
    let stated = format!("status {}, coverage {coverage}, executed {executed}", status.as_str());
    format!("the report's {stated} disagree with its checks")
}
