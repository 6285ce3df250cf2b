//! Counts of live messages per state, kept up to date on every transition.

use crate::entry::EntryState;

/// How many messages the outbox holds, by state, and their bytes: the health-check view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Waiting for a flush (new, or back after a failure).
    pub pending: usize,
    /// In the batch being sent right now.
    pub sending: usize,
    /// Flushed and waiting for the peer's ack (ack confirmation only).
    pub awaiting_ack: usize,
    /// Messages out of attempts, about to be handed to the dead letters.
    pub(crate) failed: usize,
    /// Bytes held by all live messages.
    pub bytes: usize,
}

impl OutboxStats {
    /// Every live message: the outbox's depth.
    pub fn len(&self) -> usize {
        self.pending + self.in_flight()
    }

    /// Whether the outbox holds no message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sent but not yet confirmed: sending plus awaiting ack.
    pub fn in_flight(&self) -> usize {
        self.sending + self.awaiting_ack
    }

    pub(crate) fn slot(&mut self, state: EntryState) -> &mut usize {
        match state {
            EntryState::Pending => &mut self.pending,
            EntryState::Sending => &mut self.sending,
            EntryState::Sent => &mut self.awaiting_ack,
            EntryState::Failed => &mut self.failed,
        }
    }

    /// Forgets one message that left the outbox.
    pub(crate) fn remove(&mut self, state: EntryState, size: usize) {
        *self.slot(state) -= 1;
        self.bytes -= size;
    }

    /// Forgets messages that left the outbox together: `sent` awaiting ack, `pending`
    /// waiting, `bytes` in all.
    pub(crate) fn forget(&mut self, sent: usize, pending: usize, bytes: usize) {
        self.awaiting_ack -= sent;
        self.pending -= pending;
        self.bytes -= bytes;
    }

    /// Moves `count` messages from one state to another.
    pub(crate) fn shift(&mut self, from: EntryState, to: EntryState, count: usize) {
        *self.slot(from) -= count;
        *self.slot(to) += count;
    }
}
