//! A close the server starts through its ws-conn registry while the link's writer is busy
//! pushing data: the close is answered (no `SendAfterClosing` failure), no write failure is
//! counted, and the client resumes and receives every message exactly once, in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use ws_reliability::conn::{CloseCode, CloseFrame, ConnEvent, ConnId};
use ws_reliability::server::ServerConfig;

/// Messages pushed in all; the close comes after [`BEFORE_CLOSE`] of them arrived.
const N: usize = 4000;
const BEFORE_CLOSE: usize = 200;

/// The id of the next connection the registry opens.
async fn opened(events: &mut tokio::sync::broadcast::Receiver<ConnEvent>) -> ConnId {
    guarded("registered", async {
        loop {
            if let ConnEvent::Opened { id, .. } = events.recv().await.unwrap() {
                return id;
            }
        }
    })
    .await
}

/// Closes the client's connection through the registry during a steady push; returns
/// the outcome of `Registry::close` (as text) once the client has everything.
async fn scenario() -> Result<(), String> {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut conns = server.registry().subscribe();
    let client =
        ws_reliability::client::ReliableClient::start(&url(listener.local_addr()), client_config())
            .unwrap();
    let mut incoming = client.incoming().unwrap();
    let session = connected(&client).await;
    let id = opened(&mut conns).await;
    send_numbered_in_background(&server, session, N);
    let mut got = take(&mut incoming, BEFORE_CLOSE).await;
    let frame = CloseFrame::new(CloseCode::new(1001), "going away");
    let closed = guarded("registry close", server.registry().close(id, frame)).await;
    got.extend(take(&mut incoming, N - BEFORE_CLOSE).await);
    assert_eq!(got, numbered(N), "every message exactly once and in order");
    assert!(server.sessions().contains(&session), "the session resumed");
    closed.map_err(|error| error.to_string())
}

/// The sum of the counter `name` over its labels.
fn counter(snapshotter: &Snapshotter, name: &str) -> u64 {
    let snapshot = snapshotter.snapshot().into_vec();
    let named = snapshot.into_iter().filter(|(key, ..)| key.key().name() == name);
    named.map(|(.., value)| if let DebugValue::Counter(count) = value { count } else { 0 }).sum()
}

#[test]
fn a_registry_close_during_a_push_is_answered_and_fails_no_write() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let closed = metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(scenario())
    });
    assert_eq!(closed, Ok(()), "the close was answered");
    assert_eq!(counter(&snapshotter, "ws_reliability_write_failures_total"), 0);
    assert_eq!(counter(&snapshotter, "ws_conn_close_failed_total"), 0);
}
