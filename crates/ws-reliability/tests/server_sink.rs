//! `ReliableServer::sink` over real loopback connections: a `Sink<Message>` per session
//! that delivers everything once and in order through a small window, pends while the
//! client acks nothing and resumes when it does, hands messages back when its session is
//! unknown or ends (a raw wsr.v1 client that never acks keeps the outbox full), and counts
//! a message dropped unflushed.
#![cfg(all(feature = "batch", feature = "conn", feature = "reconnect"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{FutureExt, Sink, SinkExt, StreamExt};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::pin::Pin;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::WebSocketStream;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::{self, SessionId};
use ws_reliability::server::{Listener, SessionEvent};
use ws_reliability::{Error, Message};

mod common;

use common::{client, server};

const GUARD: Duration = Duration::from_secs(20);

type Socket = WebSocketStream<TcpStream>;

/// A client that reads one message at a time: its acks stop while nobody reads.
async fn slow_client(listener: &Listener) -> (ReliableClient, SessionId) {
    let mut config = ClientConfig::default();
    config.queues.incoming = 1;
    client(listener, config).await
}

/// A raw wsr.v1 client that says HELLO, then neither reads nor acks anything.
async fn silent_client(listener: &Listener) -> (Socket, SessionId) {
    let url = format!("ws://{}/", listener.local_addr());
    let stream = TcpStream::connect(listener.local_addr()).await.unwrap();
    let (mut socket, _mode) = protocol::connect(url.as_str(), stream, None).await.unwrap();
    let hello = protocol::Hello::default(); // fresh session, no auth, plain DATA frames (no BATCH)
    socket.send(protocol::to_message(&protocol::Frame::Hello(hello))).await.unwrap();
    let welcome = socket.next().await.unwrap().unwrap();
    let Some(protocol::Frame::Welcome(welcome)) = decoded(&welcome) else { panic!("no welcome") };
    (socket, welcome.session)
}

fn decoded(message: &Message) -> Option<protocol::Frame> {
    protocol::from_message(message, &protocol::Limits::default()).unwrap()
}

fn numbered(count: usize) -> Vec<Message> {
    (0..count).map(|n| Message::text(n.to_string())).collect()
}

async fn receive(client: &ReliableClient, count: usize) -> Vec<Message> {
    let incoming = client.incoming().unwrap();
    tokio::time::timeout(GUARD, incoming.take(count).collect()).await.unwrap()
}

/// Waits until the server reports `session` closed.
async fn closed(events: &mut ws_reliability::events::Events<SessionEvent>, session: SessionId) {
    loop {
        match events.recv().await.unwrap() {
            SessionEvent::Closed { session: id } if id == session => return,
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_and_flush_pass_a_small_window_and_deliver_everything_in_order() {
    let (server, listener) = server(8, 1024).await;
    let (client, session) = client(&listener, ClientConfig::default()).await;
    let mut sink = server.sink(session).unwrap();
    let sending = tokio::spawn(async move {
        for message in numbered(2000) {
            sink.feed(message).await.unwrap();
        }
        sink.flush().await.unwrap();
    });
    assert_eq!(receive(&client, 2000).await, numbered(2000));
    tokio::time::timeout(GUARD, sending).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_all_and_forward_deliver_in_order() {
    let (server, listener) = server(4, 1024).await;
    let (client, session) = client(&listener, ClientConfig::default()).await;
    let (mut first, second) = (server.sink(session).unwrap(), server.sink(session).unwrap());
    let sending = tokio::spawn(async move {
        let mut head = futures::stream::iter(numbered(500)).map(Ok);
        first.send_all(&mut head).await.unwrap();
        let tail = numbered(1000).into_iter().skip(500).map(Ok);
        futures::stream::iter(tail).forward(second).await.unwrap();
    });
    assert_eq!(receive(&client, 1000).await, numbered(1000));
    tokio::time::timeout(GUARD, sending).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_pends_while_the_client_acks_nothing_and_resumes_when_it_reads() {
    let (server, listener) = server(2, 1024).await;
    let (client, session) = slow_client(&listener).await;
    let mut sink = server.sink(session).unwrap();
    let mut queued = 0;
    while let Some(sent) = sink.send(Message::text(queued.to_string())).now_or_never() {
        sent.unwrap();
        queued += 1;
        assert!(queued < 10_000, "a client that reads nothing must stop the sink");
        tokio::task::yield_now().await;
    }
    let reading = tokio::spawn(async move { receive(&client, queued + 1).await });
    tokio::time::timeout(GUARD, sink.flush()).await.unwrap().unwrap();
    let received = tokio::time::timeout(GUARD, reading).await.unwrap().unwrap();
    assert_eq!(received, numbered(queued + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_waits_for_the_clients_ack_and_then_queues_the_message() {
    let (server, listener) = server(2, 1024).await;
    let (mut client, session) = silent_client(&listener).await;
    let mut sink = server.sink(session).unwrap();
    sink.send(Message::text("1")).await.unwrap();
    sink.send(Message::text("2")).await.unwrap();
    assert!(sink.send(Message::text("3")).now_or_never().is_none(), "no ack: no room");
    assert_eq!(server.unacked(session), Some(2));
    let mut received = data_frames(&mut client, 2).await;
    client.send(protocol::to_message(&protocol::Frame::Ack(2))).await.unwrap();
    tokio::time::timeout(GUARD, sink.flush()).await.unwrap().unwrap();
    received.extend(data_frames(&mut client, 1).await);
    let expected: Vec<_> = (1..=3).map(|seq| (seq, Message::text(seq.to_string()))).collect();
    assert_eq!(received, expected);
}

/// The next `count` DATA frames `client` reads, as (sequence number, message).
async fn data_frames(client: &mut Socket, count: usize) -> Vec<(u64, Message)> {
    let mut received = Vec::new();
    while received.len() < count {
        let message = tokio::time::timeout(GUARD, client.next()).await.unwrap();
        if let Some(protocol::Frame::Data(data)) = decoded(&message.unwrap().unwrap()) {
            received.push((data.seq, data.payload.into_message()));
        }
    }
    received
}

#[tokio::test]
async fn a_sink_to_an_unknown_session_is_refused() {
    let (server, _listener) = server(8, 1024).await;
    let unknown = SessionId::from_bytes([7; 16]);
    let refused = server.sink(unknown).unwrap_err();
    assert!(matches!(refused, Error::SessionNotFound { session } if session == unknown));
}

#[tokio::test]
async fn a_closed_session_hands_the_message_back() {
    let (server, listener) = server(8, 1024).await;
    let (client, session) = client(&listener, ClientConfig::default()).await;
    let mut sink = server.sink(session).unwrap();
    let mut events = server.events();
    client.shutdown().await;
    tokio::time::timeout(GUARD, closed(&mut events, session)).await.unwrap();
    let refused = sink.send(Message::text("too late")).await.unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { session: id, .. } if id == session));
    assert_eq!(refused.into_message(), Some(Message::text("too late")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_ends_while_the_sink_waits_hands_the_message_back() {
    let (server, listener) = server(2, 1024).await;
    let (mut client, session) = silent_client(&listener).await;
    let mut sink = server.sink(session).unwrap();
    sink.send(Message::text("1")).await.unwrap();
    sink.send(Message::text("2")).await.unwrap();
    let waiting = sink.send(Message::text("3")).now_or_never();
    assert!(waiting.is_none(), "the client acks nothing: the outbox stays full");
    let mut events = server.events();
    let normal = CloseFrame { code: CloseCode::Normal, reason: "bye".into() };
    client.close(Some(normal)).await.unwrap();
    tokio::time::timeout(GUARD, closed(&mut events, session)).await.unwrap();
    let refused = tokio::time::timeout(GUARD, sink.flush()).await.unwrap().unwrap_err();
    assert!(matches!(refused, Error::UnknownSession { .. }));
    assert_eq!(refused.into_message(), Some(Message::text("3")));
}

#[tokio::test]
async fn control_and_oversized_messages_are_handed_back() {
    let (server, listener) = server(8, 1024).await;
    let (client, session) = client(&listener, ClientConfig::default()).await;
    let mut sink = server.sink(session).unwrap();
    let close = sink.send(Message::Close(None)).await.unwrap_err();
    assert!(matches!(close, Error::NotData { message: Message::Close(None) }));
    let large = Message::binary(vec![1; 1025]);
    let refused = sink.send(large.clone()).await.unwrap_err();
    assert!(matches!(refused, Error::TooLarge { size: 1025, limit: 1024, .. }));
    assert_eq!(refused.into_message(), Some(large));
    sink.send(Message::text("still usable")).await.unwrap();
    assert_eq!(receive(&client, 1).await, vec![Message::text("still usable")]);
}

#[tokio::test]
async fn a_sink_dropped_with_an_unflushed_message_is_counted() {
    let (server, listener) = server(8, 1024).await;
    let (_client, session) = client(&listener, ClientConfig::default()).await;
    let mut sink = server.sink(session).unwrap();
    let recorder = DebuggingRecorder::new();
    metrics::with_local_recorder(&recorder, || {
        Pin::new(&mut sink).start_send(Message::text("never flushed")).unwrap();
        drop(sink);
    });
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let dropped = snapshot.into_iter().find(|(key, ..)| {
        let key = key.key();
        key.name() == "ws_reliability_send_refused_total"
            && key.labels().any(|label| label.value() == "sink_dropped")
    });
    assert!(matches!(dropped, Some((_, _, _, DebugValue::Counter(1)))));
    assert_eq!(server.unacked(session), Some(0));
}
