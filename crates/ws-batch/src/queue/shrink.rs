//! Giving back what a backlog grew: the queue's capacity follows its length down.

use super::Queue;

/// Slots the queue keeps however short it gets: a batch's worth at the default
/// `batch_size`, so a queue that fills and empties at every flush never reallocates.
pub(crate) const MIN_SLOTS: usize = 64;

impl<M> Queue<M> {
    /// Shrinks the queue to twice `peak` (never below [`MIN_SLOTS`]) when `peak`, the most
    /// it held since the previous drain (its length just before this one), used fewer than
    /// a quarter of its slots: a backlog that drained (a peer that was away, a slow
    /// consumer) gives its memory back at the next drain that finds it gone, instead of
    /// holding the largest backlog ever seen for the session's life. A backlog that comes
    /// back at every ack (a burst per tick) is never shrunk, and a length that swings
    /// reallocates only once its peak has halved or doubled, so nothing thrashes.
    pub(crate) fn shrink_to_peak(&mut self, peak: usize) {
        let slots = self.entries.capacity();
        if slots > MIN_SLOTS && peak < slots / 4 {
            self.entries.shrink_to(peak.saturating_mul(2).max(MIN_SLOTS));
        }
    }
}
