//! The server's side of the handshake and of a live link, over real sockets from a client
//! that speaks wsr.v1 by hand (`docs/protocol.md` § 3, § 4, § 6, § 8): nothing but a close
//! before HELLO, 4002 for a socket that never says it, 1002 for frames out of place or an
//! ACK of nothing sent, an ERROR neither answered nor acted on, and a browser's 4004 or
//! 4005 leaving the session resumable like 1002 and 1009.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::*;
use ws_reliability::server::{ServerConfig, SessionEvent};

/// A fresh raw session: its WELCOME and the socket.
async fn welcomed(addr: SocketAddr) -> (Welcome, Raw) {
    let (frame, ws) = raw_hello(addr, Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected welcome, got {frame:?}") };
    (welcome, ws)
}

/// Sends `message` after the WELCOME; the close code the server answers with.
async fn after_welcome(addr: SocketAddr, message: Message) -> Option<u16> {
    let (_welcome, mut ws) = welcomed(addr).await;
    ws.send(message).await.unwrap();
    close_code(&mut ws).await
}

/// Sends `message` as the first message instead of HELLO; the close code answered.
async fn instead_of_hello(addr: SocketAddr, message: Message) -> Option<u16> {
    let mut ws = raw_v1(addr).await;
    ws.send(message).await.unwrap();
    close_code(&mut ws).await
}

// [M4.2] nothing comes before the answer to HELLO: here the first message is the close;
// [M4.3] a socket that never sends HELLO is closed with 4002 after the hello timeout
#[tokio::test]
async fn a_socket_without_hello_gets_nothing_but_a_close_with_4002() {
    let mut config = ServerConfig::default();
    config.timeouts.hello = Duration::from_millis(100);
    let (_server, listener) = server(config).await;
    let mut ws = raw_v1(listener.local_addr()).await;
    let first = guarded("first message", ws.next()).await.unwrap().unwrap();
    let Message::Close(Some(close)) = first else { panic!("expected a close first: {first:?}") };
    assert_eq!(u16::from(close.code), 4002);
}

// [M4.4] frames out of place close with 1002: DATA, ACK or WELCOME instead of HELLO, a
// second HELLO, a WELCOME or SESSION_LOST sent to the server
#[tokio::test]
async fn frames_out_of_place_close_with_1002() {
    let (_server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    let data = data_message(1, &Payload::Text("early".into()));
    assert_eq!(instead_of_hello(addr, data).await, Some(1002));
    assert_eq!(instead_of_hello(addr, to_message(&Frame::Ack(0))).await, Some(1002));
    let (welcome, _ws) = welcomed(addr).await;
    let welcome = to_message(&Frame::Welcome(welcome));
    assert_eq!(instead_of_hello(addr, welcome.clone()).await, Some(1002));
    let hello = to_message(&Frame::Hello(Hello::default()));
    assert_eq!(after_welcome(addr, hello).await, Some(1002));
    assert_eq!(after_welcome(addr, welcome).await, Some(1002));
    let lost = to_message(&Frame::SessionLost(SessionLostReason::Expired));
    assert_eq!(after_welcome(addr, lost).await, Some(1002));
}

// [M6.2] an ACK above the highest seq the server sent closes with 1002
#[tokio::test]
async fn an_ack_of_nothing_sent_closes_with_1002() {
    let (server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    assert_eq!(after_welcome(addr, to_message(&Frame::Ack(1))).await, Some(1002));
    let (welcome, mut ws) = welcomed(addr).await;
    server.send(welcome.session, Message::text("one")).unwrap();
    let Frame::Data(data) = next_frame(&mut ws).await else { panic!("expected data") };
    ws.send(to_message(&Frame::Ack(data.seq))).await.unwrap();
    ws.send(to_message(&Frame::Ack(data.seq + 1))).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1002));
}

// [M3.7] an ERROR frame is neither answered nor acted on: the link goes on
#[tokio::test]
async fn an_error_frame_is_neither_answered_nor_acted_on() {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut incoming = server.incoming().unwrap();
    let (_welcome, mut ws) = welcomed(listener.local_addr()).await;
    let notice = ErrorNotice { code: 4001, reason: "unacked limit".into() };
    ws.send(to_message(&Frame::Error(notice))).await.unwrap();
    ws.send(data_message(1, &Payload::Text("after".into()))).await.unwrap();
    let (_session, message) = guarded("delivered", incoming.next()).await.unwrap();
    assert_eq!(message, Message::text("after"));
    assert_eq!(next_frame(&mut ws).await, Frame::Ack(1), "no answer before the ack");
}

/// Closes a fresh session's socket with `code`; whether the session stayed resumable (the
/// server detached it rather than closing it) and a resume of it is welcomed.
async fn resumable_after(addr: SocketAddr, events: &mut SessionEvents, code: u16) -> bool {
    let (welcome, mut ws) = welcomed(addr).await;
    let frame = CloseFrame { code: WsCloseCode::from(code), reason: "".into() };
    ws.close(Some(frame)).await.unwrap();
    if !detached(events, welcome.session).await {
        return false;
    }
    let resume = Resume { session: welcome.session, token: welcome.token, last_received: 0 };
    let (frame, _ws) = raw_hello(addr, Hello { resume: Some(resume), ..Hello::default() }).await;
    matches!(frame, Frame::Welcome(Welcome { resumed: true, .. }))
}

type SessionEvents = ws_reliability::events::Events<SessionEvent>;

/// Whether `session` ended detached (resumable) rather than closed.
async fn detached(events: &mut SessionEvents, session: SessionId) -> bool {
    guarded("session end", async {
        loop {
            match events.recv().await.unwrap() {
                SessionEvent::Detached { session: ended } if ended == session => return true,
                SessionEvent::Closed { session: ended } if ended == session => return false,
                _ => {}
            }
        }
    })
    .await
}

// [M8.4] a browser's 4004 and 4005 are 1002 and 1009: the session stays resumable; [M8.2]
// a client's 1000 ends it, any other close keeps it
#[tokio::test]
async fn a_browsers_4004_and_4005_leave_the_session_resumable() {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut events = server.events();
    let addr = listener.local_addr();
    for code in [4004, 4005, 1002, 1009] {
        assert!(resumable_after(addr, &mut events, code).await, "after {code}");
    }
    assert!(!resumable_after(addr, &mut events, 1000).await, "1000 ends the session");
}
