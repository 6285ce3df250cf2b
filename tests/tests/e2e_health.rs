//! ws-sync and ws-monitor wired in: state callbacks run on open and on resume (a failure is
//! an event), the built-in checks cover server and client, and `/health` and `/metrics`
//! are served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ws_reliability::client::ClientEvent;
use ws_reliability::monitor::{HealthStatus, Monitor};
use ws_reliability::server::{ServerConfig, SessionEvent};
use ws_reliability::sync::{Callback, Synchronizer};
use ws_reliability::SessionSync;

/// A synchronizer whose critical callback counts its runs and whose warning callback fails.
fn counting(runs: &Arc<AtomicUsize>) -> Synchronizer<SessionSync> {
    let sync = Synchronizer::new("app-state");
    let counter = Arc::clone(runs);
    let count = move |_context: Arc<SessionSync>| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    };
    sync.register(Callback::critical("reload", count)).unwrap();
    let flaky = |_context: Arc<SessionSync>| async { Err("cache unavailable".into()) };
    sync.register(Callback::warning("warm-cache", flaky)).unwrap();
    sync
}

type Seen = Arc<std::sync::Mutex<Vec<SessionEvent>>>;

/// Records every session event on a background task.
fn record(mut events: ws_reliability::events::Events<SessionEvent>) -> Seen {
    let seen = Seen::default();
    let sink = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            sink.lock().unwrap().push(event);
        }
    });
    seen
}

fn seen_any(seen: &Seen, wanted: impl Fn(&SessionEvent) -> bool) -> bool {
    seen.lock().unwrap().iter().any(wanted)
}

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut body = String::new();
    guarded("http response", stream.read_to_string(&mut body)).await.unwrap();
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_callbacks_run_on_open_and_resume_and_health_is_served() {
    let server_runs = Arc::new(AtomicUsize::new(0));
    let mut config = ServerConfig::default();
    config.hooks.sync = Some(counting(&server_runs));
    let (server, listener) = server(config).await;
    let seen = record(server.events());
    let injector = kill_switch(3);
    let client_runs = Arc::new(AtomicUsize::new(0));
    let mut client_config = client_config();
    client_config.hooks.sync = Some(counting(&client_runs));
    let client = faulty_client_with(listener.local_addr(), &injector, client_config);
    let mut client_events = client.events();
    let session = connected(&client).await;
    let mut incoming = client.incoming().unwrap();
    kill_next(&injector);
    for text in numbered(200) {
        send_retrying(&server, session, ws_reliability::Message::text(text)).await;
    }
    assert_eq!(take(&mut incoming, 200).await, numbered(200));
    let resumed = |event: &SessionEvent| matches!(event, SessionEvent::Resumed { .. });
    let failed = |event: &SessionEvent| matches!(event, SessionEvent::SyncFailed(f) if !f.critical);
    guarded("a resume and a failed warning callback", async {
        while !(seen_any(&seen, resumed) && seen_any(&seen, failed))
            || server_runs.load(Ordering::SeqCst) < 2
        {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;

    guarded("client sync on open and resume", async {
        while client_runs.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
    let client_failed = guarded("client sync failure event", async {
        loop {
            if let Ok(ClientEvent::SyncFailed(failure)) = client_events.recv().await {
                return failure;
            }
        }
    });
    assert!(!client_failed.await.critical);

    let mut monitor = Monitor::new();
    server.register_checks(&mut monitor).unwrap();
    Arc::new(client).register_checks(&mut monitor).unwrap();
    assert_eq!(monitor.len(), 8, "4 server checks and 4 client checks");
    let report = monitor.run().await;
    assert_eq!(report.coverage(), 1.0);
    assert_eq!(report.status(), HealthStatus::Healthy, "{report:?}");

    let health =
        ws_reliability::serve_health("127.0.0.1:0".parse().unwrap(), monitor).await.unwrap();
    let body = get(health.local_addr(), "/health").await;
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("server.outbox_depth"), "{body}");
    let metrics = get(health.local_addr(), "/metrics").await;
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
}
