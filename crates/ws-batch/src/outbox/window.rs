//! The send window: [`Outbox::set_window`] caps how many messages may be in flight, for a
//! peer that announces how many unacknowledged messages it accepts (wsr.v1's
//! `max_unacked`). Messages beyond the window stay `Pending` until acks make room.

use super::Outbox;

impl<M> Outbox<M> {
    /// Lets at most `window` messages (at least 1) be in flight: being sent, or sent and
    /// awaiting their ack. A flush sends no more than the window has room for; an ack that
    /// makes room wakes the flusher. Unlimited until set; may change at any time (a
    /// reconnect to a peer with another window), messages already in flight stay so.
    pub fn set_window(&self, window: usize) {
        if self.lock().set_window(window) {
            self.shared.notify.wake.notify_one();
        }
    }

    /// The highest sequence number the peer acked (0 before any ack): every message up to
    /// it left the outbox, so a peer that asks for one of them again cannot have it.
    pub fn acked_through(&self) -> u64 {
        self.lock().queue.acked_through()
    }

    /// Continues a numbering that reached `acked` elsewhere, e.g. a session restored from
    /// a store after its server restarted: the next message pushed gets `acked + 1`, and
    /// the peer is taken to have acked everything through `acked`. Only an outbox that
    /// never numbered a message can continue another's numbering: returns whether it did.
    pub fn continue_after(&self, acked: u64) -> bool {
        self.lock().queue.continue_after(acked)
    }

    /// Calls `visit` with each message still held numbered `from` or later, in order, under
    /// the outbox's lock (keep it cheap, never call the outbox from it): how a write-ahead
    /// owner reads what it must write before [`release_through`](Self::release_through).
    pub fn visit_from(&self, from: u64, visit: impl FnMut(u64, &M)) {
        self.lock().queue.visit_from(from, visit);
    }

    /// Lets the messages through `seq` out, in an outbox
    /// [held until released](crate::OutboxConfig::held_until_released) (a no-op in
    /// another): the owner wrote them where a crash cannot lose them.
    pub fn release_through(&self, seq: u64) {
        if self.lock().release(seq) {
            self.shared.notify.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests;
