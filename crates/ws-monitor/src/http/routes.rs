//! What each path answers: `/metrics` renders the recorder, `/health` the latest report.

use super::response::{answer, method_not_allowed, text, Body, JSON, PROMETHEUS_TEXT};
use crate::monitor::Monitor;
use crate::report::{HealthReport, HealthStatus};
use crate::telemetry;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use metrics_exporter_prometheus::PrometheusHandle;
use std::convert::Infallible;
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

    /// The service hyper calls for each request: it never fails, every refusal is an answer.
    pub(crate) async fn serve(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<Body>, Infallible> {
        Ok(self.respond(request.method(), request.uri().path()).await)
    }

    async fn respond(&self, method: &Method, path: &str) -> Response<Body> {
        if method != Method::GET && method != Method::HEAD {
            telemetry::http_error("method_not_allowed");
            return method_not_allowed(method);
        }
        self.route(path).await
    }

    async fn route(&self, path: &str) -> Response<Body> {
        match path {
            "/metrics" => answer(StatusCode::OK, PROMETHEUS_TEXT, self.metrics.render()),
            "/health" => health(&self.report().await),
            other => text(StatusCode::NOT_FOUND, NoRoute(other)),
        }
    }

    pub(crate) fn run_upkeep(&self) {
        self.metrics.run_upkeep();
    }

    /// The latest report; the first request before any run triggers one.
    async fn report(&self) -> HealthReport {
        match self.monitor.latest() {
            Some(report) => report,
            None => self.monitor.run().await,
        }
    }
}

/// The answer's text for a path that is not served.
struct NoRoute<'a>(&'a str);

impl std::fmt::Display for NoRoute<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no route {}: try /health or /metrics", self.0)
    }
}

/// The report as JSON: 200 when healthy or degraded, 503 when unhealthy.
fn health(report: &HealthReport) -> Response<Body> {
    match report.to_json() {
        Ok(json) => answer(health_status(report), JSON, json),
        Err(error) => {
            telemetry::http_error("serialize");
            text(StatusCode::INTERNAL_SERVER_ERROR, error)
        }
    }
}

fn health_status(report: &HealthReport) -> StatusCode {
    match report.status() {
        HealthStatus::Unhealthy => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    }
}
