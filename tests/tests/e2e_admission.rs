//! What a socket passes before its session, over real loopback sockets: the HTTP upgrade's
//! timeout and its limit of handshakes in progress, a hello-timeout close that frees its
//! slot at once (and the upgraded socket without HELLO counted meanwhile), and the
//! `Origin` policy (403 before the upgrade).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::result_large_err)]

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Error as WsError;
use ws_reliability::conn::OriginPolicy;
use ws_reliability::protocol::{Frame, Hello};
use ws_reliability::server::{ReliableServer, ServerConfig};

const HALF_REQUEST: &[u8] = b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";

/// Waits (bounded) until `condition` holds, looking every few milliseconds.
async fn until(what: &str, condition: impl Fn() -> bool) {
    guarded(what, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

/// Reads until the server closes the socket (end of stream or a reset).
async fn closed_by_server(stream: &mut TcpStream) {
    let mut buffer = [0_u8; 256];
    guarded("the server closing the socket", async {
        while let Ok(1..) = stream.read(&mut buffer).await {}
    })
    .await;
}

fn with_handshake(timeout: Duration, max_in_progress: usize) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.conn.limits.handshake.timeout = timeout;
    config.conn.limits.handshake.max_in_progress = max_in_progress;
    config
}

#[tokio::test]
async fn a_half_sent_upgrade_or_a_silent_socket_is_closed_after_the_handshake_timeout() {
    let timeout = Duration::from_millis(200);
    let (server, listener) = server(with_handshake(timeout, 16)).await;
    let mut half = TcpStream::connect(listener.local_addr()).await.unwrap();
    half.write_all(HALF_REQUEST).await.unwrap();
    let mut silent = TcpStream::connect(listener.local_addr()).await.unwrap();
    let start = Instant::now();
    closed_by_server(&mut half).await;
    closed_by_server(&mut silent).await;
    assert!(start.elapsed() >= timeout - Duration::from_millis(50), "closed before the timeout");
    until("no handshake left in progress", || server.registry().handshakes().in_progress() == 0)
        .await;
}

#[tokio::test]
async fn past_max_handshakes_a_new_socket_is_closed_at_once_until_one_ends() {
    let (server, listener) = server(with_handshake(Duration::from_secs(60), 2)).await;
    let addr = listener.local_addr();
    let mut first = TcpStream::connect(addr).await.unwrap();
    first.write_all(HALF_REQUEST).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    until("two handshakes in progress", || server.registry().handshakes().in_progress() == 2).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    third.write_all(HALF_REQUEST).await.unwrap();
    closed_by_server(&mut third).await; // far before the 60 s timeout: the guard is 30 s
    drop(first);
    until("one handshake left", || server.registry().handshakes().in_progress() == 1).await;
    let (frame, _ws) = raw_hello(addr, Hello::default()).await;
    assert!(matches!(frame, Frame::Welcome(_)), "expected a welcome, got {frame:?}");
}

/// Upgrades `addr` by hand offering wsr.v1 and returns the socket after the 101 response.
async fn upgraded_by_hand(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: wsr.v1\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let response = read_until(&mut stream, b"\r\n\r\n").await;
    assert!(response.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&response));
    stream
}

/// Reads until what was read ends with `end`.
async fn read_until(stream: &mut TcpStream, end: &[u8]) -> Vec<u8> {
    let mut read = Vec::new();
    guarded("bytes from the server", async {
        while !read.ends_with(end) {
            read.push(stream.read_u8().await.unwrap());
        }
    })
    .await;
    read
}

// the socket never answers the server's close: before, its slot stayed taken for the 5 s
// the close waited (and a second client got 1013 with max_connections 1)
#[tokio::test]
async fn a_socket_closed_for_no_hello_frees_its_slot_before_its_close_is_answered() {
    let mut config = ServerConfig::default();
    config.conn.limits.max_connections = 1;
    config.timeouts.hello = Duration::from_secs(1); // the window in which `pending` is 1
    let (server, listener) = server(config).await;
    let mut silent = upgraded_by_hand(listener.local_addr()).await;
    until("the upgraded socket counted as pending", || server.registry().pending() == 1).await;
    assert_eq!(server.registry().len(), 0);
    let close_4002 = [0x88, 0x09, 0x0f, 0xa2]; // FIN + close, 9 bytes, code 4002, "refused"
    let mut frame = read_until(&mut silent, b"refused").await;
    frame.truncate(4);
    assert_eq!(frame, close_4002);
    assert_eq!(server.registry().pending(), 0, "the slot is still held while the close waits");
    let (answer, _ws) = raw_hello(listener.local_addr(), Hello::default()).await;
    assert!(matches!(answer, Frame::Welcome(_)), "expected a welcome, got {answer:?}");
}

/// Upgrades with `origin` (if any); the HTTP status of a refusal, or 101.
async fn status_with_origin(addr: SocketAddr, origin: Option<&str>) -> u16 {
    let mut request = url(addr).into_client_request().unwrap();
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_ws, response)) => response.status().as_u16(),
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

#[tokio::test]
async fn by_default_an_upgrade_from_another_origin_gets_403_and_the_same_host_or_none_is_admitted()
{
    let (_server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    assert_eq!(status_with_origin(addr, None).await, 101);
    assert_eq!(status_with_origin(addr, Some(&format!("http://{addr}"))).await, 101);
    assert_eq!(status_with_origin(addr, Some("https://evil.example")).await, 403);
    let other_port = format!("http://127.0.0.1:{}", addr.port() + 1);
    assert_eq!(status_with_origin(addr, Some(&other_port)).await, 403);
    assert_eq!(status_with_origin(addr, Some("null")).await, 403);
}

#[tokio::test]
async fn with_an_allow_list_only_listed_origins_are_admitted() {
    let mut config = ServerConfig::default();
    config.conn.limits.origins = OriginPolicy::allow_only(["https://app.example"]);
    let (_server, listener) = server(config).await;
    let addr = listener.local_addr();
    assert_eq!(status_with_origin(addr, Some("https://app.example")).await, 101);
    assert_eq!(status_with_origin(addr, Some(&format!("http://{addr}"))).await, 403);
    assert_eq!(status_with_origin(addr, None).await, 101);
}

#[tokio::test]
async fn any_origin_admits_every_origin() {
    let mut config = ServerConfig::default();
    config.conn.limits.origins = OriginPolicy::Any;
    let (_server, listener) = server(config).await;
    assert_eq!(status_with_origin(listener.local_addr(), Some("https://evil.example")).await, 101);
}

#[test]
fn the_admission_defaults_are_documented_values() {
    let config = ServerConfig::default();
    assert_eq!(config.conn.limits.handshake.timeout, Duration::from_secs(10));
    assert_eq!(config.conn.limits.handshake.max_in_progress, 1024);
    assert_eq!(config.conn.limits.origins, OriginPolicy::SameHost);
}

/// A server whose application performs the upgrade itself and hands it to
/// `serve_upgraded` with the request's headers; its address.
async fn serving_upgraded(server: ReliableServer) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _peer)) = listener.accept().await {
            let server = server.clone();
            tokio::spawn(async move {
                let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
                let keep = std::sync::Arc::clone(&seen);
                let callback = move |request: &Request, mut response: Response| {
                    let mode = ws_reliability::protocol::negotiate(request, &mut response);
                    *keep.lock().unwrap() = Some((mode, request.headers().clone()));
                    Ok(response)
                };
                let ws = tokio_tungstenite::accept_hdr_async(stream, callback).await.unwrap();
                let (mode, headers) = seen.lock().unwrap().take().unwrap();
                server.serve_upgraded(ws, mode, Some(headers)).await;
            });
        }
    });
    addr
}

// the application upgraded already: too late for a 403, the socket is closed with 1008
// (do not resume) before any HELLO is read
#[tokio::test]
async fn serve_upgraded_closes_a_refused_origin_with_1008_and_serves_the_rest() {
    let addr = serving_upgraded(ReliableServer::new(ServerConfig::default())).await;
    let mut request = url(addr).into_client_request().unwrap();
    request.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    request.headers_mut().insert("sec-websocket-protocol", "wsr.v1".parse().unwrap());
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut ws, _response) = tokio_tungstenite::client_async(request, stream).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1008));
    let (frame, _ws) = raw_hello(addr, Hello::default()).await;
    assert!(matches!(frame, Frame::Welcome(_)), "expected a welcome, got {frame:?}");
}
