//! The metric names of this crate and the helpers that record them.

use crate::error::SendFailure;
use crate::stats::OutboxStats;
use metrics::{counter, gauge, histogram};
use std::time::Duration;

/// Messages accepted by `push`.
pub const ENQUEUED: &str = "ws_batch_enqueued_total";
/// Messages rejected by `push` because the outbox was full (label `limit`).
pub const REJECTED: &str = "ws_batch_rejected_total";
/// Messages flushed to the transport successfully (resends included).
pub const SENT: &str = "ws_batch_sent_total";
/// Messages confirmed by a peer's ack.
pub const ACKED: &str = "ws_batch_acked_total";
/// Messages sent back to `Pending` for another attempt (label `reason`).
pub const RETRIED: &str = "ws_batch_retried_total";
/// Messages that used up their attempts (label `reason`: the last failure).
pub const DEAD_LETTERED: &str = "ws_batch_dead_lettered_total";
/// Dead letters nobody could take (the channel's receiver was gone).
pub const DEAD_LETTERS_UNDELIVERED: &str = "ws_batch_dead_letters_undelivered_total";
/// Flushes that failed (label `reason`: transport, timeout, cancelled).
pub const FLUSH_FAILURES: &str = "ws_batch_flush_failures_total";
/// Acks naming a sequence number never sent.
pub const ACK_ERRORS: &str = "ws_batch_ack_errors_total";
/// Messages waiting for a flush, over every outbox of the process.
pub const PENDING: &str = "ws_batch_pending_messages";
/// Messages sent and not yet confirmed, over every outbox of the process.
pub const IN_FLIGHT: &str = "ws_batch_in_flight_messages";
/// How long one flush took, failed ones included.
pub const FLUSH_DURATION: &str = "ws_batch_flush_duration_seconds";

pub(crate) fn enqueued() {
    counter!(ENQUEUED).increment(1);
}

pub(crate) fn rejected(limit: &'static str) {
    counter!(REJECTED, "limit" => limit).increment(1);
}

pub(crate) fn flushed(sent: usize, acked: usize, elapsed: Duration) {
    counter!(SENT).increment(sent as u64);
    counter!(ACKED).increment(acked as u64);
    histogram!(FLUSH_DURATION).record(elapsed.as_secs_f64());
}

pub(crate) fn acked(count: usize) {
    counter!(ACKED).increment(count as u64);
}

pub(crate) fn ack_error() {
    counter!(ACK_ERRORS).increment(1);
}

pub(crate) fn flush_failed(failure: &SendFailure, elapsed: Duration) {
    counter!(FLUSH_FAILURES, "reason" => failure.as_label()).increment(1);
    histogram!(FLUSH_DURATION).record(elapsed.as_secs_f64());
}

pub(crate) fn retried(failure: &SendFailure, retried: usize, dead: usize) {
    let reason = failure.as_label();
    counter!(RETRIED, "reason" => reason).increment(retried as u64);
    counter!(DEAD_LETTERED, "reason" => reason).increment(dead as u64);
}

pub(crate) fn undelivered() {
    counter!(DEAD_LETTERS_UNDELIVERED).increment(1);
}

/// Moves the process-wide gauges by what one outbox changed since it last reported.
pub(crate) fn gauges(before: OutboxStats, after: OutboxStats) {
    gauge!(PENDING).increment(after.pending as f64 - before.pending as f64);
    gauge!(IN_FLIGHT).increment(after.in_flight() as f64 - before.in_flight() as f64);
}
