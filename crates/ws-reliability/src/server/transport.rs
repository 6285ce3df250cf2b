//! How the accept loop serves a socket: as it is, or (feature `tls`) after the server's
//! side of a TLS handshake (`Listen::listen_tls`).

use super::SessionServer;
use futures::future::Either;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use tokio::net::TcpStream;

/// A connection's whole future, boxed (the TLS path).
type Boxed = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What an accepted socket goes through before the WebSocket handshake.
#[derive(Debug, Clone)]
pub(crate) enum Transport {
    /// Nothing: `ws://`.
    Plain,
    /// A TLS handshake: `wss://`.
    #[cfg(feature = "tls")]
    Tls(crate::tls::TlsConfig),
}

impl Transport {
    /// The future serving `stream` from `peer` until it ends, built here and not in an
    /// `async` block: what a connection's future captures it keeps for the connection's
    /// life, so the plain path's socket goes straight into the boxed opening and the
    /// long-lived part holds only the server and that box.
    pub(crate) fn serve(
        &self,
        server: SessionServer,
        stream: TcpStream,
        peer: SocketAddr,
    ) -> impl Future<Output = ()> + Send + 'static {
        match self {
            Transport::Plain => Either::<_, Boxed>::Left(server.serve_owned_stream(stream, peer)),
            #[cfg(feature = "tls")]
            Transport::Tls(tls) => {
                Either::Right(serve_tls_owned(server, tls.clone(), stream, peer))
            }
        }
    }
}

/// [`serve_tls`] as an owned, boxed future.
#[cfg(feature = "tls")]
fn serve_tls_owned(
    server: SessionServer,
    tls: crate::tls::TlsConfig,
    stream: TcpStream,
    peer: SocketAddr,
) -> Boxed {
    Box::pin(async move { serve_tls(&server, &tls, stream, peer).await })
}

/// The TLS handshake, then the WebSocket handshake and the session; a failed or timed-out
/// TLS handshake drops the socket and is counted
/// (`ws_reliability_tls_failures_total{side="server",kind}`).
#[cfg(feature = "tls")]
async fn serve_tls(
    server: &SessionServer,
    tls: &crate::tls::TlsConfig,
    stream: TcpStream,
    peer: SocketAddr,
) {
    match tls.accept(stream).await {
        Ok(stream) => server.serve_stream_from(stream, peer).await,
        Err(error) => crate::metrics::tls_failed("server", error.label()),
    }
}
