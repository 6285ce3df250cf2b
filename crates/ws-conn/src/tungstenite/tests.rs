//! Unit tests of the tokio-tungstenite adapter over loopback sockets.

use super::*;
use crate::{ConnConfig, ConnEvent, ForceCause, Registry};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Error as WsError;

type Socket = WebSocketStream<TcpStream>;

/// A server socket and a client socket, connected over 127.0.0.1.
async fn pair() -> (Socket, Socket) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::spawn(async move {
        let tcp = TcpStream::connect(addr).await.unwrap();
        tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp).await.unwrap().0
    });
    let server = tokio_tungstenite::accept_async(listener.accept().await.unwrap().0).await.unwrap();
    (server, client.await.unwrap())
}

/// Reads the stream to its end, as a server's reader task does.
fn read_all<S>(registry: &Registry, id: crate::ConnId, mut stream: WsStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let reader = tokio::spawn(async move { while stream.next().await.is_some() {} });
    registry.track_task(id, reader.abort_handle()).unwrap();
}

// Over an in-memory pipe on the paused clock: "later" is an `advance`, not a sleep.
#[tokio::test(start_paused = true)]
async fn messages_flow_both_ways_and_count_as_activity() {
    let (server, mut client) = piped(1024).await;
    let activity = Activity::new();
    let opened = activity.last_seen();
    let (conn, mut sink, mut stream) = split(server, &activity);
    sink.send(Message::text("hello")).await.unwrap();
    assert_eq!(client.next().await.unwrap().unwrap(), Message::text("hello"));
    tokio::time::advance(Duration::from_millis(5)).await;
    client.send(Message::text("hi")).await.unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap(), Message::text("hi"));
    assert!(activity.last_seen() > opened, "the inbound frame was recorded");
    conn.force_close();
}

#[tokio::test]
async fn a_close_the_peer_answers_completes_and_leaves_nothing() {
    let (server, mut client) = pair().await;
    let registry = Registry::new(ConnConfig::default());
    let admission = registry.admit().unwrap();
    let (conn, _sink, stream) = split(server, admission.activity());
    let id = admission.register(conn).id();
    read_all(&registry, id, stream);
    let peer = tokio::spawn(async move { client.next().await.unwrap().unwrap() });
    let frame = crate::CloseFrame::new(crate::CloseCode::NORMAL, "bye");
    registry.close(id, frame).await.unwrap();
    let Message::Close(Some(seen)) = peer.await.unwrap() else { panic!("no close frame") };
    assert_eq!((u16::from(seen.code), seen.reason.as_str()), (1000, "bye"));
    assert!(registry.is_empty());
}

#[tokio::test]
async fn force_close_ends_the_stream_and_fails_the_sink() {
    let (server, _client) = pair().await;
    let (conn, mut sink, mut stream) = split(server, &Activity::new());
    let reader = tokio::spawn(async move { stream.next().await.is_none() });
    tokio::task::yield_now().await;
    conn.force_close();
    assert!(reader.await.unwrap(), "a waiting reader is woken and sees the end");
    assert!(matches!(sink.send(Message::text("late")).await, Err(WsError::AlreadyClosed)));
    assert!(matches!(sink.close().await, Err(WsError::AlreadyClosed)));
    assert!(conn.ping().await.is_err());
    let closed = conn.close(crate::CloseFrame::normal()).await.unwrap_err();
    assert_eq!(closed.to_string(), "released before the peer answered");
    conn.force_close();
}

#[tokio::test]
async fn a_peer_that_closed_first_makes_close_complete_at_once() {
    let (server, mut client) = pair().await;
    let (conn, _sink, mut stream) = split(server, &Activity::new());
    client.close(None).await.unwrap();
    assert!(matches!(stream.next().await, Some(Ok(Message::Close(_)))));
    conn.close(crate::CloseFrame::normal()).await.unwrap();
    conn.force_close();
}

// Over an in-memory pipe on the paused clock: the idle timeout passes by `advance`.
#[tokio::test(start_paused = true)]
async fn a_peer_that_never_polls_sends_no_pong_and_is_swept_as_a_ghost() {
    let (server, _silent_client) = piped(1024).await;
    let config = ConnConfig { idle_timeout: Duration::from_millis(100), ..ConnConfig::default() };
    let registry = Registry::new(config);
    let mut events = registry.subscribe();
    let admission = registry.admit().unwrap();
    let (conn, _sink, stream) = split(server, admission.activity());
    let id = admission.register(conn).id();
    read_all(&registry, id, stream);
    assert_eq!(registry.heartbeat_once().await.sent, 1);
    tokio::time::advance(Duration::from_millis(99)).await;
    assert_eq!(registry.sweep_once().ghosts, 0, "within the idle timeout");
    tokio::time::advance(Duration::from_millis(2)).await;
    assert_eq!(registry.sweep_once().ghosts, 1, "no pong came back");
    let last = std::iter::from_fn(|| events.try_recv().ok()).last();
    assert_eq!(last, Some(ConnEvent::ForceClosed { id, cause: ForceCause::Ghost }));
    assert!(registry.is_empty());
}

// Over an in-memory pipe on the paused clock: "later" is an `advance`, not a sleep.
#[tokio::test(start_paused = true)]
async fn a_peer_that_reads_answers_the_heartbeat_and_its_pong_counts_as_liveness() {
    let (server, mut client) = piped(1024).await;
    let registry = Registry::new(ConnConfig::default());
    let admission = registry.admit().unwrap();
    let activity = admission.activity().clone();
    let (conn, _sink, mut stream) = split(server, &activity);
    let id = admission.register(conn).id();
    // Reading is what makes the peer's tungstenite answer a ping with a pong.
    let peer = tokio::spawn(async move { while let Some(Ok(_)) = client.next().await {} });
    // 5 ms pass, so any new record is later than the one made at the opening.
    tokio::time::advance(Duration::from_millis(5)).await;
    let before = activity.last_seen();
    assert_eq!(registry.heartbeat_once().await.sent, 1);
    assert!(matches!(stream.next().await, Some(Ok(Message::Pong(_)))), "the peer answered");
    assert!(activity.last_seen() > before, "the pong was recorded as liveness");
    registry.force_close(id).unwrap();
    peer.await.unwrap();
    assert!(registry.is_empty());
}

/// A server socket and its peer over an in-memory pipe of `capacity` bytes each way.
async fn piped(
    capacity: usize,
) -> (WebSocketStream<tokio::io::DuplexStream>, WebSocketStream<tokio::io::DuplexStream>) {
    use tokio_tungstenite::tungstenite::protocol::Role;
    let (ours, theirs) = tokio::io::duplex(capacity);
    let server = WebSocketStream::from_raw_socket(ours, Role::Server, None).await;
    (server, WebSocketStream::from_raw_socket(theirs, Role::Client, None).await)
}

/// The application's write and a registry ping wait on a full transport at once: when the
/// transport drains, both finish (the socket's one `Sink` waker would wake only the task
/// that polled last, the ping's, and leave the application's write pending forever).
#[tokio::test]
async fn a_ping_while_a_write_waits_leaves_the_write_wakeable() {
    let (server, mut peer) = piped(64).await;
    let (conn, mut sink, _stream) = split(server, &Activity::new());
    let write = tokio::spawn(async move { sink.send(Message::binary(vec![7; 4096])).await });
    tokio::task::yield_now().await; // the write fills the pipe and waits
    let ping = tokio::spawn(async move { conn.ping().await });
    tokio::task::yield_now().await; // the ping waits behind it, polled last
    let reading = tokio::spawn(async move { while peer.next().await.is_some() {} });
    let finished = tokio::time::timeout(Duration::from_secs(30), write).await;
    finished.expect("the application's write was never woken").unwrap().unwrap();
    ping.await.unwrap().unwrap();
    reading.abort();
}
