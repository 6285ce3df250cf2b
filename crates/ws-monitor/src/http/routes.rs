//! What each path answers: `/metrics` renders the recorder, `/health` the latest report.

use super::request::Request;
use super::response::{Response, JSON, PROMETHEUS_TEXT};
use crate::monitor::Monitor;
use crate::report::{HealthReport, HealthStatus};
use crate::telemetry;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

/// The monitor and the metrics handle the listener serves.
pub(crate) struct Routes {
    monitor: Arc<Monitor>,
    metrics: PrometheusHandle,
}

impl Routes {
    pub(crate) fn new(monitor: Arc<Monitor>, metrics: PrometheusHandle) -> Self {
        Self { monitor, metrics }
    }

    pub(crate) async fn respond(&self, request: &Request) -> Response {
        match request.path() {
            "/metrics" => self.metrics(),
            "/health" => health(&self.report().await),
            other => Response::text(404, format_args!("no route {other}: try /health or /metrics")),
        }
    }

    pub(crate) fn run_upkeep(&self) {
        self.metrics.run_upkeep();
    }

    fn metrics(&self) -> Response {
        Response::new(200, PROMETHEUS_TEXT, self.metrics.render())
    }

    /// The latest report; the first request before any run triggers one.
    async fn report(&self) -> HealthReport {
        match self.monitor.latest() {
            Some(report) => report,
            None => self.monitor.run().await,
        }
    }
}

/// The report as JSON: 200 when healthy or degraded, 503 when unhealthy.
fn health(report: &HealthReport) -> Response {
    let status = if report.status() == HealthStatus::Unhealthy { 503 } else { 200 };
    match report.to_json() {
        Ok(json) => Response::new(status, JSON, json),
        Err(error) => {
            telemetry::http_error("serialize");
            Response::text(500, error)
        }
    }
}
