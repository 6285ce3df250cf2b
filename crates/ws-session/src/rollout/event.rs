//! [`RolloutEvent`]: every change of a switch, and why; each one is also a metric.

use super::{Fix, Outcomes, Setting};

/// A switch changed: by hand, or by the rollback guard.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RolloutEvent {
    /// [`Rollout::set`](super::Rollout::set) moved a switch.
    Changed {
        /// The fix.
        fix: Fix,
        /// Where it was.
        from: Setting,
        /// Where it is now.
        to: Setting,
    },
    /// The rollback guard turned a fix off: its error rate over the window passed the
    /// threshold.
    RolledBack {
        /// The fix, now [`Setting::Off`].
        fix: Fix,
        /// Where it was.
        from: Setting,
        /// The error rate that tripped the guard (0 to 1).
        error_rate: f64,
        /// How many outcomes the window held.
        samples: u64,
    },
}

/// Publishes a switch's new share of sessions.
pub(crate) fn percent_gauge(fix: Fix, setting: Setting) {
    let gauge = metrics::gauge!("ws_reliability_rollout_percent", "fix" => fix.as_str());
    gauge.set(f64::from(setting.percent()));
}

/// Counts outcomes of a fix, as fed to its guard.
pub(crate) fn outcomes(fix: Fix, outcomes: Outcomes) {
    let counts = [("success", outcomes.successes), ("failure", outcomes.failures)];
    for (outcome, count) in counts.into_iter().filter(|(_, count)| *count > 0) {
        let fix = fix.as_str();
        metrics::counter!("ws_reliability_rollout_outcomes_total", "fix" => fix, "outcome" => outcome)
            .increment(count);
    }
}

/// Counts a rollback the guard made.
pub(crate) fn rolled_back(fix: Fix) {
    metrics::counter!("ws_reliability_rollbacks_total", "fix" => fix.as_str()).increment(1);
}
