//! The `ws_conn_*` metric names and the small functions that record them.

use crate::{ConnState, ForceCause, Refusal};

/// Gauge: connections in the registry, label `state`.
pub const CONNECTIONS: &str = "ws_conn_connections";
/// Counter: connections registered.
pub const OPENED: &str = "ws_conn_opened_total";
/// Counter: connections closed gracefully (the peer answered the close).
pub const CLOSED: &str = "ws_conn_closed_total";
/// Counter: closes that failed, label `reason` = `error` | `timeout` | `interrupted` (the
/// connection was force-closed while its close waited for the peer).
pub const CLOSE_FAILED: &str = "ws_conn_close_failed_total";
/// Counter: connections released without the peer's answer, label `cause`.
pub const FORCE_CLOSED: &str = "ws_conn_force_closed_total";
/// Counter: `Active` connections found silent past the idle timeout.
pub const GHOSTS_DETECTED: &str = "ws_conn_ghosts_detected_total";
/// Counter: connections refused, label `reason` = `limit` | `rate` | `shutting_down`.
pub const REFUSED: &str = "ws_conn_refused_total";
/// Counter: heartbeat pings that failed, label `reason` = `error` | `timeout`.
pub const PING_FAILED: &str = "ws_conn_ping_failed_total";
/// Histogram: duration of one sweep.
pub const SWEEP_SECONDS: &str = "ws_conn_sweep_seconds";

pub(crate) fn moved(from: ConnState, to: ConnState) {
    metrics::gauge!(CONNECTIONS, "state" => from.as_str()).decrement(1.0);
    metrics::gauge!(CONNECTIONS, "state" => to.as_str()).increment(1.0);
}

pub(crate) fn opened() {
    metrics::counter!(OPENED).increment(1);
    metrics::gauge!(CONNECTIONS, "state" => ConnState::Active.as_str()).increment(1.0);
}

pub(crate) fn removed() {
    metrics::gauge!(CONNECTIONS, "state" => ConnState::Closed.as_str()).decrement(1.0);
}

pub(crate) fn closed() {
    metrics::counter!(CLOSED).increment(1);
}

pub(crate) fn close_failed(reason: &'static str) {
    metrics::counter!(CLOSE_FAILED, "reason" => reason).increment(1);
}

pub(crate) fn force_closed(cause: ForceCause) {
    metrics::counter!(FORCE_CLOSED, "cause" => cause.as_str()).increment(1);
}

pub(crate) fn ghost_detected() {
    metrics::counter!(GHOSTS_DETECTED).increment(1);
}

pub(crate) fn refused(reason: Refusal) {
    metrics::counter!(REFUSED, "reason" => reason.as_str()).increment(1);
}

pub(crate) fn ping_failed(reason: &'static str) {
    metrics::counter!(PING_FAILED, "reason" => reason).increment(1);
}

pub(crate) fn swept(seconds: f64) {
    metrics::histogram!(SWEEP_SECONDS).record(seconds);
}
