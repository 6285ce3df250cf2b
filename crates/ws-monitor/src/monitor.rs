//! The monitor: checks registered by name, run all at once, each in isolation.

use crate::check::HealthCheck;
use crate::error::MonitorError;
use crate::history::History;
use crate::periodic::PeriodicRuns;
use crate::report::{CheckReport, HealthReport};
use crate::runner::RegisteredCheck;
use crate::telemetry;
use futures::future::join_all;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;
use ws_core::Criticality;

#[cfg(test)]
mod tests;

/// How many reports a monitor keeps by default: at one run every 10 s, about five minutes.
pub const DEFAULT_HISTORY: usize = 32;

/// A set of named health checks, run concurrently and independently.
///
/// Register every check (`&mut self`), then share the monitor in an `Arc` to run it, serve
/// it, or run it periodically. Each run's report is kept: [`Monitor::latest`] and a bounded
/// [`Monitor::history`].
pub struct Monitor {
    checks: Vec<RegisteredCheck>,
    history: Mutex<History>,
    runs: AtomicU64,
}

impl Default for Monitor {
    fn default() -> Self {
        Self::with_history_capacity(DEFAULT_HISTORY)
    }
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.names().collect();
        formatter.debug_struct("Monitor").field("checks", &names).finish_non_exhaustive()
    }
}

impl Monitor {
    /// A monitor without checks that keeps [`DEFAULT_HISTORY`] reports.
    pub fn new() -> Self {
        Self::default()
    }

    /// A monitor without checks that keeps the last `capacity` reports (at least one).
    pub fn with_history_capacity(capacity: usize) -> Self {
        let history = Mutex::new(History::new(capacity));
        Self { checks: Vec::new(), history, runs: AtomicU64::new(0) }
    }

    /// Registers `check` under a unique `name`, with its criticality and its timeout.
    pub fn register(
        &mut self,
        name: impl Into<String>,
        criticality: Criticality,
        timeout: Duration,
        check: impl HealthCheck + 'static,
    ) -> Result<&mut Self, MonitorError> {
        let name = name.into();
        if self.names().any(|registered| registered == name) {
            return Err(MonitorError::DuplicateCheck { name });
        }
        let check = Arc::new(check);
        self.checks.push(RegisteredCheck { name, criticality, timeout, check });
        Ok(self)
    }

    /// The registered names, in registration order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.checks.iter().map(|check| check.name.as_str())
    }

    /// How many checks are registered.
    pub fn len(&self) -> usize {
        self.checks.len()
    }

    /// Whether no check is registered.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty()
    }

    /// Runs every check concurrently; returns when the slowest has answered or timed out.
    /// The report is recorded as metrics and kept in the history.
    pub async fn run(&self) -> HealthReport {
        let started = Instant::now();
        let outcomes = self.run_all().await;
        let report = self.conclude(outcomes, started.elapsed());
        telemetry::record(&report);
        self.lock_history().push(report.clone());
        report
    }

    /// The last report, if a run has completed.
    pub fn latest(&self) -> Option<HealthReport> {
        self.lock_history().latest().cloned()
    }

    /// The kept reports, oldest first.
    pub fn history(&self) -> Vec<HealthReport> {
        self.lock_history().to_vec()
    }

    /// Runs the monitor every `every` (at least [`crate::MIN_INTERVAL`]) on the current tokio
    /// runtime, the first run at once, until the returned handle is stopped or dropped.
    ///
    /// # Panics
    ///
    /// When called outside a tokio runtime (as `tokio::spawn` does).
    pub fn spawn_periodic(self: &Arc<Self>, every: Duration) -> PeriodicRuns {
        PeriodicRuns::spawn(Arc::clone(self), every)
    }

    async fn run_all(&self) -> Vec<CheckReport> {
        let span = tracing::info_span!("health_run", checks = self.checks.len());
        join_all(self.checks.iter().map(RegisteredCheck::run)).instrument(span).await
    }

    fn conclude(&self, outcomes: Vec<CheckReport>, elapsed: Duration) -> HealthReport {
        let run = self.runs.fetch_add(1, Ordering::Relaxed) + 1;
        HealthReport::new(run, self.checks.len(), outcomes, elapsed)
    }

    fn lock_history(&self) -> MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
