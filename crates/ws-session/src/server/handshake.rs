//! The handshake over any byte stream: subprotocol negotiation in the handshake callback,
//! the `Origin` checked, the upgrade request's URI and headers kept for auth; then the
//! connection's session. `ws-reliability`'s accept loop serves every socket it accepts here.

use super::auth::Upgrade;
use super::connection::Ready;
use super::SessionServer;
use crate::protocol::{negotiate, Mode};
use crate::read_ahead::ReadAhead;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::header::{HOST, ORIGIN};
use tokio_tungstenite::tungstenite::http::{HeaderMap, StatusCode};
use tokio_tungstenite::WebSocketStream;
use ws_conn::{OriginPolicy, OriginRefused};

/// What the handshake callback saw.
type Seen = Arc<Mutex<Option<(Mode, Upgrade)>>>;

impl SessionServer {
    /// [`serve_stream_from`](Self::serve_stream_from) for the accept loop: the future owns
    /// the server (one pointer), and the socket only inside the boxed opening.
    #[allow(clippy::manual_async_fn)] // an async fn keeps its arguments twice in its state
    #[doc(hidden)] // `ws-reliability`'s accept loop
    pub fn serve_owned_stream(
        self,
        stream: tokio::net::TcpStream,
        peer: SocketAddr,
    ) -> impl Future<Output = ()> + Send + 'static {
        let server = self.clone();
        let opening = Box::pin(async move { server.open_stream(stream, Some(peer)).await });
        Self::attach_opened(self, opening)
    }

    /// Performs the WebSocket handshake on `stream` (any byte stream: TCP, the fault
    /// wrapper, turmoil), negotiating `wsr.v1`, then serves it until it ends. The
    /// handshake counts against `conn.limits.handshake` (past `max_in_progress` the stream
    /// is dropped unread; past `timeout` it is dropped) and checks `conn.limits.origins`
    /// (a refused origin gets HTTP 403).
    pub fn serve_stream<S>(&self, stream: S) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        Self::attach_opened(self, Box::pin(self.open_stream(stream, None)))
    }

    /// Like [`serve_stream`](Self::serve_stream) for a socket from `peer`: admitted under
    /// the per-address limits of `conn.limits.per_address` (the client being `peer`, or
    /// the address a trusted proxy at `peer` names in its header). The accept loops of
    /// `ws-reliability`'s `listen` and `listen_tls` serve every socket this way.
    pub fn serve_stream_from<S>(&self, stream: S, peer: SocketAddr) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        Self::attach_opened(self, Box::pin(self.open_stream(stream, Some(peer))))
    }

    /// The handshake, then the admission (by `peer`'s address, if known) and the session
    /// of the upgraded socket.
    async fn open_stream<S>(
        &self,
        stream: S,
        peer: Option<SocketAddr>,
    ) -> Option<Ready<ReadAhead<S>>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let upgrade = self.inner.registry.handshakes().run(self.handshake(stream));
        let Ok(Some((ws, mode, request))) = upgrade.await else {
            crate::metrics::accept_failed();
            return None;
        };
        self.open_upgraded(ws, mode, Upgrade { peer, ..request }).await
    }

    /// The WebSocket handshake with the negotiated mode and the request's URI and headers;
    /// the socket is read ahead while busy (see [`ReadAhead`]).
    async fn handshake<S>(
        &self,
        stream: S,
    ) -> Option<(WebSocketStream<ReadAhead<S>>, Mode, Upgrade)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let seen: Seen = Arc::default();
        let config = Some(self.inner.config.limits.server_websocket_config());
        let origins = &self.inner.config.conn.limits.origins;
        let callback = handshake_callback(Arc::clone(&seen), origins);
        let stream = ReadAhead::new(stream);
        let ws = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, config).await;
        let (mode, request) = crate::session_link::lock(&seen).take()?;
        Some((ws.ok()?, mode, request))
    }
}

#[allow(clippy::result_large_err)] // the error type is fixed by tungstenite
fn handshake_callback(
    seen: Seen,
    origins: &OriginPolicy,
) -> impl FnOnce(&Request, Response) -> Result<Response, ErrorResponse> + '_ {
    move |request: &Request, mut response: Response| {
        admitted_origin(origins, request.headers())?;
        let mode = negotiate(request, &mut response);
        *crate::session_link::lock(&seen) = Some((mode, Upgrade::of(request)));
        Ok(response)
    }
}

/// The request's `Origin` checked against `policy` (`Host` for the same-host default);
/// a refused one is answered with 403 before the upgrade.
#[allow(clippy::result_large_err)] // the error type is fixed by tungstenite
fn admitted_origin(policy: &OriginPolicy, headers: &HeaderMap) -> Result<(), ErrorResponse> {
    origin_check(policy, headers).map_err(|refused| forbidden(&refused))
}

/// The request's `Origin` against `policy`, with its `Host` for the same-host default (a
/// header that is not text matches nothing).
pub fn origin_check(policy: &OriginPolicy, headers: &HeaderMap) -> Result<(), OriginRefused> {
    let text = |name| headers.get(name).map(|value| value.to_str().unwrap_or_default());
    policy.check(text(ORIGIN), text(HOST))
}

fn forbidden(refused: &OriginRefused) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(refused.to_string()));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}
