//! `/health` over real HTTP with a recorder handle of its own: 503, latest report, bind errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use ws_monitor::{
    from_fn, CheckError, Criticality, HealthReport, HealthServer, Monitor, MonitorError,
};

/// Sends `request` raw and returns the status code and body of the answer.
async fn exchange(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    exchange(addr, &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n")).await
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

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
