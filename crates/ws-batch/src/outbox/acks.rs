//! The ack timeout: what happens when the oldest unacked message waited past its deadline
//! ([`OnAckTimeout`]): every unacked message is resent, or the peer is reported overdue.

use super::Outbox;
use crate::config::OnAckTimeout;
use crate::error::SendFailure;
use crate::metrics;
use tokio::time::Instant;

impl<M> Outbox<M> {
    /// Resolves once the peer is overdue with its acks: under [`OnAckTimeout::Report`],
    /// the oldest unacked message waited past the ack timeout (and nothing was resent).
    /// Never resolves under [`OnAckTimeout::Resend`]. An ack that confirms something, or a
    /// requeue (a reconnect), clears the state.
    pub async fn ack_overdue(&self) {
        let mut notified = std::pin::pin!(self.shared.notify.overdue.notified());
        notified.as_mut().enable();
        if !self.lock().is_overdue() {
            notified.await;
        }
    }

    /// Acts on an expired ack deadline, as the configuration says.
    pub(super) fn expire_acks(&self, now: Instant) {
        if !self.lock().queue.ack_expired(now) {
            return;
        }
        match self.shared.config.timing.on_ack_timeout {
            OnAckTimeout::Resend => drop(self.requeue()),
            OnAckTimeout::Report => self.report_overdue(),
        }
    }

    /// Marks the peer overdue, once until it acks again; counted and told to the owner.
    fn report_overdue(&self) {
        if self.lock().mark_overdue() {
            metrics::ack_overdue();
            self.shared.notify.overdue.notify_waiters();
        }
    }

    /// Sends every unacked message again (first), as the next flush's work.
    pub(super) fn requeue(&self) -> usize {
        let (requeued, dead) = self.lock().requeue(&self.shared.config);
        let resent = requeued - dead.len();
        metrics::retried(&SendFailure::Unacked, resent, dead.len());
        self.bury(dead);
        self.shared.notify.wake.notify_one();
        resent
    }
}
