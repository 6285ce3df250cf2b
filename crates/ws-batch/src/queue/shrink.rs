//! Giving back what a backlog grew: the queue's capacity follows its length down.

use super::Queue;

/// Slots the queue keeps however short it gets: a batch's worth at the default
/// `batch_size`, so a queue that fills and empties at every flush never reallocates.
pub(crate) const MIN_SLOTS: usize = 64;

impl<M> Queue<M> {
    /// Once fewer than a quarter of its slots are used, shrinks the queue to twice its
    /// length (never below [`MIN_SLOTS`]): a drained backlog (a peer that was away, a slow
    /// consumer) gives its memory back instead of holding the largest backlog ever seen for
    /// the session's life. A length that swings reallocates only once it has halved or
    /// doubled again, so the copies stay amortized O(1) per message and nothing thrashes.
    pub(crate) fn shrink_after_drain(&mut self) {
        let slots = self.entries.capacity();
        if slots > MIN_SLOTS && self.entries.len() < slots / 4 {
            self.entries.shrink_to((self.entries.len() * 2).max(MIN_SLOTS));
        }
    }
}
