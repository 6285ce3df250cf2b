//! Failed closes injected under real loopback sockets: a close the server starts fails in
//! ws-conn (`CloseFailed`, `ws_conn_close_failed_total{reason="error"}`, a `Failed` event),
//! the sweeper force-closes it and the registry ends empty; the peer never sees the close
//! frame. A close answering the peer's is never failed.
#![cfg(all(feature = "conn", feature = "batch"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::{SinkExt, StreamExt};
use metrics::{SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::CompositeKey;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use ws_reliability::conn::{
    CloseCode, CloseFrame, ConnConfig, ConnError, ConnEvent, ConnId, ConnState, FailCause,
    ForceCause, Registry,
};
use ws_reliability::fault::{FaultConfig, FaultInjector, FaultKind, FaultyStream, Injected};
use ws_reliability::server::{ReliableServer, ServerConfig};

type Received = Vec<Result<Message, WsError>>;

fn failing_closes(seed: u64) -> FaultInjector {
    FaultInjector::new(FaultConfig::seeded(seed).with_rate(FaultKind::FailedClose, 1.0)).unwrap()
}

/// A plain tokio-tungstenite client that connects and reads until its connection ends.
fn client(address: SocketAddr) -> JoinHandle<Received> {
    tokio::spawn(async move {
        let url = format!("ws://{address}/");
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut received = Vec::new();
        while let Some(item) = ws.next().await {
            received.push(item);
        }
        received
    })
}

/// Accepts one socket, wraps it, upgrades it, and registers it in `registry`.
async fn accept_registered(
    listener: &TcpListener,
    injector: &FaultInjector,
    registry: &Registry,
) -> (ConnId, ws_reliability::conn::tungstenite::WsSink<FaultyStream<TcpStream>>) {
    let (tcp, _) = listener.accept().await.unwrap();
    let ws = tokio_tungstenite::accept_async(injector.wrap(tcp)).await.unwrap();
    let admission = registry.admit().unwrap();
    let (conn, sink, mut stream) =
        ws_reliability::conn::tungstenite::split(ws, admission.activity());
    tokio::spawn(async move { while stream.next().await.is_some() {} });
    (admission.register(conn).id(), sink)
}

type Snapshot = Vec<(CompositeKey, Option<Unit>, Option<SharedString>, DebugValue)>;

/// A counter of a snapshot (taking one resets the counters: take one per test).
fn counter(snapshot: &Snapshot, name: &str, label: (&str, &str)) -> u64 {
    let found = snapshot.iter().find(|(key, ..)| {
        let key = key.key();
        key.name() == name && key.labels().any(|l| (l.key(), l.value()) == label)
    });
    match found {
        Some((_, _, _, DebugValue::Counter(count))) => *count,
        _ => 0,
    }
}

fn going_away() -> CloseFrame {
    CloseFrame::new(CloseCode::GOING_AWAY, "going away")
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_close_fails_in_ws_conn_and_the_sweeper_leaves_no_ghost() {
    let recorder = DebuggingRecorder::new();
    let _local = metrics::set_default_local_recorder(&recorder);
    let (injector, registry) = (failing_closes(1), Registry::new(ConnConfig::default()));
    let mut events = registry.subscribe();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let peer = client(listener.local_addr().unwrap());
    let (id, mut sink) = accept_registered(&listener, &injector, &registry).await;
    sink.send(Message::text("before the close")).await.unwrap();

    let closed = registry.close(id, going_away()).await;
    let Err(ConnError::CloseFailed { id: failed, source }) = closed else { panic!("{closed:?}") };
    let cause = source.inner().downcast_ref::<WsError>().and_then(|error| match error {
        WsError::Io(io) => Injected::cause_of(io),
        _ => None,
    });
    assert_eq!((failed, cause), (id, Some(FaultKind::FailedClose)));
    assert_eq!(registry.state(id), Some(ConnState::Failed));
    assert_eq!(events.recv().await.unwrap(), ConnEvent::Opened { id });
    assert_eq!(
        events.recv().await.unwrap(),
        ConnEvent::Failed { id, cause: FailCause::CloseError }
    );

    assert_eq!(registry.sweep_once().removed(), 1);
    let forced = ConnEvent::ForceClosed { id, cause: ForceCause::Failed };
    assert_eq!(events.recv().await.unwrap(), forced);
    assert!(registry.is_empty(), "no ghost remains");
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    assert_eq!(counter(&snapshot, "ws_conn_close_failed_total", ("reason", "error")), 1);
    assert_eq!(counter(&snapshot, "ws_conn_force_closed_total", ("cause", "failed")), 1);
    assert_eq!(counter(&snapshot, "ws_fault_injected_total", ("kind", "failed_close")), 1);
    assert_eq!(injector.stats().count(FaultKind::FailedClose), 1);
    assert_eq!(injector.stats().total(), 1);

    let received = peer.await.unwrap();
    assert!(matches!(&received[0], Ok(Message::Text(text)) if text.as_str() == "before the close"));
    assert!(!received.iter().any(|item| matches!(item, Ok(Message::Close(_)))), "{received:?}");
}

#[tokio::test]
async fn a_close_answering_the_peer_is_never_failed() {
    let (injector, registry) = (failing_closes(2), Registry::new(ConnConfig::default()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let peer = tokio::spawn(async move {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{address}/")).await?;
        ws.close(None).await?;
        ws.next().await.transpose()
    });
    let (id, _sink) = accept_registered(&listener, &injector, &registry).await;
    let answered = peer.await.unwrap();
    assert!(matches!(answered, Ok(None) | Ok(Some(Message::Close(_)))), "{answered:?}");
    registry.close(id, going_away()).await.unwrap();
    assert!(registry.is_empty());
    assert_eq!(injector.stats().total(), 0);
}

#[tokio::test]
async fn a_reliable_server_whose_close_fails_releases_the_connection() {
    let injector = failing_closes(3);
    let server = ReliableServer::new(ServerConfig::default());
    let registry = server.registry().clone();
    let mut events = registry.subscribe();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let peer = client(listener.local_addr().unwrap());
    let (tcp, _) = listener.accept().await.unwrap();
    let serving = tokio::spawn({
        let (server, stream) = (server.clone(), injector.wrap(tcp));
        async move { server.serve_stream(stream).await }
    });
    let ConnEvent::Opened { id } = events.recv().await.unwrap() else { panic!("not opened") };

    let closed = registry.close(id, going_away()).await;
    assert!(matches!(closed, Err(ConnError::CloseFailed { .. })), "{closed:?}");
    registry.sweep_once();
    serving.await.unwrap();
    assert!(registry.is_empty(), "no ghost remains");
    assert_eq!(injector.stats().count(FaultKind::FailedClose), 1);
    let received = peer.await.unwrap();
    assert!(!received.iter().any(|item| matches!(item, Ok(Message::Close(_)))), "{received:?}");
}
