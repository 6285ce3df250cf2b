//! Turns a report into metrics: per-check status, failures and duration, run coverage.

use crate::error::RequestError;
use crate::names::{
    CHECK_DURATION, CHECK_FAILURES, CHECK_STATUS, COVERAGE, HEALTH_STATUS, HTTP_CONNECTIONS,
    HTTP_CONNECTIONS_OPEN, HTTP_CONNECTIONS_REFUSED, HTTP_ERRORS, HTTP_TIMEOUTS, RUNS,
};
use crate::report::{CheckReport, CheckStatus, HealthReport};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};

#[cfg(test)]
mod tests;

/// Records one run through whatever `metrics` recorder is in place.
pub(crate) fn record(report: &HealthReport) {
    report.checks().iter().for_each(record_check);
    gauge!(COVERAGE).set(report.coverage());
    gauge!(HEALTH_STATUS).set(report.status().gauge_value());
    counter!(RUNS).increment(1);
}

fn record_check(check: &CheckReport) {
    let name = check.name().to_owned();
    let passed = check.status().is_passed();
    gauge!(CHECK_STATUS, "check" => name.clone()).set(if passed { 1.0 } else { 0.0 });
    histogram!(CHECK_DURATION, "check" => name.clone()).record(check.duration().as_secs_f64());
    if !passed {
        let reason = check.status().as_str();
        counter!(CHECK_FAILURES, "check" => name, "reason" => reason).increment(1);
    }
}

/// Creates every failure counter of the checks `names` at 0, so a check's first failure
/// shows as an increase (Prometheus `increase()` and `rate()` miss a series that appears at 1).
pub(crate) fn zero_failures<'a>(names: impl Iterator<Item = &'a str>) {
    let reasons = [CheckStatus::Failed, CheckStatus::Panicked, CheckStatus::TimedOut];
    for name in names {
        for reason in reasons.map(CheckStatus::as_str) {
            counter!(CHECK_FAILURES, "check" => name.to_owned(), "reason" => reason).increment(0);
        }
    }
}

/// Counts a refused request or a socket error of the health listener.
pub(crate) fn http_error(reason: &'static str) {
    counter!(HTTP_ERRORS, "reason" => reason).increment(1);
}

/// Counts how a connection of the health listener ended in error: a timeout, or an error.
pub(crate) fn connection_failed(error: &RequestError) {
    tracing::debug!(%error, "health listener connection ended");
    if error.is_timeout() {
        counter!(HTTP_TIMEOUTS, "kind" => error.reason()).increment(1);
    } else {
        http_error(error.reason());
    }
}

/// A connection was given a slot.
pub(crate) fn connection_opened() {
    counter!(HTTP_CONNECTIONS).increment(1);
    gauge!(HTTP_CONNECTIONS_OPEN).increment(1.0);
}

/// A connection gave its slot back.
pub(crate) fn connection_closed() {
    gauge!(HTTP_CONNECTIONS_OPEN).decrement(1.0);
}

/// A connection was closed unserved, the listener being at its cap.
pub(crate) fn connection_refused() {
    counter!(HTTP_CONNECTIONS_REFUSED).increment(1);
}

/// Gives every metric its help text in the installed recorder.
pub(crate) fn describe() {
    describe_gauge!(CHECK_STATUS, "1 when the check's last run passed, 0 otherwise");
    describe_counter!(CHECK_FAILURES, "check runs that failed, panicked or timed out");
    describe_histogram!(CHECK_DURATION, metrics::Unit::Seconds, "duration of each check run");
    describe_gauge!(COVERAGE, "checks executed / checks registered in the last run");
    describe_gauge!(HEALTH_STATUS, "last overall status: 0 healthy, 1 degraded, 2 unhealthy");
    describe_counter!(RUNS, "health runs completed");
    describe_counter!(HTTP_ERRORS, "requests refused and socket errors of the health listener");
    describe_http_connections();
}

fn describe_http_connections() {
    describe_counter!(HTTP_CONNECTIONS, "connections the health listener served");
    describe_gauge!(HTTP_CONNECTIONS_OPEN, "connections of the health listener open now");
    describe_counter!(HTTP_CONNECTIONS_REFUSED, "connections closed unserved at the cap");
    describe_counter!(HTTP_TIMEOUTS, "connections closed by the header or idle timeout");
}
