//! 100 clients receive broadcasts while connections are killed at random: every client
//! gets every message, once each and in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::future::join_all;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::conn::AddressLimits;
use ws_reliability::fault::FaultKind;
use ws_reliability::protocol::SessionId;
use ws_reliability::server::{ReliableServer, ServerConfig, Target};

const CLIENTS: usize = 100;
const MESSAGES: usize = 100;

/// Broadcasts `message` to `sessions`, retrying each refusal until every outbox took it.
async fn broadcast_all(server: &ReliableServer, sessions: &[SessionId], message: Message) {
    let mut pending = sessions.to_vec();
    while !pending.is_empty() {
        let report = server.broadcast(Target::Sessions(&pending), message.clone());
        pending = report.refused.iter().filter_map(refused_session).collect();
        if !pending.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
}

fn refused_session(error: &ws_reliability::Error) -> Option<SessionId> {
    match error {
        ws_reliability::Error::OutboxFull { session, .. } => Some(*session),
        other => panic!("unexpected refusal {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_clients_receive_every_broadcast_under_faults() {
    let mut config = ServerConfig::default();
    // 100 clients on 127.0.0.1, reconnecting after kills: past the 64 connections and the
    // burst of 40 the defaults allow one address.
    config.conn.limits.per_address = AddressLimits::unlimited();
    let (server, listener) = server(config).await;
    let injector = killer(5, 0.01, 20);
    let clients: Vec<_> =
        (0..CLIENTS).map(|_| faulty_client(listener.local_addr(), &injector)).collect();
    let sessions = join_all(clients.iter().map(connected)).await;
    let mut streams: Vec<_> = clients.iter().map(|client| client.incoming().unwrap()).collect();
    let expected = numbered(MESSAGES);
    let sender = server.clone();
    let texts = expected.clone();
    tokio::spawn(async move {
        for text in texts {
            broadcast_all(&sender, &sessions, Message::text(text)).await;
        }
    });
    let received = join_all(streams.iter_mut().map(|stream| take(stream, MESSAGES))).await;
    assert!(received.iter().all(|got| *got == expected), "each client got all, in order");
    assert!(injector.stats().count(FaultKind::Kill) > 0, "faults were injected");
}
