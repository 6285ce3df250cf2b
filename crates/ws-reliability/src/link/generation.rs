//! [`Generation`]: a counter that tasks wait on instead of polling it: a SESSION_LOST
//! replacing the client's outbox, a server session ending for good.

use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Notify;

/// A counter one side bumps and other tasks await: `past(seen)` resolves as soon as the
/// count is no longer `seen`, woken by the bump itself (no timer, no recheck).
#[derive(Debug, Default)]
pub(crate) struct Generation {
    count: AtomicU64,
    bumped: Notify,
}

impl Generation {
    /// The count now.
    pub(crate) fn get(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }

    /// Counts one more and wakes every task waiting in [`past`](Self::past).
    pub(crate) fn bump(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
        self.bumped.notify_waiters();
    }

    /// Resolves once the count is no longer `seen` (at once if it already is not). The
    /// waiter registers before it reads the count, so a bump between the two still wakes it.
    pub(crate) async fn past(&self, seen: u64) {
        let mut notified = std::pin::pin!(self.bumped.notified());
        notified.as_mut().enable();
        if self.get() == seen {
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_waiter_is_woken_by_the_bump_and_a_late_one_returns_at_once() {
        let generation = Arc::new(Generation::default());
        let waiting = Arc::clone(&generation);
        let waiter = tokio::spawn(async move { waiting.past(0).await });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "nothing bumped yet");
        generation.bump();
        waiter.await.unwrap();
        assert_eq!(generation.get(), 1);
        generation.past(0).await; // already past: returns without a bump
    }
}
