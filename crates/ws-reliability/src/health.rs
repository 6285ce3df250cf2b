//! Health (feature `monitor`): the helpers behind the server's and the client's built-in
//! checks, and [`serve_health`], which serves `/metrics` and `/health`.
#![cfg_attr(not(any(feature = "conn", feature = "reconnect")), allow(dead_code))]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use ws_core::Criticality;
use ws_monitor::{HealthServer, Monitor, MonitorError, ThresholdCheck};

/// The timeout of every built-in check: they only read counters.
pub(crate) const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// Installs the Prometheus recorder as the process's global `metrics` recorder and serves
/// `/metrics` and `/health` (the report of `monitor`, run on each request) on `addr`.
/// A process has one global recorder: a second call fails with
/// [`MonitorError::RecorderAlreadyInstalled`].
pub async fn serve_health(
    addr: SocketAddr,
    monitor: Monitor,
) -> Result<HealthServer, MonitorError> {
    ws_monitor::install_and_serve(addr, Arc::new(monitor)).await
}

/// Registers a warning check that fails when `read` goes above 0.
pub(crate) fn register_at_most(
    monitor: &mut Monitor,
    name: &str,
    what: &str,
    read: impl Fn() -> f64 + Send + Sync + 'static,
) -> Result<(), MonitorError> {
    let check = ThresholdCheck::at_most(what, 0.0, read);
    monitor.register(name, Criticality::Warning, CHECK_TIMEOUT, check).map(drop)
}

/// The state of a synchronizer as a check: failed while it is in the error state.
#[cfg(feature = "sync")]
pub(crate) fn sync_check<S>(sync: &ws_sync::Synchronizer<S>) -> ws_monitor::CheckResult
where
    S: Send + Sync + 'static,
{
    let state = sync.state();
    match state.is_error() {
        true => Err(ws_monitor::CheckError::new("state synchronizer in the error state")),
        false => Ok(state.as_str().to_owned()),
    }
}
