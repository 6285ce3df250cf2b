//! [`Outbox::requeue_refusing`]: a requeue for a peer whose limits changed. Messages the
//! new limits refuse leave as dead letters, and the rest are numbered again so the peer
//! sees no gap (wsr.v1's client on every WELCOME: `docs/protocol.md` § 6).

use super::Outbox;
use crate::dead_letter::DeadLetter;
use crate::error::SendFailure;
use crate::metrics;

impl<M> Outbox<M> {
    /// Like [`requeue_unacked`](Self::requeue_unacked), then every live message `refuse`
    /// picks (e.g. larger than the peer now accepts) leaves as a dead letter with
    /// [`SendFailure::Refused`](crate::SendFailure::Refused), and the others are numbered
    /// again, consecutively after the last acked one, in order. Sound only when the peer
    /// delivered nothing after its last ack (a reconnect announcing it): no number the peer
    /// delivered changes. Sequence numbers `push` returned for them change too. Returns how
    /// many messages will be resent; the refused ones count in `ws_batch_dead_lettered_total`
    /// with `reason` `refused`.
    pub async fn requeue_refusing(&self, refuse: impl Fn(&M) -> bool) -> usize {
        let _serial = self.shared.flush_lock.lock().await;
        let resent = self.requeue();
        let refused = self.take_refused(refuse);
        let count = refused.len();
        metrics::retried(&SendFailure::Refused, 0, count);
        self.bury(refused);
        resent.saturating_sub(count)
    }

    /// Takes the refused messages out under the lock, the gauges updated.
    fn take_refused(&self, refuse: impl Fn(&M) -> bool) -> Vec<DeadLetter<M>> {
        let mut state = self.lock();
        let refused = state.queue.renumber_without(refuse);
        state.publish();
        refused
    }
}

#[cfg(test)]
mod tests;
