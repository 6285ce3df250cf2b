//! The `ws_sync_*` metrics: names, labels and the functions that record them.
//!
//! Labels are the synchronizer's name, registered callback names and fixed words, so every
//! label stays bounded.

use crate::report::CallbackReport;
use crate::state::{SyncState, Transition};
use std::sync::Arc;
use std::time::Duration;

/// Counter: syncs by result (`healthy`, `degraded`, `error`, `refused`).
pub const SYNCS_TOTAL: &str = "ws_sync_syncs_total";
/// Counter: callback runs by registered name and outcome (`ok`, `error`, `panic`, `timeout`).
pub const CALLBACKS_TOTAL: &str = "ws_sync_callbacks_total";
/// Histogram: wall time of a sync, in seconds, by result.
pub const SYNC_DURATION_SECONDS: &str = "ws_sync_duration_seconds";
/// Histogram: time of one callback run, in seconds, by registered name.
pub const CALLBACK_DURATION_SECONDS: &str = "ws_sync_callback_duration_seconds";
/// Gauge: 1 for the synchronizer's current state, 0 for the others, by state.
pub const STATE: &str = "ws_sync_state";
/// Counter: explicit recoveries out of the error state.
pub const RECOVERIES_TOTAL: &str = "ws_sync_recoveries_total";
/// Counter: panics of the failure handler (caught, so a sync still completes).
pub const HANDLER_PANICS_TOTAL: &str = "ws_sync_failure_handler_panics_total";

/// Records one callback run: its outcome counter and its duration.
pub(crate) fn record_callback(synchronizer: &Arc<str>, run: &CallbackReport) {
    metrics::histogram!(CALLBACK_DURATION_SECONDS,
        "synchronizer" => synchronizer.clone(), "callback" => run.name().clone())
    .record(run.duration());
    metrics::counter!(CALLBACKS_TOTAL, "synchronizer" => synchronizer.clone(),
        "callback" => run.name().clone(), "outcome" => run.outcome().as_str())
    .increment(1);
}

/// Records a finished sync by the result it had (its own verdict).
pub(crate) fn record_sync(synchronizer: &Arc<str>, verdict: SyncState, duration: Duration) {
    let result = verdict.as_str();
    metrics::counter!(SYNCS_TOTAL, "synchronizer" => synchronizer.clone(), "result" => result)
        .increment(1);
    metrics::histogram!(SYNC_DURATION_SECONDS,
        "synchronizer" => synchronizer.clone(), "result" => result)
    .record(duration);
}

/// Records a sync refused in the error state.
pub(crate) fn record_refused(synchronizer: &Arc<str>) {
    metrics::counter!(SYNCS_TOTAL, "synchronizer" => synchronizer.clone(), "result" => "refused")
        .increment(1);
}

/// Records an explicit recovery.
pub(crate) fn record_recovery(synchronizer: &Arc<str>) {
    metrics::counter!(RECOVERIES_TOTAL, "synchronizer" => synchronizer.clone()).increment(1);
}

/// Records a caught panic of the failure handler.
pub(crate) fn record_handler_panic(synchronizer: &Arc<str>) {
    metrics::counter!(HANDLER_PANICS_TOTAL, "synchronizer" => synchronizer.clone()).increment(1);
}

/// Sets the state gauge: 1 for the new state, 0 for the others.
pub(crate) fn publish_state(synchronizer: &Arc<str>, transition: Transition) {
    for state in SyncState::ALL {
        let value = if state == transition.to { 1.0 } else { 0.0 };
        metrics::gauge!(STATE, "synchronizer" => synchronizer.clone(), "state" => state.as_str())
            .set(value);
    }
}
