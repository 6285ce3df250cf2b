//! What a sync found: each callback's outcome and duration, the failures, the verdict.

use crate::error::{CallbackError, SyncError};
use crate::state::SyncState;
use std::sync::Arc;
use std::time::Duration;
use ws_core::Criticality;

/// How one callback ended, as a metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The callback returned `Ok(())` in time.
    Ok,
    /// The callback returned an error.
    Error,
    /// The callback panicked.
    Panic,
    /// The callback did not finish within its timeout.
    Timeout,
}

impl Outcome {
    /// A lowercase name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Panic => "panic",
            Outcome::Timeout => "timeout",
        }
    }

    fn of(result: &Result<(), CallbackError>) -> Self {
        match result {
            Ok(()) => Outcome::Ok,
            Err(CallbackError::Failed(_)) => Outcome::Error,
            Err(CallbackError::Panicked { .. }) => Outcome::Panic,
            Err(CallbackError::TimedOut { .. }) => Outcome::Timeout,
        }
    }
}

/// One failed callback: what the failure handler and the event stream receive.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Failure {
    /// The callback's registered name.
    pub name: Arc<str>,
    /// How much the failure matters.
    pub criticality: Criticality,
    /// Why it failed.
    pub error: CallbackError,
    /// How long the callback ran before it failed.
    pub duration: Duration,
}

/// One callback's run within a sync.
#[derive(Debug, Clone)]
pub struct CallbackReport {
    name: Arc<str>,
    criticality: Criticality,
    result: Result<(), CallbackError>,
    duration: Duration,
}

impl CallbackReport {
    pub(crate) fn new(
        name: Arc<str>,
        criticality: Criticality,
        result: Result<(), CallbackError>,
        duration: Duration,
    ) -> Self {
        CallbackReport { name, criticality, result, duration }
    }

    /// The callback's registered name.
    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The callback's criticality.
    pub fn criticality(&self) -> Criticality {
        self.criticality
    }

    /// `Ok(())`, or why the callback failed.
    pub fn result(&self) -> &Result<(), CallbackError> {
        &self.result
    }

    /// How the callback ended.
    pub fn outcome(&self) -> Outcome {
        Outcome::of(&self.result)
    }

    /// How long the callback ran (up to its timeout when it timed out).
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The failure, when the callback failed.
    pub fn failure(&self) -> Option<Failure> {
        let error = self.result.as_ref().err()?.clone();
        let name = self.name.clone();
        let criticality = self.criticality;
        Some(Failure { name, criticality, error, duration: self.duration })
    }
}

/// The report of one sync: every callback's outcome, in registration order.
#[derive(Debug, Clone)]
pub struct SyncReport {
    callbacks: Vec<CallbackReport>,
    duration: Duration,
    state: SyncState,
}

impl SyncReport {
    pub(crate) fn new(
        callbacks: Vec<CallbackReport>,
        duration: Duration,
        state: SyncState,
    ) -> Self {
        SyncReport { callbacks, duration, state }
    }

    /// Every callback's run, in registration order.
    pub fn callbacks(&self) -> &[CallbackReport] {
        &self.callbacks
    }

    /// The run of the callback with this name, if it is registered.
    pub fn callback(&self, name: &str) -> Option<&CallbackReport> {
        self.callbacks.iter().find(|run| &*run.name == name)
    }

    /// Wall time of the whole sync: the slowest callback's time, since they run concurrently.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The synchronizer's state once this sync settled.
    pub fn state(&self) -> SyncState {
        self.state
    }

    /// Every failed callback, critical and warning.
    pub fn failures(&self) -> Vec<Failure> {
        self.callbacks.iter().filter_map(CallbackReport::failure).collect()
    }

    /// The names of the failed warning callbacks (the reason for `Degraded`).
    pub fn warning_names(&self) -> Vec<Arc<str>> {
        self.failed_names(Criticality::Warning)
    }

    /// The names of the failed critical callbacks (the reason for `Error`).
    pub fn critical_names(&self) -> Vec<Arc<str>> {
        self.failed_names(Criticality::Critical)
    }

    /// Whether every callback succeeded.
    pub fn is_clean(&self) -> bool {
        self.callbacks.iter().all(|run| run.result.is_ok())
    }

    /// The state this sync alone calls for: `Error` on a critical failure, `Degraded` on
    /// warnings only, `Healthy` when clean.
    pub fn verdict(&self) -> SyncState {
        verdict_of(&self.callbacks)
    }

    /// `Err(SyncError::CriticalFailure)` when a critical callback failed, else `Ok(self)`.
    pub(crate) fn into_result(self) -> Result<Self, SyncError> {
        match self.verdict() {
            SyncState::Error => Err(SyncError::CriticalFailure { report: self }),
            _ => Ok(self),
        }
    }

    fn failed_names(&self, level: Criticality) -> Vec<Arc<str>> {
        let failed = self.callbacks.iter().filter(|run| run.result.is_err());
        failed.filter(|run| run.criticality == level).map(|run| run.name.clone()).collect()
    }
}

/// Classifies a set of runs: any critical failure is `Error`, any other failure `Degraded`.
pub(crate) fn verdict_of(runs: &[CallbackReport]) -> SyncState {
    let failed = || runs.iter().filter(|run| run.result.is_err());
    if failed().any(|run| run.criticality.is_critical()) {
        SyncState::Error
    } else if failed().next().is_some() {
        SyncState::Degraded
    } else {
        SyncState::Healthy
    }
}

/// The failures of the critical callbacks among `runs` (the cause of an `Error` state).
pub(crate) fn critical_failures(runs: &[CallbackReport]) -> Vec<Failure> {
    let failures = runs.iter().filter_map(CallbackReport::failure);
    failures.filter(|failure| failure.criticality.is_critical()).collect()
}

#[cfg(test)]
mod tests;
