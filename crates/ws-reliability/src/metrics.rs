//! The facade's own metrics (the accept loop, the client's first connect, the axum
//! adapter), one function per counter; the sessions' are ws-session's. Names documented in
//! the README.

/// Accepting a TCP connection failed.
#[cfg(all(feature = "batch", feature = "conn"))]
pub(crate) fn accept_failed() {
    metrics::counter!("ws_reliability_accept_failures_total").increment(1);
}

/// A TLS handshake failed on `side` (`server` or `client`), by kind (a
/// [`TlsError`](crate::tls::TlsError) label).
#[cfg(all(feature = "tls", feature = "batch", feature = "conn"))]
pub(crate) fn tls_failed(side: &'static str, kind: &'static str) {
    let counter =
        metrics::counter!("ws_reliability_tls_failures_total", "side" => side, "kind" => kind);
    counter.increment(1);
}

/// `ReliableClient::connect` gave up on its first session.
#[cfg(all(feature = "batch", feature = "reconnect"))]
pub(crate) fn first_connect_failed() {
    metrics::counter!("ws_reliability_first_connect_failures_total").increment(1);
}

/// An upgrade answered by the axum handler that never became a session's socket, by
/// `reason`: `origin` (403), `too_many` (503, the handshake limit), `timed_out` (hyper did
/// not hand the connection over within the handshake timeout), `failed` (the connection
/// ended first).
#[cfg(feature = "axum")]
pub(crate) fn upgrade_failed(reason: &'static str) {
    let counter =
        metrics::counter!("ws_reliability_axum_upgrade_failures_total", "reason" => reason);
    counter.increment(1);
}
