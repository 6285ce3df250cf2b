//! Where a queue's numbering stands: the first pending sequence number, and a numbering
//! continued from elsewhere.

use super::Queue;

impl<M> Queue<M> {
    /// Numbers on from `acked`, as if every message through it was sent and acked; only a
    /// queue that never numbered a message (its next number still the first after ws-core's
    /// sequence origin: 1, but in a simulated run that moved the origin). Returns whether
    /// it did.
    pub(crate) fn continue_after(&mut self, acked: u64) -> bool {
        let fresh = self.next_seq == ws_core::sequence::origin() + 1;
        if fresh {
            self.next_seq = acked.saturating_add(1);
            self.acked_through = acked;
            self.highest_sent = acked;
        }
        fresh
    }

    /// Calls `visit` with each message numbered `from` or later, in order. The first is
    /// found by a binary search (the entries are in sequence order), not by walking past
    /// every entry before it: a write-ahead owner reads only the newest of a full outbox.
    pub(crate) fn visit_from(&self, from: u64, mut visit: impl FnMut(u64, &M)) {
        let first = self.entries.partition_point(|entry| entry.seq < from);
        let later = self.entries.range(first..);
        later.for_each(|entry| visit(entry.seq, &entry.message));
    }

    /// The sequence number of the first entry waiting to be sent, if any.
    pub(crate) fn first_pending_seq(&self) -> Option<u64> {
        self.entries.get(self.first_pending()).map(|entry| entry.seq)
    }
}
