//! One queued message: its sequence number, state, attempt count and retry time.

use crate::clock::{Epoch, Ticks};
use tokio::time::Instant;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryState {
    /// Queued, waiting for a flush (a new message, or one whose send failed).
    Pending,
    /// Part of the batch being sent right now; still in the queue.
    Sending,
    /// Flushed to the transport, waiting for the peer's ack (ack confirmation only).
    Sent,
    /// Out of attempts: removed from the live queue and handed to the dead letters.
    Failed,
}

/// A read-only view of one live message, for health checks and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryInfo {
    /// The sequence number given at push time.
    pub seq: u64,
    /// The current state.
    pub state: EntryState,
    /// Failed attempts so far.
    pub attempts: u32,
    /// `Pending`: the earliest time of the next send (the backoff's retry time);
    /// `Sent`: the ack deadline, after which it is sent again.
    pub due_at: Instant,
}

/// A message in the queue with its delivery bookkeeping.
#[derive(Debug)]
pub(crate) struct Entry<M> {
    pub(crate) seq: u64,
    pub(crate) message: M,
    pub(crate) size: usize,
    pub(crate) attempts: u32,
    pub(crate) state: EntryState,
    /// `Pending`: not sent before this time; `Sent`: resent if not acked by this time.
    pub(crate) at: Ticks,
}

impl<M> Entry<M> {
    /// A new message, due at once.
    pub(crate) fn new(seq: u64, message: M, size: usize) -> Self {
        let state = EntryState::Pending;
        let at = Ticks::default();
        Entry { seq, message, size, attempts: 0, state, at }
    }

    /// Marks a `Sending` entry `Sent`, to be resent after `ack_deadline` (the stats are the
    /// caller's, once per batch).
    pub(crate) fn mark_sent(&mut self, ack_deadline: Ticks) {
        self.state = EntryState::Sent;
        self.at = ack_deadline;
    }

    pub(crate) fn info(&self, epoch: Epoch) -> EntryInfo {
        let seq = self.seq;
        let state = self.state;
        let attempts = self.attempts;
        EntryInfo { seq, state, attempts, due_at: epoch.instant(self.at) }
    }
}

/// How many bytes a message counts for against the outbox's byte capacity.
pub trait MessageSize {
    /// The payload size in bytes.
    fn message_size(&self) -> usize;
}

impl MessageSize for Vec<u8> {
    fn message_size(&self) -> usize {
        self.len()
    }
}

impl MessageSize for String {
    fn message_size(&self) -> usize {
        self.len()
    }
}

impl MessageSize for &'static str {
    fn message_size(&self) -> usize {
        self.len()
    }
}

/// The payload's length, as `Message::len` counts it; the data variants are matched here so
/// the hot path of `push` inlines them (a call into tungstenite cannot be inlined).
#[cfg(feature = "tungstenite")]
impl MessageSize for tokio_tungstenite::tungstenite::Message {
    #[inline]
    fn message_size(&self) -> usize {
        use tokio_tungstenite::tungstenite::Message;
        match self {
            Message::Binary(data) | Message::Ping(data) | Message::Pong(data) => data.len(),
            Message::Text(text) => text.len(),
            other => other.len(),
        }
    }
}
