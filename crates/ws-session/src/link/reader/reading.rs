//! The reader's own state between two steps, and its one timer.

use super::super::lazy::LazyFlusher;
use crate::protocol::AckBatcher;
use futures::future::Either;
use std::future::Pending;
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The reader's own state: the ack schedule, when the peer was last heard, and the
/// outbox's flusher once there was work for it.
pub(super) struct Reading {
    pub(super) acks: AckBatcher,
    seen: Instant,
    pub(super) flusher: LazyFlusher,
}

impl Reading {
    pub(super) fn new(acks: AckBatcher) -> Self {
        let flusher = LazyFlusher::default();
        Reading { acks, seen: Instant::now(), flusher }
    }

    /// Notes that something (a frame, a ping, an error) arrived now.
    pub(super) fn saw<T>(&mut self, read: T) -> T {
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

/// Completes at `deadline`; never without one. A plain future, not an `async fn`, which
/// would keep `deadline` beside its sleep in every idle link's future.
pub(super) fn timer(deadline: Option<Instant>) -> Either<Sleep, Pending<()>> {
    match deadline {
        Some(deadline) => Either::Left(tokio::time::sleep_until(deadline)),
        None => Either::Right(std::future::pending()),
    }
}
