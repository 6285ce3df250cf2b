//! Adding up the runs: failures per test, tests executed per run, incomplete runs.

use super::execute::RunnerResult;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// One whole run of the suite.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Tests that ran (passed or failed), over every runner.
    pub executed: usize,
    /// Failures in this run.
    pub failed: usize,
    /// Wall time of the run.
    pub seconds: f64,
    /// Why the run is incomplete, one line per runner that reported fewer tests than listed.
    pub incomplete: Vec<String>,
}

/// Every run so far.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Failures per test name, over all runs.
    pub failures: BTreeMap<String, usize>,
    /// One summary per run, in order.
    pub runs: Vec<RunSummary>,
}

impl Tally {
    /// Opens a new run.
    pub fn start_run(&mut self) {
        self.runs.push(RunSummary::default());
    }

    /// Adds what one runner did to the open run.
    pub fn record(&mut self, result: &RunnerResult) {
        let failures = result.failures();
        failures.iter().for_each(|name| *self.failures.entry(name.clone()).or_default() += 1);
        let Some(run) = self.runs.last_mut() else { return };
        run.executed += result.executed();
        run.failed += failures.len();
        run.incomplete.extend(result.shortfall());
    }

    /// Closes the open run, which took `elapsed`.
    pub fn end_run(&mut self, elapsed: Duration) {
        if let Some(run) = self.runs.last_mut() {
            run.seconds = elapsed.as_secs_f64();
        }
    }

    /// The sum of all failures.
    pub fn total_failures(&self) -> usize {
        self.failures.values().sum()
    }

    /// Passed: no failure and every run complete.
    pub fn passed(&self) -> bool {
        self.total_failures() == 0 && self.runs.iter().all(|run| run.incomplete.is_empty())
    }
}
