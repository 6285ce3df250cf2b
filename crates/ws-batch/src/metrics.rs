//! The metric names of this crate and the helpers that record them.

use crate::error::SendFailure;
use crate::stats::OutboxStats;
use metrics::{counter, gauge, histogram, Counter, Gauge, Histogram};
use std::sync::{Arc, Mutex, PoisonError};
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
/// Counter: peers reported overdue with their acks ([`OnAckTimeout::Report`](crate::OnAckTimeout::Report)).
pub const ACKS_OVERDUE: &str = "ws_batch_acks_overdue_total";
/// Messages waiting for a flush, over every outbox of the process.
pub const PENDING: &str = "ws_batch_pending_messages";
/// Messages sent and not yet confirmed, over every outbox of the process.
pub const IN_FLIGHT: &str = "ws_batch_in_flight_messages";
/// How long one flush took, failed ones included.
pub const FLUSH_DURATION: &str = "ws_batch_flush_duration_seconds";

/// The handles of the hot-path metrics and the process-wide gauges (with the owner's
/// meter), registered once per recorder and shared by every outbox of one config
/// ([`Registered`]): an idle outbox keeps a pointer, not 128 bytes of handles
/// (`docs/learnings.md` § 36).
#[derive(Debug)]
pub(crate) struct Instruments {
    enqueued: Counter,
    sent: Counter,
    acked: Counter,
    flush_duration: Histogram,
    gauges: Gauges,
}

impl Instruments {
    fn register(meter: Option<crate::ByteMeter>) -> Self {
        let enqueued = counter!(ENQUEUED);
        let sent = counter!(SENT);
        let acked = counter!(ACKED);
        let flush_duration = histogram!(FLUSH_DURATION);
        Instruments { enqueued, sent, acked, flush_duration, gauges: Gauges::register(meter) }
    }

    pub(crate) fn enqueued(&self, count: usize) {
        if count > 0 {
            self.enqueued.increment(count as u64);
        }
    }

    pub(crate) fn flushed(&self, sent: usize, acked: usize, elapsed: Duration) {
        self.sent.increment(sent as u64);
        self.acked(acked);
        self.flush_duration.record(elapsed.as_secs_f64());
    }

    pub(crate) fn flush_failed(&self, failure: &SendFailure, elapsed: Duration) {
        counter!(FLUSH_FAILURES, "reason" => failure.as_label()).increment(1);
        self.flush_duration.record(elapsed.as_secs_f64());
    }

    pub(crate) fn acked(&self, count: usize) {
        if count > 0 {
            self.acked.increment(count as u64);
        }
    }

    /// Moves the gauges by what one outbox changed since it last reported.
    pub(crate) fn report(&self, before: OutboxStats, after: OutboxStats) {
        self.gauges.report(before, after);
    }
}

/// The process-wide gauges, moved by the deltas of each outbox.
#[derive(Debug)]
struct Gauges {
    pending: Gauge,
    in_flight: Gauge,
    /// The owner's meter of bytes over many outboxes, if it set one.
    meter: Option<crate::ByteMeter>,
}

impl Gauges {
    fn register(meter: Option<crate::ByteMeter>) -> Self {
        Gauges { pending: gauge!(PENDING), in_flight: gauge!(IN_FLIGHT), meter }
    }

    fn report(&self, before: OutboxStats, after: OutboxStats) {
        move_by(&self.pending, before.pending, after.pending);
        move_by(&self.in_flight, before.in_flight(), after.in_flight());
        if let Some(meter) = self.meter.as_ref().filter(|_| before.bytes != after.bytes) {
            meter.moved(before.bytes, after.bytes);
        }
    }
}

/// The [`Instruments`] one config registered last, and the recorder they are bound to. A
/// handle records into the recorder that was current when it was registered, so an outbox
/// built under another recorder (an application that installed its recorder after its
/// first session, a test's local recorder) gets handles of its own, as when every outbox
/// registered its own. A clone starts empty: it may get another meter.
#[derive(Debug, Default)]
pub(crate) struct Registered {
    bound: Mutex<Option<Bound>>,
}

#[derive(Debug)]
struct Bound {
    /// The address of the recorder the handles were registered with.
    recorder: usize,
    instruments: Arc<Instruments>,
}

impl Clone for Registered {
    fn clone(&self) -> Self {
        Registered::default()
    }
}

impl Registered {
    /// The instruments of the recorder current now, with `meter`: the last ones if they
    /// belong to it, else new ones (which replace them).
    pub(crate) fn current(&self, meter: &Option<crate::ByteMeter>) -> Arc<Instruments> {
        let recorder = current_recorder();
        let mut bound = self.bound.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(same) = bound.as_ref().filter(|bound| bound.recorder == recorder) {
            return Arc::clone(&same.instruments);
        }
        let instruments = Arc::new(Instruments::register(meter.clone()));
        *bound = Some(Bound { recorder, instruments: Arc::clone(&instruments) });
        instruments
    }
}

/// The address of the recorder the `metrics` macros would register with now.
fn current_recorder() -> usize {
    metrics::with_recorder(|recorder| std::ptr::from_ref(recorder).cast::<()>().addr())
}

fn move_by(gauge: &Gauge, before: usize, after: usize) {
    if before != after {
        gauge.increment(after as f64 - before as f64);
    }
}

pub(crate) fn rejected(limit: &'static str) {
    counter!(REJECTED, "limit" => limit).increment(1);
}

pub(crate) fn ack_overdue() {
    metrics::counter!(ACKS_OVERDUE).increment(1);
}

pub(crate) fn ack_error() {
    counter!(ACK_ERRORS).increment(1);
}

pub(crate) fn retried(failure: &SendFailure, retried: usize, dead: usize) {
    let reason = failure.as_label();
    counter!(RETRIED, "reason" => reason).increment(retried as u64);
    counter!(DEAD_LETTERED, "reason" => reason).increment(dead as u64);
}

pub(crate) fn undelivered() {
    counter!(DEAD_LETTERS_UNDELIVERED).increment(1);
}
