//! Fault injection under real tokio-tungstenite connections on loopback: each fault kind
//! is observed through a WebSocket wrapped on one side, zero rates are transparent, and a
//! seed replays the same faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use std::io::ErrorKind;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use ws_reliability::fault::{FaultConfig, FaultInjector, FaultKind, FaultyStream};

type Faulty = WebSocketStream<FaultyStream<TcpStream>>;

/// An echo server for one connection; returns how the connection ended.
async fn echo_once(listener: TcpListener) -> Result<(), WsError> {
    let (stream, _) = listener.accept().await.unwrap();
    let mut socket = tokio_tungstenite::accept_async(stream).await.unwrap();
    while let Some(message) = socket.next().await {
        if let message @ (Message::Text(_) | Message::Binary(_)) = message? {
            socket.send(message).await?;
        }
    }
    Ok(())
}

/// A client whose stream is wrapped; injection is switched on after the handshake.
async fn faulty_client(
    injector: &FaultInjector,
) -> (Faulty, tokio::task::JoinHandle<Result<(), WsError>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(echo_once(listener));
    injector.set_enabled(false);
    let stream = injector.wrap(TcpStream::connect(address).await.unwrap());
    let (client, _) =
        tokio_tungstenite::client_async(format!("ws://{address}/"), stream).await.unwrap();
    injector.set_enabled(true);
    (client, server)
}

fn injector(config: FaultConfig) -> FaultInjector {
    FaultInjector::new(config).unwrap()
}

fn io_kind(error: &WsError) -> ErrorKind {
    match error {
        WsError::Io(io) => io.kind(),
        other => panic!("expected an io error, got {other}"),
    }
}

#[tokio::test]
async fn zero_rates_are_a_transparent_wrapper() {
    let injector = injector(FaultConfig::seeded(11));
    let (mut client, server) = faulty_client(&injector).await;
    for index in 0..200u32 {
        let message = if index % 2 == 0 {
            Message::text(index.to_string())
        } else {
            Message::binary(index.to_be_bytes().to_vec())
        };
        client.send(message.clone()).await.unwrap();
        assert_eq!(client.next().await.unwrap().unwrap(), message);
    }
    client.close(None).await.unwrap();
    assert!(server.await.unwrap().is_ok());
    assert_eq!(injector.stats().total(), 0);
}

#[tokio::test]
async fn a_failed_write_surfaces_as_an_io_error_from_send() {
    let injector = injector(FaultConfig::seeded(1).with_rate(FaultKind::WriteError, 1.0));
    let (mut client, _server) = faulty_client(&injector).await;
    let error = client.send(Message::text("lost")).await.unwrap_err();
    assert_eq!(io_kind(&error), ErrorKind::Other);
    assert!(injector.stats().count(FaultKind::WriteError) >= 1);
}

#[tokio::test]
async fn a_killed_connection_resets_locally_and_ends_abruptly_for_the_peer() {
    let injector = injector(FaultConfig::seeded(2).with_rate(FaultKind::Kill, 1.0));
    let (mut client, server) = faulty_client(&injector).await;
    let error = client.send(Message::text("never")).await.unwrap_err();
    assert_eq!(io_kind(&error), ErrorKind::ConnectionReset);
    let again = client.send(Message::text("still dead")).await.unwrap_err();
    assert!(matches!(again, WsError::Io(_) | WsError::AlreadyClosed), "{again}");
    let ended = server.await.unwrap();
    assert!(ended.is_err(), "the peer saw no closing handshake: {ended:?}");
    assert_eq!(injector.stats().count(FaultKind::Kill), 1);
}

#[tokio::test(start_paused = true)]
async fn a_delayed_write_arrives_late_but_intact() {
    let delay = Duration::from_secs(5);
    let config = FaultConfig::seeded(3).with_rate(FaultKind::Delay, 1.0);
    let injector = injector(config.with_durations(delay, Duration::ZERO));
    let (mut client, _server) = faulty_client(&injector).await;
    let start = Instant::now();
    client.send(Message::text("slow")).await.unwrap();
    assert_eq!(client.next().await.unwrap().unwrap(), Message::text("slow"));
    assert!(Instant::now() - start >= delay);
    assert!(injector.stats().count(FaultKind::Delay) >= 1);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_read_holds_the_echo() {
    let stall = Duration::from_secs(2);
    let config = FaultConfig::seeded(4).with_rate(FaultKind::Stall, 1.0);
    let injector = injector(config.with_durations(Duration::ZERO, stall));
    let (mut client, _server) = faulty_client(&injector).await;
    let start = Instant::now();
    client.send(Message::text("held")).await.unwrap();
    assert_eq!(client.next().await.unwrap().unwrap(), Message::text("held"));
    assert!(Instant::now() - start >= stall);
    assert!(injector.stats().count(FaultKind::Stall) >= 1);
}

#[tokio::test]
async fn a_kill_on_the_server_side_ends_the_client_connection() {
    let injector = injector(FaultConfig::seeded(5).with_rate(FaultKind::Kill, 1.0));
    injector.set_enabled(false);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server_injector = injector.clone();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut socket =
            tokio_tungstenite::accept_async(server_injector.wrap(stream)).await.unwrap();
        server_injector.set_enabled(true);
        socket.next().await
    });
    let (mut client, _) =
        tokio_tungstenite::connect_async(format!("ws://{address}/")).await.unwrap();
    let served = server.await.unwrap();
    assert!(
        matches!(served, Some(Err(WsError::Io(ref io))) if io.kind() == ErrorKind::ConnectionReset)
    );
    let ended = client.next().await;
    assert!(!matches!(ended, Some(Ok(Message::Close(_)))), "no closing handshake: {ended:?}");
    assert_eq!(injector.stats().count(FaultKind::Kill), 1);
}

/// Sends `count` messages (reconnecting after each failure) and records which failed.
async fn failures_with_seed(seed: u64, count: usize) -> Vec<bool> {
    let injector = injector(FaultConfig::seeded(seed).with_rate(FaultKind::WriteError, 0.3));
    let (mut client, _server) = faulty_client(&injector).await;
    let mut failed = Vec::new();
    for index in 0..count {
        let sent = client.send(Message::text(index.to_string())).await;
        failed.push(sent.is_err());
        if sent.is_err() {
            (client, _) = faulty_client(&injector).await;
        }
    }
    assert_eq!(
        injector.stats().count(FaultKind::WriteError),
        failed.iter().filter(|f| **f).count() as u64
    );
    failed
}

#[tokio::test]
async fn the_same_seed_fails_the_same_sends() {
    let first = failures_with_seed(77, 60).await;
    assert_eq!(first, failures_with_seed(77, 60).await);
    assert!(first.contains(&true) && first.contains(&false));
    assert_ne!(first, failures_with_seed(78, 60).await);
}

#[tokio::test]
async fn a_kill_while_sending_ends_the_reading_half_too() {
    let injector = injector(FaultConfig::seeded(6).with_rate(FaultKind::Kill, 1.0));
    let (client, _server) = faulty_client(&injector).await;
    injector.set_enabled(false);
    let (mut sink, mut stream) = client.split();
    let reader = tokio::spawn(async move { stream.next().await });
    tokio::task::yield_now().await;
    injector.set_enabled(true);
    let error = sink.send(Message::text("boom")).await.unwrap_err();
    assert_eq!(io_kind(&error), ErrorKind::ConnectionReset);
    let read = reader.await.unwrap();
    assert!(
        matches!(read, Some(Err(WsError::Io(ref io))) if io.kind() == ErrorKind::ConnectionReset),
        "{read:?}"
    );
}
