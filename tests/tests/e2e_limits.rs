//! Oversized and malformed frames are closed with the documented codes (1009, 1002); other
//! clients are unaffected. A full outbox refuses sends and hands the message back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::SinkExt;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::*;
use ws_reliability::server::ServerConfig;
use ws_reliability::Error;

fn small() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.limits.max_payload = 1024;
    config.limits.max_unacked = 8;
    config
}

async fn refused_with(addr: std::net::SocketAddr, message: Message) -> Option<u16> {
    let (frame, mut ws) = raw_hello(addr, Hello::default()).await;
    assert!(matches!(frame, Frame::Welcome(_)));
    ws.send(message).await.unwrap();
    close_code(&mut ws).await
}

// [M6.5] 1009, [M2.5] [M2.1] 1002, [M5.2] a gap 1002; [M6.6] the client refuses a payload over max_payload
#[tokio::test]
async fn oversized_and_malformed_frames_close_with_their_codes_and_spare_others() {
    let (server, listener) = server(small()).await;
    let addr = listener.local_addr();
    let bystander =
        ws_reliability::client::ReliableClient::start(&url(addr), client_config()).unwrap();
    let mut incoming = bystander.incoming().unwrap();
    let session = connected(&bystander).await;
    let big = data_message(1, &Payload::Binary(vec![7; 4096].into()));
    assert_eq!(refused_with(addr, big).await, Some(1009));
    assert_eq!(refused_with(addr, Message::binary(vec![0x42, 0])).await, Some(1002));
    assert_eq!(refused_with(addr, Message::text("not a frame")).await, Some(1002));
    assert_eq!(refused_with(addr, data_message(2, &Payload::Text("gap".into()))).await, Some(1002));
    server.send(session, Message::text("still here")).unwrap();
    assert_eq!(take(&mut incoming, 1).await, ["still here"]);
    let refused = bystander.send(Message::binary(vec![0; 2048])).unwrap_err();
    assert!(matches!(refused, Error::TooLarge { limit: 1024, .. }), "the client refuses too");
}

// [M6.3] the server keeps max_unacked in flight; [M6.6] it refuses a payload over max_payload
#[tokio::test]
async fn a_full_outbox_refuses_and_hands_the_message_back() {
    let (server, listener) = server(small()).await;
    let (welcome, _ws) = raw_hello(listener.local_addr(), Hello::default()).await;
    let Frame::Welcome(welcome) = welcome else { panic!() };
    for index in 0..8 {
        server.send(welcome.session, Message::text(format!("{index}"))).unwrap();
    }
    let refused = server.send(welcome.session, Message::text("one too many")).unwrap_err();
    assert!(matches!(refused, Error::OutboxFull { capacity: 8, .. }), "{refused:?}");
    assert_eq!(refused.into_message(), Some(Message::text("one too many")));
    let too_big = server.send(welcome.session, Message::binary(vec![0; 2048])).unwrap_err();
    assert!(matches!(too_big, Error::TooLarge { size: 2048, limit: 1024, .. }));
    assert_eq!(server.unacked(welcome.session), Some(8), "memory bounded by max_unacked");
}

#[tokio::test]
async fn connections_past_the_limit_are_refused_with_1013() {
    let mut config = ServerConfig::default();
    config.conn.limits.max_connections = 1;
    let (_server, listener) = server(config).await;
    let addr = listener.local_addr();
    let (frame, _held) = raw_hello(addr, Hello::default()).await;
    assert!(matches!(frame, Frame::Welcome(_)));
    let mut refused = raw_v1(addr).await;
    assert_eq!(close_code(&mut refused).await, Some(1013));
}
