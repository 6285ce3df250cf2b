//! [`AckBatcher`]: decides when a receiver sends a cumulative ACK: after every `K` DATA
//! frames, or `T` after the oldest unacknowledged one, whichever comes first; and, with a
//! keepalive interval, again after that long without an ack (the server's keepalive frame).

use super::limits::Limits;
use std::time::Duration;
use tokio::time::Instant;

/// Default `K`: ack after this many DATA frames: a quarter of the default window (1 024),
/// so the sender has three quarters of its window to cover the ack's round trip. Each ack
/// costs both ends a write, a read and a wake-up; at 64 they cost the latency benchmark's
/// p50 and p99 about half again (docs/learnings.md § 33).
pub const DEFAULT_ACK_EVERY: u64 = 256;
/// Default `T`: ack at the latest this long after the oldest unacknowledged DATA frame.
pub const DEFAULT_ACK_AFTER: Duration = Duration::from_millis(100);

/// When to acknowledge: every `every` frames or `after` the oldest unacked one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckConfig {
    /// `K`: the count that triggers an ack (at least 1).
    pub every: u64,
    /// `T`: the longest an unacknowledged frame waits for its ack.
    pub after: Duration,
}

impl Default for AckConfig {
    fn default() -> Self {
        Self { every: DEFAULT_ACK_EVERY, after: DEFAULT_ACK_AFTER }
    }
}

impl AckConfig {
    /// The default, with `K` lowered to a quarter of the peer's unacked limit when that is
    /// smaller, so a sender has most of its window left while the ack is on its way.
    pub fn for_limits(limits: &Limits) -> Self {
        let every = DEFAULT_ACK_EVERY.min(limits.max_unacked / 4).max(1);
        Self { every, ..Self::default() }
    }
}

/// Batches cumulative acks for one direction of a session.
///
/// Call [`record`](Self::record) for every DATA frame received (duplicates too, so a
/// resending peer learns what arrived), send the ack it returns, and in the connection's
/// `select!` await [`expired`](Self::expired) for the time-based ack.
#[derive(Debug, Clone)]
pub struct AckBatcher {
    config: AckConfig,
    received: u64,
    acked: u64,
    pending: u64,
    oldest: Option<Instant>,
    quiet: Quiet,
}

/// The keepalive: its interval, if any, and since when no ack went out.
#[derive(Debug, Clone, Copy)]
struct Quiet {
    every: Option<Duration>,
    since: Instant,
}

impl Quiet {
    /// No keepalive, quiet from now.
    fn now() -> Self {
        Quiet { every: None, since: Instant::now() }
    }
}

impl AckBatcher {
    /// A batcher that has acknowledged nothing.
    pub fn new(config: AckConfig) -> Self {
        Self::resuming_after(config, ws_core::sequence::origin())
    }

    /// A batcher whose peer already knows everything up to `acked` (after a resume).
    pub fn resuming_after(config: AckConfig, acked: u64) -> Self {
        let every = config.every.max(1);
        let config = AckConfig { every, ..config };
        Self { config, received: acked, acked, pending: 0, oldest: None, quiet: Quiet::now() }
    }

    /// The same batcher that also acks (repeating its last ack, a no-op for the peer) when
    /// `every` passed without an ack: the server's keepalive (`docs/protocol.md` § 7).
    pub fn with_keepalive(self, every: Option<Duration>) -> Self {
        Self { quiet: Quiet { every, ..self.quiet }, ..self }
    }

    /// Notes a DATA frame numbered `seq`; returns the ack to send now when `K` is reached.
    pub fn record(&mut self, seq: u64) -> Option<u64> {
        self.received = self.received.max(seq);
        self.pending += 1;
        self.oldest.get_or_insert_with(Instant::now);
        (self.pending >= self.config.every).then(|| self.take())
    }

    /// When the time-based ack falls due: `T` after the oldest unacknowledged frame, or the
    /// keepalive interval after the last ack, whichever comes first.
    pub fn deadline(&self) -> Option<Instant> {
        let batch = self.oldest.map(|oldest| oldest + self.config.after);
        let keepalive = self.quiet.every.map(|every| self.quiet.since + every);
        batch.into_iter().chain(keepalive).min()
    }

    /// The ack to send if the deadline has passed at `now`.
    pub fn poll_expired(&mut self, now: Instant) -> Option<u64> {
        let due = self.deadline().is_some_and(|deadline| deadline <= now);
        due.then(|| self.take())
    }

    /// Waits for the deadline and returns the ack to send; without a keepalive, never
    /// completes while nothing is unacknowledged. Cancel-safe: use it in `select!`.
    pub async fn expired(&mut self) -> u64 {
        match self.deadline() {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending().await,
        }
        self.take()
    }

    /// The ack to send at once (e.g. before closing), if any frame is unacknowledged.
    pub fn flush(&mut self) -> Option<u64> {
        (self.pending > 0).then(|| self.take())
    }

    /// The highest sequence number acknowledged so far.
    pub fn last_acked(&self) -> u64 {
        self.acked
    }

    /// How many frames arrived since the last ack.
    pub fn pending(&self) -> u64 {
        self.pending
    }

    fn take(&mut self) -> u64 {
        self.pending = 0;
        self.oldest = None;
        self.quiet.since = Instant::now();
        self.acked = self.received;
        self.acked
    }
}

#[cfg(test)]
mod tests;
