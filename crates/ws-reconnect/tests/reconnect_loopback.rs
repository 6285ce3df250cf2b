//! Over real loopback sockets with tokio-tungstenite: reconnect after the server drops the
//! connection and comes back (buffered sends delivered), a "do not reconnect" close honoured,
//! and the connect timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::events_until;
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::WebSocketStream;
use ws_reconnect::{
    Backoff, ConnectError, Connector, Event, GiveUpReason, Message, ReconnectConfig, Reconnector,
    StopReason, TungsteniteConnector,
};

/// A guard against a hung test, not a timing assertion.
const LIMIT: Duration = Duration::from_secs(20);

fn config() -> ReconnectConfig {
    let mut config = ReconnectConfig::default();
    config.backoff = Backoff::new(Duration::from_millis(20), 2.0, Duration::from_millis(200));
    config
}

async fn accept(listener: &TcpListener) -> WebSocketStream<TcpStream> {
    let (stream, _) = listener.accept().await.unwrap();
    tokio_tungstenite::accept_async(stream).await.unwrap()
}

async fn next_text(socket: &mut WebSocketStream<TcpStream>) -> String {
    loop {
        match socket.next().await.unwrap().unwrap() {
            Message::Text(text) => return text.to_string(),
            _ => continue,
        }
    }
}

#[tokio::test]
async fn reconnects_after_the_server_drops_and_comes_back_and_delivers_buffered_sends() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let mut reconnector =
        Reconnector::new(TungsteniteConnector::new(format!("ws://{addr}")), config());
    let mut incoming = reconnector.incoming();
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    let handle = client.handle();

    let mut socket = accept(&listener).await;
    events_until(&mut events, LIMIT, |event| matches!(event, Event::Connected { .. })).await;
    handle.send(Message::text("one")).unwrap();
    assert_eq!(next_text(&mut socket).await, "one");
    socket.send(Message::text("from server 1")).await.unwrap();
    assert_eq!(incoming.next().await, Some(Message::text("from server 1")));

    drop((socket, listener));
    let refused = |event: &Event| matches!(event, Event::ConnectFailed { .. });
    let seen = events_until(&mut events, LIMIT, refused).await;
    assert!(seen.iter().any(|event| matches!(event, Event::Disconnected { .. })));
    handle.send(Message::text("two")).unwrap();
    handle.send(Message::text("three")).unwrap();

    let listener = TcpListener::bind(addr).await.unwrap();
    let mut socket = accept(&listener).await;
    assert_eq!(next_text(&mut socket).await, "two");
    assert_eq!(next_text(&mut socket).await, "three");
    let reconnected = |event: &Event| matches!(event, Event::Connected { reconnect: true, .. });
    events_until(&mut events, LIMIT, reconnected).await;
    socket.send(Message::text("from server 2")).await.unwrap();
    assert_eq!(incoming.next().await, Some(Message::text("from server 2")));

    let stopped = client.shutdown().await;
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert!(stopped.unsent.is_empty());
    let Some(Ok(Message::Close(Some(close)))) = socket.next().await else { panic!("no close") };
    assert_eq!(close.code, CloseCode::Normal);
}

#[tokio::test]
async fn a_policy_violation_close_is_honoured_without_reconnecting() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let reconnector = Reconnector::new(TungsteniteConnector::new(format!("ws://{addr}")), config());
    let mut events = reconnector.subscribe();
    let client = reconnector.spawn();
    let mut socket = accept(&listener).await;
    let frame = CloseFrame { code: CloseCode::Policy, reason: "banned".into() };
    socket.send(Message::Close(Some(frame))).await.unwrap();
    let seen =
        events_until(&mut events, LIMIT, |event| matches!(event, Event::GaveUp { .. })).await;
    let refused = GiveUpReason::DoNotReconnect { code: 1008 };
    assert_eq!(seen.last(), Some(&Event::GaveUp { attempts: 1, reason: refused }));
    let stopped = client.wait().await;
    assert_eq!(stopped.reason, StopReason::GaveUp(refused));
    assert!(events.next().await.is_none(), "the stopped reconnector emits nothing more");
}

#[tokio::test]
async fn the_connect_timeout_bounds_a_silent_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _silent = tokio::spawn(async move {
        let (_stream, _) = listener.accept().await.unwrap();
        std::future::pending::<()>().await;
    });
    let connector =
        TungsteniteConnector::new(format!("ws://{addr}")).with_timeout(Duration::from_millis(100));
    assert_eq!(connector.url(), format!("ws://{addr}"));
    let outcome = connector.connect().await;
    let Err(ConnectError::Timeout(timeout)) = outcome else { panic!("{outcome:?}") };
    assert_eq!(timeout, Duration::from_millis(100));
}

#[tokio::test]
async fn a_refused_connect_is_a_websocket_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let connector = TungsteniteConnector::new(format!("ws://{addr}"))
        .with_config(TungsteniteConnector::small_buffers());
    let error = connector.connect().await.unwrap_err();
    assert!(matches!(error, ConnectError::WebSocket(_)));
    assert!(error.to_string().starts_with("websocket connect failed"));
}
