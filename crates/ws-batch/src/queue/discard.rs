//! Discarding: an owner that abandons an outbox drops what it holds at once.

use super::Queue;
use crate::entry::EntryState;
use crate::stats::OutboxStats;

impl<M> Queue<M> {
    /// Drops every entry but those of the batch being sent (they settle as usual, and stay
    /// numbered without a gap), and the slots they took; returns how many were dropped.
    pub(crate) fn discard(&mut self) -> usize {
        let before = self.entries.len();
        self.entries.retain(|entry| entry.state == EntryState::Sending);
        let bytes = self.entries.iter().map(|entry| entry.size).sum();
        self.stats = OutboxStats { sending: self.stats.sending, bytes, ..OutboxStats::default() };
        self.shrink_to_peak(self.entries.len());
        before - self.entries.len()
    }
}
