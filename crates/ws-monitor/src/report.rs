//! The health report: each check's outcome, the overall status and the coverage of a run.

use crate::serde_fields::{criticality, micros};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ws_core::Criticality;

#[cfg(test)]
mod tests;
mod wire;

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The check returned `Ok`.
    Passed,
    /// The check returned an error.
    Failed,
    /// The check panicked; the panic was caught and reported.
    Panicked,
    /// The check did not answer within its timeout.
    TimedOut,
}

impl CheckStatus {
    /// Whether the check passed.
    pub fn is_passed(self) -> bool {
        self == CheckStatus::Passed
    }

    /// A lowercase name, fit for a metric label: `passed`, `failed`, `panicked`, `timed_out`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::Panicked => "panicked",
            CheckStatus::TimedOut => "timed_out",
        }
    }
}

/// The overall verdict of a run, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Every check passed.
    Healthy,
    /// A warning-level check failed; every critical one passed.
    Degraded,
    /// A critical check failed.
    Unhealthy,
}

impl HealthStatus {
    /// The status a failure of this criticality leads to.
    pub fn on_failure(criticality: Criticality) -> Self {
        if criticality.is_critical() {
            HealthStatus::Unhealthy
        } else {
            HealthStatus::Degraded
        }
    }

    /// The value of the `ws_monitor_health_status` gauge: 0, 1 or 2.
    pub fn gauge_value(self) -> f64 {
        f64::from(self as u8)
    }

    /// A lowercase name: `healthy`, `degraded` or `unhealthy`.
    pub fn as_str(self) -> &'static str {
        ["healthy", "degraded", "unhealthy"][self as usize]
    }
}

/// The outcome of one check in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    name: String,
    #[serde(with = "criticality")]
    criticality: Criticality,
    status: CheckStatus,
    message: String,
    #[serde(rename = "duration_us", with = "micros")]
    duration: Duration,
}

impl CheckReport {
    /// A report; the duration is kept to whole microseconds (what the JSON carries).
    pub fn new(
        name: impl Into<String>,
        criticality: Criticality,
        status: CheckStatus,
        message: impl Into<String>,
        duration: Duration,
    ) -> Self {
        let duration = micros::truncate(duration);
        Self { name: name.into(), criticality, status, message: message.into(), duration }
    }

    /// The name the check was registered under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The criticality it was registered with.
    pub fn criticality(&self) -> Criticality {
        self.criticality
    }

    /// How it ended.
    pub fn status(&self) -> CheckStatus {
        self.status
    }

    /// The check's own message (on success or failure), or what the monitor observed.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How long it ran (up to its timeout).
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The overall status this outcome alone would give.
    pub fn impact(&self) -> HealthStatus {
        match self.status {
            CheckStatus::Passed => HealthStatus::Healthy,
            _ => HealthStatus::on_failure(self.criticality),
        }
    }
}

/// The result of one run of every registered check.
///
/// The status, the coverage and the executed count are derived from the checks, never
/// stored apart from them; the JSON spells them out, and [`HealthReport::from_json`] refuses
/// a report whose spelled-out values disagree with its checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "wire::Wire", try_from = "wire::Wire")]
pub struct HealthReport {
    run: u64,
    unix_ms: u64,
    registered: usize,
    duration: Duration,
    checks: Vec<CheckReport>,
}

impl HealthReport {
    /// The outcomes of run number `run` of `registered` checks.
    pub fn new(run: u64, registered: usize, checks: Vec<CheckReport>, duration: Duration) -> Self {
        let duration = micros::truncate(duration);
        let unix_ms = unix_millis(SystemTime::now());
        Self { run, unix_ms, registered, duration, checks }
    }

    /// The run's sequence number in its monitor, from 1.
    pub fn run(&self) -> u64 {
        self.run
    }

    /// When the run ended, in milliseconds since the Unix epoch (wall clock).
    pub fn unix_ms(&self) -> u64 {
        self.unix_ms
    }

    /// Healthy, degraded or unhealthy: the worst impact among the checks.
    pub fn status(&self) -> HealthStatus {
        aggregate(&self.checks)
    }

    /// Checks executed / checks registered (1.0 for a monitor without checks).
    pub fn coverage(&self) -> f64 {
        coverage(self.executed(), self.registered)
    }

    /// How many checks produced an outcome.
    pub fn executed(&self) -> usize {
        self.checks.len()
    }

    /// How many checks were registered.
    pub fn registered(&self) -> usize {
        self.registered
    }

    /// Wall time of the whole run.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Every check's outcome, in registration order.
    pub fn checks(&self) -> &[CheckReport] {
        &self.checks
    }

    /// The outcome of the check with this name.
    pub fn check(&self, name: &str) -> Option<&CheckReport> {
        self.checks.iter().find(|check| check.name == name)
    }

    /// The checks that did not pass.
    pub fn failures(&self) -> impl Iterator<Item = &CheckReport> {
        self.checks.iter().filter(|check| !check.status.is_passed())
    }

    /// The report as JSON (the body served at `/health`).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// Reads a report back from JSON.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// The worst impact among the outcomes: unhealthy beats degraded beats healthy.
pub fn aggregate(checks: &[CheckReport]) -> HealthStatus {
    checks.iter().map(CheckReport::impact).max().unwrap_or(HealthStatus::Healthy)
}

fn coverage(executed: usize, registered: usize) -> f64 {
    if registered == 0 {
        return 1.0;
    }
    executed as f64 / registered as f64
}

fn unix_millis(now: SystemTime) -> u64 {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}
