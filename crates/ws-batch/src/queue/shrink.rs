//! Giving back what a backlog grew: the queue's capacity follows its length down, once the
//! length has stayed down for [`SHRINK_AFTER`].
//!
//! Why not at once: under a steady load a queue's length swings with the peer's acks (a
//! window that fills in a burst of late acks and empties after it). Shrinking at the first
//! drain with a low peak gave the slots back between two such swings and grew them again
//! at the next: at 50% of the latency bench's load, about four reallocations a second per
//! session, each into pages the allocator had returned to the kernel, over 10 000 page
//! faults a second in `push_many` (`docs/learnings.md` § 46; the latency could not be
//! told apart on that machine).

use super::Queue;
use crate::clock::Ticks;
use std::time::Duration;
use tokio::time::Instant;

/// Slots the queue keeps however short it gets: a batch's worth at the default
/// `batch_size`, so a queue that fills and empties at every flush never reallocates.
pub(crate) const MIN_SLOTS: usize = 64;

/// How long every drain's peak must stay under a quarter of the slots before the queue
/// gives them back: longer than a load's swings, short beside a backlog's life.
pub(crate) const SHRINK_AFTER: Duration = Duration::from_secs(1);

/// A run of drains whose peaks (the length just before each drain) all used fewer than a
/// quarter of the queue's slots.
#[derive(Debug, Default)]
pub(crate) struct LowPeaks {
    /// When the run began: the first low drain's time (`None`: the last peak was high).
    since: Option<Ticks>,
    /// The highest peak of the run.
    highest: usize,
}

impl LowPeaks {
    /// Adds a low drain with `peak` at `now`; how long the run has lasted.
    fn add(&mut self, peak: usize, now: Ticks) -> Duration {
        let since = *self.since.get_or_insert(now);
        self.highest = self.highest.max(peak);
        now.since(since)
    }
}

impl<M> Queue<M> {
    /// After a drain whose peak was `peak` (the most the queue held since the previous
    /// drain): shrinks it to twice the run's highest peak (never below [`MIN_SLOTS`]) once
    /// every peak for [`SHRINK_AFTER`] used fewer than a quarter of its slots. A backlog
    /// that drained gives its memory back instead of holding the largest backlog ever seen
    /// for the session's life; one that comes back within the time keeps its slots. The
    /// clock is read only at a low drain.
    pub(crate) fn shrink_after_drain(&mut self, peak: usize) {
        if !self.is_low(peak) {
            self.shrink = LowPeaks::default();
        } else if self.low_run_with(peak) >= SHRINK_AFTER {
            let run = std::mem::take(&mut self.shrink);
            self.shrink_to_peak(run.highest);
        }
    }

    /// Adds a low drain with `peak`, now, to the run; how long the run has lasted.
    fn low_run_with(&mut self, peak: usize) -> Duration {
        let now = self.epoch.ticks(Instant::now());
        self.shrink.add(peak, now)
    }

    /// Shrinks the queue to twice `peak` (never below [`MIN_SLOTS`]) now, if `peak` used
    /// fewer than a quarter of its slots: what a discard leaves.
    pub(crate) fn shrink_to_peak(&mut self, peak: usize) {
        if self.is_low(peak) {
            self.entries.shrink_to(peak.saturating_mul(2).max(MIN_SLOTS));
        }
    }

    /// Whether `peak` used fewer than a quarter of more than [`MIN_SLOTS`] slots.
    fn is_low(&self, peak: usize) -> bool {
        let slots = self.entries.capacity();
        slots > MIN_SLOTS && peak < slots / 4
    }
}

#[cfg(test)]
mod tests;
