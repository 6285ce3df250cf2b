//! Health monitoring: independent concurrent checks, partial-failure reports, Prometheus export.
//!
//! Part of [ws-reliability](https://github.com/ws-reliability/ws-reliability): one crate per
//! WebSocket failure mode, each usable alone. The failure this one removes: health checks
//! run one after another, where the first failure skipped every later check and hid it.
//!
//! A [`Monitor`] runs every registered [`HealthCheck`] concurrently, each under its own
//! timeout with its panics caught, so one check's error, panic or hang never stops another
//! nor delays the report past the slowest timeout. The [`HealthReport`] gives each check's
//! status, message and duration, the overall [`HealthStatus`] (a failed
//! [`Criticality::Critical`] check makes it unhealthy, a failed warning degraded) and the
//! coverage (checks executed / registered). It serializes to JSON, is recorded as
//! `ws_monitor_*` metrics, and is served with Prometheus metrics by a [`HealthServer`]:
//! hyper's HTTP/1.1 with a header read timeout, an idle timeout, a connection cap and an
//! accept loop that backs off on listener errors, each set in an [`HttpConfig`].
//!
//! ```
//! use std::time::Duration;
//! use ws_core::Criticality;
//! use ws_monitor::{from_fn, HealthStatus, Monitor, ThresholdCheck};
//!
//! let mut monitor = Monitor::new();
//! let second = Duration::from_secs(1);
//! monitor
//!     .register("sync", Criticality::Critical, second, from_fn(|| Ok("in sync".into())))?
//!     .register("dead_letters", Criticality::Warning, second,
//!         ThresholdCheck::at_most("dead letters per minute", 10.0, || 12.0))?;
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! let report = runtime.block_on(monitor.run());
//! assert_eq!(report.status(), HealthStatus::Degraded);
//! assert_eq!(report.coverage(), 1.0);
//! assert_eq!(report.failures().count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod check;
mod error;
mod exporter;
mod history;
mod http;
mod monitor;
pub mod names;
mod periodic;
mod report;
mod runner;
mod serde_fields;
mod telemetry;
mod threshold;

pub use check::{from_async_fn, from_fn, AsyncFnCheck, CheckResult, FnCheck, HealthCheck};
pub use error::{CheckError, MonitorError, RequestError};
pub use exporter::{install_and_serve, install_recorder, prometheus_builder};
pub use http::{
    HealthServer, HttpConfig, ACCEPT_BACKOFF_CAP, ACCEPT_BACKOFF_INITIAL, IDLE_TIMEOUT,
    MAX_HEAD_BYTES, MAX_IN_FLIGHT, READ_TIMEOUT,
};
pub use metrics_exporter_prometheus::PrometheusHandle;
pub use monitor::{Monitor, DEFAULT_HISTORY};
pub use periodic::{PeriodicRuns, MIN_INTERVAL};
pub use report::{aggregate, CheckReport, CheckStatus, HealthReport, HealthStatus};
pub use threshold::{Bound, ThresholdCheck};
pub use ws_core::Criticality;
