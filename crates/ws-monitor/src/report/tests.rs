//! Unit tests of the report: aggregation rules, coverage, accessors, JSON names.

use super::*;

fn outcome(name: &str, criticality: Criticality, status: CheckStatus) -> CheckReport {
    CheckReport::new(name, criticality, status, "", Duration::from_millis(3))
}

#[test]
fn all_passed_is_healthy() {
    let checks = vec![
        outcome("a", Criticality::Critical, CheckStatus::Passed),
        outcome("b", Criticality::Warning, CheckStatus::Passed),
    ];
    assert_eq!(aggregate(&checks), HealthStatus::Healthy);
}

#[test]
fn a_failed_warning_degrades() {
    for failure in [CheckStatus::Failed, CheckStatus::Panicked, CheckStatus::TimedOut] {
        let checks = vec![
            outcome("a", Criticality::Critical, CheckStatus::Passed),
            outcome("b", Criticality::Warning, failure),
        ];
        assert_eq!(aggregate(&checks), HealthStatus::Degraded, "{failure:?}");
    }
}

#[test]
fn a_failed_critical_is_unhealthy_whatever_else_failed() {
    for failure in [CheckStatus::Failed, CheckStatus::Panicked, CheckStatus::TimedOut] {
        let checks = vec![
            outcome("a", Criticality::Warning, CheckStatus::Failed),
            outcome("b", Criticality::Critical, failure),
            outcome("c", Criticality::Warning, CheckStatus::Passed),
        ];
        assert_eq!(aggregate(&checks), HealthStatus::Unhealthy, "{failure:?}");
    }
}

#[test]
fn no_checks_is_healthy_with_full_coverage() {
    let report = HealthReport::new(1, 0, Vec::new(), Duration::ZERO);
    assert_eq!(report.status(), HealthStatus::Healthy);
    assert_eq!(report.coverage(), 1.0);
}

#[test]
fn coverage_is_executed_over_registered() {
    let checks = vec![outcome("a", Criticality::Warning, CheckStatus::Passed)];
    let report = HealthReport::new(7, 4, checks, Duration::from_millis(5));
    assert_eq!(report.coverage(), 0.25);
    assert_eq!((report.executed(), report.registered(), report.run()), (1, 4, 7));
    assert_eq!(report.duration(), Duration::from_millis(5));
    assert!(report.unix_ms() > 0);
}

#[test]
fn lookups_and_failures() {
    let checks = vec![
        outcome("up", Criticality::Critical, CheckStatus::Passed),
        outcome("down", Criticality::Warning, CheckStatus::TimedOut),
    ];
    let report = HealthReport::new(1, 2, checks, Duration::ZERO);
    let names: Vec<&str> = report.failures().map(CheckReport::name).collect();
    assert_eq!(names, ["down"]);
    let down = report.check("down").unwrap();
    assert_eq!(
        (down.criticality(), down.status(), down.message()),
        (Criticality::Warning, CheckStatus::TimedOut, "")
    );
    assert!(report.check("absent").is_none());
}

#[test]
fn durations_are_kept_to_microseconds() {
    let check = CheckReport::new(
        "a",
        Criticality::Warning,
        CheckStatus::Passed,
        "",
        Duration::from_nanos(1_999),
    );
    assert_eq!(check.duration(), Duration::from_micros(1));
}

#[test]
fn labels_and_gauge_values() {
    let names: Vec<&str> =
        [CheckStatus::Passed, CheckStatus::Failed, CheckStatus::Panicked, CheckStatus::TimedOut]
            .into_iter()
            .map(CheckStatus::as_str)
            .collect();
    assert_eq!(names, ["passed", "failed", "panicked", "timed_out"]);
    let statuses = [HealthStatus::Healthy, HealthStatus::Degraded, HealthStatus::Unhealthy];
    let values: Vec<(f64, &str)> = statuses.iter().map(|s| (s.gauge_value(), s.as_str())).collect();
    assert_eq!(values, [(0.0, "healthy"), (1.0, "degraded"), (2.0, "unhealthy")]);
}

#[test]
fn json_uses_readable_names() {
    let checks = vec![outcome("db", Criticality::Critical, CheckStatus::TimedOut)];
    let json = HealthReport::new(1, 1, checks, Duration::from_millis(2)).to_json().unwrap();
    for expected in [
        r#""status":"unhealthy""#,
        r#""criticality":"critical""#,
        r#""status":"timed_out""#,
        r#""duration_us":3000"#,
        r#""coverage":1.0"#,
    ] {
        assert!(json.contains(expected), "{expected} missing in {json}");
    }
}

#[test]
fn json_rejects_an_unknown_criticality() {
    let json =
        r#"{"name":"a","criticality":"fatal","status":"passed","message":"","duration_us":1}"#;
    let error = serde_json::from_str::<CheckReport>(json).unwrap_err();
    assert!(error.to_string().contains("fatal"), "{error}");
}
