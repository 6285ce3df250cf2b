//! What `docs/protocol.md` says a server refuses, over real sockets, from a client that
//! speaks the protocol by hand: payloads over max_payload by 1 to 9 bytes (which fit in
//! max_payload + 11), BATCH entries over it, a client past the receive window, a resume
//! below what the client itself acked; and the keepalive a quiet server sends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_reliability::protocol::*;
use ws_reliability::server::{ReliableServer, ServerConfig};

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

// [M6.4] a client past the window (no ack sent yet, max_unacked 8) is closed with 4001,
// BATCH entries counted one by one: the amplification of empty entries stops there;
// [M3.11] a BATCH of more entries than max_unacked (9, 100 000) is refused with 4001
#[tokio::test]
async fn a_client_past_the_window_is_closed_with_4001() {
    let mut config = ServerConfig::default();
    config.limits.max_unacked = 8;
    let (server, listener) = server(config).await;
    let mut incoming = server.incoming().unwrap();
    let addr = listener.local_addr();
    let empties = || vec![Payload::Binary(Bytes::new()); 9];
    assert_eq!(answer(addr, batch(1, empties())).await, Some(4001));
    assert_eq!(answer(addr, batch(1, vec![binary(0); 100_000])).await, Some(4001));
    let (_welcome, mut ws) = welcomed(addr).await;
    ws.send(batch(1, empties().split_off(1))).await.unwrap();
    for _ in 0..8 {
        assert!(delivered(&mut incoming).await.is_empty(), "empty payloads are messages");
    }
    let Frame::Ack(8) = next_frame(&mut ws).await else { panic!("8 within the window") };
    ws.send(batch(9, empties().split_off(1))).await.unwrap();
    let Frame::Ack(16) = next_frame(&mut ws).await else { panic!("the ack opened the window") };
}

/// Waits until `session` holds no unacked message (the server applied the client's ack).
async fn all_acked(server: &ReliableServer, session: SessionId) {
    guarded("acked", async {
        while server.unacked(session) != Some(0) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
}

fn resume_hello(welcome: &Welcome, last_received: u64) -> Hello {
    let (session, token) = (welcome.session, welcome.token.clone());
    let resume = Some(Resume { session, token, last_received });
    Hello { resume, ..Hello::default() }
}

// [M7.4] a resume below what the client acked gets SESSION_LOST 05, not a silent gap;
// the refusal changes nothing ([M7.7]): the right resume then succeeds
#[tokio::test]
async fn a_resume_below_the_clients_own_ack_is_lost_as_unrecoverable() {
    let (server, listener) = server(small()).await;
    let addr = listener.local_addr();
    let (welcome, mut ws) = welcomed(addr).await;
    for text in ["one", "two", "three"] {
        server.send(welcome.session, Message::text(text)).unwrap();
    }
    for seq in 1..=3 {
        let Frame::Data(data) = next_frame(&mut ws).await else { panic!("expected data") };
        assert_eq!(data.seq, seq);
    }
    ws.send(to_message(&Frame::Ack(3))).await.unwrap();
    all_acked(&server, welcome.session).await;
    drop(ws);
    let (frame, mut refused) = raw_hello(addr, resume_hello(&welcome, 1)).await;
    assert_eq!(frame, Frame::SessionLost(SessionLostReason::Unrecoverable));
    assert_eq!(close_code(&mut refused).await, Some(4000));
    let (frame, _ws) = raw_hello(addr, resume_hello(&welcome, 3)).await;
    assert!(matches!(frame, Frame::Welcome(Welcome { resumed: true, .. })), "{frame:?}");
}

// [M7.10] a quiet server sends a wsr.v1 frame every keepalive interval: the ACK of what it
// delivered (ACK 0 before anything); 15 s by default
#[tokio::test]
async fn a_quiet_server_sends_its_last_ack_every_keepalive_interval() {
    assert_eq!(ServerConfig::default().timeouts.keepalive, KEEPALIVE_INTERVAL);
    assert_eq!(KEEPALIVE_INTERVAL, Duration::from_secs(15));
    let mut config = small();
    config.timeouts.keepalive = Duration::from_millis(100);
    let (_server, listener) = server(config).await;
    let (_welcome, mut ws) = welcomed(listener.local_addr()).await;
    assert_eq!(next_frame(&mut ws).await, Frame::Ack(0), "nothing delivered yet");
    ws.send(data_message(1, &binary(1))).await.unwrap();
    assert_eq!(next_frame(&mut ws).await, Frame::Ack(1), "the ack of the DATA");
    assert_eq!(next_frame(&mut ws).await, Frame::Ack(1), "then the same ack while quiet");
}
