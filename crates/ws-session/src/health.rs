//! Health (feature `monitor`): the helpers behind the server's and the client's built-in
//! checks, and [`serve_health`], which serves `/metrics` and `/health`.
// The helpers serve the built-in checks, which need a server or a client.
#![cfg_attr(not(any(feature = "server", feature = "client")), allow(dead_code))]

use crate::rollout::{Fix, Rollout};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use ws_core::Criticality;
use ws_monitor::{CheckResult, HealthCheck, HealthServer, Monitor, MonitorError, ThresholdCheck};

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

/// A built-in warning check of a `T` (a server, a client) that must read 0: its name, what
/// it measures, and how it reads it.
#[doc(hidden)] // `ws-reliability`'s client registers its checks with it
pub struct ZeroCheck<T> {
    /// The check's name.
    pub name: &'static str,
    /// What it measures.
    pub what: &'static str,
    /// How it reads it.
    pub read: fn(&T) -> f64,
}

impl<T: Send + Sync + 'static> ZeroCheck<T> {
    /// Registers the check of `target` in `monitor`. While `rollout`'s `monitor` switch is
    /// off it reads nothing and says so (`docs/rollout.md`).
    pub fn register(
        &self,
        monitor: &mut Monitor,
        rollout: &Rollout,
        target: T,
    ) -> Result<(), MonitorError> {
        let read = self.read;
        let at_most = ThresholdCheck::at_most(self.what, 0.0, move || read(&target));
        let threshold: Arc<dyn HealthCheck> = Arc::new(at_most);
        let rollout = rollout.clone();
        let check = ws_monitor::from_async_fn(move || switched(rollout.clone(), threshold.clone()));
        monitor.register(self.name, Criticality::Warning, CHECK_TIMEOUT, check).map(drop)
    }
}

/// Runs `check` while the `monitor` switch is on.
async fn switched(rollout: Rollout, check: Arc<dyn HealthCheck>) -> CheckResult {
    if !rollout.is_on(Fix::Monitor) {
        return switched_off();
    }
    check.check().await
}

/// What a built-in check answers while the `monitor` switch is off.
pub(crate) const SWITCHED_OFF: &str = "not run: the monitor fix is switched off";

/// The answer of a check not run because the `monitor` switch is off: counted, and said.
pub(crate) fn switched_off() -> CheckResult {
    metrics::counter!("ws_reliability_checks_skipped_total").increment(1);
    Ok(SWITCHED_OFF.to_owned())
}

/// The state of a synchronizer as a check: failed while it is in the error state.
#[cfg(feature = "sync")]
pub(crate) fn sync_check<S>(
    sync: &ws_sync::Synchronizer<S>,
    rollout: &Rollout,
) -> ws_monitor::CheckResult
where
    S: Send + Sync + 'static,
{
    if !rollout.is_on(Fix::Monitor) {
        return switched_off();
    }
    let state = sync.state();
    if state.is_error() {
        return Err(ws_monitor::CheckError::new("state synchronizer in the error state"));
    }
    Ok(state.as_str().to_owned())
}
