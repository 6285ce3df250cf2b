//! The reader's own state between two steps.

use super::super::lazy::LazyFlusher;
use super::StepTimer;
use crate::protocol::AckBatcher;
use std::time::Duration;
use tokio::time::Instant;

/// The reader's own state: the ack schedule, when the peer was last heard, the outbox's
/// flusher once there was work for it, and its timer ([`StepTimer`]).
pub(super) struct Reading<T> {
    pub(super) acks: AckBatcher,
    seen: Instant,
    pub(super) flusher: LazyFlusher,
    pub(super) timer: T,
}

impl<T: StepTimer> Reading<T> {
    pub(super) fn new(acks: AckBatcher) -> Self {
        let flusher = LazyFlusher::default();
        Reading { acks, seen: Instant::now(), flusher, timer: T::default() }
    }

    /// Notes that something (a frame, a ping, an error) arrived now.
    pub(super) fn saw<R>(&mut self, read: R) -> R {
        self.seen = Instant::now();
        read
    }

    /// When the peer has been silent for `idle`, if there is an idle timeout.
    pub(super) fn silent_at(&self, idle: Option<Duration>) -> Option<Instant> {
        idle.map(|idle| self.seen + idle)
    }

    /// The next time the reader must act: the ack schedule's deadline or the idle timeout,
    /// whichever comes first (one timer in the reader's state, not one each).
    pub(super) fn next_timer(&self, idle: Option<Duration>) -> Option<Instant> {
        self.acks.deadline().into_iter().chain(self.silent_at(idle)).min()
    }
}
