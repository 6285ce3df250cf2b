//! Unit tests of the metrics a run records, read back from a `DebuggingRecorder`.

use super::*;
use crate::report::CheckStatus;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::{CompositeKey, MetricKind};
use std::time::Duration;
use ws_core::Criticality;

type Recorded =
    Vec<(CompositeKey, Option<metrics::Unit>, Option<metrics::SharedString>, DebugValue)>;

fn sample_report() -> HealthReport {
    let checks = vec![
        CheckReport::new(
            "db",
            Criticality::Critical,
            CheckStatus::Passed,
            "",
            Duration::from_millis(2),
        ),
        CheckReport::new(
            "queue",
            Criticality::Warning,
            CheckStatus::TimedOut,
            "",
            Duration::from_secs(1),
        ),
    ];
    HealthReport::new(1, 2, checks, Duration::from_secs(1))
}

/// Runs `body` under a fresh debugging recorder and returns one snapshot of what it recorded.
fn recorded(body: impl FnOnce()) -> Recorded {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, body);
    snapshotter.snapshot().into_vec()
}

fn find<'a>(
    recorded: &'a Recorded,
    kind: MetricKind,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a DebugValue> {
    let matches = |key: &CompositeKey| {
        let found: Vec<(&str, &str)> =
            key.key().labels().map(|label| (label.key(), label.value())).collect();
        key.kind() == kind
            && key.key().name() == name
            && labels.iter().all(|label| found.contains(label))
    };
    recorded.iter().find(|(key, ..)| matches(key)).map(|(.., value)| value)
}

#[test]
fn a_run_records_status_failures_duration() {
    let recorded = recorded(|| record(&sample_report()));
    let gauge = |name, labels: &[(&str, &str)]| find(&recorded, MetricKind::Gauge, name, labels);
    assert_eq!(gauge(CHECK_STATUS, &[("check", "db")]), Some(&DebugValue::Gauge(1.0.into())));
    assert_eq!(gauge(CHECK_STATUS, &[("check", "queue")]), Some(&DebugValue::Gauge(0.0.into())));
    let labels = [("check", "queue"), ("reason", "timed_out")];
    assert_eq!(
        find(&recorded, MetricKind::Counter, CHECK_FAILURES, &labels),
        Some(&DebugValue::Counter(1))
    );
    assert_eq!(find(&recorded, MetricKind::Counter, CHECK_FAILURES, &[("check", "db")]), None);
    let duration = find(&recorded, MetricKind::Histogram, CHECK_DURATION, &[("check", "queue")]);
    assert_eq!(duration, Some(&DebugValue::Histogram(vec![1.0.into()])));
}

#[test]
fn a_run_records_coverage_status_and_count() {
    let recorded = recorded(|| record(&sample_report()));
    assert_eq!(
        find(&recorded, MetricKind::Gauge, COVERAGE, &[]),
        Some(&DebugValue::Gauge(1.0.into()))
    );
    assert_eq!(
        find(&recorded, MetricKind::Gauge, HEALTH_STATUS, &[]),
        Some(&DebugValue::Gauge(1.0.into()))
    );
    assert_eq!(find(&recorded, MetricKind::Counter, RUNS, &[]), Some(&DebugValue::Counter(1)));
}

#[test]
fn http_errors_are_counted_by_reason() {
    let recorded = recorded(|| {
        describe();
        http_error("malformed");
        http_error("malformed");
    });
    let counted = find(&recorded, MetricKind::Counter, HTTP_ERRORS, &[("reason", "malformed")]);
    assert_eq!(counted, Some(&DebugValue::Counter(2)));
}

#[test]
fn connection_ends_are_counted_as_timeouts_or_errors() {
    let recorded = recorded(|| {
        connection_failed(&RequestError::Timeout(Duration::from_secs(5)));
        connection_failed(&RequestError::IdleTimeout(Duration::from_secs(30)));
        connection_failed(&RequestError::IdleTimeout(Duration::from_secs(30)));
        connection_failed(&RequestError::TooLarge { limit: 8192 });
    });
    let counter =
        |name, labels: &[(&str, &str)]| find(&recorded, MetricKind::Counter, name, labels);
    assert_eq!(counter(HTTP_TIMEOUTS, &[("kind", "header")]), Some(&DebugValue::Counter(1)));
    assert_eq!(counter(HTTP_TIMEOUTS, &[("kind", "idle")]), Some(&DebugValue::Counter(2)));
    assert_eq!(counter(HTTP_ERRORS, &[("reason", "too_large")]), Some(&DebugValue::Counter(1)));
    assert_eq!(counter(HTTP_ERRORS, &[("reason", "header")]), None, "a timeout is no error");
}

#[test]
fn connections_are_counted_open_and_refused() {
    let recorded = recorded(|| {
        connection_opened();
        connection_opened();
        connection_closed();
        connection_refused();
    });
    let counter = |name| find(&recorded, MetricKind::Counter, name, &[]);
    assert_eq!(counter(HTTP_CONNECTIONS), Some(&DebugValue::Counter(2)));
    assert_eq!(counter(HTTP_CONNECTIONS_REFUSED), Some(&DebugValue::Counter(1)));
    let open = find(&recorded, MetricKind::Gauge, HTTP_CONNECTIONS_OPEN, &[]);
    assert_eq!(open, Some(&DebugValue::Gauge(1.0.into())));
}
