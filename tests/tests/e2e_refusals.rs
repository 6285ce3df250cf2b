//! What `docs/protocol.md` says a server refuses, over real sockets, from a client that
//! speaks the protocol by hand: payloads over max_payload by 1 to 9 bytes (which fit in
//! max_payload + 11), BATCH entries over it, a client past the receive window, a resume
//! below what the client itself acked; and the keepalive a quiet server sends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_reliability::protocol::*;
use ws_reliability::server::ServerConfig;

const MAX_PAYLOAD: usize = 1024;

fn small() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.limits.max_payload = MAX_PAYLOAD as u64;
    config.limits.max_unacked = 8;
    config
}

fn binary(len: usize) -> Payload {
    Payload::Binary(Bytes::from(vec![7; len]))
}

fn batch(first: u64, payloads: Vec<Payload>) -> Message {
    to_message(&Frame::Batch(Batch { first, payloads }))
}

/// A fresh raw session: its WELCOME and the socket.
async fn welcomed(addr: std::net::SocketAddr) -> (Welcome, Raw) {
    let (frame, ws) = raw_hello(addr, Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected welcome, got {frame:?}") };
    (welcome, ws)
}

/// Sends `message` on a fresh session; the close code the server answers with.
async fn answer(addr: std::net::SocketAddr, message: Message) -> Option<u16> {
    let (_welcome, mut ws) = welcomed(addr).await;
    ws.send(message).await.unwrap();
    close_code(&mut ws).await
}

/// The next message the server delivers from any session.
async fn delivered(incoming: &mut ws_reliability::server::Incoming) -> Message {
    guarded("delivered", incoming.next()).await.unwrap().1
}

// [M6.5] a DATA payload over max_payload closes with 1009 even when the message is within
// max_payload + 11 bytes (seq 1 takes one byte: up to 9 bytes over fit)
#[tokio::test]
async fn payloads_one_to_nine_bytes_over_max_payload_are_refused_with_1009() {
    let (server, listener) = server(small()).await;
    let mut incoming = server.incoming().unwrap();
    let addr = listener.local_addr();
    for over in 1..=9 {
        let message = data_message(1, &binary(MAX_PAYLOAD + over));
        assert_eq!(answer(addr, message).await, Some(1009), "{over} bytes over");
    }
    let (_welcome, mut ws) = welcomed(addr).await;
    ws.send(data_message(1, &binary(MAX_PAYLOAD))).await.unwrap();
    assert_eq!(delivered(&mut incoming).await.len(), MAX_PAYLOAD, "max_payload itself passes");
}

// [M3.10] each BATCH entry is bound by max_payload (1009), though the message fits
#[tokio::test]
async fn a_batch_entry_over_max_payload_is_refused_with_1009() {
    let (server, listener) = server(small()).await;
    let mut incoming = server.incoming().unwrap();
    let addr = listener.local_addr();
    let over = batch(1, vec![binary(MAX_PAYLOAD + 1)]);
    assert!(over.len() <= MAX_PAYLOAD + 11, "within the message limit");
    assert_eq!(answer(addr, over).await, Some(1009));
    let (_welcome, mut ws) = welcomed(addr).await;
    ws.send(batch(1, vec![binary(MAX_PAYLOAD - 8)])).await.unwrap();
    assert_eq!(delivered(&mut incoming).await.len(), MAX_PAYLOAD - 8);
}
