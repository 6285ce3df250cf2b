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
/// Counter: connections refused, label `reason` = `limit` | `rate` | `shutting_down` |
/// `address_limit` | `address_rate` | `address_table_full` (see [`Refusal`]).
pub const REFUSED: &str = "ws_conn_refused_total";
/// Counter: heartbeat pings that failed, label `reason` = `error` | `timeout`.
pub const PING_FAILED: &str = "ws_conn_ping_failed_total";
/// Gauge: HTTP upgrades in progress ([`Handshakes`](crate::Handshakes)).
pub const HANDSHAKES: &str = "ws_conn_handshakes";
/// Counter: sockets closed unread because `max_in_progress` handshakes were running.
pub const HANDSHAKES_REFUSED: &str = "ws_conn_handshakes_refused_total";
/// Counter: handshakes that took longer than their timeout (the socket is closed).
pub const HANDSHAKE_TIMEOUTS: &str = "ws_conn_handshake_timeouts_total";
/// Gauge: admissions held without a registered connection (an upgraded socket that has
/// not finished its application handshake, e.g. a wsr.v1 HELLO).
pub const ADMISSIONS_PENDING: &str = "ws_conn_admissions_pending";
/// Counter: accept errors, label `kind` = `connection` (one connection's, no pause) |
/// `listener` (EMFILE, ENFILE, ENOBUFS...: the loop backs off).
pub const ACCEPT_ERRORS: &str = "ws_conn_accept_errors_total";
/// Counter: pauses of an accept loop after a listener error ([`AcceptBackoff`](crate::AcceptBackoff)).
pub const ACCEPT_BACKOFFS: &str = "ws_conn_accept_backoffs_total";
/// Counter: requests refused with 403 by the [`OriginPolicy`](crate::OriginPolicy).
pub const ORIGIN_REFUSED: &str = "ws_conn_origin_refused_total";
/// Gauge: client addresses tracked for their per-address limits (IPv4 addresses and IPv6
/// /64s holding a connection or refilling their rate bucket).
pub const ADDRESSES_TRACKED: &str = "ws_conn_addresses_tracked";
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

pub(crate) fn handshake_began() {
    metrics::gauge!(HANDSHAKES).increment(1.0);
}

pub(crate) fn handshake_ended() {
    metrics::gauge!(HANDSHAKES).decrement(1.0);
}

pub(crate) fn handshake_refused() {
    metrics::counter!(HANDSHAKES_REFUSED).increment(1);
}

pub(crate) fn handshake_timed_out() {
    metrics::counter!(HANDSHAKE_TIMEOUTS).increment(1);
}

pub(crate) fn admission_pending(delta: f64) {
    metrics::gauge!(ADMISSIONS_PENDING).increment(delta);
}

pub(crate) fn accept_error(per_connection: bool) {
    let kind = if per_connection { "connection" } else { "listener" };
    metrics::counter!(ACCEPT_ERRORS, "kind" => kind).increment(1);
}

pub(crate) fn accept_backoff() {
    metrics::counter!(ACCEPT_BACKOFFS).increment(1);
}

pub(crate) fn origin_refused() {
    metrics::counter!(ORIGIN_REFUSED).increment(1);
}

pub(crate) fn addresses_tracked(delta: f64) {
    metrics::gauge!(ADDRESSES_TRACKED).increment(delta);
}
