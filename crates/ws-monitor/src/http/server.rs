//! The listener: a tokio `TcpListener` whose connections hyper serves, each on its own task,
//! at most [`HttpConfig::max_connections`] at once; past that a connection is closed at once.

use super::connection::{self, Shared, Slot};
use super::pause::AcceptPause;
use super::routes::Routes;
use super::HttpConfig;
use crate::error::MonitorError;
use crate::monitor::Monitor;
use crate::telemetry;
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::interval;

/// How often the recorder's upkeep runs (drains histogram samples between scrapes).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// A running health listener serving `/metrics` and `/health`; dropping it stops it.
#[derive(Debug)]
pub struct HealthServer {
    local_addr: SocketAddr,
    tasks: [JoinHandle<()>; 2],
    _stop: watch::Sender<()>,
}

impl HealthServer {
    /// Binds `addr` (port 0 picks a free one) and serves `monitor` and `metrics` from it on
    /// the current tokio runtime, with the default [`HttpConfig`]. Every registered check's
    /// failure counters start at 0.
    pub async fn bind(
        addr: SocketAddr,
        monitor: Arc<Monitor>,
        metrics: PrometheusHandle,
    ) -> Result<Self, MonitorError> {
        Self::bind_with(addr, monitor, metrics, HttpConfig::default()).await
    }

    /// [`HealthServer::bind`] with the limits of `config`.
    pub async fn bind_with(
        addr: SocketAddr,
        monitor: Arc<Monitor>,
        metrics: PrometheusHandle,
        config: HttpConfig,
    ) -> Result<Self, MonitorError> {
        let bind_error = |source| MonitorError::Bind { addr, source };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;
        telemetry::zero_failures(monitor.names());
        let routes = Arc::new(Routes::new(monitor, metrics));
        Ok(Self::start(local_addr, Acceptor::new(listener, routes, config)))
    }

    fn start(local_addr: SocketAddr, acceptor: Acceptor) -> Self {
        let stop = acceptor.stop.clone();
        let upkeep = tokio::spawn(upkeep_forever(Arc::clone(&acceptor.shared.routes)));
        let tasks = [tokio::spawn(acceptor.run()), upkeep];
        Self { local_addr, tasks, _stop: stop }
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting; requests in flight finish on their own tasks, then their
    /// connections close (kept-alive ones too).
    pub fn shutdown(self) {}
}

impl Drop for HealthServer {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// The accept loop and what it hands each connection.
struct Acceptor {
    listener: TcpListener,
    shared: Arc<Shared>,
    slots: Arc<Semaphore>,
    pause: AcceptPause,
    stop: watch::Sender<()>,
}

impl Acceptor {
    fn new(listener: TcpListener, routes: Arc<Routes>, config: HttpConfig) -> Self {
        let (stop, stopped) = watch::channel(());
        let slots = Arc::new(Semaphore::new(config.max_connections.min(Semaphore::MAX_PERMITS)));
        let pause = AcceptPause::new(config.accept_backoff);
        let builder = config.builder();
        let shared = Arc::new(Shared { routes, config, builder, stopped });
        Self { listener, shared, slots, pause, stop }
    }

    async fn run(mut self) {
        loop {
            match self.listener.accept().await {
                Ok((stream, _peer)) => self.admit(stream),
                Err(error) => self.pause.pause(&error).await,
            }
        }
    }

    /// Serves `stream` on its own task if a slot is free, else closes it at once.
    fn admit(&mut self, stream: TcpStream) {
        self.pause.reset();
        match Arc::clone(&self.slots).try_acquire_owned() {
            Ok(permit) => {
                let shared = Arc::clone(&self.shared);
                drop(tokio::spawn(connection::serve(stream, shared, Slot::new(permit))));
            }
            Err(_) => refuse(stream),
        }
    }
}

/// Past the connection cap: closed unanswered, counted.
fn refuse(stream: TcpStream) {
    telemetry::connection_refused();
    tracing::debug!("health listener at its connection cap: a connection was closed");
    drop(stream);
}

async fn upkeep_forever(routes: Arc<Routes>) {
    let mut ticker = interval(UPKEEP_EVERY);
    loop {
        ticker.tick().await;
        routes.run_upkeep();
    }
}
