//! Prometheus export: a recorder preset for this crate's metrics, installed in one call.

use crate::error::MonitorError;
use crate::http::HealthServer;
use crate::monitor::Monitor;
use crate::names::{CHECK_DURATION, DURATION_BUCKETS};
use crate::telemetry;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::Arc;

/// A `PrometheusBuilder` with histogram buckets for `ws_monitor_check_duration_seconds`
/// (otherwise rendered as a summary). Use it to build a recorder without installing it
/// globally (`.build_recorder()`, then `.handle()`), e.g. to combine it with another one.
pub fn prometheus_builder() -> Result<PrometheusBuilder, MonitorError> {
    let matcher = Matcher::Full(CHECK_DURATION.to_owned());
    let builder = PrometheusBuilder::new().set_buckets_for_metric(matcher, DURATION_BUCKETS);
    builder.map_err(MonitorError::Recorder)
}

/// Installs [`prometheus_builder`]'s recorder as the process's global `metrics` recorder and
/// returns the handle that renders it. A process has one global recorder: a second call
/// returns [`MonitorError::RecorderAlreadyInstalled`].
pub fn install_recorder() -> Result<PrometheusHandle, MonitorError> {
    let handle = prometheus_builder()?.install_recorder().map_err(install_error)?;
    telemetry::describe();
    Ok(handle)
}

/// The one call: installs the global recorder and serves `/metrics` and `/health` on `addr`.
pub async fn install_and_serve(
    addr: SocketAddr,
    monitor: Arc<Monitor>,
) -> Result<HealthServer, MonitorError> {
    let handle = install_recorder()?;
    HealthServer::bind(addr, monitor, handle).await
}

fn install_error(error: BuildError) -> MonitorError {
    match error {
        BuildError::FailedToSetGlobalRecorder(_) => MonitorError::RecorderAlreadyInstalled,
        other => MonitorError::Recorder(other),
    }
}
