//! The server's own accept loop, and the handshake over any byte stream: subprotocol
//! negotiation in the handshake callback, the upgrade request's headers kept for auth.

use super::connection::Ready;
use super::transport::Transport;
use super::ReliableServer;
use crate::protocol::{negotiate, Mode};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::WebSocketStream;

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

/// What the handshake callback saw.
type Seen = Arc<Mutex<Option<(Mode, HeaderMap)>>>;

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
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let task = tokio::spawn(self.clone().accept_loop(listener, transport));
        Ok(Listener { local_addr, task })
    }

    async fn accept_loop(self, listener: TcpListener, transport: Transport) {
        loop {
            match listener.accept().await {
                Ok((stream, _peer)) => {
                    drop(tokio::spawn(self.clone().serve_owned(stream, &transport)))
                }
                Err(_) => crate::metrics::accept_failed(),
            }
        }
    }

    #[allow(clippy::manual_async_fn)] // an async fn keeps its arguments twice in its state
    fn serve_owned(
        self,
        stream: tokio::net::TcpStream,
        transport: &Transport,
    ) -> impl Future<Output = ()> {
        let transport = transport.clone();
        async move {
            let _nodelay_is_an_optimisation = stream.set_nodelay(true);
            transport.serve(&self, stream).await;
        }
    }

    /// Performs the WebSocket handshake on `stream` (any byte stream: TCP, the fault
    /// wrapper, turmoil), negotiating `wsr.v1`, then serves it until it ends.
    pub fn serve_stream<S>(&self, stream: S) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.attach_opened(Box::pin(self.open_stream(stream)))
    }

    /// The handshake, then the admission and the session of the upgraded socket.
    async fn open_stream<S>(&self, stream: S) -> Option<Ready<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Some((ws, mode, headers)) = self.handshake(stream).await else {
            crate::metrics::accept_failed();
            return None;
        };
        self.open_upgraded(ws, mode, Some(headers)).await
    }

    /// The WebSocket handshake with the negotiated mode and the request's headers.
    async fn handshake<S>(&self, stream: S) -> Option<(WebSocketStream<S>, Mode, HeaderMap)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let seen: Seen = Arc::default();
        let config = Some(self.inner.config.limits.server_websocket_config());
        let callback = handshake_callback(Arc::clone(&seen));
        let ws = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, config).await;
        let (mode, headers) = crate::link::lock(&seen).take()?;
        Some((ws.ok()?, mode, headers))
    }
}

#[allow(clippy::result_large_err)] // the error type is fixed by tungstenite
fn handshake_callback(
    seen: Seen,
) -> impl FnOnce(&Request, Response) -> Result<Response, ErrorResponse> {
    move |request: &Request, mut response: Response| {
        let mode = negotiate(request, &mut response);
        *crate::link::lock(&seen) = Some((mode, request.headers().clone()));
        Ok(response)
    }
}
