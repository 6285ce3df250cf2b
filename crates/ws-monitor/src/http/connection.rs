//! One connection: hyper's HTTP/1.1 state machine over an idle-bounded socket, holding its
//! slot until it ends; how it ended is counted.

use super::idle::{IdleIo, IdleTimeout};
use super::response::Body;
use super::routes::Routes;
use super::HttpConfig;
use crate::error::RequestError;
use crate::telemetry;
use futures::future::{select, Either};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, HttpService};
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit};

/// What every connection of one listener shares.
pub(crate) struct Shared {
    pub(crate) routes: Arc<Routes>,
    pub(crate) config: HttpConfig,
    pub(crate) builder: http1::Builder,
    /// Closed when the listener stops: kept-alive connections finish their request and close.
    pub(crate) stopped: watch::Receiver<()>,
}

/// A connection's hold on one of the listener's slots, shown in
/// `ws_monitor_http_connections_open` while it lasts.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl Slot {
    pub(crate) fn new(permit: OwnedSemaphorePermit) -> Self {
        telemetry::connection_opened();
        Self { _permit: permit }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        telemetry::connection_closed();
    }
}

/// Serves `stream` until it closes, times out or the listener stops, then frees `slot`.
pub(crate) async fn serve(stream: TcpStream, shared: Arc<Shared>, slot: Slot) {
    let io = TokioIo::new(IdleIo::new(stream, shared.config.idle_timeout));
    let routes = Arc::clone(&shared.routes);
    let service = service_fn(move |request| Arc::clone(&routes).serve(request));
    let connection = shared.builder.serve_connection(io, service);
    if let Err(error) = until_stopped(connection, shared.stopped.clone()).await {
        telemetry::connection_failed(&classify(&error, &shared.config));
    }
    drop(slot);
}

/// Drives `connection`; once `stopped` closes, lets it finish its request and close.
async fn until_stopped<I, S>(
    connection: http1::Connection<I, S>,
    mut stopped: watch::Receiver<()>,
) -> hyper::Result<()>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S: HttpService<Incoming, ResBody = Body>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut connection = pin!(connection);
    let stop = pin!(stopped.changed());
    if let Either::Left((ended, _)) = select(connection.as_mut(), stop).await {
        return ended;
    }
    connection.as_mut().graceful_shutdown();
    connection.await
}

/// Why a connection ended in error, in the listener's terms.
fn classify(error: &hyper::Error, config: &HttpConfig) -> RequestError {
    if error.is_timeout() {
        return RequestError::Timeout(config.header_read_timeout);
    }
    if error.is_parse_too_large() {
        return RequestError::TooLarge { limit: config.max_head_bytes };
    }
    malformed_or_io(error)
}

fn malformed_or_io(error: &hyper::Error) -> RequestError {
    if error.is_parse() {
        return RequestError::Malformed { detail: error.to_string() };
    }
    io_error(error)
}

/// The socket error under `error` (the idle timeout among them), or `error` itself as one.
fn io_error(error: &hyper::Error) -> RequestError {
    let Some(io) = io_source(error) else {
        return RequestError::Io(io::Error::other(error.to_string()));
    };
    match io.get_ref().and_then(|inner| inner.downcast_ref::<IdleTimeout>()) {
        Some(IdleTimeout(after)) => RequestError::IdleTimeout(*after),
        None => RequestError::Io(io::Error::new(io.kind(), io.to_string())),
    }
}

fn io_source(error: &hyper::Error) -> Option<&io::Error> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return Some(io);
        }
        source = cause.source();
    }
    None
}
