//! The `Connector` trait, a closure connector, and the bundled tokio-tungstenite connector.

use crate::error::ConnectError;
use futures::{Sink, Stream};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A WebSocket connection as tokio-tungstenite shapes it: a `Sink` and a `Stream` of
/// [`Message`]s. `WebSocketStream<S>` is one, over any `AsyncRead + AsyncWrite` stream.
pub trait Connection:
    Sink<Message, Error = WsError> + Stream<Item = WsResult> + Send + Unpin + 'static
{
}

/// What a connection yields.
type WsResult = Result<Message, WsError>;

impl<T> Connection for T where
    T: Sink<Message, Error = WsError>
        + Stream<Item = Result<Message, WsError>>
        + Send
        + Unpin
        + 'static
{
}

/// Opens a connection. The reconnector calls it for every attempt.
///
/// Wrap a connector to run a handshake over each fresh connection before the reconnector
/// sees it; or register an on-connected [`Callback`](crate::Callback), which receives it.
///
/// The reconnector puts no timeout of its own around `connect`: bound it (as
/// [`TungsteniteConnector`] does), or a connect that never resolves holds the loop, with no
/// further event, until shutdown.
pub trait Connector: Send + Sync + 'static {
    /// The connection it opens.
    type Connection: Connection;
    /// Why a connect failed; its `Display` goes into [`Event::ConnectFailed`](crate::Event).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Opens one connection.
    fn connect(&self) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send;
}

/// A [`Connector`] made of a closure returning a future: see [`connector_fn`].
#[derive(Debug, Clone)]
pub struct FnConnector<F>(F);

/// A connector from a closure: `connector_fn(|| async { ... })`.
pub fn connector_fn<F, Fut, T, E>(connect: F) -> FnConnector<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
    T: Connection,
    E: std::error::Error + Send + Sync + 'static,
{
    FnConnector(connect)
}

impl<F, Fut, T, E> Connector for FnConnector<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
    T: Connection,
    E: std::error::Error + Send + Sync + 'static,
{
    type Connection = T;
    type Error = E;

    fn connect(&self) -> impl Future<Output = Result<T, E>> + Send {
        (self.0)()
    }
}

/// The connection [`TungsteniteConnector`] opens: name it in callbacks that use the
/// connection, `|context: HookContext<TungsteniteConnection>| ...`.
pub type TungsteniteConnection = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to a `ws://` URL with tokio-tungstenite, under a connect timeout.
///
/// Defaults: connect timeout 10 s (TCP connect plus WebSocket handshake); buffers of
/// [`TungsteniteConnector::small_buffers`] (4 KiB read and write, 64 KiB max write buffer),
/// so an idle connection costs a few KiB instead of tungstenite's 128 KiB read buffer.
#[derive(Debug, Clone)]
pub struct TungsteniteConnector {
    url: String,
    timeout: Duration,
    config: WebSocketConfig,
}

impl TungsteniteConnector {
    /// A connector to `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        let timeout = Duration::from_secs(10);
        let config = Self::small_buffers();
        TungsteniteConnector { url: url.into(), timeout, config }
    }

    /// The same connector with another connect timeout.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        TungsteniteConnector { timeout, ..self }
    }

    /// The same connector with another WebSocket configuration.
    pub fn with_config(self, config: WebSocketConfig) -> Self {
        TungsteniteConnector { config, ..self }
    }

    /// 4 KiB read and write buffers, writes backpressured past 64 KiB.
    pub fn small_buffers() -> WebSocketConfig {
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(4096);
        config.max_write_buffer_size(64 * 1024)
    }

    /// The URL it connects to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Connector for TungsteniteConnector {
    type Connection = TungsteniteConnection;
    type Error = ConnectError;

    async fn connect(&self) -> Result<Self::Connection, ConnectError> {
        let handshake = tokio_tungstenite::connect_async_with_config(
            self.url.as_str(),
            Some(self.config),
            false,
        );
        let outcome = tokio::time::timeout(self.timeout, handshake).await;
        let (stream, _response) = outcome.map_err(|_| ConnectError::Timeout(self.timeout))??;
        Ok(stream)
    }
}
