//! `/health` over real HTTP with a recorder handle of its own: 503, latest report, bind errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{get, loopback};
use std::sync::Arc;
use std::time::Duration;
use ws_monitor::{
    from_fn, CheckError, Criticality, HealthReport, HealthServer, Monitor, MonitorError,
};

#[tokio::test]
async fn an_unhealthy_report_is_served_as_503() {
    let mut monitor = Monitor::new();
    let down = from_fn(|| Err(CheckError::new("socket closed")));
    monitor.register("transport", Criticality::Critical, Duration::from_secs(1), down).unwrap();
    let monitor = Arc::new(monitor);
    monitor.run().await;
    let handle = ws_monitor::prometheus_builder().unwrap().build_recorder().handle();
    let server = HealthServer::bind(loopback(), monitor, handle).await.unwrap();
    let (status, body) = get(server.local_addr(), "/health").await;
    assert_eq!(status, 503);
    assert_eq!(
        HealthReport::from_json(&body).unwrap().run(),
        1,
        "the latest report, not a new run"
    );
}

#[tokio::test]
async fn a_taken_port_is_a_bind_error() {
    let taken = std::net::TcpListener::bind(loopback()).unwrap();
    let addr = taken.local_addr().unwrap();
    let handle = ws_monitor::prometheus_builder().unwrap().build_recorder().handle();
    let error = HealthServer::bind(addr, Arc::new(Monitor::new()), handle).await.unwrap_err();
    assert!(
        matches!(&error, MonitorError::Bind { addr: refused, .. } if *refused == addr),
        "{error}"
    );
}
