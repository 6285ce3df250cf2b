//! The server's own accept loop, and the handshake over any byte stream: subprotocol
//! negotiation in the handshake callback, the upgrade request's URI and headers kept for auth.

use super::auth::Upgrade;
use super::connection::Ready;
use super::transport::Transport;
use super::ReliableServer;
use crate::protocol::{negotiate, Mode};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket, ToSocketAddrs};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::header::{HOST, ORIGIN};
use tokio_tungstenite::tungstenite::http::{HeaderMap, StatusCode};
use tokio_tungstenite::WebSocketStream;
use ws_conn::{AcceptBackoff, OriginPolicy, OriginRefused};

/// A running accept loop; dropping it (or [`Listener::stop`]) stops accepting. Connections
/// already accepted go on.
#[derive(Debug)]
pub struct Listener {
    local_addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Listener {
    /// The address the loop accepts on (the real port after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting.
    pub fn stop(self) {}
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How many connections the kernel queues for the accept loop. Every client of a node
/// that died reconnects to its replacement at once: tokio's default of 1024 overflowed in
/// a storm of 1000 resumes (`docs/learnings.md` § 16), and each dropped SYN came back only
/// after TCP's 1 s retransmission. Linux caps it at `net.core.somaxconn` (4096 by default).
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds the first of `addr`'s addresses that binds, with [`LISTEN_BACKLOG`] (and
/// `SO_REUSEADDR`, as tokio's own bind sets it).
async fn bind(addr: impl ToSocketAddrs) -> std::io::Result<TcpListener> {
    let mut last = std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to bind");
    for addr in tokio::net::lookup_host(addr).await? {
        match bind_one(addr) {
            Ok(listener) => return Ok(listener),
            Err(error) => last = error,
        }
    }
    Err(last)
}

fn bind_one(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// What the handshake callback saw.
type Seen = Arc<Mutex<Option<(Mode, Upgrade)>>>;

impl ReliableServer {
    /// Binds `addr` and accepts connections on a background task, each served by
    /// [`serve_stream`](Self::serve_stream) on its own task.
    pub async fn listen(&self, addr: impl ToSocketAddrs) -> Result<Listener, crate::Error> {
        self.listen_on(addr, Transport::Plain).await
    }

    /// Binds `addr` and runs the accept loop, each socket served over `transport`.
    pub(super) async fn listen_on(
        &self,
        addr: impl ToSocketAddrs,
        transport: Transport,
    ) -> Result<Listener, crate::Error> {
        let listener = bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let task = tokio::spawn(self.clone().accept_loop(listener, transport));
        Ok(Listener { local_addr, task })
    }

    /// Accepts until stopped; after an error of the listener (EMFILE, ENFILE) it pauses,
    /// 1 ms doubling up to 1 s, instead of spinning.
    async fn accept_loop(self, listener: TcpListener, transport: Transport) {
        let mut backoff = AcceptBackoff::default();
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => self.accepted(stream, peer, &transport, &mut backoff),
                Err(error) => accept_failed(&mut backoff, &error).await,
            }
        }
    }

    fn accepted(
        &self,
        stream: tokio::net::TcpStream,
        peer: SocketAddr,
        transport: &Transport,
        backoff: &mut AcceptBackoff,
    ) {
        backoff.reset();
        drop(tokio::spawn(self.clone().serve_owned(stream, peer, transport)));
    }

    fn serve_owned(
        self,
        stream: tokio::net::TcpStream,
        peer: SocketAddr,
        transport: &Transport,
    ) -> impl Future<Output = ()> + Send + 'static {
        let _nodelay_is_an_optimisation = stream.set_nodelay(true);
        transport.serve(self, stream, peer)
    }

    /// [`serve_stream_from`](Self::serve_stream_from) for the accept loop: the future owns
    /// the server (one pointer), and the socket only inside the boxed opening.
    #[allow(clippy::manual_async_fn)] // an async fn keeps its arguments twice in its state
    pub(crate) fn serve_owned_stream(
        self,
        stream: tokio::net::TcpStream,
        peer: SocketAddr,
    ) -> impl Future<Output = ()> + Send + 'static {
        let server = self.clone();
        let opening = Box::pin(async move { server.open_stream(stream, Some(peer)).await });
        async move { self.attach_opened(opening).await }
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
        self.attach_opened(Box::pin(self.open_stream(stream, None)))
    }

    /// Like [`serve_stream`](Self::serve_stream) for a socket from `peer`: admitted under
    /// the per-address limits of `conn.limits.per_address` (the client being `peer`, or
    /// the address a trusted proxy at `peer` names in its header). The accept loops of
    /// [`listen`](Self::listen) and `listen_tls` serve every socket this way.
    pub fn serve_stream_from<S>(&self, stream: S, peer: SocketAddr) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.attach_opened(Box::pin(self.open_stream(stream, Some(peer))))
    }

    /// The handshake, then the admission (by `peer`'s address, if known) and the session
    /// of the upgraded socket.
    async fn open_stream<S>(&self, stream: S, peer: Option<SocketAddr>) -> Option<Ready<S>>
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

    /// The WebSocket handshake with the negotiated mode and the request's URI and headers.
    async fn handshake<S>(&self, stream: S) -> Option<(WebSocketStream<S>, Mode, Upgrade)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let seen: Seen = Arc::default();
        let config = Some(self.inner.config.limits.server_websocket_config());
        let origins = &self.inner.config.conn.limits.origins;
        let callback = handshake_callback(Arc::clone(&seen), origins);
        let ws = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, config).await;
        let (mode, request) = crate::link::lock(&seen).take()?;
        Some((ws.ok()?, mode, request))
    }
}

/// Counts an accept error and waits out the pause it calls for.
async fn accept_failed(backoff: &mut AcceptBackoff, error: &std::io::Error) {
    crate::metrics::accept_failed();
    backoff.pause(error).await;
}

#[allow(clippy::result_large_err)] // the error type is fixed by tungstenite
fn handshake_callback(
    seen: Seen,
    origins: &OriginPolicy,
) -> impl FnOnce(&Request, Response) -> Result<Response, ErrorResponse> + '_ {
    move |request: &Request, mut response: Response| {
        admitted_origin(origins, request.headers())?;
        let mode = negotiate(request, &mut response);
        *crate::link::lock(&seen) = Some((mode, Upgrade::of(request)));
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
pub(crate) fn origin_check(
    policy: &OriginPolicy,
    headers: &HeaderMap,
) -> Result<(), OriginRefused> {
    let text = |name| headers.get(name).map(|value| value.to_str().unwrap_or_default());
    policy.check(text(ORIGIN), text(HOST))
}

fn forbidden(refused: &OriginRefused) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(refused.to_string()));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

#[cfg(test)]
mod tests {
    use super::{bind, LISTEN_BACKLOG};

    /// More connections than tokio's default backlog (1024) wait in the kernel's queue
    /// while nothing accepts: with it, the extra SYNs were dropped and those connects hung.
    #[tokio::test]
    async fn a_storm_of_connections_waits_in_the_accept_queue() {
        let listener = bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let storm = (0..1100).map(|_| tokio::net::TcpStream::connect(addr));
        let connected = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            futures::future::try_join_all(storm),
        );
        assert_eq!(connected.await.unwrap().unwrap().len(), 1100, "backlog {LISTEN_BACKLOG}");
    }
}
