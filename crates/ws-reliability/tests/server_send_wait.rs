//! `ReliableServer::send_wait` over real loopback connections: it waits out a full outbox
//! instead of refusing, delivers everything once and in order, and hands the message back
//! when the session is unknown or ends while it waits.
#![cfg(all(feature = "batch", feature = "conn", feature = "reconnect"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use std::time::Duration;
use ws_reliability::client::ClientConfig;
use ws_reliability::protocol::{SessionId, DEFAULT_MAX_PAYLOAD};
use ws_reliability::{Error, Message};

mod common;

use common::{client, server};

const GUARD: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_wait_passes_a_small_window_and_delivers_everything_in_order() {
    let (server, listener) = server(8, DEFAULT_MAX_PAYLOAD).await;
    let (client, session) = client(&listener, ClientConfig::default()).await;
    let mut incoming = client.incoming().unwrap();
    let sender = server.clone();
    let sending = tokio::spawn(async move {
        for n in 0..2000 {
            sender.send_wait(session, Message::text(n.to_string())).await.unwrap();
        }
    });
    let received = incoming.by_ref().take(2000).collect::<Vec<_>>();
    let received = tokio::time::timeout(GUARD, received).await.unwrap();
    let expected: Vec<_> = (0..2000).map(|n| Message::text(n.to_string())).collect();
    assert_eq!(received, expected);
    tokio::time::timeout(GUARD, sending).await.unwrap().unwrap();
}

#[tokio::test]
async fn send_wait_to_an_unknown_session_hands_the_message_back() {
    let (server, _listener) = server(8, DEFAULT_MAX_PAYLOAD).await;
    let unknown = SessionId::from_bytes([7; 16]);
    let refused = server.send_wait(unknown, Message::text("lost?")).await.unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { session, .. } if session == unknown));
    assert_eq!(refused.into_message(), Some(Message::text("lost?")));
}

#[tokio::test]
async fn send_wait_refuses_a_control_message() {
    let (server, listener) = server(8, DEFAULT_MAX_PAYLOAD).await;
    let (_client, session) = client(&listener, ClientConfig::default()).await;
    let refused = server.send_wait(session, Message::Ping(Default::default())).await.unwrap_err();
    assert!(matches!(refused, Error::NotData { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_ends_while_send_wait_waits_hands_the_message_back() {
    let (server, listener) = server(2, DEFAULT_MAX_PAYLOAD).await;
    let mut config = ClientConfig::default();
    config.queues.incoming = 1;
    let (client, session) = client(&listener, config).await;
    let filling = async {
        let mut n = 0;
        while server.send(session, Message::text(n.to_string())).is_ok() || n < 8 {
            n += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(GUARD, filling).await.unwrap();
    let waiting = tokio::spawn({
        let server = server.clone();
        async move { server.send_wait(session, Message::text("last")).await }
    });
    client.shutdown().await;
    let refused = tokio::time::timeout(GUARD, waiting).await.unwrap().unwrap().unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { .. }));
    assert_eq!(refused.into_message(), Some(Message::text("last")));
}
