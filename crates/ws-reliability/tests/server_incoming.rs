//! Incoming messages per session (`IncomingMode::PerSession`) over real loopback sockets:
//! each session's stream carries its own messages in order and nothing else, a slow
//! session holds back only itself, and a stream ends when its session does.
#![cfg(all(feature = "batch", feature = "conn", feature = "reconnect"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use std::time::Duration;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::SessionId;
use ws_reliability::server::Listen;
use ws_reliability::server::{IncomingMode, Listener, ReliableServer, ServerConfig};
use ws_reliability::Message;

mod common;

use common::client;

/// The failure guard of a wait, far above any expected duration.
const GUARD: Duration = Duration::from_secs(20);

/// A server with a stream per session, each holding at most `buffer` messages.
async fn per_session_server(buffer: usize) -> (ReliableServer, Listener) {
    let mut config = ServerConfig::default();
    config.incoming.mode = IncomingMode::PerSession;
    config.incoming.buffer = buffer;
    let server = ReliableServer::new(config);
    let listener = server.listen("127.0.0.1:0").await.unwrap();
    (server, listener)
}

/// Sends `count` messages tagged `tag` through the client's sink.
async fn send_tagged(client: &ReliableClient, tag: &str, count: usize) {
    let mut sink = client.sink();
    for n in 0..count {
        sink.feed(Message::text(format!("{tag}{n}"))).await.unwrap();
    }
    sink.flush().await.unwrap();
}

/// The next `count` messages of `stream`, within the guard.
async fn take(stream: &mut ws_reliability::server::SessionIncoming, count: usize) -> Vec<Message> {
    let read = stream.by_ref().take(count).collect::<Vec<_>>();
    tokio::time::timeout(GUARD, read).await.unwrap()
}

fn tagged(tag: &str, count: usize) -> Vec<Message> {
    (0..count).map(|n| Message::text(format!("{tag}{n}"))).collect()
}

#[tokio::test]
async fn each_session_streams_its_own_messages_in_order() {
    let (server, listener) = per_session_server(1024).await;
    let (alice, a) = client(&listener, ClientConfig::default()).await;
    let (bob, b) = client(&listener, ClientConfig::default()).await;
    let (mut from_a, mut from_b) = (server.incoming_of(a).unwrap(), server.incoming_of(b).unwrap());
    assert!(server.incoming_of(a).is_none(), "taken once");
    assert!(server.incoming_of(SessionId::from_bytes([9; 16])).is_none(), "unknown");
    send_tagged(&alice, "a", 300).await;
    send_tagged(&bob, "b", 300).await;
    assert_eq!(take(&mut from_a, 300).await, tagged("a", 300));
    assert_eq!(take(&mut from_b, 300).await, tagged("b", 300));
    assert!(server.incoming().is_none(), "no shared stream in this mode");
    drop((alice.shutdown().await, bob.shutdown().await));
}

#[tokio::test]
async fn a_session_nobody_reads_holds_back_only_itself() {
    let (server, listener) = per_session_server(1).await;
    let (slow, s) = client(&listener, ClientConfig::default()).await;
    let (fast, f) = client(&listener, ClientConfig::default()).await;
    let (_unread, mut from_fast) = (server.incoming_of(s).unwrap(), server.incoming_of(f).unwrap());
    // more than two outbox batches (256 each at most): the reader delivers the first into
    // the unread stream, waits to deliver the second, and never reads the rest to ack it
    send_tagged(&slow, "s", 600).await;
    send_tagged(&fast, "f", 50).await;
    assert_eq!(take(&mut from_fast, 50).await, tagged("f", 50));
    assert!(slow.unacked() > 0, "the unread session is held back");
    drop((slow.shutdown().await, fast.shutdown().await));
}

#[tokio::test]
async fn a_stream_ends_when_its_session_does() {
    let (server, listener) = per_session_server(16).await;
    let (alice, a) = client(&listener, ClientConfig::default()).await;
    let mut from_a = server.incoming_of(a).unwrap();
    send_tagged(&alice, "a", 3).await;
    assert_eq!(take(&mut from_a, 3).await, tagged("a", 3));
    drop(alice.shutdown().await);
    let end = tokio::time::timeout(GUARD, from_a.next()).await.unwrap();
    assert_eq!(end, None, "a client's shutdown closes the session, and its stream");
    assert!(server.incoming_of(a).is_none(), "an ended session has no stream");
}

#[tokio::test]
async fn the_shared_mode_has_no_stream_per_session() {
    let (server, listener) = common::server(1024, 1024 * 1024).await;
    let (alice, a) = client(&listener, ClientConfig::default()).await;
    assert!(server.incoming_of(a).is_none());
    drop(alice.shutdown().await);
}
