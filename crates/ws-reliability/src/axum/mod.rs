//! axum 0.8 (feature `axum`): a route of an axum [`Router`](::axum::Router) that serves
//! wsr.v1 and legacy (plain WebSocket) clients on axum's own server, beside the
//! application's other routes.
//!
//! ```no_run
//! use axum::extract::State;
//! use axum::response::Response;
//! use axum::routing::get;
//! use axum::Router;
//! use futures::{SinkExt, StreamExt};
//! use std::net::SocketAddr;
//! use ws_reliability::axum::ReliableUpgrade;
//! use ws_reliability::server::{ReliableServer, ServerConfig, Session};
//!
//! async fn ws(State(server): State<ReliableServer>, upgrade: ReliableUpgrade) -> Response {
//!     upgrade.serve(&server) // 101, 403 (Origin) or 503 (handshake limit)
//! }
//!
//! async fn echo(mut session: Session) {
//!     while let Some(received) = session.next().await {
//!         if session.send(received.message).await.is_err() {
//!             return;
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let server = ReliableServer::new(ServerConfig::default());
//! let acceptor = server.clone();
//! tokio::spawn(async move {
//!     while let Some(session) = acceptor.accept().await {
//!         tokio::spawn(echo(session));
//!     }
//! });
//! let app = Router::new()
//!     .route("/ws", get(ws))
//!     .route("/health", get(|| async { "ok" }))
//!     .with_state(server);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! // with connect info, the authentication hook sees the peer's address
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
//! # }
//! ```
//!
//! # Design
//!
//! The handler does not use axum's own `WebSocketUpgrade` and does not convert axum's
//! `ws::Message`: [`ReliableUpgrade`] checks the upgrade request itself and takes hyper's
//! raw upgraded connection, on which tokio-tungstenite runs as on the server's own
//! sockets; everything after the upgrade is the path of
//! [`Listen::listen`](crate::server::Listen::listen). It extracts with any router state (the
//! server need not be in it).
//!
//! # What the handler does, and what it does not
//!
//! Like the server's own handshake, [`ReliableUpgrade::serve`]:
//! - checks `Origin` against `conn.limits.origins` before upgrading (403 when refused);
//! - counts the upgrade against `conn.limits.handshake.max_in_progress` (503 past it) and
//!   bounds the wait for hyper's upgraded connection by `conn.limits.handshake.timeout`;
//! - selects `wsr.v1` when the client offers it (legacy mode otherwise);
//! - admits the socket in the ws-conn registry (its connection limit, heartbeats, ghost
//!   sweeping), waits for HELLO within the hello timeout, and runs the authentication hook with the request's URI, headers and peer
//!   address (from [`ConnectInfo`](::axum::extract::ConnectInfo)`<SocketAddr>`, when the
//!   app is served with `into_make_service_with_connect_info`; otherwise `None`).
//!
//! An upgrade that never becomes a session's socket is counted in
//! `ws_reliability_axum_upgrade_failures_total{reason}` (`origin`, `too_many`,
//! `timed_out`, `failed`).
//!
//! Reading the HTTP request is axum's: `axum::serve` has no header-read timeout and no
//! connection limit, so a client that opens sockets and sends half a request holds them.
//! Configure them on the server that runs the app: a reverse proxy in front with its own
//! timeouts and limits, or serve with hyper (below) and set
//! `http1::Builder::header_read_timeout` (with a `timer`), and bound concurrent requests
//! with `tower::limit::ConcurrencyLimitLayer` (or a listener that caps accepted sockets).
//! Only HTTP/1.1 upgrades are served (HTTP/2's extended CONNECT gets 426).
//!
//! # Plain hyper
//!
//! The same checks work in a hyper service: split the request, take the upgrade with
//! [`ReliableUpgrade::from_parts`], name the peer with [`ReliableUpgrade::with_peer`], and
//! answer with [`ReliableUpgrade::serve`]'s response (its body is axum's `Body`, a
//! `http_body::Body`); serve the connection `with_upgrades()`.
//!
//! ```no_run
//! # use ws_reliability::{axum::ReliableUpgrade, server::ReliableServer};
//! use axum::response::IntoResponse;
//! use hyper::server::conn::http1;
//! use hyper_util::rt::{TokioIo, TokioTimer};
//! use std::time::Duration;
//! # async fn run(server: ReliableServer, listener: tokio::net::TcpListener) -> std::io::Result<()> {
//! loop {
//!     let (socket, peer) = listener.accept().await?;
//!     let server = server.clone();
//!     let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
//!         let (mut parts, _body) = request.into_parts();
//!         let response = match ReliableUpgrade::from_parts(&mut parts) {
//!             Ok(upgrade) => upgrade.with_peer(peer).serve(&server),
//!             Err(rejection) => rejection.into_response(),
//!         };
//!         async move { Ok::<_, std::convert::Infallible>(response) }
//!     });
//!     let mut http = http1::Builder::new();
//!     http.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(10));
//!     let connection = http.serve_connection(TokioIo::new(socket), service).with_upgrades();
//!     tokio::spawn(connection);
//! }
//! # }
//! ```

mod rejection;
mod request;
mod response;
mod task;

pub use rejection::UpgradeRejection;

use crate::protocol::Mode;
use crate::server::{origin_check, ReliableServer, Upgrade};
use ::axum::extract::FromRequestParts;
use ::axum::http::request::Parts;
use ::axum::http::{HeaderMap, HeaderValue, Uri};
use ::axum::response::Response;
use hyper::upgrade::OnUpgrade;
use std::net::SocketAddr;
use ws_conn::HandshakePermit;

/// A WebSocket upgrade request to a reliable endpoint: an axum extractor (any state), or
/// [`from_parts`](Self::from_parts) in a hyper service. Rejects what is not an HTTP/1.1
/// WebSocket upgrade with [`UpgradeRejection`]; [`serve`](Self::serve) answers it.
#[derive(Debug)]
pub struct ReliableUpgrade {
    key: HeaderValue,
    mode: Mode,
    uri: Uri,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
    on_upgrade: OnUpgrade,
}

impl ReliableUpgrade {
    /// The upgrade a request's `parts` ask for (hyper's `OnUpgrade` is taken out of their
    /// extensions, the peer address read from axum's `ConnectInfo<SocketAddr>` there).
    pub fn from_parts(parts: &mut Parts) -> Result<Self, UpgradeRejection> {
        request::checked(parts)
    }

    /// The peer's address, for the authentication hook and the per-IP limits (a hyper
    /// service knows it from its accept; axum's `ConnectInfo` sets it already).
    pub fn with_peer(mut self, peer: SocketAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// What the client offered: [`Mode::V1`] when it listed `wsr.v1`, else legacy.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The request's URI (path and query).
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The peer's address, when known.
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// Answers the upgrade for `server`: 403 for an `Origin` its policy refuses, 503 past
    /// its handshake limit, else 101, and a task that serves the upgraded connection as a
    /// session of `server` (see the [module docs](self)). Return the response from the
    /// handler: the connection is upgraded once hyper has written it.
    pub fn serve(self, server: &ReliableServer) -> Response {
        if let Err(refused) = origin_check(&server.config().conn.limits.origins, &self.headers) {
            crate::metrics::upgrade_failed("origin");
            return response::forbidden(&refused);
        }
        match server.registry().handshakes().begin() {
            Ok(permit) => self.answer(server, permit),
            Err(_) => busy(server),
        }
    }

    /// 101, and the task waiting for the upgraded connection.
    fn answer(self, server: &ReliableServer, permit: HandshakePermit) -> Response {
        let response = response::switching(&self.key, self.mode);
        drop(tokio::spawn(self.pending(server, permit).serve()));
        response
    }

    fn pending(self, server: &ReliableServer, permit: HandshakePermit) -> task::Pending {
        let upgrade = Upgrade { uri: Some(self.uri), headers: Some(self.headers), peer: self.peer };
        let server = server.clone();
        task::Pending { server, on_upgrade: self.on_upgrade, mode: self.mode, upgrade, permit }
    }
}

/// 503 past the handshake limit (counted by ws-conn and here).
fn busy(server: &ReliableServer) -> Response {
    crate::metrics::upgrade_failed("too_many");
    response::busy(server.registry().handshakes().limits().max_in_progress)
}

impl<S: Send + Sync> FromRequestParts<S> for ReliableUpgrade {
    type Rejection = UpgradeRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts)
    }
}
