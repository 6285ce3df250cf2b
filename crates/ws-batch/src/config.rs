//! The outbox configuration and its documented defaults.

use std::time::Duration;
use ws_core::{Backoff, Jitter, JitterRng};

/// When a sent message counts as delivered and leaves the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Confirmation {
    /// Removed once the transport's `flush` succeeded: for peers that send no acks.
    #[default]
    Flush,
    /// Kept as `Sent` until the peer acks it with a cumulative [`ack`](crate::Outbox::ack).
    Ack,
}

/// How an [`Outbox`](crate::Outbox) queues, sends, retries and gives up.
///
/// | setting | default | why |
/// |---|---|---|
/// | `capacity_messages` | 1024 | a slow peer meets backpressure long before memory runs out |
/// | `capacity_bytes` | 4 MiB | bounds memory per session whatever the message size |
/// | `batch_size` | 64 | one transport flush per 64 frames amortises the syscall |
/// | `max_attempts` | 5 | four retries over 0.75 to 1.5 s of backoff (plus any flush timeouts) before a dead letter |
/// | `backoff` | 100 ms × 2, cap 10 s, equal jitter | a floor so a dead socket is not hammered, spread so sessions do not retry in step |
/// | `flush_timeout` | 5 s | a hung transport counts as a failure instead of hanging the outbox |
/// | `ack_timeout` | 30 s (ack mode) | an unacked message is resent instead of waiting forever |
/// | `on_ack_timeout` | [`OnAckTimeout::Resend`] | what the ack timeout does: resend, or report the peer overdue |
/// | `flush_interval` | 10 ms | kept for compatibility: the background flusher no longer waits on it (a push into an idle outbox wakes it) |
/// | `confirmation` | [`Confirmation::Flush`] | works with any peer; use `Ack` with peers that ack |
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    pub(crate) limits: Limits,
    pub(crate) timing: Timing,
    pub(crate) max_attempts: u32,
    pub(crate) backoff: Backoff,
    pub(crate) confirmation: Confirmation,
    pub(crate) owner: Owner,
}

/// What the owner adds: a fixed jitter seed (tests), a meter shared with other outboxes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Owner {
    pub(crate) jitter_seed: Option<u64>,
    pub(crate) meter: Option<crate::ByteMeter>,
    /// Messages wait for [`Outbox::release_through`](crate::Outbox::release_through).
    pub(crate) held: bool,
    /// The metric handles its outboxes share (a clone of the config starts without).
    pub(crate) instruments: crate::metrics::Registered,
}

/// How much the outbox holds and sends at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) capacity_messages: usize,
    pub(crate) capacity_bytes: usize,
    pub(crate) batch_size: usize,
}

/// How long the outbox waits for a transport, a peer and the next partial batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) flush_timeout: Duration,
    pub(crate) ack_timeout: Option<Duration>,
    pub(crate) on_ack_timeout: OnAckTimeout,
    pub(crate) flush_interval: Duration,
}

/// What the outbox does when its oldest unacked message waited past the ack timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnAckTimeout {
    /// Resend every unacked message (a transport that may lose messages silently).
    Resend,
    /// Resend nothing and report the peer overdue: [`Outbox::ack_overdue`](crate::Outbox::ack_overdue)
    /// resolves, and the owner decides (e.g. closes a connection whose peer stopped reading
    /// or acking; on a reliable transport a resend on the same connection only doubles the
    /// memory a slow peer holds).
    Report,
}

impl Limits {
    const DEFAULT: Limits =
        Limits { capacity_messages: 1024, capacity_bytes: 4 * 1024 * 1024, batch_size: 64 };
}

impl Timing {
    const DEFAULT: Timing = Timing {
        flush_timeout: Duration::from_secs(5),
        ack_timeout: Some(Duration::from_secs(30)),
        on_ack_timeout: OnAckTimeout::Resend,
        flush_interval: Duration::from_millis(10),
    };
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            limits: Limits::DEFAULT,
            timing: Timing::DEFAULT,
            max_attempts: 5,
            backoff: default_backoff(),
            confirmation: Confirmation::Flush,
            owner: Owner::default(),
        }
    }
}

/// 100 ms, doubling, capped at 10 s, with equal jitter.
fn default_backoff() -> Backoff {
    let backoff = Backoff::new(Duration::from_millis(100), 2.0, Duration::from_secs(10));
    backoff.with_jitter(Jitter::Equal)
}

impl OutboxConfig {
    /// The most messages held at once (at least 1).
    pub fn with_capacity_messages(self, capacity: usize) -> Self {
        let limits = Limits { capacity_messages: capacity.max(1), ..self.limits };
        OutboxConfig { limits, ..self }
    }

    /// The most bytes held at once, counted with [`MessageSize`](crate::MessageSize).
    pub fn with_capacity_bytes(self, capacity: usize) -> Self {
        let limits = Limits { capacity_bytes: capacity, ..self.limits };
        OutboxConfig { limits, ..self }
    }

    /// Holds every message until [`Outbox::release_through`](crate::Outbox::release_through)
    /// releases it: for an owner that writes each message somewhere durable before it may
    /// be sent (a write-ahead log), so a peer never holds what a crash could lose.
    pub fn held_until_released(self) -> Self {
        let owner = Owner { held: true, ..self.owner };
        OutboxConfig { owner, ..self }
    }

    /// The most messages sent in one flush (at least 1).
    pub fn with_batch_size(self, batch_size: usize) -> Self {
        let limits = Limits { batch_size: batch_size.max(1), ..self.limits };
        OutboxConfig { limits, ..self }
    }

    /// How many failed attempts a message gets before it is dead-lettered (at least 1).
    pub fn with_max_attempts(self, max_attempts: u32) -> Self {
        OutboxConfig { max_attempts: max_attempts.max(1), ..self }
    }

    /// The retry schedule after a failed flush: initial delay, multiplier, cap and jitter.
    pub fn with_backoff(self, backoff: Backoff) -> Self {
        OutboxConfig { backoff, ..self }
    }

    /// How long one flush may take before it counts as failed.
    pub fn with_flush_timeout(self, timeout: Duration) -> Self {
        let timing = Timing { flush_timeout: timeout, ..self.timing };
        OutboxConfig { timing, ..self }
    }

    /// How long a sent message may wait for its ack before it is resent (`None`: forever).
    pub fn with_ack_timeout(self, timeout: Option<Duration>) -> Self {
        let timing = Timing { ack_timeout: timeout, ..self.timing };
        OutboxConfig { timing, ..self }
    }

    /// What the ack timeout does: resend every unacked message (the default), or report
    /// the peer overdue and resend nothing ([`OnAckTimeout::Report`]).
    pub fn with_on_ack_timeout(self, action: OnAckTimeout) -> Self {
        let timing = Timing { on_ack_timeout: action, ..self.timing };
        OutboxConfig { timing, ..self }
    }

    /// Kept for compatibility, read back by [`flush_interval`](Self::flush_interval): the
    /// background flusher no longer waits on an interval, a push into an idle outbox wakes
    /// it and a partial batch goes out at once.
    pub fn with_flush_interval(self, interval: Duration) -> Self {
        let timing = Timing { flush_interval: interval, ..self.timing };
        OutboxConfig { timing, ..self }
    }

    /// When a sent message counts as delivered.
    pub fn with_confirmation(self, confirmation: Confirmation) -> Self {
        OutboxConfig { confirmation, ..self }
    }

    /// Counts the bytes this outbox holds into `meter`, shared with other outboxes: an
    /// owner's budget over all of them (e.g. a server's over every session).
    pub fn with_byte_meter(self, meter: crate::ByteMeter) -> Self {
        let owner = Owner { meter: Some(meter), ..self.owner };
        OutboxConfig { owner, ..self }
    }

    /// Seeds the jitter of the retry schedule, for deterministic tests.
    pub fn with_jitter_seed(self, seed: u64) -> Self {
        let owner = Owner { jitter_seed: Some(seed), ..self.owner };
        OutboxConfig { owner, ..self }
    }

    /// The confirmation mode.
    pub fn confirmation(&self) -> Confirmation {
        self.confirmation
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.limits.batch_size
    }

    /// The retry schedule.
    pub fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// The flush interval set (no longer used by the background flusher).
    pub fn flush_interval(&self) -> Duration {
        self.timing.flush_interval
    }

    pub(crate) fn jitter_rng(&self) -> JitterRng {
        self.owner.jitter_seed.map_or_else(JitterRng::from_entropy, JitterRng::seeded)
    }
}

#[cfg(test)]
mod tests;
