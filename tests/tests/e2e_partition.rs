//! Deterministic network faults with turmoil: the same server and client code over
//! simulated TCP. A seeded partition cuts client and server mid-stream (a silent half-open
//! link: nothing fails, nothing arrives); the heartbeat on both sides detects it, the
//! client resumes after the link heals, and nothing is lost or duplicated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use std::time::Duration;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::core::Backoff;
use ws_reliability::server::{ReliableServer, ServerConfig, SessionEvent};
use ws_reliability::Message;

const N: usize = 200;
const BEFORE_PARTITION: usize = 40;

fn server_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.conn.heartbeat_interval = Duration::from_millis(100);
    config.conn.idle_timeout = Duration::from_millis(500);
    config.conn.sweep_interval = Duration::from_millis(100);
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config
}

fn client_config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect.backoff =
        Backoff::new(Duration::from_millis(50), 2.0, Duration::from_millis(400));
    config.timeouts.idle = Some(Duration::from_millis(500));
    config.timeouts.hello = Duration::from_secs(1);
    config
}

fn text(index: usize) -> String {
    format!("m{index}")
}

/// Serves on :9000 and sends N messages, one every 10 ms, to the first session.
async fn serve() -> turmoil::Result {
    let server = ReliableServer::new(server_config());
    let listener = turmoil::net::TcpListener::bind("0.0.0.0:9000").await?;
    let mut events = server.events();
    let acceptor = server.clone();
    tokio::spawn(async move {
        while let Ok((stream, _peer)) = listener.accept().await {
            let server = acceptor.clone();
            tokio::spawn(async move { server.serve_stream(stream).await });
        }
    });
    let session = loop {
        if let SessionEvent::Opened { session, .. } = events.recv().await? {
            break session;
        }
    };
    for index in 0..N {
        server.send(session, Message::text(text(index)))?;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::future::pending().await
}

async fn receive() -> turmoil::Result {
    let dial = || turmoil::net::TcpStream::connect("server:9000");
    let client = ReliableClient::with_dialer("ws://server:9000/", client_config(), dial);
    let mut events = client.events();
    let mut incoming = client.incoming().unwrap();
    let mut got = Vec::new();
    while got.len() < N {
        let message = incoming.next().await.unwrap();
        got.push(message.into_text()?.to_string());
        if got.len() == BEFORE_PARTITION {
            turmoil::partition("client", "server");
            tokio::time::sleep(Duration::from_secs(2)).await;
            turmoil::repair("client", "server");
        }
    }
    assert_eq!(got, (0..N).map(text).collect::<Vec<_>>(), "all, once each, in order");
    let resumed = std::iter::from_fn(|| events.try_recv().ok())
        .any(|event| matches!(event, ClientEvent::Connected { resumed: true, .. }));
    assert!(resumed, "the client resumed its session after the partition");
    Ok(())
}

#[test]
fn a_partition_is_detected_by_the_heartbeat_and_the_session_resumes() -> turmoil::Result {
    let mut sim =
        turmoil::Builder::new().simulation_duration(Duration::from_secs(60)).rng_seed(7).build();
    sim.host("server", serve);
    sim.client("client", receive());
    sim.run()
}
