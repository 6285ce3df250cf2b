//! The JSON report round-trips: what `/health` serves reads back into the same report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;
use ws_monitor::{
    from_async_fn, from_fn, CheckResult, Criticality, HealthReport, HealthStatus, Monitor,
    ThresholdCheck,
};

#[tokio::test(start_paused = true)]
async fn a_mixed_report_round_trips_through_json() {
    let mut monitor = Monitor::new();
    let second = Duration::from_secs(1);
    monitor
        .register("sync", Criticality::Critical, second, from_fn(|| Ok("in sync".into())))
        .unwrap()
        .register(
            "dead_letters",
            Criticality::Warning,
            second,
            ThresholdCheck::at_most("dead letters per minute", 10.0, || 12.5),
        )
        .unwrap()
        .register("panics", Criticality::Warning, second, from_fn(|| panic!("bug")))
        .unwrap()
        .register(
            "hangs",
            Criticality::Critical,
            Duration::from_millis(1500),
            from_async_fn(std::future::pending::<CheckResult>),
        )
        .unwrap();
    let report = monitor.run().await;
    let json = report.to_json().unwrap();
    let back = HealthReport::from_json(&json).unwrap();
    assert_eq!(back, report);
    assert_eq!(back.check("hangs").unwrap().duration(), Duration::from_millis(1500));
    assert_eq!(
        back.check("dead_letters").unwrap().message(),
        "dead letters per minute is 12.5, above the limit 10"
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["status"], "unhealthy");
    assert_eq!(value["checks"][2]["status"], "panicked");
}

#[test]
fn a_report_from_another_producer_parses() {
    let json = r#"{"run":3,"unix_ms":1700000000000,"status":"degraded","coverage":1.0,
        "executed":1,"registered":1,"duration_us":1200,
        "checks":[{"name":"outbox","criticality":"warning","status":"failed",
                   "message":"outbox depth is 900, above the limit 500","duration_us":1200}]}"#;
    let report = HealthReport::from_json(json).unwrap();
    assert_eq!(report.failures().count(), 1);
    assert_eq!(HealthReport::from_json(&report.to_json().unwrap()).unwrap(), report);
}

#[test]
fn a_report_whose_status_disagrees_with_its_checks_is_refused() {
    // "healthy" beside a failed check: a producer bug, or a forged report.
    let json = r#"{"run":3,"unix_ms":1700000000000,"status":"healthy","coverage":1.0,
        "executed":1,"registered":1,"duration_us":1200,
        "checks":[{"name":"outbox","criticality":"critical","status":"failed",
                   "message":"outbox depth is 900, above the limit 500","duration_us":1200}]}"#;
    let error = HealthReport::from_json(json).unwrap_err();
    assert!(error.to_string().contains("disagree with its checks"), "{error}");
    let undercounted = json.replace(r#""status":"healthy""#, r#""status":"unhealthy""#);
    let undercounted = undercounted.replace(r#""executed":1"#, r#""executed":0"#);
    assert!(HealthReport::from_json(&undercounted).is_err(), "executed must match the checks");
    let consistent = undercounted.replace(r#""executed":0"#, r#""executed":1"#);
    assert_eq!(HealthReport::from_json(&consistent).unwrap().status(), HealthStatus::Unhealthy);
}
