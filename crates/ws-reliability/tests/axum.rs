//! The `axum` feature over real sockets: an axum app served by `axum::serve` (with connect
//! info) mounts the reliable endpoint at `/ws` beside an ordinary `/health` route; the
//! test's accept loop echoes each message with its user and sequence number.
//!
//! - a `ReliableClient` at `/ws?user=alice`: the hook sees the query and the peer address,
//!   and every message comes back exactly once, in order;
//! - a client offering `wsr.v1` gets it selected; a plain tokio-tungstenite client (no
//!   subprotocol) gets legacy mode and its echo;
//! - a foreign `Origin` gets 403 and no session; past the handshake limit, 503;
//! - a GET to `/ws` that is no upgrade gets 400, another WebSocket version 426 naming 13;
//!   `/health` still answers 200;
//! - the same extractor in a plain hyper service (`from_parts`, `with_peer`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::{SinkExt, StreamExt};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;
use tokio_tungstenite::tungstenite::Error as WsError;
use ws_reliability::axum::ReliableUpgrade;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::protocol::{client_request, selected, Mode};
use ws_reliability::server::{AuthHook, Identity, Refusal, ReliableServer, ServerConfig, Session};
use ws_reliability::Message;

/// The longest any test waits for an event.
const WAIT: Duration = Duration::from_secs(10);

async fn guarded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, future).await.unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// What the authentication hook saw of one request.
#[derive(Debug)]
struct Seen {
    query: Option<String>,
    peer: Option<SocketAddr>,
}

/// Lets in `?user=NAME`, reporting what it saw.
fn recording(seen: mpsc::UnboundedSender<Seen>) -> AuthHook {
    Arc::new(move |request| {
        let query = request.uri.as_ref().and_then(|uri| uri.query()).map(str::to_owned);
        let user = query.as_deref().and_then(|query| query.strip_prefix("user="));
        let identity = user.map(Identity::from).ok_or_else(|| Refusal::new("name a user"));
        seen.send(Seen { query: query.clone(), peer: request.peer }).unwrap();
        identity
    })
}

async fn ws(State(server): State<ReliableServer>, upgrade: ReliableUpgrade) -> Response {
    upgrade.serve(&server)
}

async fn echo(mut session: Session) {
    while let Some(received) = session.next().await {
        let text = received.message.to_text().unwrap().to_owned();
        let reply = format!("{text} from {} #{}", session.identity(), received.seq);
        session.send(Message::text(reply)).await.unwrap();
    }
}

/// A running axum app with the reliable endpoint, and what its hook saw.
struct App {
    server: ReliableServer,
    addr: SocketAddr,
    seen: mpsc::UnboundedReceiver<Seen>,
}

/// A server whose accept loop echoes every session, and what its hook sees.
fn echoing(config: ServerConfig) -> (ReliableServer, mpsc::UnboundedReceiver<Seen>) {
    let (report, seen) = mpsc::unbounded_channel();
    let server = ReliableServer::with_auth(config, recording(report));
    let acceptor = server.clone();
    tokio::spawn(async move {
        while let Some(session) = acceptor.accept().await {
            tokio::spawn(echo(session));
        }
    });
    (server, seen)
}

async fn app(config: ServerConfig) -> App {
    let (server, seen) = echoing(config);
    let router = Router::new()
        .route("/ws", get(ws))
        .route("/health", get(|| async { "ok" }))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    App { server, addr, seen }
}

/// `ws_reliability_axum_upgrade_failures_total{reason}` in what `recorder` counted.
fn upgrade_failures(recorder: &DebuggingRecorder, reason: &str) -> u64 {
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let found = snapshot.into_iter().find(|(key, ..)| {
        let key = key.key();
        let reasons: Vec<_> = key.labels().map(|label| (label.key(), label.value())).collect();
        key.name() == "ws_reliability_axum_upgrade_failures_total"
            && reasons.contains(&("reason", reason))
    });
    match found {
        Some((_, _, _, DebugValue::Counter(count))) => count,
        _ => 0,
    }
}

/// Sends `request` as raw HTTP/1.1 and returns the response's head (status line, headers).
async fn raw_http(addr: SocketAddr, request: &str) -> String {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let mut chunk = [0; 1024];
        let read = guarded("response", socket.read(&mut chunk)).await.unwrap();
        assert!(read > 0, "closed before the response head: {head:?}");
        head.extend_from_slice(&chunk[..read]);
    }
    String::from_utf8(head).unwrap()
}

#[tokio::test]
async fn a_reliable_client_is_served_on_the_axum_route_exactly_once() {
    let mut app = app(ServerConfig::default()).await;
    let url = format!("ws://{}/ws?user=alice", app.addr);
    let client = ReliableClient::connect(&url, ClientConfig::default()).await.unwrap();
    let mut replies = client.incoming().unwrap();
    for text in ["one", "two", "three"] {
        client.send(Message::text(text)).unwrap();
    }
    for (seq, text) in ["one", "two", "three"].into_iter().enumerate() {
        let reply = guarded("echo", replies.next()).await.unwrap();
        assert_eq!(reply, Message::text(format!("{text} from alice #{}", seq + 1)));
    }
    let seen = guarded("the hook", app.seen.recv()).await.unwrap();
    assert_eq!(seen.query.as_deref(), Some("user=alice"));
    let peer = seen.peer.expect("served with connect info: the hook sees the peer");
    assert!(peer.ip().is_loopback(), "{peer}");
    assert_eq!(app.server.sessions().len(), 1);
}

#[tokio::test]
async fn the_subprotocol_is_selected_when_offered() {
    let app = app(ServerConfig::default()).await;
    let request = client_request(format!("ws://{}/ws?user=carol", app.addr)).unwrap();
    let (_ws, response) =
        guarded("upgrade", tokio_tungstenite::connect_async(request)).await.unwrap();
    assert_eq!(response.status(), 101);
    assert_eq!(selected(response.headers()), Mode::V1);
}

#[tokio::test]
async fn a_plain_websocket_client_gets_legacy_mode_and_its_echo() {
    let app = app(ServerConfig::default()).await;
    let url = format!("ws://{}/ws?user=bob", app.addr);
    let (mut ws, response) =
        guarded("upgrade", tokio_tungstenite::connect_async(url)).await.unwrap();
    assert_eq!(response.headers().get(SEC_WEBSOCKET_PROTOCOL), None);
    ws.send(Message::text("plain")).await.unwrap();
    let reply = guarded("echo", ws.next()).await.unwrap().unwrap();
    assert_eq!(reply, Message::text("plain from bob #1"));
}

#[tokio::test]
async fn a_foreign_origin_gets_403_and_no_session() {
    let recorder = DebuggingRecorder::new();
    let _local = metrics::set_default_local_recorder(&recorder); // one thread: every task
    let mut app = app(ServerConfig::default()).await;
    let mut request = format!("ws://{}/ws?user=mallory", app.addr).into_client_request().unwrap();
    request.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    let refused = guarded("upgrade", tokio_tungstenite::connect_async(request)).await;
    let Err(WsError::Http(response)) = refused else { panic!("upgraded: {refused:?}") };
    assert_eq!(response.status(), 403);
    // refused before any upgrade: no task was started that could still open a session
    assert!(app.seen.try_recv().is_err(), "the hook ran");
    assert!(app.server.sessions().is_empty());
    assert_eq!(app.server.registry().len(), 0);
    assert_eq!(upgrade_failures(&recorder, "origin"), 1);
}

#[tokio::test]
async fn past_the_handshake_limit_an_upgrade_gets_503() {
    let recorder = DebuggingRecorder::new();
    let _local = metrics::set_default_local_recorder(&recorder); // one thread: every task
    let mut config = ServerConfig::default();
    config.conn.limits.handshake.max_in_progress = 0;
    let app = app(config).await;
    let refused = tokio_tungstenite::connect_async(format!("ws://{}/ws?user=dave", app.addr));
    let Err(WsError::Http(response)) = guarded("upgrade", refused).await else { panic!() };
    assert_eq!(response.status(), 503);
    assert_eq!(upgrade_failures(&recorder, "too_many"), 1);
}

#[tokio::test]
async fn a_request_that_is_no_upgrade_gets_a_4xx_and_the_other_routes_answer() {
    let app = app(ServerConfig::default()).await;
    let plain = raw_http(app.addr, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(plain.starts_with("HTTP/1.1 400"), "{plain}");
    let upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n";
    let old = format!(
        "{upgrade}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"
    );
    let old = raw_http(app.addr, &old).await;
    assert!(old.starts_with("HTTP/1.1 426"), "{old}");
    assert!(old.to_ascii_lowercase().contains("sec-websocket-version: 13"), "{old}");
    let health = raw_http(app.addr, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
}

/// A hyper server (no axum router) whose only service is the reliable upgrade.
async fn hyper_serve(server: ReliableServer, listener: tokio::net::TcpListener) {
    loop {
        let (socket, peer) = listener.accept().await.unwrap();
        let server = server.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
            let (mut parts, _body) = request.into_parts();
            let response = match ReliableUpgrade::from_parts(&mut parts) {
                Ok(upgrade) => upgrade.with_peer(peer).serve(&server),
                Err(rejection) => rejection.into_response(),
            };
            async move { Ok::<_, std::convert::Infallible>(response) }
        });
        let http = hyper::server::conn::http1::Builder::new();
        let io = hyper_util::rt::TokioIo::new(socket);
        tokio::spawn(http.serve_connection(io, service).with_upgrades());
    }
}

#[tokio::test]
async fn a_plain_hyper_service_serves_the_same_upgrade() {
    let (server, mut seen) = echoing(ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(hyper_serve(server, listener));
    let url = format!("ws://{addr}/ws?user=erin");
    let client = ReliableClient::connect(&url, ClientConfig::default()).await.unwrap();
    let mut replies = client.incoming().unwrap();
    client.send(Message::text("via hyper")).unwrap();
    let reply = guarded("echo", replies.next()).await.unwrap();
    assert_eq!(reply, Message::text("via hyper from erin #1"));
    let seen = guarded("the hook", seen.recv()).await.unwrap();
    assert!(seen.peer.unwrap().ip().is_loopback(), "{seen:?}");
}
