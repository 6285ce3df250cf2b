//! Periodic runs: a task that runs the monitor on an interval until it is stopped.

use crate::monitor::Monitor;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::{interval, MissedTickBehavior};

/// The shortest interval between periodic runs; a shorter one is raised to it.
pub const MIN_INTERVAL: Duration = Duration::from_millis(1);

/// The task running a monitor periodically; dropping it stops the runs.
#[derive(Debug)]
pub struct PeriodicRuns {
    task: JoinHandle<()>,
}

impl PeriodicRuns {
    pub(crate) fn spawn(monitor: Arc<Monitor>, every: Duration) -> Self {
        Self { task: tokio::spawn(run_forever(monitor, every.max(MIN_INTERVAL))) }
    }

    /// Stops the runs (a run in progress is abandoned; the kept reports stay).
    pub fn stop(self) {}

    /// Whether the task still runs.
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for PeriodicRuns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run_forever(monitor: Arc<Monitor>, every: Duration) {
    let mut ticker = interval(every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        monitor.run().await;
    }
}
