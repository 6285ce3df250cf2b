//! The reader's own state between two steps, and its one timer.

use super::super::lazy::LazyFlusher;
use crate::protocol::AckBatcher;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;

/// The reader's own state: the ack schedule, when the peer was last heard, and the
/// outbox's flusher once there was work for it.
pub(super) struct Reading {
    pub(super) acks: AckBatcher,
    seen: Instant,
    pub(super) flusher: LazyFlusher,
    /// The last ack the reader yielded after (so that the writer sent it).
    yielded: u64,
    /// The last burst queued an ack a quarter window past `yielded`: the reader yields
    /// before it reads on.
    owes_yield: bool,
}

impl Reading {
    pub(super) fn new(acks: AckBatcher) -> Self {
        let flusher = LazyFlusher::default();
        let yielded = acks.last_acked();
        Reading { acks, seen: Instant::now(), flusher, yielded, owes_yield: false }
    }

    /// Notes the ack a burst queued, if any: the reader owes a yield once it confirms
    /// `stride` messages more than the last one it yielded after.
    pub(super) fn queued(&mut self, ack: Option<u64>, stride: u64) {
        if let Some(seq) = ack.filter(|seq| *seq >= self.yielded.saturating_add(stride)) {
            self.yielded = seq;
            self.owes_yield = true;
        }
    }

    /// Yields once if a burst owed it: the writer, woken by the ack before the reader was
    /// put back in the queue behind it, sends the ack before the reader reads on.
    pub(super) fn pay_yield(&mut self) -> Requeue {
        Requeue { done: !std::mem::take(&mut self.owes_yield) }
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

/// Completes at `deadline`; never without one.
pub(super) async fn timer(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Returns to the scheduler once, woken at once: put back at the end of the worker's
/// queue, behind the tasks woken meanwhile, not (as `tokio::task::yield_now`) only after
/// the worker's next poll of its I/O driver, which cost the push a third when it ran
/// after every ack (`docs/learnings.md` § 30).
pub(super) struct Requeue {
    done: bool,
}

impl Future for Requeue {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.done, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
