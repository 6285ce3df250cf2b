//! How a [`ReliableClient`] starts: its URLs (its own and `ClientConfig::server.fallback_urls`,
//! tried in turn), each dialed over TCP or TLS, or over a caller's dialer.

use super::route::Route;
use super::transport::Target;
use super::{ClientConfig, ProtocolConnector, ReliableClient};
use crate::Error;
use std::future::Future;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use ws_reconnect::Reconnector;
use ws_session::client::ClientState;

impl ReliableClient {
    /// Starts a client of a `ws://` URL over TCP, or of a `wss://` URL over TLS (feature
    /// `tls`, trusting the roots of `config.server.tls`), connecting, reconnecting and resuming in
    /// the background: it returns at once, and what is sent meanwhile waits in the outbox.
    /// [`connect`](Self::connect) waits for the first session instead. A `wss://` URL
    /// without the feature, or TLS that cannot be set up (no native roots), is refused
    /// here; a TLS handshake that fails is an attempt's failure like any other
    /// (`Error::Tls` in the reconnector's `ConnectFailed`), and a `ClientEvent::TlsFailed`.
    pub fn start(url: &str, config: ClientConfig) -> Result<Self, Error> {
        let route = Arc::new(Route::new(url, &config.server.fallback_urls));
        let targets: Vec<Target> =
            route.urls().iter().map(|url| Target::parse(url)).collect::<Result<_, _>>()?;
        if targets.iter().any(|target| target.secure) {
            return Self::connect_tls(route, config, targets);
        }
        let dialing = Arc::clone(&route);
        Ok(Self::routed(route, config, move || dial_tcp(dialing.pick(&targets))))
    }

    #[cfg(feature = "tls")]
    fn connect_tls(
        route: Arc<Route>,
        config: ClientConfig,
        targets: Vec<Target>,
    ) -> Result<Self, Error> {
        let dialer = |target| super::transport::TlsDialer::new(target, &config.server.tls);
        let dialers = targets.into_iter().map(dialer).collect::<Result<Vec<_>, _>>()?;
        let dialing = Arc::clone(&route);
        Ok(Self::routed(route, config, move || dial_tls(dialing.pick(&dialers))))
    }

    #[cfg(not(feature = "tls"))]
    fn connect_tls(
        _route: Arc<Route>,
        _config: ClientConfig,
        _targets: Vec<Target>,
    ) -> Result<Self, Error> {
        Err(Error::Handshake("a wss:// URL needs the feature `tls`".into()))
    }

    /// Connects to `url` over the byte streams `dial` opens (the fault wrapper, turmoil).
    pub fn with_dialer<D, F, S>(url: &str, config: ClientConfig, dial: D) -> Self
    where
        D: Fn() -> F + Send + Sync + 'static,
        F: Future<Output = std::io::Result<S>> + Send,
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        Self::routed(Arc::new(Route::new(url, &[])), config, dial)
    }

    /// A client of `route`'s URLs over the streams `dial` opens (to the route's current URL).
    fn routed<D, F, S>(route: Arc<Route>, config: ClientConfig, dial: D) -> Self
    where
        D: Fn() -> F + Send + Sync + 'static,
        F: Future<Output = std::io::Result<S>> + Send,
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (deliver, incoming) = ws_session::link::delivery_channel(config.queues.incoming);
        let state = Arc::new(ClientState::new(&config, deliver));
        let connector =
            ProtocolConnector::new(route, dial, Arc::clone(&state), config.timeouts.hello);
        let reconnect = Reconnector::new(connector, config.reconnect).spawn();
        Self::around(state, reconnect, incoming)
    }
}

/// Dials `target` over TCP.
async fn dial_tcp(target: Option<Target>) -> std::io::Result<tokio::net::TcpStream> {
    target.ok_or_else(no_target)?.dial_tcp().await
}

/// Dials over TLS with `dialer`.
#[cfg(feature = "tls")]
async fn dial_tls(
    dialer: Option<super::transport::TlsDialer>,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    dialer.ok_or_else(no_target)?.dial().await
}

/// A route without a dialer for its current URL (never: one is made per URL).
fn no_target() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "no dialer for the current URL")
}
