//! A WELCOME lost to a dropped connection costs a retry, not the session (`docs/protocol.md`
//! § 7): over real loopback sockets, a resume whose connection is dropped right after the
//! server rotated the token and sent the WELCOME is retried with the previous token, and
//! gets the session back with nothing lost; once the client confirms the new token (its
//! first ACK), the previous token is a replay.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::protocol::*;
use ws_reliability::server::{ServerConfig, SessionEvent};

fn resume(session: SessionId, token: &ResumeToken, last_received: u64) -> Hello {
    let token = token.clone();
    Hello {
        resume: Some(Resume { session, token, last_received }),
        auth: Default::default(),
        batch: false,
    }
}

async fn welcome(addr: SocketAddr, hello: Hello) -> (Welcome, Raw) {
    let (frame, ws) = raw_hello(addr, hello).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected welcome, got {frame:?}") };
    (welcome, ws)
}

async fn data(ws: &mut Raw) -> (u64, Payload) {
    let Frame::Data(data) = next_frame(ws).await else { panic!("expected data") };
    (data.seq, data.payload)
}

/// Waits for the server's `Resumed` event: the token was rotated and the WELCOME is next.
async fn resumed(events: &mut ws_reliability::events::Events<SessionEvent>, id: SessionId) {
    guarded("resumed", async {
        while !matches!(events.recv().await, Ok(SessionEvent::Resumed { session }) if session == id)
        {
        }
    })
    .await;
}

/// Resumes with `hello` and drops the TCP connection before reading the WELCOME.
async fn resume_and_drop(
    addr: SocketAddr,
    hello: Hello,
    events: &mut ws_reliability::events::Events<SessionEvent>,
) {
    let id = hello.resume.as_ref().unwrap().session;
    let mut ws = raw_v1(addr).await;
    ws.send(to_message(&Frame::Hello(hello))).await.unwrap();
    resumed(events, id).await;
    drop(ws);
}

/// Acks `seq` and closes, waiting for the server's close: it has read the ACK by then.
async fn ack_and_close(mut ws: Raw, seq: u64) {
    ws.send(to_message(&Frame::Ack(seq))).await.unwrap();
    ws.close(None).await.unwrap();
    guarded("server close", async { while ws.next().await.is_some() {} }).await;
}

#[tokio::test]
async fn a_resume_whose_welcome_is_lost_resumes_again_with_nothing_lost() {
    let (server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    let mut events = server.events();
    let (first, mut ws) = welcome(addr, Hello::default()).await;
    server.send(first.session, Message::text("one")).unwrap();
    assert_eq!(data(&mut ws).await, (1, Payload::Text("one".into())));
    drop(ws);

    resume_and_drop(addr, resume(first.session, &first.token, 1), &mut events).await;
    server.send(first.session, Message::text("two")).unwrap();
    server.send(first.session, Message::text("three")).unwrap();

    let (second, mut ws) = welcome(addr, resume(first.session, &first.token, 1)).await;
    assert!(second.resumed, "the previous token still resumes: the rotation was unconfirmed");
    assert_eq!(second.session, first.session);
    assert_ne!(second.token, first.token);
    assert_eq!(data(&mut ws).await, (2, Payload::Text("two".into())));
    assert_eq!(data(&mut ws).await, (3, Payload::Text("three".into())));
    while let Ok(event) = events.try_recv() {
        assert!(!matches!(event, SessionEvent::Lost { .. }), "no session lost: {event:?}");
    }
    assert_eq!(server.sessions(), vec![first.session]);

    ack_and_close(ws, 3).await;
    let (frame, _ws) = raw_hello(addr, resume(first.session, &first.token, 3)).await;
    assert_eq!(frame, Frame::SessionLost(SessionLostReason::TokenReplayed), "confirmed: a replay");
    let (third, _ws) = welcome(addr, resume(first.session, &second.token, 3)).await;
    assert!(third.resumed, "the confirmed token resumes");
    assert_eq!(third.session, first.session);
}

#[tokio::test]
async fn a_welcome_lost_twice_in_a_row_is_retried_with_the_same_token() {
    let (server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    let mut events = server.events();
    let (first, ws) = welcome(addr, Hello::default()).await;
    drop(ws);
    for _ in 0..2 {
        resume_and_drop(addr, resume(first.session, &first.token, 0), &mut events).await;
    }
    server.send(first.session, Message::text("after two lost welcomes")).unwrap();
    let (again, mut ws) = welcome(addr, resume(first.session, &first.token, 0)).await;
    assert!(again.resumed);
    assert_eq!(data(&mut ws).await, (1, Payload::Text("after two lost welcomes".into())));
}
