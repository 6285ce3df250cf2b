//! Runs one registered check under its timeout, catching its panic, and times it.

use crate::check::{CheckResult, HealthCheck};
use crate::report::{CheckReport, CheckStatus};
use futures::FutureExt;
use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{error::Elapsed, timeout, Instant};
use tracing::Instrument;
use ws_core::Criticality;

#[cfg(test)]
mod tests;

/// A check as registered: its name, criticality and timeout.
pub(crate) struct RegisteredCheck {
    pub(crate) name: String,
    pub(crate) criticality: Criticality,
    pub(crate) timeout: Duration,
    pub(crate) check: Arc<dyn HealthCheck>,
}

/// What a guarded check produced: an answer, a caught panic, or nothing in time.
type Guarded = Result<std::thread::Result<CheckResult>, Elapsed>;

impl RegisteredCheck {
    /// Runs the check once; whatever happens inside, an outcome comes back by the timeout.
    pub(crate) async fn run(&self) -> CheckReport {
        let started = Instant::now();
        let span = tracing::info_span!("health_check", check = %self.name);
        let guarded = AssertUnwindSafe(async { self.check.check().await }).catch_unwind();
        let outcome = timeout(self.timeout, guarded).instrument(span).await;
        let (status, message) = classify(outcome, self.timeout);
        CheckReport::new(&self.name, self.criticality, status, message, started.elapsed())
    }
}

fn classify(outcome: Guarded, limit: Duration) -> (CheckStatus, String) {
    match outcome {
        Ok(Ok(Ok(message))) => (CheckStatus::Passed, message),
        Ok(Ok(Err(failure))) => (CheckStatus::Failed, failure.to_string()),
        Ok(Err(payload)) => (CheckStatus::Panicked, panic_message(payload.as_ref())),
        Err(_) => (CheckStatus::TimedOut, format!("no answer within {limit:?}")),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    format!("panicked: {}", ws_core::panic_message(payload).unwrap_or("(no message)"))
}
