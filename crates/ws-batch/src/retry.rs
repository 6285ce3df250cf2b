//! What a failed attempt does to one entry: count it, schedule the retry, or give up.

use crate::clock::Epoch;
use crate::entry::{Entry, EntryState};
use crate::stats::OutboxStats;
use std::time::Duration;
use tokio::time::Instant;
use ws_core::{Backoff, JitterRng};

/// The retry policy applied at one instant.
#[derive(Debug)]
pub(crate) struct Retry<'a> {
    pub(crate) backoff: Backoff,
    pub(crate) max_attempts: u32,
    pub(crate) rng: &'a mut JitterRng,
    pub(crate) now: Instant,
    /// Whether the retry waits for the backoff (a failed flush) or is due at once (a requeue).
    pub(crate) delayed: bool,
}

impl Retry<'_> {
    /// Counts a failed attempt: back to `Pending` with its next-retry time, or `Failed` (the
    /// failure is not kept per entry: the caller buries the `Failed` ones with it at once).
    pub(crate) fn fail<M>(&mut self, entry: &mut Entry<M>, stats: &mut OutboxStats, epoch: Epoch) {
        entry.attempts += 1;
        let exhausted = entry.attempts >= self.max_attempts;
        let next = if exhausted { EntryState::Failed } else { EntryState::Pending };
        entry.at = epoch.ticks(self.now + self.delay(entry.attempts));
        stats.shift(entry.state, next, 1);
        entry.state = next;
    }

    /// The wait before the attempt after `attempts` failures.
    fn delay(&mut self, attempts: u32) -> Duration {
        if self.delayed {
            self.backoff.delay(attempts.saturating_sub(1), self.rng)
        } else {
            Duration::ZERO
        }
    }
}
