//! `/metrics` and `/health` scraped over real HTTP on loopback, with a tiny client.
//!
//! The only test binary that installs the global recorder: one test, so one install.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{exchange, get, loopback};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use ws_monitor::{
    from_fn, install_and_serve, install_recorder, Criticality, HealthReport, HealthServer,
    HealthStatus, Monitor, MonitorError, ThresholdCheck,
};

fn monitor(dead_letters: f64) -> Arc<Monitor> {
    let mut monitor = Monitor::new();
    let second = Duration::from_secs(1);
    monitor
        .register("sync", Criticality::Critical, second, from_fn(|| Ok("in sync".into())))
        .unwrap();
    let threshold = ThresholdCheck::at_most("dead letters per minute", 10.0, move || dead_letters);
    monitor.register("dead_letters", Criticality::Warning, second, threshold).unwrap();
    monitor
        .register("ghosts", Criticality::Warning, second, from_fn(|| panic!("ghost probe bug")))
        .unwrap();
    Arc::new(monitor)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_health_are_served_on_one_port() {
    let monitor = monitor(12.0);
    let server = install_and_serve(loopback(), Arc::clone(&monitor)).await.unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);

    let (status, body) = get(addr, "/health").await;
    assert_eq!(status, 200, "degraded is still served as 200: {body}");
    let report = HealthReport::from_json(&body).unwrap();
    assert_eq!(report.status(), HealthStatus::Degraded);
    assert_eq!(report.coverage(), 1.0);
    let names: Vec<&str> = report.checks().iter().map(|check| check.name()).collect();
    assert_eq!(names, ["sync", "dead_letters", "ghosts"]);
    assert_eq!(report.check("ghosts").unwrap().message(), "panicked: ghost probe bug");

    let (status, metrics) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    for expected in [
        r#"ws_monitor_check_status{check="sync"} 1"#,
        r#"ws_monitor_check_status{check="dead_letters"} 0"#,
        r#"ws_monitor_check_failures_total{check="ghosts",reason="panicked"} 1"#,
        r#"ws_monitor_check_failures_total{check="sync",reason="failed"} 0"#,
        r#"ws_monitor_check_failures_total{check="ghosts",reason="timed_out"} 0"#,
        r#"ws_monitor_check_duration_seconds_bucket{check="sync",le="0.001"}"#,
        "ws_monitor_coverage_ratio 1",
        "ws_monitor_health_status 1",
        "ws_monitor_runs_total 1",
        "ws_monitor_http_connections_total ",
        "ws_monitor_http_connections_open ",
    ] {
        assert!(metrics.contains(expected), "{expected} missing in:\n{metrics}");
    }

    refusals_are_answered_and_counted(addr).await;
    a_second_install_is_a_typed_error(monitor).await;
    server.shutdown();
}

async fn refusals_are_answered_and_counted(addr: SocketAddr) {
    assert_eq!(get(addr, "/nowhere").await.0, 404);
    let post = "POST /health HTTP/1.1\r\nConnection: close\r\n\r\n";
    assert_eq!(exchange(addr, post).await.0, 405);
    // hyper parses HTTP/1.0 and 1.1 only: another version is a malformed request (400)
    assert_eq!(exchange(addr, "GET /health HTTP/2.0\r\n\r\n").await.0, 400);
    assert_eq!(exchange(addr, "nonsense\r\n\r\n").await.0, 400);
    let (status, body) = exchange(addr, "HEAD /health HTTP/1.0\r\n\r\n").await;
    assert_eq!((status, body.as_str()), (200, ""), "HEAD has no body");
    let (_, metrics) = get(addr, "/metrics").await;
    for (reason, count) in [("method_not_allowed", 1), ("malformed", 2)] {
        let line = format!(r#"ws_monitor_http_errors_total{{reason="{reason}"}} {count}"#);
        assert!(metrics.contains(&line), "{line} missing in:\n{metrics}");
    }
}

async fn a_second_install_is_a_typed_error(monitor: Arc<Monitor>) {
    let error = install_and_serve(loopback(), Arc::clone(&monitor)).await.unwrap_err();
    assert!(matches!(error, MonitorError::RecorderAlreadyInstalled), "{error}");
    assert!(matches!(install_recorder(), Err(MonitorError::RecorderAlreadyInstalled)));
    let handle = ws_monitor::prometheus_builder().unwrap().build_recorder().handle();
    let second = HealthServer::bind(loopback(), monitor, handle).await.unwrap();
    assert_eq!(get(second.local_addr(), "/health").await.0, 200, "serves with a handle of its own");
}
