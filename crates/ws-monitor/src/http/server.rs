//! The listener: accepts connections on a tokio `TcpListener`, one task per connection,
//! at most [`MAX_IN_FLIGHT`] at once.

use super::request::Request;
use super::response::Response;
use super::routes::Routes;
use crate::error::{MonitorError, RequestError};
use crate::monitor::Monitor;
use crate::telemetry;
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::{interval, sleep, timeout};

/// How long a client has to send its request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the recorder's upkeep runs (drains histogram samples between scrapes).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);
/// The pause after a failed accept (e.g. out of file descriptors), so it does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// The most connections the listener serves at once; the next ones wait in the listen
/// backlog until one ends, so slow or idle clients cannot pile up tasks.
pub const MAX_IN_FLIGHT: usize = 64;

/// A running health listener serving `/metrics` and `/health`; dropping it stops it.
#[derive(Debug)]
pub struct HealthServer {
    local_addr: SocketAddr,
    tasks: [JoinHandle<()>; 2],
}

impl HealthServer {
    /// Binds `addr` (port 0 picks a free one) and serves `monitor` and `metrics` from it on
    /// the current tokio runtime. Every registered check's failure counters start at 0.
    pub async fn bind(
        addr: SocketAddr,
        monitor: Arc<Monitor>,
        metrics: PrometheusHandle,
    ) -> Result<Self, MonitorError> {
        let bind_error = |source| MonitorError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        telemetry::zero_failures(monitor.names());
        let routes = Arc::new(Routes::new(monitor, metrics));
        let upkeep = tokio::spawn(upkeep_forever(Arc::clone(&routes)));
        Ok(Self { local_addr, tasks: [tokio::spawn(accept_forever(listener, routes)), upkeep] })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting; requests in flight finish on their own tasks.
    pub fn shutdown(self) {}
}

impl Drop for HealthServer {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

async fn accept_forever(listener: TcpListener, routes: Arc<Routes>) {
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    while let Ok(permit) = Arc::clone(&permits).acquire_owned().await {
        accept_one(&listener, &routes, permit).await;
    }
}

/// Accepts one connection and serves it on its own task, holding `permit` until it ends.
async fn accept_one(listener: &TcpListener, routes: &Arc<Routes>, permit: OwnedSemaphorePermit) {
    match listener.accept().await {
        Ok((stream, _peer)) => drop(tokio::spawn(serve_holding(stream, routes.clone(), permit))),
        Err(error) => accept_failed(&error).await,
    }
}

async fn serve_holding(stream: TcpStream, routes: Arc<Routes>, _permit: OwnedSemaphorePermit) {
    serve(stream, routes).await;
}

async fn accept_failed(error: &std::io::Error) {
    telemetry::http_error("accept");
    tracing::warn!(%error, "health listener could not accept a connection");
    sleep(ACCEPT_BACKOFF).await;
}

async fn upkeep_forever(routes: Arc<Routes>) {
    let mut ticker = interval(UPKEEP_EVERY);
    loop {
        ticker.tick().await;
        routes.run_upkeep();
    }
}

/// Answers one request on `stream`, then closes it.
async fn serve(mut stream: TcpStream, routes: Arc<Routes>) {
    let (response, with_body) = match read_request(&mut stream).await {
        Ok(request) => (routes.respond(&request).await, request.method().has_body()),
        Err(error) => refuse(&error),
    };
    let written = stream.write_all(&response.to_bytes(with_body)).await;
    if written.and(stream.shutdown().await).is_err() {
        telemetry::http_error("write");
    }
}

async fn read_request(stream: &mut TcpStream) -> Result<Request, RequestError> {
    let read = timeout(READ_TIMEOUT, Request::read(stream)).await;
    read.unwrap_or(Err(RequestError::Timeout(READ_TIMEOUT)))
}

fn refuse(error: &RequestError) -> (Response, bool) {
    telemetry::http_error(error.reason());
    tracing::debug!(%error, "health listener refused a request");
    (Response::refusal(error), true)
}
