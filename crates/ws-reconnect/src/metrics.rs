//! The `ws_reconnect_*` metrics: names and the functions that record them.

use crate::breaker::BreakerState;
use std::time::Duration;

/// Counter: connect attempts started.
pub const ATTEMPTS_TOTAL: &str = "ws_reconnect_attempts_total";
/// Counter: attempts that ended connected (every critical callback passed).
pub const SUCCESSES_TOTAL: &str = "ws_reconnect_successes_total";
/// Counter: times the reconnector gave up, by `reason`.
pub const GIVE_UPS_TOTAL: &str = "ws_reconnect_give_ups_total";
/// Counter: connections that ended, by `reason` (`closed`, `error`, `stream_ended`).
pub const DISCONNECTS_TOTAL: &str = "ws_reconnect_disconnects_total";
/// Counter: callback failures, by `callback` and `reason` (`error`, `panic`, `timeout`,
/// `circuit_open`).
pub const CALLBACK_FAILURES_TOTAL: &str = "ws_reconnect_callback_failures_total";
/// Counter: fallbacks run, by `callback` and `outcome` (`ok`, `failed`).
pub const FALLBACKS_TOTAL: &str = "ws_reconnect_fallbacks_total";
/// Gauge: how many breakers are in each `state` (`closed`, `half_open`, `open`), by
/// `callback`, summed over every reconnector of the process.
pub const BREAKERS: &str = "ws_reconnect_breakers";
/// Histogram: seconds from a disconnect to the next connected state.
pub const TIME_TO_RECONNECT_SECONDS: &str = "ws_reconnect_time_to_reconnect_seconds";
/// Counter: sends refused by the handle, by `reason` (`buffer_full`, `stopped`).
pub const SENDS_REJECTED_TOTAL: &str = "ws_reconnect_sends_rejected_total";
/// Counter: buffered messages that never reached a connection because the reconnector
/// stopped; handed back in [`Stopped::unsent`](crate::Stopped), lost if nobody awaits it.
pub const UNSENT_MESSAGES_TOTAL: &str = "ws_reconnect_unsent_messages_total";

pub(crate) fn attempt() {
    metrics::counter!(ATTEMPTS_TOTAL).increment(1);
}

pub(crate) fn success() {
    metrics::counter!(SUCCESSES_TOTAL).increment(1);
}

pub(crate) fn give_up(reason: &'static str) {
    metrics::counter!(GIVE_UPS_TOTAL, "reason" => reason).increment(1);
}

pub(crate) fn disconnect(reason: &'static str) {
    metrics::counter!(DISCONNECTS_TOTAL, "reason" => reason).increment(1);
}

pub(crate) fn callback_failure(callback: &str, reason: &'static str) {
    let callback = callback.to_owned();
    metrics::counter!(CALLBACK_FAILURES_TOTAL, "callback" => callback, "reason" => reason)
        .increment(1);
}

pub(crate) fn fallback(callback: &str, outcome: &'static str) {
    let callback = callback.to_owned();
    metrics::counter!(FALLBACKS_TOTAL, "callback" => callback, "outcome" => outcome).increment(1);
}

/// One breaker of `callback` left `from` for `to`.
pub(crate) fn breaker_moved(callback: &str, from: BreakerState, to: BreakerState) {
    breakers(callback, from, -1.0);
    breakers(callback, to, 1.0);
}

/// One breaker of `callback` entered (`1.0`) or left (`-1.0`) `state`.
pub(crate) fn breakers(callback: &str, state: BreakerState, delta: f64) {
    let callback = callback.to_owned();
    let state = state.as_str();
    metrics::gauge!(BREAKERS, "callback" => callback, "state" => state).increment(delta);
}

pub(crate) fn time_to_reconnect(elapsed: Duration) {
    metrics::histogram!(TIME_TO_RECONNECT_SECONDS).record(elapsed.as_secs_f64());
}

pub(crate) fn send_rejected(reason: &'static str) {
    metrics::counter!(SENDS_REJECTED_TOTAL, "reason" => reason).increment(1);
}

pub(crate) fn unsent(messages: usize) {
    let messages = u64::try_from(messages).unwrap_or(u64::MAX);
    metrics::counter!(UNSENT_MESSAGES_TOTAL).increment(messages);
}
