//! A client that stops answering pings is swept by the heartbeat; no ghost remains, and its
//! session is detached (resumable) rather than leaked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::time::Duration;
use ws_reliability::conn::{ConnEvent, ForceCause};
use ws_reliability::protocol::*;
use ws_reliability::server::{ServerConfig, SessionEvent};

/// Waits until the server registered its connection (just after sending WELCOME).
async fn registered(server: &ws_reliability::server::ReliableServer) {
    guarded("registered", async {
        while server.registry().len() != 1 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_silent_client_is_swept_and_no_ghost_remains() {
    let mut config = ServerConfig::default();
    config.conn.heartbeat_interval = Duration::from_millis(50);
    config.conn.idle_timeout = Duration::from_millis(300);
    config.conn.sweep_interval = Duration::from_millis(50);
    let (server, listener) = server(config).await;
    let mut conn_events = server.registry().subscribe();
    let mut events = server.events();
    // Says HELLO, reads the WELCOME, then never reads again: pings go unanswered.
    let (frame, silent) = raw_hello(listener.local_addr(), Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!() };
    registered(&server).await;
    guarded("ghost force-closed", async {
        loop {
            if let Ok(ConnEvent::ForceClosed { cause: ForceCause::Ghost, .. }) =
                conn_events.recv().await
            {
                return;
            }
        }
    })
    .await;
    guarded("session detached", async {
        loop {
            if let Ok(SessionEvent::Detached { session }) = events.recv().await {
                assert_eq!(session, welcome.session);
                return;
            }
        }
    })
    .await;
    assert!(server.registry().is_empty(), "no ghost remains after the sweep");
    assert_eq!(server.sessions(), vec![welcome.session], "the session waits for a resume");
    drop(silent);
}

#[tokio::test]
async fn a_shutdown_closes_every_connection_with_1001_and_leaves_none() {
    let (server, listener) = server(ServerConfig::default()).await;
    let (frame, mut ws) = raw_hello(listener.local_addr(), Hello::default()).await;
    assert!(matches!(frame, Frame::Welcome(_)));
    registered(&server).await;
    let closing = tokio::spawn(async move { close_code(&mut ws).await });
    let report = guarded("shutdown", server.shutdown(Duration::from_secs(5))).await;
    assert_eq!(report.closed + report.force_closed, 1);
    assert_eq!(closing.await.unwrap(), Some(1001));
    assert!(server.registry().is_empty());
}
