//! The Prometheus names of the metrics this crate emits (documented in the README).

/// Gauge per check (label `check`): 1 when its last run passed, 0 when it did not.
pub const CHECK_STATUS: &str = "ws_monitor_check_status";
/// Counter per check (labels `check`, `reason` = `failed | panicked | timed_out`).
pub const CHECK_FAILURES: &str = "ws_monitor_check_failures_total";
/// Histogram per check (label `check`): how long each run of it took, in seconds.
pub const CHECK_DURATION: &str = "ws_monitor_check_duration_seconds";
/// Gauge: checks executed / checks registered in the last run (expected 1).
pub const COVERAGE: &str = "ws_monitor_coverage_ratio";
/// Gauge: the last run's overall status, 0 healthy, 1 degraded, 2 unhealthy.
pub const HEALTH_STATUS: &str = "ws_monitor_health_status";
/// Counter: runs completed.
pub const RUNS: &str = "ws_monitor_runs_total";
/// Counter (label `reason`): HTTP requests refused and socket errors of the listener.
pub const HTTP_ERRORS: &str = "ws_monitor_http_errors_total";
/// Counter: connections the listener accepted and served.
pub const HTTP_CONNECTIONS: &str = "ws_monitor_http_connections_total";
/// Gauge: connections of the listener open now (at most `HttpConfig::max_connections`).
pub const HTTP_CONNECTIONS_OPEN: &str = "ws_monitor_http_connections_open";
/// Counter: connections closed as soon as accepted, the listener being at its cap.
pub const HTTP_CONNECTIONS_REFUSED: &str = "ws_monitor_http_connections_refused_total";
/// Counter (label `kind` = `header | idle`): connections closed by a timeout.
pub const HTTP_TIMEOUTS: &str = "ws_monitor_http_timeouts_total";
/// Histogram buckets of [`CHECK_DURATION`], in seconds.
pub const DURATION_BUCKETS: &[f64] =
    &[0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
