//! The listener's limits over real sockets on loopback: slow clients beside scrapes, the
//! header timeout, the connection cap.
//!
//! One test installs the global recorder (to read the listener's counters back); the
//! others serve with a handle of their own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{get, loopback};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};
use ws_monitor::{HealthServer, HttpConfig, Monitor, PrometheusHandle};

fn own_handle() -> PrometheusHandle {
    ws_monitor::prometheus_builder().unwrap().build_recorder().handle()
}

async fn serve(config: HttpConfig, handle: PrometheusHandle) -> HealthServer {
    HealthServer::bind_with(loopback(), Arc::new(Monitor::new()), handle, config).await.unwrap()
}

/// A client that sends half a request line and never finishes it.
async fn slow_client(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"GET /metr").await.unwrap();
    stream
}

/// What the server sent until it closed the connection (a reset counts as a close).
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    match stream.read_to_end(&mut received).await {
        Ok(_) => received,
        Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => received,
        Err(error) => panic!("{error}"),
    }
}

// The measurement of issue 16: 64 slow clients made 5 of 10 scrapes time out after 3 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_scrapes_succeed_beside_sixty_four_slow_clients() {
    let server = serve(HttpConfig::default(), own_handle()).await;
    let addr = server.local_addr();
    let mut slow = Vec::new();
    for _ in 0..64 {
        slow.push(slow_client(addr).await);
    }
    let mut slowest = Duration::ZERO;
    for scrape in 0..10 {
        let path = if scrape % 2 == 0 { "/metrics" } else { "/health" };
        let started = Instant::now();
        let (status, _) = timeout(Duration::from_secs(3), get(addr, path)).await.unwrap();
        assert_eq!(status, 200, "{path}");
        slowest = slowest.max(started.elapsed());
    }
    eprintln!("10 scrapes beside {} slow clients, the slowest took {slowest:?}", slow.len());
}

#[tokio::test(start_paused = true)]
async fn a_slow_client_is_closed_after_the_header_timeout() {
    let mut config = HttpConfig::default();
    config.header_read_timeout = Duration::from_secs(2);
    let server = serve(config, own_handle()).await;
    let started = Instant::now();
    let mut slow = slow_client(server.local_addr()).await;
    assert!(until_closed(&mut slow).await.is_empty(), "closed without an answer");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(3), "{waited:?}");

    let mut kept = TcpStream::connect(server.local_addr()).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let started = Instant::now();
    let answer = String::from_utf8(until_closed(&mut kept).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(started.elapsed() >= Duration::from_secs(2), "kept alive until the next head is due");
}

#[tokio::test(start_paused = true)]
async fn past_the_cap_a_connection_is_closed_at_once_and_scrapes_succeed_once_slots_free() {
    let handle = ws_monitor::install_recorder().unwrap();
    let mut config = HttpConfig::default();
    config.max_connections = 4;
    let server = serve(config, handle).await;
    let addr = server.local_addr();
    let mut slow = Vec::new();
    for _ in 0..4 {
        slow.push(slow_client(addr).await);
    }
    let started = Instant::now();
    let mut refused = TcpStream::connect(addr).await.unwrap();
    refused.write_all(b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n").await.unwrap();
    assert!(until_closed(&mut refused).await.is_empty(), "closed unanswered");
    assert!(started.elapsed() < ws_monitor::READ_TIMEOUT, "at once, not when a slot frees");

    for client in &mut slow {
        assert!(until_closed(client).await.is_empty());
    }
    assert!(started.elapsed() >= ws_monitor::READ_TIMEOUT);
    let (status, metrics) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("ws_monitor_http_connections_refused_total 1"), "{metrics}");
    let header_timeouts = r#"ws_monitor_http_timeouts_total{kind="header"} "#;
    let counted = metrics.lines().find_map(|line| line.strip_prefix(header_timeouts));
    assert!(counted.unwrap().parse::<u64>().unwrap() >= 4, "{metrics}");
}

#[tokio::test(start_paused = true)]
async fn a_kept_alive_connection_closes_when_the_listener_shuts_down() {
    let server = serve(HttpConfig::default(), own_handle()).await;
    let mut kept = TcpStream::connect(server.local_addr()).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut head = [0_u8; 15];
    kept.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200 OK");
    let started = Instant::now();
    server.shutdown();
    until_closed(&mut kept).await;
    assert!(started.elapsed() < ws_monitor::READ_TIMEOUT, "closed by the shutdown, not a timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_larger_than_the_head_buffer_is_served_whole() {
    let mut monitor = Monitor::new();
    for check in 0..300 {
        let name = format!("a_check_with_a_rather_long_name_{check}");
        let ok = ws_monitor::from_fn(|| Ok("fine".into()));
        monitor
            .register(name, ws_monitor::Criticality::Warning, Duration::from_secs(1), ok)
            .unwrap();
    }
    let server = HealthServer::bind(loopback(), Arc::new(monitor), own_handle()).await.unwrap();
    let (status, body) = get(server.local_addr(), "/health").await;
    assert_eq!(status, 200);
    assert!(body.len() > 4 * ws_monitor::MAX_HEAD_BYTES, "{} bytes", body.len());
    assert_eq!(ws_monitor::HealthReport::from_json(&body).unwrap().checks().len(), 300);
}
