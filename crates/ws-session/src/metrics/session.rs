//! The server's and the client's session metrics, one function per counter; names (kept
//! from when they were `ws-reliability`'s) documented in the README.
#![cfg_attr(not(feature = "server"), allow(dead_code))] // the server's counters

use crate::protocol::{CloseCode, SessionLostReason};

/// The server closed a connection with `code`.
pub(crate) fn closed_with(code: CloseCode) {
    closed_with_code(code.code());
}

/// A connection closed with `code` (the application's own included).
pub(crate) fn closed_with_code(code: u16) {
    metrics::counter!("ws_reliability_closes_total", "code" => code.to_string()).increment(1);
}

/// A resume refused with SESSION_LOST.
pub(crate) fn session_lost(reason: SessionLostReason) {
    let reason = lost_label(reason);
    metrics::counter!("ws_reliability_sessions_lost_total", "reason" => reason).increment(1);
}

fn lost_label(reason: SessionLostReason) -> &'static str {
    match reason {
        SessionLostReason::UnknownSession => "unknown_session",
        SessionLostReason::Expired => "expired",
        SessionLostReason::TokenMismatch => "token_mismatch",
        SessionLostReason::TokenReplayed => "token_replayed",
        SessionLostReason::Unrecoverable => "unrecoverable",
        _ => "other",
    }
}

/// Messages a session still held when it ended for good (expired, or closed with its
/// connection): counted by why, so none leaves unseen.
pub(crate) fn abandoned(reason: &'static str, messages: usize) {
    let counter = metrics::counter!("ws_reliability_messages_abandoned_total", "reason" => reason);
    counter.increment(messages as u64);
}

/// A detached session expired before its resume window passed, to keep the server within
/// its budget: `reason` is the limit that pressed (`max_sessions`, `max_outbox_bytes`).
pub(crate) fn session_evicted(reason: &'static str) {
    metrics::counter!("ws_reliability_sessions_evicted_total", "reason" => reason).increment(1);
}

/// How many sessions a server keeps, attached or detached within their resume window.
pub(crate) fn sessions(count: usize) {
    metrics::gauge!("ws_reliability_sessions").set(count as f64);
}

/// The gauge of the bytes all session outboxes of a server hold.
pub(crate) fn outbox_bytes() -> metrics::Gauge {
    metrics::gauge!("ws_reliability_outbox_bytes")
}

/// A detached session whose resume window passed.
pub(crate) fn session_expired() {
    metrics::counter!("ws_reliability_sessions_expired_total").increment(1);
}

/// The authentication hook refused a HELLO (`hook`), or a resume came from another
/// identity than the session's (`identity`).
pub(crate) fn auth_refused(reason: &'static str) {
    metrics::counter!("ws_reliability_auth_refused_total", "reason" => reason).increment(1);
}

/// A WebSocket handshake over a byte stream failed (or timed out).
pub(crate) fn accept_failed() {
    metrics::counter!("ws_reliability_accept_failures_total").increment(1);
}

/// `send` or `broadcast` refused a message.
pub(crate) fn send_refused(reason: &'static str) {
    metrics::counter!("ws_reliability_send_refused_total", "reason" => reason).increment(1);
}

/// A `SessionSink` dropped with `count` accepted messages not yet queued: never sent.
pub(crate) fn sink_dropped(count: usize) {
    let counter =
        metrics::counter!("ws_reliability_send_refused_total", "reason" => "sink_dropped");
    counter.increment(count as u64);
}

/// A state sync on open or resume did not come out clean.
#[cfg(feature = "sync")]
pub(crate) fn sync_failed(critical: bool) {
    let level = if critical { "critical" } else { "warning" };
    metrics::counter!("ws_reliability_sync_failures_total", "criticality" => level).increment(1);
}

/// A client's TLS handshake failed, by kind (a [`TlsError`](ws_conn::tls::TlsError)
/// label); the server's are counted by `ws-reliability`'s accept loop.
#[cfg(all(feature = "tls", feature = "client"))]
pub(crate) fn tls_failed(side: &'static str, kind: &'static str) {
    let counter =
        metrics::counter!("ws_reliability_tls_failures_total", "side" => side, "kind" => kind);
    counter.increment(1);
}

/// A fresh session refused before it opened (`backlog_full`: nobody accepts sessions).
pub(crate) fn session_refused(reason: &'static str) {
    metrics::counter!("ws_reliability_sessions_refused_total", "reason" => reason).increment(1);
}

/// A journal round committed to the session store (`ok`) or failed (retried), and its time.
#[cfg(feature = "server")]
pub(crate) fn store_commit(backend: &'static str, took: std::time::Duration, ok: bool) {
    let outcome = if ok { "committed" } else { "failed" };
    let labels = [("backend", backend), ("outcome", outcome)];
    metrics::counter!("ws_reliability_store_rounds_total", &labels).increment(1);
    metrics::histogram!("ws_reliability_store_round_seconds", "backend" => backend).record(took);
}

/// The store refused a session's write: another node owns it, or it is gone.
#[cfg(feature = "server")]
pub(crate) fn store_refused(refusal: &ws_store::Refusal) {
    let reason = match refusal {
        ws_store::Refusal::Fenced { .. } => "fenced",
        ws_store::Refusal::Missing => "missing",
        ws_store::Refusal::Expired => "expired",
        _ => "other",
    };
    metrics::counter!("ws_reliability_store_refusals_total", "reason" => reason).increment(1);
}

/// A message for a session another node runs was posted to the store (`outcome`:
/// `stored`, or `refused` when the store did not take it).
#[cfg(feature = "server")]
pub(crate) fn posted(stored: bool) {
    let outcome = if stored { "stored" } else { "refused" };
    metrics::counter!("ws_reliability_posts_total", "outcome" => outcome).increment(1);
}

/// A store operation outside the journal failed (`op`: create, load, claim, remove,
/// notices, inbox, sweep).
#[cfg(feature = "server")]
pub(crate) fn store_failed(op: &'static str) {
    metrics::counter!("ws_reliability_store_failures_total", "op" => op).increment(1);
}

/// A sweep removed `count` expired sessions from the session store.
#[cfg(feature = "server")]
pub(crate) fn swept(count: usize) {
    metrics::counter!("ws_reliability_store_swept_total").increment(count as u64);
}
