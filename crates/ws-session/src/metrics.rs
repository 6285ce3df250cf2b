//! The link's metrics, one function per counter; names (kept from when the link was part of
//! `ws-reliability`, so dashboards and alerts still match) documented in the README.

/// `count` messages handed to the application (`true`) or lost because nobody reads
/// (`false`): one update per delivered batch.
pub(crate) fn delivered(handed_over: bool, count: usize) {
    let outcome = if handed_over { "delivered" } else { "no_reader" };
    let counter = metrics::counter!("ws_reliability_messages_received_total", "outcome" => outcome);
    counter.increment(count as u64);
}

/// A peer broke the protocol; `kind` is the protocol error's label.
pub(crate) fn violation(kind: &'static str) {
    metrics::counter!("ws_reliability_protocol_violations_total", "kind" => kind).increment(1);
}

/// A peer left a message unacked past the ack timeout and was closed with 4001.
pub(crate) fn slow_consumer() {
    metrics::counter!("ws_reliability_slow_consumers_total").increment(1);
}

/// A connection's writer failed (the connection is lost; its session resumes), on the
/// `side` (`server` or `client`) it served.
pub(crate) fn write_failed(side: &'static str) {
    metrics::counter!("ws_reliability_write_failures_total", "side" => side).increment(1);
}

/// A link ended because the peer was silent past the idle timeout.
pub(crate) fn idle_timeout() {
    metrics::counter!("ws_reliability_idle_timeouts_total").increment(1);
}

/// A message that used up its attempts (never with the default configuration).
pub(crate) fn dead_letter() {
    metrics::counter!("ws_reliability_dead_letters_total").increment(1);
}

#[cfg(any(feature = "server", feature = "client"))]
mod session;
#[cfg(any(feature = "server", feature = "client"))]
pub(crate) use session::*;
